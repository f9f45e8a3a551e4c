//! A1: the smallest c_μ by hand, and the analytic gradient bound B of the
//! clipped two-layer network against gradients found by search. Deterministic.

use transport_langevin::experiments::a1_assumption::{gram_decay, search};
use transport_langevin::loss::Loss;
use transport_langevin::statements::a1;

/// μ = (1, 0.3, 0.05): μ_k (k+1)² = 1, 1.2, 0.45 → c_μ = 1.2.
#[test]
fn smallest_c_mu_by_hand() {
    assert!((a1::smallest_c_mu(&[1.0, 0.3, 0.05]).unwrap() - 1.2).abs() < 1e-15);
    assert!(a1::smallest_c_mu(&[]).is_err());
}

/// The analytic B bounds every gradient norm the random and adversarial
/// searches find, for both losses, and hill climbing never ends below the
/// best random point it starts from. (The bound is loose, ≈ 29×: record A1.)
#[test]
fn analytic_b_bounds_the_search() {
    for loss in [Loss::Squared, Loss::Logistic] {
        let s = search(loss, 900, 3).unwrap();
        assert!(s.b_random.max(s.b_adversarial) <= s.b_analytic, "{s:?}");
        assert!(s.b_adversarial >= s.b_random);
    }
}

/// Analytic slope bounds: squared 2(y_max + R), logistic 1.
#[test]
fn loss_slope_bounds() {
    assert_eq!(a1::loss_slope_bound(Loss::Squared, 2.0, 1.5), 7.0);
    assert_eq!(a1::loss_slope_bound(Loss::Logistic, 1.0, 1.5), 1.0);
    assert!((a1::clipped_grad_bound(Loss::Logistic, 1.0, 2.0, 1.5).unwrap() - 10f64.sqrt()).abs() < 1e-15);
    assert!(a1::clipped_grad_bound(Loss::Logistic, 1.0, 0.0, 1.5).is_err());
}

/// The Gram spectrum decays faster than (k+1)^{−2} (A1(i) holds).
#[test]
fn gram_spectrum_decays_fast() {
    let (c_mu, slope, _, modes) = gram_decay(20_201).unwrap();
    assert!(c_mu > 0.0 && c_mu.is_finite());
    assert!(slope < -2.0 && modes > 10);
}
