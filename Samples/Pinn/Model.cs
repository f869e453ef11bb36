using System;
using Dsl;

namespace Pinn;

/// <summary>
/// The PINN: u(x) = (1 − ‖x‖²)·MLP(x), an MLP d → w → w → w → 1 with tanh, all parameters in
/// one span θ (layout: W1 (w×d, row-major), b1, W2 (w×w), b2, W3 (w×w), b3, w4 (w), b4).
/// The generator writes its Laplacians (exact and STDE), and the gradients of the per-point
/// losses built on them (reverse mode over Taylor mode).
/// </summary>
public static partial class Model
{
    public static int ParameterCount(int d, int width) => width * d + width + 2 * (width * width + width) + width + 1;

    /// <summary>Weights N(0, 1/fan_in) (LeCun normal) drawn from <paramref name="rng"/> in layer order, biases 0.</summary>
    public static void InitializeParameters(Span<float> theta, int d, int width, Probes rng)
    {
        theta.Clear();
        void Fill(Span<float> w, int fanIn)
        {
            rng.FillGaussian(w);
            float s = 1f / MathF.Sqrt(fanIn);
            for (int i = 0; i < w.Length; i++) w[i] *= s;
        }
        int off = 0;
        Fill(theta.Slice(off, width * d), d); off += width * d + width;
        Fill(theta.Slice(off, width * width), width); off += width * width + width;
        Fill(theta.Slice(off, width * width), width); off += width * width + width;
        Fill(theta.Slice(off, width), width);
    }

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
            h1[j] = MathF.Tanh(z);
        }
        int w2 = b1 + width;
        int b2 = w2 + width * width;
        for (int j = 0; j < width; j++)
        {
            float z = theta[b2 + j];
            for (int k = 0; k < width; k++) z += theta[w2 + j * width + k] * h1[k];
            h2[j] = MathF.Tanh(z);
        }
        int w3 = b2 + width;
        int b3 = w3 + width * width;
        for (int j = 0; j < width; j++)
        {
            float z = theta[b3 + j];
            for (int k = 0; k < width; k++) z += theta[w3 + j * width + k] * h2[k];
            h3[j] = MathF.Tanh(z);
        }
        int w4 = b3 + width;
        float o = theta[w4 + width];
        for (int k = 0; k < width; k++) o += theta[w4 + k] * h3[k];
        float r2 = 0;
        for (int k = 0; k < d; k++) r2 += x[k] * x[k];
        return (1 - r2) * o;
    }

    [Laplacian(nameof(U), Wrt = "x")]
    public static partial float ULapExact(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width);

    // Chunks of 8 probes (4 probes, the default, take the chunk of 4 the generator adds): 16 probes ran about 10 % faster.
    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense, Lanes = 8)]
    public static partial float ULapDense(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse, Lanes = 8)]
    public static partial float ULapSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes);

    // The residual of the PDE at one point, given the Laplacian, u and the source f.
    // pde: 0 Allen–Cahn Δu + u − u³ = f; 1 Poisson −Δu = f; 2 Sine–Gordon Δu + sin u = f.
    [Differentiable]
    public static float Residual(float lap, float u, float f, int pde)
    {
        if (pde == 0) return lap + u - u * u * u - f;
        if (pde == 1) return -lap - f;
        return lap + MathF.Sin(u) - f;
    }

    [Differentiable]
    public static float LossExact(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f, int pde)
    {
        float r = Residual(ULapExact(x, theta, width), U(x, theta, width), f, pde);
        return r * r;
    }

    [Differentiable]
    public static float LossDense(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde)
    {
        float r = Residual(ULapDense(x, theta, width, probes), U(x, theta, width), f, pde);
        return r * r;
    }

    [Differentiable]
    public static float LossSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde)
    {
        float r = Residual(ULapSparse(x, theta, width, probes), U(x, theta, width), f, pde);
        return r * r;
    }

    [Gradient(nameof(LossExact), Wrt = "theta")]
    public static partial float LossExactGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f, int pde, Span<float> thetaBar);

    [Gradient(nameof(LossDense), Wrt = "theta")]
    public static partial float LossDenseGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde, Span<float> thetaBar);

    [Gradient(nameof(LossSparse), Wrt = "theta")]
    public static partial float LossSparseGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, int pde, Span<float> thetaBar);
}
