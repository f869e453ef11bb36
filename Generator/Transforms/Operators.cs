using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Differential operators built from Taylor jets, as IR that calls the primal's Taylor
/// function. Being IR, an operator can itself be differentiated (reverse over Taylor), which
/// is how a PINN loss built from a Laplacian is trained.
/// <para>
/// Every operator here is a sum of y_K over a set of jets (coordinates, probes, columns of σ,
/// polarization pairs). The jets run through the vector-mode Taylor function L at a time, so
/// the primal of each chunk is computed once; a one-lane Taylor function takes the remainder.
/// Only the input slots an operator uses are passed (the first-order slot for the second-order
/// operators): the others are symbolic zeros, so they cost nothing.
/// </para>
/// <para>
/// An operator that reads only the sum of y_K over a chunk's lanes (the Laplacian, the diffusion
/// term, the STDE biharmonic) runs the lane-wide function collapsed (see <see cref="Taylor"/>): the
/// lanes' order-K coefficients travel as one sum, so a chunk of L 2-jets carries 1 + L + 1 rows
/// through every layer instead of 1 + 2L.
/// </para>
/// </summary>
internal static partial class Operators
{
    /// <summary>Jets run in chunks of this many lanes unless the declaration says otherwise.</summary>
    public const int DefaultLanes = 4;

    /// <summary>The most lanes a declaration may ask for.</summary>
    public const int MaxLanes = 16;

    /// <summary>One Taylor function (a number of lanes), its input jet buffer and its output buffer.</summary>
    private sealed class JetSet
    {
        public JetSet(int lanes, Module taylor, Value jet, Value y)
        {
            Lanes = lanes;
            Taylor = taylor;
            Jet = jet;
            Y = y;
        }

        public int Lanes { get; }

        /// <summary>The lanes' y_K come as one sum (a collapsed Taylor entry), not lane by lane.</summary>
        public bool Collapsed => Taylor.Functions[0].Key.Collapsed;
        public Module Taylor { get; }
        public Value Jet { get; }
        public Value Y { get; }
    }

    /// <summary>
    /// What every operator shares: the primal's parameters (plus what the operator adds: probes,
    /// σ, C), the jet buffers of the lane-wide and the one-lane Taylor functions (zero but for
    /// the entries an operator sets), and the calls that read y_K.
    /// </summary>
    private sealed class JetOperator
    {
        private readonly List<Value> _parameters;
        private readonly List<Value> _args;
        private readonly int _wrt;
        private readonly int _order;
        private readonly int _slotCount;

