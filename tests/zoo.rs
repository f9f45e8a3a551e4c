//! The other models of the general formulation (Z-discrete, Z-deep,
//! Z-resnet): analytic Fréchet gradients against central finite differences
//! over random maps and data (proptest), each with a control (the same test
//! on a deliberately wrong gradient, rejected); the identity-block limit of
//! the ResNet; spec kinds build.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use transport_langevin::experiments::z_models::{layered_problem, ZSetting};
use transport_langevin::loss::Loss;
use transport_langevin::model::{fd_gradient, Architecture, Data, Model, Potential};
use transport_langevin::rng::{chain_rng, standard_normal_matrix};
use transport_langevin::space::Coef;
use transport_langevin::tolerance::FD_STEP;

/// Relative error of `g` against the central difference of the model's
/// value, floored as in `tests/models.rs` (rounding ≈ ε𝓛̂/h).
fn rel_err<M: Potential>(model: &M, w: &Coef, g: &Coef) -> f64 {
    let fd = fd_gradient(|c| model.value(c), w, FD_STEP);
    let scale = fd.amax().max(1e-4 * model.value(w).abs().max(1.0));
    (g - &fd).amax() / scale
}

/// The FD tolerance: truncation O(h²) and rounding ε𝓛̂/h are both below
/// 1e-9 relative; 1e-5 leaves room and rejects any O(1) error.
const TOL: f64 = 1e-5;

fn setting(arch: Architecture, width: usize, layers: usize, loss: Loss) -> ZSetting {
    ZSetting {
        width,
        layers,
        ..ZSetting::of(arch, loss)
    }
}

fn check(arch: Architecture, width: usize, layers: usize, logistic: bool, seed: u64, scale: f64) -> (f64, f64) {
    let loss = if logistic { Loss::Logistic } else { Loss::Squared };
    let s = setting(arch, width, layers, loss);
    let p = layered_problem(&s, 12, seed).unwrap();
    let (n, q) = p.model.shape();
    let w = standard_normal_matrix(&mut chain_rng(seed, 77), n, q) * scale;
    let mut g = Coef::zeros(n, q);
    let risk = p.model.gradient(&w, &mut g);
    assert!((risk - p.model.value(&w)).abs() <= 1e-12 * risk.abs().max(1.0));
    let ok = rel_err(&p.model, &w, &g);
    // Control: the Fréchet gradient's values taken for the coefficient
    // gradient without the weight 1/P of L2(ρ0), i.e. G·P (the commonest
    // slip when porting), must be rejected by the same test.
    let wrong = &g * p.model.points() as f64;
    let bad = rel_err(&p.model, &w, &wrong);
    (ok, bad)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn discrete_gradient_matches_fd(width in 3usize..10, logistic: bool, seed in 0u64..1000, scale in 0.1f64..3.0) {
        let (ok, bad) = check(Architecture::Discrete, width, 1, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }

    #[test]
    fn deep_gradient_matches_fd(width in 2usize..6, layers in 1usize..4, logistic: bool, seed in 0u64..1000, scale in 0.1f64..5.0) {
        let (ok, bad) = check(Architecture::Deep, width, layers, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }

    #[test]
    fn resnet_gradient_matches_fd(width in 2usize..6, layers in 1usize..4, logistic: bool, seed in 0u64..1000, scale in 0.1f64..5.0) {
        let (ok, bad) = check(Architecture::Resnet, width, layers, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }
}

/// The ResNet with zero blocks is the linear read-out u·x, exactly, for any
/// number of blocks; the deep network with zero weights is not (control).
#[test]
fn resnet_zero_blocks_is_the_linear_read_out() {
    for layers in [1, 2, 5] {
        let s = setting(Architecture::Resnet, 4, layers, Loss::Squared);
        let p = layered_problem(&s, 10, 3).unwrap();
        let (n, q) = p.model.shape();
        let x = standard_normal_matrix(&mut chain_rng(3, 5), 7, q);
        let f = p.model.predict(&Coef::zeros(n, q), &x).unwrap();
        let lin: DVector<f64> = &x * DVector::from_element(q, 1.0 / (q as f64).sqrt());
        assert_eq!(f, lin, "layers {layers}");
        let sd = setting(Architecture::Deep, 4, layers, Loss::Squared);
        let pd = layered_problem(&sd, 10, 3).unwrap();
        let fd = pd.model.predict(&Coef::zeros(n, q), &x).unwrap();
        assert!((fd - lin).amax() > 0.1, "control: the deep net at W = 0 is not linear");
    }
}

/// Bad shapes are typed errors.
#[test]
fn layered_rejects_bad_inputs() {
    let s = setting(Architecture::Deep, 3, 2, Loss::Squared);
    let p = layered_problem(&s, 10, 1).unwrap();
    let (n, _) = p.model.shape();
    assert!(p.model.predict(&Coef::zeros(n, 2), &DMatrix::zeros(3, 5)).is_err());
    assert!(Data::new(DMatrix::zeros(0, 2), DVector::zeros(0)).is_err());
}
