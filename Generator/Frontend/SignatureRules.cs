using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Frontend;

/// <summary>A parameter the signature rule asks for; <paramref name="Owner"/> is the primal parameter it belongs to (-1: none).</summary>
internal sealed record ExpectedParam(ParamModel Param, int Owner);

/// <summary>
/// What a valid request asks for: the primal, which of its parameters are differentiated (and,
/// for a partial derivative, the jet plan).
/// </summary>
internal sealed record TransformPlan(PrimalModel Primal, IReadOnlyList<bool> Active, Transforms.JetPlan? Jet = null,
    PrimalModel? Of = null);

/// <summary>
/// The signature rules of the declared derivative methods, checked against the primal. One
/// rule a person can learn from one example: the primal's parameters in order, each
/// differentiated one followed by its tangent (forward mode), or all of them followed by one
/// adjoint per differentiated parameter (reverse mode). Each kind's rule is its row in
/// <see cref="RequestKinds"/>; failures show the expected signature.
/// </summary>
internal static class SignatureRules
{
    public static (TransformPlan? Plan, string? Failure) Check(RequestModel request, IReadOnlyList<PrimalModel> primals)
    {
        if (request.Failure is not null) return (null, request.Failure);
        var (primal, failure) = FindPrimal(request, primals);
        if (primal is null) return (null, failure);
        var wrtNames = (request.Wrt ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
        var (active, wrtFailure) = ActiveParams(primal, wrtNames);
        if (active is null) return (null, wrtFailure);

        var row = RequestKinds.Of(request.Kind);
        var kindFailure = row.CheckPrimal(request, primal, active, wrtNames.Count > 0, out var jet);
        if (kindFailure is not null) return (null, kindFailure);
        PrimalModel? of = null;
        if (request.Of.Length > 0)
        {
            (of, failure) = FindPrimal(request with { PrimalName = request.Of }, primals);
            if (of is null) return (null, failure);
            if (row.CheckOf(request, primal, of) is { } ofFailure) return (null, ofFailure);
        }
        var signatureFailure = CheckDeclaration(request, row, primal, active, of);
        if (signatureFailure is not null) return (null, signatureFailure);
        return (new TransformPlan(primal, active, jet, of), null);
    }

    /// <summary>The one [Differentiable] method of the request's type with the name it gives.</summary>
    private static (PrimalModel? Primal, string? Failure) FindPrimal(RequestModel request, IReadOnlyList<PrimalModel> primals)
    {
        var candidates = primals.Where(p => p.TypeKey == request.TypeKey && p.Name == request.PrimalName).ToList();
        // nameof(Other.F) gives "F": a [Differentiable] F of another type is named as such, with where to declare instead.
        var other = primals.Where(p => p.Name == request.PrimalName).OrderBy(p => p.TypeKey, StringComparer.Ordinal).FirstOrDefault();
        if (candidates.Count == 0 && other is { } elsewhere)
            return (null, Failures.Tag(DslDiagnostics.NameofTarget, $"[{request.Kind}] on '{request.Name}' names '{request.PrimalName}', "
                + $"which is a [Differentiable] method of '{Short(elsewhere.TypeKey)}', not of this type; declare the derivative in "
                + $"'{Short(elsewhere.TypeKey)}' (a derivative is generated into the type of its primal)"));
        if (candidates.Count == 0)
            return (null, Failures.Tag(DslDiagnostics.NameofTarget, $"[{request.Kind}] on '{request.Name}' names " +
                $"'{request.PrimalName}', but this type has no [Differentiable] method of that name; mark the method " +
                "[Differentiable], or name one that is"));
        if (candidates.Count > 1)
            return (null, Failures.Tag(DslDiagnostics.NameofTarget, $"[{request.Kind}] on '{request.Name}' names " +
                $"'{request.PrimalName}', which is overloaded; give the overloads distinct names"));
        var primal = candidates[0];
        return primal.Failure is not null ? (null, primal.Failure) : (primal, null);
    }

    /// <summary>The differentiated parameters: those Wrt names, or every differentiable one.</summary>
    private static (bool[]? Active, string? Failure) ActiveParams(PrimalModel primal, List<string> wrtNames)
    {
        var active = new bool[primal.Params.Count];
        if (wrtNames.Count == 0)
        {
            for (var i = 0; i < active.Length; i++) active[i] = primal.Params[i].Type is { IsDifferentiable: true };
        }
        foreach (var w in wrtNames)
        {
            var idx = primal.Params.AsImmutableArray().IndexOf(primal.Params.FirstOrDefault(p => p.Name == w)!);
            if (idx < 0)
                return (null, Failures.Tag(DslDiagnostics.WrtProblem, $"Wrt names '{w}', which is not a parameter of '{primal.Name}'; " +
                    $"its parameters: {string.Join(", ", primal.Params.Select(p => p.Name))}"));
            if (primal.Params[idx].Type is not { IsDifferentiable: true })
                return (null, Failures.Tag(DslDiagnostics.WrtProblem, $"Wrt names '{w}', which is not float, double or a span of them; " +
                    "name a float or double parameter"));
            active[idx] = true;
        }
        if (!active.Any(a => a))
            return (null, Failures.Tag(DslDiagnostics.WrtProblem, $"'{primal.Name}' has no float or double parameter to differentiate"));
        return (active, null);
    }

    /// <summary>The declaration against the rule: return type, parameter count, then each parameter's type and ref kind.</summary>
    private static string? CheckDeclaration(RequestModel request, RequestKindRow row, PrimalModel primal, bool[] active, PrimalModel? of)
    {
        var expected = row.ExpectedFor(request, primal, active, of).Select(e => e.Param).ToList();
        var returns = row.Returns(primal);
        var parameters = string.Join(", ", expected.Select(p => p.Declaration));
        var expectedText = Short($"static partial {returns} {request.Name}({parameters})");
        string Mismatch(string message) => Failures.Tag(DslDiagnostics.SignatureMismatch, message,
            Failures.ExpectedReturn, returns, Failures.ExpectedParameters, parameters);
        if (request.ReturnTypeText != returns)
            return Mismatch($"'{request.Name}' must return {Short(returns)}; expected: {expectedText}");
        if (request.Params.Count != expected.Count)
            return Mismatch($"'{request.Name}' has {request.Params.Count} parameters, expected {expected.Count}: {expectedText}");
        for (var i = 0; i < expected.Count; i++)
        {
            var got = request.Params[i];
            var want = expected[i];
            if (got.TypeText != want.TypeText || got.RefKind != want.RefKind)
                return Mismatch($"parameter {i + 1} of '{request.Name}' ('{got.Name}') should be '{Short(want.Declaration)}'; " +
                    $"expected: {expectedText}");
        }
        return null;
    }

    /// <summary>The signature a request should have (return type and parameters, fully qualified), or null when the request
    /// fails before its declaration is checked. The code fixes that declare a derivative read it.</summary>
    public static (string Returns, string Parameters)? ExpectedSignature(RequestModel request, IReadOnlyList<PrimalModel> primals)
    {
        var (primal, _) = FindPrimal(request, primals);
        if (primal is null) return null;
        var wrtNames = (request.Wrt ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
        var (active, _) = ActiveParams(primal, wrtNames);
        if (active is null) return null;
        var row = RequestKinds.Of(request.Kind);
        if (row.CheckPrimal(request, primal, active, wrtNames.Count > 0, out _) is not null) return null;
        var expected = row.ExpectedFor(request, primal, active, null).Select(e => e.Param);
        return (row.Returns(primal), string.Join(", ", expected.Select(p => p.Declaration)));
    }

    /// <summary>The expected parameters of a request (its kind's rule plus the request's options).</summary>
    public static List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active,
        PrimalModel? of = null) =>
        RequestKinds.Of(request.Kind).ExpectedFor(request, primal, active, of);

    /// <summary>A writable span of floats: the primal writes its results there.</summary>
    public static bool IsOutput(ParamModel p) => p.Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true };

