//! Criterion benches of the step everything runs: one semi-implicit step
//! (S6) of the lifted two-layer network at finite width, its gradient
//! alone, and one pCN-MH step.
//!
//! `cargo bench --bench step -- step/two_layer_M256_n1024_d16_N256`

use criterion::{criterion_group, criterion_main, Criterion};
use nalgebra::DVector;
use std::hint::black_box;
use transport_langevin::dynamics::{Discretization, Langevin, Pcn};
use transport_langevin::loss::Loss;
use transport_langevin::model::{Activation, Potential, TwoLayer, Variant};
use transport_langevin::problems::gaussian_particles;
use transport_langevin::problems::toy_data;
use transport_langevin::rng::chain_rng;
use transport_langevin::space::{Coef, Kernel, Space};

/// The bench problem: width M, n samples, input dimension d, N modes of a
/// Gaussian kernel over the initial weights, tanh, squared loss.
fn problem(m: usize, n: usize, d: usize, modes: usize) -> (Space, TwoLayer) {
    let particles = gaussian_particles(m, d, 1, 0) * (1.0 / (d as f64).sqrt());
    let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: 1.0 }, modes).expect("bench space");
    let data = toy_data(n, d, 1, 1).expect("bench data");
    let a = DVector::from_fn(m, |i, _| if i % 2 == 0 { 1.0 } else { -1.0 });
    let model = TwoLayer::new(&space, data, Loss::Squared, Activation::Tanh, Variant::Lifted { a }).expect("bench model");
    (space, model)
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

criterion_group!(benches, bench_step);
criterion_main!(benches);
