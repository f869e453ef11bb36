using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>
/// What the printer needs to know about a function before writing a line, computed from IR
/// alone: where each value is defined, how often it is read, which temporaries fold into the
/// expression that reads them, which buffers are read-only, which tapes and pools the body
/// uses, and the target's parking plan. Naming is not here: names are handed out in the order
/// the text is written (<see cref="NameScope"/>), so that numbering follows the output.
/// </summary>
internal sealed class EmitPlan
{
    private readonly Dictionary<int, Op> _defs = new();
    private readonly Dictionary<int, int> _uses = new();
    private readonly HashSet<int> _inline = new();
    private readonly HashSet<int> _readOnlyBuffers = new();

    /// <summary>Tape levels the body pushes to or pops from, ascending.</summary>
    public SortedSet<int> TapeLevels { get; } = new();

    /// <summary>The typed stacks of those tapes the body uses: (level, F64, F32 or I32; bools live on the ints).</summary>
    public SortedSet<(int Level, ScalarKind Elem)> TapeStacks { get; } = new();

    /// <summary>True when the body takes buffers from the scratch pool.</summary>
    public bool UsesScratch { get; }

    /// <summary>Loop results the target keeps out of registers after their loop.</summary>
    public ParkingPlan Parking { get; }

    public EmitPlan(Function fn, ITarget target)
    {
        foreach (var p in fn.Params)
        {
            if (p.Type.IsBuffer && p.Type.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) _readOnlyBuffers.Add(p.Id);
        }
        Analyze(fn.Body);
        foreach (var y in fn.Body.Yields) Use(y);
        PlanInlining(fn.Body);
        Parking = target.PlanParking(fn.Body);
        Rewrite.TapeLevels(fn.Body, TapeLevels);
        CollectStacks(fn.Body);
        UsesScratch = AllocatesScratch(fn.Body);
    }

    /// <summary>The op that defines <paramref name="v"/>; false for arguments.</summary>
    public bool TryGetDef(Value v, out Op def) => _defs.TryGetValue(v.Id, out def!);

    /// <summary>How many ops and yields read <paramref name="v"/>.</summary>
    public int Uses(Value v) => _uses.TryGetValue(v.Id, out var n) ? n : 0;

    /// <summary>True when <paramref name="v"/> is written as an expression where it is read, not as a local.</summary>
    public bool IsInline(Value v) => _inline.Contains(v.Id);

    /// <summary>The op whose expression stands for <paramref name="v"/>, or null when <paramref name="v"/> is printed by name.</summary>
    public Op? InlineDef(Value v) => _inline.Contains(v.Id) && _defs.TryGetValue(v.Id, out var def) ? def : null;

    private void CollectStacks(Region r)
    {
        foreach (var op in r.Ops)
        {
            var (level, type) = op switch
            {
                PushOp push => (push.Level, push.Pushed.Type),
                PopOp pop => (pop.Level, pop.Result.Type),
                _ => (-1, IrType.I32),
            };
            if (level >= 0) TapeStacks.Add((level, type.Elem is ScalarKind.F64 or ScalarKind.F32 ? type.Elem : ScalarKind.I32));
            foreach (var inner in op.Regions) CollectStacks(inner);
        }
    }

    private static bool AllocatesScratch(Region r) =>
        r.Ops.Any(op => op is AllocOp { Result.Type.Buffer: BufferKind.Scratch } || op.Regions.Any(AllocatesScratch));

    private void Use(Value v) => _uses[v.Id] = _uses.TryGetValue(v.Id, out var n) ? n + 1 : 1;

    private void Analyze(Region r)
    {
        foreach (var op in r.Ops)
        {
            foreach (var res in op.Results) _defs[res.Id] = op;
            foreach (var v in op.Operands) Use(v);
            foreach (var inner in op.Regions)
            {
                Analyze(inner);
                foreach (var y in inner.Yields) Use(y);
            }
        }
    }

    /// <summary>
    /// Decides which temporaries are written inline: unnamed pure values read exactly once,
    /// by an op (or yield) of the same region, with no write to memory in between when the
    /// value is a load of a writable buffer.
    /// </summary>
    private void PlanInlining(Region r)
    {
        var position = new Dictionary<int, int>();
        for (var i = 0; i < r.Ops.Count; i++)
        {
            foreach (var res in r.Ops[i].Results) position[res.Id] = i;
        }
        // Inlined values whose expression reads a writable buffer.
        var readsWritable = new HashSet<int>();
        var writesBefore = new int[r.Ops.Count + 1];
        for (var i = 0; i < r.Ops.Count; i++) writesBefore[i + 1] = writesBefore[i] + (Effects.MayWrite(r.Ops[i]) ? 1 : 0);

        void Consider(Value operand, int usePos, bool isYield)
        {
            if (!position.TryGetValue(operand.Id, out var defPos)) return;
            var def = r.Ops[defPos];
            if (def is ConstOp) { _inline.Add(operand.Id); return; }
            // Named values keep their own statement, except when all they do is become the
            // next value of a loop-carried or branch variable (which carries the same name).
            if (Uses(operand) != 1 || (operand.Name.Length != 0 && !isYield)) return;
            var noWritesBetween = writesBefore[usePos] - writesBefore[defPos + 1] == 0;
            var inlinable = def switch
            {
                LoadOp l when !_readOnlyBuffers.Contains(l.Buffer.Id) => noWritesBetween,
                LoadOp => true,
                // An expression that folds in a load of a writable buffer must not move past a
                // write either: the load would read what the write left.
                UnaryOp or BinaryOp or TernaryOp or SelectOp => !def.Operands.Any(o => readsWritable.Contains(o.Id)) || noWritesBetween,
                LengthOp => true,
                _ => false,
            };
            if (!inlinable) return;
            _inline.Add(operand.Id);
            if (def is LoadOp ld && !_readOnlyBuffers.Contains(ld.Buffer.Id) || def.Operands.Any(o => readsWritable.Contains(o.Id)))
                readsWritable.Add(operand.Id);
        }

        for (var i = 0; i < r.Ops.Count; i++)
        {
            var op = r.Ops[i];
            foreach (var v in op.Operands) Consider(v, i, false);
            foreach (var inner in op.Regions) PlanInlining(inner);
        }
        foreach (var y in r.Yields) Consider(y, r.Ops.Count, true);
        LimitDepth(r);
        // Constants defined here but read in nested regions are literals too.
        foreach (var op in r.Ops.OfType<ConstOp>()) _inline.Add(op.Result.Id);
    }

    /// <summary>
    /// Keeps folded expressions shallow (readable, and no deep recursion when printing a
    /// thousand-term sum): a value whose folded expression would nest deeper than 16 is declared.
    /// </summary>
    private void LimitDepth(Region r)
    {
        var height = new Dictionary<int, int>();
        foreach (var op in r.Ops)
        {
            if (op.Results.FirstOrDefault() is not { } res || !_inline.Contains(res.Id) || op is ConstOp) continue;
            var h = 1 + op.Operands.Select(v => height.TryGetValue(v.Id, out var x) ? x : 0).DefaultIfEmpty(0).Max();
            if (h > 16)
            {
                _inline.Remove(res.Id);
                h = 0;
            }
            height[res.Id] = h;
        }
    }
}
