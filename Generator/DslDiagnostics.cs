using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>
/// The descriptors of every DSL diagnostic, shared by the generator and the analyzers (which compile this file too), so
/// a refusal has the same id, title and text wherever it is reported. docs/diagnostics.md has a section per id (no help
/// link yet: the package has no public repository address to point it at).
/// </summary>
internal static class DslDiagnostics
{
    public static readonly DiagnosticDescriptor NotDifferentiable = new(
        "DSL0001", "Method cannot be differentiated", "{0}", "Dsl", DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The body of a [Differentiable] method uses a construct outside the differentiable subset.");

    public static readonly DiagnosticDescriptor InvalidDerivative = new(
        "DSL0002", "Derivative cannot be generated", "{0}", "Dsl", DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A declared derivative method does not follow the signature rule, or its primal cannot be differentiated.");

    public static readonly DiagnosticDescriptor NotAKernel = new(
        "DSL0003", "Method cannot become an ILGPU kernel", "{0}", "Dsl", DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A [Kernel] reaches a construct an ILGPU kernel cannot contain yet (the tape of reverse mode, a local buffer "
            + "sized at run time, a function ILGPU leaves unresolved); the message names it and what to write instead.");
}
