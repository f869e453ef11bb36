using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Transforms;

/// <summary>
/// A plan for reading one mixed partial derivative off a single univariate Taylor jet: unit
/// vector e_{i_t} goes into jet slot j_t (zeros elsewhere); the order-k output, k = Σ q_t j_t,
/// divided by k! / Π(q_t! (j_t!)^{q_t}), is ∂^q u / Π ∂x_{i_t}^{q_t} — provided the target is
/// the only way to write k as a sum of parts from the slots used (otherwise other derivatives
/// add in). The plan with the smallest k is chosen.
/// </summary>
internal sealed record JetPlan(IReadOnlyList<(int Coordinate, int Multiplicity, int Slot)> Terms, int Order, double Coefficient)
{
    public const int MaxOrder = 12;

    /// <summary>
    /// Several jets of order |α| combined (see <see cref="JetCombination"/>), chosen when cheaper
    /// than one jet; the slots in <see cref="Terms"/> are then 0 and <see cref="Coefficient"/> 1.
    /// </summary>
    public JetCombination? Combination { get; init; }

    /// <summary>The single-jet order the chosen plan was compared with (0: no single jet of order ≤ 12 isolates the partial).</summary>
    public int SingleJetOrder { get; init; }

    /// <summary>How many jets the plan runs.</summary>
    public int Jets => Combination?.Directions.Count ?? 1;

    /// <summary>Jets × order, the measure plans are compared by (one jet of order 5 costs 5, two of order 2 cost 4).</summary>
    public int Cost => Jets * Order;

    /// <summary>
    /// The cheapest plan for the multiset of coordinates: one jet with spread slots (<see cref="Find"/>)
    /// or a combination of jets of order |α| (<see cref="JetCombination.Find"/>), the single jet on a tie
    /// (one call); null when neither exists.
    /// </summary>
    public static JetPlan? Choose(IReadOnlyList<int> coordinates)
    {
        var single = Find(coordinates);
        var combination = JetCombination.Find(coordinates);
        var singleOrder = single?.Order ?? 0;
        if (combination is null || (single is not null && single.Order <= combination.Cost))
            return single is null ? null : single with { SingleJetOrder = singleOrder };
        var terms = combination.Coordinates.Select((c, i) => (c, combination.Exponents[i], 0)).ToList();
        return new JetPlan(terms, combination.Order, 1) { Combination = combination, SingleJetOrder = singleOrder };
    }

    /// <summary>Finds the plan for the multiset of coordinates, or null when no plan of order ≤ 12 exists.</summary>
    public static JetPlan? Find(IReadOnlyList<int> coordinates)
    {
        var groups = coordinates.GroupBy(c => c).OrderBy(g => g.Key).Select(g => (Coordinate: g.Key, Multiplicity: g.Count())).ToList();
        JetPlan? best = null;
        var slots = new int[groups.Count];
        // Distinct slots make k ≥ Σ multiplicities; past 12 no plan exists, and without the bound
        // on the running sum the search walks 12!/(12 − g)! assignments for g distinct coordinates.
        if (coordinates.Count > MaxOrder) return null;
        void Search(int t, HashSet<int> used, int sum)
        {
            if (t == groups.Count)
            {
                var k = groups.Select((g, i) => g.Multiplicity * slots[i]).Sum();
                if (k > MaxOrder || (best is not null && k >= best.Order)) return;
                if (CountPartitions(k, slots, 0) != 1) return;
                double coefficient = Factorial(k);
                for (var i = 0; i < groups.Count; i++)
                    coefficient /= Factorial(groups[i].Multiplicity) * System.Math.Pow(Factorial(slots[i]), groups[i].Multiplicity);
                best = new JetPlan(groups.Select((g, i) => (g.Coordinate, g.Multiplicity, slots[i])).ToList(), k, coefficient);
                return;
            }
            for (var s = 1; sum + groups[t].Multiplicity * s <= MaxOrder; s++)
            {
                if (used.Contains(s)) continue;
                slots[t] = s;
                used.Add(s);
                Search(t + 1, used, sum + groups[t].Multiplicity * s);
                used.Remove(s);
            }
        }
        Search(0, new HashSet<int>(), 0);
        return best;
    }

    /// <summary>Ways to write <paramref name="k"/> as a multiset of parts taken from <paramref name="parts"/>[from..].</summary>
    private static int CountPartitions(int k, int[] parts, int from)
    {
        if (k == 0) return 1;
        if (from == parts.Length) return 0;
        var count = 0;
        for (var m = 0; m * parts[from] <= k; m++) count += CountPartitions(k - m * parts[from], parts, from + 1);
        return count;
    }

    private static double Factorial(int n)
    {
        double f = 1;
        for (var i = 2; i <= n; i++) f *= i;
        return f;
    }
}
