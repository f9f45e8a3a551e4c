//! L1: property tests (proptest and quickcheck) of Lemma 1 over random W,
//! W′, widths, R, D and x with ‖x‖ ≤ D; the near-extremal family; the
//! counterexamples; agreement with the crate's clipped model. All
//! deterministic (no statistical tolerance): the inequality holds exactly.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use transport_langevin::error::Error;
use transport_langevin::experiments::l1_lipschitz::{
    counterexample_unbounded_sigma, counterexample_unclipped, near_extremal, random_probe, Probe,
};
use transport_langevin::loss::Loss;
use transport_langevin::model::{Activation, Data, TwoLayer, Variant};
use transport_langevin::rng::chain_rng;
use transport_langevin::space::{Kernel, Space};
use transport_langevin::statements::l1::{lemma_ratio, L1Model};

static MAX_SEEN: AtomicU64 = AtomicU64::new(0);

fn record(r: f64) {
    MAX_SEEN.fetch_max(r.to_bits(), Ordering::Relaxed);
}

fn probe(m: usize, d: usize, r: f64, dd: f64, w: Vec<f64>, dw: Vec<f64>, dir: Vec<f64>, rad: f64) -> Probe {
    let w1 = DMatrix::from_row_slice(m, d, &w[..m * d]);
    let w2 = DVector::from_column_slice(&w[m * d..m * d + m]);
    let v1 = &w1 + DMatrix::from_row_slice(m, d, &dw[..m * d]);
    let v2 = &w2 + DVector::from_column_slice(&dw[m * d..m * d + m]);
    let nd = dir[..d].iter().map(|a| a * a).sum::<f64>().sqrt().max(1e-12);
    let x = dir[..d].iter().map(|a| a / nd * rad * dd).collect();
    Probe {
        r,
        d: dd,
        w1,
        w2,
        v1,
        v2,
        x,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, rng_seed: proptest::test_runner::RngSeed::Fixed(3), failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn lemma1_holds_proptest(
        m in 1usize..8, d in 1usize..4, r in 1.0f64..6.0, dd in 0.01f64..6.0,
        w in prop::collection::vec(-20.0f64..20.0, 40),
        dw in prop::collection::vec(-3.0f64..3.0, 40),
        dir in prop::collection::vec(-1.0f64..1.0, 4),
        rad in 0.0f64..=1.0,
    ) {
        let p = probe(m, d, r, dd, w, dw, dir, rad);
        let ratio = p.ratio(L1Model::s8(r).unwrap()).unwrap();
        record(ratio);
        prop_assert!(ratio <= 1.0 + 1e-12, "ratio {ratio}");
    }
}

#[test]
fn lemma1_holds_quickcheck() {
    fn prop(seed: u64) -> bool {
        let mut rng = chain_rng(seed, 0);
        let p = random_probe(&mut rng);
        let ratio = p.ratio(L1Model::s8(p.r).unwrap()).unwrap();
        record(ratio);
        ratio <= 1.0 + 1e-12
    }
    quickcheck::QuickCheck::new().tests(2000).quickcheck(prop as fn(u64) -> bool);
    eprintln!(
        "largest Lemma 1 ratio seen so far: {}",
        f64::from_bits(MAX_SEEN.load(Ordering::Relaxed))
    );
}

/// The family W_2 → ∞, W_1 = 0, W′_1 = ε → 0 approaches RD/(1 + RD) from
/// below: the constant is tight up to its additive 1.
#[test]
fn near_extremal_pairs_approach_rd_over_one_plus_rd() {
    for &(r, d) in &[(1.0, 1.0), (2.0, 5.0), (4.0, 0.5)] {
        let limit = r * d / (1.0 + r * d);
        let coarse = near_extremal(r, d, 5.0, 1e-2).unwrap();
        let fine = near_extremal(r, d, 1e3, 1e-7).unwrap();
        assert!(coarse < fine && fine <= limit + 1e-12, "{coarse} {fine} {limit}");
        assert!((fine - limit).abs() < 1e-6);
    }
}

/// Dropping the clip of the second layer breaks the lemma (ratio a D/(1+RD)).
#[test]
fn counterexample_without_second_layer_clip() {
    let ratio = counterexample_unclipped(1.0, 1.0, 10.0).unwrap();
    assert!((ratio - 5.0).abs() < 1e-6, "{ratio}");
}

/// An activation bounded by 4 (tanh + 3, still 1-Lipschitz) breaks it:
/// ratio 3/(1 + RD) = 1.5 at R = D = 1; the bound needs sup|σ| ≤ 1.
#[test]
fn counterexample_with_activation_bounded_by_four() {
    let ratio = counterexample_unbounded_sigma(1.0, 1.0, 3.0).unwrap();
    assert!((ratio - 1.5).abs() < 1e-6, "{ratio}");
    // With sup|σ| = 1 + c the ratio stays ≤ 1 while c ≤ RD: c = 1, R = D = 1 gives 1/2.
    assert!(counterexample_unbounded_sigma(1.0, 1.0, 1.0).unwrap() <= 1.0);
}

/// The lemma's f_W is the crate's clipped model (S8) evaluated at the same values.
#[test]
fn lemma_model_is_the_clipped_two_layer_model() {
    let (m, d, r) = (5, 2, 1.7);
    let particles = transport_langevin::problems::gaussian_particles(m, d + 1, 4, 0);
    let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: 3.0 }, m).unwrap();
    let x = DMatrix::from_row_slice(3, d, &[0.3, -0.2, 1.0, 0.5, -0.7, 0.1]);
    let data = Data::new(x.clone(), DVector::zeros(3)).unwrap();
    let model = TwoLayer::new(&space, data, Loss::Squared, Activation::Tanh, Variant::Clipped { r }).unwrap();
    let values = DMatrix::from_fn(m, d + 1, |i, j| ((i * 3 + j) as f64 * 0.77).sin() * 3.0);
    let f = model.predict_values(&values, &x).unwrap();
    let first = values.columns(0, d).into_owned();
    let second = values.column(d).into_owned();
    let l1 = L1Model::s8(r).unwrap();
    for i in 0..3 {
        let xi: Vec<f64> = x.row(i).iter().copied().collect();
        assert!((l1.eval(&first, &second, &xi).unwrap() - f[i]).abs() < 1e-14);
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert!(matches!(L1Model::s8(0.5), Err(Error::OutOfRange { name: "R", .. })));
    let w1 = DMatrix::zeros(2, 1);
    let w2 = DVector::zeros(2);
    let l1 = L1Model::s8(1.0).unwrap();
    assert!(matches!(
        lemma_ratio(&l1, &w1, &w2, &w1, &w2, &[2.0], 1.0),
        Err(Error::OutsideDomain { .. })
    ));
    assert!(matches!(
        lemma_ratio(&l1, &w1, &w2, &w1, &w2, &[0.5, 0.1], 1.0),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        l1.eval(&w1, &DVector::zeros(3), &[0.5]),
        Err(Error::DimensionMismatch { .. })
    ));
}

