using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Loop conditions: any comparison whose two sides are affine in the counter with integer
/// coefficients and loop-invariant other terms (<c>i + 1 &lt; n</c>, <c>2 * i &lt;= n</c>,
/// <c>n &gt; i</c>, <c>i &lt; n - k</c>) is rewritten as <c>i CMP bound</c>, the bound computed
/// once before the loop, which is the form <see cref="ForOp"/> holds.
/// </summary>
internal sealed partial class PrimalLowering
{
    /// <summary>
    /// A normalized loop condition <c>a·i CMP Σ factor·term + constant</c> with a &gt; 0, or, when
    /// the source already reads <c>i CMP e</c> (or <c>e CMP i</c>), just that bound expression.
    /// </summary>
    private sealed record LoopCondition(LoopCmp Cmp, ExpressionSyntax Source, ExpressionSyntax? Plain, int Coefficient,
        List<(int Factor, ExpressionSyntax Term)> Terms, long Constant);

    private const string LoopConditionHelp =
        "write the condition as one comparison of an affine function of the counter with a loop-invariant int " +
        "(i < n, i + 1 < n, 2 * i <= n, n > i)";

    /// <summary>The condition, normalized to <c>i CMP bound</c> (bound not yet lowered).</summary>
    private LoopCondition ForCondition(ForStatementSyntax fs, ExpressionSyntax? condition, ILocalSymbol counter)
    {
        var e = condition;
        while (e is ParenthesizedExpressionSyntax p) e = p.Expression;
        if (e is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression })
            throw new UnsupportedException(
                "the loop condition must be a comparison of the counter with a bound, alone or '&&' other tests " +
                "(i < n && ok); for '||', test inside the body with 'if' and 'break'", e);
        if (e is not BinaryExpressionSyntax cond)
            throw new UnsupportedException($"the loop condition must compare the counter with a bound: {LoopConditionHelp}", fs);
        var cmp = cond.Kind() switch
        {
            SyntaxKind.LessThanExpression => LoopCmp.Lt,
            SyntaxKind.LessThanOrEqualExpression => LoopCmp.Le,
            SyntaxKind.GreaterThanExpression => LoopCmp.Gt,
            SyntaxKind.GreaterThanOrEqualExpression => LoopCmp.Ge,
            _ => throw new UnsupportedException(
                $"the loop condition must be <, <=, > or >= against a bound ('{cond.OperatorToken.Text}' can skip " +
                "past its value); for i != n write i < n", cond),
        };
        foreach (var side in new[] { cond.Left, cond.Right })
        {
            if (_model.GetTypeInfo(side, _ct).Type?.SpecialType != SpecialType.System_Int32)
                throw new UnsupportedException(
                    "the loop bound must be an int; a float or double bound compares differently — " +
                    "cast it explicitly, e.g. i < (int)Math.Ceiling(t)", side);
        }
        bool leftHas = Mentions(cond.Left, counter), rightHas = Mentions(cond.Right, counter);
        if (IsCounter(Unparenthesized(cond.Left), counter) && !rightHas)
            return new LoopCondition(cmp, cond, cond.Right, 1, new(), 0);
        if (IsCounter(Unparenthesized(cond.Right), counter) && !leftHas)
            return new LoopCondition(Flip(cmp), cond, cond.Left, 1, new(), 0);
        if (!leftHas && !rightHas)
            throw new UnsupportedException($"the loop condition does not read the counter '{counter.Name}'; {LoopConditionHelp}", cond);

