using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>Thrown inside the frontend when a construct is outside the subset; never escapes it.</summary>
/// <remarks>Most are DSL0001 (a construct outside the subset); a refusal of another family (a call of a method that is not
/// differentiable, DSL0009) names its descriptor and the properties its code fix reads.</remarks>
internal sealed class UnsupportedException : Exception
{
    public UnsupportedException(string reason, SyntaxNode? node = null) : base(reason) => Node = node;

    public UnsupportedException(DiagnosticDescriptor family, string reason, SyntaxNode? node, params string[] properties)
        : base(reason)
    {
        Node = node;
        Family = family;
        Properties = properties;
    }

    public SyntaxNode? Node { get; }

    public DiagnosticDescriptor Family { get; } = DslDiagnostics.NotDifferentiable;

    public string[] Properties { get; } = Array.Empty<string>();
}

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method to IR. This is the one place that
/// decides what C# the DSL accepts: every rejection carries a reason that names the construct
/// and says what to write instead.
/// Split by concern: this file holds the entry points, types, keys and the method itself;
/// <c>.Returns</c> early returns, <c>.Statements</c>, <c>.Loops</c> (<c>for</c>, <c>foreach</c>), <c>.LoopConditions</c>
/// (affine loop conditions), <c>.LoopExits</c> (<c>continue</c>, <c>break</c>, <c>return</c> in loops), <c>.Switch</c>,
/// <c>.LocalFunctions</c> (inlined static local functions), <c>.Expressions</c>, <c>.Calls</c>.
/// </summary>
internal sealed partial class PrimalLowering
{
    public const string DifferentiableAttribute = "Dsl.DifferentiableAttribute";

    private readonly SemanticModel _model;
    private readonly CancellationToken _ct;
    private readonly IrBuilder _b = new();
    private readonly HashSet<string> _callees = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ruleCallees = new(StringComparer.Ordinal);

    // Current SSA binding of each local and parameter (mutation = rebinding).
    private Dictionary<ISymbol, Value> _env = new(SymbolEqualityComparer.Default);

    private PrimalLowering(SemanticModel model, CancellationToken ct)
    {
        _model = model;
        _ct = ct;
    }

