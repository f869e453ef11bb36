using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// Target lowering: IR → IR rewrites that run on each function after the transforms and just
/// before printing (<c>ITarget.Legalize</c>, called by the emitter), so that a printer only
/// meets ops its target can write. This is the place of ILGPU's <c>*AcceleratorSpecializer</c>
/// and <c>Lower*</c> passes.
/// <para>
/// The C# CPU target writes every op as it is (spans, <c>stackalloc</c>, the <c>Dsl.Tape</c> and
/// <c>Dsl.Scratch</c> pools, <c>Clear()</c>), so its legalization is <see cref="None"/>.
/// </para>
/// <para>
/// The ILGPU kernel target (<c>Emit/Targets/IlgpuKernel.cs</c>) checks first, in <see cref="KernelLegality"/>,
/// what a kernel cannot contain (tapes, local buffers of run-time length, functions ILGPU leaves
/// <c>.extern</c>) and refuses with a reason; what it then prints differently (views, constant-size
/// local memory, clears as loops) is a leaf of the printer, so its legalization is <see cref="None"/>
/// too. Rewrites come here when a kernel needs new IR: the tape as stores and loads of a per-thread
/// buffer, and local buffers as slices of host-sized scratch.
/// </para>
/// </summary>
internal static class Legalizers
{
    /// <summary>The identity: the target prints every op as the transforms left it.</summary>
    public static Function None(Function fn) => fn;
}
