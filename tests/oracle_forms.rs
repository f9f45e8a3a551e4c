//! The closed forms of `src/oracle.rs` against independent routes, without
//! running a chain: the zero-loss variances as the fixed points of their
//! AR(1) variance recursions, the linear-Gaussian AR(1) coefficients
//! (F, c, G) against one step of the scheme itself (S6, through the
//! regression model's gradient), the posterior against its defining
//! equations, and the scheme's stationary law against the Lyapunov
//! equation it solves (and the doubling route against the Kronecker one).
//! Deterministic. Written for the mutation campaign of issue 20 (the
//! statistical oracles of `tests/oracles.rs` test the same forms through
//! chains, minutes a mutant).

use nalgebra::{DMatrix, DVector};
use transport_langevin::dynamics::{Discretization, Langevin};
use transport_langevin::oracle::{self, LinearGaussian};
use transport_langevin::problems::linear_gaussian;
use transport_langevin::space::Coef;

/// The stationary variance of x' = a x + s ε by iterating v ← a²v + s².
fn ar1_fixed_point(a: f64, s2: f64) -> f64 {
    let mut v = 0.0;
    for _ in 0..100_000 {
        let next = a * a * v + s2;
        if next == v {
            break;
        }
        v = next;
    }
    v
}

/// 𝓛̂ ≡ 0: semi-implicit x' = S(x + √(2η/β)ε), S = 1/(1 + ηλ/μ); explicit
/// x' = (1 − ηλ/μ)x + √(2η/β)ε, stable only for ηλ/μ < 2 (∞ at 2 and
/// beyond); the prior's μ/(βλ) is the η → 0 limit.
#[test]
fn zero_loss_variances_are_the_recursions_fixed_points() {
    for &(mu, eta, beta, lambda) in &[(1.0, 0.1, 2.0, 0.5), (0.3, 0.05, 10.0, 1.0), (0.02, 0.2, 1.0, 0.1)] {
        let s = 1.0 / (1.0 + eta * lambda / mu);
        let semi = ar1_fixed_point(s, s * s * 2.0 * eta / beta);
        let got = oracle::zero_loss_variance_semi_implicit(mu, eta, beta, lambda);
        assert!((got - semi).abs() <= 1e-12 * semi, "semi-implicit μ={mu}: {got} vs {semi}");
        let r = eta * lambda / mu;
        let got = oracle::zero_loss_variance_explicit(mu, eta, beta, lambda);
        if r < 2.0 {
            let explicit = ar1_fixed_point(1.0 - r, 2.0 * eta / beta);
            assert!((got - explicit).abs() <= 1e-12 * explicit, "explicit μ={mu}: {got} vs {explicit}");
        }
        assert_eq!(oracle::prior_variance(mu, beta, lambda), mu / (beta * lambda));
        let tiny = oracle::zero_loss_variance_semi_implicit(mu, 1e-9, beta, lambda);
        assert!((tiny / (mu / (beta * lambda)) - 1.0).abs() < 1e-8);
    }
    // ηλ/μ = 2 and beyond: no stationary law; just below, a large one.
    assert_eq!(oracle::zero_loss_variance_explicit(0.5, 1.0, 1.0, 1.0), f64::INFINITY);
    assert_eq!(oracle::zero_loss_variance_explicit(0.5, 2.0, 1.0, 1.0), f64::INFINITY);
    let below = oracle::zero_loss_variance_explicit(0.5, 0.99, 1.0, 1.0);
    assert!(below.is_finite() && below > 10.0, "{below}");
}

fn small_problem() -> (transport_langevin::Space, transport_langevin::Regression, LinearGaussian) {
    linear_gaussian(9, 4, 5.0, 0.7).unwrap()
}

