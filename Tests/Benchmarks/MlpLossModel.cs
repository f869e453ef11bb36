using System;

namespace Dsl.Benchmarks;

/// <summary>
/// Squared-error loss of a two-hidden-layer tanh MLP over a batch, in double. Input dimension
/// d = <c>xs.Length / ys.Length</c>, hidden width <see cref="H"/>, scalar linear output; the
/// points are the rows of <c>xs</c> (row-major, B×d) with targets <c>ys</c> [B]. All weights and
/// biases live in one flat <c>theta</c> (the layout of the JVP benchmark's MlpModel):
/// W1 [H×d] | b1 [H] | W2 [H×H] | b2 [H] | w3 [H] | b3.
/// </summary>
public static partial class MlpLossModel
{
    public const int H = 128;

    public static int ThetaLength(int d) => H * d + H + H * H + H + H + 1;

    /// <summary>Σ_p (MLP(x_p; θ) − y_p)².</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        int batch = ys.Length;
        int d = xs.Length / batch;
        int b1 = H * d;
        int w2 = b1 + H;
        int b2 = w2 + H * H;
        int w3 = b2 + H;
        int b3 = w3 + H;
        Span<double> h1 = stackalloc double[H];
        Span<double> h2 = stackalloc double[H];
        double loss = 0;
        for (int p = 0; p < batch; p++)
        {
            for (int j = 0; j < H; j++)
            {
                double s = theta[b1 + j];
                for (int i = 0; i < d; i++)
                {
                    s += theta[j * d + i] * xs[p * d + i];
                }
                h1[j] = Math.Tanh(s);
            }
            for (int j = 0; j < H; j++)
            {
                double s = theta[b2 + j];
                for (int i = 0; i < H; i++)
                {
                    s += theta[w2 + j * H + i] * h1[i];
                }
                h2[j] = Math.Tanh(s);
            }
            double y = theta[b3];
            for (int j = 0; j < H; j++)
            {
                y += theta[w3 + j] * h2[j];
            }
            double e = y - ys[p];
            loss += e * e;
        }
        return loss;
    }

    /// <summary>Generated reverse-mode gradient with respect to the parameters.</summary>
    [Gradient(nameof(Loss), Wrt = "theta")]
    public static partial double LossGradient(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> thetaBar);
}
