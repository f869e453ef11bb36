using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Forward activity analysis: which values depend on a differentiated input. Only active
/// values get tangents (forward) or adjoints (reverse); everything else is plain primal code.
/// Buffers become active when an active value is stored into them; loops are iterated to a
/// fixed point because a carried value may become active in a later iteration.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<int> _active = new();
    private readonly System.Func<FunctionKey, Function?>? _callees;

    private Activity(System.Func<FunctionKey, Function?>? callees) => _callees = callees;

    public bool IsActive(Value v) => _active.Contains(v.Id);

    public IReadOnlyCollection<int> ActiveIds => _active;

    /// <summary>Analyses <paramref name="fn"/> with the given parameters active.</summary>
    /// <param name="fn">The function.</param>
    /// <param name="activeParams">Which parameters are differentiated.</param>
    /// <param name="callees">Looks up called functions: a span a callee takes read-only does not become active.</param>
    public static Activity Analyze(Function fn, IReadOnlyList<bool> activeParams, System.Func<FunctionKey, Function?>? callees = null)
    {
        var a = new Activity(callees);
        for (var i = 0; i < fn.Params.Count; i++)
        {
            if (activeParams[i] && fn.Params[i].Type.IsDifferentiable) a._active.Add(fn.Params[i].Id);
        }
        while (a.Visit(fn.Body))
        {
            // iterate to a fixed point
        }
        return a;
    }

    private bool Mark(Value v)
    {
        if (!v.Type.IsDifferentiable) return false;
        return _active.Add(v.Id);
    }

    /// <summary>One pass over a region; true when anything new became active.</summary>
    private bool Visit(Region region)
    {
        var changed = false;
        foreach (var op in region.Ops) changed |= Visit(op);
        return changed;
    }

    private bool Visit(Op op)
    {
        var changed = false;
        switch (op)
        {
            case ConstOp or LengthOp:
                break;
            case UnaryOp u:
                if (IsActive(u.Operand) && !IsPiecewiseConstant(u.Kind)) changed |= Mark(u.Result);
                break;
            case BinaryOp b:
                if (b.Result.Type.IsFloat && (IsActive(b.Left) || IsActive(b.Right))) changed |= Mark(b.Result);
                break;
            case TernaryOp t:
                if (t.Result.Type.IsFloat && t.Operands.Any(IsActive)) changed |= Mark(t.Result);
                break;
            case SelectOp s:
                if (IsActive(s.IfTrue) || IsActive(s.IfFalse)) changed |= Mark(s.Result);
                break;
            case LoadOp l:
                if (IsActive(l.Buffer)) changed |= Mark(l.Result);
                break;
            case StoreOp st:
                if (IsActive(st.Stored)) changed |= Mark(st.Buffer);
                break;
            case AllocOp or PushOp or ClearOp:
                break;
            case PopOp pop:
                // Tapes carry values of the forward sweep; treat what comes back as active
                // (forward-over-reverse pushes a tangent with every value).
                changed |= Mark(pop.Result);
                break;
            case CallOp c:
                if (c.Args.Any(IsActive))
                {
                    foreach (var o in c.Outs) changed |= Mark(o);
                    // A callee may write an active value into any writable span it is given,
                    // unless its parameter is read-only (an operator's jet input, for instance).
                    var callee = _callees?.Invoke(c.Callee);
                    for (var i = 0; i < c.Args.Count; i++)
                    {
                        var arg = c.Args[i];
                        if (!arg.Type.IsBuffer
                            || arg.Type.Buffer is not (BufferKind.Span or BufferKind.Stack or BufferKind.Heap or BufferKind.Scratch))
                            continue;
                        if (callee is not null && callee.Params.Count == c.Args.Count
                            && callee.Params[i].Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array)
                            continue;
                        changed |= Mark(arg);
                    }
                }
                break;
            case ForOp f:
                for (var i = 0; i < f.Inits.Count; i++)
                {
                    if (IsActive(f.Inits[i])) changed |= Mark(f.Body.Args[i + 1]);
                }
                changed |= Visit(f.Body);
                for (var i = 0; i < f.Outs.Count; i++)
                {
                    if (IsActive(f.Body.Yields[i])) changed |= Mark(f.Body.Args[i + 1]);
                    if (IsActive(f.Body.Args[i + 1])) changed |= Mark(f.Outs[i]);
                }
                break;
            case IfOp i:
                changed |= Visit(i.Then);
                changed |= Visit(i.Else);
                for (var k = 0; k < i.Outs.Count; k++)
                {
                    if (IsActive(i.Then.Yields[k]) || IsActive(i.Else.Yields[k])) changed |= Mark(i.Outs[k]);
                }
                break;
        }
        return changed;
    }

    /// <summary>Functions whose derivative is zero almost everywhere (their table row says so).</summary>
    public static bool IsPiecewiseConstant(UnOp k) => Primitives.Of(k).Smoothness == Smoothness.PiecewiseConstant;
}
