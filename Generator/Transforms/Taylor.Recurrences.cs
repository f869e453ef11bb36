using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Taylor
{
    // The recurrences: the jet of each primitive'\''s result, chosen by the rule class of its row.
    private sealed partial class FunctionTransform
    {
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
    }
}
