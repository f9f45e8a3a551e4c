//! The one-mode double well of P1 (a data-free potential).

use crate::model::Potential;
use crate::space::Coef;
use serde::Serialize;

/// The tilted double well on one mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWell {
    /// h: 0 ≤ 𝓛̂ ≤ h.
    pub height: f64,
    /// s: width of each well.
    pub width: f64,
    /// τ ∈ [0, 1): depth of the left well relative to the right one.
    pub tilt: f64,
}

/// The double well of the experiment.
pub const WELL: DoubleWell = DoubleWell {
    height: 4.0,
    width: 0.4,
    tilt: 0.7,
};

/// The far start W_0.
pub const W0: f64 = 5.0;

impl DoubleWell {
    fn g(&self, u: f64) -> f64 {
        libm::exp(-u * u / (2.0 * self.width * self.width))
    }

    /// 𝓛̂(w).
    pub fn value_at(&self, w: f64) -> f64 {
        0.5 * self.height * (2.0 - self.g(w - 1.0) - self.tilt * self.g(w + 1.0))
    }

    /// 𝓛̂'(w).
    pub fn d1(&self, w: f64) -> f64 {
        let s2 = self.width * self.width;
        0.5 * self.height * ((w - 1.0) / s2 * self.g(w - 1.0) + self.tilt * (w + 1.0) / s2 * self.g(w + 1.0))
    }

    /// The population risk 𝓛(w) = E_ε ℓ(ε, w) of the data model behind P1's
    /// population checks: the loss of one datum ε is the well shifted by ε,
    /// ℓ(ε, w) = (h/2)(2 − g(w − 1 − ε) − τ g(w + 1 − ε)) ∈ [0, h], with
    /// ε ∼ N(0, σ²). The double well 𝓛̂ is the empirical risk of the data set
    /// D_1 = {ε = 0} (P1 holds for every data set), and
    /// 𝓛(w) = (h/2)(2 − a G(w − 1) − τ a G(w + 1)) with a = s/√(s² + σ²),
    /// G(u) = exp(−u²/(2(s² + σ²))) (a Gaussian convolution; `proofs/p1_rates.md` §9).
    pub fn population_value_at(&self, noise_sd: f64, w: f64) -> f64 {
        let v = self.width * self.width + noise_sd * noise_sd;
        let a = self.width / v.sqrt();
        let big_g = |u: f64| libm::exp(-u * u / (2.0 * v));
        0.5 * self.height * (2.0 - a * big_g(w - 1.0) - self.tilt * a * big_g(w + 1.0))
    }

    /// B = sup |𝓛̂'| (on a grid of step s/1000 over [−1 − 6s, 1 + 6s]; the
    /// derivative is below 1e-6 B outside).
    pub fn grad_bound(&self) -> f64 {
        let (lo, hi) = (-1.0 - 6.0 * self.width, 1.0 + 6.0 * self.width);
        let steps = ((hi - lo) / (self.width / 1000.0)) as usize;
        (0..=steps)
            .map(|i| self.d1(lo + (hi - lo) * i as f64 / steps as f64).abs())
            .fold(0.0, f64::max)
    }
}

impl Potential for DoubleWell {
    fn shape(&self) -> (usize, usize) {
        (1, 1)
    }

    fn value(&self, w: &Coef) -> f64 {
        self.value_at(w[(0, 0)])
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        grad[(0, 0)] = self.d1(w[(0, 0)]);
        self.value_at(w[(0, 0)])
    }
}

/// A (β, λ, η) setting with μ_0 = 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WellSetting {
    /// β.
    pub beta: f64,
    /// λ.
    pub lambda: f64,
    /// η.
    pub eta: f64,
}
