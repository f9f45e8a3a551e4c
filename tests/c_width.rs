//! C-width: the a-priori plateau criterion (`proofs/c_width.md`).
//!
//! The truncation checks are deterministic (rigorous tail bounds). The
//! width check is statistical only through the particles: its envelope holds
//! with probability ≥ 1 − `FALSE_FAILURE` = 1e-3 (Bonferroni over the sizes);
//! each negative control is a separate test.

use transport_langevin::experiments::c_width::{
    self, explicit_has_limit, gaussian_kernel_spectrum, plateau, truncation_limit, width_limit, width_spectrum, zero_loss_point, Limit,
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
    let (eta, _, lambda) = c_width::SETTING;
    assert!(pts.iter().all(|p| (p.rate - 2.0 * (eta * lambda).ln_1p() / eta).abs() < 1e-12));
}

/// Negative control: the explicit-Euler sweep fails the same check (no
/// N → ∞ limit: unstable once ηλ/μ_{N−1} > 2).
#[test]
fn truncation_explicit_euler_fails_the_check() {
    let (_, env) = truncation_limit(1.0, 2.0, &SIZES).unwrap();
    let pts = truncation_points(true);
    assert!(!explicit_has_limit(0.0) && explicit_has_limit(1.0));
    assert!(plateau(&pts, None, &env).is_infinite());
    assert!(pts[3].rate < 0.0 && pts[3].bias.is_none());
}

/// Negative control: a wrong limit (the bias of an S_η with the 2 dropped,
/// summed over 10⁶ modes) is rejected by the same envelope.
#[test]
fn truncation_rejects_a_wrong_limit() {
    let (lim, env) = truncation_limit(1.0, 2.0, &SIZES).unwrap();
    let (eta, beta, lambda) = c_width::SETTING;
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
/// concentration envelope (probability ≥ 1 − 1e-3).
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
    let m = 256;
    let mu = width_spectrum(m, SEED).unwrap();
    let eps = 2.0 * 2f64.sqrt() * (2.0 / FALSE_FAILURE).ln().sqrt() / (m as f64).sqrt();
    let l2: f64 = mu.iter().zip(&two).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    assert!(l2 <= eps, "{l2} vs {eps}");
}

/// Width: the semi-implicit sweep lies within the concentration envelope of
/// the closed-form limit (false failure ≤ 1e-3 over the particles).
#[test]
fn width_plateaus_within_the_concentration_envelope() {
    let spectra: Vec<(usize, Vec<f64>)> = SIZES.iter().map(|&m| (m, width_spectrum(m, SEED).unwrap())).collect();
    let (lim, env) = width_limit(&spectra, FALSE_FAILURE / SIZES.len() as f64);
    let pts: Vec<SizePoint> = spectra.iter().map(|(m, mu)| zero_loss_point(*m, mu, false)).collect();
    assert!(plateau(&pts, Some(lim), &env) <= 1.0);
    let (eta, beta, lambda) = c_width::SETTING;
    let mu_lim = gaussian_kernel_spectrum(2, 1.0, 20_000);
    assert!((lim.bias - zero_loss_bias_modes(&mu_lim, eta, beta, lambda)).abs() < 1e-15);
}

/// Negative control: the explicit-Euler width sweep fails the same check.
#[test]
fn width_explicit_euler_fails_the_check() {
    let spectra: Vec<(usize, Vec<f64>)> = SIZES.iter().map(|&m| (m, width_spectrum(m, SEED).unwrap())).collect();
    let (_, env) = width_limit(&spectra, FALSE_FAILURE / SIZES.len() as f64);
    let pts: Vec<SizePoint> = spectra.iter().map(|(m, mu)| zero_loss_point(*m, mu, true)).collect();
    assert!(plateau(&pts, None, &env).is_infinite());
}
