using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator;
using Dsl.Generator.Frontend;
using Dsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Dsl.Tests;

/// <summary>
/// Sources the generator must survive: constructs outside the differentiable subset and
/// malformed derivative declarations. For each the generator must not throw, must not write
/// the rejected method (the compiler then reports the missing partial implementation for that
/// method alone), must add no errors of its own, must still generate the valid request next to
/// it, and must record a reason that names the problem (what the analyzers will report).
/// </summary>
public class GeneratorRobustnessTests
{
    /// <summary>One robustness case.</summary>
    /// <param name="Name">Readable case name (the theory's argument).</param>
    /// <param name="Source">The user code.</param>
    /// <param name="Reason">Substring the recorded reason must contain; null where no request survives parsing.</param>
    /// <param name="Request">The request that must not be implemented.</param>
    /// <param name="Sibling">The source also holds the valid request <c>OkJvp</c>, which must be generated.</param>
    /// <param name="UserErrors">The user code has compile errors of its own (beyond the missing partial implementation).</param>
    /// <param name="PrimalFailure">The reason comes from lowering the primal <c>F</c> (so <see cref="PrimalLowering.Check"/> must agree).</param>
    /// <param name="InternalError">The reason is allowed to be worded as an internal error (a feature that is not implemented yet).</param>
    /// <param name="Rejected">The request must not be implemented. False for syntax errors the parser recovers from, where
    /// generating from the recovered tree is fine (it avoids a cascade of missing-implementation errors).</param>
    /// <param name="NoNode">The checker reports no syntax node (the problem is the method as a whole).</param>
    public sealed record Case(string Name, string Source, string? Reason, string Request = "FJvp", bool Sibling = true,
        bool UserErrors = false, bool PrimalFailure = false, bool InternalError = false, bool Rejected = true, bool NoNode = false);

    private const string Usings = """
        using System;
        using System.Linq;
        using Dsl;

        """;

    private const string SiblingMembers = """
            [Differentiable] public static double Ok(double x) => x * x;
            [Jvp(nameof(Ok))] public static partial double OkJvp(double x, double dx, out double dResult);

        """;

    private const string StdRequest = "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);\n";

    private static string InClass(string members, bool sibling = true, string header = "public static partial class C") =>
        Usings + header + "\n{\n" + (sibling ? SiblingMembers : "") + members + "}\n";

    /// <summary>A primal <c>F</c> with the given body, and the standard request for it.</summary>
    private static string Primal(string body, string parameters = "double x", string returnType = "double", string extra = "") =>
        InClass($$"""
                [Differentiable]
                public static {{returnType}} F({{parameters}})
                {
            {{body}}
                }

            """ + StdRequest + extra);

    private static Case Body(string name, string body, string reason, string parameters = "double x", string extra = "", bool userErrors = false) =>
        new(name, Primal(body, parameters, extra: extra), reason, UserErrors: userErrors, PrimalFailure: true);

    private static Case Decl(string name, string members, string? reason, string request = "FJvp", bool sibling = true, bool userErrors = false,
        string header = "public static partial class C", bool primalFailure = false) =>
        new(name, InClass(members, sibling, header), reason, request, sibling, userErrors, primalFailure);

    private const string PrimalF = "    [Differentiable] public static double F(double x) => Math.Sin(x) * x;\n";

