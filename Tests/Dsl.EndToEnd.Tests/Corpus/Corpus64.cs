using System;

namespace Dsl.EndToEnd.Tests.Corpus;

// The double-precision corpus. Every primal here has a twin of the same name in Corpus32
// (float, MathF) and a [Jvp] declaration right below it. Together they exercise every
// construct of the differentiable subset; the comment above each primal names the constructs
// it is there for. Kernels64 (another class) holds callees used across classes.
public static partial class Corpus64
{
    // ------------------------------------------------------------------ elementary functions

    // Sin, Cos, Tan; an expression-bodied primal.
    [Differentiable]
    public static double Trig(double x, double y) => Math.Sin(x) * Math.Cos(y) + Math.Tan(0.5 * x);

    [Jvp(nameof(Trig))]
    public static partial double TrigJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Trig))]
    public static partial double TrigGradient(double x, double y, out double xBar, out double yBar);

    // Asin, Acos, Atan.
    [Differentiable]
    public static double InverseTrig(double x, double y)
    {
        return Math.Asin(x) * Math.Acos(y) + Math.Atan(x * y);
    }

    [Jvp(nameof(InverseTrig))]
    public static partial double InverseTrigJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(InverseTrig))]
    public static partial double InverseTrigGradient(double x, double y, out double xBar, out double yBar);

    // Atan2 and Sqrt: the angle times the radius of the point (x, y).
    [Differentiable]
    public static double Polar(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y);
        return Math.Atan2(y, x) * r;
    }

    [Jvp(nameof(Polar))]
    public static partial double PolarJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Polar))]
    public static partial double PolarGradient(double x, double y, out double xBar, out double yBar);

    // Sinh, Cosh, Tanh.
    [Differentiable]
    public static double Hyperbolic(double x)
    {
        return Math.Sinh(x) * Math.Cosh(0.5 * x) - Math.Tanh(x);
    }

    [Jvp(nameof(Hyperbolic))]
    public static partial double HyperbolicJvp(double x, double dx, out double dResult);

    [Gradient(nameof(Hyperbolic))]
    public static partial double HyperbolicGradient(double x, out double xBar);

    // Asinh, Acosh, Atanh.
    [Differentiable]
    public static double InverseHyperbolic(double x, double y, double z)
    {
        return Math.Asinh(x) + Math.Acosh(y) * Math.Atanh(z);
    }

    [Jvp(nameof(InverseHyperbolic))]
    public static partial double InverseHyperbolicJvp(double x, double dx, double y, double dy, double z, double dz, out double dResult);

    [Gradient(nameof(InverseHyperbolic))]
    public static partial double InverseHyperbolicGradient(double x, double y, double z, out double xBar, out double yBar, out double zBar);

    // Log, Log2, Log10.
    [Differentiable]
    public static double Logarithms(double x, double y)
    {
        return Math.Log(x) * Math.Log2(y) + Math.Log10(x * y);
    }

    [Jvp(nameof(Logarithms))]
    public static partial double LogarithmsJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Logarithms))]
    public static partial double LogarithmsGradient(double x, double y, out double xBar, out double yBar);

    // Sqrt, Cbrt (also of negative numbers), Exp.
    [Differentiable]
    public static double Roots(double x, double y)
    {
        return Math.Sqrt(x) * Math.Cbrt(y) + Math.Exp(-x);
    }

    [Jvp(nameof(Roots))]
    public static partial double RootsJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Roots))]
    public static partial double RootsGradient(double x, double y, out double xBar, out double yBar);

    // Pow with both the base and the exponent differentiated.
    [Differentiable]
    public static double PowerLaw(double x, double p) => Math.Pow(x, p);

    [Jvp(nameof(PowerLaw))]
    public static partial double PowerLawJvp(double x, double dx, double p, double dp, out double dResult);

    [Gradient(nameof(PowerLaw))]
    public static partial double PowerLawGradient(double x, double p, out double xBar, out double pBar);

    // Abs, Max, Min (tested away from their kinks: x = 0, x = y, x * y = 0.5).
    [Differentiable]
    public static double Kinks(double x, double y)
    {
        return Math.Abs(x) * y + Math.Max(x, y) - Math.Min(x * y, 0.5);
    }

    [Jvp(nameof(Kinks))]
    public static partial double KinksJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Kinks))]
    public static partial double KinksGradient(double x, double y, out double xBar, out double yBar);

    // Floor, Ceiling, Round, Truncate: piecewise constant, so only their products carry a
    // derivative (tested away from the jumps).
    [Differentiable]
    public static double Rounding(double x)
    {
        return Math.Floor(x) * x + Math.Ceiling(0.5 * x) * Math.Sin(x) + Math.Round(2 * x) - Math.Truncate(x) * x * x;
    }

    [Jvp(nameof(Rounding))]
    public static partial double RoundingJvp(double x, double dx, out double dResult);

    [Gradient(nameof(Rounding))]
    public static partial double RoundingGradient(double x, out double xBar);

    // A bool parameter choosing between two activations (?: on a parameter).
    [Differentiable]
    public static double Activation(double x, bool useTanh)
    {
        return useTanh ? Math.Tanh(x) : x / (1 + Math.Abs(x));
    }

    [Jvp(nameof(Activation))]
    public static partial double ActivationJvp(double x, double dx, bool useTanh, out double dResult);

    [Gradient(nameof(Activation))]
    public static partial double ActivationGradient(double x, bool useTanh, out double xBar);

    // ------------------------------------------------------------------ locals and statements

    // Every compound assignment (+= -= *= /=), ++/-- (postfix and prefix) as statements on a
    // double and on an int, and an int multiplying a double.
    [Differentiable]
    public static double CompoundOps(double x, double y)
    {
        double a = x;
        a += y;
        a *= x;
        a -= 0.5 * y;
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
    public static partial double CompoundOpsJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(CompoundOps))]
    public static partial double CompoundOpsGradient(double x, double y, out double xBar, out double yBar);

    // Nested ?: (a clamp) and Wrt restricted to x: lo and hi get no tangent.
    [Differentiable]
    public static double Smoothstep(double x, double lo, double hi)
    {
        double t = (x - lo) / (hi - lo);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        return t * t * (3 - 2 * t);
    }

    [Jvp(nameof(Smoothstep), Wrt = "x")]
    public static partial double SmoothstepJvp(double x, double dx, double lo, double hi, out double dResult);

    [Gradient(nameof(Smoothstep), Wrt = "x")]
    public static partial double SmoothstepGradient(double x, double lo, double hi, out double xBar);

    // Numerically stable softplus: ?: choosing between two formulas of the same function.
    [Differentiable]
    public static double Softplus(double x)
    {
        return x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
    }

    [Jvp(nameof(Softplus))]
    public static partial double SoftplusJvp(double x, double dx, out double dResult);

    [Gradient(nameof(Softplus))]
    public static partial double SoftplusGradient(double x, out double xBar);

    // float and double mixed: a float parameter (not differentiated: Wrt = "x,y"), float
    // arithmetic promoted to double, a const int local, a call with a float * double argument.
    [Differentiable]
    public static double Mixed(double x, double y, float s)
    {
        const int Three = 3;
        float s2 = s * s;
        double a = s2 * x;
        a += y * s;
        a += Three * x * y;
        return a + Math.Sin(a) + Kernels64.Bump(s * x);
    }

    [Jvp(nameof(Mixed), Wrt = "x,y")]
    public static partial double MixedJvp(double x, double dx, double y, double dy, float s, out double dResult);

    [Gradient(nameof(Mixed), Wrt = "x,y")]
    public static partial double MixedGradient(double x, double y, float s, out double xBar, out double yBar);

    // ------------------------------------------------------------------ branches and early returns

    // Early returns in a nested if / else-if chain, with statements after the chain.
    [Differentiable]
    public static double Classify(double x, double y)
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
            return Math.Exp(x) - y;
        }
        else if (x < 1)
        {
            return Math.Sin(x) * y;
        }
        double z = x * y;
        return z * z;
    }

    [Jvp(nameof(Classify))]
    public static partial double ClassifyJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Classify))]
    public static partial double ClassifyGradient(double x, double y, out double xBar, out double yBar);

    // && and || (mixed, short-circuiting) and ! in if conditions and in a ?: condition.
    [Differentiable]
    public static double Logic(double x, double y, double z)
    {
        double s = x * y;
        if (x > 0 && y > 0 || z < -1)
        {
            s += Math.Exp(z);
        }
        if (!(x < y) || z > 1 && x < 0)
        {
            s *= z;
        }
        return (x > 0 || y < 0) && z > 0 ? s + z : s - z;
    }

    [Jvp(nameof(Logic))]
    public static partial double LogicJvp(double x, double dx, double y, double dy, double z, double dz, out double dResult);

    [Gradient(nameof(Logic))]
    public static partial double LogicGradient(double x, double y, double z, out double xBar, out double yBar, out double zBar);

    // ------------------------------------------------------------------ loops

    // Polynomial c[0] + c[1] x + ... by Horner's rule: a loop counting down (i--, >=).
    [Differentiable]
    public static double Horner(double x, ReadOnlySpan<double> c)
    {
        double acc = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            acc = acc * x + c[i];
        }
        return acc;
    }

    [Jvp(nameof(Horner))]
    public static partial double HornerJvp(double x, double dx, ReadOnlySpan<double> c, ReadOnlySpan<double> dc, out double dResult);

    [Gradient(nameof(Horner))]
    public static partial double HornerGradient(double x, ReadOnlySpan<double> c, out double xBar, Span<double> cBar);

    // The Rosenbrock function over a span.
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    [Jvp(nameof(Rosenbrock))]
    public static partial double RosenbrockJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(Rosenbrock))]
    public static partial double RosenbrockGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // log N(x; mu, exp(logSigma)^2 I): const locals, Math.PI, an int length used as a double.
    [Differentiable]
    public static double GaussianLogDensity(ReadOnlySpan<double> x, ReadOnlySpan<double> mu, double logSigma)
    {
        const double Half = 0.5;
        double sigma = Math.Exp(logSigma);
        double q = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = (x[i] - mu[i]) / sigma;
            q += z * z;
        }
        int n = x.Length;
        return -Half * q - n * logSigma - Half * n * Math.Log(2 * Math.PI);
    }

    [Jvp(nameof(GaussianLogDensity))]
    public static partial double GaussianLogDensityJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> mu, ReadOnlySpan<double> dMu, double logSigma, double dLogSigma, out double dResult);

    [Gradient(nameof(GaussianLogDensity))]
    public static partial double GaussianLogDensityGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> mu, double logSigma, Span<double> xBar, Span<double> muBar, out double logSigmaBar);

    // log(sum(exp(x))) with the max subtracted: a branch inside a loop finds the max.
    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > m)
            {
                m = x[i];
            }
        }
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Exp(x[i] - m);
        }
        return m + Math.Log(s);
    }

    [Jvp(nameof(LogSumExp))]
    public static partial double LogSumExpJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(LogSumExp))]
    public static partial double LogSumExpGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Huber loss: if/else with Abs inside a loop; delta is differentiated too.
    [Differentiable]
    public static double Huber(ReadOnlySpan<double> r, double delta)
    {
        double s = 0;
        for (int i = 0; i < r.Length; i++)
        {
            double a = Math.Abs(r[i]);
            if (a <= delta)
            {
                s += 0.5 * r[i] * r[i];
            }
            else
            {
                s += delta * (a - 0.5 * delta);
            }
        }
        return s;
    }

    [Jvp(nameof(Huber))]
    public static partial double HuberJvp(ReadOnlySpan<double> r, ReadOnlySpan<double> dr, double delta, double dDelta, out double dResult);

    [Gradient(nameof(Huber))]
    public static partial double HuberGradient(ReadOnlySpan<double> r, double delta, Span<double> rBar, out double deltaBar);

    // x^T A x with A row-major n×n: nested loops.
    [Differentiable]
    public static double QuadraticForm(ReadOnlySpan<double> x, ReadOnlySpan<double> a)
    {
        int n = x.Length;
        double s = 0;
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
    public static partial double QuadraticFormJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> a, ReadOnlySpan<double> dA, out double dResult);

    [Gradient(nameof(QuadraticForm))]
    public static partial double QuadraticFormGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> a, Span<double> xBar, Span<double> aBar);

    // Runtime loop bounds from int parameters: <= with i += 2 upwards, >= with i -= 3 downwards.
    [Differentiable]
    public static double StridedSum(ReadOnlySpan<double> x, int start, int end)
    {
        double s = 0;
        for (int i = start; i <= end; i += 2)
        {
            s += Math.Sin(x[i]) * x[i];
        }
        for (int i = end; i >= start; i -= 3)
        {
            s += x[i] * x[i];
        }
        return s;
    }

    [Jvp(nameof(StridedSum))]
    public static partial double StridedSumJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, int start, int end, out double dResult);

    [Gradient(nameof(StridedSum))]
    public static partial double StridedSumGradient(ReadOnlySpan<double> x, int start, int end, Span<double> xBar);

    // A continued fraction evaluated from the tail: a loop counting down with >, int k used
    // as a double.
    [Differentiable]
    public static double ContinuedFraction(double x, int depth)
    {
        double acc = 0;
        for (int k = depth; k > 0; k--)
        {
            acc = k / (x + acc);
        }
        return acc;
    }

    [Jvp(nameof(ContinuedFraction))]
    public static partial double ContinuedFractionJvp(double x, double dx, int depth, out double dResult);

    [Gradient(nameof(ContinuedFraction))]
    public static partial double ContinuedFractionGradient(double x, int depth, out double xBar);

    // A pendulum integrated by semi-implicit Euler for a runtime number of steps.
    [Differentiable]
    public static double Pendulum(double theta0, double omega0, double dt, int steps)
    {
        double theta = theta0;
        double omega = omega0;
        for (int s = 0; s < steps; s++)
        {
            omega -= dt * Math.Sin(theta);
            theta += dt * omega;
        }
        return theta;
    }

    [Jvp(nameof(Pendulum))]
    public static partial double PendulumJvp(double theta0, double dTheta0, double omega0, double dOmega0, double dt, double dDt, int steps, out double dResult);

    [Gradient(nameof(Pendulum))]
    public static partial double PendulumGradient(double theta0, double omega0, double dt, int steps, out double theta0Bar, out double omega0Bar, out double dtBar);

    // Mean + variance + a position-weighted mean: int → double conversions (n, i + 1).
    [Differentiable]
    public static double Moments(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double mean = 0;
        double weighted = 0;
        for (int i = 0; i < n; i++)
        {
            mean += x[i];
            weighted += (i + 1) * x[i];
        }
        mean /= n;
        weighted /= n * (n + 1) / 2;
        double variance = 0;
        for (int i = 0; i < n; i++)
        {
            double d = x[i] - mean;
            variance += d * d;
        }
        return mean + variance / n + weighted;
    }

    [Jvp(nameof(Moments))]
    public static partial double MomentsJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(Moments))]
    public static partial double MomentsGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Array parameters (read-only inputs) with Wrt restricted to a: b gets no tangent.
    [Differentiable]
    public static double WeightedSquares(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i] * b[i];
        }
        return s;
    }

    [Jvp(nameof(WeightedSquares), Wrt = "a")]
    public static partial double WeightedSquaresJvp(double[] a, ReadOnlySpan<double> dA, double[] b, out double dResult);

    [Gradient(nameof(WeightedSquares), Wrt = "a")]
    public static partial double WeightedSquaresGradient(double[] a, double[] b, Span<double> aBar);

    // bool locals, == and % on ints, and && / || guarding an index that would be out of range
    // if the right side were evaluated: the sum of squares of the strict local maxima.
    [Differentiable]
    public static double PeakEnergy(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double s = 0;
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
    public static partial double PeakEnergyJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(PeakEnergy))]
    public static partial double PeakEnergyGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Linear interpolation in a table at position t: guard clauses with early returns before a
    // loop-free tail, a double → int cast used as an index, int → double.
    [Differentiable]
    public static double Interpolate(ReadOnlySpan<double> table, double t)
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
        int k = (int)Math.Floor(t);
        double frac = t - k;
        return table[k] + frac * (table[k + 1] - table[k]);
    }

    [Jvp(nameof(Interpolate))]
    public static partial double InterpolateJvp(ReadOnlySpan<double> table, ReadOnlySpan<double> dTable, double t, double dt, out double dResult);

    [Gradient(nameof(Interpolate))]
    public static partial double InterpolateGradient(ReadOnlySpan<double> table, double t, Span<double> tableBar, out double tBar);

    // ------------------------------------------------------------------ local buffers

    // A stackalloc span and a new[] array, each written more than once (=, *=, +=, ++) and
    // read back, including h[n - 1 - i] (reverse indexing).
    [Differentiable]
    public static double PrefixBuffers(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        Span<double> h = stackalloc double[n];
        double[] g = new double[n];
        h[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            h[i] = h[i - 1] + x[i];
        }
        for (int i = 0; i < n; i++)
        {
            h[i] *= 0.5;
            h[i] += Math.Cos(x[i]);
        }
        for (int i = 0; i < n; i++)
        {
            g[i] = h[i] * h[n - 1 - i];
        }
        g[0]++;
        g[n - 1] -= x[0];
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += g[i];
        }
        return s;
    }

    [Jvp(nameof(PrefixBuffers))]
    public static partial double PrefixBuffersJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(PrefixBuffers))]
    public static partial double PrefixBuffersGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // A packed strictly-lower triangle walked column by column into a stackalloc buffer, as ADBench's
    // GMM does (qx[j] += l[c] * x[i], one counter through all entries, carried across the outer
    // loop); a second walk with a counter stepping down by 2 and an inner loop counting down; and an
    // element read, overwritten, then set from the value read (t = qx[0]; qx[0] = …; qx[0] = t + …).
    [Differentiable]
    public static double PackedTriangle(ReadOnlySpan<double> l, ReadOnlySpan<double> x)
    {
        int d = x.Length;
        Span<double> qx = stackalloc double[d];
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
                qx[i] += Math.Sin(l[e]) * qx[j];
                e -= 2;
            }
        }
        double t = qx[0];
        qx[0] = x[0] * x[1];
        qx[0] = t + x[1];
        double s = 0;
        for (int i = 0; i < d; i++)
        {
            s += qx[i] * qx[i];
        }
        return s;
    }

    [Jvp(nameof(PackedTriangle))]
    public static partial double PackedTriangleJvp(ReadOnlySpan<double> l, ReadOnlySpan<double> dl, ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(PackedTriangle))]
    public static partial double PackedTriangleGradient(ReadOnlySpan<double> l, ReadOnlySpan<double> x, Span<double> lBar, Span<double> xBar);

    // ------------------------------------------------------------------ span outputs

    // Softmax: void, writes its writable Span<T> output twice (exp, then /=) and reads it back.
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> x, Span<double> y)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            m = Math.Max(m, x[i]);
        }
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Exp(x[i] - m);
            s += y[i];
        }
        for (int i = 0; i < x.Length; i++)
        {
            y[i] /= s;
        }
    }

    [Jvp(nameof(Softmax))]
    public static partial void SoftmaxJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, Span<double> y, Span<double> dy);

    [Vjp(nameof(Softmax))]
    public static partial void SoftmaxVjp(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar);

    // Exponential moving average into a Span<T> output, with a differentiated scalar alpha.
    [Differentiable]
    public static void MovingAverage(ReadOnlySpan<double> x, double alpha, Span<double> y)
    {
        y[0] = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            y[i] = alpha * x[i] + (1 - alpha) * y[i - 1];
        }
    }

    [Jvp(nameof(MovingAverage))]
    public static partial void MovingAverageJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double alpha, double dAlpha, Span<double> y, Span<double> dy);

    // Wrt = "x" (tested), and the full declaration with the scalar differentiated too (compiled).
    [Vjp(nameof(MovingAverage), Wrt = "x")]
    public static partial void MovingAverageVjp(ReadOnlySpan<double> x, double alpha, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar);
    [Vjp(nameof(MovingAverage))]
    public static partial void MovingAverageFullVjp(ReadOnlySpan<double> x, double alpha, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar, out double alphaBar);

    // ------------------------------------------------------------------ calls

    // Calls the void Softmax into a stackalloc buffer, then reads it: sum of i * p[i].
    [Differentiable]
    public static double ExpectedIndex(ReadOnlySpan<double> x)
    {
        Span<double> p = stackalloc double[x.Length];
        Softmax(x, p);
        double e = 0;
        for (int i = 0; i < x.Length; i++)
        {
            e += i * p[i];
        }
        return e;
    }

    [Jvp(nameof(ExpectedIndex))]
    public static partial double ExpectedIndexJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(ExpectedIndex))]
    public static partial double ExpectedIndexGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // A chain three deep: Outer → Middle → Kernels64.Bump (a callee in another class).
    [Differentiable]
    public static double Outer(double x, double y)
    {
        return Middle(x, y) * x + y;
    }

    [Jvp(nameof(Outer))]
    public static partial double OuterJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Outer))]
    public static partial double OuterGradient(double x, double y, out double xBar, out double yBar);

    [Differentiable]
    public static double Middle(double x, double y)
    {
        return Kernels64.Bump(x - y) + y * Kernels64.Bump(y);
    }

    [Jvp(nameof(Middle))]
    public static partial double MiddleJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(Middle))]
    public static partial double MiddleGradient(double x, double y, out double xBar, out double yBar);

    // Calls with mixed arguments: an int converted to double (x - i), a nested call, calls in
    // both arms of ?:. Also a parameter reassigned and a local declared without initializer,
    // then assigned on both branches of an if.
    [Differentiable]
    public static double BumpSum(double x, int count)
    {
        double s = 0;
        for (int i = 0; i < count; i++)
        {
            s += Kernels64.Bump(x - i);
        }
        x = 0.5 * x;
        double tail;
        if (x > 0)
        {
            tail = Kernels64.Bump(Kernels64.Bump(x));
        }
        else
        {
            tail = x * x;
        }
        return s + tail + (x < 1 ? Softplus(x) : Middle(x, 1));
    }

    [Jvp(nameof(BumpSum))]
    public static partial double BumpSumJvp(double x, double dx, int count, out double dResult);

    [Gradient(nameof(BumpSum))]
    public static partial double BumpSumGradient(double x, int count, out double xBar);

    // A two-layer tanh MLP, 3 → 4 → 4 → 1, all weights in one span: calls the void
    // Kernels64.DenseTanh twice into stackalloc buffers.
    [Differentiable]
    public static double Mlp(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        const int Inputs = 3, Hidden = 4;
        Span<double> h1 = stackalloc double[Hidden];
        Span<double> h2 = stackalloc double[Hidden];
        Kernels64.DenseTanh(w, 0, x, h1);
        Kernels64.DenseTanh(w, Hidden * Inputs + Hidden, h1, h2);
        int o = Hidden * Inputs + Hidden + Hidden * Hidden + Hidden;
        double y = w[o + Hidden];
        for (int j = 0; j < Hidden; j++)
        {
            y += w[o + j] * h2[j];
        }
        return y;
    }

    [Jvp(nameof(Mlp))]
    public static partial double MlpJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dResult);

    [Gradient(nameof(Mlp))]
    public static partial double MlpGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> xBar, Span<double> wBar);

    // A second derivative of the same primal: only the inputs are differentiated, so the
    // weights are constants and DenseTanh is called with an inactive weight span.
    [Jvp(nameof(Mlp), Wrt = "x")]
    public static partial double MlpInputJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, ReadOnlySpan<double> w, out double dResult);

    /// <summary>The number of weights <see cref="Mlp"/> reads.</summary>
    public const int MlpWeights = (4 * 3 + 4) + (4 * 4 + 4) + (4 + 1);

    // Logistic regression loss: calls Softplus (same class) inside a loop, nested loop for the
    // dot product. xs is row-major (rows = labels.Length), labels are ±1.
    [Differentiable]
    public static double LogisticLoss(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> labels)
    {
        int d = w.Length;
        double loss = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            double z = 0;
            for (int k = 0; k < d; k++)
            {
                z += w[k] * xs[r * d + k];
            }
            loss += Softplus(-labels[r] * z);
        }
        return loss / labels.Length;
    }

    [Jvp(nameof(LogisticLoss), Wrt = "w")]
    public static partial double LogisticLossJvp(ReadOnlySpan<double> w, ReadOnlySpan<double> dw, ReadOnlySpan<double> xs, ReadOnlySpan<double> labels, out double dResult);

    [Gradient(nameof(LogisticLoss), Wrt = "w")]
    public static partial double LogisticLossGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> labels, Span<double> wBar);

    // ------------------------------------------------------------------ evaluation order and state

    // Two loop-carried values updated as a pair, (a, b) ← (b, a + sin(b) / 2): the new a is
    // the old b and the new b reads the old a and b.
    [Differentiable]
    public static double Recurrence(double x, double y, int n)
    {
        double a = x;
        double b = y;
        for (int i = 0; i < n; i++)
        {
            double t = a;
            a = b;
            b = t + 0.5 * Math.Sin(b);
        }
        return a + 2 * b;
    }

    [Jvp(nameof(Recurrence))]
    public static partial double RecurrenceJvp(double x, double dx, double y, double dy, int n, out double dResult);

    [Gradient(nameof(Recurrence))]
    public static partial double RecurrenceGradient(double x, double y, int n, out double xBar, out double yBar);

    // The point (x, y) rotated n times by theta: parameters reassigned in a loop, each new
    // coordinate reading both old ones.
    [Differentiable]
    public static double Rotation(double x, double y, double theta, int n)
    {
        double c = Math.Cos(theta);
        double s = Math.Sin(theta);
        for (int i = 0; i < n; i++)
        {
            double x1 = c * x - s * y;
            y = s * x + c * y;
            x = x1;
        }
        return x + 2 * y;
    }

    [Jvp(nameof(Rotation))]
    public static partial double RotationJvp(double x, double dx, double y, double dy, double theta, double dTheta, int n, out double dResult);

    [Gradient(nameof(Rotation))]
    public static partial double RotationGradient(double x, double y, double theta, int n, out double xBar, out double yBar, out double thetaBar);

    // Swapping two parameters in an if.
    [Differentiable]
    public static double OrderedGap(double x, double y)
    {
        if (x > y)
        {
            double t = x;
            x = y;
            y = t;
        }
        return (y - x) * Math.Exp(x);
    }

    [Jvp(nameof(OrderedGap))]
    public static partial double OrderedGapJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(OrderedGap))]
    public static partial double OrderedGapGradient(double x, double y, out double xBar, out double yBar);

    // An L-estimator: bubble-sorts a stackalloc copy of x (element swaps under a branch in
    // nested loops whose inner bound depends on the outer counter; loop bodies without braces)
    // and weights the sorted squares by rank.
    [Differentiable]
    public static double RankWeighted(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        Span<double> s = stackalloc double[n];
        for (int i = 0; i < n; i++)
            s[i] = x[i];
        for (int pass = 0; pass < n - 1; pass++)
        {
            for (int j = 0; j < n - 1 - pass; j++)
            {
                if (s[j] > s[j + 1])
                {
                    double t = s[j];
                    s[j] = s[j + 1];
                    s[j + 1] = t;
                }
            }
        }
        double r = 0;
        for (int i = 0; i < n; i++)
            r += (i + 1) * s[i] * s[i];
        return r;
    }

    [Jvp(nameof(RankWeighted))]
    public static partial double RankWeightedJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(RankWeighted))]
    public static partial double RankWeightedGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Streaming log-sum-exp: the running max m and the sum s relative to it are updated
    // together in both branches, and s's update reads the old m.
    [Differentiable]
    public static double OnlineLogSumExp(ReadOnlySpan<double> x)
    {
        double m = x[0];
        double s = 1;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > m)
            {
                s = s * Math.Exp(m - x[i]) + 1;
                m = x[i];
            }
            else
            {
                s += Math.Exp(x[i] - m);
            }
        }
        return m + Math.Log(s);
    }

    [Jvp(nameof(OnlineLogSumExp))]
    public static partial double OnlineLogSumExpJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(OnlineLogSumExp))]
    public static partial double OnlineLogSumExpGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Activity that appears only in later iterations: prev starts as a constant and depends
    // on x from the second iteration on.
    [Differentiable]
    public static double LaggedSum(double x, int n)
    {
        double prev = 1;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += prev * prev;
            prev = Math.Sin(x * i);
        }
        return s;
    }

    [Jvp(nameof(LaggedSum))]
    public static partial double LaggedSumJvp(double x, double dx, int n, out double dResult);

    [Gradient(nameof(LaggedSum))]
    public static partial double LaggedSumGradient(double x, int n, out double xBar);

    // Pow with constant and int exponents (not differentiated) at negative bases.
    [Differentiable]
    public static double Powers(double x, int n)
    {
        return Math.Pow(x, 3) - 2 * Math.Pow(x, 2) + Math.Pow(x, n);
    }

    [Jvp(nameof(Powers))]
    public static partial double PowersJvp(double x, double dx, int n, out double dResult);

    [Gradient(nameof(Powers))]
    public static partial double PowersGradient(double x, int n, out double xBar);

    // int / and % (truncating, also of negative numbers) feeding double arithmetic.
    [Differentiable]
    public static double IntArithmetic(double x, int n)
    {
        int half = n / 2;
        int rest = n % 3;
        int quarter = -n / 4;
        return x * half + x * x * rest + quarter / x;
    }

    [Jvp(nameof(IntArithmetic))]
    public static partial double IntArithmeticJvp(double x, double dx, int n, out double dResult);

    [Gradient(nameof(IntArithmetic))]
    public static partial double IntArithmeticGradient(double x, int n, out double xBar);

    // Math functions of constants: (x, y) rotated by a fixed angle, x coordinate.
    [Differentiable]
    public static double FixedRotation(double x, double y)
    {
        const double Angle = 0.68;
        return Math.Cos(Angle) * x - Math.Sin(Angle) * y;
    }

    [Jvp(nameof(FixedRotation))]
    public static partial double FixedRotationJvp(double x, double dx, double y, double dy, out double dResult);

    [Gradient(nameof(FixedRotation))]
    public static partial double FixedRotationGradient(double x, double y, out double xBar, out double yBar);

    // Early returns in an else branch and after a loop; the returning if is followed by a loop.
    [Differentiable]
    public static double Guarded(ReadOnlySpan<double> x, double t)
    {
        double y = t;
        if (t > 0)
        {
            y = Math.Sqrt(t);
        }
        else
        {
            return -t * t;
        }
        double s = 0;
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
    public static partial double GuardedJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double t, double dt, out double dResult);

    [Gradient(nameof(Guarded))]
    public static partial double GuardedGradient(ReadOnlySpan<double> x, double t, Span<double> xBar, out double tBar);

    // y += a x: the Span output is read as well as written, so its incoming tangent dy is an
    // input of the JVP too (in-out).
    [Differentiable]
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    [Jvp(nameof(Axpy))]
    public static partial void AxpyJvp(double a, double da, ReadOnlySpan<double> x, ReadOnlySpan<double> dx, Span<double> y, Span<double> dy);

    // Wrt = "x" (tested), and the full declaration with the scalar differentiated too (compiled).
    [Vjp(nameof(Axpy), Wrt = "x")]
    public static partial void AxpyVjp(double a, ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar);
    [Vjp(nameof(Axpy))]
    public static partial void AxpyFullVjp(double a, ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, out double aBar, Span<double> xBar);

    // Accumulates into a zeroed stackalloc buffer with two calls of Axpy, then reads it.
    [Differentiable]
    public static double Accumulated(ReadOnlySpan<double> x, double a)
    {
        Span<double> acc = stackalloc double[x.Length];
        Axpy(a, x, acc);
        Axpy(a * a, x, acc);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += acc[i] * acc[i];
        }
        return s;
    }

    [Jvp(nameof(Accumulated))]
    public static partial double AccumulatedJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, double a, double da, out double dResult);

    [Gradient(nameof(Accumulated))]
    public static partial double AccumulatedGradient(ReadOnlySpan<double> x, double a, Span<double> xBar, out double aBar);

    // Loop-carried int and bool (an index and a flag), each set under an if without braces,
    // and a load at the carried index.
    [Differentiable]
    public static double ArgMaxSquare(ReadOnlySpan<double> x)
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
        double v = x[best] * x[best];
        return anyNegative ? v + best : v - best;
    }

    [Jvp(nameof(ArgMaxSquare))]
    public static partial double ArgMaxSquareJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, out double dResult);

    [Gradient(nameof(ArgMaxSquare))]
    public static partial double ArgMaxSquareGradient(ReadOnlySpan<double> x, Span<double> xBar);

    // Operator precedence and associativity that the emitted C# must keep: right operands of
    // - and /, unary minus of a difference, int arithmetic mixed in, % on doubles.
    [Differentiable]
    public static double Arithmetic(double x, double y, double z, int n)
    {
        double a = x - (y - z);
        double b = x / (y / z) - x / (y * z);
        double c = -(x - y) * (z - x) - -y;
        double d = (n - (n - 1) / 2) * x / 2 * y;
        double e = (x + 3) % y;
        return a + b + c + d + e;
    }

    [Jvp(nameof(Arithmetic))]
    public static partial double ArithmeticJvp(double x, double dx, double y, double dy, double z, double dz, int n, out double dResult);

    [Gradient(nameof(Arithmetic))]
    public static partial double ArithmeticGradient(double x, double y, double z, int n, out double xBar, out double yBar, out double zBar);
}

