using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace ForwardGradientSample;

/// <summary>Training loss and test accuracy against steps (left) and against training seconds (right), one line per method.</summary>
public static class Plots
{
    public static void Write(List<Run> runs, string path)
    {
        var multiplot = new ScottPlot.Multiplot();
        multiplot.AddPlots(4);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        var panels = new (int Index, bool Loss, bool Time)[] { (0, true, false), (1, true, true), (2, false, false), (3, false, true) };
        foreach (var (index, loss, time) in panels)
        {
            var plot = multiplot.GetPlot(index);
            foreach (var run in runs)
            {
                double[] xs = run.Points.Select(p => time ? p.Seconds : p.Step).ToArray();
                double[] ys = run.Points.Select(p => loss ? p.TrainLoss : p.TestAccuracy).ToArray();
                var line = plot.Add.Scatter(xs, ys);
                line.LegendText = run.Name;
                line.MarkerSize = 0;
            }
            plot.XLabel(time ? "training time (s)" : "step");
            plot.YLabel(loss ? "training loss" : "test accuracy");
            if (loss) plot.Axes.SetLimitsY(0, 1.2);
            else plot.Axes.SetLimitsY(0, 1);
            plot.ShowLegend(loss ? Alignment.UpperRight : Alignment.LowerRight);
        }
        multiplot.SavePng(path, 1400, 1000);
    }
}
