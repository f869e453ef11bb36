using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Lanes;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Unroll-and-jam of the lanes methods' matrix loops (Transforms/Lanes/UnrollAndJam.cs): the jammed function, run by the
/// IR interpreter, writes the same bits as the loop as written, for every loop test (&lt;, ≤, &gt;, ≥), both directions,
/// constant and computed bounds, trip counts 0 to 9 (full groups and every remainder), bounds next to int.MinValue and
/// int.MaxValue, and inner loops with and without carried sums; and the loops it must not jam stay as they are.
/// </summary>
public class UnrollAndJamTests
{
    private const int Rows = 12;
    private const int Cols = 5;

    /// <summary>What the test loop's body does besides the jammable pattern (each a reason to refuse, or none).</summary>
    public enum Twist
    {
        None,
        /// <summary>The part before the inner loop writes a buffer the inner loop reads.</summary>
        BeforeWritesWhatInnerReads,
        /// <summary>The inner loop reads a buffer it accumulates into.</summary>
        InnerReadsItsAccumulator,
        /// <summary>The parts before and after the inner loop both push on the tape.</summary>
        TapeOnBothSides,
        /// <summary>The inner loop overwrites (=, not +=) an element.</summary>
        InnerOverwrites,
        /// <summary>The outer loop steps by 2.</summary>
        StepTwo,
        /// <summary>Both ends of the inner loop depend on j.</summary>
        BothInnerEndsDependOnJ,
        /// <summary>The part before the inner loop reads a value the outer loop carries.</summary>
        BeforeReadsCarried,
        /// <summary>The inner loop also accumulates into wbar at an index without j (a scalar-code vector loop that would
        /// stop being one jammed: wbar read-modify-written and accumulated in one pass).</summary>
        SharedAndPerRowIntoOneBuffer,
    }

    /// <summary>The inner loop's range over k (every form stays within 0 … n−1).</summary>
    public enum Inner
    {
        /// <summary><c>for (k = 0; k &lt; max(n, 0); k++)</c>: the same for every j.</summary>
        Plain,
        /// <summary><c>for (k = 0; k &lt; min(n, jj); k++)</c>: a triangle, the bound depends on j.</summary>
        UpToJ,
        /// <summary><c>for (k = max(n − jj, 0); k &lt; n; k++)</c>: the start depends on j.</summary>
        UpFromJ,
        /// <summary><c>for (k = max(n − jj, 0); k &lt;= n − 1; k++)</c>: the same with ≤.</summary>
        UpFromJInclusive,
        /// <summary><c>for (k = min(jj, n) − 1; k &gt;= 0; k--)</c>: the reverse sweep's triangle, the start depends on j.</summary>
        DownFromJ,
        /// <summary><c>for (k = min(jj, n) − 1; k &gt; −1; k--)</c>: the same with &gt;.</summary>
        DownFromJStrict,
        /// <summary><c>for (k = n − 1; k &gt; n − 1 − min(jj, n); k--)</c>: downward, the bound depends on j.</summary>
        DownToJ,
        /// <summary><c>for (k = 0; k &lt;= min(n, jj) − 1; k++)</c>: upward with ≤ to a bound that depends on j.</summary>
        UpToJInclusive,
        /// <summary>
        /// <c>for (k = n − 1; k &gt;= n − min(jj, n); k--)</c>: the reverse sweep's column triangle (<c>j = i + 1 … d − 1</c>
        /// run backwards), downward with ≥ to a bound that depends on j.
        /// </summary>
        DownToJInclusive,
    }

