using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// <c>for</c> loops: the counter, bound and step checks, and the loop-carried values.
/// </summary>
internal sealed partial class PrimalLowering
{
    private (Value? Exited, Value? Result) LowerFor(ForStatementSyntax fs)
    {
        // for (int i = start; COND; i += step), COND affine in i (normalized to i CMP bound).
        var (counter, start) = LowerForCounter(fs);
        var (boundTest, guards) = SplitCondition(fs, counter);
        var cond = ForCondition(fs, boundTest, counter);
        var cmp = NormalizedCmp(cond);
        var step = ForStep(fs, counter, cmp);
        CheckForBody(fs, counter);
        var bound = LowerForBound(fs, cond);
        return LowerCountedLoop(fs, fs.Statement, counter, start, bound, step, cmp, bindElement: null, guards);
    }

    /// <summary>
    /// The loop op itself: the body lowered with the counter bound to the induction variable
    /// (or, for <c>foreach</c>, <paramref name="bindElement"/> binding the element at it), and
    /// the enclosing scope's scalars that the body assigns carried through. A body that can
    /// <c>break</c> (or <c>return</c>) also carries an "exited" flag (and the returned value):
    /// once set, the remaining iterations do nothing. Returns the flag and value after the loop.
    /// </summary>
    private (Value? Exited, Value? Result) LowerCountedLoop(StatementSyntax loop, StatementSyntax body, ISymbol? counter, Value start,
        Value bound, int step, LoopCmp cmp, System.Action<Value>? bindElement, List<ExpressionSyntax>? guards = null,
        UntilExit? until = null)
    {
        guards ??= new List<ExpressionSyntax>();
        var carried = AssignedSymbols(body).Concat(guards.SelectMany(AssignedSymbols))
            .Concat(until?.Test is { } test ? AssignedSymbols(test.Condition) : Enumerable.Empty<ISymbol>())
            .Where(s => _env.ContainsKey(s) && !_env[s].Type.IsBuffer)
            .Distinct<ISymbol>(SymbolEqualityComparer.Default)
            .OrderBy(s => _env[s].Id)
            .ToList();
        var allowsReturn = ReferenceEquals(loop, _returnLoop) && ContainsReturn(body);
        var exits = ContainsBreak(body) || allowsReturn || guards.Count > 0 || until is not null;
        var retType = allowsReturn ? _returnLoopType : null;
        var exitInits = new List<Value>();
        if (exits)
        {
            exitInits.Add(_b.Const(0, IrType.Bool, "exited"));
            // A failing condition sets the flag too: a return then needs its own flag.
            if (retType is not null && (until is not null || guards.Count > 0)) exitInits.Add(_b.Const(0, IrType.Bool, "returned"));
            if (retType is not null) exitInits.Add(_b.Const(0, retType, "result"));
        }

        var outer = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
        var iv = _b.NewValue(IrType.I32, counter?.Name ?? until?.Name ?? "i");
        var bodyArgs = new List<Value> { iv };
        // ForOp.Exits: the flag is the first carried value (other loops carry it last).
        var exitArgs = until is null ? null : exitInits.Select(v => _b.NewValue(v.Type, v.Name)).ToList();
        if (exitArgs is not null) bodyArgs.AddRange(exitArgs);
        foreach (var s in carried)
        {
            var arg = _b.NewValue(outer[s].Type, s.Name);
            bodyArgs.Add(arg);
            _env[s] = arg;
        }
        if (counter is not null) _env[counter] = iv;
        if (exitArgs is null)
        {
            exitArgs = exitInits.Select(v => _b.NewValue(v.Type, v.Name)).ToList();
            bodyArgs.AddRange(exitArgs);
        }

        var savedExit = _exit;
        var hasReturned = exitInits.Count == 3;
        _exit = exits
            ? new LoopExit(exitArgs[0], hasReturned ? exitArgs[1] : null, retType is null ? null : exitArgs[exitArgs.Count - 1],
                allowsReturn, retType)
            : null;
        _b.BeginBlock();
        bindElement?.Invoke(iv);
        void Guarded(int k)
        {
            // The condition's other tests, in order: a failing one ends the loop as 'break' would.
            if (k == guards.Count)
            {
                var statements = Flatten(new[] { body });
                if (until?.Test is { } doTest) statements.Add(doTest);  // a do loop's test ends its body (LowerDoTest)
                LowerLoopBody(statements);
                return;
            }
            LowerBranches(LowerCondition(guards[k]), () => Guarded(k + 1), () => _exit!.Flag = _b.Const(1, IrType.Bool));
        }
        if (until is not null) Guarded(0);  // the loop stops once the flag is set: no iteration starts with it
        else if (exits) LowerBranches(exitArgs[0], () => { }, () => Guarded(0));
        else LowerLoopBody(Flatten(new[] { body }));
        var bodyOps = _b.EndBlock();
        var yields = carried.Select(s => _env[s]).ToList();
        if (_exit is { } exit)
        {
            var exitYields = exit.State();
            yields = until is null ? yields.Concat(exitYields).ToList() : exitYields.Concat(yields).ToList();
        }
        _exit = savedExit;

        var outs = carried.Select(s => _b.NewValue(outer[s].Type, s.Name)).ToList();
        var exitOuts = exitInits.Select(v => _b.NewValue(v.Type, v.Name)).ToList();
        var carriedInits = carried.Select(s => outer[s]).ToList();
        var inits = (until is null ? carriedInits.Concat(exitInits) : exitInits.Concat(carriedInits)).ToEquatableArray();
        var allOuts = until is null ? outs.Concat(exitOuts) : exitOuts.Concat(outs);
        _b.Emit(new ForOp(allOuts.ToEquatableArray(), start, bound, step, cmp, inits,
            new Region(bodyArgs.ToEquatableArray(), bodyOps, yields.ToEquatableArray()), Exits: until is not null));
        _env = outer;
        for (var i = 0; i < carried.Count; i++) _env[carried[i]] = outs[i];
        // What follows the loop asks whether it returned: the returned flag where the loop has one, else the exit flag.
        return exits ? (exitOuts[hasReturned ? 1 : 0], retType is null ? null : exitOuts[exitOuts.Count - 1]) : (null, null);
    }

