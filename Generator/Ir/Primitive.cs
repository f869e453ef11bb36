using System;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>How a primitive's result depends on its operands, for activity and differentiation.</summary>
internal enum Smoothness
{
    /// <summary>Linear in its float operands (negation, conversion, sums).</summary>
    Linear,
    /// <summary>Differentiable wherever it is defined.</summary>
    Smooth,
    /// <summary>Continuous with kinks: differentiable almost everywhere (Abs, Max, Min, Clamp, Rem).</summary>
    AlmostEverywhere,
    /// <summary>Derivative zero almost everywhere: the result is never active (Floor, Sign, ...).</summary>
    PiecewiseConstant,
    /// <summary>Comparisons and logic: a bool result, never active.</summary>
    Predicate,
}

/// <summary>
/// The Taylor-mode rule class of a primitive (as <c>jax.experimental.jet</c>'s <c>def_deriv</c>,
/// <c>def_comp</c>, ...): Taylor.cs has one recurrence per class, and the row's
/// <see cref="TaylorRule"/> parameters pick the variant. A new smooth unary primitive needs no
/// recurrence of its own: <see cref="DerivativeDefined"/> jets f′ built by its tangent rule.
/// </summary>
internal enum TaylorClass
{
    /// <summary>The result is never active (piecewise constant, predicates).</summary>
    Never,
    /// <summary>
    /// Linear or piecewise linear (Neg, Convert, Add, Sub, Abs, Max, Min, Clamp): coefficient k is the
    /// tangent rule applied to the operands' coefficients k.
    /// </summary>
    PerCoefficient,
    /// <summary>Cauchy product (Mul).</summary>
    Product,
    /// <summary>Division recurrence (Div).</summary>
    Quotient,
    /// <summary>a − trunc(a/b)·b with the quotient held constant (Rem).</summary>
    Remainder,
    /// <summary>f′ is a function of y; <see cref="TaylorRule.Number"/>: Exp 0 (f′ = y), Tan +1 (1 + y²), Tanh −1 (1 − y²).</summary>
    SelfReferential,
    /// <summary>Sine and cosine (circular or hyperbolic) computed as a pair.</summary>
    SinCosPair,
    /// <summary>The logarithm's division recurrence.</summary>
    Log,
    /// <summary>The square root's recurrence.</summary>
    Sqrt,
    /// <summary>x^n for the constant n in <see cref="TaylorRule.Number"/> (Cbrt: n = 1/3).</summary>
    PowConst,
    /// <summary>a^b: <see cref="PowConst"/> for a constant exponent, else exp(b log a).</summary>
    Power,
    /// <summary>Atan2's quotient rule on coefficient convolutions.</summary>
    Atan2,
    /// <summary>
    /// f = <see cref="TaylorRule.With"/>(x) / <see cref="TaylorRule.Number"/> (Log2, Log10 from Log). The inner op
    /// is not emitted, so With's own rule must not read its result (Log's does not).
    /// </summary>
    Composition,
    /// <summary>
    /// f′ = ±1/q or ±1/√q with q = ±1 ± x² (inverse trigonometric and hyperbolic functions).
    /// Kept as today's recurrence: <see cref="DerivativeDefined"/> gives the same values but
    /// drops a no-op "+ 0" from the printed code, and the generated code is held byte-identical.
    /// </summary>
    InverseRadical,
    /// <summary>
    /// Any smooth unary f whose tangent rule reads x only (not y): the jet of f′, built in IR by the
    /// tangent rule (seed 1), by the other rules. Rules that read y (exp, tan, sqrt) need <see cref="SelfReferential"/>.
    /// </summary>
    DerivativeDefined,
    /// <summary>a·b + c: the Cauchy product plus c's coefficients; the primal coefficient is the fused op itself.</summary>
    FusedMultiplyAdd,
}

/// <summary>Which quadratic the <see cref="TaylorClass.InverseRadical"/> class builds from x².</summary>
internal enum Radicand
{
    OnePlusSquare,
    OneMinusSquare,
    SquareMinusOne,
}

