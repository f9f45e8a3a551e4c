//! T1 and C-gap: the calculator, the sweep's checks and their negative
//! controls.
//!
//! Statistical tests use the family false-failure probability
//! `FALSE_FAILURE` = 1e-3, split by Bonferroni inside `t1_checks` and
//! `cgap_checks`: a correct implementation fails one of these tests with
//! probability ≤ 1e-3 (fixed seeds make each run reproducible). Every
//! negative control is claimed to be rejected with probability ≥ 0.99 over
//! a fresh seed; [`calibration_over_100_seeds`] reruns the tests and the
//! controls over 100 seeds.

mod common;
use common::*;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use transport_langevin::error::Error;
use transport_langevin::experiments::t1_gap::{
    cgap_checks, cgap_quantile_checks, compute_sweep, compute_sweep_on, quantile_slope_tolerance, scale_probe_checks, sweep_sizes,
    t1_checks, t1_controls, Sweep, SweepSizes, REQUIRED_POWER, RULES,
};
use transport_langevin::record::Check;
use transport_langevin::statements::t1::{non_vacuous_from, BetaRule, T1Params};
use transport_langevin::tolerance::FALSE_FAILURE;

const SEED: u64 = 11;

fn params(n: f64, beta: f64, r_bar: f64, delta: f64, xi: f64) -> T1Params {
    T1Params { n, beta, r_bar, delta, xi }
}

#[test]
fn terms_add_up_to_the_printed_right_hand_side() {
    for &(n, beta, r, delta, xi) in &[
        (64.0, 1.0, 1.0, 0.1, 0.0),
        (4096.0, 64.0, 2.5, 0.01, 0.3),
        (10.0, 10.0, 0.1, 0.5, 0.0),
    ] {
        let t = params(n, beta, r, delta, xi).terms().unwrap();
        let printed =
            r * r / f64::sqrt(n) * (2.0 * (1.0 + 2.0 * beta / f64::sqrt(n)) + f64::ln((1.0 + f64::exp(r * r / 2.0)) / delta)) + 2.0 * xi;
        assert!((t.bound - printed).abs() <= 1e-12 * printed, "{} vs {printed}", t.bound);
        assert_eq!(t.vacuous, t.bound >= r);
    }
}

#[test]
fn bound_is_monotone_in_every_parameter() {
    let base = params(256.0, 16.0, 1.5, 0.1, 0.0);
    let b = base.terms().unwrap().bound;
    let up = |p: T1Params| p.terms().unwrap().bound;
    assert!(up(T1Params { n: 512.0, ..base }) < b);
    assert!(up(T1Params { beta: 32.0, ..base }) > b);
    assert!(up(T1Params { r_bar: 2.0, ..base }) > b);
    assert!(up(T1Params { delta: 0.05, ..base }) > b);
    assert!(up(T1Params { xi: 0.1, ..base }) > b);
}

#[test]
fn vacuity_threshold_is_where_the_excess_crosses_r_bar() {
    let (r, delta) = (1.59, 0.1);
    for rule in [BetaRule::One, BetaRule::SqrtN] {
        let n = non_vacuous_from(rule, r, delta).unwrap().unwrap();
        let at = |n: f64| params(n, rule.beta(n), r, delta, 0.0).terms().unwrap();
        assert!(!at(n).vacuous);
        assert!(at(n * (1.0 - 1e-6)).vacuous);
    }
    // β = n: the excess tends to 4R̄², vacuous for every n iff R̄ ≥ 1/4.
    assert_eq!(non_vacuous_from(BetaRule::N, 0.25, delta).unwrap(), None);
    let n = non_vacuous_from(BetaRule::N, 0.1, delta).unwrap().unwrap();
    assert!(!params(n, n, 0.1, delta, 0.0).terms().unwrap().vacuous);
    let limit = params(1e12, 1e12, 0.1, delta, 0.0).terms().unwrap().bound;
    assert!((limit - 4.0 * 0.01).abs() < 1e-4, "{limit}");
}

