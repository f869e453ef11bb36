using System;
using Xunit;

namespace Dsl.Reverse.Tests;

/// <summary>
/// A generated method that writes a span refuses one that shares memory with another span argument: a gradient clears
/// its adjoints before it reads its inputs, so the same array as input and adjoint would change the result silently.
/// </summary>
public class AliasingTests
{
    [Fact]
    public void TheSameArrayAsInputAndAdjointIsRefusedByName()
    {
        var v = new[] { 0.5, -0.25, 1.5 };
        var ex = Assert.Throws<ArgumentException>(() => ControlFlowCases.RosenbrockGradient(v, v));
        Assert.Equal("vBar", ex.ParamName);
        Assert.StartsWith("'vBar' and 'v' share memory; RosenbrockGradient writes 'vBar' while it still reads 'v': pass separate buffers.",
            ex.Message);
        Assert.Equal(new[] { 0.5, -0.25, 1.5 }, v); // refused before anything was written
    }

    [Fact]
    public void PartlyOverlappingSlicesAreRefusedAndDisjointOnesAreNot()
    {
        var storage = new double[5];
        storage[0] = 0.5; storage[1] = -0.25; storage[2] = 1.5;
        // Input storage[0..3), adjoint storage[2..5): one element shared.
        var ex = Assert.Throws<ArgumentException>(() => ControlFlowCases.RosenbrockGradient(storage.AsSpan(0, 3), storage.AsSpan(2, 3)));
        Assert.Equal("vBar", ex.ParamName);
        // Adjacent but disjoint halves of one array are fine, and give the gradient of separate arrays.
        var joined = new double[6];
        joined[0] = 0.5; joined[1] = -0.25; joined[2] = 1.5;
        ControlFlowCases.RosenbrockGradient(joined.AsSpan(0, 3), joined.AsSpan(3, 3));
        var separate = new double[3];
        ControlFlowCases.RosenbrockGradient(new[] { 0.5, -0.25, 1.5 }, separate);
        Assert.Equal(separate, joined[3..]);
    }
}
