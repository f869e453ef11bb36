using System;
using Dsl;

namespace Dsl.Functional.Tests;

/// <summary>The densities of REFERENCES.md's test pairs, with their generated functional derivatives.</summary>
public static partial class Densities
{
    /// <summary>C_F = (3/10)(3π²)^{2/3}.</summary>
    public const double CF = 0.3 * 9.570780000627305;

    /// <summary>C_x = (3/4)(3/π)^{1/3}.</summary>
    public const double CX = 0.75 * 0.984745021842697;

    // Thomas–Fermi kinetic energy: L = C_F ρ^{5/3}; no gradient.
    [Differentiable]
    public static double ThomasFermi(ReadOnlySpan<double> r, double rho) => CF * Math.Pow(rho, 5.0 / 3.0);

    [FunctionalDerivative(nameof(ThomasFermi))]
    public static partial double ThomasFermiPotential(ReadOnlySpan<double> r, double rho);

    // Dirac exchange: L = −C_x ρ^{4/3}.
    [Differentiable]
    public static double Dirac(ReadOnlySpan<double> r, double rho) => -CX * rho * Math.Cbrt(rho);

    [FunctionalDerivative(nameof(Dirac))]
    public static partial double DiracPotential(ReadOnlySpan<double> r, double rho);

    // von Weizsäcker: L = |∇ρ|² / (8ρ).
    [Differentiable]
    public static double Weizsacker(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad)
    {
        double s = 0;
        for (int i = 0; i < grad.Length; i++) s += grad[i] * grad[i];
        return s / (8 * rho);
    }

    [FunctionalDerivative(nameof(Weizsacker))]
    public static partial double WeizsackerPotential(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad,
        ReadOnlySpan<double> hessian);

    /// <summary>PBE's κ and μ.</summary>
    public const double Kappa = 0.804;

    public const double Mu = 0.2195149727645171;

    /// <summary>a = 1 / (4 (3π²)^{2/3}), so s² = a σ / ρ^{8/3}.</summary>
    public const double SA = 1.0 / (4 * 9.570780000627305);

    /// <summary>PBE exchange e(ρ, σ) = −C_x ρ^{4/3} F(s²), F(u) = 1 + κ − κ²/(κ + μu): a GGA of σ = |∇ρ|².</summary>
    [Differentiable]
    public static double PbeExchange(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad)
    {
        double sigma = 0;
        for (int i = 0; i < grad.Length; i++) sigma += grad[i] * grad[i];
        return PbeOfSigma(rho, sigma);
    }

    [Differentiable]
    public static double PbeOfSigma(double rho, double sigma)
    {
        double u = SA * sigma / Math.Pow(rho, 8.0 / 3.0);
        double f = 1 + Kappa - Kappa * Kappa / (Kappa + Mu * u);
        return -CX * rho * Math.Cbrt(rho) * f;
    }

    [FunctionalDerivative(nameof(PbeExchange))]
    public static partial double PbeExchangePotential(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad,
        ReadOnlySpan<double> hessian);

    // 1D: L = f² + f'² → 2f − 2f''.
    [Differentiable]
    public static double Sobolev(double x, double f, double fx) => f * f + fx * fx;

    [FunctionalDerivative(nameof(Sobolev))]
    public static partial double SobolevDerivative(double x, double f, double fx, double fxx);

    // Dirichlet energy in d dimensions: L = |∇f|² → −2Δf.
    [Differentiable]
    public static double Dirichlet(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> grad)
    {
        double s = 0;
        for (int i = 0; i < grad.Length; i++) s += grad[i] * grad[i];
        return s;
    }

    [FunctionalDerivative(nameof(Dirichlet))]
    public static partial double DirichletDerivative(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> grad,
        ReadOnlySpan<double> hessian);

    // Explicit x: L = ½ x² f'² + f sin x → sin x − 2x f' − x² f'' (the ∂²L/∂p∂x term).
    [Differentiable]
    public static double Weighted(double x, double f, double fx) => 0.5 * x * x * fx * fx + f * Math.Sin(x);

