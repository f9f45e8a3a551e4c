//! T2's computable part (`src/statements/t2.rs`) against independent
//! routes: the decentering term by a direct minimisation over the sphere
//! of radius ε (one mode: the closed form βλ(|w| − ε)²/ν), φ as the sum of
//! its three documented terms, ε* by its definition (φ(ε*) ≤ βε² and not
//! below it, or the floor n^{−1/(2−s)}), and the exponent and printed-rate
//! formulas term by term, each term made the largest in turn.
//! Deterministic. Written for the mutation campaign of issue 20 (before it,
//! these functions were reached only through the T2 record).

use transport_langevin::error::Error;
use transport_langevin::statements::cf::{self, Variances};
use transport_langevin::statements::t2::{
    decentering, eps_star, eps_star_exponent, eps_star_model, phi, phi_model, printed_regression_rate,
};

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs()
}

/// min over h on the circle w + ε(cos t, sin t) of βλ Σ h_k²/ν_k (two
/// modes; the minimiser is on the circle when ‖w‖ > ε): a grid of 20 000
/// angles, then golden-section refinement of the best cell.
fn decentering_on_the_circle(w: [f64; 2], nu: [f64; 2], bl: f64, eps: f64) -> f64 {
    let f = |t: f64| {
        let h = [w[0] + eps * t.cos(), w[1] + eps * t.sin()];
        bl * (h[0] * h[0] / nu[0] + h[1] * h[1] / nu[1])
    };
    let m = 20_000;
    let step = std::f64::consts::TAU / m as f64;
    let best = (0..m).min_by(|&a, &b| f(a as f64 * step).total_cmp(&f(b as f64 * step))).unwrap();
    let (mut a, mut b) = ((best as f64 - 1.0) * step, (best as f64 + 1.0) * step);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (c, d) = (b - g * (b - a), a + g * (b - a));
        if f(c) < f(d) {
            b = d;
        } else {
            a = c;
        }
    }
    f(0.5 * (a + b))
}

/// The decentering term: 0 inside the ball; the one-mode closed form
/// βλ(|w| − ε)²/ν; two modes against the direct minimisation over the
/// circle; typed errors for mismatched lengths, ε ≤ 0 and a radius no h
/// can reach (a mode with ν = 0 that the teacher uses).
#[test]
fn decentering_is_the_constrained_minimum() {
    assert_eq!(decentering(&[0.3, -0.4], &[1.0, 0.5], 2.0, 0.5).unwrap(), 0.0, "‖w‖ = ε");
    assert_eq!(decentering(&[0.3, -0.4], &[1.0, 0.5], 2.0, 0.6).unwrap(), 0.0);
    for &(a, v, bl, eps) in &[(0.8, 0.25, 3.0, 0.3), (-2.0, 4.0, 0.5, 0.5), (1e-3, 1e-6, 10.0, 5e-4)] {
        let got = decentering(&[a], &[v], bl, eps).unwrap();
        let expected = bl * (f64::abs(a) - eps).powi(2) / v;
        assert!(near(got, expected, 1e-9), "a={a} ν={v}: {got} vs {expected}");
    }
    for &(w, nu, bl, eps) in &[
        ([0.8, -0.5], [0.5, 0.05], 2.0, 0.3),
        ([0.2, 0.9], [1e-3, 0.7], 0.3, 0.1),
        ([-1.5, 1.0], [2.0, 2.0], 1.0, 1.2),
    ] {
        let got = decentering(&w, &nu, bl, eps).unwrap();
        let expected = decentering_on_the_circle(w, nu, bl, eps);
        assert!(near(got, expected, 1e-8), "w={w:?} ν={nu:?}: {got} vs {expected}");
    }
    assert!(matches!(
        decentering(&[1.0, 2.0], &[1.0], 1.0, 0.1),
        Err(Error::DimensionMismatch { expected: 1, found: 2, .. })
    ));
    assert!(matches!(
        decentering(&[1.0], &[1.0], 1.0, 0.0),
        Err(Error::NonPositive { name: "eps", .. })
    ));
    assert!(matches!(
        decentering(&[1.0, 1.0], &[1.0, 0.0], 1.0, 0.5),
        Err(Error::OutOfRange { name: "eps", .. })
    ));
}

