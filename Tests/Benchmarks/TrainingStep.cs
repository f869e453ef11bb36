using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Dsl.Benchmarks;

/// <summary>What one training step computes per residual point.</summary>
public enum TrainVariant
{
    /// <summary>θ-gradient of the Allen–Cahn residual² with the dense STDE Laplacian, 16 Rademacher probes.</summary>
    Dense,
    /// <summary>The same with the sparse STDE Laplacian, 16 coordinates without replacement.</summary>
    Sparse,
    /// <summary>The same with the exact Laplacian (d Taylor 2-jets).</summary>
    Exact,
    /// <summary>The same with the exact Laplacian as Σ e_iᵀ H e_i (d forward-over-reverse HVPs).</summary>
    ExactHvp,
    /// <summary>Only the exact Laplacian by d Taylor 2-jets: a value, no gradient, no update.</summary>
    ExactLaplacianOnly,
    /// <summary>Only the exact Laplacian by d HVPs (forward over reverse): a value, no gradient, no update.</summary>
    HvpLaplacianOnly,
}

/// <summary>
/// One PINN training step as in <c>Samples/Pinn</c> and the STDE paper (App. H): a batch of
/// residual points in the unit ball, per point the θ-gradient of the Allen–Cahn residual²
/// (Δu + u − u³ − f)² with the Laplacian estimated or computed exactly by generated code,
/// gradients summed in double per chunk, averaged, then one Adam step (lr 1e-3, linear decay
/// over 10,000 steps). The residual points and the source values f are drawn once (the work
/// per step does not depend on them); probes are drawn per point and step, from their own
/// seeded stream, as the sample does.
/// </summary>
public sealed class PinnTraining
{
    public const int Width = PinnModel.Width;
    public const int Batch = 100;
    public const int ProbeCount = 16;

    public readonly int D, N, Chunks;
    public readonly float[] Theta, Points, F, Grad;
    private readonly double[][] _acc;
    private readonly float[][] _g, _probes;
    private readonly Probes[] _rng;
    private readonly double[] _chunkLoss;
    private readonly Adam _adam;
    private readonly long _seed;
    private int _step;

    public PinnTraining(int d, int chunks, long seed = 0)
    {
        D = d;
        N = PinnModel.ParameterCount(d, Width);
        Chunks = chunks;
        _seed = seed;
        Theta = InitialParameters(d, Width, seed);
        Points = new float[Batch * d];
        new Probes(seed, 1).FillUniformBall(Points, d);
        F = new float[Batch];
        var fr = new Probes(seed, 2);
        for (int i = 0; i < Batch; i++) F[i] = (float)fr.NextGaussian();
        Grad = new float[N];
        _acc = new double[chunks][];
        _g = new float[chunks][];
        _probes = new float[chunks][];
        _rng = new Probes[chunks];
        for (int c = 0; c < chunks; c++)
        {
            _acc[c] = new double[N];
            _g[c] = new float[N];
            _probes[c] = new float[ProbeCount * d];
            _rng[c] = new Probes(seed);
        }
        _chunkLoss = new double[chunks];
        _adam = new Adam(N, learningRate: 1e-3, decaySteps: 10_000);
    }

    /// <summary>LeCun-normal weights, zero biases (as the sample).</summary>
    public static float[] InitialParameters(int d, int width, long seed)
    {
        var theta = new float[PinnModel.ParameterCount(d, width)];
        var rng = new Probes(seed, 3);
        void Fill(Span<float> w, int fanIn)
        {
            rng.FillGaussian(w);
            float s = 1f / MathF.Sqrt(fanIn);
            for (int i = 0; i < w.Length; i++) w[i] *= s;
        }
        int off = 0;
        Fill(theta.AsSpan(off, width * d), d); off += width * d + width;
        Fill(theta.AsSpan(off, width * width), width); off += width * width + width;
        Fill(theta.AsSpan(off, width * width), width); off += width * width + width;
        Fill(theta.AsSpan(off, width), width);
        return theta;
    }

    public static bool HasGradient(TrainVariant v) => v is not (TrainVariant.ExactLaplacianOnly or TrainVariant.HvpLaplacianOnly);