    /// <summary>The key that identifies a method across the pipeline (type, name and parameter types).</summary>
    public static string KeyOf(IMethodSymbol m) =>
        m.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + m.Name + "(" +
        string.Join(", ", m.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")";

    public static string TypeKeyOf(INamedTypeSymbol t) => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    /// <summary>Maps a C# type to the IR, or null when the subset has no such type.</summary>
    public static IrType? MapType(ITypeSymbol type, bool isParameter)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Single: return IrType.F32;
            case SpecialType.System_Double: return IrType.F64;
            case SpecialType.System_Int32: return IrType.I32;
            case SpecialType.System_Boolean: return IrType.Bool;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } arr && FloatKind(arr.ElementType) is { } ak)
        {
            return IrType.Buf(ak, isParameter ? BufferKind.Array : BufferKind.Heap);
        }
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named &&
            named.ContainingNamespace?.ToDisplayString() == "System" &&
            FloatKind(named.TypeArguments[0]) is { } sk)
        {
            if (named.Name == "ReadOnlySpan") return IrType.Buf(sk, BufferKind.ReadOnlySpan);
            if (named.Name == "Span") return IrType.Buf(sk, isParameter ? BufferKind.Span : BufferKind.Stack);
        }
        return null;
    }

    private static bool InheritsFrom(INamedTypeSymbol? type, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == name) return true;
        }
        return false;
    }

    private static ScalarKind? FloatKind(ITypeSymbol t) => t.SpecialType switch
    {
        SpecialType.System_Single => ScalarKind.F32,
        SpecialType.System_Double => ScalarKind.F64,
        _ => null,
    };

    public static ParamModel ParamOf(IParameterSymbol p) => new(
        p.Name,
        p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
        p.RefKind switch
        {
            RefKind.Out => "out", RefKind.Ref => "ref", RefKind.In => "in", RefKind.RefReadOnlyParameter => "ref readonly", _ => "",
        },
        MapType(p.Type, isParameter: true));

    /// <summary>Lowers <paramref name="method"/>; never throws (failures come back in the model).</summary>
    public static PrimalModel Lower(IMethodSymbol method, SemanticModel model, CancellationToken ct)
    {
        var key = KeyOf(method);
        var parameters = method.Parameters.Select(ParamOf).ToEquatableArray();
        var returnType = method.ReturnsVoid ? null : MapType(method.ReturnType, isParameter: false);
        var returnText = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var typeKey = TypeKeyOf(method.ContainingType);
        try
        {
            var lowering = new PrimalLowering(model, ct);
            var fn = lowering.LowerMethod(method, key);
            return new PrimalModel(key, typeKey, method.Name, returnText, returnType, parameters, fn, null,
                lowering._callees.OrderBy(c => c, StringComparer.Ordinal).Select(FunctionKey.Primal).ToEquatableArray(),
                method.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal,
                lowering._ruleCallees.OrderBy(c => c, StringComparer.Ordinal).Select(FunctionKey.Primal).ToEquatableArray());
        }
        catch (UnsupportedException ex)
        {
            return new PrimalModel(key, typeKey, method.Name, returnText, returnType, parameters, null,
                Describe(method, ex), EquatableArray<FunctionKey>.Empty);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A bug of ours must not take the compiler down: report it as a reason instead.
            return new PrimalModel(key, typeKey, method.Name, returnText, returnType, parameters, null,
                $"'{method.Name}' could not be lowered because of an internal error ({ex.GetType().Name}: {ex.Message}); please report it",
                EquatableArray<FunctionKey>.Empty);
        }
    }

    /// <summary>Checks <paramref name="method"/> and returns the first reason it is outside the subset, with where.</summary>
    public static (string? Reason, SyntaxNode? Node) Check(IMethodSymbol method, SemanticModel model, CancellationToken ct)
    {
        try
        {
            new PrimalLowering(model, ct).LowerMethod(method, KeyOf(method));
            return (null, null);
        }
        catch (UnsupportedException ex)
        {
            return (Describe(method, ex), ex.Node);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return ($"internal error ({ex.GetType().Name}: {ex.Message})", null);
        }
    }

    private static string Describe(IMethodSymbol method, UnsupportedException ex)
    {
        var where = "";
        if (ex.Node is { } node)
        {
            var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            where = $" (line {line})";
        }
        var properties = ex.Properties;
        // The construct's kind, for a code fix that rewrites it (a 'while' loop into a 'for').
        if (ex.Node is { } n && ex.Family == DslDiagnostics.NotDifferentiable)
            properties = properties.Concat(new[] { Failures.Construct, n.Kind().ToString() }).ToArray();
        return Failures.Tag(ex.Family, $"'{method.Name}' cannot be differentiated{where}: {ex.Message}", properties);
    }

    // ------------------------------------------------------------------ method

    private Function LowerMethod(IMethodSymbol method, string key)
    {
        if (!method.IsStatic)
            throw new UnsupportedException(DslDiagnostics.NameofTarget, "it is not static; differentiable methods must be static",
                null, Failures.Modifier, "static", Failures.Target, method.GetDocumentationCommentId() ?? "");
        if (method.IsGenericMethod) throw new UnsupportedException("generic methods are not supported; write it for float or double");
        if (method.IsAsync) throw new UnsupportedException("async methods are not supported");
        // A partial method's body is in its implementation part.
        var withBody = method.PartialImplementationPart ?? method;
        if (withBody.DeclaringSyntaxReferences.Length == 0)
            throw new UnsupportedException("its body is not in this compilation");
        var syntax = withBody.DeclaringSyntaxReferences[0].GetSyntax(_ct) as MethodDeclarationSyntax
            ?? throw new UnsupportedException("it is not an ordinary method declaration");
        if (syntax.Body is null && syntax.ExpressionBody is null)
            throw new UnsupportedException("it has no body", syntax);

        if (!method.ReturnsVoid)
        {
            var rt = MapType(method.ReturnType, false);
            if (rt is null || !rt.IsFloat)
                throw new UnsupportedException(
                    $"it returns '{method.ReturnType.ToDisplayString()}'; a differentiable method returns float, double or void",
                    syntax.ReturnType);
        }

        var args = new List<Value>();
        // The body binds the parameters of the part it belongs to.
        foreach (var p in withBody.Parameters)
        {
            if (p.RefKind != RefKind.None)
                throw new UnsupportedException(
                    $"parameter '{p.Name}' is passed by '{p.RefKind.ToString().ToLowerInvariant()}'; " +
                    "pass scalars by value and write results to a Span<T>",
                    p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_ct));
            if (p.IsParams) throw new UnsupportedException($"parameter '{p.Name}' is a params array; use a ReadOnlySpan<T>");
            var t = MapType(p.Type, true)
                ?? throw new UnsupportedException(
                    $"parameter '{p.Name}' has type '{p.Type.ToDisplayString()}'; " +
                    "supported are float, double, int, bool, ReadOnlySpan<T>, Span<T> and T[] of float or double",
                    p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_ct));
            var v = _b.NewValue(t, p.Name);
            args.Add(v);
            _env[p] = v;
        }

        var isVoid = method.ReturnsVoid;
        var retType = isVoid ? null : MapType(method.ReturnType, false);
        EquatableArray<Value> yields;
        if (syntax.ExpressionBody is { } arrow)
        {
            if (isVoid)
            {
                LowerExpressionStatement(arrow.Expression);
                yields = EquatableArray<Value>.Empty;
            }
            else
            {
                yields = new[] { Coerce(LowerExpr(arrow.Expression), retType!, arrow.Expression) }.ToEquatableArray();
            }
        }
        else
        {
            var result = LowerSequence(Flatten(syntax.Body!.Statements), 0, retType);
            yields = result.ToEquatableArray();
        }
        var ops = _b.EndBlock();
        return new Function(key, method.Name, new Region(args.ToEquatableArray(), ops, yields));
    }

    private static List<StatementSyntax> Flatten(IEnumerable<StatementSyntax> statements)
    {
        var list = new List<StatementSyntax>();
        foreach (var s in statements)
        {
            if (s is BlockSyntax block) list.AddRange(Flatten(block.Statements));
            else if (s is not EmptyStatementSyntax) list.Add(s);
        }
        return list;
    }
}