    public static List<ParamModel> Outputs(PrimalModel primal) => primal.Params.Where(IsOutput).ToList();

    /// <summary>
    /// Why a request that needs a primal without span outputs refuses this one (null: it has none). A <c>Span&lt;T&gt;</c>
    /// parameter is an output by its type; when the primal's IR only loads from it and reads its length, the message
    /// says so and asks for <c>ReadOnlySpan&lt;T&gt;</c> instead of claiming the primal writes it.
    /// </summary>
    public static string? SpanOutputRefusal(string kind, PrimalModel primal, string writtenAdvice = "")
    {
        var outputs = Outputs(primal);
        if (outputs.Count == 0) return null;
        var written = outputs.FirstOrDefault(p => !OnlyRead(primal, p));
        if (written is not null)
            return $"[{kind}] of '{primal.Name}' is not supported because it writes span '{written.Name}'{writtenAdvice}";
        var first = outputs[0];
        var readOnly = Short(first.TypeText).Replace("Span<", "ReadOnlySpan<");
        return $"[{kind}] of '{primal.Name}': parameter '{first.Name}' is a {Short(first.TypeText)}, which the signature rules take "
            + $"for an output, but '{primal.Name}' only reads it; declare it '{readOnly} {first.Name}'";
    }

    /// <summary>The primal's IR uses the parameter only to load from it and to read its length (a call or store: unknown).</summary>
    private static bool OnlyRead(PrimalModel primal, ParamModel p)
    {
        var index = primal.Params.ToList().IndexOf(p);
        if (primal.Ir is not { } fn || index < 0 || index >= fn.Params.Count) return false;
        var value = fn.Params[index];
        return OnlyRead(fn.Body, value);
    }

    private static bool OnlyRead(Region region, Value value)
    {
        if (region.Yields.Contains(value)) return false;
        foreach (var op in region.Ops)
        {
            var reads = op is LoadOp load && load.Buffer == value && load.Index != value || op is LengthOp;
            if (!reads && op.Operands.Contains(value)) return false;
            if (op.Regions.Any(r => !OnlyRead(r, value))) return false;
        }
        return true;
    }

    private static string Short(string text) => text.Replace("global::System.", "").Replace("global::", "");
}
