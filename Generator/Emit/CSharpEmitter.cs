using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit;

/// <summary>How one IR function becomes a C# method: its header and the names of its parameters.</summary>
/// <param name="Header">The method declaration up to the parameter list's end (no body).</param>
/// <param name="ParamNames">C# names for the IR parameters, in order.</param>
/// <param name="OutNames">C# names of the <c>out</c> parameters that receive yields 1.. (yield 0 is returned).</param>
/// <param name="Comment">Summary lines written above the method.</param>
/// <param name="Checks">Statements that validate the arguments, written first.</param>
/// <param name="ReturnsValue">False for a void method: then every yield goes to an out parameter.</param>
internal sealed record MethodShape(string Header, IReadOnlyList<string> ParamNames, IReadOnlyList<string> OutNames, IReadOnlyList<string> Comment, IReadOnlyList<string> Checks,
    bool ReturnsValue = true);

/// <summary>
/// Emits an IR function as the body of a C# method. Pure emission: IR in, text out.
/// Values the source named keep their names (<c>h</c>, <c>h_dot</c>); temporaries read once
/// are folded into the expression that reads them; loops and branches come out as C#
/// <c>for</c>/<c>if</c> with their carried values as ordinary locals.
/// </summary>
internal sealed class CSharpEmitter
{
    private IndentedWriter _w;
    private readonly Dictionary<int, string> _parkedSlot = new();
    private int _scratchF;
    private int _scratchD;
    private readonly Function _fn;
    private readonly Func<string, string> _calleeName;
    private readonly Dictionary<int, string> _names = new();
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Op> _defs = new();
    private readonly Dictionary<int, int> _uses = new();
    private readonly HashSet<int> _inline = new();
    private readonly HashSet<int> _readOnlyBuffers = new();
    /// <summary>The plan of the vector loop being written, if any (its element-wise values render as vectors).</summary>
    private SimdLoop? _simd;

    private CSharpEmitter(IndentedWriter w, Function fn, Func<string, string> calleeName)
    {
        _w = w;
        _fn = fn;
        _calleeName = calleeName;
    }

    /// <summary>Writes <paramref name="fn"/> as a method with the given shape.</summary>
    public static void EmitMethod(IndentedWriter w, Function fn, MethodShape shape, Func<string, string> calleeName)
    {
        var e = new CSharpEmitter(w, fn, calleeName);
        e.Run(shape);
    }

    private void Run(MethodShape shape)
    {
        for (var i = 0; i < _fn.Params.Count; i++)
        {
            _names[_fn.Params[i].Id] = shape.ParamNames[i];
            _taken.Add(shape.ParamNames[i]);
            var t = _fn.Params[i].Type;
            if (t.IsBuffer && t.Buffer is BufferKind.ReadOnlySpan or BufferKind.Array) _readOnlyBuffers.Add(_fn.Params[i].Id);
        }
        foreach (var n in shape.OutNames) _taken.Add(n);
        Analyze(_fn.Body);
        foreach (var y in _fn.Body.Yields) Use(y);
        PlanInlining(_fn.Body);

        foreach (var line in shape.Comment) _w.Line(line);
        PlanParking(_fn.Body);
        var outer = _w;
        foreach (var line in shape.Header.Split('\n')) outer.Line(line);
        outer.Line("{");
        outer.Indent();
        // The body is written first, so the scratch slots it needs are known for the prologue.
        _w = new IndentedWriter(outer.Level);
        var levels = new SortedSet<int>();
        Rewrite.TapeLevels(_fn.Body, levels);
        foreach (var level in levels) _taken.Add(Tape(level));
        var usesScratch = UsesScratch(_fn.Body);
        if (usesScratch) _taken.Add(ScratchName);
        EmitOps(_fn.Body);
        foreach (var level in levels) _w.Line($"{Tape(level)}.Release();");
        if (usesScratch) _w.Line($"{ScratchName}.Release();");
        var yields = _fn.Body.Yields;
        var first = shape.ReturnsValue ? 1 : 0;
        for (var k = first; k < yields.Count; k++) _w.Line($"{shape.OutNames[k - first]} = {Expr(yields[k])};");
        if (shape.ReturnsValue && yields.Count > 0) _w.Line($"return {Expr(yields[0])};");
        var body = _w.ToString();
        _w = outer;
        foreach (var check in shape.Checks) _w.Line(check);
        foreach (var level in levels)
        {
            var what = level == 0 ? "values the reverse sweep reads, saved per loop iteration"
                : "tape " + level + ": reverse mode over code that itself uses the tapes below it";
            _w.Line($"var {Tape(level)} = global::Dsl.Tape.Rent(); // {what}");
        }
        if (usesScratch) _w.Line($"var {ScratchName} = global::Dsl.Scratch.Rent(); // pooled, zeroed jet buffers, returned at the end");
        if (_scratchF > 0)
            _w.Line($"global::System.Span<float> {ScratchF} = stackalloc float[{_scratchF}]; // loop results parked across calls (see below)");
        if (_scratchD > 0)
            _w.Line($"global::System.Span<double> {ScratchD} = stackalloc double[{_scratchD}]; // loop results parked across calls (see below)");
        _w.Raw(body);
        _w.Dedent();
        _w.Line("}");
    }

