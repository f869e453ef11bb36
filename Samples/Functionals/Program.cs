using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Dsl;
using FunctionalsSample;
using ScottPlot;

// Functional derivatives generated from energy densities and action integrals:
// (a) exchange potentials of an atom-like density against their closed forms,
// (b) the brachistochrone by functional gradient descent.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = args.Length > 0 ? args[0] : ".";
Directory.CreateDirectory(outDir);
var clock = Stopwatch.StartNew();

// ---- (a) v_x(r) for hydrogen's 1s density, ζ = 1 -------------------------------------------------
const double Zeta = 1.0;
Console.WriteLine("(a) exchange potential v_x(r) of the 1s density rho = e^(-2r)/pi");
Console.WriteLine("      r        rho      v_LDA generated   closed form    rel.err   v_PBE generated   closed form    rel.err");
var radii = Enumerable.Range(0, 60).Select(i => 0.05 + 0.1 * i).ToArray();
var lda = new double[radii.Length];
var ldaExact = new double[radii.Length];
var pbe = new double[radii.Length];
var pbeExact = new double[radii.Length];
double worstLda = 0, worstPbe = 0;
for (var i = 0; i < radii.Length; i++)
{
    var r = radii[i];
    var c = r / Math.Sqrt(3); // along (1, 1, 1): no axis is special
    var point = new[] { c, c, c };
    var rho = Exchange.Slater(point, Zeta);
    lda[i] = Exchange.LdaPotential(point, Zeta);
    pbe[i] = Exchange.PbePotential(point, Zeta);
    ldaExact[i] = Exchange.LdaClosedForm(rho);
    pbeExact[i] = Exchange.PbeClosedForm(rho, -2 * Zeta * rho, 4 * Zeta * Zeta * rho, r);
    var el = Math.Abs(lda[i] / ldaExact[i] - 1);
    var ep = Math.Abs(pbe[i] / pbeExact[i] - 1);
    worstLda = Math.Max(worstLda, el);
    worstPbe = Math.Max(worstPbe, ep);
    if (i % 10 == 0)
        Console.WriteLine($"  {r,5:F2}  {rho,9:E3}  {lda[i],15:F10}  {ldaExact[i],13:F10}  {el,8:E1}  {pbe[i],15:F10}  {pbeExact[i],13:F10}  {ep,8:E1}");
}
Console.WriteLine($"  largest relative error over {radii.Length} radii: LDA {worstLda:E1}, PBE {worstPbe:E1}");

// E_x by quadrature on an atom-centred grid; LDA against −C_x (ζ³/π)^{4/3} 4π · 2 / (8ζ/3)³.
var grid = QuadratureGrid.Atomic(80, 2, 1.0);
var gradient = new double[3];
var exLda = grid.Integrate(p => Exchange.Lda(p, Exchange.Slater(p, Zeta)));
var exLdaExact = -Exchange.Cx * Math.Pow(Zeta * Zeta * Zeta / Math.PI, 4.0 / 3.0) * 4 * Math.PI * 2 / Math.Pow(8 * Zeta / 3, 3);
var exPbe = grid.Integrate(p =>
{
    var rho = Exchange.Slater(p, Zeta);
    if (rho < 1e-100) return 0; // the outermost nodes (r ≳ 100): ρ^{8/3} in s² underflows; their share is < 1e-100
    var d = -2 * Zeta * rho / Math.Sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    for (var k = 0; k < 3; k++) gradient[k] = d * p[k];
    return Exchange.Pbe(p, rho, gradient);
});
Console.WriteLine($"  E_x LDA by quadrature ({grid.Count} points) {exLda:F10}, closed form {exLdaExact:F10}, " +
    $"rel.err {Math.Abs(exLda / exLdaExact - 1):E1}");
Console.WriteLine($"  E_x PBE by quadrature {exPbe:F10}");

var plot = new Plot();
var l1 = plot.Add.Scatter(radii, ldaExact);
l1.LegendText = "LDA closed form";
l1.MarkerSize = 0;
var l2 = plot.Add.Scatter(radii, lda);
l2.LegendText = "LDA generated";
l2.LineWidth = 0;
l2.MarkerSize = 6;
var l3 = plot.Add.Scatter(radii, pbeExact);
l3.LegendText = "PBE closed form";
l3.MarkerSize = 0;
var l4 = plot.Add.Scatter(radii, pbe);
l4.LegendText = "PBE generated";
l4.LineWidth = 0;
l4.MarkerSize = 6;
plot.Title("Exchange potential of the 1s density");
plot.XLabel("r (bohr)");
plot.YLabel("v_x (hartree)");
plot.ShowLegend();
var exchangePng = Path.Combine(outDir, "exchange-potential.png");
plot.SavePng(exchangePng, 900, 600);
Console.WriteLine($"  plot: {exchangePng}");

