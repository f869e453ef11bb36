using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>Scalar element kinds of the IR.</summary>
internal enum ScalarKind
{
    F32,
    F64,
    I32,
    Bool,
}

/// <summary>How a buffer value came to be; the emitter declares tangent/adjoint buffers alike.</summary>
internal enum BufferKind
{
    /// <summary>A <c>ReadOnlySpan&lt;T&gt;</c> parameter.</summary>
    ReadOnlySpan,
    /// <summary>A writable <c>Span&lt;T&gt;</c> parameter.</summary>
    Span,
    /// <summary>A <c>T[]</c> parameter (read only in the subset).</summary>
    Array,
    /// <summary>A local <c>stackalloc T[n]</c>.</summary>
    Stack,
    /// <summary>A local <c>new T[n]</c>.</summary>
    Heap,
    /// <summary>A local zeroed buffer taken from the per-thread <c>Dsl.Scratch</c> pool (generated operators' jets).</summary>
    Scratch,
}

/// <summary>
/// The type of an IR value: a scalar, or a buffer (span/array) of floating-point elements.
/// </summary>
internal sealed record IrType(ScalarKind Elem, bool IsBuffer, BufferKind Buffer = BufferKind.ReadOnlySpan)
{
    public static readonly IrType F32 = new(ScalarKind.F32, false);
    public static readonly IrType F64 = new(ScalarKind.F64, false);
    public static readonly IrType I32 = new(ScalarKind.I32, false);
    public static readonly IrType Bool = new(ScalarKind.Bool, false);

    public static IrType Scalar(ScalarKind k) => k switch
    {
        ScalarKind.F32 => F32,
        ScalarKind.F64 => F64,
        ScalarKind.I32 => I32,
        _ => Bool,
    };

    public static IrType Buf(ScalarKind elem, BufferKind kind) => new(elem, true, kind);

    public bool IsFloat => !IsBuffer && (Elem == ScalarKind.F32 || Elem == ScalarKind.F64);

    /// <summary>True for values that can carry a derivative: floats and buffers of floats.</summary>
    public bool IsDifferentiable => Elem == ScalarKind.F32 || Elem == ScalarKind.F64;

    public IrType ElementType => Scalar(Elem);

    public override string ToString()
    {
        var e = Elem switch { ScalarKind.F32 => "f32", ScalarKind.F64 => "f64", ScalarKind.I32 => "i32", _ => "bool" };
        if (!IsBuffer) return e;
        var k = Buffer switch
        {
            BufferKind.ReadOnlySpan => "rospan",
            BufferKind.Span => "span",
            BufferKind.Array => "array",
            BufferKind.Stack => "stack",
            BufferKind.Scratch => "scratch",
            _ => "heap",
        };
        return k + "<" + e + ">";
    }
}

/// <summary>An SSA value. <see cref="Name"/> is the source name it came from (for readable output).</summary>
internal sealed record Value(int Id, IrType Type, string Name)
{
    public override string ToString() => "%" + Id + "." + Name;
}

/// <summary>Unary operations. Math functions take one floating argument. Each has a row in <see cref="Primitives"/>.</summary>
internal enum UnOp
{
    Neg,
    Not,
    /// <summary>Conversion to the result's type (int→float, float↔double).</summary>
    Convert,
    Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh,
    Exp, Log, Log2, Log10, Sqrt, Cbrt, Abs, Sign, Floor, Ceiling, Round, Truncate,
}

/// <summary>Binary operations. Each has a row in <see cref="Primitives"/>.</summary>
internal enum BinOp
{
    Add, Sub, Mul, Div, Rem,
    Pow, Atan2, Max, Min,
    Lt, Le, Gt, Ge, Eq, Ne,
    And, Or,
}

/// <summary>Comparison used by a <see cref="ForOp"/> to test its induction variable against the bound.</summary>
internal enum LoopCmp
{
    Lt, Le, Gt, Ge,
}

/// <summary>A block of operations with arguments and the values it yields.</summary>
internal sealed record Region(EquatableArray<Value> Args, EquatableArray<Op> Ops, EquatableArray<Value> Yields);

/// <summary>Base of every operation.</summary>
internal abstract record Op
{
    /// <summary>Values this operation defines.</summary>
    public abstract IEnumerable<Value> Results { get; }

    /// <summary>Values this operation reads (not counting values read inside its regions).</summary>
    public abstract IEnumerable<Value> Operands { get; }

    /// <summary>Nested regions (loop body, branches).</summary>
    public virtual IEnumerable<Region> Regions => Enumerable.Empty<Region>();

    /// <summary>True when the op has no effect besides its results (can be CSE'd and removed when unused).
    /// <see cref="Effects"/> derives the passes' questions from it.</summary>
    public virtual bool IsPure => true;
}

/// <summary>
/// A constant. <paramref name="Symbolic"/> marks a zero that a transform introduced for an
/// absent derivative: it may annihilate products (0·x = 0, even for x = ∞), which a zero
/// written by the user must not (0·∞ is NaN in the primal).
/// </summary>
internal sealed record ConstOp(Value Result, double Number, bool Symbolic = false) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => Enumerable.Empty<Value>();
}

internal sealed record UnaryOp(Value Result, UnOp Kind, Value Operand) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Operand };
}

internal sealed record BinaryOp(Value Result, BinOp Kind, Value Left, Value Right) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Left, Right };
}

/// <summary>A three-operand primitive (<see cref="TernOp"/>; its row in <see cref="Primitives"/> holds its rules).</summary>
internal sealed record TernaryOp(Value Result, TernOp Kind, Value A, Value B, Value C) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { A, B, C };
}

/// <summary><c>cond ? a : b</c> with both sides already computed.</summary>
internal sealed record SelectOp(Value Result, Value Cond, Value IfTrue, Value IfFalse) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Cond, IfTrue, IfFalse };
}

