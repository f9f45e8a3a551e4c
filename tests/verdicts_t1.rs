//! The verdict logic of T1 and C-gap (`src/experiments/t1_gap/mod.rs`:
//! `t1_checks`, `failure_check`, `t1_controls`, `scale_probe_checks`,
//! `cgap_checks`, `cgap_quantile_checks`, and the records of `GapBound` and
//! `GapRate`) on small hand-built sweeps: no chain is run. Every threshold
//! is probed just inside and just outside, and every number that a check
//! carries is compared with a value worked out here from the formula in the
//! doc comments (Clopper–Pearson bounds in closed form or by statrs'
//! binomial law, normal quantiles from a table, Theorem 1's right-hand side
//! as printed). Deterministic: no false failures. Written for the mutation
//! campaign of issue 20; the comment of each test names the mutants (by
//! line of `t1_gap/mod.rs`) it kills.

use serde_json::Value;
use statrs::distribution::{Binomial, DiscreteCDF};
use std::sync::Arc;
use transport_langevin::experiments::t1_gap::{
    cgap_checks, cgap_quantile_checks, failure_check, quantile_points, scale_probe_checks, sweep_sizes, t1_checks, t1_controls, DatasetGap,
    GapBound, GapRate, Setting, Sweep, DELTA, SCALE_PROBE, SWEEP_KEY,
};
use transport_langevin::experiments::{Context, Evidence, Experiment};
use transport_langevin::figure::Plot;
use transport_langevin::record::{Check, CheckKind, Record, Status};
use transport_langevin::statements::t1::BetaRule;
use transport_langevin::tolerance::{CLOSED_FORM_EPS, FALSE_FAILURE};

/// z with P(Z > z) = 2.5e-4 (one-sided, the level of `t1_checks` with two
/// settings and one test-set probe: 1e-3 / 4); these four from 30-digit
/// tables (mpmath), rounded to f64.
const Z_ONE_2_5E_4: f64 = 3.480_756_404_346_213;
/// z with P(|Z| > z) = 2.5e-4.
const Z_TWO_2_5E_4: f64 = 3.662_259_930_887_701_3;
/// z with P(Z > z) = 5e-4 (the level of C-gap: 1e-3 / 2).
const Z_ONE_5E_4: f64 = 3.290_526_731_491_895;
/// z with P(Z > z) = 0.01 (the power requirement of C-gap).
const Z_ONE_0_01: f64 = 2.326_347_874_040_841;

/// statrs' normal quantile (an inverse erfc accurate to about 1e-15
/// relative) against the 17-digit tables: 1e-13 relative.
const QUANTILE_REL: f64 = 1e-13;

/// |a − b| ≤ rel · max(|a|, |b|).
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

macro_rules! assert_close {
    ($a:expr, $b:expr, $rel:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b, $rel), "{} = {a:e}, expected {b:e}", stringify!($a));
    }};
}

/// A few ulps relative: a closed form evaluated here by another route (other
/// libm calls, another order of the same sums) than in the crate.
const ULPS: f64 = CLOSED_FORM_EPS * f64::EPSILON;

/// Theorem 1's right-hand side minus 𝓛̂ at Ξ = 0, as printed:
/// (R̄²/√n)[2(1 + 2β/√n) + log((1 + e^{R̄²/2})/δ)], δ = 0.1.
fn printed_bound(n: f64, beta: f64, r_bar: f64) -> f64 {
    let sn = n.sqrt();
    r_bar * r_bar / sn * (2.0 * (1.0 + 2.0 * beta / sn) + ((1.0 + (r_bar * r_bar / 2.0).exp()) / 0.1).ln())
}

/// The Clopper–Pearson lower bound when all d of d data sets fail: the p
/// with p^d = α (P(Bin(d, p) ≥ d) = α).
fn cp_lower_all(d: i32, alpha: f64) -> f64 {
    alpha.powf(1.0 / d as f64)
}

/// The Clopper–Pearson lower bound for 1 failure in d: 1 − (1 − α)^{1/d}
/// (P(Bin(d, p) ≥ 1) = 1 − (1 − p)^d = α), without cancellation.
fn cp_lower_one(d: i32, alpha: f64) -> f64 {
    -((-alpha).ln_1p() / d as f64).exp_m1()
}

/// `binomial_upper` bisects p on [0, 1]: it stops at adjacent doubles, so a
/// Clopper–Pearson bound 1 − p carries an absolute error of an ulp of 1.
const BISECTION_ABS: f64 = 4.0 * f64::EPSILON;

fn data(gap: f64, cv: f64) -> DatasetGap {
    DatasetGap {
        gap,
        mcse: 0.0,
        cv,
        acceptance: 0.3,
        gap_scheme: gap,
        gap_on_training: 0.0,
    }
}

/// A setting with the given gaps and control variates 0.
fn setting(n: usize, rule: BetaRule, gaps: &[f64]) -> Setting {
    Setting {
        n,
        rule,
        beta: rule.beta(n as f64),
        per_dataset: gaps.iter().map(|&g| data(g, 0.0)).collect(),
    }
}

