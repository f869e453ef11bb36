using System;

namespace Dsl;

/// <summary>
/// Marks a static method whose body is a primal: ordinary C# in the differentiable subset
/// (see the README). The generator lowers it to IR; derivative methods declared with
/// <see cref="JvpAttribute"/>, <see cref="GradientAttribute"/> and the other transform
/// attributes name it with <c>nameof</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class DifferentiableAttribute : Attribute
{
}

/// <summary>Base of the attributes that ask the generator for a derivative body.</summary>
public abstract class TransformAttribute : Attribute
{
    /// <summary>Creates the attribute for the primal named <paramref name="primal"/>.</summary>
    protected TransformAttribute(string primal) => Primal = primal;

    /// <summary>The primal method, in the same type (use <c>nameof</c>).</summary>
    public string Primal { get; }

    /// <summary>
    /// Comma-separated names of the differentiated parameters. Default: every
    /// <c>float</c>/<c>double</c> parameter and every span or array of them.
    /// </summary>
    public string? Wrt { get; set; }
}

/// <summary>
/// Forward mode (Jacobian-vector product). Declare on a <c>static partial</c> method in the
/// primal's type. Parameters: the primal's parameters in order, each differentiated one
/// immediately followed by its tangent (same type; <c>ReadOnlySpan&lt;T&gt;</c> for span and
/// array parameters), then one trailing <c>out T</c> receiving the tangent of the result.
/// Returns the primal's value.
/// </summary>
/// <example>
/// <code>
/// [Differentiable] static double F(double x, ReadOnlySpan&lt;double&gt; w) { ... }
/// [Jvp(nameof(F))]
/// static partial double FJvp(double x, double dx, ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; dw, out double dF);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class JvpAttribute : TransformAttribute
{
    /// <summary>Asks for the JVP of <paramref name="primal"/>.</summary>
    public JvpAttribute(string primal) : base(primal) { }
}

/// <summary>
/// Reverse mode (gradient). Declare on a <c>static partial</c> method in the primal's type.
/// Parameters: the primal's parameters in order, then one adjoint per differentiated
/// parameter, in order: <c>out T</c> for a scalar, <c>Span&lt;T&gt;</c> (overwritten) for a
/// span or array. Returns the primal's value.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class GradientAttribute : TransformAttribute
{
    /// <summary>Asks for the gradient of <paramref name="primal"/>.</summary>
    public GradientAttribute(string primal) : base(primal) { }
}

/// <summary>
/// Hessian-vector product by forward-over-reverse: the JVP of the generated gradient.
/// Parameters: the primal's parameters in order; then one direction per differentiated
/// parameter (<c>T</c>, or <c>ReadOnlySpan&lt;T&gt;</c> for a span); then one gradient output
/// per differentiated parameter (<c>out T</c> or <c>Span&lt;T&gt;</c>); then one output per
/// differentiated parameter receiving H·v (<c>out T</c> or <c>Span&lt;T&gt;</c>). Returns the
/// primal's value. The primal must return a float or double.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class HvpAttribute : TransformAttribute
{
    /// <summary>Asks for the Hessian-vector product of <paramref name="primal"/>.</summary>
    public HvpAttribute(string primal) : base(primal) { }
}

/// <summary>
/// Vector-Jacobian product of a primal that writes <c>Span&lt;T&gt;</c> outputs (and may also
/// return a value). Parameters: the primal's parameters in order; then the cotangent seeds:
/// a <c>T</c> for the returned value (if the primal returns one), then a
/// <c>ReadOnlySpan&lt;T&gt;</c> per output span, in order; then one adjoint per differentiated
/// input parameter (<c>out T</c> for a scalar, <c>Span&lt;T&gt;</c>, overwritten, for a span).
/// Returns what the primal returns; the output spans are written as the primal writes them.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class VjpAttribute : TransformAttribute
{
    /// <summary>Asks for the VJP of <paramref name="primal"/>.</summary>
    public VjpAttribute(string primal) : base(primal) { }
}

