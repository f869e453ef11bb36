using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>Calls of methods with a derivative rule (<c>[DerivativeOf]</c> or a built-in one): a call that carries the rule.</summary>
internal sealed partial class PrimalLowering
{
    private Value LowerRuledCall(IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args, InvocationExpressionSyntax inv,
        bool asStatement, ExternRule rule)
    {
        if (asStatement) throw new UnsupportedException($"the result of '{method.Name}' is discarded", inv);
        if (method.IsGenericMethod) throw new UnsupportedException($"generic method '{method.Name}' is not supported", inv);
        var rt = MapType(method.ReturnType, false);
        if (rt is null || !rt.IsFloat)
            throw new UnsupportedException(
                $"'{rule.Name}' returns '{method.ReturnType.ToDisplayString()}'; a rule is for float or double", inv);
        var values = new List<Value>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (i >= args.Count)
                throw new UnsupportedException($"optional arguments are not supported; pass every argument of '{method.Name}'", inv);
            var p = method.Parameters[i];
            var pt = MapType(p.Type, true);
            if (pt is null || pt.IsBuffer || p.RefKind != RefKind.None)
                throw new UnsupportedException(
                    $"'{rule.Name}' has parameter '{p.Name}' of type '{p.Type.ToDisplayString()}'; " +
                    "derivative rules are for scalar parameters", inv);
            values.Add(Coerce(LowerExpr(args[i].Expression), pt, args[i]));
        }
        // The user's rule methods are primals of their own: lowered, checked and called like any callee.
        foreach (var partial in rule.Partials)
        {
            if (partial.Method is { } m) _ruleCallees.Add(m.Method);
        }
        var result = _b.NewValue(rt, "");
        _b.Emit(new CallOp(new[] { result }.ToEquatableArray(), FunctionKey.Primal(KeyOf(method)), values.ToEquatableArray(), rule));
        return result;
    }
}
