using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;
using VL = System.Runtime.Intrinsics.Vector256<long>;

namespace Dsl;

/// <summary>
/// Lane-parallel versions of <see cref="PortableMath"/> for code that runs several items in the lanes of
/// a <see cref="Vector256{T}"/> (4 doubles or 8 floats). Every lane's result has the same bits as the
/// scalar function applied to that lane, for every input (NaN payloads, signed zeros, subnormals,
/// infinities included): the vector code performs the scalar code's IEEE operations in the same order
/// (no fused multiply-add, which the scalar library does not use either), a scalar branch becomes both
/// sides computed and one selected per lane, and float overloads widen to two double vectors, evaluate
/// the double function and narrow once, as the scalar float overloads do. The one slow path is Sin, Cos
/// and Tan for |x| above 2^21·π/2 (3.29e6), where the scalar code runs a data-dependent reduction loop:
/// those lanes call the scalar function (docs/portable-math.md, "Vector versions").
/// </summary>
public static partial class PortableMathVector
{
    // A double-double per lane, as PortableMath.DD.
    private readonly struct DD
    {
        public readonly V Hi;
        public readonly V Lo;

        public DD(V hi, V lo)
        {
            Hi = hi;
            Lo = lo;
        }
    }

    // 2^52 + 2^51: adding it to an integer-valued double of magnitude below 2^51 leaves the integer in
    // the low bits of the sum, exactly; the reverse gives long -> double without a conversion instruction
    // (AVX2 has none for 64-bit integers).
    private const double IntMagic = 6755399441055744.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V C(double c) => Vector256.Create(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static VL CL(long c) => Vector256.Create(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Sel(V mask, V a, V b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static VL Sel(VL mask, VL a, VL b) => Vector256.ConditionalSelect(mask, a, b);

    // Scalar unary minus flips the sign bit (0 - x would turn -0 into +0 and differ on NaN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Neg(V x) => Vector256.Xor(x, C(-0.0));

    // Math.Abs: clears the sign bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Abs(V x) => Vector256.AndNot(x, C(-0.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Lt(V a, V b) => Vector256.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Le(V a, V b) => Vector256.LessThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Gt(V a, V b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Ge(V a, V b) => Vector256.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Eq(V a, V b) => Vector256.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Not(V m) => Vector256.OnesComplement(m);

    // Two masks equal lane by lane (a == b on the scalar bools; Eq would compare NaN patterns).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Same(V a, V b) => Not(Vector256.Xor(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V IsNaN(V x) => Not(Eq(x, x));

    // Bits(x) < 0: the sign bit, as a mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V SignBit(V x) => Vector256.LessThan(x.AsInt64(), VL.Zero).AsDouble();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Any(V mask) => Vector256.ExtractMostSignificantBits(mask) != 0;

    // (long)k for integer-valued k with |k| < 2^51.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static VL ToLong(V k) => (k + C(IntMagic)).AsInt64() - C(IntMagic).AsInt64();

    // (double)k for |k| < 2^51.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V ToDouble(VL k) => (k + C(IntMagic).AsInt64()).AsDouble() - C(IntMagic);

    // 2^k for -1022 <= k <= 1023, built from the exponent bits as the scalar Scale does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Pow2(VL k) => Vector256.ShiftLeft(k + CL(1023), 52).AsDouble();

    // PortableMath.Scale: x * 2^k with the same one, two or three multiplications per lane.
    private static V Scale(V x, VL k)
    {
        // Fast path, same bits: with every |k| <= 1000 the scalar code does the one multiplication.
        VL outside = Vector256.GreaterThan(k, CL(1000)) | Vector256.LessThan(k, CL(-1000));
        if (outside == VL.Zero) return x * Pow2(k);
        V p1000 = Pow2(CL(1000));
        V m1000 = Pow2(CL(-1000));
        VL up = Vector256.GreaterThan(k, CL(1000));
        x = Sel(up.AsDouble(), x * p1000, x);
        k = Sel(up, k - CL(1000), k);
        VL up2 = up & Vector256.GreaterThan(k, CL(1000));
        x = Sel(up2.AsDouble(), x * p1000, x);
        k = Sel(up2, k - CL(1000), k);
        k = Sel(up2 & Vector256.GreaterThan(k, CL(1023)), CL(1023), k);
        VL down = Vector256.LessThan(k, CL(-1000));
        x = Sel(down.AsDouble(), x * m1000, x);
        k = Sel(down, k + CL(1000), k);
        VL down2 = down & Vector256.LessThan(k, CL(-1000));
        x = Sel(down2.AsDouble(), x * m1000, x);
        k = Sel(down2, k + CL(1000), k);
        k = Sel(down2 & Vector256.LessThan(k, CL(-1022)), CL(-1022), k);
        return x * Pow2(k);
    }

    private static DD TwoSum(V a, V b)
    {
        V s = a + b;
        V bv = s - a;
        V err = (a - (s - bv)) + (b - bv);
        return new DD(s, err);
    }

    private static DD FastTwoSum(V a, V b)
    {
        V s = a + b;
        return new DD(s, b - (s - a));
    }

    private static DD TwoProd(V a, V b)
    {
        V mask = Vector256.Create(PortableMath.SplitMask).AsDouble();
        V ah = a & mask;
        V bh = b & mask;
        V al = a - ah;
        V bl = b - bh;
        DD s = TwoSum(ah * bh, ah * bl);
        DD t = TwoSum(s.Hi, al * bh);
        return FastTwoSum(t.Hi, (s.Lo + t.Lo) + al * bl);
    }

    private static V Residual(V c, V a, V b)
    {
        DD p = TwoProd(a, b);
        return (c - p.Hi) - p.Lo;
    }

    private static DD Mul(DD a, V bHi, V bLo)
    {
        DD p = TwoProd(a.Hi, bHi);
        return FastTwoSum(p.Hi, p.Lo + (a.Hi * bLo + a.Lo * bHi));
    }

    // PortableMath.Round (ties to even, sign kept), lane by lane.
    private static V Round(V x)
    {
        V a = Abs(x);
        V f = Vector256.Floor(a);
        V d = a - f;
        V odd = Not(Eq(f - C(2.0) * Vector256.Floor(C(0.5) * f), V.Zero));
        V up = Gt(d, C(0.5)) | (Eq(d, C(0.5)) & odd);
        V r = Sel(up, f + C(1.0), f);
        r = Sel(SignBit(x), Neg(r), r);
        return Sel(Lt(a, C(PortableMath.TwoPow52)), r, x);
    }
}
