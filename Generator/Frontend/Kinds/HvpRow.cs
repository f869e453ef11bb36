using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[Hvp]</c>: Hessian-vector product, forward over reverse. The primal's parameters, a
/// direction per differentiated one, then the gradients, then the products Hv.
/// </summary>
internal sealed class HvpRow : RequestKindRow
{
    public HvpRow() : base(RequestKind.Hvp, "Dsl.HvpAttribute", "HvpRequests") { }

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
        return list;
    }

    /// <summary>
    /// Forward over reverse: the JVP of the generated gradient, with the primal inputs and the
    /// gradient's adjoint spans differentiated. The tangent of the primal result is dropped.
    /// </summary>
    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup)
    {
        var gradient = Simplify.Run(Reverse.Gradient(plan.Primal.Ir!, plan.Active, lookup));
        Function? Find(FunctionKey key) => gradient.Find(key) ?? lookup(key);
        var g = gradient.Functions[0];
        var active = new List<bool>(plan.Active);
        while (active.Count < g.Params.Count) active.Add(true); // the adjoint spans
        var hvp = Forward.Jvp(g, active, Find);
        var entry = hvp.Functions[0];
        var yields = entry.Body.Yields.Where((y, k) => k != 1).ToEquatableArray();
        entry = entry with { Body = entry.Body with { Yields = yields } };
        return new Module(new[] { entry }.Concat(hvp.Functions.Skip(1)).ToEquatableArray());
    }

    public override string Describe(RequestModel request, TransformPlan plan) => "Hessian-vector product (forward over reverse)";

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        // User: params, directions, gradients, Hv. IR (JVP of the gradient): each primal
        // parameter followed by its direction, then each adjoint span followed by its
        // tangent (the Hv span); yields: result, then per scalar: gradient, Hv.
        var user = UserNames(request);
        var n = plan.Primal.Params.Count;
        var activeIdx = ActiveIndices(plan);
        var m = activeIdx.Count;
        bool IsBuffer(int k) => plan.Primal.Params[activeIdx[k]].Type!.IsBuffer;
        string Grad(int k) => user[n + m + k];
        string Hv(int k) => user[n + 2 * m + k];
        var names = new List<string>();
        var outs = new List<string>();
        for (var i = 0; i < n; i++)
        {
            names.Add(user[i]);
            var k = activeIdx.IndexOf(i);
            if (k >= 0) names.Add(user[n + k]); // its direction
        }
        for (var k = 0; k < m; k++)
        {
            if (IsBuffer(k)) names.AddRange(new[] { Grad(k), Hv(k) });
        }
        for (var k = 0; k < m; k++)
        {
            if (!IsBuffer(k)) outs.AddRange(new[] { Grad(k), Hv(k) });
        }
        return (names, outs);
    }
}
