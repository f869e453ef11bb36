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

    /// <summary>
    /// A loop of pushes (the exps), then rows of a matrix–vector product whose forward sweep is jammed four rows at a time
    /// with a remainder (each row's y saved), then a loop over another range (each exp saved): one reservation
    /// before the first loop makes room for all three.
    /// </summary>
    [Differentiable]
    public static double ExpsThenRows(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> z)
    {
        int n = x.Length;
        int rows = w.Length / n;
        int m = z.Length;
        double se = 0;
        for (int i = 0; i < n; i++)
        {
            se += Math.Exp(x[i]);
        }
        double sq = 0;
        for (int j = 0; j < rows; j++)
        {
            double y = 0;
            for (int i = 0; i < n; i++)
            {
                y += w[j * n + i] * x[i];
            }
            sq += y * y;
        }
        double t = 0;
        for (int k = 0; k < m; k++)
        {
            t += Math.Exp(z[k] * x[0]);
        }
        return Math.Log(se) * sq + t;
    }

    [Gradient(nameof(ExpsThenRows), Wrt = "w, x, z")]
    public static partial double ExpsThenRowsGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> z,
        Span<double> wBar, Span<double> xBar, Span<double> zBar);
}
