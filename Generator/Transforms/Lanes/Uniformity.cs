using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms.Lanes;

/// <summary>
/// What running a function for W items at once, one item per vector lane, would take (issue 10's SIMD across
/// items): which values differ between the items (<see cref="Varying"/>: they become vectors; every other value is
/// the same for all W items and stays one scalar, so a weight is loaded once for W items), which buffers hold
/// per-item data, and what stands in the way (<see cref="Obstacles"/>: each names the construct and the function).
/// </summary>
/// <param name="Varying">Ids of the values that differ between items (buffers: those holding per-item data).</param>
/// <param name="Gathers">Loads at an index that differs between items (per-lane loads; allowed, slower).</param>
/// <param name="VaryingTape">The function pushes per-item values on the tape (a lane tape: W values per push).</param>
/// <param name="Selects">Branches on a per-item condition with no side effects, which become selects (both sides run).</param>
/// <param name="Obstacles">Why the function cannot run lane-parallel as it is (empty: it can).</param>
/// <param name="Speculated">Branches on a per-item condition around stores or calls, run in lanes only when every lane
/// agrees (with <c>speculate</c>; without it they are obstacles).</param>
/// <param name="TapeKinds">The element kinds this function pushes per-item values of: its pops of those kinds are per item.</param>
/// <param name="FloatKinds">The float kinds (float, double) of its per-item values: lanes need exactly one.</param>
internal sealed record LaneVerdict(IReadOnlyCollection<int> Varying, int Gathers, bool VaryingTape, int Selects,
    IReadOnlyList<string> Obstacles)
{
    public int Speculated { get; init; }

    public IReadOnlyCollection<ScalarKind> TapeKinds { get; init; } = Array.Empty<ScalarKind>();

    public IReadOnlyCollection<ScalarKind> FloatKinds { get; init; } = Array.Empty<ScalarKind>();

    public bool IsVarying(Value v) => Varying.Contains(v.Id);
}

/// <summary>
/// A function and every function it calls, analysed for lanes: the root's verdict, and each callee's under the mask its
/// call sites give it (its key and a '0'/'1' string, one character per parameter).
/// </summary>
internal sealed record LanePlan(Function Root, LaneVerdict Verdict,
    IReadOnlyDictionary<(FunctionKey Key, string Mask), (Function Fn, LaneVerdict Verdict)> Callees)
{
    /// <summary>The mask string of a call whose arguments vary as <paramref name="varying"/> says.</summary>
    public static string Mask(IEnumerable<bool> varying) => string.Concat(varying.Select(m => m ? '1' : '0'));
}

/// <summary>
/// The uniformity analysis: a value is varying when it depends on a per-item parameter; a buffer is varying once a
/// varying value (or any value, under a varying condition or at a varying index) is stored into it, so loads from
/// it are varying too. Loops and buffers make this a fixpoint: passes over the whole function repeat until no value
/// changes. Calls are analysed in the callee with the caller's varying arguments (memoized per callee and mask).
/// Row lengths are uniform: a launcher's per-item rows all have the same length.
/// </summary>
internal static class Uniformity
{
    public static LaneVerdict Analyze(Function fn, IReadOnlyList<bool> varyingParams, Func<FunctionKey, Function?> lookup,
        bool speculate = false) =>
        new Analysis(lookup, new Dictionary<(FunctionKey, string), Summary>(), speculate).Run(fn, varyingParams).Verdict;

    /// <summary>
    /// The analysis of <paramref name="fn"/> and of every callee under the masks the final verdicts give its call sites
    /// (what a lanes backend prints). With <paramref name="speculate"/>, a branch on a per-item value around stores or
    /// calls is run in lanes when every lane of a block agrees (<see cref="LaneVerdict.Speculated"/>), not an obstacle.
    /// </summary>
    public static LanePlan Plan(Function fn, IReadOnlyList<bool> varyingParams, Func<FunctionKey, Function?> lookup, bool speculate)
    {
        var memo = new Dictionary<(FunctionKey, string), Summary>();
        var root = new Analysis(lookup, memo, speculate).Run(fn, varyingParams);
        var callees = new Dictionary<(FunctionKey, string), (Function, LaneVerdict)>();
        var work = new Queue<Summary>();
        work.Enqueue(root);
        while (work.Count > 0)
        {
            var s = work.Dequeue();
            foreach (var c in Calls(s.Fn!.Body))
            {
                var key = (c.Callee, LanePlan.Mask(c.Args.Select(s.Verdict.IsVarying)));
                if (callees.ContainsKey(key) || !memo.TryGetValue(key, out var callee) || callee.Fn is null) continue;
                callees[key] = (callee.Fn, callee.Verdict);
                work.Enqueue(callee);
            }
        }
        return new LanePlan(fn, root.Verdict, callees);
    }

