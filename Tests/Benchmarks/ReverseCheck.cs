using System;
using System.IO;

namespace Dsl.Benchmarks;

/// <summary>
/// Startup check for the reverse-mode benchmarks: generated gradients vs hand-written gradients
/// (norm-wise relative 1e-9: both are exact up to rounding, in double) and vs central finite
/// differences on a few coordinates per parameter group.
/// </summary>
public static class ReverseCheck
{
    public static bool Run(TextWriter log, bool includeLarge = true)
    {
        var ok = true;
        foreach (var dxk in includeLarge ? new[] { "2x5", "10x25", "20x50", "64x200" } : new[] { "2x5", "10x25", "20x50" })
        {
            var g = GmmBenchmarkBase.MakeData(dxk);
            ok &= CheckGmm(log, $"GMM N={g.N} D={g.D} K={g.K}", g, finiteDifferences: g.D <= 20);
        }
        // Exercises the −m Σq term (m = 0 in the benchmark instances) and γ ≠ 1.
        ok &= CheckGmm(log, "GMM N=50 D=4 K=3 (gamma 0.7, m 2)", new GmmData(50, 4, 3, seed: 5, gamma: 0.7, m: 2), finiteDifferences: true);
        ok &= CheckMlpLoss(log);
        return ok;
    }

