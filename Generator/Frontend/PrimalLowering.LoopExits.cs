using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// <c>continue</c>, <c>break</c> and <c>return</c> in a counted loop. An <c>if</c> in the body
/// that leaves the iteration on some path takes the rest of the body into both of its branches
/// (as an early return takes the rest of the method), so the remaining statements run exactly on
/// the paths that stay. <c>break</c> and <c>return</c> also set the loop's carried "exited" flag
/// (and the returned value); the iterations after it do nothing, so the trip count stays the
/// counted loop's and reverse mode needs nothing new.
/// </summary>
internal sealed partial class PrimalLowering
{
    /// <summary>The exit state of the loop being lowered: its current flag and returned value.</summary>
    private sealed class LoopExit
    {
        public LoopExit(Value flag, Value? returned, Value? result, bool allowsReturn, IrType? returnType)
        {
            Flag = flag;
            Returned = returned;
            Result = result;
            AllowsReturn = allowsReturn;
            ReturnType = returnType;
        }

        public Value Flag;

        /// <summary>
        /// Set by <c>return</c> when the flag alone cannot tell a return from the loop's end: in a while/do loop or a
        /// <c>for</c> with other tests in its condition, a failing condition sets the flag too.
        /// </summary>
        public Value? Returned;

        public Value? Result;

        /// <summary>The flag, then the returned flag and value where the loop has them: carried and merged like locals.</summary>
        public List<Value> State()
        {
            var state = new List<Value> { Flag };
            if (Returned is not null) state.Add(Returned);
            if (Result is not null) state.Add(Result);
            return state;
        }

        public IEnumerable<string> Names()
        {
            yield return "exited";
            if (Returned is not null) yield return "returned";
            if (Result is not null) yield return "result";
        }

        public void Restore(IReadOnlyList<Value> state)
        {
            var k = 0;
            Flag = state[k++];
            if (Returned is not null) Returned = state[k++];
            if (Result is not null) Result = state[k];
        }
        public bool AllowsReturn { get; }
        public IrType? ReturnType { get; }
    }

    private LoopExit? _exit;

    // The loop statement (of a method-level statement sequence) whose body may return, and the method's result type.
    private StatementSyntax? _returnLoop;
    private IrType? _returnLoopType;

    private static UnsupportedException ReturnInNestedLoop(SyntaxNode at) => new(
        "'return' inside a loop is supported only in a loop that is a statement of the method itself, or in loops nested in " +
        "such a loop (not in a branch that cannot take the rest of the method); keep the result in a local, 'break', and return " +
        "after the loop",
        at);

    /// <summary>
    /// The loop at <paramref name="statements"/>[i] returns on some path: lower it with the exit
    /// flag, then the rest of the method only when it did not return.
    /// </summary>
    private List<Value> LowerReturningLoop(List<StatementSyntax> statements, int i, IrType? retType)
    {
        var s = statements[i];
        Note(s);
        var (savedLoop, savedType) = (_returnLoop, _returnLoopType);
        (_returnLoop, _returnLoopType) = (s, retType);
        var (done, result) = LowerLoop(s);
        (_returnLoop, _returnLoopType) = (savedLoop, savedType);
        return ContinueUnlessDone(done!, result, statements.Skip(i + 1).ToList(), retType);
    }

