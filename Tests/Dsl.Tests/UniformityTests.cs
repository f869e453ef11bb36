using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;
using Dsl.Generator.Transforms.Lanes;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The uniformity analysis behind running W items in W vector lanes (issue 10): on primals lowered from C#, which
/// values differ between items, which stay one scalar for all lanes (the weights), and which constructs it refuses,
/// with the reason.
/// </summary>
public class UniformityTests
{
    private const string Members = """
        [Differentiable]
        public static float U(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int width)
        {
            int d = x.Length;
            Span<float> h = stackalloc float[width];
            for (int j = 0; j < width; j++)
            {
                float z = theta[width * d + j];
                for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
                h[j] = MathF.Tanh(z);
            }
            float o = theta[width * d + width];
            for (int k = 0; k < width; k++) o += theta[width * d + width + 1 + k] * h[k];
            float r2 = 0;
            for (int k = 0; k < d; k++) r2 += x[k] * x[k];
            return (1 - r2) * o + Scale(theta[0]);
        }

        [Differentiable]
        public static float Scale(float a) => a * a;

        [Differentiable]
        public static double Sum(ReadOnlySpan<double> x, int n)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += x[i];
            return s;
        }

        [Differentiable]
        public static double Relu(ReadOnlySpan<double> x, double b)
        {
            double y;
            if (x[0] > b) y = x[0] - b; else y = 0;
            return y * b;
        }

        [Differentiable]
        public static double Mark(ReadOnlySpan<double> x, Span<double> y)
        {
            if (x[0] > 0) y[0] = x[0];
            return y[0];
        }

        [Differentiable]
        public static double Pick(ReadOnlySpan<double> w, int i, Span<double> y)
        {
            y[i] = 1;
            return w[i];
        }
        """;

    private static readonly Dictionary<string, PrimalModel> Primals =
        Pipeline.LowerAll("using System;\nusing Dsl;\n\npublic static partial class P\n{\n" + Members + "\n}\n");

    private static Function? Lookup(FunctionKey key) => Primals.Values.FirstOrDefault(p => p.Key == key)?.Ir;

    private static (Function Fn, LaneVerdict Verdict) Analyze(string name, params bool[] varying)
    {
        var fn = Primals[name].Ir!;
        return (fn, Uniformity.Analyze(fn, varying, Lookup));
    }

    private static IEnumerable<Op> AllOps(Region r) => r.Ops.SelectMany(op => new[] { op }.Concat(op.Regions.SelectMany(AllOps)));

    [Fact]
    public void Per_item_inputs_with_shared_weights_run_in_lanes_with_the_weights_loaded_once()
    {
        // x per item, θ and the width shared: the network of Samples/Pinn in small.
        var (fn, verdict) = Analyze("U", true, false, false);
        Assert.Empty(verdict.Obstacles);
        var loads = AllOps(fn.Body).OfType<LoadOp>().ToList();
        var thetaLoads = loads.Where(l => l.Buffer.Id == fn.Body.Args[1].Id).ToList();
        var xLoads = loads.Where(l => l.Buffer.Id == fn.Body.Args[0].Id).ToList();
        Assert.NotEmpty(thetaLoads);
        Assert.All(thetaLoads, l => Assert.False(verdict.IsVarying(l.Result), $"weight load {l.Result.Name} should be one scalar"));
        Assert.All(xLoads, l => Assert.True(verdict.IsVarying(l.Result)));
        // The local buffer h receives tanh of per-item values, so it holds per-item data, and the result varies.
        var h = AllOps(fn.Body).OfType<AllocOp>().Single();
        Assert.True(verdict.IsVarying(h.Result));
        Assert.True(verdict.IsVarying(fn.Body.Yields[0]));
        Assert.Equal(0, verdict.Gathers);
        // Scale(theta[0]) is called with a uniform argument: its result is one scalar too.
        var call = AllOps(fn.Body).OfType<CallOp>().Single();
        Assert.False(verdict.IsVarying(call.Outs[0]));
    }

    [Fact]
    public void When_the_weights_differ_per_item_too_everything_varies()
    {
        var (fn, verdict) = Analyze("U", true, true, false);
        Assert.Empty(verdict.Obstacles);
        Assert.All(AllOps(fn.Body).OfType<LoadOp>(), l => Assert.True(verdict.IsVarying(l.Result)));
        Assert.True(verdict.IsVarying(AllOps(fn.Body).OfType<CallOp>().Single().Outs[0]));
    }

    [Fact]
    public void A_loop_bound_that_differs_between_items_is_an_obstacle()
    {
        Assert.Empty(Analyze("Sum", true, false).Verdict.Obstacles);
        var obstacle = Assert.Single(Analyze("Sum", true, true).Verdict.Obstacles);
        Assert.Equal("'Sum': runs a loop over 'i' whose bounds differ between items", obstacle);
    }

    [Fact]
    public void A_branch_on_a_per_item_value_without_side_effects_becomes_a_select()
    {
        var (fn, verdict) = Analyze("Relu", true, false);
        Assert.Empty(verdict.Obstacles);
        Assert.Equal(1, verdict.Selects);
        Assert.True(verdict.IsVarying(fn.Body.Yields[0]));
        // With x shared and b shared, nothing varies and nothing is selected.
        var uniform = Analyze("Relu", false, false).Verdict;
        Assert.Equal(0, uniform.Selects);
        Assert.False(uniform.IsVarying(fn.Body.Yields[0]));
    }

    [Fact]
    public void A_store_under_a_per_item_branch_is_an_obstacle()
    {
        var obstacle = Assert.Single(Analyze("Mark", true, true).Verdict.Obstacles);
        Assert.Equal("'Mark': branches on a value that differs between items around stores or calls (a select cannot express it)",
            obstacle);
    }

    [Fact]
    public void Per_item_indices_make_gathers_and_scatters()
    {
        var verdict = Analyze("Pick", false, true, true).Verdict;
        Assert.Equal(1, verdict.Gathers);   // w[i]: per-lane loads from the shared w
        var obstacle = Assert.Single(verdict.Obstacles);
        Assert.Equal("'Pick': writes 'y' at an index that differs between items (a scatter)", obstacle);
    }

    [Fact]
    public void A_gradient_keeps_per_item_values_on_a_lane_tape_and_its_weight_adjoint_varies()
    {
        // Reverse mode of U with respect to θ, x per item: the tape holds per-item values, and θ's adjoint (a sum over
        // the items, later) differs per item.
        var fn = Primals["U"].Ir!;
        var module = Simplify.Run(Reverse.Gradient(fn, new[] { false, true, false }, Lookup), key => Lookup(key));
        var grad = module.Functions[0];
        var all = module.Functions.ToDictionary(f => f.Key);
        var verdict = Uniformity.Analyze(grad, new[] { true, false, false, false }, key => all.TryGetValue(key, out var f) ? f : Lookup(key));
        Assert.Empty(verdict.Obstacles);
        Assert.True(verdict.VaryingTape);
        Assert.True(verdict.IsVarying(grad.Body.Args[3]));   // thetaBar
    }
}
