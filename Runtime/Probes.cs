using System;

namespace Dsl;

/// <summary>
/// Deterministic sampler of STDE probe vectors and of points, driven by a seeded
/// xoshiro256** generator (seeded through SplitMix64). The same seed (and stream) gives the
/// same numbers on every machine and .NET version, unlike <see cref="System.Random"/>, whose
/// algorithm is not guaranteed to stay the same.
/// </summary>
/// <remarks>
/// An instance is not thread-safe. For parallel work give each task its own instance, for
/// example <c>new Probes(seed, stream: pointIndex)</c>: distinct streams of one seed are
/// seeded independently, so results do not depend on how work is scheduled on threads.
/// Probe layout is the one the generated operators read: V probe vectors of length d,
/// row-major (entry s·d + i is component i of probe s).
/// </remarks>
public sealed class Probes
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;
    private int[] _perm = Array.Empty<int>();

    /// <summary>Creates a sampler from a seed.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal sequences.</param>
    public Probes(long seed) : this(seed, 0) { }

    /// <summary>
    /// Creates a sampler for one of many independent streams of a seed (for example one per
    /// training step and batch point), so that parallel work stays deterministic.
    /// </summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="stream">Which stream of that seed.</param>
    public Probes(long seed, long stream)
    {
        Reseed(seed, stream);
    }

    /// <summary>Restarts the sampler on stream <paramref name="stream"/> of <paramref name="seed"/>, as if newly constructed.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="stream">Which stream of that seed.</param>
    public void Reseed(long seed, long stream = 0)
    {
        ulong sm = (ulong)seed;
        // Mix the stream in through one SplitMix64 round of its own, so that (seed, stream) and
        // (seed + 1, stream - 1) do not collide.
        ulong st = (ulong)stream;
        sm ^= SplitMix64(ref st);
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1; // the all-zero state is a fixed point
        _hasSpare = false;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>The next 64 uniformly random bits (xoshiro256**).</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        ulong result = Rotl(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = Rotl(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1), with 53 random bits.</summary>
    /// <returns>A value u with 0 ≤ u &lt; 1.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    /// <param name="maxExclusive">The exclusive upper bound; must be positive.</param>
    /// <returns>A value k with 0 ≤ k &lt; <paramref name="maxExclusive"/>.</returns>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        ulong n = (ulong)maxExclusive;
        ulong x = NextUInt64() >> 32;
        ulong m = x * n;
        ulong l = m & 0xFFFFFFFFUL;
        if (l < n)
        {
            ulong threshold = (0x1_0000_0000UL - n) % n;
            while (l < threshold)
            {
                x = NextUInt64() >> 32;
                m = x * n;
                l = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>A standard normal N(0, 1) sample (Box–Muller; the second value of each pair is kept for the next call).</summary>
    /// <returns>A normally distributed value with mean 0 and variance 1.</returns>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1;
        do u1 = NextDouble(); while (u1 == 0.0);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double a = 2.0 * Math.PI * u2;
        _spare = r * Math.Sin(a);
        _hasSpare = true;
        return r * Math.Cos(a);
    }

    /// <summary>
    /// Fills <paramref name="probes"/> with independent Rademacher entries (±1 with probability ½ each): E[v vᵀ] = I.
    /// </summary>
    /// <param name="probes">The buffer to fill, any length (typically V·d).</param>
    public void FillRademacher(Span<double> probes)
    {
        int i = 0;
        while (i < probes.Length)
        {
            ulong bits = NextUInt64();
            for (int b = 0; b < 64 && i < probes.Length; b++, i++, bits >>= 1)
                probes[i] = (bits & 1) != 0 ? 1.0 : -1.0;
        }
    }

    /// <summary>
    /// Fills <paramref name="probes"/> with independent Rademacher entries (±1 with probability ½ each): E[v vᵀ] = I.
    /// </summary>
    /// <param name="probes">The buffer to fill, any length (typically V·d).</param>
    public void FillRademacher(Span<float> probes)
    {
        int i = 0;
        while (i < probes.Length)
        {
            ulong bits = NextUInt64();
            for (int b = 0; b < 64 && i < probes.Length; b++, i++, bits >>= 1)
                probes[i] = (bits & 1) != 0 ? 1f : -1f;
        }
    }

    /// <summary>Fills <paramref name="probes"/> with independent standard normal entries: E[v vᵀ] = I.</summary>
    /// <param name="probes">The buffer to fill, any length (typically V·d).</param>
    public void FillGaussian(Span<double> probes)
    {
        for (int i = 0; i < probes.Length; i++) probes[i] = NextGaussian();
    }

    /// <summary>Fills <paramref name="probes"/> with independent standard normal entries: E[v vᵀ] = I.</summary>
    /// <param name="probes">The buffer to fill, any length (typically V·d).</param>
    public void FillGaussian(Span<float> probes)
    {
        for (int i = 0; i < probes.Length; i++) probes[i] = (float)NextGaussian();
    }

    /// <summary>
    /// Writes <paramref name="count"/> unit vectors e_j of length <paramref name="d"/>, row-major,
    /// for coordinates j drawn uniformly without replacement (a partial Fisher–Yates shuffle):
    /// the probes of the sparse STDE estimator (d/|J|) Σ_{j∈J} ∂²u/∂x_j².
    /// </summary>
    /// <param name="probes">Receives count·d values (overwritten entirely).</param>
    /// <param name="d">The dimension; positive.</param>
    /// <param name="count">How many coordinates |J|; 1 ≤ count ≤ d.</param>
    public void FillSparseCoordinates(Span<double> probes, int d, int count)
    {
        CheckSparse(probes.Length, d, count);
        probes.Clear();
        SampleCoordinates(d, count);
        for (int s = 0; s < count; s++) probes[s * d + _perm[s]] = 1.0;
    }

    /// <summary>
    /// Writes <paramref name="count"/> unit vectors e_j of length <paramref name="d"/>, row-major,
    /// for coordinates j drawn uniformly without replacement (a partial Fisher–Yates shuffle):
    /// the probes of the sparse STDE estimator (d/|J|) Σ_{j∈J} ∂²u/∂x_j².
    /// </summary>
    /// <param name="probes">Receives count·d values (overwritten entirely).</param>
    /// <param name="d">The dimension; positive.</param>
    /// <param name="count">How many coordinates |J|; 1 ≤ count ≤ d.</param>
    public void FillSparseCoordinates(Span<float> probes, int d, int count)
    {
        CheckSparse(probes.Length, d, count);
        probes.Clear();
        SampleCoordinates(d, count);
        for (int s = 0; s < count; s++) probes[s * d + _perm[s]] = 1f;
    }

    /// <summary>
    /// Draws <paramref name="count"/> distinct coordinates of [0, <paramref name="d"/>) uniformly
    /// without replacement into <paramref name="indices"/> (a partial Fisher–Yates shuffle);
    /// the order is random too.
    /// </summary>
    /// <param name="indices">Receives exactly <paramref name="count"/> indices.</param>
    /// <param name="d">The size of the population; positive.</param>
    /// <param name="count">How many to draw; 1 ≤ count ≤ d.</param>
    public void SampleWithoutReplacement(Span<int> indices, int d, int count)
    {
        if (d <= 0) throw new ArgumentOutOfRangeException(nameof(d), d, "The dimension must be positive.");
        if (count < 1 || count > d) throw new ArgumentOutOfRangeException(nameof(count), count, $"Must be between 1 and d = {d}.");
        if (indices.Length != count)
        {
            throw new ArgumentException(
                $"'{nameof(indices)}' must have length count = {count}, but has length {indices.Length}.", nameof(indices));
        }
        SampleCoordinates(d, count);
        _perm.AsSpan(0, count).CopyTo(indices);
    }

    private static void CheckSparse(int length, int d, int count)
    {
        if (d <= 0) throw new ArgumentOutOfRangeException(nameof(d), d, "The dimension must be positive.");
        if (count < 1 || count > d)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count), count, $"Must be between 1 and d = {d} (coordinates are drawn without replacement).");
        }
        if ((long)count * d != length)
            throw new ArgumentException($"'probes' must have length count x d = {(long)count * d}, but has length {length}.", "probes");
    }

    // After the call, _perm[0..count) holds the sample.
    private void SampleCoordinates(int d, int count)
    {
        if (_perm.Length != d) _perm = new int[d];
        for (int i = 0; i < d; i++) _perm[i] = i;
        for (int s = 0; s < count; s++)
        {
            int j = s + NextInt(d - s);
            (_perm[s], _perm[j]) = (_perm[j], _perm[s]);
        }
    }

    /// <summary>
    /// Fills <paramref name="points"/> with points drawn uniformly from the unit ball of
    /// dimension <paramref name="d"/>, row-major: a direction from a normalized Gaussian vector,
    /// a radius U^(1/d).
    /// </summary>
    /// <param name="points">Receives n·d values for n points; its length must be a multiple of d.</param>
    /// <param name="d">The dimension; positive.</param>
    public void FillUniformBall(Span<double> points, int d)
    {
        CheckBall(points.Length, d);
        for (int p = 0; p < points.Length; p += d)
        {
            double scale = BallPoint(d);
            for (int i = 0; i < d; i++) points[p + i] = _dir[i] * scale;
        }
    }

    /// <summary>
    /// Fills <paramref name="points"/> with points drawn uniformly from the unit ball of
    /// dimension <paramref name="d"/>, row-major: a direction from a normalized Gaussian vector,
    /// a radius U^(1/d).
    /// </summary>
    /// <param name="points">Receives n·d values for n points; its length must be a multiple of d.</param>
    /// <param name="d">The dimension; positive.</param>
    public void FillUniformBall(Span<float> points, int d)
    {
        CheckBall(points.Length, d);
        for (int p = 0; p < points.Length; p += d)
        {
            double scale = BallPoint(d);
            for (int i = 0; i < d; i++) points[p + i] = (float)(_dir[i] * scale);
        }
    }

    private static void CheckBall(int length, int d)
    {
        if (d <= 0) throw new ArgumentOutOfRangeException(nameof(d), d, "The dimension must be positive.");
        if (length % d != 0)
            throw new ArgumentException($"'points' must have a length that is a multiple of d = {d}, but has length {length}.", "points");
    }

    private double[] _dir = Array.Empty<double>();

    // Draws a Gaussian direction into _dir and returns radius / |direction|.
    private double BallPoint(int d)
    {
        if (_dir.Length != d) _dir = new double[d];
        double norm2;
        do
        {
            norm2 = 0;
            for (int i = 0; i < d; i++)
            {
                double z = NextGaussian();
                _dir[i] = z;
                norm2 += z * z;
            }
        } while (norm2 == 0.0);
        double u;
        do u = NextDouble(); while (u == 0.0);
        return Math.Pow(u, 1.0 / d) / Math.Sqrt(norm2);
    }
}
