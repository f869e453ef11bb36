using System;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Reductions over calls, the shape of an estimator's chunk loop: the gradient runs each call's forward pass once (the
/// loop's reverse is fused into it when the reduction's adjoint is known before the loop), and a caller that needs the
/// reduction's value and gradient gets both from one pass (an eager gradient, scaled by the adjoint afterwards).
/// </summary>
public static partial class FusionCases
{
    [Differentiable]
    public static void Pair(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        double s = 0;
        for (int k = 0; k < x.Length; k++) s += x[k] * x[k];
        y[0] = Math.Sin(a * s);
        y[1] = Math.Exp(-a * x[0]) * s;
    }

    // A sum of call outputs, scaled after the loop: fused (the adjoint of s is 0.5 before the loop runs).
    [Differentiable]
    public static double Sum(ReadOnlySpan<double> x, double a, int n)
    {
        Span<double> y = stackalloc double[2];
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            Pair(x, a + 0.25 * i, y);
            s += y[0] + 3 * y[1];
        }
        return 0.5 * s;
    }

    [Gradient(nameof(Sum), Wrt = "x, a")]
    public static partial double SumGradient(ReadOnlySpan<double> x, double a, int n, Span<double> xBar, out double aBar);

    // A product of call outputs: the adjoint of each output reads the other, so the loop is not fused.
    [Differentiable]
    public static double Products(ReadOnlySpan<double> x, double a, int n)
    {
        Span<double> y = stackalloc double[2];
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            Pair(x, a + 0.25 * i, y);
            s += y[0] * y[1];
        }
        return s;
    }

    [Gradient(nameof(Products), Wrt = "x, a")]
    public static partial double ProductsGradient(ReadOnlySpan<double> x, double a, int n, Span<double> xBar, out double aBar);

    // The reduction squared: its adjoint depends on its value, so the loop is not fused here; the call of Sum in Loss
    // is eager (value and gradient of Sum in one pass, scaled by 2·v afterwards).
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> x, double a)
    {
        double v = Sum(x, a, 3) - 1;
        double w = Products(x, a, 2);
        return v * v + w;
    }

    [Gradient(nameof(Loss))]
    public static partial double LossGradient(ReadOnlySpan<double> x, double a, Span<double> xBar, out double aBar);

    // The eager call's first reader comes after another call that reads x, and nothing from that reader on reads x: the
    // gradient of Sum goes straight into x̄ and is scaled there by 2·v before Products' pullback adds to it.
    [Differentiable]
    public static double LossDirect(ReadOnlySpan<double> x, double a)
    {
        double s = Sum(x, a, 3);
        double w = Products(x, a, 2);
        double v = s - 1;
        return v * v + w;
    }

    [Gradient(nameof(LossDirect))]
    public static partial double LossDirectGradient(ReadOnlySpan<double> x, double a, Span<double> xBar, out double aBar);

    // The same, but the eager value only chooses a factor: its adjoint never arrives, so x̄ is cleared at that point.
    [Differentiable]
    public static double LossBranch(ReadOnlySpan<double> x, double a)
    {
        double s = Sum(x, a, 3);
        double w = Products(x, a, 2);
        double f = s > 0.5 ? 2.0 : 3.0;
        return f * w;
    }

    [Gradient(nameof(LossBranch), Wrt = "x")]
    public static partial double LossBranchGradient(ReadOnlySpan<double> x, double a, Span<double> xBar);
}