// ---- (b) the brachistochrone ------------------------------------------------------------------
Console.WriteLine();
Console.WriteLine("(b) brachistochrone from (0, 0) to (1, -1): F[y] = integral of sqrt(1 + y'^2)/sqrt(-y) dx");
// x = t⁶ on [0, 1]: the integrand behaves like x^{-1/2} (straight line) or x^{-2/3} (y ∝ x^{2/3}) at 0;
// times dx = 6t⁵ dt both become polynomials in t near 0.
var line = QuadratureGrid.GaussLegendre(64, 0, 1, power: 6);
double Action(double[] theta) => Brachistochrone.Action(line, theta);
// The cycloid through (1, −1): x = R(φ − sin φ), y = −R(1 − cos φ), φ ∈ [0, Φ]; F = Φ √(2R).
double lo = 0.1, hi = Math.PI;
for (var i = 0; i < 200; i++)
{
    var mid = 0.5 * (lo + hi);
    if ((mid - Math.Sin(mid)) / (1 - Math.Cos(mid)) < 1) lo = mid; else hi = mid;
}
var phi = 0.5 * (lo + hi);
var radius = 1 / (1 - Math.Cos(phi));
var cycloidF = phi * Math.Sqrt(2 * radius);
var theta0 = new double[6];
theta0[0] = -1; // y = −s³ = −x, the straight line
var straight = Action(theta0);
Console.WriteLine($"  straight line: F = {straight:F7}, closed form 2 sqrt 2 = {2 * Math.Sqrt(2):F7} " +
    $"(quadrature error {straight - 2 * Math.Sqrt(2):E1})");
Console.WriteLine($"  cycloid: F = {cycloidF:F7} (Phi = {phi:F6}, R = {radius:F6})");
var theta = (double[])theta0.Clone();
var final = Functionals.Descend(line, theta, Action,
    (x, t) => Brachistochrone.Derivative(x[0], t),
    (x, t, g) => Brachistochrone.CurveGradient(x[0], t, g),
    steps: 2000, step: 1.0,
    progress: (s, f, g) =>
    {
        if (s < 3 || (s + 1) % 250 == 0) Console.WriteLine($"  step {s + 1,4}: F = {f:F7}, |dF/dtheta| = {g:E2}");
    });
Console.WriteLine($"  final F = {final:F7}; F - F_cycloid = {final - cycloidF:E2}; theta = [{string.Join(", ", theta.Select(v => v.ToString("F4")))}]");
var ys = new double[101];
var xs = new double[101];
for (var i = 0; i <= 100; i++)
{
    xs[i] = i / 100.0;
    ys[i] = Brachistochrone.Curve(xs[i], theta);
}
var cx = new double[101];
var cy = new double[101];
double worstGap = 0;
for (var i = 0; i <= 100; i++)
{
    var p = phi * i / 100;
    cx[i] = radius * (p - Math.Sin(p));
    cy[i] = -radius * (1 - Math.Cos(p));
    worstGap = Math.Max(worstGap, Math.Abs(Brachistochrone.Curve(cx[i], theta) - cy[i]));
}
Console.WriteLine($"  largest |y(x) - y_cycloid(x)| on 101 cycloid points: {worstGap:E2}");
var b = new Plot();
var s1 = b.Add.Scatter(new[] { 0.0, 1.0 }, new[] { 0.0, -1.0 });
s1.LegendText = "straight line";
s1.MarkerSize = 0;
var s2 = b.Add.Scatter(cx, cy);
s2.LegendText = "cycloid";
s2.LineWidth = 0;
s2.MarkerSize = 5;
var s3 = b.Add.Scatter(xs, ys);
s3.LegendText = $"gradient descent, F = {final:F5}";
s3.MarkerSize = 0;
s3.LineWidth = 2;
b.Title("Brachistochrone by functional gradient descent");
b.XLabel("x");
b.YLabel("y");
b.ShowLegend(Alignment.UpperRight);
var brachPng = Path.Combine(outDir, "brachistochrone.png");
b.SavePng(brachPng, 900, 600);
Console.WriteLine($"  plot: {brachPng}");
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s");
