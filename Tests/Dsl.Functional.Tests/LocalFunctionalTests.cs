using System;
using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;
using static Dsl.Functional.Tests.Densities;

namespace Dsl.Functional.Tests;

/// <summary>
/// The generated δF/δf against the closed forms of REFERENCES.md at sample points. The bound
/// 1e-9 (relative) is the issue's: both sides are a few dozen double operations on O(1) values,
/// so their rounding error is ~1e-15 relative; a wrong term (a missing ∂²L/∂p∂x, a factor 2 in
/// the GGA divergence) changes the result at O(1).
/// </summary>
public class LocalFunctionalTests(ITestOutputHelper output)
{
    private const double Bound = 1e-9;

    /// <summary>Sample points in 3D: r, ρ &gt; 0, ∇ρ, and a symmetric Hessian, from a fixed seed.</summary>
    public static IEnumerable<object[]> Points()
    {
        var rng = new Random(12);
        for (var s = 0; s < 6; s++)
        {
            var r = new double[3];
            var g = new double[3];
            var h = new double[9];
            for (var i = 0; i < 3; i++)
            {
                r[i] = 2 * rng.NextDouble() - 1;
                g[i] = 2 * rng.NextDouble() - 1;
            }
            for (var i = 0; i < 3; i++)
            {
                for (var j = i; j < 3; j++) h[i * 3 + j] = h[j * 3 + i] = 2 * rng.NextDouble() - 1;
            }
            yield return new object[] { r, 0.05 + 2 * rng.NextDouble(), g, h };
        }
    }

    private void Close(double expected, double actual)
    {
        var rel = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
        output.WriteLine($"relative error {rel:E2} (expected {expected:R})");
        Assert.True(rel <= Bound, $"expected {expected:R}, got {actual:R} (relative error {rel:E2})");
    }

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double Trace(double[] h) => h[0] + h[4] + h[8];

