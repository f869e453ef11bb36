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

    [Gradient(nameof(ZeroWeightedTerm), Wrt = "x")]
    public static partial double ZeroWeightedTermGradient(double x, double big, out double xBar);
}
