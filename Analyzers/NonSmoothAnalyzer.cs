using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Analyzers;

/// <summary>
/// DSL0101: a function that is not differentiable everywhere, applied in a <c>[Differentiable]</c> body to a value that
/// varies with the inputs. The generator differentiates it piecewise (the derivative of the branch in effect), which is
/// right almost everywhere and silently one-sided at the kinks; the warning says where they are. A value "varies" here
/// when it is a float or double that is not a constant and reads a float parameter, local or span element: the
/// syntactic form of the generator's activity analysis, which needs no Wrt (every float input may be differentiated).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonSmoothAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(DslDiagnostics.NonSmooth);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(AnalyzeCall, SyntaxKind.InvocationExpression);
        context.RegisterSyntaxNodeAction(AnalyzeConditional, SyntaxKind.ConditionalExpression);
    }

    private static void AnalyzeCall(SyntaxNodeAnalysisContext context)
    {
        var call = (InvocationExpressionSyntax)context.Node;
        if (!InDifferentiable(context)) return;
        if (context.SemanticModel.GetSymbolInfo(call, context.CancellationToken).Symbol is not IMethodSymbol method) return;
        if (method.ContainingType?.ToDisplayString() is not ("System.Math" or "System.MathF")) return;
        var args = call.ArgumentList.Arguments.Select(a => a.Expression).ToList();
        if (args.Count == 0 || !args.Any(a => Varies(context, a))) return;
        var first = args[0].ToString();
        var where = method.Name switch
        {
            "Abs" => $"at {first} = 0 (a kink)",
            "Sign" => $"at {first} = 0 (a jump; the derivative is 0 elsewhere)",
            "Min" or "Max" when args.Count == 2 => $"where {first} = {args[1]} (a kink)",
            "Floor" or "Ceiling" or "Truncate" => $"where {first} is an integer (a jump; the derivative is 0 elsewhere)",
            "Round" => $"where {first} is halfway between integers (a jump; the derivative is 0 elsewhere)",
            _ => null,
        };
        if (where is null) return;
        Report(context, call, $"'{Short(method)}.{method.Name}' of a value that depends on the inputs is not differentiable {where}; "
            + "its derivative is taken piecewise, from the side in effect; where that matters, use a smooth function instead "
            + "(such as Math.Sqrt(x * x + eps) for Abs)");
    }

    private static void AnalyzeConditional(SyntaxNodeAnalysisContext context)
    {
        var conditional = (ConditionalExpressionSyntax)context.Node;
        if (!InDifferentiable(context)) return;
        var condition = conditional.Condition;
        while (condition is ParenthesizedExpressionSyntax p) condition = p.Expression;
        if (condition is not BinaryExpressionSyntax comparison || !IsComparison(comparison.Kind())) return;
        if (!Varies(context, comparison.Left) && !Varies(context, comparison.Right)) return;
        // Selecting between two values of which one varies: the result may jump or kink where the comparison flips.
        if (!Varies(context, conditional.WhenTrue) && !Varies(context, conditional.WhenFalse)) return;
        Report(context, conditional, $"'{conditional.Condition} ? … : …' selects between values by a comparison of values "
            + $"that depend on the inputs; it is not differentiable where {comparison.Left} = {comparison.Right}; its derivative "
            + "is taken piecewise, from the branch in effect");
    }

    private static void Report(SyntaxNodeAnalysisContext context, SyntaxNode node, string message) =>
        context.ReportDiagnostic(Diagnostic.Create(DslDiagnostics.NonSmooth, node.GetLocation(), message));

    private static bool IsComparison(SyntaxKind kind) => kind is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression
        or SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression;

    private static string Short(IMethodSymbol method) => method.ContainingType.Name;

    private static bool InDifferentiable(SyntaxNodeAnalysisContext context)
    {
        var declaration = context.Node.FirstAncestorOrSelf<MethodDeclarationSyntax>();
        if (declaration is null) return false;
        var method = context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken);
        return method is not null && method.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute);
    }

    /// <summary>A float or double that is not constant and reads a float parameter, local or element of a float buffer.</summary>
    private static bool Varies(SyntaxNodeAnalysisContext context, ExpressionSyntax expression)
    {
        var model = context.SemanticModel;
        if (!IsFloat(model.GetTypeInfo(expression, context.CancellationToken).Type)) return false;
        if (model.GetConstantValue(expression, context.CancellationToken).HasValue) return false;
        foreach (var id in expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            var type = model.GetSymbolInfo(id, context.CancellationToken).Symbol switch
            {
                IParameterSymbol p => p.Type,
                ILocalSymbol l => l.Type,
                _ => null,
            };
            if (IsFloat(type) || type is IArrayTypeSymbol { ElementType: var e } && IsFloat(e)) return true;
            if (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span && IsFloat(span.TypeArguments[0]))
                return true;
        }
        return false;
    }

    private static bool IsFloat(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
}
