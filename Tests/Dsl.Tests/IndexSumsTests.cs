using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms.Legalize;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The CPU target's regrouping of int sums in loops (Transforms/Legalize/IndexSums.cs): the loop-invariant part of a sum
/// moves before the loop, the changing part is computed once per distinct set of terms, and every sum keeps its value for
/// all inputs, including sums that wrap around the int range.
/// </summary>
public class IndexSumsTests
{
    /// <summary>
    /// <c>for (i = 0; i &lt; n; i++)</c> storing into out[i·6 + 0…5]: the four jammed-row sums <c>t + (a − u) − i − 1</c>
    /// (t = 3·i, changing), <c>−i − t + a + 7</c> (only subtracted changing terms first), <c>(a + b − 5) + (i + a)</c>
    /// (a sum of invariant terms, left to the JIT, inside one that regroups), and <c>i · i + a</c> elsewhere (one invariant
    /// term: left as it is).
    /// </summary>
    private static Function Build()
    {
        var b = new IrBuilder();
        var output = b.NewValue(IrType.Buf(ScalarKind.I32, BufferKind.Span), "out");
        var a = b.NewValue(IrType.I32, "a");
        var bb = b.NewValue(IrType.I32, "b");
        var n = b.NewValue(IrType.I32, "n");
        b.BeginBlock();
        var zero = b.Const(0, IrType.I32, "zero");
        var rows = Enumerable.Range(0, 4).Select(u => b.Binary(BinOp.Sub, a, b.Const(u, IrType.I32, "u"), "j")).ToList();
        var iv = b.NewValue(IrType.I32, "i");
        b.BeginBlock();
        var one = b.Const(1, IrType.I32, "one");
        var t = b.Binary(BinOp.Mul, iv, b.Const(3, IrType.I32, "three"), "t");
        var slot = b.Binary(BinOp.Mul, iv, b.Const(6, IrType.I32, "six"), "slot");
        for (var u = 0; u < 4; u++)
        {
            var sum = b.Binary(BinOp.Sub, b.Binary(BinOp.Sub, b.Binary(BinOp.Add, t, rows[u]), iv), one, "row" + u);
            b.Store(output, b.Binary(BinOp.Add, slot, b.Const(u, IrType.I32, "at")), sum);
        }
        var negatives = b.Binary(BinOp.Add, b.Binary(BinOp.Add, b.Binary(BinOp.Sub, b.Binary(BinOp.Sub, zero, iv), t), a),
            b.Const(7, IrType.I32, "seven"), "neg");
        b.Store(output, b.Binary(BinOp.Add, slot, b.Const(4, IrType.I32, "at")), negatives);
        var fixedSum = b.Binary(BinOp.Sub, b.Binary(BinOp.Add, a, bb), b.Const(5, IrType.I32, "five"), "fixed");
        b.Store(output, b.Binary(BinOp.Add, slot, b.Const(5, IrType.I32, "at")), b.Binary(BinOp.Add, fixedSum, b.Binary(BinOp.Add, iv, a)));
        var body = b.EndBlock();
        b.Emit(new ForOp(EquatableArray<Value>.Empty, zero, n, 1, LoopCmp.Lt, EquatableArray<Value>.Empty,
            new Region(new[] { iv }.ToEquatableArray(), body, EquatableArray<Value>.Empty)));
        var top = b.EndBlock();
        return new Function(FunctionKey.Primal("Sums"), "Sums",
            new Region(new[] { output, a, bb, n }.ToEquatableArray(), top, EquatableArray<Value>.Empty));
    }

    private static double[] Run(Function fn, int a, int b, int n)
    {
        var output = new double[6 * Math.Max(n, 0)];
        new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn, output, a, b, n);
        return output;
    }

    private static IEnumerable<Op> AllOps(Region r) => r.Ops.SelectMany(op => new[] { op }.Concat(op.Regions.SelectMany(AllOps)));

    private static int IntOpsIn(ForOp f) =>
        AllOps(f.Body).Count(op => op is BinaryOp { Kind: BinOp.Add or BinOp.Sub } bin && bin.Result.Type == IrType.I32);

    [Theory]
    [InlineData(5, 11, 4)]
    [InlineData(int.MaxValue, int.MaxValue - 3, 3)]     // a + b and a − u + … wrap
    [InlineData(int.MinValue, int.MinValue + 2, 5)]
    [InlineData(-7, 3, 0)]                              // the loop does not run
    public void Every_sum_keeps_its_value_and_the_loop_computes_less(int a, int b, int n)
    {
        var fn = Build();
        var regrouped = IndexSums.Run(fn);
        Assert.Empty(Verifier.Verify(regrouped));
        Assert.Equal(Run(fn, a, b, n), Run(regrouped, a, b, n));
        var before = AllOps(fn.Body).OfType<ForOp>().Single();
        var after = AllOps(regrouped.Body).OfType<ForOp>().Single();
        // The rows: 12 operations become one shared (t − i) and four additions of a part computed before the loop.
        Assert.True(IntOpsIn(after) < IntOpsIn(before), $"{IntOpsIn(after)} int operations in the loop, were {IntOpsIn(before)}");
        var rowSums = after.Body.Ops.OfType<BinaryOp>().Where(op => op.Result.Name.StartsWith("row", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rowSums.Count);
        Assert.Single(rowSums.Select(r => r.Left.Id).Distinct());
        Assert.All(rowSums, r => Assert.Contains(regrouped.Body.Ops, op => op.Results.Any(v => v.Id == r.Right.Id)));
    }

    [Fact]
    public void A_sum_with_one_invariant_term_is_left_as_it_is()
    {
        var b = new IrBuilder();
        var output = b.NewValue(IrType.Buf(ScalarKind.I32, BufferKind.Span), "out");
        var a = b.NewValue(IrType.I32, "a");
        var n = b.NewValue(IrType.I32, "n");
        b.BeginBlock();
        b.Loop(b.Const(0, IrType.I32, "zero"), n, "i", i => b.Store(output, i, b.Binary(BinOp.Add, b.Binary(BinOp.Mul, i, i), a)));
        var fn = new Function(FunctionKey.Primal("One"), "One",
            new Region(new[] { output, a, n }.ToEquatableArray(), b.EndBlock(), EquatableArray<Value>.Empty));
        Assert.Same(fn, IndexSums.Run(fn));
    }
}
