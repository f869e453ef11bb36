using System;

namespace Dsl.Stde.Tests;

/// <summary>
/// Reference Taylor series, independent of the generator's recurrences: truncated power series
/// (normalized coefficients a_k = f^(k)/k!) combined by polynomial multiplication and by
/// substituting a series with zero constant term into a function's own Taylor expansion,
/// f(c + p) = Σ_m f^(m)(c)/m! · p^m, with f^(m)(c) from closed forms.
/// </summary>
internal sealed class Series
{
    public readonly double[] A;

    public Series(int order) => A = new double[order + 1];

    public int Order => A.Length - 1;

    /// <summary>The input curve x(t) = a + Σ_j v_j t^j / j! (JAX jet convention).</summary>
    public static Series Curve(double a, ReadOnlySpan<double> v)
    {
        var s = new Series(v.Length);
        s.A[0] = a;
        double fact = 1;
        for (int j = 1; j <= v.Length; j++)
        {
            fact *= j;
            s.A[j] = v[j - 1] / fact;
        }
        return s;
    }

    /// <summary>y_k = d^k/dt^k at 0: k! a_k.</summary>
    public double[] Derivatives()
    {
        var y = new double[A.Length];
        double fact = 1;
        for (int k = 0; k < A.Length; k++)
        {
            if (k > 0) fact *= k;
            y[k] = A[k] * fact;
        }
        return y;
    }

    public static Series operator *(Series p, Series q)
    {
        var r = new Series(p.Order);
        for (int i = 0; i <= p.Order; i++)
            for (int j = 0; i + j <= p.Order; j++)
                r.A[i + j] += p.A[i] * q.A[j];
        return r;
    }

    public static Series operator +(Series p, Series q)
    {
        var r = new Series(p.Order);
        for (int i = 0; i <= p.Order; i++) r.A[i] = p.A[i] + q.A[i];
        return r;
    }

    public static Series operator *(double c, Series p)
    {
        var r = new Series(p.Order);
        for (int i = 0; i <= p.Order; i++) r.A[i] = c * p.A[i];
        return r;
    }

    /// <summary>
    /// f(this), given f's derivatives at this series' constant term:
    /// Σ_m derivs(m)/m! · (this − c)^m.
    /// </summary>
    public Series Apply(Func<int, double> derivativeAtConstant)
    {
        var p = new Series(Order);
        Array.Copy(A, 1, p.A, 1, Order); // zero constant term
        var r = new Series(Order);
        var pm = new Series(Order);
        pm.A[0] = 1;
        double fact = 1;
        for (int m = 0; m <= Order; m++)
        {
            if (m > 0)
            {
                fact *= m;
                pm = pm * p;
            }
            double c = derivativeAtConstant(m) / fact;
            for (int k = 0; k <= Order; k++) r.A[k] += c * pm.A[k];
        }
        return r;
    }

    // Closed-form derivatives of the elementary functions (m-th derivative at c).
    public Series Exp() { double c = A[0]; return Apply(_ => Math.Exp(c)); }

    public Series Sin() { double c = A[0]; return Apply(m => Math.Sin(c + m * Math.PI / 2)); }

    public Series Cos() { double c = A[0]; return Apply(m => Math.Cos(c + m * Math.PI / 2)); }

    /// <summary>log: (−1)^(m+1) (m−1)! / c^m for m ≥ 1.</summary>
    public Series Log()
    {
        double c = A[0];
        return Apply(m => m == 0 ? Math.Log(c) : ((m % 2 == 1) ? 1 : -1) * Factorial(m - 1) / Math.Pow(c, m));
    }

    /// <summary>x^r: r (r−1) ⋯ (r−m+1) c^(r−m); exact zeros for integer r at c = 0 handled by Math.Pow(0, k).</summary>
    public Series Pow(double r)
    {
        double c = A[0];
        return Apply(m =>
        {
            double f = 1;
            for (int i = 0; i < m; i++) f *= r - i;
            return f == 0 ? 0 : f * Math.Pow(c, r - m);
        });
    }

    /// <summary>1/x: (−1)^m m! / c^(m+1).</summary>
    public Series Reciprocal()
    {
        double c = A[0];
        return Apply(m => ((m % 2 == 0) ? 1 : -1) * Factorial(m) / Math.Pow(c, m + 1));
    }

    /// <summary>
    /// tanh: the m-th derivative is P_m(tanh c) with P_0(t) = t and P_{m+1}(t) = P_m'(t)(1 − t²)
    /// (exact integer polynomial coefficients).
    /// </summary>
    public Series Tanh()
    {
        double t = Math.Tanh(A[0]);
        var polys = TanhDerivativePolynomials(Order);
        return Apply(m =>
        {
            double v = 0, tp = 1;
            for (int i = 0; i < polys[m].Length; i++, tp *= t) v += polys[m][i] * tp;
            return v;
        });
    }

    public static double[][] TanhDerivativePolynomials(int order)
    {
        var polys = new double[order + 1][];
        polys[0] = new double[] { 0, 1 };
        for (int m = 1; m <= order; m++)
        {
            var p = polys[m - 1];
            var dp = new double[Math.Max(1, p.Length - 1)];
            for (int i = 1; i < p.Length; i++) dp[i - 1] = i * p[i];
            var q = new double[dp.Length + 2];
            for (int i = 0; i < dp.Length; i++)
            {
                q[i] += dp[i];
                q[i + 2] -= dp[i];
            }
            polys[m] = q;
        }
        return polys;
    }

    public static double Factorial(int n)
    {
        double f = 1;
        for (int i = 2; i <= n; i++) f *= i;
        return f;
    }
}