fn sweep(r_bar: f64, settings: Vec<Setting>, probes: Vec<(f64, f64, f64)>, scale_probe: Vec<f64>) -> Sweep {
    Sweep {
        sizes: sweep_sizes(true),
        r_bar,
        settings,
        test_set_probes: probes,
        scale_probe,
    }
}

/// Two settings (n = 64, β = 1 and n = 256, β = √n) with the given gaps, and
/// one exact test-set probe: 2 + 1 + 1 tests, level 1e-3 / 4 each.
fn two_settings(g64: &[f64], g256: &[f64]) -> Sweep {
    sweep(
        0.5,
        vec![setting(64, BetaRule::One, g64), setting(256, BetaRule::SqrtN, g256)],
        vec![(1.0, 1.0, 0.01)],
        vec![],
    )
}

fn positivity(checks: &[Check]) -> &Check {
    checks
        .iter()
        .find(|c| c.name.starts_with("mean gap > 0"))
        .expect("positivity check")
}

/// `failure_check` counts the gaps strictly above the bound, and reports the
/// Clopper–Pearson lower bound of the failure fraction (empirical), the
/// binomial standard error √(f(1 − f)/d) (stderr), δ (theoretical), level
/// α: all 4 failing (α^{1/4}), 1 of 4 (1 − (1 − α)^{1/4}, stderr √(3/64)
/// exactly), ties at the bound not counted, and the verdict just either side
/// of δ. Kills 163 (`>` → `==`, `<`, `>=`), 164 (`==` →
/// `!=`, `1.0 -` → `+`, `/`, `d - k` → `+`, `/`), 165 (`/` → `%`, `*`) and
/// 170 (every operator of the stderr).
#[test]
fn failure_check_is_a_clopper_pearson_test_of_strict_exceedances() {
    let alpha = 2.5e-4;
    // All 4 above the bound: lower bound 0.1257 > δ, rejected; f = 1 so
    // stderr 0.
    let c = failure_check("s", &[1.0, 2.0, 3.0, 4.0], 0.5, alpha);
    assert_eq!(c.name, "s: failure fraction (CP lower bound) <= delta");
    assert_eq!(c.kind, CheckKind::UpperBound);
    assert_eq!(c.theoretical, 0.1);
    assert!((c.empirical - cp_lower_all(4, alpha)).abs() <= BISECTION_ABS, "{}", c.empirical);
    assert_eq!(c.stderr, 0.0);
    assert_eq!(c.tolerance, 0.0);
    assert_eq!(c.false_failure_prob, alpha);
    assert!(!c.passed && !c.control);
    // One strictly above (0.6); 0.5 is a tie, not a failure: f = 1/4.
    let c = failure_check("s", &[0.6, 0.5, 0.4, -1.0], 0.5, alpha);
    assert!((c.empirical - cp_lower_one(4, alpha)).abs() <= BISECTION_ABS, "{}", c.empirical);
    assert_eq!(c.stderr, (3.0f64 / 64.0).sqrt());
    assert!(c.passed);
    // Every gap exactly at the bound: no failure, lower bound exactly 0.
    let c = failure_check("s", &[0.0; 4], 0.0, alpha);
    assert_eq!((c.empirical, c.stderr, c.passed), (0.0, 0.0, true));
    // All 4 failing: α^{1/4} = δ at α = 1e-4; just below it passes, just
    // above it fails (the bound moves by 2.5e-10 relative, far above the
    // bisection's 1e-16).
    let inside = failure_check("s", &[1.0; 4], 0.0, 1e-4 * (1.0 - 1e-9));
    let outside = failure_check("s", &[1.0; 4], 0.0, 1e-4 * (1.0 + 1e-9));
    assert!(inside.empirical < 0.1 && inside.passed, "{}", inside.empirical);
    assert!(outside.empirical > 0.1 && !outside.passed, "{}", outside.empirical);
}

/// Theorem 1's binomial checks use the bound × `bound_scale` and level
/// 1e-3 / (settings + 1 + probes): with bound_scale = 2, gaps 1e-6 above
/// 2B(n, β) on all 4 data sets fail (lower bound α^{1/4} > δ), 1e-6 below
/// pass, with B from the printed formula. Kills 111 (count of tests: every
/// operator, and the empty result), 112 (`/` → `%`, `*`), 117 (`*` → `+`,
/// `/`: 2 + B and 2/B are far from 2B).
#[test]
fn t1_binomial_checks_scale_the_printed_bound_and_split_the_level() {
    assert_eq!((FALSE_FAILURE, DELTA), (1e-3, 0.1));
    let b64 = 2.0 * printed_bound(64.0, 1.0, 0.5);
    let b256 = 2.0 * printed_bound(256.0, 16.0, 0.5);
    let sw = two_settings(&[b64 * (1.0 + 1e-6); 4], &[b256 * (1.0 - 1e-6); 4]);
    let checks = t1_checks(&sw, |d| d.gap, 2.0).unwrap();
    assert_eq!(checks.len(), 4);
    let alpha = 2.5e-4;
    assert!(checks.iter().all(|c| c.false_failure_prob == alpha));
    assert_eq!(checks[0].name, "n=64 beta=1: failure fraction (CP lower bound) <= delta");
    assert!((checks[0].empirical - cp_lower_all(4, alpha)).abs() <= BISECTION_ABS);
    assert!(!checks[0].passed);
    assert_eq!(checks[1].name, "n=256 beta=sqrt_n: failure fraction (CP lower bound) <= delta");
    assert_eq!((checks[1].empirical, checks[1].passed), (0.0, true));
    // The same gaps against the bound itself (scale 1): both settings fail.
    let unscaled = t1_checks(&sw, |d| d.gap, 1.0).unwrap();
    assert!(!unscaled[0].passed && !unscaled[1].passed);
}

