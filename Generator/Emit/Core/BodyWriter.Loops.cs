using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>Counted loops: the carried values as locals, the vector part of element-wise loops, parking.</summary>
internal sealed partial class BodyWriter
{
    private void EmitFor(ForOp f)
    {
        var slots = DeclareSlots(f);
        var i = Name(f.Body.Args[0]);
        var cmp = f.Cmp switch { LoopCmp.Lt => "<", LoopCmp.Le => "<=", LoopCmp.Gt => ">", _ => ">=" };
        var step = f.Step switch { 1 => i + "++", -1 => i + "--", > 0 => $"{i} += {f.Step}", _ => $"{i} -= {-f.Step}" };
        // A while/do loop (or one that left by 'break') also stops once its carried flag is set.
        var until = f.Exits ? " && !" + slots[0] : "";
        var simd = _target.Lanes is null ? null : SimdLoop.Plan(f);  // never inside a vector loop: those have no inner loops
        var outer = _w;
        if (simd is not null)
        {
            // The scalar loop is written first (into its own buffer), so its values get the
            // names they have without SIMD; the vector loop, written above it, reuses them.
            _w = new IndentedWriter(outer.Level);
            _w.Line($"for (; {i} {cmp} {_p.Expr(f.Bound)}{until}; {step})");
        }
        else
            _w.Line($"for (int {i} = {_p.Expr(f.Start)}; {i} {cmp} {_p.Expr(f.Bound)}{until}; {step})");
        _w.Line("{");
        _w.Indent();
        EmitOps(f.Body);
        EmitSlotUpdates(slots, f.Body.Yields, f.Outs);
        _w.Dedent();
        _w.Line("}");
        if (simd is not null)
        {
            var scalarLoop = _w.ToString();
            _w = outer;
            EmitVectorLoop(f, simd);
            _w.Raw(scalarLoop);
        }
        for (var k = 0; k < f.Outs.Count; k++)
        {
            if (!_plan.Parking.Slots.TryGetValue(f.Outs[k].Id, out var slot)) continue;
            _w.Line($"{slot} = {slots[k]}; // parked: read after a call, kept out of registers across it");
            _names.Bind(f.Outs[k], slot);
        }
    }

    /// <summary>
    /// Room on the tape, before a counted loop, for the pushes of all its iterations, when they all are in its body's
    /// straight-line code (so that each iteration pushes the same number), and for the pushes that follow the loop in
    /// its region's straight-line code, up to the next op that pushes inside itself; those pushes then store without a
    /// check. A check would call out to grow the stack on its rare path, and a call in a loop makes the JIT keep the
    /// doubles live across it in memory (x64 saves no vector register across calls): the GMM gradient at 10 × 25 took
    /// 5.44 ms with every push checked, 4.39 ms with the loops' pushes reserved, 4.24 ms with the pushes after them too.
    /// In lanes methods a per-item value's push takes a vector's width of its stack (<see cref="Targets.CpuLanes.LaneSlot"/>).
    /// The reservation also counts loops further on whose trip counts are known before this one (<see cref="PushRun"/>).
    /// </summary>
    private void ReserveTape(ForOp f, Region region, int index)
    {
        // A loop that an earlier reservation counted (see below) makes none of its own.
        if (f.Body.Ops.Any(op => op is PushOp && _reserved.Contains(op))) return;
        if (RunAt(region, index) is not { } first || first.Pushes.Count == 0) return;
        // What follows in the region's straight-line code: pushes, and runs of loops whose trip counts are known here
        // (their start and bound computed before this loop). One reservation per stack where the GMM gradient had three
        // per point and component (its xc loop, the jammed rows and their remainder): 173 → 161 µs at 2 × 5.
        var defined = new HashSet<int>();
        for (var i = index; i <= first.Last; i++) foreach (var r in region.Ops[i].Results) defined.Add(r.Id);
        var after = new List<PushOp>();
        var later = new List<PushRun>();
        for (var i = first.Last + 1; i < region.Ops.Count; i++)
        {
            var op = region.Ops[i];
            if (op.Regions.Any(ContainsPush))
            {
                if (RunAt(region, i) is not { } run || run.Pushes.Count == 0 || defined.Contains(run.Start.Id)
                    || defined.Contains(run.Bound.Id)) break;
                later.Add(run);
                for (var k = i; k <= run.Last; k++) foreach (var r in region.Ops[k].Results) defined.Add(r.Id);
                i = run.Last;
                continue;
            }
            if (op is PushOp push) after.Add(push);
            foreach (var r in op.Results) defined.Add(r.Id);
        }
        var stacks = first.Pushes.Concat(after).Concat(later.SelectMany(l => l.Pushes)).Select(p => Slot(p).Key).Distinct()
            .OrderBy(k => k.Level).ThenBy(k => k.Stack);
        foreach (var key in stacks)
        {
            int PerIteration(PushRun run) => run.PerIndex.Where(p => Slot(p).Key == key).Sum(p => Slot(p).Elements);
            var (start, bound) = (_p.Expr(first.Start), _p.Expr(first.Bound));
            var perIteration = PerIteration(first);
            var alike = 0;
            var runs = new List<TapeRun>();
            foreach (var l in later.Where(l => PerIteration(l) > 0))
            {
                var run = new TapeRun(PerIteration(l), _p.Expr(l.Start), _p.Expr(l.Bound), l.Step, l.Cmp, l.Index, l.Factor > 1);
                // Loops over the same range as the first count as more per iteration of it; two later ones, as one.
                if (run.Start == start && run.Bound == bound && run.Step == first.Step && run.Cmp == first.Cmp)
                {
                    perIteration += run.PerIteration;
                    alike++;
                }
                else if (runs.FindIndex(r => r.Start == run.Start && r.Bound == run.Bound && r.Step == run.Step && r.Cmp == run.Cmp)
                    is var same and >= 0)
                    runs[same] = runs[same] with { PerIteration = runs[same].PerIteration + run.PerIteration, Jammed = false };
                else runs.Add(run);
            }
            var line = _target.ReserveLoop(IrType.Scalar(key.Stack), key.Level, perIteration,
                after.Where(p => Slot(p).Key == key).Sum(p => Slot(p).Elements), start, bound, first.Step, first.Cmp, runs,
                alike);
            if (line is null) return;
            _w.Line(line);
            foreach (var push in first.Pushes.Concat(later.SelectMany(l => l.Pushes)).Concat(after).Where(p => Slot(p).Key == key))
                _reserved.Add(push);
        }
    }

