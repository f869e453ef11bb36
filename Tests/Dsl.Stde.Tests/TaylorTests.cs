using System;
using System.Collections.Generic;
using Dsl;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Stde.Tests;

/// <summary>Primals and their generated order-6 jets, in double and in float.</summary>
public static partial class TaylorModels
{
    [Differentiable] public static double ExpSin(double x) => Math.Exp(Math.Sin(x));
    [Differentiable] public static double Log(double x) => Math.Log(x);
    [Differentiable] public static double Tanh(double x) => Math.Tanh(x);
    [Differentiable] public static double Cube(double x) => Math.Pow(x, 3);
    [Differentiable] public static double Pow25(double x) => Math.Pow(x, 2.5);
    [Differentiable] public static double PowNeg(double x) => Math.Pow(x, -1.5);
    [Differentiable] public static double Sqrt(double x) => Math.Sqrt(x);
    [Differentiable] public static double Div(double x) => (1 + x) / (3 - x);
    [Differentiable] public static double Prod(double x) => x * x * Math.Exp(x);
    [Differentiable] public static double SinCos(double x) => Math.Sin(x) * Math.Cos(x);
    [Differentiable] public static double Mixed(double x) { double t = Math.Tanh(x); return Math.Log(1 + x * x) / (2 + t) * Math.Exp(-x); }

    [Taylor(nameof(ExpSin), Order = 6)] public static partial void ExpSinJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Log), Order = 6)] public static partial void LogJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Tanh), Order = 6)] public static partial void TanhJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Cube), Order = 6)] public static partial void CubeJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Pow25), Order = 6)] public static partial void Pow25Jet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(PowNeg), Order = 6)] public static partial void PowNegJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Sqrt), Order = 6)] public static partial void SqrtJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Div), Order = 6)] public static partial void DivJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Prod), Order = 6)] public static partial void ProdJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(SinCos), Order = 6)] public static partial void SinCosJet(double x, ReadOnlySpan<double> xJet, Span<double> y);
    [Taylor(nameof(Mixed), Order = 6)] public static partial void MixedJet(double x, ReadOnlySpan<double> xJet, Span<double> y);

    [Differentiable] public static float ExpSinF(float x) => MathF.Exp(MathF.Sin(x));
    [Differentiable] public static float LogF(float x) => MathF.Log(x);
    [Differentiable] public static float TanhF(float x) => MathF.Tanh(x);
    [Differentiable] public static float CubeF(float x) => MathF.Pow(x, 3);
    [Differentiable] public static float Pow25F(float x) => MathF.Pow(x, 2.5f);
    [Differentiable] public static float PowNegF(float x) => MathF.Pow(x, -1.5f);
    [Differentiable] public static float SqrtF(float x) => MathF.Sqrt(x);
    [Differentiable] public static float DivF(float x) => (1 + x) / (3 - x);
    [Differentiable] public static float ProdF(float x) => x * x * MathF.Exp(x);
    [Differentiable] public static float SinCosF(float x) => MathF.Sin(x) * MathF.Cos(x);
    [Differentiable] public static float MixedF(float x) { float t = MathF.Tanh(x); return MathF.Log(1 + x * x) / (2 + t) * MathF.Exp(-x); }

    [Taylor(nameof(ExpSinF), Order = 6)] public static partial void ExpSinFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(LogF), Order = 6)] public static partial void LogFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(TanhF), Order = 6)] public static partial void TanhFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(CubeF), Order = 6)] public static partial void CubeFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(Pow25F), Order = 6)] public static partial void Pow25FJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(PowNegF), Order = 6)] public static partial void PowNegFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(SqrtF), Order = 6)] public static partial void SqrtFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(DivF), Order = 6)] public static partial void DivFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(ProdF), Order = 6)] public static partial void ProdFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(SinCosF), Order = 6)] public static partial void SinCosFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
    [Taylor(nameof(MixedF), Order = 6)] public static partial void MixedFJet(float x, ReadOnlySpan<float> xJet, Span<float> y);
}

public delegate void JetD(double x, ReadOnlySpan<double> xJet, Span<double> y);
public delegate void JetF(float x, ReadOnlySpan<float> xJet, Span<float> y);

