using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Every declared kernel run on ILGPU's CPU accelerator over a batch: each item's results are bit
/// for bit those of the generated (or user's) CPU method called on that item. The CPU accelerator
/// runs the kernel's IL with System.Math, so this checks the kernel dialect's logic and indexing
/// (rows, shared views, outputs), not GPU arithmetic.
/// </summary>
public sealed class CpuAcceleratorTests : CpuAcceleratorTest
{
    // 37 items (not a multiple of any warp or group size) with rows of 5.
    private const int Items = 37;
    private const int Row = 5;

    [Fact]
    public void Primal_with_a_loop_over_the_row_and_a_helper_call()
    {
        var x = Batches.Doubles(Items * Row, 1);
        var w = Batches.Doubles(Row, 2, 0.1, 2);
        const double s = 0.75;
        using var xb = Buffer(x);
        using var wb = Buffer(w);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, double, ArrayView<double>>(
            Quadratic.EnergyKernel);
        kernel(Items, xb.View, wb.View, s, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++)
        {
            var expected = Quadratic.Energy(x.AsSpan(i * Row, Row), w, s);
            AssertBits(expected, result[i], i);
        }
    }

    [Fact]
    public void Transcendentals_run_through_the_portable_math_library()
    {
        // The kernel calls Dsl.PortableMath where the CPU method calls System.Math: bit for bit
        // the same computation written with PortableMath, and within the library's measured error
        // of the CPU method (each of the d + 3 calls is within 1 ulp of the exact value in both
        // libraries, docs/portable-math.md; the sum adds at most one rounding of the result per term).
        var x = Batches.Doubles(Items * Row, 7);
        var w = Batches.Doubles(Row, 8, 0.1, 2);
        using var xb = Buffer(x);
        using var wb = Buffer(w);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(
            Smooth.ActKernel);
        kernel(Items, xb.View, wb.View, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++)
        {
            var row = x.AsSpan(i * Row, Row);
            AssertBits(Smooth.ActPortable(row, w), result[i], i);
            var cpu = Smooth.Act(row, w);
            // Row + 3 terms, each below 8 in magnitude here (|tanh|, exp(-x²) <= 1, (|x1| + 1)^1.5 and
            // |atan2| < 3) and each within 2 ulp between the libraries; each of the Row + 3 additions
            // rounds a partial sum below 8 * (Row + 3) and may round differently by 1 ulp of it.
            var ulp = Math.BitIncrement(8.0 * (Row + 3)) - 8.0 * (Row + 3);
            Assert.True(Math.Abs(result[i] - cpu) <= 3 * (Row + 3) * ulp, $"item {i}: kernel {result[i]:R}, CPU {cpu:R}");
        }
    }

    [Fact]
    public void Rounding_sign_and_clamp_are_exact_in_kernels()
    {
        var x = Batches.Doubles(Items * Row, 9);
        using var xb = Buffer(x);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(Steps.QKernel);
        kernel(Items, xb.View, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++) AssertBits(Steps.Q(x.AsSpan(i * Row, Row)), result[i], i);
    }

    [Fact]
    public void Forward_mode_with_per_item_tangents_and_an_out_view()
    {
        var x = Batches.Doubles(Items * Row, 3);
        var dx = Batches.Doubles(Items * Row, 4);
        var w = Batches.Doubles(Row, 5, 0.1, 2);
        const double s = -0.4;
        using var xb = Buffer(x);
        using var dxb = Buffer(dx);
        using var wb = Buffer(w);
        using var db = Accelerator.Allocate1D<double>(Items);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, double,
            ArrayView<double>, ArrayView<double>>(Quadratic.EnergyJvpKernel);
        kernel(Items, xb.View, dxb.View, wb.View, s, db.View, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        var tangent = db.GetAsArray1D();
        for (var i = 0; i < Items; i++)
        {
            var value = Quadratic.EnergyJvp(x.AsSpan(i * Row, Row), dx.AsSpan(i * Row, Row), w, s, out var d);
            AssertBits(value, result[i], i);
            AssertBits(d, tangent[i], i);
        }
    }

    [Fact]
    public void Taylor_order_2_with_span_output_rows_and_local_memory()
    {
        const int n = 3; // P reads x[0..2]
        var x = Batches.Floats(Items * n, 6);
        var jet = new[] { 0.5f, -1.25f };
        const float c = 0.3f;
        using var xb = Buffer(x);
        using var jb = Buffer(jet);
        using var yb = Accelerator.Allocate1D<float>(Items * 3);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, int>(
            Poly.PTaylorKernel);
        kernel(Items, xb.View, c, jb.View, yb.View, Items);
        Accelerator.Synchronize();
        var y = yb.GetAsArray1D();
        Span<float> expected = stackalloc float[3];
        for (var i = 0; i < Items; i++)
        {
            Poly.PTaylor(x.AsSpan(i * n, n), c, jet, expected);
            for (var k = 0; k < 3; k++) AssertBits(expected[k], y[i * 3 + k], i);
        }
    }

    [Fact]
    public void Float_primal_with_a_constant_size_local_buffer()
    {
        const int n = 3;
        var x = Batches.Floats(Items * n, 7);
        const float c = 1.7f;
        using var xb = Buffer(x);
        using var rb = Accelerator.Allocate1D<float>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(Poly.PKernel);
        kernel(Items, xb.View, c, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++) AssertBits(Poly.P(x.AsSpan(i * n, n), c), result[i], i);
    }
}
