//! T2R and C-fast on the network (issue 16, deliver 3): the excess risk of
//! π_∞ for the clipped two-layer teacher–student model of S8, read through
//! S9's T_K^{γ/2} (γ = 1), at β = 1/λ = n, sampled by pCN-MH.
//!
//! Setting: the teacher problem of T1 ([`crate::problems::teacher`]: G = 16
//! grid inputs, uniform noise of half-width 0.2, width M = 6, N = 4 modes,
//! clip R = 1), with the teacher made *realizable*: f* = f_{T_K^{γ/2} W*}
//! for a fixed W* of the student (`W*_{kj} = 2 √μ_k z_kj`, z a fixed
//! standard-normal draw of stream 903 of [`TEACHER_SEED`]). The problem does
//! not depend on the run's seed; the data sets and the chains do.
//!
//! Per n and data set D_n: `chains` chains of [`TunedPcn`] from W = 0
//! (adaptation inside the burn-in), recording the excess risk
//! 𝓛(W) − 𝓛(f*) = (1/G) Σ_g (f*(x_g) − f_W(x_g))² exactly (the population
//! risk on the grid, [`Teacher::population_risk`]). Mixing is diagnosed per
//! data set on that trace: R̂ (Gelman–Rubin) across the chains and the ESS
//! (Geyer) of each chain. A sample size at which some data set has
//! R̂ > [`MAX_RHAT`] or an ESS < [`MIN_ESS`] is reported with its diagnostics
//! and dropped from the fit: never a silent number.
//!
//! θ (`proofs/t2r_network.md`): W* lies in the N-mode space, so
//! ‖W*‖_{H_{K^{s}}} < ∞ for every s and the teacher condition
//! W* ∈ H_{K^{θ(γ+1)}} holds for every θ; the theorem's range θ < 1 − α̃
//! then leaves θ → 1 − α̃ = 3/4 (γ = 1), the strongest printed claim, and
//! that is the exponent checked (slope ≤ −3/4 implies slope ≤ −θ for every
//! admissible θ).

use crate::dynamics::runner::in_chain_order;
use crate::dynamics::{ChainRunner, Observer, Pcn, Schedule, TunedPcn};
use crate::error::Result;
use crate::model::{Model, Reparametrized};
use crate::problems::teacher::{GroupedRisk, Teacher, TeacherSpec, TEACHER};
use crate::rng::{chain_rng, standard_normal_matrix};
use crate::space::Coef;
use crate::statements::cf;
use crate::stats::{effective_sample_size, fit_line, iid_estimate, mean, rhat};
use serde::Serialize;

/// The fixed seed of the network problem (particles and W*).
pub const TEACHER_SEED: u64 = 1_602;
/// γ of S9's T_K^{γ/2} (T2 needs γ > 1/2).
pub const GAMMA: f64 = 1.0;
/// Largest R̂ accepted at a sample size.
pub const MAX_RHAT: f64 = 1.01;
/// Smallest ESS per chain accepted at a sample size.
pub const MIN_ESS: f64 = 400.0;

/// How β (and λ = 1/β) depend on n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum BetaRule {
    /// The printed choice β = 1/λ = n.
    N,
    /// A control: β = 1/λ fixed, a rate that does not grow with n.
    Fixed(f64),
}

impl BetaRule {
    /// β at sample size n.
    pub fn beta(self, n: usize) -> f64 {
        match self {
            BetaRule::N => n as f64,
            BetaRule::Fixed(b) => b,
        }
    }
}

/// Settings of the network sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct NetSettings {
    /// The teacher problem.
    pub spec: TeacherSpec,
    /// Sample sizes (≥ 1.5 decades).
    pub ns: Vec<usize>,
    /// Independent data sets per n.
    pub data_sets: usize,
    /// Sample sizes of the fixed-temperature control (every other n).
    pub control_ns: Vec<usize>,
    /// Data sets per n of the control.
    pub control_data_sets: usize,
    /// Chain schedule per data set (burn-in includes the adaptation).
    pub schedule: Schedule,
    /// Adaptation steps of the tuned pCN (inside the burn-in).
    pub adapt: usize,
    /// Seed of data and chains.
    pub seed: u64,
}

