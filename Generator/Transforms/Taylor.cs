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
/// </summary>
internal sealed class Taylor
{
    private readonly Func<FunctionKey, Function?> _lookup;
    private readonly int _order;
    private readonly int _lanes;
    private readonly Dictionary<FunctionKey, Function> _generated = new();
    private readonly List<FunctionKey> _order2 = new();

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

    private Taylor(Func<FunctionKey, Function?> lookup, int order, int lanes)
    {
        _lookup = lookup;
        _order = order;
        _lanes = lanes;
    }

    public static FunctionKey KeyFor(FunctionKey key, IReadOnlyList<bool> active, int order, int lanes = 1) =>
        FunctionKey.Taylor(key, active, order, lanes);

    /// <summary>
    /// The Taylor entry of <paramref name="entry"/>: its parameters, then the input jets of the
    /// one active parameter, then a span receiving y_0 and, per lane, y_1..y_K (lane l, order k
    /// at 1 + l·K + k − 1; with one lane simply y_0..y_K). Helpers (callees' jets) follow.
    /// The input holds, per lane, the input slots listed in <paramref name="slots"/> (default
    /// all of 1..K; the others are zero and cost nothing): S values for a scalar, S·d row-major
    /// for a span of length d — entry (l·S + s)·d + i is v_{slots[s]}[i] of lane l.
    /// </summary>
    /// <param name="oneHot">
    /// The first-order slot of every lane is a unit vector e_i, passed as the index i (one int
    /// parameter per lane, in place of the jet span); the other slots are zero. Loads of the jet
    /// become (k == i ? 1 : 0), and Simplify turns sums over k of such terms into one term, so a
    /// matrix-vector product with e_i costs a column, not the matrix.
    /// </param>
    public static Module Entry(Function entry, int activeParam, int order, Func<FunctionKey, Function?> lookup, int lanes = 1,
        IReadOnlyList<int>? slots = null, bool oneHot = false)
    {
        var t = new Taylor(lookup, order, lanes);
        var active = entry.Params.Select((p, i) => i == activeParam).ToList();
        var inputSlots = oneHot ? new[] { 1 } : slots?.ToArray() ?? Enumerable.Range(1, order).ToArray();
        var key = FunctionKey.TaylorEntry(entry.Key, active, order, lanes, inputSlots, oneHot);
        var fn = new FunctionTransform(t, entry, active, isEntry: true, inputSlots, oneHot).Run(key);
        var list = new List<Function> { fn };
        list.AddRange(t._order2.Select(k => t._generated[k]));
        return new Module(list.ToEquatableArray());
    }

    private FunctionKey Helper(Function fn, IReadOnlyList<bool> active)
    {
        var key = KeyFor(fn.Key, active, _order, _lanes);
        if (_generated.ContainsKey(key)) return key;
        _generated[key] = null!;
        _generated[key] = new FunctionTransform(this, fn, active, isEntry: false, null, oneHot: false).Run(key);
        _order2.Add(key);
        return key;
    }

    /// <summary>
    /// The jet of a buffer: one flat buffer of L·K blocks of the primal's length (lane l, order
    /// k in block l·K + k − 1). <see cref="Raw"/> marks the entry's input: raw derivatives, and
    /// only the blocks of the input slots (lane l, slot s in block l·S + s).
    /// </summary>
    private sealed record BufferJet(Value Buffer, Value Stride, bool Raw, Value[]? OneHot = null, bool Normalized = false);

    private sealed class FunctionTransform
    {
        private readonly Taylor _owner;
        private readonly Function _fn;
        private readonly IReadOnlyList<bool> _active;
        private readonly bool _entry;
        private readonly int _k;
        private readonly int _lanes;
        private readonly int[] _slots;
        private readonly Activity _activity;
        private readonly IrBuilder _b;
        // All coefficients of a value: lane l, order k at l·K + k − 1.
        private readonly Dictionary<int, Value[]> _jet = new();
        private readonly Dictionary<int, BufferJet> _bufJet = new();
        // The lane the recurrences are working on.
        private int _lane;

        private readonly bool _oneHot;

