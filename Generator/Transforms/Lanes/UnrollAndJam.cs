using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Lanes;

/// <summary>
/// Unroll-and-jam of matrix loops, in lanes methods and in scalar code (<see cref="RunScalar"/>, the C# target's
/// legalization): a loop over j whose body holds one inner loop over k runs several
/// values of j per pass over k. Four in the reverse sweep's adjoint loops (<c>h̄[k] += θ[j,k]·z̄ⱼ</c>,
/// <c>θ̄[j,k] += z̄ⱼ·h[k]</c>; in lanes code fewer when the jet rows' vectors would not fit the registers), two in the
/// forward sweep's dot products, which carry one sum per jet coefficient. For a
/// group of j: the part of the body before the inner loop runs for each j, in the order of j; then one inner loop does
/// the group, each load that does not depend on j made once for all of it, each element at an index that does not
/// depend on j read once, given the group's contributions one after the other in the order of j, and written once;
/// then the part after the inner loop runs for each j, in the order of j. A remainder loop runs the last values of j
/// as before.
/// </summary>
/// <remarks>
/// <para>Why: with W items in the lanes only a weight load is shared by the W items; the loads and stores of per-item
/// rows (h, the jet rows, their adjoints) cost per item what one item's code costs. The adjoint loops were 35 % and the
/// forward dot products 15 % of the PINN training step (perf, d = 100, sparse STDE, one core). Jammed by four, the
/// second and third layers' adjoint loop ran 1.8× faster in isolation (86 µs against 156 µs per 128 × 128 layer and
/// block of 8 points), with the same bits.</para>
/// <para>When (each checked by <see cref="Shape"/>; otherwise the loop stays as it is): the outer loop steps by ±1 and is
/// not a <c>while</c> loop, and what it carries is read only after the inner loop (<c>sq += y * y</c>); its body is
/// straight-line code around exactly one inner loop (no branch, call, allocation or clear); the inner loop's ends are the
/// same for every j, or one of them differs (a triangle: it then steps by one with a strict test towards a differing
/// bound, or from a differing start with any test), it carries at most 12 values, and its body is arithmetic, loads and
/// accumulating stores (<c>+=</c>); no buffer it accumulates into is
/// read by it or by the outer body, or written there other than by <c>+=</c>; no buffer it reads is written by the
/// outer body; the parts before and after it do not meet in memory (unless both only accumulate) and not both use the
/// tape.</para>
/// <para>Results: every value is computed from the same operands as before, and every element receives the same
/// contributions. They arrive in the same order (so the bits are those of the loop as written) unless one element
/// receives contributions from two of the inner loop's stores, from two values of k, or from both the inner loop and
/// the outer body; there the same sum is added in another order. Dense layers never do: each θ̄ element belongs to one
/// (j, k), each h̄ element to one k.</para>
/// </remarks>
internal static class UnrollAndJam
{
    /// <summary>The function with every such loop jammed, and the verdict extended to the new values.</summary>
    public static (Function Fn, LaneVerdict Verdict) Run(Function fn, LaneVerdict verdict) => Run(fn, verdict, scalar: false);

    /// <summary>
    /// The same for scalar code (the C# CPU target, one item per call): there a dot product's sum is one chain of
    /// dependent additions, four cycles each, and four rows jammed are four independent chains. An inner loop the scalar
    /// emitter runs a vector at a time (<see cref="Emit.SimdLoop"/>: the adjoint scatters) is jammed only when the jammed
    /// loop still is one; the shared adjoint row (<c>h̄[k]</c>) is then read and written once for four rows.
    /// </summary>
    public static Function RunScalar(Function fn) =>
        Run(fn, new LaneVerdict(System.Array.Empty<int>(), 0, false, 0, System.Array.Empty<string>()), scalar: true).Fn;

    private static (Function Fn, LaneVerdict Verdict) Run(Function fn, LaneVerdict verdict, bool scalar)
    {
        var constants = new Dictionary<int, double>();
        Constants(fn.Body, constants);
        var jam = new Jammer(MaxId(fn.Body) + 1, verdict, constants, scalar);
        var body = Rewrite.MapLoops(fn.Body, jam.Loop);
        if (!jam.Changed) return (fn, verdict);
        return (fn with { Body = body }, verdict with { Varying = jam.Varying });
    }

    /// <summary>Whether <paramref name="outer"/> has the shape this transform jams (see the remarks).</summary>
    public static bool Jammable(ForOp outer) => Shape(outer, scalar: false) is not null;

    /// <summary>Whether the scalar target jams <paramref name="outer"/> (<see cref="RunScalar"/>).</summary>
    public static bool JammableInScalarCode(ForOp outer) => Shape(outer, scalar: true) is not null;

    private static void Constants(Region r, Dictionary<int, double> into)
    {
        foreach (var op in r.Ops)
        {
            if (op is ConstOp c && c.Result.Type.Elem == ScalarKind.I32) into[c.Result.Id] = c.Number;
            foreach (var inner in op.Regions) Constants(inner, into);
        }
    }

