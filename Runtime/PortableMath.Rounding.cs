using System;

namespace Dsl;

// Integer-valued and piecewise functions for kernels. ILGPU 1.5.3 maps Math.Floor and Math.Ceiling
// to exact PTX instructions (cvt.rmi, cvt.rpi) but leaves Math.Truncate an `.extern` call, and
// Math.Round, Math.Sign and Math.Clamp either throw (Sign of NaN, Clamp with lo > hi) or are not
// mapped; these give System.Math's values everywhere they are defined, built from Floor alone.
public static partial class PortableMath
{
    // 2^52: every double at least this large in magnitude is an integer (or NaN, or infinite).
    internal const double TwoPow52 = 4503599627370496.0;

    /// <summary>
    /// <see cref="Math.Round(double)"/>: to the nearest integer, ties to even; −0 and negative
    /// values that round to zero keep their sign.
    /// </summary>
    public static double Round(double x)
    {
        var a = Math.Abs(x);
        if (!(a < TwoPow52)) return x;
        var f = Math.Floor(a);
        // a − f is exact: f = 0, or f ≤ a ≤ 2f (Sterbenz).
        var d = a - f;
        var r = d > 0.5 || (d == 0.5 && f - 2.0 * Math.Floor(0.5 * f) != 0.0) ? f + 1.0 : f;
        return Bits(x) < 0 ? -r : r;
    }

    /// <inheritdoc cref="Round(double)"/>
    public static float Round(float x) => (float)Round((double)x);

    /// <summary><see cref="Math.Truncate(double)"/>: towards zero; −0 and negatives keep their sign.</summary>
    public static double Truncate(double x)
    {
        var a = Math.Abs(x);
        if (!(a < TwoPow52)) return x;
        var r = Math.Floor(a);
        return Bits(x) < 0 ? -r : r;
    }

    /// <inheritdoc cref="Truncate(double)"/>
    public static float Truncate(float x) => (float)Truncate((double)x);

    /// <summary>
    /// <see cref="Math.Sign(double)"/>: −1, 0 or +1. Where Math.Sign throws (NaN), a kernel cannot:
    /// this returns 0.
    /// </summary>
    public static int Sign(double x) => x > 0 ? 1 : x < 0 ? -1 : 0;

    /// <inheritdoc cref="Sign(double)"/>
    public static int Sign(float x) => x > 0 ? 1 : x < 0 ? -1 : 0;

    /// <summary>
    /// <see cref="Math.Clamp(double, double, double)"/> in the same branch order (below
    /// <paramref name="min"/> gives min, else above <paramref name="max"/> gives max, else x). Where
    /// Math.Clamp throws (min &gt; max), a kernel cannot: this returns what the branch order gives.
    /// </summary>
    public static double Clamp(double x, double min, double max) => x < min ? min : x > max ? max : x;

    /// <inheritdoc cref="Clamp(double, double, double)"/>
    public static float Clamp(float x, float min, float max) => x < min ? min : x > max ? max : x;
}
