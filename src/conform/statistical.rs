//! The calibrated statistical mode of `conform` (issue 17): does a chain
//! made with *your own* random numbers have the law of the reference scheme?
//!
//! For each test function h ∈ {𝓛̂, ‖W‖²} the estimand is the expectation of
//! the second-half average (1/|I|) Σ_{k∈I} h(W_k), I = {⌊(T+1)/2⌋, …, T},
//! of a chain of T steps started at the spec's W_0; for the third,
//! ‖W_{k+t} − W_k‖² averaged over consecutive kept states of that half
//! (t = thin). Your chain and the reference have the *same* estimand
//! whatever the burn-in, because both start at W_0 and run T steps.
//!
//! * **Reference.** Exact where a closed form exists: for `regression` with
//!   the squared loss the scheme is a linear-Gaussian AR(1),
//!   W' = F((I − ηH)W + ηb + sε) (H = (2/n)ΦᵀΦ, b = (2/n)Φᵀy, F = S_η,
//!   s = √(2η/β)), so the law of W_k is N(m_k, Σ_k) with
//!   m_{k+1} = B m_k + Fηb, Σ_{k+1} = B Σ_k Bᵀ + s²F², B = F(I − ηH), and
//!   E‖W_k‖² = ‖m_k‖² + tr Σ_k, E𝓛̂(W_k) = (‖Φm_k − y‖² + tr ΦΣ_kΦᵀ)/n,
//!   E‖W_{k+t} − W_k‖² = ‖m_{k+t} − m_k‖² + tr Σ_{k+t} + tr Σ_k − 2 tr(BᵗΣ_k):
//!   no Monte Carlo error. Otherwise [`REFERENCE_CHAINS`] (or `chains`, if
//!   more) chains of the scheme of the same length on streams 2³⁴ + c; their
//!   split-R̂ must be ≤ [`MAX_RHAT`] and their summed ESS ≥ [`MIN_ESS`], or
//!   the reference is unreliable and the answer is inconclusive.
//! * **Your standard error** is Geyer's initial monotone sequence estimator
//!   of the asymptotic variance ([`chain_stat`]), which accounts for
//!   autocorrelation; the report gives the ESS and the integrated
//!   autocorrelation time τ. A comparison whose chain has an ESS below
//!   [`MIN_ESS`] cannot reject (its standard error is itself unreliable);
//!   when no comparison with enough ESS rejects and some comparison is
//!   short, the answer is inconclusive.
//! * **The test.** z = (yours − reference)/√(se_y² + se_r²) against the
//!   Student-t quantile with Welch–Satterthwaite degrees of freedom
//!   (ESS − 1 on each side; ∞ for an exact reference), at false-failure
//!   probability [`FALSE_FAILURE`] for the whole trajectory: split over its
//!   chains and the three test functions (Bonferroni).
//!
//! Verdicts: conforms, does not conform, inconclusive (a comparison never
//! rejects when your side is too short, and nothing rejects when the
//! reference is unreliable).
//! Calibration: `paper/calibration.md`, section "conform: statistical mode".

