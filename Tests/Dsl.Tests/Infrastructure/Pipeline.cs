using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Tests.Infrastructure;

/// <summary>
/// Access to the generator's intermediate models: runs the real pipeline with step tracking
/// and reads the models its steps produced, so tests see exactly what the generator saw.
/// </summary>
internal static class Pipeline
{
    /// <summary>A tracked run: the harness result plus the models of the pipeline's steps.</summary>
    internal sealed record Tracked(
        GeneratorHarness.Result Result,
        Compilation Input,
        IReadOnlyList<PrimalModel> Primals,
        IReadOnlyList<TypeRequests> Groups)
    {
        /// <summary>What <see cref="Generation.Generate"/> decides for every request (the reasons analyzers report).</summary>
        public IReadOnlyList<RequestOutcome> Outcomes =>
            Groups.SelectMany(g => Generation.Generate(g, Primals).Outcomes).ToList();

        public RequestOutcome? Outcome(string request) => Outcomes.FirstOrDefault(o => o.RequestName == request);

        public PrimalModel? Primal(string name) => Primals.FirstOrDefault(p => p.Name == name);
    }

    public static Tracked RunTracked(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var result = GeneratorHarness.RunCompilation(compilation);
        var run = result.Run;
        var steps = run.Results[0].TrackedSteps;
        var primals = steps.TryGetValue("AllPrimals", out var all)
            ? all.SelectMany(s => s.Outputs).Select(o => o.Value).OfType<EquatableArray<PrimalModel>>().SelectMany(a => a).ToList()
            : new List<PrimalModel>();
        var groups = steps.TryGetValue("TypeRequests", out var tr)
            ? tr.SelectMany(s => s.Outputs).Select(o => o.Value).OfType<TypeRequests>().ToList()
            : new List<TypeRequests>();
        return new Tracked(result, compilation, primals, groups);
    }

    /// <summary>The method <paramref name="name"/> declared in <paramref name="compilation"/> (first match), with its model.</summary>
    public static (IMethodSymbol Method, SemanticModel Model)? FindMethod(Compilation compilation, string name)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var m in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (m.Identifier.Text == name && model.GetDeclaredSymbol(m) is { } symbol) return (symbol, model);
            }
        }
        return null;
    }

    /// <summary>Lowers every [Differentiable] method of the sources with <see cref="PrimalLowering.Lower"/>, by name (requests may stay unimplemented).</summary>
    public static Dictionary<string, PrimalModel> LowerAll(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").ToList();
        if (errors.Count > 0) throw new InvalidOperationException("test source does not compile:\n" + string.Join("\n", errors));
        var result = new Dictionary<string, PrimalModel>(StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var m in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(m) is not { } symbol) continue;
                if (!symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute)) continue;
                result[symbol.Name] = PrimalLowering.Lower(symbol, model, CancellationToken.None);
            }
        }
        return result;
    }

    /// <summary>Method declarations of the generated trees (derivatives and helpers; not the stubs of refused requests).</summary>
    public static IEnumerable<MethodDeclarationSyntax> GeneratedMethods(GeneratorHarness.Result result) =>
        MethodsOf(result, refused: false);

    /// <summary>The stubs that stand in for refused requests (they throw NotSupportedException with the reason).</summary>
    public static IEnumerable<MethodDeclarationSyntax> RefusedStubs(GeneratorHarness.Result result) => MethodsOf(result, refused: true);

    private static IEnumerable<MethodDeclarationSyntax> MethodsOf(GeneratorHarness.Result result, bool refused) =>
        result.Sources.Where(s => s.HintName.EndsWith(".Dsl.Refused.g.cs", StringComparison.Ordinal) == refused)
            .SelectMany(s => CSharpSyntaxTree.ParseText(s.SourceText, GeneratorHarness.ParseOptions)
            .GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>());
}
