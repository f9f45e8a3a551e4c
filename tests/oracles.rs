//! Oracle tests of the foundation (issue 2, point 8), each with a negative
//! control that the same check rejects.
//!
//! Every statistical test uses the family false-failure probability
//! `FALSE_FAILURE` = 1e-3, split evenly over its comparisons (Bonferroni),
//! so a correct implementation fails a given test with probability ≤ 1e-3.
//! The seeds are fixed, so a run is reproducible; the stated probability is
//! what a fresh seed would risk.

mod common;
use common::*;
use transport_langevin::problems::settings::{LinearGaussianChain, ZeroLossChain, LINEAR_GAUSSIAN_CHAIN, ZERO_LOSS_CHAIN};
use transport_langevin::stats::gaussian_coordinate_checks;

use transport_langevin::dynamics::Discretization;
use transport_langevin::experiments::s6_scheme::{
    final_states, zero_loss_checks, zero_loss_space, zero_loss_theory, ChainSettings, QUICK_CHAINS,
};
use transport_langevin::experiments::s7_pcn::{posterior_coordinate_checks, run_pcn, PCN};
use transport_langevin::model::ZeroLoss;
use transport_langevin::oracle;
use transport_langevin::problems::linear_gaussian;
use transport_langevin::record::Check;
use transport_langevin::space::Space;
use transport_langevin::tolerance::FALSE_FAILURE;

const SEED: u64 = 7;

/// Steps after which the slowest mode has forgotten W_0 = 0 to 1e-12 in
/// variance: |factor|^{2T} < 1e-12.
fn steps_for(disc: Discretization, eta: f64) -> usize {
    let lambda = ZERO_LOSS_CHAIN.lambda;
    let slowest = zero_loss_space()
        .unwrap()
        .mu()
        .iter()
        .map(|&m| match disc {
            Discretization::SemiImplicit => 1.0 / (1.0 + eta * lambda / m),
            Discretization::ExplicitEuler => (1.0 - eta * lambda / m).abs(),
        })
        .fold(0.0, f64::max);
    (27.7 / (-2.0 * slowest.ln())).ceil() as usize
}

fn zero_settings(disc: Discretization, eta: f64, beta: f64, seed: u64) -> ChainSettings {
    ChainSettings {
        eta,
        beta,
        lambda: ZERO_LOSS_CHAIN.lambda,
        disc,
        chains: QUICK_CHAINS,
        steps: steps_for(disc, eta),
        seed,
    }
}

fn alpha_zero() -> f64 {
    FALSE_FAILURE / (2 * ZERO_LOSS_CHAIN.modes) as f64
}

/// 𝓛̂ ≡ 0: per-mode variance (χ²) and mean (z) of K = 20 000 chains against
/// 2μ²/(βλ(2μ + ηλ)). False failure ≤ 1e-3.
#[test]
fn zero_loss_variance_matches_closed_form() {
    let checks = zero_loss_correct(SEED);
    assert!(all_pass(&checks), "{:?}", failures(&checks));
}

fn zero_loss_correct(seed: u64) -> Vec<Check> {
    let ZeroLossChain { eta, beta, lambda, .. } = ZERO_LOSS_CHAIN;
    let theory = zero_loss_theory(eta, beta, lambda).unwrap();
    zero_loss_checks(zero_settings(Discretization::SemiImplicit, eta, beta, seed), &theory, alpha_zero()).unwrap()
}

/// Negative control: the continuous-time variance μ/(βλ) is rejected at
/// η = 0.5 (mode 0 differs by the factor 0.8, 14 standard errors).
#[test]
fn control_continuous_time_variance_is_rejected() {
    assert!(!all_pass(&control_continuous(SEED)));
}

fn control_continuous(seed: u64) -> Vec<Check> {
    let ZeroLossChain { eta, beta, lambda, .. } = ZERO_LOSS_CHAIN;
    let wrong: Vec<f64> = zero_loss_space()
        .unwrap()
        .mu()
        .iter()
        .map(|&m| oracle::prior_variance(m, beta, lambda))
        .collect();
    zero_loss_checks(zero_settings(Discretization::SemiImplicit, eta, beta, seed), &wrong, alpha_zero()).unwrap()
}

/// Negative control: noise √(η/β) (the √2 missing) is the chain at 2β:
/// every variance halves and the test rejects it.
#[test]
fn control_missing_sqrt2_is_rejected() {
    assert!(!all_pass(&control_sqrt2(SEED)));
}