/// <summary>
/// Univariate Taylor mode (a jet) of order <see cref="Order"/> along the one parameter named
/// by <c>Wrt</c>. Parameters: the primal's parameters in order; then the input jet of the Wrt
/// parameter (<c>ReadOnlySpan&lt;T&gt;</c>: v_1..v_K for a scalar; K·d values, row-major —
/// entry (j−1)·d + i is v_j[i] — for a span of length d); then a <c>Span&lt;T&gt;</c> of
/// length K + 1 receiving y_0..y_K. Convention of JAX's <c>jet</c>: the input curve is
/// x(t) = a + Σ_j v_j t^j / j!, and y_k = d^k/dt^k f(x(t)) at t = 0.
/// <para>
/// Vector mode: with <see cref="Jets"/> = P, P jets go through one pass that computes the
/// primal once. The input then holds P jets one after another (P·K values for a scalar,
/// P·K·d for a span: entry (p·K + j − 1)·d + i is v_j[i] of jet p), and the output has length
/// 1 + P·K: y_0, then y_1..y_K of jet 0, of jet 1, and so on (y_k of jet p at 1 + p·K + k − 1).
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class TaylorAttribute : TransformAttribute
{
    /// <summary>Asks for the Taylor expansion of <paramref name="primal"/>.</summary>
    public TaylorAttribute(string primal) : base(primal) { }

    /// <summary>The order K of the jet (1 to 12).</summary>
    public int Order { get; set; } = 2;

    /// <summary>How many jets share one primal pass (vector mode; 1 to 16, default 1).</summary>
    public int Jets { get; set; } = 1;
}

/// <summary>How a differential operator is evaluated.</summary>
public enum Estimator
{
    /// <summary>Exactly: one Taylor jet per coordinate (d jets for a Laplacian in d dimensions).</summary>
    Exact = 0,

    /// <summary>
    /// Hutchinson-style STDE with dense probes v (E[v vᵀ] = I): the estimate is the mean of
    /// y2(a; v_s, 0) over the probes. Pass Rademacher probes (minimum variance) or Gaussian ones.
    /// </summary>
    Dense = 1,

    /// <summary>
    /// STDE over sampled coordinates: probes are unit vectors e_j for |J| coordinates drawn
    /// without replacement; the estimate is (d/|J|) Σ_j y2(a; e_j, 0).
    /// </summary>
    Sparse = 2,
}

/// <summary>
/// The Laplacian Δu = Σ_i ∂²u/∂x_i² of the primal with respect to its span parameter named by
/// <c>Wrt</c>, from second-order Taylor jets. <see cref="Estimator.Exact"/>: the primal's
/// parameters, returns Δu. <see cref="Estimator.Dense"/> and <see cref="Estimator.Sparse"/>
/// (STDE): the primal's parameters, then <c>ReadOnlySpan&lt;T&gt; probes</c> holding V probe
/// vectors of length d, row-major; returns the unbiased estimate. Generated operators are
/// differentiable: call them from a <c>[Differentiable]</c> method and take its gradient.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class LaplacianAttribute : TransformAttribute
{
    /// <summary>Asks for the Laplacian of <paramref name="primal"/>.</summary>
    public LaplacianAttribute(string primal) : base(primal) { }

    /// <summary>Exact, or which stochastic estimator.</summary>
    public Estimator Estimator { get; set; } = Estimator.Exact;

    /// <summary>
    /// How many jets run through one pass that shares the primal (vector mode; 1 to 16,
    /// default 4). The pass carries the jets' second-order coefficients as one sum (collapsed
    /// Taylor mode): a chunk of L jets costs about L + 2 primal passes, not 2L + 1. Jets are
    /// taken in chunks of this size; from 8 lanes on, one chunk of half the size takes what is
    /// left when that many are; what is then left shares one chunk (its other lanes along zero)
    /// when that is cheaper (3 or more for chunks of 4, 4 or more for 8), else runs one at a
    /// time. 8 pays from 8 probes on (16 probes, d = 100: about 10 % faster than 4).
    /// </summary>
    public int Lanes { get; set; } = 4;
}

