using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Math.Tests;

/// <summary>
/// Every PortableMath function inside an ILGPU kernel: compiled by ILGPU's PTX backend (no GPU
/// needed) for sm_60, sm_80 and sm_90 without exception and without any <c>.extern</c> (which
/// would fail at load time), and run on ILGPU's CPU accelerator with bit-identical results to
/// calling PortableMath directly. One Context per kernel: a failed compile poisons its context.
/// </summary>
public sealed class KernelTests
{
    private const int Points = 256;
    private readonly ITestOutputHelper _out;

    public KernelTests(ITestOutputHelper output) => _out = output;

    public static IEnumerable<object[]> Names => Functions.All.Select(f => new object[] { f.Name });

    // ILGPU 1.5.3 writes `.target sm_80` for every architecture above sm_80 (measured for sm_86,
    // sm_89 and sm_90 with PTX ISA 7.8 to 8.7); the driver compiles that PTX for the device at load.
    private static readonly (CudaArchitecture Arch, CudaInstructionSet Isa, string Name, string Target)[] Archs =
    {
        (CudaArchitecture.SM_60, CudaInstructionSet.ISA_78, "sm_60", "sm_60"),
        (CudaArchitecture.SM_80, CudaInstructionSet.ISA_78, "sm_80", "sm_80"),
        (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, "sm_90", "sm_80"),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void CompilesToPtxAndMatchesOnCpuAccelerator(string name)
    {
        Fn f = Functions.All.Single(g => g.Name == name);
        MethodInfo kernel = typeof(Kernels).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
        using Context context = Context.Create(b => b.CPU());
        var sizes = new List<string>();
        foreach (var (arch, isa, archName, target) in Archs)
        {
            using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, isa, null);
            var entry = EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            string ptx = compiled.PTXAssembly;
            Assert.DoesNotContain(".extern", ptx, StringComparison.Ordinal);
            Assert.Contains("\n.target " + target + "\n", ptx, StringComparison.Ordinal);
            sizes.Add($"{archName} {ptx.Length / 1024.0:F1} KiB");
        }
        _out.WriteLine($"{name} PTX: {string.Join(", ", sizes)}");
        RunOnCpuAccelerator(context, kernel, f);
    }

    private static void RunOnCpuAccelerator(Context context, MethodInfo kernel, Fn f)
    {
        var rng = new Random(77);
        double[] a = new double[Points], b = new double[Points];
        float[] af = new float[Points], bf = new float[Points];
        for (int i = 0; i < Points; i++)
        {
            a[i] = f.SampleX(rng);
            b[i] = f.Binary ? f.SampleY!(rng, a[i]) : 0.0;
            af[i] = (float)f.SampleX(rng);
            bf[i] = f.Binary ? (float)f.SampleY!(rng, af[i]) : 0f;
        }
        using CPUAccelerator acc = context.CreateCPUAccelerator(0);
        using var da = acc.Allocate1D(a);
        using var db = acc.Allocate1D(b);
        using var dy = acc.Allocate1D<double>(Points);
        using var daf = acc.Allocate1D(af);
        using var dbf = acc.Allocate1D(bf);
        using var dyf = acc.Allocate1D<float>(Points);
        var action = kernel.CreateDelegate<Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>>();
        var launch = acc.LoadAutoGroupedStreamKernel(action);
        launch(Points, da.View, db.View, dy.View, daf.View, dbf.View, dyf.View);
        acc.Synchronize();
        double[] y = dy.GetAsArray1D();
        float[] yf = dyf.GetAsArray1D();
        for (int i = 0; i < Points; i++)
        {
            double e = f.D(a[i], b[i]);
            float ef = f.F(af[i], bf[i]);
            Assert.True(BitConverter.DoubleToInt64Bits(y[i]) == BitConverter.DoubleToInt64Bits(e), $"{f.Name}({a[i]:R}): {y[i]:R} vs {e:R}");
            Assert.True(BitConverter.SingleToInt32Bits(yf[i]) == BitConverter.SingleToInt32Bits(ef), $"{f.Name}f({af[i]:R}): {yf[i]:R} vs {ef:R}");
        }
    }
}
