using ILGPU;

namespace Dsl;

/// <summary>
/// The reverse-mode tape inside an ILGPU kernel: one LIFO stack per thread over that item's slice
/// of a host-allocated <c>ArrayView&lt;double&gt;</c> (floats, ints and bools are exact in a double, so
/// one stack holds them all). A kernel cannot throw and has no classes or statics, so this is a
/// struct copied by value into the kernel helpers; its top and high-water mark live in a two-int
/// view (per-thread local memory that the kernel's entry allocates), which every copy shares.
/// A push past the slice writes nothing (memory beyond the slice is never touched) but still
/// counts, so after the sweep <see cref="Needed"/> is the slice length the item would have needed
/// and <see cref="Overflowed"/> says the gradient is not to be trusted. Method names are
/// <see cref="Tape"/>'s, so the kernel helpers print the same calls as the CPU methods.
/// </summary>
public readonly struct KernelTape
{
    private readonly ArrayView<double> _slots;
    private readonly ArrayView<int> _state; // [0]: top, [1]: high-water mark (both in slots)

    /// <summary>A tape over <paramref name="slots"/>; <paramref name="state"/> holds two ints, zeroed here.</summary>
    public KernelTape(ArrayView<double> slots, ArrayView<int> state)
    {
        _slots = slots;
        _state = state;
        state[0] = 0;
        state[1] = 0;
    }

    /// <summary>True once a push went past the slice (values above it were dropped).</summary>
    public bool Overflowed => _state[1] > _slots.Length;

    /// <summary>The most slots held at once so far: the slice length this item needs.</summary>
    public int Needed => _state[1];

    /// <summary>
    /// Saves a double (or drops it, past the slice). After an overflow the values popped are 0, and a
    /// popped branch flag can unbalance the sweep so that the top goes below zero: only 0 ≤ top &lt;
    /// length is stored.
    /// </summary>
    public void Push(double x)
    {
        var top = _state[0];
        if ((uint)top < (uint)_slots.Length) _slots[top] = x;
        top++;
        _state[0] = top;
        if (top > _state[1]) _state[1] = top;
    }

    /// <summary>Saves a float (exact in a double).</summary>
    public void Push(float x) => Push((double)x);

    /// <summary>Saves an int (exact in a double).</summary>
    public void Push(int x) => Push((double)x);

    /// <summary>Saves a bool as 1 or 0.</summary>
    public void Push(bool x) => Push(x ? 1.0 : 0.0);

    /// <summary>Takes back the last double; 0 for a value that was dropped past the slice.</summary>
    public double PopDouble()
    {
        var top = _state[0] - 1;
        _state[0] = top;
        return top >= 0 && top < _slots.Length ? _slots[top] : 0.0;
    }

    /// <summary>Takes back the last float.</summary>
    public float PopSingle() => (float)PopDouble();

    /// <summary>Takes back the last int.</summary>
    public int PopInt32() => (int)PopDouble();

    /// <summary>Takes back the last bool.</summary>
    public bool PopBoolean() => PopDouble() != 0.0;
}
