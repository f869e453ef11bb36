using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;
using VL = System.Runtime.Intrinsics.Vector256<long>;

namespace Dsl;

// Log, Log1p and Pow: PortableMath.Log.cs and PortableMath.Pow.cs step by step.
public static partial class PortableMathVector
{
    // PortableMath.LogCore; e is the integer exponent as a double (exactly what the scalar int * double
    // converts it to).
    private static DD LogCore(V e, V f)
    {
        V d = C(2.0) + f;
        V dLo = f - (d - C(2.0));
        V s = f / d;
        V sLo = (Residual(f, s, d) - s * dLo) / d;
        DD s2 = TwoProd(s, s);
        DD s3 = TwoProd(s2.Hi, s);
        V bh = s3.Hi;
        V bl = s3.Lo + s2.Lo * s + C(3.0) * s2.Hi * sLo;
        DD c3 = TwoProd(C(PortableMath.TwoThirds), bh);
        V ch = c3.Hi;
        V cl = c3.Lo + C(PortableMath.TwoThirdsLo) * bh + C(PortableMath.TwoThirds) * bl;
        V z = s2.Hi;
        V t = C(0.08);
        t = t * z + C(0.08695652173913043);
        t = t * z + C(0.09523809523809523);
        t = t * z + C(0.10526315789473684);
        t = t * z + C(0.11764705882352941);
        t = t * z + C(0.13333333333333333);
        t = t * z + C(0.15384615384615385);
        t = t * z + C(0.18181818181818182);
        t = t * z + C(0.2222222222222222);
        t = t * z + C(0.2857142857142857);
        t = t * z + C(0.4);
        t = t * z * bh;
        V eh = e * C(PortableMath.Ln2Hi);
        DD a = TwoSum(eh, C(2.0) * s);
        DD b = TwoSum(a.Hi, ch);
        V lo = a.Lo + b.Lo + (e * C(PortableMath.Ln2Lo) + (C(2.0) * sLo + (cl + t)));
        return TwoSum(b.Hi, lo);
    }

