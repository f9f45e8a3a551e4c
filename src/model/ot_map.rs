//! The Wasserstein optimal transport map of the general formulation (Z-ot):
//! 𝒲 = 𝒲̃ = R^d, f_W(x) = W(x).
//!
//! > **Z-ot.** 𝒲 = 𝒲̃ = R^d, f_W(x) = W(x),
//! > 𝒲²(P, Q) = min_{W : Q = f_W♯P} E_{X∼P} ‖X − f_W(X)‖² (the constraint must be
//! > turned into a loss to run the dynamics; the choice is ours and must be stated).
//!
//! Lift: ρ0 = P̂_n, the empirical measure of the n source points x_i, so
//! H = L2(ρ0; R^d) holds the values W(x_i); the kernel on 𝒲 = R^d is the
//! Gaussian kernel of bandwidth h, with (μ_k, e_k) the eigenpairs of its
//! Gram matrix G/n over the x_i (the `gaussian-kernel` spectrum with the
//! source points as particles). The map is clipped, W̄ = R tanh(W/R)
//! elementwise (A1(ii): the transport term's gradient grows with W
//! otherwise), and f_W(x_i) = u_i = W̄(x_i).
//!
//! **The loss (our choice).** With the target sample y_1 … y_m of Q and
//! the Gaussian MMD kernel κ(a, b) = exp(−‖a − b‖²/(2σ²)),
//!
//! 𝓛̂(W) = (1/n) Σ_i ‖x_i − u_i‖² + τ MMD²_κ(f_W♯P̂_n, Q̂_m),
//! MMD² = (1/n²) Σ_{i,j} κ(u_i, u_j) − (2/(nm)) Σ_{i,j} κ(u_i, y_j) + (1/m²) Σ_{j,l} κ(y_j, y_l)
//!
//! (the V-statistic, ≥ 0). Fréchet gradient in L2(ρ0): its values are
//! n ∂𝓛̂/∂W(x_i), with
//! ∂𝓛̂/∂u_i = (2/n)(u_i − x_i) + (2τ/σ²)[ −(1/n²) Σ_j κ(u_i, u_j)(u_i − u_j)
//!            + (1/(nm)) Σ_j κ(u_i, y_j)(u_i − y_j) ],
//! times the clip's derivative 1 − (u/R)²; the coefficient gradient is
//! Eᵀ ∂𝓛̂/∂W, E_{ik} = e_k(x_i). Derivation: `paper/oracle-maths.md`,
//! section "The optimal transport map".

use super::{Data, Model, Potential};
use crate::error::{self, Error, Result};
use crate::loss::Loss;
use crate::space::{Coef, Kernel, Space};
use nalgebra::{DMatrix, DVector};

/// The OT-map potential on the source sample.
#[derive(Debug, Clone)]
pub struct OtMap {
    e: DMatrix<f64>,
    et: DMatrix<f64>,
    mu: Vec<f64>,
    kernel: Kernel,
    /// Source points (n × d).
    x: DMatrix<f64>,
    /// Target points (m × d).
    y: DMatrix<f64>,
    penalty: f64,
    sigma: f64,
    clip: f64,
    /// (1/m²) Σ κ(y_j, y_l).
    kyy: f64,
    data: Data,
}

fn sq_dist(a: &DMatrix<f64>, i: usize, b: &DMatrix<f64>, j: usize) -> f64 {
    (0..a.ncols()).map(|c| (a[(i, c)] - b[(j, c)]).powi(2)).sum()
}

