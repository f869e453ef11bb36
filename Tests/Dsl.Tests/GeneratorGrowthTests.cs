using System.Linq;
using System.Text;
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
}
