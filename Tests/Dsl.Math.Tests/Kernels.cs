using ILGPU;

namespace Dsl.Math.Tests;

/// <summary>
/// One tiny kernel per function: y = f(a) (or f(a, b)) in double and yf = f(af) in float, so each
/// compile covers both overloads. Names match <see cref="Functions"/>.
/// </summary>
public static class Kernels
{
#pragma warning disable IDE0060 // b/bf are unused by unary kernels: one signature for all keeps the harness simple
    public static void Exp(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Exp(a[i]); yf[i] = PortableMath.Exp(af[i]); }
    public static void Expm1(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Expm1(a[i]); yf[i] = PortableMath.Expm1(af[i]); }
    public static void Log(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Log(a[i]); yf[i] = PortableMath.Log(af[i]); }
    public static void Log1p(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Log1p(a[i]); yf[i] = PortableMath.Log1p(af[i]); }
    public static void Log2(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Log2(a[i]); yf[i] = PortableMath.Log2(af[i]); }
    public static void Log10(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Log10(a[i]); yf[i] = PortableMath.Log10(af[i]); }
    public static void Sin(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Sin(a[i]); yf[i] = PortableMath.Sin(af[i]); }
    public static void Cos(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Cos(a[i]); yf[i] = PortableMath.Cos(af[i]); }
    public static void Tan(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Tan(a[i]); yf[i] = PortableMath.Tan(af[i]); }
    public static void Atan(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Atan(a[i]); yf[i] = PortableMath.Atan(af[i]); }
    public static void Atan2(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Atan2(a[i], b[i]); yf[i] = PortableMath.Atan2(af[i], bf[i]); }
    public static void Asin(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Asin(a[i]); yf[i] = PortableMath.Asin(af[i]); }
    public static void Acos(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Acos(a[i]); yf[i] = PortableMath.Acos(af[i]); }
    public static void Sinh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Sinh(a[i]); yf[i] = PortableMath.Sinh(af[i]); }
    public static void Cosh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Cosh(a[i]); yf[i] = PortableMath.Cosh(af[i]); }
    public static void Tanh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Tanh(a[i]); yf[i] = PortableMath.Tanh(af[i]); }
    public static void Asinh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Asinh(a[i]); yf[i] = PortableMath.Asinh(af[i]); }
    public static void Acosh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Acosh(a[i]); yf[i] = PortableMath.Acosh(af[i]); }
    public static void Atanh(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Atanh(a[i]); yf[i] = PortableMath.Atanh(af[i]); }
    public static void Pow(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Pow(a[i], b[i]); yf[i] = PortableMath.Pow(af[i], bf[i]); }
    public static void Cbrt(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, ArrayView<float> af, ArrayView<float> bf, ArrayView<float> yf)
    { y[i] = PortableMath.Cbrt(a[i]); yf[i] = PortableMath.Cbrt(af[i]); }
#pragma warning restore IDE0060
}
