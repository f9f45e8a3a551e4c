"""The expected values of `geyer_and_split_rhat_are_their_definitions`
(tests/conform.rs): `chain_stat` of src/conform/statistical.rs computed from
its documented definition (Geyer's initial monotone sequence estimator on
block means, tau floored at 1/log10 n) in exact rational arithmetic, then
rounded; the 40 003-point series in double precision. Run: python3 proofs/chain_stat_values.py
"""
from fractions import Fraction as F
import math


def chain_stat(xs, geyer_points=20000, exact=True):
    n = len(xs)
    xs = [F(x) if exact else float(x) for x in xs]
    mean = sum(xs) / n
    g0 = sum((x - mean) ** 2 for x in xs) / n
    if n < 4 or g0 <= 0:
        return {"n": n, "tau": 1.0}
    b = -(-n // geyer_points)  # ceil
    nb = n // b
    blocks = [sum(xs[i * b:(i + 1) * b]) / b for i in range(nb)]
    bm = sum(blocks) / nb
    d = [x - bm for x in blocks]

    def gamma(lag):
        return sum(d[i] * d[i + lag] for i in range(nb - lag)) / nb

    s, prev, m, trace = 0, None, 0, []
    while 2 * m + 1 < nb:
        g = gamma(2 * m) + gamma(2 * m + 1)
        if g <= 0:
            trace.append(f"run ends at m = {m}")
            break
        if prev is not None and g > prev:
            trace.append(f"monotone step at m = {m}")
            g = prev
        s += g
        prev = g
        m += 1
    var_mean = max((-gamma(0) + 2 * s) / nb, 0)
    floor = 1 / max(math.log10(n), 1)
    tau = max(float(var_mean * n / g0), floor)
    return {"n": n, "mean": float(mean), "tau": repr(tau), "trace": trace}


if __name__ == "__main__":
    for xs in (
        [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 3, 4],
        [0, -1, -2, -3, -1, -3, -3, -1, 1, 0, -1, -1, 0, 2, 1, -1],
        [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8],
        [1 if i % 2 == 0 else -1 for i in range(16)],
        [1, 1, -1, -1],
    ):
        print(xs, chain_stat(xs))
    long = [math.sin(0.01 * i) + 0.1 * ((i * 7919) % 13) / 13 for i in range(40003)]
    print("40003 points:", chain_stat(long, exact=False))
