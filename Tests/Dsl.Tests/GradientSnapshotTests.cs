using System.Linq;
using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Pins the generated reverse-mode, forward-over-reverse, VJP, Taylor and operator code for
/// representative methods. Each source must generate and compile without errors.
/// </summary>
public class GradientSnapshotTests
{
    private const string Usings = "using System;\nusing Dsl;\n";

    private static void Check(string body, string name)
    {
        var result = GeneratorHarness.Run(Usings + body);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        Snapshot.Verify(result.AllGenerated, name);
    }

    [Fact]
    public void ScalarExpression() => Check("""
        public static partial class M
        {
            [Differentiable] public static double F(double x, double y) => Math.Sin(x * y) + Math.Exp(x) / y;
            [Gradient(nameof(F))] public static partial double FGradient(double x, double y, out double xBar, out double yBar);
        }
        """, nameof(ScalarExpression));

    [Fact]
    public void LoopWithCarriedValues() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Horner(double x, ReadOnlySpan<double> c)
            {
                double s = 0;
                for (int i = c.Length - 1; i >= 0; i--) s = s * x + c[i];
                return s;
            }
            [Gradient(nameof(Horner))] public static partial double HornerGradient(double x, ReadOnlySpan<double> c, out double xBar, Span<double> cBar);
        }
        """, nameof(LoopWithCarriedValues));

    [Fact]
    public void BranchInsideLoop() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Clipped(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] > 1) s += Math.Log(x[i]);
                    else s += x[i] * x[i];
                }
                return s;
            }
            [Gradient(nameof(Clipped))] public static partial double ClippedGradient(ReadOnlySpan<double> x, Span<double> xBar);
        }
        """, nameof(BranchInsideLoop));

    [Fact]
    public void EarlyReturn() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static float Piecewise(float x)
            {
                if (x < 0) return x * x;
                float y = MathF.Sqrt(x + 1);
                if (y > 2) return 2 * y;
                return y * x;
            }
            [Gradient(nameof(Piecewise))] public static partial float PiecewiseGradient(float x, out float xBar);
        }
        """, nameof(EarlyReturn));

    [Fact]
    public void OverwrittenLocalBuffer() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Smooth(ReadOnlySpan<double> x, int passes)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int i = 0; i < n; i++) h[i] = x[i];
                for (int p = 0; p < passes; p++)
                {
                    for (int i = 1; i < n; i++) h[i] = Math.Tanh(h[i] + h[i - 1]);
                }
                double s = 0;
                for (int i = 0; i < n; i++) s += h[i];
                return s;
            }
            [Gradient(nameof(Smooth), Wrt = "x")] public static partial double SmoothGradient(ReadOnlySpan<double> x, int passes, Span<double> xBar);
        }
        """, nameof(OverwrittenLocalBuffer));

    [Fact]
    public void CallChain() => Check("""
        public static partial class M
        {
            [Differentiable] public static double A(double x) => x * Math.Cos(x);
            [Differentiable] public static double B(double x, double y) => A(x) * y + A(y);
            [Differentiable] public static double C(double x) => B(x, x * x) - A(2 * x);
            [Gradient(nameof(C))] public static partial double CGradient(double x, out double xBar);
        }
        """, nameof(CallChain));

    [Fact]
    public void MlpLayerFloat() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static float Mlp(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int hidden)
            {
                int d = x.Length;
                Span<float> h = stackalloc float[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    float z = theta[hidden * d + j];
                    for (int k = 0; k < d; k++) z += theta[j * d + k] * x[k];
                    h[j] = MathF.Tanh(z);
                }
                int off = hidden * d + hidden;
                float o = theta[off + hidden];
                for (int j = 0; j < hidden; j++) o += theta[off + j] * h[j];
                return o;
            }
            [Gradient(nameof(Mlp), Wrt = "theta")] public static partial float MlpGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int hidden, Span<float> thetaBar);
        }
        """, nameof(MlpLayerFloat));

    [Fact]
    public void HessianVectorProduct() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double Rosenbrock(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length - 1; i++)
                {
                    double a = 1 - x[i];
                    double b = x[i + 1] - x[i] * x[i];
                    s += a * a + 100 * b * b;
                }
                return s;
            }
            [Hvp(nameof(Rosenbrock))]
            public static partial double RosenbrockHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> vX, Span<double> xBar, Span<double> xHv);
        }
        """, nameof(HessianVectorProduct));

    [Fact]
    public void VectorJacobianProduct() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static void Softmax(ReadOnlySpan<double> x, Span<double> y)
            {
                double z = 0;
                for (int i = 0; i < x.Length; i++) z += Math.Exp(x[i]);
                for (int i = 0; i < x.Length; i++) y[i] = Math.Exp(x[i]) / z;
            }
            [Vjp(nameof(Softmax))]
            public static partial void SoftmaxVjp(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar, Span<double> xBar);
        }
        """, nameof(VectorJacobianProduct));

    [Fact]
    public void TaylorOfTanh() => Check("""
        public static partial class M
        {
            [Differentiable] public static double F(double x) => Math.Tanh(x) * Math.Exp(x);
            [Taylor(nameof(F), Order = 3)] public static partial void FTaylor(double x, ReadOnlySpan<double> xJet, Span<double> resultJet);
        }
        """, nameof(TaylorOfTanh));

    [Fact]
    public void LaplacianAndTrainingGradient() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> theta)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++) s += Math.Sin(theta[0] * x[i]);
                return theta[1] * s;
            }
            [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Dense)]
            public static partial double ULaplacian(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, ReadOnlySpan<double> probes);
            [Differentiable]
            public static double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, ReadOnlySpan<double> probes)
            {
                double r = ULaplacian(x, theta, probes) + U(x, theta);
                return r * r;
            }
            [Gradient(nameof(Loss), Wrt = "theta")]
            public static partial double LossGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, ReadOnlySpan<double> probes, Span<double> thetaBar);
        }
        """, nameof(LaplacianAndTrainingGradient));

    [Fact]
    public void VectorModeTaylorAndSecondOrderOperator() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double U(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++) s += x[i] * Math.Tanh(x[i]);
                return s;
            }
            [Taylor(nameof(U), Order = 2, Wrt = "x", Jets = 2)]
            public static partial void UJets(ReadOnlySpan<double> x, ReadOnlySpan<double> xJet, Span<double> y);
            [SecondOrder(nameof(U), Wrt = "x", Estimator = Estimator.Dense, Lanes = 4)]
            public static partial double UC(ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> probes);
        }
        """, nameof(VectorModeTaylorAndSecondOrderOperator));

    [Fact]
    public void OneHotJetsForTheExactAndSparseLaplacian() => Check("""
        public static partial class M
        {
            [Differentiable]
            public static double U(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double z = 0;
                for (int k = 0; k < x.Length; k++) z += w[k] * x[k];
                return Math.Tanh(z);
            }
            [Laplacian(nameof(U), Wrt = "x", Lanes = 2)]
            public static partial double ULap(ReadOnlySpan<double> x, ReadOnlySpan<double> w);
            [Laplacian(nameof(U), Wrt = "x", Estimator = Estimator.Sparse, Lanes = 2)]
            public static partial double ULapSparse(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> probes);
        }
        """, nameof(OneHotJetsForTheExactAndSparseLaplacian));
}
