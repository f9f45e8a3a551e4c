//! The chain runner: byte-identical results whatever the thread count, the
//! schedule's record times, one stream per chain, and the kernels it drives
//! against their own step functions.

use transport_langevin::dynamics::{Ar1, ChainRunner, Coupled, Discretization, Kernel, Langevin, Pcn, Schedule, TunedPcn};
use transport_langevin::problems::linear_gaussian;
use transport_langevin::rng::{chain_rng, fill_noise};
use transport_langevin::{Coef, Error, Potential, ZeroLoss};

fn scheme(eta: f64) -> (transport_langevin::Space, transport_langevin::Regression, Langevin) {
    let (space, model, _) = linear_gaussian(40, 6, 10.0, 1.0).unwrap();
    let lv = Langevin::new(&space, 1, eta, 10.0, 1.0, Discretization::SemiImplicit).unwrap();
    (space, model, lv)
}

fn bits(runs: &[Vec<f64>]) -> Vec<u64> {
    runs.iter().flatten().map(|x| x.to_bits()).collect()
}

/// The same traces, bit for bit, on a pool of 1 thread and of 3 threads.
#[test]
fn traces_do_not_depend_on_the_thread_count() {
    let (_, model, lv) = scheme(0.1);
    let schedule = Schedule {
        chains: 7,
        burn_in: 20,
        length: 50,
        thin: 3,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
            ChainRunner::new(11, schedule)
                .traces(&lv, &model, &Coef::zeros(6, 1), |s| Ok(s.state.w[(2, 0)]))
                .unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one.len(), 7);
    assert!(one.iter().all(|t| t.len() == schedule.records_per_chain()));
    assert_eq!(bits(&one), bits(&run(3)));
}

/// The runner's Debug names its seed, first stream and schedule (the
/// observer, a trait object, is left out).
#[test]
fn runner_debug_shows_its_settings() {
    let schedule = Schedule {
        chains: 2,
        burn_in: 1,
        length: 3,
        thin: 1,
    };
    let s = format!("{:?}", ChainRunner::new(77, schedule).streams_from(5));
    for part in ["ChainRunner", "seed: 77", "first_stream: 5", "chains: 2"] {
        assert!(s.contains(part), "{s} lacks {part}");
    }
}

/// Records after steps burn_in + 1, burn_in + 1 + thin, … ≤ burn_in + length,
/// and chain c draws from stream first + c: the runner's chain 2 is a hand
/// loop on `chain_rng(seed, first + 2)`.
#[test]
fn schedule_and_streams_match_a_hand_loop() {
    let (_, model, lv) = scheme(0.1);
    let schedule = Schedule {
        chains: 3,
        burn_in: 4,
        length: 10,
        thin: 3,
    };
    let runs = ChainRunner::new(5, schedule)
        .streams_from(100)
        .run(&lv, &model, &Coef::zeros(6, 1), |s| Ok((s.t, s.state.w.clone())))
        .unwrap();
    assert_eq!(runs[2].trace.iter().map(|x| x.0).collect::<Vec<_>>(), vec![5, 8, 11, 14]);
    assert_eq!(schedule.records_per_chain(), 4);
    let mut k = lv.clone();
    let mut rng = chain_rng(5, 102);
    let mut st = k.init(Coef::zeros(6, 1)).unwrap();
    let mut hand = Vec::new();
    for t in 1..=14 {
        k.step(&model, &mut rng, &mut st);
        if [5, 8, 11, 14].contains(&t) {
            hand.push(st.w.clone());
        }
    }
    let got: Vec<Coef> = runs[2].trace.iter().map(|x| x.1.clone()).collect();
    assert_eq!(got, hand);
    assert_eq!(runs[2].last.w, st.w);
    // Control: the stream of chain 1 is not chain 2's.
    assert_ne!(runs[1].last.w, st.w);
}

