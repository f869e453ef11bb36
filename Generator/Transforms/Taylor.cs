using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Univariate Taylor mode (jets) of order K as an IR → IR transform. Every active value u
/// carries its normalized coefficients ū_1..ū_K (ū_k = u_k / k!) next to its value ū_0 = u;
/// each primitive propagates them with its O(K²) recurrence (see REFERENCES: mul, div, exp,
/// log, sin/cos, sinh/cosh, tanh, sqrt, pow) or, for the rest, with the rule for any f whose
/// derivative is known: ȳ_k = (1/k) Σ_{j=1..k} j ū_j c̄_{k−j}, c the jet of f′(u).
/// Convention (as JAX's <c>jet</c>): the input curve is x(t) = a + Σ_j v_j t^j / j!, and the
/// outputs are y_k = d^k/dt^k f(x(t)) at t = 0.
/// <para>
/// Vector mode: with L lanes, L jets go through one pass. The primal value of every
/// intermediate is computed once and shared; each lane carries its own coefficients
/// (lane l, order k at index l·K + k − 1), since every recurrence for ȳ_k reads only the
/// primal and the lower coefficients of the same lane. This is what lets the probes of an
/// estimator share the primal.
/// </para>
/// <para>
/// Collapsed mode (for operators that read only Σ_l y_K, such as a Laplacian): the lanes keep their
/// own coefficients 1..K−1, but their order-K coefficients travel as one sum S = Σ_l ū_K,l. This is
/// exact because every recurrence's ȳ_K is linear in the operands' order-K coefficients plus terms
/// in the lower ones only: ȳ_K = A(ū_K) + B_l(ū_1..ū_{K−1}). So S_y = A(S_u) + Σ_l B_l, and each
/// rule is applied as it is, once per lane with its order-K input zero (giving B_l) and once more
/// for a "sum lane" whose lower coefficients are zero and whose order-K coefficient is S (giving
/// A(S)). A matrix–vector product then carries 1 + L(K−1) + 1 rows instead of 1 + LK; for a
/// 2-jet of 4 probes 6 instead of 9. (This is the "collapsed" Taylor mode of Dangel et al., and,
/// for the Laplacian, the forward Laplacian of Li et al.)
/// </para>
/// </summary>
internal sealed partial class Taylor
{
    private readonly Func<FunctionKey, Function?> _lookup;
    private readonly int _order;
    private readonly int _lanes;
    private readonly bool _collapsed;
    private readonly Dictionary<FunctionKey, Function> _generated = new();
    // The helpers' keys in the order they were first needed: the order they follow the entry in the module.
    private readonly List<FunctionKey> _helperKeys = new();

    /// <summary>
    /// Tests only: replaces a row's rule class on the calling thread (PrimitiveTableTests checks
    /// <see cref="TaylorClass.DerivativeDefined"/> against every smooth row's own recurrence).
    /// </summary>
    internal static Func<Primitive, TaylorRule?>? RuleOverride
    {
        get => _ruleOverride;
        set => _ruleOverride = value;
    }

    [ThreadStatic]
    private static Func<Primitive, TaylorRule?>? _ruleOverride;

    private Taylor(Func<FunctionKey, Function?> lookup, int order, int lanes, bool collapsed = false)
    {
        _lookup = lookup;
        _order = order;
        _lanes = lanes;
        _collapsed = collapsed && lanes > 1;
    }

    public static FunctionKey KeyFor(FunctionKey key, IReadOnlyList<bool> active, int order, int lanes = 1, bool collapsed = false) =>
        FunctionKey.Taylor(key, active, order, lanes, collapsed);

