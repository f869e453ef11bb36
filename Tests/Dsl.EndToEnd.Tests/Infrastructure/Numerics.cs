using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Differentiation;

namespace Dsl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The reference derivatives and scales the tests compare against.
/// </summary>
public static class Numerics
{
    /// <summary>
    /// The finite-difference step along t in f(x + t v), |v| = 1. MathNet rounds it to a power of
    /// two (2^-10 ≈ 9.8e-4), which makes x ± k h exact in the step itself.
    /// </summary>
    public const double Step = 1.0 / 1024;

    /// <summary>
    /// d/dt f(x + t v) at t = 0 for every output of f, by MathNet's five-point central difference
    /// (stencil t = -2h, -h, h, 2h).
    /// </summary>
    public static double[] DirectionalFiniteDifference(Func<double[][], double[]> f, double[][] x, double[][] v)
    {
        var nd = new NumericalDerivative(5, 2) { StepType = StepType.Absolute, StepSize = Step };
        var outputs = f(x).Length;
        var result = new double[outputs];
        for (var k = 0; k < outputs; k++)
        {
            var component = k;
            result[k] = nd.EvaluateDerivative(t => f(Shift(x, v, t))[component], 0, 1);
        }
        return result;
    }

    /// <summary>x + t v (ints and bools have v = 0 and stay as they are).</summary>
    public static double[][] Shift(double[][] x, double[][] v, double t) =>
        x.Select((xi, i) => xi.Select((e, j) => e + t * v[i][j]).ToArray()).ToArray();

    /// <summary>
    /// The scale of a directional derivative Σ_i ∂f/∂x_i · v_i: S = Σ_i |∂f/∂x_i · v_i| for each
    /// output, from <paramref name="tangent"/> applied to each active entry of v alone. The
    /// rounding error of a sum is bounded relative to the sum of the magnitudes of its terms,
    /// not to the sum itself (which may cancel to near zero), so tolerances are relative to S.
    /// </summary>
    public static double[] TermScale(Func<double[][], double[]> tangent, double[][] v)
    {
        double[]? scale = null;
        foreach (var (i, j) in Entries(v))
        {
            var e = v.Select(vi => new double[vi.Length]).ToArray();
            e[i][j] = v[i][j];
            var t = tangent(e);
            scale ??= new double[t.Length];
            for (var k = 0; k < t.Length; k++) scale[k] += Math.Abs(t[k]);
        }
        return scale ?? tangent(v.Select(vi => new double[vi.Length]).ToArray()).Select(_ => 0.0).ToArray();
    }

    private static IEnumerable<(int, int)> Entries(double[][] v)
    {
        for (var i = 0; i < v.Length; i++)
        {
            for (var j = 0; j < v[i].Length; j++)
            {
                if (v[i][j] != 0) yield return (i, j);
            }
        }
    }

    public static float[][] ToFloat(double[][] a) => a.Select(r => r.Select(e => (float)e).ToArray()).ToArray();

    public static double[] ToDouble(float[] a) => a.Select(e => (double)e).ToArray();
}

/// <summary>
/// The tolerances, derived from first principles rather than tuned.
///
/// Double vs finite differences (<see cref="FiniteDifference"/>, 1e-7 relative). The five-point
/// central difference with h = 2^-10 has truncation error h^4/30 · |g^(5)| ≈ 3e-14 · |g^(5)| and
/// rounding error ≈ (Σ|coefficients| = 18/12) · c·u · |f| / h ≈ 1.7e-13 · c · |f| with u = 2^-53
/// and c the few ulps of error in evaluating f. For the smooth, O(1)-scaled functions of the
/// corpus (the sample domains keep away from poles, branch cuts and kinks) both are below 1e-10
/// of the scale, so 1e-7 of S = Σ|∂_i f · v_i| is a comfortable bound that still catches any
/// wrong derivative rule (those are off by O(1) of S); 1e-9 · |f| covers the rounding term when
/// the derivative itself is tiny. S for this check comes from finite differences too, so the
/// tolerance does not depend on the JVP under test.
///
/// Double vs closed form (<see cref="ClosedForm"/>, 1e-10 relative). Both are evaluated in double
/// with at most a few hundred operations: their difference is a few hundred u ≈ 1e-14 of S.
/// 1e-10 leaves four orders of margin for conditioning.
///
/// Float vs double (<see cref="Float"/>, 1e-4 · κ relative). Same point, exactly representable in
/// both. Forward mode evaluates the tangent with the same dependency chain as the value; each
/// float operation adds a relative error ≤ u_f = 2^-24 ≈ 6e-8, so a chain of N operations is off
/// by at most γ_N ≈ N·u_f relative to S (and typically √N·u_f). The longest chains in the corpus
/// (40 pendulum steps, the MLP's two layers, 8-deep continued fractions) are a few hundred
/// operations: ≤ 3e-5. 1e-4 ≈ 1700 u_f covers that; κ is the function's own amplification of
/// rounding errors (1 for the corpus unless a case says why not).
///
/// Measured worst cases over the corpus (relative to S), for scale: finite differences 7e-9
/// (Pendulum along dt), closed forms 3e-15, float vs double 3e-6 (LaggedSum, sin of x·i).
/// </summary>
public static class Tolerances
{
    public const double FiniteDifference = 1e-7;
    public const double FiniteDifferenceValueFloor = 1e-9;
    public const double ClosedForm = 1e-10;
    public const double Float = 1e-4;
}
