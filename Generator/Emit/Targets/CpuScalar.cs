using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Legalize;

namespace Dsl.Generator.Emit.Targets;

/// <summary>
/// Scalar C# for the CPU (today's output): <c>Math</c>/<c>MathF</c> calls, <c>Span&lt;T&gt;</c>
/// buffers, <c>stackalloc</c>, the pooled <c>Dsl.Tape</c> and <c>Dsl.Scratch</c>, and x64
/// register parking of loop results.
/// </summary>
internal sealed class CpuScalar : ITarget
{
    // Every runtime type the generated code names, in one place.
    public const string TapeTypeRef = "global::Dsl.Tape";
    public const string ScratchTypeRef = "global::Dsl.Scratch";
    public const string MathTypeRef = "global::System.Math";
    public const string MathFTypeRef = "global::System.MathF";
    public const string SpanTypeRef = "global::System.Span";
    public const string ReadOnlySpanTypeRef = "global::System.ReadOnlySpan";
    public const string GeneratedCodeTypeRef = "global::System.CodeDom.Compiler.GeneratedCode";

    // Locals the prologue declares.
    private const string TapeName = "__tape";
    private const string ScratchName = "__scratch";
    private const string ParkedFloats = "__parkedF";
    private const string ParkedDoubles = "__parkedD";

    /// <summary>The target. Each tape's typed stacks and their counts are held in locals (see <c>Dsl.Tape.DoubleStack</c>).</summary>
    public static readonly CpuScalar Instance = new();

    private CpuScalar() { }

    /// <summary>
    /// Primitives the JIT expands inline (no call, so no registers are clobbered); the one list
    /// that <see cref="RegisterParking"/> reads.
    /// </summary>
    public static bool JitExpandsInline(Op primitive) => primitive switch
    {
        UnaryOp or BinaryOp or TernaryOp => Primitives.Of(primitive)!.Inline,
        _ => false,
    };

    /// <summary>
    /// Loop-invariant elements of local buffers carried as locals (<see cref="ScalarReplacement"/>), then dot-product
    /// loops run four rows at a time (<see cref="Transforms.Lanes.UnrollAndJam.RunScalar"/>: four independent chains of
    /// additions instead of one, the same bits), then the loop-invariant parts of int index sums computed before their
    /// loops (<see cref="IndexSums"/>).
    /// </summary>
    public Function Legalize(Function fn) => IndexSums.Run(Transforms.Lanes.UnrollAndJam.RunScalar(ScalarReplacement.Run(fn)));

    public string Type(IrType t)
    {
        var e = t.Elem switch { ScalarKind.F32 => "float", ScalarKind.F64 => "double", ScalarKind.I32 => "int", _ => "bool" };
        if (!t.IsBuffer) return e;
        return t.Buffer switch
        {
            BufferKind.Heap or BufferKind.Array => e + "[]",
            BufferKind.ReadOnlySpan => ReadOnlySpanTypeRef + "<" + e + ">",
            _ => SpanTypeRef + "<" + e + ">",
        };
    }

    public string Literal(double x, IrType t)
    {
        switch (t.Elem)
        {
            case ScalarKind.Bool:
                return x != 0 ? "true" : "false";
            case ScalarKind.I32:
                return ((int)x).ToString(CultureInfo.InvariantCulture);
            case ScalarKind.F32:
            {
                var f = (float)x;
                if (float.IsNaN(f)) return "float.NaN";
                if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
                if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
                return f.ToString("R", CultureInfo.InvariantCulture) + "f";
            }
            default:
            {
                if (double.IsNaN(x)) return "double.NaN";
                if (double.IsPositiveInfinity(x)) return "double.PositiveInfinity";
                if (double.IsNegativeInfinity(x)) return "double.NegativeInfinity";
                var s = x.ToString("R", CultureInfo.InvariantCulture);
                return s.Contains(".") || s.Contains("E") ? s : s + ".0";
            }
        }
    }

    // Method names come from the primitives table (Primitive.ClrName).
    public string Call(UnOp kind, IrType result, string operand) => $"{MathName(Primitives.Of(kind), result)}({operand})";

