using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// A weighted quadratic form with a loop over the item's row, hardware-mapped math (Sqrt, Abs,
/// Max, Ceiling) and a call of another differentiable method: the primal and forward-mode kernels.
/// </summary>
public static partial class Quadratic
{
    [Differentiable]
    public static double Square(double a) => a * a;

    [Differentiable]
    public static double Energy(ReadOnlySpan<double> x, ReadOnlySpan<double> w, double s)
    {
        double acc = 0;
        for (int i = 0; i < x.Length; i++) acc += w[i] * x[i] * x[i];
        return Math.Sqrt(acc + Square(s)) + Math.Max(Math.Abs(x[0]), s) / (1 + Square(x[x.Length - 1]))
            + Math.Ceiling(s) * x[1] - Math.Floor(3 * x[2]) * x[3];
    }

    [Kernel(nameof(Energy), PerItem = "x")]
    public static partial void EnergyKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, double s, ArrayView<double> result);

    [Jvp(nameof(Energy), Wrt = "x")]
    public static partial double EnergyJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> w, double s,
        out double dResult);

    // A per-item scalar (s) and a summed out scalar (dResult) next to per-item results.
    [Kernel(nameof(EnergyJvp), PerItem = "x, dx, s", Sum = "dResult")]
    public static partial void EnergyJvpBatch(Index1D item, ArrayView<double> x, ArrayView<double> dx, ArrayView<double> w,
        ArrayView<double> s, ArrayView<double> dResult, ArrayView<double> result);

    [Kernel(nameof(EnergyJvp), PerItem = "x, dx")]
    public static partial void EnergyJvpKernel(Index1D item, ArrayView<double> x, ArrayView<double> dx, ArrayView<double> w, double s,
        ArrayView<double> dResult, ArrayView<double> result);
}

/// <summary>
/// Every element of a summed double output takes the item's value: chunks whose sums are 1, 10¹⁶ and −10¹⁶ add to 0 in
/// chunk order ((1 + 10¹⁶) rounds to 10¹⁶) and to 1 in any order that adds the large ones first.
/// </summary>
public static partial class ChunkOrder
{
    [Differentiable]
    public static double Put(ReadOnlySpan<double> v, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = v[0];
        return v[0];
    }

    [Kernel(nameof(Put), PerItem = "v", Sum = "y, result")]
    public static partial void PutBatch(Index1D item, ArrayView<double> v, ArrayView<double> y, ArrayView<double> result);
}

/// <summary>A float polynomial model with a constant-size local buffer: Taylor mode of order 2 as a kernel.</summary>
public static partial class Poly
{
    [Differentiable]
    public static float P(ReadOnlySpan<float> x, float c)
    {
        Span<float> h = stackalloc float[3];
        for (int k = 0; k < 3; k++) h[k] = x[k] * x[(k + 1) % 3] + c;
        return MathF.Sqrt(h[0] * h[0] + 1f) + MathF.Floor(c) * h[1] - MathF.Min(h[2], c) * h[2];
    }

    [Taylor(nameof(P), Wrt = "c", Order = 2)]
    public static partial void PTaylor(ReadOnlySpan<float> x, float c, ReadOnlySpan<float> cJet, Span<float> y);

    // cJet is shared (one direction for every item); y holds one row of 3 coefficients per item.
    [Kernel(nameof(PTaylor), PerItem = "x")]
    public static partial void PTaylorKernel(Index1D item, ArrayView<float> x, float c, ArrayView<float> cJet, ArrayView<float> y,
        int count);

    [Kernel(nameof(P))]
    public static partial void PKernel(Index1D item, ArrayView<float> x, float c, ArrayView<float> result);
}

/// <summary>
/// Transcendental functions in a kernel: Tanh and Exp print as <c>Dsl.PortableMath</c>'s there (the
/// CPU methods keep System.Math), so the kernel computes the same values on every machine.
/// </summary>
public static partial class Smooth
{
    [Differentiable]
    public static double Act(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double acc = 0;
        for (int i = 0; i < x.Length; i++) acc += Math.Tanh(w[i] * x[i]);
        return acc + Math.Exp(-x[0] * x[0]) + Math.Pow(Math.Abs(x[1]) + 1, 1.5) + Math.Atan2(x[2], 2.0);
    }

    /// <summary>The same computation as <see cref="Act"/>, in the same order, with the portable math library.</summary>
    public static double ActPortable(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double acc = 0;
        for (int i = 0; i < x.Length; i++) acc += PortableMath.Tanh(w[i] * x[i]);
        return acc + PortableMath.Exp(-x[0] * x[0]) + PortableMath.Pow(Math.Abs(x[1]) + 1, 1.5) + PortableMath.Atan2(x[2], 2.0);
    }

    [Kernel(nameof(Act), PerItem = "x")]
    public static partial void ActKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> result);

    [Jvp(nameof(Act), Wrt = "x")]
    public static partial double ActJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> w, out double dResult);

    [Kernel(nameof(ActJvp), PerItem = "x, dx")]
    public static partial void ActJvpKernel(Index1D item, ArrayView<double> x, ArrayView<double> dx, ArrayView<double> w,
        ArrayView<double> dResult, ArrayView<double> result);
}

/// <summary>Round, Truncate, Sign and Clamp in a kernel (PortableMath's there, exact, so bit-identical to the CPU method).</summary>
public static partial class Steps
{
    [Differentiable]
    public static double Q(ReadOnlySpan<double> x) =>
        Math.Round(3 * x[0]) * x[1] + Math.Truncate(2 * x[1]) * x[2] + Math.Sign(x[2]) * x[0] + Math.Clamp(x[3], -0.5, 0.75) * x[4];

    [Kernel(nameof(Q))]
    public static partial void QKernel(Index1D item, ArrayView<double> x, ArrayView<double> result);
}
