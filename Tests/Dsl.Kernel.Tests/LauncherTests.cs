using System;
using System.Linq;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// The generated launchers (<c>{Kernel}Launcher</c>): the CPU path runs the generated method per item and sums in
/// the documented order (checked against a loop written here); the CPU-accelerator path gives the same bits (models
/// with hardware-mapped math only); the number of cores and the waves do not change a bit; the tape and scratch are
/// sized by the kernel's own reports; every length is checked on the host with a message naming the argument.
/// </summary>
public sealed class LauncherTests
{
    private const int Items = 37;
    private const int D = 5;

    /// <summary>The documented order of a sum over items: chunks of the batch in order, items in order, in double.</summary>
    private static double[] OrderedSum(int count, int length, Func<int, int, double> value)
    {
        var chunks = KernelLauncher.Chunks(count);
        var total = new double[length];
        for (var j = 0; j < length; j++)
        {
            double t = 0;
            for (var c = 0; c < chunks; c++)
            {
                double s = 0;
                for (var i = KernelLauncher.ChunkStart(count, chunks, c); i < KernelLauncher.ChunkStart(count, chunks, c + 1); i++)
                    s += value(i, j);
                t += s;
            }
            total[j] = t;
        }
        return total;
    }

    private static void Bits(double expected, double actual, string what)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            Assert.Fail($"{what}: {actual:R}, expected {expected:R}");
    }

    private static void Bits(float expected, float actual, string what)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
            Assert.Fail($"{what}: {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Per_item_results_on_the_cpu_and_the_cpu_accelerator_equal_the_method()
    {
        var x = Batches.Doubles(Items * D, 1);
        var w = Batches.Doubles(D, 2, 0.1, 2);
        const double s = 0.7;
        foreach (var device in new[] { KernelDevice.Cpu(1), KernelDevice.Cpu(2), KernelDevice.CpuAccelerator() })
        {
            using var _ = device;
            using var launcher = new Quadratic.EnergyKernelLauncher(device);
            var result = new double[Items];
            launcher.Run(Items, x, w, s, result);
            for (var i = 0; i < Items; i++) Bits(Quadratic.Energy(x.AsSpan(i * D, D), w, s), result[i], $"{device}, item {i}");
        }
    }

    [Fact]
    public void Per_item_scalars_and_a_summed_out_scalar()
    {
        var x = Batches.Doubles(Items * D, 3);
        var dx = Batches.Doubles(Items * D, 4);
        var w = Batches.Doubles(D, 5, 0.1, 2);
        var s = Batches.Doubles(Items, 6, 0.2, 1.2);
        var expected = OrderedSum(Items, 1, (i, _) =>
        {
            Quadratic.EnergyJvp(x.AsSpan(i * D, D), dx.AsSpan(i * D, D), w, s[i], out var t);
            return t;
        })[0];
        foreach (var device in new[] { KernelDevice.Cpu(2), KernelDevice.CpuAccelerator() })
        {
            using var owned = device;
            using var launcher = new Quadratic.EnergyJvpBatchLauncher(device);
            var result = new double[Items];
            launcher.Run(Items, x, dx, w, s, out var dSum, result);
            Bits(expected, dSum, $"{device}: summed tangent");
            for (var i = 0; i < Items; i++)
                Bits(Quadratic.EnergyJvp(x.AsSpan(i * D, D), dx.AsSpan(i * D, D), w, s[i], out _), result[i], $"{device}, item {i}");
        }
    }

    [Fact]
    public void Chunks_are_whole_blocks_of_eight_items_shared_out_evenly()
    {
        for (var n = 1; n <= 1000; n++)
        {
            var chunks = KernelLauncher.Chunks(n);
            var blocks = (n + 7) / 8;
            Assert.Equal(Math.Min(16, blocks), chunks);
            Assert.Equal(0, KernelLauncher.ChunkStart(n, chunks, 0));
            Assert.Equal(n, KernelLauncher.ChunkStart(n, chunks, chunks));
            for (var c = 0; c < chunks; c++)
            {
                int lo = KernelLauncher.ChunkStart(n, chunks, c), hi = KernelLauncher.ChunkStart(n, chunks, c + 1);
                Assert.True(lo < hi, $"n = {n}: chunk {c} is empty");
                Assert.Equal(0, lo % 8);
                if (hi < n) Assert.Equal(0, hi % 8);
                // Even: chunk sizes in blocks differ by at most one.
                var size = (hi - lo + 7) / 8;
                Assert.InRange(size, blocks / chunks, (blocks + chunks - 1) / chunks);
            }
        }
    }

    [Fact]
    public void Summed_gradients_with_the_tape_are_the_documented_sum_on_every_path_and_wave_plan()
    {
        var x = Batches.Doubles(Items * D, 7);
        var w = Batches.Doubles(Items * D, 8, 0.1, 2);
        var rows = new double[Items][];
        var values = new double[Items];
        for (var i = 0; i < Items; i++)
        {
            rows[i] = new double[D];
            values[i] = Rad.RGradient(x.AsSpan(i * D, D), w.AsSpan(i * D, D), rows[i]);
        }
        var expectedGrad = OrderedSum(Items, D, (i, j) => rows[i][j]);
        var expectedValue = OrderedSum(Items, 1, (i, _) => values[i])[0];
        using var accelerator = KernelDevice.CpuAccelerator();
        foreach (var (device, waveBytes) in new[] { (KernelDevice.Cpu(1), 0L), (KernelDevice.Cpu(2), 0L),
                     (KernelDevice.Cpu(2, lanes: false), 0L), (accelerator, 0L), (accelerator, 1L) })
        {
            using var launcher = new Rad.RGradientSumLauncher(device);
            if (waveBytes > 0) launcher.MaxWaveBytes = waveBytes;   // one chunk per wave
            var grad = new double[D];
            var value = launcher.Run(Items, x, w, grad);
            Bits(expectedValue, value, $"{device} value");
            for (var j = 0; j < D; j++) Bits(expectedGrad[j], grad[j], $"{device}, xBar[{j}]");
            if (device.Accelerator is null) continue;
            // The first call sizes the tape on one item (an empty-tape launch reports 6 per element of the row, 30; the
            // item runs again with it), then runs one launch per wave; a second call of the same shape does not resize.
            Assert.Equal(30, launcher.TapeSlice);
            Assert.Equal(waveBytes > 0 ? KernelLauncher.Chunks(Items) : 1, launcher.LastWaves);
            var first = launcher.Launches;
            Assert.Equal(2 + launcher.LastWaves, first);
            launcher.Run(Items, x, w, grad);
            Assert.Equal(first + launcher.LastWaves, launcher.Launches);   // sized: no relaunch
        }
    }

    [Fact]
    public void Chunk_sums_are_added_in_chunk_order_on_every_path()
    {
        // 24 items are 3 chunks of 8; their sums are 1, 1e16 and −1e16. In chunk order (1 + 1e16) − 1e16 = 0 exactly;
        // adding the large ones first gives 1. Five elements: four through the CPU path's vector loop, one after it.
        const int n = 24;
        Assert.Equal(3, KernelLauncher.Chunks(n));
        var v = new double[n];
        v[0] = 1;
        v[8] = 1e16;
        v[16] = -1e16;
        using var accelerator = KernelDevice.CpuAccelerator();
        foreach (var device in new[] { KernelDevice.Cpu(1), KernelDevice.Cpu(2), KernelDevice.Cpu(1, lanes: false), accelerator })
        {
            using var launcher = new ChunkOrder.PutBatchLauncher(device);
            var y = new double[5];
            var result = launcher.Run(n, v, y);
            Bits(0.0, result, $"{device}: result");
            for (var j = 0; j < y.Length; j++) Bits(0.0, y[j], $"{device}: y[{j}]");
            if (device.Accelerator is null) device.Dispose();
        }
    }

    [Theory]
    [InlineData(2, 2 * KernelLauncher.ReduceSliceMin + 5)]
    [InlineData(3, 3 * KernelLauncher.ReduceSliceMin + 7)]
    [InlineData(4, 2 * KernelLauncher.ReduceSliceMin + 1)]
    public void Chunk_sums_reduced_on_several_threads_are_added_in_chunk_order(int cores, int length)
    {
        // The same three chunk sums as above in every element of a destination long enough that several threads reduce
        // slices of it side by side; each element must still come out as (1 + 1e16) − 1e16 = 0, and none be left out
        // (the destination starts as NaN).
        const int n = 24;
        var v = new double[n];
        v[0] = 1;
        v[8] = 1e16;
        v[16] = -1e16;
        using var device = KernelDevice.Cpu(cores);
        using var launcher = new ChunkOrder.PutBatchLauncher(device);
        var y = new double[length];
        Array.Fill(y, double.NaN);
        Bits(0.0, launcher.Run(n, v, y), "result");
        for (var j = 0; j < y.Length; j++)
        {
            if (BitConverter.DoubleToInt64Bits(y[j]) != 0) Assert.Fail($"y[{j}] = {y[j]:R}, expected 0 (chunk order)");
        }
    }

    [Fact]
    public void Atomic_sums_are_within_the_summation_bound_of_the_ordered_sums()
    {
        var x = Batches.Doubles(Items * D, 9);
        var w = Batches.Doubles(Items * D, 10, 0.1, 2);
        using var device = KernelDevice.CpuAccelerator();
        using var ordered = new Rad.RGradientSumLauncher(device);
        using var atomic = new Rad.RGradientAtomicLauncher(device);
        var g1 = new double[D];
        var g2 = new double[D];
        var v1 = ordered.Run(Items, x, w, g1);
        var v2 = atomic.Run(Items, x, w, g2);
        // Any order of n additions differs from another by at most 2(n − 1)·u·Σ|terms| (u = 2^-53, the recursive
        // summation bound applied to both); Σ|terms| from the items' own gradients.
        var rows = new double[Items][];
        var values = new double[Items];
        for (var i = 0; i < Items; i++)
        {
            rows[i] = new double[D];
            values[i] = Rad.RGradient(x.AsSpan(i * D, D), w.AsSpan(i * D, D), rows[i]);
        }
        double Bound(Func<int, double> term) => 2.0 * (Items - 1) * Math.Pow(2, -53) * Enumerable.Range(0, Items).Sum(i => Math.Abs(term(i)));
        Assert.InRange(Math.Abs(v1 - v2), 0, Bound(i => values[i]));
        for (var j = 0; j < D; j++) Assert.InRange(Math.Abs(g1[j] - g2[j]), 0, Bound(i => rows[i][j]));
        Assert.NotEqual(0, g2[0]);   // the atomic path did add something
        // The CPU path of an atomic launcher adds in the fixed order, bit for bit.
        using var cpu = KernelDevice.Cpu(2);
        using var onCpu = new Rad.RGradientAtomicLauncher(cpu);
        var g3 = new double[D];
        Bits(v1, onCpu.Run(Items, x, w, g3), "CPU path value");
        for (var j = 0; j < D; j++) Bits(g1[j], g3[j], $"CPU path xBar[{j}]");
    }

    [Fact]
    public void The_PINN_batch_gradient_is_the_same_on_the_cpu_and_the_cpu_accelerator()
    {
        const int n = 19, d = 4, width = 3, v = 2;
        var p = PinnAlg.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 31, -0.5, 0.5);
        var theta = Batches.Floats(p, 32, -0.8, 0.8);
        var f = Batches.Floats(n, 33, -1, 1);
        var probes = new float[n * v * d];
        var rng = new Probes(34);
        for (var i = 0; i < n; i++) rng.FillSparseCoordinates(probes.AsSpan(i * v * d, v * d), d, v);
        var rows = new float[n][];
        var losses = new float[n];
        for (var i = 0; i < n; i++)
        {
            rows[i] = new float[p];
            losses[i] = PinnAlg.LossSparseGrad(x.AsSpan(i * d, d), theta, width, probes.AsSpan(i * v * d, v * d), f[i], 0, rows[i]);
        }
        var expected = OrderedSum(n, p, (i, k) => rows[i][k]);
        var expectedLoss = (float)OrderedSum(n, 1, (i, _) => losses[i])[0];
        foreach (var device in new[] { KernelDevice.Cpu(2), KernelDevice.Cpu(2, lanes: false), KernelDevice.CpuAccelerator() })
        {
            using var _ = device;
            using var launcher = new PinnAlg.LossSparseGradBatchLauncher(device);
            var grad = new float[p];
            var loss = launcher.Run(n, x, theta, width, probes, f, 0, grad);
            Bits(expectedLoss, loss, $"{device} loss");
            for (var k = 0; k < p; k++) Bits((float)expected[k], grad[k], $"{device}, θ[{k}]");
            if (device.Accelerator is not null) Assert.True(launcher.TapeSlice > 0 && launcher.ScratchSlice > 0);
        }
    }

    [Fact]
    public void The_sample_model_batch_on_the_cpu_path_equals_its_per_point_loop()
    {
        // Samples/Pinn's own model (tanh) through its launcher's CPU path, against the per-point calls summed in order.
        const int n = 23, d = 6, width = 4, v = 3;
        var p = Pinn.Model.ParameterCount(d, width);
        var x = Batches.Floats(n * d, 41, -0.5, 0.5);
        var theta = Batches.Floats(p, 42, -0.8, 0.8);
        var f = Batches.Floats(n, 43, -1, 1);
        var probes = new float[n * v * d];
        var rng = new Probes(44);
        for (var i = 0; i < n; i++) rng.FillSparseCoordinates(probes.AsSpan(i * v * d, v * d), d, v);
        var rows = new float[n][];
        var losses = new float[n];
        for (var i = 0; i < n; i++)
        {
            rows[i] = new float[p];
            losses[i] = Pinn.Model.LossSparseGrad(x.AsSpan(i * d, d), theta, width, probes.AsSpan(i * v * d, v * d), f[i], 2, rows[i]);
        }
        var expected = OrderedSum(n, p, (i, k) => rows[i][k]);
        using var device = KernelDevice.Cpu(2, lanes: false);
        using var launcher = new Pinn.Model.LossSparseGradBatchLauncher(device);
        var grad = new float[p];
        var loss = launcher.Run(n, x, theta, width, probes, f, 2, grad);
        Bits((float)OrderedSum(n, 1, (i, _) => losses[i])[0], loss, "loss");
        for (var k = 0; k < p; k++) Bits((float)expected[k], grad[k], $"θ[{k}]");

        // In lanes, tanh is PortableMathVector's, bit for bit the kernel's PortableMath per lane (System.Math's MathF.Tanh
        // may differ in the last bit): the lanes path equals the CPU accelerator running the kernel, bit for bit.
        Assert.Null(Pinn.Model.LossSparseGradBatchLauncher.LanesUnavailable);
        using var lanes = KernelDevice.Cpu(2, lanes: true);
        using var accelerator = KernelDevice.CpuAccelerator();
        var laneGrad = new float[p];
        var kernelGrad = new float[p];
        var laneLoss = new Pinn.Model.LossSparseGradBatchLauncher(lanes).Run(n, x, theta, width, probes, f, 2, laneGrad);
        var kernelLoss = new Pinn.Model.LossSparseGradBatchLauncher(accelerator).Run(n, x, theta, width, probes, f, 2, kernelGrad);
        Bits(kernelLoss, laneLoss, "lanes loss");
        for (var k = 0; k < p; k++) Bits(kernelGrad[k], laneGrad[k], $"lanes θ[{k}]");
    }

    [Fact]
    public void Lengths_are_checked_on_the_host_with_the_methods_messages()
    {
        const int n = 4, d = 3, width = 2, v = 1;
        var p = PinnAlg.ParameterCount(d, width);
        using var device = KernelDevice.CpuAccelerator();
        using var launcher = new PinnAlg.LossSparseGradBatchLauncher(device);
        var x = new float[n * d];
        var theta = new float[p];
        var probes = new float[n * v * d];
        var f = new float[n];
        var grad = new float[p];

        var e = Assert.Throws<ArgumentException>(() => launcher.Run(n, new float[n * d + 1], theta, width, probes, f, 0, grad));
        Assert.Equal("x", e.ParamName);
        Assert.StartsWith("'x' holds one row per item, 4 rows of equal length, but has length 13, not a multiple of 4.", e.Message);

        e = Assert.Throws<ArgumentException>(() => launcher.Run(n, x, theta, width, probes, new float[n - 1], 0, grad));
        Assert.Equal("f", e.ParamName);
        Assert.StartsWith("'f' holds one value per item and must have length 4 (the item count), but has length 3.", e.Message);

        // The generated gradient's own check, run on the host on the first item's rows.
        e = Assert.Throws<ArgumentException>(() => launcher.Run(n, x, theta, width, probes, f, 0, new float[p - 1]));
        Assert.Equal("thetaBar", e.ParamName);
        Assert.StartsWith($"'thetaBar' must have the length of 'theta' ({p}), but has length {p - 1}.", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => launcher.Run(0, x, theta, width, probes, f, 0, grad));
        Assert.Equal(0, launcher.Launches);   // nothing was launched
    }

    [Fact]
    public void Asking_for_a_GPU_without_one_names_the_accelerators_found()
    {
        string found = KernelDevice.Found();
        if (found.Contains("(Cuda)", StringComparison.Ordinal)) return;   // a machine with a GPU: nothing to refuse
        var e = Assert.Throws<KernelDeviceNotFoundException>(() => KernelDevice.Gpu());
        Assert.StartsWith("no CUDA GPU was found; ILGPU found: ", e.Message);
        Assert.Contains("CPU", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }
}
