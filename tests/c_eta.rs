//! C-eta: the zero-loss closed form of the discretization bias (exact
//! series and Monte Carlo), the order fits, and the linear-Gaussian identities.
//!
//! The statistical tests use the false-failure probability `FALSE_FAILURE`
//! = 1e-3 (the zero-loss test: one comparison; the two-layer test: three,
//! Bonferroni); their negative controls are separate tests. The seeds are
//! fixed, so a run is reproducible; the stated probability is what a fresh
//! seed would risk, and `calibration_over_100_seeds` (ignored) checks it.

mod common;
use common::{audit, Case};

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use transport_langevin::error::Error;
use transport_langevin::experiments::c_eta::{self, zero_loss_bias_mc, zero_loss_mc_check, ZERO_LOSS_MC};
use transport_langevin::problems::settings::C_ETA_ZERO_LOSS;
use transport_langevin::record::Check;
use transport_langevin::space::Space;
use transport_langevin::statements::c_eta::{fit_order, zero_loss_bias_modes, zero_loss_bias_series};
use transport_langevin::stats::Estimate;
use transport_langevin::tolerance::FALSE_FAILURE;

const SEED: u64 = 11;

/// `f(seed)`, computed once per seed and cached in `cell` (shared by a test,
/// its controls and the audit).
fn memo<T: Clone>(cell: &'static OnceLock<Mutex<HashMap<u64, T>>>, seed: u64, f: impl FnOnce(u64) -> T) -> T {
    let mut map = cell.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(seed).or_insert_with(|| f(seed)).clone()
}

/// The Monte Carlo estimate at `seed`, computed once for the test and its
/// controls.
fn mc_estimate(seed: u64) -> Estimate {
    static EST: OnceLock<Mutex<HashMap<u64, Estimate>>> = OnceLock::new();
    memo(&EST, seed, |seed| {
        let (mu, eta) = mc_setting();
        zero_loss_bias_mc(mu.len(), eta, 20_000, seed).unwrap()
    })
}

fn mc_setting() -> (Vec<f64>, f64) {
    let (n, eta, _, _) = ZERO_LOSS_MC;
    (
        Space::power_law(C_ETA_ZERO_LOSS.c_mu, C_ETA_ZERO_LOSS.decay, n)
            .unwrap()
            .mu()
            .to_vec(),
        eta,
    )
}

/// 𝓛̂ ≡ 0, N = 64, η = 0.1: the bias E‖W‖² − Σμ_k/(βλ) of 20 000 chains
/// matches −Σ μ_k/(βλ)·ηλ/(2μ_k + ηλ) (z test, false failure 1e-3, up to
/// the normal approximation of a mean of 20 000 i.i.d. draws). Negative
/// controls: `zero_loss_mc_rejects_zero_bias` (no bias: the continuous-time
/// law ν_β) and `zero_loss_mc_rejects_wrong_resolvent` (the 2 of S_η dropped).
#[test]
fn zero_loss_mc_bias_matches_closed_form() {
    let c = zero_loss_mc_correct(SEED);
    assert!(c.passed, "{} vs {} (se {})", c.empirical, c.theoretical, c.stderr);
}

fn zero_loss_mc_correct(seed: u64) -> Check {
    let (mu, eta) = mc_setting();
    let theory = zero_loss_bias_modes(&mu, eta, C_ETA_ZERO_LOSS.beta, C_ETA_ZERO_LOSS.lambda);
    zero_loss_mc_check(mc_estimate(seed), theory, FALSE_FAILURE, "bias")
}

/// Negative control: "no bias" (the continuous-time law ν_β) is rejected by
/// the same z test, claimed with probability ≥ 0.99.
#[test]
fn zero_loss_mc_rejects_zero_bias() {
    assert!(!zero_loss_mc_zero_bias(SEED).passed);
}

fn zero_loss_mc_zero_bias(seed: u64) -> Check {
    zero_loss_mc_check(mc_estimate(seed), 0.0, FALSE_FAILURE, "bias")
}

