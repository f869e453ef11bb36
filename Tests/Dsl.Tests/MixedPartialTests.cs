using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Text;
using Dsl.Generator.Transforms;
using Dsl.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Tests;

/// <summary>
/// <c>[Derivative]</c> for any mixed partial: the plan (one jet with spread slots, or a combination
/// of jets of order |α| with exact weights), its weights checked exactly, every multi-index of
/// order ≤ 4 in d = 3 and cases of order 5 and 6 against closed forms, the generated code pinned,
/// and the refusal above the supported order.
/// </summary>
public class MixedPartialTests
{
    private readonly ITestOutputHelper _output;

    public MixedPartialTests(ITestOutputHelper output) => _output = output;

    /// <summary>Coordinates 0, 1, … repeated by the exponents: (2, 1) → [0, 0, 1].</summary>
    private static List<int> Coordinates(IReadOnlyList<int> exponents) =>
        exponents.SelectMany((a, i) => Enumerable.Repeat(i, a)).ToList();

    /// <summary>Every composition (ordered, positive parts) of p.</summary>
    private static IEnumerable<int[]> Compositions(int p)
    {
        if (p == 0)
        {
            yield return Array.Empty<int>();
            yield break;
        }
        for (var first = 1; first <= p; first++)
            foreach (var rest in Compositions(p - first))
                yield return new[] { first }.Concat(rest).ToArray();
    }

    /// <summary>Every β ≥ 0 with |β| = p in m variables.</summary>
    private static IEnumerable<int[]> Exponents(int m, int p)
    {
        if (m == 1)
        {
            yield return new[] { p };
            yield break;
        }
        for (var first = 0; first <= p; first++)
            foreach (var rest in Exponents(m - 1, p - first))
                yield return new[] { first }.Concat(rest).ToArray();
    }

    private static BigInteger Factorial(int n) => Enumerable.Range(1, n).Aggregate(BigInteger.One, (f, k) => f * k);

    /// <summary>
    /// The identity the weights must satisfy, in exact integers: y_p(v) = Σ_{|β|=p} p!/β! v^β ∂^β u,
    /// so (1/D) Σ_v n_v y_p(v) = ∂^α u exactly when (p!/β!) Σ_v n_v v^β = D δ_{βα} for every |β| = p.
    /// </summary>
    private static void AssertExact(JetCombination c)
    {
        var p = c.Order;
        foreach (var beta in Exponents(c.Exponents.Count, p))
        {
            var sum = BigInteger.Zero;
            for (var q = 0; q < c.Directions.Count; q++)
            {
                var power = BigInteger.One;
                for (var i = 0; i < beta.Length; i++) power *= BigInteger.Pow(c.Directions[q][i], beta[i]);
                sum += c.Numerators[q] * power;
            }
            var lhs = sum * Factorial(p) / beta.Aggregate(BigInteger.One, (f, b) => f * Factorial(b));
            var expected = beta.SequenceEqual(c.Exponents) ? c.Denominator : 0;
            Assert.True(lhs == expected, $"α = ({string.Join(",", c.Exponents)}), β = ({string.Join(",", beta)}): {lhs} ≠ {expected}");
        }
    }

    [Fact]
    public void TheWeightsAreExactForEveryMultiIndexUpToOrderSix()
    {
        var count = 0;
        for (var p = 1; p <= 6; p++)
            foreach (var alpha in Compositions(p))
            {
                var c = JetCombination.Find(Coordinates(alpha));
                Assert.NotNull(c);
                AssertExact(c!);
                count++;
            }
        Assert.Equal(63, count);
    }

