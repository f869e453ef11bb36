using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator.Frontend.Kinds;

/// <summary><c>[Derivative]</c>: one mixed partial, such as "x[0] x[0] x[1]", off one Taylor jet (see <see cref="JetPlan"/>).</summary>
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
        jet = JetPlan.Find(coordinates);
        if (jet is null)
            return Failures.Tag(DslDiagnostics.NoJetPlan, $"[Derivative] on '{request.Name}': no single Taylor jet of order ≤ " +
                $"{JetPlan.MaxOrder} isolates '{request.Partial}' (every slot assignment lets other derivatives of the same order mix in)");
        return null;
    }

    public override Module Build(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup) =>
        Operators.Partial(plan.Primal.Ir!, Wrt(plan.Active), plan.Jet!, request.Key, plan.Primal.Ir!.Name + "_Partial", lookup);

    public override string Describe(RequestModel request, TransformPlan plan) =>
        $"partial derivative {request.Partial} from one Taylor jet of order {plan.Jet!.Order}: " +
        string.Join(", ", plan.Jet.Terms.Select(t => $"e_{t.Coordinate} in slot {t.Slot}")) + $", divided by {plan.Jet.Coefficient}";

    public override IEnumerable<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var x = request.Params[Wrt(plan.Active)].Identifier;
        var max = plan.Jet!.Terms.Max(t => t.Coordinate);
        yield return ArgumentCheck($"{x}.Length <= {max}",
            $"'{x}' must have more than {max} elements for the partial {request.Partial}, but has {{{x}.Length}}.", x);
    }
}
