using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Ir;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The emitter core's decisions, one rule per test, on hand-built IR: how the updates of
/// loop-carried variables are ordered and written (<see cref="SlotUpdates"/>), the one
/// definition of an op's effects (<see cref="Effects"/>), and a whole loop printed for the CPU.
/// </summary>
public class EmitterCoreTests
{
    private static readonly IrType F64 = IrType.F64;

    /// <summary>Values 1.. named as given; the ops that are folded into their readers.</summary>
    private sealed class Scene
    {
        private readonly Dictionary<int, string> _names = new();
        private readonly Dictionary<int, Op> _inline = new();
        private readonly HashSet<string> _taken = new();
        private int _next = 1;

        public Value Named(string name)
        {
            var v = new Value(_next++, F64, name);
            _names[v.Id] = name;
            _taken.Add(name);
            return v;
        }

        public Value Folded(BinOp kind, Value left, Value right)
        {
            var v = new Value(_next++, F64, "");
            _inline[v.Id] = new BinaryOp(v, kind, left, right);
            return v;
        }

        public Value FoldedSelect(Value cond, Value a, Value b)
        {
            var v = new Value(_next++, F64, "");
            _inline[v.Id] = new SelectOp(v, cond, a, b);
            return v;
        }

        public List<SlotUpdates.Step> Plan(string[] slots, params Value[] yields) =>
            SlotUpdates.Plan(slots, yields, v => _inline.TryGetValue(v.Id, out var op) ? op : null, v => _names[v.Id],
                n => _taken.Add(n) ? n : n + "_1");
    }

    [Fact]
    public void AddToTheSlotIsAnIncrement()
    {
        var g = new Scene();
        var s = g.Named("s");
        var e = g.Named("e");
        var steps = g.Plan(new[] { "s" }, g.Folded(BinOp.Add, s, e));
        var inc = Assert.IsType<SlotUpdates.Increment>(Assert.Single(steps));
        Assert.Equal(e, inc.By);
    }

    [Fact]
    public void AddWithTheSlotOnTheRightIsAnAssignment()
    {
        var g = new Scene();
        var s = g.Named("s");
        var e = g.Named("e");
        Assert.IsType<SlotUpdates.Assign>(Assert.Single(g.Plan(new[] { "s" }, g.Folded(BinOp.Add, e, s))));
    }

    [Fact]
    public void IncrementThatReadsTheSlotIsAnAssignment()
    {
        var g = new Scene();
        var s = g.Named("s");
        var e = g.Named("e");
        var steps = g.Plan(new[] { "s" }, g.Folded(BinOp.Add, s, g.Folded(BinOp.Mul, s, e)));
        Assert.IsType<SlotUpdates.Assign>(Assert.Single(steps));
    }

    [Fact]
    public void IncrementThatFoldsAConditionalIsAnAssignment()
    {
        var g = new Scene();
        var s = g.Named("s");
        var c = g.Named("c");
        var e = g.Named("e");
        var steps = g.Plan(new[] { "s" }, g.Folded(BinOp.Add, s, g.FoldedSelect(c, e, s)));
        Assert.IsType<SlotUpdates.Assign>(Assert.Single(steps));
    }

    [Fact]
    public void SlotThatKeepsItsValueWritesNothing()
    {
        var g = new Scene();
        var s = g.Named("s");
        Assert.Empty(g.Plan(new[] { "s" }, s));
    }

    [Fact]
    public void UpdateWaitsUntilNoOtherUpdateReadsTheOldValue()
    {
        // a ← b, b ← 2b: b's old value must be read before b changes.
        var g = new Scene();
        var b = g.Named("b");
        var steps = g.Plan(new[] { "b", "a" }, g.Folded(BinOp.Add, b, b), b);
        Assert.Equal(new[] { 1, 0 }, steps.Select(x => x.Slot));
        Assert.IsType<SlotUpdates.Assign>(steps[0]);
        Assert.IsType<SlotUpdates.Assign>(steps[1]);
    }

    [Fact]
    public void SwapSavesOneOldValue()
    {
        var g = new Scene();
        var s = g.Named("s");
        var t = g.Named("t");
        var steps = g.Plan(new[] { "s", "t" }, t, s);
        Assert.Equal(3, steps.Count);
        Assert.Equal("s_old", Assert.IsType<SlotUpdates.SaveOld>(steps[0]).Old);
        Assert.Empty(Assert.IsType<SlotUpdates.Assign>(steps[1]).Renames);
        var last = Assert.IsType<SlotUpdates.Assign>(steps[2]);
        Assert.Equal(1, last.Slot);
        Assert.Equal("s_old", last.Renames["s"]);
    }