    // ------------------------------------------------------------------ analysis

    private const string TapeName = "__tape";
    private const string ScratchName = "__scratch";
    private const string ScratchF = "__parkedF";
    private const string ScratchD = "__parkedD";

    /// <summary>Ops the JIT does not expand inline (a call clobbers registers); for primitives, the table's Inline column.</summary>
    private static bool IsCall(Op op) => op switch
    {
        UnaryOp or BinaryOp or TernaryOp => !Primitives.Of(op)!.Inline,
        CallOp => true,
        _ => op.Regions.Any(r => r.Ops.Any(IsCall)),
    };

    /// <summary>
    /// Marks loop results that stay live across a call after the loop. On x64 every vector
    /// register is caller-saved, and the JIT spills such a variable where it is defined — inside
    /// the loop, on every iteration. Parking the result in a stack slot right after the loop
    /// ends the variable's life there, so the loop keeps it in a register (measured in
    /// docs/benchmarks.md: 3.5× → 1.5× primal for an MLP JVP).
    /// </summary>
    private void PlanParking(Region r)
    {
        for (var p = 0; p < r.Ops.Count; p++)
        {
            foreach (var inner in r.Ops[p].Regions) PlanParking(inner);
            if (r.Ops[p] is not ForOp f) continue;
            foreach (var o in f.Outs)
            {
                if (!o.Type.IsFloat) continue;
                var lastUse = -1;
                for (var q = p + 1; q < r.Ops.Count; q++)
                {
                    var reads = new HashSet<int>(r.Ops[q].Operands.Select(v => v.Id));
                    foreach (var inner in r.Ops[q].Regions) Rewrite.Reads(inner, reads);
                    if (reads.Contains(o.Id)) lastUse = q;
                }
                if (r.Yields.Any(y => y.Id == o.Id)) lastUse = r.Ops.Count;
                var crossesCall = false;
                for (var q = p + 1; q < lastUse && q < r.Ops.Count; q++) crossesCall |= IsCall(r.Ops[q]);
                if (!crossesCall) continue;
                _parkedSlot[o.Id] = o.Type.Elem == ScalarKind.F32 ? $"{ScratchF}[{_scratchF++}]" : $"{ScratchD}[{_scratchD++}]";
            }
        }
    }

    private static string Tape(int level) => level == 0 ? TapeName : TapeName + level;

    private static bool UsesScratch(Region r) =>
        r.Ops.Any(op => op is AllocOp { Result.Type.Buffer: BufferKind.Scratch } || op.Regions.Any(UsesScratch));

    private void Use(Value v) => _uses[v.Id] = _uses.TryGetValue(v.Id, out var n) ? n + 1 : 1;

