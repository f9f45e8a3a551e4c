//! T2R and C-fast: the regression example of Theorem 2.
//!
//! T2R (STATEMENTS.md): y_i = f_{W*}(x_i) + ε_i, |ε_i| ≤ C̄, squared loss;
//! W* ∈ H_{K^{θ(γ+1)}}, θ < 1 − α̃. Printed small-ball bound
//! −log ν̃_β({‖h‖ ≤ ε}) ≲ (ε/(λβ)^{1/2})^{−2α̃/(1−α̃)}; printed result with
//! β = 1/λ = n: excess risk ≲ n^{−θ}.
//! C-fast: excess risk faster than 1/√n in the realizable (teacher) setting.
//!
//! (1) Small-ball scaling: local log–log exponents of −log P (calculator of
//! `statements::cf`) in ε and in βλ for every γ, against the printed and
//! the corrected (E40) forms, plus the exact identity that −log P depends on
//! (ε, βλ) only through ε²βλ.
//! (2) Rate: cosine basis, μ_k = (k+1)^{−2}, γ = 1, teacher coefficients
//! w_k = (k+1)^{−(1+4θ)/2} (in H_{K^{θ'(γ+1)}} for every θ' < θ: the edge),
//! x_i uniform on [0, 1], ε_i uniform on [−C̄, C̄]. The model is linear in W
//! (h = T_K^{γ/2} W), so π_∞ is the exact Gaussian posterior
//! (`oracle::LinearGaussian`) and the scheme's stationary law is the
//! Lyapunov solution; the excess risk given D_n is ‖m_h − w*‖² + tr Σ_h
//! exactly, averaged over independent data sets (chain i = data set i).
//! The log–log slope over n (≥ 1.5 decades) is fitted by least squares
//! with its residual standard error; the bound check is
//! slope ≤ −θ + t_{n−2}(α) · se.

use super::{Context, Experiment};
use crate::dynamics::runner::in_chain_order;
use crate::dynamics::Observer;
use crate::error::Result;
use crate::figure::{Panel, Plot, Series};
use crate::oracle::LinearGaussian;
use crate::problems::regression::{teacher, THETAS};
use crate::record::{Check, Record, Status};
use crate::rng::{chain_rng, uniform01};
use crate::space::Space;
use crate::statements::cf;
use crate::stats::{fit_line, iid_estimate};
use crate::tolerance::{EXACT_REL, FALSE_FAILURE, SMALL_BALL_EXPONENT_REL};
use nalgebra::{DMatrix, DVector};
use serde_json::json;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The T2R experiment.
pub struct RegressionRate;
/// The C-fast experiment.
pub struct FastRate;

/// Settings of the regression-rate sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSettings {
    /// γ.
    pub gamma: f64,
    /// Modes N of the model and the teacher.
    pub modes: usize,
    /// Sample sizes.
    pub ns: Vec<usize>,
    /// Independent data sets per n.
    pub replicates: usize,
    /// Noise bound C̄.
    pub noise: f64,
    /// Step η of the scheme.
    pub eta: f64,
    /// λ as a function of n: λ = n^{−lambda_exp} (1: the printed β = 1/λ = n).
    pub lambda_exp: f64,
    /// Seed.
    pub seed: u64,
}

impl RateSettings {
    /// The default sweep: γ = 1, N = 96, n = 64·2^j up to 2048 (1.5 decades).
    pub fn new(quick: bool, seed: u64) -> RateSettings {
        RateSettings {
            gamma: 1.0,
            modes: 96,
            ns: vec![64, 128, 256, 512, 1024, 2048],
            replicates: if quick { 8 } else { 48 },
            noise: 0.5,
            eta: 0.2,
            lambda_exp: 1.0,
            seed,
        }
    }
}

/// One fitted slope.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SlopeFit {
    /// θ.
    pub theta: f64,
    /// Fitted slope of log excess risk (posterior π_∞) against log n.
    pub slope: f64,
    /// Its standard error.
    pub slope_stderr: f64,
    /// Fitted slope for the scheme's stationary law.
    pub scheme_slope: f64,
    /// Its standard error.
    pub scheme_slope_stderr: f64,
    /// Sample sizes.
    pub ns: Vec<usize>,
    /// Mean excess risks under π_∞.
    pub excess_risks: Vec<f64>,
    /// Their standard errors (over data sets).
    pub stderrs: Vec<f64>,
    /// Mean excess risks under the scheme's stationary law.
    pub scheme_excess_risks: Vec<f64>,
    /// Their standard errors.
    pub scheme_stderrs: Vec<f64>,
}

