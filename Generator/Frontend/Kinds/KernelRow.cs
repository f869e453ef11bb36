using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>One parameter of the method a kernel runs, as the kernel passes it.</summary>
/// <param name="Param">The method's parameter.</param>
/// <param name="IsOut">An <c>out</c> scalar: the kernel writes it to a view, one element per item.</param>
/// <param name="PerItem">A span holding one row per item (the kernel passes the item's row), or a scalar with one value per
/// item (a view; the kernel passes the item's value).</param>
/// <param name="Summed">An output the launcher sums over the items (<c>Sum</c>).</param>
internal sealed record KernelArg(ParamModel Param, bool IsOut, bool PerItem, bool Summed = false)
{
    /// <summary>A writable span: the method's output, one row per item.</summary>
    public bool IsSpanOutput => Param.Type is { IsBuffer: true, Buffer: BufferKind.Span };

    /// <summary>A scalar input the kernel takes as a view of one value per item.</summary>
    public bool IsPerItemScalar => PerItem && !IsOut && Param.Type is { IsBuffer: false };
}

/// <summary>The method a kernel runs (a primal or a generated method) and how each of its parameters is passed.</summary>
/// <param name="UsesTape">The method reaches the reverse-mode tape: the kernel takes <c>tape</c> and <c>tapeOverflow</c> last.</param>
/// <param name="UsesScratch">The method reaches a run-time-sized local buffer: <c>scratch</c> and <c>scratchNeeded</c> come last.</param>
/// <param name="SumResult">The launcher sums the method's return value over the items (<c>Sum</c> names <c>result</c>).</param>
/// <param name="Checks">The method's own argument checks (a generated method's), which the launcher runs on the first item.</param>
internal sealed record KernelPlan(string Method, FunctionKey Key, IReadOnlyList<KernelArg> Args, IrType? Returns, string ReturnsText,
    bool UsesTape, bool UsesScratch, bool SumResult = false, IReadOnlyList<string>? Checks = null);

/// <summary>
/// <c>[Kernel]</c>: an ILGPU kernel running a primal or a generated method once per item. The rule,
/// learnt from one example: <c>Index1D item</c>, then the method's parameters in order — a span
/// becomes an <c>ArrayView&lt;T&gt;</c> (per item: rows of equal length, one per item; shared:
/// the whole buffer), a scalar stays as it is, an <c>out T</c> becomes an <c>ArrayView&lt;T&gt;</c> of
/// one element per item — then <c>ArrayView&lt;T&gt; result</c> when the method returns a value. The item
/// count is the length of the first result view (result, else the first out); a method with neither
/// (its outputs are spans) gets a last parameter <c>int count</c>. A method that reaches the reverse-mode
/// tape (a <c>[Gradient]</c>, a <c>[Vjp]</c>) adds <c>ArrayView&lt;double&gt; tape</c> (one slice per item, of
/// equal length) and <c>ArrayView&lt;int&gt; tapeOverflow</c> (one element per item) at the end; one that allocates a
/// buffer of run-time length (<c>[Taylor]</c> along a span, an operator's scratch jets) adds, after them,
/// <c>ArrayView&lt;double&gt; scratch</c> and <c>ArrayView&lt;int&gt; scratchNeeded</c> under the same rule.
/// Built by <c>Generation.Kernels.cs</c>, not by a transform: the kernel calls the method's own IR
/// printed for the ILGPU target (<see cref="IlgpuKernel"/>).
/// </summary>
internal sealed class KernelRow : RequestKindRow
{
    public const string IlgpuMissing = "needs ILGPU: reference the ILGPU package (1.5.3) and make the first parameter " +
        "'ILGPU.Index1D item'";

    public KernelRow() : base(RequestKind.Kernel, "Dsl.KernelAttribute", "KernelRequests") { }

    public override MethodForm Form => MethodForm.IlgpuKernel;

