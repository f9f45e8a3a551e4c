"""A worked independent implementation of the reference step, in numpy.

Written from README.md and paper/oracle-maths.md only (no Rust source), for
every model kind: `regression` (cosine basis), `two-layer` (lifted network,
fixed second layer a_m = +1, -1, ...) and `clipped` (S8). It shows how to test
your own port with `transport-langevin conform`:

    # 1. a spec and the reference's trajectory (problem block + noise)
    transport-langevin spec --example --model clipped > spec.json
    transport-langevin run --spec spec.json --out ref
    # 2. exact mode: your states from W_0 with the reference's noise
    python numpy_oracle.py replay ref/trajectory.json mine.json
    transport-langevin conform --trajectory mine.json
    #    ... in float32 (tolerance from float32 rounding of one step)
    python numpy_oracle.py replay ref/trajectory.json mine32.json --f32
    transport-langevin conform --trajectory mine32.json --precision f32
    # 3. statistical mode: your chains with your own random numbers
    python numpy_oracle.py chains ref/trajectory.json stat.json --chains 4 --steps 20000 --thin 10 --seed 1
    transport-langevin conform --trajectory stat.json   # exit 0 / 1 / 3 (inconclusive)

`--bug NAME` plants a deliberate bug (missing-sqrt2, wrong-beta,
explicit-regulariser, no-half-sign) so you can see `conform` reject it.
The step (paper/oracle-maths.md, section 2), coordinate-wise:

    W'[k, j] = f_k * ((W[k, j] - eta * G[k, j]) + s * eps[k, j]),
    s = sqrt(2 eta / beta),  f_k = 1 / (1 + eta lambda / mu_k),

with G the coefficient gradient of the empirical risk (sections 3-5).
"""
import argparse
import json
import sys

import numpy as np


