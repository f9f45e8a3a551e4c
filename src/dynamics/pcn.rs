//! Exact sampler of the invariant measure π_∞ (S7) on H_N:
//! preconditioned Crank–Nicolson proposals with a Metropolis–Hastings
//! correction.
//!
//! > **S7 (eq. 7).** dπ_∞/dν_β (W) ∝ exp(−β 𝓛̂(W)), ν_β Gaussian on H with
//! > mean 0 and covariance (βA)^{−1}: coordinates independent N(0, μ_k/(βλ)).
//!
//! Proposal W' = √(1 − s²) W + s ξ, ξ ∼ ν_β. It is ν_β-reversible, so the
//! acceptance probability is min(1, exp(−β(𝓛̂(W') − 𝓛̂(W)))) and π_∞ is
//! left exactly invariant (for 𝓛̂ ≡ 0 every proposal is accepted).
//!
//! ## Reference
//! Cotter, Roberts, Stuart, White (2013), "MCMC methods for functions:
//! modifying old algorithms to make them faster", Statist. Sci. 28(3).

use crate::error::{self, Result};
use crate::model::Potential;
use crate::rng::uniform01;
use crate::space::{Coef, Space};
use rand_chacha::rand_core::Rng;

/// The pCN-MH kernel for π_∞ ∝ exp(−β𝓛̂) dν_β.
#[derive(Debug, Clone)]
pub struct Pcn {
    prior_sd: Vec<f64>,
    beta: f64,
    s: f64,
    xi: Coef,
}

/// State: the point and its empirical risk.
#[derive(Debug, Clone, PartialEq)]
pub struct PcnState {
    /// Current W.
    pub w: Coef,
    /// 𝓛̂(W).
    pub risk: f64,
}

/// What one pCN step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PcnInfo {
    /// Whether the proposal was accepted.
    pub accepted: bool,
    /// min(1, exp(−β Δ𝓛̂)).
    pub accept_prob: f64,
}

impl Pcn {
    /// pCN-MH with proposal scale s ∈ (0, 1] for value dimension q.
    pub fn new(space: &Space, q: usize, beta: f64, lambda: f64, s: f64) -> Result<Pcn> {
        error::positive("beta", beta)?;
        error::positive("lambda", lambda)?;
        error::nonzero("value dimension q", q)?;
        let s = error::finite("pcn step s", s)?;
        if !(s > 0.0 && s <= 1.0) {
            return Err(crate::error::Error::OutOfRange {
                name: "pcn step s",
                value: s,
                range: "(0, 1]",
            });
        }
        Ok(Pcn {
            prior_sd: space.prior_variances(beta, lambda).iter().map(|v| v.sqrt()).collect(),
            beta,
            s,
            xi: Coef::zeros(space.modes(), q),
        })
    }

    /// Initial state at `w0`.
    pub fn init<M: Potential + ?Sized>(&self, model: &M, w0: Coef) -> PcnState {
        let risk = model.value(&w0);
        PcnState { w: w0, risk }
    }

    /// Checks that W_0 has the kernel's shape and finite coordinates.
    ///
    /// # Errors
    /// [`crate::Error::DimensionMismatch`] or [`crate::Error::NonFinite`].
    pub fn check_start(&self, w0: &Coef) -> Result<()> {
        for (what, expected, found) in [
            ("initial state (modes)", self.xi.nrows(), w0.nrows()),
            ("initial state (q)", self.xi.ncols(), w0.ncols()),
        ] {
            if expected != found {
                return Err(crate::error::Error::DimensionMismatch { what, expected, found });
            }
        }
        error::all_finite("initial state", w0.as_slice())
    }

    /// A draw from the prior ν_β.
    pub fn prior_draw<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Coef {
        crate::rng::fill_noise(rng, &mut self.xi);
        let mut out = self.xi.clone();
        for k in 0..out.nrows() {
            let sd = self.prior_sd[k];
            out.row_mut(k).iter_mut().for_each(|v| *v *= sd);
        }
        out
    }

    /// One pCN-MH step.
    pub fn step<M: Potential + ?Sized, R: Rng + ?Sized>(&mut self, model: &M, rng: &mut R, state: &mut PcnState) -> PcnInfo {
        let xi = self.prior_draw(rng);
        let c = (1.0 - self.s * self.s).sqrt();
        let proposal = &state.w * c + xi * self.s;
        let new_risk = model.value(&proposal);
        let log_a = -self.beta * (new_risk - state.risk);
        let accept_prob = if log_a >= 0.0 { 1.0 } else { libm::exp(log_a) };
        let u = uniform01(rng);
        let accepted = u < accept_prob;
        if accepted {
            state.w = proposal;
            state.risk = new_risk;
        }
        PcnInfo { accepted, accept_prob }
    }
}

/// pCN-MH whose proposal scale is tuned during its first `adapt_steps`
/// steps, then fixed: in blocks of `block` steps, s ← clamp(s · e^{a − target},
/// 10⁻³, 1) with a the block's acceptance rate. Every step after the
/// adaptation is an exact pCN-MH step, so records taken after a burn-in of
/// at least `adapt_steps` come from a chain that leaves π_∞ invariant.
#[derive(Debug, Clone)]
pub struct TunedPcn {
    pcn: Pcn,
    adapt_steps: usize,
    block: usize,
    target: f64,
    taken: usize,
    accepted_in_block: usize,
}

impl TunedPcn {
    /// Tunes `pcn` (its scale is the starting scale) during `adapt_steps`
    /// steps, in blocks of `block`, towards acceptance `target`.
    ///
    /// # Errors
    /// A zero `block` or a `target` outside (0, 1).
    pub fn new(pcn: Pcn, adapt_steps: usize, block: usize, target: f64) -> Result<TunedPcn> {
        error::nonzero("adaptation block", block)?;
        error::open_interval("target acceptance", target, 0.0, 1.0, "(0, 1)")?;
        Ok(TunedPcn {
            pcn,
            adapt_steps,
            block,
            target,
            taken: 0,
            accepted_in_block: 0,
        })
    }

    /// The pCN-MH kernel with the current proposal scale.
    pub fn pcn(&self) -> &Pcn {
        &self.pcn
    }

    /// One step, adapting s while in the adaptation phase.
    pub fn step<M: Potential + ?Sized, R: Rng + ?Sized>(&mut self, model: &M, rng: &mut R, state: &mut PcnState) -> PcnInfo {
        let info = self.pcn.step(model, rng, state);
        if self.taken < self.adapt_steps {
            self.accepted_in_block += info.accepted as usize;
            if (self.taken + 1).is_multiple_of(self.block) {
                let rate = self.accepted_in_block as f64 / self.block as f64;
                self.pcn.s = (self.pcn.s * libm::exp(rate - self.target)).clamp(1e-3, 1.0);
                self.accepted_in_block = 0;
            }
        }
        self.taken += 1;
        info
    }
}
