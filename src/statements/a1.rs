//! **A1 — Assumption 1** (eigenvalue decay, bounded smooth gradient, third
//! derivative).
//!
//! > Norms: ‖W‖_ε = (Σ_k μ_k^{2ε} ⟨W, e_k⟩²)^{1/2} (ε may be negative).
//! > (i) eigenvalue decay: μ_k ≤ c_μ (k + 1)^{-2}.
//! > (ii) bounded, smooth gradient: ‖∇𝓛̂(W)‖ ≤ B for all W; and for some
//! > α ∈ (1/4, 1): ‖∇𝓛̂(W) − ∇𝓛̂(W')‖ ≤ L ‖W − W'‖_α (almost surely in the data).
//! > (iii) third derivative: 𝓛̂_N(W) = 𝓛̂(P_N W) is three times differentiable and
//! > there are α' ∈ [0, 1), C_{α'} < ∞ with, for all N and W, h, k ∈ H_N:
//! > ‖∇³𝓛̂_N(W)·(h, k)‖_{α'} ≤ C_{α'} ‖h‖ ‖k‖ and ‖∇³𝓛̂_N(W)·(h, k)‖ ≤ C_{α'} ‖h‖_{−α'} ‖k‖.
//!
//! Here: the smallest c_μ of (i) for a given spectrum, and the analytic B of
//! (ii) for the clipped two-layer network (S8) with a 1-Lipschitz activation
//! bounded by 1 (derivation in `proofs/a1.md`).

use crate::error::{self, Result};
use crate::loss::Loss;

/// The smallest c_μ with μ_k ≤ c_μ (k+1)^{−2} for the given eigenvalues:
/// max_k μ_k (k+1)².
pub fn smallest_c_mu(mu: &[f64]) -> Result<f64> {
    error::nonzero("number of eigenvalues", mu.len())?;
    error::all_finite("mu", mu)?;
    Ok(mu
        .iter()
        .enumerate()
        .map(|(k, &m)| m * ((k + 1) * (k + 1)) as f64)
        .fold(0.0, f64::max))
}

/// sup over predictions |f| ≤ R of |ℓ'(y, f)| for the largest |y| = `y_max`:
/// squared 2(y_max + R); logistic 1 (|y| = 1).
pub fn loss_slope_bound(loss: Loss, y_max: f64, r: f64) -> f64 {
    match loss {
        Loss::Squared => 2.0 * (y_max + r),
        Loss::Logistic => 1.0,
    }
}

/// Analytic B for the clipped two-layer model at finite width: the
/// L2(ρ0) norm of the Fréchet gradient is at most ℓ'_max √(R² D² + 1),
/// D = max_i ‖x_i‖, and the coefficient gradient (its projection on H_N)
/// is no larger.
pub fn clipped_grad_bound(loss: Loss, y_max: f64, r: f64, d_max: f64) -> Result<f64> {
    error::positive("R", r)?;
    error::finite("y_max", y_max)?;
    error::finite("D", d_max)?;
    Ok(loss_slope_bound(loss, y_max.abs(), r) * (r * r * d_max * d_max + 1.0).sqrt())
}