    [Fact]
    public void RotationOfThreeSavesOneOldValue()
    {
        var g = new Scene();
        var a = g.Named("a");
        var b = g.Named("b");
        var c = g.Named("c");
        var steps = g.Plan(new[] { "a", "b", "c" }, b, c, a);
        Assert.Single(steps.OfType<SlotUpdates.SaveOld>());
        Assert.Equal(3, steps.OfType<SlotUpdates.Assign>().Count());
    }

    [Theory]
    [InlineData("load", false, false, false)]
    [InlineData("store", false, true, true)]
    [InlineData("note", false, false, true)]
    [InlineData("push", false, true, true)]
    [InlineData("alloc", false, true, false)]
    [InlineData("call-readonly", false, true, false)]
    [InlineData("call-span", false, true, true)]
    [InlineData("add", true, false, false)]
    public void EffectsAreDefinedOnce(string what, bool pure, bool mayWrite, bool mustKeep)
    {
        var x = new Value(1, F64, "x");
        var i = new Value(2, IrType.I32, "i");
        Value Buf(BufferKind k) => new(3, IrType.Buf(ScalarKind.F64, k), "b");
        Op op = what switch
        {
            "load" => new LoadOp(x, Buf(BufferKind.Span), i),
            "store" => new StoreOp(Buf(BufferKind.Span), i, x),
            "note" => new NoteOp("y = x"),
            "push" => new PushOp(x),
            "alloc" => new AllocOp(Buf(BufferKind.Stack), i),
            "call-readonly" => new CallOp(EquatableArray<Value>.Empty, "g", new[] { Buf(BufferKind.ReadOnlySpan) }.ToEquatableArray()),
            "call-span" => new CallOp(EquatableArray<Value>.Empty, "g", new[] { Buf(BufferKind.Span) }.ToEquatableArray()),
            _ => new BinaryOp(x, BinOp.Add, x, x),
        };
        Assert.Equal(pure, Effects.IsPure(op));
        Assert.Equal(mayWrite, Effects.MayWrite(op));
        Assert.Equal(mustKeep, Effects.MustKeep(op));
    }

    /// <summary>
    /// <c>for (i &lt; n) { c ← c + x·b; a ← b; b ← a + x·b }</c>: the accumulator goes first as
    /// <c>+=</c> (nothing reads it), then the a/b rotation keeps a's old value in a temporary.
    /// </summary>
    [Fact]
    public void LoopUpdatesArePrintedInOrder()
    {
        var b = new IrBuilder();
        var x = b.NewValue(F64, "x");
        var n = b.NewValue(IrType.I32, "n");
        var zero = b.Const(0, IrType.I32);
        var i = b.NewValue(IrType.I32, "i");
        var (aIn, bIn, cIn) = (b.NewValue(F64, "a"), b.NewValue(F64, "b"), b.NewValue(F64, "c"));
        b.BeginBlock();
        var xb = b.NewValue(F64, "");
        b.Emit(new BinaryOp(xb, BinOp.Mul, x, bIn));
        var cNext = b.NewValue(F64, "");
        b.Emit(new BinaryOp(cNext, BinOp.Add, cIn, xb));
        var xb2 = b.NewValue(F64, "");
        b.Emit(new BinaryOp(xb2, BinOp.Mul, x, bIn));
        var bNext = b.NewValue(F64, "");
        b.Emit(new BinaryOp(bNext, BinOp.Add, aIn, xb2));
        var body = new Region(new[] { i, aIn, bIn, cIn }.ToEquatableArray(), b.EndBlock(), new[] { bIn, bNext, cNext }.ToEquatableArray());
        var outs = new[] { b.NewValue(F64, "a"), b.NewValue(F64, "b"), b.NewValue(F64, "c") };
        b.Emit(new ForOp(outs.ToEquatableArray(), zero, n, 1, LoopCmp.Lt, new[] { x, x, x }.ToEquatableArray(), body));
        var sum = b.NewValue(F64, "");
        b.Emit(new BinaryOp(sum, BinOp.Add, outs[0], outs[2]));
        var fn = new Function("F", "F", new Region(new[] { x, n }.ToEquatableArray(), b.EndBlock(), new[] { sum }.ToEquatableArray()));
        var w = new IndentedWriter();
        var shape = new MethodShape("static double F(double x, int n)", new[] { "x", "n" }, new string[0], new string[0], new string[0]);
        BodyWriter.EmitMethod(w, fn, shape, key => key.ToString(), CpuScalar.Instance);
        Assert.Equal("""
            static double F(double x, int n)
            {
                double a = x;
                double b = x;
                double c = x;
                for (int i = 0; i < n; i++)
                {
                    c += x * b;
                    double a_old = a;
                    a = b;
                    b = a_old + x * b;
                }
                return a + c;
            }

            """.Replace("\r\n", "\n"), w.ToString());
    }
}
