using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Dsl.Benchmarks;

/// <summary>
/// A supplementary measurement for shared, noisy machines (<c>--interleaved</c>): the methods of one
/// comparison run in alternation, many short rounds, and each method's best round is kept. Load from
/// other processes then disturbs every method alike, and the minimum discards disturbed rounds.
/// Not a replacement for BenchmarkDotNet; a cross-check of its ratios.
/// </summary>
public static class Interleaved
{
    public static void Run(TextWriter log, int rounds = 200)
    {
        foreach (var dim in new[] { 16, 128 })
        {
            var b = new MlpBenchmarks { Dim = dim };
            b.Setup();
            Compare(log, $"MLP, Dim={dim}", rounds, 20, new (string, Func<float>)[]
            {
                ("Primal", b.Primal),
                ("JVP all (generated)", b.JvpAll),
                ("JVP x only (generated)", b.JvpX),
                ("JVP all (hand-written)", b.HandJvpAll),
                ("JVP x only (hand-written)", b.HandJvpX),
                ("JVP all (hand, tuned)", b.HandJvpAllTuned),
                ("JVP x only (hand, tuned)", b.HandJvpXTuned),
                ("JVP x only (hand, scratch slot)", () => MlpHand.JvpXScratch(b.Data.X, b.Data.Dx, b.Data.Theta, out var dy) + dy),
            });
        }
        var s = new ScalarBenchmarks();
        Compare(log, "Long scalar expression", rounds, 5000, new (string, Func<float>)[]
        {
            ("Primal", () => (float)s.Primal()),
            ("JVP (generated)", () => (float)s.Jvp()),
            ("JVP (hand, tuned)", () => (float)s.JvpTuned()),
        });
    }

    /// <summary>
    /// The reverse-mode comparisons (<c>--interleaved-reverse</c>): GMM objective vs gradients for each
    /// (D, K) at N = 1000, and the MLP batch loss vs its gradients. The (64, 200) instance takes about a
    /// second per call, so it gets few rounds of one call (<paramref name="includeLarge"/>).
    /// </summary>
    public static void RunReverse(TextWriter log, bool includeLarge = true)
    {
        var sizes = includeLarge
            ? new (string DxK, int Rounds, int Calls)[] { ("2x5", 200, 50), ("10x25", 100, 2), ("20x50", 50, 1), ("64x200", 6, 1) }
            : new (string DxK, int Rounds, int Calls)[] { ("2x5", 200, 50), ("10x25", 100, 2), ("20x50", 50, 1) };
        foreach (var (dxk, rounds, calls) in sizes)
        {
            var b = dxk == "64x200" ? (GmmBenchmarkBase)new GmmLargeBenchmarks() : new GmmBenchmarks { DxK = dxk };
            b.Setup();
            Compare(log, $"GMM, N=1000, D x K = {dxk}", rounds, calls, new (string, Func<float>)[]
            {
                ("Objective", () => (float)b.Objective()),
                ("Objective (hand, ADBench loops)", () => (float)b.ObjectiveHand()),
                ("Gradient (generated)", () => (float)b.GradientGenerated()),
                ("Gradient (hand-written)", () => (float)b.GradientHand()),
                ("Gradient (hand, DSL loop shape)", () => (float)b.GradientHandRowWise()),
                ("Gradient (generated, inlined tape)", () => (float)b.GradientInlinedTape()),
                ("Objective (column-major DSL source)", () => (float)b.ObjectiveColumnMajor()),
                ("Gradient (generated from column-major source)", () => (float)b.GradientColumnMajor()),
                ("Gradient (column-major source, generator sketch)", () => (float)b.GradientColumnMajorSketch()),
            }, warmupPasses: dxk == "64x200" ? 1 : 4);
        }
        var m = new MlpLossBenchmarks();
        m.Setup();
        Compare(log, "MLP loss, batch 32, dim 16, double", 400, 2, new (string, Func<float>)[]
        {
            ("Loss", () => (float)m.Loss()),
            ("Gradient (generated)", () => (float)m.GradientGenerated()),
            ("Gradient (hand-written)", () => (float)m.GradientHand()),
            ("Gradient (generated, inlined tape)", () => (float)m.GradientInlinedTape()),
        });
    }

    /// <summary>Runs the methods interleaved, prints the table, and returns each method's best time per call (ns).</summary>
    internal static double[] Compare(TextWriter log, string title, int rounds, int callsPerRound, (string Name, Func<float> F)[] methods, int warmupPasses = 4)
    {
        var best = new double[methods.Length];
        Array.Fill(best, double.MaxValue);
        var sink = 0f;
        // Warm up until tiered compilation has settled: the scalar methods start at Tier0 and are
        // recompiled in the background (slowly on a loaded machine); the MLP methods are jitted
        // straight to optimized code (stackalloc rules out tiering).
        for (int pass = 0; pass < warmupPasses; pass++)
        {
            foreach (var m in methods)
            {
                var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 4;
                while (Stopwatch.GetTimestamp() < until) for (int i = 0; i < callsPerRound; i++) sink += m.F();
            }
            System.Threading.Thread.Sleep(200);
        }
        var sw = new Stopwatch();
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < methods.Length; k++)
            {
                int idx = (k + r) % methods.Length;
                var f = methods[idx].F;
                sw.Restart();
                for (int i = 0; i < callsPerRound; i++) sink += f();
                sw.Stop();
                best[idx] = Math.Min(best[idx], sw.Elapsed.TotalNanoseconds / callsPerRound);
            }
        }
        log.WriteLine();
        log.WriteLine($"{title}: best of {rounds} interleaved rounds of {callsPerRound} calls (sink {sink:G3})");
        log.WriteLine("| Method | Min per call | Ratio (min ÷ primal min) |");
        log.WriteLine("|---|---:|---:|");
        for (int k = 0; k < methods.Length; k++)
            log.WriteLine($"| {methods[k].Name} | {Format(best[k])} | {best[k] / best[0]:F2} |");
        return best;
    }

    private static string Format(double ns) => ns >= 1000 ? $"{ns / 1000:F2} us" : $"{ns:F1} ns";
}
