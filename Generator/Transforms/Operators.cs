using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Differential operators built from Taylor jets, as IR that calls the primal's Taylor
/// function. Being IR, an operator can itself be differentiated (reverse over Taylor), which
/// is how a PINN loss built from a Laplacian is trained.
/// </summary>
internal static class Operators
{
    public const int Exact = 0;
    public const int Dense = 1;
    public const int Sparse = 2;

    /// <summary>
    /// What every operator shares: the primal's parameters (plus probes for an estimator), the
    /// jet buffer of order K along the Wrt span (zero but for the slots an operator sets), the
    /// output buffer y_0..y_K, and a call of the Taylor function that reads y_K.
    /// </summary>
    private sealed class JetOperator
    {
        private readonly Module _taylor;
        private readonly List<Value> _parameters;
        private readonly List<Value> _args;
        private readonly int _wrt;
        private readonly int _order;
        private readonly Value _y;

        public JetOperator(Function primal, int wrt, int order, bool probes, Func<string, Function?> lookup)
        {
            _taylor = Taylor.Entry(Simplify.Run(primal), wrt, order, lookup);
            _wrt = wrt;
            _order = order;
            _parameters = primal.Params.Select(p => B.NewValue(p.Type, p.Name)).ToList();
            _args = new List<Value>(_parameters);
            var x = _parameters[wrt];
            Elem = x.Type.ElementType;
            if (probes)
            {
                Probes = B.NewValue(IrType.Buf(x.Type.Elem, BufferKind.ReadOnlySpan), "probes");
                _args.Add(Probes);
            }
            D = B.Length(x);
            Zero = B.Const(0, IrType.I32);
            Jet = B.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), B.Binary(BinOp.Mul, B.Const(order, IrType.I32), D), "jet");
            _y = B.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), B.Const(order + 1, IrType.I32), "y");
        }

        public IrBuilder B { get; } = new();
        public IrType Elem { get; }
        public Value? Probes { get; }
        public Value D { get; }
        public Value Zero { get; }
        public Value Jet { get; }

        public Value C(double c) => B.Const(c, Elem);

        /// <summary>Runs the Taylor function on the current jet and reads y_K.</summary>
        public Value Top()
        {
            var callArgs = new List<Value>();
            for (var i = 0; i < _parameters.Count; i++)
            {
                callArgs.Add(_parameters[i]);
                if (i == _wrt) callArgs.Add(Jet);
            }
            callArgs.Add(_y);
            B.Emit(new CallOp(EquatableArray<Value>.Empty, _taylor.Functions[0].Key, callArgs.ToEquatableArray()));
            return B.Load(_y, B.Const(_order, IrType.I32));
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

        /// <summary>The number of probe vectors (probes.Length / d).</summary>
        public Value ProbeCount() => B.Binary(BinOp.Div, B.Length(Probes!), D, "probeCount");

        /// <summary>Copies probe <paramref name="s"/> into the first-order slot of the jet (higher slots stay 0).</summary>
        public void LoadProbe(Value s)
        {
            B.BeginBlock();
            var k = B.NewValue(IrType.I32, "k");
            B.Store(Jet, k, B.Load(Probes!, B.Binary(BinOp.Add, B.Binary(BinOp.Mul, s, D), k)));
            var copy = B.EndBlock();
            B.Emit(new ForOp(EquatableArray<Value>.Empty, Zero, D, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
                new Region(new[] { k }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
        }

        public Value Float(Value integer) => B.Unary(UnOp.Convert, integer, "", Elem);

        /// <summary>The operator's function, followed by the Taylor function and its helpers.</summary>
        public Module Finish(Value result, string key, string name)
        {
            var body = new Region(_args.ToEquatableArray(), B.EndBlock(), new[] { result }.ToEquatableArray());
            return new Module(new[] { new Function(key, name, body) }.Concat(_taylor.Functions).ToEquatableArray());
        }
    }

    /// <summary>
    /// Δu along span parameter <paramref name="wrt"/>: exact (one 2-jet per coordinate e_i)
    /// or STDE (one 2-jet per probe; mean for dense probes, d/|J| × sum for sparse ones).
    /// A 2-jet along x(t) = a + v t gives y2 = vᵀ (∇²u) v.
    /// </summary>
    public static Module Laplacian(Function primal, int wrt, int estimator, string key, string name, Func<string, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 2, estimator != Exact, lookup);
        var b = op.B;
        Value result;
        if (estimator == Exact)
        {
            result = op.SumLoop(op.Zero, op.D, "i", i =>
            {
                b.Store(op.Jet, i, op.C(1));
                var y2 = op.Top();
                b.Store(op.Jet, i, op.C(0));
                return y2;
            });
        }
        else
        {
            var count = op.ProbeCount();
            var total = op.SumLoop(op.Zero, count, "s", s =>
            {
                op.LoadProbe(s);
                return op.Top();
            });
            result = estimator == Dense
                ? b.Binary(BinOp.Div, total, op.Float(count))
                : b.Binary(BinOp.Mul, total, b.Binary(BinOp.Div, op.Float(op.D), op.Float(count)));
        }
        return op.Finish(result, key, name);
    }

    /// <summary>
    /// The biharmonic Δ²u along span parameter <paramref name="wrt"/> from 4-jets. Dense (STDE):
    /// (1/3) mean of y4(a; v, 0, 0, 0) over Gaussian probes (E[v⁴ terms] give 3 Δ²u). Exact:
    /// Σ_i y4(e_i) + 2 Σ_{i&lt;j} u_iijj with u_iijj = [y4(e_i+e_j) + y4(e_i−e_j) − 2y4(e_i) − 2y4(e_j)] / 12.
    /// </summary>
    public static Module Biharmonic(Function primal, int wrt, int estimator, string key, string name, Func<string, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 4, estimator != Exact, lookup);
        var b = op.B;
        Value result;
        if (estimator == Exact)
        {
            var diag = b.Alloc(IrType.Buf(op.Elem.Elem, BufferKind.Heap), op.D, "diag");
            // u_iiii = y4(e_i)
            var sumDiag = op.SumLoop(op.Zero, op.D, "i", i =>
            {
                b.Store(op.Jet, i, op.C(1));
                var v = op.Top();
                b.Store(op.Jet, i, op.C(0));
                b.Store(diag, i, v);
                return v;
            });
            // 2 Σ_{i<j} u_iijj by polarization
            var sumMixed = op.SumLoop(op.Zero, op.D, "i", i => op.SumLoop(b.Binary(BinOp.Add, i, b.Const(1, IrType.I32)), op.D, "j", j =>
            {
                b.Store(op.Jet, i, op.C(1));
                b.Store(op.Jet, j, op.C(1));
                var plus = op.Top();
                b.Store(op.Jet, j, op.C(-1));
                var minus = op.Top();
                b.Store(op.Jet, i, op.C(0));
                b.Store(op.Jet, j, op.C(0));
                var both = b.Binary(BinOp.Add, b.Load(diag, i), b.Load(diag, j));
                return b.Binary(BinOp.Div, b.Binary(BinOp.Sub, b.Binary(BinOp.Add, plus, minus), b.Binary(BinOp.Mul, op.C(2), both)), op.C(12));
            }));
            result = b.Binary(BinOp.Add, sumDiag, b.Binary(BinOp.Mul, op.C(2), sumMixed));
        }
        else
        {
            var count = op.ProbeCount();
            var total = op.SumLoop(op.Zero, count, "s", s =>
            {
                op.LoadProbe(s);
                return op.Top();
            });
            // E[y4(v,0,0,0)] = 3 Δ²u for v ~ N(0, I)
            result = b.Binary(BinOp.Div, total, b.Binary(BinOp.Mul, op.C(3), op.Float(count)));
        }
        return op.Finish(result, key, name);
    }

    /// <summary>A mixed partial read off one jet (see <see cref="JetPlan"/>).</summary>
    public static Module Partial(Function primal, int wrt, JetPlan plan, string key, string name, Func<string, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, plan.Order, probes: false, lookup);
        var b = op.B;
        foreach (var (coordinate, _, slot) in plan.Terms)
        {
            // e_coordinate in slot `slot`: entry (slot − 1)·d + coordinate
            var index = b.Binary(BinOp.Add, b.Binary(BinOp.Mul, b.Const(slot - 1, IrType.I32), op.D), b.Const(coordinate, IrType.I32));
            b.Store(op.Jet, index, op.C(1));
        }
        var result = b.Binary(BinOp.Div, op.Top(), op.C(plan.Coefficient));
        return op.Finish(result, key, name);
    }
}