    private int Uses(Value v) => _uses.TryGetValue(v.Id, out var n) ? n : 0;

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

    private static bool HasEffect(Op op) => op is StoreOp or CallOp or ForOp or IfOp or AllocOp or PushOp or PopOp or ClearOp;

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
        var effectsBefore = new int[r.Ops.Count + 1];
        for (var i = 0; i < r.Ops.Count; i++) effectsBefore[i + 1] = effectsBefore[i] + (HasEffect(r.Ops[i]) ? 1 : 0);

        void Consider(Value operand, int usePos, bool isYield)
        {
            if (!position.TryGetValue(operand.Id, out var defPos)) return;
            var def = r.Ops[defPos];
            if (def is ConstOp) { _inline.Add(operand.Id); return; }
            // Named values keep their own statement, except when all they do is become the
            // next value of a loop-carried or branch variable (which carries the same name).
            if (Uses(operand) != 1 || (operand.Name.Length != 0 && !isYield)) return;
            var noWritesBetween = effectsBefore[usePos] - effectsBefore[defPos + 1] == 0;
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

        // Keep folded expressions shallow (readable, and no deep recursion when printing a
        // thousand-term sum): a value whose folded expression would nest deeper is declared.
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
        // Constants defined here but read in nested regions are literals too.
        foreach (var op in r.Ops.OfType<ConstOp>()) _inline.Add(op.Result.Id);
    }

    // ------------------------------------------------------------------ names

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    private string Fresh(string baseName)
    {
        if (baseName.Length == 0) baseName = "tmp";
        if (Keywords.Contains(baseName)) baseName = "@" + baseName;
        if (_taken.Add(baseName)) return baseName;
        for (var k = 1; ; k++)
        {
            var candidate = baseName + "_" + k.ToString(CultureInfo.InvariantCulture);
            if (_taken.Add(candidate)) return candidate;
        }
    }

    private string Name(Value v)
    {
        if (_names.TryGetValue(v.Id, out var n)) return n;
        var hint = v.Name;
        if (hint.Length == 0 && _defs.TryGetValue(v.Id, out var def) && def is LoadOp load)
            hint = Name(load.Buffer).TrimStart('@') + "_" + (_inline.Contains(load.Index.Id) ? "k" : Name(load.Index).TrimStart('@'));
        n = Fresh(hint);
        _names[v.Id] = n;
        return n;
    }

    private static string TypeName(IrType t)
    {
        var e = t.Elem switch { ScalarKind.F32 => "float", ScalarKind.F64 => "double", ScalarKind.I32 => "int", _ => "bool" };
        if (!t.IsBuffer) return e;
        return t.Buffer switch
        {
            BufferKind.Heap or BufferKind.Array => e + "[]",
            BufferKind.ReadOnlySpan => "global::System.ReadOnlySpan<" + e + ">",
            _ => "global::System.Span<" + e + ">",
        };
    }

    // ------------------------------------------------------------------ statements

    private void EmitOps(Region r)
    {
        for (var i = 0; i < r.Ops.Count; i++)
        {
            if (r.Ops[i] is NoteOp note)
            {
                // A note heads the code of one statement; skip it when no code follows before the next note.
                var j = i + 1;
                while (j < r.Ops.Count && !Emits(r.Ops[j])) j++;
                if (j < r.Ops.Count && r.Ops[j] is not NoteOp) _w.Line("// " + note.Text);
                continue;
            }
            EmitOp(r.Ops[i]);
        }
    }

    /// <summary>True when the op writes a statement (not folded into another, not a constant).</summary>
    private bool Emits(Op op) => op switch
    {
        ConstOp => false,
        NoteOp => true,
        UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp => op.Results.All(r => !_inline.Contains(r.Id) && Uses(r) > 0),
        _ => true,
    };

