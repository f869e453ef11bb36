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

    /// <summary>Finds the plan for the multiset of coordinates, or null when no plan of order ≤ 12 exists.</summary>
    public static JetPlan? Find(IReadOnlyList<int> coordinates)
    {
        var groups = coordinates.GroupBy(c => c).OrderBy(g => g.Key).Select(g => (Coordinate: g.Key, Multiplicity: g.Count())).ToList();
        JetPlan? best = null;
        var slots = new int[groups.Count];
        // sum: the order the slots chosen so far give. Slots are tried in increasing order, so once a slot takes the order past
        // 12 every later one does too. Without that cut, 13 distinct coordinates walked all 12! orderings of the slots (90 s).
        void Search(int t, HashSet<int> used, int sum)
        {
            if (t == groups.Count)
            {
                var k = sum;
                if (k > MaxOrder || (best is not null && k >= best.Order)) return;
                if (CountPartitions(k, slots, 0) != 1) return;
                double coefficient = Factorial(k);
                for (var i = 0; i < groups.Count; i++)
                    coefficient /= Factorial(groups[i].Multiplicity) * System.Math.Pow(Factorial(slots[i]), groups[i].Multiplicity);
                best = new JetPlan(groups.Select((g, i) => (g.Coordinate, g.Multiplicity, slots[i])).ToList(), k, coefficient);
                return;
            }
            for (var s = 1; s <= MaxOrder; s++)
            {
                var next = sum + groups[t].Multiplicity * s;
                if (next > MaxOrder) break;
                if (used.Contains(s)) continue;
                slots[t] = s;
                used.Add(s);
                Search(t + 1, used, next);
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
