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
                case CallOp { Rule: not null } rc:
                    // A method with a derivative rule: its value by the call, ẏ = Σ ∂_i f·ẋ_i from the rule.
                    _b.Emit(rc);
                    if (rc.Outs.Count == 1 && Active(rc.Outs[0])) SetTangent(rc.Outs[0], RuleCalls.Tangent(_b, rc, T));
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
