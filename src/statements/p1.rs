//! **P1 — Proposition 1** (optimization + discretization error).
//!
//! > Assume A1, β > η, and 0 ≤ ℓ(Y, f_W(X)) ≤ R̄ for all W. Define
//! > ρ = 1/(1 + λη/μ_0), b = (μ_0/λ) B + c_μ/(βλ), b̄ = max(b, 1), κ = b̄ + 1,
//! > V̄ = 4b̄ / ( √((1 + ρ^{1/η})/2) − ρ^{1/η} )
//! > (printed special case for η = 0: V̄ = 4b̄ / ( √((1 + e^{−λ/μ_1})/2) − e^{−λ/μ_1} )),
//! > Λ*_η = min(λ/(2μ_0), 1/2) · δ / ( 4 log( κ(V̄ + 1)/(1 − δ) ) ),
//! > C_{W0} = κ(V̄ + 1) + √2 (R̄ + b)/√δ.
//! > Then |E_{π_k} L(W_k) − E_{π_∞} L(W)| ≤ C_1 [ C_{W0} e^{−Λ*_η η k} + (√β/Λ*_0) η^{1/2−a} ] =: Ξ_k.
//!
//! As η → 0, ρ^{1/η} = (1 + λη/μ_0)^{−1/η} → e^{−λ/μ_0}; the printed special
//! case has μ_1 where the limit gives μ_0 (`paper/errata.md`, E1). This module
//! uses the limit.

use crate::error::{self, Error, Result};
use serde::Serialize;

/// Inputs of Proposition 1's explicit constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct P1Params {
    /// c_μ of A1(i).
    pub c_mu: f64,
    /// λ > 0.
    pub lambda: f64,
    /// β > η.
    pub beta: f64,
    /// η ≥ 0 (η = 0: the continuous-time limit).
    pub eta: f64,
    /// μ_0, the largest eigenvalue.
    pub mu0: f64,
    /// B of A1(ii): ‖∇𝓛̂‖ ≤ B.
    pub grad_bound: f64,
    /// R̄: 0 ≤ ℓ ≤ R̄.
    pub loss_bound: f64,
    /// δ ∈ (0, 1).
    pub delta: f64,
}

/// The explicit constants (JSON keys are the stable names of `constants`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct P1Constants {
    /// ρ = 1/(1 + λη/μ_0).
    pub rho: f64,
    /// ρ^{1/η} (e^{−λ/μ_0} at η = 0).
    pub rho_pow: f64,
    /// b = (μ_0/λ)B + c_μ/(βλ).
    pub b: f64,
    /// b̄ = max(b, 1).
    pub b_bar: f64,
    /// κ = b̄ + 1.
    pub kappa: f64,
    /// V̄.
    pub v_bar: f64,
    /// Λ*_η.
    pub lambda_star: f64,
    /// C_{W0}.
    pub c_w0: f64,
}

impl P1Params {
    /// Validates the conditions of P1.
    pub fn validate(&self) -> Result<()> {
        error::positive("c_mu", self.c_mu)?;
        error::positive("lambda", self.lambda)?;
        error::positive("beta", self.beta)?;
        error::finite("eta", self.eta)?;
        if self.eta < 0.0 {
            return Err(Error::OutOfRange {
                name: "eta",
                value: self.eta,
                range: "[0, ∞)",
            });
        }
        error::positive("mu0", self.mu0)?;
        error::finite("grad_bound", self.grad_bound)?;
        if self.grad_bound < 0.0 {
            return Err(Error::OutOfRange {
                name: "grad_bound",
                value: self.grad_bound,
                range: "[0, ∞)",
            });
        }
        error::finite("loss_bound", self.loss_bound)?;
        if self.loss_bound < 0.0 {
            return Err(Error::OutOfRange {
                name: "loss_bound",
                value: self.loss_bound,
                range: "[0, ∞)",
            });
        }
        error::open_interval("delta", self.delta, 0.0, 1.0, "(0, 1)")?;
        if self.beta <= self.eta {
            return Err(Error::BetaNotAboveEta {
                beta: self.beta,
                eta: self.eta,
            });
        }
        Ok(())
    }

