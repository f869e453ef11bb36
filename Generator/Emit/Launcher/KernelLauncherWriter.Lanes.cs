using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Frontend.Kinds;

namespace Dsl.Generator.Emit.Launcher;

/// <summary>
/// The launcher's CPU path with W items per call: each chunk runs its items in blocks of W (8 floats or 4 doubles), the
/// block's rows transposed so that element k of the W rows is one vector, through the kernel's lanes method; then each
/// lane's results are added in item order, exactly as the per-item path adds them, so the sums keep the runtime's one
/// order. A chunk's last block fills its unused lanes with copies of its last item (computed, then ignored). A block
/// whose items take different sides of a branch around stores or calls runs again one item at a time, in all lanes.
/// </summary>
internal static partial class KernelLauncherWriter
{
    private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string LanesRef = "global::Dsl.Lanes";

    private static IEnumerable<string> LanesNote(KernelPlan plan, KernelLanes lanes, string? lanesMethod)
    {
        if (lanesMethod is not null)
        {
            yield return $"On the CPU, {plan.Method} runs for {lanes.Width} items at once, one per lane of a Vector256 ({lanesMethod}; per";
            yield return "item, each lane computes what the kernel computes, bit for bit), unless the device asks for one item per call.";
        }
        else yield return $"On the CPU, {plan.Method} runs one item per call: {Escape(lanes.Unavailable ?? "")}.";
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static void WriteCpuLanes(Lines w, KernelPlan plan, KernelLanes lanes, string method)
    {
        var width = lanes.Width;
        var elem = lanes.Elem == Ir.ScalarKind.F32 ? "float" : "double";
        var vector = $"{Vector256}<{elem}>";
        // An int row or value per item: int lanes beside float lanes, long lanes beside double lanes.
        string VectorOf(KernelArg a) => a.Param.Type!.Elem == Ir.ScalarKind.I32
            ? $"{Vector256}<{(lanes.Elem == Ir.ScalarKind.F32 ? "int" : "long")}>" : vector;
        string GatherOf(KernelArg a) =>
            a.Param.Type!.Elem == Ir.ScalarKind.I32 && lanes.Elem == Ir.ScalarKind.F64 ? "GatherInt64" : "Gather";
        w.Add($"// {width} items per call, one per lane (see {method}); the lanes' results are added in item order.");
        w.Add("ForEachChunk(count, (__chunk, __lo, __hi) =>");
        w.Open();
        foreach (var a in plan.Args.Where(a => a.Summed))
            w.Add($"var __{a.Param.Name}Sum = Accumulator(\"{a.Param.Name}\", __chunk, {(a.IsOut ? "1" : Row(a))});");
        if (plan.SumResult) w.Add("var __resultSum = Accumulator(\"result\", __chunk, 1);");
        var blocks = plan.Args.Where(a => !a.IsOut && !a.IsPerItemScalar && (a.PerItem || a.IsSpanOutput)).ToList();
        foreach (var a in blocks)
            w.Add($"var __{a.Param.Name}Lanes = HostArray<{VectorOf(a)}>(\"{a.Param.Name}#lanes\", __chunk, {LanesRef}.Padded({Row(a)}));");
        w.Add("void __Block(int __first, int __valid)");
        w.Open();
        var args = new List<string>();
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.IsOut)
            {
                args.Add($"out {VectorOf(a)} __{q}Out");
                continue;
            }
            if (a.IsSpanOutput && a.Summed)
            {
                // The lanes method clears a generated gradient's adjoint outputs itself: no second pass over the block.
                if (!lanes.ClearedOnEntry.Contains(q)) w.Add($"global::System.Array.Clear(__{q}Lanes);");
            }
            else if (a.IsPerItemScalar) w.Add($"var __{q}Lane = {LanesRef}.{GatherOf(a)}({n}.Span, __first, __valid);");
            else if (a.IsSpanOutput && lanes.ClearedOnEntry.Contains(q)) { }   // its old rows are never read: nothing to bring in
            else if (a.PerItem || a.IsSpanOutput) w.Add($"{LanesRef}.Transpose({n}.Span, {Row(a)}, __first, __valid, __{q}Lanes);");
            if (a.IsPerItemScalar) args.Add($"__{q}Lane");
            else if (a.PerItem || a.IsSpanOutput) args.Add($"__{q}Lanes");
            else args.Add(a.Param.Type!.IsBuffer ? n + ".Span" : n);
        }
        var call = $"{method}({string.Join(", ", args)})";
        w.Add(plan.Returns is null ? call + ";" : $"var __result = {call};");
        w.Add("for (int __l = 0; __l < __valid; __l++)");
        w.Open();
        if (plan.Returns is not null)
            w.Add(plan.SumResult ? "__resultSum[0] += __result[__l];"
                : "result.Span[__first + __l] = __result[__l];");
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.IsOut)
                w.Add(a.Summed ? $"__{q}Sum[0] += __{q}Out[__l];" : $"{n}.Span[__first + __l] = __{q}Out[__l];");
            else if (a.IsSpanOutput && !a.Summed)
                w.Add($"{LanesRef}.CopyLane(__{q}Lanes, __l, {n}.Span.Slice((__first + __l) * {Row(a)}, {Row(a)}));");
        }
        w.Close();
        // A summed row: each element receives the lanes in item order (elements do not interact), in one pass.
        foreach (var a in plan.Args.Where(a => !a.IsOut && a.IsSpanOutput && a.Summed))
            w.Add($"{LanesRef}.AccumulateLanes(__{a.Param.Name}Sum, __{a.Param.Name}Lanes, __valid);");
        w.Close();
        w.Add($"for (int __i = __lo; __i < __hi; __i += {width})");
        w.Open();
        w.Add($"int __valid = global::System.Math.Min({width}, __hi - __i);");
        w.Add("try");
        w.Open();
        w.Add("__Block(__i, __valid);");
        w.Close();
        w.Add("catch (global::Dsl.LanesDivergedException)");
        w.Open();
        w.Add("// The block's items took different sides of a branch around stores or calls: each runs alone, in every lane.");
        w.Add("Diverged();");
        w.Add("for (int __j = __i; __j < __i + __valid; __j++) __Block(__j, 1);");
        w.Close();
        w.Close();
        w.Close(");");
    }
}
