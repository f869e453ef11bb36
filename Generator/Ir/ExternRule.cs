namespace Dsl.Generator.Ir;

/// <summary>
/// The derivative rule of a method the generator does not look into, carried by the
/// <see cref="CallOp"/> that calls it, so every transform finds it on the op (as a primitive's
/// rules are found in its row). One <see cref="RulePartial"/> per parameter of the callee.
/// </summary>
/// <param name="Name">The method as messages name it (<c>SpecialFunctions.Erf</c>).</param>
internal sealed record ExternRule(string Name, EquatableArray<RulePartial> Partials);

/// <summary>
/// ∂f/∂(parameter): a user's <c>[Differentiable]</c> method <see cref="Method"/> taking f's
/// parameters, a built-in rule of <see cref="Rules.BuiltinRules"/> by <see cref="Builtin"/> id, or
/// <see cref="Refusal"/> (why there is none). All null: the parameter is not differentiable (an int). With
/// <see cref="Seed"/> ≥ 0, <see cref="Method"/> is a JVP rule: it takes f's parameters and then one tangent per
/// float parameter, and the partial is its value at the unit tangent of float parameter number <see cref="Seed"/>.
/// </summary>
internal sealed record RulePartial(FunctionKey? Method = null, string? Builtin = null, string? Refusal = null, int Seed = -1)
{
    public static readonly RulePartial None = new();
}