/// `fold` with a running sum gives the sum of what `traces` records.
#[test]
fn fold_is_traces_summed() {
    let (_, model, lv) = scheme(0.05);
    let schedule = Schedule {
        chains: 4,
        burn_in: 10,
        length: 40,
        thin: 2,
    };
    let r = ChainRunner::new(3, schedule);
    let traces = r.traces(&lv, &model, &Coef::zeros(6, 1), |s| Ok(model.value(&s.state.w))).unwrap();
    let folded = r
        .fold(
            &lv,
            &model,
            &Coef::zeros(6, 1),
            |_| 0.0,
            |acc, s| {
                *acc += model.value(&s.state.w);
                Ok(())
            },
        )
        .unwrap();
    for (t, (sum, _)) in traces.iter().zip(&folded) {
        assert_eq!(t.iter().sum::<f64>().to_bits(), sum.to_bits());
    }
}

/// Bad schedules and starts are typed errors, and an error of the recorder
/// reaches the caller.
#[test]
fn bad_input_is_a_typed_error() {
    let (_, model, lv) = scheme(0.1);
    let zero = ChainRunner::new(1, Schedule::final_state(0, 5)).run(&lv, &model, &Coef::zeros(6, 1), |_| Ok(()));
    assert!(matches!(zero, Err(Error::ZeroCount { .. })));
    let thin0 = Schedule {
        chains: 1,
        burn_in: 0,
        length: 5,
        thin: 0,
    };
    assert!(matches!(
        ChainRunner::new(1, thin0).run(&lv, &model, &Coef::zeros(6, 1), |_| Ok(())),
        Err(Error::ZeroCount { .. })
    ));
    let wrong_shape = ChainRunner::new(1, Schedule::final_state(2, 5)).run(&lv, &model, &Coef::zeros(5, 1), |_| Ok(()));
    assert!(matches!(wrong_shape, Err(Error::DimensionMismatch { .. })));
    let pcn = Pcn::new(&transport_langevin::Space::power_law(1.0, 2.0, 6).unwrap(), 1, 10.0, 1.0, 0.5).unwrap();
    let nan = Coef::from_element(6, 1, f64::NAN);
    assert!(matches!(
        ChainRunner::new(1, Schedule::final_state(1, 5)).run(&pcn, &model, &nan, |_| Ok(())),
        Err(Error::NonFinite { .. })
    ));
    let failing = ChainRunner::new(1, Schedule::every_step(2, 3)).run(&lv, &model, &Coef::zeros(6, 1), |s| {
        if s.t == 2 {
            Err(Error::Numerical("recorder".into()))
        } else {
            Ok(())
        }
    });
    assert_eq!(failing.unwrap_err(), Error::Numerical("recorder".into()));
}

/// The coupled kernel's coarse chain is the scheme at η driven by
/// (ε₁ + ε₂)/√2 and its fine chain the scheme at η/2 driven by ε₁, ε₂.
#[test]
fn coupled_kernel_is_two_schemes_on_one_brownian_path() {
    let (space, model, coarse) = scheme(0.2);
    let fine = Langevin::new(&space, 1, 0.1, 10.0, 1.0, Discretization::SemiImplicit).unwrap();
    let mut pair = Coupled::new(coarse.clone(), fine.clone()).unwrap();
    let mut st = Kernel::init(&pair, &model, Coef::zeros(6, 1)).unwrap();
    let mut rng = chain_rng(9, 0);
    Kernel::step(&mut pair, &model, &mut rng, &mut st);
    let mut rng = chain_rng(9, 0);
    let (mut e1, mut e2) = (Coef::zeros(6, 1), Coef::zeros(6, 1));
    fill_noise(&mut rng, &mut e1);
    fill_noise(&mut rng, &mut e2);
    let (mut c, mut f) = (coarse.clone(), fine.clone());
    let mut wc = c.init(Coef::zeros(6, 1)).unwrap();
    let mut wf = f.init(Coef::zeros(6, 1)).unwrap();
    c.step_with_noise(&model, &mut wc, &((&e1 + &e2) * std::f64::consts::FRAC_1_SQRT_2))
        .unwrap();
    f.step_with_noise(&model, &mut wf, &e1).unwrap();
    f.step_with_noise(&model, &mut wf, &e2).unwrap();
    assert_eq!(st.coarse.w, wc.w);
    assert_eq!(st.fine.w, wf.w);
    // Controls: a pair whose fine step is not half the coarse one, or whose
    // temperature differs, is refused.
    let other = |eta, beta| Langevin::new(&space, 1, eta, beta, 1.0, Discretization::SemiImplicit).unwrap();
    assert!(Coupled::new(coarse.clone(), other(0.15, 10.0)).is_err());
    assert!(Coupled::new(coarse, other(0.1, 20.0)).is_err());
}

