using System;

namespace Dsl.Reverse.Tests;

/// <summary>
/// <c>while</c> and <c>do</c> loops whose trip count depends on the data: a Newton iteration to a tolerance, repeated
/// square roots (zero iterations below the threshold), a do loop with <c>continue</c>, a while loop with <c>break</c>
/// and one with <c>return</c>.
/// </summary>
public static partial class WhileLoopCases
{
    // The real root of x³ + a x − b (a > 0: g is increasing, one root), by Newton's method to a relative step of 1e-14.
    [Differentiable]
    public static double CubicRoot(double a, double b)
    {
        double x = b / (1 + a);
        double step = 1;
        while (Math.Abs(step) > 1e-14 * (1 + Math.Abs(x)))
        {
            step = (x * x * x + a * x - b) / (3 * x * x + a);
            x -= step;
        }
        return x;
    }

    [Jvp(nameof(CubicRoot))]
    public static partial double CubicRootJvp(double a, double da, double b, double db, out double dx);

    [Gradient(nameof(CubicRoot))]
    public static partial double CubicRootGradient(double a, double b, out double aBar, out double bBar);

    [Taylor(nameof(CubicRoot), Order = 2, Wrt = "b")]
    public static partial void CubicRootTaylor(double a, double b, ReadOnlySpan<double> bJet, Span<double> y);

    [Hvp(nameof(CubicRoot))]
    public static partial double CubicRootHvp(double a, double b, double va, double vb, out double aBar, out double bBar,
        out double aHv, out double bHv);

    // x^(1/2^k), k the number of square roots that bring x to 2 or below (none when x ≤ 2).
    [Differentiable]
    public static double SqrtDown(double x)
    {
        double r = x;
        while (r > 2) r = Math.Sqrt(r);
        return r;
    }

    [Jvp(nameof(SqrtDown))]
    public static partial double SqrtDownJvp(double x, double dx, out double dy);

    [Gradient(nameof(SqrtDown))]
    public static partial double SqrtDownGradient(double x, out double xBar);

    [Taylor(nameof(SqrtDown), Order = 3, Wrt = "x")]
    public static partial void SqrtDownTaylor(double x, ReadOnlySpan<double> xJet, Span<double> y);

    // Σ sin(k x) over k = 1 .. max(n, 1) with k not a multiple of 3: the body runs once even for n ≤ 0, and 'continue'
    // goes to the test (k = n a multiple of 3 must still stop the loop).
    [Differentiable]
    public static double DoSkipping(double x, int n)
    {
        double s = 0;
        int k = 0;
        do
        {
            k++;
            if (k % 3 == 0) continue;
            s += Math.Sin(k * x);
        } while (k < n);
        return s;
    }

    [Jvp(nameof(DoSkipping), Wrt = "x")]
    public static partial double DoSkippingJvp(double x, double dx, int n, out double dy);

    [Gradient(nameof(DoSkipping), Wrt = "x")]
    public static partial double DoSkippingGradient(double x, int n, out double xBar);

    [Taylor(nameof(DoSkipping), Order = 3, Wrt = "x")]
    public static partial void DoSkippingTaylor(double x, int n, ReadOnlySpan<double> xJet, Span<double> y);

    // Adds squares until the sum passes t (break), or to the end: t·S_k.
    [Differentiable]
    public static double WhileBreak(ReadOnlySpan<double> x, double t)
    {
        double s = 0;
        int i = 0;
        while (i < x.Length)
        {
            if (s > t) break;
            s += x[i] * x[i];
            i++;
        }
        return s * t;
    }