    /// All explicit constants.
    pub fn constants(&self) -> Result<P1Constants> {
        self.validate()?;
        let rho = rho(self.lambda, self.eta, self.mu0);
        let rho_pow = rho_pow(self.lambda, self.eta, self.mu0);
        let b = b(self.mu0, self.lambda, self.grad_bound, self.c_mu, self.beta);
        let b_bar = b.max(1.0);
        let kappa = b_bar + 1.0;
        let v_bar = v_bar(b_bar, rho_pow);
        let lambda_star = lambda_star(self.lambda, self.mu0, self.delta, kappa, v_bar);
        let c_w0 = kappa * (v_bar + 1.0) + std::f64::consts::SQRT_2 * (self.loss_bound + b) / self.delta.sqrt();
        Ok(P1Constants {
            rho,
            rho_pow,
            b,
            b_bar,
            kappa,
            v_bar,
            lambda_star,
            c_w0,
        })
    }

    /// Λ*_0: the same constants at η = 0.
    pub fn lambda_star_0(&self) -> Result<f64> {
        P1Params { eta: 0.0, ..*self }.constants().map(|c| c.lambda_star)
    }

    /// Ξ_k = C_1 [ C_{W0} e^{−Λ*_η η k} + (√β/Λ*_0) η^{1/2 − a} ] for 0 < a < 1/4.
    pub fn xi(&self, c1: f64, a: f64, k: f64) -> Result<f64> {
        error::positive("C_1", c1)?;
        error::open_interval("a", a, 0.0, 0.25, "(0, 1/4)")?;
        let c = self.constants()?;
        let l0 = self.lambda_star_0()?;
        Ok(c1 * (c.c_w0 * libm::exp(-c.lambda_star * self.eta * k) + self.beta.sqrt() / l0 * libm::pow(self.eta, 0.5 - a)))
    }
}

/// ρ = 1/(1 + λη/μ_0).
pub fn rho(lambda: f64, eta: f64, mu0: f64) -> f64 {
    1.0 / (1.0 + lambda * eta / mu0)
}

/// ρ^{1/η}, with its η → 0 limit e^{−λ/μ_0}.
pub fn rho_pow(lambda: f64, eta: f64, mu0: f64) -> f64 {
    if eta == 0.0 {
        libm::exp(-lambda / mu0)
    } else {
        libm::exp(-libm::log1p(lambda * eta / mu0) / eta)
    }
}

/// b = (μ_0/λ) B + c_μ/(βλ).
pub fn b(mu0: f64, lambda: f64, grad_bound: f64, c_mu: f64, beta: f64) -> f64 {
    mu0 / lambda * grad_bound + c_mu / (beta * lambda)
}

/// V̄ = 4b̄ / ( √((1 + x)/2) − x ), x = ρ^{1/η}.
pub fn v_bar(b_bar: f64, x: f64) -> f64 {
    4.0 * b_bar / (((1.0 + x) / 2.0).sqrt() - x)
}

/// Λ* = min(λ/(2μ_0), 1/2) · δ / (4 log(κ(V̄ + 1)/(1 − δ))).
pub fn lambda_star(lambda: f64, mu0: f64, delta: f64, kappa: f64, v_bar: f64) -> f64 {
    (lambda / (2.0 * mu0)).min(0.5) * delta / (4.0 * libm::log(kappa * (v_bar + 1.0) / (1.0 - delta)))
}

/// The printed η = 0 special case of V̄, with μ_1 as printed.
pub fn v_bar_printed_eta0(b_bar: f64, lambda: f64, mu1: f64) -> f64 {
    v_bar(b_bar, libm::exp(-lambda / mu1))
}