    private static int MaxId(Region r)
    {
        var ids = new HashSet<int>();
        Rewrite.Defs(r, ids);
        Rewrite.Reads(r, ids);
        return ids.Count == 0 ? 0 : ids.Max();
    }

    /// <summary>
    /// The outer loop's body split around its inner loop, how many values of j one pass takes, and which end of the inner
    /// loop depends on j (a triangular loop such as <c>for (i = 0; i &lt; j; i++)</c>, or its reverse).
    /// </summary>
    private sealed record LoopShape(int InnerIndex, ForOp Inner, int Factor, Ragged Ragged);

    /// <summary>Which end of the inner loop's range differs between the values of j.</summary>
    private enum Ragged
    {
        /// <summary>Both ends are the same for every j.</summary>
        None,
        /// <summary>Where it stops (<c>i &lt; j</c>): one pass runs the range all the group's j share, then each j its rest.</summary>
        Bound,
        /// <summary>Where it starts (<c>i = j − 1; i &gt;= 0</c>): each j runs its own part, then one pass the shared range.</summary>
        Start,
    }

    /// <summary>Buffers an op list loads, stores with <c>=</c>, stores with <c>+=</c>; whether it touches the tape.</summary>
    private sealed class Access
    {
        public HashSet<int> Loads { get; } = new();
        public HashSet<int> Stores { get; } = new();
        public HashSet<int> Accumulates { get; } = new();
        public bool Tape { get; private set; }

        /// <summary>Per buffer, the index values of its accesses.</summary>
        public Dictionary<int, HashSet<int>> Indices { get; } = new();

        public static Access Of(IEnumerable<Op> ops)
        {
            var a = new Access();
            a.Add(ops);
            return a;
        }

        private void Add(IEnumerable<Op> ops)
        {
            foreach (var op in ops)
            {
                switch (op)
                {
                    case LoadOp l: Loads.Add(l.Buffer.Id); At(l.Buffer, l.Index); break;
                    case StoreOp { Accumulate: true } s: Accumulates.Add(s.Buffer.Id); At(s.Buffer, s.Index); break;
                    case StoreOp s: Stores.Add(s.Buffer.Id); At(s.Buffer, s.Index); break;
                    case PushOp or PopOp: Tape = true; break;
                    case IfOp i: Add(i.Then.Ops); Add(i.Else.Ops); break;
                }
            }
        }

        private void At(Value buffer, Value index) =>
            (Indices.TryGetValue(buffer.Id, out var set) ? set : Indices[buffer.Id] = new HashSet<int>()).Add(index.Id);

        /// <summary>Buffers written here in any way.</summary>
        public bool Writes(int id) => Stores.Contains(id) || Accumulates.Contains(id);

        public bool Touches(int id) => Loads.Contains(id) || Writes(id);
    }

    /// <summary>
    /// Values of the outer body, and of its inner loop, that may differ between values of j: j itself, loads and pops
    /// in the outer body (memory changes from one j to the next), the inner loop's carried values and results, and whatever is computed
    /// from them. Every other value (constants, arithmetic on values from outside the loop) is the same for every j.
    /// </summary>
    private static HashSet<int> DependsOnJ(ForOp j)
    {
        // j itself and the values the outer loop carries (each j sees the previous j's).
        var dependsOnJ = new HashSet<int>(j.Body.Args.Select(a => a.Id));
        void Visit(Region r, bool inner)
        {
            foreach (var op in r.Ops)
            {
                if (op is ForOp f)
                {
                    foreach (var a in f.Body.Args.Skip(1)) dependsOnJ.Add(a.Id);
                    Visit(f.Body, inner: true);
                    foreach (var o in f.Outs) dependsOnJ.Add(o.Id);
                    continue;
                }
                // In the inner loop a load depends on j only through its index: nothing in the outer body writes the
                // buffers it reads (Shape checks that before any load is shared).
                if ((op is LoadOp or IfOp && !inner) || op is PopOp || op.Operands.Any(v => dependsOnJ.Contains(v.Id)))
                {
                    foreach (var res in op.Results) dependsOnJ.Add(res.Id);
                }
            }
        }
        Visit(j.Body, inner: false);
        return dependsOnJ;
    }

    /// <summary>The floating-point values the outer body computes before the inner loop and the inner loop reads.</summary>
    private static int FloatsFromOuterBody(ForOp j, int innerIndex, ForOp inner)
    {
        var defined = new HashSet<int>();
        foreach (var op in j.Body.Ops.Take(innerIndex))
        {
            foreach (var r in op.Results)
            {
                if (r.Type is { IsBuffer: false, IsDifferentiable: true }) defined.Add(r.Id);
            }
        }
        var reads = new HashSet<int>();
        Rewrite.Reads(inner.Body, reads);
        return reads.Count(defined.Contains);
    }

