//! One module per statement of the paper: formulas, constants and bounds as
//! printed (and as corrected, see `paper/errata.md`). Pure functions, no I/O;
//! statements never import experiments, the CLI or the dynamics.

pub mod a1;
pub mod a2;
pub mod c_eta;
pub mod cf;
pub mod l1;
pub mod p1;
pub mod t1;
pub mod t2;

pub use crate::record::{title, CATALOGUE};
