//! The sweep shared by T1 and C-gap: over sample sizes n and β rules, per
//! data set the Gibbs measure's gap E_{π_∞}[𝓛 − 𝓛̂] by tuned pCN-MH, the
//! scheme's gap after k steps, and the control variate; plus the test-set
//! probes of 𝓛 and the loss-scale probe. Computed once per run
//! ([`super::sweep`]).

use super::{RULES, SIZES};
use crate::dynamics::runner::in_chain_order;
use crate::dynamics::{ChainRunner, Discretization, Langevin, Observer, Pcn, Schedule, TunedPcn};
use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Model, Potential};
use crate::problems::{GroupedRisk, Sufficient, Teacher, TEACHER};
use crate::rng::chain_rng;
use crate::space::Coef;
use crate::statements::t1::BetaRule;
use crate::stats::{batch_means, iid_estimate};
use nalgebra::DVector;
use serde::Serialize;

/// Size of the independent test set of the second route to 𝓛.
pub const TEST_SET: usize = 200_000;

/// The scale probe of erratum E20: (n, β, K). The loss ℓ/K (bounded by
/// R̄/K) at inverse temperature β has the Gibbs measure of ℓ at β/K, so its
/// gap is gap(ℓ, β/K)/K.
pub const SCALE_PROBE: (usize, f64, f64) = (64, 1.0, 10_000.0);

/// Data sets of the scale probe (at least; the full run uses its 200).
pub const SCALE_PROBE_DATASETS: usize = 100;

/// Step size η and steps k of the scheme's π_k.
pub const SCHEME: (f64, usize) = (0.05, 400);

/// Chain sizes of one run of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepSizes {
    /// Data sets per (n, β).
    pub datasets: usize,
    /// pCN burn-in (tuning) steps.
    pub burn: usize,
    /// pCN recorded steps.
    pub samples: usize,
    /// Independent scheme chains per data set.
    pub scheme_chains: usize,
    /// pCN steps on the population risk for the control variate's moments.
    pub population_steps: usize,
}

/// Quick and full sizes.
pub fn sweep_sizes(quick: bool) -> SweepSizes {
    if quick {
        SweepSizes {
            datasets: 24,
            burn: 600,
            samples: 2_000,
            scheme_chains: 1,
            population_steps: 20_000,
        }
    } else {
        SweepSizes {
            datasets: 200,
            burn: 2_000,
            samples: 10_000,
            scheme_chains: 2,
            population_steps: 200_000,
        }
    }
}

/// What one data set gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatasetGap {
    /// E_{π_∞}\[𝓛 − 𝓛̂\] (pCN average).
    pub gap: f64,
    /// Its batch-means MCSE.
    pub mcse: f64,
    /// The data-free control variate (mean 0 over data sets): gap − cv has
    /// the same mean as the gap and a much smaller variance.
    pub cv: f64,
    /// pCN acceptance rate after tuning.
    pub acceptance: f64,
    /// E_{π_k}\[𝓛 − 𝓛̂\] (scheme, averaged over its chains).
    pub gap_scheme: f64,
    /// Negative control: the gap with 𝓛 replaced by the training risk (≡ 0).
    pub gap_on_training: f64,
}

/// The control variate E_ρ\[𝓛 − 𝓛̂_D\] for a data-free ρ with moments (m, v) of
/// f_W(x_g): E_z h(z) − (1/n)Σ h(z_i), h(x, y) = (y − m(x))² + v(x). Its
/// mean over data sets is exactly 0 for any fixed (m, v); with ρ the
/// population Gibbs measure it removes the O(1/√n) fluctuation of the gap.
pub fn control_variate(t: &Teacher, s: &Sufficient, m: &DVector<f64>, v: &DVector<f64>) -> f64 {
    let g = t.spec.grid;
    let n = s.n as f64;
    let pop: f64 = (0..g).map(|k| (t.fstar[k] - m[k]).powi(2) + v[k]).sum::<f64>() / g as f64 + t.noise_variance();
    let emp: f64 = (0..g)
        .map(|k| (s.sum2[k] - 2.0 * m[k] * s.sum[k] + s.counts[k] as f64 * m[k] * m[k]) / n + s.counts[k] as f64 / n * v[k])
        .sum();
    pop - emp
}

