using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Rules;

/// <summary>∂f/∂(one parameter) as IR, at f's arguments <paramref name="args"/> (as a primitive's tangent rule is).</summary>
internal delegate Value RuleBody(RuleBuilder e, Value[] args);

/// <summary>
/// Derivative rules the generator ships for methods of MathNet.Numerics 5.0.0's
/// <c>SpecialFunctions</c> (and for <c>Dsl.Special</c>'s polygamma functions, which those rules
/// need), keyed by the method's key as the frontend spells it. They are IR, as the primitives'
/// rules are: a rule that calls another special function calls it with that function's rule, so
/// higher derivatives and Taylor jets follow (digamma′ = ψ⁽¹⁾, ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾). The table is
/// consulted only for methods a primal calls, so it costs nothing where MathNet is not called
/// (docs/custom-rules.md says why the rules live here and not in a source file).
/// </summary>
internal static class BuiltinRules
{
    private const string Sf = "global::MathNet.Numerics.SpecialFunctions.";
    private const string Sp = "global::Dsl.Special.";
    private const string D = "(double)";
    private const string DD = "(double, double)";
    private const string RulePrefix = "rule:";

    /// <summary>The key prefix of a partial taken from a user's JVP rule at a unit tangent (Transforms/RuleCalls.cs).</summary>
    public const string JvpPrefix = RulePrefix + "jvp:";

