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
/// <para>Two duplications are intended, and the generated source says where they are: the C# target runs dot-product
/// loops four rows at a time (unroll-and-jam), which writes such a loop nest five times (four rows per pass, plus the
/// loop for the last rows; jammed nests never nest in one another), and element-wise loops a vector at a time, which
/// writes such a loop twice (the vector loop and the scalar loop for the rest). A JVP with jammed loops is bounded by
/// five times the bound, one with vector loops by twice it, one with both by ten times.</para>
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
        var body = GeneratedBody(t, jvpName);
        var jammed = body.Contains("at once (unroll-and-jam)", StringComparison.Ordinal);
        var vector = body.Contains("a vector of iterations at a time", StringComparison.Ordinal);
        var copies = (jammed ? 5 : 1) * (vector ? 2 : 1);
        Assert.True(jvpSize <= copies * (6 * primalSize + 64),
            $"{type}.{jvpName} has {jvpSize} bytes of IL, {(double)jvpSize / primalSize:F1} times the {primalSize} of {primalName}" +
            (jammed ? " (with jammed loops)" : "") + (vector ? " (with vector loops)" : ""));
    }

    /// <summary>The generated body of <paramref name="method"/> (up to the next generated member).</summary>
    private static string GeneratedBody(Type type, string method)
    {
        var root = typeof(CodeSizeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GeneratedFiles").Value!;
        var file = System.IO.Directory.GetFiles(root, $"*.{type.Name}.Dsl.g.cs", System.IO.SearchOption.AllDirectories).Single();
        var text = System.IO.File.ReadAllText(file);
        var start = text.IndexOf($" {method}(", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{method} not found in {file}");
        // The body runs to the next method's [GeneratedCode] attribute (or the end of the file).
        var end = text.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
