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
public abstract class DerivativeAttribute : Attribute
{
    /// <summary>Creates the attribute for the primal named <paramref name="primal"/>.</summary>
    protected DerivativeAttribute(string primal) => Primal = primal;

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
/// [Jvp(nameof(F))] static partial double FJvp(double x, double dx, ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; dw, out double dF);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class JvpAttribute : DerivativeAttribute
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
public sealed class GradientAttribute : DerivativeAttribute
{
    /// <summary>Asks for the gradient of <paramref name="primal"/>.</summary>
    public GradientAttribute(string primal) : base(primal) { }
}
