//! Dynamics on H_N: the Langevin chain with its two discretizations (S6 and
//! the explicit-Euler control) and the exact pCN-MH sampler of π_∞ (S7).
//!
//! Every kernel implements [`Kernel`] (`init` / `step`), and one
//! [`ChainRunner`] runs chains of any of them.
//!
//! The integrators know nothing of the statements: they apply one linear
//! update per mode given the gradient and the noise.

pub mod ar1;
pub mod coupling;
pub mod kernel;
pub mod langevin;
pub mod pcn;
pub mod runner;

pub use ar1::Ar1;
pub use coupling::{Coupled, CoupledState};
pub use kernel::Kernel;
pub use langevin::{Discretization, Langevin, State, StepInfo};
pub use pcn::{Pcn, PcnInfo, PcnState, TunedPcn};
pub use runner::{in_chain_order, ChainRun, ChainRunner, Observer, Schedule, Silent, Step};
