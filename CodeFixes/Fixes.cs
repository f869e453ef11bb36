using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Dsl.CodeFixes;

/// <summary>What the fixes share: finding the declaration a diagnostic points at, and writing a changed node back.</summary>
internal static class Fixes
{
    /// <summary>The method declaration whose name (or anything inside) the span covers.</summary>
    public static async Task<MethodDeclarationSyntax?> MethodAt(Document document, Microsoft.CodeAnalysis.Text.TextSpan span,
        CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        return root?.FindToken(span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
    }

    /// <summary>The document with <paramref name="old"/> replaced, simplified (global::System.X → X) and formatted.</summary>
    public static async Task<Document> Replace(Document document, SyntaxNode old, SyntaxNode replacement, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var annotated = replacement.WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
        var changed = document.WithSyntaxRoot(root!.ReplaceNode(old, annotated));
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: ct).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Adds a modifier in C#'s order: 'static' before 'partial', 'partial' last (right before the type or return type).</summary>
    public static SyntaxTokenList WithModifier(SyntaxTokenList modifiers, SyntaxKind kind)
    {
        if (modifiers.Any(kind)) return modifiers;
        var token = SyntaxFactory.Token(kind).WithTrailingTrivia(SyntaxFactory.Space);
        if (kind == SyntaxKind.StaticKeyword)
        {
            var partial = modifiers.IndexOf(SyntaxKind.PartialKeyword);
            if (partial >= 0) return modifiers.Insert(partial, token);
        }
        return modifiers.Add(token);
    }

    public static CodeAction Action(string title, System.Func<CancellationToken, Task<Document>> change) =>
        CodeAction.Create(title, change, equivalenceKey: title);

    public static CodeAction Action(string title, System.Func<CancellationToken, Task<Solution>> change) =>
        CodeAction.Create(title, change, equivalenceKey: title);
}