    // 2/√π and √π/2.
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);
    private static readonly double SqrtPiOverTwo = Math.Sqrt(Math.PI) / 2;

    private sealed record Entry(string Name, IrType[] Params, RuleBody?[] Partials, string?[] Refusals);

    private static readonly Dictionary<string, Entry> Table = Build();

    /// <summary>Every method with a built-in rule, by key.</summary>
    public static IEnumerable<string> Keys => Table.Keys;

    /// <summary>The rule of the method with key <paramref name="key"/>, or null when there is none.</summary>
    public static ExternRule? For(string key)
    {
        if (!Table.TryGetValue(key, out var entry)) return null;
        var partials = entry.Params.Select((_, i) =>
            entry.Partials[i] is not null ? new RulePartial(Builtin: key + "#" + i)
            : entry.Refusals[i] is { } why ? new RulePartial(Refusal: why)
            : RulePartial.None);
        return new ExternRule(entry.Name, partials.ToEquatableArray());
    }

    /// <summary>The IR of a built-in partial, by its id (<c>key#i</c>).</summary>
    public static RuleBody Body(string id)
    {
        var hash = id.LastIndexOf('#');
        return Table[id.Substring(0, hash)].Partials[int.Parse(id.Substring(hash + 1))]!;
    }

    /// <summary>
    /// A built-in partial as a function of f's parameters (Taylor mode jets it through a helper of
    /// one order less). Its key cannot name a C# method: it is only ever emitted as a helper.
    /// </summary>
    public static Function Function(string id)
    {
        var hash = id.LastIndexOf('#');
        var entry = Table[id.Substring(0, hash)];
        var b = new IrBuilder();
        var names = new[] { "x", "y", "z" };
        var args = entry.Params.Select((t, i) => b.NewValue(t, names[i])).ToArray();
        b.BeginBlock();
        var result = Body(id)(new RuleBuilder(b, IrType.F64), args);
        var ops = b.EndBlock();
        var name = entry.Name.Substring(entry.Name.LastIndexOf('.') + 1) + "_D" + id.Substring(hash + 1);
        return new Function(FunctionKey.Primal(RulePrefix + id), name,
            new Region(args.ToEquatableArray(), ops, new[] { result }.ToEquatableArray()));
    }

    /// <summary>How a helper's comment names a built-in partial's function (<see cref="Function(string)"/>), or null.</summary>
    public static string? Describe(FunctionKey? key)
    {
        if (key is null || !key.Method.StartsWith(RulePrefix, StringComparison.Ordinal)) return null;
        var id = key.Method.Substring(RulePrefix.Length);
        var hash = id.LastIndexOf('#');
        if (key.Method.StartsWith(JvpPrefix, StringComparison.Ordinal))
        {
            var jvp = FunctionKey.Primal(key.Method.Substring(JvpPrefix.Length, key.Method.LastIndexOf('#') - JvpPrefix.Length));
            var shown = jvp.QualifiedName.Replace("global::", "");
            return $"the JVP rule {shown} at the unit tangent of parameter {int.Parse(id.Substring(hash + 1)) + 1}";
        }
        return Table.TryGetValue(id.Substring(0, hash), out var entry)
            ? $"the built-in derivative rule of {entry.Name} (parameter {int.Parse(id.Substring(hash + 1)) + 1})"
            : null;
    }

    /// <summary>A call of another method of the table, carrying its rule.</summary>
    private static Value Call(RuleBuilder e, string key, params Value[] args)
    {
        var result = e.B.NewValue(IrType.F64, "");
        e.B.Emit(new CallOp(new[] { result }.ToEquatableArray(), FunctionKey.Primal(key), args.ToEquatableArray(), For(key)));
        return result;
    }

    private static Entry Unary(string name, RuleBody partial) =>
        new(name, new[] { IrType.F64 }, new RuleBody?[] { partial }, new string?[1]);

    private static Entry Binary(string name, RuleBody? d0, RuleBody? d1, string? refusal0 = null) =>
        new(name, new[] { IrType.F64, IrType.F64 }, new[] { d0, d1 }, new[] { refusal0, null });

    private static Dictionary<string, Entry> Build()
    {
        const string orderRefusal = "has no closed-form derivative in the order ν; pass ν as a constant (it is not differentiated)";
        var t = new Dictionary<string, Entry>(StringComparer.Ordinal);
        // erf′ = 2/√π e^(−x²), erfc′ = −erf′.
        t[Sf + "Erf" + D] = Unary("SpecialFunctions.Erf", (e, a) => e.Mul(e.C(TwoOverSqrtPi), e.Un(UnOp.Exp, e.Neg(e.Sq(a[0])))));
        t[Sf + "Erfc" + D] = Unary("SpecialFunctions.Erfc", (e, a) => e.Mul(e.C(-TwoOverSqrtPi), e.Un(UnOp.Exp, e.Neg(e.Sq(a[0])))));
        // The inverses: (erf⁻¹)′(z) = √π/2 e^(erf⁻¹(z)²), (erfc⁻¹)′(z) = −√π/2 e^(erfc⁻¹(z)²).
        t[Sf + "ErfInv" + D] = Unary("SpecialFunctions.ErfInv",
            (e, a) => e.Mul(e.C(SqrtPiOverTwo), e.Un(UnOp.Exp, e.Sq(Call(e, Sf + "ErfInv" + D, a[0])))));
        t[Sf + "ErfcInv" + D] = Unary("SpecialFunctions.ErfcInv",
            (e, a) => e.Mul(e.C(-SqrtPiOverTwo), e.Un(UnOp.Exp, e.Sq(Call(e, Sf + "ErfcInv" + D, a[0])))));
        // ln Γ′ = ψ, Γ′ = Γ ψ, ψ′ = ψ⁽¹⁾ (Dsl.Special: MathNet has no trigamma), ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾.
        t[Sf + "GammaLn" + D] = Unary("SpecialFunctions.GammaLn", (e, a) => Call(e, Sf + "DiGamma" + D, a[0]));
        t[Sf + "Gamma" + D] = Unary("SpecialFunctions.Gamma",
            (e, a) => e.Mul(Call(e, Sf + "Gamma" + D, a[0]), Call(e, Sf + "DiGamma" + D, a[0])));
        t[Sf + "DiGamma" + D] = Unary("SpecialFunctions.DiGamma", (e, a) => Polygamma(e, 1, a[0]));
        t[Sp + "Trigamma" + D] = Unary("Special.Trigamma", (e, a) => Polygamma(e, 2, a[0]));
        t[Sp + "Polygamma(int, double)"] = new Entry("Special.Polygamma", new[] { IrType.I32, IrType.F64 },
            new RuleBody?[]
            {
                null,
                (e, a) => Call(e, Sp + "Polygamma(int, double)", e.B.Binary(BinOp.Add, a[0], e.B.Const(1, IrType.I32)), a[1]),
            },
            new string?[2]);
        // σ′ = σ(1 − σ); logit′(p) = 1/(p(1 − p)).
        t[Sf + "Logistic" + D] = Unary("SpecialFunctions.Logistic", (e, a) =>
        {
            var s = Call(e, Sf + "Logistic" + D, a[0]);
            return e.Mul(s, e.Sub(e.C(1), s));
        });
        t[Sf + "Logit" + D] = Unary("SpecialFunctions.Logit", (e, a) => e.Div(e.C(1), e.Mul(a[0], e.Sub(e.C(1), a[0]))));
        // ln B(z, w) = ln Γ(z) + ln Γ(w) − ln Γ(z + w): ∂z = ψ(z) − ψ(z + w); B′ = B times that.
        RuleBody LnBeta(int i) => (e, a) =>
            e.Sub(Call(e, Sf + "DiGamma" + D, a[i]), Call(e, Sf + "DiGamma" + D, e.Add(a[0], a[1])));
        t[Sf + "BetaLn" + DD] = Binary("SpecialFunctions.BetaLn", LnBeta(0), LnBeta(1));
        t[Sf + "Beta" + DD] = Binary("SpecialFunctions.Beta",
            (e, a) => e.Mul(Call(e, Sf + "Beta" + DD, a[0], a[1]), LnBeta(0)(e, a)),
            (e, a) => e.Mul(Call(e, Sf + "Beta" + DD, a[0], a[1]), LnBeta(1)(e, a)));
        // Modified Bessel functions: I0′ = I1, I1′ = I0 − I1/x, K0′ = −K1, K1′ = −K0 − K1/x (x ≠ 0 for the 1/x forms).
        t[Sf + "BesselI0" + D] = Unary("SpecialFunctions.BesselI0", (e, a) => Call(e, Sf + "BesselI1" + D, a[0]));
        t[Sf + "BesselI1" + D] = Unary("SpecialFunctions.BesselI1",
            (e, a) => e.Sub(Call(e, Sf + "BesselI0" + D, a[0]), e.Div(Call(e, Sf + "BesselI1" + D, a[0]), a[0])));
        t[Sf + "BesselK0" + D] = Unary("SpecialFunctions.BesselK0", (e, a) => e.Neg(Call(e, Sf + "BesselK1" + D, a[0])));
        t[Sf + "BesselK1" + D] = Unary("SpecialFunctions.BesselK1",
            (e, a) => e.Sub(e.Neg(Call(e, Sf + "BesselK0" + D, a[0])), e.Div(Call(e, Sf + "BesselK1" + D, a[0]), a[0])));
        // J_ν′ = (J_{ν−1} − J_{ν+1})/2, Y_ν′ likewise; ν is not differentiated.
        RuleBody Neighbours(string fn, double sign) => (e, a) =>
        {
            var below = Call(e, Sf + fn + DD, e.Sub(a[0], e.C(1)), a[1]);
            var above = Call(e, Sf + fn + DD, e.Add(a[0], e.C(1)), a[1]);
            return e.Mul(e.C(0.5), sign > 0 ? e.Add(below, above) : e.Sub(below, above));
        };
        t[Sf + "BesselJ" + DD] = Binary("SpecialFunctions.BesselJ", null, Neighbours("BesselJ", -1), orderRefusal);
        t[Sf + "BesselY" + DD] = Binary("SpecialFunctions.BesselY", null, Neighbours("BesselY", -1), orderRefusal);
        // P(a, x), Q(a, x): ∂x P = x^(a−1) e^(−x)/Γ(a) = exp((a − 1) ln x − x − ln Γ(a)) = −∂x Q; ∂a has no closed form.
        const string shapeRefusal = "has no closed-form derivative in the shape a; pass a as a constant (it is not differentiated)";
        RuleBody GammaDensity(double sign) => (e, a) =>
        {
            var log = e.Sub(e.Sub(e.Mul(e.Sub(a[0], e.C(1)), e.Un(UnOp.Log, a[1])), a[1]), Call(e, Sf + "GammaLn" + D, a[0]));
            var density = e.Un(UnOp.Exp, log);
            return sign > 0 ? density : e.Neg(density);
        };
        t[Sf + "GammaLowerRegularized" + DD] = Binary("SpecialFunctions.GammaLowerRegularized", null, GammaDensity(1), shapeRefusal);
        t[Sf + "GammaUpperRegularized" + DD] = Binary("SpecialFunctions.GammaUpperRegularized", null, GammaDensity(-1), shapeRefusal);
        // e^x − 1 and √(x² + y²).
        t[Sf + "ExponentialMinusOne" + D] = Unary("SpecialFunctions.ExponentialMinusOne", (e, a) => e.Un(UnOp.Exp, a[0]));
        RuleBody Leg(int i) => (e, a) => e.Div(a[i], Call(e, Sf + "Hypotenuse" + DD, a[0], a[1]));
        t[Sf + "Hypotenuse" + DD] = Binary("SpecialFunctions.Hypotenuse", Leg(0), Leg(1));
        // Airy: Ai′ is AiryAiPrime, and Ai″ = x Ai (the Airy equation); Bi likewise.
        t[Sf + "AiryAi" + D] = Unary("SpecialFunctions.AiryAi", (e, a) => Call(e, Sf + "AiryAiPrime" + D, a[0]));
        t[Sf + "AiryAiPrime" + D] = Unary("SpecialFunctions.AiryAiPrime", (e, a) => e.Mul(a[0], Call(e, Sf + "AiryAi" + D, a[0])));
        t[Sf + "AiryBi" + D] = Unary("SpecialFunctions.AiryBi", (e, a) => Call(e, Sf + "AiryBiPrime" + D, a[0]));
        t[Sf + "AiryBiPrime" + D] = Unary("SpecialFunctions.AiryBiPrime", (e, a) => e.Mul(a[0], Call(e, Sf + "AiryBi" + D, a[0])));
        return t;
    }

    private static Value Polygamma(RuleBuilder e, int n, Value x) =>
        Call(e, Sp + "Polygamma(int, double)", e.B.Const(n, IrType.I32), x);
}
