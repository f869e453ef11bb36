using System;
using System.Globalization;
using System.IO;

namespace Dsl.Benchmarks;

/// <summary>Taylor mode of the benchmark MLP (<see cref="MlpModel.Mlp"/>): jets of order 1..6 along x.</summary>
public static partial class MlpModel
{
    [Taylor(nameof(Mlp), Order = 1, Wrt = "x")]
    public static partial void MlpTaylor1(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(Mlp), Order = 2, Wrt = "x")]
    public static partial void MlpTaylor2(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(Mlp), Order = 3, Wrt = "x")]
    public static partial void MlpTaylor3(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(Mlp), Order = 4, Wrt = "x")]
    public static partial void MlpTaylor4(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(Mlp), Order = 5, Wrt = "x")]
    public static partial void MlpTaylor5(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);

    [Taylor(nameof(Mlp), Order = 6, Wrt = "x")]
    public static partial void MlpTaylor6(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, ReadOnlySpan<float> xJet, Span<float> y);
}

/// <summary>A JVP of the PINN network along x, as a first-order reference next to the order-1 jet.</summary>
public static partial class PinnModel
{
    [Jvp(nameof(U), Wrt = "x")]
    public static partial float UJvpX(ReadOnlySpan<float> x, ReadOnlySpan<float> dx, ReadOnlySpan<float> theta, int width, out float dy);
}

/// <summary>
/// <c>--taylor</c>: time of a K-th order Taylor jet ÷ time of the primal, K = 1..6, for the float
/// MLP of <see cref="MlpModel"/> (input 16, 2×128 tanh) and the PINN network of
/// <see cref="PinnModel"/> at d = 100 (3×128 tanh, (1 − ‖x‖²) ansatz). Every jet slot holds a
/// random nonzero vector. Before timing: y_0 equals the primal, y_1..y_4 equal central
/// finite differences of a double-precision copy of the network along the curve
/// x(t) = a + Σ_j t^j/j! v_j, and each order-K jet's y_0..y_{K-1} equal the lower-order jets'.
/// Only the public attributes are used, so this reruns unchanged after the Taylor transform changes.
/// </summary>
public static class TaylorBenchmarks
{
    public const int MaxOrder = 6;

    private delegate void Jet(ReadOnlySpan<float> x, ReadOnlySpan<float> xJet, Span<float> y);

    /// <summary>One network: its input, primal, jets of order 1..6, and a double-precision evaluator.</summary>
    private sealed class Case
    {
        public required string Name;
        public required float[] X;
        public required float[][] Jets;      // Jets[K-1]: K·d values (v_1..v_K), v_j equal across K
        public required float[][] Ys;        // Ys[K-1]: K + 1 values
        public required Func<float> Primal;
        public required Jet[] Taylor;        // Taylor[K-1]
        public required Func<float> JvpX;    // first-order reference: JVP along v_1
        public required Func<double[], double> PrimalDouble;
        public required int CallsPerRound;
    }

    private static Case Mlp16()
    {
        var m = new MlpData(16);
        var theta = m.Theta;
        var c = Make("MLP float, input 16, 2×128 tanh", m.X, seed: 7);
        c.Primal = () => MlpModel.Mlp(m.X, theta);
        c.Taylor = new Jet[]
        {
            (x, j, y) => MlpModel.MlpTaylor1(x, theta, j, y),
            (x, j, y) => MlpModel.MlpTaylor2(x, theta, j, y),
            (x, j, y) => MlpModel.MlpTaylor3(x, theta, j, y),
            (x, j, y) => MlpModel.MlpTaylor4(x, theta, j, y),
            (x, j, y) => MlpModel.MlpTaylor5(x, theta, j, y),
            (x, j, y) => MlpModel.MlpTaylor6(x, theta, j, y),
        };
        var v1 = c.Jets[0];
        c.JvpX = () => MlpModel.MlpJvpX(m.X, v1, theta, out var dy) + dy;
        c.PrimalDouble = x => MlpDouble(x, theta);
        c.CallsPerRound = 40;
        return c;
    }

    private static Case Pinn100()
    {
        const int d = 100, w = PinnModel.Width;
        var theta = PinnTraining.InitialParameters(d, w, seed: 3);
        var x = new float[d];
        new Probes(3, 1).FillUniformBall(x, d);
        var c = Make($"PINN u(x), d = {d}, 3×{w} tanh, (1 − ‖x‖²) ansatz", x, seed: 8);
        c.Primal = () => PinnModel.U(x, theta, w);
        c.Taylor = new Jet[]
        {
            (x, j, y) => PinnModel.UTaylor1(x, theta, w, j, y),
            (x, j, y) => PinnModel.UTaylor2(x, theta, w, j, y),
            (x, j, y) => PinnModel.UTaylor3(x, theta, w, j, y),
            (x, j, y) => PinnModel.UTaylor4(x, theta, w, j, y),
            (x, j, y) => PinnModel.UTaylor5(x, theta, w, j, y),
            (x, j, y) => PinnModel.UTaylor6(x, theta, w, j, y),
        };
        var v1 = c.Jets[0];
        c.JvpX = () => PinnModel.UJvpX(x, v1, theta, w, out var dy) + dy;
        c.PrimalDouble = xd => PinnDouble(xd, theta, w);
        c.CallsPerRound = 20;
        return c;
    }

