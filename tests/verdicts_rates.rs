//! The verdict logic of T2R/C-fast (`t2r_rate`), T3 (`t3_classification`,
//! `t3_network`) and Z (`z_models`) on synthetic measurements: hand-built
//! sweeps and differences, no chain is run. Each threshold is probed just
//! inside and just outside, and every tolerance, bound and fitted constant
//! that feeds a check is compared with the value worked out here from the
//! formula of the doc comment (quantiles from statrs, checked against their
//! tabulated values). Deterministic: no false failures. Written for the
//! mutation campaign of issue 20; line numbers in the doc comments are those
//! of `cargo mutants --list` on the functions named.
//!
//! Floating-point comparisons use `assert_ulps_eq!` with at most 4 ulps:
//! the expected values are computed by the same short chain of correctly
//! rounded operations (or a reordering of it, e.g. 2/(2γ+1) for
//! 2α̃/(1−α̃)), so they agree to a few roundings, while every mutant moves
//! them by far more (at least 1e-3 relative).

use approx::assert_ulps_eq;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};
use transport_langevin::experiments::net_rates::{BetaRule, NetSweep, NetSweeps};
use transport_langevin::experiments::t2r_rate::{
    fast_rate_fixed_beta_control, net_slope_check, network_checks, slope_bound_check, small_ball_checks, small_ball_exponents,
};
use transport_langevin::experiments::t3_classification::{decay_check, linearity_check, BetaSweep};
use transport_langevin::experiments::t3_network::{net_control_check, net_decay_check, NetT3Sweep};
use transport_langevin::experiments::z_models::{fd_verdict, law_verdict, LAW_RATIO};
use transport_langevin::problems::settings::GAMMAS;
use transport_langevin::record::{Check, CheckKind, Record, Status};
use transport_langevin::statements::cf;
use transport_langevin::tolerance::{EXACT_REL, FD_REL, SMALL_BALL_EXPONENT_REL};

/// Relative step that puts a measurement just inside or just outside a
/// threshold (far above the rounding of the threshold, far below any
/// mutant's change of it).
const NUDGE: f64 = 1e-9;

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs()
}

/// Upper standard-normal quantile: P(Z > z) = p.
fn z_upper(p: f64) -> f64 {
    Normal::new(0.0, 1.0).unwrap().inverse_cdf(1.0 - p)
}

/// Upper Student-t quantile with `dof` degrees of freedom: P(T > t) = p.
fn t_upper(p: f64, dof: f64) -> f64 {
    StudentsT::new(0.0, 1.0, dof).unwrap().inverse_cdf(1.0 - p)
}

/// The fields every check states besides `passed`.
fn assert_fields(c: &Check, kind: CheckKind, theoretical: f64, empirical: f64, stderr: f64, false_failure_prob: f64) {
    assert_eq!(c.kind, kind, "{}", c.name);
    assert_eq!(c.theoretical, theoretical, "{}: theoretical", c.name);
    assert_eq!(c.empirical, empirical, "{}: empirical", c.name);
    assert_eq!(c.stderr, stderr, "{}: stderr", c.name);
    assert_eq!(c.false_failure_prob, false_failure_prob, "{}: false_failure_prob", c.name);
}

/// A network sweep with the given fitted sample sizes (one extra n that did
/// not mix is listed but dropped), slope, standard error and θ.
fn net_sweep(fitted_ns: &[usize], slope: f64, slope_stderr: f64, theta: f64) -> NetSweep {
    let mut ns = fitted_ns.to_vec();
    ns.push(4096);
    let k = ns.len();
    let mut mixed = vec![true; k];
    mixed[k - 1] = false;
    NetSweep {
        beta_rule: BetaRule::N,
        ns,
        excess_risks: vec![0.1; k],
        stderrs: vec![0.01; k],
        rhat_max: vec![1.0; k],
        ess_min: vec![1000.0; k],
        mixed,
        fitted_ns: fitted_ns.to_vec(),
        slope,
        slope_stderr,
        theta,
    }
}

/// Six fitted n over 1.5 decades (64 to 2048): a usable fit.
const SIX_NS: [usize; 6] = [64, 128, 256, 512, 1024, 2048];

