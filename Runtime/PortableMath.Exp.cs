using System;

namespace Dsl;

public static partial class PortableMath
{
    // ln 2 split so that k * Ln2Hi is exact for |k| < 2^21 (Ln2Hi has 32 significant bits);
    // Ln2Lo = ln 2 - Ln2Hi rounded, so Ln2Hi + Ln2Lo carries about 86 bits of ln 2.
    internal const double Ln2Hi = 0.6931471806019545;
    internal const double Ln2Lo = -4.2009150726810846e-11;
    internal const double Ln2 = 0.6931471805599453;
    internal const double Log2E = 1.4426950408889634;

    // exp(x) overflows above ln(DBL_MAX) = 709.78...; below ln(2^-1075) = -745.13... it rounds to 0.
    internal const double ExpOverflow = 709.782712893384;
    internal const double ExpUnderflow = -745.1332191019412;

    // e^r - 1 for |r| <= ln2/2 + tiny: Taylor series to r^13 (the r^14/14! term is below
    // 2^-60 relative there); evaluated as r + r^2 * (...) so the result keeps r's relative accuracy.
    private static double ExpM1Poly(double r) => ExpM1Series(r, 1.6059043836821613e-10);

    // e^x - 1 for |x| <= 0.7: Taylor series to x^17 (the next term is below 2^-56 relative).
    // Expm1 uses it up to 0.7 rather than ln2/2, because just above ln2/2 the reduced form
    // 2(e^r - 1) + 1 with r near -ln2/2 loses almost one bit to cancellation (measured: 2 ulp).
    private static double ExpM1Wide(double x)
    {
        double q = 2.8114572543455206e-15;
        q = q * x + 4.779477332387385e-14;
        q = q * x + 7.647163731819816e-13;
        q = q * x + 1.1470745597729725e-11;
        return ExpM1Series(x, q * x + 1.6059043836821613e-10);
    }

    // r + r^2 (1/2! + r/3! + ... + r^11 q12): the shared low-order part of both series.
    private static double ExpM1Series(double r, double q12)
    {
        double q = q12;
        q = q * r + 2.08767569878681e-09;
        q = q * r + 2.505210838544172e-08;
        q = q * r + 2.755731922398589e-07;
        q = q * r + 2.7557319223985893e-06;
        q = q * r + 2.48015873015873e-05;
        q = q * r + 0.0001984126984126984;
        q = q * r + 0.001388888888888889;
        q = q * r + 0.008333333333333333;
        q = q * r + 0.041666666666666664;
        q = q * r + 0.16666666666666666;
        q = q * r + 0.5;
        return r + r * r * q;
    }

    // Cody–Waite reduction of hi + lo (|hi| <= 746): returns k = round((hi+lo)/ln2) and
    // p = e^r - 1 with r = hi + lo - k ln2, so e^(hi+lo) = 2^k (1 + p).
    private static ExpParts ExpReduced(double hi, double lo)
    {
        double kd = Round(hi * Log2E);   // PortableMath.Round: ILGPU compiles Math.Round to a no-op on PTX
        double rHi = hi - kd * Ln2Hi;              // exact: kd*Ln2Hi is exact and cancels (Sterbenz)
        double r = rHi - kd * Ln2Lo;
        double rLo = (rHi - r) - kd * Ln2Lo + lo;  // the rounding of r, plus the caller's low part
        double p = ExpM1Poly(r);
        return new ExpParts(p + rLo * (1.0 + p), (int)kd);   // e^(r + rLo) = e^r (1 + rLo)
    }

    // 2^K (1 + P); a struct rather than an out parameter keeps kernels free of address-taken locals.
    private readonly struct ExpParts
    {
        public readonly double P;
        public readonly int K;

        public ExpParts(double p, int k)
        {
            P = p;
            K = k;
        }
    }

    /// <summary>e^x; as <see cref="Math.Exp(double)"/> for NaN, ±∞ and overflow.</summary>
    public static double Exp(double x)
    {
        if (IsNaN(x)) return x;
        if (x > ExpOverflow + 0.01) return double.PositiveInfinity;
        if (x < ExpUnderflow - 0.01) return 0.0;
        ExpParts e = ExpReduced(x, 0.0);
        return Scale(1.0 + e.P, e.K);
    }

    /// <summary>e^x, computed in double and rounded once to float.</summary>
    public static float Exp(float x) => (float)Exp((double)x);

    /// <summary>
    /// e^x - 1, accurate for tiny x (the name follows C's expm1; System.Math has no such method).
    /// </summary>
    public static double Expm1(double x)
    {
        if (IsNaN(x) || x == 0.0) return x;
        if (x > ExpOverflow + 0.01) return double.PositiveInfinity;
        // e^-38 = 3.1e-17 is below half the spacing of doubles just above -1 (5.6e-17).
        if (x < -38.0) return -1.0;
        if (Math.Abs(x) <= 0.7) return ExpM1Wide(x);
        ExpParts e = ExpReduced(x, 0.0);
        double p = e.P;
        int k = e.K;
        if (k > 1000) return Scale(1.0 + p, k);
        double twoK = Scale(1.0, k);
        if (k < 0) return Scale(p, k) + (twoK - 1.0);   // 2^k - 1 is exact for k >= -53
        double tk = Scale(1.0, -k);
        // 2^k (1 + p) - 1 = 2^k ((1 - 2^-k) + p); 1 - 2^-k is exact for k <= 53.
        double y = k <= 53 ? (1.0 - tk) + p : 1.0 + (p - tk);
        return Scale(y, k);
    }

    /// <summary>e^x - 1, computed in double and rounded once to float.</summary>
    public static float Expm1(float x) => (float)Expm1((double)x);
}
