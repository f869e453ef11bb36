using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Buffers of run-time length inside kernels through the per-thread <see cref="KernelScratch"/>, on
/// ILGPU's CPU accelerator: each kernel of <see cref="Jets"/> against the generated CPU method per
/// item, the scratch's sizing (a launch with an empty scratch reports each item's need) and its
/// overflow (a too-small slice is flagged, and nothing past the item's slice is written).
/// </summary>
public sealed class ScratchKernelTests : CpuAcceleratorTest
{
    // 37 items (not a multiple of any warp or group size) with rows of d = 5.
    private const int Items = 37;
    private const int Row = 5;
    private const int Order = 3;

    // QTaylor copies its input jet (Order·d values) into a normalized buffer of the same length.
    private const int TaylorSlice = Order * Row;

    // QLapDense takes a jet of d values and a 4-lane jet of 4·d (Lanes = 4) from the pool.
    private const int DenseSlice = Row + 4 * Row;

    // 6 probes: one chunk of 4 lanes and 2 one at a time, so both paths run.
    private const int Probes = 6;

    private readonly double[] _x = Batches.Doubles(Items * Row, 21);
    private readonly double[] _w = Batches.Doubles(Row, 22, 0.1, 2);
    private readonly double[] _jet = Batches.Doubles(Items * Order * Row, 23);
    private readonly double[] _probes = Batches.Doubles(Probes * Row, 24);

    /// <summary>Jets.QTaylorKernel over all items with a scratch view of <paramref name="length"/> doubles (a prefix of <paramref name="scratch"/>).</summary>
    private (double[] Y, int[] Needed) RunTaylor(MemoryBuffer1D<double, Stride1D.Dense> scratch, long length)
    {
        using var xb = Accelerator.Allocate1D(_x);
        using var wb = Accelerator.Allocate1D(_w);
        using var jb = Accelerator.Allocate1D(_jet);
        using var yb = Accelerator.Allocate1D<double>(Items * (Order + 1));
        using var nb = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, int, ArrayView<double>, ArrayView<int>>(Jets.QTaylorKernel);
        kernel(Items, xb.View, wb.View, jb.View, yb.View, Items, scratch.View.SubView(0, length), nb.View);
        Accelerator.Synchronize();
        return (yb.GetAsArray1D(), nb.GetAsArray1D());
    }

    /// <summary>Jets.QLapDenseKernel over all items with a scratch view of <paramref name="length"/> doubles.</summary>
    private (double[] Result, int[] Needed) RunDense(MemoryBuffer1D<double, Stride1D.Dense> scratch, long length)
    {
        using var xb = Accelerator.Allocate1D(_x);
        using var wb = Accelerator.Allocate1D(_w);
        using var pb = Accelerator.Allocate1D(_probes);
        using var rb = Accelerator.Allocate1D<double>(Items);
        using var nb = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<int>>(Jets.QLapDenseKernel);
        kernel(Items, xb.View, wb.View, pb.View, rb.View, scratch.View.SubView(0, length), nb.View);
        Accelerator.Synchronize();
        return (rb.GetAsArray1D(), nb.GetAsArray1D());
    }

    [Fact]
    public void Taylor_along_a_span_is_bit_identical_to_the_CPU_method()
    {
        using var scratch = Used(Items * TaylorSlice);
        var (y, needed) = RunTaylor(scratch, Items * TaylorSlice);
        var expected = new double[Order + 1];
        for (var i = 0; i < Items; i++)
        {
            Jets.QTaylor(_x.AsSpan(i * Row, Row), _w, _jet.AsSpan(i * Order * Row, Order * Row), expected);
            for (var k = 0; k <= Order; k++) AssertBits(expected[k], y[i * (Order + 1) + k], i);
            Assert.Equal(0, needed[i]);
        }
    }

    [Fact]
    public void Dense_Laplacian_estimator_is_bit_identical_to_the_CPU_method()
    {
        using var scratch = Used(Items * DenseSlice);
        var (result, needed) = RunDense(scratch, Items * DenseSlice);
        for (var i = 0; i < Items; i++)
        {
            AssertBits(Jets.QLapDense(_x.AsSpan(i * Row, Row), _w, _probes), result[i], i);
            Assert.Equal(0, needed[i]);
        }
    }

