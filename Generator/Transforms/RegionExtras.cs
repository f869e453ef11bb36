using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

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
        // The extras follow the loop's own carried values, so an exiting loop's flag stays first.
        _b.Emit(new ForOp(outs.ToEquatableArray(), f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
            new Region(bodyArgs.ToEquatableArray(), bodyOps, yields.ToEquatableArray()), f.Exits));
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
