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
//!   "rtol": 1e-9, "atol": 1e-12 }
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
//! are optional when reading. Every formula of a step: `paper/oracle-maths.md`.

use crate::dynamics::{ChainRunner, Discretization, Langevin, Pcn, Schedule};
use crate::error::{Error, Result};
use crate::model::Potential;
use crate::space::{flatten, unflatten, Coef};
use crate::spec::{Problem, Spec};
use crate::stats::{iid_estimate, pooled_batch_means, z_two_sided, Estimate};
use crate::tolerance::FALSE_FAILURE;
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
    /// The full trajectory of chain 0 with its noise, when asked.
    pub trajectory: Option<Trajectory>,
}

struct ChainTrace {
    risk: Vec<f64>,
    sq_norm: Vec<f64>,
    states: Vec<Vec<f64>>,
    noise: Vec<Vec<f64>>,
}

/// One point of a chain's record: after step t, W_t, with the noise
/// ε_{t−1} that made it and 𝓛̂(W_{t−1}).
struct Point {
    risk_before: f64,
    sq_norm: f64,
    state: Option<Vec<f64>>,
    noise: Option<Vec<f64>>,
}

/// The scheme's chains of `spec` on streams `first_stream + c`; chain 0's
/// states and noise are kept when `keep_first`.
fn run_chains(spec: &Spec, p: &Problem, first_stream: u64, keep_first: bool) -> Result<Vec<ChainTrace>> {
    let q = p.model.shape().1;
    let kernel = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit)?;
    let runner = ChainRunner::new(spec.seed, Schedule::every_step(spec.chains, spec.steps)).streams_from(first_stream);
    let runs = runner.run(&kernel, &p.model, &p.init, |st| {
        let keep = keep_first && st.chain == 0;
        Ok(Point {
            risk_before: st.info.risk,
            sq_norm: st.state.w.norm_squared(),
            state: keep.then(|| flatten(&st.state.w)),
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
            };
            t.risk.push(p.model.value(&r.last.w));
            if keep_first && c == 0 {
                t.states.push(flatten(&p.init));
            }
            for x in r.trace {
                if let Some(w) = x.state {
                    t.states.push(w);
                }
                if let Some(e) = x.noise {
                    t.noise.push(e);
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
/// chain 0's states and noise.
pub fn run(spec: &Spec, full: bool, pcn: bool) -> Result<RunOutput> {
    let p = spec.build()?;
    let traces = run_chains(spec, &p, 0, full)?;
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
    let trajectory = full.then(|| {
        let t0 = &traces[0];
        Trajectory {
            format_version: TRAJECTORY_VERSION,
            spec: Some(spec.clone()),
            problem: Some(problem_json(&p)),
            chain: Some(0),
            states: t0.states.clone(),
            noise: Some(t0.noise.clone()),
            rtol: Some(DEFAULT_RTOL),
            atol: Some(DEFAULT_ATOL),
        }
    });
    Ok(RunOutput { summary, trajectory })
}

/// The first coordinate that differs beyond tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Step index k of the state that differs (W_k).
    pub step: usize,
    /// Flattened coordinate index.
    pub coordinate: usize,
    /// Mode of that coordinate.
    pub mode: usize,
    /// Component j of that coordinate.
    pub component: usize,
    /// The reference value (this crate's step from your W_{k−1}).
    pub reference: f64,
    /// Your value.
    pub yours: f64,
    /// |reference − yours|.
    pub abs_diff: f64,
    /// The allowed difference atol + rtol·|reference|.
    pub allowed: f64,
}

/// Result of an exact (noise-given) conformance check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConformReport {
    /// Mode: `exact`.
    pub mode: &'static str,
    /// Steps compared.
    pub steps_checked: usize,
    /// Largest |reference − yours| / (atol + rtol·|reference|) seen.
    pub worst_ratio: f64,
    /// The first difference beyond tolerance, if any.
    pub first_difference: Option<Difference>,
    /// rtol used.
    pub rtol: f64,
    /// atol used.
    pub atol: f64,
}

impl ConformReport {
    /// Whether the trajectory conforms.
    pub fn conforms(&self) -> bool {
        self.first_difference.is_none()
    }
}

fn compare(step: usize, q: usize, reference: &[f64], yours: &[f64], rtol: f64, atol: f64, worst: &mut f64) -> Option<Difference> {
    for (i, (&a, &b)) in reference.iter().zip(yours).enumerate() {
        let allowed = atol + rtol * a.abs();
        let d = (a - b).abs();
        *worst = worst.max(d / allowed);
        if d > allowed || !b.is_finite() {
            return Some(Difference {
                step,
                coordinate: i,
                mode: i / q,
                component: i % q,
                reference: a,
                yours: b,
                abs_diff: d,
                allowed,
            });
        }
    }
    None
}

/// Checks a trajectory step by step: W_0 against the spec's initial state,
/// then each W_{k+1} against our step from *their* W_k with *their* ε_k
/// (a local check: errors do not accumulate).
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
    let (n, q) = p.model.shape();
    let noise = traj
        .noise
        .as_ref()
        .ok_or_else(|| Error::Trajectory("exact conformance needs `noise`".into()))?;
    if traj.states.is_empty() {
        return Err(Error::EmptyData { name: "states" });
    }
    if noise.len() + 1 != traj.states.len() {
        return Err(Error::DimensionMismatch {
            what: "noise entries (= states − 1)",
            expected: traj.states.len() - 1,
            found: noise.len(),
        });
    }
    let mut worst: f64 = 0.0;
    let init = flatten(&p.init);
    let s0 = unflatten(&traj.states[0], n, q, "states[0]")?;
    let mut first = compare(0, q, &init, &flatten(&s0), rtol, atol, &mut worst);
    let mut lv = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit)?;
    let mut steps = 0;
    for k in 0..noise.len() {
        if first.is_some() {
            break;
        }
        let w = unflatten(&traj.states[k], n, q, "states[k]")?;
        let e = unflatten(&noise[k], n, q, "noise[k]")?;
        let next = unflatten(&traj.states[k + 1], n, q, "states[k+1]")?;
        let mut st = lv.init(w)?;
        lv.step_with_noise(&p.model, &mut st, &e)?;
        first = compare(k + 1, q, &flatten(&st.w), &flatten(&next), rtol, atol, &mut worst);
        steps += 1;
    }
    Ok(ConformReport {
        mode: "exact",
        steps_checked: steps,
        worst_ratio: worst,
        first_difference: first,
        rtol,
        atol,
    })
}

/// Result of a statistical conformance check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatReport {
    /// Mode: `statistical`.
    pub mode: &'static str,
    /// Per test function: (name, yours, reference, z).
    pub comparisons: Vec<StatComparison>,
    /// |z| threshold at the family false-failure probability.
    pub threshold: f64,
    /// Family false-failure probability.
    pub false_failure_prob: f64,
}

