using System;

namespace Dsl;

public static partial class PortableMath
{
    // e^a / 2 for 0 <= a <= 711 without overflowing early: the halving goes into the exponent.
    private static double HalfExp(double a)
    {
        if (a > 711.0) return double.PositiveInfinity;
        ExpParts e = ExpReduced(a, 0.0);
        return Scale(1.0 + e.P, e.K - 1);
    }

    /// <summary>Hyperbolic sine.</summary>
    public static double Sinh(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a < Tiny) return x;
        double r;
        if (a < 1.0)
        {
            // Taylor series to x^19: the x^21/21! term is below 2^-60 relative for |x| < 1.
            double z = a * a;
            double p = 8.22063524662433e-18;
            p = p * z + 2.8114572543455206e-15;
            p = p * z + 7.647163731819816e-13;
            p = p * z + 1.6059043836821613e-10;
            p = p * z + 2.505210838544172e-08;
            p = p * z + 2.7557319223985893e-06;
            p = p * z + 0.0001984126984126984;
            p = p * z + 0.008333333333333333;
            p = p * z + 0.16666666666666666;
            r = a + a * z * p;
        }
        else if (a < 22.0)
        {
            double e = Exp(a);
            r = 0.5 * (e - 1.0 / e);
        }
        else r = HalfExp(a);                            // e^-a < 2^-63 e^a: negligible
        return x < 0 ? -r : r;
    }

    /// <summary>Hyperbolic sine, computed in double and rounded once to float.</summary>
    public static float Sinh(float x) => (float)Sinh((double)x);

    /// <summary>Hyperbolic cosine.</summary>
    public static double Cosh(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a < Tiny) return 1.0;
        if (a < 1.0)
        {
            // 1 + z/2 + z^2 C(z): Taylor series to x^20 (next term below 2^-60).
            double z = a * a;
            double c = 4.110317623312165e-19;
            c = c * z + 1.5619206968586225e-16;
            c = c * z + 4.779477332387385e-14;
            c = c * z + 1.1470745597729725e-11;
            c = c * z + 2.08767569878681e-09;
            c = c * z + 2.755731922398589e-07;
            c = c * z + 2.48015873015873e-05;
            c = c * z + 0.001388888888888889;
            c = c * z + 0.041666666666666664;
            return 1.0 + (0.5 * z + z * z * c);
        }
        if (a < 22.0)
        {
            double e = Exp(a);
            return 0.5 * (e + 1.0 / e);
        }
        return HalfExp(a);
    }

    /// <summary>Hyperbolic cosine, computed in double and rounded once to float.</summary>
    public static float Cosh(float x) => (float)Cosh((double)x);

    /// <summary>Hyperbolic tangent.</summary>
    public static double Tanh(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a < Tiny) return x;
        double r;
        if (a < 0.55)
        {
            // x + x z Q(z), Q fitted by Chebyshev interpolation (tools/fit_coeffs.py, error < 1e-20).
            double z = a * a;
            double q = -3.0095084486657237e-06;
            q = q * z + 1.3343110444710785e-05;
            q = q * z - 3.806913419944137e-05;
            q = q * z + 9.653771195496335e-05;
            q = q * z - 0.000239048242168132;
            q = q * z + 0.0005900154482039874;
            q = q * z - 0.001455833163252327;
            q = q * z + 0.003592127952591601;
            q = q * z - 0.008863235526193567;
            q = q * z + 0.021869488536057545;
            q = q * z - 0.05396825396825263;
            q = q * z + 0.13333333333333333;
            q = q * z - 0.3333333333333333;
            r = a + a * z * q;
        }
        else if (a < 22.0) r = 1.0 - 2.0 / (Expm1(2.0 * a) + 2.0);
        else r = 1.0;                                   // 1 - tanh 22 = 1.6e-19 < 2^-54
        return x < 0 ? -r : r;
    }

    /// <summary>Hyperbolic tangent, computed in double and rounded once to float.</summary>
    public static float Tanh(float x) => (float)Tanh((double)x);

    /// <summary>Inverse hyperbolic sine.</summary>
    public static double Asinh(double x)
    {
        if (IsNaN(x) || Math.Abs(x) == double.PositiveInfinity) return x;
        double a = Math.Abs(x);
        if (a < Tiny) return x;
        double r;
        if (a < 0.5)
        {
            // x + x z Q(z) (tools/fit_coeffs.py, fit error < 1e-25).
            double z = a * a;
            double q = 0.0005278433136706927;
            q = q * z - 0.0017665652918868408;
            q = q * z + 0.0031660659424994405;
            q = q * z - 0.004256999737870726;
            q = q * z + 0.005039975057936455;
            q = q * z - 0.00571585237828946;
            q = q * z + 0.006443263346213194;
            q = q * z - 0.007312032284303735;
            q = q * z + 0.008390288675169959;
            q = q * z - 0.009761606124143556;
            q = q * z + 0.011551800713021998;
            q = q * z - 0.013964843742847488;
            q = q * z + 0.017352764422881275;
            q = q * z - 0.022372159090905543;
            q = q * z + 0.030381944444444406;
            q = q * z - 0.044642857142857144;
            q = q * z + 0.075;
            q = q * z - 0.16666666666666666;
            r = a + a * z * q;
        }
        else
        {
            // One log1p for all three ranges (each inlined call is a copy of the log core):
            // a < 2: log1p(a + a^2 / (1 + sqrt(1 + a^2)));
            // a < 2^28: log(2a + 1/(sqrt(a^2 + 1) + a)), as log1p with 2a - 1 exact;
            // above, sqrt(a^2 + 1) = a to 2^-57, so log(2a) = log1p(2a - 1).
            double z = a * a;
            double arg;
            if (a < 2.0) arg = a + z / (1.0 + Math.Sqrt(1.0 + z));
            else if (a < 268435456.0) arg = (2.0 * a - 1.0) + 1.0 / (Math.Sqrt(z + 1.0) + a);
            else arg = LargeLogArg(a);
            r = Log1p(arg) + LargeLogShift(a);
        }
        return x < 0 ? -r : r;
    }

    // For a >= 2^28: log(2a) = log1p(LargeLogArg(a)) + LargeLogShift(a). 2a - 1 (rounded for
    // a >= 2^52, an error below 2^-53 relative in a log above 19); above 2^1022, 2a would overflow,
    // so a/2 - 1 and 2 ln 2 added.
    private static double LargeLogArg(double a) => a < 4.49423283715579e307 ? 2.0 * a - 1.0 : 0.5 * a - 1.0;

    private static double LargeLogShift(double a) => a < 4.49423283715579e307 ? 0.0 : 2.0 * Ln2;

    /// <summary>Inverse hyperbolic sine, computed in double and rounded once to float.</summary>
    public static float Asinh(float x) => (float)Asinh((double)x);

    /// <summary>Inverse hyperbolic cosine; NaN below 1.</summary>
    public static double Acosh(double x)
    {
        if (IsNaN(x) || x == double.PositiveInfinity) return x;
        if (x < 1.0) return double.NaN;
        DD arg;
        if (x < 2.0) arg = AcoshNearOne(x - 1.0);      // x - 1 exact
        else
        {
            // log(2x - 1/(x + sqrt(x^2 - 1))) = log1p(2x - 1 - ...), 2x - 1 exact below 2^52; above
            // 2^28 the square root equals x to 2^-57.
            double big = x < 268435456.0 ? (2.0 * x - 1.0) - 1.0 / (x + Math.Sqrt(x * x - 1.0)) : LargeLogArg(x);
            arg = new DD(big, 0.0);
        }
        return Log1pWithLo(arg.Hi, arg.Lo) + LargeLogShift(x);   // one inlined log core
    }

    // acosh(1 + t) = log1p(t + sqrt(2t + t^2)); the square root's argument and result carry their
    // rounding errors, so the log1p argument is returned as a double-double (near 1 it is about
    // sqrt(2t), where three separate roundings would add up).
    private static DD AcoshNearOne(double t)
    {
        DD tt = TwoProd(t, t);
        DD u = TwoSum(2.0 * t, tt.Hi);
        double ul = u.Lo + tt.Lo;
        double s = Math.Sqrt(u.Hi);
        double c = s == 0.0 ? 0.0 : (Residual(u.Hi, s, s) + ul) / (2.0 * s);
        DD arg = TwoSum(t, s);
        return new DD(arg.Hi, arg.Lo + c);
    }

    /// <summary>Inverse hyperbolic cosine, computed in double and rounded once to float.</summary>
    public static float Acosh(float x) => (float)Acosh((double)x);

    /// <summary>Inverse hyperbolic tangent; ±∞ at ±1, NaN outside [-1, 1].</summary>
    public static double Atanh(double x)
    {
        if (IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a > 1.0) return double.NaN;
        if (a == 1.0) return x > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        if (a < Tiny) return x;
        double r;
        // atanh a = log1p(2a / (1 - a)) / 2, written as 2a + 2a^2/(1 - a) below 1/2 so the
        // exact 2a dominates the argument.
        double arg = a < 0.5 ? 2.0 * a + 2.0 * a * a / (1.0 - a) : 2.0 * a / (1.0 - a);   // 1 - a exact above 1/2
        r = 0.5 * Log1p(arg);
        return x < 0 ? -r : r;
    }

    /// <summary>Inverse hyperbolic tangent, computed in double and rounded once to float.</summary>
    public static float Atanh(float x) => (float)Atanh((double)x);
}
