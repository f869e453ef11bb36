using System;
using Dsl;
using ForwardGradientSample;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Stde.Tests;

/// <summary>
/// The relative-variance formulas at Samples/ForwardGradient's scale: its MLP (p = 1,251) at its
/// initial parameters on a batch of 32 points, the estimates from its generated methods, against
/// its generated backprop gradient. Same bound as ForwardGradientStatisticsTests: the mean of X =
/// ‖g − ∇f‖²/‖∇f‖² within 4 standard errors of the formula, the standard error from the samples'
/// own spread (seeded: deterministic).
/// </summary>
public class SampleMlpVarianceTests
{
    private readonly ITestOutputHelper _output;
    private readonly double[] _theta = new double[Mlp.P];
    private readonly double[] _grad = new double[Mlp.P];
    private readonly double[] _xs, _ys;
    private readonly double _norm2;

    public SampleMlpVarianceTests(ITestOutputHelper output)
    {
        _output = output;
        Mlp.Initialize(_theta, new Probes(1, 3));
        var data = Spirals.Make(32, new Probes(1, 1));
        _xs = data.Xs;
        _ys = data.Ys;
        Mlp.LossGradient(_theta, _xs, _ys, _grad);
        foreach (var g in _grad) _norm2 += g * g;
    }

    private delegate double Estimator(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        ReadOnlySpan<double> tangents, Span<double> estimate);

    private void Check(string name, int k, int n, bool rademacher, Estimator estimator, double expected)
    {
        var rng = new Probes(77, k);
        var tangents = new double[k * Mlp.P];
        var est = new double[Mlp.P];
        var x = new double[n];
        for (int s = 0; s < n; s++)
        {
            if (rademacher) Tangents.FillRademacher(rng, tangents);
            else Tangents.FillGaussian(rng, tangents);
            estimator(_theta, _xs, _ys, tangents, est);
            double e2 = 0;
            for (int i = 0; i < Mlp.P; i++) e2 += (est[i] - _grad[i]) * (est[i] - _grad[i]);
            x[s] = e2 / _norm2;
        }
        double m = 0, s2 = 0;
        foreach (var v in x) m += v;
        m /= n;
        foreach (var v in x) s2 += (v - m) * (v - m);
        double se = Math.Sqrt(s2 / (n - 1) / n);
        _output.WriteLine($"sample MLP, p = {Mlp.P}, {name}: relative variance {m:F2} (formula {expected:F2}, standard error {se:F2}, " +
            $"z = {(m - expected) / se:F2})");
        Assert.InRange(m, expected - 4 * se, expected + 4 * se);
    }

    [Fact]
    public void OneRademacherTangentHasRelativeVariancePMinus1() =>
        Check("Rademacher, K = 1", 1, 3000, true, Mlp.LossForwardGradient1, Mlp.P - 1);

    [Fact]
    public void SixteenGaussianTangentsHaveRelativeVariancePPlus1Over16() =>
        Check("Gaussian, K = 16", 16, 600, false, Mlp.LossForwardGradient16, (Mlp.P + 1) / 16.0);
}
