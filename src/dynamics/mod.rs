//! Dynamics on H_N: the Langevin chain with its two discretizations (S6 and
//! the explicit-Euler control) and the exact pCN-MH sampler of π_∞ (S7).
//!
//! The integrators know nothing of the statements: they apply one linear
//! update per mode given the gradient and the noise.

pub mod langevin;
pub mod pcn;

pub use langevin::{Discretization, Langevin, State, StepInfo};
pub use pcn::{Pcn, PcnInfo, PcnState};
