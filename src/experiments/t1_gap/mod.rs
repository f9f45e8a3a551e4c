//! T1 and C-gap: the generalization gap of the Gibbs measure over many
//! data sets, against Theorem 1's right-hand side.
//!
//! > **T1.** Assume A1, β > η, 0 ≤ ℓ ≤ R̄. For any 0 < δ < 1, with probability ≥ 1 − δ over D_n:
//! > E_{W_k}\[𝓛(W_k)\] ≤ E_{W_k}\[𝓛̂(W_k)\] + (R̄²/√n) \[ 2(1 + 2β/√n) + log( (1 + e^{R̄²/2}) / δ ) \] + 2 Ξ_k.
//! >
//! > **C-gap.** Generalization gap O(1/√n) at stationarity when β = O(√n).
//!
//! ## Setting (satisfies the theorem's assumptions)
//! * Inputs: P_X uniform on the G grid points x_g = (g + ½)/G of \[0, 1\]
//!   (d = 1, D = 1). Teacher f*(x) = 0.3 sin(2πx); Y = f*(X) + ε with ε
//!   uniform on \[−c̄, c̄\] (bounded noise), so |Y| ≤ 0.3 + c̄.
//! * Model: the clipped two-layer network of S8 (σ = tanh, clip R = 1) on a
//!   finite-width space (M particles in R², Gaussian kernel, N modes).
//!   |f_W(x)| ≤ R tanh(R D) for every W, so the squared loss is bounded by
//!   R̄ = (R tanh(RD) + 0.3 + c̄)² for every W: 0 ≤ ℓ ≤ R̄ holds exactly, no
//!   clipping of the loss is needed (and A1 holds: bounded smooth model).
//! * λ = 1/β, so the prior ν_β = N(0, μ_k) per coordinate does not depend on
//!   β and π_∞ ∝ exp(−β𝓛̂) dν is a Gibbs posterior with a data-free prior.
//! * Because P_X is discrete, 𝓛(W) = (1/G) Σ_g (f*(x_g) − f_W(x_g))² + c̄²/3
//!   exactly: the limit of an infinitely large independent test set. The
//!   record also checks it against an independent test set of
//!   [`TEST_SET`] points (second route, within its standard error).
//! * 𝓛̂(W) = Σ_g (n_g/n)(ȳ_g − f_W(x_g))² + (1/n)Σ_i (y_i − ȳ_{g(i)})²
//!   from the sufficient statistics (counts, sums, sums of squares per grid
//!   point): exact and O(G M) per evaluation whatever n.
//!
//! ## Measurement
//! Per data set: E_{π_∞}\[𝓛 − 𝓛̂\] from a pCN-MH chain (proposal scale tuned
//! during burn-in only, then fixed), with its batch-means MCSE; and the
//! scheme's E_{π_k}\[𝓛 − 𝓛̂\] at step k from W_0 = 0 (η small), averaged over
//! independent chains. A data-free control variate (the prior mean of
//! 𝓛 − 𝓛̂ under fixed prior moments of f_W, mean exactly zero over data
//! sets) reduces the variance of the mean gap over data sets (C-gap).

mod quantile;
mod sweep;

pub use quantile::*;
pub use sweep::*;

use super::{Context, Experiment};
use crate::error::Result;
use crate::figure::{Panel, Plot, Series};
use crate::problems::TEACHER;
use crate::record::{Check, Reading, Record, Status};
use crate::statements::t1::{BetaRule, T1Params};
use crate::stats::{binomial_upper, iid_estimate, mean, z_one_sided, z_two_sided};
use crate::tolerance::FALSE_FAILURE;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, Normal};
use std::sync::Arc;

/// Confidence δ of Theorem 1 in the sweep.
pub const DELTA: f64 = 0.1;

/// Sample sizes of the sweep.
pub const SIZES: [usize; 4] = [64, 256, 1024, 4096];

/// β rules of the sweep.
pub const RULES: [BetaRule; 3] = [BetaRule::One, BetaRule::SqrtN, BetaRule::N];

/// The key under which a run shares the sweep of T1 and C-gap
/// ([`Context::shared`]): a test may store a hand-built sweep under it.
pub const SWEEP_KEY: &str = "T1/C-gap sweep";

/// The sweep for `ctx`, computed once per run and shared by T1 and C-gap.
pub fn sweep(ctx: &Context) -> Result<Arc<Sweep>> {
    ctx.shared(SWEEP_KEY, || compute_sweep(ctx.seed, sweep_sizes(ctx.quick), ctx.observer()))
}