        public FunctionTransform(Taylor owner, Function fn, IReadOnlyList<bool> active, bool isEntry, int[]? slots, bool oneHot)
        {
            _oneHot = oneHot;
            _owner = owner;
            _fn = fn;
            _active = active;
            _entry = isEntry;
            _k = owner._order;
            _lanes = owner._lanes;
            _slots = slots ?? Enumerable.Range(1, _k).ToArray();
            _activity = Activity.Analyze(fn, active);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
            NoteConstants(fn.Body);
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

        /// <summary>All coefficients per value: L·K.</summary>
        private int N => _lanes * _k;

        private string Coef(Value v, int k) => Coef(v, _lane, k);

        /// <summary>The name of coefficient k of lane l: <c>z_t2</c> with one lane, <c>z_l1_t2</c> with several.</summary>
        private string Coef(Value v, int lane, int k) =>
            v.Name.Length == 0 ? "" : _lanes == 1 ? v.Name + "_t" + k : v.Name + "_l" + lane + "_t" + k;

        /// <summary>Name of entry n (lane-major) of a value's full jet.</summary>
        private string CoefAt(Value v, int n) => Coef(v, n / _k, n % _k + 1);

        /// <summary>Coefficient k of an operand in the current lane: its value for k = 0, zero when it is not active.</summary>
        private Value Co(Value v, int k)
        {
            if (k == 0) return v;
            return _jet.TryGetValue(v.Id, out var j) ? j[_lane * _k + k - 1] : _b.Zero(v.Type);
        }

        /// <summary>Entry n (lane-major) of an operand's full jet; zero when it is not active.</summary>
        private Value At(Value v, int n) => _jet.TryGetValue(v.Id, out var j) ? j[n] : _b.Zero(v.Type);

        /// <summary>The coefficients 1..K of the current lane.</summary>
        private Value[]? Jet(Value v) => _jet.TryGetValue(v.Id, out var j) ? j.Skip(_lane * _k).Take(_k).ToArray() : null;

        private void SetJet(Value v, Value[] coefficients)
        {
            for (var k = 0; k < coefficients.Length; k++) coefficients[k] = _b.TryRenameLast(coefficients[k], Coef(v, k + 1));
            SetLane(v, coefficients);
        }

        /// <summary>Sets the current lane's coefficients 1..K of a value.</summary>
        private void SetLane(Value v, Value[] coefficients)
        {
            if (!_jet.TryGetValue(v.Id, out var all)) _jet[v.Id] = all = new Value[N];
            Array.Copy(coefficients, 0, all, _lane * _k, _k);
        }

        /// <summary>Runs <paramref name="perLane"/> once for every lane.</summary>
        private void ForLanes(Action perLane)
        {
            for (_lane = 0; _lane < _lanes; _lane++) perLane();
            _lane = 0;
        }

        /// <summary>Fresh values for all L·K coefficients of <paramref name="v"/>.</summary>
        private Value[] NewJet(Value v, IrType type) => Enumerable.Range(0, N).Select(n => _b.NewValue(type, CoefAt(v, n))).ToArray();

        public Function Run(FunctionKey key)
        {
            var args = new List<Value>();
            Value? outJet = null;
            for (var i = 0; i < _fn.Params.Count; i++)
            {
                var p = _fn.Params[i];
                args.Add(p);
                if (!_active[i] || !p.Type.IsDifferentiable) continue;
                if (_entry)
                {
                    if (_oneHot && p.Type.IsBuffer)
                    {
                        // One index per lane: lane l runs along e_{index_l}.
                        var indices = Enumerable.Range(0, _lanes).Select(l => _b.NewValue(IrType.I32, _lanes == 1 ? p.Name + "_index" : p.Name + "_index" + l)).ToArray();
                        args.AddRange(indices);
                        _bufJet[p.Id] = new BufferJet(indices[0], _b.Length(p), Raw: true, indices);
                        continue;
                    }
                    // The caller's jet: raw derivatives v_j, normalized here (÷ j!).
                    var jet = _b.NewValue(IrType.Buf(p.Type.Elem, BufferKind.ReadOnlySpan), p.Name + "_jet");
                    args.Add(jet);
                    if (p.Type.IsBuffer)
                    {
                        var stride = _b.Length(p);
                        if (_slots.Any(k => k > 1))
                        {
                            // Normalize once (v_k / k!), not at every load inside the loops that read x.
                            var blocks = _lanes * _slots.Length;
                            var normalized = _b.Alloc(IrType.Buf(p.Type.Elem, BufferKind.Scratch), _b.Length(jet), p.Name + "_jet_normalized");
                            for (var block = 0; block < blocks; block++)
                            {
                                var k = _slots[block % _slots.Length];
                                _b.BeginBlock();
                                var e = _b.NewValue(IrType.I32, "i");
                                var at = Add(Mul(C(block, IrType.I32), stride), e);
                                var raw = _b.Load(jet, at);
                                _b.Store(normalized, at, k > 1 ? Div(raw, C(Factorial(k), p.Type.ElementType)) : raw);
                                var copy = _b.EndBlock();
                                _b.Emit(new ForOp(EquatableArray<Value>.Empty, C(0, IrType.I32), stride, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
                                    new Region(new[] { e }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
                            }
                            _bufJet[p.Id] = new BufferJet(normalized, stride, Raw: true, Normalized: true);
                        }
                        else
                        {
                            _bufJet[p.Id] = new BufferJet(jet, stride, Raw: true);
                        }
                    }
                    else
                    {
                        ForLanes(() =>
                        {
                            var coefficients = new Value[_k];
                            for (var k = 1; k <= _k; k++)
                            {
                                var s = Array.IndexOf(_slots, k);
                                if (s < 0)
                                {
                                    coefficients[k - 1] = _b.Zero(p.Type);
                                    continue;
                                }
                                var raw = _b.Load(jet, C(_lane * _slots.Length + s, IrType.I32));
                                coefficients[k - 1] = k == 1 ? raw : Div(raw, C(Factorial(k), p.Type));
                            }
                            SetJet(p, coefficients);
                        });
                    }
                }
                else if (p.Type.IsBuffer)
                {
                    var jet = _b.NewValue(IrType.Buf(p.Type.Elem, p.Type.Buffer == BufferKind.Span ? BufferKind.Span : BufferKind.ReadOnlySpan), p.Name + "_jet");
                    args.Add(jet);
                    _bufJet[p.Id] = new BufferJet(jet, _b.Length(p), Raw: false);
                }
                else
                {
                    var coefficients = NewJet(p, p.Type);
                    args.AddRange(coefficients);
                    _jet[p.Id] = coefficients;
                }
            }
            if (_entry && _fn.Body.Yields.Count == 1)
            {
                outJet = _b.NewValue(IrType.Buf(_fn.Body.Yields[0].Type.Elem, BufferKind.Span), "result_jet");
                args.Add(outJet);
            }

            foreach (var op in _fn.Body.Ops) Op(op);

            var yields = new List<Value>();
            if (_entry)
            {
                if (outJet is not null)
                {
                    // y_0, then y_k = k! ȳ_k per lane
                    var y = _fn.Body.Yields[0];
                    _b.Store(outJet, C(0, IrType.I32), y);
                    ForLanes(() =>
                    {
                        for (var k = 1; k <= _k; k++)
                        {
                            var c = Co(y, k);
                            _b.Store(outJet, C(1 + _lane * _k + k - 1, IrType.I32), k <= 1 ? c : Mul(c, C(Factorial(k), y.Type)));
                        }
                    });
                }
            }
            else
            {
                foreach (var y in _fn.Body.Yields)
                {
                    yields.Add(y);
                    for (var n = 0; n < N; n++) yields.Add(At(y, n));
                }
            }
            var ops = _b.EndBlock();
            var mask = string.Concat(_active.Select(a => a ? "1" : "0"));
            var name = _fn.Name + "_Taylor" + _k + (_lanes == 1 ? "" : "x" + _lanes) + (_oneHot ? "_OneHot" : "") + (_active.All(a => a) ? "" : "_" + mask);
            return new Function(key, name, new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray()));
        }

        private void Op(Op op)
        {
            switch (op)
            {
                case NoteOp:
                    return;
                case ForOp f:
                    For(f);
                    return;
                case IfOp i:
                    If(i);
                    return;
                case CallOp c:
                    Call(c);
                    return;
            }
            _b.Emit(op);
            switch (op)
            {
                case UnaryOp or BinaryOp or TernaryOp when Active(op.Results.First()):
                    ForLanes(() => SetJet(op.Results.First(), Rule(op)));
                    break;
                case SelectOp s when Active(s.Result):
                    ForLanes(() => SetJet(s.Result, SelectJet(s)));
                    break;
                case LoadOp l when Active(l.Result) && _bufJet.TryGetValue(l.Buffer.Id, out var bj):
                    ForLanes(() =>
                    {
                        var coefficients = new Value[_k];
                        for (var k = 1; k <= _k; k++)
                        {
                            var block = bj.Raw ? _lane * _slots.Length + Array.IndexOf(_slots, k) : _lane * _k + k - 1;
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
                        SetJet(l.Result, coefficients);
                    });
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

        // ------------------------------------------------------------ recurrences

        /// <summary>Jet of a product: v̄_k = Σ_{j=0..k} ā_j b̄_{k−j}.</summary>
        private Value[] MulJet(Value a, Value[]? ja, Value b, Value[]? jb)
        {
            var r = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                Value? sum = null;
                for (var j = 0; j <= k; j++)
                {
                    var aj = j == 0 ? a : ja?[j - 1];
                    var bj = k - j == 0 ? b : jb?[k - j - 1];
                    if (aj is null || bj is null) continue;
                    var term = Mul(aj, bj);
                    sum = sum is null ? term : Add(sum, term);
                }
                r[k - 1] = sum ?? _b.Zero(a.Type);
            }
            return r;
        }

        /// <summary>Jet of y = f(u) from the jet of f′(u) (c̄_0..c̄_{K−1}): ȳ_k = (1/k) Σ_{j=1..k} j ū_j c̄_{k−j}.</summary>
        private Value[] FromDerivative(Value[] ju, Func<int, Value> c)
        {
            var type = ju[0].Type;
            var r = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                Value? sum = null;
                for (var j = 1; j <= k; j++)
                {
                    var term = Mul(j == 1 ? ju[0] : Mul(C(j, type), ju[j - 1]), c(k - j));
                    sum = sum is null ? term : Add(sum, term);
                }
                r[k - 1] = k == 1 ? sum! : Div(sum!, C(k, type));
            }
            return r;
        }

        /// <summary>
        /// Jet of y = f(u) when f′ is a function g of y (and u): coefficients are computed in
        /// order, c̄_{k−1} from ȳ_0..ȳ_{k−1}. <paramref name="derivativeJet"/> gets the jet of y
        /// so far and returns c̄_m.
        /// </summary>
        private Value[] SelfReferential(Value u, Value y, Func<Value[], int, Value> derivativeJet)
        {
            var ju = Jet(u)!;
            var type = y.Type;
            var r = new Value[_k];
            var cs = new List<Value>();
            for (var k = 1; k <= _k; k++)
            {
                cs.Add(derivativeJet(r, k - 1));
                Value? sum = null;
                for (var j = 1; j <= k; j++)
                {
                    var term = Mul(j == 1 ? ju[0] : Mul(C(j, type), ju[j - 1]), cs[k - j]);
                    sum = sum is null ? term : Add(sum, term);
                }
                r[k - 1] = k == 1 ? sum! : Div(sum!, C(k, type));
            }
            return r;
        }

        /// <summary>Coefficient m of the product of two jets given as functions.</summary>
        private Value Conv(Func<int, Value> a, Func<int, Value> b, int m, IrType type)
        {
            Value? sum = null;
            for (var j = 0; j <= m; j++)
            {
                var term = Mul(a(j), b(m - j));
                sum = sum is null ? term : Add(sum, term);
            }
            return sum ?? C(0, type);
        }

        /// <summary>
        /// The jet of a primitive's result, by the rule class its row in <see cref="Primitives"/>
        /// names (as JAX's jet: rules by class, not per primitive; the row's parameters pick the variant).
        /// </summary>
        private Value[] Rule(Op op)
        {
            var row = Primitives.Of(op) ?? throw new InvalidOperationException("not a primitive: " + op.GetType().Name);
            var x = op.Operands.ToArray();
            var y = op.Results.First();
            var rule = RuleOverride?.Invoke(row) ?? row.Taylor;
            switch (rule.Class)
            {
                case TaylorClass.PerCoefficient:
                    return PerCoefficient(op, row);
                case TaylorClass.SelfReferential when rule.Number == 0:
                    // ȳ_k = (1/k) Σ j x̄_j ȳ_{k−j}: y is its own derivative (exp).
                    return SelfReferential(x[0], y, (r, m) => m == 0 ? y : r[m - 1]);
                case TaylorClass.SelfReferential:
                    return TanLike(x[0], y, rule.Number);
                case TaylorClass.Log:
                    return LogJet(x[0], y.Type);
                case TaylorClass.Composition:
                {
                    // f = With(x) / Number, e.g. log2 x = ln x / ln 2
                    var inner = new UnaryOp(_b.NewValue(y.Type, ""), rule.With, x[0]);
                    return Rule(inner).Select(c => Div(c, C(rule.Number, y.Type))).ToArray();
                }
                case TaylorClass.SinCosPair:
                    return SinCos(x[0], y, rule);
                case TaylorClass.Sqrt:
                    return SqrtJet(x[0], y);
                case TaylorClass.PowConst:
                    return PowConst(x[0], y, rule.Number);
                case TaylorClass.InverseRadical:
                {
                    var g = InverseRadical(rule, x[0], y.Type);
                    return FromDerivative(Jet(x[0])!, m => g[m]);
                }
                case TaylorClass.DerivativeDefined:
                    return DerivativeDefined(op);
                case TaylorClass.Product:
                    return MulJet(x[0], Jet(x[0]), x[1], Jet(x[1]));
                case TaylorClass.Quotient:
                    return DivJet(x[0], Jet(x[0]), x[1], Jet(x[1]), y);
                case TaylorClass.Remainder:
                {
                    var q = _b.Unary(UnOp.Truncate, Div(x[0], x[1]));
                    return Enumerable.Range(1, _k).Select(k => Sub(Co(x[0], k), Mul(q, Co(x[1], k)))).ToArray();
                }
                case TaylorClass.Power:
                    return PowJet(x[0], x[1], y);
                case TaylorClass.Atan2:
                    return Atan2Jet(x[0], x[1], y.Type);
                case TaylorClass.FusedMultiplyAdd:
                {
                    // a·b + c: the Cauchy product plus c̄_k for k ≥ 1; ȳ_0 is the fused op itself (already emitted).
                    var product = MulJet(x[0], Jet(x[0]), x[1], Jet(x[1]));
                    var jc = Jet(x[2]);
                    return jc is null ? product : product.Select((p, k) => Add(p, jc[k])).ToArray();
                }
                default:
                    throw new InvalidOperationException("no Taylor rule for " + row.Kind);
            }
        }

        /// <summary>
        /// Ops linear in the tangent whose partials are constant along the curve (linear and piecewise
        /// linear: Neg, Convert, Add, Sub, Abs, Max, Min, Clamp): coefficient k is the tangent rule applied to
        /// the operands' coefficients k. The rule is built once on placeholders; the ops that do not read a
        /// placeholder (the branch conditions) are emitted once, the others once per coefficient.
        /// </summary>
        private Value[] PerCoefficient(Op op, Primitive row)
        {
            var operands = op.Operands.ToArray();
            var holes = operands.Select(v => Jet(v) is null ? null : _b.NewValue(v.Type, "")).ToArray();
            _b.BeginBlock();
            var result = Primitives.Tangent(_b, op, holes);
            var ops = _b.EndBlock();
            var perCoefficient = new HashSet<int>(holes.Where(h => h is not null).Select(h => h!.Id));
            var template = new List<Op>();
            foreach (var o in ops)
            {
                if (o.Operands.Any(v => perCoefficient.Contains(v.Id)))
                {
                    foreach (var r in o.Results) perCoefficient.Add(r.Id);
                    template.Add(o);
                }
                else _b.Emit(o);
            }
            var coefficients = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                var map = new Dictionary<int, Value>();
                for (var i = 0; i < operands.Length; i++)
                {
                    if (holes[i] is { } h) map[h.Id] = Co(operands[i], k);
                }
                foreach (var o in template)
                {
                    var copy = Rewrite.Substitute(new Region(EquatableArray<Value>.Empty, new[] { o }.ToEquatableArray(),
                        EquatableArray<Value>.Empty), map).Ops[0];
                    var fresh = _b.NewValue(o.Results.First().Type, o.Results.First().Name);
                    map[o.Results.First().Id] = fresh;
                    _b.Emit(WithResult(copy, fresh));
                }
                coefficients[k - 1] = map.TryGetValue(result.Id, out var c) ? c : result;
            }
            return coefficients;
        }

        private Value[] SelectJet(SelectOp s) =>
            Enumerable.Range(1, _k).Select(k => _b.Select(s.Cond, Co(s.IfTrue, k), Co(s.IfFalse, k))).ToArray();

        private static Op WithResult(Op op, Value result) => op switch
        {
            UnaryOp u => u with { Result = result },
            BinaryOp b => b with { Result = result },
            TernaryOp t => t with { Result = result },
            SelectOp s => s with { Result = result },
            _ => throw new InvalidOperationException("a tangent rule emitted " + op.GetType().Name),
        };

        /// <summary>
        /// Any smooth unary f (JAX's <c>def_deriv</c>): f′ is built in IR by the row's tangent rule with
        /// seed 1, its jet by the other rules, then ȳ from it by <see cref="FromDerivative"/>.
        /// </summary>
        private Value[] DerivativeDefined(Op op)
        {
            var x = op.Operands.First();
            _b.BeginBlock();
            var derivative = Primitives.Tangent(_b, op, C(1, x.Type));
            var ops = _b.EndBlock();
            var y = op.Results.First();
            if (ops.Any(o => o.Operands.Contains(y))) throw new InvalidOperationException("derivative-defined needs f′ in x only: " + op);
            foreach (var o in ops)
            {
                _b.Emit(o);
                if (o is SelectOp s && (Jet(s.IfTrue) is not null || Jet(s.IfFalse) is not null)) SetLane(s.Result, SelectJet(s));
                else if (o is UnaryOp or BinaryOp or TernaryOp && o.Operands.Any(v => Jet(v) is not null))
                    SetLane(o.Results.First(), Rule(o));
            }
            var jd = Jet(derivative);
            return FromDerivative(Jet(x)!, m => m == 0 ? derivative : jd is null ? _b.Zero(x.Type) : jd[m - 1]);
        }

        /// <summary>t′ = 1 ± t² (tan: +1, tanh: −1): d̄_m = [m = 0] ± Σ_{j=0..m} t̄_j t̄_{m−j}.</summary>
        private Value[] TanLike(Value x, Value y, double sign)
        {
            var type = y.Type;
            return SelfReferential(x, y, (r, m) =>
            {
                var sq = Conv(j => j == 0 ? y : r[j - 1], j => j == 0 ? y : r[j - 1], m, type);
                var signed = sign < 0 ? _b.Unary(UnOp.Neg, sq) : sq;
                return m == 0 ? Add(C(1, type), signed) : signed;
            });
        }

        /// <summary>ȳ_k = (x̄_k − (1/k) Σ_{j=1..k−1} j ȳ_j x̄_{k−j}) / x̄_0.</summary>
        private Value[] LogJet(Value x, IrType type)
        {
            var r = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                var acc = Co(x, k);
                Value? sum = null;
                for (var j = 1; j < k; j++)
                {
                    var term = Mul(Mul(C(j, type), r[j - 1]), Co(x, k - j));
                    sum = sum is null ? term : Add(sum, term);
                }
                if (sum is not null) acc = Sub(acc, Div(sum, C(k, type)));
                r[k - 1] = Div(acc, x);
            }
            return r;
        }

        /// <summary>s̄_k = (1/k) Σ j x̄_j c̄_{k−j}, c̄_k = ∓(1/k) Σ j x̄_j s̄_{k−j} (− for the circular pair).</summary>
        private Value[] SinCos(Value x, Value y, TaylorRule rule)
        {
            var type = y.Type;
            Value X(int k) => Co(x, k);
            var s0 = rule.SineLike ? y : _b.Unary(rule.With, x);
            var c0 = rule.SineLike ? _b.Unary(rule.With, x) : y;
            var s = new Value[_k];
            var c = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                Value? ss = null, cc = null;
                for (var j = 1; j <= k; j++)
                {
                    var w = j == 1 ? X(1) : Mul(C(j, type), X(j));
                    var ts = Mul(w, k - j == 0 ? c0 : c[k - j - 1]);
                    var tc = Mul(w, k - j == 0 ? s0 : s[k - j - 1]);
                    ss = ss is null ? ts : Add(ss, ts);
                    cc = cc is null ? tc : Add(cc, tc);
                }
                s[k - 1] = k == 1 ? ss! : Div(ss!, C(k, type));
                var cv = k == 1 ? cc! : Div(cc!, C(k, type));
                c[k - 1] = rule.Circular ? _b.Unary(UnOp.Neg, cv) : cv;
            }
            return rule.SineLike ? s : c;
        }

        /// <summary>ȳ_k = (x̄_k − Σ_{j=1..k−1} ȳ_j ȳ_{k−j}) / (2 ȳ_0).</summary>
        private Value[] SqrtJet(Value x, Value y)
        {
            var type = y.Type;
            var r = new Value[_k];
            var twoY = Mul(C(2, type), y);
            for (var k = 1; k <= _k; k++)
            {
                var acc = Co(x, k);
                for (var j = 1; j < k; j++) acc = Sub(acc, Mul(r[j - 1], r[k - j - 1]));
                r[k - 1] = Div(acc, twoY);
            }
            return r;
        }

        /// <summary>
        /// The jet (coefficients 0..K−1) of f′(x) = ±1/q or ±1/√q with q = ±1 ± x², for the inverse
        /// trigonometric and hyperbolic functions (the row gives q, the root and the sign).
        /// </summary>
        private Value[] InverseRadical(TaylorRule rule, Value x, IrType type)
        {
            var sq0 = Mul(x, x);
            var jsq = MulJet(x, Jet(x), x, Jet(x));
            Value q0;
            Value[] jq;
            switch (rule.Radicand)
            {
                case Radicand.OnePlusSquare:
                    q0 = Add(C(1, type), sq0);
                    jq = jsq;
                    break;
                case Radicand.OneMinusSquare:
                    q0 = Sub(C(1, type), sq0);
                    jq = jsq.Select(c => _b.Unary(UnOp.Neg, c)).ToArray();
                    break;
                default:
                    q0 = Sub(sq0, C(1, type));
                    jq = jsq;
                    break;
            }
            // A value to hang q's jet on; the "+ 0" stays in the printed code (kept byte-identical).
            var q = _b.NewValue(type, "");
            _b.Emit(new BinaryOp(q, BinOp.Add, q0, C(0, type)));
            SetLane(q, jq);
            Value[] Coefficients(Value v0, Value[] j) => new[] { v0 }.Concat(j).ToArray();
            var one = C(1, type);
            if (!rule.Root)
            {
                var inv = Div(one, q);
                var jinv = DivJet(one, null, q, jq, inv);
                return Coefficients(inv, jinv);
            }
            var root = _b.Unary(UnOp.Sqrt, q);
            var jroot = Rule(new UnaryOp(root, UnOp.Sqrt, q));
            var f0 = Div(one, root);
            var jf = DivJet(one, null, root, jroot, f0);
            if (rule.Negate)
            {
                f0 = _b.Unary(UnOp.Neg, f0);
                jf = jf.Select(c => _b.Unary(UnOp.Neg, c)).ToArray();
            }
            return Coefficients(f0, jf);
        }
        /// <summary>Jet of y = a / b: ȳ_k = (ā_k − Σ_{j=0..k−1} ȳ_j b̄_{k−j}) / b̄_0.</summary>
        private Value[] DivJet(Value a, Value[]? ja, Value b, Value[]? jb, Value y)
        {
            var type = y.Type;
            var r = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                Value acc = ja is null ? C(0, type) : ja[k - 1];
                if (jb is not null)
                {
                    for (var j = 0; j < k; j++) acc = Sub(acc, Mul(j == 0 ? y : r[j - 1], jb[k - j - 1]));
                }
                r[k - 1] = Div(acc, b);
            }
            return r;
        }

