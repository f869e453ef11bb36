using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Reverse mode in kernels with hardware-mapped math only (Sqrt, Abs, Max and products): a loop
/// that carries a square root through the row (each iteration's values go on the tape) and a helper
/// call. The kernel's arithmetic is the CPU method's, so every item is bit-identical.
/// </summary>
public static partial class Rad
{
    [Differentiable]
    public static double Norm(double a, double b) => Math.Sqrt(a * a + b * b + 1);

    [Differentiable]
    public static double Chain(ReadOnlySpan<double> x)
    {
        double m = 1;
        for (int i = 0; i < x.Length; i++) m = Math.Sqrt(m * m + x[i] * x[i]) * 0.75 + Math.Abs(x[i]);
        return m;
    }

    [Differentiable]
    public static double R(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double acc = 1;
        for (int i = 0; i < x.Length; i++) acc = Math.Sqrt(acc * acc + w[i] * x[i] * x[i]) + Math.Abs(x[i]) * Norm(acc, w[i]);
        return Norm(acc, x[0]) + Math.Max(x[1], 0.1 * acc) + Chain(x);
    }

    [Gradient(nameof(R), Wrt = "x")]
    public static partial double RGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> xBar);

    [Kernel(nameof(RGradient), PerItem = "x")]
    public static partial void RGradientKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> xBar,
        ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);

    // The same sums with Atomic.Add on an accelerator (order not fixed).
    [Kernel(nameof(RGradient), PerItem = "x, w", Sum = "xBar, result", Reduction = KernelReduction.Atomic)]
    public static partial void RGradientAtomic(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> xBar,
        ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);

    // The launcher's sums in double: the items' values and gradients summed (w per item too).
    [Kernel(nameof(RGradient), PerItem = "x, w", Sum = "xBar, result")]
    public static partial void RGradientSum(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> xBar,
        ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
}

/// <summary>
/// A tanh unit called in a loop: reverse mode with a transcendental, which the kernel computes with
/// <c>Dsl.PortableMath</c> (the CPU method with System.Math), so the two agree within a derived bound.
/// </summary>
public static partial class Layer
{
    [Differentiable]
    public static double Unit(double a, double b) => Math.Tanh(a) * b;

    [Differentiable]
    public static double L(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        // m carries a square root through the row, so the gradient keeps each iteration's m on the tape.
        double acc = 0;
        double m = 1;
        for (int i = 0; i < x.Length; i++)
        {
            acc += Unit(w[i] * x[i], x[i]);
            m = Math.Sqrt(m * m + x[i] * x[i]);
        }
        return acc + m;
    }

    [Kernel(nameof(LGradient), PerItem = "x")]
    public static partial void LGradientKernel(Index1D item, ArrayView<double> x, ArrayView<double> w, ArrayView<double> xBar,
        ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);

    [Gradient(nameof(L), Wrt = "x")]
    public static partial double LGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> xBar);

}

/// <summary>
/// A float gradient with a branch in its loop: floats and the branch's condition go on the kernel's
/// double tape (exact there), so the kernel stays bit-identical to the CPU gradient.
/// </summary>
public static partial class FRad
{
    [Differentiable]
    public static float F(ReadOnlySpan<float> x, float c)
    {
        float acc = c;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > 0.25f * acc) acc = MathF.Sqrt(acc * acc + x[i] * x[i]) * 0.5f;
            else acc = acc * x[i] + MathF.Abs(c);
        }
        return acc * c;
    }

    [Gradient(nameof(F), Wrt = "x")]
    public static partial float FGradient(ReadOnlySpan<float> x, float c, Span<float> xBar);

    [Kernel(nameof(FGradient), PerItem = "x")]
    public static partial void FGradientKernel(Index1D item, ArrayView<float> x, float c, ArrayView<float> xBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow);
}
