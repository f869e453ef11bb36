using System;
using ILGPU;

namespace Dsl.Benchmarks;

/// <summary>
/// The MLP loss of <see cref="MlpLossModel"/> written per sample, its θ-gradient summed over the batch by a generated
/// kernel launcher: on the CPU the launcher runs 4 samples per call in the lanes of a <c>Vector256&lt;double&gt;</c> (one
/// weight load serves 4 samples). Same network, same inputs, same sum as <see cref="MlpLossModel.LossGradient"/>; only
/// the order of the additions over the batch differs (the launcher's fixed chunks, in double).
/// </summary>
public static partial class MlpLossBatch
{
    [Differentiable]
    public static double SampleLoss(ReadOnlySpan<double> theta, ReadOnlySpan<double> x, double y)
    {
        const int h = MlpLossModel.H;
        int d = x.Length;
        int b1 = h * d;
        int w2 = b1 + h;
        int b2 = w2 + h * h;
        int w3 = b2 + h;
        int b3 = w3 + h;
        Span<double> h1 = stackalloc double[h];
        Span<double> h2 = stackalloc double[h];
        for (int j = 0; j < h; j++)
        {
            double s = theta[b1 + j];
            for (int i = 0; i < d; i++) s += theta[j * d + i] * x[i];
            h1[j] = Math.Tanh(s);
        }
        for (int j = 0; j < h; j++)
        {
            double s = theta[b2 + j];
            for (int i = 0; i < h; i++) s += theta[w2 + j * h + i] * h1[i];
            h2[j] = Math.Tanh(s);
        }
        double o = theta[b3];
        for (int j = 0; j < h; j++) o += theta[w3 + j] * h2[j];
        double e = o - y;
        return e * e;
    }

    [Gradient(nameof(SampleLoss), Wrt = "theta")]
    public static partial double SampleLossGradient(ReadOnlySpan<double> theta, ReadOnlySpan<double> x, double y, Span<double> thetaBar);

    [Kernel(nameof(SampleLossGradient), PerItem = "x, y", Sum = "thetaBar, result")]
    public static partial void SampleLossGradientBatch(Index1D item, ArrayView<double> theta, ArrayView<double> x, ArrayView<double> y,
        ArrayView<double> thetaBar, ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
}
