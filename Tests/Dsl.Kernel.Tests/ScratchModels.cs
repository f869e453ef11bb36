using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Methods that allocate buffers whose length is known only at run time, as kernels through the
/// per-thread <c>Dsl.KernelScratch</c>: Taylor mode along a span (it copies the input jet into a
/// buffer of K·d values), the Laplacian (exact, and the dense STDE estimator: jet buffers from the
/// <c>Dsl.Scratch</c> pool on the CPU) and a <c>[Vjp]</c> with span outputs (its seed copy). The model
/// uses Sqrt and products only (hardware-mapped), so every kernel is bit-identical to its CPU method.
/// </summary>
public static partial class Jets
{
    [Differentiable]
    public static double Q(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 1;
        double p = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * x[i];
            p += w[i] * x[i] * x[i] * x[i];
        }
        return Math.Sqrt(s) * p + p * p;
    }

    [Taylor(nameof(Q), Wrt = "x", Order = 3)]
    public static partial void QTaylor(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> xJet, Span<double> y);

    [Kernel(nameof(QTaylor), PerItem = "x, xJet")]
    public static partial void QTaylorKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> xJet,
        ArrayView<double> y, int count, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    [Laplacian(nameof(Q), Wrt = "x")]
    public static partial double QLap(ReadOnlySpan<double> x, ReadOnlySpan<double> w);

    [Kernel(nameof(QLap), PerItem = "x")]
    public static partial void QLapKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> result);

    [Laplacian(nameof(Q), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double QLapDense(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);

    [Kernel(nameof(QLapDense), PerItem = "x")]
    public static partial void QLapDenseKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> probes,
        ArrayView<double> result, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    /// <summary>Accumulates into its run-time buffer, so it reads the zeros the buffer starts with.</summary>
    [Differentiable]
    public static double Acc(ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[x.Length];
        for (int i = 0; i < x.Length; i++) h[i] += x[i] * x[i];
        for (int i = 1; i < x.Length; i++) h[i] += h[i - 1];
        return Math.Sqrt(h[x.Length - 1]) + h[0];
    }

    [Kernel(nameof(Acc))]
    public static partial void AccKernel(Index1D item, ArrayView<double> x, ArrayView<double> result, ArrayView<double> scratch,
        ArrayView<int> scratchNeeded);

    [Differentiable]
    public static void Run(ReadOnlySpan<double> x, Span<double> y)
    {
        double acc = 1;
        for (int i = 0; i < x.Length; i++)
        {
            acc = Math.Sqrt(acc * acc + x[i] * x[i]);
            y[i] = acc * x[i];
        }
    }

    [Vjp(nameof(Run))]
    public static partial void RunVjp(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar);

    [Kernel(nameof(RunVjp), PerItem = "x, yBar")]
    public static partial void RunVjpKernel(Index1D item, ArrayView<double> x, ArrayView<double> y, ArrayView<double> yBar,
        ArrayView<double> xBar, int count, ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch,
        ArrayView<int> scratchNeeded);
}

/// <summary>
/// Float buffers of run-time length: a float primal with a <c>stackalloc float[x.Length]</c> of its own,
/// and its Taylor mode along the span (the normalized jet copy is a float buffer too). Floats take whole
/// doubles of the scratch, viewed as floats.
/// </summary>
public static partial class FJets
{
    [Differentiable]
    public static float G(ReadOnlySpan<float> x, float c)
    {
        Span<float> h = stackalloc float[x.Length];
        for (int i = 0; i < x.Length; i++) h[i] = MathF.Sqrt(x[i] * x[i] + c);
        float acc = 0;
        for (int i = 0; i < x.Length; i++) acc += h[i] * x[i] * c;
        return acc * acc + h[0];
    }

    [Kernel(nameof(G), PerItem = "x")]
    public static partial void GKernel(Index1D item, ArrayView<float> x, float c, ArrayView<float> result, ArrayView<double> scratch,
        ArrayView<int> scratchNeeded);

    [Taylor(nameof(G), Wrt = "x", Order = 2)]
    public static partial void GTaylor(ReadOnlySpan<float> x, float c, ReadOnlySpan<float> xJet, Span<float> y);

    [Kernel(nameof(GTaylor), PerItem = "x, xJet")]
    public static partial void GTaylorKernel(Index1D item, ArrayView<float> x, float c, ArrayView<float> xJet, ArrayView<float> y,
        int count, ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
