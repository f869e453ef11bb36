using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Dsl;

/// <summary>
/// Where a generated kernel launcher runs its batch: on the CPU cores with the plain generated C#
/// (<see cref="Cpu"/>), or on an ILGPU accelerator — a CUDA GPU (<see cref="Gpu"/>), ILGPU's CPU
/// accelerator (<see cref="CpuAccelerator"/>, which runs the kernel's IL and checks its logic without a
/// GPU), or an accelerator the caller owns (<see cref="Borrow"/>, not disposed here).
/// </summary>
public sealed class KernelDevice : IDisposable
{
    private readonly Context? _context;
    private readonly bool _owns;

    private KernelDevice(Accelerator? accelerator, Context? context, bool owns, int cores, string description, bool lanes = false)
    {
        Lanes = lanes;
        Accelerator = accelerator;
        _context = context;
        _owns = owns;
        Cores = cores;
        Description = description;
    }

    /// <summary>The ILGPU accelerator the kernels run on; null on the CPU path (plain C# over the cores).</summary>
    public Accelerator? Accelerator { get; }

    /// <summary>The most CPU threads the CPU path uses at once.</summary>
    public int Cores { get; }

    /// <summary>
    /// On the CPU path: run W items per call in the lanes of a <c>Vector256</c> (8 floats or 4 doubles) where the
    /// launcher has a lanes version (its <c>LanesUnavailable</c> is null) and the processor has 256-bit vectors; else one
    /// item per call.
    /// </summary>
    public bool Lanes { get; }

    /// <summary>What this device is, for a log line.</summary>
    public string Description { get; }

    /// <summary>
    /// The CPU path: the generated C# over the batch in <see cref="KernelLauncher.ChunkCount"/> fixed chunks spread over
    /// at most <paramref name="cores"/> threads (default: every core). The chunks, not the threads, fix the order of the
    /// sums, so results do not depend on <paramref name="cores"/>. With <paramref name="lanes"/> (the default), W items
    /// run per call in the lanes of a vector (see <see cref="Lanes"/>); else the generated method runs once per item.
    /// </summary>
    public static KernelDevice Cpu(int? cores = null, bool lanes = true)
    {
        var n = cores ?? Environment.ProcessorCount;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(cores), n, "at least one core");
        var how = lanes ? "generated C#, items in vector lanes" : "generated C#, one item per call";
        return new KernelDevice(null, null, false, n, $"CPU, {n} core{(n == 1 ? "" : "s")}, {how}", lanes);
    }

    /// <summary>ILGPU's CPU accelerator: runs the kernels' IL on the CPU (a check of their logic, not of GPU arithmetic).</summary>
    public static KernelDevice CpuAccelerator()
    {
        var context = Context.Create(b => b.CPU());
        var accelerator = context.CreateCPUAccelerator(0);
        return new KernelDevice(accelerator, context, true, 1, "ILGPU CPU accelerator");
    }

    /// <summary>
    /// The CUDA GPU of index <paramref name="index"/>. Throws <see cref="KernelDeviceNotFoundException"/>, naming the
    /// accelerators ILGPU did find, when there is none.
    /// </summary>
    public static KernelDevice Gpu(int index = 0)
    {
        var context = Context.Create(b => b.Cuda());
        var gpus = context.GetCudaDevices();
        if (index < 0 || index >= gpus.Count)
        {
            context.Dispose();
            var found = Found();
            throw new KernelDeviceNotFoundException(
                (gpus.Count == 0 ? "no CUDA GPU was found" : $"there is no CUDA GPU of index {index} ({gpus.Count} found)") +
                $"; ILGPU found: {found}. Run on the CPU instead (--device cpu), or install the NVIDIA driver.");
        }
        var accelerator = gpus[index].CreateCudaAccelerator(context);
        return new KernelDevice(accelerator, context, true, 1, $"{accelerator.Name} (CUDA, {accelerator.MemorySize >> 20:N0} MiB)");
    }

    /// <summary>An accelerator the caller owns and disposes (this device does not).</summary>
    public static KernelDevice Borrow(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        return new KernelDevice(accelerator, null, false, 1, $"{accelerator.Name} ({accelerator.AcceleratorType})");
    }

    /// <summary>
    /// "cpu", "cpu-per-item", "gpu" or "cpu-accelerator" (command-line spelling), as <see cref="Cpu"/> (with lanes, or one
    /// item per call), <see cref="Gpu"/>, <see cref="CpuAccelerator"/>.
    /// </summary>
    public static KernelDevice Parse(string name, int? cores = null) => name switch
    {
        "cpu" => Cpu(cores),
        "cpu-per-item" => Cpu(cores, lanes: false),
        "gpu" => Gpu(),
        "cpu-accelerator" => CpuAccelerator(),
        _ => throw new ArgumentException(
            $"unknown device '{name}'; expected cpu, cpu-per-item, gpu or cpu-accelerator", nameof(name)),
    };

    /// <summary>Every accelerator ILGPU finds on this machine, by name and type ("none" when it finds none).</summary>
    public static string Found()
    {
        try
        {
            using var context = Context.Create(b => b.AllAccelerators());
            var names = context.Devices.Select(d => $"{d.Name} ({d.AcceleratorType})").ToList();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return $"none (ILGPU could not enumerate devices: {e.Message})";
        }
    }

    /// <summary>Disposes the accelerator and its context when this device created them (not a borrowed one).</summary>
    public void Dispose()
    {
        if (!_owns) return;
        Accelerator?.Dispose();
        _context?.Dispose();
    }

    /// <inheritdoc cref="Description"/>
    public override string ToString() => Description;
}

/// <summary>No accelerator of the kind asked for is on this machine; the message names the ones that are.</summary>
public sealed class KernelDeviceNotFoundException(string message) : Exception(message);
