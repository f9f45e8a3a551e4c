//! Regression linear in the spectral coordinates (S4, first model example):
//! 𝒲 = [0, 1], f_W(x) = W(x) = Σ_{k<N} α_k e_k(x) on the cosine basis.
//!
//! With the squared loss, β𝓛̂ is a Gaussian negative log-likelihood and the
//! chain of S6 is a Gaussian AR(1) (the linear-Gaussian oracle).

use super::{Data, Model, Potential};
use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::space::{Basis, Coef, Space};
use nalgebra::{DMatrix, DVector};

/// f(x) = Σ α_k e_k(x): features Φ_{ik} = e_k(x_i).
#[derive(Debug, Clone)]
pub struct Regression {
    features: DMatrix<f64>,
    y: DVector<f64>,
    loss: Loss,
}

impl Regression {
    /// Builds Φ for the cosine basis of `space` at the inputs of `data`
    /// (d = 1, x ∈ [0, 1]).
    pub fn new(space: &Space, data: &Data, loss: Loss) -> Result<Regression> {
        if !matches!(space.basis(), Basis::Cosine { .. }) {
            return Err(Error::Incompatible {
                what: "regression",
                needs: "the power-law (cosine) space",
            });
        }
        let features = features(space.modes(), &data.x)?;
        Ok(Regression {
            features,
            y: data.y.clone(),
            loss,
        })
    }

    /// The design matrix Φ (n × N).
    pub fn features(&self) -> &DMatrix<f64> {
        &self.features
    }
}

/// Φ_{ik} = e_k(x_i) for inputs in [0, 1] (one column).
pub fn features(modes: usize, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    if x.ncols() != 1 {
        return Err(Error::DimensionMismatch {
            what: "regression input dimension",
            expected: 1,
            found: x.ncols(),
        });
    }
    for &v in x.iter() {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::OutsideDomain {
                name: "x",
                value: v,
                domain: "[0, 1]",
            });
        }
    }
    Ok(DMatrix::from_fn(x.nrows(), modes, |i, k| Space::cosine(k, x[(i, 0)])))
}

impl Potential for Regression {
    fn shape(&self) -> (usize, usize) {
        (self.features.ncols(), 1)
    }

    fn value(&self, w: &Coef) -> f64 {
        super::empirical_risk(self, w)
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let f = self.predict_train(w);
        let n = self.y.len() as f64;
        let r = DVector::from_iterator(self.y.len(), self.y.iter().zip(f.iter()).map(|(&y, &fi)| self.loss.d1(y, fi) / n));
        let g = self.features.tr_mul(&r);
        grad.column_mut(0).copy_from(&g);
        super::mean_loss(self.loss, &self.y, &f)
    }
}

impl Model for Regression {
    fn loss(&self) -> Loss {
        self.loss
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        let phi = features(self.features.ncols(), x)?;
        Ok(phi * w.column(0))
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        &self.features * w.column(0)
    }

    fn targets(&self) -> &DVector<f64> {
        &self.y
    }
}
