"""The PINN training step of Tests/GpuCheck written in JAX, to time both on the same GPU.

Allen-Cahn residual, network d -> 128 -> 128 -> 128 -> 1 (tanh), u(x) = (1 - |x|^2) * MLP(x), sparse STDE Laplacian
with |J| = 16 coordinates per point drawn without replacement (d/|J| * sum of d^2u/dx_j^2, each by forward-over-forward
JVP along e_j), batch 100, float32, Adam. One jitted step: sampling of points and coordinates, loss, gradient, update.

usage: python3 tools/stde_jax.py [--dims 100,1000,...] [--budget SECONDS] [--steps N]
"""
import argparse
import time

import jax
import jax.numpy as jnp
import optax

WIDTH, BATCH, PROBES = 128, 100, 16


def init(key, d):
    sizes = [(d, WIDTH), (WIDTH, WIDTH), (WIDTH, WIDTH), (WIDTH, 1)]
    keys = jax.random.split(key, len(sizes))
    return [(jax.random.normal(k, (o, i), jnp.float32) / jnp.sqrt(i), jnp.zeros(o, jnp.float32)) for k, (i, o) in zip(keys, sizes)]


def u(params, x):
    h = x
    for w, b in params[:-1]:
        h = jnp.tanh(w @ h + b)
    w, b = params[-1]
    return (1.0 - x @ x) * (w @ h + b)[0]


def laplacian_sparse(params, x, coords):
    d = x.shape[0]

    def second(j):
        e = jnp.zeros(d, x.dtype).at[j].set(1.0)
        along = lambda t: u(params, x + t * e)
        first = lambda t: jax.jvp(along, (t,), (jnp.float32(1),))[1]
        return jax.jvp(first, (jnp.float32(0),), (jnp.float32(1),))[1]

    return d / coords.shape[0] * jnp.sum(jax.vmap(second)(coords))


def make_step(d, optimizer):
    def loss(params, xs, fs, coords):
        def point(x, f, c):
            uu = u(params, x)
            r = laplacian_sparse(params, x, c) + uu - uu ** 3 - f
            return r * r
        return jnp.mean(jax.vmap(point)(xs, fs, coords))

    @jax.jit
    def step(params, state, key):
        k1, k2, k3 = jax.random.split(key, 3)
        g = jax.random.normal(k1, (BATCH, d), jnp.float32)
        radius = jax.random.uniform(k2, (BATCH, 1), jnp.float32) ** (1.0 / d)
        xs = g / jnp.linalg.norm(g, axis=1, keepdims=True) * radius
        fs = jnp.zeros(BATCH, jnp.float32)
        coords = jax.vmap(lambda k: jax.random.choice(k, d, (PROBES,), replace=False))(jax.random.split(k3, BATCH))
        value, grads = jax.value_and_grad(loss)(params, xs, fs, coords)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dims", default="100,1000,10000,100000,1000000")
    ap.add_argument("--budget", type=float, default=150)
    ap.add_argument("--steps", type=int, default=50)
    a = ap.parse_args()
    dims = [int(s) for s in a.dims.split(",")]
    print(f"JAX {jax.__version__} on {jax.devices()[0].device_kind}; batch {BATCH}, width {WIDTH}, sparse |J| = {PROBES}, float32")
    print("d | first step (compile) s | steps timed | ms/step (min / median) | it/s (median) | peak device memory MB")
    start = time.perf_counter()
    for i, d in enumerate(dims):
        left = a.budget - (time.perf_counter() - start)
        if left < 5:
            print(f"{d} | skipped: {left:.0f} s of the budget left")
            continue
        try:
            optimizer = optax.adam(1e-3)
            params = init(jax.random.PRNGKey(0), d)
            state = optimizer.init(params)
            step = make_step(d, optimizer)
            key = jax.random.PRNGKey(1)
            t0 = time.perf_counter()
            params, state, value = step(params, state, key)
            value.block_until_ready()
            first = time.perf_counter() - t0
            times = []
            window = time.perf_counter()
            while len(times) < a.steps and (not times or time.perf_counter() - window < left / (len(dims) - i) - first):
                key, sub = jax.random.split(key)
                t = time.perf_counter()
                params, state, value = step(params, state, sub)
                value.block_until_ready()
                times.append(time.perf_counter() - t)
            times.sort()
            med = times[len(times) // 2]
            stats = jax.devices()[0].memory_stats() or {}
            peak = stats.get("peak_bytes_in_use", 0) / 2 ** 20
            print(f"{d} | {first:.2f} | {len(times)} | {times[0] * 1e3:.2f} / {med * 1e3:.2f} | {1 / med:.1f} | {peak:.0f}")
        except Exception as e:  # an out-of-memory at large d is a result, not a crash
            print(f"{d} | FAILED: {type(e).__name__}: {str(e)[:200]}")


if __name__ == "__main__":
    main()
