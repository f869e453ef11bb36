using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using ILGPU;
using ILGPU.Runtime;

namespace Dsl;

/// <summary>
/// What every generated kernel launcher (<c>[Kernel]</c>'s <c>…Launcher</c> class) shares: the host-side
/// checks, the fixed chunking of a batch, the CPU path's accumulators, and on an accelerator the device
/// buffers (kept between calls, grown when a call needs more), the per-thread tape and scratch slices (sized
/// by the kernel's own reports: a launch whose items overflowed is run again with slices that fit) and the
/// deterministic sum reduction.
/// </summary>
/// <remarks>
/// <para><b>One order for every sum.</b> A batch of n items is cut into C = min(⌈n/8⌉, <see cref="ChunkCount"/>)
/// contiguous chunks of whole blocks of 8 items (<see cref="ChunkAlign"/>; the last block may be partial), chunk c
/// holding blocks [⌊B·c/C⌋, ⌊B·(c+1)/C⌋) of the B = ⌈n/8⌉ blocks. A summed output is, for each element, the sum in chunk order
/// of the chunks' sums, each the sum of its items in item order, all in double, rounded to the output's type once
/// at the end. The CPU path (one accumulator per chunk) and the accelerator path (per-item partial rows, then a
/// reduction kernel with one thread per element) add in exactly this order, so the sums do not depend on the
/// number of cores, on scheduling, or on the path, beyond what the items' own arithmetic does.</para>
/// <para><b>Memory on an accelerator.</b> Summed span outputs need one partial row per item. Items run in waves of
/// whole chunks whose partial rows, tape and scratch fit in <see cref="MaxWaveBytes"/> (at least one chunk per
/// wave); a wave's partials are added into a double accumulator before the next wave reuses them.</para>
/// </remarks>
public abstract class KernelLauncher : IDisposable
{
    /// <summary>The most chunks a batch is cut into (the CPU path's parallelism, and the sums' fixed order).</summary>
    public const int ChunkCount = 16;

    private readonly Dictionary<string, MemoryBuffer> _buffers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Array> _hostArrays = new(StringComparer.Ordinal);
    private Action<Index1D, ArrayView<float>, int, int, int, int, int, int, ArrayView<double>>? _addChunksSingle;
    private Action<Index1D, ArrayView<double>, int, int, int, int, int, int, ArrayView<double>>? _addChunksDouble;
    private Action<Index1D, ArrayView<double>, ArrayView<float>>? _toSingle;
    private long[]? _shape;
    private Action<Index1D, ArrayView<float>, long, int, ArrayView<double>>? _atomicSingle;
    private Action<Index1D, ArrayView<double>, long, int, ArrayView<double>>? _atomicDouble;

