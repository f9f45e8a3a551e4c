//! Criterion benches of the step everything runs: one semi-implicit step
//! (S6) of the lifted two-layer network at finite width, its gradient
//! alone, and one pCN-MH step.
//!
//! `cargo bench --bench step -- step/two_layer_M256_n1024_d16_N256`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use transport_langevin::dynamics::{Discretization, Langevin, Pcn};
use transport_langevin::model::{Potential, TwoLayer};
use transport_langevin::problems::bench_network;
use transport_langevin::rng::chain_rng;
use transport_langevin::space::{Coef, Space};

/// The bench problem: width M, n samples, input dimension d, N modes of a
/// Gaussian kernel over the initial weights, tanh, squared loss.
fn problem(m: usize, n: usize, d: usize, modes: usize) -> (Space, TwoLayer) {
    bench_network(m, n, d, modes).expect("bench network")
}

fn bench_step(c: &mut Criterion) {
    let (m, n, d, modes) = (256, 1024, 16, 256);
    let (space, model) = problem(m, n, d, modes);
    let w0 = space.identity_coefficients().expect("identity");
    let mut group = c.benchmark_group("step");
    group.sample_size(20);
    {
        let mut lv = Langevin::new(&space, d, 1e-3, 100.0, 1e-2, Discretization::SemiImplicit).expect("scheme");
        let mut st = lv.init(w0.clone()).expect("init");
        let mut rng = chain_rng(1, 0);
        group.bench_function("two_layer_M256_n1024_d16_N256", |b| b.iter(|| lv.step(&model, &mut rng, &mut st)));
    }
    {
        let mut g = Coef::zeros(modes, d);
        group.bench_function("gradient_M256_n1024_d16_N256", |b| {
            b.iter(|| model.gradient(black_box(&w0), &mut g))
        });
    }
    {
        let mut pcn = Pcn::new(&space, d, 100.0, 1e-2, 0.1).expect("pcn");
        let mut st = pcn.init(&model, w0.clone());
        let mut rng = chain_rng(1, 1);
        group.bench_function("pcn_M256_n1024_d16_N256", |b| b.iter(|| pcn.step(&model, &mut rng, &mut st)));
    }
    group.finish();
}

/// C = 8 chains on the bench problem, per call one step of each chain:
/// `sequential` (8 × `Langevin::step`), `batched_1thread`
/// (`Langevin::step_chains`, the gradients as one product over C·M rows)
/// and `batched_2threads` (two groups of 4 on two rayon threads; the same
/// bytes). Throughput in chain-steps/s = 8 / time.
fn bench_batched(c: &mut Criterion) {
    let (m, n, d, modes) = (256, 1024, 16, 256);
    let chains = 8;
    let (space, model) = problem(m, n, d, modes);
    let w0 = space.identity_coefficients().expect("identity");
    let lv = Langevin::new(&space, d, 1e-3, 100.0, 1e-2, Discretization::SemiImplicit).expect("scheme");
    let fresh = || {
        let lvs = vec![lv.clone(); chains];
        let sts: Vec<_> = (0..chains).map(|_| lv.init(w0.clone()).expect("init")).collect();
        let rngs: Vec<_> = (0..chains as u64).map(|c| chain_rng(1, c)).collect();
        (lvs, sts, rngs)
    };
    let mut group = c.benchmark_group("batched");
    group.sample_size(10);
    {
        let (mut lvs, mut sts, mut rngs) = fresh();
        group.bench_function("sequential_C8_M256_n1024_d16_N256", |b| {
            b.iter(|| {
                for ((l, s), r) in lvs.iter_mut().zip(sts.iter_mut()).zip(rngs.iter_mut()) {
                    l.step(&model, r, s);
                }
            })
        });
    }
    {
        let (mut lvs, mut sts, mut rngs) = fresh();
        group.bench_function("batched_1thread_C8_M256_n1024_d16_N256", |b| {
            b.iter(|| Langevin::step_chains(&mut lvs, &model, &mut rngs, &mut sts))
        });
    }
    {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
        let (mut lvs, mut sts, mut rngs) = fresh();
        group.bench_function("batched_2threads_C8_M256_n1024_d16_N256", |b| {
            b.iter(|| {
                let (l0, l1) = lvs.split_at_mut(chains / 2);
                let (s0, s1) = sts.split_at_mut(chains / 2);
                let (r0, r1) = rngs.split_at_mut(chains / 2);
                pool.join(
                    || Langevin::step_chains(l0, &model, r0, s0),
                    || Langevin::step_chains(l1, &model, r1, s1),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_step, bench_batched);
criterion_main!(benches);
