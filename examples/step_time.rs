//! Seconds per step of the bench step (M = 256, n = 1024, d = 16, N = 256),
//! timed in-process like the JAX peer (`benches/peer/step_jax.py time`):
//! best of 5 repetitions of 50 steps, printed as JSON.
//!
//! `cargo run --release --example step_time`                 one chain
//! `cargo run --release --example step_time -- batched C T`  C chains by
//! `Langevin::step_chains` on T rayon threads (seconds per chain-step)
//! `cargo run --release --example step_time -- sequential C` C chains, each by `step`
//! `cargo run --release --example step_time -- parts`        the step's parts
//! alone at the bench size (like `step_jax.py time-parts`): the four
//! products by `kernels::gemm`, and the tanh pass over the n × M activations

use std::time::Instant;
use transport_langevin::dynamics::{Discretization, Langevin};
use transport_langevin::problems::bench_network;
use transport_langevin::rng::chain_rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("parts") {
        parts();
        return;
    }
    let (mode, chains, threads) = match args.as_slice() {
        [] => ("single", 1, 1),
        [m, c] if m == "sequential" => ("sequential", c.parse().expect("C"), 1),
        [m, c, t] if m == "batched" => ("batched", c.parse().expect("C"), t.parse().expect("T")),
        _ => {
            eprintln!("usage: step_time [sequential C | batched C T | parts]");
            std::process::exit(2)
        }
    };
    let (space, model) = bench_network(256, 1024, 16, 256).expect("bench network");
    let w0 = space.identity_coefficients().expect("identity");
    let lv = Langevin::new(&space, 16, 1e-3, 100.0, 1e-2, Discretization::SemiImplicit).expect("scheme");
    let mut lvs = vec![lv.clone(); chains];
    let mut sts: Vec<_> = (0..chains).map(|_| lv.init(w0.clone()).expect("init")).collect();
    let mut rngs: Vec<_> = (0..chains as u64).map(|c| chain_rng(1, c)).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let per = chains.div_ceil(threads);
    let mut run = |steps: usize| {
        for _ in 0..steps {
            match mode {
                "batched" => pool.install(|| {
                    use rayon::prelude::*;
                    lvs.par_chunks_mut(per)
                        .zip(rngs.par_chunks_mut(per))
                        .zip(sts.par_chunks_mut(per))
                        .for_each(|((l, r), s)| {
                            Langevin::step_chains(l, &model, r, s);
                        })
                }),
                _ => {
                    for ((l, r), s) in lvs.iter_mut().zip(rngs.iter_mut()).zip(sts.iter_mut()) {
                        l.step(&model, r, s);
                    }
                }
            }
        }
    };
    run(5);
    let steps = 50;
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        run(steps);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "{{\"mode\": \"{mode}\", \"chains\": {chains}, \"threads\": {threads}, \"seconds_per_chain_step\": {}}}",
        best / (steps * chains) as f64
    );
}

/// Best of 5 repetitions of 50 calls of `f`, in seconds per call.
fn best_per_call(mut f: impl FnMut()) -> f64 {
    for _ in 0..5 {
        f();
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        for _ in 0..50 {
            f();
        }
        best = best.min(t0.elapsed().as_secs_f64() / 50.0);
    }
    best
}

/// The step's parts alone at M = 256, n = 1024, d = 16, N = 256: the four
/// products (V = E W, Z = V Xᵀ, G = D X, ∇ = Eᵀ G: 4 n·M·d + 4 M·N·d flops)
/// and tanh over the n·M activations, the two costs a faster step has to cut.
fn parts() {
    use transport_langevin::fastmath;
    use transport_langevin::kernels::{gemm, View};
    let (m, n, d, nn) = (256usize, 1024usize, 16usize, 256usize);
    // Deterministic fill in [−1, 1) (values do not matter for the timing).
    let fill = |len: usize, seed: u64| -> Vec<f64> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect()
    };
    let e = fill(m * nn, 1);
    let et = fill(nn * m, 2);
    let w = fill(nn * d, 3);
    let x = fill(n * d, 4);
    let mut v = vec![0.0; m * d];
    let mut z = vec![0.0; m * n];
    let mut g = vec![0.0; m * d];
    let mut grad = vec![0.0; nn * d];
    let products = best_per_call(|| {
        gemm(m, d, nn, &e, m, View::col_major(&w, nn), &mut v, m, false);
        gemm(m, n, d, &v, m, View { data: &x, rs: n, cs: 1 }, &mut z, m, false);
        gemm(m, d, n, &z, m, View::col_major(&x, n), &mut g, m, false);
        gemm(nn, d, m, &et, nn, View::col_major(&g, m), &mut grad, nn, false);
    });
    let flops = (4 * n * m * d + 4 * m * nn * d) as f64;
    let zs = fill(m * n, 5).iter().map(|t| 3.0 * t).collect::<Vec<_>>();
    let mut out = vec![0.0; m * n];
    let tanh = best_per_call(|| {
        pulp::Arch::new().dispatch(|| {
            for (o, &t) in out.iter_mut().zip(&zs) {
                *o = fastmath::tanh(t);
            }
        })
    });
    println!(
        "{{\"mode\": \"parts\", \"products_seconds\": {products}, \"products_gflops\": {}, \"tanh_seconds\": {tanh}, \"tanh_ns_per_entry\": {}, \"checksum\": {}}}",
        flops / products / 1e9,
        tanh / (m * n) as f64 * 1e9,
        grad.iter().sum::<f64>() + out.iter().sum::<f64>()
    );
}