/// A β sweep whose weighted fit has the given slope, standard error, χ²
/// and number of fitted points (the per-β values do not enter the checks).
fn beta_sweep(slope: f64, slope_stderr: f64, chi2: f64, fitted_points: usize) -> BetaSweep {
    BetaSweep {
        betas: (0..fitted_points).map(|i| 20.0 + 10.0 * i as f64).collect(),
        probs: vec![0.1; fitted_points],
        stderrs: vec![0.01; fitted_points],
        slope,
        slope_stderr,
        intercept: -1.0,
        chi2,
        fitted_points,
    }
}

/// The quantiles this file computes with statrs against their tabulated
/// values (t_4 at 0.95, z at 0.999 and 0.995, χ²_4 at 0.95), so that the
/// expected values below do not rest on statrs alone.
#[test]
fn student_t_and_normal_quantiles_match_their_tables() {
    assert!(rel_close(t_upper(0.05, 4.0), 2.131_846_786_326_649, 1e-9));
    assert!(rel_close(z_upper(1e-3), 3.090_232_306_167_813, 1e-9));
    assert!(rel_close(z_upper(0.005), 2.575_829_303_548_901, 1e-9));
    assert!(rel_close(
        ChiSquared::new(4.0).unwrap().inverse_cdf(0.95),
        9.487_729_036_781_154,
        1e-9
    ));
}

/// `slope_bound_check`: slope ≤ bound + t_{points−2}(α)·se, with t the
/// one-sided Student-t quantile (t_4(0.05) = 2.1318 at 6 points): the
/// tolerance and the pass/fail either side of the threshold. Kills
/// t2r_rate.rs:181 (`*` → `+`, `/` in t·se; `points − 2` → `+`, `/`: 8 and
/// 3 degrees of freedom instead of 4).
#[test]
fn slope_bound_check_allows_the_one_sided_student_t_multiple_of_the_stderr() {
    let (bound, se, alpha) = (-0.75, 0.1, 0.05);
    let tol = t_upper(alpha, 4.0) * se;
    let c = slope_bound_check("slope <= -theta", -0.9, se, bound, 6, alpha);
    assert_eq!(c.name, "slope <= -theta");
    assert_fields(&c, CheckKind::UpperBound, bound, -0.9, se, alpha);
    assert_ulps_eq!(c.tolerance, tol, max_ulps = 4);
    assert!(!c.control);
    assert!(c.passed);
    let inside = bound + tol * (1.0 - NUDGE);
    let outside = bound + tol * (1.0 + NUDGE);
    assert!(slope_bound_check("in", inside, se, bound, 6, alpha).passed);
    assert!(!slope_bound_check("out", outside, se, bound, 6, alpha).passed);
}

