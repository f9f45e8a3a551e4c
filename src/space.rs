//! The truncated Hilbert space H_N (S4, S9, A1(i)).
//!
//! > **S4.** H a separable Hilbert space with orthonormal system (e_k)_{k≥0};
//! > (μ_k) non-increasing, non-negative. H_K = { Σ α_k e_k : Σ α_k²/μ_k < ∞ },
//! > ⟨f, g⟩_{H_K} = Σ α_k β_k / μ_k. A f = λ Σ_k (α_k/μ_k) e_k.
//! >
//! > **S9.** ⟨T_K h, h'⟩ = Σ μ_k α_k α'_k; ⟨h, h'⟩_{H_{K^γ}} = Σ μ_k^{−γ} α_k α'_k.
//! >
//! > **A1.** ‖W‖_ε = (Σ_k μ_k^{2ε} ⟨W, e_k⟩²)^{1/2}; (i) μ_k ≤ c_μ (k+1)^{−2}.
//!
//! An element W of H_N (vector valued, values in R^q) is stored as its
//! coefficient matrix [`Coef`]: row k holds ⟨W, e_k⟩ ∈ R^q. Every norm and
//! operator is diagonal in these coordinates.
//!
//! Two constructions:
//! * [`Space::power_law`]: μ_k = c_μ (k+1)^{−p} on the cosine basis of
//!   L2(\[0,1\]): e_0 = 1, e_k(x) = √2 cos(kπx) (for Galerkin studies in N);
//! * [`Space::finite_width`] (R1): ρ0 = (1/M) Σ_m δ_{w_m}, H = L2(ρ0; R^q) ≅
//!   R^{M×q}; the integral operator of a kernel on the initial weights has
//!   the matrix G/M (G the Gram matrix); its eigenpairs give μ_k and
//!   e_k(w_m) = √M v_k\[m\], orthonormal in L2(ρ0) (weight 1/M).

use crate::error::{self, Error, Result};
use crate::tolerance::SPECTRUM_FLOOR;
use nalgebra::{DMatrix, SymmetricEigen};

/// Coefficients of an element of H_N: an N × q matrix, row k = ⟨W, e_k⟩.
pub type Coef = DMatrix<f64>;

/// Kernel on the initial weights (finite-width construction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    /// k(w, w') = exp(−‖w − w'‖² / (2 h²)).
    Gaussian {
        /// Bandwidth h > 0.
        bandwidth: f64,
    },
}

impl Kernel {
    /// Kernel value.
    pub fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        match *self {
            Kernel::Gaussian { bandwidth } => {
                let d2: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
                libm::exp(-d2 / (2.0 * bandwidth * bandwidth))
            }
        }
    }
}

/// Which orthonormal basis the coefficients refer to.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// Cosine basis of L2([0, 1]): e_0 = 1, e_k(x) = √2 cos(kπx).
    Cosine {
        /// c_μ of μ_k = c_μ (k+1)^{−p}.
        c_mu: f64,
        /// Decay exponent p.
        decay: f64,
    },
    /// Eigenbasis of a kernel's Gram matrix over M particles.
    FiniteWidth {
        /// The M initial weights (M × p), one per row.
        particles: DMatrix<f64>,
        /// Values e_k(w_m) (M × N): column k is √M times the k-th unit
        /// eigenvector of G/M.
        values: DMatrix<f64>,
        /// The kernel.
        kernel: Kernel,
    },
}

/// The truncated space H_N: eigenvalues μ_0 ≥ … ≥ μ_{N−1} > 0 and a basis.
#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    mu: Vec<f64>,
    basis: Basis,
}

impl Space {
    /// μ_k = c_μ (k+1)^{−p}, k < N, on the cosine basis of L2([0, 1]).
    pub fn power_law(c_mu: f64, decay: f64, modes: usize) -> Result<Space> {
        error::positive("c_mu", c_mu)?;
        error::positive("decay", decay)?;
        error::nonzero("modes", modes)?;
        let mu = (0..modes).map(|k| c_mu * libm::pow((k + 1) as f64, -decay)).collect();
        Ok(Space {
            mu,
            basis: Basis::Cosine { c_mu, decay },
        })
    }

