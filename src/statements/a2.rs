//! **A2 — Assumption 2** (Bernstein and predictor conditions).
//!
//! > - Bernstein: ∃ C_B > 0, s ∈ (0, 1\]: E\[(ℓ(Y, f_W(X)) − ℓ(Y, f*(X)))²\] ≤ C_B (𝓛(f_W) − 𝓛(f*))^s for all W.
//! > - Predictor: for all h and x ∈ supp(P_X): E_{Y|X=x}\[ exp(−(β/n)(ℓ(Y, h(x)) − ℓ(Y, f*(x)))) \] ≤ 1.
//! > Squared loss (bounded f) and logistic loss satisfy Bernstein with s = 1.
//!
//! Closed forms (`proofs/assumption2.md`), with u = h − f*(x), t = β/n:
//! * squared loss, Y = f*(X) + ε, E\[ε | X\] = 0, Var ε = σ²:
//!   Δℓ = u² − 2uε, E\[Δℓ | x\] = u², E\[(Δℓ)² | x\] = u⁴ + 4u²σ²,
//!   so C_B(s = 1) ≤ 4σ² + sup u²;
//!   predictor: E exp(−t Δℓ) = e^{−t u²} M_ε(2 t u), M_ε the mgf of ε.
//!   Gaussian ε: ≤ 1 for every u iff t ≤ 1/(2σ²).
//!   Uniform ε on \[−c̄, c̄\]: M_ε(s) = sinh(s c̄)/(s c̄); ≤ 1 for every u iff
//!   t ≤ 3/(2c̄²) = 1/(2σ²) (the small-u limit binds).
//! * logistic loss, P(Y = 1 | x) = p, f* = logit p:
//!   E exp(−t Δℓ) = p (σ(h)/p)^t + (1 − p)(σ(−h)/(1 − p))^t, which is 1 at
//!   t = 1 for every h and ≤ 1 for t ≤ 1 (Jensen); > 1 for some h when t > 1.

use crate::error::{self, Result};

/// The noise law of the squared-loss regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// N(0, σ²).
    Gaussian {
        /// σ.
        sd: f64,
    },
    /// Uniform on \[−c̄, c̄\] (bounded).
    Uniform {
        /// c̄.
        half_width: f64,
    },
}

impl Noise {
    /// Variance σ².
    pub fn variance(self) -> f64 {
        match self {
            Noise::Gaussian { sd } => sd * sd,
            Noise::Uniform { half_width } => half_width * half_width / 3.0,
        }
    }

    /// Moment generating function E e^{sε}.
    pub fn mgf(self, s: f64) -> f64 {
        match self {
            Noise::Gaussian { sd } => libm::exp(0.5 * s * s * sd * sd),
            Noise::Uniform { half_width } => {
                let a = s * half_width;
                if a.abs() < 1e-4 {
                    1.0 + a * a / 6.0 + a.powi(4) / 120.0
                } else {
                    libm::sinh(a) / a
                }
            }
        }
    }

    /// The largest t = β/n for which the squared-loss predictor condition
    /// holds for every h: 1/(2σ²).
    pub fn predictor_threshold(self) -> f64 {
        1.0 / (2.0 * self.variance())
    }
}

/// Squared loss: E_{Y|x} exp(−t(ℓ(Y, f* + u) − ℓ(Y, f*))) = e^{−t u²} M_ε(2 t u).
pub fn squared_predictor_mgf(noise: Noise, t: f64, u: f64) -> Result<f64> {
    error::finite("t", t)?;
    error::finite("u", u)?;
    Ok(libm::exp(-t * u * u) * noise.mgf(2.0 * t * u))
}

/// Squared loss, symmetric noise: (E\[(Δℓ)² | x\], E\[Δℓ | x\]) at offset u = f − f*.
/// Δℓ = u² − 2uε, so E Δℓ = u² and E (Δℓ)² = u⁴ + 4u²σ².
pub fn squared_bernstein_moments(noise: Noise, u: f64) -> (f64, f64) {
    (u.powi(4) + 4.0 * u * u * noise.variance(), u * u)
}

/// Logistic loss with P(Y = 1 | x) = p: E_{Y|x} exp(−t(ℓ(Y, h) − ℓ(Y, f*))),
/// f* = logit p.
pub fn logistic_predictor_mgf(p: f64, t: f64, h: f64) -> Result<f64> {
    error::open_interval("p", p, 0.0, 1.0, "(0, 1)")?;
    error::finite("t", t)?;
    error::finite("h", h)?;
    let s = |v: f64| 1.0 / (1.0 + libm::exp(-v));
    Ok(p * libm::pow(s(h) / p, t) + (1.0 - p) * libm::pow(s(-h) / (1.0 - p), t))
}

/// Logistic loss with P(Y = 1 | x) = p: (E\[(Δℓ)² | x\], E\[Δℓ | x\]) for the
/// prediction h against f* = logit p, Δℓ = ℓ(Y, h) − ℓ(Y, f*).
pub fn logistic_bernstein_moments(p: f64, h: f64) -> (f64, f64) {
    let fstar = libm::log(p / (1.0 - p));
    let l = |y: f64, f: f64| crate::loss::Loss::Logistic.value(y, f);
    let d_plus = l(1.0, h) - l(1.0, fstar);
    let d_minus = l(-1.0, h) - l(-1.0, fstar);
    (
        p * d_plus * d_plus + (1.0 - p) * d_minus * d_minus,
        p * d_plus + (1.0 - p) * d_minus,
    )
}