/// Summary of one setting against Theorem 1 (stable field names of the record).
pub fn setting_summary(s: &Setting, r_bar: f64, gap_of: impl Fn(&DatasetGap) -> f64) -> Result<Value> {
    let terms = T1Params {
        n: s.n as f64,
        beta: s.beta,
        r_bar,
        delta: DELTA,
        xi: 0.0,
    }
    .terms()?;
    let gaps: Vec<f64> = s.per_dataset.iter().map(&gap_of).collect();
    let cv: Vec<f64> = s.per_dataset.iter().map(|d| gap_of(d) - d.cv).collect();
    let datasets = gaps.len();
    let failures = gaps.iter().filter(|&&g| g > terms.bound).count();
    let raw = iid_estimate(&gaps);
    let adj = iid_estimate(&cv);
    let scheme = iid_estimate(&s.per_dataset.iter().map(|d| d.gap_scheme).collect::<Vec<_>>());
    let scheme_failures = s.per_dataset.iter().filter(|d| d.gap_scheme > terms.bound).count();
    let max_mcse = s.per_dataset.iter().map(|d| d.mcse).fold(0.0, f64::max);
    Ok(json!({
        "n": s.n, "beta_rule": s.rule.name(), "beta": s.beta, "r_bar": r_bar, "delta": DELTA, "datasets": datasets,
        "failures": failures,
        "failure_fraction": failures as f64 / datasets as f64,
        "failure_upper": binomial_upper(failures, datasets, 0.05),
        "bound": terms.bound, "terms": terms,
        "mean_gap": raw.mean, "mean_gap_stderr": raw.stderr,
        "mean_gap_cv": adj.mean, "mean_gap_cv_stderr": adj.stderr,
        "max_gap": gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "bound_over_mean_gap": if adj.mean > 0.0 { terms.bound / adj.mean } else { f64::INFINITY },
        "max_mcse_over_bound": max_mcse / terms.bound,
        "acceptance_mean": mean(&s.per_dataset.iter().map(|d| d.acceptance).collect::<Vec<_>>()),
        "scheme_mean_gap": scheme.mean, "scheme_mean_gap_stderr": scheme.stderr,
        "scheme_failure_fraction": scheme_failures as f64 / datasets as f64,
        "vacuous": terms.vacuous,
    }))
}

/// Theorem 1's checks on a sweep, with the gap of each data set given by
/// `gap_of` (the negative controls pass another gap) and the bound scaled
/// by `bound_scale` (1 for the theorem; 0 for the "no complexity term"
/// control). Family false failure ≤ [`FALSE_FAILURE`], Bonferroni over the
/// settings' binomial tests, the positivity test and the test-set probes.
pub fn t1_checks(sw: &Sweep, gap_of: impl Fn(&DatasetGap) -> f64, bound_scale: f64) -> Result<Vec<Check>> {
    let tests = sw.settings.len() + 1 + sw.test_set_probes.len();
    let alpha = FALSE_FAILURE / tests as f64;
    let mut checks = Vec::new();
    let mut stouffer = 0.0;
    for s in &sw.settings {
        let bound = bound_scale
            * T1Params {
                n: s.n as f64,
                beta: s.beta,
                r_bar: sw.r_bar,
                delta: DELTA,
                xi: 0.0,
            }
            .terms()?
            .bound;
        let gaps: Vec<f64> = s.per_dataset.iter().map(&gap_of).collect();
        checks.push(failure_check(&format!("n={} beta={}", s.n, s.rule.name()), &gaps, bound, alpha));
        let e = iid_estimate(&s.per_dataset.iter().map(|d| gap_of(d) - d.cv).collect::<Vec<_>>());
        if e.stderr > 0.0 {
            stouffer += e.mean / e.stderr;
        }
    }
    // The Gibbs posterior's expected gap is I_SKL(W; D_n)/β ≥ 0 (Aminian et
    // al. 2021); a one-sided Stouffer test that it is positive rejects a
    // gap measured on the training set (identically 0).
    let z = stouffer / (sw.settings.len() as f64).sqrt();
    checks.push(Check::upper_bound(
        "mean gap > 0 (Stouffer z over settings >= one-sided quantile)",
        -z_one_sided(alpha),
        -z,
        1.0,
        0.0,
        alpha,
    ));
    let zt = z_two_sided(alpha);
    for (i, &(exact, est, se)) in sw.test_set_probes.iter().enumerate() {
        checks.push(Check::equal(
            &format!("test-set route to L (probe {i}): exact vs {TEST_SET}-point test set"),
            exact,
            est,
            se,
            zt * se,
            alpha,
        ));
    }
    Ok(checks)
}

