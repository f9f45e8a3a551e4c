//! S4 (with S9's norms): the spectral space. Orthonormality of both bases,
//! the eigen-equation of the finite-width construction, the ordering of the
//! norms and the contraction of S_η.

use super::{Context, Experiment};
use crate::error::Result;
use crate::problems::gaussian_particles;
use crate::record::{Check, Record};
use crate::rng::{chain_rng, standard_normal_matrix};
use crate::space::{Kernel, Space};
use crate::tolerance::ORTHONORMALITY;
use nalgebra::DMatrix;
use serde_json::json;

/// The S4 experiment.
pub struct SpaceChecks;

/// max |⟨e_j, e_k⟩ − δ_jk| of the cosine basis, by the G-point midpoint
/// rule (exact for cos(jπx) with 0 < j < 2G).
pub fn cosine_orthonormality_error(modes: usize, grid: usize) -> f64 {
    basis_orthonormality_error(modes, grid, Space::cosine)
}

/// max |⟨e_j, e_k⟩ − δ_jk| of the functions `basis(j, ·)` on \[0, 1\], by the
/// G-point midpoint rule (the control passes the cosines without √2).
pub fn basis_orthonormality_error(modes: usize, grid: usize, basis: impl Fn(usize, f64) -> f64) -> f64 {
    let xs: Vec<f64> = (0..grid).map(|i| (i as f64 + 0.5) / grid as f64).collect();
    let mut worst: f64 = 0.0;
    for j in 0..modes {
        for k in 0..=j {
            let ip: f64 = xs.iter().map(|&x| basis(j, x) * basis(k, x)).sum::<f64>() / grid as f64;
            let target = if j == k { 1.0 } else { 0.0 };
            worst = worst.max((ip - target).abs());
        }
    }
    worst
}

/// max |(1/M) EᵀE − I| of a finite-width basis.
pub fn finite_width_orthonormality_error(space: &Space) -> f64 {
    finite_width_orthonormality_error_over(space, space.basis_values().expect("finite width").nrows() as f64)
}

/// max |EᵀE / m − I| of a finite-width basis: the L2(ρ0) Gram matrix when
/// `m` = M (weight 1/M per particle); the control passes m = 1, the
/// Euclidean inner product of the particle values.
pub fn finite_width_orthonormality_error_over(space: &Space, m: f64) -> f64 {
    let e = space.basis_values().expect("finite width");
    let g = e.tr_mul(e) / m;
    let id = DMatrix::<f64>::identity(g.nrows(), g.ncols());
    (g - id).amax()
}

/// max_k ‖(G/M) e_k − μ_k e_k‖_∞ / μ_0 of a finite-width basis.
pub fn eigen_residual(space: &Space) -> f64 {
    let crate::space::Basis::FiniteWidth { particles, values, kernel } = space.basis() else {
        return f64::NAN;
    };
    let m = particles.nrows();
    let rows: Vec<Vec<f64>> = (0..m).map(|i| particles.row(i).iter().copied().collect()).collect();
    let gram = DMatrix::from_fn(m, m, |i, j| kernel.eval(&rows[i], &rows[j]) / m as f64);
    let te = &gram * values;
    let mut worst: f64 = 0.0;
    for k in 0..values.ncols() {
        for i in 0..m {
            worst = worst.max((te[(i, k)] - space.mu()[k] * values[(i, k)]).abs());
        }
    }
    worst / space.mu()[0]
}

/// Largest ratio, over random elements, of each norm inequality's left
/// side to its right side (≤ 1 when the ordering holds):
/// [‖W‖_{K^γ} / (μ_0^{(γ'−γ)/2}‖W‖_{K^γ'}) for γ < γ', ‖W‖ / (√μ_0 ‖W‖_{H_K}),
///  |‖W‖_ε − ‖W‖_{K^{−2ε}}| / ‖W‖_ε + 1 (= 1 exactly when they agree),
///  ‖S_η W‖ / (‖W‖/(1 + ηλ/μ_0))].
pub fn norm_ratios(space: &Space, draws: usize, seed: u64) -> [f64; 4] {
    let mut rng = chain_rng(seed, 0);
    let n = space.modes();
    let mu0 = space.mu()[0];
    let mut worst = [0.0f64; 4];
    let (eta, lambda) = (0.3, 0.7);
    for _ in 0..draws {
        let c = standard_normal_matrix(&mut rng, n, 2);
        for &(g, gp) in &[(-1.0, 0.5), (0.0, 1.0), (0.5, 2.0)] {
            let r = space.norm_hk_gamma(&c, g) / (libm::pow(mu0, (gp - g) / 2.0) * space.norm_hk_gamma(&c, gp));
            worst[0] = worst[0].max(r);
        }
        worst[1] = worst[1].max(space.norm(&c) / (mu0.sqrt() * space.norm_hk(&c)));
        let eps = 0.3;
        let a = space.norm_eps(&c, eps);
        worst[2] = worst[2].max(1.0 + (a - space.norm_hk_gamma(&c, -2.0 * eps)).abs() / a);
        let s = space.s_eta(&c, eta, lambda);
        worst[3] = worst[3].max(space.norm(&s) * (1.0 + eta * lambda / mu0) / space.norm(&c));
    }
    worst
}

