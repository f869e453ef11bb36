using System;
using Dsl;
using Xunit;

namespace Dsl.Stde.Tests;

public static partial class TwoBodyModels
{
    /// <summary>The two-body solution u = (1 − ‖x‖²) Σ_{i&lt;d−1} c_i sin(x_i + cos x_{i+1} + x_{i+1} cos x_i).</summary>
    [Differentiable]
    public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        int d = x.Length;
        double s = 0;
        for (int i = 0; i < d - 1; i++)
            s += c[i] * Math.Sin(x[i] + Math.Cos(x[i + 1]) + x[i + 1] * Math.Cos(x[i]));
        double r2 = 0;
        for (int i = 0; i < d; i++) r2 += x[i] * x[i];
        return (1 - r2) * s;
    }

    [Laplacian(nameof(U), Wrt = "x")]
    public static partial double ULap(ReadOnlySpan<double> x, ReadOnlySpan<double> c);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double ULapDense(ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> probes);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial double ULapSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> probes);

    [Differentiable]
    public static float UF(ReadOnlySpan<float> x, ReadOnlySpan<float> c)
    {
        int d = x.Length;
        float s = 0;
        for (int i = 0; i < d - 1; i++)
            s += c[i] * MathF.Sin(x[i] + MathF.Cos(x[i + 1]) + x[i + 1] * MathF.Cos(x[i]));
        float r2 = 0;
        for (int i = 0; i < d; i++) r2 += x[i] * x[i];
        return (1 - r2) * s;
    }

    [Laplacian(nameof(UF), Wrt = "x")]
    public static partial float UFLap(ReadOnlySpan<float> x, ReadOnlySpan<float> c);
}

/// <summary>
/// The exact generated Laplacian of the STDE paper's two-body solution against the Laplacian
/// derived by hand (below), for d = 3, 10, 50; the STDE operators with complete probe sets.
/// </summary>
public class LaplacianTests
{
    /// <summary>
    /// Δu by hand. u = u1·u2 with u1 = 1 − ‖x‖² (∇u1 = −2x, Δu1 = −2d) and
    /// u2 = Σ_i c_i sin ψ_i, ψ_i = x_i + cos x_{i+1} + x_{i+1} cos x_i:
    /// ∂ψ_i/∂x_i = 1 − x_{i+1} sin x_i, ∂ψ_i/∂x_{i+1} = cos x_i − sin x_{i+1},
    /// ∂²ψ_i/∂x_i² = −x_{i+1} cos x_i, ∂²ψ_i/∂x_{i+1}² = −cos x_{i+1};
    /// ∂²(sin ψ)/∂x_k² = cos ψ ∂²ψ/∂x_k² − sin ψ (∂ψ/∂x_k)².
    /// Δu = u1 Δu2 + 2 ∇u1·∇u2 + u2 Δu1.
    /// </summary>
    internal static double HandLaplacian(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        int d = x.Length;
        var grad2 = new double[d];
        double u2 = 0, lap2 = 0;
        for (int i = 0; i < d - 1; i++)
        {
            double a = x[i], b = x[i + 1];
            double psi = a + Math.Cos(b) + b * Math.Cos(a);
            double dA = 1 - b * Math.Sin(a), dB = Math.Cos(a) - Math.Sin(b);
            double dAA = -b * Math.Cos(a), dBB = -Math.Cos(b);
            u2 += c[i] * Math.Sin(psi);
            grad2[i] += c[i] * Math.Cos(psi) * dA;
            grad2[i + 1] += c[i] * Math.Cos(psi) * dB;
            lap2 += c[i] * (Math.Cos(psi) * dAA - Math.Sin(psi) * dA * dA);
            lap2 += c[i] * (Math.Cos(psi) * dBB - Math.Sin(psi) * dB * dB);
        }
        double r2 = 0, gradDot = 0;
        for (int k = 0; k < d; k++)
        {
            r2 += x[k] * x[k];
            gradDot += -2 * x[k] * grad2[k];
        }
        return (1 - r2) * lap2 + 2 * gradDot + (-2.0 * d) * u2;
    }

