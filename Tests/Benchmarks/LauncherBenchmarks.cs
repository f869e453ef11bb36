using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Pinn;

namespace Dsl.Benchmarks;

/// <summary>
/// The inputs of one PINN training step's gradient as <c>Samples/Pinn</c> passes them to its generated launcher
/// (<c>Model.LossSparseGradBatchLauncher.Run</c>): a batch of points uniform in the unit ball, their source
/// values, |J| sparse probe coordinates per point, θ LeCun-initialized; Allen–Cahn.
/// </summary>
public sealed class LauncherStep
{
    public readonly int D, Batch, Probes, Width;
    public readonly float[] X, Theta, ProbeRows, F, Grad;

    public LauncherStep(int d, int batch, int probes, int width = 128, long seed = 0)
    {
        (D, Batch, Probes, Width) = (d, batch, probes, width);
        X = new float[batch * d];
        new Dsl.Probes(seed, 1).FillUniformBall(X, d);
        F = new float[batch];
        var fr = new Dsl.Probes(seed, 2);
        for (var i = 0; i < batch; i++) F[i] = (float)fr.NextGaussian();
        // A sparse probe row holds |J| scaled unit vectors of length d, as the sample passes them.
        ProbeRows = new float[batch * probes * d];
        var rng = new Dsl.Probes(0);
        for (var i = 0; i < batch; i++)
        {
            rng.Reseed(seed, (1L << 40) + i);
            rng.FillSparseCoordinates(ProbeRows.AsSpan(i * probes * d, probes * d), d, probes);
        }
        Theta = PinnTraining.InitialParameters(d, width, seed);
        Grad = new float[Model.ParameterCount(d, width)];
    }

    /// <summary>One launcher call: the summed loss; the summed gradient goes to <see cref="Grad"/>.</summary>
    public float Run(Model.LossSparseGradBatchLauncher launcher) =>
        launcher.Run(Batch, X, Theta, Width, ProbeRows, F, 0, Grad);

    /// <summary>
    /// Runs <paramref name="a"/> and <paramref name="b"/> and reports whether their loss and gradient sums agree: bit for bit
    /// when <paramref name="bitwise"/> (two CPU-path launchers: the sums' order is fixed, whatever the core count), else to a
    /// relative 1e-3 of the largest gradient sum. The kernel's tanh is Dsl.PortableMath's (1 ulp), not glibc's, so the CPU
    /// accelerator's sums differ in the last digits; 1e-3 is a sanity bound against a wrong kernel (off by O(1)), not a
    /// precision claim.
    /// </summary>
    public bool SameSums(Model.LossSparseGradBatchLauncher a, Model.LossSparseGradBatchLauncher b, TextWriter log, string what,
        bool bitwise = true)
    {
        var la = Run(a);
        var ga = (float[])Grad.Clone();
        var lb = Run(b);
        double maxDiff = 0, maxAbs = 0;
        for (var k = 0; k < ga.Length; k++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)ga[k] - Grad[k]));
            maxAbs = Math.Max(maxAbs, Math.Abs((double)ga[k]));
        }
        var identical = BitConverter.SingleToInt32Bits(la) == BitConverter.SingleToInt32Bits(lb) && ga.AsSpan().SequenceEqual(Grad);
        var close = Math.Abs(la - lb) <= 1e-3 * Math.Abs(la) && maxDiff <= 1e-3 * maxAbs;
        log.WriteLine($"check: {what}: loss sums {la:R} vs {lb:R}; gradient sums (|θ| = {Grad.Length:N0}) " +
            (identical ? "bit-identical" : $"differ by at most {maxDiff:G3} (largest |sum| {maxAbs:G3})"));
        return bitwise ? identical : close;
    }
}

/// <summary>
/// The launcher's CPU path on the setting (d = 100, batch 100, sparse STDE |J| = 16, width 128, float):
/// one call of the PINN step's gradient on <c>KernelDevice.Cpu(1)</c> (baseline) and <c>Cpu(2)</c>. The Ratio
/// column is time(Cpu2) ÷ time(Cpu1); the target speedup 1.8× is a ratio ≤ 0.56.
/// </summary>
public class LauncherCpuBenchmarks
{
    private LauncherStep _step = null!;
    private KernelDevice _cpu1 = null!, _cpu2 = null!;
    private Model.LossSparseGradBatchLauncher _one = null!, _two = null!;

