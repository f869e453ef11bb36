using System;
using Xunit;
using static Dsl.Reverse.Tests.Numeric;

namespace Dsl.Reverse.Tests;

/// <summary>Generated gradients of <see cref="Cases"/> vs MathNet finite differences (and closed forms where short).</summary>
public class GradientCaseTests
{
    [Theory]
    [InlineData(0, 6)]
    [InlineData(2, 7)]
    [InlineData(3, 3)]   // empty loop
    public void LoopWithRuntimeBounds(int lo, int hi)
    {
        var w = Uniform(8, 1);
        double x = 0.7;
        var wBar = new double[w.Length];
        double y = Cases.RuntimeBoundsGradient(w, x, lo, hi, wBar, out var xBar);
        Assert.Equal(Cases.RuntimeBounds(w, x, lo, hi), y);
        double F(double[] v) => Cases.RuntimeBounds(v.AsSpan(0, 8), v[8], lo, hi);
        var at = Concat(w, [x]);
        AssertGradient(Concat(wBar, [xBar]), FiniteDifferenceGradient(F, at), y, DoubleTolerance);
        // Closed form: s = Σ w_i x^(i−lo); ∂/∂w_i = 2 s x^(i−lo) inside [lo, hi), 0 outside.
        double s = 0;
        for (int i = lo; i < hi; i++) s += w[i] * Math.Pow(x, i - lo);
        for (int i = 0; i < w.Length; i++)
            Assert.Equal(i >= lo && i < hi ? 2 * s * Math.Pow(x, i - lo) : 0.0, wBar[i], 12);
    }

    [Fact]
    public void NestedLoopsWithTriangularBounds()
    {
        const int n = 5;
        var a = Uniform(n * n, 2);
        var x = Uniform(n, 3);
        var aBar = new double[a.Length];
        var xBar = new double[n];
        double y = Cases.TriangularFormGradient(a, x, aBar, xBar);
        // Closed form: ∂/∂a_ij = x_i x_j (j ≤ i, else 0); ∂/∂x_k = Σ_{j≤k} a_kj x_j + Σ_{i≥k} a_ik x_i + x_k².
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(j <= i ? x[i] * x[j] : 0.0, aBar[i * n + j], 14);
        for (int k = 0; k < n; k++)
        {
            double e = x[k] * x[k];
            for (int j = 0; j <= k; j++) e += a[k * n + j] * x[j];
            for (int i = k; i < n; i++) e += a[i * n + k] * x[i];
            Assert.Equal(e, xBar[k], 13);
        }
        double F(double[] v) => Cases.TriangularForm(v.AsSpan(0, n * n), v.AsSpan(n * n));
        AssertGradient(Concat(aBar, xBar), FiniteDifferenceGradient(F, Concat(a, x)), y, DoubleTolerance);
    }

    [Fact]
    public void BranchesInsideLoop()
    {
        // Values on all three branches, each at least 0.05 from ±t.
        double[] x = [1.2, -0.9, 0.1, 0.75, -0.2, -1.5, 0.3];
        const double t = 0.5;
        var xBar = new double[x.Length];
        double y = Cases.BranchInLoopGradient(x, t, xBar, out var tBar);
        double F(double[] v) => Cases.BranchInLoop(v.AsSpan(0, x.Length), v[x.Length]);
        AssertGradient(Concat(xBar, [tBar]), FiniteDifferenceGradient(F, Concat(x, [t])), y, DoubleTolerance);
        // Closed form for x: 2(v − t) above, cos(v)·t below, t(i+1) in between.
        for (int i = 0; i < x.Length; i++)
        {
            double e = x[i] > t ? 2 * (x[i] - t) : x[i] < -t ? Math.Cos(x[i]) * t : t * (i + 1);
            Assert.Equal(e, xBar[i], 14);
        }
    }

    [Fact]
    public void StackallocBufferOverwrittenSeveralTimes()
    {
        var x = Uniform(6, 4, -1.2, 1.2);
        var xBar = new double[x.Length];
        double y = Cases.BufferRewrittenGradient(x, xBar);
        Assert.Equal(Cases.BufferRewritten(x), y);
        AssertGradient(xBar, FiniteDifferenceGradient(v => Cases.BufferRewritten(v), x), y, DoubleTolerance);
    }

