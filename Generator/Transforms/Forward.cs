using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Forward mode (JVP) as an IR → IR transform. Every primal op is kept; after each op whose
/// result is active (see <see cref="Activity"/>) the op's tangent is computed from the
/// tangents of its operands. The JVP function takes each differentiated parameter followed
/// by its tangent and yields the primal result followed by its tangent. Calls of other
/// functions become calls of their JVPs, generated once per pattern of active arguments.
/// </summary>
internal sealed class Forward
{
    private readonly Func<FunctionKey, Function?> _lookup;
    private readonly Dictionary<FunctionKey, Function> _generated = new();
    private readonly List<FunctionKey> _order = new();

    private Forward(Func<FunctionKey, Function?> lookup) => _lookup = lookup;

    /// <summary>The key of the JVP of <paramref name="key"/> with the given active parameters.</summary>
    public static FunctionKey KeyFor(FunctionKey key, IReadOnlyList<bool> active) => FunctionKey.Jvp(key, active);

    /// <summary>
    /// Builds the JVP of <paramref name="entry"/> and of every function it calls. The entry is
    /// first in the returned module. <paramref name="lookup"/> finds callees by key.
    /// </summary>
    public static Module Jvp(Function entry, IReadOnlyList<bool> activeParams, Func<FunctionKey, Function?> lookup)
    {
        var fwd = new Forward(lookup);
        var key = fwd.Transform(entry, activeParams);
        var list = new List<Function> { fwd._generated[key] };
        list.AddRange(fwd._order.Where(k => k != key).Select(k => fwd._generated[k]));
        return new Module(list.ToEquatableArray());
    }

    private FunctionKey Transform(Function fn, IReadOnlyList<bool> activeParams)
    {
        var key = KeyFor(fn.Key, activeParams);
        if (_generated.ContainsKey(key)) return key;
        _generated[key] = null!; // marks "in progress"; the frontend rejects recursion
        var result = new FunctionTransform(this, fn, activeParams).Run(key);
        _generated[key] = result;
        _order.Add(key);
        return key;
    }

    private sealed class FunctionTransform
    {
        private readonly Forward _owner;
        private readonly Function _fn;
        private readonly IReadOnlyList<bool> _activeParams;
        private readonly Activity _activity;
        private readonly IrBuilder _b;
        private readonly Dictionary<int, Value> _tangent = new();

        public FunctionTransform(Forward owner, Function fn, IReadOnlyList<bool> activeParams)
        {
            _owner = owner;
            _fn = fn;
            _activeParams = activeParams;
            _activity = Activity.Analyze(fn, activeParams);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
        }

        private static string Dot(Value v) => v.Name.Length == 0 ? "" : v.Name + "_dot";

        /// <summary>Tangent buffers are read-only views when the primal buffer is an input.</summary>
        private static IrType TangentType(IrType t) =>
            t.IsBuffer && t.Buffer == BufferKind.Array ? IrType.Buf(t.Elem, BufferKind.ReadOnlySpan) : t;

        public Function Run(FunctionKey key)
        {
            var args = new List<Value>();
            for (var i = 0; i < _fn.Params.Count; i++)
            {
                var p = _fn.Params[i];
                args.Add(p);
                if (_activeParams[i] && p.Type.IsDifferentiable)
                {
                    var t = _b.NewValue(TangentType(p.Type), Dot(p));
                    _tangent[p.Id] = t;
                    args.Add(t);
                }
            }
            var yields = new List<Value>();
            foreach (var op in _fn.Body.Ops) Transform(op);
            foreach (var y in _fn.Body.Yields)
            {
                yields.Add(y);
                yields.Add(TangentOrZero(y));
            }
            var ops = _b.EndBlock();
            var mask = string.Concat(_activeParams.Select(a => a ? "1" : "0"));
            return new Function(key, _fn.Name + "_Jvp" + (_activeParams.All(a => a) ? "" : "_" + mask),
                new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray()));
        }

        private Value? T(Value v) => _tangent.TryGetValue(v.Id, out var t) ? t : null;

        private Value Zero(IrType t) => _b.Zero(t);

        private Value TangentOrZero(Value v) => T(v) ?? Zero(v.Type);

        private void SetTangent(Value primal, Value tangent)
        {
            _tangent[primal.Id] = _b.TryRenameLast(tangent, Dot(primal));
        }

        private bool Active(Value v) => _activity.IsActive(v);

        private void TransformRegionOps(Region r)
        {
            foreach (var op in r.Ops) Transform(op);
        }