    /// <summary>
    /// The Taylor entry of <paramref name="entry"/>: its parameters, then the input jets of the
    /// one active parameter, then a span receiving y_0 and, per lane, y_1..y_K (lane l, order k
    /// at 1 + l·K + k − 1; with one lane simply y_0..y_K). Helpers (callees' jets) follow.
    /// The input holds, per lane, the input slots listed in <paramref name="slots"/> (default
    /// all of 1..K; the others are zero and cost nothing): S values for a scalar, S·d row-major
    /// for a span of length d — entry (l·S + s)·d + i is v_{slots[s]}[i] of lane l.
    /// </summary>
    /// <param name="collapsed">
    /// The order-K coefficients of the lanes travel as one sum (see the class remarks): the result
    /// span then holds y_0, per lane y_1..y_{K−1}, and last Σ_l y_K,l. Needs more than one lane and
    /// no input in slot K; otherwise the ordinary entry is built.
    /// </param>
    /// <param name="oneHot">
    /// The first-order slot of every lane is a unit vector e_i, passed as the index i (one int
    /// parameter per lane, in place of the jet span); the other slots are zero. Loads of the jet
    /// become (k == i ? 1 : 0), and Simplify turns sums over k of such terms into one term, so a
    /// matrix-vector product with e_i costs a column, not the matrix.
    /// </param>
    public static Module Entry(Function entry, int activeParam, int order, Func<FunctionKey, Function?> lookup, int lanes = 1,
        IReadOnlyList<int>? slots = null, bool oneHot = false, bool collapsed = false)
    {
        var inputSlots = oneHot ? new[] { 1 } : slots?.ToArray() ?? Enumerable.Range(1, order).ToArray();
        collapsed = collapsed && lanes > 1 && !inputSlots.Contains(order);
        var t = new Taylor(lookup, order, lanes, collapsed);
        var active = entry.Params.Select((p, i) => i == activeParam).ToList();
        var key = FunctionKey.TaylorEntry(entry.Key, active, order, lanes, inputSlots, oneHot, collapsed);
        var fn = new FunctionTransform(t, entry, active, isEntry: true, inputSlots, oneHot).Run(key);
        var list = new List<Function> { fn };
        // The helpers of every order: derivative rules jet their partials one order lower (Taylor.Rules.cs).
        for (var o = t; o is not null; o = o._lower) list.AddRange(o._helperKeys.Select(k => o._generated[k]));
        return new Module(list.ToEquatableArray());
    }

    private FunctionKey Helper(Function fn, IReadOnlyList<bool> active)
    {
        var key = KeyFor(fn.Key, active, _order, _lanes, _collapsed);
        if (_generated.ContainsKey(key)) return key;
        _generated[key] = null!;
        _generated[key] = new FunctionTransform(this, fn, active, isEntry: false, null, oneHot: false).Run(key);
        _helperKeys.Add(key);
        return key;
    }

    /// <summary>
    /// The jet of a buffer: one flat buffer of L·K blocks of the primal's length (lane l, order
    /// k in block l·K + k − 1). <see cref="Raw"/> marks the entry's input: raw derivatives, and
    /// only the blocks of the input slots (lane l, slot s in block l·S + s).
    /// </summary>
    private sealed record BufferJet(Value Buffer, Value Stride, bool Raw, Value[]? OneHot = null, bool Normalized = false);

    private sealed partial class FunctionTransform
    {
        private readonly Taylor _owner;
        private readonly Function _fn;
        private readonly IReadOnlyList<bool> _active;
        private readonly bool _entry;
        private readonly int _k;
        private readonly int _lanes;
        // Collapsed: lane _lanes is the sum lane (zero below order K), and the real lanes' order-K entries are zero.
        private readonly bool _collapsed;
        private readonly int[] _slots;
        private readonly Activity _activity;
        private readonly IrBuilder _b;
        // All coefficients of a value: lane l, order k at l·K + k − 1 (collapsed: the sum lane last; null for
        // the entries that are zero by construction).
        private readonly Dictionary<int, Value?[]> _jet = new();
        private readonly Dictionary<int, BufferJet> _bufJet = new();
        // The lane the recurrences are working on.
        private int _lane;

        private readonly bool _oneHot;
        private readonly RegionExtras _regions;

