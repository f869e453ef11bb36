using System;

namespace Dsl;

public static partial class PortableMath
{
    // π/2 in four parts: the first three have 32 significant bits, so k * PiO2_n is exact for
    // |k| < 2^21; together they carry about 149 bits of π/2.
    internal const double PiO2P1 = 1.5707963267341256;
    internal const double PiO2P2 = 6.077100506303966e-11;
    internal const double PiO2P3 = 2.0222662487111665e-21;
    internal const double PiO2P4 = 8.4784276603689e-32;
    internal const double TwoOverPi = 0.6366197723675814;
    internal const double PiO4 = 0.7853981633974483;

    // Where the reduction is exact: |k| < 2^21, i.e. |x| < 2^21 π/2 ≈ 3.29e6. Beyond, k * PiO2P1
    // rounds and the error grows with |x| (results stay in [-1, 1]; docs/portable-math.md).
    internal const double TrigExactLimit = 3294198.0;

    // x = k π/2 + (Hi + Lo), |Hi| <= π/4 (about), Q = k mod 4.
    private readonly struct TrigArg
    {
        public readonly double Hi;
        public readonly double Lo;
        public readonly int Q;

        public TrigArg(double hi, double lo, int q)
        {
            Hi = hi;
            Lo = lo;
            Q = q;
        }
    }

    // Cody–Waite reduction with four parts of π/2; the subtractions are two-sums, so the reduced
    // argument is the double-double x - k π/2 to about 2^-136 absolute for |x| < TrigExactLimit
    // (the closest a double comes to a multiple of π/2 there is far above that).
    private static TrigArg Reduce(double x)
    {
        if (Math.Abs(x) <= PiO4) return new TrigArg(x, 0.0, 0);
        double qBig = 0.0;
        // Beyond the exact range (no Payne–Hanek reduction): remove multiples of π/2 in double
        // until |x| is in range. Each step shrinks |x| to about ulp(x), so at most ~20 steps from
        // 1.8e308; the result is a value in [-1, 1] but not an accurate one.
        for (int i = 0; i < 40 && Math.Abs(x) > TrigExactLimit; i++)
        {
            double kb = Round(x * TwoOverPi);
            double p = kb * PiO2Hi;
            if (Math.Abs(p) > double.MaxValue) p = x;   // only within 2^-51 of MaxValue
            x -= p;
            qBig += kb - 4.0 * Math.Floor(kb * 0.25);
        }
        double k = Round(x * TwoOverPi);   // PortableMath.Round, not Math.Round (a no-op on PTX)
        double t = x - k * PiO2P1;
        DD a = TwoSum(t, -(k * PiO2P2));
        DD b = TwoSum(a.Hi, -(k * PiO2P3));
        DD r = TwoSum(b.Hi, (a.Lo + b.Lo) - k * PiO2P4);
        double q4 = k - 4.0 * Math.Floor(k * 0.25);    // k mod 4, exact for |k| < 2^53
        return new TrigArg(r.Hi, r.Lo, ((int)q4 + (int)qBig) & 3);
    }

    // sin(hi + lo) ≈ hi + tail for |hi| <= π/4: Taylor series to hi^19 (next term < 2^-60 relative).
    private static double SinTail(double hi, double lo)
    {
        double z = hi * hi;
        double p = -8.22063524662433e-18;
        p = p * z + 2.8114572543455206e-15;
        p = p * z - 7.647163731819816e-13;
        p = p * z + 1.6059043836821613e-10;
        p = p * z - 2.505210838544172e-08;
        p = p * z + 2.7557319223985893e-06;
        p = p * z - 0.0001984126984126984;
        p = p * z + 0.008333333333333333;
        p = p * z - 0.16666666666666666;
        return hi * z * p + lo * (1.0 - 0.5 * z);       // sin(hi + lo) = sin hi + lo cos hi
    }