    private static bool CheckGmm(TextWriter log, string name, GmmData g, bool finiteDifferences)
    {
        var ok = true;
        int k = g.K, d = g.D, icfSize = d * (d + 1) / 2;
        var aG = new double[k]; var mG = new double[k * d]; var iG = new double[k * icfSize];
        var aH = new double[k]; var mH = new double[k * d]; var iH = new double[k * icfSize];
        double f = g.Objective();
        double fHand = GmmHand.Objective(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC);
        double vG = GmmModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aG, mG, iG);
        double vH = GmmHand.Gradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aH, mH, iH);
        ok &= Scalar(log, $"{name}: objective vs ADBench-loop objective", f, fHand, 1e-12);
        ok &= Scalar(log, $"{name}: generated gradient's value vs objective", vG, f, 1e-14);
        ok &= Scalar(log, $"{name}: hand-written gradient's value vs objective", vH, f, 1e-12);
        ok &= Vector(log, $"{name}: d/dalphas generated vs hand-written", aG, aH, 1e-9);
        ok &= Vector(log, $"{name}: d/dmeans generated vs hand-written", mG, mH, 1e-9);
        ok &= Vector(log, $"{name}: d/dicf generated vs hand-written", iG, iH, 1e-9);
        var aT = new double[k]; var mT = new double[k * d]; var iT = new double[k * icfSize];
        InlinedTapeGradients.GmmGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aT, mT, iT);
        ok &= Vector(log, $"{name}: inlined-tape copy vs generated", [.. aT, .. mT, .. iT], [.. aG, .. mG, .. iG], 0);
        double vR = GmmHand.GradientRowWise(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aT, mT, iT);
        ok &= Scalar(log, $"{name}: hand-written (DSL loop shape) value vs objective", vR, f, 1e-12);
        ok &= Vector(log, $"{name}: hand-written (DSL loop shape) vs hand-written", [.. aT, .. mT, .. iT], [.. aH, .. mH, .. iH], 1e-9);
        double fC = GmmColumnMajorModel.Objective(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC);
        GmmColumnMajorModel.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aT, mT, iT);
        ok &= Scalar(log, $"{name}: column-major DSL objective vs objective", fC, f, 1e-12);
        ok &= Vector(log, $"{name}: column-major DSL gradient vs hand-written", [.. aT, .. mT, .. iT], [.. aH, .. mH, .. iH], 1e-9);
        TbrSketchGradients.GmmColumnMajorSketch(g.Alphas, g.Means, g.Icf, g.X, g.Gamma, g.M, g.WishartC, aT, mT, iT);
        ok &= Vector(log, $"{name}: column-major TBR sketch vs hand-written", [.. aT, .. mT, .. iT], [.. aH, .. mH, .. iH], 1e-9);
        if (!finiteDifferences) return ok;

        // Central differences, step 1e-5: the objective is about 1e3-1e4, so rounding gives |f|*1e-16/h = 1e-7
        // absolute, truncation h^2*f''' about 1e-10; the entries checked are >= 0.1, so relative 1e-5 (observed <= 9e-7).
        const double h = 1e-5;
        double Fd(double[] v, int i)
        {
            double keep = v[i];
            v[i] = keep + h; double fp = g.Objective();
            v[i] = keep - h; double fm = g.Objective();
            v[i] = keep;
            return (fp - fm) / (2 * h);
        }
        foreach (int i in new[] { 0, k - 1 })
            ok &= Scalar(log, $"{name}: d/dalphas[{i}] generated vs finite difference", aG[i], Fd(g.Alphas, i), 1e-5);
        foreach (int i in new[] { 0, k * d - 1 })
            ok &= Scalar(log, $"{name}: d/dmeans[{i}] generated vs finite difference", mG[i], Fd(g.Means, i), 1e-5);
        var icfIdx = d > 1 ? new[] { 0, d - 1, d, (k - 1) * icfSize + icfSize - 1 } : new[] { 0, k - 1 };
        foreach (int i in icfIdx)
            ok &= Scalar(log, $"{name}: d/dicf[{i}] generated vs finite difference", iG[i], Fd(g.Icf, i), 1e-5);
        return ok;
    }

    private static bool CheckMlpLoss(TextWriter log)
    {
        var ok = true;
        var m = new MlpLossData(dim: 16, batch: 32);
        var gG = new double[m.Theta.Length];
        var gH = new double[m.Theta.Length];
        double f = m.Loss();
        double vG = MlpLossModel.LossGradient(m.Theta, m.Xs, m.Ys, gG);
        double vH = MlpLossHand.Gradient(m.Theta, m.Xs, m.Ys, gH);
        ok &= Scalar(log, "MLP loss: generated gradient's value vs loss", vG, f, 1e-14);
        ok &= Scalar(log, "MLP loss: hand-written gradient's value vs loss", vH, f, 1e-12);
        ok &= Vector(log, "MLP loss: d/dtheta generated vs hand-written", gG, gH, 1e-9);
        var gT = new double[m.Theta.Length];
        InlinedTapeGradients.MlpLossGradient(m.Theta, m.Xs, m.Ys, gT);
        ok &= Vector(log, "MLP loss: inlined-tape copy vs generated", gT, gG, 0);
        // Central differences, step 1e-6: rounding error ≈ |loss|·1e-16/h ≈ 1e-9 absolute (loss ≈ 11), truncation
        // h²·f''' ≈ 1e-12; entries go down to ~1e-3, so relative 1e-5 (observed ≤ 7e-7).
        const double h = 1e-6;
        int d = 16, H = MlpLossModel.H;
        int b1 = H * d, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + H;
        foreach (int i in new[] { 0, b1 - 1, b1 + 5, w2 + 1000, b2 + 7, w3 + 3, b3 })
        {
            double keep = m.Theta[i];
            m.Theta[i] = keep + h; double fp = m.Loss();
            m.Theta[i] = keep - h; double fm = m.Loss();
            m.Theta[i] = keep;
            ok &= Scalar(log, $"MLP loss: d/dtheta[{i}] generated vs finite difference", gG[i], (fp - fm) / (2 * h), 1e-5);
        }
        return ok;
    }

    private static bool Scalar(TextWriter log, string what, double actual, double expected, double relTol)
    {
        double err = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-3);
        bool pass = double.IsFinite(actual) && err <= relTol;
        log.WriteLine($"  [{(pass ? "ok" : "FAIL")}] {what}: {actual:R} vs {expected:R} (rel err {err:E2}, tol {relTol:E0})");
        return pass;
    }

    /// <summary>Norm-wise: max |a − b| ÷ max |b|.</summary>
    private static bool Vector(TextWriter log, string what, double[] actual, double[] expected, double relTol)
    {
        double diff = 0, scale = 0;
        bool finite = true;
        for (int i = 0; i < actual.Length; i++)
        {
            finite &= double.IsFinite(actual[i]);
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        double err = diff / Math.Max(scale, 1e-300);
        bool pass = finite && err <= relTol;
        log.WriteLine($"  [{(pass ? "ok" : "FAIL")}] {what} ({actual.Length} entries, max |entry| {scale:G4}): rel err {err:E2}, tol {relTol:E0}");
        return pass;
    }
}
