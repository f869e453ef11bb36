using System;
using Dsl;

namespace ForwardGradientSample;

/// <summary>A way to get a gradient (exact or estimated) of the batch loss for the parameters it trains.</summary>
public abstract class Method
{
    /// <summary>The method's name in tables and plots.</summary>
    public abstract string Name { get; }

    /// <summary>How many parameters it trains: θ (first <see cref="Mlp.P"/>) and anything it adds (local heads).</summary>
    public virtual int ParameterCount => Mlp.P;

    /// <summary>Initial values of the parameters beyond θ.</summary>
    public virtual void InitializeExtra(Span<double> extra, Probes rng) { }

    /// <summary>Writes the gradient (or its estimate) of the batch loss at <paramref name="parameters"/> into <paramref name="grad"/>.</summary>
    public abstract void Gradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> grad,
        Probes rng);
}

/// <summary>Backpropagation: the generated reverse-mode gradient (forward sweep, tape, reverse sweep).</summary>
public sealed class Backprop : Method
{
    public override string Name => "backprop";

    public override void Gradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> grad,
        Probes rng) => Mlp.LossGradient(parameters, xs, ys, grad);
}

/// <summary>Weight perturbation: the generated forward gradient over all of θ with K Gaussian tangents (one vector-mode pass).</summary>
public sealed class WeightPerturbation : Method
{
    private readonly double[] _tangents;
    private readonly int _k;

    public WeightPerturbation(int k)
    {
        if (k is not (1 or 4 or 16)) throw new ArgumentException("K must be 1, 4 or 16 (the generated lane counts)", nameof(k));
        _k = k;
        _tangents = new double[k * Mlp.P];
    }

    public override string Name => $"weight perturbation (K = {_k})";

    public override void Gradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> grad,
        Probes rng)
    {
        Tangents.FillGaussian(rng, _tangents);
        _ = _k switch
        {
            1 => Mlp.LossForwardGradient1(parameters, xs, ys, _tangents, grad),
            4 => Mlp.LossForwardGradient4(parameters, xs, ys, _tangents, grad),
            _ => Mlp.LossForwardGradient16(parameters, xs, ys, _tangents, grad),
        };
    }
}

/// <summary>
/// Activity perturbation with local losses (Ren et al. 2023): per point, each layer's weights get
/// the outer product of a forward-gradient estimate of ∂(local loss)/∂h with the layer's input.
/// Hidden layer l's local loss is a linear head's cross-entropy on tanh(h_l) (heads trained the
/// same way, by activity perturbation on their 3 logits); the output layer's is the loss itself.
/// No gradient crosses a block: no backpropagation at all. K = 4 Gaussian tangents per activity.
/// </summary>
public sealed class ActivityPerturbation : Method
{
    private const int K = 4;
    private readonly double[] _h1 = new double[Mlp.H], _a1 = new double[Mlp.H], _h2 = new double[Mlp.H], _a2 = new double[Mlp.H];
    private readonly double[] _z = new double[Mlp.C], _zHead = new double[Mlp.C];
    private readonly double[] _gh = new double[Mlp.H], _gz = new double[Mlp.C];
    private readonly double[] _th = new double[K * Mlp.H], _tz = new double[K * Mlp.C];

    public override string Name => "activity perturbation + local losses (K = 4)";

    public override int ParameterCount => Mlp.P + 2 * Mlp.HeadSize;

    public override void InitializeExtra(Span<double> extra, Probes rng) => InitializeHeads(extra, rng);

    /// <summary>The two local heads: weights N(0, 1/32), biases 0.</summary>
    public static void InitializeHeads(Span<double> extra, Probes rng)
    {
        extra.Clear();
        for (int head = 0; head < 2; head++)
        {
            var w = extra.Slice(head * Mlp.HeadSize, Mlp.C * Mlp.H);
            rng.FillGaussian(w);
            for (int i = 0; i < w.Length; i++) w[i] /= Math.Sqrt(Mlp.H);
        }
    }

    public override void Gradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> grad,
        Probes rng)
    {
        grad.Clear();
        var theta = parameters.Slice(0, Mlp.P);
        int n = xs.Length / Mlp.In;
        for (int b = 0; b < n; b++)
        {
            var x = xs.Slice(b * Mlp.In, Mlp.In);
            var y = ys.Slice(b * Mlp.C, Mlp.C);
            Mlp.Forward(theta, x, _h1, _a1, _h2, _a2, _z);
            // Output layer: its local loss is the loss; tangents on the 3 logits.
            Tangents.FillGaussian(rng, _tz);
            Mlp.LogitLossForwardGradient(_z, y, _tz, _gz);
            Tangents.AddOuterProduct(_gz, _a2, grad.Slice(Mlp.W3, Mlp.C * Mlp.H), grad.Slice(Mlp.B3, Mlp.C));
            Block(parameters, grad, 1, _h2, _a2, _a1, y, rng, Mlp.W2, Mlp.B2);
            Block(parameters, grad, 0, _h1, _a1, x, y, rng, Mlp.W1, Mlp.B1);
        }
        for (int i = 0; i < grad.Length; i++) grad[i] /= n;
    }

    /// <summary>Hidden layer with pre-activations h, activations a and input: its weights from its head's loss, the head from its logits.</summary>
    private void Block(ReadOnlySpan<double> parameters, Span<double> grad, int headIndex, double[] h, double[] a, ReadOnlySpan<double> input,
        ReadOnlySpan<double> y, Probes rng, int w, int bias)
    {
        int offset = Mlp.P + headIndex * Mlp.HeadSize;
        var head = parameters.Slice(offset, Mlp.HeadSize);
        Tangents.FillGaussian(rng, _th);
        Mlp.HiddenLocalLossForwardGradient(h, head, y, _th, _gh);
        Tangents.AddOuterProduct(_gh, input, grad.Slice(w, Mlp.H * input.Length), grad.Slice(bias, Mlp.H));
        // The head: logits from a, tangents on them.
        Mlp.Dense(head.Slice(0, Mlp.C * Mlp.H), head.Slice(Mlp.C * Mlp.H, Mlp.C), a, _zHead);
        Tangents.FillGaussian(rng, _tz);
        Mlp.LogitLossForwardGradient(_zHead, y, _tz, _gz);
        Tangents.AddOuterProduct(_gz, a, grad.Slice(offset, Mlp.C * Mlp.H), grad.Slice(offset + Mlp.C * Mlp.H, Mlp.C));
    }
}

