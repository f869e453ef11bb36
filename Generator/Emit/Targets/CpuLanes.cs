using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Lanes;

namespace Dsl.Generator.Emit.Targets;

/// <summary>
/// W items of a batch in the W lanes of a <c>Vector256</c> (8 floats or 4 doubles): a kernel launcher's CPU path runs a
/// function once per block of W items instead of once per item. The uniformity analysis (<see cref="Uniformity"/>) says
/// which values differ between items: those print as vectors, every other value stays one scalar for the block, so a
/// weight is loaded once for W items and broadcast where it meets a per-item value. Per-item buffers hold one vector
/// per element (element k of W rows), per-item comparisons are masks, branches on them are selects (or, around stores
/// and calls, run when every lane agrees: <c>Dsl.Lanes.Uniform</c>), per-item values go on the tape W at a time.
/// Math primitives print as the kernel prints them (<see cref="IlgpuKernel"/>: hardware instructions or
/// <c>Dsl.PortableMath</c>), lane-wise through <c>Dsl.PortableMathVector</c> where it has them (bit for bit the same per
/// lane), else lane by lane: each lane computes exactly what one item's kernel code computes.
/// One instance per function printed (it carries that function's verdict).
/// </summary>
internal sealed class CpuLanes : ITarget
{
    public const string VectorTypeRef = "global::System.Runtime.Intrinsics.Vector256";
    public const string LanesTypeRef = "global::Dsl.Lanes";
    public const string PortableVectorTypeRef = "global::Dsl.PortableMathVector";

    /// <summary>The functions <c>Dsl.PortableMathVector</c> computes lane-wise (float and double).</summary>
    private static readonly HashSet<string> PortableVector = new(StringComparer.Ordinal)
    {
        "Atan", "Atan2", "Cos", "Cosh", "Exp", "Log", "Log10", "Log2", "Pow", "Sin", "Sinh", "Tan", "Tanh",
    };

    private readonly LaneVerdict _verdict;
    private readonly Func<FunctionKey, string, string> _callee;

    /// <param name="verdict">The function's analysis under the mask it is printed for.</param>
    /// <param name="elem">The lanes' float kind (float: 8 lanes, int masks; double: 4 lanes, long masks).</param>
    /// <param name="callee">The name of a callee's lanes method for a mask.</param>
    public CpuLanes(LaneVerdict verdict, ScalarKind elem, Func<FunctionKey, string, string> callee)
    {
        _verdict = verdict;
        Elem = elem;
        _callee = callee;
    }

    /// <summary>The lanes' float kind.</summary>
    public ScalarKind Elem { get; }

    /// <summary>The number of lanes.</summary>
    public int Width => Elem == ScalarKind.F32 ? 8 : 4;

    private string IntLane => Elem == ScalarKind.F32 ? "int" : "long";

    private string FloatLane => Elem == ScalarKind.F32 ? "float" : "double";

    /// <summary>True for a value that holds one element per item (a vector, or a buffer of vectors).</summary>
    public bool Varies(Value v) => _verdict.IsVarying(v);

    /// <summary>True when values of <paramref name="kind"/> go on the tape per item (W at a time).</summary>
    public bool TapesLanes(ScalarKind kind) => _verdict.TapeKinds.Contains(kind);

    /// <summary>The name of the lanes method a call runs, for its arguments' uniformity.</summary>
    public string CalleeName(CallOp c) => _callee(c.Callee, LanePlan.Mask(c.Args.Select(Varies)));

    /// <summary>The vector type of one per-item scalar of kind <paramref name="k"/>.</summary>
    public string VectorType(ScalarKind k) => $"{VectorTypeRef}<{(k == ScalarKind.F32 || k == ScalarKind.F64 ? FloatLane : IntLane)}>";

    /// <summary>The C# type of a value: its scalar type when uniform, vectors (or a span of them) when per item.</summary>
    public string LocalType(Value v) => TypeOf(v.Type, Varies(v));