/// <summary>
/// Order-6 Taylor coefficients of generated jets against reference series built from closed-form
/// derivatives (see <see cref="Series"/>): plain derivatives (input jet e_1) and a general input
/// curve with all six input coefficients non-zero, in double and in float.
/// </summary>
public class TaylorTests(ITestOutputHelper output)
{
    private sealed record Case(string Name, JetD Double, JetF Float, Func<Series, Series> Reference, double[] Points);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["exp∘sin"] = new("exp∘sin", TaylorModels.ExpSinJet, TaylorModels.ExpSinFJet, s => s.Sin().Exp(), [0.3, -1.2, 2.0]),
        ["log"] = new("log", TaylorModels.LogJet, TaylorModels.LogFJet, s => s.Log(), [1.7, 0.6, 3.0]),
        ["tanh"] = new("tanh", TaylorModels.TanhJet, TaylorModels.TanhFJet, s => s.Tanh(), [0.4, -0.9, 0.0]),
        ["x^3"] = new("x^3", TaylorModels.CubeJet, TaylorModels.CubeFJet, s => s.Pow(3), [0.0, 1.1, -0.7]),
        ["x^2.5"] = new("x^2.5", TaylorModels.Pow25Jet, TaylorModels.Pow25FJet, s => s.Pow(2.5), [1.3, 0.8]),
        ["x^-1.5"] = new("x^-1.5", TaylorModels.PowNegJet, TaylorModels.PowNegFJet, s => s.Pow(-1.5), [1.3, 2.2]),
        ["sqrt"] = new("sqrt", TaylorModels.SqrtJet, TaylorModels.SqrtFJet, s => s.Pow(0.5), [0.9, 2.5]),
        ["(1+x)/(3-x)"] = new("(1+x)/(3-x)", TaylorModels.DivJet, TaylorModels.DivFJet, s => Plus(1, s) * Plus(3, -1 * s).Reciprocal(), [0.5, -1.0]),
        ["x²·exp x"] = new("x²·exp x", TaylorModels.ProdJet, TaylorModels.ProdFJet, s => s * s * s.Exp(), [0.5, -0.8]),
        ["sin·cos"] = new("sin·cos", TaylorModels.SinCosJet, TaylorModels.SinCosFJet, s => s.Sin() * s.Cos(), [0.5, 1.9]),
        ["log(1+x²)/(2+tanh x)·exp(−x)"] = new("log(1+x²)/(2+tanh x)·exp(−x)", TaylorModels.MixedJet, TaylorModels.MixedFJet,
            s => Plus(1, s * s).Log() * Plus(2, s.Tanh()).Reciprocal() * (-1 * s).Exp(), [0.5, -0.3]),
    };

    private static Series Plus(double c, Series s)
    {
        var r = (1.0 * s);
        r.A[0] += c;
        return r;
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var k in Cases.Keys) d.Add(k);
        return d;
    }

    // Input jets: plain derivatives (x(t) = a + t), and a curve with every coefficient set.
    private static readonly double[][] InputJets =
    [
        [1, 0, 0, 0, 0, 0],
        [0.7, -0.3, 0.5, 0.2, -0.4, 0.1],
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public void DoubleJetsMatchClosedFormSeries(string name)
    {
        var c = Cases[name];
        double worst = 0;
        foreach (double a in c.Points)
            foreach (var v in InputJets)
            {
                var expected = c.Reference(Series.Curve(a, v)).Derivatives();
                var y = new double[7];
                c.Double(a, v, y);
                for (int k = 0; k <= 6; k++)
                {
                    // Errors are scaled by max(|y_k|, k!): y_k = k!·(normalized coefficient), and the
                    // recurrences' round-off is relative to the normalized coefficients' size.
                    // 1e-13 is ~450 ulps of double; observed errors are ≤ 5e-16.
                    double scale = Math.Max(Math.Abs(expected[k]), Series.Factorial(k));
                    double err = Math.Abs(y[k] - expected[k]) / scale;
                    worst = Math.Max(worst, err);
                    Assert.True(err <= 1e-13,
                        $"{name} at {a}, jet [{string.Join(", ", v)}]: y_{k} = {y[k]:R}, expected {expected[k]:R} (scaled error {err:E2})");
                }
            }
        output.WriteLine($"{name}: worst scaled double error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FloatJetsMatchClosedFormSeries(string name)
    {
        var c = Cases[name];
        double worst = 0;
        foreach (double a in c.Points)
            foreach (var v in InputJets)
            {
                // The float jet sees the float-rounded inputs; the reference is computed from them in double.
                float af = (float)a;
                var vf = Array.ConvertAll(v, t => (float)t);
                var expected = c.Reference(Series.Curve(af, Array.ConvertAll(vf, t => (double)t))).Derivatives();
                var y = new float[7];
                c.Float(af, vf, y);
                for (int k = 0; k <= 6; k++)
                {
                    // float: 2e-6 (~17 ulps of float) with the same scaling; observed errors are ≤ 1.5e-7.
                    double scale = Math.Max(Math.Abs(expected[k]), Series.Factorial(k));
                    double err = Math.Abs(y[k] - expected[k]) / scale;
                    worst = Math.Max(worst, err);
                    Assert.True(err <= 2e-6,
                        $"{name} at {a}, jet [{string.Join(", ", v)}]: y_{k} = {y[k]:R}, expected {expected[k]:R} (scaled error {err:E2})");
                }
            }
        output.WriteLine($"{name}: worst scaled float error {worst:E2}");
    }

    [Fact]
    public void CubeAtZeroIsExact()
    {
        // JAX's jet returns 0 for every coefficient of x^n at 0; the correct jet of x³ at 0 along t is 6 in y_3.
        var y = new double[7];
        TaylorModels.CubeJet(0, [1, 0, 0, 0, 0, 0], y);
        Assert.Equal(new double[] { 0, 0, 0, 6, 0, 0, 0 }, y);
        var yf = new float[7];
        TaylorModels.CubeFJet(0, [1, 0, 0, 0, 0, 0], yf);
        Assert.Equal(new float[] { 0, 0, 0, 6, 0, 0, 0 }, yf);
        // Along x(t) = 2t + t²/2 (v1 = 2, v2 = 1): x³ = 8t³ + 6t⁴ + (3/2)t⁵ + t⁶/8
        // → y_3 = 48, y_4 = 144, y_5 = 180, y_6 = 90.
        TaylorModels.CubeJet(0, [2, 1, 0, 0, 0, 0], y);
        Assert.Equal(new double[] { 0, 0, 0, 48, 144, 180, 90 }, y);
    }

    [Fact]
    public void TanhDerivativePolynomialsAreTheKnownOnes()
    {
        // Sanity of the reference itself: tanh' = 1 − t², tanh'' = −2t + 2t³, tanh''' = −2 + 8t² − 6t⁴.
        var p = Series.TanhDerivativePolynomials(3);
        Assert.Equal(new double[] { 1, 0, -1 }, p[1][..3]);
        Assert.Equal(new double[] { 0, -2, 0, 2 }, p[2][..4]);
        Assert.Equal(new double[] { -2, 0, 8, 0, -6 }, p[3][..5]);
    }
}
