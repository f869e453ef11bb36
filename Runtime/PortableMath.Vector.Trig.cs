using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;
using VL = System.Runtime.Intrinsics.Vector256<long>;

namespace Dsl;

// Sin and Cos (PortableMath.Trig.cs) and Sinh, Cosh, Tanh (PortableMath.Hyperbolic.cs) step by step.
public static partial class PortableMathVector
{
    // PortableMath.Reduce for |x| < TrigExactLimit: x = k π/2 + (Hi + Lo), Q = k mod 4 as a double.
    // Lanes beyond the limit get a meaningless value here and are recomputed by the caller.
    private static (V Hi, V Lo, V Q) Reduce(V x)
    {
        V small = Le(Abs(x), C(PortableMath.PiO4));
        V k = Round(x * C(PortableMath.TwoOverPi));
        V t = x - k * C(PortableMath.PiO2P1);
        DD a = TwoSum(t, Neg(k * C(PortableMath.PiO2P2)));
        DD b = TwoSum(a.Hi, Neg(k * C(PortableMath.PiO2P3)));
        DD r = TwoSum(b.Hi, (a.Lo + b.Lo) - k * C(PortableMath.PiO2P4));
        V q4 = k - C(4.0) * Vector256.Floor(k * C(0.25));
        return (Sel(small, x, r.Hi), Sel(small, V.Zero, r.Lo), Sel(small, V.Zero, q4));
    }

    private static V SinTail(V hi, V lo)
    {
        V z = hi * hi;
        V p = C(-8.22063524662433e-18);
        p = p * z + C(2.8114572543455206e-15);
        p = p * z - C(7.647163731819816e-13);
        p = p * z + C(1.6059043836821613e-10);
        p = p * z - C(2.505210838544172e-08);
        p = p * z + C(2.7557319223985893e-06);
        p = p * z - C(0.0001984126984126984);
        p = p * z + C(0.008333333333333333);
        p = p * z - C(0.16666666666666666);
        return hi * z * p + lo * (C(1.0) - C(0.5) * z);
    }

    private static V CosValue(V hi, V lo)
    {
        DD c = CosPair(hi, lo);
        return c.Hi + c.Lo;
    }

    private static DD CosPair(V hi, V lo)
    {
        DD zz = TwoProd(hi, hi);
        V z = zz.Hi;
        V c = C(4.110317623312165e-19);
        c = c * z - C(1.5619206968586225e-16);
        c = c * z + C(4.779477332387385e-14);
        c = c * z - C(1.1470745597729725e-11);
        c = c * z + C(2.08767569878681e-09);
        c = c * z - C(2.755731922398589e-07);
        c = c * z + C(2.48015873015873e-05);
        c = c * z - C(0.001388888888888889);
        c = c * z + C(0.041666666666666664);
        V hz = C(0.5) * z;
        V w = C(1.0) - hz;
        V tail = ((C(1.0) - w) - hz) + (zz.Lo * C(-0.5) + (z * z * c - hi * lo));
        return new DD(w, tail);
    }

    // PortableMath.Divide: (ah + al) / (bh + bl) with the remainder corrected once.
    private static V Divide(V ah, V al, V bh, V bl)
    {
        V b = bh + bl;
        V q = (ah + al) / b;
        V rem = Residual(ah, q, bh) + (al - q * bl);
        return q + rem / b;
    }

    /// <summary>Lane-wise <see cref="PortableMath.Tan(double)"/>, bit for bit (lanes with |x| &gt; 3.29e6
    /// call the scalar function).</summary>
    public static V Tan(V x)
    {
        (V hi, V lo, V q) = Reduce(x);
        V sTail = SinTail(hi, lo);
        DD c = CosPair(hi, lo);
        V odd = Eq(q, C(1.0)) | Eq(q, C(3.0));
        V r = Sel(odd, Neg(Divide(c.Hi, c.Lo, hi, sTail)), Divide(hi, sTail, c.Hi, c.Lo));
        r = Sel(Lt(Abs(x), C(PortableMath.Tiny)), x, r);
        r = Sel(IsNaN(x) | Eq(Abs(x), C(double.PositiveInfinity)), C(double.NaN), r);
        V big = BigTrigLanes(x);
        if (Any(big))
        {
            for (int i = 0; i < V.Count; i++)
            {
                if (big[i] != 0.0) r = r.WithElement(i, PortableMath.Tan(x[i]));
            }
        }
        return r;
    }