class Problem:
    """Everything one step needs, from a trajectory's `spec` and `problem`."""

    def __init__(self, traj, dtype=np.float64, bug=None):
        spec, prob = traj["spec"], traj["problem"]
        self.kind = spec["model"]["kind"]
        self.loss = spec["loss"]
        self.dtype = dtype
        t = lambda a: np.asarray(a, dtype=np.float64).astype(dtype)
        self.eta = dtype(spec["eta"])
        beta = spec["beta"] / 2.0 if bug == "wrong-beta" else spec["beta"]
        self.beta = dtype(beta)
        self.lam = dtype(spec["lambda"])
        self.mu = t(prob["mu"])
        self.N = len(prob["mu"])
        self.x = t(prob["x"])
        self.y = t(prob["y"])
        self.n = self.x.shape[0]
        if self.kind == "regression":
            # Section 6: e_0 = 1, e_k(x) = sqrt(2) cos((k pi) x); Phi[i, k] = e_k(x_i).
            k = np.arange(self.N, dtype=np.float64)
            xs = np.asarray(prob["x"], dtype=np.float64)[:, 0]
            phi = np.sqrt(2.0) * np.cos((k[None, :] * np.pi) * xs[:, None])
            phi[:, 0] = 1.0
            self.phi = phi.astype(dtype)
            self.q = 1
        else:
            # Section 6: take the basis values E (M x N) from the problem block.
            self.E = t(prob["basis_values"])
            self.M = self.E.shape[0]
            self.q = self.x.shape[1] + (1 if self.kind == "clipped" else 0)
            if self.kind == "two-layer":
                self.a = t(prob["second_layer"])
            elif self.kind == "clipped":
                self.R = dtype(spec["model"]["clip_r"])
            else:
                raise SystemExit(f"model kind {self.kind} is not in this example")
        self.init = t(prob["init"]).reshape(self.N, self.q)
        one = dtype(1.0)
        if bug == "explicit-regulariser":
            self.factor = None
        else:
            self.factor = one / (one + (self.eta * self.lam) / self.mu)
        two = dtype(1.0) if bug == "missing-sqrt2" else dtype(2.0)
        self.s = np.sqrt((two * self.eta) / self.beta).astype(dtype)
        self.bug = bug

    def dloss(self, f):
        """Section 3: l'(y, f); the squared loss has no 1/2."""
        y = self.y
        if self.loss == "squared":
            return (2.0 if self.bug != "no-half-sign" else 1.0) * (f - y)
        return -y / (1.0 + np.exp(y * f))

    def gradient(self, W):
        """Coefficient gradient G for a batch of states W (C x N x q), sections 4-5."""
        n = self.dtype(self.n)
        if self.kind == "regression":
            f = W[:, :, 0] @ self.phi.T  # C x n
            p = self.dloss(f) / n
            return (p @ self.phi)[:, :, None]
        M = self.dtype(self.M)
        C, N, q = W.shape
        # Values at the particles V = E W, as 2-D products over all chains.
        V = (self.E @ W.transpose(1, 0, 2).reshape(N, C * q)).reshape(self.M, C, q).transpose(1, 0, 2)
        d = self.x.shape[1]
        if self.kind == "two-layer":
            S = np.tanh(V.reshape(C * self.M, d) @ self.x.T).reshape(C, self.M, self.n)
            f = (S * self.a[None, :, None]).sum(axis=1) / M  # C x n
            p = self.dloss(f) / n
            D = (1.0 - S * S) * p[:, None, :] * self.a[None, :, None]
            Gamma = (D.reshape(C * self.M, self.n) @ self.x).reshape(C, self.M, d)
        else:
            R = self.R
            th = R * np.tanh(V[:, :, :d] / R)
            b = R * np.tanh(V[:, :, d] / R)  # C x M
            S = np.tanh(th.reshape(C * self.M, d) @ self.x.T).reshape(C, self.M, self.n)
            f = (S * b[:, :, None]).sum(axis=1) / M
            p = self.dloss(f) / n
            D = (1.0 - S * S) * p[:, None, :] * b[:, :, None]
            g_th = (D.reshape(C * self.M, self.n) @ self.x).reshape(C, self.M, d) * (1.0 - (th / R) ** 2)
            g_b = (S * p[:, None, :]).sum(axis=2) * (1.0 - (b / R) ** 2)
            Gamma = np.concatenate([g_th, g_b[:, :, None]], axis=2)
        # G = E^T Gamma / M (section 4), again as one 2-D product.
        G = (self.E.T @ Gamma.transpose(1, 0, 2).reshape(self.M, C * q)).reshape(N, C, q).transpose(1, 0, 2)
        return G / M

    def step(self, W, eps):
        """One step for a batch of chains: W, eps of shape C x N x q."""
        G = self.gradient(W)
        if self.factor is None:  # bug: explicit regulariser instead of S_eta
            return W - self.eta * (self.lam / self.mu)[None, :, None] * W - self.eta * G + self.s * eps
        return self.factor[None, :, None] * ((W - self.eta * G) + self.s * eps)


def trajectory(traj, chains, noise=None, thin=None):
    """A trajectory document: chain c's states (and noise) per entry."""
    out = {"format_version": 1, "spec": traj["spec"]}
    if thin and thin != 1:
        out["thin"] = thin
    for i, (c, states) in enumerate(chains):
        entry = {"chain": c, "states": [[float(v) for v in s.ravel()] for s in states]}
        if noise is not None:
            entry["noise"] = [[float(v) for v in e.ravel()] for e in noise[i]]
        if i == 0:
            out.update(entry)
        else:
            out.setdefault("other_chains", []).append(entry)
    return out


