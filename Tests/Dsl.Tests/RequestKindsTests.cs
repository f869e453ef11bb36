using System;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// The request-kinds table against the runtime it mirrors, and the typed function keys
/// against the text they stand for (names and helper order are derived from that text).
/// </summary>
public class RequestKindsTests
{
    [Fact]
    public void EveryKindHasOneRowAndEveryRowARuntimeAttribute()
    {
        var kinds = Enum.GetValues(typeof(RequestKind)).Cast<RequestKind>().ToList();
        Assert.Equal(kinds.OrderBy(k => k), RequestKinds.All.Select(r => r.Kind).OrderBy(k => k));
        var runtime = typeof(TransformAttribute).Assembly;
        foreach (var row in RequestKinds.All)
        {
            var attribute = runtime.GetType(row.Attribute);
            Assert.True(attribute is not null && attribute.IsSubclassOf(typeof(TransformAttribute)), $"{row.Attribute} is not a runtime attribute");
            Assert.Same(row, RequestKinds.ForAttribute(row.Attribute));
            Assert.Equal(row.Kind + "Requests", row.TrackingName);
        }
    }

    [Fact]
    public void StepNamesListTheRowsInTableOrder()
    {
        var rows = RequestKinds.All.Select(r => r.TrackingName).ToArray();
        Assert.Equal(new[] { "Primals", "AllPrimals" }.Concat(rows).Concat(new[] { "AllRequests", "TypeRequests", "RequestInputs", "RequestParts", "Generated" }),
            DslGenerator.StepNames);
    }

    [Fact]
    public void EstimatorMirrorsTheRuntimeEnum()
    {
        var runtime = Enum.GetValues(typeof(Estimator)).Cast<Estimator>().Select(e => (e.ToString(), (int)e));
        var model = Enum.GetValues(typeof(Dsl.Generator.Frontend.Estimator)).Cast<Dsl.Generator.Frontend.Estimator>()
            .Select(e => (e.ToString(), (int)e));
        Assert.Equal(runtime, model);
    }

    [Fact]
    public void FunctionKeysPrintTheirTransforms()
    {
        var f = FunctionKey.Primal("global::P.F(double, global::System.ReadOnlySpan<double>)");
        var mask = new[] { true, false };
        Assert.Equal("global::P.F", f.QualifiedName);
        Assert.Equal("jvp[10]:" + f, FunctionKey.Jvp(f, mask).ToString());
        Assert.Equal("grad[10]:" + f, FunctionKey.Gradient(f, mask).ToString());
        Assert.Equal("vjpentry[10]:" + f, FunctionKey.Vjp(f, mask).ToString());
        Assert.Equal("vjp[01]:jvp[10]:" + f, FunctionKey.Pullback(FunctionKey.Jvp(f, mask), new[] { false, true }).ToString());
        Assert.Equal("taylor2[10]:" + f, FunctionKey.Taylor(f, mask, 2, 1).ToString());
        Assert.Equal("taylor4x3[10]:" + f + ":slots1:onehot:entry", FunctionKey.TaylorEntry(f, mask, 4, 3, new[] { 1 }, oneHot: true).ToString());
        Assert.Equal("taylor2[10]:" + f + ":entry", FunctionKey.TaylorEntry(f, mask, 2, 1, new[] { 1, 2 }, oneHot: false).ToString());
    }

    [Fact]
    public void KeysAreEqualExactlyWhenTheirTextIs()
    {
        FunctionKey f = "P.F(double)";
        var all = FunctionKey.TaylorEntry(f, new[] { true }, 2, 1, new[] { 1, 2 }, oneHot: false);
        var again = FunctionKey.TaylorEntry(FunctionKey.Primal("P.F(double)"), new[] { true }, 2, 1, Enumerable.Range(1, 2).ToList(), oneHot: false);
        Assert.Equal(all, again);
        Assert.Equal(all.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(all, FunctionKey.TaylorEntry(f, new[] { true }, 2, 1, new[] { 1 }, oneHot: false));
        Assert.NotEqual(FunctionKey.Gradient(f, new[] { true }), FunctionKey.Vjp(f, new[] { true }));
        Assert.True(FunctionKey.Ordinal.Compare(FunctionKey.Gradient(f, new[] { true }), FunctionKey.Jvp(f, new[] { true })) < 0);
    }
}
