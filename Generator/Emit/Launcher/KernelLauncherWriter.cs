using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Frontend;
using Dsl.Generator.Frontend.Kinds;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Launcher;

/// <summary>
/// The host side of a <c>[Kernel]</c>: a nested class <c>{Kernel}Launcher : Dsl.KernelLauncher</c> whose <c>Run</c> takes
/// the whole batch as host memory (per-item inputs as rows of one buffer, shared ones whole), checks every length
/// (the method's own checks on the first item), and runs it either on the CPU cores — the plain generated method per
/// item, in the runtime's fixed chunks — or on the device's ILGPU accelerator: uploads, launches the kernel over waves
/// of whole chunks, relaunches with larger tape and scratch slices while an item reports it ran out, adds the summed
/// outputs in the fixed order and downloads. A pure function of the request and the kernel plan.
/// </summary>
internal static partial class KernelLauncherWriter
{
    private const string Memory = "global::System.Memory";
    private const string ReadOnlyMemory = "global::System.ReadOnlyMemory";

    /// <summary>ILGPU's LoadAutoGroupedStreamKernel takes the index and at most 14 parameters.</summary>
    public const int MaxKernelParameters = 15;

    /// <summary>Why a kernel gets no launcher (null: it gets one).</summary>
    public static string? Unsupported(RequestModel request) =>
        request.Params.Count > MaxKernelParameters
            ? $"ILGPU loads kernels of at most {MaxKernelParameters} parameters; this one has {request.Params.Count}"
            : null;

    public static IEnumerable<string> Write(RequestModel request, KernelPlan plan, KernelLanes lanes, string? lanesMethod)
    {
        var w = new Lines();
        var access = string.Join(" ", request.Modifiers.Split(' ').Where(m => m is "public" or "internal" or "private" or "protected"));
        var cls = request.Name + "Launcher";
        var ret = plan.SumResult ? Elem(plan.Returns!) : "void";
        var hostParams = new List<string> { "int count" };
        foreach (var a in plan.Args) hostParams.Add(HostParam(a));
        if (plan.Returns is { } r && !plan.SumResult) hostParams.Add($"{Memory}<{Elem(r)}> result");

        w.Add($"/// <summary>");
        w.Add($"/// Runs {plan.Method} over a batch of items: on the CPU cores (the generated method per item) or on an ILGPU");
        w.Add($"/// accelerator ({request.Name}), as the <see cref=\"global::Dsl.KernelDevice\"/> says. Per-item inputs and outputs hold");
        w.Add($"/// one row (or value) per item, one after another; shared inputs are passed whole.{SumsNote(request, plan)}");
        foreach (var line in LanesNote(plan, lanes, lanesMethod)) w.Add("/// " + line);
        w.Add($"/// </summary>");
        w.Add(SourceFileEmitter.GeneratedCodeAttribute);
        w.Add($"{(access.Length > 0 ? access + " " : "")}sealed class {cls} : global::Dsl.KernelLauncher");
        w.Open();
        w.Add($"private {Delegate(request)}? __kernel;");
        w.Add("");
        w.Add($"/// <summary>A launcher on <paramref name=\"device\"/> (the device is not disposed with it).</summary>");
        w.Add($"public {cls}(global::Dsl.KernelDevice device) : base(device) {{ }}");
        w.Add("");
        w.Add("/// <summary>Why the CPU path runs one item per call instead of W items in the lanes of a vector (null: it runs in lanes).");
        w.Add("/// </summary>");
        var why = lanesMethod is null ? Quote(lanes.Unavailable ?? "no lanes version") : "null";
        w.Add($"public static string? LanesUnavailable => {why};");
        w.Add("");

        w.Add($"/// <summary>Runs {plan.Method} for <paramref name=\"count\"/> items.</summary>");
        foreach (var a in plan.Args) w.Add($"/// <param name=\"{a.Param.Name}\">{ParamDoc(a)}</param>");
        if (plan.Returns is not null && !plan.SumResult) w.Add("/// <param name=\"result\">One value per item: its result.</param>");
        if (plan.SumResult) w.Add("/// <returns>The sum of the items' results.</returns>");
        w.Add($"public {ret} Run({string.Join(", ", hostParams)})");
        w.Open();
        WriteChecks(w, plan);
        w.Add("if (Device.Accelerator is null)");
        w.Open();
        if (lanesMethod is not null)
        {
            w.Add("if (Device.Lanes && global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)");
            w.Open();
            WriteCpuLanes(w, plan, lanes, lanesMethod);
            w.Close();
            w.Add("else");
            w.Open();
            WriteCpuPerItem(w, plan);
            w.Close();
        }
        else WriteCpuPerItem(w, plan);
        WriteCpuSums(w, plan);
        w.Close();
        WriteAccelerator(w, request, plan);
        w.Close();
        if (plan.Checks is { Count: > 0 } checks)
        {
            w.Add("");
            w.Add($"// {plan.Method}'s own argument checks; Run passes the first item's rows (all rows have equal lengths).");
            var ps = plan.Args.Where(a => !a.IsOut).Select(a => a.Param.Declaration);
            w.Add($"private static void __Check({string.Join(", ", ps)})");
            w.Open();
            foreach (var c in checks) w.Add(c);
            w.Close();
        }
        w.Close();
        return w.All;
    }

