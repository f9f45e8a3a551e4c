//! What a spec builds: the [`Problem`] (space, model, data, initial state,
//! and the particles and second layer another implementation needs), with
//! [`AnyModel`], the model of either kind behind one type.

use super::{ActivationName, DataSpec, Init, ModelSpec, Spec, SpectrumSpec, PARTICLE_STREAM};
use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Activation, Data, Model, Potential, Regression, TwoLayer, Variant};
use crate::rng::{chain_rng, standard_normal_matrix, uniform01};
use crate::space::{Coef, Kernel, Space};
use nalgebra::{DMatrix, DVector};

impl Spec {
    /// Builds the problem: space, model, data, initial state.
    pub fn build(&self) -> Result<Problem> {
        self.validate()?;
        let data = self.data()?;
        if let Some(b) = super::zoo::build(self, &data)? {
            return Ok(Problem {
                space: b.space,
                model: b.model,
                data,
                init: b.init,
                particles: Some(b.particles),
                second_layer: Some(b.second_layer),
            });
        }
        let (space, model, particles, second_layer) = match (&self.model, &self.spectrum) {
            (ModelSpec::Regression, SpectrumSpec::PowerLaw { c_mu, decay, modes }) => {
                let space = Space::power_law(*c_mu, *decay, *modes)?;
                let model = Regression::new(&space, &data, self.loss)?;
                (space, AnyModel::Regression(model), None, None)
            }
            (ModelSpec::TwoLayer { width, activation }, SpectrumSpec::GaussianKernel { bandwidth, modes }) => {
                let p = normals(self.seed, PARTICLE_STREAM, *width, self.input_dim());
                let space = Space::finite_width(p.clone(), Kernel::Gaussian { bandwidth: *bandwidth }, *modes)?;
                let a = crate::problems::alternating_signs(*width);
                let model = TwoLayer::new(&space, data.clone(), self.loss, act(*activation), Variant::Lifted { a: a.clone() })?;
                (space, AnyModel::TwoLayer(model), Some(p), Some(a))
            }
            (ModelSpec::Clipped { width, activation, clip_r }, SpectrumSpec::GaussianKernel { bandwidth, modes }) => {
                let p = normals(self.seed, PARTICLE_STREAM, *width, self.input_dim() + 1);
                let space = Space::finite_width(p.clone(), Kernel::Gaussian { bandwidth: *bandwidth }, *modes)?;
                let model = TwoLayer::new(&space, data.clone(), self.loss, act(*activation), Variant::Clipped { r: *clip_r })?;
                (space, AnyModel::TwoLayer(model), Some(p), None)
            }
            _ => unreachable!("validate() rejects other combinations"),
        };
        let init = match self.init {
            Init::Identity => space.identity_coefficients()?,
            Init::Zero => Coef::zeros(space.modes(), self.value_dim()),
        };
        Ok(Problem {
            space,
            model,
            data,
            init,
            particles,
            second_layer,
        })
    }

    fn data(&self) -> Result<Data> {
        let logistic = self.loss == Loss::Logistic;
        let sign = |v: f64| if v >= 0.0 { 1.0 } else { -1.0 };
        let (x, y) = match &self.data {
            DataSpec::Inline { x, y } => (DMatrix::from_fn(x.len(), x[0].len(), |i, j| x[i][j]), DVector::from_vec(y.clone())),
            DataSpec::Toy { n, dim, seed } => match self.model {
                ModelSpec::Regression => {
                    let mut rng = chain_rng(*seed, 0);
                    let x = DMatrix::from_fn(*n, 1, |_, _| uniform01(&mut rng));
                    let y = DVector::from_fn(*n, |i, _| {
                        let t = x[(i, 0)];
                        let v = libm::sin(2.0 * std::f64::consts::PI * t) + 0.3 * libm::cos(7.0 * t);
                        if logistic {
                            sign(v)
                        } else {
                            v
                        }
                    });
                    (x, y)
                }
                _ => {
                    let x = normals(*seed, 0, *n, *dim);
                    let y = DVector::from_fn(*n, |i, _| {
                        let v = libm::tanh(x[(i, 0)]) + 0.5 * x[(i, 1.min(dim - 1))];
                        if logistic {
                            sign(v)
                        } else {
                            v
                        }
                    });
                    (x, y)
                }
            },
        };
        Data::new(x, y)
    }
}

fn act(a: ActivationName) -> Activation {
    match a {
        ActivationName::Tanh => Activation::Tanh,
    }
}

/// rows × cols standard normals, row-major, from stream `stream` of `seed`.
pub fn normals(seed: u64, stream: u64, rows: usize, cols: usize) -> DMatrix<f64> {
    standard_normal_matrix(&mut chain_rng(seed, stream), rows, cols)
}

/// Either model of a spec.
#[derive(Debug, Clone)]
pub enum AnyModel {
    /// Regression on the cosine basis.
    Regression(Regression),
    /// A two-layer network (lifted or clipped).
    TwoLayer(TwoLayer),
    /// A layered model of Z (discrete, deep, ResNet).
    Layered(crate::model::Layered),
    /// The optimal transport map of Z-ot.
    OtMap(crate::model::OtMap),
}

impl AnyModel {
    /// The model inside.
    pub fn as_model(&self) -> &dyn Model {
        match self {
            AnyModel::Regression(m) => m,
            AnyModel::TwoLayer(m) => m,
            AnyModel::Layered(m) => m,
            AnyModel::OtMap(m) => m,
        }
    }
}

/// Forwards every method, provided ones included, to the model inside.
impl Potential for AnyModel {
    fn shape(&self) -> (usize, usize) {
        self.as_model().shape()
    }

    fn value(&self, w: &Coef) -> f64 {
        self.as_model().value(w)
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        self.as_model().gradient(w, grad)
    }

    fn gradients(&self, ws: &[&Coef], grads: &mut [&mut Coef], risks: &mut [f64]) {
        self.as_model().gradients(ws, grads, risks)
    }
}

impl Model for AnyModel {
    fn loss(&self) -> Loss {
        self.as_model().loss()
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.as_model().predict(w, x)
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        self.as_model().predict_train(w)
    }

    fn targets(&self) -> &DVector<f64> {
        self.as_model().targets()
    }

    fn risk_on(&self, w: &Coef, data: &Data) -> Result<f64> {
        self.as_model().risk_on(w, data)
    }
}

/// Everything a run needs, built from a spec.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The space H_N.
    pub space: Space,
    /// The model with its data.
    pub model: AnyModel,
    /// The training data.
    pub data: Data,
    /// W_0.
    pub init: Coef,
    /// The particles (finite width).
    pub particles: Option<DMatrix<f64>>,
    /// The fixed second layer (lifted model).
    pub second_layer: Option<DVector<f64>>,
}
