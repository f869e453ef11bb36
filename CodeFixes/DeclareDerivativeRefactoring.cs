using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeRefactorings;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.CodeFixes;

/// <summary>
/// On a [Differentiable] method: "Declare [Gradient] of F", "[Jvp]", "[Hvp]", "[Vjp]", "[Laplacian]", "[Biharmonic]":
/// inserts after it the declaration with the exact signature the generator expects. The signature comes from the
/// generator's own rules (<see cref="SignatureRules.ExpectedSignature"/> on the method lowered by its frontend), so a
/// declaration the refactoring writes is one the generator accepts; a kind whose rule refuses the method (an operator
/// without exactly one span, reverse mode over a method that writes a span) is not offered.
/// </summary>
[ExportCodeRefactoringProvider(LanguageNames.CSharp, Name = nameof(DeclareDerivativeRefactoring))]
public sealed class DeclareDerivativeRefactoring : CodeRefactoringProvider
{
    /// <summary>The kinds offered, with the suffix of the declared method's name.</summary>
    private static readonly (RequestKind Kind, string Attribute, string Suffix)[] Kinds =
    {
        (RequestKind.Gradient, "Gradient", "Gradient"),
        (RequestKind.Jvp, "Jvp", "Jvp"),
        (RequestKind.Hvp, "Hvp", "Hvp"),
        (RequestKind.Vjp, "Vjp", "Vjp"),
        (RequestKind.Laplacian, "Laplacian", "Laplacian"),
        (RequestKind.Biharmonic, "Biharmonic", "Biharmonic"),
    };

    public override async Task ComputeRefactoringsAsync(CodeRefactoringContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var syntax = root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
        // Offered from the method's header (name, modifiers, attributes, parameters), not from anywhere in its body.
        if (syntax is null || syntax.Body?.Span.Contains(context.Span.Start) == true
            || syntax.ExpressionBody?.Span.Contains(context.Span.Start) == true) return;
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method) return;
        if (!method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute)) return;
        var primal = PrimalLowering.Lower(method, model, context.CancellationToken);
        if (primal.Failure is not null) return;
        var taken = new HashSet<string>(method.ContainingType.GetMembers().Select(m => m.Name));
        foreach (var (kind, attribute, suffix) in Kinds)
        {
            var name = method.Name + suffix;
            if (taken.Contains(name) || Declaration(primal, method, kind, attribute, name) is not { } text) continue;
            context.RegisterRefactoring(Fixes.Action($"Declare [{attribute}] of '{method.Name}'",
                ct => Insert(context.Document, syntax, text, ct)));
        }
    }

    /// <summary>The declaration's text (fully qualified; simplified when inserted), or null when the kind's rule refuses.</summary>
    internal static string? Declaration(PrimalModel primal, IMethodSymbol method, RequestKind kind, string attribute, string name)
    {
        var row = RequestKinds.Of(kind);
        string? wrt = null;
        if (row is Generator.Frontend.Kinds.JetOperatorRow)
        {
            // An operator acts on the primal's one span of inputs.
            var spans = primal.Params.Where(p => p.Type is { IsBuffer: true, IsDifferentiable: true }).ToList();
            if (spans.Count != 1) return null;
            wrt = spans[0].Name;
        }
        var request = new RequestModel(kind, primal.Name, wrt, new TypeChain(null, EquatableArray<ContainingType>.Empty),
            primal.TypeKey, "", "", null, name, EquatableArray<ParamModel>.Empty, null, FunctionKey.Primal(primal.Key + "." + name),
            row.DefaultOrder, Estimator.Exact, "", row.DefaultLanes);
        if (row.CheckOptions(request.Order, request.Lanes) is not null) return null;
        if (SignatureRules.ExpectedSignature(request, new[] { primal }) is not { } expected) return null;
        var access = SyntaxFacts.GetText(method.DeclaredAccessibility);
        var wrtArgument = wrt is null ? "" : $", Wrt = \"{wrt}\"";
        return $"[global::Dsl.{attribute}(nameof({method.Name}){wrtArgument})]\n"
            + $"{(access.Length > 0 ? access + " " : "")}static partial {expected.Returns} {name}({expected.Parameters});";
    }

    private static async Task<Document> Insert(Document document, MethodDeclarationSyntax after, string text, CancellationToken ct)
    {
        if (SyntaxFactory.ParseMemberDeclaration(text) is not MemberDeclarationSyntax member) return document;
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var leading = after.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToList();
        member = member.WithLeadingTrivia(new[] { SyntaxFactory.EndOfLine("\n") }.Concat(leading))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        var annotated = member.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation,
            Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        var changed = document.WithSyntaxRoot(root!.InsertNodesAfter(after, new[] { annotated }));
        changed = await Microsoft.CodeAnalysis.Simplification.Simplifier.ReduceAsync(changed, cancellationToken: ct).ConfigureAwait(false);
        return await Microsoft.CodeAnalysis.Formatting.Formatter.FormatAsync(changed,
            Microsoft.CodeAnalysis.Formatting.Formatter.Annotation, cancellationToken: ct).ConfigureAwait(false);
    }
}