    public string TypeOf(IrType t, bool varying)
    {
        if (!varying) return Type(t);
        var vector = VectorType(t.Elem);
        if (!t.IsBuffer) return vector;
        return t.Buffer switch
        {
            BufferKind.Heap or BufferKind.Array => vector + "[]",
            BufferKind.ReadOnlySpan => CpuScalar.ReadOnlySpanTypeRef + "<" + vector + ">",
            _ => CpuScalar.SpanTypeRef + "<" + vector + ">",
        };
    }

    /// <summary>A uniform scalar expression of type <paramref name="t"/> in every lane.</summary>
    public string Broadcast(string scalar, IrType t) => t.Elem switch
    {
        ScalarKind.Bool => $"{LanesTypeRef}.Mask{(Elem == ScalarKind.F32 ? "32" : "64")}({scalar})",
        ScalarKind.I32 when Elem == ScalarKind.F64 => $"{VectorTypeRef}.Create((long)({scalar}))",
        _ => $"{VectorTypeRef}.Create({scalar})",
    };

    // ---- the per-item forms of ops ----

    /// <summary>The vector expression of an op whose result differs between items (operands printed by <paramref name="p"/>).</summary>
    public string Render(Op op, ExprPrinter p)
    {
        switch (op)
        {
            case LoadOp l:
                // A per-item buffer at a shared index is one vector; a per-item index gathers lane by lane.
                return Varies(l.Index) ? $"{LanesTypeRef}.Gather({p.Name(l.Buffer)}, {p.Expr(l.Index)})"
                    : $"{p.Name(l.Buffer)}[{At(p.Expr(l.Index))}]";
            case UnaryOp u:
                return Unary(u, p);
            case BinaryOp b:
                return Binary(b, p);
            case TernaryOp t:
                return t.Kind == TernOp.FusedMultiplyAdd
                    ? $"{VectorTypeRef}.FusedMultiplyAdd({p.LaneExpr(t.A)}, {p.LaneExpr(t.B)}, {p.LaneExpr(t.C)})"
                    : PerLane(Primitives.Of(t.Kind), t.Result.Type, p.LaneExpr(t.A), p.LaneExpr(t.B), p.LaneExpr(t.C));
            case SelectOp s:
                if (!Varies(s.Cond)) return $"{p.Expr(s.Cond, 7)} ? {p.LaneExpr(s.IfTrue)} : {p.LaneExpr(s.IfFalse)}";
                return $"{VectorTypeRef}.ConditionalSelect({MaskAs(p.Expr(s.Cond, 0), s.Result.Type)}, " +
                    $"{p.LaneExpr(s.IfTrue)}, {p.LaneExpr(s.IfFalse)})";
            default:
                throw new InvalidOperationException("no per-item form: " + op.GetType().Name);
        }
    }

    /// <summary>A per-item load that reads only the lanes <paramref name="mask"/> takes (0 in the others).</summary>
    public string GatherWhere(LoadOp load, string mask, ExprPrinter p) =>
        $"{LanesTypeRef}.GatherWhere({p.Name(load.Buffer)}, {p.Expr(load.Index)}, {mask})";

    /// <summary>Lane l: <paramref name="a"/>'s where the mask is set, else <paramref name="b"/>'s.</summary>
    public string Select(string mask, string a, string b, IrType t) => $"{VectorTypeRef}.ConditionalSelect({MaskAs(mask, t)}, {a}, {b})";

    /// <summary>A mask (int lanes) as the lanes of a select of type <paramref name="t"/>.</summary>
    private string MaskAs(string mask, IrType t) =>
        t.IsFloat ? $"{VectorTypeRef}.{(Elem == ScalarKind.F32 ? "AsSingle" : "AsDouble")}({mask})" : mask;

