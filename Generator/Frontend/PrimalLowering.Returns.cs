using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Early returns: an <c>if</c> that returns takes the rest of the method into its branches,
/// or, past a budget, records "returned" in a flag.
/// </summary>
internal sealed partial class PrimalLowering
{
    /// <summary>
    /// Lowers statements[start..] to the end of the method and returns the values the method
    /// returns (empty for void). An <c>if</c> that returns on some path takes the statements
    /// after it into both branches, so every early return becomes a structured yield.
    /// </summary>
    private List<Value> LowerSequence(List<StatementSyntax> statements, int start, IrType? retType)
    {
        for (var i = start; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            switch (s)
            {
                case ReturnStatementSyntax ret:
                    if (ret.Expression is null) return new List<Value>();
                    Note(ret);
                    if (retType is null) throw new UnsupportedException("a void method returns a value", ret);
                    return new List<Value> { Coerce(LowerExpr(ret.Expression), retType, ret.Expression) };
                case SwitchStatementSyntax sw when ContainsReturn(sw):
                    return LowerReturningSwitch(sw, statements, i + 1, retType);
                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax when ContainsReturn(s):
                    return LowerReturningLoop(statements, i, retType);
                case IfStatementSyntax ifs when ContainsReturn(ifs):
                    Note(ifs);
                    return LowerReturningIf(ifs, statements, i + 1, retType);
                default:
                    LowerStatement(s);
                    break;
            }
        }
        if (retType is not null)
            throw new UnsupportedException("not every path returns a value");
        return new List<Value>();
    }

    private static bool ContainsReturn(SyntaxNode node) =>
        node.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
            .OfType<ReturnStatementSyntax>().Any();

    private int _duplicated;

    /// <summary>Statements (at any depth) the tail of a returning 'if' may copy before the flag form is used.</summary>
    private const int DuplicationBudget = 16;

    private List<Value> LowerReturningIf(IfStatementSyntax ifs, List<StatementSyntax> rest, int restStart, IrType? retType)
    {
        var tail = rest.Skip(restStart).ToList();
        var tailSize = tail.Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
        if (_duplicated + tailSize > DuplicationBudget)
        {
            // Copying the tail into both branches would grow the code exponentially with the
            // number of early returns: record "returned" in a flag instead, once.
            var (done, ret) = LowerMaybeReturning(new List<StatementSyntax> { ifs }, retType);
            return ContinueUnlessDone(done, ret, tail, retType);
        }
        _duplicated += tailSize;
        var cond = LowerCondition(ifs.Condition);
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        var thenStatements = Flatten(new[] { ifs.Statement });
        thenStatements.AddRange(tail);
        var thenYields = LowerSequence(thenStatements, 0, retType);
        var thenOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        var elseStatements = ifs.Else is null ? new List<StatementSyntax>() : Flatten(new[] { ifs.Else.Statement });
        elseStatements.AddRange(tail);
        var elseYields = LowerSequence(elseStatements, 0, retType);
        var elseOps = _b.EndBlock();
        _env = saved;

        var outs = _b.If(cond, thenOps, thenYields, elseOps, elseYields);
        return outs.ToList();
    }

    /// <summary>The method's result: <paramref name="ret"/> when <paramref name="done"/>, else what the tail returns.</summary>
    private List<Value> ContinueUnlessDone(Value done, Value? ret, List<StatementSyntax> tail, IrType? retType)
    {
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var thenOps = _b.EndBlock();
        _b.BeginBlock();
        var elseYields = LowerSequence(tail, 0, retType);
        var elseOps = _b.EndBlock();
        _env = saved;
        var thenYields = ret is null ? new List<Value>() : new List<Value> { ret };
        var outs = elseYields.Select(v => _b.NewValue(v.Type, "")).ToEquatableArray();
        _b.Emit(new IfOp(outs, done,
            new Region(EquatableArray<Value>.Empty, thenOps, thenYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, elseYields.ToEquatableArray())));
        return outs.ToList();
    }

