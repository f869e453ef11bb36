using System;
using Dsl;
using Xunit;
using M = Dsl.Stde.Tests.ForwardGradientModels;

namespace Dsl.Stde.Tests;

/// <summary>
/// The generated forward-gradient estimator computes exactly (bit for bit) what K separate
/// generated JVPs give when their directional derivatives are combined in the same order, for
/// one pass (K = Lanes), several passes plus a remainder, and one lane; projection and clipping
/// follow their definitions; bad arguments throw.
/// </summary>
public class ForwardGradientTests
{
    internal static readonly double[] X = { 0.7, -1.3, 0.4 };
    internal const double Target = 0.25;

    internal static double[] Theta()
    {
        var rng = new Probes(7);
        var theta = new double[M.P];
        rng.FillGaussian(theta);
        for (int i = 0; i < theta.Length; i++) theta[i] *= 0.8;
        return theta;
    }

    internal static double[] TrueGradient(double[] theta)
    {
        var g = new double[M.P];
        M.LossGradient(X, theta, Target, g);
        return g;
    }

    /// <summary>(1/K) Σ_k d_k v_k from K separate JVPs, summed in k order and divided by K as the generated code does.</summary>
    private static double[] FromJvps(double[] theta, double[] tangents, Func<double, double> coefficient)
    {
        int k = tangents.Length / M.P;
        var est = new double[M.P];
        for (int t = 0; t < k; t++)
        {
            var v = tangents.AsSpan(t * M.P, M.P);
            M.LossJvp(X, theta, v, Target, out double d);
            double c = coefficient(d);
            for (int i = 0; i < M.P; i++) est[i] = est[i] + c * v[i];
        }
        for (int i = 0; i < M.P; i++) est[i] = est[i] / k;
        return est;
    }

    private delegate double Estimator(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target, ReadOnlySpan<double> tangents,
        Span<double> estimate);

    [Theory]
    [InlineData(4, 4)]   // one pass of the 4-lane function: the primal once for all tangents
    [InlineData(16, 16)] // one pass of the 16-lane function
    [InlineData(4, 9)]   // two 4-lane passes and a one-lane remainder
    [InlineData(1, 3)]   // one lane: three passes
    [InlineData(16, 1)]  // K below the lanes: the one-lane function
    public void OnePassEqualsSeparateJvpsBitForBit(int lanes, int k)
    {
        Estimator estimator = lanes switch
        {
            1 => M.LossForwardGradientOneLane,
            4 => M.LossForwardGradient,
            _ => M.LossForwardGradient16,
        };
        var theta = Theta();
        var tangents = new double[k * M.P];
        new Probes(100 + k).FillGaussian(tangents);
        var est = new double[M.P];
        double f = estimator(X, theta, Target, tangents, est);
        Assert.Equal(BitConverter.DoubleToInt64Bits(M.Loss(X, theta, Target)), BitConverter.DoubleToInt64Bits(f));
        var expected = FromJvps(theta, tangents, d => d);
        for (int i = 0; i < M.P; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(est[i]));
    }

