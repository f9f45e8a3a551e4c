//! Property tests of the spectral space (S4, S9, A1 norms, R1 basis).

use nalgebra::DMatrix;
use proptest::prelude::*;
use transport_langevin::error::Error;
use transport_langevin::experiments::s4_space::{cosine_orthonormality_error, eigen_residual, finite_width_orthonormality_error};
use transport_langevin::problems::gaussian_particles;
use transport_langevin::space::{Coef, Kernel, Space};
use transport_langevin::tolerance::ORTHONORMALITY;

fn finite_width(m: usize, d: usize, modes: usize, bw: f64, seed: u64) -> Space {
    Space::finite_width(gaussian_particles(m, d, seed, 0), Kernel::Gaussian { bandwidth: bw }, modes).unwrap()
}

fn coef(n: usize, q: usize, v: &[f64]) -> Coef {
    Coef::from_iterator(n, q, v.iter().copied().cycle().take(n * q))
}

#[test]
fn cosine_basis_is_orthonormal() {
    assert!(cosine_orthonormality_error(40, 128) < ORTHONORMALITY);
}

#[test]
fn power_law_eigenvalues_are_the_formula() {
    let s = Space::power_law(2.5, 1.5, 10).unwrap();
    for (k, &m) in s.mu().iter().enumerate() {
        approx::assert_relative_eq!(m, 2.5 * ((k + 1) as f64).powf(-1.5), max_relative = 1e-14);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, rng_seed: proptest::test_runner::RngSeed::Fixed(7), failure_persistence: None, ..ProptestConfig::default() })]

    /// The finite-width basis is orthonormal in L2(ρ0), solves the eigen
    /// equation, and its eigenvalues are sorted, positive, and sum to at
    /// most trace(G)/M = 1 (Gaussian kernel: k(w, w) = 1).
    #[test]
    fn finite_width_basis(m in 4usize..40, d in 1usize..4, frac in 0.1f64..1.0, bw in 0.5f64..4.0, seed in 0u64..1000) {
        let modes = ((m as f64 * frac).ceil() as usize).clamp(1, m);
        match Space::finite_width(gaussian_particles(m, d, seed, 0), Kernel::Gaussian { bandwidth: bw }, modes) {
            Ok(s) => {
                prop_assert!(finite_width_orthonormality_error(&s) < ORTHONORMALITY);
                prop_assert!(eigen_residual(&s) < ORTHONORMALITY);
                prop_assert!(s.mu().windows(2).all(|w| w[0] >= w[1]));
                prop_assert!(s.mu().iter().all(|&x| x > 0.0));
                prop_assert!(s.mu().iter().sum::<f64>() <= 1.0 + 1e-12);
            }
            // Narrow spectra may not have `modes` usable eigenvalues: that is a typed error.
            Err(Error::DegenerateSpectrum { usable, .. }) => prop_assert!(usable < modes),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    /// S_η contracts every mode: ‖S_η W‖ ≤ ‖W‖/(1 + ηλ/μ_0), and P_N is an
    /// orthogonal projection (idempotent, norm-decreasing).
    #[test]
    fn resolvent_contracts_and_projection_projects(v in prop::collection::vec(-5.0f64..5.0, 1..40), eta in 1e-4f64..10.0, lambda in 1e-3f64..10.0, cut in 0usize..20) {
        let s = Space::power_law(1.3, 2.0, 20).unwrap();
        let c = coef(20, 2, &v);
        let out = s.s_eta(&c, eta, lambda);
        prop_assert!(s.norm(&out) <= s.norm(&c) / (1.0 + eta * lambda / s.mu()[0]) * (1.0 + 1e-12) + 1e-300);
        let p = s.project(&c, cut);
        prop_assert_eq!(s.project(&p, cut), p.clone());
        prop_assert!(s.norm(&p) <= s.norm(&c));
        // (I + ηA) S_η = I.
        let back = &out + s.apply_a(&out, lambda) * eta;
        prop_assert!((back - &c).amax() <= 1e-10 * c.amax().max(1.0));
    }

    /// Norm ordering (S9): ‖W‖_{K^γ} ≤ μ_0^{(γ'−γ)/2} ‖W‖_{K^γ'} for γ < γ';
    /// γ = 1 is H_K; ‖W‖_ε = ‖W‖_{K^{−2ε}}; γ = 0 is ‖·‖; T_K^{γ/2} maps
    /// H onto H_{K^γ} isometrically.
    #[test]
    fn norms_are_ordered(v in prop::collection::vec(-5.0f64..5.0, 1..30), g in -2.0f64..2.0, dg in 0.0f64..2.0, eps in -1.0f64..1.0, c_mu in 0.1f64..5.0) {
        let s = Space::power_law(c_mu, 2.0, 15).unwrap();
        let c = coef(15, 2, &v);
        let mu0 = s.mu()[0];
        let lhs = s.norm_hk_gamma(&c, g);
        let rhs = mu0.powf(dg / 2.0) * s.norm_hk_gamma(&c, g + dg);
        prop_assert!(lhs <= rhs * (1.0 + 1e-12));
        approx::assert_relative_eq!(s.norm_hk_gamma(&c, 1.0), s.norm_hk(&c), max_relative = 1e-12);
        approx::assert_relative_eq!(s.norm_hk_gamma(&c, 0.0), s.norm(&c), max_relative = 1e-12);
        approx::assert_relative_eq!(s.norm_eps(&c, eps), s.norm_hk_gamma(&c, -2.0 * eps), max_relative = 1e-12);
        let t = s.tk_pow(&c, g / 2.0);
        approx::assert_relative_eq!(s.norm_hk_gamma(&t, g), s.norm(&c), max_relative = 1e-10);
    }
}

#[test]
fn identity_is_reproduced_at_full_width() {
    let s = finite_width(10, 2, 10, 2.0, 3);
    let c = s.identity_coefficients().unwrap();
    let v = s.to_values(&c).unwrap();
    let p = gaussian_particles(10, 2, 3, 0);
    assert!((v - p).amax() < 1e-10);
}

#[test]
fn bad_space_inputs_are_typed_errors() {
    assert!(matches!(
        Space::power_law(0.0, 2.0, 4),
        Err(Error::NonPositive { name: "c_mu", .. })
    ));
    assert!(matches!(
        Space::power_law(-1.0, 2.0, 4),
        Err(Error::NonPositive { name: "c_mu", .. })
    ));
    assert!(matches!(
        Space::power_law(f64::NAN, 2.0, 4),
        Err(Error::NonFinite { name: "c_mu", .. })
    ));
    assert!(matches!(
        Space::power_law(1.0, f64::INFINITY, 4),
        Err(Error::NonFinite { name: "decay", .. })
    ));
    assert!(matches!(Space::power_law(1.0, 2.0, 0), Err(Error::ZeroCount { name: "modes" })));
    let p = gaussian_particles(5, 2, 1, 0);
    assert!(matches!(
        Space::finite_width(p.clone(), Kernel::Gaussian { bandwidth: 1.0 }, 6),
        Err(Error::TooManyModes { modes: 6, width: 5 })
    ));
    assert!(matches!(
        Space::finite_width(p.clone(), Kernel::Gaussian { bandwidth: 0.0 }, 2),
        Err(Error::NonPositive { name: "bandwidth", .. })
    ));
    let mut bad = p.clone();
    bad[(0, 0)] = f64::NAN;
    assert!(matches!(
        Space::finite_width(bad, Kernel::Gaussian { bandwidth: 1.0 }, 2),
        Err(Error::NonFinite { name: "particles", .. })
    ));
    // Identical particles: a rank-one Gram matrix cannot give two modes.
    let same = DMatrix::from_element(4, 2, 0.3);
    assert!(matches!(
        Space::finite_width(same, Kernel::Gaussian { bandwidth: 1.0 }, 2),
        Err(Error::DegenerateSpectrum { usable: 1, .. })
    ));
    let s = Space::power_law(1.0, 2.0, 4).unwrap();
    assert!(s.to_values(&Coef::zeros(4, 1)).is_err());
    let fw = finite_width(5, 2, 3, 1.0, 1);
    assert!(matches!(fw.to_values(&Coef::zeros(4, 2)), Err(Error::DimensionMismatch { .. })));
}

/// The Gaussian kernel is the formula exp(−‖w − w'‖²/(2h²)) (issue 20: the
/// spectral tests above check the basis only against the Gram matrix of
/// whatever kernel is given, so a wrong kernel went unnoticed). Two
/// bandwidths, because at h = 2 the mutants 2h·h → (2 + h)·h and h·h →
/// h + h give the same value.
#[test]
fn gaussian_kernel_is_the_formula() {
    let k = Kernel::Gaussian { bandwidth: 2.0 };
    // ‖(0, 0) − (1, 1)‖² = 2, 2h² = 8.
    assert!((k.eval(&[0.0, 0.0], &[1.0, 1.0]) - (-0.25f64).exp()).abs() < 1e-15);
    let k = Kernel::Gaussian { bandwidth: 0.5 };
    // ‖3 − 1‖² = 4, 2h² = 1/2.
    assert!((k.eval(&[3.0], &[1.0]) - (-8.0f64).exp()).abs() < 1e-18);
    assert_eq!(k.eval(&[1.0, 2.0], &[1.0, 2.0]), 1.0);
}

/// The documented sign convention of the finite-width basis: in each
/// column of e_k(w_m) the first entry of largest modulus is positive. Any
/// sign gives a valid orthonormal eigenbasis (the tests above cannot see
/// it); the convention makes the basis, hence every coefficient, one
/// deterministic function of the particles (issue 20).
#[test]
fn finite_width_basis_sign_convention() {
    for seed in 0..5 {
        let s = finite_width(12, 2, 8, 1.5, seed);
        let e = s.basis_values().unwrap();
        for k in 0..e.ncols() {
            let col = e.column(k);
            let mut arg = 0;
            for j in 0..col.len() {
                if col[j].abs() > col[arg].abs() {
                    arg = j;
                }
            }
            assert!(col[arg] > 0.0, "seed {seed}, mode {k}: e_k(w_{arg}) = {}", col[arg]);
        }
    }
}

/// The cut of the usable spectrum: a Gram eigenvalue counts when it exceeds
/// SPECTRUM_FLOOR (1e-12) times the top one. Ten particles on a line, eight
/// 100 bandwidths apart and one pair δ apart: the Gram matrix G/M is block
/// diagonal to within e^{−5000}, the pair's block (1/M)[[1, k], [k, 1]] with
/// k = e^{−δ²/2}, so the spectrum is 1/M (eight times), (1 + k)/M = top and
/// (1 − k)/M. With 1 − k = 1e-11 the small one, 1e-12, lies between
/// 1e-12 · top (2e-13) and 1e-12 / top (5e-12): all ten modes are usable and
/// the smallest μ is the closed form; with 1 − k = 1e-12 it falls below the
/// floor and asking for ten modes is a typed error naming nine usable ones.
/// Deterministic.
#[test]
fn finite_width_spectrum_floor_is_relative_to_the_top_eigenvalue() {
    let m = 10.0;
    let line = |delta: f64| {
        let mut x = vec![0.0, delta];
        x.extend((1..=8).map(|j| 100.0 * j as f64));
        DMatrix::from_column_slice(10, 1, &x)
    };
    let kernel = Kernel::Gaussian { bandwidth: 1.0 };
    let one_minus_k: f64 = 1e-11;
    let delta = (2.0 * one_minus_k).sqrt();
    let space = Space::finite_width(line(delta), kernel, 10).unwrap();
    let smallest = space.mu()[9];
    let expected = -(-delta * delta / 2.0).exp_m1() / m;
    assert!(
        (smallest / expected - 1.0).abs() < 1e-3,
        "smallest μ {smallest} against (1 − k)/M = {expected}"
    );
    assert!((space.mu()[0] - (2.0 - one_minus_k) / m).abs() < 1e-12);

    let delta = (2.0 * 1e-12f64).sqrt();
    match Space::finite_width(line(delta), kernel, 10) {
        Err(Error::DegenerateSpectrum { usable, .. }) => assert_eq!(usable, 9),
        other => panic!("expected DegenerateSpectrum with 9 usable modes, got {other:?}"),
    }
    assert!(Space::finite_width(line(delta), kernel, 9).is_ok());
}

/// The space's maps and norms on one small case worked out by hand:
/// μ = (2, 1/2, 2/9) (c_μ = 2, p = 2), W = [[1, −2], [3, 0.5], [−1, 4]]
/// (row k = mode k): ‖W‖², ‖W‖²_ε, ‖W‖²_{H_K}, ‖W‖²_{H_K^γ}, T_K^s, A,
/// S_η's factors and S_η W, P_n, the prior variances μ/(βλ), the
/// row-major flattening and its inverse with its errors; the cosine basis
/// and the finite-width accessors; values at the particles E·W and back
/// (P_N, the identity on H_N), and the identity map's coefficients.
/// Deterministic. Written for the mutation campaign of issue 20
/// (`src/space.rs`).
#[test]
fn maps_and_norms_on_a_hand_worked_case() {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs().max(1.0);
    let s = Space::power_law(2.0, 2.0, 3).unwrap();
    let mu = [2.0, 0.5, 2.0 / 9.0];
    assert!(
        s.mu().len() == 3 && s.mu().iter().zip(&mu).all(|(a, b)| close(*a, *b)),
        "{:?}",
        s.mu()
    );
    assert_eq!((s.modes(), s.width(), s.basis_values().is_none()), (3, None, true));
    let w = Coef::from_row_slice(3, 2, &[1.0, -2.0, 3.0, 0.5, -1.0, 4.0]);
    let rows = [5.0, 9.25, 17.0]; // ‖α_k‖²
    let weighted = |f: &dyn Fn(f64) -> f64| (0..3).map(|k| f(mu[k]) * rows[k]).sum::<f64>();
    assert!(close(s.norm(&w), 31.25f64.sqrt()));
    assert!(close(s.norm_eps(&w, 0.25), weighted(&|m| m.sqrt()).sqrt()));
    assert!(close(s.norm_eps(&w, -0.5), weighted(&|m| 1.0 / m).sqrt()));
    assert!(close(s.norm_hk(&w), (2.5 + 18.5 + 76.5f64).sqrt()), "{}", s.norm_hk(&w));
    assert!(close(s.norm_hk_gamma(&w, 2.0), weighted(&|m| 1.0 / (m * m)).sqrt()));
    let t = s.tk_pow(&w, 0.5);
    let scaled = |f: &dyn Fn(f64) -> f64| Coef::from_fn(3, 2, |k, j| f(mu[k]) * w[(k, j)]);
    assert!((&t - scaled(&|m| m.sqrt())).amax() <= 1e-14);
    assert!((s.apply_a(&w, 0.3) - scaled(&|m| 0.3 / m)).amax() <= 1e-14);
    let f: Vec<f64> = mu.iter().map(|m| 1.0 / (1.0 + 0.2 * 0.3 / m)).collect();
    let rf = s.resolvent_factors(0.2, 0.3);
    assert!(rf.len() == 3 && rf.iter().zip(&f).all(|(a, b)| close(*a, *b)));
    assert!((s.s_eta(&w, 0.2, 0.3) - Coef::from_fn(3, 2, |k, j| f[k] * w[(k, j)])).amax() <= 1e-14);
    assert_eq!(s.project(&w, 1), Coef::from_row_slice(3, 2, &[1.0, -2.0, 0.0, 0.0, 0.0, 0.0]));
    assert_eq!(s.project(&w, 5), w);
    let pv = s.prior_variances(4.0, 0.5);
    assert!(pv.len() == 3 && pv.iter().zip(&mu).all(|(a, m)| close(*a, m / 2.0)), "{pv:?}");
    // Flattening is row-major (mode by mode).
    let flat = transport_langevin::space::flatten(&w);
    assert_eq!(flat, vec![1.0, -2.0, 3.0, 0.5, -1.0, 4.0]);
    assert_eq!(transport_langevin::space::unflatten(&flat, 3, 2, "w").unwrap(), w);
    assert!(matches!(
        transport_langevin::space::unflatten(&flat, 3, 3, "w"),
        Err(Error::DimensionMismatch {
            what: "w",
            expected: 9,
            found: 6
        })
    ));
    assert!(matches!(
        transport_langevin::space::unflatten(&[1.0, f64::NAN], 1, 2, "w"),
        Err(Error::NonFinite { name: "w", .. })
    ));
    assert!(matches!(
        s.check_coef(&Coef::zeros(2, 2)),
        Err(Error::DimensionMismatch { expected: 3, found: 2, .. })
    ));
    assert!(s.check_coef(&w).is_ok());
    assert!(matches!(s.identity_coefficients(), Err(Error::Incompatible { .. })));
    assert!(matches!(s.to_values(&w), Err(Error::Incompatible { .. })));
    // The cosine basis: e_0 = 1, e_k = √2 cos(kπx).
    assert_eq!(Space::cosine(0, 0.3), 1.0);
    assert!(close(Space::cosine(2, 0.3), 2f64.sqrt() * (0.6 * std::f64::consts::PI).cos()));

    // Finite width: values E·W at the particles, and back.
    let fw = finite_width(7, 2, 4, 1.5, 3);
    assert_eq!((fw.modes(), fw.width()), (4, Some(7)));
    let e = fw.basis_values().unwrap().clone();
    assert_eq!(e.shape(), (7, 4));
    let c = Coef::from_fn(4, 2, |k, j| (k as f64 + 1.0) * if j == 0 { 1.0 } else { -0.5 });
    let v = fw.to_values(&c).unwrap();
    assert!((&v - &e * &c).amax() <= 1e-14);
    let back = fw.from_values(&v).unwrap();
    assert!((&back - &c).amax() <= 1e-12, "P_N is the identity on H_N");
    assert!((fw.from_values(&v).unwrap() - e.transpose() * &v / 7.0).amax() <= 1e-14);
    assert!(matches!(
        fw.from_values(&DMatrix::zeros(6, 2)),
        Err(Error::DimensionMismatch { expected: 7, found: 6, .. })
    ));
    assert!(matches!(
        fw.from_values(&DMatrix::from_element(7, 2, f64::INFINITY)),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(fw.to_values(&Coef::zeros(3, 2)), Err(Error::DimensionMismatch { .. })));
    let particles = gaussian_particles(7, 2, 3, 0);
    let id = fw.identity_coefficients().unwrap();
    assert!((&id - e.transpose() * &particles / 7.0).amax() <= 1e-14);
}
