using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Tests.Infrastructure;

/// <summary>Runs the generator over source text in memory, as the compiler would.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        Basic.Reference.Assemblies.Net100.References.All
            .Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(Dsl.DifferentiableAttribute).Assembly.Location))
            .ToImmutableArray());

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "UserCode",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new DslGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>The result of running the generator: what it added and the compilation with it.</summary>
    public sealed record Result(
        GeneratorDriverRunResult Run,
        Compilation Output,
        ImmutableArray<Diagnostic> GeneratorDiagnostics)
    {
        public IReadOnlyList<GeneratedSourceResult> Sources => Run.Results.SelectMany(r => r.GeneratedSources).ToList();

        public string AllGenerated => string.Join("\n", Sources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.SourceText.ToString()));

        public Exception? Exception => Run.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);

        /// <summary>Errors in the compilation that includes the generated code.</summary>
        public IReadOnlyList<Diagnostic> Errors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    /// <summary>
    /// Runs the generator with step tracking and checks that the run is cacheable
    /// (<see cref="Cacheability.AssertCacheable"/>): every test that generates is also an incrementality test.
    /// </summary>
    public static Result Run(params string[] sources) => RunCompilation(Compile(sources));

    /// <summary><see cref="Run"/> over a compilation built by the caller.</summary>
    public static Result RunCompilation(Compilation compilation)
    {
        var driver = CreateDriver(trackSteps: true).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Cacheability.AssertCacheable(driver, compilation);
        return new Result(driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>Compiles the output and loads it (collectible), for calling generated methods.</summary>
    public static Assembly Load(Compilation output)
    {
        using var ms = new MemoryStream();
        var emit = output.Emit(ms);
        if (!emit.Success)
            throw new InvalidOperationException("compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        ms.Position = 0;
        var context = new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(ms);
    }
}
