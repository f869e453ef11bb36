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
    public const string RequestInputs = nameof(RequestInputs);
    public const string RequestParts = nameof(RequestParts);
    public const string Generated = nameof(Generated);
    public const string RequestSites = nameof(RequestSites);
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
/// <item><c>RequestInputs</c>: each request with the primals and generated methods it reaches (<see cref="RequestInput"/>).</item>
/// <item><c>RequestParts</c>: each request transformed, simplified and printed (<see cref="RequestPart"/>): an edit of one
/// primal reruns only the requests whose inputs reach it (200 gradients in one type: 1 instead of 200).</item>
/// <item><c>Generated</c>: the file of one type from its parts (helpers named and printed, kernels generated), and its
/// refusals (<see cref="Refusals"/>).</item>
/// <item><c>RequestSites</c> (not in <see cref="StepNames"/>: an edit above a declaration moves it): where each request is
/// declared, read only by the output that reports refusals as DSL0002/DSL0003 and writes their throwing stubs.</item>
/// </list>
/// The analyzers report what the frontend rejects in a primal's body (DSL0001).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, in pipeline order (tests assert they are cached).</summary>
    public static readonly string[] StepNames = new[] { TrackingNames.Primals, TrackingNames.AllPrimals }
        .Concat(RequestKinds.All.Select(r => r.TrackingName))
        .Concat(new[]
        {
            TrackingNames.AllRequests, TrackingNames.TypeRequests, TrackingNames.RequestInputs, TrackingNames.RequestParts,
            TrackingNames.Generated,
        })
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
        IncrementalValueProvider<ImmutableArray<RequestSite>>? allSites = null;
        foreach (var row in RequestKinds.All)
        {
            var declared = Requests(context, row);
            var requests = declared.Select(static (d, _) => d.Model).WithTrackingName(row.TrackingName).Collect();
            all = all is { } before ? before.Combine(requests).Select(static (pair, _) => pair.Left.AddRange(pair.Right)) : requests;
            var sites = declared.Select(static (d, _) => d.Site).Where(static s => s is not null).Select(static (s, _) => s!).Collect();
            allSites = allSites is { } b ? b.Combine(sites).Select(static (pair, _) => pair.Left.AddRange(pair.Right)) : sites;
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

        var parts = allRequests.Combine(allPrimals)
            .SelectMany(static (pair, _) => Generation.Inputs(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.RequestInputs)
            .Select(static (input, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                return Generation.GeneratePart(input);
            })
            .WithTrackingName(TrackingNames.RequestParts);

        var generated = byType.Combine(parts.Collect().Combine(allPrimals.Combine(allRequests)))
            .Select(static (pair, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var (primals, requests) = pair.Right.Right;
                    var (file, outcomes) = Generation.Generate(pair.Left, primals, requests, pair.Right.Left);
                    return Refusals.Output(pair.Left, file, outcomes);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return Refusals.All(pair.Left, $"internal error ({ex.GetType().Name}: {ex.Message}); please report it");
                }
            })
            .WithTrackingName(TrackingNames.Generated);

        context.RegisterSourceOutput(generated, static (spc, output) =>
        {
            if (output.File is { } file) spc.AddSource(file.HintName, file.Text);
        });

        var sitesByRequest = allSites!.Value.WithTrackingName(TrackingNames.RequestSites);
        context.RegisterSourceOutput(generated.Collect().Combine(sitesByRequest),
            static (spc, pair) => Refusals.Report(spc, pair.Left, pair.Right));
    }

    /// <summary>A declared request and where it is (two outputs, so that only the site changes when it moves).</summary>
    private sealed record Declared(RequestModel Model, RequestSite? Site);

    private static IncrementalValuesProvider<Declared> Requests(IncrementalGeneratorInitializationContext context,
        RequestKindRow row) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(
                row.Attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) =>
                {
                    try
                    {
                        if (ctx.Attributes.Length == 0) return null;
                        var model = RequestReader.Read(ctx.TargetSymbol, ctx.TargetNode, ctx.Attributes[0], row, ct);
                        return model is null ? null : new Declared(model, RequestSite.Of(ctx.TargetSymbol, ctx.TargetNode));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        return null;
                    }
                })
            .Where(static r => r is not null)
            .Select(static (r, _) => r!);
}
