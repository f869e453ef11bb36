using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Dsl.Tests.Infrastructure;

/// <summary>
/// Checks that a generator run is cacheable: run again on a copy of the same compilation, every
/// named step reports Cached or Unchanged and nothing is rewritten; and no step output holds a
/// Roslyn object (a symbol, node or compilation would defeat the equality the cache relies on
/// and keep whole compilations alive in the IDE). <see cref="GeneratorHarness.Run"/> and
/// <see cref="Pipeline.RunTracked"/> apply it to every test, so each case is also an
/// incrementality case.
/// </summary>
public static class Cacheability
{
    /// <summary>The reasons a rerun with equal inputs may report.</summary>
    public static readonly IncrementalStepRunReason[] Quiet = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Compilation), typeof(Location),
        typeof(SyntaxReference), typeof(AttributeData), typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(TypedConstant),
    };

    private static bool IsForbidden(Type t) => Forbidden.Any(f => f.IsAssignableFrom(t));

    /// <summary>
    /// Asserts both properties for a driver that has run (with step tracking) on <paramref name="compilation"/>:
    /// walks the first run's outputs, then reruns on <c>compilation.Clone()</c>, which has the same trees
    /// but is a new compilation, as after an edit elsewhere, and asserts every step is quiet.
    /// </summary>
    public static void AssertCacheable(GeneratorDriver driver, Compilation compilation)
    {
        var first = driver.GetRunResult().Results[0];
        // A generator exception is the test's own failure to report; there are no outputs to compare.
        if (first.Exception is not null) return;
        // With syntax errors in the input the driver runs no step at all (SyntaxErrorUnbalancedBraces): nothing to rerun.
        if (!DslGenerator.StepNames.Any(first.TrackedSteps.ContainsKey)) return;
        AssertNoRoslynObjects(first);
        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results[0];
        Assert.Null(second.Exception);
        AssertQuiet(second);
        Assert.Equal(
            first.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())),
            second.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }

    /// <summary>Every tracked pipeline step that ran produced only cached or unchanged outputs, and no file was rewritten.</summary>
    public static void AssertQuiet(GeneratorRunResult result)
    {
        foreach (var (name, value, reason) in NamedOutputs(result))
            Assert.True(Quiet.Contains(reason), $"step {name} output {reason}: {Describe(value)}");
        Assert.True(DslGenerator.StepNames.Any(result.TrackedSteps.ContainsKey), "no tracked step ran");
        // Nothing new is written either.
        foreach (var (_, reason) in result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs))
            Assert.Contains(reason, Quiet);
    }

    /// <summary>Walks every output of the pipeline's named steps; returns how many outputs were walked.</summary>
    public static int AssertNoRoslynObjects(GeneratorRunResult result)
    {
        var walked = 0;
        foreach (var (name, value, _) in NamedOutputs(result))
        {
            Walk(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            walked++;
        }
        return walked;
    }

    /// <summary>The outputs of the steps named in <see cref="DslGenerator.StepNames"/> (Roslyn's own steps hold syntax by design).</summary>
    private static IEnumerable<(string Name, object Value, IncrementalStepRunReason Reason)> NamedOutputs(GeneratorRunResult result)
    {
        foreach (var name in DslGenerator.StepNames)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps)) continue;
            foreach (var step in steps)
            {
                foreach (var (value, reason) in step.Outputs) yield return (name, value, reason);
            }
        }
    }

    private static string Describe(object? value)
    {
        var text = value?.ToString() ?? "null";
        return text.Length > 200 ? text.Substring(0, 200) + "…" : text;
    }

    /// <summary>Walks a model's object graph: no value and no declared property type may be a Roslyn object.</summary>
    public static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null) return;
        var type = value.GetType();
        Assert.False(IsForbidden(type), $"{path} is a {type.Name}");
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (!type.IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", seen);
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            Assert.False(IsForbidden(property.PropertyType), $"{path}.{property.Name} is declared as {property.PropertyType.Name}");
            Walk(property.GetValue(value), $"{path}.{property.Name}", seen);
        }
        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple", StringComparison.Ordinal) == true)
        {
            foreach (var field in type.GetFields()) Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