/// The branches of the vacuity threshold: non-vacuous already at n = 1
/// (exactly 1 is returned, not a bisection result near it), and β = n with
/// R̄ < 1/4 but vacuous at n = 1 (the bisection runs and finds the edge).
#[test]
fn vacuity_threshold_branches() {
    // n = 1, β = 1: R̄²(6 + log((1 + e^{R̄²/2})/δ)) = 0.09 < R̄ = 0.1.
    for rule in [BetaRule::One, BetaRule::SqrtN, BetaRule::N] {
        assert_eq!(non_vacuous_from(rule, 0.1, 0.1).unwrap(), Some(1.0));
    }
    // R̄ = 0.2: 0.36 ≥ R̄ at n = 1, and 4R̄² = 0.16 < R̄, so a finite edge.
    let n = non_vacuous_from(BetaRule::N, 0.2, 0.1).unwrap().unwrap();
    assert!(n > 1.0);
    assert!(!params(n, n, 0.2, 0.1, 0.0).terms().unwrap().vacuous);
    let below = n * (1.0 - 1e-6);
    assert!(params(below, below, 0.2, 0.1, 0.0).terms().unwrap().vacuous);
    // R̄ = 40: e^{R̄²/2} overflows f64, the bound must not. Its edge for
    // β = 1 is near n = (R̄(2 + 4/√n + R̄²/2 + log(1/δ)))² ≈ 1.03e9.
    let n = non_vacuous_from(BetaRule::One, 40.0, 0.1).unwrap().unwrap();
    assert!((n / 1.03e9 - 1.0).abs() < 0.01, "{n}");
    let t = params(n, 1.0, 40.0, 0.1, 0.0).terms().unwrap();
    assert!(t.bound.is_finite() && !t.vacuous);
    // R̄ = 1e200: the edge n ≈ (R̄³/2)² is beyond f64, so the doubling search
    // gives up past n = 1e300 (and terminates).
    assert_eq!(non_vacuous_from(BetaRule::One, 1e200, 0.1).unwrap(), None);
}

/// The β rules: β(n) and the stable names written into the records (the
/// same as their JSON form).
#[test]
fn beta_rules_and_names() {
    for (rule, name, beta) in [
        (BetaRule::One, "1", 1.0),
        (BetaRule::SqrtN, "sqrt_n", 4.0),
        (BetaRule::N, "n", 16.0),
    ] {
        assert_eq!(rule.name(), name);
        assert_eq!(serde_json::to_value(rule).unwrap(), serde_json::json!(name));
        assert_eq!(rule.beta(16.0), beta);
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert!(matches!(
        params(0.5, 1.0, 1.0, 0.1, 0.0).terms(),
        Err(Error::OutOfRange { name: "n", .. })
    ));
    assert!(matches!(
        params(8.0, 0.0, 1.0, 0.1, 0.0).terms(),
        Err(Error::NonPositive { name: "beta", .. })
    ));
    assert!(matches!(
        params(8.0, 1.0, f64::NAN, 0.1, 0.0).terms(),
        Err(Error::NonFinite { name: "r_bar", .. })
    ));
    assert!(matches!(
        params(8.0, 1.0, 1.0, 1.0, 0.0).terms(),
        Err(Error::OutOfRange { name: "delta", .. })
    ));
    assert!(matches!(
        params(8.0, 1.0, 1.0, 0.1, -1.0).terms(),
        Err(Error::OutOfRange { name: "xi", .. })
    ));
}

/// The sweep of the T1 tests: 40 data sets per setting, n ∈ {64, 256},
/// every β rule.
fn small_sweep_for(seed: u64) -> Sweep {
    let sizes = SweepSizes {
        datasets: 40,
        burn: 600,
        samples: 2_000,
        scheme_chains: 1,
        population_steps: 20_000,
    };
    compute_sweep_on(seed, sizes, &[64, 256], &RULES, &transport_langevin::dynamics::Silent).unwrap()
}

/// The quick sweep of the record (n ∈ {64, 256, 1024, 4096}).
fn quick_sweep_for(seed: u64) -> Sweep {
    compute_sweep(seed, sweep_sizes(true), &transport_langevin::dynamics::Silent).unwrap()
}

fn small_sweep() -> &'static Sweep {
    static S: OnceLock<Sweep> = OnceLock::new();
    S.get_or_init(|| small_sweep_for(SEED))
}

fn quick_sweep() -> &'static Sweep {
    static S: OnceLock<Sweep> = OnceLock::new();
    S.get_or_init(|| quick_sweep_for(SEED))
}

fn theorem_checks(sw: &Sweep) -> Vec<Check> {
    t1_checks(sw, |d| d.gap, 1.0).unwrap()
}

/// Whether the positivity check rejects the gap measured on the training set.
fn training_gap_rejected(sw: &Sweep) -> bool {
    let c = t1_checks(sw, |d| d.gap_on_training, 1.0).unwrap();
    !all_pass(&c) && c.iter().any(|c| !c.passed && c.name.starts_with("mean gap > 0"))
}