/// Under zero loss the AR(1) kernel with a = 1/(1 + ηλ/μ_k) and
/// s = a·√(2η/β) is the semi-implicit scheme itself, bit for bit up to the
/// order of the two products (checked to 1e-15 relative).
#[test]
fn ar1_is_the_zero_loss_scheme() {
    let space = transport_langevin::Space::power_law(1.0, 2.0, 5).unwrap();
    let (eta, beta, lambda) = (0.3, 2.0, 1.0);
    let lv = Langevin::new(&space, 2, eta, beta, lambda, Discretization::SemiImplicit).unwrap();
    let a = space.resolvent_factors(eta, lambda);
    let s: Vec<f64> = a.iter().map(|f| f * (2.0 * eta / beta).sqrt()).collect();
    let ar = Ar1::new(a, s, 2).unwrap();
    let zero = ZeroLoss { modes: 5, q: 2 };
    let x = ChainRunner::new(4, Schedule::final_state(3, 50))
        .run(&lv, &zero, &Coef::zeros(5, 2), |_| Ok(()))
        .unwrap();
    let y = ChainRunner::new(4, Schedule::final_state(3, 50))
        .run(&ar, &zero, &Coef::zeros(5, 2), |_| Ok(()))
        .unwrap();
    for (p, q) in x.iter().zip(&y) {
        assert!((&p.last.w - &q.last).amax() <= 1e-15 * p.last.w.amax());
    }
    // Control: the AR(1) at twice the noise scale is far from the scheme.
    let loud = Ar1::new(space.resolvent_factors(eta, lambda), vec![2.0 * (2.0 * eta / beta).sqrt(); 5], 2).unwrap();
    let z = ChainRunner::new(4, Schedule::final_state(3, 50))
        .run(&loud, &zero, &Coef::zeros(5, 2), |_| Ok(()))
        .unwrap();
    assert!((&x[0].last.w - &z[0].last).amax() > 1e-3);
}

/// The tuned pCN adapts only during its adaptation steps: after them its
/// scale is fixed, so it steps exactly like a plain pCN at that scale.
#[test]
fn tuned_pcn_is_fixed_after_adaptation() {
    let (space, model, _) = scheme(0.1);
    let pcn = Pcn::new(&space, 1, 10.0, 1.0, 0.9).unwrap();
    let mut tuned = TunedPcn::new(pcn, 300, 100, 0.3).unwrap();
    let mut rng = chain_rng(2, 0);
    let mut st = Kernel::init(&tuned, &model, Coef::zeros(6, 1)).unwrap();
    for _ in 0..300 {
        tuned.step(&model, &mut rng, &mut st);
    }
    let mut plain = tuned.pcn().clone();
    let (mut r1, mut r2) = (rng.clone(), rng);
    let (mut s1, mut s2) = (st.clone(), st);
    for _ in 0..200 {
        let a = tuned.step(&model, &mut r1, &mut s1);
        let b = plain.step(&model, &mut r2, &mut s2);
        assert_eq!(a, b);
    }
    assert_eq!(s1, s2);
    // Control: a copy still in its adaptation phase changes its scale, so it
    // leaves the plain chain at that scale within a few blocks.
    let pcn = Pcn::new(&space, 1, 10.0, 1.0, 0.9).unwrap();
    let mut adapting = TunedPcn::new(pcn.clone(), 10_000, 100, 0.3).unwrap();
    let mut fixed = pcn;
    let (mut r1, mut r2) = (chain_rng(2, 1), chain_rng(2, 1));
    let mut s1 = Kernel::init(&adapting, &model, Coef::zeros(6, 1)).unwrap();
    let mut s2 = s1.clone();
    for _ in 0..500 {
        adapting.step(&model, &mut r1, &mut s1);
        fixed.step(&model, &mut r2, &mut s2);
    }
    assert_ne!(s1, s2);
    assert!(TunedPcn::new(plain, 10, 0, 0.3).is_err());
}