    /// <summary>
    /// One step over the first <paramref name="count"/> points of the batch (all 100 for a real
    /// step): gradients (or, for the Laplacian-only variants, just the Laplacians), then the mean
    /// and the Adam update. Returns the seconds spent on the points and on the update.
    /// </summary>
    public (double Points, double Update, double Loss) Step(TrainVariant v, int count)
    {
        int step = _step++;
        long t0 = Stopwatch.GetTimestamp();
        if (Chunks == 1) Chunk(0, v, step, 0, count);
        else Parallel.For(0, Chunks, c => Chunk(c, v, step, (int)((long)count * c / Chunks), (int)((long)count * (c + 1) / Chunks)));
        long t1 = Stopwatch.GetTimestamp();
        double loss = _chunkLoss.Sum() / count;
        if (HasGradient(v))
        {
            for (int k = 0; k < N; k++)
            {
                double s = 0;
                for (int c = 0; c < Chunks; c++) s += _acc[c][k];
                Grad[k] = (float)(s / count);
            }
            _adam.Step(Theta, Grad);
        }
        long t2 = Stopwatch.GetTimestamp();
        return ((t1 - t0) / (double)Stopwatch.Frequency, (t2 - t1) / (double)Stopwatch.Frequency, loss);
    }

    private void Chunk(int c, TrainVariant v, int step, int lo, int hi)
    {
        var acc = _acc[c];
        var g = _g[c];
        bool grad = HasGradient(v);
        if (grad) Array.Clear(acc);
        double loss = 0;
        for (int i = lo; i < hi; i++)
        {
            _rng[c].Reseed(_seed, (1L << 40) + (long)step * 65_536 + i);
            loss += Point(v, i, _probes[c], _rng[c], g);
            if (grad)
                for (int k = 0; k < g.Length; k++) acc[k] += g[k];
        }
        _chunkLoss[c] = loss;
    }

    /// <summary>The per-point work of a variant: draws the probes, writes the θ-gradient into <paramref name="g"/>, returns the loss (or the Laplacian).</summary>
    public float Point(TrainVariant v, int i, float[] probes, Probes rng, float[] g)
    {
        var x = new ReadOnlySpan<float>(Points, i * D, D);
        switch (v)
        {
            case TrainVariant.Dense:
                rng.FillRademacher(probes);
                return PinnModel.LossDenseGrad(x, Theta, Width, probes, F[i], g);
            case TrainVariant.Sparse:
                rng.FillSparseCoordinates(probes, D, ProbeCount);
                return PinnModel.LossSparseGrad(x, Theta, Width, probes, F[i], g);
            case TrainVariant.Exact:
                return PinnModel.LossExactGrad(x, Theta, Width, F[i], g);
            case TrainVariant.ExactHvp:
                return PinnModel.LossHvpGrad(x, Theta, Width, F[i], g);
            case TrainVariant.ExactLaplacianOnly:
                return PinnModel.ULapExact(x, Theta, Width);
            default:
                return PinnModel.ULapHvp(x, Theta, Width);
        }
    }
}

/// <summary>
/// <c>--training</c>: time and memory of one PINN training step (batch 100) per variant and
/// dimension, interleaved (the variants alternate within each round; the best round is kept).
/// The exact variants are too slow for a full batch at large d: they run on the first few
/// points and the per-step time is extrapolated per point (points × 100 + the update).
/// </summary>
public static class TrainingBenchmarks
{
    private static readonly string[] Names =
    {
        "STDE dense, 16 Rademacher probes",
        "STDE sparse, 16 coordinates",
        "exact, d Taylor 2-jets",
        "exact, d HVPs (forward over reverse)",
        "(value only) exact Laplacian, d Taylor 2-jets",
        "(value only) exact Laplacian, d HVPs",
    };

    public sealed record Options(int[] Dims, int Chunks, bool Quick);