    private void EmitOp(Op op)
    {
        switch (op)
        {
            case ConstOp:
                return;
            case UnaryOp or BinaryOp or TernaryOp or SelectOp or LengthOp or LoadOp:
            {
                var result = op.Results.First();
                if (_inline.Contains(result.Id)) return;
                if (Uses(result) == 0) return;
                var type = _simd is not null && _simd.Vectors.Contains(result.Id) ? "var" : TypeName(result.Type);
                _w.Line($"{type} {Name(result)} = {Render(op)};");
                return;
            }
            case StoreOp st when _simd is not null:
                _w.Line($"global::Dsl.Simd.{(st.Accumulate ? "AddTo" : "Store")}({Name(st.Buffer)}, {Expr(st.Index)}, {VectorExpr(st.Stored)});");
                return;
            case StoreOp st:
                _w.Line($"{Name(st.Buffer)}[{Expr(st.Index)}] {(st.Accumulate ? "+=" : "=")} {Expr(st.Stored)};");
                return;
            case AllocOp a:
            {
                var elem = TypeName(a.Result.Type.ElementType);
                var decl = a.Result.Type.Buffer switch
                {
                    BufferKind.Stack => $"global::System.Span<{elem}> {Name(a.Result)} = stackalloc {elem}[{Expr(a.Length)}];",
                    BufferKind.Scratch => $"global::System.Span<{elem}> {Name(a.Result)} = {ScratchName}.{(a.Result.Type.Elem == ScalarKind.F32 ? "Singles" : "Doubles")}({Expr(a.Length)});",
                    _ => $"{elem}[] {Name(a.Result)} = new {elem}[{Expr(a.Length)}];",
                };
                _w.Line(decl);
                return;
            }
            case CallOp c:
                EmitCall(c);
                return;
            case PushOp push:
                _w.Line($"{Tape(push.Level)}.Push({Expr(push.Pushed)});");
                return;
            case PopOp pop:
            {
                var kind = pop.Result.Type.Elem switch { ScalarKind.F32 => "Single", ScalarKind.F64 => "Double", ScalarKind.I32 => "Int32", _ => "Boolean" };
                _w.Line($"{TypeName(pop.Result.Type)} {Name(pop.Result)} = {Tape(pop.Level)}.Pop{kind}();");
                return;
            }
            case ClearOp clear:
                _w.Line($"{Name(clear.Buffer)}.Clear();");
                return;
            case ForOp f:
                EmitFor(f);
                return;
            case IfOp i:
                EmitIf(i);
                return;
            default:
                throw new InvalidOperationException("cannot emit " + op.GetType().Name);
        }
    }

    private void EmitCall(CallOp c)
    {
        var args = string.Join(", ", c.Args.Select(v => Expr(v)));
        var name = _calleeName(c.Callee);
        if (c.Outs.Count == 0)
        {
            _w.Line($"{name}({args});");
            return;
        }
        var outArgs = string.Concat(c.Outs.Skip(1).Select(o => $", out {TypeName(o.Type)} {Name(o)}"));
        if (c.Args.Count == 0) outArgs = outArgs.TrimStart(',', ' ');
        var first = c.Outs[0];
        var call = $"{name}({args}{outArgs})";
        _w.Line(Uses(first) == 0 && c.Outs.Count > 1 ? $"_ = {call};" : $"{TypeName(first.Type)} {Name(first)} = {call};");
    }

