using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

// Taylor mode through a call with a derivative rule (ExternRule): y′ = Σ_i g_i(x)·x_i′ with g_i = ∂_i f, so
// ȳ_k = (1/k) Σ_i Σ_{j=1..k} j x̄_{i,j} ḡ_{i,k−j} needs the jets of g_i to order K − 1 only. They come from
// g_i's Taylor helper of order K − 1 (the user's [Differentiable] rule, or a built-in rule's IR), whose own
// rule calls go one order lower again: the recursion ends at order 0, where g_i is only evaluated. So a rule
// that calls its own function (erf⁻¹′ = √π/2·exp(erf⁻¹(x)²)) or a family (ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾) terminates.
internal sealed partial class Taylor
{
    // The same transform one order lower (same lanes), built on first use.
    private Taylor? _lower;

    private Taylor Lower => _lower ??= new Taylor(_lookup, _order - 1, _lanes);

    private sealed partial class FunctionTransform
    {
        private void RuleJet(CallOp c)
        {
            _b.Emit(c);
            if (c.Outs.Count != 1 || !Active(c.Outs[0])) return;
            var y = c.Outs[0];
            var active = RuleCalls.ActiveArgs(c, v => _jet.ContainsKey(v.Id));
            if (active.Count == 0) return;
            var k1 = _k - 1;
            // Per active argument: ḡ_0 and, lane-major, ḡ_1..ḡ_{K−1} of every lane.
            var partials = new List<(int Arg, Value G, Value[] Jet)>();
            foreach (var i in active)
            {
                if (k1 == 0)
                {
                    partials.Add((i, RuleCalls.Partial(_b, c, i), System.Array.Empty<Value>()));
                    continue;
                }
                var fn = RuleCalls.PartialFunction(c, i, _owner._lookup);
                var mask = c.Args.Select((a, j) => active.Contains(j)).ToList();
                var key = _owner.Lower.Helper(fn, mask);
                var args = new List<Value>();
                for (var j = 0; j < c.Args.Count; j++)
                {
                    args.Add(c.Args[j]);
                    if (!mask[j]) continue;
                    for (var l = 0; l < _lanes; l++)
                    {
                        for (var k = 1; k <= k1; k++) args.Add(_jet[c.Args[j].Id][l * _k + k - 1] ?? _b.Zero(c.Args[j].Type));
                    }
                }
                var g = _b.NewValue(y.Type, "");
                var jet = Enumerable.Range(0, _lanes * k1).Select(_ => _b.NewValue(y.Type, "")).ToArray();
                _b.Emit(new CallOp(new[] { g }.Concat(jet).ToEquatableArray(), key, args.ToEquatableArray()));
                partials.Add((i, g, jet));
            }
            JetOf(y, () =>
            {
                Value[]? sum = null;
                foreach (var (arg, g, jet) in partials)
                {
                    var lane = _lane;
                    // The collapsed sum lane is zero below order K, so it reads only ḡ_0.
                    var term = FromDerivative(Jet(c.Args[arg])!,
                        m => m == 0 ? g : lane < _lanes ? jet[lane * k1 + m - 1] : _b.Zero(y.Type));
                    sum = sum is null ? term : sum.Select((s, n) => Add(s, term[n])).ToArray();
                }
                return sum!;
            });
        }
    }
}
