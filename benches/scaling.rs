//! How the cost of one step grows: times the semi-implicit step of the
//! lifted two-layer network over n, M, N and d, and of the batched step
//! over the number of chains C (each over a decade or more, the others
//! held at the bench sizes) and fits the exponents by least
//! squares on log–log, with standard errors.
//!
//! `cargo bench --bench scaling` (plain harness; prints a table and JSON).

use std::time::Instant;
use transport_langevin::dynamics::{Discretization, Langevin};
use transport_langevin::problems::bench_network;
use transport_langevin::rng::chain_rng;
use transport_langevin::stats::fit_line;

/// Median seconds per step over repeated timed batches.
/// With `chains` > 1: seconds per call of `Langevin::step_chains` on that
/// many chains (one thread).
fn time_step(m: usize, n: usize, d: usize, modes: usize, chains: usize) -> f64 {
    let (space, model) = bench_network(m, n, d, modes).expect("bench network");
    let lv = Langevin::new(&space, d, 1e-3, 100.0, 1e-2, Discretization::SemiImplicit).expect("scheme");
    let mut lvs = vec![lv.clone(); chains];
    let w0 = space.identity_coefficients().expect("identity");
    let mut sts: Vec<_> = (0..chains).map(|_| lv.init(w0.clone()).expect("init")).collect();
    let mut rngs: Vec<_> = (0..chains as u64).map(|c| chain_rng(1, c)).collect();
    let mut step = || {
        if chains == 1 {
            lvs[0].step(&model, &mut rngs[0], &mut sts[0]);
        } else {
            Langevin::step_chains(&mut lvs, &model, &mut rngs, &mut sts);
        }
    };
    for _ in 0..3 {
        step();
    }
    let reps = ((2e7 / (n * m * d * chains) as f64).ceil() as usize).clamp(3, 2000);
    let mut times: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                step();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[3]
}

fn main() {
    let (m0, n0, d, modes0) = (256, 1024, 16, 256);
    let mut out = Vec::new();
    let sweeps: [(&str, Vec<usize>); 5] = [
        ("n", vec![128, 256, 512, 1024, 2048, 4096]),
        ("M", vec![32, 64, 128, 256, 512]),
        ("N", vec![16, 32, 64, 128, 256]),
        ("d", vec![4, 8, 16, 32, 64]),
        ("C", vec![1, 2, 4, 8, 16]),
    ];
    for (name, sizes) in sweeps {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for &s in &sizes {
            let (m, n, d, modes, c) = match name {
                "n" => (m0, s, d, modes0, 1),
                "M" => (s, n0, d, s.min(modes0).min(s / 2), 1),
                "d" => (m0, n0, s, modes0, 1),
                "C" => (m0, n0, d, modes0, s),
                _ => (m0, n0, d, s, 1),
            };
            let t = time_step(m, n, d, modes, c);
            println!("{name:>2} = {s:5}: {:9.3} ms/step (M={m}, n={n}, d={d}, N={modes}, C={c})", t * 1e3);
            xs.push((s as f64).ln());
            ys.push(t.ln());
        }
        let (_, slope, se) = fit_line(&xs, &ys);
        println!("   exponent in {name}: {slope:.3} ± {se:.3}");
        out.push(serde_json::json!({"size": name, "sizes": sizes, "exponent": slope, "exponent_stderr": se}));
    }
    println!("{}", serde_json::to_string(&out).expect("json"));
}
