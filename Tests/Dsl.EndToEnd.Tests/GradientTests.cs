using System;
using System.Linq;
using System.Text;
using Dsl.EndToEnd.Tests.Corpus;
using Dsl.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Every corpus primal's generated gradient (reverse mode) at the points and directions of
/// <see cref="JvpTests"/>: its value against the primal, ⟨∇f, v⟩ against the independently
/// generated JVP's tangent (forward mode), each partial against finite differences, and float
/// against double. Void primals get a [Vjp]: ⟨ȳ, J v⟩ (JVP) against ⟨Jᵀȳ, v⟩ (VJP).
///
/// Tolerances (see <see cref="Tolerances"/> for the derivations they follow):
/// <list type="bullet">
/// <item>Gradient vs JVP, double: 1e-12 · S with S = Σ_i |∂_i f · v_i| (from the JVP, so it does not
/// depend on the gradient under test). Both compute the same partials with the same derivative
/// rules in double; they differ only in the order of the chain-rule sums (forward accumulates along
/// the primal, reverse against it), each a few hundred operations, so their difference is a few
/// hundred u ≈ 1e-14 of S; 1e-12 leaves two orders of margin for conditioning, while a wrong
/// adjoint rule is off by O(1) of S. Measured: every case passes at 1e-14 · S.</item>
/// <item>Gradient vs finite differences, per coordinate e_j: the FD of <see cref="Numerics"/> along e_j,
/// tolerance 1e-7 · max_j |∂_j f| + 1e-9 · |f|. The truncation and rounding terms of the stencil do
/// not depend on which coordinate it runs along, so the scale is the gradient's largest entry
/// (from finite differences too), not the entry itself, which may be ~0.</item>
/// <item>Float vs double: 1e-4 · κ · S along v, the float budget of the JVP tests: the reverse sweep
/// has the same dependency chains as the forward sweep, reversed.</item>
/// </list>
/// </summary>
public class GradientTests
{
    /// <summary>The tolerance of gradient vs JVP, relative to S (see the class comment).</summary>
    public const double GradientVsJvp = 1e-12;

    public static TheoryData<string, int> GradientPoints() => PointsOf(g => g.Gradient64 is not null);

    public static TheoryData<string, int> VjpPoints() => PointsOf(g => g.Vjp64 is not null);

