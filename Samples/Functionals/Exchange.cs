using System;
using Dsl;

namespace FunctionalsSample;

/// <summary>
/// Exchange potentials v_x = δE_x/δρ of an atom-like density, generated from the energy densities:
/// LDA (Dirac) and PBE exchange, a GGA of σ = |∇ρ|². The density is hydrogen's 1s, ρ = (ζ³/π) e^{−2ζr}.
/// </summary>
public static partial class Exchange
{
    /// <summary>C_x = (3/4)(3/π)^{1/3}.</summary>
    public const double Cx = 0.75 * 0.98474502184269641;

    /// <summary>PBE: κ, μ, and a = 1/(4(3π²)^{2/3}) in s² = aσ/ρ^{8/3}.</summary>
    public const double Kappa = 0.804;

    public const double Mu = 0.2195149727645171;

    public const double A = 1.0 / (4 * 9.5707800006273050);

    /// <summary>The 1s density (ζ³/π) e^{−2ζ|r|}.</summary>
    [Differentiable]
    public static double Slater(ReadOnlySpan<double> r, double zeta)
    {
        double r2 = 0;
        for (int i = 0; i < r.Length; i++) r2 += r[i] * r[i];
        return zeta * zeta * zeta / Math.PI * Math.Exp(-2 * zeta * Math.Sqrt(r2));
    }

    /// <summary>LDA exchange energy density −C_x ρ^{4/3}.</summary>
    [Differentiable]
    public static double Lda(ReadOnlySpan<double> r, double rho) => -Cx * rho * Math.Cbrt(rho);

    /// <summary>PBE exchange energy density −C_x ρ^{4/3} F(s²), F(u) = 1 + κ − κ²/(κ + μu).</summary>
    [Differentiable]
    public static double Pbe(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad)
    {
        double sigma = 0;
        for (int i = 0; i < grad.Length; i++) sigma += grad[i] * grad[i];
        double u = A * sigma / Math.Pow(rho, 8.0 / 3.0);
        return -Cx * rho * Math.Cbrt(rho) * (1 + Kappa - Kappa * Kappa / (Kappa + Mu * u));
    }

    /// <summary>v_x^LDA on the 1s density: one call, the density's value from the primal.</summary>
    [FunctionalDerivative(nameof(Lda), Of = nameof(Slater))]
    public static partial double LdaPotential(ReadOnlySpan<double> r, double zeta);

    /// <summary>v_x^PBE on the 1s density: ρ, ∇ρ and ∇²ρ from Taylor jets of <see cref="Slater"/>, then the Euler–Lagrange expression.</summary>
    [FunctionalDerivative(nameof(Pbe), Of = nameof(Slater))]
    public static partial double PbePotential(ReadOnlySpan<double> r, double zeta);

    /// <summary>−(3/π)^{1/3} ρ^{1/3}.</summary>
    public static double LdaClosedForm(double rho) => -Math.Cbrt(3 / Math.PI * rho);

    /// <summary>
    /// v = e_ρ − 2[e_σ Δρ + e_ρσ σ + 2 e_σσ ∇ρᵀH∇ρ] for a spherical ρ(r): σ = ρ′², Δρ = ρ″ + 2ρ′/r, ∇ρᵀH∇ρ = ρ′²ρ″,
    /// with PBE's partial derivatives written out by hand.
    /// </summary>
    public static double PbeClosedForm(double rho, double d1, double d2, double r)
    {
        var sigma = d1 * d1;
        var u = A * sigma / Math.Pow(rho, 8.0 / 3.0);
        var q = Kappa + Mu * u;
        var f = 1 + Kappa - Kappa * Kappa / q;
        var f1 = Kappa * Kappa * Mu / (q * q);
        var f2 = -2 * Kappa * Kappa * Mu * Mu / (q * q * q);
        var c3 = Math.Cbrt(rho);
        var eRho = -Cx * (4.0 / 3.0 * c3 * f - 8.0 / 3.0 * c3 * u * f1);
        var eSigma = -Cx * A * f1 / (rho * c3);
        var eSigmaSigma = -Cx * A * A * f2 / Math.Pow(rho, 4);
        var eRhoSigma = Cx * A * Math.Pow(rho, -7.0 / 3.0) * (4.0 / 3.0 * f1 + 8.0 / 3.0 * u * f2);
        var laplacian = d2 + 2 * d1 / r;
        return eRho - 2 * (eSigma * laplacian + eRhoSigma * sigma + 2 * eSigmaSigma * sigma * d2);
    }
}
