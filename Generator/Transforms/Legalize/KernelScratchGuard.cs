using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// The kernel helpers of a kernel that takes scratch index every view at <c>i &lt; length ? i : 0</c>
/// (except the constant-size local buffers they allocate, which are never scratch):
/// a scratch request that did not fit gets a one-element view (<c>Dsl.KernelScratch</c>'s sink) that
/// the code still indexes up to the length it asked for, and this keeps those accesses on the sink
/// instead of past it. In range (every item of a correctly sized launch) the index is unchanged, so
/// the results are the CPU method's; the cost is one compare and select per access.
/// </summary>
internal static class KernelScratchGuard
{
    /// <summary><paramref name="fn"/> with every load's and store's index clamped to its buffer.</summary>
    public static Function Guard(Function fn)
    {
        var next = KernelTapeThreading.MaxId(fn.Body) + 1;
        return fn with { Body = Rewrite(fn.Body, new HashSet<int>(), new HashSet<int>(), ref next) };
    }

    private static Region Rewrite(Region r, HashSet<int> constants, HashSet<int> local, ref int next)
    {
        var ops = new List<Op>();
        foreach (var op in r.Ops)
        {
            switch (op)
            {
                case ConstOp c:
                    constants.Add(c.Result.Id);
                    ops.Add(op);
                    break;
                case AllocOp a:
                    if (constants.Contains(a.Length.Id)) local.Add(a.Result.Id);
                    ops.Add(op);
                    break;
                case LoadOp l when !local.Contains(l.Buffer.Id):
                    ops.Add(l with { Index = Clamp(ops, l.Buffer, l.Index, ref next) });
                    break;
                case StoreOp s when !local.Contains(s.Buffer.Id):
                    ops.Add(s with { Index = Clamp(ops, s.Buffer, s.Index, ref next) });
                    break;
                case ForOp f:
                    ops.Add(f with { Body = Rewrite(f.Body, constants, local, ref next) });
                    break;
                case IfOp i:
                    var then = Rewrite(i.Then, constants, local, ref next);
                    ops.Add(i with { Then = then, Else = Rewrite(i.Else, constants, local, ref next) });
                    break;
                default:
                    ops.Add(op);
                    break;
            }
        }
        return r with { Ops = ops.ToEquatableArray() };
    }

    private static Value Clamp(List<Op> ops, Value buffer, Value index, ref int next)
    {
        var length = new Value(next++, IrType.I32, "");
        var inRange = new Value(next++, IrType.Bool, "");
        var zero = new Value(next++, IrType.I32, "");
        var safe = new Value(next++, IrType.I32, "");
        ops.Add(new LengthOp(length, buffer));
        ops.Add(new BinaryOp(inRange, BinOp.Lt, index, length));
        ops.Add(new ConstOp(zero, 0));
        ops.Add(new SelectOp(safe, inRange, index, zero));
        return safe;
    }
}
