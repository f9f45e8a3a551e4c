//! The teacher–student problem of T1, C-gap and A2: a clipped two-layer
//! student on a finite grid of inputs, a teacher f*, uniform noise, and the
//! empirical risk through the grid's sufficient statistics
//! ([`GroupedRisk`], a potential).

use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Activation, Data, Model, Potential, TwoLayer, Variant};
use crate::rng::{chain_rng, uniform01};
use crate::space::{Coef, Kernel, Space};
use nalgebra::{DMatrix, DVector};

/// The teacher problem's constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeacherSpec {
    /// Grid points G of P_X.
    pub grid: usize,
    /// Half-width c̄ of the uniform noise.
    pub noise: f64,
    /// Clip radius R.
    pub clip: f64,
    /// Width M.
    pub width: usize,
    /// Modes N.
    pub modes: usize,
    /// Kernel bandwidth on the particles.
    pub bandwidth: f64,
}

/// The setting of T1 and C-gap.
pub const TEACHER: TeacherSpec = TeacherSpec {
    grid: 16,
    noise: 0.2,
    clip: 1.0,
    width: 6,
    modes: 4,
    bandwidth: 1.0,
};

/// f*(x) = 0.3 sin(2πx).
pub fn f_star(x: f64) -> f64 {
    0.3 * libm::sin(2.0 * std::f64::consts::PI * x)
}

/// The fixed problem: space, model on the grid, teacher values.
#[derive(Debug, Clone)]
pub struct Teacher {
    /// The spec.
    pub spec: TeacherSpec,
    /// The finite-width space.
    pub space: Space,
    /// The clipped model whose inputs are the grid points.
    pub grid_model: TwoLayer,
    /// f*(x_g).
    pub fstar: DVector<f64>,
}

impl Teacher {
    /// Builds the problem; particles are N(0, I_2) draws from `chain_rng(seed, 900)`.
    pub fn new(spec: TeacherSpec, seed: u64) -> Result<Teacher> {
        let particles = super::network::gaussian_particles(spec.width, 2, seed, 900);
        let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: spec.bandwidth }, spec.modes)?;
        let x = DMatrix::from_fn(spec.grid, 1, |g, _| (g as f64 + 0.5) / spec.grid as f64);
        let fstar = DVector::from_fn(spec.grid, |g, _| f_star(x[(g, 0)]));
        let grid_model = TwoLayer::new(
            &space,
            Data::new(x, fstar.clone())?,
            Loss::Squared,
            Activation::Tanh,
            Variant::Clipped { r: spec.clip },
        )?;
        Ok(Teacher {
            spec,
            space,
            grid_model,
            fstar,
        })
    }

    /// Noise variance c̄²/3.
    pub fn noise_variance(&self) -> f64 {
        self.spec.noise * self.spec.noise / 3.0
    }

    /// R̄ = (R tanh(R D) + sup|f*| + c̄)² with D = 1, sup|f*| = 0.3.
    pub fn r_bar(&self) -> f64 {
        let r = self.spec.clip;
        (r * libm::tanh(r) + 0.3 + self.spec.noise).powi(2)
    }

    /// 𝓛 from the predictions at the grid: exact population risk.
    pub fn population_risk(&self, f: &DVector<f64>) -> f64 {
        (&self.fstar - f).norm_squared() / self.spec.grid as f64 + self.noise_variance()
    }

    /// A data set of size n, as sufficient statistics.
    pub fn draw(&self, n: usize, seed: u64, stream: u64) -> Sufficient {
        let g = self.spec.grid;
        let mut rng = chain_rng(seed, stream);
        let mut counts = vec![0usize; g];
        let mut sum = vec![0.0; g];
        let mut sum2 = vec![0.0; g];
        for _ in 0..n {
            let k = ((uniform01(&mut rng) * g as f64) as usize).min(g - 1);
            let y = self.fstar[k] + self.spec.noise * (2.0 * uniform01(&mut rng) - 1.0);
            counts[k] += 1;
            sum[k] += y;
            sum2[k] += y * y;
        }
        Sufficient { n, counts, sum, sum2 }
    }

    /// A test set of `size` i.i.d. points (x, y) from P (second route to 𝓛).
    pub fn test_set(&self, size: usize, seed: u64, stream: u64) -> Result<Data> {
        let g = self.spec.grid;
        let mut rng = chain_rng(seed, stream);
        let mut x = DMatrix::zeros(size, 1);
        let mut y = DVector::zeros(size);
        for i in 0..size {
            let k = ((uniform01(&mut rng) * g as f64) as usize).min(g - 1);
            x[(i, 0)] = (k as f64 + 0.5) / g as f64;
            y[i] = self.fstar[k] + self.spec.noise * (2.0 * uniform01(&mut rng) - 1.0);
        }
        Data::new(x, y)
    }
}

