using System;
using Dsl.Benchmarks;
using Xunit;
using static Dsl.Reverse.Tests.Numeric;

namespace Dsl.Reverse.Tests;

/// <summary>
/// The benchmark models (linked from Tests/Benchmarks) at small sizes: generated gradients vs the
/// hand-written gradients (norm-wise 1e-9) and vs MathNet finite differences on every coordinate
/// (tolerance in <see cref="Numeric"/>).
/// </summary>
public class BenchmarkModelTests
{
    [Theory]
    [InlineData(10, 3, 4, 1.0, 0)]
    [InlineData(10, 1, 3, 1.0, 0)]     // D = 1: no off-diagonal entries
    [InlineData(7, 5, 2, 0.7, 2)]      // γ ≠ 1 and m ≠ 0 exercise the whole Wishart prior
    [InlineData(1, 2, 1, 1.3, 1)]      // one point, one component
    public void GmmGeneratedMatchesHandWrittenAndFiniteDifferences(int n, int d, int k, double gamma, int m)
    {
        var g = new GmmData(n, d, k, seed: 100 + n * d * k, gamma: gamma, m: m);
        int icfSize = d * (d + 1) / 2;
        var aG = new double[k]; var mG = new double[k * d]; var iG = new double[k * icfSize];
        var aH = new double[k]; var mH = new double[k * d]; var iH = new double[k * icfSize];
        double f = g.Objective();
        double vG = GmmModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aG, mG, iG);
        double vH = GmmHand.Gradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aH, mH, iH);
        Assert.Equal(f, vG);
        Assert.Equal(f, vH, 1e-12 * Math.Abs(f));
        Assert.Equal(f, GmmHand.Objective(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC), 1e-12 * Math.Abs(f));
        var generated = Concat(aG, mG, iG);
        AssertNormwise(generated, Concat(aH, mH, iH), 1e-9, "generated vs hand-written");

        // The other hand-written variant and the column-major DSL source give the same gradient.
        var aR = new double[k]; var mR = new double[k * d]; var iR = new double[k * icfSize];
        GmmHand.GradientRowWise(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aR, mR, iR);
        AssertNormwise(Concat(aR, mR, iR), generated, 1e-9, "hand-written (DSL loop shape) vs generated");
        GmmColumnMajorModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aR, mR, iR);
        AssertNormwise(Concat(aR, mR, iR), generated, 1e-9, "generated from the column-major source vs generated");

        double F(double[] v) => GmmModel.Objective(v.AsSpan(0, k), v.AsSpan(k, k * d), v.AsSpan(k + k * d), g.X, g.Gamma, g.M, g.WishartC);
        var fd = FiniteDifferenceGradient(F, Concat(g.Alphas, g.Means, g.Icf));
        AssertGradient(generated, fd, f, DoubleTolerance, "GMM gradient vs finite differences");
    }

    [Fact]
    public void GmmHasTheAdBenchValueForAKnownCase()
    {
        // One point, one component, D = 1: E = −½log 2π + (α + q − ½(e^q (x − μ))²) − α
        //                                      + ½γ²e^{2q} − m q − C.
        double alpha = 0.3, mu = 0.2, q = -0.4, x = 1.1, gamma = 1.5;
        int m = 1;
        double c = GmmConstants.WishartConstant(1, gamma, m);
        double y = Math.Exp(q) * (x - mu);
        double expected = -0.5 * Math.Log(2 * Math.PI) + (alpha + q - 0.5 * y * y) - alpha
            + 0.5 * gamma * gamma * Math.Exp(2 * q) - m * q - c;
        Assert.Equal(expected, GmmModel.Objective([alpha], [mu], [q], [x], gamma, m, c), 14);
        // C for p = 1, n = 3: 3(log γ − ½ log 2) − log Γ(3/2), Γ(3/2) = √π / 2.
        Assert.Equal(3 * (Math.Log(gamma) - 0.5 * Math.Log(2)) - Math.Log(Math.Sqrt(Math.PI) / 2), c, 14);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(16, 2)]
    public void MlpLossGeneratedMatchesHandWritten(int dim, int batch)
    {
        var data = new MlpLossData(dim, batch, seed: 7 + dim);
        var gG = new double[data.Theta.Length];
        var gH = new double[data.Theta.Length];
        double vG = MlpLossModel.LossGradient(data.Theta, data.Xs, data.Ys, gG);
        double vH = MlpLossHand.Gradient(data.Theta, data.Xs, data.Ys, gH);
        Assert.Equal(data.Loss(), vG);
        Assert.Equal(vG, vH, 1e-12 * Math.Abs(vG));
        AssertNormwise(gG, gH, 1e-9, "generated vs hand-written");
    }

    [Fact]
    public void MlpLossMatchesFiniteDifferences()
    {
        const int dim = 3, batch = 4, H = MlpLossModel.H;
        var data = new MlpLossData(dim, batch, seed: 21);
        var grad = new double[data.Theta.Length];
        double f = MlpLossModel.LossGradient(data.Theta, data.Xs, data.Ys, grad);
        // 19 k parameters: every group's first and last entries, plus a spread of W2 entries.
        int b1 = H * dim, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        var idx = new System.Collections.Generic.List<int> { 0, b1 - 1, b1, w2 - 1, w2, b2 - 1, b2, w3 - 1, w3, b3 - 1, b3 };
        for (int t = 0; t < 40; t++) idx.Add(w2 + (t * 4099) % (H * H));
        var at = idx.ToArray();
        double F(double[] v) => MlpLossModel.Loss(v, data.Xs, data.Ys);
        var fd = FiniteDifferencePartials(F, data.Theta, at);
        var picked = Array.ConvertAll(at, i => grad[i]);
        AssertGradient(picked, fd, f, DoubleTolerance, "MLP loss gradient vs finite differences");
    }

    [Fact]
    public void GradientCallsDoNotAllocateOnceTheTapeHasGrown()
    {
        var g = new GmmData(20, 3, 4);
        var a = new double[g.K]; var mu = new double[g.K * g.D]; var ic = new double[g.Icf.Length];
        var data = new MlpLossData(4, 3);
        var t = new double[data.Theta.Length];
        GmmModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, a, mu, ic);
        MlpLossModel.LossGradient(data.Theta, data.Xs, data.Ys, t);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < 3; r++)
        {
            GmmModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, a, mu, ic);
            MlpLossModel.LossGradient(data.Theta, data.Xs, data.Ys, t);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
