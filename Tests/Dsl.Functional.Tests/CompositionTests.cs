using System;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Functional.Tests;

/// <summary>
/// δF/δf ∘ f in one call. Bounds as in <see cref="LocalFunctionalTests"/> (1e-9 relative): the
/// jets of f are exact up to rounding, the mixed partials come from y2(e_i + e_j) − f_ii − f_jj
/// with O(1) terms, so the error stays near 1e-15 relative.
/// </summary>
public class CompositionTests(ITestOutputHelper output)
{
    private void Close(double expected, double actual, double bound = 1e-9)
    {
        var rel = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
        output.WriteLine($"relative error {rel:E2} (expected {expected:R})");
        Assert.True(rel <= bound, $"expected {expected:R}, got {actual:R} (relative error {rel:E2})");
    }

    [Theory]
    [InlineData(0.3, 1.5, 2.0)]
    [InlineData(-0.8, 0.7, -3.0)]
    public void Sobolev_on_a_sine(double x, double a, double k)
    {
        // f = a sin(kx): 2f − 2f'' = 2a sin(kx)(1 + k²)
        Close(2 * a * Math.Sin(k * x) * (1 + k * k), Compositions.SobolevOnWave(x, new[] { a, k }));
    }

    [Theory]
    [InlineData(0.2, -0.4, 0.9, 1.0)]
    [InlineData(1.1, 0.3, -0.5, 0.6)]
    public void Weizsacker_on_a_gaussian(double x, double y, double z, double alpha)
    {
        // ∇ρ = −2αrρ, Δρ = (4α²r² − 6α)ρ: |∇ρ|²/(8ρ²) − Δρ/(4ρ) = 3α/2 − α²r²/2
        var r2 = x * x + y * y + z * z;
        Close(1.5 * alpha - 0.5 * alpha * alpha * r2, Compositions.WeizsackerOnGaussian(new[] { x, y, z }, alpha));
        var rho = Math.Pow(alpha / Math.PI, 1.5) * Math.Exp(-alpha * r2);
        Close(-Math.Cbrt(3 / Math.PI * rho), Compositions.DiracOnGaussian(new[] { x, y, z }, alpha));
    }

    /// <summary>The composed method against the direct one fed the hand-derived ∇f and ∇²f (mixed partials nonzero).</summary>
    [Theory]
    [InlineData(0.2, -0.4, 0.3, 0.5, -0.7)]
    [InlineData(-0.6, 0.1, 0.4, -0.3, 0.9)]
    public void Pbe_on_a_tilted_gaussian_matches_the_direct_call(double x, double y, double z, double c0, double c1)
    {
        var r = new[] { x, y, z };
        var q = -0.5 * (x * x + 2 * y * y + 3 * z * z) + c0 * x * y + c1 * y * z;
        var f = Math.Exp(q);
        var gq = new[] { -x + c0 * y, -2 * y + c0 * x + c1 * z, -3 * z + c1 * y };
        var hq = new[] { -1, c0, 0, c0, -2, c1, 0, c1, -3 };
        var g = new double[3];
        var h = new double[9];
        for (var i = 0; i < 3; i++)
        {
            g[i] = f * gq[i];
            for (var j = 0; j < 3; j++) h[i * 3 + j] = f * (gq[i] * gq[j] + hq[i * 3 + j]);
        }
        Close(Densities.PbeExchangePotential(r, f, g, h), Compositions.PbeOnTilted(r, new[] { c0, c1 }));
    }
}
