using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Math.Tests;

/// <summary>
/// PortableMathVector against PortableMath: every lane must carry the scalar result's exact bits (no
/// tolerance: the vector code is meant to perform the same IEEE operations), on the stored reference
/// inputs, 50,000 seeded samples of the function's domain, 20,000 random bit patterns and the special
/// values and branch thresholds of the scalar code with their neighbours.
/// </summary>
public sealed class VectorTests
{
    private const int Samples = 50_000;
    private const int RawBitPatterns = 20_000;
    private readonly ITestOutputHelper _out;

    public VectorTests(ITestOutputHelper output) => _out = output;

    // One function at both widths, each as "evaluate one group of lanes" over arrays.
    private sealed record VFn(
        string Name,
        Func<Vector256<double>, Vector256<double>, Vector256<double>> D,
        Func<Vector256<float>, Vector256<float>, Vector256<float>> F,
        Func<Vector512<double>, Vector512<double>, Vector512<double>> D512,
        Func<Vector512<float>, Vector512<float>, Vector512<float>> F512)
    {
        public Func<double[], double[], double[]> Group(int width) => width == 256
            ? (x, y) => ToArray(D(Vector256.Create(x), Vector256.Create(y)))
            : (x, y) => ToArray(D512(Vector512.Create(x), Vector512.Create(y)));

        public Func<float[], float[], float[]> GroupF(int width) => width == 256
            ? (x, y) => ToArray(F(Vector256.Create(x), Vector256.Create(y)))
            : (x, y) => ToArray(F512(Vector512.Create(x), Vector512.Create(y)));
    }

    private static T[] ToArray<T>(Vector256<T> v)
    {
        var a = new T[Vector256<T>.Count];
        v.CopyTo(a);
        return a;
    }

    private static T[] ToArray<T>(Vector512<T> v)
    {
        var a = new T[Vector512<T>.Count];
        v.CopyTo(a);
        return a;
    }

    private static VFn U(string name, Func<Vector256<double>, Vector256<double>> d, Func<Vector256<float>, Vector256<float>> f,
        Func<Vector512<double>, Vector512<double>> d512, Func<Vector512<float>, Vector512<float>> f512) =>
        new(name, (a, _) => d(a), (a, _) => f(a), (a, _) => d512(a), (a, _) => f512(a));

    private static readonly VFn[] All =
    {
        U("Exp", PortableMathVector.Exp, PortableMathVector.Exp, PortableMathVector512.Exp, PortableMathVector512.Exp),
        U("Expm1", PortableMathVector.Expm1, PortableMathVector.Expm1, PortableMathVector512.Expm1, PortableMathVector512.Expm1),
        U("Log", PortableMathVector.Log, PortableMathVector.Log, PortableMathVector512.Log, PortableMathVector512.Log),
        U("Log2", PortableMathVector.Log2, PortableMathVector.Log2, PortableMathVector512.Log2, PortableMathVector512.Log2),
        U("Log10", PortableMathVector.Log10, PortableMathVector.Log10, PortableMathVector512.Log10, PortableMathVector512.Log10),
        U("Tan", PortableMathVector.Tan, PortableMathVector.Tan, PortableMathVector512.Tan, PortableMathVector512.Tan),
        U("Log1p", PortableMathVector.Log1p, PortableMathVector.Log1p, PortableMathVector512.Log1p, PortableMathVector512.Log1p),
        U("Sin", PortableMathVector.Sin, PortableMathVector.Sin, PortableMathVector512.Sin, PortableMathVector512.Sin),
        U("Cos", PortableMathVector.Cos, PortableMathVector.Cos, PortableMathVector512.Cos, PortableMathVector512.Cos),
        U("Sinh", PortableMathVector.Sinh, PortableMathVector.Sinh, PortableMathVector512.Sinh, PortableMathVector512.Sinh),
        U("Cosh", PortableMathVector.Cosh, PortableMathVector.Cosh, PortableMathVector512.Cosh, PortableMathVector512.Cosh),
        U("Tanh", PortableMathVector.Tanh, PortableMathVector.Tanh, PortableMathVector512.Tanh, PortableMathVector512.Tanh),
        U("Atan", PortableMathVector.Atan, PortableMathVector.Atan, PortableMathVector512.Atan, PortableMathVector512.Atan),
        new("Atan2", PortableMathVector.Atan2, PortableMathVector.Atan2, PortableMathVector512.Atan2, PortableMathVector512.Atan2),
        new("Pow", PortableMathVector.Pow, PortableMathVector.Pow, PortableMathVector512.Pow, PortableMathVector512.Pow),
    };

