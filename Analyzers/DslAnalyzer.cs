using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Analyzers;

/// <summary>
/// Reports, as you type, why a method cannot be differentiated (DSL0001 at the construct, or the family of the problem:
/// DSL0005 a method that is not static, DSL0007 recursion, DSL0009 a call of a method that is not differentiable), and
/// why a declared derivative gets no body (DSL0002-DSL0010) or is always zero (DSL0100); the declarations' diagnostics
/// only where the generator did not run, for the generator reports them itself, on the command line too (the compiler
/// drops analyzer diagnostics when a build has errors). <see cref="NonSmoothAnalyzer"/> reports DSL0101. All come from
/// the generator's own frontend and signature rules, so the IDE and the generator never disagree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DslAnalyzer : DiagnosticAnalyzer
{
    // The descriptors live with the generator (Generator/DslDiagnostics.cs), which reports the declarations' refusals itself.
    public static readonly DiagnosticDescriptor NotDifferentiable = DslDiagnostics.NotDifferentiable;

    public static readonly DiagnosticDescriptor InvalidDerivative = DslDiagnostics.InvalidDerivative;

    public static readonly DiagnosticDescriptor NotAKernel = DslDiagnostics.NotAKernel;

    private static readonly ImmutableArray<DiagnosticDescriptor> Supported =
        DslDiagnostics.All.Where(d => d != DslDiagnostics.NonSmooth).ToImmutableArray();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeMethod, SymbolKind.Method);
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attributes = method.GetAttributes();
        var compilation = context.Compilation;
        foreach (var attribute in attributes)
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == PrimalLowering.DifferentiableAttribute)
            {
                var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken);
                if (syntax is null) continue;
                var model = compilation.GetSemanticModel(syntax.SyntaxTree);
                var (reason, node) = PrimalLowering.Check(method, model, context.CancellationToken);
                if (reason is not null)
                {
                    var location = node?.GetLocation() ?? method.Locations.FirstOrDefault();
                    context.ReportDiagnostic(Create(Failures.Classify(reason), location));
                }
            }
            else if (name == UserRules.AttributeName)
            {
                if (UserRules.Check(method, attribute).Error is { } error)
                {
                    var at = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation();
                    context.ReportDiagnostic(Diagnostic.Create(InvalidDerivative, at ?? method.Locations.FirstOrDefault(),
                        $"'{method.Name}' is not a derivative rule: {error}"));
                }
            }
            else if (RequestKinds.ForAttribute(name) is { } row)
            {
                // Where the generator ran, the declaration has its generated part (the derivative, or for a refusal a stub
                // that throws) and the generator has reported the reason itself (DslGenerator.ReportRefusals): saying it
                // again would list it twice in the IDE. Without the generator (an analyzer-only host) it is said here.
                if (method.PartialImplementationPart is not null) continue;
                // The declaration without a body (the generated part has one).
                var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(context.CancellationToken))
                        .OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Body is null && m.ExpressionBody is null)
                    ?? method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as MethodDeclarationSyntax;
                if (syntax is null) continue;
                var request = RequestReader.Read(method, syntax, attribute, row, context.CancellationToken);
                if (request is null) continue;
                var (primals, requests) = LowerReachable(method.ContainingType, request.PrimalName, request.Of, compilation, context);
                requests.Add(request);
                var group = new TypeRequests(request.TypeKey, request.Chain, new[] { request }.ToEquatableArray());
                var (_, outcomes) = Generation.Generate(group, primals, requests);
                if (outcomes.FirstOrDefault() is { Failure: { } failure } outcome)
                {
                    var classified = new Classified(outcome.Id, failure, outcome.Properties);
                    context.ReportDiagnostic(Create(classified, method.Locations.FirstOrDefault()));
                }
                else if (outcomes.FirstOrDefault() is { Warning: { } warning })
                    context.ReportDiagnostic(Create(Failures.Classify(warning), method.Locations.FirstOrDefault()));
            }
        }
    }

    private static Diagnostic Create(Classified failure, Location? location) =>
        Diagnostic.Create(failure.Descriptor, location, Failures.PropertiesOf(failure.Properties), failure.Message);

    /// <summary>Lowers the named primal and everything it calls, including generated methods it calls and their primals.</summary>
    private static (List<PrimalModel> Primals, List<RequestModel> Requests) LowerReachable(INamedTypeSymbol type, string primalName,
        string of, Compilation compilation, SymbolAnalysisContext context)
    {
        var result = new List<PrimalModel>();
        var requests = new List<RequestModel>();
        var seen = new HashSet<string>();
        bool IsPrimal(IMethodSymbol m) =>
            m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute);
        // A [Kernel] may name a generated method: start from it too (its request leads to its primal).
        bool IsRequest(IMethodSymbol m) =>
            m.GetAttributes().Any(a => RequestKinds.ForAttribute(a.AttributeClass?.ToDisplayString()) is not null);
        var work = new Stack<IMethodSymbol>(type.GetMembers(primalName).OfType<IMethodSymbol>().Where(m => IsPrimal(m) || IsRequest(m)));
        // nameof(Other.F): the generator names a [Differentiable] F of another type in its refusal, so the analyzer lowers it too.
        if (work.Count == 0)
        {
            foreach (var m in compilation.GetSymbolsWithName(primalName, SymbolFilter.Member, context.CancellationToken)
                .OfType<IMethodSymbol>().Where(IsPrimal)) work.Push(m);
        }
        // A request's second method (a functional derivative's Of = f) is lowered too.
        if (of.Length > 0) foreach (var m in type.GetMembers(of).OfType<IMethodSymbol>().Where(IsPrimal)) work.Push(m);
        while (work.Count > 0)
        {
            var m = work.Pop();
            if (!seen.Add(PrimalLowering.KeyOf(m))) continue;
            var syntax = m.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as MethodDeclarationSyntax;
            if (syntax is null) continue;
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
            foreach (var attribute in m.GetAttributes())
            {
                var name = attribute.AttributeClass?.ToDisplayString();
                if (RequestKinds.ForAttribute(name) is not { } row) continue;
                // A generated method that the primal calls: its request, and its own primal.
                if (RequestReader.Read(m, syntax, attribute, row, context.CancellationToken) is { } r)
                {
                    requests.Add(r);
                    foreach (var p in m.ContainingType.GetMembers(r.PrimalName).OfType<IMethodSymbol>().Where(IsPrimal)) work.Push(p);
                    if (r.Of.Length > 0)
                        foreach (var p in m.ContainingType.GetMembers(r.Of).OfType<IMethodSymbol>().Where(IsPrimal)) work.Push(p);
                }
            }
            if (!IsPrimal(m)) continue;
            result.Add(PrimalLowering.Lower(m, model, context.CancellationToken));
            foreach (var invocation in syntax.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is IMethodSymbol callee)
                {
                    work.Push(callee);
                    // A method with [DerivativeOf] rules: the rules are primals the call reaches.
                    foreach (var rule in UserRules.RulesOf(callee, compilation, context.CancellationToken)) work.Push(rule);
                }
            }
        }
        return (result, requests);
    }
}