    private static LoopShape? Shape(ForOp j, bool scalar)
    {
        if (j.Exits || (j.Step != 1 && j.Step != -1)) return null;
        if (j.Body.Args.Count != 1 + j.Inits.Count || j.Body.Yields.Count != j.Inits.Count) return null;
        ForOp? inner = null;
        var innerIndex = -1;
        for (var i = 0; i < j.Body.Ops.Count; i++)
        {
            switch (j.Body.Ops[i])
            {
                case ForOp f when inner is null:
                    inner = f;
                    innerIndex = i;
                    break;
                case ConstOp or UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp or StoreOp or PushOp
                    or PopOp or NoteOp:
                    break;
                // Scalar replacement's guarded load and store of an element (`runs ? x̄[j] : 0`, `if (runs) x̄[j] = …`).
                case IfOp branch when scalar && branch.Regions.All(r => r.Ops.All(IsStraight)):
                    break;
                default:
                    return null;
            }
        }
        if (inner is null || inner.Exits) return null;
        // Four values of j when the inner loop carries few values, two when it carries up to 12 (the PINN's forward
        // layer carries 9 jet sums: 18 vector accumulators and 9 shared loads fit the 32 AVX-512 registers), else none.
        var factor = inner.Inits.Count <= 4 ? 4 : inner.Inits.Count <= 12 ? 2 : 0;
        if (!scalar && inner.Inits.Count == 0)
        {
            // An adjoint loop (h̄[k] += θ[j,k]·z̄ⱼ for every jet row) reads one vector per row from the outer body, and each
            // copy of j needs its own: as many copies as keep them in about 30 of the 32 AVX-512 registers (a collapsed
            // chunk of 4 probes has 6 rows: 4 copies; of 8 probes, 10 rows: 3 copies, where 4 spilled and ran slower and
            // 2 reused each h̄ load less; measured on the PINN step).
            var rows = FloatsFromOuterBody(j, innerIndex, inner);
            factor = rows <= 7 ? 4 : rows <= 10 ? 3 : rows <= 15 ? 2 : 0;
        }
        if (factor == 0) return null;
        // Values the outer loop carries are updated after the inner loop, and then the parts before it and the inner loop
        // do not read them (the group's befores all run before its first after); or before it (a counter the reverse sweep
        // steps back, `lidx = lidx_next - j_count`), and then each j's before-part passes it to the next one's.
        if (j.Inits.Count > 0)
        {
            var early = EarlySlots(j, innerIndex);
            var carried = new HashSet<int>(j.Body.Args.Skip(1).Where((a, c) => !early.Contains(c)).Select(a => a.Id));
            var reads = new HashSet<int>();
            foreach (var op in j.Body.Ops.Take(innerIndex + 1))
            {
                foreach (var v in op.Operands) reads.Add(v.Id);
                foreach (var r in op.Regions) Rewrite.Reads(r, reads);
            }
            Rewrite.Reads(inner.Body, reads);
            if (reads.Overlaps(carried)) return null;
        }
        // The inner loop's ends are the same for every j (computed outside, or from values that do not depend on j), or
        // one of them differs and the loop counts by one towards the other with a strict test (or starts at the differing
        // end): then the range all the group's j share is run jammed and each j's rest on its own, in the order of i.
        var dependsOnJ = DependsOnJ(j);
        var ragged = (dependsOnJ.Contains(inner.Start.Id), dependsOnJ.Contains(inner.Bound.Id)) switch
        {
            (false, false) => Ragged.None,
            (false, true) when inner.Step == 1 && inner.Cmp is LoopCmp.Lt or LoopCmp.Le => Ragged.Bound,
            (false, true) when inner.Step == -1 && inner.Cmp is LoopCmp.Gt or LoopCmp.Ge => Ragged.Bound,
            (true, false) when inner.Step == 1 && inner.Cmp is LoopCmp.Lt or LoopCmp.Le => Ragged.Start,
            (true, false) when inner.Step == -1 && inner.Cmp is LoopCmp.Gt or LoopCmp.Ge => Ragged.Start,
            _ => (Ragged?)null,
        };
        if (ragged is null) return null;
        if (inner.Body.Ops.Any(op => op is not (ConstOp or UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or NoteOp
            or LoadOp or StoreOp { Accumulate: true })))
        {
            return null;
        }

        var k = Access.Of(inner.Body.Ops);
        var before = Access.Of(j.Body.Ops.Take(innerIndex));
        var after = Access.Of(j.Body.Ops.Skip(innerIndex + 1));
        // The inner loop reads only buffers nobody in the outer body writes, and what it accumulates into nobody reads.
        if (k.Accumulates.Overlaps(k.Loads)) return null;
        foreach (var side in new[] { before, after })
        {
            if (k.Loads.Any(side.Writes)) return null;
            if (k.Accumulates.Any(b => side.Loads.Contains(b) || side.Stores.Contains(b))) return null;
        }
        // The part before the inner loop runs for all the group's j before the part after it runs for any: they must
        // not meet in memory (both only accumulating into a buffer is fine), nor both use the tape.
        // Where both touch only element j of a buffer (a scalar-replaced x̄[j], loaded before and stored after), each j has
        // an element of its own and the order between different j's does not matter.
        if (before.Tape && after.Tape) return null;
        var jv = j.Body.Args[0].Id;
        foreach (var b in before.Loads.Concat(before.Stores).Concat(before.Accumulates).Distinct())
        {
            var bothAccumulate = before.Accumulates.Contains(b) && !before.Loads.Contains(b) && !before.Stores.Contains(b)
                && after.Accumulates.Contains(b) && !after.Loads.Contains(b) && !after.Stores.Contains(b);
            var ownElement = before.Indices[b].All(i => i == jv) && (!after.Indices.TryGetValue(b, out var at) || at.All(i => i == jv));
            if (after.Touches(b) && !bothAccumulate && !ownElement && (after.Writes(b) || before.Writes(b))) return null;
        }
        // Lanes methods, one carried sum per row (the primal rows of a network, U in the PINN's residual): four rows leave
        // the vector adds waiting on their own latency; eight took 2-4 % off the PINN step (d = 100 and 1,000, one process,
        // the same bits). Not in scalar code: the MLP loss gradient's rows ran 4-7 % slower with eight. Where the range is
        // ragged each row's rest runs alone, so no more rows there.
        if (!scalar && factor == 4 && inner.Inits.Count == 1 && ragged == Ragged.None) factor = 8;
        return new LoopShape(innerIndex, inner, factor, ragged.Value);
    }

