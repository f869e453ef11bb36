using System.Collections.Generic;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Legalize;

namespace Dsl.Generator.Emit.Targets;

/// <summary>
/// C# that ILGPU compiles into a kernel (used only by <c>[Kernel]</c> requests): every buffer is an
/// <c>ILGPU.ArrayView&lt;T&gt;</c>, a local buffer is per-thread <c>LocalMemory</c> of a constant
/// size, zeroed by a loop, or, of a run-time size, a view of the item's <c>Dsl.KernelScratch</c>; the
/// tape is the item's <c>Dsl.KernelTape</c>, a parameter of every helper that reaches it (as the
/// scratch is: <see cref="KernelTapeThreading"/>); no exceptions, no SIMD, no pools, no tape
/// levels above 0 (<see cref="KernelLegality"/> refuses functions that need them before anything is
/// printed), no register parking (ptxas allocates registers). Math primitives that ILGPU maps to one exact instruction print as
/// <c>Math</c>/<c>MathF</c>; every other one as <c>Dsl.PortableMath</c>, the same on every machine.
/// </summary>
internal sealed class IlgpuKernel : ITarget
{
    public const string ArrayViewTypeRef = "global::ILGPU.ArrayView";
    public const string Index1DTypeRef = "global::ILGPU.Index1D";
    public const string LocalMemoryTypeRef = "global::ILGPU.LocalMemory";
    public const string PortableMathTypeRef = "global::Dsl.PortableMath";
    public const string KernelTapeTypeRef = "global::Dsl.KernelTape";
    public const string KernelScratchTypeRef = "global::Dsl.KernelScratch";

    public static readonly IlgpuKernel Instance = new();

    private IlgpuKernel() { }

    public Function Legalize(Function fn) => Legalizers.None(fn);

    public string Type(IrType t)
    {
        var e = Elem(t.Elem);
        return t.IsBuffer ? ArrayViewTypeRef + "<" + e + ">" : e;
    }

    private static string Elem(ScalarKind k) =>
        k switch { ScalarKind.F32 => "float", ScalarKind.F64 => "double", ScalarKind.I32 => "int", _ => "bool" };

    // Literals are the CPU target's: the same constants, so the same results.
    public string Literal(double x, IrType t) => CpuScalar.Instance.Literal(x, t);

    public string Call(UnOp kind, IrType result, string operand) => $"{MathName(Primitives.Of(kind), result)}({operand})";

    public string Call(BinOp kind, IrType result, string left, string right) =>
        $"{MathName(Primitives.Of(kind), result)}({left}, {right})";

    public string Call(TernOp kind, IrType result, string a, string b, string c) =>
        $"{MathName(Primitives.Of(kind), result)}({a}, {b}, {c})";

    /// <summary>The row's kernel mapping (<see cref="Primitive.Kernel"/>): the CPU's name, or PortableMath's.</summary>
    private static string MathName(Primitive row, IrType result)
    {
        if (row.Kernel != KernelMath.Hardware) return PortableMathTypeRef + "." + row.ClrName;
        return (row.FloatOnMath || result.Elem != ScalarKind.F32 ? CpuScalar.MathTypeRef : CpuScalar.MathFTypeRef) + "." + row.ClrName;
    }

    public string Load(string buffer, string index) => $"{buffer}[{index}]";

    // ArrayView lengths are longs; the IR's indices are ints (rows are far below 2^31 elements).
    public string Length(string buffer) => "(int)" + buffer + ".Length";

    public string Store(string buffer, string index, string value, bool accumulate) =>
        $"{buffer}[{index}] {(accumulate ? "+=" : "=")} {value};";

    /// <summary>
    /// Per-thread local memory for a constant length, which ILGPU requires; the item's
    /// <c>Dsl.KernelScratch</c> (zeroed there) otherwise. Local memory is not zeroed, while stackalloc and new are, so
    /// a loop zeroes it.
    /// </summary>
    public string Alloc(IrType type, string name, string length)
    {
        // A run-time length comes from the item's scratch (a constant prints as a literal).
        if (!int.TryParse(length, out _))
            return $"var {name} = {KernelTapeThreading.ScratchName}.{(type.Elem == ScalarKind.F32 ? "Singles" : "Doubles")}({length});";
        var elem = Elem(type.Elem);
        return $"var {name} = {LocalMemoryTypeRef}.Allocate1D<{elem}>({length}); {ZeroLoop(name, length, elem)}";
    }

    private static string ZeroLoop(string name, string length, string elem) =>
        $"for (int {name}_z = 0; {name}_z < {length}; {name}_z++) {name}[{name}_z] = default({elem});";

    // ArrayView has no Clear that runs inside a kernel.
    public string Clear(string buffer) =>
        $"for (int {buffer}_z = 0; {buffer}_z < (int){buffer}.Length; {buffer}_z++) {buffer}[{buffer}_z] = default;";

    // Level 0 only (KernelLegality refuses the others); the calls are the CPU tape's, on the helper's
    // KernelTape parameter.
    public string Push(IrType t, int level, string value, bool reserved) => $"{KernelTapeThreading.TapeName}.Push({value});";

    public string? ReserveLoop(IrType t, int level, int perIteration, int after, string start, string bound, int step, LoopCmp cmp,
        IReadOnlyList<TapeRun> later, int alike = 0) => null;

    public string Pop(IrType t, int level)
    {
        var kind = t.Elem switch { ScalarKind.F32 => "Single", ScalarKind.F64 => "Double", ScalarKind.I32 => "Int32", _ => "Boolean" };
        return $"{KernelTapeThreading.TapeName}.Pop{kind}()";
    }

    public CpuVector? Lanes => null;

    public CpuLanes? ItemLanes => null;

    public ParkingPlan PlanParking(Region body) => ParkingPlan.None;

    public void Reserve(NameScope names, EmitPlan plan)
    {
        if (plan.TapeLevels.Count > 0) names.Reserve(KernelTapeThreading.TapeName);
        names.Reserve(KernelTapeThreading.ScratchName);
    }

    public void Prologue(IndentedWriter w, EmitPlan plan) { }

    public void Epilogue(IndentedWriter w, EmitPlan plan) { }

}
