using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Launcher;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Frontend;
using Dsl.Generator.Frontend.Kinds;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;
using Dsl.Generator.Transforms.Legalize;

namespace Dsl.Generator;

/// <summary>
/// <c>[Kernel]</c> requests: the method a kernel runs and every function it reaches are printed a
/// second time for the ILGPU target (<see cref="IlgpuKernel"/>) as <c>__kernel_…</c> helpers, and the
/// kernel's entry passes each item's rows to the method's helper. The CPU methods are untouched.
/// </summary>
internal static partial class Generation
{
    /// <summary>The entry of one kernel (its text is written once every kernel helper has its name), or the reason there is none.</summary>
    private static (EmittedMethod? Method, string? Failure, FailureKind Kind) GenerateKernel(RequestModel request, Callees callees,
        SortedDictionary<FunctionKey, Function> kernelFunctions, Func<FunctionKey, string> kernelName, LanesTable lanesTable)
    {
        if (request.Failure is not null) return (null, request.Failure, FailureKind.Derivative);
        var (plan, fn, failure) = KernelMethod(request, callees);
        if (failure is not null) return (null, failure, FailureKind.Derivative);
        var reached = new SortedDictionary<FunctionKey, Function>(FunctionKey.Ordinal);
        var work = new Queue<Function>();
        work.Enqueue(fn!);
        while (work.Count > 0)
        {
            var f = work.Dequeue();
            if (reached.ContainsKey(f.Key)) continue;
            reached[f.Key] = f;
            var shown = f == fn ? plan!.Method : f.Name;
            if (KernelLegality.Check(f, shown) is { } illegal)
                return (null, $"'{request.Name}' cannot become a kernel: {illegal}", FailureKind.KernelConstruct);
            foreach (var key in KernelLegality.Callees(f))
            {
                if (callees.Find(key) is not { } callee)
                    return (null, $"'{request.Name}' cannot become a kernel: '{shown}' calls '{ShortKey(key)}', whose body is not " +
                        "available to the generator", FailureKind.Derivative);
                work.Enqueue(callee.Key == key ? callee : callee with { Key = key });
            }
        }
        var reaching = KernelTapeThreading.Reaching(reached);
        var scratch = KernelTapeThreading.Reaching(reached, KernelLegality.AllocatesAtRunTime);
        foreach (var kv in reached)
        {
            var f = reaching.Contains(kv.Key) ? KernelTapeThreading.Thread(kv.Value, reaching) : kv.Value;
            if (scratch.Contains(kv.Key)) f = KernelTapeThreading.Thread(f, scratch, KernelTapeThreading.ScratchName);
            // A kernel with scratch clamps every index in all its helpers; a helper that another kernel
            // prints unclamped gives the same results in range, so the clamped one wins.
            if (scratch.Count > 0) kernelFunctions[kv.Key] = KernelScratchGuard.Guard(f);
            else if (!kernelFunctions.ContainsKey(kv.Key)) kernelFunctions[kv.Key] = f;
        }
        KernelLanes lanes;
        try
        {
            lanes = PlanLanes(plan!, fn!, callees, lanesTable);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lanes = KernelLanes.None($"the lanes analysis failed ({ex.GetType().Name}: {ex.Message})");
        }
        var shape = new MethodShape("", new List<string>(), new List<string>(), new List<string>(), new List<string>());
        return (new EmittedMethod(fn!, shape, IlgpuKernel.Instance, kernelName,
                names => KernelEntry(request, plan!, names).Concat(Launcher(request, plan!, lanes, lanesTable))), null,
            FailureKind.Derivative);
    }

