//! Network fixtures: Gaussian particles (the initial weights w_m), the toy
//! data of the finite-width checks, the direct evaluation of the lifted
//! network (R1, S3), and the clipped two-layer problem of C-eta.

use crate::dynamics::{Discretization, Langevin};
use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::model::{Activation, Data, Model, Potential, TwoLayer, Variant};
use crate::rng::{chain_rng, standard_normal_matrix};
use crate::space::{Coef, Kernel, Space};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// The finite-width space of the S4 experiment: M particles N(0, I_d).
pub fn gaussian_particles(m: usize, d: usize, seed: u64, chain: u64) -> DMatrix<f64> {
    standard_normal_matrix(&mut chain_rng(seed, chain), m, d)
}

/// A small regression data set: x ∼ N(0, I_d), y = tanh(x_0) + x_1/2.
pub fn toy_data(n: usize, d: usize, seed: u64, chain: u64) -> Result<Data> {
    let x = gaussian_particles(n, d, seed, chain);
    let y = DVector::from_fn(n, |i, _| libm::tanh(x[(i, 0)]) + 0.5 * x[(i, 1.min(d - 1))]);
    Data::new(x, y)
}

/// The width-M network of eq. (2), written directly:
/// f_Θ(x) = (1/M) Σ_m a_m tanh(w_mᵀ x).
pub fn direct_network(theta: &DMatrix<f64>, a: &DVector<f64>, x: &DMatrix<f64>) -> DVector<f64> {
    let m = theta.nrows();
    DVector::from_fn(x.nrows(), |i, _| {
        (0..m)
            .map(|k| {
                let z: f64 = (0..x.ncols()).map(|j| theta[(k, j)] * x[(i, j)]).sum();
                a[k] * libm::tanh(z)
            })
            .sum::<f64>()
            / m as f64
    })
}

/// The clipped two-layer setting of C-eta.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TwoLayerSetting {
    /// Width M (particles N(0, I_{d+1}), stream 60).
    pub width: usize,
    /// Modes N of the Gram spectrum kept.
    pub modes: usize,
    /// Input dimension d.
    pub d: usize,
    /// Training sample size n (stream 61).
    pub n: usize,
    /// Size of the fixed test set on which 𝓛 is evaluated (stream 62).
    pub test_size: usize,
    /// Clip radius R.
    pub clip: f64,
    /// Gaussian-kernel bandwidth.
    pub bandwidth: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// The two-layer setting of the record. λ = 3 makes the drift contractive
/// enough (λ/μ_0 ≈ 3.8) for the synchronous coupling below to keep the
/// coarse and fine chains close; at λ = 1 they separate and the coupled
/// differences are no more precise than independent runs.
pub const TWO_LAYER: TwoLayerSetting = TwoLayerSetting {
    width: 16,
    modes: 4,
    d: 1,
    n: 10,
    test_size: 200,
    clip: 1.5,
    bandwidth: 3.0,
    beta: 10.0,
    lambda: 3.0,
};

/// The two-layer problem: space, model (squared loss, tanh) and test set.
pub struct TwoLayerProblem {
    /// The setting.
    pub setting: TwoLayerSetting,
    /// The finite-width space.
    pub space: Space,
    /// The clipped network on the training data.
    pub model: crate::model::TwoLayer,
    /// The fixed test set (𝓛 is the risk on it: a fixed functional of W).
    pub test: crate::model::Data,
}

/// Builds the two-layer problem of `s` from `seed`.
pub fn two_layer_problem(s: TwoLayerSetting, seed: u64) -> Result<TwoLayerProblem> {
    let particles = gaussian_particles(s.width, s.d + 1, seed, 60);
    let space = Space::finite_width(particles, crate::space::Kernel::Gaussian { bandwidth: s.bandwidth }, s.modes)?;
    let data = toy_data(s.n, s.d, seed, 61)?;
    let test = toy_data(s.test_size, s.d, seed, 62)?;
    let model = TwoLayer::new(
        &space,
        data,
        crate::loss::Loss::Squared,
        Activation::Tanh,
        Variant::Clipped { r: s.clip },
    )?;
    Ok(TwoLayerProblem {
        setting: s,
        space,
        model,
        test,
    })
}

impl TwoLayerProblem {
    /// The test functions F(W) = (‖W‖², 𝓛̂(W), 𝓛(W)) of C-eta (𝓛 on the
    /// fixed test set).
    pub fn f(&self, w: &Coef) -> Result<[f64; 3]> {
        Ok([w.norm_squared(), self.model.value(w), self.model.risk_on(w, &self.test)?])
    }

    /// Value dimension q = d + 1.
    pub fn q(&self) -> usize {
        self.setting.d + 1
    }

    /// W_0 = 0.
    pub fn start(&self) -> Coef {
        Coef::zeros(self.space.modes(), self.q())
    }

    /// The semi-implicit scheme at step η for this setting.
    ///
    /// # Errors
    /// A non-positive or non-finite η.
    pub fn langevin(&self, eta: f64) -> Result<Langevin> {
        Langevin::new(
            &self.space,
            self.q(),
            eta,
            self.setting.beta,
            self.setting.lambda,
            Discretization::SemiImplicit,
        )
    }
}

/// The finite-width space with every mode the Gram spectrum supports: all M
/// modes, or as many as lie above the spectrum floor.
pub fn finite_width_all_modes(particles: DMatrix<f64>, kernel: Kernel) -> Result<Space> {
    let m = particles.nrows();
    match Space::finite_width(particles.clone(), kernel, m) {
        Err(Error::DegenerateSpectrum { usable, .. }) => Space::finite_width(particles, kernel, usable),
        other => other,
    }
}

/// θ values of the sweep (θ < 1 − α̃ = 0.75 for γ = 1).
pub const THETAS: [f64; 3] = [0.3, 0.45, 0.6];

/// Teacher coefficients w_k = (k+1)^{−(1+2pθ(γ+1)/2)/2} with p = 2.
pub fn teacher(theta: f64, gamma: f64, modes: usize) -> Vec<f64> {
    (0..modes)
        .map(|k| libm::pow(k as f64 + 1.0, -(1.0 + 2.0 * theta * (gamma + 1.0)) / 2.0))
        .collect()
}

/// The fixed second layer of the lifted network in our fixtures and specs:
/// a_m = +1 for even m, −1 for odd m.
pub fn alternating_signs(m: usize) -> DVector<f64> {
    DVector::from_fn(m, |i, _| if i % 2 == 0 { 1.0 } else { -1.0 })
}

/// The lifted two-layer network of the benches: width M with particles
/// N(0, I_d/d) (stream 0 of seed 1), n toy points (stream 1), N modes of the
/// Gaussian kernel (bandwidth 1), tanh, squared loss, second layer
/// [`alternating_signs`].
///
/// # Errors
/// N > M, or a Gram spectrum too degenerate for N modes.
pub fn bench_network(m: usize, n: usize, d: usize, modes: usize) -> Result<(Space, TwoLayer)> {
    let particles = gaussian_particles(m, d, 1, 0) * (1.0 / (d as f64).sqrt());
    let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: 1.0 }, modes)?;
    let data = toy_data(n, d, 1, 1)?;
    let model = TwoLayer::new(
        &space,
        data,
        Loss::Squared,
        Activation::Tanh,
        Variant::Lifted { a: alternating_signs(m) },
    )?;
    Ok((space, model))
}