    [Fact]
    public void Exact_Laplacian_needs_no_scratch_and_is_bit_identical()
    {
        // The exact Laplacian runs one-hot jets whose buffers have constant lengths (local memory).
        using var xb = Accelerator.Allocate1D(_x);
        using var wb = Accelerator.Allocate1D(_w);
        using var rb = Accelerator.Allocate1D<double>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(
            Jets.QLapKernel);
        kernel(Items, xb.View, wb.View, rb.View);
        Accelerator.Synchronize();
        var result = rb.GetAsArray1D();
        for (var i = 0; i < Items; i++) AssertBits(Jets.QLap(_x.AsSpan(i * Row, Row), _w), result[i], i);
    }

    [Fact]
    public void A_run_time_buffer_starts_zeroed_on_a_used_scratch()
    {
        // Acc accumulates into its buffer of d doubles, so a slice left at NaN by an earlier launch
        // would show in every result unless the scratch zeroes what it hands out (as stackalloc is).
        using var xb = Accelerator.Allocate1D(_x);
        using var rb = Accelerator.Allocate1D<double>(Items);
        using var nb = Accelerator.Allocate1D<int>(Items);
        using var scratch = Used(Items * Row);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<int>>(Jets.AccKernel);
        kernel(Items, xb.View, rb.View, scratch.View, nb.View);
        Accelerator.Synchronize();
        var (result, needed) = (rb.GetAsArray1D(), nb.GetAsArray1D());
        for (var i = 0; i < Items; i++)
        {
            AssertBits(Jets.Acc(_x.AsSpan(i * Row, Row)), result[i], i);
            Assert.Equal(0, needed[i]);
        }
    }

    [Fact]
    public void An_empty_scratch_reports_the_slice_each_item_needs()
    {
        using var scratch = Accelerator.Allocate1D<double>(1);
        Assert.All(RunTaylor(scratch, 0).Needed, needed => Assert.Equal(TaylorSlice, needed));
        Assert.All(RunDense(scratch, 0).Needed, needed => Assert.Equal(DenseSlice, needed));
    }

    [Fact]
    public void A_too_small_slice_is_flagged_and_nothing_past_it_is_written()
    {
        const int guard = 64;
        const double sentinel = -12345.5;
        // Taylor: its one request (15) does not fit a slice of 12, so it goes to the sink and the
        // whole scratch, slices and guard, keeps its sentinels.
        const int taylorSlice = TaylorSlice - 3;
        using (var small = Accelerator.Allocate1D(Enumerable.Repeat(sentinel, Items * taylorSlice + guard).ToArray()))
        {
            Assert.All(RunTaylor(small, Items * taylorSlice).Needed, needed => Assert.Equal(TaylorSlice, needed));
            Assert.All(small.GetAsArray1D(), v => Assert.Equal(sentinel, v));
        }
        // Dense: the d-value jet fits a slice of d + 3 (and is used), the 4·d lane jet does not: the
        // slice's last 3 values and the guard keep their sentinels.
        const int denseSlice = Row + 3;
        using var dense = Accelerator.Allocate1D(Enumerable.Repeat(sentinel, Items * denseSlice + guard).ToArray());
        Assert.All(RunDense(dense, Items * denseSlice).Needed, needed => Assert.Equal(DenseSlice, needed));
        var after = dense.GetAsArray1D();
        for (var i = 0; i < Items; i++)
        {
            Assert.Contains(after.Skip(i * denseSlice).Take(Row), v => v != sentinel);
            for (var k = Row; k < denseSlice; k++) Assert.Equal(sentinel, after[i * denseSlice + k]);
        }
        for (var k = Items * denseSlice; k < after.Length; k++) Assert.Equal(sentinel, after[k]);
    }

