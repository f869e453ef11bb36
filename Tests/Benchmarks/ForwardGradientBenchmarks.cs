using System;
using BenchmarkDotNet.Attributes;
using ForwardGradientSample;

namespace Dsl.Benchmarks;

/// <summary>
/// One gradient step of Samples/ForwardGradient's MLP (p = 1,251, batch 32, the sample's own
/// generated methods): the backprop gradient (baseline) against the forward-gradient estimate
/// with K = 1, 4 and 16 Gaussian tangents, each K in one vector-mode pass (Lanes = K), the
/// tangents drawn inside the step as training draws them; and the loss alone for scale.
/// Allocated bytes (MemoryDiagnoser) are 0 for all once the tape and scratch pools have grown:
/// the memory that differs is what the pools hold, see docs/benchmarks.md.
/// Run: <c>dotnet run -c Release --project Tests/Benchmarks -- --filter *ForwardGradientStep* --quick</c>.
/// </summary>
[MemoryDiagnoser]
public class ForwardGradientStep
{
    private const int Batch = 32;
    private readonly double[] _theta = new double[Mlp.P];
    private readonly double[] _grad = new double[Mlp.P];
    private readonly double[] _xs, _ys;
    private readonly double[] _t1 = new double[Mlp.P], _t4 = new double[4 * Mlp.P], _t16 = new double[16 * Mlp.P];
    private readonly Probes _rng = new(3);

    public ForwardGradientStep()
    {
        Mlp.Initialize(_theta, new Probes(1));
        var data = Spirals.Make(Batch, new Probes(2));
        _xs = data.Xs;
        _ys = data.Ys;
    }

    [Benchmark]
    public double Loss() => Mlp.Loss(_theta, _xs, _ys);

    [Benchmark(Baseline = true)]
    public double Backprop() => Mlp.LossGradient(_theta, _xs, _ys, _grad);

    [Benchmark]
    public double ForwardGradientK1()
    {
        Tangents.FillGaussian(_rng, _t1);
        return Mlp.LossForwardGradient1(_theta, _xs, _ys, _t1, _grad);
    }

    [Benchmark]
    public double ForwardGradientK4()
    {
        Tangents.FillGaussian(_rng, _t4);
        return Mlp.LossForwardGradient4(_theta, _xs, _ys, _t4, _grad);
    }

    [Benchmark]
    public double ForwardGradientK16()
    {
        Tangents.FillGaussian(_rng, _t16);
        return Mlp.LossForwardGradient16(_theta, _xs, _ys, _t16, _grad);
    }
}
