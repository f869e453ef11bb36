using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

/// <summary>Thrown when reverse mode cannot handle a construct the frontend accepted.</summary>
internal sealed class ReverseNotSupportedException : Exception
{
    public ReverseNotSupportedException(string reason) : base(reason) { }
}

/// <summary>
/// Reverse mode as an IR → IR transform. The result runs the primal forward (the forward
/// sweep), then walks the ops backwards accumulating adjoints (the reverse sweep).
/// <list type="bullet">
/// <item>Values of the top-level region stay in scope, so the reverse sweep reads them directly.</item>
/// <item>A loop body or branch region saves on the tape, at its end, the values its reverse
/// needs and cannot cheaply recompute (results of transcendental ops, carried values); the
/// reverse region pops them at its start. Cheap values (indices, loads from inputs, + − ×)
/// are recomputed there instead.</item>
/// <item>A store into a local buffer saves the element it overwrites; the reverse sweep
/// restores it, so a buffer holds, at each point of the reverse sweep, what it held at the
/// matching point of the forward sweep.</item>
/// <item>Loops run backwards over the same indices, carrying the adjoints of their carried
/// values and of the outer values their body reads.</item>
/// <item>A call gets the callee's own pullback, generated once per pattern of active arguments.</item>
/// </list>
/// </summary>
internal sealed class Reverse
{
    private readonly Func<string, Function?> _lookup;
    private readonly Dictionary<string, Function> _generated = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    private Reverse(Func<string, Function?> lookup) => _lookup = lookup;

    private static string Mask(IReadOnlyList<bool> active) => string.Concat(active.Select(a => a ? "1" : "0"));

    public static string GradientKey(string key, IReadOnlyList<bool> active) => "grad[" + Mask(active) + "]:" + key;

    public static string PullbackKey(string key, IReadOnlyList<bool> active) => "vjp[" + Mask(active) + "]:" + key;

    /// <summary>
    /// The gradient of <paramref name="entry"/>: its parameters, then one adjoint buffer per
    /// active buffer parameter (cleared, then accumulated); it yields the primal result and
    /// then the adjoints of the active scalar parameters. Helpers (callee pullbacks) follow it
    /// in the module.
    /// </summary>
    public static Module Gradient(Function entry, IReadOnlyList<bool> active, Func<string, Function?> lookup)
    {
        var rev = new Reverse(lookup);
        var key = GradientKey(entry.Key, active);
        var fn = new FunctionTransform(rev, entry, active, Mode.Gradient).Run(key);
        var list = new List<Function> { fn };
        list.AddRange(rev._order.Select(k => rev._generated[k]));
        return new Module(list.ToEquatableArray());
    }

    /// <summary>
    /// The vector-Jacobian product of <paramref name="entry"/>: its parameters, then the seed of
    /// its result (if it returns one), then a read-only seed per output span, then an adjoint
    /// buffer per active input span (cleared, then accumulated); it yields the primal result
    /// and then the adjoints of the active scalar parameters.
    /// </summary>
    public static Module Vjp(Function entry, IReadOnlyList<bool> active, Func<string, Function?> lookup)
    {
        var rev = new Reverse(lookup);
        var key = "vjpentry[" + Mask(active) + "]:" + entry.Key;
        var fn = new FunctionTransform(rev, entry, active, Mode.Vjp).Run(key);
        var list = new List<Function> { fn };
        list.AddRange(rev._order.Select(k => rev._generated[k]));
        return new Module(list.ToEquatableArray());
    }

    private enum Mode
    {
        Gradient,
        Pullback,
        Vjp,
    }

    /// <summary>
    /// The pullback of <paramref name="fn"/>: its parameters, then an adjoint buffer per active
    /// buffer parameter (accumulated into), then a seed per yield; it yields the adjoints of
    /// the active scalar parameters (not the primal results, which the caller already has).
    /// </summary>
    private string Pullback(Function fn, IReadOnlyList<bool> active)
    {
        var key = PullbackKey(fn.Key, active);
        if (_generated.ContainsKey(key)) return key;
        _generated[key] = null!;
        _generated[key] = new FunctionTransform(this, fn, active, Mode.Pullback).Run(key);
        _order.Add(key);
        return key;
    }

