//! T3 over data sets and margins (issue 15, deliver 4): the expectation
//! E_{D_n}[π_∞({imperfect})] over independent data sets, its decay in β for
//! several teacher margins δ (teacher a e_1 for several amplitudes a), the
//! dependence of the decay rate on δ against the printed exponent
//! δ^{2m/(2m−d)} = δ^{6/5} (m = 3, d = 1), and a control whose rate does not
//! grow with β.
//!
//! Per data set one pCN-MH chain (the scale of [`pcn_scale`]) from W = 0;
//! p_D(β) is its fraction of imperfect records after the burn-in, and p̄(β)
//! is the mean over data sets with the standard error over data sets
//! (independent, so no batch means are needed). The same data sets are used
//! at every β (common random numbers: the errors of p̄ at two β are
//! positively correlated, so the independent-error slope standard error of
//! the weighted fit is conservative).
//!
//! The printed bound E[π({imperfect})] ≲ Ξ_k/δ^{6/5} + exp(−c'βδ^{6/5})
//! says the decay rate r(δ) = −d log p̄/dβ is at least c'δ^{6/5} with one c'
//! for every δ: r may fall no faster than δ^{6/5} as δ → 0. The fitted
//! exponent e of r ∝ δ^e is checked against e ≤ 6/5 (one-sided z test).

use super::t3_classification::{fit_sweep, pcn_scale, problem_with, BetaSweep, Problem, MODES};
use crate::dynamics::runner::in_chain_order;
use crate::dynamics::{ChainRunner, Observer, Pcn, Schedule};
use crate::error::Result;
use crate::space::Coef;
use crate::stats::{fit_line_weighted, iid_estimate, mean};
use serde::Serialize;

/// Sizes of the data-set sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginSettings {
    /// Teacher amplitudes a (margins δ(a)).
    pub amplitudes: Vec<f64>,
    /// β values.
    pub betas: Vec<f64>,
    /// Independent data sets.
    pub data_sets: usize,
    /// Burn-in steps per chain.
    pub burn: usize,
    /// Recorded steps per chain (thinned by 5).
    pub len: usize,
    /// Seed.
    pub seed: u64,
}

impl MarginSettings {
    /// Quick: 16 data sets, a ∈ {4, 9}; full: 50 data sets, a ∈ {4, 6, 9}.
    pub fn new(quick: bool, seed: u64) -> MarginSettings {
        MarginSettings {
            amplitudes: if quick { vec![4.0, 9.0] } else { vec![4.0, 6.0, 9.0] },
            betas: if quick {
                vec![20.0, 40.0, 60.0, 80.0]
            } else {
                vec![20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
            },
            data_sets: if quick { 16 } else { 50 },
            burn: if quick { 800 } else { 2_000 },
            len: if quick { 1_600 } else { 6_000 },
            seed,
        }
    }
}

/// One margin's sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginSweep {
    /// Teacher amplitude a.
    pub amplitude: f64,
    /// δ of A3 for it.
    pub delta: f64,
    /// δ^{6/5}.
    pub delta_pow: f64,
    /// Inverse temperature actually used at each labelled β (β itself,
    /// except in the control).
    pub betas_used: Vec<f64>,
    /// The fit of log p̄ on β.
    pub sweep: BetaSweep,
    /// Implied c' = −slope / δ^{6/5}.
    pub implied_c_prime: f64,
}

fn chain_fraction(p: &Problem, beta: f64, s: &MarginSettings, stream: u64) -> Result<f64> {
    let runner = ChainRunner::new(
        s.seed,
        Schedule {
            chains: 1,
            burn_in: s.burn,
            length: s.len,
            thin: 5,
        },
    )
    .streams_from(stream);
    let kernel = Pcn::new(&p.space, 1, beta, super::t3_classification::LAMBDA, pcn_scale(beta))?;
    let traces = runner.traces(&kernel, &p.model, &Coef::zeros(MODES, 1), |st| {
        Ok(p.imperfect(&st.state.w) as u8 as f64)
    })?;
    Ok(mean(&traces[0]))
}

/// E_D p(β) over `s.data_sets` data sets for teacher amplitude `a`, with
/// the inverse temperature `used(β)` at the point labelled β.
///
/// # Errors
/// Fewer than 3 β with an imperfect draw, or a kernel error.
pub fn margin_sweep(
    s: &MarginSettings,
    a: f64,
    used: impl Fn(f64) -> f64 + Sync,
    stream0: u64,
    observer: &dyn Observer,
) -> Result<MarginSweep> {
    let problems: Vec<Problem> = in_chain_order(s.data_sets, |d| problem_with(a, s.seed, 5_000_000 + d))
        .into_iter()
        .collect::<Result<_>>()?;
    let mut probs = Vec::new();
    let mut ses = Vec::new();
    for (i, &b) in s.betas.iter().enumerate() {
        observer.message(&format!("T3 margins: a = {a}, beta = {b}"));
        let fr: Vec<f64> = in_chain_order(s.data_sets, |d| {
            chain_fraction(&problems[d as usize], used(b), s, stream0 + (i as u64) * 1_000 + d)
        })
        .into_iter()
        .collect::<Result<_>>()?;
        let e = iid_estimate(&fr);
        probs.push(e.mean);
        ses.push(e.stderr);
    }
    let sweep = fit_sweep(&s.betas, probs, ses)?;
    let delta = problems[0].delta;
    let delta_pow = libm::pow(delta, 6.0 / 5.0);
    Ok(MarginSweep {
        amplitude: a,
        delta,
        delta_pow,
        betas_used: s.betas.iter().map(|&b| used(b)).collect(),
        implied_c_prime: -sweep.slope / delta_pow,
        sweep,
    })
}

/// The fitted exponent e of the decay rate r(δ) ∝ δ^e over the margins
/// (weighted least squares on log r, errors se(slope)/r): (e, stderr).
/// NaN when a rate is not positive.
pub fn margin_exponent(sweeps: &[MarginSweep]) -> (f64, f64) {
    if sweeps.len() < 2 || sweeps.iter().any(|m| m.sweep.slope >= 0.0) {
        return (f64::NAN, f64::NAN);
    }
    let x: Vec<f64> = sweeps.iter().map(|m| libm::log(m.delta)).collect();
    let y: Vec<f64> = sweeps.iter().map(|m| libm::log(-m.sweep.slope)).collect();
    let sig: Vec<f64> = sweeps.iter().map(|m| m.sweep.slope_stderr / -m.sweep.slope).collect();
    let (_, e, se, _) = fit_line_weighted(&x, &y, &sig);
    (e, se)
}
