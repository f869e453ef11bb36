using System;
using Dsl;
using Pinn;

namespace GpuCheck;

/// <summary>
/// The PINN batch gradient by (point, probe) items (<see cref="Model.LapTermKernel"/> and the kernels beside it): two
/// passes of generated kernels, the residuals formed on the host in between. Allen–Cahn only (dR/du = 1 − 3u²).
/// </summary>
internal sealed class SplitStep : IDisposable
{
    private readonly Model.LapTermKernelLauncher _terms;
    private readonly Model.UKernelLauncher _u;
    private readonly Model.WeightedLapTermGradKernelLauncher _lapGrad;
    private readonly Model.WeightedUGradKernelLauncher _uGrad;
    private float[] _xRep = Array.Empty<float>(), _termValues = Array.Empty<float>(), _uValues = Array.Empty<float>();
    private float[] _s = Array.Empty<float>(), _t = Array.Empty<float>(), _results = Array.Empty<float>();
    private float[] _gA = Array.Empty<float>(), _gB = Array.Empty<float>();

    public SplitStep(KernelDevice device)
    {
        _terms = new Model.LapTermKernelLauncher(device);
        _u = new Model.UKernelLauncher(device);
        _lapGrad = new Model.WeightedLapTermGradKernelLauncher(device);
        _uGrad = new Model.WeightedUGradKernelLauncher(device);
    }

    /// <summary>The summed loss Σ r_i² of <paramref name="n"/> points with <paramref name="v"/> probes each; writes Σ ∇θ r_i².</summary>
    public float Run(int n, int v, int d, float[] x, float[] theta, int width, float[] probes, float[] f, float[] grad)
    {
        int pairs = n * v;
        if (_xRep.Length != pairs * d)
        {
            _xRep = new float[pairs * d];
            _termValues = new float[pairs];
            _s = new float[pairs];
            _results = new float[pairs];
            _uValues = new float[n];
            _t = new float[n];
            _gA = new float[grad.Length];
            _gB = new float[grad.Length];
        }
        for (var i = 0; i < n; i++)
            for (var j = 0; j < v; j++) Array.Copy(x, i * d, _xRep, (i * v + j) * d, d);
        _terms.Run(pairs, _xRep, theta, width, probes, _termValues);
        _u.Run(n, x, theta, width, _uValues);
        double loss = 0;
        for (var i = 0; i < n; i++)
        {
            float lap = 0;
            for (var j = 0; j < v; j++) lap += _termValues[i * v + j];
            lap /= v;
            float u = _uValues[i];
            float r = Model.Residual(lap, u, f[i], 0);
            loss += (double)r * r;
            for (var j = 0; j < v; j++) _s[i * v + j] = 2 * r / v;
            _t[i] = 2 * r * (1 - 3 * u * u);
        }
        _lapGrad.Run(pairs, _xRep, theta, width, probes, _s, _gA, _results);
        _uGrad.Run(n, x, theta, width, _t, _gB, _results.AsMemory(0, n));
        for (var k = 0; k < grad.Length; k++) grad[k] = _gA[k] + _gB[k];
        return (float)loss;
    }

    public void Dispose()
    {
        _terms.Dispose();
        _u.Dispose();
        _lapGrad.Dispose();
        _uGrad.Dispose();
    }
}