/// Whether a binomial failure-fraction check rejects the bound without its
/// complexity term.
fn no_complexity_term_rejected(sw: &Sweep) -> bool {
    let c = t1_checks(sw, |d| d.gap, 0.0).unwrap();
    c.iter().any(|c| !c.passed && c.name.contains("failure fraction"))
}

fn cgap_correct(sw: &Sweep) -> Vec<Check> {
    cgap_checks(sw, |d| d.gap - d.cv).0
}

/// The C-gap checks with the wrong noise variance c̄² in 𝓛.
fn cgap_wrong_noise_variance(sw: &Sweep) -> Vec<Check> {
    let bias = 2.0 * 0.2 * 0.2 / 3.0;
    cgap_checks(sw, |d| d.gap - d.cv + bias).0
}

/// The theorem's checks pass on 40 data sets per setting (n ∈ {64, 256},
/// every β rule): failure fraction consistent with ≤ δ, mean gap > 0, 𝓛
/// exact = test set. False failure ≤ 1e-3 (the positivity check also needs
/// power: the Stouffer z of the positive mean gap must exceed its one-sided
/// quantile, 3.7: it is 7 to 11 at the seeds tried). Negative controls:
/// [`control_gap_on_training_set_is_rejected`],
/// [`control_bound_without_complexity_term_is_rejected`].
#[test]
fn theorem1_checks_pass() {
    let c = theorem_checks(small_sweep());
    assert!(all_pass(&c), "{:?}", failures(&c));
}

/// Negative control: 𝓛 evaluated on the training set (gap ≡ 0) is
/// rejected by the positivity check; claimed to be rejected with
/// probability ≥ 0.99 (the Stouffer z is then about N(0, 1) and must
/// exceed its one-sided quantile at level 1e-4, 3.7; with the true gaps it
/// is 7 to 11 at the seeds tried).
#[test]
fn control_gap_on_training_set_is_rejected() {
    assert!(training_gap_rejected(small_sweep()));
}

/// Negative control: the bound without its complexity term (E𝓛 ≤ E𝓛̂)
/// fails on about half the data sets and the binomial test rejects it;
/// claimed to be rejected with probability ≥ 0.99.
#[test]
fn control_bound_without_complexity_term_is_rejected() {
    let c = t1_checks(small_sweep(), |d| d.gap, 0.0).unwrap();
    assert!(
        c.iter().any(|c| !c.passed && c.name.contains("failure fraction")),
        "{:?}",
        failures(&c)
    );
}

/// C-gap on the quick sweep: every slope that the sweep resolves (mean
/// gap > 2 standard errors at every n) is ≤ −1/2 within its one-sided
/// z tolerance; false failure ≤ 1e-3 over a fresh seed. An unresolved slope
/// is inconclusive, not a failure: with 24 data sets per setting the β = 1
/// slope is never resolved and the β = √n slope is resolved at about 3 seeds
/// in 4. The fixed seed 11 resolves the β = √n slope, which is asserted so
/// that this pinned test is not vacuous. Negative control:
/// [`control_wrong_noise_variance_is_rejected`].
#[test]
fn cgap_slope_checks_pass() {
    let (c, slopes) = cgap_checks(quick_sweep(), |d| d.gap - d.cv);
    assert!(!c.is_empty(), "{slopes:?}");
    assert!(all_pass(&c), "{:?}", failures(&c));
}

/// Negative control: a wrong noise variance in 𝓛 (c̄² instead of c̄²/3)
/// adds a constant 2c̄²/3 to every gap; the slope is then ≈ 0 and rejected.
/// Claimed to be rejected with probability ≥ 0.99.
#[test]
fn control_wrong_noise_variance_is_rejected() {
    let c = cgap_wrong_noise_variance(quick_sweep());
    assert!(!c.is_empty() && !all_pass(&c));
}

/// Erratum E20: on the loss ℓ/K (R̄/K ≈ 1.6e-4, n = 64, β = 1) the printed
/// bound fails on about half the data sets, and the binomial test rejects
/// it; the corrected form (R̄ → max(R̄, 1)) passes. False failure of the
/// second assertion ≤ 5e-4. The first is the negative control of the
/// second (the printed bound, claimed to be rejected with probability
/// ≥ 0.99).
#[test]
fn printed_bound_fails_for_small_loss_scale_and_corrected_form_holds() {
    let (c, probe) = scale_probe_checks(small_sweep()).unwrap();
    assert!(!c[0].passed, "{probe}");
    assert!(c[1].passed, "{probe}");
}

/// The sweep for `seed`, computed once per seed of the audit.
fn cached(cache: &Mutex<HashMap<u64, Arc<Sweep>>>, seed: u64, make: fn(u64) -> Sweep) -> Arc<Sweep> {
    let mut map = cache.lock().unwrap();
    map.entry(seed).or_insert_with(|| Arc::new(make(seed))).clone()
}