impl NetSettings {
    /// The sweep of `reproduce` (quick or full): eleven n from 32 to 1024
    /// (1.5 decades, ratio √2, rounded), every other one for the control.
    /// A chain's excess-risk trace has an integrated autocorrelation time of
    /// about 20 steps, so 12 000 steps give an ESS near 600 per chain.
    pub fn new(quick: bool, seed: u64) -> NetSettings {
        let ns: Vec<usize> = (0..11)
            .map(|i| libm::round(32.0 * libm::pow(2.0, i as f64 / 2.0)) as usize)
            .collect();
        NetSettings {
            spec: TEACHER,
            control_ns: ns.iter().step_by(2).copied().collect(),
            ns,
            data_sets: if quick { 2 } else { 12 },
            control_data_sets: if quick { 1 } else { 4 },
            schedule: Schedule {
                chains: 4,
                burn_in: 2_000,
                length: if quick { 12_000 } else { 24_000 },
                thin: 6,
            },
            adapt: 1_500,
            seed,
        }
    }
}

/// The realizable teacher problem and W* (reparametrized coordinates).
///
/// # Errors
/// A degenerate Gram spectrum (not for the fixed seed).
pub fn problem(spec: TeacherSpec) -> Result<(Teacher, Coef)> {
    let mut t = Teacher::new(spec, TEACHER_SEED)?;
    let q = 2;
    let z = standard_normal_matrix(&mut chain_rng(TEACHER_SEED, 903), spec.modes, q);
    let mu = t.space.mu().to_vec();
    let w_star = Coef::from_fn(spec.modes, q, |k, j| 2.0 * mu[k].sqrt() * z[(k, j)]);
    let re = Reparametrized::new(t.grid_model.clone(), &t.space, GAMMA)?;
    t.fstar = re.predict_train(&w_star);
    Ok((t, w_star))
}

/// Excess risk 𝓛(W) − 𝓛(f*) of the reparametrized student at W.
pub fn excess_risk(t: &Teacher, re: &Reparametrized<crate::model::TwoLayer>, w: &Coef) -> f64 {
    (&t.fstar - re.predict_train(w)).norm_squared() / t.spec.grid as f64
}

/// One data set's posterior: E_{π_∞}[excess risk] and its mixing diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DataSetRun {
    /// Mean excess risk over all chains' records.
    pub mean: f64,
    /// R̂ of the excess-risk trace across the chains.
    pub rhat: f64,
    /// Smallest per-chain ESS of that trace.
    pub ess_min: f64,
}

/// π_∞ of data set `d` at sample size n (β, λ from `rule`).
///
/// # Errors
/// What the kernel constructors return (not for valid settings).
pub fn data_set_run(s: &NetSettings, t: &Teacher, rule: BetaRule, n: usize, d: u64) -> Result<DataSetRun> {
    let beta = rule.beta(n);
    let stream = (n as u64) * 1_000 + d + if rule == BetaRule::N { 0 } else { 500 };
    let data = t.draw(n, s.seed, 3_000_000 + stream);
    let plain = Reparametrized::new(t.grid_model.clone(), &t.space, GAMMA)?;
    let potential = Reparametrized::new(GroupedRisk::new(t, &data), &t.space, GAMMA)?;
    let s0 = (3.0 / beta.sqrt()).min(1.0);
    let kernel = TunedPcn::new(Pcn::new(&t.space, 2, beta, 1.0 / beta, s0)?, s.adapt, 100, 0.25)?;
    let runner = ChainRunner::new(s.seed, s.schedule).streams_from(4_000_000 + stream * 16);
    let start = Coef::zeros(s.spec.modes, 2);
    let traces = runner.traces(&kernel, &potential, &start, |st| Ok(excess_risk(t, &plain, &st.state.w)))?;
    let all: Vec<f64> = traces.iter().flatten().copied().collect();
    Ok(DataSetRun {
        mean: mean(&all),
        rhat: rhat(&traces),
        ess_min: traces.iter().map(|c| effective_sample_size(c)).fold(f64::INFINITY, f64::min),
    })
}

/// The sweep over n: per n the mean over data sets of E_{π_∞}[excess risk]
/// with its standard error over data sets, the worst diagnostics, and the
/// log–log slope fitted over the sample sizes that mixed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetSweep {
    /// How β depends on n.
    pub beta_rule: BetaRule,
    /// Sample sizes.
    pub ns: Vec<usize>,
    /// Mean excess risk over data sets.
    pub excess_risks: Vec<f64>,
    /// Its standard error over data sets.
    pub stderrs: Vec<f64>,
    /// Largest R̂ over the data sets.
    pub rhat_max: Vec<f64>,
    /// Smallest per-chain ESS over the data sets.
    pub ess_min: Vec<f64>,
    /// Whether every data set mixed (R̂ ≤ MAX_RHAT, ESS ≥ MIN_ESS).
    pub mixed: Vec<bool>,
    /// Sample sizes in the fit (those that mixed).
    pub fitted_ns: Vec<usize>,
    /// Slope of log excess risk on log n (NaN with fewer than 3 points).
    pub slope: f64,
    /// Its residual standard error.
    pub slope_stderr: f64,
    /// θ checked (1 − α̃, the top of the admissible range).
    pub theta: f64,
}

