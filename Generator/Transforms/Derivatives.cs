using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Applies the primitives' tangent rules (the <see cref="Primitive.Tangent"/> column of
/// <see cref="Primitives"/>), written once as linear maps: given an op and the tangent of each
/// operand, emit the tangent of its result. Forward mode applies them to tangents; reverse mode
/// applies them to an adjoint with one operand's seed at a time (for a scalar op, the partial
/// derivative times the seed is the same expression). Nothing here is per primitive.
/// </summary>
internal static class Derivatives
{
    /// <summary>The tangent of a unary, binary or ternary op's result; null entries of <paramref name="tangents"/> are zero.</summary>
    public static Value Tangent(IrBuilder b, Op op, params Value?[] tangents) => Primitives.Tangent(b, op, tangents);

    /// <summary>The adjoint contribution to operand <paramref name="operand"/>: the rule with the seed in that operand's slot.</summary>
    public static Value Adjoint(IrBuilder b, Op op, int operand, Value seed)
    {
        var tangents = new Value?[op.Operands.Count()];
        tangents[operand] = seed;
        return Primitives.Tangent(b, op, tangents);
    }
}