/// <summary>A Taylor rule class and its parameters (unused ones keep their defaults).</summary>
internal sealed record TaylorRule(
    TaylorClass Class,
    double Number = 0,
    UnOp With = UnOp.Neg,
    bool Circular = false,
    bool SineLike = false,
    Radicand Radicand = Radicand.OnePlusSquare,
    bool Root = false,
    bool Negate = false)
{
    public static TaylorRule Of(TaylorClass c) => new(c);
}

/// <summary>How the ILGPU kernel target prints a math primitive.</summary>
internal enum KernelMath
{
    /// <summary>
    /// As <c>Dsl.PortableMath</c>'s function of the same name: plain C#, the same on every machine, never
    /// a toolkit-dependent or <c>.extern</c> call (ILGPU's own double transcendentals are either).
    /// </summary>
    Portable,
    /// <summary>
    /// As the CPU prints it (<c>Math</c>/<c>MathF</c>): ILGPU 1.5.3 maps it to one exact PTX instruction
    /// (sqrt.rn, abs, min, max, cvt.rmi/rpi/rzi), checked by the kernel tests' PTX compiles.
    /// </summary>
    Hardware,
    /// <summary>
    /// Not in kernels yet: ILGPU 1.5.3 leaves <c>Math.FusedMultiplyAdd</c> and <c>Math.Truncate</c> (ModF)
    /// <c>.extern</c> calls (found by the kernel tests' PTX compiles), and PortableMath has neither;
    /// <see cref="Primitive.KernelInstead"/> says what to write.
    /// </summary>
    Refused,
}

/// <summary>Ternary operations.</summary>
internal enum TernOp
{
    /// <summary>a·b + c rounded once (<c>Math.FusedMultiplyAdd</c>).</summary>
    FusedMultiplyAdd,
    /// <summary><c>Math.Clamp(x, lo, hi)</c>: lo when x &lt; lo, hi when x &gt; hi, else x; throws when lo &gt; hi.</summary>
    Clamp,
}

/// <summary>
/// Builds the IR of a rule for one op: constants take the op's result type. Rules emit in the
/// order they are written, so a rule's text fixes the generated code.
/// </summary>
internal readonly struct RuleBuilder
{
    public RuleBuilder(IrBuilder b, IrType type)
    {
        B = b;
        Type = type;
    }

    public IrBuilder B { get; }

    public IrType Type { get; }

    public Value C(double c) => B.Const(c, Type);

    public Value Zero() => B.Zero(Type);

    public Value Mul(Value a, Value b) => B.Binary(BinOp.Mul, a, b);

    public Value Div(Value a, Value b) => B.Binary(BinOp.Div, a, b);

    public Value Add(Value a, Value b) => B.Binary(BinOp.Add, a, b);

    public Value Sub(Value a, Value b) => B.Binary(BinOp.Sub, a, b);

    public Value Sq(Value a) => B.Binary(BinOp.Mul, a, a);

    public Value Neg(Value a) => B.Unary(UnOp.Neg, a);

    public Value Un(UnOp k, Value a) => B.Unary(k, a);

    public Value Bin(BinOp k, Value a, Value b) => B.Binary(k, a, b);

    public Value Select(Value cond, Value a, Value b) => B.Select(cond, a, b);

    /// <summary>p + q where null stands for zero (at least one is not null).</summary>
    public Value Sum(Value? p, Value? q) => p is null ? q! : q is null ? p : Add(p, q);
}

/// <summary>
/// The tangent of a primitive's result: <paramref name="args"/> are its operands,
/// <paramref name="y"/> its result, <paramref name="t"/> one tangent per operand (null = zero; at
/// least one is not null). Forward mode passes the operands' tangents; reverse mode passes the
/// adjoint in one operand's slot at a time (the partial times the seed is the same expression).
/// </summary>
internal delegate Value TangentRule(RuleBuilder e, Value[] args, Value y, Value?[] t);

/// <summary>A one-operand partial derivative ∂y/∂args[i] as IR, for rules written per operand (JAX's <c>defjvp</c>).</summary>
internal delegate Value Partial(RuleBuilder e, Value[] args, Value y);