    /// <summary>The method a kernel runs, found among the type's primals and generated methods, with its IR.</summary>
    private static (KernelPlan? Plan, Function? Fn, string? Failure) KernelMethod(RequestModel request, Callees callees)
    {
        var name = request.PrimalName;
        var primals = callees.PrimalList.Where(p => p.TypeKey == request.TypeKey && p.Name == name).ToList();
        var generated = callees.Requests.Values
            .Where(r => r.TypeKey == request.TypeKey && r.Name == name && RequestKinds.Of(r.Kind).Form != MethodForm.IlgpuKernel).ToList();
        if (primals.Count + generated.Count == 0)
            return (null, null, Failures.Tag(DslDiagnostics.NameofTarget, $"[Kernel] on '{request.Name}' names '{name}', but this " +
                "type has no [Differentiable] or generated method of that name"));
        if (primals.Count + generated.Count > 1)
            return (null, null, Failures.Tag(DslDiagnostics.NameofTarget,
                $"[Kernel] on '{request.Name}' names '{name}', which is overloaded; give the overloads distinct names"));
        if (primals.Count == 1)
        {
            var primal = primals[0];
            var failure = primal.Failure ?? CheckCallGraph(primal, callees.Primals, callees.Requests)
                ?? CheckAccess(primal, callees.Primals);
            if (failure is not null) return (null, null, failure);
            var module = Simplify.Run(new Module(new[] { primal.Ir! }.ToEquatableArray()), callees.Find);
            var (plan, planFailure) = KernelRow.Plan(request, name, primal.Key, primal.Params.ToList(), primal.ReturnType,
                primal.ReturnTypeText, Reaches(module.Functions[0], callees, KernelLegality.UsesTape),
                Reaches(module.Functions[0], callees, KernelLegality.AllocatesAtRunTime));
            if (plan is null) return (null, null, planFailure);
            return (plan, module.Functions[0], null);
        }
        var target = generated[0];
        var found = callees.Find(target.Key);
        // The generated method's own argument checks, which the launcher runs on the host before a launch.
        var (targetPlan, _) = SignatureRules.Check(target, callees.PrimalList);
        var checks = targetPlan is null ? null : ShapeOfRequest(RequestKinds.Of(target.Kind), target, targetPlan).Checks;
        var (kernelPlan, kernelFailure) = KernelRow.Plan(request, name, target.Key, target.Params.ToList(), target.ReturnType,
            target.ReturnTypeText, found is not null && Reaches(found, callees, KernelLegality.UsesTape),
            found is not null && Reaches(found, callees, KernelLegality.AllocatesAtRunTime), checks);
        if (kernelPlan is null) return (null, null, kernelFailure);
        if (found is not { } fn)
        {
            // The target's own reason, without its family: a fix of the target's signature must not apply to the kernel.
            var why = Failures.Text(SignatureRules.Check(target, callees.PrimalList).Failure) is { Length: > 0 } text
                ? text : "it could not be generated";
            return (null, null, $"[Kernel] on '{request.Name}' runs '{name}', which cannot be generated: {why}");
        }
        return (kernelPlan, fn, null);
    }

    /// <summary>True when <paramref name="uses"/> holds for <paramref name="fn"/> or a function it reaches (the tape, scratch).</summary>
    private static bool Reaches(Function fn, Callees callees, Func<Function, bool> uses)
    {
        var seen = new HashSet<FunctionKey>();
        var work = new Stack<Function>();
        work.Push(fn);
        while (work.Count > 0)
        {
            var f = work.Pop();
            if (!seen.Add(f.Key)) continue;
            if (uses(f)) return true;
            foreach (var key in KernelLegality.Callees(f))
            {
                if (callees.Find(key) is { } callee && !seen.Contains(key)) work.Push(callee with { Key = key });
            }
        }
        return false;
    }

    /// <summary>Readable, unique names for the kernel helpers, in key order.</summary>
    private static Dictionary<FunctionKey, string> KernelHelperNames(SortedDictionary<FunctionKey, Function> functions,
        IEnumerable<string> taken)
    {
        var names = new Dictionary<FunctionKey, string>();
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        foreach (var kv in functions)
        {
            var baseName = "__kernel_" + kv.Value.Name.TrimStart('_');
            var n = baseName;
            for (var k = 2; !used.Add(n); k++) n = baseName + "_" + k;
            names[kv.Key] = n;
        }
        return names;
    }

    /// <summary>A kernel helper's header: ArrayViews for buffers, yields after the first as outs.</summary>
    private static MethodShape ShapeOfKernelHelper(Function fn, string name)
    {
        var target = IlgpuKernel.Instance;
        // The parameters KernelTapeThreading adds (placeholder ints in the IR).
        string TypeOf(Value p) => p.Name == KernelTapeThreading.TapeName ? IlgpuKernel.KernelTapeTypeRef
            : p.Name == KernelTapeThreading.ScratchName ? IlgpuKernel.KernelScratchTypeRef : target.Type(p.Type);
        var comment = new[] { $"// {fn.Name} for ILGPU kernels: views instead of spans, no exceptions, no SIMD, no pools." };
        return HelperShape(fn, name, TypeOf, comment);
    }

