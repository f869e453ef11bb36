using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Targets;

/// <summary>Loop results kept in stack slots after their loop, and how many slots of each width.</summary>
internal sealed class ParkingPlan
{
    public static ParkingPlan None => new();

    /// <summary>Value id → the slot expression that holds it after its loop.</summary>
    public Dictionary<int, string> Slots { get; } = new();

    /// <summary>Number of <c>float</c> slots.</summary>
    public int Floats { get; set; }

    /// <summary>Number of <c>double</c> slots.</summary>
    public int Doubles { get; set; }

    public bool IsParked(Value v) => Slots.ContainsKey(v.Id);
}

/// <summary>
/// Marks loop results that stay live across a call after the loop. On x64 every vector
/// register is caller-saved, and the JIT spills such a variable where it is defined — inside
/// the loop, on every iteration. Parking the result in a stack slot right after the loop
/// ends the variable's life there, so the loop keeps it in a register (measured in
/// docs/benchmarks.md: 3.5× → 1.5× primal for an MLP JVP).
/// </summary>
internal static class RegisterParking
{
    /// <summary>The parking plan of a body; slots are <c>floatSlots[n]</c> and <c>doubleSlots[n]</c>.</summary>
    public static ParkingPlan Plan(Region body, string floatSlots, string doubleSlots)
    {
        var plan = new ParkingPlan();
        Visit(body, plan, floatSlots, doubleSlots);
        return plan;
    }

    private static void Visit(Region r, ParkingPlan plan, string floatSlots, string doubleSlots)
    {
        for (var p = 0; p < r.Ops.Count; p++)
        {
            foreach (var inner in r.Ops[p].Regions) Visit(inner, plan, floatSlots, doubleSlots);
            if (r.Ops[p] is not ForOp f) continue;
            foreach (var o in f.Outs)
            {
                if (!o.Type.IsFloat || !CrossesCall(r, p, o)) continue;
                plan.Slots[o.Id] = o.Type.Elem == ScalarKind.F32
                    ? $"{floatSlots}[{plan.Floats++}]"
                    : $"{doubleSlots}[{plan.Doubles++}]";
            }
        }
    }

    /// <summary>True when a call runs between the loop at <paramref name="p"/> and the last read of its result.</summary>
    private static bool CrossesCall(Region r, int p, Value o)
    {
        var lastUse = -1;
        for (var q = p + 1; q < r.Ops.Count; q++)
        {
            var reads = new HashSet<int>(r.Ops[q].Operands.Select(v => v.Id));
            foreach (var inner in r.Ops[q].Regions) Rewrite.Reads(inner, reads);
            if (reads.Contains(o.Id)) lastUse = q;
        }
        if (r.Yields.Any(y => y.Id == o.Id)) lastUse = r.Ops.Count;
        var crossesCall = false;
        for (var q = p + 1; q < lastUse && q < r.Ops.Count; q++) crossesCall |= IsCall(r.Ops[q]);
        return crossesCall;
    }

    /// <summary>True when the op compiles to a call (which clobbers every vector register on x64).</summary>
    private static bool IsCall(Op op) => op switch
    {
        UnaryOp or BinaryOp or TernaryOp => !CpuScalar.JitExpandsInline(op),
        CallOp => true,
        _ => op.Regions.Any(r => r.Ops.Any(IsCall)),
    };
}