/// <summary>
/// One row per IR primitive: everything the frontend, the transforms and the emitters need to know
/// about it (the model is ILGPU's <c>UnaryMathOperations.xml</c> and JAX's primitive/rule/lowering
/// triples). <see cref="UnOp"/>, <see cref="BinOp"/> and <see cref="TernOp"/> stay the IR's identity;
/// code that varies per primitive reads the row.
/// </summary>
internal sealed record Primitive
{
    /// <summary>Operand count (1, 2 or 3).</summary>
    public int Arity { get; init; }

    /// <summary>The op kind: a boxed <see cref="UnOp"/>, <see cref="BinOp"/> or <see cref="TernOp"/>.</summary>
    public Enum Kind { get; init; } = UnOp.Neg;

    /// <summary>The <c>System.Math</c>/<c>System.MathF</c> method of the scalar C# target and the frontend; null for operators.</summary>
    public string? ClrName { get; init; }

    /// <summary>The float overload is <c>System.Math</c>'s, not <c>MathF</c>'s (Clamp: MathF has none).</summary>
    public bool FloatOnMath { get; init; }

    /// <summary>Value in double precision (interpreter, folding, tests); by arity.</summary>
    public Func<double, double>? Eval1 { get; init; }

    public Func<double, double, double>? Eval2 { get; init; }

    public Func<double, double, double, double>? Eval3 { get; init; }

    public Smoothness Smoothness { get; init; }

    /// <summary>Null for predicates and piecewise-constant functions (their results are never active).</summary>
    public TangentRule? Tangent { get; init; }

    public TaylorRule Taylor { get; init; } = TaylorRule.Of(TaylorClass.Never);

    /// <summary>
    /// The JIT expands it inline (no call, so no caller-saved register is clobbered; see the
    /// emitter's register parking). True for operators and Sqrt/Abs/Floor/Ceiling/Round/Truncate.
    /// </summary>
    public bool Inline { get; init; }

    /// <summary>How an ILGPU kernel prints it (see <see cref="KernelMath"/>); PortableMath's by default.</summary>
    public KernelMath Kernel { get; init; }

    /// <summary>For a primitive a kernel refuses: what to write instead, for the diagnostic.</summary>
    public string? KernelInstead { get; init; }

    /// <summary>Element-wise SIMD loops (<c>Vector&lt;T&gt;</c> chunks) may compute it on vectors.</summary>
    public bool Vectorizable { get; init; }

    /// <summary>The <c>System.Numerics.Vector</c> method of a vectorizable function (operators print as operators).</summary>
    public string? VectorName { get; init; }

    /// <summary>Exact to fold at compile time (correctly rounded in float and double, so folding computes what the primal does).</summary>
    public bool Folds { get; init; }

    /// <summary>
    /// The C# operator that prints it (prefix for unary, infix for binary), or null for a call (a
    /// Math function) and for Convert, which prints as a cast.
    /// </summary>
    public string? Symbol { get; init; }

    /// <summary>
    /// How tightly its printed form binds, as the expression printer ranks C#'s levels: 0 a call or a
    /// name, 1 prefix (and casts), 2 multiplicative, 3 additive, 4 relational, 5 equality, 6 <c>&amp;</c>, 7 <c>|</c>.
    /// </summary>
    public int Precedence { get; init; }

    /// <summary>op(a, b) = op(b, a): common-subexpression keys order the operands.</summary>
    public bool Commutative { get; init; }

    /// <summary>A comparison: two operands of one type, a bool result.</summary>
    public bool Compares { get; init; }

    /// <summary>
    /// Cheap enough that reverse mode recomputes a float result in the reverse sweep rather than
    /// saving it on the tape (int and bool results are always recomputed).
    /// </summary>
    public bool Recompute { get; init; }

    /// <summary>The domain where the tests sample it (away from kinks and poles): per operand, [lo, hi].</summary>
    public (double Lo, double Hi)[] Domain { get; init; } = Array.Empty<(double, double)>();

    public double Eval(params double[] x) => Arity switch
    {
        1 => Eval1!(x[0]),
        2 => Eval2!(x[0], x[1]),
        _ => Eval3!(x[0], x[1], x[2]),
    };
}
