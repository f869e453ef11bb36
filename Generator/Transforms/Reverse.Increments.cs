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
                // The pattern is IncrementLoad's (the one rule for `b[i] = b[i] + e`), matched within this region.
                var def = new Dictionary<int, Op>();
                var position = new Dictionary<Op, int>(ReferenceOps.Instance);
                for (var k = 0; k < r.Ops.Count; k++)
                {
                    var op = r.Ops[k];
                    foreach (var inner in op.Regions) Visit(inner);
                    foreach (var v in op.Results) def[v.Id] = op;
                    position[op] = k;
                    if (op is not StoreOp { Accumulate: false } st || IncrementLoad(st, def) is not { } load) continue;
                    var add = (BinaryOp)def[st.Stored.Id];
                    var addend = add.Left.Id == load.Result.Id ? add.Right : add.Left;
                    if (addend.Id == load.Result.Id || Uses(add.Result) != 1 || Uses(load.Result) != 1) continue;
                    var from = position[load];
                    if (Enumerable.Range(from + 1, k - from - 1).Any(p => MayWrite(r.Ops[p], st.Buffer.Id))) continue;
                    result[st] = addend;
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