/// (F, c, G) of `ar1` reproduce one step of the scheme: for any W and ε,
/// F W + c + G ε is the semi-implicit step of S6 on the regression model
/// (which computes its own gradient), to rounding.
#[test]
fn ar1_coefficients_are_one_step_of_the_scheme() {
    let (space, model, lg) = small_problem();
    let eta = 0.05;
    let (f, c, g) = lg.ar1(eta);
    assert_eq!((f.shape(), c.len(), g.shape()), ((4, 4), 4, (4, 4)));
    let mut lv = Langevin::new(&space, 1, eta, lg.beta, lg.lambda, Discretization::SemiImplicit).unwrap();
    for k in 0..3 {
        let w = Coef::from_fn(4, 1, |i, _| ((i + 2 * k) as f64 * 0.7).sin());
        let e = Coef::from_fn(4, 1, |i, _| ((3 * i + k) as f64 * 1.3).cos());
        let mut st = lv.init(w.clone()).unwrap();
        lv.step_with_noise(&model, &mut st, &e).unwrap();
        let want = &f * DVector::from_column_slice(w.as_slice()) + &c + &g * DVector::from_column_slice(e.as_slice());
        let got = DVector::from_column_slice(st.w.as_slice());
        assert!((&got - &want).amax() <= 1e-12 * want.amax().max(1.0), "case {k}: {got} vs {want}");
    }
}

/// The posterior N(m, Σ) solves (A + Q)m = b and Σ·β(A + Q) = I, with
/// A = diag(λ/μ_k), Q = (2/n)ΦᵀΦ, b = (2/n)Φᵀy worked out here.
#[test]
fn posterior_solves_its_defining_equations() {
    let (_, _, lg) = small_problem();
    let n = lg.y.len() as f64;
    let q = lg.phi.tr_mul(&lg.phi) * (2.0 / n);
    let b = lg.phi.tr_mul(&lg.y) * (2.0 / n);
    let a_plus_q = &q + DMatrix::from_diagonal(&DVector::from_iterator(4, lg.mu.iter().map(|&m| lg.lambda / m)));
    let post = lg.posterior().unwrap();
    assert!((&a_plus_q * &post.mean - &b).amax() <= 1e-12 * b.amax());
    let id = &post.cov * (&a_plus_q * lg.beta);
    assert!((id - DMatrix::identity(4, 4)).amax() <= 1e-12);
    // The scheme's stationary mean is the posterior mean (c = ηSb, F = S(I − ηQ)).
    let law = lg.scheme_stationary(0.05).unwrap();
    assert!((&law.mean - &post.mean).amax() <= 1e-10 * post.mean.amax());
    // A singular A + Q is a typed error.
    let bad = LinearGaussian {
        phi: DMatrix::zeros(9, 4),
        mu: vec![f64::INFINITY; 4],
        ..lg.clone()
    };
    assert!(bad.posterior().is_err());
}

/// The scheme's stationary covariance solves Σ = FΣFᵀ + GGᵀ and its mean
/// (I − F)m = c; the doubling route gives the same Σ; η → 0 tends to the
/// posterior covariance.
#[test]
fn scheme_stationary_law_solves_the_lyapunov_equation() {
    let (_, _, lg) = small_problem();
    for eta in [0.01, 0.2] {
        let (f, c, g) = lg.ar1(eta);
        let law = lg.scheme_stationary(eta).unwrap();
        let s = &law.cov;
        let resid = s - (&f * s * f.transpose() + &g * g.transpose());
        assert!(resid.amax() <= 1e-12 * s.amax(), "η={eta}: {}", resid.amax());
        assert!(((DMatrix::identity(4, 4) - &f) * &law.mean - &c).amax() <= 1e-12 * c.amax().max(1e-300));
        let d = lg.scheme_stationary_cov_doubling(eta);
        assert!((&d - s).amax() <= 1e-10 * s.amax(), "η={eta}: doubling vs Kronecker");
        assert!((s - s.transpose()).amax() <= 1e-12 * s.amax());
    }
    let post = lg.posterior().unwrap();
    let near = lg.scheme_stationary(1e-6).unwrap();
    assert!((&near.cov - &post.cov).amax() <= 1e-4 * post.cov.amax());
    // A chain with no stationary law (F with an eigenvalue 1) is a typed error.
    let flat = LinearGaussian {
        phi: DMatrix::zeros(9, 4),
        mu: vec![f64::INFINITY; 4],
        ..lg.clone()
    };
    assert!(flat.scheme_stationary(0.1).is_err());
}