        /// <summary>
        /// Jet of y = x^n for a constant n: repeated products for small whole n (exact at x = 0);
        /// otherwise ȳ_k = (1/(k x̄_0)) Σ_{j=1..k} (n j − k + j) x̄_j ȳ_{k−j}.
        /// </summary>
        private Value[] PowConst(Value x, Value y, double n)
        {
            var type = y.Type;
            var jx = Jet(x)!;
            if (n == Math.Floor(n) && n >= 0 && n <= 16)
            {
                var whole = (int)n;
                if (whole == 0) return Enumerable.Range(0, _k).Select(_ => C(0, type)).ToArray();
                Value? p0 = null;
                Value[]? jp = null;
                Value b0 = x;
                var jb = jx;
                for (var e = whole; e > 0; e >>= 1)
                {
                    if ((e & 1) == 1)
                    {
                        if (p0 is null) { p0 = b0; jp = jb; }
                        else { jp = MulJet(p0, jp, b0, jb); p0 = Mul(p0, b0); }
                    }
                    if (e > 1) { jb = MulJet(b0, jb, b0, jb); b0 = Mul(b0, b0); }
                }
                return jp!;
            }
            var r = new Value[_k];
            for (var k = 1; k <= _k; k++)
            {
                Value? sum = null;
                for (var j = 1; j <= k; j++)
                {
                    var coef = n * j - k + j;
                    if (coef == 0) continue;
                    var term = Mul(Mul(C(coef, type), jx[j - 1]), k - j == 0 ? y : r[k - j - 1]);
                    sum = sum is null ? term : Add(sum, term);
                }
                r[k - 1] = sum is null ? C(0, type) : Div(sum, Mul(C(k, type), x));
            }
            return r;
        }

