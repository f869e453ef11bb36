using System;
using System.Globalization;
using Dsl;
using ILGPU;
using ILGPU.Runtime;

namespace GpuCheck;

/// <summary>
/// Dsl.PortableMath on the device against the same library on the CPU, function by function, in double and float:
/// the largest difference in ulps over inputs spread over each function's domain (small, moderate and large
/// magnitudes). Differences come from the device's contraction of a·b + c into fused multiply-adds; a difference of
/// more than a few ulps means the device compiled the function differently, and the first such input is printed.
/// Also checks the building blocks ILGPU maps to single instructions (Math.Round, Math.Floor, casts, bit moves).
/// </summary>
internal static class MathCheck
{
    private static readonly string[] Names =
    {
        "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Atan", "Asin", "Acos", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh",
        "Atanh", "Cbrt", "Log2", "Log10", "Pow(x,1.5)", "Atan2(x,2)", "Math.Round", "(int)x", "Math.Floor", "Bits round trip",
    };

    private static double Eval(int f, double x) => f switch
    {
        0 => PortableMath.Exp(x), 1 => PortableMath.Expm1(x), 2 => PortableMath.Log(x), 3 => PortableMath.Log1p(x),
        4 => PortableMath.Sin(x), 5 => PortableMath.Cos(x), 6 => PortableMath.Tan(x), 7 => PortableMath.Atan(x),
        8 => PortableMath.Asin(x), 9 => PortableMath.Acos(x), 10 => PortableMath.Sinh(x), 11 => PortableMath.Cosh(x),
        12 => PortableMath.Tanh(x), 13 => PortableMath.Asinh(x), 14 => PortableMath.Acosh(x), 15 => PortableMath.Atanh(x),
        16 => PortableMath.Cbrt(x), 17 => PortableMath.Log2(x), 18 => PortableMath.Log10(x), 19 => PortableMath.Pow(x, 1.5),
        20 => PortableMath.Atan2(x, 2.0), 21 => Math.Round(x), 22 => (int)x, 23 => Math.Floor(x),
        _ => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) ^ 1L),
    };

    private static float EvalF(int f, float x) => f switch
    {
        0 => PortableMath.Exp(x), 1 => PortableMath.Expm1(x), 2 => PortableMath.Log(x), 3 => PortableMath.Log1p(x),
        4 => PortableMath.Sin(x), 5 => PortableMath.Cos(x), 6 => PortableMath.Tan(x), 7 => PortableMath.Atan(x),
        8 => PortableMath.Asin(x), 9 => PortableMath.Acos(x), 10 => PortableMath.Sinh(x), 11 => PortableMath.Cosh(x),
        12 => PortableMath.Tanh(x), 13 => PortableMath.Asinh(x), 14 => PortableMath.Acosh(x), 15 => PortableMath.Atanh(x),
        16 => PortableMath.Cbrt(x), 17 => PortableMath.Log2(x), 18 => PortableMath.Log10(x), 19 => PortableMath.Pow(x, 1.5f),
        20 => PortableMath.Atan2(x, 2f), 21 => MathF.Round(x), 22 => (int)x, 23 => MathF.Floor(x),
        _ => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) ^ 1),
    };

    private static void Kernel(Index1D i, int f, ArrayView<double> x, ArrayView<double> y) => y[i] = Eval(f, x[i]);

    private static void KernelF(Index1D i, int f, ArrayView<float> x, ArrayView<float> y) => y[i] = EvalF(f, x[i]);

    /// <summary>Inputs: a geometric sweep of magnitudes 1e-12 … 1e3 of both signs, and a dense grid over [−4, 4].</summary>
    private static double[] Inputs()
    {
        var xs = new double[4096];
        for (var i = 0; i < 2048; i++)
        {
            var m = Math.Pow(10, -12 + 15.0 * (i / 2) / 1023);
            xs[i] = i % 2 == 0 ? m : -m;
        }
        for (var i = 0; i < 2048; i++) xs[2048 + i] = -4 + 8.0 * i / 2047 + 1e-7;
        return xs;
    }

    private static long Ulps(double a, double b)
    {
        if (double.IsNaN(a) && double.IsNaN(b)) return 0;
        if (double.IsNaN(a) || double.IsNaN(b)) return long.MaxValue;
        long ia = BitConverter.DoubleToInt64Bits(a), ib = BitConverter.DoubleToInt64Bits(b);
        if (ia < 0) ia = long.MinValue - ia;
        if (ib < 0) ib = long.MinValue - ib;
        return Math.Abs(ia - ib);
    }

    private static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) && float.IsNaN(b)) return 0;
        if (float.IsNaN(a) || float.IsNaN(b)) return long.MaxValue;
        long ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs(ia - ib);
    }

    public static bool Run(Accelerator accelerator)
    {
        var xs = Inputs();
        var xf = Array.ConvertAll(xs, v => (float)v);
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<double>, ArrayView<double>>(Kernel);
        var kernelF = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(KernelF);
        using var xb = accelerator.Allocate1D(xs);
        using var yb = accelerator.Allocate1D<double>(xs.Length);
        using var xfb = accelerator.Allocate1D(xf);
        using var yfb = accelerator.Allocate1D<float>(xf.Length);
        var ok = true;
        Console.WriteLine("function | max ulps double (first input over 4 ulps: x, CPU, device) | max ulps float (same)");
        for (var f = 0; f < Names.Length; f++)
        {
            kernel(xs.Length, f, xb.View, yb.View);
            kernelF(xf.Length, f, xfb.View, yfb.View);
            var y = yb.GetAsArray1D();
            var yf = yfb.GetAsArray1D();
            long worst = 0, worstF = 0;
            string first = "", firstF = "";
            for (var i = 0; i < xs.Length; i++)
            {
                var u = Ulps(Eval(f, xs[i]), y[i]);
                worst = Math.Max(worst, u);
                if (u > 4 && first.Length == 0) first = string.Create(CultureInfo.InvariantCulture, $" ({xs[i]:R}, {Eval(f, xs[i]):R}, {y[i]:R})");
                var uf = Ulps(EvalF(f, xf[i]), yf[i]);
                worstF = Math.Max(worstF, uf);
                if (uf > 4 && firstF.Length == 0) firstF = string.Create(CultureInfo.InvariantCulture, $" ({xf[i]:R}, {EvalF(f, xf[i]):R}, {yf[i]:R})");
            }
            // Math.Round is here to show ILGPU's defect (it returned x unchanged on an H200); nothing of Dsl calls it in a
            // kernel (PortableMath.Round instead, and a test reads PortableMath's IL for it), so it does not fail the check.
            var known = Names[f] == "Math.Round";
            ok &= known || (worst <= 4 && worstF <= 4);
            Console.WriteLine($"{Names[f]} | {Show(worst)}{first} | {Show(worstF)}{firstF}{(known ? " (ILGPU defect, not used by Dsl)" : "")}");
        }
        return ok;
    }

    private static string Show(long u) => u == long.MaxValue ? "NaN mismatch" : u.ToString(CultureInfo.InvariantCulture);
}
