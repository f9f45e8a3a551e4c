//! # transport-langevin
//!
//! Verified numerical reference implementation of T. Suzuki (NeurIPS 2020),
//! *Generalization bound of globally optimal non-convex neural network
//! training: transportation map estimation by infinite dimensional Langevin
//! dynamics*. Every statement of the paper (IDs of `STATEMENTS.md`) maps to a
//! module, an experiment, tests and golden files (`paper/README.md`).
//!
//! Layers, each using only those below it:
//! 1. ground: [`error`], [`tolerance`], [`record`];
//! 2. numbers: [`space`], [`loss`], [`rng`], [`stats`], [`oracle`], [`fastmath`],
//!    [`golden`], [`report`], [`plot`], [`progress`];
//! 3. models: [`model`];
//! 4. dynamics: [`dynamics`];
//! 5. statements: [`statements`];
//! 6. experiments: [`experiments`];
//! 7. face: [`spec`] and [`conform`] (the oracle for other implementations),
//!    [`cli`].
#![warn(missing_docs)]

pub mod conform;
pub mod dynamics;
pub mod error;
pub mod experiments;
pub mod fastmath;
pub mod golden;
pub mod json;
pub mod loss;
pub mod model;
pub mod oracle;
pub mod plot;
pub mod problems;
pub mod record;
pub mod report;
pub mod rng;
pub mod space;
pub mod spec;
pub mod statements;
pub mod stats;
pub mod tolerance;

pub use error::{Error, Result};