fn control_sqrt2(seed: u64) -> Vec<Check> {
    let ZeroLossChain { eta, beta, lambda, .. } = ZERO_LOSS_CHAIN;
    let theory = zero_loss_theory(eta, beta, lambda).unwrap();
    zero_loss_checks(
        zero_settings(Discretization::SemiImplicit, eta, 2.0 * beta, seed),
        &theory,
        alpha_zero(),
    )
    .unwrap()
}

/// Negative control: a wrong S_η (the explicit-Euler update) is rejected
/// against the semi-implicit closed form (η = 0.03 keeps it stable on all
/// 8 modes, ηλ/μ_7 = 1.92; mode 7 variance 0.39 vs 0.013).
#[test]
fn control_wrong_resolvent_is_rejected() {
    assert!(!all_pass(&control_resolvent(SEED)), "explicit Euler passed the semi-implicit test");
}

fn control_resolvent(seed: u64) -> Vec<Check> {
    let ZeroLossChain { beta, lambda, .. } = ZERO_LOSS_CHAIN;
    let eta = 0.03;
    let theory = zero_loss_theory(eta, beta, lambda).unwrap();
    zero_loss_checks(zero_settings(Discretization::ExplicitEuler, eta, beta, seed), &theory, alpha_zero()).unwrap()
}

/// The explicit-Euler control has its own closed form 2μ/(βλ(2 − ηλ/μ)),
/// which its chains match (false failure ≤ 1e-3).
#[test]
fn explicit_euler_matches_its_closed_form() {
    let checks = explicit_correct(SEED);
    assert!(all_pass(&checks), "{:?}", failures(&checks));
}

fn explicit_correct(seed: u64) -> Vec<Check> {
    let ZeroLossChain { beta, lambda, .. } = ZERO_LOSS_CHAIN;
    let eta = 0.03;
    let theory: Vec<f64> = zero_loss_space()
        .unwrap()
        .mu()
        .iter()
        .map(|&m| oracle::zero_loss_variance_explicit(m, eta, beta, lambda))
        .collect();
    zero_loss_checks(zero_settings(Discretization::ExplicitEuler, eta, beta, seed), &theory, alpha_zero()).unwrap()
}

fn lg_states(eta: f64, seed: u64) -> (Vec<Vec<f64>>, oracle::LinearGaussian) {
    let LinearGaussianChain {
        n,
        modes: nl,
        beta,
        lambda,
        ..
    } = LINEAR_GAUSSIAN_CHAIN;
    let (space, model, lg) = linear_gaussian(n, nl, beta, lambda).unwrap();
    let settings = ChainSettings {
        eta,
        beta,
        lambda,
        disc: Discretization::SemiImplicit,
        chains: QUICK_CHAINS,
        steps: 512,
        seed,
    };
    (final_states(&model, &space, settings).unwrap(), lg)
}

fn lg_checks(states: &[Vec<f64>], law: &oracle::Gaussian) -> Vec<Check> {
    let nl = law.mean.len();
    let alpha = FALSE_FAILURE / (2 * nl) as f64;
    (0..nl)
        .flat_map(|k| gaussian_coordinate_checks(states, k, law.mean[k], law.cov[(k, k)], alpha, "coord"))
        .collect()
}

/// Linear-Gaussian: the chain's stationary law solves the discrete Lyapunov
/// equation (Kronecker and doubling agree); per-coordinate χ² and z tests
/// pass against it (false failure ≤ 1e-3).
#[test]
fn linear_gaussian_chain_matches_lyapunov_law() {
    let eta = LINEAR_GAUSSIAN_CHAIN.eta;
    let (_, lg) = lg_states(eta, SEED + 1);
    let law = lg.scheme_stationary(eta).unwrap();
    let doubling = lg.scheme_stationary_cov_doubling(eta);
    approx::assert_relative_eq!(doubling, law.cov.clone(), max_relative = 1e-9);
    // The stationary mean is the posterior mean exactly (proofs/oracles.md).
    let post = lg.posterior().unwrap();
    approx::assert_relative_eq!(law.mean.clone(), post.mean.clone(), max_relative = 1e-9, epsilon = 1e-12);
    let checks = lg_correct(SEED + 1);
    assert!(all_pass(&checks), "{:?}", failures(&checks));
}

fn lg_correct(seed: u64) -> Vec<Check> {
    let eta = LINEAR_GAUSSIAN_CHAIN.eta;
    let (states, lg) = lg_states(eta, seed);
    lg_checks(&states, &lg.scheme_stationary(eta).unwrap())
}