/// The T2R teacher's first coefficients, decaying like (k + 1)^{−3/2}.
fn teacher(modes: usize) -> Vec<f64> {
    (0..modes).map(|k| 0.5 * (k as f64 + 1.0).powf(-1.5)).collect()
}

/// φ = decentering (ν_k = μ_k^{γ+1}, μ_k = c_μ(k+1)^{−p}) + the prior's
/// small-ball −log P (all modes for `phi`, the first N for `phi_model`)
/// + log 2.
#[test]
fn phi_is_decentering_plus_small_ball_plus_log_two() {
    let (c_mu, p, gamma, beta, lambda) = (1.5, 2.5, 0.5, 40.0, 0.05);
    let w = teacher(6);
    let nu: Vec<f64> = (0..6).map(|k| (c_mu * (k as f64 + 1.0).powf(-p)).powf(gamma + 1.0)).collect();
    for eps in [0.05, 0.2] {
        let bias = decentering(&w, &nu, beta * lambda, eps).unwrap();
        assert!(bias > 0.0);
        let prior = Variances::prior(c_mu, p, gamma, beta * lambda).unwrap();
        let sb = cf::small_ball(&prior, eps).unwrap().neg_log_prob;
        let sb6 = cf::small_ball(&prior.truncated(6).unwrap(), eps).unwrap().neg_log_prob;
        assert!(sb6 < sb, "fewer modes, a smaller ball is likelier");
        let want = bias + sb + std::f64::consts::LN_2;
        let want6 = bias + sb6 + std::f64::consts::LN_2;
        let got = phi(&w, c_mu, p, gamma, beta, lambda, eps).unwrap();
        let got6 = phi_model(&w, c_mu, p, gamma, beta, lambda, eps).unwrap();
        assert!(near(got, want, 1e-12), "{got} vs {want}");
        assert!(near(got6, want6, 1e-12), "{got6} vs {want6}");
    }
}

/// ε* by its definition: φ(ε*) ≤ βε*², and just below (relative 1e-6,
/// beyond the bisection's 3e-7) φ > βε²; or the floor n^{−1/(2−s)} when it
/// is larger (n = 4, s = 0: 1/2). For the full prior and for the N-mode
/// model; typed errors when φ(0.3) > β·0.3² (the full prior's search stops
/// at 0.3; the model's grows its bracket to ‖w‖, tested where its ε* is
/// above 0.3) and for n = 0. (The small-ball calculator is the cost: about 30
/// evaluations of φ per ε*.)
#[test]
fn eps_star_is_its_definition() {
    let (c_mu, p, gamma, beta, lambda) = (1.0, 2.0, 1.0, 2000.0, 1e-3);
    let w = teacher(8);
    let n = 100_000_000;
    let e = eps_star(&w, c_mu, p, gamma, beta, lambda, n, 1.0).unwrap();
    let f = |e: f64| phi(&w, c_mu, p, gamma, beta, lambda, e).unwrap();
    assert!(e > 1e-8 && e < 0.3, "between the floor 1/n and 0.3: {e}");
    assert!(f(e) <= beta * e * e, "φ({e}) = {} > βε² = {}", f(e), beta * e * e);
    let below = e * (1.0 - 1e-6);
    assert!(f(below) > beta * below * below, "not the infimum");
    let m = eps_star_model(&w, c_mu, p, gamma, beta, lambda, 4, 0.0).unwrap();
    assert_eq!(m, 0.5, "the floor 4^(-1/2) above the model's ε*");
    let m1 = eps_star_model(&w, c_mu, p, gamma, beta, lambda, 9, 1.0).unwrap();
    assert_eq!(m1, 1.0 / 9.0, "the floor 9^(-1/(2 - 1)) above the model's ε* (0.069)");
    let fm = |e: f64| phi_model(&w, c_mu, p, gamma, beta, lambda, e).unwrap();
    let m = eps_star_model(&w, c_mu, p, gamma, beta, lambda, n, 1.0).unwrap();
    assert!(
        fm(m) <= beta * m * m && fm(m * (1.0 - 1e-6)) > beta * (m * (1.0 - 1e-6)).powi(2),
        "{m}"
    );
    assert!(matches!(
        eps_star(&w, c_mu, p, gamma, 5.0, lambda, n, 1.0),
        Err(Error::OutOfRange { name: "beta", .. })
    ));
    // At β = 40 the full prior's search fails too, but the N-mode model's
    // ε* is above 0.3 (0.425): its bracket grows by factors of 3/2 (up to
    // ‖w‖ ≈ 0.6) before the bisection.
    let b40 = 40.0;
    assert!(eps_star(&w, c_mu, p, gamma, b40, lambda, n, 1.0).is_err());
    let fm40 = |e: f64| phi_model(&w, c_mu, p, gamma, b40, lambda, e).unwrap();
    let m40 = eps_star_model(&w, c_mu, p, gamma, b40, lambda, n, 1.0).unwrap();
    let norm = w.iter().map(|a| a * a).sum::<f64>().sqrt();
    assert!(m40 > 0.3 && m40 <= norm, "{m40} (‖w‖ = {norm})");
    // At β = 10 no ε ≤ ‖w‖ satisfies φ ≤ βε²: the documented typed error.
    assert!(matches!(
        eps_star_model(&w, c_mu, p, gamma, 10.0, lambda, n, 1.0),
        Err(Error::OutOfRange { name: "beta", .. })
    ));
    assert!(
        fm40(m40) <= b40 * m40 * m40 && fm40(m40 * (1.0 - 1e-6)) > b40 * (m40 * (1.0 - 1e-6)).powi(2),
        "{m40}"
    );
    assert!(matches!(
        eps_star(&w, c_mu, p, gamma, beta, lambda, 0, 1.0),
        Err(Error::ZeroCount { name: "n" })
    ));
}