/// Negative control: a wrong S_η (factor ηλ/(μ + ηλ), the 2 dropped) is
/// rejected by the same z test, claimed with probability ≥ 0.99.
#[test]
fn zero_loss_mc_rejects_wrong_resolvent() {
    assert!(!zero_loss_mc_wrong_resolvent(SEED).passed);
}

fn zero_loss_mc_wrong_resolvent(seed: u64) -> Check {
    let (mu, eta) = mc_setting();
    let (beta, lambda) = (C_ETA_ZERO_LOSS.beta, C_ETA_ZERO_LOSS.lambda);
    let wrong: f64 = mu.iter().map(|&m| -m / (beta * lambda) * eta * lambda / (m + eta * lambda)).sum();
    zero_loss_mc_check(mc_estimate(seed), wrong, FALSE_FAILURE, "bias")
}

/// The tail enclosure is rigorous: the series with 10³ and with 10⁶ exact
/// terms agree within the sum of their half-widths, and the half-width
/// shrinks.
#[test]
fn series_tail_enclosure_is_consistent() {
    for eta in [1e-5, 1e-3, 0.1] {
        let a = zero_loss_bias_series(1.0, 2.0, eta, 1.0, 1.0, 1_000).unwrap();
        let b = zero_loss_bias_series(1.0, 2.0, eta, 1.0, 1.0, 1_000_000).unwrap();
        assert!((a.value - b.value).abs() <= a.half_width + b.half_width + 1e-14, "eta {eta}");
        assert!(b.half_width < a.half_width);
    }
}

/// The infinite-dimensional zero-loss bias is of order 1/2: the fitted
/// order over η ∈ [1e-5, 1e-3] is 1/2 within 0.01, with stderr ≤ 0.05; and
/// √η·(π/(2√2))/β is its leading term (integral approximation of the sum).
#[test]
fn zero_loss_order_is_one_half() {
    let s = c_eta::zero_loss_sweep(&c_eta::geometric(1e-5, 1e-3, 6)).unwrap();
    assert!((s.order - 0.5).abs() < 0.01, "{}", s.order);
    assert!(s.order_stderr <= 0.05);
    let eta = 1e-8;
    let v = zero_loss_bias_series(1.0, 2.0, eta, 1.0, 1.0, 1_000_000).unwrap().value;
    let lead = -std::f64::consts::PI / (2.0 * 2f64.sqrt()) * eta.sqrt();
    assert!((v / lead - 1.0).abs() < 1e-3, "{v} vs {lead}");
}

/// Negative control for the order check: a finite truncation (N = 8) has
/// order 1 in the same window, which the "order 1/2" reading rejects.
#[test]
fn finite_truncation_has_order_one() {
    let etas = c_eta::geometric(1e-5, 1e-3, 6);
    let mu = Space::power_law(1.0, 2.0, 8).unwrap().mu().to_vec();
    let errors: Vec<f64> = etas.iter().map(|&e| zero_loss_bias_modes(&mu, e, 1.0, 1.0)).collect();
    let fit = fit_order(&etas, &errors, &[0.0; 6]).unwrap();
    assert!((fit.order - 1.0).abs() < 0.01, "{}", fit.order);
}

