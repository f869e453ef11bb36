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
/// One test row per Math primitive of <see cref="Primitives"/>: the frontend lowers the name, the
/// row evaluates as the runtime's Math does, the tangent rule (forward and reverse) and the Taylor
/// rule class agree with central differences through the IR interpreter, and the generic
/// derivative-defined Taylor class agrees with each smooth row's own recurrence. A new primitive
/// gets all of this from its row.
/// </summary>
public class PrimitiveTableTests
{
    public static TheoryData<string> MathRows() => PrimitiveRows.Math();

    private static Primitive Row(string id) => PrimitiveRows.Row(id);

    private static Function Lower(Primitive row, string type = "double", string math = "Math") => PrimitiveRows.Lower(row, type, math);

    private static IEnumerable<double[]> Points(Primitive row, int count = 3) => PrimitiveRows.Points(row, count);

    private static void Close(double expected, double actual, double tolerance, string what)
    {
        var scale = Math.Max(1.0, Math.Max(Math.Abs(expected), Math.Abs(actual)));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static double Fd(Func<double, double> f, int order = 1) =>
        new NumericalDerivative(5, 2) { StepType = StepType.Absolute, StepSize = 1e-3 }.EvaluateDerivative(f, 0, order);

    [Theory]
    [MemberData(nameof(MathRows))]
    public void FrontendLowersTheNameForDoubleAndFloat(string id)
    {
        var row = Row(id);
        foreach (var (type, math) in new[] { ("double", "Math"), ("float", row.FloatOnMath ? "Math" : "MathF") })
        {
            var ops = Lower(row, type, math).Body.Ops;
            Assert.Contains(ops, op => Primitives.Of(op) == row);
        }
        Assert.Contains(row.ClrName!, Primitives.SupportedNames);
    }

    [Theory]
    [MemberData(nameof(MathRows))]
    public void EvaluatesAsTheRuntimeMath(string id)
    {
        var row = Row(id);
        var method = typeof(Math).GetMethod(row.ClrName!, Enumerable.Repeat(typeof(double), row.Arity).ToArray());
        Assert.NotNull(method);
        // The float target prints MathF.Name (Math.Name for FloatOnMath rows): it must exist with float operands.
        Assert.NotNull((row.FloatOnMath ? typeof(Math) : typeof(MathF)).GetMethod(row.ClrName!, Enumerable.Repeat(typeof(float), row.Arity).ToArray()));
        foreach (var x in Points(row))
        {
            var expected = Convert.ToDouble(method!.Invoke(null, x.Cast<object>().ToArray()));
            // Asinh/Acosh/Atanh/Cbrt/Log2 evaluate by formula in the generator (netstandard2.0): a few ulps.
            Close(expected, row.Eval(x), 1e-13, $"{row.ClrName}({string.Join(", ", x)})");
        }
    }

    [Theory]
    [MemberData(nameof(MathRows))]
    public void TangentRuleMatchesCentralDifferences(string id)
    {
        var row = Row(id);
        var fn = Lower(row);
        var active = fn.Params.Select(_ => true).ToArray();
        var jvp = Simplify.Run(Forward.Jvp(fn, active, _ => null));
        Assert.Empty(Verifier.Verify(jvp));
        var grad = Simplify.Run(Reverse.Gradient(fn, active, _ => null));
        Assert.Empty(Verifier.Verify(grad));
        var primal = new Interpreter(new Module(new[] { fn }.ToEquatableArray()));
        double F(double[] x) => Convert.ToDouble(primal.Call(fn, x.Cast<object>().ToArray())[0]);
        foreach (var x in Points(row))
        {
            var direction = Enumerable.Range(0, row.Arity).Select(i => 0.5 - 0.3 * i).ToArray();
            var args = new List<object>();
            for (var i = 0; i < row.Arity; i++) args.AddRange(new object[] { x[i], direction[i] });
            var outs = new Interpreter(jvp).Call(jvp.Functions[0], args.ToArray());
            var fd = Fd(t => F(x.Select((v, i) => v + t * direction[i]).ToArray()));
            Close(fd, Convert.ToDouble(outs[1]), 1e-7, $"JVP of {row.ClrName} at ({string.Join(", ", x)})");
            var g = new Interpreter(grad).Call(grad.Functions[0], x.Cast<object>().ToArray());
            for (var i = 0; i < row.Arity; i++)
            {
                var k = i;
                var partial = Fd(t => F(x.Select((v, j) => j == k ? v + t : v).ToArray()));
                Close(partial, Convert.ToDouble(g[1 + i]), 1e-7, $"gradient {i} of {row.ClrName} at ({string.Join(", ", x)})");
            }
        }
    }

    /// <summary>Order-3 jets along each operand (y_k = d^k/dt^k f(x + t e_i)), against central differences.</summary>
    [Theory]
    [MemberData(nameof(MathRows))]
    public void TaylorRuleMatchesCentralDifferences(string id)
    {
        var row = Row(id);
        var fn = Lower(row);
        var primal = new Interpreter(new Module(new[] { fn }.ToEquatableArray()));
        for (var i = 0; i < row.Arity; i++)
        {
            var taylor = Taylor.Entry(Simplify.Run(fn), i, 3, _ => null);
            Assert.Empty(Verifier.Verify(taylor));
            foreach (var x in Points(row, 2))
            {
                var y = Jet(taylor, x, i, 3);
                var k = i;
                double Along(double t) => Convert.ToDouble(primal.Call(fn, x.Select((v, j) => (object)(j == k ? v + t : v)).ToArray())[0]);
                Close(Along(0), y[0], 1e-14, $"{row.ClrName} value");
                Close(Fd(Along, 1), y[1], 1e-7, $"{row.ClrName} y1 along x{i}");
                Close(Fd(Along, 2), y[2], 1e-4, $"{row.ClrName} y2 along x{i}");
            }
        }
    }

    /// <summary>JAX's def_deriv as a class: any smooth row's jet also comes from its tangent rule.</summary>
    [Theory]
    [MemberData(nameof(MathRows))]
    public void DerivativeDefinedClassAgreesWithTheRowsRecurrence(string id)
    {
        var row = Row(id);
        if (row.Arity != 1 || row.Smoothness != Smoothness.Smooth || TangentReadsResult(row)) return;
        var fn = Simplify.Run(Lower(row));
        var own = Taylor.Entry(fn, 0, 4, _ => null);
        Module generic;
        Taylor.RuleOverride = r => r == row ? TaylorRule.Of(TaylorClass.DerivativeDefined) : null;
        try
        {
            generic = Taylor.Entry(fn, 0, 4, _ => null);
        }
        finally
        {
            Taylor.RuleOverride = null;
        }
        Assert.Empty(Verifier.Verify(generic));
        Assert.NotEqual(Printer.Print(own), Printer.Print(generic));
        foreach (var x in Points(row))
        {
            var a = Jet(own, x, 0, 4);
            var b = Jet(generic, x, 0, 4);
            for (var k = 0; k <= 4; k++) Close(a[k], b[k], 1e-10, $"{row.ClrName} y{k}");
        }
    }

    /// <summary>
    /// Folding reads the row's Folds column: Clamp of constants folds (its value is one of them),
    /// except lo &gt; hi, where Math.Clamp throws at run time; FusedMultiplyAdd is never folded
    /// (netstandard2.0 cannot round a·b + c once as the runtime does).
    /// </summary>
    [Fact]
    public void ClampFoldsOnConstantsAndFusedMultiplyAddDoesNot()
    {
        var b = new IrBuilder();
        Value C(double c) => b.Const(c, IrType.F64);
        var folded = b.Ternary(TernOp.Clamp, C(2), C(0), C(1));
        var throws = b.Ternary(TernOp.Clamp, C(0.5), C(1), C(0));
        var fma = b.Ternary(TernOp.FusedMultiplyAdd, C(2), C(3), C(1));
        var body = new Region(EquatableArray<Value>.Empty, b.EndBlock(), new[] { folded, throws, fma }.ToEquatableArray());
        var fn = Simplify.Run(new Function("f", "F", body));
        Assert.Empty(Verifier.Verify(fn));
        Assert.Equal(2, fn.Body.Ops.OfType<TernaryOp>().Count());
        var constant = Assert.Single(fn.Body.Ops.OfType<ConstOp>(), c => c.Result == fn.Body.Yields[0]);
        Assert.Equal(1.0, constant.Number);
        // The interpreter throws as Math.Clamp does.
        Assert.Throws<ArgumentException>(() => new Interpreter(new Module(new[] { fn }.ToEquatableArray())).Call(fn));
    }

    /// <summary>
    /// The new primitives inside a loop (taped values in reverse mode) through the request kinds
    /// that composes rules: gradient, Hessian-vector product (forward over reverse) and an order-2
    /// Taylor jet, compiled and run against central differences of the primal.
    /// </summary>
    [Fact]
    public void NewPrimitivesInALoopThroughGradientHvpAndTaylor()
    {
        const string source = """
            using System;
            using Dsl;
            public static partial class Loop
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0.25;
                    for (int i = 0; i < x.Length; i++)
                        s = Math.FusedMultiplyAdd(x[i], s, Math.Clamp(x[i] * s, -0.3, 0.3)) + x[i] * x[i];
                    // Sign outside the loop: an Hvp of a loop that tapes (double)Math.Sign(..) fails to
                    // generate (the tape push of the converted int is read before its definition), with or without the table.
                    return s + Math.Sign(s) * s * s;
                }
                [Gradient(nameof(F))] public static partial double FGradient(ReadOnlySpan<double> x, Span<double> xBar);
                [Hvp(nameof(F))] public static partial double FHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> g, Span<double> hv);
                [Taylor(nameof(F), Order = 2)] public static partial void FTaylor(ReadOnlySpan<double> x, ReadOnlySpan<double> xJet, Span<double> y);
            }
            """;
        const string probe = """
            using System;
            public static class Probe
            {
                static double[] Move(double[] a, double[] d, double t) { var r = (double[])a.Clone(); for (int i = 0; i < r.Length; i++) r[i] += t * d[i]; return r; }
                static double Rel(double a, double b) => Math.Abs(a - b) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)));
                public static double Run()
                {
                    // Points where no Clamp bound and no sign change lies within the differencing step.
                    double worst = 0, h = 1e-5;
                    foreach (var x in new[] { new[] { 0.7, -0.4, 1.1, 0.5 }, new[] { -0.9, 0.35, 0.6, -1.2 } })
                    {
                        var v = new[] { 0.3, -0.5, 0.2, 0.4 };
                        var g = new double[4];
                        Loop.FGradient(x, g);
                        var gv = 0.0;
                        for (int i = 0; i < 4; i++) gv += g[i] * v[i];
                        double D(double t) => Loop.F(Move(x, v, t));
                        worst = Math.Max(worst, Rel((D(h) - D(-h)) / (2 * h), gv));
                        var g2 = new double[4]; var hv = new double[4];
                        Loop.FHvp(x, v, g2, hv);
                        for (int i = 0; i < 4; i++)
                        {
                            var gp = new double[4]; var gm = new double[4];
                            Loop.FGradient(Move(x, v, h), gp); Loop.FGradient(Move(x, v, -h), gm);
                            worst = Math.Max(worst, Rel((gp[i] - gm[i]) / (2 * h), hv[i]));
                        }
                        var jet = new double[8];
                        Array.Copy(v, jet, 4);
                        var y = new double[3];
                        Loop.FTaylor(x, jet, y);
                        worst = Math.Max(worst, Rel((D(1e-3) - 2 * D(0) + D(-1e-3)) / 1e-6, y[2]));
                        worst = Math.Max(worst, Rel((D(h) - D(-h)) / (2 * h), y[1]));
                    }
                    return worst;
                }
            }
            """;
        var result = GeneratorHarness.Run(source, probe);
        Assert.Null(result.Exception);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Concat(result.GeneratorDiagnostics)));
        var error = (double)GeneratorHarness.Load(result.Output).GetType("Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        Assert.True(error <= 1e-5, $"relative error {error:E3}");
    }

    private static bool TangentReadsResult(Primitive row)
    {
        var b = new IrBuilder();
        var x = b.NewValue(IrType.F64, "x");
        var y = b.NewValue(IrType.F64, "y");
        row.Tangent!(new RuleBuilder(b, IrType.F64), new[] { x }, y, new Value?[] { b.Const(1, IrType.F64) });
        return b.EndBlock().Any(op => op.Operands.Contains(y));
    }

    /// <summary>y_0..y_K of the Taylor entry at <paramref name="x"/> along e_i (first-order input 1, others 0).</summary>
    private static double[] Jet(Module taylor, double[] x, int wrt, int order)
    {
        var args = new List<object>();
        for (var j = 0; j < x.Length; j++)
        {
            args.Add(x[j]);
            if (j == wrt) args.Add(new double[order].Select((_, k) => k == 0 ? 1.0 : 0.0).ToArray());
        }
        var y = new double[order + 1];
        args.Add(y);
        new Interpreter(taylor).Call(taylor.Functions[0], args.ToArray());
        return y;
    }
}