    private static bool ContainsPush(Region r) => r.Ops.Any(op => op is PushOp || op.Regions.Any(ContainsPush));

    /// <summary>
    /// Pushes a reservation can count ahead: those of a counted loop without exits whose pushes all stand in its body's
    /// straight-line code (the same number every iteration), <c>for (i = Start; i CMP Bound; i += Step)</c>; or those of a
    /// jammed loop and its remainder (<c>UnrollAndJam</c>), which together run the iterations of the loop they were made
    /// from, <see cref="Factor"/> of them per jammed iteration: <see cref="Pushes"/> then holds both bodies' pushes and
    /// <see cref="PerIndex"/> the remainder's, what one index of that loop pushes (the jammed body pushes Factor times as
    /// much). <see cref="Last"/> is the index of the run's last op.
    /// </summary>
    private sealed record PushRun(List<PushOp> Pushes, List<PushOp> PerIndex, Value Start, Value Bound, int Step, LoopCmp Cmp, int Factor,
        int Last, string Index);

    private PushRun? RunAt(Region region, int index)
    {
        if (region.Ops[index] is not ForOp f || !Counted(f)) return null;
        var pushes = f.Body.Ops.OfType<PushOp>().ToList();
        var single = new PushRun(pushes, pushes, f.Start, f.Bound, f.Step, f.Cmp, 1, index, f.Body.Args[0].Name);
        var next = index + 1;
        while (next < region.Ops.Count && region.Ops[next] is NoteOp) next++;
        if (next >= region.Ops.Count || region.Ops[next] is not ForOp r || !Counted(r) || f.Outs.Count == 0
            || r.Start.Id != f.Outs[0].Id || !StepsIndex(f) || r.Cmp != f.Cmp || r.Step == 0 || f.Step % r.Step != 0
            || f.Step / r.Step < 2)
            return single;
        // The jammed loop carries its next index (from its start, + its step each iteration) out to the remainder's start:
        // together they run the original loop from f's start to r's bound, f.Step / r.Step indices per jammed iteration.
        var factor = f.Step / r.Step;
        // The reservation before f prints r's bound: it must be computed before f (it is: the loop's own bound).
        for (var i = index; i < next; i++)
        {
            if (region.Ops[i].Results.Any(v => v.Id == r.Bound.Id)) return single;
        }
        var jammed = f.Body.Ops.OfType<PushOp>().ToList();
        var rest = r.Body.Ops.OfType<PushOp>().ToList();
        foreach (var key in jammed.Concat(rest).Select(p => Slot(p).Key).Distinct())
        {
            if (jammed.Where(p => Slot(p).Key == key).Sum(p => Slot(p).Elements)
                != factor * rest.Where(p => Slot(p).Key == key).Sum(p => Slot(p).Elements)) return single;
        }
        return new PushRun(jammed.Concat(rest).ToList(), rest, f.Start, r.Bound, r.Step, r.Cmp, factor, next, r.Body.Args[0].Name);

        static bool Counted(ForOp loop) => !loop.Exits && !loop.Body.Ops.Any(op => op.Regions.Any(ContainsPush));
    }

    /// <summary>
    /// Whether <paramref name="f"/>'s first carried value is its index one step ahead: it starts at the loop's start and
    /// each iteration yields the index plus the step (what an unroll-and-jammed loop passes to its remainder).
    /// </summary>
    private bool StepsIndex(ForOp f)
    {
        if (f.Inits.Count == 0 || f.Inits[0].Id != f.Start.Id || f.Body.Yields.Count == 0) return false;
        var next = f.Body.Yields[0];
        if (!_plan.TryGetDef(next, out var def) || def is not BinaryOp op || op.Left.Id != f.Body.Args[0].Id) return false;
        if (!_plan.TryGetDef(op.Right, out var right) || right is not ConstOp { Symbolic: false } c) return false;
        return op.Kind == BinOp.Add && c.Number == f.Step || op.Kind == BinOp.Sub && c.Number == -f.Step;
    }

