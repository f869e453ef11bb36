using Dsl.Tests.Infrastructure;
using Xunit;

namespace Dsl.Tests;

public class SmokeTests
{
    [Fact]
    public void GeneratesCompilableJvp()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using Dsl;
            public static partial class M
            {
                [Differentiable] public static float Sq(float x) => x * x;
                [Jvp(nameof(Sq))] public static partial float SqJvp(float x, float dx, out float dSq);
            }
            """);
        Assert.Null(result.Exception);
        Assert.Empty(result.Errors);
        var asm = GeneratorHarness.Load(result.Output);
        var m = asm.GetType("M")!.GetMethod("SqJvp")!;
        var args = new object?[] { 3f, 1f, null };
        var y = (float)m.Invoke(null, args)!;
        Assert.Equal(9f, y);
        Assert.Equal(6f, (float)args[2]!);
    }
}
