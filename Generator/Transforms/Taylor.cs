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
                case UnaryOp u when Active(u.Result):
                    ForLanes(() => SetJet(u.Result, Unary(u)));
                    break;
                case BinaryOp bin when Active(bin.Result):
                    ForLanes(() => SetJet(bin.Result, Binary(bin)));
                    break;
                case SelectOp s when Active(s.Result):
                    ForLanes(() => SetJet(s.Result, Enumerable.Range(1, _k).Select(k => _b.Select(s.Cond, Co(s.IfTrue, k), Co(s.IfFalse, k))).ToArray()));
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

        private Value[] Unary(UnaryOp u)
        {
            var x = u.Operand;
            var y = u.Result;
            var type = y.Type;
            var jx = Jet(x)!;
            Value X(int k) => Co(x, k);
            switch (u.Kind)
            {
                case UnOp.Neg:
                    return jx.Select(c => _b.Unary(UnOp.Neg, c)).ToArray();
                case UnOp.Convert:
                    return jx.Select(c => _b.Unary(UnOp.Convert, c, "", type)).ToArray();
                case UnOp.Exp:
                    // ȳ_k = (1/k) Σ j x̄_j ȳ_{k−j}: y is its own derivative.
                    return SelfReferential(x, y, (r, m) => m == 0 ? y : r[m - 1]);
                case UnOp.Log:
                {
                    // ȳ_k = (x̄_k − (1/k) Σ_{j=1..k−1} j ȳ_j x̄_{k−j}) / x̄_0
                    var r = new Value[_k];
                    for (var k = 1; k <= _k; k++)
                    {
                        var acc = X(k);
                        Value? sum = null;
                        for (var j = 1; j < k; j++)
                        {
                            var term = Mul(Mul(C(j, type), r[j - 1]), X(k - j));
                            sum = sum is null ? term : Add(sum, term);
                        }
                        if (sum is not null) acc = Sub(acc, Div(sum, C(k, type)));
                        r[k - 1] = Div(acc, x);
                    }
                    return r;
                }
                case UnOp.Log2:
                case UnOp.Log10:
                {
                    var ln = new UnaryOp(_b.NewValue(type, ""), UnOp.Log, x);
                    var scale = u.Kind == UnOp.Log2 ? Math.Log(2) : Math.Log(10);
                    return Unary(ln).Select(c => Div(c, C(scale, type))).ToArray();
                }
                case UnOp.Sin:
                case UnOp.Cos:
                case UnOp.Sinh:
                case UnOp.Cosh:
                {
                    // s̄_k = (1/k) Σ j x̄_j c̄_{k−j}, c̄_k = ∓(1/k) Σ j x̄_j s̄_{k−j}
                    var trig = u.Kind is UnOp.Sin or UnOp.Cos;
                    var s0 = u.Kind is UnOp.Sin or UnOp.Sinh ? y : _b.Unary(trig ? UnOp.Sin : UnOp.Sinh, x);
                    var c0 = u.Kind is UnOp.Cos or UnOp.Cosh ? y : _b.Unary(trig ? UnOp.Cos : UnOp.Cosh, x);
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
                        c[k - 1] = trig ? _b.Unary(UnOp.Neg, cv) : cv;
                    }
                    return u.Kind is UnOp.Sin or UnOp.Sinh ? s : c;
                }
                case UnOp.Tanh:
                case UnOp.Tan:
                {
                    // t′ = 1 ∓ t²: d̄_m = [m = 0] ∓ Σ_{j=0..m} t̄_j t̄_{m−j}
                    var sign = u.Kind == UnOp.Tanh ? -1.0 : 1.0;
                    return SelfReferential(x, y, (r, m) =>
                    {
                        var sq = Conv(j => j == 0 ? y : r[j - 1], j => j == 0 ? y : r[j - 1], m, type);
                        var signed = sign < 0 ? _b.Unary(UnOp.Neg, sq) : sq;
                        return m == 0 ? Add(C(1, type), signed) : signed;
                    });
                }
                case UnOp.Sqrt:
                {
                    // ȳ_k = (x̄_k − Σ_{j=1..k−1} ȳ_j ȳ_{k−j}) / (2 ȳ_0)
                    var r = new Value[_k];
                    var twoY = Mul(C(2, type), y);
                    for (var k = 1; k <= _k; k++)
                    {
                        var acc = X(k);
                        for (var j = 1; j < k; j++) acc = Sub(acc, Mul(r[j - 1], r[k - j - 1]));
                        r[k - 1] = Div(acc, twoY);
                    }
                    return r;
                }
                case UnOp.Cbrt:
                    return PowConst(x, y, 1.0 / 3.0);
                case UnOp.Abs:
                {
                    // |x| = sign(x) x almost everywhere
                    var negative = _b.Binary(BinOp.Lt, x, C(0, type));
                    return jx.Select(c => _b.Select(negative, _b.Unary(UnOp.Neg, c), c)).ToArray();
                }
                case UnOp.Atan:
                case UnOp.Asin:
                case UnOp.Acos:
                case UnOp.Asinh:
                case UnOp.Acosh:
                case UnOp.Atanh:
                {
                    // Known derivative g(x); its jet comes from the primitives' recurrences.
                    var g = DerivativeJet(u.Kind, x, type);
                    return FromDerivative(jx, m => g[m]);
                }
                default:
                    throw new InvalidOperationException("no Taylor rule for " + u.Kind);
            }
        }

        /// <summary>The jet (coefficients 0..K−1) of f′(x) for the inverse trigonometric and hyperbolic functions.</summary>
        private Value[] DerivativeJet(UnOp kind, Value x, IrType type)
        {
            // q = 1 + x², 1 − x², or x² ∓ 1; then f′ = 1/q or ±1/sqrt(q)
            var sq0 = Mul(x, x);
            var jsq = MulJet(x, Jet(x), x, Jet(x));
            Value q0;
            Value[] jq;
            switch (kind)
            {
                case UnOp.Atan:
                case UnOp.Asinh:
                    q0 = Add(C(1, type), sq0);
                    jq = jsq;
                    break;
                case UnOp.Asin:
                case UnOp.Acos:
                case UnOp.Atanh:
                    q0 = Sub(C(1, type), sq0);
                    jq = jsq.Select(c => _b.Unary(UnOp.Neg, c)).ToArray();
                    break;
                default: // Acosh
                    q0 = Sub(sq0, C(1, type));
                    jq = jsq;
                    break;
            }
            var q = _b.NewValue(type, "");
            _b.Emit(new BinaryOp(q, BinOp.Add, q0, C(0, type)));
            SetLane(q, jq);
            Value[] Coefficients(Value v0, Value[] j) => new[] { v0 }.Concat(j).ToArray();
            var one = C(1, type);
            if (kind is UnOp.Atan or UnOp.Atanh)
            {
                var inv = Div(one, q);
                var jinv = DivJet(one, null, q, jq, inv);
                return Coefficients(inv, jinv);
            }
            var root = _b.Unary(UnOp.Sqrt, q);
            var jroot = Unary(new UnaryOp(root, UnOp.Sqrt, q));
            var f0 = Div(one, root);
            var jf = DivJet(one, null, root, jroot, f0);
            if (kind == UnOp.Acos)
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

        private Value[] Binary(BinaryOp op)
        {
            var a = op.Left;
            var b = op.Right;
            var y = op.Result;
            var type = y.Type;
            var ja = Jet(a);
            var jb = Jet(b);
            switch (op.Kind)
            {
                case BinOp.Add:
                    return Enumerable.Range(1, _k).Select(k => ja is null ? jb![k - 1] : jb is null ? ja[k - 1] : Add(ja[k - 1], jb[k - 1])).ToArray();
                case BinOp.Sub:
                    return Enumerable.Range(1, _k).Select(k => jb is null ? ja![k - 1] : ja is null ? _b.Unary(UnOp.Neg, jb[k - 1]) : Sub(ja[k - 1], jb[k - 1])).ToArray();
                case BinOp.Mul:
                    return MulJet(a, ja, b, jb);
                case BinOp.Div:
                    return DivJet(a, ja, b, jb, y);
                case BinOp.Rem:
                {
                    var q = _b.Unary(UnOp.Truncate, Div(a, b));
                    return Enumerable.Range(1, _k).Select(k => Sub(Co(a, k), Mul(q, Co(b, k)))).ToArray();
                }
                case BinOp.Max:
                case BinOp.Min:
                {
                    var pick = _b.Binary(op.Kind == BinOp.Max ? BinOp.Ge : BinOp.Le, a, b);
                    return Enumerable.Range(1, _k).Select(k => _b.Select(pick, Co(a, k), Co(b, k))).ToArray();
                }
                case BinOp.Pow:
                {
                    if (jb is null && _constants.TryGetValue(b.Id, out var n)) return PowConst(a, y, n);
                    // a^b = exp(b log a)
                    var la = _b.Unary(UnOp.Log, a);
                    var jla = ja is null ? null : Unary(new UnaryOp(la, UnOp.Log, a));
                    if (jla is not null) SetLane(la, jla);
                    var m = Mul(b, la);
                    var jm = MulJet(b, jb, la, jla);
                    SetLane(m, jm);
                    return SelfReferential(m, y, (r, k) => k == 0 ? y : r[k - 1]);
                }
                case BinOp.Atan2:
                {
                    // θ′ = (b a′ − a b′) / (a² + b²); θ̄_k = (1/k) (θ′)‾_{k−1}
                    Value[] Deriv(Value v, Value[]? j) => Enumerable.Range(0, _k).Select(m => j is null ? C(0, type) : m + 1 == 1 ? j[0] : Mul(C(m + 1, type), j[m])).ToArray();
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
                default:
                    throw new InvalidOperationException("no Taylor rule for " + op.Kind);
            }
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
