using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using Dsl.Tests.Infrastructure;
using MathNet.Numerics;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Derivative rules for methods the generator does not look into: the built-in MathNet.Numerics rules and
/// user rules declared with [DerivativeOf], in forward, reverse and Taylor mode, through operators and
/// reverse over Taylor, against finite differences of the compiled primal and closed forms.
/// </summary>
public class CustomRuleTests
{
    private const double Eps = 2.220446049250313e-16;

    // A method the generator may not look into (no [Differentiable]), with user rules below.
    private const string Ext = """
        public static class Ext
        {
            public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
            public static double Hyp(double x, double y) => Math.Sqrt(x * x + y * y);
            public static double Hyp2(double x, double y) => Math.Sqrt(x * x + y * y);
        }
        public static partial class Rules
        {
            // A rule for a method of another assembly (MathNet has no built-in rule for it): (ψ⁻¹)′(p) = 1/ψ⁽¹⁾(ψ⁻¹(p)).
            [Differentiable, DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.DiGammaInv))]
            public static double DiGammaInvPrime(double p) => 1 / Dsl.Special.Trigamma(SpecialFunctions.DiGammaInv(p));
            // The JVP form: one rule for every parameter, linear in the tangents.
            [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp2), Form = RuleForm.Jvp)]
            public static double Hyp2Jvp(double x, double y, double dx, double dy) => (x * dx + y * dy) / Ext.Hyp2(x, y);
            [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Softplus))]
            public static double SoftplusPrime(double x) => 1 / (1 + Math.Exp(-x));
            // The rules of Hyp call Hyp: Taylor mode jets them one order lower each time, so the recursion ends.
            [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = "x")]
            public static double HypX(double x, double y) => x / Ext.Hyp(x, y);
            [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = "y")]
            public static double HypY(double x, double y) => y / Ext.Hyp(x, y);
        }

        """;

    internal static GeneratorHarness.Result Run(string source)
    {
        var compilation = GeneratorHarness.Compile("using System;\nusing Dsl;\nusing MathNet.Numerics;\n" + source)
            .AddReferences(MetadataReference.CreateFromFile(typeof(SpecialFunctions).Assembly.Location));
        return GeneratorHarness.RunCompilation(compilation);
    }

    private static Assembly Build(string source)
    {
        var result = Run(source);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        return GeneratorHarness.Load(result.Output);
    }

    // Each case: a scalar function of x through a rule, at a point where its derivatives are of order one.
    public static readonly (string Expression, double X)[] Cases =
    {
        ("SpecialFunctions.Erf(x)", 0.3), ("SpecialFunctions.Erfc(x)", 0.7),
        ("SpecialFunctions.ErfInv(x)", 0.4), ("SpecialFunctions.ErfcInv(x)", 0.6),
        ("SpecialFunctions.GammaLn(x)", 2.5), ("SpecialFunctions.Gamma(x)", 1.7), ("SpecialFunctions.DiGamma(x)", 1.3),
        ("Dsl.Special.Trigamma(x)", 1.5), ("Dsl.Special.Polygamma(2, x)", 2.5),
        ("SpecialFunctions.Logistic(x)", 0.4), ("SpecialFunctions.Logit(x)", 0.3),
        ("SpecialFunctions.BetaLn(x, 2.2)", 1.3), ("SpecialFunctions.BetaLn(1.3, x)", 2.2),
        ("SpecialFunctions.Beta(x, 1.6)", 0.8), ("SpecialFunctions.Beta(0.8, x)", 1.6),
        ("SpecialFunctions.BesselI0(x)", 0.8), ("SpecialFunctions.BesselI1(x)", 1.1),
        ("SpecialFunctions.BesselK0(x)", 1.2), ("SpecialFunctions.BesselK1(x)", 0.9),
        ("SpecialFunctions.BesselJ(1.5, x)", 2.0), ("SpecialFunctions.BesselY(1, x)", 2.5),
        ("SpecialFunctions.AiryAi(x)", 0.5), ("SpecialFunctions.AiryAiPrime(x)", -0.4),
        ("SpecialFunctions.AiryBi(x)", 0.3), ("SpecialFunctions.AiryBiPrime(x)", 0.2),
        ("SpecialFunctions.GammaLowerRegularized(2.5, x)", 1.3), ("SpecialFunctions.GammaUpperRegularized(1.5, x)", 0.9),
        ("SpecialFunctions.ExponentialMinusOne(x)", 0.3), ("SpecialFunctions.Hypotenuse(x, 0.7)", 0.5),
        ("SpecialFunctions.Hypotenuse(0.5, x)", 0.7),
        ("Ext.Softplus(x)", 0.4), ("Ext.Hyp(x, 0.7)", 0.6), ("Ext.Hyp(0.6, x)", 0.7),
        ("SpecialFunctions.DiGammaInv(x)", 0.5), ("Ext.Hyp2(x, 0.7)", 0.6), ("Ext.Hyp2(0.6, x)", 0.7), ("Ext.Hyp2(x, x * x)", 0.8),
    };