/// <summary>
/// The biharmonic Δ²u of the primal with respect to its span parameter named by <c>Wrt</c>,
/// from fourth-order Taylor jets. <see cref="Estimator.Exact"/>: the primal's parameters
/// (d + d(d−1) jets, by polarization). <see cref="Estimator.Dense"/>: the primal's parameters,
/// then <c>ReadOnlySpan&lt;T&gt; probes</c> of V standard Gaussian vectors of length d; the
/// estimate is the mean of y4(v, 0, 0, 0) over the probes divided by 3 (unbiased).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class BiharmonicAttribute : TransformAttribute
{
    /// <summary>Asks for the biharmonic of <paramref name="primal"/>.</summary>
    public BiharmonicAttribute(string primal) : base(primal) { }

    /// <summary>Exact or dense (Gaussian probes).</summary>
    public Estimator Estimator { get; set; } = Estimator.Exact;

    /// <summary>
    /// How many jets run through one pass that shares the primal (vector mode; 1 to 16,
    /// default 4). Jets are taken in chunks of this size; the remainder runs one at a time.
    /// </summary>
    public int Lanes { get; set; } = 4;
}

/// <summary>
/// One mixed partial derivative with respect to elements of the span parameter named by
/// <c>Wrt</c>. The partial is written as the list of differentiated elements:
/// <c>"x[0] x[0] x[1]"</c> is ∂³u/∂x₀²∂x₁. The generator reads it off one Taylor jet whose slots
/// make the target the only term of its order (order ≤ 12), or combines several jets of the
/// partial's order p ≤ 8 with exact weights, whichever costs fewer jets × order, and reports
/// when neither exists. Parameters: the primal's parameters; returns the derivative.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class DerivativeAttribute : TransformAttribute
{
    /// <summary>Asks for the partial derivative <paramref name="partial"/> of <paramref name="primal"/>.</summary>
    public DerivativeAttribute(string primal, string partial) : base(primal) => Partial = partial;

    /// <summary>The differentiated elements, e.g. <c>"x[0] x[0] x[1]"</c>.</summary>
    public string Partial { get; }
}

/// <summary>
/// The diffusion term ½ tr(σσᵀ ∇²u) of a second-order SDE / Kolmogorov operator, with respect to
/// the span parameter named by <c>Wrt</c> (length d), from second-order Taylor jets along the
/// columns of σ. Parameters: the primal's parameters, then <c>ReadOnlySpan&lt;T&gt; sigma</c>, a
/// d × m matrix row-major (m = sigma.Length / d; m = d for a square σ); for
/// <see cref="Estimator.Dense"/> and <see cref="Estimator.Sparse"/> then
/// <c>ReadOnlySpan&lt;T&gt; probes</c> holding V probe vectors p of length m (E[p pᵀ] = I; sparse:
/// unit vectors e_j, |J| columns drawn without replacement). Exact: ½ Σ_j y2(σ e_j), m jets;
/// dense: ½ mean of y2(σp); sparse: ½ (m/|J|) Σ y2(σ e_j). Returns the value or the unbiased estimate.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class DiffusionAttribute : TransformAttribute
{
    /// <summary>Asks for the diffusion term of <paramref name="primal"/>.</summary>
    public DiffusionAttribute(string primal) : base(primal) { }

    /// <summary>Exact, or which stochastic estimator.</summary>
    public Estimator Estimator { get; set; } = Estimator.Exact;

    /// <summary>
    /// How many jets run through one pass that shares the primal (vector mode; 1 to 16,
    /// default 4). Jets are taken in chunks of this size; the remainder runs one at a time.
    /// </summary>
    public int Lanes { get; set; } = 4;
}

