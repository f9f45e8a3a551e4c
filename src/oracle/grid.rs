//! The grid transition kernel of a one-mode chain (P1's exact oracle).
//!
//! For N = 1 (μ_0 = 1) the scheme's transition from w is Gaussian,
//! w' ∼ N(S (w − η𝓛̂'(w)), S² 2η/β) with S = 1/(1 + ηλ). On a uniform grid
//! it becomes a stochastic matrix P (the Gaussian density at the nodes,
//! rows renormalised) whose powers give the law of the chain up to the
//! grid error: its second eigenvalue modulus is the exact geometric rate,
//! its stationary vector the law π_η. The spectral gap of the continuous
//! generator gives the rate of the diffusion. Derivations in
//! `proofs/p1_rates.md`.

use crate::error::{Error, Result};
use crate::problems::double_well::{DoubleWell, WellSetting};
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// A uniform grid on [−r, r].
#[derive(Debug, Clone)]
pub struct Grid {
    /// Nodes.
    pub x: Vec<f64>,
    /// Spacing.
    pub h: f64,
}

impl Grid {
    /// Grid for a setting: half-width max(7, 8 prior sd), spacing at most
    /// a quarter of the kernel's standard deviation and at most 0.05, and
    /// at most `max_points` nodes (error otherwise).
    pub fn for_setting(s: WellSetting, max_points: usize) -> Result<Grid> {
        let prior_sd = (1.0 / (s.beta * s.lambda)).sqrt();
        let r = (8.0 * prior_sd).max(7.0);
        let kernel_sd = (2.0 * s.eta / s.beta).sqrt() / (1.0 + s.eta * s.lambda);
        let h = (kernel_sd / 4.0).min(0.05);
        Grid::symmetric(
            r,
            h,
            max_points,
            "grid points",
            "at most the allowed grid size (increase eta or the size)",
        )
    }

    /// The uniform grid on [−r, r] with spacing at most `h` (the number of
    /// points rounded up, the spacing then shrunk to fit).
    ///
    /// # Errors
    /// More than `max_points` points (`name` and `range` name the limit).
    pub fn symmetric(r: f64, h: f64, max_points: usize, name: &'static str, range: &'static str) -> Result<Grid> {
        let points = (2.0 * r / h).ceil() as usize + 1;
        if points > max_points {
            return Err(Error::OutOfRange {
                name,
                value: points as f64,
                range,
            });
        }
        let h = 2.0 * r / (points - 1) as f64;
        Ok(Grid {
            x: (0..points).map(|i| -r + h * i as f64).collect(),
            h,
        })
    }
}

/// The scheme's transition matrix on the grid (rows: from; columns: to),
/// W' ∼ N(S(w − η𝓛̂'(w)), S² 2η/β), S = 1/(1 + ηλ), rows renormalised.
pub fn scheme_kernel(well: &DoubleWell, s: WellSetting, grid: &Grid) -> DMatrix<f64> {
    let g = grid.x.len();
    let sf = 1.0 / (1.0 + s.eta * s.lambda);
    let sd = sf * (2.0 * s.eta / s.beta).sqrt();
    let mut p = DMatrix::zeros(g, g);
    for i in 0..g {
        let m = sf * (grid.x[i] - s.eta * well.d1(grid.x[i]));
        let mut row = 0.0;
        for j in 0..g {
            let z = (grid.x[j] - m) / sd;
            let v = libm::exp(-0.5 * z * z);
            p[(i, j)] = v;
            row += v;
        }
        for j in 0..g {
            p[(i, j)] /= row;
        }
    }
    p
}

/// Second-largest eigenvalue modulus of a stochastic matrix.
pub fn second_eigenvalue_modulus(p: &DMatrix<f64>) -> f64 {
    let mut mods: Vec<f64> = p.complex_eigenvalues().iter().map(|c| c.norm()).collect();
    mods.sort_by(|a, b| b.total_cmp(a));
    mods[1]
}

/// The stationary row vector π P = π (Σπ = 1), by a direct solve.
pub fn stationary(p: &DMatrix<f64>) -> Result<DVector<f64>> {
    let g = p.nrows();
    let mut a = p.transpose() - DMatrix::identity(g, g);
    let mut rhs = DVector::zeros(g);
    for j in 0..g {
        a[(g - 1, j)] = 1.0;
    }
    rhs[g - 1] = 1.0;
    a.lu()
        .solve(&rhs)
        .ok_or_else(|| Error::Numerical("the grid chain has no unique stationary law".into()))
}

/// E_{π_∞}\[F\] by quadrature of e^{−βU} on the grid (U = λw²/2 + 𝓛̂).
pub fn continuous_expectation(well: &DoubleWell, s: WellSetting, grid: &Grid, f: impl Fn(f64) -> f64) -> f64 {
    let u: Vec<f64> = grid.x.iter().map(|&w| s.lambda * w * w / 2.0 + well.value_at(w)).collect();
    let umin = u.iter().copied().fold(f64::INFINITY, f64::min);
    let wts: Vec<f64> = u.iter().map(|&v| libm::exp(-s.beta * (v - umin))).collect();
    let z: f64 = wts.iter().sum();
    grid.x.iter().zip(&wts).map(|(&w, &p)| f(w) * p).sum::<f64>() / z
}

/// Spectral gap of the generator L f = −U' f' + (1/β) f'' (reversible
/// w.r.t. e^{−βU}), discretized as the birth–death chain with rates
/// (1/(βh²)) e^{−β(U_{i±1} − U_i)/2}; its symmetrisation has off-diagonal
/// entries 1/(βh²).
pub fn generator_gap(well: &DoubleWell, s: WellSetting, grid: &Grid) -> f64 {
    let g = grid.x.len();
    let u: Vec<f64> = grid.x.iter().map(|&w| s.lambda * w * w / 2.0 + well.value_at(w)).collect();
    let d = 1.0 / (s.beta * grid.h * grid.h);
    let mut m = DMatrix::zeros(g, g);
    for i in 0..g {
        let mut diag = 0.0;
        if i + 1 < g {
            diag += d * libm::exp(-s.beta * (u[i + 1] - u[i]) / 2.0);
            m[(i, i + 1)] = d;
            m[(i + 1, i)] = d;
        }
        if i > 0 {
            diag += d * libm::exp(-s.beta * (u[i - 1] - u[i]) / 2.0);
        }
        m[(i, i)] = -diag;
    }
    let mut ev: Vec<f64> = SymmetricEigen::new(m).eigenvalues.iter().copied().collect();
    ev.sort_by(|a, b| b.total_cmp(a));
    -ev[1]
}

/// The exact grid trajectory E[F(W_k)], k = 0..steps, from W_0 (a point
/// mass at the node nearest to W_0).
pub fn exact_trajectory(p: &DMatrix<f64>, grid: &Grid, w0: f64, steps: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let g = grid.x.len();
    let i0 = ((w0 - grid.x[0]) / grid.h).round().clamp(0.0, (g - 1) as f64) as usize;
    let fv = DVector::from_iterator(g, grid.x.iter().map(|&w| f(w)));
    let mut dist = nalgebra::RowDVector::zeros(g);
    dist[i0] = 1.0;
    let mut out = Vec::with_capacity(steps + 1);
    for _ in 0..=steps {
        out.push((&dist * &fv)[0]);
        dist = &dist * p;
    }
    out
}
