using Dsl.EndToEnd.Tests.Corpus;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>The value a JVP returns is the primal's, also when IEEE special values appear.</summary>
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
}
