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

    [Fact]
    public void AnEagerGradientScaledInPlaceHasTheFiniteDifferenceGradient()
    {
        var x = Uniform(3, 150);
        // Not cleared by the caller: the eager call clears x̄ before it writes its gradient there.
        var xBar = new[] { 7.0, -3.0, double.NaN };
        double y = FusionCases.LossDirectGradient(x, 0.3, xBar, out var aBar);
        Assert.Equal(FusionCases.LossDirect(x, 0.3), y, 14);
        var fd = FiniteDifferenceGradient(v => FusionCases.LossDirect(v.AsSpan(0, 3), v[3]), Concat(x, new[] { 0.3 }));
        AssertGradient(Concat(xBar, new[] { aBar }), fd, y, DoubleTolerance);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.8)]
    public void AnEagerValueWithoutAdjointLeavesOnlyTheOtherContributions(double a)
    {
        var x = Uniform(3, 160);
        // Away from the branch's switch (s = 0.5), so that the finite differences do not cross it.
        double s = FusionCases.Sum(x, a, 3);
        Assert.True(Math.Abs(s - 0.5) > 0.05, $"s = {s}");
        var xBar = new[] { 1.0, 2.0, 3.0 };
        double y = FusionCases.LossBranchGradient(x, a, xBar);
        Assert.Equal(FusionCases.LossBranch(x, a), y, 14);
        var fd = FiniteDifferenceGradient(v => FusionCases.LossBranch(v, a), x);
        AssertGradient(xBar, fd, y, DoubleTolerance);
    }
}
