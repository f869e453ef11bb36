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

        // Eager calls whose gradient went straight into an input's adjoint buffer: after the reverse of this op (the first
        // reader of the call's result) the buffer is scaled by the result's adjoint.
        private readonly Dictionary<Op, System.Action> _scaleAfter = new(ReferenceOps.Instance);

        // Adjoint buffers an eager call writes directly (at most one call each), and those the reverse sweep has scaled.
        private readonly HashSet<int> _directTargets = new();
        private readonly HashSet<int> _scaled = new();

        /// <summary>
        /// A top-level call <c>r = F(…)</c> whose callee runs a loop around calls (an estimator's chunk loop around a
        /// Taylor jet): the forward sweep calls F's gradient instead (seed 1, into fresh scratch buffers), which gives r
        /// and ∂r/∂(inputs) in one pass, and the reverse sweep adds <c>r̄ · ∂r/∂(inputs)</c>. Without this, the forward
        /// sweep runs F for r and the reverse sweep runs F's pullback, which runs F's forward pass again: the 2-jets of
        /// a Laplacian in a loss ran twice. Costs one scratch buffer per active span argument (|θ| for a network) and one
        /// pass over it; taken only for callees that loop around calls, where that pass is small against F. Needs one
        /// scalar result and no output spans (r̄ is then the only seed).
        /// <para>
        /// Where it can (<see cref="Direct"/>), the gradient goes straight into the input's own adjoint buffer, and the
        /// reverse sweep scales that buffer by r̄ in place as soon as r̄ is final, before any other adjoint reaches it: no
        /// scratch buffer to clear, and one pass over |θ| instead of one over two buffers.
        /// </para>
        /// </summary>
        private bool TryEagerCall(CallOp c, List<Op> into, Region region)
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
            var directArgs = new List<string>();
            for (var j = 0; j < c.Args.Count; j++)
            {
                var a = c.Args[j];
                if (!mask[j] || !a.Type.IsBuffer || !a.Type.IsDifferentiable) continue;
                if (!_adjBuf.ContainsKey(a.Id)) return false;
                if (Direct(c, a, region) is { } reader)
                {
                    var bar = _adjBuf[a.Id];
                    _directTargets.Add(bar.Id);
                    args.Add(bar);
                    directArgs.Add(a.Name);
                    _scaleAfter[reader] = _scaleAfter.TryGetValue(reader, out var before)
                        ? before + (() => ScaleDirect(c, a, bar))
                        : () => ScaleDirect(c, a, bar);
                    continue;
                }
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
            if (directArgs.Count > 0)
            {
                ops.Add(new NoteOp(CalleeName(callee) + "'s value, and its gradient (seed 1) straight into the adjoint of "
                    + string.Join(", ", directArgs) + " (times the value's adjoint in the reverse sweep)"));
            }
            ops.Add(new CallOp(outs.ToEquatableArray(), _owner.GradientHelper(callee, mask), args.ToEquatableArray()));
            into.AddRange(ops);
            _eager[c] = (buffers, scalars);
            return true;
        }

        /// <summary>
        /// The op after whose reverse the eager call <paramref name="c"/>'s gradient with respect to buffer
        /// <paramref name="a"/> can be scaled in place in a's adjoint buffer, or null. It can when: the buffer is cleared
        /// at entry and no other eager call writes it directly; the result r has a first reader R in the same top-level
        /// region and is not yielded; and no op from R on mentions a. Then, in the reverse sweep, r̄ is final after R's
        /// reverse, and nothing has added to ā before it: the adjoints of a come only from ops that read a, and those
        /// all stand before R, so their reverses run after the scaling and add onto r̄·∂r/∂a.
        /// </summary>
        private Op? Direct(CallOp c, Value a, Region region)
        {
            var bar = _adjBuf[a.Id];
            if (!_clearedAtEntry.Contains(bar.Id) || _directTargets.Contains(bar.Id)) return null;
            var r = c.Outs[0];
            if (region.Yields.Any(y => y.Id == r.Id)) return null;
            var at = -1;
            for (var i = 0; i < region.Ops.Count; i++)
            {
                if (ReferenceEquals(region.Ops[i], c)) at = i;
            }
            if (at < 0) return null;
            Op? reader = null;
            for (var i = at + 1; i < region.Ops.Count; i++)
            {
                var op = region.Ops[i];
                var reads = new HashSet<int>(op.Operands.Select(v => v.Id));
                foreach (var inner in op.Regions) Rewrite.Reads(inner, reads);
                if (reader is null && reads.Contains(r.Id)) reader = op;
                if (reader is not null && reads.Contains(a.Id)) return null;
            }
            // A loop or branch as the reader could have its reverse fused or split (Reverse.Fusion): keep to straight ops.
            return reader is null || reader.Regions.Any() ? null : reader;
        }

        /// <summary>
        /// ā = r̄ · ā, where ā holds ∂r/∂a from an eager call (see <see cref="Direct"/>); cleared when r̄ never arrives.
        /// </summary>
        private void ScaleDirect(CallOp c, Value a, Value bar)
        {
            _scaled.Add(bar.Id);
            var of = c.Outs[0].Name.Length > 0 ? c.Outs[0].Name : "the call";
            _b.Emit(new NoteOp("the adjoint of " + a.Name + " holds the gradient of " + of
                + " from the forward sweep: times its adjoint, before any other contribution"));
            if (Adj(c.Outs[0]) is not { } seed)
            {
                _b.Emit(new ClearOp(bar));
                return;
            }
            if (_b.IsConstant(seed, out var one) && one == 1) return; // times 1: the gradient stays as it is
            _b.Loop(_b.Const(0, IrType.I32), _b.Length(bar), "k",
                k => _b.Store(bar, k, _b.Binary(BinOp.Mul, seed, _b.Load(bar, k))));
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