    [Theory]
    [InlineData(new[] { 7 })]
    [InlineData(new[] { 4, 3 })]
    [InlineData(new[] { 3, 2, 2 })]
    [InlineData(new[] { 2, 2, 2, 2 })]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 3, 1, 2, 1, 1 })]
    public void TheWeightsAreExactAtOrdersSevenAndEight(int[] alpha)
    {
        var c = JetCombination.Find(Coordinates(alpha));
        Assert.NotNull(c);
        AssertExact(c!);
    }

    /// <summary>
    /// Jets × order of the chosen plan (ties go to the single jet: one call) against the single
    /// jet with spread slots; 0 for "no single jet of order ≤ 12 isolates it". The combination's
    /// jet counts are Π(a_i + 1)/2 after merging parallel directions.
    /// </summary>
    [Theory]
    [InlineData(new[] { 2 }, 1, 2, 2)]
    [InlineData(new[] { 1, 1 }, 2, 2, 5)]
    [InlineData(new[] { 2, 1 }, 1, 7, 7)]
    [InlineData(new[] { 1, 1, 1 }, 4, 3, 0)]
    [InlineData(new[] { 2, 2 }, 4, 4, 0)]
    [InlineData(new[] { 3, 1 }, 1, 11, 11)]
    [InlineData(new[] { 2, 1, 1 }, 6, 4, 0)]
    [InlineData(new[] { 1, 1, 1, 1 }, 8, 4, 0)]
    [InlineData(new[] { 3, 3 }, 6, 6, 0)]
    [InlineData(new[] { 2, 2, 2 }, 13, 6, 0)]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1 }, 32, 6, 0)]
    public void ThePlanIsTheCheapest(int[] alpha, int jets, int order, int singleOrder)
    {
        var plan = JetPlan.Choose(Coordinates(alpha));
        Assert.NotNull(plan);
        Assert.Equal((jets, order, singleOrder), (plan!.Jets, plan.Order, plan.SingleJetOrder));
    }

    /// <summary>
    /// Many distinct coordinates: eight combine into 2^7 jets of order 8; twelve have no plan (order
    /// above 8, and no single jet: distinct slots 1..12 sum to 78), found without walking the 12!
    /// slot assignments the single-jet search used to try.
    /// </summary>
    [Fact]
    public void ManyDistinctCoordinates()
    {
        var eight = JetPlan.Choose(Enumerable.Range(0, 8).ToList());
        Assert.Equal((128, 8, 0), (eight!.Jets, eight.Order, eight.SingleJetOrder));
        Assert.Null(JetPlan.Choose(Enumerable.Range(0, 12).ToList()));
        Assert.Null(JetPlan.Find(Enumerable.Range(0, 7).ToList()));
    }

    /// <summary>The table of docs/mixed-partials.md, printed (not asserted: the theory above pins the rows it quotes).</summary>
    [Fact]
    public void PlanTable()
    {
        var text = new StringBuilder();
        for (var p = 1; p <= 6; p++)
            foreach (var alpha in Compositions(p).Where(a => a.SequenceEqual(a.OrderByDescending(x => x))))
            {
                var plan = JetPlan.Choose(Coordinates(alpha))!;
                var c = JetCombination.Find(Coordinates(alpha))!;
                var single = plan.SingleJetOrder == 0 ? "refused" : $"1 × {plan.SingleJetOrder}";
                var ell1 = c.Numerators.Sum(n => Math.Abs((double)n)) / c.Denominator;
                text.AppendLine($"| ({string.Join(",", alpha)}) | {single} | {c.Directions.Count} × {c.Order} | " +
                    $"{(plan.Combination is null ? "single" : "combination")} {plan.Jets} × {plan.Order} | {ell1:G4} |");
            }
        _output.WriteLine(text.ToString());
        Assert.Contains("| (1,1) | 1 × 5 | 2 × 2 | combination 2 × 2 |", text.ToString());
    }

    // Closed forms: u = exp(a·x) cos(b·x) = Re e^{z·x} with z = a + i b, so ∂^α u = Re(z^α e^{z·x}).
    private static readonly double[] A3 = { 0.3, -0.5, 0.7 }, B3 = { 0.9, 0.4, -0.6 }, X3 = { 0.2, -0.3, 0.5 };
    private static readonly double[] A6 = { 0.3, -0.5, 0.7, 0.2, -0.4, 0.6 }, B6 = { 0.9, 0.4, -0.6, 0.5, 0.8, -0.3 };
    private static readonly double[] X6 = { 0.2, -0.3, 0.5, 0.1, -0.6, 0.4 };

    /// <summary>Every multi-index of order 1..4 in d = 3, then the order-5 and -6 cases (d = 3), then ∂⁶/∂x₀…∂x₅ (d = 6).</summary>
    private static readonly int[][] Cases = Enumerable.Range(1, 4).SelectMany(p => Exponents(3, p))
        .Concat(new[] { new[] { 2, 2, 1 }, new[] { 3, 1, 1 }, new[] { 1, 3, 1 }, new[] { 4, 1, 0 }, new[] { 0, 2, 3 }, new[] { 5, 0, 0 } })
        .Concat(new[] { new[] { 2, 2, 2 }, new[] { 3, 2, 1 }, new[] { 1, 1, 4 }, new[] { 3, 3, 0 }, new[] { 0, 2, 4 }, new[] { 1, 5, 0 } })
        .Concat(new[] { new[] { 1, 1, 1, 1, 1, 1 } })
        .ToArray();

    private static string Name(int[] alpha) => "D" + string.Concat(alpha);

    private static string Partial(int[] alpha) =>
        string.Join(" ", alpha.SelectMany((a, i) => Enumerable.Repeat($"x[{i}]", a)));

    private static string Source()
    {
        var text = new StringBuilder(Usings + """
            public static partial class M
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
                {
                    double s = 0, t = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += a[i] * x[i];
                        t += b[i] * x[i];
                    }
                    return Math.Exp(s) * Math.Cos(t);
                }

            """);
        foreach (var alpha in Cases)
        {
            text.AppendLine($"    [Derivative(nameof(F), \"{Partial(alpha)}\", Wrt = \"x\")]");
            text.AppendLine($"    public static partial double {Name(alpha)}(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b);");
        }
        // Spans cannot be passed by reflection: one array entry point for all of them.
        text.AppendLine("    public static double[] All(double[] x3, double[] a3, double[] b3, double[] x6, double[] a6, double[] b6) => new[]");
        text.AppendLine("    {");
        foreach (var alpha in Cases)
            text.AppendLine(alpha.Length == 3 ? $"        {Name(alpha)}(x3, a3, b3)," : $"        {Name(alpha)}(x6, a6, b6),");
        text.AppendLine("    };");
        text.AppendLine("}");
        return text.ToString();
    }

    private const string Usings = "using System;\nusing Dsl;\n";

    private static double ClosedForm(int[] alpha, double[] x, double[] a, double[] b)
    {
        Complex power = 1, exponent = 0;
        for (var i = 0; i < alpha.Length; i++)
        {
            var z = new Complex(a[i], b[i]);
            power *= Complex.Pow(z, alpha[i]);
            exponent += z * x[i];
        }
        return (power * Complex.Exp(exponent)).Real;
    }

    /// <summary>
    /// The rounding bound of one [Derivative], first order in u. Every quantity the Taylor code forms
    /// is majorized by the same quantity for e^{Σ s_i (x(t) − x)_i} with s_i = |a_i| + |b_i| (a series with
    /// nonnegative coefficients, times e^{a·x}): M_k for one jet of order k. A coefficient of exp or cos/sin
    /// is reached through ≤ k recurrence steps of one product, one sum of ≤ k terms and one division each,
    /// after the d-term dot products a·v, b·v: ≤ (2k + d + 1) u relative to its majorant; their product sums
    /// k + 1 terms (k + 1 more), and y_k = k! × coefficient one more: η ≤ (3k + d + 3) u against M_k. A
    /// combination of N jets adds N + 1 roundings ((Σ n_v y_v)/D), a single jet 1 (its division); the
    /// closed form, ≤ |α| + 8 complex operations, adds (|α| + 8) u against Π|z_i|^{α_i} e^{a·x}.
    /// </summary>
    private static (double Bound, double Scale) Bound(int[] alpha, double[] x, double[] a, double[] b, double u = 1.0 / (1L << 53))
    {
        var d = alpha.Length;
        var s = a.Select((ai, i) => Math.Abs(ai) + Math.Abs(b[i])).ToArray();
        var ax = a.Select((ai, i) => ai * x[i]).Sum();
        var plan = JetPlan.Choose(Coordinates(alpha))!;
        var k = plan.Order;
        double scale;
        if (plan.Combination is { } c)
        {
            scale = 0;
            for (var q = 0; q < c.Directions.Count; q++)
            {
                var v = c.Directions[q];
                var speed = v.Select((vi, i) => s[c.Coordinates[i]] * Math.Abs(vi)).Sum();
                scale += Math.Abs(c.Numerators[q]) * Math.Exp(ax) * Math.Pow(speed, k);
            }
            scale /= c.Denominator;
        }
        else
        {
            // x(t) − x = Σ e_c t^j / j! over the plan's (coordinate, slot j) terms: k! [t^k] exp(Σ s_c t^j / j!).
            var series = new double[k + 1];
            foreach (var (coordinate, _, slot) in plan.Terms) series[slot] += s[coordinate] / (double)Factorial(slot);
            var e = new double[k + 1];
            e[0] = 1;
            for (var n = 1; n <= k; n++)
                for (var j = 1; j <= n; j++) e[n] += j * series[j] * e[n - j] / n;
            scale = Math.Exp(ax) * e[k] * (double)Factorial(k) / plan.Coefficient;
        }
        var closed = Math.Exp(ax) * alpha.Select((ai, i) => Math.Pow(Math.Sqrt(a[i] * a[i] + b[i] * b[i]), ai)).Aggregate(1.0, (f, g) => f * g);
        return ((3 * k + d + 3 + plan.Jets + 1) * u * scale + (k + 8) * u * closed, scale);
    }

    [Fact]
    public void EveryMultiIndexUpToOrderFourInThreeDimensionsAndCasesOfOrderFiveAndSix()
    {
        var result = GeneratorHarness.Run(Source());
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        var all = GeneratorHarness.Load(result.Output).GetType("M")!.GetMethod("All")!;
        var values = (double[])all.Invoke(null, new object[] { X3, A3, B3, X6, A6, B6 })!;
        Assert.Equal(34 + 13, Cases.Length);
        var worst = new Dictionary<int, (double Relative, double OfBound, double Amplification)>();
        for (var n = 0; n < Cases.Length; n++)
        {
            var alpha = Cases[n];
            var (x, a, b) = alpha.Length == 3 ? (X3, A3, B3) : (X6, A6, B6);
            var exact = ClosedForm(alpha, x, a, b);
            var (bound, scale) = Bound(alpha, x, a, b);
            var error = Math.Abs(values[n] - exact);
            Assert.True(error <= bound, $"{Partial(alpha)}: {values[n]:R} against {exact:R}, error {error:E2} > bound {bound:E2}");
            var p = alpha.Sum();
            if (p >= 5)
                _output.WriteLine($"({string.Join(",", alpha)}): {JetPlan.Choose(Coordinates(alpha))!.Jets} jets, exact {exact:E3}, " +
                    $"error {error:E2}, bound {bound:E2}, majorant / |exact| {scale / Math.Abs(exact):E2}");
            var (relative, ofBound, amplification) = worst.TryGetValue(p, out var w) ? w : (0, 0, 0);
            worst[p] = (Math.Max(relative, error / Math.Abs(exact)), Math.Max(ofBound, error / bound),
                Math.Max(amplification, scale / Math.Abs(exact)));
        }
        foreach (var (p, w) in worst.OrderBy(e => e.Key))
            _output.WriteLine($"order {p}: largest relative error {w.Relative:E2}, largest error / bound {w.OfBound:E2}, " +
                $"largest majorant / |exact| {w.Amplification:E2}");
    }

    private const string Primal = """
        public static partial class M
        {
            [Differentiable]
            public static double F(ReadOnlySpan<double> x) => Math.Exp(x[0] * x[1]) * Math.Sin(x[2] + x[0]);

        """;

    /// <summary>
    /// ∂³/∂x₀∂x₁∂x₂ from four 3-jets (no single jet isolates it) and ∂²/∂x₀∂x₁ from two 2-jets
    /// (instead of one 5-jet): one call per direction, the weights as integer literals, the plan in the comment.
    /// </summary>
    [Fact]
    public void CombinationOfJets()
    {
        var result = GeneratorHarness.Run(Usings + Primal + """
                [Derivative(nameof(F), "x[0] x[1] x[2]")]
                public static partial double Fxyz(ReadOnlySpan<double> x);

                [Derivative(nameof(F), "x[0] x[1]")]
                public static partial double Fxy(ReadOnlySpan<double> x);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        Assert.Contains("from 4 Taylor jets of order 3, y0, y1, … along (1, 1, 1), (1, 1, -1), (1, -1, 1), (1, -1, -1) over (x[0], x[1], x[2]), "
            + "weights (1, -1, -1, 1) / 24 (cost 4 × 3; no single jet of order ≤ 12 isolates it)", result.AllGenerated);
        Assert.Contains("weights (1, -1) / 4 (cost 2 × 2; one jet with spread slots needs order 5)", result.AllGenerated);
        Snapshot.Verify(result.AllGenerated);
    }

    /// <summary>Order 9 with no single jet (∂⁹/∂x₀⁵∂x₁⁴): the DSL diagnostic says why and what to write instead.</summary>
    [Fact]
    public void AboveTheSupportedOrderTheReasonIsReported()
    {
        var partial = "x[0] x[0] x[0] x[0] x[0] x[1] x[1] x[1] x[1]";
        var result = GeneratorHarness.Run(Usings + Primal + $$"""
                [Derivative(nameof(F), "{{partial}}")]
                public static partial double F54(ReadOnlySpan<double> x);

                [Derivative(nameof(F), "x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0]")]
                public static partial double F10(ReadOnlySpan<double> x);
            }
            """);
        Assert.Null(result.Exception);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, d.Severity);
        Assert.Equal($"[Derivative] on 'F54': '{partial}' has order 9; no single Taylor jet of order ≤ 12 isolates it " +
            "(every slot assignment lets other derivatives of that order mix in), and combinations of jets are generated " +
            "up to order 8 (beyond, up to 2^(order−1) jets with weights whose rounding grows with the order); request a " +
            "[Taylor] jet of that order and combine jets along directions of your choosing (docs/mixed-partials.md)", d.GetMessage());
        // A pure tenth derivative still has its single jet; the refused one has a stub, so nothing else fails.
        Assert.Empty(result.Errors);
        Assert.Contains("partial derivative x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] x[0] from one Taylor jet of order 10",
            result.AllGenerated);
    }

    /// <summary>
    /// A float primal: the weights are the same integer literals (exact in float), the jets run in
    /// float, so the bound is the one above with u = 2⁻²⁴; the closed form is taken in double at the
    /// float inputs.
    /// </summary>
    [Fact]
    public void FloatPrimal()
    {
        var result = GeneratorHarness.Run(Usings + """
            public static partial class M
            {
                [Differentiable]
                public static float G(ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
                {
                    float s = 0, t = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += a[i] * x[i];
                        t += b[i] * x[i];
                    }
                    return MathF.Exp(s) * MathF.Cos(t);
                }

                [Derivative(nameof(G), "x[0] x[1] x[2]", Wrt = "x")]
                public static partial float G111(ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b);

                [Derivative(nameof(G), "x[0] x[0] x[1] x[1] x[2] x[2]", Wrt = "x")]
                public static partial float G222(ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b);

                public static float[] All(float[] x, float[] a, float[] b) => new[] { G111(x, a, b), G222(x, a, b) };
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        float[] F(double[] v) => v.Select(e => (float)e).ToArray();
        double[] D(float[] v) => v.Select(e => (double)e).ToArray();
        var (x, a, b) = (F(X3), F(A3), F(B3));
        var all = GeneratorHarness.Load(result.Output).GetType("M")!.GetMethod("All")!;
        var values = (float[])all.Invoke(null, new object[] { x, a, b })!;
        var cases = new[] { new[] { 1, 1, 1 }, new[] { 2, 2, 2 } };
        for (var n = 0; n < cases.Length; n++)
        {
            var exact = ClosedForm(cases[n], D(x), D(a), D(b));
            var (bound, _) = Bound(cases[n], D(x), D(a), D(b), 1.0 / (1 << 24));
            var error = Math.Abs(values[n] - exact);
            _output.WriteLine($"float ({string.Join(",", cases[n])}): {values[n]:R} against {exact:R}, error {error:E2}, bound {bound:E2}");
            Assert.True(error <= bound, $"({string.Join(",", cases[n])}): error {error:E2} > bound {bound:E2}");
        }
    }

    /// <summary>
    /// A combination is IR like the other operators, so a loss on a mixed partial has a reverse-mode
    /// gradient in the parameters (training on a PDE residual with u_xyz), checked against central
    /// differences D(h) of the generated loss. Bound: truncation, h²/6 |∂³L/∂w_i³| for D(h), is estimated
    /// by |D(h) − D(2h)| (3 × that term, to leading order); rounding is 2ε/(2h) with ε the error of one
    /// loss evaluation, taken as 1e-13 max(1, |L|) — ten times the largest relative error measured for
    /// the partials above (1.0e-14), doubled for r² — at h = 1e-4 both are near 1e-9.
    /// </summary>
    [Fact]
    public void ReverseModeThroughACombination()
    {
        var result = GeneratorHarness.Run(Usings + """
            public static partial class M
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> w) => Math.Exp(w[0] * x[0] * x[1]) * Math.Sin(w[1] * x[2] + x[0]);

                [Derivative(nameof(F), "x[0] x[1] x[2]", Wrt = "x")]
                public static partial double Fxyz(ReadOnlySpan<double> x, ReadOnlySpan<double> w);

                [Differentiable]
                public static double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
                {
                    double r = Fxyz(x, w) - 1.0;
                    return r * r;
                }

                [Gradient(nameof(Loss), Wrt = "w")]
                public static partial double LossGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> wBar);

                public static double Value(double[] x, double[] w) => Loss(x, w);

                public static double[] Gradient(double[] x, double[] w)
                {
                    var g = new double[w.Length];
                    LossGradient(x, w, g);
                    return g;
                }
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        var type = GeneratorHarness.Load(result.Output).GetType("M")!;
        double Loss(double[] w) => (double)type.GetMethod("Value")!.Invoke(null, new object[] { X3, w })!;
        var w0 = new[] { 0.7, -0.4 };
        var g = (double[])type.GetMethod("Gradient")!.Invoke(null, new object[] { X3, w0 })!;
        const double h = 1e-4;
        double Central(int i, double step)
        {
            var plus = (double[])w0.Clone();
            var minus = (double[])w0.Clone();
            plus[i] += step;
            minus[i] -= step;
            return (Loss(plus) - Loss(minus)) / (2 * step);
        }
        var epsilon = 1e-13 * Math.Max(1, Math.Abs(Loss(w0)));
        for (var i = 0; i < w0.Length; i++)
        {
            var fd = Central(i, h);
            var bound = Math.Abs(fd - Central(i, 2 * h)) + epsilon / h;
            _output.WriteLine($"w[{i}]: reverse {g[i]:R}, central {fd:R}, difference {Math.Abs(g[i] - fd):E2}, bound {bound:E2}");
            Assert.True(Math.Abs(g[i] - fd) <= bound, $"w[{i}]: {g[i]:R} against {fd:R}, bound {bound:E2}");
        }
    }
}
