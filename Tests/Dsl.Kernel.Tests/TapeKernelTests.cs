using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Reverse mode inside kernels through the per-thread <see cref="KernelTape"/>, on ILGPU's CPU
/// accelerator: the gradient kernel against the generated CPU gradient per item, the tape's sizing
/// (a launch with an empty tape reports each item's need) and its overflow (a too-small slice is
/// flagged and nothing past it is written).
/// </summary>
public sealed class TapeKernelTests : CpuAcceleratorTest
{
    // 37 items (not a multiple of any warp or group size) with rows of 5.
    private const int Items = 37;
    private const int Row = 5;

    // Rad.RGradient pushes 4 doubles per iteration of its loop over the row (acc and the three
    // values its adjoint reads: see Snapshots/SnapshotTests.Rad.verified.cs), and then, with those
    // still on the tape, calls Chain's pullback, which pushes 2 per iteration of its own loop and pops
    // them before it returns: at most 6 per element held at once.
    private const int RadSlice = (4 + 2) * Row;

    private readonly double[] _x = Batches.Doubles(Items * Row, 11);
    private readonly double[] _w = Batches.Doubles(Row, 12, 0.1, 2);

    /// <summary>Rad.RGradientKernel over all items with a tape view of <paramref name="tapeLength"/> doubles (a prefix of <paramref name="tape"/>).</summary>
    private (double[] Result, double[] XBar, int[] Overflow) RunRad(MemoryBuffer1D<double, Stride1D.Dense> tape, long tapeLength)
    {
        using var xb = Accelerator.Allocate1D(_x);
        using var wb = Accelerator.Allocate1D(_w);
        using var gb = Accelerator.Allocate1D<double>(Items * Row);
        using var rb = Accelerator.Allocate1D<double>(Items);
        using var ob = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<int>>(Rad.RGradientKernel);
        kernel(Items, xb.View, wb.View, gb.View, rb.View, tape.View.SubView(0, tapeLength), ob.View);
        Accelerator.Synchronize();
        return (rb.GetAsArray1D(), gb.GetAsArray1D(), ob.GetAsArray1D());
    }

    [Fact]
    public void Gradient_through_the_tape_is_bit_identical_to_the_CPU_gradient()
    {
        using var tape = Accelerator.Allocate1D<double>(Items * RadSlice);
        var (result, xBar, overflow) = RunRad(tape, Items * RadSlice);
        var expectedBar = new double[Row];
        for (var i = 0; i < Items; i++)
        {
            var value = Rad.RGradient(_x.AsSpan(i * Row, Row), _w, expectedBar);
            AssertBits(value, result[i], i);
            for (var k = 0; k < Row; k++) AssertBits(expectedBar[k], xBar[i * Row + k], i);
            Assert.Equal(0, overflow[i]);
        }
    }

    [Fact]
    public void An_empty_tape_reports_the_slice_each_item_needs()
    {
        using var tape = Accelerator.Allocate1D<double>(1);
        var (_, _, overflow) = RunRad(tape, 0);
        Assert.All(overflow, needed => Assert.Equal(RadSlice, needed));
    }

    [Fact]
    public void A_too_small_slice_is_flagged_and_nothing_past_it_is_written()
    {
        // The full run leaves every pushed value in its slot (pops do not clear), so a slice 3 slots
        // short must hold exactly the full run's first RadSlice - 3 values of that item.
        using var full = Accelerator.Allocate1D<double>(Items * RadSlice);
        RunRad(full, Items * RadSlice);
        var fullTape = full.GetAsArray1D();
        const int slice = RadSlice - 3;
        const int guard = 64;
        const double sentinel = -12345.5;
        using var small = Accelerator.Allocate1D(Enumerable.Repeat(sentinel, Items * slice + guard).ToArray());
        var (_, _, overflow) = RunRad(small, Items * slice);
        var smallTape = small.GetAsArray1D();
        Assert.All(overflow, needed => Assert.Equal(RadSlice, needed));
        for (var i = 0; i < Items; i++)
        {
            for (var k = 0; k < slice; k++) AssertBits(fullTape[i * RadSlice + k], smallTape[i * slice + k], i);
        }
        for (var k = Items * slice; k < smallTape.Length; k++) Assert.Equal(sentinel, smallTape[k]);
    }

