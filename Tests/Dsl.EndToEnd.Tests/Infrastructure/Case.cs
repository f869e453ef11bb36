using System;
using System.Linq;

namespace Dsl.EndToEnd.Tests.Infrastructure;

/// <summary>What kind of argument an <see cref="Input"/> is.</summary>
public enum InputKind
{
    /// <summary>A float/double scalar.</summary>
    Real,

    /// <summary>A span or array of float/double.</summary>
    Vector,

    /// <summary>An int (index, count, loop bound): never differentiated.</summary>
    Int,

    /// <summary>A bool (stored as 0/1): never differentiated.</summary>
    Bool,
}

/// <summary>
/// One argument of a primal: its shape, how to sample it, and whether the JVP differentiates
/// it (an inactive argument gets a zero direction, which is what a JVP without its tangent
/// parameter computes).
/// </summary>
public sealed record Input(string Name, InputKind Kind, int Length, Func<Random, double> Sample, bool Active)
{
    /// <summary>A scalar uniform in [lo, hi].</summary>
    public static Input Real(string name, double lo, double hi, bool active = true) =>
        new(name, InputKind.Real, 1, r => lo + (hi - lo) * r.NextDouble(), active);

    /// <summary>A vector of <paramref name="length"/> elements, each uniform in [lo, hi].</summary>
    public static Input Vector(string name, int length, double lo, double hi, bool active = true) =>
        new(name, InputKind.Vector, length, r => lo + (hi - lo) * r.NextDouble(), active);

    /// <summary>A vector whose elements come from <paramref name="sample"/>.</summary>
    public static Input Vector(string name, int length, Func<Random, double> sample, bool active = true) =>
        new(name, InputKind.Vector, length, sample, active);

    /// <summary>An int uniform in [lo, hi] (inclusive).</summary>
    public static Input Int(string name, int lo, int hi) =>
        new(name, InputKind.Int, 1, r => r.Next(lo, hi + 1), Active: false);

    /// <summary>A bool, true or false with equal probability.</summary>
    public static Input Bool(string name) =>
        new(name, InputKind.Bool, 1, r => r.Next(2), Active: false);
}

/// <summary>The value and tangent of a JVP; scalar results are arrays of length one.</summary>
public readonly record struct Jet<T>(T[] Value, T[] Tangent);

/// <summary>
/// One primal of the corpus with adapters that call its double and float versions and their
/// JVPs on arguments packed as arrays (argument i is <c>a[i]</c>; scalars have length one,
/// ints and bools are stored as doubles). Results are arrays too: a scalar return is one
/// element, a void primal returns what it wrote to its Span output.
/// </summary>
public sealed class Case
{
    /// <summary>The primal's name (and the test rows' label).</summary>
    public required string Name { get; init; }

    /// <summary>The primal's arguments, in order.</summary>
    public required Input[] Inputs { get; init; }

    /// <summary>Calls the double primal.</summary>
    public required Func<double[][], double[]> Primal64 { get; init; }

    /// <summary>Calls the double JVP with direction <c>d</c> (zeros for inactive arguments).</summary>
    public required Func<double[][], double[][], Jet<double>> Jvp64 { get; init; }

    /// <summary>Calls the float primal.</summary>
    public required Func<float[][], float[]> Primal32 { get; init; }

    /// <summary>Calls the float JVP.</summary>
    public required Func<float[][], float[][], Jet<float>> Jvp32 { get; init; }

    /// <summary>The directional derivative written by hand, in double; null where it is not easy to write.</summary>
    public Func<double[][], double[][], double[]>? ClosedForm { get; init; }

    /// <summary>
    /// Rejects sample points too close to a kink or jump of the function (Abs at 0, Max ties,
    /// Floor jumps, branch boundaries): the finite-difference stencil (±2h along a unit
    /// direction, h ≈ 1e-3) must not straddle one, and float and double must take the same branch.
    /// </summary>
    public Func<double[][], bool>? Valid { get; init; }

    /// <summary>
    /// The factor κ by which this function amplifies float rounding errors beyond the generic
    /// budget (see <see cref="Tolerances.Float"/>); 1 unless <see cref="FloatConditionReason"/> says why not.
    /// </summary>
    public double FloatCondition { get; init; } = 1;

    /// <summary>Why <see cref="FloatCondition"/> is not 1.</summary>
    public string? FloatConditionReason { get; init; }

    public override string ToString() => Name;

    /// <summary>
    /// Sample point <paramref name="index"/> and a unit direction. Seeded from the case's name
    /// and the index, so every run and every test sees the same points. Values are rounded to
    /// float so that the float and the double functions are evaluated at exactly the same point.
    /// </summary>
    public (double[][] X, double[][] V) Point(int index)
    {
        var rng = new Random(StableHash(Name) ^ (index * 7919 + 17));
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var x = Inputs.Select(input => Enumerable.Range(0, input.Length)
                .Select(_ => (double)(float)input.Sample(rng)).ToArray()).ToArray();
            if (Valid is not null && !Valid(x)) continue;

            // Direction: standard normal on the active entries, scaled to unit length.
            var v = Inputs.Select(input => Enumerable.Range(0, input.Length)
                .Select(_ => input.Active ? Normal(rng) : 0.0).ToArray()).ToArray();
            var norm = Math.Sqrt(v.Sum(a => a.Sum(e => e * e)));
            for (var i = 0; i < v.Length; i++)
            {
                for (var j = 0; j < v[i].Length; j++) v[i][j] = (float)(v[i][j] / norm);
            }
            return (x, v);
        }
        throw new InvalidOperationException($"{Name}: no valid sample point found; the Valid predicate is too strict");
    }

    private static double Normal(Random rng)
    {
        // Box–Muller.
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>FNV-1a: string.GetHashCode is randomized per process.</summary>
    private static int StableHash(string s)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h & 0x7fffffff;
        }
    }
}
