using System;
using System.IO;
using System.Linq;
using Dsl.EndToEnd.Tests.Infrastructure;
using Xunit;
namespace Dsl.EndToEnd.Tests;
public class MarginsTmp
{
    [Fact]
    public void Dump()
    {
        using var w = new StreamWriter("/tmp/margins.txt");
        foreach (var c in Cases.All)
        {
            double fd = 0, fl = 0, cf = 0;
            for (var p = 0; p < 4; p++)
            {
                var (x, v) = c.Point(p);
                var t64 = c.Jvp64(x, v).Tangent;
                var fdv = Numerics.DirectionalFiniteDifference(c.Primal64, x, v);
                var sfd = Numerics.TermScale(d => Numerics.DirectionalFiniteDifference(c.Primal64, x, d), v);
                var s64 = Numerics.TermScale(d => c.Jvp64(x, d).Tangent, v);
                var t32 = Numerics.ToDouble(c.Jvp32(Numerics.ToFloat(x), Numerics.ToFloat(v)).Tangent);
                for (var k = 0; k < t64.Length; k++)
                {
                    if (sfd[k] > 0) fd = Math.Max(fd, Math.Abs(t64[k] - fdv[k]) / sfd[k]);
                    if (s64[k] > 0) fl = Math.Max(fl, Math.Abs(t64[k] - t32[k]) / s64[k]);
                }
                if (c.ClosedForm is not null)
                {
                    var e = c.ClosedForm(x, v);
                    var sc = Numerics.TermScale(d => c.ClosedForm(x, d), v);
                    for (var k = 0; k < e.Length; k++) if (sc[k] > 0) cf = Math.Max(cf, Math.Abs(t64[k] - e[k]) / sc[k]);
                }
            }
            w.WriteLine($"{c.Name,-22} fd/S {fd:E1}  float/S {fl:E1}  closed/S {cf:E1}");
        }
    }
}
