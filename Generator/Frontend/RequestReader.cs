using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// Reads a declared partial method that carries a transform attribute into an equatable
/// <see cref="RequestModel"/>. Problems with the declaration itself (not partial, already
/// implemented, containing type not partial) are recorded as the request's failure.
/// </summary>
internal static class RequestReader
{
    /// <summary>The request that <paramref name="attribute"/>, of <paramref name="row"/>'s kind, makes (null: not a method).</summary>
    public static RequestModel? Read(ISymbol target, SyntaxNode node, AttributeData attribute, RequestKindRow row, CancellationToken ct)
    {
        if (target is not IMethodSymbol method || node is not MethodDeclarationSyntax syntax) return null;
        var kind = row.Kind;
        var primalName = attribute.ConstructorArguments.Length >= 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
        var partial = attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is string ps ? ps : "";
        string? wrt = null;
        var perItem = "";
        var sum = "";
        var atomic = false;
        var of = "";
        var projection = false;
        var clip = 0.0;
        var order = row.DefaultOrder;
        var estimator = Estimator.Exact;
        var lanes = row.DefaultLanes;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Wrt" && named.Value.Value is string w) wrt = w;
            if (named.Key == "PerItem" && named.Value.Value is string pi) perItem = pi;
            if (named.Key == "Sum" && named.Value.Value is string su) sum = su;
            if (named.Key == "Of" && named.Value.Value is string o2) of = o2;
            // KernelReduction.Atomic arrives as its int (1).
            if (named.Key == "Reduction" && named.Value.Value is int red) atomic = red == 1;
            if (named.Key == "Order" && named.Value.Value is int o) order = o;
            // The runtime enum arrives as its int; a value outside it is rejected by the signature check.
            if (named.Key == "Estimator" && named.Value.Value is int e) estimator = (Estimator)e;
            if (named.Key is "Jets" or "Lanes" && named.Value.Value is int l) lanes = l;
            if (named.Key == "Projection" && named.Value.Value is bool pr) projection = pr;
            if (named.Key == "Clip" && named.Value.Value is double cl) clip = cl;
        }
        var failure = row.CheckOptions(order, lanes);
        if (primalName.Length == 0)
            failure = Failures.Tag(DslDiagnostics.NameofTarget, $"[{kind}] needs the name of the primal method: [{kind}(nameof(F))]");

        var chain = ChainOf(method.ContainingType, ct, ref failure);
        if (!method.IsStatic)
            failure ??= Failures.Tag(DslDiagnostics.MustBePartialOrStatic, $"'{method.Name}' must be static; declare it 'static partial'",
                Failures.Modifier, "static", Failures.Target, "method");
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            failure ??= Failures.Tag(DslDiagnostics.MustBePartialOrStatic,
                $"'{method.Name}' must be declared 'static partial' with no body; the generator writes the body",
                Failures.Modifier, "partial", Failures.Target, "method");
        else if (syntax.Body is not null || syntax.ExpressionBody is not null)
            failure ??= $"'{method.Name}' must have no body; the generator writes it";
        else if (method.PartialImplementationPart is not null) failure ??= $"'{method.Name}' already has an implementation";
        if (method.IsGenericMethod) failure ??= $"'{method.Name}' must not be generic";

        var modifiers = string.Join(" ", syntax.Modifiers.Select(m => m.Text));
        var returnType = method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var irReturn = method.ReturnsVoid ? null : PrimalLowering.MapType(method.ReturnType, false);
        var parameters = method.Parameters.Select(PrimalLowering.ParamOf).ToEquatableArray();
        return new RequestModel(kind, primalName, wrt, chain, PrimalLowering.TypeKeyOf(method.ContainingType), modifiers,
            returnType, irReturn, method.Name, parameters, failure, FunctionKey.Primal(PrimalLowering.KeyOf(method)),
            order, estimator, partial, lanes, perItem, sum, atomic, of, projection, clip);
    }

    private static TypeChain ChainOf(INamedTypeSymbol type, CancellationToken ct, ref string? failure)
    {
        var types = new List<ContainingType>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            var decl = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (decl is null || !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                failure ??= Failures.Tag(DslDiagnostics.MustBePartialOrStatic,
                    $"type '{t.Name}' must be declared 'partial' so the generator can add the method body",
                    Failures.Modifier, "partial", Failures.Target, t.GetDocumentationCommentId() ?? "");
            var keyword = decl switch
            {
                RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
                StructDeclarationSyntax => "struct",
                InterfaceDeclarationSyntax => "interface",
                _ => "class",
            };
            var name = t.Name + (t.TypeParameters.Length > 0 ? "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">" : "");
            types.Insert(0, new ContainingType(keyword, name, t.IsStatic ? "static" : ""));
        }
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new TypeChain(ns, types.ToEquatableArray());
    }
}
