using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// Scalar replacement of a loop-invariant buffer element (CPU targets): when every access a loop makes to a buffer the
/// function allocated itself is a load or store at one index computed outside the loop, the element is loaded once
/// before the loop, carried through it as a local, and stored once after it; when the loop only reads it, it is loaded
/// once and not stored. Reverse mode writes such loops for every adjoint whose index belongs to an outer loop
/// (<c>xc_bar[i] += icf[lidx] * qx_bar[j]</c> over j in the GMM, which also reads <c>xc[i]</c>); the JIT
/// cannot do it because it cannot prove that the buffer does not alias the others the loop writes, so every iteration
/// was a store-to-load-forwarded read-modify-write on the critical path. The additions are the same, in the same
/// order, on the same type: the results do not change by a bit.
/// </summary>
/// <remarks>
/// Only buffers the function allocates qualify (a parameter could be the same array as another parameter), only
/// accesses at the loop body's top level (not under a branch or in an inner loop), only when the loop makes no other use
/// of the buffer (no call, clear, or access at another index).
/// </remarks>
internal static class ScalarReplacement
{
    public static Function Run(Function fn)
    {
        var local = new HashSet<int>();
        Allocs(fn.Body, local);
        if (local.Count == 0) return fn;
        var pass = new Pass(IrMaxId.Of(fn) + 1, local);
        var body = pass.Region(fn.Body);
        return pass.Changed ? fn with { Body = body } : fn;
    }

    private static void Allocs(Region r, HashSet<int> into)
    {
        foreach (var op in r.Ops)
        {
            if (op is AllocOp a) into.Add(a.Result.Id);
            foreach (var inner in op.Regions) Allocs(inner, into);
        }
    }

    private sealed class Pass(int firstId, HashSet<int> local)
    {
        private readonly IrBuilder _b = new(firstId);

        public bool Changed { get; private set; }

        public Region Region(Region r) => Rewrite.MapLoops(r, Replace);

        /// <summary>The loop with each qualifying element carried (a load before it, a store after it), or the loop as it is.</summary>
        private IEnumerable<Op> Replace(ForOp f)
        {
            var candidates = Candidates(f);
            if (candidates.Count == 0) return new Op[] { f };
            Changed = true;
            var before = new List<Op>();
            var after = new List<Op>();
            var body = f.Body;
            var inits = f.Inits.ToList();
            var outs = f.Outs.ToList();
            // The element is read and written only when the loop runs at least once: an index that is valid only then
            // must not be read before a loop of no iterations (the C# conditional reads one side).
            var runs = _b.NewValue(IrType.Bool, "runs");
            var cmp = f.Cmp switch { LoopCmp.Lt => BinOp.Lt, LoopCmp.Le => BinOp.Le, LoopCmp.Gt => BinOp.Gt, _ => BinOp.Ge };
            before.Add(new BinaryOp(runs, cmp, f.Start, f.Bound));
            foreach (var (buffer, index, stored) in candidates)
            {
                var type = buffer.Type.ElementType;
                var init = _b.NewValue(type, ElementName(buffer));
                var loaded = _b.NewValue(type, "");
                var zero = _b.NewValue(type, "");
                before.Add(new IfOp(new[] { init }.ToEquatableArray(), runs,
                    new Region(EquatableArray<Value>.Empty, new Op[] { new LoadOp(loaded, buffer, index) }.ToEquatableArray(),
                        new[] { loaded }.ToEquatableArray()),
                    new Region(EquatableArray<Value>.Empty, new Op[] { new ConstOp(zero, 0) }.ToEquatableArray(),
                        new[] { zero }.ToEquatableArray())));
                if (!stored)
                {
                    // Only read: the element is loaded once, before the loop, and the loop reads that value.
                    body = ReadOnce(body, buffer, init);
                    continue;
                }
                var carried = _b.NewValue(type, init.Name);
                var result = _b.NewValue(type, init.Name);
                body = Carry(body, buffer, carried);
                inits.Add(init);
                outs.Add(result);
                after.Add(new IfOp(EquatableArray<Value>.Empty, runs,
                    new Region(EquatableArray<Value>.Empty, new Op[] { new StoreOp(buffer, index, result) }.ToEquatableArray(),
                        EquatableArray<Value>.Empty),
                    new Region(EquatableArray<Value>.Empty, EquatableArray<Op>.Empty, EquatableArray<Value>.Empty)));
            }
            before.Add(f with { Inits = inits.ToEquatableArray(), Outs = outs.ToEquatableArray(), Body = body });
            return before.Concat(after);
        }

