using System;
using ILGPU;

namespace Dsl.Kernel.Tests;

/// <summary>
/// A while loop per item: √a by Newton's method to a relative step of 1e-15, whose number of iterations depends on a, so
/// it differs between the items of a batch (the lanes path runs it per item). Only exact operations (+, −, ×, ÷, Abs): the
/// kernel on the CPU accelerator and the CPU method agree bit for bit.
/// </summary>
public static partial class NewtonItems
{
    [Differentiable]
    public static double Sqrt(double a)
    {
        double x = 1 + a;
        double step = 1;
        while (Math.Abs(step) > 1e-15 * x)
        {
            step = (x * x - a) / (2 * x);
            x -= step;
        }
        return x;
    }

    [Kernel(nameof(Sqrt), PerItem = "a")]
    public static partial void SqrtBatch(Index1D item, ArrayView<double> a, ArrayView<double> result);
}
