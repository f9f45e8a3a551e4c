//! C-width: the a-priori plateau criterion (`proofs/c_width.md`).
//!
//! The truncation checks are deterministic (rigorous tail bounds). The
//! width check is statistical only through the particles: its envelope holds
//! with probability ≥ 1 − `FALSE_FAILURE` = 1e-3 (Bonferroni over the sizes);
//! each negative control is a separate test. The seed is fixed, so a run is
//! reproducible; the stated probabilities are what a fresh seed would risk,
//! and `calibration_over_100_seeds` (ignored) checks them.

mod common;
use common::{audit, Case};
use transport_langevin::problems::settings::{ChainParams, C_WIDTH_CHAIN};

use transport_langevin::experiments::c_width::{
    explicit_has_limit, gaussian_kernel_spectrum, plateau, truncation_limit, width_limit, width_spectrum, zero_loss_point, Envelope, Limit,
    SizePoint,
};
use transport_langevin::space::Space;
use transport_langevin::statements::c_eta::zero_loss_bias_modes;
use transport_langevin::tolerance::FALSE_FAILURE;

const SIZES: [usize; 4] = [4, 16, 64, 256];
const SEED: u64 = 20201;

fn truncation_points(explicit: bool) -> Vec<SizePoint> {
    SIZES
        .iter()
        .map(|&n| zero_loss_point(n, Space::power_law(1.0, 2.0, n).unwrap().mu(), explicit))
        .collect()
}

/// Truncation: the semi-implicit sweep lies within the tail envelope of its
/// infinite-dimensional limit (rate exactly 2 log(1 + ηλ/μ_0)/η at every N).
#[test]
fn truncation_plateaus_within_the_tail_envelope() {
    let (lim, env) = truncation_limit(1.0, 2.0, &SIZES).unwrap();
    let pts = truncation_points(false);
    assert!(plateau(&pts, Some(lim), &env) <= 1.0);
    let ChainParams { eta, lambda, .. } = C_WIDTH_CHAIN;
    assert!(pts.iter().all(|p| (p.rate - 2.0 * (eta * lambda).ln_1p() / eta).abs() < 1e-12));
}

/// Negative control: the explicit-Euler sweep, measured against the
/// semi-implicit limit and envelope, fails the same check (it has no N → ∞
/// limit: unstable once ηλ/μ_{N−1} > 2).
#[test]
fn truncation_explicit_euler_fails_the_check() {
    let (lim, env) = truncation_limit(1.0, 2.0, &SIZES).unwrap();
    let pts = truncation_points(true);
    assert!(!explicit_has_limit(0.0) && explicit_has_limit(1.0));
    assert!(plateau(&pts, Some(lim), &env) > 1.0);
    assert!(pts[3].rate < 0.0 && pts[3].bias.is_none());
}

/// Negative control: a wrong limit (the bias of an S_η with the 2 dropped,
/// summed over 10⁶ modes) is rejected by the same envelope.
#[test]
fn truncation_rejects_a_wrong_limit() {
    let (lim, env) = truncation_limit(1.0, 2.0, &SIZES).unwrap();
    let ChainParams { eta, beta, lambda } = C_WIDTH_CHAIN;
    let mu = Space::power_law(1.0, 2.0, 1_000_000).unwrap().mu().to_vec();
    let wrong: f64 = mu.iter().map(|&m| -m / (beta * lambda) * eta * lambda / (m + eta * lambda)).sum();
    let wrong_lim = Limit {
        rate: lim.rate,
        bias: wrong,
    };
    assert!(plateau(&truncation_points(false), Some(wrong_lim), &env) > 1.0);
}

