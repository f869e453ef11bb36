using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    // Building a fused loop: forward and reverse of each iteration in one pass, calls replaced by their pullbacks.
    private sealed partial class FunctionTransform
    {
        /// <summary>
        /// The fused loop, or null when its body does not have the shape below. It carries, after the primal's carried
        /// values, the adjoints of the outer scalars the body reads (<paramref name="outer"/>), from zero (their zeros go
        /// into <paramref name="preOps"/>, which run before the loop).
        /// </summary>
        private ForOp? BuildFused(ForOp f, List<Value?> seeds, List<Op> preOps, out List<Value> outer)
        {
            var body = f.Body;
            outer = OuterReads(body);
            var saved = new Dictionary<int, Value>(_adj);
            var outerArgs = outer.Select(u => _b.NewValue(u.Type, Bar(u))).ToList();
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outerArgs[k];
            var ops = FuseRegion(body, seeds);
            var yields = body.Yields.Concat(outer.Select(u => Adj(u) ?? Zero(u.Type))).ToEquatableArray();
            _adj = saved;
            if (ops is null) return null;

            var inits = new List<Value>(f.Inits);
            foreach (var u in outer)
            {
                var zero = _b.NewValue(u.Type, "");
                preOps.Add(new ConstOp(zero, 0));
                inits.Add(zero);
            }
            var outs = f.Outs.Concat(outer.Select(u => _b.NewValue(u.Type, Bar(u)))).ToEquatableArray();
            return new ForOp(outs, f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
                new Region(body.Args.Concat(outerArgs).ToEquatableArray(), ops.Value, yields));
        }

        /// <summary>
        /// Region <paramref name="r"/> (a loop body or a branch) with its adjoint fused in, given the adjoints of its
        /// yields (<paramref name="seeds"/>, null where none), which are known before it runs. The region has at most one
        /// op that calls (its site): a call with active arguments and no scalar results, or a branch whose two sides
        /// have this shape again. What follows the site is straight-line arithmetic and loads. The result runs: the
        /// ops before the site (with what their nested loops save), the ops after it that do not depend on it, the
        /// adjoint of the ops after it (the site's seeds; it must not read what the site or its followers compute),
        /// the site as pullback (it also writes the call's outputs), the rest of the ops after it, and the adjoint of the
        /// ops before it. Null when the shape does not hold.
        /// </summary>
        private EquatableArray<Op>? FuseRegion(Region r, IReadOnlyList<Value?> seeds)
        {
            var site = SiteIndex(r);
            if (site == -2) return null;
            var split = site < 0 ? r.Ops.Count : site;
            var late = site < 0 ? new HashSet<int>() : LateDefs(r, site);
            var after = r.Ops.Skip(split + 1).ToList();
            var hoisted = after.Where(op => !op.Results.Any(v => late.Contains(v.Id))).ToList();
            var rest = after.Where(op => op.Results.Any(v => late.Contains(v.Id))).ToList();
            var headOps = r.Ops.Take(split).ToEquatableArray();
            var head = new FwdRegion(new Region(r.Args, headOps, EquatableArray<Value>.Empty), isTop: false);
            BuildForward(head.Original, head);

            _b.BeginBlock();
            for (var k = 0; k < seeds.Count; k++)
            {
                if (seeds[k] is { } s && Active(r.Yields[k])) Accum(r.Yields[k], s);
            }
            BackOps(r, split + 1, r.Ops.Count);
            var adjointOfTail = _b.EndBlock();
            if (adjointOfTail.Any(op => op.Operands.Any(v => late.Contains(v.Id)) || op.Regions.Any())) return null;

            _b.BeginBlock();
            var ok = site < 0 || FuseSite(r.Ops[site]);
            var atSite = _b.EndBlock();
            if (!ok) return null;
            _b.BeginBlock();
            BackOps(r, 0, split);
            var adjointOfHead = _b.EndBlock();
            return Materialize(head).Concat(hoisted).Concat(adjointOfTail).Concat(atSite).Concat(rest).Concat(adjointOfHead)
                .ToEquatableArray();
        }

        /// <summary>
        /// The position of the one op of <paramref name="r"/> that calls (−1: none), or −2 when there are several, when
        /// the site is a call with scalar results or without active arguments (its pullback would not stand in for it),
        /// a loop around calls, or when an op after it is not straight-line arithmetic or a load.
        /// </summary>
        private int SiteIndex(Region r)
        {
            var sites = Enumerable.Range(0, r.Ops.Count)
                .Where(k => r.Ops[k] is CallOp { Rule: null } || r.Ops[k].Regions.Any(ContainsCall)).ToList();
            if (sites.Count == 0) return -1;
            if (sites.Count > 1) return -2;
            var op = r.Ops[sites[0]];
            if (op is CallOp c && (c.Outs.Count > 0 || !c.Args.Any(Active))) return -2;
            if (op is not (CallOp or IfOp)) return -2;
            for (var k = sites[0] + 1; k < r.Ops.Count; k++)
            {
                var next = r.Ops[k];
                if (next.Regions.Any() || next is StoreOp or CallOp { Rule: null } or PushOp or PopOp or AllocOp or ClearOp) return -2;
            }
            return sites[0];
        }

        /// <summary>Emits the fused form of a site: a call's pullback, or a branch whose sides are fused; false if one is not.</summary>
        private bool FuseSite(Op site)
        {
            if (site is CallOp call)
            {
                _b.Emit(new NoteOp("the call's pullback: its outputs and its adjoints in one pass"));
                BackCall(call);
                return true;
            }
            var i = (IfOp)site;
            var seeds = i.Outs.Select(o => Active(o) ? Adj(o) : null).ToList();
            var outer = OuterReads(i.Then, i.Else);
            foreach (var u in outer)
            {
                if (Adj(u) is null) _adj[u.Id] = Zero(u.Type);
            }
            var saved = new Dictionary<int, Value>(_adj);
            Region? Side(Region side)
            {
                var ops = FuseRegion(side, seeds);
                var yields = side.Yields.Concat(outer.Select(u => Adj(u)!)).ToEquatableArray();
                _adj = new Dictionary<int, Value>(saved);
                return ops is { } o ? new Region(side.Args, o, yields) : null;
            }
            var then = Side(i.Then);
            var @else = Side(i.Else);
            if (then is null || @else is null) return false;
            var outs = i.Outs.Concat(outer.Select(u => _b.NewValue(u.Type, Bar(u)))).ToEquatableArray();
            _b.Emit(new IfOp(outs, i.Cond, then, @else));
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outs[i.Outs.Count + k];
            return true;
        }
    }
}
