using System;

namespace Dsl;

public static partial class PortableMath
{
    internal const double PiO2Hi = 1.5707963267948966;
    internal const double PiO2Lo = 6.123233995736766e-17;
    internal const double PiHi = 3.141592653589793;
    internal const double PiLo = 1.2246467991473532e-16;
    internal const double PiO4Lo = 3.061616997868383e-17;
    internal const double Atan05Hi = 0.4636476090008061;
    internal const double Atan05Lo = 2.2698777452961687e-17;
    internal const double Atan15Hi = 0.982793723247329;
    internal const double Atan15Lo = 1.3903311031230998e-17;
    internal const double Tiny = 7.450580596923828e-09;  // 2^-27: below it, x ± x^3/k rounds to x

    // atan t - t for |t| <= 7/16: t z Q(z), z = t^2, Q fitted by Chebyshev interpolation
    // (tools/fit_coeffs.py; relative error of the fit below 1e-18).
    private static double AtanTail(double t)
    {
        double z = t * t;
        double q = 0.014773184616983806;
        q = q * z - 0.033128134256069586;
        q = q * z + 0.04492259293193656;
        q = q * z - 0.05216679739313656;
        q = q * z + 0.05876946456755061;
        q = q * z - 0.06666241923359964;
        q = q * z + 0.07692285554889286;
        q = q * z - 0.09090908355602592;
        q = q * z + 0.11111111096645038;
        q = q * z - 0.14285714285566806;
        q = q * z + 0.1999999999999941;
        q = q * z - 0.3333333333333333;
        return t * z * q;
    }

    // asin s - s for |s| <= 1/2: s z Q(z), z = s^2 (tools/fit_coeffs.py; fit error below 4e-18).
    private static double AsinTail(double s, double z)
    {
        double q = 0.028757851367421566;
        q = q * z - 0.014851887071247204;
        q = q * z + 0.01740087944269402;
        q = q * z + 0.005457506718640358;
        q = q * z + 0.01032281435018578;
        q = q * z + 0.011479177415184906;
        q = q * z + 0.013971212973552933;
        q = q * z + 0.017352392720869973;
        q = q * z + 0.02237217294214989;
        q = q * z + 0.030381944138531247;
        q = q * z + 0.04464285714635543;
        q = q * z + 0.07499999999998433;
        q = q * z + 0.16666666666666669;
        return s * z * q;
    }

    /// <summary>Arctangent, in [-π/2, π/2].</summary>
    public static double Atan(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a < Tiny) return x;
        double r;
        // atan a = atan c + atan t with t = (a - c) / (1 + a c), c in {0, 1/2, 1, 3/2, ∞},
        // which keeps |t| <= 7/16; each a - c below is exact (Sterbenz).
        if (a < 0.4375) r = a + AtanTail(a);
        else if (a < 0.6875) r = AtanPlus(Atan05Hi, Atan05Lo, (2.0 * a - 1.0) / (2.0 + a));
        else if (a < 1.1875) r = AtanPlus(PiO4, PiO4Lo, (a - 1.0) / (a + 1.0));
        else if (a < 2.4375) r = AtanPlus(Atan15Hi, Atan15Lo, (a - 1.5) / (1.0 + 1.5 * a));
        else r = AtanPlus(PiO2Hi, PiO2Lo, -1.0 / a);
        return x < 0 ? -r : r;
    }

    private static double AtanPlus(double hi, double lo, double t) => hi + (t + (AtanTail(t) + lo));

    /// <summary>Arctangent, computed in double and rounded once to float.</summary>
    public static float Atan(float x) => (float)Atan((double)x);

    /// <summary>Angle of (x, y) in [-π, π], with <see cref="Math.Atan2"/>'s signed zeros and infinities.</summary>
    public static double Atan2(double y, double x)
    {
        if (IsNaN(x) || IsNaN(y)) return double.NaN;
        bool yNeg = y < 0.0 || (y == 0.0 && Bits(y) < 0);
        bool xNeg = x < 0.0 || (x == 0.0 && Bits(x) < 0);
        double ax = Math.Abs(x);
        double ay = Math.Abs(y);
        double r;
        if (ay == 0.0) r = xNeg ? PiHi : 0.0;
        else if (ax == 0.0) r = PiO2Hi;
        else if (ax == double.PositiveInfinity)
        {
            if (ay == double.PositiveInfinity) r = xNeg ? 2.356194490192345 : PiO4;
            else r = xNeg ? PiHi : 0.0;
        }
        else if (ay == double.PositiveInfinity) r = PiO2Hi;
        else
        {
            r = Atan(ay / ax);
            if (xNeg) r = PiHi - (r - PiLo);
        }
        return yNeg ? -r : r;
    }

    /// <summary>Angle of (x, y), computed in double and rounded once to float.</summary>
    public static float Atan2(float y, float x) => (float)Atan2((double)y, (double)x);

    // For 1/2 <= |x| <= 1: asin and acos through s = sqrt((1 - |x|)/2), where asin |x| = π/2 - 2 asin s.
    // Returns 2 asin s - 2 s (the part after the exactly doubled s), with the square root's rounding
    // error folded in.
    private static double TwiceAsinTail(double s, double z)
    {
        double c = Residual(z, s, s) / (2.0 * s);  // sqrt z = s + c
        return 2.0 * (c + AsinTail(s, z));
    }

    /// <summary>Arcsine, in [-π/2, π/2]; NaN outside [-1, 1].</summary>
    public static double Asin(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a > 1.0) return double.NaN;
        if (a < Tiny) return x;
        double r;
        if (a < 0.5) r = a + AsinTail(a, a * a);
        else if (a == 1.0) r = PiO2Hi;
        else
        {
            double z = (1.0 - a) * 0.5;                 // exact
            double s = Math.Sqrt(z);
            r = (PiO2Hi - 2.0 * s) - (TwiceAsinTail(s, z) - PiO2Lo);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>Arcsine, computed in double and rounded once to float.</summary>
    public static float Asin(float x) => (float)Asin((double)x);

    /// <summary>Arccosine, in [0, π]; NaN outside [-1, 1].</summary>
    public static double Acos(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a > 1.0) return double.NaN;
        if (x == 1.0) return 0.0;
        if (x == -1.0) return PiHi;
        if (a < 0.5) return PiO2Hi - (x + (AsinTail(x, x * x) - PiO2Lo));
        double z = (1.0 - a) * 0.5;                     // exact
        double s = Math.Sqrt(z);
        double tail = TwiceAsinTail(s, z);
        if (x > 0) return 2.0 * s + tail;
        return PiHi - (2.0 * s + (tail - PiLo));
    }

    /// <summary>Arccosine, computed in double and rounded once to float.</summary>
    public static float Acos(float x) => (float)Acos((double)x);
}
