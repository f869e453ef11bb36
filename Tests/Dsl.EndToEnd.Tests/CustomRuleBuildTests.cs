using System;
using MathNet.Numerics;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The built-in MathNet rules in an ordinary build (the generator running inside the compiler, MathNet.Numerics
/// referenced as a package): nothing is declared but the model.
/// </summary>
public static partial class SpecialModels
{
    /// <summary>A negative log-likelihood term of a gamma-distributed and a probit-linked observation.</summary>
    [Differentiable]
    public static double Nll(ReadOnlySpan<double> p) =>
        SpecialFunctions.GammaLn(p[0]) - (p[0] - 1) * Math.Log(p[1]) - Math.Log(SpecialFunctions.Erfc(-p[1] / Math.Sqrt(2)) / 2);

    [Gradient(nameof(Nll))]
    public static partial double NllGradient(ReadOnlySpan<double> p, Span<double> pBar);

    [Laplacian(nameof(Nll), Wrt = "p")]
    public static partial double NllLaplacian(ReadOnlySpan<double> p);
}

public class CustomRuleBuildTests
{
    /// <summary>
    /// ∂/∂p₀ = ψ(p₀) − ln p₁ and ∂/∂p₁ = −(p₀−1)/p₁ − φ(p₁)/Φ(p₁) (φ, Φ the normal density and distribution), to
    /// rounding (1e-14: a handful of operations and MathNet's digamma, whose own error is below that at p₀ = 2.3).
    /// </summary>
    [Fact]
    public void Gradient_matches_closed_form()
    {
        var p = new[] { 2.3, 0.6 };
        var g = new double[2];
        var value = SpecialModels.NllGradient(p, g);
        Assert.Equal(SpecialModels.Nll(p), value);
        var phi = Math.Exp(-p[1] * p[1] / 2) / Math.Sqrt(2 * Math.PI);
        var cdf = SpecialFunctions.Erfc(-p[1] / Math.Sqrt(2)) / 2;
        Assert.Equal(SpecialFunctions.DiGamma(p[0]) - Math.Log(p[1]), g[0], 1e-14);
        Assert.Equal(-(p[0] - 1) / p[1] - phi / cdf, g[1], 1e-14);
    }

    /// <summary>
    /// Δ = ψ⁽¹⁾(p₀) + (p₀−1)/p₁² + (p₁ φ/Φ + (φ/Φ)²) (the inverse Mills ratio's derivative), to rounding (1e-13).
    /// </summary>
    [Fact]
    public void Laplacian_matches_closed_form()
    {
        var p = new[] { 2.3, 0.6 };
        var phi = Math.Exp(-p[1] * p[1] / 2) / Math.Sqrt(2 * Math.PI);
        var cdf = SpecialFunctions.Erfc(-p[1] / Math.Sqrt(2)) / 2;
        var mills = phi / cdf;
        var expected = Special.Trigamma(p[0]) + (p[0] - 1) / (p[1] * p[1]) + p[1] * mills + mills * mills;
        Assert.Equal(expected, SpecialModels.NllLaplacian(p), 1e-13);
    }
}
