using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Lanes;

/// <summary>
/// Moves each outermost loop nest that neither touches the tape nor allocates into a function of its own, called where
/// the loop stood (its values from outside become parameters, its results the call's results; the Value objects are
/// the same, so a lanes verdict of the original function holds for the pieces).
/// </summary>
/// <remarks>
/// Why: in a large method the JIT's register allocator keeps vector loop accumulators on the stack, storing each one
/// after every add and reloading all of them on the back edge. Measured on the PINN's Taylor 2x4 code (8 items per
/// call, width 128): the second layer's loop nest, alone in a method, ran at 0.048 ns per item and multiply-add; inside
/// the 1,700-line lanes method the same loops ran at about 0.2 ns. Small methods get registers. Loops that push or pop
/// stay: the forward sweep's pushes must reach the reverse sweep's pops on one tape; their inner loops are outlined.
/// </remarks>
internal static class LoopOutlining
{
    public static (Function Fn, IReadOnlyList<Function> Loops) Run(Function fn)
    {
        var loops = new List<Function>();
        var defs = new Dictionary<int, Op>();
        Collect(fn.Body, defs);
        var body = Rewrite(fn.Body, fn, defs, loops);
        return (fn with { Body = body }, loops);
    }

    private static void Collect(Region r, Dictionary<int, Op> defs)
    {
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Results) defs[v.Id] = op;
            foreach (var inner in op.Regions) Collect(inner, defs);
        }
    }

    private static Region Rewrite(Region r, Function fn, Dictionary<int, Op> defs, List<Function> loops)
    {
        var ops = new List<Op>();
        foreach (var op in r.Ops)
        {
            switch (op)
            {
                case ForOp f when Outlinable(f.Body):
                    ops.Add(Outline(f, fn, defs, loops));
                    break;
                case ForOp f:
                    ops.Add(f with { Body = Rewrite(f.Body, fn, defs, loops) });
                    break;
                case IfOp i:
                    ops.Add(i with { Then = Rewrite(i.Then, fn, defs, loops), Else = Rewrite(i.Else, fn, defs, loops) });
                    break;
                default:
                    ops.Add(op);
                    break;
            }
        }
        return r with { Ops = ops.ToEquatableArray() };
    }

    private static bool Outlinable(Region r) =>
        r.Ops.All(op => op is not (PushOp or PopOp or AllocOp) && op.Regions.All(Outlinable));

    /// <summary>The loop as a function of the values it reads from outside (constants are copied in), and its call.</summary>
    private static CallOp Outline(ForOp f, Function fn, Dictionary<int, Op> defs, List<Function> loops)
    {
        var inside = new HashSet<int>();
        Defined(f.Body, inside);
        foreach (var v in f.Outs) inside.Add(v.Id);
        var liveIns = new List<Value>();
        var constants = new List<Op>();
        var seen = new HashSet<int>();
        void Use(Value v)
        {
            if (inside.Contains(v.Id) || !seen.Add(v.Id)) return;
            if (defs.TryGetValue(v.Id, out var def) && def is ConstOp) constants.Add(def);
            else liveIns.Add(v);
        }
        foreach (var v in f.Operands) Use(v);
        Uses(f.Body, Use);
        var key = FunctionKey.Primal($"{fn.Key}#loop{loops.Count}");
        var body = new Region(liveIns.ToEquatableArray(), constants.Append(f).ToEquatableArray(), f.Outs);
        loops.Add(new Function(key, $"{fn.Name.TrimStart('_')}_loop{loops.Count}", body));
        return new CallOp(f.Outs, key, liveIns.ToEquatableArray());
    }

    private static void Defined(Region r, HashSet<int> inside)
    {
        foreach (var a in r.Args) inside.Add(a.Id);
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Results) inside.Add(v.Id);
            foreach (var inner in op.Regions) Defined(inner, inside);
        }
    }

    private static void Uses(Region r, System.Action<Value> use)
    {
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Operands) use(v);
            foreach (var inner in op.Regions) Uses(inner, use);
        }
        foreach (var y in r.Yields) use(y);
    }
}