        /// <summary>a^b: the exact rule for a constant exponent, else exp(b log a).</summary>
        private Value[] PowJet(Value a, Value b, Value y)
        {
            var ja = Jet(a);
            var jb = Jet(b);
            if (jb is null && _constants.TryGetValue(b.Id, out var n)) return PowConst(a, y, n);
            var la = _b.Unary(UnOp.Log, a);
            var jla = ja is null ? null : Rule(new UnaryOp(la, UnOp.Log, a));
            if (jla is not null) SetLane(la, jla);
            var m = Mul(b, la);
            var jm = MulJet(b, jb, la, jla);
            SetLane(m, jm);
            return SelfReferential(m, y, (r, k) => k == 0 ? y : r[k - 1]);
        }

        /// <summary>θ′ = (b a′ − a b′) / (a² + b²); θ̄_k = (1/k) (θ′)‾_{k−1}.</summary>
        private Value[] Atan2Jet(Value a, Value b, IrType type)
        {
            var ja = Jet(a);
            var jb = Jet(b);
            Value[] Deriv(Value v, Value[]? j) =>
                Enumerable.Range(0, _k).Select(m => j is null ? C(0, type) : m + 1 == 1 ? j[0] : Mul(C(m + 1, type), j[m])).ToArray();
            var da = Deriv(a, ja);
            var db = Deriv(b, jb);
            Func<int, Value> A = k => Co(a, k), B = k => Co(b, k);
            var num = Enumerable.Range(0, _k).Select(m => Sub(Conv(B, k => da[k], m, type), Conv(A, k => db[k], m, type))).ToArray();
            var den0 = Add(Mul(a, a), Mul(b, b));
            var jden = MulJet(a, ja, a, ja).Zip(MulJet(b, jb, b, jb), (p, q) => Add(p, q)).ToArray();
            var g0 = Div(num[0], den0);
            var jg = DivJet(num[0], num.Skip(1).Concat(new[] { C(0, type) }).ToArray(), den0, jden, g0);
            var g = new[] { g0 }.Concat(jg).ToArray();
            return Enumerable.Range(1, _k).Select(k => k == 1 ? g[0] : Div(g[k - 1], C(k, type))).ToArray();
        }
        private readonly Dictionary<int, double> _constants = new();