    [Fact]
    public void HeapArrayOverwrittenSeveralTimes()
    {
        var x = Uniform(5, 5);
        const double decay = 0.8;
        var xBar = new double[x.Length];
        double y = Cases.ArrayRewrittenGradient(x, decay, xBar, out var decayBar);
        double F(double[] v) => Cases.ArrayRewritten(v.AsSpan(0, x.Length), v[x.Length]);
        AssertGradient(Concat(xBar, [decayBar]), FiniteDifferenceGradient(F, Concat(x, [decay])), y, DoubleTolerance);
    }

    [Fact]
    public void CallChainThreeDeep()
    {
        var w = Uniform(4, 6, -0.5, 0.5);
        const double x = 0.4, y0 = -0.7;
        var wBar = new double[w.Length];
        double y = Cases.OuterGradient(w, x, y0, wBar, out var xBar, out var yBar);
        Assert.Equal(Cases.Outer(w, x, y0), y);
        double F(double[] v) => Cases.Outer(v.AsSpan(0, 4), v[4], v[5]);
        AssertGradient(Concat(wBar, [xBar, yBar]), FiniteDifferenceGradient(F, Concat(w, [x, y0])), y, DoubleTolerance);
    }

    [Theory]
    [InlineData(0.3, 0.8, -0.4)]   // Max picks b, Min picks c, a − c > 0
    [InlineData(1.1, -0.6, 0.9)]   // Max picks a, Min picks b, a − c > 0
    [InlineData(-0.5, 0.2, 0.7)]   // a − c < 0 (Abs on its negative side)
    public void EveryMathFunction(double a, double b, double c)
    {
        double y = Cases.AllMathGradient(a, b, c, out var aBar, out var bBar, out var cBar);
        Assert.Equal(Cases.AllMath(a, b, c), y);
        double F(double[] v) => Cases.AllMath(v[0], v[1], v[2]);
        AssertGradient([aBar, bBar, cBar], FiniteDifferenceGradient(F, [a, b, c]), y, DoubleTolerance);
    }

