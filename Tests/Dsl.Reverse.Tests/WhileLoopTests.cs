using System;
using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>
/// <c>while</c> and <c>do</c> loops (<see cref="WhileLoopCases"/>): forward, reverse, Taylor and operators against
/// closed forms. For the Newton iteration the closed forms come from the implicit function theorem on
/// g(x, a, b) = x³ + a x − b = 0; differentiating through the iterations converges to them.
/// </summary>
public class WhileLoopTests
{
    private static void AssertClose(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");

    // Rounding only: a few dozen operations in double, ≲ 1e-14 of the scale; 1e-11 leaves a margin of 1000.
    private const double Rounding = 1e-11;

    /// <summary>The root and its first and second partials in (a, b) by the implicit function theorem.</summary>
    private static (double X, double Xa, double Xb, double Xaa, double Xab, double Xbb) Implicit(double a, double b)
    {
        double x = WhileLoopCases.CubicRoot(a, b);
        double gx = 3 * x * x + a, gxx = 6 * x;  // g_a = x, g_b = −1, g_xa = 1; the other second partials are 0
        double xa = -x / gx, xb = 1 / gx;
        // x_ij = −(g_xx x_i x_j + g_xi x_j + g_xj x_i + g_ij) / g_x.
        return (x, xa, xb, -(gxx * xa * xa + 2 * xa) / gx, -(gxx * xa * xb + xb) / gx, -gxx * xb * xb / gx);
    }

    [Theory]
    // Not (1, 2): its start b / (1 + a) = 1 is the root, so one step runs, and the second derivatives, which lag one
    // iteration behind, keep the start's error (y_2 = 0 there against −0.09375): the loop stops on the value, not on
    // its derivatives.
    [InlineData(1.0, 3.0)]
    [InlineData(0.5, -3.0)]
    [InlineData(4.0, 0.25)]
    public void NewtonRootDerivativesAreTheImplicitOnes(double a, double b)
    {
        var (x, xa, xb, xaa, xab, xbb) = Implicit(a, b);
        // The root itself: g(x) = 0 to the loop's tolerance (a relative step of 1e-14, g' ≥ a).
        Assert.True(Math.Abs(x * x * x + a * x - b) <= 1e-12 * (1 + Math.Abs(b)), $"residual at {x}");

        // First derivatives through the iterations differ from the implicit ones by O(|x_{K-1} − x*|), the last step
        // (≤ 1e-14 relative), plus rounding: 1e-11.
        const double da = 0.3, db = -0.7;
        Assert.Equal(x, WhileLoopCases.CubicRootJvp(a, da, b, db, out var dx));
        AssertClose(xa * da + xb * db, dx, Rounding, "JVP");
        Assert.Equal(x, WhileLoopCases.CubicRootGradient(a, b, out var aBar, out var bBar));
        AssertClose(xa, aBar, Rounding, "ā");
        AssertClose(xb, bBar, Rounding, "b̄");

        // Second derivatives read the first derivative one iteration earlier, off by O(|x_{K-2} − x*|): Newton's
        // quadratic convergence makes that about the square root of the last step, ≲ 1e-7 relative; 1e-6.
        var y = new double[3];
        WhileLoopCases.CubicRootTaylor(a, b, [1.0, 0], y);
        Assert.Equal(x, y[0]);
        AssertClose(xb, y[1], Rounding, "Taylor y_1");
        AssertClose(xbb, y[2], 1e-6, "Taylor y_2");

        const double va = 0.4, vb = 1.1;
        Assert.Equal(x, WhileLoopCases.CubicRootHvp(a, b, va, vb, out var ga, out var gb, out var ha, out var hb));
        AssertClose(xa, ga, Rounding, "HVP's gradient a");
        AssertClose(xb, gb, Rounding, "HVP's gradient b");
        AssertClose(xaa * va + xab * vb, ha, 1e-6, "(Hv)_a");
        AssertClose(xab * va + xbb * vb, hb, 1e-6, "(Hv)_b");
    }

    [Theory]
    [InlineData(1.5, 0)]    // no iteration: the identity
    [InlineData(3.0, 1)]
    [InlineData(100.0, 3)]  // 100 → 10 → 3.16 → 1.78
    public void RepeatedSquareRootsRunTheirDataDependentCount(double x, int k)
    {
        // r = x^p with p = 2^-k: r' = p x^(p−1), r'' = p(p−1) x^(p−2), r''' = p(p−1)(p−2) x^(p−3).
        double p = Math.Pow(2, -k);
        double[] d = [Math.Pow(x, p), p * Math.Pow(x, p - 1), p * (p - 1) * Math.Pow(x, p - 2), p * (p - 1) * (p - 2) * Math.Pow(x, p - 3)];
        double f = WhileLoopCases.SqrtDown(x);
        AssertClose(d[0], f, Rounding, "value");
        Assert.Equal(f, WhileLoopCases.SqrtDownJvp(x, 1, out var dy));
        Assert.Equal(f, WhileLoopCases.SqrtDownGradient(x, out var xBar));
        AssertClose(d[1], dy, Rounding, "JVP");
        AssertClose(d[1], xBar, Rounding, "gradient");
        var y = new double[4];
        WhileLoopCases.SqrtDownTaylor(x, [1.0, 0, 0], y);
        Assert.Equal(f, y[0]);
        for (int j = 1; j <= 3; j++) AssertClose(d[j], y[j], Rounding, $"Taylor y_{j}");
    }

    [Theory]
    [InlineData(-2)]  // the body runs once: sin x
    [InlineData(1)]
    [InlineData(6)]   // stops at k = 6, a 'continue' iteration
    [InlineData(8)]
    public void DoLoopRunsOnceAndContinueGoesToTheTest(int n)
    {
        const double x = 0.37;
        // Σ_k sin(k x) over k = 1..max(n, 1), k ∉ 3ℕ; the j-th derivative is Σ k^j sin(k x + j π/2).
        var d = new double[4];
        for (int k = 1; k <= Math.Max(n, 1); k++)
        {
            if (k % 3 == 0) continue;
            for (int j = 0; j <= 3; j++) d[j] += Math.Pow(k, j) * Math.Sin(k * x + j * Math.PI / 2);
        }
        double f = WhileLoopCases.DoSkipping(x, n);
        AssertClose(d[0], f, Rounding, "value");
        Assert.Equal(f, WhileLoopCases.DoSkippingJvp(x, 1, n, out var dy));
        Assert.Equal(f, WhileLoopCases.DoSkippingGradient(x, n, out var xBar));
        AssertClose(d[1], dy, Rounding, "JVP");
        AssertClose(d[1], xBar, Rounding, "gradient");
        var y = new double[4];
        WhileLoopCases.DoSkippingTaylor(x, n, [1.0, 0, 0], y);
        Assert.Equal(f, y[0]);
        for (int j = 1; j <= 3; j++) AssertClose(d[j], y[j], Rounding, $"Taylor y_{j}");
    }

    [Theory]
    [InlineData(0, 1.0)]    // no element: zero iterations
    [InlineData(5, -1.0)]   // s = 0 > t at once: break before adding anything
    [InlineData(5, 0.6)]
    [InlineData(5, 50.0)]   // never passes t: runs to the end
    public void WhileWithBreakMatchesItsClosedForm(int n, double t)
    {
        // f = t S_k, S_k = Σ_{i<k} x_i², k where the loop stopped: ∂f/∂x_i = 2 t x_i (i < k), ∂f/∂t = S_k,
        // Laplacian Σ_{i<k} 2t, and along dx the second derivative Σ_{i<k} 2 t dx_i².
        double[] x = new[] { 0.5, -0.4, 0.3, 0.8, -0.6 }[..n], dx = new[] { 0.2, 0.7, -0.5, 0.1, 0.3 }[..n];
        const double dt = 0.3;
        int stop = 0;
        double sum = 0;
        while (stop < n && !(sum > t))
        {
            sum += x[stop] * x[stop];
            stop++;
        }
        double f = WhileLoopCases.WhileBreak(x, t);
        AssertClose(sum * t, f, Rounding, "value");
        var xBar = new double[n];
        Assert.Equal(f, WhileLoopCases.WhileBreakGradient(x, t, xBar, out var tBar));
        Assert.Equal(f, WhileLoopCases.WhileBreakJvp(x, dx, t, dt, out var dy));
        double directional = 0, second = 0;
        for (int i = 0; i < n; i++)
        {
            double g = i < stop ? 2 * t * x[i] : 0;
            AssertClose(g, xBar[i], Rounding, $"x̄_{i}");
            directional += g * dx[i];
            if (i < stop) second += 2 * t * dx[i] * dx[i];
        }
        AssertClose(sum, tBar, Rounding, "t̄");
        AssertClose(directional + sum * dt, dy, Rounding, "JVP");
        var y = new double[3];
        var jet = new double[2 * n];
        dx.CopyTo(jet, 0);
        WhileLoopCases.WhileBreakTaylor(x, t, jet, y);
        Assert.Equal(f, y[0]);
        AssertClose(directional, y[1], Rounding, "Taylor y_1");
        AssertClose(second, y[2], Rounding, "Taylor y_2");
        AssertClose(2 * t * stop, WhileLoopCases.WhileBreakLaplacian(x, t), Rounding, "Laplacian");
    }

    [Theory]
    [InlineData(0.45, 3)]  // x_3 = 0.8 is the first above c
    [InlineData(-1.0, 0)]
    [InlineData(2.0, -1)]  // none: f = c
    public void ReturnInsideWhile(double c, int first)
    {
        double[] x = [0.1, -0.4, 0.3, 0.8, 0.9], dx = [0.2, 0.7, -0.5, 0.1, 0.3];
        const double dc = -0.6;
        double f = WhileLoopCases.FirstAbove(x, c);
        var xBar = new double[x.Length];
        Assert.Equal(f, WhileLoopCases.FirstAboveGradient(x, c, xBar, out var cBar));
        Assert.Equal(f, WhileLoopCases.FirstAboveJvp(x, dx, c, dc, out var dy));
        if (first < 0)
        {
            AssertClose(c, f, Rounding, "value");
            AssertClose(1, cBar, Rounding, "c̄");
            AssertClose(dc, dy, Rounding, "JVP");
            Assert.All(xBar, v => Assert.Equal(0, v));
            return;
        }
        double v = x[first];
        AssertClose(v * v * c, f, Rounding, "value");
        AssertClose(v * v, cBar, Rounding, "c̄");
        for (int i = 0; i < x.Length; i++) AssertClose(i == first ? 2 * v * c : 0, xBar[i], Rounding, $"x̄_{i}");
        AssertClose(2 * v * c * dx[first] + v * v * dc, dy, Rounding, "JVP");
    }

    [Fact]
    public void AWhileLoopStopsAtTheCountersEnd()
    {
        // The stated cap: 2³¹ − 1 iterations (c counts them exactly: a double holds every integer below 2⁵³). For x ≤ 0
        // the loop does not run.
        Assert.Equal(int.MaxValue * 0.5, WhileLoopCases.EndlessJvp(0.5, 2, out var dy));
        Assert.Equal(int.MaxValue * 2.0, dy);
        Assert.Equal(0, WhileLoopCases.EndlessJvp(-1, 2, out dy));
        Assert.Equal(0, dy);
    }

    [Theory]
    [InlineData(1.5, 0)]   // case 0 when x > 1: x²
    [InlineData(0.5, 0)]   // case 0: −x
    [InlineData(-0.5, 3)]  // case > 0 when x < 0: eˣ
    [InlineData(-3.0, 5)]  // eˣ, and the arm _ when x < −2: + 1
    [InlineData(0.7, 1)]   // default: x³, and the arm 1 when x > 0.5: + sin x
    [InlineData(0.2, 1)]   // x³ + 0
    public void WhenClausesPickTheirSections(double x, int n)
    {
        // Value, first and second derivative of the chosen section plus the chosen arm.
        double[] s = n == 0 && x > 1 ? [x * x, 2 * x, 2]
            : n == 0 ? [-x, -1, 0]
            : n > 0 && x < 0 ? [Math.Exp(x), Math.Exp(x), Math.Exp(x)]
            : [x * x * x, 3 * x * x, 6 * x];
        double[] arm = n == 1 && x > 0.5 ? [Math.Sin(x), Math.Cos(x), -Math.Sin(x)] : x < -2 ? [1.0, 0, 0] : [0.0, 0, 0];
        double f = WhileLoopCases.Banded(x, n);
        AssertClose(s[0] + arm[0], f, Rounding, "value");
        Assert.Equal(f, WhileLoopCases.BandedJvp(x, 1, n, out var dy));
        Assert.Equal(f, WhileLoopCases.BandedGradient(x, n, out var xBar));
        AssertClose(s[1] + arm[1], dy, Rounding, "JVP");
        AssertClose(s[1] + arm[1], xBar, Rounding, "gradient");
        var y = new double[3];
        WhileLoopCases.BandedTaylor(x, n, [1.0, 0], y);
        Assert.Equal(f, y[0]);
        AssertClose(s[2] + arm[2], y[2], Rounding, "Taylor y_2");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SwitchSectionsInALoopContinueReturnOrBreak(int mode)
    {
        // s_{k+1} = 1.5 (s_k + t(x_k)) with t = x² (mode 0) or x (modes ≥ 3): f = Σ_k 1.5^(n−k) t(x_k); mode 1 skips every
        // element (f = 0), mode 2 returns 10 x_0. Gradient and the second coefficient along dx from that closed form.
        double[] x = [0.3, -0.8, 1.1, 0.4], dx = [0.5, 0.2, -0.7, 0.9];
        int n = x.Length;
        double f = 0, d1 = 0, d2 = 0;
        var g = new double[n];
        for (int k = 0; k < n; k++)
        {
            double w = Math.Pow(1.5, n - k);
            if (mode == 0) { f += w * x[k] * x[k]; g[k] = 2 * w * x[k]; d2 += 2 * w * dx[k] * dx[k]; }
            else if (mode >= 3) { f += w * x[k]; g[k] = w; }
        }
        if (mode == 2) { f = 10 * x[0]; g[0] = 10; }
        for (int k = 0; k < n; k++) d1 += g[k] * dx[k];
        AssertClose(f, WhileLoopCases.SwitchInLoop(x, mode), Rounding, "value");
        var xBar = new double[n];
        Assert.Equal(WhileLoopCases.SwitchInLoop(x, mode), WhileLoopCases.SwitchInLoopGradient(x, mode, xBar));
        for (int k = 0; k < n; k++) AssertClose(g[k], xBar[k], Rounding, $"x̄_{k}");
        var jet = new double[2 * n];
        dx.CopyTo(jet, 0);
        var y = new double[3];
        WhileLoopCases.SwitchInLoopTaylor(x, mode, jet, y);
        AssertClose(d1, y[1], Rounding, "Taylor y_1");
        AssertClose(d2, y[2], Rounding, "Taylor y_2");
    }

    [Theory]
    [InlineData(0.85, 4)]  // row 1, column 1: f = x_4 c + 1 (one full row seen before)
    [InlineData(-1.0, 0)]
    [InlineData(2.0, -1)]  // none: f = c²
    public void ReturnInsideANestedLoop(double c, int first)
    {
        double[] x = [0.1, -0.4, 0.3, 0.2, 0.9, 0.95], dx = [0.2, 0.7, -0.5, 0.1, 0.3, -0.4];
        const int rows = 2, m = 3;
        const double dc = -0.6;
        double f = WhileLoopCases.FirstAboveInRows(x, rows, m, c);
        var xBar = new double[x.Length];
        Assert.Equal(f, WhileLoopCases.FirstAboveInRowsGradient(x, rows, m, c, xBar, out var cBar));
        Assert.Equal(f, WhileLoopCases.FirstAboveInRowsJvp(x, dx, rows, m, c, dc, out var dy));
        double expected = first < 0 ? c * c : x[first] * c + first / m, dc_ = first < 0 ? 2 * c : x[first];
        AssertClose(expected, f, Rounding, "value");
        AssertClose(dc_, cBar, Rounding, "c̄");
        double directional = dc_ * dc;
        for (int i = 0; i < x.Length; i++)
        {
            double g = i == first ? c : 0;
            AssertClose(g, xBar[i], Rounding, $"x̄_{i}");
            directional += g * dx[i];
        }
        AssertClose(directional, dy, Rounding, "JVP");
    }
}
