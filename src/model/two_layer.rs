//! The two-layer network in its lifted form (S2, S3, R1) and the clipped
//! model of Sec. 4 (S8), at finite width.
//!
//! > **S3.** f_W(x) = ∫ a σ(W(w)ᵀ x) dρ0(w); Fréchet gradient in L2(ρ0):
//! > ∇_W 𝓛̂(f_W)(w) = a (1/n) Σ_i x_i σ'(W(w)ᵀ x_i) ℓ'(y_i, f_W(x_i)).
//! >
//! > **S8.** W̄(w) = R tanh(W(w)/R) elementwise, R ≥ 1;
//! > f_W(x) = ∫ W̄_2(a) σ(W̄_1(w)ᵀ x) dρ0(a, w), W = (W_1, W_2).
//!
//! With ρ0 = (1/M) Σ_m δ_{w_m} (R1), a map W is its M values W(w_m), and the
//! coefficient gradient is (1/M) Eᵀ G with E_{mk} = e_k(w_m) and G the
//! Fréchet gradient's values (no 1/M: the 1/M is the weight of L2(ρ0)).
//! The Fréchet gradient equals M times the Euclidean gradient of eq. (2)
//! in the particle w_m.

use super::{Data, Model};
use crate::error::{self, Error, Result};
use crate::loss::Loss;
use crate::space::{Coef, Space};
use nalgebra::{DMatrix, DVector};

/// The activation σ: bounded, 1-Lipschitz, C^∞.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// tanh (|σ| ≤ 1, |σ'| ≤ 1).
    Tanh,
}

impl Activation {
    /// σ(z).
    pub fn value(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => libm::tanh(z),
        }
    }

    /// σ'(z).
    pub fn d1(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => {
                let t = libm::tanh(z);
                1.0 - t * t
            }
        }
    }

    /// σ''(z).
    pub fn d2(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => {
                let t = libm::tanh(z);
                -2.0 * t * (1.0 - t * t)
            }
        }
    }
}

/// Which of the two models.
#[derive(Debug, Clone, PartialEq)]
pub enum Variant {
    /// S3: fixed second layer a (one per particle); W : R^d → R^d, q = d.
    Lifted {
        /// Second-layer weights a_m.
        a: DVector<f64>,
    },
    /// S8: W = (W_1, W_2) : R^{d+1} → R^d × R (q = d + 1; the last column
    /// is the second layer), both clipped by R tanh(·/R).
    Clipped {
        /// Clip radius R ≥ 1.
        r: f64,
    },
}

/// Two-layer network over a finite-width space.
#[derive(Debug, Clone)]
pub struct TwoLayer {
    e: DMatrix<f64>,
    data: Data,
    loss: Loss,
    act: Activation,
    variant: Variant,
}

/// What the forward pass keeps for the backward pass.
struct Forward {
    f: DVector<f64>,
    z: DMatrix<f64>,
    first: DMatrix<f64>,
    second: DVector<f64>,
}

impl TwoLayer {
    /// The model on `space` (finite width) with training data `data`.
    pub fn new(space: &Space, data: Data, loss: Loss, act: Activation, variant: Variant) -> Result<TwoLayer> {
        let e = space
            .basis_values()
            .ok_or_else(|| Error::Usage("the two-layer model needs the finite-width space".into()))?
            .clone();
        let m = e.nrows();
        match &variant {
            Variant::Lifted { a } => {
                if a.len() != m {
                    return Err(Error::DimensionMismatch {
                        what: "second layer a (= width M)",
                        expected: m,
                        found: a.len(),
                    });
                }
                error::all_finite("a", a.as_slice())?;
            }
            Variant::Clipped { r } => {
                let r = error::finite("R", *r)?;
                if r < 1.0 {
                    return Err(Error::OutOfRange {
                        name: "R",
                        value: r,
                        range: "[1, ∞)",
                    });
                }
            }
        }
        let model = TwoLayer {
            e,
            data,
            loss,
            act,
            variant,
        };
        let q = model.value_dim();
        if let crate::space::Basis::FiniteWidth { particles, .. } = space.basis() {
            if particles.ncols() != q {
                return Err(Error::DimensionMismatch {
                    what: "particle dimension (d for lifted, d + 1 for clipped)",
                    expected: q,
                    found: particles.ncols(),
                });
            }
        }
        Ok(model)
    }

    /// Value dimension q (d lifted, d + 1 clipped).
    pub fn value_dim(&self) -> usize {
        match self.variant {
            Variant::Lifted { .. } => self.data.dim(),
            Variant::Clipped { .. } => self.data.dim() + 1,
        }
    }

