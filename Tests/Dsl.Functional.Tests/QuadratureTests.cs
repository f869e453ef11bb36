using System;
using Xunit;
using Xunit.Abstractions;
using static Dsl.Functional.Tests.Densities;

namespace Dsl.Functional.Tests;

/// <summary>
/// F[ρ] by quadrature for the normalized Gaussian ρ = (α/π)^{3/2} e^{−αr²}, whose functionals have
/// closed forms: N = 1, T_TF = C_F (3/5)^{3/2} α/π, E_x = −C_x (3/4)^{3/2} (α/π)^{1/2}, T_W = 3α/4.
/// The integrands are analytic in the mapped variables, so Gauss–Legendre converges geometrically;
/// the grids below are sized so that doubling them changes F by less than 1e-10 (checked in
/// <see cref="Atomic_grid_has_converged"/>; measured 7e-12), well inside the 1e-9.
/// </summary>
public class QuadratureTests(ITestOutputHelper output)
{
    private const double Alpha = 0.8;

    private static double Rho(ReadOnlySpan<double> r) => Compositions.Gaussian(r, Alpha);

    /// <summary>
    /// The outermost radial nodes (r up to ~10⁴) see ρ underflow to 0, where ρ^{1/3}'s derivative and |∇ρ|²/ρ
    /// are 0/0; their weight times any finite value is far below 1e-300, so they are left out, as density
    /// thresholds do in DFT codes.
    /// </summary>
    private static bool Resolved(double rho) => rho > 1e-250;

    private void Close(double expected, double actual, double bound = 1e-9)
    {
        var rel = Math.Abs(actual - expected) / Math.Abs(expected);
        output.WriteLine($"relative error {rel:E2} (expected {expected:R})");
        Assert.True(rel <= bound, $"expected {expected:R}, got {actual:R} (relative error {rel:E2})");
    }

    private static QuadratureGrid Grid(int radial = 60) => QuadratureGrid.Atomic(radial, 2, 1.0);

    private static double ThomasFermiOf(QuadratureGrid g) => g.Integrate(r => ThomasFermi(r, Rho(r)));

    [Fact]
    public void Gaussian_density_functionals_on_the_atomic_grid()
    {
        var g = Grid();
        Close(1.0, g.Integrate(Rho));
        Close(CF * Math.Pow(0.6, 1.5) * Alpha / Math.PI, ThomasFermiOf(g));
        Close(-CX * Math.Pow(0.75, 1.5) * Math.Sqrt(Alpha / Math.PI), g.Integrate(r => Dirac(r, Rho(r))));
        var grad = new double[3];
        Close(0.75 * Alpha, g.Integrate(r =>
        {
            var rho = Compositions.GaussianGradient(r, Alpha, grad);
            return Resolved(rho) ? Weizsacker(r, rho, grad) : 0;
        }));
    }

    [Fact]
    public void Atomic_grid_has_converged()
    {
        var (a, b) = (ThomasFermiOf(Grid(60)), ThomasFermiOf(Grid(120)));
        Assert.True(Math.Abs(a - b) < 1e-10, $"{a:R} vs {b:R}");
    }

    /// <summary>The tensor-product box [−L, L]³ with L = 7/√α: the tails beyond it are below e^{−49}·poly, negligible.</summary>
    [Fact]
    public void Gaussian_density_on_a_box()
    {
        var l = 7 / Math.Sqrt(Alpha);
        var g = QuadratureGrid.Box(60, new[] { -l, -l, -l }, new[] { l, l, l });
        Assert.Equal(216000, g.Count);
        Close(1.0, g.Integrate(Rho));
        Close(CF * Math.Pow(0.6, 1.5) * Alpha / Math.PI, ThomasFermiOf(g));
    }

    [Fact]
    public void Two_dimensional_box_integrates_a_polynomial_exactly()
    {
        // n = 3 is exact up to degree 5 per axis: ∫∫ x⁴ y² over [0,1]×[−1,2] = (1/5)(3) = 0.6; rounding only
        var g = QuadratureGrid.Box(3, new[] { 0.0, -1.0 }, new[] { 1.0, 2.0 });
        Close(0.6, g.Integrate(p => Math.Pow(p[0], 4) * p[1] * p[1]), 1e-14);
    }

    [Fact]
    public void Power_map_clusters_nodes_at_the_left_end()
    {
        // ∫_0^1 x^{-1/2} dx = 2: with x = t², the integrand becomes 2 (a constant), exact with one node
        var g = QuadratureGrid.GaussLegendre(1, 0, 1, power: 2);
        Close(2.0, g.Integrate(p => 1 / Math.Sqrt(p[0])), 1e-14);
    }

    /// <summary>
    /// dE_x/dα = ∫ δE_x/δρ · ∂ρ/∂α on the grid (δE_x/δρ ∘ ρ generated in one call, ∂ρ/∂α a generated gradient)
    /// against the derivative of the closed form, −C_x (3/4)^{3/2} / (2√(πα)).
    /// </summary>
    [Fact]
    public void Functional_gradient_through_the_parameters()
    {
        var g = Grid();
        var gradient = new double[1];
        Functionals.Gradient(g, new[] { Alpha }, (r, t) => Resolved(Rho(r)) ? Compositions.DiracOnGaussian(r, t[0]) : 0,
            (r, t, d) => { Compositions.GaussianAlphaGradient(r, t[0], out var da); d[0] = da; }, gradient);
        Close(-CX * Math.Pow(0.75, 1.5) / (2 * Math.Sqrt(Math.PI * Alpha)), gradient[0]);
    }
}