    private static string SumsNote(RequestModel request, KernelPlan plan)
    {
        var sums = plan.Args.Where(a => a.Summed).Select(a => a.Param.Name).ToList();
        if (plan.SumResult) sums.Insert(0, "the result");
        var how = request.AtomicSums ? "on an accelerator with Atomic.Add (the last bits may vary), on the CPU in one fixed order"
            : "in one fixed order (Dsl.KernelLauncher)";
        return sums.Count == 0 ? "" : $"\n/// Summed over the items, {how}: {string.Join(", ", sums)}.";
    }

    private static string ParamDoc(KernelArg a)
    {
        if (a.IsOut) return a.Summed ? "The sum over the items." : "One value per item.";
        if (a.IsSpanOutput) return a.Summed ? "One row: the sum of the items' rows." : "One row per item (its output).";
        if (a.IsPerItemScalar) return "One value per item.";
        if (a.PerItem) return "One row per item.";
        return a.Param.Type!.IsBuffer ? "Shared by every item." : "Shared by every item.";
    }

    private static string HostParam(KernelArg a)
    {
        var t = Elem(a.Param.Type!);
        var n = a.Param.Identifier;
        if (a.IsOut) return a.Summed ? $"out {t} {n}" : $"{Memory}<{t}> {n}";
        if (a.IsSpanOutput) return $"{Memory}<{t}> {n}";
        if (a.Param.Type!.IsBuffer || a.IsPerItemScalar) return $"{ReadOnlyMemory}<{t}> {n}";
        return a.Param.Declaration;
    }

    private static string Delegate(RequestModel request) =>
        $"global::System.Action<{string.Join(", ", request.Params.Select(p => p.TypeText))}>";

    private static string Elem(IrType t) => IlgpuKernel.Instance.Type(t.IsBuffer ? t with { IsBuffer = false } : t);

    private static string Row(KernelArg a) => "__" + a.Param.Name + "Row";

