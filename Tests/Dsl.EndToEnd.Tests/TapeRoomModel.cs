using System;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Σ_r log Σ_i exp x[r·n + i]: per row, the inner loop saves one exp per iteration for the reverse sweep and the row's
/// sum is saved after it, so that with n = 256 the first row's pushes fill a fresh tape (room for 256 doubles) exactly and
/// the push after the loop needs one more.
/// </summary>
public static partial class TapeRoomModel
{
    [Differentiable]
    public static double RowLogSumExp(ReadOnlySpan<double> x, int rows)
    {
        int n = x.Length / rows;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            double se = 0;
            for (int i = 0; i < n; i++)
            {
                se += Math.Exp(x[r * n + i]);
            }
            total += Math.Log(se);
        }
        return total;
    }

    [Gradient(nameof(RowLogSumExp), Wrt = "x")]
    public static partial double RowLogSumExpGradient(ReadOnlySpan<double> x, int rows, Span<double> xBar);
}
