using System;
using Dsl;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// The PINN of Samples/Pinn with the algebraic sigmoid z/√(1+z²) in place of tanh and u in place of sin u,
/// so the kernel's math is the CPU method's (Sqrt is one exact PTX instruction) and the two agree bit for bit.
/// Only the sparse-STDE path that <see cref="PinnKernelTests"/> runs; same parameter layout as the sample.
/// </summary>
public static partial class PinnAlg
{
    public static int ParameterCount(int d, int width) => Pinn.Model.ParameterCount(d, width);

    [Differentiable]
    public static float U(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width)
    {
        int d = x.Length;
        Span<float> h1 = stackalloc float[width];
        Span<float> h2 = stackalloc float[width];
        Span<float> h3 = stackalloc float[width];
        int b1 = width * d;
        for (int j = 0; j < width; j++)
        {
            float z = theta[b1 + j];
            for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
            h1[j] = z / MathF.Sqrt(1 + z * z);
        }
        int w2 = b1 + width;
        int b2 = w2 + width * width;
        for (int j = 0; j < width; j++)
        {
            float z = theta[b2 + j];
            for (int k = 0; k < width; k++) z += theta[w2 + j * width + k] * h1[k];
            h2[j] = z / MathF.Sqrt(1 + z * z);
        }
        int w3 = b2 + width;
        int b3 = w3 + width * width;
        for (int j = 0; j < width; j++)
        {
            float z = theta[b3 + j];
            for (int k = 0; k < width; k++) z += theta[w3 + j * width + k] * h2[k];
            h3[j] = z / MathF.Sqrt(1 + z * z);
        }
        int w4 = b3 + width;
        float o = theta[w4 + width];
        for (int k = 0; k < width; k++) o += theta[w4 + k] * h3[k];
        float r2 = 0;
        for (int k = 0; k < d; k++) r2 += x[k] * x[k];
        return (1 - r2) * o;
    }

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial float ULapSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes);

    // The residual of the PDE at one point, given the Laplacian, u and the source f.
    // pde: 0 Allen–Cahn Δu + u − u³ = f; 1 Poisson −Δu = f; 2 Sine–Gordon Δu + sin u = f.
    [Differentiable]
    public static float Residual(float lap, float u, float f, int pde)
    {
        if (pde == 0) return lap + u - u * u * u - f;
        if (pde == 1) return -lap - f;
        return lap + u - f;
    }

    [Differentiable]
    public static float LossSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde)
    {
        float r = Residual(ULapSparse(x, theta, width, probes), U(x, theta, width), f, pde);
        return r * r;
    }

    [Gradient(nameof(LossSparse), Wrt = "theta")]
    public static partial float LossSparseGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde, Span<float> thetaBar);

    // The sparse-STDE loss gradient of one collocation point per item (x and probes per item; θ, the
    // width, the source value and the PDE shared; one θ-gradient row per item).
    [Kernel(nameof(LossSparseGrad), PerItem = "x, probes, thetaBar")]
    public static partial void LossSparseGradKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, float f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    // The same over a batch with the launcher's sums: f per item, the losses and θ-gradients summed.
    [Kernel(nameof(LossSparseGrad), PerItem = "x, probes, f", Sum = "thetaBar, result")]
    public static partial void LossSparseGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, ArrayView<float> f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
