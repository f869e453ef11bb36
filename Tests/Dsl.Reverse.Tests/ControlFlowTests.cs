using System;
using Xunit;
using static Dsl.Reverse.Tests.Numeric;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Loops written with everyday headers (<see cref="ControlFlowCases"/>): forward, reverse and
/// Taylor code against closed forms and MathNet finite differences.
/// </summary>
public class ControlFlowTests
{
    private static double[] RosenbrockGradientByHand(double[] v)
    {
        // ∂f/∂v_i = −400 v_i (v_{i+1} − v_i²) − 2 (1 − v_i) for i < n−1, plus 200 (v_i − v_{i−1}²) for i > 0.
        var g = new double[v.Length];
        for (int i = 0; i + 1 < v.Length; i++)
        {
            g[i] += -400 * v[i] * (v[i + 1] - v[i] * v[i]) - 2 * (1 - v[i]);
            g[i + 1] += 200 * (v[i + 1] - v[i] * v[i]);
        }
        return g;
    }

    [Theory]
    [InlineData(1)]   // no pair: f = 0, gradient 0
    [InlineData(2)]
    [InlineData(7)]
    public void RosenbrockGradientMatchesTheClosedForm(int n)
    {
        var v = Uniform(n, 40 + n, -1.5, 1.5);
        var vBar = new double[n];
        double y = ControlFlowCases.RosenbrockGradient(v, vBar);
        Assert.Equal(ControlFlowCases.Rosenbrock(v), y);
        var expected = RosenbrockGradientByHand(v);
        // Both are the same polynomial evaluated in a different order: rounding only (≲ 1e-13 of the scale).
        AssertGradient(vBar, expected, y, 1e-12, "closed form");
        AssertGradient(vBar, FiniteDifferenceGradient(x => ControlFlowCases.Rosenbrock(x), v), y, DoubleTolerance);
    }

    [Fact]
    public void RosenbrockJvpIsTheGradientAlongTheDirection()
    {
        var v = Uniform(6, 50, -1.5, 1.5);
        var dv = Uniform(6, 51);
        double y = ControlFlowCases.RosenbrockJvp(v, dv, out var dy);
        Assert.Equal(ControlFlowCases.Rosenbrock(v), y);
        var g = RosenbrockGradientByHand(v);
        double expected = 0, scale = 1;
        for (int i = 0; i < v.Length; i++)
        {
            expected += g[i] * dv[i];
            scale = Math.Max(scale, Math.Abs(g[i] * dv[i]));
        }
        // A sum of 6 products: rounding ≲ 6ε of its largest term; 1e-12 leaves 700×.
        Assert.True(Math.Abs(dy - expected) <= 1e-12 * scale, $"{dy} vs {expected}");
    }

    [Fact]
    public void RosenbrockTaylorIsItsExactQuarticAlongALine()
    {
        // f(v + t u) is a polynomial Σ c_k t^k of degree 4; a 4-jet with v_1 = u, v_2.. = 0 yields
        // y_k = d^k/dt^k f(v + t u) at 0 = k!·c_k (the README's convention).
        const int n = 5, K = 4;
        var v = Uniform(n, 60, -1.5, 1.5);
        var u = Uniform(n, 61);
        var jet = new double[K * n];
        u.CopyTo(jet, 0);
        var y = new double[K + 1];
        ControlFlowCases.RosenbrockTaylor(v, jet, y);
        var c = new double[K + 1];
        for (int i = 0; i + 1 < n; i++)
        {
            // a(t) = A0 + A1 t + A2 t², b(t) = B0 + B1 t; term 100 a² + b².
            double a0 = v[i + 1] - v[i] * v[i], a1 = u[i + 1] - 2 * v[i] * u[i], a2 = -u[i] * u[i];
            double b0 = 1 - v[i], b1 = -u[i];
            c[0] += 100 * a0 * a0 + b0 * b0;
            c[1] += 100 * 2 * a0 * a1 + 2 * b0 * b1;
            c[2] += 100 * (a1 * a1 + 2 * a0 * a2) + b1 * b1;
            c[3] += 100 * 2 * a1 * a2;
            c[4] += 100 * a2 * a2;
        }
        double factorial = 1;
        for (int k = 0; k <= K; k++)
        {
            if (k > 0) factorial *= k;
            c[k] *= factorial;
            // Each coefficient sums ≤ 4 terms of ≤ 3 products each: rounding ≲ 1e-14 relative; 1e-12 leaves 100×.
            Assert.True(Math.Abs(y[k] - c[k]) <= 1e-12 * Math.Max(1, Math.Abs(c[k])), $"y_{k} = {y[k]}, closed form {c[k]}");
        }
    }

