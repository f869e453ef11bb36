using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Collapsed Taylor mode (the lanes' order-K coefficients carried as one sum) against the ordinary
/// vector-mode Taylor entry, through the IR interpreter: the value and every lane's coefficients below
/// K are the same bits (the same recurrences on the same inputs), and the collapsed sum equals the sum
/// of the lanes' y_K up to the rounding of a different order of additions. Every Math primitive row,
/// then a function with loops, buffers, a branch, a callee and a derivative rule, dense and one-hot.
/// </summary>
public class CollapsedTaylorTests
{
    public static TheoryData<string> MathRows() => PrimitiveRows.Math();

    /// <summary>Sums of a few terms of size ≈ |y_K|: a different order of additions moves them by a few ulps of the largest term.</summary>
    private static void CloseSum(double[] terms, double collapsed, string what)
    {
        var expected = terms.Sum();
        var scale = Math.Max(1e-300, terms.Select(Math.Abs).Sum());
        Assert.True(Math.Abs(expected - collapsed) <= 1e-13 * scale, $"{what}: Σ y_K = {expected:R}, collapsed {collapsed:R}");
    }

    private static Module Build(Function fn, int wrt, int order, int lanes, bool collapsed, Func<FunctionKey, Function?> lookup,
        bool oneHot = false)
    {
        var raw = Taylor.Entry(Simplify.Run(fn), wrt, order, lookup, lanes, new[] { 1 }, oneHot, collapsed);
        Assert.Empty(Verifier.Verify(raw));
        Assert.Equal(collapsed, raw.Functions[0].Key.Collapsed);
        var simplified = new Module(raw.Functions.Select(f => Simplify.Run(f)).ToEquatableArray());
        Assert.Empty(Verifier.Verify(simplified));
        return simplified;
    }

    /// <summary>Runs an entry; <paramref name="jet"/> is inserted after the active parameter (a jet span or the one-hot indices).</summary>
    private static double[] Run(Module module, IEnumerable<Function> callees, object[] args, int wrt, object[] jet, int outputs)
    {
        var all = new List<object>();
        for (var i = 0; i < args.Length; i++)
        {
            all.Add(args[i] is double[] a ? a.Clone() : args[i]);
            if (i == wrt) all.AddRange(jet);
        }
        var y = new double[outputs];
        all.Add(y);
        var interpreter = new Interpreter(new Module(module.Functions.Concat(callees).ToEquatableArray()));
        interpreter.Call(module.Functions[0], all.ToArray());
        return y;
    }

    /// <summary>Compares the two entries' outputs: y_0 and each lane's y_1..y_{K−1} bit for bit, Σ_l y_K to rounding.</summary>
    private static void Compare(double[] plain, double[] collapsed, int order, int lanes, string what)
    {
        Assert.Equal(1 + lanes * order, plain.Length);
        Assert.Equal(1 + lanes * (order - 1) + 1, collapsed.Length);
        Assert.Equal(plain[0], collapsed[0]);
        var tops = new double[lanes];
        for (var l = 0; l < lanes; l++)
        {
            for (var k = 1; k < order; k++) Assert.Equal(plain[1 + l * order + k - 1], collapsed[1 + l * (order - 1) + k - 1]);
            tops[l] = plain[1 + l * order + order - 1];
        }
        CloseSum(tops, collapsed[collapsed.Length - 1], what);
    }

    [Theory]
    [MemberData(nameof(MathRows))]
    public void EveryPrimitiveRowCollapsesToTheSumOfItsLanes(string id)
    {
        var row = PrimitiveRows.Row(id);
        var fn = PrimitiveRows.Lower(row);
        var rng = new Random(id.Length * 31 + row.Arity);
        foreach (var order in new[] { 2, 3 })
        {
            for (var wrt = 0; wrt < row.Arity; wrt++)
            {
                const int lanes = 3;
                var plain = Build(fn, wrt, order, lanes, collapsed: false, _ => null);
                var collapsed = Build(fn, wrt, order, lanes, collapsed: true, _ => null);
                foreach (var x in PrimitiveRows.Points(row, 2))
                {
                    var directions = Enumerable.Range(0, lanes).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
                    var args = x.Cast<object>().ToArray();
                    var a = Run(plain, Array.Empty<Function>(), args, wrt, new object[] { directions }, 1 + lanes * order);
                    var b = Run(collapsed, Array.Empty<Function>(), args, wrt, new object[] { directions }, 1 + lanes * (order - 1) + 1);
                    Compare(a, b, order, lanes, $"{row.ClrName} order {order} along x{wrt}");
                }
            }
        }
    }

    private const string Composite = """
        using System;
        using Dsl;

        public static class Ext
        {
            public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));
        }

        public static partial class P
        {
            [Differentiable]
            public static double G(double a, double b) => Math.Tanh(a) * b + Math.Exp(a / (1 + b * b));

            [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Softplus))]
            public static double SoftplusPrime(double v) => 1 / (1 + Math.Exp(-v));

            // Ext.Softplus's body for the interpreter (the generator never reads Ext's).
            [Differentiable]
            public static double SoftplusBody(double v) => Math.Log(1 + Math.Exp(v));

            [Differentiable]
            public static double F(ReadOnlySpan<double> x, double c)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[3];
                for (int j = 0; j < 3; j++)
                {
                    double s = 0.1 * j;
                    for (int k = 0; k < n; k++) s += (j + 1.5) * x[k] * x[(k + j) % n];
                    h[j] = G(s, x[j] * c);
                }
                double r = 0;
                for (int j = 0; j < 3; j++)
                {
                    if (h[j] > 0.3) r += Math.Sqrt(1 + h[j] * h[j]);
                    else r -= Math.Sin(h[j]) * Ext.Softplus(h[j]);
                }
                return r * Math.Log(2 + x[0] * x[0]) + Math.Pow(x[n - 1], 3);
            }
        }
        """;

    /// <summary>The lowered methods, and Ext.Softplus (called through its rule) for the interpreter.</summary>
    private static List<Function> Callees(Dictionary<string, PrimalModel> primals)
    {
        var all = primals.Values.Select(p => p.Ir!).ToList();
        var body = primals["SoftplusBody"].Ir!;
        all.Add(new Function(FunctionKey.Primal("global::Ext.Softplus(double)"), "Softplus", body.Body));
        return all;
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(3, 4)]
    [InlineData(2, 8)]
    [InlineData(4, 2)]
    public void LoopsBuffersCallsBranchesAndRulesCollapse(int order, int lanes)
    {
        var primals = Pipeline.LowerAll(Composite);
        foreach (var p in primals.Values) Assert.True(p.Failure is null, p.Failure);
        var byKey = primals.Values.ToDictionary(p => p.Key, p => p.Ir);
        Function? Lookup(FunctionKey k) => byKey.TryGetValue(k, out var f) ? f : null;
        var fn = primals["F"].Ir!;
        var callees = Callees(primals);
        var plain = Build(fn, 0, order, lanes, collapsed: false, Lookup);
        var collapsed = Build(fn, 0, order, lanes, collapsed: true, Lookup);
        // The callee G is jetted through a collapsed helper of its own.
        Assert.Contains(collapsed.Functions, f => f.Key.Collapsed && !f.Key.Entry);
        var rng = new Random(order * 100 + lanes);
        const int d = 5;
        for (var point = 0; point < 4; point++)
        {
            var x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 1.6 - 0.8).ToArray();
            var c = rng.NextDouble() + 0.5;
            var directions = Enumerable.Range(0, lanes * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var args = new object[] { x, c };
            var a = Run(plain, callees, args, 0, new object[] { directions }, 1 + lanes * order);
            var b = Run(collapsed, callees, args, 0, new object[] { directions }, 1 + lanes * (order - 1) + 1);
            Compare(a, b, order, lanes, $"F, order {order}, {lanes} lanes, point {point}");
        }
    }

    [Fact]
    public void OneHotLanesCollapse()
    {
        var primals = Pipeline.LowerAll(Composite);
        var byKey = primals.Values.ToDictionary(p => p.Key, p => p.Ir);
        Function? Lookup(FunctionKey k) => byKey.TryGetValue(k, out var f) ? f : null;
        var fn = primals["F"].Ir!;
        var callees = Callees(primals);
        const int lanes = 4, d = 6;
        var plain = Build(fn, 0, 2, lanes, collapsed: false, Lookup, oneHot: true);
        var collapsed = Build(fn, 0, 2, lanes, collapsed: true, Lookup, oneHot: true);
        var rng = new Random(7);
        var x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 1.6 - 0.8).ToArray();
        foreach (var indices in new[] { new object[] { 0, 1, 2, 3 }, new object[] { 5, 5, 2, 0 } })
        {
            var a = Run(plain, callees, new object[] { x, 0.9 }, 0, indices, 1 + lanes * 2);
            var b = Run(collapsed, callees, new object[] { x, 0.9 }, 0, indices, 1 + lanes + 1);
            Compare(a, b, 2, lanes, "one-hot F along " + string.Join(",", indices));
        }
    }

    [Fact]
    public void OneLaneOrAnInputInSlotKBuildsTheOrdinaryEntry()
    {
        var fn = PrimitiveRows.Lower(PrimitiveRows.Row("Tanh/1"));
        Assert.False(Taylor.Entry(Simplify.Run(fn), 0, 2, _ => null, 1, new[] { 1 }, collapsed: true).Functions[0].Key.Collapsed);
        Assert.False(Taylor.Entry(Simplify.Run(fn), 0, 2, _ => null, 4, new[] { 1, 2 }, collapsed: true).Functions[0].Key.Collapsed);
        Assert.True(Taylor.Entry(Simplify.Run(fn), 0, 2, _ => null, 4, new[] { 1 }, collapsed: true).Functions[0].Key.Collapsed);
    }
}
