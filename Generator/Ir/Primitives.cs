using System;
using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>
/// The table of primitives: one <see cref="Primitive"/> row per <see cref="UnOp"/>,
/// <see cref="BinOp"/> and <see cref="TernOp"/>. The frontend's name map and its "supported"
/// message, the interpreter, constant folding, activity, the tangent rules (forward and reverse),
/// the Taylor rule classes and the emitters' names, inlining and vectorization all read it.
/// To add a primitive: an enum member in Ir.cs and one row here; the row's <see cref="Primitive.Domain"/>
/// is its test row (Tests/Dsl.Tests/PrimitiveTableTests.cs runs every check on every row; see
/// docs/architecture.md, "The primitives table").
/// </summary>
internal static class Primitives
{
    private static readonly (double, double) Wide = (-2, 2), Unit = (-0.9, 0.9), Positive = (0.1, 5);

    // Evaluation runs in the generator (netstandard2.0), which lacks Math.Asinh/Acosh/Atanh/Cbrt/Log2
    // and FusedMultiplyAdd: those rows evaluate by formula (within a few ulps of the runtime's Math,
    // which the tests' tolerances allow; these are the interpreter's values as before the table) and
    // FusedMultiplyAdd through the runtime's method when the host has it. None of them is folded.

    /// <summary>Every row, in the order the frontend lists the supported Math functions (operators last).</summary>
    public static IReadOnlyList<Primitive> All { get; } = new[]
    {
        U(UnOp.Sin, Math.Sin, TaylorRule.Of(TaylorClass.SinCosPair) with { With = UnOp.Cos, Circular = true, SineLike = true }, (-1.2, 1.2),
            (e, x, y, t) => e.Mul(e.Un(UnOp.Cos, x), t)),
        U(UnOp.Cos, Math.Cos, TaylorRule.Of(TaylorClass.SinCosPair) with { With = UnOp.Sin, Circular = true }, (-1.2, 1.2),
            (e, x, y, t) => e.Neg(e.Mul(e.Un(UnOp.Sin, x), t))),
        U(UnOp.Tan, Math.Tan, TaylorRule.Of(TaylorClass.SelfReferential) with { Number = 1 }, (-1.2, 1.2),
            (e, x, y, t) => e.Mul(e.Add(e.C(1), e.Sq(y)), t)),
        U(UnOp.Asin, Math.Asin, Radical(Radicand.OneMinusSquare, root: true), Unit,
            (e, x, y, t) => e.Div(t, e.Un(UnOp.Sqrt, e.Sub(e.C(1), e.Sq(x))))),
        U(UnOp.Acos, Math.Acos, Radical(Radicand.OneMinusSquare, root: true, negate: true), Unit,
            (e, x, y, t) => e.Neg(e.Div(t, e.Un(UnOp.Sqrt, e.Sub(e.C(1), e.Sq(x)))))),
        U(UnOp.Atan, Math.Atan, Radical(Radicand.OnePlusSquare), (-3, 3),
            (e, x, y, t) => e.Div(t, e.Add(e.C(1), e.Sq(x)))),
        B(BinOp.Atan2, Math.Atan2, Smoothness.Smooth, TaylorRule.Of(TaylorClass.Atan2), inline: false, Atan2Tangent, Wide, Positive),
        U(UnOp.Sinh, Math.Sinh, TaylorRule.Of(TaylorClass.SinCosPair) with { With = UnOp.Cosh, SineLike = true }, Wide,
            (e, x, y, t) => e.Mul(e.Un(UnOp.Cosh, x), t)),
        U(UnOp.Cosh, Math.Cosh, TaylorRule.Of(TaylorClass.SinCosPair) with { With = UnOp.Sinh }, Wide,
            (e, x, y, t) => e.Mul(e.Un(UnOp.Sinh, x), t)),
        U(UnOp.Tanh, Math.Tanh, TaylorRule.Of(TaylorClass.SelfReferential) with { Number = -1 }, Wide,
            (e, x, y, t) => e.Mul(e.Sub(e.C(1), e.Sq(y)), t)),
        U(UnOp.Asinh, x => Math.Log(x + Math.Sqrt(x * x + 1)), Radical(Radicand.OnePlusSquare, root: true), (-3, 3),
            (e, x, y, t) => e.Div(t, e.Un(UnOp.Sqrt, e.Add(e.Sq(x), e.C(1))))),
        U(UnOp.Acosh, x => Math.Log(x + Math.Sqrt(x * x - 1)), Radical(Radicand.SquareMinusOne, root: true), (1.1, 4),
            (e, x, y, t) => e.Div(t, e.Un(UnOp.Sqrt, e.Sub(e.Sq(x), e.C(1))))),
        U(UnOp.Atanh, x => 0.5 * Math.Log((1 + x) / (1 - x)), Radical(Radicand.OneMinusSquare), Unit,
            (e, x, y, t) => e.Div(t, e.Sub(e.C(1), e.Sq(x)))),
        U(UnOp.Exp, Math.Exp, TaylorRule.Of(TaylorClass.SelfReferential), Wide,
            (e, x, y, t) => e.Mul(y, t)),
        U(UnOp.Log, Math.Log, TaylorRule.Of(TaylorClass.Log), Positive,
            (e, x, y, t) => e.Div(t, x)),
        U(UnOp.Log2, x => Math.Log(x, 2), LogOver(2), Positive,
            (e, x, y, t) => e.Div(t, e.Mul(x, e.C(Math.Log(2))))),
        U(UnOp.Log10, Math.Log10, LogOver(10), Positive,
            (e, x, y, t) => e.Div(t, e.Mul(x, e.C(Math.Log(10))))),
        U(UnOp.Sqrt, Math.Sqrt, TaylorRule.Of(TaylorClass.Sqrt), Positive,
            (e, x, y, t) => e.Div(t, e.Mul(e.C(2), y))) with
        {
            Inline = true, Folds = true, Vectorizable = true, VectorName = "SquareRoot", Kernel = KernelMath.Hardware,
        },
        U(UnOp.Cbrt, x => x < 0 ? -Math.Pow(-x, 1.0 / 3) : Math.Pow(x, 1.0 / 3), new(TaylorClass.PowConst, Number: 1.0 / 3.0), (0.2, 3),
            (e, x, y, t) => e.Div(t, e.Mul(e.C(3), e.Sq(y)))),
        B(BinOp.Pow, Math.Pow, Smoothness.Smooth, TaylorRule.Of(TaylorClass.Power), inline: false, PowTangent, (0.5, 2), (-2, 2)),
        // d|x| = sign(x) dx, with +1 taken at x = 0
        U(UnOp.Abs, Math.Abs, TaylorRule.Of(TaylorClass.PerCoefficient), (0.1, 3),
            (e, x, y, t) => e.Select(e.Bin(BinOp.Lt, x, e.C(0)), e.Neg(t), t)) with
        {
            Smoothness = Smoothness.AlmostEverywhere, Inline = true, Folds = true, Vectorizable = true, VectorName = "Abs",
            Kernel = KernelMath.Hardware,
        },
        // Math.Sign returns an int: the frontend converts this float-valued sign (−1, 0, +1). Not in the
        // JIT-inline list (as before the table), so the emitter treats it as a call when parking registers.
        Constant(UnOp.Sign, x => Math.Sign(x), inline: false, (0.1, 3)),
        B(BinOp.Max, Math.Max, Smoothness.AlmostEverywhere, TaylorRule.Of(TaylorClass.PerCoefficient), inline: true,
            (e, a, y, t) => e.Select(e.Bin(BinOp.Ge, a[0], a[1]), t[0] ?? e.Zero(), t[1] ?? e.Zero()), (-2, 0), (0.5, 2)) with
        {
            Commutative = true, Folds = true, Kernel = KernelMath.Hardware,
        },
        B(BinOp.Min, Math.Min, Smoothness.AlmostEverywhere, TaylorRule.Of(TaylorClass.PerCoefficient), inline: true,
            (e, a, y, t) => e.Select(e.Bin(BinOp.Le, a[0], a[1]), t[0] ?? e.Zero(), t[1] ?? e.Zero()), (-2, 0), (0.5, 2)) with
        {
            Commutative = true, Folds = true, Kernel = KernelMath.Hardware,
        },
        Constant(UnOp.Floor, Math.Floor, inline: true, (1.1, 1.9)) with { Kernel = KernelMath.Hardware },
        Constant(UnOp.Ceiling, Math.Ceiling, inline: true, (-1.9, -1.1)) with { Kernel = KernelMath.Hardware },
        Constant(UnOp.Round, Math.Round, inline: true, (0.6, 1.4)),
        // Kernels: Round, Truncate, Sign and Clamp are PortableMath's (ILGPU 1.5.3 leaves Math.Truncate
        // an .extern call; Math.Sign and Math.Clamp may throw, which a kernel cannot).
        Constant(UnOp.Truncate, Math.Truncate, inline: true, (-2.9, -2.1)),
        // Rounded once, as the emitted Math.FusedMultiplyAdd; tangent ta·b + a·tb + tc (one partial per operand).
        new Primitive
        {
            Arity = 3, Kind = TernOp.FusedMultiplyAdd, ClrName = "FusedMultiplyAdd", Eval3 = FusedMultiplyAdd,
            Smoothness = Smoothness.Smooth, Tangent = PerOperand((e, a, y) => a[1], (e, a, y) => a[0], null),
            Taylor = TaylorRule.Of(TaylorClass.FusedMultiplyAdd), Inline = true, Domain = new[] { Wide, Wide, Wide },
            Kernel = KernelMath.Refused, KernelInstead = "a * b + c (rounded twice)",
        },
        // Math.Clamp's own branch order (x < lo → lo, x > hi → hi, else x), so its derivative is 1
        // inside [lo, hi] and 0 outside; printed as Math.Clamp, which throws when lo > hi as the primal does.
        new Primitive
        {
            Arity = 3, Kind = TernOp.Clamp, ClrName = "Clamp", Eval3 = Clamp, Smoothness = Smoothness.AlmostEverywhere,
            Tangent = (e, a, y, t) => e.Select(e.Bin(BinOp.Lt, a[0], a[1]), t[1] ?? e.Zero(),
                e.Select(e.Bin(BinOp.Gt, a[0], a[2]), t[2] ?? e.Zero(), t[0] ?? e.Zero())),
            Taylor = TaylorRule.Of(TaylorClass.PerCoefficient), Inline = true, Folds = true, FloatOnMath = true,
            Domain = new[] { Wide, (-1.5, -0.5), (0.5, 1.5) },
        },

        // ------------------------------------------------------------ operators (no Math name)
        Op1(UnOp.Neg, x => -x, TaylorClass.PerCoefficient, (e, x, y, t) => e.Neg(t)) with
        {
            Symbol = "-", Vectorizable = true, Recompute = true,
        },
        Op1(UnOp.Not, x => x != 0 ? 0 : 1, TaylorClass.Never, null) with { Symbol = "!", Smoothness = Smoothness.PiecewiseConstant },
        // Conversion to the result's type; the interpreter and folding truncate for int results.
        Op1(UnOp.Convert, x => x, TaylorClass.PerCoefficient, (e, x, y, t) => e.B.Unary(UnOp.Convert, t, null, e.Type)) with
        {
            Folds = false, Recompute = true,
        },
        Op2(BinOp.Add, (a, b) => a + b, Smoothness.Linear, TaylorClass.PerCoefficient, (e, a, y, t) => e.Sum(t[0], t[1])) with
        {
            Symbol = "+", Precedence = 3, Commutative = true, Vectorizable = true, Recompute = true,
        },
        Op2(BinOp.Sub, (a, b) => a - b, Smoothness.Linear, TaylorClass.PerCoefficient,
            (e, a, y, t) => t[1] is null ? t[0]! : t[0] is null ? e.Neg(t[1]!) : e.Sub(t[0]!, t[1]!)) with
        {
            Symbol = "-", Precedence = 3, Vectorizable = true, Recompute = true,
        },
        Op2(BinOp.Mul, (a, b) => a * b, Smoothness.Smooth, TaylorClass.Product,
            (e, a, y, t) => e.Sum(t[0] is null ? null : e.Mul(t[0]!, a[1]), t[1] is null ? null : e.Mul(a[0], t[1]!))) with
        {
            Symbol = "*", Precedence = 2, Commutative = true, Vectorizable = true, Recompute = true,
        },
        // d(a/b) = (da - (a/b) db) / b; int division truncates (the interpreter and folding see to it)
        Op2(BinOp.Div, (a, b) => a / b, Smoothness.Smooth, TaylorClass.Quotient,
            (e, a, y, t) => t[1] is null ? e.Div(t[0]!, a[1])
                : e.Div(t[0] is null ? e.Neg(e.Mul(y, t[1]!)) : e.Sub(t[0]!, e.Mul(y, t[1]!)), a[1])) with
        {
            Symbol = "/", Precedence = 2, Vectorizable = true,
        },
        Op2(BinOp.Rem, (a, b) => a % b, Smoothness.AlmostEverywhere, TaylorClass.Remainder, RemTangent) with
        {
            Symbol = "%", Precedence = 2, Folds = false,
        },
        Compare(BinOp.Lt, "<", 4, (a, b) => a < b),
        Compare(BinOp.Le, "<=", 4, (a, b) => a <= b),
        Compare(BinOp.Gt, ">", 4, (a, b) => a > b),
        Compare(BinOp.Ge, ">=", 4, (a, b) => a >= b),
        Compare(BinOp.Eq, "==", 5, (a, b) => a == b) with { Commutative = true },
        Compare(BinOp.Ne, "!=", 5, (a, b) => a != b) with { Commutative = true },
        // Logic on bools; C#'s non-short-circuit & and | (both sides are already computed in the IR).
        Predicate(BinOp.And, (a, b) => a != 0 && b != 0 ? 1 : 0) with { Symbol = "&", Precedence = 6, Commutative = true, Folds = false },
        Predicate(BinOp.Or, (a, b) => a != 0 || b != 0 ? 1 : 0) with { Symbol = "|", Precedence = 7, Commutative = true, Folds = false },
    };