    public static TheoryData<int, int> Bounds()
    {
        // Negative, zero and positive bounds, so the floor divisions of 2·i ≤ m and 3·i > lo − 1
        // are taken on both sides of zero, and empty loops occur.
        var data = new TheoryData<int, int>();
        foreach (var lo in new[] { -7, -2, 0, 1, 4 })
            foreach (var m in new[] { -9, -4, -1, 0, 3, 8 }) data.Add(lo, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(Bounds))]
    public void AffineLoopConditionsRunTheTripCountsCSharpRuns(int lo, int m)
    {
        const double x = 0.8;
        var trips = ControlFlowCases.Trips(lo, m);
        // f = Σ_j trips_j x^j, so f^(k) = Σ_j j!/(j−k)! trips_j x^(j−k) (a Taylor jet's y_k is f^(k) for v_1 = 1).
        var derivatives = new double[4];
        for (int j = 1; j <= 7; j++)
        {
            for (int k = 0; k <= 3 && k <= j; k++) derivatives[k] += Falling(j, k) * trips[j] * Math.Pow(x, j - k);
        }
        double f = ControlFlowCases.TripCounts(x, lo, m);
        // The value is exact arithmetic on the same trip counts (bit for bit); derivatives to rounding
        // of ≤ 7 terms of at most ~60 summands each (≲ 1e-13 relative; 1e-11 leaves 100×).
        Assert.Equal(f, ControlFlowCases.TripCountsJvp(x, 1, lo, m, out var dy));
        Assert.Equal(f, ControlFlowCases.TripCountsGradient(x, lo, m, out var xBar));
        AssertClose(derivatives[1], dy, "JVP");
        AssertClose(derivatives[1], xBar, "gradient");
        var y = new double[4];
        ControlFlowCases.TripCountsTaylor(x, lo, m, [1.0, 0, 0], y);
        Assert.Equal(f, y[0]);
        for (int k = 1; k <= 3; k++) AssertClose(derivatives[k], y[k], $"Taylor y_{k}");
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-11 * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");

    private static double Falling(int n, int k)
    {
        double r = 1;
        for (int i = 0; i < k; i++) r *= n - i;
        return r;
    }

    /// <summary>d^k/dv^k of the switch statement's term for each element of x, k = 0..3.</summary>
    private static double ElementTerm(int mode, double v, int k) => mode switch
    {
        0 => k switch { 0 => v * v, 1 => 2 * v, 2 => 2, _ => 0 },
        1 or 2 => mode * (k switch { 0 => Math.Sin(v), 1 => Math.Cos(v), 2 => -Math.Sin(v), _ => -Math.Cos(v) }),
        < 0 => -Math.Exp(v),
        _ => k switch { 0 => v * v * v, 1 => 3 * v * v, 2 => 6 * v, _ => 6 },
    };

    /// <summary>d/du of u·h(u), h the switch expression's arm.</summary>
    private static double WeightSlope(int mode, double u) => mode switch
    {
        0 => 2 * u,
        > 2 and < 5 => Math.Cos(u) - u * Math.Sin(u),
        _ => 4 * u,
    };

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ForeachAndSwitchMatchTheClosedForm(int mode)
    {
        var x = Uniform(5, 70 + mode);
        var w = Uniform(4, 80 + mode);
        var dx = Uniform(5, 90);
        var dw = Uniform(4, 91);
        double f = ControlFlowCases.Modes(x, w, mode);
        var xBar = new double[5];
        var wBar = new double[4];
        Assert.Equal(f, ControlFlowCases.ModesGradient(x, w, mode, xBar, wBar));
        Assert.Equal(f, ControlFlowCases.ModesJvp(x, dx, w, dw, mode, out var dy));
        double directional = 0;
        for (int i = 0; i < 5; i++)
        {
            // Each partial is one closed-form term evaluated in another order: rounding only.
            AssertClose(ElementTerm(mode, x[i], 1), xBar[i], $"x̄_{i}");
            directional += ElementTerm(mode, x[i], 1) * dx[i];
        }
        for (int j = 0; j < 4; j++)
        {
            AssertClose(WeightSlope(mode, w[j]), wBar[j], $"w̄_{j}");
            directional += WeightSlope(mode, w[j]) * dw[j];
        }
        AssertClose(directional, dy, "JVP");
        double F(double[] a) => ControlFlowCases.Modes(a.AsSpan(0, 5), a[5..], mode);
        AssertGradient(Concat(xBar, wBar), FiniteDifferenceGradient(F, Concat(x, w)), f, DoubleTolerance);

        // Along x(t) = x + t·dx: y_k = Σ_i g^(k)(x_i) dx_i^k.
        var jet = new double[3 * 5];
        dx.CopyTo(jet, 0);
        var y = new double[4];
        ControlFlowCases.ModesTaylor(x, w, mode, jet, y);
        Assert.Equal(f, y[0]);
        for (int k = 1; k <= 3; k++)
        {
            double expected = 0;
            for (int i = 0; i < 5; i++) expected += ElementTerm(mode, x[i], k) * Math.Pow(dx[i], k);
            AssertClose(expected, y[k], $"Taylor y_{k}");
        }
    }

    [Fact]
    public void StaticLocalFunctionsAreInlined()
    {
        // |x_i| at least 0.05 from a = 0.5, so every point is 0.05 (far more than the 5-point FD's 2h ≈ 4e-3) from Huber's kink.
        double[] x = [-0.9, -0.3, 0.1, 0.45, 0.8, -0.6];
        double[] dx = [0.3, -0.7, 0.2, 0.9, -0.4, 0.6];
        const double a = 0.5, da = 0.25;
        double f = ControlFlowCases.Robust(x, a);
        var xBar = new double[x.Length];
        Assert.Equal(f, ControlFlowCases.RobustGradient(x, a, xBar, out var aBar));
        Assert.Equal(f, ControlFlowCases.RobustJvp(x, dx, a, da, out var dy));
        // f = Σ h_a(x_i) + Σ x_i², h_a(r) = r²/2 for |r| ≤ a, a(|r| − a/2) outside:
        // ∂f/∂x_i = (|x_i| ≤ a ? x_i : a·sign x_i) + 2 x_i, ∂f/∂a = Σ_{|x_i| > a} (|x_i| − a), ∂²f/∂x_i² = (|x_i| ≤ a ? 1 : 0) + 2.
        double expectedA = 0, directional = 0, second = 0;
        for (int i = 0; i < x.Length; i++)
        {
            bool inside = Math.Abs(x[i]) <= a;
            double g = (inside ? x[i] : a * Math.Sign(x[i])) + 2 * x[i];
            AssertClose(g, xBar[i], $"x̄_{i}");
            directional += g * dx[i];
            second += ((inside ? 1 : 0) + 2) * dx[i] * dx[i];
            if (!inside) expectedA += Math.Abs(x[i]) - a;
        }
        AssertClose(expectedA, aBar, "ā");
        AssertClose(directional + expectedA * da, dy, "JVP");
        var jet = new double[2 * x.Length];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        ControlFlowCases.RobustTaylor(x, a, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], "Taylor y_1");
        AssertClose(second, y[2], "Taylor y_2");
        double F(double[] v) => ControlFlowCases.Robust(v.AsSpan(0, x.Length), v[x.Length]);
        AssertGradient(Concat(xBar, [aBar]), FiniteDifferenceGradient(F, Concat(x, [a])), f, DoubleTolerance);
    }

