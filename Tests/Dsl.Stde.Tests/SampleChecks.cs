using System;
using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Stde.Tests;

/// <summary>
/// Statistics shared by the estimator tests: exact moments of finite distributions and the
/// two checks every stochastic estimator must pass — the sample mean within 4σ/√N of the
/// exact value, and the sample variance s² within 4 standard deviations of the formula's σ²,
/// where Var(s²) = μ₄/N − σ⁴(N − 3)/(N(N − 1)) uses the estimator's exact fourth central moment.
/// </summary>
internal static class SampleChecks
{
    /// <summary>Mean, variance and fourth central moment of a finite, equally likely set of outcomes.</summary>
    public static (double mean, double var, double mu4) Moments(IReadOnlyList<double> outcomes)
    {
        double m = 0;
        foreach (var v in outcomes) m += v;
        m /= outcomes.Count;
        double m2 = 0, m4 = 0;
        foreach (var v in outcomes)
        {
            double t = (v - m) * (v - m);
            m2 += t;
            m4 += t * t;
        }
        return (m, m2 / outcomes.Count, m4 / outcomes.Count);
    }

    /// <summary>vᵀSv for every sign vector v ∈ {±1}ⁿ (S row-major n × n): the exact distribution under Rademacher probes.</summary>
    public static List<double> SignQuadraticForms(double[] s, int n)
    {
        var outcomes = new List<double>();
        for (int bits = 0; bits < 1 << n; bits++)
        {
            double q = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    q += s[i * n + j] * (((bits >> i) & 1) * 2 - 1) * (((bits >> j) & 1) * 2 - 1);
            outcomes.Add(q);
        }
        return outcomes;
    }

    /// <summary>P (r × k) times Q (k × c), row-major.</summary>
    public static double[] MatMul(double[] p, double[] q, int r, int k, int c)
    {
        var result = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s += p[i * k + t] * q[t * c + j];
                result[i * c + j] = s;
            }
        return result;
    }

    public static void Check(ITestOutputHelper output, string name, double exact, double[] samples, double sigma2, double mu4)
    {
        double mean = 0;
        foreach (var s in samples) mean += s;
        mean /= samples.Length;
        double s2 = 0;
        foreach (var s in samples) s2 += (s - mean) * (s - mean);
        s2 /= samples.Length - 1;
        int n = samples.Length;
        double meanBound = 4 * Math.Sqrt(sigma2 / n);
        double varOfS2 = mu4 / n - sigma2 * sigma2 * (n - 3) / ((double)n * (n - 1));
        double varBound = 4 * Math.Sqrt(varOfS2);
        output.WriteLine($"{name}: exact = {exact:F6}, mean = {mean:F6} (|diff| {Math.Abs(mean - exact):E2} ≤ 4σ/√N = {meanBound:E2}); " +
                         $"σ² = {sigma2:F4}, s² = {s2:F4}, ratio {s2 / sigma2:F4} (band ±{varBound / sigma2:F3}, kurtosis {mu4 / (sigma2 * sigma2):F2})");
        Assert.True(Math.Abs(mean - exact) <= meanBound, $"{name}: biased? mean {mean:R}, exact {exact:R}, 4σ/√N = {meanBound:R}");
        Assert.True(Math.Abs(s2 - sigma2) <= varBound, $"{name}: sample variance {s2:R}, formula {sigma2:R}, 4 sd(s²) = {varBound:R}");
        // The 4-sd band must itself be a meaningful test: inside [0.8, 1.25].
        Assert.True(varBound / sigma2 <= 0.2, $"{name}: band ±{varBound / sigma2:F3} of σ² is too wide to test anything");
    }
}

/// <summary>
/// The test problem of <see cref="QuadModels.F"/>: a seeded point x, A random and not symmetric
/// (only sym(A) enters H), b spread so that the Hessian's diagonal varies (the sparse estimator's
/// variance is not tiny), w, and the exact Hessian H = (A + Aᵀ)/2 + diag(−b_i sin x_i) + e^{w·x} w wᵀ.
/// </summary>
internal static class QuadProblem
{
    public static (double[] x, double[] a, double[] b, double[] w, double[] h) Make(long seed, int d)
    {
        var rng = new Probes(seed);
        var x = new double[d];
        rng.FillUniformBall(x, d);
        var a = new double[d * d];
        rng.FillGaussian(a);
        var b = new double[d];
        rng.FillGaussian(b);
        for (int i = 0; i < d; i++) b[i] *= 3;
        var w = new double[d];
        rng.FillGaussian(w);
        for (int i = 0; i < d; i++) w[i] *= 0.5;
        double wx = 0;
        for (int i = 0; i < d; i++) wx += w[i] * x[i];
        double e = Math.Exp(wx);
        var h = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                h[i * d + j] = 0.5 * (a[i * d + j] + a[j * d + i]) + e * w[i] * w[j] + (i == j ? -b[i] * Math.Sin(x[i]) : 0);
        return (x, a, b, w, h);
    }
}
