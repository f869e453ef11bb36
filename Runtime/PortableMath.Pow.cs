using System;

namespace Dsl;

public static partial class PortableMath
{
    /// <summary>
    /// x^y with <see cref="Math.Pow"/>'s special cases (pow(x, ±0) = 1, pow(1, y) = 1, NaN for a
    /// negative base and a non-integer exponent, signed zeros and infinities for odd integers).
    /// Computed as exp(y log|x|) with log|x| as a double-double (about 2^-64 relative).
    /// </summary>
    public static double Pow(double x, double y)
    {
        if (y == 0.0 || x == 1.0) return 1.0;
        if (IsNaN(x) || IsNaN(y)) return double.NaN;
        double ax = Math.Abs(x);
        double ay = Math.Abs(y);
        bool yInt = Math.Floor(y) == y;
        bool yOdd = yInt && ay < 9007199254740992.0 && Math.Floor(y * 0.5) * 2.0 != y;
        bool neg = x < 0.0 || (x == 0.0 && Bits(x) < 0);
        if (ay == double.PositiveInfinity)
        {
            if (ax == 1.0) return 1.0;
            return (ax < 1.0) == (y < 0.0) ? double.PositiveInfinity : 0.0;
        }
        if (ax == 0.0 || ax == double.PositiveInfinity)
        {
            bool big = (ax == 0.0) == (y < 0.0);        // 0^-y and ∞^y are infinite
            double m = big ? double.PositiveInfinity : 0.0;
            return neg && yOdd ? -m : m;
        }
        if (x < 0.0 && !yInt) return double.NaN;
        double sign = x < 0.0 && yOdd ? -1.0 : 1.0;
        DD l = LogPositive(ax);
        double approx = y * l.Hi;                       // checked first: Mul of an overflow gives NaN
        if (approx > ExpOverflow + 0.01) return sign * double.PositiveInfinity;
        if (approx < ExpUnderflow - 0.01) return sign * 0.0;
        DD p = Mul(l, y, 0.0);
        ExpParts e = ExpReduced(p.Hi, p.Lo);
        return sign * Scale(1.0 + e.P, e.K);
    }

    /// <summary>x^y, computed in double and rounded once to float.</summary>
    public static float Pow(float x, float y) => (float)Pow((double)x, (double)y);

    /// <summary>Cube root (odd: cbrt(-x) = -cbrt(x)).</summary>
    public static double Cbrt(double x)
    {
        if (IsNaN(x) || x == 0.0 || Math.Abs(x) == double.PositiveInfinity) return x;
        double a = Math.Abs(x);
        double scale = 1.0;
        if (a < 2.2250738585072014e-308)
        {
            a *= 18014398509481984.0;                   // 2^54, so cbrt gains 2^18
            scale = 3.814697265625e-06;                 // 2^-18
        }
        else if (a > 1e300)
        {
            a *= 8.673617379884035e-19;                 // 2^-60 keeps y^3 below overflow in the steps
            scale = 1048576.0;                          // 2^20
        }
        // Start: the exponent divided by 3 through the bit pattern (within about 10%), then four
        // Newton steps (quadratic: 1e-1, 1e-2, 1e-4, 1e-8, 1e-16).
        double y = FromBits(Bits(a) / 3 + 0x2AA0000000000000L);
        for (int i = 0; i < 4; i++) y -= (y * y * y - a) / (3.0 * y * y);
        // Last step with the residual a - y^3 computed exactly (Dekker products), so only its own rounding remains.
        DD sq = TwoProd(y, y);
        DD cube = TwoProd(sq.Hi, y);
        double res = (a - cube.Hi) - (cube.Lo + sq.Lo * y);
        y += res / (3.0 * y * y);
        y *= scale;
        return x < 0 ? -y : y;
    }

    /// <summary>Cube root, computed in double and rounded once to float.</summary>
    public static float Cbrt(float x) => (float)Cbrt((double)x);
}
