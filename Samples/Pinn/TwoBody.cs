using System;

namespace Pinn;

/// <summary>
/// The STDE paper's "two-body" exact solution on the unit ball in d dimensions:
/// u(x) = (1 − ‖x‖²) Σ_{i=0}^{d−2} c_i sin(ψ_i), ψ_i = x_i + cos x_{i+1} + x_{i+1} cos x_i,
/// and its Laplacian, derived by hand (no automatic differentiation):
/// with u = u1·u2, u1 = 1 − ‖x‖², ∇u1 = −2x, Δu1 = −2d,
/// Δu = u1 Δu2 + 2 ∇u1·∇u2 + u2 Δu1 = u1 Δu2 − 4 x·∇u2 − 2d u2, where
/// Δ sin ψ_i = cos ψ_i Δψ_i − sin ψ_i ‖∇ψ_i‖², ∂ψ_i/∂x_i = 1 − x_{i+1} sin x_i,
/// ∂ψ_i/∂x_{i+1} = cos x_i − sin x_{i+1}, ∂²ψ_i/∂x_i² = −x_{i+1} cos x_i,
/// ∂²ψ_i/∂x_{i+1}² = −cos x_{i+1}.
/// </summary>
public sealed class TwoBody
{
    /// <summary>The d − 1 coefficients c_i.</summary>
    public double[] C { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    public TwoBody(double[] c)
    {
        C = c;
        Dimension = c.Length + 1;
    }

    private static double Norm2(ReadOnlySpan<float> x)
    {
        double r2 = 0;
        for (int k = 0; k < x.Length; k++) r2 += (double)x[k] * x[k];
        return r2;
    }

    /// <summary>u(x).</summary>
    public double Value(ReadOnlySpan<float> x)
    {
        double u2 = 0;
        for (int i = 0; i + 1 < Dimension; i++)
        {
            double a = x[i], b = x[i + 1];
            u2 += C[i] * Math.Sin(a + Math.Cos(b) + b * Math.Cos(a));
        }
        return (1 - Norm2(x)) * u2;
    }

    /// <summary>Δu(x), from the closed form in the class summary.</summary>
    public double Laplacian(ReadOnlySpan<float> x)
    {
        int d = Dimension;
        double u2 = 0, lap2 = 0, xDotGrad2 = 0;
        for (int i = 0; i + 1 < d; i++)
        {
            double a = x[i], b = x[i + 1];
            double sa = Math.Sin(a), ca = Math.Cos(a), sb = Math.Sin(b), cb = Math.Cos(b);
            double psi = a + cb + b * ca;
            double s = Math.Sin(psi), c = Math.Cos(psi);
            double da = 1 - b * sa, db = ca - sb;          // ∂ψ/∂x_i, ∂ψ/∂x_{i+1}
            double daa = -b * ca, dbb = -cb;               // second derivatives
            u2 += C[i] * s;
            lap2 += C[i] * (c * (daa + dbb) - s * (da * da + db * db));
            xDotGrad2 += C[i] * c * (a * da + b * db);     // x · ∇(c_i sin ψ_i)
        }
        double u1 = 1 - Norm2(x);
        return u1 * lap2 - 4 * xDotGrad2 - 2 * d * u2;
    }
}