/// fit_order recovers an exact power and propagates Monte Carlo errors.
#[test]
fn fit_order_exact_power_and_errors() {
    let etas = [1e-3, 1e-2, 1e-1];
    let errs: Vec<f64> = etas.iter().map(|e: &f64| -3.0 * e.powf(0.7)).collect();
    let f = fit_order(&etas, &errs, &[0.0; 3]).unwrap();
    assert!((f.order - 0.7).abs() < 1e-12 && f.order_stderr < 1e-10);
    // 10% relative errors at the ends, x = ln η spaced by ln 10: se = 0.1·√2/(2 ln 10).
    let se: Vec<f64> = errs.iter().map(|e| 0.1 * e.abs()).collect();
    let g = fit_order(&etas, &errs, &[se[0], 0.0, se[2]]).unwrap();
    assert!((g.order_stderr - 0.1 * 2f64.sqrt() / (2.0 * 10f64.ln())).abs() < 1e-12);
    assert!(matches!(
        fit_order(&etas, &errs[..2], &[0.0; 3]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        fit_order(&etas, &[0.0, 1.0, 1.0], &[0.0; 3]),
        Err(Error::NonPositive { .. })
    ));
}

/// Linear-Gaussian: π_η and π_∞ have the same mean, so the population-risk
/// error equals the ‖W‖² error (e_k orthonormal in L2(U[0,1])); the closed-form
/// coefficients of f satisfy Parseval (Σ c_k² → ‖f‖²).
#[test]
fn linear_gaussian_identities() {
    let sw = c_eta::linear_gaussian_sweeps(&[1e-3, 1e-2, 3e-2], 32).unwrap();
    let sq = &sw[0];
    let pop = &sw[2];
    for (a, b) in sq.errors.iter().zip(&pop.errors) {
        assert!((a - b).abs() <= 1e-9 * a.abs(), "{a} vs {b}");
    }
    let (c, norm) = c_eta::target_coefficients(4000);
    let s: f64 = c.iter().map(|v| v * v).sum();
    assert!(s <= norm && norm - s < 1e-4, "{s} vs {norm}");
}

/// The two-layer quick run at `seed`, computed once for the test and its
/// control.
fn two_layer_quick(seed: u64) -> c_eta::TwoLayerResult {
    static R: OnceLock<Mutex<HashMap<u64, c_eta::TwoLayerResult>>> = OnceLock::new();
    memo(&R, seed, |seed| {
        c_eta::two_layer_sweeps(true, seed, &transport_langevin::dynamics::Silent).unwrap()
    })
}

/// Two-layer: at η = 0.32 the telescoped coupled differences agree with the
/// direct difference of independent scheme chains and pCN-MH, for the three
/// test functions (z tests at false failure 1e-3 in total, Bonferroni over
/// 3, widened by the tail bracket); the fitted orders lie in [1/2 − a, 1.2]
/// (a wide range: not part of the stated probability). False failure
/// ≤ 1e-3, up to the normal approximation of the pooled batch means of 8
/// chains. Negative control: `two_layer_cross_check_rejects_wrong_temperature`
/// (π_∞ at 2β).
#[test]
fn two_layer_telescoped_error_matches_pcn() {
    let failed = two_layer_failures(SEED);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The failed assertions of the two-layer test at `seed`.
fn two_layer_failures(seed: u64) -> Vec<String> {
    let r = two_layer_quick(seed);
    let mut failed = Vec::new();
    for f in 0..3 {
        let c = c_eta::two_layer_cross_check(&r, f, FALSE_FAILURE / 3.0);
        if !c.passed {
            failed.push(format!("{}: {} vs {} (tol {})", c.name, c.empirical, c.theoretical, c.tolerance));
        }
        let s = &r.sweeps[f];
        if !(s.order > 0.5 - transport_langevin::statements::c_eta::BOUND_A && s.order < 1.2) {
            failed.push(format!("order of {}: {}", s.test_function, s.order));
        }
    }
    failed
}

/// Negative control: π_∞ at the wrong temperature (pCN-MH at 2β) is
/// rejected by the same test, which needs the cross-check of all three test
/// functions to pass; claimed with probability ≥ 0.99. (At the fixed seed
/// each of the three rejects it; over fresh seeds the two risks alone would
/// reject it with probability about 0.98, ‖W‖² with margin.)
#[test]
fn two_layer_cross_check_rejects_wrong_temperature() {
    let accepted = two_layer_wrong_temperature_accepted(SEED);
    assert!(accepted.is_empty(), "test functions {accepted:?}");
}

/// The test functions for which the cross-check accepts pCN-MH at 2β at `seed`.
fn two_layer_wrong_temperature_accepted(seed: u64) -> Vec<usize> {
    let r = two_layer_quick(seed);
    let right = transport_langevin::problems::two_layer_problem(transport_langevin::problems::TWO_LAYER, seed).unwrap();
    let mut hot = transport_langevin::problems::TWO_LAYER;
    hot.beta *= 2.0;
    let wrong = transport_langevin::problems::two_layer_problem(hot, seed).unwrap();
    let eta0 = c_eta::two_layer_etas()[0];
    let b = transport_langevin::dynamics::Schedule {
        chains: 8,
        burn_in: 2000,
        length: 20_000,
        thin: 5,
    };
    let scheme = c_eta::scheme_means(&right, eta0, b, seed, 200).unwrap();
    let pcn = c_eta::pcn_means(&wrong, b, seed, 201).unwrap();
    let mut bad = r.clone();
    for f in 0..3 {
        bad.direct_error[f] = (
            scheme[f].mean - pcn[f].mean,
            (scheme[f].stderr.powi(2) + pcn[f].stderr.powi(2)).sqrt(),
        );
    }
    (0..3)
        .filter(|&f| c_eta::two_layer_cross_check(&bad, f, FALSE_FAILURE / 3.0).passed)
        .collect()
}

/// The telescoping tail: D ∝ η (local order 1) gives exactly D_J; local
/// order 1/2 gives the bracket [D_J, (1 + √2) D_J]; a non-decreasing pair
/// falls back to the widest bracket (p ∈ [1/2, 1]).
#[test]
fn telescoping_tail_brackets() {
    let (m, h) = c_eta::telescoping_tail(2.0, 1.0);
    assert!((m - 1.0).abs() < 1e-15 && h < 1e-15);
    let wide = 1.0 + 2f64.sqrt();
    let (m, h) = c_eta::telescoping_tail(2f64.sqrt(), 1.0);
    assert!((m - 0.5 * (1.0 + wide)).abs() < 1e-12 && (h - 0.5 * (wide - 1.0)).abs() < 1e-12);
    let (m2, _) = c_eta::telescoping_tail(0.5, 1.0);
    assert!((m2 - m).abs() < 1e-12);
    let (mn, hn) = c_eta::telescoping_tail(-2.0, -1.0);
    assert!((mn + 1.0).abs() < 1e-15 && hn < 1e-15);
}

/// The calibration audit (issue 8): the statistical tests of this file and
/// their negative controls rerun over 100 fresh seeds (`common::audit`: a
/// test may not fail improbably often for its stated false-failure
/// probability, a control may not pass improbably often for a power of
/// 0.99). Run it with
///
/// ```sh
/// cargo test --release --test c_eta -- --ignored calibration --nocapture
/// ```
///
/// (about 15 minutes for 100 seeds on 2 cores).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    audit(
        "c_eta: zero-loss Monte Carlo bias and two-layer cross-check",
        &[
            Case {
                name: "zero-loss MC bias = closed form",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| zero_loss_mc_correct(s).passed,
            },
            Case {
                name: "control: no bias (continuous-time law)",
                false_failure: None,
                passes: &|s| !zero_loss_mc_zero_bias(s).passed,
            },
            Case {
                name: "control: wrong S_eta (the 2 dropped)",
                false_failure: None,
                passes: &|s| !zero_loss_mc_wrong_resolvent(s).passed,
            },
            Case {
                name: "two-layer telescoped error = scheme - pCN; orders",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| two_layer_failures(s).is_empty(),
            },
            Case {
                name: "control: pCN at wrong temperature 2 beta",
                false_failure: None,
                passes: &|s| two_layer_wrong_temperature_accepted(s).len() < 3,
            },
        ],
    );
}