/// The building blocks by hand: sup |σ| of a shifted tanh, f_W with a
/// shift and an unclipped second layer, and the L2(ρ0) distance at M = 4.
#[test]
fn building_blocks_by_hand() {
    use transport_langevin::statements::l1::{clip, l2_rho0_distance, sharp_constant};
    let s8 = L1Model::s8(2.0).unwrap();
    assert_eq!(s8.sigma_sup(), 1.0);
    let shifted = |shift: f64| L1Model { shift, ..s8 };
    assert_eq!(shifted(-0.5).sigma_sup(), 1.5);
    assert_eq!(shifted(0.25).sigma_sup(), 1.25);
    // M = 2, d = 1: f = (1/2) Σ_m c(W2_m) (tanh(c(W1_m) x) + shift).
    let (w1, w2, x) = (
        DMatrix::from_row_slice(2, 1, &[0.4, -1.5]),
        DVector::from_column_slice(&[3.0, -0.7]),
        0.8,
    );
    let by_hand = |m: &L1Model, sec: &dyn Fn(f64) -> f64| {
        (0..2)
            .map(|i| sec(w2[i]) * ((clip(2.0, w1[(i, 0)]) * x).tanh() + m.shift))
            .sum::<f64>()
            / 2.0
    };
    let m = shifted(0.3);
    assert!((m.eval(&w1, &w2, &[x]).unwrap() - by_hand(&m, &|v| clip(2.0, v))).abs() < 1e-15);
    let unclipped = L1Model { clip_second: false, ..m };
    assert!((unclipped.eval(&w1, &w2, &[x]).unwrap() - by_hand(&unclipped, &|v| v)).abs() < 1e-15);
    // ‖W − W'‖²_{L2(ρ0)} = (1/M) Σ_m ‖W(m) − W'(m)‖²: differences (1, 0 | 2),
    // (0, 0 | 0), (0, 2 | 0), (0, 0 | 1) → (1 + 4 + 4 + 1)/4 = 2.5 (W ≠ 0, so
    // a sum in place of a difference shows).
    let a1 = DMatrix::from_element(4, 2, 1.0);
    let b1 = DMatrix::from_row_slice(4, 2, &[2.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0]);
    let (a2, b2) = (DVector::from_element(4, 0.5), DVector::from_column_slice(&[2.5, 0.5, 0.5, 1.5]));
    assert!((l2_rho0_distance(&a1, &a2, &b1, &b2) - 2.5f64.sqrt()).abs() < 1e-15);
    assert!((sharp_constant(1.5, 3.0, 2.0) - 38.25f64.sqrt()).abs() < 1e-15);
}
