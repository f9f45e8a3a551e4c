//! C-eta's `two-layer` setting: the clipped network (S8) on a finite-width
//! space, where no closed form exists. Level differences
//! D(η) = E_{π_η}\[F\] − E_{π_{η/2}}\[F\] from synchronously coupled chains
//! ([`Coupled`]) over the ladder η_j = 0.32·2^{−j}; the error telescoped
//! with a bracketed geometric tail; a cross-check at η_0 of independent
//! scheme chains against pCN-MH.

use super::Sweep;
use crate::dynamics::{ChainRunner, Coupled, Observer, Pcn, Schedule};
use crate::error::Result;
use crate::problems::{two_layer_problem, TwoLayerProblem, TWO_LAYER};
use crate::record::Check;
use crate::statements::c_eta;
use crate::stats::{z_two_sided, Estimate};
use serde::Serialize;

/// Pooled batch-means estimates of the three test functions from per-chain
/// traces.
fn pooled3(traces: Vec<Vec<[f64; 3]>>) -> [Estimate; 3] {
    let mut out = [Estimate { mean: 0.0, stderr: 0.0 }; 3];
    for (j, o) in out.iter_mut().enumerate() {
        let per: Vec<Vec<f64>> = traces.iter().map(|t| t.iter().map(|v| v[j]).collect()).collect();
        *o = crate::stats::pooled_batch_means(&per);
    }
    out
}

/// Chains of a two-layer budget on streams `(stream << 20) + chain`.
fn runner(b: Schedule, seed: u64, stream: u64) -> ChainRunner<'static> {
    ChainRunner::new(seed, b).streams_from(stream << 20)
}

/// D(η) = E_{π_η}\[F\] − E_{π_{η/2}}\[F\] for the three test functions from
/// synchronously coupled chains ([`Coupled`]: the η chain steps with
/// (ε₁ + ε₂)/√2 while the η/2 chain takes two steps with ε₁, ε₂, the same
/// Brownian increment), both from W = 0; `b.chains` independent pairs
/// (streams `(stream << 20) + chain`); pooled batch means of
/// F(coarse) − F(fine).
pub fn coupled_difference(p: &TwoLayerProblem, eta: f64, b: Schedule, seed: u64, stream: u64) -> Result<[Estimate; 3]> {
    let kernel = Coupled::new(p.langevin(eta)?, p.langevin(eta / 2.0)?)?;
    let traces = runner(b, seed, stream).traces(&kernel, &p.model, &p.start(), |st| {
        let (a, f) = (p.f(&st.state.coarse.w)?, p.f(&st.state.fine.w)?);
        Ok([a[0] - f[0], a[1] - f[1], a[2] - f[2]])
    })?;
    Ok(pooled3(traces))
}

/// E_{π_η}\[F\] from `b.chains` independent chains of the scheme from W = 0.
pub fn scheme_means(p: &TwoLayerProblem, eta: f64, b: Schedule, seed: u64, stream: u64) -> Result<[Estimate; 3]> {
    let kernel = p.langevin(eta)?;
    Ok(pooled3(
        runner(b, seed, stream).traces(&kernel, &p.model, &p.start(), |st| p.f(&st.state.w))?,
    ))
}

/// pCN proposal scale of the two-layer setting.
pub const TWO_LAYER_PCN_STEP: f64 = 0.5;

/// E_{π_∞}\[F\] from `b.chains` independent pCN-MH chains (the kernel of
/// `s7_pcn`) from W = 0.
pub fn pcn_means(p: &TwoLayerProblem, b: Schedule, seed: u64, stream: u64) -> Result<[Estimate; 3]> {
    let s = p.setting;
    let kernel = Pcn::new(&p.space, p.q(), s.beta, s.lambda, TWO_LAYER_PCN_STEP)?;
    Ok(pooled3(
        runner(b, seed, stream).traces(&kernel, &p.model, &p.start(), |st| p.f(&st.state.w))?,
    ))
}

/// Step sizes of the two-layer ladder: η_j = 0.32 · 2^{−j}, j = 0..5
/// (0.32 down to 0.01, 1.5 decades).
pub fn two_layer_etas() -> Vec<f64> {
    (0..6).map(|j| 0.32 / (1u64 << j) as f64).collect()
}

/// Budgets of the two-layer setting for step η (quick, full): coupled pairs
/// run `L/η` coarse steps after a burn-in of 20 relaxation times μ_0/(ηλ).
pub fn two_layer_budget(p: &TwoLayerProblem, eta: f64, quick: bool) -> Schedule {
    let relax = p.space.mu()[0] / (eta * p.setting.lambda);
    let l = if quick { 30.0 } else { 3000.0 };
    Schedule {
        chains: 8,
        burn_in: (20.0 * relax).ceil() as usize,
        length: (l / eta).ceil() as usize,
        thin: 5,
    }
}

/// The two-layer result: the three sweeps and the cross-check at η_0.
#[derive(Debug, Clone, Serialize)]
pub struct TwoLayerResult {
    /// Sweeps (`two-layer` × sq_norm, emp_risk, pop_risk).
    pub sweeps: Vec<Sweep>,
    /// Coupled level differences D(η_j) (per test function) with stderrs.
    pub level_differences: Vec<Vec<(f64, f64)>>,
    /// Direct E_{π_{η_0}}\[F\] − E_{π_∞}\[F\] (scheme chains vs pCN) per test function, with stderr.
    pub direct_error: Vec<(f64, f64)>,
    /// Half-width of the bracket of the telescoping tail, per test function.
    pub tail_half_width: Vec<f64>,
}

