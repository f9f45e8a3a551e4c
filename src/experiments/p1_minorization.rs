//! **P1, reading (ii)**: δ is the minorization constant of the chain on the
//! small set of the Lyapunov (Harris) argument, not a free parameter.
//!
//! > Λ*_η = min(λ/(2μ_0), 1/2) · δ / ( 4 log( κ(V̄ + 1)/(1 − δ) ) ),
//! > "for 0 < δ < 1 with δ = Ω(exp(−Θ(poly(1/λ) β)))".
//!
//! The argument (Hairer–Mattingly 2011, as in Muzellec et al. 2020): with
//! V(w) = ‖w‖² (= w² on one mode, μ_0 = 1), the drift over one time unit
//! P^{1/η}V ≤ γV + K with γ = ρ^{1/η}, K = 2b̄, and a minorization
//! P^{1/η}(x, ·) ≥ δν on C = {V ≤ V̄}; V̄ = 2K/(γ_0 − γ) with
//! γ_0 = √((1 + γ)/2) is the printed level. Here δ_min is computed exactly
//! on the grid for both the printed small set {V ≤ V̄} and the smallest
//! level the drift of this chain allows, R_min = 2K_tight/(1 − γ) (the
//! most favourable small set for a large δ), over one step and one time
//! unit; Λ*_η(δ_min) is compared with the exact rate. Derivations:
//! `proofs/p1_rates.md` §7–8.

use crate::error::Result;
use crate::oracle::minorization::{wells, LogKernel, Minorization};
use crate::problems::double_well::{DoubleWell, WellSetting};
use crate::record::Check;
use crate::statements::p1;
use serde::Serialize;

/// The grid spacing of the minorization: one step's sd / this.
pub const PER_SD: f64 = 2.0;

/// The time-unit kernel's minorization on the printed small set and its
/// drift constants (for the cross-checks).
#[derive(Debug, Clone, Copy)]
pub struct Cross {
    /// The minorization.
    pub m: Minorization,
    /// sup (P^{1/η}V − γV), V = w², γ = ρ^{1/η}.
    pub drift_k: f64,
    /// sup (PV − γV) for the one-step kernel P (the wrong horizon: the control of the drift check).
    pub drift_k_one_step: f64,
}

/// One item of `empirical.minorization`.
#[derive(Debug, Clone, Serialize)]
pub struct MinorizationItem {
    /// β.
    pub beta: f64,
    /// λ.
    pub lambda: f64,
    /// η.
    pub eta: f64,
    /// "printed V_bar" or "tight drift R_min".
    pub small_set: String,
    /// The level: C = {w² ≤ level}.
    pub level: f64,
    /// Steps of the kernel (1 or 1/η).
    pub horizon_steps: usize,
    /// δ_min (0 if below the smallest double; see `log10_delta_min`).
    pub delta_min: f64,
    /// log10 δ_min.
    pub log10_delta_min: f64,
    /// log10 of the overlap of the laws from the two wells (upper bound on δ_min).
    pub log10_overlap_wells: f64,
    /// log10 of the overlap of the laws from the two ends of C.
    pub log10_overlap_ends: f64,
    /// Λ*_η(δ_min) (per unit time).
    pub lambda_star: f64,
    /// log10 Λ*_η(δ_min).
    pub log10_lambda_star: f64,
    /// The exact grid rate −log|λ_2|/η.
    pub exact_rate: f64,
    /// exact_rate / Λ*_η(δ_min) (f64::MAX if Λ* underflows).
    pub slack: f64,
    /// log10 slack.
    pub log10_slack: f64,
    /// The drift constant K_tight = sup_{w² ≤ V̄}(P^{1/η}V − γV) of V = w² at γ = ρ^{1/η}.
    pub drift_k: f64,
    /// The printed drift constant 2b̄.
    pub drift_k_printed: f64,
    /// The largest Λ*_η over free δ (reading (i)) and its δ.
    pub lambda_star_free: f64,
    /// The δ of `lambda_star_free`.
    pub delta_free: f64,
}

/// log10 of Λ*_η(δ) = min(λ/(2μ_0), ½) δ / (4 ln(κ(V̄+1)/(1−δ))), computed
/// from ln δ so that it stays finite when δ underflows.
fn log10_lambda_star(params: &p1::P1Params, ln_delta: f64) -> Result<f64> {
    let c = p1::P1Params { delta: 0.5, ..*params }.constants()?;
    let delta = libm::exp(ln_delta);
    let coef = (params.lambda / (2.0 * params.mu0)).min(0.5);
    let ln_ls = libm::log(coef) + ln_delta - libm::log(4.0 * libm::log(c.kappa * (c.v_bar + 1.0) / (1.0 - delta)));
    Ok(ln_ls / std::f64::consts::LN_10)
}