    [GlobalSetup]
    public void Setup()
    {
        _step = new LauncherStep(d: 100, batch: 100, probes: 16);
        (_cpu1, _cpu2) = (KernelDevice.Cpu(1), KernelDevice.Cpu(2));
        (_one, _two) = (new Model.LossSparseGradBatchLauncher(_cpu1), new Model.LossSparseGradBatchLauncher(_cpu2));
        if (!_step.SameSums(_one, _two, Console.Out, "Cpu(1) vs Cpu(2)")) throw new InvalidOperationException("sums differ");
    }

    [Benchmark(Baseline = true)]
    public float Cpu1() => _step.Run(_one);

    [Benchmark]
    public float Cpu2() => _step.Run(_two);

    [GlobalCleanup]
    public void Cleanup()
    {
        _one.Dispose();
        _two.Dispose();
        _cpu1.Dispose();
        _cpu2.Dispose();
    }
}

/// <summary>
/// For reference, the kernel on ILGPU's CPU accelerator against the plain CPU path on one core, on a smaller setting
/// (d = 10, batch 16, |J| = 4, width 128): the accelerator runs the kernel's IL with its own threads and is far slower,
/// so the setting would take minutes per measurement. The first call (kernel compilation, tape and scratch
/// sizing) is in the setup, not in the timing.
/// </summary>
public class LauncherAcceleratorBenchmarks
{
    private LauncherStep _step = null!;
    private KernelDevice _cpu = null!, _accelerator = null!;
    private Model.LossSparseGradBatchLauncher _plain = null!, _kernel = null!;

    [GlobalSetup]
    public void Setup()
    {
        _step = new LauncherStep(d: 10, batch: 16, probes: 4);
        (_cpu, _accelerator) = (KernelDevice.Cpu(1), KernelDevice.CpuAccelerator());
        (_plain, _kernel) = (new Model.LossSparseGradBatchLauncher(_cpu), new Model.LossSparseGradBatchLauncher(_accelerator));
        if (!_step.SameSums(_plain, _kernel, Console.Out, "Cpu(1) vs CPU accelerator", bitwise: false)) throw new InvalidOperationException("sums differ");
    }

    [Benchmark(Baseline = true)]
    public float Cpu1() => _step.Run(_plain);

    [Benchmark]
    public float CpuAccelerator() => _step.Run(_kernel);

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _kernel.Dispose();
        _cpu.Dispose();
        _accelerator.Dispose();
    }
}

/// <summary>
/// <c>--launcher</c>: the two comparisons above in the interleaved mode (alternating rounds, best round kept), which
/// suits a shared machine better than sequential BenchmarkDotNet runs; the setups check the sums first.
/// </summary>
public static class LauncherInterleaved
{
    public static void Run(TextWriter log, bool quick)
    {
        var cpu = new LauncherCpuBenchmarks();
        cpu.Setup();
        // One call takes about 0.3 s on one core at this setting (d = 100: 100 points × 17 jets), so few rounds of one call.
        Interleaved.Compare(log, "PINN step gradient, launcher CPU path, d = 100, batch 100, |J| = 16 (ratio: Cpu(2) ÷ Cpu(1))",
            quick ? 8 : 30, 1, [("Cpu(1)", cpu.Cpu1), ("Cpu(2)", cpu.Cpu2)], warmupPasses: 2);
        cpu.Cleanup();
        var acc = new LauncherAcceleratorBenchmarks();
        acc.Setup();
        Interleaved.Compare(log, "PINN step gradient, d = 10, batch 16, |J| = 4 (ratio: CPU accelerator ÷ Cpu(1))",
            quick ? 8 : 30, 1, [("Cpu(1)", acc.Cpu1), ("CPU accelerator", acc.CpuAccelerator)], warmupPasses: 2);
        acc.Cleanup();
    }
}