    /// <summary>Lane-wise <see cref="PortableMath.Tan(float)"/>, bit for bit.</summary>
    public static Vector256<float> Tan(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Tan(lo), Tan(hi));
    }

    // Lanes with |x| beyond 2^21 π/2 (finite): the scalar reduction loops a data-dependent number of
    // times (up to 40), so those lanes, rare in practice, are recomputed by the scalar function.
    private static V BigTrigLanes(V x) =>
        Gt(Abs(x), C(PortableMath.TrigExactLimit)) & Lt(Abs(x), C(double.PositiveInfinity));

    /// <summary>Lane-wise <see cref="PortableMath.Sin(double)"/>, bit for bit (lanes with |x| &gt; 3.29e6
    /// call the scalar function).</summary>
    public static V Sin(V x)
    {
        (V hi, V lo, V q) = Reduce(x);
        V odd = Eq(q, C(1.0)) | Eq(q, C(3.0));
        V v = Sel(odd, CosValue(hi, lo), hi + SinTail(hi, lo));
        V r = Sel(Ge(q, C(2.0)), Neg(v), v);
        r = Sel(Lt(Abs(x), C(PortableMath.Tiny)), x, r);
        r = Sel(IsNaN(x) | Eq(Abs(x), C(double.PositiveInfinity)), C(double.NaN), r);
        V big = BigTrigLanes(x);
        if (Any(big))
        {
            for (int i = 0; i < V.Count; i++)
            {
                if (big[i] != 0.0) r = r.WithElement(i, PortableMath.Sin(x[i]));
            }
        }
        return r;
    }

    /// <summary>Lane-wise <see cref="PortableMath.Sin(float)"/>, bit for bit.</summary>
    public static Vector256<float> Sin(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Sin(lo), Sin(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Cos(double)"/>, bit for bit (lanes with |x| &gt; 3.29e6
    /// call the scalar function).</summary>
    public static V Cos(V x)
    {
        (V hi, V lo, V q) = Reduce(x);
        V odd = Eq(q, C(1.0)) | Eq(q, C(3.0));
        V v = Sel(odd, hi + SinTail(hi, lo), CosValue(hi, lo));
        V r = Sel(Eq(q, C(1.0)) | Eq(q, C(2.0)), Neg(v), v);   // q = 0: cos, 1: -sin, 2: -cos, 3: sin
        r = Sel(Lt(Abs(x), C(PortableMath.Tiny)), C(1.0), r);
        r = Sel(IsNaN(x) | Eq(Abs(x), C(double.PositiveInfinity)), C(double.NaN), r);
        V big = BigTrigLanes(x);
        if (Any(big))
        {
            for (int i = 0; i < V.Count; i++)
            {
                if (big[i] != 0.0) r = r.WithElement(i, PortableMath.Cos(x[i]));
            }
        }
        return r;
    }

    /// <summary>Lane-wise <see cref="PortableMath.Cos(float)"/>, bit for bit.</summary>
    public static Vector256<float> Cos(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Cos(lo), Cos(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Tanh(double)"/>, bit for bit.</summary>
    public static V Tanh(V x)
    {
        V a = Abs(x);
        V z = a * a;
        V q = C(-3.0095084486657237e-06);
        q = q * z + C(1.3343110444710785e-05);
        q = q * z - C(3.806913419944137e-05);
        q = q * z + C(9.653771195496335e-05);
        q = q * z - C(0.000239048242168132);
        q = q * z + C(0.0005900154482039874);
        q = q * z - C(0.001455833163252327);
        q = q * z + C(0.003592127952591601);
        q = q * z - C(0.008863235526193567);
        q = q * z + C(0.021869488536057545);
        q = q * z - C(0.05396825396825263);
        q = q * z + C(0.13333333333333333);
        q = q * z - C(0.3333333333333333);
        V poly = Lt(a, C(0.55));
        V r = C(1.0);
        // Expm1 only when some lane lies in [0.55, 22) (a lane no one selects changes no bits).
        V mid = Not(poly) & Lt(a, C(22.0));
        // Other lanes get the argument 2 (any value above Expm1's 0.7 would do), so Expm1 does not also
        // evaluate its small-argument series for lanes that are discarded.
        if (Any(mid)) r = Sel(mid, C(1.0) - C(2.0) / (Expm1(Sel(mid, C(2.0) * a, C(2.0))) + C(2.0)), r);
        r = Sel(poly, a + a * z * q, r);
        r = Sel(Lt(x, V.Zero), Neg(r), r);
        return Sel(IsNaN(x) | Lt(a, C(PortableMath.Tiny)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Tanh(float)"/>, bit for bit.</summary>
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Tanh(lo), Tanh(hi));
    }

    // PortableMath.HalfExp: e^a / 2 for 0 <= a.
    private static V HalfExp(V a)
    {
        (V p, VL k) = ExpReduced(a, V.Zero);
        return Sel(Gt(a, C(711.0)), C(double.PositiveInfinity), Scale(C(1.0) + p, k - CL(1)));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Sinh(double)"/>, bit for bit.</summary>
    public static V Sinh(V x)
    {
        V a = Abs(x);
        V z = a * a;
        V p = C(8.22063524662433e-18);
        p = p * z + C(2.8114572543455206e-15);
        p = p * z + C(7.647163731819816e-13);
        p = p * z + C(1.6059043836821613e-10);
        p = p * z + C(2.505210838544172e-08);
        p = p * z + C(2.7557319223985893e-06);
        p = p * z + C(0.0001984126984126984);
        p = p * z + C(0.008333333333333333);
        p = p * z + C(0.16666666666666666);
        V r = Any(Ge(a, C(22.0))) ? HalfExp(a) : V.Zero;
        V mid = Ge(a, C(1.0)) & Lt(a, C(22.0));
        if (Any(mid))
        {
            V e = Exp(a);
            r = Sel(Lt(a, C(22.0)), C(0.5) * (e - C(1.0) / e), r);
        }
        r = Sel(Lt(a, C(1.0)), a + a * z * p, r);
        r = Sel(Lt(x, V.Zero), Neg(r), r);
        return Sel(IsNaN(x) | Lt(a, C(PortableMath.Tiny)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Sinh(float)"/>, bit for bit.</summary>
    public static Vector256<float> Sinh(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Sinh(lo), Sinh(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Cosh(double)"/>, bit for bit.</summary>
    public static V Cosh(V x)
    {
        V a = Abs(x);
        V z = a * a;
        V c = C(4.110317623312165e-19);
        c = c * z + C(1.5619206968586225e-16);
        c = c * z + C(4.779477332387385e-14);
        c = c * z + C(1.1470745597729725e-11);
        c = c * z + C(2.08767569878681e-09);
        c = c * z + C(2.755731922398589e-07);
        c = c * z + C(2.48015873015873e-05);
        c = c * z + C(0.001388888888888889);
        c = c * z + C(0.041666666666666664);
        V r = Any(Ge(a, C(22.0))) ? HalfExp(a) : V.Zero;
        V mid = Ge(a, C(1.0)) & Lt(a, C(22.0));
        if (Any(mid))
        {
            V e = Exp(a);
            r = Sel(Lt(a, C(22.0)), C(0.5) * (e + C(1.0) / e), r);
        }
        r = Sel(Lt(a, C(1.0)), C(1.0) + (C(0.5) * z + z * z * c), r);
        r = Sel(Lt(a, C(PortableMath.Tiny)), C(1.0), r);
        return Sel(IsNaN(x), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Cosh(float)"/>, bit for bit.</summary>
    public static Vector256<float> Cosh(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Cosh(lo), Cosh(hi));
    }
}
