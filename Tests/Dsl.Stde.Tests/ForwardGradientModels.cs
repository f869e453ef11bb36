using System;
using Dsl;

namespace Dsl.Stde.Tests;

/// <summary>
/// A small two-layer network's loss in its parameters θ (p = 2·3 + 2 + 2 + 1 = 11 for a
/// 3-input net with 2 tanh units and a linear head), with the forward-gradient estimators, the JVP they
/// must agree with and the reverse-mode gradient they estimate.
/// </summary>
public static partial class ForwardGradientModels
{
    public const int Inputs = 3;
    public const int Hidden = 2;

    /// <summary>p = Hidden·Inputs + Hidden (first layer) + Hidden + 1 (linear head).</summary>
    public const int P = Hidden * Inputs + Hidden + Hidden + 1;

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target)
    {
        double y = theta[Hidden * Inputs + 2 * Hidden];
        for (int j = 0; j < Hidden; j++)
        {
            double h = theta[Hidden * Inputs + j];
            for (int i = 0; i < Inputs; i++) h += theta[j * Inputs + i] * x[i];
            y += theta[Hidden * Inputs + Hidden + j] * Math.Tanh(h);
        }
        double r = y - target;
        return 0.5 * r * r + 0.1 * Math.Sin(y);
    }

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 4)]
    public static partial double LossForwardGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 1)]
    public static partial double LossForwardGradientOneLane(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 16)]
    public static partial double LossForwardGradient16(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Projection = true)]
    public static partial double LossProjection(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target,
        ReadOnlySpan<double> guesses, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Clip = 0.05)]
    public static partial double LossClipped(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [Jvp(nameof(Loss), Wrt = "theta")]
    public static partial double LossJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, ReadOnlySpan<double> dtheta, double target,
        out double dLoss);

    [Gradient(nameof(Loss), Wrt = "theta")]
    public static partial double LossGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, double target, Span<double> thetaBar);

    /// <summary>The same loss in float, to check the float path generates and agrees.</summary>
    [Differentiable]
    public static float LossF(ReadOnlySpan<float> theta, float target)
    {
        float s = 0;
        for (int i = 0; i < theta.Length; i++) s += MathF.Sin(theta[i]) * (i + 1);
        return (s - target) * (s - target);
    }

    [ForwardGradient(nameof(LossF), Wrt = "theta")]
    public static partial float LossFForwardGradient(ReadOnlySpan<float> theta, float target, ReadOnlySpan<float> tangents,
        Span<float> thetaEstimate);

    /// <summary>Two layers in two spans: Wrt = "w2" gives the per-layer estimator (w1 held fixed, no tangent on it).</summary>
    [Differentiable]
    public static double TwoSpanLoss(ReadOnlySpan<double> w1, ReadOnlySpan<double> w2, ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int j = 0; j < w2.Length; j++)
        {
            double h = 0;
            for (int i = 0; i < x.Length; i++) h += w1[j * x.Length + i] * x[i];
            s += w2[j] * Math.Tanh(h);
        }
        return s * s;
    }

    [ForwardGradient(nameof(TwoSpanLoss), Wrt = "w2", Lanes = 2)]
    public static partial double TwoSpanLossW2ForwardGradient(ReadOnlySpan<double> w1, ReadOnlySpan<double> w2, ReadOnlySpan<double> x,
        ReadOnlySpan<double> tangents, Span<double> w2Estimate);

    [Jvp(nameof(TwoSpanLoss), Wrt = "w2")]
    public static partial double TwoSpanLossW2Jvp(ReadOnlySpan<double> w1, ReadOnlySpan<double> w2, ReadOnlySpan<double> dw2,
        ReadOnlySpan<double> x, out double dLoss);

    [Jvp(nameof(LossF), Wrt = "theta")]
    public static partial float LossFJvp(ReadOnlySpan<float> theta, ReadOnlySpan<float> dtheta, float target, out float dLossF);
}

/// <summary>A dense layer h = W x + b under a loss of h: the weight gradient is ∂L/∂h ⊗ x (activity perturbation's identity).</summary>
public static partial class DenseLayerModels
{
    public const int N = 4, M = 3;

    [Differentiable]
    public static double ActivityLoss(ReadOnlySpan<double> h)
    {
        double s = 0;
        for (int j = 0; j < h.Length; j++) s += Math.Sin(h[j]) * (j + 1) + h[j] * h[j];
        return s;
    }

    [Differentiable]
    public static double LayerLoss(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[N];
        for (int j = 0; j < N; j++)
        {
            double s = b[j];
            for (int i = 0; i < M; i++) s += w[j * M + i] * x[i];
            h[j] = s;
        }
        return ActivityLoss(h);
    }

    [Gradient(nameof(ActivityLoss), Wrt = "h")]
    public static partial double ActivityLossGradient(ReadOnlySpan<double> h, Span<double> hBar);

    [ForwardGradient(nameof(ActivityLoss), Wrt = "h")]
    public static partial double ActivityLossForwardGradient(ReadOnlySpan<double> h, ReadOnlySpan<double> tangents, Span<double> hEstimate);

    [Gradient(nameof(LayerLoss), Wrt = "w,b")]
    public static partial double LayerLossGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> wBar,
        Span<double> bBar);
}