/// Binomial test of "P(gap > bound) ≤ δ" at level `alpha`: passes unless the
/// Clopper–Pearson lower bound of the failure fraction exceeds δ.
pub fn failure_check(name: &str, gaps: &[f64], bound: f64, alpha: f64) -> Check {
    let d = gaps.len();
    let k = gaps.iter().filter(|&&g| g > bound).count();
    let lower = if k == 0 { 0.0 } else { 1.0 - binomial_upper(d - k, d, alpha) };
    let frac = k as f64 / d as f64;
    Check::upper_bound(
        &format!("{name}: failure fraction (CP lower bound) <= delta"),
        DELTA,
        lower,
        (frac * (1.0 - frac) / d as f64).sqrt(),
        0.0,
        alpha,
    )
}

/// The controls of T1's record, on the sweep's own data and at the levels
/// of [`t1_checks`]: (i) the gap measured on the training set (𝓛̂ in place
/// of 𝓛, a gap ≡ 0), which the positivity test must reject; (ii) the bound
/// without its complexity term (E𝓛 ≤ E𝓛̂), which the binomial test, pooled
/// over the settings, must reject (about half the gaps are positive).
pub fn t1_controls(sw: &Sweep) -> Result<Vec<Check>> {
    let tests = sw.settings.len() + 1 + sw.test_set_probes.len();
    let alpha = FALSE_FAILURE / tests as f64;
    let on_training = t1_checks(sw, |d| d.gap_on_training, 1.0)?;
    let positivity = on_training
        .into_iter()
        .find(|c| c.name.starts_with("mean gap > 0"))
        .expect("t1_checks has the positivity test");
    let pooled: Vec<f64> = sw.settings.iter().flat_map(|s| s.per_dataset.iter().map(|d| d.gap)).collect();
    Ok(vec![
        Check::control_of(
            "control: gap measured on the training set (L^ in place of L, gap = 0): positivity test rejects it",
            positivity,
        ),
        Check::control_of(
            "control: bound without its complexity term (E L <= E L^), pooled over settings: binomial test rejects it",
            failure_check("pooled", &pooled, 0.0, alpha),
        ),
    ])
}

/// Erratum E20: the printed bound for the loss ℓ/K (R̄/K = 1.6e-4) and the
/// corrected form (R̄ replaced by max(R̄, 1)), each a binomial test at level
/// FALSE_FAILURE/2. The first fails (the printed bound is not
/// scale-covariant), the second passes.
pub fn scale_probe_checks(sw: &Sweep) -> Result<(Vec<Check>, Value)> {
    let (n, beta, k) = SCALE_PROBE;
    let r_small = sw.r_bar / k;
    let printed = T1Params {
        n: n as f64,
        beta,
        r_bar: r_small,
        delta: DELTA,
        xi: 0.0,
    }
    .terms()?;
    let corrected = T1Params {
        r_bar: r_small.max(1.0),
        n: n as f64,
        beta,
        delta: DELTA,
        xi: 0.0,
    }
    .terms()?;
    let alpha = FALSE_FAILURE / 2.0;
    let gaps = &sw.scale_probe;
    let e = iid_estimate(gaps);
    let checks = vec![
        failure_check("E20 printed bound, loss/K (R_bar/K)", gaps, printed.bound, alpha),
        failure_check("E20 corrected bound, loss/K (max(R_bar/K, 1))", gaps, corrected.bound, alpha),
    ];
    let fails = gaps.iter().filter(|&&g| g > printed.bound).count();
    Ok((
        checks,
        json!({"n": n, "beta": beta, "scale_k": k, "r_bar": r_small, "datasets": gaps.len(),
            "printed_bound": printed.bound, "corrected_bound": corrected.bound,
            "failure_fraction": fails as f64 / gaps.len() as f64, "failure_upper": binomial_upper(fails, gaps.len(), 0.05),
            "mean_gap": e.mean, "mean_gap_stderr": e.stderr, "gap_sd": e.stderr * (gaps.len() as f64).sqrt()}),
    ))
}

/// C-gap: slope of log(mean gap) on log n for a β rule, with the MC standard
/// error propagated from the per-n standard errors (delta method):
/// slope = Σ c_j log m_j, c_j = (x_j − x̄)/S_xx, var = Σ c_j² (se_j/m_j)².
pub fn gap_slope(sw: &Sweep, rule: BetaRule, gap_of: impl Fn(&DatasetGap) -> f64) -> (f64, f64, Vec<(f64, f64, f64)>) {
    let pts: Vec<(f64, f64, f64)> = sw
        .settings
        .iter()
        .filter(|s| s.rule == rule)
        .map(|s| {
            let e = iid_estimate(&s.per_dataset.iter().map(&gap_of).collect::<Vec<_>>());
            (s.n as f64, e.mean, e.stderr)
        })
        .collect();
    let xs: Vec<f64> = pts.iter().map(|p| libm::log(p.0)).collect();
    let mx = mean(&xs);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let mut slope = 0.0;
    let mut var = 0.0;
    for (x, p) in xs.iter().zip(&pts) {
        let c = (x - mx) / sxx;
        slope += c * libm::log(p.1);
        var += c * c * (p.2 / p.1).powi(2);
    }
    (slope, var.sqrt(), pts)
}

