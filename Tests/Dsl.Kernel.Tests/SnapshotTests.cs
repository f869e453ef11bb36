using System.IO;
using System.Linq;
using System.Reflection;
using Dsl.Kernel.Tests.Infrastructure;
using Xunit;

namespace Dsl.Kernel.Tests;

/// <summary>
/// The generated files of the kernel models, as the compiler received them (the generator writes
/// them under obj/generated): the CPU methods, each kernel's entry and the kernel-dialect helpers.
/// </summary>
public class SnapshotTests
{
    private static string Generated(string type)
    {
        var root = typeof(SnapshotTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "GeneratedFiles").Value!;
        var file = Directory.GetFiles(root, $"Dsl.Kernel.Tests.{type}.Dsl.g.cs", SearchOption.AllDirectories).Single();
        return File.ReadAllText(file);
    }

    [Fact]
    public void Quadratic_primal_and_forward_kernels() => Snapshot.Verify(Generated("Quadratic"), "Quadratic");

    [Fact]
    public void Poly_float_primal_and_Taylor_kernels() => Snapshot.Verify(Generated("Poly"), "Poly");

    [Fact]
    public void Rad_gradient_kernel_with_the_tape() => Snapshot.Verify(Generated("Rad"), "Rad");

    [Fact]
    public void Jets_kernels_with_scratch() => Snapshot.Verify(Generated("Jets"), "Jets");

    [Fact]
    public void Dense_gradient_kernel_with_jammed_lanes_loops() => Snapshot.Verify(Generated("Dense"), "Dense");
}
