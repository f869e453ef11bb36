using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.CodeFixes;

/// <summary>
/// DSL0010: adds the modifier the diagnostic's properties name ('partial' or 'static') to the derivative's declaration
/// (Target = "method") or to each declaration of the type that lacks it (Target = the type's documentation id).
/// DSL0005 on a primal that is not static: adds 'static' to it (Target = the primal's documentation id), also from a
/// derivative's declaration, where the generator reports the primal's reason.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddModifierFix))]
public sealed class AddModifierFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds =>
        ImmutableArray.Create(DslDiagnostics.MustBePartialOrStatic.Id, DslDiagnostics.NameofTarget.Id);

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            diagnostic.Properties.TryGetValue(Failures.Modifier, out var modifier);
            if (modifier is not ("partial" or "static")) continue;
            diagnostic.Properties.TryGetValue(Failures.Target, out var target);
            var kind = modifier == "partial" ? SyntaxKind.PartialKeyword : SyntaxKind.StaticKeyword;
            if (target == "method")
            {
                var method = await Fixes.MethodAt(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken)
                    .ConfigureAwait(false);
                if (method is null) continue;
                var fixedMethod = method.WithModifiers(Fixes.WithModifier(method.Modifiers, kind));
                context.RegisterCodeFix(Fixes.Action($"Add '{modifier}' to '{method.Identifier.Text}'",
                    ct => Fixes.Replace(context.Document, method, fixedMethod, ct)), diagnostic);
            }
            else if (target is { Length: > 0 })
            {
                var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
                if (compilation is null) continue;
                var symbol = DocumentationCommentId.GetFirstSymbolForDeclarationId(target, compilation);
                if (symbol is not (INamedTypeSymbol or IMethodSymbol)) continue;
                var solution = context.Document.Project.Solution;
                var what = symbol is INamedTypeSymbol ? "type " : "";
                context.RegisterCodeFix(Fixes.Action($"Add '{modifier}' to {what}'{symbol.Name}'",
                    ct => AddTo(solution, symbol, kind, ct)), diagnostic);
            }
        }
    }

    /// <summary>The modifier on every declaration of the type or method that lacks it (a partial type has several).</summary>
    private static async Task<Solution> AddTo(Solution solution, ISymbol symbol, SyntaxKind kind, System.Threading.CancellationToken ct)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            var declaration = await reference.GetSyntaxAsync(ct).ConfigureAwait(false) as MemberDeclarationSyntax;
            if (declaration is null || declaration.Modifiers.Any(kind)) continue;
            if (solution.GetDocument(declaration.SyntaxTree) is not { } document) continue;
            // Earlier edits changed the solution: find the declaration again in the current document.
            var current = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = current!.FindNode(declaration.Span) as MemberDeclarationSyntax ?? declaration;
            var changed = node.WithModifiers(Fixes.WithModifier(node.Modifiers, kind));
            solution = (await Fixes.Replace(document, node, changed, ct).ConfigureAwait(false)).Project.Solution;
        }
        return solution;
    }
}