    /// <summary>
    /// <c>foreach (var x in v)</c> over a span or array of the method: the counted loop
    /// <c>for (int i = 0; i &lt; v.Length; i++)</c> with x bound to <c>v[i]</c> at the top of each
    /// iteration, which is when C#'s span and array enumerators read the element.
    /// </summary>
    private (Value? Exited, Value? Result) LowerForEach(ForEachStatementSyntax fe)
    {
        if (fe.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword)) throw new UnsupportedException("'await foreach' is not supported", fe);
        if (fe.Type is RefTypeSyntax)
            throw new UnsupportedException("'foreach (ref ...)' is not supported; write elements with a 'for' loop and an index", fe);
        var element = _model.GetDeclaredSymbol(fe, _ct) as ILocalSymbol
            ?? throw new UnsupportedException("unknown foreach variable", fe);
        var elementType = MapType(element.Type, false);
        if (elementType is null || elementType.IsBuffer)
            throw new UnsupportedException(
                $"the foreach variable '{element.Name}' has type '{element.Type.ToDisplayString()}'; " +
                "iterate a span or array of float or double",
                fe);
        var buffer = LowerBufferRef(fe.Expression);
        if (!ReferenceEquals(fe, _returnLoop) && ContainsReturn(fe.Statement)) throw ReturnInNestedLoop(fe.Statement);
        var start = _b.Const(0, IrType.I32);
        var bound = _b.Length(buffer);
        return LowerCountedLoop(fe, fe.Statement, counter: null, start, bound, 1, LoopCmp.Lt,
            iv => _env[element] = Coerce(_b.Load(buffer, iv, element.Name), elementType, fe));
    }

    /// <summary>The counter (one initialized int) and its start value.</summary>
    private (ILocalSymbol Counter, Value Start) LowerForCounter(ForStatementSyntax fs)
    {
        if (fs.Declaration is null || fs.Declaration.Variables.Count != 1 || fs.Initializers.Count != 0)
            throw new UnsupportedException("a 'for' loop must declare one int counter: for (int i = a; i < b; i++)", fs);
        var counterDecl = fs.Declaration.Variables[0];
        var counter = _model.GetDeclaredSymbol(counterDecl, _ct) as ILocalSymbol;
        if (counter is null || counter.Type.SpecialType != SpecialType.System_Int32 || counterDecl.Initializer is null)
            throw new UnsupportedException("the loop counter must be an initialized int", fs);
        var start = Coerce(LowerExpr(counterDecl.Initializer.Value), IrType.I32, counterDecl);
        return (counter, start);
    }

    /// <summary>The step: a nonzero constant that moves the counter toward the bound.</summary>
    private int ForStep(ForStatementSyntax fs, ILocalSymbol counter, LoopCmp cmp)
    {
        if (fs.Incrementors.Count != 1) throw new UnsupportedException("the loop must have one incrementor (i++, i--, i += k)", fs);
        var step = fs.Incrementors[0] switch
        {
            PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostIncrementExpression) && IsCounter(p.Operand, counter) => 1,
            PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostDecrementExpression) && IsCounter(p.Operand, counter) => -1,
            PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreIncrementExpression) && IsCounter(p.Operand, counter) => 1,
            PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreDecrementExpression) && IsCounter(p.Operand, counter) => -1,
            AssignmentExpressionSyntax a when a.IsKind(SyntaxKind.AddAssignmentExpression) && IsCounter(a.Left, counter)
                => ConstInt(a.Right),
            AssignmentExpressionSyntax a when a.IsKind(SyntaxKind.SubtractAssignmentExpression) && IsCounter(a.Left, counter)
                => -ConstInt(a.Right),
            _ => throw new UnsupportedException(
                "the loop incrementor must be i++, i--, i += k or i -= k with a constant k", fs.Incrementors[0]),
        };
        if (step == 0) throw new UnsupportedException("the loop step must not be zero", fs);
        if ((step > 0) != (cmp is LoopCmp.Lt or LoopCmp.Le))
            throw new UnsupportedException("the loop's step runs away from its bound", fs);
        return step;
    }

    private void CheckForBody(ForStatementSyntax fs, ILocalSymbol counter)
    {
        // The body must not write the counter.
        foreach (var w in AssignedSymbols(fs.Statement))
        {
            if (SymbolEqualityComparer.Default.Equals(w, counter))
                throw new UnsupportedException("the loop body must not write the loop counter", fs.Statement);
        }
        if (!ReferenceEquals(fs, _returnLoop) && ContainsReturn(fs.Statement)) throw ReturnInNestedLoop(fs.Statement);
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
                PostfixUnaryExpressionSyntax p
                    when p.IsKind(SyntaxKind.PostIncrementExpression) || p.IsKind(SyntaxKind.PostDecrementExpression) => p.Operand,
                PrefixUnaryExpressionSyntax p
                    when p.IsKind(SyntaxKind.PreIncrementExpression) || p.IsKind(SyntaxKind.PreDecrementExpression) => p.Operand,
                _ => null,
            };
            while (target is ParenthesizedExpressionSyntax p2) target = p2.Expression;
            if (target is IdentifierNameSyntax id && _model.GetSymbolInfo(id, _ct).Symbol is { } s and (ILocalSymbol or IParameterSymbol))
                yield return s;
        }
    }
}
