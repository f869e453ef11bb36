using System;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal static partial class Operators
{
    /// <summary>
    /// A mixed partial from several jets of order p (see <see cref="JetCombination"/>): one call
    /// of the one-lane Taylor function per direction, its y_p kept as y0, y1, …, then
    /// (Σ n_v y_v) / D with the integer weights written as literals.
    /// </summary>
    public static Module Combination(Function primal, int wrt, JetCombination plan, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, plan.Order, 1, new[] { 1 }, lookup);
        var b = op.B;
        Value? sum = null;
        for (var q = 0; q < plan.Directions.Count; q++)
        {
            // Every direction sets all of the plan's coordinates (zeros included), so no entry
            // of the previous direction is left behind.
            var direction = plan.Directions[q];
            for (var k = 0; k < direction.Length; k++)
                b.Store(op.One.Jet, op.JetIndex(0, 0, op.I(plan.Coordinates[k])), op.C(direction[k]));
            op.Run(op.One);
            var y = b.Load(op.One.Y, op.I(plan.Order), "y" + q);
            var n = plan.Numerators[q];
            var magnitude = Math.Abs(n) == 1 ? y : op.Mul(op.C(Math.Abs(n)), y);
            sum = sum is null
                ? (n < 0 ? b.Unary(UnOp.Neg, magnitude) : magnitude)
                : b.Binary(n < 0 ? BinOp.Sub : BinOp.Add, sum, magnitude);
        }
        var result = plan.Denominator == 1 ? sum! : b.Binary(BinOp.Div, sum!, op.C(plan.Denominator));
        return op.Finish(result, key, name);
    }
}
