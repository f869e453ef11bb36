using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Analyzers;
using Dsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Dsl.Tests;

/// <summary>The analyzers report exactly what the frontend and the signature rules reject, where.</summary>
public class AnalyzerTests
{
    private static async Task<ImmutableArray<Diagnostic>> Analyze(string source)
    {
        var compilation = GeneratorHarness.Compile("using System;\nusing Dsl;\n" + source);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer()));
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    [Fact]
    public async Task UnsupportedConstructIsReportedAtTheConstruct()
    {
        var diagnostics = await Analyze("""
            public static partial class M
            {
                [Differentiable] public static double F(double x) { lock (typeof(M)) { x *= 2; } return x; }
            }
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("DSL0001", d.Id);
        Assert.Contains("'lock' is not supported", d.GetMessage());
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line + 1); // the line of the lock
    }

    [Fact]
    public async Task WrongSignatureShowsTheExpectedOne()
    {
        var diagnostics = await Analyze("""
            public static partial class M
            {
                [Differentiable] public static double G(double x, ReadOnlySpan<double> w) => x * w[0];
                [Jvp(nameof(G))] public static partial double GJvp(double x, float dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dG);
            }
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("DSL0004", d.Id);
        Assert.Contains("should be 'double dX'", d.GetMessage());
        Assert.Contains("expected: static partial double GJvp(double x, double dX, ReadOnlySpan<double> w, ReadOnlySpan<double> dW, out double dResult)", d.GetMessage());
    }

    [Fact]
    public async Task OperatorCalledFromAPrimalIsNotReported()
    {
        // A generated operator used inside a differentiable method is part of the subset.
        var diagnostics = await Analyze("""
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x, double a) => a * x[0] * x[0];
                [Laplacian(nameof(U), Wrt = "x")] public static partial double ULap(ReadOnlySpan<double> x, double a);
                [Differentiable] public static double Loss(ReadOnlySpan<double> x, double a) { double r = ULap(x, a) - 1; return r * r; }
                [Gradient(nameof(Loss), Wrt = "a")] public static partial double LossGradient(ReadOnlySpan<double> x, double a, out double aBar);
            }
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task ValidCodeHasNoDiagnostics()
    {
        var diagnostics = await Analyze("""
            public static partial class M
            {
                [Differentiable] public static double F(double x) => Math.Sin(x) * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dF);
                [Gradient(nameof(F))] public static partial double FGradient(double x, out double xBar);
            }
            """);
        Assert.Empty(diagnostics);
    }
}
