using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Rules;

namespace Dsl.Generator.Transforms;

/// <summary>
/// The derivative of a call that carries an <see cref="ExternRule"/> (a method the generator does not
/// look into), shared by the transforms as <see cref="Derivatives"/> is for primitives: forward mode
/// emits ẏ = Σ_i ∂_i f(x)·ẋ_i, reverse mode x̄_i += ∂_i f(x)·ȳ, and Taylor mode jets ∂_i f through a
/// helper of one order less (Taylor.Rules.cs). A partial is the user's rule method (called) or a
/// built-in rule (its IR emitted in place).
/// </summary>
internal static class RuleCalls
{
    /// <summary>Whether argument <paramref name="i"/> can carry a derivative into the call.</summary>
    public static bool Differentiable(CallOp c, int i) => c.Args[i].Type.IsFloat;

    /// <summary>∂f/∂args[i] at the call's arguments, emitted into <paramref name="b"/>; refuses a partial the rule lacks.</summary>
    public static Value Partial(IrBuilder b, CallOp c, int i)
    {
        var p = Checked(c, i);
        var type = c.Outs[0].Type;
        if (p.Method is { } method)
        {
            var result = b.NewValue(type, "");
            b.Emit(new CallOp(new[] { result }.ToEquatableArray(), method, c.Args));
            return result;
        }
        var value = BuiltinRules.Body(p.Builtin!)(new RuleBuilder(b, IrType.F64), c.Args.ToArray());
        return value.Type == type ? value : b.Unary(UnOp.Convert, value, "", type);
    }

    /// <summary>∂f/∂args[i] as a function of f's parameters (the user's method, or a built-in rule's IR).</summary>
    public static Function PartialFunction(CallOp c, int i, Func<FunctionKey, Function?> lookup)
    {
        var p = Checked(c, i);
        if (p.Method is { } method)
            return lookup(method) ?? throw new ReverseNotSupportedException(
                $"the derivative rule of '{c.Rule!.Name}' ('{method.QualifiedName.Replace("global::", "")}') is not available");
        return BuiltinRules.Function(p.Builtin!);
    }

    /// <summary>ẏ = Σ_i ∂_i f·ẋ_i over the arguments that have a tangent (<paramref name="tangent"/> gives null for none).</summary>
    public static Value Tangent(IrBuilder b, CallOp c, Func<Value, Value?> tangent)
    {
        Value? sum = null;
        for (var i = 0; i < c.Args.Count; i++)
        {
            if (!Differentiable(c, i) || tangent(c.Args[i]) is not { } t) continue;
            var term = b.Binary(BinOp.Mul, Partial(b, c, i), t);
            sum = sum is null ? term : b.Binary(BinOp.Add, sum, term);
        }
        return sum ?? b.Zero(c.Outs[0].Type);
    }

    private static RulePartial Checked(CallOp c, int i)
    {
        var rule = c.Rule ?? throw new InvalidOperationException("not a call with a rule: " + c);
        var p = rule.Partials[i];
        if (p.Refusal is { } why) throw new ReverseNotSupportedException($"'{rule.Name}' {why}");
        if (p.Method is null && p.Builtin is null)
            throw new ReverseNotSupportedException($"'{rule.Name}' has no derivative rule for its parameter {i + 1}");
        return p;
    }

    /// <summary>The positions of the arguments of <paramref name="c"/> that <paramref name="active"/> holds.</summary>
    public static List<int> ActiveArgs(CallOp c, Func<Value, bool> active) =>
        Enumerable.Range(0, c.Args.Count).Where(i => Differentiable(c, i) && active(c.Args[i])).ToList();
}
