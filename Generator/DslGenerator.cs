using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator;

/// <summary>
/// The incremental generator. Pipeline (every step named, every model equatable):
/// <list type="bullet">
/// <item><c>Primals</c>: each <c>[Differentiable]</c> method lowered to IR (or its failure).</item>
/// <item><c>AllPrimals</c>: all of them, sorted by key.</item>
/// <item><c>JvpRequests</c>, <c>GradientRequests</c>, <c>HvpRequests</c>, <c>VjpRequests</c>, <c>TaylorRequests</c>, <c>LaplacianRequests</c>, <c>BiharmonicRequests</c>, <c>DerivativeRequests</c>, <c>DiffusionRequests</c>, <c>SecondOrderRequests</c>: the declared partial methods.</item>
/// <item><c>AllRequests</c>: all of them.</item>
/// <item><c>TypeRequests</c>: requests grouped by containing type (one file each).</item>
/// <item><c>Generated</c>: the file of one type.</item>
/// </list>
/// It reports no diagnostics: the analyzers report what the frontend rejects.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (tests assert they are cached).</summary>
    public static readonly string[] StepNames = { "Primals", "AllPrimals", "JvpRequests", "GradientRequests", "HvpRequests", "VjpRequests", "TaylorRequests", "LaplacianRequests", "BiharmonicRequests", "DerivativeRequests", "DiffusionRequests", "SecondOrderRequests", "AllRequests", "TypeRequests", "Generated" };

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var primals = context.SyntaxProvider.ForAttributeWithMetadataName(
                PrimalLowering.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => ctx.TargetSymbol is IMethodSymbol m ? PrimalLowering.Lower(m, ctx.SemanticModel, ct) : null)
            .Where(static p => p is not null)
            .Select(static (p, _) => p!)
            .WithTrackingName("Primals");

        var allPrimals = primals.Collect()
            .Select(static (arr, _) => arr.OrderBy(p => p.Key, FunctionKey.Ordinal).ToEquatableArray())
            .WithTrackingName("AllPrimals");

        var jvps = Requests(context, RequestReader.JvpAttribute, RequestKind.Jvp).WithTrackingName("JvpRequests");
        var gradients = Requests(context, RequestReader.GradientAttribute, RequestKind.Gradient).WithTrackingName("GradientRequests");

        var hvps = Requests(context, RequestReader.HvpAttribute, RequestKind.Hvp).WithTrackingName("HvpRequests");
        var vjps = Requests(context, RequestReader.VjpAttribute, RequestKind.Vjp).WithTrackingName("VjpRequests");

        var taylors = Requests(context, RequestReader.TaylorAttribute, RequestKind.Taylor).WithTrackingName("TaylorRequests");

        var laplacians = Requests(context, RequestReader.LaplacianAttribute, RequestKind.Laplacian).WithTrackingName("LaplacianRequests");
        var biharmonics = Requests(context, RequestReader.BiharmonicAttribute, RequestKind.Biharmonic).WithTrackingName("BiharmonicRequests");
        var partials = Requests(context, RequestReader.DerivativeAttribute, RequestKind.Derivative).WithTrackingName("DerivativeRequests");
        var diffusions = Requests(context, RequestReader.DiffusionAttribute, RequestKind.Diffusion).WithTrackingName("DiffusionRequests");
        var secondOrders = Requests(context, RequestReader.SecondOrderAttribute, RequestKind.SecondOrder).WithTrackingName("SecondOrderRequests");

        // Every kind's requests, collected and concatenated in a fixed order.
        IncrementalValueProvider<ImmutableArray<RequestModel>> all = jvps.Collect();
        foreach (var next in new[] { gradients, hvps, vjps, taylors, laplacians, biharmonics, partials, diffusions, secondOrders })
            all = all.Combine(next.Collect()).Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        var allRequests = all
            .Select(static (list, _) => list.OrderBy(r => r.Key, FunctionKey.Ordinal).ToEquatableArray())
            .WithTrackingName("AllRequests");

        var byType = allRequests
            .SelectMany(static (all, _) => all
                .GroupBy(r => r.TypeKey, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TypeRequests(g.Key, g.First().Chain, g.OrderBy(r => r.Name, StringComparer.Ordinal).ToEquatableArray()))
                .ToImmutableArray())
            .WithTrackingName("TypeRequests");

        var generated = byType.Combine(allPrimals.Combine(allRequests))
            .Select(static (pair, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    return Generation.Generate(pair.Left, pair.Right.Left, pair.Right.Right).File;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return null;
                }
            })
            .WithTrackingName("Generated");

        context.RegisterSourceOutput(generated, static (spc, file) =>
        {
            if (file is not null) spc.AddSource(file.HintName, file.Text);
        });
    }

    private static IncrementalValuesProvider<RequestModel> Requests(IncrementalGeneratorInitializationContext context, string attribute, RequestKind kind) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) =>
                {
                    try
                    {
                        return ctx.Attributes.Length == 0 ? null : RequestReader.Read(ctx.TargetSymbol, ctx.TargetNode, ctx.Attributes[0], kind, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        return null;
                    }
                })
            .Where(static r => r is not null)
            .Select(static (r, _) => r!);
}
