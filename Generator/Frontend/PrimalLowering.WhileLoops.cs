using System.Collections.Generic;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// <c>while</c> and <c>do</c> loops, whose trip count depends on the data (Newton iterations, adaptive steps): a counted
/// loop from 0 to <c>int.MaxValue</c> that stops once its carried "exited" flag is set (<see cref="ForOp.Exits"/>). A
/// <c>while</c> tests its condition at the top of each iteration (false: set the flag, run nothing), a <c>do</c> at the
/// end of its body (and where a <c>continue</c> leaves it). The one cap, 2³¹ − 1 iterations, is the int counter's range.
/// </summary>
internal sealed partial class PrimalLowering
{
    /// <summary>What makes a counted loop a while/do loop: the name of its iteration counter and, for a do loop, its test.</summary>
    private sealed record UntilExit(string Name, DoStatementSyntax? Test);

    // The do loop whose body is being lowered: its statement, at the end of a list of body statements, stands for its test.
    private DoStatementSyntax? _doTest;

    private (Value? Exited, Value? Result) LowerWhile(WhileStatementSyntax ws)
    {
        if (!ReferenceEquals(ws, _returnLoop) && ContainsReturn(ws.Statement)) throw ReturnInNestedLoop(ws.Statement);
        var saved = _doTest;
        _doTest = null;
        try
        {
            return LowerCountedLoop(ws, ws.Statement, counter: null, _b.Const(0, IrType.I32), _b.Const(int.MaxValue, IrType.I32), 1,
                LoopCmp.Lt, bindElement: null, new List<ExpressionSyntax> { ws.Condition }, new UntilExit("iter", null));
        }
        finally
        {
            _doTest = saved;
        }
    }

    private (Value? Exited, Value? Result) LowerDo(DoStatementSyntax ds)
    {
        if (!ReferenceEquals(ds, _returnLoop) && ContainsReturn(ds.Statement)) throw ReturnInNestedLoop(ds.Statement);
        var saved = _doTest;
        _doTest = ds;
        try
        {
            return LowerCountedLoop(ds, ds.Statement, counter: null, _b.Const(0, IrType.I32), _b.Const(int.MaxValue, IrType.I32), 1,
                LoopCmp.Lt, bindElement: null, guards: null, new UntilExit("iter", ds));
        }
        finally
        {
            _doTest = saved;
        }
    }

    /// <summary>Whether <paramref name="s"/> is the test of the do loop being lowered (not a do statement of its body).</summary>
    private bool IsDoTest(StatementSyntax s) => _doTest is not null && ReferenceEquals(s, _doTest);

    /// <summary>The do loop's test, where its iteration ends: the loop exits when the condition is false.</summary>
    private void LowerDoTest(DoStatementSyntax ds) =>
        _exit!.Flag = _b.Unary(UnOp.Not, LowerCondition(ds.Condition));
}
