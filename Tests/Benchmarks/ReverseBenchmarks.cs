using System;
using BenchmarkDotNet.Attributes;

namespace Dsl.Benchmarks;

/// <summary>
/// ADBench GMM, double, N = 1000: the objective (baseline) vs the generated gradient
/// (<c>Wrt = "alphas,means,icf"</c>) vs the hand-written gradient. Ratio = time ÷ objective.
/// The sizes are in the subclasses <see cref="GmmBenchmarks"/> and <see cref="GmmLargeBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public abstract class GmmBenchmarkBase
{
    public const int N = 1000;

    /// <summary>"DxK", e.g. "10x25".</summary>
    public abstract string DxK { get; set; }

    private GmmData _data = null!;
    private double[] _alphasBar = null!, _meansBar = null!, _icfBar = null!;

    internal GmmData Data => _data;

    public static GmmData MakeData(string dxk)
    {
        var parts = dxk.Split('x');
        return new GmmData(N, int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [GlobalSetup]
    public void Setup()
    {
        _data = MakeData(DxK);
        _alphasBar = new double[_data.Alphas.Length];
        _meansBar = new double[_data.Means.Length];
        _icfBar = new double[_data.Icf.Length];
        // Grow the pooled tape once, outside the measurements (the first gradient call allocates it).
        GradientGenerated();
        GradientInlinedTape();
    }

    [Benchmark(Baseline = true, Description = "Objective")]
    public double Objective() => GmmModel.Objective(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC);

    [Benchmark(Description = "Objective (hand, ADBench loops)")]
    public double ObjectiveHand() => GmmHand.Objective(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC);

    [Benchmark(Description = "Gradient (generated)")]
    public double GradientGenerated() =>
        GmmModel.ObjectiveGradient(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);

    [Benchmark(Description = "Gradient (hand-written)")]
    public double GradientHand() =>
        GmmHand.Gradient(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);

    [Benchmark(Description = "Gradient (hand, DSL loop shape)")]
    public double GradientHandRowWise() =>
        GmmHand.GradientRowWise(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);

    // Not [Benchmark]s: the column-major variant of the DSL source, for --interleaved-reverse.
    public double ObjectiveColumnMajor() => GmmColumnMajorModel.Objective(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC);

    public double GradientColumnMajor() =>
        GmmColumnMajorModel.ObjectiveGradient(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);

    public double GradientColumnMajorSketch() =>
        TbrSketchGradients.GmmColumnMajorSketch(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);

    // The generated code with a tape whose Push/Pop the JIT inlines (see InlinedTapeGradients).
    [Benchmark(Description = "Gradient (generated, inlined tape)")]
    public double GradientInlinedTape() =>
        InlinedTapeGradients.GmmGradient(_data.Alphas, _data.Means, _data.Icf, _data.X, _data.Gamma, _data.M, _data.WishartC, _alphasBar, _meansBar, _icfBar);
}

/// <summary>(D, K) ∈ {(2, 5), (10, 25), (20, 50)}.</summary>
public class GmmBenchmarks : GmmBenchmarkBase
{
    [Params("2x5", "10x25", "20x50")]
    public override string DxK { get; set; } = "2x5";
}

/// <summary>The (D, K) = (64, 200) instance, separate because one call takes about a second.</summary>
public class GmmLargeBenchmarks : GmmBenchmarkBase
{
    [Params("64x200")]
    public override string DxK { get; set; } = "64x200";
}

/// <summary>
/// MLP loss over a batch, double: input dim 16, two 128-wide tanh layers, scalar output, batch 32,
/// Σ squared error. Loss (baseline) vs generated gradient (<c>Wrt = "theta"</c>) vs hand-written backprop.
/// </summary>
[MemoryDiagnoser]
public class MlpLossBenchmarks
{
    private MlpLossData _data = null!;
    private double[] _thetaBar = null!;

    internal MlpLossData Data => _data;

    [GlobalSetup]
    public void Setup()
    {
        _data = new MlpLossData(dim: 16, batch: 32);
        _thetaBar = new double[_data.Theta.Length];
        GradientGenerated();
        GradientInlinedTape();
    }

    [Benchmark(Baseline = true, Description = "Loss")]
    public double Loss() => MlpLossModel.Loss(_data.Theta, _data.Xs, _data.Ys);

    [Benchmark(Description = "Gradient (generated)")]
    public double GradientGenerated() => MlpLossModel.LossGradient(_data.Theta, _data.Xs, _data.Ys, _thetaBar);

    [Benchmark(Description = "Gradient (hand-written)")]
    public double GradientHand() => MlpLossHand.Gradient(_data.Theta, _data.Xs, _data.Ys, _thetaBar);

    [Benchmark(Description = "Gradient (generated, inlined tape)")]
    public double GradientInlinedTape() => InlinedTapeGradients.MlpLossGradient(_data.Theta, _data.Xs, _data.Ys, _thetaBar);
}
