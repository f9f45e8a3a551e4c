//! Models: data, the empirical risk 𝓛̂(W) and its Fréchet gradient in
//! spectral coordinates (S1, S2, S3, S8).
//!
//! Since (e_k) is orthonormal, the coordinates ⟨∇𝓛̂(W), e_k⟩ of the Fréchet
//! gradient are the partial derivatives of 𝓛̂ in the coefficients; every
//! model returns them as an N × q [`Coef`].

pub mod layered;
pub mod ot_map;
pub mod regression;
pub mod reparametrized;
pub mod two_layer;

use crate::error::{self, Error, Result};
use crate::loss::Loss;
use crate::space::Coef;
use nalgebra::{DMatrix, DVector};

pub use layered::{Architecture, Layered};
pub use ot_map::OtMap;
pub use regression::Regression;
pub use reparametrized::Reparametrized;
pub use two_layer::{Activation, TwoLayer, Variant};

/// A data set D_n = (x_i, y_i): inputs n × d, outputs n.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    /// Inputs, one per row.
    pub x: DMatrix<f64>,
    /// Outputs.
    pub y: DVector<f64>,
}

impl Data {
    /// Validated data: non-empty, finite, matching sizes.
    pub fn new(x: DMatrix<f64>, y: DVector<f64>) -> Result<Data> {
        if x.nrows() == 0 {
            return Err(Error::EmptyData { name: "x" });
        }
        if x.ncols() == 0 {
            return Err(Error::ZeroCount { name: "input dimension d" });
        }
        if y.len() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "outputs y (= number of inputs)",
                expected: x.nrows(),
                found: y.len(),
            });
        }
        error::all_finite("x", x.as_slice())?;
        error::all_finite("y", y.as_slice())?;
        Ok(Data { x, y })
    }

    /// Number of points n.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Always false for validated data.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Input dimension d.
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }
}

/// What the dynamics need of the objective 𝓛̂ on H_N: its shape, its value
/// and its Fréchet gradient in spectral coordinates. The Langevin scheme
/// (S6) asks only for [`Potential::gradient`], pCN-MH (S7) only for
/// [`Potential::value`]. Data-free objectives (zero loss, the double well
/// of P1) are potentials and nothing more.
pub trait Potential: Sync {
    /// (N, q): modes and value dimension of the coefficient matrix.
    fn shape(&self) -> (usize, usize);

    /// The objective 𝓛̂(W) (for a [`Model`], the empirical risk).
    fn value(&self, w: &Coef) -> f64;

    /// Writes ⟨∇𝓛̂(W), e_k⟩ into `grad` (N × q) and returns 𝓛̂(W).
    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64;

    /// [`Potential::gradient`] at C points at once (C chains on one
    /// problem): `grads[c]` and `risks[c]` for `ws[c]`. Each chain's
    /// result is the same bits as its own `gradient` call; a model may
    /// override this to share the work (the two-layer network does it as
    /// one product over C·M rows).
    fn gradients(&self, ws: &[&Coef], grads: &mut [&mut Coef], risks: &mut [f64]) {
        for ((w, g), r) in ws.iter().zip(grads.iter_mut()).zip(risks.iter_mut()) {
            *r = self.gradient(w, g);
        }
    }
}

/// A predictor f_W with its training data: what a [`Potential`] adds to
/// make predictions and risks on other data. Its [`Potential::value`] is
/// the empirical risk 𝓛̂(W) = (1/n) Σ ℓ(y_i, f_W(x_i)) (see
/// [`empirical_risk`]).
pub trait Model: Potential {
    /// The loss ℓ.
    fn loss(&self) -> Loss;

    /// Predictions f_W(x) at the rows of `x`.
    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>>;

    /// Predictions at the training inputs.
    fn predict_train(&self, w: &Coef) -> DVector<f64>;

    /// Training outputs.
    fn targets(&self) -> &DVector<f64>;

    /// Risk on another data set (e.g. a large test set for 𝓛).
    fn risk_on(&self, w: &Coef, data: &Data) -> Result<f64> {
        let f = self.predict(w, &data.x)?;
        Ok(mean_loss(self.loss(), &data.y, &f))
    }
}

/// 𝓛̂(W) of a model from its training predictions: the generic
/// [`Potential::value`] of a [`Model`].
pub fn empirical_risk<M: Model + ?Sized>(model: &M, w: &Coef) -> f64 {
    mean_loss(model.loss(), model.targets(), &model.predict_train(w))
}

/// (1/n) Σ ℓ(y_i, f_i).
pub fn mean_loss(loss: Loss, y: &DVector<f64>, f: &DVector<f64>) -> f64 {
    y.iter().zip(f.iter()).map(|(&a, &b)| loss.value(a, b)).sum::<f64>() / y.len() as f64
}

/// 𝓛̂ ≡ 0 on an N × q coefficient space: the chain is then the
/// Ornstein–Uhlenbeck scheme whose law is known in closed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeroLoss {
    /// Modes N.
    pub modes: usize,
    /// Value dimension q.
    pub q: usize,
}

impl Potential for ZeroLoss {
    fn shape(&self) -> (usize, usize) {
        (self.modes, self.q)
    }

    fn value(&self, _w: &Coef) -> f64 {
        0.0
    }

    fn gradient(&self, _w: &Coef, grad: &mut Coef) -> f64 {
        grad.fill(0.0);
        0.0
    }
}

/// Central finite-difference gradient of `f` at `c`, step `h` (for checks).
pub fn fd_gradient(f: impl Fn(&Coef) -> f64, c: &Coef, h: f64) -> Coef {
    let mut g = Coef::zeros(c.nrows(), c.ncols());
    let mut p = c.clone();
    for i in 0..c.nrows() {
        for j in 0..c.ncols() {
            let v = p[(i, j)];
            p[(i, j)] = v + h;
            let up = f(&p);
            p[(i, j)] = v - h;
            let down = f(&p);
            p[(i, j)] = v;
            g[(i, j)] = (up - down) / (2.0 * h);
        }
    }
    g
}

/// max |a − b| / max(max |b|, tiny): relative error of a gradient.
pub fn relative_error(a: &Coef, b: &Coef) -> f64 {
    (a - b).amax() / b.amax().max(1e-300)
}
