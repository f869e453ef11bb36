using System;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal static partial class Operators
{
    /// <summary>
    /// The forward gradient along span parameter <paramref name="wrt"/> (Baydin et al. 2022):
    /// g = (1/K) Σ_k c_k v_k over the K tangents v_k (rows of <c>tangents</c>), with c_k the
    /// directional derivative ∇f·v_k read off a first-order jet along v_k (y_1 of its lane). The
    /// tangents run <paramref name="lanes"/> at a time through one vector-mode Taylor function, so
    /// the primal is computed once per chunk; K = lanes takes exactly one pass. With
    /// <paramref name="projection"/>, c_k = ∇f·u_k / ‖u_k‖² (projection onto supplied guesses);
    /// with <paramref name="clip"/> &gt; 0, ∇f·v_k is first clamped to [−clip, clip]. Returns f; the
    /// estimate goes to the last parameter, overwritten.
    /// </summary>
    public static Module ForwardGradient(Function primal, int wrt, int lanes, bool projection, double clip, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup)
    {
        var op = new JetOperator(primal, wrt, 1, lanes, new[] { 1 }, lookup);
        var b = op.B;
        var tangents = op.Parameter("tangents");
        var estimate = op.Parameter("estimate", BufferKind.Span);
        var count = b.Binary(BinOp.Div, b.Length(tangents), op.D, "tangentCount");
        op.Loop(op.Zero, op.D, "i", i => b.Store(estimate, i, op.C(0)));
        op.Items(count, "k",
            (set, lane, k) => op.CopyRow(set, lane, tangents, k),
            (set, lane, k) =>
            {
                var c = op.Top(set, lane);
                if (clip > 0) c = b.Ternary(TernOp.Clamp, c, op.C(-clip), op.C(clip));
                if (projection)
                {
                    var norm2 = op.SumLoop(op.Zero, op.D, "j", j =>
                    {
                        var u = b.Load(tangents, op.Add(op.Mul(k, op.D), j));
                        return op.Mul(u, u);
                    });
                    c = b.Binary(BinOp.Div, c, norm2);
                }
                op.Loop(op.Zero, op.D, "i", i =>
                {
                    var v = b.Load(tangents, op.Add(op.Mul(k, op.D), i));
                    b.Store(estimate, i, op.Add(b.Load(estimate, i), op.Mul(c, v)));
                });
                return c;
            });
        var kFloat = op.Float(count);
        op.Loop(op.Zero, op.D, "i", i => b.Store(estimate, i, b.Binary(BinOp.Div, b.Load(estimate, i), kFloat)));
        // f(θ) is y_0 of the last pass: the one-lane function's when K is not a multiple of the lanes.
        Value value;
        if (ReferenceEquals(op.Wide, op.One))
        {
            value = b.Load(op.One.Y, op.Zero);
        }
        else
        {
            var rest = b.Binary(BinOp.Rem, count, op.I(op.Wide.Lanes));
            value = b.Select(b.Binary(BinOp.Gt, rest, op.Zero), b.Load(op.One.Y, op.Zero), b.Load(op.Wide.Y, op.Zero), "value");
        }
        return op.Finish(value, key, name);
    }
}
