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
internal sealed record LaneVerdict(IReadOnlyCollection<int> Varying, int Gathers, bool VaryingTape, int Selects,
    IReadOnlyList<string> Obstacles)
{
    public bool IsVarying(Value v) => Varying.Contains(v.Id);
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
    public static LaneVerdict Analyze(Function fn, IReadOnlyList<bool> varyingParams, Func<FunctionKey, Function?> lookup) =>
        new Analysis(lookup, new Dictionary<(FunctionKey, string), Summary>()).Run(fn, varyingParams).Verdict;

    /// <summary>A callee's result for one mask: which yields and which buffer parameters end up varying.</summary>
    private sealed record Summary(bool[] VaryingYields, bool[] VaryingParams, LaneVerdict Verdict);

    private sealed class Analysis(Func<FunctionKey, Function?> lookup, Dictionary<(FunctionKey, string), Summary> memo)
    {
        private readonly HashSet<int> _varying = new();
        private readonly List<string> _obstacles = new();
        private int _gathers, _selects;
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
            var verdict = new LaneVerdict(_varying.ToList(), _gathers, _varyingTape, _selects, _obstacles.Distinct().ToList());
            return new Summary(yields, parameters, verdict);
        }

        private bool IsVarying(Value v) => _varying.Contains(v.Id);

        private void Mark(Value v)
        {
            if (_varying.Add(v.Id)) _changed = true;
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
                        if (IsVarying(s.Index)) Obstacle($"writes '{s.Buffer.Name}' at an index that differs between items (a scatter)");
                        break;
                    case LengthOp:
                        break;   // rows of a batch have one length: a length is the same for every item
                    case AllocOp a:
                        if (IsVarying(a.Length)) Obstacle($"allocates '{a.Result.Name}' with a length that differs between items");
                        break;
                    case PushOp p:
                        if (IsVarying(p.Pushed) || conditional) _varyingTape = true;
                        break;
                    case PopOp p:
                        // Which push a pop reads is known only by matching the stack; a function with any per-item push
                        // is treated as popping per-item values (sound: a uniform value in a vector is still right).
                        if (_varyingTape) Mark(p.Result);
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
        }

        private void WalkIf(IfOp i, bool conditional)
        {
            var varyingCond = IsVarying(i.Cond);
            if (varyingCond && _final)
            {
                if (HasEffects(i.Then) || HasEffects(i.Else))
                    Obstacle("branches on a value that differs between items around stores or calls (a select cannot express it)");
                else _selects++;
            }
            Walk(i.Then, conditional || varyingCond);
            Walk(i.Else, conditional || varyingCond);
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
                    new LaneVerdict(Array.Empty<int>(), 0, false, 0, Array.Empty<string>()));
                summary = new Analysis(lookup, memo).Run(callee with { Key = c.Callee }, mask);
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
                _varyingTape |= summary.Verdict.VaryingTape;
                _obstacles.AddRange(summary.Verdict.Obstacles);
            }
        }
    }
}
