using System;

namespace Dsl.Benchmarks;

/// <summary>
/// The ADBench Gaussian mixture model objective (Srajer, Habib, Fitzgibbon 2018, "A benchmark of
/// selected algorithmic differentiation tools on some problems in computer vision and machine
/// learning"; the C++ reference is ADBench's <c>gmm.h</c>), written in the DSL subset.
/// <para>
/// Layout as in ADBench: <c>alphas</c> [K]; <c>means</c> [K·D] (row k = μ_k); <c>icf</c> [K·D(D+1)/2],
/// per component first the D log-diagonal entries q_k, then the D(D−1)/2 strictly-lower entries l_k
/// of Q_k in column-major order (column 0 rows 1..D−1, column 1 rows 2..D−1, …); <c>x</c> [N·D].
/// Q_k is lower triangular with exp(q_k) on the diagonal.
/// </para>
/// <para>
/// E = −N·D/2·log 2π + Σ_n logsumexp_k(α_k + Σ_d q_kd − ½‖Q_k(x_n − μ_k)‖²) − N·logsumexp(α)
///     + Σ_k (½γ²(‖exp q_k‖² + ‖l_k‖²) − m·Σ_d q_kd) − K·C(D, γ, m),
/// </para>
/// where the Wishart constant C contains a multivariate log-gamma that has no Math function; it is
/// passed in by the caller (<see cref="GmmConstants.WishartConstant"/>) — it does not depend on
/// the parameters, so it does not change the gradient.
/// </summary>
public static partial class GmmModel
{
    /// <summary>The objective. <paramref name="gamma"/>, <paramref name="m"/> and <paramref name="wishartC"/> are inactive.</summary>
    [Differentiable]
    public static double Objective(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC)
    {
        int k = alphas.Length;
        int d = means.Length / k;
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;
        Span<double> qdiag = stackalloc double[k * d];
        Span<double> sumq = stackalloc double[k];
        Span<double> xc = stackalloc double[d];
        Span<double> mainTerm = stackalloc double[k];

        // exp(q) and Σ q per component.
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

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                for (int id = 0; id < d; id++)
                {
                    xc[id] = x[ix * d + id] - means[ik * d + id];
                }
                // ‖Q (x − μ)‖², one row of Q at a time: row j = exp(q_j) on the diagonal and
                // l entries (j, i), i < j, at column-major offset i(2d − i − 1)/2 + j − i − 1.
                int lbase = ik * icfSize + d;
                double sq = 0;
                for (int j = 0; j < d; j++)
                {
                    double y = qdiag[ik * d + j] * xc[j];
                    for (int i = 0; i < j; i++)
                    {
                        y += icf[lbase + i * (2 * d - i - 1) / 2 + j - i - 1] * xc[i];
                    }
                    sq += y * y;
                }
                mainTerm[ik] = alphas[ik] + sumq[ik] - 0.5 * sq;
            }
            // logsumexp over the components, max-subtracted.
            double mx = mainTerm[0];
            for (int ik = 1; ik < k; ik++)
            {
                mx = Math.Max(mx, mainTerm[ik]);
            }
            double se = 0;
            for (int ik = 0; ik < k; ik++)
            {
                se += Math.Exp(mainTerm[ik] - mx);
            }
            slse += Math.Log(se) + mx;
        }

        double amax = alphas[0];
        for (int ik = 1; ik < k; ik++)
        {
            amax = Math.Max(amax, alphas[ik]);
        }
        double ase = 0;
        for (int ik = 0; ik < k; ik++)
        {
            ase += Math.Exp(alphas[ik] - amax);
        }
        double lseAlphas = Math.Log(ase) + amax;

        // Wishart prior.
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frob = 0;
            for (int id = 0; id < d; id++)
            {
                double e = qdiag[ik * d + id];
                frob += e * e;
            }
            for (int il = d; il < icfSize; il++)
            {
                double l = icf[ik * icfSize + il];
                frob += l * l;
            }
            prior += 0.5 * gamma * gamma * frob - m * sumq[ik];
        }

        double constant = -0.5 * n * d * Math.Log(2 * Math.PI);
        return constant + slse - n * lseAlphas + prior - k * wishartC;
    }

    /// <summary>Generated reverse-mode gradient with respect to the mixture parameters.</summary>
    [Gradient(nameof(Objective), Wrt = "alphas,means,icf")]
    public static partial double ObjectiveGradient(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC,
        Span<double> alphasBar, Span<double> meansBar, Span<double> icfBar);
}

/// <summary>Parameter-independent constants of the GMM objective.</summary>
public static class GmmConstants
{
    /// <summary>
    /// ADBench's C = n·p·(log γ − ½ log 2) − log Γ_p(n/2) with n = p + m + 1 (the log multivariate
    /// gamma function Γ_p(a) = π^{p(p−1)/4} Π_{j=1..p} Γ(a + (1 − j)/2)).
    /// </summary>
    public static double WishartConstant(int d, double gamma, int m)
    {
        int n = d + m + 1;
        double lgammaP = 0.25 * d * (d - 1) * Math.Log(Math.PI);
        for (int j = 1; j <= d; j++) lgammaP += LogGammaHalfInteger(n + 1 - j);
        return n * d * (Math.Log(gamma) - 0.5 * Math.Log(2)) - lgammaP;
    }

    /// <summary>log Γ(t/2) for a positive integer t (exact recurrences from Γ(1) = 1, Γ(1/2) = √π).</summary>
    public static double LogGammaHalfInteger(int t)
    {
        double r = t % 2 == 0 ? 0.0 : 0.5 * Math.Log(Math.PI);
        for (int s = t - 2; s > 0; s -= 2) r += Math.Log(0.5 * s);
        return r;
    }
}
