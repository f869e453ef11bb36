using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Dsl.Analyzers.Tests;

/// <summary>
/// The ids the generator and the analyzers can produce are exactly the descriptors of DslDiagnostics, and the generator
/// reports a declaration's refusal with the id and text the analyzer gives.
/// </summary>
public class FamilyTests
{
    /// <summary>Every descriptor field of DslDiagnostics, by reflection (a descriptor added there is seen here).</summary>
    private static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> Fields = typeof(DslDiagnostics)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .ToDictionary(f => f.Name, f => (DiagnosticDescriptor)f.GetValue(null)!);

    [Fact]
    public void TheTableListsEveryDescriptorOnce()
    {
        Assert.Equal(Fields.Values.Select(d => d.Id).OrderBy(x => x), DslDiagnostics.All.Select(d => d.Id).OrderBy(x => x));
        Assert.Equal(DslDiagnostics.All.Count, DslDiagnostics.All.Select(d => d.Id).Distinct().Count());
    }

    /// <summary>
    /// The refusal sites: every place in the generator and the analyzers that names a descriptor (a refusal is tagged
    /// with its family by <c>Failures.Tag(DslDiagnostics.X, …)</c>, an exception by <c>new UnsupportedException(
    /// DslDiagnostics.X, …)</c>, a report by <c>Diagnostic.Create(DslDiagnostics.X, …)</c>; an untagged failure is
    /// <c>DslDiagnostics.InvalidDerivative</c> in Failures.Classify). Their set must be every descriptor: an id no site
    /// can produce, or a site naming something else, fails here.
    /// </summary>
    [Fact]
    public void TheRefusalSitesProduceExactlyTheDescriptors()
    {
        var root = Harness.RepositoryRoot;
        var files = Directory.EnumerateFiles(Path.Combine(root, "Generator"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "Analyzers"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && Path.GetFileName(f) != "DslDiagnostics.cs");
        var named = new HashSet<string>();
        foreach (var file in files)
        {
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"DslDiagnostics\.(\w+)")) named.Add(m.Groups[1].Value);
        }
        // The table and its lookup, and the file's name in comments ("Generator/DslDiagnostics.cs").
        named.ExceptWith(new[] { nameof(DslDiagnostics.All), nameof(DslDiagnostics.Of), "cs" });
        Assert.All(named, n => Assert.True(Fields.ContainsKey(n), $"DslDiagnostics.{n} is not a descriptor"));
        Assert.Equal(Fields.Values.Select(d => d.Id).OrderBy(x => x), named.Select(n => Fields[n].Id).Distinct().OrderBy(x => x));
    }

    /// <summary>The fixes read properties, not text: the generator's diagnostics (what the IDE shows where the generator
    /// ran) carry them as the analyzer's do.</summary>
    [Fact]
    public void TheGeneratorCarriesTheFixProperties()
    {
        var d = RunGenerator("""
            public static partial class M
            {
                static double Square(double x) => x * x;
                [Differentiable] public static double F(double x) => Square(x) + 1;
                [Gradient(nameof(F))] public static partial double FGradient(double x, out double xBar);
                [Differentiable] public static double G(double x) => x * x;
                [Jvp(nameof(G))] public static partial double GJvp(double x);
            }
            """);
        var callee = Assert.Single(d, x => x.Id == "DSL0009");
        Assert.Equal("M:M.Square(System.Double)", callee.Properties[Failures.Callee]);
        var signature = Assert.Single(d, x => x.Id == "DSL0004");
        Assert.Equal("double", signature.Properties[Failures.ExpectedReturn]);
        Assert.Equal("double x, double dX, out double dResult", signature.Properties[Failures.ExpectedParameters]);
    }

    /// <summary>The generator sees every primal of the compilation, the analyzer looks the name up: the same text.</summary>
    [Fact]
    public void APrimalOfAnotherTypeGetsTheAnalyzersText()
    {
        var d = Assert.Single(RunGenerator("""
            public static class Other { [Differentiable] public static double F(double x) => x * x; }
            public static partial class M
            {
                [Gradient(nameof(Other.F))] public static partial double FGradient(double x, out double xBar);
            }
            """));
        Assert.Equal("DSL0005", d.Id);
        Assert.Equal("[Gradient] on 'FGradient' names 'F', which is a [Differentiable] method of 'Other', not of this type; declare "
            + "the derivative in 'Other' (a derivative is generated into the type of its primal)", d.GetMessage());
    }

    private static ImmutableArray<Diagnostic> RunGenerator(string source)
    {
        var compilation = CSharpCompilation.Create("Test", new[] { CSharpSyntaxTree.ParseText(Harness.Usings + source, path: "Test0.cs") },
            Harness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return CSharpGeneratorDriver.Create(new DslGenerator()).RunGenerators(compilation).GetRunResult().Diagnostics;
    }

    public static IEnumerable<object[]> DeclarationIds => AnalyzerIdTests.Cases
        .Where(c => c.Key is not ("DSL0001" or "DSL0009" or "DSL0101"))
        .Select(c => new object[] { c.Key });

    /// <summary>
    /// What `dotnet build` prints: the generator's own diagnostic at the declaration, with the analyzer's id and text
    /// (the analyzer tests pin the text).
    /// </summary>
    [Theory]
    [MemberData(nameof(DeclarationIds))]
    public void TheGeneratorReportsTheSameIdAndText(string id)
    {
        var (source, message) = AnalyzerIdTests.Cases[id];
        var d = Assert.Single(RunGenerator(source.Replace("{|#0:", "").Replace("|}", "")));
        Assert.Equal(id, d.Id);
        Assert.Equal(message, d.GetMessage());
        Assert.Equal(DslDiagnostics.Of(id).DefaultSeverity, d.Severity);
    }
}