    public static readonly IReadOnlyList<Case> Cases = new[]
    {
        // ---------------------------------------------------------------- statements
        Body("ForeachOverEnumerable", "        double s = 0;\n        foreach (var k in Enumerable.Range(0, 3)) s += x * k;\n        return s;",
            "not a span or array", "double x"),
        Body("SwitchOnDouble", "        double s = 0;\n        switch ((int)x) { case 0: s = x; break; }\n        return n switch { 1.5 => s, _ => x };",
            "'switch' must be on an int", "double x, double n"),
        Body("SwitchExpressionWithoutDiscard", "        return n switch { 0 => x, 1 => x * x };", "no '_' arm", "double x, int n"),
        Body("BreakInsideSwitchSection", "        double s = 0;\n        for (int i = 0; i < 4; i++) { switch (i) { case 0: if (s > 1) break; s += x; break; default: break; } }\n        return s;",
            "'break' before the end of a switch section"),
        Body("EarlyBreakInSwitch",
            "        double s = 0;\n        for (int i = 0; i < 4; i++) { switch (i) { case 2: if (x > 1) break; s += x; break; default: break; } }\n" +
            "        return s;", "'break' before the end of a switch section"),
        Body("Goto", "        double s = x;\n        if (s > 1) goto done;\n        s *= x;\n        done:\n        return s;", "'goto'"),
        Body("LabeledStatement", "        double s = x;\n        again: s *= x;\n        if (s < 1) goto again;\n        return s;", "again:"),
        Body("TryCatch", "        try { return x * x; } catch (Exception) { return 0; }", "'try'"),
        Body("Throw", "        if (x < 0) throw new ArgumentException(\"neg\");\n        return x;", "'throw'"),
        Body("ThrowExpression", "        double y = x > 0 ? x : throw new ArgumentException(\"neg\");\n        return y;", "'throw'"),
        Body("Lambda", "        Func<double, double> g = v => v * v;\n        return g(x);", "Func"),
        Body("LambdaInExpression", "        return Enumerable.Range(0, 3).Select(i => x * i).Sum();", "Sum"),
        Body("LocalFunction", "        double Sq(double v) => v * v;\n        return Sq(x);", "local functions"),
        Body("RecursiveLocalFunction", "        return R(x);\n        static double R(double v) => v > 1 ? R(v / 2) : v;", "calls itself"),
        Body("LinqMethod", "        return w.Sum() * x;", "calls 'Sum', which is not [Differentiable]", "double x, double[] w"),
        Body("LinqQuery", "        var q = from v in w select v * x;\n        return q.Sum();", "IEnumerable", "double x, double[] w"),
        Body("StringLocal", "        string s = x.ToString();\n        return x;", "'string'"),
        Body("InterpolatedString", "        Console.WriteLine($\"{x}\");\n        return x;", "WriteLine"),
        Body("ObjectCreation", "        var r = new Random(1);\n        return x * r.NextDouble();", "Random"),
        Body("ObjectCreationInExpression", "        double z = (double)new decimal(2.5);\n        return x * z;", "creating objects"),
        Body("FieldRead", "        return x * Scale;", "field 'Scale'", extra: "    static double Scale = 2.0;\n"),
        Body("FieldWrite", "        Counter = x;\n        return x;", "'Counter' (a field or property)", extra: "    static double Counter;\n"),
        Body("PropertyRead", "        return x * P;", "property 'P'", extra: "    static double P => 2.0;\n"),
        Body("RefParameter", "        return x * x;", "'ref'", "ref double x"),
        Body("OutParameter", "        y = x;\n        return x;", "'out'", "double x, out double y"),
        Body("InParameter", "        return x * x;", "'in'", "in double x"),
        // The checker gives no node here, unlike for ref/out/in parameters (it could give the parameter).
        Body("ParamsArray", "        return x * w[0];", "params", "double x, params double[] w") with { NoNode = true },
        Body("CallNonDifferentiable", "        return Helper(x);", "calls 'Helper', which is not [Differentiable]",
            extra: "    public static double Helper(double v) => v * v;\n"),
        Body("UnsupportedMathBitIncrement", "        return Math.BitIncrement(x);", "BitIncrement"),
        Body("UnsupportedMathExp2", "        return Math.ScaleB(x, 2);", "ScaleB"),
        Body("NonConstantStep", "        double s = 0;\n        for (int i = 0; i < 10; i += k) s += x;\n        return s;", "constant", "double x, int k"),
        Body("DoubleLoopBound", "        double s = 0;\n        for (int i = 0; i < t; i++) s += x;\n        return s;", "loop bound must be an int", "double x, double t"),
        Body("LoopWritesCounter", "        double s = 0;\n        for (int i = 0; i < 10; i++) { s += x; i += 1; }\n        return s;", "loop counter"),
        Body("LoopBoundChangedInBody", "        double s = 0;\n        for (int i = 0; i < n; i++) { s += x; n--; }\n        return s;", "'n'", "double x, int n"),
        Body("NonAffineLoopCondition", "        double s = 0;\n        for (int i = 0; i * i < n; i++) s += x;\n        return s;", "not affine in the counter", "double x, int n"),
        Body("OrLoopCondition", "        double s = 0;\n        for (int i = 0; i < n || s < 4; i++) s += x;\n        return s;", "for '||'", "double x, int n"),
        Body("AndLoopConditionWithoutBound", "        double s = 0;\n        for (int i = 0; s < 4 && x > 0; i++) s += x;\n        return s;",
            "no part of the loop condition", "double x, int n"),
        Body("NotEqualLoopCondition", "        double s = 0;\n        for (int i = 0; i != n; i++) s += x;\n        return s;", "write i < n", "double x, int n"),
        Body("CounterCancelsInCondition", "        double s = 0;\n        for (int i = 0; i + 1 < i + n; i++) s += x;\n        return s;", "cancels out", "double x, int n"),
        Body("WhileShapedFor", "        double s = 0;\n        for (; s < 10;) s += x;\n        return s;", "'for' loop"),
        Body("SpanReassignment", "        Span<double> a = stackalloc double[2];\n        a = stackalloc double[3];\n        a[0] = x;\n        return a[0];", "span"),
        Body("SpanAlias", "        Span<double> a = stackalloc double[2];\n        Span<double> b = a;\n        b[0] = x;\n        return a[0];", "aliasing"),
        // The range itself is not named: the local's initializer is rejected as an alias first.
        Body("Slice", "        var t = w[1..];\n        return t[0] * x;", "aliasing another span", "double x, ReadOnlySpan<double> w"),
        Body("SliceAsArgument", "        return Sum(w[1..]) * x;", "w[1..]", "double x, ReadOnlySpan<double> w",
            extra: "    [Differentiable] public static double Sum(ReadOnlySpan<double> v) { double s = 0; for (int i = 0; i < v.Length; i++) s += v[i]; return s; }\n"),
        Body("FromEndIndex", "        return w[^1] * x;", "'^'", "double x, ReadOnlySpan<double> w"),
        Body("WriteReadOnlySpan", "        w[0] = x;\n        return x;", "read-only", "double x, Span<double> o, ReadOnlySpan<double> w", userErrors: true),
        Body("DecimalParameter", "        return (double)m * x;", "'decimal'", "double x, decimal m"),
        Body("LongParameter", "        return n * x;", "'long'", "double x, long n"),
        Body("DecimalLocal", "        decimal m = 2m;\n        return (double)m * x;", "decimal"),
        Body("Tuple", "        var (a, b) = (x, x * 2);\n        return a + b;", "tuple"),
        Body("IsPattern", "        if (x is > 0) return x;\n        return -x;", "patterns"),
        Body("Checked", "        return checked(x * x);", "'checked'"),
        Body("PostIncrementInExpression", "        int i = 0;\n        double y = x * i++;\n        return y;", "'++'"),
        Body("AssignmentInExpression", "        double y;\n        double z = (y = x) * 2;\n        return z + y;", "assignment"),
        Body("BitwiseInt", "        int k = n & 3;\n        return x * k;", "bitwise", "double x, int n"),
        Body("Lock", "        lock (Gate) { return x; }", "'lock'", extra: "    static readonly object Gate = new();\n"),
        Body("UsingStatement", "        using (var d = new System.IO.MemoryStream()) { }\n        return x;", "'using'"),
        Body("NotAllPathsReturn", "        if (x > 0) return x;\n        else if (x < 0) return -x;\n        else throw new InvalidOperationException();", "'throw'"),

        // ---------------------------------------------------------------- primal declarations
        Decl("InstanceMethod", "    [Differentiable] public double F(double x) => x * x;\n" + StdRequest, "not static",
            header: "public partial class C", primalFailure: true) with { NoNode = true },
        Decl("GenericMethod", "    [Differentiable] public static T F<T>(T x) where T : System.Numerics.INumber<T> => x * x;\n" + StdRequest, "generic",
            primalFailure: true) with { NoNode = true },
        Decl("GenericCallee", "    [Differentiable] public static T G<T>(T x) where T : System.Numerics.INumber<T> => x * x;\n" +
            "    [Differentiable] public static double F(double x) => G(x);\n" + StdRequest, "generic", primalFailure: true),
        Decl("AsyncMethod", "    [Differentiable] public static async System.Threading.Tasks.Task<double> F(double x) { await System.Threading.Tasks.Task.Yield(); return x; }\n" + StdRequest,
            "async", primalFailure: true) with { NoNode = true },
        Decl("DirectRecursion", "    [Differentiable] public static double F(double x) => x < 1 ? x : F(x / 2) * 2;\n" + StdRequest, "recursive"),
        Decl("MutualRecursion",
            "    [Differentiable] public static double F(double x) => x < 1 ? x : G(x / 2);\n" +
            "    [Differentiable] public static double G(double x) => F(x) * 2;\n" + StdRequest, "recursive"),
        Decl("CalleeFails",
            "    [Differentiable] public static double F(double x) => G(x) * 2;\n" +
            "    [Differentiable] public static double G(double x) { double s = x; lock (typeof(C)) { s *= 2; } return s; }\n" + StdRequest, "'lock'"),
        Decl("ReturnsInt", "    [Differentiable] public static int F(double x) => (int)x;\n" +
            "    [Jvp(nameof(F))] public static partial int FJvp(double x, double dx, out int dResult);\n", "returns 'int'", primalFailure: true),
        Decl("AbstractPrimal", "    [Differentiable] public abstract double F(double x);\n" + StdRequest, "not static",
            header: "public abstract partial class C", primalFailure: true) with { NoNode = true },
        Decl("ExternPrimal", "    [Differentiable] public static extern double F(double x);\n" + StdRequest, "no body", primalFailure: true),
        Decl("PartialPrimalWithoutBody", "    [Differentiable] public static partial double F(double x);\n" + StdRequest, "no body",
            primalFailure: true, userErrors: true),

        // ---------------------------------------------------------------- request declarations
        Decl("JvpNamesMissingMethod", PrimalF + "    [Jvp(\"Nope\")] public static partial double FJvp(double x, double dx, out double dResult);\n",
            "names 'Nope', but this type has no [Differentiable] method of that name"),
        Decl("JvpNamesNonDifferentiableMethod", "    public static double F(double x) => x * x;\n" + StdRequest,
            "no [Differentiable] method of that name"),
        Decl("JvpEmptyName", PrimalF + "    [Jvp(\"\")] public static partial double FJvp(double x, double dx, out double dResult);\n", "needs the name of the primal"),
        Decl("OverloadedPrimal", PrimalF + "    [Differentiable] public static double F(double x, double y) => x * y;\n" + StdRequest, "overloaded"),
        Decl("RequestNotPartial", PrimalF + "    [Jvp(nameof(F))] public static double FJvp(double x, double dx, out double dResult) { dResult = 0; return 0; }\n",
            "must be declared 'static partial'"),
        Decl("RequestPartialWithBody", PrimalF +
            "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);\n" +
            "    public static partial double FJvp(double x, double dx, out double dResult) { dResult = 0; return 0; }\n", "already has an implementation"),
        Decl("RequestAttributeOnImplementation", PrimalF +
            "    public static partial double FJvp(double x, double dx, out double dResult);\n" +
            "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult) { dResult = 0; return 0; }\n", "must have no body"),
        Decl("RequestNotStatic", PrimalF + "    [Jvp(nameof(F))] public partial double FJvp(double x, double dx, out double dResult);\n", "must be static",
            header: "public partial class C"),
        Decl("RequestGeneric", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp<T>(double x, double dx, out double dResult);\n", "must not be generic"),
        Decl("ContainingClassNotPartial", PrimalF + StdRequest, "must be declared 'partial'", sibling: false, userErrors: true,
            header: "public static class C"),
        Decl("OuterClassNotPartial", "    public static partial class Inner\n    {\n    " + PrimalF + "    " + StdRequest + "    }\n",
            "type 'C' must be declared 'partial'", sibling: false, header: "public static class C"),
        Decl("WrongTangentType", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, float dx, out double dResult);\n",
            "parameter 2 of 'FJvp' ('dx') should be 'double dX'"),
        Decl("TangentNotOut", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, double dResult);\n",
            "parameter 3 of 'FJvp' ('dResult') should be 'out double dResult'"),
        Decl("MissingOutParameter", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx);\n", "has 2 parameters, expected 3"),
        Decl("ExtraParameter", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, double y, out double dResult);\n",
            "has 4 parameters, expected 3"),
        Decl("MissingTangent", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, out double dResult);\n", "has 2 parameters, expected 3"),
        Decl("WrongReturnType", PrimalF + "    [Jvp(nameof(F))] public static partial float FJvp(double x, double dx, out double dResult);\n", "must return double"),
        Decl("VoidRequest", PrimalF + "    [Jvp(nameof(F))] public static partial void FJvp(double x, double dx, out double dResult);\n", "must return double"),
        Decl("SpanTangentForArray", "    [Differentiable] public static double F(double x, double[] w) => x * w[0];\n" +
            "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, double[] w, double[] dw, out double dResult);\n",
            "parameter 4 of 'FJvp' ('dw') should be 'ReadOnlySpan<double> dW'"),
        Decl("WrtMissingParameter", "    [Differentiable] public static double F(double x, double y) => x * y;\n" +
            "    [Jvp(nameof(F), Wrt = \"z\")] public static partial double FJvp(double x, double dx, double y, out double dResult);\n",
            "Wrt names 'z', which is not a parameter of 'F'"),
        Decl("WrtIntParameter", "    [Differentiable] public static double F(double x, int n) => x * n;\n" +
            "    [Jvp(nameof(F), Wrt = \"n\")] public static partial double FJvp(double x, int n, int dn, out double dResult);\n",
            "Wrt names 'n', which is not float, double"),
        Decl("NothingToDifferentiate", "    [Differentiable] public static double F(int n) => n * 2.0;\n" +
            "    [Jvp(nameof(F))] public static partial double FJvp(int n, out double dResult);\n", "no float or double parameter"),
        Decl("GradientOfVoidPrimal", "    [Differentiable] public static void F(double x, Span<double> y) { y[0] = x; }\n" +
            "    [Gradient(nameof(F))] public static partial void FGrad(double x, Span<double> y, out double xBar);\n", "returns void", request: "FGrad"),

        // ---------------------------------------------------------------- syntax errors
        Decl("SyntaxErrorInPrimalBody", "    [Differentiable] public static double F(double x) { return x * ; }\n" + StdRequest, null, userErrors: true),
        Decl("SyntaxErrorMissingSemicolon", "    [Differentiable] public static double F(double x) { double y = x * x return y; }\n" + StdRequest, null,
            userErrors: true) with { Rejected = false },
        Decl("SyntaxErrorInRequest", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult\n", null,
            userErrors: true) with { Rejected = false },
        Decl("SyntaxErrorUnbalancedBraces", "    [Differentiable] public static double F(double x) { if (x > 0) { return x; return -x; }\n" + StdRequest, null,
            userErrors: true, sibling: false),
        Decl("UnresolvedName", "    [Differentiable] public static double F(double x) => x * Missing;\n" + StdRequest, "Missing", userErrors: true),
        Decl("UnresolvedCall", "    [Differentiable] public static double F(double x) => Missing(x);\n" + StdRequest, "Missing", userErrors: true),
        Decl("TypeErrorInPrimal", "    [Differentiable] public static double F(double x) => x * \"a\";\n" + StdRequest, null, userErrors: true),
        Decl("RequestUnknownType", PrimalF + "    [Jvp(nameof(F))] public static partial double FJvp(double x, Dual dx, out double dResult);\n",
            "parameter 2", userErrors: true),

        // ---------------------------------------------------------------- Taylor options and second-order operators
        Decl("TaylorJetsZero", PrimalF + "    [Taylor(nameof(F), Order = 2, Jets = 0)] public static partial void FJet(double x, ReadOnlySpan<double> xJet, Span<double> y);\n",
            "Jets must be between 1 and 16", request: "FJet"),
        Decl("LaplacianLanesTooMany", "    [Differentiable] public static double U(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) s += Math.Sin(x[i]); return s; }\n" +
            "    [Laplacian(nameof(U), Lanes = 17)] public static partial double ULap(ReadOnlySpan<double> x);\n", "Lanes must be between 1 and 16", request: "ULap"),
        Decl("DiffusionWithoutSigma", "    [Differentiable] public static double U(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) s += Math.Sin(x[i]); return s; }\n" +
            "    [Diffusion(nameof(U))] public static partial double UDiff(ReadOnlySpan<double> x);\n", "expected 2", request: "UDiff"),
        Decl("DiffusionDenseWithoutProbes", "    [Differentiable] public static double U(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) s += Math.Sin(x[i]); return s; }\n" +
            "    [Diffusion(nameof(U), Estimator = Estimator.Dense)] public static partial double UDiff(ReadOnlySpan<double> x, ReadOnlySpan<double> sigma);\n",
            "ReadOnlySpan<double> probes", request: "UDiff"),
        Decl("SecondOrderMatrixAsFloat", "    [Differentiable] public static double U(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) s += Math.Sin(x[i]); return s; }\n" +
            "    [SecondOrder(nameof(U))] public static partial double UC(ReadOnlySpan<double> x, ReadOnlySpan<float> c);\n", "ReadOnlySpan<double> c", request: "UC"),
        Decl("SecondOrderOfScalar", PrimalF + "    [SecondOrder(nameof(F))] public static partial double FC(double x, ReadOnlySpan<double> c);\n",
            "the one span parameter", request: "FC"),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c.Name });

    [Fact]
    public void HasEnoughCases() => Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");

    [Fact]
    public void CaseNamesAreUnique() => Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct().Count());

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GeneratorSurvives(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var tracked = Pipeline.RunTracked(c.Source);
        var result = tracked.Result;

        // 1. No exception from the generator.
        foreach (var r in result.Run.Results) Assert.Null(r.Exception);

        // 2. The rejected method is not implemented; the valid sibling is.
        var generated = Pipeline.GeneratedMethods(result).Select(m => m.Identifier.Text).ToList();
        if (c.Rejected) Assert.DoesNotContain(c.Request, generated);
        if (c.Sibling) Assert.Contains("OkJvp", generated);

        // 3. The generator adds no errors: what the output reports, the input reported already.
        string Key(Diagnostic d) => d.Id + "@" + d.Location.GetLineSpan();
        var inputErrors = tracked.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(Key).ToHashSet();
        var generatedTrees = result.Run.GeneratedTrees.ToHashSet();
        foreach (var e in result.Errors)
        {
            Assert.False(e.Location.SourceTree is { } t && generatedTrees.Contains(t), $"error in generated code: {e}");
            Assert.True(inputErrors.Contains(Key(e)), $"the generator introduced: {e}");
        }
        if (!c.UserErrors)
        {
            // Only the rejected request itself lacks its implementation.
            foreach (var e in result.Errors)
            {
                Assert.True(e.Id == "CS8795", $"unexpected error {e}");
                Assert.Equal(c.Request, EnclosingMethod(e)?.Identifier.Text);
            }
        }
        // The generator's only diagnostics are refusals: the request's reason, with its family's id, at its declaration, which
        // then has a stub that throws with it instead of a bare CS8795 (where the declaration can take a body at all).
        var outcomeFailure = tracked.Outcome(c.Request)?.Failure;
        foreach (var d in result.GeneratorDiagnostics)
        {
            Assert.True(DslDiagnostics.All.Any(x => x.Id == d.Id && x.DefaultSeverity == DiagnosticSeverity.Error),
                $"unexpected generator diagnostic {d}");
            Assert.True(outcomeFailure is not null && d.GetMessage() == outcomeFailure, $"{d} is not the recorded reason");
            // The location is the declaration's name (by path and span: the generator keeps no syntax tree).
            var tree = tracked.Input.SyntaxTrees.Single(t => t.FilePath == d.Location.GetLineSpan().Path);
            Assert.Equal(c.Request, tree.GetRoot().FindToken(d.Location.SourceSpan.Start).Text);
        }
        Assert.Equal(outcomeFailure is null ? 0 : 1, result.GeneratorDiagnostics.Length);
        // A declaration that can take a body gets the stub, so its refusal is never a bare CS8795; one that cannot (not
        // partial, has a body, generic, unresolved types, types not partial) keeps the compiler's error next to the reason.
        var hasStub = Pipeline.RefusedStubs(result).Any(m => m.Identifier.Text == c.Request);
        string[] shapeFailures =
        {
            "must be declared 'static partial'", "must have no body", "must not be generic", "already has an implementation",
            "must be declared 'partial'",
        };
        if (outcomeFailure is not null && !c.UserErrors && !shapeFailures.Any(f => outcomeFailure.Contains(f, StringComparison.Ordinal)))
            Assert.True(hasStub, "a refused request that can take a body gets the throwing stub");
        if (hasStub) Assert.DoesNotContain(result.Errors, e => e.Id == "CS8795" && EnclosingMethod(e)?.Identifier.Text == c.Request);
        foreach (var stub in Pipeline.RefusedStubs(result))
        {
            Assert.Equal(c.Request, stub.Identifier.Text);
            Assert.Contains("NotSupportedException", stub.ToString(), StringComparison.Ordinal);
        }

        // 4. The recorded reason names the construct (so an analyzer can report it).
        var outcome = tracked.Outcome(c.Request);
        if (c.Reason is not null)
        {
            Assert.NotNull(outcome);
            Assert.NotNull(outcome!.Failure);
            Assert.Contains(c.Reason, outcome.Failure!, StringComparison.Ordinal);
            if (!c.InternalError) Assert.DoesNotContain("internal error", outcome.Failure!, StringComparison.Ordinal);
        }
        else if (outcome is not null && c.Rejected)
        {
            Assert.NotNull(outcome.Failure);
        }
        if (c.Sibling) Assert.Null(tracked.Outcome("OkJvp")?.Failure);

        // 5. The frontend's checker, which analyzers call directly, agrees with the lowering and locates the problem.
        if (c.PrimalFailure)
        {
            var found = Pipeline.FindMethod(tracked.Input, "F");
            Assert.NotNull(found);
            var (method, model) = found!.Value;
            var (reason, node) = PrimalLowering.Check(method, model, CancellationToken.None);
            Assert.NotNull(reason);
            Assert.Equal(tracked.Primal("F")?.Failure, reason);
            // Where the checker names a node, it lies in F (where the analyzer will put the squiggle).
            if (node is not null)
            {
                var declaration = method.DeclaringSyntaxReferences[0];
                Assert.Same(declaration.SyntaxTree, node.SyntaxTree);
                Assert.True(declaration.Span.Contains(node.Span), $"node '{node}' is outside F");
            }
            else
            {
                Assert.True(c.NoNode, "the checker gives no node to report at");
            }
        }
    }

    // ==================================================================== valid but unusual

    /// <summary>Declarations at the edges of what the rules allow: each must generate code that compiles.</summary>
    public static readonly IReadOnlyDictionary<string, string> ValidCases = new Dictionary<string, string>
    {
        // BUG: [Differentiable] on the defining part of a partial method reads the part without a body
        // and reports "it has no body", although the implementing part has one.
        ["PartialPrimalWithImplementation"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static partial double F(double x);
                public static partial double F(double x) => x * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);
            }
            """,
        // BUG: parameter names that are C# keywords are written without '@': the generated file does not parse.
        ["KeywordParameterNames"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static double F(double @in, double @double) => @in * @double;
                [Jvp(nameof(F))] public static partial double FJvp(double @in, double din, double @double, double @out, out double @return);
            }
            """,
        ["CallsIntoPrivateNestedType"] = """
            using System; using Dsl;
            public static partial class B
            {
                private static class Inner { [Differentiable] public static double H(double c) => c * 2; }
                [Differentiable] public static double G(double x) => Inner.H(x) * x + Inner.H(1.0);
                [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, out double dResult);
            }
            """,
        ["ParametersReassigned"] = """
            using System; using Dsl;
            public static partial class B
            {
                [Differentiable] public static double G(double x, double y) { x = x * y; y += x; x++; return x * y; }
                [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, double y, double dy, out double dResult);
            }
            """,
        ["NamesOtherThanThePrimals"] = """
            using System; using Dsl;
            public static partial class B
            {
                [Differentiable] public static double G(double x, double y) => x * Math.Exp(y);
                [Jvp(nameof(G))] public static partial double GJvp(double a, double da, double b, double db, out double r);
                [Jvp(nameof(G), Wrt = "y")] public static partial double GJvpY(double a, double b, double db, out double r);
            }
            """,
        ["NamesCollidingWithGeneratedOnes"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static double F(double tmp, double x_dot) { double x = tmp * x_dot; double tmp_1 = Math.Sin(x); return tmp_1 * tmp_1 + x; }
                [Jvp(nameof(F))] public static partial double FJvp(double tmp, double dx, double x_dot, double tmp_dot, out double x);
            }
            """,
        ["NestedInGenericTypeInFileScopedNamespace"] = """
            using System; using Dsl;
            namespace N.M;
            public partial class Outer<T> where T : class
            {
                internal partial struct S
                {
                    [Differentiable] public static double F(double x) => x * x;
                    [Jvp(nameof(F))] internal static partial double FJvp(double x, double dx, out double dResult);
                }
            }
            """,
        ["PrivateRequestInRecordStruct"] = """
            using System; using Dsl;
            public partial record struct R(int A)
            {
                [Differentiable] public static float F(float x) => x * x;
                [Jvp(nameof(F))] private static partial float FJvp(float x, float dx, out float dResult);
                public static float Call(float x) => FJvp(x, 1, out var d) + d;
            }
            """,
        ["StaticMembersOfInterface"] = """
            using System; using Dsl;
            public partial interface I
            {
                [Differentiable] public static double F(double x) => x * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);
            }
            """,
        ["PartialTypeAcrossDeclarations"] = """
            using System; using Dsl;
            namespace N { public static partial class C {
                [Differentiable] public static double F(double x) => x * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);
            } }
            namespace N { public static partial class C {
                [Differentiable] public static double G(double x) => F(x) * x;
                [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, out double dResult);
            } }
            """,
        ["SameNameInTwoTypes"] = """
            using System; using Dsl;
            public static partial class A
            {
                [Differentiable] public static double F(double x) => x * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);
            }
            public static partial class B
            {
                [Differentiable] public static double F(double x) => x * x * x;
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, out double dResult);
                [Differentiable] public static double G(double x) => A.F(x) + F(x);
                [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, out double dResult);
            }
            """,
        ["FloatParameterDoubleResult"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static double F(float x, int n) => x * (double)n + Math.Sin(x);
                [Jvp(nameof(F))] public static partial double FJvp(float x, float dx, int n, out double dResult);
            }
            """,
        ["VoidPrimalWithoutOutputs"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static void F(double x) { double y = x * x; }
                [Jvp(nameof(F))] public static partial void FJvp(double x, double dx);
            }
            """,
        ["WrtWithSpacesAndRepeats"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static double F(double x, double y, double z) => x * y * z;
                [Jvp(nameof(F), Wrt = " z , x,x ")] public static partial double FJvp(double x, double dx, double y, double z, double dz, out double dResult);
            }
            """,
        ["InactiveCallWithSpans"] = """
            using System; using Dsl;
            public static partial class C
            {
                [Differentiable] public static void Fill(ReadOnlySpan<double> c, Span<double> o) { for (int i = 0; i < o.Length; i++) o[i] = c[i] * 2; }
                [Differentiable] public static double F(double x, ReadOnlySpan<double> c)
                {
                    Span<double> o = stackalloc double[c.Length];
                    Fill(c, o);
                    double s = 0;
                    for (int i = 0; i < o.Length; i++) s += o[i] * x;
                    return s;
                }
                [Jvp(nameof(F), Wrt = "x")] public static partial double FJvp(double x, double dx, ReadOnlySpan<double> c, out double dResult);
            }
            """,
        // Sign inside a loop: piecewise constant, so its result is inactive; forward over reverse once
        // referred to a value popped from the tape outside the region that popped it.
        ["HvpOfSignInsideALoop"] = """
            using System;
            using Dsl;
            public static partial class C
            {
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++) s += Math.Sign(x[i]) * x[i] * x[i];
                    return s;
                }
                [Hvp(nameof(F))] public static partial double FHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> vX,
                    Span<double> xBar, Span<double> xHv);
            }
            """,
    };

    public static IEnumerable<object[]> ValidCaseNames() => ValidCases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(ValidCaseNames))]
    public void UnusualButValidDeclarationsCompile(string name)
    {
        var tracked = Pipeline.RunTracked(ValidCases[name]);
        Assert.Null(tracked.Result.Exception);
        Assert.All(tracked.Outcomes, o => Assert.True(o.Failure is null, $"{o.RequestName}: {o.Failure}"));
        Assert.NotEmpty(tracked.Outcomes);
        Assert.Empty(tracked.Result.Errors);
    }

    /// <summary>
    /// Generated code lives in the primal's type; a private primal of another type that it
    /// reaches cannot be called from there, so the request is refused with a reason that says
    /// what to change (the generated file must not fail with CS0122).
    /// </summary>
    [Fact]
    public void PrivatePrimalOfAnotherTypeIsRefusedWithAReason()
    {
        var tracked = Pipeline.RunTracked("""
            using System; using Dsl;
            public static class A
            {
                [Differentiable] private static double H(double c) => c * 2;
                [Differentiable] public static double F(double x) => x * H(3.0);
            }
            public static partial class B
            {
                [Differentiable] public static double G(double x) => A.F(x) * x;
                [Jvp(nameof(G))] public static partial double GJvp(double x, double dx, out double dResult);
            }
            """);
        Assert.Null(tracked.Result.Exception);
        Assert.Contains("private to another type", tracked.Outcome("GJvp")?.Failure);
        Assert.DoesNotContain(tracked.Result.Errors, d => d.Id == "CS0122");
    }

    /// <summary>Math.Sign returns an int: it is accepted, and its derivative is zero.</summary>
    [Fact]
    public void MathSignIsAccepted()
    {
        var tracked = Pipeline.RunTracked(InClass("""
                [Differentiable] public static double F(double x) => Math.Sign(x) * x;
            """ + StdRequest, sibling: false));
        Assert.Null(tracked.Outcome("FJvp")?.Failure);
    }

    // ==================================================================== failures that take the process down

    /// <summary>Windows' default thread stack (Visual Studio runs generators on such threads).</summary>
    private const int OneMegabyte = 1024 * 1024;

    /// <summary>The control for the tests below: the child process generates ordinary code on a 1 MB stack.</summary>
    [Fact]
    public void IsolatedRunControl()
    {
        var outcome = IsolatedRun.Run(InClass(PrimalF + StdRequest), OneMegabyte, TimeSpan.FromSeconds(60) + 3 * IsolatedRun.Baseline);
        Assert.True(outcome.Succeeded, outcome.ToString());
    }

    /// <summary>
    /// BUG: lowering recurses once per operand of a left-nested sum, so a long expression overflows
    /// the stack, which kills the compiler (it cannot be caught). On a 1 MB stack about 400 terms suffice;
    /// the C# compiler itself binds such sums iteratively and compiles them.
    /// </summary>
    [Fact]
    public void LongSumDoesNotOverflowTheStack()
    {
        var sum = string.Join(" + ", Enumerable.Range(0, 1000).Select(i => $"{i % 7 + 1} * x"));
        var outcome = IsolatedRun.Run(InClass($"    [Differentiable] public static double F(double x) => {sum};\n" + StdRequest, sibling: false),
            OneMegabyte, TimeSpan.FromSeconds(60));
        Assert.True(outcome.Succeeded, outcome.ToString());
    }

    /// <summary>
    /// BUG (fixed): the emitter never finished when a loop's carried values rotate (a ← b, b ← f(a, b))
    /// in a JVP: the slot-update order (now Emit/Core/SlotUpdates.cs) broke a cycle by moving
    /// pending[0]'s new value to a temporary, and when pending[0] was not on the remaining cycle it
    /// did so forever.
    /// </summary>
    [Fact]
    public void LoopCarriedRotationDoesNotHang()
    {
        var source = InClass("""
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
                [Jvp(nameof(F))] public static partial double FJvp(double x, double dx, int n, out double dResult);
            """, sibling: false);
        // A trivial file takes Baseline (process start and JIT included); this one is barely larger.
        var outcome = IsolatedRun.Run(source, 16 * OneMegabyte, 3 * IsolatedRun.Baseline + TimeSpan.FromSeconds(3));
        Assert.True(outcome.Succeeded, outcome.ToString());
    }

    private static MethodDeclarationSyntax? EnclosingMethod(Diagnostic d) =>
        d.Location.SourceTree?.GetRoot().FindNode(d.Location.SourceSpan).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
}