/// The telescoping tail Σ_{i>J} D(η_J 2^{−(i−J)}) when D(η) ∝ η^p with
/// p ∈ [p_loc, 1]: D_J · r/(1 − r), r = 2^{−p}, bracketed by p = 1
/// (tail = D_J) and p = p_loc (the local order log₂(D_{J−1}/D_J), clamped to
/// [1/2, 1]: at finite N the order tends to 1 as η → 0, the finite-dimensional
/// weak order of the invariant law). Returns (midpoint, half-width).
pub fn telescoping_tail(d_prev: f64, d_last: f64) -> (f64, f64) {
    let ratio = d_prev / d_last;
    let p_loc = if ratio > 1.0 { libm::log2(ratio).clamp(0.5, 1.0) } else { 0.5 };
    let r = libm::pow(2.0, -p_loc);
    let (a, b) = (d_last, d_last * r / (1.0 - r));
    (0.5 * (a + b), 0.5 * (b - a).abs())
}

/// The two-layer sweeps. The order of each test function is fitted on the
/// coupled level differences D(η_j) (independent across j; if the error is
/// C η^p then D(η) = C(1 − 2^{−p}) η^p has the same order), with
/// [`c_eta::fit_order`] (least squares on log|D|, MC errors propagated by
/// the delta method). The reported errors are the telescoping sums
/// E_{π_{η_j}}F − E_{π_∞}F = Σ_{i≥j} D(η_i) + tail ([`telescoping_tail`],
/// midpoint); their stderrs add the level stderrs in quadrature (the tail
/// counted as proportional to D(η_5)); the tail's bracket half-width is
/// returned separately. The direct difference at η_0 (scheme chains vs
/// pCN-MH) is returned for the cross-check.
pub fn two_layer_sweeps(quick: bool, seed: u64, observer: &dyn Observer) -> Result<TwoLayerResult> {
    let p = two_layer_problem(TWO_LAYER, seed)?;
    let etas = two_layer_etas();
    let mut levels = Vec::new();
    for (j, &eta) in etas.iter().enumerate() {
        observer.message(&format!("C-eta two-layer: eta = {eta}"));
        levels.push(coupled_difference(&p, eta, two_layer_budget(&p, eta, quick), seed, 100 + j as u64)?);
    }
    let names = ["sq_norm", "emp_risk", "pop_risk"];
    let mut sweeps = Vec::new();
    let mut level_differences = Vec::new();
    let mut tail_half_width = Vec::new();
    for (f, name) in names.iter().enumerate() {
        let d: Vec<f64> = levels.iter().map(|l| l[f].mean).collect();
        let se: Vec<f64> = levels.iter().map(|l| l[f].stderr).collect();
        let fit = c_eta::fit_order(&etas, &d, &se)?;
        let last = etas.len() - 1;
        let (tail, half) = telescoping_tail(d[last - 1], d[last]);
        let tail_factor = 1.0 + tail / d[last];
        let mut errors = Vec::new();
        let mut stderrs = Vec::new();
        for j in 0..etas.len() {
            let sum: f64 = d[j..].iter().sum::<f64>() + tail;
            let var: f64 = se[j..last].iter().map(|s| s * s).sum::<f64>() + (se[last] * tail_factor).powi(2);
            errors.push(sum);
            stderrs.push(var.sqrt());
        }
        tail_half_width.push(half);
        level_differences.push(d.iter().copied().zip(se.iter().copied()).collect());
        sweeps.push(Sweep {
            name: "two-layer".into(),
            test_function: (*name).into(),
            etas: etas.clone(),
            errors,
            stderrs,
            order: fit.order,
            order_stderr: fit.order_stderr,
            intercept: fit.intercept,
        });
    }
    let b = two_layer_budget(&p, etas[0], quick);
    let cross = Schedule {
        chains: 8,
        burn_in: b.burn_in.max(2000),
        length: if quick { 20_000 } else { 400_000 },
        thin: 5,
    };
    let scheme = scheme_means(&p, etas[0], cross, seed, 200)?;
    let pcn = pcn_means(&p, cross, seed, 201)?;
    let direct_error = (0..3)
        .map(|f| {
            (
                scheme[f].mean - pcn[f].mean,
                (scheme[f].stderr.powi(2) + pcn[f].stderr.powi(2)).sqrt(),
            )
        })
        .collect();
    Ok(TwoLayerResult {
        sweeps,
        level_differences,
        direct_error,
        tail_half_width,
    })
}

/// The cross-check of test function `f` at η_0: the telescoped error
/// (coupled differences) against the direct difference (scheme vs pCN-MH),
/// z test at false-failure probability `alpha` on the combined MC stderr,
/// widened by the tail bracket's half-width (a bound, not a statistical term).
pub fn two_layer_cross_check(r: &TwoLayerResult, f: usize, alpha: f64) -> Check {
    let s = &r.sweeps[f];
    let (direct, direct_se) = r.direct_error[f];
    let se = (s.stderrs[0].powi(2) + direct_se * direct_se).sqrt();
    Check::equal(
        &format!(
            "two-layer / {}: telescoped error at eta = {} vs direct (scheme - pCN)",
            s.test_function, s.etas[0]
        ),
        direct,
        s.errors[0],
        se,
        z_two_sided(alpha) * se + r.tail_half_width[f],
        alpha,
    )
}
