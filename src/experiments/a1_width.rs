//! **A1 across widths**: the constants of Assumption 1(ii)–(iii) for the
//! clipped network of S8 at widths M = 16 … 1024, with and without the S9
//! reparametrisation 𝓛̂(W) := 𝓛̂(f_{T_K^{γ/2} W}).
//!
//! > A1(ii): ‖∇𝓛̂(W) − ∇𝓛̂(W')‖ ≤ L ‖W − W'‖_α for some α ∈ (1/4, 1).
//! > A1(iii): ‖∇³𝓛̂_N(W)·(h, k)‖_{α'} ≤ C_{α'} ‖h‖ ‖k‖ (and its dual form).
//!
//! L (α = 1/2) is the largest ratio ‖∇𝓛̂(W + h) − ∇𝓛̂(W)‖ / ‖h‖_α found by
//! three searches at each width (every Gram mode above the floor, as in
//! A1): random W and random directions h; one-particle directions (P_N of
//! a map non-zero at one particle only, and for the reparametrised model
//! also its preimage under T_K^{γ/2}, so that the inner network sees the
//! spike); and single high modes h = e_k (the smallest μ_k). The growth
//! exponent is the least-squares slope of log L on log M with its stderr.
//!
//! Expected (`proofs/a1.md`, section "A1 across widths"): for the plain
//! network the pointwise Hessian of the clip and activation makes
//! ‖∇𝓛̂(W + h) − ∇𝓛̂(W)‖ ≍ ‖h‖ for localized h, while ‖h‖_α ≤ μ_0^α‖h‖ can
//! be as small as μ_{N−1}^α ‖h‖; with N growing with M, L grows with M. With
//! γ ≥ 2α the reparametrised gradient difference is at most
//! μ_0^{γ/2} H ‖T_K^{γ/2} h‖ ≤ μ_0^{γ−α} H ‖h‖_α, H the pointwise bound,
//! uniformly in M.

use super::a1_assumption::{model_of_width, third_search_on, ThirdSearch};
use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Potential, Reparametrized};
use crate::record::{Reading, Status};
use crate::rng::{chain_rng, standard_normal_matrix, uniform01};
use crate::space::{Coef, Space};
use crate::stats::{fit_line, z_one_sided};
use crate::tolerance::FALSE_FAILURE;
use serde::Serialize;

/// Widths of the sweep (quick, full).
pub const WIDTHS: (&[usize], &[usize]) = (&[16, 32, 64, 128, 256], &[16, 32, 64, 128, 256, 512, 1024]);

/// α of A1(ii) at which L is measured.
pub const ALPHA: f64 = 0.5;

/// γ of the S9 reparametrisation (γ = 1: the H_K scale; γ ≥ 2α is what the
/// uniform bound needs).
pub const GAMMA: f64 = 1.0;

/// Relative size of the perturbation h (‖h‖ = [`STEP`] · max(1, ‖W‖/√(Nq))).
pub const STEP: f64 = 1e-3;

/// The three searches at one width for one model.
#[derive(Debug, Clone, Serialize)]
pub struct LipschitzPoint {
    /// Width M.
    pub width: usize,
    /// Modes N (every Gram mode above the floor).
    pub modes: usize,
    /// Smallest eigenvalue μ_{N−1} kept.
    pub mu_min: f64,
    /// Largest ratio over random W and random directions.
    pub random: f64,
    /// Largest ratio over one-particle directions.
    pub one_particle: f64,
    /// Largest ratio over single high modes.
    pub one_mode: f64,
    /// The largest of the three: the empirical L.
    pub lipschitz: f64,
}

/// ‖∇P(W + h) − ∇P(W)‖ / ‖h‖_α.
pub fn ratio<P: Potential + ?Sized>(space: &Space, p: &P, w: &Coef, h: &Coef, alpha: f64) -> f64 {
    let mut ga = Coef::zeros(w.nrows(), w.ncols());
    let mut gb = Coef::zeros(w.nrows(), w.ncols());
    p.gradient(w, &mut ga);
    p.gradient(&(w + h), &mut gb);
    (&gb - &ga).norm() / space.norm_eps(h, alpha)
}

