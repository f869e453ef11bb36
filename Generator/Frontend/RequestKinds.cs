using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Frontend.Kinds;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend;

/// <summary>
/// The request attributes, one row each, in the order the pipeline registers them (and lists
/// their steps). Adding a request kind takes a <see cref="RequestKind"/> member, a row class
/// (in Kinds/), one line here, and the attribute in Runtime/Attributes.cs; the pipeline, the
/// analyzer, the signature check and the generation step find it here.
/// </summary>
internal static class RequestKinds
{
    public static readonly IReadOnlyList<RequestKindRow> All = new RequestKindRow[]
    {
        new JvpRow(),
        new GradientRow(),
        new HvpRow(),
        new VjpRow(),
        new TaylorRow(),
        new LaplacianRow(),
        new BiharmonicRow(),
        new DerivativeRow(),
        new DiffusionRow(),
        new SecondOrderRow(),
        new KernelRow(),
        new FunctionalDerivativeRow(),
        new ForwardGradientRow(),
    };

    private static readonly Dictionary<RequestKind, RequestKindRow> ByKind = All.ToDictionary(r => r.Kind);

    private static readonly Dictionary<string, RequestKindRow> ByAttribute = All.ToDictionary(r => r.Attribute, StringComparer.Ordinal);

    public static RequestKindRow Of(RequestKind kind) => ByKind[kind];

    /// <summary>The row of an attribute class, by its metadata name (<c>Dsl.JvpAttribute</c>); null for any other attribute.</summary>
    public static RequestKindRow? ForAttribute(string? metadataName) =>
        metadataName is not null && ByAttribute.TryGetValue(metadataName, out var row) ? row : null;
}

/// <summary>
/// Everything the generator knows about one request kind: how its attribute is read and
/// validated, its signature rule, the transform that builds it, and how its method is
/// described, mapped onto the user's parameter names and guarded. The rows hold no state;
/// the models they read stay equatable, so the pipeline still caches them.
/// </summary>
internal abstract class RequestKindRow
{
    protected RequestKindRow(RequestKind kind, string attribute, string trackingName)
    {
        Kind = kind;
        Attribute = attribute;
        TrackingName = trackingName;
    }

    public RequestKind Kind { get; }

    /// <summary>The attribute's metadata name, <c>Dsl.JvpAttribute</c>.</summary>
    public string Attribute { get; }

    /// <summary>The name of the pipeline step that reads these requests (tests assert it is cached).</summary>
    public string TrackingName { get; }

    /// <summary>The order when the attribute does not set one.</summary>
    public virtual int DefaultOrder => 0;

    /// <summary>The jets per pass (Jets or Lanes) when the attribute does not set them.</summary>
    public virtual int DefaultLanes => 1;

    /// <summary>
    /// What the request's method is: a C# method that runs the transform on the CPU, or an ILGPU
    /// kernel that runs an existing method per item (the generation step takes a different path).
    /// </summary>
    public virtual MethodForm Form => MethodForm.CpuMethod;

    /// <summary>The first problem with the attribute's options, or null.</summary>
    public virtual string? CheckOptions(int order, int lanes) => null;

    /// <summary>
    /// The kind's own conditions on the primal, checked once the primal is found and the Wrt
    /// parameters are marked in <paramref name="active"/> (which a kind may widen or narrow).
    /// </summary>
    /// <param name="wrtGiven">The declaration names its Wrt parameters (otherwise every differentiable one is active).</param>
    /// <param name="jet">A kind that reads its result off one Taylor jet returns the jet's plan here.</param>
    public abstract string? CheckPrimal(RequestModel request, PrimalModel primal, bool[] active, bool wrtGiven, out JetPlan? jet);

    /// <summary>The return type the declaration must have.</summary>
    public virtual string Returns(PrimalModel primal) => primal.ReturnTypeText;

    /// <summary>The parameters the rule asks for; names are suggestions (dx for x, dResult for the result).</summary>
    public abstract List<ExpectedParam> ExpectedParams(PrimalModel primal, IReadOnlyList<bool> active);

