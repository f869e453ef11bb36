using System.Collections.Generic;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Targets;

/// <summary>
/// What differs between the targets the emitter writes for (CPU scalar C# today; ILGPU kernels
/// and vectorized CPU code next): the leaves of expressions and the few statements that touch
/// memory, tapes and pools. Everything else (precedence, folding of single-use temporaries,
/// naming, <c>for</c>/<c>if</c>, slot updates) is the shared core in <c>Emit/Core</c>.
/// Arguments and results are C# text; the core decides what to print, the target how.
/// </summary>
internal interface ITarget
{
    /// <summary>IR rewrites that make <paramref name="fn"/> printable for this target (see <c>Transforms/Legalize</c>).</summary>
    Function Legalize(Function fn);

    /// <summary>The C# type of an IR type, for locals and parameters alike.</summary>
    string Type(IrType t);

    /// <summary>A constant of type <paramref name="t"/>, exactly (round-trip digits).</summary>
    string Literal(double x, IrType t);

    /// <summary>
    /// A math primitive applied to printed operands (every primitive name goes through here).
    /// Neg, Not and Convert are operators, printed by the core; arithmetic and comparisons too.
    /// </summary>
    string Call(UnOp kind, IrType result, string operand);

    /// <inheritdoc cref="Call(UnOp, IrType, string)"/>
    string Call(BinOp kind, IrType result, string left, string right);

    /// <inheritdoc cref="Call(UnOp, IrType, string)"/>
    string Call(TernOp kind, IrType result, string a, string b, string c);

    /// <summary>The expression reading <c>buffer[index]</c>.</summary>
    string Load(string buffer, string index);

    /// <summary>The expression giving a buffer's length.</summary>
    string Length(string buffer);

    /// <summary>The statement writing (or adding to) <c>buffer[index]</c>.</summary>
    string Store(string buffer, string index, string value, bool accumulate);

    /// <summary>The statement declaring a new zeroed buffer <paramref name="name"/> of type <paramref name="type"/>.</summary>
    string Alloc(IrType type, string name, string length);

    /// <summary>The statement zeroing a buffer.</summary>
    string Clear(string buffer);

    /// <summary>
    /// The statement saving a value of type <paramref name="t"/> on tape <paramref name="level"/>; <paramref name="reserved"/>
    /// when <see cref="ReserveLoop"/> made room for it before its loop.
    /// </summary>
    string Push(IrType t, int level, string value, bool reserved);

    /// <summary>
    /// The statement making room on tape <paramref name="level"/> for a loop's pushes of type <paramref name="t"/>
    /// (<paramref name="perIteration"/> per iteration, the loop's start, bound, step and test given), for the pushes of
    /// the <paramref name="later"/> loops that follow it, and for <paramref name="after"/> more pushed in straight-line
    /// code among and after them, or null when this target's pushes check their room themselves.
    /// </summary>
    string? ReserveLoop(IrType t, int level, int perIteration, int after, string start, string bound, int step, LoopCmp cmp,
        IReadOnlyList<TapeRun> later, int alike = 0);

    /// <summary>The expression taking the last value of type <paramref name="t"/> back from tape <paramref name="level"/>.</summary>
    string Pop(IrType t, int level);

    /// <summary>The printer of element-wise loops run a vector at a time (<see cref="SimdLoop"/>), or null for none.</summary>
    CpuVector? Lanes { get; }

    /// <summary>The items-in-lanes printer when this target runs W items at once (<see cref="CpuLanes"/>), else null.</summary>
    CpuLanes? ItemLanes { get; }

    /// <summary>Which loop results are copied out of registers after their loop (empty where it does not pay).</summary>
    ParkingPlan PlanParking(Region body);

    /// <summary>Reserves the names of the locals the prologue declares (tapes, pools), before the body is named.</summary>
    void Reserve(NameScope names, EmitPlan plan);

    /// <summary>Statements before the body: tapes, pools, parking slots.</summary>
    void Prologue(IndentedWriter w, EmitPlan plan);

    /// <summary>Statements after the body and before the results are handed back: returns to the pools.</summary>
    void Epilogue(IndentedWriter w, EmitPlan plan);
}

/// <summary>
/// A later loop covered by a reservation made before an earlier one: <paramref name="PerIteration"/> elements pushed per
/// iteration of <c>for (i = Start; i CMP Bound; i += Step)</c> (a jammed loop and its remainder count as the loop they
/// were made from: <paramref name="Jammed"/>); <paramref name="Index"/> names the index for the comment.
/// </summary>
internal sealed record TapeRun(int PerIteration, string Start, string Bound, int Step, LoopCmp Cmp, string Index, bool Jammed);
