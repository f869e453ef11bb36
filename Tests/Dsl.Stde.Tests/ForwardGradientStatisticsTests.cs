using System;
using Dsl;
using Xunit;
using Xunit.Abstractions;
using M = Dsl.Stde.Tests.ForwardGradientModels;

namespace Dsl.Stde.Tests;

/// <summary>
/// The generated forward gradient is unbiased and has the relative variance of REFERENCES.md,
/// E‖g − ∇f‖²/‖∇f‖² = p + 1 (Gaussian), p − 1 (Rademacher), (p + 1)/K and (p − 1)/K for K of
/// them, p/K − 1 for K orthonormal tangents scaled by √p (p = 11 here), measured against the
/// generated reverse-mode gradient.
/// <para>
/// Bounds. Unbiasedness: each coordinate of the mean of N estimates lies within 4σ_i/√N of ∇f_i,
/// σ_i² the per-estimate variance from the closed form (Gaussian: (‖∇f‖² + ∇f_i²)/K by Isserlis'
/// theorem; Rademacher: (‖∇f‖² − ∇f_i²)/K, as v_i² = 1). Relative variance: the mean of
/// N samples of X = ‖g − ∇f‖²/‖∇f‖² lies within 4 standard errors of the formula, the standard
/// error s_X/√N estimated from the same samples (X has finite fourth moments for these
/// tangents, so the central limit theorem applies). A 4σ band fails a correct estimator with
/// probability about 6e-5 per check; every test is seeded, so it is deterministic.
/// </para>
/// </summary>
public class ForwardGradientStatisticsTests
{
    private const int N = 20000;
    private const double Z = 4;

    private readonly ITestOutputHelper _output;
    private readonly double[] _theta;
    private readonly double[] _grad;
    private readonly double _norm2;

    public ForwardGradientStatisticsTests(ITestOutputHelper output)
    {
        _output = output;
        _theta = ForwardGradientTests.Theta();
        _grad = ForwardGradientTests.TrueGradient(_theta);
        _norm2 = ForwardGradientTests.Dot(_grad, _grad);
    }

    private enum Kind { Gaussian, Rademacher, Orthonormal }

    /// <summary>N estimates with K tangents each: their mean, and the samples of X.</summary>
    private (double[] Mean, double[] X) Sample(Kind kind, int k, long seed)
    {
        var rng = new Probes(seed);
        var tangents = new double[k * M.P];
        var est = new double[M.P];
        var mean = new double[M.P];
        var x = new double[N];
        for (int n = 0; n < N; n++)
        {
            switch (kind)
            {
                case Kind.Gaussian: Tangents.FillGaussian(rng, tangents); break;
                case Kind.Rademacher: Tangents.FillRademacher(rng, tangents); break;
                default: Tangents.FillOrthonormal(rng, tangents, M.P); break;
            }
            // Lanes = 16 covers every K used here in one pass (K = p = 11 runs one lane at a time).
            M.LossForwardGradient16(ForwardGradientTests.X, _theta, ForwardGradientTests.Target, tangents, est);
            double e2 = 0;
            for (int i = 0; i < M.P; i++)
            {
                mean[i] += est[i] / N;
                double d = est[i] - _grad[i];
                e2 += d * d;
            }
            x[n] = e2 / _norm2;
        }
        return (mean, x);
    }

    private void CheckRelativeVariance(string name, double[] x, double expected)
    {
        double m = 0;
        foreach (var v in x) m += v;
        m /= x.Length;
        double s2 = 0;
        foreach (var v in x) s2 += (v - m) * (v - m);
        s2 /= x.Length - 1;
        double se = Math.Sqrt(s2 / x.Length);
        _output.WriteLine($"{name}: relative variance {m:F4} (formula {expected:F4}, standard error {se:F4}, z = {(m - expected) / se:F2})");
        Assert.InRange(m, expected - Z * se, expected + Z * se);
    }

    private void CheckUnbiased(string name, double[] mean, Func<int, double> sigma2)
    {
        double worst = 0;
        for (int i = 0; i < M.P; i++)
        {
            double z = (mean[i] - _grad[i]) / Math.Sqrt(sigma2(i) / N);
            worst = Math.Max(worst, Math.Abs(z));
            Assert.InRange(z, -Z, Z);
        }
        _output.WriteLine($"{name}: mean of {N} estimates within {worst:F2} standard errors of the reverse-mode gradient");
    }

