using System;

namespace Dsl.EndToEnd.Tests.Corpus;

// The single-precision twin of Corpus64: the same functions, term for term, in float with
// MathF, so that their JVPs can be compared with the double ones at the same points. Where
// the two differ on purpose (Mixed, which mixes float and double the other way round) the
// comment says so.
public static partial class Corpus32
{
    // ------------------------------------------------------------------ elementary functions

    // Sin, Cos, Tan; an expression-bodied primal.
    [Differentiable]
    public static float Trig(float x, float y) => MathF.Sin(x) * MathF.Cos(y) + MathF.Tan(0.5f * x);

    [Jvp(nameof(Trig))]
    public static partial float TrigJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Trig))]
    public static partial float TrigGradient(float x, float y, out float xBar, out float yBar);

    // Asin, Acos, Atan.
    [Differentiable]
    public static float InverseTrig(float x, float y)
    {
        return MathF.Asin(x) * MathF.Acos(y) + MathF.Atan(x * y);
    }

    [Jvp(nameof(InverseTrig))]
    public static partial float InverseTrigJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(InverseTrig))]
    public static partial float InverseTrigGradient(float x, float y, out float xBar, out float yBar);

    // Atan2 and Sqrt: the angle times the radius of the point (x, y).
    [Differentiable]
    public static float Polar(float x, float y)
    {
        float r = MathF.Sqrt(x * x + y * y);
        return MathF.Atan2(y, x) * r;
    }

    [Jvp(nameof(Polar))]
    public static partial float PolarJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Polar))]
    public static partial float PolarGradient(float x, float y, out float xBar, out float yBar);

    // Sinh, Cosh, Tanh.
    [Differentiable]
    public static float Hyperbolic(float x)
    {
        return MathF.Sinh(x) * MathF.Cosh(0.5f * x) - MathF.Tanh(x);
    }

    [Jvp(nameof(Hyperbolic))]
    public static partial float HyperbolicJvp(float x, float dx, out float dResult);

    [Gradient(nameof(Hyperbolic))]
    public static partial float HyperbolicGradient(float x, out float xBar);

    // Asinh, Acosh, Atanh.
    [Differentiable]
    public static float InverseHyperbolic(float x, float y, float z)
    {
        return MathF.Asinh(x) + MathF.Acosh(y) * MathF.Atanh(z);
    }

    [Jvp(nameof(InverseHyperbolic))]
    public static partial float InverseHyperbolicJvp(float x, float dx, float y, float dy, float z, float dz, out float dResult);

    [Gradient(nameof(InverseHyperbolic))]
    public static partial float InverseHyperbolicGradient(float x, float y, float z, out float xBar, out float yBar, out float zBar);

    // Log, Log2, Log10.
    [Differentiable]
    public static float Logarithms(float x, float y)
    {
        return MathF.Log(x) * MathF.Log2(y) + MathF.Log10(x * y);
    }

    [Jvp(nameof(Logarithms))]
    public static partial float LogarithmsJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Logarithms))]
    public static partial float LogarithmsGradient(float x, float y, out float xBar, out float yBar);

    // Sqrt, Cbrt (also of negative numbers), Exp.
    [Differentiable]
    public static float Roots(float x, float y)
    {
        return MathF.Sqrt(x) * MathF.Cbrt(y) + MathF.Exp(-x);
    }

    [Jvp(nameof(Roots))]
    public static partial float RootsJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Roots))]
    public static partial float RootsGradient(float x, float y, out float xBar, out float yBar);

    // Pow with both the base and the exponent differentiated.
    [Differentiable]
    public static float PowerLaw(float x, float p) => MathF.Pow(x, p);

    [Jvp(nameof(PowerLaw))]
    public static partial float PowerLawJvp(float x, float dx, float p, float dp, out float dResult);

    [Gradient(nameof(PowerLaw))]
    public static partial float PowerLawGradient(float x, float p, out float xBar, out float pBar);

    // Abs, Max, Min (tested away from their kinks: x = 0, x = y, x * y = 0.5f).
    [Differentiable]
    public static float Kinks(float x, float y)
    {
        return MathF.Abs(x) * y + MathF.Max(x, y) - MathF.Min(x * y, 0.5f);
    }

    [Jvp(nameof(Kinks))]
    public static partial float KinksJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Kinks))]
    public static partial float KinksGradient(float x, float y, out float xBar, out float yBar);

    // Floor, Ceiling, Round, Truncate: piecewise constant, so only their products carry a
    // derivative (tested away from the jumps).
    [Differentiable]
    public static float Rounding(float x)
    {
        return MathF.Floor(x) * x + MathF.Ceiling(0.5f * x) * MathF.Sin(x) + MathF.Round(2 * x) - MathF.Truncate(x) * x * x;
    }

    [Jvp(nameof(Rounding))]
    public static partial float RoundingJvp(float x, float dx, out float dResult);

    [Gradient(nameof(Rounding))]
    public static partial float RoundingGradient(float x, out float xBar);

    // A bool parameter choosing between two activations (?: on a parameter).
    [Differentiable]
    public static float Activation(float x, bool useTanh)
    {
        return useTanh ? MathF.Tanh(x) : x / (1 + MathF.Abs(x));
    }

    [Jvp(nameof(Activation))]
    public static partial float ActivationJvp(float x, float dx, bool useTanh, out float dResult);

    [Gradient(nameof(Activation))]
    public static partial float ActivationGradient(float x, bool useTanh, out float xBar);

    // ------------------------------------------------------------------ locals and statements

    // Every compound assignment (+= -= *= /=), ++/-- (postfix and prefix) as statements on a
    // float and on an int, and an int multiplying a float.
    [Differentiable]
    public static float CompoundOps(float x, float y)
    {
        float a = x;
        a += y;
        a *= x;
        a -= 0.5f * y;
        a /= 1 + y * y;
        a++;
        a++;
        a--;
        int k = 2;
        k++;
        k--;
        ++k;
        k += 1;
        k -= 1;
        a *= k;
        ++a;
        --a;
        return a;
    }

    [Jvp(nameof(CompoundOps))]
    public static partial float CompoundOpsJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(CompoundOps))]
    public static partial float CompoundOpsGradient(float x, float y, out float xBar, out float yBar);

    // Nested ?: (a clamp) and Wrt restricted to x: lo and hi get no tangent.
    [Differentiable]
    public static float Smoothstep(float x, float lo, float hi)
    {
        float t = (x - lo) / (hi - lo);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        return t * t * (3 - 2 * t);
    }

    [Jvp(nameof(Smoothstep), Wrt = "x")]
    public static partial float SmoothstepJvp(float x, float dx, float lo, float hi, out float dResult);

    [Gradient(nameof(Smoothstep), Wrt = "x")]
    public static partial float SmoothstepGradient(float x, float lo, float hi, out float xBar);

    // Numerically stable softplus: ?: choosing between two formulas of the same function.
    [Differentiable]
    public static float Softplus(float x)
    {
        return x > 0 ? x + MathF.Log(1 + MathF.Exp(-x)) : MathF.Log(1 + MathF.Exp(x));
    }

    [Jvp(nameof(Softplus))]
    public static partial float SoftplusJvp(float x, float dx, out float dResult);

    [Gradient(nameof(Softplus))]
    public static partial float SoftplusGradient(float x, out float xBar);

    // float and double mixed the other way round from Corpus64.Mixed: a double parameter
    // (not differentiated), the sum accumulated in double from float operands, narrowed back
    // to float with a cast, a float computed through a double Math call, and a call from this
    // float class to a double callee (Kernels64.Bump).
    [Differentiable]
    public static float Mixed(float x, float y, double s)
    {
        const int Three = 3;
        double a = s * s * x;
        a += y * s;
        a += Three * (double)x * y;
        float narrow = (float)a;
        return narrow + (float)Math.Sin(narrow) + (float)Kernels64.Bump(s * x);
    }

    [Jvp(nameof(Mixed), Wrt = "x,y")]
    public static partial float MixedJvp(float x, float dx, float y, float dy, double s, out float dResult);

    [Gradient(nameof(Mixed), Wrt = "x,y")]
    public static partial float MixedGradient(float x, float y, double s, out float xBar, out float yBar);

    // ------------------------------------------------------------------ branches and early returns

    // Early returns in a nested if / else-if chain, with statements after the chain.
    [Differentiable]
    public static float Classify(float x, float y)
    {
        if (x < -1)
        {
            return -x * x * y;
        }
        else if (x < 0)
        {
            if (y > 0)
            {
                return x * y;
            }
            return MathF.Exp(x) - y;
        }
        else if (x < 1)
        {
            return MathF.Sin(x) * y;
        }
        float z = x * y;
        return z * z;
    }

    [Jvp(nameof(Classify))]
    public static partial float ClassifyJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Classify))]
    public static partial float ClassifyGradient(float x, float y, out float xBar, out float yBar);

    // && and || (mixed, short-circuiting) and ! in if conditions and in a ?: condition.
    [Differentiable]
    public static float Logic(float x, float y, float z)
    {
        float s = x * y;
        if (x > 0 && y > 0 || z < -1)
        {
            s += MathF.Exp(z);
        }
        if (!(x < y) || z > 1 && x < 0)
        {
            s *= z;
        }
        return (x > 0 || y < 0) && z > 0 ? s + z : s - z;
    }

    [Jvp(nameof(Logic))]
    public static partial float LogicJvp(float x, float dx, float y, float dy, float z, float dz, out float dResult);

    [Gradient(nameof(Logic))]
    public static partial float LogicGradient(float x, float y, float z, out float xBar, out float yBar, out float zBar);

    // ------------------------------------------------------------------ loops

    // Polynomial c[0] + c[1] x + ... by Horner's rule: a loop counting down (i--, >=).
    [Differentiable]
    public static float Horner(float x, ReadOnlySpan<float> c)
    {
        float acc = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            acc = acc * x + c[i];
        }
        return acc;
    }

    [Jvp(nameof(Horner))]
    public static partial float HornerJvp(float x, float dx, ReadOnlySpan<float> c, ReadOnlySpan<float> dc, out float dResult);

    [Gradient(nameof(Horner))]
    public static partial float HornerGradient(float x, ReadOnlySpan<float> c, out float xBar, Span<float> cBar);

    // The Rosenbrock function over a span.
    [Differentiable]
    public static float Rosenbrock(ReadOnlySpan<float> x)
    {
        float s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            float a = x[i + 1] - x[i] * x[i];
            float b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    [Jvp(nameof(Rosenbrock))]
    public static partial float RosenbrockJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(Rosenbrock))]
    public static partial float RosenbrockGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // log N(x; mu, exp(logSigma)^2 I): const locals, MathF.PI, an int length used as a float.
    [Differentiable]
    public static float GaussianLogDensity(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, float logSigma)
    {
        const float Half = 0.5f;
        float sigma = MathF.Exp(logSigma);
        float q = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float z = (x[i] - mu[i]) / sigma;
            q += z * z;
        }
        int n = x.Length;
        return -Half * q - n * logSigma - Half * n * MathF.Log(2 * MathF.PI);
    }

    [Jvp(nameof(GaussianLogDensity))]
    public static partial float GaussianLogDensityJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> mu, ReadOnlySpan<float> dMu, float logSigma, float dLogSigma, out float dResult);

    [Gradient(nameof(GaussianLogDensity))]
    public static partial float GaussianLogDensityGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, float logSigma, Span<float> xBar, Span<float> muBar, out float logSigmaBar);

    // log(sum(exp(x))) with the max subtracted: a branch inside a loop finds the max.
    [Differentiable]
    public static float LogSumExp(ReadOnlySpan<float> x)
    {
        float m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > m)
            {
                m = x[i];
            }
        }
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Exp(x[i] - m);
        }
        return m + MathF.Log(s);
    }

    [Jvp(nameof(LogSumExp))]
    public static partial float LogSumExpJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(LogSumExp))]
    public static partial float LogSumExpGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Huber loss: if/else with Abs inside a loop; delta is differentiated too.
    [Differentiable]
    public static float Huber(ReadOnlySpan<float> r, float delta)
    {
        float s = 0;
        for (int i = 0; i < r.Length; i++)
        {
            float a = MathF.Abs(r[i]);
            if (a <= delta)
            {
                s += 0.5f * r[i] * r[i];
            }
            else
            {
                s += delta * (a - 0.5f * delta);
            }
        }
        return s;
    }

    [Jvp(nameof(Huber))]
    public static partial float HuberJvp(ReadOnlySpan<float> r, ReadOnlySpan<float> dr, float delta, float dDelta, out float dResult);

    [Gradient(nameof(Huber))]
    public static partial float HuberGradient(ReadOnlySpan<float> r, float delta, Span<float> rBar, out float deltaBar);

    // x^T A x with A row-major n×n: nested loops.
    [Differentiable]
    public static float QuadraticForm(ReadOnlySpan<float> x, ReadOnlySpan<float> a)
    {
        int n = x.Length;
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                s += a[i * n + j] * x[i] * x[j];
            }
        }
        return s;
    }

    [Jvp(nameof(QuadraticForm))]
    public static partial float QuadraticFormJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, out float dResult);

    [Gradient(nameof(QuadraticForm))]
    public static partial float QuadraticFormGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> a, Span<float> xBar, Span<float> aBar);

    // Runtime loop bounds from int parameters: <= with i += 2 upwards, >= with i -= 3 downwards.
    [Differentiable]
    public static float StridedSum(ReadOnlySpan<float> x, int start, int end)
    {
        float s = 0;
        for (int i = start; i <= end; i += 2)
        {
            s += MathF.Sin(x[i]) * x[i];
        }
        for (int i = end; i >= start; i -= 3)
        {
            s += x[i] * x[i];
        }
        return s;
    }

    [Jvp(nameof(StridedSum))]
    public static partial float StridedSumJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, int start, int end, out float dResult);

    [Gradient(nameof(StridedSum))]
    public static partial float StridedSumGradient(ReadOnlySpan<float> x, int start, int end, Span<float> xBar);

    // A continued fraction evaluated from the tail: a loop counting down with >, int k used
    // as a float.
    [Differentiable]
    public static float ContinuedFraction(float x, int depth)
    {
        float acc = 0;
        for (int k = depth; k > 0; k--)
        {
            acc = k / (x + acc);
        }
        return acc;
    }

    [Jvp(nameof(ContinuedFraction))]
    public static partial float ContinuedFractionJvp(float x, float dx, int depth, out float dResult);

    [Gradient(nameof(ContinuedFraction))]
    public static partial float ContinuedFractionGradient(float x, int depth, out float xBar);

    // A pendulum integrated by semi-implicit Euler for a runtime number of steps.
    [Differentiable]
    public static float Pendulum(float theta0, float omega0, float dt, int steps)
    {
        float theta = theta0;
        float omega = omega0;
        for (int s = 0; s < steps; s++)
        {
            omega -= dt * MathF.Sin(theta);
            theta += dt * omega;
        }
        return theta;
    }

    [Jvp(nameof(Pendulum))]
    public static partial float PendulumJvp(float theta0, float dTheta0, float omega0, float dOmega0, float dt, float dDt, int steps, out float dResult);

    [Gradient(nameof(Pendulum))]
    public static partial float PendulumGradient(float theta0, float omega0, float dt, int steps, out float theta0Bar, out float omega0Bar, out float dtBar);

    // Mean + variance + a position-weighted mean: int → float conversions (n, i + 1).
    [Differentiable]
    public static float Moments(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        float mean = 0;
        float weighted = 0;
        for (int i = 0; i < n; i++)
        {
            mean += x[i];
            weighted += (i + 1) * x[i];
        }
        mean /= n;
        weighted /= n * (n + 1) / 2;
        float variance = 0;
        for (int i = 0; i < n; i++)
        {
            float d = x[i] - mean;
            variance += d * d;
        }
        return mean + variance / n + weighted;
    }

    [Jvp(nameof(Moments))]
    public static partial float MomentsJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(Moments))]
    public static partial float MomentsGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Array parameters (read-only inputs) with Wrt restricted to a: b gets no tangent.
    [Differentiable]
    public static float WeightedSquares(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i] * b[i];
        }
        return s;
    }

    [Jvp(nameof(WeightedSquares), Wrt = "a")]
    public static partial float WeightedSquaresJvp(float[] a, ReadOnlySpan<float> dA, float[] b, out float dResult);

    [Gradient(nameof(WeightedSquares), Wrt = "a")]
    public static partial float WeightedSquaresGradient(float[] a, float[] b, Span<float> aBar);

    // bool locals, == and % on ints, and && / || guarding an index that would be out of range
    // if the right side were evaluated: the sum of squares of the strict local maxima.
    [Differentiable]
    public static float PeakEnergy(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            bool risesIn = i == 0 || x[i] > x[i - 1];
            bool fallsOut = i == n - 1 || x[i] > x[i + 1];
            if (risesIn && fallsOut)
            {
                s += i % 2 == 0 ? x[i] * x[i] : 2 * x[i] * x[i];
            }
        }
        return s;
    }

    [Jvp(nameof(PeakEnergy))]
    public static partial float PeakEnergyJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(PeakEnergy))]
    public static partial float PeakEnergyGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Linear interpolation in a table at position t: guard clauses with early returns before a
    // loop-free tail, a float → int cast used as an index, int → float.
    [Differentiable]
    public static float Interpolate(ReadOnlySpan<float> table, float t)
    {
        int last = table.Length - 1;
        if (t <= 0)
        {
            return table[0];
        }
        if (t >= last)
        {
            return table[last];
        }
        int k = (int)MathF.Floor(t);
        float frac = t - k;
        return table[k] + frac * (table[k + 1] - table[k]);
    }

    [Jvp(nameof(Interpolate))]
    public static partial float InterpolateJvp(ReadOnlySpan<float> table, ReadOnlySpan<float> dTable, float t, float dt, out float dResult);

    [Gradient(nameof(Interpolate))]
    public static partial float InterpolateGradient(ReadOnlySpan<float> table, float t, Span<float> tableBar, out float tBar);

    // ------------------------------------------------------------------ local buffers

    // A stackalloc span and a new[] array, each written more than once (=, *=, +=, ++) and
    // read back, including h[n - 1 - i] (reverse indexing).
    [Differentiable]
    public static float PrefixBuffers(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        Span<float> h = stackalloc float[n];
        float[] g = new float[n];
        h[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            h[i] = h[i - 1] + x[i];
        }
        for (int i = 0; i < n; i++)
        {
            h[i] *= 0.5f;
            h[i] += MathF.Cos(x[i]);
        }
        for (int i = 0; i < n; i++)
        {
            g[i] = h[i] * h[n - 1 - i];
        }
        g[0]++;
        g[n - 1] -= x[0];
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            s += g[i];
        }
        return s;
    }

    [Jvp(nameof(PrefixBuffers))]
    public static partial float PrefixBuffersJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(PrefixBuffers))]
    public static partial float PrefixBuffersGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // A packed strictly-lower triangle walked column by column into a stackalloc buffer, as ADBench's
    // GMM does (qx[j] += l[c] * x[i], one counter through all entries, carried across the outer
    // loop); a second walk with a counter stepping down by 2 and an inner loop counting down; and an
    // element read, overwritten, then set from the value read (t = qx[0]; qx[0] = …; qx[0] = t + …).
    [Differentiable]
    public static float PackedTriangle(ReadOnlySpan<float> l, ReadOnlySpan<float> x)
    {
        int d = x.Length;
        Span<float> qx = stackalloc float[d];
        for (int i = 0; i < d; i++)
        {
            qx[i] = x[i];
        }
        int c = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                qx[j] += l[c] * x[i];
                c++;
            }
        }
        int e = l.Length - 1;
        for (int i = 0; i < d; i++)
        {
            for (int j = d - 1; j > i; j--)
            {
                qx[i] += MathF.Sin(l[e]) * qx[j];
                e -= 2;
            }
        }
        float t = qx[0];
        qx[0] = x[0] * x[1];
        qx[0] = t + x[1];
        float s = 0;
        for (int i = 0; i < d; i++)
        {
            s += qx[i] * qx[i];
        }
        return s;
    }

    [Jvp(nameof(PackedTriangle))]
    public static partial float PackedTriangleJvp(ReadOnlySpan<float> l, ReadOnlySpan<float> dl, ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(PackedTriangle))]
    public static partial float PackedTriangleGradient(ReadOnlySpan<float> l, ReadOnlySpan<float> x, Span<float> lBar, Span<float> xBar);

    // ------------------------------------------------------------------ span outputs

    // Softmax: void, writes its writable Span<T> output twice (exp, then /=) and reads it back.
    [Differentiable]
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        float m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            m = MathF.Max(m, x[i]);
        }
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Exp(x[i] - m);
            s += y[i];
        }
        for (int i = 0; i < x.Length; i++)
        {
            y[i] /= s;
        }
    }

    [Jvp(nameof(Softmax))]
    public static partial void SoftmaxJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, Span<float> y, Span<float> dy);

    [Vjp(nameof(Softmax))]
    public static partial void SoftmaxVjp(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> yBar, Span<float> xBar);

    // Exponential moving average into a Span<T> output, with a differentiated scalar alpha.
    [Differentiable]
    public static void MovingAverage(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        y[0] = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            y[i] = alpha * x[i] + (1 - alpha) * y[i - 1];
        }
    }

    [Jvp(nameof(MovingAverage))]
    public static partial void MovingAverageJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, float alpha, float dAlpha, Span<float> y, Span<float> dy);

    // Wrt = "x" (tested), and the full declaration with the scalar differentiated too (compiled).
    [Vjp(nameof(MovingAverage), Wrt = "x")]
    public static partial void MovingAverageVjp(ReadOnlySpan<float> x, float alpha, Span<float> y, ReadOnlySpan<float> yBar, Span<float> xBar);
    [Vjp(nameof(MovingAverage))]
    public static partial void MovingAverageFullVjp(ReadOnlySpan<float> x, float alpha, Span<float> y, ReadOnlySpan<float> yBar, Span<float> xBar, out float alphaBar);

    // ------------------------------------------------------------------ calls

    // Calls the void Softmax into a stackalloc buffer, then reads it: sum of i * p[i].
    [Differentiable]
    public static float ExpectedIndex(ReadOnlySpan<float> x)
    {
        Span<float> p = stackalloc float[x.Length];
        Softmax(x, p);
        float e = 0;
        for (int i = 0; i < x.Length; i++)
        {
            e += i * p[i];
        }
        return e;
    }

    [Jvp(nameof(ExpectedIndex))]
    public static partial float ExpectedIndexJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(ExpectedIndex))]
    public static partial float ExpectedIndexGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // A chain three deep: Outer → Middle → Kernels32.Bump (a callee in another class).
    [Differentiable]
    public static float Outer(float x, float y)
    {
        return Middle(x, y) * x + y;
    }

    [Jvp(nameof(Outer))]
    public static partial float OuterJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Outer))]
    public static partial float OuterGradient(float x, float y, out float xBar, out float yBar);

    [Differentiable]
    public static float Middle(float x, float y)
    {
        return Kernels32.Bump(x - y) + y * Kernels32.Bump(y);
    }

    [Jvp(nameof(Middle))]
    public static partial float MiddleJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(Middle))]
    public static partial float MiddleGradient(float x, float y, out float xBar, out float yBar);

    // Calls with mixed arguments: an int converted to float (x - i), a nested call, calls in
    // both arms of ?:. Also a parameter reassigned and a local declared without initializer,
    // then assigned on both branches of an if.
    [Differentiable]
    public static float BumpSum(float x, int count)
    {
        float s = 0;
        for (int i = 0; i < count; i++)
        {
            s += Kernels32.Bump(x - i);
        }
        x = 0.5f * x;
        float tail;
        if (x > 0)
        {
            tail = Kernels32.Bump(Kernels32.Bump(x));
        }
        else
        {
            tail = x * x;
        }
        return s + tail + (x < 1 ? Softplus(x) : Middle(x, 1));
    }

    [Jvp(nameof(BumpSum))]
    public static partial float BumpSumJvp(float x, float dx, int count, out float dResult);

    [Gradient(nameof(BumpSum))]
    public static partial float BumpSumGradient(float x, int count, out float xBar);

    // A two-layer tanh MLP, 3 → 4 → 4 → 1, all weights in one span: calls the void
    // Kernels32.DenseTanh twice into stackalloc buffers.
    [Differentiable]
    public static float Mlp(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        const int Inputs = 3, Hidden = 4;
        Span<float> h1 = stackalloc float[Hidden];
        Span<float> h2 = stackalloc float[Hidden];
        Kernels32.DenseTanh(w, 0, x, h1);
        Kernels32.DenseTanh(w, Hidden * Inputs + Hidden, h1, h2);
        int o = Hidden * Inputs + Hidden + Hidden * Hidden + Hidden;
        float y = w[o + Hidden];
        for (int j = 0; j < Hidden; j++)
        {
            y += w[o + j] * h2[j];
        }
        return y;
    }

    [Jvp(nameof(Mlp))]
    public static partial float MlpJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> w, ReadOnlySpan<float> dw, out float dResult);

    [Gradient(nameof(Mlp))]
    public static partial float MlpGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> xBar, Span<float> wBar);

    // A second derivative of the same primal: only the inputs are differentiated, so the
    // weights are constants and DenseTanh is called with an inactive weight span.
    [Jvp(nameof(Mlp), Wrt = "x")]
    public static partial float MlpInputJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> w, out float dResult);

    /// <summary>The number of weights <see cref="Mlp"/> reads.</summary>
    public const int MlpWeights = (4 * 3 + 4) + (4 * 4 + 4) + (4 + 1);

    // Logistic regression loss: calls Softplus (same class) inside a loop, nested loop for the
    // dot product. xs is row-major (rows = labels.Length), labels are ±1.
    [Differentiable]
    public static float LogisticLoss(ReadOnlySpan<float> w, ReadOnlySpan<float> xs, ReadOnlySpan<float> labels)
    {
        int d = w.Length;
        float loss = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            float z = 0;
            for (int k = 0; k < d; k++)
            {
                z += w[k] * xs[r * d + k];
            }
            loss += Softplus(-labels[r] * z);
        }
        return loss / labels.Length;
    }

    [Jvp(nameof(LogisticLoss), Wrt = "w")]
    public static partial float LogisticLossJvp(ReadOnlySpan<float> w, ReadOnlySpan<float> dw, ReadOnlySpan<float> xs, ReadOnlySpan<float> labels, out float dResult);

    [Gradient(nameof(LogisticLoss), Wrt = "w")]
    public static partial float LogisticLossGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> xs, ReadOnlySpan<float> labels, Span<float> wBar);

    // ------------------------------------------------------------------ evaluation order and state

    // Two loop-carried values updated as a pair, (a, b) ← (b, a + sin(b) / 2): the new a is
    // the old b and the new b reads the old a and b.
    [Differentiable]
    public static float Recurrence(float x, float y, int n)
    {
        float a = x;
        float b = y;
        for (int i = 0; i < n; i++)
        {
            float t = a;
            a = b;
            b = t + 0.5f * MathF.Sin(b);
        }
        return a + 2 * b;
    }

    [Jvp(nameof(Recurrence))]
    public static partial float RecurrenceJvp(float x, float dx, float y, float dy, int n, out float dResult);

    [Gradient(nameof(Recurrence))]
    public static partial float RecurrenceGradient(float x, float y, int n, out float xBar, out float yBar);

    // The point (x, y) rotated n times by theta: parameters reassigned in a loop, each new
    // coordinate reading both old ones.
    [Differentiable]
    public static float Rotation(float x, float y, float theta, int n)
    {
        float c = MathF.Cos(theta);
        float s = MathF.Sin(theta);
        for (int i = 0; i < n; i++)
        {
            float x1 = c * x - s * y;
            y = s * x + c * y;
            x = x1;
        }
        return x + 2 * y;
    }

    [Jvp(nameof(Rotation))]
    public static partial float RotationJvp(float x, float dx, float y, float dy, float theta, float dTheta, int n, out float dResult);

    [Gradient(nameof(Rotation))]
    public static partial float RotationGradient(float x, float y, float theta, int n, out float xBar, out float yBar, out float thetaBar);

    // Swapping two parameters in an if.
    [Differentiable]
    public static float OrderedGap(float x, float y)
    {
        if (x > y)
        {
            float t = x;
            x = y;
            y = t;
        }
        return (y - x) * MathF.Exp(x);
    }

    [Jvp(nameof(OrderedGap))]
    public static partial float OrderedGapJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(OrderedGap))]
    public static partial float OrderedGapGradient(float x, float y, out float xBar, out float yBar);

    // An L-estimator: bubble-sorts a stackalloc copy of x (element swaps under a branch in
    // nested loops whose inner bound depends on the outer counter; loop bodies without braces)
    // and weights the sorted squares by rank.
    [Differentiable]
    public static float RankWeighted(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        Span<float> s = stackalloc float[n];
        for (int i = 0; i < n; i++)
            s[i] = x[i];
        for (int pass = 0; pass < n - 1; pass++)
        {
            for (int j = 0; j < n - 1 - pass; j++)
            {
                if (s[j] > s[j + 1])
                {
                    float t = s[j];
                    s[j] = s[j + 1];
                    s[j + 1] = t;
                }
            }
        }
        float r = 0;
        for (int i = 0; i < n; i++)
            r += (i + 1) * s[i] * s[i];
        return r;
    }

    [Jvp(nameof(RankWeighted))]
    public static partial float RankWeightedJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(RankWeighted))]
    public static partial float RankWeightedGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Streaming log-sum-exp: the running max m and the sum s relative to it are updated
    // together in both branches, and s's update reads the old m.
    [Differentiable]
    public static float OnlineLogSumExp(ReadOnlySpan<float> x)
    {
        float m = x[0];
        float s = 1;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > m)
            {
                s = s * MathF.Exp(m - x[i]) + 1;
                m = x[i];
            }
            else
            {
                s += MathF.Exp(x[i] - m);
            }
        }
        return m + MathF.Log(s);
    }

    [Jvp(nameof(OnlineLogSumExp))]
    public static partial float OnlineLogSumExpJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(OnlineLogSumExp))]
    public static partial float OnlineLogSumExpGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Activity that appears only in later iterations: prev starts as a constant and depends
    // on x from the second iteration on.
    [Differentiable]
    public static float LaggedSum(float x, int n)
    {
        float prev = 1;
        float s = 0;
        for (int i = 0; i < n; i++)
        {
            s += prev * prev;
            prev = MathF.Sin(x * i);
        }
        return s;
    }

    [Jvp(nameof(LaggedSum))]
    public static partial float LaggedSumJvp(float x, float dx, int n, out float dResult);

    [Gradient(nameof(LaggedSum))]
    public static partial float LaggedSumGradient(float x, int n, out float xBar);

    // Pow with constant and int exponents (not differentiated) at negative bases.
    [Differentiable]
    public static float Powers(float x, int n)
    {
        return MathF.Pow(x, 3) - 2 * MathF.Pow(x, 2) + MathF.Pow(x, n);
    }

    [Jvp(nameof(Powers))]
    public static partial float PowersJvp(float x, float dx, int n, out float dResult);

    [Gradient(nameof(Powers))]
    public static partial float PowersGradient(float x, int n, out float xBar);

    // int / and % (truncating, also of negative numbers) feeding float arithmetic.
    [Differentiable]
    public static float IntArithmetic(float x, int n)
    {
        int half = n / 2;
        int rest = n % 3;
        int quarter = -n / 4;
        return x * half + x * x * rest + quarter / x;
    }

    [Jvp(nameof(IntArithmetic))]
    public static partial float IntArithmeticJvp(float x, float dx, int n, out float dResult);

    [Gradient(nameof(IntArithmetic))]
    public static partial float IntArithmeticGradient(float x, int n, out float xBar);

    // Math functions of constants: (x, y) rotated by a fixed angle, x coordinate.
    [Differentiable]
    public static float FixedRotation(float x, float y)
    {
        const float Angle = 0.68f;
        return MathF.Cos(Angle) * x - MathF.Sin(Angle) * y;
    }

    [Jvp(nameof(FixedRotation))]
    public static partial float FixedRotationJvp(float x, float dx, float y, float dy, out float dResult);

    [Gradient(nameof(FixedRotation))]
    public static partial float FixedRotationGradient(float x, float y, out float xBar, out float yBar);

    // Early returns in an else branch and after a loop; the returning if is followed by a loop.
    [Differentiable]
    public static float Guarded(ReadOnlySpan<float> x, float t)
    {
        float y = t;
        if (t > 0)
        {
            y = MathF.Sqrt(t);
        }
        else
        {
            return -t * t;
        }
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * y;
        }
        if (s > 1)
        {
            return s;
        }
        return 2 * s - 1;
    }

    [Jvp(nameof(Guarded))]
    public static partial float GuardedJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, float t, float dt, out float dResult);

    [Gradient(nameof(Guarded))]
    public static partial float GuardedGradient(ReadOnlySpan<float> x, float t, Span<float> xBar, out float tBar);

    // y += a x: the Span output is read as well as written, so its incoming tangent dy is an
    // input of the JVP too (in-out).
    [Differentiable]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    [Jvp(nameof(Axpy))]
    public static partial void AxpyJvp(float a, float da, ReadOnlySpan<float> x, ReadOnlySpan<float> dx, Span<float> y, Span<float> dy);

    // Wrt = "x" (tested), and the full declaration with the scalar differentiated too (compiled).
    [Vjp(nameof(Axpy), Wrt = "x")]
    public static partial void AxpyVjp(float a, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> yBar, Span<float> xBar);
    [Vjp(nameof(Axpy))]
    public static partial void AxpyFullVjp(float a, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> yBar, out float aBar, Span<float> xBar);

    // Accumulates into a zeroed stackalloc buffer with two calls of Axpy, then reads it.
    [Differentiable]
    public static float Accumulated(ReadOnlySpan<float> x, float a)
    {
        Span<float> acc = stackalloc float[x.Length];
        Axpy(a, x, acc);
        Axpy(a * a, x, acc);
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += acc[i] * acc[i];
        }
        return s;
    }

    [Jvp(nameof(Accumulated))]
    public static partial float AccumulatedJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, float a, float da, out float dResult);

    [Gradient(nameof(Accumulated))]
    public static partial float AccumulatedGradient(ReadOnlySpan<float> x, float a, Span<float> xBar, out float aBar);

    // Loop-carried int and bool (an index and a flag), each set under an if without braces,
    // and a load at the carried index.
    [Differentiable]
    public static float ArgMaxSquare(ReadOnlySpan<float> x)
    {
        int best = 0;
        bool anyNegative = false;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > x[best])
                best = i;
            if (x[i] < 0)
                anyNegative = true;
        }
        float v = x[best] * x[best];
        return anyNegative ? v + best : v - best;
    }

    [Jvp(nameof(ArgMaxSquare))]
    public static partial float ArgMaxSquareJvp(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, out float dResult);

    [Gradient(nameof(ArgMaxSquare))]
    public static partial float ArgMaxSquareGradient(ReadOnlySpan<float> x, Span<float> xBar);

    // Operator precedence and associativity that the emitted C# must keep: right operands of
    // - and /, unary minus of a difference, int arithmetic mixed in, % on floats.
    [Differentiable]
    public static float Arithmetic(float x, float y, float z, int n)
    {
        float a = x - (y - z);
        float b = x / (y / z) - x / (y * z);
        float c = -(x - y) * (z - x) - -y;
        float d = (n - (n - 1) / 2) * x / 2 * y;
        float e = (x + 3) % y;
        return a + b + c + d + e;
    }

    [Jvp(nameof(Arithmetic))]
    public static partial float ArithmeticJvp(float x, float dx, float y, float dy, float z, float dz, int n, out float dResult);

    [Gradient(nameof(Arithmetic))]
    public static partial float ArithmeticGradient(float x, float y, float z, int n, out float xBar, out float yBar, out float zBar);
}