/// <summary>
/// A general second-order operator Σ_ij C_ij ∂²u/∂x_i∂x_j = tr(C ∇²u) with respect to the span
/// parameter named by <c>Wrt</c> (length d), for any d × d matrix C (row-major; symmetric or not,
/// definite or not — only its symmetric part matters). Parameters: the primal's parameters,
/// then <c>ReadOnlySpan&lt;T&gt; c</c> (d·d values); for <see cref="Estimator.Dense"/> and
/// <see cref="Estimator.Sparse"/> then <c>ReadOnlySpan&lt;T&gt; probes</c> with V probe vectors
/// of length d. Each term vᵀ∇²u(Cv) is a mixed second derivative read off two 2-jets by
/// polarization, [y2(v + Cv) − y2(v − Cv)] / 4, so C needs no factorization. Exact: v = e_i for
/// every i (2d jets); dense: mean over probes (E[v vᵀ] = I); sparse (v = e_j): (d/|J|) × sum.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class SecondOrderAttribute : TransformAttribute
{
    /// <summary>Asks for the second-order operator tr(C ∇²u) of <paramref name="primal"/>.</summary>
    public SecondOrderAttribute(string primal) : base(primal) { }

    /// <summary>Exact, or which stochastic estimator.</summary>
    public Estimator Estimator { get; set; } = Estimator.Exact;

    /// <summary>
    /// How many jets run through one pass that shares the primal (vector mode; 1 to 16,
    /// default 4). Jets are taken in chunks of this size; the remainder runs one at a time.
    /// </summary>
    public int Lanes { get; set; } = 4;
}

/// <summary>
/// The functional derivative δF/δf (the Euler–Lagrange expression) of a local functional
/// F[f] = ∫ L(x, f(x), ∇f(x)) dx, declared by its density L, a <c>[Differentiable]</c> method
/// <c>L(x, f)</c> or <c>L(x, f, grad)</c> with x a <c>T</c> or a <c>ReadOnlySpan&lt;T&gt;</c> of length d
/// and grad of x's type. The generator derives δF/δf = ∂L/∂f − Σ_i D_i(∂L/∂p_i) by nested
/// automatic differentiation of L (Hessian-vector products along the total derivative D_i);
/// no rule is written by hand. Parameters: L's parameters, then, when L takes grad, the second
/// derivatives of f: <c>T</c> (f'') for a scalar x, <c>ReadOnlySpan&lt;T&gt;</c> (the d × d Hessian,
/// row-major) for a span x. With <see cref="Of"/> naming a <c>[Differentiable]</c> method
/// <c>f(x, params…)</c>, the parameters are f's instead and f, ∇f, ∇²f come from Taylor mode.
/// Returns δF/δf at x.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FunctionalDerivativeAttribute : TransformAttribute
{
    /// <summary>Asks for δF/δf of the functional whose density is <paramref name="density"/>.</summary>
    public FunctionalDerivativeAttribute(string density) : base(density) { }

    /// <summary>
    /// A <c>[Differentiable]</c> method f(x, params…) of the same type: the generated method then takes
    /// f's parameters and returns δF/δf evaluated on f at x (default: none, f and its derivatives are passed).
    /// </summary>
    public string? Of { get; set; }
}

