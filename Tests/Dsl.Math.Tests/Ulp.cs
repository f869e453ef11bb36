using System;

namespace Dsl.Math.Tests;

/// <summary>
/// Distance in representable values between two results: 0 when equal (or both NaN), 1 between
/// neighbours, large when one is NaN and the other not. Against a correctly rounded reference, a
/// result whose true error is below 1.5 ulp has distance at most 2 (the bound asserted here is
/// the "≤ 2 ulp", read as this distance).
/// </summary>
public static class Ulp
{
    private static long Key(double v)
    {
        long b = BitConverter.DoubleToInt64Bits(v == 0.0 ? 0.0 : v);   // ±0 coincide
        return b >= 0 ? b : long.MinValue - b;
    }

    private static long Key(float v)
    {
        int b = BitConverter.SingleToInt32Bits(v == 0f ? 0f : v);
        return b >= 0 ? b : int.MinValue - b;
    }

    public static double Distance(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : double.PositiveInfinity;
        if (a == b) return 0;
        return (double)Int128.Abs((Int128)Key(a) - Key(b));   // in Int128: the keys are too large for double
    }

    public static double Distance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : double.PositiveInfinity;
        if (a == b) return 0;
        return (double)Int128.Abs((Int128)Key(a) - Key(b));   // in Int128: the keys are too large for double
    }
}