use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::model::{Model, Potential};
use crate::space::{unflatten, Coef};
use crate::spec::{AnyModel, Problem, Spec};
use crate::tolerance::FALSE_FAILURE;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Smallest effective sample size (per test function, your chain and the
/// summed reference chains) for a verdict; below it the answer is
/// inconclusive.
pub const MIN_ESS: f64 = 200.0;
/// Largest split-R̂ of the reference chains for a verdict.
pub const MAX_RHAT: f64 = 1.01;
/// Smallest number of reference chains (when no closed form exists).
pub const REFERENCE_CHAINS: usize = 8;
/// Streams of the reference chains start here (independent of every chain
/// a `run` of the spec writes).
pub const REFERENCE_STREAM: u64 = 1 << 34;

/// The test functions, in report order.
///
/// `step_sq` is ‖W_{k+t} − W_k‖² over consecutive kept states (t = thin):
/// the noise scale's own statistic (a wrong temperature or a missing √2
/// moves it by a factor up to 2), with a far shorter autocorrelation time
/// than ‖W‖² when t is short against the slow directions' relaxation.
pub const TEST_FUNCTIONS: [&str; 3] = ["emp_risk", "sq_norm", "step_sq"];

/// ‖b − a‖² of two flattened states.
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Mean of a correlated chain with its autocorrelation-aware standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChainStat {
    /// Samples.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Monte Carlo standard error √(σ²_as / n).
    pub mcse: f64,
    /// Effective sample size n / τ.
    pub ess: f64,
    /// Integrated autocorrelation time τ = σ²_as / γ_0.
    pub tau: f64,
}

/// Geyer's initial monotone sequence estimator (Geyer 1992): with the
/// autocovariances γ_t (divisor n) and Γ_m = γ_{2m} + γ_{2m+1}, sum the
/// initial positive run of Γ_m made non-increasing,
/// σ²_as = −γ_0 + 2 Σ_m Γ_m; τ = σ²_as/γ_0, ESS = n/τ (τ is floored at
/// 1/log₁₀ n, as Stan caps ESS at n log₁₀ n). A series longer than
/// `GEYER_POINTS` is first averaged in consecutive blocks of b points
/// (the remainder is left out of the variance only); the estimator on the
/// block means estimates the same variance of the mean, in O(GEYER_POINTS
/// · lags) time.
pub fn chain_stat(xs: &[f64]) -> ChainStat {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    let g0 = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n.max(1) as f64;
    if n < 4 || g0 <= 0.0 {
        return ChainStat {
            n,
            mean,
            mcse: 0.0,
            ess: n as f64,
            tau: 1.0,
        };
    }
    let b = n.div_ceil(GEYER_POINTS);
    let blocks: Vec<f64> = xs.chunks_exact(b).map(|c| c.iter().sum::<f64>() / b as f64).collect();
    let nb = blocks.len();
    let bm = blocks.iter().sum::<f64>() / nb as f64;
    let d: Vec<f64> = blocks.iter().map(|x| x - bm).collect();
    let gamma = |lag: usize| -> f64 { d[..nb - lag].iter().zip(&d[lag..]).map(|(a, b)| a * b).sum::<f64>() / nb as f64 };
    let mut sum = 0.0;
    let mut prev = f64::INFINITY;
    let mut m = 0;
    while 2 * m + 1 < nb {
        let g = gamma(2 * m) + gamma(2 * m + 1);
        if g <= 0.0 {
            break;
        }
        let g = g.min(prev);
        sum += g;
        prev = g;
        m += 1;
    }
    // Variance of the mean of the nb block means, then τ in steps of xs.
    let var_mean = ((-gamma(0) + 2.0 * sum) / nb as f64).max(0.0);
    let floor = 1.0 / (n as f64).log10().max(1.0);
    let tau = (var_mean * n as f64 / g0).max(floor);
    ChainStat {
        n,
        mean,
        mcse: (tau * g0 / n as f64).sqrt(),
        ess: n as f64 / tau,
        tau,
    }
}

/// Longest series [`chain_stat`] runs Geyer's estimator on directly.
pub const GEYER_POINTS: usize = 20_000;

/// Split-R̂ (Gelman et al. 2013): each chain cut in halves, then
/// √(((L−1)/L · W + B/L) / W) over the 2K sequences of length L.
pub fn split_rhat(chains: &[Vec<f64>]) -> f64 {
    let mut seqs: Vec<&[f64]> = Vec::new();
    for c in chains {
        let h = c.len() / 2;
        seqs.push(&c[..h]);
        seqs.push(&c[h..2 * h]);
    }
    let l = seqs.iter().map(|s| s.len()).min().unwrap_or(0);
    if seqs.len() < 2 || l < 2 {
        return f64::INFINITY;
    }
    let means: Vec<f64> = seqs.iter().map(|s| s[..l].iter().sum::<f64>() / l as f64).collect();
    let vars: Vec<f64> = seqs
        .iter()
        .zip(&means)
        .map(|(s, m)| s[..l].iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (l - 1) as f64)
        .collect();
    let w = crate::stats::mean(&vars);
    let b = l as f64 * crate::stats::variance(&means);
    if w <= 0.0 {
        return if b <= 0.0 { 1.0 } else { f64::INFINITY };
    }
    let lf = l as f64;
    (((lf - 1.0) / lf * w + b / lf) / w).sqrt()
}

/// The reference value of one test function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceValue {
    /// Test function.
    pub name: &'static str,
    /// Reference expectation of the second-half average.
    pub mean: f64,
    /// Its standard error (0 for an exact reference).
    pub mcse: f64,
    /// Summed ESS of the reference chains (None when exact).
    pub ess: Option<f64>,
    /// Split-R̂ of the reference chains (None when exact).
    pub rhat: Option<f64>,
}

