//! Named settings shared by several experiments and their tests (no more
//! positional tuples whose names collide across files).

/// A zero-loss chain on the power-law space μ_k = (k+1)^{−2} (S5, S6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZeroLossChain {
    /// Modes N.
    pub modes: usize,
    /// Step η.
    pub eta: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// The zero-loss chain of S5 and S6.
pub const ZERO_LOSS_CHAIN: ZeroLossChain = ZeroLossChain {
    modes: 8,
    eta: 0.5,
    beta: 1.0,
    lambda: 1.0,
};

/// A linear-Gaussian regression chain ([`super::linear_gaussian`]: n grid
/// inputs, N modes) at step η (S5, S6, S7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearGaussianChain {
    /// Data points n.
    pub n: usize,
    /// Modes N.
    pub modes: usize,
    /// Step η.
    pub eta: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// The linear-Gaussian chain of S5, S6 and S7.
pub const LINEAR_GAUSSIAN_CHAIN: LinearGaussianChain = LinearGaussianChain {
    n: 40,
    modes: 6,
    eta: 0.1,
    beta: 10.0,
    lambda: 1.0,
};

/// The zero-loss series of C-eta: μ_k = c_μ (k+1)^{−p} on as many modes as
/// the series needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZeroLossSeries {
    /// c_μ.
    pub c_mu: f64,
    /// Decay p.
    pub decay: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// C-eta's zero-loss setting.
pub const C_ETA_ZERO_LOSS: ZeroLossSeries = ZeroLossSeries {
    c_mu: 1.0,
    decay: 2.0,
    beta: 1.0,
    lambda: 1.0,
};

/// C-eta's linear-Gaussian setting (modes: quick / full in the experiment).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearGaussianLadder {
    /// Data points n.
    pub n: usize,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// C-eta's linear-Gaussian setting.
pub const C_ETA_LINEAR_GAUSSIAN: LinearGaussianLadder = LinearGaussianLadder {
    n: 40,
    beta: 10.0,
    lambda: 1.0,
};

/// The γ values of the CF grid and of T2R's small-ball exponents.
pub const GAMMAS: [f64; 3] = [0.5, 1.0, 2.0];

/// The (η, β, λ) of a chain whose space is swept (C-width).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChainParams {
    /// Step η.
    pub eta: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// C-width's chain: the zero-loss and linear-Gaussian rates over N and M.
pub const C_WIDTH_CHAIN: ChainParams = ChainParams {
    eta: 0.05,
    beta: 1.0,
    lambda: 1.0,
};

/// The mean-field particle chain of eq. (2): M particles in R^d.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParticleChain {
    /// Particles M.
    pub particles: usize,
    /// Dimension d of a particle.
    pub dim: usize,
    /// Step η.
    pub eta: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
}

/// S2's particle chain.
pub const S2_PARTICLES: ParticleChain = ParticleChain {
    particles: 8,
    dim: 2,
    eta: 0.4,
    beta: 2.0,
    lambda: 1.0,
};
