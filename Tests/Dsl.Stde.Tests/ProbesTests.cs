using System;
using Dsl;
using Xunit;

namespace Dsl.Stde.Tests;

/// <summary>
/// The probe sampler: determinism, the distributions' moments (bounds of 4 standard errors
/// computed from the exact distributions), sampling without replacement, argument checks.
/// </summary>
public class ProbesTests
{
    [Fact]
    public void SameSeedAndStreamGiveTheSameNumbers()
    {
        var a = new Probes(42, 7);
        var b = new Probes(42, 7);
        var c = new Probes(42, 8);
        var d = new Probes(43, 7);
        bool differsC = false, differsD = false;
        for (int i = 0; i < 100; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            differsC |= x != c.NextUInt64();
            differsD |= x != d.NextUInt64();
        }
        Assert.True(differsC && differsD);
        a.Reseed(42, 7);
        b.Reseed(42, 7);
        var fa = new float[33];
        var fb = new float[33];
        a.FillGaussian(fa);
        b.FillGaussian(fb);
        Assert.Equal(fa, fb);
    }

    [Fact]
    public void NextDoubleIsUniformAndNextIntIsInRange()
    {
        var rng = new Probes(1);
        const int n = 20000;
        double sum = 0;
        var counts = new int[7];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            sum += u;
            counts[rng.NextInt(7)]++;
        }
        Assert.True(Math.Abs(sum / n - 0.5) <= 4 * Math.Sqrt(1.0 / 12 / n));
        // Each count ~ Binomial(n, 1/7).
        double p = 1.0 / 7, sd = Math.Sqrt(n * p * (1 - p));
        foreach (var k in counts) Assert.True(Math.Abs(k - n * p) <= 4 * sd, $"count {k}, expected {n * p}");
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void RademacherEntriesAreSignsWithMeanZero()
    {
        var rng = new Probes(2);
        var v = new double[10007];
        rng.FillRademacher(v);
        double s = 0;
        foreach (var e in v)
        {
            Assert.True(e == 1 || e == -1);
            s += e;
        }
        Assert.True(Math.Abs(s / v.Length) <= 4 / Math.Sqrt(v.Length));
        var f = new float[130];
        rng.FillRademacher(f);
        Assert.All(f, e => Assert.True(e == 1f || e == -1f));
    }

    [Fact]
    public void GaussianEntriesHaveMeanZeroAndVarianceOne()
    {
        var rng = new Probes(3);
        var v = new double[20001];
        rng.FillGaussian(v);
        double m = 0, m2 = 0;
        foreach (var e in v) { m += e; m2 += e * e; }
        m /= v.Length;
        m2 /= v.Length;
        Assert.True(Math.Abs(m) <= 4 / Math.Sqrt(v.Length));
        Assert.True(Math.Abs(m2 - 1) <= 4 * Math.Sqrt(2.0 / v.Length)); // Var(z²) = 2
    }

    [Fact]
    public void SparseCoordinatesAreDistinctUnitVectorsChosenUniformly()
    {
        const int d = 10, count = 4, n = 5000;
        var rng = new Probes(4);
        var probes = new float[count * d];
        var freq = new int[d];
        for (int t = 0; t < n; t++)
        {
            rng.FillSparseCoordinates(probes, d, count);
            var seen = new bool[d];
            for (int s = 0; s < count; s++)
            {
                int ones = 0, j = -1;
                for (int k = 0; k < d; k++)
                {
                    float e = probes[s * d + k];
                    Assert.True(e == 0 || e == 1);
                    if (e == 1) { ones++; j = k; }
                }
                Assert.Equal(1, ones);
                Assert.False(seen[j], "a coordinate was drawn twice");
                seen[j] = true;
                freq[j]++;
            }
        }
        // Each coordinate is in J with probability count/d, independently across draws.
        double p = (double)count / d, sd = Math.Sqrt(n * p * (1 - p));
        foreach (var k in freq) Assert.True(Math.Abs(k - n * p) <= 4 * sd, $"frequency {k}, expected {n * p}");
    }

