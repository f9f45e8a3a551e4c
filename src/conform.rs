//! `run` and `conform`: our scheme as an oracle for other implementations.
//!
//! # Trajectory format (format_version 1)
//!
//! ```json
//! { "format_version": 1,
//!   "spec": { ... the spec ... },
//!   "problem": { "mu": [...], "x": [[...]], "y": [...], "particles": [[...]],
//!                "second_layer": [...], "basis_values": [[...]], "init": [...] },
//!   "chain": 0,
//!   "states": [[...W_0...], [...W_1...], ...],
//!   "noise":  [[...ε_0...], ...],
//!   "rtol": 1e-9, "atol": 1e-12,
//!   "other_chains": [ {"chain": 1, "states": [...], "noise": [...]}, ... ] }
//! ```
//!
//! `states[k]` is W_k flattened mode by mode (index k·q + j for mode k,
//! coordinate j); `noise[k]` is the standard-normal ε_k that made
//! `states[k+1]` from `states[k]`. `problem` is informational: everything
//! another implementation needs to compute the same steps without our
//! generator or eigensolver (for the networks the basis values e_k(w_m) as
//! an M × N matrix, row per particle; for regression `basis_values`,
//! `particles` and `second_layer` are null: the basis is the cosine basis,
//! evaluated at `x`). `spec`, `problem`, `noise`, `chain`, `rtol` and `atol`
//! are optional when reading. `other_chains` (optional) holds further chains,
//! each with its own `chain`, `states` and (optional) `noise`; `conform`
//! checks every chain and names the one that differs. Every formula of a
//! step: `paper/oracle-maths.md`.

mod statistical;

pub use statistical::{
    chain_stat, check_chain, check_chains, reference, split_rhat, ChainStat, ChainVerdict, ReferenceValue, StatComparison, StatReference,
    StatReport, Verdict, MAX_RHAT, MIN_ESS, REFERENCE_CHAINS, REFERENCE_STREAM, TEST_FUNCTIONS,
};

use crate::dynamics::{ChainRunner, Discretization, Langevin, Pcn, Schedule};
use crate::error::{Error, Result};
use crate::model::Potential;
use crate::space::{flatten, unflatten, Coef};
use crate::spec::{Problem, Spec};
use crate::stats::{iid_estimate, pooled_batch_means};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Current trajectory format version.
pub const TRAJECTORY_VERSION: u32 = 1;

/// Default relative tolerance of `conform`.
pub const DEFAULT_RTOL: f64 = 1e-9;
/// Default absolute tolerance of `conform`.
pub const DEFAULT_ATOL: f64 = 1e-12;

/// A trajectory of one chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trajectory {
    /// Must be [`TRAJECTORY_VERSION`].
    pub format_version: u32,
    /// The spec that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    /// Informational problem data (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Value>,
    /// Chain index (stream of the spec's seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<u64>,
    /// States W_0, W_1, … flattened.
    pub states: Vec<Vec<f64>>,
    /// Noise ε_0, ε_1, … flattened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<Vec<Vec<f64>>>,
    /// Relative tolerance suggested with the trajectory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtol: Option<f64>,
    /// Absolute tolerance suggested with the trajectory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atol: Option<f64>,
    /// Further chains of the same spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_chains: Option<Vec<ChainRecord>>,
    /// States kept every `thin` steps: `states[i]` is W_{i·thin} (default 1;
    /// statistical mode only, as the noise between kept states is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thin: Option<usize>,
}

/// One further chain of a trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainRecord {
    /// Chain index (stream of the spec's seed).
    pub chain: u64,
    /// States W_0, W_1, … flattened.
    pub states: Vec<Vec<f64>>,
    /// Noise ε_0, ε_1, … flattened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<Vec<Vec<f64>>>,
}

/// One chain of a trajectory, borrowed: (index, states, noise).
pub type ChainView<'a> = (u64, &'a [Vec<f64>], Option<&'a [Vec<f64>]>);

