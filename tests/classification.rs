//! T3 / A3 tests: the probability of an imperfect classifier falls with β
//! under π_∞ (pCN-MH), with a negative control at a frozen temperature.
//!
//! The decay check is one-sided at `FALSE_FAILURE` on the weighted
//! least-squares slope of log p against β (per-point errors: pooled
//! batch means, delta method). Fixed seeds, so a run is reproducible; the
//! stated probabilities are what a fresh seed would risk, and
//! `calibration_over_100_seeds` (ignored) checks them.

mod common;
use common::{audit, Case};

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use transport_langevin::dynamics::Silent;
use transport_langevin::experiments::t3_classification::{
    betas, decay_check, delta_of_teacher, pcn_scale, problem, sweep, BetaSweep, Sampler,
};
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

/// The quick pCN-MH sweep at `seed` with the inverse temperature
/// `used(β)` at the point labelled β (β itself, except in the controls);
/// the problem's data are drawn from `seed` too. An error (fewer than 3
/// points with an imperfect draw) is kept as its message.
fn pcn_sweep(seed: u64, used: impl Fn(f64) -> f64) -> Result<BetaSweep, String> {
    let p = problem(seed).map_err(|e| e.to_string())?;
    sweep(
        &p,
        &betas(true),
        |b| (Sampler::Pcn(pcn_scale(used(b))), used(b)),
        4,
        10_000,
        seed,
        &Silent,
    )
    .map_err(|e| e.to_string())
}

/// The sweep at the right temperatures, computed once per seed for the
/// decay test (and the audit).
fn correct_sweep(seed: u64) -> Result<BetaSweep, String> {
    static S: OnceLock<Mutex<HashMap<u64, Result<BetaSweep, String>>>> = OnceLock::new();
    let mut map = S.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(seed).or_insert_with(|| pcn_sweep(seed, |b| b)).clone()
}

/// log p(β) falls with β under π_∞: one-sided z test on the slope, false
/// failure ≤ 1e-3 (attained at slope 0; the true slope is negative).
/// Negative control: `frozen_temperature_rejected` (every point at β = 40).
#[test]
fn error_probability_decays_in_beta() {
    let s = correct_sweep(SEED).unwrap();
    let c = decay_check("decay", &s, FALSE_FAILURE);
    assert!(c.passed, "slope {} ± {}", s.slope, s.slope_stderr);
}

/// Negative control: sampling every point at the same temperature (β = 40,
/// the wrong temperature for all but the first point) gives no decay, and
/// the same check rejects it, claimed with probability ≥ 0.99.
#[test]
fn frozen_temperature_rejected() {
    let s = frozen_sweep(SEED).unwrap();
    let c = decay_check("decay", &s, FALSE_FAILURE);
    assert!(!c.passed, "slope {} ± {}", s.slope, s.slope_stderr);
}

fn frozen_sweep(seed: u64) -> Result<BetaSweep, String> {
    pcn_sweep(seed, |_| 40.0)
}

// No linearity test: log p(β) linear in β is not a statement of the paper
// (T3 bounds p(β) by exp(−cβ); it does not claim a straight line), and a χ²
// test of linearity was miscalibrated at these quick chain lengths (mean χ²
// 9.2 over 26 seeds against 4 for χ²_4; 3 false failures in 22 seeds). The
// T3 record reports the χ² as evidence only.

/// The calibration audit (issue 8): the statistical tests of this file and
/// their negative controls rerun over 100 fresh seeds (`common::audit`: a
/// test may not fail improbably often for its stated false-failure
/// probability, a control may not pass improbably often for a power of
/// 0.99; an error of the sweep counts as a failure). The sweep at seed s
/// uses seeds s + i at its i-th β, so the audit spaces its seeds by the
/// number of β values (no two runs share a stream). Run it with
///
/// ```sh
/// cargo test --release --test classification -- --ignored calibration --nocapture
/// ```
///
/// (about 8 minutes for 100 seeds on 2 cores).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    let spaced = betas(true).len() as u64;
    let decays = |s: &Result<BetaSweep, String>| s.as_ref().is_ok_and(|s| decay_check("decay", s, FALSE_FAILURE).passed);
    audit(
        "classification: decay of the error probability in beta (pCN-MH)",
        &[
            Case {
                name: "log p(beta) decays (slope < 0)",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| decays(&correct_sweep(spaced * s)),
            },
            Case {
                name: "control: frozen temperature beta = 40",
                false_failure: None,
                passes: &|s| frozen_sweep(spaced * s).is_ok_and(|f| !decay_check("decay", &f, FALSE_FAILURE).passed),
            },
        ],
    );
}

/// T3 on the network (`experiments::t3_network`) at the quick size over
/// fresh seeds: how often the decay check passes and how often its
/// fixed-β control is rejected, at the record's α (8 checks share
/// `FALSE_FAILURE`). Run it with
///
/// ```sh
/// T3NET_SEEDS=12 cargo test --release --test classification -- --ignored network_power --nocapture
/// ```
#[test]
#[ignore = "seed audit of the network sweep (about 9 CPU-s per seed)"]
fn network_power_over_seeds() {
    use transport_langevin::experiments::t3_network::{net_control_check, net_decay_check, run};
    let seeds: u64 = std::env::var("T3NET_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let alpha = FALSE_FAILURE / 8.0;
    let (mut decays, mut rejected) = (0, 0);
    for seed in 1..=seeds {
        let t0 = std::time::Instant::now();
        let r = run(true, 1_000 + seed, &Silent).unwrap();
        let d = net_decay_check("decay", &r.printed, alpha);
        let c = net_control_check("control", &r.control, alpha);
        decays += d.passed as usize;
        rejected += c.passed as usize;
        println!(
            "seed {}: slope {:.4} ± {:.4} (decay {}), control {:.5} ± {:.5} (rejected {}), dropped {:?} / {:?}, {:.1} s",
            1_000 + seed,
            r.printed.slope(),
            r.printed.slope_stderr(),
            d.passed,
            r.control.slope(),
            r.control.slope_stderr(),
            c.passed,
            r.printed.dropped(),
            r.control.dropped(),
            t0.elapsed().as_secs_f64()
        );
    }
    println!("decay passed {decays}/{seeds}, control rejected {rejected}/{seeds}");
    assert_eq!(decays as u64, seeds);
    assert_eq!(rejected as u64, seeds);
}

/// The full-size network sweep at the default seed, timed.
#[test]
#[ignore = "full-size network sweep (about a minute)"]
fn network_full_size() {
    use transport_langevin::experiments::{t3_network::run, DEFAULT_SEED};
    let t0 = std::time::Instant::now();
    let r = run(false, DEFAULT_SEED, &Silent).unwrap();
    println!("{}", r.notes());
    println!(
        "probs {:?}\nstderrs {:?}\ness {:?}",
        r.printed.probs, r.printed.stderrs, r.printed.ess_min
    );
    println!("full network sweep: {:.1} s wall", t0.elapsed().as_secs_f64());
}
