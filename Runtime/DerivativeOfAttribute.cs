using System;

namespace Dsl;

/// <summary>
/// Declares the marked static method as a partial derivative of another method, one the generator
/// should not or cannot look into (a MathNet.Numerics special function, a P/Invoke, a method
/// with an iteration whose derivative is known in closed form), in the manner of Swift's
/// <c>@derivative(of:)</c>. The marked method takes the same parameters as the target and returns
/// ∂target/∂<see cref="Wrt"/> at them; it must itself be <see cref="DifferentiableAttribute"/>, so
/// that higher derivatives, Taylor jets and operators through the target come from differentiating
/// the rule. A target with several floating-point parameters needs one rule per parameter.
/// </summary>
/// <example>
/// <code>
/// [Differentiable, DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))]
/// static double ErfPrime(double x) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>Declares a rule for the method <paramref name="method"/> of <paramref name="type"/>.</summary>
    public DerivativeOfAttribute(Type type, string method)
    {
        Type = type;
        Method = method;
    }

    /// <summary>The type that declares the target method.</summary>
    public Type Type { get; }

    /// <summary>The target method's name (its overload is the one with the rule's parameter types).</summary>
    public string Method { get; }

    /// <summary>
    /// The parameter of the target this rule differentiates by; may be left out when the target has
    /// exactly one floating-point parameter.
    /// </summary>
    public string? Wrt { get; set; }

    /// <summary>
    /// What the marked method computes: a partial derivative (the default), or with <see cref="RuleForm.Jvp"/> the
    /// whole tangent ẏ = Σ ∂f/∂x_i·ẋ_i from the target's parameters followed by one tangent per floating-point
    /// parameter (no <see cref="Wrt"/>; it must be linear in the tangents).
    /// </summary>
    public RuleForm Form { get; set; }
}

/// <summary>The form of a <see cref="DerivativeOfAttribute"/> rule.</summary>
public enum RuleForm
{
    /// <summary>∂f/∂<see cref="DerivativeOfAttribute.Wrt"/> at f's parameters; one rule per floating-point parameter.</summary>
    Derivative = 0,

    /// <summary>ẏ at f's parameters and their tangents (JAX's <c>custom_jvp</c>, Swift's <c>@derivative</c> JVP).</summary>
    Jvp = 1,
}
