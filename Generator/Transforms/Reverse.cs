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
/// Split by concern: this file holds the entry points, keys and the per-function state;
/// <c>.ForwardSweep</c>, <c>.ReverseSweep</c> and <c>.Checkpointing</c> (tape or recompute) the sweeps.
/// </summary>
internal sealed partial class Reverse
{
    private readonly Func<FunctionKey, Function?> _lookup;
    private readonly Dictionary<FunctionKey, Function> _generated = new();
    private readonly List<FunctionKey> _order = new();

    private Reverse(Func<FunctionKey, Function?> lookup) => _lookup = lookup;

    private static string Mask(IReadOnlyList<bool> active) => string.Concat(active.Select(a => a ? "1" : "0"));

    public static FunctionKey GradientKey(FunctionKey key, IReadOnlyList<bool> active) => FunctionKey.Gradient(key, active);

    public static FunctionKey PullbackKey(FunctionKey key, IReadOnlyList<bool> active) => FunctionKey.Pullback(key, active);

    /// <summary>
    /// The gradient of <paramref name="entry"/>: its parameters, then one adjoint buffer per
    /// active buffer parameter (cleared, then accumulated); it yields the primal result and
    /// then the adjoints of the active scalar parameters. Helpers (callee pullbacks) follow it
    /// in the module.
    /// </summary>
    public static Module Gradient(Function entry, IReadOnlyList<bool> active, Func<FunctionKey, Function?> lookup)
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
    public static Module Vjp(Function entry, IReadOnlyList<bool> active, Func<FunctionKey, Function?> lookup)
    {
        var rev = new Reverse(lookup);
        var key = FunctionKey.Vjp(entry.Key, active);
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
    private FunctionKey Pullback(Function fn, IReadOnlyList<bool> active)
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
    /// <param name="Trips">For a loop that may stop early (<see cref="ForOp.Exits"/>): its iteration count, counted as it runs.</param>
    private sealed record PendingOp(Op Original, FwdRegion[] Bodies, Value? Trips = null) : Op
    {
        public override IEnumerable<Value> Results => Trips is null ? Original.Results : Original.Results.Append(Trips);
        public override IEnumerable<Value> Operands => Original.Operands;
        public override IEnumerable<Region> Regions => Original.Regions;
        public override bool IsPure => false;
    }

    private sealed partial class FunctionTransform
    {
        private readonly Reverse _owner;
        private readonly Function _fn;
        private readonly IReadOnlyList<bool> _activeParams;
        private readonly Mode _mode;
        private readonly Activity _activity;
        private readonly IrBuilder _b;
        private Dictionary<int, Value> _adj = new();
        private readonly Dictionary<int, Value> _adjBuf = new();
        // Adjoint buffers the prologue clears (a gradient's or VJP's own input adjoints).
        private readonly HashSet<int> _clearedAtEntry = new();
        private readonly HashSet<int> _localBuffers = new();
        private readonly HashSet<int> _unrestored;
        private readonly Dictionary<Op, Value> _increments;
        private readonly HashSet<int> _passedToCalls;

        private static IEnumerable<CallOp> Calls(Region r) =>
            r.Ops.OfType<CallOp>().Concat(r.Ops.SelectMany(op => op.Regions).SelectMany(Calls));
        private readonly Dictionary<int, Op> _defOp = new();
        private readonly Dictionary<Op, FwdRegion[]> _fwdBodies = new(ReferenceOps.Instance);
        private readonly Dictionary<Op, Value> _tripCount = new(ReferenceOps.Instance);

        public FunctionTransform(Reverse owner, Function fn, IReadOnlyList<bool> activeParams, Mode mode)
        {
            _owner = owner;
            // Simplified first: equal loads of a local buffer become one value, so the sweep saves it once.
            fn = Simplify.Run(fn, owner._lookup);
            _fn = fn;
            _activeParams = activeParams;
            _mode = mode;
            _activity = Activity.Analyze(fn, activeParams, owner._lookup);
            _b = new IrBuilder(IrMaxId.Of(fn) + 1);
            _unrestored = UnrestoredBuffers(fn.Body);
            _increments = Increments(fn.Body);
            _passedToCalls = new HashSet<int>(Calls(fn.Body).SelectMany(c => c.Args).Where(a => a.Type.IsBuffer).Select(a => a.Id));
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

        public Function Run(FunctionKey key)
        {
            var args = new List<Value>(_fn.Params);
            var seeds = new List<Value>();
            var prologue = Prologue(args, seeds);
            foreach (var a in args) _prologueDefs.Add(a.Id);
            foreach (var op in prologue) _prologueDefs.UnionWith(op.Results.Select(v => v.Id));
            _b.BeginBlock();

            // Forward sweep.
            var top = new FwdRegion(_fn.Body, isTop: true);
            _top = top;
            BuildForward(_fn.Body, top);

            var (backward, yields) = ReverseSweep(seeds);
            _b.EndBlock();

            // An eager call that writes an adjoint directly clears it first (its gradient helper does), so the prologue need not.
            var cleared = prologue.Where(op => op is not ClearOp cl || !_directTargets.Contains(cl.Buffer.Id));
            var ops = cleared.Concat(Materialize(top)).Concat(backward).ToEquatableArray();
            var mask = Mask(_activeParams);
            var name = _fn.Name + "_" + _mode + (_activeParams.All(a => a) ? "" : "_" + mask);
            return new Function(key, name, new Region(args.ToEquatableArray(), ops, yields.ToEquatableArray()));
        }

        private static bool IsOutput(Value p) => p.Type.IsBuffer && p.Type.Buffer == BufferKind.Span;

        private Value AdjointParam(Value p, List<Value> args)
        {
            var bar = _b.NewValue(IrType.Buf(p.Type.Elem, BufferKind.Span), Bar(p));
            _adjBuf[p.Id] = bar;
            args.Add(bar);
            return bar;
        }

        /// <summary>
        /// Adds the parameters that follow the primal's (seeds, adjoint buffers) to <paramref name="args"/>
        /// and returns the ops that prepare them: copies of the read-only seeds, clears of the adjoints.
        /// </summary>
        private EquatableArray<Op> Prologue(List<Value> args, List<Value> seeds)
        {
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
                    CopySeed(p, args);
                }
                for (var i = 0; i < _fn.Params.Count; i++)
                {
                    var p = _fn.Params[i];
                    if (_activeParams[i] && p.Type.IsBuffer && p.Type.IsDifferentiable && !IsOutput(p)) toClear.Add(AdjointParam(p, args));
                }
            }
            else
            {
                for (var i = 0; i < _fn.Params.Count; i++)
                {
                    var p = _fn.Params[i];
                    if (!_activeParams[i] || !p.Type.IsBuffer || !p.Type.IsDifferentiable) continue;
                    var bar = AdjointParam(p, args);
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
            foreach (var bar in toClear)
            {
                _b.Emit(new ClearOp(bar));
                _clearedAtEntry.Add(bar.Id);
            }
            return _b.EndBlock();
        }

        /// <summary>The adjoint of output span <paramref name="p"/>: a copy of the caller's seed.</summary>
        private void CopySeed(Value p, List<Value> args)
        {
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

        /// <summary>
        /// The reverse sweep, seeded with 1 (gradient) or the caller's seed (pullback); returns its
        /// ops and what the function yields.
        /// </summary>
        private (EquatableArray<Op> Ops, List<Value> Yields) ReverseSweep(List<Value> seeds)
        {
            var yields = new List<Value>();
            _b.BeginBlock();
            for (var k = 0; k < _fn.Body.Yields.Count; k++)
            {
                var y = _fn.Body.Yields[k];
                Accum(y, _mode == Mode.Gradient ? _b.Const(1, y.Type) : seeds[k]);
            }
            BackRegion(_fn.Body);
            if (!_directTargets.SetEquals(_scaled))
                throw new InvalidOperationException("an eager call's gradient was not scaled by its result's adjoint");
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
            return (_b.EndBlock(), yields);
        }

        /// <summary>The highest tape level <paramref name="r"/> uses, or −1.</summary>
        private static int MaxTapeLevel(Region r)
        {
            var levels = new SortedSet<int>();
            Rewrite.TapeLevels(r, levels);
            return levels.Count == 0 ? -1 : levels.Max;
        }
    }
}