/// The reference of the statistical mode for chains of `steps` steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatReference {
    /// `exact (linear-Gaussian closed form)` or `reference chains`.
    pub method: &'static str,
    /// Steps T of the chains compared.
    pub steps: usize,
    /// States kept: W_k for k = 0, thin, 2·thin, …, T.
    pub thin: usize,
    /// Reference chains run (0 when exact).
    pub chains: usize,
    /// One value per test function.
    pub values: Vec<ReferenceValue>,
}

impl StatReference {
    /// Why the reference cannot support a verdict, if it cannot.
    pub fn unreliable(&self) -> Option<String> {
        let bad: Vec<String> = self
            .values
            .iter()
            .filter_map(|v| match (v.rhat, v.ess) {
                (Some(r), Some(e)) if !(r <= MAX_RHAT && e >= MIN_ESS) => Some(format!(
                    "{}: split-R̂ {r:.4} (≤ {MAX_RHAT} needed), ESS {e:.0} (≥ {MIN_ESS} needed)",
                    v.name
                )),
                _ => None,
            })
            .collect();
        (!bad.is_empty()).then(|| format!("reference unreliable ({})", bad.join("; ")))
    }
}

/// The test functions at one state: (𝓛̂(W), ‖W‖²).
fn test_values(p: &Problem, w: &Coef) -> [f64; 2] {
    [p.model.value(w), w.norm_squared()]
}

/// The reference for chains of `steps` steps of `spec` kept every `thin`
/// steps (the second half of the kept states is compared): exact for the
/// linear-Gaussian case, else `max(spec.chains, REFERENCE_CHAINS)` chains.
///
/// # Errors
/// Fewer than 16 kept steps, `steps` not a multiple of `thin`; errors of
/// the scheme.
pub fn reference(spec: &Spec, p: &Problem, steps: usize, thin: usize) -> Result<StatReference> {
    if thin == 0 || !steps.is_multiple_of(thin) {
        return Err(Error::Trajectory(format!(
            "steps {steps} must be a positive multiple of thin {thin}"
        )));
    }
    if steps / thin < 16 {
        return Err(Error::Trajectory("statistical conformance needs at least 17 states".into()));
    }
    if let AnyModel::Regression(m) = &p.model {
        if m.loss() == Loss::Squared {
            return Ok(exact_linear_gaussian(spec, p, m.features(), steps, thin));
        }
    }
    let chains = spec.chains.max(REFERENCE_CHAINS);
    let rspec = Spec {
        steps,
        chains,
        ..spec.clone()
    };
    let traces = super::run_chains(&rspec, p, REFERENCE_STREAM, 0, thin)?;
    let mut values = Vec::new();
    for (i, name) in TEST_FUNCTIONS.iter().enumerate() {
        let halves: Vec<Vec<f64>> = traces
            .iter()
            .map(|t| {
                if i == 2 {
                    let h = t.every_states.len() / 2;
                    return t.every_states[h..].windows(2).map(|w| sq_dist(&w[0], &w[1])).collect();
                }
                let v = if i == 0 { &t.risk } else { &t.sq_norm };
                let kept: Vec<f64> = v.iter().step_by(thin).copied().collect();
                kept[kept.len() / 2..].to_vec()
            })
            .collect();
        let stats: Vec<ChainStat> = halves.iter().map(|h| chain_stat(h)).collect();
        let k = stats.len() as f64;
        values.push(ReferenceValue {
            name,
            mean: stats.iter().map(|s| s.mean).sum::<f64>() / k,
            mcse: stats.iter().map(|s| s.mcse * s.mcse).sum::<f64>().sqrt() / k,
            ess: Some(stats.iter().map(|s| s.ess).sum()),
            rhat: Some(split_rhat(&halves)),
        });
    }
    Ok(StatReference {
        method: "reference chains",
        steps,
        thin,
        chains,
        values,
    })
}

