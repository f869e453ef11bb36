using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;

namespace Dsl.Generator;

/// <summary>The shapes of the generated methods: header, parameter names, comment and argument checks.</summary>
internal static partial class Generation
{
    private static MethodShape ShapeOfRequest(RequestKindRow row, RequestModel request, TransformPlan plan)
    {
        var parameters = string.Join(", ", request.Params.Select(p => p.Declaration));
        var header = $"{SourceFileEmitter.GeneratedCodeAttribute}\n" +
                     $"{request.Modifiers} {request.ReturnTypeText} {request.Name}({parameters})";
        var primal = plan.Primal;
        var (names, outs) = row.NameMap(request, plan);
        var wrt = primal.Params.Where((p, i) => plan.Active[i]).Select(p => p.Name);
        var comment = new List<string> { $"// {row.Describe(request, plan)} of {primal.Name} with respect to {string.Join(", ", wrt)}." };
        comment.AddRange(row.Notes);
        var checks = row.LengthChecks(request, plan).Concat(SpanLengthChecks(request, plan)).Concat(AliasingChecks(request)).ToList();
        return new MethodShape(header, names, outs, comment, checks, request.ReturnTypeText != "void");
    }

    /// <summary>
    /// Argument checks at the top of a generated method: every tangent, adjoint or seed span
    /// must have the length of the span it belongs to, and the exception names both.
    /// </summary>
    private static IEnumerable<string> SpanLengthChecks(RequestModel request, TransformPlan plan)
    {
        var primal = plan.Primal;
        var expected = SignatureRules.ExpectedFor(request, primal, plan.Active, plan.Of);
        for (var k = 0; k < expected.Count; k++)
        {
            if (expected[k].Param.Type is not { IsBuffer: true } || expected[k].Owner < 0) continue;
            var ownerPosition = expected.FindIndex(e => e.Owner < 0 && ReferenceEquals(e.Param, primal.Params[expected[k].Owner]));
            var of = request.Params[ownerPosition].Name;
            var span = request.Params[k].Name;
            // A runtime call (the message is built only when it throws) keeps the generated method's IL small.
            yield return $"global::Dsl.Arguments.SameLength({span}.Length, {of}.Length, \"{span}\", \"{of}\");";
        }
    }

    /// <summary>
    /// Argument checks against aliasing: a span the generated method writes (an adjoint, a tangent or jet output) must
    /// not share memory with another span argument of the same element type. The generated code reads its inputs after
    /// it has started writing its outputs (a gradient clears its adjoints first), so <c>Gradient(x, xBar: x)</c> would
    /// silently return wrong numbers; it throws instead, naming both arguments.
    /// </summary>
    private static IEnumerable<string> AliasingChecks(RequestModel request)
    {
        static string? Element(ParamModel p) =>
            p.RefKind.Length > 0 || p.Type is not { IsBuffer: true, IsDifferentiable: true } t || !IsSpanOrArray(p.TypeText) ? null
            : t.Elem == ScalarKind.F32 ? "float" : "double";
        var spans = request.Params.Where(p => Element(p) is not null).ToList();
        for (var i = 0; i < spans.Count; i++)
        {
            if (spans[i].Type!.Buffer != BufferKind.Span) continue;
            for (var j = 0; j < spans.Count; j++)
            {
                var (output, other) = (spans[i], spans[j]);
                // Each pair once: an output against every input, and two outputs in parameter order.
                if (i == j || Element(output) != Element(other) || (other.Type!.Buffer == BufferKind.Span && j < i)) continue;
                // An array converts to either overload's span: it is cast to the read-only one.
                var otherText = other.TypeText.EndsWith("[]", StringComparison.Ordinal)
                    ? $"(global::System.ReadOnlySpan<{Element(other)}>){other.Identifier}"
                    : other.Identifier;
                yield return $"global::Dsl.Arguments.Disjoint<{Element(output)}>({output.Identifier}, {otherText}, " +
                    $"\"{output.Name}\", \"{other.Name}\", \"{request.Name}\");";
            }
        }
    }

    private static bool IsSpanOrArray(string typeText) =>
        typeText.Contains("Span<") || typeText.EndsWith("[]", StringComparison.Ordinal);

    /// <summary>"Taylor mode of order 2, 4 jets sharing one primal pass" for a Taylor helper.</summary>
    private static string TaylorKind(FunctionKey key)
    {
        var oneHot = key.OneHot ? ", each along a unit vector e_i given by its index" : "";
        return key.Lanes != 1
            ? $"Taylor mode of order {key.Order}, {key.Lanes} jets sharing one primal pass{oneHot},"
            : $"Taylor mode of order {key.Order} (one jet{(key.OneHot ? " along a unit vector e_i given by its index" : "")})";
    }

    private static MethodShape ShapeOfHelper(Function fn, string name, Dictionary<FunctionKey, PrimalModel> byKey)
    {
        var names = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        string Unique(string n)
        {
            if (n.Length == 0) n = "arg";
            n = ParamModel.Escape(n);
            var candidate = n;
            for (var k = 1; !taken.Add(candidate); k++) candidate = n + "_" + k;
            return candidate;
        }
        var parameters = new List<string>();
        foreach (var p in fn.Params)
        {
            var n = Unique(p.Name);
            names.Add(n);
            parameters.Add(SourceFileEmitter.ParamTypeText(p.Type) + " " + n);
        }
        var yields = fn.Body.Yields;
        var outs = new List<string>();
        for (var k = 1; k < yields.Count; k++)
        {
            var n = Unique(yields[k].Name.Length > 0 ? yields[k].Name : "result_dot");
            outs.Add(n);
            parameters.Add("out " + SourceFileEmitter.ParamTypeText(yields[k].Type) + " " + n);
        }
        var ret = yields.Count == 0 ? "void" : SourceFileEmitter.ParamTypeText(yields[0].Type);
        var header = $"{SourceFileEmitter.GeneratedCodeAttribute}\nprivate static {ret} {name}({string.Join(", ", parameters)})";
        // Helpers are transforms of one function: name the primal when it is one.
        var key = fn.Key;
        // Otherwise a built-in rule's method, or (an operator's function) its name without the transform's suffix
        // (U_Laplacian_Pullback_0100 → U_Laplacian).
        var primalName = key.Of is { } of && byKey.TryGetValue(of, out var pm)
            ? pm.Name
            : Rules.BuiltinRules.Describe(key.Of)
                ?? System.Text.RegularExpressions.Regex.Replace(fn.Name, "_(Gradient|Pullback|Vjp)(_[01]+)?$", "");
        var kind = key.Kind switch
        {
            TransformKind.Jvp => "Forward mode (JVP)",
            TransformKind.Taylor => TaylorKind(key),
            TransformKind.Gradient => "Value and gradient (seed 1, adjoints cleared first)",
            _ => "Pullback (reverse mode, seeded by the caller)",
        };
        var comment = new[] { $"// {kind} of {primalName}, called from the derivatives above." };
        return new MethodShape(header, names, outs, comment, new List<string>());
    }
}
