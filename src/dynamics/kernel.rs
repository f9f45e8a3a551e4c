//! The kernel interface, in the BlackJAX shape: `init` a state from W_0,
//! then `step(rng, state) -> info`. The semi-implicit scheme (S6), the
//! explicit-Euler control, pCN-MH (S7) and the synchronous coupling of two
//! step sizes (C-eta) implement it, and the chain runner
//! ([`super::runner`]) drives any of them.
//!
//! A kernel is built once, validated by its constructor, and cloned per
//! chain (it owns its scratch buffers, so clones never share state).

use super::langevin::{Langevin, State, StepInfo};
use super::pcn::{Pcn, PcnInfo, PcnState, TunedPcn};
use crate::error::Result;
use crate::model::Potential;
use crate::space::Coef;
use rand_chacha::rand_core::Rng;

/// One Markov kernel on H_N for a potential 𝓛̂.
pub trait Kernel: Clone + Send + Sync {
    /// The chain's state (at least the point W).
    type State: Send;
    /// What one step reports (e.g. 𝓛̂ at the start point, acceptance).
    type Info;

    /// The state at W_0 (checks its shape against the kernel's).
    ///
    /// # Errors
    /// A W_0 of the wrong shape or with a non-finite coordinate.
    fn init<P: Potential + ?Sized>(&self, potential: &P, w0: Coef) -> Result<Self::State>;

    /// One step, with every random number drawn from `rng`.
    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, potential: &P, rng: &mut R, state: &mut Self::State) -> Self::Info;

    /// One step of each of several chains (`kernels[c]`, `rngs[c]`,
    /// `states[c]`), each ending in the same bytes as after its own
    /// [`Kernel::step`]; a kernel may share work between them (the
    /// Langevin scheme computes their gradients together).
    fn step_many<P: Potential + ?Sized, R: Rng>(
        kernels: &mut [Self],
        potential: &P,
        rngs: &mut [R],
        states: &mut [Self::State],
    ) -> Vec<Self::Info> {
        kernels
            .iter_mut()
            .zip(rngs.iter_mut())
            .zip(states.iter_mut())
            .map(|((k, r), s)| k.step(potential, r, s))
            .collect()
    }
}

impl Kernel for Langevin {
    type State = State;
    type Info = StepInfo;

    fn init<P: Potential + ?Sized>(&self, _potential: &P, w0: Coef) -> Result<State> {
        Langevin::init(self, w0)
    }

    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, potential: &P, rng: &mut R, state: &mut State) -> StepInfo {
        Langevin::step(self, potential, rng, state)
    }

    fn step_many<P: Potential + ?Sized, R: Rng>(
        kernels: &mut [Self],
        potential: &P,
        rngs: &mut [R],
        states: &mut [State],
    ) -> Vec<StepInfo> {
        Langevin::step_chains(kernels, potential, rngs, states)
    }
}

impl Kernel for Pcn {
    type State = PcnState;
    type Info = PcnInfo;

    fn init<P: Potential + ?Sized>(&self, potential: &P, w0: Coef) -> Result<PcnState> {
        self.check_start(&w0)?;
        Ok(Pcn::init(self, potential, w0))
    }

    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, potential: &P, rng: &mut R, state: &mut PcnState) -> PcnInfo {
        Pcn::step(self, potential, rng, state)
    }
}

impl Kernel for TunedPcn {
    type State = PcnState;
    type Info = PcnInfo;

    fn init<P: Potential + ?Sized>(&self, potential: &P, w0: Coef) -> Result<PcnState> {
        Kernel::init(self.pcn(), potential, w0)
    }

    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, potential: &P, rng: &mut R, state: &mut PcnState) -> PcnInfo {
        TunedPcn::step(self, potential, rng, state)
    }
}