    private sealed class Row
    {
        public required TrainVariant Variant;
        public required int Points;
        public double BestPerStep = double.MaxValue;   // seconds, extrapolated to a batch of 100 where Points < 100
        public double BestPointsSeconds = double.MaxValue;
        public double UpdateSeconds = double.MaxValue;
        public long AllocatedPerStep;                  // bytes, from the last round, scaled like the time
        public long PeakWorkingSet;                    // process peak after this variant's first step at this d
        public int Rounds;
    }

    public static bool Check(TextWriter log)
    {
        const int d = 100;
        log.WriteLine();
        log.WriteLine($"PINN training: correctness at d = {d} before timing");
        var t = new PinnTraining(d, chunks: 1, seed: 11);
        var x = t.Points.AsSpan(0, d);
        var theta = t.Theta;
        const int w = PinnTraining.Width;
        bool ok = true;

        // The exact Laplacian two ways, and a double-precision second-difference reference.
        float lapExact = PinnModel.ULapExact(x, theta, w);
        float lapHvp = PinnModel.ULapHvp(x, theta, w);
        var xd = new double[d];
        for (int i = 0; i < d; i++) xd[i] = x[i];
        double u0 = TaylorBenchmarks.PinnDouble(xd, theta, w), lapFd = 0;
        const double h = 1e-3;
        for (int i = 0; i < d; i++)
        {
            double xi = xd[i];
            xd[i] = xi + h; double up = TaylorBenchmarks.PinnDouble(xd, theta, w);
            xd[i] = xi - h; double um = TaylorBenchmarks.PinnDouble(xd, theta, w);
            xd[i] = xi;
            lapFd += (up - 2 * u0 + um) / (h * h);
        }
        ok &= Report(log, "exact Laplacian (d Taylor 2-jets) vs d HVPs", lapExact, lapHvp, 1e-3);
        ok &= Report(log, "exact Laplacian (Taylor, float) vs second differences of a double copy", lapExact, lapFd, 1e-3);
        ok &= Report(log, "exact Laplacian (HVPs, float) vs second differences of a double copy", lapHvp, lapFd, 1e-3);

        // Sparse STDE with every coordinate is the exact Laplacian.
        var all = new float[d * d];
        for (int i = 0; i < d; i++) all[i * d + i] = 1;
        ok &= Report(log, "sparse STDE with |J| = d (all coordinates) vs exact", PinnModel.ULapSparse(x, theta, w, all), lapExact, 1e-5);

        // Unbiased: the mean of many 16-probe estimates approaches the exact value.
        const int m = 400;
        var probes = new float[PinnTraining.ProbeCount * d];
        var rng = new Probes(5);
        foreach (var (name, dense) in new[] { ("dense (Rademacher)", true), ("sparse", false) })
        {
            double s = 0, s2 = 0;
            for (int r = 0; r < m; r++)
            {
                float e;
                if (dense) { rng.FillRademacher(probes); e = PinnModel.ULapDense(x, theta, w, probes); }
                else { rng.FillSparseCoordinates(probes, d, PinnTraining.ProbeCount); e = PinnModel.ULapSparse(x, theta, w, probes); }
                s += e; s2 += (double)e * e;
            }
            double mean = s / m, sd = Math.Sqrt(Math.Max(0, s2 / m - mean * mean)), se = sd / Math.Sqrt(m);
            double z = (mean - lapExact) / se;
            bool pass = Math.Abs(z) <= 4;
            ok &= pass;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{(pass ? "ok" : "FAIL")}] STDE {name}, mean of {m} estimates of 16 probes: {mean:G6} ± {se:G3} (s.e.; one estimate's s.d. {sd:G3}) vs exact {lapExact:G6}: z = {z:F2} (tol |z| ≤ 4)"));
        }

        // θ-gradients vs a central difference along a direction mixing the gradient and a random vector.
        foreach (var v in new[] { TrainVariant.Dense, TrainVariant.Sparse, TrainVariant.Exact, TrainVariant.ExactHvp })
        {
            var g = new float[t.N];
            var pr = new float[PinnTraining.ProbeCount * d];
            var r1 = new Probes(9);
            float L() { r1.Reseed(9); return t.Point(v, 0, pr, r1, new float[t.N]); }
            r1.Reseed(9);
            t.Point(v, 0, pr, r1, g);
            var z = new float[t.N];
            new Probes(10).FillGaussian(z);
            double gn = Math.Sqrt(g.Sum(a => (double)a * a)), zn = Math.Sqrt(z.Sum(a => (double)a * a));
            var dir = new double[t.N];
            double dn = 0;
            for (int k = 0; k < t.N; k++) { dir[k] = g[k] / gn + z[k] / zn; dn += dir[k] * dir[k]; }
            dn = Math.Sqrt(dn);
            const double eps = 1e-2;
            var saved = (float[])theta.Clone();
            var plus = new float[t.N];
            var minus = new float[t.N];
            for (int k = 0; k < t.N; k++) { plus[k] = (float)(saved[k] + eps * dir[k] / dn); minus[k] = (float)(saved[k] - eps * dir[k] / dn); }
            plus.CopyTo(theta, 0); double lp = L();
            minus.CopyTo(theta, 0); double lm = L();
            saved.CopyTo(theta, 0);
            double predicted = 0;
            for (int k = 0; k < t.N; k++) predicted += g[k] * ((double)plus[k] - minus[k]);
            ok &= Report(log, $"θ-gradient ({v}) along a mixed direction vs central difference of the loss", predicted, lp - lm, 2e-2);
        }
        return ok;
    }