        public FunctionTransform(Taylor owner, Function fn, IReadOnlyList<bool> active, bool isEntry, int[]? slots, bool oneHot)
        {
            _oneHot = oneHot;
            _owner = owner;
            _fn = fn;
            _active = active;
            _entry = isEntry;
            _k = owner._order;
            _lanes = owner._lanes;
            _collapsed = owner._collapsed;
            _slots = slots ?? Enumerable.Range(1, _k).ToArray();
            _activity = Activity.Analyze(fn, active);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
            NoteConstants(fn.Body);
            // L·K extras per value: its jet.
            _regions = new RegionExtras(_b, Active, Transform, read: v => Enumerable.Range(0, N).Select(n => At(v, n)),
                argument: ArgumentJet, create: v => NewJet(v, v.Type), record: Record,
                owner._lookup, owner.Helper);
        }

        private bool Active(Value v) => _activity.IsActive(v) && v.Type.IsDifferentiable;

        private Value C(double c, IrType t) => _b.Const(c, t);

        private Value Mul(Value a, Value b) => _b.Binary(BinOp.Mul, a, b);

        private Value Add(Value a, Value b) => _b.Binary(BinOp.Add, a, b);

        private Value Sub(Value a, Value b) => _b.Binary(BinOp.Sub, a, b);

        private Value Div(Value a, Value b) => _b.Binary(BinOp.Div, a, b);

        private static double Factorial(int n)
        {
            double f = 1;
            for (var i = 2; i <= n; i++) f *= i;
            return f;
        }

        /// <summary>
        /// The values a jet passes on (to a callee, a loop, a buffer, the result): L·K, lane-major; collapsed,
        /// L·(K−1) lane-major and the sum of the order-K coefficients last.
        /// </summary>
        private int N => _collapsed ? _lanes * (_k - 1) + 1 : _lanes * _k;

        /// <summary>The lanes the recurrences run over: collapsed, the sum lane after the real ones.</summary>
        private int JetLanes => _collapsed ? _lanes + 1 : _lanes;

        /// <summary>The lane and order of entry n of the passed jet (see <see cref="N"/>).</summary>
        private (int Lane, int K) Entry(int n)
        {
            if (!_collapsed) return (n / _k, n % _k + 1);
            return n == _lanes * (_k - 1) ? (_lanes, _k) : (n / (_k - 1), n % (_k - 1) + 1);
        }

        /// <summary>Entry n of the passed jet within the per-lane coefficients this transform keeps.</summary>
        private int Internal(int n)
        {
            var (lane, k) = Entry(n);
            return lane * _k + k - 1;
        }

        /// <summary>Where coefficient k of lane <paramref name="lane"/> is in the passed jet (inverse of <see cref="Entry"/>).</summary>
        private int PassedIndex(int lane, int k) =>
            !_collapsed ? lane * _k + k - 1 : lane == _lanes ? _lanes * (_k - 1) : lane * (_k - 1) + k - 1;

        /// <summary>Whether coefficient k of the current lane is zero by construction (collapsed mode).</summary>
        private bool StructuralZero(int k) => _collapsed && (_lane == _lanes ? k < _k : k == _k);

        private string Coef(Value v, int k) => Coef(v, _lane, k);

        /// <summary>
        /// The name of coefficient k of lane l: <c>z_t2</c> with one lane, <c>z_l1_t2</c> with several, <c>z_sum_t2</c>
        /// for the collapsed sum.
        /// </summary>
        private string Coef(Value v, int lane, int k) =>
            v.Name.Length == 0 ? "" : _lanes == 1 ? v.Name + "_t" + k
            : lane == _lanes ? v.Name + "_sum_t" + k : v.Name + "_l" + lane + "_t" + k;

        /// <summary>Name of entry n of a value's passed jet.</summary>
        private string CoefAt(Value v, int n)
        {
            var (lane, k) = Entry(n);
            return Coef(v, lane, k);
        }

        /// <summary>Coefficient k of an operand in the current lane: its value for k = 0, zero when it is not active.</summary>
        private Value Co(Value v, int k)
        {
            if (k == 0) return v;
            return _jet.TryGetValue(v.Id, out var j) && j[_lane * _k + k - 1] is { } c ? c : _b.Zero(v.Type);
        }

        /// <summary>Entry n of an operand's passed jet; zero when it is not active.</summary>
        private Value At(Value v, int n) =>
            _jet.TryGetValue(v.Id, out var j) && j[Internal(n)] is { } c ? c : _b.Zero(v.Type);

