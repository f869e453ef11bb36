using System;

namespace Dsl.Reverse.Tests;

/// <summary>
/// Primal functions covering the reverse-mode subset, each with a generated gradient. Every
/// [Differentiable] method here is ordinary C#, so the tests call it directly for finite differences.
/// </summary>
public static partial class Cases
{
    // 1. Loop with runtime bounds (lo, hi are arguments) and a loop-carried power.
    [Differentiable]
    public static double RuntimeBounds(ReadOnlySpan<double> w, double x, int lo, int hi)
    {
        double s = 0;
        double p = 1;
        for (int i = lo; i < hi; i++)
        {
            s += w[i] * p;
            p *= x;
        }
        return s * s + x;
    }

    [Gradient(nameof(RuntimeBounds))]
    public static partial double RuntimeBoundsGradient(ReadOnlySpan<double> w, double x, int lo, int hi, Span<double> wBar, out double xBar);

    // 2. Nested loops, inner bound depends on the outer index: Σ_{j ≤ i} a_ij x_i x_j + Σ_i x_i³ / 3.
    [Differentiable]
    public static double TriangularForm(ReadOnlySpan<double> a, ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int j = 0; j <= i; j++)
            {
                row += a[i * n + j] * x[j];
            }
            s += row * x[i] + x[i] * x[i] * x[i] / 3;
        }
        return s;
    }

    [Gradient(nameof(TriangularForm))]
    public static partial double TriangularFormGradient(ReadOnlySpan<double> a, ReadOnlySpan<double> x, Span<double> aBar, Span<double> xBar);

    // 3. Branches inside a loop (three-way, on the data and on a differentiated threshold).
    [Differentiable]
    public static double BranchInLoop(ReadOnlySpan<double> x, double t)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            if (v > t)
            {
                double u = v - t;
                s += u * u;
            }
            else if (v < -t)
            {
                s += Math.Sin(v) * t;
            }
            else
            {
                s += v * t * (i + 1);
            }
        }
        return s;
    }

    [Gradient(nameof(BranchInLoop))]
    public static partial double BranchInLoopGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

    // 4. A local stackalloc buffer written in a loop, then rewritten by three smoothing passes (each
    //    reading the element just overwritten), then rewritten once more in place.
    [Differentiable]
    public static double BufferRewritten(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        Span<double> buf = stackalloc double[n];
        for (int i = 0; i < n; i++)
        {
            buf[i] = x[i] * x[i];
        }
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 1; i < n; i++)
            {
                buf[i] = 0.5 * buf[i] + Math.Sin(buf[i - 1]);
            }
        }
        for (int i = 0; i < n; i++)
        {
            buf[i] = Math.Exp(-buf[i]) * x[i];
        }
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += buf[i] * (i + 1);
        }
        return s;
    }

    [Gradient(nameof(BufferRewritten))]
    public static partial double BufferRewrittenGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // 4b. The same kind of reuse with a heap array (new T[n]) carrying a running state.
    [Differentiable]
    public static double ArrayRewritten(ReadOnlySpan<double> x, double decay)
    {
        int n = x.Length;
        double[] state = new double[n];
        for (int i = 0; i < n; i++)
        {
            state[i] = x[i];
        }
        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < n; i++)
            {
                state[i] = Math.Tanh(decay * state[i] + 0.3 * state[(i + 1) % n]);
            }
        }
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += state[i] * state[i];
        }
        return s;
    }

    [Gradient(nameof(ArrayRewritten))]
    public static partial double ArrayRewrittenGradient(ReadOnlySpan<double> x, double decay, Span<double> xBar, out double decayBar);

    // 5. A call chain three deep: Outer → Middle → Inner (each a [Differentiable] method).
    [Differentiable]
    public static double Inner(ReadOnlySpan<double> w, double x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
        {
            s += w[i] * Math.Sin(x * (i + 1));
        }
        return s;
    }

    [Differentiable]
    public static double Middle(ReadOnlySpan<double> w, double x, double y)
    {
        double a = Inner(w, x * y);
        double b = Inner(w, x - y);
        return a * b + Math.Exp(0.1 * a);
    }

    [Differentiable]
    public static double Outer(ReadOnlySpan<double> w, double x, double y)
    {
        double m = Middle(w, x, y);
        return m * m + Middle(w, y, 0.5 * x);
    }

    [Gradient(nameof(Outer))]
    public static partial double OuterGradient(ReadOnlySpan<double> w, double x, double y, Span<double> wBar, out double xBar, out double yBar);

    // 6. Every Math function of the task at least once: Sin Cos Tan Exp Log Sqrt Pow Tanh Atan Atan2 Max Min Abs.
    [Differentiable]
    public static double AllMath(double a, double b, double c)
    {
        double t1 = Math.Sin(a) * Math.Cos(b) + Math.Tan(0.5 * c);
        double t2 = Math.Exp(0.3 * a) + Math.Log(b * b + 1) + Math.Sqrt(c * c + 2);
        double t3 = Math.Pow(b * b + 1.5, 0.7 + 0.1 * a) + Math.Tanh(a - c);
        double t4 = Math.Atan(a * b) + Math.Atan2(b, c + 3);
        double t5 = Math.Max(a, b) * Math.Min(b, c) + Math.Abs(a - c);
        return t1 * t2 + t3 - t4 * t5;
    }

    [Gradient(nameof(AllMath))]
    public static partial double AllMathGradient(double a, double b, double c, out double aBar, out double bBar, out double cBar);

    // 7. Early returns (outside loops), three exits.
    [Differentiable]
    public static double EarlyReturn(double x, double y)
    {
        if (x > 2)
        {
            return x * y * y;
        }
        double z = x * x - y;
        if (z < 0)
        {
            return Math.Sqrt(-z) + x;
        }
        double w = Math.Log(1 + z);
        return w * y + x;
    }

    [Gradient(nameof(EarlyReturn))]
    public static partial double EarlyReturnGradient(double x, double y, out double xBar, out double yBar);

    // 8. Loops running down with a step, and a loop with a step of 3.
    [Differentiable]
    public static double Strided(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = x.Length - 1; i >= 0; i -= 2)
        {
            s += x[i] * x[i] * (i + 1);
        }
        double p = 1;
        for (int i = 0; i < x.Length; i += 3)
        {
            p *= 1 + 0.1 * x[i];
        }
        return s * p;
    }

    [Gradient(nameof(Strided))]
    public static partial double StridedGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // 9. Conditional operator, && and || (short-circuit kept), compound assignments.
    [Differentiable]
    public static double Conditionals(double x, double y, int mode)
    {
        double r = x > 0 && y > 0 ? x * y : x - y;
        if (mode == 1 || x > y)
        {
            r += Math.Cos(x) * y;
        }
        else
        {
            r -= y * y;
        }
        r *= 1.5;
        r /= 1 + x * x;
        return r;
    }

    [Gradient(nameof(Conditionals))]
    public static partial double ConditionalsGradient(double x, double y, int mode, out double xBar, out double yBar);

    // 10. Softmax cross-entropy: logsumexp via a running Max, a probability buffer, a label.
    [Differentiable]
    public static double SoftmaxCrossEntropy(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int label)
    {
        int classes = w.Length / x.Length;
        int d = x.Length;
        Span<double> logits = stackalloc double[classes];
        for (int c = 0; c < classes; c++)
        {
            double z = 0;
            for (int i = 0; i < d; i++)
            {
                z += w[c * d + i] * x[i];
            }
            logits[c] = z;
        }
        double mx = logits[0];
        for (int c = 1; c < classes; c++)
        {
            mx = Math.Max(mx, logits[c]);
        }
        double se = 0;
        for (int c = 0; c < classes; c++)
        {
            se += Math.Exp(logits[c] - mx);
        }
        return Math.Log(se) + mx - logits[label];
    }

    [Gradient(nameof(SoftmaxCrossEntropy), Wrt = "w,x")]
    public static partial double SoftmaxCrossEntropyGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int label, Span<double> wBar, Span<double> xBar);

    // 11. Horner evaluation with a runtime degree, summed over sample points (nested carried values).
    [Differentiable]
    public static double Horner(ReadOnlySpan<double> coef, ReadOnlySpan<double> ts, int degree)
    {
        double total = 0;
        for (int k = 0; k < ts.Length; k++)
        {
            double t = ts[k];
            double v = coef[degree];
            for (int i = degree - 1; i >= 0; i--)
            {
                v = v * t + coef[i];
            }
            total += v * v;
        }
        return total;
    }

    [Gradient(nameof(Horner))]
    public static partial double HornerGradient(ReadOnlySpan<double> coef, ReadOnlySpan<double> ts, int degree, Span<double> coefBar, Span<double> tsBar);

    // 12. Wrt a subset: a scalar parameter and a span, the other span inactive.
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> weights)
    {
        double s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double u = a - x[i];
            double v = x[i + 1] - x[i] * x[i];
            s += weights[i] * (u * u + 100 * v * v);
        }
        return s;
    }

    [Gradient(nameof(Rosenbrock), Wrt = "x,a")]
    public static partial double RosenbrockGradient(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> weights, Span<double> xBar, out double aBar);

    // --- float versions of three of the cases ---

    [Differentiable]
    public static float AllMathF(float a, float b, float c)
    {
        float t1 = MathF.Sin(a) * MathF.Cos(b) + MathF.Tan(0.5f * c);
        float t2 = MathF.Exp(0.3f * a) + MathF.Log(b * b + 1) + MathF.Sqrt(c * c + 2);
        float t3 = MathF.Pow(b * b + 1.5f, 0.7f + 0.1f * a) + MathF.Tanh(a - c);
        float t4 = MathF.Atan(a * b) + MathF.Atan2(b, c + 3);
        float t5 = MathF.Max(a, b) * MathF.Min(b, c) + MathF.Abs(a - c);
        return t1 * t2 + t3 - t4 * t5;
    }

    [Gradient(nameof(AllMathF))]
    public static partial float AllMathFGradient(float a, float b, float c, out float aBar, out float bBar, out float cBar);

    [Differentiable]
    public static float TriangularFormF(ReadOnlySpan<float> a, ReadOnlySpan<float> x)
    {
        int n = x.Length;
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            float row = 0;
            for (int j = 0; j <= i; j++)
            {
                row += a[i * n + j] * x[j];
            }
            s += row * x[i] + x[i] * x[i] * x[i] / 3;
        }
        return s;
    }

    [Gradient(nameof(TriangularFormF))]
    public static partial float TriangularFormFGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> aBar, Span<float> xBar);

    [Differentiable]
    public static float BufferRewrittenF(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        Span<float> buf = stackalloc float[n];
        for (int i = 0; i < n; i++)
        {
            buf[i] = x[i] * x[i];
        }
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 1; i < n; i++)
            {
                buf[i] = 0.5f * buf[i] + MathF.Sin(buf[i - 1]);
            }
        }
        for (int i = 0; i < n; i++)
        {
            buf[i] = MathF.Exp(-buf[i]) * x[i];
        }
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            s += buf[i] * (i + 1);
        }
        return s;
    }

    [Gradient(nameof(BufferRewrittenF))]
    public static partial float BufferRewrittenFGradient(ReadOnlySpan<float> x, Span<float> xBar);
}