/// Runs pCN-MH for exp(−β·risk) dν_β (λ = 1/β) from W = 0 (one chain, on
/// stream `stream`) and folds `visit(acc, f, risk)` over the predictions at
/// the grid and the risk of every recorded state; returns the accumulator
/// and the acceptance rate of the recorded steps. The proposal scale starts
/// at min(1, 2/√β) and is adapted in blocks of 100 burn-in steps towards
/// acceptance 0.3, then fixed ([`TunedPcn`]: the recorded chain is an exact
/// pCN-MH chain).
#[allow(clippy::too_many_arguments)]
pub fn pcn_tuned<A: Send + Clone + Sync>(
    t: &Teacher,
    model: &GroupedRisk,
    beta: f64,
    burn: usize,
    samples: usize,
    seed: u64,
    stream: u64,
    acc: A,
    visit: impl Fn(&mut A, &DVector<f64>, f64) + Sync,
) -> Result<(A, f64)> {
    let (nm, q) = model.shape();
    let pcn = Pcn::new(&t.space, q, beta, 1.0 / beta, (2.0 / beta.sqrt()).min(1.0))?;
    let kernel = TunedPcn::new(pcn, burn, 100, 0.3)?;
    let schedule = Schedule {
        chains: 1,
        burn_in: burn,
        length: samples,
        thin: 1,
    };
    // The accumulator carries the predictions at the current state,
    // recomputed only when a proposal is accepted (and at the first record).
    let first = burn + 1;
    let mut runs = ChainRunner::new(seed, schedule).streams_from(stream).fold(
        &kernel,
        model,
        &Coef::zeros(nm, q),
        |_| (acc.clone(), DVector::zeros(0), 0usize),
        |(a, f, accepted), st| {
            if st.info.accepted || st.t == first {
                *f = t.grid_model.predict_train(&st.state.w);
            }
            *accepted += st.info.accepted as usize;
            visit(a, f, st.state.risk);
            Ok(())
        },
    )?;
    let ((a, _, accepted), _) = runs.pop().expect("one chain");
    Ok((a, accepted as f64 / samples.max(1) as f64))
}

/// E_{π_∞}\[𝓛 − 𝓛̂\] on one data set by pCN-MH: (mean, batch-means MCSE, acceptance).
pub fn pcn_gap(t: &Teacher, model: &GroupedRisk, beta: f64, sizes: &SweepSizes, seed: u64, stream: u64) -> Result<(f64, f64, f64)> {
    let (trace, acc) = pcn_tuned(
        t,
        model,
        beta,
        sizes.burn,
        sizes.samples,
        seed,
        stream,
        Vec::with_capacity(sizes.samples),
        |trace, f, risk| trace.push(t.population_risk(f) - risk),
    )?;
    let est = batch_means(&trace);
    Ok((est.mean, est.stderr, acc))
}

/// Moments (mean, variance) of f_W(x_g) under the data-free Gibbs measure
/// ρ ∝ exp(−β𝓛) dν_β (pCN on the population risk): the fixed functions of
/// the control variate.
pub fn population_moments(t: &Teacher, beta: f64, sizes: &SweepSizes, seed: u64, stream: u64) -> Result<(DVector<f64>, DVector<f64>)> {
    let g = t.spec.grid;
    let pop = GroupedRisk::population(t);
    let ((s1, s2), _) = pcn_tuned(
        t,
        &pop,
        beta,
        sizes.burn,
        sizes.population_steps,
        seed,
        stream,
        (DVector::zeros(g), DVector::zeros(g)),
        |(s1, s2): &mut (DVector<f64>, DVector<f64>), f, _| {
            *s1 += f;
            *s2 += f.map(|v| v * v);
        },
    )?;
    let m = s1 / sizes.population_steps as f64;
    let v = s2 / sizes.population_steps as f64 - m.map(|v| v * v);
    Ok((m, v))
}

/// The scheme's E_{π_k}\[𝓛 − 𝓛̂\]: `chains` chains of k steps from W_0 = 0,
/// chain c on stream `(stream << 20) + c`.
pub fn scheme_gap(t: &Teacher, model: &GroupedRisk, beta: f64, chains: usize, seed: u64, stream: u64) -> Result<f64> {
    let (eta, k) = SCHEME;
    let (nm, q) = model.shape();
    let kernel = Langevin::new(&t.space, q, eta, beta, 1.0 / beta, Discretization::SemiImplicit)?;
    let runs = ChainRunner::new(seed, Schedule::final_state(chains, k))
        .streams_from(stream << 20)
        .run(&kernel, model, &Coef::zeros(nm, q), |_| Ok(()))?;
    let total: f64 = runs
        .iter()
        .map(|r| {
            let f = t.grid_model.predict_train(&r.last.w);
            t.population_risk(&f) - model.risk_from(&f)
        })
        .sum();
    Ok(total / chains as f64)
}

