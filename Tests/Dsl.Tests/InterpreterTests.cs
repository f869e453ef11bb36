using Dsl.Generator;
using Dsl.Generator.Ir;
using Xunit;

namespace Dsl.Tests;

/// <summary>The IR interpreter (the reference the transform tests run against) computes ints as C# does.</summary>
public class InterpreterTests
{
    [Theory]
    [InlineData(int.MaxValue, 2)]
    [InlineData(int.MinValue, 3)]
    [InlineData(123456789, -98765)]
    public void Int_arithmetic_wraps_and_int_buffers_hold_their_values(int a, int b)
    {
        var builder = new IrBuilder();
        var x = builder.NewValue(IrType.I32, "a");
        var y = builder.NewValue(IrType.I32, "b");
        var output = builder.NewValue(IrType.Buf(ScalarKind.I32, BufferKind.Span), "output");
        builder.BeginBlock();
        builder.Store(output, builder.Const(0, IrType.I32), builder.Binary(BinOp.Add, x, y));
        builder.Store(output, builder.Const(1, IrType.I32), builder.Binary(BinOp.Sub, x, y));
        builder.Store(output, builder.Const(2, IrType.I32), builder.Binary(BinOp.Mul, x, y));
        var fn = new Function(FunctionKey.Primal("Ints"), "Ints",
            new Region(new[] { x, y, output }.ToEquatableArray(), builder.EndBlock(), EquatableArray<Value>.Empty));
        var result = new double[3];
        new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn, a, b, result);
        Assert.Equal(new double[] { unchecked(a + b), unchecked(a - b), unchecked(a * b) }, result);
    }
}
