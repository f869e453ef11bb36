using System;
using SMath = System.Math;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace Dsl.Math.Tests;

/// <summary>
/// Round, Truncate, Sign and Clamp of <see cref="PortableMath"/>: bit for bit System.Math's values
/// (these are exact functions, so any difference is a bug), and compiled into a kernel without
/// <c>.extern</c> and with the same values on the CPU accelerator.
/// </summary>
public sealed class RoundingTests
{
    private static IEnumerable<double> Inputs()
    {
        // Halves (ties to even), their neighbours, signed zeros, large and special values.
        for (var k = -12; k <= 12; k++)
        {
            var h = k + 0.5;
            yield return h;
            yield return SMath.BitIncrement(h);
            yield return SMath.BitDecrement(h);
            yield return k;
        }
        foreach (var v in new[] { 0.0, -0.0, 0.49999999999999994, -0.49999999999999994, 1e-310, -1e-310, 4503599627370495.5,
                     -4503599627370495.5, 4503599627370496.0, 9007199254740993.0, 1e300, -1e300, double.MaxValue, double.Epsilon,
                     double.PositiveInfinity, double.NegativeInfinity, double.NaN })
            yield return v;
        var r = new Random(11);
        for (var i = 0; i < 20000; i++) yield return (r.NextDouble() - 0.5) * SMath.Pow(2, r.Next(-30, 60));
    }

    private static void Same(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"{what}: PortableMath {actual:R}, System.Math {expected:R}");

    [Fact]
    public void RoundAndTruncateEqualSystemMath()
    {
        foreach (var x in Inputs())
        {
            Same(SMath.Round(x), PortableMath.Round(x), $"Round({x:R})");
            Same(SMath.Truncate(x), PortableMath.Truncate(x), $"Truncate({x:R})");
            var f = (float)x;
            Same(MathF.Round(f), PortableMath.Round(f), $"Round({f:R}f)");
            Same(MathF.Truncate(f), PortableMath.Truncate(f), $"Truncate({f:R}f)");
        }
    }

    [Fact]
    public void SignAndClampEqualSystemMathWhereItIsDefined()
    {
        foreach (var x in Inputs())
        {
            if (!double.IsNaN(x)) Assert.Equal(SMath.Sign(x), PortableMath.Sign(x));
            Same(SMath.Clamp(x, -3.25, 7.5), PortableMath.Clamp(x, -3.25, 7.5), $"Clamp({x:R})");
            var f = (float)x;
            if (!float.IsNaN(f)) Assert.Equal(MathF.Sign(f), PortableMath.Sign(f));
            Same(SMath.Clamp(f, -3.25f, 7.5f), PortableMath.Clamp(f, -3.25f, 7.5f), $"Clamp({f:R}f)");
        }
        Assert.Equal(0, PortableMath.Sign(double.NaN));
    }

    internal static void Kernel(Index1D i, ArrayView<double> x, ArrayView<double> y, ArrayView<float> xf, ArrayView<float> yf)
    {
        y[i] = PortableMath.Round(x[i]) + 2 * PortableMath.Truncate(x[i]) + PortableMath.Sign(x[i]) + PortableMath.Clamp(x[i], -1, 2);
        yf[i] = PortableMath.Round(xf[i]) + 2 * PortableMath.Truncate(xf[i]) + PortableMath.Sign(xf[i])
            + PortableMath.Clamp(xf[i], -1f, 2f);
    }

    [Fact]
    public void CompileIntoAKernelWithoutExternAndRunOnTheCpuAccelerator()
    {
        var method = typeof(RoundingTests).GetMethod(nameof(Kernel), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        using var context = Context.Create(b => b.CPU());
        foreach (var (arch, isa) in new[] { (CudaArchitecture.SM_60, CudaInstructionSet.ISA_78),
                     (CudaArchitecture.SM_80, CudaInstructionSet.ISA_78), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80) })
        {
            using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, isa, null);
            var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method),
                KernelSpecialization.Empty);
            Assert.DoesNotContain(".extern", compiled.PTXAssembly, StringComparison.Ordinal);
        }
        var x = new List<double>(Inputs()).ToArray();
        var xf = Array.ConvertAll(x, v => (float)v);
        using var acc = context.CreateCPUAccelerator(0);
        using var dx = acc.Allocate1D(x);
        using var dy = acc.Allocate1D<double>(x.Length);
        using var dxf = acc.Allocate1D(xf);
        using var dyf = acc.Allocate1D<float>(x.Length);
        var launch = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>>(
            Kernel);
        launch(x.Length, dx.View, dy.View, dxf.View, dyf.View);
        acc.Synchronize();
        var y = dy.GetAsArray1D();
        var yf = dyf.GetAsArray1D();
        for (var i = 0; i < x.Length; i++)
        {
            var e = PortableMath.Round(x[i]) + 2 * PortableMath.Truncate(x[i]) + PortableMath.Sign(x[i]) + PortableMath.Clamp(x[i], -1, 2);
            Same(e, y[i], $"kernel({x[i]:R})");
            var ef = PortableMath.Round(xf[i]) + 2 * PortableMath.Truncate(xf[i]) + PortableMath.Sign(xf[i])
                + PortableMath.Clamp(xf[i], -1f, 2f);
            Assert.True(BitConverter.SingleToInt32Bits(ef) == BitConverter.SingleToInt32Bits(yf[i]), $"kernel({xf[i]:R}f)");
        }
    }
}
