using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace Dsl.Generator.Transforms;

/// <summary>
/// A mixed partial ∂^α u of order p = |α| as a fixed combination of several order-p Taylor jets,
/// in the style of the interpolation of Griewank, Utke and Walther (Math. Comp. 69, 2000): along
/// an integer direction v, y_p(v) = d^p/dt^p u(x + t v) = Σ_{|β|=p} p!/β! v^β ∂^β u, so weights
/// W_v with Σ_v W_v v^β = (α!/p!) δ_{β,α} for every |β| = p give ∂^α u = Σ_v W_v y_p(v).
/// <para>
/// The directions are a product grid: coordinate i (exponent a_i) takes a_i + 1 symmetric integer
/// nodes T_i, weighted by the a_i-th divided difference w_i(t) = 1 / Π_{s≠t}(t − s), whose moments
/// Σ_t w_i(t) t^k are 0 for k &lt; a_i and 1 for k = a_i. In the product Π_i Σ_t w_i(t) t^{β_i}
/// every β ≠ α with |β| = |α| has some β_i &lt; a_i, so only α survives. Directions equal up to a
/// factor s are one jet (y_p(s v) = s^p y_p(v)), and the zero direction drops out, which leaves
/// Π(a_i + 1) / 2 jets (rounded down): 2 for ∂x∂y (polarization), 4 for ∂x∂y∂z, 6 for ∂x²∂y∂z —
/// the complex Waring rank of the monomial x^α whenever the smallest exponent is 1, so no set of
/// fewer jets exists there. GUW's own set (all j ≥ 0 with |j| = p) needs 3, 10 and 15 jets there.
/// </para>
/// <para>
/// The weights are exact rationals found here, printed as integers n_v over one denominator D:
/// ∂^α u = (Σ_v n_v y_p(v)) / D. The products n_v y_p(v) and their sum round at most N + 1
/// times (N jets), so |error| ≤ (Σ_v |n_v| |y_p(v)|) / D × (η + (N + 1) u) with η the relative
/// error of one jet's y_p and u the unit roundoff; the ratio of Σ|n_v||y_p(v)|/D to |∂^α u| is
/// the amplification, reported in docs/mixed-partials.md.
/// </para>
/// </summary>
internal sealed class JetCombination
{
    /// <summary>The largest total order combined from several jets (up to 2^7 = 128 jets for eight distinct coordinates).</summary>
    public const int MaxOrder = 8;

    private JetCombination(IReadOnlyList<int> coordinates, IReadOnlyList<int> exponents, IReadOnlyList<int[]> directions,
        IReadOnlyList<long> numerators, long denominator)
    {
        Coordinates = coordinates;
        Exponents = exponents;
        Directions = directions;
        Numerators = numerators;
        Denominator = denominator;
    }

    /// <summary>The differentiated coordinates, ascending; directions have one entry per coordinate here.</summary>
    public IReadOnlyList<int> Coordinates { get; }

    /// <summary>How often each coordinate is differentiated (α restricted to <see cref="Coordinates"/>).</summary>
    public IReadOnlyList<int> Exponents { get; }

    /// <summary>The jet directions (integer, first nonzero entry positive, no two parallel).</summary>
    public IReadOnlyList<int[]> Directions { get; }

    /// <summary>n_v, the weight of each direction's y_p times <see cref="Denominator"/>.</summary>
    public IReadOnlyList<long> Numerators { get; }

    /// <summary>D, the common denominator of the weights.</summary>
    public long Denominator { get; }

    /// <summary>p = |α|, the order of every jet.</summary>
    public int Order => Exponents.Sum();

    /// <summary>Jets × order: the plan's cost in the measure the generator compares plans by.</summary>
    public int Cost => Directions.Count * Order;

