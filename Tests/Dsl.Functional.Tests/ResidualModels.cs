using System;
using Dsl;

namespace Dsl.Functional.Tests;

/// <summary>
/// The Euler–Lagrange residual as a loss: (δF/δf ∘ f)² at a point, differentiated with respect to f's parameters
/// (reverse mode over the generated functional derivative: over its Taylor jets and its forward-over-reverse HVPs).
/// </summary>
public static partial class ResidualModels
{
    [Differentiable]
    public static double Density(double x, double y, double yx) => Math.Sqrt(1 + yx * yx) / Math.Sqrt(-y);

    [Differentiable]
    public static double Curve(double x, ReadOnlySpan<double> theta)
    {
        double s = Math.Cbrt(x);
        double y = -s * s;
        double p = s * s * s;
        for (int k = 0; k < theta.Length; k++)
        {
            y += theta[k] * (p - s * s);
            p *= s;
        }
        return y;
    }

    [FunctionalDerivative(nameof(Density), Of = nameof(Curve))]
    public static partial double EulerLagrange(double x, ReadOnlySpan<double> theta);

    [Differentiable]
    public static double Residual(double x, ReadOnlySpan<double> theta)
    {
        double r = EulerLagrange(x, theta);
        return r * r;
    }

    [Gradient(nameof(Residual), Wrt = "theta")]
    public static partial double ResidualGradient(double x, ReadOnlySpan<double> theta, Span<double> thetaBar);

    [Differentiable]
    public static double Gaussian(ReadOnlySpan<double> r, double alpha)
    {
        double r2 = 0;
        for (int i = 0; i < r.Length; i++) r2 += r[i] * r[i];
        return Math.Exp(-alpha * r2);
    }

    [Differentiable]
    public static double Weizsacker(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad)
    {
        double s = 0;
        for (int i = 0; i < grad.Length; i++) s += grad[i] * grad[i];
        return s / (8 * rho);
    }

    [FunctionalDerivative(nameof(Weizsacker), Of = nameof(Gaussian))]
    public static partial double WeizsackerOnGaussian(ReadOnlySpan<double> r, double alpha);

    [Differentiable]
    public static double Squared(ReadOnlySpan<double> r, double alpha)
    {
        double v = WeizsackerOnGaussian(r, alpha);
        return v * v;
    }

    [Gradient(nameof(Squared), Wrt = "alpha")]
    public static partial double SquaredGradient(ReadOnlySpan<double> r, double alpha, out double alphaBar);
}
