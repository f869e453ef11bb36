using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;

namespace Dsl;

// Atan and Atan2: PortableMath.InverseTrig.cs step by step.
public static partial class PortableMathVector
{
    private static V AtanTail(V t)
    {
        V z = t * t;
        V q = C(0.014773184616983806);
        q = q * z - C(0.033128134256069586);
        q = q * z + C(0.04492259293193656);
        q = q * z - C(0.05216679739313656);
        q = q * z + C(0.05876946456755061);
        q = q * z - C(0.06666241923359964);
        q = q * z + C(0.07692285554889286);
        q = q * z - C(0.09090908355602592);
        q = q * z + C(0.11111111096645038);
        q = q * z - C(0.14285714285566806);
        q = q * z + C(0.1999999999999941);
        q = q * z - C(0.3333333333333333);
        return t * z * q;
    }

    /// <summary>Lane-wise <see cref="PortableMath.Atan(double)"/>, bit for bit.</summary>
    public static V Atan(V x)
    {
        V a = Abs(x);
        // The five ranges' reduced arguments t and constants atan c = hi + lo, selected per lane; one
        // AtanTail on the selected t (the first range's t is a itself).
        V r1 = Lt(a, C(0.4375));
        V r2 = Lt(a, C(0.6875));
        V r3 = Lt(a, C(1.1875));
        V r4 = Lt(a, C(2.4375));
        V t = Sel(r4, (a - C(1.5)) / (C(1.0) + C(1.5) * a), C(-1.0) / a);
        t = Sel(r3, (a - C(1.0)) / (a + C(1.0)), t);
        t = Sel(r2, (C(2.0) * a - C(1.0)) / (C(2.0) + a), t);
        t = Sel(r1, a, t);
        V hi = Sel(r4, C(PortableMath.Atan15Hi), C(PortableMath.PiO2Hi));
        hi = Sel(r3, C(PortableMath.PiO4), hi);
        hi = Sel(r2, C(PortableMath.Atan05Hi), hi);
        V lo = Sel(r4, C(PortableMath.Atan15Lo), C(PortableMath.PiO2Lo));
        lo = Sel(r3, C(PortableMath.PiO4Lo), lo);
        lo = Sel(r2, C(PortableMath.Atan05Lo), lo);
        V tail = AtanTail(t);
        V r = Sel(r1, a + tail, hi + (t + (tail + lo)));
        r = Sel(Lt(x, V.Zero), Neg(r), r);
        return Sel(IsNaN(x) | Lt(a, C(PortableMath.Tiny)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Atan(float)"/>, bit for bit.</summary>
    public static Vector256<float> Atan(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Atan(lo), Atan(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Atan2(double, double)"/>, bit for bit.</summary>
    public static V Atan2(V y, V x)
    {
        V yNeg = Lt(y, V.Zero) | (Eq(y, V.Zero) & SignBit(y));
        V xNeg = Lt(x, V.Zero) | (Eq(x, V.Zero) & SignBit(x));
        V ax = Abs(x);
        V ay = Abs(y);
        V inf = C(double.PositiveInfinity);
        V piOrZero = Sel(xNeg, C(PortableMath.PiHi), V.Zero);
        V r = Atan(ay / ax);
        r = Sel(xNeg, C(PortableMath.PiHi) - (r - C(PortableMath.PiLo)), r);
        r = Sel(Eq(ay, inf), C(PortableMath.PiO2Hi), r);
        V bothInf = Sel(xNeg, C(2.356194490192345), C(PortableMath.PiO4));
        r = Sel(Eq(ax, inf), Sel(Eq(ay, inf), bothInf, piOrZero), r);
        r = Sel(Eq(ax, V.Zero), C(PortableMath.PiO2Hi), r);
        r = Sel(Eq(ay, V.Zero), piOrZero, r);
        r = Sel(yNeg, Neg(r), r);
        return Sel(IsNaN(x) | IsNaN(y), C(double.NaN), r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Atan2(float, float)"/>, bit for bit.</summary>
    public static Vector256<float> Atan2(Vector256<float> y, Vector256<float> x)
    {
        (V yLo, V yHi) = Vector256.Widen(y);
        (V xLo, V xHi) = Vector256.Widen(x);
        return Vector256.Narrow(Atan2(yLo, xLo), Atan2(yHi, xHi));
    }
}