/// `small_ball_checks`: per γ of `GAMMAS`, the ε exponent against −k and the
/// βλ exponent against the corrected −k/2, k = 2α̃/(1−α̃) = 2/(2γ+1)
/// (α̃ = 1/(2(γ+1))), with relative tolerance `SMALL_BALL_EXPONENT_REL`;
/// then the identity −log P(ε, βλ = 10) = −log P(ε√10, 1) at ε = 1e-4 within
/// 1e3·`EXACT_REL` relative; and the JSON rows. Kills t2r_rate.rs:206
/// (empty result), :210 (every operator of k), :214 and :222 (deleted
/// minus), :217, :222, :225 (tolerances and −k/2), :235 (ε√10), :241
/// (1e3·EXACT_REL·rhs).
#[test]
fn small_ball_checks_compare_the_exponents_with_the_corrected_form_and_the_identity() {
    let (checks, rows) = small_ball_checks().unwrap();
    let exps = small_ball_exponents().unwrap();
    assert_eq!(checks.len(), 2 * GAMMAS.len() + 1);
    assert_eq!(exps.len(), GAMMAS.len());
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), GAMMAS.len());
    for (i, &(g, e_eps, e_bl)) in exps.iter().enumerate() {
        assert_eq!(g, GAMMAS[i]);
        let k = 2.0 / (2.0 * g + 1.0);
        let eps = &checks[2 * i];
        assert_eq!(eps.name, format!("eps exponent, gamma={g}"));
        assert_eq!(eps.kind, CheckKind::Equal);
        assert_ulps_eq!(eps.theoretical, -k, max_ulps = 4);
        assert_eq!(eps.empirical, e_eps);
        assert_ulps_eq!(eps.tolerance, SMALL_BALL_EXPONENT_REL * k, max_ulps = 4);
        assert_eq!((eps.stderr, eps.false_failure_prob), (0.0, 0.0));
        assert!(eps.passed, "{}: {e_eps} vs {}", eps.name, -k);
        let bl = &checks[2 * i + 1];
        assert_eq!(bl.name, format!("beta*lambda exponent (corrected E40), gamma={g}"));
        assert_eq!(bl.kind, CheckKind::Equal);
        assert_ulps_eq!(bl.theoretical, -0.5 * k, max_ulps = 4);
        assert_eq!(bl.empirical, e_bl);
        assert_ulps_eq!(bl.tolerance, 0.5 * SMALL_BALL_EXPONENT_REL * k, max_ulps = 4);
        assert_eq!((bl.stderr, bl.false_failure_prob), (0.0, 0.0));
        assert!(bl.passed, "{}: {e_bl} vs {}", bl.name, -k / 2.0);
        let r = &rows[i];
        assert_eq!(r["gamma"].as_f64(), Some(g));
        assert_eq!(r["eps_exponent"].as_f64(), Some(e_eps));
        assert_eq!(r["beta_lambda_exponent"].as_f64(), Some(e_bl));
        assert_ulps_eq!(r["printed_eps_exponent"].as_f64().unwrap(), -k, max_ulps = 4);
        assert_ulps_eq!(r["printed_beta_lambda_exponent"].as_f64().unwrap(), 0.5 * k, max_ulps = 4);
        assert_ulps_eq!(r["corrected_beta_lambda_exponent"].as_f64().unwrap(), -0.5 * k, max_ulps = 4);
    }
    // The identity: −log P depends on (ε, βλ) only through ε²βλ.
    let lhs = cf::small_ball(&cf::Variances::prior(1.0, 2.0, 1.0, 10.0).unwrap(), 1e-4)
        .unwrap()
        .neg_log_prob;
    let rhs = cf::small_ball(&cf::Variances::prior(1.0, 2.0, 1.0, 1.0).unwrap(), 1e-4 * 10f64.sqrt())
        .unwrap()
        .neg_log_prob;
    // rhs is far from 1, so 1e-6·rhs, 1e-6/rhs and 1e-6 + rhs all differ.
    assert!(rhs > 10.0, "{rhs}");
    let id = &checks[2 * GAMMAS.len()];
    assert_eq!(id.name, "-log P(eps, bl=10) = -log P(eps*sqrt(10), 1)");
    assert_fields(id, CheckKind::Equal, rhs, lhs, 0.0, 0.0);
    assert_eq!(EXACT_REL, 1e-9);
    assert_ulps_eq!(id.tolerance, 1e-6 * rhs, max_ulps = 4);
    assert!(id.passed, "{lhs} vs {rhs}");
    assert!(checks.iter().all(|c| !c.control));
}

/// `net_slope_check`: on a usable fit (≥ 3 fitted n over ≥ 1.5 decades) it
/// is `slope_bound_check` with points = the number of *fitted* n (6, not
/// the 7 listed), pass/fail either side of bound + t_4·se; on an unusable
/// fit (2 points, or 3 points over 1.49 decades) a failed check with NaN
/// slope, stderr and tolerance. Kills t2r_rate.rs:263 (unviable: `Check`
/// has no `Default`; kept as the specification of the function).
#[test]
fn net_slope_check_uses_the_fitted_points_and_fails_on_an_unusable_fit() {
    let (bound, se, alpha) = (-0.75, 0.05, 1e-3 / 3.0);
    let tol = t_upper(alpha, 4.0) * se;
    let inside = net_sweep(&SIX_NS, bound + tol * (1.0 - NUDGE), se, 0.75);
    assert_eq!(inside.ns.len(), 7);
    let c = net_slope_check("net", &inside, bound, alpha);
    assert_fields(&c, CheckKind::UpperBound, bound, inside.slope, se, alpha);
    assert_ulps_eq!(c.tolerance, tol, max_ulps = 4);
    assert!(c.passed && !c.control);
    let outside = net_sweep(&SIX_NS, bound + tol * (1.0 + NUDGE), se, 0.75);
    assert!(!net_slope_check("net", &outside, bound, alpha).passed);
    for fitted in [&[64, 2048][..], &[100, 1000, 3100][..]] {
        let c = net_slope_check("net", &net_sweep(fitted, -2.0, 0.01, 0.75), bound, alpha);
        assert!(!c.passed, "{fitted:?}");
        assert!(c.empirical.is_nan() && c.stderr.is_nan() && c.tolerance.is_nan());
        assert_eq!((c.theoretical, c.false_failure_prob, c.kind), (bound, alpha, CheckKind::UpperBound));
    }
}

