using System;

namespace Dsl.Benchmarks;

/// <summary>A long scalar expression (about 50 operations) over four double inputs.</summary>
public static partial class ScalarModel
{
    [Differentiable]
    public static double Long(double a, double b, double c, double d)
    {
        double t1 = a * b + c / (d + 2.0);                                   // 4
        double t2 = Math.Sin(t1) * Math.Exp(-a * a);                         // 5
        double t3 = Math.Log(1.0 + b * b) + Math.Sqrt(c * c + d * d + 1.0); // 9
        double t4 = Math.Tanh(t2 - t3 / 3.0) * Math.Pow(1.0 + t3 * t3, 0.3 + 0.1 * a); // 10
        double t5 = (t4 + a) / (1.0 + Math.Exp(-b * c)) - Math.Sin(d * t1);  // 10
        double t6 = Math.Sqrt(t5 * t5 + t2 * t2 + 0.5) * Math.Log(2.0 + Math.Tanh(a * d)); // 10
        return t6 * t4 + Math.Pow(t3, 1.5) / (1.0 + t1 * t1) - c * Math.Exp(t5 / 4.0); // 11
    }

    [Jvp(nameof(Long))]
    public static partial double LongJvp(double a, double da, double b, double db, double c, double dc, double d, double dd, out double dLong);
}

/// <summary>
/// The generated <see cref="ScalarModel.LongJvp"/> copied by hand with three rewrites the generator
/// could make (see docs/benchmarks.md): sin and cos of the same argument from one
/// <see cref="Math.SinCos"/> call, <c>Pow(u, v - 1)</c> as <c>Pow(u, v) / u</c> (reusing the primal's
/// Pow), and <c>Pow(u, 0.5)</c> as <c>Sqrt(u)</c>.
/// </summary>
public static class ScalarHand
{
    public static double LongJvpTuned(double a, double da, double b, double db, double c, double dc, double d, double dd, out double dLong)
    {
        double tmp = d + 2.0;
        double tmp_1 = c / tmp;
        double t1 = a * b + tmp_1;
        double t1_dot = da * b + a * db + (dc - tmp_1 * dd) / tmp;
        var (tmp_2, cos_t1) = Math.SinCos(t1);
        double tmp_3 = -a;
        double tmp_4 = Math.Exp(tmp_3 * a);
        double t2 = tmp_2 * tmp_4;
        double t2_dot = cos_t1 * t1_dot * tmp_4 + tmp_2 * (tmp_4 * (-da * a + tmp_3 * da));
        double tmp_5 = db * b;
        double tmp_6 = 1.0 + b * b;
        double tmp_7 = dc * c;
        double tmp_8 = dd * d;
        double tmp_9 = Math.Sqrt(c * c + d * d + 1.0);
        double t3 = Math.Log(tmp_6) + tmp_9;
        double t3_dot = (tmp_5 + tmp_5) / tmp_6 + (tmp_7 + tmp_7 + (tmp_8 + tmp_8)) / (2.0 * tmp_9);
        double tmp_10 = Math.Tanh(t2 - t3 / 3.0);
        double tmp_11 = t3_dot * t3;
        double tmp_12 = 1.0 + t3 * t3;
        double tmp_13 = 0.3 + 0.1 * a;
        double tmp_14 = Math.Pow(tmp_12, tmp_13);
        double t4 = tmp_10 * tmp_14;
        double t4_dot = (1.0 - tmp_10 * tmp_10) * (t2_dot - t3_dot / 3.0) * tmp_14 + tmp_10 * (tmp_13 * (tmp_14 / tmp_12) * (tmp_11 + tmp_11) + tmp_14 * Math.Log(tmp_12) * (0.1 * da));
        double tmp_15 = -b;
        double tmp_16 = Math.Exp(tmp_15 * c);
        double tmp_17 = 1.0 + tmp_16;
        double tmp_18 = (t4 + a) / tmp_17;
        double tmp_19 = d * t1;
        var (sin_19, cos_19) = Math.SinCos(tmp_19);
        double t5 = tmp_18 - sin_19;
        double t5_dot = (t4_dot + da - tmp_18 * (tmp_16 * (-db * c + tmp_15 * dc))) / tmp_17 - cos_19 * (dd * t1 + d * t1_dot);
        double tmp_20 = t5_dot * t5;
        double tmp_21 = t2_dot * t2;
        double tmp_22 = Math.Sqrt(t5 * t5 + t2 * t2 + 0.5);
        double tmp_23 = Math.Tanh(a * d);
        double tmp_24 = 2.0 + tmp_23;
        double tmp_25 = Math.Log(tmp_24);
        double t6 = tmp_22 * tmp_25;
        double t6_dot = (tmp_20 + tmp_20 + (tmp_21 + tmp_21)) / (2.0 * tmp_22) * tmp_25 + tmp_22 * ((1.0 - tmp_23 * tmp_23) * (da * d + a * dd) / tmp_24);
        double tmp_26 = t1_dot * t1;
        double tmp_27 = 1.0 + t1 * t1;
        double tmp_28 = Math.Pow(t3, 1.5) / tmp_27;
        double tmp_29 = Math.Exp(t5 / 4.0);
        dLong = t6_dot * t4 + t6 * t4_dot + (1.5 * Math.Sqrt(t3) * t3_dot - tmp_28 * (tmp_26 + tmp_26)) / tmp_27 - (dc * tmp_29 + c * (tmp_29 * (t5_dot / 4.0)));
        return t6 * t4 + tmp_28 - c * tmp_29;
    }
}