/// Sufficient statistics of a squared-loss data set on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Sufficient {
    /// n.
    pub n: usize,
    /// n_g.
    pub counts: Vec<usize>,
    /// Σ_{i ∈ g} y_i.
    pub sum: Vec<f64>,
    /// Σ_{i ∈ g} y_i².
    pub sum2: Vec<f64>,
}

/// The empirical risk of a data set given by its sufficient statistics, as
/// a [`Model`] (risk and gradient exact, O(G M) per call).
#[derive(Debug, Clone)]
pub struct GroupedRisk<'a> {
    teacher: &'a Teacher,
    weights: DVector<f64>,
    ybar: DVector<f64>,
    within: f64,
}

impl<'a> GroupedRisk<'a> {
    /// 𝓛̂ of the data set `s`.
    pub fn new(teacher: &'a Teacher, s: &Sufficient) -> GroupedRisk<'a> {
        let g = s.counts.len();
        let n = s.n as f64;
        let weights = DVector::from_fn(g, |k, _| s.counts[k] as f64 / n);
        let ybar = DVector::from_fn(g, |k, _| if s.counts[k] > 0 { s.sum[k] / s.counts[k] as f64 } else { 0.0 });
        let within = (0..g).map(|k| s.sum2[k] - s.counts[k] as f64 * ybar[k] * ybar[k]).sum::<f64>() / n;
        GroupedRisk {
            teacher,
            weights,
            ybar,
            within,
        }
    }

    /// The population risk 𝓛 itself as a [`Potential`] (weights 1/G, targets
    /// f*, within-group term c̄²/3): its Gibbs measure is data-free.
    pub fn population(teacher: &'a Teacher) -> GroupedRisk<'a> {
        let g = teacher.spec.grid;
        GroupedRisk {
            teacher,
            weights: DVector::from_element(g, 1.0 / g as f64),
            ybar: teacher.fstar.clone(),
            within: teacher.noise_variance(),
        }
    }

    /// 𝓛̂ from the predictions at the grid.
    pub fn risk_from(&self, f: &DVector<f64>) -> f64 {
        (0..f.len()).map(|k| self.weights[k] * (self.ybar[k] - f[k]).powi(2)).sum::<f64>() + self.within
    }
}

impl Potential for GroupedRisk<'_> {
    fn shape(&self) -> (usize, usize) {
        self.teacher.grid_model.shape()
    }

    fn value(&self, w: &Coef) -> f64 {
        self.risk_from(&self.teacher.grid_model.predict_train(w))
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let gm = &self.teacher.grid_model;
        let values = gm.values(w);
        let (g, f) = gm.gradient_values_from(&values, |f| {
            (0..f.len()).map(|k| 2.0 * self.weights[k] * (f[k] - self.ybar[k])).collect()
        });
        let e = self.teacher.space.basis_values().expect("finite-width space");
        grad.copy_from(&(e.tr_mul(&g) / e.nrows() as f64));
        self.risk_from(&f)
    }
}
