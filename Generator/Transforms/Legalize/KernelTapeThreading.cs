using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// Reverse mode inside a kernel: each kernel helper that reaches the tape (pushes or pops itself, or
/// calls a helper that does) gets one more parameter, <c>__tape</c>, the item's <c>Dsl.KernelTape</c>,
/// and passes it on to every such callee. On the CPU each generated method rents its own tape; here
/// the helpers of one item share one stack, which is sound because every function pops all it pushed
/// before it returns. The struct is passed by value: its top lives in memory that every copy shares.
/// Helpers that do not reach the tape are printed as before. The item's <c>Dsl.KernelScratch</c>
/// (<c>__scratch</c>, run-time-sized local buffers) is threaded the same way, after the tape.
/// </summary>
internal static class KernelTapeThreading
{
    /// <summary>The name of the tape parameter and local in kernel code.</summary>
    public const string TapeName = "__tape";

    /// <summary>The name of the scratch parameter and local in kernel code.</summary>
    public const string ScratchName = "__scratch";

    /// <summary>The functions of <paramref name="functions"/> that reach the tape (a fixpoint over their calls).</summary>
    public static HashSet<FunctionKey> Reaching(IReadOnlyDictionary<FunctionKey, Function> functions) =>
        Reaching(functions, KernelLegality.UsesTape);

    /// <summary>The functions of <paramref name="functions"/> for which <paramref name="uses"/> holds or that call one.</summary>
    public static HashSet<FunctionKey> Reaching(IReadOnlyDictionary<FunctionKey, Function> functions, System.Func<Function, bool> uses)
    {
        var reaching = new HashSet<FunctionKey>(functions.Where(kv => uses(kv.Value)).Select(kv => kv.Key));
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var kv in functions)
            {
                if (reaching.Contains(kv.Key)) continue;
                if (KernelLegality.Callees(kv.Value).Any(reaching.Contains)) changed = reaching.Add(kv.Key);
            }
        }
        return reaching;
    }

    /// <summary><paramref name="fn"/> with the tape as its last parameter, passed on to the callees in <paramref name="reaching"/>.
    /// </summary>
    public static Function Thread(Function fn, HashSet<FunctionKey> reaching) => Thread(fn, reaching, TapeName);

    /// <summary><paramref name="fn"/> with a last parameter <paramref name="name"/>, passed on to the callees in
    /// <paramref name="reaching"/>.</summary>
    public static Function Thread(Function fn, HashSet<FunctionKey> reaching, string name)
    {
        // The tape's IR type is a placeholder (an int): only the kernel helper's header prints it,
        // as Dsl.KernelTape, and the body only names it.
        var tape = new Value(MaxId(fn.Body) + 1, IrType.I32, name);
        var body = Rewrite(fn.Body, tape, reaching);
        return fn with { Body = body with { Args = body.Args.Concat(new[] { tape }).ToEquatableArray() } };
    }

    private static Region Rewrite(Region r, Value tape, HashSet<FunctionKey> reaching)
    {
        var ops = r.Ops.Select(op => op switch
        {
            CallOp c when reaching.Contains(c.Callee) => c with { Args = c.Args.Concat(new[] { tape }).ToEquatableArray() },
            ForOp f => f with { Body = Rewrite(f.Body, tape, reaching) },
            IfOp i => i with { Then = Rewrite(i.Then, tape, reaching), Else = Rewrite(i.Else, tape, reaching) },
            _ => op,
        }).ToEquatableArray();
        return r with { Ops = ops };
    }

    internal static int MaxId(Region r)
    {
        var max = r.Args.Select(a => a.Id).DefaultIfEmpty(0).Max();
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Results) max = System.Math.Max(max, v.Id);
            foreach (var inner in op.Regions) max = System.Math.Max(max, MaxId(inner));
        }
        return max;
    }
}