    [Fact]
    public void ContinueSkipsTheRestOfTheIteration()
    {
        // Entries at least 0.1 from 0, where the contribution jumps (0 below, e^0 = 1 above); FD steps are ≈ 2e-3.
        double[] x = [0.4, -0.3, 0.7, 0.2, 0.9, -0.5, 0.6, 0.3];
        double[] dx = [0.5, 0.2, -0.6, 0.8, -0.3, 0.4, 0.7, -0.9];
        const double c = 0.8, dc = -0.35;
        double f = ControlFlowCases.SkipSome(x, c);
        var xBar = new double[x.Length];
        Assert.Equal(f, ControlFlowCases.SkipSomeGradient(x, c, xBar, out var cBar));
        Assert.Equal(f, ControlFlowCases.SkipSomeJvp(x, dx, c, dc, out var dy));
        // g_i = 0 for x_i < 0, c·x_i at i ≡ 2 (mod 3), e^(c x_i) otherwise.
        double expectedF = 0, expectedC = 0, directional = 0, second = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double gx = 0, gc = 0, gxx = 0;
            if (x[i] >= 0 && i % 3 == 2)
            {
                expectedF += c * x[i];
                (gx, gc) = (c, x[i]);
            }
            else if (x[i] >= 0)
            {
                double e = Math.Exp(c * x[i]);
                expectedF += e;
                (gx, gc, gxx) = (c * e, x[i] * e, c * c * e);
            }
            AssertClose(gx, xBar[i], $"x̄_{i}");
            expectedC += gc;
            directional += gx * dx[i];
            second += gxx * dx[i] * dx[i];
        }
        AssertClose(expectedF, f, "value");
        AssertClose(expectedC, cBar, "c̄");
        AssertClose(directional + expectedC * dc, dy, "JVP");
        var jet = new double[2 * x.Length];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        ControlFlowCases.SkipSomeTaylor(x, c, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], "Taylor y_1");
        AssertClose(second, y[2], "Taylor y_2");
    }

    private static readonly double[] Entries = [0.4, -0.3, 0.7, 0.2, 0.9, -0.5, 0.6, 0.3];
    private static readonly double[] Directions = [0.5, 0.2, -0.6, 0.8, -0.3, 0.4, 0.7, -0.9];

    [Theory]
    [InlineData(0.5)]   // prefix sums of squares 0.16, 0.25, 0.74: stops after x_2 (0.24 above t)
    [InlineData(1.2)]   // 0.74, 0.78, 1.59: stops after x_4 (0.39 above t, 0.42 below before it)
    [InlineData(5.0)]   // total 2.00: never stops
    public void BreakStopsTheLoopAtTheDataDependentIndex(double t)
    {
        double[] x = Entries, dx = Directions;
        const double dt = 0.3;
        double f = ControlFlowCases.SumUntil(x, t);
        var xBar = new double[x.Length];
        Assert.Equal(f, ControlFlowCases.SumUntilGradient(x, t, xBar, out var tBar));
        Assert.Equal(f, ControlFlowCases.SumUntilJvp(x, dx, t, dt, out var dy));
        // k = the first index whose prefix sum S_k exceeds t (else n − 1); f = S_k t,
        // ∂f/∂x_i = 2 t x_i for i ≤ k (0 after), ∂f/∂t = S_k, d²f/dτ² along dx = Σ_{i≤k} 2 t dx_i².
        int k = 0;
        double sum = 0;
        for (; k < x.Length; k++)
        {
            sum += x[k] * x[k];
            if (sum > t) break;
        }
        double directional = 0, second = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double g = i <= k ? 2 * t * x[i] : 0;
            AssertClose(g, xBar[i], $"x̄_{i}");
            directional += g * dx[i];
            if (i <= k) second += 2 * t * dx[i] * dx[i];
        }
        AssertClose(sum * t, f, "value");
        AssertClose(sum, tBar, "t̄");
        AssertClose(directional + sum * dt, dy, "JVP");
        var jet = new double[2 * x.Length];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        ControlFlowCases.SumUntilTaylor(x, t, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], "Taylor y_1");
        AssertClose(second, y[2], "Taylor y_2");
        // Prefix sums stay ≥ 0.09 from t at these points; FD steps (≈ 2e-3) do not cross the exit.
        double F(double[] a) => ControlFlowCases.SumUntil(a.AsSpan(0, x.Length), a[x.Length]);
        AssertGradient(Concat(xBar, [tBar]), FiniteDifferenceGradient(F, Concat(x, [t])), f, DoubleTolerance);
    }

    [Theory]
    [InlineData(0.5)]   // x_2 = 0.7 is the first above c
    [InlineData(0.8)]   // x_4 = 0.9
    [InlineData(2.0)]   // none: the loop runs out and the method goes on
    public void ReturnInsideALoopEndsTheMethod(double c)
    {
        double[] x = Entries, dx = Directions;
        const double dc = -0.4;
        double f = ControlFlowCases.FirstAbove(x, c);
        var xBar = new double[x.Length];
        Assert.Equal(f, ControlFlowCases.FirstAboveGradient(x, c, xBar, out var cBar));
        Assert.Equal(f, ControlFlowCases.FirstAboveJvp(x, dx, c, dc, out var dy));
        int k = Array.FindIndex(x, v => v > c);
        var g = new double[x.Length];
        double gc, second = 0;
        if (k >= 0)
        {
            // f = c sin x_k.
            g[k] = c * Math.Cos(x[k]);
            gc = Math.Sin(x[k]);
            second = -c * Math.Sin(x[k]) * dx[k] * dx[k];
            AssertClose(c * Math.Sin(x[k]), f, "value");
        }
        else
        {
            // f = Σ x_i² / n + c.
            for (int i = 0; i < x.Length; i++)
            {
                g[i] = 2 * x[i] / x.Length;
                second += 2 * dx[i] * dx[i] / x.Length;
            }
            gc = 1;
        }
        double directional = 0;
        for (int i = 0; i < x.Length; i++)
        {
            AssertClose(g[i], xBar[i], $"x̄_{i}");
            directional += g[i] * dx[i];
        }
        AssertClose(gc, cBar, "c̄");
        AssertClose(directional + gc * dc, dy, "JVP");
        var jet = new double[2 * x.Length];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        ControlFlowCases.FirstAboveTaylor(x, c, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], "Taylor y_1");
        AssertClose(second, y[2], "Taylor y_2");
    }

    [Fact]
    public void RosenbrockHessianOperatorsMatchTheClosedForm()
    {
        // Per pair i: ∂²/∂v_i² = 1200 v_i² − 400 v_{i+1} + 2, ∂²/∂v_i∂v_{i+1} = −400 v_i, ∂²/∂v_{i+1}² = 200.
        const int n = 6;
        var v = Uniform(n, 100, -1.5, 1.5);
        var dv = Uniform(n, 101);
        var hv = new double[n];
        double laplacian = 0;
        for (int i = 0; i + 1 < n; i++)
        {
            double hii = 1200 * v[i] * v[i] - 400 * v[i + 1] + 2, hij = -400 * v[i];
            hv[i] += hii * dv[i] + hij * dv[i + 1];
            hv[i + 1] += hij * dv[i] + 200 * dv[i + 1];
            laplacian += hii + 200;
        }
        var vBar = new double[n];
        var vHv = new double[n];
        double f = ControlFlowCases.RosenbrockHvp(v, dv, vBar, vHv);
        Assert.Equal(ControlFlowCases.Rosenbrock(v), f);
        AssertGradient(vBar, RosenbrockGradientByHand(v), f, 1e-12, "gradient");
        // Sums of ≤ 4 products of size ≤ 3e3: rounding ≲ 1e-12 of the largest entry; 1e-11 leaves 10×.
        AssertGradient(vHv, hv, f, 1e-11, "H·v");
        AssertClose(laplacian, ControlFlowCases.RosenbrockLaplacian(v), "Laplacian");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.2)]
    [InlineData(5.0)]
    public void HessianOperatorsThroughBreak(double t)
    {
        // f = t Σ_{i≤k} x_i² with k the exit index (fixed near these points): H = 2t·diag(1_{i≤k}), Δf = 2t(k + 1).
        double[] x = Entries, dx = Directions;
        int k = 0;
        for (double sum = 0; k < x.Length; k++)
        {
            sum += x[k] * x[k];
            if (sum > t) break;
        }
        var xBar = new double[x.Length];
        var xHv = new double[x.Length];
        double f = ControlFlowCases.SumUntilHvp(x, t, dx, xBar, xHv);
        Assert.Equal(ControlFlowCases.SumUntil(x, t), f);
        for (int i = 0; i < x.Length; i++)
        {
            AssertClose(i <= k ? 2 * t * x[i] : 0, xBar[i], $"x̄_{i}");
            AssertClose(i <= k ? 2 * t * dx[i] : 0, xHv[i], $"(H·v)_{i}");
        }
        AssertClose(2 * t * Math.Min(k + 1, x.Length), ControlFlowCases.SumUntilLaplacian(x, t), "Laplacian");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public void LaplacianThroughForeachAndSwitch(int mode)
    {
        var x = Uniform(5, 110 + mode);
        var w = Uniform(4, 120);
        double expected = 0;
        for (int i = 0; i < 5; i++) expected += ElementTerm(mode, x[i], 2);
        AssertClose(expected, ControlFlowCases.ModesLaplacian(x, w, mode), "Laplacian");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void SwitchSectionsThatReturn(int n)
    {
        const double x = 0.7;
        // n = 0: e^x; n = 1, 2: n x² + sin x; otherwise x³ — derivatives k = 0..3 in closed form.
        double[] d = n switch
        {
            0 => [Math.Exp(x), Math.Exp(x), Math.Exp(x), Math.Exp(x)],
            1 or 2 => [n * x * x + Math.Sin(x), 2 * n * x + Math.Cos(x), 2 * n - Math.Sin(x), -Math.Cos(x)],
            _ => [x * x * x, 3 * x * x, 6 * x, 6],
        };
        double f = ControlFlowCases.Pick(x, n);
        AssertClose(d[0], f, "value");
        Assert.Equal(f, ControlFlowCases.PickJvp(x, 1, n, out var dy));
        Assert.Equal(f, ControlFlowCases.PickGradient(x, n, out var xBar));
        AssertClose(d[1], dy, "JVP");
        AssertClose(d[1], xBar, "gradient");
        var y = new double[4];
        ControlFlowCases.PickTaylor(x, n, [1.0, 0, 0], y);
        Assert.Equal(f, y[0]);
        for (int k = 1; k <= 3; k++) AssertClose(d[k], y[k], $"Taylor y_{k}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.2)]
    [InlineData(5.0)]
    public void ConditionWithAnotherTestStopsLikeBreak(double t)
    {
        // i < n && s <= t adds x_0..x_k, k the first index whose prefix sum exceeds t: SumUntil's closed form
        // (f = S_k t, ∂f/∂x_i = 2 t x_i for i ≤ k, ∂f/∂t = S_k, second derivative along dx Σ_{i≤k} 2 t dx_i²).
        double[] x = Entries, dx = Directions;
        const double dt = 0.3;
        int k = 0;
        double sum = 0;
        for (; k < x.Length; k++)
        {
            sum += x[k] * x[k];
            if (sum > t) break;
        }
        double f = ControlFlowCases.SumWhileBelow(x, t);
        AssertClose(sum * t, f, "value");
        var xBar = new double[x.Length];
        Assert.Equal(f, ControlFlowCases.SumWhileBelowGradient(x, t, xBar, out var tBar));
        Assert.Equal(f, ControlFlowCases.SumWhileBelowJvp(x, dx, t, dt, out var dy));
        double directional = 0, second = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double g = i <= k ? 2 * t * x[i] : 0;
            AssertClose(g, xBar[i], $"x̄_{i}");
            directional += g * dx[i];
            if (i <= k) second += 2 * t * dx[i] * dx[i];
        }
        AssertClose(sum, tBar, "t̄");
        AssertClose(directional + sum * dt, dy, "JVP");
        var jet = new double[2 * x.Length];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        ControlFlowCases.SumWhileBelowTaylor(x, t, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], "Taylor y_1");
        AssertClose(second, y[2], "Taylor y_2");
    }
}
