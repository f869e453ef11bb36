using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>
/// The descriptors of every DSL diagnostic, one per family of problem, shared by the generator and the analyzers (which
/// compile this file too), so a refusal has the same id, title and text wherever it is reported. The ids are public:
/// docs/diagnostics.md has a section per id, Analyzers/AnalyzerReleases.Unshipped.md the release entry (no help link
/// yet: the package has no public repository address to point it at). A refusal picks its family where it is made
/// (<see cref="Failures.Tag"/>); one made without a family is DSL0002.
/// </summary>
internal static class DslDiagnostics
{
    private const string Category = "Dsl";

    public static readonly DiagnosticDescriptor NotDifferentiable = Error(
        "DSL0001", "Construct not supported in a differentiable method",
        "The body of a [Differentiable] method uses a construct outside the differentiable subset; the message names it and "
            + "what to write instead.");

    public static readonly DiagnosticDescriptor InvalidDerivative = Error(
        "DSL0002", "Derivative cannot be generated",
        "A declared derivative cannot be generated for a reason outside the other families (an option out of range, a span "
            + "output where the transform needs none, a declaration that already has a body, an internal error).");

    public static readonly DiagnosticDescriptor NotAKernel = Error(
        "DSL0003", "Method cannot become an ILGPU kernel",
        "A [Kernel] reaches a construct an ILGPU kernel cannot contain yet (the tape of reverse mode, a local buffer "
            + "sized at run time, a function ILGPU leaves unresolved); the message names it and what to write instead.");

    public static readonly DiagnosticDescriptor SignatureMismatch = Error(
        "DSL0004", "Derivative signature does not match its rule",
        "The declared derivative's return type, parameter count, or a parameter's type or ref kind differs from the "
            + "signature rule; the message contains the expected signature as C#.");

    public static readonly DiagnosticDescriptor NameofTarget = Error(
        "DSL0005", "The nameof target is not a usable primal",
        "The method a derivative names is missing, not [Differentiable], overloaded, or not static.");

    public static readonly DiagnosticDescriptor WrtProblem = Error(
        "DSL0006", "Wrt names no differentiable parameter",
        "Wrt names a parameter the primal does not have or one that is not float, double or a span of them, or the request "
            + "needs a Wrt it does not have.");

    public static readonly DiagnosticDescriptor Recursion = Error(
        "DSL0007", "Recursion is not supported",
        "The primal calls itself: directly, through other methods, or through a method generated from it.");

    public static readonly DiagnosticDescriptor NoJetPlan = Error(
        "DSL0008", "No Taylor jet plan covers the request",
        "No Taylor jet up to the maximum order reads the requested partial derivative.");

    public static readonly DiagnosticDescriptor CalleeNotDifferentiable = Error(
        "DSL0009", "Called method is not differentiable",
        "A [Differentiable] method calls a method that is neither [Differentiable], generated, nor a math function the "
            + "generator knows.");

    public static readonly DiagnosticDescriptor MustBePartialOrStatic = Error(
        "DSL0010", "Declaration must be partial or static",
        "The derivative declaration must be 'static partial', and every type around it 'partial', for the generator to add "
            + "its body.");

    public static readonly DiagnosticDescriptor AlwaysZero = Warning(
        "DSL0100", "Derivative is identically zero",
        "The differentiated output does not depend on the Wrt inputs, so the declared derivative is zero for every input.");

    public static readonly DiagnosticDescriptor NonSmooth = Warning(
        "DSL0101", "Non-smooth function of a differentiated value",
        "A function that is not differentiable everywhere (Abs, Min, Max, Floor, Ceiling, Round, Sign, Truncate, a "
            + "comparison that selects between values) is applied to a value that depends on the inputs; its derivative is "
            + "taken piecewise.");

    /// <summary>Every descriptor, in id order.</summary>
    public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
    {
        NotDifferentiable, InvalidDerivative, NotAKernel, SignatureMismatch, NameofTarget, WrtProblem, Recursion, NoJetPlan,
        CalleeNotDifferentiable, MustBePartialOrStatic, AlwaysZero, NonSmooth,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(d => d.Id);

    /// <summary>The descriptor of an id (DSL0002 for an unknown one).</summary>
    public static DiagnosticDescriptor Of(string id) => ById.TryGetValue(id, out var d) ? d : InvalidDerivative;

    private static DiagnosticDescriptor Error(string id, string title, string description) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: description);

    private static DiagnosticDescriptor Warning(string id, string title, string description) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description: description);
}