impl Trajectory {
    /// Every chain: the top-level one (index `chain`, default 0) first,
    /// then `other_chains`.
    pub fn all_chains(&self) -> Vec<ChainView<'_>> {
        let mut v: Vec<ChainView<'_>> = vec![(self.chain.unwrap_or(0), &self.states, self.noise.as_deref())];
        for c in self.other_chains.iter().flatten() {
            v.push((c.chain, &c.states, c.noise.as_deref()));
        }
        v
    }

    /// Whether every chain carries its noise (exact mode is possible).
    pub fn has_noise(&self) -> bool {
        self.all_chains().iter().all(|c| c.2.is_some())
    }

    /// The same trajectory without any noise (for the statistical mode).
    pub fn without_noise(&self) -> Trajectory {
        Trajectory {
            noise: None,
            other_chains: self
                .other_chains
                .as_ref()
                .map(|cs| cs.iter().map(|c| ChainRecord { noise: None, ..c.clone() }).collect()),
            ..self.clone()
        }
    }
}

/// The informational problem block of a trajectory.
pub fn problem_json(p: &Problem) -> Value {
    let rows = |m: &nalgebra::DMatrix<f64>| -> Vec<Vec<f64>> { (0..m.nrows()).map(|i| m.row(i).iter().copied().collect()).collect() };
    json!({
        "basis": if p.particles.is_some() { "finite-width" } else { "cosine" },
        "mu": p.space.mu(),
        "x": rows(&p.data.x),
        "y": p.data.y.as_slice(),
        "particles": p.particles.as_ref().map(rows),
        "second_layer": p.second_layer.as_ref().map(|a| a.as_slice().to_vec()),
        "basis_values": p.space.basis_values().map(rows),
        "init": flatten(&p.init),
    })
}

/// What `run` produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Per-step summaries over chains (and the pCN summary when asked).
    pub summary: Value,
    /// The trajectory (states and noise) of the first chains, when asked.
    pub trajectory: Option<Trajectory>,
}

struct ChainTrace {
    risk: Vec<f64>,
    sq_norm: Vec<f64>,
    /// W_0, W_t, W_2t, … flattened (t = `every` of [`run_chains`]; empty for 0).
    every_states: Vec<Vec<f64>>,
    states: Vec<Vec<f64>>,
    noise: Vec<Vec<f64>>,
}

/// One point of a chain's record: after step t, W_t, with the noise
/// ε_{t−1} that made it and 𝓛̂(W_{t−1}).
struct Point {
    risk_before: f64,
    sq_norm: f64,
    state: Option<Vec<f64>>,
    every_state: Option<Vec<f64>>,
    noise: Option<Vec<f64>>,
}

/// The scheme's chains of `spec` on streams `first_stream + c`; the states
/// and noise of chains c < `keep` are kept.
/// Runs `spec.chains` chains; the first `keep` keep every state and noise,
/// every chain keeps W_0, W_every, W_2·every, … when `every` > 0.
fn run_chains(spec: &Spec, p: &Problem, first_stream: u64, keep: usize, every: usize) -> Result<Vec<ChainTrace>> {
    let q = p.model.shape().1;
    let kernel = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit)?;
    let runner = ChainRunner::new(spec.seed, Schedule::every_step(spec.chains, spec.steps)).streams_from(first_stream);
    let runs = runner.run(&kernel, &p.model, &p.init, |st| {
        let keep = (st.chain as usize) < keep;
        Ok(Point {
            risk_before: st.info.risk,
            sq_norm: st.state.w.norm_squared(),
            state: keep.then(|| flatten(&st.state.w)),
            every_state: (every > 0 && st.t.is_multiple_of(every)).then(|| flatten(&st.state.w)),
            noise: keep.then(|| flatten(st.kernel.last_noise())),
        })
    })?;
    Ok(runs
        .into_iter()
        .enumerate()
        .map(|(c, r)| {
            // W_0 first, then W_1 … W_T; 𝓛̂ at W_0 … W_{T−1} from the steps,
            // then at W_T.
            let mut t = ChainTrace {
                risk: r.trace.iter().map(|x| x.risk_before).collect(),
                sq_norm: std::iter::once(p.init.norm_squared())
                    .chain(r.trace.iter().map(|x| x.sq_norm))
                    .collect(),
                states: Vec::new(),
                noise: Vec::new(),
                every_states: if every > 0 { vec![flatten(&p.init)] } else { Vec::new() },
            };
            t.risk.push(p.model.value(&r.last.w));
            if c < keep {
                t.states.push(flatten(&p.init));
            }
            for x in r.trace {
                if let Some(w) = x.state {
                    t.states.push(w);
                }
                if let Some(e) = x.noise {
                    t.noise.push(e);
                }
                if let Some(w) = x.every_state {
                    t.every_states.push(w);
                }
            }
            t
        })
        .collect())
}

