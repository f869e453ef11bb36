using System.Threading.Tasks;
using Dsl.CodeFixes;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Dsl.Analyzers.Tests;

/// <summary>
/// One test per code fix, on the standard harness: the source with the diagnostic ({|id:span|}), the source after the
/// fix, and no diagnostic left after it (the harness runs the analyzer on the fixed code too).
/// </summary>
public class CodeFixTests
{
    private static async Task Fix<TFix>(string source, string fixedSource)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<DslAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Harness.Usings + source,
            FixedCode = Harness.Usings + fixedSource,
        };
        Harness.Configure(test);
        await test.RunAsync();
    }

    [Fact]
    public Task SignatureMismatchGetsTheExpectedSignature() => Fix<UseExpectedSignatureFix>("""
        static partial class M
        {
            [Differentiable] public static double G(double x, ReadOnlySpan<double> w) => x * w[0];
            [Gradient(nameof(G))] public static partial double {|DSL0004:GGradient|}(double x);
        }
        """, """
        static partial class M
        {
            [Differentiable] public static double G(double x, ReadOnlySpan<double> w) => x * w[0];
            [Gradient(nameof(G))] public static partial double GGradient(double x, ReadOnlySpan<double> w, out double xBar, Span<double> wBar);
        }
        """);

    [Fact]
    public Task CalleeGetsDifferentiable() => Fix<AddDifferentiableFix>("""
        public static partial class M
        {
            static double Square(double x) => x * x;
            [Differentiable] public static double F(double x) => {|DSL0009:Square(x)|} + 1;
        }
        """, """
        public static partial class M
        {
            [Differentiable]
            static double Square(double x) => x * x;
            [Differentiable] public static double F(double x) => Square(x) + 1;
        }
        """);

    [Fact]
    public Task TypeGetsPartial() => Fix<AddModifierFix>("""
        static class M
        {
            [Differentiable] public static double F(double x) => x * x;
            [Gradient(nameof(F))] public static partial double {|DSL0010:FGradient|}(double x, out double xBar);
        }
        """, """
        static partial class M
        {
            [Differentiable] public static double F(double x) => x * x;
            [Gradient(nameof(F))] public static partial double FGradient(double x, out double xBar);
        }
        """);

    [Fact]
    public Task DeclarationGetsStatic() => Fix<AddModifierFix>("""
        public partial class M
        {
            [Differentiable] public static double F(double x) => x * x;
            [Gradient(nameof(F))] public partial double {|DSL0010:FGradient|}(double x, out double xBar);
        }
        """, """
        public partial class M
        {
            [Differentiable] public static double F(double x) => x * x;
            [Gradient(nameof(F))] public static partial double FGradient(double x, out double xBar);
        }
        """);

    [Fact]
    public Task PrimalGetsStatic() => Fix<AddModifierFix>("""
        public partial class M
        {
            [Differentiable] public double {|DSL0005:F|}(double x) => x * x;
        }
        """, """
        public partial class M
        {
            [Differentiable] public static double F(double x) => x * x;
        }
        """);
}