/// Runs the sweep for `rule`.
///
/// # Errors
/// As [`data_set_run`].
pub fn sweep(s: &NetSettings, rule: BetaRule, observer: &dyn Observer) -> Result<NetSweep> {
    let (t, _) = problem(s.spec)?;
    let (ns, data_sets) = match rule {
        BetaRule::N => (s.ns.clone(), s.data_sets),
        BetaRule::Fixed(_) => (s.control_ns.clone(), s.control_data_sets),
    };
    let mut out = NetSweep {
        beta_rule: rule,
        ns: ns.clone(),
        excess_risks: Vec::new(),
        stderrs: Vec::new(),
        rhat_max: Vec::new(),
        ess_min: Vec::new(),
        mixed: Vec::new(),
        fitted_ns: Vec::new(),
        slope: f64::NAN,
        slope_stderr: f64::NAN,
        theta: 1.0 - cf::alpha_tilde(GAMMA),
    };
    for &n in &ns {
        observer.message(&format!("T2R network: n = {n}, beta = {}", rule.beta(n)));
        let runs: Vec<DataSetRun> = in_chain_order(data_sets, |d| data_set_run(s, &t, rule, n, d))
            .into_iter()
            .collect::<Result<_>>()?;
        let e = iid_estimate(&runs.iter().map(|r| r.mean).collect::<Vec<_>>());
        let rh = runs.iter().map(|r| r.rhat).fold(0.0, f64::max);
        let ess = runs.iter().map(|r| r.ess_min).fold(f64::INFINITY, f64::min);
        out.excess_risks.push(e.mean);
        out.stderrs.push(e.stderr);
        out.rhat_max.push(rh);
        out.ess_min.push(ess);
        out.mixed.push(rh <= MAX_RHAT && ess >= MIN_ESS);
    }
    let keep: Vec<usize> = (0..ns.len()).filter(|&i| out.mixed[i]).collect();
    out.fitted_ns = keep.iter().map(|&i| ns[i]).collect();
    if keep.len() >= 3 {
        let lx: Vec<f64> = keep.iter().map(|&i| libm::log(ns[i] as f64)).collect();
        let ly: Vec<f64> = keep.iter().map(|&i| libm::log(out.excess_risks[i])).collect();
        let (_, b, se) = fit_line(&lx, &ly);
        out.slope = b;
        out.slope_stderr = se;
    }
    Ok(out)
}

impl NetSweep {
    /// Decades of n spanned by the fitted points (0 with none).
    pub fn fitted_decades(&self) -> f64 {
        match (self.fitted_ns.first(), self.fitted_ns.last()) {
            (Some(&a), Some(&b)) => libm::log10(b as f64 / a as f64),
            _ => 0.0,
        }
    }

    /// Whether the fit has ≥ 3 points over ≥ 1.5 decades.
    pub fn fit_usable(&self) -> bool {
        self.fitted_ns.len() >= 3 && self.fitted_decades() >= 1.5 - 1e-9
    }

    /// Sample sizes dropped for failed mixing.
    pub fn dropped(&self) -> Vec<usize> {
        self.ns.iter().zip(&self.mixed).filter(|(_, m)| !**m).map(|(n, _)| *n).collect()
    }
}

/// The printed sweep (β = n) and the fixed-temperature control (β = 32, at
/// every other n),
/// computed once per run and shared by T2R and C-fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetSweeps {
    /// β = 1/λ = n.
    pub printed: NetSweep,
    /// β = 1/λ = 32 at every n (a rate that does not grow with n).
    pub fixed_beta: NetSweep,
}

/// Both sweeps.
///
/// # Errors
/// As [`sweep`].
pub fn sweeps(quick: bool, seed: u64, observer: &dyn Observer) -> Result<NetSweeps> {
    let s = NetSettings::new(quick, seed);
    Ok(NetSweeps {
        printed: sweep(&s, BetaRule::N, observer)?,
        fixed_beta: sweep(&s, BetaRule::Fixed(32.0), observer)?,
    })
}
