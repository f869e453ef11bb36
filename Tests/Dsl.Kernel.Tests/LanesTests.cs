using System;
using System.Linq;
using System.Reflection;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// The launchers' CPU path with W items per call in the lanes of a Vector256 (<c>KernelDevice.Cpu()</c>'s default):
/// every item's values equal the per-item path's (<c>KernelDevice.Cpu(lanes: false)</c>) bit for bit where the math is
/// hardware-mapped, and the kernel's on the CPU accelerator bit for bit where it is PortableMath (tanh); blocks whose
/// items take different sides of a branch around a call or a store run again per item; a model with a per-item trip
/// count has no lanes version and says why.
/// </summary>
public sealed class LanesTests
{
    private const int D = 5;

    private static void Bits(float expected, float actual, string what)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
            Assert.Fail($"{what}: {actual:R}, expected {expected:R}");
    }

    private static void Bits(double expected, double actual, string what)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            Assert.Fail($"{what}: {actual:R}, expected {expected:R}");
    }

    private static (float Loss, float[] XBar, float[] WBar, int Diverged) RunBranchy(KernelDevice device, int n, float[] x, float[] w,
        int[] k)
    {
        using var launcher = new Branchy.FGradBatchLauncher(device);
        var xBar = new float[n * D];
        var wBar = new float[D];
        var loss = launcher.Run(n, x, w, k, xBar, wBar);
        return (loss, xBar, wBar, launcher.DivergedBlocks);
    }

    [Theory]
    [InlineData(200, true)]    // signs of w·x mixed: most blocks of 8 disagree on the branch and run per item
    [InlineData(200, false)]   // every w·x > 0.5: every block agrees
    [InlineData(37, true)]     // chunks of 2–3 items: every block is a partial one
    public void Gradients_in_lanes_equal_the_per_item_path_bit_for_bit(int n, bool mixed)
    {
        Assert.Null(Branchy.FGradBatchLauncher.LanesUnavailable);
        var x = Batches.Floats(n * D, 51, mixed ? -1.5 : 0.5, 1.5);
        var w = Batches.Floats(D, 52, mixed ? -1 : 0.5, 1);
        var k = Array.ConvertAll(Batches.Doubles(n, 53, 0, D - 0.01), v => (int)v);
        using var perItem = KernelDevice.Cpu(2, lanes: false);
        var expected = RunBranchy(perItem, n, x, w, k);
        foreach (var cores in new[] { 1, 2 })
        {
            using var device = KernelDevice.Cpu(cores, lanes: true);
            var actual = RunBranchy(device, n, x, w, k);
            Bits(expected.Loss, actual.Loss, $"{cores} cores: loss");
            for (var j = 0; j < D; j++) Bits(expected.WBar[j], actual.WBar[j], $"{cores} cores: wBar[{j}]");
            for (var j = 0; j < n * D; j++) Bits(expected.XBar[j], actual.XBar[j], $"{cores} cores: xBar[{j}]");
            if (mixed) Assert.True(actual.Diverged > 0, "mixed signs should make some blocks run per item");
            else Assert.Equal(0, actual.Diverged);
        }
    }

    [Theory]
    [InlineData(true)]     // mixed signs of x[2]: blocks diverge after adding into w̄, and run again per item
    [InlineData(false)]
    public void A_block_run_again_per_item_starts_from_a_zero_summed_block(bool mixed)
    {
        const int n = 45;
        var x = Batches.Floats(n * D, 71, mixed ? -1 : 0.25f, 1);
        var w = Batches.Floats(D, 72, -1, 1);
        Assert.Null(Spill.GGradBatchLauncher.LanesUnavailable);
        (float Result, float[] WBar, int Diverged) Run(KernelDevice device)
        {
            using var launcher = new Spill.GGradBatchLauncher(device);
            var wBar = new float[D];
            var result = launcher.Run(n, x, w, wBar);
            // Twice: the second run finds the blocks as the first left them.
            var again = new float[D];
            Assert.Equal(result, launcher.Run(n, x, w, again));
            Assert.Equal(wBar, again);
            return (result, wBar, launcher.DivergedBlocks);
        }
        using var perItem = KernelDevice.Cpu(1, lanes: false);
        using var lanes = KernelDevice.Cpu(1);
        var expected = Run(perItem);
        var actual = Run(lanes);
        Bits(expected.Result, actual.Result, "result");
        for (var j = 0; j < D; j++) Bits(expected.WBar[j], actual.WBar[j], $"wBar[{j}]");
        if (mixed) Assert.True(actual.Diverged > 0, "mixed signs should make some blocks run per item");
        else Assert.Equal(0, actual.Diverged);
    }

    [Fact]
    public void Per_item_values_in_lanes_equal_the_method_with_selects_gathers_and_partial_blocks()
    {
        const int n = 37;
        var x = Batches.Floats(n * D, 61);
        var w = Batches.Floats(D, 62, -1, 1);
        var k = Array.ConvertAll(Batches.Doubles(n, 63, 0, D - 0.01), v => (int)v);
        Assert.Null(Branchy.FBatchLauncher.LanesUnavailable);
        using var device = KernelDevice.Cpu(2);
        using var launcher = new Branchy.FBatchLauncher(device);
        var result = new float[n];
        launcher.Run(n, x, w, k, result);
        for (var i = 0; i < n; i++) Bits(Branchy.F(x.AsSpan(i * D, D), w, k[i]), result[i], $"item {i}");
    }

    [Fact]
    public void A_trip_count_that_differs_between_items_keeps_one_item_per_call_and_says_why()
    {
        Assert.Equal("'Head': runs a loop over 'i' whose bounds differ between items", Ragged.HeadBatchLauncher.LanesUnavailable);
        const int n = 11;
        var x = Batches.Doubles(n * D, 71);
        var counts = Array.ConvertAll(Batches.Doubles(n, 72, 0, D + 0.99), v => (int)v);
        using var device = KernelDevice.Cpu(2);
        using var launcher = new Ragged.HeadBatchLauncher(device);
        var result = new double[n];
        launcher.Run(n, x, counts, result);
        for (var i = 0; i < n; i++) Bits(Ragged.Head(x.AsSpan(i * D, D), counts[i]), result[i], $"item {i}");
    }

    [Fact]
    public void The_sample_models_values_in_lanes_equal_the_kernel_and_agree_with_the_method()
    {
        // Samples/Pinn's held-out error goes through UBatch: per-item results (not summed), 8 points per call.
        const int n = 45, d = 7, width = 9;
        var p = Pinn.Model.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 91, -0.7, 0.7);
        var theta = Batches.Floats(p, 92, -0.8, 0.8);
        Assert.Null(Pinn.Model.UBatchLauncher.LanesUnavailable);
        using var lanes = KernelDevice.Cpu(2, lanes: true);
        using var accelerator = KernelDevice.CpuAccelerator();
        var (ul, uk) = (new float[n], new float[n]);
        using (var launcher = new Pinn.Model.UBatchLauncher(lanes)) launcher.Run(n, x, theta, width, ul);
        using (var launcher = new Pinn.Model.UBatchLauncher(accelerator)) launcher.Run(n, x, theta, width, uk);
        for (var i = 0; i < n; i++)
        {
            Bits(uk[i], ul[i], $"u at point {i}");
            // The method itself computes tanh with MathF.Tanh: equal to a few ulps, not bit for bit.
            var u = Pinn.Model.U(x.AsSpan(i * d, d), theta, width);
            Assert.True(Math.Abs(u - ul[i]) <= 1e-6 * Math.Max(1, Math.Abs(u)), $"point {i}: {ul[i]:R} against the method's {u:R}");
        }
    }

    [Fact]
    public void The_sample_models_dense_and_exact_gradients_in_lanes_equal_the_kernel_on_the_cpu_accelerator()
    {
        // tanh in lanes is PortableMathVector's: lane by lane the kernel's PortableMath, so the two paths agree bit for bit.
        const int n = 21, d = 6, width = 4, v = 3;
        var p = Pinn.Model.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 81, -0.5, 0.5);
        var theta = Batches.Floats(p, 82, -0.8, 0.8);
        var f = Batches.Floats(n, 83, -1, 1);
        var probes = new float[n * v * d];
        new Probes(84).FillRademacher(probes);
        Assert.Null(Pinn.Model.LossDenseGradBatchLauncher.LanesUnavailable);
        Assert.Null(Pinn.Model.LossExactGradBatchLauncher.LanesUnavailable);
        using var lanes = KernelDevice.Cpu(2, lanes: true);
        using var accelerator = KernelDevice.CpuAccelerator();
        foreach (var pde in new[] { 0, 2 })
        {
            var (gl, gk) = (new float[p], new float[p]);
            var ll = new Pinn.Model.LossDenseGradBatchLauncher(lanes).Run(n, x, theta, width, probes, f, pde, gl);
            var lk = new Pinn.Model.LossDenseGradBatchLauncher(accelerator).Run(n, x, theta, width, probes, f, pde, gk);
            Bits(lk, ll, $"dense loss, pde {pde}");
            for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"dense θ[{j}], pde {pde}");
            ll = new Pinn.Model.LossExactGradBatchLauncher(lanes).Run(n, x, theta, width, f, pde, gl);
            lk = new Pinn.Model.LossExactGradBatchLauncher(accelerator).Run(n, x, theta, width, f, pde, gk);
            Bits(lk, ll, $"exact loss, pde {pde}");
            for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"exact θ[{j}], pde {pde}");
        }
    }

    [Fact]
    public void A_gradient_whose_callee_clears_theta_bar_runs_without_the_launchers_clear_and_equals_the_kernel()
    {
        // LossSparseGrad's θ-gradient is written by the Laplacian's eager gradient straight into θ̄, which that callee
        // clears on entry: the launcher leaves out its own clear of the block (1.5 MB per block of 8 at d = 100), so the
        // callee's clear is the only one. 256 items are 16 chunks of two blocks each, run twice on one launcher: a block
        // left uncleared would add the chunk's first block (or the first call) in again.
        const int n = 16 * 16, d = 6, width = 4, v = 4;
        var text = GeneratedFile("Pinn.Model.Dsl.g.cs");
        var launcher = text[text.IndexOf("class LossSparseGradBatchLauncher", StringComparison.Ordinal)..];
        launcher = launcher[..launcher.IndexOf("LoadAutoGroupedStreamKernel", StringComparison.Ordinal)];
        Assert.Contains("__thetaBarLanes", launcher);
        Assert.DoesNotContain("Array.Clear(__thetaBarLanes)", launcher);
        Assert.Contains("Array.Clear(__yLanes)", GeneratedFile("Dsl.Kernel.Tests.PartWritten.Dsl.g.cs"));   // Mark clears nothing
        Assert.Contains("Array.Clear(__yLanes)", GeneratedFile("Dsl.Kernel.Tests.PartWrittenByCallee.Dsl.g.cs"));   // nor its callee

        var p = Pinn.Model.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 91, -0.5, 0.5);
        var theta = Batches.Floats(p, 92, -0.8, 0.8);
        var f = Batches.Floats(n, 93, -1, 1);
        var probes = new float[n * v * d];
        for (var i = 0; i < n * v; i++) probes[i * d + (i * 7 + i / v) % d] = i % 3 == 0 ? -1 : 1;   // one-hot: ±e_j
        Assert.Null(Pinn.Model.LossSparseGradBatchLauncher.LanesUnavailable);
        using var lanes = KernelDevice.Cpu(1, lanes: true);
        using var accelerator = KernelDevice.CpuAccelerator();
        using var onLanes = new Pinn.Model.LossSparseGradBatchLauncher(lanes);
        var (gl, gk) = (new float[p], new float[p]);
        var lk = new Pinn.Model.LossSparseGradBatchLauncher(accelerator).Run(n, x, theta, width, probes, f, 0, gk);
        for (var call = 0; call < 2; call++)
        {
            var ll = onLanes.Run(n, x, theta, width, probes, f, 0, gl);
            Bits(lk, ll, $"sparse loss, call {call}");
            for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"sparse θ[{j}], call {call}");
        }
    }

    private static string GeneratedFile(string name)
    {
        var root = typeof(LanesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GeneratedFiles").Value!;
        return System.IO.File.ReadAllText(System.IO.Directory.GetFiles(root, name, System.IO.SearchOption.AllDirectories).Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_summed_output_the_method_writes_in_part_is_cleared_before_every_block(bool byCallee)
    {
        // 16 chunks of 16 items, each two blocks of 8: the first positive, the second negative. A second block never
        // writes y[1], so lanes left over from the first would add in again. The launcher clears each block (Mark does
        // not clear y itself, nor does the callee it passes y to).
        const int n = 16 * 16;
        Assert.Equal(16, KernelLauncher.Chunks(n));
        var x = Batches.Floats(n, 71, 0.25, 2);
        for (var i = 0; i < n; i++) if (i % 16 >= 8) x[i] = -x[i];
        (float Result, float[] Y) Run(KernelDevice device)
        {
            var y = new float[2];
            float result;
            if (byCallee)
            {
                using var launcher = new PartWrittenByCallee.MarkBatchLauncher(device);
                launcher.Run(n, x, y);                       // twice on one launcher: its pooled blocks hold the first call's lanes
                result = launcher.Run(n, x, y);
            }
            else
            {
                using var launcher = new PartWritten.MarkBatchLauncher(device);
                launcher.Run(n, x, y);
                result = launcher.Run(n, x, y);
            }
            return (result, y);
        }
        Assert.Null(byCallee ? PartWrittenByCallee.MarkBatchLauncher.LanesUnavailable : PartWritten.MarkBatchLauncher.LanesUnavailable);
        using var perItem = KernelDevice.Cpu(1, lanes: false);
        using var lanes = KernelDevice.Cpu(1, lanes: true);
        var expected = Run(perItem);
        var actual = Run(lanes);
        Bits(expected.Result, actual.Result, "result");
        Bits(expected.Y[0], actual.Y[0], "y[0]");
        Bits(expected.Y[1], actual.Y[1], "y[1]");
        double positives = 0;
        for (var i = 0; i < n; i++) positives += Math.Max(x[i], 0);
        Assert.Equal(positives, actual.Y[1], 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]     // the forward layer's one group of eight rows (one carried sum), no remainder
    [InlineData(9)]
    [InlineData(15)]    // a group of eight and seven rows one at a time
    [InlineData(17)]    // two groups of eight and one row
    public void Jammed_dense_layers_in_lanes_equal_the_per_item_path_bit_for_bit(int width)
    {
        // Forward loops four rows per pass (one carried sum each), reverse loops four rows per pass, and the remainders:
        // hardware-mapped math, so the per-item path is the reference bit for bit.
        const int n = 29, d = 3;
        var p = Dense.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 281 + width, -1, 1);
        var w = Batches.Floats(p, 282 + width, -0.9, 0.9);
        Assert.Null(Dense.NetGradBatchLauncher.LanesUnavailable);
        (float Loss, float[] XBar, float[] WBar) Run(KernelDevice device)
        {
            using var launcher = new Dense.NetGradBatchLauncher(device);
            var xBar = new float[n * d];
            var wBar = new float[p];
            var loss = launcher.Run(n, x, w, width, xBar, wBar);
            return (loss, xBar, wBar);
        }
        using var perItem = KernelDevice.Cpu(2, lanes: false);
        var expected = Run(perItem);
        foreach (var cores in new[] { 1, 2 })
        {
            // One core runs the blocks on this thread: with its tape pool emptied, the lanes method starts from a fresh
            // tape (256 floats), and one reservation before the first layer's jammed rows makes room for both layers'
            // (48 floats per row of width: past 256 from width 6 on).
            if (cores == 1) Tape.TrimThreadPool();
            using var lanes = KernelDevice.Cpu(cores, lanes: true);
            var actual = Run(lanes);
            Bits(expected.Loss, actual.Loss, $"{cores} cores, width {width}: loss");
            for (var j = 0; j < p; j++) Bits(expected.WBar[j], actual.WBar[j], $"{cores} cores, width {width}: wBar[{j}]");
            for (var j = 0; j < n * d; j++) Bits(expected.XBar[j], actual.XBar[j], $"{cores} cores, width {width}: xBar[{j}]");
        }
        Assert.Contains(expected.WBar, g => g != 0f);
    }

    [Theory]
    [InlineData(3)]    // forward: one pair and one row; reverse: no group of four, three rows
    [InlineData(9)]    // forward: four pairs and one row; reverse: two groups of four and one row
    [InlineData(17)]   // the primal U's layers: two groups of eight rows and one (one carried sum each)
    public void Jammed_matrix_loops_with_every_remainder_equal_the_kernel_on_the_cpu_accelerator(int width)
    {
        // The lanes methods run the layers' loops over j two (forward jets), eight (forward, one sum) or four (reverse)
        // rows per pass over k (Transforms/Lanes/UnrollAndJam.cs), the last rows in a remainder loop; the ILGPU kernel
        // runs them as written.
        const int n = 19, d = 5, v = 3;
        var p = Pinn.Model.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 181 + width, -0.5, 0.5);
        var theta = Batches.Floats(p, 182 + width, -0.8, 0.8);
        var f = Batches.Floats(n, 183 + width, -1, 1);
        var dense = new float[n * v * d];
        new Probes(184 + width).FillRademacher(dense);
        var sparse = new float[n * v * d];
        var rng = new Probes(185 + width);
        for (var i = 0; i < n; i++) rng.FillSparseCoordinates(sparse.AsSpan(i * v * d, v * d), d, v);
        using var lanes = KernelDevice.Cpu(2, lanes: true);
        using var accelerator = KernelDevice.CpuAccelerator();
        var (gl, gk) = (new float[p], new float[p]);
        var ll = new Pinn.Model.LossSparseGradBatchLauncher(lanes).Run(n, x, theta, width, sparse, f, 2, gl);
        var lk = new Pinn.Model.LossSparseGradBatchLauncher(accelerator).Run(n, x, theta, width, sparse, f, 2, gk);
        Bits(lk, ll, $"sparse loss, width {width}");
        for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"sparse θ[{j}], width {width}");
        ll = new Pinn.Model.LossDenseGradBatchLauncher(lanes).Run(n, x, theta, width, dense, f, 0, gl);
        lk = new Pinn.Model.LossDenseGradBatchLauncher(accelerator).Run(n, x, theta, width, dense, f, 0, gk);
        Bits(lk, ll, $"dense loss, width {width}");
        for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"dense θ[{j}], width {width}");
        ll = new Pinn.Model.LossExactGradBatchLauncher(lanes).Run(n, x, theta, width, f, 2, gl);
        lk = new Pinn.Model.LossExactGradBatchLauncher(accelerator).Run(n, x, theta, width, f, 2, gk);
        Bits(lk, ll, $"exact loss, width {width}");
        for (var j = 0; j < p; j++) Bits(gk[j], gl[j], $"exact θ[{j}], width {width}");
        Assert.Contains(gl, g => g != 0f);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(37, false)]
    public void Double_gradients_in_four_lanes_equal_the_per_item_path_bit_for_bit(int n, bool mixed)
    {
        Assert.Null(BranchyD.FGradBatchLauncher.LanesUnavailable);
        var x = Batches.Doubles(n * D, 91, mixed ? -1.5 : 0.5, 1.5);
        var w = Batches.Doubles(D, 92, mixed ? -1 : 0.5, 1);
        var k = Array.ConvertAll(Batches.Doubles(n, 93, 0, D - 0.01), v => (int)v);
        (double Loss, double[] XBar, double[] WBar, int Diverged) Run(KernelDevice device)
        {
            using var launcher = new BranchyD.FGradBatchLauncher(device);
            var xBar = new double[n * D];
            var wBar = new double[D];
            var loss = launcher.Run(n, x, w, k, xBar, wBar);
            return (loss, xBar, wBar, launcher.DivergedBlocks);
        }
        using var perItem = KernelDevice.Cpu(2, lanes: false);
        using var lanes = KernelDevice.Cpu(2);
        var expected = Run(perItem);
        var actual = Run(lanes);
        Bits(expected.Loss, actual.Loss, "loss");
        for (var j = 0; j < D; j++) Bits(expected.WBar[j], actual.WBar[j], $"wBar[{j}]");
        for (var j = 0; j < n * D; j++) Bits(expected.XBar[j], actual.XBar[j], $"xBar[{j}]");
        if (mixed) Assert.True(actual.Diverged > 0);
        else Assert.Equal(0, actual.Diverged);
    }

    /// <summary>
    /// A per-item int and bool carried through a loop go on the tape as lanes: int lanes beside float lanes, long lanes
    /// (as doubles' bits) beside double lanes; a wrong slot would send w̄ to another element. With every x above 0.5 the
    /// bool flips alike in every item, so the reverse sweep's branch on it runs in lanes (no block diverges) while the
    /// int differs per item; with mixed x the blocks run again per item.
    /// </summary>
    [Theory]
    [InlineData(37, false)]
    [InlineData(64, false)]
    [InlineData(37, true)]
    public void Per_item_ints_and_bools_saved_on_the_tape_in_lanes_equal_the_per_item_path_bit_for_bit(int n, bool mixed)
    {
        Assert.Null(LaneTapes.FGradBatchLauncher.LanesUnavailable);
        Assert.Null(LaneTapesD.FGradBatchLauncher.LanesUnavailable);
        var xd = Batches.Doubles(n * D, 71, mixed ? -1 : 0.6, 1.5);
        var wd = Batches.Doubles(D, 72, -1, 1);
        var k = Array.ConvertAll(Batches.Doubles(n, 73, 0, D - 0.01), v => (int)v);
        var xf = Array.ConvertAll(xd, v => (float)v);
        var wf = Array.ConvertAll(wd, v => (float)v);
        using var perItem = KernelDevice.Cpu(2, lanes: false);
        using var lanes = KernelDevice.Cpu(2);

        (float Loss, float[] XBar, float[] WBar, int Diverged) RunF(KernelDevice device)
        {
            using var launcher = new LaneTapes.FGradBatchLauncher(device);
            var xBar = new float[n * D];
            var wBar = new float[D];
            return (launcher.Run(n, xf, wf, k, xBar, wBar), xBar, wBar, launcher.DivergedBlocks);
        }
        var ef = RunF(perItem);
        var af = RunF(lanes);
        Assert.Equal(mixed, af.Diverged > 0);
        Bits(ef.Loss, af.Loss, "float loss");
        for (var j = 0; j < D; j++) Bits(ef.WBar[j], af.WBar[j], $"float wBar[{j}]");
        for (var j = 0; j < n * D; j++) Bits(ef.XBar[j], af.XBar[j], $"float xBar[{j}]");

        (double Loss, double[] XBar, double[] WBar, int Diverged) RunD(KernelDevice device)
        {
            using var launcher = new LaneTapesD.FGradBatchLauncher(device);
            var xBar = new double[n * D];
            var wBar = new double[D];
            return (launcher.Run(n, xd, wd, k, xBar, wBar), xBar, wBar, launcher.DivergedBlocks);
        }
        var ed = RunD(perItem);
        var ad = RunD(lanes);
        Assert.Equal(mixed, ad.Diverged > 0);
        Bits(ed.Loss, ad.Loss, "double loss");
        for (var j = 0; j < D; j++) Bits(ed.WBar[j], ad.WBar[j], $"double wBar[{j}]");
        for (var j = 0; j < n * D; j++) Bits(ed.XBar[j], ad.XBar[j], $"double xBar[{j}]");

        // And the per-item path is the method: item 0's gradient as FGrad computes it.
        var xBar0 = new double[D];
        var wBar0 = new double[D];
        LaneTapesD.FGrad(xd.AsSpan(0, D), wd, k[0], xBar0, wBar0);
        var one = RunD1();
        for (var j = 0; j < D; j++) Bits(xBar0[j], one.XBar[j], $"item 0 xBar[{j}]");
        (double Loss, double[] XBar) RunD1()
        {
            using var launcher = new LaneTapesD.FGradBatchLauncher(lanes);
            var xBar = new double[D];
            var wBar = new double[D];
            return (launcher.Run(1, xd.AsSpan(0, D).ToArray(), wd, new[] { k[0] }, xBar, wBar), xBar);
        }
    }
}