    private static readonly Primitive?[] ByUnary = Index<UnOp>();
    private static readonly Primitive?[] ByBinary = Index<BinOp>();
    private static readonly Primitive?[] ByTernary = Index<TernOp>();

    private static readonly Dictionary<(string, int), Primitive> ByName =
        All.Where(p => p.ClrName is not null).ToDictionary(p => (p.ClrName!, p.Arity));

    public static Primitive Of(UnOp k) => ByUnary[(int)k] ?? throw new InvalidOperationException("no row for " + k);

    public static Primitive Of(BinOp k) => ByBinary[(int)k] ?? throw new InvalidOperationException("no row for " + k);

    public static Primitive Of(TernOp k) => ByTernary[(int)k] ?? throw new InvalidOperationException("no row for " + k);

    /// <summary>The row of a unary, binary or ternary op; null for other ops.</summary>
    public static Primitive? Of(Op op) => op switch
    {
        UnaryOp u => Of(u.Kind),
        BinaryOp b => Of(b.Kind),
        TernaryOp t => Of(t.Kind),
        _ => null,
    };

    /// <summary>The primitive the frontend lowers <c>Math.name</c>/<c>MathF.name</c> with <paramref name="arity"/> arguments to.</summary>
    public static Primitive? FromClr(string name, int arity) => ByName.TryGetValue((name, arity), out var p) ? p : null;

