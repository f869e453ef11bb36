using System.Linq;
using System.Threading.Tasks;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Kernels the generator refuses say why (DSL0003 for a construct a kernel cannot contain, DSL0004 or DSL0002 for
/// the declaration: the construct and what to write instead); none of them makes the generator fail internally.
/// </summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("Models.cs")]
    [InlineData("TapeModels.cs")]
    [InlineData("ScratchModels.cs")]
    public async Task EveryModelKernelGenerates(string file)
    {
        var source = Analysis.ProjectFile(file).Replace("using System;", "").Replace("using ILGPU;", "");
        var diagnostics = await Analysis.Analyze(source);
        Assert.True(diagnostics.IsEmpty, string.Join("\n", diagnostics.Select(d => d.GetMessage())));
    }

    private static async Task<string> Refusal(string source, bool ilgpu = true, string id = "DSL0002")
    {
        var diagnostics = await Analysis.Analyze(source, ilgpu);
        var d = Assert.Single(diagnostics, d => d.Id == id);
        var message = d.GetMessage();
        Assert.DoesNotContain("internal error", message);
        return message;
    }

    [Fact]
    public async Task Without_ILGPU_the_request_says_so()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(double x) => x * x;
                [Kernel(nameof(F))] static partial void FKernel(ILGPU.Index1D item, double x, ILGPU.ArrayView<double> result);
            }
            """, ilgpu: false);
        Assert.Contains("needs ILGPU: reference the ILGPU package", message);
    }

    [Fact]
    public async Task Reverse_over_reverse_is_refused_with_its_tape_level()
    {
        // A gradient penalty: the outer gradient differentiates UGradient, which already uses tape 0, so
        // UGradient's pullback keeps its own values on tape 1; a kernel has only the one per-thread tape.
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double U(ReadOnlySpan<double> x)
                {
                    double p = 1;
                    for (int i = 0; i < x.Length; i++) p *= Math.Sqrt(x[i] * x[i] + 1);
                    return p;
                }
                [Gradient(nameof(U))] public static partial double UGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Differentiable] public static double Penalty(ReadOnlySpan<double> x)
                {
                    Span<double> g = stackalloc double[3];
                    double u = UGradient(x, g);
                    double s = 0;
                    for (int i = 0; i < 3; i++) s += g[i] * g[i];
                    return s + u;
                }
                [Gradient(nameof(Penalty))] public static partial double PenaltyGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Kernel(nameof(PenaltyGradient))] static partial void PKernel(Index1D item, ArrayView<double> x, ArrayView<double> xBar,
                    ArrayView<double> result, ArrayView<double> tape, ArrayView<int> tapeOverflow);
            }
            """, id: "DSL0003");
        Assert.Contains("'PKernel' cannot become a kernel: 'U_Gradient_Pullback' uses tape level 1", message);
        Assert.Contains("needs more than the kernel's one per-thread tape", message);
    }

    [Fact]
    public async Task A_gradient_kernel_without_the_tape_parameters_shows_them()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    double p = 1;
                    for (int i = 0; i < x.Length; i++) p *= Math.Sqrt(x[i]);
                    return p;
                }
                [Gradient(nameof(F))] public static partial double FGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Kernel(nameof(FGradient))] static partial void GKernel(Index1D item, ArrayView<double> x, ArrayView<double> xBar,
                    ArrayView<double> result);
            }
            """, id: "DSL0004");
        Assert.Contains("'GKernel' has 4 parameters, expected 6", message);
        Assert.Contains("ILGPU.ArrayView<double> result, ILGPU.ArrayView<double> tape, ILGPU.ArrayView<int> tapeOverflow)", message);
    }

    [Fact]
    public async Task A_kernel_with_a_run_time_buffer_must_declare_scratch()
    {
        // The Vjp copies the output seeds into a buffer as long as the output span, which now comes
        // from the item's scratch: the declaration without scratch and scratchNeeded is told to add them.
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static void Run(ReadOnlySpan<double> x, Span<double> y)
                {
                    double acc = 1;
                    for (int i = 0; i < x.Length; i++)
                    {
                        acc = Math.Sqrt(acc * acc + x[i] * x[i]);
                        y[i] = acc * x[i];
                    }
                }
                [Vjp(nameof(Run))] public static partial void RunVjp(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> yBar,
                    Span<double> xBar);
                [Kernel(nameof(RunVjp))] static partial void VKernel(Index1D item, ArrayView<double> x, ArrayView<double> y,
                    ArrayView<double> yBar, ArrayView<double> xBar, int count, ArrayView<double> tape, ArrayView<int> tapeOverflow);
            }
            """, id: "DSL0004");
        Assert.Contains("'VKernel' has 8 parameters, expected 10", message);
        Assert.Contains("ILGPU.ArrayView<int> tapeOverflow, ILGPU.ArrayView<double> scratch, ILGPU.ArrayView<int> scratchNeeded)", message);
    }

    [Theory]
    [InlineData("Math.FusedMultiplyAdd(x, x, 1)", "FusedMultiplyAdd", "a * b + c")]
    public async Task Functions_ILGPU_leaves_extern_are_refused(string body, string name, string instead)
    {
        var message = await Refusal($$"""
            public static partial class M
            {
                [Differentiable] public static double F(double x) => {{body}};
                [Kernel(nameof(F))] static partial void FKernel(Index1D item, double x, ArrayView<double> result);
            }
            """, id: "DSL0003");
        Assert.Contains($"calls Math.{name}, which ILGPU 1.5.3 compiles to an .extern call", message);
        Assert.Contains(instead, message);
    }

    [Fact]
    public async Task A_wrong_signature_shows_the_expected_one()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Kernel(nameof(F))] static partial void FKernel(Index1D item, ArrayView<double> x, ArrayView<double> s, ArrayView<double> result);
            }
            """, id: "DSL0004");
        Assert.Contains("parameter 3 of 'FKernel' ('s') should be 'double s'", message);
        Assert.Contains("expected: static partial void FKernel(ILGPU.Index1D item, ILGPU.ArrayView<double> x, double s, " +
            "ILGPU.ArrayView<double> result)", message);
    }

    [Fact]
    public async Task PerItem_must_name_inputs()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Kernel(nameof(F), PerItem = "x, z")] static partial void FKernel(Index1D item, ArrayView<double> x, double s, ArrayView<double> result);
            }
            """);
        Assert.Contains("PerItem names 'z', which is not an input (a span or a scalar) of 'F'; its inputs: x, s", message);
    }

    [Fact]
    public async Task A_per_item_scalar_is_a_view()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Kernel(nameof(F), PerItem = "x, s")] static partial void FKernel(Index1D item, ArrayView<double> x, double s, ArrayView<double> result);
            }
            """, id: "DSL0004");
        Assert.Contains("parameter 3 of 'FKernel' ('s') should be 'ILGPU.ArrayView<double> s'", message);
    }

    [Fact]
    public async Task Sum_must_name_float_outputs()
    {
        var input = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Kernel(nameof(F), Sum = "x")] static partial void FKernel(Index1D item, ArrayView<double> x, double s, ArrayView<double> result);
            }
            """);
        Assert.Contains("Sum names 'x', which is not an output of 'F'; its outputs: result", input);
        var unknown = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Jvp(nameof(F), Wrt = "s")] public static partial double FJvp(ReadOnlySpan<double> x, double s, double ds, out double dResult);
                [Kernel(nameof(FJvp), Sum = "loss")] static partial void FKernel(Index1D item, ArrayView<double> x, double s, double ds,
                    ArrayView<double> dResult, ArrayView<double> result);
            }
            """);
        Assert.Contains("Sum names 'loss', which is not an output of 'FJvp'; its outputs: result, dResult", unknown);
    }

    [Fact]
    public async Task Wrt_does_not_apply_to_a_kernel()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x) => x[0];
                [Kernel(nameof(F), Wrt = "x")] static partial void FKernel(Index1D item, ArrayView<double> x, ArrayView<double> result);
            }
            """);
        Assert.Contains("sets Wrt, which does not apply to a kernel; name the per-item spans with PerItem", message);
    }
}
