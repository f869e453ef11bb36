using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Taylor
{
    // Calls, loops and branches: the jets of the values they carry travel with them.
    private sealed partial class FunctionTransform
    {
        private void Call(CallOp c)
        {
            var callee = _owner._lookup(c.Callee);
            var mask = c.Args.Select(a => Active(a)).ToList();
            if (callee is null || !mask.Any(m => m))
            {
                _b.Emit(c);
                return;
            }
            var key = _owner.Helper(callee, mask);
            var args = new List<Value>();
            for (var i = 0; i < c.Args.Count; i++)
            {
                var a = c.Args[i];
                args.Add(a);
                if (!mask[i]) continue;
                if (a.Type.IsBuffer)
                {
                    var bj = _bufJet[a.Id];
                    if (bj.Raw) throw new InvalidOperationException("raw jets are only at the entry");
                    args.Add(bj.Buffer);
                }
                else
                {
                    for (var n = 0; n < N; n++) args.Add(At(a, n));
                }
            }
            var outs = new List<Value>();
            var jets = new List<(Value, Value[])>();
            foreach (var o in c.Outs)
            {
                outs.Add(o);
                var j = NewJet(o, o.Type);
                outs.AddRange(j);
                jets.Add((o, j));
            }
            _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            foreach (var (o, j) in jets)
            {
                if (Active(o)) _jet[o.Id] = j;
            }
        }

        private void For(ForOp f)
        {
            var idx = Enumerable.Range(0, f.Inits.Count).Where(i => Active(f.Body.Args[i + 1])).ToList();
            var inits = f.Inits.ToList();
            foreach (var i in idx) for (var n = 0; n < N; n++) inits.Add(At(f.Inits[i], n));
            var args = f.Body.Args.ToList();
            _b.BeginBlock();
            foreach (var i in idx)
            {
                var arg = f.Body.Args[i + 1];
                var j = NewJet(arg, arg.Type);
                _jet[arg.Id] = j;
                args.AddRange(j);
            }
            foreach (var op in f.Body.Ops) Transform(op);
            var yields = f.Body.Yields.ToList();
            foreach (var i in idx) for (var n = 0; n < N; n++) yields.Add(At(f.Body.Yields[i], n));
            var ops = _b.EndBlock();
            var outs = f.Outs.ToList();
            foreach (var i in idx)
            {
                var j = NewJet(f.Outs[i], f.Outs[i].Type);
                _jet[f.Outs[i].Id] = j;
                outs.AddRange(j);
            }
            _b.Emit(new ForOp(outs.ToEquatableArray(), f.Start, f.Bound, f.Step, f.Cmp, inits.ToEquatableArray(),
                new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray())));
        }

        private void If(IfOp op)
        {
            var idx = Enumerable.Range(0, op.Outs.Count).Where(i => Active(op.Outs[i])).ToList();
            Region Branch(Region r)
            {
                _b.BeginBlock();
                foreach (var inner in r.Ops) Transform(inner);
                var yields = r.Yields.ToList();
                foreach (var i in idx) for (var n = 0; n < N; n++) yields.Add(At(r.Yields[i], n));
                return new Region(r.Args, _b.EndBlock(), yields.ToEquatableArray());
            }
            var thenR = Branch(op.Then);
            var elseR = Branch(op.Else);
            var outs = op.Outs.ToList();
            foreach (var i in idx)
            {
                var j = NewJet(op.Outs[i], op.Outs[i].Type);
                _jet[op.Outs[i].Id] = j;
                outs.AddRange(j);
            }
            _b.Emit(new IfOp(outs.ToEquatableArray(), op.Cond, thenR, elseR));
        }
    }
}
