using System;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Everyday loop headers the frontend normalizes to a counted loop: conditions affine in the
/// counter (<c>i + 1 &lt; n</c>, <c>2 * i &lt;= m</c>, <c>m &gt; i</c>, negative coefficients).
/// </summary>
public static partial class ControlFlowCases
{
    // Rosenbrock with its usual neighbour loop (i + 1 < n).
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i + 1 < v.Length; i++)
        {
            double a = v[i + 1] - v[i] * v[i];
            double b = 1 - v[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    [Jvp(nameof(Rosenbrock))]
    public static partial double RosenbrockJvp(ReadOnlySpan<double> v, ReadOnlySpan<double> dv, out double dy);

    [Gradient(nameof(Rosenbrock))]
    public static partial double RosenbrockGradient(ReadOnlySpan<double> v, Span<double> vBar);

    [Taylor(nameof(Rosenbrock), Order = 4, Wrt = "v")]
    public static partial void RosenbrockTaylor(ReadOnlySpan<double> v, ReadOnlySpan<double> vJet, Span<double> y);

    // Loop j adds x^j once per iteration, so the value and every derivative expose each trip count.
    [Differentiable]
    public static double TripCounts(double x, int lo, int m)
    {
        double x2 = x * x, x3 = x2 * x, x4 = x3 * x, x5 = x4 * x, x6 = x5 * x, x7 = x6 * x;
        double s = 0;
        for (int i = lo; i + 1 < m; i++) s += x;
        for (int i = lo; 2 * i <= m; i++) s += x2;
        for (int i = lo; i < m - 3; i += 2) s += x3;
        for (int i = lo; m > i; i++) s += x4;
        for (int i = m; 3 * i > lo - 1; i--) s += x5;
        for (int i = lo; -2 * i + m >= 1; i++) s += x6;
        for (int i = m + 4; lo <= (i - m) * 3 - i; i -= 3) s += x7;
        return s;
    }

    /// <summary>How often each loop of <see cref="TripCounts"/> runs (the same headers, counted by C#).</summary>
    public static int[] Trips(int lo, int m)
    {
        var c = new int[8];
        for (int i = lo; i + 1 < m; i++) c[1]++;
        for (int i = lo; 2 * i <= m; i++) c[2]++;
        for (int i = lo; i < m - 3; i += 2) c[3]++;
        for (int i = lo; m > i; i++) c[4]++;
        for (int i = m; 3 * i > lo - 1; i--) c[5]++;
        for (int i = lo; -2 * i + m >= 1; i++) c[6]++;
        for (int i = m + 4; lo <= (i - m) * 3 - i; i -= 3) c[7]++;
        return c;
    }

    [Jvp(nameof(TripCounts), Wrt = "x")]
    public static partial double TripCountsJvp(double x, double dx, int lo, int m, out double dy);

    [Gradient(nameof(TripCounts), Wrt = "x")]
    public static partial double TripCountsGradient(double x, int lo, int m, out double xBar);

    [Taylor(nameof(TripCounts), Order = 3, Wrt = "x")]
    public static partial void TripCountsTaylor(double x, int lo, int m, ReadOnlySpan<double> xJet, Span<double> y);

    // foreach over a span and over an array; a switch statement and a switch expression on an int.
    [Differentiable]
    public static double Modes(ReadOnlySpan<double> x, double[] w, int mode)
    {
        double s = 0;
        foreach (var v in x)
        {
            switch (mode)
            {
                case 0:
                    s += v * v;
                    break;
                case 1 or 2:
                    s += mode * Math.Sin(v);
                    break;
                case < 0:
                    s -= Math.Exp(v);
                    break;
                default:
                    s += v * v * v;
                    break;
            }
        }
        foreach (double u in w) s += u * (mode switch { 0 => u, > 2 and < 5 => Math.Cos(u), _ => 2 * u });
        return s;
    }

    [Jvp(nameof(Modes))]
    public static partial double ModesJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double[] w, ReadOnlySpan<double> dw, int mode,
        out double dy);

    [Gradient(nameof(Modes))]
    public static partial double ModesGradient(ReadOnlySpan<double> x, double[] w, int mode, Span<double> xBar, Span<double> wBar);

    [Taylor(nameof(Modes), Order = 3, Wrt = "x")]
    public static partial void ModesTaylor(ReadOnlySpan<double> x, double[] w, int mode, ReadOnlySpan<double> xJet, Span<double> y);

    // Static local functions, inlined at their calls: one with an early return, called in a loop; one taking spans.
    [Differentiable]
    public static double Robust(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Huber(x[i], a);
        return s + Dot(x, x);

        static double Huber(double r, double a)
        {
            double m = Math.Abs(r);
            if (m <= a) return 0.5 * r * r;
            return a * (m - 0.5 * a);
        }

        static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
        {
            double d = 0;
            for (int i = 0; i < u.Length; i++) d += u[i] * v[i];
            return d;
        }
    }

    [Jvp(nameof(Robust))]
    public static partial double RobustJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double a, double da, out double dy);

    [Gradient(nameof(Robust))]
    public static partial double RobustGradient(ReadOnlySpan<double> x, double a, Span<double> xBar, out double aBar);

    [Taylor(nameof(Robust), Order = 2, Wrt = "x")]
    public static partial void RobustTaylor(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> xJet, Span<double> y);

    // continue: skips negative entries; every third index adds linearly and skips the rest of the body.
    [Differentiable]
    public static double SkipSome(ReadOnlySpan<double> x, double c)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            if (v < 0) continue;
            if (i % 3 == 2)
            {
                s += c * v;
                continue;
            }
            s += Math.Exp(c * v);
        }
        return s;
    }

    [Jvp(nameof(SkipSome))]
    public static partial double SkipSomeJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double c, double dc, out double dy);

    [Gradient(nameof(SkipSome))]
    public static partial double SkipSomeGradient(ReadOnlySpan<double> x, double c, Span<double> xBar, out double cBar);

    [Taylor(nameof(SkipSome), Order = 2, Wrt = "x")]
    public static partial void SkipSomeTaylor(ReadOnlySpan<double> x, double c, ReadOnlySpan<double> xJet, Span<double> y);

    // break: a data-dependent exit from a counted loop (stop once the sum of squares passes t).
    [Differentiable]
    public static double SumUntil(ReadOnlySpan<double> x, double t)
    {
        double s = 0;
        foreach (var v in x)
        {
            s += v * v;
            if (s > t) break;
        }
        return s * t;
    }

    [Jvp(nameof(SumUntil))]
    public static partial double SumUntilJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double t, double dt, out double dy);

    [Gradient(nameof(SumUntil))]
    public static partial double SumUntilGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

    [Taylor(nameof(SumUntil), Order = 2, Wrt = "x")]
    public static partial void SumUntilTaylor(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> xJet, Span<double> y);

    // return inside a loop: the first entry above c decides the result; without one, the mean square.
    [Differentiable]
    public static double FirstAbove(ReadOnlySpan<double> x, double c)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > c) return Math.Sin(x[i]) * c;
            s += x[i] * x[i];
        }
        return s / x.Length + c;
    }

    [Jvp(nameof(FirstAbove))]
    public static partial double FirstAboveJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double c, double dc, out double dy);

    [Gradient(nameof(FirstAbove))]
    public static partial double FirstAboveGradient(ReadOnlySpan<double> x, double c, Span<double> xBar, out double cBar);

    [Taylor(nameof(FirstAbove), Order = 2, Wrt = "x")]
    public static partial void FirstAboveTaylor(ReadOnlySpan<double> x, double c, ReadOnlySpan<double> xJet, Span<double> y);

    // Operators through the new constructs: forward over reverse, and the exact Laplacian (second-order jets).
    [Hvp(nameof(Rosenbrock))]
    public static partial double RosenbrockHvp(ReadOnlySpan<double> v, ReadOnlySpan<double> dv, Span<double> vBar, Span<double> vHv);

    [Laplacian(nameof(Rosenbrock), Wrt = "v")]
    public static partial double RosenbrockLaplacian(ReadOnlySpan<double> v);

    [Hvp(nameof(SumUntil), Wrt = "x")]
    public static partial double SumUntilHvp(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> dx, Span<double> xBar, Span<double> xHv);

    [Laplacian(nameof(SumUntil), Wrt = "x")]
    public static partial double SumUntilLaplacian(ReadOnlySpan<double> x, double t);

    [Laplacian(nameof(Modes), Wrt = "x")]
    public static partial double ModesLaplacian(ReadOnlySpan<double> x, double[] w, int mode);

    // A switch statement whose sections return, or fall out to the rest of the method.
    [Differentiable]
    public static double Pick(double x, int n)
    {
        double y = x * x;
        switch (n)
        {
            case 0:
                return Math.Exp(x);
            case 1:
            case 2:
                y *= n;
                break;
            default:
                return y * x;
        }
        return y + Math.Sin(x);
    }

    [Jvp(nameof(Pick), Wrt = "x")]
    public static partial double PickJvp(double x, double dx, int n, out double dy);

    [Gradient(nameof(Pick), Wrt = "x")]
    public static partial double PickGradient(double x, int n, out double xBar);

    [Taylor(nameof(Pick), Order = 3, Wrt = "x")]
    public static partial void PickTaylor(double x, int n, ReadOnlySpan<double> xJet, Span<double> y);

    // A loop condition with a data-dependent test next to the bound (the same function as SumUntil).
    [Differentiable]
    public static double SumWhileBelow(ReadOnlySpan<double> x, double t)
    {
        double s = 0;
        for (int i = 0; i < x.Length && s <= t; i++) s += x[i] * x[i];
        return s * t;
    }

    [Jvp(nameof(SumWhileBelow))]
    public static partial double SumWhileBelowJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double t, double dt, out double dy);

    [Gradient(nameof(SumWhileBelow))]
    public static partial double SumWhileBelowGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

    [Taylor(nameof(SumWhileBelow), Order = 2, Wrt = "x")]
    public static partial void SumWhileBelowTaylor(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> xJet, Span<double> y);
}