/// `network_checks`: two checks, the claim slope ≤ −θ on the printed
/// sweep and the control, the same test with the printed sweep's θ on the
/// fixed-β sweep, rejected when that sweep is flat and not rejected when it
/// falls as fast. Kills t2r_rate.rs:275 (`vec![]`; `vec![Default]` is
/// unviable).
#[test]
fn network_checks_claim_on_the_printed_sweep_and_control_on_the_fixed_beta_sweep() {
    let alpha = 1e-3 / 3.0;
    let se = 0.05;
    let tol = t_upper(alpha, 4.0) * se;
    let printed = net_sweep(&SIX_NS, -1.0, se, 0.75);
    // The control's own θ field is not used: the bound is −θ of the printed sweep.
    let flat = NetSweep {
        beta_rule: BetaRule::Fixed(32.0),
        ..net_sweep(&SIX_NS, 0.0, se, f64::NAN)
    };
    let net = NetSweeps {
        printed: printed.clone(),
        fixed_beta: flat,
    };
    let checks = network_checks(&net, alpha);
    assert_eq!(checks.len(), 2);
    let (claim, control) = (&checks[0], &checks[1]);
    assert_eq!(claim.name, "network: slope <= -theta (theta = 1 - at = 3/4)");
    assert_fields(claim, CheckKind::UpperBound, -0.75, -1.0, se, alpha);
    assert_ulps_eq!(claim.tolerance, tol, max_ulps = 4);
    assert!(claim.passed && !claim.control);
    assert_eq!(
        control.name,
        "control: network at fixed beta = 1/lambda = 32, slope <= -theta rejected"
    );
    assert_fields(control, CheckKind::UpperBound, -0.75, 0.0, se, alpha);
    assert_ulps_eq!(control.tolerance, tol, max_ulps = 4);
    assert!(control.control && control.passed);
    assert_eq!(Record::status_from_checks(&checks), Status::Holds);
    // Both just either side of the threshold −θ + t·se.
    let at = |slope: f64| net_sweep(&SIX_NS, slope, se, 0.75);
    let edge = -0.75 + tol;
    let (below, above) = (edge - NUDGE * edge.abs(), edge + NUDGE * edge.abs());
    let checks = network_checks(
        &NetSweeps {
            printed: at(below),
            fixed_beta: at(below),
        },
        alpha,
    );
    assert!(checks[0].passed && !checks[1].passed);
    assert_eq!(Record::status_from_checks(&checks), Status::Inconclusive);
    let checks = network_checks(
        &NetSweeps {
            printed: at(above),
            fixed_beta: at(above),
        },
        alpha,
    );
    assert!(!checks[0].passed && checks[1].passed);
    assert_eq!(Record::status_from_checks(&checks), Status::Violated);
}

/// The control of `network_checks` on a fixed-β sweep whose fit is not
/// usable (2 fitted n) is not rejected, so T2R cannot hold on a control
/// that measured nothing (as `net_control_check` does for T3). Found by
/// this file: before the fix the failed test was negated by
/// `Check::control_of` and counted as a rejection.
#[test]
fn network_control_on_an_unusable_fixed_beta_fit_is_not_rejected() {
    let net = NetSweeps {
        printed: net_sweep(&SIX_NS, -1.0, 0.05, 0.75),
        fixed_beta: net_sweep(&[64, 2048], 0.0, 0.05, 0.75),
    };
    let checks = network_checks(&net, 1e-3);
    assert!(checks[1].control && !checks[1].passed);
    assert_eq!(Record::status_from_checks(&checks), Status::Inconclusive);
}

