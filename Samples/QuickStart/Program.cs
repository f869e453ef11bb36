using System;
using Dsl;

// A function of a scalar and a span of weights, and its forward-mode derivative.
double x = 0.7;
double[] w = { 0.5, -1.25, 2.0 };

// Tangent direction: d/dx only (dw = 0).
double y = Model.FJvp(x, 1.0, w, new double[w.Length], out var dydx);

// Check against a central finite difference.
const double h = 1e-6;
var fd = (Model.F(x + h, w) - Model.F(x - h, w)) / (2 * h);

Console.WriteLine($"f(x)       = {y:R}");
Console.WriteLine($"df/dx JVP  = {dydx:R}");
Console.WriteLine($"df/dx FD   = {fd:R}");
Console.WriteLine($"difference = {Math.Abs(dydx - fd):E2}");

// Reverse mode: the whole gradient in one call.
var dw = new double[w.Length];
Model.FGradient(x, w, out var xBar, dw);
Console.WriteLine($"gradient   = df/dx {xBar:F6}, df/dw [{string.Join(", ", Array.ConvertAll(dw, v => v.ToString("F6")))}]");
for (int i = 0; i < w.Length; i++)
{
    var wp = (double[])w.Clone(); wp[i] += h;
    var wm = (double[])w.Clone(); wm[i] -= h;
    Console.WriteLine($"  df/dw[{i}] finite difference {(Model.F(x, wp) - Model.F(x, wm)) / (2 * h):F6}");
}

static partial class Model
{
    // A polynomial in tanh(x) with coefficients w.
    [Differentiable]
    public static double F(double x, ReadOnlySpan<double> w)
    {
        double t = Math.Tanh(x);
        double s = 0;
        double p = 1;
        for (int i = 0; i < w.Length; i++)
        {
            s += w[i] * p;
            p *= t;
        }
        return s * Math.Exp(-x * x);
    }

    // Forward mode: F's parameters, each followed by its tangent, then the result's tangent.
    [Jvp(nameof(F))]
    public static partial double FJvp(double x, double dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dF);

    // Reverse mode: F's parameters, then one adjoint per parameter (out for scalars, Span for spans).
    [Gradient(nameof(F))]
    public static partial double FGradient(double x, ReadOnlySpan<double> w, out double xBar, Span<double> wBar);
}