        /// <summary>The coefficients 1..K of the current lane.</summary>
        private Value[]? Jet(Value v)
        {
            if (!_jet.TryGetValue(v.Id, out var j)) return null;
            return Enumerable.Range(0, _k).Select(k => j[_lane * _k + k] ?? _b.Zero(v.Type)).ToArray();
        }

        private void SetJet(Value v, Value[] coefficients)
        {
            for (var k = 0; k < coefficients.Length; k++)
            {
                // Collapsed, only the real lanes' lower coefficients are final here (JetOf names the sum).
                if (!_collapsed || (_lane < _lanes && k + 1 < _k)) coefficients[k] = _b.TryRenameLast(coefficients[k], Coef(v, k + 1));
            }
            SetLane(v, coefficients);
        }

        /// <summary>Sets the current lane's coefficients 1..K of a value.</summary>
        private void SetLane(Value v, Value[] coefficients)
        {
            if (!_jet.TryGetValue(v.Id, out var all)) _jet[v.Id] = all = new Value?[JetLanes * _k];
            Array.Copy(coefficients, 0, all, _lane * _k, _k);
        }

        /// <summary>Records a passed jet (a callee's, a loop's or a parameter's) as <paramref name="v"/>'s.</summary>
        private void Record(Value v, Value[] passed)
        {
            var all = new Value?[JetLanes * _k];
            for (var n = 0; n < passed.Length; n++) all[Internal(n)] = passed[n];
            _jet[v.Id] = all;
        }

        /// <summary>Runs <paramref name="perLane"/> once for every lane (collapsed: the sum lane too).</summary>
        private void ForLanes(Action perLane)
        {
            for (_lane = 0; _lane < JetLanes; _lane++) perLane();
            _lane = 0;
        }

        /// <summary>
        /// The jet of <paramref name="v"/> from <paramref name="rule"/>, run for every lane. Collapsed, the real
        /// lanes' order-K results (their terms in the lower coefficients) are added to the sum lane's (its term in
        /// the operands' sums): S_y = A(S_u) + Σ_l B_l, in lane order.
        /// </summary>
        private void JetOf(Value v, Func<Value[]> rule)
        {
            ForLanes(() => SetJet(v, rule()));
            if (!_collapsed) return;
            var all = _jet[v.Id];
            var top = _k - 1;
            var sum = all[_lanes * _k + top]!;
            for (var l = 0; l < _lanes; l++)
            {
                sum = Add(sum, all[l * _k + top]!);
                all[l * _k + top] = null;
            }
            for (var k = 0; k < top; k++) all[_lanes * _k + k] = null;
            all[_lanes * _k + top] = _b.TryRenameLast(sum, Coef(v, _lanes, _k));
        }

        /// <summary>Fresh values for the passed jet of <paramref name="v"/>.</summary>
        private Value[] NewJet(Value v, IrType type) => Enumerable.Range(0, N).Select(n => _b.NewValue(type, CoefAt(v, n))).ToArray();

        public Function Run(FunctionKey key)
        {
            var args = new List<Value>();
            for (var i = 0; i < _fn.Params.Count; i++)
            {
                var p = _fn.Params[i];
                args.Add(p);
                if (!_active[i] || !p.Type.IsDifferentiable) continue;
                if (_entry) EntryParam(p, args);
                else HelperParam(p, args);
            }
            Value? outJet = null;
            if (_entry && _fn.Body.Yields.Count == 1)
            {
                outJet = _b.NewValue(IrType.Buf(_fn.Body.Yields[0].Type.Elem, BufferKind.Span), "result_jet");
                args.Add(outJet);
            }

            foreach (var op in _fn.Body.Ops) Transform(op);

            var yields = new List<Value>();
            if (outJet is not null) StoreResultJet(outJet);
            if (!_entry)
            {
                foreach (var y in _fn.Body.Yields)
                {
                    yields.Add(y);
                    for (var n = 0; n < N; n++) yields.Add(At(y, n));
                }
            }
            var ops = _b.EndBlock();
            return new Function(key, Name(), new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray()));
        }