    private static (double[] x, double[] c) Problem(int d, int seed)
    {
        var rng = new Probes(seed);
        var c = new double[d - 1];
        rng.FillGaussian(c);
        var x = new double[d];
        rng.FillUniformBall(x, d);
        return (x, c);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void ExactLaplacianMatchesHandDerived(int d)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var (x, c) = Problem(d, seed);
            double expected = HandLaplacian(x, c);
            double got = TwoBodyModels.ULap(x, c);
            // Both are sums of O(d) terms of size O(1): a few ulps each.
            Assert.True(Math.Abs(got - expected) <= 1e-12 * d * Math.Max(1, Math.Abs(expected)),
                $"d = {d}, seed {seed}: generated {got:R}, by hand {expected:R}");
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void HandLaplacianMatchesFiniteDifferences(int d)
    {
        // Guards the hand derivation itself: second central differences, h = 1e-4
        // (truncation O(h²) ~ 1e-8, round-off O(ε/h²) ~ 1e-8 per coordinate).
        var (x, c) = Problem(d, 7);
        double h = 1e-4, fd = 0, u0 = TwoBodyModels.U(x, c);
        for (int k = 0; k < d; k++)
        {
            var xp = (double[])x.Clone();
            var xm = (double[])x.Clone();
            xp[k] += h;
            xm[k] -= h;
            fd += (TwoBodyModels.U(xp, c) - 2 * u0 + TwoBodyModels.U(xm, c)) / (h * h);
        }
        Assert.True(Math.Abs(fd - HandLaplacian(x, c)) <= 1e-6 * d, $"d = {d}: FD {fd:R}, by hand {HandLaplacian(x, c):R}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void SparseWithEveryCoordinateIsExact(int d)
    {
        var (x, c) = Problem(d, 3);
        var probes = new double[d * d];
        for (int j = 0; j < d; j++) probes[j * d + j] = 1; // all of e_1..e_d: d/d Σ_j ∂_jj u
        Assert.Equal(TwoBodyModels.ULap(x, c), TwoBodyModels.ULapSparse(x, c, probes), 12);
        // Any order of the coordinates, drawn without replacement with |J| = d.
        new Probes(5).FillSparseCoordinates(probes, d, d);
        Assert.Equal(TwoBodyModels.ULap(x, c), TwoBodyModels.ULapSparse(x, c, probes), 12);
    }

    [Fact]
    public void DenseOverEverySignVectorIsExact()
    {
        // The mean of vᵀHv over all 2^d Rademacher vectors is tr H exactly (off-diagonal terms cancel).
        foreach (int d in new[] { 3, 10 })
        {
            var (x, c) = Problem(d, 11);
            int count = 1 << d;
            var probes = new double[count * d];
            for (int s = 0; s < count; s++)
                for (int k = 0; k < d; k++)
                    probes[s * d + k] = ((s >> k) & 1) != 0 ? 1 : -1;
            double expected = HandLaplacian(x, c);
            Assert.True(Math.Abs(TwoBodyModels.ULapDense(x, c, probes) - expected) <= 1e-11 * d * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void FloatExactLaplacianMatchesHandDerived(int d)
    {
        var (x, c) = Problem(d, 1);
        var xf = Array.ConvertAll(x, v => (float)v);
        var cf = Array.ConvertAll(c, v => (float)v);
        double expected = HandLaplacian(Array.ConvertAll(xf, v => (double)v), Array.ConvertAll(cf, v => (double)v));
        float got = TwoBodyModels.UFLap(xf, cf);
        // float: O(d) terms of size O(1) with a few float ulps each.
        Assert.True(Math.Abs(got - expected) <= 1e-5 * d * Math.Max(1, Math.Abs(expected)), $"d = {d}: float {got:R}, expected {expected:R}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void PinnSampleSourceTermUsesTheRightLaplacian(int d)
    {
        // The sample's own closed form (Samples/Pinn/TwoBody.cs), used for its source terms f.
        var (x, c) = Problem(d, 2);
        var xf = Array.ConvertAll(x, v => (float)v);
        var xd = Array.ConvertAll(xf, v => (double)v);
        var sample = new Pinn.TwoBody(c);
        Assert.True(Math.Abs(sample.Laplacian(xf) - TwoBodyModels.ULap(xd, c)) <= 1e-12 * d * Math.Max(1, Math.Abs(sample.Laplacian(xf))));
        Assert.True(Math.Abs(sample.Value(xf) - TwoBodyModels.U(xd, c)) <= 1e-13 * d);
    }
}
