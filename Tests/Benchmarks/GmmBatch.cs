using System;
using ILGPU;

namespace Dsl.Benchmarks;

/// <summary>
/// The GMM objective of <see cref="GmmModel"/> split the way a batch is: the per-point term (the log-sum-exp over the
/// components of αₖ + Σ qₖ − ½‖Qₖ(x − μₖ)‖²) as a generated kernel whose gradients the launcher sums over the points (on
/// the CPU 4 points per call in the lanes of a <c>Vector256&lt;double&gt;</c>), plus the terms that do not depend on the
/// points (−n·logsumexp(α), the Wishart prior, the constants) with their own generated gradient. Same value and gradient
/// as <see cref="GmmModel.ObjectiveGradient"/> up to the order of the additions over the points.
/// </summary>
public static partial class GmmBatch
{
    [Differentiable]
    public static double PointTerm(ReadOnlySpan<double> x, ReadOnlySpan<double> alphas, ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf)
    {
        int k = alphas.Length;
        int d = x.Length;
        int icfSize = d * (d + 1) / 2;
        Span<double> mainTerm = stackalloc double[k];
        Span<double> xc = stackalloc double[d];
        for (int ik = 0; ik < k; ik++)
        {
            double sumq = 0;
            for (int id = 0; id < d; id++)
            {
                sumq += icf[ik * icfSize + id];
                xc[id] = x[id] - means[ik * d + id];
            }
            int lbase = ik * icfSize + d;
            double sq = 0;
            for (int j = 0; j < d; j++)
            {
                double y = Math.Exp(icf[ik * icfSize + j]) * xc[j];
                for (int i = 0; i < j; i++) y += icf[lbase + i * (2 * d - i - 1) / 2 + j - i - 1] * xc[i];
                sq += y * y;
            }
            mainTerm[ik] = alphas[ik] + sumq - 0.5 * sq;
        }
        double mx = mainTerm[0];
        for (int ik = 1; ik < k; ik++) mx = Math.Max(mx, mainTerm[ik]);
        double se = 0;
        for (int ik = 0; ik < k; ik++) se += Math.Exp(mainTerm[ik] - mx);
        return Math.Log(se) + mx;
    }

    [Gradient(nameof(PointTerm), Wrt = "alphas, means, icf")]
    public static partial double PointTermGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> alphas, ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf, Span<double> alphasBar, Span<double> meansBar, Span<double> icfBar);

    [Kernel(nameof(PointTermGradient), PerItem = "x", Sum = "alphasBar, meansBar, icfBar, result")]
    public static partial void PointTermGradientBatch(Index1D item, ArrayView<double> x, ArrayView<double> alphas,
        ArrayView<double> means, ArrayView<double> icf, ArrayView<double> alphasBar, ArrayView<double> meansBar,
        ArrayView<double> icfBar, ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow,
        ArrayView<double> scratch, ArrayView<int> scratchNeeded);

    /// <summary>The terms that do not depend on the points, for <paramref name="n"/> points of dimension <paramref name="d"/>.</summary>
    [Differentiable]
    public static double Rest(ReadOnlySpan<double> alphas, ReadOnlySpan<double> icf, int d, int n, double gamma, int m, double wishartC)
    {
        int k = alphas.Length;
        int icfSize = d * (d + 1) / 2;
        double amax = alphas[0];
        for (int ik = 1; ik < k; ik++) amax = Math.Max(amax, alphas[ik]);
        double ase = 0;
        for (int ik = 0; ik < k; ik++) ase += Math.Exp(alphas[ik] - amax);
        double lseAlphas = Math.Log(ase) + amax;
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frob = 0;
            double sumq = 0;
            for (int id = 0; id < d; id++)
            {
                double q = icf[ik * icfSize + id];
                double e = Math.Exp(q);
                frob += e * e;
                sumq += q;
            }
            for (int il = d; il < icfSize; il++)
            {
                double l = icf[ik * icfSize + il];
                frob += l * l;
            }
            prior += 0.5 * gamma * gamma * frob - m * sumq;
        }
        double constant = -0.5 * n * d * Math.Log(2 * Math.PI);
        return constant - n * lseAlphas + prior - k * wishartC;
    }

    [Gradient(nameof(Rest), Wrt = "alphas, icf")]
    public static partial double RestGradient(ReadOnlySpan<double> alphas, ReadOnlySpan<double> icf, int d, int n, double gamma, int m,
        double wishartC, Span<double> alphasBar, Span<double> icfBar);

    /// <summary>The objective and its gradient (written into the three spans): the launcher's sums plus the rest.</summary>
    public static double ObjectiveGradient(PointTermGradientBatchLauncher launcher, GmmData data, double[] alphasBar, double[] meansBar,
        double[] icfBar, double[] restAlphasBar, double[] restIcfBar)
    {
        double points = launcher.Run(data.N, data.X, data.Alphas, data.Means, data.Icf, alphasBar, meansBar, icfBar);
        double rest = RestGradient(data.Alphas, data.Icf, data.D, data.N, data.Gamma, data.M, data.WishartC, restAlphasBar, restIcfBar);
        for (int i = 0; i < alphasBar.Length; i++) alphasBar[i] += restAlphasBar[i];
        for (int i = 0; i < icfBar.Length; i++) icfBar[i] += restIcfBar[i];
        return points + rest;
    }
}