    private string Unary(UnaryOp u, ExprPrinter p)
    {
        var x = p.LaneExpr(u.Operand);
        var from = u.Operand.Type.Elem;
        var to = u.Result.Type.Elem;
        switch (u.Kind)
        {
            case UnOp.Neg:
                return "-" + p.Expr(u.Operand, 0);
            case UnOp.Not:
                return "~" + p.Expr(u.Operand, 0);
            case UnOp.Convert:
                if (from == to) return x;
                // A mask lane is −1 (true) or 0: its negation is C#'s (int)b.
                var integer = from == ScalarKind.Bool ? $"-{p.Expr(u.Operand, 0)}" : x;
                if (to == ScalarKind.F32) return $"{VectorTypeRef}.ConvertToSingle({integer})";
                if (to == ScalarKind.F64) return $"{VectorTypeRef}.ConvertToDouble({integer})";
                if (from == ScalarKind.Bool) return integer;
                return $"{VectorTypeRef}.ConvertToInt{(Elem == ScalarKind.F32 ? "32" : "64")}({x})";
            case UnOp.Sign:
                return $"{LanesTypeRef}.Sign({x})";
        }
        var row = Primitives.Of(u.Kind);
        if (row.Kernel == KernelMath.Hardware && u.Kind is UnOp.Sqrt or UnOp.Abs or UnOp.Floor or UnOp.Ceiling)
            return $"{VectorTypeRef}.{(u.Kind == UnOp.Sqrt ? "Sqrt" : row.ClrName)}({x})";
        return PerLane(row, u.Result.Type, x);
    }

    private string Binary(BinaryOp b, ExprPrinter p)
    {
        var row = Primitives.Of(b.Kind);
        var operand = b.Left.Type.Elem;
        if (row.Compares)
        {
            string l = p.LaneExpr(b.Left), r = p.LaneExpr(b.Right);
            if (operand == ScalarKind.Bool)
                return b.Kind == BinOp.Eq ? $"~({l} ^ {r})" : $"({l} ^ {r})";
            var name = b.Kind switch
            {
                BinOp.Lt => "LessThan", BinOp.Le => "LessThanOrEqual", BinOp.Gt => "GreaterThan", BinOp.Ge => "GreaterThanOrEqual",
                _ => "Equals",
            };
            var mask = $"{VectorTypeRef}.{name}({l}, {r})";
            if (b.Left.Type.IsFloat) mask = $"{VectorTypeRef}.{(Elem == ScalarKind.F32 ? "AsInt32" : "AsInt64")}({mask})";
            return b.Kind == BinOp.Ne ? "~" + mask : mask;
        }
        switch (b.Kind)
        {
            case BinOp.Add or BinOp.Sub or BinOp.Mul:
            case BinOp.Div when b.Result.Type.IsFloat:
            case BinOp.And or BinOp.Or:
            {
                var level = row.Precedence;
                return $"{p.LaneOperand(b.Left, level)} {(b.Kind == BinOp.And ? "&" : b.Kind == BinOp.Or ? "|" : row.Symbol)} " +
                    p.LaneOperand(b.Right, level - 1);
            }
            case BinOp.Max or BinOp.Min when b.Result.Type.IsFloat:
                return $"{LanesTypeRef}.{row.ClrName}({p.LaneExpr(b.Left)}, {p.LaneExpr(b.Right)})";
            case BinOp.Max or BinOp.Min:
                return $"{VectorTypeRef}.{row.ClrName}({p.LaneExpr(b.Left)}, {p.LaneExpr(b.Right)})";
            case BinOp.Div or BinOp.Rem:
            {
                var t = b.Result.Type.IsFloat ? FloatLane : IntLane;
                var sym = b.Kind == BinOp.Div ? "/" : "%";
                return $"{LanesTypeRef}.Map({p.LaneExpr(b.Left)}, {p.LaneExpr(b.Right)}, static ({t} a, {t} b) => a {sym} b)";
            }
            default:
                return PerLane(row, b.Result.Type, p.LaneExpr(b.Left), p.LaneExpr(b.Right));
        }
    }