/// <summary>Callees in another class than their callers.</summary>
public static partial class Kernels64
{
    // A Gaussian bump; the innermost link of Corpus64.Outer → Middle → Bump.
    [Differentiable]
    public static double Bump(double u) => Math.Exp(-u * u);

    [Jvp(nameof(Bump))]
    public static partial double BumpJvp(double u, double du, out double dResult);

    [Gradient(nameof(Bump))]
    public static partial double BumpGradient(double u, out double uBar);

    // y = tanh(W x + b) with W (row-major, y.Length × x.Length) then b stored in w from offset.
    [Differentiable]
    public static void DenseTanh(ReadOnlySpan<double> w, int offset, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length;
        int biases = offset + y.Length * n;
        for (int j = 0; j < y.Length; j++)
        {
            double s = w[biases + j];
            for (int i = 0; i < n; i++)
            {
                s += w[offset + j * n + i] * x[i];
            }
            y[j] = Math.Tanh(s);
        }
    }

    [Jvp(nameof(DenseTanh))]
    public static partial void DenseTanhJvp(ReadOnlySpan<double> w, ReadOnlySpan<double> dw, int offset, ReadOnlySpan<double> x, ReadOnlySpan<double> dx, Span<double> y, Span<double> dy);

    [Vjp(nameof(DenseTanh))]
    public static partial void DenseTanhVjp(ReadOnlySpan<double> w, int offset, ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, Span<double> wBar, Span<double> xBar);
}
