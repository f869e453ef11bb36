using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace Dsl.Benchmarks;

/// <summary>The checks, the interleaved timing and the tiering child process of <c>--peers</c>.</summary>
public static partial class PeerBenchmarks
{
    // Double cases: the same bound as CorrectnessCheck's generated-vs-hand-written gradients (relative 1e-9); both sides
    // compute in double, so only summation order differs (N·K·D terms at most 1.3e7 at 64×200: 1.3e7 · 1.1e-16 ≈ 1.4e-9
    // worst case, typical far smaller).
    private const double DoubleTolerance = 1e-9;

    // Float cases: each side is compared with PyTorch in float64 on the same (float) inputs. Bound 1e-3: a float dot product
    // of n terms has relative error up to n·2^-24 (recursive summation), 6e-4 for the d = 10,000 first layer, and the
    // Laplacian's second-order terms pass through three tanh layers; PyTorch's own float32 error is printed alongside.
    private const double FloatTolerance = 1e-3;

    private static bool Compare(TextWriter log, PeerCase c, string dir, PeerProcess py)
    {
        double dslLoss = c.Run();
        var dslGrad = c.Gradient();
        var answer = py.Ask($"load {c.Id} {dir}").Split(' ');
        double torchLoss = Parse(answer[1]);
        var torchGrad = ReadDoubles(Path.Combine(dir, "torch_grad.bin"));
        if (torchGrad.Length != dslGrad.Length) throw new InvalidOperationException($"{c.Id}: gradient lengths differ");
        bool ok;
        if (!c.Float)
        {
            double el = RelDiff(dslLoss, torchLoss), eg = NormRel(dslGrad, torchGrad);
            ok = el <= DoubleTolerance && eg <= DoubleTolerance;
            log.WriteLine($"check {c.Title}: loss {dslLoss:R} vs {torchLoss:R} (rel {el:G2}); gradient (|θ| = {dslGrad.Length:N0}) " +
                $"normwise rel {eg:G2}; bound {DoubleTolerance:G1}: {(ok ? "equal" : "DIFFERENT")}");
            return ok;
        }
        double refLoss = Parse(answer[3]);
        var refGrad = ReadDoubles(Path.Combine(dir, "ref_grad.bin"));
        double dl = RelDiff(dslLoss, refLoss), dg = NormRel(dslGrad, refGrad);
        double tl = RelDiff(torchLoss, refLoss), tg = NormRel(torchGrad, refGrad);
        ok = dl <= FloatTolerance && dg <= FloatTolerance;
        log.WriteLine($"check {c.Title}: against PyTorch float64 on the same inputs (loss {refLoss:G9}): Dsl loss {dl:G2}, " +
            $"gradient {dg:G2}; PyTorch float32 loss {tl:G2}, gradient {tg:G2}; Dsl vs PyTorch float32 gradient " +
            $"{NormRel(dslGrad, torchGrad):G2}; bound {FloatTolerance:G1}: {(ok ? "equal" : "DIFFERENT")}");
        return ok;
    }

    /// <summary>Warm-up on both sides, then rounds alternating which side goes first; each side's best round (ns per call).</summary>
    private static (double Dsl, double Torch) Interleave(PeerCase c, PeerProcess py)
    {
        Warm(c);
        py.Ask($"time {c.Id} {Math.Max(2, c.Calls)}");
        double dsl = double.MaxValue, torch = double.MaxValue;
        for (int r = 0; r < c.Rounds; r++)
        {
            if (r % 2 == 0) dsl = Math.Min(dsl, Time(c));
            torch = Math.Min(torch, Parse(py.Ask($"time {c.Id} {c.Calls}").Split(' ')[1]));
            if (r % 2 == 1) dsl = Math.Min(dsl, Time(c));
        }
        return (dsl, torch);
    }

    // At least 1 s of calls and 3 calls, as the interleaved harness's warm-up passes: enough for the tiered JIT to
    // promote the loops (OSR, then tier 1) when the machine is not overloaded; the tiering check below verifies it.
    private static void Warm(PeerCase c)
    {
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        for (int i = 0; i < 3 || Stopwatch.GetTimestamp() < until; i++) c.Run();
    }