/// <summary>
/// An ILGPU kernel that runs the method named <see cref="TransformAttribute.Primal"/> (a <c>[Differentiable]</c>
/// primal or any generated method of the same type) once per item of a batch. Declare a
/// <c>static partial void</c> method whose first parameter is <c>ILGPU.Index1D item</c>, followed
/// by the method's parameters in order: a span becomes an <c>ILGPU.ArrayView&lt;T&gt;</c> (the
/// per-item ones, see <see cref="PerItem"/>, hold one row per item, all rows of equal length; the
/// others are shared and passed whole), a scalar stays as it is (shared), an <c>out T</c> becomes
/// an <c>ArrayView&lt;T&gt;</c> with one element per item; a method that returns a value ends with
/// <c>ArrayView&lt;T&gt; result</c>, one element per item, whose length is the item count.
/// The project must reference the ILGPU package. Next to the kernel the generator writes a nested class
/// <c>{Name}Launcher</c> that runs the batch on the CPU cores (the plain generated method) or on an ILGPU
/// accelerator, checks every length on the host, sizes the tape and scratch, and sums the <see cref="Sum"/> outputs.
/// </summary>
/// <example>
/// <code>
/// [Differentiable] static double F(ReadOnlySpan&lt;double&gt; x, ReadOnlySpan&lt;double&gt; w, double s) { ... }
/// [Kernel(nameof(F), PerItem = "x")]
/// static partial void FKernel(Index1D item, ArrayView&lt;double&gt; x, ArrayView&lt;double&gt; w, double s,
///     ArrayView&lt;double&gt; result);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class KernelAttribute : TransformAttribute
{
    /// <summary>Asks for a kernel that runs <paramref name="method"/> per item (<see cref="TransformAttribute.Primal"/>).</summary>
    public KernelAttribute(string method) : base(method) { }

    /// <summary>
    /// Comma-separated names of the inputs that differ per item: a span named here holds one row per item, a
    /// scalar named here becomes an <c>ArrayView&lt;T&gt;</c> with one value per item. Default: every span
    /// parameter (and no scalar). Writable spans (outputs) are always per item. (<c>Wrt</c> does not apply to a kernel.)
    /// </summary>
    public string? PerItem { get; set; }

    /// <summary>
    /// Comma-separated names of the outputs the generated launcher sums over the items (a writable span, an
    /// <c>out</c> scalar, or <c>result</c>; float or double): a loss, a parameter gradient. The kernel still writes one
    /// row (or value) per item; the launcher adds them in a fixed order (<c>Dsl.KernelLauncher</c>), so the sum is
    /// the same on every run and every number of cores. Default: none (every output is returned per item).
    /// </summary>
    public string? Sum { get; set; }

    /// <summary>
    /// How the launcher adds the <see cref="Sum"/> outputs on an accelerator: <see cref="KernelReduction.Deterministic"/>
    /// (default: one fixed order, the same bits on every run) or <see cref="KernelReduction.Atomic"/> (one thread per
    /// element of every item's row, <c>Atomic.Add</c> in double: more parallel, but the order, and so the last bits,
    /// may change from run to run). The CPU path always adds in the fixed order.
    /// </summary>
    public KernelReduction Reduction { get; set; } = KernelReduction.Deterministic;
}

/// <summary>
/// The forward gradient of the primal with respect to its span parameter named by <c>Wrt</c>
/// (Baydin et al. 2022): the primal's parameters, then <c>ReadOnlySpan&lt;T&gt; tangents</c> (K
/// tangents of length p, row-major; K from the length), then <c>Span&lt;T&gt; estimate</c> of
/// length p; returns the primal's value. The estimate is g = (1/K) Σ_k (∇f·v_k) v_k, unbiased
/// for tangents with independent zero-mean unit-variance entries (<c>Dsl.Tangents</c> draws them).
/// The directional derivatives come from one vector-mode pass per <see cref="Lanes"/> tangents,
/// which computes the primal once; no tape is used.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ForwardGradientAttribute : TransformAttribute
{
    /// <summary>Asks for the forward gradient of <paramref name="primal"/>.</summary>
    public ForwardGradientAttribute(string primal) : base(primal) { }

    /// <summary>
    /// Tangents per pass (1 to 16, default 4): K = Lanes tangents take exactly one pass; more run in
    /// chunks of this size, a remainder one tangent at a time.
    /// </summary>
    public int Lanes { get; set; } = 4;

    /// <summary>
    /// Projection onto guessed directions: g = (1/K) Σ_k (∇f·u_k) u_k / ‖u_k‖² for directions u_k the
    /// caller supplies (a local loss's gradient, say). Biased: it keeps only the part of ∇f in the span of
    /// the guesses (Fournier et al. 2023). Default false (random tangents, unbiased).
    /// </summary>
    public bool Projection { get; set; }

    /// <summary>
    /// Clips each directional derivative ∇f·v_k to [−Clip, Clip] before it scales its tangent (0, the
    /// default: no clipping). Clipping bounds a step's size; the estimate is biased when it acts.
    /// </summary>
    public double Clip { get; set; }
}

/// <summary>How a kernel launcher adds a summed output over the items on an accelerator (<see cref="KernelAttribute.Reduction"/>).
/// </summary>
public enum KernelReduction
{
    /// <summary>Chunks in order, items in order within a chunk, in double: the same bits on every run and device count.</summary>
    Deterministic = 0,

    /// <summary><c>Atomic.Add</c> of every element of every item's row into a double sum: the order is the hardware's.</summary>
    Atomic = 1,
}
