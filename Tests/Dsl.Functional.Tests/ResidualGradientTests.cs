using System;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Functional.Tests;

/// <summary>Reverse mode through a generated functional derivative (its Taylor jets and its HVPs).</summary>
public class ResidualGradientTests(ITestOutputHelper output)
{
    /// <summary>v = 3α/2 − α²r²/2 (von Weizsäcker on e^{−αr²}), so d(v²)/dα = 2v(3/2 − αr²); rounding only, bound 1e-12.</summary>
    [Theory]
    [InlineData(0.3, -0.2, 0.5, 0.9)]
    [InlineData(1.1, 0.4, -0.7, 1.6)]
    public void Gradient_through_the_weizsacker_potential(double x, double y, double z, double alpha)
    {
        var r = new[] { x, y, z };
        var r2 = x * x + y * y + z * z;
        var v = 1.5 * alpha - 0.5 * alpha * alpha * r2;
        var value = ResidualModels.SquaredGradient(r, alpha, out var da);
        var expected = 2 * v * (1.5 - alpha * r2);
        var rel = Math.Abs(da - expected) / Math.Abs(expected);
        output.WriteLine($"relative error {rel:E2}");
        Assert.True(Math.Abs(value - v * v) <= 1e-12 * v * v);
        Assert.True(rel <= 1e-12, $"expected {expected:R}, got {da:R}");
    }

    /// <summary>
    /// The brachistochrone residual (δF/δy)² against central differences in θ (h = 1e-5): truncation h²|f‴|/6 and
    /// rounding ε|f|/h are both near 1e-10 relative here, so the bound is 1e-6.
    /// </summary>
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.55)]
    [InlineData(0.9)]
    public void Gradient_of_the_euler_lagrange_residual_matches_central_differences(double x)
    {
        var theta = new[] { -0.3, 0.45, 0.1, -0.05 };
        var grad = new double[theta.Length];
        var value = ResidualModels.ResidualGradient(x, theta, grad);
        Assert.Equal(ResidualModels.Residual(x, theta), value);
        const double H = 1e-5;
        for (var k = 0; k < theta.Length; k++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[k] += H;
            minus[k] -= H;
            var fd = (ResidualModels.Residual(x, plus) - ResidualModels.Residual(x, minus)) / (2 * H);
            var rel = Math.Abs(grad[k] - fd) / Math.Max(Math.Abs(fd), 1e-8);
            output.WriteLine($"theta[{k}]: generated {grad[k]:R}, central difference {fd:R}, relative error {rel:E2}");
            Assert.True(rel <= 1e-6, $"theta[{k}]: generated {grad[k]:R}, central difference {fd:R}");
        }
    }
}