    /// <summary>
    /// A math function on vectors: <c>PortableMathVector</c>'s lane-wise version where the kernel prints PortableMath and
    /// it has one; otherwise the kernel's scalar function lane by lane.
    /// </summary>
    private string PerLane(Primitive row, IrType result, params string[] args)
    {
        if (row.Kernel != KernelMath.Hardware && row.ClrName is { } name && PortableVector.Contains(name))
            return $"{PortableVectorTypeRef}.{row.ClrName}({string.Join(", ", args)})";
        var t = FloatLane;
        var names = new[] { "a", "b", "c" }.Take(args.Length).ToList();
        var scalarCall = row.Kernel == KernelMath.Hardware || row.Kernel == KernelMath.Refused
            ? (row.FloatOnMath || result.Elem != ScalarKind.F32 ? CpuScalar.MathTypeRef : CpuScalar.MathFTypeRef) + "." + row.ClrName
            : IlgpuKernel.PortableMathTypeRef + "." + row.ClrName;
        var lambda = $"static ({string.Join(", ", names.Select(n => t + " " + n))}) => {scalarCall}({string.Join(", ", names)})";
        return $"{LanesTypeRef}.Map({string.Join(", ", args)}, {lambda})";
    }

    // ---- statements ----

    /// <summary>A store into a per-item buffer (the value broadcast when it is shared).</summary>
    public string Store(string buffer, string index, string vector, bool accumulate) =>
        $"{buffer}[{At(index)}] {(accumulate ? "+=" : "=")} {vector};";

    /// <summary>The slot of element <paramref name="index"/> in a lane buffer (<c>Dsl.Lanes.At</c>: padded against 4K aliasing).</summary>
    private static string At(string index) => $"{LanesTypeRef}.At({index})";

    /// <summary>The element count of a lane buffer (its slots include padding: <c>Dsl.Lanes.Logical</c>).</summary>
    public string LengthLanes(string buffer) => $"{LanesTypeRef}.Logical({buffer}.Length)";

    /// <summary>A store at a per-item index: lane l writes (or adds to) lane l of element index[l].</summary>
    public string Scatter(string buffer, string index, string vector, bool accumulate) =>
        $"{LanesTypeRef}.{(accumulate ? "ScatterAdd" : "Scatter")}({buffer}, {index}, {vector});";

    /// <summary>A per-item buffer: one zeroed vector per element.</summary>
    public string AllocLanes(IrType type, string name, string length)
    {
        var vector = VectorType(type.Elem);
        return type.Buffer switch
        {
            BufferKind.Stack => $"{CpuScalar.SpanTypeRef}<{vector}> {name} = stackalloc {vector}[{LanesTypeRef}.Padded({length})];",
            BufferKind.Scratch => $"{CpuScalar.SpanTypeRef}<{vector}> {name} = " +
                $"{LanesTypeRef}.{(Elem == ScalarKind.F32 ? "Singles" : "Doubles")}({ScratchName}, {length});",
            _ => $"{vector}[] {name} = new {vector}[{LanesTypeRef}.Padded({length})];",
        };
    }

    /// <summary>Takes the last lanes of a kind back from the tape.</summary>
    public string PopLanes(IrType t, int level)
    {
        var (kind, width) = LaneSlot(t);
        var (stack, count) = (CpuScalar.Stack(level, kind), CpuScalar.Count(level, kind));
        var load = kind switch { ScalarKind.F32 => "LoadSingles", ScalarKind.F64 => "LoadDoubles", _ => "LoadInt32s" };
        var taken = $"{LanesTypeRef}.{load}({stack}, {count} -= {width})";
        return t.Elem is ScalarKind.F32 or ScalarKind.F64 || kind != ScalarKind.F64 ? taken : $"{VectorTypeRef}.AsInt64({taken})";
    }

    /// <summary>The condition of a branch whose arms write memory or call: the side every lane takes (or the block
    /// runs per item).</summary>
    public string Uniform(string mask) => $"{LanesTypeRef}.Uniform({mask})";

    // ---- ITarget: the uniform (scalar) part, as the kernel prints it, with the CPU's buffers and pools ----

    private const string ScratchName = "__scratch";

    public CpuLanes? ItemLanes => this;

    public Function Legalize(Function fn) => fn;

    public string Type(IrType t) => CpuScalar.Instance.Type(t);

    public string Literal(double x, IrType t) => CpuScalar.Instance.Literal(x, t);

    public string Call(UnOp kind, IrType result, string operand) => IlgpuKernel.Instance.Call(kind, result, operand);

