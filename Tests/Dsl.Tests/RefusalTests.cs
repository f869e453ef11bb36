using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Dsl.Analyzers;
using Dsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// A refused derivative reaches the command line: the generator itself reports the reason (DSL0002) at the
/// declaration and writes a stub that throws with it, so the build has no bare CS8795, and the analyzer, which sees
/// the generated part, does not report it a second time (docs/diagnostics.md).
/// </summary>
public class RefusalTests
{
    private const string Source = """
        using System;
        using Dsl;

        public static partial class M
        {
            [Differentiable] public static double G(double x) => x * x;
            [Gradient(nameof(G))] public static partial double GGradient(double x);
            [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, out double dG);
        }
        """;

    private const string Expected = "'GGradient' has 1 parameters, expected 2: static partial double GGradient(double x, out double xBar)";

    [Fact]
    public void TheGeneratorReportsTheReasonAtTheDeclaration()
    {
        var result = GeneratorHarness.Run(Source);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DSL0004", d.Id); // signature mismatch
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(Expected, d.GetMessage());
        // Line 7 of the source, at the method's name: what `dotnet build` prints as Source0.cs(7,56).
        var span = d.Location.GetLineSpan();
        Assert.Equal("Source0.cs", span.Path);
        Assert.Equal((6, 55), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        // The stub gives the declaration its body: the compilation has no error, CS8795 included.
        Assert.Empty(result.Errors);
        Assert.Contains("GJvp", Pipeline.GeneratedMethods(result).Select(m => m.Identifier.Text));
    }

    [Fact]
    public void TheStubThrowsTheSameReason()
    {
        var result = GeneratorHarness.Run(Source);
        var method = GeneratorHarness.Load(result.Output).GetType("M")!.GetMethod("GGradient")!;
        var ex = Assert.Throws<TargetInvocationException>(() => method.Invoke(null, new object[] { 1.0 }));
        var inner = Assert.IsType<NotSupportedException>(ex.InnerException);
        Assert.Equal("Dsl: " + Expected, inner.Message);
    }

    [Fact]
    public async Task TheAnalyzerReportsItOnlyWhereTheGeneratorDidNotRun()
    {
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer());
        var alone = await GeneratorHarness.Compile(Source).WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(Expected, Assert.Single(alone).GetMessage());
        var generated = GeneratorHarness.Run(Source).Output;
        Assert.Empty(await generated.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync());
    }

    [Fact]
    public void MovingARefusedDeclarationRegeneratesNothing()
    {
        var compilation = GeneratorHarness.Compile(Source);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var moved = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("// one line more\n" + Source,
            GeneratorHarness.ParseOptions, path: tree.FilePath));
        var run = driver.RunGenerators(moved).GetRunResult();
        var result = run.Results[0];
        foreach (var step in new[] { "AllPrimals", "GradientRequests", "AllRequests", "TypeRequests", "Generated" })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs),
                o => Assert.Contains(o.Reason, Cacheability.Quiet));
        }
        // Only the refusal's location follows the edit.
        Assert.Equal(7, Assert.Single(run.Diagnostics).Location.GetLineSpan().StartLinePosition.Line);
    }

    [Theory]
    [InlineData("x[0] = 1; ", "is not supported because it writes span 'x'")]
    [InlineData("", "parameter 'x' is a Span<double>, which the signature rules take for an output, but 'S' only reads it; "
        + "declare it 'ReadOnlySpan<double> x'")]
    public void ASpanThatIsOnlyReadIsNotCalledWritten(string write, string reason)
    {
        var result = GeneratorHarness.Run("using System;\nusing Dsl;\npublic static partial class M\n{\n" +
            "    [Differentiable] public static double S(Span<double> x) { " + write +
            "double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * x[i]; return s; }\n" +
            "    [Gradient(nameof(S))] public static partial double SGradient(Span<double> x, Span<double> xBar);\n" +
            "    [Laplacian(nameof(S), Wrt = \"x\")] public static partial double SLap(Span<double> x);\n}\n");
        Assert.Equal(2, result.GeneratorDiagnostics.Length);
        Assert.All(result.GeneratorDiagnostics, d => Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal));
    }

    [Fact]
    public void APrimalThatCallsItsOwnOperatorIsRecursive()
    {
        // U calls ULap, which is generated from U: differentiating U would need ULap's derivative, which needs U's.
        var result = GeneratorHarness.Run("""
            using System;
            using Dsl;
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++) s += x[i] * x[i];
                    return s > 10 ? s : s + 0 * ULap(x);
                }
                [Laplacian(nameof(U), Wrt = "x")] public static partial double ULap(ReadOnlySpan<double> x);
                [Gradient(nameof(U))] public static partial double UGradient(ReadOnlySpan<double> x, Span<double> xBar);
            }
            """);
        Assert.Equal(2, result.GeneratorDiagnostics.Length);
        foreach (var d in result.GeneratorDiagnostics)
        {
            Assert.DoesNotContain("internal error", d.GetMessage(), StringComparison.Ordinal);
            Assert.Contains("'U' is recursive through the generated 'ULap' (U → ULap, generated from U)", d.GetMessage(), StringComparison.Ordinal);
        }
    }
}