/// C-fast's control on the fixed-β network: the strict test slope +
/// t·se < −1/2 (one-sided t on the fitted points minus 2); rejected when
/// the fit is usable and the test fails, not rejected when the fixed-β
/// sweep is strictly faster or its fit is unusable. Probed either side of
/// the threshold.
#[test]
fn fast_rate_fixed_beta_control_is_the_strict_test() {
    let (alpha, se) = (1e-3 / 3.0, 0.05);
    let t = t_upper(alpha, 4.0);
    let c = fast_rate_fixed_beta_control(&net_sweep(&SIX_NS, 0.05, se, 0.75), alpha);
    assert_eq!(c.name, "control: network at fixed beta = 32 faster than 1/sqrt(n) rejected");
    assert_fields(&c, CheckKind::UpperBound, -0.5, 0.05, se, alpha);
    assert_ulps_eq!(c.tolerance, t * se, max_ulps = 4);
    assert!(c.control && c.passed, "a flat fixed-beta sweep is not faster: rejected");
    let edge = -0.5 - t * se;
    let at = |slope: f64| fast_rate_fixed_beta_control(&net_sweep(&SIX_NS, slope, se, 0.75), alpha);
    assert!(at(edge + NUDGE * edge.abs()).passed, "just not strictly faster: rejected");
    assert!(!at(edge - NUDGE * edge.abs()).passed, "strictly faster: not rejected");
    // An exact tie slope + t·se = −1/2 (the first se = 2^{−k} for which the
    // rounding makes it exact): not strictly faster, so rejected.
    let (tie, se_tie) = (1..40)
        .map(|k| 0.5f64.powi(k))
        .map(|se| (-0.5 - t * se, se))
        .find(|&(tie, se)| tie + t * se == -0.5)
        .expect("an exact tie");
    assert!(fast_rate_fixed_beta_control(&net_sweep(&SIX_NS, tie, se_tie, 0.75), alpha).passed);
    let unusable = fast_rate_fixed_beta_control(&net_sweep(&[64, 2048], 0.05, se, 0.75), alpha);
    assert!(unusable.control && !unusable.passed, "no usable fit: not rejected");
}

/// `decay_check`: passes iff slope + z_α·se < 0 (strict), z_α the one-sided
/// normal quantile (3.0902 at α = 1e-3), tolerance z_α·se; probed just
/// inside, just outside (a negative slope that `Check::upper_bound`'s own
/// slope ≤ 0 would pass), exactly at the tie (slope = −z_α·se gives a sum of
/// exactly 0, which fails) and at a positive slope. Kills
/// t3_classification.rs:295 (`<` → `==`, `>`, `<=`; `+` → `-`, `*`; `*` →
/// `+`, `/`) and :296 (`*` → `+`, `/`); :293 (`Default`) is unviable.
#[test]
fn decay_check_is_a_strict_one_sided_z_test_on_the_slope() {
    let (alpha, se) = (1e-3, 0.1);
    let z = z_upper(alpha);
    let edge = -(z * se);
    let (below, above) = (edge - NUDGE * edge.abs(), edge + NUDGE * edge.abs());
    assert!(above < 0.0);
    let check = |slope: f64| decay_check("decay", &beta_sweep(slope, se, 4.0, 6), alpha);
    let c = check(below);
    assert_eq!(c.name, "decay");
    assert_fields(&c, CheckKind::UpperBound, 0.0, below, se, alpha);
    assert_ulps_eq!(c.tolerance, z * se, max_ulps = 4);
    assert!(c.passed && !c.control);
    assert!(!check(above).passed);
    assert_eq!(edge + z * se, 0.0);
    assert!(!check(edge).passed, "the test is strict: slope + z se = 0 fails");
    assert!(!check(0.01).passed);
    assert!(check(-1.0).passed);
}

