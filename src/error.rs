//! Typed errors: one variant per violated condition (as `statrs` does),
//! plus [`Error::Numerical`] for a computation that failed on valid input.
//!
//! Every public constructor validates its input and returns one of these.
//! The library knows no exit codes: the command line wraps these in its own
//! error, which owns them.

use thiserror::Error;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Every way an input can be rejected. (Variant fields are named for what
/// they hold: the parameter `name`, its `value`, the admissible `range`.)
#[derive(Debug, Clone, PartialEq, Error)]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum Error {
    /// A parameter that must be strictly positive is not.
    #[error("parameter `{name}` must be > 0, got {value}")]
    NonPositive { name: &'static str, value: f64 },
    /// A parameter or data value is NaN or infinite.
    #[error("parameter `{name}` must be finite, got {value}")]
    NonFinite { name: &'static str, value: f64 },
    /// A parameter lies outside its admissible interval.
    #[error("parameter `{name}` must lie in {range}, got {value}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        range: &'static str,
    },
    /// The statements need β > η.
    #[error("the statements need beta > eta, got beta = {beta}, eta = {eta}")]
    BetaNotAboveEta { beta: f64, eta: f64 },
    /// A data set has no points.
    #[error("data set `{name}` is empty")]
    EmptyData { name: &'static str },
    /// Two objects that must agree in size do not.
    #[error("dimension mismatch in `{what}`: expected {expected}, found {found}")]
    DimensionMismatch { what: &'static str, expected: usize, found: usize },
    /// A count that must be at least one is zero.
    #[error("`{name}` must be at least 1")]
    ZeroCount { name: &'static str },
    /// More spectral modes requested than the finite width provides (N > M).
    #[error("modes N = {modes} exceeds the width M = {width}")]
    TooManyModes { modes: usize, width: usize },
    /// The kernel's Gram matrix has a (numerically) non-positive eigenvalue
    /// among the requested modes.
    #[error("eigenvalue mu_{index} = {value:e} of the Gram matrix is not positive enough; use at most {usable} modes")]
    DegenerateSpectrum { index: usize, value: f64, usable: usize },
    /// An input lies outside the model's domain.
    #[error("input `{name}` = {value} lies outside {domain}")]
    OutsideDomain {
        name: &'static str,
        value: f64,
        domain: &'static str,
    },
    /// A statement ID that STATEMENTS.md does not define.
    #[error("unknown statement ID `{0}`")]
    UnknownStatement(String),
    /// An object that needs another kind of object than it was given (e.g.
    /// the two-layer model on the power-law space).
    #[error("{what} needs {needs}")]
    Incompatible { what: &'static str, needs: &'static str },
    /// A trajectory that cannot be checked as asked (e.g. exact conformance
    /// without noise).
    #[error("trajectory: {0}")]
    Trajectory(String),
    /// A computation failed on valid input: a singular solve, a non-finite
    /// value, a search that did not converge.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// A document that is not JSON (a syntax error or a truncated file).
    #[error("invalid JSON in {context}: {message}")]
    Json { context: String, message: String },
    /// A JSON document with a `NaN` or `Infinity` literal (which JSON does
    /// not have; Python's `json` writes them by default).
    #[error("{context}: NaN/Infinity are not allowed in JSON inputs (found `{literal}` at line {line} column {column}; write a finite number, or use null where the field is optional)")]
    NonFiniteJson {
        context: String,
        literal: String,
        line: usize,
        column: usize,
    },
    /// A JSON document that is valid JSON but does not follow its schema
    /// (missing, unknown or mistyped fields): every problem found, each
    /// naming its field.
    #[error("{context} does not follow the schema ({} problem{}): {}", problems.len(), if problems.len() == 1 { "" } else { "s" }, join(problems))]
    Schema { context: String, problems: Vec<SchemaProblem> },
    /// Several violated conditions at once (e.g. a spec with several bad
    /// values), each one its own error.
    #[error("{} problems: {}", .0.len(), join(.0))]
    Several(Vec<Error>),
    /// Reading or writing a file failed.
    #[error("i/o error on `{path}`: {message}")]
    Io { path: String, message: String },
    /// A trajectory does not conform to the reference (a verdict, not bad input).
    #[error("does not conform: {0}")]
    NotConforming(String),
    /// A comparison against committed golden data failed (a verdict, not bad input).
    #[error("golden check failed: {0}")]
    GoldenMismatch(String),
}

/// One problem of a JSON document against its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// Path of the field, dot-separated (`spectrum.c_mu`, `data.x[2]`); `.`
    /// for the whole document.
    pub field: String,
    /// What is wrong with it (`missing`, `unknown field`, `expected a
    /// number, got a string`, …).
    pub message: String,
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

fn join<T: std::fmt::Display>(xs: &[T]) -> String {
    xs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// `Ok(())` when `errors` is empty, the error itself when there is one,
/// [`Error::Several`] when there are more.
pub fn collect(mut errors: Vec<Error>) -> Result<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Several(errors)),
    }
}

/// `Ok(x)` if `x` is finite and strictly positive.
pub fn positive(name: &'static str, x: f64) -> Result<f64> {
    let x = finite(name, x)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(Error::NonPositive { name, value: x })
    }
}

/// `Ok(x)` if `x` is finite.
pub fn finite(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Error::NonFinite { name, value: x })
    }
}

/// `Ok(x)` if `x` lies strictly inside (lo, hi).
pub fn open_interval(name: &'static str, x: f64, lo: f64, hi: f64, range: &'static str) -> Result<f64> {
    let x = finite(name, x)?;
    if x > lo && x < hi {
        Ok(x)
    } else {
        Err(Error::OutOfRange { name, value: x, range })
    }
}

/// `Ok(n)` if `n >= 1`.
pub fn nonzero(name: &'static str, n: usize) -> Result<usize> {
    if n == 0 {
        Err(Error::ZeroCount { name })
    } else {
        Ok(n)
    }
}

/// Checks that every entry of a slice is finite.
pub fn all_finite(name: &'static str, xs: &[f64]) -> Result<()> {
    for &x in xs {
        finite(name, x)?;
    }
    Ok(())
}
