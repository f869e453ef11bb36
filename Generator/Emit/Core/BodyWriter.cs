using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>
/// Writes an IR function as a C# method for a target. Pure emission: IR in, text out.
/// Temporaries read once are folded into the expression that reads them (<see cref="EmitPlan"/>,
/// <see cref="ExprPrinter"/>); loops and branches come out as C# <c>for</c>/<c>if</c> with their
/// carried values as ordinary locals (<see cref="SlotUpdates"/>); element-wise loops also get a
/// vector version where the target has one (<see cref="SimdLoop"/>, <see cref="ITarget.Lanes"/>).
/// </summary>
internal sealed partial class BodyWriter
{
    private IndentedWriter _w;
    private readonly Function _fn;
    private readonly ITarget _target;
    private readonly Func<FunctionKey, string> _calleeName;
    private readonly EmitPlan _plan;
    private readonly NameScope _names;
    private readonly ExprPrinter _p;

    /// <summary>Pushes that their loop made room for before it started (see <see cref="ReserveTape"/>).</summary>
    private readonly HashSet<Op> _reserved = new(ReferenceOps.Instance);

    private BodyWriter(IndentedWriter w, Function fn, ITarget target, Func<FunctionKey, string> calleeName)
    {
        _w = w;
        _fn = fn;
        _target = target;
        _calleeName = calleeName;
        _plan = new EmitPlan(fn, target);
        _names = new NameScope(_plan);
        _p = new ExprPrinter(_plan, _names, target);
    }

    /// <summary>Writes <paramref name="fn"/>, legalized for <paramref name="target"/>, as a method with the given shape.</summary>
    public static void EmitMethod(IndentedWriter w, Function fn, MethodShape shape, Func<FunctionKey, string> calleeName, ITarget target)
    {
        new BodyWriter(w, target.Legalize(fn), target, calleeName).Run(shape);
    }

    private void Run(MethodShape shape)
    {
        for (var i = 0; i < _fn.Params.Count; i++)
        {
            _names.Bind(_fn.Params[i], shape.ParamNames[i]);
            _names.Reserve(shape.ParamNames[i]);
        }
        foreach (var n in shape.OutNames) _names.Reserve(n);
        foreach (var line in shape.Comment) _w.Line(line);
        var outer = _w;
        foreach (var line in shape.Header.Split('\n')) outer.Line(line);
        outer.Line("{");
        outer.Indent();
        // The body is written first, so the slots it parks are known for the prologue.
        _w = new IndentedWriter(outer.Level);
        _target.Reserve(_names, _plan);
        EmitOps(_fn.Body);
        _target.Epilogue(_w, _plan);
        var yields = _fn.Body.Yields;
        var first = shape.ReturnsValue ? 1 : 0;
        for (var k = first; k < yields.Count; k++) _w.Line($"{shape.OutNames[k - first]} = {_p.Expr(yields[k])};");
        if (shape.ReturnsValue && yields.Count > 0) _w.Line($"return {_p.Expr(yields[0])};");
        var body = _w.ToString();
        _w = outer;
        foreach (var check in shape.Checks) _w.Line(check);
        _target.Prologue(_w, _plan);
        _w.Raw(body);
        _w.Dedent();
        _w.Line("}");
    }

    private string Type(IrType t) => _target.Type(t);

    /// <summary>The C# type a value is declared with: per-item values of a lanes target are vectors.</summary>
    private string LocalType(Value v) => _p.Items?.LocalType(v) ?? Type(v.Type);

    /// <summary>A value assigned to a local of <paramref name="slot"/>'s kind: broadcast when the slot is per item.</summary>
    private string SlotExpr(Value slot, Value v) => _p.Items is { } items && items.Varies(slot) ? _p.LaneExpr(v) : _p.Expr(v);

    private string Name(Value v) => _names.Of(v);

    private void EmitOps(Region r)
    {
        for (var i = 0; i < r.Ops.Count; i++)
        {
            if (r.Ops[i] is NoteOp note)
            {
                // A note heads the code of one statement; skip it when no code follows before the next note.
                var j = i + 1;
                while (j < r.Ops.Count && !Emits(r.Ops[j])) j++;
                if (j < r.Ops.Count && r.Ops[j] is not NoteOp) _w.Line("// " + note.Text);
                continue;
            }
            if (r.Ops[i] is ForOp f) ReserveTape(f, r, i);
            EmitOp(r.Ops[i]);
        }
    }