/// The exact expectations of the second-half averages for regression with
/// the squared loss (module docs). The moments are iterated until they stop
/// changing (then they are stationary).
fn exact_linear_gaussian(spec: &Spec, p: &Problem, phi: &DMatrix<f64>, steps: usize, thin: usize) -> StatReference {
    let n = phi.nrows() as f64;
    let nm = phi.ncols();
    let y: &DVector<f64> = &p.data.y;
    let f = DVector::from_vec(p.space.resolvent_factors(spec.eta, spec.lambda));
    let s2 = 2.0 * spec.eta / spec.beta;
    let h = phi.transpose() * phi * (2.0 / n);
    let b = phi.transpose() * y * (2.0 / n);
    let bmat = DMatrix::from_diagonal(&f) * (DMatrix::identity(nm, nm) - &h * spec.eta);
    let c = f.component_mul(&(b * spec.eta));
    let q = DMatrix::from_diagonal(&f.map(|v| s2 * v * v));
    let mut m = p.init.column(0).into_owned();
    let mut sig = DMatrix::<f64>::zeros(nm, nm);
    let moments = |m: &DVector<f64>, sig: &DMatrix<f64>| -> [f64; 2] {
        let r = phi * m - y;
        let risk = (r.norm_squared() + (phi * sig * phi.transpose()).trace()) / n;
        [risk, m.norm_squared() + sig.trace()]
    };
    // The second half of the kept states, as `states[states.len() / 2..]`:
    // W_{i·thin} for i ≥ ⌊(T/thin + 1)/2⌋.
    let first = (steps / thin).div_ceil(2) * thin;
    // step_sq: E‖W_{k+t} − W_k‖² = ‖m_{k+t} − m_k‖² + tr Σ_{k+t} + tr Σ_k
    // − 2 tr(Bᵗ Σ_k) (W_{k+t} = Bᵗ W_k + a term independent of W_k).
    let mut bt = DMatrix::<f64>::identity(nm, nm);
    let (mut base, mut e) = (bmat.clone(), thin);
    while e > 0 {
        if e & 1 == 1 {
            bt = &bt * &base;
        }
        base = &base * &base;
        e >>= 1;
    }
    let mut prev: Option<(DVector<f64>, DMatrix<f64>)> = None;
    let mut sums = [0.0; 3];
    let mut cur = moments(&m, &sig);
    let mut stationary = false;
    for k in 0..=steps {
        if k >= first && k % thin == 0 {
            sums[0] += cur[0];
            sums[1] += cur[1];
            if let Some((pm, ps)) = &prev {
                sums[2] += (&m - pm).norm_squared() + sig.trace() + ps.trace() - 2.0 * (&bt * ps).trace();
            }
            prev = Some((m.clone(), sig.clone()));
        }
        if k < steps && !stationary {
            let m2 = &bmat * &m + &c;
            let sig2 = &bmat * &sig * bmat.transpose() + &q;
            stationary = (&m2 - &m).amax() <= 1e-16 * m2.amax().max(1e-300) && (&sig2 - &sig).amax() <= 1e-16 * sig2.amax();
            m = m2;
            sig = sig2;
            cur = moments(&m, &sig);
        }
    }
    let count = ((steps - first) / thin + 1) as f64;
    let counts = [count, count, count - 1.0];
    StatReference {
        method: "exact (linear-Gaussian closed form)",
        steps,
        thin,
        chains: 0,
        values: TEST_FUNCTIONS
            .iter()
            .zip(sums)
            .zip(counts)
            .map(|((name, s), c)| ReferenceValue {
                name,
                mean: s / c,
                mcse: 0.0,
                ess: None,
                rhat: None,
            })
            .collect(),
    }
}

