using System;
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
    public const string JvpAttribute = "Dsl.JvpAttribute";
    public const string GradientAttribute = "Dsl.GradientAttribute";
    public const string HvpAttribute = "Dsl.HvpAttribute";
    public const string VjpAttribute = "Dsl.VjpAttribute";
    public const string TaylorAttribute = "Dsl.TaylorAttribute";
    public const string LaplacianAttribute = "Dsl.LaplacianAttribute";
    public const string BiharmonicAttribute = "Dsl.BiharmonicAttribute";
    public const string DerivativeAttribute = "Dsl.DerivativeAttribute";
    public const string DiffusionAttribute = "Dsl.DiffusionAttribute";
    public const string SecondOrderAttribute = "Dsl.SecondOrderAttribute";

    /// <summary>The request attributes and the transform each asks for.</summary>
    public static readonly (string Attribute, RequestKind Kind)[] All =
    {
        (JvpAttribute, RequestKind.Jvp), (GradientAttribute, RequestKind.Gradient), (HvpAttribute, RequestKind.Hvp), (VjpAttribute, RequestKind.Vjp),
        (TaylorAttribute, RequestKind.Taylor), (LaplacianAttribute, RequestKind.Laplacian),
        (BiharmonicAttribute, RequestKind.Biharmonic), (DerivativeAttribute, RequestKind.Derivative),
        (DiffusionAttribute, RequestKind.Diffusion), (SecondOrderAttribute, RequestKind.SecondOrder),
    };

    public static RequestModel? Read(ISymbol target, SyntaxNode node, AttributeData attribute, RequestKind kind, CancellationToken ct)
    {
        if (target is not IMethodSymbol method || node is not MethodDeclarationSyntax syntax) return null;
        string? failure = null;
        var primalName = attribute.ConstructorArguments.Length >= 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
        var partial = attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is string ps ? ps : "";
        string? wrt = null;
        var order = kind == RequestKind.Taylor ? 2 : 0;
        var estimator = 0;
        var isOperator = kind is RequestKind.Laplacian or RequestKind.Biharmonic or RequestKind.Diffusion or RequestKind.SecondOrder;
        var lanes = isOperator ? Transforms.Operators.DefaultLanes : 1;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Wrt" && named.Value.Value is string w) wrt = w;
            if (named.Key == "Order" && named.Value.Value is int o) order = o;
            if (named.Key == "Estimator" && named.Value.Value is int e) estimator = e;
            if (named.Key is "Jets" or "Lanes" && named.Value.Value is int l) lanes = l;
        }
        if (kind == RequestKind.Taylor && (order < 1 || order > 12)) failure = $"[Taylor] Order must be between 1 and 12 (got {order})";
        if (kind == RequestKind.Taylor && (lanes < 1 || lanes > Transforms.Operators.MaxLanes))
            failure = $"[Taylor] Jets must be between 1 and {Transforms.Operators.MaxLanes} (got {lanes})";
        if (isOperator && (lanes < 1 || lanes > Transforms.Operators.MaxLanes))
            failure = $"[{kind}] Lanes must be between 1 and {Transforms.Operators.MaxLanes} (got {lanes})";
        if (primalName.Length == 0) failure = $"[{kind}] needs the name of the primal method: [{kind}(nameof(F))]";

        var chain = ChainOf(method.ContainingType, ct, ref failure);
        if (!method.IsStatic) failure ??= $"'{method.Name}' must be static";
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword)) failure ??= $"'{method.Name}' must be declared 'static partial' with no body; the generator writes the body";
        else if (syntax.Body is not null || syntax.ExpressionBody is not null) failure ??= $"'{method.Name}' must have no body; the generator writes it";
        else if (method.PartialImplementationPart is not null) failure ??= $"'{method.Name}' already has an implementation";
        if (method.IsGenericMethod) failure ??= $"'{method.Name}' must not be generic";

        var modifiers = string.Join(" ", syntax.Modifiers.Select(m => m.Text));
        var returnType = method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var irReturn = method.ReturnsVoid ? null : PrimalLowering.MapType(method.ReturnType, false);
        var parameters = method.Parameters.Select(PrimalLowering.ParamOf).ToEquatableArray();
        return new RequestModel(kind, primalName, wrt, chain, PrimalLowering.TypeKeyOf(method.ContainingType), modifiers,
            returnType, irReturn, method.Name, parameters, failure, FunctionKey.Primal(PrimalLowering.KeyOf(method)),
            order, estimator, partial, lanes);
    }

    private static TypeChain ChainOf(INamedTypeSymbol type, CancellationToken ct, ref string? failure)
    {
        var types = new List<ContainingType>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            var decl = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (decl is null || !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                failure ??= $"type '{t.Name}' must be declared 'partial' so the generator can add the method body";
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