        /// <param name="itemLanes">Lanes one item takes (2 for a polarization pair); the one-item function has this many.</param>
        /// <param name="oneHot">Also build Taylor functions whose lanes run along unit vectors e_i, given by index.</param>
        /// <param name="collapse">The operator reads only Σ y_K of a chunk: the lane-wide functions are collapsed.</param>
        public JetOperator(Function primal, int wrt, int order, int lanes, IReadOnlyList<int> slots, Func<FunctionKey, Function?> lookup,
            int itemLanes = 1, bool oneHot = false, bool collapse = false)
        {
            var simplified = Simplify.Run(primal);
            _wrt = wrt;
            _order = order;
            _slotCount = slots.Count;
            _parameters = primal.Params.Select(p => B.NewValue(p.Type, p.Name)).ToList();
            _args = new List<Value>(_parameters);
            var x = _parameters[wrt];
            Elem = x.Type.ElementType;
            D = B.Length(x);
            Zero = B.Const(0, IrType.I32);
            JetSet Make(int l, string suffix, bool collapsed)
            {
                var taylor = Taylor.Entry(simplified, wrt, order, lookup, l, slots, collapsed: collapsed);
                var size = B.Binary(BinOp.Mul, B.Const(l * slots.Count, IrType.I32), D);
                var jet = B.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Scratch), size, "jet" + suffix);
                var outputs = taylor.Functions[0].Key.Collapsed ? 1 + l * (order - 1) + 1 : 1 + l * order;
                var y = B.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Scratch), B.Const(outputs, IrType.I32), "y" + suffix);
                return new JetSet(l, taylor, jet, y);
            }
            One = Make(itemLanes, "", collapsed: false);
            var wide = lanes - lanes % itemLanes;
            Wide = wide > itemLanes ? Make(wide, "Lanes", collapse) : One;
            // Collapsed chunks of 8 or more also get a function of half as many lanes, for the jets left over: 4 probes then
            // take one chunk of 4 rather than a chunk of 8 half along zero.
            if (collapse && itemLanes == 1 && Wide.Lanes >= 8 && Wide.Lanes % 2 == 0) Half = Make(Wide.Lanes / 2, "Half", collapsed: true);
            if (oneHot)
            {
                // No jet buffer: each lane takes an index. The y buffers are shared with the dense functions (same length).
                OneHotOne = new JetSet(1, Taylor.Entry(simplified, wrt, order, lookup, 1, oneHot: true), One.Jet, One.Y);
                OneHotWide = ReferenceEquals(Wide, One) ? OneHotOne
                    : new JetSet(Wide.Lanes, Taylor.Entry(simplified, wrt, order, lookup, Wide.Lanes, oneHot: true, collapsed: collapse),
                        Wide.Jet, Wide.Y);
                if (Half is not null)
                {
                    var halfTaylor = Taylor.Entry(simplified, wrt, order, lookup, Half.Lanes, oneHot: true, collapsed: true);
                    OneHotHalf = new JetSet(Half.Lanes, halfTaylor, Half.Jet, Half.Y);
                }
            }
        }

        /// <summary>The collapsed function of half the lanes (chunks of 8 or more), for what is left over; else null.</summary>
        public JetSet? Half { get; }

        public JetSet? OneHotHalf { get; }

        /// <summary>The set of <paramref name="lanes"/> lanes among the wide, half and one-item sets.</summary>
        private JetSet Of(int lanes, bool oneHot) =>
            lanes == Wide.Lanes ? (oneHot ? OneHotWide! : Wide)
            : Half is not null && lanes == Half.Lanes ? (oneHot ? OneHotHalf! : Half)
            : oneHot ? OneHotOne! : One;

        /// <summary>The one-hot Taylor functions (lanes along e_i given by index), when asked for.</summary>
        public JetSet? OneHotOne { get; }

        public JetSet? OneHotWide { get; }

        public IrBuilder B { get; } = new();
        public IrType Elem { get; }
        public Value D { get; }
        public Value Zero { get; }

        /// <summary>The lane-wide Taylor function (the one-lane one when lanes = 1).</summary>
        public JetSet Wide { get; }

        /// <summary>The Taylor function for one item (one lane, or two for a pair), for remainders and single jets.</summary>
        public JetSet One { get; }

        public Value C(double c) => B.Const(c, Elem);

        public Value I(int c) => B.Const(c, IrType.I32);

        public Value Add(Value a, Value b) => B.Binary(BinOp.Add, a, b);

        public Value Mul(Value a, Value b) => B.Binary(BinOp.Mul, a, b);

        /// <summary>An extra parameter after the primal's (probes, σ, C).</summary>
        public Value Parameter(string name, BufferKind kind = BufferKind.ReadOnlySpan)
        {
            var p = B.NewValue(IrType.Buf(Elem.Elem, kind), name);
            _args.Add(p);
            return p;
        }

        /// <summary>
        /// Index of element <paramref name="i"/> of slot <paramref name="slot"/> (0-based among the passed slots) of lane
        /// <paramref name="lane"/>.
        /// </summary>
        public Value JetIndex(int lane, int slot, Value i) => Add(Mul(I(lane * _slotCount + slot), D), i);

        /// <summary>Runs the Taylor function of <paramref name="set"/> on its jet buffer.</summary>
        public void Run(JetSet set)
        {
            var callArgs = new List<Value>();
            for (var i = 0; i < _parameters.Count; i++)
            {
                callArgs.Add(_parameters[i]);
                if (i == _wrt) callArgs.Add(set.Jet);
            }
            callArgs.Add(set.Y);
            B.Emit(new CallOp(EquatableArray<Value>.Empty, set.Taylor.Functions[0].Key, callArgs.ToEquatableArray()));
        }

        /// <summary>Runs a one-hot Taylor function: lane l along e_{indices[l]}.</summary>
        public void RunOneHot(JetSet set, IReadOnlyList<Value> indices)
        {
            var callArgs = new List<Value>();
            for (var i = 0; i < _parameters.Count; i++)
            {
                callArgs.Add(_parameters[i]);
                if (i == _wrt) callArgs.AddRange(indices);
            }
            callArgs.Add(set.Y);
            B.Emit(new CallOp(EquatableArray<Value>.Empty, set.Taylor.Functions[0].Key, callArgs.ToEquatableArray()));
        }

        /// <summary>y_K of lane <paramref name="lane"/> after <see cref="Run"/> (a collapsed set has only the lanes' sum).</summary>
        public Value Top(JetSet set, int lane)
        {
            if (set.Collapsed) throw new InvalidOperationException("a collapsed Taylor entry has only the sum of its lanes' y_K");
            return B.Load(set.Y, I(1 + lane * _order + _order - 1));
        }

        /// <summary>Σ y_K over the first <paramref name="lanes"/> lanes after <see cref="Run"/>: one load when collapsed.</summary>
        public Value TopSum(JetSet set, int lanes)
        {
            if (!set.Collapsed) return Sum(lanes, q => Top(set, q));
            if (lanes != set.Lanes) throw new InvalidOperationException("a collapsed Taylor entry sums all its lanes");
            return B.Load(set.Y, I(1 + set.Lanes * (_order - 1)));
        }

        /// <summary><c>for (index = start; index &lt; bound; index++) sum += body(index)</c>.</summary>
        public Value SumLoop(Value start, Value bound, string index, Func<Value, Value> body)
        {
            B.BeginBlock();
            var i = B.NewValue(IrType.I32, index);
            var acc = B.NewValue(Elem, "sum");
            var next = B.Binary(BinOp.Add, acc, body(i), "sum");
            var ops = B.EndBlock();
            var result = B.NewValue(Elem, "sum");
            B.Emit(new ForOp(new[] { result }.ToEquatableArray(), start, bound, 1, LoopCmp.Lt, new[] { C(0) }.ToEquatableArray(),
                new Region(new[] { i, acc }.ToEquatableArray(), ops, new[] { next }.ToEquatableArray())));
            return result;
        }

        /// <summary><c>for (index = start; index &lt; bound; index++) body(index)</c>.</summary>
        public void Loop(Value start, Value bound, string index, Action<Value> body) => B.Loop(start, bound, index, body);

        /// <summary>
        /// Σ over <paramref name="count"/> items in chunks: <c>chunk(perChunk, first)</c> for every whole
        /// chunk (the lane-wide functions), then, when <paramref name="half"/> is set and enough are left,
        /// one chunk of that many, then <c>chunk(1, i)</c> for each item left over; a single loop of
        /// one-item chunks when a chunk holds one item. With <paramref name="padded"/>
        /// (<c>padded(lanes, first, left)</c>: one run of the smallest chunk function whose lanes past
        /// <c>left</c> run along zero), the items left over take that run instead when there are enough of
        /// them (see <see cref="PaddedFrom"/>).
        /// </summary>
        private Value Chunked(Value count, int perChunk, string index, Func<int, Value, Value> chunk,
            Func<int, Value, Value, Value>? padded = null, int half = 0)
        {
            if (perChunk <= 1) return SumLoop(Zero, count, index, i => chunk(1, i));
            var chunks = B.Binary(BinOp.Div, count, I(perChunk), "chunks");
            var whole = SumLoop(Zero, chunks, "chunk", c => chunk(perChunk, Mul(c, I(perChunk))));
            var restStart = Mul(chunks, I(perChunk));
            if (half > 0)
            {
                // One chunk of half the lanes when that many are left.
                B.BeginBlock();
                var halfSum = chunk(half, restStart);
                var after = Add(restStart, I(half));
                var halfOps = B.EndBlock();
                var outs = B.If(B.Binary(BinOp.Ge, B.Binary(BinOp.Sub, count, restStart), I(half), "halfChunk"), halfOps,
                    new[] { halfSum, after }, EquatableArray<Op>.Empty, new[] { C(0), restStart });
                whole = Add(whole, outs[0]);
                restStart = outs[1];
            }
            if (padded is null) return Add(whole, SumLoop(restStart, count, index, i => chunk(1, i)));
            var lanes = half > 0 ? half : perChunk;
            var left = B.Binary(BinOp.Sub, count, restStart, "left");
            B.BeginBlock();
            var wideRest = padded(lanes, restStart, left);
            var wideOps = B.EndBlock();
            B.BeginBlock();
            var oneByOne = SumLoop(restStart, count, index, i => chunk(1, i));
            var oneOps = B.EndBlock();
            var rest = B.If(B.Binary(BinOp.Ge, left, I(PaddedFrom(lanes)), "padded"), wideOps, new[] { wideRest }, oneOps,
                new[] { oneByOne })[0];
            return Add(whole, rest);
        }

        /// <summary>
        /// How many items left over take one lane-wide run rather than one run each: a collapsed 2-jet run of L lanes
        /// carries L + 2 rows through each layer, one lane's run 3, so from r with 3r &gt; L + 2 on.
        /// </summary>
        private static int PaddedFrom(int lanes) => (lanes + 2) / 3 + 1;

        /// <summary>Zero in every slot of lane <paramref name="lane"/> of a set's jet buffer: a jet along zero (its y_K is 0).</summary>
        private void ZeroLane(JetSet set, int lane)
        {
            for (var slot = 0; slot < _slotCount; slot++) Loop(Zero, D, "k", k => B.Store(set.Jet, JetIndex(lane, slot, k), C(0)));
        }

        /// <summary><c>if (cond) then(); else otherwise();</c> with nothing yielded.</summary>
        private void When(Value cond, Action then, Action otherwise)
        {
            B.BeginBlock();
            then();
            var thenOps = B.EndBlock();
            B.BeginBlock();
            otherwise();
            var elseOps = B.EndBlock();
            var none = EquatableArray<Value>.Empty;
            B.Emit(new IfOp(none, cond, new Region(none, thenOps, none), new Region(none, elseOps, none)));
        }

        /// <summary>Whether lane <paramref name="q"/> of a padded run holds an item (q &lt; left).</summary>
        private Value Present(int q, Value left) => B.Binary(BinOp.Lt, I(q), left, "present");

        /// <summary>first, first + 1, …: the items of a chunk.</summary>
        private List<Value> ItemIndices(Value first, int items) =>
            Enumerable.Range(0, items).Select(q => q == 0 ? first : Add(first, I(q))).ToList();

        /// <summary>Σ_q term(q) for q &lt; items.</summary>
        private Value Sum(int items, Func<int, Value> term)
        {
            Value? sum = null;
            for (var q = 0; q < items; q++)
            {
                var v = term(q);
                sum = sum is null ? v : Add(sum, v);
            }
            return sum!;
        }

        /// <summary>
        /// Σ over <paramref name="count"/> items, each taking the lanes of <see cref="One"/>:
        /// whole chunks go through the lane-wide function, the rest one item at a time.
        /// <paramref name="set"/> writes the jets of item <c>first + q</c> into lanes
        /// q·jetsPerItem.. of the set; <paramref name="read"/> returns the item's contribution
        /// from those lanes after the run (null: the sum of their y_K, which a collapsed set
        /// gives as one value); <paramref name="undo"/>, if given, clears what
        /// <paramref name="set"/> wrote when it did not overwrite whole lanes.
        /// </summary>
        public Value Items(Value count, string index,
            Action<JetSet, int, Value> set, Func<JetSet, int, Value, Value>? read, Action<JetSet, int, Value>? undo = null)
        {
            var jetsPerItem = One.Lanes;
            // Items left over share one collapsed run, the lanes past them along zero (their y_K adds an exact 0).
            Func<int, Value, Value, Value>? padded = read is null && undo is null && Wide.Collapsed && jetsPerItem == 1
                ? (lanes, first, left) =>
                {
                    var jets = Of(lanes, oneHot: false);
                    var indices = ItemIndices(first, lanes);
                    for (var q = 0; q < lanes; q++)
                    {
                        var lane = q;
                        When(Present(q, left), () => set(jets, lane, indices[lane]), () => ZeroLane(jets, lane));
                    }
                    Run(jets);
                    return TopSum(jets, lanes);
                }
                : null;
            return Chunked(count, Wide.Lanes / jetsPerItem, index, (items, first) =>
            {
                var jets = Of(items * jetsPerItem, oneHot: false);
                var indices = ItemIndices(first, items);
                for (var q = 0; q < items; q++) set(jets, q * jetsPerItem, indices[q]);
                Run(jets);
                var sum = read is null ? TopSum(jets, items * jetsPerItem) : Sum(items, q => read(jets, q * jetsPerItem, indices[q]));
                if (undo is not null) for (var q = 0; q < items; q++) undo(jets, q * jetsPerItem, indices[q]);
                return sum;
            }, padded, jetsPerItem == 1 ? Half?.Lanes ?? 0 : 0);
        }

        /// <summary>
        /// Σ y_K over <paramref name="count"/> jets along unit vectors: lane q of a chunk along
        /// e_{index(q, item)}; whole chunks through the lane-wide one-hot function, the rest one at a time.
        /// </summary>
        public Value OneHotItems(Value count, string index, Func<int, Value, Value> unit)
        {
            // Jets left over share one collapsed run; a lane past them takes the index −1, a unit vector of no coordinate.
            Func<int, Value, Value, Value>? padded = OneHotWide!.Collapsed
                ? (lanes, first, left) =>
                {
                    var jets = Of(lanes, oneHot: true);
                    var idx = ItemIndices(first, lanes);
                    RunOneHot(jets, idx.Select((v, q) => B.Select(Present(q, left), unit(q, v), I(-1))).ToList());
                    return TopSum(jets, lanes);
                }
                : null;
            return Chunked(count, OneHotWide.Lanes, index, (items, first) =>
            {
                var jets = Of(items, oneHot: true);
                var idx = ItemIndices(first, items);
                RunOneHot(jets, idx.Select((v, q) => unit(q, v)).ToList());
                return TopSum(jets, items);
            }, padded, Half?.Lanes ?? 0);
        }

        /// <summary>
        /// Σ_s y2(p_s) over sparse probes. A chunk whose probes are all ±e_j (what
        /// <c>Probes.FillSparseCoordinates</c> draws is e_j) runs as the indices j
        /// (y2(±e_j) = ∂²u/∂x_j²); a chunk holding any other probe runs densely, so every
        /// probe still gives y2 along itself.
        /// </summary>
        public Value SparseProbes(Value probes, Value count)
        {
            // (nonzeros, index, value) of probe s
            (Value Nonzeros, Value Index, Value Scale) Scan(Value s)
            {
                B.BeginBlock();
                var k = B.NewValue(IrType.I32, "k");
                var nnz = B.NewValue(IrType.I32, "nonzeros");
                var at = B.NewValue(IrType.I32, "at");
                var val = B.NewValue(Elem, "scale");
                var p = B.Load(probes, Add(Mul(s, D), k));
                var hit = B.Binary(BinOp.Ne, p, C(0));
                var nnz2 = B.Select(hit, Add(nnz, I(1)), nnz);
                var at2 = B.Select(hit, k, at);
                var val2 = B.Select(hit, p, val);
                var ops = B.EndBlock();
                var outs = new[] { B.NewValue(IrType.I32, "nonzeros"), B.NewValue(IrType.I32, "at"), B.NewValue(Elem, "scale") };
                B.Emit(new ForOp(outs.ToEquatableArray(), Zero, D, 1, LoopCmp.Lt, new[] { Zero, Zero, C(0) }.ToEquatableArray(),
                    new Region(new[] { k, nnz, at, val }.ToEquatableArray(), ops, new[] { nnz2, at2, val2 }.ToEquatableArray())));
                return (outs[0], outs[1], outs[2]);
            }
            // left: the padded run of the probes left over (lanes from left on hold none: they scan the first of them, count
            // as unit probes of index −1 and copy a zero row).
            Value Chunk(JetSet dense, JetSet oneHot, int items, Value first, Value? left = null)
            {
                var idx = ItemIndices(first, items);
                var present = Enumerable.Range(0, items).Select(q => left is null ? null : Present(q, left)).ToList();
                var scans = idx.Select((s, q) => Scan(present[q] is { } p ? B.Select(p, s, first) : s)).ToList();
                Value? unit = null;
                var indices = new List<Value>();
                for (var q = 0; q < items; q++)
                {
                    var sc = scans[q];
                    // one nonzero, +1 or −1
                    var signed = B.Binary(BinOp.Or, B.Binary(BinOp.Eq, sc.Scale, C(1)), B.Binary(BinOp.Eq, sc.Scale, C(-1)));
                    var one = B.Binary(BinOp.And, B.Binary(BinOp.Eq, sc.Nonzeros, I(1)), signed);
                    if (present[q] is { } p)
                    {
                        one = B.Binary(BinOp.Or, B.Unary(UnOp.Not, p), one);
                        indices.Add(B.Select(p, sc.Index, I(-1)));
                    }
                    else indices.Add(sc.Index);
                    unit = unit is null ? one : B.Binary(BinOp.And, unit, one);
                }
                // Unit probes: by index.
                B.BeginBlock();
                RunOneHot(oneHot, indices);
                var fast = TopSum(oneHot, items);
                var thenOps = B.EndBlock();
                // Any other probe: densely.
                B.BeginBlock();
                for (var q = 0; q < items; q++)
                {
                    var lane = q;
                    if (present[q] is { } p) When(p, () => CopyRow(dense, lane, probes, idx[lane]), () => ZeroLane(dense, lane));
                    else CopyRow(dense, q, probes, idx[q]);
                }
                Run(dense);
                var slow = TopSum(dense, items);
                var elseOps = B.EndBlock();
                var result = B.NewValue(Elem, "y2");
                B.Emit(new IfOp(new[] { result }.ToEquatableArray(), unit!,
                    new Region(EquatableArray<Value>.Empty, thenOps, new[] { fast }.ToEquatableArray()),
                    new Region(EquatableArray<Value>.Empty, elseOps, new[] { slow }.ToEquatableArray())));
                return result;
            }
            Func<int, Value, Value, Value>? padded = Wide.Collapsed && OneHotWide!.Collapsed
                ? (lanes, first, left) => Chunk(Of(lanes, oneHot: false), Of(lanes, oneHot: true), lanes, first, left)
                : null;
            return Chunked(count, OneHotWide!.Lanes, "s",
                (items, first) => Chunk(Of(items, oneHot: false), Of(items, oneHot: true), items, first), padded, Half?.Lanes ?? 0);
        }

        /// <summary>Copies row <paramref name="row"/> of a row-major matrix with rows of length d into the first slot of a lane.</summary>
        public void CopyRow(JetSet set, int lane, Value matrix, Value row)
        {
            Loop(Zero, D, "k", k => B.Store(set.Jet, JetIndex(lane, 0, k), B.Load(matrix, Add(Mul(row, D), k))));
        }

        public Value Float(Value integer) => B.Unary(UnOp.Convert, integer, "", Elem);

        /// <summary>The operator's function, followed by the Taylor functions and their helpers.</summary>
        public Module Finish(Value result, FunctionKey key, string name)
        {
            var body = new Region(_args.ToEquatableArray(), B.EndBlock(), new[] { result }.ToEquatableArray());
            var functions = new List<Function> { new Function(key, name, body) };
            var seen = new HashSet<FunctionKey>();
            foreach (var set in new[] { One, Wide, Half, OneHotOne, OneHotWide, OneHotHalf })
            {
                if (set is null) continue;
                foreach (var f in set.Taylor.Functions)
                {
                    if (seen.Add(f.Key)) functions.Add(f);
                }
            }
            return new Module(functions.ToEquatableArray());
        }
    }

    /// <summary>
    /// Δu along span parameter <paramref name="wrt"/>: exact (one 2-jet per coordinate e_i)
    /// or STDE (one 2-jet per probe; mean for dense probes, d/|J| × sum for sparse ones).
    /// A 2-jet along x(t) = a + v t gives y2 = vᵀ (∇²u) v.
    /// </summary>
    public static Module Laplacian(Function primal, int wrt, Estimator estimator, int lanes, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 2, lanes, new[] { 1 }, lookup, oneHot: estimator != Estimator.Dense, collapse: true);
        var b = op.B;
        Value result;
        if (estimator == Estimator.Exact)
        {
            // Lane q of a chunk runs along e_{first+q}, passed as an index: the first layer's
            // product with e_i is one column (see DeltaSums).
            result = op.OneHotItems(op.D, "i", (q, i) => i);
        }
        else
        {
            var probes = op.Parameter("probes");
            var count = b.Binary(BinOp.Div, b.Length(probes), op.D, "probeCount");
            if (estimator == Estimator.Sparse)
            {
                // d/|J| Σ y2(e_j): unit probes by index, others densely.
                result = b.Binary(BinOp.Mul, op.SparseProbes(probes, count), b.Binary(BinOp.Div, op.Float(op.D), op.Float(count)));
            }
            else
            {
                var total = op.Items(count, "s", (set, lane, s) => op.CopyRow(set, lane, probes, s), read: null);
                result = b.Binary(BinOp.Div, total, op.Float(count));
            }
        }
        return op.Finish(result, key, name);
    }

    /// <summary>
    /// The biharmonic Δ²u along span parameter <paramref name="wrt"/> from 4-jets. Dense (STDE):
    /// (1/3) mean of y4(a; v, 0, 0, 0) over Gaussian probes (E[v⁴ terms] give 3 Δ²u). Exact:
    /// Σ_i y4(e_i) + 2 Σ_{i&lt;j} u_iijj with u_iijj = [y4(e_i+e_j) + y4(e_i−e_j) − 2y4(e_i) − 2y4(e_j)] / 12.
    /// </summary>
    public static Module Biharmonic(Function primal, int wrt, Estimator estimator, int lanes, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        // The exact form reads each lane's y4 (the diagonal terms are kept for the polarization).
        var op = new JetOperator(primal, wrt, 4, lanes, new[] { 1 }, lookup, collapse: estimator != Estimator.Exact);
        var b = op.B;
        Value result;
        if (estimator == Estimator.Exact)
        {
            var diag = b.Alloc(IrType.Buf(op.Elem.Elem, BufferKind.Scratch), op.D, "diag");
            // u_iiii = y4(e_i), kept for the polarization below
            var sumDiag = op.Items(op.D, "i",
                (set, lane, i) => b.Store(set.Jet, op.JetIndex(lane, 0, i), op.C(1)),
                (set, lane, i) =>
                {
                    var v = op.Top(set, lane);
                    b.Store(diag, i, v);
                    return v;
                },
                (set, lane, i) => b.Store(set.Jet, op.JetIndex(lane, 0, i), op.C(0)));
            // 2 Σ_{i<j} u_iijj by polarization: one jet along e_i + e_j, then along e_i − e_j
            var one = op.One;
            var sumMixed = op.SumLoop(op.Zero, op.D, "i", i => op.SumLoop(op.Add(i, op.I(1)), op.D, "j", j =>
            {
                b.Store(one.Jet, i, op.C(1));
                b.Store(one.Jet, j, op.C(1));
                op.Run(one);
                var plus = op.Top(one, 0);
                b.Store(one.Jet, j, op.C(-1));
                op.Run(one);
                var minus = op.Top(one, 0);
                b.Store(one.Jet, i, op.C(0));
                b.Store(one.Jet, j, op.C(0));
                var both = op.Add(b.Load(diag, i), b.Load(diag, j));
                return b.Binary(BinOp.Div, b.Binary(BinOp.Sub, op.Add(plus, minus), op.Mul(op.C(2), both)), op.C(12));
            }));
            result = op.Add(sumDiag, op.Mul(op.C(2), sumMixed));
        }
        else
        {
            var probes = op.Parameter("probes");
            var count = b.Binary(BinOp.Div, b.Length(probes), op.D, "probeCount");
            var total = op.Items(count, "s", (set, lane, s) => op.CopyRow(set, lane, probes, s), read: null);
            // E[y4(v,0,0,0)] = 3 Δ²u for v ~ N(0, I)
            result = b.Binary(BinOp.Div, total, op.Mul(op.C(3), op.Float(count)));
        }
        return op.Finish(result, key, name);
    }

    /// <summary>
    /// The diffusion term ½ tr(σσᵀ ∇²u) = ½ Σ_j y2(σ e_j) for σ of shape d × m (row-major,
    /// m = σ.Length / d). Exact: one 2-jet per column of σ. STDE: one 2-jet along σp per probe
    /// p of length m (E[p pᵀ] = I); dense: ½ × mean; sparse (p = e_j): ½ × (m/|J|) × sum.
    /// </summary>
    public static Module Diffusion(Function primal, int wrt, Estimator estimator, int lanes, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 2, lanes, new[] { 1 }, lookup, collapse: true);
        var b = op.B;
        var sigma = op.Parameter("sigma");
        var m = b.Binary(BinOp.Div, b.Length(sigma), op.D, "columns");
        Value total, scale;
        if (estimator == Estimator.Exact)
        {
            // Lane q runs along column first+q of σ.
            total = op.Items(m, "j",
                (set, lane, j) => op.Loop(op.Zero, op.D, "k",
                    k => b.Store(set.Jet, op.JetIndex(lane, 0, k), b.Load(sigma, op.Add(op.Mul(k, m), j)))),
                read: null);
            scale = op.C(0.5);
        }
        else
        {
            var probes = op.Parameter("probes");
            var count = b.Binary(BinOp.Div, b.Length(probes), m, "probeCount");
            // Lane q runs along σ p_{first+q}: (σp)_k = Σ_j σ_kj p_j.
            total = op.Items(count, "s",
                (set, lane, s) => op.Loop(op.Zero, op.D, "k", k =>
                {
                    var dot = op.SumLoop(op.Zero, m, "j",
                        j => op.Mul(b.Load(sigma, op.Add(op.Mul(k, m), j)), b.Load(probes, op.Add(op.Mul(s, m), j))));
                    b.Store(set.Jet, op.JetIndex(lane, 0, k), dot);
                }),
                read: null);
            scale = estimator == Estimator.Dense
                ? b.Binary(BinOp.Div, op.C(0.5), op.Float(count))
                : b.Binary(BinOp.Div, op.Mul(op.C(0.5), op.Float(m)), op.Float(count));
        }
        return op.Finish(op.Mul(total, scale), key, name);
    }

    /// <summary>
    /// The general second-order operator Σ_ij C_ij ∂²u/∂x_i∂x_j = tr(C ∇²u) for any C of shape
    /// d × d (row-major; only its symmetric part matters). Each term is a mixed second
    /// derivative aᵀ(∇²u)b read off two 2-jets by polarization, [y2(a + b) − y2(a − b)] / 4,
    /// so C needs no factorization and may be indefinite. Exact: Σ_i e_iᵀ(∇²u)(C e_i), 2d jets.
    /// STDE: vᵀ(∇²u)(C v) for probes v with E[v vᵀ] = I (its mean is tr(∇²u C)); dense: mean;
    /// sparse (v = e_j): (d/|J|) × sum.
    /// </summary>
    public static Module SecondOrder(Function primal, int wrt, Estimator estimator, int lanes, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 2, lanes, new[] { 1 }, lookup, itemLanes: 2);
        var b = op.B;
        var c = op.Parameter("c");
        // Lanes q and q+1 run along a + b and a − b; the item is (y2(q) − y2(q+1)) / 4.
        void Pair(JetSet set, int lane, Value k, Value a, Value bk)
        {
            b.Store(set.Jet, op.JetIndex(lane, 0, k), op.Add(a, bk));
            b.Store(set.Jet, op.JetIndex(lane + 1, 0, k), b.Binary(BinOp.Sub, a, bk));
        }
        Value Read(JetSet set, int lane, Value _) =>
            b.Binary(BinOp.Div, b.Binary(BinOp.Sub, op.Top(set, lane), op.Top(set, lane + 1)), op.C(4));
        Value result;
        if (estimator == Estimator.Exact)
        {
            // a = e_i, b = C e_i (column i of C)
            result = op.Items(op.D, "i",
                (set, lane, i) => op.Loop(op.Zero, op.D, "k", k =>
                {
                    var unit = b.Select(b.Binary(BinOp.Eq, k, i), op.C(1), op.C(0));
                    Pair(set, lane, k, unit, b.Load(c, op.Add(op.Mul(k, op.D), i)));
                }),
                Read);
        }
        else
        {
            var probes = op.Parameter("probes");
            var count = b.Binary(BinOp.Div, b.Length(probes), op.D, "probeCount");
            // a = v, b = C v
            var total = op.Items(count, "s",
                (set, lane, s) => op.Loop(op.Zero, op.D, "k", k =>
                {
                    var cv = op.SumLoop(op.Zero, op.D, "j",
                        j => op.Mul(b.Load(c, op.Add(op.Mul(k, op.D), j)), b.Load(probes, op.Add(op.Mul(s, op.D), j))));
                    Pair(set, lane, k, b.Load(probes, op.Add(op.Mul(s, op.D), k)), cv);
                }),
                Read);
            result = estimator == Estimator.Dense
                ? b.Binary(BinOp.Div, total, op.Float(count))
                : b.Binary(BinOp.Mul, total, b.Binary(BinOp.Div, op.Float(op.D), op.Float(count)));
        }
        return op.Finish(result, key, name);
    }

    /// <summary>A mixed partial read off one jet (see <see cref="JetPlan"/>); only the plan's slots are passed.</summary>
    public static Module Partial(Function primal, int wrt, JetPlan plan, FunctionKey key, string name, Func<FunctionKey, Function?> lookup)
    {
        var slots = plan.Terms.Select(t => t.Slot).Distinct().OrderBy(s => s).ToArray();
        var op = new JetOperator(primal, wrt, plan.Order, 1, slots, lookup);
        var b = op.B;
        foreach (var (coordinate, _, slot) in plan.Terms)
            b.Store(op.One.Jet, op.JetIndex(0, Array.IndexOf(slots, slot), op.I(coordinate)), op.C(1));
        op.Run(op.One);
        var result = b.Binary(BinOp.Div, op.Top(op.One, 0), op.C(plan.Coefficient));
        return op.Finish(result, key, name);
    }
}
