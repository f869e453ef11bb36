using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;
using Xunit;

namespace Dsl.Tests.Infrastructure;

/// <summary>The Math rows of <see cref="Primitives"/> as test cases: their ids, F(x0..) = Math.Name(x0..) lowered, points in their domain.</summary>
internal static class PrimitiveRows
{
    /// <summary>One id (<c>Name/arity</c>) per row with a CLR name.</summary>
    public static TheoryData<string> Math()
    {
        var d = new TheoryData<string>();
        foreach (var p in Primitives.All.Where(p => p.ClrName is not null)) d.Add(p.ClrName + "/" + p.Arity);
        return d;
    }

    public static Primitive Row(string id)
    {
        var parts = id.Split('/');
        return Primitives.FromClr(parts[0], int.Parse(parts[1]))!;
    }

    private static string Params(int n, string type) => string.Join(", ", Enumerable.Range(0, n).Select(i => $"{type} x{i}"));

    private static string Args(int n) => string.Join(", ", Enumerable.Range(0, n).Select(i => $"x{i}"));

    /// <summary>The primal F(x0..) = Math.Name(x0..) lowered to IR.</summary>
    public static Function Lower(Primitive row, string type = "double", string math = "Math")
    {
        var source = "using System;\nusing Dsl;\npublic static partial class P\n{\n"
            + $"    [Differentiable] public static {type} F({Params(row.Arity, type)}) => {math}.{row.ClrName}({Args(row.Arity)});\n}}\n";
        var primal = Pipeline.LowerAll(source)["F"];
        Assert.True(primal.Failure is null, primal.Failure);
        Assert.Empty(Verifier.Verify(primal.Ir!));
        return primal.Ir!;
    }

    /// <summary>Seeded points inside the row's domain.</summary>
    public static IEnumerable<double[]> Points(Primitive row, int count = 3)
    {
        var rng = new Random(row.ClrName!.Length * 7919 + row.Arity);
        for (var n = 0; n < count; n++) yield return row.Domain.Select(d => d.Lo + (d.Hi - d.Lo) * rng.NextDouble()).ToArray();
    }
}
