using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using Dsl;
using Spectre.Console;

namespace Pinn;

/// <summary>
/// Trains a PINN on the STDE paper's high-dimensional benchmark (two-body exact solution on
/// the unit ball; Allen–Cahn, Poisson or Sine–Gordon), with the Laplacian in the residual
/// estimated by STDE (or computed exactly) by generated Taylor-mode code, and the gradient of
/// the loss with respect to all network parameters by generated reverse mode over it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Options o;
        try
        {
            o = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (o.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }
        KernelDevice device;
        try
        {
            device = KernelDevice.Parse(o.Device, o.Cores);
        }
        catch (KernelDeviceNotFoundException e)
        {
            Console.Error.WriteLine($"--device {o.Device}: {e.Message}");
            Console.Error.WriteLine("hint: --device cpu (the default) trains on the CPU cores; --device cpu-accelerator runs the " +
                "same kernel on ILGPU's CPU accelerator (slow: a check of the kernel path without a GPU).");
            return 3;
        }
        using (device) Run(o, device);
        return 0;
    }

    private static void Run(Options o, KernelDevice device)
    {
        int d = o.Dim, width = o.Width, n = Model.ParameterCount(d, width);
        int pde = o.Pde switch { "allen-cahn" => 0, "poisson" => 1, _ => 2 };

        // The exact solution: c_i ~ N(0, 1), fixed by the seed.
        var c = new double[d - 1];
        new Probes(o.Seed, Streams.Coefficients).FillGaussian(c);
        var exact = new TwoBody(c);

        // Parameters: weights N(0, 1/fan_in) (LeCun normal), biases 0.
        var theta = new float[n];
        Model.InitializeParameters(theta, d, width, new Probes(o.Seed, Streams.Init));

        Console.WriteLine($"PINN  {o.Pde}, two-body solution, d = {d}, network {d} -> {width} -> {width} -> {width} -> 1 (tanh), {n:N0} parameters");
        Console.WriteLine($"      Laplacian: {Describe(o, d)}; batch {o.Batch}, {o.Steps} steps, Adam lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)} -> 0 linearly, seed {o.Seed}");
        Console.WriteLine($"      device: {device.Description}; {KernelLauncher.Chunks(o.Batch)} batch chunks, summed in a fixed order");

        var adam = new Adam(n, learningRate: o.LearningRate, decaySteps: o.Steps);
        using var trainer = new Trainer(o, exact, width, pde, device);
        var grad = new float[n];

        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        double firstLoss = double.NaN, lastLoss = double.NaN, monitorError = double.NaN;
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        int logEvery = Math.Max(1, o.Steps / 20);
        int monitorCount = Math.Min(1000, o.TestPoints);
        var window = new LossWindow(logEvery);
        int stepsDone = 0;
        bool stop = false;
        // Ctrl+C (SIGINT) ends training after the current step; the error is still evaluated.
        Console.CancelKeyPress += (_, e) =>
        {
            if (stop) return;  // a second Ctrl+C terminates
            e.Cancel = true;
            stop = true;
        };

        // One step; every logEvery steps also the error on the first held-out points (a few ms).
        bool TrainStep(int step)
        {
            double loss = trainer.Step(step, theta, grad);
            adam.Step(theta, grad);
            if (step == 0) firstLoss = loss;
            lastLoss = window.Add(loss);
            bool report = (step + 1) % logEvery == 0 || step == 0 || step + 1 == o.Steps;
            if (report) monitorError = trainer.RelativeL2Error(theta, monitorCount);
            stepsDone = step + 1;
            return report;
        }

        if (interactive)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 },
                         new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: o.Steps);
                    for (int step = 0; step < o.Steps && !stop; step++)
                    {
                        TrainStep(step);
                        double itps = (step + 1) / clock.Elapsed.TotalSeconds;
                        task.Description = string.Create(CultureInfo.InvariantCulture,
                            $"loss {lastLoss,9:0.00E+00}  error {monitorError,8:0.0E+00}  {itps,6:F1} it/s");
                        task.Increment(1);
                    }
                });
        }
        else
        {
            Console.WriteLine($"      (a line every {logEvery} steps: mean training loss since the last line, relative L2 error on {monitorCount:N0} held-out points)");
            for (int step = 0; step < o.Steps && !stop; step++)
            {
                if (!TrainStep(step) && !stop) continue;
                double t = clock.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {step + 1,6}/{o.Steps}  loss {lastLoss,10:E3}  error {monitorError,9:E2}  {(step + 1) / t,7:F2} it/s  {t,7:F1} s"));
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (proc.TotalProcessorTime - cpu0).TotalSeconds;

        var evalClock = Stopwatch.StartNew();
        double error = trainer.RelativeL2Error(theta, o.TestPoints);
        int residualPoints = Math.Min(o.TestPoints, Math.Max(100, 10_000 / d));
        var (residual, f2) = trainer.ExactResidual(theta, residualPoints);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training: {stepsDone} steps{(stepsDone < o.Steps ? $" (stopped early, of {o.Steps})" : "")} in {seconds:F1} s = {stepsDone / seconds:F2} it/s (CPU time {cpuSeconds:F1} s: {cpuSeconds / seconds:F2} cores busy on average)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training loss (STDE residual², batch mean): first step {firstLoss:E3}, mean of the last {window.Count} steps {lastLoss:E3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean residual² with the exact Laplacian on {residualPoints:N0} held-out points: {residual:E3} (mean f² {f2:E3})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relative L2 error on {o.TestPoints:N0} held-out uniform points in the unit ball: {error:E3}  (evaluation {evalClock.Elapsed.TotalSeconds:F1} s)"));
    }

    private static string Describe(Options o, int d) => o.Estimator switch
    {
        "exact" => $"exact ({d} Taylor 2-jets per point)",
        "dense" => $"STDE dense Rademacher, {o.Probes} probes per point",
        "gaussian" => $"STDE dense Gaussian, {o.Probes} probes per point",
        _ => $"STDE sparse, {o.Probes} of {d} coordinates per point",
    };

    internal static int Chunks(int batch) => Math.Min(batch, 16);
}

/// <summary>Independent random streams of one seed, so every draw is reproducible.</summary>
internal static class Streams
{
    public const long Coefficients = 1, Init = 2, TestPoints = 3;
    public static long ResidualPoints(int step) => 1_000_000L + step;
    public static long ProbesOf(int step, int point) => (1L << 40) + (long)step * 65_536 + point;
}

/// <summary>Mean of the last few losses, for the progress display.</summary>
internal sealed class LossWindow(int size)
{
    private readonly double[] _values = new double[size];
    private int _next;

    public int Count { get; private set; }

    public double Add(double x)
    {
        _values[_next] = x;
        _next = (_next + 1) % _values.Length;
        Count = Math.Min(Count + 1, _values.Length);
        double s = 0;
        for (int i = 0; i < Count; i++) s += _values[i];
        return s / Count;
    }
}

/// <summary>
/// One training step: residual points, their source values and probes for the whole batch, then one call
/// of a generated kernel launcher (Kernels.cs), which runs the per-point loss gradients on the device
/// (the CPU cores or an ILGPU accelerator) and sums them over the batch in one fixed order (16 chunks at
/// most, each in item order, the chunks in chunk order), so the result depends neither on the number of
/// cores nor on scheduling.
/// </summary>
internal sealed class Trainer : IDisposable
{
    private readonly Options _o;
    private readonly TwoBody _exact;
    private readonly int _width, _pde, _d, _chunks, _probeRow;
    private readonly float[] _points, _f, _probes;
    private readonly KernelLauncher _launcher;
    private readonly Func<float[], float[], float> _run;
    private readonly float[] _testPoints;
    private readonly double[] _testU;
    private readonly Model.UBatchLauncher _uLauncher;
    private readonly float[] _testModel;

    public Trainer(Options o, TwoBody exact, int width, int pde, KernelDevice device)
    {
        _o = o;
        _exact = exact;
        _width = width;
        _pde = pde;
        _d = exact.Dimension;
        _chunks = Program.Chunks(o.Batch);
        // The batch's inputs, kept between steps: one row of x, one f and one row of probes per point.
        _points = new float[o.Batch * _d];
        _f = new float[o.Batch];
        _probeRow = o.Estimator == "exact" ? 0 : o.Probes * _d;
        _probes = new float[o.Batch * _probeRow];
        (_launcher, _run) = Launcher(device);
        // Held-out points, uniform in the ball, from their own stream; the progress lines use the
        // first ones, the final error all of them.
        _testPoints = new float[o.TestPoints * _d];
        new Probes(o.Seed, Streams.TestPoints).FillUniformBall(_testPoints, _d);
        _testU = new double[o.TestPoints];
        for (int i = 0; i < o.TestPoints; i++) _testU[i] = exact.Value(new ReadOnlySpan<float>(_testPoints, i * _d, _d));
        // u_θ at the held-out points through the same device as the step (on the CPU: 8 points per call in lanes).
        _uLauncher = new Model.UBatchLauncher(device);
        _testModel = new float[o.TestPoints];
    }

    // The estimator's launcher, and its call over the batch (θ, gradient sum) -> loss sum.
    private (KernelLauncher, Func<float[], float[], float>) Launcher(KernelDevice device)
    {
        int n = _o.Batch;
        switch (_o.Estimator)
        {
            case "exact":
                var exact = new Model.LossExactGradBatchLauncher(device);
                return (exact, (theta, grad) => exact.Run(n, _points, theta, _width, _f, _pde, grad));
            case "sparse":
                var sparse = new Model.LossSparseGradBatchLauncher(device);
                return (sparse, (theta, grad) => sparse.Run(n, _points, theta, _width, _probes, _f, _pde, grad));
            default:
                var dense = new Model.LossDenseGradBatchLauncher(device);
                return (dense, (theta, grad) => dense.Run(n, _points, theta, _width, _probes, _f, _pde, grad));
        }
    }

    /// <summary>Writes the batch-mean gradient into <paramref name="grad"/>; returns the batch-mean loss.</summary>
    public double Step(int step, float[] theta, float[] grad)
    {
        int d = _d, batch = _o.Batch, v = _o.Probes;
        new Probes(_o.Seed, Streams.ResidualPoints(step)).FillUniformBall(_points, d);
        var rng = new Probes(0);
        for (int i = 0; i < batch; i++)
        {
            _f[i] = (float)Source(_points.AsSpan(i * d, d));
            if (_probeRow == 0) continue;
            // Each point's probes from its own stream, so they do not depend on how the batch is split.
            rng.Reseed(_o.Seed, Streams.ProbesOf(step, i));
            var probes = _probes.AsSpan(i * _probeRow, _probeRow);
            switch (_o.Estimator)
            {
                case "sparse": rng.FillSparseCoordinates(probes, d, v); break;
                case "gaussian": rng.FillGaussian(probes); break;
                default: rng.FillRademacher(probes); break;
            }
        }
        // The launcher returns the summed loss and writes the summed gradient, each rounded once to float.
        float loss = _run(theta, grad);
        for (int k = 0; k < grad.Length; k++) grad[k] /= batch;
        return (double)loss / batch;
    }

    public void Dispose()
    {
        _launcher.Dispose();
        _uLauncher.Dispose();
    }

    /// <summary>The source term f of the chosen PDE, from the exact solution and its analytic Laplacian.</summary>
    public double Source(ReadOnlySpan<float> x)
    {
        double u = _exact.Value(x), lap = _exact.Laplacian(x);
        return _pde switch
        {
            0 => lap + u - u * u * u,   // Allen–Cahn: Δu + u − u³ = f
            1 => -lap,                   // Poisson: −Δu = f
            _ => lap + Math.Sin(u),      // Sine–Gordon: Δu + sin u = f
        };
    }

    /// <summary>‖u_θ − u‖₂ / ‖u‖₂ over the first <paramref name="count"/> held-out points.</summary>
    public double RelativeL2Error(float[] theta, int count)
    {
        count = Math.Min(count, _testU.Length);
        _uLauncher.Run(count, _testPoints.AsMemory(0, count * _d), theta, _width, _testModel.AsMemory(0, count));
        double num = 0, den = 0;
        for (int i = 0; i < count; i++)
        {
            double e = _testModel[i] - _testU[i];
            num += e * e;
            den += _testU[i] * _testU[i];
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>
    /// Mean squared PDE residual with the exact Laplacian (d Taylor jets per point) over the first
    /// <paramref name="count"/> held-out points, and the same for u = 0 (i.e. the mean of f²), for scale.
    /// </summary>
    public (double residual, double sourceSquared) ExactResidual(float[] theta, int count)
    {
        count = Math.Min(count, _testU.Length);
        var (num, den) = SumOverChunks(count, (lo, hi) =>
        {
            double a = 0, b = 0;
            for (int i = lo; i < hi; i++)
            {
                var x = new ReadOnlySpan<float>(_testPoints, i * _d, _d);
                float f = (float)Source(x);
                float r = Model.Residual(Model.ULapExact(x, theta, _width), Model.U(x, theta, _width), f, _pde);
                a += (double)r * r;
                b += (double)f * f;
            }
            return (a, b);
        });
        return (num / count, den / count);
    }

    private (double, double) SumOverChunks(int count, Func<int, int, (double, double)> body)
    {
        var parts = new (double, double)[_chunks];
        Parallel.For(0, _chunks, chunk =>
        {
            int lo = (int)((long)count * chunk / _chunks), hi = (int)((long)count * (chunk + 1) / _chunks);
            parts[chunk] = body(lo, hi);
        });
        double sa = 0, sb = 0;
        foreach (var (a, b) in parts) { sa += a; sb += b; }
        return (sa, sb);
    }
}

/// <summary>Command-line switches.</summary>
internal sealed class Options
{
    public string Pde = "allen-cahn";
    public int Dim = 10;
    public int Steps = 1500;
    public int Batch = 50;
    public int Probes = 4;
    public string Estimator = "sparse";
    public long Seed = 0;
    public int TestPoints = 20_000;
    public int Width = 128;
    public double LearningRate = 1e-3;
    public string Device = "cpu";
    public int? Cores;
    public bool Help;

    public const string Usage = """
        usage: dotnet run -c Release --project Samples/Pinn -- [switches]
          --pde allen-cahn|poisson|sine-gordon   the PDE (default allen-cahn)
          --dim N          dimension d (default 10)
          --steps N        training steps; the learning rate decays linearly to 0 over them (default 1500)
          --batch N        residual points per step (default 50)
          --probes N       STDE probes per point |J| (default 4; ignored by --estimator exact)
          --estimator dense|sparse|gaussian|exact
                           dense: Rademacher probes; sparse: |J| coordinates without replacement;
                           gaussian: N(0, I) probes; exact: d Taylor 2-jets (default sparse)
          --seed N         seed of every random draw (default 0)
          --test-points N  held-out uniform points for the relative L2 error (default 20000)
          --width N        hidden width (default 128, the paper's)
          --lr X           initial learning rate (default 1e-3)
          --device cpu|cpu-per-item|gpu|cpu-accelerator
                           where the batch's loss gradients run: cpu, the generated C# on the CPU cores,
                           8 points per call in the lanes of a Vector256; cpu-per-item, the same C# one
                           point per call; gpu, the generated ILGPU kernel on the first CUDA GPU;
                           cpu-accelerator, that kernel on ILGPU's CPU accelerator (slow; checks the
                           kernel path without a GPU) (default cpu)
          --cores N        threads of --device cpu and cpu-per-item (default: every core); the sums do not
                           depend on it
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "-h" or "--help") { o.Help = true; continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"switch '{a}' needs a value");
            string v = args[++i];
            switch (a)
            {
                case "--pde":
                    o.Pde = v is "allen-cahn" or "poisson" or "sine-gordon" ? v : throw new ArgumentException($"unknown PDE '{v}'");
                    break;
                case "--dim": o.Dim = Int(a, v, 2); break;
                case "--steps": o.Steps = Int(a, v, 1); break;
                case "--batch": o.Batch = Int(a, v, 1); break;
                case "--probes": o.Probes = Int(a, v, 1); break;
                case "--estimator":
                    o.Estimator = v is "dense" or "sparse" or "gaussian" or "exact" ? v : throw new ArgumentException($"unknown estimator '{v}'");
                    break;
                case "--seed": o.Seed = long.Parse(v, CultureInfo.InvariantCulture); break;
                case "--test-points": o.TestPoints = Int(a, v, 1); break;
                case "--width": o.Width = Int(a, v, 1); break;
                case "--lr": o.LearningRate = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--device":
                    o.Device = v is "cpu" or "cpu-per-item" or "gpu" or "cpu-accelerator" ? v
                        : throw new ArgumentException($"unknown device '{v}'");
                    break;
                case "--cores": o.Cores = Int(a, v, 1); break;
                default: throw new ArgumentException($"unknown switch '{a}'");
            }
        }
        if (o.Estimator == "sparse" && o.Probes > o.Dim)
            throw new ArgumentException($"--probes {o.Probes} exceeds --dim {o.Dim}: sparse STDE draws coordinates without replacement");
        return o;
    }

    private static int Int(string name, string v, int min)
    {
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) || x < min)
            throw new ArgumentException($"switch '{name}' needs an integer >= {min}, got '{v}'");
        return x;
    }
}
