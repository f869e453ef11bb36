using System;
using System.IO;

namespace Dsl.Benchmarks;

/// <summary>
/// Startup check: the generated JVPs agree with hand-written JVPs and with central finite differences;
/// then the generated gradients (<see cref="ReverseCheck"/>). With includeLarge, also the
/// GMM (D, K) = (64, 200) instance (a few seconds).
/// </summary>
public static class CorrectnessCheck
{
    public static bool Run(TextWriter log, bool includeLarge = true)
    {
        var ok = true;
        foreach (var dim in new[] { 16, 128 })
        {
            var m = new MlpData(dim);
            var zeros = new float[m.Theta.Length];
            float p = MlpModel.Mlp(m.X, m.Theta);
            float yAll = MlpModel.MlpJvp(m.X, m.Dx, m.Theta, m.DTheta, out var dAll);
            float yX = MlpModel.MlpJvpX(m.X, m.Dx, m.Theta, out var dX);
            float hAll = MlpHand.Jvp(m.X, m.Dx, m.Theta, m.DTheta, out var hdAll);
            float hX = MlpHand.JvpX(m.X, m.Dx, m.Theta, out var hdX);
            const double eps = 1e-5;
            double fdAll = (MlpHand.PrimalDouble(m.X, m.Dx, m.Theta, m.DTheta, eps) - MlpHand.PrimalDouble(m.X, m.Dx, m.Theta, m.DTheta, -eps)) / (2 * eps);
            double fdX = (MlpHand.PrimalDouble(m.X, m.Dx, m.Theta, zeros, eps) - MlpHand.PrimalDouble(m.X, m.Dx, m.Theta, zeros, -eps)) / (2 * eps);

            ok &= Check(log, $"MLP d={dim}: primal value vs JVP-all value", yAll, p, 1e-6);
            ok &= Check(log, $"MLP d={dim}: primal value vs JVP-x value", yX, p, 1e-6);
            ok &= Check(log, $"MLP d={dim}: primal value vs hand-written value", hAll, p, 1e-5);
            ok &= Check(log, $"MLP d={dim}: JVP-all generated vs hand-written", dAll, hdAll, 1e-4);
            ok &= Check(log, $"MLP d={dim}: JVP-all generated vs finite difference", dAll, fdAll, 1e-3);
            ok &= Check(log, $"MLP d={dim}: JVP-x generated vs hand-written", dX, hdX, 1e-4);
            ok &= Check(log, $"MLP d={dim}: JVP-x generated vs finite difference", dX, fdX, 1e-3);
            float tAll = MlpHand.JvpTuned(m.X, m.Dx, m.Theta, m.DTheta, out var tdAll);
            float tX = MlpHand.JvpXTuned(m.X, m.Dx, m.Theta, out var tdX);
            ok &= Check(log, $"MLP d={dim}: JVP-x hand-written vs finite difference", hdX, fdX, 1e-3);
            ok &= Check(log, $"MLP d={dim}: JVP-all tuned vs hand-written", tdAll, hdAll, 1e-5);
            ok &= Check(log, $"MLP d={dim}: JVP-x tuned vs hand-written", tdX, hdX, 1e-5);
            MlpHand.JvpXScratch(m.X, m.Dx, m.Theta, out var sdX);
            ok &= Check(log, $"MLP d={dim}: JVP-x scratch-slot vs hand-written", sdX, hdX, 1e-5);
            ok &= Check(log, $"MLP d={dim}: values of hand-written variants", hX + tAll + tX, 3.0 * p, 1e-5);
        }

        var s = new ScalarBenchmarks();
        double v = ScalarModel.Long(s.A, s.B, s.C, s.D);
        double y = ScalarModel.LongJvp(s.A, s.DA, s.B, s.DB, s.C, s.DC, s.D, s.DD, out var dy);
        const double h = 1e-6;
        double fd = (ScalarModel.Long(s.A + h * s.DA, s.B + h * s.DB, s.C + h * s.DC, s.D + h * s.DD)
                   - ScalarModel.Long(s.A - h * s.DA, s.B - h * s.DB, s.C - h * s.DC, s.D - h * s.DD)) / (2 * h);
        ok &= Check(log, "Scalar: primal value vs JVP value", y, v, 1e-14);
        ok &= Check(log, "Scalar: JVP vs finite difference", dy, fd, 1e-6);
        double yt = ScalarHand.LongJvpTuned(s.A, s.DA, s.B, s.DB, s.C, s.DC, s.D, s.DD, out var dyt);
        ok &= Check(log, "Scalar: tuned hand-written JVP vs generated (value)", yt, y, 1e-14);
        ok &= Check(log, "Scalar: tuned hand-written JVP vs generated (tangent)", dyt, dy, 1e-12);

        ok &= ReverseCheck.Run(log, includeLarge);

        log.WriteLine(ok ? "Correctness check passed." : "Correctness check FAILED; not running benchmarks.");
        return ok;
    }

    private static bool Check(TextWriter log, string what, double actual, double expected, double relTol)
    {
        double err = Math.Abs(actual - expected) / Math.Max(1e-12, Math.Max(Math.Abs(expected), 1e-3));
        bool pass = double.IsFinite(actual) && err <= relTol;
        log.WriteLine($"  [{(pass ? "ok" : "FAIL")}] {what}: {actual:R} vs {expected:R} (rel err {err:E2}, tol {relTol:E0})");
        return pass;
    }
}
