using System.Collections.Generic;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// What an ILGPU kernel cannot contain, checked on the IR of every function a kernel runs before
/// any of it is printed: the reason names the construct and what to write instead. A kernel has one
/// tape, <c>Dsl.KernelTape</c> (level 0, see <see cref="KernelTapeThreading"/>); the higher levels that
/// reverse mode over reverse mode uses are not there. ILGPU's local memory needs a length known
/// when the kernel is compiled; a double buffer of run-time length comes from the item's
/// <c>Dsl.KernelScratch</c> instead (<see cref="AllocatesAtRunTime"/>), as does a float one.
/// </summary>
internal static class KernelLegality
{
    /// <summary>The first construct of <paramref name="fn"/> a kernel cannot contain, or null.</summary>
    public static string? Check(Function fn, string shownName)
    {
        var constants = new HashSet<int>();
        return Visit(fn.Body, constants, shownName);
    }

    private static string? Visit(Region r, HashSet<int> constants, string name)
    {
        foreach (var op in r.Ops)
        {
            switch (op)
            {
                case ConstOp c:
                    constants.Add(c.Result.Id);
                    break;
                case PushOp { Level: > 0 } or PopOp { Level: > 0 }:
                    return $"'{name}' uses tape level {TapeLevel(op)}: reverse mode over code that itself uses the tape " +
                        "(a gradient through a generated gradient or HVP) needs more than the kernel's one per-thread tape — declare the " +
                        "kernel on a [Gradient]/[Vjp] method, or on a forward-mode method over it ([Jvp], [Taylor])";
                case UnaryOp or BinaryOp or TernaryOp when Primitives.Of(op) is { Kernel: KernelMath.Refused } row:
                    return $"'{name}' calls Math.{row.ClrName}, which ILGPU 1.5.3 compiles to an .extern call that fails when " +
                        $"the kernel is loaded; write {row.KernelInstead}";
                case CallOp { Rule: { } rule }:
                    return $"'{name}' calls '{rule.Name}', which the generator does not look into (it has a derivative rule): a " +
                        "kernel cannot call it; write the function out in a [Differentiable] method, or call it outside the kernel";
                case AllocOp a when !constants.Contains(a.Length.Id) && a.Result.Type.Elem is not (ScalarKind.F64 or ScalarKind.F32):
                    return $"'{name}' allocates a {a.Result.Type.Elem} buffer ('{a.Result.Name}') whose length is known only at run " +
                        "time; a kernel's run-time-sized buffers come from its scratch (Dsl.KernelScratch), which holds doubles and " +
                        "floats — write stackalloc T[N] or new T[N] with a constant N";
            }
            foreach (var inner in op.Regions)
            {
                if (Visit(inner, constants, name) is { } failure) return failure;
            }
        }
        return null;
    }

    private static int TapeLevel(Op op) => op is PushOp p ? p.Level : ((PopOp)op).Level;

    /// <summary>True when <paramref name="fn"/> itself pushes to or pops from a tape.</summary>
    public static bool UsesTape(Function fn)
    {
        bool Walk(Region r)
        {
            foreach (var op in r.Ops)
            {
                if (op is PushOp or PopOp) return true;
                foreach (var inner in op.Regions)
                {
                    if (Walk(inner)) return true;
                }
            }
            return false;
        }
        return Walk(fn.Body);
    }

    /// <summary>True when <paramref name="fn"/> itself allocates a buffer of non-constant length (from kernel scratch).</summary>
    public static bool AllocatesAtRunTime(Function fn)
    {
        var constants = new HashSet<int>();
        bool Walk(Region r)
        {
            foreach (var op in r.Ops)
            {
                if (op is ConstOp c) constants.Add(c.Result.Id);
                if (op is AllocOp a && !constants.Contains(a.Length.Id)) return true;
                foreach (var inner in op.Regions)
                {
                    if (Walk(inner)) return true;
                }
            }
            return false;
        }
        return Walk(fn.Body);
    }

    /// <summary>The functions that <paramref name="fn"/> calls, directly, in the order the calls appear.</summary>
    public static List<FunctionKey> Callees(Function fn)
    {
        var keys = new List<FunctionKey>();
        void Walk(Region r)
        {
            foreach (var op in r.Ops)
            {
                if (op is CallOp c && !keys.Contains(c.Callee)) keys.Add(c.Callee);
                foreach (var inner in op.Regions) Walk(inner);
            }
        }
        Walk(fn.Body);
        return keys;
    }
}
