using System;
using Dsl;

namespace FunctionalsSample;

/// <summary>
/// The brachistochrone F[y] = ∫_0^1 √(1 + y′²)/√(−y) dx from (0, 0) to (1, −1), minimized over curves
/// y(x; θ) = −s² + Σ_k θ_k (s^{k+2} − s²), s = x^{1/3}: every θ meets both end points, the family holds the
/// straight line (θ = (−1, 0, …)), and the powers of s follow the cycloid's start, y ∝ x^{2/3}.
/// </summary>
public static partial class Brachistochrone
{
    [Differentiable]
    public static double Density(double x, double y, double yx) => Math.Sqrt(1 + yx * yx) / Math.Sqrt(-y);

    /// <summary>F[y(·; θ)] by the quadrature rule <paramref name="line"/> on [0, 1].</summary>
    public static double Action(QuadratureGrid line, double[] theta)
    {
        double sum = 0;
        for (var k = 0; k < line.Count; k++)
        {
            var x = line.Point(k)[0];
            var y = CurveSlope(x, 1, theta, out var slope);
            sum += line.Weight(k) * Density(x, y, slope);
        }
        return sum;
    }

    [Differentiable]
    public static double Curve(double x, ReadOnlySpan<double> theta)
    {
        double s = Math.Cbrt(x);
        double s2 = s * s;
        double y = -s2;
        double p = s2 * s;
        for (int k = 0; k < theta.Length; k++)
        {
            y += theta[k] * (p - s2);
            p *= s;
        }
        return y;
    }

    /// <summary>y and y′ at x (the density needs both).</summary>
    [Jvp(nameof(Curve), Wrt = "x")]
    public static partial double CurveSlope(double x, double dx, ReadOnlySpan<double> theta, out double dy);

    /// <summary>δF/δy on y(·; θ) at x: y, y′, y″ from one 2-jet, then ∂L/∂y − d/dx ∂L/∂y′ by nested AD of the density.</summary>
    [FunctionalDerivative(nameof(Density), Of = nameof(Curve))]
    public static partial double Derivative(double x, ReadOnlySpan<double> theta);

    /// <summary>∂y/∂θ at x.</summary>
    [Gradient(nameof(Curve), Wrt = "theta")]
    public static partial double CurveGradient(double x, ReadOnlySpan<double> theta, Span<double> thetaBar);
}
