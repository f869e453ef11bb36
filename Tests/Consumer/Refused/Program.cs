using System;
using Dsl;

// A deliberately wrong declaration: G's gradient needs `out double xBar` for its one parameter. .ci/consumer expects
// `dotnet build` to fail with DSL0004 (signature mismatch) and G's expected signature in the message, and no bare CS8795.
Console.WriteLine(Model.GGradient(1.0));

static partial class Model
{
    [Differentiable]
    public static double G(double x)
    {
        return x * x;
    }

    [Gradient(nameof(G))]
    public static partial double GGradient(double x);
}
