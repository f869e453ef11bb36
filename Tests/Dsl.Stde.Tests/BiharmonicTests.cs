using System;
using Dsl;
using Xunit;

namespace Dsl.Stde.Tests;

/// <summary>
/// u(x) = (a·x)⁴ + Σ_i exp(b_i x_i): every fourth derivative is known. ∂⁴u/∂x_i∂x_j∂x_k∂x_l = 24 a_i a_j a_k a_l plus
/// b_i⁴ exp(b_i x_i) when i = j = k = l, so Δ²u = 24 ‖a‖⁴ + Σ_i b_i⁴ exp(b_i x_i), and a 4-jet along v gives
/// y4(v) = 24 (a·v)⁴ + Σ_i b_i⁴ v_i⁴ exp(b_i x_i).
/// </summary>
public static partial class QuarticModels
{
    [Differentiable]
    public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ax = 0;
        for (int i = 0; i < x.Length; i++) ax += a[i] * x[i];
        double e = 0;
        for (int i = 0; i < x.Length; i++) e += Math.Exp(b[i] * x[i]);
        double ax2 = ax * ax;
        return ax2 * ax2 + e;
    }

    [Biharmonic(nameof(U), Wrt = "x")]
    public static partial double UBiharmonic(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b);

    // Chunks of 4 probes collapsed (one sum of the lanes' fourth-order coefficients); remainders of 1 and 2 one at a
    // time, of 3 one padded chunk.
    [Biharmonic(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double UBiharmonicDense(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b,
        ReadOnlySpan<double> probes);

    [Biharmonic(nameof(U), Wrt = "x", Estimator = Estimator.Dense, Lanes = 1)]
    public static partial double UBiharmonicDense1(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b,
        ReadOnlySpan<double> probes);
}

/// <summary>The biharmonic operator, exact and dense, against the closed forms of <see cref="QuarticModels"/>.</summary>
public class BiharmonicTests
{
    private const int D = 5;
    private readonly double[] _x = { 0.3, -0.7, 0.5, 0.1, -0.2 };
    private readonly double[] _a = { 0.8, -0.4, 0.6, 1.1, -0.9 };
    private readonly double[] _b = { 0.5, -1.2, 0.9, 0.3, 1.4 };

    private double Y4(ReadOnlySpan<double> v)
    {
        double av = 0, diag = 0;
        for (int i = 0; i < D; i++)
        {
            av += _a[i] * v[i];
            diag += Math.Pow(_b[i], 4) * Math.Pow(v[i], 4) * Math.Exp(_b[i] * _x[i]);
        }
        return 24 * Math.Pow(av, 4) + diag;
    }

    [Fact]
    public void ExactBiharmonicIsTheClosedForm()
    {
        double a2 = 0, diag = 0;
        for (int i = 0; i < D; i++)
        {
            a2 += _a[i] * _a[i];
            diag += Math.Pow(_b[i], 4) * Math.Exp(_b[i] * _x[i]);
        }
        double expected = 24 * a2 * a2 + diag;
        double got = QuarticModels.UBiharmonic(_x, _a, _b);
        Assert.True(Math.Abs(got - expected) <= 1e-11 * expected, $"Δ²u: expected {expected:R}, got {got:R}");
    }

    [Fact]
    public void DenseEstimateIsAThirdOfTheMeanFourthOrderCoefficientForEveryProbeCount()
    {
        for (int v = 1; v <= 11; v++)
        {
            var probes = new double[v * D];
            new Probes(500 + v).FillGaussian(probes);
            double mean = 0;
            for (int s = 0; s < v; s++) mean += Y4(probes.AsSpan(s * D, D));
            double expected = mean / (3.0 * v);
            double four = QuarticModels.UBiharmonicDense(_x, _a, _b, probes);
            double one = QuarticModels.UBiharmonicDense1(_x, _a, _b, probes);
            Assert.True(Math.Abs(four - expected) <= 1e-11 * Math.Abs(expected), $"{v} probes, 4 lanes: expected {expected:R}, got {four:R}");
            Assert.True(Math.Abs(one - expected) <= 1e-11 * Math.Abs(expected), $"{v} probes, 1 lane: expected {expected:R}, got {one:R}");
        }
    }
}
