using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Dsl.Generator;
using Dsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The generator must do no work for edits that cannot change its output (the IDE runs it on
/// every keystroke), must notice edits that do, and its models must hold no Roslyn objects
/// (which would defeat caching and keep compilations alive).
/// </summary>
public class IncrementalityTests
{
    private const string Primals = """
        using System;
        using Dsl;

        namespace App;

        public static partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;

            [Differentiable]
            public static double Poly(double x, ReadOnlySpan<double> w)
            {
                double s = 0;
                double p = 1;
                for (int i = 0; i < w.Length; i++)
                {
                    s += w[i] * p;
                    p *= x;
                }
                return s;
            }

            [Differentiable]
            public static double Composite(double x, double y) => Square(x) * Math.Sin(y);

            // Not differentiable: a neighbour whose edits must not matter.
            public static int Count(int n) => n + 1;
        }
        """;

    private const string Requests = """
        using System;
        using Dsl;

        namespace App;

        public static partial class Model
        {
            [Jvp(nameof(Square))]
            public static partial double SquareJvp(double x, double dx, out double dSquare);

            [Jvp(nameof(Poly))]
            public static partial double PolyJvp(double x, double dx, ReadOnlySpan<double> w, ReadOnlySpan<double> dw, out double dPoly);

            [Jvp(nameof(Composite), Wrt = "y")]
            public static partial double CompositeJvp(double x, double y, double dy, out double dComposite);
        }
        """;

    private const string OtherType = """
        using System;
        using Dsl;

        namespace App.Other;

        public static partial class Physics
        {
            [Differentiable]
            public static float Energy(float v, float m) => 0.5f * m * v * v;

            [Jvp(nameof(Energy), Wrt = "v")]
            public static partial float EnergyJvp(float v, float dv, float m, out float dEnergy);

            // A reverse-mode request of the same primal: read, cached and generated with the JVP.
            [Gradient(nameof(Energy))]
            public static partial float EnergyGrad(float v, float m, out float vBar, out float mBar);
        }
        """;

    private const string Unrelated = """
        namespace App.Util;

        public static class Strings
        {
            public static string Twice(string s) => s + s;
        }
        """;

    private static readonly IncrementalStepRunReason[] Quiet = Cacheability.Quiet;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Primals, Requests, OtherType, Unrelated);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult();
        Assert.Null(first.Results[0].Exception);
        Assert.Equal(2, first.GeneratedTrees.Length);
        return (driver, compilation);
    }

    private static SyntaxTree Tree(Compilation c, int index) => c.SyntaxTrees.Single(t => t.FilePath == $"Source{index}.cs");

    private static GeneratorRunResult Rerun(ref GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results[0];
        Assert.Null(result.Exception);
        return result;
    }

    /// <summary>Every tracked step of the pipeline that ran produced only cached or unchanged outputs.</summary>
    private static void AssertQuiet(GeneratorRunResult result) => Cacheability.AssertQuiet(result);

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var steps) ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason) : Enumerable.Empty<IncrementalStepRunReason>();

    [Fact]
    public void StepNamesAreTheTrackedOnes()
    {
        var compilation = GeneratorHarness.Compile(Primals, Requests, OtherType, Unrelated);
        var result = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results[0];
        // Steps whose attribute occurs nowhere in the compilation record no run; the core ones must be there.
        foreach (var name in new[] { "Primals", "AllPrimals", "JvpRequests", "GradientRequests", "AllRequests", "TypeRequests", "Generated" })
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} is not tracked");

    }

    [Fact]
    public void SameCompilationIsFullyCached()
    {
        var (driver, compilation) = FirstRun();
        var second = Rerun(ref driver, compilation);
        AssertQuiet(second);
        Assert.All(Reasons(second, "Generated"), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void AddingAnUnrelatedFileChangesNothing()
    {
        var (driver, compilation) = FirstRun();
        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace App.More;\npublic static class Extra { public static int Three() => 3; }\n", GeneratorHarness.ParseOptions, path: "Extra.cs"));
        AssertQuiet(Rerun(ref driver, added));
    }

    [Fact]
    public void EditingAnUnrelatedFileChangesNothing()
    {
        var (driver, compilation) = FirstRun();
        var old = Tree(compilation, 3);
        var edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(old.GetText().Replace(
            old.GetText().ToString().IndexOf("s + s", StringComparison.Ordinal), "s + s".Length, "s + \"-\" + s")));
        AssertQuiet(Rerun(ref driver, edited));
    }

    [Fact]
    public void EditingANonDifferentiableNeighbourOfThePrimalsChangesNothing()
    {
        var (driver, compilation) = FirstRun();
        var old = Tree(compilation, 0);
        var text = old.GetText().ToString();
        var edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(old.GetText().Replace(
            text.IndexOf("n + 1", StringComparison.Ordinal), "n + 1".Length, "n * 2 + 1")));
        AssertQuiet(Rerun(ref driver, edited));
    }

    [Fact]
    public void AddingACommentAbovePrimalsChangesNothing()
    {
        var (driver, compilation) = FirstRun();
        var old = Tree(compilation, 0);
        var text = old.GetText().ToString();
        var at = text.IndexOf("    [Differentiable]", StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(old.GetText().Replace(at, 0, "    // The model.\n    // Two lines.\n")));
        AssertQuiet(Rerun(ref driver, edited));
    }

    private static string ModelFile(GeneratorDriver driver) =>
        driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Model.Dsl.g.cs", StringComparison.Ordinal)).ToString();

    [Fact]
    public void EditingAPrimalBodyRegeneratesItsType()
    {
        var (driver, compilation) = FirstRun();
        var before = ModelFile(driver);
        var old = Tree(compilation, 0);
        var text = old.GetText().ToString();
        var edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(old.GetText().Replace(
            text.IndexOf("x * x;", StringComparison.Ordinal), "x * x;".Length, "x * x * x;")));
        var result = Rerun(ref driver, edited);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, "Primals"));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, "Generated"));
        Assert.ThrowsAny<Exception>(() => AssertQuiet(result)); // the quiet check is not vacuous
        // The other type's file is left alone.
        Assert.Contains(Reasons(result, "Generated"), r => Quiet.Contains(r));
        Assert.NotEqual(before, ModelFile(driver));
    }

    [Fact]
    public void EditingARequestRegeneratesItsType()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.ReplaceSyntaxTree(Tree(compilation, 1), CSharpSyntaxTree.ParseText(
            Requests.Replace("Wrt = \"y\"", "Wrt = \"x\"").Replace("double x, double y, double dy", "double x, double dx, double y"),
            GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var result = Rerun(ref driver, edited);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, "JvpRequests"));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, "Generated"));
        Assert.Contains("// Forward mode (JVP) of Composite with respect to x.", ModelFile(driver), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ per request, not per type

    /// <summary>The reason of each request's part in the last run, by request name.</summary>
    private static Dictionary<string, IncrementalStepRunReason> PartReasons(GeneratorRunResult result) =>
        result.TrackedSteps["RequestParts"].SelectMany(s => s.Outputs)
            .Where(o => o.Value is RequestPart)
            .ToDictionary(o => ((RequestPart)o.Value).Outcome!.RequestName, o => o.Reason, StringComparer.Ordinal);

    private static GeneratorRunResult EditPrimal(ref GeneratorDriver driver, CSharpCompilation compilation, string from, string to)
    {
        var old = Tree(compilation, 0);
        var text = old.GetText().ToString();
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, from);
        return Rerun(ref driver, compilation.ReplaceSyntaxTree(old, old.WithChangedText(old.GetText().Replace(at, from.Length, to))));
    }

    [Fact]
    public void EditingAPrimalRegeneratesOnlyTheRequestsThatReachIt()
    {
        var (driver, compilation) = FirstRun();
        // Square is reached by SquareJvp and by CompositeJvp (Composite calls Square); Poly's and the other type's are not.
        var result = EditPrimal(ref driver, compilation, "x * x;", "x * x * x;");
        var reasons = PartReasons(result);
        Assert.Equal(5, reasons.Count);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["SquareJvp"]);
        // CompositeJvp reran (its input holds Square's IR) but printed the same method: with Wrt = "y" it calls Square(x) as
        // it is, so its part is Unchanged, and the file's step sees no change from it.
        Assert.Equal(IncrementalStepRunReason.Unchanged, reasons["CompositeJvp"]);
        // Cached, not Unchanged: their inputs compared equal, so their transforms did not run at all.
        foreach (var untouched in new[] { "PolyJvp", "EnergyJvp", "EnergyGrad" })
            Assert.Equal(IncrementalStepRunReason.Cached, reasons[untouched]);
    }

    [Fact]
    public void EditingALeafPrimalRegeneratesOneRequest()
    {
        var (driver, compilation) = FirstRun();
        var before = ModelFile(driver);
        var result = EditPrimal(ref driver, compilation, "p *= x;", "p *= 2 * x;");
        var reasons = PartReasons(result);
        Assert.Equal(new[] { "PolyJvp" }, reasons.Where(kv => kv.Value == IncrementalStepRunReason.Modified).Select(kv => kv.Key));
        Assert.All(reasons.Where(kv => kv.Key != "PolyJvp"), kv => Assert.Equal(IncrementalStepRunReason.Cached, kv.Value));
        Assert.NotEqual(before, ModelFile(driver));
    }

    // ------------------------------------------------------------------ models hold no Roslyn objects

    [Fact]
    public void ModelsHoldNoRoslynObjects()
    {
        var compilation = GeneratorHarness.Compile(Primals, Requests, OtherType, Unrelated,
            // Failures too: their models carry reasons, not nodes.
            "using Dsl;\npublic static partial class Bad\n{\n    [Differentiable] public static double F(double x) { lock (typeof(Bad)) { x *= 2; } return x; }\n" +
            "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dF);\n" +
            "    [Gradient(nameof(F))] public static partial double FGrad(double x, out double xBar);\n}\n");
        var result = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results[0];
        var checkedValues = Cacheability.AssertNoRoslynObjects(result);
        Assert.True(checkedValues > 10, $"only {checkedValues} outputs checked");
    }

    [Fact]
    public void TheWalkerFindsRoslynObjects()
    {
        // Control: the walk does reject a model that holds a symbol.
        var compilation = GeneratorHarness.Compile(Unrelated);
        var symbol = compilation.GetTypeByMetadataName("App.Util.Strings")!;
        Assert.ThrowsAny<Exception>(() => Cacheability.Walk(new { Holder = new object[] { 1, new { Inner = (object)symbol } } }, "control",
            new HashSet<object>(ReferenceEqualityComparer.Instance)));
    }
}
