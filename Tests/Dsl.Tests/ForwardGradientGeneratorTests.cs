using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// <c>[ForwardGradient]</c>: the generated code is pinned (one vector-mode pass per chunk of Lanes
/// tangents, the estimate accumulated after each pass), and every wrong declaration gets no body
/// and a reason that says what to write instead.
/// </summary>
public class ForwardGradientGeneratorTests
{
    private const string Usings = "using System;\nusing Dsl;\n";

    private const string Primal = """
            [Differentiable]
            public static double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++) s += theta[i] * Math.Tanh(x[i] * theta[i]);
                return s * s;
            }
        """;

    [Fact]
    public void WeightPerturbationProjectionAndClipping()
    {
        var result = GeneratorHarness.Run(Usings + "public static partial class M\n{\n" + Primal + """
                [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 2)]
                public static partial double LossForwardGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta,
                    ReadOnlySpan<double> tangents, Span<double> thetaEstimate);
                [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 1, Projection = true, Clip = 2.5)]
                public static partial double LossGuided(ReadOnlySpan<double> x, ReadOnlySpan<double> theta,
                    ReadOnlySpan<double> guesses, Span<double> thetaEstimate);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated, nameof(WeightPerturbationProjectionAndClipping));
        // Forward gradients need no tape: nothing generated for them pushes or pops one.
        Assert.DoesNotContain("Tape", result.AllGenerated, StringComparison.Ordinal);
        Assert.Contains("__scratch.Release()", result.AllGenerated, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\")] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, Span<double> thetaEstimate);", "has 3 parameters, expected 4")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\")] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, ReadOnlySpan<double> thetaEstimate);",
        "should be 'Span<double> thetaEstimate'")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\")] public static partial void G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, Span<double> thetaEstimate);", "must return double")]
    [InlineData("[ForwardGradient(nameof(Loss))] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, Span<double> thetaEstimate);", "needs Wrt naming the one span")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"x,theta\")] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, Span<double> thetaEstimate);", "needs Wrt naming the one span")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\", Lanes = 17)] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, Span<double> thetaEstimate);", "Lanes must be between 1 and 16")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\", Clip = -1)] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<double> tangents, Span<double> thetaEstimate);", "Clip must be a finite number >= 0")]
    [InlineData("[ForwardGradient(nameof(Loss), Wrt = \"theta\")] public static partial double G(ReadOnlySpan<double> x, " +
        "ReadOnlySpan<double> theta, ReadOnlySpan<float> tangents, Span<double> thetaEstimate);", "ReadOnlySpan<double> tangents")]
    public void WrongDeclarationsGetAReason(string declaration, string reason)
    {
        var tracked = Pipeline.RunTracked(Usings + "public static partial class M\n{\n" + Primal + "\n    " + declaration + "\n}\n");
        foreach (var r in tracked.Result.Run.Results) Assert.Null(r.Exception);
        Assert.DoesNotContain("G", Pipeline.GeneratedMethods(tracked.Result).Select(m => m.Identifier.Text));
        var failure = tracked.Outcome("G")?.Failure;
        Assert.NotNull(failure);
        Assert.Contains(reason, failure!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAnalyzerReportsAWrongSignatureWithTheExpectedOne()
    {
        var compilation = GeneratorHarness.Compile(Usings + "public static partial class M\n{\n" + Primal + """
                [ForwardGradient(nameof(Loss), Wrt = "theta")]
                public static partial double G(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> thetaEstimate);
            }
            """);
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        var d = Assert.Single(diagnostics);
        Assert.Equal("DSL0004", d.Id);
        Assert.Contains("expected 4: static partial double G(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, " +
            "ReadOnlySpan<double> tangents, Span<double> thetaEstimate)", d.GetMessage(), StringComparison.Ordinal);
    }
}