    /// <summary>The combination for the multiset of coordinates, or null above <see cref="MaxOrder"/>.</summary>
    public static JetCombination? Find(IReadOnlyList<int> coordinates)
    {
        if (coordinates.Count == 0 || coordinates.Count > MaxOrder) return null;
        var groups = coordinates.GroupBy(c => c).OrderBy(g => g.Key).ToList();
        var exponents = groups.Select(g => g.Count()).ToArray();
        var p = coordinates.Count;
        var nodes = exponents.Select(Nodes).ToArray();
        var nodeWeights = nodes.Select(DividedDifference).ToArray();
        // α!/p!: the factor that turns Σ_v W_v v^α p!/α! into 1
        var scale = new Rational(exponents.Aggregate(BigInteger.One, (f, a) => f * Factorial(a)), Factorial(p));
        var weights = new Dictionary<string, (int[] Direction, Rational Weight)>(StringComparer.Ordinal);
        var index = new int[exponents.Length];
        while (true)
        {
            var v = index.Select((k, i) => nodes[i][k]).ToArray();
            var w = index.Select((k, i) => nodeWeights[i][k]).Aggregate(scale, (acc, x) => acc * x);
            if (v.Any(c => c != 0))
            {
                var (unit, factor) = Normalize(v);
                var key = string.Join(",", unit);
                var add = w * Rational.Power(factor, p);
                weights[key] = weights.TryGetValue(key, out var old) ? (unit, old.Weight + add) : (unit, add);
            }
            var t = 0;
            while (t < index.Length && ++index[t] == nodes[t].Length) index[t++] = 0;
            if (t == index.Length) break;
        }
        var kept = weights.Values.Where(e => !e.Weight.IsZero).OrderBy(e => e.Direction, DirectionOrder.Instance).ToList();
        var denominator = kept.Aggregate(BigInteger.One, (l, e) => Lcm(l, e.Weight.Den));
        var numerators = kept.Select(e => e.Weight.Num * (denominator / e.Weight.Den)).ToList();
        // Integers up to 2^53 are exact doubles; every plan up to MaxOrder stays far below.
        var limit = BigInteger.Pow(2, 53);
        if (denominator > limit || numerators.Any(n => BigInteger.Abs(n) > limit)) return null;
        return new JetCombination(groups.Select(g => g.Key).ToList(), exponents, kept.Select(e => e.Direction).ToList(),
            numerators.Select(n => (long)n).ToList(), (long)denominator);
    }

    /// <summary>
    /// a + 1 distinct symmetric integer nodes, as small as possible (jets along long directions
    /// have large y_p): −a/2..a/2 for even a, ±1..±(a+1)/2 for odd a.
    /// </summary>
    private static int[] Nodes(int a) => a % 2 == 0
        ? Enumerable.Range(-a / 2, a + 1).ToArray()
        : Enumerable.Range(1, (a + 1) / 2).SelectMany(k => new[] { -k, k }).OrderBy(k => k).ToArray();

    /// <summary>w(t) = 1 / Π_{s≠t}(t − s): Σ_t w(t) t^k is 0 for k &lt; nodes − 1 and 1 for k = nodes − 1.</summary>
    private static Rational[] DividedDifference(int[] nodes) =>
        nodes.Select(t => new Rational(1, nodes.Where(s => s != t).Aggregate(BigInteger.One, (acc, s) => acc * (t - s)))).ToArray();

    /// <summary>v = factor × unit with unit's entries coprime and its first nonzero entry positive.</summary>
    private static (int[] Unit, int Factor) Normalize(int[] v)
    {
        var g = v.Aggregate(0, (acc, c) => (int)BigInteger.GreatestCommonDivisor(acc, c));
        var sign = v.First(c => c != 0) < 0 ? -1 : 1;
        return (v.Select(c => c / (g * sign)).ToArray(), g * sign);
    }

    private static BigInteger Factorial(int n)
    {
        var f = BigInteger.One;
        for (var i = 2; i <= n; i++) f *= i;
        return f;
    }

    private static BigInteger Lcm(BigInteger a, BigInteger b) => a / BigInteger.GreatestCommonDivisor(a, b) * b;

    /// <summary>Directions in a fixed, readable order: fewer nonzero entries first, then lexicographic.</summary>
    private sealed class DirectionOrder : IComparer<int[]>
    {
        public static readonly DirectionOrder Instance = new();

        public int Compare(int[]? a, int[]? b)
        {
            int[] x = a!, y = b!;
            var byCount = x.Count(c => c != 0).CompareTo(y.Count(c => c != 0));
            if (byCount != 0) return byCount;
            for (var i = 0; i < x.Length; i++)
            {
                // Positive entries before negative ones, small before large.
                var cmp = Key(x[i]).CompareTo(Key(y[i]));
                if (cmp != 0) return cmp;
            }
            return 0;
        }

        private static int Key(int c) => c >= 0 ? 2 * c : -2 * c + 1;
    }

    /// <summary>An exact fraction Num / Den in lowest terms, Den &gt; 0.</summary>
    private readonly struct Rational
    {
        public Rational(BigInteger num, BigInteger den)
        {
            if (den.Sign < 0) (num, den) = (-num, -den);
            var g = BigInteger.GreatestCommonDivisor(num, den);
            if (g.IsZero) g = BigInteger.One;
            Num = num / g;
            Den = den / g;
        }

        public BigInteger Num { get; }
        public BigInteger Den { get; }
        public bool IsZero => Num.IsZero;

        public static Rational operator *(Rational a, Rational b) => new(a.Num * b.Num, a.Den * b.Den);

        public static Rational operator +(Rational a, Rational b) => new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);

        public static Rational Power(int factor, int p) => new(BigInteger.Pow(factor, p), BigInteger.One);
    }
}