impl Experiment for SpaceChecks {
    fn id(&self) -> &'static str {
        "S4"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let (m, d, modes, bw) = (ctx.size(48, 128), 3, ctx.size(16, 32), 2.0);
        let power = Space::power_law(1.0, 2.0, 64)?;
        let fw = Space::finite_width(gaussian_particles(m, d, ctx.seed, 0), Kernel::Gaussian { bandwidth: bw }, modes)?;
        let draws = ctx.size(200, 2000);
        let mut checks = vec![
            Check::upper_bound(
                "cosine basis orthonormality error",
                ORTHONORMALITY,
                cosine_orthonormality_error(64, 256),
                0.0,
                0.0,
                0.0,
            ),
            Check::upper_bound(
                "finite-width basis orthonormality error",
                ORTHONORMALITY,
                finite_width_orthonormality_error(&fw),
                0.0,
                0.0,
                0.0,
            ),
            Check::upper_bound(
                "finite-width eigen-equation residual / mu_0",
                ORTHONORMALITY,
                eigen_residual(&fw),
                0.0,
                0.0,
                0.0,
            ),
        ];
        let names = [
            "max |W|_{K^g} / (mu0^{(g'-g)/2} |W|_{K^g'})",
            "max |W| / (sqrt(mu0) |W|_{H_K})",
            "max 1 + | |W|_eps - |W|_{K^{-2eps}} | / |W|_eps",
            "max |S_eta W| (1 + eta lambda/mu0) / |W|",
        ];
        for (label, space) in [("power law", &power), ("finite width", &fw)] {
            let r = norm_ratios(space, draws, ctx.seed);
            for (name, v) in names.iter().zip(r) {
                checks.push(Check::upper_bound(&format!("{label}: {name}"), 1.0, v, 0.0, 1e-12, 0.0));
            }
        }
        // Controls: the same orthonormality tests on two classic slips.
        let wrong_cosine = |j: usize, x: f64| {
            if j == 0 {
                1.0
            } else {
                libm::cos(j as f64 * std::f64::consts::PI * x)
            }
        };
        checks.push(Check::control_of(
            "control: cosine basis without the sqrt(2) (cos(j pi x), j >= 1) is rejected",
            Check::upper_bound(
                "cosine basis orthonormality error",
                ORTHONORMALITY,
                basis_orthonormality_error(64, 256, wrong_cosine),
                0.0,
                0.0,
                0.0,
            ),
        ));
        checks.push(Check::control_of(
            "control: finite-width basis orthonormal for the sum over particles (weight 1, not 1/M) is rejected",
            Check::upper_bound(
                "finite-width basis orthonormality error",
                ORTHONORMALITY,
                finite_width_orthonormality_error_over(&fw, 1.0),
                0.0,
                0.0,
                0.0,
            ),
        ));
        Ok(Record {
            status: Record::status_from_checks(&checks),
            parameters: json!({"power_law": {"c_mu": 1.0, "decay": 2.0, "modes": 64},
                "finite_width": {"width": m, "dim": d, "modes": modes, "kernel": "gaussian", "bandwidth": bw},
                "random_draws": draws, "seed": ctx.seed}),
            theoretical: json!({"orthonormality_error": 0.0, "norm_ratio_max": 1.0}),
            empirical: json!({"finite_width_mu": fw.mu()}),
            checks,
            evidence: vec![],
            notes: "Deterministic checks: orthonormality (cosine basis by the exact midpoint rule; finite width in L2(rho0) with weight 1/M), the eigen-equation T_K e_k = mu_k e_k, H_{K^g'} in H_{K^g} for g < g', |W|_eps = |W|_{K^{-2 eps}}, and the contraction |S_eta| = 1/(1 + eta lambda/mu_0). Controls: the cosine basis without sqrt(2) (norm 1/2) and the finite-width basis under the unweighted inner product (norm M) are rejected by the orthonormality tests.".into(),
            ..Record::for_statement("S4")
        })
    }
}
