using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Legalize;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The CPU target's scalar replacement: a local buffer's element that a loop reads and writes only at an index from
/// outside the loop is carried as a local (loaded before, stored after, both only when the loop runs), with the same
/// values to the bit; parameters, elements at the loop's own index and accesses under a branch stay in memory.
/// </summary>
public class ScalarReplacementTests
{
    private const string Members = """
        [Differentiable]
        public static double Acc(ReadOnlySpan<double> x, int n)
        {
            Span<double> s = stackalloc double[2];
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < n; j++) s[i] += x[j] * (i + 1.5);
            }
            return s[0] * 3 + s[1];
        }

        [Differentiable]
        public static double Param(ReadOnlySpan<double> x, Span<double> s, int n)
        {
            for (int j = 0; j < n; j++) s[0] += x[j];
            return s[0];
        }

        [Differentiable]
        public static double Moving(ReadOnlySpan<double> x)
        {
            Span<double> s = stackalloc double[4];
            for (int j = 0; j < 4; j++) s[j] += x[j] * x[j];
            return s[0] + s[3];
        }

        [Differentiable]
        public static double Weights(ReadOnlySpan<double> x, int n)
        {
            Span<double> w = stackalloc double[2];
            w[0] = x[0] * 2;
            w[1] = x[1] - 1;
            double s = 0;
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < n; j++) s += x[j] * w[i];
            }
            return s;
        }

        [Differentiable]
        public static double Branchy(ReadOnlySpan<double> x, int n)
        {
            Span<double> s = stackalloc double[1];
            for (int j = 0; j < n; j++)
            {
                if (x[j] > 0) s[0] += x[j];
            }
            return s[0];
        }
        """;

    private static readonly Dictionary<string, PrimalModel> Primals =
        Pipeline.LowerAll("using System;\nusing Dsl;\n\npublic static partial class P\n{\n" + Members + "\n}\n");

    private static IEnumerable<Op> AllOps(Region r) => r.Ops.SelectMany(op => new[] { op }.Concat(op.Regions.SelectMany(AllOps)));

    private static double Run(Function fn, params object[] args) =>
        (double)new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn, args)[0];

    [Fact]
    public void An_element_at_an_outer_index_is_carried_through_the_inner_loop_with_the_same_values()
    {
        var fn = Primals["Acc"].Ir!;
        var replaced = ScalarReplacement.Run(fn);
        Assert.NotEqual(fn, replaced);
        var inner = AllOps(replaced.Body).OfType<ForOp>().Single(f => !AllOps(f.Body).OfType<ForOp>().Any());
        Assert.DoesNotContain(AllOps(inner.Body), op => op is StoreOp or LoadOp { Buffer.Name: "s" });
        Assert.Single(inner.Inits);   // the carried element (the sum had lived in s[i])
        var x = new[] { 0.25, -1.5, 3.0, 0.125 };
        foreach (var n in new[] { 4, 1, 0 })   // 0: the loop does not run; s[i] is neither read nor written
            Assert.Equal(Run(fn, x, n), Run(replaced, x, n));
        Assert.Equal((0.25 - 1.5 + 3.0 + 0.125) * 1.5 * 3 + (0.25 - 1.5 + 3.0 + 0.125) * 2.5, Run(replaced, x, 4));
    }

    [Fact]
    public void An_element_the_inner_loop_only_reads_is_loaded_once_before_it()
    {
        var fn = Primals["Weights"].Ir!;
        var replaced = ScalarReplacement.Run(fn);
        var inner = AllOps(replaced.Body).OfType<ForOp>().Single(f => !AllOps(f.Body).OfType<ForOp>().Any() && f.Inits.Count > 0);
        Assert.DoesNotContain(AllOps(inner.Body), op => op is LoadOp { Buffer.Name: "w" });
        Assert.Single(inner.Inits);   // only the sum: nothing to carry or store for w[i]
        var x = new[] { 0.25, -1.5, 3.0, 0.125 };
        foreach (var n in new[] { 4, 1, 0 }) Assert.Equal(Run(fn, x, n), Run(replaced, x, n));
        Assert.Equal((0.25 - 1.5 + 3.0 + 0.125) * (0.5 - 2.5), Run(replaced, x, 4), 12);
    }

    [Theory]
    [InlineData("Param")]     // a parameter may be the same array as another parameter
    [InlineData("Moving")]    // the index is the loop's own
    [InlineData("Branchy")]   // the store is under a branch
    public void Other_buffers_stay_in_memory(string name)
    {
        var fn = Primals[name].Ir!;
        Assert.Equal(fn, ScalarReplacement.Run(fn));
    }
}
