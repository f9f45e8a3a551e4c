//! Closed forms of the Gaussian cases: the exact laws the statistical tests
//! compare the chains with. Derivations in `proofs/oracles.md`.
//!
//! * 𝓛̂ ≡ 0: every mode of the scheme (S6) is an AR(1),
//!   x' = s (x + √(2η/β) ε) with s = 1/(1 + ηλ/μ), whose stationary variance
//!   is 2μ² / (βλ(2μ + ηλ)) (→ μ/(βλ), the variance of ν_β, as η → 0).
//! * Linear-Gaussian regression: W' = F W + c + G ε with F = S(I − ηQ),
//!   c = ηS b, G = √(2η/β) S, Q = (2/n)ΦᵀΦ, b = (2/n)Φᵀy; stationary mean
//!   m = (A + Q)^{−1} b (the posterior mean) and covariance Σ = FΣFᵀ + GGᵀ
//!   (discrete Lyapunov), solved two independent ways.
//! * Posterior π_∞ of the linear-Gaussian case: precision β(A + Q), mean
//!   (A + Q)^{−1} b.

pub mod grid;
pub mod minorization;

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// Stationary variance of one mode of the semi-implicit scheme when 𝓛̂ ≡ 0.
pub fn zero_loss_variance_semi_implicit(mu: f64, eta: f64, beta: f64, lambda: f64) -> f64 {
    2.0 * mu * mu / (beta * lambda * (2.0 * mu + eta * lambda))
}

/// Stationary variance of one mode of the explicit-Euler control when
/// 𝓛̂ ≡ 0 (needs ηλ/μ < 2; infinite otherwise).
pub fn zero_loss_variance_explicit(mu: f64, eta: f64, beta: f64, lambda: f64) -> f64 {
    let r = eta * lambda / mu;
    if r >= 2.0 {
        f64::INFINITY
    } else {
        2.0 * mu / (beta * lambda * (2.0 - r))
    }
}

/// Variance μ/(βλ) of the mode under ν_β (the continuous-time limit).
pub fn prior_variance(mu: f64, beta: f64, lambda: f64) -> f64 {
    mu / (beta * lambda)
}

/// The linear-Gaussian problem: 𝓛̂(α) = (1/n)‖y − Φα‖².
#[derive(Debug, Clone)]
pub struct LinearGaussian {
    /// Design Φ (n × N).
    pub phi: DMatrix<f64>,
    /// Outputs y.
    pub y: DVector<f64>,
    /// Eigenvalues μ_k.
    pub mu: Vec<f64>,
    /// β.
    pub beta: f64,
    /// λ.
    pub lambda: f64,
}

/// A Gaussian law: mean and covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    /// Mean.
    pub mean: DVector<f64>,
    /// Covariance.
    pub cov: DMatrix<f64>,
}

impl LinearGaussian {
    fn q_and_b(&self) -> (DMatrix<f64>, DVector<f64>) {
        let n = self.y.len() as f64;
        (self.phi.tr_mul(&self.phi) * (2.0 / n), self.phi.tr_mul(&self.y) * (2.0 / n))
    }

    fn a_plus_q(&self) -> DMatrix<f64> {
        let (mut q, _) = self.q_and_b();
        for k in 0..self.mu.len() {
            q[(k, k)] += self.lambda / self.mu[k];
        }
        q
    }

    /// The posterior π_∞: N((A+Q)^{−1} b, (β(A+Q))^{−1}).
    pub fn posterior(&self) -> Result<Gaussian> {
        let (_, b) = self.q_and_b();
        let p = self.a_plus_q();
        let chol = p
            .cholesky()
            .ok_or_else(|| Error::Numerical("A + Q is not positive definite".into()))?;
        let mean = chol.solve(&b);
        let cov = chol.inverse() / self.beta;
        Ok(Gaussian { mean, cov })
    }

    /// AR(1) coefficients (F, c, G) of the scheme with step η.
    pub fn ar1(&self, eta: f64) -> (DMatrix<f64>, DVector<f64>, DMatrix<f64>) {
        let (q, b) = self.q_and_b();
        let nm = self.mu.len();
        let s = DMatrix::from_diagonal(&DVector::from_iterator(
            nm,
            self.mu.iter().map(|&m| 1.0 / (1.0 + eta * self.lambda / m)),
        ));
        let f = &s * (DMatrix::identity(nm, nm) - q * eta);
        let c = &s * b * eta;
        let g = s * (2.0 * eta / self.beta).sqrt();
        (f, c, g)
    }

    /// Stationary law of the scheme, covariance by the Kronecker solve
    /// vec Σ = (I − F ⊗ F)^{−1} vec(GGᵀ).
    pub fn scheme_stationary(&self, eta: f64) -> Result<Gaussian> {
        let (f, c, g) = self.ar1(eta);
        let nm = f.nrows();
        let mean = (DMatrix::identity(nm, nm) - &f)
            .lu()
            .solve(&c)
            .ok_or_else(|| Error::Numerical("I − F is singular: the chain has no stationary law".into()))?;
        let ggt = &g * g.transpose();
        let kron = f.kronecker(&f);
        let lhs = DMatrix::identity(nm * nm, nm * nm) - kron;
        let vec = DVector::from_column_slice(ggt.as_slice());
        let sol = lhs
            .lu()
            .solve(&vec)
            .ok_or_else(|| Error::Numerical("I − F⊗F is singular: the chain has no stationary law".into()))?;
        let cov = DMatrix::from_column_slice(nm, nm, sol.as_slice());
        Ok(Gaussian { mean, cov })
    }

    /// The stationary covariance by Smith's doubling iteration
    /// Σ ← Σ + A Σ Aᵀ, A ← A² (an independent route to the Lyapunov solution).
    pub fn scheme_stationary_cov_doubling(&self, eta: f64) -> DMatrix<f64> {
        let (f, _, g) = self.ar1(eta);
        let mut sigma = &g * g.transpose();
        let mut a = f;
        for _ in 0..200 {
            let next = &sigma + &a * &sigma * a.transpose();
            a = &a * &a;
            let done = (&next - &sigma).norm() <= 1e-16 * next.norm();
            sigma = next;
            if done {
                break;
            }
        }
        sigma
    }
}