    public string Call(BinOp kind, IrType result, string left, string right) => IlgpuKernel.Instance.Call(kind, result, left, right);

    public string Call(TernOp kind, IrType result, string a, string b, string c) =>
        kind == TernOp.FusedMultiplyAdd ? CpuScalar.Instance.Call(kind, result, a, b, c) : IlgpuKernel.Instance.Call(kind, result, a, b, c);

    public string Load(string buffer, string index) => CpuScalar.Instance.Load(buffer, index);

    public string Length(string buffer) => CpuScalar.Instance.Length(buffer);

    string ITarget.Store(string buffer, string index, string value, bool accumulate) =>
        CpuScalar.Instance.Store(buffer, index, value, accumulate);

    public string Alloc(IrType type, string name, string length) => CpuScalar.Instance.Alloc(type, name, length);

    public string Clear(string buffer) => CpuScalar.Instance.Clear(buffer);

    // The tape's stacks in locals, as in scalar code (CpuScalar.Push); a per-item value's lanes take a vector's width.
    public string Push(IrType t, int level, string value, bool reserved) => CpuScalar.Instance.Push(t, level, value, reserved);

    public string? ReserveLoop(IrType t, int level, int perIteration, int after, string start, string bound, int step, LoopCmp cmp,
        IReadOnlyList<TapeRun> later, int alike = 0) =>
        CpuScalar.Instance.ReserveLoop(t, level, perIteration, after, start, bound, step, cmp, later, alike);

    public string Pop(IrType t, int level) => CpuScalar.Instance.Pop(t, level);

    /// <summary>
    /// Where a per-item value of type <paramref name="t"/> goes on the tape: the stack (floats, doubles; int lanes beside
    /// float lanes on the ints, beside double lanes as longs on the doubles) and how many of its elements one push takes.
    /// </summary>
    public (ScalarKind Stack, int Elements) LaneSlot(IrType t) => t.Elem switch
    {
        ScalarKind.F32 => (ScalarKind.F32, 8),
        ScalarKind.F64 => (ScalarKind.F64, 4),
        _ => Elem == ScalarKind.F32 ? (ScalarKind.I32, 8) : (ScalarKind.F64, 4),
    };

    /// <summary>The statement saving a per-item value's lanes on tape <paramref name="level"/> (see <see cref="LaneSlot"/>).</summary>
    public string PushLanes(IrType t, int level, string value, bool reserved)
    {
        var (kind, width) = LaneSlot(t);
        var (stack, count) = (CpuScalar.Stack(level, kind), CpuScalar.Count(level, kind));
        var lanes = t.Elem is ScalarKind.F32 or ScalarKind.F64 || kind != ScalarKind.F64 ? value : $"{VectorTypeRef}.AsDouble({value})";
        var save = $"{LanesTypeRef}.Save({stack}, {count}, {lanes}); {count} += {width};";
        return reserved ? save : $"if ({count} + {width} > {stack}.Length) {stack} = {Tape(level)}.Grow({stack}); {save}";
    }

    public CpuVector? Lanes => null;

    public ParkingPlan PlanParking(Region body) => ParkingPlan.None;

    public void Reserve(NameScope names, EmitPlan plan) => CpuScalar.Instance.Reserve(names, plan, AllStacks(plan));

    public void Prologue(IndentedWriter w, EmitPlan plan) => CpuScalar.Instance.Prologue(w, plan, AllStacks(plan));

    public void Epilogue(IndentedWriter w, EmitPlan plan) => CpuScalar.Instance.Epilogue(w, plan);

    /// <summary>Every typed stack of every tape the body uses: a lane push may land on another stack than its type's.</summary>
    private static IEnumerable<(int Level, ScalarKind Elem)> AllStacks(EmitPlan plan) =>
        plan.TapeLevels.SelectMany(l => new[] { ScalarKind.F64, ScalarKind.F32, ScalarKind.I32 }.Select(k => (l, k)));

    private static string Tape(int level) => level == 0 ? "__tape" : "__tape" + level;
}
