using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.EndToEnd.Tests.Infrastructure;
using D = Dsl.EndToEnd.Tests.Corpus.Corpus64;
using F = Dsl.EndToEnd.Tests.Corpus.Corpus32;
using KD = Dsl.EndToEnd.Tests.Corpus.Kernels64;
using KF = Dsl.EndToEnd.Tests.Corpus.Kernels32;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The corpus as test cases: for each primal, its arguments and sample domains, adapters that
/// call the double and float versions and their JVPs, and the directional derivative by hand
/// where it is easy to write. <c>a[i]</c> is argument i, <c>d[i]</c> its direction.
/// </summary>
public static class Cases
{
    public static IReadOnlyList<Case> All { get; } = Build();

    public static Case Get(string name) => All.Single(c => c.Name == name);

    // Scalar results as one-element arrays.
    private static double[] V(double y) => [y];
    private static float[] V(float y) => [y];
    private static Jet<double> J(double y, double dy) => new([y], [dy]);
    private static Jet<float> J(float y, float dy) => new([y], [dy]);

    private static bool Away(double value, double from, double margin = 0.02) => Math.Abs(value - from) > margin;

    private static bool AwayFromIntegers(double value, double margin = 0.02) => Math.Abs(value - Math.Round(value)) > margin;

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double[] SoftmaxOf(double[] x)
    {
        var m = x.Max();
        var e = x.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double[] SoftmaxTangent(double[] x, double[] dx)
    {
        var p = SoftmaxOf(x);
        var mean = p.Select((pi, i) => pi * dx[i]).Sum();
        return p.Select((pi, i) => pi * (dx[i] - mean)).ToArray();
    }

    private static double BumpOf(double u) => Math.Exp(-u * u);

    private static double BumpSlope(double u) => -2 * u * Math.Exp(-u * u);

    private static List<Case> Build() =>
    [
        // ------------------------------------------------------------ elementary functions
        new Case
        {
            Name = "Trig",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -3, 3)],
            Primal64 = a => V(D.Trig(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.TrigJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Trig(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.TrigJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], tan = Math.Tan(0.5 * x);
                return [Math.Cos(x) * Math.Cos(y) * d[0][0] - Math.Sin(x) * Math.Sin(y) * d[1][0] + 0.5 * (1 + tan * tan) * d[0][0]];
            },
        },
        new Case
        {
            Name = "InverseTrig",
            Inputs = [Input.Real("x", -0.8, 0.8), Input.Real("y", -0.8, 0.8)],
            Primal64 = a => V(D.InverseTrig(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.InverseTrigJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.InverseTrig(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.InverseTrigJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                return [dx / Math.Sqrt(1 - x * x) * Math.Acos(y) - Math.Asin(x) * dy / Math.Sqrt(1 - y * y)
                        + (y * dx + x * dy) / (1 + x * x * y * y)];
            },
        },
        new Case
        {
            Name = "Polar",
            // x > 0 keeps Atan2 away from its branch cut on the negative x axis.
            Inputs = [Input.Real("x", 0.3, 2), Input.Real("y", -2, 2)],
            Primal64 = a => V(D.Polar(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.PolarJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Polar(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.PolarJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0], r = Math.Sqrt(x * x + y * y);
                return [(x * dy - y * dx) / r + Math.Atan2(y, x) * (x * dx + y * dy) / r];
            },
        },
        new Case
        {
            Name = "Hyperbolic",
            Inputs = [Input.Real("x", -2, 2)],
            Primal64 = a => V(D.Hyperbolic(a[0][0])),
            Jvp64 = (a, d) => J(D.HyperbolicJvp(a[0][0], d[0][0], out var t), t),
            Primal32 = a => V(F.Hyperbolic(a[0][0])),
            Jvp32 = (a, d) => J(F.HyperbolicJvp(a[0][0], d[0][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], th = Math.Tanh(x);
                return [(Math.Cosh(x) * Math.Cosh(0.5 * x) + 0.5 * Math.Sinh(x) * Math.Sinh(0.5 * x) - (1 - th * th)) * d[0][0]];
            },
        },
        new Case
        {
            Name = "InverseHyperbolic",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", 1.2, 3), Input.Real("z", -0.8, 0.8)],
            Primal64 = a => V(D.InverseHyperbolic(a[0][0], a[1][0], a[2][0])),
            Jvp64 = (a, d) => J(D.InverseHyperbolicJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], out var t), t),
            Primal32 = a => V(F.InverseHyperbolic(a[0][0], a[1][0], a[2][0])),
            Jvp32 = (a, d) => J(F.InverseHyperbolicJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], z = a[2][0];
                return [d[0][0] / Math.Sqrt(x * x + 1) + d[1][0] / Math.Sqrt(y * y - 1) * Math.Atanh(z) + Math.Acosh(y) * d[2][0] / (1 - z * z)];
            },
        },
        new Case
        {
            Name = "Logarithms",
            Inputs = [Input.Real("x", 0.2, 3), Input.Real("y", 0.2, 3)],
            Primal64 = a => V(D.Logarithms(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.LogarithmsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Logarithms(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.LogarithmsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                return [dx / x * Math.Log2(y) + Math.Log(x) * dy / (y * Math.Log(2)) + (dx / x + dy / y) / Math.Log(10)];
            },
        },
        new Case
        {
            Name = "Roots",
            // Cbrt is not differentiable at 0; negative y is fine.
            Inputs = [Input.Real("x", 0.2, 3), Input.Real("y", -2, 2)],
            Valid = a => Away(a[1][0], 0, 0.3),
            Primal64 = a => V(D.Roots(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.RootsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Roots(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.RootsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], c = Math.Cbrt(y);
                return [(c / (2 * Math.Sqrt(x)) - Math.Exp(-x)) * d[0][0] + Math.Sqrt(x) / (3 * c * c) * d[1][0]];
            },
        },
        new Case
        {
            Name = "PowerLaw",
            Inputs = [Input.Real("x", 0.3, 2.5), Input.Real("p", -2, 3)],
            Primal64 = a => V(D.PowerLaw(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.PowerLawJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.PowerLaw(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.PowerLawJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], p = a[1][0];
                return [p * Math.Pow(x, p - 1) * d[0][0] + Math.Pow(x, p) * Math.Log(x) * d[1][0]];
            },
        },
        new Case
        {
            Name = "Kinks",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Valid = a => Away(a[0][0], 0) && Away(a[0][0], a[1][0]) && Away(a[0][0] * a[1][0], 0.5),
            Primal64 = a => V(D.Kinks(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.KinksJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Kinks(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.KinksJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                return [Math.Sign(x) * y * dx + Math.Abs(x) * dy + (x > y ? dx : dy) - (x * y < 0.5 ? y * dx + x * dy : 0)];
            },
        },
        new Case
        {
            Name = "Rounding",
            // Floor/Truncate jump at integers, Ceiling(x/2) at even integers, Round(2x) at
            // x = k/2 + 1/4.
            Inputs = [Input.Real("x", -3, 3)],
            Valid = a => AwayFromIntegers(a[0][0]) && AwayFromIntegers(2 * a[0][0] - 0.5),
            Primal64 = a => V(D.Rounding(a[0][0])),
            Jvp64 = (a, d) => J(D.RoundingJvp(a[0][0], d[0][0], out var t), t),
            Primal32 = a => V(F.Rounding(a[0][0])),
            Jvp32 = (a, d) => J(F.RoundingJvp(a[0][0], d[0][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0];
                return [(Math.Floor(x) + Math.Ceiling(0.5 * x) * Math.Cos(x) - 2 * Math.Truncate(x) * x) * d[0][0]];
            },
        },
        new Case
        {
            Name = "Activation",
            Inputs = [Input.Real("x", -3, 3), Input.Bool("useTanh")],
            Valid = a => Away(a[0][0], 0),
            Primal64 = a => V(D.Activation(a[0][0], a[1][0] != 0)),
            Jvp64 = (a, d) => J(D.ActivationJvp(a[0][0], d[0][0], a[1][0] != 0, out var t), t),
            Primal32 = a => V(F.Activation(a[0][0], a[1][0] != 0)),
            Jvp32 = (a, d) => J(F.ActivationJvp(a[0][0], d[0][0], a[1][0] != 0, out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], th = Math.Tanh(x), q = 1 + Math.Abs(x);
                return [(a[1][0] != 0 ? 1 - th * th : 1 / (q * q)) * d[0][0]];
            },
        },

        // ------------------------------------------------------------ locals and statements
        new Case
        {
            Name = "CompoundOps",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Primal64 = a => V(D.CompoundOps(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.CompoundOpsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.CompoundOps(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.CompoundOpsJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // CompoundOps(x, y) = 3 · (((x + y) x − y/2) / (1 + y²) + 1)
                double x = a[0][0], y = a[1][0], num = (x + y) * x - 0.5 * y, den = 1 + y * y;
                double dNum = (2 * x + y) * d[0][0] + (x - 0.5) * d[1][0], dDen = 2 * y * d[1][0];
                return [3 * (dNum * den - num * dDen) / (den * den)];
            },
        },
        new Case
        {
            Name = "Smoothstep",
            // Wrt = "x": lo and hi are constants. The clamps are C1 but not C2, so points keep
            // away from t = 0 and t = 1 (a five-point stencil across them loses its accuracy).
            Inputs = [Input.Real("x", -1.5, 1.5), Input.Real("lo", -1, -0.5, active: false), Input.Real("hi", 0.5, 1, active: false)],
            Valid = a =>
            {
                var t = (a[0][0] - a[1][0]) / (a[2][0] - a[1][0]);
                return Away(t, 0) && Away(t, 1);
            },
            Primal64 = a => V(D.Smoothstep(a[0][0], a[1][0], a[2][0])),
            Jvp64 = (a, d) => J(D.SmoothstepJvp(a[0][0], d[0][0], a[1][0], a[2][0], out var t), t),
            Primal32 = a => V(F.Smoothstep(a[0][0], a[1][0], a[2][0])),
            Jvp32 = (a, d) => J(F.SmoothstepJvp(a[0][0], d[0][0], a[1][0], a[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double w = a[2][0] - a[1][0], t = (a[0][0] - a[1][0]) / w;
                return [t <= 0 || t >= 1 ? 0 : 6 * t * (1 - t) / w * d[0][0]];
            },
        },
        new Case
        {
            Name = "Softplus",
            // Both arms of the ?: are the same analytic function: no kink at 0.
            Inputs = [Input.Real("x", -5, 5)],
            Primal64 = a => V(D.Softplus(a[0][0])),
            Jvp64 = (a, d) => J(D.SoftplusJvp(a[0][0], d[0][0], out var t), t),
            Primal32 = a => V(F.Softplus(a[0][0])),
            Jvp32 = (a, d) => J(F.SoftplusJvp(a[0][0], d[0][0], out var t), t),
            ClosedForm = (a, d) => [Sigmoid(a[0][0]) * d[0][0]],
        },
        new Case
        {
            Name = "Mixed",
            // Wrt = "x,y": s is a constant (float in Corpus64, double in Corpus32).
            Inputs = [Input.Real("x", -1.5, 1.5), Input.Real("y", -1.5, 1.5), Input.Real("s", 0.5, 1.5, active: false)],
            Primal64 = a => V(D.Mixed(a[0][0], a[1][0], (float)a[2][0])),
            Jvp64 = (a, d) => J(D.MixedJvp(a[0][0], d[0][0], a[1][0], d[1][0], (float)a[2][0], out var t), t),
            Primal32 = a => V(F.Mixed(a[0][0], a[1][0], a[2][0])),
            Jvp32 = (a, d) => J(F.MixedJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // Corpus64.Mixed squares the float s in float: s2 is s * s rounded to float.
                double x = a[0][0], y = a[1][0], s = a[2][0], s2 = (float)(s * s), inner = s2 * x + y * s + 3 * x * y;
                return [(1 + Math.Cos(inner)) * ((s2 + 3 * y) * d[0][0] + (s + 3 * x) * d[1][0]) + BumpSlope(s * x) * s * d[0][0]];
            },
        },

        // ------------------------------------------------------------ branches and early returns
        new Case
        {
            Name = "Classify",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Valid = a => Away(a[0][0], -1) && Away(a[0][0], 0) && Away(a[0][0], 1) && Away(a[1][0], 0),
            Primal64 = a => V(D.Classify(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.ClassifyJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Classify(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.ClassifyJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                if (x < -1) return [-2 * x * y * dx - x * x * dy];
                if (x < 0) return [y > 0 ? y * dx + x * dy : Math.Exp(x) * dx - dy];
                if (x < 1) return [Math.Cos(x) * y * dx + Math.Sin(x) * dy];
                return [2 * x * y * (y * dx + x * dy)];
            },
        },
        new Case
        {
            Name = "Logic",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2), Input.Real("z", -2, 2)],
            Valid = a => Away(a[0][0], 0) && Away(a[1][0], 0) && Away(a[2][0], 0) && Away(a[2][0], -1) && Away(a[2][0], 1) && Away(a[0][0], a[1][0]),
            Primal64 = a => V(D.Logic(a[0][0], a[1][0], a[2][0])),
            Jvp64 = (a, d) => J(D.LogicJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], out var t), t),
            Primal32 = a => V(F.Logic(a[0][0], a[1][0], a[2][0])),
            Jvp32 = (a, d) => J(F.LogicJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], out var t), t),
        },

        // ------------------------------------------------------------ loops
        new Case
        {
            Name = "Horner",
            Inputs = [Input.Real("x", -1.5, 1.5), Input.Vector("c", 6, -2, 2)],
            Primal64 = a => V(D.Horner(a[0][0], a[1])),
            Jvp64 = (a, d) => J(D.HornerJvp(a[0][0], d[0][0], a[1], d[1], out var t), t),
            Primal32 = a => V(F.Horner(a[0][0], a[1])),
            Jvp32 = (a, d) => J(F.HornerJvp(a[0][0], d[0][0], a[1], d[1], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], t = 0;
                var c = a[1];
                for (var i = 0; i < c.Length; i++)
                {
                    t += Math.Pow(x, i) * d[1][i];
                    if (i > 0) t += i * c[i] * Math.Pow(x, i - 1) * d[0][0];
                }
                return [t];
            },
        },
        new Case
        {
            Name = "Rosenbrock",
            Inputs = [Input.Vector("x", 5, -1.5, 1.5)],
            Primal64 = a => V(D.Rosenbrock(a[0])),
            Jvp64 = (a, d) => J(D.RosenbrockJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.Rosenbrock(a[0])),
            Jvp32 = (a, d) => J(F.RosenbrockJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var x = a[0];
                double t = 0;
                for (var i = 0; i < x.Length; i++)
                {
                    double g = 0;
                    if (i < x.Length - 1) g += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
                    if (i > 0) g += 200 * (x[i] - x[i - 1] * x[i - 1]);
                    t += g * d[0][i];
                }
                return [t];
            },
        },
        new Case
        {
            Name = "GaussianLogDensity",
            Inputs = [Input.Vector("x", 4, -2, 2), Input.Vector("mu", 4, -2, 2), Input.Real("logSigma", -0.5, 0.5)],
            Primal64 = a => V(D.GaussianLogDensity(a[0], a[1], a[2][0])),
            Jvp64 = (a, d) => J(D.GaussianLogDensityJvp(a[0], d[0], a[1], d[1], a[2][0], d[2][0], out var t), t),
            Primal32 = a => V(F.GaussianLogDensity(a[0], a[1], a[2][0])),
            Jvp32 = (a, d) => J(F.GaussianLogDensityJvp(a[0], d[0], a[1], d[1], a[2][0], d[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double sigma = Math.Exp(a[2][0]), q = 0, t = 0;
                var n = a[0].Length;
                for (var i = 0; i < n; i++)
                {
                    var z = (a[0][i] - a[1][i]) / sigma;
                    q += z * z;
                    t += -z / sigma * d[0][i] + z / sigma * d[1][i];
                }
                return [t + (q - n) * d[2][0]];
            },
        },
        new Case
        {
            Name = "LogSumExp",
            Inputs = [Input.Vector("x", 5, -3, 3)],
            Primal64 = a => V(D.LogSumExp(a[0])),
            Jvp64 = (a, d) => J(D.LogSumExpJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.LogSumExp(a[0])),
            Jvp32 = (a, d) => J(F.LogSumExpJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) => [SoftmaxOf(a[0]).Select((p, i) => p * d[0][i]).Sum()],
        },
        new Case
        {
            Name = "Huber",
            Inputs = [Input.Vector("r", 6, -3, 3), Input.Real("delta", 0.5, 1.5)],
            Valid = a => a[0].All(r => Away(Math.Abs(r), a[1][0]) && Away(r, 0)),
            Primal64 = a => V(D.Huber(a[0], a[1][0])),
            Jvp64 = (a, d) => J(D.HuberJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Huber(a[0], a[1][0])),
            Jvp32 = (a, d) => J(F.HuberJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double delta = a[1][0], t = 0;
                for (var i = 0; i < a[0].Length; i++)
                {
                    var r = a[0][i];
                    t += Math.Abs(r) <= delta
                        ? r * d[0][i]
                        : delta * Math.Sign(r) * d[0][i] + (Math.Abs(r) - delta) * d[1][0];
                }
                return [t];
            },
        },
        new Case
        {
            Name = "QuadraticForm",
            Inputs = [Input.Vector("x", 3, -1, 1), Input.Vector("a", 9, -1, 1)],
            Primal64 = a => V(D.QuadraticForm(a[0], a[1])),
            Jvp64 = (a, d) => J(D.QuadraticFormJvp(a[0], d[0], a[1], d[1], out var t), t),
            Primal32 = a => V(F.QuadraticForm(a[0], a[1])),
            Jvp32 = (a, d) => J(F.QuadraticFormJvp(a[0], d[0], a[1], d[1], out var t), t),
            ClosedForm = (a, d) =>
            {
                var x = a[0];
                var n = x.Length;
                double t = 0;
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        t += d[1][i * n + j] * x[i] * x[j] + a[1][i * n + j] * (d[0][i] * x[j] + x[i] * d[0][j]);
                    }
                }
                return [t];
            },
        },
        new Case
        {
            Name = "StridedSum",
            // start > end happens (both loops then run zero times).
            Inputs = [Input.Vector("x", 8, -2, 2), Input.Int("start", 0, 3), Input.Int("end", 2, 7)],
            Primal64 = a => V(D.StridedSum(a[0], (int)a[1][0], (int)a[2][0])),
            Jvp64 = (a, d) => J(D.StridedSumJvp(a[0], d[0], (int)a[1][0], (int)a[2][0], out var t), t),
            Primal32 = a => V(F.StridedSum(a[0], (int)a[1][0], (int)a[2][0])),
            Jvp32 = (a, d) => J(F.StridedSumJvp(a[0], d[0], (int)a[1][0], (int)a[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var x = a[0];
                int start = (int)a[1][0], end = (int)a[2][0];
                double t = 0;
                for (var i = start; i <= end; i += 2) t += (Math.Cos(x[i]) * x[i] + Math.Sin(x[i])) * d[0][i];
                for (var i = end; i >= start; i -= 3) t += 2 * x[i] * d[0][i];
                return [t];
            },
        },
        new Case
        {
            Name = "ContinuedFraction",
            // depth = 0 runs the loop zero times.
            Inputs = [Input.Real("x", 0.5, 3), Input.Int("depth", 0, 8)],
            Primal64 = a => V(D.ContinuedFraction(a[0][0], (int)a[1][0])),
            Jvp64 = (a, d) => J(D.ContinuedFractionJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            Primal32 = a => V(F.ContinuedFraction(a[0][0], (int)a[1][0])),
            Jvp32 = (a, d) => J(F.ContinuedFractionJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
        },
        new Case
        {
            Name = "Pendulum",
            // Along dt the state depends on steps · dt, so the finite difference's truncation
            // error grows like steps^4: the largest in the corpus (≈ 1e-8 of S at 40 steps).
            Inputs = [Input.Real("theta0", -1, 1), Input.Real("omega0", -1, 1), Input.Real("dt", 0.01, 0.1), Input.Int("steps", 0, 40)],
            Primal64 = a => V(D.Pendulum(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp64 = (a, d) => J(D.PendulumJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
            Primal32 = a => V(F.Pendulum(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp32 = (a, d) => J(F.PendulumJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
        },
        new Case
        {
            Name = "Moments",
            Inputs = [Input.Vector("x", 6, -2, 2)],
            Primal64 = a => V(D.Moments(a[0])),
            Jvp64 = (a, d) => J(D.MomentsJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.Moments(a[0])),
            Jvp32 = (a, d) => J(F.MomentsJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var x = a[0];
                var n = x.Length;
                var mean = x.Average();
                double t = 0;
                for (var i = 0; i < n; i++)
                {
                    t += (1.0 / n + 2 * (x[i] - mean) / n + (i + 1) / (n * (n + 1) / 2.0)) * d[0][i];
                }
                return [t];
            },
        },
        new Case
        {
            Name = "WeightedSquares",
            // Wrt = "a": b is a constant.
            Inputs = [Input.Vector("a", 5, -2, 2), Input.Vector("b", 5, -2, 2, active: false)],
            Primal64 = a => V(D.WeightedSquares(a[0], a[1])),
            Jvp64 = (a, d) => J(D.WeightedSquaresJvp(a[0], d[0], a[1], out var t), t),
            Primal32 = a => V(F.WeightedSquares(a[0], a[1])),
            Jvp32 = (a, d) => J(F.WeightedSquaresJvp(a[0], d[0], a[1], out var t), t),
            ClosedForm = (a, d) => [a[1].Select((b, i) => b * b * d[0][i]).Sum()],
        },
        new Case
        {
            Name = "PeakEnergy",
            Inputs = [Input.Vector("x", 7, -2, 2)],
            Valid = a => a[0].Zip(a[0].Skip(1), (p, q) => Away(p, q)).All(ok => ok),
            Primal64 = a => V(D.PeakEnergy(a[0])),
            Jvp64 = (a, d) => J(D.PeakEnergyJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.PeakEnergy(a[0])),
            Jvp32 = (a, d) => J(F.PeakEnergyJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var x = a[0];
                double t = 0;
                for (var i = 0; i < x.Length; i++)
                {
                    var peak = (i == 0 || x[i] > x[i - 1]) && (i == x.Length - 1 || x[i] > x[i + 1]);
                    if (peak) t += (i % 2 == 0 ? 2 : 4) * x[i] * d[0][i];
                }
                return [t];
            },
        },
        new Case
        {
            Name = "Interpolate",
            // t outside [0, 5] takes the early returns; Floor jumps at the integers.
            Inputs = [Input.Vector("table", 6, -2, 2), Input.Real("t", -0.5, 5.5)],
            Valid = a => AwayFromIntegers(a[1][0]),
            Primal64 = a => V(D.Interpolate(a[0], a[1][0])),
            Jvp64 = (a, d) => J(D.InterpolateJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Interpolate(a[0], a[1][0])),
            Jvp32 = (a, d) => J(F.InterpolateJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var table = a[0];
                var dTable = d[0];
                var t = a[1][0];
                var last = table.Length - 1;
                if (t <= 0) return [dTable[0]];
                if (t >= last) return [dTable[last]];
                var k = (int)Math.Floor(t);
                var frac = t - k;
                return [(1 - frac) * dTable[k] + frac * dTable[k + 1] + (table[k + 1] - table[k]) * d[1][0]];
            },
        },

        // ------------------------------------------------------------ local buffers
        new Case
        {
            Name = "PackedTriangle",
            Inputs = [Input.Vector("l", 12, -1, 1), Input.Vector("x", 4, -1.5, 1.5)],
            Primal64 = a => V(D.PackedTriangle(a[0], a[1])),
            Jvp64 = (a, d) => J(D.PackedTriangleJvp(a[0], d[0], a[1], d[1], out var t), t),
            Primal32 = a => V(F.PackedTriangle(a[0], a[1])),
            Jvp32 = (a, d) => J(F.PackedTriangleJvp(a[0], d[0], a[1], d[1], out var t), t),
            ClosedForm = (a, d) =>
            {
                // The same walks on (value, tangent) pairs.
                double[] l = a[0], dl = d[0], x = a[1], dx = d[1];
                var n = x.Length;
                var q = (double[])x.Clone();
                var dq = (double[])dx.Clone();
                var c = 0;
                for (var i = 0; i < n; i++)
                {
                    for (var j = i + 1; j < n; j++, c++)
                    {
                        q[j] += l[c] * x[i];
                        dq[j] += dl[c] * x[i] + l[c] * dx[i];
                    }
                }
                var e = l.Length - 1;
                for (var i = 0; i < n; i++)
                {
                    for (var j = n - 1; j > i; j--, e -= 2)
                    {
                        dq[i] += Math.Cos(l[e]) * dl[e] * q[j] + Math.Sin(l[e]) * dq[j];
                        q[i] += Math.Sin(l[e]) * q[j];
                    }
                }
                q[0] += x[1];
                dq[0] += dx[1];
                return [Enumerable.Range(0, n).Sum(i => 2 * q[i] * dq[i])];
            },
        },
        new Case
        {
            Name = "PrefixBuffers",
            Inputs = [Input.Vector("x", 5, -2, 2)],
            Primal64 = a => V(D.PrefixBuffers(a[0])),
            Jvp64 = (a, d) => J(D.PrefixBuffersJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.PrefixBuffers(a[0])),
            Jvp32 = (a, d) => J(F.PrefixBuffersJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // h_i = (x_0 + … + x_i) / 2 + cos x_i;  f = Σ_i h_i h_{n-1-i} + 1 − x_0
                var x = a[0];
                var dx = d[0];
                var n = x.Length;
                var h = new double[n];
                var dh = new double[n];
                double prefix = 0, dPrefix = 0;
                for (var i = 0; i < n; i++)
                {
                    prefix += x[i];
                    dPrefix += dx[i];
                    h[i] = 0.5 * prefix + Math.Cos(x[i]);
                    dh[i] = 0.5 * dPrefix - Math.Sin(x[i]) * dx[i];
                }
                double t = -dx[0];
                for (var i = 0; i < n; i++) t += dh[i] * h[n - 1 - i] + h[i] * dh[n - 1 - i];
                return [t];
            },
        },

        // ------------------------------------------------------------ span outputs
        new Case
        {
            Name = "Softmax",
            Inputs = [Input.Vector("x", 5, -3, 3)],
            Primal64 = a =>
            {
                var y = new double[a[0].Length];
                D.Softmax(a[0], y);
                return y;
            },
            Jvp64 = (a, d) =>
            {
                var y = new double[a[0].Length];
                var dy = new double[a[0].Length];
                D.SoftmaxJvp(a[0], d[0], y, dy);
                return new(y, dy);
            },
            Primal32 = a =>
            {
                var y = new float[a[0].Length];
                F.Softmax(a[0], y);
                return y;
            },
            Jvp32 = (a, d) =>
            {
                var y = new float[a[0].Length];
                var dy = new float[a[0].Length];
                F.SoftmaxJvp(a[0], d[0], y, dy);
                return new(y, dy);
            },
            ClosedForm = (a, d) => SoftmaxTangent(a[0], d[0]),
        },
        new Case
        {
            Name = "MovingAverage",
            Inputs = [Input.Vector("x", 6, -2, 2), Input.Real("alpha", 0.1, 0.9)],
            Primal64 = a =>
            {
                var y = new double[a[0].Length];
                D.MovingAverage(a[0], a[1][0], y);
                return y;
            },
            Jvp64 = (a, d) =>
            {
                var y = new double[a[0].Length];
                var dy = new double[a[0].Length];
                D.MovingAverageJvp(a[0], d[0], a[1][0], d[1][0], y, dy);
                return new(y, dy);
            },
            Primal32 = a =>
            {
                var y = new float[a[0].Length];
                F.MovingAverage(a[0], a[1][0], y);
                return y;
            },
            Jvp32 = (a, d) =>
            {
                var y = new float[a[0].Length];
                var dy = new float[a[0].Length];
                F.MovingAverageJvp(a[0], d[0], a[1][0], d[1][0], y, dy);
                return new(y, dy);
            },
        },
        new Case
        {
            Name = "DenseTanh",
            // y = tanh(W x + b), 3 → 4, with W and b read from w at a runtime offset.
            Inputs = [Input.Vector("w", 20, -1, 1), Input.Int("offset", 0, 4), Input.Vector("x", 3, -1, 1)],
            Primal64 = a =>
            {
                var y = new double[4];
                KD.DenseTanh(a[0], (int)a[1][0], a[2], y);
                return y;
            },
            Jvp64 = (a, d) =>
            {
                var y = new double[4];
                var dy = new double[4];
                KD.DenseTanhJvp(a[0], d[0], (int)a[1][0], a[2], d[2], y, dy);
                return new(y, dy);
            },
            Primal32 = a =>
            {
                var y = new float[4];
                KF.DenseTanh(a[0], (int)a[1][0], a[2], y);
                return y;
            },
            Jvp32 = (a, d) =>
            {
                var y = new float[4];
                var dy = new float[4];
                KF.DenseTanhJvp(a[0], d[0], (int)a[1][0], a[2], d[2], y, dy);
                return new(y, dy);
            },
        },

        // ------------------------------------------------------------ calls
        new Case
        {
            Name = "ExpectedIndex",
            Inputs = [Input.Vector("x", 5, -3, 3)],
            Primal64 = a => V(D.ExpectedIndex(a[0])),
            Jvp64 = (a, d) => J(D.ExpectedIndexJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.ExpectedIndex(a[0])),
            Jvp32 = (a, d) => J(F.ExpectedIndexJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) => [SoftmaxTangent(a[0], d[0]).Select((dp, i) => i * dp).Sum()],
        },
        new Case
        {
            Name = "Bump",
            Inputs = [Input.Real("u", -2, 2)],
            Primal64 = a => V(KD.Bump(a[0][0])),
            Jvp64 = (a, d) => J(KD.BumpJvp(a[0][0], d[0][0], out var t), t),
            Primal32 = a => V(KF.Bump(a[0][0])),
            Jvp32 = (a, d) => J(KF.BumpJvp(a[0][0], d[0][0], out var t), t),
            ClosedForm = (a, d) => [BumpSlope(a[0][0]) * d[0][0]],
        },
        new Case
        {
            Name = "Middle",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Primal64 = a => V(D.Middle(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.MiddleJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Middle(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.MiddleJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                return [BumpSlope(x - y) * (dx - dy) + (BumpOf(y) + y * BumpSlope(y)) * dy];
            },
        },
        new Case
        {
            Name = "Outer",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Primal64 = a => V(D.Outer(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.OuterJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Outer(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.OuterJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], dx = d[0][0], dy = d[1][0];
                var middle = BumpOf(x - y) + y * BumpOf(y);
                var dMiddle = BumpSlope(x - y) * (dx - dy) + (BumpOf(y) + y * BumpSlope(y)) * dy;
                return [dMiddle * x + middle * dx + dy];
            },
        },
        new Case
        {
            Name = "BumpSum",
            // The tail switches formula at x/2 = 0 and x/2 = 1 (a jump and a kink).
            Inputs = [Input.Real("x", -3, 4), Input.Int("count", 0, 5)],
            Valid = a => Away(0.5 * a[0][0], 0) && Away(0.5 * a[0][0], 1),
            Primal64 = a => V(D.BumpSum(a[0][0], (int)a[1][0])),
            Jvp64 = (a, d) => J(D.BumpSumJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            Primal32 = a => V(F.BumpSum(a[0][0], (int)a[1][0])),
            Jvp32 = (a, d) => J(F.BumpSumJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
        },
        new Case
        {
            Name = "Mlp",
            Inputs = [Input.Vector("x", 3, -1, 1), Input.Vector("w", D.MlpWeights, -1, 1)],
            Primal64 = a => V(D.Mlp(a[0], a[1])),
            Jvp64 = (a, d) => J(D.MlpJvp(a[0], d[0], a[1], d[1], out var t), t),
            Primal32 = a => V(F.Mlp(a[0], a[1])),
            Jvp32 = (a, d) => J(F.MlpJvp(a[0], d[0], a[1], d[1], out var t), t),
        },
        new Case
        {
            Name = "Mlp (Wrt = x)",
            Inputs = [Input.Vector("x", 3, -1, 1), Input.Vector("w", D.MlpWeights, -1, 1, active: false)],
            Primal64 = a => V(D.Mlp(a[0], a[1])),
            Jvp64 = (a, d) => J(D.MlpInputJvp(a[0], d[0], a[1], out var t), t),
            Primal32 = a => V(F.Mlp(a[0], a[1])),
            Jvp32 = (a, d) => J(F.MlpInputJvp(a[0], d[0], a[1], out var t), t),
        },
        new Case
        {
            Name = "LogisticLoss",
            // Wrt = "w": 6 samples of 3 features, labels ±1.
            Inputs =
            [
                Input.Vector("w", 3, -1, 1),
                Input.Vector("xs", 18, -2, 2, active: false),
                Input.Vector("labels", 6, r => r.Next(2) == 0 ? -1.0 : 1.0, active: false),
            ],
            Primal64 = a => V(D.LogisticLoss(a[0], a[1], a[2])),
            Jvp64 = (a, d) => J(D.LogisticLossJvp(a[0], d[0], a[1], a[2], out var t), t),
            Primal32 = a => V(F.LogisticLoss(a[0], a[1], a[2])),
            Jvp32 = (a, d) => J(F.LogisticLossJvp(a[0], d[0], a[1], a[2], out var t), t),
            ClosedForm = (a, d) =>
            {
                var w = a[0];
                var labels = a[2];
                double t = 0;
                for (var r = 0; r < labels.Length; r++)
                {
                    double z = 0, dz = 0;
                    for (var k = 0; k < w.Length; k++)
                    {
                        z += w[k] * a[1][r * w.Length + k];
                        dz += d[0][k] * a[1][r * w.Length + k];
                    }
                    t += Sigmoid(-labels[r] * z) * -labels[r] * dz;
                }
                return [t / labels.Length];
            },
        },
        // ------------------------------------------------------------ evaluation order and state
        new Case
        {
            Name = "Recurrence",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2), Input.Int("n", 0, 12)],
            Primal64 = a => V(D.Recurrence(a[0][0], a[1][0], (int)a[2][0])),
            Jvp64 = (a, d) => J(D.RecurrenceJvp(a[0][0], d[0][0], a[1][0], d[1][0], (int)a[2][0], out var t), t),
            Primal32 = a => V(F.Recurrence(a[0][0], a[1][0], (int)a[2][0])),
            Jvp32 = (a, d) => J(F.RecurrenceJvp(a[0][0], d[0][0], a[1][0], d[1][0], (int)a[2][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // Forward mode by hand, with the pair updated simultaneously.
                double p = a[0][0], q = a[1][0], dp = d[0][0], dq = d[1][0];
                for (var i = 0; i < (int)a[2][0]; i++)
                {
                    (p, q, dp, dq) = (q, p + 0.5 * Math.Sin(q), dq, dp + 0.5 * Math.Cos(q) * dq);
                }
                return [dp + 2 * dq];
            },
        },
        new Case
        {
            Name = "Rotation",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2), Input.Real("theta", -1, 1), Input.Int("n", 0, 10)],
            Primal64 = a => V(D.Rotation(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp64 = (a, d) => J(D.RotationJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
            Primal32 = a => V(F.Rotation(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp32 = (a, d) => J(F.RotationJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // n rotations by theta are one rotation by n·theta.
                double x = a[0][0], y = a[1][0], n = a[3][0], phi = n * a[2][0], c = Math.Cos(phi), s = Math.Sin(phi);
                double dPhi = n * d[2][0];
                var dxn = c * d[0][0] - s * d[1][0] - (x * s + y * c) * dPhi;
                var dyn = s * d[0][0] + c * d[1][0] + (x * c - y * s) * dPhi;
                return [dxn + 2 * dyn];
            },
        },
        new Case
        {
            Name = "OrderedGap",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Valid = a => Away(a[0][0], a[1][0]),
            Primal64 = a => V(D.OrderedGap(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.OrderedGapJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.OrderedGap(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.OrderedGapJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var swap = a[0][0] > a[1][0];
                double lo = swap ? a[1][0] : a[0][0], hi = swap ? a[0][0] : a[1][0];
                double dLo = swap ? d[1][0] : d[0][0], dHi = swap ? d[0][0] : d[1][0];
                return [(dHi - dLo) * Math.Exp(lo) + (hi - lo) * Math.Exp(lo) * dLo];
            },
        },
        new Case
        {
            Name = "RankWeighted",
            Inputs = [Input.Vector("x", 6, -2, 2)],
            // Sorting is piecewise linear: keep away from ties.
            Valid = a => a[0].All(p => a[0].All(q => p == q || Away(p, q))),
            Primal64 = a => V(D.RankWeighted(a[0])),
            Jvp64 = (a, d) => J(D.RankWeightedJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.RankWeighted(a[0])),
            Jvp32 = (a, d) => J(F.RankWeightedJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var order = Enumerable.Range(0, a[0].Length).OrderBy(i => a[0][i]).ToArray();
                return [order.Select((i, rank) => (rank + 1) * 2 * a[0][i] * d[0][i]).Sum()];
            },
        },
        new Case
        {
            Name = "OnlineLogSumExp",
            Inputs = [Input.Vector("x", 6, -3, 3)],
            Primal64 = a => V(D.OnlineLogSumExp(a[0])),
            Jvp64 = (a, d) => J(D.OnlineLogSumExpJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.OnlineLogSumExp(a[0])),
            Jvp32 = (a, d) => J(F.OnlineLogSumExpJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) => [SoftmaxOf(a[0]).Select((p, i) => p * d[0][i]).Sum()],
        },
        new Case
        {
            Name = "LaggedSum",
            Inputs = [Input.Real("x", -2, 2), Input.Int("n", 0, 8)],
            Primal64 = a => V(D.LaggedSum(a[0][0], (int)a[1][0])),
            Jvp64 = (a, d) => J(D.LaggedSumJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            Primal32 = a => V(F.LaggedSum(a[0][0], (int)a[1][0])),
            Jvp32 = (a, d) => J(F.LaggedSumJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // LaggedSum = 1 + Σ_{i=1}^{n-2} sin²(x i) for n ≥ 1.
                double x = a[0][0], t = 0;
                for (var i = 1; i <= (int)a[1][0] - 2; i++) t += 2 * Math.Sin(x * i) * Math.Cos(x * i) * i;
                return [t * d[0][0]];
            },
        },
        new Case
        {
            Name = "Powers",
            Inputs = [Input.Real("x", -2, 2), Input.Int("n", 0, 4)],
            Valid = a => Away(a[0][0], 0, 0.1),
            Primal64 = a => V(D.Powers(a[0][0], (int)a[1][0])),
            Jvp64 = (a, d) => J(D.PowersJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            Primal32 = a => V(F.Powers(a[0][0], (int)a[1][0])),
            Jvp32 = (a, d) => J(F.PowersJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], n = a[1][0];
                return [(3 * x * x - 4 * x + n * Math.Pow(x, n - 1)) * d[0][0]];
            },
        },
        new Case
        {
            Name = "IntArithmetic",
            Inputs = [Input.Real("x", 0.5, 2), Input.Int("n", -7, 7)],
            Primal64 = a => V(D.IntArithmetic(a[0][0], (int)a[1][0])),
            Jvp64 = (a, d) => J(D.IntArithmeticJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            Primal32 = a => V(F.IntArithmetic(a[0][0], (int)a[1][0])),
            Jvp32 = (a, d) => J(F.IntArithmeticJvp(a[0][0], d[0][0], (int)a[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0];
                var n = (int)a[1][0];
                return [(n / 2 + 2 * x * (n % 3) - (-n / 4) / (x * x)) * d[0][0]];
            },
        },
        new Case
        {
            Name = "FixedRotation",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", -2, 2)],
            Primal64 = a => V(D.FixedRotation(a[0][0], a[1][0])),
            Jvp64 = (a, d) => J(D.FixedRotationJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.FixedRotation(a[0][0], a[1][0])),
            Jvp32 = (a, d) => J(F.FixedRotationJvp(a[0][0], d[0][0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) => [Math.Cos(0.68) * d[0][0] - Math.Sin(0.68) * d[1][0]],
        },
        new Case
        {
            Name = "Guarded",
            Inputs = [Input.Vector("x", 4, -1, 1), Input.Real("t", -1, 2)],
            Valid = a => Away(a[1][0], 0) && (a[1][0] <= 0 || Away(Math.Sqrt(a[1][0]) * a[0].Sum(), 1, 0.05)),
            Primal64 = a => V(D.Guarded(a[0], a[1][0])),
            Jvp64 = (a, d) => J(D.GuardedJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Guarded(a[0], a[1][0])),
            Jvp32 = (a, d) => J(F.GuardedJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var t = a[1][0];
                if (t <= 0) return [-2 * t * d[1][0]];
                double y = Math.Sqrt(t), dy = d[1][0] / (2 * y), sum = a[0].Sum(), dSum = d[0].Sum();
                var ds = dy * sum + y * dSum;
                return [y * sum > 1 ? ds : 2 * ds];
            },
        },
        new Case
        {
            Name = "Axpy",
            // y is read and written: its initial value is an input, its initial tangent too.
            Inputs = [Input.Real("a", -2, 2), Input.Vector("x", 5, -2, 2), Input.Vector("y", 5, -2, 2)],
            Primal64 = a =>
            {
                var y = (double[])a[2].Clone();
                D.Axpy(a[0][0], a[1], y);
                return y;
            },
            Jvp64 = (a, d) =>
            {
                var y = (double[])a[2].Clone();
                var dy = (double[])d[2].Clone();
                D.AxpyJvp(a[0][0], d[0][0], a[1], d[1], y, dy);
                return new(y, dy);
            },
            Primal32 = a =>
            {
                var y = (float[])a[2].Clone();
                F.Axpy(a[0][0], a[1], y);
                return y;
            },
            Jvp32 = (a, d) =>
            {
                var y = (float[])a[2].Clone();
                var dy = (float[])d[2].Clone();
                F.AxpyJvp(a[0][0], d[0][0], a[1], d[1], y, dy);
                return new(y, dy);
            },
            ClosedForm = (a, d) => a[1].Select((x, i) => d[2][i] + d[0][0] * x + a[0][0] * d[1][i]).ToArray(),
        },
        new Case
        {
            Name = "Accumulated",
            Inputs = [Input.Vector("x", 5, -2, 2), Input.Real("a", -1.5, 1.5)],
            Primal64 = a => V(D.Accumulated(a[0], a[1][0])),
            Jvp64 = (a, d) => J(D.AccumulatedJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            Primal32 = a => V(F.Accumulated(a[0], a[1][0])),
            Jvp32 = (a, d) => J(F.AccumulatedJvp(a[0], d[0], a[1][0], d[1][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                // acc = (a + a²) x, so the result is (a + a²)² Σ x².
                double k = a[1][0] + a[1][0] * a[1][0], dk = (1 + 2 * a[1][0]) * d[1][0];
                double sq = a[0].Sum(x => x * x), dSq = a[0].Select((x, i) => 2 * x * d[0][i]).Sum();
                return [2 * k * dk * sq + k * k * dSq];
            },
        },
        new Case
        {
            Name = "ArgMaxSquare",
            Inputs = [Input.Vector("x", 6, -2, 2)],
            Valid = a => a[0].All(p => Away(p, 0) && a[0].All(q => p == q || Away(p, q))),
            Primal64 = a => V(D.ArgMaxSquare(a[0])),
            Jvp64 = (a, d) => J(D.ArgMaxSquareJvp(a[0], d[0], out var t), t),
            Primal32 = a => V(F.ArgMaxSquare(a[0])),
            Jvp32 = (a, d) => J(F.ArgMaxSquareJvp(a[0], d[0], out var t), t),
            ClosedForm = (a, d) =>
            {
                var best = Array.IndexOf(a[0], a[0].Max());
                return [2 * a[0][best] * d[0][best]];
            },
        },
        new Case
        {
            Name = "Arithmetic",
            Inputs = [Input.Real("x", -2, 2), Input.Real("y", 0.5, 2), Input.Real("z", 0.5, 2), Input.Int("n", -5, 5)],
            // % jumps where (x + 3) / y is an integer; the stencil moves that ratio by < 0.05.
            Valid = a => AwayFromIntegers((a[0][0] + 3) / a[1][0], 0.05),
            Primal64 = a => V(D.Arithmetic(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp64 = (a, d) => J(D.ArithmeticJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
            Primal32 = a => V(F.Arithmetic(a[0][0], a[1][0], a[2][0], (int)a[3][0])),
            Jvp32 = (a, d) => J(F.ArithmeticJvp(a[0][0], d[0][0], a[1][0], d[1][0], a[2][0], d[2][0], (int)a[3][0], out var t), t),
            ClosedForm = (a, d) =>
            {
                double x = a[0][0], y = a[1][0], z = a[2][0], dx = d[0][0], dy = d[1][0], dz = d[2][0];
                var n = (int)a[3][0];
                var da = dx - dy + dz;
                // b = x z / y − x / (y z)
                var db = (z / y - 1 / (y * z)) * dx + (-x * z / (y * y) + x / (y * y * z)) * dy + (x / y + x / (y * z * z)) * dz;
                var dc = -(dx - dy) * (z - x) - (x - y) * (dz - dx) + dy;
                var k = n - (n - 1) / 2;
                var dd = k / 2.0 * (y * dx + x * dy);
                var de = dx - Math.Truncate((x + 3) / y) * dy;
                return [da + db + dc + dd + de];
            },
        },
    ];
}