    private static IEnumerable<CallOp> Calls(Region r) =>
        r.Ops.SelectMany(op => op is CallOp c ? new[] { c } : op.Regions.SelectMany(Calls));

    /// <summary>A callee's result for one mask: which yields and which buffer parameters end up varying.</summary>
    private sealed record Summary(bool[] VaryingYields, bool[] VaryingParams, LaneVerdict Verdict, Function? Fn);

    private sealed class Analysis(Func<FunctionKey, Function?> lookup, Dictionary<(FunctionKey, string), Summary> memo,
        bool speculate)
    {
        private readonly HashSet<int> _varying = new();
        private readonly List<string> _obstacles = new();
        private readonly HashSet<ScalarKind> _tapeKinds = new();
        private readonly HashSet<ScalarKind> _floatKinds = new();
        private int _gathers, _selects, _speculated;
        private bool _varyingTape, _changed, _final;
        private string _name = "";

        public Summary Run(Function fn, IReadOnlyList<bool> varyingParams)
        {
            _name = fn.Name;
            for (var i = 0; i < fn.Body.Args.Count && i < varyingParams.Count; i++)
                if (varyingParams[i]) _varying.Add(fn.Body.Args[i].Id);
            var passes = 0;
            do
            {
                _changed = false;
                Walk(fn.Body, conditional: false);
            }
            while (_changed && ++passes < 100);
            // A last pass with the fixpoint reached records counts and obstacles once.
            _final = true;
            Walk(fn.Body, conditional: false);
            var yields = fn.Body.Yields.Select(IsVarying).ToArray();
            var parameters = fn.Body.Args.Select(IsVarying).ToArray();
            var verdict = new LaneVerdict(_varying.ToList(), _gathers, _varyingTape, _selects, _obstacles.Distinct().ToList())
            {
                Speculated = _speculated,
                TapeKinds = _tapeKinds.ToList(),
                FloatKinds = _floatKinds.ToList(),
            };
            return new Summary(yields, parameters, verdict, fn);
        }

        private bool IsVarying(Value v) => _varying.Contains(v.Id);

        private void Mark(Value v)
        {
            if (_varying.Add(v.Id)) _changed = true;
            if (v.Type.IsFloat) _floatKinds.Add(v.Type.Elem);
        }

        private void Obstacle(string text)
        {
            if (_final) _obstacles.Add($"'{_name}': {text}");
        }

        /// <summary>One pass over a region; <paramref name="conditional"/>: inside a branch on a per-item condition.</summary>
        private void Walk(Region region, bool conditional)
        {
            foreach (var op in region.Ops)
            {
                switch (op)
                {
                    case LoadOp l:
                        if (IsVarying(l.Index) && !IsVarying(l.Buffer) && _final) _gathers++;
                        if (IsVarying(l.Buffer) || IsVarying(l.Index)) Mark(l.Result);
                        break;
                    case StoreOp s:
                        if (IsVarying(s.Stored) || IsVarying(s.Index) || conditional) Mark(s.Buffer);
                        // In lanes, a per-item buffer holds each item's own copy, so a per-item index writes lane by lane
                        // (a scatter that needs no atomics); one thread per item shares the buffer and cannot.
                        if (IsVarying(s.Index) && !speculate)
                            Obstacle($"writes '{s.Buffer.Name}' at an index that differs between items (a scatter)");
                        break;
                    case LengthOp:
                        break;   // rows of a batch have one length: a length is the same for every item
                    case AllocOp a:
                        if (IsVarying(a.Length)) Obstacle($"allocates '{a.Result.Name}' with a length that differs between items");
                        break;
                    case PushOp p:
                        if (IsVarying(p.Pushed) || conditional)
                        {
                            _varyingTape = true;
                            if (_tapeKinds.Add(p.Pushed.Type.Elem)) _changed = true;
                        }
                        break;
                    case PopOp p:
                        // Which push a pop reads is known only by matching the stack. Each function has its own tape and
                        // each element kind its own stack: a function with a per-item push of a kind is treated as popping
                        // per-item values of that kind (sound: a uniform value in a vector is still right), so the int
                        // counters a reverse sweep pops stay scalar while its floats vary.
                        if (_tapeKinds.Contains(p.Result.Type.Elem)) Mark(p.Result);
                        break;
                    case ForOp f:
                        WalkFor(f, conditional);
                        break;
                    case IfOp i:
                        WalkIf(i, conditional);
                        break;
                    case CallOp c:
                        WalkCall(c, conditional);
                        break;
                    default:
                        if (op.Operands.Any(IsVarying)) foreach (var r in op.Results) Mark(r);
                        break;
                }
            }
        }

        private void WalkFor(ForOp f, bool conditional)
        {
            if (IsVarying(f.Start) || IsVarying(f.Bound))
                Obstacle($"runs a loop over '{f.Body.Args[0].Name}' whose bounds differ between items");
            var body = f.Body;
            for (var j = 0; j < f.Inits.Count; j++)
            {
                if (IsVarying(f.Inits[j]) || IsVarying(body.Yields[j])) Mark(body.Args[j + 1]);
            }
            Walk(body, conditional);
            for (var j = 0; j < f.Outs.Count; j++)
            {
                if (IsVarying(body.Args[j + 1]) || IsVarying(body.Yields[j])) Mark(f.Outs[j]);
            }
            if (f.Exits && _final && IsVarying(body.Args[1]))
                Obstacle($"runs a while/do loop (over '{f.Body.Args[0].Name}') whose number of iterations differs between items");
        }

        private void WalkIf(IfOp i, bool conditional)
        {
            var varyingCond = IsVarying(i.Cond);
            var effects = HasEffects(i.Then) || HasEffects(i.Else);
            if (varyingCond && _final)
            {
                if (effects && speculate) _speculated++;
                else if (effects)
                    Obstacle("branches on a value that differs between items around stores or calls (a select cannot express it)");
                else _selects++;
            }
            // A speculated branch runs one arm for the whole block (its lanes agree, or the block runs per item).
            var taints = varyingCond && !(effects && speculate);
            Walk(i.Then, conditional || taints);
            Walk(i.Else, conditional || taints);
            for (var j = 0; j < i.Outs.Count; j++)
            {
                if (varyingCond || IsVarying(i.Then.Yields[j]) || IsVarying(i.Else.Yields[j])) Mark(i.Outs[j]);
            }
        }

        private static bool HasEffects(Region r) =>
            r.Ops.Any(op => op is StoreOp or CallOp or PushOp or PopOp or AllocOp or ClearOp || op.Regions.Any(HasEffects));

        private void WalkCall(CallOp c, bool conditional)
        {
            var mask = c.Args.Select(IsVarying).ToArray();
            if (lookup(c.Callee) is not { } callee)
            {
                Obstacle($"calls '{c.Callee.QualifiedName}', whose body is not available");
                if (mask.Any(m => m)) foreach (var o in c.Outs) Mark(o);
                return;
            }
            var key = (c.Callee, string.Concat(mask.Select(m => m ? '1' : '0')));
            if (!memo.TryGetValue(key, out var summary))
            {
                // A recursive call sees no summary yet: assume everything it returns varies (sound), not memoized.
                memo[key] = new Summary(callee.Body.Yields.Select(_ => true).ToArray(), mask.Select(_ => true).ToArray(),
                    new LaneVerdict(Array.Empty<int>(), 0, false, 0, Array.Empty<string>()), null);
                summary = new Analysis(lookup, memo, speculate).Run(callee with { Key = c.Callee }, mask);
                memo[key] = summary;
            }
            for (var j = 0; j < c.Outs.Count && j < summary.VaryingYields.Length; j++)
            {
                if (summary.VaryingYields[j] || conditional) Mark(c.Outs[j]);
            }
            for (var j = 0; j < c.Args.Count && j < summary.VaryingParams.Length; j++)
            {
                if (c.Args[j].Type.IsBuffer && (summary.VaryingParams[j] || conditional && c.Args[j].Type.Buffer == BufferKind.Span))
                    Mark(c.Args[j]);
            }
            if (_final)
            {
                _gathers += summary.Verdict.Gathers;
                _selects += summary.Verdict.Selects;
                _speculated += summary.Verdict.Speculated;
                _varyingTape |= summary.Verdict.VaryingTape;
                _obstacles.AddRange(summary.Verdict.Obstacles);
            }
        }
    }
}