    /// <summary>The forward copy of a region, completed (tape pushes at its end) once its reverse is built.</summary>
    private sealed class FwdRegion
    {
        public FwdRegion(Region original, bool isTop)
        {
            Original = original;
            IsTop = isTop;
        }

        public Region Original { get; }
        public bool IsTop { get; }
        public List<Op> Ops { get; } = new();
        public List<Value> EndPushes { get; } = new();
    }

    /// <summary>Stands in the forward op list for a loop or branch until its regions are complete.</summary>
    private sealed record PendingOp(Op Original, FwdRegion[] Bodies) : Op
    {
        public override IEnumerable<Value> Results => Original.Results;
        public override IEnumerable<Value> Operands => Original.Operands;
        public override IEnumerable<Region> Regions => Original.Regions;
        public override bool IsPure => false;
    }

    private sealed class RefEq : IEqualityComparer<Op>
    {
        public static readonly RefEq Instance = new();
        public bool Equals(Op? x, Op? y) => ReferenceEquals(x, y);
        public int GetHashCode(Op obj) => RuntimeHelpers.GetHashCode(obj);
    }

    private sealed class FunctionTransform
    {
        private readonly Reverse _owner;
        private readonly Function _fn;
        private readonly IReadOnlyList<bool> _activeParams;
        private readonly Mode _mode;
        private readonly Activity _activity;
        private readonly IrBuilder _b;
        private Dictionary<int, Value> _adj = new();
        private readonly Dictionary<int, Value> _adjBuf = new();
        private readonly HashSet<int> _localBuffers = new();
        private readonly Dictionary<int, Op> _defOp = new();
        private readonly Dictionary<Op, FwdRegion[]> _fwdBodies = new(RefEq.Instance);
        private readonly Dictionary<Op, Value> _tripCount = new(RefEq.Instance);

        public FunctionTransform(Reverse owner, Function fn, IReadOnlyList<bool> activeParams, Mode mode)
        {
            _owner = owner;
            _fn = fn;
            _activeParams = activeParams;
            _mode = mode;
            _activity = Activity.Analyze(fn, activeParams, owner._lookup);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
            // Code that already uses tapes (a generated gradient or HVP) keeps them; this sweep
            // saves its own values on the next tape, and the adjoints of the values that travel
            // through the code's tapes go on the one after.
            _tape = MaxTapeLevel(fn.Body) + 1;
            _adjointTape = _tape + 1;
        }

        private readonly int _tape;
        private readonly int _adjointTape;

        private static string Bar(Value v) => v.Name.Length == 0 ? "" : v.Name + "_bar";

        private bool Active(Value v) => _activity.IsActive(v) && v.Type.IsDifferentiable;

        private Value? Adj(Value v) => _adj.TryGetValue(v.Id, out var a) ? a : null;

        private Value Zero(IrType t) => _b.Zero(t);

        private void Accum(Value v, Value delta)
        {
            if (!Active(v) || v.Type.IsBuffer) return;
            var current = Adj(v);
            var sum = current is null ? delta : _b.Binary(BinOp.Add, current, delta);
            _adj[v.Id] = _b.TryRenameLast(sum, Bar(v));
        }

