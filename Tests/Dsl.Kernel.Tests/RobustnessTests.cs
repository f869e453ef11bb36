using System.Linq;
using System.Threading.Tasks;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Kernels the generator refuses say why (DSL0003 for a construct a kernel cannot contain, DSL0002 for
/// the declaration: the construct and what to write instead); none of them makes the generator fail internally.
/// </summary>
public class RobustnessTests
{
    [Fact]
    public async Task EveryModelKernelGenerates()
    {
        var source = Analysis.ProjectFile("Models.cs").Replace("using System;", "").Replace("using ILGPU;", "");
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
    public async Task Reverse_mode_is_refused_until_kernels_have_a_tape()
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
            """, id: "DSL0003");
        Assert.Contains("'GKernel' cannot become a kernel: 'FGradient' uses the reverse-mode tape", message);
        Assert.Contains("declare the kernel on the primal or on a forward-mode method", message);
    }

    [Fact]
    public async Task A_local_buffer_of_run_time_length_is_refused()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    Span<double> h = stackalloc double[x.Length];
                    for (int i = 0; i < x.Length; i++) h[i] = x[i] * x[i];
                    return h[0];
                }
                [Kernel(nameof(F))] static partial void FKernel(Index1D item, ArrayView<double> x, ArrayView<double> result);
            }
            """, id: "DSL0003");
        Assert.Contains("allocates a local buffer ('h') whose length is known only at run time", message);
        Assert.Contains("write stackalloc T[N] or new T[N] with a constant N", message);
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
            """);
        Assert.Contains("parameter 3 of 'FKernel' ('s') should be 'double s'", message);
        Assert.Contains("expected: static partial void FKernel(ILGPU.Index1D item, ILGPU.ArrayView<double> x, double s, " +
            "ILGPU.ArrayView<double> result)", message);
    }

    [Fact]
    public async Task PerItem_must_name_span_parameters()
    {
        var message = await Refusal("""
            public static partial class M
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x, double s) => x[0] * s;
                [Kernel(nameof(F), PerItem = "s")] static partial void FKernel(Index1D item, ArrayView<double> x, double s, ArrayView<double> result);
            }
            """);
        Assert.Contains("PerItem names 's', which is not a span parameter of 'F'", message);
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