    /// <summary>
    /// The carried slots of <paramref name="j"/> whose next value is computed before its inner loop (at op index
    /// <paramref name="innerIndex"/>), or outside the loop: each j's before-part can hand them to the next j's.
    /// </summary>
    private static HashSet<int> EarlySlots(ForOp j, int innerIndex)
    {
        var late = new HashSet<int>();
        for (var i = innerIndex; i < j.Body.Ops.Count; i++)
        {
            foreach (var r in j.Body.Ops[i].Results) late.Add(r.Id);
        }
        var early = new HashSet<int>();
        for (var c = 0; c < j.Body.Yields.Count; c++)
        {
            if (!late.Contains(j.Body.Yields[c].Id)) early.Add(c);
        }
        return early;
    }

    /// <summary>Straight-line ops without memory effects beyond loads and stores (what a copied branch may hold).</summary>
    private static bool IsStraight(Op op) =>
        op is ConstOp or UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp or StoreOp or NoteOp;

    private sealed class Jammer
    {
        private int _next;

        private readonly Dictionary<int, double> _constants;

        private readonly bool _scalar;

        public Jammer(int firstId, LaneVerdict verdict, Dictionary<int, double> constants, bool scalar)
        {
            _next = firstId;
            _constants = constants;
            _scalar = scalar;
            Varying = new HashSet<int>(verdict.Varying);
        }

        public HashSet<int> Varying { get; }

        public bool Changed { get; private set; }

        private Value Fresh(Value like, bool varying)
        {
            var v = new Value(_next++, like.Type, like.Name);
            if (varying) Varying.Add(v.Id);
            return v;
        }

        private Value Int(List<Op> ops, int n, string name)
        {
            var v = new Value(_next++, IrType.I32, name);
            ops.Add(new ConstOp(v, n));
            return v;
        }

        private Value Binary(List<Op> ops, BinOp kind, Value a, Value b, IrType type, string name)
        {
            var v = new Value(_next++, type, name);
            ops.Add(new BinaryOp(v, kind, a, b));
            return v;
        }