/// `linearity_check`: χ² against the upper χ²_{k−2} quantile at α (k fitted
/// points; 9.4877 for k = 6, α = 0.05), no tolerance, pass/fail either side.
/// Kills t3_classification.rs:306 (`k − 2` → `+`, `/`: 8 and 3 degrees of
/// freedom instead of 4) and :307 (`2α` → `2 + α`, `2/α`); :306:5
/// (`Default`) is unviable.
#[test]
fn linearity_check_bounds_the_chi2_by_its_upper_quantile() {
    let alpha = 0.05;
    let hi = ChiSquared::new(4.0).unwrap().inverse_cdf(1.0 - alpha);
    let c = linearity_check("pCN", &beta_sweep(-0.1, 0.01, 3.0, 6), alpha);
    assert_eq!(c.name, "pCN");
    assert_fields(&c, CheckKind::UpperBound, c.theoretical, 3.0, 0.0, alpha);
    assert_ulps_eq!(c.theoretical, hi, max_ulps = 4);
    assert_eq!(c.tolerance, 0.0);
    assert!(c.passed && !c.control);
    assert!(linearity_check("in", &beta_sweep(-0.1, 0.01, hi * (1.0 - NUDGE), 6), alpha).passed);
    assert!(!linearity_check("out", &beta_sweep(-0.1, 0.01, hi * (1.0 + NUDGE), 6), alpha).passed);
}

/// `net_decay_check` and `net_control_check`: with a fit, the decay check of
/// the fit (z_α·se tolerance, strict threshold); without one, a failed check
/// with NaN slope, and a control that is *not* rejected; with a fit, the
/// control is rejected iff the decay check fails. Kills t3_network.rs:480
/// and :489 (both `Default`, unviable; kept as the specification).
#[test]
fn net_decay_and_control_checks_follow_the_fit_and_fail_without_one() {
    let (alpha, se) = (1e-3, 0.2);
    let z = z_upper(alpha);
    let sweep = |fit: Option<BetaSweep>| NetT3Sweep {
        betas: vec![20.0, 40.0, 60.0, 80.0],
        betas_used: vec![20.0, 40.0, 60.0, 80.0],
        data_sets: 4,
        probs: vec![0.3, 0.1, 0.03, 0.01],
        stderrs: vec![0.01; 4],
        rhat_max: vec![1.0; 4],
        ess_min: vec![1000.0; 4],
        mixed: vec![true; 4],
        fit,
    };
    // Slopes just below and just above the threshold −z·se.
    let falls = sweep(Some(beta_sweep(-(z * se) * (1.0 + NUDGE), se, 2.0, 4)));
    let flat = sweep(Some(beta_sweep(-(z * se) * (1.0 - NUDGE), se, 2.0, 4)));
    let none = sweep(None);
    let d = net_decay_check("decay", &falls, alpha);
    assert_fields(&d, CheckKind::UpperBound, 0.0, falls.slope(), se, alpha);
    assert_ulps_eq!(d.tolerance, z * se, max_ulps = 4);
    assert!(d.passed && !d.control);
    assert!(!net_decay_check("decay", &flat, alpha).passed);
    let d = net_decay_check("decay", &none, alpha);
    assert!(!d.passed && d.empirical.is_nan() && d.stderr.is_nan());
    assert_eq!((d.theoretical, d.tolerance, d.false_failure_prob), (0.0, 0.0, alpha));

    let c = net_control_check("control: fixed beta", &flat, alpha);
    assert_eq!(c.name, "control: fixed beta");
    assert!(c.control && c.passed);
    assert_ulps_eq!(c.tolerance, z * se, max_ulps = 4);
    assert!(!net_control_check("control", &falls, alpha).passed);
    let c = net_control_check("control", &none, alpha);
    assert!(c.control && !c.passed);
    assert_eq!(
        Record::status_from_checks(&[net_decay_check("d", &falls, alpha), net_control_check("c", &none, alpha)]),
        Status::Inconclusive
    );
}

/// `fd_verdict`: the gradient's relative error ≤ `FD_REL` (inclusive, no
/// tolerance), and the control "without the weight 1/P" rejected when its
/// error exceeds `FD_REL`; either side of the threshold, with the status.
/// Kills z_models.rs:210 (`vec![]`; `vec![Default]` is unviable).
#[test]
fn fd_verdict_bounds_the_relative_error_and_controls_the_missing_weight() {
    let checks = fd_verdict(1e-8, 0.9, "P");
    assert_eq!(checks.len(), 2);
    let (claim, control) = (&checks[0], &checks[1]);
    assert_eq!(claim.name, "coefficient gradient vs central FD, rel. error");
    assert_fields(claim, CheckKind::UpperBound, FD_REL, 1e-8, 0.0, 0.0);
    assert_eq!(claim.tolerance, 0.0);
    assert!(claim.passed && !claim.control);
    assert_eq!(control.name, "gradient without the weight 1/P of L2(rho0) (control)");
    assert_fields(control, CheckKind::UpperBound, FD_REL, 0.9, 0.0, 0.0);
    assert!(control.passed && control.control);
    assert_eq!(Record::status_from_checks(&checks), Status::Holds);
    let just_out = FD_REL * (1.0 + NUDGE);
    let c = fd_verdict(FD_REL, FD_REL, "n");
    assert!(c[0].passed && !c[1].passed);
    assert_eq!(c[1].name, "gradient without the weight 1/n of L2(rho0) (control)");
    assert_eq!(Record::status_from_checks(&c), Status::Inconclusive);
    let c = fd_verdict(just_out, just_out, "P");
    assert!(!c[0].passed && c[1].passed);
    assert_eq!(Record::status_from_checks(&c), Status::Violated);
}