/// The positivity test: Stouffer z = Σ mean/stderr of (gap − cv) over the
/// settings with stderr > 0, divided by √(settings); check −z ≤ −z_α. Here
/// gap − cv = (2.5, 4.5, 4.5, 4.5) at n = 64 (mean 4, stderr 0.5, both
/// exact: z-term 8) and ≡ 1 at n = 256 (stderr 0: skipped), so z = 8/√2
/// exactly; theoretical −3.4808 (z at 2.5e-4, table). Then z just above and
/// just below the quantile. Kills 128 (`gap - cv` → `+`, `/`), 129 (`>` →
/// `==`, `<`, `>=`: the skipped setting would add ±∞ or the other be
/// dropped), 130 (`+=` → `-=`, `*=`; `/` → `%`, `*`), 136 (`/` → `%`,
/// `*`), 139 and 140 (the two deleted minus signs).
#[test]
fn positivity_is_a_stouffer_test_on_the_control_variate_adjusted_gap() {
    let mut sw = two_settings(&[3.0, 4.0, 5.5, 6.5], &[1.5, 2.0, 1.25, 3.0]);
    for (d, cv) in sw.settings[0].per_dataset.iter_mut().zip([0.5, -0.5, 1.0, 2.0]) {
        d.cv = cv;
    }
    for (d, cv) in sw.settings[1].per_dataset.iter_mut().zip([0.5, 1.0, 0.25, 2.0]) {
        d.cv = cv;
    }
    let checks = t1_checks(&sw, |d| d.gap, 1.0).unwrap();
    let c = positivity(&checks);
    assert_eq!(c.name, "mean gap > 0 (Stouffer z over settings >= one-sided quantile)");
    assert_eq!(c.kind, CheckKind::UpperBound);
    assert_close!(c.theoretical, -Z_ONE_2_5E_4, QUANTILE_REL);
    assert_eq!(c.empirical, -(8.0 / 2f64.sqrt()));
    assert_eq!((c.stderr, c.tolerance, c.false_failure_prob), (1.0, 0.0, 2.5e-4));
    assert!(c.passed);
    // n = 64 alone decides: gap − cv = m + (−1.5, 0.5, 0.5, 0.5) has stderr
    // 0.5, so z = 2m/√2; z = z_α (1 ± 1e-6).
    for (factor, passes) in [(1.0 + 1e-6, true), (1.0 - 1e-6, false)] {
        let m = Z_ONE_2_5E_4 * factor * 2f64.sqrt() / 2.0;
        let sw = two_settings(&[m - 1.5, m + 0.5, m + 0.5, m + 0.5], &[1.0; 4]);
        let c = positivity(&t1_checks(&sw, |d| d.gap, 1.0).unwrap()).clone();
        assert_close!(-c.empirical, Z_ONE_2_5E_4 * factor, 1e-12);
        assert_eq!(c.passed, passes, "z = {}", -c.empirical);
    }
}

/// The test-set probes: |exact − estimate| ≤ z·se with z two-sided at the
/// split level 2.5e-4 (3.6623, table), just inside and just outside.
/// Kills 152 (`zt * se` → `+`, `/`).
#[test]
fn test_set_probe_is_a_two_sided_z_test() {
    for (factor, passes) in [(1.0 - 1e-6, true), (1.0 + 1e-6, false)] {
        let se = 0.01;
        let est = 1.0 - Z_TWO_2_5E_4 * se * factor;
        let sw = sweep(
            0.5,
            vec![setting(64, BetaRule::One, &[0.1; 4]), setting(256, BetaRule::SqrtN, &[0.1; 4])],
            vec![(1.0, est, se)],
            vec![],
        );
        let checks = t1_checks(&sw, |d| d.gap, 1.0).unwrap();
        let c = &checks[3];
        assert_eq!(c.name, "test-set route to L (probe 0): exact vs 200000-point test set");
        assert_eq!(c.kind, CheckKind::Equal);
        assert_eq!((c.theoretical, c.empirical, c.stderr, c.false_failure_prob), (1.0, est, se, 2.5e-4));
        assert_close!(c.tolerance, Z_TWO_2_5E_4 * se, QUANTILE_REL);
        assert_eq!(c.passed, passes);
    }
}