fn across(chains: &[ChainTrace], f: impl Fn(&ChainTrace) -> &Vec<f64>) -> (Vec<f64>, Vec<f64>) {
    let len = f(&chains[0]).len();
    let mut mean = Vec::with_capacity(len);
    let mut se = Vec::with_capacity(len);
    for k in 0..len {
        let xs: Vec<f64> = chains.iter().map(|c| f(c)[k]).collect();
        let e = iid_estimate(&xs);
        mean.push(e.mean);
        se.push(e.stderr);
    }
    (mean, se)
}

/// Runs the spec: `chains` chains of the scheme (S6) and, with `pcn`, as
/// many pCN-MH chains of π_∞ (S7) of the same length. With `full`, keeps
/// every chain's states and noise.
pub fn run(spec: &Spec, full: bool, pcn: bool) -> Result<RunOutput> {
    run_keeping(spec, if full { spec.chains } else { 0 }, pcn)
}

/// As [`run`], keeping the states and noise of the first `keep` chains
/// (chain 0 at the top level of the trajectory, the others in
/// `other_chains`); no trajectory when `keep` is 0.
pub fn run_keeping(spec: &Spec, keep: usize, pcn: bool) -> Result<RunOutput> {
    let p = spec.build()?;
    let keep = keep.min(spec.chains);
    let traces = run_chains(spec, &p, 0, keep, 0)?;
    let (risk, risk_se) = across(&traces, |t| &t.risk);
    let (sq, sq_se) = across(&traces, |t| &t.sq_norm);
    let mut summary = json!({
        "format_version": TRAJECTORY_VERSION,
        "crate_version": crate::report::CRATE_VERSION,
        "spec": spec,
        "scheme": {
            "steps": (0..=spec.steps).collect::<Vec<_>>(),
            "emp_risk_mean": risk, "emp_risk_stderr": risk_se,
            "sq_norm_mean": sq, "sq_norm_stderr": sq_se,
        },
    });
    if pcn {
        let (n, q) = p.model.shape();
        let kernel = Pcn::new(&p.space, q, spec.beta, spec.lambda, spec.pcn_step)?;
        let runner = ChainRunner::new(spec.seed, Schedule::every_step(spec.chains, spec.steps)).streams_from(1 << 33);
        let runs: Vec<(Vec<f64>, Vec<f64>, usize)> = runner
            .traces(&kernel, &p.model, &Coef::zeros(n, q), |st| {
                Ok((st.state.risk, st.state.w.norm_squared(), st.info.accepted))
            })?
            .into_iter()
            .map(|t| {
                let acc = t.iter().filter(|x| x.2).count();
                (t.iter().map(|x| x.0).collect(), t.iter().map(|x| x.1).collect(), acc)
            })
            .collect();
        let half = |v: &Vec<f64>| v[v.len() / 2..].to_vec();
        let r = pooled_batch_means(&runs.iter().map(|x| half(&x.0)).collect::<Vec<_>>());
        let s = pooled_batch_means(&runs.iter().map(|x| half(&x.1)).collect::<Vec<_>>());
        let acc: usize = runs.iter().map(|x| x.2).sum();
        summary["pcn"] = json!({
            "streams": "seed, 2^33 + chain",
            "acceptance_rate": acc as f64 / (spec.chains * spec.steps) as f64,
            "emp_risk_mean": r.mean, "emp_risk_mcse": r.stderr,
            "sq_norm_mean": s.mean, "sq_norm_mcse": s.stderr,
            "note": "second half of each chain, pooled batch means",
        });
    }
    let trajectory = (keep > 0).then(|| {
        let t0 = &traces[0];
        let others: Vec<ChainRecord> = (1..keep)
            .map(|c| ChainRecord {
                chain: c as u64,
                states: traces[c].states.clone(),
                noise: Some(traces[c].noise.clone()),
            })
            .collect();
        Trajectory {
            format_version: TRAJECTORY_VERSION,
            spec: Some(spec.clone()),
            problem: Some(problem_json(&p)),
            chain: Some(0),
            states: t0.states.clone(),
            noise: Some(t0.noise.clone()),
            rtol: Some(DEFAULT_RTOL),
            atol: Some(DEFAULT_ATOL),
            other_chains: (!others.is_empty()).then_some(others),
            thin: None,
        }
    });
    Ok(RunOutput { summary, trajectory })
}

