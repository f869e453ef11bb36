using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace Dsl.Math.Tests;

/// <summary>
/// The runtime side of the launchers' lanes (<c>Dsl.Lanes</c>, the lane tape): the padded layout's index map is
/// invertible and keeps bounds, the lane-wise Max/Min/Sign are the scalar functions per lane bit for bit (NaN and
/// signed zeros included), a summed block adds each lane as the per-item path adds each item, gathers and scatters
/// reach the right slots and refuse bad indices, mixed masks stop a block.
/// </summary>
public sealed class LanesRuntimeTests
{
    private static readonly float[] Specials =
        [0f, -0f, 1f, -1f, 2.5f, -2.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 3e38f];

    [Fact]
    public void The_padded_index_map_is_strictly_increasing_and_inverted_by_Logical()
    {
        for (var n = 0; n <= 5000; n++)
        {
            Assert.Equal(n, Lanes.Logical(Lanes.Padded(n)));
            Assert.Equal(Lanes.Padded(n), Lanes.At(n));   // so index n (one past the end) is one past the last slot
            if (n > 0) Assert.True(Lanes.At(n) > Lanes.At(n - 1));
        }
        // Rows of 128 elements, the PINN's jet stride, are no longer 4,096 B apart (132 vectors of 32 B).
        Assert.Equal(132, Lanes.At(128));
        Assert.True(Lanes.At(-1) < 0);
    }

