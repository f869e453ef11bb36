#!/usr/bin/python3
"""PyTorch side of the peer benchmark (`dotnet run -c Release --project Tests/Benchmarks -- --peers`).

The C# harness starts this script once and drives it over stdin/stdout, one command per line:

  load <id> <dir>   read the inputs the harness wrote into <dir> (meta.txt, *.bin little-endian arrays),
                    build the case, run it once; write the gradient to <dir>/torch_grad.bin (float64) and,
                    for float32 cases, the same computation in float64 to <dir>/ref_grad.bin;
                    answer "loss <value>" or "loss <value> ref <float64 value>"
  time <id> <calls> run the case <calls> times; answer "ns <nanoseconds per call>"
  quit

The harness alternates its own rounds with "time" rounds here and keeps each side's best round.
One thread: torch.set_num_threads(1) below, and OMP/OPENBLAS/MKL_NUM_THREADS=1 set by the harness
(set here too before torch is imported, for runs by hand).

Cases (the same problems as the C# side, same inputs read from the harness's files):
  gmm   ADBench GMM objective and its gradient w.r.t. alphas, means, icf (float64), vectorized over
        points and components (one batched matmul per component); reverse mode by loss.backward().
  mlp   Σ_p (MLP(x_p) − y_p)², 16 → 128 → 128 → 1 tanh, batch 32, float64; gradient w.r.t. the flat θ.
  pinn  Allen–Cahn residual² summed over a batch, u(x) = (1 − ‖x‖²)·MLP(x), d → 128 → 128 → 128 → 1
        tanh, float32; the STDE Laplacian estimate by double backward along the probe directions:
        the batch is repeated once per probe (B·|J| rows), g = ∇ₓu by autograd.grad(create_graph=True),
        then vᵀHv = v·∇ₓ(g·v) by a second autograd.grad — one batched Hessian-vector product per probe.
        Dense (Rademacher): mean over probes; sparse (unit vectors e_j): (d/|J|)·Σ_j, i.e. d × mean.
        The sparse probes are passed as dense one-hot rows and go through the same HVP code: PyTorch
        has no cheaper idiomatic way to take e_jᵀHe_j for a chosen j.
        Then the θ-gradient of the summed loss by a third reverse sweep (reverse over reverse over reverse).
"""
import math
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


def read_meta(d):
    meta = {}
    with open(os.path.join(d, "meta.txt")) as f:
        for line in f:
            k, v = line.strip().split("=", 1)
            meta[k] = v
    return meta


def read(d, name, dtype):
    return torch.from_numpy(np.fromfile(os.path.join(d, name + ".bin"), dtype=dtype))


# ---------------------------------------------------------------- GMM (ADBench layout, see GmmModel.cs)

def gmm_objective(alphas, means, icf, x, gamma, m, wishart_c, rows, cols):
    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    ls = icf[:, d:]
    sumq = qs.sum(1)
    # Q_k lower triangular: exp(q) on the diagonal, l in column-major order below it.
    q = torch.zeros(k, d, d, dtype=x.dtype)
    q[:, rows, cols] = ls
    q = q + torch.diag_embed(torch.exp(qs))
    xc = x.unsqueeze(0) - means.unsqueeze(1)            # K × N × D
    qxc = torch.matmul(xc, q.transpose(1, 2))           # row n of component k: Q_k (x_n − μ_k)
    main = alphas.unsqueeze(1) + sumq.unsqueeze(1) - 0.5 * (qxc * qxc).sum(2)   # K × N
    slse = torch.logsumexp(main, 0).sum()
    lse_alphas = torch.logsumexp(alphas, 0)
    prior = (0.5 * gamma * gamma * ((torch.exp(qs) ** 2).sum() + (ls * ls).sum()) - m * sumq.sum())
    const = -0.5 * n * d * math.log(2 * math.pi)
    return const + slse - n * lse_alphas + prior - k * wishart_c


