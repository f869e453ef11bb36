using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Dsl.Analyzers.Tests;

/// <summary>
/// One analyzer test per diagnostic id: the exact id, span (the {|#0:…|} markup) and message. The inputs are the
/// examples of docs/diagnostics.md, so the documentation shows what the analyzers say.
/// </summary>
public class AnalyzerIdTests
{
    /// <summary>Per id: the source (with the markup) and the message.</summary>
    public static readonly IReadOnlyDictionary<string, (string Source, string Message)> Cases = new Dictionary<string, (string, string)>
    {
        ["DSL0001"] = ("""
            public static partial class M
            {
                [Differentiable] public static double F(double x, int n) { {|#0:lock (typeof(M)) { x = Math.Sin(x); }|} return x; }
            }
            """, "'F' cannot be differentiated (line 7): 'lock' is not supported"),
        ["DSL0002"] = ("""
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x) => x[0] * x[0];
                [Laplacian(nameof(U), Wrt = "x", Lanes = 99)] public static partial double {|#0:ULap|}(ReadOnlySpan<double> x);
            }
            """, "[Laplacian] Lanes must be between 1 and 16 (got 99)"),
        ["DSL0003"] = ("""
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x)
                {
                    double p = 1;
                    for (int i = 0; i < x.Length; i++) p *= Math.Sqrt(x[i] * x[i] + 1);
                    return p;
                }
                [Gradient(nameof(U))] public static partial double UGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Differentiable] public static double Penalty(ReadOnlySpan<double> x)
                {
                    Span<double> g = stackalloc double[3];
                    double u = UGradient(x, g);
                    double s = 0;
                    for (int i = 0; i < 3; i++) s += g[i] * g[i];
                    return s + u;
                }
                [Gradient(nameof(Penalty))] public static partial double PenaltyGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Kernel(nameof(PenaltyGradient))] static partial void {|#0:PKernel|}(Index1D item, ArrayView<double> x, ArrayView<double> xBar,
                    ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
            }
            """, "'PKernel' cannot become a kernel: 'U_Gradient_Pullback' uses tape level 1: reverse mode over code that itself uses "
                + "the tape (a gradient through a generated gradient or HVP) needs more than the kernel's one per-thread tape — declare "
                + "the kernel on a [Gradient]/[Vjp] method, or on a forward-mode method over it ([Jvp], [Taylor])"),
        ["DSL0004"] = ("""
            static partial class M
            {
                [Differentiable] public static double G(double x) { return x * x; }
                [Gradient(nameof(G))] public static partial double {|#0:GGradient|}(double x);
            }
            """, "'GGradient' has 1 parameters, expected 2: static partial double GGradient(double x, out double xBar)"),
        ["DSL0005"] = ("""
            public static partial class M
            {
                public static double H(double x) => x * x;
                [Gradient(nameof(H))] public static partial double {|#0:HGradient|}(double x, out double xBar);
            }
            """, "[Gradient] on 'HGradient' names 'H', but this type has no [Differentiable] method of that name; mark the method "
                + "[Differentiable], or name one that is"),
        ["DSL0006"] = ("""
            public static partial class M
            {
                [Differentiable] public static double F(double x, int n) => x * n;
                [Gradient(nameof(F), Wrt = "y")] public static partial double {|#0:FGradient|}(double x, int n, out double yBar);
            }
            """, "Wrt names 'y', which is not a parameter of 'F'; its parameters: x, n"),
        ["DSL0007"] = ("""
            public static partial class M
            {
                [Differentiable] public static double F(double x) => x < 1 ? x : F(x / 2);
                [Gradient(nameof(F))] public static partial double {|#0:FGradient|}(double x, out double xBar);
            }
            """, "'F' is recursive (F → F); recursion is not supported, write a loop"),
        ["DSL0008"] = ("""
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x) => x[0] * x[1];
                // Order 13 of one coordinate: beyond the jets' order 12.
                [Derivative(nameof(U), "x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0]", Wrt = "x")]
                public static partial double {|#0:D|}(ReadOnlySpan<double> x);
            }
            """, "[Derivative] on 'D': 'x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0]'"
                + " has order 13; no single Taylor jet of order ≤ 12 isolates it (every slot assignment lets other derivatives of that "
                + "order mix in), and combinations of jets are generated up to order 8 (beyond, up to 2^(order−1) jets with weights "
                + "whose rounding grows with the order); request a [Taylor] jet of that order and combine jets along directions of "
                + "your choosing (docs/mixed-partials.md)"),
        ["DSL0009"] = ("""
            public static partial class M
            {
                static double Square(double x) => x * x;
                [Differentiable] public static double F(double x) => {|#0:Square(x)|} + 1;
            }
            """, "'F' cannot be differentiated (line 8): calls 'Square', which is not [Differentiable]; mark it [Differentiable], "
                + "inline it, or declare its derivative with [DerivativeOf] (docs/custom-rules.md)"),
        ["DSL0010"] = ("""
            static class M
            {
                [Differentiable] public static double F(double x) => x * x;
                [Gradient(nameof(F))] public static partial double {|#0:FGradient|}(double x, out double xBar);
            }
            """, "type 'M' must be declared 'partial' so the generator can add the method body"),
        ["DSL0100"] = ("""
            public static partial class M
            {
                [Differentiable] public static double F(double x, double a) => a * a;
                [Gradient(nameof(F), Wrt = "x")] public static partial double {|#0:FGradient|}(double x, double a, out double xBar);
            }
            """, "'FGradient' is identically zero: no output of 'F' depends on x (a value behind Floor, Ceiling, Round, Truncate, "
                + "Sign or a comparison has a zero derivative); differentiate with respect to inputs the result depends on, or remove "
                + "the declaration"),
        ["DSL0101"] = ("""
            public static partial class M
            {
                [Differentiable] public static double F(double x, double y) => {|#0:Math.Max(x, y)|};
            }
            """, "'Math.Max' of a value that depends on the inputs is not differentiable where x = y (a kink); its derivative is "
                + "taken piecewise, from the side in effect; where that matters, use a smooth function instead (such as "
                + "Math.Sqrt(x * x + eps) for Abs)"),
    };

