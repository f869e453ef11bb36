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
    /// Δu along span parameter <paramref name="wrt"/>: exact (one 2-jet per coordinate e_i)
    /// or STDE (one 2-jet per probe; mean for dense probes, d/|J| × sum for sparse ones).
    /// The Taylor function and its helpers follow the operator in the module.
    /// </summary>
    public static Module Laplacian(Function primal, int wrt, int estimator, string key, string name, Func<string, Function?> lookup)
    {
        var taylor = Taylor.Entry(Simplify.Run(primal), wrt, 2, lookup);
        var jetFn = taylor.Functions[0];
        var b = new IrBuilder();
        var parameters = primal.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
        var args = new List<Value>(parameters);
        Value? probes = null;
        var x = parameters[wrt];
        var elem = x.Type.ElementType;
        if (estimator != Exact)
        {
            probes = b.NewValue(IrType.Buf(x.Type.Elem, BufferKind.ReadOnlySpan), "probes");
            args.Add(probes);
        }
        var i32 = IrType.I32;
        var d = b.Length(x);
        var zero = b.Const(0, i32);
        var jet = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Binary(BinOp.Mul, b.Const(2, i32), d), "jet");
        var y = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Const(3, i32), "y");
        var two = b.Const(2, i32);

        // One 2-jet: x(t) = a + v t, so y2 = vᵀ (∇²u) v.
        Value SecondOrder()
        {
            var callArgs = new List<Value>();
            for (var i = 0; i < parameters.Count; i++)
            {
                callArgs.Add(parameters[i]);
                if (i == wrt) callArgs.Add(jet);
            }
            callArgs.Add(y);
            b.Emit(new CallOp(EquatableArray<Value>.Empty, jetFn.Key, callArgs.ToEquatableArray()));
            return b.Load(y, two);
        }

        Value result;
        var acc0 = b.Const(0, elem, "sum");
        if (estimator == Exact)
        {
            b.BeginBlock();
            var i = b.NewValue(i32, "i");
            var acc = b.NewValue(elem, "sum");
            b.Store(jet, i, b.Const(1, elem));
            var next = b.Binary(BinOp.Add, acc, SecondOrder(), "sum");
            b.Store(jet, i, b.Const(0, elem));
            var ops = b.EndBlock();
            var outSum = b.NewValue(elem, "sum");
            b.Emit(new ForOp(new[] { outSum }.ToEquatableArray(), zero, d, 1, LoopCmp.Lt, new[] { acc0 }.ToEquatableArray(),
                new Region(new[] { i, acc }.ToEquatableArray(), ops, new[] { next }.ToEquatableArray())));
            result = outSum;
        }
        else
        {
            var count = b.Binary(BinOp.Div, b.Length(probes!), d, "probeCount");
            b.BeginBlock();
            var s = b.NewValue(i32, "s");
            var acc = b.NewValue(elem, "sum");
            // Copy probe s into the first-order slot of the jet (the second-order slot stays 0).
            b.BeginBlock();
            var k = b.NewValue(i32, "k");
            b.Store(jet, k, b.Load(probes!, b.Binary(BinOp.Add, b.Binary(BinOp.Mul, s, d), k)));
            var copy = b.EndBlock();
            b.Emit(new ForOp(EquatableArray<Value>.Empty, zero, d, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
                new Region(new[] { k }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
            var next = b.Binary(BinOp.Add, acc, SecondOrder(), "sum");
            var ops = b.EndBlock();
            var outSum = b.NewValue(elem, "sum");
            b.Emit(new ForOp(new[] { outSum }.ToEquatableArray(), zero, count, 1, LoopCmp.Lt, new[] { acc0 }.ToEquatableArray(),
                new Region(new[] { s, acc }.ToEquatableArray(), ops, new[] { next }.ToEquatableArray())));
            var countF = b.Unary(UnOp.Convert, count, "", elem);
            result = estimator == Dense
                ? b.Binary(BinOp.Div, outSum, countF)
                : b.Binary(BinOp.Mul, outSum, b.Binary(BinOp.Div, b.Unary(UnOp.Convert, d, "", elem), countF));
        }
        var body = new Region(args.ToEquatableArray(), b.EndBlock(), new[] { result }.ToEquatableArray());
        var fn = new Function(key, name, body);
        return new Module(new[] { fn }.Concat(taylor.Functions).ToEquatableArray());
    }

    /// <summary>
    /// The biharmonic Δ²u along span parameter <paramref name="wrt"/> from 4-jets. Dense (STDE):
    /// (1/3) mean of y4(a; v, 0, 0, 0) over Gaussian probes (E[v⁴ terms] give 3 Δ²u). Exact:
    /// Σ_i y4(e_i) + 2 Σ_{i&lt;j} u_iijj with u_iijj = [y4(e_i+e_j) + y4(e_i−e_j) − 2y4(e_i) − 2y4(e_j)] / 12.
    /// </summary>
    public static Module Biharmonic(Function primal, int wrt, int estimator, string key, string name, Func<string, Function?> lookup)
    {
        var taylor = Taylor.Entry(Simplify.Run(primal), wrt, 4, lookup);
        var jetFn = taylor.Functions[0];
        var b = new IrBuilder();
        var parameters = primal.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
        var args = new List<Value>(parameters);
        var x = parameters[wrt];
        var elem = x.Type.ElementType;
        Value? probes = null;
        if (estimator != Exact)
        {
            probes = b.NewValue(IrType.Buf(x.Type.Elem, BufferKind.ReadOnlySpan), "probes");
            args.Add(probes);
        }
        var i32 = IrType.I32;
        var d = b.Length(x);
        var zero = b.Const(0, i32);
        var jet = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Binary(BinOp.Mul, b.Const(4, i32), d), "jet");
        var y = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Const(5, i32), "y");
        var four = b.Const(4, i32);
        Value C(double c) => b.Const(c, elem);

        Value FourthOrder()
        {
            var callArgs = new List<Value>();
            for (var i = 0; i < parameters.Count; i++)
            {
                callArgs.Add(parameters[i]);
                if (i == wrt) callArgs.Add(jet);
            }
            callArgs.Add(y);
            b.Emit(new CallOp(EquatableArray<Value>.Empty, jetFn.Key, callArgs.ToEquatableArray()));
            return b.Load(y, four);
        }

        // for (i = start; i < bound; i++) carrying one sum; body(i, sum) returns the new sum
        Value SumLoop(Value start, Value bound, string index, Func<Value, Value, Value> body)
        {
            b.BeginBlock();
            var i = b.NewValue(i32, index);
            var acc = b.NewValue(elem, "sum");
            var next = body(i, acc);
            var ops = b.EndBlock();
            var result = b.NewValue(elem, "sum");
            b.Emit(new ForOp(new[] { result }.ToEquatableArray(), start, bound, 1, LoopCmp.Lt, new[] { C(0) }.ToEquatableArray(),
                new Region(new[] { i, acc }.ToEquatableArray(), ops, new[] { next }.ToEquatableArray())));
            return result;
        }

        Value result;
        if (estimator == Exact)
        {
            var diag = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), d, "diag");
            // u_iiii = y4(e_i)
            var sumDiag = SumLoop(zero, d, "i", (i, acc) =>
            {
                b.Store(jet, i, C(1));
                var v = FourthOrder();
                b.Store(jet, i, C(0));
                b.Store(diag, i, v);
                return b.Binary(BinOp.Add, acc, v);
            });
            // 2 Σ_{i<j} u_iijj by polarization
            var sumMixed = SumLoop(zero, d, "i", (i, outer) =>
            {
                var inner = SumLoop(b.Binary(BinOp.Add, i, b.Const(1, i32)), d, "j", (j, acc) =>
                {
                    b.Store(jet, i, C(1));
                    b.Store(jet, j, C(1));
                    var plus = FourthOrder();
                    b.Store(jet, j, C(-1));
                    var minus = FourthOrder();
                    b.Store(jet, i, C(0));
                    b.Store(jet, j, C(0));
                    var both = b.Binary(BinOp.Add, b.Load(diag, i), b.Load(diag, j));
                    var mixed = b.Binary(BinOp.Div, b.Binary(BinOp.Sub, b.Binary(BinOp.Add, plus, minus), b.Binary(BinOp.Mul, C(2), both)), C(12));
                    return b.Binary(BinOp.Add, acc, mixed);
                });
                return b.Binary(BinOp.Add, outer, inner);
            });
            result = b.Binary(BinOp.Add, sumDiag, b.Binary(BinOp.Mul, C(2), sumMixed));
        }
        else
        {
            var count = b.Binary(BinOp.Div, b.Length(probes!), d, "probeCount");
            var total = SumLoop(zero, count, "s", (s, acc) =>
            {
                b.BeginBlock();
                var k = b.NewValue(i32, "k");
                b.Store(jet, k, b.Load(probes!, b.Binary(BinOp.Add, b.Binary(BinOp.Mul, s, d), k)));
                var copy = b.EndBlock();
                b.Emit(new ForOp(EquatableArray<Value>.Empty, zero, d, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
                    new Region(new[] { k }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
                return b.Binary(BinOp.Add, acc, FourthOrder());
            });
            // E[y4(v,0,0,0)] = 3 Δ²u for v ~ N(0, I)
            result = b.Binary(BinOp.Div, total, b.Binary(BinOp.Mul, C(3), b.Unary(UnOp.Convert, count, "", elem)));
        }
        var body = new Region(args.ToEquatableArray(), b.EndBlock(), new[] { result }.ToEquatableArray());
        return new Module(new[] { new Function(key, name, body) }.Concat(taylor.Functions).ToEquatableArray());
    }

    /// <summary>A mixed partial read off one jet (see <see cref="JetPlan"/>).</summary>
    public static Module Partial(Function primal, int wrt, JetPlan plan, string key, string name, Func<string, Function?> lookup)
    {
        var taylor = Taylor.Entry(Simplify.Run(primal), wrt, plan.Order, lookup);
        var jetFn = taylor.Functions[0];
        var b = new IrBuilder();
        var parameters = primal.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
        var x = parameters[wrt];
        var elem = x.Type.ElementType;
        var i32 = IrType.I32;
        var d = b.Length(x);
        var jet = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Binary(BinOp.Mul, b.Const(plan.Order, i32), d), "jet");
        var y = b.Alloc(IrType.Buf(x.Type.Elem, BufferKind.Heap), b.Const(plan.Order + 1, i32), "y");
        foreach (var (coordinate, _, slot) in plan.Terms)
        {
            // e_coordinate in slot `slot`: entry (slot − 1)·d + coordinate
            var index = b.Binary(BinOp.Add, b.Binary(BinOp.Mul, b.Const(slot - 1, i32), d), b.Const(coordinate, i32));
            b.Store(jet, index, b.Const(1, elem));
        }
        var callArgs = new List<Value>();
        for (var i = 0; i < parameters.Count; i++)
        {
            callArgs.Add(parameters[i]);
            if (i == wrt) callArgs.Add(jet);
        }
        callArgs.Add(y);
        b.Emit(new CallOp(EquatableArray<Value>.Empty, jetFn.Key, callArgs.ToEquatableArray()));
        var result = b.Binary(BinOp.Div, b.Load(y, b.Const(plan.Order, i32)), b.Const(plan.Coefficient, elem));
        var body = new Region(parameters.ToEquatableArray(), b.EndBlock(), new[] { result }.ToEquatableArray());
        return new Module(new[] { new Function(key, name, body) }.Concat(taylor.Functions).ToEquatableArray());
    }
}
