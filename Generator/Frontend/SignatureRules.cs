using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Frontend;

/// <summary>A parameter the signature rule asks for; <paramref name="Owner"/> is the primal parameter it belongs to (-1: none).</summary>
internal sealed record ExpectedParam(ParamModel Param, int Owner);

/// <summary>What a valid request asks for: the primal, which of its parameters are differentiated (and, for a partial derivative, the jet plan).</summary>
internal sealed record TransformPlan(PrimalModel Primal, IReadOnlyList<bool> Active, Transforms.JetPlan? Jet = null);

/// <summary>
/// The signature rules of the declared derivative methods, checked against the primal. One
/// rule a person can learn from one example: the primal's parameters in order, each
/// differentiated one followed by its tangent (forward mode), or all of them followed by one
/// adjoint per differentiated parameter (reverse mode). Failures show the expected signature.
/// </summary>
internal static class SignatureRules
{
    public static (TransformPlan? Plan, string? Failure) Check(RequestModel request, IReadOnlyList<PrimalModel> primals)
    {
        if (request.Failure is not null) return (null, request.Failure);
        var candidates = primals.Where(p => p.TypeKey == request.TypeKey && p.Name == request.PrimalName).ToList();
        if (candidates.Count == 0)
            return (null, $"[{request.Kind}] on '{request.Name}' names '{request.PrimalName}', but this type has no [Differentiable] method of that name");
        if (candidates.Count > 1)
            return (null, $"[{request.Kind}] on '{request.Name}' names '{request.PrimalName}', which is overloaded; give the overloads distinct names");
        var primal = candidates[0];
        if (primal.Failure is not null) return (null, primal.Failure);

        var active = new bool[primal.Params.Count];
        Transforms.JetPlan? jetPlan = null;
        var wrtNames = (request.Wrt ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (wrtNames.Count == 0)
        {
            for (var i = 0; i < active.Length; i++) active[i] = primal.Params[i].Type is { IsDifferentiable: true };
        }
        else
        {
            foreach (var w in wrtNames)
            {
                var idx = primal.Params.AsImmutableArray().IndexOf(primal.Params.FirstOrDefault(p => p.Name == w)!);
                if (idx < 0) return (null, $"Wrt names '{w}', which is not a parameter of '{primal.Name}'");
                if (primal.Params[idx].Type is not { IsDifferentiable: true })
                    return (null, $"Wrt names '{w}', which is not float, double or a span of them");
                active[idx] = true;
            }
        }
        if (!active.Any(a => a)) return (null, $"'{primal.Name}' has no float or double parameter to differentiate");

        var outputs = primal.Params.Where(p => p.Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true }).ToList();
        switch (request.Kind)
        {
            case RequestKind.Jvp:
            case RequestKind.Vjp:
                // Writable spans are outputs: their tangents (cotangents) always take part.
                for (var i = 0; i < active.Length; i++)
                {
                    if (primal.Params[i].Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true }) active[i] = true;
                }
                if (request.Kind == RequestKind.Vjp && outputs.Count == 0 && primal.ReturnType is null)
                    return (null, $"[Vjp] needs a primal with outputs; '{primal.Name}' returns nothing and writes no span");
                break;
            case RequestKind.Laplacian:
            case RequestKind.Biharmonic:
            case RequestKind.Derivative:
            case RequestKind.Diffusion:
            case RequestKind.SecondOrder:
            {
                var spans = Enumerable.Range(0, active.Length).Where(i => active[i] && primal.Params[i].Type!.IsBuffer).ToList();
                if (active.Count(a => a) != 1 || spans.Count != 1)
                {
                    if (wrtNames.Count > 0 || spans.Count != 1)
                        return (null, $"[{request.Kind}] on '{request.Name}' needs Wrt naming the one span parameter the operator acts on");
                    for (var i = 0; i < active.Length; i++) active[i] = i == spans[0];
                }
                if (primal.ReturnType is null) return (null, $"[{request.Kind}] needs a primal that returns a float or double");
                if (outputs.Count > 0) return (null, $"[{request.Kind}] of '{primal.Name}' is not supported because it writes span '{outputs[0].Name}'");
                if (request.Estimator is < 0 or > 2) return (null, $"unknown estimator {request.Estimator}");
                if (request.Kind == RequestKind.Derivative)
                {
                    var span = primal.Params[active.ToList().IndexOf(true)].Name;
                    var coordinates = new List<int>();
                    foreach (var token in request.Partial.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries))
                    {
                        var t = token.Trim();
                        var digits = t.StartsWith(span + "[", StringComparison.Ordinal) && t.EndsWith("]", StringComparison.Ordinal)
                            ? t.Substring(span.Length + 1, t.Length - span.Length - 2)
                            : t.StartsWith(span, StringComparison.Ordinal) ? t.Substring(span.Length) : "";
                        if (!int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                            return (null, $"[Derivative] on '{request.Name}': '{t}' is not an element of '{span}'; write the partial as \"{span}[0] {span}[0] {span}[1]\"");
                        coordinates.Add(index);
                    }
                    if (coordinates.Count == 0) return (null, $"[Derivative] on '{request.Name}' names no elements; write the partial as \"{span}[0] {span}[1]\"");
                    var plan = Transforms.JetPlan.Find(coordinates);
                    if (plan is null)
                        return (null, $"[Derivative] on '{request.Name}': no single Taylor jet of order ≤ {Transforms.JetPlan.MaxOrder} isolates '{request.Partial}' (every slot assignment lets other derivatives of the same order mix in)");
                    jetPlan = plan;
                }
                if (request.Kind == RequestKind.Biharmonic && request.Estimator == 2)
                    return (null, "[Biharmonic] has no sparse estimator: an unbiased dense estimator of Σ ∂⁴u/∂x_i⁴ alone does not exist, and the mixed terms need pairs; use Estimator.Exact (polarization) or Estimator.Dense (Gaussian probes)");
                break;
            }
            case RequestKind.Taylor:
            {
                var chosen = active.Count(a => a);
                if (wrtNames.Count == 0 && chosen != 1)
                    return (null, $"[Taylor] on '{request.Name}' needs Wrt naming the one parameter the jet runs along ('{primal.Name}' has {chosen} differentiable parameters)");
                if (chosen != 1)
                    return (null, $"[Taylor] on '{request.Name}' takes exactly one Wrt parameter (univariate Taylor mode); got {chosen}");
                if (primal.ReturnType is null)
                    return (null, $"[Taylor] needs a primal that returns a float or double; '{primal.Name}' returns void");
                if (outputs.Count > 0)
                    return (null, $"[Taylor] of '{primal.Name}' is not supported because it writes span '{outputs[0].Name}'");
                break;
            }
            default:
                if (primal.ReturnType is null)
                    return (null, $"[{request.Kind}] needs a primal that returns a float or double; '{primal.Name}' returns void (use [Vjp] for span outputs)");
                if (outputs.Count > 0)
                    return (null, $"[{request.Kind}] of '{primal.Name}' is not supported because it writes span '{outputs[0].Name}'; use [Vjp], or allocate scratch buffers inside the method (stackalloc or new)");
                break;
        }

