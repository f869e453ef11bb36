using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>
/// What an op does besides computing its results: one definition, read by the simplifier and
/// the emitter. The base fact is <see cref="Op.IsPure"/> (declared by each op record: constants,
/// arithmetic, selects and lengths are pure; everything else is not). The two questions the
/// passes ask differ on purpose, and each is stated here once:
/// <list type="bullet">
/// <item><see cref="MayWrite"/> (the emitter): may a load be moved past this op? Loads only read
///   and notes compute nothing; every other impure op counts as a write, conservatively
///   (a call whatever its arguments, an allocation, a whole loop or branch).</item>
/// <item><see cref="MustKeep"/> (dead-code elimination): must the op stay when nothing reads its
///   results? Loads do not; calls only when they pass a buffer the callee may write. Loops,
///   branches and allocations are decided by their bodies and readers, not here.</item>
/// </list>
/// </summary>
internal static class Effects
{
    /// <summary>True for ops with no effect besides their results (may be merged, moved, removed).</summary>
    public static bool IsPure(Op op) => op.IsPure;

    /// <summary>True when a load must not move past <paramref name="op"/>: it may change memory or state.</summary>
    public static bool MayWrite(Op op) => !op.IsPure && op is not (LoadOp or NoteOp);

    /// <summary>
    /// True when <paramref name="op"/> must stay although nothing reads its results: stores, clears,
    /// tape traffic, notes, and calls given a writable buffer. Loops, branches and allocations give
    /// false: the simplifier keeps them by what their bodies do and who reads them.
    /// </summary>
    public static bool MustKeep(Op op) => op switch
    {
        LoadOp or AllocOp or ForOp or IfOp => false,
        CallOp c => c.Args.Any(a => IsWritable(a.Type)),
        _ => !op.IsPure,
    };

    /// <summary>
    /// A buffer its holder may write: spans, stack, heap and scratch buffers. Read-only spans and
    /// array parameters are inputs in the subset (see <see cref="BufferKind.Array"/>).
    /// </summary>
    public static bool IsWritable(IrType t) => t.IsBuffer && t.Buffer is not (BufferKind.ReadOnlySpan or BufferKind.Array);
}