    private void EmitFor(ForOp f)
    {
        // One C# local per carried value: declared before the loop, updated at the end of
        // each iteration, read after it.
        var slots = new List<string>();
        for (var k = 0; k < f.Inits.Count; k++)
        {
            var init = f.Inits[k];
            string name;
            if (init.Name.Length > 0 && init.Name == f.Outs[k].Name && Uses(init) == 1 && !_inline.Contains(init.Id) &&
                _names.TryGetValue(init.Id, out var existing) && !_fn.Params.Contains(init) && !_parkedSlot.ContainsKey(init.Id))
            {
                // The loop takes over the local that held its initial value (read nowhere else).
                name = existing;
            }
            else
            {
                name = Fresh(f.Outs[k].Name.Length > 0 ? f.Outs[k].Name : f.Body.Args[k + 1].Name);
                _w.Line($"{TypeName(f.Outs[k].Type)} {name} = {Expr(init)};");
            }
            _names[f.Outs[k].Id] = name;
            _names[f.Body.Args[k + 1].Id] = name;
            slots.Add(name);
        }
        var i = Name(f.Body.Args[0]);
        var cmp = f.Cmp switch { LoopCmp.Lt => "<", LoopCmp.Le => "<=", LoopCmp.Gt => ">", _ => ">=" };
        var step = f.Step switch { 1 => i + "++", -1 => i + "--", > 0 => $"{i} += {f.Step}", _ => $"{i} -= {-f.Step}" };
        var simd = SimdLoop.Plan(f);  // never inside a vector loop: those have no inner loops
        var outer = _w;
        if (simd is not null)
        {
            // The scalar loop is written first (into its own buffer), so its values get the
            // names they have without SIMD; the vector loop, written above it, reuses them.
            _w = new IndentedWriter(outer.Level);
            _w.Line($"for (; {i} {cmp} {Expr(f.Bound)}; {step})");
        }
        else
            _w.Line($"for (int {i} = {Expr(f.Start)}; {i} {cmp} {Expr(f.Bound)}; {step})");
        _w.Line("{");
        _w.Indent();
        EmitOps(f.Body);
        EmitSlotUpdates(slots, f.Body.Yields, f.Body.Args.Skip(1).ToList());
        _w.Dedent();
        _w.Line("}");
        if (simd is not null)
        {
            var scalarLoop = _w.ToString();
            _w = outer;
            EmitVectorLoop(f, simd);
            _w.Raw(scalarLoop);
        }
        for (var k = 0; k < f.Outs.Count; k++)
        {
            if (!_parkedSlot.TryGetValue(f.Outs[k].Id, out var slot)) continue;
            _w.Line($"{slot} = {slots[k]}; // parked: read after a call, kept out of registers across it");
            _names[f.Outs[k].Id] = slot;
        }
    }

    /// <summary>
    /// Writes the vector part of a loop that <see cref="SimdLoop"/> accepted: the induction
    /// variable is declared before it, advances a whole vector at a time while a whole vector
    /// fits, and is left where the scalar loop written next picks up the remainder.
    /// </summary>
    private void EmitVectorLoop(ForOp f, SimdLoop plan)
    {
        var iv = f.Body.Args[0];
        var i = Name(iv);
        var width = plan.Elem == ScalarKind.F32 ? "global::Dsl.Simd.FloatWidth" : "global::Dsl.Simd.DoubleWidth";
        var bound = Expr(f.Bound);
        _w.Line($"int {i} = {Expr(f.Start)};");
        var (condition, advance) = f.Cmp switch
        {
            LoopCmp.Lt => ($"{i} + {width} <= {bound}", $"{i} += {width}"),
            LoopCmp.Le => ($"{i} + {width} - 1 <= {bound}", $"{i} += {width}"),
            LoopCmp.Gt => ($"{i} - {width} >= {bound}", $"{i} -= {width}"),
            _ => ($"{i} - {width} + 1 >= {bound}", $"{i} -= {width}"),
        };
        _w.Line("// SIMD: a vector of iterations at a time (the same arithmetic per element); the scalar loop below does the rest");
        _w.Line($"for (; {condition}; {advance})");
        _w.Line("{");
        _w.Indent();
        if (f.Step < 0)
        {
            // A descending loop's chunk ends at i: its elements start at i − width + 1.
            var first = Fresh(i + "_first");
            _w.Line($"int {first} = {i} - {width} + 1;");
            _names[iv.Id] = first;
        }
        _simd = plan;
        EmitOps(f.Body);
        _simd = null;
        _names[iv.Id] = i;
        _w.Dedent();
        _w.Line("}");
    }

    /// <summary>A value inside a vector loop as a vector: element-wise values as they are, scalars broadcast.</summary>
    private string VectorExpr(Value v) =>
        _simd!.Vectors.Contains(v.Id) ? Expr(v) : $"global::Dsl.Simd.Splat({Expr(v)})";

