using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Kernel.Tests;

/// <summary>
/// Every declared kernel compiled to PTX by ILGPU's PTX backend, without a GPU, for sm_60, sm_80
/// and sm_90 (each with the oldest PTX ISA that supports it: 5.0, 7.0, 7.8). No NVVM/libdevice is
/// given, so what compiles here compiles the same on any machine; <c>.extern</c> would be a function
/// left for the driver to find at load time, and fail there. A failed compile poisons its ILGPU
/// context, so each compile gets its own.
/// </summary>
public class PtxTests(ITestOutputHelper output)
{
    public static readonly TheoryData<string, string> Kernels = Cases();

    private static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var kernel in new[] { "Quadratic.EnergyKernel", "Quadratic.EnergyJvpKernel", "Poly.PTaylorKernel", "Poly.PKernel", "Smooth.ActKernel",
            "Smooth.ActJvpKernel", "Steps.QKernel", "Rad.RGradientKernel", "Layer.LGradientKernel",
            "FRad.FGradientKernel", "Jets.QTaylorKernel", "Jets.QLapDenseKernel", "Jets.RunVjpKernel",
            "FJets.GTaylorKernel", "Pinn.Model.LossSparseGradKernel" })
        {
            foreach (var arch in new[] { "60", "80", "90" }) data.Add(kernel, arch);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Compiles_to_PTX_without_extern_functions(string kernel, string sm)
    {
        var parts = kernel.Split('.');
        var typeName = string.Join(".", parts[..^1]);
        var method = (typeof(PtxTests).Assembly.GetType("Dsl.Kernel.Tests." + typeName) ?? typeof(PtxTests).Assembly.GetType(typeName))!
            .GetMethod(parts[^1], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        Compile(method, kernel, sm);
    }

    [Theory]
    [InlineData("60")]
    [InlineData("80")]
    [InlineData("90")]
    public void The_launchers_reduction_kernels_compile_to_PTX_without_extern_functions(string sm)
    {
        // Dsl.KernelReductions: the fixed-order sums, the atomic sums (atom.add.f64 needs sm_60) and the rounding to float.
        var methods = typeof(KernelLauncher).Assembly.GetType("Dsl.KernelReductions")!
            .GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);
        Assert.Equal(5, methods.Length);
        foreach (var m in methods) Compile(m, $"KernelReductions.{m.Name}({m.GetParameters()[1].ParameterType.GenericTypeArguments[0].Name})", sm);
    }

    private void Compile(MethodInfo method, string kernel, string sm)
    {
        var (architecture, isa) = sm switch
        {
            "60" => (CudaArchitecture.SM_60, CudaInstructionSet.ISA_50),
            "80" => (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70),
            _ => (CudaArchitecture.SM_90, CudaInstructionSet.ISA_78),
        };
        using var context = Context.Create(builder => builder.Default());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, isa, null);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        var ptx = compiled.PTXAssembly;
        output.WriteLine($"{kernel} sm_{sm}: {ptx.Length} bytes of PTX");
        if (System.Environment.GetEnvironmentVariable("DSL_PTX_DUMP") is { } dir) System.IO.File.WriteAllText($"{dir}/{kernel}.sm_{sm}.ptx", ptx);
        Assert.Contains(".entry", ptx);
        Assert.DoesNotContain(".extern", ptx);
    }
}
