using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace Dsl.Kernel.Tests.Infrastructure;

/// <summary>
/// A test class that runs generated kernels on ILGPU's CPU accelerator (one context and accelerator
/// per test, disposed after it) and compares results bit for bit with the CPU methods.
/// </summary>
public abstract class CpuAcceleratorTest : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.CPU());

    protected CpuAcceleratorTest() => Accelerator = _context.CreateCPUAccelerator(0);

    protected Accelerator Accelerator { get; }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A device buffer holding <paramref name="data"/>.</summary>
    protected MemoryBuffer1D<T, Stride1D.Dense> Buffer<T>(T[] data) where T : unmanaged => Accelerator.Allocate1D(data);

    protected static void AssertBits(double expected, double actual, int item)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            Assert.Fail($"item {item}: kernel gave {actual:R}, the CPU method {expected:R}");
    }

    protected static void AssertBits(float expected, float actual, int item)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
            Assert.Fail($"item {item}: kernel gave {actual:R}, the CPU method {expected:R}");
    }
}