/// One (n, β) setting of the sweep, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// n.
    pub n: usize,
    /// The β rule.
    pub rule: BetaRule,
    /// β.
    pub beta: f64,
    /// Per data set.
    pub per_dataset: Vec<DatasetGap>,
}

/// The whole sweep, computed once per (seed, quick) and shared by T1 and C-gap.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sizes used.
    pub sizes: SweepSizes,
    /// R̄.
    pub r_bar: f64,
    /// The settings, n-major then β rule.
    pub settings: Vec<Setting>,
    /// The test-set probes of 𝓛: (exact, test-set estimate, stderr).
    pub test_set_probes: Vec<(f64, f64, f64)>,
    /// Per data set, the gap of the loss ℓ/K at (n, β) of [`SCALE_PROBE`].
    pub scale_probe: Vec<f64>,
}

/// Computes the sweep with explicit sizes (tests use small ones).
pub fn compute_sweep(seed: u64, sizes: SweepSizes, observer: &dyn Observer) -> Result<Sweep> {
    compute_sweep_on(seed, sizes, &SIZES, &RULES, observer)
}

/// The sweep over the given sample sizes and β rules.
pub fn compute_sweep_on(seed: u64, sizes: SweepSizes, ns: &[usize], rules: &[BetaRule], observer: &dyn Observer) -> Result<Sweep> {
    let t = Teacher::new(TEACHER, seed)?;
    let mut settings = Vec::new();
    for (i, &n) in ns.iter().enumerate() {
        for (j, &rule) in rules.iter().enumerate() {
            let beta = rule.beta(n as f64);
            observer.message(&format!("T1 sweep: n = {n}, beta = {beta:.0} ({} data sets)", sizes.datasets));
            let base = 1_000_000 * (1 + (i * rules.len() + j) as u64);
            let (m, v) = population_moments(&t, beta, &sizes, seed, base - 1)?;
            let per: Vec<Result<DatasetGap>> = in_chain_order(sizes.datasets, |c| {
                let stream = base + 4 * c;
                let data = t.draw(n, seed, stream);
                let model = GroupedRisk::new(&t, &data);
                let (gap, mcse, acceptance) = pcn_gap(&t, &model, beta, &sizes, seed, stream + 1)?;
                let gap_scheme = scheme_gap(&t, &model, beta, sizes.scheme_chains, seed, stream + 2)?;
                Ok(DatasetGap {
                    gap,
                    mcse,
                    cv: control_variate(&t, &data, &m, &v),
                    acceptance,
                    gap_scheme,
                    gap_on_training: 0.0,
                })
            });
            settings.push(Setting {
                n,
                rule,
                beta,
                per_dataset: per.into_iter().collect::<Result<Vec<_>>>()?,
            });
        }
    }
    let (pn, pbeta, pk) = SCALE_PROBE;
    let scale_probe: Vec<Result<f64>> = in_chain_order(sizes.datasets.max(SCALE_PROBE_DATASETS), |c| {
        let stream = 900_000_000 + 4 * c;
        let data = t.draw(pn, seed, stream);
        let model = GroupedRisk::new(&t, &data);
        pcn_gap(&t, &model, pbeta / pk, &sizes, seed, stream + 1).map(|g| g.0 / pk)
    });
    Ok(Sweep {
        sizes,
        r_bar: t.r_bar(),
        settings,
        test_set_probes: test_set_probes(&t, seed)?,
        scale_probe: scale_probe.into_iter().collect::<Result<_>>()?,
    })
}

/// Second route to 𝓛: for three prior draws W, the exact 𝓛(W) against the
/// mean loss on an independent test set of [`TEST_SET`] points with its
/// i.i.d. standard error.
pub fn test_set_probes(t: &Teacher, seed: u64) -> Result<Vec<(f64, f64, f64)>> {
    let test = t.test_set(TEST_SET, seed, 902)?;
    let (_, q) = t.grid_model.shape();
    let mut pcn = Pcn::new(&t.space, q, 1.0, 1.0, 1.0)?;
    let mut rng = chain_rng(seed, 903);
    let mut out = Vec::new();
    for _ in 0..3 {
        let w = pcn.prior_draw(&mut rng);
        let exact = t.population_risk(&t.grid_model.predict_train(&w));
        let f = t.grid_model.predict(&w, &test.x)?;
        let losses: Vec<f64> = (0..test.len()).map(|i| Loss::Squared.value(test.y[i], f[i])).collect();
        let e = iid_estimate(&losses);
        out.push((exact, e.mean, e.stderr));
    }
    Ok(out)
}
