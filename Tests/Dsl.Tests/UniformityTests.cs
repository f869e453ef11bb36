using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
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

    [Fact]
    public void In_lanes_a_store_under_a_per_item_branch_is_speculated_and_a_per_item_index_is_a_lane_scatter()
    {
        // The lanes backend runs the side every lane of a block takes (or reruns the block per item), and a store at a
        // per-item index into a per-item buffer writes each lane's own copy: neither is an obstacle there.
        var mark = Uniformity.Analyze(Primals["Mark"].Ir!, new[] { true, true }, Lookup, speculate: true);
        Assert.Empty(mark.Obstacles);
        Assert.Equal(1, mark.Speculated);
        Assert.Equal(0, mark.Selects);
        var pick = Uniformity.Analyze(Primals["Pick"].Ir!, new[] { false, true, true }, Lookup, speculate: true);
        Assert.Empty(pick.Obstacles);
        Assert.Equal(new[] { ScalarKind.F64 }, pick.FloatKinds.ToArray());
    }

    [Fact]
    public void A_gradient_pops_per_item_floats_but_keeps_its_int_counters_shared()
    {
        // Each element kind has its own stack: the floats U's reverse sweep saves differ per item, the loop counts it
        // pops (if any) do not, so its loops keep shared bounds.
        var fn = Primals["U"].Ir!;
        var module = Simplify.Run(Reverse.Gradient(fn, new[] { false, true, false }, Lookup), key => Lookup(key));
        var grad = module.Functions[0];
        var all = module.Functions.ToDictionary(f => f.Key);
        var verdict = Uniformity.Analyze(grad, new[] { true, false, false, false },
            key => all.TryGetValue(key, out var f) ? f : Lookup(key), speculate: true);
        Assert.Contains(ScalarKind.F32, verdict.TapeKinds);
        Assert.DoesNotContain(ScalarKind.I32, verdict.TapeKinds);
        Assert.All(AllOps(grad.Body).OfType<PopOp>().Where(p => p.Result.Type.Elem == ScalarKind.I32),
            p => Assert.False(verdict.IsVarying(p.Result)));
        Assert.All(AllOps(grad.Body).OfType<ForOp>(), f => Assert.False(verdict.IsVarying(f.Bound)));
    }

    [Fact]
    public void Plan_reaches_every_callee_under_the_mask_its_call_gives_it()
    {
        var plan = Uniformity.Plan(Primals["U"].Ir!, new[] { true, false, false }, Lookup, speculate: true);
        var (key, entry) = Assert.Single(plan.Callees);
        Assert.Equal("Scale", entry.Fn.Name);
        Assert.Equal("0", key.Mask);   // Scale(theta[0]): a shared argument
        Assert.False(entry.Verdict.IsVarying(entry.Fn.Body.Yields[0]));
    }

    [Fact]
    public void Outlining_moves_tape_free_loop_nests_into_functions_of_the_same_values()
    {
        var fn = Primals["U"].Ir!;
        var (outer, loops) = LoopOutlining.Run(fn);
        // U has three top-level loop nests (the hidden layer with its inner loop, the output sum, r²): each becomes a
        // function, called where it stood, with the same result values.
        Assert.Equal(3, loops.Count);
        Assert.Empty(AllOps(outer.Body).OfType<ForOp>());
        var calls = AllOps(outer.Body).OfType<CallOp>().Where(c => loops.Any(l => l.Key == c.Callee)).ToList();
        Assert.Equal(3, calls.Count);
        foreach (var (call, loop) in calls.Zip(loops))
        {
            Assert.Equal(loop.Key, call.Callee);
            Assert.Equal(call.Outs.Select(v => v.Id), loop.Body.Yields.Select(v => v.Id));
            Assert.Equal(call.Args.Select(v => v.Id), loop.Params.Select(v => v.Id));
            Assert.IsType<ForOp>(loop.Body.Ops.Last());
        }
        // The same computation: the interpreter gives the same value before and after.
        var scale = Primals["Scale"].Ir!;
        var x = new[] { 0.3, -0.2 };
        var theta = Enumerable.Range(0, 2 * 3 + 3 + 1 + 3 + 1).Select(i => 0.1 * (i % 7) - 0.3).ToArray();
        var before = new Interpreter(new Module(new[] { fn, scale }.ToEquatableArray())).Call(fn, x, theta, 3);
        var after = new Interpreter(new Module(new[] { outer, scale }.Concat(loops).ToEquatableArray())).Call(outer, x, theta, 3);
        Assert.Equal((double)before[0], (double)after[0]);
        Assert.NotEqual(0.0, (double)before[0]);
    }

    [Fact]
    public void A_reverse_sweep_keeps_its_pushing_loops_and_outlines_their_inner_loops()
    {
        var fn = Primals["U"].Ir!;
        var module = Simplify.Run(Reverse.Gradient(fn, new[] { false, true, false }, Lookup), key => Lookup(key));
        var (outer, loops) = LoopOutlining.Run(module.Functions[0]);
        // Loops that push or pop stay where they are (the tape must see the same order); loops inside them do not.
        Assert.All(loops, l => Assert.DoesNotContain(AllOps(l.Body), op => op is PushOp or PopOp));
        Assert.Contains(AllOps(outer.Body).OfType<ForOp>(), f => AllOps(f.Body).Any(op => op is PushOp or PopOp));
        Assert.NotEmpty(loops);
    }
}
