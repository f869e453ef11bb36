using System;

namespace Dsl.Benchmarks;

/// <summary>
/// <see cref="GmmModel.Objective"/> with ADBench's loop shape for Q(x − μ): the packed lower triangle
/// walked column by column, accumulating into a buffer (<c>qx[j] += l·xc[i]</c>) instead of a
/// scalar per row. Same value; measured in <c>--interleaved-reverse</c> only, to show what this
/// shape costs the generated gradient (every accumulation overwrites a buffer element, so the
/// forward sweep saves the old value on the tape).
/// </summary>
public static partial class GmmColumnMajorModel
{
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
        Span<double> qx = stackalloc double[d];
        Span<double> mainTerm = stackalloc double[k];
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
                    qx[id] = qdiag[ik * d + id] * xc[id];
                }
                int lidx = ik * icfSize + d;
                for (int i = 0; i < d; i++)
                {
                    for (int j = i + 1; j < d; j++)
                    {
                        qx[j] += icf[lidx] * xc[i];
                        lidx++;
                    }
                }
                double sq = 0;
                for (int id = 0; id < d; id++)
                {
                    sq += qx[id] * qx[id];
                }
                mainTerm[ik] = alphas[ik] + sumq[ik] - 0.5 * sq;
            }
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

    [Gradient(nameof(Objective), Wrt = "alphas,means,icf")]
    public static partial double ObjectiveGradient(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x, double gamma, int m, double wishartC,
        Span<double> alphasBar, Span<double> meansBar, Span<double> icfBar);
}
