using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Functional derivatives of local functionals F[f] = ∫ L(x, f, ∇f) dx, as IR built from the
/// existing transforms of the density L (nothing here knows a rule for any particular L):
/// <para>
/// δF/δf(x) = ∂L/∂f − Σ_i D_i (∂L/∂p_i), p = ∇f, where D_i is the total derivative along x_i:
/// D_i g = ∂g/∂x_i + ∂g/∂f · f_i + Σ_j ∂g/∂p_j · f_ij. So D_i(∂L/∂p_i) is component i of a
/// Hessian-vector product of L along the direction (e_i, f_i, row i of ∇²f): the JVP of L's
/// gradient with respect to (f, p), forward over reverse, with x's tangent e_i. One product
/// per dimension (one for a scalar x), plus one gradient for ∂L/∂f when x is a span.
/// </para>
/// <para>
/// With a method f(x, θ) given, f, ∇f and ∇²f come from second-order Taylor jets of f along x:
/// e_i gives f_i (y1) and f_ii (y2); e_i + e_j gives f_ii + 2 f_ij + f_jj (y2), hence f_ij.
/// </para>
/// </summary>
internal static class Functional
{
    /// <summary>
    /// The function of <paramref name="key"/>: δF/δf for density <paramref name="density"/>, taking
    /// L's parameters and the second derivatives of f, or, when <paramref name="of"/> is given, of's
    /// parameters. Helpers (the gradient, its JVP, Taylor functions of f) follow it in the module.
    /// </summary>
    public static Module Derivative(Function density, Function? of, FunctionKey key, string name, Func<FunctionKey, Function?> lookup)
    {
        var s = new State(density, lookup);
        var b = s.B;
        var lp = density.Params;
        var hasGrad = lp.Count == 3;
        List<Value> args;
        Value x, f;
        Value? grad = null, hessian = null;
        if (lp.Count == 4) return SecondOrderModule(s, density, of, key, name);
        if (of is null)
        {
            args = lp.Select(p => b.NewValue(p.Type, p.Name)).ToList();
            x = args[0];
            f = args[1];
            if (hasGrad)
            {
                grad = args[2];
                hessian = b.NewValue(x.Type.IsBuffer ? IrType.Buf(s.Elem.Elem, BufferKind.ReadOnlySpan) : s.Elem, "hessian");
                args.Add(hessian);
            }
        }
        else
        {
            args = of.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
            x = args[0];
            f = s.CallValue(of.Key, args, "f");
            if (hasGrad) (grad, hessian) = s.Jets(of, args);
        }
        var result = hasGrad ? s.EulerLagrange(x, f, grad!, hessian!) : s.ValueDerivative(x, f);
        return Finish(s, args, result, key, name);
    }

    /// <summary>
    /// A second-order density L(x, f, f', f'') of a scalar x: δF/δf = ∂L/∂f − D(∂L/∂f') + D²(∂L/∂f''), D = d/dx along
    /// the curve c(x) = (x, f, f', f''). D g(c) is the JVP of g along c' = (1, f', f'', f'''); D² g(c) = g''[c', c'] +
    /// g'[c''] is the JVP of that JVP, along c' for the point and c'' = (0, f'', f''', f'''') for the inner tangent
    /// (forward over forward over reverse). With <paramref name="of"/>, f … f'''' come from one 4-jet of it.
    /// </summary>
    private static Module SecondOrderModule(State s, Function density, Function? of, FunctionKey key, string name)
    {
        var b = s.B;
        List<Value> args;
        Value[] d;
        if (of is null)
        {
            args = density.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
            var fxx = density.Params[1].Name + density.Params[0].Name + density.Params[0].Name;
            args.Add(b.NewValue(s.Elem, fxx + density.Params[0].Name));
            args.Add(b.NewValue(s.Elem, fxx + density.Params[0].Name + density.Params[0].Name));
            d = args.Skip(1).ToArray();
        }
        else
        {
            args = of.Params.Select(p => b.NewValue(p.Type, p.Name)).ToList();
            d = s.ScalarJets(of, args, 4);
        }
        return Finish(s, args, s.SecondOrder(args[0], d), key, name);
    }

    private static Module Finish(State s, List<Value> args, Value result, FunctionKey key, string name)
    {
        var body = new Region(args.ToEquatableArray(), s.B.EndBlock(), new[] { result }.ToEquatableArray());
        var functions = new List<Function> { new(key, name, body) };
        var seen = new HashSet<FunctionKey> { key };
        foreach (var h in s.Helpers)
        {
            if (seen.Add(h.Key)) functions.Add(h);
        }
        return new Module(functions.ToEquatableArray());
    }

    private sealed class State
    {
        private readonly Function _density;
        private readonly Func<FunctionKey, Function?> _lookup;

        public State(Function density, Func<FunctionKey, Function?> lookup)
        {
            _density = density;
            _lookup = lookup;
            Elem = density.Params[1].Type;
        }

        public IrBuilder B { get; } = new();

