using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>
/// Sums against a unit vector: a loop <c>for (k = a; k &lt; b; k++) acc += g(k) · (k == i ? 1 : 0̸)</c>
/// with i fixed outside the loop is <c>acc + (a ≤ i &lt; b ? g(i) : 0)</c>. Jets along e_i (the
/// exact Laplacian's coordinates, sparse STDE's probes) produce exactly this shape in every
/// matrix-vector product with the input, so the rewrite turns W·e_i into one column of W:
/// O(rows) instead of O(rows · d). The loop keeps its other carried values; this one's update
/// is evaluated once after it, guarded by the bounds, from a copy of the pure ops that compute
/// g with k replaced by i. Only a symbolic zero (0̸, one a transform introduced: the entries of
/// a one-hot jet) qualifies: a zero the user wrote keeps IEEE semantics (g(k)·0 is NaN when
/// g(k) is), as everywhere in Simplify.
/// </summary>
internal static class DeltaSums
{
    public static Function Run(Function fn)
    {
        var pass = new Pass(IrMaxId.Of(fn) + 1);
        Constants(fn.Body, pass.Constants, pass.Symbolic);
        var body = pass.Region(fn.Body);
        if (pass.Map.Count == 0) return fn;
        return fn with { Body = Rewrite.Substitute(body, pass.Map) };
    }

    private sealed class Pass
    {
        private readonly IrBuilder _b;

        public Pass(int firstId) => _b = new IrBuilder(firstId);

        /// <summary>Loop results replaced by their closed form.</summary>
        public Dictionary<int, Value> Map { get; } = new();

        /// <summary>Every constant of the function (wherever it is defined).</summary>
        public Dictionary<int, double> Constants { get; } = new();

        /// <summary>The symbolic zeros among them.</summary>
        public HashSet<int> Symbolic { get; } = new();

        public Region Region(Region r) => Ir.Rewrite.MapLoops(r, f => new Op[] { f }.Concat(Rewrite(f)));

        /// <summary>The closed forms of the loop's delta sums, to follow the loop.</summary>
        private List<Op> Rewrite(ForOp f)
        {
            var after = new List<Op>();
            // A closed form assumes every iteration runs: not for a loop that may stop early.
            if (f.Step != 1 || f.Cmp != LoopCmp.Lt || f.Exits) return after;
            var body = f.Body;
            var k = body.Args[0];
            var defs = new Dictionary<int, Op>();
            foreach (var op in body.Ops)
            {
                foreach (var v in op.Results) defs[v.Id] = op;
            }
            var uses = new Dictionary<int, int>();
            void Use(Value v) => uses[v.Id] = uses.TryGetValue(v.Id, out var n) ? n + 1 : 1;
            foreach (var op in body.Ops) CountUses(op, Use);
            foreach (var y in body.Yields) Use(y);
            // Buffers written in the loop: loads from them cannot move out of it.
            var written = new HashSet<int>();
            Written(body, written);

            var carriedIds = new HashSet<int>(body.Args.Skip(1).Select(a => a.Id));
            for (var c = 0; c < f.Inits.Count; c++)
            {
                var arg = body.Args[c + 1];
                if (!arg.Type.IsFloat || !uses.TryGetValue(arg.Id, out var argUses) || argUses != 1) continue;
                if (!defs.TryGetValue(body.Yields[c].Id, out var yd) || yd is not BinaryOp { Kind: BinOp.Add } add) continue;
                var term = add.Left.Id == arg.Id ? add.Right : add.Right.Id == arg.Id ? add.Left : null;
                if (term is null) continue;
                if (!Delta(term, k, defs, Constants, Symbolic, out var g, out var index)) continue;
                if (g is not null && !Movable(g, k, defs, written, new HashSet<int>(), carriedIds)) continue;

                // After the loop: init + (start ≤ i < bound ? g(i) : 0).
                var inRange = _b.NewValue(IrType.Bool, "");
                var lo = _b.NewValue(IrType.Bool, "");
                var hi = _b.NewValue(IrType.Bool, "");
                after.Add(new BinaryOp(lo, BinOp.Ge, index, f.Start));
                after.Add(new BinaryOp(hi, BinOp.Lt, index, f.Bound));
                after.Add(new BinaryOp(inRange, BinOp.And, lo, hi));
                var thenOps = new List<Op>();
                Value taken;
                if (g is null)
                {
                    taken = _b.NewValue(arg.Type, "");
                    thenOps.Add(new ConstOp(taken, 1));
                }
                else
                {
                    var copies = new Dictionary<int, Value> { [k.Id] = index };
                    taken = Copy(g, defs, copies, thenOps);
                }
                var zero = _b.NewValue(arg.Type, "");
                var picked = _b.NewValue(arg.Type, "");
                after.Add(new IfOp(new[] { picked }.ToEquatableArray(), inRange,
                    new Region(EquatableArray<Value>.Empty, thenOps.ToEquatableArray(), new[] { taken }.ToEquatableArray()),
                    new Region(EquatableArray<Value>.Empty, new Op[] { new ConstOp(zero, 0) }.ToEquatableArray(),
                        new[] { zero }.ToEquatableArray())));
                var sum = _b.NewValue(arg.Type, f.Outs[c].Name);
                after.Add(new BinaryOp(sum, BinOp.Add, f.Inits[c], picked));
                Map[f.Outs[c].Id] = sum;
            }
            return after;
        }

