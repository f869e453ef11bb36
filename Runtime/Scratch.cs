using System;

namespace Dsl;

/// <summary>
/// Scratch memory for generated operators: the jet buffers an operator fills for each chunk of
/// probes, and their adjoints. Generated code rents one per call, takes zeroed spans from it and
/// releases it at the end; released scratch is kept per thread, so an operator call allocates
/// nothing once the buffers have grown to the largest request (a few times d values).
/// </summary>
public sealed class Scratch
{
    [ThreadStatic] private static Scratch? t_free;

    private float[] _floats = new float[1024];
    private double[] _doubles = new double[1024];
    private int _nf, _nd;
    private Scratch? _next;

    private Scratch() { }

    /// <summary>Takes scratch from this thread's pool, or makes it.</summary>
    public static Scratch Rent()
    {
        var s = t_free;
        if (s is null) return new Scratch();
        t_free = s._next;
        s._next = null;
        return s;
    }

    /// <summary>The largest scratch, in bytes, that <see cref="Release"/> keeps for reuse (as <see cref="Tape.PoolLimitBytes"/>).</summary>
    public static long PoolLimitBytes { get; set; } = long.MaxValue;

    /// <summary>The bytes this scratch holds (its capacity, not what is taken).</summary>
    public long CapacityBytes => 4L * _floats.Length + 8L * _doubles.Length;

    /// <summary>Returns the scratch to this thread's pool; spans taken from it must not be used afterwards.</summary>
    public void Release()
    {
        _nf = _nd = 0;
        if (CapacityBytes > PoolLimitBytes) return;
        _next = t_free;
        t_free = this;
    }

    /// <summary>Drops the scratch this thread keeps for reuse, giving its memory back to the garbage collector.</summary>
    public static void TrimThreadPool() => t_free = null;

    /// <summary><paramref name="length"/> zeroed floats.</summary>
    public Span<float> Singles(int length) => Take(ref _floats, ref _nf, length);

    /// <summary><paramref name="length"/> zeroed doubles.</summary>
    public Span<double> Doubles(int length) => Take(ref _doubles, ref _nd, length);

    private static Span<T> Take<T>(ref T[] store, ref int used, int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "a buffer length must not be negative");
        if (used + length > store.Length)
        {
            // Spans already handed out keep the old array alive; new ones come from the new one.
            store = new T[Math.Max(2 * store.Length, used + length)];
        }
        var span = store.AsSpan(used, length);
        used += length;
        span.Clear();
        return span;
    }
}