        /// <summary>The scalar type of f (and of L's result).</summary>
        public IrType Elem { get; }

        public List<Function> Helpers { get; } = new();

        private Value C(double c) => B.Const(c, Elem);

        private Value I(int c) => B.Const(c, IrType.I32);

        private Value Add(Value a, Value b) => B.Binary(BinOp.Add, a, b);

        private Value Mul(Value a, Value b) => B.Binary(BinOp.Mul, a, b);

        private Value Sub(Value a, Value b) => B.Binary(BinOp.Sub, a, b);

        private Value Scratch(Value length, string name) => B.Alloc(IrType.Buf(Elem.Elem, BufferKind.Scratch), length, name);

        /// <summary>Calls <paramref name="callee"/> and returns its first result.</summary>
        public Value CallValue(FunctionKey callee, IReadOnlyList<Value> args, string name) => Call(callee, args, 1, name)[0];

        /// <summary>Calls a function with <paramref name="results"/> results (its yields).</summary>
        private Value[] Call(FunctionKey callee, IReadOnlyList<Value> args, int results, string name)
        {
            var outs = Enumerable.Range(0, results).Select(k => B.NewValue(Elem, k == 0 ? name : "")).ToArray();
            B.Emit(new CallOp(outs.ToEquatableArray(), callee, args.ToEquatableArray()));
            return outs;
        }

        private void Loop(Value start, Value bound, string index, Action<Value> body) => B.Loop(start, bound, index, body);

        private Value SumLoop(Value bound, string index, Func<Value, Value> term)
        {
            B.BeginBlock();
            var i = B.NewValue(IrType.I32, index);
            var acc = B.NewValue(Elem, "sum");
            var next = B.Binary(BinOp.Add, acc, term(i), "sum");
            var ops = B.EndBlock();
            var result = B.NewValue(Elem, "sum");
            B.Emit(new ForOp(new[] { result }.ToEquatableArray(), I(0), bound, 1, LoopCmp.Lt, new[] { C(0) }.ToEquatableArray(),
                new Region(new[] { i, acc }.ToEquatableArray(), ops, new[] { next }.ToEquatableArray())));
            return result;
        }

        private void Keep(Module module) => Helpers.AddRange(module.Functions);

        /// <summary>The gradient of L with respect to f (and ∇f when L takes it), x held fixed.</summary>
        private Module Gradient()
        {
            var active = _density.Params.Select((p, i) => i > 0).ToList();
            var gradient = Simplify.Run(Reverse.Gradient(_density, active, _lookup));
            Keep(gradient);
            return gradient;
        }

        /// <summary>δF/δf = ∂L/∂f for a density without ∇f: one gradient call.</summary>
        public Value ValueDerivative(Value x, Value f)
        {
            var g = Gradient().Functions[0];
            return Call(g.Key, new[] { x, f }, 2, "value")[1];
        }

        /// <summary>
        /// ∂L/∂f − Σ_i D_i(∂L/∂p_i). The JVP of the gradient (x, f, p ↦ L, ∂L/∂f, ∂L/∂p) along
        /// (e_i, f_i, ∇²f e_i) yields D_i(∂L/∂f) and D_i(∂L/∂p); component i of the latter is the term.
        /// </summary>
        public Value EulerLagrange(Value x, Value f, Value grad, Value hessian)
        {
            var gradient = Gradient();
            var g = gradient.Functions[0];
            Function? Find(FunctionKey k) => gradient.Find(k) ?? _lookup(k);
            // Every parameter of the gradient carries a tangent: x (e_i), f, p, and p's adjoint span.
            var jvp = Forward.Jvp(g, g.Params.Select(_ => true).ToList(), Find);
            Keep(jvp);
            var hvp = jvp.Functions[0].Key;
            if (!x.Type.IsBuffer)
            {
                // yields: L, L', ∂L/∂f, D(∂L/∂f), ∂L/∂p, D(∂L/∂p)
                var r = Call(hvp, new[] { x, C(1), f, grad, grad, hessian }, 6, "value");
                return Sub(r[2], r[5]);
            }
            var d = B.Length(x);
            var vx = Scratch(d, "unit");
            var vp = Scratch(d, "hessianRow");
            var pBar = Scratch(d, "gradBar");
            var pHv = Scratch(d, "gradBarDot");
            var divergence = SumLoop(d, "i", i =>
            {
                B.Store(vx, i, C(1));
                Loop(I(0), d, "k", k => B.Store(vp, k, B.Load(hessian, Add(Mul(i, d), k))));
                // yields: L, L', ∂L/∂f, D_i(∂L/∂f); ∂L/∂p and D_i(∂L/∂p) land in the spans
                Call(hvp, new[] { x, vx, f, B.Load(grad, i), grad, vp, pBar, pHv }, 4, "value");
                B.Store(vx, i, C(0));
                return B.Load(pHv, i);
            });
            var partialF = Call(g.Key, new[] { x, f, grad, pBar }, 2, "value")[1];
            return Sub(partialF, divergence);
        }

