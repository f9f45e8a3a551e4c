//! **C-eta** — claim: time discretization error of order η^{1/2}, and this
//! order is sharp.
//!
//! > C-eta: time discretization error of order η^{1/2}, and this order is
//! > sharp. (P1: the stationary part of Ξ_k is C_1 (√β/Λ*_0) η^{1/2 − a};
//! > "the η^{1/2} order is said to be optimal (Bréhier 2020)".)
//!
//! The exact case 𝓛̂ ≡ 0: every mode of the scheme is an AR(1) with
//! stationary variance 2μ_k²/(βλ(2μ_k + ηλ)) while π_∞ = ν_β has μ_k/(βλ),
//! so (derivation in `proofs/c_eta.md`)
//!
//!   E_{π_η}‖W‖² − E_{π_∞}‖W‖² = − Σ_k μ_k/(βλ) · ηλ/(2μ_k + ηλ).
//!
//! For μ_k = c_μ(k+1)^{−p} the infinite series is evaluated exactly up to a
//! rigorous tail enclosure ([`zero_loss_bias_series`]).

use crate::error::{self, Result};
use serde::Serialize;

/// The zero-loss bias term of one mode: −μ/(βλ) · ηλ/(2μ + ηλ).
pub fn zero_loss_bias_mode(mu: f64, eta: f64, beta: f64, lambda: f64) -> f64 {
    -mu / (beta * lambda) * eta * lambda / (2.0 * mu + eta * lambda)
}

/// The zero-loss bias of E‖W‖² over the given modes (the truncated sum).
pub fn zero_loss_bias_modes(mu: &[f64], eta: f64, beta: f64, lambda: f64) -> f64 {
    mu.iter().map(|&m| zero_loss_bias_mode(m, eta, beta, lambda)).sum()
}

/// The infinite-dimensional series with an enclosure of its tail.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesValue {
    /// Midpoint of the enclosure.
    pub value: f64,
    /// Half-width of the enclosure (a rigorous bound on |value − exact|,
    /// up to rounding).
    pub half_width: f64,
}

/// Σ_{k≥0} of [`zero_loss_bias_mode`] for μ_k = c_μ(k+1)^{−p}, p > 1:
/// the first `terms` exactly, the tail enclosed by
/// (ηλ/(2μ_K + ηλ)) T_lo ≤ −tail·βλ ≤ T_hi, with
/// T_lo = c_μ (K+1)^{1−p}/(p−1) ≤ Σ_{k≥K} μ_k ≤ T_hi = c_μ K^{1−p}/(p−1)
/// (integral comparison) and μ_k ≤ μ_K for k ≥ K.
pub fn zero_loss_bias_series(c_mu: f64, decay: f64, eta: f64, beta: f64, lambda: f64, terms: usize) -> Result<SeriesValue> {
    error::positive("c_mu", c_mu)?;
    error::positive("eta", eta)?;
    error::positive("beta", beta)?;
    error::positive("lambda", lambda)?;
    error::nonzero("terms", terms)?;
    if decay.is_nan() || decay <= 1.0 || !decay.is_finite() {
        return Err(error::Error::OutOfRange {
            name: "decay",
            value: decay,
            range: "(1, ∞) (the series diverges otherwise)",
        });
    }
    // Sum small terms first for accuracy.
    let mut head = 0.0;
    for k in (0..terms).rev() {
        head += zero_loss_bias_mode(c_mu * libm::pow((k + 1) as f64, -decay), eta, beta, lambda);
    }
    let kk = terms as f64;
    let mu_k = c_mu * libm::pow(kk + 1.0, -decay);
    let t_lo = c_mu * libm::pow(kk + 1.0, 1.0 - decay) / (decay - 1.0);
    let t_hi = c_mu * libm::pow(kk, 1.0 - decay) / (decay - 1.0);
    let lo = eta * lambda / (2.0 * mu_k + eta * lambda) * t_lo / (beta * lambda);
    let hi = t_hi / (beta * lambda);
    Ok(SeriesValue {
        value: head - 0.5 * (lo + hi),
        half_width: 0.5 * (hi - lo),
    })
}

/// An order fit: slope of log|error| on log η by least squares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrderFit {
    /// Fitted order (slope).
    pub order: f64,
    /// Its standard error (from the fit residuals).
    pub order_stderr: f64,
    /// Fitted intercept (log scale).
    pub intercept: f64,
}

/// Fits log|error_i| = c + order · log η_i by least squares. The standard
/// error combines the fit's residual standard error with the propagated
/// Monte Carlo errors: Var(order) = se_fit² + Σ_i ((x_i − x̄)/S_xx)² (se_i/|error_i|)²
/// (delta method on log|error|, x = log η).
pub fn fit_order(etas: &[f64], errors: &[f64], stderrs: &[f64]) -> Result<OrderFit> {
    if etas.len() != errors.len() || etas.len() != stderrs.len() {
        return Err(error::Error::DimensionMismatch {
            what: "etas / errors / stderrs",
            expected: etas.len(),
            found: errors.len().min(stderrs.len()),
        });
    }
    if etas.len() < 3 {
        return Err(error::Error::OutOfRange {
            name: "number of step sizes",
            value: etas.len() as f64,
            range: "at least 3",
        });
    }
    for (&e, &r) in etas.iter().zip(errors) {
        error::positive("eta", e)?;
        error::finite("error", r)?;
        if r == 0.0 {
            return Err(error::Error::NonPositive {
                name: "|error|",
                value: 0.0,
            });
        }
    }
    let x: Vec<f64> = etas.iter().map(|&e| libm::log(e)).collect();
    let y: Vec<f64> = errors.iter().map(|&e| libm::log(e.abs())).collect();
    let (intercept, order, se_fit) = crate::stats::fit_line(&x, &y);
    let mx = crate::stats::mean(&x);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let mc: f64 = x
        .iter()
        .zip(errors.iter().zip(stderrs))
        .map(|(a, (e, s))| ((a - mx) / sxx * s / e.abs()).powi(2))
        .sum();
    Ok(OrderFit {
        order,
        order_stderr: (se_fit * se_fit + mc).sqrt(),
        intercept,
    })
}

/// Terms summed exactly in the zero-loss series (tail enclosed).
pub const SERIES_TERMS: usize = 1_000_000;

/// The exponent a of P1's η^{1/2 − a} used by the order checks (P1 allows
/// any a ∈ (0, 1/4), with C_1 depending on a; fixed here before measuring).
pub const BOUND_A: f64 = 0.05;