    /// <summary>gᵀ H g.</summary>
    private static double Quad(double[] g, double[] h)
    {
        double s = 0;
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++) s += g[i] * h[i * 3 + j] * g[j];
        }
        return s;
    }

    [Fact]
    public void Constants_match_the_reference() // REFERENCES.md: C_F = 2.871234, C_x = 0.7385588
    {
        Assert.True(Math.Abs(0.3 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3.0) - CF) < 1e-12);
        Assert.True(Math.Abs(0.75 * Math.Cbrt(3 / Math.PI) - CX) < 1e-12);
        Assert.Equal(2.871234, CF, 6);
        Assert.Equal(0.7385588, CX, 7);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void ThomasFermi_is_five_thirds_CF_rho_to_two_thirds(double[] r, double rho, double[] g, double[] h)
    {
        _ = (g, h);
        Close(5.0 / 3.0 * CF * Math.Pow(rho, 2.0 / 3.0), ThomasFermiPotential(r, rho));
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Dirac_exchange_potential(double[] r, double rho, double[] g, double[] h)
    {
        _ = (g, h);
        Close(-Math.Cbrt(3 / Math.PI) * Math.Cbrt(rho), DiracPotential(r, rho));
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Weizsacker_potential(double[] r, double rho, double[] g, double[] h)
    {
        var expected = Dot(g, g) / (8 * rho * rho) - Trace(h) / (4 * rho);
        Close(expected, WeizsackerPotential(r, rho, g, h));
    }

    /// <summary>
    /// v = e_ρ − 2∇·(e_σ∇ρ) = e_ρ − 2[e_σ Δρ + e_ρσ σ + 2 e_σσ ∇ρᵀH∇ρ], with PBE's partials written out
    /// by hand here (u = aσρ^{−8/3}, F(u) = 1 + κ − κ²/(κ + μu)).
    /// </summary>
    [Theory]
    [MemberData(nameof(Points))]
    public void Pbe_exchange_potential(double[] r, double rho, double[] g, double[] h)
    {
        var sigma = Dot(g, g);
        var u = SA * sigma / Math.Pow(rho, 8.0 / 3.0);
        var q = Kappa + Mu * u;
        var f = 1 + Kappa - Kappa * Kappa / q;
        var f1 = Kappa * Kappa * Mu / (q * q);
        var f2 = -2 * Kappa * Kappa * Mu * Mu / (q * q * q);
        var c3 = Math.Cbrt(rho);
        var eRho = -CX * (4.0 / 3.0 * c3 * f - 8.0 / 3.0 * c3 * u * f1);
        var eSigma = -CX * SA * f1 / (rho * c3);
        var eSigmaSigma = -CX * SA * SA * f2 / Math.Pow(rho, 4);
        var eRhoSigma = CX * SA * Math.Pow(rho, -7.0 / 3.0) * (4.0 / 3.0 * f1 + 8.0 / 3.0 * u * f2);
        var expected = eRho - 2 * (eSigma * Trace(h) + eRhoSigma * sigma + 2 * eSigmaSigma * Quad(g, h));
        Close(expected, PbeExchangePotential(r, rho, g, h));
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Dirichlet_energy_gives_minus_two_laplacian(double[] r, double rho, double[] g, double[] h)
    {
        Close(-2 * Trace(h), DirichletDerivative(r, rho, g, h));
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Explicit_x_dependence_enters_through_the_mixed_term(double[] r, double rho, double[] g, double[] h)
    {
        var expected = 2 * Math.Cos(r[0]) * rho - 2 * Dot(r, g) - (1 + Dot(r, r)) * Trace(h);
        Close(expected, DiffusiveDerivative(r, rho, g, h));
    }

    [Theory]
    [InlineData(0.1, 0.3, 0.5, 0.7)]
    [InlineData(-1.2, 2.0, -0.4, 3.1)]
    [InlineData(0.7, -0.9, 1.3, -0.2)]
    public void Sobolev_in_one_dimension(double x, double f, double fx, double fxx)
    {
        Close(2 * f - 2 * fxx, SobolevDerivative(x, f, fx, fxx));
        Close(Math.Sin(x) - 2 * x * fx - x * x * fxx, WeightedDerivative(x, f, fx, fxx));
    }

    /// <summary>Single precision: the same pair; the bound is float's rounding (~6e-8) times a few operations.</summary>
    [Fact]
    public void Float_density()
    {
        var v = SobolevFDerivative(0.1f, 0.3f, 0.5f, 0.7f);
        Assert.True(Math.Abs(v - (2 * 0.3f - 2 * 0.7f)) <= 1e-6f, $"got {v}");
    }

    /// <summary>
    /// Single precision, span x: von Weizsäcker directly and on e^{−αr²} (3α/2 − α²r²/2). The bound 1e-5 is float's
    /// rounding (6e-8) times the ~100 operations of the Hessian-vector products, with margin.
    /// </summary>
    [Fact]
    public void Float_span_density()
    {
        float[] g = { 0.3f, -0.5f, 0.2f };
        float[] h = { 1.0f, 0.2f, -0.1f, 0.2f, -0.7f, 0.4f, -0.1f, 0.4f, 0.5f };
        var expected = (0.38 / (8 * 0.6 * 0.6)) - 0.8 / (4 * 0.6);
        var v = FloatDensities.WeizsackerPotential(new float[3], 0.6f, g, h);
        Assert.True(Math.Abs(v - expected) <= 1e-5 * Math.Abs(expected), $"got {v}, expected {expected}");
        var onGaussian = FloatDensities.WeizsackerOnGaussian(new[] { 0.3f, -0.2f, 0.4f }, 0.9f);
        var exact = 1.5 * 0.9 - 0.5 * 0.81 * 0.29;
        Assert.True(Math.Abs(onGaussian - exact) <= 1e-5 * exact, $"got {onGaussian}, expected {exact}");
    }

    [Theory]
    [InlineData(0.5, -0.5, -1.0, 0.0)]
    [InlineData(0.3, -0.4, -1.5, 0.8)]
    [InlineData(0.9, -0.95, 0.2, -2.5)]
    [InlineData(0.05, -0.2, -3.0, 12.0)]
    public void Brachistochrone(double x, double y, double yx, double yxx)
    {
        var p2 = 1 + yx * yx;
        var expected = (p2 + 2 * y * yxx) / (2 * Math.Pow(p2, 1.5) * Math.Pow(-y, 1.5));
        Close(expected, BrachistochroneDerivative(x, y, yx, yxx));
    }

    [Fact]
    public void Brachistochrone_on_the_straight_line_is_one_at_the_midpoint() =>
        Close(1.0, BrachistochroneDerivative(0.5, -0.5, -1, 0));

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => WeizsackerPotential(new double[3], 1, new double[3], new double[8]));
        Assert.Contains("d × d Hessian", e.Message);
        Assert.Throws<ArgumentException>(() => WeizsackerPotential(new double[3], 1, new double[2], new double[9]));
    }
}