        /// <summary>
        /// δF/δf for L(x, f, f', f''), given <paramref name="d"/> = (f, f', f'', f''', f''''): the gradient of L in
        /// (f, f', f''), its JVP (D), and the JVP of that (D²), all inputs carrying tangents.
        /// </summary>
        public Value SecondOrder(Value x, Value[] d)
        {
            var gradient = Gradient();
            var g = gradient.Functions[0];
            Function? Find(FunctionKey k) => gradient.Find(k) ?? _lookup(k);
            var first = Forward.Jvp(g, g.Params.Select(_ => true).ToList(), Find);
            Keep(first);
            var j1 = first.Functions[0];
            Function? Find1(FunctionKey k) => first.Find(k) ?? Find(k);
            var second = Forward.Jvp(j1, j1.Params.Select(_ => true).ToList(), Find1);
            Keep(second);
            // j1's parameters: x, ẋ, f, ḟ, f', ḟ', f'', ḟ'' (point, then its tangent c'); each gets its own tangent in
            // j2: the point's tangent is c' again, the inner tangent's is c'' = (0, f'', f''', f'''').
            var zero = C(0);
            var one = C(1);
            var args = new[]
            {
                x, one, one, zero,
                d[0], d[1], d[1], d[2],
                d[1], d[2], d[2], d[3],
                d[2], d[3], d[3], d[4],
            };
            // yields of j1: L, DL, ∂L/∂f, D∂L/∂f, ∂L/∂f', D∂L/∂f', ∂L/∂f'', D∂L/∂f''; j2 follows each by its tangent
            var r = Call(second.Functions[0].Key, args, 16, "value");
            return Add(Sub(r[4], r[10]), r[15]);
        }

        /// <summary>f and its first <paramref name="order"/> derivatives at a scalar x from one Taylor jet of f(x, …).</summary>
        public Value[] ScalarJets(Function of, IReadOnlyList<Value> args, int order)
        {
            var taylor = Taylor.Entry(Simplify.Run(of), 0, order, _lookup, 1, new[] { 1 });
            Keep(taylor);
            var y = Scratch(I(order + 1), "y");
            var jet = Scratch(I(1), "jet");
            B.Store(jet, I(0), C(1));
            var callArgs = new List<Value> { args[0], jet };
            callArgs.AddRange(args.Skip(1));
            callArgs.Add(y);
            B.Emit(new CallOp(EquatableArray<Value>.Empty, taylor.Functions[0].Key, callArgs.ToEquatableArray()));
            return Enumerable.Range(0, order + 1).Select(k => B.Load(y, I(k), k == 0 ? "f" : "d" + k)).ToArray();
        }

        /// <summary>∇f and ∇²f of f(x, …) at x from second-order Taylor jets along x (f'' and f' for a scalar x).</summary>
        public (Value Grad, Value Hessian) Jets(Function of, IReadOnlyList<Value> args)
        {
            var taylor = Taylor.Entry(Simplify.Run(of), 0, 2, _lookup, 1, new[] { 1 });
            Keep(taylor);
            var entry = taylor.Functions[0].Key;
            var x = args[0];
            var y = Scratch(I(3), "y");
            var scalar = !x.Type.IsBuffer;
            var jet = Scratch(scalar ? I(1) : B.Length(x), "jet");
            void Run()
            {
                var callArgs = new List<Value> { x, jet };
                callArgs.AddRange(args.Skip(1));
                callArgs.Add(y);
                B.Emit(new CallOp(EquatableArray<Value>.Empty, entry, callArgs.ToEquatableArray()));
            }
            if (scalar)
            {
                B.Store(jet, I(0), C(1));
                Run();
                return (B.Load(y, I(1), "fx"), B.Load(y, I(2), "fxx"));
            }
            var d = B.Length(x);
            var grad = Scratch(d, "grad");
            var hessian = Scratch(Mul(d, d), "hessian");
            Value At(Value i, Value j) => Add(Mul(i, d), j);
            Loop(I(0), d, "i", i =>
            {
                // e_i: y1 = f_i, y2 = f_ii
                B.Store(jet, i, C(1));
                Run();
                B.Store(grad, i, B.Load(y, I(1)));
                B.Store(hessian, At(i, i), B.Load(y, I(2)));
                B.Store(jet, i, C(0));
            });
            Loop(I(0), d, "i", i => Loop(Add(i, I(1)), d, "j", j =>
            {
                // e_i + e_j: y2 = f_ii + 2 f_ij + f_jj
                B.Store(jet, i, C(1));
                B.Store(jet, j, C(1));
                Run();
                var diagonal = Add(B.Load(hessian, At(i, i)), B.Load(hessian, At(j, j)));
                var fij = Mul(Sub(B.Load(y, I(2)), diagonal), C(0.5));
                B.Store(hessian, At(i, j), fij);
                B.Store(hessian, At(j, i), fij);
                B.Store(jet, i, C(0));
                B.Store(jet, j, C(0));
            }));
            return (grad, hessian);
        }
    }
}
