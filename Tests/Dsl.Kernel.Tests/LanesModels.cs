using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Per-item control flow for the lanes path (W items per call): a branch on a per-item value around a call and stores
/// (run when the block's lanes agree, per item otherwise), selects, a per-item int index (a gather from the shared
/// weights, a scatter into the per-item adjoint), hardware-mapped math only, so the per-item CPU path is the reference
/// bit for bit.
/// </summary>
public static partial class Branchy
{
    [Differentiable]
    public static float Bump(float a) => a * a + 1f;

    [Differentiable]
    public static float F(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int k)
    {
        Span<float> h = stackalloc float[2];
        float s = 0f;
        for (int i = 0; i < x.Length; i++) s += w[i] * x[i];
        if (s > 0f)
        {
            h[0] = Bump(s);
        }
        else
        {
            h[1] = s * s - x[k];
        }
        float t = s > 0.5f ? s : -s;
        return h[0] + h[1] + MathF.Max(t, 0.25f) * w[k] + MathF.Abs(x[0]) - MathF.Sqrt(1f + x[1] * x[1]);
    }

    [Gradient(nameof(F), Wrt = "x, w")]
    public static partial float FGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int k, Span<float> xBar, Span<float> wBar);

    // x, k and the x adjoint per item; the w adjoint and the values summed.
    [Kernel(nameof(FGrad), PerItem = "x, k, xBar", Sum = "wBar, result")]
    public static partial void FGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> w, ArrayView<int> k,
        ArrayView<float> xBar, ArrayView<float> wBar, ArrayView<float> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);

    [Kernel(nameof(F), PerItem = "x, k")]
    public static partial void FBatch(Index1D item, ArrayView<float> x, ArrayView<float> w, ArrayView<int> k, ArrayView<float> result);
}

/// <summary>
/// A gradient whose reverse sweep adds into the summed w̄ and then reaches a branch around a store its lanes can disagree
/// on (the forward branch holds only loads, so it runs as a select): a block that runs again per item must start again
/// from a zero block, not from what the diverged run had added.
/// </summary>
public static partial class Spill
{
    [Differentiable]
    public static float G(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        float y = 0f;
        if (x[2] > 0f)
        {
            y = w[2] * x[3];
        }
        float s = w[0] * x[0] + w[1] * x[1];
        return s * s + y;
    }

    [Gradient(nameof(G), Wrt = "w")]
    public static partial float GGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> wBar);

    [Kernel(nameof(GGrad), PerItem = "x", Sum = "wBar, result")]
    public static partial void GGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> w, ArrayView<float> wBar,
        ArrayView<float> result);
}

/// <summary>A loop whose trip count differs between items: no lanes version (the launcher says why and runs per item).</summary>
public static partial class Ragged
{
    [Differentiable]
    public static double Head(ReadOnlySpan<double> x, int n)
    {
        double acc = 0;
        for (int i = 0; i < n; i++) acc += x[i] * x[i];
        return acc;
    }

    [Kernel(nameof(Head), PerItem = "x, n")]
    public static partial void HeadBatch(Index1D item, ArrayView<double> x, ArrayView<int> n, ArrayView<double> result);
}

/// <summary><see cref="Branchy"/> in double: 4 lanes, per-item ints as long lanes, masks of long lanes.</summary>
public static partial class BranchyD
{
    [Differentiable]
    public static double Bump(double a) => a * a + 1;

    [Differentiable]
    public static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int k)
    {
        Span<double> h = stackalloc double[2];
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += w[i] * x[i];
        if (s > 0)
        {
            h[0] = Bump(s);
        }
        else
        {
            h[1] = s * s - x[k];
        }
        double t = s > 0.5 ? s : -s;
        int m = k * 2 + 1;
        return h[0] + h[1] + Math.Max(t, 0.25) * w[k] + Math.Abs(x[0]) - Math.Sqrt(1 + x[1] * x[1]) + m * x[2];
    }

    [Gradient(nameof(F), Wrt = "x, w")]
    public static partial double FGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int k, Span<double> xBar, Span<double> wBar);

    [Kernel(nameof(FGrad), PerItem = "x, k, xBar", Sum = "wBar, result")]
    public static partial void FGradBatch(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<int> k,
        ArrayView<double> xBar, ArrayView<double> wBar, ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
}

/// <summary>
/// A summed span output that the method writes only in part, and only for some items: the launcher must clear each
/// block's lanes before the call (it skips that only for methods that clear the output themselves, as generated
/// gradients do).
/// </summary>
public static partial class PartWritten
{
    [Differentiable]
    public static float Mark(ReadOnlySpan<float> x, Span<float> y)
    {
        y[0] = x[0] * x[0];
        if (x[0] > 0f) y[1] = x[0];
        return x[0];
    }

    [Kernel(nameof(Mark), PerItem = "x", Sum = "y, result")]
    public static partial void MarkBatch(Index1D item, ArrayView<float> x, ArrayView<float> y, ArrayView<float> result);
}

/// <summary>
/// <see cref="PartWritten"/> with the writes in a callee: the output's first use is a call to a method that does not
/// clear it, so the launcher still clears each block (it leaves that out only when the callee clears on entry).
/// </summary>
public static partial class PartWrittenByCallee
{
    [Differentiable]
    public static void Write(ReadOnlySpan<float> x, Span<float> y)
    {
        y[0] = x[0] * x[0];
        if (x[0] > 0f) y[1] = x[0];
    }

    [Differentiable]
    public static float Mark(ReadOnlySpan<float> x, Span<float> y)
    {
        Write(x, y);
        return x[0];
    }

    [Kernel(nameof(Mark), PerItem = "x", Sum = "y, result")]
    public static partial void MarkBatch(Index1D item, ArrayView<float> x, ArrayView<float> y, ArrayView<float> result);
}

/// <summary>
/// A loop that carries a per-item int (an index stepping around w) and a per-item bool (flipped by the items' own x):
/// the reverse sweep saves both on the tape, as int lanes beside float lanes and as long lanes (on the doubles) beside
/// double lanes.
/// </summary>
public static partial class LaneTapes
{
    [Differentiable]
    public static float F(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int k)
    {
        int c = k;
        bool up = x[0] > 0f;
        float s = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            c = c + 1 < w.Length ? c + 1 : 0;
            up = x[i] > 0.5f ? !up : up;
            s = up ? s + w[c] * x[i] : s * 0.5f - w[c];
        }
        return s;
    }

    [Gradient(nameof(F), Wrt = "x, w")]
    public static partial float FGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int k, Span<float> xBar, Span<float> wBar);

    [Kernel(nameof(FGrad), PerItem = "x, k, xBar", Sum = "wBar, result")]
    public static partial void FGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> w, ArrayView<int> k,
        ArrayView<float> xBar, ArrayView<float> wBar, ArrayView<float> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
}

/// <inheritdoc cref="LaneTapes"/>
public static partial class LaneTapesD
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int k)
    {
        int c = k;
        bool up = x[0] > 0;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            c = c + 1 < w.Length ? c + 1 : 0;
            up = x[i] > 0.5 ? !up : up;
            s = up ? s + w[c] * x[i] : s * 0.5 - w[c];
        }
        return s;
    }

    [Gradient(nameof(F), Wrt = "x, w")]
    public static partial double FGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int k, Span<double> xBar, Span<double> wBar);

    [Kernel(nameof(FGrad), PerItem = "x, k, xBar", Sum = "wBar, result")]
    public static partial void FGradBatch(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<int> k,
        ArrayView<double> xBar, ArrayView<double> wBar, ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
}