    /// <summary>True when the op writes a statement (not folded into another, not a constant).</summary>
    private bool Emits(Op op) => op switch
    {
        ConstOp => false,
        NoteOp => true,
        UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp => op.Results.All(r => !_plan.IsInline(r) && _plan.Uses(r) > 0),
        _ => true,
    };

    private void EmitOp(Op op)
    {
        switch (op)
        {
            case ConstOp:
                return;
            case UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp:
            {
                var result = op.Results.First();
                if (_plan.IsInline(result) || _plan.Uses(result) == 0) return;
                var type = _p.Lanes is not null && _p.IsLane(result) ? _p.Vector.LocalType : LocalType(result);
                _w.Line($"{type} {Name(result)} = {_p.Render(op)};");
                return;
            }
            case StoreOp st when _p.Lanes is not null:
                _w.Line(_p.Vector.Store(Name(st.Buffer), _p.Expr(st.Index), _p.LaneExpr(st.Stored), st.Accumulate));
                return;
            case StoreOp st when _p.Items is { } items && items.Varies(st.Buffer) && items.Varies(st.Index):
                _w.Line(items.Scatter(Name(st.Buffer), _p.Expr(st.Index), _p.LaneExpr(st.Stored), st.Accumulate));
                return;
            case StoreOp st when _p.Items is { } items && items.Varies(st.Buffer):
                _w.Line(items.Store(Name(st.Buffer), _p.Expr(st.Index), _p.LaneExpr(st.Stored), st.Accumulate));
                return;
            case StoreOp st:
                _w.Line(_target.Store(Name(st.Buffer), _p.Expr(st.Index), _p.Expr(st.Stored), st.Accumulate));
                return;
            case AllocOp a when _p.Items is { } items && items.Varies(a.Result):
                _w.Line(items.AllocLanes(a.Result.Type, Name(a.Result), _p.Expr(a.Length)));
                return;
            case AllocOp a:
                _w.Line(_target.Alloc(a.Result.Type, Name(a.Result), _p.Expr(a.Length)));
                return;
            case CallOp c:
                EmitCall(c);
                return;
            case PushOp push when _p.Items is { } items && items.TapesLanes(push.Pushed.Type.Elem):
                // Per-item values of this kind go on the tape W at a time; a shared one is broadcast, so every pop matches.
                _w.Line(items.PushLanes(push.Pushed.Type, push.Level, _p.LaneExpr(push.Pushed), _reserved.Contains(push)));
                return;
            case PushOp push:
                _w.Line(_target.Push(push.Pushed.Type, push.Level, _p.Expr(push.Pushed), _reserved.Contains(push)));
                return;
            case PopOp pop when _p.Items is { } items && items.TapesLanes(pop.Result.Type.Elem):
                _w.Line($"{LocalType(pop.Result)} {Name(pop.Result)} = {items.PopLanes(pop.Result.Type, pop.Level)};");
                return;
            case PopOp pop:
                _w.Line($"{Type(pop.Result.Type)} {Name(pop.Result)} = {_target.Pop(pop.Result.Type, pop.Level)};");
                return;
            case ClearOp clear:
                _w.Line(_target.Clear(Name(clear.Buffer)));
                return;
            case ForOp f:
                EmitFor(f);
                return;
            case IfOp i:
                EmitIf(i);
                return;
            default:
                throw new InvalidOperationException("cannot emit " + op.GetType().Name);
        }
    }

    private void EmitCall(CallOp c)
    {
        var args = string.Join(", ", c.Args.Select(v => _p.Expr(v)));
        var name = _p.Items?.CalleeName(c) ?? _calleeName(c.Callee);
        if (c.Outs.Count == 0)
        {
            _w.Line($"{name}({args});");
            return;
        }
        var outArgs = string.Concat(c.Outs.Skip(1).Select(o => $", out {LocalType(o)} {Name(o)}"));
        if (c.Args.Count == 0) outArgs = outArgs.TrimStart(',', ' ');
        var first = c.Outs[0];
        var call = $"{name}({args}{outArgs})";
        _w.Line(_plan.Uses(first) == 0 && c.Outs.Count > 1 ? $"_ = {call};" : $"{LocalType(first)} {Name(first)} = {call};");
    }