    /// <summary>
    /// The header of a private helper printed for another target (kernels, lanes): unique escaped parameter names,
    /// each parameter and yield typed by <paramref name="typeOf"/>, yields after the first as outs.
    /// </summary>
    private static MethodShape HelperShape(Function fn, string name, Func<Value, string> typeOf, IReadOnlyList<string> comment)
    {
        var names = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        string Unique(string n)
        {
            n = ParamModel.Escape(n.Length == 0 ? "arg" : n);
            var candidate = n;
            for (var k = 1; !taken.Add(candidate); k++) candidate = n + "_" + k;
            return candidate;
        }
        var parameters = new List<string>();
        foreach (var p in fn.Params)
        {
            names.Add(Unique(p.Name));
            parameters.Add(typeOf(p) + " " + names[names.Count - 1]);
        }
        var outs = new List<string>();
        for (var k = 1; k < fn.Body.Yields.Count; k++)
        {
            var y = fn.Body.Yields[k];
            outs.Add(Unique(y.Name.Length > 0 ? y.Name : "result_dot"));
            parameters.Add("out " + typeOf(y) + " " + outs[outs.Count - 1]);
        }
        var ret = fn.Body.Yields.Count == 0 ? "void" : typeOf(fn.Body.Yields[0]);
        var header = $"{SourceFileEmitter.GeneratedCodeAttribute}\nprivate static {ret} {name}({string.Join(", ", parameters)})";
        return new MethodShape(header, names, outs, comment.ToList(), new List<string>(), fn.Body.Yields.Count > 0);
    }

    /// <summary>
    /// The kernel's entry: each per-item view's row for this item (row length = view length ÷ item
    /// count), the method's kernel helper called on them, its results stored at the item's index.
    /// </summary>
    private static IEnumerable<string> KernelEntry(RequestModel request, KernelPlan plan, Func<FunctionKey, string> names)
    {
        var user = request.Params.Select(p => p.Identifier).ToList();
        var outs = Enumerable.Range(0, plan.Args.Count).Where(i => plan.Args[i].IsOut).Select(i => user[i + 1]).ToList();
        // The last view before tape, tapeOverflow, scratch and scratchNeeded: result, or count.
        var last = user.Count - 1 - (plan.UsesTape ? 2 : 0) - (plan.UsesScratch ? 2 : 0);
        var tapeAt = last + 1;
        var scratchAt = last + 1 + (plan.UsesTape ? 2 : 0);
        var results = plan.Returns is null ? outs : new[] { user[last] }.Concat(outs).ToList();
        var perItem = Enumerable.Range(0, plan.Args.Count).Where(i => plan.Args[i].PerItem && !plan.Args[i].IsPerItemScalar)
            .Select(i => user[i + 1]).ToList();
        var perItemScalars = Enumerable.Range(0, plan.Args.Count).Where(i => plan.Args[i].IsPerItemScalar)
            .Select(i => user[i + 1]).ToList();
        var count = results.Count > 0 ? results[0] + ".Length" : user[last];
        yield return $"// ILGPU kernel: runs {plan.Method} for one item of a batch; launch it over n items, n = {count}.";
        yield return "// Assumes, since a kernel cannot throw (the host checks before the launch): every per-item view";
        yield return perItem.Count == 0 ? "// (none here) holds n rows of equal length, and each row and shared view has the length"
            : $"// ({string.Join(", ", perItem)}) holds n rows of equal length, and each row and shared view has the length";
        yield return results.Count == 0 ? $"// {plan.Method} expects."
            : $"// {plan.Method} expects; every result view ({string.Join(", ", results)}) has n elements.";
        if (perItemScalars.Count > 0) yield return $"// {string.Join(", ", perItemScalars)}: one value per item.";
        if (plan.UsesTape)
        {
            var (tape, overflow) = (user[tapeAt], user[tapeAt + 1]);
            yield return $"// The reverse-mode tape: {tape} holds n slices of equal length, {overflow} n elements, set to 0, or, when";
            yield return "// the item's slice was too small (its results are then wrong), to the slice length the item needs.";
        }
        if (plan.UsesScratch)
        {
            var (scratch, needed) = (user[scratchAt], user[scratchAt + 1]);
            yield return $"// Run-time-sized buffers: {scratch} holds n slices of equal length, {needed} n elements, set to 0, or,";
            yield return "// when the item's slice was too small (its results are then wrong), to the slice length the item needs.";
        }
        yield return SourceFileEmitter.GeneratedCodeAttribute;
        yield return $"{request.Modifiers} void {request.Name}({string.Join(", ", request.Params.Select(p => p.Declaration))})";
        yield return "{";
        yield return $"    int __item = {user[0]};";
        yield return $"    long __count = {count};";
        var args = new List<string>();
        for (var i = 0; i < plan.Args.Count; i++)
        {
            var a = plan.Args[i];
            var view = user[i + 1];
            if (a.IsOut) continue;
            if (!a.PerItem)
            {
                args.Add(view);
                continue;
            }
            if (a.IsPerItemScalar)
            {
                args.Add($"{view}[__item]");
                continue;
            }
            var row = "__" + a.Param.Name + "_row";
            yield return $"    long {row}Length = {view}.Length / __count;";
            yield return $"    var {row} = {view}.SubView(__item * {row}Length, {row}Length);";
            args.Add(row);
        }
        if (plan.UsesTape)
        {
            foreach (var line in KernelTapeSetup(user[tapeAt])) yield return line;
            args.Add(KernelTapeThreading.TapeName);
        }
        if (plan.UsesScratch)
        {
            foreach (var line in KernelScratchSetup(user[scratchAt])) yield return line;
            args.Add(KernelTapeThreading.ScratchName);
        }
        var target = IlgpuKernel.Instance;
        var outTypes = plan.Args.Where(a => a.IsOut).Select(a => target.Type(a.Param.Type!));
        var types = (plan.Returns is { } t ? new[] { target.Type(t) }.Concat(outTypes) : outTypes).ToList();
        var outArgs = string.Concat(Enumerable.Range(1, Math.Max(0, results.Count - 1)).Select(k => $", out {types[k]} __result{k}"));
        if (args.Count == 0) outArgs = outArgs.TrimStart(',', ' ');
        var call = $"{names(plan.Key)}({string.Join(", ", args)}{outArgs});";
        yield return results.Count == 0 ? "    " + call : $"    {types[0]} __result0 = {call}";
        for (var k = 0; k < results.Count; k++) yield return $"    {results[k]}[__item] = __result{k};";
        if (plan.UsesTape)
            yield return $"    {user[tapeAt + 1]}[__item] = {KernelTapeThreading.TapeName}.Overflowed ? " +
                $"{KernelTapeThreading.TapeName}.Needed : 0;";
        if (plan.UsesScratch)
            yield return $"    {user[scratchAt + 1]}[__item] = {KernelTapeThreading.ScratchName}.Overflowed ? " +
                $"{KernelTapeThreading.ScratchName}.Needed : 0;";
        yield return "}";
    }

