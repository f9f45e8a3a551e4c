//! Synchronous coupling of the scheme at step η with the scheme at η/2
//! (used by C-eta to estimate E_{π_η}\[F\] − E_{π_{η/2}}\[F\] with a small
//! variance).
//!
//! One coupled step draws ε₁, ε₂ (in that order, each N × q row-major): the
//! η/2 chain takes two steps with ε₁ then ε₂, and the η chain one step with
//! (ε₁ + ε₂)/√2, the same Brownian increment.

use super::kernel::Kernel;
use super::langevin::{Langevin, State};
use crate::error::{Error, Result};
use crate::model::Potential;
use crate::rng::fill_noise;
use crate::space::Coef;
use rand_chacha::rand_core::Rng;

/// The pair (scheme at η, scheme at η/2).
#[derive(Debug, Clone)]
pub struct Coupled {
    coarse: Langevin,
    fine: Langevin,
    e1: Coef,
    e2: Coef,
}

/// The two coupled states.
#[derive(Debug, Clone, PartialEq)]
pub struct CoupledState {
    /// The chain at step η.
    pub coarse: State,
    /// The chain at step η/2 (two steps per coupled step).
    pub fine: State,
}

impl Coupled {
    /// Couples `coarse` (step η) with `fine` (step η/2, same β, λ, space).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] unless fine's η is half of coarse's and its β
    /// and λ are coarse's; [`Error::DimensionMismatch`] unless both act on
    /// states of one shape.
    pub fn new(coarse: Langevin, fine: Langevin) -> Result<Coupled> {
        for (name, value, wanted, range) in [
            ("fine step", fine.eta(), coarse.eta() / 2.0, "{coarse step / 2}"),
            ("fine beta", fine.beta(), coarse.beta(), "{coarse beta}"),
            ("fine lambda", fine.lambda(), coarse.lambda(), "{coarse lambda}"),
        ] {
            if value != wanted {
                return Err(Error::OutOfRange { name, value, range });
            }
        }
        let shape = coarse.last_noise().shape();
        if fine.last_noise().shape() != shape || fine.factors().len() != coarse.factors().len() {
            return Err(Error::DimensionMismatch {
                what: "fine chain's states (= coarse chain's)",
                expected: coarse.last_noise().len(),
                found: fine.last_noise().len(),
            });
        }
        Ok(Coupled {
            coarse,
            fine,
            e1: Coef::zeros(shape.0, shape.1),
            e2: Coef::zeros(shape.0, shape.1),
        })
    }
}

impl Kernel for Coupled {
    type State = CoupledState;
    type Info = ();

    fn init<P: Potential + ?Sized>(&self, _potential: &P, w0: Coef) -> Result<CoupledState> {
        Ok(CoupledState {
            coarse: self.coarse.init(w0.clone())?,
            fine: self.fine.init(w0)?,
        })
    }

    fn step<P: Potential + ?Sized, R: Rng + ?Sized>(&mut self, potential: &P, rng: &mut R, state: &mut CoupledState) {
        fill_noise(rng, &mut self.e1);
        fill_noise(rng, &mut self.e2);
        let e = (&self.e1 + &self.e2) * std::f64::consts::FRAC_1_SQRT_2;
        self.coarse.apply(potential, &mut state.coarse, &e);
        self.fine.apply(potential, &mut state.fine, &self.e1);
        self.fine.apply(potential, &mut state.fine, &self.e2);
    }
}
