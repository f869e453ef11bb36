using System;
using MathNet.Numerics.Differentiation;
using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Finite-difference references (MathNet.Numerics) and the comparisons the tests use.
/// </summary>
/// <remarks>
/// Tolerances. The reference is MathNet's 5-point central difference (points x ± h, x ± 2h) with
/// step h_i = 1e-3·(1 + |x_i|). Its truncation error is h⁴·|f⁽⁵⁾|/30 ≈ 3e-14·|f⁽⁵⁾| and its rounding
/// error about 1.5·ε·|f|/h ≈ 3e-13·|f| (ε = 2.2e-16). The test functions are smooth at the test
/// points (kinks of Abs/Max/Min and branch thresholds are ≥ 0.05 away, more than 2h), with
/// derivatives of moderate size, so the error is ≲ 1e-9 of max(1, |f|, ‖∇f‖∞) (observed: at most
/// 3e-10, typically 1e-12). Double-precision gradients are required to match to 1e-7 of that scale:
/// 300× the largest error seen, and far below any real mistake (a wrong or missing term changes
/// entries by O(1) of the scale).
/// <para>
/// Float gradients are compared with the same reference computed on a double twin of the function
/// at the same (float-representable) point, to 1e-4 of the scale: float's ε is 6e-8 and the cases
/// chain up to ~100 operations, so a correct float gradient can be off by ~1e-5 relative (observed:
/// at most 2e-7).
/// </para>
/// Generated vs hand-written gradients (both exact up to rounding, same arithmetic in a different
/// order) are compared norm-wise to 1e-9 relative (observed ~1e-15).
/// </remarks>
internal static class Numeric
{
    public const double DoubleTolerance = 1e-7;
    public const double FloatTolerance = 1e-4;

    /// <summary>The gradient of f at x by MathNet's 5-point central differences, every coordinate.</summary>
    public static double[] FiniteDifferenceGradient(Func<double[], double> f, double[] x)
    {
        var nd = new NumericalDerivative(5, 2) { StepType = StepType.RelativeX, BaseStepSize = 1e-3 };
        var g = new double[x.Length];
        var work = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++) g[i] = nd.EvaluatePartialDerivative(f, work, i, 1);
        return g;
    }

    /// <summary>Partial derivatives at the given coordinates only.</summary>
    public static double[] FiniteDifferencePartials(Func<double[], double> f, double[] x, int[] indices)
    {
        var nd = new NumericalDerivative(5, 2) { StepType = StepType.RelativeX, BaseStepSize = 1e-3 };
        var work = (double[])x.Clone();
        var g = new double[indices.Length];
        for (int k = 0; k < indices.Length; k++) g[k] = nd.EvaluatePartialDerivative(f, work, indices[k], 1);
        return g;
    }

    /// <summary>
    /// Every |actual_i − expected_i| ≤ tol·max(1, |f|, ‖expected‖∞) (see the class remarks for why this scale).
    /// </summary>
    public static void AssertGradient(double[] actual, double[] expected, double f, double tol, string what = "gradient")
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, Math.Abs(f));
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"{what}[{i}] is {actual[i]}");
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= tol * scale,
                $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R} (error {err:E2} > {tol:E0} × scale {scale:G4})");
        }
    }

    /// <summary>max |a − b| ≤ tol·max |b| (norm-wise relative).</summary>
    public static void AssertNormwise(double[] actual, double[] expected, double tol, string what = "gradient")
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"{what}[{i}] is {actual[i]}");
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        Assert.True(diff <= tol * scale, $"{what}: max difference {diff:E3} > {tol:E0} × max |entry| {scale:G4}");
    }

    public static double[] Concat(params double[][] parts)
    {
        int n = 0;
        foreach (var p in parts) n += p.Length;
        var r = new double[n];
        int o = 0;
        foreach (var p in parts) { p.CopyTo(r, o); o += p.Length; }
        return r;
    }

    public static double[] ToDouble(float[] v) => Array.ConvertAll(v, x => (double)x);

    /// <summary>Deterministic values in [lo, hi).</summary>
    public static double[] Uniform(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.NextDouble();
        return v;
    }
}
