using System.Collections.Generic;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // Where a reversed loop starts: its last index, from the forward loop's bound where that is safe.
    private sealed partial class FunctionTransform
    {
        private Dictionary<int, ForOp>? _inductionOf;

        /// <summary>
        /// The index the reverse loop of <paramref name="f"/> starts at: the forward loop's last index. For
        /// <c>for (j = s; j &lt; b; j++)</c> that is <c>b − 1</c> when the loop runs, and any value below s when it does
        /// not, which <c>b − 1</c> also is unless b − 1 wraps around (b = int.MinValue); for <c>j &lt;= b</c> it is b, for
        /// <c>j &gt;= b</c> stepping down also b. Otherwise, and for loops that may stop early, it is
        /// <c>s + (n − 1)·step</c> from the trip count n. The first form does not depend on s: in a triangle
        /// (<c>for (j = i + 1; j &lt; d; j++)</c>) every i's reverse loop starts at d − 1, and the rows can be jammed
        /// (<see cref="Lanes.UnrollAndJam"/>).
        /// </summary>
        private Value LastIndex(ForOp f, Value tripCount)
        {
            if (!f.Exits)
            {
                switch (f.Step, f.Cmp)
                {
                    case (1, LoopCmp.Lt) when NeverMin(f.Bound):
                        return _b.Binary(BinOp.Sub, f.Bound, _b.Const(1, IrType.I32));
                    case (1, LoopCmp.Le) or (-1, LoopCmp.Ge):
                        return f.Bound;
                }
            }
            var one = _b.Const(1, IrType.I32);
            return _b.Binary(BinOp.Add, f.Start, _b.Binary(BinOp.Mul, _b.Binary(BinOp.Sub, tripCount, one), _b.Const(f.Step, IrType.I32)));
        }

        /// <summary>Whether an int value is never int.MinValue: a constant other than it, or a difference of two values ≥ 0.</summary>
        private bool NeverMin(Value v)
        {
            if (NonNegative(v, 0)) return true;
            if (!_defOp.TryGetValue(v.Id, out var op)) return false;
            return op switch
            {
                ConstOp c => c.Number != int.MinValue,
                BinaryOp { Kind: BinOp.Sub } b => NonNegative(b.Left, 0) && NonNegative(b.Right, 0),
                BinaryOp { Kind: BinOp.Max } b => NeverMin(b.Left) || NeverMin(b.Right),
                BinaryOp { Kind: BinOp.Min } b => NeverMin(b.Left) && NeverMin(b.Right),
                _ => false,
            };
        }

        /// <summary>
        /// Whether an int value is provably ≥ 0, from what defines it: a constant, a span's length, a quotient, remainder,
        /// maximum or minimum of such values, or the index of a loop that counts up from such a value with <c>&lt;</c> (it only
        /// grows, and stops before it could wrap) or down to one with <c>&gt;=</c>. Sums and products are not: they may wrap.
        /// </summary>
        private bool NonNegative(Value v, int depth)
        {
            if (v.Type != IrType.I32 || depth > 16) return false;
            if (InductionOf(v) is { } loop)
            {
                return loop.Step > 0 ? loop.Cmp == LoopCmp.Lt && NonNegative(loop.Start, depth + 1)
                    : loop.Cmp == LoopCmp.Ge && NonNegative(loop.Bound, depth + 1);
            }
            if (!_defOp.TryGetValue(v.Id, out var op)) return false;
            return op switch
            {
                ConstOp c => c.Number >= 0,
                LengthOp => true,
                BinaryOp { Kind: BinOp.Div or BinOp.Rem or BinOp.Min } b =>
                    NonNegative(b.Left, depth + 1) && NonNegative(b.Right, depth + 1),
                BinaryOp { Kind: BinOp.Max } b => NonNegative(b.Left, depth + 1) || NonNegative(b.Right, depth + 1),
                _ => false,
            };
        }

        /// <summary>The loop whose index <paramref name="v"/> is, if it is one.</summary>
        private ForOp? InductionOf(Value v)
        {
            if (_inductionOf is null)
            {
                _inductionOf = new Dictionary<int, ForOp>();
                void Visit(Region r)
                {
                    foreach (var op in r.Ops)
                    {
                        if (op is ForOp f) _inductionOf[f.Body.Args[0].Id] = f;
                        foreach (var inner in op.Regions) Visit(inner);
                    }
                }
                Visit(_fn.Body);
            }
            return _inductionOf.TryGetValue(v.Id, out var loop) ? loop : null;
        }
    }
}