    private static readonly Lazy<Assembly> CaseAssembly = new(() =>
    {
        var s = new StringBuilder(Ext).AppendLine("public static partial class C\n{");
        for (var i = 0; i < Cases.Length; i++)
        {
            s.AppendLine($"    [Differentiable] public static double F{i}(double x) => {Cases[i].Expression};")
                .AppendLine($"    [Jvp(nameof(F{i}))] public static partial double F{i}Jvp(double x, double dx, out double dy);")
                .AppendLine($"    [Gradient(nameof(F{i}))] public static partial double F{i}Grad(double x, out double xBar);")
                .AppendLine($"    [Taylor(nameof(F{i}), Order = 3, Wrt = \"x\")] public static partial void F{i}T(double x, ReadOnlySpan<double> j, Span<double> y);")
                .AppendLine($"    public static void F{i}Taylor(double x, double[] j, double[] y) => F{i}T(x, j, y);");
        }
        return Build(s.AppendLine("}").ToString());
    });

    private static double Call(int i, string suffix, params object[] args) =>
        (double)CaseAssembly.Value.GetType("C")!.GetMethod("F" + i + suffix)!.Invoke(null, args)!;

    private static double Jvp(int i, double x)
    {
        var args = new object[] { x, 1.0, 0.0 };
        Call(i, "Jvp", args);
        return (double)args[2];
    }

    private static double[] Taylor(int i, double x, params double[] jet)
    {
        var y = new double[4];
        CaseAssembly.Value.GetType("C")!.GetMethod("F" + i + "Taylor")!.Invoke(null, new object[] { x, jet, y });
        return y;
    }

    public static IEnumerable<object[]> CaseIndices() => Enumerable.Range(0, Cases.Length).Select(i => new object[] { i, Cases[i].Expression });

    /// <summary>
    /// Forward and reverse mode agree with a central difference of the compiled primal (h = 1e-5: truncation
    /// h²/6·|f‴| ≈ 2e-11·|f‴| plus rounding ≈ ε|f|/h ≈ 2e-11·|f|, both below 1e-8 where f and f‴ are below
    /// a hundred, as at these points), and the value is the primal's, bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void FirstDerivativeInForwardAndReverseMode(int i, string expression)
    {
        var x = Cases[i].X;
        const double h = 1e-5;
        var f = Call(i, "", x);
        var fd = (Call(i, "", x + h) - Call(i, "", x - h)) / (2 * h);
        var jvpArgs = new object[] { x, 1.0, 0.0 };
        Assert.Equal(f, Call(i, "Jvp", jvpArgs));
        var dy = (double)jvpArgs[2];
        Assert.True(Math.Abs(dy - fd) <= 1e-8 * (1 + Math.Abs(dy)), $"{expression}: jvp {dy}, central difference {fd}");
        var gradArgs = new object[] { x, 0.0 };
        Assert.Equal(f, Call(i, "Grad", gradArgs));
        // Reverse mode evaluates the same rule: equal up to the rounding of a few operations (4ε relative).
        Assert.True(Math.Abs((double)gradArgs[1] - dy) <= 4 * Eps * Math.Abs(dy), $"{expression}: gradient {gradArgs[1]}, jvp {dy}");
    }

    /// <summary>
    /// The order-3 jet along (1, 0, 0) holds f′, f″, f‴: f′ is the JVP's; f″ a central difference of the JVP
    /// and f‴ one of the jet's f″ (h = 1e-5: truncation h²/6·|f⁽⁴⁾|, h²/6·|f⁽⁵⁾| ≈ 2e-11 times them, rounding
    /// ε|f′|/h ≈ 2e-11·|f′|: below 1e-7 for derivatives below a thousand). A general jet (v₁, v₂, v₃) must
    /// compose them by Faà di Bruno, y₂ = f″v₁² + f′v₂, y₃ = f‴v₁³ + 3f″v₁v₂ + f′v₃, to rounding (1e-13 relative).
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void TaylorCoefficientsThroughTheRule(int i, string expression)
    {
        var x = Cases[i].X;
        const double h = 1e-5;
        var unit = Taylor(i, x, 1, 0, 0);
        Assert.Equal(Call(i, "", x), unit[0]);
        Assert.True(Math.Abs(unit[1] - Jvp(i, x)) <= 4 * Eps * Math.Abs(unit[1]), $"{expression}: y1 {unit[1]}");
        var d2 = (Jvp(i, x + h) - Jvp(i, x - h)) / (2 * h);
        Assert.True(Math.Abs(unit[2] - d2) <= 1e-7 * (1 + Math.Abs(d2)), $"{expression}: y2 {unit[2]}, difference {d2}");
        var d3 = (Taylor(i, x + h, 1, 0, 0)[2] - Taylor(i, x - h, 1, 0, 0)[2]) / (2 * h);
        Assert.True(Math.Abs(unit[3] - d3) <= 1e-7 * (1 + Math.Abs(d3)), $"{expression}: y3 {unit[3]}, difference {d3}");
        var (v1, v2, v3) = (0.7, -0.3, 0.2);
        var y = Taylor(i, x, v1, v2, v3);
        var y2 = unit[2] * v1 * v1 + unit[1] * v2;
        var y3 = unit[3] * v1 * v1 * v1 + 3 * unit[2] * v1 * v2 + unit[1] * v3;
        Assert.True(Math.Abs(y[2] - y2) <= 1e-13 * (1 + Math.Abs(y2)), $"{expression}: y2 {y[2]} vs {y2}");
        Assert.True(Math.Abs(y[3] - y3) <= 1e-13 * (1 + Math.Abs(y3)), $"{expression}: y3 {y[3]} vs {y3}");
    }

