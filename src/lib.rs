//! # transport-langevin
//!
//! Verified numerical reference implementation of T. Suzuki (NeurIPS 2020),
//! *Generalization bound of globally optimal non-convex neural network
//! training: transportation map estimation by infinite dimensional Langevin
//! dynamics*. Every statement of the paper (IDs of `STATEMENTS.md`) maps to a
//! module, an experiment, tests and golden files (`paper/README.md`).
//!
//! # Use as a library
//!
//! Build a space and a model, run the semi-implicit scheme (S6), sample the
//! invariant measure with pCN-MH (S7):
//!
//! ```
//! use transport_langevin::{ChainRunner, Discretization, Langevin, Pcn, Potential, Schedule, Space};
//! use transport_langevin::problems;
//! use transport_langevin::space::Coef;
//!
//! // Linear-Gaussian regression: 40 points, 6 cosine modes, mu_k = (k+1)^-2.
//! let (space, model, _exact) = problems::linear_gaussian(40, 6, 10.0, 1.0)?;
//! let w0 = Coef::zeros(6, 1);
//!
//! // 100 steps of the scheme: W_{k+1} = S_eta(W_k - eta grad L(W_k) + sqrt(2 eta / beta) eps_k).
//! let scheme = Langevin::new(&space, 1, 0.1, 10.0, 1.0, Discretization::SemiImplicit)?;
//! let runs = ChainRunner::new(7, Schedule::final_state(4, 100)).run(&scheme, &model, &w0, |_| Ok(()))?;
//! assert!(model.value(&runs[0].last.w) < model.value(&w0));
//!
//! // pi_infinity by pCN-MH: 4 chains, 200 burn-in steps, 1000 recorded.
//! let pcn = Pcn::new(&space, 1, 10.0, 1.0, 0.4)?;
//! let schedule = Schedule { chains: 4, burn_in: 200, length: 1000, thin: 1 };
//! let risks = ChainRunner::new(7, schedule).traces(&pcn, &model, &w0, |s| Ok(s.state.risk))?;
//! assert_eq!(risks[3].len(), 1000);
//! # Ok::<(), transport_langevin::Error>(())
//! ```
//!
//! Check another implementation's trajectory with [`conform`] (see the
//! README's oracle section and [`spec::Spec`]).
//!
//! # Layers
//!
//! Each module uses only the layers below it (`ARCHITECTURE.md`):
//! 1. ground: [`error`], [`tolerance`], [`record`], [`stats`], [`json`],
//!    [`figure`];
//! 2. numbers: [`space`], [`loss`], [`rng`], [`fastmath`];
//! 3. models: [`model`] ([`Potential`], [`Model`]);
//! 4. dynamics: [`dynamics`] (kernels and the [`ChainRunner`]);
//! 5. statements: [`statements`] (formulas as printed and as corrected);
//! 6. problems and oracles: [`problems`], [`oracle`];
//! 7. experiments: [`experiments`] (one record per statement);
//! 8. front: [`spec`], [`conform`], [`golden`], [`report`], [`svg_check`]
//!    (and the private renderer of figures). The command line lives in the
//!    binary.
#![warn(missing_docs)]

pub mod conform;
pub mod dynamics;
pub mod error;
pub mod experiments;
pub mod fastmath;
pub mod figure;
pub mod golden;
pub mod json;
pub mod kernels;
pub mod loss;
pub mod model;
pub mod oracle;
mod plot;
pub mod problems;
pub mod record;
pub mod report;
pub mod report_summary;
pub mod rng;
pub mod space;
pub mod spec;
pub mod statements;
pub mod stats;
pub mod svg_check;
pub mod tolerance;

pub use conform::{conform_exact, conform_statistical, Trajectory};
pub use dynamics::{Ar1, ChainRun, ChainRunner, Coupled, Discretization, Kernel, Langevin, Observer, Pcn, Schedule, Silent, TunedPcn};
pub use error::{Error, Result};
pub use loss::Loss;
pub use model::{Activation, Architecture, Data, Layered, Model, OtMap, Potential, Regression, TwoLayer, Variant, ZeroLoss};
pub use record::{Check, Reading, Record, Status};
pub use space::{Coef, Space};
pub use spec::{Problem, Spec};
