using System;
using System.Linq;
using System.Reflection;
using Dsl.EndToEnd.Tests.Corpus;
using Xunit;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Forward mode costs a constant factor over the primal: each primal operation is kept and
/// gets a tangent of at most five operations (the largest rule, Pow: b·a^(b−1)·da + a^b·ln a·db),
/// so the JVP's IL is at most six times the primal's, plus a constant for the tangent
/// parameters and the out result. (Calls to other primals become calls to their JVPs, which
/// are separate methods.) A JVP beyond that bound has duplicated code.
/// </summary>
public class CodeSizeTests
{
    private static readonly Type[] Types = [typeof(Corpus64), typeof(Corpus32), typeof(Kernels64), typeof(Kernels32), typeof(Fidelity), typeof(Scaling)];

    public static TheoryData<string, string> Jvps()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in Types)
        {
            foreach (var m in t.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.GetCustomAttribute<JvpAttribute>() is not null))
            {
                data.Add(t.Name, m.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Jvps))]
    public void Jvp_code_is_linear_in_the_primal(string type, string jvpName)
    {
        var t = Types.Single(x => x.Name == type);
        var jvp = t.GetMethod(jvpName, BindingFlags.Public | BindingFlags.Static)!;
        var primalName = jvp.GetCustomAttribute<JvpAttribute>()!.Primal;
        var primal = t.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == primalName && m.GetCustomAttribute<DifferentiableAttribute>() is not null);

        var primalSize = primal.GetMethodBody()!.GetILAsByteArray()!.Length;
        var jvpSize = jvp.GetMethodBody()!.GetILAsByteArray()!.Length;
        Assert.True(jvpSize <= 6 * primalSize + 64,
            $"{type}.{jvpName} has {jvpSize} bytes of IL, {(double)jvpSize / primalSize:F1} times the {primalSize} of {primalName}");
    }
}
