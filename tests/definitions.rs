//! The definitional statements S2, S3, S5, S8, S9: their experiments pass,
//! and each statistical check rejects a named wrong variant.
//! Statistical tests: family false-failure probability `FALSE_FAILURE` = 1e-3
//! (Bonferroni over coordinates); fixed seeds. Every negative control is
//! claimed to be rejected with probability ≥ 0.99 over a fresh seed;
//! [`calibration_over_100_seeds`] reruns every test and control over 100
//! seeds.

mod common;
use common::*;
use transport_langevin::problems::settings::{ParticleChain, S2_PARTICLES};

use transport_langevin::experiments::s2_particles::{eq2_variance, mckean_vlasov_printed_variance, particle_chains};
use transport_langevin::experiments::s5_continuous::exact_ou_states;
use transport_langevin::experiments::{registry, Context};
use transport_langevin::oracle;
use transport_langevin::record::{Check, Record, Status};
use transport_langevin::stats::gaussian_coordinate_checks;
use transport_langevin::tolerance::FALSE_FAILURE;

fn run(id: &str) -> Record {
    run_seeded(id, 5)
}

fn run_seeded(id: &str, seed: u64) -> Record {
    let ctx = Context::new(true, seed);
    registry().into_iter().find(|e| e.id() == id).unwrap().run(&ctx).unwrap()
}

/// The quick records of S3, S8, S5 and S9 hold. S3 and S8 check sure
/// inequalities (false failure 0); S5 (exact OU variances) and S9 (ν̃_β
/// variances) contain χ² and z tests at family false-failure probability
/// 1e-3 each, so this test fails falsely with probability ≤ 2e-3 over a
/// fresh seed. Negative controls:
/// [`control_s5_record_at_wrong_temperature`] and
/// [`control_s9_record_at_wrong_temperature`].
#[test]
fn definition_records_hold() {
    for id in ["S3", "S8", "S5", "S9"] {
        let r = run(id);
        assert_eq!(
            r.status,
            Status::Holds,
            "{id}: {:?}",
            r.checks.iter().filter(|c| !c.passed).collect::<Vec<_>>()
        );
    }
}

fn eq2_checks(noise_scale: f64, var: f64, seed: u64) -> Vec<Check> {
    let ParticleChain {
        particles: m,
        dim: d,
        eta,
        lambda,
        ..
    } = S2_PARTICLES;
    let steps = (27.7 / (-2.0 * (1.0 - eta * lambda / m as f64).ln())).ceil() as usize;
    let states = particle_chains(m, d, eta, lambda, noise_scale, 20_000, steps, seed).unwrap();
    let alpha = FALSE_FAILURE / (2 * m * d) as f64;
    (0..m * d)
        .flat_map(|i| gaussian_coordinate_checks(&states, i, 0.0, var, alpha, "c"))
        .collect()
}

fn records_hold(seed: u64) -> bool {
    ["S3", "S8", "S5", "S9"]
        .into_iter()
        .all(|id| run_seeded(id, seed).status == Status::Holds)
}

/// Whether the χ² variance tests of record `id` (label `label`) still pass
/// when every theoretical variance v is replaced by v/2, the law at 2β. The
/// χ² tolerance is proportional to v, so each rescaled check is the same
/// χ² test of the same draws against v/2.
fn record_variances_pass_at_2beta(id: &str, label: &str, seed: u64) -> bool {
    let r = run_seeded(id, seed);
    let tests: Vec<&Check> = r
        .checks
        .iter()
        .filter(|c| c.name.starts_with(label) && c.name.ends_with(" variance"))
        .collect();
    assert!(!tests.is_empty(), "{id}: no '{label}' variance checks");
    tests.iter().all(|c| (c.empirical - c.theoretical / 2.0).abs() <= c.tolerance / 2.0)
}

/// Negative control of [`definition_records_hold`]: the S5 record's
/// exact-OU draws tested against the variances at the wrong temperature 2β
/// (μ_k/(2βλ)) by the record's χ² tests are rejected; claimed to be
/// rejected with probability ≥ 0.99 (every variance is off by a factor 2,
/// 50 standard errors of 20 000 draws).
#[test]
fn control_s5_record_at_wrong_temperature() {
    assert!(!record_variances_pass_at_2beta("S5", "exact OU mode", 5));
}

/// Negative control of [`definition_records_hold`]: the S9 record's
/// ν̃_β draws tested against the variances at the wrong temperature 2β
/// (μ_k^{γ+1}/(2βλ)) by the record's χ² tests are rejected; claimed to be
/// rejected with probability ≥ 0.99 (as for S5).
#[test]
fn control_s9_record_at_wrong_temperature() {
    assert!(!record_variances_pass_at_2beta("S9", "nu~_beta mode", 5));
}

fn eq2_right(seed: u64) -> bool {
    let ParticleChain {
        particles: m,
        eta,
        beta,
        lambda,
        ..
    } = S2_PARTICLES;
    all_pass(&eq2_checks((2.0 * eta / beta).sqrt(), eq2_variance(m, eta, beta, lambda), seed))
}

