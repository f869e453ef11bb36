using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Dsl;

namespace ForwardGradientSample;

/// <summary>
/// Trains one MLP classifier on three interleaved spirals three ways — backprop, weight-perturbation
/// forward gradients, activity-perturbation forward gradients with local losses — each with Adam at
/// the learning rate a short sweep picks, and compares loss, test accuracy, wall time and how well
/// each estimate points along the true gradient.
/// </summary>
public static class Program
{
    private sealed record Options(int Steps, int Batch, double TargetLoss, long Seed, string Plot, bool Sgd);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Main(string[] args)
    {
        try
        {
            Run(Parse(args));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("options: --steps N (6000) --batch N (32) --target-loss X (0.5) --seed N (1) --plot FILE " +
                "--optimizer adam|sgd (adam)");
            return 2;
        }
        return 0;
    }

    private static Options Parse(string[] args)
    {
        Options o = new(Steps: 6000, Batch: 32, TargetLoss: 0.5, Seed: 1, Plot: "forward-gradient.png", Sgd: false);
        if (args.Length % 2 != 0) throw new ArgumentException($"option {args[^1]} needs a value");
        for (int i = 0; i < args.Length; i += 2)
        {
            string v = args[i + 1];
            o = args[i] switch
            {
                "--steps" => o with { Steps = int.Parse(v, Inv) },
                "--batch" => o with { Batch = int.Parse(v, Inv) },
                "--target-loss" => o with { TargetLoss = double.Parse(v, Inv) },
                "--seed" => o with { Seed = long.Parse(v, Inv) },
                "--plot" => o with { Plot = v },
                "--optimizer" => o with
                {
                    Sgd = v switch { "sgd" => true, "adam" => false, _ => throw new ArgumentException("--optimizer is adam or sgd") },
                },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Steps < 1 || o.Batch < 1) throw new ArgumentException("--steps and --batch must be positive");
        return o;
    }

    private static void Run(Options o)
    {
        var train = Spirals.Make(1500, new Probes(o.Seed, 1));
        var test = Spirals.Make(600, new Probes(o.Seed, 2));
        Console.WriteLine($"Three spirals: {train.Count} training and {test.Count} test points; MLP {Mlp.In} -> {Mlp.H} -> {Mlp.H} -> " +
            $"{Mlp.C} (tanh), p = {Mlp.P:N0} parameters; batch {o.Batch}, {(o.Sgd ? "SGD" : "Adam")}, seed {o.Seed}");
        // The sweep: every method runs the full budget at each of these learning rates; the rate with the lowest mean
        // training loss over the last fifth of its run wins (the curves are noisy, so one end point would pick by luck).
        var rates = o.Sgd ? new[] { 3e-4, 3e-3, 3e-2, 3e-1, 3.0 } : new[] { 3e-3, 1e-2, 3e-2, 1e-1 };
        var methods = new Method[] { new Backprop(), new WeightPerturbation(1), new WeightPerturbation(16), new ActivityPerturbation(),
            new LocalGuess() };
        var runs = new List<Run>();
        foreach (var method in methods)
        {
            var sweep = rates.Select(r => Train(method, r, o, train, test, o.Steps)).ToList();
            var best = sweep.OrderBy(r => double.IsNaN(r.TailLoss) ? double.PositiveInfinity : r.TailLoss).First();
            Console.WriteLine($"{method.Name}: mean training loss over the last fifth, " +
                string.Join(", ", sweep.Select(r => $"lr {r.Rate.ToString("G2", Inv)}: {r.TailLoss.ToString("F3", Inv)}")) +
                $" -> lr {best.Rate.ToString("G2", Inv)}");
            runs.Add(best);
        }
        Report(runs, o);
        Plots.Write(runs, o.Plot);
        Console.WriteLine($"plot: {System.IO.Path.GetFullPath(o.Plot)}");
    }

    /// <summary>One training run: the curve, the wall time of the steps alone, the per-layer cosine similarities.</summary>
    private static Run Train(Method method, double rate, Options o, Spirals train, Spirals test, int steps)
    {
        var parameters = new double[method.ParameterCount];
        Mlp.Initialize(parameters.AsSpan(0, Mlp.P), new Probes(o.Seed, 3));
        method.InitializeExtra(parameters.AsSpan(Mlp.P), new Probes(o.Seed, 4));
        var adam = new Adam(parameters.Length, rate);
        var sgd = new Sgd(rate);
        var grad = new double[parameters.Length];
        var exact = new double[Mlp.P];
        var batches = new Probes(o.Seed, 5);
        var tangents = new Probes(o.Seed, 6);
        var xs = new double[o.Batch * Mlp.In];
        var ys = new double[o.Batch * Mlp.C];
        var run = new Run(method.Name, rate);
        int every = Math.Max(1, steps / 100);
        var clock = new Stopwatch();
        var cosines = new double[Mlp.Layers.Length];
        int cosineCount = 0;
        run.Points.Add(Evaluate(0, 0, parameters, train, test));
        bool progress = !Console.IsOutputRedirected;
        for (int step = 1; step <= steps; step++)
        {
            train.Batch(batches, xs, ys);
            clock.Start();
            method.Gradient(parameters, xs, ys, grad, tangents);
            if (o.Sgd) sgd.Step(parameters, grad);
            else adam.Step(parameters, grad);
            clock.Stop();
            if (step % every != 0 && step != steps) continue;
            var point = Evaluate(step, clock.Elapsed.TotalSeconds, parameters, train, test);
            run.Points.Add(point);
            if (method is not Backprop)
            {
                // Cosine of a fresh estimate to the exact gradient of the same batch, per layer.
                train.Batch(batches, xs, ys);
                Mlp.LossGradient(parameters.AsSpan(0, Mlp.P), xs, ys, exact);
                method.Gradient(parameters, xs, ys, grad, new Probes(o.Seed, 1000 + step));
                for (int l = 0; l < Mlp.Layers.Length; l++)
                {
                    var (_, start, length) = Mlp.Layers[l];
                    cosines[l] += Tangents.CosineSimilarity(grad.AsSpan(start, length), exact.AsSpan(start, length));
                }
                cosineCount++;
            }
            if (progress)
            {
                int width = 30, done = width * step / steps;
                Console.Write($"\r{method.Name,-50} lr {rate,-6:G2} [{new string('#', done)}{new string('.', width - done)}] step {step}/{steps} " +
                    $"loss {point.TrainLoss:F3} test acc {point.TestAccuracy:P1} {point.Seconds:F1} s   ");
            }
        }
        if (progress) Console.Write("\r" + new string(' ', Console.WindowWidth > 1 ? Console.WindowWidth - 1 : 150) + "\r");
        run.Cosines = cosineCount == 0 ? Enumerable.Repeat(1.0, cosines.Length).ToArray() : cosines.Select(c => c / cosineCount).ToArray();
        run.SecondsPerStep = clock.Elapsed.TotalSeconds / steps;
        return run;
    }

    private static Point Evaluate(int step, double seconds, double[] parameters, Spirals train, Spirals test)
    {
        var theta = parameters.AsSpan(0, Mlp.P);
        return new Point(step, seconds, Mlp.Loss(theta, train.Xs, train.Ys), test.Accuracy(theta));
    }

    private static void Report(List<Run> runs, Options o)
    {
        Console.WriteLine();
        Console.WriteLine($"{"method",-50} {"lr",7} {"loss",7} {"test acc",8} {"ms/step",8} {$"steps to {o.TargetLoss:F2}",14} " +
            $"{$"s to {o.TargetLoss:F2}",10}  cos(estimate, gradient) by layer");
        foreach (var r in runs)
        {
            var last = r.Points[^1];
            var hit = r.Points.FirstOrDefault(p => p.TrainLoss <= o.TargetLoss);
            string steps = hit is null ? "not reached" : hit.Step.ToString(Inv);
            string secs = hit is null ? "-" : hit.Seconds.ToString("F2", Inv);
            Console.WriteLine($"{r.Name,-50} {r.Rate.ToString("G2", Inv),7} {last.TrainLoss,7:F3} {last.TestAccuracy,8:P1} " +
                $"{r.SecondsPerStep * 1e3,8:F3} {steps,14} {secs,10}  {string.Join(" ", r.Cosines.Select(c => c.ToString("F3", Inv)))}");
        }
    }
}

/// <summary>A point of a training curve: step, training seconds so far, full training loss, test accuracy.</summary>
public sealed record Point(int Step, double Seconds, double TrainLoss, double TestAccuracy);

/// <summary>One method's run.</summary>
public sealed class Run
{
    public Run(string name, double rate)
    {
        Name = name;
        Rate = rate;
    }

    public string Name { get; }
    public double Rate { get; }
    public List<Point> Points { get; } = new();
    public double[] Cosines { get; set; } = Array.Empty<double>();
    public double SecondsPerStep { get; set; }

    /// <summary>Mean training loss over the last fifth of the run's checkpoints.</summary>
    public double TailLoss
    {
        get
        {
            var tail = Points.Skip(Points.Count - Math.Max(1, Points.Count / 5)).ToList();
            return tail.Average(p => p.TrainLoss);
        }
    }
}
