using System;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Dsl.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        // Taylor mode and the PINN training step check their own results first (and skip the JVP/gradient checks).
        if (args.Contains("--taylor"))
        {
            if (!TaylorBenchmarks.Check(Console.Out)) return 1;
            if (!args.Contains("--check-only")) TaylorBenchmarks.Run(Console.Out, rounds: args.Contains("--quick") ? 40 : 150);
            return 0;
        }
        if (args.Contains("--generator"))
        {
            GeneratorIncrementality.Run(Console.Out, args);
            return 0;
        }
        if (args.Contains("--peers")) return PeerBenchmarks.Run(Console.Out, args);
        if (args.Contains("--operator-gradient"))
        {
            OperatorGradientBenchmarks.Run(Console.Out, args.Contains("--quick"));
            return 0;
        }
        if (args.Contains("--vector-math"))
        {
            // Which instruction sets the JIT uses, then scalar vs Vector256 PortableMath with the quick job.
            Console.WriteLine($"Vector256.IsHardwareAccelerated={System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated} "
                + $"Avx2={System.Runtime.Intrinsics.X86.Avx2.IsSupported} Avx512F={System.Runtime.Intrinsics.X86.Avx512F.IsSupported} "
                + $"Vector512.IsHardwareAccelerated={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
            string[] rest = args.Where(a => a != "--vector-math").ToArray();
            BenchmarkSwitcher.FromTypes(new[] { typeof(VectorMathBenchmarks) }).Run(rest.Length > 0 ? rest : new[] { "--filter", "*" }, DefaultConfig.Instance
                .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1).WithId("Quick"))
                .AddColumn(StatisticColumn.Min, StatisticColumn.Median));
            return 0;
        }
        if (args.Contains("--launcher"))
        {
            LauncherInterleaved.Run(Console.Out, args.Contains("--quick"));
            return 0;
        }
        if (args.Contains("--training"))
        {
            if (!TrainingBenchmarks.Check(Console.Out)) return 1;
            if (!args.Contains("--check-only")) TrainingBenchmarks.Run(Console.Out, TrainingOptions(args));
            return 0;
        }

        // Make sure we measure correct code: generated JVPs vs hand-written JVPs vs finite differences.
        if (!CorrectnessCheck.Run(Console.Out, includeLarge: !args.Contains("--no-large"))) return 1;
        if (args.Contains("--check-only")) return 0;
        if (args.Contains("--interleaved-reverse"))
        {
            Interleaved.RunReverse(Console.Out, includeLarge: !args.Contains("--no-large"));
            return 0;
        }
        if (args.Contains("--interleaved"))
        {
            Interleaved.Run(Console.Out);
            return 0;
        }

        IConfig? config = null;
        if (args.Contains("--quick"))
        {
            // A short job so a full run takes a few minutes on a small, shared machine.
            // Min and Median are shown too: on a shared machine they are less disturbed by other load than the Mean.
            config = DefaultConfig.Instance
                .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1).WithId("Quick"))
                .AddColumn(StatisticColumn.Min, StatisticColumn.Median);
            args = args.Where(a => a != "--quick").ToArray();
        }
        args = args.Where(a => a != "--no-large").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    /// <summary><c>--dims 100,1000,10000</c> (default), <c>--threads 1|2</c> (default 1), <c>--quick</c> (fewer rounds and points).</summary>
    private static TrainingBenchmarks.Options TrainingOptions(string[] args)
    {
        string? Value(string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var dims = (Value("--dims") ?? "100,1000,10000").Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int threads = int.Parse(Value("--threads") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        return new TrainingBenchmarks.Options(dims, threads, args.Contains("--quick"));
    }
}
