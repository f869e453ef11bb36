using System;

namespace Dsl.EndToEnd.Tests.Corpus;

/// <summary>
/// Primals for corner cases in which a JVP must still compute exactly what the primal computes
/// (not part of the float/double twin corpus).
/// </summary>
public static partial class Fidelity
{
    // A term with a constant zero weight (a regularizer switched off): in C#, 0 * Exp(big) is
    // NaN once Exp overflows, so the primal is NaN there.
    [Differentiable]
    public static double ZeroWeightedTerm(double x, double big)
    {
        const double Weight = 0;
        return x + Weight * Math.Exp(big);
    }

    [Jvp(nameof(ZeroWeightedTerm), Wrt = "x")]
    public static partial double ZeroWeightedTermJvp(double x, double dx, double big, out double dResult);

    // A time loop bounded by a double: C# compares i < t in double, so t = 2.5 runs the body
    // for i = 0, 1, 2.
    [Differentiable]
    public static double StepsUntil(double x, double t)
    {
        double s = 0;
        for (int i = 0; i < t; i++)
        {
            s += x * x;
        }
        return s;
    }

    [Jvp(nameof(StepsUntil), Wrt = "x")]
    public static partial double StepsUntilJvp(double x, double dx, double t, out double dResult);
}
