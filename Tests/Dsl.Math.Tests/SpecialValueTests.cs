using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Dsl.Math.Tests;

/// <summary>
/// NaN, ±0, ±∞, ±1, domain errors and extremes: where System.Math returns NaN, an infinity or a
/// zero, PortableMath must return the same bits (signed zeros included); elsewhere within 2 ulp.
/// </summary>
public sealed class SpecialValueTests
{
    private static readonly double[] Specials =
    {
        double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0,
        3.0, -3.0, -3.5, double.Epsilon, -double.Epsilon, double.MaxValue, -double.MaxValue, 1e-310, 710.0, -746.0,
        1.0000000000000002, 0.9999999999999999, 1e-20, -1e-20,
    };

    public static IEnumerable<object[]> Names => Functions.All.Select(f => new object[] { f.Name });

    private static void Check(string what, double actual, double expected)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected) || expected == 0.0)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(actual) == BitConverter.DoubleToInt64Bits(expected)
                        || (double.IsNaN(actual) && double.IsNaN(expected)), $"{what}: {actual:R}, System.Math {expected:R}");
        }
        else
        {
            Assert.True(Ulp.Distance(actual, expected) <= 2, $"{what}: {actual:R}, System.Math {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchSystemMath(string name)
    {
        Fn f = Functions.All.Single(g => g.Name == name);
        foreach (double x in Specials)
        {
            foreach (double y in f.Binary ? Specials : new[] { 0.0 })
            {
                if (name is "Sin" or "Cos" or "Tan" && System.Math.Abs(x) > 3.29e6 && !double.IsInfinity(x))
                {
                    // Outside the documented range only boundedness is promised (no Payne–Hanek).
                    double v = f.D(x, y);
                    Assert.True(double.IsFinite(v) && (name == "Tan" || System.Math.Abs(v) <= 1), $"{name}({x:R}) = {v:R}");
                    continue;
                }
                string what = $"{name}({x:R}{(f.Binary ? $", {y:R}" : "")})";
                // FloatRef holds the System.Math function (or, for Expm1/Log1p, its definition).
                double expected = name switch
                {
                    "Expm1" => ExpectedExpm1(x),
                    "Log1p" => ExpectedLog1p(x),
                    _ => f.FloatRef(x, y),
                };
                Check(what, f.D(x, y), expected);
                float xf = (float)x, yf = (float)y;
                Check(what + " float", f.F(xf, yf), (float)(name switch
                {
                    "Expm1" => ExpectedExpm1(xf),
                    "Log1p" => ExpectedLog1p(xf),
                    _ => f.FloatRef(xf, yf),
                }));
            }
        }
    }

    // C's expm1/log1p special cases; for other points the definition is accurate enough here
    // (all other listed inputs are far from the cancellation region, or exact).
    private static double ExpectedExpm1(double x) =>
        x == 0.0 || double.IsNaN(x) ? x : System.Math.Abs(x) < 1e-15 ? x : System.Math.Exp(x) - 1.0;

    private static double ExpectedLog1p(double x) =>
        x == 0.0 || double.IsNaN(x) ? x : System.Math.Abs(x) < 1e-15 ? x : x < -1 ? double.NaN : System.Math.Log(1.0 + x);
}