    /// <summary>The launcher class after the entry (<see cref="KernelLauncherWriter"/>), or why there is none.</summary>
    private static IEnumerable<string> Launcher(RequestModel request, KernelPlan plan, KernelLanes lanes, LanesTable table)
    {
        yield return "";
        if (KernelLauncherWriter.Unsupported(request) is { } why)
        {
            yield return $"// No {request.Name}Launcher: {why}.";
            yield break;
        }
        if (lanes.RootId is not null && table.Failure is { } failed) lanes = KernelLanes.None(failed);
        var lanesMethod = lanes.RootId is { } id ? table.Name(id) : null;
        foreach (var line in KernelLauncherWriter.Write(request, plan, lanes, lanesMethod)) yield return line;
    }

    /// <summary>The item's tape: its slice of <paramref name="tape"/> (view length ÷ item count), its top in local memory.</summary>
    private static IEnumerable<string> KernelTapeSetup(string tape)
    {
        var t = KernelTapeThreading.TapeName;
        yield return $"    long {t}Length = {tape}.Length / __count;";
        yield return $"    var {t} = new {IlgpuKernel.KernelTapeTypeRef}({tape}.SubView(__item * {t}Length, {t}Length), " +
            $"{IlgpuKernel.LocalMemoryTypeRef}.Allocate1D<int>(2));";
    }

    /// <summary>The item's scratch: its slice of <paramref name="scratch"/>, a one-double sink and its top in local memory.</summary>
    private static IEnumerable<string> KernelScratchSetup(string scratch)
    {
        var s = KernelTapeThreading.ScratchName;
        var local = IlgpuKernel.LocalMemoryTypeRef;
        yield return $"    long {s}Length = {scratch}.Length / __count;";
        yield return $"    var {s} = new {IlgpuKernel.KernelScratchTypeRef}({scratch}.SubView(__item * {s}Length, {s}Length), " +
            $"{local}.Allocate1D<double>(1), {local}.Allocate1D<int>(2));";
    }
}
