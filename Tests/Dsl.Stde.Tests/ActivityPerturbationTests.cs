using System;
using Dsl;
using Xunit;
using D = Dsl.Stde.Tests.DenseLayerModels;

namespace Dsl.Stde.Tests;

/// <summary>
/// Activity perturbation rests on ∂L/∂W = ∂L/∂h ⊗ x and ∂L/∂b = ∂L/∂h for h = W x + b: with the
/// exact ∂L/∂h, <see cref="Tangents.AddOuterProduct"/> must give the generated reverse-mode weight
/// gradient; with a forward-gradient estimate of ∂L/∂h it gives an estimate that is linear in it,
/// hence unbiased with it. Also the runtime's small pieces (cosine, Sgd) against their definitions.
/// </summary>
public class ActivityPerturbationTests
{
    private static readonly double[] X = { 0.5, -1.2, 2.0 };

    private static (double[] W, double[] B, double[] H) Layer()
    {
        var w = new double[D.N * D.M];
        var b = new double[D.N];
        new Probes(9).FillGaussian(w);
        new Probes(10).FillGaussian(b);
        var h = new double[D.N];
        for (int j = 0; j < D.N; j++)
        {
            double s = b[j];
            for (int i = 0; i < D.M; i++) s += w[j * D.M + i] * X[i];
            h[j] = s;
        }
        return (w, b, h);
    }

    [Fact]
    public void OuterProductOfTheExactActivityGradientIsTheWeightGradient()
    {
        var (w, b, h) = Layer();
        var hBar = new double[D.N];
        D.ActivityLossGradient(h, hBar);
        var gw = new double[D.N * D.M];
        var gb = new double[D.N];
        Tangents.AddOuterProduct(hBar, X, gw, gb);
        var wBar = new double[D.N * D.M];
        var bBar = new double[D.N];
        D.LayerLossGradient(w, b, X, wBar, bBar);
        // Both compute each entry as one product ∂L/∂h_j · x_i of the same two numbers: equal to the bit.
        Assert.Equal(wBar, gw);
        Assert.Equal(bBar, gb);
    }

    [Fact]
    public void OuterProductOfAnActivityEstimateIsTheOuterProductOfItsPieces()
    {
        // Linearity: the weight estimate from K tangents on h is the mean of the K one-tangent weight estimates,
        // so E[weight estimate] = ∂L/∂h ⊗ x whenever the activity estimate is unbiased (tested for the estimator
        // itself in ForwardGradientStatisticsTests). Checked here on the generated estimator to rounding: each side
        // is a K-term sum of terms at most T = max|c_t v_t,j / K| · max|x_i| in size, rounded within γ_{K+2} ≈ (K+2)u
        // of Σ|terms| ≤ K·T (Higham), so the sides differ by at most 2(K+2)u·K·T.
        var (_, _, h) = Layer();
        const int k = 4;
        var tangents = new double[k * D.N];
        new Probes(12).FillGaussian(tangents);
        var est = new double[D.N];
        D.ActivityLossForwardGradient(h, tangents, est);
        var all = new double[D.N * D.M];
        Tangents.AddOuterProduct(est, X, all, Span<double>.Empty);
        var sum = new double[D.N * D.M];
        var one = new double[D.N];
        double scale = 0;
        for (int t = 0; t < k; t++)
        {
            D.ActivityLossForwardGradient(h, tangents.AsSpan(t * D.N, D.N), one);
            for (int j = 0; j < D.N; j++) one[j] /= k;
            Tangents.AddOuterProduct(one, X, sum, Span<double>.Empty);
            foreach (var v in one) scale = Math.Max(scale, Math.Abs(v));
        }
        double bound = 2 * (k + 2) * Math.Pow(2, -53) * k * scale * 2.0; // max|x_i| = 2
        for (int i = 0; i < all.Length; i++) Assert.InRange(all[i] - sum[i], -bound, bound);
    }

    [Fact]
    public void CosineAndSgdFollowTheirDefinitions()
    {
        Assert.Equal(1.0, Tangents.CosineSimilarity(new[] { 1.0, 2.0 }, new[] { 2.0, 4.0 }), 15);
        Assert.Equal(0.0, Tangents.CosineSimilarity(new[] { 1.0, 0.0 }, new[] { 0.0, 3.0 }));
        Assert.Equal(0.0, Tangents.CosineSimilarity(new[] { 0.0, 0.0 }, new[] { 1.0, 3.0 }));
        var p = new[] { 1.0, -2.0 };
        new Sgd(0.5).Step(p, new[] { 2.0, 4.0 });
        Assert.Equal(new[] { 0.0, -4.0 }, p);
        Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(p, new double[3]));
        Assert.Throws<ArgumentException>(() => Tangents.FillOrthonormal(new Probes(1), new double[3 * 2], 2));
    }
}