/// The T1 experiment.
pub struct GapBound;

/// The C-gap experiment.
pub struct GapRate;

fn plot(sw: &Sweep) -> Result<Plot> {
    // Upper panel: the mean gap (± 2 stderr) and the T1 bound of each β
    // rule in one colour; lower panel: the slack, bound / measured gap.
    let mut gaps = Vec::new();
    let mut slack = Vec::new();
    let mut ratios = Vec::new();
    for rule in RULES {
        let beta = match rule {
            BetaRule::One => "β = 1",
            BetaRule::SqrtN => "β = √n",
            BetaRule::N => "β = n",
        };
        let (_, _, pts) = gap_slope(sw, rule, |d| d.gap - d.cv);
        gaps.push(
            Series::points(format!("{beta}: mean gap ± 2 stderr"), pts.iter().map(|p| (p.0, p.1)).collect())
                .with_errors(pts.iter().map(|p| 2.0 * p.2).collect())
                .key(rule.name()),
        );
        let bounds: Vec<(f64, f64)> = sw
            .settings
            .iter()
            .filter(|s| s.rule == rule)
            .map(|s| {
                let b = T1Params {
                    n: s.n as f64,
                    beta: s.beta,
                    r_bar: sw.r_bar,
                    delta: DELTA,
                    xi: 0.0,
                }
                .terms()
                .map(|t| t.bound)
                .unwrap_or(f64::NAN);
                (s.n as f64, b)
            })
            .collect();
        gaps.push(Series::reference(format!("{beta}: T1 bound"), bounds.clone()).key(rule.name()));
        // Ratio ± 2 stderr (delta method), where the mean gap is positive.
        let r: Vec<(f64, f64, f64)> = bounds
            .iter()
            .zip(&pts)
            .filter(|(b, p)| p.1 > 0.0 && b.1.is_finite())
            .map(|(b, p)| (b.0, b.1 / p.1, 2.0 * b.1 / p.1 * p.2 / p.1))
            .collect();
        ratios.extend(r.iter().map(|q| q.1));
        slack.push(
            Series::points(
                format!("{beta}: bound / mean gap ± 2 stderr"),
                r.iter().map(|q| (q.0, q.1)).collect(),
            )
            .with_errors(r.iter().map(|q| q.2).collect())
            .key(rule.name()),
        );
    }
    gaps.push(Series::reference(
        "trivial bound R̄",
        SIZES.iter().map(|&n| (n as f64, sw.r_bar)).collect(),
    ));
    slack.push(Series::reference(
        "ratio 1 (a tight bound)",
        SIZES.iter().map(|&n| (n as f64, 1.0)).collect(),
    ));
    let (lo, hi) = ratios
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &r| (a.min(r), b.max(r)));
    let notes = if ratios.is_empty() {
        vec!["no positive mean gap: the ratio bound / measured is undefined".into()]
    } else {
        vec![format!(
            "The bound is loose: bound / measured mean gap from {lo:.1e} to {hi:.1e} (10^{:.1} to 10^{:.1}; lower panel)",
            libm::log10(lo),
            libm::log10(hi)
        )]
    };
    Ok(Plot {
        title: "T1: generalization gap E_π[L] − E_π[L̂] at stationarity and the bound".into(),
        x_label: "n".into(),
        log_x: true,
        panels: vec![
            Panel {
                title: "gap and bound".into(),
                y_label: "E_π[L] − E_π[L̂]".into(),
                log_y: true,
                series: gaps,
            },
            Panel {
                title: "slack: T1 bound / measured mean gap".into(),
                y_label: "bound / measured".into(),
                log_y: true,
                series: slack,
            },
        ],
        notes,
    })
}

fn parameters(sw: &Sweep, ctx: &Context) -> Value {
    json!({"teacher": "f*(x) = 0.3 sin(2 pi x), x uniform on the grid (g + 1/2)/G", "grid": TEACHER.grid,
        "noise": "uniform on [-c, c]", "noise_half_width": TEACHER.noise, "clip_r": TEACHER.clip, "width": TEACHER.width,
        "modes": TEACHER.modes, "kernel": "gaussian", "bandwidth": TEACHER.bandwidth, "activation": "tanh", "lambda": "1/beta",
        "r_bar": sw.r_bar, "delta": DELTA, "sizes": sw.sizes, "scheme_eta": SCHEME.0, "scheme_steps": SCHEME.1,
        "test_set": TEST_SET, "seed": ctx.seed, "quick": ctx.quick, "family_false_failure": FALSE_FAILURE,
        "failure_upper_confidence": 0.95})
}

