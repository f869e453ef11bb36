using System;
using Xunit;
using static Dsl.Reverse.Tests.Numeric;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Gradients of <see cref="RecordingCases"/> (stores that save nothing, counters recomputed in the reverse sweep) against
/// MathNet finite differences and, for the triangle, a hand-written reverse sweep.
/// </summary>
public class RecordingTests
{
    // Hand-written gradient of Triangle: q_j = l_j x_j + Σ_{i<j} L_ij x_i, s = Σ sin(q_j) q_j, ∂s/∂q_j = cos(q_j) q_j + sin(q_j).
    private static (double[] X, double[] L) TriangleByHand(double[] x, double[] l)
    {
        int d = x.Length;
        var q = new double[d];
        for (int i = 0; i < d; i++) q[i] = l[i] * x[i];
        int lidx = d;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++) q[j] += l[lidx++] * x[i];
        }
        var qBar = new double[d];
        for (int j = 0; j < d; j++) qBar[j] = Math.Cos(q[j]) * q[j] + Math.Sin(q[j]);
        var xBar = new double[d];
        var lBar = new double[l.Length];
        for (int i = 0; i < d; i++)
        {
            xBar[i] += qBar[i] * l[i];
            lBar[i] += qBar[i] * x[i];
        }
        lidx = d;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                xBar[i] += qBar[j] * l[lidx];
                lBar[lidx++] += qBar[j] * x[i];
            }
        }
        return (xBar, lBar);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    public void TriangleGradientMatchesTheHandWrittenSweepAndFiniteDifferences(int d)
    {
        var x = Uniform(d, 70 + d);
        var l = Uniform(d + d * (d - 1) / 2, 80 + d);
        var xBar = new double[d];
        var lBar = new double[l.Length];
        double y = RecordingCases.TriangleGradient(x, l, xBar, lBar);
        Assert.Equal(RecordingCases.Triangle(x, l), y);
        var (hx, hl) = TriangleByHand(x, l);
        // The same sums in a different order: rounding only, ≲ d ε of the largest term; 1e-12 leaves > 100×.
        AssertGradient(Concat(xBar, lBar), Concat(hx, hl), y, 1e-12, "hand-written sweep");
        var fd = FiniteDifferenceGradient(v => RecordingCases.Triangle(v.AsSpan(0, d), v.AsSpan(d)), Concat(x, l));
        AssertGradient(Concat(xBar, lBar), fd, y, DoubleTolerance);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(8, 1)]
    public void CountersRecomputedInTheReverseSweepIndexTheRightElements(int n, int stride)
    {
        // k starts at w.Length − 1 and falls by 3 per iteration of ⌈n/2⌉; m rises by stride over n iterations.
        int wLength = Math.Max(3 * ((n + 1) / 2), stride * (n - 1) + 1);
        var x = Uniform(n, 90 + n);
        var w = Uniform(wLength, 100 + n);
        var xBar = new double[n];
        var wBar = new double[wLength];
        double y = RecordingCases.StridesGradient(x, w, stride, xBar, wBar);
        Assert.Equal(RecordingCases.Strides(x, w, stride), y);
        var fd = FiniteDifferenceGradient(v => RecordingCases.Strides(v.AsSpan(0, n), v.AsSpan(n), stride), Concat(x, w));
        AssertGradient(Concat(xBar, wBar), fd, y, DoubleTolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void ABufferWrittenAgainAfterItsIncrementsKeepsItsGradient(int d)
    {
        var x = Uniform(d, 110 + d, -0.8, 0.8);
        var xBar = new double[d];
        double y = RecordingCases.RewrittenGradient(x, xBar);
        Assert.Equal(RecordingCases.Rewritten(x), y);
        AssertGradient(xBar, FiniteDifferenceGradient(v => RecordingCases.Rewritten(v), x), y, DoubleTolerance);
    }
}