/// One mode's zero-loss bias −μ/(βλ) · ηλ/(2μ + ηλ) is the semi-implicit
/// AR(1)'s stationary variance s²(2η/β)/(1 − s²), s = 1/(1 + ηλ/μ), minus
/// the continuous-time μ/(βλ), worked out here from the recursion itself.
/// Deterministic.
#[test]
fn zero_loss_bias_mode_is_the_ar1_variance_minus_the_limit() {
    use transport_langevin::statements::c_eta::zero_loss_bias_mode;
    for &(mu, eta, beta, lambda) in &[
        (1.0, 0.1, 2.0, 0.5),
        (0.3, 0.05, 10.0, 1.0),
        (0.02, 0.2, 1.0, 0.1),
        (2.0, 1.0, 0.5, 3.0),
    ] {
        let s: f64 = 1.0 / (1.0 + eta * lambda / mu);
        let ar1 = s * s * (2.0 * eta / beta) / (1.0 - s * s);
        let expected = ar1 - mu / (beta * lambda);
        let got = zero_loss_bias_mode(mu, eta, beta, lambda);
        assert!(
            (got - expected).abs() <= 1e-10 * expected.abs(),
            "μ={mu} η={eta}: {got} vs {expected}"
        );
    }
}

/// The series needs decay p > 1 (it diverges otherwise): p = 1, 0.5, NaN
/// and ∞ are each a typed error naming `decay`; p = 1.5 is accepted.
#[test]
fn zero_loss_bias_series_rejects_a_divergent_decay() {
    for p in [1.0, 0.5, f64::NAN, f64::INFINITY] {
        match zero_loss_bias_series(1.0, p, 0.1, 1.0, 1.0, 10) {
            Err(Error::OutOfRange { name: "decay", .. }) => {}
            other => panic!("decay {p}: {other:?}"),
        }
    }
    assert!(zero_loss_bias_series(1.0, 1.5, 0.1, 1.0, 1.0, 10).is_ok());
}