/// The calibration audit (issue 8): every statistical test and negative
/// control of this file over 100 seeds (see `tests/common`; a control
/// "passes" when it is rejected). The two sweeps are computed once per
/// seed. [`cgap_slope_checks_pass`] is audited on its slope checks (false
/// failure ≤ 1e-3; a seed that resolves no slope passes, inconclusively).
/// Run with
///
/// ```sh
/// cargo test --release --test theorem1 -- --ignored calibration --nocapture
/// ```
///
/// (about 7 minutes for 100 seeds on 2 cores: 3 seeds take 13 s).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    let small = Mutex::new(HashMap::new());
    let quick = Mutex::new(HashMap::new());
    let small = |s| cached(&small, s, small_sweep_for);
    let quick = |s| cached(&quick, s, quick_sweep_for);
    audit(
        "theorem1",
        &[
            Case {
                name: "T1 checks (small sweep)",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| all_pass(&theorem_checks(&small(s))),
            },
            Case {
                name: "control: gap on the training set",
                false_failure: None,
                passes: &|s| training_gap_rejected(&small(s)),
            },
            Case {
                name: "control: bound without complexity term",
                false_failure: None,
                passes: &|s| no_complexity_term_rejected(&small(s)),
            },
            Case {
                name: "E20 corrected bound max(R_bar/K, 1)",
                false_failure: Some(FALSE_FAILURE / 2.0),
                passes: &|s| scale_probe_checks(&small(s)).unwrap().0[1].passed,
            },
            Case {
                name: "control: E20 printed bound R_bar/K",
                false_failure: None,
                passes: &|s| !scale_probe_checks(&small(s)).unwrap().0[0].passed,
            },
            Case {
                name: "C-gap resolved slope checks pass (quick sweep)",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| all_pass(&cgap_correct(&quick(s))),
            },
            Case {
                name: "control: C-gap with noise variance c^2",
                false_failure: None,
                passes: &|s| {
                    let c = cgap_wrong_noise_variance(&quick(s));
                    !c.is_empty() && !all_pass(&c)
                },
            },
        ],
    );
}

/// The C-gap tolerance: z_α·se when that already gives power ≥ 0.99
/// against a true slope of −1/4, else (full size only) lowered to
/// 1/4 − z_{0.99}·se, with the false-failure probability it then costs.
#[test]
fn quantile_slope_tolerance_meets_the_power_requirement() {
    let alpha = FALSE_FAILURE / 2.0;
    // se = 0.03: z_α se = 0.099, power Φ((0.25 − 0.099)/0.03) ≈ 1.
    let (tol, ffp, power) = quantile_slope_tolerance(0.03, alpha, true);
    assert!((tol - 3.2905 * 0.03).abs() < 1e-3 && (ffp - alpha).abs() < 1e-9 && power > 0.999);
    // se = 0.06: z_α se = 0.197 would give power 0.81; lowered to 0.25 − 2.326·0.06.
    let (tol, ffp, power) = quantile_slope_tolerance(0.06, alpha, true);
    assert!((tol - (0.25 - 2.3263 * 0.06)).abs() < 1e-3, "{tol}");
    assert!((power - REQUIRED_POWER).abs() < 1e-6, "{power}");
    assert!(ffp > alpha && ffp < 0.05, "{ffp}");
    // Quick size: never lowered.
    let (tol, ffp, _) = quantile_slope_tolerance(0.06, alpha, false);
    assert!((tol - 3.2905 * 0.06).abs() < 1e-3 && (ffp - alpha).abs() < 1e-9);
}

/// On the quick sweep (seed 11): the quantile-slope checks pass (false
/// failure ≤ 1e-3 over a fresh seed) and their control, the unnormalised
/// gap n(𝓛 − 𝓛̂), is rejected; T1's controls are rejected. Claimed power of
/// each control ≥ 0.99 (`paper/calibration.md`).
#[test]
fn quantile_slope_checks_pass_and_their_controls_are_rejected() {
    let (c, slopes) = cgap_quantile_checks(quick_sweep(), SEED, false, |d| d.gap);
    assert_eq!(c.len(), 4, "{slopes:?}");
    assert!(c.iter().all(|c| c.passed), "{c:?}");
    assert_eq!(c.iter().filter(|c| c.control).count(), 2);
    let t = t1_controls(quick_sweep()).unwrap();
    assert!(t.iter().all(|c| c.control && c.passed), "{t:?}");
}