    /// <summary>Lengths: rows are multiples of the count, per-item values one per item, then the method's own checks.</summary>
    private static void WriteChecks(Lines w, KernelPlan plan)
    {
        w.Add("CheckCount(count);");
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.IsOut && !a.Summed || a.IsPerItemScalar) w.Add($"CheckItems({n}.Length, count, \"{q}\");");
            else if (a.IsSpanOutput && a.Summed) w.Add($"int {Row(a)} = {n}.Length;");
            else if (a.IsSpanOutput || a.PerItem) w.Add($"int {Row(a)} = RowLength({n}.Length, count, \"{q}\");");
        }
        if (plan.Returns is not null && !plan.SumResult) w.Add("CheckItems(result.Length, count, \"result\");");
        if (plan.Checks is not { Count: > 0 }) return;
        var first = plan.Args.Where(a => !a.IsOut).Select(a =>
        {
            var n = a.Param.Identifier;
            if (a.IsPerItemScalar) return $"{n}.Span[0]";
            if (a.IsSpanOutput || a.PerItem) return $"{n}.Span.Slice(0, {Row(a)})";
            return a.Param.Type!.IsBuffer ? n + ".Span" : n;
        });
        w.Add($"__Check({string.Join(", ", first)});");
    }

    /// <summary>
    /// The CPU path: chunks over the cores; each item calls the generated method on its rows; summed outputs go through
    /// a per-chunk row (cleared before each item) into the chunk's double accumulator, then the chunks are added in order.
    /// </summary>
    private static void WriteCpuPerItem(Lines w, KernelPlan plan)
    {
        w.Add("ForEachChunk(count, (__chunk, __lo, __hi) =>");
        w.Open();
        foreach (var a in plan.Args.Where(a => a.Summed))
        {
            var q = a.Param.Name;
            var len = a.IsOut ? "1" : Row(a);
            if (a.IsSpanOutput) w.Add($"var __{q}Item = HostArray<{Elem(a.Param.Type!)}>(\"{q}#item\", __chunk, {len});");
            w.Add($"var __{q}Sum = Accumulator(\"{q}\", __chunk, {len});");
        }
        if (plan.SumResult) w.Add("var __resultSum = Accumulator(\"result\", __chunk, 1);");
        w.Add("for (int __i = __lo; __i < __hi; __i++)");
        w.Open();
        var args = new List<string>();
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.IsOut)
            {
                if (a.Summed)
                {
                    w.Add($"{Elem(a.Param.Type!)} __{q}Item;");
                    args.Add($"out __{q}Item");
                }
                else args.Add($"out {n}.Span[__i]");
            }
            else if (a.IsSpanOutput && a.Summed)
            {
                w.Add($"global::System.Array.Clear(__{q}Item);");
                args.Add($"__{q}Item");
            }
            else if (a.IsPerItemScalar) args.Add($"{n}.Span[__i]");
            else if (a.IsSpanOutput || a.PerItem) args.Add($"{n}.Span.Slice(__i * {Row(a)}, {Row(a)})");
            else args.Add(a.Param.Type!.IsBuffer ? n + ".Span" : n);
        }
        var call = $"{plan.Method}({string.Join(", ", args)})";
        if (plan.Returns is null) w.Add(call + ";");
        else if (plan.SumResult) w.Add($"__resultSum[0] += {call};");
        else w.Add($"result.Span[__i] = {call};");
        foreach (var a in plan.Args.Where(a => a.Summed))
        {
            var q = a.Param.Name;
            w.Add(a.IsOut ? $"__{q}Sum[0] += __{q}Item;" : $"Accumulate(__{q}Sum, __{q}Item);");
        }
        w.Close();
        w.Close(");");
    }

    /// <summary>The CPU path's end: the chunks' sums added in chunk order into the outputs.</summary>
    private static void WriteCpuSums(Lines w, KernelPlan plan)
    {
        foreach (var a in plan.Args.Where(a => a.Summed))
        {
            var q = a.Param.Name;
            if (a.IsSpanOutput) w.Add($"ReduceChunks(\"{q}\", count, {a.Param.Identifier}.Span);");
            else
            {
                w.Add($"global::System.Span<{Elem(a.Param.Type!)}> __{q}Total = stackalloc {Elem(a.Param.Type!)}[1];");
                w.Add($"ReduceChunks(\"{q}\", count, __{q}Total);");
                w.Add($"{a.Param.Identifier} = __{q}Total[0];");
            }
        }
        if (plan.SumResult)
        {
            var t = Elem(plan.Returns!);
            w.Add($"global::System.Span<{t}> __resultTotal = stackalloc {t}[1];");
            w.Add("ReduceChunks(\"result\", count, __resultTotal);");
            w.Add("return __resultTotal[0];");
        }
        else w.Add("return;");
    }

    /// <summary>
    /// The accelerator path: inputs uploaded once, outputs that are kept per item uploaded too (the method may read
    /// them), waves of whole chunks, a launch per wave rerun while the tape or scratch was too small, summed outputs
    /// through zeroed partial rows and the reduction kernel, then everything copied back.
    /// </summary>
    private static void WriteAccelerator(Lines w, RequestModel request, KernelPlan plan)
    {
        var types = string.Join(", ", request.Params.Select(p => p.TypeText));
        w.Add($"__kernel ??= global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<{types}>(Accelerator, {request.Name});");
        var perItemBytes = new List<string>();
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            var t = Elem(a.Param.Type!);
            if (a.Summed)
            {
                var len = a.IsOut ? "1" : Row(a);
                w.Add($"var __{q}Sums = DeviceSums(\"{q}#sums\", {len});");
                perItemBytes.Add($"(long)sizeof({t}) * {len}");
            }
            else if (a.IsOut) w.Add($"var __{q}View = DeviceBuffer<{t}>(\"{q}\", count).SubView(0, count);");
            else if (a.Param.Type!.IsBuffer || a.IsPerItemScalar) w.Add($"var __{q}View = Upload<{t}>(\"{q}\", {n}.Span);");
        }
        if (plan.Returns is { } r)
        {
            var t = Elem(r);
            if (plan.SumResult)
            {
                w.Add("var __resultSums = DeviceSums(\"result#sums\", 1);");
                perItemBytes.Add($"(long)sizeof({t})");
            }
            else w.Add($"var __resultView = DeviceBuffer<{t}>(\"result\", count).SubView(0, count);");
        }
        perItemBytes.Add($"SliceBytes({Bool(plan.UsesTape)}, {Bool(plan.UsesScratch)})");
        WriteLaunch(w, plan);
        var tape = plan.UsesTape ? "Reports(\"__tapeReports\", __m)" : "null";
        var scratch = plan.UsesScratch ? "Reports(\"__scratchReports\", __m)" : "null";
        if (plan.UsesTape || plan.UsesScratch)
        {
            // Tape and scratch needs depend on the lengths and int arguments: when they changed, one item's launch
            // sizes the slices before the waves are planned (a wave of many items with stale slices could exceed memory).
            var shape = plan.Args
                .Where(a => !a.IsOut && !a.IsPerItemScalar && (a.Param.Type!.IsBuffer || a.Param.Type.Elem is ScalarKind.I32))
                .Select(a => a.Param.Type!.IsBuffer ? (a.PerItem || a.IsSpanOutput ? Row(a) : a.Param.Identifier + ".Length")
                    : a.Param.Identifier);
            w.Add($"if (ShapeChanged({string.Join(", ", shape)}))");
            w.Open();
            w.Add("int __m = 1;");
            w.Add("do __Launch(0, __m);");
            w.Add($"while (Grow({tape}, {scratch}, __m));");
            w.Close();
        }
        w.Add($"foreach (var (__lo, __hi, __chunkLo, __chunkHi) in Waves(count, {string.Join(" + ", perItemBytes)}))");
        w.Open();
        w.Add("int __m = __hi - __lo;");
        w.Add("do __Launch(__lo, __m);");
        w.Add($"while (Grow({tape}, {scratch}, __m));");
        foreach (var a in plan.Args.Where(a => a.Summed))
        {
            var q = a.Param.Name;
            var len = a.IsOut ? "1" : Row(a);
            w.Add(request.AtomicSums
                ? $"AddAtomically(DeviceBuffer<{Elem(a.Param.Type!)}>(\"{q}\", (long)__m * {len}), {len}, __m, __{q}Sums);"
                : $"AddChunks(DeviceBuffer<{Elem(a.Param.Type!)}>(\"{q}\", (long)__m * {len}), {len}, count, __chunkLo, __chunkHi, __lo, " +
                    $"__{q}Sums);");
        }
        if (plan.SumResult)
        {
            var t = Elem(plan.Returns!);
            w.Add(request.AtomicSums ? $"AddAtomically(DeviceBuffer<{t}>(\"result\", __m), 1, __m, __resultSums);"
                : $"AddChunks(DeviceBuffer<{t}>(\"result\", __m), 1, count, __chunkLo, __chunkHi, __lo, __resultSums);");
        }
        w.Close();
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.Summed && a.IsOut) w.Add($"{n} = Sum{(a.Param.Type!.Elem == ScalarKind.F32 ? "Single" : "Double")}(__{q}Sums);");
            else if (a.Summed) w.Add($"DownloadSums(__{q}Sums, {n}.Span);");
            else if (a.IsOut || a.IsSpanOutput) w.Add($"Download(__{q}View, {n}.Span);");
        }
        if (plan.Returns is { } rr)
        {
            if (plan.SumResult) w.Add($"return Sum{(rr.Elem == ScalarKind.F32 ? "Single" : "Double")}(__resultSums);");
            else w.Add("Download(__resultView, result.Span);");
        }
    }

    /// <summary>
    /// <c>__Launch(lo, m)</c>: the kernel over items [lo, lo + m), with zeroed partial rows for the summed outputs and
    /// the caller's rows restored in the outputs it keeps per item (a relaunch starts again from them).
    /// </summary>
    private static void WriteLaunch(Lines w, KernelPlan plan)
    {
        w.Add("void __Launch(int __lo, int __m)");
        w.Open();
        var args = new List<string> { "__m" };
        foreach (var a in plan.Args)
        {
            var n = a.Param.Identifier;
            var q = a.Param.Name;
            if (a.Summed)
            {
                var len = a.IsOut ? "__m" : $"(long)__m * {Row(a)}";
                w.Add($"var __{q}Part = DeviceBuffer<{Elem(a.Param.Type!)}>(\"{q}\", {len});");
                w.Add($"Zero(__{q}Part);");
                args.Add($"__{q}Part");
            }
            else if (a.IsOut || a.IsPerItemScalar) args.Add($"__{q}View.SubView(__lo, __m)");
            else if (a.IsSpanOutput)
            {
                w.Add($"CopyRows(__{q}View.SubView((long)__lo * {Row(a)}, (long)__m * {Row(a)}), " +
                    $"{n}.Span.Slice(__lo * {Row(a)}, __m * {Row(a)}));");
                args.Add($"__{q}View.SubView((long)__lo * {Row(a)}, (long)__m * {Row(a)})");
            }
            else if (a.PerItem) args.Add($"__{q}View.SubView((long)__lo * {Row(a)}, (long)__m * {Row(a)})");
            else args.Add(a.Param.Type!.IsBuffer ? $"__{q}View" : n);
        }
        if (plan.Returns is not null)
        {
            if (plan.SumResult) w.Add($"var __resultPart = DeviceBuffer<{Elem(plan.Returns)}>(\"result\", __m);");
            args.Add(plan.SumResult ? "__resultPart" : "__resultView.SubView(__lo, __m)");
        }
        else if (!plan.Args.Any(a => a.IsOut)) args.Add("__m");
        if (plan.UsesTape) args.AddRange(new[] { "TapeView(__m)", "Reports(\"__tapeReports\", __m)" });
        if (plan.UsesScratch) args.AddRange(new[] { "ScratchView(__m)", "Reports(\"__scratchReports\", __m)" });
        w.Add($"__kernel({string.Join(", ", args)});");
        w.Close();
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>Lines with braces that indent.</summary>
    private sealed class Lines
    {
        private int _depth;

        public List<string> All { get; } = new();

        public void Add(string line)
        {
            foreach (var l in line.Split('\n')) All.Add(l.Length == 0 ? "" : new string(' ', 4 * _depth) + l);
        }

        public void Open()
        {
            Add("{");
            _depth++;
        }

        public void Close(string after = "")
        {
            _depth--;
            Add("}" + after);
        }
    }
}
