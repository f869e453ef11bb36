using System;
using System.Collections.Generic;
using System.Threading;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Expressions: constants and conversions, operators, <c>?:</c> and short-circuit logic.
/// </summary>
internal sealed partial class PrimalLowering
{
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
            var constType = info.ConvertedType is not null && MapType(info.ConvertedType, false) is { IsBuffer: false } conv
                && conv != IrType.Bool && ct != IrType.Bool ? conv : ct;
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
                return LowerIdentifier(id);
            case BinaryExpressionSyntax bin:
                return LowerBinary(bin);
            case PrefixUnaryExpressionSyntax pre:
                return LowerPrefixUnary(pre);
            case PostfixUnaryExpressionSyntax:
                throw new UnsupportedException("'++'/'--' inside an expression is not supported; write the update as its own statement", e);
            case AssignmentExpressionSyntax:
                throw new UnsupportedException("an assignment inside an expression is not supported; write it as its own statement", e);
            case CastExpressionSyntax cast:
                return LowerCast(cast);
            case ConditionalExpressionSyntax c:
                return LowerConditional(c);
            case SwitchExpressionSyntax sw:
                return LowerSwitchExpression(sw);
            case ElementAccessExpressionSyntax ea:
                return LowerElementRead(ea);
            case MemberAccessExpressionSyntax ma when ma.Name.Identifier.Text == "Length":
                return _b.Length(LowerBufferRef(ma.Expression));
            case MemberAccessExpressionSyntax ma:
                throw new UnsupportedException($"'{Short(ma)}' is not supported; only constants and span lengths may be read", e);
            case InvocationExpressionSyntax inv:
            {
                var outs = LowerInvocation(inv, asStatement: false);
                return outs!;
            }
            default:
                throw Rejected(e);
        }
    }

    private Value LowerIdentifier(IdentifierNameSyntax id)
    {
        var symbol = _model.GetSymbolInfo(id, _ct).Symbol;
        if (symbol is not null && _env.TryGetValue(symbol, out var v)) return v;
        if (symbol is IFieldSymbol f)
            throw new UnsupportedException($"reads field '{f.Name}'; only constants may be read, so pass it as a parameter", id);
        if (symbol is IPropertySymbol pr)
            throw new UnsupportedException($"reads property '{pr.Name}'; pass it as a parameter", id);
        throw new UnsupportedException($"'{id.Identifier.Text}' is not a local or parameter of the method", id);
    }

    private Value LowerPrefixUnary(PrefixUnaryExpressionSyntax pre)
    {
        switch (pre.Kind())
        {
            case SyntaxKind.UnaryMinusExpression:
                return _b.Unary(UnOp.Neg, LowerExpr(pre.Operand));
            case SyntaxKind.UnaryPlusExpression:
                return LowerExpr(pre.Operand);
            case SyntaxKind.LogicalNotExpression:
                return _b.Unary(UnOp.Not, LowerCondition(pre.Operand));
            default:
                throw new UnsupportedException(
                    $"'{pre.OperatorToken.Text}' inside an expression is not supported; write the update as its own statement", pre);
        }
    }

    private Value LowerCast(CastExpressionSyntax cast)
    {
        var target = _model.GetTypeInfo(cast.Type, _ct).Type;
        var t = target is null ? null : MapType(target, false);
        if (t is null || t.IsBuffer) throw new UnsupportedException($"the cast to '{cast.Type}' is not supported", cast);
        return Coerce(LowerExpr(cast.Expression), t, cast);
    }

    private Value LowerElementRead(ElementAccessExpressionSyntax ea)
    {
        var buffer = LowerBufferRef(ea.Expression);
        if (ea.ArgumentList.Arguments.Count != 1) throw new UnsupportedException("only one-dimensional indexing is supported", ea);
        var arg = ea.ArgumentList.Arguments[0].Expression;
        if (arg is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.IndexExpression })
            throw new UnsupportedException("'^' (from-end) indices are not supported; use x[x.Length - k]", ea);
        if (arg is RangeExpressionSyntax)
            throw new UnsupportedException("ranges (slices) are not supported; pass the offset and index with it", ea);
        var index = Coerce(LowerExpr(arg), IrType.I32, arg);
        return _b.Load(buffer, index);
    }

    /// <summary>Why an expression the subset has no lowering for is rejected.</summary>
    private static UnsupportedException Rejected(ExpressionSyntax e)
    {
        switch (e)
        {
            case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax:
                return new UnsupportedException("creating objects is not supported in a differentiable method", e);
            case ArrayCreationExpressionSyntax or StackAllocArrayCreationExpressionSyntax
                or ImplicitArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                return new UnsupportedException(
                    "buffers must be created in a local declaration ('Span<float> h = stackalloc float[n];')", e);
            case AnonymousFunctionExpressionSyntax:
                return new UnsupportedException("lambdas are not supported; use [Differentiable] static methods", e);
            case InterpolatedStringExpressionSyntax:
                return new UnsupportedException("strings are not supported", e);
            case IsPatternExpressionSyntax:
                return new UnsupportedException("'is' patterns are not supported; use comparisons (x > 0) and ?:", e);
            case TupleExpressionSyntax:
                return new UnsupportedException("tuples are not supported", e);
            case CheckedExpressionSyntax:
                return new UnsupportedException("'checked'/'unchecked' are not supported", e);
            case DefaultExpressionSyntax:
                return new UnsupportedException("'default' is not supported; write the constant", e);
            case RefExpressionSyntax:
                return new UnsupportedException("'ref' expressions are not supported", e);
            case ThrowExpressionSyntax:
                return new UnsupportedException("'throw' is not supported", e);
            default:
                return new UnsupportedException($"the expression '{Short(e)}' is not supported", e);
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

    private static bool IsPlainBinary(BinaryExpressionSyntax b) =>
        b.Kind() is not (SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression);

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
        if (v.Type == IrType.Bool || target == IrType.Bool)
            throw new UnsupportedException("converting between bool and numbers is not supported", at);
        return _b.Unary(UnOp.Convert, v, "", target);
    }
}
