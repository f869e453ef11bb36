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
}