/// T1's controls: the positivity test on the training-set gap (≡ 0: z = 0,
/// not ≥ 3.48, so rejected) and the binomial test of the pooled gaps against
/// bound 0 at level 1e-3/4 (8 of 8 positive: lower bound α^{1/8} = 0.355,
/// rejected); then data on which neither is rejected (training gap with
/// z = 8/√2, no positive gap) and the record is inconclusive. Kills 182
/// (count of tests: every operator, and the empty result) and 183 (`/` →
/// `%`, `*`), which change the pooled test's level.
#[test]
fn t1_controls_reject_the_training_gap_and_the_bound_without_complexity() {
    let sw = two_settings(&[0.1, 0.2, 0.3, 0.4], &[0.05, 0.06, 0.07, 0.08]);
    let controls = t1_controls(&sw).unwrap();
    assert_eq!(controls.len(), 2);
    let (training, pooled) = (&controls[0], &controls[1]);
    assert!(training.name.starts_with("control: gap measured on the training set"));
    assert!(training.control && training.passed);
    assert_eq!(training.empirical, 0.0);
    assert_close!(training.theoretical, -Z_ONE_2_5E_4, QUANTILE_REL);
    assert!(pooled.name.starts_with("control: bound without its complexity term"));
    assert!(pooled.control && pooled.passed);
    assert_eq!(pooled.false_failure_prob, 2.5e-4);
    assert_eq!(pooled.theoretical, 0.1);
    assert!((pooled.empirical - cp_lower_all(8, 2.5e-4)).abs() <= BISECTION_ABS);
    assert_eq!(Record::status_from_checks(&controls), Status::Holds);
    // Not rejected: a positive training gap, no positive gap.
    let mut sw = two_settings(&[-0.1; 4], &[0.0; 4]);
    for (d, g) in sw.settings[0].per_dataset.iter_mut().zip([2.5, 4.5, 4.5, 4.5]) {
        d.gap_on_training = g;
    }
    let controls = t1_controls(&sw).unwrap();
    assert_eq!(controls[0].empirical, -(8.0 / 2f64.sqrt()));
    assert!(!controls[0].passed && !controls[1].passed);
    assert_eq!(controls[1].empirical, 0.0);
    assert_eq!(Record::status_from_checks(&controls), Status::Inconclusive);
}

/// Erratum E20's probe: the loss ℓ/K (R̄/K = 0.5/10⁴ here), printed bound
/// at R̄/K and corrected at max(R̄/K, 1), binomial tests at 1e-3/2. Gaps
/// between the two bounds on 4 data sets: the printed test fails (lower
/// bound (5e-4)^{1/4} = 0.150), the corrected passes. Then a gap exactly at
/// the printed bound (not a failure) with 2 above and 1 below: failure
/// fraction 1/2 in the JSON row, failure_upper the 95% Clopper–Pearson bound
/// of 2 in 4 (statrs' binomial law). Kills 207 (empty result), 208 (`/` →
/// `%`, `*`: R̄/K), 225 (`/` → `%`, `*`: the level) and 232 (`>` → `==`,
/// `<`, `>=`).
#[test]
fn scale_probe_checks_test_the_printed_and_the_corrected_bound() {
    let (n, beta, k) = SCALE_PROBE;
    assert_eq!((n, beta, k), (64, 1.0, 10_000.0));
    let r_small = 0.5 / 10_000.0;
    let printed = printed_bound(64.0, 1.0, r_small);
    let corrected = printed_bound(64.0, 1.0, 1.0);
    let sw = sweep(0.5, vec![], vec![], vec![1e-3, 2e-3, 0.5, 0.7]);
    let (checks, row) = scale_probe_checks(&sw).unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(
        checks[0].name,
        "E20 printed bound, loss/K (R_bar/K): failure fraction (CP lower bound) <= delta"
    );
    assert_eq!(
        checks[1].name,
        "E20 corrected bound, loss/K (max(R_bar/K, 1)): failure fraction (CP lower bound) <= delta"
    );
    assert!(checks.iter().all(|c| c.false_failure_prob == 5e-4));
    assert!((checks[0].empirical - cp_lower_all(4, 5e-4)).abs() <= BISECTION_ABS);
    assert!(!checks[0].passed);
    assert_eq!((checks[1].empirical, checks[1].passed), (0.0, true));
    assert_eq!(row["r_bar"], r_small);
    assert_close!(row["printed_bound"].as_f64().unwrap(), printed, ULPS);
    assert_close!(row["corrected_bound"].as_f64().unwrap(), corrected, ULPS);
    assert_eq!(row["failure_fraction"], 1.0);
    assert_eq!(row["failure_upper"], 1.0);
    assert_eq!(row["datasets"], 4);
    assert_eq!(
        (row["n"].as_u64(), row["beta"].as_f64(), row["scale_k"].as_f64()),
        (Some(64), Some(1.0), Some(10_000.0))
    );
    // A tie at the printed bound as computed by the crate (the same
    // expression: R̄/K at n = 64, β = 1).
    let tie = transport_langevin::statements::t1::T1Params {
        n: 64.0,
        beta: 1.0,
        r_bar: r_small,
        delta: DELTA,
        xi: 0.0,
    }
    .terms()
    .unwrap()
    .bound;
    assert_close!(tie, printed, ULPS);
    let sw = sweep(0.5, vec![], vec![], vec![tie, 2.0 * tie, 3.0 * tie, 0.5 * tie]);
    let (checks, row) = scale_probe_checks(&sw).unwrap();
    assert_eq!(row["failure_fraction"], 0.5);
    let upper = row["failure_upper"].as_f64().unwrap();
    assert_close!(Binomial::new(upper, 4).unwrap().cdf(2), 0.05, 1e-9);
    // The printed test sees 2 of 4: P(Bin(4, lower) ≥ 2) = 5e-4, not
    // rejected (lower 0.0113 < δ).
    let lower = checks[0].empirical;
    assert_close!(Binomial::new(lower, 4).unwrap().sf(1), 5e-4, 1e-9);
    assert!(checks[0].passed);
}