    private void EmitIf(IfOp op)
    {
        if (_p.Items is { } items && items.Varies(op.Cond))
        {
            EmitLaneIf(op, items);
            return;
        }
        // Folds to a conditional expression when both branches only compute folded values.
        bool Folds(Region r) => r.Ops.All(o => o.Results.All(_plan.IsInline) && !Effects.MayWrite(o) && o is not NoteOp);
        if (op.Outs.Count == 1 && Folds(op.Then) && Folds(op.Else))
        {
            var v = op.Outs[0];
            var (a, b) = (SlotExpr(v, op.Then.Yields[0]), SlotExpr(v, op.Else.Yields[0]));
            _w.Line($"{LocalType(v)} {Name(v)} = {_p.Expr(op.Cond)} ? {a} : {b};");
            return;
        }
        var slots = new List<string>();
        foreach (var o in op.Outs)
        {
            var name = Name(o);
            slots.Add(name);
            _w.Line($"{LocalType(o)} {name};");
        }
        _w.Line($"if ({_p.Expr(op.Cond)})");
        EmitBranch(op.Then, slots, op.Outs);
        if (op.Else.Ops.Count > 0 || op.Outs.Count > 0)
        {
            _w.Line("else");
            EmitBranch(op.Else, slots, op.Outs);
        }
    }

    /// <summary>
    /// A branch on a per-item condition in a lanes method: without effects both arms run and each result is a select
    /// of the two; around stores or calls, the arm every lane takes runs (<c>Dsl.Lanes.Uniform</c> throws when the lanes
    /// disagree, and the launcher runs that block's items one at a time).
    /// </summary>
    private void EmitLaneIf(IfOp op, CpuLanes items)
    {
        bool Pure(Region r) => r.Ops.All(o => !Effects.MayWrite(o) && o is not (CallOp or PushOp or PopOp or AllocOp or ForOp or IfOp));
        var mask = _p.Expr(op.Cond, 0);
        if (Pure(op.Then) && Pure(op.Else))
        {
            _w.Line("// both sides run for every item; each result is selected lane by lane");
            EmitOps(op.Then);
            EmitOps(op.Else);
            for (var k = 0; k < op.Outs.Count; k++)
            {
                var o = op.Outs[k];
                var select = items.Select(mask, ArmValue(op.Then.Yields[k], items, mask),
                    ArmValue(op.Else.Yields[k], items, "~" + _p.Expr(op.Cond, 1)), o.Type);
                _w.Line($"{LocalType(o)} {Name(o)} = {select};");
            }
            return;
        }
        var slots = new List<string>();
        foreach (var o in op.Outs)
        {
            slots.Add(Name(o));
            _w.Line($"{LocalType(o)} {Name(o)};");
        }
        _w.Line("// the side every item of the block takes (they differ: Dsl.Lanes.Uniform throws, the block runs per item)");
        _w.Line($"if ({items.Uniform(mask)})");
        EmitBranch(op.Then, slots, op.Outs);
        _w.Line("else");
        EmitBranch(op.Else, slots, op.Outs);
    }

    /// <summary>
    /// An arm's result in a select over lanes: a gather it reads in place reads only the lanes that take the arm
    /// (<paramref name="taken"/>), since the scalar code never evaluates the load where the test fails (a one-hot column,
    /// <c>0 &lt;= i &amp;&amp; i &lt; n ? x[i] : 0</c>, whose index is out of range in the other lanes).
    /// </summary>
    private string ArmValue(Value v, CpuLanes items, string taken) =>
        _p.InlineDef(v) is LoadOp load && items.Varies(load.Index) ? items.GatherWhere(load, taken, _p) : _p.LaneExpr(v);

    private void EmitBranch(Region r, List<string> slots, EquatableArray<Value> outs)
    {
        _w.Line("{");
        _w.Indent();
        EmitOps(r);
        for (var k = 0; k < slots.Count; k++) _w.Line($"{slots[k]} = {SlotExpr(outs[k], r.Yields[k])};");
        _w.Dedent();
        _w.Line("}");
    }
}
