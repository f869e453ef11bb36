using Dsl.Kernel.Tests.Infrastructure;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>A while loop in a kernel (<see cref="NewtonItems"/>): on ILGPU's CPU accelerator, and through the launcher.</summary>
public sealed class WhileKernelTests : CpuAcceleratorTest
{
    // 37 items: Newton from 1 + a needs between 1 (a = 0) and about 8 iterations (a = 50) to reach the tolerance.
    private const int Items = 37;

    [Fact]
    public void A_while_loop_runs_in_the_kernel_as_on_the_cpu()
    {
        var a = Batches.Doubles(Items, 91, 0, 50);
        a[0] = 0;
        using var ab = Buffer(a);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(NewtonItems.SqrtBatch);
        kernel(Items, ab.View, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++) AssertBits(NewtonItems.Sqrt(a[i]), result[i], i);
    }

    [Fact]
    public void A_trip_count_that_differs_between_items_runs_per_item_and_says_why()
    {
        Assert.Equal("'Sqrt': runs a while/do loop (over 'iter') whose number of iterations differs between items",
            NewtonItems.SqrtBatchLauncher.LanesUnavailable);
        var a = Batches.Doubles(Items, 92, 0, 50);
        using var device = KernelDevice.Cpu(2);
        using var launcher = new NewtonItems.SqrtBatchLauncher(device);
        var result = new double[Items];
        launcher.Run(Items, a, result);
        for (var i = 0; i < Items; i++) AssertBits(NewtonItems.Sqrt(a[i]), result[i], i);
    }
}