impl OtMap {
    /// The model on `space` (the finite-width space over the source points
    /// `x`, n × d), target sample `y` (m × d), penalty τ ≥ 0, MMD bandwidth
    /// σ > 0 and clip R ≥ 1.
    ///
    /// # Errors
    /// A space that is not over the rows of `x`, shapes that do not match,
    /// non-finite or out-of-range numbers.
    pub fn new(space: &Space, x: DMatrix<f64>, y: DMatrix<f64>, penalty: f64, sigma: f64, clip: f64) -> Result<OtMap> {
        let (e, kernel) = match space.basis() {
            crate::space::Basis::FiniteWidth { values, kernel, particles } => {
                if particles != &x {
                    return Err(Error::Incompatible {
                        what: "the OT map",
                        needs: "a space over the source points (particles = x)",
                    });
                }
                (values.clone(), *kernel)
            }
            crate::space::Basis::Cosine { .. } => {
                return Err(Error::Incompatible {
                    what: "the OT map",
                    needs: "a finite index set (the source points)",
                })
            }
        };
        if y.ncols() != x.ncols() {
            return Err(Error::DimensionMismatch {
                what: "target dimension (= source dimension d)",
                expected: x.ncols(),
                found: y.ncols(),
            });
        }
        if y.nrows() == 0 {
            return Err(Error::EmptyData { name: "target sample" });
        }
        error::all_finite("target sample", y.as_slice())?;
        let penalty = error::finite("penalty", penalty)?;
        if penalty < 0.0 {
            return Err(Error::OutOfRange {
                name: "penalty",
                value: penalty,
                range: "[0, ∞)",
            });
        }
        let sigma = error::positive("mmd_bandwidth", sigma)?;
        let clip = error::finite("clip R", clip)?;
        if clip < 1.0 {
            return Err(Error::OutOfRange {
                name: "clip R",
                value: clip,
                range: "[1, ∞)",
            });
        }
        let m = y.nrows();
        let mut kyy = 0.0;
        for j in 0..m {
            for l in 0..m {
                kyy += libm::exp(-sq_dist(&y, j, &y, l) / (2.0 * sigma * sigma));
            }
        }
        kyy /= (m * m) as f64;
        let n = x.nrows();
        let data = Data::new(x.clone(), DVector::zeros(n))?;
        Ok(OtMap {
            et: e.transpose(),
            e,
            mu: space.mu().to_vec(),
            kernel,
            x,
            y,
            penalty,
            sigma,
            clip,
            kyy,
            data,
        })
    }

    /// The same model with penalty τ.
    pub fn with_penalty(&self, penalty: f64) -> OtMap {
        OtMap { penalty, ..self.clone() }
    }

    /// Number of source points n.
    pub fn points(&self) -> usize {
        self.x.nrows()
    }

    /// The source points.
    pub fn source(&self) -> &DMatrix<f64> {
        &self.x
    }

    /// The target points.
    pub fn target(&self) -> &DMatrix<f64> {
        &self.y
    }

    /// The clip R.
    pub fn clip(&self) -> f64 {
        self.clip
    }

    /// The values W(x_i) (n × d).
    pub fn values(&self, c: &Coef) -> DMatrix<f64> {
        &self.e * c
    }

    /// f_W at the source points: R tanh(W(x_i)/R) (n × d).
    pub fn map_train(&self, c: &Coef) -> DMatrix<f64> {
        self.clipped(&self.values(c))
    }

    fn clipped(&self, v: &DMatrix<f64>) -> DMatrix<f64> {
        let r = self.clip;
        v.map(|t| r * libm::tanh(t / r))
    }

    /// The basis at new points z (rows), by the Nyström extension
    /// e_k(z) = (1/(n μ_k)) Σ_i k(z, x_i) e_k(x_i), which reproduces e_k at
    /// the x_i and is the RKHS element with those values.
    pub fn basis_at(&self, z: &DMatrix<f64>) -> DMatrix<f64> {
        let n = self.points();
        let rows: Vec<Vec<f64>> = (0..n).map(|i| self.x.row(i).iter().copied().collect()).collect();
        let kz = DMatrix::from_fn(z.nrows(), n, |t, i| {
            let zt: Vec<f64> = z.row(t).iter().copied().collect();
            self.kernel.eval(&zt, &rows[i])
        });
        let mut b = kz * &self.e;
        for (k, mu) in self.mu.iter().enumerate() {
            let s = 1.0 / (n as f64 * mu);
            b.column_mut(k).iter_mut().for_each(|v| *v *= s);
        }
        b
    }

    /// f_W at new points z given the basis there ([`Self::basis_at`]).
    pub fn map_with_basis(&self, c: &Coef, basis: &DMatrix<f64>) -> DMatrix<f64> {
        self.clipped(&(basis * c))
    }

    /// (transport cost (1/n) Σ ‖x_i − u_i‖², MMD²) at u = f_W(x_i).
    pub fn parts(&self, c: &Coef) -> (f64, f64) {
        let u = self.map_train(c);
        (self.cost_of(&u), self.mmd2_of(&u))
    }

    fn cost_of(&self, u: &DMatrix<f64>) -> f64 {
        (&self.x - u).norm_squared() / self.points() as f64
    }

    fn mmd2_of(&self, u: &DMatrix<f64>) -> f64 {
        let (n, m) = (u.nrows(), self.y.nrows());
        let s2 = 2.0 * self.sigma * self.sigma;
        let mut kuu = 0.0;
        for i in 0..n {
            for j in 0..n {
                kuu += libm::exp(-sq_dist(u, i, u, j) / s2);
            }
        }
        let mut kuy = 0.0;
        for i in 0..n {
            for j in 0..m {
                kuy += libm::exp(-sq_dist(u, i, &self.y, j) / s2);
            }
        }
        kuu / (n * n) as f64 - 2.0 * kuy / (n * m) as f64 + self.kyy
    }