impl Experiment for GapBound {
    fn id(&self) -> &'static str {
        "T1"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let sw = sweep(ctx)?;
        let mut checks = t1_checks(&sw, |d| d.gap, 1.0)?;
        checks.extend(t1_controls(&sw)?);
        let (probe_checks, mut probe) = scale_probe_checks(&sw)?;
        let printed_wrong = !probe_checks[0].passed && probe_checks[1].passed;
        checks.extend(probe_checks);
        let mut settings: Vec<Value> = sw
            .settings
            .iter()
            .map(|s| setting_summary(s, sw.r_bar, |d| d.gap))
            .collect::<Result<_>>()?;
        // The (1 − δ) quantile of the gap over data sets, against the bound.
        for (i, (s, v)) in sw.settings.iter().zip(settings.iter_mut()).enumerate() {
            let gaps: Vec<f64> = s.per_dataset.iter().map(|d| d.gap).collect();
            let (q, se) = quantile_with_stderr(&gaps, 1.0 - DELTA, ctx.seed, BOOTSTRAP_STREAM + i as u64);
            let bound = v["bound"].as_f64().unwrap_or(f64::NAN);
            v["quantile_gap"] = json!(q);
            v["quantile_gap_stderr"] = json!(se);
            v["bound_over_quantile"] = if q > 0.0 { json!(bound / q) } else { Value::Null };
        }
        let (pq, pse) = quantile_with_stderr(&sw.scale_probe, 1.0 - DELTA, ctx.seed, BOOTSTRAP_STREAM - 1);
        probe["quantile_gap"] = json!(pq);
        probe["quantile_gap_stderr"] = json!(pse);
        for key in ["printed", "corrected"] {
            let b = probe[format!("{key}_bound")].as_f64().unwrap_or(f64::NAN);
            probe[format!("{key}_bound_over_quantile")] = if pq > 0.0 { json!(b / pq) } else { Value::Null };
        }
        let (tight_ratio, tight_at) = settings
            .iter()
            .filter_map(|s| {
                s["bound_over_quantile"]
                    .as_f64()
                    .map(|r| (r, format!("n={} beta={}", s["n"], s["beta_rule"].as_str().unwrap_or(""))))
            })
            .fold((f64::INFINITY, String::new()), |a, b| if b.0 < a.0 { b } else { a });
        let within_10x: Vec<String> = settings
            .iter()
            .filter(|s| s["bound_over_quantile"].as_f64().is_some_and(|r| r <= 10.0))
            .map(|s| format!("n={} beta={}", s["n"], s["beta_rule"].as_str().unwrap_or("")))
            .collect();
        let vacuous: Vec<String> = settings
            .iter()
            .filter(|s| s["vacuous"] == true)
            .map(|s| format!("n={} beta={}", s["n"], s["beta_rule"].as_str().unwrap_or("")))
            .collect();
        let mut thresholds = serde_json::Map::new();
        for rule in RULES {
            let v = crate::statements::t1::non_vacuous_from(rule, sw.r_bar, DELTA)?;
            thresholds.insert(rule.name().into(), json!(v));
        }
        let main_pass = checks
            .iter()
            .filter(|c| !c.control && !c.name.starts_with("E20 printed"))
            .all(|c| c.passed);
        let controls_rejected = checks.iter().filter(|c| c.control).all(|c| c.passed);
        let min_ratio = settings
            .iter()
            .filter_map(|s| s["bound_over_mean_gap"].as_f64())
            .fold(f64::INFINITY, f64::min);
        // The corrected form (E20): slack is shown as slack, measured on the
        // quantile that the theorem bounds.
        let corrected = if !main_pass {
            Status::Violated
        } else if !controls_rejected {
            Status::Inconclusive
        } else if tight_ratio > 10.0 {
            Status::HoldsWithSlack
        } else {
            Status::Holds
        };
        let status = match corrected {
            Status::Holds | Status::HoldsWithSlack if printed_wrong => Status::PrintedFormulaWrong,
            Status::Holds | Status::HoldsWithSlack if !checks.iter().all(|c| c.passed) => Status::Violated,
            s => s,
        };
        let readings = vec![
            Reading {
                reading: "as printed: 0 <= loss <= R_bar with R_bar the loss bound at any loss scale".into(),
                status: if printed_wrong { Status::PrintedFormulaWrong } else { corrected },
                evidence: format!(
                    "loss/K, K = {}: the printed bound {:.3e} is below the 0.9-quantile {:.3e} of the gap (ratio {:.3}); it fails on {} of the data sets (paper/errata.md E20)",
                    SCALE_PROBE.2,
                    probe["printed_bound"].as_f64().unwrap_or(f64::NAN),
                    pq,
                    probe["printed_bound_over_quantile"].as_f64().unwrap_or(f64::NAN),
                    probe["failure_fraction"]
                ),
            },
            Reading {
                reading: "corrected (E20): R_bar replaced by max(R_bar, 1)".into(),
                status: corrected,
                evidence: format!(
                    "bound / 0.9-quantile of the per-dataset gap >= {tight_ratio:.1} over the sweep (tightest at {tight_at}); no setting within 10x; loss/K at K = {}: {:.3e}",
                    SCALE_PROBE.2,
                    probe["corrected_bound_over_quantile"].as_f64().unwrap_or(f64::NAN)
                ),
            },
        ];
        let mut evidence = Vec::new();
        let sweep_json = json!({"parameters": parameters(&sw, ctx), "settings": settings,
            "per_dataset": sw.settings.iter().map(|s| json!({"n": s.n, "beta_rule": s.rule.name(),
                "gap": s.per_dataset.iter().map(|d| d.gap).collect::<Vec<_>>(),
                "mcse": s.per_dataset.iter().map(|d| d.mcse).collect::<Vec<_>>(),
                "gap_scheme": s.per_dataset.iter().map(|d| d.gap_scheme).collect::<Vec<_>>()})).collect::<Vec<_>>()});
        evidence.extend(ctx.write_evidence("T1_sweep.json", &sweep_json)?);
        evidence.extend(ctx.write_plot("T1_gap_vs_n.svg", &plot(&sw)?)?);
        Ok(Record {
            status,
            parameters: parameters(&sw, ctx),
            theoretical: json!({"bound_form": "(R^2/sqrt n)[2(1 + 2 beta/sqrt n) + log((1 + e^{R^2/2})/delta)] + 2 Xi_k, Xi = 0 at stationarity",
                "non_vacuous_from_n": thresholds, "trivial_bound": sw.r_bar}),
            empirical: with_summary(json!({"settings": settings, "vacuous_settings": vacuous, "min_bound_over_mean_gap": min_ratio, "scale_probe": probe,
                "quantile": 1.0 - DELTA, "min_bound_over_quantile": tight_ratio, "tightest_setting": tight_at, "settings_within_10x": within_10x,
                "test_set_probes": sw.test_set_probes.iter().map(|p| json!({"exact": p.0, "test_set": p.1, "stderr": p.2})).collect::<Vec<_>>()})),
            checks,
            evidence,
            notes: format!("{}Gibbs posterior pi_inf (pCN-MH, tuned in burn-in) on {} data sets per (n, beta){}; L exact on the discrete P_X (checked against a {TEST_SET}-point test set). The bound fails on {} of {} (data set, setting) pairs, is vacuous (>= R_bar) where listed, and exceeds the mean gap by >= {:.0}x. Against the quantity the theorem bounds, the 0.9-quantile of the per-dataset gap over data sets (type 7, bootstrap stderr), the bound is >= {:.1}x larger in every setting (tightest at {}): no setting of the sweep is within 10x, so the corrected reading is holds-with-slack and the bound is loose by at least that factor everywhere in the sweep. Both the bound (at beta <= sqrt n) and the quantile (the O(1/sqrt n) fluctuation of L - L^ over data sets) scale as 1/sqrt n, so the ratio does not close with n; for a data-free measure it is at least about (2 + log((1 + e^(R^2/2))/delta)) R^2 / (z_0.9 sd(loss)), which for a loss in [0, R] (sd <= R/2) and R = 1 is 8.2, and our squared loss (sd far below R/2) is far from that extreme. For beta = n the term 4 beta R_bar^2/n = 4 R_bar^2 > R_bar: vacuous for every n. pi_k (scheme, eta = {}, k = {}) is reported against the Xi = 0 bound for information only (C_1 of Xi_k is not explicit).",
                if printed_wrong { "Printed form wrong for small R_bar: see paper/errata.md E20 (the bound scales as R_bar^2 while the gap of a data-free measure scales as R_bar/sqrt n); the corrected form R_bar -> max(R_bar, 1) is what the sweep tests. " } else { "" },
                sw.sizes.datasets, if ctx.quick { " (quick mode: fewer data sets than the 200 of the full run)" } else { "" },
                settings.iter().filter_map(|s| s["failures"].as_u64()).sum::<u64>(), settings.iter().filter_map(|s| s["datasets"].as_u64()).sum::<u64>(), min_ratio, tight_ratio, tight_at, SCHEME.0, SCHEME.1),
            readings,
            ..Record::for_statement("T1")
        })
    }
}

