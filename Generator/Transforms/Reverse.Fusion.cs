using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // Eager adjoints: a top-level reduction loop whose adjoint is known before it runs gets its reverse sweep fused
    // into its forward sweep, and the call in its body becomes one call of the callee's pullback.
    private sealed partial class FunctionTransform
    {
        private FwdRegion? _top;
        private readonly HashSet<int> _prologueDefs = new();

        /// <summary>
        /// Fuses top-level loop <paramref name="f"/> when the adjoint of its results is known before it runs. An
        /// estimator's loop <c>for (chunk) { fill jet; y = G(jet); sum += y[2] + y[4] + …; }</c> followed by
        /// <c>return sum / n</c> has the adjoint <c>seed / n</c> for every iteration's contribution, computable from values
        /// the forward sweep has before the loop. The loop then runs once: each iteration fills its jet, calls G's
        /// pullback (which computes y and accumulates G's adjoints in one pass: one forward and one reverse pass of G),
        /// adds y into the sum and then runs the adjoint of its own first part. Without this, the forward sweep calls G
        /// for the value and the reverse sweep calls G's pullback, which runs G's forward pass again.
        /// Conditions, each needed for the reordering to be exact:
        /// <list type="bullet">
        /// <item>every active carried value is a sum, <c>c' = c + t</c> with c read nowhere else, so its adjoint is the
        /// same in every iteration;</item>
        /// <item>the ops that compute that adjoint are pure and read only values defined before the loop;</item>
        /// <item>the body has one op that calls: a call with active arguments and no scalar results, or a branch whose
        /// sides have this shape again (the sparse estimator's one-hot path); what follows it is straight-line arithmetic
        /// whose adjoint (the call's seeds) reads nothing the call or its followers compute (<see cref="FuseRegion"/>);</item>
        /// <item>local buffers the body writes are written nowhere else and passed to no call outside the loop: they are
        /// left as the forward sweep leaves them (no saved elements), and loads of them that a reverse region needs are
        /// saved;</item>
        /// <item>the loop has a fixed trip count (a <c>while</c> loop's recorded count is not known in advance).</item>
        /// </list>
        /// </summary>
        private bool TryFuse(ForOp f)
        {
            if (_top is null) return false;
            var at = _top.Ops.FindIndex(op => op is PendingOp p && ReferenceEquals(p.Original, f));
            if (at < 0) return false;
            var body = f.Body;
            var slots = Enumerable.Range(0, f.Inits.Count).Where(j => Active(body.Args[j + 1])).ToList();
            if (slots.Count == 0 || !slots.All(j => IsSumSlot(body, j)) || !ContainsCall(body)) return false;
            var written = WrittenLocals(body);
            if (!LocalsOnlyHere(written, f)) return false;

            // The carried adjoints, as values the forward sweep can compute before the loop.
            var early = EarlyValues(at);
            var seeds = new List<Value?>(new Value?[f.Inits.Count]);
            var clones = new List<Op>();
            var cloned = new Dictionary<int, Value>();
            foreach (var j in slots)
            {
                var a = Adj(f.Outs[j]) ?? Zero(f.Outs[j].Type);
                if (!CloneEarly(a, early, clones, cloned)) return false;
                seeds[j] = cloned.TryGetValue(a.Id, out var c) ? c : a;
            }

            // A failed attempt leaves the sweep as it was: the nested loops' forward copies and trip counts are restored.
            var fwdBodies = new Dictionary<Op, FwdRegion[]>(_fwdBodies, ReferenceOps.Instance);
            var tripCounts = new Dictionary<Op, Value>(_tripCount, ReferenceOps.Instance);
            var unrestored = new HashSet<int>(_unrestored);
            _unrestored.UnionWith(written);
            var fused = BuildFused(f, seeds, clones, out var outer);
            if (fused is null)
            {
                _fwdBodies.Clear();
                foreach (var kv in fwdBodies) _fwdBodies[kv.Key] = kv.Value;
                _tripCount.Clear();
                foreach (var kv in tripCounts) _tripCount[kv.Key] = kv.Value;
                _unrestored.Clear();
                _unrestored.UnionWith(unrestored);
                return false;
            }
            _top.Ops.RemoveAt(at);
            _top.Ops.InsertRange(at, clones.Append(fused));
            // The reverse sweep at the loop's place: the loop's adjoint work is done; pass on what it accumulated.
            for (var k = 0; k < outer.Count; k++) Accum(outer[k], fused.Outs[f.Inits.Count + k]);
            foreach (var j in slots) Accum(f.Inits[j], Adj(f.Outs[j]) ?? Zero(f.Outs[j].Type));
            return true;
        }

        /// <summary>
        /// Carried slot <paramref name="j"/> is a running sum: the yield is a chain of additions
        /// <c>((c + t₁) + t₂) + …</c> in which c and every partial sum are read once, and no tᵢ depends on c.
        /// </summary>
        private static bool IsSumSlot(Region body, int j)
        {
            var arg = body.Args[j + 1];
            var def = new Dictionary<int, BinaryOp>();
            foreach (var b in body.Ops.OfType<BinaryOp>()) def[b.Result.Id] = b;
            int Reads(int id) => body.Ops.Sum(op => CountReads(op, id)) + body.Yields.Count(y => y.Id == id);
            bool Depends(Value v, int depth) => v.Id == arg.Id
                || (depth < 64 && def.TryGetValue(v.Id, out var b) && (Depends(b.Left, depth + 1) || Depends(b.Right, depth + 1)));
            var v = body.Yields[j];
            for (var step = 0; step < 64 && v.Id != arg.Id; step++)
            {
                if (!def.TryGetValue(v.Id, out var add) || add.Kind != BinOp.Add) return false;
                var (onPath, other) = Depends(add.Left, 0) ? (add.Left, add.Right) : (add.Right, add.Left);
                if (Depends(other, 0) || Reads(onPath.Id) != 1) return false;
                v = onPath;
            }
            return v.Id == arg.Id;
        }

        private static int CountReads(Op op, int id) =>
            op.Operands.Count(v => v.Id == id)
            + op.Regions.Sum(r => r.Ops.Sum(inner => CountReads(inner, id)) + r.Yields.Count(y => y.Id == id));

        // A call with a derivative rule is arithmetic here (its reverse is its partials); only calls of functions count.
        private static bool ContainsCall(Region r) => r.Ops.Any(op => op is CallOp { Rule: null } || op.Regions.Any(ContainsCall));

        /// <summary>The local buffers stored into or cleared anywhere in <paramref name="r"/>.</summary>
        private HashSet<int> WrittenLocals(Region r)
        {
            var set = new HashSet<int>();
            void Walk(Region region)
            {
                foreach (var op in region.Ops)
                {
                    if (op is StoreOp st && _localBuffers.Contains(st.Buffer.Id)) set.Add(st.Buffer.Id);
                    if (op is ClearOp cl && _localBuffers.Contains(cl.Buffer.Id)) set.Add(cl.Buffer.Id);
                    foreach (var inner in op.Regions) Walk(inner);
                }
            }
            Walk(r);
            return set;
        }

        /// <summary>
        /// Buffers in <paramref name="written"/> are written only in <paramref name="f"/> and passed to no call outside it
        /// (every call inside it becomes a pullback at the call's own place, where the buffers hold what the call saw).
        /// </summary>
        private bool LocalsOnlyHere(HashSet<int> written, ForOp f)
        {
            var ok = true;
            void Walk(Region region)
            {
                foreach (var op in region.Ops)
                {
                    if (ReferenceEquals(op, f)) continue;
                    if (op is StoreOp st && written.Contains(st.Buffer.Id)) ok = false;
                    if (op is ClearOp cl && written.Contains(cl.Buffer.Id)) ok = false;
                    if (op is CallOp c && c.Args.Any(a => written.Contains(a.Id))) ok = false;
                    foreach (var inner in op.Regions) Walk(inner);
                }
            }
            Walk(_fn.Body);
            return ok;
        }

        /// <summary>Values the forward sweep has defined before position <paramref name="at"/> of the top region.</summary>
        private HashSet<int> EarlyValues(int at)
        {
            var early = new HashSet<int>(_prologueDefs);
            foreach (var p in _fn.Params) early.Add(p.Id);
            for (var k = 0; k < at; k++)
            {
                foreach (var v in _top!.Ops[k].Results) early.Add(v.Id);
            }
            return early;
        }

        /// <summary>
        /// Copies the pure ops of the reverse sweep so far that compute <paramref name="v"/> (they must read only early
        /// values) into <paramref name="clones"/>; false when <paramref name="v"/> depends on anything else.
        /// </summary>
        private bool CloneEarly(Value v, HashSet<int> early, List<Op> clones, Dictionary<int, Value> cloned)
        {
            if (early.Contains(v.Id) || cloned.ContainsKey(v.Id)) return true;
            // Defined by the reverse sweep so far, or by a pure forward op after the loop (such as the (float)n of sum / n).
            var def = _b.CurrentBlock.LastOrDefault(op => op.Results.Any(r => r.Id == v.Id))
                ?? _top!.Ops.FirstOrDefault(op => op.Results.Any(r => r.Id == v.Id));
            if (def is not (ConstOp or UnaryOp or BinaryOp or TernaryOp or SelectOp)) return false;
            foreach (var operand in def.Operands)
            {
                if (!CloneEarly(operand, early, clones, cloned)) return false;
            }
            var copy = _b.NewValue(v.Type, v.Name);
            var map = new Dictionary<int, Value>(cloned) { [v.Id] = copy };
            clones.Add(CloneWith(def, copy, map));
            cloned[v.Id] = copy;
            return true;
        }

        /// <summary>Values the call at <paramref name="callAt"/> defines, and those of later ops that depend on them or load.</summary>
        private static HashSet<int> LateDefs(Region body, int callAt)
        {
            var late = new HashSet<int>(body.Ops[callAt].Results.Select(v => v.Id));
            for (var k = callAt + 1; k < body.Ops.Count; k++)
            {
                var op = body.Ops[k];
                if (op is LoadOp || op.Operands.Any(v => late.Contains(v.Id)))
                {
                    foreach (var v in op.Results) late.Add(v.Id);
                }
            }
            return late;
        }
    }
}
