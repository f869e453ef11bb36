using System;

namespace Dsl.Math.Tests;

/// <summary>One tested function: PortableMath's double and float overloads, the System.Math
/// reference (double; null where .NET has none), the float reference, and the sampling domain.</summary>
public sealed record Fn(
    string Name,
    Func<double, double, double> D,
    Func<float, float, float> F,
    Func<double, double, double> FloatRef,
    Func<Random, double> SampleX,
    Func<Random, double, double>? SampleY = null)
{
    public bool Binary => SampleY != null;

    public override string ToString() => Name;
}

public static class Functions
{
    // A log-uniform magnitude in [lo, hi] with a random sign when `signed`.
    public static double LogU(Random r, double lo, double hi, bool signed = true)
    {
        double v = System.Math.Exp(System.Math.Log(lo) + r.NextDouble() * (System.Math.Log(hi) - System.Math.Log(lo)));
        return signed && r.Next(2) == 0 ? -v : v;
    }

    // Float references for the two functions .NET lacks: |x| >= 1e-5 loses at most 17 of double's
    // 53 bits to cancellation (36 left, far beyond float's 24); below, three series terms leave a
    // relative error under 1e-15.
    private static double Expm1Ref(double x) =>
        System.Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : System.Math.Exp(x) - 1.0;

    private static double Log1pRef(double x) =>
        System.Math.Abs(x) < 1e-5 ? x - x * x / 2 + x * x * x / 3 : System.Math.Log(1.0 + x);

    private static Fn U(string name, Func<double, double> d, Func<float, float> f, Func<double, double> fref, Func<Random, double> x) =>
        new(name, (a, _) => d(a), (a, _) => f(a), (a, _) => fref(a), x);

    public static readonly Fn[] All =
    {
        U("Exp", PortableMath.Exp, PortableMath.Exp, System.Math.Exp, r => LogU(r, 1e-300, 709.7)),
        U("Expm1", PortableMath.Expm1, PortableMath.Expm1, Expm1Ref, r => LogU(r, 1e-300, 709.7)),
        U("Log", PortableMath.Log, PortableMath.Log, System.Math.Log, r => r.Next(4) == 0 ? 1 + LogU(r, 1e-16, 0.5) : LogU(r, 5e-324, 1.7e308, false)),
        U("Log1p", PortableMath.Log1p, PortableMath.Log1p, Log1pRef, r => r.Next(2) == 0 ? LogU(r, 1e-300, 1) : LogU(r, 1e-300, 1e300, false)),
        U("Log2", PortableMath.Log2, PortableMath.Log2, System.Math.Log2, r => r.Next(4) == 0 ? 1 + LogU(r, 1e-16, 0.5) : LogU(r, 5e-324, 1.7e308, false)),
        U("Log10", PortableMath.Log10, PortableMath.Log10, System.Math.Log10, r => r.Next(4) == 0 ? 1 + LogU(r, 1e-16, 0.5) : LogU(r, 5e-324, 1.7e308, false)),
        U("Sin", PortableMath.Sin, PortableMath.Sin, System.Math.Sin, r => LogU(r, 1e-300, 3.2e6)),
        U("Cos", PortableMath.Cos, PortableMath.Cos, System.Math.Cos, r => LogU(r, 1e-300, 3.2e6)),
        U("Tan", PortableMath.Tan, PortableMath.Tan, System.Math.Tan, r => LogU(r, 1e-300, 3.2e6)),
        U("Atan", PortableMath.Atan, PortableMath.Atan, System.Math.Atan, r => LogU(r, 1e-300, 1e300)),
        new("Atan2", PortableMath.Atan2, PortableMath.Atan2, System.Math.Atan2, r => LogU(r, 1e-300, 1e300), (r, _) => LogU(r, 1e-300, 1e300)),
        U("Asin", PortableMath.Asin, PortableMath.Asin, System.Math.Asin, r => LogU(r, 1e-300, 1)),
        U("Acos", PortableMath.Acos, PortableMath.Acos, System.Math.Acos, r => LogU(r, 1e-300, 1)),
        U("Sinh", PortableMath.Sinh, PortableMath.Sinh, System.Math.Sinh, r => LogU(r, 1e-300, 710)),
        U("Cosh", PortableMath.Cosh, PortableMath.Cosh, System.Math.Cosh, r => LogU(r, 1e-300, 710)),
        U("Tanh", PortableMath.Tanh, PortableMath.Tanh, System.Math.Tanh, r => LogU(r, 1e-300, 30)),
        U("Asinh", PortableMath.Asinh, PortableMath.Asinh, System.Math.Asinh, r => LogU(r, 1e-300, 1e300)),
        U("Acosh", PortableMath.Acosh, PortableMath.Acosh, System.Math.Acosh, r => 1 + LogU(r, 1e-16, r.Next(2) == 0 ? 1 : 1e300, false)),
        U("Atanh", PortableMath.Atanh, PortableMath.Atanh, System.Math.Atanh, r => r.Next(5) == 0 ? (1 - LogU(r, 1.2e-16, 0.5, false)) * (r.Next(2) * 2 - 1) : LogU(r, 1e-300, 1)),
        new("Pow", PortableMath.Pow, PortableMath.Pow, System.Math.Pow, r => LogU(r, 1e-300, 1e300, false), PowExponent),
        U("Cbrt", PortableMath.Cbrt, PortableMath.Cbrt, System.Math.Cbrt, r => LogU(r, 5e-324, 1.7e308)),
    };

    // An exponent keeping |y log x| below 700 (finite, normal results), or a small integer.
    private static double PowExponent(Random r, double x)
    {
        if (r.Next(4) == 0) return r.Next(-40, 41);
        double lx = System.Math.Max(System.Math.Abs(System.Math.Log(x)), 1e-3);
        return LogU(r, 1e-10, 700 / lx);
    }
}
