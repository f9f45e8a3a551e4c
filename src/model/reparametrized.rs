//! S9's reparametrised model: 𝓛̂(W) := 𝓛̂(f_{T_K^{γ/2} W}).
//!
//! > S9: "Model reparametrised as 𝓛̂(W) := 𝓛̂(f_{T_K^{γ/2} W}),
//! > 𝓛(W) := 𝓛(f_{T_K^{γ/2} W})."
//!
//! T_K^{γ/2} acts mode by mode, α_k ↦ μ_k^{γ/2} α_k, and is self-adjoint
//! on H, so the Fréchet gradient of the reparametrised risk is
//! T_K^{γ/2} ∇𝓛̂(T_K^{γ/2} W): every coordinate of the inner gradient is
//! scaled by μ_k^{γ/2} once more. γ = 0 is the plain model.

use super::{Data, Model, Potential};
use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::space::{Coef, Space};
use nalgebra::{DMatrix, DVector};

/// A model read through T_K^{γ/2} (S9).
#[derive(Debug, Clone)]
pub struct Reparametrized<M> {
    inner: M,
    gamma: f64,
    /// μ_k^{γ/2}, one per mode.
    scale: Vec<f64>,
}

impl<M: Potential> Reparametrized<M> {
    /// `inner` read through T_K^{γ/2} with the eigenvalues of `space`.
    ///
    /// # Errors
    /// `gamma` negative or not finite; `space` with another number of modes
    /// than `inner`.
    ///
    /// ```
    /// use transport_langevin::model::{Reparametrized, ZeroLoss};
    /// use transport_langevin::space::Space;
    /// let space = Space::power_law(1.0, 2.0, 4).unwrap();
    /// let m = Reparametrized::new(ZeroLoss { modes: 4, q: 2 }, &space, 0.5).unwrap();
    /// assert_eq!(m.gamma(), 0.5);
    /// ```
    pub fn new(inner: M, space: &Space, gamma: f64) -> Result<Reparametrized<M>> {
        if !(gamma.is_finite() && gamma >= 0.0) {
            return Err(Error::OutOfRange {
                name: "gamma",
                value: gamma,
                range: "[0, ∞)",
            });
        }
        let (modes, _) = inner.shape();
        if space.modes() != modes {
            return Err(Error::DimensionMismatch {
                what: "modes of the space (= modes of the model)",
                expected: modes,
                found: space.modes(),
            });
        }
        let scale = space.mu().iter().map(|&m| libm::pow(m, gamma / 2.0)).collect();
        Ok(Reparametrized { inner, gamma, scale })
    }

    /// γ of T_K^{γ/2}.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The plain model.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// T_K^{γ/2} W.
    pub fn map(&self, w: &Coef) -> Coef {
        let mut out = w.clone();
        for (k, &s) in self.scale.iter().enumerate() {
            out.row_mut(k).iter_mut().for_each(|a| *a *= s);
        }
        out
    }
}

impl<M: Potential> Potential for Reparametrized<M> {
    fn shape(&self) -> (usize, usize) {
        self.inner.shape()
    }

    fn value(&self, w: &Coef) -> f64 {
        self.inner.value(&self.map(w))
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let v = self.inner.gradient(&self.map(w), grad);
        for (k, &s) in self.scale.iter().enumerate() {
            grad.row_mut(k).iter_mut().for_each(|a| *a *= s);
        }
        v
    }
}

impl<M: Model> Model for Reparametrized<M> {
    fn loss(&self) -> Loss {
        self.inner.loss()
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.inner.predict(&self.map(w), x)
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        self.inner.predict_train(&self.map(w))
    }

    fn targets(&self) -> &DVector<f64> {
        self.inner.targets()
    }

    fn risk_on(&self, w: &Coef, data: &Data) -> Result<f64> {
        self.inner.risk_on(&self.map(w), data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{fd_gradient, relative_error};
    use crate::problems::network::bench_network;

    #[test]
    fn gradient_matches_finite_differences_and_gamma_zero_is_the_plain_model() {
        let (space, model) = bench_network(6, 10, 3, 5).unwrap();
        let (n, q) = model.shape();
        let w = Coef::from_fn(n, q, |i, j| 0.3 * ((i * q + j) as f64).sin());
        let re = Reparametrized::new(model.clone(), &space, 1.5).unwrap();
        let mut g = Coef::zeros(w.nrows(), w.ncols());
        re.gradient(&w, &mut g);
        let fd = fd_gradient(|c| re.value(c), &w, 1e-6);
        assert!(relative_error(&g, &fd) < 1e-6, "{}", relative_error(&g, &fd));
        // Control: the gradient without the outer T_K^{γ/2} is rejected.
        let mut plain = Coef::zeros(w.nrows(), w.ncols());
        model.gradient(&re.map(&w), &mut plain);
        assert!(relative_error(&plain, &fd) > 1e-2);
        let zero = Reparametrized::new(model.clone(), &space, 0.0).unwrap();
        assert_eq!(zero.value(&w), model.value(&w));
    }
}