        /// <summary>
        /// The method name: <c>F_Taylor2</c>, with <c>x</c> lanes, <c>_Collapsed</c>, <c>_OneHot</c> and the active mask where they apply.
        /// </summary>
        private string Name()
        {
            var mask = string.Concat(_active.Select(a => a ? "1" : "0"));
            return _fn.Name + "_Taylor" + _k + (_lanes == 1 ? "" : "x" + _lanes) + (_collapsed ? "_Collapsed" : "")
                + (_oneHot ? "_OneHot" : "")
                + (_active.All(a => a) ? "" : "_" + mask);
        }

        private void Transform(Op op)
        {
            switch (op)
            {
                case NoteOp:
                    return;
                case ForOp f:
                    _regions.For(f);
                    return;
                case IfOp i:
                    _regions.If(i);
                    return;
                case CallOp { Rule: not null } rc:
                    RuleJet(rc);
                    return;
                case CallOp c:
                    _regions.Call(c);
                    return;
            }
            _b.Emit(op);
            switch (op)
            {
                case UnaryOp or BinaryOp or TernaryOp when Active(op.Results.First()):
                    JetOf(op.Results.First(), () => Rule(op));
                    break;
                case SelectOp s when Active(s.Result):
                    JetOf(s.Result, () => SelectJet(s));
                    break;
                case LoadOp l when Active(l.Result) && _bufJet.TryGetValue(l.Buffer.Id, out var bj):
                    JetOf(l.Result, () => LoadJet(l, bj));
                    break;
                case StoreOp st when _bufJet.TryGetValue(st.Buffer.Id, out var bj):
                    if (bj.Raw) throw new InvalidOperationException("the input jet is read-only");
                    for (var n = 0; n < N; n++)
                    {
                        var index = Add(Mul(C(n, IrType.I32), bj.Stride), st.Index);
                        _b.Store(bj.Buffer, index, At(st.Stored, n), st.Accumulate);
                    }
                    break;
                case AllocOp a when Active(a.Result):
                {
                    var len = Mul(a.Length, C(N, IrType.I32));
                    var buf = _b.Alloc(a.Result.Type, len, a.Result.Name + "_jet");
                    _bufJet[a.Result.Id] = new BufferJet(buf, a.Length, Raw: false);
                    break;
                }
            }
        }

        /// <summary>The current lane's coefficients of a load from a buffer with a jet (raw, one-hot or normalized).</summary>
        private Value[] LoadJet(LoadOp l, BufferJet bj)
        {
            var coefficients = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                // Collapsed: the entry's input has no order-K slot, so the sum lane reads nothing from it.
                if (StructuralZero(k) || (bj.Raw && _lane == _lanes))
                {
                    coefficients[k - 1] = _b.Zero(l.Result.Type);
                    continue;
                }
                var block = bj.Raw ? _lane * _slots.Length + Array.IndexOf(_slots, k) : PassedIndex(_lane, k);
                if (bj.Raw && !_slots.Contains(k))
                {
                    coefficients[k - 1] = _b.Zero(l.Result.Type);
                    continue;
                }
                if (bj.OneHot is { } indices)
                {
                    // (e_i)[k] = (k == i ? 1 : 0̸): the zeros of a unit vector are symbolic (see DeltaSums).
                    var hit = _b.Binary(BinOp.Eq, l.Index, indices[_lane]);
                    coefficients[k - 1] = _b.Select(hit, C(1, l.Result.Type), _b.Zero(l.Result.Type));
                    continue;
                }
                var index = Add(Mul(C(block, IrType.I32), bj.Stride), l.Index);
                var raw = _b.Load(bj.Buffer, index);
                coefficients[k - 1] = bj.Raw && !bj.Normalized && k > 1 ? Div(raw, C(Factorial(k), l.Result.Type)) : raw;
            }
            return coefficients;
        }

        private readonly Dictionary<int, double> _constants = new();

        /// <summary>Records constants so pow with a constant exponent uses the exact product rule.</summary>
        public void NoteConstants(Region r)
        {
            foreach (var op in r.Ops)
            {
                if (op is ConstOp c) _constants[c.Result.Id] = c.Number;
                foreach (var inner in op.Regions) NoteConstants(inner);
            }
        }
    }
}