    private static TheoryData<string, int> PointsOf(Func<GradientCase, bool> which)
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases.All.Where(c => which(GradientCases.Get(c.Name))))
        {
            for (var i = 0; i < JvpTests.PointsPerCase; i++) data.Add(c.Name, i);
        }
        return data;
    }

    [Fact]
    public void Every_case_has_a_gradient_or_a_vjp()
    {
        var missing = Cases.All.Where(c => !GradientCases.All.TryGetValue(c.Name, out var g) || (g.Gradient64 is null && g.Vjp64 is null)).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, "no gradient adapter for: " + string.Join(", ", missing));
    }

    /// <summary>The value a gradient returns is the primal's, bit for bit (the forward sweep runs the primal).</summary>
    [Theory]
    [MemberData(nameof(GradientPoints))]
    public void Gradient_value_equals_primal(string name, int point)
    {
        var (c, g) = (Cases.Get(name), GradientCases.Get(name));
        var (x, _) = c.Point(point);

        Assert.Equal(c.Primal64(x)[0].ToString("R"), g.Gradient64!(x).Value.ToString("R"));
        var x32 = Numerics.ToFloat(x);
        Assert.Equal(c.Primal32(x32)[0].ToString("R"), g.Gradient32!(x32).Value.ToString("R"));
    }

    [Theory]
    [MemberData(nameof(GradientPoints))]
    public void Double_gradient_along_v_matches_jvp(string name, int point)
    {
        var (c, g) = (Cases.Get(name), GradientCases.Get(name));
        var (x, v) = c.Point(point);

        var expected = c.Jvp64(x, v).Tangent[0];
        var scale = Numerics.TermScale(d => c.Jvp64(x, d).Tangent, v)[0];
        var actual = Dot(g.Gradient64!(x).Adjoint, v);

        AssertClose("the JVP's tangent", c, point, expected, actual, GradientVsJvp * scale);
    }

    [Theory]
    [MemberData(nameof(GradientPoints))]
    public void Double_gradient_matches_finite_differences_per_coordinate(string name, int point)
    {
        var (c, g) = (Cases.Get(name), GradientCases.Get(name));
        var (x, v) = c.Point(point);
        var gradient = g.Gradient64!(x).Adjoint;
        var value = c.Primal64(x)[0];

        // Coordinates the case differentiates (the gradient's Wrt is the JVP's).
        var coordinates = Enumerable.Range(0, c.Inputs.Length).Where(i => c.Inputs[i].Active)
            .SelectMany(i => Enumerable.Range(0, c.Inputs[i].Length).Select(j => (i, j))).ToList();
        var fd = coordinates.Select(ij =>
        {
            var e = x.Select(xi => new double[xi.Length]).ToArray();
            e[ij.i][ij.j] = 1;
            return Numerics.DirectionalFiniteDifference(c.Primal64, x, e)[0];
        }).ToArray();
        var tolerance = Tolerances.FiniteDifference * fd.Max(Math.Abs) + Tolerances.FiniteDifferenceValueFloor * Math.Abs(value);

        var failed = coordinates.Select((ij, k) => (ij, k)).Where(t => !(Math.Abs(gradient[t.ij.i][t.ij.j] - fd[t.k]) <= tolerance)).ToList();
        if (failed.Count == 0) return;
        var message = new StringBuilder(Describe(c, point, "the gradient differs from finite differences"));
        foreach (var ((i, j), k) in failed)
            message.Append($"  d/d{c.Inputs[i].Name}[{j}]: finite differences {fd[k]:R}, gradient {gradient[i][j]:R}, tolerance {tolerance:E3}\n");
        Assert.Fail(message.ToString());
    }

    [Theory]
    [MemberData(nameof(GradientPoints))]
    public void Float_gradient_along_v_matches_double(string name, int point)
    {
        var (c, g) = (Cases.Get(name), GradientCases.Get(name));
        var (x, v) = c.Point(point);

        var gradient64 = g.Gradient64!(x).Adjoint;
        var expected = Dot(gradient64, v);
        var scale = TermScale(gradient64, v);
        var gradient32 = g.Gradient32!(Numerics.ToFloat(x)).Adjoint;
        var actual = Dot(gradient32.Select(Numerics.ToDouble).ToArray(), v);

        AssertClose("the double gradient", c, point, expected, actual, Tolerances.Float * c.FloatCondition * scale);
    }

    /// <summary>
    /// ⟨ȳ, J v⟩ from the JVP equals ⟨Jᵀȳ, v⟩ from the VJP, v restricted to the arguments the VJP
    /// differentiates; the VJP writes the primal's outputs bit for bit. ȳ is standard normal,
    /// seeded. Tolerance 1e-12 · S with S = Σ_k |ȳ_k| Σ_i |∂_i y_k · v_i| (as for the gradient);
    /// float against double at 1e-4 · κ · S.
    /// </summary>
    [Theory]
    [MemberData(nameof(VjpPoints))]
    public void Vjp_is_the_transpose_of_the_jvp(string name, int point)
    {
        var (c, g) = (Cases.Get(name), GradientCases.Get(name));
        var (x, v) = c.Point(point);
        v = v.Select((vi, i) => g.VjpWrt.Contains(i) ? vi : new double[vi.Length]).ToArray();

        var jet = c.Jvp64(x, v);
        var rng = new Random(point * 31 + 7);
        var seed = jet.Value.Select(_ => Math.Round(rng.NextDouble() * 4 - 2, 3)).ToArray();

        var pullback = g.Vjp64!(x, seed);
        Assert.True(c.Primal64(x).SequenceEqual(pullback.Outputs), $"{name}: the VJP's outputs differ from the primal's");

        var expected = seed.Select((s, k) => s * jet.Tangent[k]).Sum();
        var termScale = Numerics.TermScale(d => c.Jvp64(x, d).Tangent, v);
        var scale = seed.Select((s, k) => Math.Abs(s) * termScale[k]).Sum();
        AssertClose("⟨ȳ, J v⟩ from the JVP", c, point, expected, Dot(pullback.Adjoint, v), GradientVsJvp * scale);

        var x32 = Numerics.ToFloat(x);
        var pullback32 = g.Vjp32!(x32, seed.Select(s => (float)s).ToArray());
        Assert.True(c.Primal32(x32).SequenceEqual(pullback32.Outputs), $"{name}: the float VJP's outputs differ from the primal's");
        AssertClose("⟨Jᵀȳ, v⟩ of the double VJP", c, point, Dot(pullback.Adjoint, v),
            Dot(pullback32.Adjoint.Select(Numerics.ToDouble).ToArray(), v), Tolerances.Float * c.FloatCondition * scale);
    }

    /// <summary>After warm-up, a gradient of fixed-size arguments allocates nothing: its tape lives on the stack.</summary>
    [Fact]
    public void A_gradient_on_a_fresh_tape_grows_it_while_it_runs_and_equals_one_on_a_grown_tape()
    {
        // d = 40: the second walk saves 2 doubles for each of 780 entries, the tape starts with room for 64.
        var rnd = new Random(11);
        var x = Enumerable.Range(0, 40).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var l = Enumerable.Range(0, 40 * 39).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        double[] lBarFresh = new double[l.Length], xBarFresh = new double[x.Length];
        double[] lBarWarm = new double[l.Length], xBarWarm = new double[x.Length];
        Tape.TrimThreadPool();
        var fresh = Corpus64.PackedTriangleGradient(l, x, lBarFresh, xBarFresh);
        var warm = Corpus64.PackedTriangleGradient(l, x, lBarWarm, xBarWarm);
        Assert.Equal(Corpus64.PackedTriangle(l, x), fresh);
        Assert.Equal(fresh, warm);
        Assert.Equal(lBarWarm, lBarFresh);
        Assert.Equal(xBarWarm, xBarFresh);
        Assert.Contains(lBarFresh, v => v != 0);
    }

    [Fact]
    public void A_push_after_a_loop_that_fills_a_fresh_tape_has_room()
    {
        // Row 0's 256 exps fill a fresh tape's 256 doubles; the row's sum is pushed next (its room reserved with the loop's).
        const int n = 256;
        var rnd = new Random(5);
        var x = Enumerable.Range(0, 2 * n).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var xBar = new double[x.Length];
        Tape.TrimThreadPool();
        var probe = Tape.Rent();
        Assert.Equal(n, probe.DoubleStack.Length);
        probe.Release();
        Tape.TrimThreadPool();
        var value = TapeRoomModel.RowLogSumExpGradient(x, 2, xBar);
        Assert.Equal(TapeRoomModel.RowLogSumExp(x, 2), value);
        for (var r = 0; r < 2; r++)
        {
            var se = Enumerable.Range(0, n).Sum(i => Math.Exp(x[r * n + i]));
            for (var i = 0; i < n; i++) Assert.Equal(Math.Exp(x[r * n + i]) / se, xBar[r * n + i], 1e-14);
        }
    }

    [Fact]
    public void One_reservation_before_three_loops_makes_room_for_all_their_pushes_on_a_fresh_tape()
    {
        // 8 exps, 203 rows (50 jammed groups of 4 and 3 one at a time) and 300 exps: 511 doubles pushed after one
        // reservation (made before the first loop) on a fresh tape of 256. Had it left out the later loops, their pushes,
        // which check no room, would run past the stack.
        const int n = 8, rows = 203, m = 300;
        var rnd = new Random(17);
        var w = Enumerable.Range(0, rows * n).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var z = Enumerable.Range(0, m).Select(_ => rnd.NextDouble() - 0.5).ToArray();
        var (wBar, xBar, zBar) = (new double[w.Length], new double[n], new double[m]);
        Tape.TrimThreadPool();
        var value = TapeRoomModel.ExpsThenRowsGradient(w, x, z, wBar, xBar, zBar);
        Assert.Equal(TapeRoomModel.ExpsThenRows(w, x, z), value);
        // Closed form: f = log(Σ eˣ)·Σⱼ yⱼ² + Σₖ exp(zₖx₀), yⱼ = Σᵢ wⱼᵢxᵢ.
        var se = x.Sum(Math.Exp);
        var y = Enumerable.Range(0, rows).Select(j => Enumerable.Range(0, n).Sum(i => w[j * n + i] * x[i])).ToArray();
        var sq = y.Sum(v => v * v);
        for (var j = 0; j < rows; j++)
            for (var i = 0; i < n; i++) Assert.Equal(Math.Log(se) * 2 * y[j] * x[i], wBar[j * n + i], 1e-12);
        for (var i = 0; i < n; i++)
        {
            var expected = Math.Exp(x[i]) / se * sq + Math.Log(se) * Enumerable.Range(0, rows).Sum(j => 2 * y[j] * w[j * n + i])
                + (i == 0 ? z.Sum(v => v * Math.Exp(v * x[0])) : 0);
            Assert.Equal(expected, xBar[i], 1e-10);
        }
        for (var k = 0; k < m; k++) Assert.Equal(x[0] * Math.Exp(z[k] * x[0]), zBar[k], 1e-14);
    }

    [Fact]
    public void Gradients_of_fixed_size_functions_do_not_allocate()
    {
        Span<double> x = stackalloc double[] { 0.3, -1.2, 0.8, 1.5 };
        Span<double> xBar = stackalloc double[4];
        double sink = 0;
        for (var i = 0; i < 10; i++)
        {
            sink += Corpus64.PolarGradient(1.1, 0.4, out var a, out var b) + a + b;
            sink += Corpus64.RosenbrockGradient(x, xBar) + xBar[0];
        }

        var polarBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) sink += Corpus64.PolarGradient(1.1, 0.4 + i * 1e-3, out var a, out var b) + a + b;
        var polarBytes = GC.GetAllocatedBytesForCurrentThread() - polarBefore;

        var rosenbrockBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) sink += Corpus64.RosenbrockGradient(x, xBar) + xBar[0];
        var rosenbrockBytes = GC.GetAllocatedBytesForCurrentThread() - rosenbrockBefore;

        Assert.False(double.IsNaN(sink));
        Assert.Equal(0, polarBytes);
        Assert.Equal(0, rosenbrockBytes);
    }

    [Theory]
    [InlineData(1.5, 0.0)]
    [InlineData(1.5, 1000.0)] // Exp(1000) = +∞ and 0 · ∞ = NaN
    public void Zero_times_overflow_is_NaN_in_the_gradient_value_too(double x, double big)
    {
        var value = Fidelity.ZeroWeightedTermGradient(x, big, out var xBar);
        Assert.Equal(Fidelity.ZeroWeightedTerm(x, big), value);
        if (!double.IsNaN(value)) Assert.Equal(1.0, xBar);
    }

    [Theory]
    [InlineData(-0.7, false)]
    [InlineData(0.4, true)]
    [InlineData(1.3, false)]
    public void Early_return_pipeline_gradient_matches_jvp(double x, bool stopEarly)
    {
        var value = Scaling.StagesGradient(x, stopEarly, out var xBar);
        var jvpValue = Scaling.StagesJvp(x, 1, stopEarly, out var dx);
        Assert.Equal(Scaling.Stages(x, stopEarly), value);
        Assert.Equal(jvpValue, value);
        Assert.True(Math.Abs(xBar - dx) <= GradientVsJvp * Math.Abs(dx), $"gradient {xBar:R}, JVP {dx:R}");
    }

    private static double Dot(double[][] a, double[][] b) => a.Select((ai, i) => ai.Select((e, j) => e * b[i][j]).Sum()).Sum();

    private static double TermScale(double[][] gradient, double[][] v) => gradient.Select((gi, i) => gi.Select((e, j) => Math.Abs(e * v[i][j])).Sum()).Sum();

    private static string Describe(Case c, int point, string what)
    {
        var (x, v) = c.Point(point);
        var message = new StringBuilder($"{c.Name}, point {point}: {what}\n");
        for (var i = 0; i < c.Inputs.Length; i++)
        {
            message.Append($"  {c.Inputs[i].Name} = [{string.Join(", ", x[i].Select(e => e.ToString("R")))}]");
            message.Append($"  d{c.Inputs[i].Name} = [{string.Join(", ", v[i].Select(e => e.ToString("R")))}]\n");
        }
        return message.ToString();
    }

    private static void AssertClose(string reference, Case c, int point, double expected, double actual, double tolerance)
    {
        if (Math.Abs(actual - expected) <= tolerance) return;
        Assert.Fail(Describe(c, point, $"⟨gradient, v⟩ differs from {reference}")
            + $"  expected {expected:R}, got {actual:R}, |difference| {Math.Abs(actual - expected):E3} > tolerance {tolerance:E3}\n");
    }
}