/// How closely your states must match the reference step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "precision", rename_all = "lowercase")]
pub enum Precision {
    /// Double precision: each coordinate within atol + rtol·|reference|.
    F64 {
        /// Relative tolerance.
        rtol: f64,
        /// Absolute tolerance.
        atol: f64,
    },
    /// Single precision: each step within the float32 rounding bound of
    /// [`f32_allowance`], in the Euclidean norm of the whole state.
    F32,
}

/// Unit roundoff of float32, 2^−24.
pub const F32_UNIT_ROUNDOFF: f64 = 5.960_464_477_539_063e-8;

/// The float32 allowance of one step, ‖reference − yours‖₂ ≤ this
/// (`paper/oracle-maths.md`, section 11): with u = 2^−24, F = max_k f_k,
/// s = √(2η/β) and L = n + M + N the longest sum in the gradient (M = 0
/// for regression),
///
/// 2 u F ( 8 (‖W_k‖ + s‖ε_k‖) + η (8 + 2L) ‖G‖ ).
///
/// Each coordinate of f·((w − ηg) + sε), computed in float32 from float32
/// inputs, is off by at most ≈ 7u f (|w| + η|g| + s|ε|) (six roundings and
/// the rounding of f) plus f η |Δg|, with |Δg| ≲ L u |g| the error of a
/// float32 gradient; summing in ℓ² gives the bracket; the leading 2 covers
/// second-order terms and the rounding of the problem data to float32.
pub fn f32_allowance(spec: &Spec, p: &Problem, w: &Coef, grad: &Coef, noise: &Coef) -> f64 {
    let f = p.space.resolvent_factors(spec.eta, spec.lambda).into_iter().fold(0.0, f64::max);
    let s = (2.0 * spec.eta / spec.beta).sqrt();
    let l = (p.data.len() + p.space.width().unwrap_or(0) + p.space.modes()) as f64;
    2.0 * F32_UNIT_ROUNDOFF * f * (8.0 * (w.norm() + s * noise.norm()) + spec.eta * (8.0 + 2.0 * l) * grad.norm())
}

/// The first step that differs beyond tolerance, in the chain that holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The chain (as the trajectory names it).
    pub chain: u64,
    /// Step index k of the state that differs (W_k).
    pub step: usize,
    /// Flattened coordinate index (f64: the first coordinate beyond
    /// tolerance; f32: the coordinate of largest difference).
    pub coordinate: usize,
    /// Mode of that coordinate.
    pub mode: usize,
    /// Component j of that coordinate.
    pub component: usize,
    /// The reference value (this crate's step from your W_{k−1}).
    pub reference: f64,
    /// Your value.
    pub yours: f64,
    /// |reference − yours| (f64: at the coordinate; f32: ‖·‖₂ of the step).
    pub abs_diff: f64,
    /// The allowed difference (f64: atol + rtol·|reference|; f32: the
    /// step's [`f32_allowance`]).
    pub allowed: f64,
}

/// Result of an exact (noise-given) conformance check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConformReport {
    /// Mode: `exact`.
    pub mode: &'static str,
    /// The tolerance used.
    pub precision: Precision,
    /// Chains checked.
    pub chains_checked: usize,
    /// Steps compared, over all chains.
    pub steps_checked: usize,
    /// Largest difference / allowed difference seen.
    pub worst_ratio: f64,
    /// The first difference beyond tolerance, if any.
    pub first_difference: Option<Difference>,
    /// The reference's intermediate values of the differing step (what
    /// `run --explain` prints), if any.
    pub explain: Option<Value>,
    /// rtol used (f64 precision).
    pub rtol: f64,
    /// atol used (f64 precision).
    pub atol: f64,
}

impl ConformReport {
    /// Whether the trajectory conforms.
    pub fn conforms(&self) -> bool {
        self.first_difference.is_none()
    }
}

