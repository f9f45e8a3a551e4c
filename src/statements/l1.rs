//! **L1 — Lemma 1** (Lipschitz continuity of the clipped model of S8).
//!
//! > If ‖x‖ ≤ D on supp(P_X): ‖f_W − f_{W'}‖_∞ ≤ (1 + R D) ‖W − W'‖_{L2(ρ0)},
//! > ‖W − W'‖²_{L2(ρ0)} = ∫ ‖W(a, w) − W'(a, w)‖² dρ0(a, w).
//! > (The printed statement is garbled; re-derive it and state which bound on
//! > |σ| the constant 1 + RD needs.)
//!
//! Our derivation (`proofs/lemma1.md`): with clip c(v) = R tanh(v/R)
//! (1-Lipschitz, |c| ≤ R), |σ| ≤ S and σ L_σ-Lipschitz,
//! |f_W(x) − f_{W'}(x)| ≤ √(S² + R² L_σ² D²) ‖W − W'‖_{L2(ρ0)} ≤ (S + R L_σ D) ‖W − W'‖_{L2(ρ0)},
//! so 1 + RD needs S ≤ 1 and L_σ ≤ 1 (tanh), the clip of the second layer
//! (|W̄_2| ≤ R), and a 1-Lipschitz clip of both layers.
//!
//! Here ρ0 is the empirical measure of M particles (R1), so W is given by
//! its M values: the first layer W_1(m) ∈ R^d and the second W_2(m) ∈ R.

use crate::error::{self, Error, Result};
use nalgebra::{DMatrix, DVector};

/// The clip c(v) = R tanh(v/R).
pub fn clip(r: f64, v: f64) -> f64 {
    r * libm::tanh(v / r)
}

/// Which parts of the S8 model to keep (the counterexamples drop one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L1Model {
    /// Clip radius R ≥ 1.
    pub r: f64,
    /// Clip the second layer (S8 does).
    pub clip_second: bool,
    /// Constant added to tanh: σ = tanh + shift (S8-compatible when 0; a
    /// shift keeps σ 1-Lipschitz but raises sup |σ| to 1 + |shift|).
    pub shift: f64,
}

impl L1Model {
    /// The S8 model with σ = tanh.
    pub fn s8(r: f64) -> Result<L1Model> {
        let r = error::finite("R", r)?;
        if r < 1.0 {
            return Err(Error::OutOfRange {
                name: "R",
                value: r,
                range: "[1, ∞)",
            });
        }
        Ok(L1Model {
            r,
            clip_second: true,
            shift: 0.0,
        })
    }

    /// sup |σ| (S) of the activation.
    pub fn sigma_sup(&self) -> f64 {
        1.0 + self.shift.abs()
    }

    /// f_W(x) = (1/M) Σ_m W̄_2(m) σ(W̄_1(m)ᵀ x), W given by its values:
    /// `first` (M × d) and `second` (M).
    pub fn eval(&self, first: &DMatrix<f64>, second: &DVector<f64>, x: &[f64]) -> Result<f64> {
        check_shapes(first, second, x)?;
        let m = first.nrows();
        let mut s = 0.0;
        for i in 0..m {
            let z: f64 = (0..x.len()).map(|j| clip(self.r, first[(i, j)]) * x[j]).sum();
            let a = if self.clip_second { clip(self.r, second[i]) } else { second[i] };
            s += a * (libm::tanh(z) + self.shift);
        }
        Ok(s / m as f64)
    }
}

fn check_shapes(first: &DMatrix<f64>, second: &DVector<f64>, x: &[f64]) -> Result<()> {
    error::nonzero("width M", first.nrows())?;
    if second.len() != first.nrows() {
        return Err(Error::DimensionMismatch {
            what: "second layer (= width M)",
            expected: first.nrows(),
            found: second.len(),
        });
    }
    if x.len() != first.ncols() {
        return Err(Error::DimensionMismatch {
            what: "input dimension d",
            expected: first.ncols(),
            found: x.len(),
        });
    }
    error::all_finite("first layer", first.as_slice())?;
    error::all_finite("second layer", second.as_slice())?;
    error::all_finite("x", x)
}

/// ‖W − W'‖_{L2(ρ0)} = ((1/M) Σ_m ‖W(m) − W'(m)‖²)^{1/2} over both layers.
pub fn l2_rho0_distance(first: &DMatrix<f64>, second: &DVector<f64>, first2: &DMatrix<f64>, second2: &DVector<f64>) -> f64 {
    let m = first.nrows() as f64;
    ((first - first2).norm_squared() + (second - second2).norm_squared()).sqrt() / m.sqrt()
}

/// The printed constant 1 + R D.
pub fn printed_constant(r: f64, d: f64) -> f64 {
    1.0 + r * d
}

/// Our sharper constant √(S² + R² L_σ² D²) (L_σ = 1 here).
pub fn sharp_constant(sigma_sup: f64, r: f64, d: f64) -> f64 {
    (sigma_sup * sigma_sup + r * r * d * d).sqrt()
}

/// |f_W(x) − f_{W'}(x)| / ((1 + RD) ‖W − W'‖_{L2(ρ0)}) for ‖x‖ ≤ D (the
/// quantity Lemma 1 bounds by 1). `d_bound` is D; x must satisfy ‖x‖ ≤ D.
pub fn lemma_ratio(
    model: &L1Model,
    first: &DMatrix<f64>,
    second: &DVector<f64>,
    first2: &DMatrix<f64>,
    second2: &DVector<f64>,
    x: &[f64],
    d_bound: f64,
) -> Result<f64> {
    let d_bound = error::positive("D", d_bound)?;
    let norm_x = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm_x > d_bound * (1.0 + 1e-12) {
        return Err(Error::OutsideDomain {
            name: "‖x‖",
            value: norm_x,
            domain: "the ball ‖x‖ ≤ D",
        });
    }
    if first2.shape() != first.shape() {
        return Err(Error::DimensionMismatch {
            what: "W' first layer rows (= width M)",
            expected: first.nrows(),
            found: first2.nrows(),
        });
    }
    let dist = l2_rho0_distance(first, second, first2, second2);
    let diff = (model.eval(first, second, x)? - model.eval(first2, second2, x)?).abs();
    if dist == 0.0 {
        return Ok(0.0);
    }
    Ok(diff / (printed_constant(model.r, d_bound) * dist))
}
