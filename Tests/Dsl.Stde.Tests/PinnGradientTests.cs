using System;
using Dsl;
using Xunit;

namespace Dsl.Stde.Tests;

/// <summary>
/// A tiny PINN in double: u = (1 − ‖x‖²)·MLP(x), MLP d → w → w → 1 (tanh), and Allen–Cahn /
/// Sine–Gordon residuals that call its generated Laplacians. Their generated gradients with
/// respect to θ are reverse mode over Taylor mode.
/// </summary>
public static partial class TinyPinn
{
    public static int ParameterCount(int d, int w) => w * d + w + w * w + w + w + 1;

    [Differentiable]
    public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width)
    {
        int d = x.Length;
        Span<double> h1 = stackalloc double[width];
        Span<double> h2 = stackalloc double[width];
        for (int j = 0; j < width; j++)
        {
            double z = theta[width * d + j];
            for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
            h1[j] = Math.Tanh(z);
        }
        int w2 = width * d + width;
        for (int j = 0; j < width; j++)
        {
            double z = theta[w2 + width * width + j];
            for (int k = 0; k < width; k++) z += theta[w2 + j * width + k] * h1[k];
            h2[j] = Math.Tanh(z);
        }
        int w3 = w2 + width * width + width;
        double o = theta[w3 + width];
        for (int k = 0; k < width; k++) o += theta[w3 + k] * h2[k];
        double r2 = 0;
        for (int k = 0; k < d; k++) r2 += x[k] * x[k];
        return (1 - r2) * o;
    }

    [Laplacian(nameof(U), Wrt = "x")]
    public static partial double ULap(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width);

    // The exact Laplacian by forward over reverse (d HVPs), and a loss on it trained by reverse mode.
    [Hvp(nameof(U), Wrt = "x")]
    public static partial double UHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> vX, Span<double> xBar, Span<double> xHv);

    [Differentiable]
    public static double ULapHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width)
    {
        int d = x.Length;
        Span<double> e = stackalloc double[d];
        Span<double> g = stackalloc double[d];
        Span<double> hv = stackalloc double[d];
        double s = 0;
        for (int i = 0; i < d; i++)
        {
            e[i] = 1;
            double u = UHvp(x, theta, width, e, g, hv);
            s += hv[i];
            e[i] = 0;
        }
        return s;
    }

    [Differentiable]
    public static double LossHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, double f)
    {
        double r = ULapHvp(x, theta, width) - f;
        return r * r;
    }

    [Gradient(nameof(LossHvp), Wrt = "theta")]
    public static partial double LossHvpGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, double f, Span<double> thetaBar);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double ULapDense(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes);

    [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse)]
    public static partial double ULapSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes);

    /// <summary>Allen–Cahn residual squared, exact Laplacian.</summary>
    [Differentiable]
    public static double LossExact(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, double f)
    {
        double u = U(x, theta, width);
        double r = ULap(x, theta, width) + u - u * u * u - f;
        return r * r;
    }

    /// <summary>Allen–Cahn residual squared, dense STDE Laplacian.</summary>
    [Differentiable]
    public static double LossDense(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f)
    {
        double u = U(x, theta, width);
        double r = ULapDense(x, theta, width, probes) + u - u * u * u - f;
        return r * r;
    }

    /// <summary>Sine–Gordon residual squared, sparse STDE Laplacian.</summary>
    [Differentiable]
    public static double LossSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f)
    {
        double r = ULapSparse(x, theta, width, probes) + Math.Sin(U(x, theta, width)) - f;
        return r * r;
    }

    [Gradient(nameof(LossExact), Wrt = "theta")]
    public static partial double LossExactGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, double f, Span<double> thetaBar);

    [Gradient(nameof(LossDense), Wrt = "theta")]
    public static partial double LossDenseGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f, Span<double> thetaBar);

    [Gradient(nameof(LossSparse), Wrt = "theta")]
    public static partial double LossSparseGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f, Span<double> thetaBar);

    /// <summary>A double twin of the PINN sample's float network (same θ layout), for comparing the sample's float gradients.</summary>
    [Differentiable]
    public static double SampleU(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width)
    {
        int d = x.Length;
        Span<double> h1 = stackalloc double[width];
        Span<double> h2 = stackalloc double[width];
        Span<double> h3 = stackalloc double[width];
        int b1 = width * d;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b1 + j];
            for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
            h1[j] = Math.Tanh(z);
        }
        int w2 = b1 + width;
        int b2 = w2 + width * width;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b2 + j];
            for (int k = 0; k < width; k++) z += theta[w2 + j * width + k] * h1[k];
            h2[j] = Math.Tanh(z);
        }
        int w3 = b2 + width;
        int b3 = w3 + width * width;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b3 + j];
            for (int k = 0; k < width; k++) z += theta[w3 + j * width + k] * h2[k];
            h3[j] = Math.Tanh(z);
        }
        int w4 = b3 + width;
        double o = theta[w4 + width];
        for (int k = 0; k < width; k++) o += theta[w4 + k] * h3[k];
        double r2 = 0;
        for (int k = 0; k < d; k++) r2 += x[k] * x[k];
        return (1 - r2) * o;
    }

    [Laplacian(nameof(SampleU), Wrt = "x", Estimator = Estimator.Dense)]
    public static partial double SampleULapDense(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes);

    /// <summary>The sample's residual (early returns on an int), in double.</summary>
    [Differentiable]
    public static double SampleResidual(double lap, double u, double f, int pde)
    {
        if (pde == 0) return lap + u - u * u * u - f;
        if (pde == 1) return -lap - f;
        return lap + Math.Sin(u) - f;
    }

    [Differentiable]
    public static double SampleLossDense(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f, int pde)
    {
        double r = SampleResidual(SampleULapDense(x, theta, width, probes), SampleU(x, theta, width), f, pde);
        return r * r;
    }

    [Gradient(nameof(SampleLossDense), Wrt = "theta")]
    public static partial double SampleLossDenseGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int width, ReadOnlySpan<double> probes, double f, int pde, Span<double> thetaBar);
}

