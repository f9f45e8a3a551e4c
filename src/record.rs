//! The verdict record: one per statement ID, held in `summary.json`.
//!
//! A record states its inputs (`parameters`), the theoretical value or bound
//! (`theoretical`), the measured value with its Monte Carlo error
//! (`empirical`), the individual comparisons (`checks`: value, standard
//! error, ratio, tolerance, false-failure probability) and a verdict
//! (`status`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Version of the `summary.json` layout.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// The verdict of one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every check passed and the bound is not loose by more than 10×.
    Holds,
    /// Every check passed; the bound holds but is loose (ratio > 10).
    HoldsWithSlack,
    /// A check failed beyond its statistical tolerance.
    Violated,
    /// The printed formula disagrees with the numbers; the corrected form is
    /// tested and recorded in `paper/errata.md`.
    PrintedFormulaWrong,
    /// The checks passed but a control was not rejected: the test could not
    /// have failed, so it says nothing either way.
    Inconclusive,
    /// Not measured yet: nothing is claimed.
    NotYetImplemented,
}

impl Status {
    /// The kebab-case name used in JSON and in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::HoldsWithSlack => "holds-with-slack",
            Status::Violated => "violated",
            Status::PrintedFormulaWrong => "printed-formula-wrong",
            Status::Inconclusive => "inconclusive",
            Status::NotYetImplemented => "not-yet-implemented",
        }
    }
}

/// What a check asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// |empirical − theoretical| ≤ tolerance.
    #[default]
    Equal,
    /// empirical ≤ theoretical + tolerance (`theoretical` is a bound).
    UpperBound,
}

/// One comparison of a theoretical value with a measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What is compared.
    pub name: String,
    /// Equality or bound.
    #[serde(default)]
    pub kind: CheckKind,
    /// Theoretical value (closed form, or bound).
    pub theoretical: f64,
    /// Measured value.
    pub empirical: f64,
    /// Standard error of `empirical` (0 for deterministic quantities).
    pub stderr: f64,
    /// `empirical / theoretical` (NaN-free: 0 when theoretical is 0).
    pub ratio: f64,
    /// Allowed |empirical − theoretical| (for bounds: the allowed excess).
    pub tolerance: f64,
    /// Probability that a correct implementation fails this check.
    pub false_failure_prob: f64,
    /// Whether the check passed. For a control: whether the deliberately
    /// wrong variant was rejected.
    pub passed: bool,
    /// A control: the same test, same data and tolerance, applied to a
    /// deliberately wrong variant of the claim or of the dynamics (see
    /// [`Check::control_of`]). Absent from JSON when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub control: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Check {
    /// An equality check |emp − theo| ≤ tol.
    pub fn equal(name: &str, theoretical: f64, empirical: f64, stderr: f64, tolerance: f64, false_failure_prob: f64) -> Check {
        let passed = (empirical - theoretical).abs() <= tolerance;
        Check {
            name: name.to_string(),
            kind: CheckKind::Equal,
            theoretical,
            empirical,
            stderr,
            ratio: ratio(empirical, theoretical),
            tolerance,
            false_failure_prob,
            passed,
            control: false,
        }
    }

    /// A one-sided bound check emp ≤ bound + tol.
    pub fn upper_bound(name: &str, bound: f64, empirical: f64, stderr: f64, tolerance: f64, false_failure_prob: f64) -> Check {
        let passed = empirical <= bound + tolerance;
        Check {
            name: name.to_string(),
            kind: CheckKind::UpperBound,
            theoretical: bound,
            empirical,
            stderr,
            ratio: ratio(empirical, bound),
            tolerance,
            false_failure_prob,
            passed,
            control: false,
        }
    }
}