        private static string ElementName(Value buffer) => buffer.Name.Length > 0 ? buffer.Name + "_elem" : "elem";

        /// <summary>
        /// Local buffers the loop body reads or writes only at its top level, at one index defined outside it, and whether
        /// it writes them.
        /// </summary>
        private List<(Value Buffer, Value Index, bool Stored)> Candidates(ForOp f)
        {
            var inside = new HashSet<int>();
            Rewrite.Defs(f.Body, inside);
            foreach (var a in f.Body.Args) inside.Add(a.Id);
            var index = new Dictionary<int, (Value Buffer, Value Index)>();
            var rejected = new HashSet<int>();
            var stored = new HashSet<int>();
            foreach (var op in f.Body.Ops)
            {
                switch (op)
                {
                    case LoadOp l when local.Contains(l.Buffer.Id):
                        Note(l.Buffer, l.Index);
                        break;
                    case StoreOp s when local.Contains(s.Buffer.Id):
                        Note(s.Buffer, s.Index);
                        stored.Add(s.Buffer.Id);
                        break;
                    default:
                        // Any other use (a call, a clear, a length, an access in a nested region) keeps the buffer in memory.
                        foreach (var v in Uses(op)) rejected.Add(v.Id);
                        break;
                }
            }
            return index.Values.Where(c => !rejected.Contains(c.Buffer.Id))
                .Select(c => (c.Buffer, c.Index, Stored: stored.Contains(c.Buffer.Id)))
                .OrderBy(c => c.Buffer.Id).ToList();

            void Note(Value buffer, Value at)
            {
                if (inside.Contains(at.Id)) rejected.Add(buffer.Id);
                else if (index.TryGetValue(buffer.Id, out var seen) && seen.Index.Id != at.Id) rejected.Add(buffer.Id);
                else index[buffer.Id] = (buffer, at);
            }
        }

        /// <summary>Every value an op reads, including inside its regions.</summary>
        private static IEnumerable<Value> Uses(Op op) =>
            op.Operands.Concat(op.Regions.SelectMany(r => Rewrite.ReadValues(r)));

        /// <summary>The loop body with every load of the buffer replaced by <paramref name="value"/>.</summary>
        private static Region ReadOnce(Region body, Value buffer, Value value)
        {
            var map = new Dictionary<int, Value>();
            var ops = new List<Op>();
            foreach (var op in body.Ops)
            {
                if (op is LoadOp l && l.Buffer.Id == buffer.Id) map[l.Result.Id] = value;
                else ops.Add(op);
            }
            return Rewrite.Substitute(new Region(body.Args, ops.ToEquatableArray(), body.Yields), map);
        }

        /// <summary>
        /// The loop body with the buffer's element as the last carried value: a load reads the current value, a store
        /// (or an accumulating store: the same addition) makes the next one; the body yields the last.
        /// </summary>
        private Region Carry(Region body, Value buffer, Value carried)
        {
            var ops = new List<Op>();
            var map = new Dictionary<int, Value>();
            var current = carried;
            foreach (var raw in body.Ops)
            {
                var op = map.Count == 0 ? raw : Rewrite.Substitute(new Region(EquatableArray<Value>.Empty,
                    new[] { raw }.ToEquatableArray(), EquatableArray<Value>.Empty), map).Ops[0];
                switch (op)
                {
                    case LoadOp l when l.Buffer.Id == buffer.Id:
                        map[l.Result.Id] = current;
                        break;
                    case StoreOp s when s.Buffer.Id == buffer.Id && s.Accumulate:
                        var sum = _b.NewValue(current.Type, carried.Name);
                        ops.Add(new BinaryOp(sum, BinOp.Add, current, s.Stored));
                        current = sum;
                        break;
                    case StoreOp s when s.Buffer.Id == buffer.Id:
                        current = s.Stored;
                        break;
                    default:
                        ops.Add(op);
                        break;
                }
            }
            var yields = body.Yields.Select(y => map.TryGetValue(y.Id, out var w) ? w : y).Append(current);
            return new Region(body.Args.Append(carried).ToEquatableArray(), ops.ToEquatableArray(), yields.ToEquatableArray());
        }
    }
}
