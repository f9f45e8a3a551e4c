//! **T2 — Theorem 2** (excess risk, fast rate), the part that is computable:
//! the concentration function of CF and the critical radius ε*.
//!
//! > Let α̃ = 1/(2(γ + 1)), 0 < θ < 1 − α̃,
//! >   ε* = inf{ ε > 0 : φ_{β,λ}(ε) ≤ β ε² } ∨ n^{−1/(2−s)}.
//! > Then E_{D_n}[ E_{W_k} 𝓛(W_k) − 𝓛(f*) ] ≤
//! >   C [ ε*² ∨ ( (β/n) ε*² + n^{−1/(1+α̃/θ)} (λβ)^{(2α̃/θ)/(1+α̃/θ)} )^{1/(2−s)} ∨ 1/n ] + Ξ_k.
//!
//! For the regression teacher of T2R (uniform inputs, orthonormal basis,
//! squared loss) 𝓛(h) − 𝓛(f*) = Σ_k (h_k − w_k)², so the decentering term
//! inf{ βλ Σ h_k²/ν_k : Σ (h_k − w_k)² ≤ ε² } (ν_k = μ_k^{γ+1}) is a
//! quadratic problem with one constraint, solved exactly by its Lagrange
//! multiplier: h_k = ρν_k w_k/(1 + ρν_k) with Σ (w_k/(1 + ρν_k))² = ε²
//! (`proofs/small_ball.md`).

use super::cf::{self, Variances};
use crate::error::{self, Error, Result};

/// The decentering (bias) term inf{ βλ Σ h_k²/ν_k : Σ (h_k − w_k)² ≤ ε² }.
pub fn decentering(w: &[f64], nu: &[f64], beta_lambda: f64, eps: f64) -> Result<f64> {
    if w.len() != nu.len() {
        return Err(Error::DimensionMismatch {
            what: "teacher coefficients (= eigenvalues)",
            expected: nu.len(),
            found: w.len(),
        });
    }
    error::positive("eps", eps)?;
    let e2 = eps * eps;
    let resid = |rho: f64| -> f64 { w.iter().zip(nu).map(|(&a, &v)| (a / (1.0 + rho * v)).powi(2)).sum() };
    if resid(0.0) <= e2 {
        return Ok(0.0);
    }
    // resid decreases from ‖w‖² to 0 as ρ grows: bisection in log ρ.
    let (mut lo, mut hi) = (1e-300_f64, 1.0);
    while resid(hi) > e2 {
        hi *= 16.0;
        if hi > 1e300 {
            return Err(Error::OutOfRange {
                name: "eps",
                value: eps,
                range: "a radius the teacher can reach",
            });
        }
    }
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if resid(mid) > e2 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let rho = hi;
    Ok(beta_lambda
        * w.iter()
            .zip(nu)
            .map(|(&a, &v)| {
                let h = rho * v * a / (1.0 + rho * v);
                h * h / v
            })
            .sum::<f64>())
}

/// φ_{β,λ}(ε) = decentering + small ball + log 2 for the prior with
/// μ_k = c_μ(k+1)^{−p} (`c_mu`, `decay`).
pub fn phi(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, eps: f64) -> Result<f64> {
    phi_with(w, c_mu, decay, gamma, beta, lambda, eps, false)
}

/// φ_{β,λ}(ε) of the model with exactly N = `w.len()` modes: its prior is
/// the first N terms of the prior of [`phi`] (T2R's model), not all of them.
pub fn phi_model(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, eps: f64) -> Result<f64> {
    phi_with(w, c_mu, decay, gamma, beta, lambda, eps, true)
}

#[allow(clippy::too_many_arguments)]
fn phi_with(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, eps: f64, finite: bool) -> Result<f64> {
    let nu: Vec<f64> = (0..w.len())
        .map(|k| libm::pow(c_mu * libm::pow(k as f64 + 1.0, -decay), gamma + 1.0))
        .collect();
    let bias = decentering(w, &nu, beta * lambda, eps)?;
    let prior = Variances::prior(c_mu, decay, gamma, beta * lambda)?;
    let prior = if finite { prior.truncated(w.len())? } else { prior };
    let sb = cf::small_ball(&prior, eps)?;
    Ok(bias + sb.neg_log_prob + std::f64::consts::LN_2)
}

/// ε* = inf{ε : φ(ε) ≤ βε²} ∨ n^{−1/(2−s)} (bisection in log ε; φ decreases, βε² increases).
pub fn eps_star(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, n: usize, s: f64) -> Result<f64> {
    eps_star_with(w, c_mu, decay, gamma, beta, lambda, n, s, false)
}

/// ε* of the model with exactly N = `w.len()` modes ([`phi_model`]),
/// searched up to max(0.3, ‖w‖).
pub fn eps_star_model(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, n: usize, s: f64) -> Result<f64> {
    eps_star_with(w, c_mu, decay, gamma, beta, lambda, n, s, true)
}

#[allow(clippy::too_many_arguments)]
fn eps_star_with(w: &[f64], c_mu: f64, decay: f64, gamma: f64, beta: f64, lambda: f64, n: usize, s: f64, finite: bool) -> Result<f64> {
    error::nonzero("n", n)?;
    let ok = |e: f64| -> Result<bool> { Ok(phi_with(w, c_mu, decay, gamma, beta, lambda, e, finite)? <= beta * e * e) };
    // The model's ε* may exceed 0.3 at small β: there the bracket grows by
    // factors of 3/2 up to ‖w‖, where the decentering term vanishes.
    let top = if finite {
        w.iter().map(|a| a * a).sum::<f64>().sqrt().max(0.3)
    } else {
        0.3
    };
    let (mut lo, mut hi) = (1e-9_f64, 0.3_f64);
    while !ok(hi)? && hi < top {
        lo = hi;
        hi = (1.5 * hi).min(top);
    }
    if !ok(hi)? {
        return Err(Error::OutOfRange {
            name: "beta",
            value: beta,
            range: "values with phi(eps) <= beta eps^2 at eps = 0.3 (or, for the N-mode model, some eps <= max(0.3, |w|))",
        });
    }
    for _ in 0..26 {
        let mid = (lo * hi).sqrt();
        if ok(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi.max(libm::pow(n as f64, -1.0 / (2.0 - s))))
}

/// Exponent of n in max(λ^θ, λ^{−α̃}β^{−1}) for β = n^b, λ = n^{−l}: the
/// terms of the printed T2R rate that come from ε*² (bias and small ball).
pub fn eps_star_exponent(theta: f64, gamma: f64, b: f64, l: f64) -> f64 {
    let at = cf::alpha_tilde(gamma);
    (-l * theta).max(l * at - b).max(-1.0)
}

/// The printed T2R rate max{(λβ)^{(2α̃/θ)/(1+α̃/θ)} n^{−1/(1+α̃/θ)}, λ^{−α̃}β^{−1}, λ^θ, 1/n}.
pub fn printed_regression_rate(theta: f64, gamma: f64, beta: f64, lambda: f64, n: usize) -> f64 {
    let at = cf::alpha_tilde(gamma);
    let r = at / theta;
    let n = n as f64;
    (libm::pow(lambda * beta, 2.0 * r / (1.0 + r)) * libm::pow(n, -1.0 / (1.0 + r)))
        .max(libm::pow(lambda, -at) / beta)
        .max(libm::pow(lambda, theta))
        .max(1.0 / n)
}
