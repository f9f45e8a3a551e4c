"""The numpy peer: exactly the step of `benches/step.rs`, vectorised.

One semi-implicit step (S6) of the lifted two-layer network at finite width:
    V = E W                     (values at the M particles, M x d)
    S = tanh(X V^T)             (n x M)
    f = S a / M
    p = l'(y, f) / n
    G = ((1 - S^2) * p[:, None] * a[None, :])^T X      (Frechet gradient values, M x d)
    grad = E^T G / M
    W' = S_eta * (W - eta grad + sqrt(2 eta / beta) eps),  S_eta = 1 / (1 + eta lambda / mu_k)

Usage:
    python step.py check FILE.json   # conformance: reproduce a golden trajectory
    python step.py time             # seconds per step at M=256, n=1024, d=16, N=256
    python step.py time-parts       # the step's four products alone (OpenBLAS)

Run with BLAS pinned to one thread (compare.sh sets OPENBLAS_NUM_THREADS=1 etc.).
"""
import json
import sys
import time

import numpy as np


def step(W, E, X, y, a, s_eta, eta, beta, noise, loss):
    M = E.shape[0]
    n = X.shape[0]
    V = E @ W
    S = np.tanh(X @ V.T)
    f = S @ a / M
    if loss == "squared":
        p = 2.0 * (f - y) / n
    else:
        p = -y / (1.0 + np.exp(y * f)) / n
    D = (1.0 - S * S) * p[:, None] * a[None, :]
    G = D.T @ X
    grad = E.T @ G / M
    return s_eta[:, None] * (W - eta * grad + np.sqrt(2.0 * eta / beta) * noise)


def check(path):
    t = json.load(open(path))
    spec, prob = t["spec"], t["problem"]
    if spec["model"]["kind"] != "two-layer":
        raise SystemExit("the peer implements the lifted two-layer model only")
    E = np.array(prob["basis_values"])
    X = np.array(prob["x"])
    y = np.array(prob["y"])
    a = np.array(prob["second_layer"])
    mu = np.array(prob["mu"])
    N, d = E.shape[1], X.shape[1]
    eta, beta, lam = spec["eta"], spec["beta"], spec["lambda"]
    s_eta = 1.0 / (1.0 + eta * lam / mu)
    worst = 0.0
    for k, eps in enumerate(t["noise"]):
        W = np.array(t["states"][k]).reshape(N, d)
        nxt = step(W, E, X, y, a, s_eta, eta, beta, np.array(eps).reshape(N, d), spec["loss"])
        ref = np.array(t["states"][k + 1]).reshape(N, d)
        worst = max(worst, float(np.max(np.abs(nxt - ref) / (1e-12 + np.abs(ref)))))
    print(json.dumps({"file": path, "steps": len(t["noise"]), "max_rel_diff": worst}))
    if worst > 1e-9:
        raise SystemExit(1)


def timing(M=256, n=1024, d=16, N=256, steps=200):
    rng = np.random.default_rng(1)
    E = rng.standard_normal((M, N))
    X = rng.standard_normal((n, d))
    y = np.tanh(X[:, 0]) + 0.5 * X[:, 1]
    a = np.where(np.arange(M) % 2 == 0, 1.0, -1.0)
    mu = 1.0 / (1.0 + np.arange(N)) ** 2
    eta, beta, lam = 1e-3, 100.0, 1e-2
    s_eta = 1.0 / (1.0 + eta * lam / mu)
    W = rng.standard_normal((N, d)) * 0.1
    for _ in range(10):
        W = step(W, E, X, y, a, s_eta, eta, beta, rng.standard_normal((N, d)), "squared")
    t0 = time.perf_counter()
    for _ in range(steps):
        W = step(W, E, X, y, a, s_eta, eta, beta, rng.standard_normal((N, d)), "squared")
    sec = (time.perf_counter() - t0) / steps
    A = rng.standard_normal((512, 512))
    B = rng.standard_normal((512, 512))
    A @ B
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        A @ B
    gemm = 2 * 512**3 * reps / (time.perf_counter() - t0) / 1e9
    print(json.dumps({"seconds_per_step": sec, "numpy": np.__version__, "dgemm_gflops_1thread": gemm}))


def timing_parts(M=256, n=1024, d=16, N=256, calls=50, reps=5):
    """The four products of the step alone (E W, X V^T, S^T X, E^T G), as
    `step_time parts` and `step_jax.py time-parts` time them: best of `reps`
    repetitions of `calls` calls, seconds per call."""
    rng = np.random.default_rng(2)
    E = rng.uniform(-1, 1, (M, N))
    Et = np.ascontiguousarray(E.T)
    W = rng.uniform(-1, 1, (N, d))
    X = rng.uniform(-1, 1, (n, d))

    def products():
        V = E @ W
        S = X @ V.T
        G = S.T @ X
        return Et @ G

    products()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            products()
        best = min(best, (time.perf_counter() - t0) / calls)
    flops = 4 * n * M * d + 4 * M * N * d
    print(json.dumps({"products_seconds": best, "products_gflops": flops / best / 1e9, "numpy": np.__version__}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "time":
        timing()
    elif len(sys.argv) == 2 and sys.argv[1] == "time-parts":
        timing_parts()
    else:
        raise SystemExit(__doc__)
