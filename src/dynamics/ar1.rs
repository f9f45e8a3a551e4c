//! A row-wise AR(1) kernel, W_{k+1} = a_r W_k + s_r ε_k on every row r
//! (ε_k with i.i.d. N(0, 1) entries, drawn row-major as in [`fill_noise`]).
//!
//! It is the exact transition, over a time h, of the continuous-time
//! dynamics (S5) when 𝓛̂ ≡ 0 (a_r = e^{−λh/μ_r}, s_r² = μ_r/(βλ)(1 − a_r²)),
//! and the particle chain of eq. (2) when 𝓛̂ ≡ 0 (rows are particles,
//! a = 1 − ηλ/M, s = √(2η/β)). Both are data-free, so the potential the
//! runner passes is ignored.

use super::kernel::Kernel;
use crate::error::{self, Error, Result};
use crate::model::Potential;
use crate::rng::fill_noise;
use crate::space::Coef;
use rand_chacha::rand_core::Rng;

/// W ← a_r W + s_r ε on each row r of an R × q state.
#[derive(Debug, Clone)]
pub struct Ar1 {
    decay: Vec<f64>,
    scale: Vec<f64>,
    noise: Coef,
}

impl Ar1 {
    /// Per-row decays a_r and noise scales s_r for states with `q` columns.
    ///
    /// # Errors
    /// Lists of different lengths or empty, a zero `q`, non-finite entries.
    pub fn new(decay: Vec<f64>, scale: Vec<f64>, q: usize) -> Result<Ar1> {
        error::nonzero("AR(1) rows", decay.len())?;
        error::nonzero("value dimension q", q)?;
        if scale.len() != decay.len() {
            return Err(Error::DimensionMismatch {
                what: "AR(1) noise scales (= rows)",
                expected: decay.len(),
                found: scale.len(),
            });
        }
        error::all_finite("AR(1) decay", &decay)?;
        error::all_finite("AR(1) noise scale", &scale)?;
        let rows = decay.len();
        Ok(Ar1 {
            decay,
            scale,
            noise: Coef::zeros(rows, q),
        })
    }

    /// The same decay and scale on every one of `rows` rows.
    ///
    /// # Errors
    /// As [`Ar1::new`].
    pub fn uniform(rows: usize, q: usize, decay: f64, scale: f64) -> Result<Ar1> {
        Ar1::new(vec![decay; rows], vec![scale; rows], q)
    }
}

impl Kernel for Ar1 {
    type State = Coef;
    type Info = ();

    fn init<P: Potential + ?Sized>(&self, _potential: &P, w0: Coef) -> Result<Coef> {
        if w0.shape() != self.noise.shape() {
            return Err(Error::DimensionMismatch {
                what: "initial state (entries)",
                expected: self.noise.len(),
                found: w0.len(),
            });
        }
        error::all_finite("initial state", w0.as_slice())?;
        Ok(w0)
    }

    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, _potential: &P, rng: &mut R, w: &mut Coef) {
        fill_noise(rng, &mut self.noise);
        for j in 0..w.ncols() {
            for r in 0..w.nrows() {
                w[(r, j)] = self.decay[r] * w[(r, j)] + self.scale[r] * self.noise[(r, j)];
            }
        }
    }
}
