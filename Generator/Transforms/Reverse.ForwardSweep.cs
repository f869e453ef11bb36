using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Reverse
{
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
                    case StoreOp st when !st.Accumulate && _localBuffers.Contains(st.Buffer.Id) && !_unrestored.Contains(st.Buffer.Id):
                    {
                        // Save the element about to be overwritten; the reverse sweep restores it.
                        var old = _b.NewValue(st.Buffer.Type.ElementType, "");
                        into.Ops.Add(new LoadOp(old, st.Buffer, st.Index));
                        into.Ops.Add(new PushOp(old, _tape));
                        into.Ops.Add(st);
                        break;
                    }
                    case CallOp c when into.IsTop && TryEagerCall(c, into.Ops, r):
                        break;
                    case ForOp f:
                    {
                        // A loop that may stop early counts its iterations as it runs (a carried int, see MaterializeOp).
                        Value? trips = null;
                        if (f.Exits) _tripCount[f] = trips = _b.NewValue(IrType.I32, f.Body.Args[0].Name + "_count");
                        else
                        {
                            into.Ops.AddRange(TripCountOps(f, out var n));
                            _tripCount[f] = n;
                        }
                        var body = new FwdRegion(f.Body, isTop: false);
                        BuildForward(f.Body, body);
                        _fwdBodies[f] = new[] { body };
                        into.Ops.Add(new PendingOp(f, new[] { body }, trips));
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
                    default:
                        into.Ops.Add(op);
                        break;
                }
            }
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

        /// <summary>
        /// The forward copy of a loop that may stop early, carrying one more int: the number of iterations run, which
        /// the reverse loop runs backwards (a while loop's trip count is known only once it has stopped).
        /// </summary>
        private IEnumerable<Op> CountedTrips(ForOp f, Region body, Value trips)
        {
            var zero = _b.NewValue(IrType.I32, "");
            var one = _b.NewValue(IrType.I32, "");
            var arg = _b.NewValue(IrType.I32, trips.Name);
            var next = _b.NewValue(IrType.I32, "");
            var ops = body.Ops.Concat(new Op[] { new ConstOp(one, 1), new BinaryOp(next, BinOp.Add, arg, one) });
            yield return new ConstOp(zero, 0);
            yield return f with
            {
                Outs = f.Outs.Append(trips).ToEquatableArray(),
                Inits = f.Inits.Append(zero).ToEquatableArray(),
                Body = new Region(body.Args.Append(arg).ToEquatableArray(), ops.ToEquatableArray(),
                    body.Yields.Append(next).ToEquatableArray()),
            };
        }

        private IEnumerable<Op> Materialize(FwdRegion r)
        {
            foreach (var op in r.Ops)
            {
                if (op is PendingOp { Original: ForOp f, Trips: { } trips } counted)
                {
                    var body = counted.Bodies[0];
                    foreach (var o in CountedTrips(f, new Region(body.Original.Args, Materialize(body).ToEquatableArray(),
                        body.Original.Yields), trips)) yield return o;
                }
                else if (op is PendingOp p) yield return MaterializeOp(p);
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
