using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dsl;

/// <summary>
/// What the lanes methods of a <c>[Kernel]</c> launcher call (W items of a batch in the W lanes of a <c>Vector256</c>:
/// 8 floats or 4 doubles; see docs/vectorization.md): per-lane loads at per-item indices, the math primitives that have
/// no lane-wise hardware instruction (each lane computes exactly what the kernel's scalar code computes), masks, and
/// pooled lane buffers. A per-item <c>bool</c> is a mask of all-ones or all-zeros lanes, as wide as the lane's integer
/// (<c>int</c> beside float lanes, <c>long</c> beside double lanes).
/// </summary>
public static class Lanes
{
    /// <summary>
    /// Where element <paramref name="i"/> of a lane buffer lives: one spare vector after every 32. Why: a jet buffer of
    /// width 128 has its rows 128 × 32 B = 4,096 B apart, so the nine rows a Taylor 2x4 loop reads and writes per step
    /// alias in the low 12 address bits and every load waits on the stores (4K aliasing); the PINN's reverse inner loop
    /// ran at 5.1 ns per item and step at stride 128, 0.92 ns at stride 132. Strictly increasing, and
    /// <see cref="Padded"/>(n) = At(n), so an index is in range exactly when its slot is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int At(int i) => i + (i >> 5);

    /// <summary>The vectors a lane buffer of <paramref name="length"/> elements takes (see <see cref="At"/>).</summary>
    public static int Padded(int length) => length + (length >> 5);

    /// <summary>The elements a lane buffer of <paramref name="physical"/> vectors holds (the inverse of <see cref="Padded"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Logical(int physical) => physical - physical / 33;

    // ---- the tape's stacks in locals (see Tape.DoubleStack): one vector per lane push ----

    /// <summary>Saves <paramref name="lanes"/> at <paramref name="at"/> … at + 7 of a tape stack (range-checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Save(float[] stack, int at, Vector256<float> lanes) => lanes.CopyTo(new Span<float>(stack, at, 8));

    /// <summary>Saves <paramref name="lanes"/> at <paramref name="at"/> … at + 3 of a tape stack (range-checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Save(double[] stack, int at, Vector256<double> lanes) => lanes.CopyTo(new Span<double>(stack, at, 4));

    /// <summary>Saves <paramref name="lanes"/> at <paramref name="at"/> … at + 7 of a tape stack (range-checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Save(int[] stack, int at, Vector256<int> lanes) => lanes.CopyTo(new Span<int>(stack, at, 8));

    /// <summary>The lanes saved at <paramref name="at"/> … at + 7 of a tape stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadSingles(float[] stack, int at) => Vector256.Create(new ReadOnlySpan<float>(stack, at, 8));

    /// <summary>The lanes saved at <paramref name="at"/> … at + 3 of a tape stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadDoubles(double[] stack, int at) => Vector256.Create(new ReadOnlySpan<double>(stack, at, 4));

    /// <summary>The lanes saved at <paramref name="at"/> … at + 7 of a tape stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> LoadInt32s(int[] stack, int at) => Vector256.Create(new ReadOnlySpan<int>(stack, at, 8));

