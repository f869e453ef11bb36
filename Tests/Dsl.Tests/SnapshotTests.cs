using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The generated C# of representative methods, pinned in <c>Snapshots/SnapshotTests.*.verified.cs</c>
/// (review changes there as a user stepping through the code would), and the same code run
/// against central differences of its primal, so a snapshot is never accepted for wrong code.
/// </summary>
public class SnapshotTests
{
    /// <summary>One snapshot: a user type with primals and requests, and a probe that runs the result.</summary>
    /// <param name="Name">Snapshot name (file <c>SnapshotTests.Name.verified.cs</c>).</param>
    /// <param name="Source">The user code.</param>
    /// <param name="Probe">Body of <c>Probe.Run()</c>: returns the largest relative error of a derivative.</param>
    /// <param name="Tolerance">Largest acceptable error.</param>
    public sealed record Case(string Name, string Source, string Probe, double Tolerance = 1e-6);

    private const string Usings = "using System;\nusing Dsl;\n\n";

    /// <summary>
    /// Helpers compiled with every probe. Central differences with h = 1e-6 in double have a
    /// truncation error of about h²·f'''/6 ≈ 1e-12 and a rounding error of about ε·|f|/h ≈ 1e-10,
    /// so 1e-6 is loose for a correct derivative and tight for a wrong rule (off by O(1)).
    /// </summary>
    private const string ProbeHelpers = """
        using System;

        public static class Fd
        {
            public static double Rel(double a, double b) => Math.Abs(a - b) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)));
            public static double D(Func<double, double> f, double h = 1e-6) => (f(h) - f(-h)) / (2 * h);
            public static double[] Move(double[] a, double[] d, double t)
            {
                var r = new double[a.Length];
                for (int i = 0; i < a.Length; i++) r[i] = a[i] + t * d[i];
                return r;
            }
            public static float[] Move(float[] a, float[] d, double t)
            {
                var r = new float[a.Length];
                for (int i = 0; i < a.Length; i++) r[i] = (float)(a[i] + t * d[i]);
                return r;
            }
            public static double[] Random(int n, int seed)
            {
                var rng = new System.Random(seed);
                var r = new double[n];
                for (int i = 0; i < n; i++) r[i] = rng.NextDouble() * 2 - 1;
                return r;
            }
            public static float[] RandomF(int n, int seed) => Array.ConvertAll(Random(n, seed), v => (float)v);
        }

        """;

