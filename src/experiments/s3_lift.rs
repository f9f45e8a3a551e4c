//! S3: the lift — training as a transport map in H = L2(ρ0).
//!
//! > **S3.** Evolve the map W_t : w ↦ W(t, w), an element of H = L2(ρ0),
//! > started at the identity W_0 = id. f_W(x) = ∫ a σ(W(w)ᵀx) dρ0(w)
//! > = ∫ a σ(wᵀx) d(W♯ρ0)(w). Fréchet gradient in L2(ρ0):
//! > ∇_W 𝓛̂(f_W)(w) = a (1/n) Σ_i x_i σ'(W(w)ᵀ x_i) ℓ'(y_i, f_W(x_i)).
//!
//! Checks (ρ0 the empirical measure of M particles): the identity map lies
//! in H_N for N = M and f_{id} is the network at the particles; f_W is the
//! network at the pushed-forward particles W(w_m); and the printed Fréchet
//! gradient G satisfies the definition d/dt 𝓛̂(W + t h)|_{t=0} = ⟨G, h⟩_{L2(ρ0)}
//! = (1/M) Σ_m G(w_m)·h(w_m) for random directions h (central differences).

use super::{Context, Experiment};
use crate::error::Result;
use crate::loss::Loss;
use crate::model::{Activation, TwoLayer, Variant};
use crate::problems::gaussian_particles;
use crate::problems::{direct_network, toy_data};
use crate::record::{Check, Record};
use crate::space::{Kernel, Space};
use crate::tolerance::{EXACT_REL, FD_REL, FD_STEP};
use nalgebra::DVector;
use serde_json::json;

/// The S3 experiment.
pub struct Lift;

impl Experiment for Lift {
    fn id(&self) -> &'static str {
        "S3"
    }

    fn run(&self, ctx: &Context) -> Result<Record> {
        let (m, d, n) = (12, 3, 30);
        let particles = gaussian_particles(m, d, ctx.seed, 30);
        let a = DVector::from_fn(m, |i, _| 0.5 + (i as f64).sin());
        let space = Space::finite_width(particles.clone(), Kernel::Gaussian { bandwidth: 3.0 }, m)?;
        let data = toy_data(n, d, ctx.seed, 31)?;
        let model = TwoLayer::new(
            &space,
            data.clone(),
            Loss::Logistic,
            Activation::Tanh,
            Variant::Lifted { a: a.clone() },
        )?;
        let id_values = space.to_values(&space.identity_coefficients()?)?;
        let mut checks = vec![Check::upper_bound(
            "P_N id = id at N = M: max |values - particles|",
            EXACT_REL,
            (&id_values - &particles).amax(),
            0.0,
            0.0,
            0.0,
        )];
        let pushed = &particles + gaussian_particles(m, d, ctx.seed, 32) * 0.7;
        let lifted = model.predict_values(&pushed, &data.x)?;
        checks.push(Check::upper_bound(
            "f_W = network at the pushed-forward particles: max difference",
            EXACT_REL,
            (&lifted - direct_network(&pushed, &a, &data.x)).amax(),
            0.0,
            0.0,
            0.0,
        ));
        let (g, _) = model.frechet_gradient_values(&pushed);
        let risk_at = |v: &nalgebra::DMatrix<f64>| -> f64 {
            let f = model.predict_values(v, &data.x).expect("shapes fixed above");
            crate::model::mean_loss(Loss::Logistic, &data.y, &f)
        };
        let mut worst: f64 = 0.0;
        let mut worst_unweighted: f64 = 0.0;
        for j in 0..ctx.size(10, 50) {
            let h = gaussian_particles(m, d, ctx.seed, 100 + j as u64);
            let fd = (risk_at(&(&pushed + &h * FD_STEP)) - risk_at(&(&pushed - &h * FD_STEP))) / (2.0 * FD_STEP);
            let inner = g.component_mul(&h).sum() / m as f64;
            worst = worst.max((fd - inner).abs() / inner.abs().max(1e-3));
            // Control: the inner product of H without the weight 1/M of ρ0
            // (the sum over particles, as for the Euclidean gradient).
            let unweighted = inner * m as f64;
            worst_unweighted = worst_unweighted.max((fd - unweighted).abs() / unweighted.abs().max(1e-3));
        }
        checks.push(Check::upper_bound(
            "directional derivative vs <G, h>_{L2(rho0)}: max rel. error",
            FD_REL,
            worst,
            0.0,
            0.0,
            0.0,
        ));
        let claims = checks.len();
        checks.push(Check::control_of(
            "control: <G, h> without the weight 1/M of rho0 (Euclidean sum over particles) is rejected",
            Check::upper_bound(
                "directional derivative vs <G, h>_{L2(rho0)}: max rel. error",
                FD_REL,
                worst_unweighted,
                0.0,
                0.0,
                0.0,
            ),
        ));
        Ok(Record {
            status: Record::status_from_checks(&checks),
            parameters: json!({"width": m, "dim": d, "n": n, "loss": "logistic", "activation": "tanh", "seed": ctx.seed}),
            theoretical: json!({"difference": 0.0}),
            empirical: json!({"errors": checks[..claims].iter().map(|c| c.empirical).collect::<Vec<_>>()}),
            checks,
            evidence: vec![],
            notes: "Deterministic: at finite width the identity map is in H_N (N = M), f_W is the network at the pushed-forward particles, and the printed Frechet gradient is the gradient of the L2(rho0) inner product (weight 1/M), checked on random directions. Control: the inner product without the weight 1/M (relative error M - 1) is rejected.".into(),
            ..Record::for_statement("S3")
        })
    }
}