/// The exponent max(−lθ, lα̃ − b, −1) (α̃ = 1/(2(γ + 1))), each term the
/// largest in turn, and the printed rate max{(λβ)^{2r/(1+r)} n^{−1/(1+r)},
/// λ^{−α̃}/β, λ^θ, 1/n} (r = α̃/θ), each term the largest in turn.
#[test]
fn exponent_and_printed_rate_are_their_formulas() {
    // γ = 1: α̃ = 1/4.
    assert_eq!(eps_star_exponent(0.5, 1.0, 1.0, 1.0), -0.5, "−lθ");
    assert_eq!(eps_star_exponent(0.5, 1.0, 0.5, 2.0), 0.0, "lα̃ − b = 0.5 − 0.5");
    assert_eq!(eps_star_exponent(2.0, 3.0, 2.0, 1.0), -1.0, "α̃ = 1/8: max(−2, −15/8, −1)");
    assert_eq!(eps_star_exponent(0.6, 0.0, 1.2, 1.0), -0.6, "α̃ = 1/2: max(−0.6, −0.7, −1)");
    assert_eq!(eps_star_exponent(0.6, 0.0, 1.0, 1.0), -0.5, "α̃ = 1/2: max(−0.6, −0.5, −1)");
    let rate = |theta: f64, gamma: f64, beta: f64, lambda: f64, n: usize| {
        let at = 0.5 / (gamma + 1.0);
        let r = at / theta;
        [
            (lambda * beta).powf(2.0 * r / (1.0 + r)) * (n as f64).powf(-1.0 / (1.0 + r)),
            lambda.powf(-at) / beta,
            lambda.powf(theta),
            1.0 / n as f64,
        ]
    };
    for &(theta, gamma, beta, lambda, n, largest) in &[
        (0.5, 1.0, 1e4, 1.0, 100, 0),
        (0.5, 1.0, 2.0, 1e-4, 100, 1),
        (0.3, 1.0, 2.0, 0.5, 100, 2),
        (0.5, 1.0, 1e3, 1e-6, 10, 3),
    ] {
        let terms = rate(theta, gamma, beta, lambda, n);
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(terms[largest], max, "case {largest}: {terms:?}");
        assert!(
            terms.iter().enumerate().all(|(i, &t)| i == largest || t < 0.9 * max),
            "case {largest}: {terms:?}"
        );
        let got = printed_regression_rate(theta, gamma, beta, lambda, n);
        assert!(near(got, max, 1e-13), "case {largest}: {got} vs {max}");
    }
}
