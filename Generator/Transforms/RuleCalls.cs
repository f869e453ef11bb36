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
            var args = p.Seed < 0 ? c.Args : JvpArgs(b, c.Args, c, j => b.Const(j == i ? 1 : 0, c.Args[j].Type));
            var result = b.NewValue(type, "");
            b.Emit(new CallOp(new[] { result }.ToEquatableArray(), method, args));
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
        {
            var fn = lookup(method) ?? throw new ReverseNotSupportedException(
                $"the derivative rule of '{c.Rule!.Name}' ('{method.QualifiedName.Replace("global::", "")}') is not available");
            return p.Seed < 0 ? fn : SeededJvp(fn, c, i);
        }
        return BuiltinRules.Function(p.Builtin!);
    }

    /// <summary>∂_i f as a function of f's parameters from a JVP rule: the rule at the unit tangent of parameter i.</summary>
    private static Function SeededJvp(Function jvp, CallOp c, int i)
    {
        var b = new IrBuilder();
        var parameters = c.Args.Select((a, j) => b.NewValue(a.Type, jvp.Params[j].Name)).ToArray();
        b.BeginBlock();
        var args = JvpArgs(b, parameters, c, j => b.Const(j == i ? 1 : 0, c.Args[j].Type));
        var result = b.NewValue(c.Outs[0].Type, "");
        b.Emit(new CallOp(new[] { result }.ToEquatableArray(), jvp.Key, args));
        return new Function(FunctionKey.Primal(BuiltinRules.JvpPrefix + jvp.Key.Method + "#" + i), jvp.Name + "_D" + i,
            new Region(parameters.ToEquatableArray(), b.EndBlock(), new[] { result }.ToEquatableArray()));
    }

    /// <summary>A JVP rule's arguments: f's, then the tangent of each float parameter (<paramref name="tangent"/> by position).</summary>
    private static EquatableArray<Value> JvpArgs(IrBuilder b, IReadOnlyList<Value> args, CallOp c, Func<int, Value> tangent)
    {
        var list = new List<Value>(args);
        for (var j = 0; j < c.Args.Count; j++)
        {
            if (Differentiable(c, j)) list.Add(tangent(j));
        }
        return list.ToEquatableArray();
    }

    /// <summary>ẏ = Σ_i ∂_i f·ẋ_i over the arguments that have a tangent (<paramref name="tangent"/> gives null for none).</summary>
    public static Value Tangent(IrBuilder b, CallOp c, Func<Value, Value?> tangent)
    {
        if (c.Rule!.Partials.FirstOrDefault(p => p.Seed >= 0) is { Method: { } jvp })
        {
            // A JVP rule takes the tangents as they are: one call.
            var args = JvpArgs(b, c.Args, c, j => tangent(c.Args[j]) ?? b.Zero(c.Args[j].Type));
            var result = b.NewValue(c.Outs[0].Type, "");
            b.Emit(new CallOp(new[] { result }.ToEquatableArray(), jvp, args));
            return result;
        }
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
