using System;

namespace Dsl;

public static partial class PortableMath
{
    internal const double Sqrt2 = 1.4142135623730951;
    internal const double TwoThirds = 0.6666666666666666;
    internal const double TwoThirdsLo = 3.700743415417188e-17;
    internal const double Log2EHi = 1.4426950408889634;
    internal const double Log2ELo = 2.0355273740931033e-17;
    internal const double Log10EHi = 0.4342944819032518;
    internal const double Log10ELo = 1.098319650216765e-17;

    // log(2^e (1 + f)) as a double-double, for f in [sqrt(1/2) - 1, sqrt(2) - 1]:
    // log(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| <= 0.1716, summed as
    // 2s + (2/3) s^3 + s^5 T(s^2). s and s^3 carry their rounding errors (Dekker products), so the pair is
    // accurate to about 2^-64 relative: enough for pow, where y * log x can reach 745.
    private static DD LogCore(int e, double f)
    {
        double d = 2.0 + f;
        double dLo = f - (d - 2.0);                    // exact rounding error of 2 + f
        double s = f / d;
        double sLo = (Residual(f, s, d) - s * dLo) / d;
        DD s2 = TwoProd(s, s);
        DD s3 = TwoProd(s2.Hi, s);                     // s^3 = bh + bl
        double bh = s3.Hi;
        double bl = s3.Lo + s2.Lo * s + 3.0 * s2.Hi * sLo;
        DD c3 = TwoProd(TwoThirds, bh);
        double ch = c3.Hi;
        double cl = c3.Lo + TwoThirdsLo * bh + TwoThirds * bl;
        double z = s2.Hi;
        // T(z) = sum 2 z^n / (2n + 5), n = 0..11; the next term is below 2^-66 relative.
        double t = 0.08;
        t = t * z + 0.08695652173913043;
        t = t * z + 0.09523809523809523;
        t = t * z + 0.10526315789473684;
        t = t * z + 0.11764705882352941;
        t = t * z + 0.13333333333333333;
        t = t * z + 0.15384615384615385;
        t = t * z + 0.18181818181818182;
        t = t * z + 0.2222222222222222;
        t = t * z + 0.2857142857142857;
        t = t * z + 0.4;
        t = t * z * bh;                                // s^5 T: the s^5 factor is bh * z
        double eh = e * Ln2Hi;                         // exact for |e| < 2^21
        DD a = TwoSum(eh, 2.0 * s);
        DD b = TwoSum(a.Hi, ch);
        double lo = a.Lo + b.Lo + (e * Ln2Lo + (2.0 * sLo + (cl + t)));
        return TwoSum(b.Hi, lo);
    }

    // log x as a double-double for finite x > 0 (subnormals included).
    private static DD LogPositive(double x)
    {
        LogArg a = Split(x);
        return LogCore(a.E, a.F);
    }

    // x = 2^E (1 + F), F in [sqrt(1/2) - 1, sqrt(2) - 1], for finite x > 0.
    private readonly struct LogArg
    {
        public readonly int E;
        public readonly double F;

        public LogArg(int e, double f)
        {
            E = e;
            F = f;
        }
    }

    private static LogArg Split(double x)
    {
        int e = 0;
        if (x < 2.2250738585072014e-308)
        {
            x *= 18014398509481984.0;                  // 2^54 makes a subnormal normal
            e = -54;
        }
        long bits = Bits(x);
        e += (int)((bits >> 52) & 0x7FF) - 1023;
        double m = FromBits((bits & 0xFFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }
        return new LogArg(e, m - 1.0);                 // m - 1 is exact (Sterbenz)
    }

    /// <summary>Natural logarithm; NaN for x &lt; 0, -∞ at ±0, as <see cref="Math.Log(double)"/>.</summary>
    public static double Log(double x)
    {
        if (IsNaN(x) || x == double.PositiveInfinity) return x;
        if (x < 0.0) return double.NaN;
        if (x == 0.0) return double.NegativeInfinity;
        return LogPositive(x).Hi;
    }

    /// <summary>Natural logarithm, computed in double and rounded once to float.</summary>
    public static float Log(float x) => (float)Log((double)x);

    /// <summary>Base-2 logarithm (exact at powers of two).</summary>
    public static double Log2(double x)
    {
        if (IsNaN(x) || x == double.PositiveInfinity) return x;
        if (x < 0.0) return double.NaN;
        if (x == 0.0) return double.NegativeInfinity;
        return Mul(LogPositive(x), Log2EHi, Log2ELo).Hi;
    }

    /// <summary>Base-2 logarithm, computed in double and rounded once to float.</summary>
    public static float Log2(float x) => (float)Log2((double)x);

    /// <summary>Base-10 logarithm.</summary>
    public static double Log10(double x)
    {
        if (IsNaN(x) || x == double.PositiveInfinity) return x;
        if (x < 0.0) return double.NaN;
        if (x == 0.0) return double.NegativeInfinity;
        return Mul(LogPositive(x), Log10EHi, Log10ELo).Hi;
    }

    /// <summary>Base-10 logarithm, computed in double and rounded once to float.</summary>
    public static float Log10(float x) => (float)Log10((double)x);

    /// <summary>log(1 + x), accurate for tiny x (C's log1p; System.Math has no such method).</summary>
    public static double Log1p(double x) => Log1pWithLo(x, 0.0);

    /// <summary>log(1 + x), computed in double and rounded once to float.</summary>
    public static float Log1p(float x) => (float)Log1p((double)x);

    // log(1 + x + xLo) for a double-double argument (xLo tiny against x).
    private static double Log1pWithLo(double x, double xLo)
    {
        if (IsNaN(x) || x == double.PositiveInfinity) return x;
        if (x < -1.0) return double.NaN;
        if (x == -1.0) return double.NegativeInfinity;
        // Below 2^-60, x - x^2/2 rounds to x (and this keeps -0 and subnormals exact).
        if (Math.Abs(x) < 8.673617379884035e-19) return x;
        double u = 1.0 + x;
        LogArg a;
        double corr;
        if (u >= 0.7071067811865476 && u < Sqrt2)
        {
            a = new LogArg(0, x);                       // f = x exactly: no rounding of 1 + x
            corr = xLo / u;
        }
        else
        {
            DD su = TwoSum(1.0, x);                     // 1 + x = su.Hi + su.Lo exactly
            a = Split(su.Hi);
            corr = (su.Lo + xLo) / su.Hi;
        }
        // One LogCore for both branches: ILGPU inlines every call, so each call site is a copy.
        DD l = LogCore(a.E, a.F);
        return l.Hi + (l.Lo + corr);
    }
}