    /// Finite width (R1): the top `modes` eigenpairs of the integral operator
    /// of `kernel` in L2(ρ0), ρ0 the empirical measure of the rows of
    /// `particles`.
    pub fn finite_width(particles: DMatrix<f64>, kernel: Kernel, modes: usize) -> Result<Space> {
        let width = particles.nrows();
        error::nonzero("width", width)?;
        error::nonzero("modes", modes)?;
        error::nonzero("particle dimension", particles.ncols())?;
        error::all_finite("particles", particles.as_slice())?;
        match kernel {
            Kernel::Gaussian { bandwidth } => {
                error::positive("bandwidth", bandwidth)?;
            }
        }
        if modes > width {
            return Err(Error::TooManyModes { modes, width });
        }
        let m = width as f64;
        let rows: Vec<Vec<f64>> = (0..width).map(|i| particles.row(i).iter().copied().collect()).collect();
        let gram = DMatrix::from_fn(width, width, |i, j| kernel.eval(&rows[i], &rows[j]) / m);
        let eig = SymmetricEigen::new(gram);
        let mut order: Vec<usize> = (0..width).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]).then(a.cmp(&b)));
        let top = eig.eigenvalues[order[0]];
        let usable = order.iter().take_while(|&&i| eig.eigenvalues[i] > SPECTRUM_FLOOR * top).count();
        if modes > usable {
            return Err(Error::DegenerateSpectrum {
                index: usable,
                value: eig.eigenvalues[order[usable]],
                usable,
            });
        }
        let mut values = DMatrix::zeros(width, modes);
        let mut mu = Vec::with_capacity(modes);
        for (k, &i) in order.iter().take(modes).enumerate() {
            mu.push(eig.eigenvalues[i]);
            let v = eig.eigenvectors.column(i);
            // Sign convention: the entry of largest modulus (first on ties) is positive.
            let mut arg = 0;
            for j in 0..width {
                if v[j].abs() > v[arg].abs() {
                    arg = j;
                }
            }
            let sign = if v[arg] < 0.0 { -1.0 } else { 1.0 };
            for j in 0..width {
                values[(j, k)] = sign * m.sqrt() * v[j];
            }
        }
        Ok(Space {
            mu,
            basis: Basis::FiniteWidth { particles, values, kernel },
        })
    }

    /// Number of modes N.
    pub fn modes(&self) -> usize {
        self.mu.len()
    }

    /// The eigenvalues μ_0 ≥ … ≥ μ_{N−1}.
    pub fn mu(&self) -> &[f64] {
        &self.mu
    }

    /// The basis.
    pub fn basis(&self) -> &Basis {
        &self.basis
    }

    /// Width M for the finite-width construction.
    pub fn width(&self) -> Option<usize> {
        match &self.basis {
            Basis::FiniteWidth { particles, .. } => Some(particles.nrows()),
            Basis::Cosine { .. } => None,
        }
    }

    /// The basis values e_k(w_m) (M × N), finite width only.
    pub fn basis_values(&self) -> Option<&DMatrix<f64>> {
        match &self.basis {
            Basis::FiniteWidth { values, .. } => Some(values),
            Basis::Cosine { .. } => None,
        }
    }

    /// e_k(x) of the cosine basis on [0, 1].
    pub fn cosine(k: usize, x: f64) -> f64 {
        if k == 0 {
            1.0
        } else {
            std::f64::consts::SQRT_2 * libm::cos(k as f64 * std::f64::consts::PI * x)
        }
    }

    /// Values W(w_m) (M × q) of an element given by its coefficients.
    pub fn to_values(&self, c: &Coef) -> Result<DMatrix<f64>> {
        let e = self.finite_width_values()?;
        self.check_coef(c)?;
        Ok(e * c)
    }

    /// Coefficients ⟨W, e_k⟩_{L2(ρ0)} = (1/M) Σ_m e_k(w_m) W(w_m) of a map
    /// given by its values at the particles (M × q): this is P_N W.
    pub fn from_values(&self, values: &DMatrix<f64>) -> Result<Coef> {
        let e = self.finite_width_values()?;
        if values.nrows() != e.nrows() {
            return Err(Error::DimensionMismatch {
                what: "values (rows = width M)",
                expected: e.nrows(),
                found: values.nrows(),
            });
        }
        error::all_finite("values", values.as_slice())?;
        Ok(e.transpose() * values / e.nrows() as f64)
    }

    /// P_N of the identity map W_0(w) = w (finite width): the scheme's
    /// start in S3.
    pub fn identity_coefficients(&self) -> Result<Coef> {
        match &self.basis {
            Basis::FiniteWidth { particles, .. } => self.from_values(particles),
            Basis::Cosine { .. } => Err(Error::Incompatible {
                what: "the identity map",
                needs: "the finite-width space",
            }),
        }
    }

    fn finite_width_values(&self) -> Result<&DMatrix<f64>> {
        self.basis_values().ok_or(Error::Incompatible {
            what: "values at particles",
            needs: "the finite-width space",
        })
    }

    /// Checks that `c` has N rows.
    pub fn check_coef(&self, c: &Coef) -> Result<()> {
        if c.nrows() != self.modes() {
            return Err(Error::DimensionMismatch {
                what: "coefficient rows (= modes N)",
                expected: self.modes(),
                found: c.nrows(),
            });
        }
        Ok(())
    }

    /// Σ_k w_k ‖α_k‖² for mode weights w_k.
    fn weighted_sq(&self, c: &Coef, weight: impl Fn(f64) -> f64) -> f64 {
        let mut s = 0.0;
        for k in 0..c.nrows() {
            let row: f64 = c.row(k).iter().map(|a| a * a).sum();
            s += weight(self.mu[k]) * row;
        }
        s
    }

    /// ‖W‖ of H.
    pub fn norm(&self, c: &Coef) -> f64 {
        self.weighted_sq(c, |_| 1.0).sqrt()
    }

    /// ‖W‖_ε = (Σ μ_k^{2ε} ‖α_k‖²)^{1/2} (A1; ε may be negative).
    pub fn norm_eps(&self, c: &Coef, eps: f64) -> f64 {
        self.weighted_sq(c, |m| libm::pow(m, 2.0 * eps)).sqrt()
    }

    /// ‖W‖_{H_K} = (Σ ‖α_k‖²/μ_k)^{1/2} (S4).
    pub fn norm_hk(&self, c: &Coef) -> f64 {
        self.weighted_sq(c, |m| 1.0 / m).sqrt()
    }

    /// ‖W‖_{H_{K^γ}} = (Σ μ_k^{−γ} ‖α_k‖²)^{1/2} (S9).
    pub fn norm_hk_gamma(&self, c: &Coef, gamma: f64) -> f64 {
        self.weighted_sq(c, |m| libm::pow(m, -gamma)).sqrt()
    }

    /// T_K^s: α_k ↦ μ_k^s α_k (s = γ/2 gives the reparametrisation of S9).
    pub fn tk_pow(&self, c: &Coef, s: f64) -> Coef {
        let mut out = c.clone();
        for k in 0..out.nrows() {
            let f = libm::pow(self.mu[k], s);
            out.row_mut(k).iter_mut().for_each(|a| *a *= f);
        }
        out
    }

    /// A W = λ Σ (α_k/μ_k) e_k (S4).
    pub fn apply_a(&self, c: &Coef, lambda: f64) -> Coef {
        let mut out = c.clone();
        for k in 0..out.nrows() {
            let f = lambda / self.mu[k];
            out.row_mut(k).iter_mut().for_each(|a| *a *= f);
        }
        out
    }

    /// The factors of S_η = (I + ηA)^{−1}: 1/(1 + ηλ/μ_k) (S6).
    pub fn resolvent_factors(&self, eta: f64, lambda: f64) -> Vec<f64> {
        self.mu.iter().map(|&m| 1.0 / (1.0 + eta * lambda / m)).collect()
    }

    /// S_η W.
    pub fn s_eta(&self, c: &Coef, eta: f64, lambda: f64) -> Coef {
        let f = self.resolvent_factors(eta, lambda);
        let mut out = c.clone();
        for k in 0..out.nrows() {
            out.row_mut(k).iter_mut().for_each(|a| *a *= f[k]);
        }
        out
    }

    /// P_n: keeps the first n modes, zeroes the others (n ≥ N is the identity).
    pub fn project(&self, c: &Coef, n: usize) -> Coef {
        let mut out = c.clone();
        for k in n.min(out.nrows())..out.nrows() {
            out.row_mut(k).fill(0.0);
        }
        out
    }

    /// Coordinate variances μ_k/(βλ) of ν_β, the Gaussian with covariance (βA)^{−1} (S7).
    pub fn prior_variances(&self, beta: f64, lambda: f64) -> Vec<f64> {
        self.mu.iter().map(|&m| m / (beta * lambda)).collect()
    }
}

/// Row-major flattening of an N × q coefficient matrix (mode by mode).
pub fn flatten(c: &Coef) -> Vec<f64> {
    let mut out = Vec::with_capacity(c.len());
    for k in 0..c.nrows() {
        for j in 0..c.ncols() {
            out.push(c[(k, j)]);
        }
    }
    out
}

/// Inverse of [`flatten`].
pub fn unflatten(v: &[f64], n: usize, q: usize, what: &'static str) -> Result<Coef> {
    if v.len() != n * q {
        return Err(Error::DimensionMismatch {
            what,
            expected: n * q,
            found: v.len(),
        });
    }
    error::all_finite(what, v)?;
    Ok(Coef::from_row_slice(n, q, v))
}
