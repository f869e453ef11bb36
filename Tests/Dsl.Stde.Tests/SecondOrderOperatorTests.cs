using System;
using System.Collections.Generic;
using Dsl;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Stde.Tests;

public static partial class QuadModels
{
    // Vector mode: three jets through one pass against the one-jet function, lane by lane.
    [Taylor(nameof(F), Order = 4, Wrt = "x")]
    public static partial void FJet(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> xJet, Span<double> y);

    [Taylor(nameof(F), Order = 4, Wrt = "x", Jets = 3)]
    public static partial void FJets(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> xJet, Span<double> y);

    // Lane counts that leave remainders (8 coordinates: 3 + 3 + 2) and no lanes at all.
    [Laplacian(nameof(F), Wrt = "x", Lanes = 3)]
    public static partial double FLap3(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w);

    [Laplacian(nameof(F), Wrt = "x", Estimator = Estimator.Sparse, Lanes = 3)]
    public static partial double FLapSparse3(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);

    // Chunks of 8 with a function of 4 lanes for what is left over.
    [Laplacian(nameof(F), Wrt = "x", Estimator = Estimator.Dense, Lanes = 8)]
    public static partial double FLapDense8(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);

    [Laplacian(nameof(F), Wrt = "x", Estimator = Estimator.Sparse, Lanes = 8)]
    public static partial double FLapSparse8(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);

    [Laplacian(nameof(F), Wrt = "x", Estimator = Estimator.Dense, Lanes = 1)]
    public static partial double FLapDense1(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);

    [Diffusion(nameof(F), Wrt = "x")]
    public static partial double FDiffusion(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> sigma);

