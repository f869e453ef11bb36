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
/// The ILGPU kernel target will add one file here per rewrite: tape push/pop → stores and loads
/// of an indexed per-thread buffer (a kernel has no <c>Dsl.Tape</c>); <see cref="BufferKind.Stack"/>
/// and <see cref="BufferKind.Scratch"/> allocations → slices of a scratch view passed in
/// (no <c>stackalloc</c> in a kernel); <see cref="ClearOp"/> → a loop of zero stores; and
/// span parameters → <c>ArrayView&lt;T&gt;</c> views (a buffer kind of their own). Argument checks that
/// throw stay on the host side of the launch, since a kernel cannot throw.
/// </para>
/// </summary>
internal static class Legalizers
{
    /// <summary>The identity: the target prints every op as the transforms left it.</summary>
    public static Function None(Function fn) => fn;
}
