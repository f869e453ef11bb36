using System;

namespace Dsl.Benchmarks;

/// <summary>
/// A two-hidden-layer tanh MLP, input dimension <c>x.Length</c>, hidden width <see cref="H"/>,
/// scalar linear output. All weights and biases live in one flat <c>theta</c>:
/// W1 [H×d] | b1 [H] | W2 [H×H] | b2 [H] | w3 [H] | b3.
/// </summary>
public static partial class MlpModel
{
    public const int H = 128;

    public static int ThetaLength(int d) => H * d + H + H * H + H + H + 1;

    [Differentiable]
    public static float Mlp(ReadOnlySpan<float> x, ReadOnlySpan<float> theta)
    {
        int d = x.Length;
        int b1 = H * d;
        int w2 = b1 + H;
        int b2 = w2 + H * H;
        int w3 = b2 + H;
        int b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j];
            for (int i = 0; i < d; i++)
            {
                s += theta[j * d + i] * x[i];
            }
            h1[j] = MathF.Tanh(s);
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j];
            for (int i = 0; i < H; i++)
            {
                s += theta[w2 + j * H + i] * h1[i];
            }
            h2[j] = MathF.Tanh(s);
        }
        float y = theta[b3];
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
        }
        return y;
    }

    /// <summary>JVP with every parameter differentiated (x and theta).</summary>
    [Jvp(nameof(Mlp))]
    public static partial float MlpJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, ReadOnlySpan<float> dtheta, out float dy);

    /// <summary>JVP with only the input differentiated.</summary>
    [Jvp(nameof(Mlp), Wrt = "x")]
    public static partial float MlpJvpX(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, out float dy);
}

/// <summary>Hand-written references: forward-mode dual numbers written out by hand, plus a double primal for finite differences.</summary>
public static class MlpHand
{
    private const int H = MlpModel.H;

