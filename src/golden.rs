//! Golden files: self-describing reference outputs under `golden/`.
//!
//! Format (schema version 1), one JSON object per file `golden/<ID>.json`:
//!
//! ```text
//! { "schema_version": 1, "statement": "S6", "title": "...",
//!   "crate_version": "0.1.0", "rng": "ChaCha20Rng ...", "seed": 20201,
//!   "mode": "quick", "method": "...", "parameters": {...},
//!   "values": [ { "name": "...", "value": 0.1, "stderr": 0.001,
//!                 "tolerance": 1e-10, "theoretical": 0.1 } ] }
//! ```
//!
//! `value` is the seeded measurement, `stderr` its Monte Carlo error,
//! `tolerance` the absolute difference a re-run may show (the values are
//! deterministic functions of the seed; the tolerance only absorbs
//! floating-point differences across platforms). Regenerate with
//! `cargo run --release -- reproduce --quick --bless` (and say why in
//! `CHANGELOG.md`).

use crate::error::{Error, Result};
use crate::record::{Check, CheckKind, Record};
use crate::rng::RNG_NAME;
use crate::tolerance::GOLDEN_DETERMINISTIC_REL;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// Version of the golden-file layout.
pub const GOLDEN_SCHEMA_VERSION: u32 = 1;

/// One golden value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenValue {
    /// The check's name.
    pub name: String,
    /// Measured value.
    pub value: f64,
    /// Its Monte Carlo standard error.
    pub stderr: f64,
    /// Allowed absolute difference on a re-run.
    pub tolerance: f64,
    /// The theoretical value it was compared with.
    pub theoretical: f64,
}

/// One golden file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenFile {
    /// Layout version.
    pub schema_version: u32,
    /// Statement ID.
    pub statement: String,
    /// Statement title.
    pub title: String,
    /// Crate version that wrote it.
    pub crate_version: String,
    /// Generator.
    pub rng: String,
    /// Seed.
    pub seed: u64,
    /// `quick` (the only mode blessed).
    pub mode: String,
    /// How the values were measured.
    pub method: String,
    /// Inputs.
    pub parameters: Value,
    /// The values.
    pub values: Vec<GoldenValue>,
}

impl GoldenFile {
    /// The golden file of a record measured with `seed` in quick mode.
    pub fn from_record(r: &Record, seed: u64) -> GoldenFile {
        GoldenFile {
            schema_version: GOLDEN_SCHEMA_VERSION,
            statement: r.id.clone(),
            title: r.title.clone(),
            crate_version: crate::report::CRATE_VERSION.to_string(),
            rng: RNG_NAME.to_string(),
            seed,
            mode: "quick".to_string(),
            method: r.notes.clone(),
            parameters: r.parameters.clone(),
            values: r
                .checks
                .iter()
                .map(|c| GoldenValue {
                    name: c.name.clone(),
                    value: c.empirical,
                    stderr: c.stderr,
                    tolerance: golden_tolerance(c),
                    theoretical: c.theoretical,
                })
                .collect(),
        }
    }

    /// Parses and validates a golden file.
    pub fn parse(text: &str, context: &str) -> Result<GoldenFile> {
        let g: GoldenFile = crate::json::parse(text, context)?;
        g.validate(context)?;
        Ok(g)
    }

    /// Schema checks beyond the field types.
    pub fn validate(&self, context: &str) -> Result<()> {
        let bad = |field: &str, m: String| Error::Schema {
            context: context.to_string(),
            problems: vec![crate::error::SchemaProblem {
                field: field.to_string(),
                message: m,
            }],
        };
        if self.schema_version != GOLDEN_SCHEMA_VERSION {
            return Err(bad(
                "schema_version",
                format!("{} != {}", self.schema_version, GOLDEN_SCHEMA_VERSION),
            ));
        }
        if crate::record::title(&self.statement).is_none() {
            return Err(bad("statement", format!("unknown statement `{}`", self.statement)));
        }
        if self.values.is_empty() {
            return Err(bad("values", "no values".into()));
        }
        for v in &self.values {
            if !(v.value.is_finite() && v.stderr.is_finite() && v.stderr >= 0.0 && v.tolerance.is_finite() && v.tolerance > 0.0) {
                return Err(bad("values", format!("value `{}` has a non-finite or negative field", v.name)));
            }
        }
        Ok(())
    }

    /// Differences between this file and a new measurement: one line per
    /// value that moved beyond its tolerance, or whose name changed.
    pub fn compare(&self, r: &Record) -> Vec<String> {
        let mut out = Vec::new();
        if r.checks.len() != self.values.len() {
            out.push(format!(
                "{}: {} values in golden, {} measured",
                self.statement,
                self.values.len(),
                r.checks.len()
            ));
            return out;
        }
        for (g, c) in self.values.iter().zip(&r.checks) {
            if g.name != c.name {
                out.push(format!("{}: value `{}` is now `{}`", self.statement, g.name, c.name));
            } else if (g.value - c.empirical).abs() > g.tolerance {
                out.push(format!(
                    "{}: `{}` = {} (golden {} ± {})",
                    self.statement, g.name, c.empirical, g.value, g.tolerance
                ));
            }
        }
        out
    }
}

/// The tolerance a golden value gets. Seeded measurements are deterministic,
/// so they get [`GOLDEN_DETERMINISTIC_REL`] relative. A deterministic error
/// measure checked against a bound (an upper-bound check without standard
/// error, e.g. a finite-difference error) is round-off: its value may move
/// freely below the bound, so its tolerance is the bound itself.
pub fn golden_tolerance(c: &Check) -> f64 {
    let rel = GOLDEN_DETERMINISTIC_REL * c.empirical.abs() + f64::MIN_POSITIVE;
    if c.kind == CheckKind::UpperBound && c.stderr == 0.0 && c.theoretical > 0.0 {
        rel.max(c.theoretical + c.tolerance)
    } else {
        rel
    }
}

/// Reads `dir/<ID>.json` if present.
pub fn read(dir: &Path, id: &str) -> Result<Option<GoldenFile>> {
    let path = dir.join(format!("{id}.json"));
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::json::read_text(&path)?;
    GoldenFile::parse(&text, &path.display().to_string()).map(Some)
}