        // a_L·i + r_L CMP a_R·i + r_R  ⇔  (a_L − a_R)·i CMP r_R − r_L.
        var left = new AffineForm();
        var right = new AffineForm();
        Decompose(cond.Left, 1, left, counter);
        Decompose(cond.Right, 1, right, counter);
        var a = left.Coefficient - right.Coefficient;
        var terms = right.Terms.Concat(left.Terms.Select(t => (Factor: -t.Factor, t.Term))).ToList();
        var constant = right.Constant - left.Constant;
        if (a == 0)
            throw new UnsupportedException(
                $"the counter '{counter.Name}' cancels out of the loop condition; {LoopConditionHelp}", cond);
        if (a < 0)
        {
            // −a·i CMP r  ⇔  a·i FLIP(CMP) −r.
            a = -a;
            terms = terms.Select(t => (Factor: -t.Factor, t.Term)).ToList();
            constant = -constant;
            cmp = Flip(cmp);
        }
        return new LoopCondition(cmp, cond, null, a, terms, constant);
    }

    /// <summary>
    /// Splits <c>c_1 &amp;&amp; … &amp;&amp; c_m</c> into the first conjunct that bounds the counter and the
    /// others, the guards: <c>for (…; i &lt; n &amp;&amp; ok; …) body</c> runs as
    /// <c>for (…; i &lt; n; …) { if (!ok) break; body }</c> (the tests are side-effect free, so only
    /// the order of evaluation changes, and the guards are read only where the bound holds).
    /// </summary>
    private (ExpressionSyntax? Bound, List<ExpressionSyntax> Guards) SplitCondition(ForStatementSyntax fs, ILocalSymbol counter)
    {
        var conjuncts = new List<ExpressionSyntax>();
        void Collect(ExpressionSyntax e)
        {
            e = Unparenthesized(e);
            if (e is BinaryExpressionSyntax b && b.IsKind(SyntaxKind.LogicalAndExpression))
            {
                Collect(b.Left);
                Collect(b.Right);
            }
            else conjuncts.Add(e);
        }
        if (fs.Condition is null) return (null, new List<ExpressionSyntax>());
        Collect(fs.Condition);
        if (conjuncts.Count == 1) return (conjuncts[0], new List<ExpressionSyntax>());
        var bound = conjuncts.FirstOrDefault(c => c is BinaryExpressionSyntax b
            && b.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression
                or SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression
            && Mentions(c, counter) && !AssignedSymbols(fs.Statement).Any(w => Mentions(c, w)));
        if (bound is null)
            throw new UnsupportedException(
                $"no part of the loop condition compares the counter '{counter.Name}' with a bound the body leaves alone; " +
                LoopConditionHelp, fs.Condition);
        return (bound, conjuncts.Where(c => c != bound).ToList());
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax e)
    {
        while (e is ParenthesizedExpressionSyntax p) e = p.Expression;
        return e;
    }

    private static LoopCmp Flip(LoopCmp c) => c switch
    {
        LoopCmp.Lt => LoopCmp.Gt,
        LoopCmp.Le => LoopCmp.Ge,
        LoopCmp.Gt => LoopCmp.Lt,
        _ => LoopCmp.Le,
    };

    private sealed class AffineForm
    {
        public int Coefficient;
        public long Constant;
        public readonly List<(int Factor, ExpressionSyntax Term)> Terms = new();
    }

    /// <summary>Adds <paramref name="factor"/>·e to <paramref name="form"/>, or says why e is not affine in the counter.</summary>
    private void Decompose(ExpressionSyntax e, int factor, AffineForm form, ILocalSymbol counter)
    {
        e = Unparenthesized(e);
        if (!Mentions(e, counter))
        {
            var c = _model.GetConstantValue(e, _ct);
            if (c.HasValue && c.Value is int k) form.Constant += (long)factor * k;
            else form.Terms.Add((factor, e));
            return;
        }
        switch (e)
        {
            case IdentifierNameSyntax when IsCounter(e, counter):
                form.Coefficient = checked(form.Coefficient + factor);
                return;
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression):
                Decompose(u.Operand, factor, form, counter);
                return;
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                Decompose(u.Operand, -factor, form, counter);
                return;
            case BinaryExpressionSyntax b when b.IsKind(SyntaxKind.AddExpression):
                Decompose(b.Left, factor, form, counter);
                Decompose(b.Right, factor, form, counter);
                return;
            case BinaryExpressionSyntax b when b.IsKind(SyntaxKind.SubtractExpression):
                Decompose(b.Left, factor, form, counter);
                Decompose(b.Right, -factor, form, counter);
                return;
            case BinaryExpressionSyntax b when b.IsKind(SyntaxKind.MultiplyExpression)
                && _model.GetConstantValue(b.Left, _ct) is { HasValue: true, Value: int kl }:
                Decompose(b.Right, checked(factor * kl), form, counter);
                return;
            case BinaryExpressionSyntax b when b.IsKind(SyntaxKind.MultiplyExpression)
                && _model.GetConstantValue(b.Right, _ct) is { HasValue: true, Value: int kr }:
                Decompose(b.Left, checked(factor * kr), form, counter);
                return;
        }
        throw new UnsupportedException(
            $"'{Short(e)}' is not affine in the counter '{counter.Name}' (only +, − and multiplication by a constant int are); " +
            $"{LoopConditionHelp}, or compute the bound before the loop, e.g. int m = (int)Math.Sqrt(n); i <= m", e);
    }

    /// <summary>The bound of the normalized condition, evaluated once before the loop.</summary>
    private Value LowerForBound(ForStatementSyntax fs, LoopCondition cond)
    {
        // The bound must not change inside the loop.
        var boundWrites = AssignedSymbols(fs.Statement).ToList();
        var read = cond.Plain is { } plain ? SymbolsIn(plain) : cond.Terms.SelectMany(t => SymbolsIn(t.Term));
        foreach (var s in read)
        {
            if (boundWrites.Any(w => SymbolEqualityComparer.Default.Equals(w, s)))
                throw new UnsupportedException($"the loop bound reads '{s.Name}', which the body changes", cond.Source);
        }
        if (cond.Plain is not null) return Coerce(LowerExpr(cond.Plain), IrType.I32, cond.Plain);

        // r = Σ factor·term + constant, in source order.
        Value? r = null;
        foreach (var (factor, term) in cond.Terms)
        {
            var v = Coerce(LowerExpr(term), IrType.I32, term);
            var magnitude = System.Math.Abs(factor);
            if (magnitude != 1) v = _b.Binary(BinOp.Mul, v, IntConst(magnitude, term));
            r = r is null
                ? (factor < 0 ? _b.Binary(BinOp.Sub, _b.Const(0, IrType.I32), v) : v)
                : _b.Binary(factor < 0 ? BinOp.Sub : BinOp.Add, r, v);
        }
        var constant = cond.Constant;
        // a·i < r ⇔ a·i ≤ r − 1 and a·i ≥ r ⇔ a·i > r − 1: with ≤ and > the bound is ⌊r / a⌋.
        if (cond.Coefficient != 1 && cond.Cmp is LoopCmp.Lt or LoopCmp.Ge) constant -= 1;
        if (constant != 0 || r is null)
        {
            var k = IntConst(System.Math.Abs(constant), cond.Source);
            r = r is null ? IntConst(constant, cond.Source) : _b.Binary(constant < 0 ? BinOp.Sub : BinOp.Add, r, k);
        }
        if (cond.Coefficient == 1) return r;
        return FloorDiv(r, cond.Coefficient, cond.Source);
    }

    /// <summary>The normalized comparison: with a coefficient a ≠ 1 it is ≤ or &gt; against ⌊r / a⌋.</summary>
    private static LoopCmp NormalizedCmp(LoopCondition cond) =>
        cond.Coefficient == 1 ? cond.Cmp : cond.Cmp is LoopCmp.Lt or LoopCmp.Le ? LoopCmp.Le : LoopCmp.Gt;

    /// <summary>⌊r / a⌋ for a &gt; 0 with C#'s truncating / and %: (r − ((r % a + a) % a)) / a is exact.</summary>
    private Value FloorDiv(Value r, int a, SyntaxNode at)
    {
        var ka = IntConst(a, at);
        var mod = _b.Binary(BinOp.Rem, _b.Binary(BinOp.Add, _b.Binary(BinOp.Rem, r, ka), ka), ka);
        return _b.Binary(BinOp.Div, _b.Binary(BinOp.Sub, r, mod), ka);
    }

    private Value IntConst(long k, SyntaxNode at)
    {
        if (k > int.MaxValue || k < int.MinValue)
            throw new UnsupportedException("the loop condition's constant does not fit in an int", at);
        return _b.Const(k, IrType.I32);
    }
}
