using System;
using Xunit;
using static Dsl.Reverse.Tests.Numeric;

namespace Dsl.Reverse.Tests;

/// <summary><see cref="FusionCases"/>: fused and eager gradients against MathNet finite differences.</summary>
public class FusionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AFusedReductionOverCallsHasTheFiniteDifferenceGradient(int n)
    {
        var x = Uniform(3, 120 + n);
        var xBar = new double[3];
        double y = FusionCases.SumGradient(x, 0.7, n, xBar, out var aBar);
        Assert.Equal(FusionCases.Sum(x, 0.7, n), y, 14);
        var fd = FiniteDifferenceGradient(v => FusionCases.Sum(v.AsSpan(0, 3), v[3], n), Concat(x, new[] { 0.7 }));
        AssertGradient(Concat(xBar, new[] { aBar }), fd, y, DoubleTolerance);
    }

    [Fact]
    public void AProductOfCallOutputsIsNotFusedAndStaysRight()
    {
        var x = Uniform(3, 130);
        var xBar = new double[3];
        double y = FusionCases.ProductsGradient(x, -0.4, 3, xBar, out var aBar);
        var fd = FiniteDifferenceGradient(v => FusionCases.Products(v.AsSpan(0, 3), v[3], 3), Concat(x, new[] { -0.4 }));
        AssertGradient(Concat(xBar, new[] { aBar }), fd, y, DoubleTolerance);
    }

    [Fact]
    public void AnEagerCallScaledByItsAdjointHasTheFiniteDifferenceGradient()
    {
        var x = Uniform(3, 140);
        var xBar = new double[3];
        double y = FusionCases.LossGradient(x, 0.3, xBar, out var aBar);
        Assert.Equal(FusionCases.Loss(x, 0.3), y, 14);
        var fd = FiniteDifferenceGradient(v => FusionCases.Loss(v.AsSpan(0, 3), v[3]), Concat(x, new[] { 0.3 }));
        AssertGradient(Concat(xBar, new[] { aBar }), fd, y, DoubleTolerance);
    }
}