    [Fact]
    public void Max_Min_and_Sign_are_the_scalar_functions_lane_by_lane()
    {
        foreach (var a in Specials)
        {
            var x = Vector256.Create(Specials.Take(8).ToArray());
            var y = Vector256.Create(a);
            var max = Lanes.Max(x, y);
            var min = Lanes.Min(x, y);
            for (var l = 0; l < 8; l++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(System.Math.Max(x[l], a)), BitConverter.SingleToInt32Bits(max[l]));
                Assert.Equal(BitConverter.SingleToInt32Bits(System.Math.Min(x[l], a)), BitConverter.SingleToInt32Bits(min[l]));
            }
            var dx = Vector256.Create(Specials.Skip(4).Take(4).Select(v => (double)v).ToArray());
            var dmax = Lanes.Max(dx, Vector256.Create((double)a));
            var dmin = Lanes.Min(dx, Vector256.Create((double)a));
            for (var l = 0; l < 4; l++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(System.Math.Max(dx[l], a)), BitConverter.DoubleToInt64Bits(dmax[l]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(System.Math.Min(dx[l], a)), BitConverter.DoubleToInt64Bits(dmin[l]));
            }
        }
        var s = Lanes.Sign(Vector256.Create(Specials.Skip(4).Take(8).ToArray()));
        for (var l = 0; l < 8; l++) Assert.Equal((float)PortableMath.Sign(Specials[4 + l]), s[l]);
    }

    /// <summary>
    /// <paramref name="width"/> items' rows of <paramref name="row"/> values, transposed into a lane block and summed for
    /// every count of valid lanes: the same bits as adding the items one after another (elements one at a time).
    /// </summary>
    private static (T[][] Items, Vector256<T>[] Block) AssertSumsInItemOrder<T>(int row, int seed, Func<double, T> of,
        Action<T[], int, int, int, Vector256<T>[]> transpose, Action<double[], Vector256<T>[], int> accumulate)
        where T : struct, System.Numerics.INumber<T>
    {
        var width = Vector256<T>.Count;
        var rng = new Random(seed);
        var items = Enumerable.Range(0, width).Select(_ => Enumerable.Range(0, row).Select(_ => of(rng.NextDouble() * 2e3 - 1e3)).ToArray())
            .ToArray();
        var block = new Vector256<T>[Lanes.Padded(row)];
        transpose(items.SelectMany(r => r).ToArray(), row, 0, width, block);
        for (var valid = width; valid >= 1; valid--)
        {
            var expected = Enumerable.Range(0, row).Select(j => 0.1 * j).ToArray();
            var actual = expected.ToArray();
            for (var i = 0; i < valid; i++)
                for (var j = 0; j < row; j++) expected[j] += double.CreateChecked(items[i][j]);
            accumulate(actual, block, valid);
            for (var j = 0; j < row; j++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[j]), BitConverter.DoubleToInt64Bits(actual[j]));
        }
        return (items, block);
    }

    [Theory]
    [InlineData(70)]     // eight elements at a time through the padding slots after 32 and 64, then six one by one
    [InlineData(7)]      // one by one only
    [InlineData(300)]
    public void A_summed_block_adds_each_lane_as_the_per_item_path_adds_each_item(int row)
    {
        var (items, block) = AssertSumsInItemOrder(row, 5 + row, v => (float)v,
            (flat, r, first, valid, b) => Lanes.Transpose(flat, r, first, valid, b), (sum, b, valid) => Lanes.AccumulateLanes(sum, b, valid));
        var back = new float[row];
        Lanes.CopyLane(block, 3, back);
        Assert.Equal(items[3], back);
        // A partial block repeats its last item in the unused lanes.
        Lanes.Transpose(items.SelectMany(r => r).ToArray(), row, 0, 2, block);
        Lanes.CopyLane(block, 7, back);
        Assert.Equal(items[1], back);
    }

    [Theory]
    [InlineData(70)]     // four elements at a time through the padding slots after 32 and 64, then two one by one
    [InlineData(3)]      // one by one only
    [InlineData(301)]
    public void A_summed_double_block_adds_each_lane_as_the_per_item_path_adds_each_item(int row) =>
        AssertSumsInItemOrder(row, 11 + row, v => v,
            (flat, r, first, valid, b) => Lanes.Transpose(flat, r, first, valid, b), (sum, b, valid) => Lanes.AccumulateLanes(sum, b, valid));

    [Fact]
    public void Gathers_and_scatters_reach_each_lanes_own_slot_and_refuse_bad_indices()
    {
        var buffer = new Vector256<float>[Lanes.Padded(40)];
        var index = Vector256.Create(0, 1, 31, 32, 33, 39, 5, 5);
        var value = Vector256.Create(1f, 2, 3, 4, 5, 6, 7, 8);
        Lanes.Scatter(buffer, index, value);
        Lanes.ScatterAdd(buffer, index, value);
        var read = Lanes.Gather((ReadOnlySpan<Vector256<float>>)buffer, index);
        for (var l = 0; l < 8; l++)
        {
            Assert.Equal(2 * value[l], read[l]);
            Assert.Equal(2 * value[l], buffer[Lanes.At(index[l])][l]);
        }
        Assert.Throws<IndexOutOfRangeException>(() => Lanes.Scatter(buffer, Vector256.Create(40), value));
        Assert.Throws<IndexOutOfRangeException>(() => Lanes.ScatterAdd(buffer, Vector256.Create(-1), value));
        // One bad lane among good ones, at either end of the range, and an index whose slot overflows int.
        foreach (var bad in new[] { 40, -1, int.MaxValue, int.MinValue })
        {
            var mixed = index.WithElement(6, bad);
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.ScatterAdd(buffer, mixed, value));
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.Gather((ReadOnlySpan<Vector256<float>>)buffer, mixed));
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.Gather((ReadOnlySpan<float>)new float[40], mixed));
        }
        // A failed call leaves the buffer as it was.
        for (var l = 0; l < 8; l++) Assert.Equal(2 * value[l], buffer[Lanes.At(index[l])][l]);
        // A shared buffer read at per-lane indices, and a scatter-add with several lanes at one index (each its own slot).
        var shared = Enumerable.Range(0, 40).Select(i => 0.5f * i - 3).ToArray();
        var gathered = Lanes.Gather((ReadOnlySpan<float>)shared, index);
        for (var l = 0; l < 8; l++) Assert.Equal(shared[index[l]], gathered[l]);
        var rnd = new Random(3);
        var lanes = Enumerable.Range(0, Lanes.Padded(40)).Select(_ => Vector256.Create(Enumerable.Range(0, 8)
            .Select(_ => (float)(rnd.NextDouble() * 200 - 100)).ToArray())).ToArray();
        var expected = lanes.Select(v => v).ToArray();
        var same = Vector256.Create(7, 7, 7, 39, 0, 0, 32, 31);
        var add = Vector256.Create(0.1f, -0.2f, 0.3f, 1e-3f, 5, -5, 1e6f, -1e-6f);
        Lanes.ScatterAdd(lanes, same, add);
        for (var l = 0; l < 8; l++)
        {
            var slot = Lanes.At(same[l]);
            expected[slot] = expected[slot].WithElement(l, expected[slot][l] + add[l]);
        }
        for (var i = 0; i < lanes.Length; i++)
        {
            for (var l = 0; l < 8; l++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[i][l]), BitConverter.SingleToInt32Bits(lanes[i][l]));
        }
        Assert.Throws<LanesDivergedException>(() => Lanes.Uniform(Vector256.Create(-1, 0, 0, 0, 0, 0, 0, 0)));
        Assert.True(Lanes.Uniform(Vector256<int>.AllBitsSet));
        Assert.False(Lanes.Uniform(Vector256<long>.Zero));
    }

    /// <summary>
    /// A guarded gather (a one-hot column whose index is −1 in the lanes of a padded chunk) reads only the lanes its mask
    /// takes: the others give 0 whatever their index, and a lane the mask takes is still range-checked.
    /// </summary>
    [Fact]
    public void A_masked_gather_reads_only_the_lanes_it_takes()
    {
        var shared = Enumerable.Range(0, 10).Select(i => 1f + i).ToArray();
        var index = Vector256.Create(0, 9, -1, 3, 100, 5, -7, 2);
        var mask = Vector256.Create(-1, -1, 0, -1, 0, -1, 0, -1);
        var read = Lanes.GatherWhere((ReadOnlySpan<float>)shared, index, mask);
        Assert.Equal(new[] { 1f, 10f, 0f, 4f, 0f, 6f, 0f, 3f }, Enumerable.Range(0, 8).Select(l => read.GetElement(l)).ToArray());
        Assert.Throws<IndexOutOfRangeException>(() => Lanes.GatherWhere((ReadOnlySpan<float>)shared, index, Vector256<int>.AllBitsSet));
        var doubles = shared.Select(v => (double)v).ToArray();
        var read2 = Lanes.GatherWhere((ReadOnlySpan<double>)doubles, Vector256.Create(4L, -1L, 9L, 50L), Vector256.Create(-1L, 0L, -1L, 0L));
        Assert.Equal(new[] { 5.0, 0.0, 10.0, 0.0 }, Enumerable.Range(0, 4).Select(l => read2.GetElement(l)).ToArray());
        Assert.Throws<IndexOutOfRangeException>(
            () => Lanes.GatherWhere((ReadOnlySpan<double>)doubles, Vector256.Create(4L, -1L, 9L, 50L), Vector256<long>.AllBitsSet));
    }

    [Fact]
    public void Double_gathers_and_scatter_adds_reach_each_lanes_own_slot_and_refuse_bad_indices()
    {
        var rnd = new Random(4);
        var buffer = Enumerable.Range(0, Lanes.Padded(40)).Select(_ => Vector256.Create(Enumerable.Range(0, 4)
            .Select(_ => rnd.NextDouble() * 200 - 100).ToArray())).ToArray();
        var expected = buffer.ToArray();
        // Two lanes at one index (each its own slot), both sides of a padding slot, the last element.
        var index = Vector256.Create(7L, 7, 32, 39);
        var value = Vector256.Create(0.1, -0.2, 1e6, -1e-6);
        Lanes.ScatterAdd(buffer, index, value);
        for (var l = 0; l < 4; l++)
        {
            var slot = Lanes.At((int)index[l]);
            expected[slot] = expected[slot].WithElement(l, expected[slot][l] + value[l]);
        }
        for (var i = 0; i < buffer.Length; i++)
        {
            for (var l = 0; l < 4; l++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i][l]), BitConverter.DoubleToInt64Bits(buffer[i][l]));
        }
        var read = Lanes.Gather((ReadOnlySpan<Vector256<double>>)buffer, index);
        for (var l = 0; l < 4; l++) Assert.Equal(buffer[Lanes.At((int)index[l])][l], read[l]);
        var shared = Enumerable.Range(0, 40).Select(i => 0.5 * i - 3).ToArray();
        var gathered = Lanes.Gather((ReadOnlySpan<double>)shared, index);
        for (var l = 0; l < 4; l++) Assert.Equal(shared[index[l]], gathered[l]);
        // One bad lane among good ones, at either end of the range: thrown before anything is written.
        var before = buffer.ToArray();
        foreach (var bad in new[] { 40L, -1L, int.MinValue })
        {
            var mixed = index.WithElement(2, bad);
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.ScatterAdd(buffer, mixed, value));
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.Gather((ReadOnlySpan<Vector256<double>>)buffer, mixed));
            Assert.Throws<IndexOutOfRangeException>(() => Lanes.Gather((ReadOnlySpan<double>)shared, mixed));
        }
        Assert.Equal(before, buffer);
    }

    [Fact]
    public void The_lane_tape_returns_vectors_and_scalars_in_reverse_order()
    {
        var tape = Tape.Rent();
        for (var i = 0; i < 100; i++)
        {
            tape.Push(Vector256.Create((float)i));
            tape.Push(i);
            tape.Push(Vector256.Create((double)i));
            tape.Push(Vector256.Create((long)-i));
        }
        for (var i = 99; i >= 0; i--)
        {
            Assert.Equal(Vector256.Create((long)-i), tape.PopLanesInt64());
            Assert.Equal(Vector256.Create((double)i), tape.PopLanesDouble());
            Assert.Equal(i, tape.PopInt32());
            Assert.Equal(Vector256.Create((float)i), tape.PopLanesSingle());
        }
        tape.Release();
    }
}
