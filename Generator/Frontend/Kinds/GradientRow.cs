using System;
using System.Collections.Generic;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary><c>[Gradient]</c>: reverse mode. The primal's parameters, then one adjoint per differentiated one.</summary>
internal sealed class GradientRow : RequestKindRow
{
    public GradientRow() : base(RequestKind.Gradient, "Dsl.GradientAttribute", "GradientRequests") { }

    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        return ScalarResult(request, primal);
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = PrimalParams(primal);
        for (var i = 0; i < primal.Params.Count; i++)
        {
            if (active[i]) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Bar"), i));
        }
        return list;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Reverse.Gradient(plan.Primal.Ir!, plan.Active, lookup);

    public override string Describe(RequestModel request, TransformPlan plan) => "Reverse mode (gradient)";

    public override IEnumerable<string> Notes => ReverseSweepNote;

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        // IR: primal parameters, then adjoint spans; scalar adjoints are yields (outs).
        var user = UserNames(request);
        var n = plan.Primal.Params.Count;
        var activeIdx = ActiveIndices(plan);
        var names = new List<string>();
        var outs = new List<string>();
        for (var i = 0; i < n; i++) names.Add(user[i]);
        for (var k = 0; k < activeIdx.Count; k++)
        {
            if (plan.Primal.Params[activeIdx[k]].Type!.IsBuffer) names.Add(user[n + k]);
            else outs.Add(user[n + k]);
        }
        return (names, outs);
    }
}
