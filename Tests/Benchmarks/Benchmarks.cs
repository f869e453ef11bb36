using System;
using BenchmarkDotNet.Attributes;

namespace Dsl.Benchmarks;

/// <summary>Deterministic inputs shared by the benchmarks and the startup check.</summary>
public sealed class MlpData
{
    public readonly float[] X, Dx, Theta, DTheta;

    public MlpData(int dim, int seed = 12345)
    {
        var rng = new Random(seed);
        float U(double scale) => (float)((rng.NextDouble() * 2 - 1) * scale);
        X = new float[dim];
        Dx = new float[dim];
        Theta = new float[MlpModel.ThetaLength(dim)];
        DTheta = new float[Theta.Length];
        for (int i = 0; i < dim; i++) { X[i] = U(1); Dx[i] = U(1); }
        // Xavier-like scales so the tanh units are not saturated.
        int d = dim, H = MlpModel.H;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H;
        for (int k = 0; k < Theta.Length; k++)
        {
            double scale = k < b1 ? 1.0 / Math.Sqrt(d) : k < w2 ? 0.1 : k < b2 ? 1.0 / Math.Sqrt(H) : k < w3 ? 0.1 : 1.0 / Math.Sqrt(H);
            Theta[k] = U(scale);
            DTheta[k] = U(scale);
        }
    }
}

/// <summary>(a) MLP, float: primal (baseline) vs generated JVPs vs hand-written JVPs.</summary>
[MemoryDiagnoser]
public class MlpBenchmarks
{
    [Params(16, 128)]
    public int Dim;

    private MlpData _data = null!;

    internal MlpData Data => _data;

    [GlobalSetup]
    public void Setup() => _data = new MlpData(Dim);

    [Benchmark(Baseline = true, Description = "Primal")]
    public float Primal() => MlpModel.Mlp(_data.X, _data.Theta);

    [Benchmark(Description = "JVP all (generated)")]
    public float JvpAll()
    {
        var y = MlpModel.MlpJvp(_data.X, _data.Dx, _data.Theta, _data.DTheta, out var dy);
        return y + dy;
    }

    [Benchmark(Description = "JVP x only (generated)")]
    public float JvpX()
    {
        var y = MlpModel.MlpJvpX(_data.X, _data.Dx, _data.Theta, out var dy);
        return y + dy;
    }

    [Benchmark(Description = "JVP all (hand-written)")]
    public float HandJvpAll()
    {
        var y = MlpHand.Jvp(_data.X, _data.Dx, _data.Theta, _data.DTheta, out var dy);
        return y + dy;
    }

    [Benchmark(Description = "JVP x only (hand-written)")]
    public float HandJvpX()
    {
        var y = MlpHand.JvpX(_data.X, _data.Dx, _data.Theta, out var dy);
        return y + dy;
    }

    // Hand-written, restructured so no tangent accumulator is live across MathF.Tanh: shows what the
    // generator could reach by emitting the same shape (see docs/benchmarks.md).
    [Benchmark(Description = "JVP all (hand, tuned)")]
    public float HandJvpAllTuned()
    {
        var y = MlpHand.JvpTuned(_data.X, _data.Dx, _data.Theta, _data.DTheta, out var dy);
        return y + dy;
    }

    [Benchmark(Description = "JVP x only (hand, tuned)")]
    public float HandJvpXTuned()
    {
        var y = MlpHand.JvpXTuned(_data.X, _data.Dx, _data.Theta, out var dy);
        return y + dy;
    }
}

/// <summary>(b) Long scalar expression, double: primal (baseline) vs generated JVP.</summary>
[MemoryDiagnoser]
public class ScalarBenchmarks
{
    // Fields, not constants, so the JIT cannot fold the expression.
    public double A = 0.3, B = -0.7, C = 1.2, D = 0.5;
    public double DA = 1.0, DB = 0.5, DC = -0.25, DD = 0.75;

    [Benchmark(Baseline = true, Description = "Primal")]
    public double Primal() => ScalarModel.Long(A, B, C, D);

    [Benchmark(Description = "JVP (generated)")]
    public double Jvp()
    {
        var y = ScalarModel.LongJvp(A, DA, B, DB, C, DC, D, DD, out var dy);
        return y + dy;
    }

    [Benchmark(Description = "JVP (hand, tuned)")]
    public double JvpTuned()
    {
        var y = ScalarHand.LongJvpTuned(A, DA, B, DB, C, DC, D, DD, out var dy);
        return y + dy;
    }
}