/// Compares one state; `allowed_norm` is the float32 allowance (None: f64).
fn compare(step: usize, q: usize, reference: &[f64], yours: &[f64], tol: (Precision, Option<f64>), worst: &mut f64) -> Option<Difference> {
    let diff = |i: usize, d: f64, allowed: f64| Difference {
        chain: 0,
        step,
        coordinate: i,
        mode: i / q,
        component: i % q,
        reference: reference[i],
        yours: yours[i],
        abs_diff: d,
        allowed,
    };
    match tol {
        (Precision::F64 { rtol, atol }, _) => {
            for (i, (&a, &b)) in reference.iter().zip(yours).enumerate() {
                let allowed = atol + rtol * a.abs();
                let d = (a - b).abs();
                *worst = worst.max(d / allowed);
                if d > allowed || !b.is_finite() {
                    return Some(diff(i, d, allowed));
                }
            }
            None
        }
        (Precision::F32, allowed) => {
            let allowed = allowed.unwrap_or(0.0);
            let mut sq = 0.0;
            let mut at = (0, 0.0);
            for (i, (&a, &b)) in reference.iter().zip(yours).enumerate() {
                let d = if b.is_finite() { (a - b).abs() } else { f64::INFINITY };
                sq += d * d;
                if d > at.1 || i == 0 {
                    at = (i, d);
                }
            }
            let norm = sq.sqrt();
            *worst = worst.max(norm / allowed.max(f64::MIN_POSITIVE));
            (norm > allowed || norm.is_nan()).then(|| Difference {
                abs_diff: norm,
                ..diff(at.0, at.1, allowed)
            })
        }
    }
}

/// Checks a trajectory step by step: W_0 against the spec's initial state,
/// then each W_{k+1} against our step from *their* W_k with *their* ε_k
/// (a local check: errors do not accumulate), in double precision.
///
/// # Example
/// ```
/// use transport_langevin::conform::{self, conform_exact};
/// use transport_langevin::Spec;
///
/// // Our own trajectory of the example spec, cut to 5 steps, conforms...
/// let spec = Spec { steps: 5, chains: 1, ..Spec::example() };
/// let mut traj = conform::run(&spec, true, false)?.trajectory.expect("asked for it");
/// let problem = spec.build()?;
/// assert!(conform_exact(&spec, &problem, &traj, 1e-9, 1e-12)?.conforms());
/// // ...and a perturbed state is caught at its own step.
/// traj.states[3][0] += 1e-3;
/// let report = conform_exact(&spec, &problem, &traj, 1e-9, 1e-12)?;
/// assert_eq!(report.first_difference.expect("caught").step, 3);
/// # Ok::<(), transport_langevin::Error>(())
/// ```
///
/// # Errors
/// A trajectory without noise, or whose arrays do not match the spec.
pub fn conform_exact(spec: &Spec, p: &Problem, traj: &Trajectory, rtol: f64, atol: f64) -> Result<ConformReport> {
    conform_exact_with(spec, p, traj, Precision::F64 { rtol, atol })
}