impl Check {
    /// The control made of `test`: `test` is the usual check computed on a
    /// deliberately wrong variant (a rate faster by a stated factor, a
    /// changed exponent, the wrong temperature, a missing √2), and the
    /// control passes when that test *fails*, i.e. the wrong variant is
    /// rejected. Its name says what was made wrong.
    ///
    /// ```
    /// use transport_langevin::record::Check;
    /// // The true value is 1.0 ± 0.01; the variant "rate × 2" measures 2.0.
    /// let c = Check::control_of("rate x2 (control)", Check::equal("rate", 1.0, 2.0, 0.01, 0.05, 1e-3));
    /// assert!(c.control && c.passed);
    /// ```
    pub fn control_of(name: &str, test: Check) -> Check {
        Check {
            name: name.to_string(),
            passed: !test.passed,
            control: true,
            ..test
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// The record of one statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Statement ID of STATEMENTS.md.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Verdict.
    pub status: Status,
    /// Inputs of the measurement.
    pub parameters: Value,
    /// Theoretical values or bounds.
    pub theoretical: Value,
    /// Measured values with standard errors.
    pub empirical: Value,
    /// Individual comparisons.
    pub checks: Vec<Check>,
    /// Paths of files written as evidence (relative to the output folder).
    pub evidence: Vec<String>,
    /// One paragraph of explanation (method, caveats, errata pointers).
    pub notes: String,
    /// Where the printed statement admits several readings: the verdict
    /// under each. `status` is the verdict under the reading that the
    /// statement's proof technique requires. Absent from JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<Reading>,
}

/// The verdict of a statement under one reading of its printed form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The reading, in words (e.g. "δ free in (0, 1)").
    pub reading: String,
    /// The verdict under it.
    pub status: Status,
    /// The decisive numbers, or a pointer to the checks and errata.
    pub evidence: String,
}

impl Record {
    /// The head of the record of statement `id`: its ID and title, status
    /// not-yet-implemented and every other field empty. Experiments fill
    /// the rest with struct update syntax, `Record { checks, .., ..Record::for_statement("S6") }`.
    /// An ID outside [`CATALOGUE`] gets an empty title (the catalogue test
    /// keeps every experiment's ID in it).
    pub fn for_statement(id: &str) -> Record {
        Record::not_yet_implemented(id, title(id).unwrap_or_default())
    }

    /// A record that honestly says the statement is not measured yet.
    pub fn not_yet_implemented(id: &str, title: &str) -> Record {
        Record {
            id: id.to_string(),
            title: title.to_string(),
            status: Status::NotYetImplemented,
            parameters: json!({}),
            theoretical: json!({}),
            empirical: json!({}),
            checks: Vec::new(),
            evidence: Vec::new(),
            notes: "not measured yet; nothing is claimed".to_string(),
            readings: Vec::new(),
        }
    }

    /// Verdict from the checks: `Violated` if any claim check failed,
    /// otherwise `Inconclusive` if a control was not rejected, otherwise
    /// `Holds`.
    pub fn status_from_checks(checks: &[Check]) -> Status {
        if checks.iter().any(|c| !c.control && !c.passed) {
            Status::Violated
        } else if checks.iter().any(|c| c.control && !c.passed) {
            Status::Inconclusive
        } else {
            Status::Holds
        }
    }
}

/// Every statement ID of `STATEMENTS.md`, in its order, with a short title.
pub const CATALOGUE: [(&str, &str); 29] = [
    ("S1", "Data, losses, risks"),
    ("S2", "Motivating two-layer network, noisy gradient step (eq. 2)"),
    ("S3", "The lift: training as a transport map"),
    ("S4", "General formulation: RKHS, regularization operator A"),
    ("S5", "Continuous dynamics (eq. 5)"),
    ("S6", "Semi-implicit Euler scheme (eq. 6)"),
    ("S7", "Invariant measure (eq. 7)"),
    ("S8", "Clipped two-layer model of Sec. 4"),
    ("S9", "Smoothness scale of the parameter"),
    ("R1", "Remark 1: finite width"),
    ("A1", "Assumption 1: eigenvalue decay, smooth gradient, third derivative"),
    ("A2", "Assumption 2: Bernstein and predictor conditions"),
    ("A3", "Assumption 3: strong low noise"),
    ("A4", "Assumption 4: input density and smoothness"),
    ("P1", "Proposition 1: optimization and discretization error"),
    ("T1", "Theorem 1: generalization gap (PAC-Bayes stability)"),
    ("L1", "Lemma 1: Lipschitz continuity of the clipped model"),
    ("CF", "Concentration function of the GP prior"),
    ("T2", "Theorem 2: excess risk, fast rate"),
    ("T2R", "Theorem 2, regression example"),
    ("T3", "Theorem 3: exponential convergence of classification error"),
    ("C-width", "Claim: size-independent convergence rate"),
    ("C-gap", "Claim: generalization gap O(1/sqrt(n)) at stationarity"),
    ("C-fast", "Claim: excess risk faster than 1/sqrt(n)"),
    ("C-eta", "Claim: time-discretization error of order eta^{1/2}, sharp"),
    ("Z-discrete", "Two-layer network, discrete topology, as an instance of S4"),
    ("Z-deep", "Deep network as an instance of S4"),
    ("Z-resnet", "ResNet as an instance of S4"),
    ("Z-ot", "Wasserstein optimal transport map as an instance of S4"),
];

/// Title of a statement ID, if it exists.
pub fn title(id: &str) -> Option<&'static str> {
    CATALOGUE.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}