impl Experiment for GapRate {
    fn id(&self) -> &'static str {
        "C-gap"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let sw = sweep(ctx)?;
        let (checks, quantile_slopes) = cgap_quantile_checks(&sw, ctx.seed, !ctx.quick, |d| d.gap);
        // The mean gap's slope (control-variate adjusted), for information.
        let (_, mean_slopes) = cgap_checks(&sw, |d| d.gap - d.cv);
        let status = if checks.is_empty() {
            Status::NotYetImplemented
        } else {
            Record::status_from_checks(&checks)
        };
        Ok(Record {
            status,
            parameters: parameters(&sw, ctx),
            theoretical: json!({"slope_at_most": -0.5, "quantile": 1.0 - DELTA, "power_alternative_slope": POWER_ALTERNATIVE,
                "required_power": REQUIRED_POWER}),
            empirical: json!({"quantile_slopes": quantile_slopes, "mean_slopes": mean_slopes}),
            checks,
            evidence: vec![],
            notes: format!("Theorem 1 bounds the (1 - delta) quantile of the gap over data sets (delta = {DELTA}), so C-gap is checked on it: per beta rule, the slope of log q_0.9(gap) on log n, n in {{64, 256, 1024, 4096}}, q the type-7 empirical quantile of the {} per-dataset gaps, its stderr by a {BOOTSTRAP}-resample bootstrap, the slope by least squares with the delta-method stderr. Checked: slope <= -1/2 for beta = 1 and beta = sqrt n (one-sided, Bonferroni over the two); tolerance z se, lowered at the full size so that a true slope of -1/4 is rejected with probability >= {REQUIRED_POWER} (power and false-failure probability per rule in empirical.quantile_slopes). Controls: the unnormalised gap n (L - L^) (slope +1/2) and, at the full size, the gap x n^(1/4) (true slope -1/4). beta = n is reported only. The mean gap (control-variate adjusted) and its slope are kept as information (empirical.mean_slopes): it is O(beta/n), far below the quantile, which is dominated by the O(1/sqrt n) fluctuation of L - L^ over data sets.", sw.sizes.datasets),
            ..Record::for_statement("C-gap")
        })
    }
}