    /// ∂𝓛̂/∂W(x_i) (n × d) and 𝓛̂ at a map given by its values at the
    /// source points; the Fréchet gradient's values in L2(ρ0) are n times
    /// the first.
    pub fn value_gradient(&self, values: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
        let u = self.clipped(values);
        let (n, d) = u.shape();
        let m = self.y.nrows();
        let s2 = self.sigma * self.sigma;
        let mut g = (&u - &self.x) * (2.0 / n as f64);
        let mut kuu = 0.0;
        let mut kuy = 0.0;
        if self.penalty != 0.0 {
            let a = 2.0 * self.penalty / s2;
            for i in 0..n {
                for j in 0..n {
                    let k = libm::exp(-sq_dist(&u, i, &u, j) / (2.0 * s2));
                    kuu += k;
                    let w = -a * k / (n * n) as f64;
                    for c in 0..d {
                        g[(i, c)] += w * (u[(i, c)] - u[(j, c)]);
                    }
                }
                for j in 0..m {
                    let k = libm::exp(-sq_dist(&u, i, &self.y, j) / (2.0 * s2));
                    kuy += k;
                    let w = a * k / (n * m) as f64;
                    for c in 0..d {
                        g[(i, c)] += w * (u[(i, c)] - self.y[(j, c)]);
                    }
                }
            }
        }
        let mmd2 = kuu / (n * n) as f64 - 2.0 * kuy / (n * m) as f64 + self.kyy;
        let value = self.cost_of(&u) + if self.penalty != 0.0 { self.penalty * mmd2 } else { 0.0 };
        let r = self.clip;
        g.zip_apply(&u, |gv, uv| {
            let t = uv / r;
            *gv *= 1.0 - t * t;
        });
        (g, value)
    }

    /// The analytic bound B ≥ ‖∇𝓛̂(W)‖ for all W (A1(ii)), given max ‖x_i‖:
    /// ‖∂𝓛̂/∂u_i‖ ≤ (2/n)(x_max + R√d) + (4τ/(nσ)) e^{−1/2} (each MMD
    /// sum has weights summing to 1/n and ‖κ(a,b)(a − b)‖ ≤ σ e^{−1/2}), and
    /// ‖Eᵀ D‖ ≤ ‖E‖₂ ‖D‖_F = √n ‖D‖_F.
    pub fn gradient_bound(&self) -> f64 {
        let n = self.points() as f64;
        let d = self.x.ncols() as f64;
        let x_max = (0..self.points()).map(|i| self.x.row(i).norm()).fold(0.0, f64::max);
        let per = 2.0 / n * (x_max + self.clip * d.sqrt()) + 4.0 * self.penalty / (n * self.sigma) * libm::exp(-0.5);
        n.sqrt() * (n.sqrt() * per)
    }
}

impl Potential for OtMap {
    fn shape(&self) -> (usize, usize) {
        (self.e.ncols(), self.x.ncols())
    }

    fn value(&self, w: &Coef) -> f64 {
        let (c, m) = self.parts(w);
        c + self.penalty * m
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let (g, v) = self.value_gradient(&self.values(w));
        grad.gemm(1.0, &self.et, &g, 0.0);
        v
    }
}

/// The OT map has no scalar predictions; for the [`Model`] interface its
/// "prediction" at x is the squared displacement ‖x − f_W(x)‖² (targets 0,
/// so the squared-loss risk is not 𝓛̂: use [`Potential::value`]).
impl Model for OtMap {
    fn loss(&self) -> Loss {
        Loss::Squared
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        if x.ncols() != self.x.ncols() {
            return Err(Error::DimensionMismatch {
                what: "input dimension d",
                expected: self.x.ncols(),
                found: x.ncols(),
            });
        }
        error::all_finite("x", x.as_slice())?;
        let u = self.map_with_basis(w, &self.basis_at(x));
        Ok(DVector::from_fn(x.nrows(), |i, _| (x.row(i) - u.row(i)).norm_squared()))
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        let u = self.map_train(w);
        DVector::from_fn(self.points(), |i, _| (self.x.row(i) - u.row(i)).norm_squared())
    }

    fn targets(&self) -> &DVector<f64> {
        &self.data.y
    }
}
