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

/// Every statement ID of `STATEMENTS.md`, in its order, with a short title.
pub const CATALOGUE: [(&str, &str); 25] = [
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
];

/// Title of a statement ID, if it exists.
pub fn title(id: &str) -> Option<&'static str> {
    CATALOGUE.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}