/// The enclosure of the series' tail at parameters where no factor is 1
/// (c_μ = 1.5, p = 3, η = 0.2, β = 4, λ = 0.5: βλ = 2, ηλ = 0.1, p − 1 = 2),
/// K = 10 exact terms: the midpoint and half-width are those of the doc's
/// bounds, worked out here, (ηλ/(2μ_K + ηλ))·T_lo/(βλ) ≤ −tail ≤ T_hi/(βλ),
/// T_lo = c_μ(K+1)^{1−p}/(p−1), T_hi = c_μ K^{1−p}/(p−1); and the
/// enclosure holds the series summed by brute force to 2·10⁶ terms plus
/// its own (≤ 1e-13) tail bound. Survivors of c_eta.rs 64–68 at p = 2,
/// βλ = 1. Deterministic.
#[test]
fn series_enclosure_is_its_formula_and_holds_the_brute_force_sum() {
    let (c_mu, p, eta, beta, lambda) = (1.5, 3.0, 0.2, 4.0, 0.5);
    let (bl, el) = (beta * lambda, eta * lambda);
    let mu = |k: usize| c_mu * ((k + 1) as f64).powf(-p);
    let term = |k: usize| -mu(k) / bl * el / (2.0 * mu(k) + el);
    let kk = 10;
    let head: f64 = (0..kk).rev().map(term).sum();
    let t_lo = c_mu * (kk as f64 + 1.0).powf(1.0 - p) / (p - 1.0);
    let t_hi = c_mu * (kk as f64).powf(1.0 - p) / (p - 1.0);
    let lo = el / (2.0 * mu(kk) + el) * t_lo / bl;
    let hi = t_hi / bl;
    let s = zero_loss_bias_series(c_mu, p, eta, beta, lambda, kk).unwrap();
    assert!((s.value - (head - 0.5 * (lo + hi))).abs() <= 1e-14, "{s:?}");
    assert!((s.half_width - 0.5 * (hi - lo)).abs() <= 1e-16, "{s:?} vs {}", 0.5 * (hi - lo));
    // Brute force: 2·10⁶ terms; the rest is below c_μ n^{1−p}/((p−1)βλ) ≈ 9e-14.
    let n = 2_000_000;
    let brute: f64 = (0..n).rev().map(term).sum();
    let rest = c_mu * (n as f64).powf(1.0 - p) / (p - 1.0) / bl;
    assert!(
        (brute - s.value).abs() <= s.half_width + rest,
        "brute {brute} vs {} ± {}",
        s.value,
        s.half_width
    );
    // Not vacuous: the half-width is a small part of the tail.
    assert!(s.half_width < 0.5 * (lo + hi), "{s:?}");
}