    [Theory]
    [InlineData(2.5, 0.7)]    // first return
    [InlineData(0.3, 0.6)]    // z = x² − y < 0: second return
    [InlineData(1.2, 0.4)]    // falls through
    public void EarlyReturn(double x, double y0)
    {
        double y = Cases.EarlyReturnGradient(x, y0, out var xBar, out var yBar);
        Assert.Equal(Cases.EarlyReturn(x, y0), y);
        double F(double[] v) => Cases.EarlyReturn(v[0], v[1]);
        AssertGradient([xBar, yBar], FiniteDifferenceGradient(F, [x, y0]), y, DoubleTolerance);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1)]
    public void LoopsWithStepsAndDownwardLoops(int n)
    {
        var x = Uniform(n, 7);
        var xBar = new double[n];
        double y = Cases.StridedGradient(x, xBar);
        AssertGradient(xBar, FiniteDifferenceGradient(v => Cases.Strided(v), x), y, DoubleTolerance);
    }

    [Theory]
    [InlineData(0.6, 0.4, 0)]    // && true, x > y
    [InlineData(-0.3, 0.8, 0)]   // && false, else branch
    [InlineData(-0.3, 0.8, 1)]   // || true by mode
    public void ConditionalOperatorAndShortCircuit(double x, double y0, int mode)
    {
        double y = Cases.ConditionalsGradient(x, y0, mode, out var xBar, out var yBar);
        Assert.Equal(Cases.Conditionals(x, y0, mode), y);
        double F(double[] v) => Cases.Conditionals(v[0], v[1], mode);
        AssertGradient([xBar, yBar], FiniteDifferenceGradient(F, [x, y0]), y, DoubleTolerance);
    }

    [Fact]
    public void SoftmaxCrossEntropyWithRunningMax()
    {
        const int classes = 4, d = 3, label = 2;
        var w = Uniform(classes * d, 8);
        var x = Uniform(d, 9);
        var wBar = new double[w.Length];
        var xBar = new double[d];
        double y = Cases.SoftmaxCrossEntropyGradient(w, x, label, wBar, xBar);
        double F(double[] v) => Cases.SoftmaxCrossEntropy(v.AsSpan(0, classes * d), v.AsSpan(classes * d), label);
        AssertGradient(Concat(wBar, xBar), FiniteDifferenceGradient(F, Concat(w, x)), y, DoubleTolerance);
        // Closed form: ∂/∂w_ci = (softmax_c − [c = label]) x_i.
        var z = new double[classes];
        double se = 0;
        for (int c = 0; c < classes; c++) { for (int i = 0; i < d; i++) z[c] += w[c * d + i] * x[i]; se += Math.Exp(z[c]); }
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < d; i++)
                Assert.Equal((Math.Exp(z[c]) / se - (c == label ? 1 : 0)) * x[i], wBar[c * d + i], 14);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    public void HornerWithRuntimeDegree(int degree)
    {
        var coef = Uniform(6, 10);
        var ts = Uniform(4, 11);
        var cBar = new double[coef.Length];
        var tBar = new double[ts.Length];
        double y = Cases.HornerGradient(coef, ts, degree, cBar, tBar);
        double F(double[] v) => Cases.Horner(v.AsSpan(0, 6), v.AsSpan(6), degree);
        AssertGradient(Concat(cBar, tBar), FiniteDifferenceGradient(F, Concat(coef, ts)), y, DoubleTolerance);
        for (int i = degree + 1; i < coef.Length; i++) Assert.Equal(0.0, cBar[i]);
    }

    [Fact]
    public void WrtSubsetWithScalarAdjoint()
    {
        var x = Uniform(5, 12, -1.5, 1.5);
        var weights = Uniform(4, 13, 0.5, 1.5);
        const double a = 1.0;
        var xBar = new double[x.Length];
        double y = Cases.RosenbrockGradient(x, a, weights, xBar, out var aBar);
        double F(double[] v) => Cases.Rosenbrock(v.AsSpan(0, 5), v[5], weights);
        AssertGradient(Concat(xBar, [aBar]), FiniteDifferenceGradient(F, Concat(x, [a])), y, DoubleTolerance);
    }

    [Fact]
    public void AdjointSpanOfWrongLengthIsRejected()
    {
        var x = Uniform(5, 14);
        var ex = Assert.Throws<ArgumentException>(() => Cases.StridedGradient(x, new double[4]));
        Assert.Contains("xBar", ex.Message);
    }

    [Fact]
    public void AdjointSpansAreOverwrittenNotAccumulated()
    {
        var x = Uniform(6, 15);
        var first = new double[6];
        var second = new double[6];
        Array.Fill(second, 123.0);
        Cases.BufferRewrittenGradient(x, first);
        Cases.BufferRewrittenGradient(x, second);
        Assert.Equal(first, second);
    }

    // --- float versions: vs finite differences of the double twin at the same point ---

    [Theory]
    [InlineData(0.3f, 0.8f, -0.4f)]
    [InlineData(1.1f, -0.6f, 0.9f)]
    public void EveryMathFunctionFloat(float a, float b, float c)
    {
        float y = Cases.AllMathFGradient(a, b, c, out var aBar, out var bBar, out var cBar);
        Assert.Equal(Cases.AllMathF(a, b, c), y);
        double F(double[] v) => Cases.AllMath(v[0], v[1], v[2]);
        AssertGradient([aBar, bBar, cBar], FiniteDifferenceGradient(F, [a, b, c]), y, FloatTolerance);
    }

    [Fact]
    public void NestedLoopsFloat()
    {
        const int n = 5;
        var a = Array.ConvertAll(Uniform(n * n, 2), v => (float)v);
        var x = Array.ConvertAll(Uniform(n, 3), v => (float)v);
        var aBar = new float[a.Length];
        var xBar = new float[n];
        float y = Cases.TriangularFormFGradient(a, x, aBar, xBar);
        double F(double[] v) => Cases.TriangularForm(v.AsSpan(0, n * n), v.AsSpan(n * n));
        AssertGradient(Concat(ToDouble(aBar), ToDouble(xBar)), FiniteDifferenceGradient(F, Concat(ToDouble(a), ToDouble(x))), y, FloatTolerance);
    }

    [Fact]
    public void StackallocBufferOverwrittenFloat()
    {
        var x = Array.ConvertAll(Uniform(6, 4, -1.2, 1.2), v => (float)v);
        var xBar = new float[x.Length];
        float y = Cases.BufferRewrittenFGradient(x, xBar);
        AssertGradient(ToDouble(xBar), FiniteDifferenceGradient(v => Cases.BufferRewritten(v), ToDouble(x)), y, FloatTolerance);
    }
}
