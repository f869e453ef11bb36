using System;

namespace Dsl.Benchmarks;

/// <summary>
/// Hand-written backpropagation for <see cref="MlpLossModel.Loss"/>, plain C#: per point, a forward
/// pass keeping the activations, then the backward pass (no tape; the activations of one point
/// are all it needs).
/// </summary>
public static class MlpLossHand
{
    private const int H = MlpLossModel.H;

    /// <summary>Gradient of the batch loss with respect to theta (overwritten); returns the loss.</summary>
    public static double Gradient(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> thetaBar)
    {
        if (thetaBar.Length != theta.Length) throw new ArgumentException("thetaBar must have the length of theta");
        int batch = ys.Length;
        int d = xs.Length / batch;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<double> h1 = stackalloc double[H];
        Span<double> h2 = stackalloc double[H];
        Span<double> g1 = stackalloc double[H];   // ∂loss/∂(pre-activation of layer 1), then ∂loss/∂h1 before it
        Span<double> g2 = stackalloc double[H];   // ∂loss/∂(pre-activation of layer 2)
        thetaBar.Clear();
        var W1 = theta.Slice(0, b1);
        var W2 = theta.Slice(w2, H * H);
        var v3 = theta.Slice(w3, H);
        var W1Bar = thetaBar.Slice(0, b1);
        var b1Bar = thetaBar.Slice(b1, H);
        var W2Bar = thetaBar.Slice(w2, H * H);
        var b2Bar = thetaBar.Slice(b2, H);
        var v3Bar = thetaBar.Slice(w3, H);
        double loss = 0;
        for (int p = 0; p < batch; p++)
        {
            var x = xs.Slice(p * d, d);
            // Forward.
            for (int j = 0; j < H; j++)
            {
                double s = theta[b1 + j];
                var row = W1.Slice(j * d, d);
                for (int i = 0; i < d; i++) s += row[i] * x[i];
                h1[j] = Math.Tanh(s);
            }
            for (int j = 0; j < H; j++)
            {
                double s = theta[b2 + j];
                var row = W2.Slice(j * H, H);
                for (int i = 0; i < H; i++) s += row[i] * h1[i];
                h2[j] = Math.Tanh(s);
            }
            double y = theta[b3];
            for (int j = 0; j < H; j++) y += v3[j] * h2[j];
            double e = y - ys[p];
            loss += e * e;

            // Backward: ∂loss/∂y = 2e; tanh' = 1 − tanh².
            double yBar = 2 * e;
            thetaBar[b3] += yBar;
            for (int j = 0; j < H; j++)
            {
                v3Bar[j] += yBar * h2[j];
                double g = yBar * v3[j] * (1 - h2[j] * h2[j]);
                g2[j] = g;
                b2Bar[j] += g;
            }
            g1.Clear();
            for (int j = 0; j < H; j++)
            {
                double g = g2[j];
                var row = W2.Slice(j * H, H);
                var rowBar = W2Bar.Slice(j * H, H);
                for (int i = 0; i < H; i++)
                {
                    rowBar[i] += g * h1[i];
                    g1[i] += g * row[i];
                }
            }
            for (int j = 0; j < H; j++)
            {
                double g = g1[j] * (1 - h1[j] * h1[j]);
                b1Bar[j] += g;
                var rowBar = W1Bar.Slice(j * d, d);
                for (int i = 0; i < d; i++) rowBar[i] += g * x[i];
            }
        }
        return loss;
    }
}

/// <summary>Deterministic inputs for the MLP loss: a batch of points, targets, and Xavier-like parameters.</summary>
public sealed class MlpLossData
{
    public readonly double[] Theta, Xs, Ys;
    public readonly int Dim, Batch;

    public MlpLossData(int dim = 16, int batch = 32, int seed = 2024)
    {
        Dim = dim; Batch = batch;
        var rng = new Random(seed);
        double U(double scale) => (rng.NextDouble() * 2 - 1) * scale;
        Xs = new double[batch * dim];
        Ys = new double[batch];
        Theta = new double[MlpLossModel.ThetaLength(dim)];
        for (int i = 0; i < Xs.Length; i++) Xs[i] = U(1);
        for (int i = 0; i < batch; i++) Ys[i] = U(1);
        int H = MlpLossModel.H;
        int b1 = H * dim, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H;
        for (int k = 0; k < Theta.Length; k++)
        {
            double scale = k < b1 ? 1.0 / Math.Sqrt(dim) : k < w2 ? 0.1 : k < b2 ? 1.0 / Math.Sqrt(H) : k < w3 ? 0.1 : 1.0 / Math.Sqrt(H);
            Theta[k] = U(scale);
        }
    }

    public double Loss() => MlpLossModel.Loss(Theta, Xs, Ys);
}