    // PortableMath.Split: x = 2^E (1 + F) for finite x > 0 (other lanes: anything).
    private static (V E, V F) Split(V x)
    {
        V sub = Lt(x, C(2.2250738585072014e-308));
        x = Sel(sub, x * C(18014398509481984.0), x);
        VL e = Sel(sub.AsInt64(), CL(-54), VL.Zero);
        VL bits = x.AsInt64();
        e += (Vector256.ShiftRightLogical(bits, 52) & CL(0x7FF)) - CL(1023);
        V m = ((bits & CL(0xFFFFFFFFFFFFFL)) | CL(0x3FF0000000000000L)).AsDouble();
        V big = Gt(m, C(PortableMath.Sqrt2));
        m = Sel(big, m * C(0.5), m);
        e = Sel(big.AsInt64(), e + CL(1), e);
        return (ToDouble(e), m - C(1.0));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log(double)"/>, bit for bit.</summary>
    public static V Log(V x)
    {
        (V e, V f) = Split(x);
        V r = LogCore(e, f).Hi;
        r = Sel(Eq(x, V.Zero), C(double.NegativeInfinity), r);
        r = Sel(Lt(x, V.Zero), C(double.NaN), r);
        return Sel(IsNaN(x) | Eq(x, C(double.PositiveInfinity)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log(float)"/>, bit for bit.</summary>
    public static Vector256<float> Log(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Log(lo), Log(hi));
    }

    // PortableMath.Log2 / Log10: log x as a double-double times the constant's two parts.
    private static V LogTimes(V x, double cHi, double cLo)
    {
        (V e, V f) = Split(x);
        V r = Mul(LogCore(e, f), C(cHi), C(cLo)).Hi;
        r = Sel(Eq(x, V.Zero), C(double.NegativeInfinity), r);
        r = Sel(Lt(x, V.Zero), C(double.NaN), r);
        return Sel(IsNaN(x) | Eq(x, C(double.PositiveInfinity)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log2(double)"/>, bit for bit.</summary>
    public static V Log2(V x) => LogTimes(x, PortableMath.Log2EHi, PortableMath.Log2ELo);

    /// <summary>Lane-wise <see cref="PortableMath.Log2(float)"/>, bit for bit.</summary>
    public static Vector256<float> Log2(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Log2(lo), Log2(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log10(double)"/>, bit for bit.</summary>
    public static V Log10(V x) => LogTimes(x, PortableMath.Log10EHi, PortableMath.Log10ELo);

    /// <summary>Lane-wise <see cref="PortableMath.Log10(float)"/>, bit for bit.</summary>
    public static Vector256<float> Log10(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Log10(lo), Log10(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log1p(double)"/>, bit for bit.</summary>
    public static V Log1p(V x)
    {
        V xLo = V.Zero;
        V u = C(1.0) + x;
        V near = Ge(u, C(0.7071067811865476)) & Lt(u, C(PortableMath.Sqrt2));
        DD su = TwoSum(C(1.0), x);
        (V e, V f) = Split(su.Hi);
        e = Sel(near, V.Zero, e);
        f = Sel(near, x, f);
        V corr = Sel(near, xLo / u, (su.Lo + xLo) / su.Hi);
        DD l = LogCore(e, f);
        V r = l.Hi + (l.Lo + corr);
        r = Sel(Lt(Abs(x), C(8.673617379884035e-19)), x, r);
        r = Sel(Eq(x, C(-1.0)), C(double.NegativeInfinity), r);
        r = Sel(Lt(x, C(-1.0)), C(double.NaN), r);
        return Sel(IsNaN(x) | Eq(x, C(double.PositiveInfinity)), x, r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Log1p(float)"/>, bit for bit.</summary>
    public static Vector256<float> Log1p(Vector256<float> x)
    {
        (V lo, V hi) = Vector256.Widen(x);
        return Vector256.Narrow(Log1p(lo), Log1p(hi));
    }

    /// <summary>Lane-wise <see cref="PortableMath.Pow(double, double)"/>, bit for bit.</summary>
    public static V Pow(V x, V y)
    {
        V ax = Abs(x);
        V ay = Abs(y);
        V inf = C(double.PositiveInfinity);
        V yInt = Eq(Vector256.Floor(y), y);
        V yOdd = yInt & Lt(ay, C(9007199254740992.0)) & Not(Eq(Vector256.Floor(y * C(0.5)) * C(2.0), y));
        V neg = Lt(x, V.Zero) | (Eq(x, V.Zero) & SignBit(x));
        V xNeg = Lt(x, V.Zero);
        V yNeg = Lt(y, V.Zero);
        V sign = Sel(xNeg & yOdd, C(-1.0), C(1.0));
        (V e, V f) = Split(ax);
        DD l = LogCore(e, f);
        V approx = y * l.Hi;
        DD p = Mul(l, y, V.Zero);
        (V pp, VL k) = ExpReduced(p.Hi, p.Lo);
        V r = sign * Scale(C(1.0) + pp, k);
        r = Sel(Lt(approx, C(PortableMath.ExpUnderflow - 0.01)), sign * V.Zero, r);
        r = Sel(Gt(approx, C(PortableMath.ExpOverflow + 0.01)), sign * inf, r);
        r = Sel(xNeg & Not(yInt), C(double.NaN), r);
        V m = Sel(Same(Eq(ax, V.Zero), yNeg), inf, V.Zero);   // 0^-y and ∞^y are infinite
        r = Sel(Eq(ax, V.Zero) | Eq(ax, inf), Sel(neg & yOdd, Neg(m), m), r);
        V yInfValue = Sel(Eq(ax, C(1.0)), C(1.0), Sel(Same(Lt(ax, C(1.0)), yNeg), inf, V.Zero));
        r = Sel(Eq(ay, inf), yInfValue, r);
        r = Sel(IsNaN(x) | IsNaN(y), C(double.NaN), r);
        return Sel(Eq(y, V.Zero) | Eq(x, C(1.0)), C(1.0), r);
    }

    /// <summary>Lane-wise <see cref="PortableMath.Pow(float, float)"/>, bit for bit.</summary>
    public static Vector256<float> Pow(Vector256<float> x, Vector256<float> y)
    {
        (V xLo, V xHi) = Vector256.Widen(x);
        (V yLo, V yHi) = Vector256.Widen(y);
        return Vector256.Narrow(Pow(xLo, yLo), Pow(xHi, yHi));
    }
}