    public static void Run(TextWriter log, Options o)
    {
        var proc = Process.GetCurrentProcess();
        log.WriteLine();
        log.WriteLine($"PINN training step, Allen–Cahn, batch {PinnTraining.Batch}, network d -> 128 -> 128 -> 128 -> 1 (tanh), float; " +
                      (o.Chunks == 1 ? "single-threaded" : $"Parallel.For over {o.Chunks} chunks") +
                      $"; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        var all = new List<(int D, Row[] Rows, long PeakAfter, long N)>();
        foreach (int d in o.Dims)
        {
            var (stdeRounds, exactPoints, exactRounds) = Plan(d, o.Quick);
            var t = new PinnTraining(d, o.Chunks);
            var variants = Enum.GetValues<TrainVariant>();
            var rows = variants.Select(v => new Row
            {
                Variant = v,
                Points = v is TrainVariant.Dense or TrainVariant.Sparse ? PinnTraining.Batch : Math.Min(exactPoints, PinnTraining.Batch),
            }).ToArray();
            log.WriteLine();
            log.WriteLine($"d = {d:N0}: {t.N:N0} parameters; STDE: {stdeRounds} rounds of a full step; exact: {exactRounds} round(s) of {rows[2].Points} point(s), extrapolated to {PinnTraining.Batch}; load average {LoadAverage()}");
            int rounds = Math.Max(stdeRounds, exactRounds);
            for (int r = 0; r < rounds; r++)
            {
                for (int j = 0; j < rows.Length; j++)
                {
                    var row = rows[(j + r) % rows.Length];
                    bool stde = row.Variant is TrainVariant.Dense or TrainVariant.Sparse;
                    if (r >= (stde ? stdeRounds : exactRounds)) continue;
                    long a0 = GC.GetTotalAllocatedBytes(true);
                    var (pts, upd, _) = t.Step(row.Variant, row.Points);
                    long a1 = GC.GetTotalAllocatedBytes(true);
                    double scale = (double)PinnTraining.Batch / row.Points;
                    double perStep = pts * scale + upd;
                    row.Rounds++;
                    row.BestPointsSeconds = Math.Min(row.BestPointsSeconds, pts);
                    row.UpdateSeconds = Math.Min(row.UpdateSeconds, upd);
                    row.BestPerStep = Math.Min(row.BestPerStep, perStep);
                    row.AllocatedPerStep = (long)((a1 - a0) * scale);
                    if (row.PeakWorkingSet == 0)
                    {
                        proc.Refresh();
                        row.PeakWorkingSet = proc.PeakWorkingSet64;
                    }
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {r + 1}: {Names[(int)row.Variant],-48} {row.Points,3} pt {pts,9:F3} s + update {upd * 1e3,7:F1} ms -> {perStep,10:F3} s/step, allocated {Bytes(a1 - a0)}"));
                }
            }
            proc.Refresh();
            all.Add((d, rows, proc.PeakWorkingSet64, t.N));
            Print(log, d, rows, proc.PeakWorkingSet64, t.N);
        }
        log.WriteLine();
        log.WriteLine($"Summary (load average {LoadAverage()}): it/s = 1 / (best step time); speed-up = exact step ÷ STDE step");
        log.WriteLine("| d | STDE dense it/s | STDE sparse it/s | exact (Taylor) it/s | exact (d HVPs, forward over reverse) it/s | dense ÷ exact speed-up | sparse ÷ exact speed-up | sparse ÷ HVP exact speed-up | exact Laplacian value only: Taylor s/point | HVP s/point |");
        log.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (d, rows, _, _) in all)
        {
            Row R(TrainVariant v) => rows.First(r => r.Variant == v);
            var dense = R(TrainVariant.Dense); var sparse = R(TrainVariant.Sparse); var exact = R(TrainVariant.Exact);
            string ex = exact.Points < PinnTraining.Batch ? " (extrap.)" : "";
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {d:N0} | {1 / dense.BestPerStep:G3} | {1 / sparse.BestPerStep:G3} | {1 / exact.BestPerStep:G3}{ex} | {1 / R(TrainVariant.ExactHvp).BestPerStep:G3}{ex} | {exact.BestPerStep / dense.BestPerStep:F0}× | {exact.BestPerStep / sparse.BestPerStep:F0}× | {R(TrainVariant.ExactHvp).BestPerStep / sparse.BestPerStep:F0}× | " +
                $"{R(TrainVariant.ExactLaplacianOnly).BestPointsSeconds / R(TrainVariant.ExactLaplacianOnly).Points:G3} | {R(TrainVariant.HvpLaplacianOnly).BestPointsSeconds / R(TrainVariant.HvpLaplacianOnly).Points:G3} |"));
        }
    }

    /// <summary>Rounds and points per d, so that the whole run stays around a quarter of an hour on 2 cores.</summary>
    private static (int StdeRounds, int ExactPoints, int ExactRounds) Plan(int d, bool quick) => (d, quick) switch
    {
        ( <= 100, false) => (5, 100, 2),
        ( <= 100, true) => (3, 10, 2),
        ( <= 1000, false) => (3, 4, 2),
        ( <= 1000, true) => (2, 2, 1),
        (_, false) => (2, 2, 1),
        (_, true) => (1, 1, 1),
    };

    private static void Print(TextWriter log, int d, Row[] rows, long peak, long n)
    {
        log.WriteLine();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"d = {d:N0} ({n:N0} parameters; batch input {Bytes(4L * PinnTraining.Batch * d)}, probes per point {Bytes(4L * PinnTraining.ProbeCount * d)}, θ {Bytes(4 * n)}, Adam moments {Bytes(16 * n)}):"));
        log.WriteLine("| variant | points timed | best s/step (batch 100) | it/s | allocated/step | peak working set after its first step |");
        log.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string pts = r.Points < PinnTraining.Batch ? $"{r.Points} × {r.Rounds} (extrapolated per point)" : $"100 × {r.Rounds}";
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Names[(int)r.Variant]} | {pts} | {r.BestPerStep:G4} | {1 / r.BestPerStep:G3} | {Bytes(r.AllocatedPerStep)} | {Bytes(r.PeakWorkingSet)} |"));
        }
        log.WriteLine($"process peak working set after d = {d:N0}: {Bytes(peak)}");
    }

    private static string Bytes(long b) => b switch
    {
        >= 1L << 30 => $"{b / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{b / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{b / 1024.0:F1} KiB",
        _ => $"{b} B",
    };

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    private static bool Report(TextWriter log, string what, double actual, double expected, double relTol)
    {
        double err = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-6);
        bool pass = double.IsFinite(actual) && err <= relTol;
        log.WriteLine($"  [{(pass ? "ok" : "FAIL")}] {what}: {actual:G7} vs {expected:G7} (rel err {err:E2}, tol {relTol:E0})");
        return pass;
    }
}