    public string Call(BinOp kind, IrType result, string left, string right) =>
        $"{MathName(Primitives.Of(kind), result)}({left}, {right})";

    public string Call(TernOp kind, IrType result, string a, string b, string c) =>
        $"{MathName(Primitives.Of(kind), result)}({a}, {b}, {c})";

    /// <summary><c>Math.X</c> or <c>MathF.X</c>; a row whose float overload lives on Math (Clamp) says so.</summary>
    private static string MathName(Primitive row, IrType result) =>
        (row.FloatOnMath || result.Elem != ScalarKind.F32 ? MathTypeRef : MathFTypeRef) + "." + row.ClrName;

    public string Load(string buffer, string index) => $"{buffer}[{index}]";

    public string Length(string buffer) => buffer + ".Length";

    public string Store(string buffer, string index, string value, bool accumulate) =>
        $"{buffer}[{index}] {(accumulate ? "+=" : "=")} {value};";

    public string Alloc(IrType type, string name, string length)
    {
        var elem = Type(type.ElementType);
        return type.Buffer switch
        {
            BufferKind.Stack => $"{SpanTypeRef}<{elem}> {name} = stackalloc {elem}[{length}];",
            BufferKind.Scratch => $"{SpanTypeRef}<{elem}> {name} = {ScratchName}.{ScratchTake(type.Elem)}({length});",
            _ => $"{elem}[] {name} = new {elem}[{length}];",
        };
    }

    private static string ScratchTake(ScalarKind elem) => elem == ScalarKind.F32 ? "Singles" : "Doubles";

    public string Clear(string buffer) => buffer + ".Clear();";

    public string Push(IrType t, int level, string value, bool reserved)
    {
        var (stack, count) = (Stack(level, t.Elem), Count(level, t.Elem));
        // A bool goes on the ints as 0 or 1 (an expression in parentheses: it may itself be a conditional).
        if (t.Elem == ScalarKind.Bool) value = (value.All(c => char.IsLetterOrDigit(c) || c == '_') ? value : $"({value})") + " ? 1 : 0";
        var save = $"{stack}[{count}++] = {value};";
        return reserved ? save : $"if ({count} == {stack}.Length) {stack} = {Tape(level)}.Grow({stack}); {save}";
    }

    public string? ReserveLoop(IrType t, int level, int perIteration, int after, string start, string bound, int step, LoopCmp cmp,
        IReadOnlyList<TapeRun> later, int alike = 0)
    {
        var (stack, count) = (Stack(level, t.Elem), Count(level, t.Elem));
        static string Inclusive(LoopCmp c) => c is LoopCmp.Le or LoopCmp.Ge ? "true" : "false";
        var kind = t.Elem switch { ScalarKind.F64 => "double", ScalarKind.F32 => "float", _ => "int" };
        string Values(int n) => n == 1 ? "1 " + kind : $"{n} {kind}s";
        var what = perIteration == 0 ? $"the {Values(after)} saved after the loop"
            : $"the {Values(perIteration)} " + (alike == 0 ? "the loop saves per iteration"
                : $"per iteration of the loop and of the {(alike == 1 ? "loop" : alike + " loops")} after it over the same range")
                + (after > 0 && later.Count == 0 ? $" and the {Values(after)} after it" : "");
        var room = after.ToString(CultureInfo.InvariantCulture);
        if (later.Count > 0)
        {
            // The loops after it (a jammed loop and its remainder as one): Tape.Room(per iteration, start, bound, step,
            // inclusive) each, added to what is pushed between and after them.
            room = string.Join(" + ", later.Select(l =>
                $"global::Dsl.Tape.Room({l.PerIteration}, {l.Start}, {l.Bound}, {l.Step}, {Inclusive(l.Cmp)})"));
            if (after > 0) room = after.ToString(CultureInfo.InvariantCulture) + " + " + room;
            what += ", then " + string.Join(", ", later.Select(l => $"{Values(l.PerIteration)} per {l.Index}"
                + (l.Jammed ? " (its jammed loop and the rest)" : ""))) + (after > 0 ? $" and {Values(after)} more" : "");
        }
        return $"{stack} = {Tape(level)}.Reserve({stack}, {count}, {perIteration}, {room}, {start}, {bound}, {step}, {Inclusive(cmp)}); " +
            $"// room for {what}";
    }

