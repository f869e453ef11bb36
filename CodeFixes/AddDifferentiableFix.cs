using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.CodeFixes;

/// <summary>
/// DSL0009: marks the called method [Differentiable], where its declaration is in source. The callee comes from the
/// diagnostic's Callee property (its documentation id), so the fix works from the call and from a derivative's
/// declaration alike.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddDifferentiableFix))]
public sealed class AddDifferentiableFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DslDiagnostics.CalleeNotDifferentiable.Id);

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
        if (compilation is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Failures.Callee, out var id) || id is not { Length: > 0 }) continue;
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is not IMethodSymbol callee) continue;
            var reference = callee.DeclaringSyntaxReferences.FirstOrDefault();
            if (reference is null || context.Document.Project.Solution.GetDocument(reference.SyntaxTree) is not { } document) continue;
            context.RegisterCodeFix(Fixes.Action($"Add [Differentiable] to '{callee.Name}'",
                ct => Mark(document, reference, ct)), diagnostic);
        }
    }

    private static async Task<Document> Mark(Document document, SyntaxReference reference, CancellationToken ct)
    {
        if (await reference.GetSyntaxAsync(ct).ConfigureAwait(false) is not MethodDeclarationSyntax method) return document;
        var attribute = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::Dsl.Differentiable"))));
        // The attribute takes the method's leading trivia; the method goes on the next line, at the same indentation.
        var leading = method.GetLeadingTrivia();
        var indentation = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
            ? leading.Last()
            : SyntaxFactory.Whitespace("");
        var marked = method.WithoutLeadingTrivia().WithLeadingTrivia(indentation)
            .WithAttributeLists(method.AttributeLists.Insert(0, attribute.WithLeadingTrivia(leading)
                .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"))));
        return await Fixes.Replace(document, method, marked, ct).ConfigureAwait(false);
    }
}
