using Dsl.EndToEnd.Tests.Corpus;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>A JVP computes what its primal computes, also in corner cases.</summary>
public class FidelityTests
{
    [Theory]
    [InlineData(1.5, 0.0)]
    [InlineData(1.5, 1000.0)] // Exp(1000) = +∞ and 0 · ∞ = NaN
    public void Zero_times_overflow_is_NaN_in_the_jvp_value_too(double x, double big)
    {
        var primal = Fidelity.ZeroWeightedTerm(x, big);
        var value = Fidelity.ZeroWeightedTermJvp(x, 1.0, big, out _);
        Assert.Equal(primal, value);
    }

    [Fact]
    public void Float_math_of_a_constant_is_evaluated_as_in_the_primal()
    {
        // At run time MathF.Sin(0.68f) is whatever the platform's sinf returns (0.62879306f
        // with glibc, one ulp above sin(0.68f) rounded to float, 0.628793f): the JVP must use
        // the same value as the primal, not one folded in double at compile time.
        Assert.Equal(Corpus32.FixedRotation(0, 1), Corpus32.FixedRotationJvp(0, 0, 1, 0, out _));
    }
}
