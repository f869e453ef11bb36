using System;
using System.Linq;
using System.Reflection;
using Dsl.EndToEnd.Tests.Corpus;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>Keeps the corpus honest: every primal has a float and a double twin, a JVP and a test case.</summary>
public class CorpusCoverageTests
{
    private static readonly Type[] DoubleTypes = [typeof(Corpus64), typeof(Kernels64)];
    private static readonly Type[] FloatTypes = [typeof(Corpus32), typeof(Kernels32)];

    private static string[] Primals(Type[] types) => types
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is not null)
        .Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    private static string[] JvpTargets(Type[] types) => types
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Select(m => m.GetCustomAttribute<JvpAttribute>()?.Primal)
        .OfType<string>().Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();

    [Fact]
    public void Every_double_primal_has_a_float_twin()
    {
        Assert.Equal(Primals(DoubleTypes), Primals(FloatTypes));
        Assert.Equal(JvpTargets(DoubleTypes), JvpTargets(FloatTypes));
    }

    [Fact]
    public void Every_primal_has_a_jvp_and_a_test_case()
    {
        var primals = Primals(DoubleTypes);
        Assert.True(primals.Length >= 30, $"the corpus has {primals.Length} primals");
        Assert.Equal(primals, JvpTargets(DoubleTypes));
        var tested = Cases.All.Select(c => c.Name.Split(' ')[0]).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(primals, tested);
    }

    [Fact]
    public void Float_condition_factors_are_explained()
    {
        foreach (var c in Cases.All.Where(c => c.FloatCondition != 1))
        {
            Assert.False(string.IsNullOrWhiteSpace(c.FloatConditionReason), $"{c.Name} has κ = {c.FloatCondition} without a reason");
        }
    }
}