    public static IEnumerable<object[]> Ids => DslDiagnostics.All.Select(d => new object[] { d.Id });

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task EachIdIsReportedWithItsSpanAndMessage(string id)
    {
        Assert.True(Cases.ContainsKey(id), $"no analyzer test for {id}");
        var (source, message) = Cases[id];
        var descriptor = DslDiagnostics.Of(id);
        var expected = new DiagnosticResult(descriptor).WithLocation(0).WithArguments(message);
        if (id == DslDiagnostics.NonSmooth.Id) await Run<NonSmoothAnalyzer>(source, expected);
        else await Run<DslAnalyzer>(source, expected);
    }

    [Fact]
    public void EveryCaseIsAnId() =>
        Assert.Equal(DslDiagnostics.All.Select(d => d.Id).OrderBy(x => x), Cases.Keys.OrderBy(x => x));

    /// <summary>
    /// Thirteen distinct coordinates: refused as DSL0008 too. The plan search once walked all 12! orderings of the slots
    /// before refusing (90 s here); it now stops an assignment once its order passes 12, so this returns at once (a
    /// regression shows as a test that takes minutes, not as a timing assertion).
    /// </summary>
    [Fact]
    public Task ManyDistinctCoordinatesAreRefusedWithoutSearchingEveryAssignment() => Run<DslAnalyzer>("""
        public static partial class M
        {
            [Differentiable] public static double U(ReadOnlySpan<double> x) => x[0] * x[1];
            [Derivative(nameof(U), "x[0] x[1] x[2] x[3] x[4] x[5] x[6] x[7] x[8] x[9] x[10] x[11] x[12]", Wrt = "x")]
            public static partial double {|#0:D|}(ReadOnlySpan<double> x);
        }
        """, new DiagnosticResult(DslDiagnostics.NoJetPlan).WithLocation(0).WithArguments("[Derivative] on 'D': 'x[0] x[1] x[2] x[3] x[4] "
            + "x[5] x[6] x[7] x[8] x[9] x[10] x[11] x[12]' has order 13; no single Taylor jet of order ≤ 12 isolates it (every slot "
            + "assignment lets other derivatives of that order mix in), and combinations of jets are generated up to order 8 "
            + "(beyond, up to 2^(order−1) jets with weights whose rounding grows with the order); request a [Taylor] jet of that "
            + "order and combine jets along directions of your choosing (docs/mixed-partials.md)"));