/// `law_verdict`: C = (|d₀| + z·se₀)/η₁^{1/2} with z the two-sided normal
/// quantile (2.5758 at α = 0.01), η₂ = η₁/4, and |d| ≤ z·se + C·η₂^{1/2} for
/// the check at η₂ (passes) and the β/2 control (rejected when it fails);
/// returned C and η₂, tolerances, and each threshold either side. Kills
/// z_models.rs:225 (the constant returns), :226 (every operator of C),
/// :227 (η₁/4 → η₁ % 4, 4η₁) and :228 (every operator of the allowance).
#[test]
fn law_verdict_fits_c_at_eta1_and_allows_z_se_plus_c_sqrt_eta2() {
    let alpha = 0.01;
    let z = Normal::new(0.0, 1.0).unwrap().inverse_cdf(1.0 - alpha / 2.0);
    let eta1 = 0.04;
    let (d0, se0, se1, se2) = (-0.3, 0.05, 0.02, 0.03);
    let c_eta = (0.3 + z * se0) / 0.2;
    let eta2 = 0.01;
    let allowed = |se: f64| z * se + c_eta * 0.1;
    assert_eq!(LAW_RATIO, 4.0);

    let d = [(d0, se0), (0.01, se1), (1.0, se2)];
    let (checks, c, e2) = law_verdict(&d, eta1, alpha);
    assert_ulps_eq!(c, c_eta, max_ulps = 4);
    assert_ulps_eq!(e2, eta2, max_ulps = 4);
    assert_eq!(checks.len(), 2);
    let (claim, control) = (&checks[0], &checks[1]);
    assert_eq!(claim.name, "E ||W||^2: scheme at eta/4 vs pCN-MH, within z*se + C eta^(1/2)");
    assert_fields(claim, CheckKind::Equal, 0.0, 0.01, se1, alpha);
    assert_ulps_eq!(claim.tolerance, allowed(se1), max_ulps = 4);
    assert!(claim.passed && !claim.control);
    assert_eq!(control.name, "scheme at beta/2, noise sqrt(2) too large (control)");
    assert_fields(control, CheckKind::Equal, 0.0, 1.0, se2, alpha);
    assert_ulps_eq!(control.tolerance, allowed(se2), max_ulps = 4);
    assert!(control.passed && control.control);
    assert_eq!(Record::status_from_checks(&checks), Status::Holds);

    // Just inside (both signs for the claim): the claim passes, the control is not rejected.
    for sign in [1.0, -1.0] {
        let d = [
            (d0, se0),
            (sign * allowed(se1) * (1.0 - NUDGE), se1),
            (sign * allowed(se2) * (1.0 - NUDGE), se2),
        ];
        let (checks, _, _) = law_verdict(&d, eta1, alpha);
        assert!(checks[0].passed && !checks[1].passed, "sign {sign}");
        assert_eq!(Record::status_from_checks(&checks), Status::Inconclusive);
    }
    // Just outside: the claim fails, the control is rejected.
    for sign in [1.0, -1.0] {
        let d = [
            (d0, se0),
            (sign * allowed(se1) * (1.0 + NUDGE), se1),
            (sign * allowed(se2) * (1.0 + NUDGE), se2),
        ];
        let (checks, _, _) = law_verdict(&d, eta1, alpha);
        assert!(!checks[0].passed && checks[1].passed, "sign {sign}");
        assert_eq!(Record::status_from_checks(&checks), Status::Violated);
    }
}
