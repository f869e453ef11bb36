using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
    /// <summary>A call run as value and gradient in the forward sweep: its gradient buffers and scalar derivatives.</summary>
    private sealed record FusedCall(List<(Value Arg, Value Part)> Buffers, List<(Value Arg, Value Grad)> Scalars);

    // The forward sweep: a copy of the primal that defines trip counts and saves overwritten elements.
    private sealed partial class FunctionTransform
    {
        private void BuildForward(Region r, FwdRegion into)
        {
            foreach (var op in r.Ops)
            {
                foreach (var res in op.Results) _defOp[res.Id] = op;
                switch (op)
                {
                    case NoteOp:
                        break;
                    case AllocOp a:
                        if (!into.IsTop)
                            throw new ReverseNotSupportedException(
                                $"reverse mode needs buffer '{a.Result.Name}' to be allocated outside loops and branches; " +
                                "move its stackalloc/new before the loop");
                        into.Ops.Add(a);
                        _localBuffers.Add(a.Result.Id);
                        if (Active(a.Result))
                        {
                            var bar = _b.NewValue(a.Result.Type, Bar(a.Result));
                            into.Ops.Add(new AllocOp(bar, a.Length));
                            _adjBuf[a.Result.Id] = bar;
                        }
                        break;
                    case StoreOp st when !st.Accumulate && _localBuffers.Contains(st.Buffer.Id):
                    {
                        // Save the element about to be overwritten; the reverse sweep restores it.
                        var old = _b.NewValue(st.Buffer.Type.ElementType, "");
                        into.Ops.Add(new LoadOp(old, st.Buffer, st.Index));
                        into.Ops.Add(new PushOp(old, _tape));
                        into.Ops.Add(st);
                        break;
                    }
                    case ForOp f:
                    {
                        into.Ops.AddRange(TripCountOps(f, out var n));
                        _tripCount[f] = n;
                        var body = new FwdRegion(f.Body, isTop: false);
                        BuildForward(f.Body, body);
                        _fwdBodies[f] = new[] { body };
                        into.Ops.Add(new PendingOp(f, new[] { body }));
                        break;
                    }
                    case IfOp i:
                    {
                        var then = new FwdRegion(i.Then, isTop: false);
                        var @else = new FwdRegion(i.Else, isTop: false);
                        BuildForward(i.Then, then);
                        BuildForward(i.Else, @else);
                        _fwdBodies[i] = new[] { then, @else };
                        into.Ops.Add(new PendingOp(i, new[] { then, @else }));
                        break;
                    }
                    case CallOp c when into.IsTop && Fuses(c, out var callee):
                        into.Ops.AddRange(FusedForward(c, callee!));
                        break;
                    default:
                        into.Ops.Add(op);
                        break;
                }
            }
        }

        /// <summary>
        /// A call at the top level to a function with loops or calls, returning one active scalar from inputs it only
        /// reads, runs once as value and gradient (the callee's gradient, seed 1, into scratch buffers) instead of once
        /// here and once more inside its pullback: the reverse sweep then only scales those buffers by the call's
        /// adjoint (a pullback is linear in its seed). Saves the callee's forward pass; costs one buffer per active
        /// buffer argument and one multiply-add per element. Inside loops and branches calls keep their pullbacks (one
        /// buffer per iteration would be needed).
        /// </summary>
        private bool Fuses(CallOp c, out Function? callee)
        {
            callee = null;
            if (c.Outs.Count != 1 || c.Outs[0].Type.IsBuffer || !Active(c.Outs[0])) return false;
            var mask = c.Args.Select(Active).ToList();
            if (!mask.Any(m => m)) return false;
            if (_owner._lookup(c.Callee) is not { } fn) return false;
            if (fn.Params.Any(IsOutput) || !HasLoopOrCall(fn.Body)) return false;
            for (var j = 0; j < c.Args.Count; j++)
            {
                if (mask[j] && c.Args[j].Type.IsBuffer && (!c.Args[j].Type.IsDifferentiable || !_adjBuf.ContainsKey(c.Args[j].Id)))
                    return false;
            }
            callee = fn.Key == c.Callee ? fn : fn with { Key = c.Callee };
            return true;
        }

        private static bool HasLoopOrCall(Region r) => r.Ops.Any(op => op is ForOp or CallOp || op.Regions.Any(HasLoopOrCall));

        private IEnumerable<Op> FusedForward(CallOp c, Function callee)
        {
            var mask = c.Args.Select(Active).ToList();
            var key = _owner.GradientHelper(callee, mask);
            var args = new List<Value>(c.Args);
            var buffers = new List<(Value Arg, Value Part)>();
            var scalars = new List<(Value Arg, Value Grad)>();
            var ops = new List<Op>();
            for (var j = 0; j < c.Args.Count; j++)
            {
                var a = c.Args[j];
                if (!mask[j] || !a.Type.IsBuffer) continue;
                var length = _b.NewValue(IrType.I32, "");
                ops.Add(new LengthOp(length, a));
                var part = _b.NewValue(IrType.Buf(a.Type.Elem, BufferKind.Scratch), a.Name.Length == 0 ? "" : a.Name + "_part");
                ops.Add(new AllocOp(part, length));
                args.Add(part);
                buffers.Add((a, part));
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
            ops.Insert(0, new NoteOp($"{callee.Name} and its gradient in one pass (seed 1); the reverse sweep scales the gradient"));
            ops.Add(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            _fused[c] = new FusedCall(buffers, scalars);
            return ops;
        }

        /// <summary>Ops computing the number of iterations of <paramref name="f"/> (0 when it does not run).</summary>
        private List<Op> TripCountOps(ForOp f, out Value n)
        {
            var ops = new List<Op>();
            Value Int(double c)
            {
                var v = _b.NewValue(IrType.I32, "");
                ops.Add(new ConstOp(v, c));
                return v;
            }
            Value Bin(BinOp k, Value a, Value b, string name = "")
            {
                var v = _b.NewValue(Primitives.Of(k).Compares ? IrType.Bool : IrType.I32, name);
                ops.Add(new BinaryOp(v, k, a, b));
                return v;
            }
            // span = |bound - start| (+1 for an inclusive bound); n = ceil(span / |step|), at least 0.
            var up = f.Step > 0;
            var span = up ? Bin(BinOp.Sub, f.Bound, f.Start) : Bin(BinOp.Sub, f.Start, f.Bound);
            if (f.Cmp is LoopCmp.Le or LoopCmp.Ge) span = Bin(BinOp.Add, span, Int(1));
            var step = Math.Abs(f.Step);
            var count = step == 1 ? span : Bin(BinOp.Div, Bin(BinOp.Add, span, Int(step - 1)), Int(step));
            n = Bin(BinOp.Max, count, Int(0), f.Body.Args[0].Name + "_count");
            return ops;
        }

        private IEnumerable<Op> Materialize(FwdRegion r)
        {
            foreach (var op in r.Ops)
            {
                if (op is PendingOp p) yield return MaterializeOp(p);
                else yield return op;
            }
            foreach (var v in r.EndPushes) yield return new PushOp(v, _tape);
        }

        private Op MaterializeOp(PendingOp p)
        {
            Region Body(FwdRegion fr) => new(fr.Original.Args, Materialize(fr).ToEquatableArray(), fr.Original.Yields);
            return p.Original switch
            {
                ForOp f => f with { Body = Body(p.Bodies[0]) },
                IfOp i => i with { Then = Body(p.Bodies[0]), Else = Body(p.Bodies[1]) },
                _ => p.Original,
            };
        }
    }
}
