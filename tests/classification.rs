//! T3 / A3 tests: the probability of an imperfect classifier falls with β
//! under π_∞ (pCN-MH), with a negative control at a frozen temperature.
//!
//! The decay check is one-sided at `FALSE_FAILURE` on the weighted
//! least-squares slope of log p against β (per-point errors: pooled
//! batch means, delta method). Fixed seeds.

use transport_langevin::experiments::t3_classification::{betas, decay_check, delta_of_teacher, pcn_scale, problem, sweep, Sampler};
use transport_langevin::tolerance::FALSE_FAILURE;

const SEED: u64 = 5;

/// A3 holds for the construction: δ > 0 (and matches its closed form at the gap edge, in the experiment).
#[test]
fn teacher_has_positive_delta() {
    let d = delta_of_teacher();
    // δ = log 2 − H(s(6√2 cos(0.4π))) (binary entropy H, logistic s).
    let u: f64 = 6.0 * std::f64::consts::SQRT_2 * (0.4 * std::f64::consts::PI).cos();
    let p = 1.0 / (1.0 + (-u).exp());
    let closed = std::f64::consts::LN_2 + p * p.ln() + (1.0 - p) * (1.0 - p).ln();
    assert!((d - closed).abs() < 1e-6 && d > 0.0, "delta = {d}, closed form {closed}");
}

/// log p(β) falls with β under π_∞.
#[test]
fn error_probability_decays_in_beta() {
    let p = problem(SEED).unwrap();
    let s = sweep(&p, &betas(true), |b| (Sampler::Pcn(pcn_scale(b)), b), 4, 10_000, SEED).unwrap();
    let c = decay_check("decay", &s, FALSE_FAILURE);
    assert!(c.passed, "slope {} ± {}", s.slope, s.slope_stderr);
}

/// Negative control: sampling every point at the same temperature (β = 40,
/// the wrong temperature for all but the first point) gives no decay, and
/// the same check rejects it.
#[test]
fn frozen_temperature_rejected() {
    let p = problem(SEED).unwrap();
    let s = sweep(&p, &betas(true), |_| (Sampler::Pcn(pcn_scale(40.0)), 40.0), 4, 10_000, SEED).unwrap();
    let c = decay_check("decay", &s, FALSE_FAILURE);
    assert!(!c.passed, "slope {} ± {}", s.slope, s.slope_stderr);
}

/// Negative control for the linearity evidence: a quadratic temperature
/// schedule (β_used = 20 + (β − 20)²/60, so log p is curved in the
/// labelled β) is rejected by the χ² of the straight line, while the
/// correct schedule is accepted at these (quick) chain lengths.
#[test]
fn curved_schedule_rejected() {
    use transport_langevin::experiments::t3_classification::linearity_check;
    let p = problem(SEED).unwrap();
    let s = sweep(&p, &betas(true), |b| (Sampler::Pcn(pcn_scale(b)), b), 4, 10_000, SEED).unwrap();
    assert!(linearity_check("linear", &s, FALSE_FAILURE).passed, "chi2 {}", s.chi2);
    let used = |b: f64| 20.0 + (b - 20.0) * (b - 20.0) / 60.0;
    let s = sweep(&p, &betas(true), |b| (Sampler::Pcn(pcn_scale(used(b))), used(b)), 4, 10_000, SEED).unwrap();
    let c = linearity_check("linear", &s, FALSE_FAILURE);
    assert!(!c.passed, "chi2 {} <= {}", s.chi2, c.theoretical);
}
