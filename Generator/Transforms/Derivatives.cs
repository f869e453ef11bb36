using System;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// The derivative rules of the primitives, written once as linear maps: given an op and the
/// tangent of its operand(s), emit the tangent of its result. Forward mode applies them to
/// tangents; reverse mode applies them to an adjoint with one operand's seed at a time (for
/// a scalar op, the partial derivative times the seed is the same expression).
/// </summary>
internal static class Derivatives
{
    public static Value Unary(IrBuilder _b, UnaryOp u, Value t)
    {
        var x = u.Operand;
        var y = u.Result;
        var type = y.Type;
        Value C(double c) => _b.Const(c, type);
        Value Mul(Value a, Value b) => _b.Binary(BinOp.Mul, a, b);
        Value Div(Value a, Value b) => _b.Binary(BinOp.Div, a, b);
        Value Add(Value a, Value b) => _b.Binary(BinOp.Add, a, b);
        Value Sub(Value a, Value b) => _b.Binary(BinOp.Sub, a, b);
        Value Sq(Value a) => _b.Binary(BinOp.Mul, a, a);
        switch (u.Kind)
        {
            case UnOp.Neg: return _b.Unary(UnOp.Neg, t);
            case UnOp.Convert: return _b.Unary(UnOp.Convert, t, null, type);
            case UnOp.Sin: return Mul(_b.Unary(UnOp.Cos, x), t);
            case UnOp.Cos: return _b.Unary(UnOp.Neg, Mul(_b.Unary(UnOp.Sin, x), t));
            case UnOp.Tan: return Mul(Add(C(1), Sq(y)), t);
            case UnOp.Asin: return Div(t, _b.Unary(UnOp.Sqrt, Sub(C(1), Sq(x))));
            case UnOp.Acos: return _b.Unary(UnOp.Neg, Div(t, _b.Unary(UnOp.Sqrt, Sub(C(1), Sq(x)))));
            case UnOp.Atan: return Div(t, Add(C(1), Sq(x)));
            case UnOp.Sinh: return Mul(_b.Unary(UnOp.Cosh, x), t);
            case UnOp.Cosh: return Mul(_b.Unary(UnOp.Sinh, x), t);
            case UnOp.Tanh: return Mul(Sub(C(1), Sq(y)), t);
            case UnOp.Asinh: return Div(t, _b.Unary(UnOp.Sqrt, Add(Sq(x), C(1))));
            case UnOp.Acosh: return Div(t, _b.Unary(UnOp.Sqrt, Sub(Sq(x), C(1))));
            case UnOp.Atanh: return Div(t, Sub(C(1), Sq(x)));
            case UnOp.Exp: return Mul(y, t);
            case UnOp.Log: return Div(t, x);
            case UnOp.Log2: return Div(t, Mul(x, C(Math.Log(2))));
            case UnOp.Log10: return Div(t, Mul(x, C(Math.Log(10))));
            case UnOp.Sqrt: return Div(t, Mul(C(2), y));
            case UnOp.Cbrt: return Div(t, Mul(C(3), Sq(y)));
            case UnOp.Abs:
                // d|x| = sign(x) dx, with +1 taken at x = 0
                return _b.Select(_b.Binary(BinOp.Lt, x, C(0)), _b.Unary(UnOp.Neg, t), t);
            default:
                throw new InvalidOperationException("no tangent rule for " + u.Kind);
        }
    }

    public static Value Binary(IrBuilder _b, BinaryOp op, Value? ta, Value? tb)
    {
        var a = op.Left;
        var b = op.Right;
        var y = op.Result;
        var type = y.Type;
        Value Z() => _b.Zero(type);
        Value Mul(Value p, Value q) => _b.Binary(BinOp.Mul, p, q);
        Value Div(Value p, Value q) => _b.Binary(BinOp.Div, p, q);
        Value Add(Value p, Value q) => _b.Binary(BinOp.Add, p, q);
        Value Sub(Value p, Value q) => _b.Binary(BinOp.Sub, p, q);
        Value Sum(Value? p, Value? q) => p is null ? q! : q is null ? p : Add(p, q);
        switch (op.Kind)
        {
            case BinOp.Add:
                return Sum(ta, tb);
            case BinOp.Sub:
                return tb is null ? ta! : ta is null ? _b.Unary(UnOp.Neg, tb) : Sub(ta, tb);
            case BinOp.Mul:
                return Sum(ta is null ? null : Mul(ta, b), tb is null ? null : Mul(a, tb));
            case BinOp.Div:
                // d(a/b) = (da - (a/b) db) / b
                if (tb is null) return Div(ta!, b);
                return Div(ta is null ? _b.Unary(UnOp.Neg, Mul(y, tb)) : Sub(ta, Mul(y, tb)), b);
            case BinOp.Rem:
                // a % b = a - trunc(a/b) b
                if (tb is null) return ta!;
                var q = _b.Unary(UnOp.Truncate, Div(a, b));
                return ta is null ? _b.Unary(UnOp.Neg, Mul(q, tb)) : Sub(ta, Mul(q, tb));
            case BinOp.Pow:
            {
                // d(a^b) = b a^(b-1) da + a^b ln(a) db
                Value? da = ta is null ? null : Mul(Mul(b, _b.Binary(BinOp.Pow, a, Sub(b, _b.Const(1, type)))), ta);
                Value? db = tb is null ? null : Mul(Mul(y, _b.Unary(UnOp.Log, a)), tb);
                return Sum(da, db);
            }
            case BinOp.Atan2:
            {
                // atan2(a, b): (b da - a db) / (a^2 + b^2)
                var den = Add(Mul(a, a), Mul(b, b));
                Value? pa = ta is null ? null : Mul(b, ta);
                Value? pb = tb is null ? null : Mul(a, tb);
                var num = pb is null ? pa! : pa is null ? _b.Unary(UnOp.Neg, pb) : Sub(pa, pb);
                return Div(num, den);
            }
            case BinOp.Max:
                return _b.Select(_b.Binary(BinOp.Ge, a, b), ta ?? Z(), tb ?? Z());
            case BinOp.Min:
                return _b.Select(_b.Binary(BinOp.Le, a, b), ta ?? Z(), tb ?? Z());
            default:
                throw new InvalidOperationException("no tangent rule for " + op.Kind);
        }
    }
}
