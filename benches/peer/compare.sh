#!/usr/bin/env bash
# Side by side on this machine, in one go, each pinned to one core
# (taskset -c 0, BLAS/XLA/rayon on one thread): seconds per step of our step
# (criterion bench step/two_layer_M256_n1024_d16_N256), of the JAX/XLA
# float64 jit (lax.scan over 50 steps) and of the numpy peer; both ratios;
# and the roofline fraction: the time the step's GEMM flops would take at
# the machine's single-thread dgemm rate, over our time. Both peers are
# checked against golden/conformance/two-layer.json before they are timed.
#
# Then the step's two costs alone (`step_time parts`, `step_jax.py
# time-parts`, `step.py time-parts`): the four products, and tanh over the
# n x M activations. The fastest products of the three and the fastest tanh
# of the two (numpy has no vectorised tanh of its own) add up to a floor for
# any step built from today's best parts on this core: both parts are bound
# by the same floating-point units, so overlapping them cannot hide one
# behind the other. The issue's target, JAX's step / 1.5, is printed beside
# that floor.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bash "$here/setup.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 RAYON_NUM_THREADS=1
export JAX_ENABLE_X64=1 JAX_PLATFORMS=cpu XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
py="$here/.venv/bin/python"
pin="taskset -c 0"
"$py" "$here/step.py" check "$root/golden/conformance/two-layer.json"
"$py" "$here/step_jax.py" check "$root/golden/conformance/two-layer.json"
(cd "$root" && cargo bench --bench step --no-run >/dev/null 2>&1 && cargo build --release --example step_time >/dev/null 2>&1)
target="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && $pin cargo bench --bench step -- --noplot step/two_layer_M256_n1024_d16_N256 >/dev/null)
jax_json="$($pin "$py" "$here/step_jax.py" time)"
numpy_json="$($pin "$py" "$here/step.py" time)"
ours_parts="$($pin "$target/release/examples/step_time" parts)"
jax_parts="$($pin "$py" "$here/step_jax.py" time-parts)"
numpy_parts="$($pin "$py" "$here/step.py" time-parts)"
"$py" - "$target/criterion/step/two_layer_M256_n1024_d16_N256/new/estimates.json" "$jax_json" "$numpy_json" \
    "$ours_parts" "$jax_parts" "$numpy_parts" <<'PY'
import json, platform, sys
ours = json.load(open(sys.argv[1]))["mean"]["point_estimate"] * 1e-9
jx = json.loads(sys.argv[2])
npy = json.loads(sys.argv[3])
parts = {k: json.loads(v) for k, v in zip(("rust", "jax", "numpy"), sys.argv[4:7])}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
flops = 4 * 1024 * 256 * 16 + 4 * 256 * 256 * 16  # forward + backward gemms + the two spectral maps
gemm = npy["dgemm_gflops_1thread"] * 1e9
print(f"cpu   : {cpu} (one core)")
print(f"rust  : {ours * 1e3:8.3f} ms/step  ({flops / ours / 1e9:5.2f} GFLOP/s)")
print(f"jax   : {jx['seconds_per_step'] * 1e3:8.3f} ms/step  ({flops / jx['seconds_per_step'] / 1e9:5.2f} GFLOP/s, jax {jx['jax']}, lax.scan of {jx['steps_per_call']})")
print(f"numpy : {npy['seconds_per_step'] * 1e3:8.3f} ms/step  ({flops / npy['seconds_per_step'] / 1e9:5.2f} GFLOP/s, numpy {npy['numpy']})")
print(f"ratio jax/rust  : {jx['seconds_per_step'] / ours:.2f}x")
print(f"ratio numpy/rust: {npy['seconds_per_step'] / ours:.2f}x")
print(f"single-thread dgemm (numpy, 512^3): {gemm / 1e9:.2f} GFLOP/s; roofline bound {flops / gemm * 1e3:.3f} ms/step;"
      f" rust at {flops / gemm / ours:.0%} of it")
print("parts (ms)      : products         tanh over n x M")
for k, v in parts.items():
    t = f"{v['tanh_seconds'] * 1e3:8.3f} ({v['tanh_ns_per_entry']:.2f} ns/entry)" if "tanh_seconds" in v else "       —"
    print(f"  {k:6s}        : {v['products_seconds'] * 1e3:8.3f} ({v['products_gflops']:5.1f} GFLOP/s)  {t}")
best_p = min(v["products_seconds"] for v in parts.values())
best_t = min(v["tanh_seconds"] for v in parts.values() if "tanh_seconds" in v)
target = jx["seconds_per_step"] / 1.5
print(f"floor from the best parts: {best_p * 1e3:.3f} + {best_t * 1e3:.3f} = {(best_p + best_t) * 1e3:.3f} ms/step"
      f" (products at the 512^3 dgemm rate: {flops / gemm * 1e3:.3f} + {best_t * 1e3:.3f} = {(flops / gemm + best_t) * 1e3:.3f});"
      f" the target jax/1.5 = {target * 1e3:.3f} ms/step")
PY