/// The three answers of the statistical mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every |z| within its threshold, every ESS large enough.
    Conforms,
    /// Some |z| beyond its threshold with enough ESS on both sides.
    DoesNotConform,
    /// A chain too short or a reference unreliable: no verdict.
    Inconclusive,
}

impl Verdict {
    /// The JSON/CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::DoesNotConform => "does not conform",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// One statistical comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatComparison {
    /// Test function.
    pub name: &'static str,
    /// Your chain: mean, MCSE, ESS, τ of the second half.
    pub yours: ChainStat,
    /// The reference.
    pub reference: ReferenceValue,
    /// (yours − reference)/√(se_y² + se_r²).
    pub z: f64,
    /// Welch–Satterthwaite degrees of freedom of z.
    pub dof: f64,
    /// |z| threshold at this comparison's false-failure probability.
    pub threshold: f64,
}

/// The statistical verdict on one chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainVerdict {
    /// Chain index (as the trajectory names it).
    pub chain: u64,
    /// The verdict.
    pub verdict: Verdict,
    /// Per test function.
    pub comparisons: Vec<StatComparison>,
    /// Why inconclusive, or which comparisons failed.
    pub reason: Option<String>,
}

/// Compares the states of one chain (W_0 … W_T) with the reference, each
/// comparison at false-failure probability `alpha_each`.
///
/// # Errors
/// States of the wrong shape; a chain whose length differs from the
/// reference's.
pub fn check_chain(reference: &StatReference, p: &Problem, chain: u64, states: &[Vec<f64>], alpha_each: f64) -> Result<ChainVerdict> {
    let (n, q) = p.model.shape();
    if states.len() != reference.steps / reference.thin + 1 {
        return Err(Error::DimensionMismatch {
            what: "states of a chain (= steps / thin + 1)",
            expected: reference.steps / reference.thin + 1,
            found: states.len(),
        });
    }
    let mut series = [Vec::new(), Vec::new(), Vec::new()];
    let half = &states[states.len() / 2..];
    series[2] = half.windows(2).map(|w| sq_dist(&w[0], &w[1])).collect();
    for s in half {
        let w = unflatten(s, n, q, "states[k]")?;
        if !s.iter().all(|v| v.is_finite()) {
            return Err(Error::Trajectory(format!("chain {chain}: a state holds a non-finite number")));
        }
        let v = test_values(p, &w);
        series[0].push(v[0]);
        series[1].push(v[1]);
    }
    let unreliable = reference.unreliable();
    let mut comparisons = Vec::new();
    let mut short = Vec::new();
    let mut failed = Vec::new();
    for (i, r) in reference.values.iter().enumerate() {
        let y = chain_stat(&series[i]);
        let (a, b) = (y.mcse * y.mcse, r.mcse * r.mcse);
        let se = (a + b).sqrt();
        let z = if se > 0.0 {
            (y.mean - r.mean) / se
        } else if y.mean == r.mean {
            0.0
        } else {
            f64::INFINITY
        };
        let nu_y = (y.ess - 1.0).max(1.0);
        let nu_r = r.ess.map_or(f64::INFINITY, |e| (e - 1.0).max(1.0));
        let dof = if a + b > 0.0 {
            (a + b).powi(2) / (a * a / nu_y + if nu_r.is_finite() { b * b / nu_r } else { 0.0 })
        } else {
            f64::INFINITY
        };
        let threshold = quantile(dof, alpha_each);
        if y.ess < MIN_ESS {
            short.push(format!(
                "{}: your ESS {:.0} < {MIN_ESS} (τ = {:.1} steps over {} states)",
                r.name, y.ess, y.tau, y.n
            ));
        }
        // Only a comparison with enough ESS can reject: a short one's
        // standard error is itself unreliable (module docs).
        if z.abs() > threshold && y.ess >= MIN_ESS {
            failed.push(format!(
                "{}: yours {:.6} ± {:.2e} (ESS {:.0}), reference {:.6} ± {:.2e}, z = {:.2} beyond ±{:.2}",
                r.name, y.mean, y.mcse, y.ess, r.mean, r.mcse, z, threshold
            ));
        }
        comparisons.push(StatComparison {
            name: r.name,
            yours: y,
            reference: r.clone(),
            z,
            dof,
            threshold,
        });
    }
    let (verdict, reason) = if let Some(u) = unreliable {
        (Verdict::Inconclusive, Some(u))
    } else if !failed.is_empty() {
        (Verdict::DoesNotConform, Some(failed.join("; ")))
    } else if !short.is_empty() {
        (
            Verdict::Inconclusive,
            Some(format!("chain too short: {}; run longer", short.join("; "))),
        )
    } else {
        (Verdict::Conforms, None)
    };
    Ok(ChainVerdict {
        chain,
        verdict,
        comparisons,
        reason,
    })
}

