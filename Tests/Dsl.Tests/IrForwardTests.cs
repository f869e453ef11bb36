using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;
using Dsl.Tests.Infrastructure;
using MathNet.Numerics.Differentiation;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Forward mode at the IR level, without the emitter: primals are lowered from C# (or built
/// with <see cref="IrBuilder"/>), transformed with <see cref="Forward.Jvp"/>, cleaned with
/// <see cref="Simplify"/>, checked with <see cref="Verifier"/>, and the JVP evaluated by the
/// <see cref="Interpreter"/> is compared with central differences of the primal, also
/// evaluated by the interpreter, along a random direction at seeded random points.
/// </summary>
public class IrForwardTests
{
    // ================================================================== harness

    /// <summary>
    /// Double precision: 5-point central differences with h = 1e-3 have a truncation error of
    /// about h⁴·|f⁽⁵⁾|/30 ≈ 3e-14 and a rounding error of about ε·|f|/h ≈ 2e-13, so a correct JVP
    /// agrees to better than 1e-10. 1e-6 (relative, floored at 1 so that derivatives near zero
    /// compare absolutely) leaves room for steep functions and still catches any wrong rule.
    /// </summary>
    private const double Tolerance = 1e-6;

    /// <summary>
    /// Single precision (the interpreter rounds every f32 op): h = 5e-2 keeps rounding noise
    /// (≈ 6e-8·|f|/h ≈ 1e-6) and truncation (≈ h⁴/30 ≈ 2e-7) small; 1e-4 is the float tolerance.
    /// </summary>
    private const double FloatTolerance = 1e-4;

    private static string Source(string members) =>
        "using System;\nusing Dsl;\n\npublic static partial class P\n{\n" + members + "\n}\n";

    private static Dictionary<string, PrimalModel> Lower(string members)
    {
        var primals = Pipeline.LowerAll(Source(members));
        foreach (var p in primals.Values)
        {
            Assert.True(p.Failure is null, p.Failure);
            Assert.Empty(Verifier.Verify(p.Ir!));
        }
        return primals;
    }

    /// <summary>The default activity of the generator: every float parameter and every float buffer.</summary>
    private static bool[] DefaultActive(Function fn) => fn.Params.Select(p => p.Type.IsDifferentiable).ToArray();

