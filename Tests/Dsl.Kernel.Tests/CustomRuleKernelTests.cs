using System.Linq;
using System.Threading.Tasks;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>A kernel cannot call a method the generator does not look into; the refusal says so and what to write.</summary>
public class CustomRuleKernelTests
{
    [Fact]
    public async Task A_call_with_a_derivative_rule_is_refused_in_a_kernel()
    {
        var diagnostics = await Analysis.Analyze("""
            public static class Ext { public static double Softplus(double x) => Math.Log(1 + Math.Exp(x)); }
            public static partial class M
            {
                [Differentiable, DerivativeOf(typeof(Ext), nameof(Ext.Softplus))]
                public static double SoftplusPrime(double x) => 1 / (1 + Math.Exp(-x));
                [Differentiable] public static double F(double x) => Ext.Softplus(x) * x;
                [Kernel(nameof(F))] static partial void FKernel(Index1D item, double x, ArrayView<double> result);
            }
            """);
        var d = Assert.Single(diagnostics, d => d.Id == "DSL0003");
        Assert.Contains("calls 'Ext.Softplus', which the generator does not look into (it has a derivative rule): a kernel cannot call it",
            d.GetMessage());
    }
}