/// The expected slope and stderr of two points (n = 64, 256) by the delta
/// method: slope = log(m₂/m₁)/log 4, se = √((s₁/m₁)² + (s₂/m₂)²)/log 4.
fn two_point_slope(p: [(f64, f64); 2]) -> (f64, f64) {
    let l4 = 4f64.ln();
    (
        (p[1].0.ln() - p[0].0.ln()) / l4,
        ((p[0].1 / p[0].0).powi(2) + (p[1].1 / p[1].0).powi(2)).sqrt() / l4,
    )
}

/// Slopes are sums of terms of order 1 (c_j log m_j, c = ±0.72): a few ulps
/// of 1, absolute.
const SLOPE_ABS: f64 = 1e-14;

/// Two data sets m ± h: mean m, stderr h (exact for dyadic m, h).
fn pair(m: f64, h: f64) -> [f64; 2] {
    [m - h, m + h]
}

/// The sweep of the C-gap tests: every rule at n = 64 and 256 with the
/// given per-setting gaps.
fn three_rules(g: [&[f64]; 6]) -> Sweep {
    let rules = [BetaRule::One, BetaRule::SqrtN, BetaRule::N];
    let settings = (0..6).map(|i| setting([64, 256][i % 2], rules[i / 2], g[i])).collect();
    sweep(0.5, settings, vec![], vec![])
}

/// C-gap on the mean gap: per β rule the delta-method slope of log mean gap
/// on log n, checked ≤ −1/2 + z·se at level 1e-3/2 (z = 3.2905, table)
/// for β = 1 and β = √n only, and reported in the JSON rows. β = 1 has
/// slope −1/2 (passes), β = √n slope 0 (fails), β = n is resolved but not
/// checked. Kills 545 (empty results; `/` → `%`, `*`: the level), 551
/// (`>` → `==`, `<`; `2.0 * p.2` → `+`, `/`), 557 (`!=` → `==`, `&&` →
/// `||`), 560 (deleted minus) and 563 (`z * se` → `+`, `/`).
#[test]
fn cgap_checks_test_the_slope_of_the_mean_gap() {
    let sw = three_rules([
        &pair(0.25, 1.0 / 64.0),
        &pair(0.125, 1.0 / 128.0),
        &pair(0.25, 1.0 / 64.0),
        &pair(0.25, 1.0 / 64.0),
        &pair(0.5, 1.0 / 64.0),
        &pair(0.5, 1.0 / 64.0),
    ]);
    let (checks, rows) = cgap_checks(&sw, |d| d.gap);
    let (s1, se1) = two_point_slope([(0.25, 1.0 / 64.0), (0.125, 1.0 / 128.0)]);
    let (s2, se2) = two_point_slope([(0.25, 1.0 / 64.0), (0.25, 1.0 / 64.0)]);
    let (s3, se3) = two_point_slope([(0.5, 1.0 / 64.0), (0.5, 1.0 / 64.0)]);
    assert_eq!(checks.len(), 2);
    for (c, rule, slope, se, passes) in [(&checks[0], "1", s1, se1, true), (&checks[1], "sqrt_n", s2, se2, false)] {
        assert_eq!(c.name, format!("beta={rule}: slope of log mean gap on log n <= -1/2"));
        assert_eq!((c.kind, c.theoretical, c.false_failure_prob), (CheckKind::UpperBound, -0.5, 5e-4));
        assert!((c.empirical - slope).abs() <= SLOPE_ABS, "{} vs {slope}", c.empirical);
        assert_close!(c.stderr, se, ULPS);
        assert_close!(c.tolerance, Z_ONE_5E_4 * se, QUANTILE_REL);
        assert_eq!((c.passed, c.control), (passes, false));
    }
    assert_eq!(rows.len(), 3);
    for (row, rule, slope, se) in [(&rows[0], "1", s1, se1), (&rows[1], "sqrt_n", s2, se2), (&rows[2], "n", s3, se3)] {
        assert_eq!((row["beta_rule"].as_str(), row["resolved"].as_bool()), (Some(rule), Some(true)));
        assert!((row["slope"].as_f64().unwrap() - slope).abs() <= SLOPE_ABS);
        assert_close!(row["slope_stderr"].as_f64().unwrap(), se, ULPS);
    }
    let pts = rows[0]["mean_gap"].as_array().unwrap();
    assert_eq!(pts.len(), 2);
    assert_eq!(
        (pts[1]["n"].as_f64(), pts[1]["mean"].as_f64(), pts[1]["stderr"].as_f64()),
        (Some(256.0), Some(0.125), Some(1.0 / 128.0))
    );
}

