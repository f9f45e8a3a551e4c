//! A1: the smallest c_μ by hand, and the analytic gradient bound B of the
//! clipped two-layer network against gradients found by search; the
//! A1(iii) third-derivative estimator and the growth of C_0 with the width.
//!
//! Fixed seeds make every run reproducible, but four tests depend on random
//! draws (particles, search points, directions): each states its
//! false-failure probability over a fresh seed and has a negative control,
//! and [`calibration_over_100_seeds`] reruns them all over 100 seeds.

mod common;
use common::*;

use transport_langevin::experiments::a1_assumption::{
    gram_decay, model_of_width, search, third_derivative, third_search, SHAPE, THIRD_FD_STEP,
};
use transport_langevin::loss::Loss;
use transport_langevin::model::{Potential, TwoLayer};
use transport_langevin::problems::finite_width_all_modes;
use transport_langevin::problems::gaussian_particles;
use transport_langevin::rng::{chain_rng, standard_normal_matrix};
use transport_langevin::space::{Coef, Kernel};
use transport_langevin::statements::a1;
use transport_langevin::stats::fit_line;

/// μ = (1, 0.3, 0.05): μ_k (k+1)² = 1, 1.2, 0.45 → c_μ = 1.2.
#[test]
fn smallest_c_mu_by_hand() {
    assert!((a1::smallest_c_mu(&[1.0, 0.3, 0.05]).unwrap() - 1.2).abs() < 1e-15);
    assert!(a1::smallest_c_mu(&[]).is_err());
}

/// The analytic B bounds every gradient norm the random and adversarial
/// searches find, for both losses, and hill climbing never ends below the
/// best random point it starts from. (The bound is loose, ≈ 29×: record A1.)
/// False failure 0: B is a bound on every gradient (`proofs/a1.md`) and hill
/// climbing only accepts increases, whatever the seed. Negative control:
/// [`control_b_over_width_is_rejected`].
#[test]
fn analytic_b_bounds_the_search() {
    assert!(b_bounds_search(1.0, 3));
}

/// Whether B·`scale` bounds the searches (900 gradient evaluations, the
/// record's seed-dependent model and search points) for both losses, and
/// hill climbing ends at or above the best random point.
fn b_bounds_search(scale: f64, seed: u64) -> bool {
    [Loss::Squared, Loss::Logistic].into_iter().all(|loss| {
        let s = search(loss, 900, seed).unwrap();
        s.b_random.max(s.b_adversarial) <= scale * s.b_analytic && s.b_adversarial >= s.b_random
    })
}

/// Negative control: B divided by the width M = 64 (a spurious mean-field
/// 1/M normalization of the gradient) is below the gradient norms the
/// search finds (B is 15–32× the largest one found, not 64×), so the same
/// check rejects it; claimed to be rejected with probability ≥ 0.99.
#[test]
fn control_b_over_width_is_rejected() {
    assert!(!b_bounds_search(1.0 / SHAPE.0 as f64, 3));
}

/// Analytic slope bounds: squared 2(y_max + R), logistic 1.
#[test]
fn loss_slope_bounds() {
    assert_eq!(a1::loss_slope_bound(Loss::Squared, 2.0, 1.5), 7.0);
    assert_eq!(a1::loss_slope_bound(Loss::Logistic, 1.0, 1.5), 1.0);
    assert!((a1::clipped_grad_bound(Loss::Logistic, 1.0, 2.0, 1.5).unwrap() - 10f64.sqrt()).abs() < 1e-15);
    assert!(a1::clipped_grad_bound(Loss::Logistic, 1.0, 0.0, 1.5).is_err());
}

/// The Gram spectrum decays faster than (k+1)^{−2} (A1(i) holds). The
/// particles are random: false failure ≤ 1e-3 over a fresh seed (not
/// derived; the Gaussian kernel's spectrum decays faster than any power,
/// and the fitted slope is about −6.5 at every seed tried, spread ±0.2).
/// Negative control: [`control_flat_spectrum_is_rejected`].
#[test]
fn gram_spectrum_decays_fast() {
    let (c_mu, slope, _, modes) = gram_decay(20_201).unwrap();
    assert!(c_mu > 0.0 && c_mu.is_finite());
    assert!(slope < -2.0 && modes > 10);
}

fn gram_decays_fast(seed: u64) -> bool {
    let (c_mu, slope, _, modes) = gram_decay(seed).unwrap();
    decays_fast(c_mu, slope, modes)
}

/// The check of [`gram_spectrum_decays_fast`].
fn decays_fast(c_mu: f64, slope: f64, modes: usize) -> bool {
    c_mu > 0.0 && c_mu.is_finite() && slope < -2.0 && modes > 10
}

