using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Dsl;

namespace GpuCheck;

/// <summary>
/// <c>GpuCheck [--device gpu|cpu-accelerator] [--dims 100,1000,…|none] [--budget SECONDS] [--steps N] [--skip-cases] [--split]</c>:
/// (1) every kernel of the kernel tests through its launcher on the device against the CPU path, with a bound measured
/// per case (<see cref="Cases"/>); (2) the PINN training step (Allen–Cahn, two-body solution, the paper's network
/// d → 128 → 128 → 128 → 1, sparse STDE |J| = 16, batch 100) timed at each d within a time budget.
/// Exit code 0 when every case is within its bound, 1 otherwise, 3 when the device is missing.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var device = "gpu";
        var dims = new List<int> { 100, 1_000, 10_000, 100_000, 1_000_000 };
        var budget = 300.0;
        var steps = 20;
        var skipCases = false;
        var split = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--device": device = args[++i]; break;
                case "--dims":
                    var list = args[++i];
                    dims = list == "none" ? new List<int>() : list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
                    break;
                case "--budget": budget = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--skip-cases": skipCases = true; break;
                case "--split": split = true; break;
                default: Console.Error.WriteLine($"unknown switch '{args[i]}'"); return 2;
            }
        }
        KernelDevice dev;
        try
        {
            dev = KernelDevice.Parse(device);
        }
        catch (KernelDeviceNotFoundException e)
        {
            Console.Error.WriteLine(e.Message);
            return 3;
        }
        using var _ = dev;
        Console.WriteLine($"device: {dev.Description}; host: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var ok = skipCases || (dev.Accelerator is null || MathCheck.Run(dev.Accelerator)) & CompareCases(dev);
        if (dims.Count > 0) PinnTiming.Run(dev, dims, budget, steps, split);
        Console.WriteLine(ok ? "cases: all within their bounds" : "cases: SOME OUTSIDE THEIR BOUNDS");
        return ok ? 0 : 1;
    }

    private static bool CompareCases(KernelDevice dev)
    {
        using var cpu = KernelDevice.Cpu();
        var allOk = true;
        Console.WriteLine("kernel | outputs | max rel. diff device vs CPU | 1-ulp input spread S | bound 4S+4eps | verdict");
        foreach (var c in Cases.All())
        {
            try
            {
                var clock = Stopwatch.StartNew();
                var reference = Cases.Run(c, cpu, 1, false, out var single);
                var nudged = Cases.Run(c, cpu, 1, true, out _);
                var onDevice = Cases.Run(c, dev, 1, false, out _);
                var eps = single ? Math.Pow(2, -23) : Math.Pow(2, -52);
                var spread = Cases.MaxRelative(reference, nudged);
                var bound = 4 * spread + 4 * eps;
                var diff = Cases.MaxRelative(reference, onDevice);
                var pass = diff <= bound;
                allOk &= pass;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name} | {reference.Length} | {diff:E2} ({diff / eps:F1} eps) | {spread:E2} | {bound:E2} | " +
                    $"{(pass ? "ok" : "OUTSIDE")} ({clock.Elapsed.TotalSeconds:F1} s)"));
            }
            catch (Exception e)
            {
                allOk = false;
                Console.WriteLine($"{c.Name} | FAILED: {e.GetType().Name}: {e.InnerException?.Message ?? e.Message}");
            }
        }
        return allOk;
    }
}