def gmm_case(d):
    meta = read_meta(d)
    n, dim, k = int(meta["n"]), int(meta["d"]), int(meta["k"])
    gamma, m, wc = float(meta["gamma"]), int(meta["m"]), float(meta["wishartC"])
    alphas = read(d, "alphas", "<f8").clone().requires_grad_()
    means = read(d, "means", "<f8").reshape(k, dim).clone().requires_grad_()
    icf = read(d, "icf", "<f8").reshape(k, dim * (dim + 1) // 2).clone().requires_grad_()
    x = read(d, "x", "<f8").reshape(n, dim)
    rows = [j for i in range(dim) for j in range(i + 1, dim)]
    cols = [i for i in range(dim) for j in range(i + 1, dim)]
    params = (alphas, means, icf)

    def run():
        loss = gmm_objective(alphas, means, icf, x, gamma, m, wc, rows, cols)
        grads = torch.autograd.grad(loss, params)
        return loss, torch.cat([g.reshape(-1) for g in grads])
    return run, None


# ---------------------------------------------------------------- MLP loss (layout of MlpLossModel.cs)

def mlp_loss(theta, xs, ys, dim, h):
    o = 0
    w1 = theta[o:o + h * dim].view(h, dim); o += h * dim
    b1 = theta[o:o + h]; o += h
    w2 = theta[o:o + h * h].view(h, h); o += h * h
    b2 = theta[o:o + h]; o += h
    w3 = theta[o:o + h]; o += h
    b3 = theta[o]
    h1 = torch.tanh(torch.addmm(b1, xs, w1.t()))
    h2 = torch.tanh(torch.addmm(b2, h1, w2.t()))
    e = h2 @ w3 + b3 - ys
    return (e * e).sum()


def mlp_case(d):
    meta = read_meta(d)
    dim, batch, h = int(meta["dim"]), int(meta["batch"]), int(meta["h"])
    theta = read(d, "theta", "<f8").clone().requires_grad_()
    xs = read(d, "xs", "<f8").reshape(batch, dim)
    ys = read(d, "ys", "<f8")

    def run():
        loss = mlp_loss(theta, xs, ys, dim, h)
        (g,) = torch.autograd.grad(loss, theta)
        return loss, g
    return run, None


# ---------------------------------------------------------------- PINN step (layout of Samples/Pinn/Model.cs)

def pinn_u(x, theta, dim, w):
    o = 0
    w1 = theta[o:o + w * dim].view(w, dim); o += w * dim
    b1 = theta[o:o + w]; o += w
    w2 = theta[o:o + w * w].view(w, w); o += w * w
    b2 = theta[o:o + w]; o += w
    w3 = theta[o:o + w * w].view(w, w); o += w * w
    b3 = theta[o:o + w]; o += w
    w4 = theta[o:o + w]; o += w
    b4 = theta[o]
    h = torch.tanh(torch.addmm(b1, x, w1.t()))
    h = torch.tanh(torch.addmm(b2, h, w2.t()))
    h = torch.tanh(torch.addmm(b3, h, w3.t()))
    return (1 - (x * x).sum(1)) * (h @ w4 + b4)


def pinn_loss(theta, x, probes, f, dim, w, nprobes, sparse):
    b = x.shape[0]
    xr = x.repeat_interleave(nprobes, 0).requires_grad_()     # one row per (point, probe)
    v = probes.reshape(b * nprobes, dim)
    u = pinn_u(xr, theta, dim, w)
    (g,) = torch.autograd.grad(u.sum(), xr, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), xr, create_graph=True)
    vhv = (hv * v).sum(1).view(b, nprobes)
    lap = vhv.mean(1) * (dim if sparse else 1)
    u0 = u.view(b, nprobes)[:, 0]
    r = lap + u0 - u0 * u0 * u0 - f                            # Allen–Cahn: Δu + u − u³ = f
    return (r * r).sum()


def pinn_case(d):
    meta = read_meta(d)
    dim, w, batch, nprobes = int(meta["d"]), int(meta["width"]), int(meta["batch"]), int(meta["probes"])
    sparse = meta["estimator"] == "sparse"
    theta = read(d, "theta", "<f4").clone().requires_grad_()
    x = read(d, "x", "<f4").reshape(batch, dim)
    probes = read(d, "probes", "<f4")
    f = read(d, "f", "<f4")

    def make(th, xx, pp, ff):
        def run():
            loss = pinn_loss(th, xx, pp, ff, dim, w, nprobes, sparse)
            (g,) = torch.autograd.grad(loss, th)
            return loss, g
        return run

    ref = make(theta.detach().double().requires_grad_(), x.double(), probes.double(), f.double())
    return make(theta, x, probes, f), ref


def blas_library():
    # Debian's torch links the generic libblas.so.3; the alternatives system picks OpenBLAS when installed.
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    return ",".join(sorted(os.path.realpath(p) for p in libs)) or "none"


CASES = {"gmm": gmm_case, "mlp": mlp_case, "pinn": pinn_case}


def main():
    runs = {}
    out = sys.stdout
    out.write(f"ready torch {torch.__version__} threads {torch.get_num_threads()} "
              f"blas {blas_library()}\n")
    out.flush()
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "load":
            cid, d = parts[1], parts[2]
            run, ref = CASES[read_meta(d)["kind"]](d)
            runs[cid] = run
            loss, g = run()
            g.detach().double().numpy().astype("<f8").tofile(os.path.join(d, "torch_grad.bin"))
            answer = f"loss {loss.item()!r}"
            if ref is not None:
                rl, rg = ref()
                rg.detach().numpy().astype("<f8").tofile(os.path.join(d, "ref_grad.bin"))
                answer += f" ref {rl.item()!r}"
            out.write(answer + "\n")
        elif parts[0] == "time":
            run, calls = runs[parts[1]], int(parts[2])
            t0 = time.perf_counter_ns()
            for _ in range(calls):
                run()
            out.write(f"ns {(time.perf_counter_ns() - t0) / calls}\n")
        else:
            out.write(f"error unknown command {parts[0]}\n")
        out.flush()


if __name__ == "__main__":
    main()
