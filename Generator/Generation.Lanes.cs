using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Frontend;
using Dsl.Generator.Frontend.Kinds;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Lanes;

namespace Dsl.Generator;

/// <summary>
/// How a kernel's launcher runs on the CPU: W items per call in the lanes of a vector (the root's lanes method and its
/// element type), or one item per call and why (<paramref name="Unavailable"/>).
/// </summary>
internal sealed record KernelLanes(string? RootId, ScalarKind Elem, string? Unavailable)
{
    public static KernelLanes None(string why) => new(null, ScalarKind.F32, why);

    public int Width => Elem == ScalarKind.F32 ? 8 : 4;

    /// <summary>
    /// Span parameters the lanes method sets to zero before it touches them (a generated gradient clears its adjoint
    /// outputs first): the launcher need not clear their lane blocks, whose rows are up to |θ| vectors (5 MB at d = 1,000).
    /// </summary>
    public EquatableArray<string> ClearedOnEntry { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>Every lanes method of one generated file: a function under a mask and element kind, and its verdict.</summary>
internal sealed class LanesTable
{
    public sealed record Entry(FunctionKey Key, string Mask, ScalarKind Elem, Function Fn, LaneVerdict Verdict);

    public SortedDictionary<string, Entry> Entries { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>Why no lanes method of the file was printed (null: all were).</summary>
    public string? Failure { get; set; }

    public static string Id(FunctionKey key, string mask, ScalarKind elem) => $"{key}#{mask}#{elem}";

    public string Name(string id) => Names.TryGetValue(id, out var n) ? n : "__lanes_unnamed";
}

internal static partial class Generation
{
    /// <summary>
    /// Plans the lanes version of a kernel's method: per-item parameters (the rows and values <c>PerItem</c> names, and
    /// every span output) vary, the analysis finds what else does, and every function reached is recorded in
    /// <paramref name="table"/> under the mask its calls give it. Obstacles (and a mix of float and double per item)
    /// leave the launcher on one item per call, with the reason.
    /// </summary>
    private static KernelLanes PlanLanes(KernelPlan plan, Function fn, Callees callees, LanesTable table)
    {
        var inputs = plan.Args.Where(a => !a.IsOut).ToList();
        if (inputs.Count != fn.Params.Count) return KernelLanes.None("its parameters do not match the method's");
        var mask = inputs.Select(a => a.PerItem || a.IsSpanOutput).ToList();
        var lanes = Uniformity.Plan(fn, mask, callees.Find, speculate: true);
        var verdicts = new[] { lanes.Verdict }.Concat(lanes.Callees.Values.Select(v => v.Verdict)).ToList();
        var obstacles = verdicts.SelectMany(v => v.Obstacles).Distinct().ToList();
        if (obstacles.Count > 0) return KernelLanes.None(string.Join("; ", obstacles));
        var kinds = verdicts.SelectMany(v => v.FloatKinds).Distinct().ToList();
        if (kinds.Count > 1) return KernelLanes.None("its per-item values mix float and double (the lanes hold one kind)");
        var elem = kinds.Count == 1 ? kinds[0] : ScalarKind.F32;
        for (var i = 0; i < fn.Params.Count; i++)
        {
            // A shared buffer that would hold per-item values (the launcher passes it whole) keeps the per-item path.
            if (lanes.Verdict.IsVarying(fn.Params[i]) != mask[i])
                return KernelLanes.None($"it writes per-item values into the shared '{fn.Params[i].Name}'");
        }
        if (fn.Body.Yields.FirstOrDefault(y => !lanes.Verdict.IsVarying(y)) is { } same)
            return KernelLanes.None($"its result '{(same.Name.Length > 0 ? same.Name : "result")}' is the same for every item");
        var rootId = LanesTable.Id(fn.Key, LanePlan.Mask(mask), elem);
        table.Entries[rootId] = new LanesTable.Entry(fn.Key, LanePlan.Mask(mask), elem, fn, lanes.Verdict);
        foreach (var kv in lanes.Callees)
        {
            var id = LanesTable.Id(kv.Key.Key, kv.Key.Mask, elem);
            table.Entries[id] = new LanesTable.Entry(kv.Key.Key, kv.Key.Mask, elem, kv.Value.Fn, kv.Value.Verdict);
        }
        return new KernelLanes(rootId, elem, null)
        {
            ClearedOnEntry = Enumerable.Range(0, inputs.Count)
                .Where(i => inputs[i].IsSpanOutput && ClearsOnEntry(fn.Body, fn.Params[i], callees.Find, 0))
                .Select(i => inputs[i].Param.Name).ToEquatableArray(),
        };
    }

    /// <summary>
    /// Whether the region clears <paramref name="buffer"/> before any op (at any depth) uses it: by its own clear, or by a
    /// first use that is a call passing it whole to a parameter the callee clears on entry (an eager gradient written
    /// straight into θ̄ is cleared by the callee that computes it: the caller's own clear is then left out).
    /// </summary>
    private static bool ClearsOnEntry(Region body, Value buffer, Func<FunctionKey, Function?> find, int depth)
    {
        static bool Uses(Op op, Value v) => op.Operands.Any(o => o.Id == v.Id) || op.Regions.Any(r => r.Ops.Any(inner => Uses(inner, v)));
        foreach (var op in body.Ops)
        {
            if (op is ClearOp c && c.Buffer.Id == buffer.Id) return true;
            if (!Uses(op, buffer)) continue;
            if (op is not CallOp call || depth > 8 || call.Rule is not null || find(call.Callee) is not { } callee) return false;
            var slots = Enumerable.Range(0, call.Args.Count).Where(i => call.Args[i].Id == buffer.Id).ToList();
            return slots.Count == 1 && slots[0] < callee.Params.Count
                && ClearsOnEntry(callee.Body, callee.Params[slots[0]], find, depth + 1);
        }
        return false;
    }

    /// <summary>
    /// Names the lanes methods (<c>__lanes_…</c>, unique, in id order) and adds them to <paramref name="methods"/>, printed
    /// here, each inside the guard: if any fails to print (a construct the lanes target has no form for), none is
    /// added and every launcher of the file keeps one item per call, with the reason in its <c>LanesUnavailable</c> —
    /// the rest of the file is unaffected.
    /// </summary>
    private static void EmitLanes(LanesTable table, IEnumerable<string> taken, List<EmittedMethod> methods)
    {
        if (table.Entries.Count == 0) return;
        var printed = new List<EmittedMethod>();
        try
        {
            Outline(table);
            var used = new HashSet<string>(taken, StringComparer.Ordinal);
            foreach (var kv in table.Entries)
            {
                var baseName = "__lanes_" + kv.Value.Fn.Name.TrimStart('_');
                var n = baseName;
                for (var k = 2; !used.Add(n); k++) n = baseName + "_" + k;
                table.Names[kv.Key] = n;
            }
            foreach (var kv in table.Entries)
            {
                var e = kv.Value;
                var target = new CpuLanes(e.Verdict, e.Elem, (key, mask) => table.Name(LanesTable.Id(key, mask, e.Elem)));
                var w = new IndentedWriter();
                BodyWriter.EmitMethod(w, e.Fn, ShapeOfLanesHelper(e, table.Names[kv.Key], target), _ => "", target);
                var lines = w.ToString().TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
                printed.Add(new EmittedMethod(e.Fn, ShapeOfLanesHelper(e, table.Names[kv.Key], target), target, Text: _ => lines));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            table.Failure = $"its lanes version could not be printed ({ex.GetType().Name}: {ex.Message}); please report it";
            return;
        }
        methods.AddRange(printed);
    }

    /// <summary>
    /// Adjoint matrix loops are jammed four rows at a time (UnrollAndJam: each weight-independent load made once for four
    /// rows), then loop nests become small methods of their own (see LoopOutlining: the JIT keeps their vectors in registers).
    /// </summary>
    private static void Outline(LanesTable table)
    {
        foreach (var kv in table.Entries.ToList())
        {
            var e = kv.Value;
            var (jammed, verdict) = UnrollAndJam.Run(e.Fn, e.Verdict);
            e = e with { Fn = jammed, Verdict = verdict };
            var (fn, loops) = LoopOutlining.Run(e.Fn);
            table.Entries[kv.Key] = e with { Fn = fn };
            foreach (var loop in loops)
            {
                var mask = LanePlan.Mask(loop.Params.Select(e.Verdict.IsVarying));
                table.Entries[LanesTable.Id(loop.Key, mask, e.Elem)] = new LanesTable.Entry(loop.Key, mask, e.Elem, loop, e.Verdict);
            }
        }
    }

    /// <summary>A lanes method's header: per-item parameters and results as vectors (or spans of them), the rest as they are.</summary>
    private static MethodShape ShapeOfLanesHelper(LanesTable.Entry e, string name, CpuLanes target)
    {
        var fn = e.Fn;
        var shape = HelperShape(fn, name, target.LocalType, new List<string>());
        var varying = Enumerable.Range(0, fn.Params.Count).Where(i => e.Mask[i] == '1').Select(i => shape.ParamNames[i]).ToList();
        var comment = new[]
        {
            $"// {fn.Name} for {target.Width} items at once, one per lane (the launcher's CPU path): " +
                (varying.Count == 0 ? "no parameter differs per item." : $"per item: {string.Join(", ", varying)}; the rest shared."),
        };
        return shape with { Comment = comment.ToList() };
    }
}