/// Two-sided quantile of Student's t with `dof` degrees of freedom (normal
/// for ∞ or very large `dof`) at tail probability `alpha`.
fn quantile(dof: f64, alpha: f64) -> f64 {
    let p = 1.0 - alpha / 2.0;
    if dof.is_finite() && dof < 1e6 {
        StudentsT::new(0.0, 1.0, dof.max(1.0)).expect("dof > 0").inverse_cdf(p)
    } else {
        Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(p)
    }
}

/// Result of a statistical conformance check: one verdict per chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatReport {
    /// Mode: `statistical`.
    pub mode: &'static str,
    /// The overall verdict: does not conform if a chain does not, else
    /// inconclusive if a chain is, else conforms.
    pub verdict: Verdict,
    /// The reference used.
    pub reference: StatReference,
    /// Per chain.
    pub chains: Vec<ChainVerdict>,
    /// False-failure probability of the whole report.
    pub false_failure_prob: f64,
    /// The smallest ESS for a verdict.
    pub min_ess: f64,
    /// The largest reference split-R̂ for a verdict.
    pub max_rhat: f64,
}

impl StatReport {
    /// Whether the verdict is "conforms".
    pub fn conforms(&self) -> bool {
        self.verdict == Verdict::Conforms
    }

    /// One line: the verdict and, per chain that did not conform, why.
    pub fn summary(&self) -> String {
        let why: Vec<String> = self
            .chains
            .iter()
            .filter_map(|c| c.reason.as_ref().map(|r| format!("chain {}: {r}", c.chain)))
            .collect();
        format!("{}: {}", self.verdict.as_str(), why.join(" | "))
    }
}

/// Checks several chains against one reference, at family false-failure
/// probability [`FALSE_FAILURE`] split over chains and test functions.
///
/// # Errors
/// As [`check_chain`].
pub fn check_chains(reference: StatReference, p: &Problem, chains: &[(u64, &[Vec<f64>])]) -> Result<StatReport> {
    let alpha_each = FALSE_FAILURE / (chains.len().max(1) * TEST_FUNCTIONS.len()) as f64;
    let verdicts = chains
        .iter()
        .map(|(c, s)| check_chain(&reference, p, *c, s, alpha_each))
        .collect::<Result<Vec<_>>>()?;
    let verdict = if verdicts.iter().any(|v| v.verdict == Verdict::DoesNotConform) {
        Verdict::DoesNotConform
    } else if verdicts.iter().any(|v| v.verdict == Verdict::Inconclusive) {
        Verdict::Inconclusive
    } else {
        Verdict::Conforms
    };
    Ok(StatReport {
        mode: "statistical",
        verdict,
        reference,
        chains: verdicts,
        false_failure_prob: FALSE_FAILURE,
        min_ess: MIN_ESS,
        max_rhat: MAX_RHAT,
    })
}
