using System;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Primals whose reverse sweep saves less than one value per store: accumulations into a local buffer in an inner
/// loop (no saved old value), and int counters that change by a fixed amount per iteration (recomputed, not saved).
/// </summary>
public static partial class RecordingCases
{
    // The ADBench GMM triangle: q = L·x with L packed row after row below a diagonal, then a sum of sin(q_j)·q_j.
    // qx is incremented d(d−1)/2 times and read d times afterwards, so its stores save nothing and its reads are saved.
    [Differentiable]
    public static double Triangle(ReadOnlySpan<double> x, ReadOnlySpan<double> l)
    {
        int d = x.Length;
        Span<double> qx = stackalloc double[d];
        for (int i = 0; i < d; i++) qx[i] = l[i] * x[i];
        int lidx = d;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                qx[j] = qx[j] + l[lidx] * x[i];
                lidx++;
            }
        }
        double s = 0;
        for (int j = 0; j < d; j++) s += Math.Sin(qx[j]) * qx[j];
        return s;
    }

    [Gradient(nameof(Triangle))]
    public static partial double TriangleGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> l, Span<double> xBar, Span<double> lBar);

    // Counters going down by 3 in a loop that runs backwards by 2, and up by a stride given at run time.
    [Differentiable]
    public static double Strides(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int stride)
    {
        double s = 0;
        int k = w.Length - 1;
        for (int i = x.Length - 1; i >= 0; i -= 2)
        {
            s += Math.Exp(w[k] * x[i]);
            k -= 3;
        }
        int m = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += w[m] * x[i] * x[i];
            m += stride;
        }
        return s;
    }

    [Gradient(nameof(Strides), Wrt = "x, w")]
    public static partial double StridesGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int stride, Span<double> xBar,
        Span<double> wBar);

    // The same accumulation with the buffer also written once more in the loop that reads it (a plain store after the
    // increments), so a stale element would show in the gradient.
    [Differentiable]
    public static double Rewritten(ReadOnlySpan<double> x)
    {
        int d = x.Length;
        Span<double> acc = stackalloc double[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) acc[j] = acc[j] + x[i] * x[j];
        }
        double s = 0;
        for (int j = 0; j < d; j++)
        {
            s += Math.Tanh(acc[j]);
            acc[j] = s * x[j];
            s += acc[j] * acc[j];
        }
        return s;
    }

    [Gradient(nameof(Rewritten))]
    public static partial double RewrittenGradient(ReadOnlySpan<double> x, Span<double> xBar);
}