        public IEnumerable<Op> Loop(ForOp j)
        {
            var shape = Shape(j, _scalar);
            if (shape is null) return new[] { j };
            var jv = j.Body.Args[0];
            var inner = shape.Inner;
            var factor = shape.Factor;

            // Values that do not depend on j are the same in every copy: the jammed inner loop reads copy 0's.
            var dependsOnJ = DependsOnJ(j);
            var shared = inner.Body.Ops.Any(op =>
                (op is LoadOp l && !dependsOnJ.Contains(l.Index.Id)) || (op is StoreOp s && !dependsOnJ.Contains(s.Index.Id)));
            // Nothing the j's could share: in lanes jamming would only copy code; in scalar code the carried sums still gain
            // (independent chains of additions).
            if (!shared && !(_scalar && inner.Inits.Count > 0)) return new[] { j };
            // Scalar code: an inner loop the emitter runs a vector at a time (SimdLoop: the adjoint scatters) is jammed only
            // if the jammed loop still is one; otherwise jamming would turn vector code into scalar code.
            var keepVector = _scalar && Emit.SimdLoop.Plan(inner) is not null;

            var before = new List<Op>();
            var step = j.Step;
            var cmp = step > 0 ? LoopCmp.Lt : LoopCmp.Gt;
            // The jammed loop runs j, j+s, …, j+(F−1)s while the last of them passes the loop's test: with Lt/Gt that is
            // j ⋚ bound ∓ (F−1), with Le/Ge j ⋚ bound ∓ (F−2). The bound is moved only where that cannot overflow;
            // where it would, no group fits and the remainder loop runs every j.
            var offset = j.Cmp is LoopCmp.Lt or LoopCmp.Gt ? factor - 1 : factor - 2;
            Value groupBound;
            if (_constants.TryGetValue(j.Bound.Id, out var known))
            {
                // A constant bound (the reverse sweep's `j >= 0`): the moved bound is a constant too.
                var b = (long)known - (long)step * offset;
                groupBound = Int(before, (int)System.Math.Max(int.MinValue, System.Math.Min(int.MaxValue, b)), "jam_bound");
            }
            else if (step > 0)
            {
                before.Add(new NoteOp($"groups of {factor} run while {jv.Name} + {factor - 1} still passes the loop's test " +
                    "(its bound moved, unless that would overflow: then no group runs)"));
                var limit = Int(before, int.MinValue + offset, "limit");
                var fits = Binary(before, BinOp.Ge, j.Bound, limit, IrType.Bool, "fits");
                var moved = Binary(before, BinOp.Sub, j.Bound, Int(before, offset, "jam"), IrType.I32, "jam_bound");
                groupBound = new Value(_next++, IrType.I32, "jam_bound");
                before.Add(new SelectOp(groupBound, fits, moved, Int(before, int.MinValue, "limit")));
            }
            else
            {
                before.Add(new NoteOp($"groups of {factor} run while {jv.Name} - {factor - 1} still passes the loop's test " +
                    "(its bound moved, unless that would overflow: then no group runs)"));
                var limit = Int(before, int.MaxValue - offset, "limit");
                var fits = Binary(before, BinOp.Le, j.Bound, limit, IrType.Bool, "fits");
                var moved = Binary(before, BinOp.Add, j.Bound, Int(before, offset, "jam"), IrType.I32, "jam_bound");
                groupBound = new Value(_next++, IrType.I32, "jam_bound");
                before.Add(new SelectOp(groupBound, fits, moved, Int(before, int.MaxValue, "limit")));
            }

            var group = Fresh(jv, false);
            var carried = new Value(_next++, IrType.I32, jv.Name + "_next");
            var ops = new List<Op>();
            var maps = new Dictionary<int, Value>[factor];
            for (var u = 0; u < factor; u++)
            {
                maps[u] = new Dictionary<int, Value>();
                maps[u][jv.Id] = u == 0 ? group
                    : Binary(ops, step > 0 ? BinOp.Add : BinOp.Sub, group, Int(ops, u, "jam"), IrType.I32, jv.Name);
            }
            // The part before the inner loop for each j of the group, in the order of j; then one inner loop for all of
            // them; then the part after it, in the order of j. Tape pushes and pops stay in their order (Shape allows
            // them on one side only). The notes that head the inner loop ("adjoint of: for …") head the jammed one.
            var kName = inner.Body.Args[0].Name;
            ops.Add(new NoteOp($"{factor} values of {jv.Name} at once (unroll-and-jam): one pass over {kName} for all of them, " +
                "each element's additions in the same order"));
            var heading = shape.InnerIndex;
            while (heading > 0 && j.Body.Ops[heading - 1] is NoteOp) heading--;
            var outerArgs = j.Body.Args.Skip(1).ToList();
            var groupArgs = outerArgs.Select(a => Fresh(a, Varying.Contains(a.Id))).ToList();
            var early = EarlySlots(j, shape.InnerIndex);
            for (var u = 0; u < factor; u++)
            {
                // Carried values computed before the inner loop pass from one j's before-part to the next.
                foreach (var c in early) maps[u][outerArgs[c].Id] = u == 0 ? groupArgs[c] : Map(maps[u - 1], j.Body.Yields[c]);
                for (var i = 0; i < heading; i++) ops.Add(Copy(j.Body.Ops[i], maps[u]));
            }
            for (var i = heading; i < shape.InnerIndex; i++) ops.Add(j.Body.Ops[i]);
            for (var i = 0; i < shape.InnerIndex; i++)
            {
                foreach (var r in j.Body.Ops[i].Results)
                {
                    if (dependsOnJ.Contains(r.Id)) continue;
                    for (var u = 1; u < factor; u++) maps[u][r.Id] = maps[0][r.Id];
                }
            }
            ops.AddRange(JammedInner(inner, maps, dependsOnJ, shape.Ragged));
            // The other values the outer loop carries pass from one j's after-part to the next.
            for (var u = 0; u < factor; u++)
            {
                for (var c = 0; c < outerArgs.Count; c++)
                {
                    if (early.Contains(c)) continue;
                    maps[u][outerArgs[c].Id] = u == 0 ? groupArgs[c] : Map(maps[u - 1], j.Body.Yields[c]);
                }
                for (var i = shape.InnerIndex + 1; i < j.Body.Ops.Count; i++) ops.Add(Copy(j.Body.Ops[i], maps[u]));
            }
            var nextGroup = Binary(ops, step > 0 ? BinOp.Add : BinOp.Sub, group, Int(ops, factor, "jam"), IrType.I32, jv.Name + "_next");
            var rest = new Value(_next++, IrType.I32, jv.Name + "_rest");
            var restCarried = j.Outs.Select(o => Fresh(o, Varying.Contains(o.Id))).ToList();
            var jammed = new ForOp(new[] { rest }.Concat(restCarried).ToEquatableArray(), j.Start, groupBound, factor * step, cmp,
                new[] { j.Start }.Concat(j.Inits).ToEquatableArray(),
                new Region(new[] { group, carried }.Concat(groupArgs).ToEquatableArray(), ops.ToEquatableArray(),
                    new[] { nextGroup }.Concat(j.Body.Yields.Select(y => Map(maps[factor - 1], y))).ToEquatableArray()));
            var remainder = j with { Start = rest, Inits = restCarried.ToEquatableArray() };
            if (keepVector && ops.OfType<ForOp>().Any(f => Emit.SimdLoop.Plan(f) is null)) return new[] { j };
            Changed = true;
            return before.Append(jammed).Append(new NoteOp($"the last values of {jv.Name}, one at a time")).Append(remainder);
        }