/// The L search of the module doc with `budget` ratio evaluations on the
/// objective `p` over the finite-width `space`; `preimage` adds the
/// T_K^{−γ/2} preimages of the one-particle directions (for the
/// reparametrised model).
///
/// # Errors
/// A space that is not finite-width.
pub fn lipschitz_search<P: Potential + ?Sized>(
    space: &Space,
    p: &P,
    budget: usize,
    seed: u64,
    preimage: Option<f64>,
) -> Result<LipschitzPoint> {
    let (nm, q) = p.shape();
    let m = space.width().unwrap_or(nm);
    let mut rng = chain_rng(seed, 44);
    let scales = [0.3, 1.0, 3.0];
    let per = (budget / 3).max(1);
    let w_at = |i: usize, rng: &mut crate::rng::ChainRng| standard_normal_matrix(rng, nm, q) * scales[i % scales.len()];
    let size = |w: &Coef| STEP * (w.norm() / ((nm * q) as f64).sqrt()).max(1.0);
    let (mut random, mut one_particle, mut one_mode): (f64, f64, f64) = (0.0, 0.0, 0.0);
    for i in 0..per {
        let w = w_at(i, &mut rng);
        let h = standard_normal_matrix(&mut rng, nm, q);
        let h = &h * (size(&w) / h.norm());
        random = random.max(ratio(space, p, &w, &h, ALPHA));
    }
    for i in 0..per {
        let w = w_at(i, &mut rng);
        let particle = ((uniform01(&mut rng) * m as f64) as usize).min(m - 1);
        let mut v = nalgebra::DMatrix::zeros(m, q);
        v[(particle, i % q)] = 1.0;
        let mut h = space.from_values(&v)?;
        if let (Some(gamma), true) = (preimage, i % 2 == 1) {
            h = space.tk_pow(&h, -gamma / 2.0);
        }
        let h = &h * (size(&w) / h.norm());
        one_particle = one_particle.max(ratio(space, p, &w, &h, ALPHA));
    }
    for i in 0..per {
        let w = w_at(i, &mut rng);
        // The smallest mode, then the next ones, cycling over the lower half.
        let k = nm - 1 - (i % nm.div_ceil(2));
        let mut h = Coef::zeros(nm, q);
        h[(k, (i / nm.div_ceil(2)) % q)] = size(&w);
        one_mode = one_mode.max(ratio(space, p, &w, &h, ALPHA));
    }
    Ok(LipschitzPoint {
        width: m,
        modes: nm,
        mu_min: space.mu()[nm - 1],
        random,
        one_particle,
        one_mode,
        lipschitz: random.max(one_particle).max(one_mode),
    })
}

/// One model across widths: the `empirical.width_uniformity` entry of A1.
#[derive(Debug, Clone, Serialize)]
pub struct WidthUniformity {
    /// The model.
    pub model: String,
    /// Whether the S9 reparametrisation is used.
    pub reparametrized: bool,
    /// γ of T_K^{γ/2} (0 for the plain model).
    pub gamma: f64,
    /// Widths M.
    pub widths: Vec<usize>,
    /// Modes N at each width.
    pub modes: Vec<usize>,
    /// Empirical L (α = 1/2) at each width.
    pub lipschitz: Vec<f64>,
    /// Slope of log L on log M.
    pub growth_exponent: f64,
    /// Its standard error.
    pub growth_exponent_stderr: f64,
    /// Slope of log L on log μ_{N−1} (the mechanism: −1/2 for the plain
    /// network, `proofs/a1.md`; L unbounded as μ_{N−1} → 0 when negative).
    pub exponent_in_mu_min: f64,
    /// Its standard error.
    pub exponent_in_mu_min_stderr: f64,
    /// The searches in detail.
    pub searches: Vec<LipschitzPoint>,
    /// Empirical C_{α'} (α' = 1/2) at each width.
    pub c_alpha_prime: Vec<f64>,
    /// Slope of log C_{α'} on log M.
    pub c_alpha_prime_growth_exponent: f64,
    /// Its standard error.
    pub c_alpha_prime_growth_exponent_stderr: f64,
    /// The C_{α'} searches in detail.
    pub c_alpha_prime_searches: Vec<ThirdSearch>,
}

/// α' of the C_{α'} sweep.
pub const ALPHA_PRIME: f64 = 0.5;

fn slope(widths: &[usize], values: &[f64]) -> (f64, f64) {
    let x: Vec<f64> = widths.iter().map(|&m| m as f64).collect();
    slope_on(&x, values)
}

