//! P1's explicit constants against hand computations, every printed special
//! case against the limit of its general formula, and the helpers (δ that
//! minimises Ξ_k, largest Λ*_η, δ_crit, implied C_1). Deterministic.

use transport_langevin::error::Error;
use transport_langevin::statements::p1::{self, Deviation, P1Params};

fn base() -> P1Params {
    P1Params {
        c_mu: 1.0,
        lambda: 0.5,
        beta: 2.0,
        eta: 0.1,
        mu0: 1.0,
        grad_bound: 0.2,
        loss_bound: 1.0,
        delta: 0.5,
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

/// Hand computation (written out with powi/ln on the printed definitions):
/// ρ = 1/1.05, ρ^{1/η} = 1.05^{−10}, b = 2·0.2 + 1/(2·0.5) = 1.4, b̄ = 1.4,
/// κ = 2.4, V̄ = 5.6/(√((1 + x)/2) − x), Λ* = ¼·½/(4 ln(2.4(V̄+1)/½)),
/// C_W0 = 2.4(V̄+1) + √2·2.4/√½ = 2.4(V̄+1) + 4.8.
#[test]
fn constants_match_hand_computation() {
    let c = base().constants().unwrap();
    let x = 1.05f64.powi(-10);
    let v_bar = 5.6 / (((1.0 + x) / 2.0).sqrt() - x);
    assert!(close(c.rho, 1.0 / 1.05, 1e-15));
    assert!(close(c.rho_pow, x, 1e-13));
    assert!(close(c.b, 1.4, 1e-15));
    assert!(close(c.b_bar, 1.4, 1e-15));
    assert!(close(c.kappa, 2.4, 1e-15));
    assert!(close(c.v_bar, v_bar, 1e-12));
    assert!(close(c.v_bar, 19.691, 1e-4), "{}", c.v_bar);
    let ls = 0.25 * 0.5 / (4.0 * (2.4 * (v_bar + 1.0) / 0.5).ln());
    assert!(close(c.lambda_star, ls, 1e-12));
    assert!(close(c.c_w0, 2.4 * (v_bar + 1.0) + 4.8, 1e-12));
}

/// Special case η → 0 of ρ^{1/η}: e^{−λ/μ_0} (limit of (1 + λη/μ_0)^{−1/η}).
#[test]
fn rho_pow_tends_to_its_eta_zero_case() {
    let p = base();
    let limit = (-p.lambda / p.mu0).exp();
    assert_eq!(p1::rho_pow(p.lambda, 0.0, p.mu0), limit);
    for (eta, tol) in [(1e-4, 1e-4), (1e-6, 1e-6), (1e-8, 1e-8)] {
        assert!(close(p1::rho_pow(p.lambda, eta, p.mu0), limit, tol), "eta = {eta}");
    }
}

/// E1: the printed η = 0 case of V̄ uses μ_1; the limit of the general formula
/// uses μ_0. With μ_k = (k+1)^{−2} (μ_1 = 1/4) the limit agrees with the μ_0
/// form to 1e-7 and differs from the printed μ_1 form by more than 25%.
#[test]
fn e1_v_bar_eta0_is_the_mu0_limit_not_the_printed_mu1() {
    let p = base();
    let b_bar = p.constants().unwrap().b_bar;
    let limit = P1Params { eta: 1e-9, ..p }.constants().unwrap().v_bar;
    let at_zero = P1Params { eta: 0.0, ..p }.constants().unwrap().v_bar;
    let mu1 = 0.25;
    let printed = p1::v_bar_printed_eta0(b_bar, p.lambda, mu1);
    let corrected = p1::v_bar(b_bar, (-p.lambda / p.mu0).exp());
    assert!(close(limit, corrected, 1e-7));
    assert_eq!(at_zero, corrected);
    assert!((printed - limit).abs() > 0.25 * limit, "printed {printed} vs limit {limit}");
    // The printed form itself: 4b̄/(√((1 + x)/2) − x) with x = e^{−λ/μ_1} = e^{−2}.
    let x = (-2.0f64).exp();
    assert!(close(printed, 4.0 * b_bar / (((1.0 + x) / 2.0).sqrt() - x), 1e-15));
}

/// Λ*_η and C_W0 are continuous at η = 0 (Λ*_0 is the limit of Λ*_η).
#[test]
fn lambda_star_and_c_w0_tend_to_their_eta_zero_values() {
    let p = base();
    let c0 = P1Params { eta: 0.0, ..p }.constants().unwrap();
    let c = P1Params { eta: 1e-9, ..p }.constants().unwrap();
    assert!(close(c.lambda_star, c0.lambda_star, 1e-7));
    assert!(close(c.c_w0, c0.c_w0, 1e-7));
    assert_eq!(p.lambda_star_0().unwrap(), c0.lambda_star);
}

/// b̄ = max(b, 1): for b < 1, b̄ = 1 and κ = 2.
#[test]
fn b_bar_is_one_below_one() {
    let p = P1Params {
        grad_bound: 0.0,
        beta: 10.0,
        lambda: 1.0,
        ..base()
    };
    let c = p.constants().unwrap();
    assert!(close(c.b, 0.1, 1e-15));
    assert_eq!(c.b_bar, 1.0);
    assert_eq!(c.kappa, 2.0);
}

/// min(λ/(2μ_0), 1/2) = 1/2 once λ ≥ μ_0: Λ* then does not depend on λ
/// through that factor (checked against the formula with the factor 1/2).
#[test]
fn lambda_star_prefactor_saturates_at_one_half() {
    let p = P1Params { lambda: 3.0, ..base() };
    let c = p.constants().unwrap();
    let direct = 0.5 * p.delta / (4.0 * (c.kappa * (c.v_bar + 1.0) / (1.0 - p.delta)).ln());
    assert!(close(c.lambda_star, direct, 1e-14));
    assert!(close(
        p1::lambda_star(3.0, 1.0, 0.5, c.kappa, c.v_bar),
        p1::lambda_star(1.0, 1.0, 0.5, c.kappa, c.v_bar),
        1e-15
    ));
}

/// Ξ_k: at k = 0 it is C_1(C_W0 + √β/Λ*_0 η^{1/2−a}); as k → ∞ only the
/// η-term remains.
#[test]
fn xi_special_cases() {
    let p = base();
    let c = p.constants().unwrap();
    let l0 = p.lambda_star_0().unwrap();
    let (c1, a) = (2.0, 0.1);
    let eta_term = p.beta.sqrt() / l0 * p.eta.powf(0.5 - a);
    assert!(close(p.xi(c1, a, 0.0).unwrap(), c1 * (c.c_w0 + eta_term), 1e-12));
    assert!(close(p.xi(c1, a, 1e9).unwrap(), c1 * eta_term, 1e-12));
    assert!(close(p1::bracket(&p, a, 0.0).unwrap(), c.c_w0 + eta_term, 1e-12));
}

/// The δ returned by `optimal_delta` is not beaten by any δ of a fine grid.
#[test]
fn optimal_delta_is_a_minimum() {
    let p = base();
    let (d, v) = p1::optimal_delta(&p, 1.0, 0.05, 50.0).unwrap();
    assert!(d > 0.0 && d < 1.0);
    for i in 1..1000 {
        let delta = i as f64 / 1000.0;
        let x = P1Params { delta, ..p }.xi(1.0, 0.05, 50.0).unwrap();
        assert!(v <= x * (1.0 + 1e-12), "delta {delta}: {x} < {v}");
    }
}

/// `max_lambda_star` is not beaten by a grid, and `delta_crit` returns the
/// δ where Λ*_η(δ) reaches the given rate (and 1 when it never does).
#[test]
fn max_lambda_star_and_delta_crit() {
    let p = base();
    let (dm, lm) = p1::max_lambda_star(&p).unwrap();
    for i in 1..1000 {
        let delta = i as f64 / 1000.0;
        assert!(P1Params { delta, ..p }.constants().unwrap().lambda_star <= lm * (1.0 + 1e-12));
    }
    let rate = 0.5 * lm;
    let dc = p1::delta_crit(&p, rate).unwrap();
    assert!(dc < dm);
    let at = P1Params { delta: dc, ..p }.constants().unwrap().lambda_star;
    assert!(close(at, rate, 1e-9), "{at} vs {rate}");
    assert_eq!(p1::delta_crit(&p, 2.0 * lm).unwrap(), 1.0);
    // A rate just below the maximum: δ_crit close to δ_max (the bisection's
    // upper end, logit(δ_max), matters).
    let rate = 0.999 * lm;
    let dc = p1::delta_crit(&p, rate).unwrap();
    assert!(dc < dm && dc > 0.5 * dm, "{dc} vs {dm}");
    let at = P1Params { delta: dc, ..p }.constants().unwrap().lambda_star;
    assert!(close(at, rate, 1e-9), "{at} vs {rate}");
}

/// Implied C_1 by hand: errors 1, 3 over brackets 10, 20 → C_1 = max(0.1, 0.15);
/// with z = 2 and stderr 0.5: lower max(0, 2/20, 0/10) = 0.1, upper (1+1)/10, (3+1)/20 → 0.2.
#[test]
fn implied_c1_by_hand() {
    let pts = [
        Deviation {
            error: -1.0,
            stderr: 0.5,
            bracket: 10.0,
        },
        Deviation {
            error: 3.0,
            stderr: 0.5,
            bracket: 20.0,
        },
    ];
    let c = p1::implied_c1(&pts, 2.0).unwrap();
    assert!(close(c.c1, 0.15, 1e-15));
    assert_eq!(c.argmax, 1);
    assert!(close(c.lower, 0.1, 1e-15));
    assert!(close(c.upper, 0.2, 1e-15));
    // The largest ratio, not the largest error, sets C_1 (errors below their
    // brackets); on a tie the first point is kept.
    let d = |error: f64, bracket: f64| Deviation {
        error,
        stderr: 0.0,
        bracket,
    };
    let c = p1::implied_c1(&[d(0.5, 1.0), d(0.4, 0.5), d(0.2, 0.25)], 2.0).unwrap();
    assert!(close(c.c1, 0.8, 1e-15));
    assert_eq!(c.argmax, 1);
}

/// Bad inputs give typed errors.
#[test]
fn bad_inputs_are_typed_errors() {
    assert!(matches!(
        P1Params { delta: 1.0, ..base() }.constants(),
        Err(Error::OutOfRange { name: "delta", .. })
    ));
    assert!(matches!(
        P1Params { beta: 0.05, ..base() }.constants(),
        Err(Error::BetaNotAboveEta { .. })
    ));
    assert!(matches!(
        P1Params { eta: -1.0, ..base() }.constants(),
        Err(Error::OutOfRange { name: "eta", .. })
    ));
    assert!(matches!(base().xi(1.0, 0.3, 0.0), Err(Error::OutOfRange { name: "a", .. })));
    assert!(matches!(p1::implied_c1(&[], 1.0), Err(Error::ZeroCount { .. })));
    let zero = Deviation {
        error: 1.0,
        stderr: 0.0,
        bracket: 0.0,
    };
    assert!(matches!(p1::implied_c1(&[zero], 1.0), Err(Error::NonPositive { .. })));
    assert!(matches!(p1::delta_crit(&base(), -1.0), Err(Error::NonPositive { .. })));
}

/// ρ, ρ^{1/η} and Ξ_k with μ_0 ≠ 1 and at an intermediate k (the base
/// case has μ_0 = 1, where λη/μ_0 and λημ_0 agree, and only k = 0 and
/// k → ∞, where the exponential is 1 or 0).
#[test]
fn constants_with_mu0_not_one_and_xi_at_finite_k() {
    let p = P1Params {
        mu0: 0.5,
        lambda: 0.3,
        eta: 0.2,
        ..base()
    };
    assert!(close(p1::rho(0.3, 0.2, 0.5), 1.0 / 1.12, 1e-15));
    assert!(close(p1::rho_pow(0.3, 0.2, 0.5), 1.12f64.powi(-5), 1e-13));
    assert!(close(p1::rho_pow(0.3, 0.0, 0.5), (-0.6f64).exp(), 1e-15));
    let c = p.constants().unwrap();
    assert!(close(c.rho, 1.0 / 1.12, 1e-15));
    let (c1, a, k) = (2.0, 0.1, 10.0);
    let l0 = p.lambda_star_0().unwrap();
    let by_hand = c1 * (c.c_w0 * (-c.lambda_star * 0.2 * 10.0).exp() + p.beta.sqrt() / l0 * 0.2f64.powf(0.5 - a));
    assert!(close(p.xi(c1, a, k).unwrap(), by_hand, 1e-12));
    // Λ* with the unsaturated prefactor λ/(2μ_0) = 0.3.
    let ls = 0.3 * p.delta / (4.0 * (c.kappa * (c.v_bar + 1.0) / (1.0 - p.delta)).ln());
    assert!(close(c.lambda_star, ls, 1e-14));
}

/// The searches return a δ and the value of the objective at that δ.
#[test]
fn searches_return_their_argument_and_value() {
    let p = base();
    let (d, v) = p1::optimal_delta(&p, 1.0, 0.05, 50.0).unwrap();
    assert!(close(P1Params { delta: d, ..p }.xi(1.0, 0.05, 50.0).unwrap(), v, 1e-12));
    let (dm, lm) = p1::max_lambda_star(&p).unwrap();
    assert!(close(P1Params { delta: dm, ..p }.constants().unwrap().lambda_star, lm, 1e-12));
}

/// Bounds of the loss and the gradient may be 0 (the zero loss) but not
/// negative.
#[test]
fn zero_bounds_are_valid_negative_are_not() {
    assert!(P1Params {
        loss_bound: 0.0,
        grad_bound: 0.0,
        ..base()
    }
    .constants()
    .is_ok());
    assert!(matches!(
        P1Params {
            loss_bound: -1e-9,
            ..base()
        }
        .validate(),
        Err(Error::OutOfRange { name: "loss_bound", .. })
    ));
    assert!(matches!(
        P1Params {
            grad_bound: -1e-9,
            ..base()
        }
        .validate(),
        Err(Error::OutOfRange { name: "grad_bound", .. })
    ));
}
