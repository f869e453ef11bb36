using System;
using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator;

/// <summary>
/// The tracking names of the pipeline's own steps; each request kind adds its row's
/// <see cref="RequestKindRow.TrackingName"/>.
/// </summary>
internal static class TrackingNames
{
    public const string Primals = nameof(Primals);
    public const string AllPrimals = nameof(AllPrimals);
    public const string AllRequests = nameof(AllRequests);
    public const string TypeRequests = nameof(TypeRequests);
    public const string Generated = nameof(Generated);
}

/// <summary>
/// The incremental generator. Pipeline (every step named, every model equatable):
/// <list type="bullet">
/// <item><c>Primals</c>: each <c>[Differentiable]</c> method lowered to IR (or its failure).</item>
/// <item><c>AllPrimals</c>: all of them, sorted by key.</item>
/// <item>One step per row of <see cref="RequestKinds.All"/> (<c>JvpRequests</c>, <c>GradientRequests</c>, …): the declared
/// partial methods.</item>
/// <item><c>AllRequests</c>: all of them.</item>
/// <item><c>TypeRequests</c>: requests grouped by containing type (one file each).</item>
/// <item><c>Generated</c>: the file of one type.</item>
/// </list>
/// It reports no diagnostics: the analyzers report what the frontend rejects.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, in pipeline order (tests assert they are cached).</summary>
    public static readonly string[] StepNames = new[] { TrackingNames.Primals, TrackingNames.AllPrimals }
        .Concat(RequestKinds.All.Select(r => r.TrackingName))
        .Concat(new[] { TrackingNames.AllRequests, TrackingNames.TypeRequests, TrackingNames.Generated })
        .ToArray();

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var primals = context.SyntaxProvider.ForAttributeWithMetadataName(
                PrimalLowering.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => ctx.TargetSymbol is IMethodSymbol m ? PrimalLowering.Lower(m, ctx.SemanticModel, ct) : null)
            .Where(static p => p is not null)
            .Select(static (p, _) => p!)
            .WithTrackingName(TrackingNames.Primals);

        var allPrimals = primals.Collect()
            .Select(static (arr, _) => arr.OrderBy(p => p.Key, FunctionKey.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.AllPrimals);

        // Every kind's requests, collected and concatenated in the table's order.
        IncrementalValueProvider<ImmutableArray<RequestModel>>? all = null;
        foreach (var row in RequestKinds.All)
        {
            var requests = Requests(context, row).WithTrackingName(row.TrackingName).Collect();
            all = all is { } before ? before.Combine(requests).Select(static (pair, _) => pair.Left.AddRange(pair.Right)) : requests;
        }
        var allRequests = all!.Value
            .Select(static (list, _) => list.OrderBy(r => r.Key, FunctionKey.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.AllRequests);

        var byType = allRequests
            .SelectMany(static (all, _) => all
                .GroupBy(r => r.TypeKey, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TypeRequests(g.Key, g.First().Chain, g.OrderBy(r => r.Name, StringComparer.Ordinal).ToEquatableArray()))
                .ToImmutableArray())
            .WithTrackingName(TrackingNames.TypeRequests);

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
            .WithTrackingName(TrackingNames.Generated);

        context.RegisterSourceOutput(generated, static (spc, file) =>
        {
            if (file is not null) spc.AddSource(file.HintName, file.Text);
        });
    }

    private static IncrementalValuesProvider<RequestModel> Requests(IncrementalGeneratorInitializationContext context,
        RequestKindRow row) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(
                row.Attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) =>
                {
                    try
                    {
                        return ctx.Attributes.Length == 0
                            ? null
                            : RequestReader.Read(ctx.TargetSymbol, ctx.TargetNode, ctx.Attributes[0], row, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        return null;
                    }
                })
            .Where(static r => r is not null)
            .Select(static (r, _) => r!);
}