    /// <summary>Jets with v_1..v_6 drawn once (Gaussian, scaled by 1/√d; never zero), shared by every order.</summary>
    private static Case Make(string name, float[] x, long seed)
    {
        int d = x.Length;
        var v = new float[MaxOrder * d];
        var rng = new Probes(seed);
        rng.FillGaussian(v);
        float s = 1f / MathF.Sqrt(d);
        for (int i = 0; i < v.Length; i++) v[i] = (v[i] == 0 ? 0.5f : v[i]) * s;
        var jets = new float[MaxOrder][];
        var ys = new float[MaxOrder][];
        for (int k = 1; k <= MaxOrder; k++)
        {
            jets[k - 1] = v.AsSpan(0, k * d).ToArray();
            ys[k - 1] = new float[k + 1];
        }
        return new Case
        {
            Name = name, X = x, Jets = jets, Ys = ys,
            Primal = null!, Taylor = null!, JvpX = null!, PrimalDouble = null!, CallsPerRound = 1,
        };
    }

    public static bool Check(TextWriter log)
    {
        log.WriteLine("Taylor mode: correctness before timing");
        bool ok = true;
        foreach (var c in new[] { Mlp16(), Pinn100() }) ok &= Check(log, c);
        return ok;
    }

    private static bool Check(TextWriter log, Case c)
    {
        bool ok = true;
        int d = c.X.Length;
        float p = c.Primal();
        for (int k = 1; k <= MaxOrder; k++) c.Taylor[k - 1](c.X, c.Jets[k - 1], c.Ys[k - 1]);

        // Finite differences of the double-precision network along x(t) = a + Σ_{j≤K} t^j/j! v_j.
        double G(int order, double t)
        {
            var xt = new double[d];
            double coef = 1;
            for (int i = 0; i < d; i++) xt[i] = c.X[i];
            for (int j = 1; j <= order; j++)
            {
                coef *= t / j;
                for (int i = 0; i < d; i++) xt[i] += coef * c.Jets[order - 1][(j - 1) * d + i];
            }
            return c.PrimalDouble(xt);
        }
        double g0 = G(1, 0);
        const double h1 = 1e-5, h2 = 1e-3, h3 = 1e-2, h4 = 2e-2;
        double fd1 = (G(1, h1) - G(1, -h1)) / (2 * h1);
        double fd2 = (G(2, h2) - 2 * g0 + G(2, -h2)) / (h2 * h2);
        double fd3 = (G(3, 2 * h3) - 2 * G(3, h3) + 2 * G(3, -h3) - G(3, -2 * h3)) / (2 * h3 * h3 * h3);
        double fd4 = (G(4, 2 * h4) - 4 * G(4, h4) + 6 * g0 - 4 * G(4, -h4) + G(4, -2 * h4)) / (h4 * h4 * h4 * h4);
        ok &= Report(log, $"{c.Name}: primal (float) vs double copy", p, g0, 1e-5);
        for (int k = 1; k <= MaxOrder; k++)
            ok &= Report(log, $"{c.Name}: y0 of order {k} vs primal", c.Ys[k - 1][0], p, 1e-6);
        ok &= Report(log, $"{c.Name}: y1 (order 1) vs central difference along v1", c.Ys[0][1], fd1, 1e-3);
        ok &= Report(log, $"{c.Name}: y2 (order 2) vs central 2nd difference along the curve", c.Ys[1][2], fd2, 1e-3);
        ok &= Report(log, $"{c.Name}: y3 (order 3) vs central 3rd difference along the curve", c.Ys[2][3], fd3, 1e-2);
        ok &= Report(log, $"{c.Name}: y4 (order 4) vs central 4th difference along the curve", c.Ys[3][4], fd4, 2e-2);
        // JVP along v1 is y1 of the order-1 jet.
        float jvp = c.JvpX() - p;
        ok &= Report(log, $"{c.Name}: JVP along v1 vs y1", jvp, c.Ys[0][1], 1e-4);
        // Higher orders: y_k does not depend on v_{k+1}.., so every order-K jet repeats the lower orders.
        double worst = 0;
        for (int k = 2; k <= MaxOrder; k++)
            for (int j = 0; j < k; j++)
            {
                double a = c.Ys[k - 1][j], b = c.Ys[j == 0 ? 0 : j - 1][j];
                worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(Math.Abs(b), 1e-3));
            }
        bool prefix = worst <= 1e-4;
        log.WriteLine($"  [{(prefix ? "ok" : "FAIL")}] {c.Name}: y_j of order K vs y_j of order j (all j < K ≤ 6): worst rel diff {worst:E2} (tol 1E-004)");
        log.WriteLine($"       y_0..y_6 of the order-6 jet: {string.Join(", ", Array.ConvertAll(c.Ys[MaxOrder - 1], y => y.ToString("G5", CultureInfo.InvariantCulture)))}");
        return ok && prefix;
    }

    /// <summary>Interleaved min-of-rounds timing; prints the table and the ratio against the target (K + 1)×.</summary>
    public static void Run(TextWriter log, int rounds)
    {
        foreach (var c in new[] { Mlp16(), Pinn100() })
        {
            var methods = new (string, Func<float>)[MaxOrder + 2];
            methods[0] = ("Primal", c.Primal);
            for (int k = 1; k <= MaxOrder; k++)
            {
                var jet = c.Taylor[k - 1];
                var xs = c.X;
                var js = c.Jets[k - 1];
                var ys = c.Ys[k - 1];
                int kk = k;
                methods[k] = ($"Taylor K={k}", () => { jet(xs, js, ys); return ys[kk]; });
            }
            methods[MaxOrder + 1] = ("(reference) JVP along x, K=1", c.JvpX);
            var best = Interleaved.Compare(log, $"Taylor ÷ primal, {c.Name}", rounds, c.CallsPerRound, methods);
            log.WriteLine();
            log.WriteLine($"Summary, {c.Name}:");
            log.WriteLine("| K | Taylor ÷ primal | target ≤ (K+1)× | |");
            log.WriteLine("|---:|---:|---:|---|");
            for (int k = 1; k <= MaxOrder; k++)
            {
                double r = best[k] / best[0];
                log.WriteLine($"| {k} | {r:F2} | {k + 1} | {(r <= k + 1 ? "met" : "missed")} |");
            }
        }
    }

    private static bool Report(TextWriter log, string what, double actual, double expected, double relTol)
    {
        double err = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-3);
        bool pass = double.IsFinite(actual) && err <= relTol;
        log.WriteLine($"  [{(pass ? "ok" : "FAIL")}] {what}: {actual:G7} vs {expected:G7} (rel err {err:E2}, tol {relTol:E0})");
        return pass;
    }

    /// <summary><see cref="MlpModel.Mlp"/> in double precision.</summary>
    public static double MlpDouble(double[] x, float[] theta)
    {
        const int H = MlpModel.H;
        int d = x.Length;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        var h1 = new double[H];
        var h2 = new double[H];
        for (int j = 0; j < H; j++)
        {
            double s = theta[b1 + j];
            for (int i = 0; i < d; i++) s += theta[j * d + i] * x[i];
            h1[j] = Math.Tanh(s);
        }
        for (int j = 0; j < H; j++)
        {
            double s = theta[b2 + j];
            for (int i = 0; i < H; i++) s += theta[w2 + j * H + i] * h1[i];
            h2[j] = Math.Tanh(s);
        }
        double y = theta[b3];
        for (int j = 0; j < H; j++) y += theta[w3 + j] * h2[j];
        return y;
    }

    /// <summary><see cref="PinnModel.U"/> in double precision.</summary>
    public static double PinnDouble(double[] x, float[] theta, int width)
    {
        int d = x.Length;
        var h1 = new double[width];
        var h2 = new double[width];
        var h3 = new double[width];
        int b1 = width * d;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b1 + j];
            for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
            h1[j] = Math.Tanh(z);
        }
        int w2 = b1 + width, b2 = w2 + width * width;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b2 + j];
            for (int k = 0; k < width; k++) z += theta[w2 + j * width + k] * h1[k];
            h2[j] = Math.Tanh(z);
        }
        int w3 = b2 + width, b3 = w3 + width * width;
        for (int j = 0; j < width; j++)
        {
            double z = theta[b3 + j];
            for (int k = 0; k < width; k++) z += theta[w3 + j * width + k] * h2[k];
            h3[j] = Math.Tanh(z);
        }
        int w4 = b3 + width;
        double o = theta[w4 + width];
        for (int k = 0; k < width; k++) o += theta[w4 + k] * h3[k];
        double r2 = 0;
        for (int k = 0; k < d; k++) r2 += x[k] * x[k];
        return (1 - r2) * o;
    }
}