/// The scheme's accessors return its inputs and the per-mode factors are
/// S6's closed forms: S_η = 1/(1 + ηλ/μ_k) (semi-implicit) and 1 − ηλ/μ_k
/// (explicit Euler). Deterministic.
#[test]
fn scheme_accessors_return_their_inputs() {
    let (space, _, _) = linear_gaussian(10, 3, 2.0, 0.5).unwrap();
    let lv = Langevin::new(&space, 1, 0.1, 2.0, 0.5, Discretization::SemiImplicit).unwrap();
    assert_eq!((lv.eta(), lv.beta(), lv.lambda()), (0.1, 2.0, 0.5));
    assert_eq!(lv.discretization(), Discretization::SemiImplicit);
    assert_eq!(lv.factors().len(), 3);
    for (f, &m) in lv.factors().iter().zip(space.mu()) {
        assert_eq!(*f, 1.0 / (1.0 + 0.1 * 0.5 / m));
    }
    let ex = Langevin::new(&space, 1, 0.1, 2.0, 0.5, Discretization::ExplicitEuler).unwrap();
    assert_eq!(ex.discretization(), Discretization::ExplicitEuler);
    assert_eq!(ex.factors().len(), 3);
    for (f, &m) in ex.factors().iter().zip(space.mu()) {
        assert_eq!(*f, 1.0 - 0.1 * 0.5 / m);
    }
}

/// One step of each scheme against S6's formula, with the gradient g of the
/// model at W₀ and the noise ε that the step drew (`last_noise`):
/// semi-implicit W₁ = S_η (W₀ − η g + √(2η/β) ε), explicit Euler
/// W₁ = W₀ − η g − (ηλ/μ_k) W₀ + √(2η/β) ε. Deterministic, to 1e-14.
#[test]
fn one_step_of_each_scheme_is_its_formula() {
    let (space, model, _) = linear_gaussian(12, 4, 3.0, 0.7).unwrap();
    let (eta, beta, lambda): (f64, f64, f64) = (0.05, 3.0, 0.7);
    let w0 = Coef::from_fn(4, 1, |k, _| 0.3 * (k as f64 + 1.0).cos());
    let mut g = Coef::zeros(4, 1);
    model.gradient(&w0, &mut g);
    let scale = (2.0 * eta / beta).sqrt();
    for disc in [Discretization::SemiImplicit, Discretization::ExplicitEuler] {
        let mut lv = Langevin::new(&space, 1, eta, beta, lambda, disc).unwrap();
        let mut st = lv.init(w0.clone()).unwrap();
        lv.step(&model, &mut chain_rng(9, 0), &mut st);
        let eps = lv.last_noise().clone();
        for k in 0..4 {
            let mu = space.mu()[k];
            let expected = match disc {
                Discretization::SemiImplicit => (w0[(k, 0)] - eta * g[(k, 0)] + scale * eps[(k, 0)]) / (1.0 + eta * lambda / mu),
                Discretization::ExplicitEuler => w0[(k, 0)] - eta * g[(k, 0)] - eta * lambda / mu * w0[(k, 0)] + scale * eps[(k, 0)],
            };
            assert!(
                (st.w[(k, 0)] - expected).abs() <= 1e-14 * (1.0 + expected.abs()),
                "{disc:?} mode {k}: {} vs {expected}",
                st.w[(k, 0)]
            );
        }
        assert!(eps.iter().any(|&e| e != 0.0));
        assert_eq!(st.k, 1, "{disc:?}: the step counter");
    }
}

