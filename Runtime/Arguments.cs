using System;
using System.Runtime.CompilerServices;

namespace Dsl;

/// <summary>
/// Argument checks that generated methods call at their top: a tangent, adjoint or seed span has the length of the span
/// it belongs to, and a span a method writes does not share memory with another span argument. A gradient clears its
/// adjoints before it reads its inputs, so passing the same array as input and adjoint would silently change the result;
/// these throw an <see cref="ArgumentException"/> naming both arguments. A call per check keeps the generated method small
/// (the message is built only when it throws).
/// </summary>
public static class Arguments
{
    /// <summary>Throws when <paramref name="output"/> and <paramref name="other"/> overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Disjoint<T>(Span<T> output, ReadOnlySpan<T> other, string outputName, string otherName, string method)
    {
        if (((ReadOnlySpan<T>)output).Overlaps(other)) ThrowOverlap(outputName, otherName, method);
    }

    /// <summary>Throws when two spans the method writes overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Disjoint<T>(Span<T> output, Span<T> other, string outputName, string otherName, string method)
    {
        if (((ReadOnlySpan<T>)output).Overlaps(other)) ThrowOverlap(outputName, otherName, method);
    }

    /// <summary>Throws when span <paramref name="span"/> (a tangent, adjoint or seed) is not as long as <paramref name="of"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength(int length, int expected, string span, string of)
    {
        if (length != expected) ThrowLength(length, expected, span, of);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int length, int expected, string span, string of) =>
        throw new ArgumentException($"'{span}' must have the length of '{of}' ({expected}), but has length {length}.", span);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap(string outputName, string otherName, string method) =>
        throw new ArgumentException(
            $"'{outputName}' and '{otherName}' share memory; {method} writes '{outputName}' while it still reads '{otherName}': " +
            "pass separate buffers.", outputName);
}