    [Fact]
    public void GaussianIsUnbiasedWithRelativeVariancePPlus1()
    {
        var (mean, x) = Sample(Kind.Gaussian, 1, 1);
        CheckUnbiased("Gaussian, K = 1", mean, i => _norm2 + _grad[i] * _grad[i]);
        CheckRelativeVariance("Gaussian, K = 1", x, M.P + 1);
    }

    [Fact]
    public void RademacherIsUnbiasedWithRelativeVariancePMinus1()
    {
        var (mean, x) = Sample(Kind.Rademacher, 1, 2);
        CheckUnbiased("Rademacher, K = 1", mean, i => _norm2 - _grad[i] * _grad[i]);
        CheckRelativeVariance("Rademacher, K = 1", x, M.P - 1);
    }

    [Fact]
    public void FourGaussianTangentsDivideTheRelativeVarianceByFour()
    {
        const int k = 4;
        var (mean, x) = Sample(Kind.Gaussian, k, 3);
        CheckUnbiased("Gaussian, K = 4", mean, i => (_norm2 + _grad[i] * _grad[i]) / k);
        CheckRelativeVariance("Gaussian, K = 4", x, (M.P + 1.0) / k);
    }

    [Fact]
    public void SixteenRademacherTangentsDivideTheRelativeVarianceBySixteen()
    {
        const int k = 16;
        var (mean, x) = Sample(Kind.Rademacher, k, 4);
        CheckUnbiased("Rademacher, K = 16", mean, i => (_norm2 - _grad[i] * _grad[i]) / k);
        CheckRelativeVariance("Rademacher, K = 16", x, (M.P - 1.0) / k);
    }

    [Fact]
    public void FourOrthonormalTangentsHaveRelativeVariancePOverKMinus1()
    {
        const int k = 4;
        var (mean, x) = Sample(Kind.Orthonormal, k, 5);
        // g = (p/K) P∇f for P a uniformly random rank-K projection. A coordinate's variance needs Haar fourth
        // moments; it is at most the total, Var(g_i) ≤ Σ_j Var(g_j) = (p/K − 1)‖∇f‖², which bounds it from the formula
        // (conservatively: the band is up to √p times wider than a per-coordinate one).
        double total = (M.P / (double)k - 1) * _norm2;
        CheckUnbiased("orthonormal, K = 4", mean, i => total);
        CheckRelativeVariance("orthonormal, K = 4", x, M.P / (double)k - 1);
    }

    [Fact]
    public void AllPOrthonormalTangentsGiveTheGradientExactly()
    {
        // K = p: P = I, so g = ∇f and the formula's p/K − 1 is 0. What is left is rounding: the p jets (each a
        // p-term dot product) and the p-term accumulation, with tangents of length √p, so |g_i − ∇f_i| stays
        // below a few p·ε·‖v‖²·‖∇f‖ = p²·ε·‖∇f‖; 4p²ε‖∇f‖ is the bound.
        var tangents = new double[M.P * M.P];
        Tangents.FillOrthonormal(new Probes(6), tangents, M.P);
        var est = new double[M.P];
        M.LossForwardGradient16(ForwardGradientTests.X, _theta, ForwardGradientTests.Target, tangents, est);
        double bound = 4.0 * M.P * M.P * Math.Pow(2, -53) * Math.Sqrt(_norm2);
        for (int i = 0; i < M.P; i++) Assert.InRange(est[i] - _grad[i], -bound, bound);
    }

    [Fact]
    public void OrthonormalTangentsAreOrthogonalWithSquaredLengthP()
    {
        const int k = 5;
        var t = new double[k * M.P];
        Tangents.FillOrthonormal(new Probes(8), t, M.P);
        // Two Gram–Schmidt passes leave inner products at rounding level: |v_a·v_b − p δ_ab| ≤ 4·p·ε·p.
        double bound = 4.0 * M.P * M.P * Math.Pow(2, -53);
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double dot = ForwardGradientTests.Dot(t.AsSpan(a * M.P, M.P), t.AsSpan(b * M.P, M.P));
                Assert.InRange(dot - (a == b ? M.P : 0), -bound, bound);
            }
    }
}