/// [`conform_exact`] at a given precision, for every chain of the
/// trajectory (the first difference names its chain).
///
/// # Errors
/// A chain without noise, or whose arrays do not match the spec.
pub fn conform_exact_with(spec: &Spec, p: &Problem, traj: &Trajectory, precision: Precision) -> Result<ConformReport> {
    let (n, q) = p.model.shape();
    let mut lv = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit)?;
    let init = flatten(&p.init);
    let mut worst: f64 = 0.0;
    let mut steps = 0;
    let mut first = None;
    let mut explain = None;
    if traj.thin.unwrap_or(1) != 1 {
        return Err(Error::Trajectory("exact conformance needs every state (`thin` 1)".into()));
    }
    let chains = traj.all_chains();
    for &(chain, states, noise) in &chains {
        let noise = noise.ok_or_else(|| Error::Trajectory(format!("exact conformance needs `noise` (chain {chain} has none)")))?;
        if states.is_empty() {
            return Err(Error::EmptyData { name: "states" });
        }
        if noise.len() + 1 != states.len() {
            return Err(Error::DimensionMismatch {
                what: "noise entries (= states − 1)",
                expected: states.len() - 1,
                found: noise.len(),
            });
        }
        let s0 = unflatten(&states[0], n, q, "states[0]")?;
        let a0 = matches!(precision, Precision::F32).then(|| 2.0 * F32_UNIT_ROUNDOFF * p.init.norm());
        let mut d = compare(0, q, &init, &flatten(&s0), (precision, a0), &mut worst);
        for k in 0..noise.len() {
            if d.is_some() {
                break;
            }
            let w = unflatten(&states[k], n, q, "states[k]")?;
            let e = unflatten(&noise[k], n, q, "noise[k]")?;
            let next = unflatten(&states[k + 1], n, q, "states[k+1]")?;
            let mut st = lv.init(w.clone())?;
            lv.step_with_noise(&p.model, &mut st, &e)?;
            let allowed = match precision {
                Precision::F32 => {
                    let mut g = Coef::zeros(n, q);
                    p.model.gradient(&w, &mut g);
                    Some(f32_allowance(spec, p, &w, &g, &e))
                }
                Precision::F64 { .. } => None,
            };
            d = compare(k + 1, q, &flatten(&st.w), &flatten(&next), (precision, allowed), &mut worst);
            if d.is_some() {
                explain = Some(explain_step(spec, p, k, &w, &e)?);
            }
            steps += 1;
        }
        if let Some(d) = d {
            first = Some(Difference { chain, ..d });
            break;
        }
    }
    let (rtol, atol) = match precision {
        Precision::F64 { rtol, atol } => (rtol, atol),
        Precision::F32 => (f64::NAN, f64::NAN),
    };
    Ok(ConformReport {
        mode: "exact",
        precision,
        chains_checked: chains.len(),
        steps_checked: steps,
        worst_ratio: worst,
        first_difference: first,
        explain,
        rtol,
        atol,
    })
}

/// The reference's intermediate values of step k from W_k and ε_k: the
/// gradient G = ∇𝓛̂(W_k), ηG, the noise ε_k, s = √(2η/β), the noise term
/// sε_k, drift = (W_k − ηG) + sε_k, the S_η factors f_k = 1/(1 + ηλ/μ_k),
/// W_{k+1} = f ⊙ drift, the predictions f_W(x_i), the loss derivatives
/// ℓ'(y_i, f_W(x_i)) and 𝓛̂(W_k). Matrices are flattened as states are
/// (index mode·q + component).
///
/// # Errors
/// Shapes that do not match the spec; non-finite entries.
pub fn explain_step(spec: &Spec, p: &Problem, k: usize, w: &Coef, noise: &Coef) -> Result<Value> {
    use crate::model::Model;
    let (n, q) = p.model.shape();
    let mut lv = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit)?;
    let mut st = lv.init(w.clone())?;
    lv.step_with_noise(&p.model, &mut st, noise)?;
    let mut g = Coef::zeros(n, q);
    let risk = p.model.gradient(w, &mut g);
    let s = (2.0 * spec.eta / spec.beta).sqrt();
    let eta_g = &g * spec.eta;
    let noise_term = noise * s;
    let drift = (w - &eta_g) + &noise_term;
    let f = p.model.predict_train(w);
    let y = p.model.targets();
    let loss = p.model.loss();
    Ok(json!({
        "step": k,
        "what": "W_{k+1} = S_eta(W_k - eta*G + s*eps_k) coordinate-wise: next[i] = s_eta_factors[i / q] * drift[i]",
        "modes": n, "q": q,
        "state": flatten(w),
        "emp_risk": risk,
        "predictions": f.as_slice(),
        "loss_derivatives": f.iter().zip(y.iter()).map(|(&fi, &yi)| loss.d1(yi, fi)).collect::<Vec<_>>(),
        "gradient": flatten(&g),
        "eta_gradient": flatten(&eta_g),
        "noise": flatten(noise),
        "noise_scale": s,
        "noise_term": flatten(&noise_term),
        "drift": flatten(&drift),
        "s_eta_factors": lv.factors(),
        "next": flatten(&st.w),
    }))
}