    /// Width M.
    pub fn width(&self) -> usize {
        self.e.nrows()
    }

    /// The variant.
    pub fn variant(&self) -> &Variant {
        &self.variant
    }

    /// Values of W at the particles (M × q).
    pub fn values(&self, w: &Coef) -> DMatrix<f64> {
        &self.e * w
    }

    fn forward(&self, values: &DMatrix<f64>, x: &DMatrix<f64>) -> Forward {
        let d = x.ncols();
        let m = values.nrows() as f64;
        let (first, second) = match &self.variant {
            Variant::Lifted { a } => (values.columns(0, d).into_owned(), a.clone()),
            Variant::Clipped { r } => {
                let clip = |v: f64| r * libm::tanh(v / r);
                (values.columns(0, d).map(clip), values.column(d).map(clip))
            }
        };
        let z = x * first.transpose();
        let s = z.map(|v| self.act.value(v));
        let f = s * &second / m;
        Forward { f, z, first, second }
    }

    /// f_W at the rows of `x` for a map given by its values at the particles.
    pub fn predict_values(&self, values: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.check_inputs(x)?;
        Ok(self.forward(values, x).f)
    }

    /// Values of the Fréchet gradient in L2(ρ0) (M × q) at a map given by
    /// its values; returns (G, 𝓛̂).
    pub fn frechet_gradient_values(&self, values: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
        let n = self.data.x.nrows();
        let fw = self.forward(values, &self.data.x);
        let p: Vec<f64> = (0..n).map(|i| self.loss.d1(self.data.y[i], fw.f[i]) / n as f64).collect();
        let g = self.backward(&fw, &p);
        let risk = super::mean_loss(self.loss, &self.data.y, &fw.f);
        (g, risk)
    }

    /// Values of the Fréchet gradient (M × q) of any risk that depends on W
    /// only through the predictions f_W(x_i) at the model's inputs, given
    /// `p_i` = ∂risk/∂f_W(x_i) (e.g. a weighted empirical risk). Returns
    /// the gradient and the predictions.
    pub fn gradient_values_from(&self, values: &DMatrix<f64>, p: impl Fn(&DVector<f64>) -> Vec<f64>) -> (DMatrix<f64>, DVector<f64>) {
        let fw = self.forward(values, &self.data.x);
        let pv = p(&fw.f);
        (self.backward(&fw, &pv), fw.f)
    }

    fn backward(&self, fw: &Forward, p: &[f64]) -> DMatrix<f64> {
        let x = &self.data.x;
        let n = x.nrows();
        let d = x.ncols();
        let mut dz = fw.z.map(|v| self.act.d1(v));
        for i in 0..n {
            dz.row_mut(i).iter_mut().for_each(|v| *v *= p[i]);
        }
        let mut g1 = dz.tr_mul(x); // M × d
        for mm in 0..g1.nrows() {
            let s = fw.second[mm];
            g1.row_mut(mm).iter_mut().for_each(|v| *v *= s);
        }
        let q = self.value_dim();
        let mut g = DMatrix::zeros(fw.first.nrows(), q);
        match &self.variant {
            Variant::Lifted { .. } => g.copy_from(&g1),
            Variant::Clipped { r } => {
                let pv = DVector::from_column_slice(p);
                let s = fw.z.map(|v| self.act.value(v));
                let g2 = s.tr_mul(&pv); // M
                for mm in 0..fw.first.nrows() {
                    for j in 0..d {
                        let c = fw.first[(mm, j)] / r;
                        g[(mm, j)] = g1[(mm, j)] * (1.0 - c * c);
                    }
                    let c = fw.second[mm] / r;
                    g[(mm, d)] = g2[mm] * (1.0 - c * c);
                }
            }
        }
        g
    }

    fn check_inputs(&self, x: &DMatrix<f64>) -> Result<()> {
        if x.ncols() != self.data.dim() {
            return Err(Error::DimensionMismatch {
                what: "input dimension d",
                expected: self.data.dim(),
                found: x.ncols(),
            });
        }
        error::all_finite("x", x.as_slice())
    }
}

impl Model for TwoLayer {
    fn shape(&self) -> (usize, usize) {
        (self.e.ncols(), self.value_dim())
    }

    fn loss(&self) -> Loss {
        self.loss
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.predict_values(&self.values(w), x)
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        self.forward(&self.values(w), &self.data.x).f
    }

    fn targets(&self) -> &DVector<f64> {
        &self.data.y
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let (g, risk) = self.frechet_gradient_values(&self.values(w));
        let m = self.e.nrows() as f64;
        grad.copy_from(&(self.e.tr_mul(&g) / m));
        risk
    }
}