    /// <summary>The expected parameters of a request: the rule plus what the request's options add.</summary>
    public virtual List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active) =>
        ExpectedParams(primal, active);

    /// <summary>
    /// The expected parameters when the request also names a second method (<c>Of</c>); kinds
    /// that read one override this (default: the second method plays no part).
    /// </summary>
    public virtual List<ExpectedParam> ExpectedFor(RequestModel request, PrimalModel primal, IReadOnlyList<bool> active, PrimalModel? of) =>
        ExpectedFor(request, primal, active);

    /// <summary>The kind's conditions on the second method a request names (<c>Of</c>); null when it qualifies.</summary>
    public virtual string? CheckOf(RequestModel request, PrimalModel primal, PrimalModel of) =>
        $"[{request.Kind}] takes no Of";

    /// <summary>The transform the request asks for, applied to its primal (not yet simplified).</summary>
    public abstract Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup);

    /// <summary>What the method computes, for its comment: "Forward mode (JVP)".</summary>
    public abstract string Describe(RequestModel request, TransformPlan plan);

    /// <summary>Further comment lines under the description.</summary>
    public virtual IEnumerable<string> Notes => Array.Empty<string>();

    /// <summary>
    /// The user's parameter names for the IR function's parameters, and for its yields after
    /// the first (written to <c>out</c> parameters), following the kind's signature rule.
    /// </summary>
    public abstract (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan);

    /// <summary>
    /// The kind's own argument checks at the top of the method (jet and probe shapes); the
    /// checks that each tangent or adjoint span has its owner's length are common to all.
    /// </summary>
    public virtual IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan) => Array.Empty<string>();

    /// <summary>The comment line of the reverse-mode kinds.</summary>
    protected static readonly IReadOnlyList<string> ReverseSweepNote = new[]
    {
        "// The forward sweep runs the primal; the reverse sweep below it propagates adjoints (x_bar = d result / d x).",
    };

    protected static string Elem(ParamModel p) => p.Type!.Elem == ScalarKind.F32 ? "float" : "double";

    protected static string ElemOf(IrType t) => t.Elem == ScalarKind.F32 ? "float" : "double";

    /// <summary>The adjoint of a parameter: a span to accumulate into, or an <c>out</c> scalar.</summary>
    protected static ParamModel Adjoint(ParamModel p, string suffix) => p.Type!.IsBuffer
        ? new ParamModel(p.Name + suffix, $"global::System.Span<{Elem(p)}>", "", p.Type)
        : new ParamModel(p.Name + suffix, p.TypeText, "out", p.Type);

    protected static List<ExpectedParam> PrimalParams(PrimalModel primal) => primal.Params.Select(p => new ExpectedParam(p, -1)).ToList();

    protected static List<int> ActiveIndices(TransformPlan plan) =>
        Enumerable.Range(0, plan.Primal.Params.Count).Where(i => plan.Active[i]).ToList();

    /// <summary>The one differentiated parameter of a univariate kind (Taylor, the operators).</summary>
    protected static int Wrt(IReadOnlyList<bool> active) => active.ToList().IndexOf(true);

    protected static List<string> UserNames(RequestModel request) => request.Params.Select(p => p.Identifier).ToList();

    /// <summary>Writable spans are outputs: their tangents (cotangents) always take part.</summary>
    protected static void ActivateOutputs(PrimalModel primal, bool[] active)
    {
        for (var i = 0; i < active.Length; i++)
        {
            if (SignatureRules.IsOutput(primal.Params[i])) active[i] = true;
        }
    }

    /// <summary>The condition of the reverse-mode kinds on a primal: a scalar result, no span written.</summary>
    protected static string? ScalarResult(RequestModel request, PrimalModel primal)
    {
        if (primal.ReturnType is null)
            return $"[{request.Kind}] needs a primal that returns a float or double; '{primal.Name}' returns void " +
                "(use [Vjp] for span outputs)";
        return SignatureRules.SpanOutputRefusal(request.Kind.ToString(), primal,
            "; use [Vjp], or allocate scratch buffers inside the method (stackalloc or new)");
    }

    protected static string ArgumentCheck(string condition, string message, string param) =>
        $"if ({condition}) throw new global::System.ArgumentException($\"{message}\", \"{param}\");";
}

/// <summary>The kind of method a request kind generates.</summary>
internal enum MethodForm
{
    /// <summary>A C# method (scalar CPU code) computing the transform.</summary>
    CpuMethod,

    /// <summary>An ILGPU kernel that runs a primal or a generated method once per item of a batch.</summary>
    IlgpuKernel,
}