fn slope_on(xs: &[f64], values: &[f64]) -> (f64, f64) {
    let x: Vec<f64> = xs.iter().map(|&m| libm::log(m)).collect();
    let y: Vec<f64> = values.iter().map(|&v| libm::log(v)).collect();
    let (_, s, se) = fit_line(&x, &y);
    (s, se)
}

/// The sweep over `widths` for the plain (γ = 0) and reparametrised
/// (γ = [`GAMMA`]) clipped network (squared loss), `budget` ratios per width
/// for L and `third_budget` for C_{α'}; `progress` hears each width.
///
/// # Errors
/// A Gram spectrum that cannot be built.
pub fn width_uniformity(
    widths: &[usize],
    budget: usize,
    third_budget: usize,
    seed: u64,
    progress: &dyn Fn(usize),
) -> Result<[WidthUniformity; 2]> {
    let mut out: Vec<WidthUniformity> = [0.0, GAMMA]
        .iter()
        .map(|&g| WidthUniformity {
            model: "clipped two-layer (S8), tanh, squared loss".into(),
            reparametrized: g > 0.0,
            gamma: g,
            widths: widths.to_vec(),
            modes: Vec::new(),
            lipschitz: Vec::new(),
            growth_exponent: 0.0,
            growth_exponent_stderr: 0.0,
            exponent_in_mu_min: 0.0,
            exponent_in_mu_min_stderr: 0.0,
            searches: Vec::new(),
            c_alpha_prime: Vec::new(),
            c_alpha_prime_growth_exponent: 0.0,
            c_alpha_prime_growth_exponent_stderr: 0.0,
            c_alpha_prime_searches: Vec::new(),
        })
        .collect();
    for &m in widths {
        progress(m);
        let (space, tl, _) = model_of_width(Loss::Squared, m, seed)?;
        let re = Reparametrized::new(tl.clone(), &space, GAMMA)?;
        let pts = [
            lipschitz_search(&space, &tl, budget, seed, None)?,
            lipschitz_search(&space, &re, budget, seed, Some(GAMMA))?,
        ];
        let cs = [
            third_search_on(&space, &tl, ALPHA_PRIME, third_budget, seed)?,
            third_search_on(&space, &re, ALPHA_PRIME, third_budget, seed)?,
        ];
        for ((o, p), c) in out.iter_mut().zip(pts).zip(cs) {
            o.modes.push(p.modes);
            o.lipschitz.push(p.lipschitz);
            o.searches.push(p);
            o.c_alpha_prime.push(c.c_random.max(c.c_spiky).max(c.c_adversarial));
            o.c_alpha_prime_searches.push(c);
        }
    }
    for o in out.iter_mut() {
        (o.growth_exponent, o.growth_exponent_stderr) = slope(&o.widths, &o.lipschitz);
        let mu: Vec<f64> = o.searches.iter().map(|p| p.mu_min).collect();
        (o.exponent_in_mu_min, o.exponent_in_mu_min_stderr) = slope_on(&mu, &o.lipschitz);
        (o.c_alpha_prime_growth_exponent, o.c_alpha_prime_growth_exponent_stderr) = slope(&o.widths, &o.c_alpha_prime);
    }
    let reparam = out.pop().expect("two models");
    let plain = out.pop().expect("two models");
    Ok([plain, reparam])
}

/// Whether L is not uniform: its growth exponent in M is positive, or its
/// exponent in μ_{N−1} negative (L unbounded as N grows), beyond the
/// one-sided z-tolerance at [`FALSE_FAILURE`]/2.
pub fn grows(o: &WidthUniformity) -> bool {
    let z = z_one_sided(FALSE_FAILURE / 2.0);
    o.growth_exponent - z * o.growth_exponent_stderr > 0.0 || o.exponent_in_mu_min + z * o.exponent_in_mu_min_stderr < 0.0
}

