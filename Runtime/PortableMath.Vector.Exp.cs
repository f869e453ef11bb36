using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;
using VL = System.Runtime.Intrinsics.Vector256<long>;

namespace Dsl;

// Exp and Expm1: PortableMath.Exp.cs step by step (same constants, same operation order).
public static partial class PortableMathVector
{
    private static V ExpM1Poly(V r) => ExpM1Series(r, C(1.6059043836821613e-10));

    private static V ExpM1Wide(V x)
    {
        V q = C(2.8114572543455206e-15);
        q = q * x + C(4.779477332387385e-14);
        q = q * x + C(7.647163731819816e-13);
        q = q * x + C(1.1470745597729725e-11);
        return ExpM1Series(x, q * x + C(1.6059043836821613e-10));
    }

    private static V ExpM1Series(V r, V q12)
    {
        V q = q12;
        q = q * r + C(2.08767569878681e-09);
        q = q * r + C(2.505210838544172e-08);
        q = q * r + C(2.755731922398589e-07);
        q = q * r + C(2.7557319223985893e-06);
        q = q * r + C(2.48015873015873e-05);
        q = q * r + C(0.0001984126984126984);
        q = q * r + C(0.001388888888888889);
        q = q * r + C(0.008333333333333333);
        q = q * r + C(0.041666666666666664);
        q = q * r + C(0.16666666666666666);
        q = q * r + C(0.5);
        return r + r * r * q;
    }

    // PortableMath.ExpReduced: e^(hi+lo) = 2^K (1 + P). K as 64-bit lanes (|K| <= 1077 wherever used).
    private static (V P, VL K) ExpReduced(V hi, V lo)
    {
        V kd = Round(hi * C(PortableMath.Log2E));
        V rHi = hi - kd * C(PortableMath.Ln2Hi);
        V r = rHi - kd * C(PortableMath.Ln2Lo);
        V rLo = (rHi - r) - kd * C(PortableMath.Ln2Lo) + lo;
        V p = ExpM1Poly(r);
        // Lanes the caller discards (NaN, beyond the thresholds) may hold any K; Scale never faults.
        return (p + rLo * (C(1.0) + p), ToLong(kd));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Exp(double)"/>, bit for bit.</summary>
    public static V Exp(V x)
    {
        (V p, VL k) = ExpReduced(x, V.Zero);
        V r = Scale(C(1.0) + p, k);
        r = Sel(Lt(x, C(PortableMath.ExpUnderflow - 0.01)), V.Zero, r);
        r = Sel(Gt(x, C(PortableMath.ExpOverflow + 0.01)), C(double.PositiveInfinity), r);
        return Sel(IsNaN(x), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Exp(float)"/>, bit for bit.</summary>
    public static Vector256<float> Exp(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Exp(lo), Exp(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Expm1(double)"/>, bit for bit.</summary>
    public static V Expm1(V x)
    {
        // Each side is computed only when some lane takes it (skipping a side no lane selects leaves the bits as they are).
        V wide = Le(Abs(x), C(0.7));
        V r = Any(wide) ? ExpM1Wide(x) : V.Zero;
        if (!Vector256.EqualsAll(wide.AsInt64(), CL(-1))) r = Sel(wide, r, Expm1Reduced(x));
        r = Sel(Lt(x, C(-38.0)), C(-1.0), r);
        r = Sel(Gt(x, C(PortableMath.ExpOverflow + 0.01)), C(double.PositiveInfinity), r);
        return Sel(IsNaN(x) | Eq(x, V.Zero), x, r);
    }

    // PortableMath.Expm1 for |x| > 0.7: 2^k (1 + p) - 1 in the three ranges of k.
    private static V Expm1Reduced(V x)
    {
        (V p, VL k) = ExpReduced(x, V.Zero);
        V one = C(1.0);
        V twoK = Scale(one, k);
        V tk = Scale(one, VL.Zero - k);
        V y = Sel(Vector256.LessThanOrEqual(k, CL(53)).AsDouble(), (one - tk) + p, one + (p - tk));
        V r = Scale(y, k);
        r = Sel(Vector256.LessThan(k, VL.Zero).AsDouble(), Scale(p, k) + (twoK - one), r);
        return Sel(Vector256.GreaterThan(k, CL(1000)).AsDouble(), Scale(one + p, k), r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Expm1(float)"/>, bit for bit.</summary>
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Expm1(lo), Expm1(hi));
    }
}
