using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Statements: declarations, assignments, buffer writes and <c>if</c>; the notes that label the output.
/// </summary>
internal sealed partial class PrimalLowering
{
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
            ForEachStatementSyntax f => $"foreach ({f.Type} {f.Identifier} in {f.Expression})",
            WhileStatementSyntax w => $"while ({w.Condition})",
            DoStatementSyntax d => $"do … while ({d.Condition})",
            SwitchStatementSyntax w => $"switch ({w.Expression})",
            _ => s.ToString(),
        };
        _b.Emit(new NoteOp(NoteText(text)));
    }

    private void LowerStatement(StatementSyntax s)
    {
        if (s is LocalDeclarationStatementSyntax or ExpressionStatementSyntax or ForStatementSyntax or IfStatementSyntax
            or ForEachStatementSyntax or SwitchStatementSyntax or WhileStatementSyntax or DoStatementSyntax) Note(s);
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
                throw new UnsupportedException(
                    "'return' inside a loop is not supported; keep a flag or the result in a local and return after the loop", ret);
            case WhileStatementSyntax ws:
                LowerWhile(ws);
                return;
            case DoStatementSyntax ds:
                LowerDo(ds);
                return;
            case ForEachStatementSyntax fe:
                LowerForEach(fe);
                return;
            case ForEachVariableStatementSyntax:
                throw new UnsupportedException("deconstructing 'foreach' is not supported; iterate a span of float or double", s);
            case BreakStatementSyntax:
                throw new UnsupportedException(
                    "'break' is supported directly in a loop body or inside its if/else (and at the end of a switch section); " +
                    "here, put the rest of the body in an 'if'", s);
            case ContinueStatementSyntax:
                throw new UnsupportedException(
                    "'continue' is supported directly in a loop body or inside its if/else; here, put the rest of the body in an 'if'", s);
            case SwitchStatementSyntax sw:
                LowerSwitchStatement(sw);
                return;
            case TryStatementSyntax:
                throw new UnsupportedException("'try' is not supported in a differentiable method", s);
            case ThrowStatementSyntax:
                throw new UnsupportedException("'throw' is not supported; validate inputs before calling the differentiable method", s);
            case LocalFunctionStatementSyntax lf when lf.Modifiers.Any(SyntaxKind.StaticKeyword):
                // Inlined at each call (PrimalLowering.LocalFunctions.cs).
                return;
            case LocalFunctionStatementSyntax:
                throw new UnsupportedException(
                    "local functions must be 'static' (they are inlined at their calls); or make it a [Differentiable] static method", s);
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
                if (_model.GetDeclaredSymbol(v, _ct) is ILocalSymbol { HasConstantValue: true } c
                    && MapType(c.Type, false) is { IsBuffer: false } ct)
                    _env[c] = _b.Const(ToDouble(c.ConstantValue), ct, c.Name);
                else throw new UnsupportedException("a constant of this type is not supported", v);
            }
            return;
        }
        if (decl.UsingKeyword.IsKind(SyntaxKind.UsingKeyword))
            throw new UnsupportedException("'using' declarations are not supported", decl);
        foreach (var v in decl.Declaration.Variables)
        {
            var symbol = _model.GetDeclaredSymbol(v, _ct) as ILocalSymbol ?? throw new UnsupportedException("unknown local", v);
            if (symbol.IsRef) throw new UnsupportedException($"ref local '{symbol.Name}' is not supported", v);
            var type = MapType(symbol.Type, false) ?? throw UnsupportedLocal(symbol, v);
            if (type.IsBuffer)
            {
                if (v.Initializer is null)
                    throw new UnsupportedException($"span or array '{symbol.Name}' must be initialized with stackalloc or new", v);
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
            case StackAllocArrayCreationExpressionSyntax sa when sa.Type is ArrayTypeSyntax at && at.RankSpecifiers.Count == 1
                && at.RankSpecifiers[0].Sizes.Count == 1 && sa.Initializer is null:
                size = at.RankSpecifiers[0].Sizes[0];
                kind = BufferKind.Stack;
                break;
            case ArrayCreationExpressionSyntax ac when ac.Type.RankSpecifiers.Count == 1 && ac.Type.RankSpecifiers[0].Sizes.Count == 1
                && ac.Initializer is null:
                size = ac.Type.RankSpecifiers[0].Sizes[0];
                kind = BufferKind.Heap;
                break;
            default:
                throw new UnsupportedException(
                    $"'{symbol.Name}' must be a new buffer: 'stackalloc T[n]' or 'new T[n]' " +
                    "(aliasing another span is not supported)", init);
        }
        if (size is OmittedArraySizeExpressionSyntax)
            throw new UnsupportedException("array initializers are not supported; allocate and assign elements", init);
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
            case PostfixUnaryExpressionSyntax pu
                when pu.IsKind(SyntaxKind.PostIncrementExpression) || pu.IsKind(SyntaxKind.PostDecrementExpression):
                LowerIncrement(pu.Operand, pu.IsKind(SyntaxKind.PostIncrementExpression) ? 1 : -1);
                return;
            case PrefixUnaryExpressionSyntax pr
                when pr.IsKind(SyntaxKind.PreIncrementExpression) || pr.IsKind(SyntaxKind.PreDecrementExpression):
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
        var elemType = targetType.IsBuffer
            ? throw new UnsupportedException("assigning a whole span or array is not supported; copy elements in a loop", a)
            : targetType;
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
                throw new UnsupportedException(
                    $"writing '{symbol.Name}' (a field or property) is not supported; " +
                    "differentiable methods have no side effects outside their span outputs", target);
            throw new UnsupportedException($"cannot assign to '{id.Identifier.Text}'", target);
        }
        if (target is ElementAccessExpressionSyntax ea)
        {
            var buffer = LowerBufferRef(ea.Expression);
            if (buffer.Type.Buffer is BufferKind.ReadOnlySpan)
                throw new UnsupportedException($"'{buffer.Name}' is read-only", target);
            if (buffer.Type.Buffer is BufferKind.Array)
                throw new UnsupportedException(
                    $"array parameter '{buffer.Name}' is an input; write results to a Span<T> parameter", target);
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

    /// <summary>
    /// A local of a type outside the subset, described by what it holds where that is the construct to replace (a lambda,
    /// an object, a pointer), not only by its type.
    /// </summary>
    private static UnsupportedException UnsupportedLocal(ILocalSymbol symbol, VariableDeclaratorSyntax v)
    {
        var head = $"local '{symbol.Name}' of type '{symbol.Type.ToDisplayString()}'";
        return v.Initializer?.Value switch
        {
            AnonymousFunctionExpressionSyntax => new UnsupportedException($"{head} holds a lambda; lambdas are not supported: write "
                + "the function as a [Differentiable] static method (or a static local function) and call it", v),
            ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => new UnsupportedException($"{head} holds a "
                + "new object; creating objects is not supported in a differentiable method: pass what it provides as a parameter", v),
            _ when symbol.Type is IPointerTypeSymbol => new UnsupportedException($"{head} is a pointer; pointers are not supported: "
                + "pass a Span<T> or ReadOnlySpan<T> and index it", v),
            _ => new UnsupportedException($"{head} is outside the subset; supported are float, double, int, bool, Span<T> and T[] "
                + "of float or double", v),
        };
    }
}