/// The readings of A1(ii) across widths: at fixed width, uniformly for the
/// plain network, uniformly for the reparametrised one (the reading the
/// proof needs: the paper introduces S9 "to ensure" A1(ii)).
pub fn readings(plain: &WidthUniformity, re: &WidthUniformity) -> Vec<Reading> {
    let status = |o: &WidthUniformity| if grows(o) { Status::Violated } else { Status::Holds };
    let ev = |o: &WidthUniformity| {
        format!(
            "L (alpha = 1/2) over M = {:?}: {:?}; growth exponent in M {:.3} +- {:.3}; exponent in mu_(N-1) {:.3} +- {:.3} (not uniform beyond z = {:.2} stderr: {})",
            o.widths,
            o.lipschitz.iter().map(|v| format!("{v:.3e}")).collect::<Vec<_>>(),
            o.growth_exponent,
            o.growth_exponent_stderr,
            o.exponent_in_mu_min,
            o.exponent_in_mu_min_stderr,
            z_one_sided(FALSE_FAILURE / 2.0),
            grows(o)
        )
    };
    vec![
        Reading {
            reading: "A1(ii) at each fixed width M, constants allowed to depend on M".into(),
            status: if plain.lipschitz.iter().all(|v| v.is_finite()) {
                Status::Holds
            } else {
                Status::Violated
            },
            evidence: format!("every measured L is finite; plain: {}", ev(plain)),
        },
        Reading {
            reading: "A1(ii) uniformly in M (and N), plain clipped network of S8".into(),
            status: status(plain),
            evidence: format!(
                "plain: {}; the one-mode directions h = e_(N-1) dominate: L ~ mu_(N-1)^(-1/2)",
                ev(plain)
            ),
        },
        Reading {
            reading: format!("A1(ii) uniformly in M (and N), S8 reparametrised by S9 with gamma = {GAMMA} (the reading the proof needs)"),
            status: status(re),
            evidence: format!("reparametrised: {}", ev(re)),
        },
    ]
}

/// The sentence of the A1 notes on the width sweep.
pub fn note(plain: &WidthUniformity, re: &WidthUniformity) -> String {
    format!(
        "Width uniformity (empirical.width_uniformity, proofs/a1.md 'A1 across widths'): L of A1(ii) at alpha = 1/2 over M = {:?} (every Gram mode above the floor) by random, one-particle and single-high-mode directions: plain S8 network growth exponent {:.2} +- {:.2} in M (L from {:.3e} to {:.3e}; it levels off once N reaches the spectrum floor) and {:.2} +- {:.2} in the smallest kept eigenvalue mu_(N-1) (predicted -1/2: L ~ mu_(N-1)^(-1/2), unbounded as N grows): {}; with the S9 reparametrisation (gamma = {GAMMA}) exponent {:.2} +- {:.2} (L between {:.3} and {:.3}): {}. C_alpha' (alpha' = 1/2) exponents: plain {:.2} +- {:.2}, reparametrised {:.2} +- {:.2}.",
        plain.widths,
        plain.growth_exponent,
        plain.growth_exponent_stderr,
        plain.lipschitz.iter().copied().fold(f64::INFINITY, f64::min),
        plain.lipschitz.iter().copied().fold(0.0, f64::max),
        plain.exponent_in_mu_min,
        plain.exponent_in_mu_min_stderr,
        if grows(plain) {
            "the plain network does NOT satisfy A1(ii) uniformly, so the theorem's constants depend on M and N (paper/errata.md E61)"
        } else {
            "no significant growth for the plain network at these widths"
        },
        re.growth_exponent,
        re.growth_exponent_stderr,
        re.lipschitz.iter().copied().fold(f64::INFINITY, f64::min),
        re.lipschitz.iter().copied().fold(0.0, f64::max),
        if grows(re) {
            "it too grows: A1(ii) is not uniform in M even with the reparametrisation"
        } else {
            "uniform in M, the setting in which A1(ii) holds"
        },
        plain.c_alpha_prime_growth_exponent,
        plain.c_alpha_prime_growth_exponent_stderr,
        re.c_alpha_prime_growth_exponent,
        re.c_alpha_prime_growth_exponent_stderr,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mode_direction_finds_the_plain_lipschitz_constant_growing_and_the_reparametrised_bounded() {
        let [plain, re] = width_uniformity(&[8, 32], 30, 3, 5, &|_| {}).unwrap();
        // The plain constant grows with the width (more, smaller modes).
        assert!(plain.lipschitz[1] > 2.0 * plain.lipschitz[0], "{:?}", plain.lipschitz);
        // The reparametrised one does not grow by more than a factor 2.
        assert!(re.lipschitz[1] < 2.0 * re.lipschitz[0], "{:?}", re.lipschitz);
    }
}
