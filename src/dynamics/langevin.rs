//! The gradient Langevin chain on H_N.
//!
//! > **S6 (eq. 6).** W_{k+1} = W_k − η (A W_{k+1} + ∇𝓛̂(W_k)) + √(2η/β) ε_k
//! > ⇔ W_{k+1} = S_η( W_k − η ∇𝓛̂(W_k) + √(2η/β) ε_k ), S_η = (I + ηA)^{−1},
//! > mode-wise S_η e_k = e_k / (1 + ηλ/μ_k); ε_k has i.i.d. N(0,1)
//! > coefficients on every e_k.
//!
//! The explicit-Euler control W_{k+1} = W_k − η(A W_k + ∇𝓛̂(W_k)) + √(2η/β) ε_k
//! is the same chain with the stiff term taken explicitly: unstable once
//! ηλ/μ_k > 2, so its behaviour depends on the truncation N.
//!
//! API in the BlackJAX shape: [`Langevin::init`] then [`Langevin::step`]
//! (noise drawn from an injected generator) or
//! [`Langevin::step_with_noise`] (noise given, for step-by-step conformance).

use crate::error::{self, Error, Result};
use crate::model::Potential;
use crate::rng::fill_noise;
use crate::space::{Coef, Space};
use rand_chacha::rand_core::Rng;

/// How the linear term A W is discretized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discretization {
    /// S6: implicit in A (the paper's scheme).
    SemiImplicit,
    /// Control: explicit in A.
    ExplicitEuler,
}

/// State of one chain.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Current coefficients W_k (N × q).
    pub w: Coef,
    /// Step counter k.
    pub k: u64,
}

/// What one step saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInfo {
    /// 𝓛̂(W_k) at the state the step started from.
    pub risk: f64,
}

/// The chain: step size η, inverse temperature β, regularization λ.
#[derive(Debug, Clone)]
pub struct Langevin {
    eta: f64,
    beta: f64,
    lambda: f64,
    disc: Discretization,
    /// Per mode: the multiplier of (W − η∇ + noise) (semi-implicit: 1/(1+ηλ/μ_k))
    /// or of W (explicit: 1 − ηλ/μ_k).
    factors: Vec<f64>,
    noise_scale: f64,
    grad: Coef,
    noise: Coef,
}

impl Langevin {
    /// A chain on `space` for a model of value dimension `q`.
    pub fn new(space: &Space, q: usize, eta: f64, beta: f64, lambda: f64, disc: Discretization) -> Result<Langevin> {
        error::positive("eta", eta)?;
        error::positive("beta", beta)?;
        error::positive("lambda", lambda)?;
        error::nonzero("value dimension q", q)?;
        let factors = match disc {
            Discretization::SemiImplicit => space.resolvent_factors(eta, lambda),
            Discretization::ExplicitEuler => space.mu().iter().map(|&m| 1.0 - eta * lambda / m).collect(),
        };
        let n = space.modes();
        Ok(Langevin {
            eta,
            beta,
            lambda,
            disc,
            factors,
            noise_scale: (2.0 * eta / beta).sqrt(),
            grad: Coef::zeros(n, q),
            noise: Coef::zeros(n, q),
        })
    }

    /// Step size η.
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// Inverse temperature β.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Regularization λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The discretization.
    pub fn discretization(&self) -> Discretization {
        self.disc
    }

    /// The per-mode factors (S_η's for the semi-implicit scheme).
    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    /// The noise ε_k that the last [`Langevin::step`] drew (zeros before
    /// the first step).
    pub fn last_noise(&self) -> &Coef {
        &self.noise
    }

    /// The initial state W_0 (N × q).
    pub fn init(&self, w0: Coef) -> Result<State> {
        self.check_shape(&w0, "initial state")?;
        error::all_finite("initial state", w0.as_slice())?;
        Ok(State { w: w0, k: 0 })
    }

    fn check_shape(&self, c: &Coef, what: &'static str) -> Result<()> {
        if c.nrows() != self.grad.nrows() {
            return Err(Error::DimensionMismatch {
                what,
                expected: self.grad.nrows(),
                found: c.nrows(),
            });
        }
        if c.ncols() != self.grad.ncols() {
            return Err(Error::DimensionMismatch {
                what,
                expected: self.grad.ncols(),
                found: c.ncols(),
            });
        }
        Ok(())
    }

    /// One step with noise drawn from `rng` (N·q standard normals, row-major
    /// by mode: mode 0's q coordinates first).
    pub fn step<M: Potential + ?Sized, R: Rng + ?Sized>(&mut self, model: &M, rng: &mut R, state: &mut State) -> StepInfo {
        let mut noise = std::mem::replace(&mut self.noise, Coef::zeros(0, 0));
        fill_noise(rng, &mut noise);
        let info = self.apply(model, state, &noise);
        self.noise = noise;
        info
    }

    /// One step with the given noise ε_k (N × q standard normal coordinates).
    pub fn step_with_noise<M: Potential + ?Sized>(&mut self, model: &M, state: &mut State, noise: &Coef) -> Result<StepInfo> {
        self.check_shape(noise, "noise")?;
        self.check_shape(&state.w, "state")?;
        error::all_finite("noise", noise.as_slice())?;
        Ok(self.apply(model, state, noise))
    }

    pub(crate) fn apply<M: Potential + ?Sized>(&mut self, model: &M, state: &mut State, noise: &Coef) -> StepInfo {
        let risk = model.gradient(&state.w, &mut self.grad);
        self.update(state, noise, risk)
    }

    /// One [`Langevin::step`] of each of C chains on one model, the
    /// gradients computed together ([`Potential::gradients`]: for the
    /// two-layer network one product over C·M rows). Chain c draws its
    /// noise from `rngs[c]` and ends in the same bytes as after its own
    /// `step`.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn step_chains<M: Potential + ?Sized, R: Rng>(
        chains: &mut [Langevin],
        model: &M,
        rngs: &mut [R],
        states: &mut [State],
    ) -> Vec<StepInfo> {
        assert!(
            chains.len() == rngs.len() && chains.len() == states.len(),
            "one scheme, stream and state per chain"
        );
        for (lv, rng) in chains.iter_mut().zip(rngs.iter_mut()) {
            fill_noise(rng, &mut lv.noise);
        }
        let mut risks = vec![0.0; chains.len()];
        {
            let ws: Vec<&Coef> = states.iter().map(|s| &s.w).collect();
            let mut grads: Vec<&mut Coef> = chains.iter_mut().map(|lv| &mut lv.grad).collect();
            model.gradients(&ws, &mut grads, &mut risks);
        }
        chains
            .iter_mut()
            .zip(states.iter_mut())
            .zip(risks)
            .map(|((lv, st), risk)| {
                let noise = std::mem::replace(&mut lv.noise, Coef::zeros(0, 0));
                let info = lv.update(st, &noise, risk);
                lv.noise = noise;
                info
            })
            .collect()
    }

    /// The scheme's update from W_k, the gradient in `self.grad` and the noise.
    fn update(&mut self, state: &mut State, noise: &Coef, risk: f64) -> StepInfo {
        let (n, q) = (state.w.nrows(), state.w.ncols());
        for j in 0..q {
            for k in 0..n {
                let w = state.w[(k, j)];
                let drift = w - self.eta * self.grad[(k, j)] + self.noise_scale * noise[(k, j)];
                state.w[(k, j)] = match self.disc {
                    Discretization::SemiImplicit => self.factors[k] * drift,
                    Discretization::ExplicitEuler => drift - w + self.factors[k] * w,
                };
            }
        }
        state.k += 1;
        StepInfo { risk }
    }
}
