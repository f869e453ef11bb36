using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Static local functions, inlined at each call: their parameters are bound to the lowered
/// arguments and their body lowered in place (a static local function cannot touch the caller's
/// locals, so nothing but its result flows back).
/// </summary>
internal sealed partial class PrimalLowering
{
    private readonly HashSet<ISymbol> _inlining = new(SymbolEqualityComparer.Default);

    private Value? LowerLocalFunctionCall(IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args, InvocationExpressionSyntax inv,
        bool asStatement)
    {
        var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_ct) as LocalFunctionStatementSyntax
            ?? throw new UnsupportedException($"the local function '{method.Name}' has no body here", inv);
        if (!syntax.Modifiers.Any(SyntaxKind.StaticKeyword))
            throw new UnsupportedException(
                $"local function '{method.Name}' is not static; mark it 'static' (it is inlined at its calls, and a local " +
                "function that captures the method's locals is not supported)", syntax);
        if (method.IsGenericMethod) throw new UnsupportedException($"generic local function '{method.Name}' is not supported", syntax);
        if (!_inlining.Add(method))
            throw new UnsupportedException(DslDiagnostics.Recursion,
                $"local function '{method.Name}' calls itself; recursion is not supported, write a loop", inv);
        if (!method.ReturnsVoid && asStatement) throw new UnsupportedException($"the result of '{method.Name}' is discarded", inv);
        if (method.ReturnsVoid && !asStatement) throw new UnsupportedException($"'{method.Name}' returns nothing", inv);
        var rt = method.ReturnsVoid ? null : MapType(method.ReturnType, false);
        if (!method.ReturnsVoid && (rt is null || rt.IsBuffer))
            throw new UnsupportedException(
                $"local function '{method.Name}' returns '{method.ReturnType.ToDisplayString()}'; return float, double, int, bool or void",
                syntax);

        var bound = BindLocalFunctionArguments(method, args, inv);
        var saved = _env;
        _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);
        foreach (var (p, v) in bound) _env[p] = v;
        Value? result;
        if (syntax.ExpressionBody is { } arrow)
        {
            if (rt is null)
            {
                LowerExpressionStatement(arrow.Expression);
                result = null;
            }
            else result = Coerce(LowerExpr(arrow.Expression), rt, arrow.Expression);
        }
        else
        {
            var yields = LowerSequence(Flatten(syntax.Body!.Statements), 0, rt);
            result = yields.Count > 0 ? yields[0] : null;
        }
        _env = saved;
        _inlining.Remove(method);
        return result;
    }

    private List<(IParameterSymbol, Value)> BindLocalFunctionArguments(IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args,
        InvocationExpressionSyntax inv)
    {
        var bound = new List<(IParameterSymbol, Value)>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var p = method.Parameters[i];
            if (i >= args.Count)
                throw new UnsupportedException($"optional arguments are not supported; pass every argument of '{method.Name}'", inv);
            if (p.RefKind != RefKind.None || p.IsParams)
                throw new UnsupportedException(
                    $"parameter '{p.Name}' of local function '{method.Name}' is passed by reference or params; pass it by value", inv);
            var pt = MapType(p.Type, true)
                ?? throw new UnsupportedException($"parameter '{p.Name}' of '{method.Name}' has a type outside the subset", inv);
            if (pt.IsBuffer)
            {
                var buffer = LowerBufferRef(args[i].Expression);
                if (pt.Buffer == BufferKind.Span && buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array)
                    throw new UnsupportedException(
                        $"'{buffer.Name}' is read-only but '{method.Name}' writes parameter '{p.Name}'", args[i]);
                bound.Add((p, buffer));
            }
            else bound.Add((p, Coerce(LowerExpr(args[i].Expression), pt, args[i])));
        }
        return bound;
    }
}
