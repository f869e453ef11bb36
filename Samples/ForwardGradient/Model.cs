using System;
using Dsl;

namespace ForwardGradientSample;

/// <summary>
/// The classifier: 2 → 32 → 32 → 3, tanh, softmax cross-entropy, all parameters in one span θ
/// (layer by layer: W1 (32×2, row-major), b1, W2 (32×32), b2, W3 (3×32), b3; p = 1,251). The
/// generated methods: the batch loss's reverse-mode gradient (backprop) and its forward gradient
/// over all of θ (weight perturbation) with 1, 4 or 16 tangents per pass; and, for activity
/// perturbation, the forward gradients of the local losses with respect to a layer's
/// pre-activations h (a 32-vector) and to logits z (a 3-vector).
/// </summary>
public static partial class Mlp
{
    public const int In = 2, H = 32, C = 3;
    public const int W1 = 0, B1 = W1 + H * In, W2 = B1 + H, B2 = W2 + H * H, W3 = B2 + H, B3 = W3 + C * H, P = B3 + C;

    /// <summary>A local head on a hidden layer: 3 × 32 weights and 3 biases.</summary>
    public const int HeadSize = C * H + C;

    /// <summary>The layers' parameter ranges in θ (weights and biases together), for per-layer figures.</summary>
    public static readonly (string Name, int Start, int Length)[] Layers =
    {
        ("layer 1", W1, W2 - W1),
        ("layer 2", W2, W3 - W2),
        ("layer 3", W3, P - W3),
    };

