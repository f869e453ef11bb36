using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Calls: <c>Math</c>/<c>MathF</c> functions and calls of other differentiable or generated methods.
/// </summary>
internal sealed partial class PrimalLowering
{
    private Value? LowerInvocation(InvocationExpressionSyntax inv, bool asStatement)
    {
        var method = _model.GetSymbolInfo(inv, _ct).Symbol as IMethodSymbol
            ?? throw new UnsupportedException($"the call '{Short(inv)}' could not be resolved", inv);
        var args = inv.ArgumentList.Arguments;
        foreach (var a in args)
        {
            if (!a.RefKindKeyword.IsKind(SyntaxKind.None))
                throw new UnsupportedException($"'{a.RefKindKeyword.Text}' arguments are not supported", a);
            if (a.NameColon is not null)
                throw new UnsupportedException("named arguments are not supported; pass arguments in order", a);
        }
        if (method.MethodKind == MethodKind.LocalFunction) return LowerLocalFunctionCall(method, args, inv, asStatement);
        var container = method.ContainingType?.ToDisplayString();
        if (container is "System.Math" or "System.MathF")
        {
            if (asStatement) throw new UnsupportedException($"the result of '{method.Name}' is discarded", inv);
            if (method.Name == "Sign" && args.Count == 1 && MapType(method.Parameters[0].Type, false) is { IsFloat: true } signType)
            {
                // Math.Sign returns an int: the sign in the argument's type, converted.
                var sign = _b.Unary(UnOp.Sign, Coerce(LowerExpr(args[0].Expression), signType, args[0]));
                return _b.Unary(UnOp.Convert, sign, "", IrType.I32);
            }
            var type = MapType(method.ReturnType, false);
            if (type is null || !type.IsFloat)
                throw new UnsupportedException(
                    $"'{container}.{method.Name}' with these argument types is not supported; call it on float or double", inv);
            // The primitives table decides what Math/MathF functions lower to (and lists them for the message).
            if (Primitives.FromClr(method.Name, args.Count) is { } row)
            {
                var operands = args.Select(a => Coerce(LowerExpr(a.Expression), type, a)).ToArray();
                return row.Kind switch
                {
                    UnOp u => _b.Unary(u, operands[0]),
                    BinOp bop => _b.Binary(bop, operands[0], operands[1]),
                    _ => _b.Ternary((TernOp)row.Kind, operands[0], operands[1], operands[2]),
                };
            }
            throw new UnsupportedException($"'{container}.{method.Name}' is not in the supported set ({Primitives.SupportedNames})", inv);
        }
        return LowerDifferentiableCall(method, args, inv, asStatement);
    }

    /// <summary>A call of a [Differentiable] method, or of a generated one that returns its result.</summary>
    private Value? LowerDifferentiableCall(
        IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args, InvocationExpressionSyntax inv, bool asStatement)
    {
        var generated = method.GetAttributes().Any(a => InheritsFrom(a.AttributeClass, "Dsl.TransformAttribute"));
        if (!generated && !method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute))
        {
            if (Rules.UserRules.Resolve(method, _model.Compilation, _ct) is { } rule)
                return LowerRuledCall(method, args, inv, asStatement, rule);
            throw new UnsupportedException(DslDiagnostics.CalleeNotDifferentiable,
                $"calls '{method.Name}', which is not [Differentiable]; mark it [Differentiable], inline it, or declare its " +
                "derivative with [DerivativeOf] (docs/custom-rules.md)", inv,
                Failures.Callee, method.OriginalDefinition.GetDocumentationCommentId() ?? "");
        }
        if (generated && method.Parameters.Any(p => p.RefKind != RefKind.None))
            throw new UnsupportedException(
                $"calls generated method '{method.Name}', which has out parameters; only generated methods that return " +
                "their result (operators such as [Laplacian]) can be called from a differentiable method", inv);
        if (method.IsGenericMethod) throw new UnsupportedException($"generic method '{method.Name}' is not supported", inv);
        if (!method.ReturnsVoid && asStatement)
            throw new UnsupportedException($"the result of '{method.Name}' is discarded", inv);
        if (method.ReturnsVoid && !asStatement)
            throw new UnsupportedException($"'{method.Name}' returns nothing", inv);
        var values = new List<Value>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (i >= args.Count)
                throw new UnsupportedException($"optional arguments are not supported; pass every argument of '{method.Name}'", inv);
            var p = method.Parameters[i];
            var pt = MapType(p.Type, true) ?? throw new UnsupportedException($"'{method.Name}' has a parameter outside the subset", inv);
            if (pt.IsBuffer)
            {
                var buffer = LowerBufferRef(args[i].Expression);
                if (pt.Buffer == BufferKind.Span && buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array)
                    throw new UnsupportedException(
                        $"'{buffer.Name}' is read-only but '{method.Name}' writes parameter '{p.Name}'", args[i]);
                values.Add(buffer);
            }
            else
            {
                values.Add(Coerce(LowerExpr(args[i].Expression), pt, args[i]));
            }
        }
        var key = KeyOf(method);
        _callees.Add(key);
        var outs = new List<Value>();
        if (!method.ReturnsVoid)
        {
            var rt = MapType(method.ReturnType, false)
                ?? throw new UnsupportedException($"'{method.Name}' returns a type outside the subset", inv);
            outs.Add(_b.NewValue(rt, ""));
        }
        _b.Emit(new CallOp(outs.ToEquatableArray(), key, values.ToEquatableArray()));
        return outs.Count > 0 ? outs[0] : null;
    }
}