/// [`gram_decay`]'s spectrum and slope for another bandwidth.
fn gram_decays_fast_with_bandwidth(bandwidth: f64, seed: u64) -> bool {
    let (m, d, _, _) = SHAPE;
    let mu = finite_width_all_modes(gaussian_particles(m, d + 1, seed, 40), Kernel::Gaussian { bandwidth })
        .unwrap()
        .mu()
        .to_vec();
    let x: Vec<f64> = (0..mu.len()).map(|k| libm::log((k + 1) as f64)).collect();
    let y: Vec<f64> = mu.iter().map(|&v| libm::log(v)).collect();
    decays_fast(a1::smallest_c_mu(&mu).unwrap(), fit_line(&x, &y).1, mu.len())
}

/// Negative control: a spectrum that violates A1(i), the Gram matrix of the
/// same particles with bandwidth 0.1 (much below their spacing: Gram ≈ I/M,
/// a flat spectrum), is rejected by the same check; claimed to be rejected
/// with probability ≥ 0.99.
#[test]
fn control_flat_spectrum_is_rejected() {
    assert!(!gram_decays_fast_with_bandwidth(0.1, 20_201));
}

/// The third-derivative estimator against an independent route: along a
/// line, d³/ds³ 𝓛̂(W + s h) = ⟨∇³𝓛̂(W)·(h, h), h⟩, the left side by the
/// 4-point third difference D(ε) of the scalar risk, Richardson-extrapolated
/// over ε = 2e-3 and 4e-3: D(ε) = f‴ + (ε²/4)·f⁽⁵⁾ + O(ε⁴), so
/// (4·D(ε) − D(2ε))/3 has no ε² term and a truncation O(ε⁴·f⁽⁷⁾) ≈ 1e-11·f⁽⁷⁾;
/// rounding ≈ 6·1e-16·|f|/(2ε³) ≈ 4e-8·|f|. (The plain D(2e-3) left a
/// truncation of up to 1.7e-3 relative at 2 of 20 fresh seeds; D(1e-2) was
/// off by 2.6e-3; D(5e-4) has 5e-6 of rounding.) Agreement is asserted
/// within 1e-3 relative, with a floor of 1e-6 absolute.
fn line_third(w: &Coef, h: &Coef, tl: &TwoLayer) -> f64 {
    let f = |s: f64| tl.value(&(w + h * s));
    let d = |e: f64| (f(2.0 * e) - 2.0 * f(e) + 2.0 * f(-e) - f(-2.0 * e)) / (2.0 * e * e * e);
    (4.0 * d(2e-3) - d(4e-3)) / 3.0
}

fn third_setup(seed: u64) -> (TwoLayer, Vec<(Coef, Coef)>) {
    let (_, tl, _) = model_of_width(Loss::Squared, 16, seed).unwrap();
    let (nm, q) = tl.shape();
    let mut rng = chain_rng(seed, 0);
    let mut draw = |s: f64| standard_normal_matrix(&mut rng, nm, q) * s;
    let pairs = (0..5).map(|i| (draw(0.3 * (i + 1) as f64), draw(1.0))).collect();
    (tl, pairs)
}

/// The model, W and h come from the seed (5). The comparison is
/// deterministic given the draws; what the seed changes is the size of the
/// higher derivatives along the line, which the error budget above bounds.
/// Stated false-failure probability over a fresh seed: ≤ 1e-3 (the budget
/// leaves a margin of 10× at every seed tried; the 100-seed audit checks
/// it). Negative control: [`third_derivative_check_rejects_a_wrong_divisor`].
#[test]
fn third_derivative_matches_the_line_route() {
    let (tl, pairs) = third_setup(5);
    for (w, h) in &pairs {
        let h = h / h.norm();
        let t = third_derivative(&tl, w, &h, &h, THIRD_FD_STEP).dot(&h);
        let line = line_third(w, &h, &tl);
        assert!((t - line).abs() <= 1e-3 * line.abs().max(1e-3), "{t} vs {line}");
    }
}

/// Whether `factor` × the estimator agrees with the line route within
/// 1e-3 relative at every pair of [`third_setup`].
fn third_matches_line(factor: f64, seed: u64) -> bool {
    let (tl, pairs) = third_setup(seed);
    pairs.iter().all(|(w, h)| {
        let h = h / h.norm();
        let t = factor * third_derivative(&tl, w, &h, &h, THIRD_FD_STEP).dot(&h);
        let line = line_third(w, &h, &tl);
        (t - line).abs() <= 1e-3 * line.abs().max(1e-3)
    })
}

/// Negative control: the mixed difference with the divisor 2ε² (a missing
/// factor 2) fails the same comparison; claimed to be rejected with
/// probability ≥ 0.99 (it is off by 100 % wherever the third derivative
/// exceeds 1e-3).
#[test]
fn third_derivative_check_rejects_a_wrong_divisor() {
    assert!(!third_matches_line(2.0, 5));
}

/// Independent searches per growth check: sub-seeds `seed·16 + j`,
/// j < `GROWTH_SEARCHES` (disjoint for distinct seeds).
const GROWTH_SEARCHES: u64 = 24;

