//! The minorization constant of the one-mode scheme on a small set (P1,
//! reading (ii): δ is the constant of the Harris argument, not a free
//! parameter). Derivations in `proofs/p1_rates.md`, §7–8.
//!
//! For the n-step kernel Pⁿ of the grid chain and the small set
//! C = {w : w² ≤ level}, the largest δ with Pⁿ(x, ·) ≥ δ ν(·) for every
//! x ∈ C (ν a probability) is δ_min = Σ_y min_{x∈C} Pⁿ(x, y). It is
//! computed in logarithms: one step from the Gaussian kernel's exponents
//! directly; n steps from the similarity D⁻¹PD (D = diag e^{−c x²}), whose
//! powers D⁻¹PⁿD keep the far-tail entries that decide δ_min representable
//! (δ_min reaches 1e-310 in the sweep).
//!
//! Second route (an upper bound): for any two starts x₁, x₂ ∈ C,
//! δ_min ≤ Σ_y min(Pⁿ(x₁, y), Pⁿ(x₂, y)), the overlap of their laws; the
//! starts in the two wells and the two ends of C are reported.

use crate::error::{Error, Result};
use crate::oracle::grid::{scheme_kernel, Grid};
use crate::problems::double_well::{DoubleWell, WellSetting};
use nalgebra::DMatrix;
use serde::Serialize;

/// The minorization of the n-step kernel on one small set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Minorization {
    /// ln δ_min.
    pub ln_delta: f64,
    /// ln of the overlap of the laws started at the two wells (an upper bound on δ_min).
    pub ln_overlap_wells: f64,
    /// ln of the overlap of the laws started at the two ends ±√level of C.
    pub ln_overlap_ends: f64,
    /// ln of the overlap of the laws started at ±(√level + 2), outside C
    /// (not a bound on δ_min: the control of the upper-bound check).
    pub ln_overlap_outside: f64,
    /// Grid points.
    pub grid_points: usize,
}

/// The extended grid of the minorization: half-width √level_max + 2 plus
/// 8 standard deviations of the n-step law and of one step, spacing
/// min(sd/`per_sd`, 0.05) with sd the one-step kernel's standard deviation.
pub fn minorization_grid(s: WellSetting, radius_max: f64, steps: usize, per_sd: f64) -> Result<Grid> {
    let sf = 1.0 / (1.0 + s.eta * s.lambda);
    let sd = sf * (2.0 * s.eta / s.beta).sqrt();
    let vn = sd * sd * (1.0 - sf.powi(2 * steps as i32)) / (1.0 - sf * sf);
    let r = radius_max + 2.0 + 8.0 * vn.sqrt() + 8.0 * sd;
    let h = (sd / per_sd).min(0.05);
    Grid::symmetric(r, h, 4000, "minorization grid points", "at most 4000")
}

/// ln Σ_j e^{a_j} (−∞ for an empty or all −∞ list).
fn log_sum_exp(a: &[f64]) -> f64 {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + libm::log(a.iter().map(|&v| libm::exp(v - m)).sum::<f64>())
}

/// ln Pⁿ(x_i, x_j) for all i, j, by the scaled powers (n ≥ 1).
fn log_kernel_power(well: &DoubleWell, s: WellSetting, grid: &Grid, steps: usize) -> DMatrix<f64> {
    let g = grid.x.len();
    let p = scheme_kernel(well, s, grid);
    let r2 = grid.x[g - 1] * grid.x[g - 1];
    // e^{c x²} boosts the rows far out by up to e^{400}: entries of D⁻¹PᵏD
    // stay below e^{400}·max P (no overflow) while the far-tail entries that
    // decide δ_min (down to e^{−714} in the sweep) stay above the underflow.
    let c = 400.0 / r2;
    let d = |i: usize| c * grid.x[i] * grid.x[i];
    let m = DMatrix::from_fn(g, g, |i, j| p[(i, j)] * libm::exp(d(i) - d(j)));
    // Powers by squaring.
    let mut result: Option<DMatrix<f64>> = None;
    let mut base = m;
    let mut k = steps;
    while k > 0 {
        if k & 1 == 1 {
            result = Some(match result {
                None => base.clone(),
                Some(r) => r * &base,
            });
        }
        k >>= 1;
        if k > 0 {
            base = &base * &base;
        }
    }
    let mn = result.expect("steps >= 1");
    DMatrix::from_fn(g, g, |i, j| libm::log(mn[(i, j)]) - d(i) + d(j))
}

/// ln of the one-step kernel: rows are the Gaussian exponents minus the log
/// of the row sums (exact for any underflow).
fn log_kernel_one_step(well: &DoubleWell, s: WellSetting, grid: &Grid) -> DMatrix<f64> {
    let g = grid.x.len();
    let sf = 1.0 / (1.0 + s.eta * s.lambda);
    let sd = sf * (2.0 * s.eta / s.beta).sqrt();
    let mut out = DMatrix::zeros(g, g);
    for i in 0..g {
        let m = sf * (grid.x[i] - s.eta * well.d1(grid.x[i]));
        let e: Vec<f64> = grid.x.iter().map(|&y| -0.5 * ((y - m) / sd).powi(2)).collect();
        let z = log_sum_exp(&e);
        for j in 0..g {
            out[(i, j)] = e[j] - z;
        }
    }
    out
}