/// A rule is resolved when its mean gap exceeds 2 stderr at every n
/// (strictly) and its slope and stderr are finite. β = 1 has mean 2 and
/// stderr 1 at n = 64 (gaps 1, 3: exactly at the edge, unresolved) and is
/// not checked, though its slope is finite; β = √n is resolved. Kills 551
/// (`>` → `>=`; either `&&` → `||`).
#[test]
fn cgap_checks_leave_a_rule_at_two_stderr_unresolved() {
    let sw = three_rules([
        &[1.0, 3.0],
        &pair(2.0, 0.5),
        &pair(0.25, 1.0 / 64.0),
        &pair(0.125, 1.0 / 128.0),
        &[1.0, 3.0],
        &pair(2.0, 0.5),
    ]);
    let (checks, rows) = cgap_checks(&sw, |d| d.gap);
    assert_eq!(checks.len(), 1);
    assert!(checks[0].name.starts_with("beta=sqrt_n:") && checks[0].passed);
    assert_eq!(rows[0]["resolved"], false);
    assert_eq!(
        (rows[0]["slope"].clone(), rows[0]["slope_stderr"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(rows[0]["mean_gap"][0]["stderr"], 1.0);
    assert_eq!(rows[1]["resolved"], true);
    // Gaps a, b are resolved iff (a + b)/2 > b − a, i.e. 3a > b: just above
    // the edge it is resolved.
    let sw = three_rules([&[1.0 + 1e-12, 3.0], &pair(2.0, 0.5), &[], &[], &[], &[]]);
    let (_, rows) = cgap_checks(&sw, |d| d.gap);
    assert_eq!(rows[0]["resolved"], true);
}

/// A rule with no sample size in the sweep has no slope: unresolved, with
/// no check (before the fix, the empty fit gave slope 0 and stderr 0,
/// "resolved", and a failing check `0 ≤ −1/2` for β = √n; no caller passed
/// such a sweep). One sample size: no slope either.
#[test]
fn cgap_checks_leave_a_rule_without_two_sample_sizes_unresolved() {
    let sw = sweep(
        0.5,
        vec![
            setting(64, BetaRule::One, &pair(0.2, 0.01)),
            setting(256, BetaRule::One, &pair(0.1, 0.01)),
        ],
        vec![],
        vec![],
    );
    let (checks, rows) = cgap_checks(&sw, |d| d.gap);
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert!(checks[0].name.starts_with("beta=1:"));
    assert_eq!(
        (
            rows[0]["resolved"].clone(),
            rows[1]["resolved"].clone(),
            rows[2]["resolved"].clone()
        ),
        (Value::Bool(true), Value::Bool(false), Value::Bool(false))
    );
    let one = sweep(0.5, vec![setting(64, BetaRule::SqrtN, &pair(0.2, 0.01))], vec![], vec![]);
    let (checks, rows) = cgap_checks(&one, |d| d.gap);
    assert!(checks.is_empty() && rows[1]["resolved"] == false);
}

/// 11 data sets whose 0.9-quantile (type 7: h = 10 · 0.9 = 9, the 10th order
/// statistic exactly) is q, spread 9% below and 10% above.
fn eleven(q: f64) -> Vec<f64> {
    [1.1, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]
        .iter()
        .map(|f| f * q)
        .collect()
}

/// The quantile sweep: q = 0.25 → 0.125 for β = 1 (slope −1/2), 0.25 → 0.25
/// for β = √n (slope 0), 0.5 → 0.5 for β = n.
fn quantile_sweep() -> Sweep {
    let g: Vec<Vec<f64>> = [0.25, 0.125, 0.25, 0.25, 0.5, 0.5].iter().map(|&q| eleven(q)).collect();
    three_rules([&g[0], &g[1], &g[2], &g[3], &g[4], &g[5]])
}

/// The slope and its delta-method stderr for a rule, from the quantiles (q
/// exactly as set) and the bootstrap stderrs of `quantile_points` (the
/// measurement, not the verdict logic).
fn expected_quantile_slope(sw: &Sweep, rule: BetaRule, q: [f64; 2]) -> (f64, f64) {
    let pts = quantile_points(sw, rule, 5, |d| d.gap);
    assert_eq!((pts[0].1, pts[1].1), (q[0], q[1]));
    assert!(pts.iter().all(|p| p.2 > 0.0 && p.2.is_finite()));
    two_point_slope([(pts[0].1, pts[0].2), (pts[1].1, pts[1].2)])
}

/// C-gap on the 0.9-quantile, small size (no power lowering): per checked
/// rule the test slope ≤ −1/2 + z·se (z at 5e-4, table; false failure
/// 1 − Φ(z) = 5e-4) and the control on slope + 1 (the unnormalised gap),
/// rejected. β = 1 (slope −1/2) passes, β = √n (slope 0) fails, β = n is
/// reported only. JSON rows: slope, stderr, checked, tolerance, false
/// failure. Kills 605 (empty results; `/` → `%`, `*`: the level), 619
/// (`==` → `!=`, `||` → `&&`, deleted `!`), 625 (deleted minus) and 638
/// (`slope + 1.0` → `-`, `*`).
#[test]
fn cgap_quantile_checks_test_the_slope_of_the_quantile_with_a_control() {
    let sw = quantile_sweep();
    let (s1, se1) = expected_quantile_slope(&sw, BetaRule::One, [0.25, 0.125]);
    let (s2, se2) = expected_quantile_slope(&sw, BetaRule::SqrtN, [0.25, 0.25]);
    let (checks, rows) = cgap_quantile_checks(&sw, 5, false, |d| d.gap);
    assert_eq!(checks.len(), 4);
    for (i, rule, slope, se, passes) in [(0, "1", s1, se1, true), (2, "sqrt_n", s2, se2, false)] {
        assert!(Z_ONE_5E_4 * se < 0.5, "se = {se}: beta = sqrt n would pass");
        let (test, control) = (&checks[i], &checks[i + 1]);
        assert_eq!(test.name, format!("beta={rule}: slope of log q_{{1-delta}}(gap) on log n <= -1/2"));
        assert_eq!((test.kind, test.theoretical, test.control), (CheckKind::UpperBound, -0.5, false));
        assert!((test.empirical - slope).abs() <= SLOPE_ABS, "{} vs {slope}", test.empirical);
        assert_close!(test.stderr, se, ULPS);
        assert_close!(test.tolerance, Z_ONE_5E_4 * se, QUANTILE_REL);
        assert_close!(test.false_failure_prob, 5e-4, 1e-10);
        assert_eq!(test.passed, passes);
        assert_eq!(
            control.name,
            format!("control: beta={rule}: unnormalised gap n (L - L^) (sums, not means; slope +1/2) is rejected")
        );
        assert!((control.empirical - (slope + 1.0)).abs() <= SLOPE_ABS);
        assert_eq!(
            (control.theoretical, control.tolerance, control.stderr),
            (-0.5, test.tolerance, test.stderr)
        );
        assert!(control.control && control.passed);
    }
    assert_eq!(rows.len(), 3);
    for (row, rule, checked) in [(&rows[0], "1", true), (&rows[1], "sqrt_n", true), (&rows[2], "n", false)] {
        assert_eq!((row["beta_rule"].as_str(), row["checked"].as_bool()), (Some(rule), Some(checked)));
        assert_eq!(row["quantile"], 0.9);
    }
    assert!((rows[0]["slope"].as_f64().unwrap() - s1).abs() <= SLOPE_ABS);
    assert_close!(rows[0]["slope_stderr"].as_f64().unwrap(), se1, ULPS);
    assert_close!(rows[0]["tolerance"].as_f64().unwrap(), Z_ONE_5E_4 * se1, QUANTILE_REL);
    assert_close!(rows[0]["false_failure"].as_f64().unwrap(), 5e-4, 1e-10);
    assert_eq!(rows[0]["quantile_gap"][1]["quantile"], 0.125);
    assert!(rows[2]["slope"].as_f64().unwrap().abs() <= SLOPE_ABS);
    assert_eq!(Record::status_from_checks(&checks), Status::Violated);
}

/// At the full size the tolerance is min(z·se, 1/4 − z_{0.01}·se) and a
/// power control tests slope + (−1/4 + 1/2), the alternative slope −1/4,
/// rejected. Kills 643 (both `+` → `-`, `*`).
#[test]
fn cgap_quantile_checks_add_the_power_control_at_the_full_size() {
    let sw = quantile_sweep();
    let (s1, se1) = expected_quantile_slope(&sw, BetaRule::One, [0.25, 0.125]);
    let (checks, _) = cgap_quantile_checks(&sw, 5, true, |d| d.gap);
    assert_eq!(checks.len(), 6);
    let power = &checks[2];
    assert_eq!(power.name, "control (power): beta=1: gap x n^(1/4) (true slope -1/4) is rejected");
    assert!(
        (power.empirical - (s1 + 0.25)).abs() <= SLOPE_ABS,
        "{} vs {}",
        power.empirical,
        s1 + 0.25
    );
    // The power requirement is what sets the tolerance here (se = 0.049).
    let tol = 0.25 - Z_ONE_0_01 * se1;
    assert!(tol > 0.0 && tol < Z_ONE_5E_4 * se1, "se = {se1}");
    assert!((power.tolerance - tol).abs() <= 1e-13, "{} vs {tol}", power.tolerance);
    assert!(power.control && power.passed);
    assert!(checks[0].passed && checks[1].passed);
    assert!(checks[5].name.starts_with("control (power): beta=sqrt_n") && checks[5].passed);
}

/// A slope with an infinite stderr is unresolved and not checked: one data
/// set of β = 1 at n = 64 is 10³⁰⁰ (above the 0.9-quantile, which stays
/// 0.25), so the bootstrap variance overflows while the slope stays finite.
/// Kills 611 (`&&` → `||`).
#[test]
fn cgap_quantile_checks_skip_a_slope_with_infinite_stderr() {
    let mut sw = quantile_sweep();
    sw.settings[0].per_dataset[0].gap = 1e300;
    let pts = quantile_points(&sw, BetaRule::One, 5, |d| d.gap);
    assert_eq!(pts[0].1, 0.25);
    assert_eq!(pts[0].2, f64::INFINITY);
    let (checks, rows) = cgap_quantile_checks(&sw, 5, false, |d| d.gap);
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.name.contains("beta=sqrt_n")));
    assert_eq!((rows[0]["checked"].clone(), rows[0]["slope"].clone()), (false.into(), Value::Null));
}

/// Evidence kept nowhere (the records still list the files).
struct Discard;

impl Evidence for Discard {
    fn json(&self, _: &str, _: &Value) -> transport_langevin::Result<()> {
        Ok(())
    }
    fn figure(&self, _: &str, _: &Plot) -> transport_langevin::Result<()> {
        Ok(())
    }
}

/// A sweep on which Theorem 1 holds with the printed form wrong (E20): 11
/// data sets per setting with 0.9-quantiles 0.02 (n = 64) and 0.01
/// (n = 256), every gap below the bound, cv = 0; an exact test-set probe; a
/// scale probe between the printed and the corrected bound.
fn record_sweep() -> Sweep {
    let g64 = eleven(0.02);
    let g256 = eleven(0.01);
    let mut sw = three_rules([&g64, &g256, &g64, &g256, &g64, &g256]);
    sw.test_set_probes = vec![(1.0, 1.0, 0.01)];
    sw.scale_probe = vec![1e-3, 2e-3, 3e-3, 4e-3];
    sw
}

/// A context whose T1/C-gap sweep is `sw` (the run computes nothing).
fn context_with(sw: Sweep) -> Context {
    let ctx = Context::new(true, 5).with_evidence(Arc::new(Discard));
    let seeded = ctx.shared(SWEEP_KEY, || Ok(sw)).unwrap();
    assert_eq!(seeded.r_bar, 0.5);
    ctx
}

/// T1's record on a pre-computed sweep carries every field: status
/// printed-formula-wrong, parameters, theoretical, empirical, the 12 checks
/// of `t1_checks`, `t1_controls` and `scale_probe_checks`, the two evidence
/// files, the notes and both readings. Kills 492–505 (each deleted field of
/// the `Record`).
#[test]
fn t1_record_carries_every_field() {
    let ctx = context_with(record_sweep());
    let r = GapBound.run(&ctx).unwrap();
    assert_eq!(r.id, "T1");
    assert_eq!(r.status, Status::PrintedFormulaWrong);
    assert_eq!(r.parameters["r_bar"], 0.5);
    assert_eq!(r.theoretical["trivial_bound"], 0.5);
    assert_eq!(r.empirical["scale_probe"]["failure_fraction"], 1.0);
    assert_eq!(r.checks.len(), 6 + 1 + 1 + 2 + 2);
    let failed: Vec<&str> = r.checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
    assert_eq!(
        failed,
        ["E20 printed bound, loss/K (R_bar/K): failure fraction (CP lower bound) <= delta"]
    );
    assert_eq!(r.evidence, ["T1_sweep.json", "T1_gap_vs_n.svg"]);
    assert!(r.notes.contains("Gibbs posterior pi_inf"), "{}", r.notes);
    assert_eq!(r.readings.len(), 2);
    assert_eq!(r.readings[0].status, Status::PrintedFormulaWrong);
}

/// C-gap's record on the same sweep (small size: no power control): status
/// holds from its 4 checks, parameters, theoretical, empirical, notes.
/// Kills 527–534 except 533 (evidence: the record's `vec![]` is what the
/// deleted field falls back to).
#[test]
fn cgap_record_carries_every_field() {
    let ctx = context_with(record_sweep());
    let r = GapRate.run(&ctx).unwrap();
    assert_eq!(r.id, "C-gap");
    assert_eq!(r.status, Status::Holds);
    assert_eq!(r.parameters["r_bar"], 0.5);
    assert_eq!(r.theoretical["slope_at_most"], -0.5);
    assert_eq!(r.empirical["quantile_slopes"].as_array().map(Vec::len), Some(3));
    assert_eq!(r.checks.len(), 4);
    assert!(r.checks.iter().all(|c| c.passed));
    assert!(r.notes.starts_with("Theorem 1 bounds the (1 - delta) quantile"), "{}", r.notes);
}