    /// <summary>A launcher that runs on <paramref name="device"/> (not disposed with the launcher).</summary>
    protected KernelLauncher(KernelDevice device)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device));
        var memory = device.Accelerator?.MemorySize ?? 0;
        MaxWaveBytes = memory <= 0 ? 8L << 30 : Math.Min(memory / 4, 32L << 30);
    }

    /// <summary>Where the batch runs.</summary>
    public KernelDevice Device { get; }

    /// <summary>The most bytes of per-item partial rows, tape and scratch one wave of items may take on an accelerator.</summary>
    public long MaxWaveBytes { get; set; }

    /// <summary>The tape slice per item (doubles) the last accelerator launch used; grows when an item reports more.</summary>
    public int TapeSlice { get; protected set; }

    /// <summary>The scratch slice per item (doubles) the last accelerator launch used; grows when an item reports more.</summary>
    public int ScratchSlice { get; protected set; }

    /// <summary>Kernel launches on the accelerator so far, including the ones rerun because a slice was too small.</summary>
    public int Launches { get; protected set; }

    /// <summary>Waves of items run on the accelerator by the last call.</summary>
    public int LastWaves { get; protected set; }

    private int _divergedBlocks;

    /// <summary>
    /// On the CPU path in lanes: the blocks of W items, over every call so far, whose items took different sides of a
    /// branch around stores or calls and ran again one item at a time (each such block costs about W + 1 block calls).
    /// </summary>
    public int DivergedBlocks => Volatile.Read(ref _divergedBlocks);

    /// <summary>Counts a block that ran again one item at a time (see <see cref="DivergedBlocks"/>).</summary>
    protected void Diverged() => Interlocked.Increment(ref _divergedBlocks);

    /// <summary>
    /// Chunks start at multiples of this many items, so that the lanes path's blocks (8 floats or 4 doubles per call)
    /// are full everywhere but at the end of the batch. Why: with boundaries at ⌊n·c/16⌋, a batch of 100 items had 16
    /// chunks of 6 or 7 items, each one block with one or two idle lanes: 128 lanes for 100 items (78 % used, 97 %
    /// aligned), and with two cores each thread's blocks as partial as before.
    /// </summary>
    public const int ChunkAlign = 8;

    /// <summary>The chunk count of a batch of <paramref name="count"/> items: one per block of <see cref="ChunkAlign"/>
    /// items, at most <see cref="ChunkCount"/>.</summary>
    public static int Chunks(int count) => Math.Min(ChunkCount, (int)(((long)count + ChunkAlign - 1) / ChunkAlign));

    /// <summary>The first item of chunk <paramref name="chunk"/> (of <paramref name="chunks"/>) of <paramref name="count"/>
    /// items: the blocks of <see cref="ChunkAlign"/> items shared out as evenly as whole blocks allow.</summary>
    public static int ChunkStart(int count, int chunks, int chunk)
    {
        // Plain arithmetic only: the accelerator's reduction kernels call this too, so both paths share one rule.
        long blocks = ((long)count + ChunkAlign - 1) / ChunkAlign;
        long start = ChunkAlign * (blocks * chunk / chunks);
        return start < count ? (int)start : count;
    }

    // ---- host-side checks (the messages name the argument and the expected shape) ----

    /// <summary>Throws unless <paramref name="count"/> is at least 1.</summary>
    protected static void CheckCount(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one item");
    }

    /// <summary>The row length of a per-item span of <paramref name="length"/> values over <paramref name="count"/> items.</summary>
    protected static int RowLength(int length, int count, string name)
    {
        if (length % count != 0)
            throw new ArgumentException($"'{name}' holds one row per item, {count} rows of equal length, but has length {length}, " +
                $"not a multiple of {count}.", name);
        return length / count;
    }

    /// <summary>Throws unless a per-item scalar or result span has one value per item.</summary>
    protected static void CheckItems(int length, int count, string name)
    {
        if (length != count)
            throw new ArgumentException($"'{name}' holds one value per item and must have length {count} (the item count), " +
                $"but has length {length}.", name);
    }

    // ---- the CPU path ----

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, first item, end) for every chunk of the batch, over at most
    /// <see cref="KernelDevice.Cores"/> threads.
    /// </summary>
    protected void ForEachChunk(int count, Action<int, int, int> body)
    {
        var chunks = Chunks(count);
        if (Device.Cores == 1 || chunks == 1)
        {
            for (var c = 0; c < chunks; c++) body(c, ChunkStart(count, chunks, c), ChunkStart(count, chunks, c + 1));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Device.Cores },
            c => body(c, ChunkStart(count, chunks, c), ChunkStart(count, chunks, c + 1)));
    }

    /// <summary>A host array kept between calls, one per <paramref name="name"/> and chunk, of <paramref name="length"/>
    /// elements.</summary>
    protected T[] HostArray<T>(string name, int chunk, int length)
    {
        var key = name + "#" + chunk;
        lock (_hostArrays)
        {
            if (_hostArrays.TryGetValue(key, out var a) && a is T[] t && t.Length == length) return t;
            var fresh = new T[length];
            _hostArrays[key] = fresh;
            return fresh;
        }
    }

    /// <summary>A chunk's double accumulator for a summed output, zeroed.</summary>
    protected double[] Accumulator(string name, int chunk, int length)
    {
        var a = HostArray<double>(name, chunk, length);
        Array.Clear(a);
        return a;
    }

    /// <summary>Adds <paramref name="row"/> to <paramref name="sum"/> element by element.</summary>
    protected static void Accumulate(double[] sum, ReadOnlySpan<float> row)
    {
        for (var j = 0; j < row.Length; j++) sum[j] += row[j];
    }

    /// <inheritdoc cref="Accumulate(double[], ReadOnlySpan{float})"/>
    protected static void Accumulate(double[] sum, ReadOnlySpan<double> row)
    {
        for (var j = 0; j < row.Length; j++) sum[j] += row[j];
    }

    /// <summary>Element j of <paramref name="destination"/>: the chunks' accumulators of <paramref name="name"/> added in chunk
    /// order.</summary>
    protected void ReduceChunks(string name, int count, Span<float> destination) =>
        ReduceInSlices(ChunkAccumulators(name, count, destination.Length), destination);

    /// <inheritdoc cref="ReduceChunks(string, int, Span{float})"/>
    protected void ReduceChunks(string name, int count, Span<double> destination) =>
        ReduceInSlices(ChunkAccumulators(name, count, destination.Length), destination);

    /// <summary>The chunks' sums into <paramref name="destination"/>, its slices on as many threads as <see cref="ReduceSlices"/>
    /// gives.</summary>
    private unsafe void ReduceInSlices<T>(double[][] sums, Span<T> destination) where T : unmanaged
    {
        var slices = ReduceSlices(destination.Length);
        if (slices == 1)
        {
            ReduceRange(sums, destination, 0, destination.Length);
            return;
        }
        fixed (T* first = destination)
        {
            var at = (nint)first;
            var length = destination.Length;
            Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = Device.Cores }, s =>
                ReduceRange(sums, new Span<T>((void*)at, length), SliceStart(length, slices, s), SliceStart(length, slices, s + 1)));
        }
    }

    /// <summary>The float or double <see cref="ReduceRange(double[][], Span{float}, int, int)"/> (the JIT keeps one branch per
    /// type).</summary>
    private static void ReduceRange<T>(double[][] sums, Span<T> destination, int from, int to) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) ReduceRange(sums, MemoryMarshal.Cast<T, float>(destination), from, to);
        else if (typeof(T) == typeof(double)) ReduceRange(sums, MemoryMarshal.Cast<T, double>(destination), from, to);
        else throw new NotSupportedException($"sums into {typeof(T).Name}");
    }

    /// <summary>
    /// Elements the reduction gives each thread at least: below 2 × this it runs on the calling thread. A PINN step's
    /// 46,081 parameters (d = 100, 13 chunks) took 97 µs on one thread, about 2 µs per 1,024 elements, against a few µs
    /// to start a parallel loop.
    /// </summary>
    public const int ReduceSliceMin = 8192;

    /// <summary>Slices of the destination that threads reduce side by side: 1 on one core or for a short destination.</summary>
    private int ReduceSlices(int length) => Device.Cores == 1 ? 1 : Math.Max(1, Math.Min(Device.Cores, length / ReduceSliceMin));

    /// <summary>
    /// Where slice <paramref name="slice"/> of <paramref name="slices"/> starts: a multiple of 16 elements (whole vectors of
    /// four doubles, whole 128-byte lines of floats), the last slice ending at <paramref name="length"/>. Each element is
    /// summed by one thread in chunk order, as on one thread: the slicing changes which thread adds, not what it adds.
    /// </summary>
    private static int SliceStart(int length, int slices, int slice) =>
        slice >= slices ? length : (int)((long)length * slice / slices) & ~15;

    /// <summary>Elements [<paramref name="from"/>, <paramref name="to"/>) of the chunks' sums, added in chunk order.</summary>
    private static void ReduceRange(double[][] sums, Span<float> destination, int from, int to)
    {
        var j = from;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(destination);
            for (; j + 4 <= to; j += 4)
            {
                var s = SumOfFour(sums, j);
                Vector256.Narrow(s, s).GetLower().StoreUnsafe(ref first, (nuint)j);   // rounded as the scalar cast rounds
            }
        }
        for (; j < to; j++) destination[j] = (float)SumAt(sums, j);
    }

    /// <inheritdoc cref="ReduceRange(double[][], Span{float}, int, int)"/>
    private static void ReduceRange(double[][] sums, Span<double> destination, int from, int to)
    {
        var j = from;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(destination);
            for (; j + 4 <= to; j += 4) SumOfFour(sums, j).StoreUnsafe(ref first, (nuint)j);
        }
        for (; j < to; j++) destination[j] = SumAt(sums, j);
    }

    /// <summary>
    /// Elements j … j + 3 of the chunks' sums added in chunk order, each the additions of <see cref="SumAt"/>: 350 → 97 µs
    /// for a PINN step's 13 chunks of 46,081 parameters (d = 100), the serial part after the parallel one. Every array
    /// is as long as the destination (<see cref="ChunkAccumulators"/>), so j + 3 &lt; to, within every array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> SumOfFour(double[][] sums, int j)
    {
        var s = Vector256<double>.Zero;
        foreach (var a in sums) s += Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(a), (nuint)j);
        return s;
    }

    /// <summary>Element j of the chunks' sums added in chunk order.</summary>
    private static double SumAt(double[][] sums, int j)
    {
        double s = 0;
        foreach (var a in sums) s += a[j];
        return s;
    }

    /// <summary>
    /// The chunks' accumulators of <paramref name="name"/>, each exactly <paramref name="length"/> long, looked up once: a
    /// lookup per element (a key string and a locked dictionary probe) made 34,561 × 16 = 553,000 lookups per PINN
    /// training step (d = 10), single-threaded.
    /// </summary>
    private double[][] ChunkAccumulators(string name, int count, int length)
    {
        var sums = new double[Chunks(count)][];
        for (var c = 0; c < sums.Length; c++) sums[c] = HostArray<double>(name, c, length);
        return sums;
    }

    // ---- the accelerator path ----

    /// <summary>The accelerator (the generated code calls this only when <see cref="KernelDevice.Accelerator"/> is set).</summary>
    protected Accelerator Accelerator => Device.Accelerator ?? throw new InvalidOperationException("this launcher runs on the CPU");

    /// <summary>
    /// A device buffer named <paramref name="name"/> of at least <paramref name="length"/> elements, kept between calls
    /// (reallocated when a call needs more); the view of its first <paramref name="length"/>.
    /// </summary>
    protected ArrayView1D<T, Stride1D.Dense> DeviceBuffer<T>(string name, long length) where T : unmanaged
    {
        length = Math.Max(length, 1);
        if (!_buffers.TryGetValue(name, out var b) || b is not MemoryBuffer1D<T, Stride1D.Dense> typed || typed.Length < length)
        {
            b?.Dispose();
            typed = Accelerator.Allocate1D<T>(length);
            _buffers[name] = typed;
        }
        return typed.View.SubView(0, length);
    }

    /// <summary>Copies <paramref name="data"/> into the device buffer <paramref name="name"/>; returns its view.</summary>
    protected ArrayView1D<T, Stride1D.Dense> Upload<T>(string name, ReadOnlySpan<T> data) where T : unmanaged
    {
        var view = DeviceBuffer<T>(name, data.Length);
        if (data.Length > 0) view.SubView(0, data.Length).CopyFromCPU(Accelerator.DefaultStream, data);
        return view.SubView(0, data.Length);
    }

    /// <summary>Copies <paramref name="rows"/> into <paramref name="view"/> (a wave's rows of an output the method may read).</summary>
    protected void CopyRows<T>(ArrayView1D<T, Stride1D.Dense> view, ReadOnlySpan<T> rows) where T : unmanaged
    {
        if (rows.Length > 0) view.CopyFromCPU(Accelerator.DefaultStream, rows);
    }

    /// <inheritdoc cref="CopyRows{T}(ArrayView1D{T, Stride1D.Dense}, ReadOnlySpan{T})"/>
    protected void CopyRows<T>(ArrayView1D<T, Stride1D.Dense> view, Span<T> rows) where T : unmanaged =>
        CopyRows(view, (ReadOnlySpan<T>)rows);

    /// <summary>Sets <paramref name="view"/> to zero (a wave's partial rows of a summed output).</summary>
    protected void Zero<T>(ArrayView1D<T, Stride1D.Dense> view) where T : unmanaged => view.MemSetToZero(Accelerator.DefaultStream);

    /// <summary>Copies the first <paramref name="destination"/>.Length elements of <paramref name="source"/> to the host.</summary>
    protected void Download<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        if (destination.Length == 0) return;
        ArrayView1D<T, Stride1D.Dense> view = source.SubView(0, destination.Length);
        view.CopyToCPU(Accelerator.DefaultStream, destination);
    }

    /// <summary>A zeroed double accumulator on the device for a summed output.</summary>
    protected ArrayView<double> DeviceSums(string name, int length)
    {
        var view = DeviceBuffer<double>(name, length);
        view.MemSetToZero(Accelerator.DefaultStream);
        return view.SubView(0, length);
    }

    /// <summary>
    /// The waves of a batch of <paramref name="count"/> items: whole chunks [chunk lo, chunk hi) whose items take at most
    /// <see cref="MaxWaveBytes"/> at <paramref name="bytesPerItem"/> each (partial rows, tape and scratch); at least one chunk.
    /// </summary>
    protected List<(int ItemLo, int ItemHi, int ChunkLo, int ChunkHi)> Waves(int count, long bytesPerItem)
    {
        var chunks = Chunks(count);
        var waves = new List<(int, int, int, int)>();
        var c = 0;
        while (c < chunks)
        {
            var hi = c + 1;
            while (hi < chunks && (long)(ChunkStart(count, chunks, hi + 1) - ChunkStart(count, chunks, c)) * bytesPerItem <= MaxWaveBytes)
                hi++;
            waves.Add((ChunkStart(count, chunks, c), ChunkStart(count, chunks, hi), c, hi));
            c = hi;
        }
        LastWaves = waves.Count;
        return waves;
    }

    /// <summary>
    /// True when <paramref name="shape"/> (the row and shared lengths and int arguments of a call) differs from the last
    /// call's: the tape and scratch needs may have changed, so the launcher sizes them on one item first.
    /// </summary>
    protected bool ShapeChanged(params long[] shape)
    {
        if (_shape is not null && shape.AsSpan().SequenceEqual(_shape)) return false;
        _shape = shape;
        return true;
    }

    /// <summary>Bytes per item of the tape and scratch slices at their present sizes.</summary>
    protected long SliceBytes(bool tape, bool scratch) =>
        (tape ? 8L * TapeSlice + 4 : 0) + (scratch ? 8L * ScratchSlice + 4 : 0);

    /// <summary>The tape of <paramref name="items"/> items at the present slice (empty when the slice is 0: a sizing launch).</summary>
    protected ArrayView<double> TapeView(int items) => DeviceBuffer<double>("__tape", (long)items * TapeSlice)
        .SubView(0, (long)items * TapeSlice);

    /// <summary>The scratch of <paramref name="items"/> items at the present slice (empty when the slice is 0).</summary>
    protected ArrayView<double> ScratchView(int items) => DeviceBuffer<double>("__scratch", (long)items * ScratchSlice)
        .SubView(0, (long)items * ScratchSlice);

    /// <summary>One int per item: the tape's or the scratch's overflow reports (<paramref name="name"/>).</summary>
    protected ArrayView<int> Reports(string name, int items) => DeviceBuffer<int>(name, items).SubView(0, items);

    /// <summary>
    /// After a launch of <paramref name="items"/> items: reads the tape and scratch reports (null: the kernel has none),
    /// grows the slices to the largest need, and returns true when an item overflowed (its results are wrong: launch again).
    /// </summary>
    protected bool Grow(ArrayView<int>? tapeReports, ArrayView<int>? scratchReports, int items)
    {
        Launches++;
        var grew = false;
        if (tapeReports is { } t)
        {
            var need = MaxOf(t, items);
            if (need > 0) { TapeSlice = Math.Max(TapeSlice, need); grew = true; }
        }
        if (scratchReports is { } s)
        {
            var need = MaxOf(s, items);
            if (need > 0) { ScratchSlice = Math.Max(ScratchSlice, need); grew = true; }
        }
        return grew;
    }

    private int MaxOf(ArrayView<int> reports, int items)
    {
        var host = HostArray<int>("__reports", 0, items);
        Download(reports, host);
        var max = 0;
        foreach (var v in host) max = Math.Max(max, v);
        return max;
    }

    /// <summary>
    /// Adds the partial rows of one wave (items [<paramref name="itemLo"/>, …) of chunks [<paramref name="chunkLo"/>,
    /// <paramref name="chunkHi"/>), row i − itemLo holding item i) into <paramref name="sums"/>, chunk by chunk in the fixed order.
    /// </summary>
    protected void AddChunks(ArrayView<float> partials, int rowLength, int count, int chunkLo, int chunkHi, int itemLo,
        ArrayView<double> sums)
    {
        _addChunksSingle ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int, int, int, int,
            ArrayView<double>>(KernelReductions.AddChunks);
        _addChunksSingle(rowLength, partials, rowLength, count, Chunks(count), chunkLo, chunkHi, itemLo, sums);
    }

    /// <inheritdoc cref="AddChunks(ArrayView{float}, int, int, int, int, int, ArrayView{double})"/>
    protected void AddChunks(ArrayView<double> partials, int rowLength, int count, int chunkLo, int chunkHi, int itemLo,
        ArrayView<double> sums)
    {
        _addChunksDouble ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, int, int, int, int,
            ArrayView<double>>(KernelReductions.AddChunks);
        _addChunksDouble(rowLength, partials, rowLength, count, Chunks(count), chunkLo, chunkHi, itemLo, sums);
    }

    /// <summary>
    /// <see cref="KernelReduction.Atomic"/>: adds every element of the first <paramref name="items"/> partial rows into
    /// <paramref name="sums"/> with one thread per element and <c>Atomic.Add</c> in double (order not fixed).
    /// </summary>
    protected void AddAtomically(ArrayView<float> partials, int rowLength, int items, ArrayView<double> sums)
    {
        _atomicSingle ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, long, int, ArrayView<double>>(
            KernelReductions.AddAtomically);
        // An Index1D is an int: launch at most 2^30 elements at a time.
        for (long e = 0, total = (long)items * rowLength; e < total; e += 1 << 30)
            _atomicSingle((int)Math.Min(1 << 30, total - e), partials, e, rowLength, sums);
    }

    /// <inheritdoc cref="AddAtomically(ArrayView{float}, int, int, ArrayView{double})"/>
    protected void AddAtomically(ArrayView<double> partials, int rowLength, int items, ArrayView<double> sums)
    {
        _atomicDouble ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, int, ArrayView<double>>(
            KernelReductions.AddAtomically);
        for (long e = 0, total = (long)items * rowLength; e < total; e += 1 << 30)
            _atomicDouble((int)Math.Min(1 << 30, total - e), partials, e, rowLength, sums);
    }

    /// <summary>Copies the double sums to <paramref name="destination"/>, each rounded once to float (on the device).</summary>
    protected void DownloadSums(ArrayView<double> sums, Span<float> destination)
    {
        var rounded = DeviceBuffer<float>("__rounded", destination.Length).SubView(0, destination.Length);
        _toSingle ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>>(KernelReductions.ToSingle);
        _toSingle(destination.Length, sums, rounded);
        Download(rounded, destination);
    }

    /// <summary>Copies the double sums to <paramref name="destination"/>.</summary>
    protected void DownloadSums(ArrayView<double> sums, Span<double> destination) => Download(sums, destination);

    /// <summary>A summed scalar output: its one double sum, rounded to float.</summary>
    protected float SumSingle(ArrayView<double> sums)
    {
        Span<double> one = stackalloc double[1];
        Download(sums, one);
        return (float)one[0];
    }

    /// <summary>A summed scalar output: its one double sum.</summary>
    protected double SumDouble(ArrayView<double> sums)
    {
        Span<double> one = stackalloc double[1];
        Download(sums, one);
        return one[0];
    }

    /// <summary>Frees the device buffers (the device itself is the caller's).</summary>
    public void Dispose()
    {
        foreach (var b in _buffers.Values) b.Dispose();
        _buffers.Clear();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The reduction kernels of <see cref="KernelLauncher"/> (one thread per output element).</summary>
internal static class KernelReductions
{
    /// <summary>
    /// sums[j] += Σ over chunks c in [chunkLo, chunkHi), in order, of (Σ over the chunk's items, in order, of
    /// partials[item − itemLo, j]).
    /// </summary>
    public static void AddChunks(Index1D j, ArrayView<float> partials, int rowLength, int count, int chunks, int chunkLo, int chunkHi,
        int itemLo, ArrayView<double> sums)
    {
        double total = sums[j];
        for (int c = chunkLo; c < chunkHi; c++)
        {
            long lo = KernelLauncher.ChunkStart(count, chunks, c), hi = KernelLauncher.ChunkStart(count, chunks, c + 1);
            double s = 0;
            for (long i = lo; i < hi; i++) s += partials[(i - itemLo) * rowLength + j];
            total += s;
        }
        sums[j] = total;
    }

    /// <inheritdoc cref="AddChunks(Index1D, ArrayView{float}, int, int, int, int, int, int, ArrayView{double})"/>
    public static void AddChunks(Index1D j, ArrayView<double> partials, int rowLength, int count, int chunks, int chunkLo, int chunkHi,
        int itemLo, ArrayView<double> sums)
    {
        double total = sums[j];
        for (int c = chunkLo; c < chunkHi; c++)
        {
            long lo = KernelLauncher.ChunkStart(count, chunks, c), hi = KernelLauncher.ChunkStart(count, chunks, c + 1);
            double s = 0;
            for (long i = lo; i < hi; i++) s += partials[(i - itemLo) * rowLength + j];
            total += s;
        }
        sums[j] = total;
    }

    /// <summary>sums[e mod rowLength] += partials[e] for e = offset + k, atomically (one thread per element).</summary>
    public static void AddAtomically(Index1D k, ArrayView<float> partials, long offset, int rowLength, ArrayView<double> sums)
    {
        long e = offset + k;
        Atomic.Add(ref sums[e % rowLength], partials[e]);
    }

    /// <inheritdoc cref="AddAtomically(Index1D, ArrayView{float}, long, int, ArrayView{double})"/>
    public static void AddAtomically(Index1D k, ArrayView<double> partials, long offset, int rowLength, ArrayView<double> sums)
    {
        long e = offset + k;
        Atomic.Add(ref sums[e % rowLength], partials[e]);
    }

    /// <summary>single[j] = (float)sums[j].</summary>
    public static void ToSingle(Index1D j, ArrayView<double> sums, ArrayView<float> single) => single[j] = (float)sums[j];
}