def replay(args):
    """Exact mode: every chain of the reference trajectory, from W_0, with its noise."""
    traj = json.load(open(args.reference))
    dtype = np.float32 if args.f32 else np.float64
    P = Problem(traj, dtype, args.bug)
    ref = [(traj.get("chain", 0), traj["noise"])] + [(c["chain"], c["noise"]) for c in traj.get("other_chains", [])]
    chains, noises = [], []
    for c, noise in ref:
        eps = [np.asarray(e, dtype=np.float64).astype(dtype).reshape(1, P.N, P.q) for e in noise]
        W = P.init[None].copy()
        states = [W[0]]
        for e in eps:
            W = P.step(W, e)
            states.append(W[0])
        chains.append((c, states))
        noises.append([e[0] for e in eps])
    json.dump(trajectory(traj, chains, noises), open(args.out, "w"))


def run_chains(P, chains, steps, thin, seed):
    """Chains with numpy's own generator: yields the kept states (C x N x q)."""
    rng = np.random.default_rng(seed)
    W = np.repeat(P.init[None], chains, axis=0)
    yield W
    for k in range(1, steps + 1):
        W = P.step(W, rng.standard_normal(W.shape).astype(P.dtype))
        if k % thin == 0:
            yield W


def audit_cmd(args):
    """Calibration audit: `--chains` chains of each variant (correct, or a bug
    of the noise scale) in one batch; float64 binary, variant-major."""
    traj = json.load(open(args.reference))
    P = Problem(traj)
    scales = {"correct": 2.0, "missing-sqrt2": 1.0, "wrong-beta": 4.0}  # s^2 = c eta / beta
    variants = args.variants.split(",")
    P.s = np.repeat([np.sqrt(scales[v] * P.eta / P.beta) for v in variants], args.chains)[:, None, None]
    kept = np.stack(list(run_chains(P, args.chains * len(variants), args.steps, args.thin, args.seed)), axis=1)
    kept.astype("<f8").reshape(kept.shape[0], kept.shape[1], -1).tofile(args.out)


def chains_cmd(args):
    """Statistical mode: `--chains` chains with this script's own random numbers."""
    traj = json.load(open(args.reference))
    P = Problem(traj, np.float32 if args.f32 else np.float64, args.bug)
    if args.steps % args.thin:
        raise SystemExit("--steps must be a multiple of --thin")
    kept = np.stack(list(run_chains(P, args.chains, args.steps, args.thin, args.seed)), axis=1)
    if args.raw:
        # Chains x kept states x N*q float64, little-endian (the calibration audit).
        kept.astype("<f8").reshape(args.chains, kept.shape[1], -1).tofile(args.out)
        return
    json.dump(trajectory(traj, [(c, list(kept[c])) for c in range(args.chains)], thin=args.thin), open(args.out, "w"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    bugs = ["missing-sqrt2", "wrong-beta", "explicit-regulariser", "no-half-sign"]
    r = sub.add_parser("replay", help="exact mode: W_0 and the reference's noise")
    r.add_argument("reference")
    r.add_argument("out")
    r.add_argument("--f32", action="store_true")
    r.add_argument("--bug", choices=bugs)
    c = sub.add_parser("chains", help="statistical mode: own random numbers")
    c.add_argument("reference")
    c.add_argument("out")
    c.add_argument("--chains", type=int, default=4)
    c.add_argument("--steps", type=int, required=True)
    c.add_argument("--thin", type=int, default=1)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--f32", action="store_true")
    c.add_argument("--bug", choices=bugs)
    c.add_argument("--raw", action="store_true", help="write float64 binary (chains x states x N*q)")
    u = sub.add_parser("audit", help="calibration audit: variants in one batch, binary output")
    u.add_argument("reference")
    u.add_argument("out")
    u.add_argument("--chains", type=int, default=100)
    u.add_argument("--steps", type=int, required=True)
    u.add_argument("--thin", type=int, default=1)
    u.add_argument("--seed", type=int, default=0)
    u.add_argument("--variants", default="correct,missing-sqrt2,wrong-beta")
    a = ap.parse_args()
    {"replay": replay, "chains": chains_cmd, "audit": audit_cmd}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
