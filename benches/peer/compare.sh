#!/usr/bin/env bash
# Side by side on this machine, in one go: seconds per step of our step
# (criterion bench step/two_layer_M256_n1024_d16_N256) and of the numpy peer
# (BLAS pinned to one thread), their ratio, and the GFLOP/s each reaches
# against the machine's single-thread dgemm rate.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bash "$here/setup.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 RAYON_NUM_THREADS=1
py="$here/.venv/bin/python"
"$py" "$here/step.py" check "$root/golden/conformance/two-layer.json"
(cd "$root" && cargo bench --bench step -- --noplot step/two_layer_M256_n1024_d16_N256 >/dev/null)
target="${CARGO_TARGET_DIR:-$root/target}"
peer_json="$("$py" "$here/step.py" time)"
"$py" - "$target/criterion/step/two_layer_M256_n1024_d16_N256/new/estimates.json" "$peer_json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["mean"]["point_estimate"] * 1e-9
peer = json.loads(sys.argv[2])
flops = 4 * 1024 * 256 * 16 + 4 * 256 * 256 * 16  # forward + backward gemms + the two spectral maps
print(f"rust  : {ours * 1e3:8.3f} ms/step  ({flops / ours / 1e9:5.2f} GFLOP/s)")
print(f"numpy : {peer['seconds_per_step'] * 1e3:8.3f} ms/step  ({flops / peer['seconds_per_step'] / 1e9:5.2f} GFLOP/s, numpy {peer['numpy']})")
print(f"ratio numpy/rust: {peer['seconds_per_step'] / ours:.2f}x")
print(f"single-thread dgemm (numpy, 512^3): {peer['dgemm_gflops_1thread']:.2f} GFLOP/s")
PY
