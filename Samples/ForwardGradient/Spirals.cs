using System;
using Dsl;

namespace ForwardGradientSample;

/// <summary>
/// Three interleaved spirals in the plane (one class each), generated from a seed: point t ∈ [0, 1)
/// of arm c lies at radius t and angle 2πc/3 + 3πt (one and a half turns), plus N(0, 0.04²) noise per
/// coordinate.
/// </summary>
public sealed class Spirals
{
    private Spirals(double[] xs, double[] ys, int[] labels)
    {
        Xs = xs;
        Ys = ys;
        Labels = labels;
    }

    /// <summary>Points, 2 per row.</summary>
    public double[] Xs { get; }

    /// <summary>One-hot labels, 3 per row.</summary>
    public double[] Ys { get; }

    public int[] Labels { get; }

    public int Count => Labels.Length;

    public static Spirals Make(int count, Probes rng)
    {
        var xs = new double[count * Mlp.In];
        var ys = new double[count * Mlp.C];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int c = rng.NextInt(Mlp.C);
            double t = rng.NextDouble();
            double angle = 2 * Math.PI * c / Mlp.C + 3 * Math.PI * t;
            xs[n * 2] = t * Math.Cos(angle) + 0.04 * rng.NextGaussian();
            xs[n * 2 + 1] = t * Math.Sin(angle) + 0.04 * rng.NextGaussian();
            ys[n * Mlp.C + c] = 1;
            labels[n] = c;
        }
        return new Spirals(xs, ys, labels);
    }

    /// <summary>A batch drawn uniformly with replacement.</summary>
    public void Batch(Probes rng, Span<double> xs, Span<double> ys)
    {
        int b = xs.Length / Mlp.In;
        for (int i = 0; i < b; i++)
        {
            int n = rng.NextInt(Count);
            Xs.AsSpan(n * Mlp.In, Mlp.In).CopyTo(xs.Slice(i * Mlp.In, Mlp.In));
            Ys.AsSpan(n * Mlp.C, Mlp.C).CopyTo(ys.Slice(i * Mlp.C, Mlp.C));
        }
    }

    /// <summary>The fraction of points whose largest logit is their class.</summary>
    public double Accuracy(ReadOnlySpan<double> theta)
    {
        Span<double> h1 = stackalloc double[Mlp.H], a1 = stackalloc double[Mlp.H], h2 = stackalloc double[Mlp.H];
        Span<double> a2 = stackalloc double[Mlp.H], z = stackalloc double[Mlp.C];
        int right = 0;
        for (int n = 0; n < Count; n++)
        {
            Mlp.Forward(theta, Xs.AsSpan(n * Mlp.In, Mlp.In), h1, a1, h2, a2, z);
            int best = 0;
            for (int c = 1; c < Mlp.C; c++) if (z[c] > z[best]) best = c;
            if (best == Labels[n]) right++;
        }
        return (double)right / Count;
    }
}