/// <summary>Reads <c>buffer[index]</c>.</summary>
internal sealed record LoadOp(Value Result, Value Buffer, Value Index) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Buffer, Index };
    // A load reads memory that stores may change: never merged or moved across stores.
    public override bool IsPure => false;
}

/// <summary>Writes <c>buffer[index] = value</c> (or <c>+=</c> when <see cref="Accumulate"/>).</summary>
internal sealed record StoreOp(Value Buffer, Value Index, Value Stored, bool Accumulate = false) : Op
{
    public override IEnumerable<Value> Results => Enumerable.Empty<Value>();
    public override IEnumerable<Value> Operands => new[] { Buffer, Index, Stored };
    public override bool IsPure => false;
}

/// <summary><c>buffer.Length</c>.</summary>
internal sealed record LengthOp(Value Result, Value Buffer) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Buffer };
}

/// <summary>A new zeroed local buffer of the given length (kind in the result type).</summary>
internal sealed record AllocOp(Value Result, Value Length) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => new[] { Length };
    public override bool IsPure => false;
}

/// <summary>
/// A call of another IR function, by key. Scalar results come back as results; buffers are
/// passed by reference. With a <see cref="Rule"/> the callee is a method the generator does not
/// look into (a MathNet special function): the call runs it for the value, and the transforms take
/// its derivative from the rule (see <see cref="ExternRule"/>).
/// </summary>
internal sealed record CallOp(EquatableArray<Value> Outs, FunctionKey Callee, EquatableArray<Value> Args, ExternRule? Rule = null) : Op
{
    public override IEnumerable<Value> Results => Outs;
    public override IEnumerable<Value> Operands => Args;
    public override bool IsPure => false;
}

/// <summary>
/// A counted loop <c>for (i = Start; i CMP Bound; i += Step)</c> carrying values (MLIR's
/// <c>scf.for</c> iter_args). The body's arguments are the induction variable and then the
/// carried values; its yields are the carried values for the next iteration. The results
/// are the carried values after the last iteration.
/// With <paramref name="Exits"/> the first carried value is a bool "exited" flag and the loop also stops before an
/// iteration in which it is true: <c>for (…; i CMP Bound &amp;&amp; !exited; …)</c>. That is how a <c>while</c> or
/// <c>do</c> loop is held (a counted loop to <c>int.MaxValue</c> with its condition's failure setting the flag), so its
/// trip count is known only once it has run; reverse mode counts the iterations in its forward sweep.
/// </summary>
internal sealed record ForOp(EquatableArray<Value> Outs, Value Start, Value Bound, int Step, LoopCmp Cmp,
    EquatableArray<Value> Inits, Region Body, bool Exits = false) : Op
{
    public override IEnumerable<Value> Results => Outs;
    public override IEnumerable<Value> Operands => new[] { Start, Bound }.Concat(Inits);
    public override IEnumerable<Region> Regions => new[] { Body };
    public override bool IsPure => false;
}

/// <summary>Structured conditional; each branch yields the results.</summary>
internal sealed record IfOp(EquatableArray<Value> Outs, Value Cond, Region Then, Region Else) : Op
{
    public override IEnumerable<Value> Results => Outs;
    public override IEnumerable<Value> Operands => new[] { Cond };
    public override IEnumerable<Region> Regions => new[] { Then, Else };
    public override bool IsPure => false;
}

/// <summary>
/// Saves a value on the reverse-mode tape (a LIFO stack per call). Every push in the forward
/// sweep has one pop in the reverse sweep, in the opposite order. <see cref="Level"/> picks the
/// tape: reverse mode over code that already uses tape 0 (a generated gradient or HVP) keeps its
/// own values on tape 1 and the adjoints that flow back through tape 0 on tape 2, and so on.
/// </summary>
internal sealed record PushOp(Value Pushed, int Level = 0) : Op
{
    public override IEnumerable<Value> Results => Enumerable.Empty<Value>();
    public override IEnumerable<Value> Operands => new[] { Pushed };
    public override bool IsPure => false;
}

/// <summary>Takes the most recently pushed value back from tape <see cref="Level"/>.</summary>
internal sealed record PopOp(Value Result, int Level = 0) : Op
{
    public override IEnumerable<Value> Results => new[] { Result };
    public override IEnumerable<Value> Operands => Enumerable.Empty<Value>();
    public override bool IsPure => false;
}

/// <summary>
/// A note naming the source statement that the following ops come from. It computes nothing;
/// the reverse sweep turns it into the comment over each adjoint block.
/// </summary>
internal sealed record NoteOp(string Text) : Op
{
    public override IEnumerable<Value> Results => Enumerable.Empty<Value>();
    public override IEnumerable<Value> Operands => Enumerable.Empty<Value>();
    public override bool IsPure => false;
}

/// <summary>Sets every element of a buffer to zero.</summary>
internal sealed record ClearOp(Value Buffer) : Op
{
    public override IEnumerable<Value> Results => Enumerable.Empty<Value>();
    public override IEnumerable<Value> Operands => new[] { Buffer };
    public override bool IsPure => false;
}

/// <summary>
/// A function. Its parameters are the body's arguments (scalars by value, buffers by
/// reference). The body yields the C# return value first and then the values of trailing
/// <c>out</c> parameters; a function that yields nothing returns <c>void</c>.
/// </summary>
internal sealed record Function(FunctionKey Key, string Name, Region Body)
{
    public EquatableArray<Value> Params => Body.Args;
}

/// <summary>A set of functions that call one another, by key.</summary>
internal sealed record Module(EquatableArray<Function> Functions)
{
    public Function? Find(FunctionKey key) => Functions.FirstOrDefault(f => f.Key == key);
}
