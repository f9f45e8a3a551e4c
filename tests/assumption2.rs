//! A2: the Bernstein and predictor conditions against closed forms, with a
//! statistical test (exact moments vs an independent test set) and its
//! negative control.

use transport_langevin::experiments::a2_conditions::{
    bernstein_test_set_checks, first_failure, predictor_excess, squared_predictor_quadrature,
};
use transport_langevin::experiments::t1_gap::{Teacher, TEACHER};
use transport_langevin::model::Model;
use transport_langevin::space::Coef;
use transport_langevin::statements::a2::{
    logistic_bernstein_moments, logistic_predictor_mgf, squared_bernstein_moments, squared_predictor_mgf, Noise,
};
use transport_langevin::tolerance::FALSE_FAILURE;

#[test]
fn logistic_predictor_is_exactly_one_at_beta_equal_n() {
    for &p in &[0.1, 0.5, 0.93] {
        for &h in &[-5.0, -0.3, 0.0, 2.0, 8.0] {
            let v = logistic_predictor_mgf(p, 1.0, h).unwrap();
            assert!((v - 1.0).abs() < 1e-14, "{v}");
            assert!(logistic_predictor_mgf(p, 0.5, h).unwrap() <= 1.0 + 1e-15);
        }
    }
    assert!(logistic_predictor_mgf(0.3, 1.2, 3.0).unwrap() > 1.0);
}

#[test]
fn squared_predictor_closed_form_matches_quadrature() {
    for noise in [Noise::Uniform { half_width: 0.7 }, Noise::Gaussian { sd: 0.4 }] {
        for &t in &[0.5, 3.0, 10.0] {
            for &u in &[-1.0, 0.05, 0.8] {
                let a = squared_predictor_mgf(noise, t, u).unwrap();
                let b = squared_predictor_quadrature(noise, t, u, 40_000);
                assert!((a - b).abs() <= 1e-7 * a, "{noise:?} t={t} u={u}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn squared_predictor_threshold_is_one_over_two_sigma_squared() {
    for noise in [
        Noise::Uniform { half_width: 1.0 },
        Noise::Gaussian { sd: 0.5 },
        Noise::Gaussian { sd: 1.0 },
    ] {
        let thr = noise.predictor_threshold();
        let found = first_failure(
            |t| predictor_excess(|u| squared_predictor_mgf(noise, t, u).unwrap(), 2.0),
            2.0 * thr,
            1000,
        )
        .unwrap();
        assert!(
            found > thr && found <= thr * (1.0 + 2.0 / 1000.0 + 1e-9),
            "{noise:?}: {found} vs {thr}"
        );
    }
}

#[test]
fn bernstein_ratio_is_within_the_closed_form_bounds() {
    let noise = Noise::Uniform { half_width: 0.5 };
    for &u in &[-2.0, -0.1, 1e-3, 0.7, 3.0] {
        let (e2, e1) = squared_bernstein_moments(noise, u);
        assert!(e2 / e1 <= 4.0 * noise.variance() + u * u + 1e-12);
    }
    let s = |v: f64| 1.0 / (1.0 + f64::exp(-v));
    for &p in &[0.2, 0.5, 0.88] {
        for &h in &[-2.0f64, -0.5, 0.4, 2.0] {
            let fstar = f64::ln(p / (1.0 - p));
            let b = f64::max(h.abs(), fstar.abs());
            let (e2, e1) = logistic_bernstein_moments(p, h);
            assert!(e1 >= 0.0 && e2 <= 2.0 / (s(b) * s(-b)) * e1 + 1e-12, "p={p} h={h}");
        }
    }
}

fn a_map(t: &Teacher) -> Coef {
    let (n, q) = t.grid_model.shape();
    Coef::from_fn(n, q, |i, j| 0.7 * ((i * q + j) as f64 + 1.0).sin())
}

/// Exact E[Δℓ] and E[Δℓ²] of the squared loss against a 200 000-point
/// test set: two z-tests, false failure ≤ 1e-3 in total.
#[test]
fn bernstein_moments_match_test_set() {
    let t = Teacher::new(TEACHER, 5).unwrap();
    let c = bernstein_test_set_checks(
        &t,
        &a_map(&t),
        Noise::Uniform { half_width: TEACHER.noise },
        4.0,
        5,
        FALSE_FAILURE / 2.0,
    )
    .unwrap();
    assert!(c.iter().all(|c| c.passed), "{c:?}");
}

/// Negative control: E[Δℓ²] with u²σ² instead of 4u²σ² is rejected.
#[test]
fn control_missing_factor_four_is_rejected() {
    let t = Teacher::new(TEACHER, 5).unwrap();
    let c = bernstein_test_set_checks(
        &t,
        &a_map(&t),
        Noise::Uniform { half_width: TEACHER.noise },
        1.0,
        5,
        FALSE_FAILURE / 2.0,
    )
    .unwrap();
    assert!(!c.iter().all(|c| c.passed));
}
