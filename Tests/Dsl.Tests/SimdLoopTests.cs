using System;
using System.Linq;
using System.Numerics;
using System.Text.RegularExpressions;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The emitter writes element-wise loops (the adjoint scatters of reverse mode, copies, clears)
/// as a loop over <c>Vector&lt;T&gt;</c> chunks plus a scalar loop for the rest, and keeps loops
/// that carry a sum scalar. These tests pin both decisions and check that the vector loops
/// compute every element exactly as the scalar loop does, for lengths 0..19, which covers an
/// empty loop, a loop shorter than one vector and every remainder for vectors of 2 to 16 lanes.
/// </summary>
public class SimdLoopTests
{
    private const string Source = """
        using System;
        using Dsl;

        public static partial class L
        {
            // f(W, x) = Σ_j tanh(Σ_k W[j, k] x[k]) with W of shape m × n, row-major.
            [Differentiable]
            public static double F(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int m)
            {
                int n = x.Length;
                double s = 0;
                for (int j = 0; j < m; j++)
                {
                    double z = 0;
                    for (int k = 0; k < n; k++)
                    {
                        z += w[j * n + k] * x[k];
                    }
                    s += Math.Tanh(z);
                }
                return s;
            }

            [Differentiable]
            public static float G(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int m)
            {
                int n = x.Length;
                float s = 0;
                for (int j = 0; j < m; j++)
                {
                    float z = 0;
                    for (int k = 0; k < n; k++)
                    {
                        z += w[j * n + k] * x[k];
                    }
                    s += MathF.Tanh(z);
                }
                return s;
            }

            [Gradient(nameof(F))] public static partial double FGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int m, Span<double> wBar, Span<double> xBar);
            [Gradient(nameof(G))] public static partial float GGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int m, Span<float> wBar, Span<float> xBar);
            [Jvp(nameof(F))] public static partial double FJvp(ReadOnlySpan<double> w, ReadOnlySpan<double> wDot, ReadOnlySpan<double> x, ReadOnlySpan<double> xDot, int m, out double dResult);

            public static double[] RunF(double[] w, double[] x, int m)
            {
                var g = new double[w.Length + x.Length];
                FGradient(w, x, m, g.AsSpan(0, w.Length), g.AsSpan(w.Length));
                return g;
            }

            public static float[] RunG(float[] w, float[] x, int m)
            {
                var g = new float[w.Length + x.Length];
                GGradient(w, x, m, g.AsSpan(0, w.Length), g.AsSpan(w.Length));
                return g;
            }
        }
        """;

    private static readonly Lazy<(string Code, Type Type)> Generated = new(() =>
    {
        var result = GeneratorHarness.Run(Source);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        return (result.AllGenerated, GeneratorHarness.Load(result.Output).GetType("L")!);
    });

    private static string Method(string code, string name)
    {
        var start = code.IndexOf(" " + name + "(", StringComparison.Ordinal);
        Assert.True(start >= 0, name + " not generated");
        var next = code.IndexOf("public static partial", start + 1, StringComparison.Ordinal);
        return next < 0 ? code.Substring(start) : code.Substring(start, next - start);
    }

    [Fact]
    public void Scatters_are_vectorized_and_sums_are_not()
    {
        var code = Generated.Value.Code;
        // The gradient's adjoint scatters: W̄[j, k] += z̄ x[k] and x̄[k] += W[j, k] z̄.
        var gradient = Method(code, "FGradient");
        Assert.Contains("global::Dsl.Simd.AddTo(wBar,", gradient);
        Assert.Contains("global::Dsl.Simd.AddTo(xBar,", gradient);
        Assert.Contains("global::Dsl.Simd.DoubleWidth", gradient);
        Assert.Contains("global::Dsl.Simd.FloatWidth", Method(code, "GGradient"));
        // The JVP is all sums (z and its tangent): splitting them across lanes would reassociate
        // them, and the JVP returns the primal's value bit for bit, so it stays scalar.
        Assert.DoesNotContain("Simd", Method(code, "FJvp"));
        // The forward sweep's dot product inside the gradient stays scalar too (four rows at a time: four sums).
        Assert.Matches(new Regex(@"z \+= w\[j \* \w+ \+ k\] \* x_k;"), gradient);
        // The reverse sweep's scatters, four rows at a time, are still vector loops: x̄ read and written once per vector.
        Assert.Contains("4 values of j at once", gradient);
        Assert.Matches(new Regex(@"var x_bar_acc = global::Dsl\.Simd\.Load\(xBar, "), gradient);
        Assert.Contains("global::Dsl.Simd.Store(xBar, ", gradient);
    }

    /// <summary>
    /// The reference gradient, computed in the generated code's order: the reverse sweep runs the
    /// j loop backwards and, for each j, adds W[j, k] z̄_j to x̄[k] and z̄_j x[k] to the (zero)
    /// W̄[j, k]. z_j is the same left-to-right sum as the primal's. So every element must agree to
    /// the bit, with or without vectors: any difference means a lane read the wrong element.
    /// </summary>
    private static T[] Reference<T>(T[] w, T[] x, int m) where T : IFloatingPointIeee754<T>
    {
        var n = x.Length;
        var g = new T[w.Length + n];
        for (var j = m - 1; j >= 0; j--)
        {
            var z = T.Zero;
            for (var k = 0; k < n; k++) z += w[j * n + k] * x[k];
            var t = T.Tanh(z);
            var zBar = (T.One - t * t) * T.One;
            for (var k = n - 1; k >= 0; k--)
            {
                g[w.Length + k] += w[j * n + k] * zBar;
                g[j * n + k] += zBar * x[k];
            }
        }
        return g;
    }

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (var n = 0; n < 20; n++) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vector_loops_match_the_scalar_order_bit_for_bit(int n)
    {
        // Three rows run one at a time; nine run as two groups of four jammed rows (x̄[k] read once, four additions in
        // the order of j, written once, a vector at a time) and one more.
        foreach (var m in new[] { 3, 9 }) AssertMatches(n, m);
    }

    private static void AssertMatches(int n, int m)
    {
        var rng = new Random(1000 + n);
        var w = Enumerable.Range(0, m * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var type = Generated.Value.Type;

        var g = (double[])type.GetMethod("RunF")!.Invoke(null, new object[] { w, x, m })!;
        Assert.Equal(Reference(w, x, m), g);

        var wf = w.Select(v => (float)v).ToArray();
        var xf = x.Select(v => (float)v).ToArray();
        var gf = (float[])type.GetMethod("RunG")!.Invoke(null, new object[] { wf, xf, m })!;
        Assert.Equal(Reference(wf, xf, m), gf);
    }
}
