using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary>
/// <c>[Derivative]</c>: one mixed partial, such as "x[0] x[0] x[1]", off one Taylor jet or a combination of
/// several, whichever costs fewer jets × order (see <see cref="JetPlan.Choose"/>).
/// </summary>
internal sealed class DerivativeRow : JetOperatorRow
{
    public DerivativeRow() : base(RequestKind.Derivative, "Dsl.DerivativeAttribute", "DerivativeRequests") { }

    /// <summary>Parses the partial into coordinates of the Wrt span and finds the jet that isolates it.</summary>
    protected override string? CheckOperator(RequestModel request, PrimalModel primal, bool[] active, out JetPlan? jet)
    {
        jet = null;
        var span = primal.Params[Wrt(active)].Name;
        var coordinates = new List<int>();
        foreach (var token in request.Partial.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var t = token.Trim();
            var digits = t.StartsWith(span + "[", StringComparison.Ordinal) && t.EndsWith("]", StringComparison.Ordinal)
                ? t.Substring(span.Length + 1, t.Length - span.Length - 2)
                : t.StartsWith(span, StringComparison.Ordinal) ? t.Substring(span.Length) : "";
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                return $"[Derivative] on '{request.Name}': '{t}' is not an element of '{span}'; " +
                    $"write the partial as \"{span}[0] {span}[0] {span}[1]\"";
            coordinates.Add(index);
        }
        if (coordinates.Count == 0)
            return $"[Derivative] on '{request.Name}' names no elements; write the partial as \"{span}[0] {span}[1]\"";
        jet = JetPlan.Choose(coordinates);
        if (jet is null)
            return Failures.Tag(DslDiagnostics.NoJetPlan,
                $"[Derivative] on '{request.Name}': '{request.Partial}' has order {coordinates.Count}; no single Taylor jet of order " +
                $"≤ {JetPlan.MaxOrder} isolates it (every slot assignment lets other derivatives of that order mix in), and " +
                $"combinations of jets are generated up to order {JetCombination.MaxOrder} (beyond, up to 2^(order−1) jets with " +
                "weights whose rounding grows with the order); request a [Taylor] jet of that order and combine jets along " +
                "directions of your choosing (docs/mixed-partials.md)");
        return null;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        plan.Jet!.Combination is { } combination
            ? Operators.Combination(plan.Primal.Ir!, Wrt(plan.Active), combination, request.Key, plan.Primal.Ir!.Name + "_Partial", lookup)
            : Operators.Partial(plan.Primal.Ir!, Wrt(plan.Active), plan.Jet!, request.Key, plan.Primal.Ir!.Name + "_Partial", lookup);

    /// <summary>Which plan was chosen and what it cost against the other (jets × order).</summary>
    public override string Describe(RequestModel request, TransformPlan plan)
    {
        var jet = plan.Jet!;
        var single = jet.SingleJetOrder == 0
            ? $"no single jet of order ≤ {JetPlan.MaxOrder} isolates it"
            : $"one jet with spread slots needs order {jet.SingleJetOrder}";
        if (jet.Combination is not { } c)
        {
            var alternative = JetCombination.Find(jet.Terms.SelectMany(t => Enumerable.Repeat(t.Coordinate, t.Multiplicity)).ToList());
            var other = alternative is null ? "" : $"; combining jets would cost {alternative.Directions.Count} × {alternative.Order}";
            return $"partial derivative {request.Partial} from one Taylor jet of order {jet.Order} (cost 1 × {jet.Order}{other}): " +
                string.Join(", ", jet.Terms.Select(t => $"e_{t.Coordinate} in slot {t.Slot}")) + $", divided by {jet.Coefficient}";
        }
        var span = request.Params[Wrt(plan.Active)].Name;
        var over = string.Join(", ", c.Coordinates.Select(i => $"{span}[{i}]"));
        return $"partial derivative {request.Partial} from {c.Directions.Count} Taylor jets of order {c.Order}, y0, y1, … along " +
            string.Join(", ", c.Directions.Select(v => $"({string.Join(", ", v)})")) + $" over ({over}), weights " +
            $"({string.Join(", ", c.Numerators)}) / {c.Denominator} (cost {c.Directions.Count} × {c.Order}; {single}),";
    }

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var x = request.Params[Wrt(plan.Active)].Identifier;
        var max = plan.Jet!.Terms.Max(t => t.Coordinate);
        yield return ArgumentCheck($"{x}.Length <= {max}",
            $"'{x}' must have more than {max} elements for the partial {request.Partial}, but has {{{x}.Length}}.", x);
    }
}
