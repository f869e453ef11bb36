using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Rules;

/// <summary>One <c>[DerivativeOf]</c> on a method: the target and parameter it differentiates, or why it is refused.</summary>
internal sealed record DeclaredRule(IMethodSymbol Rule, IMethodSymbol? Target, int Wrt, string? Error);

/// <summary>
/// The derivative rules a compilation declares with <c>[DerivativeOf]</c> (Runtime/DerivativeOfAttribute.cs),
/// checked and indexed by target. The frontend asks for a target's rule only when a primal calls a method
/// that is not <c>[Differentiable]</c>, so the index (one pass over the syntax trees, kept per compilation)
/// costs nothing in code that has no such calls. The analyzer reports <see cref="Check"/>'s refusals at the
/// attribute; the frontend refuses a call of a target whose rules are refused, with the same reason.
/// </summary>
internal static class UserRules
{
    public const string AttributeName = "Dsl.DerivativeOfAttribute";

    private static readonly ConditionalWeakTable<Compilation, Dictionary<string, List<DeclaredRule>>> Cache = new();

    /// <summary>Checks one <c>[DerivativeOf]</c> attribute of <paramref name="rule"/>.</summary>
    public static DeclaredRule Check(IMethodSymbol rule, AttributeData attribute)
    {
        DeclaredRule Fail(string why, IMethodSymbol? target = null) => new(rule, target, -1, why);
        var args = attribute.ConstructorArguments;
        if (args.Length != 2 || args[0].Value is not INamedTypeSymbol type || args[1].Value is not string name)
            return Fail("[DerivativeOf] names its target by type and name: [DerivativeOf(typeof(T), nameof(T.F))]");
        var shown = type.Name + "." + name;
        var jvp = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Form").Value.Value is int form && form == JvpForm;
        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (candidates.Count == 0) return Fail($"'{type.Name}' has no method '{name}'");
        var target = candidates.FirstOrDefault(m => Matches(m, rule, jvp));
        if (target is null && jvp)
            return Fail($"no overload of '{shown}' matches the JVP rule's parameters ({Types(rule)}); a JVP rule takes its target's " +
                "parameters and then one tangent per float or double parameter: " +
                string.Join(" or ", candidates.Select(c => "(" + Shown(Expected(c, true)) + ")")));
        if (target is null)
            return Fail($"no overload of '{shown}' takes the rule's parameters ({Types(rule)}); a rule takes exactly its target's " +
                $"parameters: {string.Join(" or ", candidates.Select(c => "(" + Types(c) + ")"))}");
        if (!rule.IsStatic || !target.IsStatic)
            return Fail($"rules are static methods for static methods ('{shown}', '{rule.Name}')", target);
        if (target.IsGenericMethod) return Fail($"'{shown}' is generic; rules are for methods of float and double", target);
        if (PrimalLowering.MapType(target.ReturnType, false) is not { IsFloat: true })
            return Fail(
                $"'{shown}' returns '{target.ReturnType.ToDisplayString()}'; rules are for methods that return float or double", target);
        if (!SymbolEqualityComparer.Default.Equals(rule.ReturnType, target.ReturnType))
            return Fail($"the rule returns '{rule.ReturnType.ToDisplayString()}' but a partial derivative of '{shown}' is a " +
                $"'{target.ReturnType.ToDisplayString()}'", target);
        if (target.Parameters.Any(p => p.RefKind != RefKind.None || PrimalLowering.MapType(p.Type, true) is not { IsBuffer: false }))
            return Fail(
                $"'{shown}' has a parameter that is not a float, double, int or bool passed by value; rules are for scalar functions",
                target);
        var wrtName = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Wrt").Value.Value as string;
        if (jvp && wrtName is not null) return Fail("a JVP rule gives the tangent in every parameter; leave Wrt out", target);
        var (wrt, wrtError) = jvp ? (AllParameters, null) : Wrt(target, shown, wrtName);
        if (wrtError is not null) return Fail(wrtError, target);
        if (!rule.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute))
            return Fail($"mark '{rule.Name}' [Differentiable] as well: higher derivatives and Taylor jets through '{shown}' " +
                "come from differentiating the rule", target);
        var container = target.ContainingType.ToDisplayString();
        if (container is "System.Math" or "System.MathF")
            return Fail($"'{shown}' is a primitive of the generator with its own rules; a rule cannot replace it", target);
        if (BuiltinRules.For(PrimalLowering.KeyOf(target)) is not null)
            return Fail($"'{shown}' already has a built-in rule (docs/custom-rules.md lists them); remove this one", target);
        if (target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PrimalLowering.DifferentiableAttribute))
            return Fail($"'{shown}' is [Differentiable]: the generator differentiates its body; remove [Differentiable] from it " +
                "to use this rule instead", target);
        return new DeclaredRule(rule, target, wrt, null);
    }

    // RuleForm.Jvp's value (Runtime/DerivativeOfAttribute.cs), and the Wrt of a JVP rule.
    private const int JvpForm = 1;
    private const int AllParameters = -2;

    private static bool IsFloat(ITypeSymbol t) => PrimalLowering.MapType(t, true) is { IsFloat: true };

    private static string Shown(IEnumerable<ITypeSymbol> types) => string.Join(", ", types.Select(t => t.ToDisplayString()));

    /// <summary>The parameter types a rule of <paramref name="target"/> takes: its own, then (JVP rule) a tangent per float.</summary>
    private static List<ITypeSymbol> Expected(IMethodSymbol target, bool jvp) =>
        target.Parameters.Select(p => p.Type)
            .Concat(jvp ? target.Parameters.Where(p => IsFloat(p.Type)).Select(p => p.Type) : Enumerable.Empty<ITypeSymbol>()).ToList();

    private static bool Matches(IMethodSymbol target, IMethodSymbol rule, bool jvp)
    {
        var expected = Expected(target, jvp);
        return expected.Count == rule.Parameters.Length &&
            expected.Zip(rule.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a, b.Type)).All(s => s);
    }

    /// <summary>The parameter a partial rule differentiates by: <paramref name="wrtName"/>, or the one float parameter.</summary>
    private static (int Wrt, string? Error) Wrt(IMethodSymbol target, string shown, string? wrtName)
    {
        var floats = Enumerable.Range(0, target.Parameters.Length).Where(i => IsFloat(target.Parameters[i].Type)).ToList();
        if (wrtName is null)
        {
            return floats.Count == 1 ? (floats[0], null)
                : (-1, $"'{shown}' has {floats.Count} floating-point parameters; say which one this rule differentiates by: " +
                    $"Wrt = \"{(floats.Count > 0 ? target.Parameters[floats[0]].Name : "x")}\"");
        }
        var wrt = floats.Where(i => target.Parameters[i].Name == wrtName).DefaultIfEmpty(-1).First();
        return wrt >= 0 ? (wrt, null)
            : (-1, $"Wrt = \"{wrtName}\" is not a float or double parameter of '{shown}' " +
                $"({string.Join(", ", floats.Select(i => target.Parameters[i].Name))})");
    }

    /// <summary>
    /// The rule of <paramref name="target"/>: the compilation's, else a built-in one, else null. Throws
    /// <see cref="UnsupportedException"/> when its declared rules are refused or do not cover every
    /// floating-point parameter.
    /// </summary>
    public static ExternRule? Resolve(IMethodSymbol target, Compilation compilation, CancellationToken ct)
    {
        // A call whose rules cannot be used is a call of a method without a derivative: DSL0009's family.
        static UnsupportedException Refused(string reason) => new(DslDiagnostics.CalleeNotDifferentiable, reason, null);
        var key = PrimalLowering.KeyOf(target);
        if (!Index(compilation, ct).TryGetValue(key, out var declared)) return BuiltinRules.For(key);
        var shown = target.ContainingType.Name + "." + target.Name;
        if (declared.FirstOrDefault(d => d.Error is not null) is { } bad)
            throw Refused($"the derivative rule '{bad.Rule.Name}' of '{shown}' is refused: {bad.Error}");
        if (declared.FirstOrDefault(d => d.Wrt == AllParameters) is { } jvpRule)
        {
            if (declared.Count > 1)
                throw Refused($"'{jvpRule.Rule.Name}' is a JVP rule of '{shown}' and gives every partial; " +
                    $"remove the other rules ({string.Join(", ", declared.Where(d => d != jvpRule).Select(d => d.Rule.Name))})");
            var jvpKey = FunctionKey.Primal(PrimalLowering.KeyOf(jvpRule.Rule));
            var seed = 0;
            return new ExternRule(shown, target.Parameters
                .Select(p => IsFloat(p.Type) ? new RulePartial(Method: jvpKey, Seed: seed++) : RulePartial.None).ToEquatableArray());
        }
        var partials = new List<RulePartial>();
        for (var i = 0; i < target.Parameters.Length; i++)
        {
            var p = target.Parameters[i];
            var rules = declared.Where(d => d.Wrt == i).ToList();
            if (PrimalLowering.MapType(p.Type, true) is not { IsFloat: true })
            {
                partials.Add(RulePartial.None);
                continue;
            }
            if (rules.Count > 1)
                throw Refused($"'{rules[0].Rule.Name}' and '{rules[1].Rule.Name}' both declare ∂{shown}/∂{p.Name}; keep one");
            if (rules.Count == 0)
            {
                var covered = string.Join(", ", declared.Select(d => target.Parameters[d.Wrt].Name));
                throw Refused($"'{shown}' has a derivative rule for {covered} but not for '{p.Name}'; " +
                    $"add [DerivativeOf(typeof({target.ContainingType.Name}), nameof({shown}), Wrt = \"{p.Name}\")]");
            }
            partials.Add(new RulePartial(Method: FunctionKey.Primal(PrimalLowering.KeyOf(rules[0].Rule))));
        }
        return new ExternRule(shown, partials.ToEquatableArray());
    }

    /// <summary>The rule methods declared for <paramref name="target"/> (refused ones too).</summary>
    public static IEnumerable<IMethodSymbol> RulesOf(IMethodSymbol target, Compilation compilation, CancellationToken ct) =>
        Index(compilation, ct).TryGetValue(PrimalLowering.KeyOf(target), out var declared)
            ? declared.Select(d => d.Rule)
            : Enumerable.Empty<IMethodSymbol>();

    /// <summary>Every <c>[DerivativeOf]</c> of the compilation's source, checked, by target key (kept per compilation).</summary>
    private static Dictionary<string, List<DeclaredRule>> Index(Compilation compilation, CancellationToken ct) =>
        Cache.GetValue(compilation, c => Build(c, ct));

    private static Dictionary<string, List<DeclaredRule>> Build(Compilation compilation, CancellationToken ct)
    {
        var index = new Dictionary<string, List<DeclaredRule>>(System.StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            var root = tree.GetRoot(ct);
            SemanticModel? model = null;
            foreach (var method in root.DescendantNodes(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax))
                .OfType<MethodDeclarationSyntax>())
            {
                if (!method.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString().Contains("DerivativeOf"))) continue;
                model ??= compilation.GetSemanticModel(tree);
                if (model.GetDeclaredSymbol(method, ct) is not IMethodSymbol symbol) continue;
                foreach (var attribute in symbol.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == AttributeName))
                {
                    var rule = Check(symbol, attribute);
                    if (rule.Target is null) continue;
                    var key = PrimalLowering.KeyOf(rule.Target);
                    if (!index.TryGetValue(key, out var list)) index[key] = list = new List<DeclaredRule>();
                    list.Add(rule);
                }
            }
        }
        return index;
    }

    private static string Types(IMethodSymbol m) => string.Join(", ", m.Parameters.Select(p => p.Type.ToDisplayString()));
}
