using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // To-be-recorded analysis for local buffers: which buffers the reverse sweep never needs to read.
    private sealed partial class FunctionTransform
    {
        /// <summary>
        /// Local buffers whose stores save and restore nothing. By default every plain store into a local buffer pushes
        /// the element it overwrites and the reverse sweep restores it, so that a load recomputed in the reverse sweep
        /// sees what the forward sweep saw. The other way to keep the reverse sweep right is never to read the buffer
        /// there: every load of it whose value the reverse sweep needs is saved instead (Complete treats such loads as
        /// not recomputable), and no store saves anything. That is cheaper where the buffer is written more often than
        /// it is read: an accumulation <c>qx[j] = qx[j] + e</c> in an inner loop (the ADBench GMM's triangle, d(d−1)/2
        /// increments per row) needs no saved value at all, since its adjoint (<c>e_bar += qx_bar[j]</c>) does not read
        /// <c>qx</c>. The choice is per buffer, by store and load sites weighted 16× per loop level (trip counts are not
        /// known here); it is taken only for buffers with such an increment inside a loop and never passed to a call
        /// (a callee's pullback reads the buffer's contents).
        /// </summary>
        private static HashSet<int> UnrestoredBuffers(Region body)
        {
            var allocs = new HashSet<int>(body.Ops.OfType<AllocOp>().Select(a => a.Result.Id));
            var result = new HashSet<int>();
            if (allocs.Count == 0) return result;
            var def = new Dictionary<int, Op>();
            var sites = new List<(Op Op, int Depth)>();
            void Walk(Region r, int depth)
            {
                foreach (var op in r.Ops)
                {
                    foreach (var v in op.Results) def[v.Id] = op;
                    sites.Add((op, depth));
                    foreach (var inner in op.Regions) Walk(inner, op is ForOp ? depth + 1 : depth);
                }
            }
            Walk(body, 0);

            var passed = new HashSet<int>(sites.Select(s => s.Op).OfType<CallOp>().SelectMany(c => c.Args).Select(a => a.Id));
            var incrementLoads = new HashSet<LoadOp>();
            var incremented = new HashSet<int>();
            foreach (var (op, depth) in sites)
            {
                if (op is StoreOp { Accumulate: false } st && IncrementLoad(st, def) is { } load)
                {
                    incrementLoads.Add(load);
                    if (depth > 0) incremented.Add(st.Buffer.Id);
                }
            }
            foreach (var buffer in allocs)
            {
                if (passed.Contains(buffer) || !incremented.Contains(buffer)) continue;
                double stores = 0, loads = 0;
                foreach (var (op, depth) in sites)
                {
                    if (op is StoreOp { Accumulate: false } st && st.Buffer.Id == buffer) stores += Math.Pow(16, depth);
                    if (op is LoadOp l && l.Buffer.Id == buffer && !incrementLoads.Contains(l)) loads += Math.Pow(16, depth);
                }
                if (stores > loads) result.Add(buffer);
            }
            return result;
        }

        /// <summary>The load of <c>b[i]</c> when <paramref name="st"/> stores <c>b[i] + e</c> or <c>e + b[i]</c>, i one value.</summary>
        private static LoadOp? IncrementLoad(StoreOp st, Dictionary<int, Op> def)
        {
            if (!def.TryGetValue(st.Stored.Id, out var op) || op is not BinaryOp { Kind: BinOp.Add } add) return null;
            foreach (var operand in new[] { add.Left, add.Right })
            {
                if (def.TryGetValue(operand.Id, out var o) && o is LoadOp l && l.Buffer.Id == st.Buffer.Id && l.Index.Id == st.Index.Id)
                    return l;
            }
            return null;
        }
    
        /// <summary>
        /// The int values a loop carries that change by the same loop-invariant amount every iteration
        /// (<c>lidx += 1</c>, <c>k -= stride</c>), by body argument id: the reverse sweep recomputes them from the
        /// induction variable instead of saving one per iteration (the GMM triangle's packed index was d(d−1)/2 ints
        /// per row on the tape).
        /// </summary>
        private static Dictionary<int, (int Slot, Value Step, bool Up)> AffineCounters(ForOp loop)
        {
            var result = new Dictionary<int, (int Slot, Value Step, bool Up)>();
            var body = loop.Body;
            var defs = new HashSet<int>();
            Rewrite.Defs(body, defs);
            var def = body.Ops.SelectMany(op => op.Results.Select(v => (v.Id, op))).ToDictionary(p => p.Id, p => p.op);
            for (var j = 0; j < loop.Inits.Count; j++)
            {
                var arg = body.Args[j + 1];
                if (arg.Type != IrType.I32 || !def.TryGetValue(body.Yields[j].Id, out var op) || op is not BinaryOp b) continue;
                Value? step = b.Kind switch
                {
                    BinOp.Add when b.Left.Id == arg.Id => b.Right,
                    BinOp.Add when b.Right.Id == arg.Id => b.Left,
                    BinOp.Sub when b.Left.Id == arg.Id => b.Right,
                    _ => null,
                };
                if (step is null) continue;
                // The step must be the same in every iteration: defined outside the loop, or a constant.
                if (defs.Contains(step.Id) && !(def.TryGetValue(step.Id, out var s) && s is ConstOp)) continue;
                result[arg.Id] = (j, step, b.Kind == BinOp.Add);
            }
            return result;
        }

        /// <summary>
        /// Ops recomputing counter <paramref name="c"/> of <paramref name="loop"/> in the reverse body whose induction
        /// variable is <c>map[iv]</c>: <c>init ± ((iv − start) / step) · amount</c>; maps the counter to the result.
        /// </summary>
        private IEnumerable<Op> RecomputeCounter(ForOp loop, (int Slot, Value Step, bool Up) c, Dictionary<int, Value> map)
        {
            var ops = new List<Op>();
            Value Bin(BinOp k, Value a, Value b, string name = "")
            {
                var v = _b.NewValue(IrType.I32, name);
                ops.Add(new BinaryOp(v, k, a, b));
                return v;
            }
            var body = loop.Body;
            var iv = map[body.Args[0].Id];
            var amount = c.Step;
            if (body.Ops.FirstOrDefault(op => op.Results.Any(r => r.Id == amount.Id)) is ConstOp constant)
            {
                amount = _b.NewValue(IrType.I32, "");
                ops.Add(constant with { Result = amount });
            }
            var done = loop.Step > 0 ? Bin(BinOp.Sub, iv, loop.Start) : Bin(BinOp.Sub, loop.Start, iv);
            if (Math.Abs(loop.Step) != 1)
            {
                var stride = _b.NewValue(IrType.I32, "");
                ops.Add(new ConstOp(stride, Math.Abs(loop.Step)));
                done = Bin(BinOp.Div, done, stride);
            }
            var counter = body.Args[c.Slot + 1];
            map[counter.Id] = Bin(c.Up ? BinOp.Add : BinOp.Sub, loop.Inits[c.Slot], Bin(BinOp.Mul, done, amount), counter.Name);
            return ops;
        }
    
        /// <summary>
        /// A counter an outer loop carries that its inner loop advances (<c>lidx</c> in the ADBench GMM's column-wise
        /// triangle: <c>for (i …) for (j = i + 1; j &lt; d; j++) { … icf[lidx] …; lidx++; }</c>): each iteration of the outer
        /// loop adds the inner loop's trip count times its step. The reverse loop carries it backwards instead of popping it
        /// once per outer iteration: it starts from the forward loop's result and subtracts, in each iteration, what that
        /// iteration added. Int arithmetic wraps the same way in both directions, so the values are exact.
        /// </summary>
        /// <param name="slot">The outer loop's carried slot.</param>
        /// <param name="inner">The inner loop that advances it.</param>
        /// <param name="step">The inner counter's step per iteration.</param>
        /// <param name="up">Whether the inner loop adds the step (else subtracts it).</param>
        private sealed class SteppedCounter(int slot, ForOp inner, Value step, bool up)
        {
            public int Slot { get; } = slot;

            public ForOp Inner { get; } = inner;

            public Value Step { get; } = step;

            public bool Up { get; } = up;

            /// <summary>The reverse loop's carried value (the counter after this iteration).</summary>
            public Value Arg { get; set; } = null!;

            /// <summary>The counter at the start of this iteration, which the reverse body reads and passes on.</summary>
            public Value Result { get; set; } = null!;
        }

        /// <summary>
        /// The counters of <paramref name="outer"/> that <see cref="SteppedCounter"/> describes, by body argument id: an int
        /// the loop carries whose only use is as the initial value of an affine counter of an inner loop (see
        /// <see cref="AffineCounters"/>) whose result is what the outer body yields for it. Neither loop may stop early.
        /// </summary>
        private static Dictionary<int, SteppedCounter> SteppedCounters(ForOp outer)
        {
            var result = new Dictionary<int, SteppedCounter>();
            if (outer.Exits) return result;
            var uses = Rewrite.UseCounts(outer.Body);
            for (var j = 0; j < outer.Inits.Count; j++)
            {
                var arg = outer.Body.Args[j + 1];
                var yielded = outer.Body.Yields[j];
                if (arg.Type != IrType.I32 || !uses.TryGetValue(arg.Id, out var n) || n != 1) continue;
                var inner = outer.Body.Ops.OfType<ForOp>().FirstOrDefault(g => g.Outs.Any(o => o.Id == yielded.Id));
                if (inner is null || inner.Exits) continue;
                var slot = inner.Outs.ToList().FindIndex(o => o.Id == yielded.Id);
                if (inner.Inits[slot].Id != arg.Id) continue;
                if (!AffineCounters(inner).TryGetValue(inner.Body.Args[slot + 1].Id, out var c)) continue;
                result[arg.Id] = new SteppedCounter(j, inner, c.Step, c.Up);
            }
            return result;
        }
    }
}