        var expected = ExpectedFor(request, primal, active).Select(e => e.Param).ToList();
        var expectedText = $"static partial {primal.ReturnTypeText} {request.Name}({string.Join(", ", expected.Select(p => p.Declaration))})";
        var returns = request.Kind == RequestKind.Taylor ? "void" : primal.ReturnTypeText;
        expectedText = $"static partial {returns} {request.Name}({string.Join(", ", expected.Select(p => p.Declaration))})";
        if (request.ReturnTypeText != returns)
            return (null, $"'{request.Name}' must return {Short(returns)}; expected: {Shorten(expectedText)}");
        if (request.Params.Count != expected.Count)
            return (null, $"'{request.Name}' has {request.Params.Count} parameters, expected {expected.Count}: {Shorten(expectedText)}");
        for (var i = 0; i < expected.Count; i++)
        {
            var got = request.Params[i];
            var want = expected[i];
            if (got.TypeText != want.TypeText || got.RefKind != want.RefKind)
                return (null, $"parameter {i + 1} of '{request.Name}' ('{got.Name}') should be '{Short(want.Declaration)}'; expected: {Shorten(expectedText)}");
        }
        return (new TransformPlan(primal, active, jetPlan), null);
    }

    /// <summary>The parameters the rule asks for; names are suggestions (dx for x, dResult for the result).</summary>
    public static List<ExpectedParam> ExpectedParams(RequestKind kind, PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = new List<ExpectedParam>();
        string Elem(ParamModel p) => p.Type!.Elem == ScalarKind.F32 ? "float" : "double";
        string Tangent(string n) => "d" + char.ToUpperInvariant(n[0]) + n.Substring(1);
        if (kind == RequestKind.Jvp)
        {
            for (var i = 0; i < primal.Params.Count; i++)
            {
                var p = primal.Params[i];
                list.Add(new ExpectedParam(p, -1));
                if (!active[i]) continue;
                var type = p.Type!.IsBuffer
                    ? (p.Type.Buffer == BufferKind.Span ? $"global::System.Span<{Elem(p)}>" : $"global::System.ReadOnlySpan<{Elem(p)}>")
                    : p.TypeText;
                list.Add(new ExpectedParam(new ParamModel(Tangent(p.Name), type, "", p.Type), i));
            }
            if (primal.ReturnType is not null) list.Add(new ExpectedParam(new ParamModel("dResult", primal.ReturnTypeText, "out", primal.ReturnType), -1));
        }
        else if (kind is RequestKind.Laplacian or RequestKind.Biharmonic or RequestKind.Derivative or RequestKind.Diffusion or RequestKind.SecondOrder)
        {
            list.AddRange(primal.Params.Select(p => new ExpectedParam(p, -1)));
            // Stochastic estimators take the probes (set in Check through the request; see ExpectedFor).
        }
        else if (kind == RequestKind.Taylor)
        {
            list.AddRange(primal.Params.Select(p => new ExpectedParam(p, -1)));
            var i = active.ToList().IndexOf(true);
            var p = primal.Params[i];
            list.Add(new ExpectedParam(new ParamModel(p.Name + "Jet", $"global::System.ReadOnlySpan<{Elem(p)}>", "", IrType.Buf(p.Type!.Elem, BufferKind.ReadOnlySpan)), -1));
            list.Add(new ExpectedParam(new ParamModel("resultJet", $"global::System.Span<{(primal.ReturnType!.Elem == ScalarKind.F32 ? "float" : "double")}>", "", IrType.Buf(primal.ReturnType.Elem, BufferKind.Span)), -1));
        }
        else if (kind == RequestKind.Gradient)
        {
            list.AddRange(primal.Params.Select(p => new ExpectedParam(p, -1)));
            for (var i = 0; i < primal.Params.Count; i++)
            {
                if (active[i]) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Bar"), i));
            }
        }
        else if (kind == RequestKind.Hvp)
        {
            list.AddRange(primal.Params.Select(p => new ExpectedParam(p, -1)));
            for (var i = 0; i < primal.Params.Count; i++)
            {
                if (!active[i]) continue;
                var p = primal.Params[i];
                list.Add(new ExpectedParam(new ParamModel("v" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1),
                    p.Type!.IsBuffer ? $"global::System.ReadOnlySpan<{Elem(p)}>" : p.TypeText, "", p.Type), i));
            }
            for (var i = 0; i < primal.Params.Count; i++)
            {
                if (active[i]) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Bar"), i));
            }
            for (var i = 0; i < primal.Params.Count; i++)
            {
                if (active[i]) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Hv"), i));
            }
        }
        else
        {
            // Vjp: seeds for the result and each output span, then adjoints of the differentiated inputs.
            list.AddRange(primal.Params.Select(p => new ExpectedParam(p, -1)));
            if (primal.ReturnType is not null) list.Add(new ExpectedParam(new ParamModel("resultBar", primal.ReturnTypeText, "", primal.ReturnType), -1));
            for (var i = 0; i < primal.Params.Count; i++)
            {
                var p = primal.Params[i];
                if (IsOutput(p)) list.Add(new ExpectedParam(new ParamModel(p.Name + "Bar", $"global::System.ReadOnlySpan<{Elem(p)}>", "", p.Type), i));
            }
            for (var i = 0; i < primal.Params.Count; i++)
            {
                if (active[i] && !IsOutput(primal.Params[i])) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Bar"), i));
            }
        }
        return list;
    }

    /// <summary>The expected parameters of a request (the rule plus the request's options).</summary>
    public static List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = ExpectedParams(request.Kind, primal, active);
        if (request.Kind is RequestKind.Laplacian or RequestKind.Biharmonic or RequestKind.Diffusion or RequestKind.SecondOrder)
        {
            var i = active.ToList().IndexOf(true);
            var p = primal.Params[i];
            var elem = p.Type!.Elem == ScalarKind.F32 ? "float" : "double";
            ExpectedParam Span(string name) =>
                new(new ParamModel(name, $"global::System.ReadOnlySpan<{elem}>", "", IrType.Buf(p.Type.Elem, BufferKind.ReadOnlySpan)), -1);
            // The operator's own input: σ (d × m) for the diffusion term, C (d × d) for tr(C∇²u).
            if (request.Kind == RequestKind.Diffusion) list.Add(Span("sigma"));
            if (request.Kind == RequestKind.SecondOrder) list.Add(Span("c"));
            if (request.Estimator != 0) list.Add(Span("probes"));
        }
        return list;
    }

    public static bool IsOutput(ParamModel p) => p.Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true };

    private static ParamModel Adjoint(ParamModel p, string suffix)
    {
        var elem = p.Type!.Elem == ScalarKind.F32 ? "float" : "double";
        return p.Type.IsBuffer
            ? new ParamModel(p.Name + suffix, $"global::System.Span<{elem}>", "", p.Type)
            : new ParamModel(p.Name + suffix, p.TypeText, "out", p.Type);
    }

    private static string Short(string text) => text.Replace("global::System.", "").Replace("global::", "");

    private static string Shorten(string text) => Short(text);
}
