using System;
using System.Collections.Generic;
using Dsl.EndToEnd.Tests.Infrastructure;
using D = Dsl.EndToEnd.Tests.Corpus.Corpus64;
using F = Dsl.EndToEnd.Tests.Corpus.Corpus32;
using KD = Dsl.EndToEnd.Tests.Corpus.Kernels64;
using KF = Dsl.EndToEnd.Tests.Corpus.Kernels32;

namespace Dsl.EndToEnd.Tests;

/// <summary>What a generated gradient returns: the primal's value and one adjoint per argument
/// (zeros for arguments the gradient does not differentiate), shaped like the arguments.</summary>
public readonly record struct Grad<T>(T Value, T[][] Adjoint);

/// <summary>What a generated VJP returns for seeds ȳ: the outputs it wrote and J^T ȳ per argument.</summary>
public readonly record struct Pullback<T>(T[] Outputs, T[][] Adjoint);

/// <summary>
/// Adapters for the <c>&lt;F&gt;Gradient</c> (or, for void primals, <c>&lt;F&gt;Vjp</c>) declared
/// next to each corpus primal, on the argument packing of <see cref="Case"/>.
/// </summary>
public sealed class GradientCase
{
    public Func<double[][], Grad<double>>? Gradient64 { get; init; }
    public Func<float[][], Grad<float>>? Gradient32 { get; init; }

    /// <summary>The VJP of a void primal: arguments and the seed ȳ for its output span.</summary>
    public Func<double[][], double[], Pullback<double>>? Vjp64 { get; init; }
    public Func<float[][], float[], Pullback<float>>? Vjp32 { get; init; }

    /// <summary>The arguments the VJP differentiates (its outputs' initial contents and, where noted, scalars are not among them).</summary>
    public int[] VjpWrt { get; init; } = [];
}

/// <summary>
/// The gradient adapters by case name (<see cref="Cases"/>): a scalar adjoint is an array of one,
/// an argument the declaration leaves out of Wrt gets zeros (its direction is zero in the JVP tests too).
/// </summary>
public static class GradientCases
{
    public static GradientCase Get(string name) => All[name];

