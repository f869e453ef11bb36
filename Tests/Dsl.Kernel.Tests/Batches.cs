using System;

namespace Dsl.Kernel.Tests;

/// <summary>Deterministic inputs for the kernel tests (a fixed seed per buffer).</summary>
internal static class Batches
{
    public static double[] Doubles(int n, int seed, double lo = -1.5, double hi = 1.5)
    {
        var r = new Random(seed);
        var a = new double[n];
        for (var i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextDouble();
        return a;
    }

    public static float[] Floats(int n, int seed, double lo = -1.5, double hi = 1.5) =>
        Array.ConvertAll(Doubles(n, seed, lo, hi), v => (float)v);
}
