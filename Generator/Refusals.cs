using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Frontend;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generator;

/// <summary>A request the generator refused: the reason, and the stub method that stands in for its body.</summary>
/// <param name="Stub">The declaration again, with a body that throws <see cref="System.NotSupportedException"/> with the reason.</param>
/// <param name="Id">The diagnostic id (a warning, DSL0100, has no stub: its method was generated).</param>
/// <param name="Properties">The diagnostic's properties, encoded (<see cref="Failures.PropertiesOf"/>).</param>
internal sealed record Refusal(string TypeKey, string Name, string Message, string Id, string Properties, string Stub);

/// <summary>The generator's output for one type: its file (null when nothing was generated) and its refusals.</summary>
internal sealed record TypeOutput(GeneratedFile? File, TypeChain Chain, EquatableArray<Refusal> Refusals);

/// <summary>
/// Where a request is declared, kept apart from <see cref="RequestModel"/> so that moving a declaration (an edit above
/// it) changes no model and regenerates nothing; only the cheap step that reports refusals reads it.
/// </summary>
/// <param name="TakesBody">The declaration can take a generated part: a partial method without a body, not generic,
/// without an implementation yet, in partial types. Only then is a stub written (otherwise it would add errors).</param>
internal sealed record RequestSite(string TypeKey, string Name, string Path, TextSpan Span, LinePositionSpan Lines, bool TakesBody)
{
    public static RequestSite? Of(ISymbol symbol, SyntaxNode node)
    {
        if (symbol is not IMethodSymbol method || node is not MethodDeclarationSyntax syntax) return null;
        var location = syntax.Identifier.GetLocation();
        var takesBody = syntax.Modifiers.Any(SyntaxKind.PartialKeyword) && syntax.Body is null && syntax.ExpressionBody is null
            && method.PartialImplementationPart is null && !method.IsGenericMethod && AllPartial(method.ContainingType)
            && !HasErrorType(method.ReturnType) && !method.Parameters.Any(p => HasErrorType(p.Type));
        return new RequestSite(PrimalLowering.TypeKeyOf(method.ContainingType), method.Name, location.SourceTree?.FilePath ?? "",
            location.SourceSpan, location.GetLineSpan().Span, takesBody);
    }

    public Location Location => Location.Create(Path, Span, Lines);

    /// <summary>A type the compiler cannot resolve: a stub would repeat the user's error inside generated code.</summary>
    private static bool HasErrorType(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol => true,
        INamedTypeSymbol named => named.TypeArguments.Any(HasErrorType),
        IArrayTypeSymbol array => HasErrorType(array.ElementType),
        IPointerTypeSymbol pointer => HasErrorType(pointer.PointedAtType),
        _ => false,
    };

    private static bool AllPartial(INamedTypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            var partial = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>()
                .Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial) return false;
        }
        return true;
    }
}

/// <summary>
/// Refusals are reported by the generator, not only by the analyzers: the command-line compiler drops analyzer
/// diagnostics from a build that has errors, and a derivative without a body is such an error (CS8795), so before
/// this a build printed only CS8795. Now a refused request gets a stub body that throws with the reason (no CS8795)
/// and the reason, with its family's id (DSL0002, DSL0004, …), at the declaration: the one message, with the same id and text as
/// in the IDE. A warning about a generated method (DSL0100) is reported the same way, without a stub.
/// </summary>
internal static class Refusals
{
    public static TypeOutput Output(TypeRequests group, GeneratedFile? file, IEnumerable<RequestOutcome> outcomes)
    {
        var byName = group.Requests.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First());
        var refusals = new List<Refusal>();
        foreach (var outcome in outcomes)
        {
            if (!byName.TryGetValue(outcome.RequestName, out var request)) continue;
            if (outcome.Failure is not null)
            {
                refusals.Add(new Refusal(group.TypeKey, request.Name, outcome.Failure, outcome.Id, outcome.Properties,
                    Stub(request, outcome.Failure)));
            }
            else if (outcome.Warning is not null)
            {
                var warning = Failures.Classify(outcome.Warning);
                refusals.Add(new Refusal(group.TypeKey, request.Name, warning.Message, warning.Id, warning.Properties, ""));
            }
        }
        return new TypeOutput(file, group.Chain, refusals.ToEquatableArray());
    }

    /// <summary>Every request of the group refused with one reason (the generator failed as a whole).</summary>
    public static TypeOutput All(TypeRequests group, string reason) =>
        Output(group, null, group.Requests.Select(r => new RequestOutcome(r.Name, reason)));

    private static string Stub(RequestModel request, string reason)
    {
        var parameters = string.Join(", ", request.Params.Select(p => p.Declaration));
        var message = SymbolDisplay.FormatLiteral("Dsl: " + reason, quote: true);
        return $"{SourceFileEmitter.GeneratedCodeAttribute}\n{request.Modifiers} {request.ReturnTypeText} {request.Name}({parameters})\n"
            + $"    => throw new global::System.NotSupportedException({message});";
    }

    /// <summary>Reports each refusal at its declaration and writes the stubs of those that can take one, a file per type.</summary>
    public static void Report(SourceProductionContext context, IReadOnlyList<TypeOutput> outputs, IReadOnlyList<RequestSite> sites)
    {
        var siteOf = new Dictionary<(string, string), RequestSite>();
        foreach (var site in sites) siteOf[(site.TypeKey, site.Name)] = site;
        foreach (var output in outputs)
        {
            if (output.Refusals.Count == 0) continue;
            var stubs = new List<string>();
            foreach (var refusal in output.Refusals)
            {
                var found = siteOf.TryGetValue((refusal.TypeKey, refusal.Name), out var site);
                context.ReportDiagnostic(Diagnostic.Create(DslDiagnostics.Of(refusal.Id), found ? site!.Location : Location.None,
                    Failures.PropertiesOf(refusal.Properties), refusal.Message));
                if (found && site!.TakesBody && refusal.Stub.Length > 0) stubs.Add(refusal.Stub);
            }
            if (stubs.Count > 0) context.AddSource(HintName(output.Chain), File(output.Chain, stubs));
        }
    }

    private static string HintName(TypeChain chain) =>
        chain.Key.Replace('<', '{').Replace('>', '}').Replace(", ", ",") + ".Dsl.Refused.g.cs";

    private static string File(TypeChain chain, IReadOnlyList<string> stubs)
    {
        var w = new IndentedWriter();
        w.Line("// <auto-generated/>");
        w.Line("// Stand-ins for derivatives Dsl.Generator refused: the build reports why (docs/diagnostics.md).");
        w.Line("#nullable enable");
        w.Line();
        SourceFileEmitter.OpenTypeChain(w, chain);
        for (var i = 0; i < stubs.Count; i++)
        {
            if (i > 0) w.Line();
            foreach (var line in stubs[i].Split('\n')) w.Line(line);
        }
        SourceFileEmitter.CloseTypeChain(w, chain);
        return w.ToString();
    }
}