    // The kernel's own path (Generation.Kernels.cs) reads the rule below; these members of the
    // transform kinds are not used for it.
    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        return null;
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active) => new();

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        throw new InvalidOperationException("a kernel is built by Generation.Kernels");

    public override string Describe(RequestModel request, TransformPlan plan) => "ILGPU kernel";

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan) =>
        (UserNames(request), new List<string>());

    /// <summary>
    /// The plan of a kernel that runs a method with parameters <paramref name="parameters"/> (its
    /// <c>out</c>s included) returning <paramref name="returns"/>, or the first problem with the
    /// request's options or declaration. <paramref name="usesTape"/>: the method reaches the tape;
    /// <paramref name="usesScratch"/>: it reaches a run-time-sized buffer.
    /// </summary>
    public static (KernelPlan? Plan, string? Failure) Plan(RequestModel request, string method, FunctionKey key,
        IReadOnlyList<ParamModel> parameters, IrType? returns, string returnsText, bool usesTape, bool usesScratch,
        IReadOnlyList<string>? checks = null)
    {
        if (request.Params.Count == 0 || request.Params[0].TypeText != IlgpuKernel.Index1DTypeRef)
            return (null, $"[Kernel] on '{request.Name}' {IlgpuMissing}");
        if (request.Wrt is not null)
            return (null, $"[Kernel] on '{request.Name}' sets Wrt, which does not apply to a kernel; name the per-item spans with PerItem");
        if (request.ReturnTypeText != "void")
            return (null, $"[Kernel] '{request.Name}' must return void (a kernel writes its results to views)");
        if (parameters.FirstOrDefault(p => p.Type is null || (p.RefKind.Length > 0 && p.RefKind != "out")) is { } bad)
            return (null, $"[Kernel] of '{method}': parameter '{bad.Name}' ({bad.TypeText}) cannot be passed to a kernel; " +
                "a kernel takes floats, doubles, ints, bools, spans of them and out scalars");
        var named = Names(request.PerItem);
        foreach (var n in named)
        {
            // A writable span may be named too: outputs are per item anyway.
            if (!parameters.Any(p => p.Name == n && p.RefKind != "out"))
                return (null, $"[Kernel] on '{request.Name}': PerItem names '{n}', which is not an input (a span or a scalar) of " +
                    $"'{method}'; its inputs: {string.Join(", ", Inputs(parameters))}");
        }
        var sums = Names(request.Sum);
        foreach (var n in sums)
        {
            var p = parameters.FirstOrDefault(q => q.Name == n);
            var isOutput = p is not null && (p.RefKind == "out" || p.Type is { Buffer: BufferKind.Span });
            var isResult = p is null && n == "result" && returns is not null;
            var type = isResult ? returns : p?.Type;
            if (!isOutput && !isResult)
                return (null, $"[Kernel] on '{request.Name}': Sum names '{n}', which is not an output of '{method}'; its outputs: " +
                    string.Join(", ", Outputs(parameters, returns)));
            if (type!.Elem is not (ScalarKind.F32 or ScalarKind.F64))
            {
                var elem = IlgpuKernel.Instance.Type(type with { IsBuffer = false });
                return (null, $"[Kernel] on '{request.Name}': Sum names '{n}', of type {elem}; only float and double outputs are summed");
            }
        }
        var args = parameters.Select(p => new KernelArg(p, p.RefKind == "out",
            p.RefKind != "out" && (named.Contains(p.Name) || (p.Type!.IsBuffer && (named.Count == 0 || p.Type.Buffer == BufferKind.Span))),
            sums.Contains(p.Name))).ToList();
        var plan = new KernelPlan(method, key, args, returns, returnsText, usesTape, usesScratch,
            returns is not null && sums.Contains("result") && !parameters.Any(p => p.Name == "result"), checks);
        var expected = Expected(plan);
        var expectedText = $"static partial void {request.Name}({string.Join(", ", expected.Select(e => e.Declaration))})"
            .Replace("global::", "");
        string Mismatch(string message) => Failures.Tag(DslDiagnostics.SignatureMismatch, message, Failures.ExpectedReturn, "void",
            Failures.ExpectedParameters, string.Join(", ", expected.Select(e => e.Declaration)));
        if (request.Params.Count != expected.Count)
            return (null, Mismatch($"'{request.Name}' has {request.Params.Count} parameters, expected {expected.Count}: {expectedText}"));
        for (var i = 0; i < expected.Count; i++)
        {
            var got = request.Params[i];
            if (got.TypeText != expected[i].TypeText || got.RefKind != expected[i].RefKind)
                return (null, Mismatch($"parameter {i + 1} of '{request.Name}' ('{got.Name}') should be " +
                    $"'{expected[i].Declaration.Replace("global::", "")}'; expected: {expectedText}"));
        }
        return (plan, null);
    }

    /// <summary>The kernel's parameters under the rule (names are the method's; only types and ref kinds are checked).</summary>
    private static List<ParamModel> Expected(KernelPlan plan)
    {
        var list = new List<ParamModel> { new("item", IlgpuKernel.Index1DTypeRef, "", null) };
        foreach (var a in plan.Args)
        {
            var t = a.Param.Type!;
            list.Add(t.IsBuffer || a.IsOut || a.IsPerItemScalar ? new ParamModel(a.Param.Name, View(t), "", t) : a.Param);
        }
        if (plan.Returns is { } r) list.Add(new ParamModel("result", View(r), "", r));
        else if (!plan.Args.Any(a => a.IsOut)) list.Add(new ParamModel("count", "int", "", IrType.I32));
        if (plan.UsesTape)
        {
            list.Add(new ParamModel("tape", View(IrType.F64), "", IrType.F64));
            list.Add(new ParamModel("tapeOverflow", View(IrType.I32), "", IrType.I32));
        }
        if (plan.UsesScratch)
        {
            list.Add(new ParamModel("scratch", View(IrType.F64), "", IrType.F64));
            list.Add(new ParamModel("scratchNeeded", View(IrType.I32), "", IrType.I32));
        }
        return list;
    }

    private static List<string> Names(string? list) =>
        (list ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    private static IEnumerable<string> Inputs(IReadOnlyList<ParamModel> parameters)
    {
        var inputs = parameters.Where(p => p.RefKind != "out" && p.Type is { Buffer: not BufferKind.Span }).Select(p => p.Name).ToList();
        return inputs.Count > 0 ? inputs : new List<string> { "none" };
    }

    private static IEnumerable<string> Outputs(IReadOnlyList<ParamModel> parameters, IrType? returns)
    {
        var outputs = parameters.Where(p => p.RefKind == "out" || p.Type is { Buffer: BufferKind.Span }).Select(p => p.Name).ToList();
        if (returns is not null) outputs.Insert(0, "result");
        return outputs.Count > 0 ? outputs : new List<string> { "none" };
    }

    private static string View(IrType t) => IlgpuKernel.Instance.Type(IrType.Buf(t.Elem, BufferKind.Span));
}