/// One statistical comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatComparison {
    /// Test function.
    pub name: &'static str,
    /// Your mean with MCSE (second half of your trajectory, batch means).
    pub yours: (f64, f64),
    /// The reference mean with MCSE (second half of this crate's chains,
    /// pooled batch means).
    pub reference: (f64, f64),
    /// (yours − reference)/√(se² + se²).
    pub z: f64,
}

impl StatReport {
    /// Whether every |z| is within the threshold.
    pub fn conforms(&self) -> bool {
        self.comparisons.iter().all(|c| c.z.abs() <= self.threshold)
    }
}

/// Statistical conformance (no noise given): compares the second-half means
/// of 𝓛̂ and ‖W‖² along your trajectory with the reference's from `spec.chains`
/// (at least 4) chains of the same length, by z tests at family
/// false-failure probability [`FALSE_FAILURE`]. Both MCSEs are batch means,
/// so the chains must be long compared with their autocorrelation time.
pub fn conform_statistical(spec: &Spec, p: &Problem, traj: &Trajectory) -> Result<StatReport> {
    let (n, q) = p.model.shape();
    if traj.states.len() < 16 {
        return Err(Error::Trajectory("statistical conformance needs at least 16 states".into()));
    }
    let mut risk = Vec::new();
    let mut sq = Vec::new();
    for s in traj.states.iter().skip(traj.states.len() / 2) {
        let w = unflatten(s, n, q, "states[k]")?;
        risk.push(p.model.value(&w));
        sq.push(w.norm_squared());
    }
    let ours_spec = Spec {
        steps: traj.states.len() - 1,
        chains: spec.chains.max(4),
        ..spec.clone()
    };
    // Streams 2^34 + c: independent of every chain a `run` of this spec writes.
    let traces = run_chains(&ours_spec, p, 1 << 34, false)?;
    let half = |v: &Vec<f64>| v[v.len() / 2..].to_vec();
    let ours_r = pooled_batch_means(&traces.iter().map(|t| half(&t.risk)).collect::<Vec<_>>());
    let ours_s = pooled_batch_means(&traces.iter().map(|t| half(&t.sq_norm)).collect::<Vec<_>>());
    let theirs_r = pooled_batch_means(&[risk]);
    let theirs_s = pooled_batch_means(&[sq]);
    let cmp = |name, a: Estimate, b: Estimate| StatComparison {
        name,
        yours: (a.mean, a.stderr),
        reference: (b.mean, b.stderr),
        z: (a.mean - b.mean) / (a.stderr * a.stderr + b.stderr * b.stderr).sqrt().max(1e-300),
    };
    Ok(StatReport {
        mode: "statistical",
        comparisons: vec![cmp("emp_risk", theirs_r, ours_r), cmp("sq_norm", theirs_s, ours_s)],
        threshold: z_two_sided(FALSE_FAILURE / 2.0),
        false_failure_prob: FALSE_FAILURE,
    })
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