    [Fact]
    public void Float_gradient_with_a_branch_is_bit_identical()
    {
        var x = Batches.Floats(Items * Row, 15);
        const float c = 0.8f;
        // FGradient pushes acc every iteration and the square root in the taken branch: at most 2 per element.
        const int slice = 2 * Row;
        using var xb = Accelerator.Allocate1D(x);
        using var gb = Accelerator.Allocate1D<float>(Items * Row);
        using var rb = Accelerator.Allocate1D<float>(Items);
        using var tb = Accelerator.Allocate1D<double>(Items * slice);
        using var ob = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>, ArrayView<float>,
            ArrayView<double>, ArrayView<int>>(FRad.FGradientKernel);
        kernel(Items, xb.View, c, gb.View, rb.View, tb.View, ob.View);
        Accelerator.Synchronize();
        var (result, xBar, overflow) = (rb.GetAsArray1D(), gb.GetAsArray1D(), ob.GetAsArray1D());
        var expectedBar = new float[Row];
        for (var i = 0; i < Items; i++)
        {
            var value = FRad.FGradient(x.AsSpan(i * Row, Row), c, expectedBar);
            AssertBits(value, result[i], i);
            for (var k = 0; k < Row; k++) AssertBits(expectedBar[k], xBar[i * Row + k], i);
            Assert.Equal(0, overflow[i]);
        }
    }

    [Fact]
    public void Transcendental_gradient_is_within_the_math_libraries_bound()
    {
        var x = Batches.Doubles(Items * Row, 13);
        var w = Batches.Doubles(Row, 14, 0.1, 2);
        const int slice = 2 * Row; // LGradient pushes m and m_1 per iteration
        using var xb = Accelerator.Allocate1D(x);
        using var wb = Accelerator.Allocate1D(w);
        using var gb = Accelerator.Allocate1D<double>(Items * Row);
        using var rb = Accelerator.Allocate1D<double>(Items);
        using var tb = Accelerator.Allocate1D<double>(Items * slice);
        using var ob = Accelerator.Allocate1D<int>(Items);
        var kernel = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<int>>(Layer.LGradientKernel);
        kernel(Items, xb.View, wb.View, gb.View, rb.View, tb.View, ob.View);
        Accelerator.Synchronize();
        var (result, xBar, overflow) = (rb.GetAsArray1D(), gb.GetAsArray1D(), ob.GetAsArray1D());
        // u = 2^-52. The kernel's tanh (PortableMath, 1 ulp, docs/portable-math.md) and the CPU's (glibc,
        // 2 ulp documented) differ by at most 3 ulp of |t| < 1, i.e. 1.5u; everything else is the same
        // hardware arithmetic, and a difference d in an operand of one rounded operation becomes at most
        // |other operand| * d + one ulp of the result. With |x| <= 1.5 and |w| <= 2:
        // - xBar[k] = (x_k/m-part, identical, |.| <= 1) + t + w (1 - t^2) x: t 1.5u; t^2 2*1.5u + u = 4u;
        //   1 - t^2 5u; * x 7.5u + u; * w 17u + 2u; two additions of partial sums below 8 (ulp 4u): 28.5u;
        // - result = sum of Row terms t x (each 1.5*1.5u + u = 3.25u, added to partial sums below 8: 4u)
        //   + m (|result| < 16: 8u): (7.25 Row + 8)u.
        const double u = 1.0 / (1L << 52);
        var expectedBar = new double[Row];
        for (var i = 0; i < Items; i++)
        {
            var value = Layer.LGradient(x.AsSpan(i * Row, Row), w, expectedBar);
            Assert.True(Math.Abs(result[i] - value) <= (7.25 * Row + 8) * u, $"item {i}: kernel {result[i]:R}, CPU {value:R}");
            for (var k = 0; k < Row; k++)
            {
                var got = xBar[i * Row + k];
                Assert.True(Math.Abs(got - expectedBar[k]) <= 28.5 * u, $"item {i}, xBar[{k}]: kernel {got:R}, CPU {expectedBar[k]:R}");
            }
            Assert.Equal(0, overflow[i]);
        }
    }
}
