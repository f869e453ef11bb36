using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Kernel.Tests.Infrastructure;

/// <summary>Runs the analyzer (the generator's own frontend and generation) over source text, with or without ILGPU.</summary>
public static class Analysis
{
    private static ImmutableArray<MetadataReference> References(bool ilgpu)
    {
        var refs = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
        if (ilgpu) refs = refs.Append(MetadataReference.CreateFromFile(typeof(ILGPU.Index1D).Assembly.Location));
        return refs.ToImmutableArray();
    }

    public static async Task<ImmutableArray<Diagnostic>> Analyze(string source, bool ilgpu = true)
    {
        var tree = CSharpSyntaxTree.ParseText("using System;\nusing Dsl;\n" + (ilgpu ? "using ILGPU;\n" : "") + source,
            new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("UserCode", new[] { tree }, References(ilgpu),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer()));
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>The source of a file of this project (next to this file's folder).</summary>
    public static string ProjectFile(string name) => File.ReadAllText(Path.Combine(ProjectDirectory(), name));

    private static string ProjectDirectory([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(here))!;
}