/// <summary>Gradients of PINN losses (reverse over Taylor) against central finite differences.</summary>
public class PinnGradientTests
{
    private const int D = 3, W = 5;

    private static (double[] x, double[] theta) Setup(int seed)
    {
        var rng = new Probes(seed);
        var theta = new double[TinyPinn.ParameterCount(D, W)];
        rng.FillGaussian(theta);
        for (int i = 0; i < theta.Length; i++) theta[i] *= 0.6;
        var x = new double[D];
        rng.FillUniformBall(x, D);
        return (x, theta);
    }

    /// <summary>
    /// Central differences with h = 1e-5: truncation h²/6·f''' ~ 1e-10 and round-off ε·|f|/h ~ 1e-10
    /// for losses of order 1–10, so 1e-6 relative to the largest gradient entry is a wide margin.
    /// </summary>
    private static void CheckAgainstFiniteDifferences(Func<double[], double> loss, double[] theta, double[] grad, double value)
    {
        Assert.Equal(loss(theta), value, 12);
        double h = 1e-5, scale = 0;
        foreach (var g in grad) scale = Math.Max(scale, Math.Abs(g));
        Assert.True(scale > 1e-3, "degenerate test: the gradient is ~0");
        for (int i = 0; i < theta.Length; i++)
        {
            var tp = (double[])theta.Clone();
            var tm = (double[])theta.Clone();
            tp[i] += h;
            tm[i] -= h;
            double fd = (loss(tp) - loss(tm)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) <= 1e-6 * scale, $"θ[{i}]: gradient {grad[i]:R}, finite difference {fd:R}");
        }
    }

    [Fact]
    public void ExactLaplacianLossGradientMatchesFiniteDifferences()
    {
        var (x, theta) = Setup(1);
        var g = new double[theta.Length];
        double v = TinyPinn.LossExactGrad(x, theta, W, 0.3, g);
        CheckAgainstFiniteDifferences(t => TinyPinn.LossExact(x, t, W, 0.3), theta, g, v);
    }

    [Fact]
    public void DenseStdeLossGradientMatchesFiniteDifferences()
    {
        var (x, theta) = Setup(2);
        var probes = new double[4 * D];
        new Probes(9).FillRademacher(probes);
        var g = new double[theta.Length];
        double v = TinyPinn.LossDenseGrad(x, theta, W, probes, -0.2, g);
        CheckAgainstFiniteDifferences(t => TinyPinn.LossDense(x, t, W, probes, -0.2), theta, g, v);
    }

    [Fact]
    public void SparseStdeLossGradientMatchesFiniteDifferences()
    {
        var (x, theta) = Setup(3);
        var probes = new double[2 * D];
        new Probes(10).FillSparseCoordinates(probes, D, 2);
        var g = new double[theta.Length];
        double v = TinyPinn.LossSparseGrad(x, theta, W, probes, 0.1, g);
        CheckAgainstFiniteDifferences(t => TinyPinn.LossSparse(x, t, W, probes, 0.1), theta, g, v);
    }

    [Fact]
    public void HvpLaplacianLossGradientMatchesFiniteDifferences()
    {
        // Reverse over forward over reverse through the network's stackalloc layers.
        var (x, theta) = Setup(5);
        Assert.Equal(TinyPinn.ULap(x, theta, W), TinyPinn.ULapHvp(x, theta, W), 11);
        var g = new double[theta.Length];
        double v = TinyPinn.LossHvpGrad(x, theta, W, 0.4, g);
        CheckAgainstFiniteDifferences(t => TinyPinn.LossHvp(x, t, W, 0.4), theta, g, v);
    }

    [Fact]
    public void ExactLaplacianOfTheNetworkMatchesFiniteDifferences()
    {
        var (x, theta) = Setup(4);
        double h = 1e-4, fd = 0, u0 = TinyPinn.U(x, theta, W);
        for (int k = 0; k < D; k++)
        {
            var xp = (double[])x.Clone();
            var xm = (double[])x.Clone();
            xp[k] += h;
            xm[k] -= h;
            fd += (TinyPinn.U(xp, theta, W) - 2 * u0 + TinyPinn.U(xm, theta, W)) / (h * h);
        }
        Assert.True(Math.Abs(fd - TinyPinn.ULap(x, theta, W)) <= 1e-6, $"FD {fd:R}, exact {TinyPinn.ULap(x, theta, W):R}");
    }

    [Theory]
    [InlineData(0)] // Allen–Cahn
    [InlineData(1)] // Poisson
    [InlineData(2)] // Sine–Gordon
    public void PinnSampleFloatGradientMatchesItsDoubleTwin(int pde)
    {
        // The PINN sample's float model (Samples/Pinn/Model.cs): its generated gradient against the
        // generated gradient of the identical double network, itself checked against finite differences.
        const int d = 4, width = 6;
        int n = Pinn.Model.ParameterCount(d, width);
        var rng = new Probes(21);
        var theta = new double[n];
        rng.FillGaussian(theta);
        for (int i = 0; i < n; i++) theta[i] *= 0.4;
        var x = new double[d];
        rng.FillUniformBall(x, d);
        var probes = new double[3 * d];
        rng.FillRademacher(probes);
        var thetaF = Array.ConvertAll(theta, v => (float)v);
        var xF = Array.ConvertAll(x, v => (float)v);
        var probesF = Array.ConvertAll(probes, v => (float)v);
        // The double twin sees exactly the float-rounded inputs.
        theta = Array.ConvertAll(thetaF, v => (double)v);
        x = Array.ConvertAll(xF, v => (double)v);

        var gd = new double[n];
        double vd = TinyPinn.SampleLossDenseGrad(x, theta, width, probes, 0.5, pde, gd);
        CheckAgainstFiniteDifferences(t => TinyPinn.SampleLossDense(x, t, width, probes, 0.5, pde), theta, gd, vd);

        var gf = new float[n];
        float vf = Pinn.Model.LossDenseGrad(xF, thetaF, width, probesF, 0.5f, pde, gf);
        double scale = 0;
        foreach (var g in gd) scale = Math.Max(scale, Math.Abs(g));
        // float: a few hundred ulps of the largest entry.
        Assert.True(Math.Abs(vf - vd) <= 1e-5 * Math.Max(1, Math.Abs(vd)), $"loss float {vf:R}, double {vd:R}");
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(gf[i] - gd[i]) <= 3e-5 * scale, $"θ[{i}]: float {gf[i]:R}, double {gd[i]:R}");
    }
}
