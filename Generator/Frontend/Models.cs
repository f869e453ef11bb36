using Dsl.Generator.Ir;

namespace Dsl.Generator.Frontend;

/// <summary>A parameter as the C# signature spells it, with its IR type where it has one.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="TypeText">The type, fully qualified (<c>global::System.ReadOnlySpan&lt;float&gt;</c>).</param>
/// <param name="RefKind">"", "out", "ref" or "in".</param>
/// <param name="Type">The IR type, or null when the type is outside the subset.</param>
internal sealed record ParamModel(string Name, string TypeText, string RefKind, IrType? Type)
{
    /// <summary>The name as C# source spells it (<c>@in</c> for a keyword).</summary>
    public string Identifier => Escape(Name);

    public string Declaration => (RefKind.Length > 0 ? RefKind + " " : "") + TypeText + " " + Identifier;

    public static string Escape(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;
}

/// <summary>A type that contains a generated method (outermost first in <see cref="TypeChain"/>).</summary>
internal sealed record ContainingType(string Keyword, string Name, string Modifiers);

/// <summary>Where a type lives: its namespace and the chain of (partial) types around the method.</summary>
internal sealed record TypeChain(string? Namespace, EquatableArray<ContainingType> Types)
{
    public string Key => (Namespace is null ? "" : Namespace + ".") + string.Join(".", System.Linq.Enumerable.Select(Types, t => t.Name));
}

/// <summary>
/// A <c>[Differentiable]</c> method after lowering: its IR, or the reason it could not be
/// lowered. <c>RuleCallees</c>: the <c>[DerivativeOf]</c> rule methods of the methods it calls (the
/// transforms call and differentiate them, but a rule may call its own target: not a recursion).
/// Equatable, and free of symbols and syntax, so the pipeline caches it.
/// </summary>
internal sealed record PrimalModel(
    FunctionKey Key,
    string TypeKey,
    string Name,
    string ReturnTypeText,
    IrType? ReturnType,
    EquatableArray<ParamModel> Params,
    Function? Ir,
    string? Failure,
    EquatableArray<FunctionKey> Callees,
    bool IsPrivate = false,
    EquatableArray<FunctionKey> RuleCallees = default);

/// <summary>The transform a declared partial method asks for.</summary>
internal enum RequestKind
{
    Jvp,
    Gradient,
    Hvp,
    Vjp,
    Taylor,
    Laplacian,
    Biharmonic,
    Derivative,
    Diffusion,
    SecondOrder,
    Kernel,
    FunctionalDerivative,
    ForwardGradient,
}

/// <summary>
/// How an operator sums its jets. Mirrors the runtime's <c>Dsl.Estimator</c> (Runtime/Attributes.cs)
/// name for name and value for value: the attribute's argument arrives as that enum's int.
/// </summary>
internal enum Estimator
{
    /// <summary>One jet per coordinate (or column, or pair): no probes.</summary>
    Exact = 0,

    /// <summary>STDE over dense probes passed after the operator's inputs: the mean over the probes.</summary>
    Dense = 1,

    /// <summary>STDE over sampled coordinates (unit probes): d/|J| times the sum.</summary>
    Sparse = 2,
}

/// <summary>
/// A declared <c>static partial</c> method carrying a transform attribute, as the generator
/// needs it: where it is, what it is called, its parameters, and what it asks for.
/// </summary>
/// <remarks>
/// This is the output of a cached pipeline step: every member must compare by value (strings,
/// enums, numbers, records of them, <see cref="EquatableArray{T}"/>) and none may hold a symbol,
/// syntax node or compilation, or the generator reruns on every keystroke
/// (IncrementalityTests walk the model to check). Options a kind reads from its attribute are
/// typed members here (an enum where the runtime has one), with the attribute's default.
/// </remarks>
internal sealed record RequestModel(
    RequestKind Kind,
    string PrimalName,
    string? Wrt,
    TypeChain Chain,
    string TypeKey,
    string Modifiers,
    string ReturnTypeText,
    IrType? ReturnType,
    string Name,
    EquatableArray<ParamModel> Params,
    string? Failure,
    FunctionKey Key,
    int Order = 0,
    Estimator Estimator = Estimator.Exact,
    string Partial = "",
    int Lanes = 1,
    string PerItem = "",
    string Sum = "",
    bool AtomicSums = false,
    string Of = "",
    bool Projection = false,
    double Clip = 0);

/// <summary>One generated file.</summary>
internal sealed record GeneratedFile(string HintName, string Text);
