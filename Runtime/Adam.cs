using System;

namespace Dsl;

/// <summary>
/// The Adam optimizer (Kingma &amp; Ba) with an optional linear learning-rate decay to zero, as
/// in the STDE paper's PINN benchmarks (lr 1e-3 decaying linearly to 0 over 10,000 steps) and
/// as <c>optax.adam(optax.linear_schedule(lr, 0, N))</c> computes it: step t (counting from 0)
/// uses lr·max(0, 1 − t/N); the update is p ← p − lr_t · m̂ / (√v̂ + ε) with bias-corrected
/// moments m̂ = m / (1 − β₁^(t+1)), v̂ = v / (1 − β₂^(t+1)). Moments are kept in double
/// precision whatever the parameters' type.
/// </summary>
public sealed class Adam
{
    private readonly double[] _m;
    private readonly double[] _v;
    private double _beta1Power = 1.0, _beta2Power = 1.0;

    /// <summary>Creates the optimizer for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">The length of the parameter and gradient spans passed to <c>Step</c>.</param>
    /// <param name="learningRate">The initial learning rate.</param>
    /// <param name="decaySteps">
    /// Number of steps N over which the learning rate decays linearly to 0 (step N and later use 0);
    /// 0 keeps it constant.
    /// </param>
    /// <param name="beta1">Decay of the first-moment average.</param>
    /// <param name="beta2">Decay of the second-moment average.</param>
    /// <param name="epsilon">Added to √v̂ in the denominator.</param>
    public Adam(int parameterCount, double learningRate = 1e-3, int decaySteps = 0,
                double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (parameterCount < 0) throw new ArgumentOutOfRangeException(nameof(parameterCount), parameterCount, "Must not be negative.");
        if (decaySteps < 0)
            throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "Must not be negative (0 means no decay).");
        if (!(learningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "Must be a non-negative number.");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Must be in [0, 1).");
        ParameterCount = parameterCount;
        LearningRate = learningRate;
        DecaySteps = decaySteps;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = new double[parameterCount];
        _v = new double[parameterCount];
    }

    /// <summary>The number of parameters the optimizer was made for.</summary>
    public int ParameterCount { get; }

    /// <summary>The initial learning rate.</summary>
    public double LearningRate { get; }

    /// <summary>Steps over which the learning rate decays linearly to 0; 0 for a constant rate.</summary>
    public int DecaySteps { get; }

    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>Added to √v̂ in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>How many steps have been taken.</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate the next <c>Step</c> will use.</summary>
    public double CurrentLearningRate => LearningRateAt(StepCount);

    /// <summary>The learning rate of step <paramref name="step"/> (counting from 0).</summary>
    /// <param name="step">The step index.</param>
    /// <returns>lr·max(0, 1 − step/N), or lr without decay.</returns>
    public double LearningRateAt(int step)
        => DecaySteps == 0 ? LearningRate : LearningRate * Math.Max(0.0, 1.0 - (double)step / DecaySteps);

    /// <summary>Takes one step: updates <paramref name="parameters"/> in place from <paramref name="gradient"/>.</summary>
    /// <param name="parameters">The parameters, length <see cref="ParameterCount"/>.</param>
    /// <param name="gradient">The gradient of the loss at <paramref name="parameters"/>, same length.</param>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        CheckLengths(parameters.Length, gradient.Length);
        double lr = Advance(out double c1, out double c2);
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] -= Update(i, gradient[i], lr, c1, c2);
    }

    /// <summary>Takes one step: updates <paramref name="parameters"/> in place from <paramref name="gradient"/>.</summary>
    /// <param name="parameters">The parameters, length <see cref="ParameterCount"/>.</param>
    /// <param name="gradient">The gradient of the loss at <paramref name="parameters"/>, same length.</param>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        CheckLengths(parameters.Length, gradient.Length);
        double lr = Advance(out double c1, out double c2);
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = (float)(parameters[i] - Update(i, gradient[i], lr, c1, c2));
    }

    /// <summary>Forgets the moments and the step count.</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        _beta1Power = _beta2Power = 1.0;
        StepCount = 0;
    }

    private void CheckLengths(int parameters, int gradient)
    {
        if (parameters != ParameterCount)
            throw new ArgumentException(
                $"'parameters' must have length {ParameterCount} (the optimizer's parameter count), but has length {parameters}.",
                nameof(parameters));
        if (gradient != ParameterCount)
            throw new ArgumentException(
                $"'gradient' must have length {ParameterCount} (the optimizer's parameter count), but has length {gradient}.",
                nameof(gradient));
    }

    private double Advance(out double c1, out double c2)
    {
        double lr = CurrentLearningRate;
        StepCount++;
        _beta1Power *= Beta1;
        _beta2Power *= Beta2;
        c1 = 1.0 / (1.0 - _beta1Power);
        c2 = 1.0 / (1.0 - _beta2Power);
        return lr;
    }

    private double Update(int i, double g, double lr, double c1, double c2)
    {
        double m = _m[i] = Beta1 * _m[i] + (1 - Beta1) * g;
        double v = _v[i] = Beta2 * _v[i] + (1 - Beta2) * g * g;
        return lr * (m * c1) / (Math.Sqrt(v * c2) + Epsilon);
    }
}