    /// <summary>Lane l: <paramref name="buffer"/>[index[l]] (a gather: each item reads its own element).</summary>
    /// <remarks>With AVX2 one gather instruction after one range check of all lanes (a negative index is a large unsigned
    /// one); an index out of range throws as the indexer does. The lane-at-a-time loop was 5.5 % of a sparse PINN step
    /// (the first layer's one-hot columns).</remarks>
    public static Vector256<float> Gather(ReadOnlySpan<float> buffer, Vector256<int> index)
    {
        if (Avx2.IsSupported)
        {
            if (!Vector256.LessThanAll(index.AsUInt32(), Vector256.Create((uint)buffer.Length))) throw new IndexOutOfRangeException();
            unsafe
            {
                fixed (float* p = buffer) return Avx2.GatherVector256(p, index, 4);
            }
        }
        Span<float> v = stackalloc float[Vector256<float>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = buffer[index.GetElement(l)];
        return Vector256.Create<float>(v);
    }

    /// <inheritdoc cref="Gather(ReadOnlySpan{float}, Vector256{int})"/>
    public static Vector256<double> Gather(ReadOnlySpan<double> buffer, Vector256<long> index)
    {
        if (Avx2.IsSupported)
        {
            if (!Vector256.LessThanAll(index.AsUInt64(), Vector256.Create((ulong)buffer.Length))) throw new IndexOutOfRangeException();
            unsafe
            {
                fixed (double* p = buffer) return Avx2.GatherVector256(p, index, 8);
            }
        }
        Span<double> v = stackalloc double[Vector256<double>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = buffer[(int)index.GetElement(l)];
        return Vector256.Create<double>(v);
    }

    /// <summary>
    /// Lane l: <paramref name="buffer"/>[index_l] where <paramref name="mask"/> is set, else 0 (nothing read): a load that a
    /// select guards (<c>0 &lt;= i &amp;&amp; i &lt; n ? x[i] : 0</c>, a one-hot column) must not fault in the lanes it
    /// does not take. A lane the mask takes must be in range.
    /// </summary>
    public static Vector256<float> GatherWhere(ReadOnlySpan<float> buffer, Vector256<int> index, Vector256<int> mask)
    {
        var inRange = Vector256.LessThan(index.AsUInt32(), Vector256.Create((uint)buffer.Length)).AsInt32();
        if (!Vector256.EqualsAll(inRange | ~mask, Vector256<int>.AllBitsSet)) throw new IndexOutOfRangeException();
        if (Avx2.IsSupported)
        {
            unsafe
            {
                fixed (float* p = buffer) return Avx2.GatherMaskVector256(Vector256<float>.Zero, p, index, mask.AsSingle(), 4);
            }
        }
        Span<float> v = stackalloc float[Vector256<float>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = mask.GetElement(l) != 0 ? buffer[index.GetElement(l)] : 0f;
        return Vector256.Create<float>(v);
    }

    /// <summary>Lane l: <paramref name="buffer"/>[index_l] where <paramref name="mask"/> is set, else 0 (see the float form).</summary>
    public static Vector256<double> GatherWhere(ReadOnlySpan<double> buffer, Vector256<long> index, Vector256<long> mask)
    {
        var inRange = Vector256.LessThan(index.AsUInt64(), Vector256.Create((ulong)buffer.Length)).AsInt64();
        if (!Vector256.EqualsAll(inRange | ~mask, Vector256<long>.AllBitsSet)) throw new IndexOutOfRangeException();
        if (Avx2.IsSupported)
        {
            unsafe
            {
                fixed (double* p = buffer) return Avx2.GatherMaskVector256(Vector256<double>.Zero, p, index, mask.AsDouble(), 8);
            }
        }
        Span<double> v = stackalloc double[Vector256<double>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = mask.GetElement(l) != 0 ? buffer[(int)index.GetElement(l)] : 0.0;
        return Vector256.Create<double>(v);
    }

    /// <inheritdoc cref="Gather(ReadOnlySpan{float}, Vector256{int})"/>
    public static Vector256<int> Gather(ReadOnlySpan<int> buffer, Vector256<int> index)
    {
        Span<int> v = stackalloc int[Vector256<int>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = buffer[index.GetElement(l)];
        return Vector256.Create<int>(v);
    }

    /// <summary>Whether the AVX2 paths can address every float of a lane buffer of <paramref name="length"/> vectors with int
    /// offsets.</summary>
    private static bool GatherAddressable(int length) => Avx2.IsSupported && length <= int.MaxValue / 8;

    /// <summary>
    /// The float offsets of lane l of slot <see cref="At"/>(index[l]) in a lane buffer of <paramref name="length"/> vectors;
    /// throws as an indexer does when a slot is out of range (a negative slot is a large unsigned one), before anything is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> LaneOffsets(Vector256<int> index, int length)
    {
        var slot = index + Vector256.ShiftRightArithmetic(index, 5);
        if (!Vector256.LessThanAll(slot.AsUInt32(), Vector256.Create((uint)length))) throw new IndexOutOfRangeException();
        return Vector256.ShiftLeft(slot, 3) + Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
    }

    /// <inheritdoc cref="LaneOffsets(Vector256{int}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> LaneOffsets(Vector256<long> index, int length)
    {
        var slot = index + Vector256.ShiftRightArithmetic(index, 5);
        if (!Vector256.LessThanAll(slot.AsUInt64(), Vector256.Create((ulong)length))) throw new IndexOutOfRangeException();
        return Vector256.ShiftLeft(slot, 2) + Vector256.Create(0L, 1, 2, 3);
    }

    /// <summary>Lane l: lane l of <paramref name="buffer"/>[index[l]] (per-item data at a per-item index).</summary>
    public static Vector256<float> Gather(ReadOnlySpan<Vector256<float>> buffer, Vector256<int> index)
    {
        if (GatherAddressable(buffer.Length))
        {
            var offsets = LaneOffsets(index, buffer.Length);
            unsafe
            {
                fixed (Vector256<float>* p = buffer) return Avx2.GatherVector256((float*)p, offsets, 4);
            }
        }
        Span<float> v = stackalloc float[Vector256<float>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = buffer[At(index.GetElement(l))].GetElement(l);
        return Vector256.Create<float>(v);
    }

    /// <inheritdoc cref="Gather(ReadOnlySpan{Vector256{float}}, Vector256{int})"/>
    public static Vector256<double> Gather(ReadOnlySpan<Vector256<double>> buffer, Vector256<long> index)
    {
        if (Avx2.IsSupported)
        {
            var offsets = LaneOffsets(index, buffer.Length);
            unsafe
            {
                fixed (Vector256<double>* p = buffer) return Avx2.GatherVector256((double*)p, offsets, 8);
            }
        }
        Span<double> v = stackalloc double[Vector256<double>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = buffer[At((int)index.GetElement(l))].GetElement(l);
        return Vector256.Create<double>(v);
    }

    /// <summary>Lane l of <paramref name="buffer"/>[index[l]] set to lane l of <paramref name="value"/> (each item writes its own
    /// copy, in lane order).</summary>
    public static void Scatter(Span<Vector256<float>> buffer, Vector256<int> index, Vector256<float> value)
    {
        ref var first = ref Unsafe.As<Vector256<float>, float>(ref MemoryMarshal.GetReference(buffer));
        for (var l = 0; l < 8; l++)
        {
            var k = At(index.GetElement(l));
            if ((uint)k >= (uint)buffer.Length) throw new IndexOutOfRangeException();
            Unsafe.Add(ref first, k * 8 + l) = value.GetElement(l);
        }
    }

    /// <inheritdoc cref="Scatter(Span{Vector256{float}}, Vector256{int}, Vector256{float})"/>
    public static void Scatter(Span<Vector256<double>> buffer, Vector256<long> index, Vector256<double> value)
    {
        ref var first = ref Unsafe.As<Vector256<double>, double>(ref MemoryMarshal.GetReference(buffer));
        for (var l = 0; l < 4; l++)
        {
            var k = At((int)index.GetElement(l));
            if ((uint)k >= (uint)buffer.Length) throw new IndexOutOfRangeException();
            Unsafe.Add(ref first, k * 4 + l) = value.GetElement(l);
        }
    }

    /// <summary>Lane l of <paramref name="value"/> added to lane l of <paramref name="buffer"/>[index[l]].</summary>
    /// <remarks>With AVX2 the eight old values come in one gather and go back in eight stores: each lane has its own slot,
    /// so no two lanes write the same float, and each gets the one addition the lane-at-a-time loop makes. That loop was
    /// 10 % of a sparse PINN step (the first layer's one-hot columns of θ̄).</remarks>
    public static void ScatterAdd(Span<Vector256<float>> buffer, Vector256<int> index, Vector256<float> value)
    {
        ref var first = ref Unsafe.As<Vector256<float>, float>(ref MemoryMarshal.GetReference(buffer));
        if (GatherAddressable(buffer.Length))
        {
            var offsets = LaneOffsets(index, buffer.Length);
            Vector256<float> sum;
            unsafe
            {
                fixed (Vector256<float>* p = buffer) sum = Avx2.GatherVector256((float*)p, offsets, 4) + value;
            }
            Unsafe.Add(ref first, offsets.GetElement(0)) = sum.GetElement(0);
            Unsafe.Add(ref first, offsets.GetElement(1)) = sum.GetElement(1);
            Unsafe.Add(ref first, offsets.GetElement(2)) = sum.GetElement(2);
            Unsafe.Add(ref first, offsets.GetElement(3)) = sum.GetElement(3);
            Unsafe.Add(ref first, offsets.GetElement(4)) = sum.GetElement(4);
            Unsafe.Add(ref first, offsets.GetElement(5)) = sum.GetElement(5);
            Unsafe.Add(ref first, offsets.GetElement(6)) = sum.GetElement(6);
            Unsafe.Add(ref first, offsets.GetElement(7)) = sum.GetElement(7);
            return;
        }
        for (var l = 0; l < 8; l++)
        {
            if ((uint)At(index.GetElement(l)) >= (uint)buffer.Length) throw new IndexOutOfRangeException();
        }
        for (var l = 0; l < 8; l++) Unsafe.Add(ref first, At(index.GetElement(l)) * 8 + l) += value.GetElement(l);
    }

    /// <inheritdoc cref="ScatterAdd(Span{Vector256{float}}, Vector256{int}, Vector256{float})"/>
    public static void ScatterAdd(Span<Vector256<double>> buffer, Vector256<long> index, Vector256<double> value)
    {
        ref var first = ref Unsafe.As<Vector256<double>, double>(ref MemoryMarshal.GetReference(buffer));
        if (Avx2.IsSupported)
        {
            var offsets = LaneOffsets(index, buffer.Length);
            Vector256<double> sum;
            unsafe
            {
                fixed (Vector256<double>* p = buffer) sum = Avx2.GatherVector256((double*)p, offsets, 8) + value;
            }
            Unsafe.Add(ref first, (nint)offsets.GetElement(0)) = sum.GetElement(0);
            Unsafe.Add(ref first, (nint)offsets.GetElement(1)) = sum.GetElement(1);
            Unsafe.Add(ref first, (nint)offsets.GetElement(2)) = sum.GetElement(2);
            Unsafe.Add(ref first, (nint)offsets.GetElement(3)) = sum.GetElement(3);
            return;
        }
        for (var l = 0; l < 4; l++)
        {
            if ((uint)At((int)index.GetElement(l)) >= (uint)buffer.Length) throw new IndexOutOfRangeException();
        }
        for (var l = 0; l < 4; l++) Unsafe.Add(ref first, At((int)index.GetElement(l)) * 4 + l) += value.GetElement(l);
    }

    // Vector256.IsNegative exists from .NET 9 only; the package also targets net8.0, so the sign bit is read as an integer.
    private static Vector256<float> SignBit(Vector256<float> x) => Vector256.LessThan(x.AsInt32(), Vector256<int>.Zero).AsSingle();

    private static Vector256<double> SignBit(Vector256<double> x) => Vector256.LessThan(x.AsInt64(), Vector256<long>.Zero).AsDouble();

    /// <summary><see cref="Math.Max(float, float)"/> lane by lane: NaN if either is NaN, +0 over −0.</summary>
    public static Vector256<float> Max(Vector256<float> x, Vector256<float> y)
    {
        var pickX = Vector256.GreaterThan(x, y) | (Vector256.Equals(x, y) & SignBit(y)) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(pickX, x, y);
    }

    /// <inheritdoc cref="Max(Vector256{float}, Vector256{float})"/>
    public static Vector256<double> Max(Vector256<double> x, Vector256<double> y)
    {
        var pickX = Vector256.GreaterThan(x, y) | (Vector256.Equals(x, y) & SignBit(y)) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(pickX, x, y);
    }

    /// <summary><see cref="Math.Min(float, float)"/> lane by lane: NaN if either is NaN, −0 over +0.</summary>
    public static Vector256<float> Min(Vector256<float> x, Vector256<float> y)
    {
        var pickX = Vector256.LessThan(x, y) | (Vector256.Equals(x, y) & SignBit(x)) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(pickX, x, y);
    }

    /// <inheritdoc cref="Min(Vector256{float}, Vector256{float})"/>
    public static Vector256<double> Min(Vector256<double> x, Vector256<double> y)
    {
        var pickX = Vector256.LessThan(x, y) | (Vector256.Equals(x, y) & SignBit(x)) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(pickX, x, y);
    }

    /// <summary>
    /// <paramref name="f"/> on each lane: the primitives with no exact lane-wise form (asin, cbrt, round, a remainder,
    /// an integer division…) compute per lane what the scalar code computes.
    /// </summary>
    public static Vector256<T> Map<T>(Vector256<T> x, Func<T, T> f) where T : unmanaged
    {
        Span<T> v = stackalloc T[Vector256<T>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = f(x.GetElement(l));
        return Vector256.Create<T>(v);
    }

    /// <inheritdoc cref="Map{T}(Vector256{T}, Func{T, T})"/>
    public static Vector256<T> Map<T>(Vector256<T> x, Vector256<T> y, Func<T, T, T> f) where T : unmanaged
    {
        Span<T> v = stackalloc T[Vector256<T>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = f(x.GetElement(l), y.GetElement(l));
        return Vector256.Create<T>(v);
    }

    /// <inheritdoc cref="Map{T}(Vector256{T}, Func{T, T})"/>
    public static Vector256<T> Map<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z, Func<T, T, T, T> f) where T : unmanaged
    {
        Span<T> v = stackalloc T[Vector256<T>.Count];
        for (var l = 0; l < v.Length; l++) v[l] = f(x.GetElement(l), y.GetElement(l), z.GetElement(l));
        return Vector256.Create<T>(v);
    }

    /// <summary><c>PortableMath.Sign</c> lane by lane, as a float: −1, 0 or +1 (0 for NaN).</summary>
    public static Vector256<float> Sign(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -Vector256<float>.One, Vector256<float>.Zero));

    /// <inheritdoc cref="Sign(Vector256{float})"/>
    public static Vector256<double> Sign(Vector256<double> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256<double>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), -Vector256<double>.One, Vector256<double>.Zero));

    /// <summary>A per-item bool from a scalar bool (every lane the same).</summary>
    public static Vector256<int> Mask32(bool b) => b ? Vector256<int>.AllBitsSet : Vector256<int>.Zero;

    /// <inheritdoc cref="Mask32(bool)"/>
    public static Vector256<long> Mask64(bool b) => b ? Vector256<long>.AllBitsSet : Vector256<long>.Zero;

    /// <summary>
    /// The branch every lane takes on <paramref name="mask"/>: true or false when all lanes agree; when they do not,
    /// the block of items cannot run in lanes past this branch (its arms write memory or call), and the launcher runs
    /// its items again one per block.
    /// </summary>
    public static bool Uniform(Vector256<int> mask)
    {
        if (mask == Vector256<int>.AllBitsSet) return true;
        if (mask == Vector256<int>.Zero) return false;
        throw new LanesDivergedException();
    }

    /// <inheritdoc cref="Uniform(Vector256{int})"/>
    public static bool Uniform(Vector256<long> mask)
    {
        if (mask == Vector256<long>.AllBitsSet) return true;
        if (mask == Vector256<long>.Zero) return false;
        throw new LanesDivergedException();
    }

    /// <summary>A zeroed lane buffer of <paramref name="length"/> vectors from the pool (8 floats each).</summary>
    public static Span<Vector256<float>> Singles(Scratch scratch, int length) =>
        MemoryMarshal.Cast<float, Vector256<float>>(scratch.Singles(Padded(length) * Vector256<float>.Count));

    /// <summary>A zeroed lane buffer of <paramref name="length"/> vectors from the pool (4 doubles each).</summary>
    public static Span<Vector256<double>> Doubles(Scratch scratch, int length) =>
        MemoryMarshal.Cast<double, Vector256<double>>(scratch.Doubles(Padded(length) * Vector256<double>.Count));

    /// <summary>
    /// Lane l of element k: element k of row <paramref name="first"/> + l of <paramref name="rows"/> (rows of
    /// <paramref name="rowLength"/> one after another); lanes past <paramref name="valid"/> repeat the last valid row,
    /// so that they compute what a real item computes (no NaN, no branch of their own) and are then ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void Transpose(ReadOnlySpan<float> rows, int rowLength, int first, int valid, Span<Vector256<float>> block)
    {
        const int w = 8;
        Span<float> lanes = stackalloc float[w];
        for (var k = 0; k < rowLength; k++)
        {
            for (var l = 0; l < w; l++) lanes[l] = rows[(first + Math.Min(l, valid - 1)) * rowLength + k];
            block[At(k)] = Vector256.Create<float>(lanes);
        }
    }

    /// <inheritdoc cref="Transpose(ReadOnlySpan{float}, int, int, int, Span{Vector256{float}})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void Transpose(ReadOnlySpan<double> rows, int rowLength, int first, int valid, Span<Vector256<double>> block)
    {
        const int w = 4;
        Span<double> lanes = stackalloc double[w];
        for (var k = 0; k < rowLength; k++)
        {
            for (var l = 0; l < w; l++) lanes[l] = rows[(first + Math.Min(l, valid - 1)) * rowLength + k];
            block[At(k)] = Vector256.Create<double>(lanes);
        }
    }

    /// <summary>One item's value per lane: <paramref name="values"/>[first + l], lanes past <paramref name="valid"/>
    /// repeating the last.</summary>
    public static Vector256<float> Gather(ReadOnlySpan<float> values, int first, int valid)
    {
        Span<float> lanes = stackalloc float[8];
        for (var l = 0; l < lanes.Length; l++) lanes[l] = values[first + Math.Min(l, valid - 1)];
        return Vector256.Create<float>(lanes);
    }

    /// <inheritdoc cref="Gather(ReadOnlySpan{float}, int, int)"/>
    public static Vector256<double> Gather(ReadOnlySpan<double> values, int first, int valid)
    {
        Span<double> lanes = stackalloc double[4];
        for (var l = 0; l < lanes.Length; l++) lanes[l] = values[first + Math.Min(l, valid - 1)];
        return Vector256.Create<double>(lanes);
    }

    /// <inheritdoc cref="Gather(ReadOnlySpan{float}, int, int)"/>
    public static Vector256<int> Gather(ReadOnlySpan<int> values, int first, int valid)
    {
        Span<int> lanes = stackalloc int[8];
        for (var l = 0; l < lanes.Length; l++) lanes[l] = values[first + Math.Min(l, valid - 1)];
        return Vector256.Create<int>(lanes);
    }

    /// <summary>One item's int per lane beside double lanes (as longs).</summary>
    public static Vector256<long> GatherInt64(ReadOnlySpan<int> values, int first, int valid)
    {
        Span<long> lanes = stackalloc long[4];
        for (var l = 0; l < lanes.Length; l++) lanes[l] = values[first + Math.Min(l, valid - 1)];
        return Vector256.Create<long>(lanes);
    }

    /// <summary>Int rows transposed beside float lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void Transpose(ReadOnlySpan<int> rows, int rowLength, int first, int valid, Span<Vector256<int>> block)
    {
        Span<int> lanes = stackalloc int[8];
        for (var k = 0; k < rowLength; k++)
        {
            for (var l = 0; l < 8; l++) lanes[l] = rows[(first + Math.Min(l, valid - 1)) * rowLength + k];
            block[At(k)] = Vector256.Create<int>(lanes);
        }
    }

    /// <summary>Int rows transposed beside double lanes, as longs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void Transpose(ReadOnlySpan<int> rows, int rowLength, int first, int valid, Span<Vector256<long>> block)
    {
        Span<long> lanes = stackalloc long[4];
        for (var k = 0; k < rowLength; k++)
        {
            for (var l = 0; l < 4; l++) lanes[l] = rows[(first + Math.Min(l, valid - 1)) * rowLength + k];
            block[At(k)] = Vector256.Create<long>(lanes);
        }
    }

    /// <summary>
    /// Adds lanes 0 … <paramref name="valid"/> − 1 of <paramref name="block"/> to <paramref name="sum"/>: element j receives
    /// lane 0's value, then lane 1's, …, exactly the additions <c>KernelLauncher.Accumulate</c> makes with those items'
    /// rows one after another (elements do not interact), in one pass over the block instead of one per lane (a
    /// pass per lane read the whole block 8 times: 8.8 MB per block of PINN gradients with 34,561 parameters).
    /// </summary>
    /// <remarks>With AVX, eight elements at a time: their eight vectors transposed (vector l holding lane l of the eight
    /// elements), widened to double and added lane after lane into the eight sums, the same additions in the same order
    /// per element as the scalar loop, which takes the rest. It was 4–5 % of a PINN step at d = 100.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void AccumulateLanes(double[] sum, ReadOnlySpan<Vector256<float>> block, int valid)
    {
        ref var first = ref Unsafe.As<Vector256<float>, float>(ref MemoryMarshal.GetReference(block));
        if (sum.Length < Logical(block.Length) || (uint)valid > 8) throw new ArgumentOutOfRangeException(nameof(valid));
        var n = Logical(block.Length);
        var j = 0;
        if (Avx.IsSupported)
        {
            // Elements j … j+7 with j a multiple of 8 never straddle a padding slot (one every 32): their vectors are
            // block[At(j)] … block[At(j) + 7].
            ref var vectors = ref MemoryMarshal.GetReference(block);
            ref var sums = ref MemoryMarshal.GetArrayDataReference(sum);
            if (valid == 8)
            {
                for (; j + 8 <= n; j += 8) AddEightFull(ref Unsafe.Add(ref vectors, At(j)), ref sums, j);
            }
            Span<Vector256<float>> lane = stackalloc Vector256<float>[8];
            for (; j + 8 <= n; j += 8)
            {
                TransposeEight(ref Unsafe.Add(ref vectors, At(j)), lane);
                var low = Vector256.LoadUnsafe(ref sums, (nuint)j);
                var high = Vector256.LoadUnsafe(ref sums, (nuint)j + 4);
                for (var l = 0; l < valid; l++)
                {
                    low += Avx.ConvertToVector256Double(lane[l].GetLower());
                    high += Avx.ConvertToVector256Double(lane[l].GetUpper());
                }
                low.StoreUnsafe(ref sums, (nuint)j);
                high.StoreUnsafe(ref sums, (nuint)j + 4);
            }
        }
        for (; j < n; j++)
        {
            var s = sum[j];
            for (var l = 0; l < valid; l++) s += Unsafe.Add(ref first, At(j) * 8 + l);
            sum[j] = s;
        }
    }

    /// <summary>
    /// Elements j … j + 7 of a full block (all 8 lanes valid) added into <paramref name="sums"/>, lane 0 first: the
    /// additions of the general path, with the transpose kept in registers. After the first two steps of the 8 × 8
    /// transpose (<see cref="Quarters"/>) each 128-bit half already holds four elements of one lane, so it is widened
    /// where it lies: no exchange of halves and no round trip through the stack, which the general path makes
    /// (0.85 → 0.63 ms for a PINN step's 13 blocks of 46,000 parameters, d = 100, in cache).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddEightFull(ref Vector256<float> rows, ref double sums, int j)
    {
        Quarters(ref rows, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5, out var u6, out var u7);
        var low = Vector256.LoadUnsafe(ref sums, (nuint)j);
        var high = Vector256.LoadUnsafe(ref sums, (nuint)j + 4);
        low += Avx.ConvertToVector256Double(u0.GetLower());     // lane 0
        high += Avx.ConvertToVector256Double(u4.GetLower());
        low += Avx.ConvertToVector256Double(u1.GetLower());     // lane 1
        high += Avx.ConvertToVector256Double(u5.GetLower());
        low += Avx.ConvertToVector256Double(u2.GetLower());     // lane 2
        high += Avx.ConvertToVector256Double(u6.GetLower());
        low += Avx.ConvertToVector256Double(u3.GetLower());     // lane 3
        high += Avx.ConvertToVector256Double(u7.GetLower());
        low += Avx.ConvertToVector256Double(u0.GetUpper());     // lane 4
        high += Avx.ConvertToVector256Double(u4.GetUpper());
        low += Avx.ConvertToVector256Double(u1.GetUpper());     // lane 5
        high += Avx.ConvertToVector256Double(u5.GetUpper());
        low += Avx.ConvertToVector256Double(u2.GetUpper());     // lane 6
        high += Avx.ConvertToVector256Double(u6.GetUpper());
        low += Avx.ConvertToVector256Double(u3.GetUpper());     // lane 7
        high += Avx.ConvertToVector256Double(u7.GetUpper());
        low.StoreUnsafe(ref sums, (nuint)j);
        high.StoreUnsafe(ref sums, (nuint)j + 4);
    }

    /// <summary>
    /// The first two steps of an 8 × 8 transpose of <paramref name="rows"/> (pairs of rows interleaved, then quadruples):
    /// for l &lt; 4, the lower 128-bit half of u_l holds lane l of rows 0 … 3 and its upper half lane l + 4 of them, and
    /// u_(l+4) the same for rows 4 … 7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quarters(ref Vector256<float> rows, out Vector256<float> u0, out Vector256<float> u1, out Vector256<float> u2,
        out Vector256<float> u3, out Vector256<float> u4, out Vector256<float> u5, out Vector256<float> u6, out Vector256<float> u7)
    {
        var r0 = rows;
        var r1 = Unsafe.Add(ref rows, 1);
        var r2 = Unsafe.Add(ref rows, 2);
        var r3 = Unsafe.Add(ref rows, 3);
        var r4 = Unsafe.Add(ref rows, 4);
        var r5 = Unsafe.Add(ref rows, 5);
        var r6 = Unsafe.Add(ref rows, 6);
        var r7 = Unsafe.Add(ref rows, 7);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        u0 = Avx.Shuffle(t0, t2, 0x44);
        u1 = Avx.Shuffle(t0, t2, 0xEE);
        u2 = Avx.Shuffle(t1, t3, 0x44);
        u3 = Avx.Shuffle(t1, t3, 0xEE);
        u4 = Avx.Shuffle(t4, t6, 0x44);
        u5 = Avx.Shuffle(t4, t6, 0xEE);
        u6 = Avx.Shuffle(t5, t7, 0x44);
        u7 = Avx.Shuffle(t5, t7, 0xEE);
    }

    /// <summary>An 8 × 8 transpose: <paramref name="lane"/>[l][i] = lane l of <paramref name="rows"/>[i] (AVX shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeEight(ref Vector256<float> rows, Span<Vector256<float>> lane)
    {
        // The first two steps (pairs of rows interleaved, then quadruples), then the 128-bit halves exchanged.
        Quarters(ref rows, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5, out var u6, out var u7);
        lane[0] = Avx.Permute2x128(u0, u4, 0x20);
        lane[1] = Avx.Permute2x128(u1, u5, 0x20);
        lane[2] = Avx.Permute2x128(u2, u6, 0x20);
        lane[3] = Avx.Permute2x128(u3, u7, 0x20);
        lane[4] = Avx.Permute2x128(u0, u4, 0x31);
        lane[5] = Avx.Permute2x128(u1, u5, 0x31);
        lane[6] = Avx.Permute2x128(u2, u6, 0x31);
        lane[7] = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <inheritdoc cref="AccumulateLanes(double[], ReadOnlySpan{Vector256{float}}, int)"/>
    /// <remarks>With AVX, four elements at a time through a 4 × 4 transpose, the same additions in the same order per
    /// element as the scalar loop, which takes the rest. The scalar loop was about a quarter of the MLP batch kernel's
    /// time (18,817 parameters summed over 4 lanes per block of 4 items).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void AccumulateLanes(double[] sum, ReadOnlySpan<Vector256<double>> block, int valid)
    {
        ref var first = ref Unsafe.As<Vector256<double>, double>(ref MemoryMarshal.GetReference(block));
        if (sum.Length < Logical(block.Length) || (uint)valid > 4) throw new ArgumentOutOfRangeException(nameof(valid));
        var n = Logical(block.Length);
        var j = 0;
        if (Avx.IsSupported)
        {
            // Elements j … j+3 with j a multiple of 4 never straddle a padding slot (one every 32): their vectors are
            // block[At(j)] … block[At(j) + 3].
            ref var vectors = ref MemoryMarshal.GetReference(block);
            ref var sums = ref MemoryMarshal.GetArrayDataReference(sum);
            for (; j + 4 <= n; j += 4)
            {
                ref var rows = ref Unsafe.Add(ref vectors, At(j));
                var r0 = rows;
                var r1 = Unsafe.Add(ref rows, 1);
                var r2 = Unsafe.Add(ref rows, 2);
                var r3 = Unsafe.Add(ref rows, 3);
                // t0 = (r0[0], r1[0], r0[2], r1[2]), t1 = (r0[1], r1[1], r0[3], r1[3]); t2, t3 the same for r2, r3.
                var t0 = Avx.UnpackLow(r0, r1);
                var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3);
                var t3 = Avx.UnpackHigh(r2, r3);
                var s = Vector256.LoadUnsafe(ref sums, (nuint)j);
                // Lane l of the four elements: l = 0, 1 from the low halves, 2, 3 from the high halves.
                if (valid > 0) s += Avx.Permute2x128(t0, t2, 0x20);
                if (valid > 1) s += Avx.Permute2x128(t1, t3, 0x20);
                if (valid > 2) s += Avx.Permute2x128(t0, t2, 0x31);
                if (valid > 3) s += Avx.Permute2x128(t1, t3, 0x31);
                s.StoreUnsafe(ref sums, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            var s = sum[j];
            for (var l = 0; l < valid; l++) s += Unsafe.Add(ref first, At(j) * 4 + l);
            sum[j] = s;
        }
    }

    /// <summary>Copies lane <paramref name="lane"/> of <paramref name="block"/> into one item's row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void CopyLane(ReadOnlySpan<Vector256<float>> block, int lane, Span<float> row)
    {
        for (var j = 0; j < row.Length; j++) row[j] = block[At(j)].GetElement(lane);
    }

    /// <inheritdoc cref="CopyLane(ReadOnlySpan{Vector256{float}}, int, Span{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per block over whole rows: no tier-0 pass
    public static void CopyLane(ReadOnlySpan<Vector256<double>> block, int lane, Span<double> row)
    {
        for (var j = 0; j < row.Length; j++) row[j] = block[At(j)].GetElement(lane);
    }
}

/// <summary>Thrown by a lanes method when the items of one block take different sides of a branch that a select cannot
/// express; the launcher catches it and runs that block's items one at a time (see <see cref="Lanes.Uniform(Vector256{int})"/>).</summary>
public sealed class LanesDivergedException : Exception
{
    /// <summary>The exception a lanes method throws at a branch its lanes disagree on.</summary>
    public LanesDivergedException() : base("the items of a lane block took different sides of a branch") { }
}
