using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Ir;

/// <summary>Structural helpers over IR: substituting values, listing the values a region reads.</summary>
internal static class Rewrite
{
    /// <summary>Replaces every read of a value in <paramref name="map"/> (at any depth).</summary>
    public static Region Substitute(Region r, IReadOnlyDictionary<int, Value> map)
    {
        if (map.Count == 0) return r;
        Value S(Value v) => map.TryGetValue(v.Id, out var w) ? w : v;
        EquatableArray<Value> SA(EquatableArray<Value> a) => a.Select(S).ToEquatableArray();
        var ops = r.Ops.Select(op => SubstituteOp(op, map, S, SA)).ToEquatableArray();
        return new Region(r.Args, ops, SA(r.Yields));
    }

    private static Op SubstituteOp(
        Op op, IReadOnlyDictionary<int, Value> map, System.Func<Value, Value> S,
        System.Func<EquatableArray<Value>, EquatableArray<Value>> SA) => op switch
    {
        ConstOp c => c,
        UnaryOp u => u with { Operand = S(u.Operand) },
        BinaryOp b => b with { Left = S(b.Left), Right = S(b.Right) },
        TernaryOp t => t with { A = S(t.A), B = S(t.B), C = S(t.C) },
        SelectOp s => s with { Cond = S(s.Cond), IfTrue = S(s.IfTrue), IfFalse = S(s.IfFalse) },
        LoadOp l => l with { Buffer = S(l.Buffer), Index = S(l.Index) },
        StoreOp st => st with { Buffer = S(st.Buffer), Index = S(st.Index), Stored = S(st.Stored) },
        LengthOp len => len with { Buffer = S(len.Buffer) },
        AllocOp a => a with { Length = S(a.Length) },
        CallOp c => c with { Args = SA(c.Args) },
        PushOp p => p with { Pushed = S(p.Pushed) },
        PopOp p => p,
        ClearOp c => c with { Buffer = S(c.Buffer) },
        ForOp f => f with { Start = S(f.Start), Bound = S(f.Bound), Inits = SA(f.Inits), Body = Substitute(f.Body, map) },
        IfOp i => i with { Cond = S(i.Cond), Then = Substitute(i.Then, map), Else = Substitute(i.Else, map) },
        _ => op,
    };

    /// <summary>
    /// Rebuilds a region innermost loops first: each loop's body is rebuilt, then the loop is replaced by the ops
    /// <paramref name="loop"/> returns for it; branches are rebuilt in place; every other op stays.
    /// </summary>
    public static Region MapLoops(Region r, System.Func<ForOp, IEnumerable<Op>> loop)
    {
        var ops = new List<Op>();
        foreach (var op in r.Ops)
        {
            switch (op)
            {
                case ForOp f:
                    ops.AddRange(loop(f with { Body = MapLoops(f.Body, loop) }));
                    break;
                case IfOp i:
                    ops.Add(i with { Then = MapLoops(i.Then, loop), Else = MapLoops(i.Else, loop) });
                    break;
                default:
                    ops.Add(op);
                    break;
            }
        }
        return r with { Ops = ops.ToEquatableArray() };
    }

    /// <summary>The tape levels that pushes and pops in a region use (at any depth).</summary>
    public static void TapeLevels(Region r, ISet<int> into)
    {
        foreach (var op in r.Ops)
        {
            if (op is PushOp push) into.Add(push.Level);
            if (op is PopOp pop) into.Add(pop.Level);
            foreach (var inner in op.Regions) TapeLevels(inner, into);
        }
    }

    /// <summary>Every value read in a region (operands and yields, at any depth).</summary>
    public static void Reads(Region r, HashSet<int> into)
    {
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Operands) into.Add(v.Id);
            foreach (var inner in op.Regions) Reads(inner, into);
        }
        foreach (var y in r.Yields) into.Add(y.Id);
    }

    /// <summary>How many times each value is read in a region (operands and yields, at any depth), by id.</summary>
    public static Dictionary<int, int> UseCounts(Region r)
    {
        var counts = new Dictionary<int, int>();
        void Use(Value v) => counts[v.Id] = counts.TryGetValue(v.Id, out var n) ? n + 1 : 1;
        void Visit(Region region)
        {
            foreach (var op in region.Ops)
            {
                foreach (var v in op.Operands) Use(v);
                foreach (var inner in op.Regions) Visit(inner);
            }
            foreach (var y in region.Yields) Use(y);
        }
        Visit(r);
        return counts;
    }

    /// <summary>Every value read in a region, as values (first occurrence order).</summary>
    public static List<Value> ReadValues(Region r)
    {
        var seen = new HashSet<int>();
        var list = new List<Value>();
        void Visit(Region region)
        {
            foreach (var op in region.Ops)
            {
                foreach (var v in op.Operands)
                {
                    if (seen.Add(v.Id)) list.Add(v);
                }
                foreach (var inner in op.Regions) Visit(inner);
            }
            foreach (var y in region.Yields)
            {
                if (seen.Add(y.Id)) list.Add(y);
            }
        }
        Visit(r);
        return list;
    }

    /// <summary>Every value defined in a region (results and block arguments, at any depth).</summary>
    public static void Defs(Region r, HashSet<int> into)
    {
        foreach (var a in r.Args) into.Add(a.Id);
        foreach (var op in r.Ops)
        {
            foreach (var v in op.Results) into.Add(v.Id);
            foreach (var inner in op.Regions) Defs(inner, into);
        }
    }
}
