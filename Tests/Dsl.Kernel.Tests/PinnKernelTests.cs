using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// The PINN's training gradient (reverse mode over the sparse STDE Laplacian, i.e. over Taylor mode)
/// as a kernel, one collocation point per item, on ILGPU's CPU accelerator: a launch with empty tape
/// and scratch reports the sizes every item needs; a launch with them gives, for every item, the loss
/// and the θ-gradient row of the generated CPU method bit for bit. The model is Samples/Pinn's with an
/// algebraic sigmoid in place of tanh (<see cref="PinnAlg"/>), so both sides compute the same math;
/// the tanh model itself is compiled to PTX in <see cref="PtxTests"/>.
/// </summary>
public sealed class PinnKernelTests : CpuAcceleratorTest
{
    private const int Items = 7;
    private const int D = 4;
    private const int Width = 3;
    private const int ProbesPerPoint = 2;

    [Fact]
    public void Sparse_STDE_loss_gradient_per_point_equals_the_CPU_method()
    {
        var p = PinnAlg.ParameterCount(D, Width);
        var x = Batches.Floats(Items * D, 21, -0.5, 0.5);
        var theta = Batches.Floats(p, 22, -0.8, 0.8);
        var probes = new float[Items * ProbesPerPoint * D];
        var rng = new Probes(23);
        for (var i = 0; i < Items; i++) rng.FillSparseCoordinates(probes.AsSpan(i * ProbesPerPoint * D, ProbesPerPoint * D), D, ProbesPerPoint);
        const float f = 0.3f;
        const int pde = 0;
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, float, int,
            ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<int>>(
            PinnAlg.LossSparseGradKernel);
        using var xb = Accelerator.Allocate1D(x);
        using var tb = Accelerator.Allocate1D(theta);
        using var pb = Accelerator.Allocate1D(probes);
        using var gb = Accelerator.Allocate1D<float>(Items * p);
        using var rb = Accelerator.Allocate1D<float>(Items);
        using var tapeNeed = Accelerator.Allocate1D<int>(Items);
        using var scratchNeed = Accelerator.Allocate1D<int>(Items);

        // Sizing: empty tape and scratch; every item reports what it needs.
        using (var noTape = Accelerator.Allocate1D<double>(0))
        using (var noScratch = Accelerator.Allocate1D<double>(0))
        {
            kernel(Items, xb.View, tb.View, Width, pb.View, f, pde, gb.View, rb.View, noTape.View, tapeNeed.View, noScratch.View,
                scratchNeed.View);
            Accelerator.Synchronize();
        }
        // Every point has the same shape, so every item needs the same: 108 tape values and 128 scratch
        // values (reported, not assumed: the assertions below only require that the sizes suffice).
        var tapeLength = Max(tapeNeed.GetAsArray1D());
        var scratchLength = Max(scratchNeed.GetAsArray1D());
        Assert.True(tapeLength > 0 && scratchLength > 0, $"tape {tapeLength}, scratch {scratchLength}");
        Assert.All(tapeNeed.GetAsArray1D(), n => Assert.Equal(tapeLength, n));
        Assert.All(scratchNeed.GetAsArray1D(), n => Assert.Equal(scratchLength, n));

        using var tape = Accelerator.Allocate1D<double>(Items * tapeLength);
        using var scratch = Accelerator.Allocate1D<double>(Items * scratchLength);
        kernel(Items, xb.View, tb.View, Width, pb.View, f, pde, gb.View, rb.View, tape.View, tapeNeed.View, scratch.View, scratchNeed.View);
        Accelerator.Synchronize();
        Assert.All(tapeNeed.GetAsArray1D(), n => Assert.Equal(0, n));
        Assert.All(scratchNeed.GetAsArray1D(), n => Assert.Equal(0, n));
        var loss = rb.GetAsArray1D();
        var grad = gb.GetAsArray1D();
        var expected = new float[p];
        for (var i = 0; i < Items; i++)
        {
            var l = PinnAlg.LossSparseGrad(x.AsSpan(i * D, D), theta, Width, probes.AsSpan(i * ProbesPerPoint * D, ProbesPerPoint * D), f,
                pde, expected);
            Assert.Equal(BitConverter.SingleToInt32Bits(l), BitConverter.SingleToInt32Bits(loss[i]));
            for (var k = 0; k < p; k++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(grad[i * p + k]),
                    $"item {i}, θ[{k}]: kernel {grad[i * p + k]:R}, CPU {expected[k]:R}");
            }
        }
    }

    private static int Max(int[] a)
    {
        var m = 0;
        foreach (var v in a) m = Math.Max(m, v);
        return m;
    }
}
