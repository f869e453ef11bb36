using System;
using System.Collections.Generic;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal static partial class Simplify
{
    // Constant folding and algebraic identities of unary, binary and ternary ops; the walk is in Simplify.Folder.cs.
    private sealed partial class Folder
    {
        private void VisitUnary(UnaryOp u)
        {
            var x = u.Operand;
            if (IsConst(x, out var c))
            {
                var folded = FoldUnary(u.Kind, c, u.Result.Type);
                if (folded is { } f) { ReplaceConst(u.Result, f, IsSymbolicZero(x) && f == 0); return; }
            }
            if (u.Kind == UnOp.Neg && _defs.TryGetValue(x.Id, out var def) && def is UnaryOp { Kind: UnOp.Neg } inner)
            {
                Replace(u.Result, inner.Operand);
                return;
            }
            if (u.Kind == UnOp.Convert && x.Type == u.Result.Type) { Replace(u.Result, x); return; }
            RecordDef(u);
            EmitPure(u, u.Result, $"un {u.Kind} {u.Result.Type} {x.Id}");
        }

        private readonly Dictionary<int, Op> _defs = new();

        private void VisitTernary(TernaryOp t)
        {
            var row = Primitives.Of(t.Kind);
            if (row.Folds && IsConst(t.A, out var a) && IsConst(t.B, out var b) && IsConst(t.C, out var c) && Fold(row, a, b, c) is { } f)
            {
                ReplaceConst(t.Result, t.Result.Type.Elem == ScalarKind.F32 ? (float)f : f);
                return;
            }
            RecordDef(t);
            EmitPure(t, t.Result, $"tern {t.Kind} {t.Result.Type} {t.A.Id} {t.B.Id} {t.C.Id}");
        }

        private static double? Fold(Primitive row, double a, double b, double c)
        {
            try
            {
                var r = row.Eval3!(a, b, c);
                return double.IsNaN(r) || double.IsInfinity(r) ? null : r;
            }
            catch (ArgumentException)
            {
                return null; // Math.Clamp with lo > hi throws at run time: leave it to the runtime
            }
        }

        private void RecordDef(Op op)
        {
            foreach (var r in op.Results) _defs[r.Id] = op;
        }

        private void VisitBinary(BinaryOp op)
        {
            var a = op.Left;
            var b = op.Right;
            var isFloat = op.Result.Type.IsFloat;
            var isInt = op.Result.Type == IrType.I32;
            // Symbolic zeros first: 2 × (symbolic 0) must stay symbolic, or it would survive as a plain 0.
            if ((isFloat || isInt) && !IsSymbolicZero(a) && !IsSymbolicZero(b) && IsConst(a, out var ca) && IsConst(b, out var cb))
            {
                var folded = FoldBinary(op.Kind, ca, cb, a.Type);
                if (folded is { } f) { ReplaceConst(op.Result, f); return; }
            }
            // i == i for ints and bools (never NaN): a constant. Copies made by DeltaSums produce it.
            if (a.Id == b.Id && !a.Type.IsFloat && Primitives.Of(op.Kind) is { Compares: true } compare)
            {
                // The comparison of any value with itself: what it gives for (0, 0).
                ReplaceConst(op.Result, compare.Eval2!(0, 0));
                return;
            }
            if (isFloat || isInt)
            {
                switch (op.Kind)
                {
                    case BinOp.Add:
                        if (IsSymbolicZero(a) || (isInt && IsConst(a, 0))) { Replace(op.Result, b); return; }
                        if (IsSymbolicZero(b) || (isInt && IsConst(b, 0))) { Replace(op.Result, a); return; }
                        // a + (-b) → a - b
                        if (_defs.TryGetValue(b.Id, out var nb) && nb is UnaryOp { Kind: UnOp.Neg } negB)
                        {
                            VisitBinary(op with { Kind = BinOp.Sub, Right = negB.Operand });
                            return;
                        }
                        break;
                    case BinOp.Sub:
                        // x − (+0) = x exactly, even for x = −0
                        if (IsSymbolicZero(b) || (IsConst(b, out var zb) && zb == 0 && (isInt || 1 / zb > 0)))
                        {
                            Replace(op.Result, a);
                            return;
                        }
                        if (IsSymbolicZero(a) || (isInt && IsConst(a, 0))) { VisitUnary(new UnaryOp(op.Result, UnOp.Neg, b)); return; }
                        if (_defs.TryGetValue(b.Id, out var nb2) && nb2 is UnaryOp { Kind: UnOp.Neg } negB2)
                        {
                            VisitBinary(op with { Kind = BinOp.Add, Right = negB2.Operand });
                            return;
                        }
                        break;
                    case BinOp.Mul:
                        // Symbolic zeros: a derivative times zero is zero (as JAX and Tapenade treat them).
                        if (IsSymbolicZero(a) || IsSymbolicZero(b)) { ReplaceConst(op.Result, 0, symbolic: true); return; }
                        if (isInt && (IsConst(a, 0) || IsConst(b, 0))) { ReplaceConst(op.Result, 0); return; }
                        if (IsConst(a, 1)) { Replace(op.Result, b); return; }
                        if (IsConst(b, 1)) { Replace(op.Result, a); return; }
                        if (IsConst(a, -1)) { VisitUnary(new UnaryOp(op.Result, UnOp.Neg, b)); return; }
                        if (IsConst(b, -1)) { VisitUnary(new UnaryOp(op.Result, UnOp.Neg, a)); return; }
                        break;
                    case BinOp.Div:
                        if (IsSymbolicZero(a) && isFloat) { ReplaceConst(op.Result, 0, symbolic: true); return; }
                        if (IsConst(b, 1)) { Replace(op.Result, a); return; }
                        break;
                    case BinOp.Pow when IsConst(b, out var exponent):
                        // Small constant exponents (common in derivatives: d/du u^c = c u^(c−1)) need no pow call.
                        if (exponent == 1) { Replace(op.Result, a); return; }
                        if (exponent == 0) { ReplaceConst(op.Result, 1); return; }
                        if (exponent == 2) { VisitBinary(op with { Kind = BinOp.Mul, Right = a }); return; }
                        if (exponent == 0.5) { VisitUnary(new UnaryOp(op.Result, UnOp.Sqrt, a)); return; }
                        break;
                }
            }
            if (IsConst(a, out var ca2) && IsConst(b, out var cb2) && FoldBinary(op.Kind, ca2, cb2, a.Type) is { } f2)
            {
                ReplaceConst(op.Result, f2);
                return;
            }
            RecordDef(op);
            var commutative = Primitives.Of(op.Kind).Commutative;
            var (k1, k2) = commutative && a.Id > b.Id ? (b.Id, a.Id) : (a.Id, b.Id);
            EmitPure(op, op.Result, $"bin {op.Kind} {op.Result.Type} {k1} {k2}");
        }

        private static double? FoldUnary(UnOp k, double x, IrType t)
        {
            double r;
            var row = Primitives.Of(k);
            // Only rows marked Folds: Neg, Not, Sqrt (correctly rounded in float and double alike)
            // and Abs; transcendental functions are left to the runtime's math library so folded
            // code computes what the primal does.
            if (k == UnOp.Convert) r = t.Elem switch { ScalarKind.I32 => Math.Truncate(x), ScalarKind.F32 => (float)x, _ => x };
            else if (row.Folds) r = row.Eval1!(x);
            else return null;
            if (double.IsNaN(r) || double.IsInfinity(r)) return null;
            return t.Elem == ScalarKind.F32 ? (float)r : r;
        }

        private static double? FoldBinary(BinOp k, double a, double b, IrType t)
        {
            var isInt = t == IrType.I32;
            double r;
            var row = Primitives.Of(k);
            if (k == BinOp.Div && isInt)
            {
                if (b == 0) return null;
                r = Math.Truncate(a / b);
            }
            else if (row.Folds) r = row.Eval2!(a, b);
            else return null;
            if (double.IsNaN(r) || double.IsInfinity(r)) return null;
            if (isInt && (r > int.MaxValue || r < int.MinValue)) return null;
            return t.Elem == ScalarKind.F32 ? (float)r : r;
        }
    }
}
