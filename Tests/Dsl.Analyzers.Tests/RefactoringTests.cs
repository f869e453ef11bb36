using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeRefactorings;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Dsl.Analyzers.Tests;

/// <summary>
/// "Declare [Kind] of F" on a [Differentiable] method. The harness's refactoring flavour (CodeRefactoring.Testing) is
/// not served here, so the test drives the provider in an AdhocWorkspace: the actions offered, the text after one, and
/// the analyzer's verdict on it (no diagnostic: the generator accepts the signature it wrote).
/// </summary>
public class RefactoringTests
{
    private const string Source = """
        public static partial class M
        {
            [Differentiable]
            public static double F(double x, ReadOnlySpan<double> w) => x * w[0] * w[1];
        }
        """;

    private static async Task<(Document Document, List<CodeAction> Actions)> Offer(string source, string at)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Test", "Test",
            LanguageNames.CSharp, compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary),
            metadataReferences: Harness.References));
        var text = Harness.Usings + source;
        var document = workspace.AddDocument(project.Id, "Test0.cs", SourceText.From(text));
        var actions = new List<CodeAction>();
        var context = new CodeRefactoringContext(document, new TextSpan(text.IndexOf(at), 0), actions.Add, CancellationToken.None);
        await new DeclareDerivativeRefactoring().ComputeRefactoringsAsync(context);
        return (document, actions);
    }

    private static async Task<string> Apply(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }

    [Fact]
    public async Task OffersTheKindsWhoseRuleAcceptsTheMethod()
    {
        var (_, actions) = await Offer(Source, "F(");
        // Laplacian and Biharmonic need the one span F has; every kind applies.
        Assert.Equal(new[] { "Gradient", "Jvp", "Hvp", "Vjp", "Laplacian", "Biharmonic" }.Select(k => $"Declare [{k}] of 'F'"),
            actions.Select(a => a.Title));
        var (_, inBody) = await Offer(Source, "x * w[0]");
        Assert.Empty(inBody);
    }

    [Fact]
    public async Task DeclaresTheGradientWithTheExpectedSignature()
    {
        var (document, actions) = await Offer(Source, "F(");
        var text = await Apply(document, actions.Single(a => a.Title == "Declare [Gradient] of 'F'"));
        Assert.Equal(Harness.Usings + """
            public static partial class M
            {
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w) => x * w[0] * w[1];

                [Gradient(nameof(F))]
                public static partial double FGradient(double x, ReadOnlySpan<double> w, out double xBar, Span<double> wBar);
            }
            """, text.Replace("\r\n", "\n"));
    }

    [Theory]
    [InlineData("Gradient")]
    [InlineData("Jvp")]
    [InlineData("Hvp")]
    [InlineData("Vjp")]
    [InlineData("Laplacian")]
    [InlineData("Biharmonic")]
    public async Task EveryDeclarationItWritesIsAccepted(string kind)
    {
        var (document, actions) = await Offer(Source, "F(");
        var text = await Apply(document, actions.Single(a => a.Title == $"Declare [{kind}] of 'F'"));
        var compilation = CSharpCompilation.Create("Test", new[] { CSharpSyntaxTree.ParseText(text) }, Harness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DslAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics);
        Assert.Contains($"[{kind}(nameof(F)", text);
    }
}