    /// <summary>
    /// Assigns yields to slot variables. When several slots change at once and one yield reads
    /// another slot, the new values are computed first so that every update sees old values.
    /// </summary>
    private void EmitSlotUpdates(IReadOnlyList<string> slots, EquatableArray<Value> yields, IReadOnlyList<Value>? slotArgs)
    {
        var exprs = yields.Select(v => Expr(v)).ToList();
        var pending = Enumerable.Range(0, slots.Count).Where(k => exprs[k] != slots[k]).ToList();
        // Assign a slot only once no other pending update still reads its old value; break a
        // cycle (a swap, say) with a temporary.
        while (pending.Count > 0)
        {
            var ready = -1;
            foreach (var k in pending)
            {
                if (!pending.Any(j => j != k && MentionsName(exprs[j], slots[k]))) { ready = k; break; }
            }
            if (ready < 0)
            {
                // A cycle (a swap, say): keep the old value of one slot in a temporary, and let
                // the other updates read the temporary instead.
                var k = pending[0];
                var old = Fresh(slots[k] + "_old");
                _w.Line($"{TypeName(yields[k].Type)} {old} = {slots[k]};");
                foreach (var j in pending)
                {
                    if (j != k) exprs[j] = ReplaceName(exprs[j], slots[k], old);
                }
                continue;
            }
            WriteUpdate(slots[ready], exprs[ready]);
            pending.Remove(ready);
        }
    }

    private void WriteUpdate(string slot, string e)
    {
        var prefix = slot + " + ";
        var rest = e.StartsWith(prefix, StringComparison.Ordinal) ? e.Substring(prefix.Length) : null;
        if (rest is not null && !MentionsName(rest, slot) && !rest.Contains(" ? ") && !TopLevelAdditive(rest))
            _w.Line($"{slot} += {StripParens(rest)};");
        else
            _w.Line($"{slot} = {e};");
    }

    /// <summary>True when an expression has a top-level + or - (so "s + a - b" is not "s += a - b").</summary>
    private static bool TopLevelAdditive(string e)
    {
        var depth = 0;
        for (var i = 0; i < e.Length - 1; i++)
        {
            var c = e[i];
            if (c == '(' || c == '[') depth++;
            else if (c == ')' || c == ']') depth--;
            else if (depth == 0 && i > 0 && (c == '+' || c == '-') && e[i - 1] == ' ' && e[i + 1] == ' ') return true;
        }
        return false;
    }