    /// <summary>
    /// Lowers statements that may return: yields whether they returned and what (the flag
    /// form of early return); on the fall-through path the environment holds the locals.
    /// </summary>
    private (Value Done, Value? Ret) LowerMaybeReturning(List<StatementSyntax> statements, IrType? retType)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            if (s is ReturnStatementSyntax ret)
            {
                Note(ret);
                var value = ret.Expression is null ? null : Coerce(LowerExpr(ret.Expression), retType!, ret.Expression);
                return (_b.Const(1, IrType.Bool), value);
            }
            if (s is not IfStatementSyntax ifs || !ContainsReturn(ifs))
            {
                LowerStatement(s);
                continue;
            }
            Note(ifs);
            var (done, result) = LowerFlaggedIf(ifs, retType);
            // The rest runs only when nothing returned.
            var rest = statements.Skip(i + 1).ToList();
            if (rest.Count == 0) return (done, result);
            return LowerUnlessReturned(done, result, rest, retType);
        }
        return (_b.Const(0, IrType.Bool), Placeholder(retType));
    }

    /// <summary>What a path that does not return yields in place of the result.</summary>
    private Value? Placeholder(IrType? retType) => retType is null ? null : _b.Const(0, retType);

    /// <summary>
    /// An <c>if</c> that may return, in flag form: yields whether it returned, the result, and the
    /// locals either branch changed (rebound in the environment).
    /// </summary>
    private (Value Done, Value? Result) LowerFlaggedIf(IfStatementSyntax ifs, IrType? retType)
    {
        var cond = LowerCondition(ifs.Condition);
        var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        (EquatableArray<Op> Ops, Value Done, Value? Ret, Dictionary<ISymbol, Value> Env) Branch(StatementSyntax? body)
        {
            _env = new Dictionary<ISymbol, Value>(outer, SymbolEqualityComparer.Default);
            _b.BeginBlock();
            var (d, r) = body is null
                ? (_b.Const(0, IrType.Bool), Placeholder(retType))
                : LowerMaybeReturning(Flatten(new[] { body }), retType);
            return (_b.EndBlock(), d, r, _env);
        }
        var then = Branch(ifs.Statement);
        var @else = Branch(ifs.Else?.Statement);
        _env = outer;
        var changed = outer.Keys.Where(k => !then.Env[k].Equals(outer[k]) || !@else.Env[k].Equals(outer[k]))
            .OrderBy(k => outer[k].Id).ToList();
        Region Yield((EquatableArray<Op> Ops, Value Done, Value? Ret, Dictionary<ISymbol, Value> Env) b)
        {
            var ys = new List<Value> { b.Done };
            if (b.Ret is not null) ys.Add(b.Ret);
            ys.AddRange(changed.Select(k => b.Env[k]));
            return new Region(EquatableArray<Value>.Empty, b.Ops, ys.ToEquatableArray());
        }
        var thenRegion = Yield(then);
        var elseRegion = Yield(@else);
        var done = _b.NewValue(IrType.Bool, "returned");
        var outs = new List<Value> { done };
        Value? result = null;
        if (retType is not null)
        {
            result = _b.NewValue(retType, "result");
            outs.Add(result);
        }
        var varOuts = changed.Select(k => _b.NewValue(outer[k].Type, k.Name)).ToList();
        outs.AddRange(varOuts);
        _b.Emit(new IfOp(outs.ToEquatableArray(), cond, thenRegion, elseRegion));
        for (var k = 0; k < changed.Count; k++) _env[changed[k]] = varOuts[k];
        return (done, result);
    }

    /// <summary>
    /// The statements after a flagged <c>if</c>, run only when <paramref name="done"/> is false;
    /// yields the combined flag, result and changed locals.
    /// </summary>
    private (Value Done, Value? Ret) LowerUnlessReturned(Value done, Value? result, List<StatementSyntax> rest, IrType? retType)
    {
        var before = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var skipOps = _b.EndBlock();
        _b.BeginBlock();
        var (restDone, restRet) = LowerMaybeReturning(rest, retType);
        var restOps = _b.EndBlock();
        var restEnv = _env;
        _env = before;
        var changed2 = before.Keys.Where(k => !restEnv[k].Equals(before[k])).OrderBy(k => before[k].Id).ToList();
        var skipYields = new List<Value> { done };
        var runYields = new List<Value> { restDone };
        if (result is not null) { skipYields.Add(result); runYields.Add(restRet!); }
        skipYields.AddRange(changed2.Select(k => before[k]));
        runYields.AddRange(changed2.Select(k => restEnv[k]));
        var done2 = _b.NewValue(IrType.Bool, "returned");
        var outs2 = new List<Value> { done2 };
        Value? result2 = null;
        if (retType is not null)
        {
            result2 = _b.NewValue(retType, "result");
            outs2.Add(result2);
        }
        var varOuts2 = changed2.Select(k => _b.NewValue(before[k].Type, k.Name)).ToList();
        outs2.AddRange(varOuts2);
        _b.Emit(new IfOp(outs2.ToEquatableArray(), done,
            new Region(EquatableArray<Value>.Empty, skipOps, skipYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, restOps, runYields.ToEquatableArray())));
        for (var k = 0; k < changed2.Count; k++) _env[changed2[k]] = varOuts2[k];
        return (done2, result2);
    }
}
