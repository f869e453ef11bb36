using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Tests.Infrastructure;

/// <summary>
/// Runs the generator over a source in a child process, on a thread with a chosen stack size
/// and under a time limit. For failures that would take the test process down with it: a
/// stack overflow cannot be caught, and a hung generator cannot be stopped in-process.
/// </summary>
public static class IsolatedRun
{
    /// <summary>How the child ended.</summary>
    /// <param name="ExitCode">0: generated without an exception; 2: the generator reported an exception; other: crashed.</param>
    /// <param name="TimedOut">The child was killed at the time limit.</param>
    /// <param name="Output">What the child wrote (stdout and stderr, trimmed).</param>
    public sealed record Outcome(int ExitCode, bool TimedOut, string Output)
    {
        public bool Succeeded => !TimedOut && ExitCode == 0;

        public override string ToString() =>
            TimedOut ? "timed out (the generator did not finish)" : $"exit code {ExitCode}: {Output}";
    }

    private const string ChildSource = """
        using System;
        using System.IO;
        using System.Linq;
        using System.Reflection;
        using System.Runtime.CompilerServices;
        using System.Threading;

        public static class Program
        {
            private static string s_bin = "";

            public static int Main(string[] args)
            {
                s_bin = args[0];
                AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
                {
                    var path = Path.Combine(s_bin, new AssemblyName(e.Name).Name + ".dll");
                    return File.Exists(path) ? Assembly.LoadFrom(path) : null;
                };
                var source = File.ReadAllText(args[1]);
                var stack = int.Parse(args[2]);
                var code = 1;
                var thread = new Thread(() => code = Generate(source), stack);
                thread.Start();
                thread.Join();
                return code;
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            private static int Generate(string source)
            {
                var refs = Basic.Reference.Assemblies.Net100.References.All.Cast<Microsoft.CodeAnalysis.MetadataReference>()
                    .Append(Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(Path.Combine(s_bin, "Dsl.Runtime.dll")));
                var parse = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
                var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("UserCode",
                    new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, parse) }, refs,
                    new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
                var generator = Microsoft.CodeAnalysis.GeneratorExtensions.AsSourceGenerator(new Dsl.Generator.DslGenerator());
                var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new[] { generator }, parseOptions: parse);
                Console.Out.WriteLine("generating");
                Console.Out.Flush();
                var run = driver.RunGenerators(compilation).GetRunResult();
                var exception = run.Results[0].Exception;
                Console.Out.WriteLine($"done: {run.GeneratedTrees.Length} files, exception: {exception?.GetType().Name ?? "none"}");
                return exception is null ? 0 : 2;
            }
        }
        """;

    private static readonly Lazy<string> ChildDirectory = new(BuildChild);

    private static readonly Lazy<TimeSpan> BaselineTime = new(() =>
    {
        var watch = Stopwatch.StartNew();
        var outcome = Run("using Dsl;\npublic static partial class C\n{\n    [Differentiable] public static double F(double x) => x * x;\n" +
            "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);\n}\n", 1024 * 1024, TimeSpan.FromSeconds(120));
        if (!outcome.Succeeded) throw new InvalidOperationException("the isolated generator run does not work: " + outcome);
        return watch.Elapsed;
    });

    /// <summary>
    /// How long a child takes to generate a trivial file here and now (process start, JIT, load
    /// included): time limits are multiples of it, so a loaded machine does not fail a test.
    /// </summary>
    public static TimeSpan Baseline => BaselineTime.Value;

    private static string BuildChild()
    {
        var bin = AppContext.BaseDirectory;
        var refs = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Concat(new[] { "Microsoft.CodeAnalysis.dll", "Microsoft.CodeAnalysis.CSharp.dll", "Dsl.Generator.dll", "Basic.Reference.Assemblies.Net100.dll" }
                .Select(f => MetadataReference.CreateFromFile(Path.Combine(bin, f))));
        var compilation = CSharpCompilation.Create("DslIsolatedRun",
            new[] { CSharpSyntaxTree.ParseText(ChildSource, GeneratorHarness.ParseOptions) }, refs,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Disable));
        var dir = Path.Combine(Path.GetTempPath(), "dsl-isolated-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var emit = compilation.Emit(Path.Combine(dir, "DslIsolatedRun.dll"));
        if (!emit.Success)
            throw new InvalidOperationException("child does not compile:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var version = Environment.Version;
        File.WriteAllText(Path.Combine(dir, "DslIsolatedRun.runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net{{version.Major}}.{{version.Minor}}", "framework": { "name": "Microsoft.NETCore.App", "version": "{{version.Major}}.{{version.Minor}}.0" }, "rollForward": "LatestPatch" } }""");
        return dir;
    }

    /// <summary>Runs the generator over <paramref name="source"/> in a child process.</summary>
    public static Outcome Run(string source, int stackBytes, TimeSpan timeout)
    {
        var dir = ChildDirectory.Value;
        var sourcePath = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".cs");
        File.WriteAllText(sourcePath, source);
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", Path.Combine(dir, "DslIsolatedRun.dll"), AppContext.BaseDirectory, sourcePath, stackBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExit((int)timeout.TotalMilliseconds);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var output = (stdout.Result + stderr.Result).Trim();
        var firstLines = string.Join("\n", output.Split('\n').Where(l => !l.StartsWith("   at ", StringComparison.Ordinal)).Take(6));
        try { File.Delete(sourcePath); } catch (IOException) { }
        return new Outcome(exited ? process.ExitCode : -1, !exited, firstLines);
    }
}
