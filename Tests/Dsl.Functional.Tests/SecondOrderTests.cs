using System;
using Xunit;
using Xunit.Abstractions;
using static Dsl.Functional.Tests.SecondOrderDensities;

namespace Dsl.Functional.Tests;

/// <summary>
/// Second-order densities (scalar x): the D² term comes from forward over forward over reverse. Bound 1e-9
/// relative as for the first-order pairs (rounding of a few dozen operations on O(1) values is ~1e-15).
/// </summary>
public class SecondOrderTests(ITestOutputHelper output)
{
    private void Close(double expected, double actual)
    {
        var rel = Math.Abs(actual - expected) / Math.Abs(expected);
        output.WriteLine($"relative error {rel:E2} (expected {expected:R})");
        Assert.True(rel <= 1e-9, $"expected {expected:R}, got {actual:R} (relative error {rel:E2})");
    }

    [Theory]
    [InlineData(0.3, 0.5, -0.7, 0.2, 1.1, -0.4)]
    [InlineData(-1.2, 2.0, 0.4, -0.6, -0.9, 2.3)]
    public void Beam_and_a_mixed_density(double x, double f, double f1, double f2, double f3, double f4)
    {
        Close(f4, BeamDerivative(x, f, f1, f2, f3, f4));
        // (x f)'' = 2f' + x f''
        var expected = x * f2 - 2 * x * f1 - x * x * f2 + Math.Exp(f2) * (f3 * f3 + f4) + 2 * f1 + x * f2;
        Close(expected, MixedDerivative(x, f, f1, f2, f3, f4));
    }

    [Theory]
    [InlineData(0.3, 1.5, 2.0)]
    [InlineData(-0.8, 0.7, -3.0)]
    public void Beam_on_a_sine_reads_the_fourth_derivative_off_one_jet(double x, double a, double k) =>
        Close(a * Math.Pow(k, 4) * Math.Sin(k * x), BeamOnWave(x, new[] { a, k }));
}