/// C-gap checks: slope ≤ −1/2 + z·stderr for β = 1 and β = √n (one-sided,
/// Bonferroni over the two), and the slopes of all three rules. A rule
/// with fewer than two sample sizes in the sweep, or whose mean gap is not
/// significantly positive (> 2 stderr) at every n, has no log-log slope: it
/// is reported as unresolved and not checked.
pub fn cgap_checks(sw: &Sweep, gap_of: impl Fn(&DatasetGap) -> f64 + Copy) -> (Vec<Check>, Vec<Value>) {
    let alpha = FALSE_FAILURE / 2.0;
    let z = z_one_sided(alpha);
    let mut checks = Vec::new();
    let mut slopes = Vec::new();
    for rule in RULES {
        let (slope, se, pts) = gap_slope(sw, rule, gap_of);
        let resolved = pts.len() >= 2 && pts.iter().all(|p| p.1 > 2.0 * p.2) && slope.is_finite() && se.is_finite();
        slopes.push(
            json!({"beta_rule": rule.name(), "slope": if resolved { json!(slope) } else { Value::Null },
            "slope_stderr": if resolved { json!(se) } else { Value::Null }, "resolved": resolved,
            "mean_gap": pts.iter().map(|p| json!({"n": p.0, "mean": p.1, "stderr": p.2})).collect::<Vec<_>>()}),
        );
        if rule != BetaRule::N && resolved {
            checks.push(Check::upper_bound(
                &format!("beta={}: slope of log mean gap on log n <= -1/2", rule.name()),
                -0.5,
                slope,
                se,
                z * se,
                alpha,
            ));
        }
    }
    (checks, slopes)
}

/// The alternative against which the C-gap tolerance is set: a true slope
/// of the quantile of −1/4 (the gap decaying like n^{−1/4}, not n^{−1/2}).
pub const POWER_ALTERNATIVE: f64 = -0.25;

/// Power required against [`POWER_ALTERNATIVE`] at the full size.
pub const REQUIRED_POWER: f64 = 0.99;

/// Tolerance of the one-sided test "slope ≤ −1/2" for a slope with standard
/// error `se`: z_α·se with α = `alpha`; at the full size it is lowered, if
/// needed, to 1/4 − z_{0.99}·se so that a true slope of −1/4 is rejected
/// with probability ≥ [`REQUIRED_POWER`] (the slope estimate is normal by
/// the delta method). Returns (tolerance, false-failure probability
/// 1 − Φ(tol/se), power Φ((1/4 − tol)/se) against −1/4).
pub fn quantile_slope_tolerance(se: f64, alpha: f64, full: bool) -> (f64, f64, f64) {
    let phi = Normal::new(0.0, 1.0).expect("standard normal");
    let gap = POWER_ALTERNATIVE + 0.5;
    let mut tol = z_one_sided(alpha) * se;
    if full {
        tol = tol.min((gap - z_one_sided(1.0 - REQUIRED_POWER) * se).max(0.0));
    }
    let ffp = if se > 0.0 { 1.0 - phi.cdf(tol / se) } else { 0.0 };
    let power = if se > 0.0 { phi.cdf((gap - tol) / se) } else { 1.0 };
    (tol, ffp, power)
}