    public static readonly IReadOnlyList<Case> Cases = new[]
    {
        new Case("ScalarExpression", Usings + """
            public static partial class Scalar
            {
                [Differentiable]
                public static double F(double x, double y) => x * y + Math.Sin(x) / y - 3 * x;

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, double y, double dy, out double dF);
            }
            """, """
            double x = 0.7, y = 1.3, dx = 0.3, dy = -0.8;
            Scalar.FJvp(x, dx, y, dy, out var d);
            return Fd.Rel(d, Fd.D(t => Scalar.F(x + t * dx, y + t * dy)));
            """),

        new Case("AllMathFunctions", Usings + """
            public static partial class AllMath
            {
                // Every supported Math function once (x in (-1, 1), y > 0); Math.Sign is left out: it is
                // rejected (it returns int), see GeneratorRobustnessTests.MathSignIsAccepted.
                [Differentiable]
                public static double F(double x, double y)
                {
                    double a = Math.Sin(x) + Math.Cos(x) + Math.Tan(x);
                    a += Math.Asin(x) + Math.Acos(x) + Math.Atan(x);
                    a += Math.Sinh(x) + Math.Cosh(x) + Math.Tanh(x);
                    a += Math.Asinh(x) + Math.Acosh(1 + y) + Math.Atanh(x / 2);
                    a += Math.Exp(x) + Math.Log(y) + Math.Log2(y) + Math.Log10(y);
                    a += Math.Sqrt(y) + Math.Cbrt(x) + Math.Abs(x);
                    a += Math.Floor(x) + Math.Ceiling(x) + Math.Round(x) + Math.Truncate(x);
                    a += Math.Pow(y, x) + Math.Atan2(x, y) + Math.Max(x, y) + Math.Min(x, y);
                    return a;
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, double y, double dy, out double dF);
            }
            """, """
            double worst = 0;
            foreach (var (x, y) in new[] { (0.37, 1.7), (-0.61, 0.4) })
            {
                double dx = 0.6, dy = -0.45;
                AllMath.FJvp(x, dx, y, dy, out var d);
                worst = Math.Max(worst, Fd.Rel(d, Fd.D(t => AllMath.F(x + t * dx, y + t * dy))));
            }
            return worst;
            """),

        new Case("SpanAccumulation", Usings + """
            public static partial class Poly
            {
                // A polynomial in tanh(x) with coefficients w, damped by a Gaussian.
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double t = Math.Tanh(x);
                    double s = 0;
                    double p = 1;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i] * p;
                        p *= t;
                    }
                    return s * Math.Exp(-x * x);
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dF);
            }
            """, """
            double x = 0.45, dx = -0.7;
            var w = Fd.Random(5, 1);
            var dw = Fd.Random(5, 2);
            Poly.FJvp(x, dx, w, dw, out var d);
            return Fd.Rel(d, Fd.D(t => Poly.F(x + t * dx, Fd.Move(w, dw, t))));
            """),

        new Case("MatrixVector", Usings + """
            public static partial class Linear
            {
                // y = A x for a row-major n×m matrix.
                [Differentiable]
                public static void MatVec(ReadOnlySpan<double> a, ReadOnlySpan<double> x, Span<double> y, int n, int m)
                {
                    for (int i = 0; i < n; i++)
                    {
                        double acc = 0;
                        for (int j = 0; j < m; j++)
                        {
                            acc += a[i * m + j] * x[j];
                        }
                        y[i] = acc;
                    }
                }

                [Jvp(nameof(MatVec))]
                public static partial void MatVecJvp(ReadOnlySpan<double> a, ReadOnlySpan<double> da, ReadOnlySpan<double> x, ReadOnlySpan<double> dx,
                    Span<double> y, Span<double> dy, int n, int m);
            }
            """, """
            int n = 3, m = 4;
            var a = Fd.Random(n * m, 1); var da = Fd.Random(n * m, 2);
            var x = Fd.Random(m, 3); var dx = Fd.Random(m, 4);
            var y = new double[n]; var dy = new double[n];
            Linear.MatVecJvp(a, da, x, dx, y, dy, n, m);
            double worst = 0;
            for (int k = 0; k < n; k++)
            {
                double fd = Fd.D(t => { var yy = new double[n]; Linear.MatVec(Fd.Move(a, da, t), Fd.Move(x, dx, t), yy, n, m); return yy[k]; });
                worst = Math.Max(worst, Fd.Rel(dy[k], fd));
            }
            return worst;
            """),

        new Case("BranchWithEarlyReturn", Usings + """
            public static partial class Branchy
            {
                [Differentiable]
                public static double F(double x, double y)
                {
                    if (x < 0)
                    {
                        return -x * y;
                    }
                    double t = x * x;
                    if (t > y)
                    {
                        return t - y;
                    }
                    return Math.Sqrt(t + y);
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, double y, double dy, out double dF);
            }
            """, """
            double worst = 0;
            foreach (var (x, y) in new[] { (-0.5, 2.0), (1.5, 0.5), (0.5, 2.0) })
            {
                double dx = 0.3, dy = 0.7;
                Branchy.FJvp(x, dx, y, dy, out var d);
                worst = Math.Max(worst, Fd.Rel(d, Fd.D(t => Branchy.F(x + t * dx, y + t * dy))));
            }
            return worst;
            """),

        new Case("ConditionalMaxAbs", Usings + """
            public static partial class Kinks
            {
                [Differentiable]
                public static double F(double x, double y)
                {
                    double a = x > y ? x * x : y;
                    return Math.Max(a, Math.Abs(x - y)) + Math.Min(x, 0.5);
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, double y, double dy, out double dF);
            }
            """, """
            double worst = 0;
            foreach (var (x, y) in new[] { (0.9, 0.2), (0.1, 0.6), (-2.0, 0.3), (2.0, 1.5) })
            {
                double dx = 0.3, dy = -0.2;
                Kinks.FJvp(x, dx, y, dy, out var d);
                worst = Math.Max(worst, Fd.Rel(d, Fd.D(t => Kinks.F(x + t * dx, y + t * dy))));
            }
            return worst;
            """),

        new Case("LocalStackalloc", Usings + """
            public static partial class Buffers
            {
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    Span<double> h = stackalloc double[w.Length];
                    for (int i = 0; i < w.Length; i++)
                    {
                        h[i] = Math.Tanh(w[i] * x);
                    }
                    double s = 0;
                    for (int i = 0; i < h.Length; i++)
                    {
                        s += h[i] * h[i];
                    }
                    return s;
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dF);
            }
            """, """
            double x = 0.8, dx = 0.5;
            var w = Fd.Random(6, 5); var dw = Fd.Random(6, 6);
            Buffers.FJvp(x, dx, w, dw, out var d);
            return Fd.Rel(d, Fd.D(t => Buffers.F(x + t * dx, Fd.Move(w, dw, t))));
            """),

        new Case("HelperCall", Usings + """
            public static partial class Calls
            {
                [Differentiable]
                public static double Sq(double v) => v * v;

                [Differentiable]
                public static double G(double x, double y) => Sq(x) + Sq(y) * x + Sq(2.0);

                [Jvp(nameof(G))]
                public static partial double GJvp(double x, double dx, double y, double dy, out double dG);
            }
            """, """
            double x = 0.8, y = -1.2, dx = 0.5, dy = 0.25;
            Calls.GJvp(x, dx, y, dy, out var d);
            return Fd.Rel(d, Fd.D(t => Calls.G(x + t * dx, y + t * dy)));
            """),

        new Case("CalleeWithSpanOutput", Usings + """
            public static partial class Layers
            {
                [Differentiable]
                public static void Softplus(ReadOnlySpan<double> z, Span<double> a)
                {
                    for (int i = 0; i < z.Length; i++)
                    {
                        a[i] = Math.Log(1 + Math.Exp(z[i]));
                    }
                }

                [Differentiable]
                public static double Loss(ReadOnlySpan<double> z)
                {
                    Span<double> a = stackalloc double[z.Length];
                    Softplus(z, a);
                    double s = 0;
                    for (int i = 0; i < a.Length; i++)
                    {
                        s += a[i] * a[i];
                    }
                    return 0.5 * s;
                }

                [Jvp(nameof(Loss))]
                public static partial double LossJvp(ReadOnlySpan<double> z, ReadOnlySpan<double> dz, out double dLoss);
            }
            """, """
            var z = Fd.Random(5, 7); var dz = Fd.Random(5, 8);
            Layers.LossJvp(z, dz, out var d);
            return Fd.Rel(d, Fd.D(t => Layers.Loss(Fd.Move(z, dz, t))));
            """),

        new Case("WrtSubset", Usings + """
            public static partial class Partial
            {
                [Differentiable]
                public static double F(double x, double y, ReadOnlySpan<double> w)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += Math.Sin(w[i] * x) * y;
                    }
                    return s;
                }

                // Only x varies: no tangents for y and w.
                [Jvp(nameof(F), Wrt = "x")]
                public static partial double FJvpX(double x, double dx, double y, ReadOnlySpan<double> w, out double dF);
            }
            """, """
            double x = 0.3, dx = 1.0, y = 1.7;
            var w = Fd.Random(4, 9);
            Partial.FJvpX(x, dx, y, w, out var d);
            return Fd.Rel(d, Fd.D(t => Partial.F(x + t * dx, y, w)));
            """),

        new Case("FloatAndDouble", Usings + """
            public static partial class Precision
            {
                [Differentiable]
                public static float F32(float x, float y) => MathF.Exp(-x * x) * MathF.Cos(y) + 0.1f * x / (1 + y * y);

                [Differentiable]
                public static double F64(double x, double y) => Math.Exp(-x * x) * Math.Cos(y) + 0.1 * x / (1 + y * y);

                [Jvp(nameof(F32))]
                public static partial float F32Jvp(float x, float dx, float y, float dy, out float dF);

                [Jvp(nameof(F64))]
                public static partial double F64Jvp(double x, double dx, double y, double dy, out double dF);
            }
            """, """
            // The float JVP is compared with the double one (float rounding: about 1e-7 relative).
            double x = 0.6, y = -0.9, dx = 0.4, dy = 0.8;
            Precision.F64Jvp(x, dx, y, dy, out var d64);
            Precision.F32Jvp((float)x, (float)dx, (float)y, (float)dy, out var d32);
            double e64 = Fd.Rel(d64, Fd.D(t => Precision.F64(x + t * dx, y + t * dy)));
            double e32 = Fd.Rel(d32, d64) / 100; // scaled: 1e-4 relative is fine for float
            return Math.Max(e64, e32);
            """),

        new Case("MlpLayer", Usings + """
            public static partial class Mlp
            {
                // One dense layer with tanh: y = tanh(W x + b), W row-major (outputs × inputs).
                [Differentiable]
                public static void Dense(ReadOnlySpan<float> w, ReadOnlySpan<float> b, ReadOnlySpan<float> x, Span<float> y)
                {
                    int inputs = x.Length;
                    for (int o = 0; o < y.Length; o++)
                    {
                        float z = b[o];
                        for (int i = 0; i < inputs; i++)
                        {
                            z += w[o * inputs + i] * x[i];
                        }
                        y[o] = MathF.Tanh(z);
                    }
                }

                [Jvp(nameof(Dense))]
                public static partial void DenseJvp(ReadOnlySpan<float> w, ReadOnlySpan<float> dw, ReadOnlySpan<float> b, ReadOnlySpan<float> db,
                    ReadOnlySpan<float> x, ReadOnlySpan<float> dx, Span<float> y, Span<float> dy);
            }
            """, """
            // Float: central differences with h = 1e-2 (rounding ~1e-7/h), checked to 1e-3.
            int nIn = 4, nOut = 3;
            var w = Fd.RandomF(nIn * nOut, 1); var dw = Fd.RandomF(nIn * nOut, 2);
            var b = Fd.RandomF(nOut, 3); var db = Fd.RandomF(nOut, 4);
            var x = Fd.RandomF(nIn, 5); var dx = Fd.RandomF(nIn, 6);
            var y = new float[nOut]; var dy = new float[nOut];
            Mlp.DenseJvp(w, dw, b, db, x, dx, y, dy);
            double worst = 0;
            for (int k = 0; k < nOut; k++)
            {
                double fd = Fd.D(t => { var yy = new float[nOut]; Mlp.Dense(Fd.Move(w, dw, t), Fd.Move(b, db, t), Fd.Move(x, dx, t), yy); return yy[k]; }, 1e-2);
                worst = Math.Max(worst, Fd.Rel(dy[k], fd) * 1e-3);
            }
            return worst;
            """),

        new Case("ArrayParameters", Usings + """
            public static partial class Arrays
            {
                [Differentiable]
                public static double WeightedNorm(double[] v, double[] weights)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++)
                    {
                        s += weights[i] * v[i] * v[i];
                    }
                    return Math.Sqrt(s);
                }

                [Jvp(nameof(WeightedNorm), Wrt = "v")]
                public static partial double WeightedNormJvp(double[] v, ReadOnlySpan<double> dv, double[] weights, out double dNorm);
            }
            """, """
            var v = Fd.Random(5, 1); var dv = Fd.Random(5, 2);
            var weights = new double[] { 1, 2, 3, 4, 5 };
            Arrays.WeightedNormJvp(v, dv, weights, out var d);
            return Fd.Rel(d, Fd.D(t => Arrays.WeightedNorm(Fd.Move(v, dv, t), weights)));
            """),

        new Case("SpanInPlaceUpdate", Usings + """
            public static partial class InPlace
            {
                // y is read and written: its tangent dy is both an input and an output.
                [Differentiable]
                public static void Update(ReadOnlySpan<double> x, Span<double> y, double rate)
                {
                    for (int i = 0; i < y.Length; i++)
                    {
                        double g = x[i] * rate;
                        y[i] -= g;
                        y[i] *= 1 - rate;
                        y[i] /= 1 + x[i] * x[i];
                    }
                }

                [Jvp(nameof(Update))]
                public static partial void UpdateJvp(ReadOnlySpan<double> x, ReadOnlySpan<double> dx, Span<double> y, Span<double> dy, double rate, double dRate);
            }
            """, """
            int n = 4;
            var x = Fd.Random(n, 1); var dx = Fd.Random(n, 2);
            var y0 = Fd.Random(n, 3); var dy0 = Fd.Random(n, 4);
            double rate = 0.3, dRate = -0.4;
            var y = (double[])y0.Clone(); var dy = (double[])dy0.Clone();
            InPlace.UpdateJvp(x, dx, y, dy, rate, dRate);
            double worst = 0;
            for (int k = 0; k < n; k++)
            {
                double fd = Fd.D(t => { var yy = Fd.Move(y0, dy0, t); InPlace.Update(Fd.Move(x, dx, t), yy, rate + t * dRate); return yy[k]; });
                worst = Math.Max(worst, Fd.Rel(dy[k], fd));
            }
            return worst;
            """),

        new Case("IfInsideLoop", Usings + """
            public static partial class Relu
            {
                // Sum of ReLU(w[i] * x) over every other element, counting down.
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double s = 0;
                    int active = 0;
                    for (int i = w.Length - 1; i >= 0; i -= 2)
                    {
                        double z = w[i] * x;
                        if (z > 0)
                        {
                            s += z;
                            active++;
                        }
                    }
                    return s / (1 + active);
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dF);
            }
            """, """
            double x = 0.7, dx = 0.3;
            var w = Fd.Random(7, 11); var dw = Fd.Random(7, 12);
            Relu.FJvp(x, dx, w, dw, out var d);
            return Fd.Rel(d, Fd.D(t => Relu.F(x + t * dx, Fd.Move(w, dw, t))));
            """),

        // The primitives added through the table (one row each): FusedMultiplyAdd, Clamp (a ternary
        // primitive printed as Math.Clamp, derivative 1 inside [lo, hi] and 0 outside) and Sign
        // (piecewise constant, derivative 0). The points put each Clamp inside, above and below.
        new Case("NewPrimitives", Usings + """
            public static partial class NewPrims
            {
                [Differentiable]
                public static double F(double x, double y, double z)
                {
                    double a = Math.FusedMultiplyAdd(x, y, z);
                    double b = Math.Clamp(a, -0.5, y);
                    return b * Math.Sign(x - z) + Math.FusedMultiplyAdd(b, b, Math.Clamp(x, z, 1.0));
                }

                [Jvp(nameof(F))]
                public static partial double FJvp(double x, double dx, double y, double dy, double z, double dz, out double dF);

                [Gradient(nameof(F))]
                public static partial double FGradient(double x, double y, double z, out double xBar, out double yBar, out double zBar);

                [Differentiable]
                public static float G(float x, float y) => MathF.FusedMultiplyAdd(x, y, Math.Clamp(x, -1f, 1f)) * MathF.Sign(y);

                [Jvp(nameof(G))]
                public static partial float GJvp(float x, float dx, float y, float dy, out float dG);
            }
            """, """
            double worst = 0;
            foreach (var (x, y, z) in new[] { (0.3, 0.8, -0.2), (0.9, 1.2, 0.5), (-0.7, 0.6, -0.4) })
            {
                double dx = 0.6, dy = -0.45, dz = 0.3;
                double value = NewPrims.FJvp(x, dx, y, dy, z, dz, out var d);
                if (value != NewPrims.F(x, y, z)) return 1;
                worst = Math.Max(worst, Fd.Rel(d, Fd.D(t => NewPrims.F(x + t * dx, y + t * dy, z + t * dz))));
                NewPrims.FGradient(x, y, z, out var xBar, out var yBar, out var zBar);
                worst = Math.Max(worst, Fd.Rel(xBar, Fd.D(t => NewPrims.F(x + t, y, z))));
                worst = Math.Max(worst, Fd.Rel(yBar, Fd.D(t => NewPrims.F(x, y + t, z))));
                worst = Math.Max(worst, Fd.Rel(zBar, Fd.D(t => NewPrims.F(x, y, z + t))));
            }
            foreach (var (x, y) in new[] { (0.4f, 0.7f), (1.5f, -0.8f) })
            {
                float dx = 0.6f, dy = -0.45f;
                NewPrims.GJvp(x, dx, y, dy, out var d);
                // float: h = 1e-2 (G is quadratic along the line, so only rounding, about 1e-5, remains)
                worst = Math.Max(worst, Fd.Rel(d, Fd.D(t => NewPrims.G((float)(x + t * dx), (float)(y + t * dy)), 1e-2)));
            }
            return worst;
            """, Tolerance: 1e-4),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c.Name });

    [Fact]
    public void HasEnoughCases() => Assert.True(Cases.Count >= 12);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GeneratedCode(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var result = GeneratorHarness.Run(c.Source);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated, name);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GeneratedCodeMatchesFiniteDifferences(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var probe = "public static class Probe\n{\n    public static double Run()\n    {\n" + c.Probe + "\n    }\n}\n";
        var result = GeneratorHarness.Run(c.Source, ProbeHelpers + probe);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        var asm = GeneratorHarness.Load(result.Output);
        var error = (double)asm.GetType("Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        Assert.True(error <= c.Tolerance, $"{name}: relative error {error:E3} > {c.Tolerance:E0}");
    }
}
