//! Seconds per step of the bench step (M = 256, n = 1024, d = 16, N = 256),
//! timed in-process like the JAX peer (`benches/peer/step_jax.py time`):
//! best of 5 repetitions of 50 steps, printed as JSON.
//!
//! `cargo run --release --example step_time`                 one chain
//! `cargo run --release --example step_time -- batched C T`  C chains by
//! `Langevin::step_chains` on T rayon threads (seconds per chain-step)
//! `cargo run --release --example step_time -- sequential C` C chains, each by `step`

use std::time::Instant;
use transport_langevin::dynamics::{Discretization, Langevin};
use transport_langevin::problems::bench_network;
use transport_langevin::rng::chain_rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, chains, threads) = match args.as_slice() {
        [] => ("single", 1, 1),
        [m, c] if m == "sequential" => ("sequential", c.parse().expect("C"), 1),
        [m, c, t] if m == "batched" => ("batched", c.parse().expect("C"), t.parse().expect("T")),
        _ => {
            eprintln!("usage: step_time [sequential C | batched C T]");
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
