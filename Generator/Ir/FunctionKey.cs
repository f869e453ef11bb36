using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>What a function of a module computes: a declared method, or a transform of another function.</summary>
internal enum TransformKind
{
    /// <summary>
    /// A method the user declared: a <c>[Differentiable]</c> primal, or a derivative method whose
    /// generated body other code calls (a call site does not know which of the two it names).
    /// </summary>
    Primal,

    /// <summary>Forward mode: the callee's JVP (<c>jvp[mask]:</c>).</summary>
    Jvp,

    /// <summary>The reverse-mode entry of a <c>[Gradient]</c> (<c>grad[mask]:</c>).</summary>
    Gradient,

    /// <summary>The reverse-mode entry of a <c>[Vjp]</c> (<c>vjpentry[mask]:</c>).</summary>
    Vjp,

    /// <summary>A callee's pullback, seeded by its caller (<c>vjp[mask]:</c>).</summary>
    Pullback,

    /// <summary>Taylor mode (<c>taylor{K}[x{L}][mask]:</c>); the entry also carries its slots, one-hot and entry marks.</summary>
    Taylor,
}

/// <summary>
/// Identifies a function of the IR: the declared method's key for a primal, or the transform,
/// its options and the function it transforms (keys nest: the JVP of a gradient, the pullback
/// of a Taylor entry). Functions are found and calls resolved by this value; its text
/// (<see cref="ToString"/>) is what the keys were before they were typed, so names and the
/// ordinal order of helpers (hence the generated code) do not depend on this type.
/// </summary>
/// <remarks>
/// Built only through the factories, which normalize what the text does not show (the slots
/// of a Taylor entry that passes all of them), so two keys are equal exactly when their texts
/// are. The properties have no setters, so <c>with</c> cannot make a key whose parts disagree.
/// </remarks>
internal sealed record FunctionKey
{
    private FunctionKey(TransformKind kind, string method, FunctionKey? of, EquatableArray<bool> active,
        int order = 0, int lanes = 1, EquatableArray<int> slots = default, bool oneHot = false, bool entry = false,
        bool collapsed = false)
    {
        Kind = kind;
        Method = method;
        Of = of;
        Active = active;
        Order = order;
        Lanes = lanes;
        Slots = slots;
        OneHot = oneHot;
        Entry = entry;
        Collapsed = collapsed;
    }

    public TransformKind Kind { get; }

    /// <summary>For <see cref="TransformKind.Primal"/>: the method's key, <c>Type.Name(parameter types)</c>; otherwise "".</summary>
    public string Method { get; }

    /// <summary>The function this one transforms (null for a primal).</summary>
    public FunctionKey? Of { get; }

    /// <summary>Which parameters of <see cref="Of"/> are differentiated.</summary>
    public EquatableArray<bool> Active { get; }

    /// <summary>Taylor: the order K of the jets.</summary>
    public int Order { get; }

    /// <summary>Taylor: the number of jets sharing one primal pass.</summary>
    public int Lanes { get; }

    /// <summary>Taylor entry: the input slots passed, when not all of 1..K (empty: all).</summary>
    public EquatableArray<int> Slots { get; }

    /// <summary>Taylor entry: every lane runs along a unit vector given by its index.</summary>
    public bool OneHot { get; }

    /// <summary>Taylor: the entry a declared operator calls (input jets as given), not a callee's helper.</summary>
    public bool Entry { get; }

    /// <summary>
    /// Taylor: the lanes' order-K coefficients travel as one sum (collapsed Taylor mode), for operators
    /// that only read Σ_l y_K of the lanes.
    /// </summary>
    public bool Collapsed { get; }

    /// <summary>A declared method, by the key the frontend gives it (<c>PrimalLowering.KeyOf</c>).</summary>
    public static FunctionKey Primal(string method) => new(TransformKind.Primal, method, null, EquatableArray<bool>.Empty);

    /// <summary>Call sites and primals name methods by their key text; it always means a declared method.</summary>
    public static implicit operator FunctionKey(string method) => Primal(method);

    public static FunctionKey Jvp(FunctionKey of, IReadOnlyList<bool> active) =>
        new(TransformKind.Jvp, "", of, active.ToEquatableArray());

    public static FunctionKey Gradient(FunctionKey of, IReadOnlyList<bool> active) =>
        new(TransformKind.Gradient, "", of, active.ToEquatableArray());

    public static FunctionKey Vjp(FunctionKey of, IReadOnlyList<bool> active) =>
        new(TransformKind.Vjp, "", of, active.ToEquatableArray());

    public static FunctionKey Pullback(FunctionKey of, IReadOnlyList<bool> active) =>
        new(TransformKind.Pullback, "", of, active.ToEquatableArray());

    /// <summary>The Taylor helper of a callee: all input slots, no one-hot lanes.</summary>
    public static FunctionKey Taylor(FunctionKey of, IReadOnlyList<bool> active, int order, int lanes, bool collapsed = false) =>
        new(TransformKind.Taylor, "", of, active.ToEquatableArray(), order, lanes, collapsed: collapsed && lanes > 1);

    /// <summary>The Taylor entry; <paramref name="slots"/> are the input slots passed (all of 1..K are stored as none).</summary>
    public static FunctionKey TaylorEntry(FunctionKey of, IReadOnlyList<bool> active, int order, int lanes, IReadOnlyList<int> slots,
        bool oneHot, bool collapsed = false) =>
        new(TransformKind.Taylor, "", of, active.ToEquatableArray(), order, lanes,
            slots.Count == order ? EquatableArray<int>.Empty : slots.ToEquatableArray(), oneHot, entry: true, collapsed && lanes > 1);

    /// <summary>The declared method at the bottom of the chain of transforms.</summary>
    public FunctionKey Root => Of?.Root ?? this;

    /// <summary>For a primal: <c>Type.Name</c>, the method's key without its parameter list.</summary>
    public string QualifiedName
    {
        get
        {
            var paren = Method.IndexOf('(');
            return paren < 0 ? Method : Method.Substring(0, paren);
        }
    }

    /// <summary>Orders keys by their text, ordinally (the order helpers are named and written in).</summary>
    public static readonly IComparer<FunctionKey> Ordinal = Comparer<FunctionKey>.Create(
        (a, b) => string.CompareOrdinal(a?.ToString(), b?.ToString()));

    public override string ToString()
    {
        if (Kind == TransformKind.Primal) return Method;
        var mask = string.Concat(Active.Select(a => a ? "1" : "0"));
        return Kind switch
        {
            TransformKind.Jvp => "jvp[" + mask + "]:" + Of,
            TransformKind.Gradient => "grad[" + mask + "]:" + Of,
            TransformKind.Vjp => "vjpentry[" + mask + "]:" + Of,
            TransformKind.Pullback => "vjp[" + mask + "]:" + Of,
            _ => "taylor" + Order + (Lanes == 1 ? "" : "x" + Lanes) + (Collapsed ? "sum" : "") + "[" + mask + "]:" + Of
                + (Entry ? EntrySuffix() : ""),
        };
    }

    private string EntrySuffix() =>
        (Slots.Count == 0 ? "" : ":slots" + string.Join(",", Slots)) + (OneHot ? ":onehot" : "") + ":entry";
}