/// The items of one setting: small sets {printed V̄, tight R_min} × horizons
/// {1, 1/η}. `params` are P1's inputs at the setting (δ ignored),
/// `exact_rate` its exact grid rate.
/// Also returns the time-unit minorization on the printed small set (for
/// the cross-checks).
pub fn items(well: &DoubleWell, s: WellSetting, params: &p1::P1Params, exact_rate: f64) -> Result<(Vec<MinorizationItem>, Cross)> {
    let c = p1::P1Params { delta: 0.5, ..*params }.constants()?;
    let gamma = c.rho_pow;
    let unit = (1.0 / s.eta).round() as usize;
    let w = wells(well, s.lambda);
    let (delta_free, lambda_star_free) = p1::max_lambda_star(params)?;
    let radius = c.v_bar.sqrt();
    let kernel_unit = LogKernel::new(well, s, radius, unit, PER_SD)?;
    let kernel_one = LogKernel::new(well, s, radius, 1, PER_SD)?;
    let (k_tight, _) = kernel_unit.drift(gamma);
    let (k_one_step, _) = kernel_one.drift(gamma);
    // The smallest level the drift allows (Hairer–Mattingly need R > 2K/(1 − γ)).
    let r_min = 2.0 * k_tight / (1.0 - gamma);
    let levels = [c.v_bar, r_min.min(c.v_bar)];
    let names = ["printed V_bar", "tight drift R_min"];
    let mut out = Vec::new();
    let mut cross = None;
    for steps in [1, unit] {
        let kernel = if steps == unit { &kernel_unit } else { &kernel_one };
        let ms = levels.iter().map(|&l| kernel.minorize(l, w)).collect::<Result<Vec<_>>>()?;
        if steps == unit {
            cross = Some(Cross {
                m: ms[0],
                drift_k: k_tight,
                drift_k_one_step: k_one_step,
            });
        }
        for ((m, &level), name) in ms.iter().zip(&levels).zip(names) {
            let l10 = log10_lambda_star(params, m.ln_delta)?;
            let ls = libm::pow(10.0, l10);
            let l10_slack = libm::log10(exact_rate) - l10;
            out.push(MinorizationItem {
                beta: s.beta,
                lambda: s.lambda,
                eta: s.eta,
                small_set: name.to_string(),
                level,
                horizon_steps: steps,
                delta_min: libm::exp(m.ln_delta),
                log10_delta_min: m.ln_delta / std::f64::consts::LN_10,
                log10_overlap_wells: m.ln_overlap_wells / std::f64::consts::LN_10,
                log10_overlap_ends: m.ln_overlap_ends / std::f64::consts::LN_10,
                lambda_star: ls,
                log10_lambda_star: l10,
                exact_rate,
                slack: if ls > 0.0 { exact_rate / ls } else { f64::MAX },
                log10_slack: l10_slack,
                drift_k: k_tight,
                drift_k_printed: 2.0 * c.b_bar,
                lambda_star_free,
                delta_free,
            });
        }
    }
    Ok((out, cross.expect("the time-unit horizon is computed")))
}

/// The checks of reading (ii) for the items of one setting (time-unit
/// kernel, both small sets), the cross-checks on the printed small set
/// (δ_min ≤ overlap from the wells; the drift of V = w² with K ≤ 2b̄) and
/// their controls.
pub fn checks(items: &[MinorizationItem], cross: &Cross) -> Vec<Check> {
    let m = &cross.m;
    let mut out = Vec::new();
    for it in items.iter().filter(|it| it.horizon_steps > 1) {
        out.push(Check::upper_bound(
            &format!(
                "minorization ({}, {} steps) beta={} lambda={} eta={}: Lambda*_eta(delta_min) <= exact rate",
                it.small_set, it.horizon_steps, it.beta, it.lambda, it.eta
            ),
            it.exact_rate,
            it.lambda_star,
            0.0,
            0.0,
            0.0,
        ));
    }
    if let Some(it) = items.iter().find(|it| it.horizon_steps > 1) {
        let tag = format!("beta={} lambda={} eta={}", it.beta, it.lambda, it.eta);
        // Both sides in log10, so that an underflowing δ_min is compared exactly.
        out.push(Check::upper_bound(
            &format!("minorization cross-check {tag}: log10 delta_min <= log10 overlap of the laws from the two wells"),
            m.ln_overlap_wells / std::f64::consts::LN_10,
            m.ln_delta / std::f64::consts::LN_10,
            0.0,
            1e-9,
            0.0,
        ));
        out.push(Check::control_of(
            &format!("minorization cross-check {tag}, control: the overlap from two starts outside the small set (+-(sqrt(V_bar)+2)) is no upper bound"),
            Check::upper_bound(
                "overlap outside",
                m.ln_overlap_outside / std::f64::consts::LN_10,
                m.ln_delta / std::f64::consts::LN_10,
                0.0,
                1e-9,
                0.0,
            ),
        ));
        out.push(Check::upper_bound(
            &format!("drift {tag}: sup (P^(1/eta) V - rho^(1/eta) V) <= 2 b_bar for V = w^2"),
            it.drift_k_printed,
            cross.drift_k,
            0.0,
            0.0,
            0.0,
        ));
        out.push(Check::control_of(
            &format!("drift {tag}, control: the one-step kernel does not contract V by the time-unit factor rho^(1/eta) (wrong horizon)"),
            Check::upper_bound("drift one step", it.drift_k_printed, cross.drift_k_one_step, 0.0, 0.0, 0.0),
        ));
    }
    out
}

/// Items and checks of one setting (see [`items`] and [`checks`]).
pub fn setting(well: &DoubleWell, s: WellSetting, params: &p1::P1Params, exact_rate: f64) -> Result<(Vec<MinorizationItem>, Vec<Check>)> {
    let (it, m) = items(well, s, params, exact_rate)?;
    let ch = checks(&it, &m);
    Ok((it, ch))
}

/// The control of reading (ii) at a low-temperature setting: the same test
/// with δ free (the δ maximising Λ*_η, larger than δ_min by the stated
/// factor) must be rejected.
pub fn free_delta_control(it: &MinorizationItem) -> Check {
    Check::control_of(
        &format!(
            "minorization beta={} lambda={} eta={}, control: delta free (delta = {:.3} = 10^{:.1} delta_min, reading (i)) claims a rate above the exact one",
            it.beta,
            it.lambda,
            it.eta,
            it.delta_free,
            libm::log10(it.delta_free) - it.log10_delta_min
        ),
        Check::upper_bound("free delta", it.exact_rate, it.lambda_star_free, 0.0, 0.0, 0.0),
    )
}
