using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>
/// Prints values as C# expressions: a value the plan folds is written as its defining op (with
/// the parentheses precedence needs), any other value by name. Leaves (names, literals, math
/// calls, loads) come from the target; inside a vector loop, element-wise values come from
/// the target's <see cref="ITarget.Lanes"/>.
/// </summary>
internal sealed class ExprPrinter
{
    private readonly EmitPlan _plan;
    private readonly NameScope _names;
    private readonly ITarget _target;

    public ExprPrinter(EmitPlan plan, NameScope names, ITarget target)
    {
        _plan = plan;
        _names = names;
        _target = target;
    }

    /// <summary>The plan of the vector loop being written, if any (its element-wise values print as vectors).</summary>
    public SimdLoop? Lanes { get; set; }

    /// <summary>The target's printer of element-wise values (set with <see cref="Lanes"/>).</summary>
    public CpuVector Vector => _target.Lanes!;

    /// <summary>
    /// Names printed in place of others while one slot update is written (a slot whose old value
    /// was saved in a temporary: see <see cref="SlotUpdates"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Renames { get; set; }

    /// <summary>The name of a value (not folded), after <see cref="Renames"/>.</summary>
    public string Name(Value v)
    {
        var n = _names.Of(v);
        return Renames is not null && Renames.TryGetValue(n, out var r) ? r : n;
    }

    /// <summary>The items-in-lanes printer of the target, if it has one (then per-item values print as vectors).</summary>
    public CpuLanes? Items => _target.ItemLanes;

    /// <summary>True inside a vector loop for a value that holds one element per lane, or for a per-item value when the
    /// target runs items in lanes.</summary>
    public bool IsLane(Value v) => Lanes is not null ? Lanes.Vectors.Contains(v.Id) : Items?.Varies(v) == true;

    /// <summary>A value as a vector: element-wise (or per-item) values as they are, scalars broadcast.</summary>
    public string LaneExpr(Value v) =>
        IsLane(v) ? Expr(v) : Lanes is null && Items is { } items ? items.Broadcast(Expr(v), v.Type) : Vector.Broadcast(Expr(v));

    /// <summary>An operand of a vector operator: a vector as it is (parenthesized past <paramref name="maxLevel"/>), a
    /// scalar broadcast.</summary>
    public string LaneOperand(Value v, int maxLevel) => IsLane(v) ? Expr(v, maxLevel) : LaneExpr(v);

    // Precedence levels (lower binds tighter): 0 primary, 1 unary/cast, 2 multiplicative,
    // 3 additive, 4 relational, 5 equality, 6 &, 7 |, 8 conditional.
    public string Expr(Value v) => Expr(v, 8);

    /// <summary>The op printed in place of <paramref name="v"/> (its single use), or null when v is a named local.</summary>
    public Op? InlineDef(Value v) => _plan.InlineDef(v);

    /// <summary>The expression of <paramref name="v"/>, parenthesized when it binds looser than <paramref name="maxLevel"/>.</summary>
    public string Expr(Value v, int maxLevel)
    {
        if (_plan.InlineDef(v) is { } def)
        {
            var text = Render(def);
            return Level(def) > maxLevel ? "(" + text + ")" : text;
        }
        return Name(v);
    }

    /// <summary>The precedence level of the expression an op prints as.</summary>
    public static int Level(Op op) => op switch
    {
        ConstOp c => c.Number < 0 || (c.Number == 0 && 1 / c.Number < 0) ? 1 : 0,
        UnaryOp or BinaryOp => Primitives.Of(op)!.Precedence,
        SelectOp => 8,
        _ => 0,
    };

    /// <summary>The expression that computes <paramref name="op"/>'s result.</summary>
    public string Render(Op op)
    {
        if (Lanes is not null && op.Results.FirstOrDefault() is { } r && IsLane(r)) return Vector.Render(op, this);
        if (Lanes is null && Items is { } items && op.Results.FirstOrDefault() is { } v && items.Varies(v)) return items.Render(op, this);
        switch (op)
        {
            case ConstOp c:
                return _target.Literal(c.Number, c.Result.Type);
            case UnaryOp u:
                if (u.Kind == UnOp.Convert) return "(" + _target.Type(u.Result.Type) + ")" + Expr(u.Operand, 0);
                return Primitives.Of(u.Kind).Symbol is { } prefix
                    ? prefix + Expr(u.Operand, 0)
                    : _target.Call(u.Kind, u.Result.Type, Expr(u.Operand));
            case BinaryOp b:
                return Infix(b) ?? _target.Call(b.Kind, b.Result.Type, Expr(b.Left), Expr(b.Right));
            case TernaryOp t:
                return _target.Call(t.Kind, t.Result.Type, Expr(t.A), Expr(t.B), Expr(t.C));
            case SelectOp s:
                return $"{Expr(s.Cond, 7)} ? {Expr(s.IfTrue, 7)} : {Expr(s.IfFalse, 8)}";
            case LengthOp l when Items is { } lanes && lanes.Varies(l.Buffer):
                return lanes.LengthLanes(Name(l.Buffer));
            case LengthOp l:
                return _target.Length(Name(l.Buffer));
            case LoadOp l:
                return _target.Load(Name(l.Buffer), Expr(l.Index));
            default:
                throw new InvalidOperationException("not an expression: " + op.GetType().Name);
        }
    }

    /// <summary>A C# operator applied to both sides (left-associative), or null for a math call.</summary>
    private string? Infix(BinaryOp b)
    {
        var row = Primitives.Of(b.Kind);
        if (row.Symbol is not { } sym) return null;
        var level = row.Precedence;
        return $"{Expr(b.Left, level)} {sym} {Expr(b.Right, level - 1)}";
    }
}
