using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[Vjp]</c>: reverse mode seeded by the caller. The primal's parameters, the seeds of the
/// result and of each output span, then the adjoints of the differentiated inputs.
/// </summary>
internal sealed class VjpRow : RequestKindRow
{
    public VjpRow() : base(RequestKind.Vjp, "Dsl.VjpAttribute", "VjpRequests") { }

    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        ActivateOutputs(primal, active);
        if (SignatureRules.Outputs(primal).Count == 0 && primal.ReturnType is null)
            return $"[Vjp] needs a primal with outputs; '{primal.Name}' returns nothing and writes no span";
        return null;
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = PrimalParams(primal);
        if (primal.ReturnType is not null)
            list.Add(new ExpectedParam(new ParamModel("resultBar", primal.ReturnTypeText, "", primal.ReturnType), -1));
        for (var i = 0; i < primal.Params.Count; i++)
        {
            var p = primal.Params[i];
            if (SignatureRules.IsOutput(p))
                list.Add(new ExpectedParam(new ParamModel(p.Name + "Bar", $"global::System.ReadOnlySpan<{Elem(p)}>", "", p.Type), i));
        }
        for (var i = 0; i < primal.Params.Count; i++)
        {
            if (active[i] && !SignatureRules.IsOutput(primal.Params[i])) list.Add(new ExpectedParam(Adjoint(primal.Params[i], "Bar"), i));
        }
        return list;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Reverse.Vjp(plan.Primal.Ir!, plan.Active, lookup);

    public override string Describe(RequestModel request, TransformPlan plan) => "Vector-Jacobian product (reverse mode)";

    public override IEnumerable<string> Notes => ReverseSweepNote;

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        // Params, seeds (result, output spans), then adjoints of the inputs in order.
        var primal = plan.Primal;
        var user = UserNames(request);
        var n = primal.Params.Count;
        var names = user.Take(n).ToList();
        var outs = new List<string>();
        var seeds = (primal.ReturnType is null ? 0 : 1) + primal.Params.Count(SignatureRules.IsOutput);
        names.AddRange(user.Skip(n).Take(seeds));
        var k = n + seeds;
        foreach (var i in ActiveIndices(plan).Where(i => !SignatureRules.IsOutput(primal.Params[i])))
        {
            if (primal.Params[i].Type!.IsBuffer) names.Add(user[k++]);
            else outs.Add(user[k++]);
        }
        return (names, outs);
    }
}
