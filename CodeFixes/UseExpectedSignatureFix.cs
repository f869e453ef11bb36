using System.Collections.Immutable;
using System.Threading.Tasks;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.CodeFixes;

/// <summary>
/// DSL0004: replaces the declaration's return type and parameter list with the ones the signature rule expects. Both
/// come from the diagnostic's properties (fully qualified; the simplifier shortens them), never from its message.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseExpectedSignatureFix))]
public sealed class UseExpectedSignatureFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DslDiagnostics.SignatureMismatch.Id);

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Failures.ExpectedReturn, out var returns) || returns is null) continue;
            if (!diagnostic.Properties.TryGetValue(Failures.ExpectedParameters, out var parameters) || parameters is null) continue;
            var method = await Fixes.MethodAt(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken)
                .ConfigureAwait(false);
            if (method is null) continue;
            var fixedMethod = method
                .WithReturnType(SyntaxFactory.ParseTypeName(returns).WithTriviaFrom(method.ReturnType))
                .WithParameterList(SyntaxFactory.ParseParameterList("(" + parameters + ")").WithTriviaFrom(method.ParameterList));
            context.RegisterCodeFix(
                Fixes.Action("Use the expected signature", ct => Fixes.Replace(context.Document, method, fixedMethod, ct)), diagnostic);
        }
    }
}