    [Fact]
    public void WrtOneOfSeveralSpansEstimatesThatLayerOnly()
    {
        // Per-layer estimator: tangents on w2 alone; equal to JVPs along (0, v) bit for bit.
        var w1 = new double[3 * 2];
        var w2 = new double[3];
        var x = new[] { 0.3, -0.8 };
        new Probes(21).FillGaussian(w1);
        new Probes(22).FillGaussian(w2);
        const int k = 2;
        var tangents = new double[k * w2.Length];
        new Probes(23).FillRademacher(tangents);
        var est = new double[w2.Length];
        M.TwoSpanLossW2ForwardGradient(w1, w2, x, tangents, est);
        var expected = new double[w2.Length];
        for (int t = 0; t < k; t++)
        {
            var v = tangents.AsSpan(t * w2.Length, w2.Length);
            M.TwoSpanLossW2Jvp(w1, w2, v, x, out double d);
            for (int i = 0; i < w2.Length; i++) expected[i] = expected[i] + d * v[i];
        }
        for (int i = 0; i < w2.Length; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i] / k), BitConverter.DoubleToInt64Bits(est[i]));
    }

    [Fact]
    public void ClippingClampsEachDirectionalDerivativeBeforeItScalesItsTangent()
    {
        var theta = Theta();
        var tangents = new double[6 * M.P];
        new Probes(11).FillGaussian(tangents);
        var est = new double[M.P];
        M.LossClipped(X, theta, Target, tangents, est);
        var expected = FromJvps(theta, tangents, d => Math.Clamp(d, -0.05, 0.05));
        for (int i = 0; i < M.P; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(est[i]));
        // The clip acts: at least one |∇f·v| of these tangents exceeds 0.05 (else the test would not test it).
        var unclipped = FromJvps(theta, tangents, d => d);
        Assert.NotEqual(unclipped, expected);
    }

    [Fact]
    public void ProjectionOntoTheTrueGradientIsTheGradientAndOntoAnOrthogonalGuessIsZero()
    {
        var theta = Theta();
        var g = TrueGradient(theta);
        // Guess u = 3∇f: (∇f·u) u / ‖u‖² = ∇f. Rounding: a p-term dot product, a p-term norm and
        // two products, each within p·ε relative (Higham's γ_p), so 4·p·ε·‖∇f‖ bounds the error.
        var guess = new double[M.P];
        for (int i = 0; i < M.P; i++) guess[i] = 3 * g[i];
        var est = new double[M.P];
        M.LossProjection(X, theta, Target, guess, est);
        double norm = Math.Sqrt(Dot(g, g));
        double bound = 4 * M.P * Math.Pow(2, -53) * norm;
        for (int i = 0; i < M.P; i++) Assert.InRange(est[i] - g[i], -bound, bound);
        // A guess orthogonal to ∇f (Gram–Schmidt of e_0 against it) projects to zero up to the same rounding.
        var u = new double[M.P];
        u[0] = 1;
        double c = g[0] / Dot(g, g);
        for (int i = 0; i < M.P; i++) u[i] -= c * g[i];
        M.LossProjection(X, theta, Target, u, est);
        for (int i = 0; i < M.P; i++) Assert.InRange(est[i], -bound, bound);
    }

    [Fact]
    public void TangentsOfTheWrongLengthAndAnEstimateOfTheWrongLengthThrow()
    {
        var theta = Theta();
        var est = new double[M.P];
        var ex = Assert.Throws<ArgumentException>(() => M.LossForwardGradient(X, theta, Target, new double[M.P + 1], est));
        Assert.Equal("tangents", ex.ParamName);
        Assert.Throws<ArgumentException>(() => M.LossForwardGradient(X, theta, Target, Array.Empty<double>(), est));
        var ex2 = Assert.Throws<ArgumentException>(() => M.LossForwardGradient(X, theta, Target, new double[M.P], new double[M.P - 1]));
        Assert.Equal("thetaEstimate", ex2.ParamName);
    }

    [Fact]
    public void FloatEstimatorEqualsSeparateFloatJvpsBitForBit()
    {
        const int p = 6, k = 3;
        var theta = new float[] { 0.3f, -0.2f, 0.9f, 1.4f, -0.7f, 0.1f };
        var tangents = new float[k * p];
        new Probes(5).FillRademacher(tangents);
        var est = new float[p];
        float f = M.LossFForwardGradient(theta, 1.5f, tangents, est);
        Assert.Equal(M.LossF(theta, 1.5f), f);
        var expected = new float[p];
        for (int t = 0; t < k; t++)
        {
            var v = tangents.AsSpan(t * p, p);
            M.LossFJvp(theta, v, 1.5f, out float d);
            for (int i = 0; i < p; i++) expected[i] = expected[i] + d * v[i];
        }
        for (int i = 0; i < p; i++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[i] / k), BitConverter.SingleToInt32Bits(est[i]));
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