/// The index of the node nearest to w.
fn node(grid: &Grid, w: f64) -> usize {
    (((w - grid.x[0]) / grid.h).round().max(0.0) as usize).min(grid.x.len() - 1)
}

/// ln of the overlap Σ_y min(Pⁿ(a, y), Pⁿ(b, y)) of the rows of `lp`.
fn ln_overlap(lp: &DMatrix<f64>, a: usize, b: usize) -> f64 {
    let mins: Vec<f64> = (0..lp.ncols()).map(|j| lp[(a, j)].min(lp[(b, j)])).collect();
    log_sum_exp(&mins)
}

/// The `steps`-step grid kernel in logarithms, on the grid of
/// [`minorization_grid`] reaching the small sets up to `radius_max`.
#[derive(Debug, Clone)]
pub struct LogKernel {
    /// The grid.
    pub grid: Grid,
    /// ln Pⁿ(x_i, x_j).
    pub lp: DMatrix<f64>,
    /// The largest small-set radius the grid serves.
    pub radius_max: f64,
}

impl LogKernel {
    /// ln Pⁿ for the setting, spacing sd/`per_sd`.
    pub fn new(well: &DoubleWell, s: WellSetting, radius_max: f64, steps: usize, per_sd: f64) -> Result<LogKernel> {
        crate::error::nonzero("steps", steps)?;
        let grid = minorization_grid(s, radius_max, steps, per_sd)?;
        let lp = if steps == 1 {
            log_kernel_one_step(well, s, &grid)
        } else {
            log_kernel_power(well, s, &grid, steps)
        };
        Ok(LogKernel { grid, lp, radius_max })
    }

    /// The drift constants of V = w²: (sup_{|w| ≤ radius_max} (PⁿV(w) − γV(w)),
    /// sup_{|w| ≤ radius_max} PⁿV(w)).
    pub fn drift(&self, gamma: f64) -> (f64, f64) {
        let g = self.grid.x.len();
        let x = &self.grid.x;
        let mut k = f64::NEG_INFINITY;
        let mut k0 = f64::NEG_INFINITY;
        for i in (0..g).filter(|&i| x[i].abs() <= self.radius_max) {
            let v: f64 = (0..g).map(|j| libm::exp(self.lp[(i, j)]) * x[j] * x[j]).sum();
            k = k.max(v - gamma * x[i] * x[i]);
            k0 = k0.max(v);
        }
        (k, k0)
    }

    /// δ_min on {w² ≤ level} (level ≤ radius_max²) with the overlaps from
    /// the two `wells`, the two ends of the set and two starts outside it.
    pub fn minorize(&self, level: f64, wells: (f64, f64)) -> Result<Minorization> {
        let grid = &self.grid;
        let g = grid.x.len();
        let r = level.sqrt();
        if r > self.radius_max * (1.0 + 1e-12) {
            return Err(Error::Numerical("the small set exceeds the minorization grid".into()));
        }
        let rows: Vec<usize> = (0..g).filter(|&i| grid.x[i].abs() <= r).collect();
        if rows.is_empty() {
            return Err(Error::Numerical("the small set holds no grid node".into()));
        }
        let mins: Vec<f64> = (0..g)
            .map(|j| rows.iter().map(|&i| self.lp[(i, j)]).fold(f64::INFINITY, f64::min))
            .collect();
        let ln_delta = log_sum_exp(&mins);
        if !ln_delta.is_finite() {
            return Err(Error::Numerical("the minorization constant underflows".into()));
        }
        Ok(Minorization {
            ln_delta,
            ln_overlap_wells: ln_overlap(&self.lp, node(grid, wells.0), node(grid, wells.1)),
            ln_overlap_ends: ln_overlap(&self.lp, rows[0], rows[rows.len() - 1]),
            ln_overlap_outside: ln_overlap(&self.lp, node(grid, -r - 2.0), node(grid, r + 2.0)),
            grid_points: g,
        })
    }
}

/// The minima of U(w) = λw²/2 + 𝓛̂(w) in each half-line (the two wells), by
/// a scan of step 1e-4 on [−3, 0] and [0, 3].
pub fn wells(well: &DoubleWell, lambda: f64) -> (f64, f64) {
    let u = |w: f64| lambda * w * w / 2.0 + well.value_at(w);
    let argmin = |lo: f64, hi: f64| {
        let n = ((hi - lo) / 1e-4) as usize;
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .fold((lo, f64::INFINITY), |best, w| if u(w) < best.1 { (w, u(w)) } else { best })
            .0
    };
    (argmin(-3.0, 0.0), argmin(0.0, 3.0))
}
