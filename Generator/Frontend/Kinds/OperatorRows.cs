using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// The differential operators read off Taylor jets (Laplacian, biharmonic, partial derivative,
/// diffusion term, second-order operator): a scalar primal, one span parameter the operator
/// acts on, and the primal's parameters as declared (plus the operator's own inputs).
/// </summary>
internal abstract class JetOperatorRow : RequestKindRow
{
    protected JetOperatorRow(RequestKind kind, string attribute, string trackingName) : base(kind, attribute, trackingName) { }

    public sealed override string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet)
    {
        jet = null;
        var spans = Enumerable.Range(0, active.Length).Where(i => active[i] && primal.Params[i].Type!.IsBuffer).ToList();
        if (active.Count(a => a) != 1 || spans.Count != 1)
        {
            if (wrtGiven || spans.Count != 1)
                return Failures.Tag(DslDiagnostics.WrtProblem,
                    $"[{request.Kind}] on '{request.Name}' needs Wrt naming the one span parameter the operator acts on");
            for (var i = 0; i < active.Length; i++) active[i] = i == spans[0];
        }
        if (primal.ReturnType is null) return $"[{request.Kind}] needs a primal that returns a float or double";
        if (SignatureRules.SpanOutputRefusal(request.Kind.ToString(), primal) is { } writes) return writes;
        if (request.Estimator is < Estimator.Exact or > Estimator.Sparse)
            return $"unknown estimator {(int)request.Estimator}; use Estimator.Exact, Estimator.Dense or Estimator.Sparse";
        return CheckOperator(request, primal, active, out jet);
    }

    /// <summary>What the operator itself requires once the primal qualifies.</summary>
    protected virtual string? CheckOperator(RequestModel request, PrimalModel primal, bool[] active, out JetPlan? jet)
    {
        jet = null;
        return null;
    }

    public override List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active) => PrimalParams(primal);

    /// <summary>The IR function takes the declared parameters in their order.</summary>
    public override (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan) =>
        (UserNames(request), new List<string>());
}

/// <summary>
/// The operators that sum y_K over many jets and may estimate the sum (STDE): exact, or from
/// dense or sparse probes passed last. Jets run <see cref="Operators.DefaultLanes"/> at a time
/// unless the declaration sets Lanes.
/// </summary>
internal abstract class EstimatedOperatorRow : JetOperatorRow
{
    /// <summary>The transform of <see cref="Operators"/> that builds the operator (all four share this shape).</summary>
    protected delegate Module OperatorTransform(Function primal, int wrt, Estimator estimator, int lanes, FunctionKey key, string name,
        Func<FunctionKey, Function?> lookup);

    private readonly OperatorTransform _transform;
    private readonly string _suffix;

    /// <param name="suffix">Appended to the primal's name for the operator's function (<c>U_Laplacian</c>).</param>
    protected EstimatedOperatorRow(RequestKind kind, string attribute, string trackingName, OperatorTransform transform, string suffix)
        : base(kind, attribute, trackingName)
    {
        _transform = transform;
        _suffix = suffix;
    }

    public sealed override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        _transform(plan.Primal.Ir!, Wrt(plan.Active), request.Estimator, request.Lanes, request.Key, NameOf(plan, _suffix), lookup);

    public override int DefaultLanes => Operators.DefaultLanes;

    public override string? CheckOptions(int order, int lanes) => lanes < 1 || lanes > Operators.MaxLanes
        ? $"[{Kind}] Lanes must be between 1 and {Operators.MaxLanes} (got {lanes})"
        : null;

    /// <summary>The operator's own input after the primal's parameters (σ, C), or null.</summary>
    protected virtual string? OwnInput => null;

    /// <summary>The check of the own input's shape, given the name of the span the operator acts on.</summary>
    protected virtual string OwnInputCheck(string x, string input) => "";

    /// <summary>The length of one probe (C# expression) and what it is, given the own input's name.</summary>
    protected virtual (string Length, string What) Probe(string x, string? input) => ($"{x}.Length", $"the length of '{x}'");

    public override List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active)
    {
        var list = ExpectedParams(primal, active);
        var p = primal.Params[Wrt(active)];
        ExpectedParam Span(string name) =>
            new(new ParamModel(name, $"global::System.ReadOnlySpan<{Elem(p)}>", "", IrType.Buf(p.Type!.Elem, BufferKind.ReadOnlySpan)), -1);
        if (OwnInput is { } input) list.Add(Span(input));
        if (request.Estimator != Estimator.Exact) list.Add(Span("probes"));
        return list;
    }

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var x = request.Params[Wrt(plan.Active)].Identifier;
        var next = plan.Primal.Params.Count;
        string? input = null;
        if (OwnInput is not null)
        {
            input = request.Params[next++].Identifier;
            yield return OwnInputCheck(x, input);
        }
        if (request.Estimator != Estimator.Exact)
        {
            var probes = request.Params[next].Identifier;
            var (length, what) = Probe(x, input);
            yield return ArgumentCheck($"{probes}.Length == 0 || {x}.Length == 0 || {probes}.Length % {length} != 0",
                $"'{probes}' must hold one or more probe vectors of length {{{length}}} ({what}), row-major, " +
                $"but has length {{{probes}.Length}}.",
                probes);
        }
    }

    /// <summary>The function's name: the primal's, then the operator's.</summary>
    protected static string NameOf(TransformPlan plan, string suffix) => plan.Primal.Ir!.Name + "_" + suffix;
}