    /// <summary>The tape stack a push lands on and how many of its elements it takes (a per-item value's lanes: a vector).</summary>
    private ((int Level, ScalarKind Stack) Key, int Elements) Slot(PushOp p)
    {
        var elem = p.Pushed.Type.Elem;
        if (_p.Items is { } items && items.TapesLanes(elem))
        {
            var (stack, width) = items.LaneSlot(p.Pushed.Type);
            return ((p.Level, stack), width);
        }
        return ((p.Level, elem is ScalarKind.F64 or ScalarKind.F32 ? elem : ScalarKind.I32), 1);
    }

    /// <summary>
    /// One C# local per carried value: declared before the loop, updated at the end of each
    /// iteration, read after it. Returns the locals' names.
    /// </summary>
    private List<string> DeclareSlots(ForOp f)
    {
        var slots = new List<string>();
        for (var k = 0; k < f.Inits.Count; k++)
        {
            var init = f.Inits[k];
            string name;
            if (init.Name.Length > 0 && init.Name == f.Outs[k].Name && _plan.Uses(init) == 1 && !_plan.IsInline(init) &&
                _names.TryGet(init, out var existing) && !_fn.Params.Contains(init) && !_plan.Parking.IsParked(init)
                && (_p.Items is null || _p.Items.Varies(init) == _p.Items.Varies(f.Outs[k])))
            {
                // The loop takes over the local that held its initial value (read nowhere else).
                name = existing;
            }
            else
            {
                name = _names.Fresh(f.Outs[k].Name.Length > 0 ? f.Outs[k].Name : f.Body.Args[k + 1].Name);
                _w.Line($"{LocalType(f.Outs[k])} {name} = {SlotExpr(f.Outs[k], init)};");
            }
            _names.Bind(f.Outs[k], name);
            _names.Bind(f.Body.Args[k + 1], name);
            slots.Add(name);
        }
        return slots;
    }

    /// <summary>
    /// Writes the vector part of a loop that <see cref="SimdLoop"/> accepted: the induction
    /// variable is declared before it, advances a whole vector at a time while a whole vector
    /// fits, and is left where the scalar loop written next picks up the remainder.
    /// </summary>
    private void EmitVectorLoop(ForOp f, SimdLoop plan)
    {
        var iv = f.Body.Args[0];
        var i = Name(iv);
        var width = _p.Vector.Width(plan.Elem);
        var bound = _p.Expr(f.Bound);
        _w.Line($"int {i} = {_p.Expr(f.Start)};");
        var (condition, advance) = f.Cmp switch
        {
            LoopCmp.Lt => ($"{i} + {width} <= {bound}", $"{i} += {width}"),
            LoopCmp.Le => ($"{i} + {width} - 1 <= {bound}", $"{i} += {width}"),
            LoopCmp.Gt => ($"{i} - {width} >= {bound}", $"{i} -= {width}"),
            _ => ($"{i} - {width} + 1 >= {bound}", $"{i} -= {width}"),
        };
        _w.Line("// SIMD: a vector of iterations at a time (the same arithmetic per element); the scalar loop below does the rest");
        _w.Line($"for (; {condition}; {advance})");
        _w.Line("{");
        _w.Indent();
        if (f.Step < 0)
        {
            // A descending loop's chunk ends at i: its elements start at i − width + 1.
            var first = _names.Fresh(i + "_first");
            _w.Line($"int {first} = {i} - {width} + 1;");
            _names.Bind(iv, first);
        }
        _p.Lanes = plan;
        EmitOps(f.Body);
        _p.Lanes = null;
        _names.Bind(iv, i);
        _w.Dedent();
        _w.Line("}");
    }

    /// <summary>Writes the slot updates that <see cref="SlotUpdates"/> orders.</summary>
    private void EmitSlotUpdates(IReadOnlyList<string> slots, EquatableArray<Value> yields, EquatableArray<Value> outs)
    {
        // Printed once first, so that values are named in the order the text reads.
        var exprs = yields.Select((v, k) => SlotExpr(outs[k], v)).ToList();
        var steps = SlotUpdates.Plan(slots, yields, _plan.InlineDef, Name, _names.Fresh);
        foreach (var step in steps)
        {
            var k = step.Slot;
            switch (step)
            {
                case SlotUpdates.SaveOld save:
                    _w.Line($"{LocalType(outs[k])} {save.Old} = {slots[k]};");
                    break;
                case SlotUpdates.Increment inc:
                    _p.Renames = inc.Renames;
                    _w.Line($"{slots[k]} += {SlotExpr(outs[k], inc.By)};");
                    break;
                case SlotUpdates.Assign assign:
                    _p.Renames = assign.Renames;
                    _w.Line($"{slots[k]} = {(assign.Renames.Count == 0 ? exprs[k] : SlotExpr(outs[k], yields[k]))};");
                    break;
            }
            _p.Renames = null;
        }
    }
}
