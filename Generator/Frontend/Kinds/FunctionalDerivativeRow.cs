using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[FunctionalDerivative]</c>: δF/δf of F[f] = ∫ L(x, f, ∇f) dx, declared by its density L.
/// L is <c>L(x, f)</c> or <c>L(x, f, grad)</c>, x a scalar or a read-only span, grad of x's type.
/// The method takes L's parameters and, with grad, the second derivatives of f (f'' for a
/// scalar x, the d × d Hessian for a span x); with <c>Of</c> it takes the parameters of the
/// named method f(x, …) and reads f, ∇f, ∇²f off Taylor jets of it. See <see cref="Functional"/>.
/// </summary>
internal sealed class FunctionalDerivativeRow : RequestKindRow
{
    public FunctionalDerivativeRow() : base(RequestKind.FunctionalDerivative, "Dsl.FunctionalDerivativeAttribute",
        "FunctionalDerivativeRequests") { }

    private const string Shape = "write the density as L(double x, double f), L(double x, double f, double fx) or " +
        "L(double x, double f, double fx, double fxx), or with ReadOnlySpan<double> x and ReadOnlySpan<double> grad for x in d " +
        "dimensions";

    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        var head = $"[FunctionalDerivative] on '{request.Name}': the density '{primal.Name}'";
        if (wrtGiven) return $"[FunctionalDerivative] on '{request.Name}' takes no Wrt: δF/δf differentiates the density in f and ∇f";
        if (ScalarResult(request, primal) is { } result) return result;
        var ps = primal.Params;
        if (ps.Count is < 2 or > 4) return $"{head} has {ps.Count} parameters, expected 2, 3 or 4; {Shape}";
        var x = ps[0].Type!;
        var scalar = primal.ReturnType!.Elem;
        bool IsX(IrType? t) => t is not null && t.Elem == scalar && (x.IsBuffer
            ? t.IsBuffer && t.Buffer != BufferKind.Span
            : !t.IsBuffer);
        if (!IsX(x) || ps[0].RefKind.Length > 0)
            return $"{head}: parameter 1 ('{ps[0].Name}') is the point x and must be {Short(primal.ReturnTypeText)} or a " +
                $"ReadOnlySpan<{Short(primal.ReturnTypeText)}>; {Shape}";
        if (ps[1].Type is not { IsBuffer: false } f || f.Elem != scalar || ps[1].RefKind.Length > 0)
            return $"{head}: parameter 2 ('{ps[1].Name}') is the value f(x) and must be {Short(primal.ReturnTypeText)}; {Shape}";
        if (ps.Count >= 3 && (!IsX(ps[2].Type) || ps[2].RefKind.Length > 0))
            return $"{head}: parameter 3 ('{ps[2].Name}') is the gradient ∇f and must have the type of x " +
                $"({Short(ps[0].TypeText)}); {Shape}";
        if (ps.Count == 4 && x.IsBuffer)
            return $"{head} takes second derivatives of f ('{ps[3].Name}'); second-order densities are supported for a scalar " +
                "x only (a span x would need every fourth derivative of f); write L(double x, double f, double fx, double fxx)";
        if (ps.Count == 4 && (ps[3].Type is not { IsBuffer: false } h || h.Elem != scalar || ps[3].RefKind.Length > 0))
            return $"{head}: parameter 4 ('{ps[3].Name}') is f'' and must be {Short(primal.ReturnTypeText)}; {Shape}";
        for (var i = 0; i < active.Length; i++) active[i] = i > 0;
        return null;
    }

    public override string? CheckOf(RequestModel request, PrimalModel primal, PrimalModel of)
    {
        var head = $"[FunctionalDerivative] on '{request.Name}': Of = '{of.Name}'";
        if (of.ReturnTypeText != primal.ReturnTypeText)
            return $"{head} must return {Short(primal.ReturnTypeText)}, as the density '{primal.Name}' does";
        if (SignatureRules.Outputs(of).Count > 0) return $"{head} must not write a span; it returns f(x)";
        var x = primal.Params[0].Type!;
        if (of.Params.Count == 0 || of.Params[0].Type is not { } t || t.IsBuffer != x.IsBuffer || t.Elem != x.Elem
            || of.Params[0].RefKind.Length > 0)
            return $"{head} must take the point x first, typed as the density's x ({Short(primal.Params[0].TypeText)}): " +
                $"{Short(primal.ReturnTypeText)} {of.Name}({Short(primal.Params[0].TypeText)} x, …)";
        return null;
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = PrimalParams(primal);
        if (primal.Params.Count == 4)
        {
            // f''' and f'''': ∂L/∂f'' enters as d²/dx² (∂L/∂f''), which reads f up to its fourth derivative.
            var x = primal.Params[0].Name;
            var fxx = primal.Params[1].Name + x + x;
            list.Add(new ExpectedParam(new ParamModel(fxx + x, primal.ReturnTypeText, "", primal.ReturnType), -1));
            list.Add(new ExpectedParam(new ParamModel(fxx + x + x, primal.ReturnTypeText, "", primal.ReturnType), -1));
        }
        else if (primal.Params.Count == 3)
        {
            var x = primal.Params[0];
            var elem = ElemOf(primal.ReturnType!);
            list.Add(x.Type!.IsBuffer
                ? new ExpectedParam(new ParamModel("hessian", $"global::System.ReadOnlySpan<{elem}>", "",
                    IrType.Buf(x.Type.Elem, BufferKind.ReadOnlySpan)), -1)
                : new ExpectedParam(new ParamModel(primal.Params[1].Name + x.Name + x.Name, primal.ReturnTypeText, "",
                    primal.ReturnType), -1));
        }
        return list;
    }

    public override List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active,
        PrimalModel? of) =>
        of is null ? ExpectedParams(primal, active) : PrimalParams(of);

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Functional.Derivative(plan.Primal.Ir!, plan.Of?.Ir, request.Key, plan.Primal.Ir!.Name + "_FunctionalDerivative",
            lookup);

    public override string Describe(RequestModel request, TransformPlan plan) =>
        "Functional derivative δF/δf = ∂L/∂f − Σ_i D_i(∂L/∂(∂_i f)) (gradient, and Hessian-vector products along the total " +
        "derivatives D_i)" + (plan.Of is null ? "" : $", on f = {plan.Of.Name} (f, ∇f, ∇²f from Taylor jets)");

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan) =>
        (UserNames(request), new List<string>());

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        if (plan.Of is not null || plan.Primal.Params.Count != 3 || !plan.Primal.Params[0].Type!.IsBuffer) yield break;
        var x = request.Params[0].Identifier;
        var grad = request.Params[2].Identifier;
        var hessian = request.Params[3].Identifier;
        yield return ArgumentCheck($"{grad}.Length != {x}.Length",
            $"'{grad}' must have the length of '{x}' ({{{x}.Length}}), but has length {{{grad}.Length}}.", grad);
        yield return ArgumentCheck($"{hessian}.Length != {x}.Length * {x}.Length",
            $"'{hessian}' must hold the d × d Hessian of f, row-major (d = {{{x}.Length}}), but has length {{{hessian}.Length}}.",
            hessian);
    }

    private static string Short(string text) => text.Replace("global::System.", "").Replace("global::", "");
}
