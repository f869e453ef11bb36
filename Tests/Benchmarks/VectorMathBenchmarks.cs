using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Dsl.Benchmarks;

/// <summary>
/// PortableMathVector (Vector256 lanes; Vector512 for tanh and exp) against the scalar PortableMath loop over the same 4,096 inputs;
/// one category per function and type, the scalar loop as its baseline, so the Ratio column is
/// vector time ÷ scalar time from one run. Run: <c>dotnet run -c Release --project Tests/Benchmarks --
/// --vector-math</c> (docs/portable-math.md, "Vector versions").
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class VectorMathBenchmarks
{
    private const int N = 4096;
    private readonly float[] _tanhF = new float[N], _expF = new float[N], _logF = new float[N], _sinF = new float[N];
    private readonly double[] _tanhD = new double[N], _expD = new double[N], _logD = new double[N], _sinD = new double[N];
    private readonly float[] _outF = new float[N];
    private readonly double[] _outD = new double[N];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(4096);
        for (int i = 0; i < N; i++)
        {
            // Ranges where each function does its usual work: tanh's polynomial and expm1 sides, exp short of
            // float overflow (88.7), log over 12 decades, sin within the exact reduction.
            _tanhD[i] = rng.NextDouble() * 10 - 5;
            _expD[i] = rng.NextDouble() * 160 - 80;
            _logD[i] = Math.Exp(rng.NextDouble() * 28 - 14);
            _sinD[i] = rng.NextDouble() * 200 - 100;
            (_tanhF[i], _expF[i], _logF[i], _sinF[i]) = ((float)_tanhD[i], (float)_expD[i], (float)_logD[i], (float)_sinD[i]);
        }
    }

    private static ReadOnlySpan<Vector256<float>> VF(float[] a) => MemoryMarshal.Cast<float, Vector256<float>>(a);

    private static ReadOnlySpan<Vector256<double>> VD(double[] a) => MemoryMarshal.Cast<double, Vector256<double>>(a);

    private Span<Vector256<float>> OutF => MemoryMarshal.Cast<float, Vector256<float>>(_outF.AsSpan());

    private Span<Vector256<double>> OutD => MemoryMarshal.Cast<double, Vector256<double>>(_outD.AsSpan());

    [Benchmark(Baseline = true), BenchmarkCategory("tanh float")]
    public void TanhFloatScalar()
    {
        for (int i = 0; i < N; i++) _outF[i] = PortableMath.Tanh(_tanhF[i]);
    }

    [Benchmark, BenchmarkCategory("tanh float")]
    public void TanhFloatVector()
    {
        ReadOnlySpan<Vector256<float>> x = VF(_tanhF);
        Span<Vector256<float>> y = OutF;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Tanh(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("exp float")]
    public void ExpFloatScalar()
    {
        for (int i = 0; i < N; i++) _outF[i] = PortableMath.Exp(_expF[i]);
    }

    [Benchmark, BenchmarkCategory("exp float")]
    public void ExpFloatVector()
    {
        ReadOnlySpan<Vector256<float>> x = VF(_expF);
        Span<Vector256<float>> y = OutF;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Exp(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("log float")]
    public void LogFloatScalar()
    {
        for (int i = 0; i < N; i++) _outF[i] = PortableMath.Log(_logF[i]);
    }

    [Benchmark, BenchmarkCategory("log float")]
    public void LogFloatVector()
    {
        ReadOnlySpan<Vector256<float>> x = VF(_logF);
        Span<Vector256<float>> y = OutF;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Log(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("sin float")]
    public void SinFloatScalar()
    {
        for (int i = 0; i < N; i++) _outF[i] = PortableMath.Sin(_sinF[i]);
    }

    [Benchmark, BenchmarkCategory("sin float")]
    public void SinFloatVector()
    {
        ReadOnlySpan<Vector256<float>> x = VF(_sinF);
        Span<Vector256<float>> y = OutF;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Sin(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("tanh double")]
    public void TanhDoubleScalar()
    {
        for (int i = 0; i < N; i++) _outD[i] = PortableMath.Tanh(_tanhD[i]);
    }

    [Benchmark, BenchmarkCategory("tanh double")]
    public void TanhDoubleVector()
    {
        ReadOnlySpan<Vector256<double>> x = VD(_tanhD);
        Span<Vector256<double>> y = OutD;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Tanh(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("exp double")]
    public void ExpDoubleScalar()
    {
        for (int i = 0; i < N; i++) _outD[i] = PortableMath.Exp(_expD[i]);
    }

    [Benchmark, BenchmarkCategory("exp double")]
    public void ExpDoubleVector()
    {
        ReadOnlySpan<Vector256<double>> x = VD(_expD);
        Span<Vector256<double>> y = OutD;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Exp(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("log double")]
    public void LogDoubleScalar()
    {
        for (int i = 0; i < N; i++) _outD[i] = PortableMath.Log(_logD[i]);
    }

    [Benchmark, BenchmarkCategory("log double")]
    public void LogDoubleVector()
    {
        ReadOnlySpan<Vector256<double>> x = VD(_logD);
        Span<Vector256<double>> y = OutD;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Log(x[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("sin double")]
    public void SinDoubleScalar()
    {
        for (int i = 0; i < N; i++) _outD[i] = PortableMath.Sin(_sinD[i]);
    }

    [Benchmark, BenchmarkCategory("sin double")]
    public void SinDoubleVector()
    {
        ReadOnlySpan<Vector256<double>> x = VD(_sinD);
        Span<Vector256<double>> y = OutD;
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector.Sin(x[i]);
    }

    // The same loops on Vector512 (PortableMathVector512), for tanh and exp.
    [Benchmark, BenchmarkCategory("tanh float")]
    public void TanhFloatVector512()
    {
        ReadOnlySpan<Vector512<float>> x = MemoryMarshal.Cast<float, Vector512<float>>(_tanhF.AsSpan());
        Span<Vector512<float>> y = MemoryMarshal.Cast<float, Vector512<float>>(_outF.AsSpan());
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector512.Tanh(x[i]);
    }

    [Benchmark, BenchmarkCategory("exp float")]
    public void ExpFloatVector512()
    {
        ReadOnlySpan<Vector512<float>> x = MemoryMarshal.Cast<float, Vector512<float>>(_expF.AsSpan());
        Span<Vector512<float>> y = MemoryMarshal.Cast<float, Vector512<float>>(_outF.AsSpan());
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector512.Exp(x[i]);
    }

    [Benchmark, BenchmarkCategory("tanh double")]
    public void TanhDoubleVector512()
    {
        ReadOnlySpan<Vector512<double>> x = MemoryMarshal.Cast<double, Vector512<double>>(_tanhD.AsSpan());
        Span<Vector512<double>> y = MemoryMarshal.Cast<double, Vector512<double>>(_outD.AsSpan());
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector512.Tanh(x[i]);
    }

    [Benchmark, BenchmarkCategory("exp double")]
    public void ExpDoubleVector512()
    {
        ReadOnlySpan<Vector512<double>> x = MemoryMarshal.Cast<double, Vector512<double>>(_expD.AsSpan());
        Span<Vector512<double>> y = MemoryMarshal.Cast<double, Vector512<double>>(_outD.AsSpan());
        for (int i = 0; i < x.Length; i++) y[i] = PortableMathVector512.Exp(x[i]);
    }
}