/// C-gap on the (1 − δ) quantile of the gap over data sets (what Theorem 1
/// bounds): per β rule the slope of log q_{1−δ}(n) on log n with its
/// bootstrap/delta-method stderr ([`quantile_points`], [`log_log_slope`]).
/// Checks, for β = 1 and β = √n (Bonferroni over the two): slope ≤ −1/2
/// within [`quantile_slope_tolerance`]; controls, the same test on
/// the unnormalised gap n·(𝓛 − 𝓛̂) (sums instead of means: true slope +1/2)
/// and, at the full size only, on the gap × n^{1/4} (true slope −1/4, the
/// power alternative). Returns the checks and `empirical.quantile_slopes`.
pub fn cgap_quantile_checks(sw: &Sweep, seed: u64, full: bool, gap_of: impl Fn(&DatasetGap) -> f64 + Copy) -> (Vec<Check>, Vec<Value>) {
    let alpha = FALSE_FAILURE / 2.0;
    let mut checks = Vec::new();
    let mut slopes = Vec::new();
    for rule in RULES {
        let pts = quantile_points(sw, rule, seed, gap_of);
        let (slope, se) = log_log_slope(&pts);
        let resolved = slope.is_finite() && se.is_finite();
        let (tol, ffp, power) = quantile_slope_tolerance(se, alpha, full);
        slopes.push(json!({"beta_rule": rule.name(), "quantile": 1.0 - DELTA,
            "slope": if resolved { json!(slope) } else { Value::Null },
            "slope_stderr": if resolved { json!(se) } else { Value::Null },
            "checked": rule != BetaRule::N && resolved,
            "tolerance": tol, "false_failure": ffp, "power_against_minus_quarter": power,
            "quantile_gap": pts.iter().map(|p| json!({"n": p.0, "quantile": p.1, "stderr": p.2})).collect::<Vec<_>>()}));
        if rule == BetaRule::N || !resolved {
            continue;
        }
        let test = |s: f64| {
            Check::upper_bound(
                &format!("beta={}: slope of log q_{{1-delta}}(gap) on log n <= -1/2", rule.name()),
                -0.5,
                s,
                se,
                tol,
                ffp,
            )
        };
        checks.push(test(slope));
        checks.push(Check::control_of(
            &format!(
                "control: beta={}: unnormalised gap n (L - L^) (sums, not means; slope +1/2) is rejected",
                rule.name()
            ),
            test(slope + 1.0),
        ));
        if full {
            checks.push(Check::control_of(
                &format!("control (power): beta={}: gap x n^(1/4) (true slope -1/4) is rejected", rule.name()),
                test(slope + POWER_ALTERNATIVE + 0.5),
            ));
        }
    }
    (checks, slopes)
}

/// Adds the paragraph of the report's summary (issue 15, deliver 6) to T1's
/// `empirical`: the printed bound at a small loss scale (E20), and the slack
/// of the corrected bound.
fn with_summary(mut e: serde_json::Value) -> serde_json::Value {
    let p = &e["scale_probe"];
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let within: usize = e["settings_within_10x"].as_array().map_or(0, Vec::len);
    let summary = format!(
        "Printed: with probability >= 1 - delta, E L <= E L^ + (R^2/sqrt n)[2(1 + 2 beta/sqrt n) + log((1 + e^(R^2/2))/delta)] + 2 Xi_k \
         for any loss 0 <= l <= R. Found: the bound is quadratic in the loss scale and the gap linear, so it fails for a small R: \
         with the loss divided by K = {:.0e} (R = {:.2e}), n = {}, beta = {}, the printed bound {:.2e} fails on a fraction {:.2} of {} data \
         sets (erratum E20; the (1 - delta) quantile of the gap is {:.2e}, {:.0}x the printed bound). Corrected (R replaced by max(R, 1)), \
         the bound holds everywhere with slack: at the tightest setting it is {:.0}x the (1 - delta) quantile of the per-data-set gap, \
         and {within} settings of the theorem's range come within 10x. How sure: the failure fraction is tested by a Clopper-Pearson \
         bound at the stated false-failure probability; the quantiles carry bootstrap standard errors.",
        f(&p["scale_k"]),
        f(&p["r_bar"]),
        f(&p["n"]),
        f(&p["beta"]),
        f(&p["printed_bound"]),
        f(&p["failure_fraction"]),
        f(&p["datasets"]),
        f(&p["quantile_gap"]),
        1.0 / f(&p["printed_bound_over_quantile"]),
        f(&e["min_bound_over_quantile"]),
    );
    e["summary"] = serde_json::Value::String(summary);
    e
}
