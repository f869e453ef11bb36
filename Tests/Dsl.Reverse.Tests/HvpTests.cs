using System;
using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>Hessian-vector products by forward over reverse, against exact Hessians.</summary>
public static partial class HvpModels
{
    // f(x) = Σ (1 − x_i)² + 100 (x_{i+1} − x_i²)²
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = 1 - x[i];
            double b = x[i + 1] - x[i] * x[i];
            s += a * a + 100 * b * b;
        }
        return s;
    }

    [Hvp(nameof(Rosenbrock))]
    public static partial double RosenbrockHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> vX, Span<double> xBar, Span<double> xHv);

    [Gradient(nameof(Rosenbrock))]
    public static partial double RosenbrockGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // f(x) = Σ sign(x_i) x_i²: a piecewise-constant factor computed (and saved on the tape) inside the loop.
    [Differentiable]
    public static double SignedSquares(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Sign(x[i]) * x[i] * x[i];
        return s;
    }

    [Hvp(nameof(SignedSquares))]
    public static partial double SignedSquaresHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> vX, Span<double> xBar, Span<double> xHv);

    // g(x, y) = x² sin(y) + exp(x y): scalar parameters
    [Differentiable]
    public static double G(double x, double y) => x * x * Math.Sin(y) + Math.Exp(x * y);

    [Hvp(nameof(G))]
    public static partial double GHvp(double x, double y, double vX, double vY, out double xBar, out double yBar, out double xHv, out double yHv);

    // Reverse over forward over reverse: a loss on the Laplacian Σ_i e_iᵀ H e_i from d HVPs.
    [Differentiable]
    public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Tanh(theta[i] * x[i] + theta[x.Length] * x[(i + 1) % x.Length]);
        return s * theta[x.Length + 1];
    }

    [Hvp(nameof(U), Wrt = "x")]
    public static partial double UHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, ReadOnlySpan<double> vX, Span<double> xBar, Span<double> xHv);

    [Differentiable]
    public static double LapByHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        int d = x.Length;
        Span<double> e = stackalloc double[d];
        Span<double> g = stackalloc double[d];
        Span<double> hv = stackalloc double[d];
        double s = 0;
        for (int i = 0; i < d; i++)
        {
            e[i] = 1;
            double u = UHvp(x, theta, e, g, hv);
            s += hv[i];
            e[i] = 0;
        }
        return s;
    }

    [Differentiable]
    public static double LapLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        double r = LapByHvp(x, theta) - 0.25;
        return r * r;
    }

    [Gradient(nameof(LapLoss), Wrt = "theta")]
    public static partial double LapLossGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> thetaBar);

    // Reverse over reverse: the gradient of a gradient-norm penalty ‖∇_x f‖² with respect to θ.
    [Gradient(nameof(U), Wrt = "x")]
    public static partial double UGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> xBar);

    [Differentiable]
    public static double GradientPenalty(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        Span<double> g = stackalloc double[x.Length];
        double u = UGradient(x, theta, g);
        double s = u * 0.1;
        for (int i = 0; i < x.Length; i++) s += g[i] * g[i];
        return s;
    }

    [Gradient(nameof(GradientPenalty), Wrt = "theta")]
    public static partial double GradientPenaltyGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> thetaBar);

    // The same with a local buffer written in a loop and read in another (the shape of an MLP layer).
    [Differentiable]
    public static double V(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        int d = x.Length;
        Span<double> h = stackalloc double[d];
        for (int j = 0; j < d; j++) h[j] = Math.Tanh(theta[j] * x[j] + theta[d]);
        double s = 0;
        for (int j = 0; j < d; j++) s += theta[d + 1] * h[j] * h[(j + 1) % d];
        return s;
    }

    [Gradient(nameof(V), Wrt = "x")]
    public static partial double VGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> xBar);

    [Differentiable]
    public static double VPenalty(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
    {
        Span<double> g = stackalloc double[x.Length];
        double v = VGradient(x, theta, g);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += g[i] * g[i];
        return s;
    }

    [Gradient(nameof(VPenalty), Wrt = "theta")]
    public static partial double VPenaltyGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> thetaBar);
}