        private void Transform(Op op)
        {
            switch (op)
            {
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

            switch (op)
            {
                case NoteOp:
                    // Notes mark source statements for reverse mode; forward code reads in source order anyway.
                    return;
                case PushOp push:
                    _b.Emit(push);
                    if (push.Pushed.Type.IsDifferentiable) _b.Emit(new PushOp(TangentOrZero(push.Pushed), push.Level));
                    return;
                case PopOp pop when pop.Result.Type.IsDifferentiable:
                {
                    // The tangent was pushed after the value, so it comes back first.
                    var t = _b.NewValue(pop.Result.Type, Dot(pop.Result));
                    _b.Emit(new PopOp(t, pop.Level));
                    _b.Emit(pop);
                    _tangent[pop.Result.Id] = t;
                    return;
                }
                case ClearOp clear:
                    _b.Emit(clear);
                    if (T(clear.Buffer) is { } tb) _b.Emit(new ClearOp(tb));
                    return;
            }
            _b.Emit(op);
            switch (op)
            {
                case UnaryOp or BinaryOp or TernaryOp when Active(op.Results.First()):
                    SetTangent(op.Results.First(), Derivatives.Tangent(_b, op, op.Operands.Select(T).ToArray()));
                    break;
                case SelectOp s when Active(s.Result):
                    SetTangent(s.Result, _b.Select(s.Cond, TangentOrZero(s.IfTrue), TangentOrZero(s.IfFalse)));
                    break;
                case LoadOp l when Active(l.Result):
                    SetTangent(l.Result, _b.Load(T(l.Buffer)!, l.Index, Dot(l.Result)));
                    break;
                case StoreOp st when Active(st.Buffer):
                    _b.Store(T(st.Buffer)!, st.Index, TangentOrZero(st.Stored), st.Accumulate);
                    break;
                case AllocOp a when Active(a.Result):
                    _tangent[a.Result.Id] = _b.Alloc(a.Result.Type, a.Length, Dot(a.Result));
                    break;
            }
        }

        private void Call(CallOp c)
        {
            var callee = _owner._lookup(c.Callee);
            var mask = c.Args.Select(a => Active(a)).ToList();
            if (callee is null || !mask.Any(m => m))
            {
                _b.Emit(c);
                return;
            }
            var key = _owner.Transform(callee, mask);
            var args = new List<Value>();
            for (var i = 0; i < c.Args.Count; i++)
            {
                args.Add(c.Args[i]);
                if (mask[i]) args.Add(T(c.Args[i])!);
            }
            var outs = new List<Value>();
            var tangents = new List<(Value Primal, Value Tangent)>();
            foreach (var o in c.Outs)
            {
                outs.Add(o);
                var t = _b.NewValue(o.Type, Dot(o));
                outs.Add(t);
                tangents.Add((o, t));
            }
            _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            foreach (var (p, t) in tangents)
            {
                if (Active(p)) _tangent[p.Id] = t;
            }
        }

        private void For(ForOp f)
        {
            var carried = f.Inits.Count;
            var activeIdx = Enumerable.Range(0, carried).Where(i => Active(f.Body.Args[i + 1])).ToList();
            var inits = f.Inits.ToList();
            foreach (var i in activeIdx) inits.Add(TangentOrZero(f.Inits[i]));

            var bodyArgs = f.Body.Args.ToList();
            _b.BeginBlock();
            foreach (var i in activeIdx)
            {
                var arg = f.Body.Args[i + 1];
                var t = _b.NewValue(arg.Type, Dot(arg));
                _tangent[arg.Id] = t;
                bodyArgs.Add(t);
            }
            TransformRegionOps(f.Body);
            var yields = f.Body.Yields.ToList();
            foreach (var i in activeIdx) yields.Add(TangentOrZero(f.Body.Yields[i]));
            var bodyOps = _b.EndBlock();

            var outs = f.Outs.ToList();
            foreach (var i in activeIdx)
            {
                var t = _b.NewValue(f.Outs[i].Type, Dot(f.Outs[i]));
                _tangent[f.Outs[i].Id] = t;
                outs.Add(t);
            }
            _b.Emit(new ForOp(outs.ToEquatableArray(), f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
                new Region(bodyArgs.ToEquatableArray(), bodyOps, yields.ToEquatableArray())));
        }

        private void If(IfOp op)
        {
            var activeIdx = Enumerable.Range(0, op.Outs.Count).Where(i => Active(op.Outs[i])).ToList();
            Region Branch(Region r)
            {
                _b.BeginBlock();
                TransformRegionOps(r);
                var yields = r.Yields.ToList();
                foreach (var i in activeIdx) yields.Add(TangentOrZero(r.Yields[i]));
                return new Region(r.Args, _b.EndBlock(), yields.ToEquatableArray());
            }
            var thenR = Branch(op.Then);
            var elseR = Branch(op.Else);
            var outs = op.Outs.ToList();
            foreach (var i in activeIdx)
            {
                var t = _b.NewValue(op.Outs[i].Type, Dot(op.Outs[i]));
                _tangent[op.Outs[i].Id] = t;
                outs.Add(t);
            }
            _b.Emit(new IfOp(outs.ToEquatableArray(), op.Cond, thenR, elseR));
        }
    }
}

/// <summary>The largest value id used in a function (new values are numbered above it).</summary>
internal static class IrMaxId
{
    public static int Of(Function fn) => Of(fn.Body);

    public static int Of(Region r)
    {
        var max = r.Args.Count == 0 ? -1 : r.Args.Max(a => a.Id);
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Results) max = Math.Max(max, v.Id);
            foreach (var inner in op.Regions) max = Math.Max(max, Of(inner));
        }
        return max;
    }
}