    /// <summary>Closed forms: erf′, erf″ = −2x·erf′, (ln Γ)″ = ψ⁽¹⁾ with ψ⁽¹⁾(1) = π²/6, σ‴ = σ(1−σ)(1−6σ+6σ²).</summary>
    [Fact]
    public void ClosedForms()
    {
        int Index(string e) => Array.FindIndex(Cases, c => c.Expression == e);
        var erf = Index("SpecialFunctions.Erf(x)");
        var x = 0.3;
        var erf1 = 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);
        var y = Taylor(erf, x, 1, 0, 0);
        // Rounding of exp and a few products: 1e-15 relative.
        Assert.Equal(erf1, y[1], 1e-15);
        Assert.Equal(-2 * x * erf1, y[2], 1e-15);
        Assert.Equal((4 * x * x - 2) * erf1, y[3], 1e-15);
        var gammaLn = Index("SpecialFunctions.GammaLn(x)");
        var g = Taylor(gammaLn, 1.0, 1, 0, 0);
        // ψ(1) = −γ (Euler–Mascheroni), ψ⁽¹⁾(1) = π²/6, ψ⁽²⁾(1) = −2ζ(3): MathNet's digamma and Dsl.Special's series, 1e-13.
        Assert.Equal(-0.57721566490153286, g[1], 1e-13);
        Assert.Equal(Math.PI * Math.PI / 6, g[2], 1e-13);
        Assert.Equal(-2 * 1.2020569031595943, g[3], 1e-13);
        var logistic = Index("SpecialFunctions.Logistic(x)");
        var s = SpecialFunctions.Logistic(0.4);
        var l = Taylor(logistic, 0.4, 1, 0, 0);
        Assert.Equal(s * (1 - s), l[1], 1e-15);
        Assert.Equal(s * (1 - s) * (1 - 2 * s), l[2], 1e-15);
        Assert.Equal(s * (1 - s) * (1 - 6 * s + 6 * s * s), l[3], 1e-15);
    }

    /// <summary>
    /// High order through a family of rules: the order-8 jet of ln Γ along (1, 0, …) holds ψ⁽ᵏ⁻¹⁾(x), each from a
    /// helper of one order less (ln Γ → ψ → ψ⁽¹⁾ → … → ψ⁽⁷⁾), against Dsl.Special.Polygamma (checked against exact
    /// values below); the recurrences round a few dozen times: 1e-12 relative. And the order-8 jet of erf⁻¹, whose rule
    /// calls erf⁻¹ itself, against its derivatives by the recurrence w′ = c·e^(w²) (c = √π/2): w″ = 2w·w′², each next
    /// one from the product rule, here written out as y_k for k ≤ 4.
    /// </summary>
    [Fact]
    public void HighOrderJetsThroughRuleFamilies()
    {
        var type = Build("""
            public static partial class H
            {
                [Differentiable] public static double G(double x) => SpecialFunctions.GammaLn(x);
                [Taylor(nameof(G), Order = 8, Wrt = "x")] public static partial void GT(double x, ReadOnlySpan<double> j, Span<double> y);
                public static void GTaylor(double x, double[] j, double[] y) => GT(x, j, y);
                [Differentiable] public static double E(double x) => SpecialFunctions.ErfInv(x);
                [Taylor(nameof(E), Order = 8, Wrt = "x")] public static partial void ET(double x, ReadOnlySpan<double> j, Span<double> y);
                public static void ETaylor(double x, double[] j, double[] y) => ET(x, j, y);
            }
            """).GetType("H")!;
        var unit = new double[8];
        unit[0] = 1;
        var y = new double[9];
        type.GetMethod("GTaylor")!.Invoke(null, new object[] { 2.5, unit, y });
        Assert.Equal(SpecialFunctions.DiGamma(2.5), y[1], 1e-15);
        for (var k = 2; k <= 8; k++)
        {
            var expected = Special.Polygamma(k - 1, 2.5);
            Assert.True(Math.Abs(y[k] - expected) <= 1e-12 * Math.Abs(expected), $"y{k} {y[k]}, ψ({k - 1}) {expected}");
        }
        type.GetMethod("ETaylor")!.Invoke(null, new object[] { 0.4, unit, y });
        var w = SpecialFunctions.ErfInv(0.4);
        var w1 = Math.Sqrt(Math.PI) / 2 * Math.Exp(w * w);
        var w2 = 2 * w * w1 * w1;
        var w3 = 2 * w1 * w1 * w1 + 4 * w * w1 * w2;
        var w4 = 6 * w1 * w1 * w2 + 4 * w1 * w1 * w2 + 4 * w * w2 * w2 + 4 * w * w1 * w3;
        Assert.True(Math.Abs(y[1] - w1) <= 1e-13 * w1, $"w' {y[1]} vs {w1}");
        Assert.True(Math.Abs(y[2] - w2) <= 1e-13 * w2, $"w'' {y[2]} vs {w2}");
        Assert.True(Math.Abs(y[3] - w3) <= 1e-13 * w3, $"w''' {y[3]} vs {w3}");
        Assert.True(Math.Abs(y[4] - w4) <= 1e-13 * w4, $"w'''' {y[4]} vs {w4}");
    }

    /// <summary>
    /// ψ⁽ⁿ⁾ against exact values: ψ⁽¹⁾(1) = π²/6, ψ⁽¹⁾(½) = π²/2, ψ⁽¹⁾(−½) = π²/2 + 4 (reflection),
    /// ψ⁽²⁾(1) = −2ζ(3), ψ⁽³⁾(1) = π⁴/15; the series and about twenty shift terms round to well under 1e-14.
    /// </summary>
    [Fact]
    public void PolygammaAgainstExactValues()
    {
        var pi2 = Math.PI * Math.PI;
        Assert.Equal(pi2 / 6, Special.Trigamma(1), 1e-14);
        Assert.Equal(pi2 / 2, Special.Polygamma(1, 0.5), 1e-14);
        Assert.Equal(pi2 / 2 + 4, Special.Polygamma(1, -0.5), 1e-13);
        Assert.Equal(-2 * 1.2020569031595943, Special.Polygamma(2, 1), 1e-14);
        Assert.Equal(pi2 * pi2 / 15, Special.Polygamma(3, 1), 1e-13);
        Assert.True(double.IsNaN(Special.Polygamma(1, -2)));
        Assert.True(double.IsNaN(Special.Polygamma(0, 1)));
    }

    private const string OperatorSource = """
        public static partial class O
        {
            // u(x) = erf(x₀) ln Γ(x₁) + σ(x₀x₁) + softplus(x₀) |x|: built-in rules, and user rules that call their own target.
            [Differentiable]
            public static double U(ReadOnlySpan<double> x) =>
                SpecialFunctions.Erf(x[0]) * SpecialFunctions.GammaLn(x[1]) + SpecialFunctions.Logistic(x[0] * x[1])
                + Ext.Softplus(x[0]) * Ext.Hyp(x[0], x[1]);
            [Laplacian(nameof(U), Wrt = "x")] public static partial double ULap(ReadOnlySpan<double> x);
            [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
            public static partial double ULapDense(ReadOnlySpan<double> x, ReadOnlySpan<double> probes);
            [Gradient(nameof(U))] public static partial double UGrad(ReadOnlySpan<double> x, Span<double> xBar);
            [Hvp(nameof(U))]
            public static partial double UHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> g, Span<double> hv);
            // Reverse over Taylor: the gradient of a loss on the Laplacian.
            [Differentiable] public static double Loss(ReadOnlySpan<double> x) { double l = ULap(x); return l * l; }
            [Gradient(nameof(Loss))] public static partial double LossGrad(ReadOnlySpan<double> x, Span<double> xBar);
            // Reverse over reverse: a gradient penalty ‖∇u‖².
            [Differentiable]
            public static double Pen(ReadOnlySpan<double> x)
            {
                Span<double> g = stackalloc double[2];
                double u = UGrad(x, g);
                return g[0] * g[0] + g[1] * g[1] + u;
            }
            [Gradient(nameof(Pen))] public static partial double PenGrad(ReadOnlySpan<double> x, Span<double> xBar);
            public static double PenG(double[] x, double[] g) => PenGrad(x, g);
            public static double P(double[] x) => Pen(x);
            // A rule inside a loop: reverse mode saves the arguments the rule reads on the tape.
            [Differentiable]
            public static double Sum(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++) s += SpecialFunctions.Erf(x[i] * s + 0.5) * Ext.Softplus(x[i]);
                return s;
            }
            [Gradient(nameof(Sum))] public static partial double SumGrad(ReadOnlySpan<double> x, Span<double> xBar);
            [Laplacian(nameof(Sum), Wrt = "x")] public static partial double SumLap(ReadOnlySpan<double> x);
            public static double SumG(double[] x, double[] g) => SumGrad(x, g);
            public static double S(double[] x) => Sum(x);
            public static double SLap(double[] x) => SumLap(x);
            // Two partials of one call.
            [Differentiable] public static double B(double z, double w) => SpecialFunctions.BetaLn(z, w) * Ext.Hyp(z, w);
            [Gradient(nameof(B))] public static partial double BGrad(double z, double w, out double zBar, out double wBar);

            public static double Lap(double[] x) => ULap(x);
            public static double LapDense(double[] x, double[] p) => ULapDense(x, p);
            public static void Grad(double[] x, double[] g) => UGrad(x, g);
            public static void Hvp(double[] x, double[] v, double[] g, double[] hv) => UHvp(x, v, g, hv);
            public static double LossG(double[] x, double[] g) => LossGrad(x, g);
            public static double L(double[] x) => Loss(x);
        }
        """;

    private static readonly Lazy<Type> Operators = new(() => Build(Ext + OperatorSource).GetType("O")!);

    private static object? Op(string name, params object[] args) => Operators.Value.GetMethod(name)!.Invoke(null, args);

    /// <summary>
    /// The exact Laplacian (second-order jets through every rule) against the closed form
    /// erf″(a) lnΓ(b) + erf(a) ψ⁽¹⁾(b) + σ″(ab)(a² + b²) + Δ[softplus(a) r], to rounding (1e-13 relative: a few dozen
    /// operations); and the dense STDE estimate over all four sign vectors of R², which is exact: the mean of
    /// vᵀHv over {±1}² is tr H.
    /// </summary>
    [Fact]
    public void LaplacianThroughRulesMatchesClosedForm()
    {
        var (a, b) = (0.4, 1.7);
        var x = new[] { a, b };
        var erf1 = 2 / Math.Sqrt(Math.PI) * Math.Exp(-a * a);
        var s = SpecialFunctions.Logistic(a * b);
        var sigma2 = s * (1 - s) * (1 - 2 * s);
        var sp = Math.Log(1 + Math.Exp(a));
        var (sp1, sp2) = (1 / (1 + Math.Exp(-a)), 0.0);
        sp2 = sp1 * (1 - sp1);
        var r = Math.Sqrt(a * a + b * b);
        // Δ(sp(a)·r) = sp″ r + 2 sp′ ∂_a r + sp Δr, with ∂_a r = a/r and Δr = 1/r in two dimensions.
        var expected = -2 * a * erf1 * SpecialFunctions.GammaLn(b) + SpecialFunctions.Erf(a) * Special.Trigamma(b)
            + sigma2 * (a * a + b * b) + sp2 * r + 2 * sp1 * a / r + sp / r;
        var exact = (double)Op("Lap", x)!;
        Assert.True(Math.Abs(exact - expected) <= 1e-13 * (1 + Math.Abs(expected)), $"Laplacian {exact}, closed form {expected}");
        var probes = new double[] { 1, 1, 1, -1, -1, 1, -1, -1 };
        var dense = (double)Op("LapDense", x, probes)!;
        Assert.True(Math.Abs(dense - expected) <= 1e-13 * (1 + Math.Abs(expected)), $"dense STDE {dense}, closed form {expected}");
    }

    /// <summary>
    /// Forward over reverse (HVP) through the rules against a central difference of the gradient along v, and
    /// reverse over Taylor (the gradient of Laplacian²) against a central difference of the loss (h = 1e-5:
    /// truncation h²/6 times a third derivative of order ten, rounding ε|f|/h: below 1e-8 relative).
    /// </summary>
    [Fact]
    public void HvpAndReverseOverTaylorThroughRules()
    {
        var x = new[] { 0.4, 1.7 };
        var v = new[] { 0.3, -0.8 };
        const double h = 1e-5;
        var g = new double[2];
        var hv = new double[2];
        Op("Hvp", x, v, g, hv);
        var (gp, gm) = (new double[2], new double[2]);
        Op("Grad", new[] { x[0] + h * v[0], x[1] + h * v[1] }, gp);
        Op("Grad", new[] { x[0] - h * v[0], x[1] - h * v[1] }, gm);
        for (var i = 0; i < 2; i++)
        {
            var fd = (gp[i] - gm[i]) / (2 * h);
            Assert.True(Math.Abs(hv[i] - fd) <= 1e-8 * (1 + Math.Abs(fd)), $"Hv[{i}] {hv[i]}, difference {fd}");
        }
        var lossBar = new double[2];
        Op("LossG", x, lossBar);
        for (var i = 0; i < 2; i++)
        {
            var (xp, xm) = ((double[])x.Clone(), (double[])x.Clone());
            xp[i] += h;
            xm[i] -= h;
            var fd = ((double)Op("L", xp)! - (double)Op("L", xm)!) / (2 * h);
            Assert.True(Math.Abs(lossBar[i] - fd) <= 1e-8 * (1 + Math.Abs(fd)), $"dLoss/dx[{i}] {lossBar[i]}, difference {fd}");
        }
    }

    /// <summary>
    /// Reverse over reverse (the gradient of ‖∇u‖² + u) through the rules against a central difference of the penalty
    /// (h = 1e-5, as above: below 1e-8 relative).
    /// </summary>
    [Fact]
    public void ReverseOverReverseThroughRules()
    {
        var x = new[] { 0.4, 1.7 };
        const double h = 1e-5;
        var bar = new double[2];
        Assert.Equal((double)Op("P", x)!, (double)Op("PenG", x, bar)!);
        for (var i = 0; i < 2; i++)
        {
            var (xp, xm) = ((double[])x.Clone(), (double[])x.Clone());
            xp[i] += h;
            xm[i] -= h;
            var fd = ((double)Op("P", xp)! - (double)Op("P", xm)!) / (2 * h);
            Assert.True(Math.Abs(bar[i] - fd) <= 1e-8 * (1 + Math.Abs(fd)), $"dPen/dx[{i}] {bar[i]}, difference {fd}");
        }
    }

    /// <summary>
    /// Rules in a loop that carries a value through them: the gradient against central differences (h = 1e-5, below 1e-8
    /// relative), the Laplacian against second differences of the primal (h = 1e-4: truncation h²/12·|f⁽⁴⁾| ≈ 1e-9,
    /// rounding 4ε|f|/h² ≈ 1e-7·|f|, so 1e-6 relative).
    /// </summary>
    [Fact]
    public void RulesInALoop()
    {
        var x = new[] { 0.3, -0.2, 0.5, 0.1 };
        var bar = new double[4];
        Assert.Equal((double)Op("S", x)!, (double)Op("SumG", x, bar)!);
        double lap = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var (xp, xm) = ((double[])x.Clone(), (double[])x.Clone());
            xp[i] += 1e-5;
            xm[i] -= 1e-5;
            var fd = ((double)Op("S", xp)! - (double)Op("S", xm)!) / 2e-5;
            Assert.True(Math.Abs(bar[i] - fd) <= 1e-8 * (1 + Math.Abs(fd)), $"dSum/dx[{i}] {bar[i]}, difference {fd}");
            var (p, m) = ((double[])x.Clone(), (double[])x.Clone());
            p[i] += 1e-4;
            m[i] -= 1e-4;
            lap += ((double)Op("S", p)! - 2 * (double)Op("S", x)! + (double)Op("S", m)!) / 1e-8;
        }
        var exact = (double)Op("SLap", x)!;
        Assert.True(Math.Abs(exact - lap) <= 1e-6 * (1 + Math.Abs(lap)), $"Laplacian {exact}, second differences {lap}");
    }

    /// <summary>Both partials of BetaLn(z, w)·|(z, w)| in one reverse pass: ∂z = (ψ(z) − ψ(z+w)) r + lnB z/r (rounding, 1e-14).</summary>
    [Fact]
    public void TwoPartialsOfOneCall()
    {
        var method = Operators.Value.GetMethod("BGrad")!;
        var (z, w) = (1.3, 2.2);
        var args = new object[] { z, w, 0.0, 0.0 };
        method.Invoke(null, args);
        var r = Math.Sqrt(z * z + w * w);
        var lnB = SpecialFunctions.BetaLn(z, w);
        var psiZw = SpecialFunctions.DiGamma(z + w);
        var dz = (SpecialFunctions.DiGamma(z) - psiZw) * r + lnB * z / r;
        var dw = (SpecialFunctions.DiGamma(w) - psiZw) * r + lnB * w / r;
        Assert.Equal(dz, (double)args[2], 1e-14);
        Assert.Equal(dw, (double)args[3], 1e-14);
    }

    private static System.Collections.Immutable.ImmutableArray<Diagnostic> Analyze(string source)
    {
        var compilation = GeneratorHarness.Compile("using System;\nusing Dsl;\nusing MathNet.Numerics;\n" + source)
            .AddReferences(MetadataReference.CreateFromFile(typeof(SpecialFunctions).Assembly.Location));
        var analyzers = System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(
            new Dsl.Analyzers.DslAnalyzer());
        return Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzerExtensions.WithAnalyzers(compilation, analyzers)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    [Theory]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Softplus))] public static double R(double x, double y) => x;",
        "no overload of 'Ext.Softplus' takes the rule's parameters (double, double); a rule takes exactly its target's parameters: (double)")]
    [InlineData("[DerivativeOf(typeof(Ext), \"Nope\")] public static double R(double x) => x;", "'Ext' has no method 'Nope'")]
    [InlineData("[DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))] public static double R(double x) => x;",
        "'SpecialFunctions.Erf' already has a built-in rule")]
    [InlineData("[DerivativeOf(typeof(Math), nameof(Math.Sin))] public static double R(double x) => Math.Cos(x);",
        "'Math.Sin' is a primitive of the generator with its own rules")]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Hyp))] public static double R(double x, double y) => x;",
        "'Ext.Hyp' has 2 floating-point parameters; say which one this rule differentiates by: Wrt = \"x\"")]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"z\")] public static double R(double x, double y) => x;",
        "Wrt = \"z\" is not a float or double parameter of 'Ext.Hyp' (x, y)")]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Softplus))] public static float R(double x) => 1;",
        "the rule returns 'float' but a partial derivative of 'Ext.Softplus' is a 'double'")]
    [InlineData("[DerivativeOf(typeof(P), nameof(P.Square))] public static double R(double x) => 2 * x;",
        "'P.Square' is [Differentiable]: the generator differentiates its body")]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Form = RuleForm.Jvp)] public static double R(double x, double y, double dx) => x;",
        "no overload of 'Ext.Hyp' matches the JVP rule's parameters (double, double, double); a JVP rule takes its target's parameters " +
        "and then one tangent per float or double parameter: (double, double, double, double)")]
    [InlineData("[DerivativeOf(typeof(Ext), nameof(Ext.Softplus), Form = RuleForm.Jvp, Wrt = \"x\")] public static double R(double x, double dx) => dx;",
        "a JVP rule gives the tangent in every parameter; leave Wrt out")]
    public void RefusedRuleIsReportedAtTheAttribute(string rule, string reason)
    {
        var source = """
            public static class Ext
            {
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
                public static double Hyp(double x, double y) => Math.Sqrt(x * x + y * y);
            }
            public static partial class P
            {
                [Differentiable] public static double Square(double x) => x * x;
                [Differentiable]
            """ + rule + "\n}\n";
        var d = Assert.Single(Analyze(source));
        Assert.Equal("DSL0002", d.Id);
        Assert.Contains(reason, d.GetMessage());
        Assert.StartsWith("DerivativeOf(", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public void RuleWithoutDifferentiableIsRefused()
    {
        var d = Assert.Single(Analyze("""
            public static class Ext { public static double Softplus(double x) => Math.Log(1 + Math.Exp(x)); }
            public static partial class P
            {
                [DerivativeOf(typeof(Ext), nameof(Ext.Softplus))] public static double R(double x) => 1 / (1 + Math.Exp(-x));
            }
            """));
        Assert.Equal("DSL0002", d.Id);
        Assert.Contains("mark 'R' [Differentiable] as well", d.GetMessage());
    }

    /// <summary>A call of a method whose rules are refused or incomplete fails with the reason, at the call and at the request.</summary>
    [Theory]
    [InlineData("Ext.Hyp(x, 2.0)", "[Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"x\")] public static double HX(double x, double y) => x;",
        "'Ext.Hyp' has a derivative rule for x but not for 'y'; add [DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"y\")]")]
    [InlineData("SpecialFunctions.Erf(x)", "[Differentiable, DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))] public static double E(double x) => x;",
        "the derivative rule 'E' of 'SpecialFunctions.Erf' is refused: 'SpecialFunctions.Erf' already has a built-in rule")]
    [InlineData("Ext.Hyp(x, 2.0)", "[Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"x\")] public static double A(double x, double y) => x;\n" +
        "[Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"x\")] public static double B(double x, double y) => x;",
        "both declare ∂Ext.Hyp/∂x; keep one")]
    [InlineData("Ext.Hyp(x, 2.0)", "[Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Wrt = \"x\")] public static double A(double x, double y) => x;\n" +
        "[Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Hyp), Form = RuleForm.Jvp)] public static double J(double x, double y, double dx, double dy) => dx;",
        "'J' is a JVP rule of 'Ext.Hyp' and gives every partial; remove the other rules (A)")]
    [InlineData("Ext.Softplus(x)", "", "calls 'Softplus', which is not [Differentiable]; mark it [Differentiable], inline it, or declare its derivative with [DerivativeOf]")]
    public void CallOfATargetWithRefusedRules(string call, string rules, string reason)
    {
        var source = """
            public static class Ext
            {
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
                public static double Hyp(double x, double y) => Math.Sqrt(x * x + y * y);
            }
            public static partial class P
            {
            """ + rules + "\n[Differentiable] public static double F(double x) => " + call + """
            ;
                [Gradient(nameof(F))] public static partial double FGrad(double x, out double xBar);
            }
            """;
        var result = Run(source);
        Assert.Null(result.Exception);
        var generator = Assert.Single(result.GeneratorDiagnostics);
        // A call without a usable derivative (no rule, or rules that are refused or incomplete): DSL0009 in both.
        Assert.Equal("DSL0009", generator.Id);
        Assert.Contains(reason, generator.GetMessage());
        Assert.Contains(Analyze(source), d => d.Id == "DSL0009" && d.GetMessage().Contains(reason));
    }

    /// <summary>A partial the rule does not have (Bessel functions in their order ν) is refused when ν is differentiated.</summary>
    [Fact]
    public void MissingPartialIsRefusedWhenDifferentiated()
    {
        var result = Run("""
            public static partial class P
            {
                [Differentiable] public static double F(double nu, double x) => SpecialFunctions.BesselJ(nu, x);
                [Gradient(nameof(F))] public static partial double FGrad(double nu, double x, out double nuBar, out double xBar);
                [Gradient(nameof(F), Wrt = "x")] public static partial double FGradX(double nu, double x, out double xBar);
            }
            """);
        Assert.Null(result.Exception);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DSL0002", d.Id);
        Assert.Contains("'SpecialFunctions.BesselJ' has no closed-form derivative in the order ν", d.GetMessage());
        Assert.Contains("FGrad'", d.GetMessage());
    }

    /// <summary>
    /// Pins the JVP form: forward mode calls the JVP rule once with both tangents, reverse mode at the unit tangents,
    /// and an exact Laplacian jets the rule's partials through helpers that call it at a unit tangent.
    /// </summary>
    [Fact]
    public void GeneratedCodeOfTheJvpForm()
    {
        var result = Run(Ext + """
            public static partial class S
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x) => Ext.Hyp2(x[0], x[1]);
                [Jvp(nameof(F))] public static partial double FJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dy);
                [Gradient(nameof(F))] public static partial double FGrad(ReadOnlySpan<double> x, Span<double> xBar);
                [Laplacian(nameof(F), Wrt = "x")] public static partial double FLap(ReadOnlySpan<double> x);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated);
    }

    /// <summary>Pins the code: the call of the original method for the value, the rule inline (built-in) or called (user), and
    /// the Taylor helper of one order less that jets a partial.</summary>
    [Fact]
    public void GeneratedCode()
    {
        var result = Run(Ext + """
            public static partial class S
            {
                [Differentiable] public static double F(double x) => SpecialFunctions.Erf(x) * Ext.Softplus(x);
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dy);
                [Gradient(nameof(F))] public static partial double FGrad(double x, out double xBar);
                [Taylor(nameof(F), Order = 2, Wrt = "x")] public static partial void FTaylor(double x, ReadOnlySpan<double> xJet, Span<double> y);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated);
    }

    /// <summary>
    /// A float primal: MathNet's double methods through C#'s float → double conversion, and a user rule for a float
    /// method. Against the closed forms in double with float's rounding: a few float operations, 1e-6 relative.
    /// </summary>
    [Fact]
    public void FloatPrimals()
    {
        var type = Build("""
            public static class Ext32 { public static float Square(float x) => x * x; }
            public static partial class F32
            {
                [Differentiable, DerivativeOf(typeof(Ext32), nameof(Ext32.Square))] public static float SquarePrime(float x) => 2 * x;
                [Differentiable] public static float F(float x) => (float)SpecialFunctions.Erf(x) + Ext32.Square(x);
                [Taylor(nameof(F), Order = 2, Wrt = "x")] public static partial void FT(float x, ReadOnlySpan<float> j, Span<float> y);
                public static void Taylor(float x, float[] j, float[] y) => FT(x, j, y);
            }
            """).GetType("F32")!;
        var y = new float[3];
        type.GetMethod("Taylor")!.Invoke(null, new object[] { 0.3f, new float[] { 1, 0 }, y });
        var x = 0.3;
        var erf1 = 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);
        Assert.Equal(erf1 + 2 * x, y[1], 1e-6);
        Assert.Equal(-2 * x * erf1 + 2, y[2], 1e-6);
    }

    /// <summary>Without the generator (an analyzer-only host) valid rules and their calls raise nothing: the rules are found as callees.</summary>
    [Fact]
    public void ValidRulesAreNotReported()
    {
        var diagnostics = Analyze(Ext + """
            public static partial class P
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x) => Ext.Softplus(x[0]) * Ext.Hyp(x[0], x[1]) + SpecialFunctions.Erf(x[1]);
                [Gradient(nameof(U))] public static partial double UGrad(ReadOnlySpan<double> x, Span<double> xBar);
                [Laplacian(nameof(U), Wrt = "x")] public static partial double ULap(ReadOnlySpan<double> x);
            }
            """);
        Assert.Empty(diagnostics);
    }
}