    [FunctionalDerivative(nameof(Weighted))]
    public static partial double WeightedDerivative(double x, double f, double fx, double fxx);

    // Explicit x in d dimensions: L = ½ (1 + |x|²) |∇f|² + V(x) f² → 2Vf − 2 x·∇f − (1 + |x|²) Δf.
    [Differentiable]
    public static double Diffusive(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> grad)
    {
        double r2 = 0;
        double g2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            r2 += x[i] * x[i];
            g2 += grad[i] * grad[i];
        }
        return 0.5 * (1 + r2) * g2 + Math.Cos(x[0]) * f * f;
    }

    [FunctionalDerivative(nameof(Diffusive))]
    public static partial double DiffusiveDerivative(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> grad,
        ReadOnlySpan<double> hessian);

    // Brachistochrone: L = √(1 + y'²)/√(−y).
    [Differentiable]
    public static double Brachistochrone(double x, double y, double yx) => Math.Sqrt(1 + yx * yx) / Math.Sqrt(-y);

    [FunctionalDerivative(nameof(Brachistochrone))]
    public static partial double BrachistochroneDerivative(double x, double y, double yx, double yxx);

    // A float density: L = f² + f'² in single precision.
    [Differentiable]
    public static float SobolevF(float x, float f, float fx) => f * f + fx * fx;

    [FunctionalDerivative(nameof(SobolevF))]
    public static partial float SobolevFDerivative(float x, float f, float fx, float fxx);
}

/// <summary>Second-order densities L(x, f, f', f''): δF/δf = ∂L/∂f − (∂L/∂f')' + (∂L/∂f'')''.</summary>
public static partial class SecondOrderDensities
{
    // The beam: ½ f''² → f''''.
    [Differentiable]
    public static double Beam(double x, double f, double fx, double fxx) => 0.5 * fxx * fxx;

    [FunctionalDerivative(nameof(Beam))]
    public static partial double BeamDerivative(double x, double f, double fx, double fxx, double fxxx, double fxxxx);

    // e^{f''} + ½ x² f'² + x f f'' → x f'' − 2x f' − x² f'' + e^{f''}(f'''² + f'''') + (x f)''.
    [Differentiable]
    public static double Mixed(double x, double f, double fx, double fxx) =>
        Math.Exp(fxx) + 0.5 * x * x * fx * fx + x * f * fxx;

    [FunctionalDerivative(nameof(Mixed))]
    public static partial double MixedDerivative(double x, double f, double fx, double fxx, double fxxx, double fxxxx);

    [Differentiable]
    public static double Wave(double x, ReadOnlySpan<double> theta) => theta[0] * Math.Sin(theta[1] * x);

    [FunctionalDerivative(nameof(Beam), Of = nameof(Wave))]
    public static partial double BeamOnWave(double x, ReadOnlySpan<double> theta);
}

/// <summary>Single precision with a span x.</summary>
public static partial class FloatDensities
{
    [Differentiable]
    public static float Weizsacker(ReadOnlySpan<float> r, float rho, ReadOnlySpan<float> grad)
    {
        float s = 0;
        for (int i = 0; i < grad.Length; i++) s += grad[i] * grad[i];
        return s / (8 * rho);
    }

    [FunctionalDerivative(nameof(Weizsacker))]
    public static partial float WeizsackerPotential(ReadOnlySpan<float> r, float rho, ReadOnlySpan<float> grad, ReadOnlySpan<float> hessian);

    [Differentiable]
    public static float Gaussian(ReadOnlySpan<float> r, float alpha)
    {
        float r2 = 0;
        for (int i = 0; i < r.Length; i++) r2 += r[i] * r[i];
        return MathF.Exp(-alpha * r2);
    }

    [FunctionalDerivative(nameof(Weizsacker), Of = nameof(Gaussian))]
    public static partial float WeizsackerOnGaussian(ReadOnlySpan<float> r, float alpha);
}
