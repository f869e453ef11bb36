using Dsl;
using ILGPU;

namespace Pinn;

/// <summary>
/// The training step's batch as one declaration: the sparse-STDE loss gradient of every collocation point
/// (x, its probes and its source value f per point; θ, the width and the PDE shared), with the losses and the
/// θ-gradients summed over the batch. The generator writes the ILGPU kernel and its launcher,
/// <c>LossSparseGradBatchLauncher</c>, which runs the batch on the CPU cores (the generated C#) or on a GPU.
/// </summary>
public static partial class Model
{
    [Kernel(nameof(LossSparseGrad), PerItem = "x, probes, f", Sum = "thetaBar, result")]
    public static partial void LossSparseGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, ArrayView<float> f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    [Kernel(nameof(LossDenseGrad), PerItem = "x, probes, f", Sum = "thetaBar, result")]
    public static partial void LossDenseGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, ArrayView<float> f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    /// <summary>u_θ at many points (the held-out error): W points per call in lanes on the CPU cores, or on a GPU.</summary>
    [Kernel(nameof(U), PerItem = "x")]
    public static partial void UBatch(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width, ArrayView<float> result,
        ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    [Kernel(nameof(LossExactGrad), PerItem = "x, f", Sum = "thetaBar, result")]
    public static partial void LossExactGradBatch(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