fn eq2_printed_mckean_vlasov(seed: u64) -> bool {
    let ParticleChain {
        particles: m,
        eta,
        beta,
        lambda,
        ..
    } = S2_PARTICLES;
    all_pass(&eq2_checks(
        (2.0 * eta / beta).sqrt(),
        mckean_vlasov_printed_variance(m, beta, lambda),
        seed,
    ))
}

fn eq2_missing_sqrt2(seed: u64) -> bool {
    let ParticleChain {
        particles: m,
        eta,
        beta,
        lambda,
        ..
    } = S2_PARTICLES;
    all_pass(&eq2_checks((eta / beta).sqrt(), eq2_variance(m, eta, beta, lambda), seed))
}

/// S2: eq. (2) with √(2η/β) samples its closed form (false failure ≤ 1e-3);
/// the printed McKean–Vlasov variance M/(2βλ) is rejected (E60), and so is
/// the chain with the √2 missing. These two negative controls are each
/// claimed to be rejected with probability ≥ 0.99 (both alternatives halve
/// the variance: 16 coordinates, each about 50 standard errors off). The
/// S2 record's status (printed-formula-wrong) fails falsely with
/// probability ≤ 1e-3: its eq. (2) tests have family false-failure
/// probability 1e-3 and its in-record McKean–Vlasov control is about 50
/// standard errors off (audited with the records in `tests/calibration.rs`).
#[test]
fn s2_noise_scale() {
    assert!(eq2_right(1));
    assert!(!eq2_printed_mckean_vlasov(1));
    assert!(!eq2_missing_sqrt2(1));
    assert_eq!(run("S2").status, Status::PrintedFormulaWrong);
}

/// Exact OU draws (20 000, 6 modes, `beta_run`) against ν_β's variances
/// μ_k/(βλ) at β = 1.
fn s5_checks(beta_run: f64, seed: u64) -> Vec<Check> {
    let mu: Vec<f64> = (0..6).map(|k| 1.0 / ((k + 1) * (k + 1)) as f64).collect();
    let (beta, lambda) = (1.0, 1.0);
    let states = exact_ou_states(&mu, beta_run, lambda, 14.0, 20, 20_000, seed).unwrap();
    let alpha = FALSE_FAILURE / 12.0;
    (0..6)
        .flat_map(|k| gaussian_coordinate_checks(&states, k, 0.0, oracle::prior_variance(mu[k], beta, lambda), alpha, "m"))
        .collect()
}

/// S5: exact OU transitions reach μ_k/(βλ) (false failure ≤ 1e-3); with the
/// temperature doubled (β → 2β) the same test rejects them (negative
/// control, claimed to be rejected with probability ≥ 0.99: every variance
/// halves).
#[test]
fn s5_exact_ou_and_wrong_temperature() {
    assert!(all_pass(&s5_checks(1.0, 3)));
    assert!(!all_pass(&s5_checks(2.0, 3)));
}

/// The calibration audit (issue 8): every statistical test and negative
/// control of this file over 100 seeds (see `tests/common`; a control
/// "passes" when it is rejected). Run with
///
/// ```sh
/// cargo test --release --test definitions -- --ignored calibration --nocapture
/// ```
///
/// (about 20 minutes for 100 seeds on 2 cores: 3 seeds take 34 s).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    audit(
        "definitions",
        &[
            Case {
                name: "S3, S8, S5, S9 records hold",
                false_failure: Some(2.0 * FALSE_FAILURE),
                passes: &records_hold,
            },
            Case {
                name: "control: S5 record variances at 2 beta",
                false_failure: None,
                passes: &|s| !record_variances_pass_at_2beta("S5", "exact OU mode", s),
            },
            Case {
                name: "control: S9 record variances at 2 beta",
                false_failure: None,
                passes: &|s| !record_variances_pass_at_2beta("S9", "nu~_beta mode", s),
            },
            Case {
                name: "S2 eq. (2) closed form",
                false_failure: Some(FALSE_FAILURE),
                passes: &eq2_right,
            },
            Case {
                name: "control: S2 printed McKean-Vlasov variance M/(2 beta lambda)",
                false_failure: None,
                passes: &|s| !eq2_printed_mckean_vlasov(s),
            },
            Case {
                name: "control: S2 noise sqrt(eta/beta) (missing sqrt 2)",
                false_failure: None,
                passes: &|s| !eq2_missing_sqrt2(s),
            },
            Case {
                name: "S2 record: printed-formula-wrong",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| run_seeded("S2", s).status == Status::PrintedFormulaWrong,
            },
            Case {
                name: "S5 exact OU variances",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| all_pass(&s5_checks(1.0, s)),
            },
            Case {
                name: "control: S5 exact OU at 2 beta",
                false_failure: None,
                passes: &|s| !all_pass(&s5_checks(2.0, s)),
            },
        ],
    );
}
