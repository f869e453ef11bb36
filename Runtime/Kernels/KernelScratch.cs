using ILGPU;

namespace Dsl;

/// <summary>
/// Local buffers whose length is known only at run time, inside an ILGPU kernel (the jets of
/// <c>[Taylor]</c> along a span, the operators' <c>Dsl.Scratch</c> buffers, a <c>[Vjp]</c>'s seed copy):
/// a bump allocator over the item's slice of a host-allocated <c>ArrayView&lt;double&gt;</c>. A kernel
/// cannot throw and has no classes or statics, so this is a struct copied by value into the kernel
/// helpers; its top and high-water mark live in a two-int view of per-thread local memory that every
/// copy shares. Buffers are never freed during one item's run (a <c>Dsl.Scratch</c> release becomes
/// a no-op), so the slice must hold every buffer the item allocates.
/// A request that does not fit writes nothing in the slice: it gets <c>sink</c>, a one-element view of
/// per-thread local memory, and the kernel helpers clamp every index to their view's length
/// (<c>KernelScratchGuard</c>), so no access leaves the item's memory; the request still counts, so
/// <see cref="Needed"/> is the slice length the item needs and <see cref="Overflowed"/> says its
/// results are not to be trusted. Float buffers take whole doubles (⌈n/2⌉ for n floats) and view them
/// as floats (ILGPU's <c>Cast</c>, a view intrinsic in kernels), so one double view serves both.
/// </summary>
public readonly struct KernelScratch
{
    private readonly ArrayView<double> _slots;
    private readonly ArrayView<double> _sink;
    private readonly ArrayView<int> _state; // [0]: doubles handed out (may pass the slice), [1]: the most

    /// <summary>Scratch over <paramref name="slots"/>; <paramref name="sink"/> holds one double, <paramref name="state"/>
    /// two ints.</summary>
    public KernelScratch(ArrayView<double> slots, ArrayView<double> sink, ArrayView<int> state)
    {
        _slots = slots;
        _sink = sink;
        _state = state;
        state[0] = 0;
        state[1] = 0;
    }

    /// <summary>True once a request did not fit in the slice (the item's results are then wrong).</summary>
    public bool Overflowed => _state[1] > _slots.Length;

    /// <summary>The doubles requested so far: the slice length this item needs.</summary>
    public int Needed => _state[1];

    /// <summary><paramref name="length"/> zeroed doubles of the slice, or the one-element sink when they do not fit.</summary>
    public ArrayView<double> Doubles(int length)
    {
        var view = Take(length);
        for (int i = 0; i < view.Length; i++) view[i] = 0.0;
        return view;
    }

    /// <summary><paramref name="length"/> zeroed floats (in ⌈length/2⌉ doubles), or the sink's two when they do not fit.</summary>
    public ArrayView<float> Singles(int length)
    {
        var doubles = Take((length + 1) / 2);
        var view = doubles.Cast<float>();
        for (int i = 0; i < view.Length; i++) view[i] = 0.0f;
        return view.Length > length ? view.SubView(0, length) : view;
    }

    private ArrayView<double> Take(int length)
    {
        var top = _state[0];
        var end = top + length;
        _state[0] = end;
        if (end > _state[1]) _state[1] = end;
        return end > _slots.Length ? _sink : _slots.SubView(top, length);
    }
}