/// Negative control: the same chains tested against π_∞ (the posterior)
/// are rejected: at η = 0.1 the stiff modes are under-dispersed
/// (mode 5: 9.7e-4 vs 2.6e-3).
#[test]
fn control_posterior_is_not_the_scheme_law() {
    assert!(!all_pass(&control_posterior(SEED + 1)));
}

fn control_posterior(seed: u64) -> Vec<Check> {
    let (states, lg) = lg_states(LINEAR_GAUSSIAN_CHAIN.eta, seed);
    lg_checks(&states, &lg.posterior().unwrap())
}

/// pCN-MH leaves ν_β exactly invariant: with 𝓛̂ ≡ 0 every proposal is accepted.
#[test]
fn pcn_accepts_everything_under_zero_loss() {
    let space = Space::power_law(1.0, 2.0, 8).unwrap();
    let run = run_pcn(&ZeroLoss { modes: 8, q: 1 }, &space, 3.0, 0.5, 0.7, 2, 0, 500, SEED).unwrap();
    assert_eq!(run.accepted, run.proposals);
}

fn pcn_checks(beta_run: f64, seed: u64) -> Vec<Check> {
    let LinearGaussianChain {
        n,
        modes: nl,
        beta,
        lambda,
        ..
    } = LINEAR_GAUSSIAN_CHAIN;
    let (s, chains, burn) = PCN;
    let (space, model, lg) = linear_gaussian(n, nl, beta, lambda).unwrap();
    let post = lg.posterior().unwrap();
    let run = run_pcn(&model, &space, beta_run, lambda, s, chains, burn, 20_000, seed).unwrap();
    let alpha = FALSE_FAILURE / (2 * nl) as f64;
    (0..nl)
        .flat_map(|k| posterior_coordinate_checks(&run, k, post.mean[k], post.cov[(k, k)], alpha, "coord"))
        .collect()
}

/// pCN-MH samples the closed-form Gaussian posterior: per-coordinate z tests
/// of the mean and of E(x − m)² with pooled batch-means MCSE (false failure
/// ≤ 1e-3, up to the normal approximation of ~1 100 batch means).
#[test]
fn pcn_samples_the_gaussian_posterior() {
    let checks = pcn_checks(LINEAR_GAUSSIAN_CHAIN.beta, SEED + 2);
    assert!(all_pass(&checks), "{:?}", failures(&checks));
}

/// Negative control: the sampler at the wrong temperature (2β) is rejected
/// (posterior variances halve).
#[test]
fn control_pcn_wrong_temperature_is_rejected() {
    let checks = pcn_checks(2.0 * LINEAR_GAUSSIAN_CHAIN.beta, SEED + 2);
    assert!(!all_pass(&checks));
}

/// The calibration audit (issue 8): every statistical test of this file is
/// rerun over 100 fresh seeds. A correct test with family false-failure
/// probability at most 1e-3 fails twice or more in 100 runs with probability
/// at most P(Bin(100, 1e-3) ≥ 2) = 4.7e-3, so at most one failure is
/// accepted per test; each negative control must be rejected in all 100
/// runs (its power exceeds 0.999 against its named alternative). Run with
/// `cargo test --release --test oracles -- --ignored calibration` (about
/// 10 minutes on 2 cores); the result is recorded in `paper/calibration.md`.
#[test]
#[ignore]
fn calibration_over_100_seeds() {
    type Test = (&'static str, fn(u64) -> Vec<Check>, bool);
    let tests: [Test; 9] = [
        ("zero-loss variance (correct)", zero_loss_correct, true),
        ("explicit Euler closed form (correct)", explicit_correct, true),
        ("linear-Gaussian Lyapunov law (correct)", lg_correct, true),
        ("pCN posterior (correct)", |s| pcn_checks(LINEAR_GAUSSIAN_CHAIN.beta, s), true),
        ("control: continuous-time variance", control_continuous, false),
        ("control: missing sqrt 2", control_sqrt2, false),
        ("control: wrong resolvent", control_resolvent, false),
        ("control: posterior as scheme law", control_posterior, false),
        ("control: pCN at 2 beta", |s| pcn_checks(2.0 * LINEAR_GAUSSIAN_CHAIN.beta, s), false),
    ];
    let mut report = Vec::new();
    for (name, f, correct) in tests {
        let failed = (0..100u64).filter(|i| !all_pass(&f(1_000_000 + i))).count();
        report.push(format!("{name}: failed {failed}/100"));
        if correct {
            assert!(failed <= 1, "{name}: {failed} false failures in 100 runs");
        } else {
            assert_eq!(failed, 100, "{name}: the control passed {} times", 100 - failed);
        }
    }
    eprintln!("{}", report.join("\n"));
}