    /// <summary>Mean cross-entropy over the batch: xs holds n points (2 each), ys n one-hot rows (3 each).</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        int n = xs.Length / In;
        double total = 0;
        Span<double> a1 = stackalloc double[H];
        Span<double> a2 = stackalloc double[H];
        Span<double> z = stackalloc double[C];
        for (int b = 0; b < n; b++)
        {
            for (int j = 0; j < H; j++)
            {
                double h = theta[B1 + j];
                for (int i = 0; i < In; i++) h += theta[W1 + j * In + i] * xs[b * In + i];
                a1[j] = Math.Tanh(h);
            }
            for (int j = 0; j < H; j++)
            {
                double h = theta[B2 + j];
                for (int i = 0; i < H; i++) h += theta[W2 + j * H + i] * a1[i];
                a2[j] = Math.Tanh(h);
            }
            for (int c = 0; c < C; c++)
            {
                double s = theta[B3 + c];
                for (int i = 0; i < H; i++) s += theta[W3 + c * H + i] * a2[i];
                z[c] = s;
            }
            double m = z[0];
            for (int c = 1; c < C; c++) m = Math.Max(m, z[c]);
            double sum = 0;
            double target = 0;
            for (int c = 0; c < C; c++)
            {
                sum += Math.Exp(z[c] - m);
                target += ys[b * C + c] * z[c];
            }
            total += Math.Log(sum) + m - target;
        }
        return total / n;
    }

    [Gradient(nameof(Loss), Wrt = "theta")]
    public static partial double LossGradient(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        Span<double> thetaBar);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 1)]
    public static partial double LossForwardGradient1(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 4)]
    public static partial double LossForwardGradient4(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 16)]
    public static partial double LossForwardGradient16(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        ReadOnlySpan<double> tangents, Span<double> thetaEstimate);

    /// <summary>Cross-entropy of logits z against a one-hot y: the output layer's loss, and every local head's.</summary>
    [Differentiable]
    public static double LogitLoss(ReadOnlySpan<double> z, ReadOnlySpan<double> y)
    {
        double m = z[0];
        for (int c = 1; c < z.Length; c++) m = Math.Max(m, z[c]);
        double sum = 0;
        double target = 0;
        for (int c = 0; c < z.Length; c++)
        {
            sum += Math.Exp(z[c] - m);
            target += y[c] * z[c];
        }
        return Math.Log(sum) + m - target;
    }

    /// <summary>A hidden layer's local loss as a function of its pre-activations h: the head's cross-entropy on tanh(h).</summary>
    [Differentiable]
    public static double HiddenLocalLoss(ReadOnlySpan<double> h, ReadOnlySpan<double> head, ReadOnlySpan<double> y)
    {
        Span<double> z = stackalloc double[C];
        for (int c = 0; c < C; c++)
        {
            double s = head[C * H + c];
            for (int i = 0; i < H; i++) s += head[c * H + i] * Math.Tanh(h[i]);
            z[c] = s;
        }
        return LogitLoss(z, y);
    }

    [ForwardGradient(nameof(LogitLoss), Wrt = "z", Lanes = 4)]
    public static partial double LogitLossForwardGradient(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> tangents,
        Span<double> zEstimate);

    [ForwardGradient(nameof(HiddenLocalLoss), Wrt = "h", Lanes = 4)]
    public static partial double HiddenLocalLossForwardGradient(ReadOnlySpan<double> h, ReadOnlySpan<double> head, ReadOnlySpan<double> y,
        ReadOnlySpan<double> tangents, Span<double> hEstimate);

    /// <summary>
    /// Projection onto guessed directions (Fournier et al. 2023): one guess per layer (zero outside it), each built
    /// from that layer's local-loss gradient; g = (1/3) Σ_l (∇Loss·u_l) u_l / ‖u_l‖², one 3-lane pass. Biased.
    /// </summary>
    [ForwardGradient(nameof(Loss), Wrt = "theta", Lanes = 3, Projection = true)]
    public static partial double LossProjection(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys,
        ReadOnlySpan<double> guesses, Span<double> thetaEstimate);

    /// <summary>The exact local gradients the guesses are built from (a head's or the output's cross-entropy; no layer crossed).</summary>
    [Gradient(nameof(LogitLoss), Wrt = "z")]
    public static partial double LogitLossGradient(ReadOnlySpan<double> z, ReadOnlySpan<double> y, Span<double> zBar);

    [Gradient(nameof(HiddenLocalLoss), Wrt = "h")]
    public static partial double HiddenLocalLossGradient(ReadOnlySpan<double> h, ReadOnlySpan<double> head, ReadOnlySpan<double> y,
        Span<double> hBar);

    /// <summary>LeCun normal weights (variance 1/fan-in), zero biases.</summary>
    public static void Initialize(Span<double> theta, Probes rng)
    {
        theta.Clear();
        void Fill(Span<double> w, int fanIn)
        {
            rng.FillGaussian(w);
            double s = 1 / Math.Sqrt(fanIn);
            for (int i = 0; i < w.Length; i++) w[i] *= s;
        }
        Fill(theta.Slice(W1, H * In), In);
        Fill(theta.Slice(W2, H * H), H);
        Fill(theta.Slice(W3, C * H), H);
    }

    /// <summary>Pre-activations and activations of one point (h1, a1, h2, a2: H each; z: C).</summary>
    public static void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> x, Span<double> h1, Span<double> a1, Span<double> h2,
        Span<double> a2, Span<double> z)
    {
        Dense(theta.Slice(W1, H * In), theta.Slice(B1, H), x, h1);
        for (int j = 0; j < H; j++) a1[j] = Math.Tanh(h1[j]);
        Dense(theta.Slice(W2, H * H), theta.Slice(B2, H), a1, h2);
        for (int j = 0; j < H; j++) a2[j] = Math.Tanh(h2[j]);
        Dense(theta.Slice(W3, C * H), theta.Slice(B3, C), a2, z);
    }

    /// <summary>y = W x + b, W row-major (y.Length × x.Length).</summary>
    public static void Dense(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            double s = b[j];
            var row = w.Slice(j * x.Length, x.Length);
            for (int i = 0; i < x.Length; i++) s += row[i] * x[i];
            y[j] = s;
        }
    }
}