/// pCN-MH steps against the kernel's definition, replayed here on the same
/// stream: ξ = N(0, 1) fill (row-major) scaled by the prior's sd
/// √(μ_k/(βλ)) per mode, proposal √(1 − s²)W + sξ, acceptance probability
/// min(1, e^{−β(𝓛̂(W') − 𝓛̂(W))}) and acceptance iff a uniform u is below it;
/// then the tuned kernel's adaptation, s ← clamp(s·e^{a − target}, 1e-3, 1)
/// after each block of its adaptation phase, replayed the same way. Over
/// 60 steps both outcomes occur. Also `init` and `check_start`.
/// Deterministic. Written for the mutation campaign of issue 20
/// (`src/dynamics/pcn.rs`).
#[test]
fn pcn_steps_are_the_kernel_definition() {
    use transport_langevin::rng::uniform01;
    let (space, model, _) = scheme(0.1);
    let (beta, lambda) = (10.0, 1.0);
    let sd: Vec<f64> = space.mu().iter().map(|&m| (m / (beta * lambda)).sqrt()).collect();
    // One replayed step at scale s from (w, risk); returns the accept probability.
    let replay = |rng: &mut transport_langevin::rng::ChainRng, s: f64, w: &mut Coef, risk: &mut f64| -> (bool, f64) {
        let mut xi = Coef::zeros(6, 1);
        fill_noise(rng, &mut xi);
        for k in 0..6 {
            xi[(k, 0)] *= sd[k];
        }
        let prop = &*w * (1.0 - s * s).sqrt() + xi * s;
        let new = model.value(&prop);
        let p = (-beta * (new - *risk)).exp().min(1.0);
        let accepted = uniform01(rng) < p;
        if accepted {
            *w = prop;
            *risk = new;
        }
        (accepted, p)
    };
    let w0 = Coef::from_fn(6, 1, |k, _| 0.3 * (k as f64 + 1.0).cos());
    let mut pcn = Pcn::new(&space, 1, beta, lambda, 0.6).unwrap();
    let mut st = pcn.init(&model, w0.clone());
    assert_eq!((st.w.clone(), st.risk), (w0.clone(), model.value(&w0)));
    let (mut rng, mut mine) = (chain_rng(12, 0), chain_rng(12, 0));
    let (mut w, mut risk) = (w0.clone(), model.value(&w0));
    let mut seen = [false; 2];
    for step in 0..60 {
        let info = pcn.step(&model, &mut rng, &mut st);
        let (accepted, p) = replay(&mut mine, 0.6, &mut w, &mut risk);
        assert_eq!(info.accepted, accepted, "step {step}");
        assert!((info.accept_prob - p).abs() <= 1e-12, "step {step}: {} vs {p}", info.accept_prob);
        assert!((&st.w - &w).amax() <= 1e-14 && (st.risk - risk).abs() <= 1e-14, "step {step}");
        seen[accepted as usize] = true;
    }
    assert_eq!(seen, [true, true], "both outcomes occur");

    // The tuned kernel: blocks of 5 during the first 24 steps, target 0.9
    // (the last, partial block, steps 20–23, adapts nothing).
    let mut tuned = TunedPcn::new(Pcn::new(&space, 1, beta, lambda, 0.9).unwrap(), 24, 5, 0.9).unwrap();
    let mut st = Kernel::init(&tuned, &model, w0.clone()).unwrap();
    let (mut rng, mut mine) = (chain_rng(13, 0), chain_rng(13, 0));
    let (mut w, mut risk, mut s, mut acc) = (w0.clone(), model.value(&w0), 0.9, 0usize);
    for step in 0..40 {
        let info = tuned.step(&model, &mut rng, &mut st);
        let (accepted, _) = replay(&mut mine, s, &mut w, &mut risk);
        assert_eq!(info.accepted, accepted, "tuned step {step}");
        assert!((&st.w - &w).amax() <= 1e-14, "tuned step {step}");
        if step < 24 {
            acc += accepted as usize;
            if (step + 1) % 5 == 0 {
                s = (s * (acc as f64 / 5.0 - 0.9).exp()).clamp(1e-3, 1.0);
                acc = 0;
            }
        }
    }
    assert!(
        (s - 0.9).abs() > 1e-3 && s > 1e-3 && s < 1.0,
        "the scale moved and is not clamped (an extra adaptation would move it): {s}"
    );

    // check_start: the shape and finite entries.
    assert!(pcn.check_start(&w0).is_ok());
    assert!(matches!(
        pcn.check_start(&Coef::zeros(5, 1)),
        Err(Error::DimensionMismatch { expected: 6, found: 5, .. })
    ));
    assert!(matches!(
        pcn.check_start(&Coef::zeros(6, 2)),
        Err(Error::DimensionMismatch { expected: 1, found: 2, .. })
    ));
    assert!(matches!(
        pcn.check_start(&Coef::from_element(6, 1, f64::NAN)),
        Err(Error::NonFinite { .. })
    ));
}
