using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Analyzers;
using Dsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Dsl.Tests;

/// <summary><c>[FunctionalDerivative]</c>: the generated code pinned, and the diagnostics for densities and Of methods it cannot take.</summary>
public class FunctionalDerivativeTests
{
    private const string Usings = "using System;\nusing Dsl;\n";

    private static async Task<ImmutableArray<Diagnostic>> Analyze(string source)
    {
        var compilation = GeneratorHarness.Compile(Usings + source);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer()));
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    [Fact]
    public void WeizsackerPotentialAndComposition()
    {
        var result = GeneratorHarness.Run(Usings + """
            public static partial class M
            {
                [Differentiable]
                public static double Tw(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad)
                {
                    double s = 0;
                    for (int i = 0; i < grad.Length; i++) s += grad[i] * grad[i];
                    return s / (8 * rho);
                }
                [FunctionalDerivative(nameof(Tw))]
                public static partial double TwPotential(ReadOnlySpan<double> r, double rho, ReadOnlySpan<double> grad, ReadOnlySpan<double> hessian);

                [Differentiable] public static double L(double x, double y, double yx) => Math.Sqrt(1 + yx * yx) / Math.Sqrt(-y);
                [Differentiable] public static double Curve(double x, double a) => -x + a * x * (x - 1);
                [FunctionalDerivative(nameof(L), Of = nameof(Curve))]
                public static partial double LOnCurve(double x, double a);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated, nameof(WeizsackerPotentialAndComposition));
    }

    [Theory]
    [InlineData("[Differentiable] public static double L(double x, double f, double g, double h, double k) => f * g * h * k;",
        "[FunctionalDerivative(nameof(L))] public static partial double D(double x, double f, double g, double h, double k);",
        "has 5 parameters, expected 2, 3 or 4")]
    [InlineData("[Differentiable] public static double L(double x, double f, double g, double h) => f * g * h;",
        "[FunctionalDerivative(nameof(L))] public static partial double D(double x, double f, double g, double h);",
        "expected 6: static partial double D(double x, double f, double g, double h, double fxxx, double fxxxx)")]
    [InlineData("[Differentiable] public static double L(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> g, double h) => f * h;",
        "[FunctionalDerivative(nameof(L))] public static partial double D(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> g, double h);",
        "second-order densities are supported for a scalar x only")]
    [InlineData("[Differentiable] public static double L(ReadOnlySpan<double> x, double f, double g) => f * g;",
        "[FunctionalDerivative(nameof(L))] public static partial double D(ReadOnlySpan<double> x, double f, double g, ReadOnlySpan<double> h);",
        "is the gradient ∇f and must have the type of x")]
    [InlineData("[Differentiable] public static double L(double x, ReadOnlySpan<double> f) => f[0];",
        "[FunctionalDerivative(nameof(L))] public static partial double D(double x, ReadOnlySpan<double> f);",
        "is the value f(x) and must be double")]
    [InlineData("[Differentiable] public static double L(double x, double f, double fx) => f * fx;",
        "[FunctionalDerivative(nameof(L))] public static partial double D(double x, double f, double fx);",
        "expected 4: static partial double D(double x, double f, double fx, double fxx)")]
    [InlineData("[Differentiable] public static double L(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> g) => f * g[0];",
        "[FunctionalDerivative(nameof(L))] public static partial double D(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> g, double h);",
        "should be 'ReadOnlySpan<double> hessian'")]
    [InlineData("[Differentiable] public static double L(double x, double f) => f * f;",
        "[FunctionalDerivative(nameof(L), Wrt = \"f\")] public static partial double D(double x, double f);",
        "takes no Wrt")]
    [InlineData("[Differentiable] public static double L(double x, double f) => f * f; [Differentiable] public static double Y(ReadOnlySpan<double> x) => x[0];",
        "[FunctionalDerivative(nameof(L), Of = nameof(Y))] public static partial double D(ReadOnlySpan<double> x);",
        "must take the point x first, typed as the density's x (double)")]
    [InlineData("[Differentiable] public static double L(double x, double f) => f * f;",
        "[FunctionalDerivative(nameof(L), Of = \"Missing\")] public static partial double D(double x);",
        "names 'Missing', but this type has no [Differentiable] method of that name")]
    [InlineData("[Differentiable] public static double L(double x, double f) => f * f; [Differentiable] public static double Y(double x, double a) => a * x;",
        "[FunctionalDerivative(nameof(L), Of = nameof(Y))] public static partial double D(double x);",
        "expected 2: static partial double D(double x, double a)")]
    public async Task WrongDensityOrSignatureIsReported(string density, string declaration, string message)
    {
        var diagnostics = await Analyze($$"""
            public static partial class M
            {
                {{density}}
                {{declaration}}
            }
            """);
        // Each is an error of its family (DSL0002 options and density shape, DSL0004 signature, DSL0005 the Of target).
        var d = Assert.Single(diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error));
        Assert.Contains(message, d.GetMessage());
    }
}