    private static double Time(PeerCase c)
    {
        var t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < c.Calls; i++) c.Run();
        return Stopwatch.GetElapsedTime(t0).TotalNanoseconds / c.Calls;
    }

    /// <summary>The child's mode (<c>--dsl-only</c>): the C# cases alone, best of the same rounds, one line per case.</summary>
    private static int DslOnly(TextWriter log, List<PeerCase> cases)
    {
        foreach (var c in cases)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dsl {c.Id} {DslOnlyBest(c):R}"));
            c.Dispose?.Invoke();
        }
        return 0;
    }

    private static double DslOnlyBest(PeerCase c)
    {
        Warm(c);
        double best = double.MaxValue;
        for (int r = 0; r < c.Rounds; r++) best = Math.Min(best, Time(c));
        return best;
    }

    /// <summary>
    /// Runs this program again with <c>--dsl-only</c>, with <c>DOTNET_TieredCompilation=0</c> when <paramref name="tiered"/> is
    /// false, else with the default; its times by case id. Both children run the C# side alone, so their ratio is not
    /// disturbed by the PyTorch rounds that share the cores in the interleaved run.
    /// </summary>
    private static Dictionary<string, double> ChildTimes(TextWriter log, string[] args, bool tiered)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(PeerBenchmarks).Assembly.Location);
        foreach (var a in args.Append("--dsl-only")) psi.ArgumentList.Add(a);
        if (tiered) psi.Environment.Remove("DOTNET_TieredCompilation");
        else psi.Environment["DOTNET_TieredCompilation"] = "0";
        log.WriteLine($"Timing the C# cases alone in a child process, {(tiered ? "default tiered compilation" : "DOTNET_TieredCompilation=0")} ...");
        using var p = Process.Start(psi)!;
        var times = new Dictionary<string, double>();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null)
        {
            var parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "dsl") times[parts[1]] = Parse(parts[2]);
        }
        p.WaitForExit();
        return times;
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Tests", "Benchmarks", "peers", "peers.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Tests/Benchmarks/peers/peers.py not found above " + AppContext.BaseDirectory);
    }

    private static void Meta(string dir, params (string Key, object Value)[] entries) =>
        File.WriteAllLines(Path.Combine(dir, "meta.txt"),
            entries.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}={(e.Value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : e.Value)}")));

    private static void Write<T>(string dir, string name, T[] values) where T : struct =>
        File.WriteAllBytes(Path.Combine(dir, name + ".bin"), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static double[] ReadDoubles(string path) => MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(path)).ToArray();

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static double RelDiff(double a, double b) => Math.Abs(a - b) / Math.Abs(b);

    private static double NormRel(double[] a, double[] b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.Sqrt(num / den);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Format(double ns) =>
        double.IsNaN(ns) ? "n/a" : ns >= 1e9 ? $"{ns / 1e9:F2} s" : ns >= 1e6 ? $"{ns / 1e6:F1} ms" : $"{ns / 1e3:F0} µs";
}

/// <summary>The PyTorch side could not be started; the message says why and what to install.</summary>
internal sealed class PeerUnavailableException(string message) : Exception(message);

/// <summary>
/// The PyTorch script as a child process (<c>/usr/bin/python3</c>, or <c>PEERS_PYTHON</c>), one command per line; one thread
/// for torch, OpenMP and OpenBLAS.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _p;

    public PeerProcess(string script, TextWriter log)
    {
        var python = Environment.GetEnvironmentVariable("PEERS_PYTHON") ?? "/usr/bin/python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var v in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" }) psi.Environment[v] = "1";
        try
        {
            _p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PeerUnavailableException($"could not start {python} ({e.Message}); set PEERS_PYTHON to a Python 3 with torch and numpy");
        }
        // The script's first line is its banner; none means it ended while starting (a missing module, most often): its
        // error went to the stderr this process shares with it.
        var banner = _p.StandardOutput.ReadLine();
        if (banner is null)
        {
            _p.WaitForExit();
            var code = _p.ExitCode;
            _p.Dispose();
            throw new PeerUnavailableException($"the PyTorch side ({python} {script}) ended with exit code {code} before it " +
                "started (its error is on stderr); it needs torch and numpy: apt-get update && apt-get install -y python3-torch python3-numpy " +
                "libopenblas0-pthread, or PEERS_PYTHON=<a python with both>. --dsl-only times the Dsl side alone.");
        }
        log.WriteLine($"PyTorch side: {python} {script}: {banner}");
    }

    public string Ask(string command)
    {
        _p.StandardInput.WriteLine(command);
        _p.StandardInput.Flush();
        var answer = _p.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch script ended on '{command}'");
        if (answer.StartsWith("error", StringComparison.Ordinal)) throw new InvalidOperationException(answer);
        return answer;
    }

    public void Dispose()
    {
        _p.StandardInput.WriteLine("quit");
        _p.StandardInput.Flush();
        _p.WaitForExit();
        _p.Dispose();
    }
}
