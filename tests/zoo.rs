//! The other models of the general formulation (Z-discrete, Z-deep,
//! Z-resnet): analytic Fréchet gradients against central finite differences
//! over random maps and data (proptest), each with a control (the same test
//! on a deliberately wrong gradient, rejected); the identity-block limit of
//! the ResNet; spec kinds build.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use transport_langevin::experiments::z_models::{layered_problem, ZSetting};
use transport_langevin::loss::Loss;
use transport_langevin::model::{fd_gradient, Architecture, Data, Model, Potential};
use transport_langevin::rng::{chain_rng, standard_normal_matrix};
use transport_langevin::space::Coef;
use transport_langevin::tolerance::FD_STEP;

/// Relative error of `g` against the central difference of the model's
/// value, floored as in `tests/models.rs` (rounding ≈ ε𝓛̂/h).
fn rel_err<M: Potential>(model: &M, w: &Coef, g: &Coef) -> f64 {
    let fd = fd_gradient(|c| model.value(c), w, FD_STEP);
    let scale = fd.amax().max(1e-4 * model.value(w).abs().max(1.0));
    (g - &fd).amax() / scale
}

/// The FD tolerance: truncation O(h²) and rounding ε𝓛̂/h are both below
/// 1e-9 relative; 1e-5 leaves room and rejects any O(1) error.
const TOL: f64 = 1e-5;

fn setting(arch: Architecture, width: usize, layers: usize, loss: Loss) -> ZSetting {
    ZSetting {
        width,
        layers,
        ..ZSetting::of(arch, loss)
    }
}

