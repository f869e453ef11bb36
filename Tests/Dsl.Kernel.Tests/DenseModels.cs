using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Two dense layers (x → h1 → h2 → o, h = z²/(1 + z²), hardware-mapped math only, so the per-item CPU path is the
/// reference bit for bit): its gradient's lanes method runs the layers' loops over j several rows per pass over k
/// (Transforms/Lanes/UnrollAndJam.cs), pinned by <c>SnapshotTests.Dense</c>.
/// </summary>
public static partial class Dense
{
    [Differentiable]
    public static float Net(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int width)
    {
        int d = x.Length;
        Span<float> h1 = stackalloc float[width];
        Span<float> h2 = stackalloc float[width];
        for (int j = 0; j < width; j++)
        {
            float z = w[j];
            for (int k = 0; k < d; k++) z += w[width + j * d + k] * x[k];
            h1[j] = z * z / (1f + z * z);
        }
        int b2 = width + width * d;
        for (int j = 0; j < width; j++)
        {
            float z = w[b2 + j];
            for (int k = 0; k < width; k++) z += w[b2 + width + j * width + k] * h1[k];
            h2[j] = z * z / (1f + z * z);
        }
        int b3 = b2 + width + width * width;
        float o = w[b3];
        for (int k = 0; k < width; k++) o += w[b3 + 1 + k] * h2[k];
        return o;
    }

    /// <summary>The number of weights for inputs of length d.</summary>
    public static int ParameterCount(int d, int width) => width + width * d + width + width * width + 1 + width;

    [Gradient(nameof(Net), Wrt = "x, w")]
    public static partial float NetGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int width, Span<float> xBar, Span<float> wBar);

    [Kernel(nameof(NetGrad), PerItem = "x, xBar", Sum = "wBar, result")]
    public static partial void NetGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> w, int width,
        ArrayView<float> xBar, ArrayView<float> wBar, ArrayView<float> result, ArrayView<double> tape, ArrayView<int> tapeOverflow,
        ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