    /// <summary>
    /// <c>for (j = start; j CMP bound; j += step)</c> over rows <c>jj = j − origin</c>: before the inner loop
    /// <c>zj = 3·z[jj]</c>; the inner loop over k &lt; n accumulates <c>hbar[k] += w[jj·n+k]·zj</c> (an index without j)
    /// and <c>wbar[jj·n+k] += zj·x[k]</c> (an index with j), and carries <paramref name="carried"/> sums
    /// <c>sᵢ += w[jj·n+k]·x[k]·(i+1)</c> from <c>sᵢ = zj</c>; after it <c>out[jj] = s₀ + Σ sᵢ²</c> and <c>wbar[rows·n+jj] += zj</c>.
    /// </summary>
    private static Function Build(int step, LoopCmp cmp, int carried, int? constantBound = null, Twist twist = Twist.None,
        Inner range = Inner.Plain, bool outerCarries = false)
    {
        var b = new IrBuilder();
        var f64 = IrType.Buf(ScalarKind.F64, BufferKind.ReadOnlySpan);
        var span = IrType.Buf(ScalarKind.F64, BufferKind.Span);
        var w = b.NewValue(f64, "w");
        var x = b.NewValue(twist == Twist.BeforeWritesWhatInnerReads ? span : f64, "x");
        var z = b.NewValue(f64, "z");
        var hbar = b.NewValue(span, "hbar");
        var wbar = b.NewValue(span, "wbar");
        var output = b.NewValue(span, "output");
        var start = b.NewValue(IrType.I32, "start");
        var boundParam = b.NewValue(IrType.I32, "bound");
        var origin = b.NewValue(IrType.I32, "origin");
        var n = b.NewValue(IrType.I32, "n");
        b.BeginBlock();
        var bound = constantBound is { } c ? b.Const(c, IrType.I32, "last") : boundParam;
        var kStart = b.Const(0, IrType.I32, "first");
        var rowsTimesN = b.Binary(BinOp.Mul, b.Const(Rows, IrType.I32, "rows"), n, "tail");

        var zero = b.Const(0, IrType.F64, "zero");
        var jv = b.NewValue(IrType.I32, "j");
        var acc = b.NewValue(IrType.F64, "acc");
        b.BeginBlock();
        var jj = b.Binary(BinOp.Sub, jv, origin, "jj");
        var three = b.Const(3, IrType.F64, "three");
        var zj = b.Binary(BinOp.Mul, b.Load(z, jj, "zj0"), three, "zj");
        if (twist == Twist.BeforeReadsCarried) zj = b.Binary(BinOp.Add, zj, acc, "zj_acc");
        // The inner loop's range, computed in the outer body as the reverse sweep does (`k_count = Math.Max(d, 0)`):
        // the same for every j, or with one end (both, with the twist) that depends on j.
        var one = b.Const(1, IrType.I32, "one");
        var nMinusOne = b.Binary(BinOp.Sub, n, one, "n1");
        var minJn = b.Binary(BinOp.Min, jj, n, "mjn");
        var fromJ = b.Binary(BinOp.Max, b.Binary(BinOp.Sub, n, jj), kStart, "k_from");
        var (innerStart, innerBound, innerStep, innerCmp) = (twist, range) switch
        {
            (Twist.BothInnerEndsDependOnJ, _) => (fromJ, b.Binary(BinOp.Add, fromJ, one, "k_to"), 1, LoopCmp.Lt),
            (_, Inner.UpToJ) => (kStart, b.Binary(BinOp.Min, n, jj, "k_count"), 1, LoopCmp.Lt),
            (_, Inner.UpFromJ) => (fromJ, n, 1, LoopCmp.Lt),
            (_, Inner.UpFromJInclusive) => (fromJ, nMinusOne, 1, LoopCmp.Le),
            (_, Inner.DownFromJ) => (b.Binary(BinOp.Sub, minJn, one, "k_first"), kStart, -1, LoopCmp.Ge),
            (_, Inner.DownFromJStrict) => (b.Binary(BinOp.Sub, minJn, one, "k_first"), b.Const(-1, IrType.I32, "below"), -1, LoopCmp.Gt),
            (_, Inner.DownToJ) => (nMinusOne, b.Binary(BinOp.Sub, nMinusOne, minJn, "k_stop"), -1, LoopCmp.Gt),
            (_, Inner.UpToJInclusive) => (kStart, b.Binary(BinOp.Sub, minJn, one, "k_last"), 1, LoopCmp.Le),
            (_, Inner.DownToJInclusive) => (nMinusOne, b.Binary(BinOp.Sub, n, minJn, "k_stop"), -1, LoopCmp.Ge),
            _ => (kStart, b.Binary(BinOp.Max, n, kStart, "k_count"), 1, LoopCmp.Lt),
        };
        if (twist == Twist.BeforeWritesWhatInnerReads) b.Store(x, jj, zj);
        if (twist == Twist.TapeOnBothSides) b.Emit(new PushOp(zj));

        var kv = b.NewValue(IrType.I32, "k");
        var sums = Enumerable.Range(0, carried).Select(i => b.NewValue(IrType.F64, "s" + i)).ToList();
        b.BeginBlock();
        var row = b.Binary(BinOp.Mul, jj, n, "row");
        var kk = kv;
        var idx = b.Binary(BinOp.Add, row, kk, "idx");
        var t = b.Load(w, idx, "t");
        var xk = b.Load(x, kk, "xk");
        b.Store(hbar, kk, b.Binary(BinOp.Mul, t, zj), accumulate: true);
        b.Store(wbar, idx, b.Binary(BinOp.Mul, zj, xk), accumulate: twist != Twist.InnerOverwrites);
        if (twist == Twist.InnerReadsItsAccumulator) b.Store(hbar, kk, b.Load(hbar, kk, "again"), accumulate: true);
        if (twist == Twist.SharedAndPerRowIntoOneBuffer) b.Store(wbar, kk, t, accumulate: true);
        // Sum i adds t·x[k]·(i+1): distinct sums, so a mix-up between them shows.
        var yields = sums.Select((sum, i) =>
            b.Binary(BinOp.Add, sum, b.Binary(BinOp.Mul, b.Binary(BinOp.Mul, t, xk), b.Const(i + 1, IrType.F64)), "s_next")).ToList();
        var innerOps = b.EndBlock();
        var outs = sums.Select(sum => b.NewValue(IrType.F64, sum.Name + "_out")).ToList();
        b.Emit(new ForOp(outs.ToEquatableArray(), innerStart, innerBound, innerStep, innerCmp, sums.Select(_ => zj).ToEquatableArray(),
            new Region(new[] { kv }.Concat(sums).ToEquatableArray(), innerOps, yields.ToEquatableArray())));

        if (carried > 0) b.Store(output, jj, outs.Aggregate((a, c) => b.Binary(BinOp.Add, a, b.Binary(BinOp.Mul, c, c))));
        b.Store(wbar, b.Binary(BinOp.Add, rowsTimesN, jj, "at"), zj, accumulate: true);
        if (twist == Twist.TapeOnBothSides) b.Emit(new PushOp(zj));
        // A carried sum of the outer loop (as `sq += y * y` in the GMM's rows), updated after the inner loop.
        var carries = outerCarries || twist == Twist.BeforeReadsCarried;
        var accNext = carries ? b.Binary(BinOp.Add, acc, b.Binary(BinOp.Mul, carried > 0 ? outs[0] : zj, zj), "acc_next") : zero;
        var outerOps = b.EndBlock();
        var accOut = b.NewValue(IrType.F64, "acc_out");
        b.Emit(new ForOp(carries ? new[] { accOut }.ToEquatableArray() : EquatableArray<Value>.Empty, start, bound,
            twist == Twist.StepTwo ? 2 * step : step, cmp, carries ? new[] { zero }.ToEquatableArray() : EquatableArray<Value>.Empty,
            new Region((carries ? new[] { jv, acc } : new[] { jv }).ToEquatableArray(), outerOps,
                carries ? new[] { accNext }.ToEquatableArray() : EquatableArray<Value>.Empty)));
        if (carries) b.Store(output, b.Const(Rows, IrType.I32, "past_rows"), accOut);
        var body = b.EndBlock();
        var args = new[] { w, x, z, hbar, wbar, output, start, boundParam, origin, n };
        return new Function(FunctionKey.Primal("Jam"), "Jam", new Region(args.ToEquatableArray(), body, EquatableArray<Value>.Empty));
    }