    private void LowerLoopBody(List<StatementSyntax> statements)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            switch (s)
            {
                case ContinueStatementSyntax:
                    // In a do loop, 'continue' goes to the test (the last of the statements, copied into each branch).
                    if (statements.Count > 0 && IsDoTest(statements[statements.Count - 1]))
                        LowerDoTest(_doTest!);
                    return;
                case DoStatementSyntax test when IsDoTest(test):
                    LowerDoTest(test);
                    return;
                case BreakStatementSyntax when _exit is not null:
                    _exit.Flag = _b.Const(1, IrType.Bool);
                    return;
                case ReturnStatementSyntax ret when _exit is { AllowsReturn: true } exit:
                    Note(ret);
                    if (exit.ReturnType is not null)
                    {
                        if (ret.Expression is null) throw new UnsupportedException("this method returns a value", ret);
                        exit.Result = Coerce(LowerExpr(ret.Expression), exit.ReturnType, ret.Expression);
                    }
                    exit.Flag = _b.Const(1, IrType.Bool);
                    if (exit.Returned is not null) exit.Returned = _b.Const(1, IrType.Bool);
                    return;
                case IfStatementSyntax ifs when LeavesIteration(ifs):
                    LowerLeavingIf(ifs, statements.Skip(i + 1).ToList());
                    return;
                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                    when _exit is { AllowsReturn: true } && ContainsReturn(s):
                    LowerReturningInnerLoop(s, statements.Skip(i + 1).ToList());
                    return;
                case SwitchStatementSyntax sw when LeavesIteration(sw):
                    LowerLeavingSwitch(sw, statements.Skip(i + 1).ToList());
                    return;
            }
            if (ContainsContinue(s) || ContainsBreak(s))
                throw new UnsupportedException(
                    "'continue' and 'break' are supported directly in the loop body or inside its if/else; here, put the rest " +
                    "of the body in an 'if'", s);
            LowerStatement(s);
        }
    }

    /// <summary>
    /// A loop in the body of a loop that may return, which itself returns on some path: it carries its own returned flag
    /// and value; after it, a return passes them on to the enclosing loop (whose flag ends it too), and the rest of the body
    /// runs only when it did not return.
    /// </summary>
    private void LowerReturningInnerLoop(StatementSyntax loop, List<StatementSyntax> tail)
    {
        Note(loop);
        var (savedLoop, savedType) = (_returnLoop, _returnLoopType);
        (_returnLoop, _returnLoopType) = (loop, _exit!.ReturnType);
        var (returned, result) = LowerLoop(loop);
        (_returnLoop, _returnLoopType) = (savedLoop, savedType);
        LowerBranches(returned!, () =>
        {
            var exit = _exit!;
            exit.Flag = _b.Const(1, IrType.Bool);
            if (exit.Returned is not null) exit.Returned = _b.Const(1, IrType.Bool);
            if (exit.ReturnType is not null) exit.Result = result!;
        }, () => LowerLoopBody(tail));
    }

    private (Value? Exited, Value? Result) LowerLoop(StatementSyntax s) => s switch
    {
        ForStatementSyntax fs => LowerFor(fs),
        WhileStatementSyntax ws => LowerWhile(ws),
        DoStatementSyntax ds => LowerDo(ds),
        _ => LowerForEach((ForEachStatementSyntax)s),
    };

    private bool LeavesIteration(IfStatementSyntax ifs) =>
        ContainsContinue(ifs) || ContainsBreak(ifs) || (_exit is { AllowsReturn: true } && ContainsReturn(ifs));

    private void LowerLeavingIf(IfStatementSyntax ifs, List<StatementSyntax> tail)
    {
        Note(ifs);
        var tailSize = tail.Where(t => !IsDoTest(t)).Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
        if (_duplicated + tailSize > DuplicationBudget)
            throw new UnsupportedException(
                $"the statements after this 'continue', 'break' or 'return' would be copied into too many branches " +
                $"(over {DuplicationBudget}); put the rest of the loop body in an 'if' instead", ifs);
        _duplicated += tailSize;
        var cond = LowerCondition(ifs.Condition);
        var thenStatements = Flatten(new[] { ifs.Statement });
        thenStatements.AddRange(tail);
        var elseStatements = ifs.Else is null ? new List<StatementSyntax>() : Flatten(new[] { ifs.Else.Statement });
        elseStatements.AddRange(tail);
        LowerBranches(cond, () => LowerLoopBody(thenStatements), () => LowerLoopBody(elseStatements));
    }

    /// <summary>Whether a <c>continue</c> of the enclosing loop (not of a loop nested in it) is inside <paramref name="node"/>.</summary>
    private static bool ContainsContinue(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => !IsLoopOrFunction(n)).OfType<ContinueStatementSyntax>().Any();

    /// <summary>Whether a <c>break</c> of the enclosing loop (not of a nested loop or switch) is inside <paramref name="node"/>.</summary>
    private static bool ContainsBreak(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => !IsLoopOrFunction(n) && n is not SwitchStatementSyntax)
            .OfType<BreakStatementSyntax>().Any();

    private static bool IsLoopOrFunction(SyntaxNode n) => n is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax
        or DoStatementSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax;
}