    /// <summary>"Sin, Cos, ...": the Math functions the frontend accepts, for its diagnostics.</summary>
    public static string SupportedNames { get; } = string.Join(", ", All.Where(p => p.ClrName is not null).Select(p => p.ClrName));

    /// <summary>The tangent of <paramref name="op"/>'s result given one tangent (or null) per operand.</summary>
    public static Value Tangent(IrBuilder b, Op op, params Value?[] tangents)
    {
        var row = Of(op) ?? throw new InvalidOperationException("not a primitive: " + op.GetType().Name);
        var rule = row.Tangent ?? throw new InvalidOperationException("no tangent rule for " + row.Kind);
        var y = op.Results.First();
        return rule(new RuleBuilder(b, y.Type), op.Operands.ToArray(), y, tangents);
    }

    // ------------------------------------------------------------ row builders

    private static Primitive U(UnOp k, Func<double, double> eval, TaylorRule taylor, (double, double) domain,
        Func<RuleBuilder, Value, Value, Value, Value> tangent) => new()
    {
        Arity = 1, Kind = k, ClrName = k.ToString(), Eval1 = eval, Smoothness = Smoothness.Smooth, Taylor = taylor,
        Tangent = (e, a, y, t) => tangent(e, a[0], y, t[0]!), Domain = new[] { domain },
    };