        /// <summary>term = g · δ, δ · g or δ, with δ = (k == i ? 1 : 0) and i defined outside the loop.</summary>
        private static bool Delta(
            Value term, Value k, Dictionary<int, Op> defs, Dictionary<int, double> constants, HashSet<int> symbolic,
            out Value? g, out Value index)
        {
            g = null;
            index = k;
            if (IsDelta(term, k, defs, constants, symbolic, out index)) return true;
            if (!defs.TryGetValue(term.Id, out var d) || d is not BinaryOp { Kind: BinOp.Mul } mul) return false;
            if (IsDelta(mul.Right, k, defs, constants, symbolic, out index)) { g = mul.Left; return true; }
            if (IsDelta(mul.Left, k, defs, constants, symbolic, out index)) { g = mul.Right; return true; }
            return false;
        }

        private static bool IsDelta(
            Value v, Value k, Dictionary<int, Op> defs, Dictionary<int, double> constants, HashSet<int> symbolic, out Value index)
        {
            index = k;
            if (!defs.TryGetValue(v.Id, out var d)) return false;
            Value cond, ifTrue, ifFalse;
            switch (d)
            {
                case SelectOp sel:
                    (cond, ifTrue, ifFalse) = (sel.Cond, sel.IfTrue, sel.IfFalse);
                    break;
                case IfOp { Outs.Count: 1 } branch when branch.Then.Ops.All(o => o is ConstOp) && branch.Else.Ops.All(o => o is ConstOp):
                    // c ? 1.0 : 0.0 as written in C# (a branch that only yields constants)
                    (cond, ifTrue, ifFalse) = (branch.Cond, branch.Then.Yields[0], branch.Else.Yields[0]);
                    break;
                default:
                    return false;
            }
            if (!constants.TryGetValue(ifTrue.Id, out var one) || one != 1 || !symbolic.Contains(ifFalse.Id)) return false;
            if (!defs.TryGetValue(cond.Id, out var cd) || cd is not BinaryOp { Kind: BinOp.Eq } eq) return false;
            var other = eq.Left.Id == k.Id ? eq.Right : eq.Right.Id == k.Id ? eq.Left : null;
            if (other is null || defs.ContainsKey(other.Id)) return false; // i must come from outside the loop
            index = other;
            return true;
        }


        /// <summary>Whether g depends, inside the loop, only on k and pure ops (loads from buffers the loop does not write).</summary>
        private static bool Movable(
            Value v, Value k, Dictionary<int, Op> defs, HashSet<int> written, HashSet<int> seen, HashSet<int> carried)
        {
            if (v.Id == k.Id) return true;
            if (!defs.TryGetValue(v.Id, out var d)) return !carried.Contains(v.Id); // carried values change every iteration
            if (!seen.Add(v.Id)) return true;
            switch (d)
            {
                case ConstOp:
                    return true;
                case UnaryOp u:
                    return Movable(u.Operand, k, defs, written, seen, carried);
                case BinaryOp b:
                    return Movable(b.Left, k, defs, written, seen, carried) && Movable(b.Right, k, defs, written, seen, carried);
                case TernaryOp t:
                    return t.Operands.All(o => Movable(o, k, defs, written, seen, carried));
                case SelectOp s:
                    return Movable(s.Cond, k, defs, written, seen, carried)
                        && Movable(s.IfTrue, k, defs, written, seen, carried)
                        && Movable(s.IfFalse, k, defs, written, seen, carried);
                case LoadOp l:
                    return !written.Contains(l.Buffer.Id) && Movable(l.Index, k, defs, written, seen, carried);
                case LengthOp:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Copies the ops computing <paramref name="v"/> (with the substitutions in <paramref name="copies"/>).</summary>
        private Value Copy(Value v, Dictionary<int, Op> defs, Dictionary<int, Value> copies, List<Op> into)
        {
            if (copies.TryGetValue(v.Id, out var done)) return done;
            if (!defs.TryGetValue(v.Id, out var d)) return v; // defined outside the loop
            Value C(Value x) => Copy(x, defs, copies, into);
            var r = _b.NewValue(v.Type, v.Name);
            Op copy = d switch
            {
                ConstOp c => c with { Result = r },
                UnaryOp u => u with { Result = r, Operand = C(u.Operand) },
                BinaryOp b => b with { Result = r, Left = C(b.Left), Right = C(b.Right) },
                TernaryOp t => t with { Result = r, A = C(t.A), B = C(t.B), C = C(t.C) },
                SelectOp s => s with { Result = r, Cond = C(s.Cond), IfTrue = C(s.IfTrue), IfFalse = C(s.IfFalse) },
                LoadOp l => l with { Result = r, Buffer = l.Buffer, Index = C(l.Index) },
                LengthOp len => len with { Result = r },
                _ => throw new System.InvalidOperationException("not movable"),
            };
            into.Add(copy);
            copies[v.Id] = r;
            return r;
        }

        private static void CountUses(Op op, System.Action<Value> use)
        {
            foreach (var v in op.Operands) use(v);
            foreach (var r in op.Regions)
            {
                foreach (var inner in r.Ops) CountUses(inner, use);
                foreach (var y in r.Yields) use(y);
            }
        }

        private static void Written(Region r, HashSet<int> into)
        {
            foreach (var op in r.Ops)
            {
                if (op is StoreOp st) into.Add(st.Buffer.Id);
                if (op is ClearOp cl) into.Add(cl.Buffer.Id);
                if (op is CallOp c)
                {
                    foreach (var a in c.Args.Where(a => a.Type.IsBuffer)) into.Add(a.Id);
                }
                foreach (var inner in op.Regions) Written(inner, into);
            }
        }
    }

    private static void Constants(Region r, Dictionary<int, double> into, HashSet<int> symbolic)
    {
        foreach (var op in r.Ops)
        {
            if (op is ConstOp c)
            {
                into[c.Result.Id] = c.Number;
                if (c.Symbolic && c.Number == 0) symbolic.Add(c.Result.Id);
            }
            foreach (var inner in op.Regions) Constants(inner, into, symbolic);
        }
    }
}
