using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dsl;

/// <summary>
/// The reverse-mode tape: typed LIFO stacks of the values that a generated gradient's
/// reverse sweep reads (values computed inside loops and branches, and buffer elements
/// before they are overwritten). Generated code rents one per call and releases it at the
/// end; released tapes are kept per thread, so a gradient call allocates nothing once the
/// stacks have grown to the model's size.
/// </summary>
public sealed class Tape
{
    [ThreadStatic] private static Tape? t_free;

    private double[] _doubles = new double[256];
    private float[] _floats = new float[256];
    private int[] _ints = new int[64];
    private int _nd, _nf, _ni;
    private Tape? _next;

    private Tape() { }

    /// <summary>Takes a tape from this thread's pool, or makes one.</summary>
    public static Tape Rent()
    {
        var t = t_free;
        if (t is null) return new Tape();
        t_free = t._next;
        t._next = null;
        return t;
    }

    /// <summary>
    /// The largest tape, in bytes of its stacks, that <see cref="Release"/> keeps for reuse; a larger one is left to the
    /// garbage collector. Unlimited by default (a gradient call then allocates nothing after the first); at d = 10⁶ a
    /// pooled tape holds 144–211 MB per thread, which a process that makes such a call once may set a limit to avoid.
    /// </summary>
    public static long PoolLimitBytes { get; set; } = long.MaxValue;

    /// <summary>The bytes this tape's stacks hold (their capacity, not what is pushed).</summary>
    public long CapacityBytes => 8L * _doubles.Length + 4L * _floats.Length + 4L * _ints.Length;

    /// <summary>Returns the tape to this thread's pool (it must be empty: every push was popped).</summary>
    public void Release()
    {
        _nd = _nf = _ni = 0;
        if (CapacityBytes > PoolLimitBytes) return;
        _next = t_free;
        t_free = this;
    }

    /// <summary>Drops the tapes this thread keeps for reuse, giving their memory back to the garbage collector.</summary>
    public static void TrimThreadPool() => t_free = null;

    /// <summary>Saves a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(double x)
    {
        if (_nd == _doubles.Length) Grow(ref _doubles);
        _doubles[_nd++] = x;
    }

    /// <summary>Saves a float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float x)
    {
        if (_nf == _floats.Length) Grow(ref _floats);
        _floats[_nf++] = x;
    }

    /// <summary>Saves an int.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(int x)
    {
        if (_ni == _ints.Length) Grow(ref _ints);
        _ints[_ni++] = x;
    }

    /// <summary>Saves a bool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(bool x) => Push(x ? 1 : 0);

    // Growth stays out of line so the push itself inlines into the generated loops.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Grow<T>(ref T[] stack) => stack = Enlarged(stack, stack.Length + 1L);

    /// <summary>Takes back the last double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double PopDouble() => _doubles[--_nd];

    /// <summary>Takes back the last float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PopSingle() => _floats[--_nf];

    /// <summary>Takes back the last int.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PopInt32() => _ints[--_ni];

    /// <summary>Takes back the last bool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool PopBoolean() => _ints[--_ni] != 0;

    // ---- stacks held in locals (the scalar C# target) ----
    //
    // Generated scalar code keeps each typed stack and its count in locals: `__tapeD[__tapeDn++] = x` to save,
    // `__tapeD[--__tapeDn]` to take back. The count then lives in a register; through the fields above, every push
    // stored it and the next push loaded it again (a store-to-load dependency of several cycles per push, 26 % of the
    // GMM gradient at 2 x 5). A loop whose pushes are all in its body's straight-line code reserves room for all its
    // iterations before it starts (Reserve), so its pushes need no check and no call; elsewhere a push checks the room
    // and grows the stack (Grow). Both hand the tape the grown array, which it keeps when it is pooled. The count is not
    // handed back: a function pops what it pushed, and Release empties the stacks.

    /// <summary>The stack of doubles, for code that keeps it in a local.</summary>
    public double[] DoubleStack => _doubles;

    /// <summary>The stack of floats, for code that keeps it in a local.</summary>
    public float[] SingleStack => _floats;

    /// <summary>The stack of ints (and bools, as 0 or 1), for code that keeps it in a local.</summary>
    public int[] Int32Stack => _ints;

    /// <summary>The stack of doubles with room for at least one more element.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public double[] Grow(double[] stack) => _doubles = Enlarged(stack, stack.Length + 1L);

    /// <summary>The stack of floats with room for at least one more element.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float[] Grow(float[] stack) => _floats = Enlarged(stack, stack.Length + 1L);

    /// <summary>The stack of ints with room for at least one more element.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int[] Grow(int[] stack) => _ints = Enlarged(stack, stack.Length + 1L);

