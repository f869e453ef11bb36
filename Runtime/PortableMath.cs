using System;

namespace Dsl;

/// <summary>
/// Transcendental functions written as plain C# (argument reduction and polynomials, no tables, no
/// exceptions, no System.Math transcendental calls), so that they compile to the same arithmetic
/// inside ILGPU kernels on every machine and never to <c>.extern</c> calls. Names and overloads
/// match <see cref="Math"/> and <see cref="MathF"/>; <c>Expm1</c> and <c>Log1p</c> are the extra
/// two. Measured error: at most 2 ulp in double and float (docs/portable-math.md gives the
/// per-function figures and the ranges: sin/cos/tan reduce exactly for |x| below 2^21·π/2).
/// Float overloads evaluate the double function and round once, so a float result lies within
/// 1 ulp of the correctly rounded float.
/// </summary>
public static partial class PortableMath
{
    // A double-double value hi + lo with |lo| <= ulp(hi)/2; used where a result must carry more
    // than 53 bits into the next step (log for pow, log2 and log10; the reduced trig argument).
    private readonly struct DD
    {
        public readonly double Hi;
        public readonly double Lo;

        public DD(double hi, double lo)
        {
            Hi = hi;
            Lo = lo;
        }
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    private static double FromBits(long b) => BitConverter.Int64BitsToDouble(b);

    // A bit test rather than double.IsNaN, so kernels need no intrinsic mapping for it.
    private static bool IsNaN(double x) => (Bits(x) & 0x7FFFFFFFFFFFFFFFL) > 0x7FF0000000000000L;

    // x * 2^k for any int k: the last multiplication is the only rounding, so a result in the
    // subnormal range is rounded once.
    private static double Scale(double x, int k)
    {
        if (k > 1000)
        {
            x *= FromBits((long)(1000 + 1023) << 52);
            k -= 1000;
            if (k > 1000)
            {
                x *= FromBits((long)(1000 + 1023) << 52);
                k -= 1000;
                if (k > 1023) k = 1023;
            }
        }
        else if (k < -1000)
        {
            x *= FromBits((long)(-1000 + 1023) << 52);
            k += 1000;
            if (k < -1000)
            {
                x *= FromBits((long)(-1000 + 1023) << 52);
                k += 1000;
                if (k < -1022) k = -1022;
            }
        }
        return x * FromBits((long)(k + 1023) << 52);
    }

    // Exact sum a + b = s + err (Knuth's two-sum, no precondition on magnitudes).
    private static DD TwoSum(double a, double b)
    {
        double s = a + b;
        double bv = s - a;
        double err = (a - (s - bv)) + (b - bv);
        return new DD(s, err);
    }

    // Exact sum when |a| >= |b| (or a == 0).
    private static DD FastTwoSum(double a, double b)
    {
        double s = a + b;
        return new DD(s, b - (s - a));
    }

    // Clears the low 27 of the 52 fraction bits: the high half of Dekker's split. A bit mask rather
    // than Veltkamp's (2^27 + 1) x multiply, and no Math.FusedMultiplyAdd: ILGPU 1.5.3 compiles the
    // latter to an .extern call, and ILGPU's PTX lets the assembler contract a multiply and an add.
    internal const long SplitMask = unchecked((long)0xFFFFFFFFF8000000UL);

    // a * b exactly as a double-double (up to al*bl's rounding, 2^-106 relative). Built only from
    // the exact partial products ah*bh, ah*bl, al*bh and two-sums, never from the rounded a*b:
    // fusing an exact product into an add changes nothing, so the result is the same whether or not
    // the PTX assembler contracts (a rounded a*b fused into `c - a*b` would lose its error term).
    private static DD TwoProd(double a, double b)
    {
        double ah = FromBits(Bits(a) & SplitMask);
        double bh = FromBits(Bits(b) & SplitMask);
        double al = a - ah;
        double bl = b - bh;
        DD s = TwoSum(ah * bh, ah * bl);
        DD t = TwoSum(s.Hi, al * bh);
        return FastTwoSum(t.Hi, (s.Lo + t.Lo) + al * bl);
    }

    // c - a * b, exact up to 2^-106 |c|, where a * b is close to c (Sterbenz makes c - hi exact):
    // a division's or a square root's remainder.
    private static double Residual(double c, double a, double b)
    {
        DD p = TwoProd(a, b);
        return (c - p.Hi) - p.Lo;
    }

    // (a.Hi + a.Lo) * (bHi + bLo) as a double-double, relative error about 2^-104.
    private static DD Mul(DD a, double bHi, double bLo)
    {
        DD p = TwoProd(a.Hi, bHi);
        return FastTwoSum(p.Hi, p.Lo + (a.Hi * bLo + a.Lo * bHi));
    }
}