        // ------------------------------------------------------------ structure

        private void Call(CallOp c)
        {
            var callee = _owner._lookup(c.Callee);
            var mask = c.Args.Select(a => Active(a)).ToList();
            if (callee is null || !mask.Any(m => m))
            {
                _b.Emit(c);
                return;
            }
            var key = _owner.Helper(callee, mask);
            var args = new List<Value>();
            for (var i = 0; i < c.Args.Count; i++)
            {
                var a = c.Args[i];
                args.Add(a);
                if (!mask[i]) continue;
                if (a.Type.IsBuffer)
                {
                    var bj = _bufJet[a.Id];
                    if (bj.Raw) throw new InvalidOperationException("raw jets are only at the entry");
                    args.Add(bj.Buffer);
                }
                else
                {
                    for (var n = 0; n < N; n++) args.Add(At(a, n));
                }
            }
            var outs = new List<Value>();
            var jets = new List<(Value, Value[])>();
            foreach (var o in c.Outs)
            {
                outs.Add(o);
                var j = NewJet(o, o.Type);
                outs.AddRange(j);
                jets.Add((o, j));
            }
            _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            foreach (var (o, j) in jets)
            {
                if (Active(o)) _jet[o.Id] = j;
            }
        }

        private void For(ForOp f)
        {
            var idx = Enumerable.Range(0, f.Inits.Count).Where(i => Active(f.Body.Args[i + 1])).ToList();
            var inits = f.Inits.ToList();
            foreach (var i in idx) for (var n = 0; n < N; n++) inits.Add(At(f.Inits[i], n));
            var args = f.Body.Args.ToList();
            _b.BeginBlock();
            foreach (var i in idx)
            {
                var arg = f.Body.Args[i + 1];
                var j = NewJet(arg, arg.Type);
                _jet[arg.Id] = j;
                args.AddRange(j);
            }
            foreach (var op in f.Body.Ops) Op(op);
            var yields = f.Body.Yields.ToList();
            foreach (var i in idx) for (var n = 0; n < N; n++) yields.Add(At(f.Body.Yields[i], n));
            var ops = _b.EndBlock();
            var outs = f.Outs.ToList();
            foreach (var i in idx)
            {
                var j = NewJet(f.Outs[i], f.Outs[i].Type);
                _jet[f.Outs[i].Id] = j;
                outs.AddRange(j);
            }
            _b.Emit(new ForOp(outs.ToEquatableArray(), f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
                new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray())));
        }

        private void If(IfOp op)
        {
            var idx = Enumerable.Range(0, op.Outs.Count).Where(i => Active(op.Outs[i])).ToList();
            Region Branch(Region r)
            {
                _b.BeginBlock();
                foreach (var inner in r.Ops) Op(inner);
                var yields = r.Yields.ToList();
                foreach (var i in idx) for (var n = 0; n < N; n++) yields.Add(At(r.Yields[i], n));
                return new Region(r.Args, _b.EndBlock(), yields.ToEquatableArray());
            }
            var thenR = Branch(op.Then);
            var elseR = Branch(op.Else);
            var outs = op.Outs.ToList();
            foreach (var i in idx)
            {
                var j = NewJet(op.Outs[i], op.Outs[i].Type);
                _jet[op.Outs[i].Id] = j;
                outs.AddRange(j);
            }
            _b.Emit(new IfOp(outs.ToEquatableArray(), op.Cond, thenR, elseR));
        }

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