    /// <summary>
    /// The stack of doubles with room, above its first <paramref name="count"/> elements, for the pushes of a loop
    /// <c>for (i = start; i &lt; bound; i += step)</c> (<c>&lt;=</c> when <paramref name="inclusive"/>; a negative step
    /// counts down with <c>&gt;</c> or <c>&gt;=</c>) that pushes <paramref name="perIteration"/> doubles per iteration,
    /// and for <paramref name="after"/> more pushed after it (in straight-line code, and by later loops: <see cref="Room"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double[] Reserve(double[] stack, int count, int perIteration, long after, int start, int bound, int step, bool inclusive)
    {
        var needed = (long)count + after + perIteration * Trips(start, bound, step, inclusive);
        return needed <= stack.Length ? stack : _doubles = Enlarged(stack, needed);
    }

    /// <summary>The same for the stack of floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float[] Reserve(float[] stack, int count, int perIteration, long after, int start, int bound, int step, bool inclusive)
    {
        var needed = (long)count + after + perIteration * Trips(start, bound, step, inclusive);
        return needed <= stack.Length ? stack : _floats = Enlarged(stack, needed);
    }

    /// <summary>The same for the stack of ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int[] Reserve(int[] stack, int count, int perIteration, long after, int start, int bound, int step, bool inclusive)
    {
        var needed = (long)count + after + perIteration * Trips(start, bound, step, inclusive);
        return needed <= stack.Length ? stack : _ints = Enlarged(stack, needed);
    }

    /// <summary>
    /// The elements the loop <c>for (i = start; i &lt; bound; i += step)</c> pushes at <paramref name="perIteration"/> per
    /// iteration (see <see cref="Trips"/>): the room a reservation made before an earlier loop keeps for this one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Room(int perIteration, int start, int bound, int step, bool inclusive) =>
        perIteration * Trips(start, bound, step, inclusive);

    /// <summary>
    /// How many times <c>for (i = start; i &lt; bound; i += step)</c> runs (<c>&lt;=</c> when <paramref name="inclusive"/>;
    /// with a negative step, <c>&gt;</c> or <c>&gt;=</c>), in long so that no range overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Trips(int start, int bound, int step, bool inclusive)
    {
        long span = step > 0 ? (long)bound - start : (long)start - bound;
        if (inclusive) span++;
        if (span <= 0) return 0;
        long stride = step > 0 ? step : -(long)step;
        return (span + stride - 1) / stride;
    }

    /// <summary>A copy of <paramref name="stack"/> at least twice as long and at least <paramref name="needed"/> long.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T[] Enlarged<T>(T[] stack, long needed)
    {
        var length = Math.Max(2L * stack.Length, needed);
        if (length > Array.MaxLength)
        {
            if (needed > Array.MaxLength)
                throw new InvalidOperationException(
                    $"the tape would need {needed} {typeof(T).Name} elements, more than an array holds ({Array.MaxLength})");
            length = Array.MaxLength;
        }
        var grown = new T[length];
        Array.Copy(stack, grown, stack.Length);
        return grown;
    }

    // ---- lanes (one value per item of a lane block; see Dsl.Lanes): W consecutive elements of the typed stack ----

    /// <summary>Saves one float per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(Vector256<float> x)
    {
        while (_nf + 8 > _floats.Length) Grow(ref _floats);
        x.StoreUnsafe(ref _floats[0], (nuint)_nf);
        _nf += 8;
    }

    /// <summary>Saves one double per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(Vector256<double> x)
    {
        while (_nd + 4 > _doubles.Length) Grow(ref _doubles);
        x.StoreUnsafe(ref _doubles[0], (nuint)_nd);
        _nd += 4;
    }

    /// <summary>Saves one int (or a mask lane) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(Vector256<int> x)
    {
        while (_ni + 8 > _ints.Length) Grow(ref _ints);
        x.StoreUnsafe(ref _ints[0], (nuint)_ni);
        _ni += 8;
    }

    /// <summary>Saves one long (the int lanes beside double lanes) per lane, as 4 doubles' bits.</summary>
    public void Push(Vector256<long> x) => Push(x.AsDouble());

    /// <summary>Takes back the last lanes of floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> PopLanesSingle()
    {
        _nf -= 8;
        return Vector256.LoadUnsafe(ref _floats[0], (nuint)_nf);
    }

    /// <summary>Takes back the last lanes of doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<double> PopLanesDouble()
    {
        _nd -= 4;
        return Vector256.LoadUnsafe(ref _doubles[0], (nuint)_nd);
    }

    /// <summary>Takes back the last lanes of ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> PopLanesInt32()
    {
        _ni -= 8;
        return Vector256.LoadUnsafe(ref _ints[0], (nuint)_ni);
    }

    /// <summary>Takes back the last lanes of longs.</summary>
    public Vector256<long> PopLanesInt64() => PopLanesDouble().AsInt64();
}
