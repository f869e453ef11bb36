using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Legalize;

/// <summary>
/// Regroups int sums in loops (CPU scalar target): a sum of several terms in a loop body (<c>t + j − i − 1</c>, the
/// packed-triangle index of a GMM row) whose terms are partly defined outside the loop is computed as the part that
/// changes in the loop plus the part that does not, and the latter once, before the loop. The changing part is computed
/// once for every sum in the body that has the same one: the four rows of a jammed triangle read
/// <c>(t − i) + (j₀ − 1)</c>, …, <c>(t − i) + (j₃ − 1)</c>, one subtraction and four additions per iteration where there
/// were twelve operations. Int addition wraps in two's complement, where it is associative and commutative: every sum has
/// the same value as before, for all inputs.
/// </summary>
/// <remarks>
/// A sum here is a tree of int <c>+</c> and <c>−</c> in the loop's body whose inner nodes are used only by their parent;
/// its terms are the values it adds or subtracts (constants folded into one). It is regrouped when at least two of its
/// terms (a constant counting as one) are defined outside the loop and at least one inside, so that the loop computes
/// at least one operation less (a sum of invariant terms only the JIT hoists by itself). Loops are visited innermost
/// first, so a part taken out of an inner loop may move out of an outer one too.
/// </remarks>
internal static class IndexSums
{
    public static Function Run(Function fn)
    {
        var constants = new Dictionary<int, int>();
        Constants(fn.Body, constants);
        var pass = new Pass(IrMaxId.Of(fn) + 1, constants);
        var body = Rewrite.MapLoops(fn.Body, pass.Loop);
        return pass.Changed ? fn with { Body = body } : fn;
    }

    private static void Constants(Region r, Dictionary<int, int> into)
    {
        foreach (var op in r.Ops)
        {
            if (op is ConstOp { Result.Type.Elem: ScalarKind.I32 } c && !c.Result.Type.IsBuffer) into[c.Result.Id] = (int)c.Number;
            foreach (var inner in op.Regions) Constants(inner, into);
        }
    }

    private static bool IsIntSum(Op op) =>
        op is BinaryOp { Kind: BinOp.Add or BinOp.Sub } b && b.Result.Type == IrType.I32;

    private sealed class Pass(int firstId, Dictionary<int, int> constants)
    {
        private readonly IrBuilder _b = new(firstId);

        public bool Changed { get; private set; }

        public IEnumerable<Op> Loop(ForOp f)
        {
            var body = f.Body;
            var inside = new HashSet<int>();
            Rewrite.Defs(body, inside);
            var uses = Rewrite.UseCounts(body);
            var sums = body.Ops.Where(IsIntSum).Cast<BinaryOp>().ToDictionary(b => b.Result.Id);
            // Inner nodes: sums used once, by another sum of this body.
            var absorbed = new HashSet<int>();
            foreach (var s in sums.Values)
            {
                foreach (var operand in new[] { s.Left, s.Right })
                {
                    if (sums.ContainsKey(operand.Id) && uses.TryGetValue(operand.Id, out var n) && n == 1) absorbed.Add(operand.Id);
                }
            }

            var before = new List<Op>();
            var ops = new List<Op>();
            var shared = new Dictionary<string, Value>();
            var folded = new HashSet<int>();
            foreach (var op in body.Ops)
            {
                if (op is not BinaryOp root || !sums.ContainsKey(root.Result.Id) || absorbed.Contains(root.Result.Id))
                {
                    ops.Add(op);
                    continue;
                }
                var terms = new List<(Value V, bool Plus)>();
                var inner = new List<int>();
                var constant = 0;
                void Flatten(Value v, bool plus)
                {
                    if (constants.TryGetValue(v.Id, out var c))
                    {
                        constant = unchecked(plus ? constant + c : constant - c);
                    }
                    else if (sums.TryGetValue(v.Id, out var s) && (s == root || absorbed.Contains(v.Id)))
                    {
                        if (s != root) inner.Add(v.Id);
                        Flatten(s.Left, plus);
                        Flatten(s.Right, s.Kind == BinOp.Add ? plus : !plus);
                    }
                    else
                    {
                        terms.Add((v, plus));
                    }
                }
                Flatten(root.Result, plus: true);
                var fixedTerms = terms.Where(t => !inside.Contains(t.V.Id)).ToList();
                var changing = terms.Where(t => inside.Contains(t.V.Id)).ToList();
                // A sum of invariant terms only is left to the JIT, which hoists it itself (and the code keeps `d - 1`).
                if (changing.Count == 0 || fixedTerms.Count + (constant != 0 ? 1 : 0) < 2)
                {
                    ops.Add(op);
                    continue;
                }
                Changed = true;
                // The tree's inner nodes were used only by it.
                folded.UnionWith(inner);
                var offset = Sum(before, fixedTerms, constant, root.Result.Name.Length > 0 ? root.Result.Name + "_offset" : "offset");
                var key = string.Join(",", changing.Select(t => (t.Plus ? "+" : "-") + t.V.Id));
                if (!shared.TryGetValue(key, out var part))
                {
                    part = Sum(ops, changing, 0, "");
                    shared[key] = part;
                }
                ops.Add(new BinaryOp(root.Result, BinOp.Add, part, offset));
            }
            if (before.Count == 0) return new Op[] { f };
            var kept = ops.Where(op => !(op is BinaryOp bin && folded.Contains(bin.Result.Id)));
            var rebuilt = body with { Ops = kept.ToEquatableArray() };
            // No note of their own: the ops before the loop sit under the note that heads the loop ("adjoint of: for …").
            return before.Append(f with { Body = rebuilt });
        }

        private Value Zero(List<Op> ops)
        {
            var z = _b.NewValue(IrType.I32, "");
            ops.Add(new ConstOp(z, 0));
            return z;
        }

        /// <summary>Ops adding up <paramref name="terms"/> and <paramref name="constant"/> in their order; the result.</summary>
        private Value Sum(List<Op> ops, List<(Value V, bool Plus)> terms, int constant, string name)
        {
            Value? acc = null;
            // Start from the first added term (a sum of only subtracted terms starts from 0).
            var first = terms.FindIndex(t => t.Plus);
            if (first >= 0) acc = terms[first].V;
            for (var i = 0; i < terms.Count; i++)
            {
                if (i == first) continue;
                acc = Bin(ops, terms[i].Plus ? BinOp.Add : BinOp.Sub, acc ?? Zero(ops), terms[i].V, "");
            }
            if (constant != 0 || acc is null)
            {
                var c = _b.NewValue(IrType.I32, "");
                // x + (−c) would print as x + -c: subtract the magnitude instead (int.MinValue has none, and is added).
                var subtract = constant < 0 && constant != int.MinValue && acc is not null;
                ops.Add(new ConstOp(c, subtract ? -constant : constant));
                acc = acc is null ? c : Bin(ops, subtract ? BinOp.Sub : BinOp.Add, acc, c, "");
            }
            if (name.Length > 0 && ops.Count > 0 && ops[ops.Count - 1] is BinaryOp last && last.Result.Id == acc.Id)
            {
                var named = _b.NewValue(IrType.I32, name);
                ops[ops.Count - 1] = last with { Result = named };
                acc = named;
            }
            return acc;
        }

        private Value Bin(List<Op> ops, BinOp kind, Value a, Value b, string name)
        {
            var v = _b.NewValue(IrType.I32, name);
            ops.Add(new BinaryOp(v, kind, a, b));
            return v;
        }
    }
}
