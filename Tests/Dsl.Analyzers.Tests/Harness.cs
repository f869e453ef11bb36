using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Dsl.Analyzers.Tests;

/// <summary>
/// What every test of the standard harness compiles against, offline: the .NET 10 reference assemblies from the
/// Basic.Reference.Assemblies.Net100 package (a restore-time dependency, like every other package, so nothing is
/// downloaded while the tests run; ReferenceAssemblies.Net.Net80 resolves here too, but through NuGet at test time, and
/// Dsl.Runtime built for net10.0 references System.Runtime 10, which net8.0 reference assemblies cannot satisfy), plus
/// Dsl.Runtime (the attributes) and ILGPU (the types of a [Kernel]'s parameters).
/// </summary>
internal static class Harness
{
    /// <summary>No reference-assembly package: the harness resolves nothing through NuGet.</summary>
    public static readonly ReferenceAssemblies None = new("net10.0");

    public static readonly ImmutableArray<MetadataReference> References = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(ILGPU.Index1D).Assembly.Location))
        .ToImmutableArray();

    public const string Usings = "using System;\nusing Dsl;\nusing ILGPU;\nusing ILGPU.Runtime;\n";

    public static void Configure<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = None;
        test.TestState.AdditionalReferences.AddRange(References);
        // Without the generator, every declared derivative lacks its body (CS8795) and nothing else is of interest here.
        test.CompilerDiagnostics = CompilerDiagnostics.None;
    }

    /// <summary>The repository root (the folder with Dsl.sln), found from the test's output folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Dsl.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException("Dsl.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
