using System;

namespace Dsl.Benchmarks;

/// <summary>
/// Hand-written references for <see cref="GmmModel"/>: the objective written as ADBench's C++
/// (<c>Qtimesx</c> walks the packed lower triangle column by column), and a reverse-mode gradient
/// derived by hand. Plain C#, no tape: the reverse sweep of each data point runs right after its
/// forward sweep, so only the per-point values (x − μ_k and Q_k(x − μ_k) for every k) are kept.
/// </summary>
/// <remarks>
/// Derivation. Write β_nk = α_k + Σ_d q_kd − ½‖y_nk‖² with y_nk = Q_k(x_n − μ_k), and
/// w_nk = exp(β_nk − logsumexp_k β_nk) (the softmax over components). Then
/// <list type="bullet">
/// <item>∂E/∂α_k = Σ_n w_nk − N·softmax(α)_k;</item>
/// <item>∂E/∂Q_k[j][i] = −Σ_n w_nk y_nk,j (x_n − μ_k)_i for i ≤ j (the adjoint of y is −w·y);</item>
/// <item>∂E/∂q_kd = Σ_n w_nk + exp(q_kd)·∂E/∂Q_k[d][d] + γ²exp(2q_kd) − m;</item>
/// <item>∂E/∂l = ∂E/∂Q_k[j][i] + γ² l for the entry l = Q_k[j][i], i &lt; j;</item>
/// <item>∂E/∂μ_k = Σ_n w_nk Q_kᵀ y_nk (x − μ enters with a minus sign, ½‖y‖² with one).</item>
/// </list>
/// </remarks>
public static class GmmHand
{
    /// <summary>The objective, as ADBench's <c>gmm_objective</c> (same value as <see cref="GmmModel.Objective"/> up to rounding).</summary>
    public static double Objective(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC)
    {
        int k = alphas.Length, d = means.Length / k, n = x.Length / d, icfSize = d * (d + 1) / 2;
        Span<double> qdiag = stackalloc double[k * d];
        Span<double> sumq = stackalloc double[k];
        Span<double> xc = stackalloc double[d];
        Span<double> qx = stackalloc double[d];
        Span<double> mainTerm = stackalloc double[k];
        Preprocess(icf, k, d, qdiag, sumq);
        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            var xi = x.Slice(ix * d, d);
            for (int ik = 0; ik < k; ik++)
            {
                var mu = means.Slice(ik * d, d);
                for (int id = 0; id < d; id++) xc[id] = xi[id] - mu[id];
                QTimesX(qdiag.Slice(ik * d, d), icf.Slice(ik * icfSize + d, icfSize - d), xc, qx);
                double sq = 0;
                for (int id = 0; id < d; id++) sq += qx[id] * qx[id];
                mainTerm[ik] = alphas[ik] + sumq[ik] - 0.5 * sq;
            }
            slse += LogSumExp(mainTerm);
        }
        return -0.5 * n * d * Math.Log(2 * Math.PI) + slse - n * LogSumExp(alphas)
            + Prior(icf, k, d, qdiag, sumq, gamma, m) - k * wishartC;
    }

    /// <summary>Hand-written reverse-mode gradient; the adjoint spans are overwritten. Returns the objective.</summary>
    public static double Gradient(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC,
        Span<double> alphasBar, Span<double> meansBar, Span<double> icfBar)
    {
        int k = alphas.Length, d = means.Length / k, n = x.Length / d, icfSize = d * (d + 1) / 2;
        if (alphasBar.Length != k || meansBar.Length != k * d || icfBar.Length != k * icfSize)
            throw new ArgumentException("adjoint lengths do not match the parameters");
        Span<double> qdiag = stackalloc double[k * d];
        Span<double> sumq = stackalloc double[k];
        Span<double> xc = stackalloc double[k * d];     // x_n − μ_k, all k, current point
        Span<double> qx = stackalloc double[k * d];     // y_nk = Q_k(x_n − μ_k), all k, current point
        Span<double> mainTerm = stackalloc double[k];
        Span<double> ybar = stackalloc double[d];
        Span<double> xcBar = stackalloc double[d];
        Span<double> diagBar = stackalloc double[k * d];  // Σ_n ∂E/∂Q_k[d][d]
        Span<double> wsum = stackalloc double[k];         // Σ_n w_nk
        diagBar.Clear();
        wsum.Clear();
        meansBar.Clear();
        icfBar.Clear();
        Preprocess(icf, k, d, qdiag, sumq);

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            var xi = x.Slice(ix * d, d);
            // Forward sweep for this point.
            for (int ik = 0; ik < k; ik++)
            {
                var mu = means.Slice(ik * d, d);
                var xck = xc.Slice(ik * d, d);
                var yk = qx.Slice(ik * d, d);
                for (int id = 0; id < d; id++) xck[id] = xi[id] - mu[id];
                QTimesX(qdiag.Slice(ik * d, d), icf.Slice(ik * icfSize + d, icfSize - d), xck, yk);
                double sq = 0;
                for (int id = 0; id < d; id++) sq += yk[id] * yk[id];
                mainTerm[ik] = alphas[ik] + sumq[ik] - 0.5 * sq;
            }
            double lse = LogSumExp(mainTerm);
            slse += lse;
            // Reverse sweep for this point: ∂lse/∂β_k = w_k; ∂β_k/∂y = −y.
            for (int ik = 0; ik < k; ik++)
            {
                double w = Math.Exp(mainTerm[ik] - lse);
                wsum[ik] += w;
                var xck = xc.Slice(ik * d, d);
                var yk = qx.Slice(ik * d, d);
                var qd = qdiag.Slice(ik * d, d);
                var l = icf.Slice(ik * icfSize + d, icfSize - d);
                var lBar = icfBar.Slice(ik * icfSize + d, icfSize - d);
                var dBar = diagBar.Slice(ik * d, d);
                for (int j = 0; j < d; j++)
                {
                    double yb = -w * yk[j];
                    ybar[j] = yb;
                    dBar[j] += yb * xck[j];
                    xcBar[j] = yb * qd[j];
                }
                // Transpose of QTimesX's strictly-lower part, column by column.
                int lidx = 0;
                for (int i = 0; i < d; i++)
                {
                    double xci = xck[i];
                    double acc = xcBar[i];
                    for (int j = i + 1; j < d; j++)
                    {
                        lBar[lidx] += ybar[j] * xci;
                        acc += l[lidx] * ybar[j];
                        lidx++;
                    }
                    xcBar[i] = acc;
                }
                var muBar = meansBar.Slice(ik * d, d);
                for (int id = 0; id < d; id++) muBar[id] -= xcBar[id];
            }
        }

        // α: the data term's Σ_n w_nk, and −N·softmax(α) from −N·logsumexp(α).
        double lseAlphas = LogSumExp(alphas);
        for (int ik = 0; ik < k; ik++) alphasBar[ik] = wsum[ik] - n * Math.Exp(alphas[ik] - lseAlphas);

        // q through Σq (data term and −m Σq), through exp(q) (data term and ½γ²‖exp q‖²); l through ½γ²‖l‖².
        double g2 = gamma * gamma;
        for (int ik = 0; ik < k; ik++)
        {
            for (int id = 0; id < d; id++)
            {
                double e = qdiag[ik * d + id];
                icfBar[ik * icfSize + id] = wsum[ik] + diagBar[ik * d + id] * e + g2 * e * e - m;
            }
            for (int il = d; il < icfSize; il++) icfBar[ik * icfSize + il] += g2 * icf[ik * icfSize + il];
        }

        return -0.5 * n * d * Math.Log(2 * Math.PI) + slse - n * lseAlphas
            + Prior(icf, k, d, qdiag, sumq, gamma, m) - k * wishartC;
    }

    /// <summary>
    /// The same gradient with the loop shape of the DSL source (<see cref="GmmModel.Objective"/>): Q(x − μ)
    /// row by row with a scalar accumulator and the closed-form packed index, and its transpose row by
    /// row in the reverse sweep (what the generated code does, minus the tape: the reverse sweep of a
    /// point runs right after its forward sweep). Separates the cost of the loop shape from the cost of
    /// the generated code.
    /// </summary>
    public static double GradientRowWise(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC,
        Span<double> alphasBar, Span<double> meansBar, Span<double> icfBar)
    {
        int k = alphas.Length, d = means.Length / k, n = x.Length / d, icfSize = d * (d + 1) / 2;
        if (alphasBar.Length != k || meansBar.Length != k * d || icfBar.Length != k * icfSize)
            throw new ArgumentException("adjoint lengths do not match the parameters");
        Span<double> qdiag = stackalloc double[k * d];
        Span<double> sumq = stackalloc double[k];
        Span<double> xc = stackalloc double[k * d];
        Span<double> qx = stackalloc double[k * d];
        Span<double> mainTerm = stackalloc double[k];
        Span<double> xcBar = stackalloc double[d];
        Span<double> diagBar = stackalloc double[k * d];
        Span<double> wsum = stackalloc double[k];
        diagBar.Clear();
        wsum.Clear();
        meansBar.Clear();
        icfBar.Clear();
        Preprocess(icf, k, d, qdiag, sumq);

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                for (int id = 0; id < d; id++) xc[ik * d + id] = x[ix * d + id] - means[ik * d + id];
                int lbase = ik * icfSize + d;
                double sq = 0;
                for (int j = 0; j < d; j++)
                {
                    double y = qdiag[ik * d + j] * xc[ik * d + j];
                    for (int i = 0; i < j; i++) y += icf[lbase + i * (2 * d - i - 1) / 2 + j - i - 1] * xc[ik * d + i];
                    qx[ik * d + j] = y;
                    sq += y * y;
                }
                mainTerm[ik] = alphas[ik] + sumq[ik] - 0.5 * sq;
            }
            double lse = LogSumExp(mainTerm);
            slse += lse;
            for (int ik = 0; ik < k; ik++)
            {
                double w = Math.Exp(mainTerm[ik] - lse);
                wsum[ik] += w;
                int lbase = ik * icfSize + d;
                xcBar.Clear();
                for (int j = d - 1; j >= 0; j--)
                {
                    double yb = -w * qx[ik * d + j];
                    for (int i = j - 1; i >= 0; i--)
                    {
                        int li = lbase + i * (2 * d - i - 1) / 2 + j - i - 1;
                        xcBar[i] += icf[li] * yb;
                        icfBar[li] += yb * xc[ik * d + i];
                    }
                    xcBar[j] += qdiag[ik * d + j] * yb;
                    diagBar[ik * d + j] += yb * xc[ik * d + j];
                }
                for (int id = 0; id < d; id++) meansBar[ik * d + id] -= xcBar[id];
            }
        }

        double lseAlphas = LogSumExp(alphas);
        for (int ik = 0; ik < k; ik++) alphasBar[ik] = wsum[ik] - n * Math.Exp(alphas[ik] - lseAlphas);
        double g2 = gamma * gamma;
        for (int ik = 0; ik < k; ik++)
        {
            for (int id = 0; id < d; id++)
            {
                double e = qdiag[ik * d + id];
                icfBar[ik * icfSize + id] = wsum[ik] + diagBar[ik * d + id] * e + g2 * e * e - m;
            }
            for (int il = d; il < icfSize; il++) icfBar[ik * icfSize + il] += g2 * icf[ik * icfSize + il];
        }
        return -0.5 * n * d * Math.Log(2 * Math.PI) + slse - n * lseAlphas
            + Prior(icf, k, d, qdiag, sumq, gamma, m) - k * wishartC;
    }

    private static void Preprocess(ReadOnlySpan<double> icf, int k, int d, Span<double> qdiag, Span<double> sumq)
    {
        int icfSize = d * (d + 1) / 2;
        for (int ik = 0; ik < k; ik++)
        {
            double s = 0;
            for (int id = 0; id < d; id++)
            {
                double q = icf[ik * icfSize + id];
                s += q;
                qdiag[ik * d + id] = Math.Exp(q);
            }
            sumq[ik] = s;
        }
    }

    /// <summary>ADBench's Qtimesx: y = Q x with Q = diag(qdiag) + strictly-lower(l), l packed column-major.</summary>
    private static void QTimesX(ReadOnlySpan<double> qdiag, ReadOnlySpan<double> l, ReadOnlySpan<double> xv, Span<double> y)
    {
        int d = xv.Length;
        for (int id = 0; id < d; id++) y[id] = qdiag[id] * xv[id];
        int lidx = 0;
        for (int i = 0; i < d; i++)
        {
            double xi = xv[i];
            for (int j = i + 1; j < d; j++)
            {
                y[j] += l[lidx] * xi;
                lidx++;
            }
        }
    }

    private static double LogSumExp(ReadOnlySpan<double> v)
    {
        double mx = v[0];
        for (int i = 1; i < v.Length; i++) mx = Math.Max(mx, v[i]);
        double se = 0;
        for (int i = 0; i < v.Length; i++) se += Math.Exp(v[i] - mx);
        return Math.Log(se) + mx;
    }

    private static double Prior(ReadOnlySpan<double> icf, int k, int d, ReadOnlySpan<double> qdiag, ReadOnlySpan<double> sumq, double gamma, int m)
    {
        int icfSize = d * (d + 1) / 2;
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frob = 0;
            for (int id = 0; id < d; id++) frob += qdiag[ik * d + id] * qdiag[ik * d + id];
            for (int il = d; il < icfSize; il++) frob += icf[ik * icfSize + il] * icf[ik * icfSize + il];
            prior += 0.5 * gamma * gamma * frob - m * sumq[ik];
        }
        return prior;
    }
}

