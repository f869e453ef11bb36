using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// <c>continue</c>: an <c>if</c> in a loop body that continues on some path takes the rest of
/// the body into both of its branches (as an early return takes the rest of the method), so the
/// iteration's remaining statements run exactly on the paths that do not continue.
/// </summary>
internal sealed partial class PrimalLowering
{
    private void LowerLoopBody(List<StatementSyntax> statements)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            if (s is ContinueStatementSyntax) return;
            if (s is IfStatementSyntax ifs && ContainsContinue(ifs))
            {
                Note(ifs);
                var tail = statements.Skip(i + 1).ToList();
                var tailSize = tail.Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
                if (_duplicated + tailSize > DuplicationBudget)
                    throw new UnsupportedException(
                        $"the statements after this 'continue' would be copied into too many branches (over {DuplicationBudget}); " +
                        "put the rest of the loop body in an 'if' instead", ifs);
                _duplicated += tailSize;
                var cond = LowerCondition(ifs.Condition);
                var thenStatements = Flatten(new[] { ifs.Statement });
                thenStatements.AddRange(tail);
                var elseStatements = ifs.Else is null ? new List<StatementSyntax>() : Flatten(new[] { ifs.Else.Statement });
                elseStatements.AddRange(tail);
                LowerBranches(cond, () => LowerLoopBody(thenStatements), () => LowerLoopBody(elseStatements));
                return;
            }
            if (ContainsContinue(s))
                throw new UnsupportedException(
                    "'continue' is supported directly in the loop body or inside its if/else; here, put the rest of the body " +
                    "in an 'if'", s);
            LowerStatement(s);
        }
    }

    /// <summary>Whether a <c>continue</c> of the enclosing loop (not of a loop nested in it) is inside <paramref name="node"/>.</summary>
    private static bool ContainsContinue(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => n == node || n is not (ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax
                or DoStatementSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))
            .OfType<ContinueStatementSyntax>().Any();
}
