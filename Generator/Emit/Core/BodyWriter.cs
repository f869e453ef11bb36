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
                var type = _p.IsLane(result) ? _p.Vector.LocalType : Type(result.Type);
                _w.Line($"{type} {Name(result)} = {_p.Render(op)};");
                return;
            }
            case StoreOp st when _p.Lanes is not null:
                _w.Line(_p.Vector.Store(Name(st.Buffer), _p.Expr(st.Index), _p.LaneExpr(st.Stored), st.Accumulate));
                return;
            case StoreOp st:
                _w.Line(_target.Store(Name(st.Buffer), _p.Expr(st.Index), _p.Expr(st.Stored), st.Accumulate));
                return;
            case AllocOp a:
                _w.Line(_target.Alloc(a.Result.Type, Name(a.Result), _p.Expr(a.Length)));
                return;
            case CallOp c:
                EmitCall(c);
                return;
            case PushOp push:
                _w.Line(_target.Push(push.Level, _p.Expr(push.Pushed)));
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
        var name = _calleeName(c.Callee);
        if (c.Outs.Count == 0)
        {
            _w.Line($"{name}({args});");
            return;
        }
        var outArgs = string.Concat(c.Outs.Skip(1).Select(o => $", out {Type(o.Type)} {Name(o)}"));
        if (c.Args.Count == 0) outArgs = outArgs.TrimStart(',', ' ');
        var first = c.Outs[0];
        var call = $"{name}({args}{outArgs})";
        _w.Line(_plan.Uses(first) == 0 && c.Outs.Count > 1 ? $"_ = {call};" : $"{Type(first.Type)} {Name(first)} = {call};");
    }

    private void EmitIf(IfOp op)
    {
        // Folds to a conditional expression when both branches only compute folded values.
        bool Folds(Region r) => r.Ops.All(o => o.Results.All(_plan.IsInline) && !Effects.MayWrite(o) && o is not NoteOp);
        if (op.Outs.Count == 1 && Folds(op.Then) && Folds(op.Else))
        {
            var v = op.Outs[0];
            _w.Line($"{Type(v.Type)} {Name(v)} = {_p.Expr(op.Cond)} ? {_p.Expr(op.Then.Yields[0])} : {_p.Expr(op.Else.Yields[0])};");
            return;
        }
        var slots = new List<string>();
        foreach (var o in op.Outs)
        {
            var name = Name(o);
            slots.Add(name);
            _w.Line($"{Type(o.Type)} {name};");
        }
        _w.Line($"if ({_p.Expr(op.Cond)})");
        EmitBranch(op.Then, slots);
        if (op.Else.Ops.Count > 0 || op.Outs.Count > 0)
        {
            _w.Line("else");
            EmitBranch(op.Else, slots);
        }
    }

    private void EmitBranch(Region r, List<string> slots)
    {
        _w.Line("{");
        _w.Indent();
        EmitOps(r);
        for (var k = 0; k < slots.Count; k++) _w.Line($"{slots[k]} = {_p.Expr(r.Yields[k])};");
        _w.Dedent();
        _w.Line("}");
    }
}