/// `run --explain K`: chain `chain` of the spec run to step K (its own
/// stream, as `run` draws it), then [`explain_step`] of step K (W_K and
/// ε_K make W_{K+1}).
///
/// # Errors
/// A chain index ≥ `chains` or a step ≥ `steps`; errors of the scheme.
pub fn explain_run(spec: &Spec, chain: usize, k: usize) -> Result<Value> {
    if chain >= spec.chains {
        return Err(Error::OutOfRange {
            name: "--chain",
            value: chain as f64,
            range: "[0, chains)",
        });
    }
    if k >= spec.steps {
        return Err(Error::OutOfRange {
            name: "--explain",
            value: k as f64,
            range: "[0, steps)",
        });
    }
    let p = spec.build()?;
    let (n, q) = p.model.shape();
    let short = Spec {
        steps: k + 1,
        chains: 1,
        ..spec.clone()
    };
    let t = run_chains(&short, &p, chain as u64, 1, 0)?;
    let w = unflatten(&t[0].states[k], n, q, "states[k]")?;
    let e = unflatten(&t[0].noise[k], n, q, "noise[k]")?;
    let mut v = explain_step(spec, &p, k, &w, &e)?;
    v["chain"] = json!(chain);
    Ok(v)
}

/// Statistical conformance (no noise used): every chain of the trajectory
/// against the reference of its length (exact where a closed form exists,
/// else reference chains), with autocorrelation-aware standard errors, ESS,
/// and three answers (see the `statistical` module docs: reference,
/// estimator, thresholds, inconclusive rule).
///
/// # Errors
/// Fewer than 17 states, chains of different lengths, wrong shapes.
pub fn conform_statistical(spec: &Spec, p: &Problem, traj: &Trajectory) -> Result<StatReport> {
    let chains = traj.all_chains();
    let len = traj.states.len();
    if len < 17 {
        return Err(Error::Trajectory(
            "statistical conformance needs at least 17 states (16 steps)".into(),
        ));
    }
    if let Some(c) = chains.iter().find(|c| c.1.len() != len) {
        return Err(Error::DimensionMismatch {
            what: "states of every chain (= states of the first chain)",
            expected: len,
            found: c.1.len(),
        });
    }
    let thin = traj.thin.unwrap_or(1);
    let steps = (len - 1)
        .checked_mul(thin)
        .filter(|&t| (t as f64) * (spec.chains.max(REFERENCE_CHAINS) as f64) * (p.init.len() as f64) <= crate::spec::MAX_WORK)
        .ok_or(Error::OutOfRange {
            name: "thin",
            value: thin as f64,
            range: "(states − 1) · thin · reference chains · N · q ≤ 1e11",
        })?;
    let r = reference(spec, p, steps, thin)?;
    let views: Vec<(u64, &[Vec<f64>])> = chains.iter().map(|c| (c.0, c.1)).collect();
    check_chains(r, p, &views)
}

/// The specs of the golden conformance vectors (`golden/conformance/<name>.json`),
/// one per model kind.
pub fn conformance_specs() -> Vec<(&'static str, Spec)> {
    use crate::loss::Loss;
    use crate::spec::{ActivationName, DataSpec, Init, ModelSpec, SpectrumSpec, SPEC_VERSION};
    let base = |model, spectrum, data, loss, init, seed| Spec {
        spec_version: SPEC_VERSION,
        model,
        spectrum,
        data,
        loss,
        eta: 0.02,
        beta: 100.0,
        lambda: 0.01,
        steps: 10,
        chains: 1,
        seed,
        init,
        pcn_step: 0.2,
    };
    vec![
        (
            "regression",
            Spec {
                eta: 0.05,
                beta: 50.0,
                lambda: 0.1,
                ..base(
                    ModelSpec::Regression,
                    SpectrumSpec::PowerLaw {
                        c_mu: 1.0,
                        decay: 2.0,
                        modes: 6,
                    },
                    DataSpec::Toy { n: 20, dim: 1, seed: 3 },
                    Loss::Squared,
                    Init::Zero,
                    11,
                )
            },
        ),
        (
            "two-layer",
            base(
                ModelSpec::TwoLayer {
                    width: 8,
                    activation: ActivationName::Tanh,
                },
                SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 6 },
                DataSpec::Toy { n: 16, dim: 2, seed: 5 },
                Loss::Logistic,
                Init::Identity,
                12,
            ),
        ),
        (
            "clipped",
            base(
                ModelSpec::Clipped {
                    width: 8,
                    activation: ActivationName::Tanh,
                    clip_r: 2.0,
                },
                SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 8 },
                DataSpec::Toy { n: 16, dim: 2, seed: 6 },
                Loss::Squared,
                Init::Identity,
                13,
            ),
        ),
    ]
    .into_iter()
    .chain(crate::spec::zoo::conformance_specs())
    .collect()
}