    [Fact]
    public Task AComparisonThatSelectsBetweenInputsWarns() => Run<NonSmoothAnalyzer>("""
        public static partial class M
        {
            [Differentiable] public static double F(double x, double y) => {|#0:x > y ? x * x : y|};
        }
        """, new DiagnosticResult(DslDiagnostics.NonSmooth).WithLocation(0).WithArguments("'x > y ? … : …' selects between values "
            + "by a comparison of values that depend on the inputs; it is not differentiable where x = y; its derivative is taken "
            + "piecewise, from the branch in effect"));

    [Fact]
    public Task AbsSaysWhereItsKinkIs() => Run<NonSmoothAnalyzer>("""
        public static partial class M
        {
            [Differentiable] public static float F(float x) => {|#0:MathF.Abs(x - 1f)|};
        }
        """, new DiagnosticResult(DslDiagnostics.NonSmooth).WithLocation(0).WithArguments("'MathF.Abs' of a value that depends on "
            + "the inputs is not differentiable at x - 1f = 0 (a kink); its derivative is taken piecewise, from the side in effect; "
            + "where that matters, use a smooth function instead (such as Math.Sqrt(x * x + eps) for Abs)"));

    /// <summary>Constants, int counters and methods that are not [Differentiable] get no DSL0101.</summary>
    [Fact]
    public Task ConstantsCountersAndOrdinaryMethodsDoNotWarn() => Run<NonSmoothAnalyzer>("""
        public static partial class M
        {
            [Differentiable] public static double F(double x, int n)
            {
                double s = Math.Max(1.0, 2.0) * x;
                for (int i = 0; i < Math.Min(n, 4); i++) s += x;
                return s;
            }
            public static double G(double x) => Math.Abs(x);
        }
        """);

    /// <summary>nameof(Other.F) gives "F": the message says F is in another type and where to declare instead.</summary>
    [Fact]
    public Task APrimalOfAnotherTypeIsNamedAsSuch() => Run<DslAnalyzer>("""
        public static class Other { [Differentiable] public static double F(double x) => x * x; }
        public static partial class M
        {
            [Gradient(nameof(Other.F))] public static partial double {|#0:FGradient|}(double x, out double xBar);
        }
        """, new DiagnosticResult(DslDiagnostics.NameofTarget).WithLocation(0).WithArguments("[Gradient] on 'FGradient' names 'F', "
            + "which is a [Differentiable] method of 'Other', not of this type; declare the derivative in 'Other' (a derivative is "
            + "generated into the type of its primal)"));

    /// <summary>A lambda held in a local is refused as a lambda, with what to write instead, not only by its type.</summary>
    [Fact]
    public Task ALambdaIsNamedAsALambda() => Run<DslAnalyzer>("""
        public static partial class M
        {
            [Differentiable] public static double F(double x)
            {
                Func<double, double> {|#0:g = v => v * v|};
                return g(x);
            }
        }
        """, new DiagnosticResult(DslDiagnostics.NotDifferentiable).WithLocation(0).WithArguments("'F' cannot be differentiated "
            + "(line 9): local 'g' of type 'System.Func<double, double>' holds a lambda; lambdas are not supported: write the "
            + "function as a [Differentiable] static method (or a static local function) and call it"));

    internal static async Task Run<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Harness.Usings + source };
        Harness.Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }
}
