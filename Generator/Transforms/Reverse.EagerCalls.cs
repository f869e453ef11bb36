using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    /// <summary>The gradient of <paramref name="fn"/> as a helper (seed 1, primal result yielded, adjoints cleared first).</summary>
    private FunctionKey GradientHelper(Function fn, IReadOnlyList<bool> active)
    {
        var key = FunctionKey.Gradient(fn.Key, active);
        if (_generated.ContainsKey(key)) return key;
        _generated[key] = null!;
        _generated[key] = new FunctionTransform(this, fn, active, Mode.Gradient).Run(key);
        _order.Add(key);
        return key;
    }

    // Eager gradients of top-level calls: the value and the gradient of an expensive callee in one pass.
    private sealed partial class FunctionTransform
    {
        private readonly Dictionary<Op, (List<(Value Arg, Value Tmp)> Buffers, List<(Value Arg, Value G)> Scalars)> _eager =
            new(ReferenceOps.Instance);

        /// <summary>
        /// A top-level call <c>r = F(…)</c> whose callee runs a loop around calls (an estimator's chunk loop around a
        /// Taylor jet): the forward sweep calls F's gradient instead (seed 1, into fresh scratch buffers), which gives r
        /// and ∂r/∂(inputs) in one pass, and the reverse sweep adds <c>r̄ · ∂r/∂(inputs)</c>. Without this, the forward
        /// sweep runs F for r and the reverse sweep runs F's pullback, which runs F's forward pass again: the 2-jets of
        /// a Laplacian in a loss ran twice. Costs one scratch buffer per active span argument (|θ| for a network) and one
        /// pass over it; taken only for callees that loop around calls, where that pass is small against F. Needs one
        /// scalar result and no output spans (r̄ is then the only seed).
        /// </summary>
        private bool TryEagerCall(CallOp c, List<Op> into)
        {
            var mask = c.Args.Select(Active).ToList();
            if (!mask.Any(m => m) || c.Outs.Count != 1 || !Active(c.Outs[0]) || c.Outs[0].Type.IsBuffer) return false;
            var callee = _owner._lookup(c.Callee);
            if (callee is null || callee.Params.Count != c.Args.Count) return false;
            if (callee.Params.Any(p => p.Type.IsBuffer && p.Type.Buffer == BufferKind.Span)) return false;
            if (!callee.Body.Ops.Any(op => op is ForOp f && LoopsAroundCalls(f.Body))) return false;
            var buffers = new List<(Value Arg, Value Tmp)>();
            var scalars = new List<(Value Arg, Value G)>();
            var args = new List<Value>(c.Args);
            var ops = new List<Op>();
            for (var j = 0; j < c.Args.Count; j++)
            {
                var a = c.Args[j];
                if (!mask[j] || !a.Type.IsBuffer || !a.Type.IsDifferentiable) continue;
                if (!_adjBuf.ContainsKey(a.Id)) return false;
                var length = _b.NewValue(IrType.I32, "");
                ops.Add(new LengthOp(length, a));
                var tmp = _b.NewValue(IrType.Buf(a.Type.Elem, BufferKind.Scratch), Bar(a) + "_of_" + CalleeName(callee));
                ops.Add(new AllocOp(tmp, length));
                buffers.Add((a, tmp));
                args.Add(tmp);
            }
            var outs = new List<Value> { c.Outs[0] };
            for (var j = 0; j < c.Args.Count; j++)
            {
                var a = c.Args[j];
                if (!mask[j] || a.Type.IsBuffer || !a.Type.IsDifferentiable) continue;
                var g = _b.NewValue(a.Type, "");
                outs.Add(g);
                scalars.Add((a, g));
            }
            ops.Add(new CallOp(outs.ToEquatableArray(), _owner.GradientHelper(callee, mask), args.ToEquatableArray()));
            into.AddRange(ops);
            _eager[c] = (buffers, scalars);
            return true;
        }

        private static string CalleeName(Function f) => f.Name.Length == 0 ? "call" : f.Name;

        private static bool LoopsAroundCalls(Region r) => r.Ops.Any(op => op is CallOp { Rule: null } || op.Regions.Any(LoopsAroundCalls));

        /// <summary>The reverse sweep of an eager call: its inputs' adjoints grow by r̄ times the gradient saved forward.</summary>
        private bool BackEagerCall(CallOp c)
        {
            if (!_eager.TryGetValue(c, out var eager)) return false;
            if (Adj(c.Outs[0]) is not { } seed) return true;
            foreach (var (arg, tmp) in eager.Buffers)
            {
                var bar = _adjBuf[arg.Id];
                _b.Loop(_b.Const(0, IrType.I32), _b.Length(tmp), "k",
                    k => _b.Store(bar, k, _b.Binary(BinOp.Mul, seed, _b.Load(tmp, k)), accumulate: true));
            }
            foreach (var (arg, g) in eager.Scalars) Accum(arg, _b.Binary(BinOp.Mul, seed, g));
            return true;
        }
    }
}
