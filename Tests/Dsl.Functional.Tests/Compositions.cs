using System;
using Dsl;

namespace Dsl.Functional.Tests;

/// <summary>δF/δf on a function f(x, θ): f, ∇f, ∇²f from Taylor jets of f, inside one generated call.</summary>
public static partial class Compositions
{
    [Differentiable]
    public static double Wave(double x, ReadOnlySpan<double> theta) => theta[0] * Math.Sin(theta[1] * x);

    [FunctionalDerivative(nameof(Densities.Sobolev), Of = nameof(Wave))]
    public static partial double SobolevOnWave(double x, ReadOnlySpan<double> theta);

    [Differentiable]
    public static double Sobolev(double x, double f, double fx) => Densities.Sobolev(x, f, fx);

    [Differentiable]
    public static double Weizsacker(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad) =>
        Densities.Weizsacker(r, rho, grad);

    [Differentiable]
    public static double Pbe(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad) => Densities.PbeExchange(r, rho, grad);

    [Differentiable]
    public static double Dirac(ReadOnlySpan<double> r, double rho) => Densities.Dirac(r, rho);

    /// <summary>A normalized Gaussian density (α/π)^{3/2} exp(−α|r|²).</summary>
    [Differentiable]
    public static double Gaussian(ReadOnlySpan<double> r, double alpha)
    {
        double r2 = 0;
        for (int i = 0; i < r.Length; i++) r2 += r[i] * r[i];
        double n = alpha / Math.PI;
        return n * Math.Sqrt(n) * Math.Exp(-alpha * r2);
    }

    [Gradient(nameof(Gaussian), Wrt = "r")]
    public static partial double GaussianGradient(ReadOnlySpan<double> r, double alpha, Span<double> rBar);

    [Gradient(nameof(Gaussian), Wrt = "alpha")]
    public static partial double GaussianAlphaGradient(ReadOnlySpan<double> r, double alpha, out double alphaBar);

    [FunctionalDerivative(nameof(Weizsacker), Of = nameof(Gaussian))]
    public static partial double WeizsackerOnGaussian(ReadOnlySpan<double> r, double alpha);

    [FunctionalDerivative(nameof(Dirac), Of = nameof(Gaussian))]
    public static partial double DiracOnGaussian(ReadOnlySpan<double> r, double alpha);

    /// <summary>exp(q(r)) with q = −(r0² + 2r1² + 3r2²)/2 + c0 r0 r1 + c1 r1 r2: a Hessian with off-diagonal terms.</summary>
    [Differentiable]
    public static double Tilted(ReadOnlySpan<double> r, ReadOnlySpan<double> c)
    {
        double q = -0.5 * (r[0] * r[0] + 2 * r[1] * r[1] + 3 * r[2] * r[2]) + c[0] * r[0] * r[1] + c[1] * r[1] * r[2];
        return Math.Exp(q);
    }

    [FunctionalDerivative(nameof(Pbe), Of = nameof(Tilted))]
    public static partial double PbeOnTilted(ReadOnlySpan<double> r, ReadOnlySpan<double> c);
}