    [Fact]
    public void EveryCoordinateOnceWhenCountIsD()
    {
        var rng = new Probes(5);
        var probes = new double[6 * 6];
        rng.FillSparseCoordinates(probes, 6, 6);
        for (int k = 0; k < 6; k++)
        {
            double col = 0;
            for (int s = 0; s < 6; s++) col += probes[s * 6 + k];
            Assert.Equal(1, col);
        }
        var idx = new int[3];
        rng.SampleWithoutReplacement(idx, 5, 3);
        Assert.Equal(3, new System.Collections.Generic.HashSet<int>(idx).Count);
    }

    [Fact]
    public void UniformBallPointsHaveTheRightRadiusDistribution()
    {
        // Uniform in the d-ball: P(r ≤ s) = s^d, so r^d ~ U(0, 1) (mean 1/2, variance 1/12);
        // each coordinate has mean 0 and variance E[r²]/d = 1/(d + 2).
        foreach (int d in new[] { 1, 2, 5, 30 })
        {
            const int n = 4000;
            var rng = new Probes(6 + d);
            var pts = new double[n * d];
            rng.FillUniformBall(pts, d);
            double sumRd = 0, sumX0 = 0, sumX02 = 0;
            for (int p = 0; p < n; p++)
            {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += pts[p * d + k] * pts[p * d + k];
                Assert.True(r2 <= 1 + 1e-12);
                sumRd += Math.Pow(Math.Sqrt(r2), d);
                sumX0 += pts[p * d];
                sumX02 += pts[p * d] * pts[p * d];
            }
            Assert.True(Math.Abs(sumRd / n - 0.5) <= 4 * Math.Sqrt(1.0 / 12 / n), $"d = {d}: mean r^d = {sumRd / n}");
            double varX = 1.0 / (d + 2);
            Assert.True(Math.Abs(sumX0 / n) <= 4 * Math.Sqrt(varX / n), $"d = {d}: mean x_0 = {sumX0 / n}");
            // Var(x_0²) ≤ E[x_0⁴] ≤ 3 varX² (a coordinate of a uniform ball point is lighter-tailed than a Gaussian).
            Assert.True(Math.Abs(sumX02 / n - varX) <= 4 * Math.Sqrt(3 * varX * varX / n), $"d = {d}: mean x_0² = {sumX02 / n}");
        }
        var f = new float[3 * 7];
        new Probes(1).FillUniformBall(f, 7);
        Assert.Contains(f, v => v != 0);
    }

    [Fact]
    public void WrongLengthsAreRejectedNamingTheArgument()
    {
        var rng = new Probes(0);
        var e1 = Assert.Throws<ArgumentException>(() => rng.FillSparseCoordinates(new double[7], 4, 2));
        Assert.Equal("probes", e1.ParamName);
        Assert.Contains("8", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => rng.FillUniformBall(new float[7], 3));
        Assert.Equal("points", e2.ParamName);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => rng.FillSparseCoordinates(new double[10], 2, 5));
        Assert.Equal("count", e3.ParamName);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => rng.FillUniformBall(new double[3], 0));
        Assert.Equal("d", e4.ParamName);
        var e5 = Assert.Throws<ArgumentException>(() => rng.SampleWithoutReplacement(new int[2], 5, 3));
        Assert.Equal("indices", e5.ParamName);
    }
}

/// <summary>Adam with linear learning-rate decay, against a direct transcription of the update.</summary>
public class AdamTests
{
    [Fact]
    public void LearningRateDecaysLinearlyToZero()
    {
        var adam = new Adam(1, learningRate: 1e-3, decaySteps: 100);
        Assert.Equal(1e-3, adam.LearningRateAt(0), 15);
        Assert.Equal(0.5e-3, adam.LearningRateAt(50), 15);
        Assert.Equal(1e-5, adam.LearningRateAt(99), 15);
        Assert.Equal(0, adam.LearningRateAt(100));
        Assert.Equal(0, adam.LearningRateAt(150));
        Assert.Equal(1e-3, new Adam(1, 1e-3).LearningRateAt(10_000));
    }

