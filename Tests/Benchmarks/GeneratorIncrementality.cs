using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Benchmarks;

/// <summary>
/// <c>--generator [--old PATH/Dsl.Generator.dll] [--rounds N]</c>: the generator's time on one type with 200 primals, each
/// with a <c>[Gradient]</c>, in an IDE-like host (one <see cref="GeneratorDriver"/> kept across runs): cold (a new
/// driver), warm (the same compilation again, as after an edit elsewhere) and after a one-line edit of one primal's body.
/// With <c>--old</c>, a second build of the generator (another commit) runs in alternation with this one, round by
/// round, each from its own load context; each figure is the median of its rounds, and the ratios are taken in this run.
/// </summary>
public static class GeneratorIncrementality
{
    private const int Methods = 200;

    public static void Run(TextWriter log, string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i && i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var rounds = int.Parse(Value("--rounds") ?? "7", System.Globalization.CultureInfo.InvariantCulture);
        var here = Value("--new") ?? BuiltGenerator();
        var generators = new List<(string Name, IIncrementalGenerator Generator)> { ("this build", Load(here)) };
        if (Value("--old") is { } old) generators.Insert(0, ("--old", Load(old)));
        if (Value("--statements") is { } statements)
        {
            LongBody(log, generators, int.Parse(statements, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        var compilation = Compile(Source(edit: 0));
        var times = generators.Select(_ => new List<double>[] { new(), new(), new() }).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            // The order alternates, so that neither build always runs on the garbage the other left.
            foreach (var g in r % 2 == 0 ? Enumerable.Range(0, generators.Count) : Enumerable.Range(0, generators.Count).Reverse())
            {
                var (cold, warm, edit) = Once(generators[g].Generator, compilation, r);
                times[g][0].Add(cold);
                times[g][1].Add(warm);
                times[g][2].Add(edit);
            }
        }
        log.WriteLine($"Generator on {Methods} primals with a [Gradient] each, one type; median of {rounds} rounds, ms:");
        log.WriteLine("| generator | cold | warm (no edit) | one-line edit of one primal |");
        log.WriteLine("|---|---:|---:|---:|");
        for (var g = 0; g < generators.Count; g++)
        {
            var m = times[g].Select(Median).ToArray();
            log.WriteLine($"| {generators[g].Name} | {m[0]:F0} | {m[1]:F1} | {m[2]:F1} |");
        }
        if (generators.Count == 2)
        {
            var ratios = Enumerable.Range(0, 3).Select(k => Median(times[0][k]) / Median(times[1][k])).ToArray();
            log.WriteLine($"| old / this | {ratios[0]:F2} | {ratios[1]:F2} | {ratios[2]:F2} |");
        }
    }

    /// <summary>
    /// <c>--statements N</c>: one cold run per generator on a primal whose loop body has N statements (each assigns
    /// <c>s</c>), with its gradient: time, and bytes allocated on the generator's thread.
    /// </summary>
    private static void LongBody(TextWriter log, List<(string Name, IIncrementalGenerator Generator)> generators, int statements)
    {
        var sb = new StringBuilder("using System;\nusing Dsl;\npublic static partial class G\n{\n    [Differentiable]\n");
        sb.Append("    public static double F(double x, double y)\n    {\n        double s = x;\n        for (int i = 0; i < 3; i++)\n        {\n");
        for (var k = 0; k < statements; k++) sb.Append($"            s = s * {0.5 + k % 7 * 0.01} + x * y;\n");
        sb.Append("        }\n        return s;\n    }\n\n    [Gradient(nameof(F))]\n");
        sb.Append("    public static partial double FGrad(double x, double y, out double xBar, out double yBar);\n}\n");
        var compilation = Compile(sb.ToString());
        log.WriteLine($"| generator | {statements:N0} statements: time | allocated |");
        log.WriteLine("|---|---:|---:|");
        foreach (var (name, generator) in generators)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() },
                parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            var ms = sw.Elapsed.TotalMilliseconds;
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 1e6;
            var chars = driver.GetRunResult().GeneratedTrees.Sum(t => t.Length);
            log.WriteLine($"| {name} | {ms / 1000:F1} s | {allocated:N0} MB ({chars:N0} characters generated) |");
        }
    }

    /// <summary>This checkout's Release build of the generator (the project builds it as an analyzer only).</summary>
    private static string BuiltGenerator()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "Generator", "bin", "Release", "netstandard2.0", "Dsl.Generator.dll");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("build Generator -c Release first, or pass --new PATH");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>One round: a cold run, a warm rerun, and a rerun after editing primal 100 (a different constant each round).</summary>
    private static (double Cold, double Warm, double Edit) Once(IIncrementalGenerator generator, CSharpCompilation compilation, int round)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options);
        Settle();
        var sw = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        var cold = sw.Elapsed.TotalMilliseconds;
        Check(driver);
        Settle();
        sw.Restart();
        driver = driver.RunGenerators(compilation.Clone());
        var warm = sw.Elapsed.TotalMilliseconds;
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText(Source(edit: round + 1), (CSharpParseOptions)compilation.SyntaxTrees[0].Options));
        Settle();
        sw.Restart();
        driver = driver.RunGenerators(edited);
        var edit = sw.Elapsed.TotalMilliseconds;
        Check(driver);
        return (cold, warm, edit);
    }

    /// <summary>Collects before each timed run, so that no run pays for the previous one's garbage.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void Check(GeneratorDriver driver)
    {
        var result = driver.GetRunResult();
        if (result.Results[0].Exception is { } ex) throw new InvalidOperationException("generator failed", ex);
        var methods = result.GeneratedTrees.Sum(t => t.ToString().Split("Grad(").Length - 1);
        if (methods < Methods) throw new InvalidOperationException($"only {methods} gradients generated");
    }

    /// <summary>200 primals and their gradients as text; <paramref name="edit"/> changes one constant in primal 100.</summary>
    private static string Source(int edit)
    {
        var sb = new StringBuilder("using System;\nusing Dsl;\n\nnamespace Bench;\n\npublic static partial class Many\n{\n");
        for (var i = 0; i < Methods; i++)
        {
            var c = i == Methods / 2 ? 1.0 + edit : 1.0 + i;
            sb.Append($"    [Differentiable]\n    public static double F{i}(double x, double y)\n    {{\n");
            sb.Append($"        double s = x * y;\n        for (int k = 0; k < 3; k++) s = s * x + {c:F1};\n");
            sb.Append("        return s + Math.Sin(y) * Math.Exp(-x * x);\n    }\n\n");
            sb.Append($"    [Gradient(nameof(F{i}))]\n    public static partial double F{i}Grad(double x, double y, out double xBar, out double yBar);\n\n");
        }
        return sb.Append("}\n").ToString();
    }

    private static CSharpCompilation Compile(string source)
    {
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        return CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText(source, options) }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
    }

    /// <summary>A generator assembly in its own load context (two builds share one name); Roslyn comes from the host.</summary>
    private static IIncrementalGenerator Load(string path)
    {
        var context = new AssemblyLoadContext(path, isCollectible: false);
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(path));
        var type = assembly.GetTypes().Single(t => t.Name == "DslGenerator");
        return (IIncrementalGenerator)Activator.CreateInstance(type)!;
    }
}
