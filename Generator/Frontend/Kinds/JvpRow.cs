using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[Jvp]</c>: forward mode. Each differentiated parameter is followed by its tangent; the
/// result's tangent is an <c>out</c>.
/// </summary>
internal sealed class JvpRow : RequestKindRow
{
    public JvpRow() : base(RequestKind.Jvp, "Dsl.JvpAttribute", "JvpRequests") { }

    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        ActivateOutputs(primal, active);
        return null;
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = new List<ExpectedParam>();
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
        if (primal.ReturnType is not null)
            list.Add(new ExpectedParam(new ParamModel("dResult", primal.ReturnTypeText, "out", primal.ReturnType), -1));
        return list;
    }

    private static string Tangent(string n) => "d" + char.ToUpperInvariant(n[0]) + n.Substring(1);

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Forward.Jvp(plan.Primal.Ir!, plan.Active, lookup);

    public override string Describe(RequestModel request, TransformPlan plan) => "Forward mode (JVP)";

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        // IR: primal parameters with tangents interleaved, as declared; the result's tangent is an out.
        var user = UserNames(request);
        var inCount = plan.Primal.Params.Count + ActiveIndices(plan).Count;
        return (user.Take(inCount).ToList(), user.Skip(inCount).ToList());
    }
}
