//! Fixed test problems shared by the experiments and the tests.

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

/// The finite-width space with every mode the Gram spectrum supports: all M
/// modes, or as many as lie above the spectrum floor.
pub fn finite_width_all_modes(particles: DMatrix<f64>, kernel: crate::space::Kernel) -> Result<Space> {
    let m = particles.nrows();
    match Space::finite_width(particles.clone(), kernel, m) {
        Err(crate::error::Error::DegenerateSpectrum { usable, .. }) => Space::finite_width(particles, kernel, usable),
        other => other,
    }
}