        /// <summary>
        /// The inner loop for the group's values of j. With both ends shared, one pass over k (<see cref="OnePass"/>). With
        /// a ragged end, each j's range is cut at the range all of them share: for a differing bound the shared range runs
        /// jammed first and then each j's rest on its own, in the order of j; for a differing start each j first runs its own
        /// part, in the order of j, then the shared range jammed. Either way each j's sums see the values of k in their order,
        /// and an element that several j add to receives their contributions in the order of j, as in the loop as written.
        /// </summary>
        private IEnumerable<Op> JammedInner(ForOp inner, Dictionary<int, Value>[] maps, HashSet<int> dependsOnJ, Ragged ragged)
        {
            var factor = maps.Length;
            var inits = maps.Select(m => inner.Inits.Select(v => Map(m, v)).ToList()).ToArray();
            if (ragged == Ragged.None)
            {
                var (pass, outs) = OnePass(inner, maps, dependsOnJ, Map(maps[0], inner.Start), Map(maps[0], inner.Bound), inner.Cmp, inits);
                SetOuts(inner, maps, outs);
                return new[] { pass };
            }
            var ops = new List<Op>();
            var up = inner.Step > 0;
            if (ragged == Ragged.Bound)
            {
                // i < bound_u (upward) or i > bound_u (downward): the shared range ends at the nearest bound.
                var start = Map(maps[0], inner.Start);
                var bounds = maps.Select(m => Map(m, inner.Bound)).ToList();
                var nearest = up ? BinOp.Min : BinOp.Max;
                var shared = bounds.Skip(1).Aggregate(bounds[0], (a, b) => Binary(ops, nearest, a, b, IrType.I32, "shared_end"));
                // Each j's rest starts where the shared pass stopped: at the shared end (past it, with ≤ or ≥), or at the
                // start if it never ran.
                // With ≤ (≥) the shared pass includes its end, and the rest starts one past it. That cannot wrap in a loop
                // that ends: a shared end of int.MaxValue (int.MinValue) means every j's loop runs to `k <= int.MaxValue`
                // (`k >= int.MinValue`), which C# never leaves.
                Value restFrom = shared;
                if (inner.Cmp is LoopCmp.Le or LoopCmp.Ge)
                {
                    restFrom = Binary(ops, up ? BinOp.Add : BinOp.Sub, shared, Int(ops, 1, "one"), IrType.I32, "past_shared");
                }
                var restStart = Binary(ops, up ? BinOp.Max : BinOp.Min, start, restFrom, IrType.I32, "rest_start");
                var before = maps.Select(m => new Dictionary<int, Value>(m)).ToArray();
                var (pass, outs) = OnePass(inner, maps, dependsOnJ, start, shared, inner.Cmp, inits);
                ops.Add(pass);
                for (var u = 0; u < factor; u++)
                {
                    var (rest, restOuts) = Single(inner, before[u], restStart, bounds[u], inner.Cmp, outs[u]);
                    ops.Add(new NoteOp($"the rest of copy {u}'s range"));
                    ops.Add(rest);
                    outs[u] = restOuts;
                }
                SetOuts(inner, maps, outs);
                return ops;
            }
            {
                // A differing start: the shared range starts at the start nearest the bound.
                var bound = Map(maps[0], inner.Bound);
                var starts = maps.Select(m => Map(m, inner.Start)).ToList();
                var latest = up ? BinOp.Max : BinOp.Min;
                var shared = starts.Skip(1).Aggregate(starts[0], (a, b) => Binary(ops, latest, a, b, IrType.I32, "shared_start"));
                // Each j's own part runs from its start while it passes the loop's test and has not reached the shared
                // start. With a strict test that is a strict test against the nearer of bound and shared start; with ≤ (≥)
                // the bound is moved by one first, where it lies before the shared start (so it cannot overflow).
                Value ownEnd;
                if (inner.Cmp is LoopCmp.Lt or LoopCmp.Gt)
                {
                    ownEnd = Binary(ops, up ? BinOp.Min : BinOp.Max, bound, shared, IrType.I32, "own_end");
                }
                else
                {
                    var beforeShared = Binary(ops, up ? BinOp.Lt : BinOp.Gt, bound, shared, IrType.Bool, "bound_first");
                    // A constant bound (the reverse sweep's `i >= 0`) gives a constant (−1), not `0 - 1` in the code.
                    var moved = _constants.TryGetValue(bound.Id, out var known) && known > int.MinValue && known < int.MaxValue
                        ? Int(ops, (int)known + (up ? 1 : -1), "past_bound")
                        : Binary(ops, up ? BinOp.Add : BinOp.Sub, bound, Int(ops, 1, "one"), IrType.I32, "past_bound");
                    // Only selected where the bound lies strictly before the shared start, so ±1 stays in range; the
                    // expression is evaluated either way, and wraps harmlessly where it is not selected.
                    ownEnd = new Value(_next++, IrType.I32, "own_end");
                    ops.Add(new SelectOp(ownEnd, beforeShared, moved, shared));
                }
                var own = up ? LoopCmp.Lt : LoopCmp.Gt;
                var outs = new List<Value>[factor];
                for (var u = 0; u < factor; u++)
                {
                    var (part, partOuts) = Single(inner, maps[u], starts[u], ownEnd, own, inits[u]);
                    ops.Add(new NoteOp($"copy {u}'s own part of the range"));
                    ops.Add(part);
                    outs[u] = partOuts;
                }
                var (pass, passOuts) = OnePass(inner, maps, dependsOnJ, shared, bound, inner.Cmp, outs);
                ops.Add(pass);
                SetOuts(inner, maps, passOuts);
                return ops;
            }
        }