        public Function Run(string key)
        {
            var args = new List<Value>(_fn.Params);
            var yields = new List<Value>();
            var seeds = new List<Value>();
            bool IsOutput(Value p) => p.Type.IsBuffer && p.Type.Buffer == BufferKind.Span;
            Value AdjointParam(Value p)
            {
                var bar = _b.NewValue(IrType.Buf(p.Type.Elem, BufferKind.Span), Bar(p));
                _adjBuf[p.Id] = bar;
                args.Add(bar);
                return bar;
            }
            var toClear = new List<Value>();
            if (_mode == Mode.Vjp)
            {
                foreach (var y in _fn.Body.Yields)
                {
                    var s = _b.NewValue(y.Type, "result_bar");
                    seeds.Add(s);
                    args.Add(s);
                }
                for (var i = 0; i < _fn.Params.Count; i++)
                {
                    var p = _fn.Params[i];
                    if (!_activeParams[i] || !IsOutput(p)) continue;
                    // The caller's cotangent is read-only; the reverse sweep consumes a copy.
                    var seed = _b.NewValue(IrType.Buf(p.Type.Elem, BufferKind.ReadOnlySpan), Bar(p) + "_seed");
                    args.Add(seed);
                    var len = _b.Length(seed);
                    var bar = _b.Alloc(IrType.Buf(p.Type.Elem, BufferKind.Heap), len, Bar(p));
                    _adjBuf[p.Id] = bar;
                    _b.BeginBlock();
                    var k = _b.NewValue(IrType.I32, "k");
                    _b.Store(bar, k, _b.Load(seed, k));
                    var copy = _b.EndBlock();
                    _b.Emit(new ForOp(EquatableArray<Value>.Empty, _b.Const(0, IrType.I32), len, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
                        new Region(new[] { k }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
                }
                for (var i = 0; i < _fn.Params.Count; i++)
                {
                    var p = _fn.Params[i];
                    if (_activeParams[i] && p.Type.IsBuffer && p.Type.IsDifferentiable && !IsOutput(p)) toClear.Add(AdjointParam(p));
                }
            }
            else
            {
                for (var i = 0; i < _fn.Params.Count; i++)
                {
                    var p = _fn.Params[i];
                    if (!_activeParams[i] || !p.Type.IsBuffer || !p.Type.IsDifferentiable) continue;
                    var bar = AdjointParam(p);
                    if (_mode == Mode.Gradient) toClear.Add(bar);
                }
                if (_mode == Mode.Pullback)
                {
                    foreach (var y in _fn.Body.Yields)
                    {
                        var s = _b.NewValue(y.Type, "seed");
                        seeds.Add(s);
                        args.Add(s);
                    }
                }
            }
            foreach (var bar in toClear) _b.Emit(new ClearOp(bar));
            var prologue = _b.EndBlock();
            _b.BeginBlock();

            // Forward sweep.
            var top = new FwdRegion(_fn.Body, isTop: true);
            BuildForward(_fn.Body, top);

            // Reverse sweep, seeded with 1 (gradient) or the caller's seed (pullback).
            _b.BeginBlock();
            for (var k = 0; k < _fn.Body.Yields.Count; k++)
            {
                var y = _fn.Body.Yields[k];
                Accum(y, _mode == Mode.Gradient ? _b.Const(1, y.Type) : seeds[k]);
            }
            BackRegion(_fn.Body);
            // A pullback's caller has the primal results from its own forward sweep: a pullback
            // yields only adjoints, so whatever computes nothing but the results is dead code.
            if (_mode != Mode.Pullback) yields.AddRange(_fn.Body.Yields);
            for (var i = 0; i < _fn.Params.Count; i++)
            {
                var p = _fn.Params[i];
                if (_activeParams[i] && !p.Type.IsBuffer && p.Type.IsDifferentiable)
                {
                    var a = Adj(p) ?? Zero(p.Type);
                    yields.Add(a);
                }
            }
            var backward = _b.EndBlock();
            _b.EndBlock();

            var ops = prologue.Concat(Materialize(top)).Concat(backward).ToEquatableArray();
            var mask = Mask(_activeParams);
            var name = _fn.Name + "_" + _mode + (_activeParams.All(a => a) ? "" : "_" + mask);
            return new Function(key, name, new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray()));
        }

        /// <summary>The highest tape level <paramref name="r"/> uses, or −1.</summary>
        private static int MaxTapeLevel(Region r)
        {
            var levels = new SortedSet<int>();
            Rewrite.TapeLevels(r, levels);
            return levels.Count == 0 ? -1 : levels.Max;
        }

        // ------------------------------------------------------------ forward sweep

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
                            throw new ReverseNotSupportedException($"reverse mode needs buffer '{a.Result.Name}' to be allocated outside loops and branches; move its stackalloc/new before the loop");
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
                var v = _b.NewValue(k is BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge ? IrType.Bool : IrType.I32, name);
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

        // ------------------------------------------------------------ reverse sweep

        /// <summary>
        /// The reverse sweep of a region: its ops backwards, each statement's adjoint code under
        /// a comment naming the statement.
        /// </summary>
        private void BackRegion(Region r)
        {
            var notes = new string?[r.Ops.Count];
            string? current = null;
            for (var k = 0; k < r.Ops.Count; k++)
            {
                if (r.Ops[k] is NoteOp n) current = n.Text;
                notes[k] = current;
            }
            string? written = null;
            for (var k = r.Ops.Count - 1; k >= 0; k--)
            {
                var op = r.Ops[k];
                if (op is NoteOp) continue;
                if (notes[k] is { } text && text != written)
                {
                    var suffix = op is ForOp ? " (runs backwards)" : "";
                    _b.Emit(new NoteOp("adjoint of: " + text + suffix));
                    written = text;
                }
                Back(op);
            }
        }

        private void Back(Op op)
        {
            switch (op)
            {
                case UnaryOp u:
                {
                    if (!Active(u.Result) || Adj(u.Result) is not { } g || !Active(u.Operand)) return;
                    if (u.Kind == UnOp.Convert) Accum(u.Operand, _b.Unary(UnOp.Convert, g, "", u.Operand.Type));
                    else Accum(u.Operand, Derivatives.Adjoint(_b, u, 0, g));
                    return;
                }
                case BinaryOp or TernaryOp:
                {
                    // One adjoint per active operand, from the table's tangent rule (no per-primitive code).
                    if (!Active(op.Results.First()) || Adj(op.Results.First()) is not { } g) return;
                    var operands = op.Operands.ToArray();
                    for (var i = 0; i < operands.Length; i++)
                    {
                        if (Active(operands[i])) Accum(operands[i], Derivatives.Adjoint(_b, op, i, g));
                    }
                    return;
                }
                case SelectOp s:
                {
                    if (!Active(s.Result) || Adj(s.Result) is not { } g) return;
                    if (Active(s.IfTrue)) Accum(s.IfTrue, _b.Select(s.Cond, g, Zero(g.Type)));
                    if (Active(s.IfFalse)) Accum(s.IfFalse, _b.Select(s.Cond, Zero(g.Type), g));
                    return;
                }
                case LoadOp l:
                {
                    if (!Active(l.Result) || Adj(l.Result) is not { } g || !_adjBuf.TryGetValue(l.Buffer.Id, out var bar)) return;
                    // x[i] was read: its adjoint collects this read's adjoint.
                    _b.Store(bar, l.Index, g, accumulate: true);
                    return;
                }
                case StoreOp st:
                    BackStore(st);
                    return;
                case ClearOp clear:
                    // The old contents no longer matter: their adjoint is zero from here back.
                    if (_adjBuf.TryGetValue(clear.Buffer.Id, out var clearedBar)) _b.Emit(new ClearOp(clearedBar));
                    return;
                case PopOp pop when pop.Result.Type.IsFloat:
                    // v = pop(): v's adjoint goes back to the matching push, which the reverse
                    // sweep reaches later; a LIFO of adjoints pairs them (zero when v has none).
                    _b.Emit(new PushOp(Adj(pop.Result) ?? Zero(pop.Result.Type), _adjointTape));
                    return;
                case PushOp push when push.Pushed.Type.IsFloat:
                {
                    var back = _b.NewValue(push.Pushed.Type, "");
                    _b.Emit(new PopOp(back, _adjointTape));
                    if (Active(push.Pushed)) Accum(push.Pushed, back);
                    return;
                }
                case CallOp c:
                    BackCall(c);
                    return;
                case ForOp f:
                    BackFor(f);
                    return;
                case IfOp i:
                    BackIf(i);
                    return;
                default:
                    return;
            }
        }

        private void BackStore(StoreOp st)
        {
            _adjBuf.TryGetValue(st.Buffer.Id, out var bar);
            if (st.Accumulate)
            {
                if (bar is not null && Active(st.Stored)) Accum(st.Stored, _b.Load(bar, st.Index));
                return;
            }
            if (bar is not null)
            {
                // h[i] = v: v's adjoint takes h[i]'s, and the overwritten element's adjoint restarts at 0.
                if (Active(st.Stored)) Accum(st.Stored, _b.Load(bar, st.Index));
                _b.Store(bar, st.Index, Zero(st.Buffer.Type.ElementType));
            }
            if (_localBuffers.Contains(st.Buffer.Id))
            {
                var old = _b.NewValue(st.Buffer.Type.ElementType, "");
                _b.Emit(new PopOp(old, _tape));
                _b.Store(st.Buffer, st.Index, old);
            }
        }

        private void BackCall(CallOp c)
        {
            var mask = c.Args.Select(a => Active(a)).ToList();
            if (!mask.Any(m => m)) return;
            var callee = _owner._lookup(c.Callee) ?? throw new ReverseNotSupportedException("the body of a called method is not available");
            var key = _owner.Pullback(callee, mask);
            var args = new List<Value>(c.Args);
            for (var j = 0; j < c.Args.Count; j++)
            {
                if (mask[j] && c.Args[j].Type.IsBuffer)
                {
                    if (!_adjBuf.TryGetValue(c.Args[j].Id, out var bar))
                        throw new ReverseNotSupportedException($"span '{c.Args[j].Name}' passed to a call has no adjoint");
                    args.Add(bar);
                }
            }
            foreach (var o in c.Outs) args.Add(Adj(o) ?? Zero(o.Type));
            var outs = new List<Value>();
            var grads = new List<(Value Arg, Value Adj)>();
            for (var j = 0; j < c.Args.Count; j++)
            {
                if (mask[j] && !c.Args[j].Type.IsBuffer)
                {
                    var g = _b.NewValue(c.Args[j].Type, "");
                    outs.Add(g);
                    grads.Add((c.Args[j], g));
                }
            }
            _b.Emit(new CallOp(outs.ToEquatableArray(), key, args.ToEquatableArray()));
            foreach (var (arg, g) in grads) Accum(arg, g);
        }

        /// <summary>Active scalars defined outside <paramref name="regions"/> that they read: their adjoints change inside.</summary>
        private List<Value> OuterReads(params Region[] regions)
        {
            var defs = new HashSet<int>();
            foreach (var r in regions) Rewrite.Defs(r, defs);
            var seen = new HashSet<int>();
            var list = new List<Value>();
            foreach (var r in regions)
            {
                foreach (var v in Rewrite.ReadValues(r))
                {
                    if (!defs.Contains(v.Id) && Active(v) && !v.Type.IsBuffer && seen.Add(v.Id)) list.Add(v);
                }
            }
            return list.OrderBy(v => v.Id).ToList();
        }

        private void BackFor(ForOp f)
        {
            var body = f.Body;
            var slots = Enumerable.Range(0, f.Inits.Count).Where(j => Active(body.Args[j + 1])).ToList();
            var outer = OuterReads(body);
            var inits = new List<Value>();
            foreach (var j in slots) inits.Add(Adj(f.Outs[j]) ?? Zero(f.Outs[j].Type));
            foreach (var u in outer) inits.Add(Adj(u) ?? Zero(u.Type));

            // The reverse loop visits the same indices backwards: last = start + (n - 1) * step.
            var n = _tripCount[f];
            var one = _b.Const(1, IrType.I32);
            var last = _b.Binary(BinOp.Add, f.Start, _b.Binary(BinOp.Mul, _b.Binary(BinOp.Sub, n, one), _b.Const(f.Step, IrType.I32)));

            var saved = new Dictionary<int, Value>(_adj);
            _b.BeginBlock();
            var i = _b.NewValue(IrType.I32, body.Args[0].Name);
            var bodyArgs = new List<Value> { i };
            var slotArgs = slots.Select(j => _b.NewValue(f.Outs[j].Type, Bar(f.Outs[j]))).ToList();
            var outerArgs = outer.Select(u => _b.NewValue(u.Type, Bar(u))).ToList();
            bodyArgs.AddRange(slotArgs);
            bodyArgs.AddRange(outerArgs);
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outerArgs[k];
            for (var k = 0; k < slots.Count; k++) Accum(body.Yields[slots[k]], slotArgs[k]);
            BackRegion(body);
            var yields = new List<Value>();
            foreach (var j in slots) yields.Add(Adj(body.Args[j + 1]) ?? Zero(body.Args[j + 1].Type));
            foreach (var u in outer) yields.Add(Adj(u) ?? Zero(u.Type));
            var ops = _b.EndBlock();
            _adj = saved;

            var reverseBody = Complete(_fwdBodies[f][0], new Region(bodyArgs.ToEquatableArray(), ops, yields.ToEquatableArray()),
                new Dictionary<int, Value> { [body.Args[0].Id] = i });

            var outs = new List<Value>();
            foreach (var j in slots) outs.Add(_b.NewValue(f.Outs[j].Type, Bar(f.Outs[j])));
            foreach (var u in outer) outs.Add(_b.NewValue(u.Type, Bar(u)));
            _b.Emit(new ForOp(outs.ToEquatableArray(), last, f.Start, -f.Step, f.Step > 0 ? LoopCmp.Ge : LoopCmp.Le,
                inits.ToEquatableArray(), reverseBody));
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outs[slots.Count + k];
            for (var k = 0; k < slots.Count; k++) Accum(f.Inits[slots[k]], outs[k]);
        }

        private void BackIf(IfOp op)
        {
            var outer = OuterReads(op.Then, op.Else);
            foreach (var u in outer)
            {
                if (Adj(u) is null) _adj[u.Id] = Zero(u.Type);
            }
            var seeds = Enumerable.Range(0, op.Outs.Count).Select(k => Active(op.Outs[k]) ? Adj(op.Outs[k]) : null).ToList();
            Region Branch(Region r, FwdRegion fr)
            {
                var saved = new Dictionary<int, Value>(_adj);
                _b.BeginBlock();
                for (var k = 0; k < seeds.Count; k++)
                {
                    if (seeds[k] is { } s) Accum(r.Yields[k], s);
                }
                BackRegion(r);
                var yields = outer.Select(u => Adj(u)!).ToEquatableArray();
                var ops = _b.EndBlock();
                _adj = saved;
                return Complete(fr, new Region(EquatableArray<Value>.Empty, ops, yields), new Dictionary<int, Value>());
            }
            var bodies = _fwdBodies[op];
            var thenR = Branch(op.Then, bodies[0]);
            var elseR = Branch(op.Else, bodies[1]);
            var outs = outer.Select(u => _b.NewValue(u.Type, Bar(u))).ToEquatableArray();
            _b.Emit(new IfOp(outs, op.Cond, thenR, elseR));
            for (var k = 0; k < outer.Count; k++) _adj[outer[k].Id] = outs[k];
        }

        /// <summary>
        /// Makes the values of forward region <paramref name="fr"/> that its reverse region
        /// reads available there: cheap ones are recomputed at the start of the reverse region,
        /// the others are pushed at the end of the forward region and popped at the start of
        /// the reverse one.
        /// </summary>
        private Region Complete(FwdRegion fr, Region reverse, Dictionary<int, Value> map)
        {
            var original = fr.Original;
            // The forward copy, not the primal: it also defines trip counts and saved elements.
            var forwardOps = fr.Ops;
            var position = new Dictionary<int, int>();
            for (var p = 0; p < forwardOps.Count; p++)
            {
                foreach (var res in forwardOps[p].Results) position[res.Id] = p;
            }
            var args = new HashSet<int>(original.Args.Select(a => a.Id));

            var reads = new HashSet<int>();
            Rewrite.Reads(reverse, reads);
            var needed = new SortedSet<int>(reads.Where(id => (position.ContainsKey(id) || args.Contains(id)) && !map.ContainsKey(id)));

            // Decide, recursively: recompute or tape.
            var recompute = new SortedSet<int>();
            var tape = new SortedSet<int>();
            var work = new Stack<int>(needed.Reverse());
            while (work.Count > 0)
            {
                var id = work.Pop();
                if (recompute.Contains(id) || tape.Contains(id) || map.ContainsKey(id)) continue;
                if (args.Contains(id)) { tape.Add(id); continue; }
                var op = forwardOps[position[id]];
                if (IsRecomputable(op, forwardOps, position[id]))
                {
                    recompute.Add(id);
                    foreach (var operand in op.Operands)
                    {
                        if (position.ContainsKey(operand.Id) || args.Contains(operand.Id)) work.Push(operand.Id);
                    }
                }
                else
                {
                    tape.Add(id);
                }
            }

            var values = new Dictionary<int, Value>();
            foreach (var a in original.Args) values[a.Id] = a;
            foreach (var op in forwardOps)
            {
                foreach (var res in op.Results) values[res.Id] = res;
            }

            var prelude = new List<Op>();
            var taped = tape.Select(id => values[id]).ToList();
            fr.EndPushes.AddRange(taped);
            for (var k = taped.Count - 1; k >= 0; k--)
            {
                var v = _b.NewValue(taped[k].Type, taped[k].Name);
                prelude.Add(new PopOp(v, _tape));
                map[taped[k].Id] = v;
            }
            foreach (var id in recompute.OrderBy(id => position[id]))
            {
                var op = forwardOps[position[id]];
                var res = op.Results.First();
                var copy = _b.NewValue(res.Type, res.Name);
                map[id] = copy;
                prelude.Add(CloneWith(op, copy, map));
            }
            var substituted = Rewrite.Substitute(reverse, map);
            return new Region(reverse.Args, prelude.Concat(substituted.Ops).ToEquatableArray(), substituted.Yields);
        }

        private static Op CloneWith(Op op, Value result, Dictionary<int, Value> map)
        {
            Value S(Value v) => map.TryGetValue(v.Id, out var w) ? w : v;
            return op switch
            {
                ConstOp c => c with { Result = result },
                UnaryOp u => u with { Result = result, Operand = S(u.Operand) },
                BinaryOp b => b with { Result = result, Left = S(b.Left), Right = S(b.Right) },
                LoadOp l => l with { Result = result, Buffer = S(l.Buffer), Index = S(l.Index) },
                LengthOp len => len with { Result = result, Buffer = S(len.Buffer) },
                _ => throw new InvalidOperationException("not recomputable: " + op.GetType().Name),
            };
        }

        /// <summary>Cheap, side-effect-free ops whose inputs are still valid at the start of the reverse region.</summary>
        private bool IsRecomputable(Op op, List<Op> region, int position)
        {
            switch (op)
            {
                case ConstOp or LengthOp:
                    return true;
                case UnaryOp u:
                    return u.Kind is UnOp.Neg or UnOp.Convert;
                case BinaryOp b:
                    return b.Result.Type == IrType.I32 || b.Result.Type == IrType.Bool || b.Kind is BinOp.Add or BinOp.Sub or BinOp.Mul;
                case LoadOp l:
                    if (l.Buffer.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) return true;
                    if (!_localBuffers.Contains(l.Buffer.Id)) return false;
                    // A local buffer holds, at the start of this reverse region, what it held at the
                    // end of the forward region: valid if nothing later in the region writes it.
                    for (var p = position + 1; p < region.Count; p++)
                    {
                        if (Writes(region[p], l.Buffer)) return false;
                    }
                    return true;
                default:
                    return false;
            }
        }

        private static bool Writes(Op op, Value buffer) => op switch
        {
            StoreOp st => st.Buffer.Id == buffer.Id,
            CallOp c => c.Args.Any(a => a.Id == buffer.Id),
            _ => op.Regions.Any(r => r.Ops.Any(inner => Writes(inner, buffer))),
        };
    }
}