    /// <summary>Hand-written JVP, all parameters differentiated.</summary>
    public static float Jvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, ReadOnlySpan<float> dtheta, out float dy)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> dh1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        Span<float> dh2 = stackalloc float[H];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j], ds = dtheta[b1 + j];
            int row = j * d;
            for (int i = 0; i < d; i++)
            {
                float w = theta[row + i], dw = dtheta[row + i];
                s += w * x[i];
                ds += dw * x[i] + w * dx[i];
            }
            float t = MathF.Tanh(s);
            h1[j] = t;
            dh1[j] = (1 - t * t) * ds;
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j], ds = dtheta[b2 + j];
            int row = w2 + j * H;
            for (int i = 0; i < H; i++)
            {
                float w = theta[row + i], dw = dtheta[row + i];
                s += w * h1[i];
                ds += dw * h1[i] + w * dh1[i];
            }
            float t = MathF.Tanh(s);
            h2[j] = t;
            dh2[j] = (1 - t * t) * ds;
        }
        float y = theta[b3], dyy = dtheta[b3];
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
            dyy += dtheta[w3 + j] * h2[j] + theta[w3 + j] * dh2[j];
        }
        dy = dyy;
        return y;
    }

    /// <summary>Hand-written JVP, only x differentiated (dtheta = 0 folded away).</summary>
    public static float JvpX(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, out float dy)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> dh1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        Span<float> dh2 = stackalloc float[H];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j], ds = 0;
            int row = j * d;
            for (int i = 0; i < d; i++)
            {
                float w = theta[row + i];
                s += w * x[i];
                ds += w * dx[i];
            }
            float t = MathF.Tanh(s);
            h1[j] = t;
            dh1[j] = (1 - t * t) * ds;
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j], ds = 0;
            int row = w2 + j * H;
            for (int i = 0; i < H; i++)
            {
                float w = theta[row + i];
                s += w * h1[i];
                ds += w * dh1[i];
            }
            float t = MathF.Tanh(s);
            h2[j] = t;
            dh2[j] = (1 - t * t) * ds;
        }
        float y = theta[b3], dyy = 0;
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
            dyy += theta[w3 + j] * dh2[j];
        }
        dy = dyy;
        return y;
    }

    /// <summary>
    /// As <see cref="JvpX"/>, but each reduction's tangent is parked in a one-element stackalloc
    /// scratch slot (allocated once, outside the loops) across the MathF.Tanh call: the generic form
    /// of the restructuring in <see cref="JvpXTuned"/> (only in <c>--interleaved</c> mode).
    /// </summary>
    public static float JvpXScratch(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, out float dy)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> dh1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        Span<float> dh2 = stackalloc float[H];
        Span<float> scratch = stackalloc float[1];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j], ds = 0;
            int row = j * d;
            for (int i = 0; i < d; i++)
            {
                float w = theta[row + i];
                s += w * x[i];
                ds += w * dx[i];
            }
            scratch[0] = ds;
            float t = MathF.Tanh(s);
            h1[j] = t;
            dh1[j] = (1 - t * t) * scratch[0];
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j], ds = 0;
            int row = w2 + j * H;
            for (int i = 0; i < H; i++)
            {
                float w = theta[row + i];
                s += w * h1[i];
                ds += w * dh1[i];
            }
            scratch[0] = ds;
            float t = MathF.Tanh(s);
            h2[j] = t;
            dh2[j] = (1 - t * t) * scratch[0];
        }
        float y = theta[b3], dyy = 0;
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
            dyy += theta[w3 + j] * dh2[j];
        }
        dy = dyy;
        return y;
    }

    /// <summary>As <see cref="Jvp"/>, but each hidden tangent is stored before the MathF.Tanh call and scaled after it,
    /// so no float accumulator is live across the call (see docs/benchmarks.md).</summary>
    public static float JvpTuned(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, ReadOnlySpan<float> dtheta, out float dy)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> dh1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        Span<float> dh2 = stackalloc float[H];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j], ds = dtheta[b1 + j];
            int row = j * d;
            for (int i = 0; i < d; i++)
            {
                float w = theta[row + i], dw = dtheta[row + i];
                s += w * x[i];
                ds += dw * x[i] + w * dx[i];
            }
            dh1[j] = ds;
            float t = MathF.Tanh(s);
            h1[j] = t;
            dh1[j] *= 1 - t * t;
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j], ds = dtheta[b2 + j];
            int row = w2 + j * H;
            for (int i = 0; i < H; i++)
            {
                float w = theta[row + i], dw = dtheta[row + i];
                s += w * h1[i];
                ds += dw * h1[i] + w * dh1[i];
            }
            dh2[j] = ds;
            float t = MathF.Tanh(s);
            h2[j] = t;
            dh2[j] *= 1 - t * t;
        }
        float y = theta[b3], dyy = dtheta[b3];
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
            dyy += dtheta[w3 + j] * h2[j] + theta[w3 + j] * dh2[j];
        }
        dy = dyy;
        return y;
    }

    /// <summary>As <see cref="JvpX"/>, with the same store-before-call restructuring as <see cref="JvpTuned"/>.</summary>
    public static float JvpXTuned(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, out float dy)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        Span<float> h1 = stackalloc float[H];
        Span<float> dh1 = stackalloc float[H];
        Span<float> h2 = stackalloc float[H];
        Span<float> dh2 = stackalloc float[H];
        for (int j = 0; j < H; j++)
        {
            float s = theta[b1 + j], ds = 0;
            int row = j * d;
            for (int i = 0; i < d; i++)
            {
                float w = theta[row + i];
                s += w * x[i];
                ds += w * dx[i];
            }
            dh1[j] = ds;
            float t = MathF.Tanh(s);
            h1[j] = t;
            dh1[j] *= 1 - t * t;
        }
        for (int j = 0; j < H; j++)
        {
            float s = theta[b2 + j], ds = 0;
            int row = w2 + j * H;
            for (int i = 0; i < H; i++)
            {
                float w = theta[row + i];
                s += w * h1[i];
                ds += w * dh1[i];
            }
            dh2[j] = ds;
            float t = MathF.Tanh(s);
            h2[j] = t;
            dh2[j] *= 1 - t * t;
        }
        float y = theta[b3], dyy = 0;
        for (int j = 0; j < H; j++)
        {
            y += theta[w3 + j] * h2[j];
            dyy += theta[w3 + j] * dh2[j];
        }
        dy = dyy;
        return y;
    }

    /// <summary>The primal in double precision, for finite differences along (dx, dtheta).</summary>
    public static double PrimalDouble(float[] x, float[] dx, float[] theta, float[] dtheta, double eps)
    {
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        double T(int k) => theta[k] + eps * dtheta[k];
        var h1 = new double[H];
        var h2 = new double[H];
        for (int j = 0; j < H; j++)
        {
            double s = T(b1 + j);
            for (int i = 0; i < d; i++) s += T(j * d + i) * (x[i] + eps * dx[i]);
            h1[j] = Math.Tanh(s);
        }
        for (int j = 0; j < H; j++)
        {
            double s = T(b2 + j);
            for (int i = 0; i < H; i++) s += T(w2 + j * H + i) * h1[i];
            h2[j] = Math.Tanh(s);
        }
        double y = T(b3);
        for (int j = 0; j < H; j++) y += T(w3 + j) * h2[j];
        return y;
    }
}
