using System;
using Dsl;

// Fit y = a·tanh(b·x + c) + d to noisy samples by gradient descent, with a generated gradient.
var rng = new Random(7);
const int n = 200;
var xs = new double[n];
var ys = new double[n];
double[] truth = { 1.5, 2.0, -0.5, 0.25 };
for (int i = 0; i < n; i++)
{
    xs[i] = -2 + 4.0 * i / (n - 1);
    ys[i] = truth[0] * Math.Tanh(truth[1] * xs[i] + truth[2]) + truth[3] + 0.05 * (rng.NextDouble() - 0.5);
}

double[] theta = { 1.0, 1.0, 0.0, 0.0 };
var grad = new double[theta.Length];
const double learningRate = 0.2;
Console.WriteLine(" step        loss");
for (int step = 0; step <= 400; step++)
{
    double loss = Fit.LossGradient(theta, xs, ys, grad);
    if (step % 50 == 0) Console.WriteLine($"{step,5}  {loss,10:E3}");
    for (int k = 0; k < theta.Length; k++) theta[k] -= learningRate * grad[k];
}
Console.WriteLine($"fitted a={theta[0]:F3} b={theta[1]:F3} c={theta[2]:F3} d={theta[3]:F3}   (true 1.5, 2.0, -0.5, 0.25)");

static partial class Fit
{
    // Mean squared error of the model over the data: ordinary C#.
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        double sum = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double prediction = theta[0] * Math.Tanh(theta[1] * xs[i] + theta[2]) + theta[3];
            double error = prediction - ys[i];
            sum += error * error;
        }
        return sum / xs.Length;
    }

    // Reverse mode: Loss's parameters, then one adjoint span for theta (overwritten).
    [Gradient(nameof(Loss), Wrt = "theta")]
    public static partial double LossGradient(ReadOnlySpan<double> theta, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> thetaBar);
}
