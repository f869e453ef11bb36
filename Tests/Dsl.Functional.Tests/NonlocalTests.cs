using System;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Functional.Tests;

/// <summary>F[f] = ∬ f(x) K(x, y) f(y) dx dy and δF/δf(x) = ∫ (K(x, y) + K(y, x)) f(y) dy against analytic kernels.</summary>
public class NonlocalTests(ITestOutputHelper output)
{
    private void Close(double expected, double actual, double bound)
    {
        var rel = Math.Abs(actual - expected) / Math.Abs(expected);
        output.WriteLine($"relative error {rel:E2} (expected {expected:R})");
        Assert.True(rel <= bound, $"expected {expected:R}, got {actual:R} (relative error {rel:E2})");
    }

    /// <summary>
    /// K = x y² (not symmetric), f = 1 + y on [0, 1]: F = (5/6)(7/12), δF/δf = 7x/12 + 5x²/6. The integrands are
    /// polynomials of degree ≤ 4, exact for 3 Gauss–Legendre nodes, so only rounding remains (bound 1e-13).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.37)]
    [InlineData(1.5)]
    public void Separable_kernel_is_exact(double x)
    {
        var g = QuadratureGrid.GaussLegendre(3, 0, 1);
        Kernel2 k = (a, b) => a[0] * b[0] * b[0];
        PointFunction f = y => 1 + y[0];
        Close(5.0 / 6 * 7.0 / 12, Functionals.Nonlocal(g, k, f), 1e-13);
        if (x != 0) Close(7 * x / 12 + 5 * x * x / 6, Functionals.NonlocalDerivative(g, k, f, new[] { x }), 1e-13);
    }

    /// <summary>
    /// K = e^{−(x−y)²}, f = e^{−y²} on ℝ (truncated to [−9, 9], tails &lt; e^{−81}): ∫ K f dy = √(π/2) e^{−x²/2}, so
    /// δF/δf = 2√(π/2) e^{−x²/2} and F = √(π/2) ∫ e^{−3x²/2} = π/√3. 80 nodes resolve the Gaussians (bound 1e-9).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.8)]
    [InlineData(-2.1)]
    public void Gaussian_kernel(double x)
    {
        var g = QuadratureGrid.GaussLegendre(80, -9, 9);
        Kernel2 k = (a, b) => Math.Exp(-(a[0] - b[0]) * (a[0] - b[0]));
        PointFunction f = y => Math.Exp(-y[0] * y[0]);
        Close(Math.PI / Math.Sqrt(3), Functionals.Nonlocal(g, k, f), 1e-9);
        Close(2 * Math.Sqrt(Math.PI / 2) * Math.Exp(-x * x / 2), Functionals.NonlocalDerivative(g, k, f, new[] { x }), 1e-9);
    }
}