    [Fact]
    public void StepsMatchTheAdamUpdate()
    {
        // Minimize Σ (p_i − i)² for a few steps and compare with the textbook formulas.
        const int n = 3, steps = 20;
        double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var adam = new Adam(n, lr, decaySteps: steps);
        var p = new double[n];
        var pf = new float[n];
        var adamF = new Adam(n, lr, decaySteps: steps);
        var q = new double[n];
        var m = new double[n];
        var v = new double[n];
        for (int t = 0; t < steps; t++)
        {
            var g = new double[n];
            for (int i = 0; i < n; i++) g[i] = 2 * (p[i] - i);
            var gf = new float[n];
            for (int i = 0; i < n; i++) gf[i] = 2 * (pf[i] - i);
            adam.Step(p, g);
            adamF.Step(pf, gf);

            double lrT = lr * (1 - (double)t / steps);
            for (int i = 0; i < n; i++)
            {
                double gi = 2 * (q[i] - i);
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mh = m[i] / (1 - Math.Pow(b1, t + 1)), vh = v[i] / (1 - Math.Pow(b2, t + 1));
                q[i] -= lrT * mh / (Math.Sqrt(vh) + eps);
            }
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(q[i], p[i], 12);
                Assert.Equal(q[i], pf[i], 5);
            }
        }
        Assert.Equal(steps, adam.StepCount);
        // The first step moves each parameter with a non-zero gradient by lr against the gradient's sign.
        var fresh = new Adam(2, 0.01);
        var pp = new double[] { 0, 0 };
        fresh.Step(pp, new double[] { 3, -0.5 });
        Assert.Equal(-0.01, pp[0], 9);
        Assert.Equal(0.01, pp[1], 9);
    }

    [Fact]
    public void WrongLengthsAreRejectedNamingTheArgument()
    {
        var adam = new Adam(4);
        var e1 = Assert.Throws<ArgumentException>(() => adam.Step(new double[3], new double[4]));
        Assert.Equal("parameters", e1.ParamName);
        Assert.Contains("4", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[5]));
        Assert.Equal("gradient", e2.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(1, decaySteps: -1));
    }
}

public class ScratchTests
{
    [Fact]
    public void SpansAreZeroedSeparateAndSurviveGrowth()
    {
        var s = Scratch.Rent();
        var a = s.Doubles(3);
        a.Fill(7);
        var b = s.Doubles(5000); // beyond the initial store: a new array
        b.Fill(1);
        Assert.Equal(new double[] { 7, 7, 7 }, a.ToArray());
        Assert.All(b.ToArray(), v => Assert.Equal(1, v));
        var f = s.Singles(4);
        Assert.All(f.ToArray(), v => Assert.Equal(0f, v));
        s.Release();
        // Reused after release, and zeroed again.
        var t = Scratch.Rent();
        var c = t.Doubles(3);
        Assert.Equal(new double[3], c.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Doubles(-1));
        t.Release();
    }

    [Fact]
    public void OperatorsAndTheirGradientsAllocateNothingAfterWarmUp()
    {
        // The generated operators take their jet buffers from the pooled scratch and the
        // gradients their tape from the pooled tape: no allocation per call in steady state.
        const int d = 6, w = 4;
        var rng = new Probes(3);
        var theta = new double[TinyPinn.ParameterCount(d, w)];
        rng.FillGaussian(theta);
        var x = new double[d];
        rng.FillUniformBall(x, d);
        var probes = new double[5 * d];
        rng.FillRademacher(probes);
        var g = new double[theta.Length];
        for (int i = 0; i < 3; i++)
        {
            TinyPinn.ULapDense(x, theta, w, probes);
            TinyPinn.LossDenseGrad(x, theta, w, probes, 0.1, g);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            TinyPinn.ULapDense(x, theta, w, probes);
            TinyPinn.LossDenseGrad(x, theta, w, probes, 0.1, g);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