fn check(arch: Architecture, width: usize, layers: usize, logistic: bool, seed: u64, scale: f64) -> (f64, f64) {
    let loss = if logistic { Loss::Logistic } else { Loss::Squared };
    let s = setting(arch, width, layers, loss);
    let p = layered_problem(&s, 12, seed).unwrap();
    let (n, q) = p.model.shape();
    let w = standard_normal_matrix(&mut chain_rng(seed, 77), n, q) * scale;
    let mut g = Coef::zeros(n, q);
    let risk = p.model.gradient(&w, &mut g);
    assert!((risk - p.model.value(&w)).abs() <= 1e-12 * risk.abs().max(1.0));
    let ok = rel_err(&p.model, &w, &g);
    // Control: the Fréchet gradient's values taken for the coefficient
    // gradient without the weight 1/P of L2(ρ0), i.e. G·P (the commonest
    // slip when porting), must be rejected by the same test.
    let wrong = &g * p.model.points() as f64;
    let bad = rel_err(&p.model, &w, &wrong);
    (ok, bad)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn discrete_gradient_matches_fd(width in 3usize..10, logistic: bool, seed in 0u64..1000, scale in 0.1f64..3.0) {
        let (ok, bad) = check(Architecture::Discrete, width, 1, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }

    #[test]
    fn deep_gradient_matches_fd(width in 2usize..6, layers in 1usize..4, logistic: bool, seed in 0u64..1000, scale in 0.1f64..5.0) {
        let (ok, bad) = check(Architecture::Deep, width, layers, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }

    #[test]
    fn resnet_gradient_matches_fd(width in 2usize..6, layers in 1usize..4, logistic: bool, seed in 0u64..1000, scale in 0.1f64..5.0) {
        let (ok, bad) = check(Architecture::Resnet, width, layers, logistic, seed, scale);
        prop_assert!(ok < TOL, "analytic vs FD: {ok}");
        prop_assert!(bad > TOL, "control (x P) not rejected: {bad}");
    }
}

/// The ResNet with zero blocks is the linear read-out u·x, exactly, for any
/// number of blocks; the deep network with zero weights is not (control).
#[test]
fn resnet_zero_blocks_is_the_linear_read_out() {
    for layers in [1, 2, 5] {
        let s = setting(Architecture::Resnet, 4, layers, Loss::Squared);
        let p = layered_problem(&s, 10, 3).unwrap();
        let (n, q) = p.model.shape();
        let x = standard_normal_matrix(&mut chain_rng(3, 5), 7, q);
        let f = p.model.predict(&Coef::zeros(n, q), &x).unwrap();
        let lin: DVector<f64> = &x * DVector::from_element(q, 1.0 / (q as f64).sqrt());
        assert_eq!(f, lin, "layers {layers}");
        let sd = setting(Architecture::Deep, 4, layers, Loss::Squared);
        let pd = layered_problem(&sd, 10, 3).unwrap();
        let fd = pd.model.predict(&Coef::zeros(n, q), &x).unwrap();
        assert!((fd - lin).amax() > 0.1, "control: the deep net at W = 0 is not linear");
    }
}

/// A1(ii)'s analytic bounds of the layered models (docs of
/// `Layered::output_bound` and `Layered::gradient_bound`) worked out here
/// for chosen read-out weights a (rows r = ℓM + m) and u: H_0 = x_max,
/// H_ℓ = c H_{ℓ−1} + Σ_m ‖a_{m,ℓ}‖ (c = 1 for the ResNet, else 0),
/// F = ‖u‖ H_L; ℓ'_max = 2(F + y_max) (squared loss), G_L = ℓ'_max ‖u‖,
/// G_{ℓ−1} = G_ℓ (c + Σ_m ‖a_{m,ℓ}‖ R √d), B = √P (Σ_r (‖a_r‖ G_ℓ H_{ℓ−1})²)^{1/2}.
/// And they bound: |f_W(x_i)| ≤ F and ‖∇𝓛̂(W)‖ ≤ B at random W of several
/// scales. Also the width, and the Fréchet values = P × the coefficient-
/// space values. Written for the mutation campaign of issue 20.
#[test]
fn layered_bounds_are_their_formulas_and_bound() {
    use transport_langevin::model::{Activation, Layered};
    for (arch, clip) in [(Architecture::Deep, 2.0), (Architecture::Resnet, 1.5)] {
        let (width, layers) = (3, 2);
        let p = layered_problem(&setting(arch, width, layers, Loss::Squared), 10, 1).unwrap();
        let d = p.data.x.ncols();
        let pts = width * layers;
        let a = DMatrix::from_fn(pts, d, |r, j| 0.1 * (r as f64 + 1.0) * if (r + j) % 2 == 0 { 1.0 } else { -0.5 });
        let u = DVector::from_fn(d, |j, _| 0.3 + 0.1 * j as f64);
        let model = Layered::new(
            arch,
            &p.space,
            layers,
            a.clone(),
            u.clone(),
            Some(clip),
            p.data.clone(),
            Loss::Squared,
            Activation::Tanh,
        )
        .unwrap();
        assert_eq!((model.width(), model.layers(), model.points()), (width, layers, pts));
        let x_max = (0..p.data.x.nrows()).map(|i| p.data.x.row(i).norm()).fold(0.0, f64::max);
        let y_max = p.data.y.amax();
        let c = if arch == Architecture::Resnet { 1.0 } else { 0.0 };
        let mass = |l: usize| (0..width).map(|m| a.row(l * width + m).norm()).sum::<f64>();
        let h = [x_max, c * x_max + mass(0), c * (c * x_max + mass(0)) + mass(1)];
        let f = u.norm() * h[2];
        assert!((model.output_bound(x_max) - f).abs() <= 1e-13 * f, "{arch:?}: F");
        let g2 = 2.0 * (f + y_max) * u.norm();
        let g = [f64::NAN, g2 * (c + mass(1) * clip * (d as f64).sqrt()), g2];
        let sum: f64 = (0..layers)
            .flat_map(|l| (0..width).map(move |m| (l, m)))
            .map(|(l, m)| (a.row(l * width + m).norm() * g[l + 1] * h[l]).powi(2))
            .sum();
        let b = (pts as f64).sqrt() * sum.sqrt();
        let got = model.gradient_bound(y_max, x_max).unwrap();
        assert!((got - b).abs() <= 1e-13 * b, "{arch:?}: B {got} vs {b}");
        let (n, q) = model.shape();
        for (seed, scale) in [(1, 0.3), (2, 1.0), (3, 5.0)] {
            let w = standard_normal_matrix(&mut chain_rng(seed, 9), n, q) * scale;
            let fx = model.predict(&w, &p.data.x).unwrap();
            assert!(fx.amax() <= f, "{arch:?}: |f_W| {} > F {f}", fx.amax());
            let mut grad = Coef::zeros(n, q);
            model.gradient(&w, &mut grad);
            assert!(grad.norm() <= b, "{arch:?}: ‖∇‖ {} > B {b}", grad.norm());
            let values = model.values(&w);
            let (gv, risk) = model.value_gradient(&values);
            let (fv, frisk) = model.frechet_gradient_values(&values);
            assert_eq!(frisk, risk);
            assert!((&fv - gv * pts as f64).amax() <= 1e-12 * fv.amax());
        }
    }
}

/// Bad shapes are typed errors.
#[test]
fn layered_rejects_bad_inputs() {
    let s = setting(Architecture::Deep, 3, 2, Loss::Squared);
    let p = layered_problem(&s, 10, 1).unwrap();
    let (n, _) = p.model.shape();
    assert!(p.model.predict(&Coef::zeros(n, 2), &DMatrix::zeros(3, 5)).is_err());
    assert!(Data::new(DMatrix::zeros(0, 2), DVector::zeros(0)).is_err());
}

/// Z-ot: the OT map's analytic gradient against central FD over random
/// maps, samples, penalties and bandwidths; control: the Fréchet values
/// (× n, without the weight 1/n of L2(ρ0)) taken for the coefficient
/// gradient, and the gradient of the transport term alone (the MMD term's
/// gradient dropped), both rejected.
mod ot {
    use super::*;
    use transport_langevin::experiments::z_ot::{ot_problem, Gaussians, OtSetting};

    fn check(n: usize, penalty: f64, sigma: f64, seed: u64, scale: f64) -> (f64, f64, f64) {
        let s = OtSetting {
            sigma,
            modes: 6.min(n),
            ..OtSetting::record(n, penalty)
        };
        let (_, model, init) = ot_problem(&s, &Gaussians::record(), seed).unwrap();
        let (nm, q) = model.shape();
        let w = &init + standard_normal_matrix(&mut chain_rng(seed, 78), nm, q) * scale;
        let mut g = Coef::zeros(nm, q);
        let v = model.gradient(&w, &mut g);
        assert!((v - model.value(&w)).abs() <= 1e-12 * v.abs().max(1.0));
        let ok = rel_err(&model, &w, &g);
        let bad = rel_err(&model, &w, &(&g * model.points() as f64));
        let mut g0 = Coef::zeros(nm, q);
        model.with_penalty(0.0).gradient(&w, &mut g0);
        let no_mmd = rel_err(&model, &w, &g0);
        (ok, bad, no_mmd)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn ot_gradient_matches_fd(n in 6usize..20, penalty in 1.0f64..200.0, sigma in 0.5f64..2.0, seed in 0u64..1000, scale in 0.05f64..2.0) {
            let (ok, bad, no_mmd) = check(n, penalty, sigma, seed, scale);
            prop_assert!(ok < TOL, "analytic vs FD: {ok}");
            prop_assert!(bad > TOL, "control (x n) not rejected: {bad}");
            prop_assert!(no_mmd > TOL, "control (no MMD gradient) not rejected: {no_mmd}");
        }
    }

    /// The Nyström extension reproduces the basis at the source points
    /// (e_k(x_t) = (1/(nμ_k)) Σ_i k(x_t, x_i) e_k(x_i) is the eigen equation
    /// of the kernel matrix, mode by mode): the map at z = x_i through
    /// `basis_at` is the training map, for several W. Written for the
    /// mutation campaign of issue 20 (`basis_at`, `map_with_basis`).
    #[test]
    fn nystrom_basis_reproduces_the_training_map() {
        for (n, seed) in [(8, 1), (14, 2)] {
            let s = OtSetting {
                modes: 6,
                ..OtSetting::record(n, 10.0)
            };
            let (_, model, init) = ot_problem(&s, &Gaussians::record(), seed).unwrap();
            let (nm, q) = model.shape();
            let basis = model.basis_at(model.source());
            for scale in [0.0, 0.3, 1.0] {
                let w = &init + standard_normal_matrix(&mut chain_rng(seed, 79), nm, q) * scale;
                let want = model.map_train(&w);
                let got = model.map_with_basis(&w, &basis);
                assert!(
                    (&got - &want).amax() <= 1e-9 * want.amax(),
                    "n {n}, scale {scale}: {}",
                    (&got - &want).amax()
                );
            }
        }
    }

    /// The OT map's `Model` predictions are the squared displacements
    /// ‖x − f_W(x)‖² (docs of `impl Model for OtMap`), worked out here row
    /// by row from `map_train` at the source points and from the Nyström
    /// map at new points z; their mean at the source points is the
    /// transport cost of `parts`. The control ‖x + f_W(x)‖² is checked to
    /// differ, so the sign inside the norm is tested. An input of the wrong
    /// dimension or with a NaN is a typed error. Written for the mutation
    /// campaign of issue 20 (`predict`, `predict_train`).
    #[test]
    fn ot_predictions_are_squared_displacements() {
        use transport_langevin::error::Error;
        let s = OtSetting {
            modes: 6,
            ..OtSetting::record(10, 10.0)
        };
        let (_, model, init) = ot_problem(&s, &Gaussians::record(), 5).unwrap();
        let (nm, q) = model.shape();
        let x = model.source().clone();
        let z = standard_normal_matrix(&mut chain_rng(5, 81), 4, x.ncols()) * 1.5;
        for scale in [0.0, 0.5] {
            let w = &init + standard_normal_matrix(&mut chain_rng(5, 80), nm, q) * scale;
            let u = model.map_train(&w);
            let want = DVector::from_fn(x.nrows(), |i, _| {
                (0..x.ncols()).map(|j| (x[(i, j)] - u[(i, j)]).powi(2)).sum::<f64>()
            });
            let control = DVector::from_fn(x.nrows(), |i, _| {
                (0..x.ncols()).map(|j| (x[(i, j)] + u[(i, j)]).powi(2)).sum::<f64>()
            });
            assert!((&want - &control).amax() > 0.1 * want.amax(), "control too close");
            let train = model.predict_train(&w);
            assert!((&train - &want).amax() <= 1e-12 * want.amax(), "predict_train, scale {scale}");
            let at_x = model.predict(&w, &x).unwrap();
            assert!((&at_x - &want).amax() <= 1e-9 * want.amax(), "predict at x_i, scale {scale}");
            let cost = model.parts(&w).0;
            assert!((train.mean() - cost).abs() <= 1e-12 * cost, "mean displacement vs cost");
            let uz = model.map_with_basis(&w, &model.basis_at(&z));
            let want_z = DVector::from_fn(z.nrows(), |t, _| {
                (0..z.ncols()).map(|j| (z[(t, j)] - uz[(t, j)]).powi(2)).sum::<f64>()
            });
            let at_z = model.predict(&w, &z).unwrap();
            assert!((&at_z - &want_z).amax() <= 1e-12 * want_z.amax(), "predict at new z, scale {scale}");
        }
        let w = init.clone();
        match model.predict(&w, &DMatrix::zeros(3, x.ncols() + 1)) {
            Err(Error::DimensionMismatch { expected, found, .. }) => assert_eq!((expected, found), (x.ncols(), x.ncols() + 1)),
            other => panic!("{other:?}"),
        }
        let mut bad = z.clone();
        bad[(1, 0)] = f64::NAN;
        assert!(model.predict(&w, &bad).is_err());
    }

    /// A1(ii)'s bound of the OT map (docs of `OtMap::gradient_bound`):
    /// B = n ((2/n)(x_max + R√d) + (4τ/(nσ)) e^{−1/2}) worked out here at
    /// τ = 0 and τ = 7, and it bounds ‖∇𝓛̂‖ at random W. Written for the
    /// mutation campaign of issue 20.
    #[test]
    fn ot_gradient_bound_is_its_formula_and_bounds() {
        let n = 10;
        let s = OtSetting {
            modes: 6,
            ..OtSetting::record(n, 10.0)
        };
        let (_, model, init) = ot_problem(&s, &Gaussians::record(), 4).unwrap();
        let x = model.source();
        let d = x.ncols() as f64;
        let x_max = (0..n).map(|i| x.row(i).norm()).fold(0.0, f64::max);
        let transport = 2.0 * (x_max + model.clip() * d.sqrt());
        for tau in [0.0, 7.0] {
            let m = model.with_penalty(tau);
            let want = transport + 4.0 * tau / s.sigma * (-0.5f64).exp();
            let b = m.gradient_bound();
            assert!((b - want).abs() <= 1e-13 * want, "τ = {tau}: {b} vs {want}");
            let (nm, q) = m.shape();
            for (seed, scale) in [(1, 0.1), (2, 1.0), (3, 10.0)] {
                let w = &init + standard_normal_matrix(&mut chain_rng(seed, 80), nm, q) * scale;
                let mut g = Coef::zeros(nm, q);
                m.gradient(&w, &mut g);
                assert!(g.norm() <= b, "τ = {tau}: ‖∇‖ {} > B {b}", g.norm());
            }
        }
    }

    /// The closed forms of the record: A pushes Σ_P to Σ_Q and is symmetric
    /// positive definite (Brenier); B pushes Σ_P to Σ_Q too but costs more.
    #[test]
    fn gaussian_closed_forms() {
        let g = Gaussians::record();
        let (a, b) = (g.optimal_a(), g.naive_b());
        assert!((a * g.sigma_p * a.transpose() - g.sigma_q).amax() < 1e-12);
        assert!((b * g.sigma_p * b.transpose() - g.sigma_q).amax() < 1e-12);
        assert!((a - a.transpose()).amax() < 1e-12);
        assert!((g.cost(&a) - g.w2()).abs() < 1e-12);
        assert!(g.cost(&b) > g.w2() + 0.01);
    }

    /// Bad input is a typed error: a target of the wrong dimension.
    #[test]
    fn ot_spec_rejects_bad_target() {
        let mut spec = OtSetting::record(8, 1.0).spec(&Gaussians::record(), 1);
        if let transport_langevin::spec::ModelSpec::OtMap { target_mean, .. } = &mut spec.model {
            target_mean.push(0.0);
        }
        assert!(spec.build().is_err());
    }
}

/// `zoo::conformance_specs` are what their documentation says: the zoo's
/// examples in the same order, each shortened to 10 steps of one chain at
/// η = 0.02, with a seed of its own (none shared, none the example's), on
/// toy data of 16 points (the example's dimension); model, spectrum, β,
/// init and the rest are the example's. Written
/// for the mutation campaign of issue 20 (`conformance_specs`).
#[test]
fn zoo_conformance_specs_are_the_examples_shortened() {
    use std::collections::HashSet;
    use transport_langevin::spec::{zoo, DataSpec, Spec};
    let specs = zoo::conformance_specs();
    let examples = zoo::examples();
    assert_eq!(specs.len(), examples.len());
    let mut seeds = HashSet::new();
    for ((kind, spec), (ekind, _, example)) in specs.iter().zip(&examples) {
        assert_eq!(kind, ekind);
        assert_eq!((spec.eta, spec.steps, spec.chains), (0.02, 10, 1), "{kind}");
        assert!(spec.seed != example.seed && seeds.insert(spec.seed), "{kind}: seed {}", spec.seed);
        let (DataSpec::Toy { n, dim, .. }, DataSpec::Toy { dim: edim, .. }) = (&spec.data, &example.data) else {
            panic!("{kind}: toy data expected")
        };
        assert_eq!((*n, dim), (16, edim), "{kind}");
        let same = Spec {
            eta: example.eta,
            steps: example.steps,
            chains: example.chains,
            seed: example.seed,
            data: example.data.clone(),
            ..spec.clone()
        };
        assert_eq!(&same, example, "{kind}: only η, steps, chains, seed and data differ");
    }
}

/// The zoo's spec limits (`spec::zoo`) are inclusive and each problem names
/// its field and the offending number: n·M·L ≤ 2^27, modes ≤ M·L, clip
/// R ≥ 1, layer scale ≥ 0, M·L ≤ 4096 (layered); τ ≥ 0, clip R ≥ 1, the
/// target factor d rows of d numbers, n ≤ 4096 and modes ≤ n (ot-map). The
/// built ot-map target sample is y_j = m_Q + L z_j with z_j from the
/// documented stream: linear in L and shifted by m_Q; the discrete model's index points are
/// (i + ½)/M. Written for the mutation campaign of issue 20.
#[test]
fn zoo_spec_limits_are_inclusive_and_named() {
    use transport_langevin::spec::{zoo, AnyModel, DataSpec, ModelSpec, Spec, SpectrumSpec, MAX_N_TIMES_WIDTH, MAX_WIDTH};
    let problems = |s: &Spec| s.problems().iter().map(|e| format!("{e:?}")).collect::<Vec<_>>();
    let has = |s: &Spec, what: &str| problems(s).iter().any(|p| p.contains(what));
    let example = |kind: &str| zoo::examples().into_iter().find(|e| e.0 == kind).unwrap().2;
    // Four layers of 8: M·L = 32 divides 2^27, so the limit itself is reachable.
    let mut deep = example("deep");
    if let ModelSpec::Deep { layers, .. } = &mut deep.model {
        *layers = 4;
    }
    assert!(problems(&deep).is_empty(), "{:?}", problems(&deep));
    let ModelSpec::Deep { width, layers, .. } = deep.model.clone() else {
        unreachable!()
    };
    let p = width * layers;
    let with_n = |s: &Spec, n: usize| Spec {
        data: DataSpec::Toy { n, dim: 2, seed: 7 },
        ..s.clone()
    };
    let at = MAX_N_TIMES_WIDTH as usize / p;
    assert_eq!((at * p) as f64, MAX_N_TIMES_WIDTH);
    assert!(!has(&with_n(&deep, at), "data.n x model.width x model.layers"));
    assert!(has(&with_n(&deep, at + 1), &format!("value: {:?}", ((at + 1) * p) as f64)));
    let with_modes = |s: &Spec, modes: usize| Spec {
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes },
        ..s.clone()
    };
    assert!(!has(&with_modes(&deep, p), "TooManyModes"));
    assert!(has(
        &with_modes(&deep, p + 1),
        &format!("TooManyModes {{ modes: {}, width: {p} }}", p + 1)
    ));
    let with_clip = |r: f64| {
        let mut s = deep.clone();
        if let ModelSpec::Deep { clip_r, .. } = &mut s.model {
            *clip_r = r;
        }
        s
    };
    assert!(!has(&with_clip(1.0), "model.clip_r"));
    assert!(has(&with_clip(0.999), "model.clip_r"));
    let with_scale = |v: f64| {
        let mut s = deep.clone();
        if let ModelSpec::Deep { layer_scale, .. } = &mut s.model {
            *layer_scale = v;
        }
        s
    };
    assert!(!has(&with_scale(0.0), "model.layer_scale"));
    assert!(has(&with_scale(-1e-9), "model.layer_scale"));
    // M·L ≤ MAX_WIDTH, the limit itself allowed (64 layers of 64).
    let with_shape = |w: usize, l: usize| {
        let mut s = with_n(&deep, 8);
        if let ModelSpec::Deep { width, layers, .. } = &mut s.model {
            (*width, *layers) = (w, l);
        }
        s
    };
    let width_limit = "name: \"model.width x model.layers\"";
    assert_eq!(MAX_WIDTH % 64, 0);
    assert!(
        !has(&with_shape(64, MAX_WIDTH / 64), width_limit),
        "{:?}",
        problems(&with_shape(64, MAX_WIDTH / 64))
    );
    assert!(has(&with_shape(64, MAX_WIDTH / 64 + 1), width_limit));

    let ot = example("ot-map");
    assert!(problems(&ot).is_empty(), "{:?}", problems(&ot));
    // Edits the ot-map spec's (penalty, target factor, target mean).
    type OtEdit<'a> = &'a dyn Fn(&mut f64, &mut Vec<Vec<f64>>, &mut Vec<f64>);
    let ot_with = |f: OtEdit| {
        let mut s = ot.clone();
        if let ModelSpec::OtMap {
            penalty,
            target_factor,
            target_mean,
            ..
        } = &mut s.model
        {
            f(penalty, target_factor, target_mean);
        }
        s
    };
    assert!(!has(&ot_with(&|t, _, _| *t = 0.0), "model.penalty"));
    assert!(has(&ot_with(&|t, _, _| *t = -1e-9), "model.penalty"));
    assert!(has(&ot_with(&|_, l, _| *l = vec![vec![1.0; 3]; 3]), "expected: 4, found: 9"));
    // d rows, one of them short: still d rows of d numbers expected.
    assert!(has(
        &ot_with(&|_, l, _| *l = vec![vec![1.0, 0.0], vec![0.5]]),
        "expected: 4, found: 3"
    ));
    let ot_clip = |r: f64| {
        let mut s = ot.clone();
        if let ModelSpec::OtMap { clip_r, .. } = &mut s.model {
            *clip_r = r;
        }
        s
    };
    assert!(!has(&ot_clip(1.0), "model.clip_r"));
    assert!(has(&ot_clip(0.999), "model.clip_r"));
    let three = Spec {
        data: DataSpec::Toy { n: 12, dim: 3, seed: 7 },
        ..ot_with(&|_, l, m| {
            *l = vec![vec![1.0; 2]; 2];
            *m = vec![0.0; 3];
        })
    };
    assert!(has(&three, "expected: 9, found: 4"), "{:?}", problems(&three));
    assert!(!has(&with_n(&ot, MAX_WIDTH), "the source points are the index set"));
    assert!(has(&with_n(&ot, MAX_WIDTH + 1), "the source points are the index set"));
    let n = 12;
    assert!(!has(&with_modes(&with_n(&ot, n), n), "TooManyModes"));
    assert!(has(&with_modes(&with_n(&ot, n), n + 1), "TooManyModes"));

    // The target sample: y_j = m_Q + L z_j, z the n × d standard normals of
    // stream TARGET_STREAM of the spec's seed (module docs); so linear in
    // L, shifted by m_Q.
    let target = |s: &Spec| match s.build().unwrap().model {
        AnyModel::OtMap(m) => m.target().clone(),
        _ => unreachable!(),
    };
    let base = target(&ot);
    let m_q = nalgebra::RowDVector::from_vec(vec![1.0, -0.5]);
    let z = standard_normal_matrix(&mut chain_rng(ot.seed, transport_langevin::spec::TARGET_STREAM), base.nrows(), 2);
    let l_q = DMatrix::from_row_slice(2, 2, &[0.8, 0.0, 0.5, 0.9]);
    for i in 0..base.nrows() {
        let want = &m_q + (&l_q * z.row(i).transpose()).transpose();
        assert!((base.row(i) - want).amax() < 1e-14, "y_{i}");
    }
    let doubled = target(&ot_with(&|_, l, _| l.iter_mut().for_each(|r| r.iter_mut().for_each(|v| *v *= 2.0))));
    let shifted = target(&ot_with(&|_, _, m| *m = vec![3.0, 0.5]));
    for i in 0..base.nrows() {
        let b = base.row(i) - &m_q;
        assert!((doubled.row(i) - &m_q - &b * 2.0).amax() < 1e-12);
        assert!((shifted.row(i) - base.row(i) - nalgebra::RowDVector::from_vec(vec![2.0, 1.0])).amax() < 1e-12);
    }
    // The discrete model's index points.
    let discrete = example("discrete");
    let ModelSpec::Discrete { width: m, .. } = discrete.model else {
        unreachable!()
    };
    let t = discrete.build().unwrap().particles.unwrap();
    assert_eq!(t.shape(), (m, 1));
    let a = discrete.build().unwrap().second_layer.unwrap();
    for i in 0..m {
        assert_eq!(t[(i, 0)], (i as f64 + 0.5) / m as f64);
        assert_eq!(a[i], if i % 2 == 0 { 1.0 } else { -1.0 } / m as f64, "a_{i} = ±1/M");
    }
    // The deep model's index points: layer ℓ's M points are the same M
    // particles w_m with the layer coordinate s(ℓ + 1) appended; the read-out
    // weights a_r = w_r / M (row by row in `second_layer`).
    let ModelSpec::Deep {
        width: m,
        layers,
        layer_scale,
        ..
    } = deep.model.clone()
    else {
        unreachable!()
    };
    let built = with_n(&deep, 16).build().unwrap();
    let (p, a) = (built.particles.unwrap(), built.second_layer.unwrap());
    let d = p.ncols() - 1;
    assert_eq!((p.nrows(), a.len()), (m * layers, m * layers * d));
    for r in 0..m * layers {
        assert_eq!(p[(r, d)], layer_scale * (r / m + 1) as f64, "layer coordinate of point {r}");
        for j in 0..d {
            assert_eq!(p[(r, j)], p[(r % m, j)]);
            assert_eq!(a[r * d + j], p[(r, j)] / m as f64);
        }
    }
}

/// The A1(ii) control's wrong variant (`Layered::unnormalised`): the
/// discrete network's read-out ±1 instead of ±1/M (its output bound Σ|a_m|
/// grows from 1 to M), the deep network without its clip (no gradient bound
/// exists). Written for the mutation campaign of issue 20.
#[test]
fn unnormalised_variants_are_the_documented_ones() {
    use transport_langevin::spec::{zoo, AnyModel};
    let layered = |kind: &str| match zoo::examples().into_iter().find(|e| e.0 == kind).unwrap().2.build().unwrap().model {
        AnyModel::Layered(m) => m,
        _ => unreachable!(),
    };
    let discrete = layered("discrete");
    let m = discrete.width() as f64;
    assert!((discrete.output_bound(1.0) - 1.0).abs() < 1e-12);
    assert!((discrete.unnormalised().unwrap().output_bound(1.0) - m).abs() < 1e-12 * m);
    let deep = layered("deep");
    assert!(deep.gradient_bound(1.0, 1.0).is_some());
    assert!(deep.unnormalised().unwrap().gradient_bound(1.0, 1.0).is_none());
}
