using System;

namespace Dsl;

/// <summary>
/// Special functions that the generator's built-in derivative rules need and MathNet.Numerics 5.0.0
/// lacks: the polygamma functions ψ⁽ⁿ⁾ (n ≥ 1), the derivatives of MathNet's <c>DiGamma</c>.
/// </summary>
public static class Special
{
    // Asymptotic series ψ⁽ⁿ⁾(x) ~ (−1)ⁿ⁺¹ [(n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ_k B_2k (2k+n−1)!/((2k)! x^(2k+n))]:
    // B_2 .. B_20. With x ≥ 20 + n the k = 10 term is below 1e-17 of the first for every n ≤ 20.
    private static readonly double[] Bernoulli =
    {
        1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510, 43867.0 / 798, -174611.0 / 330,
    };

    /// <summary>The trigamma function ψ′(x) = d²/dx² ln Γ(x).</summary>
    public static double Trigamma(double x) => Polygamma(1, x);

    /// <summary>
    /// The polygamma function ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ ln Γ(x) for n ≥ 1: the recurrence
    /// ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (−1)ⁿ⁺¹ n!/xⁿ⁺¹ moves x above 20 + n, then the asymptotic series.
    /// NaN at the poles (x = 0, −1, −2, …), for n &lt; 1 and for NaN.
    /// </summary>
    public static double Polygamma(int n, double x)
    {
        if (n < 1 || double.IsNaN(x) || (x <= 0 && x == Math.Floor(x))) return double.NaN;
        if (double.IsPositiveInfinity(x)) return 0;
        double factorial = 1; // n!
        for (var i = 2; i <= n; i++) factorial *= i;
        var sign = n % 2 == 1 ? 1.0 : -1.0; // (−1)ⁿ⁺¹
        double shifted = 0;
        var threshold = 20.0 + n;
        // Below −1e6 the shift would take more than a million steps; such arguments are outside what the rules are tested for.
        if (x < -1e6) return double.NaN;
        while (x < threshold)
        {
            shifted += sign * factorial / Math.Pow(x, n + 1);
            x += 1;
        }
        var inv = 1 / x;
        // (n−1)!/xⁿ + n!/(2xⁿ⁺¹)
        var series = factorial / n * Math.Pow(inv, n) + factorial / 2 * Math.Pow(inv, n + 1);
        // Σ_k B_2k (2k+n−1)!/(2k)! / x^(2k+n), the factorial ratio built up term by term.
        var ratio = factorial / n; // (n−1)! · (2k+n−1)!/((n−1)!(2k)!) starts at k = 0 as (n−1)!
        var power = Math.Pow(inv, n);
        for (var k = 1; k <= Bernoulli.Length; k++)
        {
            ratio *= (2.0 * k + n - 2) * (2.0 * k + n - 1) / ((2.0 * k - 1) * (2.0 * k));
            power *= inv * inv;
            series += Bernoulli[k - 1] * ratio * power;
        }
        return shifted + sign * series;
    }
}
