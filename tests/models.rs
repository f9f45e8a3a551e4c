//! Losses and models (S1, S2, S3, S8, R1): analytic derivatives and Fréchet
//! gradients against central finite differences, and input validation.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use quickcheck::{quickcheck, TestResult};
use transport_langevin::error::Error;
use transport_langevin::experiments::s1_losses::max_fd_error;
use transport_langevin::loss::Loss;
use transport_langevin::model::{fd_gradient, Activation, Data, Model, Potential, Regression, TwoLayer, Variant};
use transport_langevin::problems::gaussian_particles;
use transport_langevin::problems::{direct_network, toy_data};
use transport_langevin::space::{Coef, Kernel, Space};
use transport_langevin::tolerance::{FD_REL, FD_STEP};

#[test]
fn loss_derivatives_match_finite_differences() {
    for loss in [Loss::Squared, Loss::Logistic] {
        for order in 1..=3 {
            let e = max_fd_error(loss, order);
            assert!(e < FD_REL, "{loss:?} order {order}: {e}");
        }
    }
}

quickcheck! {
    /// Logistic loss: value ≥ 0, |ℓ'| ≤ 1, 0 < ℓ'' ≤ 1/4, stable for huge |f|.
    fn logistic_is_bounded_and_stable(f: f64, positive: bool) -> TestResult {
        if !f.is_finite() { return TestResult::discard(); }
        let y = if positive { 1.0 } else { -1.0 };
        let l = Loss::Logistic;
        let (v, d1, d2) = (l.value(y, f), l.d1(y, f), l.d2(y, f));
        TestResult::from_bool(v >= 0.0 && v.is_finite() && d1.abs() <= 1.0 && (0.0..=0.25).contains(&d2) && l.d3(y, f).is_finite())
    }

    /// Squared loss: ℓ = (y − f)², ℓ' = 2(f − y), ℓ'' = 2, ℓ''' = 0.
    fn squared_is_the_parabola(y: i16, f: i16) -> bool {
        let (y, f) = (y as f64 / 100.0, f as f64 / 100.0);
        let l = Loss::Squared;
        l.value(y, f) == (y - f) * (y - f) && l.d1(y, f) == 2.0 * (f - y) && l.d2(y, f) == 2.0 && l.d3(y, f) == 0.0
    }
}

fn rel_fd<M: Model>(model: &M, w: &Coef) -> f64 {
    let (n, q) = model.shape();
    let mut g = Coef::zeros(n, q);
    let risk = model.gradient(w, &mut g);
    assert!((risk - model.value(w)).abs() <= 1e-12 * risk.abs().max(1.0));
    let fd = fd_gradient(|c| model.value(c), w, FD_STEP);
    // Relative to the gradient's size, floored at 1e-4·max(1, 𝓛̂): the
    // central difference carries a rounding error of about ε·𝓛̂/h ≈ 2e-11·𝓛̂,
    // which a vanishing gradient (saturated clip) would otherwise magnify.
    let scale = fd.amax().max(1e-4 * risk.abs().max(1.0));
    (&g - &fd).amax() / scale
}