/// Mehler's spectrum: the eigenvalues sum to the trace ∫k(w, w)dρ = 1, and
/// the d = 2 spectrum is the sorted products of two d = 1 spectra (the kernel
/// and the measure factorize); at M = 256 the Gram spectrum lies within the
/// concentration envelope (the one statistical part: false failure ≤ 1e-3
/// by the concentration bound, which is conservative). Negative control:
/// `gram_spectrum_rejects_wrong_bandwidth` (bandwidth 10 instead of 1).
#[test]
fn mehler_spectrum_trace_product_and_gram() {
    for (d, h) in [(1, 1.0), (2, 1.0), (2, 0.5)] {
        let s: f64 = gaussian_kernel_spectrum(d, h, 20_000).iter().sum();
        assert!((s - 1.0).abs() < 1e-9, "d {d} h {h}: {s}");
    }
    let one = gaussian_kernel_spectrum(1, 1.0, 60);
    let mut prod: Vec<f64> = one.iter().flat_map(|a| one.iter().map(move |b| a * b)).collect();
    prod.sort_by(|a, b| b.total_cmp(a));
    let two = gaussian_kernel_spectrum(2, 1.0, 50);
    for (a, b) in two.iter().zip(&prod) {
        assert!((a - b).abs() <= 1e-12 * a, "{a} vs {b}");
    }
    let (l2, eps) = gram_distance(&width_spectrum(GRAM_M, SEED).unwrap());
    assert!(l2 <= eps, "{l2} vs {eps}");
}

/// Width of the Gram comparison with Mehler's spectrum.
const GRAM_M: usize = 256;

/// (‖μ̂ − μ‖_2 over the first 50 eigenvalues of Mehler's d = 2, bandwidth
/// 1 spectrum μ, the concentration radius ε at M = 256 and δ = 1e-3).
fn gram_distance(mu_hat: &[f64]) -> (f64, f64) {
    let two = gaussian_kernel_spectrum(2, 1.0, 50);
    let eps = 2.0 * 2f64.sqrt() * (2.0 / FALSE_FAILURE).ln().sqrt() / (GRAM_M as f64).sqrt();
    let l2: f64 = mu_hat.iter().zip(&two).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    (l2, eps)
}

/// The Gram spectrum of the M = 256 particles of `seed` at the wrong
/// bandwidth 10 (as if the particles were drawn with standard deviation 0.1).
fn wrong_bandwidth_spectrum(seed: u64) -> Vec<f64> {
    use transport_langevin::problems::{finite_width_all_modes, gaussian_particles};
    use transport_langevin::space::Kernel;
    finite_width_all_modes(gaussian_particles(GRAM_M, 2, seed, 30), Kernel::Gaussian { bandwidth: 10.0 })
        .unwrap()
        .mu()
        .to_vec()
}

/// Negative control: the Gram spectrum at the wrong bandwidth 10 (nearly
/// rank one: top eigenvalue ≈ 0.98 against 0.38) lies outside the same
/// concentration envelope, claimed with probability ≥ 0.99 (distance ≈ 0.64
/// against ε = 0.49). The envelope is about 20 times the observed deviation
/// of the right spectrum (≈ 0.02), so only gross errors are rejected.
#[test]
fn gram_spectrum_rejects_wrong_bandwidth() {
    let (l2, eps) = gram_distance(&wrong_bandwidth_spectrum(SEED));
    assert!(l2 > eps, "{l2} vs {eps}");
}

/// Width: the semi-implicit sweep lies within the concentration envelope of
/// the closed-form limit (false failure ≤ 1e-3 over the particles, by the
/// concentration bound, which is conservative). Negative control:
/// `width_explicit_euler_is_outside_the_envelope` (the explicit-Euler
/// resolvent).
#[test]
fn width_plateaus_within_the_concentration_envelope() {
    let (pts, lim, env) = width_sweep(SEED, false);
    assert!(plateau(&pts, Some(lim), &env) <= 1.0);
    let ChainParams { eta, beta, lambda } = C_WIDTH_CHAIN;
    let mu_lim = gaussian_kernel_spectrum(2, 1.0, 20_000);
    assert!((lim.bias - zero_loss_bias_modes(&mu_lim, eta, beta, lambda)).abs() < 1e-15);
}

