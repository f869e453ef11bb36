using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Dsl;
using Dsl.Kernel.Tests;

namespace GpuCheck;

/// <summary>
/// One kernel of the test models run through its generated launcher: the lengths of the Run arguments (total
/// lengths, by parameter name), the scalar arguments, and the input range of each buffer.
/// </summary>
internal sealed record Case(string Name, Type Launcher, int Count, Dictionary<string, int> Lengths, Dictionary<string, object> Scalars,
    Dictionary<string, (double Lo, double Hi)>? Ranges = null, Func<string, int, Array?>? Custom = null);

/// <summary>
/// The comparison of every kernel of the kernel tests on an accelerator with the CPU path (the generated C#).
/// </summary>
/// <remarks>
/// What may differ: ptxas contracts a·b + c into one fused multiply-add (ILGPU emits mul and add without a rounding
/// mode), which changes one rounding by at most half an ulp of the product, and the kernels' transcendental functions
/// are <c>Dsl.PortableMath</c>'s (≤ 1 ulp measured) where the CPU method calls System.Math (≤ 1 ulp). Both act like
/// perturbations of intermediate values by about one ulp. The bound for each case is therefore measured, not picked:
/// the CPU path is run again with every input moved by one ulp (a random sign per element), the largest relative
/// change of any output is S, and the accelerator must agree with the CPU within 4·S + 4ε (ε of the output type):
/// four one-ulp-sized perturbations along the way, and a floor for outputs that one-ulp input moves do not change.
/// </remarks>
internal static class Cases
{
    private const int N = 37;

    public static List<Case> All()
    {
        static Dictionary<string, int> L(params (string, int)[] a) => a.ToDictionary(p => p.Item1, p => p.Item2);
        static Dictionary<string, object> S(params (string, object)[] a) => a.ToDictionary(p => p.Item1, p => p.Item2);
        var weights = new Dictionary<string, (double, double)> { ["w"] = (0.1, 2.0) };
        var list = new List<Case>
        {
            new("Quadratic.EnergyKernel (primal)", typeof(Quadratic.EnergyKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("result", N)), S(("s", 0.7)), weights),
            new("Quadratic.EnergyJvpKernel (forward)", typeof(Quadratic.EnergyJvpKernelLauncher), N,
                L(("x", N * 5), ("dx", N * 5), ("w", 5), ("dResult", N), ("result", N)), S(("s", 0.7)), weights),
            new("Quadratic.EnergyJvpBatch (per-item s, summed tangent)", typeof(Quadratic.EnergyJvpBatchLauncher), N,
                L(("x", N * 5), ("dx", N * 5), ("w", 5), ("s", N), ("result", N)), S(),
                new() { ["w"] = (0.1, 2.0), ["s"] = (0.2, 1.2) }),
            new("Poly.PKernel (float primal, local memory)", typeof(Poly.PKernelLauncher), N,
                L(("x", N * 3), ("result", N)), S(("c", 0.6f))),
            new("Poly.PTaylorKernel (float Taylor order 2)", typeof(Poly.PTaylorKernelLauncher), N,
                L(("x", N * 3), ("cJet", 2), ("y", N * 3)), S(("c", 0.6f))),
            new("Smooth.ActKernel (tanh, exp, pow, atan2)", typeof(Smooth.ActKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("result", N)), S(), weights),
            new("Smooth.ActJvpKernel (their forward mode)", typeof(Smooth.ActJvpKernelLauncher), N,
                L(("x", N * 5), ("dx", N * 5), ("w", 5), ("dResult", N), ("result", N)), S(), weights),
            new("Steps.QKernel (round, truncate, sign, clamp)", typeof(Steps.QKernelLauncher), N,
                L(("x", N * 5), ("result", N)), S()),
            new("Rad.RGradientKernel (reverse, tape)", typeof(Rad.RGradientKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("xBar", N * 5), ("result", N)), S(), weights),
            new("Rad.RGradientSum (reverse, summed)", typeof(Rad.RGradientSumLauncher), N,
                L(("x", N * 5), ("w", N * 5), ("xBar", 5)), S(), weights),
            new("Layer.LGradientKernel (reverse, tanh)", typeof(Layer.LGradientKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("xBar", N * 5), ("result", N)), S(), weights),
            new("FRad.FGradientKernel (float reverse, branch)", typeof(FRad.FGradientKernelLauncher), N,
                L(("x", N * 5), ("xBar", N * 5), ("result", N)), S(("c", 0.4f))),
            new("Jets.QTaylorKernel (Taylor order 3 along a span, scratch)", typeof(Jets.QTaylorKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("xJet", N * 15), ("y", N * 4)), S(), weights),
            new("Jets.QLapKernel (exact Laplacian)", typeof(Jets.QLapKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("result", N)), S(), weights),
            new("Jets.QLapDenseKernel (dense STDE Laplacian)", typeof(Jets.QLapDenseKernelLauncher), N,
                L(("x", N * 5), ("w", 5), ("probes", 30), ("result", N)), S(), weights),
            new("Jets.AccKernel (scratch accumulation)", typeof(Jets.AccKernelLauncher), N,
                L(("x", N * 5), ("result", N)), S()),
            new("Jets.RunVjpKernel (VJP with span outputs)", typeof(Jets.RunVjpKernelLauncher), N,
                L(("x", N * 5), ("y", N * 5), ("yBar", N * 5), ("xBar", N * 5)), S()),
            new("FJets.GKernel (float, stackalloc)", typeof(FJets.GKernelLauncher), N,
                L(("x", N * 5), ("result", N)), S(("c", 0.3f))),
            new("FJets.GTaylorKernel (float Taylor order 2 along a span)", typeof(FJets.GTaylorKernelLauncher), N,
                L(("x", N * 5), ("xJet", N * 10), ("y", N * 3)), S(("c", 0.3f))),
        };
        list.Add(Pinn("PinnAlg.LossSparseGradBatch (PINN gradient, algebraic sigmoid)", typeof(PinnAlg.LossSparseGradBatchLauncher)));
        list.Add(Pinn("Pinn.Model.LossSparseGradBatch (the sample's PINN gradient, tanh)", typeof(Pinn.Model.LossSparseGradBatchLauncher)));
        return list;
    }

