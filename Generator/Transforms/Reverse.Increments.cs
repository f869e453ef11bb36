using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // Increments of a buffer element (`h[i] += e`), whose adjoint passes through the element unchanged.
    private sealed partial class FunctionTransform
    {
        /// <summary>
        /// The stores that add to an element what it held (<c>h[i] = h[i] + e</c>, the frontend's lowering of
        /// <c>h[i] += e</c>), with their addend <c>e</c>: the load and the addition are used only by that store, and nothing
        /// between the load and the store writes the buffer. The element's adjoint ḡ goes to <c>e</c> and, through the
        /// load, back to the element itself: ē += ḡ, and h̄[i] keeps ḡ. The general rule for a store (h̄[i] read, set to
        /// zero, and ḡ added back by the load's adjoint) computes the same but writes the element twice, and in a loop over
        /// i a zeroed-then-re-added element is a store that the next reads wait for (the ADBench GMM's column-wise
        /// triangle, <c>qx[j] += l·xc[i]</c>, d(d−1)/2 times per point and component).
        /// </summary>
        private static Dictionary<Op, Value> Increments(Region body)
        {
            var uses = Rewrite.UseCounts(body);
            int Uses(Value v) => uses.TryGetValue(v.Id, out var n) ? n : 0;
            var result = new Dictionary<Op, Value>(ReferenceOps.Instance);
            void Visit(Region r)
            {
                var def = new Dictionary<int, (BinaryOp Add, int Position)>();
                var loads = new Dictionary<int, (LoadOp Load, int Position)>();
                for (var k = 0; k < r.Ops.Count; k++)
                {
                    var op = r.Ops[k];
                    foreach (var inner in op.Regions) Visit(inner);
                    if (op is LoadOp l) loads[l.Result.Id] = (l, k);
                    if (op is BinaryOp { Kind: BinOp.Add } add) def[add.Result.Id] = (add, k);
                    if (op is not StoreOp { Accumulate: false } st || !def.TryGetValue(st.Stored.Id, out var a)) continue;
                    if (Uses(a.Add.Result) != 1) continue;
                    foreach (var (operand, other) in new[] { (a.Add.Left, a.Add.Right), (a.Add.Right, a.Add.Left) })
                    {
                        if (!loads.TryGetValue(operand.Id, out var found) || operand.Id == other.Id) continue;
                        var load = found.Load;
                        if (load.Buffer.Id != st.Buffer.Id || load.Index.Id != st.Index.Id || Uses(load.Result) != 1)
                            continue;
                        if (Enumerable.Range(found.Position + 1, k - found.Position - 1).Any(p => MayWrite(r.Ops[p], st.Buffer.Id)))
                            continue;
                        result[st] = other;
                        break;
                    }
                }
            }
            Visit(body);
            return result;
        }

        /// <summary>Whether <paramref name="op"/> may change the contents of buffer <paramref name="buffer"/>.</summary>
        private static bool MayWrite(Op op, int buffer) => op switch
        {
            StoreOp s => s.Buffer.Id == buffer,
            ClearOp c => c.Buffer.Id == buffer,
            CallOp c => c.Args.Any(a => a.Id == buffer),
            _ => op.Regions.Any(r => r.Ops.Any(inner => MayWrite(inner, buffer))),
        };
    }
}
