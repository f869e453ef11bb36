using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dsl;

/// <summary>
/// Vector loads and stores for generated loops. The generator writes an element-wise loop
/// (dot products, the <c>+=</c> scatters of an adjoint) as a loop over
/// <see cref="Vector{T}"/> chunks followed by the scalar loop for the remainder; these helpers
/// are the chunk accesses. Each checks that the whole chunk lies inside the span and throws
/// <see cref="ArgumentOutOfRangeException"/> otherwise, so a generated loop can never read or
/// write outside its buffers.
/// </summary>
public static class Simd
{
    /// <summary>Floats per chunk (<see cref="Vector{T}.Count"/>; a constant to the JIT).</summary>
    public static int FloatWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector<float>.Count;
    }

    /// <summary>Doubles per chunk (<see cref="Vector{T}.Count"/>; a constant to the JIT).</summary>
    public static int DoubleWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector<double>.Count;
    }

    /// <summary>Elements <paramref name="index"/> .. index + FloatWidth − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ReadOnlySpan<float> span, int index)
    {
        Check(span.Length, index, Vector<float>.Count);
        return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <summary>Elements <paramref name="index"/> .. index + DoubleWidth − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Load(ReadOnlySpan<double> span, int index)
    {
        Check(span.Length, index, Vector<double>.Count);
        return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <summary>Writes <paramref name="value"/> to elements <paramref name="index"/> onwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Span<float> span, int index, Vector<float> value)
    {
        Check(span.Length, index, Vector<float>.Count);
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <summary>Writes <paramref name="value"/> to elements <paramref name="index"/> onwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Span<double> span, int index, Vector<double> value)
    {
        Check(span.Length, index, Vector<double>.Count);
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <summary>
    /// Adds <paramref name="value"/> to elements <paramref name="index"/> onwards (the vector form of <c>span[i] += v</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(Span<float> span, int index, Vector<float> value)
    {
        Check(span.Length, index, Vector<float>.Count);
        ref var start = ref MemoryMarshal.GetReference(span);
        (Vector.LoadUnsafe(ref start, (nuint)index) + value).StoreUnsafe(ref start, (nuint)index);
    }

    /// <summary>
    /// Adds <paramref name="value"/> to elements <paramref name="index"/> onwards (the vector form of <c>span[i] += v</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(Span<double> span, int index, Vector<double> value)
    {
        Check(span.Length, index, Vector<double>.Count);
        ref var start = ref MemoryMarshal.GetReference(span);
        (Vector.LoadUnsafe(ref start, (nuint)index) + value).StoreUnsafe(ref start, (nuint)index);
    }

    /// <summary>A vector with every element <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Splat(float x) => new(x);

    /// <summary>A vector with every element <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Splat(double x) => new(x);

    /// <summary>The sum of the elements (a reduction's partial sums, added once after its vector loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector<float> v) => Vector.Sum(v);

    /// <summary>The sum of the elements (a reduction's partial sums, added once after its vector loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector<double> v) => Vector.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int length, int index, int width)
    {
        if (index < 0 || index > length - width) Throw(length, index, width);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int length, int index, int width) =>
        throw new ArgumentOutOfRangeException(nameof(index),
            $"a chunk of {width} elements at index {index} does not fit in a span of length {length}");
}
