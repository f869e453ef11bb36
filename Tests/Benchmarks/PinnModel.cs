using System;

namespace Dsl.Benchmarks;

/// <summary>
/// The PINN of <c>Samples/Pinn</c> (the STDE paper's benchmark network), copied so that the
/// benchmark declares its own derivatives: u(x) = (1 − ‖x‖²)·MLP(x), MLP d → w → w → w → 1
/// with tanh, all parameters in one span θ (W1 (w×d, row-major), b1, W2 (w×w), b2, W3 (w×w),
/// b3, w4 (w), b4). float, like the sample. Only public attributes are used: Taylor jets
/// (<c>--taylor</c>), the exact and STDE Laplacians, a Laplacian built from Hessian-vector
/// products, and the θ-gradients of the per-point Allen–Cahn losses (<c>--training</c>).
/// </summary>
public static partial class PinnModel
{
    public const int Width = 128;

    public static int ParameterCount(int d, int width) => width * d + width + 2 * (width * width + width) + width + 1;

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

    // ---- Taylor mode (--taylor): jets of order 1..6 along x. Jet layout: K·d values, row-major (v_1, …, v_K).

    [Taylor(nameof(U), Order = 1, Wrt = "x")]
    public static partial void UTaylor1(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(U), Order = 2, Wrt = "x")]
    public static partial void UTaylor2(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(U), Order = 3, Wrt = "x")]
    public static partial void UTaylor3(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(U), Order = 4, Wrt = "x")]
    public static partial void UTaylor4(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(U), Order = 5, Wrt = "x")]
    public static partial void UTaylor5(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(U), Order = 6, Wrt = "x")]
    public static partial void UTaylor6(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> xJet, Span<float> y);

    // ---- Laplacians (--training).

    [Laplacian(nameof(U), Wrt = "x")]
    public static partial float ULapExact(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial float ULapDense(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial float ULapSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes);

    /// <summary>Forward over reverse: ∇ₓu and H·v.</summary>
    [Hvp(nameof(U), Wrt = "x")]
    public static partial float UHvp(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> v, Span<float> xBar, Span<float> hv);

    /// <summary>The exact Laplacian as Σ_i e_iᵀ H e_i: d Hessian-vector products (forward over reverse).</summary>
    [Differentiable]
    public static float ULapHvp(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width)
    {
        int d = x.Length;
        Span<float> e = stackalloc float[d];
        Span<float> g = stackalloc float[d];
        Span<float> hv = stackalloc float[d];
        for (int k = 0; k < d; k++) e[k] = 0;
        float s = 0;
        for (int i = 0; i < d; i++)
        {
            e[i] = 1;
            float u = UHvp(x, theta, width, e, g, hv); // u itself is not needed; a discarded result is outside the subset
            s += hv[i];
            e[i] = 0;
        }
        return s;
    }

    // ---- Per-point Allen–Cahn losses, (Δu + u − u³ − f)², and their θ-gradients (reverse over Taylor).

    [Differentiable]
    public static float Residual(float lap, float u, float f) => lap + u - u * u * u - f;

    [Differentiable]
    public static float LossExact(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f)
    {
        float r = Residual(ULapExact(x, theta, width), U(x, theta, width), f);
        return r * r;
    }

    [Differentiable]
    public static float LossDense(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f)
    {
        float r = Residual(ULapDense(x, theta, width, probes), U(x, theta, width), f);
        return r * r;
    }

    [Differentiable]
    public static float LossSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f)
    {
        float r = Residual(ULapSparse(x, theta, width, probes), U(x, theta, width), f);
        return r * r;
    }

    [Differentiable]
    public static float LossHvp(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f)
    {
        float r = Residual(ULapHvp(x, theta, width), U(x, theta, width), f);
        return r * r;
    }

    [Gradient(nameof(LossExact), Wrt = "theta")]
    public static partial float LossExactGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f, Span<float> thetaBar);

    [Gradient(nameof(LossDense), Wrt = "theta")]
    public static partial float LossDenseGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, Span<float> thetaBar);

    [Gradient(nameof(LossSparse), Wrt = "theta")]
    public static partial float LossSparseGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float f, Span<float> thetaBar);

    // Reverse over forward-over-reverse: the θ-gradient of the loss on the HVP Laplacian.
    [Gradient(nameof(LossHvp), Wrt = "theta")]
    public static partial float LossHvpGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float f, Span<float> thetaBar);
}
