using System;

namespace Dsl;

/// <summary>
/// Tangents for forward gradients (<see cref="ForwardGradientAttribute"/>): K tangents of length
/// p, row-major, drawn from a seeded <see cref="Probes"/> sampler so a run repeats exactly. With
/// g = (1/K) Σ_k (∇f·v_k) v_k, the relative error E‖g − ∇f‖² / ‖∇f‖² is (p + 1)/K for Gaussian
/// tangents, (p − 1)/K for Rademacher ones and p/K − 1 for orthonormal ones scaled by √p
/// (Baydin et al. 2022; the derivations are in docs/forward-gradients.md).
/// </summary>
public static class Tangents
{
    /// <summary>Independent standard normal entries: E[v vᵀ] = I, so g is unbiased.</summary>
    public static void FillGaussian(Probes rng, Span<double> tangents) => rng.FillGaussian(tangents);

    /// <summary>Independent standard normal entries: E[v vᵀ] = I, so g is unbiased.</summary>
    public static void FillGaussian(Probes rng, Span<float> tangents) => rng.FillGaussian(tangents);

    /// <summary>Independent ±1 entries: E[v vᵀ] = I and ‖v‖² = p exactly, which removes the Gaussian's extra 2‖∇f‖².</summary>
    public static void FillRademacher(Probes rng, Span<double> tangents) => rng.FillRademacher(tangents);

    /// <summary>Independent ±1 entries: E[v vᵀ] = I and ‖v‖² = p exactly, which removes the Gaussian's extra 2‖∇f‖².</summary>
    public static void FillRademacher(Probes rng, Span<float> tangents) => rng.FillRademacher(tangents);

    /// <summary>
    /// K = tangents.Length / p tangents that are orthogonal to each other, each of length √p: a
    /// uniformly random K-frame (Gram–Schmidt of Gaussian rows, which is Haar-distributed) times
    /// √p. Then (1/K) Σ_k (∇f·v_k) v_k = (p/K) P∇f with P the projection onto a random K-dimensional
    /// subspace, E[P] = (K/p) I: unbiased, and exact (error 0) when K = p.
    /// </summary>
    /// <param name="rng">The sampler.</param>
    /// <param name="tangents">Receives K·p values; K ≤ p.</param>
    /// <param name="p">The length of one tangent.</param>
    public static void FillOrthonormal(Probes rng, Span<double> tangents, int p)
    {
        if (p <= 0 || tangents.Length % p != 0)
            throw new ArgumentException($"'tangents' must hold K rows of length p = {p}, but has length {tangents.Length}.",
                nameof(tangents));
        int k = tangents.Length / p;
        if (k > p) throw new ArgumentException($"At most p = {p} orthogonal tangents exist; asked for {k}.", nameof(tangents));
        double scale = Math.Sqrt(p);
        for (int r = 0; r < k; r++)
        {
            var row = tangents.Slice(r * p, p);
            // A Gaussian row has, with probability 1, a nonzero part outside the span of the
            // previous rows; the loop redraws in the measure-zero case of a vanishing remainder.
            double norm;
            do
            {
                rng.FillGaussian(row);
                // Modified Gram–Schmidt, twice: one pass leaves errors of order ε·κ, the second
                // brings the rows orthogonal to working precision.
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int q = 0; q < r; q++)
                    {
                        var prev = tangents.Slice(q * p, p);
                        double dot = 0;
                        for (int i = 0; i < p; i++) dot += row[i] * prev[i];
                        dot /= p; // prev has squared length p
                        for (int i = 0; i < p; i++) row[i] -= dot * prev[i];
                    }
                }
                norm = 0;
                for (int i = 0; i < p; i++) norm += row[i] * row[i];
                norm = Math.Sqrt(norm);
            } while (!(norm > 1e-12));
            for (int i = 0; i < p; i++) row[i] *= scale / norm;
        }
    }

    /// <summary>cos∠(a, b) = a·b / (‖a‖ ‖b‖); 0 when either is zero. How well an estimate points along the true gradient.</summary>
    public static double CosineSimilarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Lengths differ: {a.Length} and {b.Length}.", nameof(b));
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    /// <summary>
    /// Activity perturbation (Ren et al. 2023): given an estimate of ∂L/∂h for a layer h = W a + b
    /// (<paramref name="activityGradient"/>, length n, from a forward gradient along tangents on h),
    /// adds the weight gradient it implies, the outer product ∂L/∂h ⊗ a, to
    /// <paramref name="weightGradient"/> (n × m, row-major) and ∂L/∂h to <paramref name="biasGradient"/>
    /// (length n; may be empty). The estimate then has the variance of an n-dimensional forward
    /// gradient instead of an n·m-dimensional one.
    /// </summary>
    public static void AddOuterProduct(ReadOnlySpan<double> activityGradient, ReadOnlySpan<double> input, Span<double> weightGradient,
        Span<double> biasGradient)
    {
        int n = activityGradient.Length, m = input.Length;
        if (weightGradient.Length != n * m)
            throw new ArgumentException($"'weightGradient' must have length {n} x {m}, but has length {weightGradient.Length}.",
                nameof(weightGradient));
        if (biasGradient.Length != 0 && biasGradient.Length != n)
            throw new ArgumentException($"'biasGradient' must be empty or have length {n}, but has length {biasGradient.Length}.",
                nameof(biasGradient));
        for (int j = 0; j < n; j++)
        {
            double g = activityGradient[j];
            var row = weightGradient.Slice(j * m, m);
            for (int i = 0; i < m; i++) row[i] += g * input[i];
            if (biasGradient.Length != 0) biasGradient[j] += g;
        }
    }
}

/// <summary>
/// Plain gradient descent, p ← p − η g, with the <c>Step</c> signature of <see cref="Adam"/> so a
/// training loop can take either.
/// </summary>
public sealed class Sgd
{
    /// <summary>Creates the optimizer with learning rate <paramref name="learningRate"/>.</summary>
    public Sgd(double learningRate)
    {
        if (!(learningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "Must be a non-negative number.");
        LearningRate = learningRate;
    }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>p ← p − η g.</summary>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        if (parameters.Length != gradient.Length)
            throw new ArgumentException($"'gradient' must have the length of 'parameters' ({parameters.Length}), but has length " +
                $"{gradient.Length}.", nameof(gradient));
        for (int i = 0; i < parameters.Length; i++) parameters[i] -= LearningRate * gradient[i];
    }

    /// <summary>p ← p − η g, computed in double and rounded once.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (parameters.Length != gradient.Length)
            throw new ArgumentException($"'gradient' must have the length of 'parameters' ({parameters.Length}), but has length " +
                $"{gradient.Length}.", nameof(gradient));
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(parameters[i] - LearningRate * gradient[i]);
    }
}