    private static Primitive Op1(UnOp k, Func<double, double> eval, TaylorClass taylor,
        Func<RuleBuilder, Value, Value, Value, Value>? tangent) => new()
    {
        Arity = 1, Kind = k, Eval1 = eval, Smoothness = Smoothness.Linear, Taylor = TaylorRule.Of(taylor), Inline = true, Folds = true,
        Precedence = 1,
        Tangent = tangent is null ? null : (e, a, y, t) => tangent(e, a[0], y, t[0]!),
    };

    private static Primitive Constant(UnOp k, Func<double, double> eval, bool inline, (double, double) domain) => new()
    {
        Arity = 1, Kind = k, ClrName = k.ToString(), Eval1 = eval, Smoothness = Smoothness.PiecewiseConstant, Inline = inline,
        Domain = new[] { domain },
    };

    private static Primitive B(BinOp k, Func<double, double, double> eval, Smoothness s, TaylorRule taylor, bool inline,
        TangentRule tangent, (double, double) left, (double, double) right) => new()
    {
        Arity = 2, Kind = k, ClrName = k.ToString(), Eval2 = eval, Smoothness = s, Taylor = taylor, Inline = inline, Tangent = tangent,
        Domain = new[] { left, right },
    };

    private static Primitive Op2(BinOp k, Func<double, double, double> eval, Smoothness s, TaylorClass taylor, TangentRule tangent) => new()
    {
        Arity = 2, Kind = k, Eval2 = eval, Smoothness = s, Taylor = TaylorRule.Of(taylor), Inline = true, Folds = true, Tangent = tangent,
    };