        /// <summary>The inner loop's results for each j become the values its copy of the after-part reads.</summary>
        private static void SetOuts(ForOp inner, Dictionary<int, Value>[] maps, List<Value>[] outs)
        {
            for (var u = 0; u < maps.Length; u++)
            {
                for (var c = 0; c < inner.Outs.Count; c++) maps[u][inner.Outs[c].Id] = outs[u][c];
            }
        }

        /// <summary>The inner loop for one j alone, from <paramref name="start"/> to <paramref name="bound"/>, from given sums.</summary>
        private (ForOp Loop, List<Value> Outs) Single(ForOp inner, Dictionary<int, Value> map, Value start, Value bound, LoopCmp cmp,
            List<Value> inits)
        {
            var local = new Dictionary<int, Value>(map);
            var args = inner.Body.Args.Select(a => { var f = Fresh(a, Varying.Contains(a.Id)); local[a.Id] = f; return f; }).ToList();
            var ops = inner.Body.Ops.Select(op => Copy(op, local)).ToList();
            var outs = inner.Outs.Select(o => Fresh(o, Varying.Contains(o.Id))).ToList();
            var loop = inner with
            {
                Start = start, Bound = bound, Cmp = cmp, Outs = outs.ToEquatableArray(), Inits = inits.ToEquatableArray(),
                Body = new Region(args.ToEquatableArray(), ops.ToEquatableArray(),
                    inner.Body.Yields.Select(y => Map(local, y)).ToEquatableArray()),
            };
            return (loop, outs);
        }

