using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal static partial class Simplify
{
    /// <summary>Folding, identities and CSE in one forward walk with a substitution map.</summary>
    private sealed partial class Folder
    {
        private readonly Dictionary<int, Value> _subst = new();
        private readonly Dictionary<int, double> _consts = new();
        private readonly HashSet<int> _symbolic = new();
        private readonly IrBuilder _b;
        private readonly Stack<Dictionary<string, Value>> _cse = new();
        private readonly HashSet<int> _readOnlyBuffers = new();
        // Loads of local buffers (allocated in the function, so nothing else aliases them) already made in the current
        // region since the buffer was last written: a second x[i] with the same index value reads the first's value.
        private readonly HashSet<int> _allocated = new();
        private readonly Stack<Dictionary<(int Buffer, int Index), Value>> _localLoads = new();

        public Folder(int firstId) => _b = new IrBuilder(firstId);

        public Function Run(Function fn)
        {
            foreach (var p in fn.Params)
            {
                if (p.Type.IsBuffer && p.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) _readOnlyBuffers.Add(p.Id);
            }
            _cse.Push(new Dictionary<string, Value>(StringComparer.Ordinal));
            _localLoads.Push(new Dictionary<(int, int), Value>());
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
            var key = (symbolic ? "zero " : "const ") + result.Type + " "
                + c.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
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
            _localLoads.Push(new Dictionary<(int, int), Value>());
            foreach (var op in r.Ops) Visit(op);
            var yields = r.Yields.Select(S).ToEquatableArray();
            _localLoads.Pop();
            _cse.Pop();
            return new Region(r.Args, _b.EndBlock(), yields);
        }

        /// <summary>Forgets the loads of local buffers that <paramref name="op"/> may write (any, for a loop, branch or call).</summary>
        private void ForgetWritten(Op op)
        {
            var loads = _localLoads.Peek();
            if (loads.Count == 0) return;
            switch (op)
            {
                case StoreOp st:
                    foreach (var key in loads.Keys.Where(k => k.Buffer == S(st.Buffer).Id).ToList()) loads.Remove(key);
                    break;
                case ClearOp clear:
                    foreach (var key in loads.Keys.Where(k => k.Buffer == S(clear.Buffer).Id).ToList()) loads.Remove(key);
                    break;
                case CallOp or ForOp or IfOp:
                    loads.Clear();
                    break;
            }
        }

        private void Visit(Op op)
        {
            ForgetWritten(op);
            switch (op)
            {
                case ConstOp c:
                    VisitConst(c);
                    return;
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
                    VisitSelect(s);
                    return;
                case LengthOp l:
                {
                    var len = l with { Buffer = S(l.Buffer) };
                    EmitPure(len, len.Result, $"len {len.Buffer.Id}");
                    return;
                }
                case LoadOp l:
                    VisitLoad(l);
                    return;
                case StoreOp st:
                {
                    var store = st with { Buffer = S(st.Buffer), Index = S(st.Index), Stored = S(st.Stored) };
                    // Accumulating a zero is a no-op.
                    if (store.Accumulate && IsConst(store.Stored, 0)) return;
                    _b.Emit(store);
                    return;
                }
                case AllocOp a:
                    _allocated.Add(a.Result.Id);
                    _b.Emit(a with { Length = S(a.Length) });
                    return;
                case CallOp c:
                    _b.Emit(c with { Args = c.Args.Select(S).ToEquatableArray() });
                    return;
                case ForOp f:
                    VisitFor(f);
                    return;
                case IfOp i:
                    VisitIf(i);
                    return;
                // A pushed value may have been merged with an equal one (a zero CSE'd with an outer zero):
                // the push reads the survivor.
                case PushOp push:
                    _b.Emit(push with { Pushed = S(push.Pushed) });
                    return;
                case ClearOp clear:
                    _b.Emit(clear with { Buffer = S(clear.Buffer) });
                    return;
                default:
                    _b.Emit(op);
                    return;
            }
        }

        private void VisitConst(ConstOp c)
        {
            var key = (c.Symbolic ? "zero " : "const ") + c.Result.Type + " "
                + c.Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
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
        }

        private void VisitSelect(SelectOp s)
        {
            var sel = s with { Cond = S(s.Cond), IfTrue = S(s.IfTrue), IfFalse = S(s.IfFalse) };
            if (sel.IfTrue == sel.IfFalse) { Replace(s.Result, sel.IfTrue); return; }
            if (IsConst(sel.Cond, out var cc)) { Replace(s.Result, cc != 0 ? sel.IfTrue : sel.IfFalse); return; }
            EmitPure(sel, sel.Result, $"select {sel.Cond.Id} {sel.IfTrue.Id} {sel.IfFalse.Id}");
        }

        private void VisitLoad(LoadOp l)
        {
            var load = l with { Buffer = S(l.Buffer), Index = S(l.Index) };
            if (_readOnlyBuffers.Contains(load.Buffer.Id))
            {
                // Inputs never change during the call: equal loads can be shared.
                EmitPure(load, load.Result, $"load {load.Buffer.Id} {load.Index.Id}");
                return;
            }
            if (_allocated.Contains(load.Buffer.Id))
            {
                var loads = _localLoads.Peek();
                if (loads.TryGetValue((load.Buffer.Id, load.Index.Id), out var earlier) && earlier.Type == load.Result.Type)
                {
                    _subst[load.Result.Id] = earlier;
                    return;
                }
                loads[(load.Buffer.Id, load.Index.Id)] = load.Result;
            }
            _b.Emit(load);
        }

        private void VisitFor(ForOp f)
        {
            var inits = f.Inits.Select(S).ToEquatableArray();
            // A carried value that every iteration yields unchanged is loop-invariant:
            // read its initial value instead (not an exiting loop's flag, which its header reads).
            var invariant = Enumerable.Range(0, f.Inits.Count)
                .Where(k => f.Body.Yields[k] == f.Body.Args[k + 1] && !(f.Exits && k == 0)).ToList();
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
        }

        private void VisitIf(IfOp i)
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
        }
    }
}