    public static IEnumerable<object[]> Cases =>
        from f in All from w in new[] { 256, 512 } select new object[] { f.Name, w };

    public static IEnumerable<object[]> Names => All.Select(f => new object[] { f.Name });

    // The scalar code's special values and branch thresholds (PortableMath*.cs); each also enters with
    // its two neighbouring doubles and its negation.
    private static readonly double[] Thresholds =
    {
        0.0, double.Epsilon, 1e-310, 2.2250738585072014e-308, 8.673617379884035e-19, 7.450580596923828e-09,
        1e-20, 0.5, 0.55, 0.7, 0.7071067811865476 - 1.0, 1.4142135623730951 - 1.0, 0.7853981633974483,
        1.0, 1.5707963267948966, 2.0, 3.0, 3.5, 22.0, 38.0, 709.782712893384 + 0.01, 709.782712893384,
        711.0, 745.1332191019412 + 0.01, 746.0, 1000.0, 3294198.0, 1e7, 1e22, 9007199254740992.0,
        0.4375, 0.6875, 1.1875, 2.4375, 4.49423283715579e307, double.MaxValue, double.PositiveInfinity, double.NaN,
        BitConverter.Int64BitsToDouble(0x7FF0000000000123L), BitConverter.Int64BitsToDouble(0x7FF8000000000456L),
    };

    private static IEnumerable<double> Specials()
    {
        foreach (double t in Thresholds)
        {
            foreach (double v in new[] { t, System.Math.BitIncrement(t), System.Math.BitDecrement(t) })
            {
                yield return v;
                yield return -v;
            }
        }
    }

