using System;
using System.CodeDom.Compiler;
using System.Reflection;
using Dsl;

// Checks a package consumer can make: the generator ran (the methods carry its [GeneratedCode]) and the derivatives
// equal their closed forms. Bounds: each value is a handful of floating-point operations, so generated and closed form
// differ by a few rounding errors (2^-53 ≈ 1.1e-16 relative each); 1e-13 relative allows about a thousand of them.
var failed = 0;
var passed = 0;
void Check(string what, bool ok)
{
    Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {what}");
    if (ok) passed++; else failed++;
}
bool Close(double actual, double expected) => Math.Abs(actual - expected) <= 1e-13 * Math.Max(1.0, Math.Abs(expected));

foreach (var name in new[] { nameof(Model.FGradient), nameof(Model.FJvp), nameof(Model.SquaresGradient) })
{
    var tool = typeof(Model).GetMethod(name)?.GetCustomAttribute<GeneratedCodeAttribute>()?.Tool;
    Check($"{name} written by {DslInfo.GeneratorName}", tool == DslInfo.GeneratorName);
}

double x = 0.7, y = -1.3;
var value = Model.FGradient(x, y, out var xBar, out var yBar);
Check("F(x, y)", Close(value, Math.Sin(x) * Math.Exp(y) + x * y * y));
Check("dF/dx = cos x e^y + y^2", Close(xBar, Math.Cos(x) * Math.Exp(y) + y * y));
Check("dF/dy = sin x e^y + 2xy", Close(yBar, Math.Sin(x) * Math.Exp(y) + 2 * x * y));

double dx = 0.25, dy = -2.0;
var jvpValue = Model.FJvp(x, dx, y, dy, out var dF);
Check("JVP value", Close(jvpValue, value));
Check("JVP = dF/dx dx + dF/dy dy", Close(dF, xBar * dx + yBar * dy));

ReadOnlySpan<double> w = stackalloc double[] { 1.5, -2.0, 0.5 };
Span<double> wBar = stackalloc double[3];
var squares = Model.SquaresGradient(w, wBar);
Check("sum w_i^2 and its gradient 2w", Close(squares, 6.5) && Close(wBar[0], 3.0) && Close(wBar[1], -4.0) && Close(wBar[2], 1.0));

// A MathNet special function (a dependency of the package) through its built-in derivative rule, declared nowhere here.
var erfValue = Model.GGradient(0.6, out var gBar);
var erf = MathNet.Numerics.SpecialFunctions.Erf(0.6);
Check("d/dx x erf(x) = erf x + x 2/sqrt(pi) e^(-x^2) (built-in rule)",
    Close(erfValue, 0.6 * erf) && Close(gBar, erf + 0.6 * 2 / Math.Sqrt(Math.PI) * Math.Exp(-0.36)));

Console.WriteLine($"checks: {passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

static partial class Model
{
    [Differentiable]
    public static double G(double x) => MathNet.Numerics.SpecialFunctions.Erf(x) * x;

    [Gradient(nameof(G))]
    public static partial double GGradient(double x, out double xBar);

    [Differentiable]
    public static double F(double x, double y)
    {
        return Math.Sin(x) * Math.Exp(y) + x * y * y;
    }

    [Gradient(nameof(F))]
    public static partial double FGradient(double x, double y, out double xBar, out double yBar);

    [Jvp(nameof(F))]
    public static partial double FJvp(double x, double dx, double y, double dy, out double dF);

    [Differentiable]
    public static double Squares(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] * w[i];
        return s;
    }

    [Gradient(nameof(Squares))]
    public static partial double SquaresGradient(ReadOnlySpan<double> w, Span<double> wBar);
}
