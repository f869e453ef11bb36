using System;

namespace Dsl;

/// <summary>A function of a point x and parameters θ: f(x; θ), or δF/δf at x on f(·; θ).</summary>
public delegate double ParametrizedFunction(ReadOnlySpan<double> x, ReadOnlySpan<double> theta);

/// <summary>∂f/∂θ at x, written into <c>gradient</c> (length of θ); a generated <c>[Gradient]</c> of f with respect to θ.</summary>
public delegate void ParameterGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, Span<double> gradient);

/// <summary>A kernel K(x, y) of a nonlocal functional.</summary>
public delegate double Kernel2(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

/// <summary>
/// Functionals by quadrature: F[f] = ∫ L dx, the gradient of F[f(·; θ)] with respect to θ from a
/// functional derivative, gradient descent on θ, and the Hartree-like nonlocal functional
/// F[f] = ∬ f(x) K(x, y) f(y) dx dy with δF/δf(x) = ∫ (K(x, y) + K(y, x)) f(y) dy.
/// </summary>
public static class Functionals
{
    /// <summary>
    /// dF/dθ = ∫ δF/δf(x) ∂f/∂θ(x) dx on the grid, written into <paramref name="gradient"/>. This is the chain
    /// rule through f when the boundary terms [∂L/∂∇f · ∂f/∂θ] vanish (f(·; θ) fixed on the boundary for every θ,
    /// or decaying). <paramref name="derivative"/> is δF/δf on f(·; θ) (a <c>[FunctionalDerivative(…, Of = …)]</c>).
    /// </summary>
    public static void Gradient(QuadratureGrid grid, ReadOnlySpan<double> theta, ParametrizedFunction derivative,
        ParameterGradient parameterGradient, Span<double> gradient)
    {
        if (gradient.Length != theta.Length)
            throw new ArgumentException($"'gradient' must have the length of 'theta' ({theta.Length}), but has {gradient.Length}.");
        gradient.Clear();
        Span<double> df = theta.Length <= 256 ? stackalloc double[theta.Length] : new double[theta.Length];
        for (var k = 0; k < grid.Count; k++)
        {
            var x = grid.Point(k);
            var w = grid.Weight(k) * derivative(x, theta);
            parameterGradient(x, theta, df);
            for (var j = 0; j < theta.Length; j++) gradient[j] += w * df[j];
        }
    }

    /// <summary>
    /// Functional gradient descent: θ ← θ − η dF/dθ with dF/dθ from <see cref="Gradient"/>, η chosen per step by
    /// backtracking (halved from <paramref name="step"/> until F decreases by at least η|g|²/2, Armijo). Stops
    /// after <paramref name="steps"/> steps or when |g| &lt; <paramref name="tolerance"/>; θ is updated in place.
    /// Returns the F of the final θ; <paramref name="progress"/>, if given, sees (step, F, |g|) after each step.
    /// </summary>
    public static double Descend(QuadratureGrid grid, Span<double> theta, Func<double[], double> functional,
        ParametrizedFunction derivative, ParameterGradient parameterGradient, int steps, double step = 1,
        double tolerance = 1e-10, Action<int, double, double>? progress = null)
    {
        var current = theta.ToArray();
        var g = new double[current.Length];
        var trial = new double[current.Length];
        var value = functional(current);
        var eta = step;
        for (var s = 0; s < steps; s++)
        {
            Gradient(grid, current, derivative, parameterGradient, g);
            double g2 = 0;
            foreach (var v in g) g2 += v * v;
            if (Math.Sqrt(g2) < tolerance) break;
            eta = Math.Min(2 * eta, step);
            double next;
            while (true)
            {
                for (var j = 0; j < current.Length; j++) trial[j] = current[j] - eta * g[j];
                next = functional(trial);
                if (next <= value - 0.5 * eta * g2 || eta < 1e-14) break;
                eta *= 0.5;
            }
            if (!(next < value)) break;
            Array.Copy(trial, current, current.Length);
            value = next;
            progress?.Invoke(s, value, Math.Sqrt(g2));
        }
        current.CopyTo(theta);
        return value;
    }

    /// <summary>F[f] = Σ_a Σ_b w_a w_b f(x_a) K(x_a, x_b) f(x_b) on the grid.</summary>
    public static double Nonlocal(QuadratureGrid grid, Kernel2 kernel, PointFunction f)
    {
        var fs = Values(grid, f);
        double sum = 0;
        for (var a = 0; a < grid.Count; a++)
        {
            double inner = 0;
            for (var b = 0; b < grid.Count; b++) inner += grid.Weight(b) * kernel(grid.Point(a), grid.Point(b)) * fs[b];
            sum += grid.Weight(a) * fs[a] * inner;
        }
        return sum;
    }

    /// <summary>δF/δf(x) = Σ_b w_b (K(x, x_b) + K(x_b, x)) f(x_b) for the nonlocal F of <see cref="Nonlocal"/>, at any x.</summary>
    public static double NonlocalDerivative(QuadratureGrid grid, Kernel2 kernel, PointFunction f, ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (var b = 0; b < grid.Count; b++)
        {
            var y = grid.Point(b);
            sum += grid.Weight(b) * (kernel(x, y) + kernel(y, x)) * f(y);
        }
        return sum;
    }

    private static double[] Values(QuadratureGrid grid, PointFunction f)
    {
        var fs = new double[grid.Count];
        for (var k = 0; k < grid.Count; k++) fs[k] = f(grid.Point(k));
        return fs;
    }
}