    [Fact]
    public void Vjp_with_span_outputs_sized_by_an_empty_launch_is_bit_identical()
    {
        var yBar = Batches.Doubles(Items * Row, 25);
        using var xb = Accelerator.Allocate1D(_x);
        using var yb = Accelerator.Allocate1D<double>(Items * Row);
        using var sb = Accelerator.Allocate1D(yBar);
        using var gb = Accelerator.Allocate1D<double>(Items * Row);
        using var tn = Accelerator.Allocate1D<int>(Items);
        using var sn = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<int>>(Jets.RunVjpKernel);
        (int Tape, int Scratch) Launch(MemoryBuffer1D<double, Stride1D.Dense> tape, MemoryBuffer1D<double, Stride1D.Dense> scratch,
            long tapeLength, long scratchLength)
        {
            kernel(Items, xb.View, yb.View, sb.View, gb.View, Items, tape.View.SubView(0, tapeLength), tn.View,
                scratch.View.SubView(0, scratchLength), sn.View);
            Accelerator.Synchronize();
            return (tn.GetAsArray1D().Max(), sn.GetAsArray1D().Max());
        }
        using var none = Accelerator.Allocate1D<double>(1);
        var (tapeSlice, scratchSlice) = Launch(none, none, 0, 0);
        Assert.Equal(Row, scratchSlice); // the copy of the output seeds, as long as y
        Assert.True(tapeSlice > 0);
        using var tape = Accelerator.Allocate1D<double>(Items * tapeSlice);
        using var scratch = Used(Items * scratchSlice);
        Assert.Equal((0, 0), Launch(tape, scratch, Items * tapeSlice, Items * scratchSlice));
        var (y, xBar) = (yb.GetAsArray1D(), gb.GetAsArray1D());
        var (ey, eBar) = (new double[Row], new double[Row]);
        for (var i = 0; i < Items; i++)
        {
            Jets.RunVjp(_x.AsSpan(i * Row, Row), ey, yBar.AsSpan(i * Row, Row), eBar);
            for (var k = 0; k < Row; k++)
            {
                AssertBits(ey[k], y[i * Row + k], i);
                AssertBits(eBar[k], xBar[i * Row + k], i);
            }
        }
    }

    [Fact]
    public void Float_buffers_from_the_double_scratch_are_bit_identical()
    {
        const int K = 2;
        const float c = 0.7f;
        var x = Batches.Floats(Items * Row, 26);
        var jet = Batches.Floats(Items * K * Row, 27);
        // A float buffer of n takes ⌈n/2⌉ doubles: G's h (d = 5 floats) 3; GTaylor's normalized jet
        // (K·d = 10) 5, h 3 and h's jet (K·d) 5.
        const int gSlice = 3;
        const int taylorSlice = 5 + 3 + 5;
        using var xb = Accelerator.Allocate1D(x);
        using var jb = Accelerator.Allocate1D(jet);
        using var rb = Accelerator.Allocate1D<float>(Items);
        using var yb = Accelerator.Allocate1D<float>(Items * (K + 1));
        using var nb = Accelerator.Allocate1D<int>(Items);
        using var none = Accelerator.Allocate1D<double>(1);
        using var scratch = Used(Items * taylorSlice);
        var g = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>, ArrayView<double>,
            ArrayView<int>>(FJets.GKernel);
        var taylor = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, int,
            ArrayView<double>, ArrayView<int>>(FJets.GTaylorKernel);
        int[] Needed()
        {
            Accelerator.Synchronize();
            return nb.GetAsArray1D();
        }
        g(Items, xb.View, c, rb.View, none.View.SubView(0, 0), nb.View);
        Assert.All(Needed(), n => Assert.Equal(gSlice, n));
        taylor(Items, xb.View, c, jb.View, yb.View, Items, none.View.SubView(0, 0), nb.View);
        Assert.All(Needed(), n => Assert.Equal(taylorSlice, n));
        g(Items, xb.View, c, rb.View, scratch.View.SubView(0, Items * gSlice), nb.View);
        Assert.All(Needed(), n => Assert.Equal(0, n));
        var result = rb.GetAsArray1D();
        taylor(Items, xb.View, c, jb.View, yb.View, Items, scratch.View, nb.View);
        Assert.All(Needed(), n => Assert.Equal(0, n));
        var y = yb.GetAsArray1D();
        var expected = new float[K + 1];
        for (var i = 0; i < Items; i++)
        {
            AssertBits(FJets.G(x.AsSpan(i * Row, Row), c), result[i], i);
            FJets.GTaylor(x.AsSpan(i * Row, Row), c, jet.AsSpan(i * K * Row, K * Row), expected);
            for (var k = 0; k <= K; k++) AssertBits(expected[k], y[i * (K + 1) + k], i);
        }
    }

    /// <summary>A scratch view as a previous launch leaves it (NaN here): the kernel must zero what it hands out.</summary>
    private MemoryBuffer1D<double, Stride1D.Dense> Used(int length) =>
        Accelerator.Allocate1D(Enumerable.Repeat(double.NaN, length).ToArray());
}