/// One-sided level of the growth t test.
const GROWTH_LEVEL: f64 = 1e-3;

/// The t statistic of the mean of ln(C_spiky(M = 256)/C_spiky(M = 16)) over
/// [`GROWTH_SEARCHES`] independent searches (particles, data and search
/// points all drawn from each sub-seed; 900 ratio evaluations each).
fn growth_t(alpha_prime: f64, seed: u64) -> f64 {
    use rayon::prelude::*;
    let logs: Vec<f64> = (0..GROWTH_SEARCHES)
        .into_par_iter()
        .map(|j| {
            let sub = seed * 16 + j;
            let small = third_search(16, alpha_prime, 900, sub).unwrap();
            let large = third_search(256, alpha_prime, 900, sub).unwrap();
            libm::log(large.c_spiky / small.c_spiky)
        })
        .collect();
    let k = logs.len() as f64;
    let mean = logs.iter().sum::<f64>() / k;
    let var = logs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (k - 1.0);
    mean / (var / k).sqrt()
}

/// The growth check: the mean log ratio is positive, one-sided t test at
/// level [`GROWTH_LEVEL`] (Student t with `GROWTH_SEARCHES − 1` degrees of
/// freedom).
fn c_grows_with_width(alpha_prime: f64, seed: u64) -> bool {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let t_crit = StudentsT::new(0.0, 1.0, (GROWTH_SEARCHES - 1) as f64)
        .unwrap()
        .inverse_cdf(1.0 - GROWTH_LEVEL);
    growth_t(alpha_prime, seed) >= t_crit
}

/// A1(iii) with α' = 0 is not uniform in the width (proofs/a1.md): along
/// one-particle directions the searched C_0 grows with M (the derivation
/// predicts ≈ √M, a factor 4 from M = 16 to 256, for its dominant term).
/// One search's ratio C_spiky(256)/C_spiky(16) varies from 1.0 to 8.5 with
/// the seed, so the test pools 24 independent searches and asserts that the
/// mean log ratio is positive (one-sided t test at level 1e-3, critical
/// value 3.48). Its false failure is the t test's miss rate at the true
/// growth. With 12 searches the 100-seed audit saw 5 misses in 100 (t
/// below 4.02); doubling the searches multiplies the expected t by √2, and
/// under a normal approximation of t (mean − 1.65 sd = 4.02 at 12) the
/// miss rate at 24 is below 1e-4: stated false-failure probability ≤ 1e-3.
/// Negative control: [`control_c_half_stays_bounded`].
#[test]
fn c_zero_grows_with_width() {
    assert!(c_grows_with_width(0.0, 20_201), "t = {}", growth_t(0.0, 20_201));
}

/// Negative control: with α' = 1/2, where C_{α'} stays bounded in M
/// (proofs/a1.md), the same test finds no growth from M = 16 to 256;
/// claimed to be rejected with probability ≥ 0.99.
#[test]
fn control_c_half_stays_bounded() {
    assert!(!c_grows_with_width(0.5, 20_201), "t = {}", growth_t(0.5, 20_201));
}

/// The calibration audit (issue 8) of this file's four randomized tests and
/// their controls over 100 seeds (see `tests/common`; a control "passes"
/// when it is rejected): run with
///
/// ```sh
/// cargo test --release --test a1 -- --ignored calibration --nocapture
/// ```
///
/// (about 2 minutes for 100 seeds on 2 cores: 3 seeds take 3 s).
#[test]
#[ignore = "100-seed calibration audit"]
fn calibration_over_100_seeds() {
    audit(
        "a1",
        &[
            Case {
                name: "analytic B bounds the gradient search",
                false_failure: Some(0.0),
                passes: &|s| b_bounds_search(1.0, s),
            },
            Case {
                name: "control: B/M (spurious 1/M normalization)",
                false_failure: None,
                passes: &|s| !b_bounds_search(1.0 / SHAPE.0 as f64, s),
            },
            Case {
                name: "Gram spectrum slope < -2",
                false_failure: Some(1e-3),
                passes: &gram_decays_fast,
            },
            Case {
                name: "control: flat spectrum (bandwidth 0.1)",
                false_failure: None,
                passes: &|s| !gram_decays_fast_with_bandwidth(0.1, s),
            },
            Case {
                name: "third derivative matches the line route",
                false_failure: Some(1e-3),
                passes: &|s| third_matches_line(1.0, s),
            },
            Case {
                name: "control: divisor 2 eps^2 (missing factor 2)",
                false_failure: None,
                passes: &|s| !third_matches_line(2.0, s),
            },
            Case {
                name: "C_0 grows from M = 16 to 256 (t test over 24 searches)",
                false_failure: Some(1e-3),
                passes: &|s| c_grows_with_width(0.0, s),
            },
            Case {
                name: "control: alpha' = 1/2 (bounded in M)",
                false_failure: None,
                passes: &|s| !c_grows_with_width(0.5, s),
            },
        ],
    );
}