    [Diffusion(nameof(F), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double FDiffusionDense(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> sigma, ReadOnlySpan<double> probes);

    [Diffusion(nameof(F), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial double FDiffusionSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> sigma, ReadOnlySpan<double> probes);

    [SecondOrder(nameof(F), Wrt = "x")]
    public static partial double FSecond(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c);

    [SecondOrder(nameof(F), Wrt = "x", Lanes = 1)]
    public static partial double FSecond1(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c);

    [SecondOrder(nameof(F), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double FSecondDense(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c, ReadOnlySpan<double> probes);

    [SecondOrder(nameof(F), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial double FSecondSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c, ReadOnlySpan<double> probes);

    /// <summary>A loss on the second-order operator, trained like a PINN residual: (tr(C∇²F) − target)².</summary>
    [Differentiable]
    public static double SecondOrderLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c, double target)
    {
        double r = FSecond(x, a, b, w, c) - target;
        return r * r;
    }

    [Gradient(nameof(SecondOrderLoss), Wrt = "b, w")]
    public static partial double SecondOrderLossGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> c, double target, Span<double> bBar, Span<double> wBar);

    [Differentiable]
    public static double DiffusionLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> sigma, ReadOnlySpan<double> probes)
    {
        double r = FDiffusionDense(x, a, b, w, sigma, probes);
        return r * r;
    }

    [Gradient(nameof(DiffusionLoss), Wrt = "w")]
    public static partial double DiffusionLossGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, ReadOnlySpan<double> sigma, ReadOnlySpan<double> probes, Span<double> wBar);
}

/// <summary>
/// Vector mode, lane remainders, the diffusion term ½tr(σσᵀ∇²u) and the general second-order
/// operator tr(C∇²u), against the exact Hessian of <see cref="QuadModels.F"/>; their estimators
/// against the variances of their exact distributions; their gradients against finite differences.
/// </summary>
public class SecondOrderOperatorTests
{
    private const int D = 8, M = 5, N = 4000;

    private readonly ITestOutputHelper _output;
    private readonly double[] _x, _a, _b, _w, _h, _sigma, _c;

    public SecondOrderOperatorTests(ITestOutputHelper output)
    {
        _output = output;
        (_x, _a, _b, _w, _h) = QuadProblem.Make(77, D);
        var rng = new Probes(78);
        _sigma = new double[D * M];
        rng.FillGaussian(_sigma);
        // C: not symmetric, not definite.
        _c = new double[D * D];
        rng.FillGaussian(_c);
    }

    /// <summary>Σ_ij C_ij H_ij.</summary>
    private double ExactSecondOrder()
    {
        double s = 0;
        for (int k = 0; k < D * D; k++) s += _c[k] * _h[k];
        return s;
    }

    /// <summary>σᵀHσ (m × m).</summary>
    private double[] SigmaHSigma()
    {
        var sigmaT = new double[M * D];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < M; j++)
                sigmaT[j * D + i] = _sigma[i * M + j];
        return SampleChecks.MatMul(SampleChecks.MatMul(sigmaT, _h, M, D, D), _sigma, M, D, M);
    }

    /// <summary>sym(HC): vᵀ H C v = vᵀ sym(HC) v.</summary>
    private double[] SymHC()
    {
        var hc = SampleChecks.MatMul(_h, _c, D, D, D);
        var s = new double[D * D];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
                s[i * D + j] = 0.5 * (hc[i * D + j] + hc[j * D + i]);
        return s;
    }

    [Fact]
    public void VectorModeJetsEqualSingleJetsLaneByLane()
    {
        const int K = 4, P = 3;
        var jets = new double[P * K * D];
        new Probes(5).FillGaussian(jets);
        var y = new double[1 + P * K];
        QuadModels.FJets(_x, _a, _b, _w, jets, y);
        Assert.Equal(QuadModels.F(_x, _a, _b, _w), y[0], 12);
        var one = new double[K + 1];
        for (int p = 0; p < P; p++)
        {
            QuadModels.FJet(_x, _a, _b, _w, jets.AsSpan(p * K * D, K * D), one);
            for (int k = 1; k <= K; k++)
            {
                double scale = Math.Max(1, Math.Abs(one[k]));
                Assert.True(Math.Abs(y[1 + p * K + k - 1] - one[k]) <= 1e-12 * scale, $"jet {p}, y{k}: vector mode {y[1 + p * K + k - 1]:R}, one jet {one[k]:R}");
            }
        }
    }

    [Fact]
    public void VectorModeChecksTheLengthsOfItsSpans()
    {
        var y = new double[1 + 3 * 4];
        var ex = Assert.Throws<ArgumentException>(() => QuadModels.FJets(_x, _a, _b, _w, new double[4 * D], y));
        Assert.Equal("xJet", ex.ParamName);
        Assert.Contains("3 x 4 x 8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => QuadModels.FJets(_x, _a, _b, _w, new double[3 * 4 * D], new double[5]));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("13", ex.Message);
    }

    [Fact]
    public void LaneRemaindersGiveTheSameOperators()
    {
        double trace = 0;
        for (int i = 0; i < D; i++) trace += _h[i * D + i];
        Assert.Equal(trace, QuadModels.FLap3(_x, _a, _b, _w), 11);
        // All d coordinates in a shuffled order: the sparse estimate is exact. 8 = 3 + 3 + 2.
        var probes = new double[D * D];
        new Probes(8).FillSparseCoordinates(probes, D, D);
        Assert.Equal(trace, QuadModels.FLapSparse3(_x, _a, _b, _w, probes), 11);
        // 1..7 probes through 4 lanes (the default) and through 1: the same estimate.
        for (int v = 1; v <= 7; v++)
        {
            var dense = new double[v * D];
            new Probes(100 + v).FillRademacher(dense);
            double four = QuadModels.FLapDense(_x, _a, _b, _w, dense), one = QuadModels.FLapDense1(_x, _a, _b, _w, dense);
            Assert.True(Math.Abs(four - one) <= 1e-12 * Math.Max(1, Math.Abs(one)), $"{v} probes: 4 lanes {four:R}, 1 lane {one:R}");
        }
    }

    /// <summary>
    /// Chunks of 8, one chunk of 4 when at least 4 are left, then a padded run of 4 (3 left) or one at a time: every probe
    /// count from 1 to 19 gives the one-lane estimate (dense) and the exact diagonal sum (sparse unit probes).
    /// </summary>
    [Fact]
    public void EightLanesWithAHalfChunkGiveTheSameEstimates()
    {
        for (int v = 1; v <= 19; v++)
        {
            var dense = new double[v * D];
            new Probes(300 + v).FillRademacher(dense);
            double eight = QuadModels.FLapDense8(_x, _a, _b, _w, dense), one = QuadModels.FLapDense1(_x, _a, _b, _w, dense);
            Assert.True(Math.Abs(eight - one) <= 1e-12 * Math.Max(1, Math.Abs(one)), $"{v} probes: 8 lanes {eight:R}, 1 lane {one:R}");
            var units = new double[v * D];
            double diag = 0;
            for (int s = 0; s < v; s++)
            {
                int c = (3 * s + 1) % D;
                units[s * D + c] = 1;
                diag += _h[c * D + c];
            }
            Assert.Equal((double)D / v * diag, QuadModels.FLapSparse8(_x, _a, _b, _w, units), 10);
            Assert.True(Math.Abs(QuadModels.FLapSparse8(_x, _a, _b, _w, dense) - D * one) <= 1e-11 * Math.Abs(D * one),
                $"{v} Rademacher probes through the sparse estimator");
        }
    }

    /// <summary>
    /// Probes left over after the whole chunks of 4: one or two run one at a time, three share one padded run (its fourth
    /// lane along zero, or, by index, along the index −1). Sparse probes ±e_j by index, and a remainder with a dense probe,
    /// against the exact Hessian.
    /// </summary>
    [Fact]
    public void SparseProbesLeftOverAfterWholeChunksGiveTheExactSum()
    {
        int[] coords = { 3, 6, 1, 0, 5, 2, 7 };
        for (int v = 1; v <= 7; v++)
        {
            var units = new double[v * D];
            double diag = 0;
            for (int s = 0; s < v; s++)
            {
                units[s * D + coords[s]] = s % 3 == 1 ? -1 : 1;
                diag += _h[coords[s] * D + coords[s]];
            }
            Assert.Equal((double)D / v * diag, QuadModels.FLapSparse(_x, _a, _b, _w, units), 10);
        }
        // 4 unit probes, then e_2, a Rademacher probe and e_7: the padded run of the last three goes densely.
        var mixed = new double[7 * D];
        for (int s = 0; s < 7; s++) mixed[s * D + coords[s]] = 1;
        mixed[5 * D + 2] = 0;
        for (int k = 0; k < D; k++) mixed[5 * D + k] = k % 3 == 0 ? -1 : 1;
        double quad = 0;
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
                quad += _h[i * D + j] * mixed[5 * D + i] * mixed[5 * D + j];
        double expected = 0;
        foreach (var c in new[] { 3, 6, 1, 0, 5, 7 }) expected += _h[c * D + c];
        expected = (double)D / 7 * (expected + quad);
        Assert.Equal(expected, QuadModels.FLapSparse(_x, _a, _b, _w, mixed), 10);
    }

    [Fact]
    public void DiffusionTermIsHalfTheTraceOfSigmaSigmaTransposeH()
    {
        var m = SigmaHSigma();
        double exact = 0;
        for (int j = 0; j < M; j++) exact += 0.5 * m[j * M + j];
        Assert.Equal(exact, QuadModels.FDiffusion(_x, _a, _b, _w, _sigma), 10);
        // σ = I (d × d): the diffusion term is half the Laplacian.
        var identity = new double[D * D];
        for (int i = 0; i < D; i++) identity[i * D + i] = 1;
        Assert.Equal(0.5 * QuadModels.FLap(_x, _a, _b, _w), QuadModels.FDiffusion(_x, _a, _b, _w, identity), 11);
    }

    [Fact]
    public void DiffusionDenseIsUnbiasedWithTheRademacherVariance()
    {
        // X = ½ pᵀ(σᵀHσ)p over p ∈ {±1}^m: variance ¼ · 2 Σ_{i≠j} M_ij².
        var m = SigmaHSigma();
        var outcomes = SampleChecks.SignQuadraticForms(m, M).ConvertAll(q => 0.5 * q);
        var (mean, variance, mu4) = SampleChecks.Moments(outcomes);
        double sigma2 = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++)
                if (i != j) sigma2 += 0.25 * 2 * m[i * M + j] * m[i * M + j];
        Assert.Equal(sigma2, variance, 9);
        var rng = new Probes(11);
        var probe = new double[M];
        var samples = new double[N];
        for (int t = 0; t < N; t++)
        {
            rng.FillRademacher(probe);
            samples[t] = QuadModels.FDiffusionDense(_x, _a, _b, _w, _sigma, probe);
        }
        SampleChecks.Check(_output, "diffusion, dense Rademacher", QuadModels.FDiffusion(_x, _a, _b, _w, _sigma), samples, sigma2, mu4);
        Assert.Equal(mean, QuadModels.FDiffusion(_x, _a, _b, _w, _sigma), 10);
    }

    [Fact]
    public void DiffusionSparseIsUnbiasedWithTheCoordinateVariance()
    {
        // X = ½ m M_jj for a column j drawn uniformly: variance ¼ (m Σ M_jj² − (tr M)²).
        var m = SigmaHSigma();
        var outcomes = new List<double>();
        double sumDiag2 = 0, trace = 0;
        for (int j = 0; j < M; j++)
        {
            outcomes.Add(0.5 * M * m[j * M + j]);
            sumDiag2 += m[j * M + j] * m[j * M + j];
            trace += m[j * M + j];
        }
        var (_, variance, mu4) = SampleChecks.Moments(outcomes);
        double sigma2 = 0.25 * (M * sumDiag2 - trace * trace);
        Assert.Equal(sigma2, variance, 9);
        var rng = new Probes(12);
        var probe = new double[M];
        var samples = new double[N];
        for (int t = 0; t < N; t++)
        {
            rng.FillSparseCoordinates(probe, M, 1);
            samples[t] = QuadModels.FDiffusionSparse(_x, _a, _b, _w, _sigma, probe);
        }
        SampleChecks.Check(_output, "diffusion, sparse columns", 0.5 * trace, samples, sigma2, mu4);
    }

    [Fact]
    public void SecondOrderOperatorIsTheFrobeniusProductOfCAndTheHessian()
    {
        double exact = ExactSecondOrder();
        Assert.Equal(exact, QuadModels.FSecond(_x, _a, _b, _w, _c), 10);
        Assert.Equal(exact, QuadModels.FSecond1(_x, _a, _b, _w, _c), 10);
        // C = I: the Laplacian. C = e_0 e_1ᵀ: the mixed partial H_01.
        var identity = new double[D * D];
        for (int i = 0; i < D; i++) identity[i * D + i] = 1;
        Assert.Equal(QuadModels.FLap(_x, _a, _b, _w), QuadModels.FSecond(_x, _a, _b, _w, identity), 11);
        var e01 = new double[D * D];
        e01[1] = 1;
        Assert.Equal(_h[1], QuadModels.FSecond(_x, _a, _b, _w, e01), 11);
    }

    [Fact]
    public void SecondOrderDenseRademacherIsUnbiasedWithVariance2SumOffDiagonalSquared()
    {
        var s = SymHC();
        var outcomes = SampleChecks.SignQuadraticForms(s, D);
        var (mean, variance, mu4) = SampleChecks.Moments(outcomes);
        double sigma2 = 0;
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
                if (i != j) sigma2 += 2 * s[i * D + j] * s[i * D + j];
        Assert.Equal(sigma2, variance, 8);
        Assert.Equal(ExactSecondOrder(), mean, 10);
        var rng = new Probes(13);
        var probe = new double[D];
        var samples = new double[N];
        for (int t = 0; t < N; t++)
        {
            rng.FillRademacher(probe);
            samples[t] = QuadModels.FSecondDense(_x, _a, _b, _w, _c, probe);
        }
        SampleChecks.Check(_output, "tr(CH), dense Rademacher", ExactSecondOrder(), samples, sigma2, mu4);
    }

    [Fact]
    public void SecondOrderDenseGaussianIsUnbiasedWithVariance2FrobeniusSquared()
    {
        // vᵀSv, v ~ N(0, I): σ² = 2 tr(S²), μ₄ = 48 tr(S⁴) + 3σ⁴.
        var s = SymHC();
        var s2 = SampleChecks.MatMul(s, s, D, D, D);
        var s4 = SampleChecks.MatMul(s2, s2, D, D, D);
        double trS2 = 0, trS4 = 0;
        for (int i = 0; i < D; i++)
        {
            trS2 += s2[i * D + i];
            trS4 += s4[i * D + i];
        }
        double sigma2 = 2 * trS2, mu4 = 48 * trS4 + 3 * sigma2 * sigma2;
        var rng = new Probes(14);
        var probe = new double[D];
        var samples = new double[N];
        for (int t = 0; t < N; t++)
        {
            rng.FillGaussian(probe);
            samples[t] = QuadModels.FSecondDense(_x, _a, _b, _w, _c, probe);
        }
        SampleChecks.Check(_output, "tr(CH), dense Gaussian", ExactSecondOrder(), samples, sigma2, mu4);
    }

    [Fact]
    public void SecondOrderSparseIsUnbiasedWithTheCoordinateVariance()
    {
        var s = SymHC();
        var outcomes = new List<double>();
        for (int j = 0; j < D; j++) outcomes.Add(D * s[j * D + j]);
        var (mean, variance, mu4) = SampleChecks.Moments(outcomes);
        Assert.Equal(ExactSecondOrder(), mean, 10);
        var rng = new Probes(15);
        var probe = new double[D];
        var samples = new double[N];
        for (int t = 0; t < N; t++)
        {
            rng.FillSparseCoordinates(probe, D, 1);
            samples[t] = QuadModels.FSecondSparse(_x, _a, _b, _w, _c, probe);
        }
        SampleChecks.Check(_output, "tr(CH), sparse", ExactSecondOrder(), samples, variance, mu4);
    }

    [Fact]
    public void OperatorsCheckTheShapesOfSigmaCAndProbes()
    {
        var ex = Assert.Throws<ArgumentException>(() => QuadModels.FDiffusion(_x, _a, _b, _w, new double[D * M + 1]));
        Assert.Equal("sigma", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => QuadModels.FDiffusionDense(_x, _a, _b, _w, _sigma, new double[D]));
        Assert.Equal("probes", ex.ParamName);
        Assert.Contains("the number of columns of 'sigma'", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => QuadModels.FSecond(_x, _a, _b, _w, new double[D * D - 1]));
        Assert.Equal("c", ex.ParamName);
        Assert.Contains("8 x 8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => QuadModels.FSecondDense(_x, _a, _b, _w, _c, new double[D + 1]));
        Assert.Equal("probes", ex.ParamName);
    }

    /// <summary>Central differences, h = 1e-5: truncation and round-off ~1e-9 on these losses.</summary>
    private static void CheckGradient(Func<double[], double> loss, double[] at, double[] grad, string name)
    {
        double h = 1e-5, scale = 0;
        foreach (var g in grad) scale = Math.Max(scale, Math.Abs(g));
        Assert.True(scale > 1e-3, "degenerate test: the gradient is ~0");
        for (int i = 0; i < at.Length; i++)
        {
            var p = (double[])at.Clone();
            var m = (double[])at.Clone();
            p[i] += h;
            m[i] -= h;
            double fd = (loss(p) - loss(m)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) <= 1e-6 * scale, $"{name}[{i}]: gradient {grad[i]:R}, finite difference {fd:R}");
        }
    }

    [Fact]
    public void GradientsThroughTheNewOperatorsMatchFiniteDifferences()
    {
        var bBar = new double[D];
        var wBar = new double[D];
        double v = QuadModels.SecondOrderLossGrad(_x, _a, _b, _w, _c, 0.7, bBar, wBar);
        Assert.Equal(QuadModels.SecondOrderLoss(_x, _a, _b, _w, _c, 0.7), v, 12);
        CheckGradient(b => QuadModels.SecondOrderLoss(_x, _a, b, _w, _c, 0.7), _b, bBar, "b");
        CheckGradient(w => QuadModels.SecondOrderLoss(_x, _a, _b, w, _c, 0.7), _w, wBar, "w");

        var probes = new double[6 * M];
        new Probes(16).FillRademacher(probes);
        double u = QuadModels.DiffusionLossGrad(_x, _a, _b, _w, _sigma, probes, wBar);
        Assert.Equal(QuadModels.DiffusionLoss(_x, _a, _b, _w, _sigma, probes), u, 12);
        CheckGradient(w => QuadModels.DiffusionLoss(_x, _a, _b, w, _sigma, probes), _w, wBar, "w (diffusion)");
    }

    [Fact]
    public void SparseEstimatorGivesY2AlongProbesThatAreNotUnitVectors()
    {
        // Unit probes run by index (one column of the first layer); anything else runs densely.
        // Either way the estimate is (d/V) Σ y2(p_s), which is d times the dense estimate.
        for (int v = 1; v <= 6; v++)
        {
            var probes = new double[v * D];
            new Probes(200 + v).FillRademacher(probes);
            double sparse = QuadModels.FLapSparse(_x, _a, _b, _w, probes), dense = QuadModels.FLapDense(_x, _a, _b, _w, probes);
            Assert.True(Math.Abs(sparse - D * dense) <= 1e-12 * Math.Abs(D * dense), $"{v} Rademacher probes: sparse {sparse:R}, d × dense {D * dense:R}");
        }
        // Scaled unit vectors: y2(a e_j) = a² H_jj. A chunk of four with one dense probe, then a unit remainder.
        var mixed = new double[5 * D];
        mixed[0 * D + 3] = 2.5;
        mixed[1 * D + 6] = -0.5;
        for (int k = 0; k < D; k++) mixed[2 * D + k] = k % 2 == 0 ? 1 : -1;
        mixed[3 * D + 0] = 1;
        mixed[4 * D + 5] = 1;
        double quad = 0;
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
                quad += _h[i * D + j] * mixed[2 * D + i] * mixed[2 * D + j];
        double expected = (double)D / 5 * (6.25 * _h[3 * D + 3] + 0.25 * _h[6 * D + 6] + quad + _h[0] + _h[5 * D + 5]);
        Assert.Equal(expected, QuadModels.FLapSparse(_x, _a, _b, _w, mixed), 10);
        // The same probes as unit vectors only (all one-hot chunks) against the exact diagonal.
        var units = new double[5 * D];
        int[] coords = { 3, 6, 1, 0, 5 };
        for (int s = 0; s < 5; s++) units[s * D + coords[s]] = 1;
        double diag = 0;
        foreach (var c in coords) diag += _h[c * D + c];
        Assert.Equal((double)D / 5 * diag, QuadModels.FLapSparse(_x, _a, _b, _w, units), 10);
    }
}