fn random_coef(n: usize, q: usize, seed: u64, scale: f64) -> Coef {
    gaussian_particles(n, q, seed, 99) * scale
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(11), failure_persistence: None, ..ProptestConfig::default() })]

    /// Regression on the cosine basis: gradient = Φᵀ ℓ'/n, checked by FD.
    #[test]
    fn regression_gradient(n in 1usize..30, modes in 1usize..12, logistic in any::<bool>(), seed in 0u64..500) {
        let space = Space::power_law(1.0, 2.0, modes).unwrap();
        let x = DMatrix::from_fn(n, 1, |i, _| (i as f64 + 0.3) / n as f64);
        let y = DVector::from_fn(n, |i, _| if logistic { if i % 3 == 0 { 1.0 } else { -1.0 } } else { (i as f64).sin() });
        let loss = if logistic { Loss::Logistic } else { Loss::Squared };
        let model = Regression::new(&space, &Data::new(x, y).unwrap(), loss).unwrap();
        prop_assert!(rel_fd(&model, &random_coef(modes, 1, seed, 0.7)) < FD_REL);
    }

    /// Lifted two-layer network (S3) at any width M and N ≤ M: the
    /// coefficient gradient (1/M)EᵀG agrees with FD.
    #[test]
    fn lifted_gradient(m in 2usize..16, d in 1usize..4, n in 1usize..12, frac in 0.2f64..1.0, logistic in any::<bool>(), seed in 0u64..500) {
        let modes = ((m as f64 * frac).ceil() as usize).clamp(1, m);
        let Ok(space) = Space::finite_width(gaussian_particles(m, d, seed, 0), Kernel::Gaussian { bandwidth: 3.0 }, modes) else {
            return Ok(());
        };
        let data = toy_data(n, d, seed, 1).unwrap();
        let data = if logistic { Data::new(data.x.clone(), data.y.map(|v| if v > 0.0 { 1.0 } else { -1.0 })).unwrap() } else { data };
        let a = DVector::from_fn(m, |i, _| 1.0 - 0.3 * i as f64);
        let loss = if logistic { Loss::Logistic } else { Loss::Squared };
        let model = TwoLayer::new(&space, data, loss, Activation::Tanh, Variant::Lifted { a }).unwrap();
        let w = space.identity_coefficients().unwrap() + random_coef(modes, d, seed, 0.5);
        prop_assert!(rel_fd(&model, &w) < FD_REL);
    }

    /// Clipped model (S8): gradient through R tanh(·/R) on both layers.
    #[test]
    fn clipped_gradient(m in 2usize..14, d in 1usize..4, n in 1usize..12, r in 1.0f64..4.0, logistic in any::<bool>(), seed in 0u64..500) {
        let Ok(space) = Space::finite_width(gaussian_particles(m, d + 1, seed, 0), Kernel::Gaussian { bandwidth: 3.0 }, m) else {
            return Ok(());
        };
        let data = toy_data(n, d, seed, 1).unwrap();
        let loss = if logistic { Loss::Logistic } else { Loss::Squared };
        let model = TwoLayer::new(&space, data, loss, Activation::Tanh, Variant::Clipped { r }).unwrap();
        let w = random_coef(m, d + 1, seed, 1.5);
        prop_assert!(rel_fd(&model, &w) < FD_REL);
    }
}

/// R1: at full width the lifted model is the width-M network of eq. (2)
/// evaluated at the particles' images.
#[test]
fn lift_is_the_width_m_network() {
    let (m, d) = (9, 2);
    let p = gaussian_particles(m, d, 5, 0);
    let space = Space::finite_width(p.clone(), Kernel::Gaussian { bandwidth: 2.0 }, m).unwrap();
    let a = DVector::from_fn(m, |i, _| (i as f64).cos());
    let data = toy_data(7, d, 5, 1).unwrap();
    let model = TwoLayer::new(
        &space,
        data.clone(),
        Loss::Squared,
        Activation::Tanh,
        Variant::Lifted { a: a.clone() },
    )
    .unwrap();
    let w = space.identity_coefficients().unwrap() + random_coef(m, d, 5, 0.3);
    let direct = direct_network(&space.to_values(&w).unwrap(), &a, &data.x);
    assert!((model.predict_train(&w) - direct).amax() < 1e-12);
}

