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
internal sealed class UnsupportedException : Exception
{
    public UnsupportedException(string reason, SyntaxNode? node = null) : base(reason) => Node = node;

    public SyntaxNode? Node { get; }
}

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method to IR. This is the one place that
/// decides what C# the DSL accepts: every rejection carries a reason that names the construct
/// and says what to write instead.
/// </summary>
internal sealed class PrimalLowering
{
    public const string DifferentiableAttribute = "Dsl.DifferentiableAttribute";

    private readonly SemanticModel _model;
    private readonly CancellationToken _ct;
    private readonly IrBuilder _b = new();
    private readonly HashSet<string> _callees = new(StringComparer.Ordinal);

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
        p.RefKind switch { RefKind.Out => "out", RefKind.Ref => "ref", RefKind.In => "in", RefKind.RefReadOnlyParameter => "ref readonly", _ => "" },
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
                lowering._callees.OrderBy(c => c, StringComparer.Ordinal).ToEquatableArray(),
                method.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal);
        }
        catch (UnsupportedException ex)
        {
            return new PrimalModel(key, typeKey, method.Name, returnText, returnType, parameters, null,
                Describe(method, ex), EquatableArray<string>.Empty);
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
                EquatableArray<string>.Empty);
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
        return $"'{method.Name}' cannot be differentiated{where}: {ex.Message}";
    }

    // ------------------------------------------------------------------ method

    private Function LowerMethod(IMethodSymbol method, string key)
    {
        if (!method.IsStatic) throw new UnsupportedException("it is not static; differentiable methods must be static");
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
                throw new UnsupportedException($"it returns '{method.ReturnType.ToDisplayString()}'; a differentiable method returns float, double or void", syntax.ReturnType);
        }

        var args = new List<Value>();
        // The body binds the parameters of the part it belongs to.
        foreach (var p in withBody.Parameters)
        {
            if (p.RefKind != RefKind.None)
                throw new UnsupportedException($"parameter '{p.Name}' is passed by '{p.RefKind.ToString().ToLowerInvariant()}'; pass scalars by value and write results to a Span<T>", p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_ct));
            if (p.IsParams) throw new UnsupportedException($"parameter '{p.Name}' is a params array; use a ReadOnlySpan<T>");
            var t = MapType(p.Type, true)
                ?? throw new UnsupportedException($"parameter '{p.Name}' has type '{p.Type.ToDisplayString()}'; supported are float, double, int, bool, ReadOnlySpan<T>, Span<T> and T[] of float or double",
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

    // ------------------------------------------------------------------ statements

    /// <summary>
    /// Lowers statements[start..] to the end of the method and returns the values the method
    /// returns (empty for void). An <c>if</c> that returns on some path takes the statements
    /// after it into both branches, so every early return becomes a structured yield.
    /// </summary>
    private List<Value> LowerSequence(List<StatementSyntax> statements, int start, IrType? retType)
    {
        for (var i = start; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            switch (s)
            {
                case ReturnStatementSyntax ret:
                    if (ret.Expression is null) return new List<Value>();
                    Note(ret);
                    if (retType is null) throw new UnsupportedException("a void method returns a value", ret);
                    return new List<Value> { Coerce(LowerExpr(ret.Expression), retType, ret.Expression) };
                case IfStatementSyntax ifs when ContainsReturn(ifs):
                    Note(ifs);
                    return LowerReturningIf(ifs, statements, i + 1, retType);
                default:
                    LowerStatement(s);
                    break;
            }
        }
        if (retType is not null)
            throw new UnsupportedException("not every path returns a value");
        return new List<Value>();
    }

    private static bool ContainsReturn(SyntaxNode node) =>
        node.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
            .OfType<ReturnStatementSyntax>().Any();

    private int _duplicated;

    /// <summary>Statements (at any depth) the tail of a returning 'if' may copy before the flag form is used.</summary>
    private const int DuplicationBudget = 16;

    private List<Value> LowerReturningIf(IfStatementSyntax ifs, List<StatementSyntax> rest, int restStart, IrType? retType)
    {
        var tail = rest.Skip(restStart).ToList();
        var tailSize = tail.Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
        if (_duplicated + tailSize > DuplicationBudget)
        {
            // Copying the tail into both branches would grow the code exponentially with the
            // number of early returns: record "returned" in a flag instead, once.
            var (done, ret) = LowerMaybeReturning(new List<StatementSyntax> { ifs }, retType);
            return ContinueUnlessDone(done, ret, tail, retType);
        }
        _duplicated += tailSize;
        var cond = LowerCondition(ifs.Condition);
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        var thenStatements = Flatten(new[] { ifs.Statement });
        thenStatements.AddRange(tail);
        var thenYields = LowerSequence(thenStatements, 0, retType);
        var thenOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        var elseStatements = ifs.Else is null ? new List<StatementSyntax>() : Flatten(new[] { ifs.Else.Statement });
        elseStatements.AddRange(tail);
        var elseYields = LowerSequence(elseStatements, 0, retType);
        var elseOps = _b.EndBlock();
        _env = saved;

        var outs = thenYields.Select(v => _b.NewValue(v.Type, "")).ToEquatableArray();
        _b.Emit(new IfOp(outs, cond,
            new Region(EquatableArray<Value>.Empty, thenOps, thenYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, elseYields.ToEquatableArray())));
        return outs.ToList();
    }

    /// <summary>The method's result: <paramref name="ret"/> when <paramref name="done"/>, else what the tail returns.</summary>
    private List<Value> ContinueUnlessDone(Value done, Value? ret, List<StatementSyntax> tail, IrType? retType)
    {
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var thenOps = _b.EndBlock();
        _b.BeginBlock();
        var elseYields = LowerSequence(tail, 0, retType);
        var elseOps = _b.EndBlock();
        _env = saved;
        var thenYields = ret is null ? new List<Value>() : new List<Value> { ret };
        var outs = elseYields.Select(v => _b.NewValue(v.Type, "")).ToEquatableArray();
        _b.Emit(new IfOp(outs, done,
            new Region(EquatableArray<Value>.Empty, thenOps, thenYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, elseYields.ToEquatableArray())));
        return outs.ToList();
    }

    /// <summary>
    /// Lowers statements that may return: yields whether they returned and what (the flag
    /// form of early return); on the fall-through path the environment holds the locals.
    /// </summary>
    private (Value Done, Value? Ret) LowerMaybeReturning(List<StatementSyntax> statements, IrType? retType)
    {
        Value? Placeholder() => retType is null ? null : _b.Const(0, retType);
        for (var i = 0; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            if (s is ReturnStatementSyntax ret)
            {
                Note(ret);
                var value = ret.Expression is null ? null : Coerce(LowerExpr(ret.Expression), retType!, ret.Expression);
                return (_b.Const(1, IrType.Bool), value);
            }
            if (s is not IfStatementSyntax ifs || !ContainsReturn(ifs))
            {
                LowerStatement(s);
                continue;
            }
            Note(ifs);
            var cond = LowerCondition(ifs.Condition);
            var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
            (EquatableArray<Op> Ops, Value Done, Value? Ret, Dictionary<ISymbol, Value> Env) Branch(StatementSyntax? body)
            {
                _env = new Dictionary<ISymbol, Value>(outer, SymbolEqualityComparer.Default);
                _b.BeginBlock();
                var (d, r) = body is null ? (_b.Const(0, IrType.Bool), Placeholder()) : LowerMaybeReturning(Flatten(new[] { body }), retType);
                return (_b.EndBlock(), d, r, _env);
            }
            var then = Branch(ifs.Statement);
            var @else = Branch(ifs.Else?.Statement);
            _env = outer;
            var changed = outer.Keys.Where(k => !then.Env[k].Equals(outer[k]) || !@else.Env[k].Equals(outer[k])).OrderBy(k => outer[k].Id).ToList();
            Region Yield((EquatableArray<Op> Ops, Value Done, Value? Ret, Dictionary<ISymbol, Value> Env) b)
            {
                var ys = new List<Value> { b.Done };
                if (b.Ret is not null) ys.Add(b.Ret);
                ys.AddRange(changed.Select(k => b.Env[k]));
                return new Region(EquatableArray<Value>.Empty, b.Ops, ys.ToEquatableArray());
            }
            var thenRegion = Yield(then);
            var elseRegion = Yield(@else);
            var done = _b.NewValue(IrType.Bool, "returned");
            var outs = new List<Value> { done };
            Value? result = null;
            if (retType is not null)
            {
                result = _b.NewValue(retType, "result");
                outs.Add(result);
            }
            var varOuts = changed.Select(k => _b.NewValue(outer[k].Type, k.Name)).ToList();
            outs.AddRange(varOuts);
            _b.Emit(new IfOp(outs.ToEquatableArray(), cond, thenRegion, elseRegion));
            for (var k = 0; k < changed.Count; k++) _env[changed[k]] = varOuts[k];
            // The rest runs only when nothing returned.
            var rest = statements.Skip(i + 1).ToList();
            if (rest.Count == 0) return (done, result);
            var before = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
            _b.BeginBlock();
            var skipOps = _b.EndBlock();
            _b.BeginBlock();
            var (restDone, restRet) = LowerMaybeReturning(rest, retType);
            var restOps = _b.EndBlock();
            var restEnv = _env;
            _env = before;
            var changed2 = before.Keys.Where(k => !restEnv[k].Equals(before[k])).OrderBy(k => before[k].Id).ToList();
            var skipYields = new List<Value> { done };
            var runYields = new List<Value> { restDone };
            if (result is not null) { skipYields.Add(result); runYields.Add(restRet!); }
            skipYields.AddRange(changed2.Select(k => before[k]));
            runYields.AddRange(changed2.Select(k => restEnv[k]));
            var done2 = _b.NewValue(IrType.Bool, "returned");
            var outs2 = new List<Value> { done2 };
            Value? result2 = null;
            if (retType is not null)
            {
                result2 = _b.NewValue(retType, "result");
                outs2.Add(result2);
            }
            var varOuts2 = changed2.Select(k => _b.NewValue(before[k].Type, k.Name)).ToList();
            outs2.AddRange(varOuts2);
            _b.Emit(new IfOp(outs2.ToEquatableArray(), done,
                new Region(EquatableArray<Value>.Empty, skipOps, skipYields.ToEquatableArray()),
                new Region(EquatableArray<Value>.Empty, restOps, runYields.ToEquatableArray())));
            for (var k = 0; k < changed2.Count; k++) _env[changed2[k]] = varOuts2[k];
            return (done2, result2);
        }
        return (_b.Const(0, IrType.Bool), Placeholder());
    }

    /// <summary>One line of source for a note: whitespace folded, long text cut.</summary>
    private static string NoteText(string text)
    {
        var folded = System.Text.RegularExpressions.Regex.Replace(text.Trim(), @"\s+", " ");
        return folded.Length > 90 ? folded.Substring(0, 87) + "..." : folded;
    }

    private void Note(StatementSyntax s)
    {
        var text = s switch
        {
            ForStatementSyntax f => $"for ({f.Declaration}; {f.Condition}; {string.Join(", ", f.Incrementors)})",
            IfStatementSyntax i => $"if ({i.Condition})",
            _ => s.ToString(),
        };
        _b.Emit(new NoteOp(NoteText(text)));
    }

    private void LowerStatement(StatementSyntax s)
    {
        if (s is LocalDeclarationStatementSyntax or ExpressionStatementSyntax or ForStatementSyntax or IfStatementSyntax) Note(s);
        switch (s)
        {
            case BlockSyntax block:
                foreach (var inner in block.Statements) LowerStatement(inner);
                return;
            case EmptyStatementSyntax:
                return;
            case LocalDeclarationStatementSyntax decl:
                LowerLocalDeclaration(decl);
                return;
            case ExpressionStatementSyntax es:
                LowerExpressionStatement(es.Expression);
                return;
            case IfStatementSyntax ifs:
                LowerIf(ifs);
                return;
            case ForStatementSyntax fs:
                LowerFor(fs);
                return;
            case ReturnStatementSyntax ret:
                throw new UnsupportedException("'return' inside a loop is not supported; keep a flag or the result in a local and return after the loop", ret);
            case WhileStatementSyntax:
                throw new UnsupportedException("'while' loops are not supported; use a 'for' loop with a bound", s);
            case DoStatementSyntax:
                throw new UnsupportedException("'do' loops are not supported; use a 'for' loop with a bound", s);
            case ForEachStatementSyntax:
                throw new UnsupportedException("'foreach' is not supported; index the span in a 'for' loop", s);
            case BreakStatementSyntax:
                throw new UnsupportedException("'break' is not supported; loops run their whole range (put the rest of the body in an 'if')", s);
            case ContinueStatementSyntax:
                throw new UnsupportedException("'continue' is not supported; put the rest of the loop body in an 'if'", s);
            case SwitchStatementSyntax:
                throw new UnsupportedException("'switch' is not supported; use if/else", s);
            case TryStatementSyntax:
                throw new UnsupportedException("'try' is not supported in a differentiable method", s);
            case ThrowStatementSyntax:
                throw new UnsupportedException("'throw' is not supported; validate inputs before calling the differentiable method", s);
            case LocalFunctionStatementSyntax:
                throw new UnsupportedException("local functions are not supported; make it a [Differentiable] static method", s);
            case GotoStatementSyntax:
                throw new UnsupportedException("'goto' is not supported", s);
            case LockStatementSyntax:
                throw new UnsupportedException("'lock' is not supported", s);
            case UsingStatementSyntax:
                throw new UnsupportedException("'using' is not supported", s);
            case UnsafeStatementSyntax or FixedStatementSyntax:
                throw new UnsupportedException("unsafe code is not supported", s);
            case CheckedStatementSyntax:
                throw new UnsupportedException("'checked'/'unchecked' blocks are not supported", s);
            case YieldStatementSyntax:
                throw new UnsupportedException("iterators are not supported", s);
            default:
                throw new UnsupportedException($"the statement '{Short(s)}' is not supported", s);
        }
    }

    private static string Short(SyntaxNode n)
    {
        var text = n.ToString().Replace("\r", " ").Replace("\n", " ");
        return text.Length > 40 ? text.Substring(0, 40) + "…" : text;
    }

    private void LowerLocalDeclaration(LocalDeclarationStatementSyntax decl)
    {
        if (decl.IsConst)
        {
            foreach (var v in decl.Declaration.Variables)
            {
                if (_model.GetDeclaredSymbol(v, _ct) is ILocalSymbol { HasConstantValue: true } c && MapType(c.Type, false) is { IsBuffer: false } ct)
                    _env[c] = _b.Const(ToDouble(c.ConstantValue), ct, c.Name);
                else throw new UnsupportedException("a constant of this type is not supported", v);
            }
            return;
        }
        if (decl.UsingKeyword.IsKind(SyntaxKind.UsingKeyword)) throw new UnsupportedException("'using' declarations are not supported", decl);
        foreach (var v in decl.Declaration.Variables)
        {
            var symbol = _model.GetDeclaredSymbol(v, _ct) as ILocalSymbol ?? throw new UnsupportedException("unknown local", v);
            if (symbol.IsRef) throw new UnsupportedException($"ref local '{symbol.Name}' is not supported", v);
            var type = MapType(symbol.Type, false)
                ?? throw new UnsupportedException($"local '{symbol.Name}' has type '{symbol.Type.ToDisplayString()}'; supported are float, double, int, bool, Span<T> and T[] of float or double", v);
            if (type.IsBuffer)
            {
                if (v.Initializer is null) throw new UnsupportedException($"span or array '{symbol.Name}' must be initialized with stackalloc or new", v);
                _env[symbol] = LowerBufferInit(symbol, type, v.Initializer.Value);
            }
            else if (v.Initializer is null)
            {
                // C#'s definite assignment guarantees a write before any read.
                _env[symbol] = _b.Const(0, type, symbol.Name);
            }
            else
            {
                var value = Coerce(LowerExpr(v.Initializer.Value), type, v.Initializer.Value);
                _env[symbol] = Rename(value, symbol.Name);
            }
        }
    }

    /// <summary>Gives a freshly computed value the source name of the local it is assigned to (for readable output).</summary>
    private Value Rename(Value v, string name)
    {
        if (v.Name == name || _env.Values.Contains(v)) return v;
        return _b.TryRenameLast(v, name);
    }

    private Value LowerBufferInit(ILocalSymbol symbol, IrType declared, ExpressionSyntax init)
    {
        ExpressionSyntax? size = null;
        BufferKind kind;
        var e = init;
        while (e is ParenthesizedExpressionSyntax p) e = p.Expression;
        switch (e)
        {
            case StackAllocArrayCreationExpressionSyntax sa when sa.Type is ArrayTypeSyntax at && at.RankSpecifiers.Count == 1 && at.RankSpecifiers[0].Sizes.Count == 1 && sa.Initializer is null:
                size = at.RankSpecifiers[0].Sizes[0];
                kind = BufferKind.Stack;
                break;
            case ArrayCreationExpressionSyntax ac when ac.Type.RankSpecifiers.Count == 1 && ac.Type.RankSpecifiers[0].Sizes.Count == 1 && ac.Initializer is null:
                size = ac.Type.RankSpecifiers[0].Sizes[0];
                kind = BufferKind.Heap;
                break;
            default:
                throw new UnsupportedException($"'{symbol.Name}' must be a new buffer: 'stackalloc T[n]' or 'new T[n]' (aliasing another span is not supported)", init);
        }
        if (size is OmittedArraySizeExpressionSyntax) throw new UnsupportedException("array initializers are not supported; allocate and assign elements", init);
        var elemType = _model.GetTypeInfo(e, _ct).Type switch
        {
            IArrayTypeSymbol a => FloatKind(a.ElementType),
            IPointerTypeSymbol ptr => FloatKind(ptr.PointedAtType),
            INamedTypeSymbol n when n.TypeArguments.Length == 1 => FloatKind(n.TypeArguments[0]),
            _ => null,
        } ?? declared.Elem;
        if (elemType != declared.Elem) throw new UnsupportedException("the buffer's element type differs from the variable's", init);
        var length = Coerce(LowerExpr(size), IrType.I32, size);
        return _b.Alloc(IrType.Buf(declared.Elem, kind), length, symbol.Name);
    }

    private void LowerExpressionStatement(ExpressionSyntax e)
    {
        switch (e)
        {
            case AssignmentExpressionSyntax a:
                LowerAssignment(a);
                return;
            case PostfixUnaryExpressionSyntax pu when pu.IsKind(SyntaxKind.PostIncrementExpression) || pu.IsKind(SyntaxKind.PostDecrementExpression):
                LowerIncrement(pu.Operand, pu.IsKind(SyntaxKind.PostIncrementExpression) ? 1 : -1);
                return;
            case PrefixUnaryExpressionSyntax pr when pr.IsKind(SyntaxKind.PreIncrementExpression) || pr.IsKind(SyntaxKind.PreDecrementExpression):
                LowerIncrement(pr.Operand, pr.IsKind(SyntaxKind.PreIncrementExpression) ? 1 : -1);
                return;
            case InvocationExpressionSyntax inv:
                var outs = LowerInvocation(inv, asStatement: true);
                _ = outs;
                return;
            default:
                throw new UnsupportedException($"the expression statement '{Short(e)}' is not supported", e);
        }
    }

    private void LowerIncrement(ExpressionSyntax target, int delta)
    {
        var type = TypeOf(target);
        var one = _b.Const(delta, type.IsBuffer ? type.ElementType : type);
        WriteTarget(target, current => _b.Binary(BinOp.Add, current(), one));
    }

    private IrType TypeOf(ExpressionSyntax e)
    {
        var t = _model.GetTypeInfo(e, _ct).Type;
        return (t is null ? null : MapType(t, false)) ?? throw new UnsupportedException($"'{Short(e)}' has a type outside the subset", e);
    }

    private void LowerAssignment(AssignmentExpressionSyntax a)
    {
        var op = a.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => (BinOp?)null,
            SyntaxKind.AddAssignmentExpression => BinOp.Add,
            SyntaxKind.SubtractAssignmentExpression => BinOp.Sub,
            SyntaxKind.MultiplyAssignmentExpression => BinOp.Mul,
            SyntaxKind.DivideAssignmentExpression => BinOp.Div,
            SyntaxKind.ModuloAssignmentExpression => BinOp.Rem,
            _ => throw new UnsupportedException($"the assignment '{a.OperatorToken.Text}' is not supported", a),
        };
        if (a.Left is TupleExpressionSyntax || a.Left is DeclarationExpressionSyntax)
            throw new UnsupportedException("tuple (deconstructing) assignment is not supported; assign one variable at a time", a);
        var targetType = TypeOf(a.Left);
        var elemType = targetType.IsBuffer ? throw new UnsupportedException("assigning a whole span or array is not supported; copy elements in a loop", a) : targetType;
        if (op is null)
        {
            var rhs = Coerce(LowerExpr(a.Right), elemType, a.Right);
            WriteTarget(a.Left, _ => rhs);
        }
        else
        {
            var rhs = LowerExpr(a.Right);
            WriteTarget(a.Left, current =>
            {
                var cur = current();
                var (l, r) = Promote(cur, rhs, a);
                return Coerce(_b.Binary(op.Value, l, r), elemType, a);
            });
        }
    }

    /// <summary>Writes a local, parameter or buffer element; <paramref name="compute"/> gets a reader of the current value.</summary>
    private void WriteTarget(ExpressionSyntax target, Func<Func<Value>, Value> compute)
    {
        while (target is ParenthesizedExpressionSyntax p) target = p.Expression;
        if (target is IdentifierNameSyntax id)
        {
            var symbol = _model.GetSymbolInfo(id, _ct).Symbol;
            if (symbol is ILocalSymbol or IParameterSymbol && _env.TryGetValue(symbol, out var current))
            {
                if (current.Type.IsBuffer) throw new UnsupportedException("reassigning a span or array variable is not supported", target);
                var v = compute(() => current);
                _env[symbol] = Rename(v, symbol.Name);
                return;
            }
            if (symbol is IFieldSymbol or IPropertySymbol)
                throw new UnsupportedException($"writing '{symbol.Name}' (a field or property) is not supported; differentiable methods have no side effects outside their span outputs", target);
            throw new UnsupportedException($"cannot assign to '{id.Identifier.Text}'", target);
        }
        if (target is ElementAccessExpressionSyntax ea)
        {
            var buffer = LowerBufferRef(ea.Expression);
            if (buffer.Type.Buffer is BufferKind.ReadOnlySpan)
                throw new UnsupportedException($"'{buffer.Name}' is read-only", target);
            if (buffer.Type.Buffer is BufferKind.Array)
                throw new UnsupportedException($"array parameter '{buffer.Name}' is an input; write results to a Span<T> parameter", target);
            if (ea.ArgumentList.Arguments.Count != 1) throw new UnsupportedException("only one-dimensional indexing is supported", target);
            var index = Coerce(LowerExpr(ea.ArgumentList.Arguments[0].Expression), IrType.I32, ea);
            var v = compute(() => _b.Load(buffer, index));
            _b.Store(buffer, index, Coerce(v, buffer.Type.ElementType, target));
            return;
        }
        throw new UnsupportedException($"cannot assign to '{Short(target)}'; assign locals or span elements", target);
    }

    private Value LowerBufferRef(ExpressionSyntax e)
    {
        while (e is ParenthesizedExpressionSyntax p) e = p.Expression;
        if (e is IdentifierNameSyntax id)
        {
            var symbol = _model.GetSymbolInfo(id, _ct).Symbol;
            if (symbol is not null && _env.TryGetValue(symbol, out var v) && v.Type.IsBuffer) return v;
            if (symbol is IFieldSymbol or IPropertySymbol)
                throw new UnsupportedException($"'{symbol.Name}' is a field or property; pass it as a ReadOnlySpan<T> parameter", e);
        }
        throw new UnsupportedException($"'{Short(e)}' is not a span or array of the method; index parameters or local buffers", e);
    }

    private void LowerIf(IfStatementSyntax ifs)
    {
        var cond = LowerCondition(ifs.Condition);
        var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        LowerStatement(ifs.Statement);
        var thenEnv = _env;
        var thenOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(outer, SymbolEqualityComparer.Default);

        _b.BeginBlock();
        if (ifs.Else is not null) LowerStatement(ifs.Else.Statement);
        var elseEnv = _env;
        var elseOps = _b.EndBlock();

        // Variables of the enclosing scope that either branch rebinds become the if's results.
        var changed = outer.Keys.Where(k => !thenEnv[k].Equals(outer[k]) || !elseEnv[k].Equals(outer[k]))
            .OrderBy(k => outer[k].Id).ToList();
        var outs = changed.Select(k => _b.NewValue(outer[k].Type, k.Name)).ToEquatableArray();
        _b.Emit(new IfOp(outs, cond,
            new Region(EquatableArray<Value>.Empty, thenOps, changed.Select(k => thenEnv[k]).ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, changed.Select(k => elseEnv[k]).ToEquatableArray())));
        _env = outer;
        for (var i = 0; i < changed.Count; i++) _env[changed[i]] = outs[i];
    }

    private void LowerFor(ForStatementSyntax fs)
    {
        // for (int i = start; i CMP bound; i += step)
        if (fs.Declaration is null || fs.Declaration.Variables.Count != 1 || fs.Initializers.Count != 0)
            throw new UnsupportedException("a 'for' loop must declare one int counter: for (int i = a; i < b; i++)", fs);
        var counterDecl = fs.Declaration.Variables[0];
        var counter = _model.GetDeclaredSymbol(counterDecl, _ct) as ILocalSymbol;
        if (counter is null || counter.Type.SpecialType != SpecialType.System_Int32 || counterDecl.Initializer is null)
            throw new UnsupportedException("the loop counter must be an initialized int", fs);
        var start = Coerce(LowerExpr(counterDecl.Initializer.Value), IrType.I32, counterDecl);

        if (fs.Condition is not BinaryExpressionSyntax cond)
            throw new UnsupportedException("the loop condition must compare the counter with a bound (i < n)", fs);
        var cmp = cond.Kind() switch
        {
            SyntaxKind.LessThanExpression => LoopCmp.Lt,
            SyntaxKind.LessThanOrEqualExpression => LoopCmp.Le,
            SyntaxKind.GreaterThanExpression => LoopCmp.Gt,
            SyntaxKind.GreaterThanOrEqualExpression => LoopCmp.Ge,
            _ => throw new UnsupportedException("the loop condition must be <, <=, > or >= against a bound", cond),
        };
        if (!SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(cond.Left, _ct).Symbol, counter))
            throw new UnsupportedException("the loop condition must have the counter on the left (i < n)", cond);
        if (Mentions(cond.Right, counter))
            throw new UnsupportedException("the loop bound must not depend on the counter", cond.Right);

        if (fs.Incrementors.Count != 1) throw new UnsupportedException("the loop must have one incrementor (i++, i--, i += k)", fs);
        var step = fs.Incrementors[0] switch
        {
            PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostIncrementExpression) && IsCounter(p.Operand, counter) => 1,
            PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostDecrementExpression) && IsCounter(p.Operand, counter) => -1,
            PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreIncrementExpression) && IsCounter(p.Operand, counter) => 1,
            PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreDecrementExpression) && IsCounter(p.Operand, counter) => -1,
            AssignmentExpressionSyntax a when a.IsKind(SyntaxKind.AddAssignmentExpression) && IsCounter(a.Left, counter) => ConstInt(a.Right),
            AssignmentExpressionSyntax a when a.IsKind(SyntaxKind.SubtractAssignmentExpression) && IsCounter(a.Left, counter) => -ConstInt(a.Right),
            _ => throw new UnsupportedException("the loop incrementor must be i++, i--, i += k or i -= k with a constant k", fs.Incrementors[0]),
        };
        if (step == 0) throw new UnsupportedException("the loop step must not be zero", fs);
        if ((step > 0) != (cmp is LoopCmp.Lt or LoopCmp.Le))
            throw new UnsupportedException("the loop's step runs away from its bound", fs);

        // The body must not write the counter.
        foreach (var w in AssignedSymbols(fs.Statement))
        {
            if (SymbolEqualityComparer.Default.Equals(w, counter))
                throw new UnsupportedException("the loop body must not write the loop counter", fs.Statement);
        }
        if (ContainsReturn(fs.Statement))
            throw new UnsupportedException("'return' inside a loop is not supported; keep the result in a local and return after the loop", fs.Statement);

        // The bound is evaluated before the loop (it must not change inside it).
        var boundWrites = AssignedSymbols(fs.Statement).ToList();
        foreach (var s in SymbolsIn(cond.Right))
        {
            if (boundWrites.Any(w => SymbolEqualityComparer.Default.Equals(w, s)))
                throw new UnsupportedException($"the loop bound reads '{s.Name}', which the body changes", cond.Right);
        }
        if (_model.GetTypeInfo(cond.Right, _ct).Type?.SpecialType != SpecialType.System_Int32)
            throw new UnsupportedException("the loop bound must be an int; a float or double bound compares differently — cast it explicitly, e.g. i < (int)Math.Ceiling(t)", cond.Right);
        var bound = Coerce(LowerExpr(cond.Right), IrType.I32, cond.Right);

        // Loop-carried values: the enclosing scope's scalars that the body assigns.
        var carried = AssignedSymbols(fs.Statement)
            .Where(s => _env.ContainsKey(s) && !_env[s].Type.IsBuffer)
            .Distinct<ISymbol>(SymbolEqualityComparer.Default)
            .OrderBy(s => _env[s].Id)
            .ToList();

        var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        var iv = _b.NewValue(IrType.I32, counter.Name);
        var bodyArgs = new List<Value> { iv };
        foreach (var s in carried)
        {
            var arg = _b.NewValue(outer[s].Type, s.Name);
            bodyArgs.Add(arg);
            _env[s] = arg;
        }
        _env[counter] = iv;

        _b.BeginBlock();
        LowerStatement(fs.Statement);
        var bodyOps = _b.EndBlock();
        var yields = carried.Select(s => _env[s]).ToEquatableArray();

        var outs = carried.Select(s => _b.NewValue(outer[s].Type, s.Name)).ToEquatableArray();
        _b.Emit(new ForOp(outs, start, bound, step, cmp, carried.Select(s => outer[s]).ToEquatableArray(),
            new Region(bodyArgs.ToEquatableArray(), bodyOps, yields)));
        _env = outer;
        for (var i = 0; i < carried.Count; i++) _env[carried[i]] = outs[i];
    }

    private bool IsCounter(ExpressionSyntax e, ILocalSymbol counter) =>
        SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(e, _ct).Symbol, counter);

    private int ConstInt(ExpressionSyntax e)
    {
        var c = _model.GetConstantValue(e, _ct);
        if (c.HasValue && c.Value is int k) return k;
        throw new UnsupportedException("the loop step must be a constant int", e);
    }

    private bool Mentions(SyntaxNode node, ISymbol symbol) => SymbolsIn(node).Any(s => SymbolEqualityComparer.Default.Equals(s, symbol));

    private IEnumerable<ISymbol> SymbolsIn(SyntaxNode node)
    {
        foreach (var id in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (_model.GetSymbolInfo(id, _ct).Symbol is { } s and (ILocalSymbol or IParameterSymbol)) yield return s;
        }
    }

    /// <summary>Locals and parameters that a statement assigns (=, op=, ++, --), at any depth.</summary>
    private IEnumerable<ISymbol> AssignedSymbols(SyntaxNode node)
    {
        foreach (var n in node.DescendantNodesAndSelf())
        {
            ExpressionSyntax? target = n switch
            {
                AssignmentExpressionSyntax a => a.Left,
                PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostIncrementExpression) || p.IsKind(SyntaxKind.PostDecrementExpression) => p.Operand,
                PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreIncrementExpression) || p.IsKind(SyntaxKind.PreDecrementExpression) => p.Operand,
                _ => null,
            };
            while (target is ParenthesizedExpressionSyntax p2) target = p2.Expression;
            if (target is IdentifierNameSyntax id && _model.GetSymbolInfo(id, _ct).Symbol is { } s and (ILocalSymbol or IParameterSymbol))
                yield return s;
        }
    }

    // ------------------------------------------------------------------ expressions

    private Value LowerCondition(ExpressionSyntax e)
    {
        var v = LowerExpr(e);
        if (v.Type != IrType.Bool) throw new UnsupportedException("a condition must be a bool", e);
        return v;
    }

    /// <summary>Lowers an expression to a value of its own (natural) type, then applies C#'s implicit conversion.</summary>
    private Value LowerExpr(ExpressionSyntax e)
    {
        _ct.ThrowIfCancellationRequested();
        var info = _model.GetTypeInfo(e, _ct);
        var constant = _model.GetConstantValue(e, _ct);
        Value v;
        if (constant.HasValue && constant.Value is not null && info.Type is not null && MapType(info.Type, false) is { IsBuffer: false } ct)
        {
            // A constant is emitted directly in the type C# converts it to (3 in Math.Pow(x, 3) is a double 3).
            var constType = info.ConvertedType is not null && MapType(info.ConvertedType, false) is { IsBuffer: false } conv && conv != IrType.Bool && ct != IrType.Bool ? conv : ct;
            var number = ToDouble(constant.Value);
            if (constType.Elem == ScalarKind.F32) number = (float)number;
            return _b.Const(number, constType);
        }
        else
        {
            v = LowerExprCore(e);
        }
        return ApplyConversion(e, v, info);
    }

    /// <summary>C#'s implicit conversion of expression <paramref name="e"/> (int → float, float → double).</summary>
    private Value ApplyConversion(ExpressionSyntax e, Value v, TypeInfo? known = null)
    {
        var info = known ?? _model.GetTypeInfo(e, _ct);
        if (info.ConvertedType is not null && !SymbolEqualityComparer.Default.Equals(info.Type, info.ConvertedType)
            && MapType(info.ConvertedType, false) is { } target && target != v.Type && !target.IsBuffer && !v.Type.IsBuffer)
        {
            v = Coerce(v, target, e);
        }
        return v;
    }

    private static double ToDouble(object? o) => o switch
    {
        float f => f,
        double d => d,
        int i => i,
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw new UnsupportedException($"the constant '{o}' has a type outside the subset"),
    };

    private Value LowerExprCore(ExpressionSyntax e)
    {
        switch (e)
        {
            case ParenthesizedExpressionSyntax p:
                return LowerExpr(p.Expression);
            case LiteralExpressionSyntax lit:
                throw new UnsupportedException($"the literal '{lit}' has a type outside the subset", e);
            case IdentifierNameSyntax id:
            {
                var symbol = _model.GetSymbolInfo(id, _ct).Symbol;
                if (symbol is not null && _env.TryGetValue(symbol, out var v)) return v;
                if (symbol is IFieldSymbol f)
                    throw new UnsupportedException($"reads field '{f.Name}'; only constants may be read, so pass it as a parameter", e);
                if (symbol is IPropertySymbol pr)
                    throw new UnsupportedException($"reads property '{pr.Name}'; pass it as a parameter", e);
                throw new UnsupportedException($"'{id.Identifier.Text}' is not a local or parameter of the method", e);
            }
            case BinaryExpressionSyntax bin:
                return LowerBinary(bin);
            case PrefixUnaryExpressionSyntax pre:
                switch (pre.Kind())
                {
                    case SyntaxKind.UnaryMinusExpression:
                        return _b.Unary(UnOp.Neg, LowerExpr(pre.Operand));
                    case SyntaxKind.UnaryPlusExpression:
                        return LowerExpr(pre.Operand);
                    case SyntaxKind.LogicalNotExpression:
                        return _b.Unary(UnOp.Not, LowerCondition(pre.Operand));
                    default:
                        throw new UnsupportedException($"'{pre.OperatorToken.Text}' inside an expression is not supported; write the update as its own statement", e);
                }
            case PostfixUnaryExpressionSyntax:
                throw new UnsupportedException("'++'/'--' inside an expression is not supported; write the update as its own statement", e);
            case AssignmentExpressionSyntax:
                throw new UnsupportedException("an assignment inside an expression is not supported; write it as its own statement", e);
            case CastExpressionSyntax cast:
            {
                var target = _model.GetTypeInfo(cast.Type, _ct).Type;
                var t = target is null ? null : MapType(target, false);
                if (t is null || t.IsBuffer) throw new UnsupportedException($"the cast to '{cast.Type}' is not supported", e);
                return Coerce(LowerExpr(cast.Expression), t, e);
            }
            case ConditionalExpressionSyntax c:
                return LowerConditional(c);
            case ElementAccessExpressionSyntax ea:
            {
                var buffer = LowerBufferRef(ea.Expression);
                if (ea.ArgumentList.Arguments.Count != 1) throw new UnsupportedException("only one-dimensional indexing is supported", e);
                var arg = ea.ArgumentList.Arguments[0].Expression;
                if (arg is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.IndexExpression })
                    throw new UnsupportedException("'^' (from-end) indices are not supported; use x[x.Length - k]", e);
                if (arg is RangeExpressionSyntax) throw new UnsupportedException("ranges (slices) are not supported; pass the offset and index with it", e);
                var index = Coerce(LowerExpr(arg), IrType.I32, arg);
                return _b.Load(buffer, index);
            }
            case MemberAccessExpressionSyntax ma when ma.Name.Identifier.Text == "Length":
                return _b.Length(LowerBufferRef(ma.Expression));
            case MemberAccessExpressionSyntax ma:
                throw new UnsupportedException($"'{Short(ma)}' is not supported; only constants and span lengths may be read", e);
            case InvocationExpressionSyntax inv:
            {
                var outs = LowerInvocation(inv, asStatement: false);
                return outs!;
            }
            case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax:
                throw new UnsupportedException("creating objects is not supported in a differentiable method", e);
            case ArrayCreationExpressionSyntax or StackAllocArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                throw new UnsupportedException("buffers must be created in a local declaration ('Span<float> h = stackalloc float[n];')", e);
            case AnonymousFunctionExpressionSyntax:
                throw new UnsupportedException("lambdas are not supported; use [Differentiable] static methods", e);
            case InterpolatedStringExpressionSyntax:
                throw new UnsupportedException("strings are not supported", e);
            case IsPatternExpressionSyntax or SwitchExpressionSyntax:
                throw new UnsupportedException("patterns and switch expressions are not supported; use comparisons and ?:", e);
            case TupleExpressionSyntax:
                throw new UnsupportedException("tuples are not supported", e);
            case CheckedExpressionSyntax:
                throw new UnsupportedException("'checked'/'unchecked' are not supported", e);
            case DefaultExpressionSyntax:
                throw new UnsupportedException("'default' is not supported; write the constant", e);
            case RefExpressionSyntax:
                throw new UnsupportedException("'ref' expressions are not supported", e);
            case ThrowExpressionSyntax:
                throw new UnsupportedException("'throw' is not supported", e);
            default:
                throw new UnsupportedException($"the expression '{Short(e)}' is not supported", e);
        }
    }

    private Value LowerBinary(BinaryExpressionSyntax bin)
    {
        var kind = bin.Kind();
        if (kind is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression)
        {
            // Short-circuit: the right side is evaluated only when needed (it may index a span).
            var left = LowerCondition(bin.Left);
            var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
            _b.BeginBlock();
            var right = LowerCondition(bin.Right);
            var rightOps = _b.EndBlock();
            _env = saved;
            _b.BeginBlock();
            var constant = _b.Const(kind == SyntaxKind.LogicalAndExpression ? 0 : 1, IrType.Bool, "");
            var constOps = _b.EndBlock();
            var result = _b.NewValue(IrType.Bool, "");
            var evaluate = new Region(EquatableArray<Value>.Empty, rightOps, new[] { right }.ToEquatableArray());
            var shortcut = new Region(EquatableArray<Value>.Empty, constOps, new[] { constant }.ToEquatableArray());
            _b.Emit(kind == SyntaxKind.LogicalAndExpression
                ? new IfOp(new[] { result }.ToEquatableArray(), left, evaluate, shortcut)
                : new IfOp(new[] { result }.ToEquatableArray(), left, shortcut, evaluate));
            return result;
        }
        // A long sum a + b + c + … nests to the left, one level per term: walk that spine with a
        // loop rather than recursion, so thousands of terms cannot overflow the compiler's stack.
        var spine = new List<BinaryExpressionSyntax>();
        ExpressionSyntax node = bin;
        while (node is BinaryExpressionSyntax b && IsPlainBinary(b) && (spine.Count == 0 || !_model.GetConstantValue(b, _ct).HasValue))
        {
            spine.Add(b);
            node = b.Left;
            while (node is ParenthesizedExpressionSyntax p && p.Expression is BinaryExpressionSyntax) break;
        }
        var acc = LowerExpr(node);
        for (var k = spine.Count - 1; k >= 0; k--)
        {
            if (k < spine.Count - 1) acc = ApplyConversion(spine[k + 1], acc);
            acc = LowerBinaryStep(spine[k], acc);
        }
        return acc;
    }

    private static bool IsPlainBinary(BinaryExpressionSyntax b) => b.Kind() is not (SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression);

    /// <summary>One binary operator, its left operand already lowered.</summary>
    private Value LowerBinaryStep(BinaryExpressionSyntax bin, Value l)
    {
        var kind = bin.Kind();
        BinOp op = kind switch
        {
            SyntaxKind.AddExpression => BinOp.Add,
            SyntaxKind.SubtractExpression => BinOp.Sub,
            SyntaxKind.MultiplyExpression => BinOp.Mul,
            SyntaxKind.DivideExpression => BinOp.Div,
            SyntaxKind.ModuloExpression => BinOp.Rem,
            SyntaxKind.LessThanExpression => BinOp.Lt,
            SyntaxKind.LessThanOrEqualExpression => BinOp.Le,
            SyntaxKind.GreaterThanExpression => BinOp.Gt,
            SyntaxKind.GreaterThanOrEqualExpression => BinOp.Ge,
            SyntaxKind.EqualsExpression => BinOp.Eq,
            SyntaxKind.NotEqualsExpression => BinOp.Ne,
            SyntaxKind.BitwiseAndExpression => BinOp.And,
            SyntaxKind.BitwiseOrExpression => BinOp.Or,
            _ => throw new UnsupportedException($"the operator '{bin.OperatorToken.Text}' is not supported", bin),
        };
        var r = LowerExpr(bin.Right);
        if (op is BinOp.And or BinOp.Or)
        {
            if (l.Type != IrType.Bool || r.Type != IrType.Bool)
                throw new UnsupportedException("bitwise operators on integers are not supported", bin);
            return _b.Binary(op, l, r);
        }
        var (a, b) = Promote(l, r, bin);
        if (a.Type == IrType.Bool && op is not (BinOp.Eq or BinOp.Ne))
            throw new UnsupportedException($"the operator '{bin.OperatorToken.Text}' on bool is not supported", bin);
        return _b.Binary(op, a, b);
    }

    private Value LowerConditional(ConditionalExpressionSyntax c)
    {
        var cond = LowerCondition(c.Condition);
        var type = TypeOf(c);
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var a = Coerce(LowerExpr(c.WhenTrue), type, c.WhenTrue);
        var aOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var b = Coerce(LowerExpr(c.WhenFalse), type, c.WhenFalse);
        var bOps = _b.EndBlock();
        _env = saved;
        var result = _b.NewValue(type, "");
        _b.Emit(new IfOp(new[] { result }.ToEquatableArray(), cond,
            new Region(EquatableArray<Value>.Empty, aOps, new[] { a }.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, bOps, new[] { b }.ToEquatableArray())));
        return result;
    }

    /// <summary>Brings two operands to a common type as C# does (int → float → double).</summary>
    private (Value, Value) Promote(Value a, Value b, SyntaxNode at)
    {
        if (a.Type == b.Type) return (a, b);
        var rank = new Func<IrType, int>(t => t.Elem switch { ScalarKind.I32 => 1, ScalarKind.F32 => 2, ScalarKind.F64 => 3, _ => 0 });
        if (rank(a.Type) == 0 || rank(b.Type) == 0) throw new UnsupportedException("mixing bool and numbers is not supported", at);
        var target = rank(a.Type) >= rank(b.Type) ? a.Type : b.Type;
        return (Coerce(a, target, at), Coerce(b, target, at));
    }

    private Value Coerce(Value v, IrType target, SyntaxNode at)
    {
        if (v.Type == target) return v;
        if (v.Type.IsBuffer || target.IsBuffer)
        {
            if (v.Type.IsBuffer && target.IsBuffer && v.Type.Elem == target.Elem) return v;
            throw new UnsupportedException("converting between spans and scalars is not supported", at);
        }
        if (v.Type == IrType.Bool || target == IrType.Bool) throw new UnsupportedException("converting between bool and numbers is not supported", at);
        return _b.Unary(UnOp.Convert, v, "", target);
    }

    // ------------------------------------------------------------------ calls

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
                throw new UnsupportedException($"'{container}.{method.Name}' with these argument types is not supported; call it on float or double", inv);
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

        var generated = method.GetAttributes().Any(a => InheritsFrom(a.AttributeClass, "Dsl.TransformAttribute"));
        if (!generated && !method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute))
            throw new UnsupportedException($"calls '{method.Name}', which is not [Differentiable]; mark it [Differentiable] or inline it", inv);
        if (generated && method.Parameters.Any(p => p.RefKind != RefKind.None))
            throw new UnsupportedException($"calls generated method '{method.Name}', which has out parameters; only generated methods that return their result (operators such as [Laplacian]) can be called from a differentiable method", inv);
        if (method.IsGenericMethod) throw new UnsupportedException($"generic method '{method.Name}' is not supported", inv);
        if (!method.ReturnsVoid && asStatement)
            throw new UnsupportedException($"the result of '{method.Name}' is discarded", inv);
        if (method.ReturnsVoid && !asStatement)
            throw new UnsupportedException($"'{method.Name}' returns nothing", inv);
        var values = new List<Value>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (i >= args.Count) throw new UnsupportedException($"optional arguments are not supported; pass every argument of '{method.Name}'", inv);
            var p = method.Parameters[i];
            var pt = MapType(p.Type, true) ?? throw new UnsupportedException($"'{method.Name}' has a parameter outside the subset", inv);
            if (pt.IsBuffer)
            {
                var buffer = LowerBufferRef(args[i].Expression);
                if (pt.Buffer == BufferKind.Span && buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array)
                    throw new UnsupportedException($"'{buffer.Name}' is read-only but '{method.Name}' writes parameter '{p.Name}'", args[i]);
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
            var rt = MapType(method.ReturnType, false) ?? throw new UnsupportedException($"'{method.Name}' returns a type outside the subset", inv);
            outs.Add(_b.NewValue(rt, ""));
        }
        _b.Emit(new CallOp(outs.ToEquatableArray(), key, values.ToEquatableArray()));
        return outs.Count > 0 ? outs[0] : null;
    }

}
