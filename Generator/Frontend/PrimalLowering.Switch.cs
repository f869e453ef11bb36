using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// <c>switch</c> statements and expressions on an int, lowered to a chain of <see cref="IfOp"/>s
/// tested in source order (the default section last). Patterns: constants, relational
/// (<c>&lt; 0</c>), <c>and</c>/<c>or</c>/<c>not</c> of those, and the discard.
/// </summary>
internal sealed partial class PrimalLowering
{
    private Value LowerSwitchGoverning(ExpressionSyntax governing)
    {
        if (_model.GetTypeInfo(governing, _ct).Type?.SpecialType != SpecialType.System_Int32)
            throw new UnsupportedException("a 'switch' must be on an int; on a float or double, use if/else with comparisons", governing);
        return LowerExpr(governing);
    }

    private Value LowerSwitchExpression(SwitchExpressionSyntax sw)
    {
        var type = TypeOf(sw);
        var g = LowerSwitchGoverning(sw.GoverningExpression);
        return LowerArms(sw, 0, g, type);
    }

    private Value LowerArms(SwitchExpressionSyntax sw, int k, Value g, IrType type)
    {
        if (k == sw.Arms.Count)
            throw new UnsupportedException(
                "the switch expression has no '_' arm; add one (a differentiable method cannot throw when no arm matches)", sw);
        var arm = sw.Arms[k];
        var catchAll = arm.Pattern is DiscardPatternSyntax;
        if (catchAll && arm.WhenClause is null) return Coerce(LowerExpr(arm.Expression), type, arm.Expression);
        var cond = catchAll ? LowerCondition(arm.WhenClause!.Condition) : AndWhen(PatternCondition(arm.Pattern, g), arm.WhenClause);
        var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var a = Coerce(LowerExpr(arm.Expression), type, arm.Expression);
        var aOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);
        _b.BeginBlock();
        var b = LowerArms(sw, k + 1, g, type);
        var bOps = _b.EndBlock();
        _env = saved;
        var result = _b.NewValue(type, "");
        _b.Emit(new IfOp(new[] { result }.ToEquatableArray(), cond,
            new Region(EquatableArray<Value>.Empty, aOps, new[] { a }.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, bOps, new[] { b }.ToEquatableArray())));
        return result;
    }

    /// <summary>The bool that <paramref name="pattern"/> matches the int <paramref name="g"/>.</summary>
    private Value PatternCondition(PatternSyntax pattern, Value g)
    {
        switch (pattern)
        {
            case ParenthesizedPatternSyntax p:
                return PatternCondition(p.Pattern, g);
            case ConstantPatternSyntax c:
                return _b.Binary(BinOp.Eq, g, PatternConstant(c.Expression));
            case RelationalPatternSyntax r:
                var op = r.OperatorToken.Kind() switch
                {
                    SyntaxKind.LessThanToken => BinOp.Lt,
                    SyntaxKind.LessThanEqualsToken => BinOp.Le,
                    SyntaxKind.GreaterThanToken => BinOp.Gt,
                    SyntaxKind.GreaterThanEqualsToken => BinOp.Ge,
                    _ => BinOp.Ne,
                };
                return _b.Binary(op, g, PatternConstant(r.Expression));
            case BinaryPatternSyntax bp:
                var l = PatternCondition(bp.Left, g);
                var rr = PatternCondition(bp.Right, g);
                return _b.Binary(bp.IsKind(SyntaxKind.OrPattern) ? BinOp.Or : BinOp.And, l, rr);
            case UnaryPatternSyntax u when u.IsKind(SyntaxKind.NotPattern):
                return _b.Unary(UnOp.Not, PatternCondition(u.Pattern, g));
            default:
                throw new UnsupportedException(
                    $"the pattern '{Short(pattern)}' is not supported; use int constants, <, <=, >, >=, and, or, not, or '_'", pattern);
        }
    }

    private Value PatternConstant(ExpressionSyntax e)
    {
        var c = _model.GetConstantValue(e, _ct);
        if (c.HasValue && c.Value is int k) return _b.Const(k, IrType.I32);
        throw new UnsupportedException($"'{Short(e)}' is not an int constant; a case label must be one", e);
    }

    /// <summary>
    /// A <c>switch</c> statement whose sections end in <c>break</c>: an if-chain over the sections
    /// in source order, the default section last (C# tests the cases before the default wherever it stands).
    /// </summary>
    private void LowerSwitchStatement(SwitchStatementSyntax sw)
    {
        if (ContainsReturn(sw))
            throw new UnsupportedException(
                "'return' inside this 'switch' statement is not supported (inside a loop, or past the early-return budget); " +
                "assign the result to a local in each section and return after the switch, or write a switch expression", sw);
        var g = LowerSwitchGoverning(sw.Expression);
        var sections = new List<(SwitchSectionSyntax Section, List<StatementSyntax> Body)>();
        List<StatementSyntax>? defaultBody = null;
        foreach (var section in sw.Sections)
        {
            var body = SectionBody(section);
            if (section.Labels.Any(l => l is DefaultSwitchLabelSyntax)) defaultBody = body;
            else sections.Add((section, body));
        }
        LowerSections(sections, 0, g, defaultBody);
    }

    private List<StatementSyntax> SectionBody(SwitchSectionSyntax section, bool mayReturn = false)
    {
        var statements = Flatten(section.Statements);
        var last = statements.Count == 0 ? null : statements[statements.Count - 1];
        if (last is BreakStatementSyntax) statements.RemoveAt(statements.Count - 1);
        else if (!mayReturn || last is not ReturnStatementSyntax)
            throw new UnsupportedException("a switch section must end with 'break'" + (mayReturn ? " or 'return'" : ""), section);
        // A 'break' elsewhere leaves the section early; loops inside a section refuse their own.
        var early = statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<BreakStatementSyntax>().FirstOrDefault();
        if (early is not null)
            throw new UnsupportedException(
                "'break' before the end of a switch section is not supported; put the rest of the section in an 'if'", early);
        return statements;
    }

    private void LowerSections(List<(SwitchSectionSyntax Section, List<StatementSyntax> Body)> sections, int k, Value g,
        List<StatementSyntax>? defaultBody)
    {
        if (k == sections.Count)
        {
            foreach (var s in defaultBody ?? new List<StatementSyntax>()) LowerStatement(s);
            return;
        }
        var (section, body) = sections[k];
        var cond = SectionCondition(section, g);
        LowerBranches(cond, () => { foreach (var s in body) LowerStatement(s); },
            () => LowerSections(sections, k + 1, g, defaultBody));
    }

    /// <summary>An <c>if</c> over two lowering actions: locals either rebinds become the op's results.</summary>
    private void LowerBranches(Value cond, Action then, Action @else)
    {
        var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        var exit = _exit;
        var outerExit = exit?.State() ?? new List<Value>();
        _b.BeginBlock();
        then();
        var thenEnv = _env;
        var thenExit = exit?.State() ?? new List<Value>();
        var thenOps = _b.EndBlock();
        _env = new Dictionary<ISymbol, Value>(outer, SymbolEqualityComparer.Default);
        exit?.Restore(outerExit);
        _b.BeginBlock();
        @else();
        var elseEnv = _env;
        var elseExit = exit?.State() ?? new List<Value>();
        var elseOps = _b.EndBlock();
        var changed = outer.Keys.Where(k => !thenEnv[k].Equals(outer[k]) || !elseEnv[k].Equals(outer[k]))
            .OrderBy(k => outer[k].Id).ToList();
        var outs = changed.Select(k => _b.NewValue(outer[k].Type, k.Name)).ToList();
        var thenYields = changed.Select(k => thenEnv[k]).ToList();
        var elseYields = changed.Select(k => elseEnv[k]).ToList();
        // A loop's exit flag and returned value merge like locals when either branch leaves the loop.
        var exitChanged = exit is not null && (!thenExit.SequenceEqual(outerExit) || !elseExit.SequenceEqual(outerExit));
        if (exitChanged)
        {
            thenYields.AddRange(thenExit);
            elseYields.AddRange(elseExit);
            outs.AddRange(outerExit.Zip(exit!.Names(), (v, name) => _b.NewValue(v.Type, name)));
        }
        _b.Emit(new IfOp(outs.ToEquatableArray(), cond,
            new Region(EquatableArray<Value>.Empty, thenOps, thenYields.ToEquatableArray()),
            new Region(EquatableArray<Value>.Empty, elseOps, elseYields.ToEquatableArray())));
        _env = outer;
        for (var i = 0; i < changed.Count; i++) _env[changed[i]] = outs[i];
        if (exitChanged) exit!.Restore(outs.Skip(changed.Count).ToList());
    }

    /// <summary>
    /// A <c>switch</c> statement of the method's statement sequence that returns on some path: an
    /// if-chain whose branches each take the rest of the method (as a returning <c>if</c> does).
    /// </summary>
    private List<Value> LowerReturningSwitch(SwitchStatementSyntax sw, List<StatementSyntax> rest, int restStart, IrType? retType)
    {
        var tail = rest.Skip(restStart).ToList();
        var tailSize = tail.Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
        if (_duplicated + tailSize * sw.Sections.Count > DuplicationBudget)
            throw new UnsupportedException(
                $"the statements after this 'switch' would be copied into each of its sections (over {DuplicationBudget} in all); " +
                "assign the result to a local in each section and return after the switch", sw);
        _duplicated += tailSize * sw.Sections.Count;
        Note(sw);
        var g = LowerSwitchGoverning(sw.Expression);
        var sections = new List<(SwitchSectionSyntax Section, List<StatementSyntax> Body)>();
        var defaultBody = new List<StatementSyntax>();
        foreach (var section in sw.Sections)
        {
            var body = SectionBody(section, mayReturn: true);
            if (section.Labels.Any(l => l is DefaultSwitchLabelSyntax)) defaultBody = body;
            else sections.Add((section, body));
        }
        List<Value> Chain(int k)
        {
            if (k == sections.Count) return LowerSequence(defaultBody.Concat(tail).ToList(), 0, retType);
            var cond = SectionCondition(sections[k].Section, g);
            var saved = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
            _b.BeginBlock();
            var thenYields = LowerSequence(sections[k].Body.Concat(tail).ToList(), 0, retType);
            var thenOps = _b.EndBlock();
            _env = new Dictionary<ISymbol, Value>(saved, SymbolEqualityComparer.Default);
            _b.BeginBlock();
            var elseYields = Chain(k + 1);
            var elseOps = _b.EndBlock();
            _env = saved;
            var outs = _b.If(cond, thenOps, thenYields, elseOps, elseYields);
            return outs.ToList();
        }
        return Chain(0);
    }

    /// <summary>
    /// A pattern's match and its <c>when</c> clause, which C# evaluates only once the pattern has matched: an <c>if</c>, so
    /// a clause that reads a span at an index valid only for that case is read only then.
    /// </summary>
    private Value AndWhen(Value matches, WhenClauseSyntax? when)
    {
        if (when is null) return matches;
        _b.BeginBlock();
        var clause = LowerCondition(when.Condition);
        var thenOps = _b.EndBlock();
        _b.BeginBlock();
        var no = _b.Const(0, IrType.Bool);
        var elseOps = _b.EndBlock();
        return _b.If(matches, thenOps, new[] { clause }, elseOps, new[] { no })[0];
    }

    private Value SectionCondition(SwitchSectionSyntax section, Value g)
    {
        Value? cond = null;
        foreach (var label in section.Labels)
        {
            var c = label switch
            {
                CaseSwitchLabelSyntax cl => _b.Binary(BinOp.Eq, g, PatternConstant(cl.Value)),
                CasePatternSwitchLabelSyntax pl => AndWhen(PatternCondition(pl.Pattern, g), pl.WhenClause),
                _ => throw new UnsupportedException("this switch label is not supported; use int constants and comparisons", label),
            };
            cond = cond is null ? c : _b.Binary(BinOp.Or, cond, c);
        }
        return cond!;
    }
}