/// Excess risk (π_∞, scheme) for one data set of size n.
pub fn excess_one(s: &RateSettings, theta: f64, n: usize, data_set: u64) -> Result<(f64, f64)> {
    let space = Space::power_law(1.0, 2.0, s.modes)?;
    let w = teacher(theta, s.gamma, s.modes);
    let d: Vec<f64> = space.mu().iter().map(|&m| libm::pow(m, s.gamma / 2.0)).collect();
    let mut rng = chain_rng(s.seed ^ ((n as u64) << 20) ^ ((theta * 1000.0) as u64) << 40, data_set);
    let x: Vec<f64> = (0..n).map(|_| uniform01(&mut rng)).collect();
    let basis = DMatrix::from_fn(n, s.modes, |i, k| Space::cosine(k, x[i]));
    let f_star = &basis * DVector::from_column_slice(&w);
    let y = DVector::from_fn(n, |i, _| f_star[i] + s.noise * (2.0 * uniform01(&mut rng) - 1.0));
    let phi = DMatrix::from_fn(n, s.modes, |i, k| basis[(i, k)] * d[k]);
    let beta = n as f64;
    let lambda = libm::pow(n as f64, -s.lambda_exp);
    let lg = LinearGaussian {
        phi,
        y,
        mu: space.mu().to_vec(),
        beta,
        lambda,
    };
    let post = lg.posterior()?;
    let risk = |cov: &DMatrix<f64>| -> f64 {
        let bias: f64 = (0..s.modes).map(|k| (d[k] * post.mean[k] - w[k]).powi(2)).sum();
        let var: f64 = (0..s.modes).map(|k| d[k] * d[k] * cov[(k, k)]).sum();
        bias + var
    };
    let scheme_cov = lg.scheme_stationary_cov_doubling(s.eta);
    Ok((risk(&post.cov), risk(&scheme_cov)))
}