    /// <summary>Removes one pair of parentheses that encloses the whole expression.</summary>
    private static string StripParens(string e)
    {
        if (e.Length < 2 || e[0] != '(' || e[e.Length - 1] != ')') return e;
        var depth = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (e[i] == '(') depth++;
            else if (e[i] == ')') depth--;
            if (depth == 0 && i < e.Length - 1) return e;
        }
        return e.Substring(1, e.Length - 2);
    }

    private static string ReplaceName(string expr, string name, string replacement)
    {
        var sb = new System.Text.StringBuilder();
        var idx = 0;
        while (true)
        {
            var at = expr.IndexOf(name, idx, StringComparison.Ordinal);
            if (at < 0) break;
            var before = at == 0 ? ' ' : expr[at - 1];
            var afterIdx = at + name.Length;
            var after = afterIdx >= expr.Length ? ' ' : expr[afterIdx];
            sb.Append(expr, idx, at - idx);
            sb.Append(!IsIdent(before) && !IsIdent(after) ? replacement : name);
            idx = afterIdx;
        }
        sb.Append(expr, idx, expr.Length - idx);
        return sb.ToString();
    }

    private static bool MentionsName(string expr, string name)
    {
        var idx = 0;
        while ((idx = expr.IndexOf(name, idx, StringComparison.Ordinal)) >= 0)
        {
            var before = idx == 0 ? ' ' : expr[idx - 1];
            var afterIdx = idx + name.Length;
            var after = afterIdx >= expr.Length ? ' ' : expr[afterIdx];
            if (!IsIdent(before) && !IsIdent(after)) return true;
            idx = afterIdx;
        }
        return false;
    }

    private static bool IsIdent(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '@' || c == '.';

    private void EmitIf(IfOp op)
    {
        var allInline = op.Then.Ops.All(o => o.Results.All(r => _inline.Contains(r.Id)) && !HasEffect(o) && o is not NoteOp)
                     && op.Else.Ops.All(o => o.Results.All(r => _inline.Contains(r.Id)) && !HasEffect(o) && o is not NoteOp);
        if (op.Outs.Count == 1 && allInline)
        {
            var v = op.Outs[0];
            _w.Line($"{TypeName(v.Type)} {Name(v)} = {Expr(op.Cond)} ? {Expr(op.Then.Yields[0])} : {Expr(op.Else.Yields[0])};");
            return;
        }
        var slots = new List<string>();
        foreach (var o in op.Outs)
        {
            var name = Name(o);
            slots.Add(name);
            _w.Line($"{TypeName(o.Type)} {name};");
        }
        _w.Line($"if ({Expr(op.Cond)})");
        EmitBranch(op.Then, slots);
        if (op.Else.Ops.Count > 0 || op.Outs.Count > 0)
        {
            _w.Line("else");
            EmitBranch(op.Else, slots);
        }
    }

    private void EmitBranch(Region r, List<string> slots)
    {
        _w.Line("{");
        _w.Indent();
        EmitOps(r);
        for (var k = 0; k < slots.Count; k++) _w.Line($"{slots[k]} = {Expr(r.Yields[k])};");
        _w.Dedent();
        _w.Line("}");
    }

    // ------------------------------------------------------------------ expressions

    // Precedence levels (lower binds tighter): 0 primary, 1 unary/cast, 2 multiplicative,
    // 3 additive, 4 relational, 5 equality, 6 &, 7 |, 8 conditional.
    private string Expr(Value v) => Expr(v, 8);

    private string Expr(Value v, int maxLevel)
    {
        if (_inline.Contains(v.Id) && _defs.TryGetValue(v.Id, out var def))
        {
            var level = Level(def);
            var text = Render(def);
            return level > maxLevel ? "(" + text + ")" : text;
        }
        return Name(v);
    }

    private static int Level(Op op) => op switch
    {
        ConstOp c => c.Number < 0 || (c.Number == 0 && 1 / c.Number < 0) ? 1 : 0,
        UnaryOp u => u.Kind is UnOp.Neg or UnOp.Not or UnOp.Convert ? 1 : 0,
        BinaryOp b => b.Kind switch
        {
            BinOp.Mul or BinOp.Div or BinOp.Rem => 2,
            BinOp.Add or BinOp.Sub => 3,
            BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge => 4,
            BinOp.Eq or BinOp.Ne => 5,
            BinOp.And => 6,
            BinOp.Or => 7,
            _ => 0,
        },
        SelectOp => 8,
        _ => 0,
    };

    private string Math(IrType t) => t.Elem == ScalarKind.F32 ? "global::System.MathF" : "global::System.Math";

    /// <summary>The scalar target's method for a primitive: Math/MathF and the table's <see cref="Primitive.ClrName"/>.</summary>
    private string MathName(Op op)
    {
        var row = Primitives.Of(op)!;
        return (row.FloatOnMath ? "global::System.Math" : Math(op.Results.First().Type)) + "." + row.ClrName;
    }

    private string Render(Op op)
    {
        if (_simd is not null && op.Results.FirstOrDefault() is { } r && _simd.Vectors.Contains(r.Id)) return RenderVector(op);
        var level = Level(op);
        switch (op)
        {
            case ConstOp c:
                return Literal(c.Number, c.Result.Type);
            case UnaryOp u:
            {
                var x = u.Operand;
                switch (u.Kind)
                {
                    case UnOp.Neg: return "-" + Expr(x, 0);
                    case UnOp.Not: return "!" + Expr(x, 0);
                    case UnOp.Convert: return "(" + TypeName(u.Result.Type) + ")" + Expr(x, 0);
                    default: return $"{MathName(u)}({Expr(x)})";
                }
            }
            case BinaryOp b:
            {
                string Infix(string sym, bool rightStrict = true) =>
                    $"{Expr(b.Left, level)} {sym} {Expr(b.Right, rightStrict ? level - 1 : level)}";
                return b.Kind switch
                {
                    BinOp.Add => Infix("+"),
                    BinOp.Sub => Infix("-"),
                    BinOp.Mul => Infix("*"),
                    BinOp.Div => Infix("/"),
                    BinOp.Rem => Infix("%"),
                    BinOp.Lt => Infix("<"),
                    BinOp.Le => Infix("<="),
                    BinOp.Gt => Infix(">"),
                    BinOp.Ge => Infix(">="),
                    BinOp.Eq => Infix("=="),
                    BinOp.Ne => Infix("!="),
                    BinOp.And => Infix("&"),
                    BinOp.Or => Infix("|"),
                    _ => $"{MathName(b)}({Expr(b.Left)}, {Expr(b.Right)})",
                };
            }
            case TernaryOp t:
                return $"{MathName(t)}({Expr(t.A)}, {Expr(t.B)}, {Expr(t.C)})";
            case SelectOp s:
                return $"{Expr(s.Cond, 7)} ? {Expr(s.IfTrue, 7)} : {Expr(s.IfFalse, 8)}";
            case LengthOp l:
                return Name(l.Buffer) + ".Length";
            case LoadOp l:
                return $"{Name(l.Buffer)}[{Expr(l.Index)}]";
            default:
                throw new InvalidOperationException("not an expression: " + op.GetType().Name);
        }
    }

    /// <summary>An element-wise op inside a vector loop (the ops <see cref="SimdLoop"/> admits).</summary>
    private string RenderVector(Op op)
    {
        var level = Level(op);
        switch (op)
        {
            case LoadOp l:
                return $"global::Dsl.Simd.Load({Name(l.Buffer)}, {Expr(l.Index)})";
            case UnaryOp { Kind: UnOp.Neg } u:
                return "-" + Expr(u.Operand, 0);
            case UnaryOp u:
                return $"global::System.Numerics.Vector.{Primitives.Of(u.Kind).VectorName}({Expr(u.Operand)})";
            case BinaryOp b:
            {
                // Vector × scalar is an operator of Vector<T>; +, − and / need the scalar broadcast.
                string Side(Value v, int max) => _simd!.Vectors.Contains(v.Id) || b.Kind == BinOp.Mul ? Expr(v, max) : VectorExpr(v);
                var sym = b.Kind switch { BinOp.Add => "+", BinOp.Sub => "-", BinOp.Mul => "*", _ => "/" };
                return $"{Side(b.Left, level)} {sym} {Side(b.Right, level - 1)}";
            }
            default:
                throw new InvalidOperationException("not an element-wise op: " + op.GetType().Name);
        }
    }

    public static string Literal(double x, IrType t)
    {
        switch (t.Elem)
        {
            case ScalarKind.Bool:
                return x != 0 ? "true" : "false";
            case ScalarKind.I32:
                return ((int)x).ToString(CultureInfo.InvariantCulture);
            case ScalarKind.F32:
            {
                var f = (float)x;
                if (float.IsNaN(f)) return "float.NaN";
                if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
                if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
                return f.ToString("R", CultureInfo.InvariantCulture) + "f";
            }
            default:
            {
                if (double.IsNaN(x)) return "double.NaN";
                if (double.IsPositiveInfinity(x)) return "double.PositiveInfinity";
                if (double.IsNegativeInfinity(x)) return "double.NegativeInfinity";
                var s = x.ToString("R", CultureInfo.InvariantCulture);
                return s.Contains(".") || s.Contains("E") ? s : s + ".0";
            }
        }
    }
}