    private static Primitive Predicate(BinOp k, Func<double, double, double> eval) => new()
    {
        Arity = 2, Kind = k, Eval2 = eval, Smoothness = Smoothness.Predicate, Inline = true, Folds = true,
    };

    private static Primitive Compare(BinOp k, string symbol, int precedence, Func<double, double, bool> holds) =>
        Predicate(k, (a, b) => holds(a, b) ? 1 : 0) with { Symbol = symbol, Precedence = precedence, Compares = true };

    private static TaylorRule LogOver(double b) => new(TaylorClass.Composition, With: UnOp.Log, Number: Math.Log(b));

    private static TaylorRule Radical(Radicand q, bool root = false, bool negate = false) =>
        new(TaylorClass.InverseRadical, Radicand: q, Root: root, Negate: negate);

    /// <summary>Σ_i ∂y/∂args[i] · t_i over the operands with a tangent (a null partial is 1), as JAX's <c>defjvp</c>.</summary>
    private static TangentRule PerOperand(params Partial?[] partials) => (e, a, y, t) =>
    {
        Value? sum = null;
        for (var i = 0; i < partials.Length; i++)
        {
            if (t[i] is not { } ti) continue;
            var term = partials[i] is { } p ? e.Mul(ti, p(e, a, y)) : ti;
            sum = e.Sum(sum, term);
        }
        return sum!;
    };

    // a % b = a - trunc(a/b) b
    private static Value RemTangent(RuleBuilder e, Value[] a, Value y, Value?[] t)
    {
        if (t[1] is null) return t[0]!;
        var q = e.Un(UnOp.Truncate, e.Div(a[0], a[1]));
        return t[0] is null ? e.Neg(e.Mul(q, t[1]!)) : e.Sub(t[0]!, e.Mul(q, t[1]!));
    }

    // d(a^b) = b a^(b-1) da + a^b ln(a) db
    private static Value PowTangent(RuleBuilder e, Value[] x, Value y, Value?[] t)
    {
        var (a, b) = (x[0], x[1]);
        Value? da = t[0] is null ? null : e.Mul(e.Mul(b, e.Bin(BinOp.Pow, a, e.Sub(b, e.C(1)))), t[0]!);
        Value? db = t[1] is null ? null : e.Mul(e.Mul(y, e.Un(UnOp.Log, a)), t[1]!);
        return e.Sum(da, db);
    }

    // atan2(a, b): (b da - a db) / (a^2 + b^2)
    private static Value Atan2Tangent(RuleBuilder e, Value[] x, Value y, Value?[] t)
    {
        var (a, b) = (x[0], x[1]);
        var den = e.Add(e.Mul(a, a), e.Mul(b, b));
        Value? pa = t[0] is null ? null : e.Mul(b, t[0]!);
        Value? pb = t[1] is null ? null : e.Mul(a, t[1]!);
        var num = pb is null ? pa! : pa is null ? e.Neg(pb) : e.Sub(pa, pb);
        return e.Div(num, den);
    }

    private static readonly Func<double, double, double, double>? HostFma =
        (Func<double, double, double, double>?)typeof(Math)
            .GetMethod("FusedMultiplyAdd", new[] { typeof(double), typeof(double), typeof(double) })
        ?.CreateDelegate(typeof(Func<double, double, double, double>));

    // The host's correctly rounded a·b + c (every .NET Core 3.0+ host); a·b + c, rounded twice, elsewhere.
    private static double FusedMultiplyAdd(double a, double b, double c) => HostFma is { } f ? f(a, b, c) : a * b + c;

    private static double Clamp(double x, double lo, double hi) =>
        lo > hi ? throw new ArgumentException("Clamp: lo > hi") : x < lo ? lo : x > hi ? hi : x;

    private static Primitive?[] Index<TEnum>() where TEnum : struct, Enum
    {
        var values = (TEnum[])Enum.GetValues(typeof(TEnum));
        var table = new Primitive?[values.Length];
        foreach (var p in All)
        {
            if (p.Kind is TEnum k) table[Convert.ToInt32(k)] = p;
        }
        return table;
    }
}
