using System;
using System.Collections.Generic;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[ForwardGradient]</c>: the primal's parameters, then <c>ReadOnlySpan&lt;T&gt; tangents</c>
/// (K rows of the Wrt span's length), then <c>Span&lt;T&gt; estimate</c> (the Wrt span's length);
/// returns the primal's value. One first-order vector-mode pass per chunk of Lanes tangents.
/// </summary>
internal sealed class ForwardGradientRow : JetOperatorRow
{
    public ForwardGradientRow() : base(RequestKind.ForwardGradient, "Dsl.ForwardGradientAttribute", "ForwardGradientRequests") { }

    public override int DefaultLanes => Operators.DefaultLanes;

    public override string? CheckOptions(int order, int lanes) => lanes < 1 || lanes > Operators.MaxLanes
        ? $"[ForwardGradient] Lanes must be between 1 and {Operators.MaxLanes} (got {lanes}); K = Lanes tangents take one pass"
        : null;

    protected override string? CheckOperator(RequestModel request, PrimalModel primal, bool[] active, out JetPlan? jet)
    {
        jet = null;
        if (request.Clip < 0 || double.IsNaN(request.Clip) || double.IsInfinity(request.Clip))
            return $"[ForwardGradient] Clip must be a finite number >= 0 (0: no clipping); got {request.Clip}";
        return null;
    }

    public override List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = ExpectedParams(primal, active);
        var wrt = Wrt(active);
        var p = primal.Params[wrt];
        var elem = p.Type!.Elem;
        list.Add(new ExpectedParam(new ParamModel(request.Projection ? "guesses" : "tangents",
            $"global::System.ReadOnlySpan<{Elem(p)}>", "", IrType.Buf(elem, BufferKind.ReadOnlySpan)), -1));
        list.Add(new ExpectedParam(new ParamModel(p.Name + "Estimate", $"global::System.Span<{Elem(p)}>", "",
            IrType.Buf(elem, BufferKind.Span)), wrt));
        return list;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Operators.ForwardGradient(plan.Primal.Ir!, Wrt(plan.Active), request.Lanes, request.Projection, request.Clip, request.Key,
            plan.Primal.Ir!.Name + "_ForwardGradient", lookup);

    public override string Describe(RequestModel request, TransformPlan plan)
    {
        var bound = request.Clip.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var clip = request.Clip > 0 ? $", each ∇f·v clipped to ±{bound}" : "";
        return request.Projection
            ? $"Forward gradient by projection onto supplied guesses, (1/K) Σ (∇f·u) u / ‖u‖² (biased){clip}, {request.Lanes} per pass,"
            : $"Forward gradient (1/K) Σ (∇f·v) v over K tangents{clip}, {request.Lanes} per vector-mode pass,";
    }

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var x = request.Params[Wrt(plan.Active)].Identifier;
        var tangents = request.Params[plan.Primal.Params.Count].Identifier;
        yield return ArgumentCheck($"{tangents}.Length == 0 || {x}.Length == 0 || {tangents}.Length % {x}.Length != 0",
            $"'{tangents}' must hold one or more tangents of length {{{x}.Length}} (the length of '{x}'), row-major, " +
            $"but has length {{{tangents}.Length}}.", tangents);
    }
}