    private static LaneVerdict NoLanes => new(Array.Empty<int>(), 0, false, 0, Array.Empty<string>());

    private static IEnumerable<ForOp> Loops(Region r) =>
        r.Ops.SelectMany(op => (op is ForOp f ? new[] { f } : Array.Empty<ForOp>()).Concat(op.Regions.SelectMany(Loops)));

    private static double[][] Run(Function fn, int start, int bound, int origin, int seed)
    {
        var rnd = new Random(seed);
        double[] R(int len) => Enumerable.Range(0, len).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var w = R(Rows * Cols);
        var x = R(Cols);
        var z = R(Rows);
        var hbar = R(Cols);
        var wbar = R(Rows * Cols + Rows);
        var output = R(Rows + 1);
        new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn, w, x, z, hbar, wbar, output, start, bound, origin, Cols);
        return new[] { x, hbar, wbar, output };
    }

    public static IEnumerable<object[]> Loops4()
    {
        foreach (var step in new[] { 1, -1 })
        {
            foreach (var cmp in step > 0 ? new[] { LoopCmp.Lt, LoopCmp.Le } : new[] { LoopCmp.Gt, LoopCmp.Ge })
            {
                foreach (var carried in new[] { 0, 1, 6 })
                {
                    foreach (var constant in new[] { false, true }) yield return new object[] { step, cmp.ToString(), carried, constant };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Loops4))]
    public void The_jammed_loop_writes_the_same_bits_for_every_trip_count(int step, string test, int carried, bool constant) =>
        AssertSameBits(step, Enum.Parse<LoopCmp>(test), carried, constant, Inner.Plain, outerCarries: false);

    public static IEnumerable<object[]> RaggedLoops()
    {
        foreach (var range in Enum.GetValues<Inner>())
        {
            foreach (var carried in new[] { 0, 1, 6 })
            {
                foreach (var outerCarries in new[] { false, true })
                {
                    if (range == Inner.Plain && !outerCarries) continue;   // the theory above
                    yield return new object[] { range.ToString(), carried, outerCarries };
                }
            }
        }
    }

    /// <summary>
    /// Triangular inner loops (one end depends on j: the shared range jammed, each j's rest on its own) and outer loops
    /// that carry a sum, for both directions and every loop test of the outer loop: the same bits as the loop as written.
    /// </summary>
    [Theory]
    [MemberData(nameof(RaggedLoops))]
    public void Ragged_inner_loops_and_carried_outer_sums_keep_the_bits(string range, int carried, bool outerCarries)
    {
        foreach (var (step, cmp) in new[] { (1, LoopCmp.Lt), (1, LoopCmp.Le), (-1, LoopCmp.Gt), (-1, LoopCmp.Ge) })
        {
            AssertSameBits(step, cmp, carried, constant: false, Enum.Parse<Inner>(range), outerCarries);
        }
    }

    private static void AssertSameBits(int step, LoopCmp cmp, int carried, bool constant, Inner range, bool outerCarries)
    {
        var origins = constant ? new long[] { 0 } : new long[] { 0, int.MinValue, int.MaxValue - Rows + 1 };
        var runs = 0;
        foreach (var origin in origins)
        {
            // Row 0 makes the ragged ranges empty for some j (min(jj, n) = 0), so a copy's own part can end at the bound.
            foreach (var first in range == Inner.Plain ? new[] { 1, 10 } : new[] { 0, 1, 10 })
            {
                for (var trips = 0; trips <= 9 && first + trips <= Rows; trips++)
                {
                    // Rows first … first+trips−1 (relative to origin), visited upward or downward.
                    long lo = origin + first, hi = origin + first + trips - 1;
                    long start = step > 0 ? lo : hi;
                    long bound = (step, cmp) switch
                    {
                        (> 0, LoopCmp.Lt) => hi + 1,
                        (> 0, _) => hi,
                        (_, LoopCmp.Gt) => lo - 1,
                        _ => lo,
                    };
                    if (start is < int.MinValue or > int.MaxValue || bound is < int.MinValue or > int.MaxValue) continue;
                    // `j <= int.MaxValue` (or `j >= int.MinValue`) never ends in C#: no such loop to compare with.
                    if ((cmp == LoopCmp.Le && bound == int.MaxValue) || (cmp == LoopCmp.Ge && bound == int.MinValue)) continue;
                    var original = Build(step, cmp, carried, constant ? (int)bound : null, range: range, outerCarries: outerCarries);
                    var (jammed, _) = UnrollAndJam.Run(original, NoLanes);
                    Assert.Empty(Verifier.Verify(jammed));
                    var groups = Loops(jammed.Body).Where(l => Math.Abs(l.Step) > 1).ToList();
                    // Lanes methods: eight rows for a dot product over the same range for every row (one carried sum),
                    // else four; two when the inner loop carries more than four sums.
                    Assert.Equal(carried > 4 ? 2 : carried == 1 && range == Inner.Plain ? 8 : 4, Assert.Single(groups).Step * step);
                    var expected = Run(original, (int)start, (int)bound, (int)origin, seed: trips);
                    var actual = Run(jammed, (int)start, (int)bound, (int)origin, seed: trips);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(expected[i].SequenceEqual(actual[i]),
                            $"buffer {i} differs: origin {origin}, rows {first}..{first + trips - 1}, {range}, {step} {cmp}");
                    }
                    runs++;
                }
            }
        }
        Assert.True(runs >= (constant ? 12 : 20), $"only {runs} configurations ran");
    }

    [Fact]
    public void A_loop_that_runs_no_group_only_runs_its_remainder()
    {
        // Three rows upward with j < bound: the group needs four, so the jammed loop's moved bound stops it at once.
        var original = Build(1, LoopCmp.Lt, carried: 0);
        var (jammed, _) = UnrollAndJam.Run(original, NoLanes);
        var expected = Run(original, 2, 5, 0, seed: 7);
        var actual = Run(jammed, 2, 5, 0, seed: 7);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Theory]
    [InlineData(Twist.BeforeWritesWhatInnerReads)]
    [InlineData(Twist.InnerReadsItsAccumulator)]
    [InlineData(Twist.TapeOnBothSides)]
    [InlineData(Twist.InnerOverwrites)]
    [InlineData(Twist.StepTwo)]
    [InlineData(Twist.BothInnerEndsDependOnJ)]
    [InlineData(Twist.BeforeReadsCarried)]
    public void Loops_whose_reordering_could_change_results_are_left_as_they_are(Twist twist)
    {
        var original = Build(1, LoopCmp.Lt, carried: 0, twist: twist);
        var (jammed, _) = UnrollAndJam.Run(original, NoLanes);
        Assert.Same(original, jammed);
        Assert.False(UnrollAndJam.Jammable(Loops(original.Body).First()));
    }

    [Fact]
    public void Scalar_code_jams_carried_sums_and_keeps_vector_scatters_vector_loops()
    {
        // With sums the inner loop is a chain of dependent additions: jammed (four rows; lanes methods take eight for one sum).
        var dot = Build(1, LoopCmp.Lt, carried: 1);
        var jammed = UnrollAndJam.RunScalar(dot);
        Assert.Single(Loops(jammed.Body), l => l.Step == 4);
        Assert.True(UnrollAndJam.JammableInScalarCode(Loops(dot.Body).First()));
        // Without, it is an adjoint scatter that the scalar emitter runs a vector at a time: jammed only because the jammed
        // pass (hbar[k] read once, four additions, written once) still is a vector loop; the same bits.
        var scatter = Build(1, LoopCmp.Lt, carried: 0);
        Assert.NotNull(Dsl.Generator.Emit.SimdLoop.Plan(Loops(scatter.Body).Skip(1).First()));
        var jammedScatter = UnrollAndJam.RunScalar(scatter);
        var pass = Loops(Loops(jammedScatter.Body).Single(l => l.Step == 4).Body).Single();
        Assert.NotNull(Dsl.Generator.Emit.SimdLoop.Plan(pass));
        var before = Run(scatter, 0, 11, 0, seed: 5);
        var after = Run(jammedScatter, 0, 11, 0, seed: 5);
        for (var i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        // One that would stop being a vector loop stays as it is (lanes code, which has no such loops, jams it).
        var mixed = Build(1, LoopCmp.Lt, carried: 0, twist: Twist.SharedAndPerRowIntoOneBuffer);
        Assert.NotNull(Dsl.Generator.Emit.SimdLoop.Plan(Loops(mixed.Body).Skip(1).First()));
        Assert.True(UnrollAndJam.JammableInScalarCode(Loops(mixed.Body).First()));
        Assert.Same(mixed, UnrollAndJam.RunScalar(mixed));
        Assert.NotSame(mixed, UnrollAndJam.Run(mixed, NoLanes).Fn);
        // A triangular dot product (the GMM's rows of Q(x − μ)) with an outer sum: jammed, same bits.
        var triangle = Build(1, LoopCmp.Lt, carried: 1, range: Inner.UpToJ, outerCarries: true);
        Assert.True(UnrollAndJam.JammableInScalarCode(Loops(triangle.Body).First()));
        var expected = Run(triangle, 1, 11, 0, seed: 3);
        var actual = Run(UnrollAndJam.RunScalar(triangle), 1, 11, 0, seed: 3);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    /// <summary><c>for (i = 0; i &lt; n; i++) x[i] = x[at] + a[i]</c> with <c>at</c> = i, i + 1 or 0.</summary>
    private static ForOp ReadModifyWrite(string at)
    {
        var b = new IrBuilder();
        var span = IrType.Buf(ScalarKind.F64, BufferKind.Span);
        var x = b.NewValue(span, "x");
        var a = b.NewValue(IrType.Buf(ScalarKind.F64, BufferKind.ReadOnlySpan), "a");
        var n = b.NewValue(IrType.I32, "n");
        b.BeginBlock();
        var zero = b.Const(0, IrType.I32, "zero");
        var iv = b.NewValue(IrType.I32, "i");
        b.BeginBlock();
        var index = at switch
        {
            "i" => iv,
            "i+1" => b.Binary(BinOp.Add, iv, b.Const(1, IrType.I32, "one"), "next"),
            _ => zero,
        };
        b.Store(x, iv, b.Binary(BinOp.Add, b.Load(x, index, "old"), b.Load(a, iv, "ai"), "sum"));
        var body = b.EndBlock();
        b.Emit(new ForOp(EquatableArray<Value>.Empty, zero, n, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
            new Region(new[] { iv }.ToEquatableArray(), body, EquatableArray<Value>.Empty)));
        return Loops(new Region(new[] { x, a, n }.ToEquatableArray(), b.EndBlock(), EquatableArray<Value>.Empty)).Single();
    }

    [Theory]
    [InlineData("i", true)]        // each iteration reads and writes its own element: a vector at a time is the same
    [InlineData("i+1", false)]     // reads the element the next iteration writes
    [InlineData("0", false)]       // reads an element some iteration writes
    public void A_vector_loop_may_read_and_write_only_its_own_element(string at, bool vector) =>
        Assert.Equal(vector, Dsl.Generator.Emit.SimdLoop.Plan(ReadModifyWrite(at)) is not null);

    [Fact]
    public void The_plain_pattern_is_jammable()
    {
        Assert.True(UnrollAndJam.Jammable(Loops(Build(1, LoopCmp.Lt, carried: 0).Body).First()));
        Assert.True(UnrollAndJam.Jammable(Loops(Build(-1, LoopCmp.Ge, carried: 6).Body).First()));
    }

    [Fact]
    public void New_values_are_per_item_exactly_where_their_originals_are()
    {
        // With hbar, wbar, z and the loaded values per item, every copy of a per-item value is per item and the group
        // counter stays one scalar.
        var fn = Build(-1, LoopCmp.Ge, carried: 0);
        var perItem = new HashSet<int>();
        foreach (var v in fn.Params.Where(p => p.Name is "z" or "hbar" or "wbar")) perItem.Add(v.Id);
        void Mark(Region r)
        {
            foreach (var op in r.Ops)
            {
                if (op.Operands.Any(v => perItem.Contains(v.Id))) foreach (var res in op.Results) perItem.Add(res.Id);
                foreach (var inner in op.Regions) Mark(inner);
            }
        }
        Mark(fn.Body);
        var verdict = NoLanes with { Varying = perItem };
        var (jammed, extended) = UnrollAndJam.Run(fn, verdict);
        var group = Loops(jammed.Body).Single(l => l.Step == -4);
        Assert.False(extended.IsVarying(group.Body.Args[0]));
        var zj = group.Body.Ops.OfType<BinaryOp>().Where(o => o.Result.Name == "zj").ToList();
        Assert.Equal(4, zj.Count);
        Assert.All(zj, o => Assert.True(extended.IsVarying(o.Result)));
        var inner = Loops(group.Body).Single();
        Assert.All(inner.Body.Ops.OfType<LoadOp>().Where(l => l.Buffer.Name == "w"), l => Assert.False(extended.IsVarying(l.Result)));
        Assert.All(inner.Body.Ops.OfType<LoadOp>().Where(l => l.Buffer.Name == "hbar"), l => Assert.True(extended.IsVarying(l.Result)));
    }

    /// <summary>
    /// The reverse sweep of the GMM's column-wise triangle (<c>for i: for j = i + 1 … d − 1: qx[j] += l[c] · x[i]; c++</c>)
    /// after scalar replacement: for i = d − 1 down to 0 the counter steps back before the inner loop
    /// (<c>c = c_next − max(d − i − 1, 0)</c>), <c>x̄[i]</c> is loaded under a guard before it and stored under one after it,
    /// and the inner loop runs j = d − 1 down to i + 1 with ≥ (a bound that depends on i), carrying the sum
    /// <c>acc += l[c + j − i − 1] · ḡ[j]</c> and accumulating <c>l̄[c + j − i − 1] += ḡ[j] · x[i]</c>. With
    /// <paramref name="elsewhere"/> the after-part stores x̄[i + 1] instead: parts of different i then meet in memory.
    /// </summary>
    private static Function ColumnTriangle(bool elsewhere)
    {
        var b = new IrBuilder();
        var ro = IrType.Buf(ScalarKind.F64, BufferKind.ReadOnlySpan);
        var span = IrType.Buf(ScalarKind.F64, BufferKind.Span);
        var l = b.NewValue(ro, "l");
        var g = b.NewValue(ro, "g");
        var x = b.NewValue(ro, "x");
        var lbar = b.NewValue(span, "lbar");
        var xbarOut = b.NewValue(span, "xbar_out");
        var d = b.NewValue(IrType.I32, "d");
        var cEnd = b.NewValue(IrType.I32, "c_end");
        b.BeginBlock();
        var zeroI = b.Const(0, IrType.I32, "zero");
        var one = b.Const(1, IrType.I32, "one");
        var dPlusOne = b.Binary(BinOp.Add, d, one, "d1");
        var xbar = b.Alloc(IrType.Buf(ScalarKind.F64, BufferKind.Heap), dPlusOne, "xbar");
        b.Loop(zeroI, dPlusOne, "k", k => b.Store(xbar, k, b.Binary(BinOp.Mul, b.Load(x, k, "xk"), b.Const(0.5, IrType.F64, "half"))));
        var top = b.Binary(BinOp.Sub, d, one, "top");

        var iv = b.NewValue(IrType.I32, "i");
        var cNext = b.NewValue(IrType.I32, "c_next");
        b.BeginBlock();
        var s = b.Binary(BinOp.Add, iv, one, "s");
        var count = b.Binary(BinOp.Max, b.Binary(BinOp.Sub, d, s, "left"), zeroI, "count");
        var c = b.Binary(BinOp.Sub, cNext, count, "c");
        var runs = b.Binary(BinOp.Ge, top, s, "runs");
        b.BeginBlock();
        var loaded = b.Load(xbar, iv, "loaded");
        var thenOps = b.EndBlock();
        b.BeginBlock();
        var zero = b.Const(0, IrType.F64, "zero");
        var elseOps = b.EndBlock();
        var init = b.If(runs, thenOps, new[] { loaded }, elseOps, new[] { zero })[0];

        var jv = b.NewValue(IrType.I32, "j");
        var acc = b.NewValue(IrType.F64, "acc");
        b.BeginBlock();
        var at = b.Binary(BinOp.Add, c, b.Binary(BinOp.Sub, jv, s, "dj"), "at");
        var gj = b.Load(g, jv, "gj");
        b.Store(lbar, at, b.Binary(BinOp.Mul, gj, b.Load(x, iv, "xi")), accumulate: true);
        var accNext = b.Binary(BinOp.Add, acc, b.Binary(BinOp.Mul, b.Load(l, at, "lc"), gj), "acc_next");
        var innerOps = b.EndBlock();
        var accOut = b.NewValue(IrType.F64, "acc_out");
        b.Emit(new ForOp(new[] { accOut }.ToEquatableArray(), top, s, -1, LoopCmp.Ge, new[] { init }.ToEquatableArray(),
            new Region(new[] { jv, acc }.ToEquatableArray(), innerOps, new[] { accNext }.ToEquatableArray())));
        b.BeginBlock();
        b.Store(xbar, elsewhere ? s : iv, accOut);
        var storeOps = b.EndBlock();
        b.If(runs, storeOps, Array.Empty<Value>(), EquatableArray<Op>.Empty, Array.Empty<Value>());
        var outerOps = b.EndBlock();
        var cOut = b.NewValue(IrType.I32, "c_out");
        b.Emit(new ForOp(new[] { cOut }.ToEquatableArray(), top, zeroI, -1, LoopCmp.Ge, new[] { cEnd }.ToEquatableArray(),
            new Region(new[] { iv, cNext }.ToEquatableArray(), outerOps, new[] { c }.ToEquatableArray())));
        b.Loop(zeroI, dPlusOne, "k", k => b.Store(xbarOut, k, b.Load(xbar, k, "xbk")));
        var body = b.EndBlock();
        var args = new[] { l, g, x, lbar, xbarOut, d, cEnd };
        return new Function(FunctionKey.Primal("Column"), "Column", new Region(args.ToEquatableArray(), body, EquatableArray<Value>.Empty));
    }

    private static double[][] RunColumn(Function fn, int d, int cEnd, int seed)
    {
        var rnd = new Random(seed);
        double[] R(int len) => Enumerable.Range(0, len).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var l = R(cEnd + 1);
        var g = R(d + 1);
        var x = R(d + 1);
        var lbar = R(cEnd + 1);
        var xbarOut = new double[d + 1];
        new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn, l, g, x, lbar, xbarOut, d, cEnd);
        return new[] { lbar, xbarOut };
    }

    [Fact]
    public void Scalar_code_jams_the_reverse_column_triangle_with_its_guarded_element_and_stepped_counter()
    {
        var fn = ColumnTriangle(elsewhere: false);
        var jammed = UnrollAndJam.RunScalar(fn);
        Assert.Empty(Verifier.Verify(jammed));
        Assert.Single(Loops(jammed.Body), f => f.Step == -4);
        for (var d = 0; d <= 11; d++)
        {
            // The packed triangle holds d(d − 1)/2 entries; the counter ends there (and starts at 0 for i = 0).
            var cEnd = d * (d - 1) / 2;
            var expected = RunColumn(fn, d, cEnd, seed: d);
            var actual = RunColumn(jammed, d, cEnd, seed: d);
            for (var i = 0; i < expected.Length; i++) Assert.True(expected[i].SequenceEqual(actual[i]), $"buffer {i} differs at d = {d}");
        }
        // The after-part writing another i's element: not jammed.
        var other = ColumnTriangle(elsewhere: true);
        Assert.Same(other, UnrollAndJam.RunScalar(other));
        // Lanes code takes no branches in the outer body.
        Assert.Same(fn, UnrollAndJam.Run(fn, NoLanes).Fn);
    }
}