/// <summary>Deterministic GMM inputs (ADBench's instance shapes; values from a seeded generator).</summary>
public sealed class GmmData
{
    public readonly int N, D, K;
    public readonly double[] Alphas, Means, Icf, X;
    public readonly double Gamma;
    public readonly int M;
    public readonly double WishartC;

    public GmmData(int n, int d, int k, int seed = 31337, double gamma = 1.0, int m = 0)
    {
        N = n; D = d; K = k; Gamma = gamma; M = m;
        var rng = new Random(seed);
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        int icfSize = d * (d + 1) / 2;
        Alphas = new double[k];
        Means = new double[k * d];
        Icf = new double[k * icfSize];
        X = new double[n * d];
        for (int i = 0; i < k; i++) Alphas[i] = U(-1, 1);
        for (int i = 0; i < Means.Length; i++) Means[i] = U(0, 1);
        for (int ik = 0; ik < k; ik++)
        {
            for (int id = 0; id < d; id++) Icf[ik * icfSize + id] = U(-0.5, 0.5);
            // Off-diagonal scale 1/√D keeps ‖Q(x − μ)‖² of order D, so the softmax over components is not one-hot.
            for (int il = d; il < icfSize; il++) Icf[ik * icfSize + il] = U(-1, 1) / Math.Sqrt(d);
        }
        for (int i = 0; i < X.Length; i++) X[i] = U(0, 1);
        WishartC = GmmConstants.WishartConstant(d, gamma, m);
    }

    public int ParamCount => K + K * D + K * D * (D + 1) / 2;

    public double Objective() => GmmModel.Objective(Alphas, Means, Icf, X, Gamma, M, WishartC);
}