    /// <summary>The PINN gradient at the paper's width on a small batch: d = 100, width 128, 16 sparse probes, 20 points.</summary>
    private static Case Pinn(string name, Type launcher)
    {
        const int n = 20, d = 100, width = 128, v = 16;
        var p = global::Pinn.Model.ParameterCount(d, width);
        Array? Custom(string param, int seed)
        {
            if (param != "probes") return null;
            var probes = new float[n * v * d];
            var rng = new Probes(seed);
            for (var i = 0; i < n; i++) rng.FillSparseCoordinates(probes.AsSpan(i * v * d, v * d), d, v);
            return probes;
        }
        return new Case(name, launcher, n, new() { ["x"] = n * d, ["theta"] = p, ["probes"] = n * v * d, ["f"] = n, ["thetaBar"] = p },
            new() { ["width"] = width, ["pde"] = 0 }, new() { ["x"] = (-0.1, 0.1), ["theta"] = (-0.1, 0.1) }, Custom);
    }

    /// <summary>Runs <paramref name="c"/> on <paramref name="device"/> with inputs from <paramref name="seed"/>,
    /// every input moved by one ulp when <paramref name="nudge"/>; returns every output, flattened, in double.</summary>
    public static double[] Run(Case c, KernelDevice device, int seed, bool nudge, out bool single)
    {
        using var launcher = (KernelLauncher)Activator.CreateInstance(c.Launcher, device)!;
        var run = c.Launcher.GetMethod("Run")!;
        var ps = run.GetParameters();
        var args = new object?[ps.Length];
        var outputs = new List<Func<IEnumerable<double>>>();
        var rng = new Random(seed);
        var nudger = new Random(seed + 1000);
        single = false;
        for (var k = 0; k < ps.Length; k++)
        {
            var p = ps[k];
            var t = p.ParameterType;
            if (k == 0) { args[0] = c.Count; continue; }
            if (p.IsOut)
            {
                var i = k;
                outputs.Add(() => new[] { Convert.ToDouble(args[i]) });
                continue;
            }
            if (c.Scalars.TryGetValue(p.Name!, out var value)) { args[k] = value; continue; }
            var elem = t.GetGenericArguments().FirstOrDefault();
            if (elem == typeof(float)) single = true;
            var length = c.Lengths.TryGetValue(p.Name!, out var l) ? l
                : throw new InvalidOperationException($"{c.Name}: no length for '{p.Name}'");
            var (lo, hi) = c.Ranges is not null && c.Ranges.TryGetValue(p.Name!, out var r) ? r : (-1.5, 1.5);
            var data = c.Custom?.Invoke(p.Name!, seed) ?? Fill(elem!, length, lo, hi, rng);
            if (nudge && t.Name.StartsWith("ReadOnlyMemory", StringComparison.Ordinal) && c.Custom?.Invoke(p.Name!, seed) is null)
                Nudge(data, nudger);
            args[k] = elem == typeof(float) ? Mem((float[])data, t) : Mem((double[])data, t);
            if (t.Name.StartsWith("Memory", StringComparison.Ordinal))
            {
                var arr = data;
                outputs.Add(() => arr is float[] fa ? fa.Select(v => (double)v) : ((double[])arr).AsEnumerable());
            }
        }
        var ret = run.Invoke(launcher, args);
        var all = new List<double>();
        if (run.ReturnType != typeof(void)) all.Add(Convert.ToDouble(ret));
        foreach (var o in outputs) all.AddRange(o());
        if (run.ReturnType == typeof(float)) single = true;
        return all.ToArray();
    }

    private static Array Fill(Type elem, int length, double lo, double hi, Random rng)
    {
        if (elem == typeof(float))
        {
            var a = new float[length];
            for (var i = 0; i < length; i++) a[i] = (float)(lo + (hi - lo) * rng.NextDouble());
            return a;
        }
        var b = new double[length];
        for (var i = 0; i < length; i++) b[i] = lo + (hi - lo) * rng.NextDouble();
        return b;
    }

    private static void Nudge(Array data, Random rng)
    {
        if (data is float[] f)
            for (var i = 0; i < f.Length; i++) f[i] = rng.Next(2) == 0 ? MathF.BitIncrement(f[i]) : MathF.BitDecrement(f[i]);
        else if (data is double[] d)
            for (var i = 0; i < d.Length; i++) d[i] = rng.Next(2) == 0 ? Math.BitIncrement(d[i]) : Math.BitDecrement(d[i]);
    }

    private static object Mem<T>(T[] data, Type t) =>
        t.Name.StartsWith("ReadOnlyMemory", StringComparison.Ordinal) ? (object)new ReadOnlyMemory<T>(data) : new Memory<T>(data);

    /// <summary>The normwise relative difference max |a − b| / max |a| of two output vectors (NaN where only one is NaN: ∞).</summary>
    public static double MaxRelative(double[] a, double[] b)
    {
        double diff = 0, scale = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) != double.IsNaN(b[i])) return double.PositiveInfinity;
            if (double.IsNaN(a[i])) continue;
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(a[i]));
        }
        return diff == 0 ? 0 : diff / Math.Max(scale, double.Epsilon);
    }
}
