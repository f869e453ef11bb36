using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // Checkpointing: which forward values a reverse region recomputes and which it pops from the tape.
    private sealed partial class FunctionTransform
    {
        /// <summary>
        /// Makes the values of forward region <paramref name="fr"/> that its reverse region
        /// reads available there: cheap ones are recomputed at the start of the reverse region,
        /// the others are pushed at the end of the forward region and popped at the start of
        /// the reverse one.
        /// </summary>
        private Region Complete(FwdRegion fr, Region reverse, Dictionary<int, Value> map, ForOp? loop = null,
            Dictionary<int, SteppedCounter>? stepped = null)
        {
            stepped ??= new Dictionary<int, SteppedCounter>();
            var counters = loop is null ? new Dictionary<int, (int Slot, Value Step, bool Up)>() : AffineCounters(loop);
            var original = fr.Original;
            // The forward copy, not the primal: it also defines trip counts and saved elements.
            var forwardOps = fr.Ops;
            var position = new Dictionary<int, int>();
            for (var p = 0; p < forwardOps.Count; p++)
            {
                foreach (var res in forwardOps[p].Results) position[res.Id] = p;
            }
            var args = new HashSet<int>(original.Args.Select(a => a.Id));

            var reads = new HashSet<int>();
            Rewrite.Reads(reverse, reads);
            var needed = new SortedSet<int>(reads.Where(id => (position.ContainsKey(id) || args.Contains(id)) && !map.ContainsKey(id)));

            // Decide, recursively: recompute or tape.
            var recompute = new SortedSet<int>();
            var tape = new SortedSet<int>();
            var usedCounters = new SortedSet<int>();
            var usedStepped = new SortedSet<int>();
            var work = new Stack<int>(needed.Reverse());
            while (work.Count > 0)
            {
                var id = work.Pop();
                if (recompute.Contains(id) || tape.Contains(id) || map.ContainsKey(id)) continue;
                if (counters.ContainsKey(id)) { usedCounters.Add(id); continue; }
                if (stepped.TryGetValue(id, out var sc))
                {
                    // Computed from the inner loop's trip count (and its step, if the loop body defines it).
                    usedStepped.Add(id);
                    foreach (var v in new[] { _tripCount[sc.Inner], sc.Step })
                    {
                        if (position.ContainsKey(v.Id) || args.Contains(v.Id)) work.Push(v.Id);
                    }
                    continue;
                }
                if (args.Contains(id)) { tape.Add(id); continue; }
                var op = forwardOps[position[id]];
                if (IsRecomputable(op, forwardOps, position[id]))
                {
                    recompute.Add(id);
                    foreach (var operand in op.Operands)
                    {
                        if (position.ContainsKey(operand.Id) || args.Contains(operand.Id)) work.Push(operand.Id);
                    }
                }
                else
                {
                    tape.Add(id);
                }
            }

            var values = new Dictionary<int, Value>();
            foreach (var a in original.Args) values[a.Id] = a;
            foreach (var op in forwardOps)
            {
                foreach (var res in op.Results) values[res.Id] = res;
            }

            var prelude = new List<Op>();
            foreach (var id in usedCounters) prelude.AddRange(RecomputeCounter(loop!, counters[id], map));
            var taped = tape.Select(id => values[id]).ToList();
            fr.EndPushes.AddRange(taped);
            for (var k = taped.Count - 1; k >= 0; k--)
            {
                var v = _b.NewValue(taped[k].Type, taped[k].Name);
                prelude.Add(new PopOp(v, _tape));
                map[taped[k].Id] = v;
            }
            foreach (var id in recompute.OrderBy(id => position[id]))
            {
                var op = forwardOps[position[id]];
                var res = op.Results.First();
                var copy = _b.NewValue(res.Type, res.Name);
                map[id] = copy;
                prelude.Add(CloneWith(op, copy, map));
            }
            foreach (var id in usedStepped) prelude.AddRange(StepBack(id, stepped[id], map));
            var substituted = Rewrite.Substitute(reverse, map);
            return new Region(reverse.Args, prelude.Concat(substituted.Ops).ToEquatableArray(), substituted.Yields);
        }

        /// <summary>
        /// The counter at the start of this iteration of the reverse loop: what it was after it, less what the iteration's
        /// inner loop added (its trip count times its step). Maps the forward counter to the result.
        /// </summary>
        private IEnumerable<Op> StepBack(int counter, SteppedCounter c, Dictionary<int, Value> map)
        {
            var ops = new List<Op>();
            Value S(Value v) => map.TryGetValue(v.Id, out var w) ? w : v;
            var step = S(c.Step);
            var added = S(_tripCount[c.Inner]);
            var constant = c.Inner.Body.Ops.FirstOrDefault(op => op.Results.Any(r => r.Id == c.Step.Id)) as ConstOp;
            if (constant is not { Number: 1 })
            {
                if (constant is not null)
                {
                    step = _b.NewValue(IrType.I32, "");
                    ops.Add(constant with { Result = step });
                }
                var product = _b.NewValue(IrType.I32, "");
                ops.Add(new BinaryOp(product, BinOp.Mul, added, step));
                added = product;
            }
            ops.Add(new BinaryOp(c.Result, c.Up ? BinOp.Sub : BinOp.Add, c.Arg, added));
            map[counter] = c.Result;
            return ops;
        }

        private static Op CloneWith(Op op, Value result, Dictionary<int, Value> map)
        {
            Value S(Value v) => map.TryGetValue(v.Id, out var w) ? w : v;
            return op switch
            {
                ConstOp c => c with { Result = result },
                UnaryOp u => u with { Result = result, Operand = S(u.Operand) },
                BinaryOp b => b with { Result = result, Left = S(b.Left), Right = S(b.Right) },
                TernaryOp t => t with { Result = result, A = S(t.A), B = S(t.B), C = S(t.C) },
                SelectOp s => s with { Result = result, Cond = S(s.Cond), IfTrue = S(s.IfTrue), IfFalse = S(s.IfFalse) },
                LoadOp l => l with { Result = result, Buffer = S(l.Buffer), Index = S(l.Index) },
                LengthOp len => len with { Result = result, Buffer = S(len.Buffer) },
                _ => throw new InvalidOperationException("not recomputable: " + op.GetType().Name),
            };
        }

        /// <summary>Cheap, side-effect-free ops whose inputs are still valid at the start of the reverse region.</summary>
        private bool IsRecomputable(Op op, List<Op> region, int position)
        {
            switch (op)
            {
                case ConstOp or LengthOp:
                    return true;
                case UnaryOp u:
                    return Primitives.Of(u.Kind).Recompute;
                case BinaryOp b:
                    return b.Result.Type == IrType.I32 || b.Result.Type == IrType.Bool || Primitives.Of(b.Kind).Recompute;
                case LoadOp l:
                    if (l.Buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) return true;
                    if (!_localBuffers.Contains(l.Buffer.Id) || _unrestored.Contains(l.Buffer.Id)) return false;
                    // A call's writes into a local buffer are not saved element by element, so a later iteration's call
                    // may have changed what this load read: save the value instead.
                    if (_passedToCalls.Contains(l.Buffer.Id)) return false;
                    // A local buffer holds, at the start of this reverse region, what it held at the
                    // end of the forward region: valid if nothing later in the region writes it.
                    for (var p = position + 1; p < region.Count; p++)
                    {
                        if (Writes(region[p], l.Buffer)) return false;
                    }
                    return true;
                default:
                    return false;
            }
        }

        private static bool Writes(Op op, Value buffer) => op switch
        {
            StoreOp st => st.Buffer.Id == buffer.Id,
            CallOp c => c.Args.Any(a => a.Id == buffer.Id),
            _ => op.Regions.Any(r => r.Ops.Any(inner => Writes(inner, buffer))),
        };
    }
}
