using System;
using MathNet.Numerics.Integration;

namespace Dsl;

/// <summary>A function of a point x (a span of length d), integrated over a grid.</summary>
public delegate double PointFunction(ReadOnlySpan<double> x);

/// <summary>
/// Quadrature points and weights in d dimensions: ∫ g(x) dx ≈ Σ_k w_k g(x_k). Built from
/// Gauss–Legendre rules (MathNet.Numerics' <see cref="GaussLegendreRule"/>): on an interval, a
/// tensor product of intervals (2–3 D boxes), or an atom-centred grid in spherical coordinates.
/// Points are stored row-major (<see cref="Point"/> reads one).
/// </summary>
public sealed class QuadratureGrid
{
    private readonly double[] _points;
    private readonly double[] _weights;

    private QuadratureGrid(int dimension, double[] points, double[] weights)
    {
        Dimension = dimension;
        _points = points;
        _weights = weights;
    }

    /// <summary>d, the length of each point.</summary>
    public int Dimension { get; }

    /// <summary>The number of points.</summary>
    public int Count => _weights.Length;

    /// <summary>Point k (length <see cref="Dimension"/>).</summary>
    public ReadOnlySpan<double> Point(int k) => _points.AsSpan(k * Dimension, Dimension);

    /// <summary>The weight of point k.</summary>
    public double Weight(int k) => _weights[k];

    /// <summary>Σ_k w_k g(x_k).</summary>
    public double Integrate(PointFunction g)
    {
        double sum = 0;
        for (var k = 0; k < Count; k++) sum += _weights[k] * g(Point(k));
        return sum;
    }

    /// <summary>
    /// An n-point Gauss–Legendre rule on [a, b] (exact for polynomials of degree 2n − 1). With
    /// <paramref name="power"/> p &gt; 1 the rule is taken in t ∈ [0, 1] and mapped by x = a + (b − a) tᵖ
    /// (weight × p tᵖ⁻¹ (b − a)): the nodes cluster at a, which makes an integrand that behaves like
    /// (x − a)^(−1/2) or (x − a)^(1/3) at a smooth in t (p = 2, 3).
    /// </summary>
    public static QuadratureGrid GaussLegendre(int n, double a, double b, int power = 1)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a rule needs at least one point");
        if (power < 1) throw new ArgumentOutOfRangeException(nameof(power), power, "the power of the map must be 1 or more");
        var rule = power == 1 ? new GaussLegendreRule(a, b, n) : new GaussLegendreRule(0, 1, n);
        var points = new double[n];
        var weights = new double[n];
        for (var k = 0; k < n; k++)
        {
            var t = rule.GetAbscissa(k);
            if (power == 1)
            {
                points[k] = t;
                weights[k] = rule.GetWeight(k);
            }
            else
            {
                points[k] = a + (b - a) * Math.Pow(t, power);
                weights[k] = rule.GetWeight(k) * power * Math.Pow(t, power - 1) * (b - a);
            }
        }
        return new QuadratureGrid(1, points, weights);
    }

    /// <summary>
    /// The tensor product of n-point Gauss–Legendre rules on the box [lower_i, upper_i] (d = the
    /// length of the bounds; 2 or 3 for a plane or a volume): nᵈ points.
    /// </summary>
    public static QuadratureGrid Box(int n, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (lower.Length != upper.Length || lower.Length == 0)
            throw new ArgumentException(
                $"'lower' and 'upper' must have the same nonzero length, but have {lower.Length} and {upper.Length}.");
        var d = lower.Length;
        var axes = new QuadratureGrid[d];
        for (var i = 0; i < d; i++) axes[i] = GaussLegendre(n, lower[i], upper[i]);
        var count = 1;
        for (var i = 0; i < d; i++) count *= n;
        var points = new double[count * d];
        var weights = new double[count];
        for (var k = 0; k < count; k++)
        {
            var rest = k;
            var w = 1.0;
            for (var i = d - 1; i >= 0; i--)
            {
                var j = rest % n;
                rest /= n;
                points[k * d + i] = axes[i]._points[j];
                w *= axes[i]._weights[j];
            }
            weights[k] = w;
        }
        return new QuadratureGrid(d, points, weights);
    }

    /// <summary>
    /// An atom-centred grid in 3D around <paramref name="center"/>: r = s (1 + t)/(1 − t) with an
    /// n_r-point Gauss–Legendre rule in t ∈ (−1, 1) (weight r² dr), times n_θ Gauss–Legendre points
    /// in cos θ and 2n_θ equally spaced angles φ (dΩ). The angular part integrates spherical
    /// harmonics up to degree 2n_θ − 1 exactly; the radial map puts half the points inside r = s,
    /// so s should be about the density's radius.
    /// </summary>
    public static QuadratureGrid Atomic(int radial, int polar, double scale, ReadOnlySpan<double> center = default)
    {
        if (radial < 1 || polar < 1) throw new ArgumentOutOfRangeException(nameof(radial), "the grid needs at least one point per axis");
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the radial scale must be positive");
        if (center.Length is not (0 or 3))
            throw new ArgumentException($"'center' must have length 3, but has {center.Length}.", nameof(center));
        var r = new GaussLegendreRule(-1, 1, radial);
        var c = new GaussLegendreRule(-1, 1, polar);
        var azimuthal = 2 * polar;
        var count = radial * polar * azimuthal;
        var points = new double[3 * count];
        var weights = new double[count];
        var k = 0;
        for (var a = 0; a < radial; a++)
        {
            var t = r.GetAbscissa(a);
            var rad = scale * (1 + t) / (1 - t);
            var dr = scale * 2 / ((1 - t) * (1 - t));
            var wr = r.GetWeight(a) * dr * rad * rad;
            for (var b = 0; b < polar; b++)
            {
                var cos = c.GetAbscissa(b);
                var sin = Math.Sqrt(1 - cos * cos);
                for (var e = 0; e < azimuthal; e++)
                {
                    var phi = 2 * Math.PI * e / azimuthal;
                    points[3 * k] = rad * sin * Math.Cos(phi) + (center.Length == 3 ? center[0] : 0);
                    points[3 * k + 1] = rad * sin * Math.Sin(phi) + (center.Length == 3 ? center[1] : 0);
                    points[3 * k + 2] = rad * cos + (center.Length == 3 ? center[2] : 0);
                    weights[k] = wr * c.GetWeight(b) * (2 * Math.PI / azimuthal);
                    k++;
                }
            }
        }
        return new QuadratureGrid(3, points, weights);
    }
}
