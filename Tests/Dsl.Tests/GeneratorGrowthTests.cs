using System.Linq;
using System.Text;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The generator's cost in loop nesting depth, measured by a step counter, not a clock: dead-code elimination walked
/// each loop's body at least twice (a probe, then the result), so nested loops cost 2^depth region passes (16 nested
/// one-trip loops: 0.9 s to simplify one gradient, 20: about 20 s). Doubling the depth must now at most about double
/// the passes and the generated size.
/// </summary>
public class GeneratorGrowthTests
{
    private static string Nested(int depth)
    {
        var sb = new StringBuilder("using System;\nusing Dsl;\npublic static partial class G\n{\n[Differentiable]\n");
        sb.Append("public static double F(double x)\n{\ndouble s = x;\n");
        for (var i = 0; i < depth; i++) sb.Append($"for (int i{i} = 0; i{i} < 1; i{i}++) {{\n");
        sb.Append("s = s * x + 1;\n");
        for (var i = 0; i < depth; i++) sb.Append("}\n");
        sb.Append("return s;\n}\n}\n");
        return sb.ToString();
    }

    private static (long Passes, int Ops) Simplified(int depth, bool reverse)
    {
        var fn = Pipeline.LowerAll(Nested(depth))["F"].Ir!;
        var module = reverse ? Reverse.Gradient(fn, new[] { true }, _ => null) : Forward.Jvp(fn, new[] { true }, _ => null);
        Simplify.RegionPasses = 0;
        var simplified = Simplify.Run(module, _ => null);
        return (Simplify.RegionPasses, simplified.Functions.Sum(f => Count(f.Body)));
    }

    private static int Count(Region r) => r.Ops.Sum(o => 1 + o.Regions.Sum(Count));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Simplifying_nested_loops_grows_linearly_with_the_depth(bool reverse)
    {
        // Linear: twice the depth, about twice the work (2.5 leaves room for the constant per-function passes); the
        // exponential walk gave 2^6 = 64 times more passes from depth 6 to 12. Each step is checked before the next,
        // deeper one runs, so an exponential regression fails quickly instead of running for hours.
        var (p6, o6) = Simplified(6, reverse);
        var (p12, o12) = Simplified(12, reverse);
        Assert.True(p12 <= 2.5 * p6, $"region passes: depth 6 {p6}, depth 12 {p12}");
        var (p24, o24) = Simplified(24, reverse);
        Assert.True(p24 <= 2.5 * p12, $"region passes: depth 12 {p12}, depth 24 {p24}");
        Assert.True(o12 <= 2.5 * o6 && o24 <= 2.5 * o12, $"ops: {o6}, {o12}, {o24}");
    }

    /// <summary>A loop whose body assigns <c>s</c> in <paramref name="statements"/> statements, and its gradient.</summary>
    private static string LongBody(int statements)
    {
        var sb = new StringBuilder("using System;\nusing Dsl;\npublic static partial class G\n{\n[Differentiable]\n");
        sb.Append("public static double F(double x, double y)\n{\ndouble s = x;\nfor (int i = 0; i < 3; i++)\n{\n");
        for (var k = 0; k < statements; k++) sb.Append($"s = s * {0.5 + k % 7 * 0.01} + x * y;\n");
        return sb.Append("}\nreturn s;\n}\n}\n").ToString();
    }

    /// <summary>Names tried while printing the simplified gradient, and the printed length.</summary>
    private static (long Names, int Chars) Printed(int statements)
    {
        var fn = Pipeline.LowerAll(LongBody(statements))["F"].Ir!;
        var module = Simplify.Run(Reverse.Gradient(fn, new[] { true, true }, _ => null), _ => null);
        var w = new IndentedWriter();
        var shape = new MethodShape("public static double FGrad(double x, double y, out double xBar, out double yBar)",
            new[] { "x", "y" }, new[] { "xBar", "yBar" }, new string[0], new string[0]);
        NameScope.NamesTried = 0;
        BodyWriter.EmitMethod(w, module.Functions[0], shape, k => k.QualifiedName, CpuScalar.Instance);
        return (NameScope.NamesTried, w.ToString().Length);
    }

    [Fact]
    public void Printing_a_long_loop_body_grows_linearly_with_its_statements()
    {
        // Every statement assigns s, so the printer names s, s_1, …, s_n (and their adjoints). Each fresh name was searched
        // from s_1 upwards: n²/2 names tried (10,000 statements: 50 million strings, 7.7 GB allocated, most of the 80 s).
        // Linear: four times the statements, at most four times the names (the method's fixed names only lower the ratio);
        // the quadratic search gave 16 times. 4.5 leaves room for per-region names that do not scale exactly.
        var (n1, c1) = Printed(1000);
        var (n4, c4) = Printed(4000);
        Assert.True(n4 <= 4.5 * n1, $"names tried: 1,000 statements {n1}, 4,000 statements {n4}");
        Assert.True(c4 <= 4.5 * c1, $"printed characters: {c1}, {c4}");
    }
    private static string NestedBranches(int depth)
    {
        var sb = new StringBuilder("using System;\nusing Dsl;\npublic static partial class B\n{\n[Differentiable]\n");
        sb.Append("public static double F(double x)\n{\ndouble s = x;\n");
        for (var i = 0; i < depth; i++) sb.Append($"if (x > {i}.0 / {depth + 1}.0) {{\ns = s * x + 1;\n");
        for (var i = 0; i < depth; i++) sb.Append("}\n");
        sb.Append("return s;\n}\n[Gradient(nameof(F))] public static partial double FGradient(double x, out double xBar);\n}\n");
        return sb.ToString();
    }

    [Fact]
    public void Generated_size_grows_linearly_with_branch_depth()
    {
        // Each level adds a fixed number of lines to the primal and to its gradient (1,208 lines at depth 50, 4,808 at 200),
        // but every line was indented by its depth: 500 nested ifs printed 12.2 MB, and 50 → 200 levels gave 14.0 times the
        // characters. With the indentation capped at 16 levels (IndentedWriter.MaxIndent) it gives 4.4 times: four for
        // the lines, the rest because at depth 50 a third of the lines are still below the cap.
        int Size(int depth)
        {
            var result = GeneratorHarness.Run(NestedBranches(depth));
            Assert.Null(result.Exception);
            Assert.Empty(result.Errors);
            return result.AllGenerated.Length;
        }
        var (small, large) = (Size(50), Size(200));
        Assert.True(large <= 4.5 * small, $"generated characters: depth 50 {small}, depth 200 {large} ({(double)large / small:F1}x)");
    }
}
