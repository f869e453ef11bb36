using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Dsl.CodeFixes;

/// <summary>
/// DSL0001 on a 'while' loop (the frontend refuses every 'while'; Construct = WhileStatement): rewrites
/// <c>int i = a; while (cond) { body; i++; }</c> into <c>for (int i = a; cond; i++) { body; }</c>. Offered only where that
/// keeps the meaning: the counter is an int local declared by the statement right before the loop, the body's last
/// statement steps it (++, --, +=, -=), the body has no 'continue' (which in the 'for' would step the counter, and in
/// the 'while' skips it), and nothing after the loop reads the counter (it moves into the loop's scope).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhileToForFix))]
public sealed class WhileToForFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DslDiagnostics.NotDifferentiable.Id);

    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Failures.Construct, out var construct)
                || construct != nameof(SyntaxKind.WhileStatement)) continue;
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is not WhileStatementSyntax loop) continue;
            if (Rewrite(loop) is not { } rewrite) continue;
            context.RegisterCodeFix(Fixes.Action("Rewrite as a 'for' loop", ct => Apply(context.Document, rewrite, ct)), diagnostic);
        }
    }

    private sealed record Plan(BlockSyntax Block, LocalDeclarationStatementSyntax Counter, ForStatementSyntax For);

    private static Plan? Rewrite(WhileStatementSyntax loop)
    {
        if (loop.Parent is not BlockSyntax block || loop.Statement is not BlockSyntax body || body.Statements.Count == 0) return null;
        var index = block.Statements.IndexOf(loop);
        if (index < 1 || block.Statements[index - 1] is not LocalDeclarationStatementSyntax counter) return null;
        if (counter.Declaration.Variables.Count != 1 || counter.Declaration.Variables[0].Initializer is null) return null;
        if (counter.Declaration.Type is not PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.IntKeyword }) return null;
        var name = counter.Declaration.Variables[0].Identifier.ValueText;
        if (body.Statements.Last() is not ExpressionStatementSyntax { Expression: var step } || !Steps(step, name)) return null;
        if (body.DescendantNodes().OfType<ContinueStatementSyntax>().Any()) return null;
        var after = block.Statements.Skip(index + 1);
        bool Reads(StatementSyntax s) =>
            s.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == name);
        if (after.Any(Reads)) return null;
        var newBody = body.WithStatements(body.Statements.RemoveAt(body.Statements.Count - 1));
        var header = SyntaxFactory.ForStatement(
                counter.Declaration.WithoutTrivia(), default, loop.Condition.WithoutTrivia(),
                SyntaxFactory.SingletonSeparatedList(step.WithoutTrivia()), newBody)
            .WithLeadingTrivia(counter.GetLeadingTrivia())
            .WithTrailingTrivia(loop.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return new Plan(block, counter, header);
    }

    private static bool Steps(ExpressionSyntax step, string name) => step switch
    {
        PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax id } => id.Identifier.ValueText == name,
        PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax id } p =>
            id.Identifier.ValueText == name && p.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression,
        AssignmentExpressionSyntax { Left: IdentifierNameSyntax id } a =>
            id.Identifier.ValueText == name && a.Kind() is SyntaxKind.AddAssignmentExpression or SyntaxKind.SubtractAssignmentExpression,
        _ => false,
    };

    private static async Task<Document> Apply(Document document, Plan plan, CancellationToken ct)
    {
        var statements = plan.Block.Statements;
        var index = statements.IndexOf(plan.Counter);
        var block = plan.Block.WithStatements(statements.RemoveAt(index + 1).RemoveAt(index).Insert(index, plan.For));
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var changed = document.WithSyntaxRoot(root!.ReplaceNode(plan.Block, block));
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: ct).ConfigureAwait(false);
    }
}