/// The width sweep of the particles of `seed` (semi-implicit or explicit
/// Euler), with the limit and the envelope of the semi-implicit scheme.
fn width_sweep(seed: u64, explicit: bool) -> (Vec<SizePoint>, Limit, Vec<Envelope>) {
    let spectra: Vec<(usize, Vec<f64>)> = SIZES.iter().map(|&m| (m, width_spectrum(m, seed).unwrap())).collect();
    let (lim, env) = width_limit(&spectra, FALSE_FAILURE / SIZES.len() as f64);
    let pts: Vec<SizePoint> = spectra.iter().map(|(m, mu)| zero_loss_point(*m, mu, explicit)).collect();
    (pts, lim, env)
}

/// Negative control: the explicit-Euler width sweep measured against the
/// semi-implicit limit and envelope is rejected by the same plateau check,
/// claimed with probability ≥ 0.99 (once ηλ/μ_{M−1} > 2 a size diverges
/// and has no stationary law).
#[test]
fn width_explicit_euler_is_outside_the_envelope() {
    let (pts, lim, env) = width_sweep(SEED, true);
    let stat = plateau(&pts, Some(lim), &env);
    assert!(stat > 1.0, "{stat}: {pts:?}");
}

/// The calibration audit (issue 8): the statistical checks of this file
/// (they depend on the seed only through the particles) and their negative
/// controls rerun over 100 fresh seeds (`common::audit`: a test may not
/// fail improbably often for its stated false-failure probability, a
/// control may not pass improbably often for a power of 0.99). Run it with
///
/// ```sh
/// cargo test --release --test c_width -- --ignored calibration --nocapture
/// ```
///
/// (well under a minute for 100 seeds on 2 cores).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    audit(
        "c_width: width sweep and Gram spectrum against their concentration envelopes",
        &[
            Case {
                name: "width sweep plateaus within the envelope",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| {
                    let (pts, lim, env) = width_sweep(s, false);
                    plateau(&pts, Some(lim), &env) <= 1.0
                },
            },
            Case {
                name: "control: explicit Euler against the semi-implicit limit",
                false_failure: None,
                passes: &|s| {
                    let (pts, lim, env) = width_sweep(s, true);
                    plateau(&pts, Some(lim), &env) > 1.0
                },
            },
            Case {
                name: "Gram spectrum (M = 256) within the envelope",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| {
                    let (l2, eps) = gram_distance(&width_spectrum(GRAM_M, s).unwrap());
                    l2 <= eps
                },
            },
            Case {
                name: "control: Gram spectrum at wrong bandwidth 10",
                false_failure: None,
                passes: &|s| {
                    let (l2, eps) = gram_distance(&wrong_bandwidth_spectrum(s));
                    l2 > eps
                },
            },
        ],
    );
}

/// The network sweep (quick sizes) over seeds: the claim checks of the plain
/// and reparametrised networks and the truncation sweep (family
/// false-failure 1e-3 · 9/9 per record) pass, and the eq. (2) control is
/// rejected, at every seed. About 1 s of CPU per seed.
#[test]
#[ignore = "multi-seed calibration audit of the network sweep"]
fn network_sweep_calibration_over_seeds() {
    use transport_langevin::dynamics::Silent;
    use transport_langevin::experiments::c_width_network::section;
    audit(
        "c_width: network rate trends (quick sizes) against the a-priori tolerance",
        &[
            Case {
                name: "every claim check of the network sweep passes",
                false_failure: Some(FALSE_FAILURE),
                passes: &|s| {
                    section(true, s, &Silent)
                        .unwrap()
                        .checks
                        .iter()
                        .filter(|c| !c.control)
                        .all(|c| c.passed)
                },
            },
            Case {
                name: "control: eq. (2) at a fixed per-particle step is rejected",
                false_failure: None,
                passes: &|s| {
                    section(true, s, &Silent)
                        .unwrap()
                        .checks
                        .iter()
                        .filter(|c| c.control)
                        .all(|c| c.passed)
                },
            },
        ],
    );
}
