using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Pinn;

namespace Dsl.Benchmarks;

/// <summary>
/// One case of the peer comparison: the C# call (returns the loss, writes the gradient), its inputs as the files the
/// PyTorch script reads, and the timing plan (rounds of <see cref="Calls"/> calls; the best round is kept).
/// </summary>
internal sealed class PeerCase
{
    public required string Id, Title;
    public required Func<double> Run;
    public required Func<double[]> Gradient;
    public required Action<string> WriteInputs;
    public required bool Float;
    public required int Rounds, Calls;
    public Action? Dispose;

    /// <summary>No PyTorch counterpart: timed on the C# side only, for the tiering check.</summary>
    public bool NoPeer;
}

/// <summary>
/// <c>--peers</c>: the GMM, MLP and PINN-step gradients against PyTorch on one core each side
/// (<c>Tests/Benchmarks/peers/peers.py</c>, driven over stdin/stdout). Per case: the inputs go to files the script reads,
/// loss and gradient are compared, then the two sides run in alternating rounds and each keeps its best round.
/// Afterwards the C# cases run alone in two child processes, one with default tiered compilation and one with
/// <c>DOTNET_TieredCompilation=0</c>; a case whose tiered time exceeds its TC=0 time by more than 1.5× is flagged as a
/// tiering artefact (issue 10 saw 5× on the MLP loss on this kind of machine).
/// </summary>
public static partial class PeerBenchmarks
{
    // A case whose time with default tiering exceeds its time with TieredCompilation=0 by more than this is flagged.
    private const double TieringFlag = 1.5;

    private static bool PerItem;