    public string Pop(IrType t, int level)
    {
        var taken = $"{Stack(level, t.Elem)}[--{Count(level, t.Elem)}]";
        return t.Elem == ScalarKind.Bool ? taken + " != 0" : taken;
    }

    /// <summary>The local holding tape <paramref name="level"/>'s stack of <paramref name="elem"/> (bools on the ints).</summary>
    public static string Stack(int level, ScalarKind elem) => Tape(level) + StackSuffix(elem);

    /// <summary>The local counting that stack's elements.</summary>
    public static string Count(int level, ScalarKind elem) => Stack(level, elem) + "n";

    private static string StackSuffix(ScalarKind elem) => elem switch { ScalarKind.F64 => "D", ScalarKind.F32 => "F", _ => "I" };

    private static string StackProperty(ScalarKind elem) =>
        elem switch { ScalarKind.F64 => "DoubleStack", ScalarKind.F32 => "SingleStack", _ => "Int32Stack" };

    public CpuVector Lanes => CpuVector.Instance;

    public CpuLanes? ItemLanes => null;

    public ParkingPlan PlanParking(Region body) => RegisterParking.Plan(body, ParkedFloats, ParkedDoubles);

    public void Reserve(NameScope names, EmitPlan plan) => Reserve(names, plan, plan.TapeStacks);

    /// <summary>Reserves the tapes' names and those of the given stacks.</summary>
    public void Reserve(NameScope names, EmitPlan plan, IEnumerable<(int Level, ScalarKind Elem)> stacks)
    {
        foreach (var level in plan.TapeLevels) names.Reserve(Tape(level));
        foreach (var (level, elem) in stacks)
        {
            names.Reserve(Stack(level, elem));
            names.Reserve(Count(level, elem));
        }
        if (plan.UsesScratch) names.Reserve(ScratchName);
    }

    public void Prologue(IndentedWriter w, EmitPlan plan) => Prologue(w, plan, plan.TapeStacks);

    /// <summary>The prologue, declaring the given stacks of the tapes.</summary>
    public void Prologue(IndentedWriter w, EmitPlan plan, IEnumerable<(int Level, ScalarKind Elem)> stacks)
    {
        foreach (var level in plan.TapeLevels)
        {
            var what = level == 0 ? "values the reverse sweep reads, saved per loop iteration"
                : "tape " + level + ": reverse mode over code that itself uses the tapes below it";
            w.Line($"var {Tape(level)} = {TapeTypeRef}.Rent(); // {what}");
            foreach (var (l, elem) in stacks)
            {
                if (l != level) continue;
                var kind = elem switch { ScalarKind.F64 => "doubles", ScalarKind.F32 => "floats", _ => "ints" };
                w.Line($"var {Stack(level, elem)} = {Tape(level)}.{StackProperty(elem)}; int {Count(level, elem)} = 0; " +
                    $"// its stack of {kind}, held in locals");
            }
        }
        if (plan.UsesScratch) w.Line($"var {ScratchName} = {ScratchTypeRef}.Rent(); // pooled, zeroed jet buffers, returned at the end");
        const string why = "loop results parked across calls (see below)";
        if (plan.Parking.Floats > 0) w.Line($"{SpanTypeRef}<float> {ParkedFloats} = stackalloc float[{plan.Parking.Floats}]; // {why}");
        if (plan.Parking.Doubles > 0)
            w.Line($"{SpanTypeRef}<double> {ParkedDoubles} = stackalloc double[{plan.Parking.Doubles}]; // {why}");
    }

    public void Epilogue(IndentedWriter w, EmitPlan plan)
    {
        foreach (var level in plan.TapeLevels) w.Line($"{Tape(level)}.Release();");
        if (plan.UsesScratch) w.Line($"{ScratchName}.Release();");
    }

    private static string Tape(int level) => level == 0 ? TapeName : TapeName + level;
}