    public static IReadOnlyDictionary<string, GradientCase> All { get; } = new Dictionary<string, GradientCase>
    {
        ["Trig"] = new()
        {
            Gradient64 = a => { var y = D.TrigGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.TrigGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["InverseTrig"] = new()
        {
            Gradient64 = a => { var y = D.InverseTrigGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.InverseTrigGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Polar"] = new()
        {
            Gradient64 = a => { var y = D.PolarGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.PolarGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Hyperbolic"] = new()
        {
            Gradient64 = a => { var y = D.HyperbolicGradient(a[0][0], out var g0); return new(y, [[g0]]); },
            Gradient32 = a => { var y = F.HyperbolicGradient(a[0][0], out var g0); return new(y, [[g0]]); },
        },
        ["InverseHyperbolic"] = new()
        {
            Gradient64 = a => { var y = D.InverseHyperbolicGradient(a[0][0], a[1][0], a[2][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2]]); },
            Gradient32 = a => { var y = F.InverseHyperbolicGradient(a[0][0], a[1][0], a[2][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2]]); },
        },
        ["Logarithms"] = new()
        {
            Gradient64 = a => { var y = D.LogarithmsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.LogarithmsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Roots"] = new()
        {
            Gradient64 = a => { var y = D.RootsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.RootsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["PowerLaw"] = new()
        {
            Gradient64 = a => { var y = D.PowerLawGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.PowerLawGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Kinks"] = new()
        {
            Gradient64 = a => { var y = D.KinksGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.KinksGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Rounding"] = new()
        {
            Gradient64 = a => { var y = D.RoundingGradient(a[0][0], out var g0); return new(y, [[g0]]); },
            Gradient32 = a => { var y = F.RoundingGradient(a[0][0], out var g0); return new(y, [[g0]]); },
        },
        ["Activation"] = new()
        {
            Gradient64 = a => { var y = D.ActivationGradient(a[0][0], a[1][0] != 0, out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.ActivationGradient(a[0][0], a[1][0] != 0, out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["CompoundOps"] = new()
        {
            Gradient64 = a => { var y = D.CompoundOpsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.CompoundOpsGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Smoothstep"] = new()
        {
            Gradient64 = a => { var y = D.SmoothstepGradient(a[0][0], a[1][0], a[2][0], out var g0); return new(y, [[g0], new double[a[1].Length], new double[a[2].Length]]); },
            Gradient32 = a => { var y = F.SmoothstepGradient(a[0][0], a[1][0], a[2][0], out var g0); return new(y, [[g0], new float[a[1].Length], new float[a[2].Length]]); },
        },
        ["Softplus"] = new()
        {
            Gradient64 = a => { var y = D.SoftplusGradient(a[0][0], out var g0); return new(y, [[g0]]); },
            Gradient32 = a => { var y = F.SoftplusGradient(a[0][0], out var g0); return new(y, [[g0]]); },
        },
        ["Mixed"] = new()
        {
            Gradient64 = a => { var y = D.MixedGradient(a[0][0], a[1][0], (float)a[2][0], out var g0, out var g1); return new(y, [[g0], [g1], new double[a[2].Length]]); },
            Gradient32 = a => { var y = F.MixedGradient(a[0][0], a[1][0], a[2][0], out var g0, out var g1); return new(y, [[g0], [g1], new float[a[2].Length]]); },
        },
        ["Classify"] = new()
        {
            Gradient64 = a => { var y = D.ClassifyGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.ClassifyGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Logic"] = new()
        {
            Gradient64 = a => { var y = D.LogicGradient(a[0][0], a[1][0], a[2][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2]]); },
            Gradient32 = a => { var y = F.LogicGradient(a[0][0], a[1][0], a[2][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2]]); },
        },
        ["Horner"] = new()
        {
            Gradient64 = a => { var g1 = new double[a[1].Length]; var y = D.HornerGradient(a[0][0], a[1], out var g0, g1); return new(y, [[g0], g1]); },
            Gradient32 = a => { var g1 = new float[a[1].Length]; var y = F.HornerGradient(a[0][0], a[1], out var g0, g1); return new(y, [[g0], g1]); },
        },
        ["Rosenbrock"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.RosenbrockGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.RosenbrockGradient(a[0], g0); return new(y, [g0]); },
        },
        ["GaussianLogDensity"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var g1 = new double[a[1].Length]; var y = D.GaussianLogDensityGradient(a[0], a[1], a[2][0], g0, g1, out var g2); return new(y, [g0, g1, [g2]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var g1 = new float[a[1].Length]; var y = F.GaussianLogDensityGradient(a[0], a[1], a[2][0], g0, g1, out var g2); return new(y, [g0, g1, [g2]]); },
        },
        ["LogSumExp"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.LogSumExpGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.LogSumExpGradient(a[0], g0); return new(y, [g0]); },
        },
        ["Huber"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.HuberGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.HuberGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
        },
        ["QuadraticForm"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var g1 = new double[a[1].Length]; var y = D.QuadraticFormGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var g1 = new float[a[1].Length]; var y = F.QuadraticFormGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
        },
        ["StridedSum"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.StridedSumGradient(a[0], (int)a[1][0], (int)a[2][0], g0); return new(y, [g0, new double[a[1].Length], new double[a[2].Length]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.StridedSumGradient(a[0], (int)a[1][0], (int)a[2][0], g0); return new(y, [g0, new float[a[1].Length], new float[a[2].Length]]); },
        },
        ["ContinuedFraction"] = new()
        {
            Gradient64 = a => { var y = D.ContinuedFractionGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.ContinuedFractionGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["Pendulum"] = new()
        {
            Gradient64 = a => { var y = D.PendulumGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new double[a[3].Length]]); },
            Gradient32 = a => { var y = F.PendulumGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new float[a[3].Length]]); },
        },
        ["Moments"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.MomentsGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.MomentsGradient(a[0], g0); return new(y, [g0]); },
        },
        ["WeightedSquares"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.WeightedSquaresGradient(a[0], a[1], g0); return new(y, [g0, new double[a[1].Length]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.WeightedSquaresGradient(a[0], a[1], g0); return new(y, [g0, new float[a[1].Length]]); },
        },
        ["PeakEnergy"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.PeakEnergyGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.PeakEnergyGradient(a[0], g0); return new(y, [g0]); },
        },
        ["Interpolate"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.InterpolateGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.InterpolateGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
        },
        ["PackedTriangle"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var g1 = new double[a[1].Length]; var y = D.PackedTriangleGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var g1 = new float[a[1].Length]; var y = F.PackedTriangleGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
        },
        ["PrefixBuffers"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.PrefixBuffersGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.PrefixBuffersGradient(a[0], g0); return new(y, [g0]); },
        },
        ["ExpectedIndex"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.ExpectedIndexGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.ExpectedIndexGradient(a[0], g0); return new(y, [g0]); },
        },
        ["Bump"] = new()
        {
            Gradient64 = a => { var y = KD.BumpGradient(a[0][0], out var g0); return new(y, [[g0]]); },
            Gradient32 = a => { var y = KF.BumpGradient(a[0][0], out var g0); return new(y, [[g0]]); },
        },
        ["Middle"] = new()
        {
            Gradient64 = a => { var y = D.MiddleGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.MiddleGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Outer"] = new()
        {
            Gradient64 = a => { var y = D.OuterGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.OuterGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["BumpSum"] = new()
        {
            Gradient64 = a => { var y = D.BumpSumGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.BumpSumGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["Mlp"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var g1 = new double[a[1].Length]; var y = D.MlpGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var g1 = new float[a[1].Length]; var y = F.MlpGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
        },
        ["Mlp (Wrt = x)"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var g1 = new double[a[1].Length]; var y = D.MlpGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var g1 = new float[a[1].Length]; var y = F.MlpGradient(a[0], a[1], g0, g1); return new(y, [g0, g1]); },
        },
        ["LogisticLoss"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.LogisticLossGradient(a[0], a[1], a[2], g0); return new(y, [g0, new double[a[1].Length], new double[a[2].Length]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.LogisticLossGradient(a[0], a[1], a[2], g0); return new(y, [g0, new float[a[1].Length], new float[a[2].Length]]); },
        },
        ["Recurrence"] = new()
        {
            Gradient64 = a => { var y = D.RecurrenceGradient(a[0][0], a[1][0], (int)a[2][0], out var g0, out var g1); return new(y, [[g0], [g1], new double[a[2].Length]]); },
            Gradient32 = a => { var y = F.RecurrenceGradient(a[0][0], a[1][0], (int)a[2][0], out var g0, out var g1); return new(y, [[g0], [g1], new float[a[2].Length]]); },
        },
        ["Rotation"] = new()
        {
            Gradient64 = a => { var y = D.RotationGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new double[a[3].Length]]); },
            Gradient32 = a => { var y = F.RotationGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new float[a[3].Length]]); },
        },
        ["OrderedGap"] = new()
        {
            Gradient64 = a => { var y = D.OrderedGapGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.OrderedGapGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["RankWeighted"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.RankWeightedGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.RankWeightedGradient(a[0], g0); return new(y, [g0]); },
        },
        ["OnlineLogSumExp"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.OnlineLogSumExpGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.OnlineLogSumExpGradient(a[0], g0); return new(y, [g0]); },
        },
        ["LaggedSum"] = new()
        {
            Gradient64 = a => { var y = D.LaggedSumGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.LaggedSumGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["Powers"] = new()
        {
            Gradient64 = a => { var y = D.PowersGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.PowersGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["IntArithmetic"] = new()
        {
            Gradient64 = a => { var y = D.IntArithmeticGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new double[a[1].Length]]); },
            Gradient32 = a => { var y = F.IntArithmeticGradient(a[0][0], (int)a[1][0], out var g0); return new(y, [[g0], new float[a[1].Length]]); },
        },
        ["FixedRotation"] = new()
        {
            Gradient64 = a => { var y = D.FixedRotationGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
            Gradient32 = a => { var y = F.FixedRotationGradient(a[0][0], a[1][0], out var g0, out var g1); return new(y, [[g0], [g1]]); },
        },
        ["Guarded"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.GuardedGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.GuardedGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
        },
        ["Accumulated"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.AccumulatedGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.AccumulatedGradient(a[0], a[1][0], g0, out var g1); return new(y, [g0, [g1]]); },
        },
        ["ArgMaxSquare"] = new()
        {
            Gradient64 = a => { var g0 = new double[a[0].Length]; var y = D.ArgMaxSquareGradient(a[0], g0); return new(y, [g0]); },
            Gradient32 = a => { var g0 = new float[a[0].Length]; var y = F.ArgMaxSquareGradient(a[0], g0); return new(y, [g0]); },
        },
        ["Arithmetic"] = new()
        {
            Gradient64 = a => { var y = D.ArithmeticGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new double[a[3].Length]]); },
            Gradient32 = a => { var y = F.ArithmeticGradient(a[0][0], a[1][0], a[2][0], (int)a[3][0], out var g0, out var g1, out var g2); return new(y, [[g0], [g1], [g2], new float[a[3].Length]]); },
        },

        // ------------------------------------------------------------ void primals: [Vjp]
        ["Softmax"] = new()
        {
            VjpWrt = [0],
            Vjp64 = (a, s) => { var y = new double[a[0].Length]; var g = new double[a[0].Length]; D.SoftmaxVjp(a[0], y, s, g); return new(y, [g]); },
            Vjp32 = (a, s) => { var y = new float[a[0].Length]; var g = new float[a[0].Length]; F.SoftmaxVjp(a[0], y, s, g); return new(y, [g]); },
        },
        ["MovingAverage"] = new()
        {
            // Wrt = "x": the VJP with alpha does not compile (see the declaration).
            VjpWrt = [0],
            Vjp64 = (a, s) => { var y = new double[a[0].Length]; var g = new double[a[0].Length]; D.MovingAverageVjp(a[0], a[1][0], y, s, g); return new(y, [g, [0]]); },
            Vjp32 = (a, s) => { var y = new float[a[0].Length]; var g = new float[a[0].Length]; F.MovingAverageVjp(a[0], a[1][0], y, s, g); return new(y, [g, [0]]); },
        },
        ["DenseTanh"] = new()
        {
            VjpWrt = [0, 2],
            Vjp64 = (a, s) =>
            {
                var y = new double[4]; var gw = new double[a[0].Length]; var gx = new double[a[2].Length];
                KD.DenseTanhVjp(a[0], (int)a[1][0], a[2], y, s, gw, gx);
                return new(y, [gw, [0], gx]);
            },
            Vjp32 = (a, s) =>
            {
                var y = new float[4]; var gw = new float[a[0].Length]; var gx = new float[a[2].Length];
                KF.DenseTanhVjp(a[0], (int)a[1][0], a[2], y, s, gw, gx);
                return new(y, [gw, [0], gx]);
            },
        },
        ["Axpy"] = new()
        {
            // Wrt = "x": the VJP with a does not compile (see the declaration); y's initial
            // contents are an input of Axpy, but a VJP has no adjoint for an output span's
            // initial contents (the signature rule gives seeds for outputs, adjoints for inputs).
            VjpWrt = [1],
            Vjp64 = (a, s) => { var y = (double[])a[2].Clone(); var g = new double[a[1].Length]; D.AxpyVjp(a[0][0], a[1], y, s, g); return new(y, [[0], g, new double[a[2].Length]]); },
            Vjp32 = (a, s) => { var y = (float[])a[2].Clone(); var g = new float[a[1].Length]; F.AxpyVjp(a[0][0], a[1], y, s, g); return new(y, [[0], g, new float[a[2].Length]]); },
        },
    };
}
