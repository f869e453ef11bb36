using System;
using Dsl;
using ILGPU;

namespace Pinn;

/// <summary>
/// The same batch gradient as <see cref="Model.LossSparseGradBatch"/>, split so that a thread runs one (point, probe)
/// pair instead of one point: 16 times the threads. The sparse estimate with |J| probes is the mean of the |J|
/// one-probe estimates d·∂²u/∂x_j², so with r_i the point's residual,
/// ∇θ Σ_i r_i² = Σ_i 2 r_i (1/|J|) Σ_j ∇θ[d ∂²u/∂x_j²](x_i) + Σ_i 2 r_i (1 − 3 u_i²) ∇θ u(x_i) (Allen–Cahn).
/// Pass 1 computes the one-probe terms (per pair) and u (per point); the host forms r_i; pass 2 sums the weighted
/// gradients of both (per pair and per point). Every kernel here is generated from these declarations.
/// </summary>
public static partial class Model
{
    // Pass 1: one probe's term per (point, probe) item; u per point.
    [Kernel(nameof(ULapSparse), PerItem = "x, probes")]
    public static partial void LapTermKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width, ArrayView<float> probes,
        ArrayView<float> result, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    [Kernel(nameof(U), PerItem = "x")]
    public static partial void UKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width, ArrayView<float> result,
        ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    // Pass 2: s · (one-probe term) and t · u, differentiated with respect to θ, summed over their items.
    [Differentiable]
    public static float WeightedLapTerm(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes, float s) =>
        s * ULapSparse(x, theta, width, probes);

    [Differentiable]
    public static float WeightedU(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float t) => t * U(x, theta, width);

    [Gradient(nameof(WeightedLapTerm), Wrt = "theta")]
    public static partial float WeightedLapTermGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, ReadOnlySpan<float> probes,
        float s, Span<float> thetaBar);

    [Gradient(nameof(WeightedU), Wrt = "theta")]
    public static partial float WeightedUGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width, float t, Span<float> thetaBar);

    [Kernel(nameof(WeightedLapTermGrad), PerItem = "x, probes, s", Sum = "thetaBar")]
    public static partial void WeightedLapTermGradKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, ArrayView<float> s, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    [Kernel(nameof(WeightedUGrad), PerItem = "x, t", Sum = "thetaBar")]
    public static partial void WeightedUGradKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> t, ArrayView<float> thetaBar, ArrayView<float> result, ArrayView<double> tape, ArrayView<int> tapeOverflow,
        ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
