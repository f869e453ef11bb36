using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Pins the code generated for everyday loop headers that the frontend normalizes to a counted
/// loop (the numbers are checked in Dsl.Reverse.Tests' ControlFlowTests).
/// </summary>
public class ControlFlowSnapshotTests
{
    private const string Usings = "using System;\nusing Dsl;\n";

    private static void Check(string body, string name)
    {
        var result = GeneratorHarness.Run(Usings + body);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated, name);
    }

    [Fact]
    public void AffineLoopConditions() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Rosenbrock(ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int i = 0; i + 1 < v.Length; i++)
                {
                    double a = v[i + 1] - v[i] * v[i];
                    s += 100 * a * a + (1 - v[i]) * (1 - v[i]);
                }
                return s;
            }
            [Gradient(nameof(Rosenbrock))] public static partial double RosenbrockGradient(ReadOnlySpan<double> v, Span<double> vBar);

            // Every other element from the top, with the counter on the right and a coefficient.
            [Differentiable]
            public static double EvenSquares(double x, ReadOnlySpan<double> w)
            {
                double s = 0;
                for (int i = 0; w.Length > 2 * i; i++) s += w[2 * i] * x * x;
                return s;
            }
            [Jvp(nameof(EvenSquares), Wrt = "x")]
            public static partial double EvenSquaresJvp(double x, double dx, ReadOnlySpan<double> w, out double dy);
            [Taylor(nameof(EvenSquares), Order = 2, Wrt = "x")]
            public static partial void EvenSquaresTaylor(double x, ReadOnlySpan<double> w, ReadOnlySpan<double> xJet, Span<double> y);
        }
        """, nameof(AffineLoopConditions));

    [Fact]
    public void ForeachAndSwitch() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Modes(ReadOnlySpan<double> x, int mode)
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
                            s += Math.Sin(v);
                            break;
                        default:
                            s -= v;
                            break;
                    }
                }
                return s * (mode switch { < 0 => 2.0, 3 => s, _ => 1.0 });
            }
            [Gradient(nameof(Modes))] public static partial double ModesGradient(ReadOnlySpan<double> x, int mode, Span<double> xBar);
            [Taylor(nameof(Modes), Order = 2, Wrt = "x")]
            public static partial void ModesTaylor(ReadOnlySpan<double> x, int mode, ReadOnlySpan<double> xJet, Span<double> y);
        }
        """, nameof(ForeachAndSwitch));

    [Fact]
    public void StaticLocalFunction() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Robust(ReadOnlySpan<double> x, double a)
            {
                double s = 0;
                foreach (var r in x) s += Huber(r, a);
                return s;

                static double Huber(double r, double a)
                {
                    double m = Math.Abs(r);
                    if (m <= a) return 0.5 * r * r;
                    return a * (m - 0.5 * a);
                }
            }
            [Gradient(nameof(Robust))] public static partial double RobustGradient(ReadOnlySpan<double> x, double a, Span<double> xBar, out double aBar);
        }
        """, nameof(StaticLocalFunction));

    [Fact]
    public void Continue() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double PositiveLogs(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] <= 0) continue;
                    s += Math.Log(x[i]);
                }
                return s;
            }
            [Gradient(nameof(PositiveLogs))] public static partial double PositiveLogsGradient(ReadOnlySpan<double> x, Span<double> xBar);
        }
        """, nameof(Continue));

    [Fact]
    public void BreakAndReturnInLoops() => Check("""
        public static partial class M
        {
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
            [Gradient(nameof(SumUntil))] public static partial double SumUntilGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

            [Differentiable]
            public static double FirstAbove(ReadOnlySpan<double> x, double c)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] > c) return Math.Sin(x[i]) * c;
                }
                return c;
            }
            [Jvp(nameof(FirstAbove))]
            public static partial double FirstAboveJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double c, double dc, out double dy);
        }
        """, nameof(BreakAndReturnInLoops));

    [Fact]
    public void SwitchWithReturns() => Check("""
        public static partial class M
        {
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
            [Gradient(nameof(Pick), Wrt = "x")] public static partial double PickGradient(double x, int n, out double xBar);
        }
        """, nameof(SwitchWithReturns));

    [Fact]
    public void ConditionWithAnotherTest() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double SumWhileBelow(ReadOnlySpan<double> x, double t)
            {
                double s = 0;
                for (int i = 0; i < x.Length && s <= t; i++) s += x[i] * x[i];
                return s * t;
            }
            [Taylor(nameof(SumWhileBelow), Order = 2, Wrt = "x")]
            public static partial void SumWhileBelowTaylor(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> xJet, Span<double> y);
        }
        """, nameof(ConditionWithAnotherTest));
    [Fact]
    public void IncrementsAndCountersSaveNothing() => Check("""
        public static partial class M
        {
            // The ADBench GMM triangle: qx[j] is incremented in the inner loop (no value saved) and lidx rises by one per
            // iteration (recomputed in the reverse sweep from j, not saved); qx's later reads are saved instead.
            [Differentiable]
            public static double Triangle(ReadOnlySpan<double> x, ReadOnlySpan<double> l)
            {
                int d = x.Length;
                Span<double> qx = stackalloc double[d];
                for (int i = 0; i < d; i++) qx[i] = l[i] * x[i];
                int lidx = d;
                for (int i = 0; i < d; i++)
                {
                    for (int j = i + 1; j < d; j++)
                    {
                        qx[j] = qx[j] + l[lidx] * x[i];
                        lidx++;
                    }
                }
                double s = 0;
                for (int j = 0; j < d; j++) s += Math.Sin(qx[j]) * qx[j];
                return s;
            }
            [Gradient(nameof(Triangle))]
            public static partial double TriangleGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> l, Span<double> xBar, Span<double> lBar);
        }
        """, nameof(IncrementsAndCountersSaveNothing));

    [Fact]
    public void WhileAndDoLoops() => Check("""
        public static partial class M
        {
            // Newton's method to a tolerance: the reverse sweep runs as many iterations as the forward one did.
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

            // A do loop whose 'continue' goes to the test.
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
            [Taylor(nameof(DoSkipping), Order = 2, Wrt = "x")]
            public static partial void DoSkippingTaylor(double x, int n, ReadOnlySpan<double> xJet, Span<double> y);
        }
        """, nameof(WhileAndDoLoops));

    [Fact]
    public void SwitchWhenClauses() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Banded(double x, int n)
            {
                double s;
                switch (n)
                {
                    case 0 when x > 1:
                        s = x * x;
                        break;
                    case > 0 when x < 0:
                        s = Math.Exp(x);
                        break;
                    default:
                        s = x;
                        break;
                }
                return s + (n switch { 1 when x > 0.5 => Math.Sin(x), _ => 0.0 });
            }
            [Jvp(nameof(Banded), Wrt = "x")]
            public static partial double BandedJvp(double x, double dx, int n, out double dy);
        }
        """, nameof(SwitchWhenClauses));

    [Fact]
    public void SwitchInALoop() => Check("""
        public static partial class M
        {
            // Sections that continue, return or break; the rest of the body follows only the sections that break.
            [Differentiable]
            public static double SwitchInLoop(ReadOnlySpan<double> x, int mode)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    switch (mode)
                    {
                        case 0:
                            s += x[i] * x[i];
                            break;
                        case 1:
                            continue;
                        case 2:
                            return 10 * x[i];
                        default:
                            s += x[i];
                            break;
                    }
                    s *= 1.5;
                }
                return s;
            }
            [Gradient(nameof(SwitchInLoop))]
            public static partial double SwitchInLoopGradient(ReadOnlySpan<double> x, int mode, Span<double> xBar);
        }
        """, nameof(SwitchInALoop));
}