/// The sweep over n for one θ, with fitted slopes.
pub fn slope_fit(s: &RateSettings, theta: f64, observer: &dyn Observer) -> Result<SlopeFit> {
    let mut means = Vec::new();
    let mut ses = Vec::new();
    let mut smeans = Vec::new();
    let mut sses = Vec::new();
    for &n in &s.ns {
        observer.message(&format!("T2R: n = {n}"));
        let runs = in_chain_order(s.replicates, |r| excess_one(s, theta, n, r));
        let runs: Vec<(f64, f64)> = runs.into_iter().collect::<Result<_>>()?;
        let a = iid_estimate(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
        let b = iid_estimate(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
        means.push(a.mean);
        ses.push(a.stderr);
        smeans.push(b.mean);
        sses.push(b.stderr);
    }
    let lx: Vec<f64> = s.ns.iter().map(|&n| libm::log(n as f64)).collect();
    let ly: Vec<f64> = means.iter().map(|&m| libm::log(m)).collect();
    let lys: Vec<f64> = smeans.iter().map(|&m| libm::log(m)).collect();
    let (_, slope, se) = fit_line(&lx, &ly);
    let (_, sslope, sse) = fit_line(&lx, &lys);
    Ok(SlopeFit {
        theta,
        slope,
        slope_stderr: se,
        scheme_slope: sslope,
        scheme_slope_stderr: sse,
        ns: s.ns.clone(),
        excess_risks: means,
        stderrs: ses,
        scheme_excess_risks: smeans,
        scheme_stderrs: sses,
    })
}

/// Student-t quantile for a one-sided test at level `alpha` with `dof` degrees of freedom.
pub fn t_one_sided(alpha: f64, dof: usize) -> f64 {
    StudentsT::new(0.0, 1.0, dof as f64).expect("dof > 0").inverse_cdf(1.0 - alpha)
}

/// Bound check slope ≤ bound + t·se (one-sided, level `alpha`).
pub fn slope_bound_check(name: &str, slope: f64, se: f64, bound: f64, points: usize, alpha: f64) -> Check {
    Check::upper_bound(name, bound, slope, se, t_one_sided(alpha, points - 2) * se, alpha)
}

/// Local log–log exponent between two points.
fn exponent(x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    libm::log(y1 / y0) / libm::log(x1 / x0)
}

/// Small-ball exponents per γ: (γ, exponent in ε, exponent in βλ), measured
/// at ε ∈ {1e-7, 1e-6} (βλ = 1) and βλ ∈ {1, 10} (ε = 1e-6).
pub fn small_ball_exponents() -> Result<Vec<(f64, f64, f64)>> {
    let mut out = Vec::new();
    for &g in &crate::problems::settings::GAMMAS {
        let v1 = cf::Variances::prior(1.0, 2.0, g, 1.0)?;
        let v10 = cf::Variances::prior(1.0, 2.0, g, 10.0)?;
        let a = cf::small_ball(&v1, 1e-7)?.neg_log_prob;
        let b = cf::small_ball(&v1, 1e-6)?.neg_log_prob;
        let c = cf::small_ball(&v10, 1e-6)?.neg_log_prob;
        out.push((g, exponent(1e-7, a, 1e-6, b), exponent(1.0, b, 10.0, c)));
    }
    Ok(out)
}

fn small_ball_checks() -> Result<(Vec<Check>, serde_json::Value)> {
    let mut checks = Vec::new();
    let mut rows = Vec::new();
    for (g, e_eps, e_bl) in small_ball_exponents()? {
        let at = cf::alpha_tilde(g);
        let k = 2.0 * at / (1.0 - at);
        // Printed: (ε/√(βλ))^{−k}: exponent −k in ε, +k/2 in βλ. Corrected: −k and −k/2.
        checks.push(Check::equal(
            &format!("eps exponent, gamma={g}"),
            -k,
            e_eps,
            0.0,
            SMALL_BALL_EXPONENT_REL * k,
            0.0,
        ));
        checks.push(Check::equal(
            &format!("beta*lambda exponent (corrected E40), gamma={g}"),
            -k / 2.0,
            e_bl,
            0.0,
            SMALL_BALL_EXPONENT_REL * k / 2.0,
            0.0,
        ));
        rows.push(json!({"gamma": g, "eps_exponent": e_eps, "beta_lambda_exponent": e_bl,
            "printed_eps_exponent": -k, "printed_beta_lambda_exponent": k / 2.0, "corrected_beta_lambda_exponent": -k / 2.0}));
    }
    // Exact identity: −log P(ε, βλ) = −log P(ε√(βλ), 1).
    let v = cf::Variances::prior(1.0, 2.0, 1.0, 10.0)?;
    let v1 = cf::Variances::prior(1.0, 2.0, 1.0, 1.0)?;
    let lhs = cf::small_ball(&v, 1e-4)?.neg_log_prob;
    let rhs = cf::small_ball(&v1, 1e-4 * 10f64.sqrt())?.neg_log_prob;
    checks.push(Check::equal(
        "-log P(eps, bl=10) = -log P(eps*sqrt(10), 1)",
        rhs,
        lhs,
        0.0,
        1e3 * EXACT_REL * rhs,
        0.0,
    ));
    Ok((checks, json!(rows)))
}

impl Experiment for RegressionRate {
    fn id(&self) -> &'static str {
        "T2R"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let (mut checks, exponents) = small_ball_checks()?;
        let s = RateSettings::new(ctx.quick, ctx.seed);
        let alpha = FALSE_FAILURE / (2 * THETAS.len()) as f64;
        let mut fits = Vec::new();
        for &theta in &THETAS {
            let f = slope_fit(&s, theta, ctx.observer())?;
            checks.push(slope_bound_check(
                &format!("posterior slope <= -theta, theta={theta}"),
                f.slope,
                f.slope_stderr,
                -theta,
                f.ns.len(),
                alpha,
            ));
            checks.push(slope_bound_check(
                &format!("scheme slope <= -theta, theta={theta}"),
                f.scheme_slope,
                f.scheme_slope_stderr,
                -theta,
                f.ns.len(),
                alpha,
            ));
            fits.push(f);
        }
        // One panel per θ (shared axes): the posterior and the scheme in
        // their own colours with their fits, the claimed rate n^−θ dashed.
        let mut plot = Plot {
            title: "T2R: excess risk versus n (β = 1/λ = n), one panel per θ".into(),
            x_label: "n".into(),
            log_x: true,
            panels: Vec::new(),
            notes: vec!["points ± stderr, solid: log-log fit, dashed: the claimed rate n^−θ (slope ≤ −θ is checked)".into()],
        };
        for f in &fits {
            let logn: Vec<f64> = f.ns.iter().map(|&n| libm::log(n as f64)).collect();
            let mut series = Vec::new();
            for (key, label, risks, errs, slope, se) in [
                ("posterior", "π_∞", &f.excess_risks, &f.stderrs, f.slope, f.slope_stderr),
                (
                    "scheme",
                    "scheme",
                    &f.scheme_excess_risks,
                    &f.scheme_stderrs,
                    f.scheme_slope,
                    f.scheme_slope_stderr,
                ),
            ] {
                series.push(
                    Series::points(
                        format!("{label}: slope {slope:.3} ± {se:.3}"),
                        f.ns.iter().zip(risks).map(|(&n, &e)| (n as f64, e)).collect(),
                    )
                    .with_errors(errs.clone())
                    .key(key),
                );
                let (a, _, _) = fit_line(&logn, &risks.iter().map(|&e| libm::log(e)).collect::<Vec<_>>());
                series.push(
                    Series::line(
                        "log-log fit",
                        f.ns.iter()
                            .map(|&n| (n as f64, libm::exp(a + slope * libm::log(n as f64))))
                            .collect(),
                    )
                    .key(key),
                );
            }
            let n0 = f.ns[0] as f64;
            series.push(Series::reference(
                format!("claimed rate n^−θ (θ = {})", f.theta),
                f.ns.iter()
                    .map(|&n| (n as f64, f.excess_risks[0] * libm::pow(n as f64 / n0, -f.theta)))
                    .collect(),
            ));
            plot.panels.push(Panel {
                title: format!("θ = {}", f.theta),
                y_label: "excess risk".into(),
                log_y: true,
                series,
            });
        }
        let fits_json = serde_json::to_value(&fits).expect("serializable");
        let mut evidence = Vec::new();
        evidence.extend(ctx.write_evidence("T2R_rates.json", &json!({"slopes": fits_json, "small_ball_exponents": exponents}))?);
        evidence.extend(ctx.write_plot("T2R_excess_risk.svg", &plot)?);
        let status = if checks.iter().all(|c| c.passed) {
            Status::PrintedFormulaWrong
        } else {
            Status::Violated
        };
        Ok(Record {
            status,
            parameters: json!({"gamma": s.gamma, "c_mu": 1.0, "decay": 2.0, "modes": s.modes, "ns": s.ns, "replicates": s.replicates,
                "noise_bound": s.noise, "eta": s.eta, "beta": "n", "lambda": "1/n", "thetas": THETAS, "seed": ctx.seed,
                "family_false_failure": FALSE_FAILURE}),
            theoretical: json!({"slopes": THETAS.iter().map(|t| -t).collect::<Vec<_>>(),
                "small_ball_printed": "(eps/(lambda beta)^{1/2})^{-2 at/(1-at)}",
                "small_ball_corrected": "(eps (lambda beta)^{1/2})^{-2 at/(1-at)}"}),
            empirical: json!({"slopes": fits_json, "small_ball_exponents": exponents}),
            checks,
            evidence,
            notes: "printed-formula-wrong: the printed small-ball bound has (lambda beta)^{1/2} in the denominator; -log P depends on \
                    (eps, beta lambda) only through eps^2 beta lambda and decreases in beta lambda, so the corrected bound is \
                    (eps (lambda beta)^{1/2})^{-2at/(1-at)} (paper/errata.md, E40), which is also the form that yields the printed \
                    term lambda^{-at} beta^{-1} of the result. The corrected form is what is checked. With beta = 1/lambda = n, the \
                    excess risk of the exact posterior and of the scheme's stationary law decays at least as fast as n^{-theta} \
                    for every theta (one-sided t test on the fitted slope). Away from beta = 1/lambda = n the dependence on beta and \
                    lambda is measured through eps* in the T2 record (beta = n^0.6, lambda = 1/n), not by sampling."
                .into(),
            ..Record::for_statement("T2R")
        })
    }
}

impl Experiment for FastRate {
    fn id(&self) -> &'static str {
        "C-fast"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let s = RateSettings::new(ctx.quick, ctx.seed);
        let theta = THETAS[2];
        let f = slope_fit(&s, theta, ctx.observer())?;
        let alpha = FALSE_FAILURE / 2.0;
        let checks = vec![
            slope_bound_check("posterior slope < -1/2", f.slope, f.slope_stderr, -0.5, f.ns.len(), alpha),
            slope_bound_check(
                "scheme slope < -1/2",
                f.scheme_slope,
                f.scheme_slope_stderr,
                -0.5,
                f.ns.len(),
                alpha,
            ),
        ];
        // A bound check passes with slope ≤ −1/2 + t·se; faster than 1/√n needs slope + t·se < −1/2.
        let t = t_one_sided(alpha, f.ns.len() - 2);
        let strict = f.slope + t * f.slope_stderr < -0.5 && f.scheme_slope + t * f.scheme_slope_stderr < -0.5;
        let status = if strict { Status::Holds } else { Status::Violated };
        Ok(Record {
            status,
            parameters: json!({"theta": theta, "gamma": s.gamma, "ns": s.ns, "replicates": s.replicates, "beta": "n", "lambda": "1/n", "seed": ctx.seed}),
            theoretical: json!({"rate_exponent": -theta, "sqrt_n_exponent": -0.5}),
            empirical: json!({"slope": f.slope, "slope_stderr": f.slope_stderr, "scheme_slope": f.scheme_slope,
                "scheme_slope_stderr": f.scheme_slope_stderr, "strictly_faster_than_sqrt_n": strict}),
            checks,
            evidence: vec![],
            notes: "Teacher at the edge of H_{K^{theta(gamma+1)}} with theta = 0.6 > 1/2 (setting of T2R). Holds when the fitted \
                    slope plus its one-sided t allowance is below -1/2."
                .into(),
            ..Record::for_statement("C-fast")
        })
    }
}