    /// <summary>Forward.Jvp then Simplify; both modules must verify.</summary>
    private static Module Jvp(Dictionary<string, PrimalModel> primals, string name, bool[]? active = null)
    {
        var fn = primals[name].Ir!;
        active ??= DefaultActive(fn);
        // Writable spans are outputs: the generator makes them active (SignatureRules).
        for (var i = 0; i < active.Length; i++)
        {
            if (fn.Params[i].Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true }) active[i] = true;
        }
        var byKey = primals.Values.ToDictionary(p => p.Key, p => p.Ir);
        var raw = Forward.Jvp(fn, active, k => byKey.TryGetValue(k, out var f) ? f : null);
        Assert.Empty(Verifier.Verify(raw));
        var simplified = Simplify.Run(raw);
        Assert.Empty(Verifier.Verify(simplified));
        return simplified;
    }

    private static object Copy(object o) => o is double[] a ? a.Clone() : o;

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    private static double[] Vector(Random rng, int n, double lo = -1, double hi = 1) =>
        Enumerable.Range(0, n).Select(_ => Uniform(rng, lo, hi)).ToArray();

    /// <summary>
    /// Checks the JVP of <paramref name="name"/> against central differences at
    /// <paramref name="points"/> seeded random points drawn by <paramref name="sample"/>.
    /// Outputs compared: every returned value and every element of every writable buffer.
    /// </summary>
    private static void CheckJvp(Dictionary<string, PrimalModel> primals, string name, Func<Random, object[]> sample,
        bool[]? active = null, int points = 4, int seed = 12345, bool isFloat = false)
    {
        var fn = primals[name].Ir!;
        var module = Jvp(primals, name, active?.ToArray());
        var jvp = module.Functions[0];
        active = active?.ToArray() ?? DefaultActive(fn);
        for (var i = 0; i < active.Length; i++)
        {
            if (fn.Params[i].Type is { IsBuffer: true, Buffer: BufferKind.Span, IsDifferentiable: true }) active[i] = true;
        }
        var primalModule = new Module(primals.Values.Select(p => p.Ir!).ToEquatableArray());
        var primalRun = new Interpreter(primalModule);
        // Inactive calls stay calls of the primal: the interpreter needs the primals next to the JVPs.
        var jvpRun = new Interpreter(new Module(module.Functions.Concat(primalModule.Functions).ToEquatableArray()));
        var rng = new Random(seed);
        for (var point = 0; point < points; point++)
        {
            var args = sample(rng);
            Assert.Equal(fn.Params.Count, args.Length);
            // A random direction for every differentiated input (and initial tangents of in/out buffers).
            var direction = new object?[args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                if (!active[i] || !fn.Params[i].Type.IsDifferentiable) continue;
                direction[i] = args[i] is double[] a ? Vector(rng, a.Length) : Uniform(rng, -1, 1);
            }

            // The JVP: each differentiated argument followed by its tangent.
            var jvpArgs = new List<object>();
            var tangentBuffers = new Dictionary<int, double[]>();
            var primalBuffers = new Dictionary<int, double[]>();
            for (var i = 0; i < args.Length; i++)
            {
                var value = Copy(args[i]);
                if (value is double[] pb) primalBuffers[i] = pb;
                jvpArgs.Add(value);
                if (direction[i] is { } d)
                {
                    var t = Copy(d);
                    if (t is double[] tb) tangentBuffers[i] = tb;
                    jvpArgs.Add(t);
                }
            }
            var outs = jvpRun.Call(jvp, jvpArgs.ToArray());

            // The primal along the direction: t ↦ f(args + t·direction), one function per output.
            object[] Moved(double t) => args.Select((a, i) => direction[i] switch
            {
                null => Copy(a),
                double[] d => ((double[])a).Select((v, k) => v + t * d[k]).ToArray(),
                var d => (object)((double)a + t * (double)d),
            }).ToArray();
            var writable = Enumerable.Range(0, args.Length)
                .Where(i => fn.Params[i].Type is { IsBuffer: true, Buffer: BufferKind.Span or BufferKind.Stack or BufferKind.Heap }).ToList();
            double Output(double t, int yield, int buffer, int element)
            {
                var moved = Moved(t);
                var results = primalRun.Call(fn, moved);
                return yield >= 0 ? Convert.ToDouble(results[yield]) : ((double[])moved[buffer])[element];
            }

            var nd = new NumericalDerivative(5, 2) { StepType = StepType.Absolute, StepSize = isFloat ? 5e-2 : 1e-3 };
            var tolerance = isFloat ? FloatTolerance : Tolerance;
            var primalOuts = primalRun.Call(fn, args.Select(Copy).ToArray());
            var yields = fn.Body.Yields.Count;
            Assert.Equal(2 * yields, outs.Length);
            for (var k = 0; k < yields; k++)
            {
                // The JVP computes the primal value unchanged...
                AssertClose(Convert.ToDouble(primalOuts[k]), Convert.ToDouble(outs[2 * k]), 1e-12, $"{name} value {k} at point {point}");
                // ...and its tangent.
                var fd = nd.EvaluateDerivative(t => Output(t, k, -1, -1), 0, 1);
                AssertClose(fd, Convert.ToDouble(outs[2 * k + 1]), tolerance, $"{name} tangent {k} at point {point}");
            }
            foreach (var b in writable)
            {
                var length = ((double[])args[b]).Length;
                for (var e = 0; e < length; e++)
                {
                    var fd = nd.EvaluateDerivative(t => Output(t, -1, b, e), 0, 1);
                    AssertClose(fd, tangentBuffers[b][e], tolerance, $"{name} d{fn.Params[b].Name}[{e}] at point {point}");
                }
            }
        }
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        var scale = Math.Max(1.0, Math.Max(Math.Abs(expected), Math.Abs(actual)));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static IEnumerable<Op> AllOps(Region r) => r.Ops.SelectMany(op => new[] { op }.Concat(op.Regions.SelectMany(AllOps)));

    private static IEnumerable<Op> AllOps(Function f) => AllOps(f.Body);

    // ================================================================== every op

    /// <summary>Unary Math functions and the sampling range of their argument (away from kinks and poles).</summary>
    public static readonly TheoryData<string, double, double> UnaryCases = new()
    {
        { "Sin", -1.2, 1.2 }, { "Cos", -1.2, 1.2 }, { "Tan", -1.2, 1.2 },
        { "Asin", -0.9, 0.9 }, { "Acos", -0.9, 0.9 }, { "Atan", -3, 3 },
        { "Sinh", -2, 2 }, { "Cosh", -2, 2 }, { "Tanh", -2, 2 },
        { "Asinh", -3, 3 }, { "Acosh", 1.1, 4 }, { "Atanh", -0.9, 0.9 },
        { "Exp", -2, 2 }, { "Log", 0.1, 5 }, { "Log2", 0.1, 5 }, { "Log10", 0.1, 5 },
        { "Sqrt", 0.1, 5 }, { "Cbrt", 0.2, 3 }, { "Cbrt", -3, -0.2 }, { "Abs", 0.1, 3 }, { "Abs", -3, -0.1 },
        { "Floor", 1.1, 1.9 }, { "Ceiling", -1.9, -1.1 }, { "Round", 0.6, 1.4 }, { "Truncate", -2.9, -2.1 },
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryMathFunction(string function, double lo, double hi)
    {
        // Multiplied by (2 + x) so that a wrong zero tangent of a piecewise-constant function shows too.
        var primals = Lower($"    [Differentiable] public static double F(double x) => Math.{function}(x) * (2 + x);");
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, lo, hi) });
    }

    [Fact]
    public void NegationAndConversions()
    {
        var primals = Lower("""
                [Differentiable] public static double F(double x, int n) => -x * n + (double)n / (1 + x * x) - -x;
            """);
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -2, 2), rng.Next(1, 5) });
    }

    [Fact]
    public void FloatPrecisionAndConversions()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(float x, double y)
                {
                    float a = MathF.Sin(x) * x + 0.5f;
                    double b = a * y;
                    float c = (float)b;
                    return c * (double)x + Math.Exp((double)a);
                }
            """);
        var ops = AllOps(primals["F"].Ir!).OfType<UnaryOp>().Count(u => u.Kind == UnOp.Convert);
        Assert.True(ops >= 3, $"only {ops} conversions");
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Uniform(rng, -1, 1) }, isFloat: true);
    }

    /// <summary>Binary operators and Math functions, with the sampling ranges of both arguments.</summary>
    public static readonly TheoryData<string, string, double, double, double, double> BinaryCases = new()
    {
        { "Add", "x + y", -2, 2, -2, 2 },
        { "Sub", "x - y", -2, 2, -2, 2 },
        { "Mul", "x * y", -2, 2, -2, 2 },
        { "Div", "x / y", -2, 2, 0.5, 2 },
        { "Rem", "x % y", 2.3, 2.6, 1.0, 1.1 },
        { "Pow", "Math.Pow(x, y)", 0.5, 2, -1.5, 1.5 },
        { "Atan2", "Math.Atan2(x, y)", -2, 2, 0.3, 2 },
        { "MaxLeft", "Math.Max(x, y)", 1.2, 2, -1, 1 },
        { "MaxRight", "Math.Max(x, y)", -1, 1, 1.2, 2 },
        { "MinLeft", "Math.Min(x, y)", -1, 1, 1.2, 2 },
        { "MinRight", "Math.Min(x, y)", 1.2, 2, -1, 1 },
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryOperation(string name, string expression, double xlo, double xhi, double ylo, double yhi)
    {
        _ = name;
        var primals = Lower($"    [Differentiable] public static double F(double x, double y) => ({expression}) * (1.5 + x - 0.5 * y);");
        object[] Sample(Random rng) => new object[] { Uniform(rng, xlo, xhi), Uniform(rng, ylo, yhi) };
        // Both active, then each alone (the rules have a branch for a missing tangent).
        CheckJvp(primals, "F", Sample);
        CheckJvp(primals, "F", Sample, active: new[] { true, false });
        CheckJvp(primals, "F", Sample, active: new[] { false, true });
    }

    [Fact]
    public void SignBuiltDirectly()
    {
        // Math.Sign cannot be lowered from C# (see GeneratorRobustnessTests.MathSignIsAccepted): build the IR by hand.
        var b = new IrBuilder();
        var x = b.NewValue(IrType.F64, "x");
        var s = b.Unary(UnOp.Sign, x);
        var r = b.Binary(BinOp.Mul, s, b.Binary(BinOp.Mul, x, x));
        var fn = new Function("P.S(double)", "S", new Region(new[] { x }.ToEquatableArray(), b.EndBlock(), new[] { r }.ToEquatableArray()));
        Assert.Empty(Verifier.Verify(fn));
        var primals = new Dictionary<string, PrimalModel>
        {
            ["S"] = new("P.S(double)", "P", "S", "double", IrType.F64, EquatableArray<ParamModel>.Empty, fn, null, EquatableArray<FunctionKey>.Empty),
        };
        CheckJvp(primals, "S", rng => new object[] { rng.Next(2) == 0 ? Uniform(rng, 0.2, 2) : Uniform(rng, -2, -0.2) }, points: 6);
    }

    // ================================================================== control flow

    [Fact]
    public void LoopWithCarriedValues()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double t = Math.Tanh(x);
                    double s = 0;
                    double p = 1;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i] * p;
                        p *= t;
                    }
                    return s * Math.Exp(-x * x);
                }
            """);
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Vector(rng, 6) });
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Vector(rng, 6) }, active: new[] { true, false });
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Vector(rng, 6) }, active: new[] { false, true });
    }

    [Fact]
    public void LoopCarriedRotation()
    {
        // The recurrence whose emitted C# hangs (GeneratorRobustnessTests.LoopCarriedRotationDoesNotHang):
        // the IR transform itself is right.
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, int n)
                {
                    double a = 1;
                    double b = x;
                    for (int i = 0; i < n; i++)
                    {
                        double next = a + x * b;
                        a = b;
                        b = next;
                    }
                    return a + b;
                }
            """);
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), rng.Next(0, 7) }, points: 6);
    }

    [Fact]
    public void LoopShapes()
    {
        // Counting down by 2 with <=/>=, and a triangular nest whose inner bound is the outer counter.
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double s = 0;
                    for (int i = w.Length - 1; i >= 0; i -= 2)
                    {
                        s = s * x + w[i];
                    }
                    for (int i = 1; i <= 3; i++)
                    {
                        for (int j = 0; j < i; j++)
                        {
                            s += Math.Sin(x * j) * w[j] / i;
                        }
                    }
                    return s;
                }
            """);
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Vector(rng, 7) });
    }

    [Fact]
    public void IfElseYieldingValues()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, double y)
                {
                    double a;
                    double b = y;
                    if (x > 0 & y > -0.5)
                    {
                        a = Math.Sin(x) * y;
                        b = b * x;
                    }
                    else if (x < -1)
                    {
                        a = x * x;
                    }
                    else
                    {
                        a = y / (2 + x);
                    }
                    double c = a > b ? a - b : b * b;
                    return c + a * b;
                }
            """);
        CheckJvp(primals, "F", rng =>
        {
            while (true)
            {
                double x = Uniform(rng, -2, 2), y = Uniform(rng, -1, 1);
                // Stay away from the branch boundaries (the function is not differentiable there).
                if (Math.Abs(x) > 0.05 && Math.Abs(x + 1) > 0.05 && Math.Abs(y + 0.5) > 0.05) return new object[] { x, y };
            }
        }, points: 10);
    }

    [Fact]
    public void EarlyReturnsAndShortCircuit()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w, int k)
                {
                    if (k < w.Length && w[k] > 0)
                    {
                        if (x > 1)
                        {
                            return w[k] * Math.Log(x);
                        }
                        return w[k] * (x - 1);
                    }
                    if (k >= w.Length || x < 0)
                    {
                        return -x * x;
                    }
                    return Math.Exp(x) * w[k];
                }
            """);
        CheckJvp(primals, "F", rng =>
        {
            var w = Vector(rng, 3);
            for (var i = 0; i < w.Length; i++) if (Math.Abs(w[i]) < 0.05) w[i] = 0.5;
            double x;
            do { x = Uniform(rng, -2, 3); } while (Math.Abs(x) < 0.05 || Math.Abs(x - 1) < 0.05);
            return new object[] { x, w, rng.Next(0, 5) };
        }, points: 12);
    }

    // ================================================================== buffers

    [Fact]
    public void LocalBuffers()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    Span<double> h = stackalloc double[w.Length];
                    double[] g = new double[w.Length];
                    for (int i = 0; i < w.Length; i++)
                    {
                        h[i] = Math.Tanh(w[i] * x);
                        g[i] = h[i] * h[i];
                    }
                    for (int i = 1; i < w.Length; i++)
                    {
                        g[i] += g[i - 1] * x;
                    }
                    return g[w.Length - 1] + h[0];
                }
            """);
        Assert.Equal(2, AllOps(primals["F"].Ir!).OfType<AllocOp>().Count());
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -1, 1), Vector(rng, 5) });
    }

    [Fact]
    public void SpanOutputsReadAndWritten()
    {
        var primals = Lower("""
                [Differentiable]
                public static void F(ReadOnlySpan<double> x, Span<double> y, double rate)
                {
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] -= rate * x[i];
                        y[i] *= 1 + y[i] * x[i];
                    }
                }
            """);
        CheckJvp(primals, "F", rng => new object[] { Vector(rng, 4), Vector(rng, 4), Uniform(rng, 0, 1) });
    }

    // ================================================================== calls

    [Fact]
    public void CallsBuildAModule()
    {
        var primals = Lower("""
                [Differentiable] public static double Sq(double v) => v * v;

                [Differentiable]
                public static void Scale(ReadOnlySpan<double> z, double k, Span<double> o)
                {
                    for (int i = 0; i < z.Length; i++) o[i] = z[i] * k;
                }

                [Differentiable]
                public static double G(double x, double y, ReadOnlySpan<double> w)
                {
                    Span<double> o = stackalloc double[w.Length];
                    Scale(w, x, o);
                    double s = Sq(x) + Sq(y) * Sq(2.0);
                    for (int i = 0; i < o.Length; i++) s += Sq(o[i]);
                    return s;
                }
            """);
        var module = Jvp(primals, "G");
        // G's JVP, Scale's and Sq's: one JVP per callee (Sq(2.0) stays a primal call).
        Assert.Equal(3, module.Functions.Count);
        Assert.Contains(AllOps(module.Functions[0]).OfType<CallOp>(), c => c.Callee == primals["Sq"].Key);
        CheckJvp(primals, "G", rng => new object[] { Uniform(rng, -1, 1), Uniform(rng, -1, 1), Vector(rng, 4) });

        // With only y active, Scale's call is inactive and stays a primal call.
        var onlyY = Jvp(primals, "G", new[] { false, true, false });
        Assert.Contains(AllOps(onlyY.Functions[0]).OfType<CallOp>(), c => c.Callee == primals["Scale"].Key);
        CheckJvp(primals, "G", rng => new object[] { Uniform(rng, -1, 1), Uniform(rng, -1, 1), Vector(rng, 4) }, active: new[] { false, true, false });
    }

    [Fact]
    public void CalleeDifferentiatedUnderTwoActivityPatterns()
    {
        var primals = Lower("""
                [Differentiable] public static double Mix(double a, double b) => a * Math.Sin(b);
                [Differentiable] public static double F(double x, double c) => Mix(x, c) + Mix(c, x) + Mix(x, x);
            """);
        var module = Jvp(primals, "F", new[] { true, false });
        // Mix with (active, inactive), (inactive, active) and (active, active).
        Assert.Equal(4, module.Functions.Count);
        Assert.Equal(module.Functions.Count, module.Functions.Select(f => f.Key).Distinct().Count());
        CheckJvp(primals, "F", rng => new object[] { Uniform(rng, -2, 2), Uniform(rng, -2, 2) }, active: new[] { true, false });
    }

    // ================================================================== simplify

    private static Function Build(Func<IrBuilder, Value, Value, Value> body)
    {
        var b = new IrBuilder();
        var x = b.NewValue(IrType.F64, "x");
        var y = b.NewValue(IrType.F64, "y");
        var r = body(b, x, y);
        return new Function("P.K(double, double)", "K", new Region(new[] { x, y }.ToEquatableArray(), b.EndBlock(), new[] { r }.ToEquatableArray()));
    }

    private static void AssertSameValues(Function before, Function after)
    {
        var rng = new Random(7);
        for (var i = 0; i < 5; i++)
        {
            var args = new object[] { Uniform(rng, -2, 2), Uniform(rng, -2, 2) };
            var a = new Interpreter(new Module(new[] { before }.ToEquatableArray())).Call(before, args);
            var b = new Interpreter(new Module(new[] { after }.ToEquatableArray())).Call(after, args);
            Assert.Equal(a.Select(Convert.ToDouble), b.Select(Convert.ToDouble));
        }
    }

    [Fact]
    public void SimplifyFoldsMultiplicationsByZeroAndOne()
    {
        // The zero is a symbolic zero (an absent derivative), which annihilates products; a zero
        // written by the user does not (0·∞ must stay NaN).
        var fn = Build((b, x, y) => b.Binary(BinOp.Add, b.Binary(BinOp.Mul, x, b.Zero(IrType.F64)), b.Binary(BinOp.Mul, y, b.Const(1, IrType.F64))));
        var simple = Simplify.Run(fn);
        Assert.Empty(Verifier.Verify(simple));
        Assert.DoesNotContain(AllOps(simple), op => op is BinaryOp);
        Assert.Equal(fn.Params[1], simple.Body.Yields[0]);
        AssertSameValues(fn, simple);
    }

    [Fact]
    public void SimplifyFoldsConstantsAndIdentities()
    {
        // (2·3 + x) − 0, divided by 1, plus −(−y), plus 0/x with a symbolic zero (x − 0 is exact
        // in IEEE arithmetic; 0/x folds only for a derivative's zero, as 0/0 is NaN).
        var fn = Build((b, x, y) =>
        {
            var six = b.Binary(BinOp.Mul, b.Const(2, IrType.F64), b.Const(3, IrType.F64));
            var a = b.Binary(BinOp.Div, b.Binary(BinOp.Sub, b.Binary(BinOp.Add, six, x), b.Const(0, IrType.F64)), b.Const(1, IrType.F64));
            var negneg = b.Unary(UnOp.Neg, b.Unary(UnOp.Neg, y));
            var zeroOverX = b.Binary(BinOp.Div, b.Zero(IrType.F64), x);
            return b.Binary(BinOp.Add, b.Binary(BinOp.Add, a, negneg), zeroOverX);
        });
        var simple = Simplify.Run(fn);
        Assert.Empty(Verifier.Verify(simple));
        var ops = AllOps(simple).ToList();
        Assert.Equal(2, ops.OfType<BinaryOp>().Count()); // (6 + x) + y
        Assert.All(ops.OfType<BinaryOp>(), op => Assert.Equal(BinOp.Add, op.Kind));
        Assert.DoesNotContain(ops, op => op is UnaryOp);
        Assert.Contains(ops, op => op is ConstOp { Number: 6 });
        AssertSameValues(fn, simple);
    }

    [Fact]
    public void SimplifyReusesRepeatedSubexpressions()
    {
        // sin(x)·sin(x) + sin(x)·sin(x), every op written twice.
        var fn = Build((b, x, y) =>
        {
            var p = b.Binary(BinOp.Mul, b.Unary(UnOp.Sin, x), b.Unary(UnOp.Sin, x));
            var q = b.Binary(BinOp.Mul, b.Unary(UnOp.Sin, x), b.Unary(UnOp.Sin, x));
            return b.Binary(BinOp.Add, p, q);
        });
        var simple = Simplify.Run(fn);
        var ops = AllOps(simple).ToList();
        Assert.Single(ops.OfType<UnaryOp>());
        Assert.Equal(2, ops.OfType<BinaryOp>().Count()); // s·s, then m + m
        AssertSameValues(fn, simple);
    }

    [Fact]
    public void SimplifyReusesOuterValuesInsideLoops()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double c = Math.Cos(x);
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i] * Math.Cos(x) + w[i] * c;
                    }
                    return s;
                }
            """);
        var simple = Simplify.Run(primals["F"].Ir!);
        Assert.Single(AllOps(simple).OfType<UnaryOp>(), u => u.Kind == UnOp.Cos);
        // Both reads of the input span w[i] are one load as well.
        Assert.Single(AllOps(simple).OfType<LoadOp>());
    }

    [Fact]
    public void SimplifyRemovesUnusedLoopCarriedValues()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double s = 0;
                    double unused = 1;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i] * x;
                        unused = unused * x + Math.Exp(w[i]);
                    }
                    return s;
                }
            """);
        var loop = Assert.Single(AllOps(primals["F"].Ir!).OfType<ForOp>());
        Assert.Equal(2, loop.Inits.Count);
        var simple = Simplify.Run(primals["F"].Ir!);
        Assert.Empty(Verifier.Verify(simple));
        var cleaned = Assert.Single(AllOps(simple).OfType<ForOp>());
        Assert.Single(cleaned.Inits);
        Assert.DoesNotContain(AllOps(simple), op => op is UnaryOp { Kind: UnOp.Exp });
        // In the JVP too: the loop carries s and its tangent only.
        var jvpLoop = Assert.Single(AllOps(Jvp(primals, "F").Functions[0]).OfType<ForOp>());
        Assert.Equal(2, jvpLoop.Inits.Count);
    }

    [Fact]
    public void SimplifyTurnsASumAgainstAUnitVectorIntoOneTerm()
    {
        // Σ_k w[k]·(k == i ? 1 : 0̸) over lo ≤ k < hi, with the symbolic zero of a one-hot jet, is
        // w[i] when lo ≤ i < hi and 0 otherwise: the loop goes, and w is read once, behind the
        // bounds check (never outside w).
        var b = new IrBuilder();
        var w = b.NewValue(IrType.Buf(ScalarKind.F64, BufferKind.ReadOnlySpan), "w");
        var i = b.NewValue(IrType.I32, "i");
        var lo = b.NewValue(IrType.I32, "lo");
        var hi = b.NewValue(IrType.I32, "hi");
        var init = b.Const(0.5, IrType.F64);
        b.BeginBlock();
        var k = b.NewValue(IrType.I32, "k");
        var s = b.NewValue(IrType.F64, "s");
        var delta = b.Select(b.Binary(BinOp.Eq, k, i), b.Const(1, IrType.F64), b.Zero(IrType.F64));
        var next = b.Binary(BinOp.Add, s, b.Binary(BinOp.Mul, b.Load(w, k), delta));
        var body = b.EndBlock();
        var result = b.NewValue(IrType.F64, "s");
        b.Emit(new ForOp(new[] { result }.ToEquatableArray(), lo, hi, 1, LoopCmp.Lt, new[] { init }.ToEquatableArray(),
            new Region(new[] { k, s }.ToEquatableArray(), body, new[] { next }.ToEquatableArray())));
        var before = new Function("P.F", "F", new Region(new[] { w, i, lo, hi }.ToEquatableArray(), b.EndBlock(), new[] { result }.ToEquatableArray()));
        Assert.Empty(Verifier.Verify(before));
        var after = Simplify.Run(before);
        Assert.Empty(Verifier.Verify(after));
        Assert.DoesNotContain(AllOps(after), op => op is ForOp);
        var values = new[] { 1.5, -2.0, 3.25, 4.0, -0.75 };
        foreach (var (at, from, to) in new[] { (2, 0, 5), (0, 0, 5), (4, 0, 5), (4, 1, 4), (0, 1, 4), (-1, 0, 5), (7, 0, 5), (3, 3, 3) })
        {
            double expected = 0.5 + (at >= from && at < to ? values[at] : 0);
            Assert.Equal(expected, Convert.ToDouble(new Interpreter(new Module(new[] { before }.ToEquatableArray())).Call(before, values, at, from, to)[0]));
            Assert.Equal(expected, Convert.ToDouble(new Interpreter(new Module(new[] { after }.ToEquatableArray())).Call(after, values, at, from, to)[0]));
        }

        // The same sum written by a user keeps IEEE semantics: NaN · 0 at k ≠ i is NaN, so the loop stays.
        var primals = Lower("""
                [Differentiable]
                public static double F(ReadOnlySpan<double> w, int i, int lo, int hi)
                {
                    double s = 0.5;
                    for (int k = lo; k < hi; k++) s += w[k] * (k == i ? 1.0 : 0.0);
                    return s;
                }
            """);
        var user = Simplify.Run(primals["F"].Ir!);
        Assert.Single(AllOps(user).OfType<ForOp>());
        var withNaN = new[] { 1.5, double.NaN, 3.25 };
        Assert.True(double.IsNaN(Convert.ToDouble(new Interpreter(new Module(new[] { user }.ToEquatableArray())).Call(user, withNaN, 0, 0, 3)[0])));
    }

    [Fact]
    public void SimplifyDropsZeroTangentsOfInactiveInputs()
    {
        var primals = Lower("""
                [Differentiable] public static double F(double x, double y) => x * y + Math.Sin(y) * Math.Exp(x);
            """);
        var onlyX = Jvp(primals, "F", new[] { true, false }).Functions[0];
        // No tangent work for y: d(sin y) never appears, and no multiplication by a zero constant survives.
        Assert.DoesNotContain(AllOps(onlyX), op => op is UnaryOp { Kind: UnOp.Cos });
        Assert.DoesNotContain(AllOps(onlyX), op => op is ConstOp { Number: 0 });
    }

    [Fact]
    public void SimplifyInlinesBranchesWithConstantConditions()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x)
                {
                    const int mode = 2;
                    double r;
                    if (mode > 1) r = x * x; else r = Math.Sin(x);
                    return r;
                }
            """);
        Assert.Single(AllOps(primals["F"].Ir!).OfType<IfOp>());
        var simple = Simplify.Run(primals["F"].Ir!);
        Assert.DoesNotContain(AllOps(simple), op => op is IfOp);
        Assert.DoesNotContain(AllOps(simple), op => op is UnaryOp { Kind: UnOp.Sin });
    }

    // ================================================================== verifier and printer

    [Fact]
    public void VerifierRejectsMalformedIr()
    {
        // Control for every "Verifier.Verify is empty" above: a read before the definition, a
        // value defined twice, and a loop whose body yields the wrong number of values.
        var b = new IrBuilder();
        var x = b.NewValue(IrType.F64, "x");
        var later = new Value(100, IrType.F64, "later");
        var sum = b.Binary(BinOp.Add, x, later);
        b.Emit(new ConstOp(later, 1));
        b.Emit(new ConstOp(later, 2));
        var zero = b.Const(0, IrType.I32);
        var ten = b.Const(10, IrType.I32);
        var i = b.NewValue(IrType.I32, "i");
        var carried = b.NewValue(IrType.F64, "c");
        var loopOut = b.NewValue(IrType.F64, "c");
        b.Emit(new ForOp(new[] { loopOut }.ToEquatableArray(), zero, ten, 1, LoopCmp.Lt, new[] { sum }.ToEquatableArray(),
            new Region(new[] { i, carried }.ToEquatableArray(), EquatableArray<Op>.Empty, EquatableArray<Value>.Empty)));
        var fn = new Function("bad", "Bad", new Region(new[] { x }.ToEquatableArray(), b.EndBlock(), new[] { loopOut }.ToEquatableArray()));
        var errors = Verifier.Verify(fn);
        Assert.Contains(errors, e => e.Contains("before or outside its definition", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("defined twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("yields 0 values, expected 1", StringComparison.Ordinal));
    }

    [Fact]
    public void PrinterOutput()
    {
        var primals = Lower("""
                [Differentiable]
                public static double F(double x, ReadOnlySpan<double> w)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        double z = w[i] * x;
                        if (z > 0)
                        {
                            s += Math.Log(1 + z);
                        }
                    }
                    return s * x;
                }
            """);
        var text = "// primal\n" + Printer.Print(primals["F"].Ir!) + "\n// forward mode (JVP), simplified\n" + Printer.Print(Jvp(primals, "F"));
        Snapshot.Verify(text, extension: "txt");
    }
}