        /// <summary>
        /// One pass over k for the group's values of j: ops that do not depend on j once, the others once per j (each j
        /// with its own carried sums); an accumulation at an index that does not depend on j reads the element once,
        /// adds the contributions in the order of j, and writes it once.
        /// </summary>
        private (ForOp Loop, List<Value>[] Outs) OnePass(ForOp inner, Dictionary<int, Value>[] maps, HashSet<int> dependsOnJ,
            Value start, Value bound, LoopCmp cmp, IReadOnlyList<List<Value>> initsPerJ)
        {
            var factor = maps.Length;
            var kv = inner.Body.Args[0];
            var k = Fresh(kv, Varying.Contains(kv.Id));
            foreach (var m in maps) m[kv.Id] = k;
            var args = new List<Value> { k };
            var inits = new List<Value>();
            for (var u = 0; u < factor; u++)
            {
                for (var c = 0; c < inner.Inits.Count; c++)
                {
                    var arg = inner.Body.Args[c + 1];
                    var copy = Fresh(arg, Varying.Contains(arg.Id));
                    maps[u][arg.Id] = copy;
                    args.Add(copy);
                    inits.Add(initsPerJ[u][c]);
                }
            }
            var ops = new List<Op>();
            foreach (var op in inner.Body.Ops)
            {
                if (op is StoreOp s && !dependsOnJ.Contains(s.Index.Id))
                {
                    var index = Map(maps[0], s.Index);
                    var buffer = Map(maps[0], s.Buffer);
                    var varying = Varying.Contains(s.Buffer.Id);
                    var sum = Fresh(new Value(0, s.Buffer.Type.ElementType, s.Buffer.Name + "_acc"), varying);
                    ops.Add(new LoadOp(sum, buffer, index));
                    for (var u = 0; u < factor; u++)
                    {
                        var add = Fresh(sum, varying || Varying.Contains(s.Stored.Id));
                        ops.Add(new BinaryOp(add, BinOp.Add, sum, Map(maps[u], s.Stored)));
                        sum = add;
                    }
                    ops.Add(new StoreOp(buffer, index, sum));
                    continue;
                }
                if (op is NoteOp || !op.Operands.Any(v => dependsOnJ.Contains(v.Id)))
                {
                    var once = Copy(op, maps[0]);
                    ops.Add(once);
                    var results = op.Results.ToList();
                    var copies = once.Results.ToList();
                    for (var i = 0; i < results.Count; i++)
                    {
                        for (var u = 1; u < factor; u++) maps[u][results[i].Id] = copies[i];
                    }
                    continue;
                }
                for (var u = 0; u < factor; u++) ops.Add(Copy(op, maps[u]));
            }
            var yields = new List<Value>();
            var outs = new List<Value>();
            var outsPerJ = new List<Value>[factor];
            for (var u = 0; u < factor; u++)
            {
                outsPerJ[u] = new List<Value>();
                foreach (var y in inner.Body.Yields) yields.Add(Map(maps[u], y));
                foreach (var o in inner.Outs)
                {
                    var copy = Fresh(o, Varying.Contains(o.Id));
                    outsPerJ[u].Add(copy);
                    outs.Add(copy);
                }
            }
            var loop = inner with
            {
                Start = start,
                Bound = bound,
                Cmp = cmp,
                Outs = outs.ToEquatableArray(),
                Inits = inits.ToEquatableArray(),
                Body = new Region(args.ToEquatableArray(), ops.ToEquatableArray(), yields.ToEquatableArray()),
            };
            return (loop, outsPerJ);
        }


        private static Value Map(Dictionary<int, Value> map, Value v) => map.TryGetValue(v.Id, out var w) ? w : v;

        /// <summary>A branch of straight-line code with its operands mapped and fresh values inside and out.</summary>
        private IfOp CopyBranch(IfOp branch, Dictionary<int, Value> map)
        {
            Region Side(Region r)
            {
                var ops = r.Ops.Select(op => Copy(op, map)).ToEquatableArray();
                return new Region(r.Args, ops, r.Yields.Select(y => Map(map, y)).ToEquatableArray());
            }
            var then = Side(branch.Then);
            var @else = Side(branch.Else);
            var outs = branch.Outs.Select(o =>
            {
                var w = Fresh(o, Varying.Contains(o.Id));
                map[o.Id] = w;
                return w;
            }).ToEquatableArray();
            return new IfOp(outs, Map(map, branch.Cond), then, @else);
        }

        /// <summary>The op with its operands mapped and fresh results (recorded in <paramref name="map"/>).</summary>
        private Op Copy(Op op, Dictionary<int, Value> map)
        {
            Value M(Value v) => Map(map, v);
            Value R(Value v)
            {
                var w = Fresh(v, Varying.Contains(v.Id));
                map[v.Id] = w;
                return w;
            }
            return op switch
            {
                ConstOp c => c with { Result = R(c.Result) },
                UnaryOp u => new UnaryOp(default!, u.Kind, M(u.Operand)) with { Result = R(u.Result) },
                BinaryOp b => new BinaryOp(default!, b.Kind, M(b.Left), M(b.Right)) with { Result = R(b.Result) },
                TernaryOp t => new TernaryOp(default!, t.Kind, M(t.A), M(t.B), M(t.C)) with { Result = R(t.Result) },
                SelectOp s => new SelectOp(default!, M(s.Cond), M(s.IfTrue), M(s.IfFalse)) with { Result = R(s.Result) },
                LengthOp l => new LengthOp(default!, M(l.Buffer)) with { Result = R(l.Result) },
                LoadOp l => new LoadOp(default!, M(l.Buffer), M(l.Index)) with { Result = R(l.Result) },
                StoreOp s => s with { Buffer = M(s.Buffer), Index = M(s.Index), Stored = M(s.Stored) },
                PushOp p => p with { Pushed = M(p.Pushed) },
                PopOp p => p with { Result = R(p.Result) },
                IfOp i => CopyBranch(i, map),
                NoteOp n => n,
                _ => throw new System.InvalidOperationException($"unroll-and-jam cannot copy {op.GetType().Name}"),
            };
        }
    }
}