/// <summary>Callees in another class than their callers.</summary>
public static partial class Kernels32
{
    // A Gaussian bump; the innermost link of Corpus32.Outer → Middle → Bump.
    [Differentiable]
    public static float Bump(float u) => MathF.Exp(-u * u);

    [Jvp(nameof(Bump))]
    public static partial float BumpJvp(float u, float du, out float dResult);

    [Gradient(nameof(Bump))]
    public static partial float BumpGradient(float u, out float uBar);

    // y = tanh(W x + b) with W (row-major, y.Length × x.Length) then b stored in w from offset.
    [Differentiable]
    public static void DenseTanh(ReadOnlySpan<float> w, int offset, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        int biases = offset + y.Length * n;
        for (int j = 0; j < y.Length; j++)
        {
            float s = w[biases + j];
            for (int i = 0; i < n; i++)
            {
                s += w[offset + j * n + i] * x[i];
            }
            y[j] = MathF.Tanh(s);
        }
    }

    [Jvp(nameof(DenseTanh))]
    public static partial void DenseTanhJvp(ReadOnlySpan<float> w, ReadOnlySpan<float> dw, int offset, ReadOnlySpan<float> x, ReadOnlySpan<float> dx, Span<float> y, Span<float> dy);

    [Vjp(nameof(DenseTanh))]
    public static partial void DenseTanhVjp(ReadOnlySpan<float> w, int offset, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> yBar, Span<float> wBar, Span<float> xBar);
}
