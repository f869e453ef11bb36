using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Cleans IR after a transform: constant folding, algebraic identities (x·1, x+0, x·0 with
/// symbolic zeros, −−x), common-subexpression elimination of pure ops (scoped by region, so a
/// value computed outside a loop is reused inside it), and dead-code elimination — including
/// loop-carried values and branch results that nothing reads. Zero tangents that forward mode
/// creates for inactive paths fold away here.
/// </summary>
internal static class Simplify
{
    /// <summary>Simplifies every function; calls between them are understood (see <see cref="Dce"/>).</summary>
    /// <param name="m">The module.</param>
    /// <param name="outside">Looks up called functions that are not in the module.</param>
    public static Module Run(Module m, Func<FunctionKey, Function?>? outside = null)
    {
        var byKey = new Dictionary<FunctionKey, Function>();
        foreach (var f in m.Functions) byKey[f.Key] = f;
        Function? Callee(FunctionKey key) => byKey.TryGetValue(key, out var f) ? f : outside?.Invoke(key);
        return new(m.Functions.Select(f => Run(f, Callee)).ToEquatableArray());
    }

    /// <param name="fn">The function.</param>
    /// <param name="callees">Looks up called functions, to know which span arguments a call may write.</param>
    public static Function Run(Function fn, Func<FunctionKey, Function?>? callees = null)
    {
        var current = fn;
        for (var round = 0; round < 8; round++)
        {
            var folded = new Folder(IrMaxId.Of(current) + 1).Run(DeltaSums.Run(current));
            var cleaned = Dce.Run(folded, callees);
            if (cleaned.Equals(current)) return cleaned;
            current = cleaned;
        }
        return current;
    }

    /// <summary>Folding, identities and CSE in one forward walk with a substitution map.</summary>
    private sealed class Folder
    {
        private readonly Dictionary<int, Value> _subst = new();
        private readonly Dictionary<int, double> _consts = new();
        private readonly HashSet<int> _symbolic = new();
        private readonly IrBuilder _b;
        private readonly Stack<Dictionary<string, Value>> _cse = new();
        private readonly HashSet<int> _readOnlyBuffers = new();

        public Folder(int firstId) => _b = new IrBuilder(firstId);

        public Function Run(Function fn)
        {
            foreach (var p in fn.Params)
            {
                if (p.Type.IsBuffer && p.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) _readOnlyBuffers.Add(p.Id);
            }
            _cse.Push(new Dictionary<string, Value>(StringComparer.Ordinal));
            foreach (var op in fn.Body.Ops) Visit(op);
            var yields = fn.Body.Yields.Select(S).ToEquatableArray();
            return fn with { Body = new Region(fn.Body.Args, _b.EndBlock(), yields) };
        }

        private Value S(Value v) => _subst.TryGetValue(v.Id, out var r) ? r : v;

        private bool IsConst(Value v, out double c) => _consts.TryGetValue(v.Id, out c);

        private bool IsConst(Value v, double c) => _consts.TryGetValue(v.Id, out var k) && k == c;

        /// <summary>A zero that stands for an absent derivative (see <see cref="ConstOp.Symbolic"/>).</summary>
        private bool IsSymbolicZero(Value v) => _symbolic.Contains(v.Id);

        private Value? Lookup(string key)
        {
            foreach (var scope in _cse)
            {
                if (scope.TryGetValue(key, out var v)) return v;
            }
            return null;
        }

        /// <summary>Emits a pure op unless an equal one is already in scope.</summary>
        private void EmitPure(Op op, Value result, string key)
        {
            var existing = Lookup(key);
            if (existing is not null && existing.Type == result.Type)
            {
                _subst[result.Id] = existing;
                return;
            }
            _cse.Peek()[key] = result;
            _b.Emit(op);
        }

        private void Replace(Value result, Value with) => _subst[result.Id] = with;

        private void ReplaceConst(Value result, double c, bool symbolic = false)
        {
            if (result.Type.Elem == ScalarKind.F32) c = (float)c;
            var key = (symbolic ? "zero " : "const ") + result.Type + " " + c.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var existing = Lookup(key);
            if (existing is not null)
            {
                _subst[result.Id] = existing;
                return;
            }
            var op = new ConstOp(result, c, symbolic);
            _consts[result.Id] = c;
            if (symbolic) _symbolic.Add(result.Id);
            _cse.Peek()[key] = result;
            _b.Emit(op);
        }

        private Region VisitRegion(Region r, Func<Value, Value>? yieldMap = null)
        {
            _b.BeginBlock();
            _cse.Push(new Dictionary<string, Value>(StringComparer.Ordinal));
            foreach (var op in r.Ops) Visit(op);
            var yields = r.Yields.Select(S).ToEquatableArray();
            _cse.Pop();
            return new Region(r.Args, _b.EndBlock(), yields);
        }

        private void Visit(Op op)
        {
            switch (op)
            {
                case ConstOp c:
                {
                    var key = (c.Symbolic ? "zero " : "const ") + c.Result.Type + " " + c.Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                    var existing = Lookup(key);
                    if (existing is not null && existing.Type == c.Result.Type)
                    {
                        _subst[c.Result.Id] = existing;
                        return;
                    }
                    _consts[c.Result.Id] = c.Number;
                    if (c.Symbolic) _symbolic.Add(c.Result.Id);
                    _cse.Peek()[key] = c.Result;
                    _b.Emit(c);
                    return;
                }
                case UnaryOp u:
                    VisitUnary(u with { Operand = S(u.Operand) });
                    return;
                case BinaryOp bin:
                    VisitBinary(bin with { Left = S(bin.Left), Right = S(bin.Right) });
                    return;
                case TernaryOp t:
                    VisitTernary(t with { A = S(t.A), B = S(t.B), C = S(t.C) });
                    return;
                case SelectOp s:
                {
                    var sel = s with { Cond = S(s.Cond), IfTrue = S(s.IfTrue), IfFalse = S(s.IfFalse) };
                    if (sel.IfTrue == sel.IfFalse) { Replace(s.Result, sel.IfTrue); return; }
                    if (IsConst(sel.Cond, out var cc)) { Replace(s.Result, cc != 0 ? sel.IfTrue : sel.IfFalse); return; }
                    EmitPure(sel, sel.Result, $"select {sel.Cond.Id} {sel.IfTrue.Id} {sel.IfFalse.Id}");
                    return;
                }
                case LengthOp l:
                {
                    var len = l with { Buffer = S(l.Buffer) };
                    EmitPure(len, len.Result, $"len {len.Buffer.Id}");
                    return;
                }
                case LoadOp l:
                {
                    var load = l with { Buffer = S(l.Buffer), Index = S(l.Index) };
                    if (_readOnlyBuffers.Contains(load.Buffer.Id))
                    {
                        // Inputs never change during the call: equal loads can be shared.
                        EmitPure(load, load.Result, $"load {load.Buffer.Id} {load.Index.Id}");
                        return;
                    }
                    _b.Emit(load);
                    return;
                }
                case StoreOp st:
                {
                    var store = st with { Buffer = S(st.Buffer), Index = S(st.Index), Stored = S(st.Stored) };
                    // Accumulating a zero is a no-op.
                    if (store.Accumulate && IsConst(store.Stored, 0)) return;
                    _b.Emit(store);
                    return;
                }
                case AllocOp a:
                    _b.Emit(a with { Length = S(a.Length) });
                    return;
                case CallOp c:
                    _b.Emit(c with { Args = c.Args.Select(S).ToEquatableArray() });
                    return;
                case ForOp f:
                {
                    var inits = f.Inits.Select(S).ToEquatableArray();
                    // A carried value that every iteration yields unchanged is loop-invariant:
                    // read its initial value instead.
                    var invariant = Enumerable.Range(0, f.Inits.Count).Where(k => f.Body.Yields[k] == f.Body.Args[k + 1]).ToList();
                    var loop = f with { Start = S(f.Start), Bound = S(f.Bound), Inits = inits };
                    if (invariant.Count > 0)
                    {
                        foreach (var k in invariant)
                        {
                            _subst[f.Body.Args[k + 1].Id] = inits[k];
                            _subst[f.Outs[k].Id] = inits[k];
                        }
                        var keep = Enumerable.Range(0, f.Inits.Count).Where(k => !invariant.Contains(k)).ToList();
                        loop = loop with
                        {
                            Outs = keep.Select(k => f.Outs[k]).ToEquatableArray(),
                            Inits = keep.Select(k => inits[k]).ToEquatableArray(),
                            Body = new Region(new[] { f.Body.Args[0] }.Concat(keep.Select(k => f.Body.Args[k + 1])).ToEquatableArray(),
                                f.Body.Ops, keep.Select(k => f.Body.Yields[k]).ToEquatableArray()),
                        };
                    }
                    var body = VisitRegion(loop.Body);
                    _b.Emit(loop with { Body = body });
                    return;
                }
                case IfOp i:
                {
                    var cond = S(i.Cond);
                    if (IsConst(cond, out var cv))
                    {
                        // Inline the branch that is taken.
                        var taken = cv != 0 ? i.Then : i.Else;
                        foreach (var inner in taken.Ops) Visit(inner);
                        for (var k = 0; k < i.Outs.Count; k++) Replace(i.Outs[k], S(taken.Yields[k]));
                        return;
                    }
                    var thenR = VisitRegion(i.Then);
                    var elseR = VisitRegion(i.Else);
                    // A result that both branches give as the same outer value is that value.
                    var innerDefs = new HashSet<int>();
                    Rewrite.Defs(thenR, innerDefs);
                    Rewrite.Defs(elseR, innerDefs);
                    var same = Enumerable.Range(0, i.Outs.Count)
                        .Where(k => thenR.Yields[k] == elseR.Yields[k] && !innerDefs.Contains(thenR.Yields[k].Id)).ToList();
                    foreach (var k in same) Replace(i.Outs[k], thenR.Yields[k]);
                    if (same.Count > 0)
                    {
                        var keep = Enumerable.Range(0, i.Outs.Count).Where(k => !same.Contains(k)).ToList();
                        i = i with { Outs = keep.Select(k => i.Outs[k]).ToEquatableArray() };
                        thenR = thenR with { Yields = keep.Select(k => thenR.Yields[k]).ToEquatableArray() };
                        elseR = elseR with { Yields = keep.Select(k => elseR.Yields[k]).ToEquatableArray() };
                    }
                    _b.Emit(i with { Cond = cond, Then = thenR, Else = elseR });
                    return;
                }
                default:
                    _b.Emit(op);
                    return;
            }
        }

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
            if (a.Id == b.Id && !a.Type.IsFloat && op.Kind is BinOp.Eq or BinOp.Ne or BinOp.Le or BinOp.Ge or BinOp.Lt or BinOp.Gt)
            {
                ReplaceConst(op.Result, op.Kind is BinOp.Eq or BinOp.Le or BinOp.Ge ? 1 : 0);
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
                        if (IsSymbolicZero(b) || (IsConst(b, out var zb) && zb == 0 && (isInt || 1 / zb > 0))) { Replace(op.Result, a); return; }
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
            var commutative = op.Kind is BinOp.Add or BinOp.Mul or BinOp.Max or BinOp.Min or BinOp.Eq or BinOp.Ne or BinOp.And or BinOp.Or;
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

    /// <summary>
    /// Dead-code elimination, including unused loop-carried values and branch results, and
    /// local buffers whose contents nobody reads: their stores go, and so do calls whose only
    /// effect is writing such buffers (generated functions have no effect but the spans they
    /// write). This is what drops the forward Taylor pass from an operator's pullback, where the
    /// reverse sweep needs the jets but not the value of the operator.
    /// </summary>
    private static class Dce
    {
        public static Function Run(Function fn, Func<FunctionKey, Function?>? callees = null)
        {
            var used = new HashSet<int>();
            foreach (var y in fn.Body.Yields) used.Add(y.Id);
            var body = Region(fn.Body, used);
            return DeadBuffers(fn with { Body = body }, callees);
        }

        /// <summary>Whether a region loads from buffer <paramref name="id"/> or passes it on to a call.</summary>
        private static bool MayRead(Region r, int id)
        {
            foreach (var op in r.Ops)
            {
                if (op is LoadOp l && l.Buffer.Id == id) return true;
                if (op is CallOp c && c.Args.Any(a => a.Id == id)) return true;
                if (op is PushOp p && p.Pushed.Id == id) return true;
                foreach (var inner in op.Regions)
                {
                    if (MayRead(inner, id)) return true;
                }
            }
            return false;
        }

        private static Function DeadBuffers(Function fn, Func<FunctionKey, Function?>? callees)
        {
            var allocs = new HashSet<int>();
            var loaded = new HashSet<int>();
            var read = new HashSet<int>();
            var calls = new List<CallOp>();
            void Walk(Region r)
            {
                foreach (var y in r.Yields) read.Add(y.Id);
                foreach (var op in r.Ops)
                {
                    if (op is AllocOp a) allocs.Add(a.Result.Id);
                    if (op is LoadOp l) loaded.Add(l.Buffer.Id);
                    if (op is CallOp c) calls.Add(c);
                    foreach (var v in op.Operands) read.Add(v.Id);
                    foreach (var inner in op.Regions) Walk(inner);
                }
            }
            Walk(fn.Body);
            var dead = new HashSet<int>(allocs.Where(id => !loaded.Contains(id)));
            if (dead.Count == 0) return fn;
            bool Writes(CallOp c, int i)
            {
                var a = c.Args[i];
                if (!a.Type.IsBuffer || a.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) return false;
                var callee = callees?.Invoke(c.Callee);
                if (callee is null || callee.Params.Count != c.Args.Count) return true;
                return callee.Params[i].Type.Buffer is not (BufferKind.ReadOnlySpan or BufferKind.Array);
            }
            bool Removable(CallOp c) =>
                c.Outs.All(o => !read.Contains(o.Id)) &&
                Enumerable.Range(0, c.Args.Count).All(i => !Writes(c, i) || dead.Contains(c.Args[i].Id));
            // A call that stays may read the buffers it is given, unless its body never loads one.
            bool Reads(CallOp c, int i)
            {
                var callee = callees?.Invoke(c.Callee);
                return callee is null || callee.Params.Count != c.Args.Count || MayRead(callee.Body, callee.Params[i].Id);
            }
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var c in calls.Where(c => !Removable(c)))
                {
                    for (var i = 0; i < c.Args.Count; i++)
                    {
                        if (Reads(c, i)) changed |= dead.Remove(c.Args[i].Id);
                    }
                }
            }
            if (dead.Count == 0) return fn;
            Region Strip(Region r)
            {
                var ops = new List<Op>();
                foreach (var op in r.Ops)
                {
                    switch (op)
                    {
                        case StoreOp st when dead.Contains(st.Buffer.Id):
                        case ClearOp cl when dead.Contains(cl.Buffer.Id):
                        case CallOp c when Removable(c):
                            continue;
                        case ForOp f:
                            ops.Add(f with { Body = Strip(f.Body) });
                            break;
                        case IfOp i:
                            ops.Add(i with { Then = Strip(i.Then), Else = Strip(i.Else) });
                            break;
                        default:
                            ops.Add(op);
                            break;
                    }
                }
                return r with { Ops = ops.ToEquatableArray() };
            }
            return fn with { Body = Strip(fn.Body) };
        }

        /// <summary>Removes dead ops of a region; <paramref name="live"/> holds the ids read after it.</summary>
        private static Region Region(Region r, HashSet<int> live)
        {
            var kept = new List<Op>();
            foreach (var y in r.Yields) live.Add(y.Id);
            for (var i = r.Ops.Count - 1; i >= 0; i--)
            {
                var op = Op(r.Ops[i], live);
                if (op is null) continue;
                kept.Add(op);
                foreach (var v in op.Operands) live.Add(v.Id);
            }
            kept.Reverse();
            // A note whose statement left no code behind goes too.
            for (var i = kept.Count - 1; i >= 0; i--)
            {
                if (kept[i] is NoteOp && (i == kept.Count - 1 || kept[i + 1] is NoteOp)) kept.RemoveAt(i);
            }
            return r with { Ops = kept.ToEquatableArray() };
        }

        private static Op? Op(Op op, HashSet<int> live)
        {
            switch (op)
            {
                case ForOp f:
                    return For(f, live);
                case IfOp i:
                    return If(i, live);
                case AllocOp a:
                    return live.Contains(a.Result.Id) ? a : null;
                case StoreOp st:
                    // A store into a buffer nobody reads afterwards is dead (local buffers only).
                    return st;
                default:
                    if (Effects.MustKeep(op) || op.Results.Any(v => live.Contains(v.Id))) return op;
                    return null;
            }
        }

        private static Op? For(ForOp f, HashSet<int> live)
        {
            var n = f.Inits.Count;
            var keep = new bool[n];
            for (var k = 0; k < n; k++) keep[k] = live.Contains(f.Outs[k].Id);
            // Iterate: a carried value is live if its result is read after the loop, or the body
            // (effects or other live carried values) reads its argument.
            while (true)
            {
                var inner = new HashSet<int>(live);
                for (var k = 0; k < n; k++)
                {
                    if (keep[k]) inner.Add(f.Body.Yields[k].Id);
                }
                var probe = Region(f.Body with { Yields = EquatableArray<Value>.Empty }, inner);
                var changed = false;
                for (var k = 0; k < n; k++)
                {
                    if (!keep[k] && inner.Contains(f.Body.Args[k + 1].Id)) { keep[k] = true; changed = true; }
                }
                if (!changed) break;
            }
            var idx = Enumerable.Range(0, n).Where(k => keep[k]).ToList();
            var body = new Region(
                new[] { f.Body.Args[0] }.Concat(idx.Select(k => f.Body.Args[k + 1])).ToEquatableArray(),
                f.Body.Ops,
                idx.Select(k => f.Body.Yields[k]).ToEquatableArray());
            var bodyLive = new HashSet<int>(live);
            body = Region(body, bodyLive);
            if (idx.Count == 0 && body.Ops.Count == 0) return null;
            foreach (var v in bodyLive) live.Add(v);
            return f with
            {
                Outs = idx.Select(k => f.Outs[k]).ToEquatableArray(),
                Inits = idx.Select(k => f.Inits[k]).ToEquatableArray(),
                Body = body,
            };
        }

        private static Op? If(IfOp i, HashSet<int> live)
        {
            var idx = Enumerable.Range(0, i.Outs.Count).Where(k => live.Contains(i.Outs[k].Id)).ToList();
            Region Trim(Region r) => new(r.Args, r.Ops, idx.Select(k => r.Yields[k]).ToEquatableArray());
            var thenLive = new HashSet<int>(live);
            var elseLive = new HashSet<int>(live);
            var thenR = Region(Trim(i.Then), thenLive);
            var elseR = Region(Trim(i.Else), elseLive);
            if (idx.Count == 0 && thenR.Ops.Count == 0 && elseR.Ops.Count == 0) return null;
            foreach (var v in thenLive) live.Add(v);
            foreach (var v in elseLive) live.Add(v);
            return i with { Outs = idx.Select(k => i.Outs[k]).ToEquatableArray(), Then = thenR, Else = elseR };
        }
    }
}