/// <summary>
/// Guessed directions (Fournier et al. 2023): per layer, the guess is the gradient of that layer's local loss (its
/// head's cross-entropy; the loss itself for the output layer), exact and local (∂/∂h by a small generated gradient,
/// then the outer product with the layer's input); the forward gradient projects the true gradient onto the three
/// guesses in one 3-lane pass: (1/3) Σ_l (∇Loss·u_l) u_l / ‖u_l‖². Biased (only the part of ∇Loss along the guesses
/// survives), and no tangent noise. The heads learn from their own exact local gradients.
/// </summary>
public sealed class LocalGuess : Method
{
    private readonly double[] _h1 = new double[Mlp.H], _a1 = new double[Mlp.H], _h2 = new double[Mlp.H], _a2 = new double[Mlp.H];
    private readonly double[] _z = new double[Mlp.C], _zHead = new double[Mlp.C];
    private readonly double[] _gh = new double[Mlp.H], _gz = new double[Mlp.C];
    private readonly double[] _guesses = new double[3 * Mlp.P];

    public override string Name => "guessed directions: local-loss gradients (K = 3)";

    public override int ParameterCount => Mlp.P + 2 * Mlp.HeadSize;

    public override void InitializeExtra(Span<double> extra, Probes rng) => ActivityPerturbation.InitializeHeads(extra, rng);

    public override void Gradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> grad,
        Probes rng)
    {
        grad.Clear();
        Array.Clear(_guesses);
        var theta = parameters.Slice(0, Mlp.P);
        // Guess l lives in row l of the guesses, in layer l's range of θ only.
        var u1 = _guesses.AsSpan(0, Mlp.P);
        var u2 = _guesses.AsSpan(Mlp.P, Mlp.P);
        var u3 = _guesses.AsSpan(2 * Mlp.P, Mlp.P);
        int n = xs.Length / Mlp.In;
        for (int b = 0; b < n; b++)
        {
            var x = xs.Slice(b * Mlp.In, Mlp.In);
            var y = ys.Slice(b * Mlp.C, Mlp.C);
            Mlp.Forward(theta, x, _h1, _a1, _h2, _a2, _z);
            Mlp.LogitLossGradient(_z, y, _gz);
            Tangents.AddOuterProduct(_gz, _a2, u3.Slice(Mlp.W3, Mlp.C * Mlp.H), u3.Slice(Mlp.B3, Mlp.C));
            Block(parameters, grad, 1, _h2, _a2, _a1, y, u2.Slice(Mlp.W2, Mlp.H * Mlp.H), u2.Slice(Mlp.B2, Mlp.H));
            Block(parameters, grad, 0, _h1, _a1, x, y, u1.Slice(Mlp.W1, Mlp.H * Mlp.In), u1.Slice(Mlp.B1, Mlp.H));
        }
        for (int i = Mlp.P; i < grad.Length; i++) grad[i] /= n;
        Mlp.LossProjection(theta, xs, ys, _guesses, grad.Slice(0, Mlp.P));
    }

    private void Block(ReadOnlySpan<double> parameters, Span<double> grad, int headIndex, double[] h, double[] a, ReadOnlySpan<double> input,
        ReadOnlySpan<double> y, Span<double> guessW, Span<double> guessB)
    {
        int offset = Mlp.P + headIndex * Mlp.HeadSize;
        var head = parameters.Slice(offset, Mlp.HeadSize);
        Mlp.HiddenLocalLossGradient(h, head, y, _gh);
        Tangents.AddOuterProduct(_gh, input, guessW, guessB);
        Mlp.Dense(head.Slice(0, Mlp.C * Mlp.H), head.Slice(Mlp.C * Mlp.H, Mlp.C), a, _zHead);
        Mlp.LogitLossGradient(_zHead, y, _gz);
        Tangents.AddOuterProduct(_gz, a, grad.Slice(offset, Mlp.C * Mlp.H), grad.Slice(offset + Mlp.C * Mlp.H, Mlp.C));
    }
}
