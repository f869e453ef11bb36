using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // The reverse sweep: each op backwards, accumulating adjoints; loops run backwards, calls use pullbacks.
    private sealed partial class FunctionTransform
    {
        /// <summary>
        /// The reverse sweep of a region: its ops backwards, each statement's adjoint code under
        /// a comment naming the statement.
        /// </summary>
        private void BackRegion(Region r) => BackOps(r, 0, r.Ops.Count);

        /// <summary>The reverse sweep of ops <paramref name="from"/> to <paramref name="to"/> − 1 of a region, backwards.</summary>
        private void BackOps(Region r, int from, int to)
        {
            var notes = new string?[r.Ops.Count];
            string? current = null;
            for (var k = 0; k < r.Ops.Count; k++)
            {
                if (r.Ops[k] is NoteOp n) current = n.Text;
                notes[k] = current;
            }
            string? written = null;
            for (var k = to - 1; k >= from; k--)
            {
                var op = r.Ops[k];
                if (op is NoteOp) continue;
                if (notes[k] is { } text && text != written)
                {
                    var suffix = op is ForOp ? " (runs backwards)" : "";
                    _b.Emit(new NoteOp("adjoint of: " + text + suffix));
                    written = text;
                }
                Back(op);
                if (_scaleAfter.TryGetValue(op, out var scale))
                {
                    scale();
                    written = null; // the next statement's adjoint gets its note again
                }
            }
        }

        private void Back(Op op)
        {
            switch (op)
            {
                case UnaryOp u:
                {
                    if (!Active(u.Result) || Adj(u.Result) is not { } g || !Active(u.Operand)) return;
                    if (u.Kind == UnOp.Convert) Accum(u.Operand, _b.Unary(UnOp.Convert, g, "", u.Operand.Type));
                    else Accum(u.Operand, Derivatives.Adjoint(_b, u, 0, g));
                    return;
                }
                case BinaryOp or TernaryOp:
                {
                    // One adjoint per active operand, from the table's tangent rule (no per-primitive code).
                    if (!Active(op.Results.First()) || Adj(op.Results.First()) is not { } g) return;
                    var operands = op.Operands.ToArray();
                    for (var i = 0; i < operands.Length; i++)
                    {
                        if (Active(operands[i])) Accum(operands[i], Derivatives.Adjoint(_b, op, i, g));
                    }
                    return;
                }
                case SelectOp s:
                {
                    if (!Active(s.Result) || Adj(s.Result) is not { } g) return;
                    if (Active(s.IfTrue)) Accum(s.IfTrue, _b.Select(s.Cond, g, Zero(g.Type)));
                    if (Active(s.IfFalse)) Accum(s.IfFalse, _b.Select(s.Cond, Zero(g.Type), g));
                    return;
                }
                case LoadOp l:
                {
                    if (!Active(l.Result) || Adj(l.Result) is not { } g || !_adjBuf.TryGetValue(l.Buffer.Id, out var bar)) return;
                    // x[i] was read: its adjoint collects this read's adjoint.
                    _b.Store(bar, l.Index, g, accumulate: true);
                    return;
                }
                case StoreOp st:
                    BackStore(st);
                    return;
                case ClearOp clear:
                    // The old contents no longer matter: their adjoint is zero from here back.
                    if (_adjBuf.TryGetValue(clear.Buffer.Id, out var clearedBar)) _b.Emit(new ClearOp(clearedBar));
                    return;
                case PopOp pop when pop.Result.Type.IsFloat:
                    // v = pop(): v's adjoint goes back to the matching push, which the reverse
                    // sweep reaches later; a LIFO of adjoints pairs them (zero when v has none).
                    _b.Emit(new PushOp(Adj(pop.Result) ?? Zero(pop.Result.Type), _adjointTape));
                    return;
                case PushOp push when push.Pushed.Type.IsFloat:
                {
                    var back = _b.NewValue(push.Pushed.Type, "");
                    _b.Emit(new PopOp(back, _adjointTape));
                    if (Active(push.Pushed)) Accum(push.Pushed, back);
                    return;
                }
                case CallOp c:
                    BackCall(c);
                    return;
                case ForOp f:
                    BackFor(f);
                    return;
                case IfOp i:
                    BackIf(i);
                    return;
                default:
                    return;
            }
        }

        private void BackStore(StoreOp st)
        {
            _adjBuf.TryGetValue(st.Buffer.Id, out var bar);
            if (st.Accumulate)
            {
                if (bar is not null && Active(st.Stored)) Accum(st.Stored, _b.Load(bar, st.Index));
                return;
            }
            if (bar is not null && Active(st.Stored) && _increments.TryGetValue(st, out var addend))
            {
                // h[i] += e: e's adjoint takes h[i]'s, which the element keeps (the old h[i] is what received e).
                if (Active(addend)) Accum(addend, _b.Load(bar, st.Index));
            }
            else if (bar is not null)
            {
                // h[i] = v: v's adjoint takes h[i]'s, and the overwritten element's adjoint restarts at 0.
                if (Active(st.Stored)) Accum(st.Stored, _b.Load(bar, st.Index));
                _b.Store(bar, st.Index, Zero(st.Buffer.Type.ElementType));
            }
            if (_localBuffers.Contains(st.Buffer.Id) && !_unrestored.Contains(st.Buffer.Id))
            {
                var old = _b.NewValue(st.Buffer.Type.ElementType, "");
                _b.Emit(new PopOp(old, _tape));
                _b.Store(st.Buffer, st.Index, old);
            }
        }

        private void BackCall(CallOp c)
        {
            if (BackEagerCall(c)) return;
            if (c.Rule is not null)
            {
                // A method with a derivative rule: x̄_i += ∂_i f(x)·ȳ.
                if (c.Outs.Count != 1 || !Active(c.Outs[0]) || Adj(c.Outs[0]) is not { } seed) return;
                foreach (var i in RuleCalls.ActiveArgs(c, Active))
                    Accum(c.Args[i], _b.Binary(BinOp.Mul, RuleCalls.Partial(_b, c, i), seed));
                return;
            }
            var mask = c.Args.Select(a => Active(a)).ToList();
            if (!mask.Any(m => m)) return;
            var callee = _owner._lookup(c.Callee) ?? throw new ReverseNotSupportedException("the body of a called method is not available");
            var key = _owner.Pullback(callee, mask);
            var args = new List<Value>(c.Args);
            for (var j = 0; j < c.Args.Count; j++)
            {
                if (mask[j] && c.Args[j].Type.IsBuffer)
                {
                    if (!_adjBuf.TryGetValue(c.Args[j].Id, out var bar))
                        throw new ReverseNotSupportedException($"span '{c.Args[j].Name}' passed to a call has no adjoint");
                    args.Add(bar);
                }
            }
            foreach (var o in c.Outs) args.Add(Adj(o) ?? Zero(o.Type));
            var outs = new List<Value>();
            var grads = new List<(Value Arg, Value Adj)>();
            for (var j = 0; j < c.Args.Count; j++)
            {
                if (mask[j] && !c.Args[j].Type.IsBuffer)
                {
                    var g = _b.NewValue(c.Args[j].Type, "");
                    outs.Add(g);
                    grads.Add((c.Args[j], g));
                }
            }
            _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            foreach (var (arg, g) in grads) Accum(arg, g);
        }

        /// <summary>Active scalars defined outside <paramref name="regions"/> that they read: their adjoints change inside.</summary>
        private List<Value> OuterReads(params Region[] regions)
        {
            var defs = new HashSet<int>();
            foreach (var r in regions) Rewrite.Defs(r, defs);
            var seen = new HashSet<int>();
            var list = new List<Value>();
            foreach (var r in regions)
            {
                foreach (var v in Rewrite.ReadValues(r))
                {
                    if (!defs.Contains(v.Id) && Active(v) && !v.Type.IsBuffer && seen.Add(v.Id)) list.Add(v);
                }
            }
            return list.OrderBy(v => v.Id).ToList();
        }

        private void BackFor(ForOp f)
        {
            if (!f.Exits && TryFuse(f)) return;  // a loop that may stop early runs its recorded trip count, unfused
            var body = f.Body;
            var slots = Enumerable.Range(0, f.Inits.Count).Where(j => Active(body.Args[j + 1])).ToList();
            var outer = OuterReads(body);
            var inits = new List<Value>();
            foreach (var j in slots) inits.Add(Adj(f.Outs[j]) ?? Zero(f.Outs[j].Type));
            foreach (var u in outer) inits.Add(Adj(u) ?? Zero(u.Type));

            // The reverse loop visits the same indices backwards, from the last.
            var last = LastIndex(f, _tripCount[f]);

            var saved = new Dictionary<int, Value>(_adj);
            _b.BeginBlock();
            var i = _b.NewValue(IrType.I32, body.Args[0].Name);
            var bodyArgs = new List<Value> { i };
            var slotArgs = slots.Select(j => _b.NewValue(f.Outs[j].Type, Bar(f.Outs[j]))).ToList();
            var outerArgs = outer.Select(u => _b.NewValue(u.Type, Bar(u))).ToList();
            bodyArgs.AddRange(slotArgs);
            bodyArgs.AddRange(outerArgs);
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outerArgs[k];
            for (var k = 0; k < slots.Count; k++) Accum(body.Yields[slots[k]], slotArgs[k]);
            BackRegion(body);
            var yields = new List<Value>();
            foreach (var j in slots) yields.Add(Adj(body.Args[j + 1]) ?? Zero(body.Args[j + 1].Type));
            foreach (var u in outer) yields.Add(Adj(u) ?? Zero(u.Type));
            var ops = _b.EndBlock();
            _adj = saved;

            // Counters the inner loop advances, read by the reverse body: carried backwards from the loop's result.
            var reads = new HashSet<int>();
            Rewrite.Reads(new Region(EquatableArray<Value>.Empty, ops, yields.ToEquatableArray()), reads);
            var stepped = SteppedCounters(f).Where(kv => reads.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var c in stepped.Values.OrderBy(c => c.Slot))
            {
                var counter = body.Args[c.Slot + 1];
                c.Arg = _b.NewValue(IrType.I32, counter.Name + "_next");
                c.Result = _b.NewValue(IrType.I32, counter.Name);
                bodyArgs.Add(c.Arg);
                yields.Add(c.Result);
                inits.Add(f.Outs[c.Slot]);
            }

            var reverseBody = Complete(_fwdBodies[f][0], new Region(bodyArgs.ToEquatableArray(), ops, yields.ToEquatableArray()),
                new Dictionary<int, Value> { [body.Args[0].Id] = i }, f, stepped);

            var outs = new List<Value>();
            foreach (var j in slots) outs.Add(_b.NewValue(f.Outs[j].Type, Bar(f.Outs[j])));
            foreach (var u in outer) outs.Add(_b.NewValue(u.Type, Bar(u)));
            foreach (var c in stepped.Values.OrderBy(c => c.Slot)) outs.Add(_b.NewValue(IrType.I32, c.Arg.Name));
            _b.Emit(new ForOp(outs.ToEquatableArray(), last, f.Start, -f.Step, f.Step > 0 ? LoopCmp.Ge : LoopCmp.Le,
                inits.ToEquatableArray(), reverseBody));
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outs[slots.Count + k];
            for (var k = 0; k < slots.Count; k++) Accum(f.Inits[slots[k]], outs[k]);
        }

        private void BackIf(IfOp op)
        {
            var outer = OuterReads(op.Then, op.Else);
            foreach (var u in outer)
            {
                if (Adj(u) is null) _adj[u.Id] = Zero(u.Type);
            }
            var seeds = Enumerable.Range(0, op.Outs.Count).Select(k => Active(op.Outs[k]) ? Adj(op.Outs[k]) : null).ToList();
            Region Branch(Region r, FwdRegion fr)
            {
                var saved = new Dictionary<int, Value>(_adj);
                _b.BeginBlock();
                for (var k = 0; k < seeds.Count; k++)
                {
                    if (seeds[k] is { } s) Accum(r.Yields[k], s);
                }
                BackRegion(r);
                var yields = outer.Select(u => Adj(u)!).ToEquatableArray();
                var ops = _b.EndBlock();
                _adj = saved;
                return Complete(fr, new Region(EquatableArray<Value>.Empty, ops, yields), new Dictionary<int, Value>());
            }
            var bodies = _fwdBodies[op];
            var thenR = Branch(op.Then, bodies[0]);
            var elseR = Branch(op.Else, bodies[1]);
            var outs = outer.Select(u => _b.NewValue(u.Type, Bar(u))).ToEquatableArray();
            _b.Emit(new IfOp(outs, op.Cond, thenR, elseR));
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outs[k];
        }
    }
}
