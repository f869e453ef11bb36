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
        private readonly RegionExtras _regions;

        public FunctionTransform(Forward owner, Function fn, IReadOnlyList<bool> activeParams)
        {
            _owner = owner;
            _fn = fn;
            _activeParams = activeParams;
            _activity = Activity.Analyze(fn, activeParams);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
            // One extra per value: its tangent.
            _regions = new RegionExtras(_b, Active, Transform, read: v => new[] { TangentOrZero(v) },
                argument: v => new[] { T(v)! }, create: v => new[] { _b.NewValue(v.Type, Dot(v)) },
                record: (v, e) => _tangent[v.Id] = e[0], owner._lookup, owner.Transform);
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

        private void Transform(Op op)
        {
            switch (op)
            {
                case ForOp f:
                    _regions.For(f);
                    return;
                case IfOp i:
                    _regions.If(i);
                    return;
                case CallOp c:
                    _regions.Call(c);
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
    }
}

/// <summary>
/// Calls, loops and branches in a transform that gives every active value extra values (forward: its
/// tangent; Taylor: the L·K coefficients of its jet): the extras of what a region takes, carries and yields
/// go in, through and out next to the values themselves, in the same order. A call goes to the callee's
/// transform for the pattern of active arguments. The transform says how to read, create and record extras.
/// </summary>
internal sealed class RegionExtras
{
    private readonly IrBuilder _b;
    private readonly Func<Value, bool> _active;
    private readonly Action<Op> _transform;
    // The extras of a value as an operand (zeros where it has none), and the extras of a call argument.
    private readonly Func<Value, IEnumerable<Value>> _read;
    private readonly Func<Value, IEnumerable<Value>> _argument;
    // Fresh values for the extras of a value a region defines, and recording them as that value's.
    private readonly Func<Value, Value[]> _create;
    private readonly Action<Value, Value[]> _record;
    private readonly Func<FunctionKey, Function?> _lookup;
    private readonly Func<Function, IReadOnlyList<bool>, FunctionKey> _callee;

    public RegionExtras(IrBuilder b, Func<Value, bool> active, Action<Op> transform, Func<Value, IEnumerable<Value>> read,
        Func<Value, IEnumerable<Value>> argument, Func<Value, Value[]> create, Action<Value, Value[]> record,
        Func<FunctionKey, Function?> lookup, Func<Function, IReadOnlyList<bool>, FunctionKey> callee)
    {
        _b = b;
        _active = active;
        _transform = transform;
        _read = read;
        _argument = argument;
        _create = create;
        _record = record;
        _lookup = lookup;
        _callee = callee;
    }

    public void Call(CallOp c)
    {
        var callee = _lookup(c.Callee);
        var mask = c.Args.Select(a => _active(a)).ToList();
        if (callee is null || !mask.Any(m => m))
        {
            _b.Emit(c);
            return;
        }
        var key = _callee(callee, mask);
        var args = new List<Value>();
        for (var i = 0; i < c.Args.Count; i++)
        {
            args.Add(c.Args[i]);
            if (mask[i]) args.AddRange(_argument(c.Args[i]));
        }
        var outs = new List<Value>();
        var extras = new List<(Value Value, Value[] Extras)>();
        foreach (var o in c.Outs)
        {
            outs.Add(o);
            var e = _create(o);
            outs.AddRange(e);
            extras.Add((o, e));
        }
        _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
        foreach (var (v, e) in extras)
        {
            if (_active(v)) _record(v, e);
        }
    }

    public void For(ForOp f)
    {
        var carried = Enumerable.Range(0, f.Inits.Count).Where(i => _active(f.Body.Args[i + 1])).ToList();
        var inits = f.Inits.ToList();
        foreach (var i in carried) inits.AddRange(_read(f.Inits[i]));
        var bodyArgs = f.Body.Args.ToList();
        _b.BeginBlock();
        foreach (var i in carried) bodyArgs.AddRange(Define(f.Body.Args[i + 1]));
        foreach (var op in f.Body.Ops) _transform(op);
        var yields = f.Body.Yields.ToList();
        foreach (var i in carried) yields.AddRange(_read(f.Body.Yields[i]));
        var bodyOps = _b.EndBlock();
        var outs = f.Outs.ToList();
        foreach (var i in carried) outs.AddRange(Define(f.Outs[i]));
        _b.Emit(new ForOp(outs.ToEquatableArray(), f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
            new Region(bodyArgs.ToEquatableArray(), bodyOps, yields.ToEquatableArray())));
    }

    public void If(IfOp op)
    {
        var carried = Enumerable.Range(0, op.Outs.Count).Where(i => _active(op.Outs[i])).ToList();
        Region Branch(Region r)
        {
            _b.BeginBlock();
            foreach (var inner in r.Ops) _transform(inner);
            var yields = r.Yields.ToList();
            foreach (var i in carried) yields.AddRange(_read(r.Yields[i]));
            return new Region(r.Args, _b.EndBlock(), yields.ToEquatableArray());
        }
        var thenR = Branch(op.Then);
        var elseR = Branch(op.Else);
        var outs = op.Outs.ToList();
        foreach (var i in carried) outs.AddRange(Define(op.Outs[i]));
        _b.Emit(new IfOp(outs.ToEquatableArray(), op.Cond, thenR, elseR));
    }

    private Value[] Define(Value v)
    {
        var e = _create(v);
        _record(v, e);
        return e;
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