#[test]
fn bad_data_and_model_inputs_are_typed_errors() {
    assert!(matches!(
        Data::new(DMatrix::zeros(0, 1), DVector::zeros(0)),
        Err(Error::EmptyData { .. })
    ));
    assert!(matches!(
        Data::new(DMatrix::zeros(3, 1), DVector::zeros(2)),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut x = DMatrix::zeros(3, 1);
    x[(1, 0)] = f64::NAN;
    assert!(matches!(Data::new(x, DVector::zeros(3)), Err(Error::NonFinite { name: "x", .. })));
    assert!(matches!(
        Data::new(DMatrix::zeros(2, 1), DVector::from_element(2, f64::INFINITY)),
        Err(Error::NonFinite { name: "y", .. })
    ));

    let power = Space::power_law(1.0, 2.0, 3).unwrap();
    let outside = Data::new(DMatrix::from_element(2, 1, 1.5), DVector::zeros(2)).unwrap();
    assert!(matches!(
        Regression::new(&power, &outside, Loss::Squared),
        Err(Error::OutsideDomain { .. })
    ));
    let two_d = Data::new(DMatrix::from_element(2, 2, 0.5), DVector::zeros(2)).unwrap();
    assert!(matches!(
        Regression::new(&power, &two_d, Loss::Squared),
        Err(Error::DimensionMismatch { .. })
    ));

    let space = Space::finite_width(gaussian_particles(4, 3, 1, 0), Kernel::Gaussian { bandwidth: 2.0 }, 4).unwrap();
    let data = toy_data(5, 2, 1, 1).unwrap();
    // Particles have 3 columns: right for the clipped model with d = 2, wrong for the lifted one.
    assert!(TwoLayer::new(&space, data.clone(), Loss::Squared, Activation::Tanh, Variant::Clipped { r: 2.0 }).is_ok());
    assert!(matches!(
        TwoLayer::new(
            &space,
            data.clone(),
            Loss::Squared,
            Activation::Tanh,
            Variant::Lifted { a: DVector::zeros(4) }
        ),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        TwoLayer::new(&space, data.clone(), Loss::Squared, Activation::Tanh, Variant::Clipped { r: 0.5 }),
        Err(Error::OutOfRange { name: "R", .. })
    ));
    assert!(matches!(
        TwoLayer::new(
            &space,
            data.clone(),
            Loss::Squared,
            Activation::Tanh,
            Variant::Lifted { a: DVector::zeros(3) }
        ),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(TwoLayer::new(&power, data, Loss::Squared, Activation::Tanh, Variant::Clipped { r: 2.0 }).is_err());
}

/// The data's size, the default `Potential::gradients` (C points at once is
/// C `gradient` calls, bit for bit) and `Model::risk_on` (the mean loss of
/// the predictions on another data set, worked out here).
#[test]
fn data_size_batched_gradients_and_risk_on_another_set() {
    let space = Space::power_law(1.0, 2.0, 5).unwrap();
    // Inputs in [0, 1] (the power-law space's domain), labels ±1 (either loss).
    let data = |n: usize, shift: f64| {
        let x = DMatrix::from_fn(n, 1, |i, _| ((i as f64 + shift) / n as f64).min(1.0));
        let y = DVector::from_fn(n, |i, _| if (7.0 * x[(i, 0)]).sin() >= 0.0 { 1.0 } else { -1.0 });
        Data::new(x, y).unwrap()
    };
    let (train, test) = (data(12, 0.5), data(7, 0.3));
    assert_eq!((train.len(), train.is_empty()), (12, false));
    for loss in [Loss::Squared, Loss::Logistic] {
        let model = Regression::new(&space, &train, loss).unwrap();
        let ws: Vec<Coef> = (0..3).map(|c| Coef::from_fn(5, 1, |k, _| 0.2 * ((k + c) as f64).sin())).collect();
        let mut gs: Vec<Coef> = vec![Coef::zeros(5, 1); 3];
        let mut risks = vec![0.0; 3];
        {
            let wr: Vec<&Coef> = ws.iter().collect();
            let mut gr: Vec<&mut Coef> = gs.iter_mut().collect();
            model.gradients(&wr, &mut gr, &mut risks);
        }
        for c in 0..3 {
            let mut g = Coef::zeros(5, 1);
            let r = model.gradient(&ws[c], &mut g);
            assert_eq!(r.to_bits(), risks[c].to_bits());
            assert_eq!(g, gs[c]);
        }
        let f = model.predict(&ws[1], &test.x).unwrap();
        let expected = (0..7).map(|i| loss.value(test.y[i], f[i])).sum::<f64>() / 7.0;
        let got = model.risk_on(&ws[1], &test).unwrap();
        assert!((got - expected).abs() <= 1e-14 * expected.abs(), "{loss:?}: {got} vs {expected}");
    }
}

/// 𝓛̂ ≡ 0: the shape it was given, value 0, a gradient of zeros (written
/// over whatever the buffer held) with risk 0; and `relative_error` is
/// max |a − b| / max |b|.
#[test]
fn zero_loss_and_relative_error_are_their_definitions() {
    use transport_langevin::model::relative_error;
    use transport_langevin::ZeroLoss;
    let z = ZeroLoss { modes: 4, q: 3 };
    assert_eq!(z.shape(), (4, 3));
    let w = Coef::from_element(4, 3, 0.7);
    assert_eq!(z.value(&w), 0.0);
    let mut g = Coef::from_element(4, 3, 5.0);
    assert_eq!(z.gradient(&w, &mut g), 0.0);
    assert!(g.iter().all(|&x| x == 0.0));
    let b = Coef::from_row_slice(2, 2, &[1.0, -4.0, 2.0, 0.5]);
    let a = Coef::from_row_slice(2, 2, &[1.5, -4.0, 1.0, 0.5]);
    assert_eq!(relative_error(&a, &b), 1.0 / 4.0);
}

/// The two-layer model's pieces that the FD gradient tests do not reach
/// (survivors of the issue-20 campaign at `two_layer.rs` 42–63, 207 and
/// 347–358): σ' and σ'' of tanh against sech² and −2 tanh sech² (std's
/// cosh and tanh) and against central differences of σ and σ'; `predict`
/// at the training inputs is `predict_train`, and the values at the
/// particles are `Space::to_values`; inputs of the wrong dimension,
/// non-finite inputs and values of the wrong shape are typed errors that
/// name the sizes. Deterministic.
#[test]
fn two_layer_activation_predict_and_input_checks() {
    let act = Activation::Tanh;
    let h = 1e-5;
    for &z in &[-3.0f64, -0.7, 0.0, 0.4, 1.3, 5.0] {
        let sech2 = 1.0 / (z.cosh() * z.cosh());
        assert!((act.d1(z) - sech2).abs() <= 1e-14, "σ'({z}) = {} vs {sech2}", act.d1(z));
        assert!((act.d2(z) + 2.0 * z.tanh() * sech2).abs() <= 1e-14, "σ''({z}) = {}", act.d2(z));
        // Central differences: truncation h²/6·|σ'''| ≤ 4e-11, rounding ≤ 1e-11.
        assert!((act.d1(z) - (act.value(z + h) - act.value(z - h)) / (2.0 * h)).abs() <= 1e-9);
        assert!((act.d2(z) - (act.d1(z + h) - act.d1(z - h)) / (2.0 * h)).abs() <= 1e-9);
        assert_eq!(act.d1_from_value(act.value(z)).to_bits(), act.d1(z).to_bits());
    }

    let (m, d) = (6, 2);
    let space = Space::finite_width(gaussian_particles(m, d, 3, 0), Kernel::Gaussian { bandwidth: 2.0 }, m).unwrap();
    let data = toy_data(9, d, 3, 1).unwrap();
    let a = DVector::from_fn(m, |i, _| 0.5 + 0.1 * i as f64);
    let model = TwoLayer::new(&space, data.clone(), Loss::Squared, Activation::Tanh, Variant::Lifted { a }).unwrap();
    let w = space.identity_coefficients().unwrap() + random_coef(m, d, 3, 0.3);
    assert!((model.values(&w) - space.to_values(&w).unwrap()).amax() < 1e-12);
    assert!((model.predict(&w, &data.x).unwrap() - model.predict_train(&w)).amax() < 1e-12);

    let wrong_d = DMatrix::from_element(4, d + 1, 0.1);
    assert!(matches!(
        model.predict(&w, &wrong_d),
        Err(Error::DimensionMismatch { expected: 2, found: 3, .. })
    ));
    let mut nan = data.x.clone();
    nan[(2, 1)] = f64::NAN;
    assert!(matches!(model.predict(&w, &nan), Err(Error::NonFinite { name: "x", .. })));
    let values = model.values(&w);
    assert!(model.predict_values(&values, &data.x).is_ok());
    for (rows, cols) in [(m + 1, d), (m, d + 1)] {
        assert!(
            matches!(
                model.predict_values(&DMatrix::zeros(rows, cols), &data.x),
                Err(Error::DimensionMismatch { expected: 12, found, .. }) if found == rows * cols
            ),
            "values {rows} × {cols}"
        );
    }
}

/// S9's reparametrised model against its definition: T_K^{γ/2} scales
/// mode k by μ_k^{γ/2} (worked out here from the space's μ), 𝓛̂ and every
/// prediction are the plain model's at T_K^{γ/2}W, the gradient is
/// T_K^{γ/2}∇𝓛̂(T_K^{γ/2}W) (and agrees with central differences), the
/// targets and loss are the plain model's; γ < 0, γ = NaN and a space
/// with other modes are typed errors. Deterministic. Written for the
/// mutation campaign of issue 20 (`src/model/reparametrized.rs`).
#[test]
fn reparametrized_model_is_its_definition() {
    use transport_langevin::model::Reparametrized;
    let space = Space::power_law(1.0, 2.0, 6).unwrap();
    let x = DMatrix::from_fn(9, 1, |i, _| (i as f64 + 0.5) / 9.0);
    let y = DVector::from_fn(9, |i, _| (5.0 * x[(i, 0)]).sin());
    let data = Data::new(x, y).unwrap();
    let plain = Regression::new(&space, &data, Loss::Squared).unwrap();
    let gamma = 1.5;
    let re = Reparametrized::new(plain.clone(), &space, gamma).unwrap();
    assert_eq!((re.gamma(), re.shape()), (gamma, (6, 1)));
    let w = random_coef(6, 1, 4, 0.8);
    let scale: Vec<f64> = space.mu().iter().map(|&m| m.powf(gamma / 2.0)).collect();
    let mapped = Coef::from_fn(6, 1, |k, j| scale[k] * w[(k, j)]);
    assert!((re.map(&w) - &mapped).amax() <= 1e-15);
    assert!(scale[5] < 0.5 * scale[0], "the map is not the identity");
    assert_eq!(re.value(&w), plain.value(&re.map(&w)));
    let (mut g, mut gp) = (Coef::zeros(6, 1), Coef::zeros(6, 1));
    let r = re.gradient(&w, &mut g);
    assert_eq!(r, plain.gradient(&re.map(&w), &mut gp));
    let want = Coef::from_fn(6, 1, |k, j| scale[k] * gp[(k, j)]);
    assert!((&g - &want).amax() <= 1e-15 * want.amax(), "{g} vs {want}");
    assert!(rel_fd(&re, &w) < FD_REL);
    assert_eq!(re.predict_train(&w), plain.predict_train(&re.map(&w)));
    let xt = DMatrix::from_fn(4, 1, |i, _| 0.2 * i as f64 + 0.1);
    assert_eq!(re.predict(&w, &xt).unwrap(), plain.predict(&re.map(&w), &xt).unwrap());
    assert_eq!(re.targets(), plain.targets());
    assert_eq!(re.loss(), Loss::Squared);
    assert_eq!(re.inner().value(&w), plain.value(&w));
    let other = Data::new(xt.clone(), DVector::from_element(4, 0.3)).unwrap();
    assert_eq!(re.risk_on(&w, &other).unwrap(), plain.risk_on(&re.map(&w), &other).unwrap());
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Reparametrized::new(plain.clone(), &space, bad),
            Err(Error::OutOfRange { name: "gamma", .. })
        ));
    }
    let five = Space::power_law(1.0, 2.0, 5).unwrap();
    assert!(matches!(
        Reparametrized::new(plain.clone(), &five, 1.0),
        Err(Error::DimensionMismatch { expected: 6, found: 5, .. })
    ));
    assert!(Reparametrized::new(plain.clone(), &space, 0.0).is_ok());
}

/// The lifted model's fused gradient (`lifted_gradients`, which
/// `gradient` also uses) against central differences of 𝓛̂ (computed by the
/// separate forward pass of `value`) and its risk against `value`, where
/// the fused pass works in several groups of chains and several blocks of
/// samples: M = 100 (2 chains a group), n = 150 (3 blocks of at most 64),
/// 5 chains. The FD tests above have n < 12, one block. Deterministic.
/// Written for the mutation campaign of issue 20 (`two_layer.rs` 567–589).
#[test]
fn lifted_gradient_over_several_blocks_matches_finite_differences() {
    use transport_langevin::problems::bench_network;
    let (space, model) = bench_network(100, 150, 3, 10).unwrap();
    let w0 = space.identity_coefficients().unwrap();
    let ws: Vec<Coef> = (0..5).map(|c| &w0 + random_coef(10, 3, 20 + c, 0.3)).collect();
    let mut gs = vec![Coef::zeros(10, 3); 5];
    let mut risks = vec![0.0; 5];
    {
        let wr: Vec<&Coef> = ws.iter().collect();
        let mut gr: Vec<&mut Coef> = gs.iter_mut().collect();
        model.gradients(&wr, &mut gr, &mut risks);
    }
    for c in 0..5 {
        let v = model.value(&ws[c]);
        assert!((risks[c] - v).abs() <= 1e-12 * v, "chain {c}: risk {} vs value {v}", risks[c]);
        let fd = fd_gradient(|w| model.value(w), &ws[c], FD_STEP);
        let err = transport_langevin::model::relative_error(&gs[c], &fd);
        assert!(err < FD_REL, "chain {c}: relative error {err}");
    }
}
