"""The JAX/XLA peer: the step of `step.py` (and of `benches/step.rs`),
compiled by XLA in float64 on one thread.

Same formulas as the numpy peer (see its docstring). The timed loop is a
`lax.scan` over 50 steps with the noise precomputed, jitted once; the
batched variant steps C chains on one problem with `vmap`.

Usage (compare.sh sets the environment):
    python step_jax.py check FILE.json   # conformance: reproduce a golden trajectory
    python step_jax.py time              # seconds per step at M=256, n=1024, d=16, N=256
    python step_jax.py time-batched C    # seconds per chain-step for C chains (vmap)
    python step_jax.py time-parts        # the step's four products alone, and tanh over n×M alone

Environment: JAX_ENABLE_X64=1, JAX_PLATFORMS=cpu and
XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1
for one thread (set below when absent).
"""
import json
import os
import sys
import time

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)


def step(W, E, X, y, a, s_eta, eta, beta, noise, squared=True):
    M = E.shape[0]
    n = X.shape[0]
    V = E @ W
    S = jnp.tanh(X @ V.T)
    f = S @ a / M
    if squared:
        p = 2.0 * (f - y) / n
    else:
        p = -y / (1.0 + jnp.exp(y * f)) / n
    D = (1.0 - S * S) * p[:, None] * a[None, :]
    G = D.T @ X
    grad = E.T @ G / M
    return s_eta[:, None] * (W - eta * grad + jnp.sqrt(2.0 * eta / beta) * noise)


def check(path):
    t = json.load(open(path))
    spec, prob = t["spec"], t["problem"]
    if spec["model"]["kind"] != "two-layer":
        raise SystemExit("the peer implements the lifted two-layer model only")
    E = jnp.array(prob["basis_values"])
    X = jnp.array(prob["x"])
    y = jnp.array(prob["y"])
    a = jnp.array(prob["second_layer"])
    mu = jnp.array(prob["mu"])
    N, d = E.shape[1], X.shape[1]
    eta, beta, lam = spec["eta"], spec["beta"], spec["lambda"]
    s_eta = 1.0 / (1.0 + eta * lam / mu)
    squared = spec["loss"] == "squared"
    f = jax.jit(lambda W, eps: step(W, E, X, y, a, s_eta, eta, beta, eps, squared))
    worst = 0.0
    for k, eps in enumerate(t["noise"]):
        W = jnp.array(t["states"][k]).reshape(N, d)
        nxt = np.asarray(f(W, jnp.array(eps).reshape(N, d)))
        ref = np.array(t["states"][k + 1]).reshape(N, d)
        worst = max(worst, float(np.max(np.abs(nxt - ref) / (1e-12 + np.abs(ref)))))
    print(json.dumps({"file": path, "steps": len(t["noise"]), "max_rel_diff": worst, "jax": jax.__version__}))
    if worst > 1e-9:
        raise SystemExit(1)


def problem(M=256, n=1024, d=16, N=256):
    rng = np.random.default_rng(1)
    E = jnp.array(rng.standard_normal((M, N)))
    X = jnp.array(rng.standard_normal((n, d)))
    y = jnp.tanh(X[:, 0]) + 0.5 * X[:, 1]
    a = jnp.where(jnp.arange(M) % 2 == 0, 1.0, -1.0)
    mu = 1.0 / (1.0 + jnp.arange(N)) ** 2
    eta, beta, lam = 1e-3, 100.0, 1e-2
    s_eta = 1.0 / (1.0 + eta * lam / mu)
    W = jnp.array(rng.standard_normal((N, d)) * 0.1)
    return rng, (E, X, y, a, s_eta, eta, beta), W


def run_scan(args, W, noise):
    def body(w, eps):
        return step(w, *args, eps), None

    return jax.lax.scan(body, W, noise)[0]


def timing(chains=None, steps=50, reps=5):
    rng, args, W = problem()
    N, d = W.shape
    if chains is None:
        f = jax.jit(lambda w, eps: run_scan(args, w, eps))
        noise = jnp.array(rng.standard_normal((steps, N, d)))
        w0 = W
    else:
        f = jax.jit(jax.vmap(lambda w, eps: run_scan(args, w, eps)))
        noise = jnp.array(rng.standard_normal((chains, steps, N, d)))
        w0 = jnp.broadcast_to(W, (chains, N, d))
    f(w0, noise).block_until_ready()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f(w0, noise).block_until_ready()
        best = min(best, time.perf_counter() - t0)
    per = best / steps / (chains or 1)
    out = {"seconds_per_step": per, "jax": jax.__version__, "steps_per_call": steps}
    if chains is not None:
        out["chains"] = chains
    print(json.dumps(out))


def best_per_call(f, *args, calls=50, reps=5):
    """Best of `reps` repetitions of `calls` calls, seconds per call."""
    f(*args).block_until_ready()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            out = f(*args)
        out.block_until_ready()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def timing_parts(M=256, n=1024, d=16, N=256):
    """The step's parts alone, as `step_time parts` times ours: the four
    products (E W, X Vᵀ, Dᵀ X, Eᵀ G) in one jit, and tanh over n×M in another.
    Each jit runs 50 times inside a `lax.scan` so dispatch is amortised."""
    rng = np.random.default_rng(2)
    E = jnp.array(rng.uniform(-1, 1, (M, N)))
    W = jnp.array(rng.uniform(-1, 1, (N, d)))
    X = jnp.array(rng.uniform(-1, 1, (n, d)))
    Z = jnp.array(rng.uniform(-3, 3, (n, M)))

    def products(w):
        V = E @ w
        S = X @ V.T
        G = S.T @ X
        return E.T @ G * 1e-6

    def tanh_pass(z):
        return jnp.tanh(z) * 3.0

    scan = lambda body, x0: jax.jit(lambda x: jax.lax.scan(lambda c, _: (body(c), None), x, None, length=50)[0])
    tp = best_per_call(scan(products, W), W, calls=1) / 50
    tt = best_per_call(scan(tanh_pass, Z), Z, calls=1) / 50
    flops = 4 * n * M * d + 4 * M * N * d
    print(json.dumps({"products_seconds": tp, "products_gflops": flops / tp / 1e9,
                      "tanh_seconds": tt, "tanh_ns_per_entry": tt / (n * M) * 1e9, "jax": jax.__version__}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "time":
        timing()
    elif len(sys.argv) == 2 and sys.argv[1] == "time-parts":
        timing_parts()
    elif len(sys.argv) == 3 and sys.argv[1] == "time-batched":
        timing(chains=int(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