    public static int Run(TextWriter log, string[] args)
    {
        bool quick = args.Contains("--quick"), large = args.Contains("--large");
        // --per-item: the PINN launchers run one point per call (the CPU path before the lanes), for a same-run comparison;
        // --kernels-only: only the batch-kernel cases (PINN steps, the MLP and GMM batches).
        PerItem = args.Contains("--per-item");
        var cases = Cases(quick, large).Where(c => !args.Contains("--kernels-only") || c.Id.StartsWith("pinn", StringComparison.Ordinal)
            || c.Id == "mlp-batch" || c.Id.StartsWith("gmm-batch", StringComparison.Ordinal))
            .ToList();
        // --only a,b: only the cases whose id starts with one of the comma-separated prefixes (gmm-20x50, mlp, pinn-sparse-100, ...);
        // a prefix ending in '$' matches its id exactly (pinn-sparse-100$ leaves out pinn-sparse-1000).
        int only = Array.IndexOf(args, "--only");
        if (only >= 0 && only + 1 < args.Length)
        {
            var prefixes = args[only + 1].Split(',', StringSplitOptions.RemoveEmptyEntries);
            cases = cases.Where(c => prefixes.Any(p => p.EndsWith('$') ? c.Id == p.TrimEnd('$') : c.Id.StartsWith(p, StringComparison.Ordinal)))
                .ToList();
        }
        if (args.Contains("--dsl-only")) return DslOnly(log, cases);
        PeerProcess started;
        try
        {
            started = new PeerProcess(ScriptPath(), log);
        }
        catch (PeerUnavailableException e)
        {
            log.WriteLine($"--peers: {e.Message}");
            return 2;
        }
        using var py = started;
        var root = Path.Combine(Path.GetTempPath(), $"dsl-peers-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var rows = new List<(PeerCase Case, double Dsl, double Torch)>();
        bool allEqual = true;
        foreach (var c in cases)
        {
            if (c.NoPeer)
            {
                rows.Add((c, DslOnlyBest(c), double.NaN));
                continue;
            }
            var dir = Path.Combine(root, c.Id);
            Directory.CreateDirectory(dir);
            c.WriteInputs(dir);
            allEqual &= Compare(log, c, dir, py);
            var (dsl, torch) = Interleave(c, py);
            rows.Add((c, dsl, torch));
            log.WriteLine($"  {c.Title}: Dsl {Format(dsl)}, PyTorch {Format(torch)}, Dsl ÷ PyTorch {dsl / torch:F2}");
            c.Dispose?.Invoke();
        }
        Directory.Delete(root, recursive: true);
        log.WriteLine();
        var tiered = ChildTimes(log, args, tiered: true);
        var noTiering = ChildTimes(log, args, tiered: false);
        PrintTable(log, rows, tiered, noTiering);
        return allEqual ? 0 : 1;
    }

    private static void PrintTable(TextWriter log, List<(PeerCase Case, double Dsl, double Torch)> rows, Dictionary<string, double> tiered,
        Dictionary<string, double> noTiering)
    {
        log.WriteLine();
        log.WriteLine($"Peer benchmark: min of interleaved rounds, one thread each side; load average {LoadAverage()}");
        log.WriteLine("| case | PyTorch | Dsl | Dsl ÷ PyTorch | Dsl alone, tiered | Dsl alone, TieredCompilation=0 | tiered ÷ TC=0 |");
        log.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var artefacts = new List<string>();
        foreach (var (c, dsl, torch) in rows)
        {
            var tc0 = noTiering.TryGetValue(c.Id, out var t0) ? t0 : double.NaN;
            var tc1 = tiered.TryGetValue(c.Id, out var t1) ? t1 : double.NaN;
            var ratio = tc1 / tc0;
            var flag = ratio > TieringFlag ? " **tiering artefact**" : "";
            if (ratio > TieringFlag) artefacts.Add(c.Title);
            log.WriteLine($"| {c.Title.Replace("|", "\\|")} | {Format(torch)} | {Format(dsl)} | {(c.NoPeer ? "–" : (dsl / torch).ToString("F2"))} | {Format(tc1)} | {Format(tc0)} | {ratio:F2}{flag} |");
        }
        log.WriteLine(artefacts.Count == 0
            ? $"Tiering: no case is more than {TieringFlag}× slower with default tiered compilation than with TieredCompilation=0."
            : $"Tiering artefact (default tiering > {TieringFlag}× TieredCompilation=0): {string.Join("; ", artefacts)}.");
    }

    /// <summary>The cases, each with fresh inputs; the PINN cases hold launchers on <c>KernelDevice.Cpu(1)</c>.</summary>
    private static List<PeerCase> Cases(bool quick, bool large)
    {
        int r(int n) => quick ? Math.Max(3, n / 4) : n;
        var list = new List<PeerCase>();
        foreach (var (dxk, rounds, calls) in new[] { ("2x5", 200, 20), ("10x25", 60, 1), ("20x50", 30, 1), ("64x200", 5, 1) })
            list.Add(GmmCase(dxk, r(rounds), calls));
        foreach (var (dxk, rounds, calls) in new[] { ("2x5", 200, 20), ("10x25", 60, 1), ("20x50", 30, 1), ("64x200", 5, 1) })
            list.Add(GmmBatchCase(dxk, r(rounds), calls));
        list.Add(MlpCase(r(200), 5));
        list.Add(MlpBatchCase(r(200), 5));
        // The two methods that issue 10 saw 5× slower under default tiering on this kind of machine: C# only.
        var mlp = new MlpLossData(dim: 16, batch: 32);
        var bar = new double[mlp.Theta.Length];
        list.Add(TieringOnly("mlp-loss", "(tiering check only) MLP loss, primal", () => MlpLossModel.Loss(mlp.Theta, mlp.Xs, mlp.Ys), r(200)));
        list.Add(TieringOnly("mlp-hand", "(tiering check only) MLP loss gradient, hand-written",
            () => MlpLossHand.Gradient(mlp.Theta, mlp.Xs, mlp.Ys, bar), r(200)));
        var dims = large ? new[] { 100, 1000, 10000 } : new[] { 100, 1000 };
        foreach (var d in dims)
            foreach (var sparse in new[] { true, false })
                list.Add(PinnCase(d, sparse, r(d >= 10000 ? 3 : d >= 1000 ? 8 : 15)));
        return list;
    }

    private static PeerCase TieringOnly(string id, string title, Func<double> run, int rounds) => new()
    {
        Id = id, Title = title, Run = run, Gradient = () => [], WriteInputs = _ => { }, Float = false, Rounds = rounds, Calls = 5,
        NoPeer = true,
    };

    private static PeerCase GmmCase(string dxk, int rounds, int calls)
    {
        var data = GmmBenchmarkBase.MakeData(dxk);
        var (ab, mb, ib) = (new double[data.Alphas.Length], new double[data.Means.Length], new double[data.Icf.Length]);
        return new PeerCase
        {
            Id = "gmm-" + dxk, Title = $"GMM gradient {dxk.Replace('x', '×')} (N = 1000, double)", Float = false,
            Rounds = rounds, Calls = calls,
            Run = () => GmmModel.ObjectiveGradient(data.Alphas, data.Means, data.Icf, data.X, data.Gamma, data.M, data.WishartC, ab, mb, ib),
            Gradient = () => [.. ab, .. mb, .. ib],
            WriteInputs = dir => GmmInputs(dir, data),
        };
    }

    private static void GmmInputs(string dir, GmmData data)
    {
        Meta(dir, ("kind", "gmm"), ("n", data.N), ("d", data.D), ("k", data.K), ("gamma", data.Gamma), ("m", data.M),
            ("wishartC", data.WishartC));
        Write(dir, "alphas", data.Alphas); Write(dir, "means", data.Means); Write(dir, "icf", data.Icf); Write(dir, "x", data.X);
    }

    /// <summary>The same GMM problem as a batch kernel (<see cref="GmmBatch"/>): per-point gradients summed by the launcher, 4
    /// points per call in lanes on <c>KernelDevice.Cpu(1)</c> (one per call with <c>--per-item</c>), plus the point-free terms.
    /// The PyTorch side is the "gmm" case's.</summary>
    private static PeerCase GmmBatchCase(string dxk, int rounds, int calls)
    {
        var data = GmmBenchmarkBase.MakeData(dxk);
        var (ab, mb, ib) = (new double[data.Alphas.Length], new double[data.Means.Length], new double[data.Icf.Length]);
        var (rab, rib) = (new double[data.Alphas.Length], new double[data.Icf.Length]);
        var device = KernelDevice.Cpu(1, lanes: !PerItem);
        var launcher = new GmmBatch.PointTermGradientBatchLauncher(device);
        return new PeerCase
        {
            Id = "gmm-batch-" + dxk, Title = $"GMM gradient {dxk.Replace('x', '×')} as a batch kernel (N = 1000, double)", Float = false,
            Rounds = rounds, Calls = calls,
            Run = () => GmmBatch.ObjectiveGradient(launcher, data, ab, mb, ib, rab, rib),
            Gradient = () => [.. ab, .. mb, .. ib],
            WriteInputs = dir => GmmInputs(dir, data),
            Dispose = () => { launcher.Dispose(); device.Dispose(); },
        };
    }

    private static PeerCase MlpCase(int rounds, int calls)
    {
        var data = new MlpLossData(dim: 16, batch: 32);
        var bar = new double[data.Theta.Length];
        return new PeerCase
        {
            Id = "mlp", Title = "MLP loss gradient (double, batch 32, 16 → 128 → 128)", Float = false, Rounds = rounds, Calls = calls,
            Run = () => MlpLossModel.LossGradient(data.Theta, data.Xs, data.Ys, bar),
            Gradient = () => bar,
            WriteInputs = dir =>
            {
                Meta(dir, ("kind", "mlp"), ("dim", data.Dim), ("batch", data.Batch), ("h", MlpLossModel.H));
                Write(dir, "theta", data.Theta); Write(dir, "xs", data.Xs); Write(dir, "ys", data.Ys);
            },
        };
    }

    /// <summary>The same MLP problem as a batch kernel: per-sample gradients summed by the launcher (4 samples per call in
    /// lanes on <c>KernelDevice.Cpu(1)</c>, or one per call with <c>--per-item</c>); the PyTorch side is the "mlp" case.</summary>
    private static PeerCase MlpBatchCase(int rounds, int calls)
    {
        var data = new MlpLossData(dim: 16, batch: 32);
        var bar = new double[data.Theta.Length];
        var device = KernelDevice.Cpu(1, lanes: !PerItem);
        var launcher = new MlpLossBatch.SampleLossGradientBatchLauncher(device);
        return new PeerCase
        {
            Id = "mlp-batch", Title = "MLP loss gradient as a batch kernel (double, batch 32, 16 → 128 → 128)", Float = false,
            Rounds = rounds, Calls = calls,
            Run = () => launcher.Run(data.Batch, data.Theta, data.Xs, data.Ys, bar),
            Gradient = () => bar,
            WriteInputs = dir =>
            {
                Meta(dir, ("kind", "mlp"), ("dim", data.Dim), ("batch", data.Batch), ("h", MlpLossModel.H));
                Write(dir, "theta", data.Theta); Write(dir, "xs", data.Xs); Write(dir, "ys", data.Ys);
            },
            Dispose = () => { launcher.Dispose(); device.Dispose(); },
        };
    }

    /// <summary>
    /// The sample's step inputs (Samples/Pinn, Trainer.Step at step 0, seed 0, the same random streams): 100 points uniform in
    /// the unit ball, f from the two-body exact solution (Allen–Cahn: f = Δu* + u* − u*³), 16 probes per point (sparse unit
    /// vectors or Rademacher), θ LeCun-normal (the benchmarks' <see cref="PinnTraining.InitialParameters"/>).
    /// </summary>
    private static PeerCase PinnCase(int d, bool sparse, int rounds)
    {
        const int batch = 100, probes = 16, width = 128;
        const long seed = 0;
        var c = new double[d - 1];
        new Probes(seed, 1).FillGaussian(c);
        var exact = new TwoBody(c);
        var x = new float[batch * d];
        new Probes(seed, 1_000_000).FillUniformBall(x, d);
        var f = new float[batch];
        var p = new float[batch * probes * d];
        var rng = new Probes(0);
        for (int i = 0; i < batch; i++)
        {
            var xi = new ReadOnlySpan<float>(x, i * d, d);
            double u = exact.Value(xi), lap = exact.Laplacian(xi);
            f[i] = (float)(lap + u - u * u * u);
            rng.Reseed(seed, (1L << 40) + i);
            var row = p.AsSpan(i * probes * d, probes * d);
            if (sparse) rng.FillSparseCoordinates(row, d, probes);
            else rng.FillRademacher(row);
        }
        var theta = PinnTraining.InitialParameters(d, width, seed);
        var grad = new float[theta.Length];
        var device = KernelDevice.Cpu(1, lanes: !PerItem);
        KernelLauncher launcher;
        Func<double> run;
        if (sparse)
        {
            var l = new Model.LossSparseGradBatchLauncher(device);
            (launcher, run) = (l, () => l.Run(batch, x, theta, width, p, f, 0, grad));
        }
        else
        {
            var l = new Model.LossDenseGradBatchLauncher(device);
            (launcher, run) = (l, () => l.Run(batch, x, theta, width, p, f, 0, grad));
        }
        var name = sparse ? "sparse" : "dense (Rademacher)";
        return new PeerCase
        {
            Id = $"pinn-{(sparse ? "sparse" : "dense")}-{d}", Title = $"PINN step, STDE {name} |J| = 16, d = {d:N0} (float)",
            Float = true, Rounds = rounds, Calls = 1, Run = run,
            Gradient = () => grad.Select(v => (double)v).ToArray(),
            WriteInputs = dir =>
            {
                Meta(dir, ("kind", "pinn"), ("d", d), ("width", width), ("batch", batch), ("probes", probes),
                    ("estimator", sparse ? "sparse" : "dense"));
                Write(dir, "theta", theta); Write(dir, "x", x); Write(dir, "probes", p); Write(dir, "f", f);
            },
            Dispose = () => { launcher.Dispose(); device.Dispose(); },
        };
    }
}
