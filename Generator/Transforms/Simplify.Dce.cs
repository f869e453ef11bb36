using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal static partial class Simplify
{
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
            RegionPasses++;
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
            if (f.Exits) keep[0] = true;  // the flag that ends the loop
            // Iterate: a carried value is live if its result is read after the loop, or the body
            // (effects or other live carried values) reads its argument. The last pass, the one that changes
            // nothing, is the result: running the body once more would make every loop level evaluate its inner
            // levels twice, 2^depth passes for nested loops (16 nested one-trip loops: 0.9 s for one gradient).
            Region probe;
            HashSet<int> inner;
            while (true)
            {
                inner = new HashSet<int>(live);
                for (var k = 0; k < n; k++)
                {
                    if (keep[k]) inner.Add(f.Body.Yields[k].Id);
                }
                probe = Region(f.Body with { Yields = EquatableArray<Value>.Empty }, inner);
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
                probe.Ops,
                idx.Select(k => f.Body.Yields[k]).ToEquatableArray());
            var bodyLive = inner;
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