/// <summary><c>[Laplacian]</c>: Δu = Σ ∂²u/∂x_i² from 2-jets.</summary>
internal sealed class LaplacianRow : EstimatedOperatorRow
{
    public LaplacianRow()
        : base(RequestKind.Laplacian, "Dsl.LaplacianAttribute", "LaplacianRequests", Operators.Laplacian, "Laplacian") { }

    public override string Describe(RequestModel request, TransformPlan plan) => request.Estimator switch
    {
        Estimator.Exact => "Laplacian (exact: one 2-jet per coordinate)",
        Estimator.Dense => "Laplacian (STDE, dense probes: mean of vᵀ∇²u v)",
        _ => "Laplacian (STDE, sparse coordinates: d/|J| Σ ∂²u/∂x_j²)",
    };
}

/// <summary><c>[Biharmonic]</c>: Δ²u from 4-jets; exact by polarization or from Gaussian probes (no sparse estimator).</summary>
internal sealed class BiharmonicRow : EstimatedOperatorRow
{
    public BiharmonicRow()
        : base(RequestKind.Biharmonic, "Dsl.BiharmonicAttribute", "BiharmonicRequests", Operators.Biharmonic, "Biharmonic") { }

    protected override string? CheckOperator(RequestModel request, PrimalModel primal, bool[] active, out JetPlan? jet)
    {
        jet = null;
        return request.Estimator == Estimator.Sparse
            ? "[Biharmonic] has no sparse estimator: an unbiased dense estimator of Σ ∂⁴u/∂x_i⁴ alone does not exist, and the mixed " +
              "terms need pairs; use Estimator.Exact (polarization) or Estimator.Dense (Gaussian probes)"
            : null;
    }

    public override string Describe(RequestModel request, TransformPlan plan) => request.Estimator == Estimator.Exact
        ? "biharmonic (exact: 4-jets along e_i and, by polarization, e_i ± e_j)"
        : "biharmonic (STDE, Gaussian probes: mean of y4(v,0,0,0) / 3)";
}

/// <summary><c>[Diffusion]</c>: ½ tr(σσᵀ∇²u) for σ (d × m, row-major) passed after the primal's parameters.</summary>
internal sealed class DiffusionRow : EstimatedOperatorRow
{
    public DiffusionRow()
        : base(RequestKind.Diffusion, "Dsl.DiffusionAttribute", "DiffusionRequests", Operators.Diffusion, "Diffusion") { }

    protected override string? OwnInput => "sigma";

    protected override string OwnInputCheck(string x, string sigma) =>
        ArgumentCheck($"{x}.Length == 0 || {sigma}.Length == 0 || {sigma}.Length % {x}.Length != 0",
            $"'{sigma}' must be a {{{x}.Length}} x m matrix, row-major (m >= 1 columns; {x}.Length = {{{x}.Length}}), " +
            $"but has length {{{sigma}.Length}}.", sigma);

    /// <summary>The probes run along σp, so each has the length m of a row of σ.</summary>
    protected override (string Length, string What) Probe(string x, string? sigma) =>
        ($"({sigma}.Length / {x}.Length)", $"the number of columns of '{sigma}'");

    public override string Describe(RequestModel request, TransformPlan plan) => request.Estimator switch
    {
        Estimator.Exact => "diffusion term ½ tr(σσᵀ∇²u) (exact: one 2-jet per column of σ)",
        Estimator.Dense => "diffusion term ½ tr(σσᵀ∇²u) (STDE, dense probes p: ½ mean of y2(σp))",
        _ => "diffusion term ½ tr(σσᵀ∇²u) (STDE, sparse columns: ½ (m/|J|) Σ y2(σ e_j))",
    };
}

/// <summary><c>[SecondOrder]</c>: Σ C_ij ∂²u/∂x_i∂x_j for C (d × d, row-major) passed after the primal's parameters.</summary>
internal sealed class SecondOrderRow : EstimatedOperatorRow
{
    public SecondOrderRow()
        : base(RequestKind.SecondOrder, "Dsl.SecondOrderAttribute", "SecondOrderRequests", Operators.SecondOrder, "SecondOrder") { }

    protected override string? OwnInput => "c";

    protected override string OwnInputCheck(string x, string c) =>
        ArgumentCheck($"{c}.Length != {x}.Length * {x}.Length",
            $"'{c}' must be a {{{x}.Length}} x {{{x}.Length}} matrix, row-major (length {{{x}.Length * {x}.Length}}), " +
            $"but has length {{{c}.Length}}.", c);

    public override string Describe(RequestModel request, TransformPlan plan) => request.Estimator switch
    {
        Estimator.Exact => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (exact: e_iᵀ∇²u(Ce_i) from 2-jets along e_i ± Ce_i)",
        Estimator.Dense => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (STDE, dense probes: mean of vᵀ∇²u(Cv) from 2-jets along v ± Cv)",
        _ => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (STDE, sparse coordinates: (d/|J|) Σ e_jᵀ∇²u(Ce_j))",
    };
}