public class HvpTests
{
    /// <summary>The exact Hessian of the Rosenbrock sum (tridiagonal).</summary>
    private static double[,] RosenbrockHessian(double[] x)
    {
        var n = x.Length;
        var h = new double[n, n];
        for (var i = 0; i < n - 1; i++)
        {
            // term (1 − x_i)² + 100 (x_{i+1} − x_i²)²
            h[i, i] += 2 - 400 * (x[i + 1] - x[i] * x[i]) + 800 * x[i] * x[i];
            h[i, i + 1] += -400 * x[i];
            h[i + 1, i] += -400 * x[i];
            h[i + 1, i + 1] += 200;
        }
        return h;
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(6, 2)]
    [InlineData(10, 3)]
    public void RosenbrockHvpEqualsTheExactHessianTimesV(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n];
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = rng.NextDouble() * 2 - 1;
            v[i] = rng.NextDouble() * 2 - 1;
        }
        var grad = new double[n];
        var hv = new double[n];
        var value = HvpModels.RosenbrockHvp(x, v, grad, hv);
        Assert.Equal(HvpModels.Rosenbrock(x), value);

        var gradRef = new double[n];
        HvpModels.RosenbrockGradient(x, gradRef);
        var h = RosenbrockHessian(x);
        for (var i = 0; i < n; i++)
        {
            // Both sides are a few dozen double operations on values of size ≤ ~10³: agreement to
            // ~1e-12 relative to the row's magnitude Σ_j |H_ij v_j|.
            double expected = 0, scale = 0;
            for (var j = 0; j < n; j++)
            {
                expected += h[i, j] * v[j];
                scale += Math.Abs(h[i, j] * v[j]);
            }
            Assert.True(Math.Abs(hv[i] - expected) <= 1e-12 * scale + 1e-14, $"Hv[{i}] = {hv[i]}, exact {expected}");
            Assert.Equal(gradRef[i], grad[i], 12);
        }
    }

    [Theory]
    [InlineData(0.3, -0.7, 1.0, 0.0)]
    [InlineData(0.3, -0.7, 0.0, 1.0)]
    [InlineData(-1.1, 0.4, 0.6, -0.8)]
    public void ScalarHvpEqualsTheExactHessianTimesV(double x, double y, double vx, double vy)
    {
        HvpModels.GHvp(x, y, vx, vy, out var gx, out var gy, out var hx, out var hy);
        var e = Math.Exp(x * y);
        // ∇g = (2x sin y + y e, x² cos y + x e)
        // H = [[2 sin y + y² e, 2x cos y + e + x y e], [2x cos y + e + x y e, −x² sin y + x² e]]
        var hxx = 2 * Math.Sin(y) + y * y * e;
        var hxy = 2 * x * Math.Cos(y) + e + x * y * e;
        var hyy = -x * x * Math.Sin(y) + x * x * e;
        Assert.Equal(2 * x * Math.Sin(y) + y * e, gx, 12);
        Assert.Equal(x * x * Math.Cos(y) + x * e, gy, 12);
        Assert.Equal(hxx * vx + hxy * vy, hx, 12);
        Assert.Equal(hxy * vx + hyy * vy, hy, 12);
    }

    private static void CheckAgainstFiniteDifferences(Func<double[], double> f, double[] theta, double[] g)
    {
        double h = 1e-5, scale = 0;
        foreach (var gi in g) scale = Math.Max(scale, Math.Abs(gi));
        Assert.True(scale > 1e-3, "degenerate test: the gradient is ~0");
        for (int i = 0; i < theta.Length; i++)
        {
            var p = (double[])theta.Clone();
            var m = (double[])theta.Clone();
            p[i] += h;
            m[i] -= h;
            double fd = (f(p) - f(m)) / (2 * h);
            Assert.True(Math.Abs(fd - g[i]) <= 1e-6 * scale, $"θ[{i}]: gradient {g[i]:R}, finite difference {fd:R}");
        }
    }

    [Fact]
    public void GradientThroughHessianVectorProductsMatchesFiniteDifferences()
    {
        // Reverse over (forward over reverse): the θ-gradient of a loss on Σ_i e_iᵀ H e_i. The
        // adjoints flow back through the HVP's tape pushes and pops (tape levels 1 and 2).
        var x = new[] { 0.3, -0.7, 0.5, 0.9 };
        var theta = new[] { 0.8, -1.1, 0.6, 1.3, 0.7, -0.9 };
        var g = new double[theta.Length];
        double value = HvpModels.LapLossGradient(x, theta, g);
        Assert.Equal(HvpModels.LapLoss(x, theta), value, 12);
        CheckAgainstFiniteDifferences(t => HvpModels.LapLoss(x, t), theta, g);
    }

    [Fact]
    public void GradientOfAGradientPenaltyMatchesFiniteDifferences()
    {
        // Reverse over reverse.
        var x = new[] { -0.4, 0.8, 0.1 };
        var theta = new[] { 1.2, -0.6, 0.9, 0.5, -1.4 };
        var g = new double[theta.Length];
        double value = HvpModels.GradientPenaltyGradient(x, theta, g);
        Assert.Equal(HvpModels.GradientPenalty(x, theta), value, 12);
        CheckAgainstFiniteDifferences(t => HvpModels.GradientPenalty(x, t), theta, g);
    }

    [Fact]
    public void GradientOfAGradientPenaltyThroughLocalBuffersMatchesFiniteDifferences()
    {
        var x = new[] { -0.4, 0.8, 0.1, 0.6 };
        var theta = new[] { 1.2, -0.6, 0.9, 0.5, -1.4, 0.7 };
        var g = new double[theta.Length];
        double value = HvpModels.VPenaltyGradient(x, theta, g);
        Assert.Equal(HvpModels.VPenalty(x, theta), value, 12);
        CheckAgainstFiniteDifferences(t => HvpModels.VPenalty(x, t), theta, g);
    }

    [Fact]
    public void HvpThroughAPiecewiseConstantFactorInALoop()
    {
        // H = diag(2 sign(x_i)); the tape holds sign(x_i) and, for forward over reverse, its (zero) tangent.
        var x = new[] { 0.7, -1.3, 2.1, -0.4 };
        var v = new[] { 0.5, 1.5, -2.0, 3.0 };
        var g = new double[x.Length];
        var hv = new double[x.Length];
        Assert.Equal(HvpModels.SignedSquares(x), HvpModels.SignedSquaresHvp(x, v, g, hv));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(2 * Math.Sign(x[i]) * x[i], g[i], 12);
            Assert.Equal(2 * Math.Sign(x[i]) * v[i], hv[i], 12);
        }
    }
}
