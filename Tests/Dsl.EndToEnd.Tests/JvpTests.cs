using System;
using System.Linq;
using System.Text;
using Dsl.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Every corpus function at <see cref="PointsPerCase"/> seeded random points and unit
/// directions: the JVP's value against the primal, its tangent against a closed form, finite
/// differences (double) and the double JVP (float). See <see cref="Tolerances"/> for why the
/// tolerances are what they are.
/// </summary>
public class JvpTests
{
    public const int PointsPerCase = 4;

    public static TheoryData<string, int> AllPoints()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases.All)
        {
            for (var i = 0; i < PointsPerCase; i++) data.Add(c.Name, i);
        }
        return data;
    }

    public static TheoryData<string, int> ClosedFormPoints()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases.All.Where(c => c.ClosedForm is not null))
        {
            for (var i = 0; i < PointsPerCase; i++) data.Add(c.Name, i);
        }
        return data;
    }

    /// <summary>
    /// The value a JVP returns is the primal's, bit for bit: forward mode evaluates the same
    /// operations in the same order, in the same precision.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllPoints))]
    public void Jvp_value_equals_primal(string name, int point)
    {
        var c = Cases.Get(name);
        var (x, v) = c.Point(point);

        var primal64 = c.Primal64(x);
        var value64 = c.Jvp64(x, v).Value;
        Assert.True(primal64.SequenceEqual(value64),
            $"double: the JVP returns [{string.Join(", ", value64.Select(e => e.ToString("R")))}], the primal [{string.Join(", ", primal64.Select(e => e.ToString("R")))}]");

        var x32 = Numerics.ToFloat(x);
        var primal32 = c.Primal32(x32);
        var value32 = c.Jvp32(x32, Numerics.ToFloat(v)).Value;
        Assert.True(primal32.SequenceEqual(value32),
            $"float: the JVP returns [{string.Join(", ", value32.Select(e => e.ToString("R")))}], the primal [{string.Join(", ", primal32.Select(e => e.ToString("R")))}]");
    }

    [Theory]
    [MemberData(nameof(ClosedFormPoints))]
    public void Double_tangent_matches_closed_form(string name, int point)
    {
        var c = Cases.Get(name);
        var (x, v) = c.Point(point);

        var expected = c.ClosedForm!(x, v);
        var scale = Numerics.TermScale(d => c.ClosedForm(x, d), v);
        var actual = c.Jvp64(x, v).Tangent;

        AssertClose("closed form", c, point, expected, actual, scale.Select(s => Tolerances.ClosedForm * s).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllPoints))]
    public void Double_tangent_matches_finite_differences(string name, int point)
    {
        var c = Cases.Get(name);
        var (x, v) = c.Point(point);

        var expected = Numerics.DirectionalFiniteDifference(c.Primal64, x, v);
        var scale = Numerics.TermScale(d => Numerics.DirectionalFiniteDifference(c.Primal64, x, d), v);
        var value = c.Primal64(x);
        var actual = c.Jvp64(x, v).Tangent;

        var tolerance = scale.Select((s, k) => Tolerances.FiniteDifference * s + Tolerances.FiniteDifferenceValueFloor * Math.Abs(value[k])).ToArray();
        AssertClose("finite differences", c, point, expected, actual, tolerance);
    }

    [Theory]
    [MemberData(nameof(AllPoints))]
    public void Float_tangent_matches_double(string name, int point)
    {
        var c = Cases.Get(name);
        var (x, v) = c.Point(point);

        var expected = c.Jvp64(x, v).Tangent;
        var scale = Numerics.TermScale(d => c.Jvp64(x, d).Tangent, v);
        var actual = Numerics.ToDouble(c.Jvp32(Numerics.ToFloat(x), Numerics.ToFloat(v)).Tangent);

        AssertClose("the double JVP", c, point, expected, actual, scale.Select(s => Tolerances.Float * c.FloatCondition * s).ToArray());
    }

    private static void AssertClose(string reference, Case c, int point, double[] expected, double[] actual, double[] tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var failed = Enumerable.Range(0, expected.Length)
            .Where(k => !(Math.Abs(actual[k] - expected[k]) <= tolerance[k]))
            .ToList();
        if (failed.Count == 0) return;

        var (x, v) = c.Point(point);
        var message = new StringBuilder($"{c.Name}, point {point}: the JVP's tangent differs from {reference}\n");
        for (var i = 0; i < c.Inputs.Length; i++)
        {
            message.Append($"  {c.Inputs[i].Name} = [{string.Join(", ", x[i].Select(e => e.ToString("R")))}]");
            message.Append($"  d{c.Inputs[i].Name} = [{string.Join(", ", v[i].Select(e => e.ToString("R")))}]\n");
        }
        foreach (var k in failed)
        {
            message.Append($"  output {k}: expected {expected[k]:R}, JVP {actual[k]:R}, |difference| {Math.Abs(actual[k] - expected[k]):E3} > tolerance {tolerance[k]:E3}\n");
        }
        Assert.Fail(message.ToString());
    }
}