    private static double D(string s) =>
        BitConverter.UInt64BitsToDouble(ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    // Inputs (x, y) for one function: refs, samples, raw bits, specials (crossed for Pow).
    private static (double[] X, double[] Y) Inputs(string name)
    {
        Fn f = Functions.All.Single(g => g.Name == name);
        var xs = new List<double>();
        var ys = new List<double>();
        string path = Path.Combine(AppContext.BaseDirectory, "refs", name.ToLowerInvariant() + ".txt");
        foreach (string line in File.ReadLines(path))
        {
            string[] p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (p.Length == 0) continue;
            xs.Add(D(p[0]));
            ys.Add(f.Binary ? D(p[1]) : 0.0);
        }
        var rng = new Random(1010 + name.Length);
        for (int i = 0; i < Samples; i++)
        {
            double x = f.SampleX(rng);
            xs.Add(x);
            ys.Add(f.Binary ? f.SampleY!(rng, x) : 0.0);
        }
        for (int i = 0; i < RawBitPatterns; i++)
        {
            xs.Add(BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)));
            ys.Add(f.Binary ? BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)) : 0.0);
        }
        double[] sp = Specials().ToArray();
        foreach (double x in sp)
        {
            foreach (double y in f.Binary ? sp : new[] { 0.0 })
            {
                xs.Add(x);
                ys.Add(y);
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>Index of the first input whose vector lane differs in bits from the scalar result, or -1.
    /// Inputs run in groups of <paramref name="lanes"/>; the last group is padded with copies of its last input.</summary>
    private static int FirstMismatch<T>(T[] x, T[] y, int lanes, Func<T, T, T> scalar, Func<T[], T[], T[]> group, Func<T, long> bits)
    {
        var bx = new T[lanes];
        var by = new T[lanes];
        for (int i = 0; i < x.Length; i += lanes)
        {
            for (int j = 0; j < lanes; j++)
            {
                bx[j] = x[System.Math.Min(i + j, x.Length - 1)];
                by[j] = y[System.Math.Min(i + j, x.Length - 1)];
            }
            T[] r = group(bx, by);
            for (int j = 0; j < lanes && i + j < x.Length; j++)
            {
                if (bits(r[j]) != bits(scalar(bx[j], by[j]))) return i + j;
            }
        }
        return -1;
    }

    private static long DBits(double d) => BitConverter.DoubleToInt64Bits(d);

    private static long FBits(float f) => BitConverter.SingleToInt32Bits(f);

    [Theory]
    [MemberData(nameof(Cases))]
    public void DoubleLanesEqualScalarBits(string name, int width)
    {
        Fn f = Functions.All.Single(g => g.Name == name);
        VFn v = All.Single(g => g.Name == name);
        (double[] x, double[] y) = Inputs(name);
        int at = FirstMismatch(x, y, width / 64, f.D, v.Group(width), DBits);
        _out.WriteLine($"{name} double, {width} bits: {x.Length} inputs compared bit for bit");
        Assert.True(at < 0, at < 0 ? "" : $"{name}({x[at]:R}, {y[at]:R}), {width} bits: vector and scalar bits differ");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatLanesEqualScalarBits(string name, int width)
    {
        Fn f = Functions.All.Single(g => g.Name == name);
        VFn v = All.Single(g => g.Name == name);
        (double[] xd, double[] yd) = Inputs(name);
        var rng = new Random(77);
        // The double inputs rounded to float, then random float bit patterns (every float class).
        float[] x = xd.Select(d => (float)d).Concat(Enumerable.Range(0, RawBitPatterns).Select(_ => RandomFloat(rng))).ToArray();
        float[] y = yd.Select(d => (float)d).Concat(Enumerable.Range(0, RawBitPatterns).Select(_ => RandomFloat(rng))).ToArray();
        int at = FirstMismatch(x, y, width / 32, f.F, v.GroupF(width), FBits);
        _out.WriteLine($"{name} float, {width} bits: {x.Length} inputs compared bit for bit");
        Assert.True(at < 0, at < 0 ? "" : $"{name}({x[at]:R}, {y[at]:R}) float, {width} bits: vector and scalar bits differ");
    }

    private static float RandomFloat(Random rng) => BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));

    /// <summary>The comparison can fail: one changed bit in one lane (double lane 2 of 4, float lane 13 of 16)
    /// is reported at that input, in double and in float.</summary>
    [Fact]
    public void A_changed_lane_is_flagged()
    {
        double[] x = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8 };
        VFn exp = All.Single(g => g.Name == "Exp");
        Func<double[], double[], double[]> flip = (a, b) =>
        {
            double[] r = exp.Group(256)(a, b);
            r[2] = BitConverter.Int64BitsToDouble(DBits(r[2]) ^ 1);
            return r;
        };
        Assert.Equal(-1, FirstMismatch(x, x, 4, (a, _) => PortableMath.Exp(a), exp.Group(256), DBits));
        Assert.Equal(2, FirstMismatch(x, x, 4, (a, _) => PortableMath.Exp(a), flip, DBits));
        float[] xf = x.Concat(x).Select(d => (float)d).ToArray();
        VFn tanh = All.Single(g => g.Name == "Tanh");
        Func<float[], float[], float[]> flipF = (a, b) =>
        {
            float[] r = tanh.GroupF(512)(a, b);
            r[13] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(r[13]) ^ 1);
            return r;
        };
        Assert.Equal(-1, FirstMismatch(xf, xf, 16, (a, _) => PortableMath.Tanh(a), tanh.GroupF(512), FBits));
        Assert.Equal(13, FirstMismatch(xf, xf, 16, (a, _) => PortableMath.Tanh(a), flipF, FBits));
    }
}
