using ILGPU;
using Dsl;

namespace Pinn;

/// <summary>
/// Samples/Pinn's model (compiled here from the sample's own file) with its sparse-STDE training
/// gradient as a kernel: tanh and sin run through Dsl.PortableMath there. One collocation point per
/// item (x, probes and the θ-gradient row per item; θ, the width, the source value and the PDE shared).
/// </summary>
public static partial class Model
{
    [Kernel(nameof(LossSparseGrad), PerItem = "x, probes, thetaBar")]
    public static partial void LossSparseGradKernel(Index1D item, ArrayView<float> x, ArrayView<float> theta, int width,
        ArrayView<float> probes, float f, int pde, ArrayView<float> thetaBar, ArrayView<float> result,
        ArrayView<double> tape, ArrayView<int> tapeOverflow, ArrayView<double> scratch, ArrayView<int> scratchNeeded);
}
