using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Dsl;
using Pinn;

namespace GpuCheck;

/// <summary>
/// The PINN training step of the STDE paper's benchmark (Allen–Cahn, two-body exact solution, network d → 128 → 128 →
/// 128 → 1 with tanh, sparse STDE |J| = 16, batch 100, float) on a device: the batch gradient through the generated
/// launcher (upload, kernel, fixed-order sums, download) and Adam on the host. The residual points and probes are
/// drawn once per d on the host and reused (drawing 1.6·10⁹ probe values per step at d = 10⁶ on the host would time
/// the host); the reported step excludes that draw and includes everything else.
/// </summary>
internal static class PinnTiming
{
    private const int Batch = 100, Width = 128, Probes = 16;

    public static void Run(KernelDevice device, List<int> dims, double budgetSeconds, int maxSteps, bool split)
    {
        var clock = Stopwatch.StartNew();
        using var launcher = new Model.LossSparseGradBatchLauncher(device);
        using var splitStep = split ? new SplitStep(device) : null;
        if (split) Console.WriteLine("split: one thread per (point, probe) pair (SplitStep), the batch gradient in two passes");
        double lastStep = 0;
        int lastD = 0;
        Console.WriteLine($"PINN step on {device.Description}: batch {Batch}, width {Width}, sparse |J| = {Probes}, float; budget {budgetSeconds} s");
        Console.WriteLine("d | parameters | first step (compile, sizing) | steps timed | ms/step (min / median) | it/s (median) | " +
            "Adam on host ms | loss first -> last | tape, scratch per item | waves");
        for (var di = 0; di < dims.Count; di++)
        {
            var d = dims[di];
            var left = budgetSeconds - clock.Elapsed.TotalSeconds;
            // A step grows about linearly in d (the first layer and the probes' jets dominate).
            if (lastStep > 0 && lastStep * d / lastD * 2 > left)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{d} | skipped: a step would take about {lastStep * d / lastD:F1} s, {left:F0} s of the budget left"));
                continue;
            }
            try
            {
                (lastStep, lastD) = (OneDimension(launcher, splitStep, d, maxSteps, left / (dims.Count - di)), d);
            }
            catch (Exception e) when (e is OutOfMemoryException or ILGPU.Runtime.AcceleratorException or InvalidOperationException
                or ArgumentException)
            {
                Console.WriteLine($"{d} | FAILED: {e.GetType().Name}: {e.Message}");
                break;
            }
        }
    }

    /// <summary>Times the step at dimension <paramref name="d"/>; returns the median step in seconds.</summary>
    private static double OneDimension(Model.LossSparseGradBatchLauncher launcher, SplitStep? split, int d, int maxSteps, double seconds)
    {
        var p = Model.ParameterCount(d, Width);
        var c = new double[d - 1];
        new Dsl.Probes(0, 1).FillGaussian(c);
        var exact = new TwoBody(c);
        var theta = new float[p];
        Model.InitializeParameters(theta, d, Width, new Dsl.Probes(0, 2));
        var x = new float[Batch * d];
        new Dsl.Probes(0, 3).FillUniformBall(x, d);
        var f = new float[Batch];
        for (var i = 0; i < Batch; i++)
        {
            var xi = new ReadOnlySpan<float>(x, i * d, d);
            double u = exact.Value(xi), lap = exact.Laplacian(xi);
            f[i] = (float)(lap + u - u * u * u);
        }
        var probes = new float[(long)Batch * Probes * d <= int.MaxValue ? Batch * Probes * d : throw new OutOfMemoryException()];
        var rng = new Dsl.Probes(0);
        for (var i = 0; i < Batch; i++)
        {
            rng.Reseed(0, (1L << 40) + i);
            rng.FillSparseCoordinates(probes.AsSpan(i * Probes * d, Probes * d), d, Probes);
        }
        var grad = new float[p];
        var adam = new Adam(p, learningRate: 1e-3);

        float Gradient() => split is null ? launcher.Run(Batch, x, theta, Width, probes, f, 0, grad)
            : split.Run(Batch, Probes, d, x, theta, Width, probes, f, grad);
        if (split is not null)
        {
            // The two ways must give the same gradient up to float rounding (different summation orders).
            var fused = new float[p];
            launcher.Run(Batch, x, theta, Width, probes, f, 0, fused);
            Gradient();
            double diff = 0, scale = 0;
            for (var k = 0; k < p; k++) { diff = Math.Max(diff, Math.Abs(fused[k] - grad[k])); scale = Math.Max(scale, Math.Abs(fused[k])); }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d} | split vs fused gradient: max |diff| / max |grad| = {diff / scale:E2}"));
        }
        var first = Stopwatch.StartNew();
        var firstLoss = Gradient() / Batch;
        Scale(grad);
        adam.Step(theta, grad);
        var firstSeconds = first.Elapsed.TotalSeconds;

        var times = new List<double>();
        double adamMs = 0, lastLoss = firstLoss;
        var window = Stopwatch.StartNew();
        while (times.Count < maxSteps && (times.Count == 0 || window.Elapsed.TotalSeconds < seconds))
        {
            var step = Stopwatch.StartNew();
            lastLoss = Gradient() / Batch;
            Scale(grad);
            var a = Stopwatch.StartNew();
            adam.Step(theta, grad);
            adamMs += a.Elapsed.TotalMilliseconds;
            times.Add(step.Elapsed.TotalSeconds);
        }
        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{d} | {p:N0} | {firstSeconds:F2} s | {times.Count} | {times[0] * 1e3:F1} / {median * 1e3:F1} | {1 / median:F2} | " +
            $"{adamMs / times.Count:F1} | {firstLoss:E3} -> {lastLoss:E3} | {launcher.TapeSlice}, {launcher.ScratchSlice} | {launcher.LastWaves}"));
        return median;
    }

    private static void Scale(float[] grad)
    {
        for (var k = 0; k < grad.Length; k++) grad[k] /= Batch;
    }
}