    // cos(hi + lo) ≈ w + tail for |hi| <= π/4, w = 1 - hi^2/2 rounded: Taylor series to hi^20.
    private static DD CosPair(double hi, double lo)
    {
        DD zz = TwoProd(hi, hi);
        double z = zz.Hi;
        double c = 4.110317623312165e-19;
        c = c * z - 1.5619206968586225e-16;
        c = c * z + 4.779477332387385e-14;
        c = c * z - 1.1470745597729725e-11;
        c = c * z + 2.08767569878681e-09;
        c = c * z - 2.755731922398589e-07;
        c = c * z + 2.48015873015873e-05;
        c = c * z - 0.001388888888888889;
        c = c * z + 0.041666666666666664;
        double hz = 0.5 * z;
        double w = 1.0 - hz;
        double tail = ((1.0 - w) - hz) + (zz.Lo * -0.5 + (z * z * c - hi * lo));
        return new DD(w, tail);
    }

    /// <summary>Sine; NaN for ±∞. Within 2 ulp for |x| &lt; 3.29e6 (see the class remarks).</summary>
    public static double Sin(double x)
    {
        if (IsNaN(x) || Math.Abs(x) == double.PositiveInfinity) return double.NaN;
        if (Math.Abs(x) < 7.450580596923828e-09) return x;  // below 2^-27, x - x^3/6 rounds to x
        TrigArg r = Reduce(x);
        double v = (r.Q & 1) == 0 ? r.Hi + SinTail(r.Hi, r.Lo) : CosValue(r.Hi, r.Lo);
        return (r.Q & 2) == 0 ? v : -v;
    }

    /// <summary>Sine, computed in double and rounded once to float.</summary>
    public static float Sin(float x) => (float)Sin((double)x);

    /// <summary>Cosine; NaN for ±∞. Within 2 ulp for |x| &lt; 3.29e6.</summary>
    public static double Cos(double x)
    {
        if (IsNaN(x) || Math.Abs(x) == double.PositiveInfinity) return double.NaN;
        if (Math.Abs(x) < 7.450580596923828e-09) return 1.0;  // 1 - x^2/2 rounds to 1
        TrigArg r = Reduce(x);
        int q = r.Q;
        double v = (q & 1) == 0 ? CosValue(r.Hi, r.Lo) : r.Hi + SinTail(r.Hi, r.Lo);
        return ((q + 1) & 2) == 0 ? v : -v;                  // q = 0: cos, 1: -sin, 2: -cos, 3: sin
    }

    /// <summary>Cosine, computed in double and rounded once to float.</summary>
    public static float Cos(float x) => (float)Cos((double)x);

    /// <summary>Tangent; NaN for ±∞. Within 2 ulp for |x| &lt; 3.29e6.</summary>
    public static double Tan(double x)
    {
        if (IsNaN(x) || Math.Abs(x) == double.PositiveInfinity) return double.NaN;
        if (Math.Abs(x) < 7.450580596923828e-09) return x;  // x + x^3/3 rounds to x
        TrigArg r = Reduce(x);
        double sTail = SinTail(r.Hi, r.Lo);
        DD c = CosPair(r.Hi, r.Lo);
        // sin/cos (or -cos/sin) with one correction step on the double-double operands, so the
        // quotient is rounded about once instead of compounding three roundings.
        return (r.Q & 1) == 0 ? Divide(r.Hi, sTail, c.Hi, c.Lo) : -Divide(c.Hi, c.Lo, r.Hi, sTail);
    }

    /// <summary>Tangent, computed in double and rounded once to float.</summary>
    public static float Tan(float x) => (float)Tan((double)x);

    private static double CosValue(double hi, double lo)
    {
        DD c = CosPair(hi, lo);
        return c.Hi + c.Lo;
    }

    // (ah + al) / (bh + bl) with the remainder corrected once.
    private static double Divide(double ah, double al, double bh, double bl)
    {
        double b = bh + bl;
        double q = (ah + al) / b;
        double rem = Residual(ah, q, bh) + (al - q * bl);
        return q + rem / b;
    }
}
