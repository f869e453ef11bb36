using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[Taylor]</c>: univariate Taylor mode along one Wrt parameter. The primal's parameters,
/// the input jet, then the output span y_0..y_K; returns void.
/// </summary>
internal sealed class TaylorRow : RequestKindRow
{
    /// <summary>Orders above 12 overflow the factorials the recurrences divide by in float.</summary>
    private const int MaxOrder = 12;

    public TaylorRow() : base(RequestKind.Taylor, "Dsl.TaylorAttribute", "TaylorRequests") { }

    public override int DefaultOrder => 2;

    public override string? CheckOptions(int order, int lanes)
    {
        if (lanes < 1 || lanes > Operators.MaxLanes) return $"[Taylor] Jets must be between 1 and {Operators.MaxLanes} (got {lanes})";
        if (order < 1 || order > MaxOrder) return $"[Taylor] Order must be between 1 and {MaxOrder} (got {order})";
        return null;
    }

    public override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        var chosen = active.Count(a => a);
        if (!wrtGiven && chosen != 1)
            return Failures.Tag(DslDiagnostics.WrtProblem, $"[Taylor] on '{request.Name}' needs Wrt naming the one parameter the " +
                $"jet runs along ('{primal.Name}' has {chosen} differentiable parameters)");
        if (chosen != 1)
            return Failures.Tag(DslDiagnostics.WrtProblem,
                $"[Taylor] on '{request.Name}' takes exactly one Wrt parameter (univariate Taylor mode); got {chosen}");
        if (primal.ReturnType is null)
            return $"[Taylor] needs a primal that returns a float or double; '{primal.Name}' returns void";
        return SignatureRules.SpanOutputRefusal("Taylor", primal);
    }

    public override string Returns(PrimalModel primal) => "void";

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = PrimalParams(primal);
        var p = primal.Params[Wrt(active)];
        var result = primal.ReturnType!;
        list.Add(new ExpectedParam(new ParamModel(p.Name + "Jet", $"global::System.ReadOnlySpan<{Elem(p)}>", "",
            IrType.Buf(p.Type!.Elem, BufferKind.ReadOnlySpan)), -1));
        list.Add(new ExpectedParam(new ParamModel("resultJet", $"global::System.Span<{ElemOf(result)}>", "",
            IrType.Buf(result.Elem, BufferKind.Span)), -1));
        return list;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Taylor.Entry(Simplify.Run(plan.Primal.Ir!), Wrt(plan.Active), request.Order, lookup, request.Lanes);

    public override string Describe(RequestModel request, TransformPlan plan) => request.Lanes == 1
        ? $"Taylor mode of order {request.Order} (jet)"
        : $"Taylor mode of order {request.Order}, {request.Lanes} jets sharing one primal pass (vector mode)";

    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        // IR: primal parameters with the jet right after the Wrt parameter, then the output jet.
        var user = UserNames(request);
        var n = plan.Primal.Params.Count;
        var a = Wrt(plan.Active);
        var names = new List<string>();
        for (var i = 0; i < n; i++)
        {
            names.Add(user[i]);
            if (i == a) names.Add(user[n]);
        }
        names.Add(user[n + 1]);
        return (names, new List<string>());
    }

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var primal = plan.Primal;
        var a = Wrt(plan.Active);
        var x = request.Params[a].Identifier;
        var jet = request.Params[primal.Params.Count].Identifier;
        var output = request.Params[primal.Params.Count + 1].Identifier;
        var k = request.Order;
        var p = request.Lanes;
        var isBuffer = primal.Params[a].Type!.IsBuffer;
        var want = isBuffer ? $"{p * k} * {x}.Length" : (p * k).ToString(CultureInfo.InvariantCulture);
        var shape = isBuffer
            ? p == 1
                ? $"{k} x {{{x}.Length}} (order x length of '{x}', row-major)"
                : $"{p} x {k} x {{{x}.Length}} (jets x order x length of '{x}', row-major)"
            : p == 1 ? $"{k} (the order)" : $"{p} x {k} (jets x order)";
        yield return ArgumentCheck($"{jet}.Length != {want}", $"'{jet}' must have length {shape}, but has length {{{jet}.Length}}.", jet);
        var outputShape = p == 1 ? $"y_0..y_{k}" : $"y_0, then y_1..y_{k} of each of the {p} jets";
        yield return ArgumentCheck($"{output}.Length != {1 + p * k}",
            $"'{output}' must have length {1 + p * k} ({outputShape}), but has length {{{output}.Length}}.", output);
    }
}