    [Jvp(nameof(WhileBreak))]
    public static partial double WhileBreakJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double t, double dt, out double dy);

    [Gradient(nameof(WhileBreak))]
    public static partial double WhileBreakGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

    [Taylor(nameof(WhileBreak), Order = 2, Wrt = "x")]
    public static partial void WhileBreakTaylor(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> xJet, Span<double> y);

    [Laplacian(nameof(WhileBreak), Wrt = "x")]
    public static partial double WhileBreakLaplacian(ReadOnlySpan<double> x, double t);

    // The square of the first element above c, or c when there is none: 'return' inside a while loop.
    [Differentiable]
    public static double FirstAbove(ReadOnlySpan<double> x, double c)
    {
        int i = 0;
        while (i < x.Length)
        {
            if (x[i] > c) return x[i] * x[i] * c;
            i++;
        }
        return c;
    }

    [Jvp(nameof(FirstAbove))]
    public static partial double FirstAboveJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double c, double dc, out double dy);

    [Gradient(nameof(FirstAbove))]
    public static partial double FirstAboveGradient(ReadOnlySpan<double> x, double c, Span<double> xBar, out double cBar);

    // A loop that never ends in C#: the generated code stops at the int counter's end, after 2³¹ − 1 iterations.
    [Differentiable]
    public static double Endless(double x)
    {
        double c = 0;
        while (x > 0) c += 1;
        return c * x;
    }

    [Jvp(nameof(Endless))]
    public static partial double EndlessJvp(double x, double dx, out double dy);

    // 'when' clauses on int switch sections and arms: each is tested only once its pattern has matched, in source order.
    [Differentiable]
    public static double Banded(double x, int n)
    {
        double s;
        switch (n)
        {
            case 0 when x > 1:
                s = x * x;
                break;
            case 0:
                s = -x;
                break;
            case > 0 when x < 0:
                s = Math.Exp(x);
                break;
            default:
                s = x * x * x;
                break;
        }
        return s + (n switch { 1 when x > 0.5 => Math.Sin(x), _ when x < -2 => 1.0, _ => 0.0 });
    }

    [Jvp(nameof(Banded), Wrt = "x")]
    public static partial double BandedJvp(double x, double dx, int n, out double dy);

    [Gradient(nameof(Banded), Wrt = "x")]
    public static partial double BandedGradient(double x, int n, out double xBar);

    [Taylor(nameof(Banded), Order = 2, Wrt = "x")]
    public static partial void BandedTaylor(double x, int n, ReadOnlySpan<double> xJet, Span<double> y);

    // A switch in a loop whose sections continue, return or break: Σ over i < x.Length of
    // x_i² (mode 0), skip (mode 1), or return 10·x_i at the first element (mode 2); modes above 2 add x_i.
    [Differentiable]
    public static double SwitchInLoop(ReadOnlySpan<double> x, int mode)
    {
        double s = 0;
        int i = 0;
        do
        {
            double v = x[i];
            i++;
            switch (mode)
            {
                case 0:
                    s += v * v;
                    break;
                case 1:
                    continue;
                case 2:
                    return 10 * v;
                default:
                    s += v;
                    break;
            }
            s *= 1.5;
        } while (i < x.Length);
        return s;
    }

    [Gradient(nameof(SwitchInLoop))]
    public static partial double SwitchInLoopGradient(ReadOnlySpan<double> x, int mode, Span<double> xBar);

    [Taylor(nameof(SwitchInLoop), Order = 2, Wrt = "x")]
    public static partial void SwitchInLoopTaylor(ReadOnlySpan<double> x, int mode, ReadOnlySpan<double> xJet, Span<double> y);

    // The first element above c in a rows × m matrix, scaled by c, or c² when there is none: 'return' in a while loop
    // nested in a for loop.
    [Differentiable]
    public static double FirstAboveInRows(ReadOnlySpan<double> x, int rows, int m, double c)
    {
        double seen = 0;
        for (int r = 0; r < rows; r++)
        {
            int j = 0;
            while (j < m)
            {
                if (x[r * m + j] > c) return x[r * m + j] * c + seen;
                j++;
            }
            seen += 1;
        }
        return c * c;
    }

    [Jvp(nameof(FirstAboveInRows))]
    public static partial double FirstAboveInRowsJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, int rows, int m, double c, double dc,
        out double dy);

    [Gradient(nameof(FirstAboveInRows))]
    public static partial double FirstAboveInRowsGradient(ReadOnlySpan<double> x, int rows, int m, double c, Span<double> xBar,
        out double cBar);
}
