//! Regression fixtures: the linear-Gaussian problem (S6, S7, C-eta) and the
//! teacher of the rate experiments (T2R, T2).

use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Data, Regression};
use crate::oracle::LinearGaussian;
use crate::space::Space;
use nalgebra::{DMatrix, DVector};

/// The linear-Gaussian regression problem: n grid inputs x_i = (i + ½)/n,
/// y_i = sin(2πx_i) + 0.3 cos(7x_i) (deterministic), squared loss, cosine
/// basis with μ_k = (k+1)^{−2}, N modes.
pub fn linear_gaussian(n: usize, modes: usize, beta: f64, lambda: f64) -> Result<(Space, Regression, LinearGaussian)> {
    let space = Space::power_law(1.0, 2.0, modes)?;
    let x = DMatrix::from_fn(n, 1, |i, _| (i as f64 + 0.5) / n as f64);
    let y = DVector::from_fn(n, |i, _| {
        let t = x[(i, 0)];
        libm::sin(2.0 * std::f64::consts::PI * t) + 0.3 * libm::cos(7.0 * t)
    });
    let data = Data::new(x, y)?;
    let model = Regression::new(&space, &data, Loss::Squared)?;
    let lg = LinearGaussian {
        phi: model.features().clone(),
        y: data.y.clone(),
        mu: space.mu().to_vec(),
        beta,
        lambda,
    };
    Ok((space, model, lg))
}

/// θ values of the sweep (θ < 1 − α̃ = 0.75 for γ = 1).
pub const THETAS: [f64; 3] = [0.3, 0.45, 0.6];

/// Teacher coefficients w_k = (k+1)^{−(1+2pθ(γ+1)/2)/2} with p = 2.
pub fn teacher(theta: f64, gamma: f64, modes: usize) -> Vec<f64> {
    (0..modes)
        .map(|k| libm::pow(k as f64 + 1.0, -(1.0 + 2.0 * theta * (gamma + 1.0)) / 2.0))
        .collect()
}
