//! The oracle for other implementations: spec parsing, `run`, `conform`
//! (exact and statistical), the golden conformance vectors, and a property
//! test that random argument lists and random JSON never panic.

mod common;
use common::*;

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use transport_langevin::conform::{self, conform_exact, conform_statistical, Trajectory};
use transport_langevin::error::Error;
use transport_langevin::spec::Spec;
use transport_langevin::tolerance::FALSE_FAILURE;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_transport-langevin"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tl-conform-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_json<T: serde::Serialize>(path: &Path, v: &T) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

#[test]
fn example_spec_round_trips_and_builds() {
    let o = run(&["spec", "--example"]);
    assert_eq!(o.status.code(), Some(0));
    let s = Spec::parse(std::str::from_utf8(&o.stdout).unwrap(), "example").unwrap();
    assert_eq!(s, Spec::example());
    s.build().unwrap();
}

#[test]
fn unknown_and_missing_fields_are_named() {
    let mut v = serde_json::to_value(Spec::example()).unwrap();
    v["colour"] = serde_json::json!("blue");
    let e = Spec::parse(&v.to_string(), "t").unwrap_err().to_string();
    assert!(e.contains("colour"), "{e}");
    let mut v = serde_json::to_value(Spec::example()).unwrap();
    v.as_object_mut().unwrap().remove("eta");
    let e = Spec::parse(&v.to_string(), "t").unwrap_err().to_string();
    assert!(e.contains("eta"), "{e}");
    let mut v = serde_json::to_value(Spec::example()).unwrap();
    v["model"]["widht"] = serde_json::json!(3);
    let e = Spec::parse(&v.to_string(), "t").unwrap_err().to_string();
    assert!(e.contains("widht"), "{e}");
    let mut v = serde_json::to_value(Spec::example()).unwrap();
    v["seed"] = serde_json::json!("forty-two");
    let e = Spec::parse(&v.to_string(), "t").unwrap_err().to_string();
    assert!(e.contains("seed"), "{e}");
}

#[test]
fn invalid_values_are_typed_errors() {
    let ok = Spec::example();
    type Case = (Spec, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        (Spec { eta: 0.0, ..ok.clone() }, |e| {
            matches!(e, Error::NonPositive { name: "eta", .. })
        }),
        (
            Spec {
                beta: f64::NAN,
                ..ok.clone()
            },
            |e| matches!(e, Error::NonFinite { name: "beta", .. }),
        ),
        (
            Spec {
                lambda: -1.0,
                ..ok.clone()
            },
            |e| matches!(e, Error::NonPositive { name: "lambda", .. }),
        ),
        (Spec { steps: 0, ..ok.clone() }, |e| matches!(e, Error::ZeroCount { name: "steps" })),
        (
            Spec {
                pcn_step: 1.5,
                ..ok.clone()
            },
            |e| matches!(e, Error::OutOfRange { name: "pcn_step", .. }),
        ),
        (
            Spec {
                spectrum: transport_langevin::spec::SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 17 },
                ..ok.clone()
            },
            |e| matches!(e, Error::TooManyModes { modes: 17, width: 16 }),
        ),
        (
            Spec {
                data: transport_langevin::spec::DataSpec::Inline { x: vec![], y: vec![] },
                ..ok.clone()
            },
            |e| matches!(e, Error::EmptyData { .. }),
        ),
        (
            Spec {
                data: transport_langevin::spec::DataSpec::Inline {
                    x: vec![vec![0.0, 1.0], vec![0.0]],
                    y: vec![1.0, 2.0],
                },
                ..ok.clone()
            },
            |e| matches!(e, Error::DimensionMismatch { .. }),
        ),
    ];
    for (s, check) in cases {
        let e = s.validate().unwrap_err();
        assert!(check(&e), "{e}");
    }
}

/// Every golden conformance vector conforms (one per model kind).
#[test]
fn golden_conformance_vectors_conform() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/conformance");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let o = run(&["conform", "--trajectory", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", p.display(), String::from_utf8_lossy(&o.stderr));
        n += 1;
    }
    assert_eq!(n, transport_langevin::conform::conformance_specs().len());
}

/// Our own trajectory conforms; the same with one coordinate of step 5
/// moved by 1e-6 is rejected, naming step 5 (exit 1).
#[test]
fn perturbed_step_is_named() {
    let d = tmp("perturb");
    let spec = d.join("spec.json");
    write_json(&spec, &Spec::example());
    let out = d.join("out");
    let o = run(&["run", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--full"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let traj_path = out.join("trajectory.json");
    let o = run(&[
        "conform",
        "--spec",
        spec.to_str().unwrap(),
        "--trajectory",
        traj_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let mut t: Trajectory = serde_json::from_str(&std::fs::read_to_string(&traj_path).unwrap()).unwrap();
    t.states[5][3] += 1e-6;
    let bad = d.join("bad.json");
    write_json(&bad, &t);
    let o = run(&["conform", "--spec", spec.to_str().unwrap(), "--trajectory", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("step 5 (W_5 from your W_4 and noise[4]) coordinate 3"), "{err}");
    assert!(err.contains("reference") && err.contains("yours"), "{err}");
    assert!(!err.contains(" ours ") && !err.contains("theirs"), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["first_difference"]["step"], 5);
    assert!(report["first_difference"]["reference"].is_number());
    assert!(report["first_difference"]["yours"].is_number());
    // Looser tolerances accept it.
    let o = run(&[
        "conform",
        "--spec",
        spec.to_str().unwrap(),
        "--trajectory",
        bad.to_str().unwrap(),
        "--atol",
        "1e-5",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

/// The regression conformance spec (exact linear-Gaussian reference) at
/// 20,000 steps, one chain (τ ≈ 15–40 steps, so ESS ≈ 250–650).
fn long_spec(beta: f64, seed: u64) -> Spec {
    Spec {
        steps: 20_000,
        chains: 1,
        beta,
        seed,
        ..conform::conformance_specs()[0].1.clone()
    }
}

/// Statistical conformance of a run at `beta_theirs` (its noise removed)
/// with the spec at β = 50; `seed` draws the particles of
/// both and the noise of both sides (the reference from independent
/// streams).
fn statistical(beta_theirs: f64, seed: u64) -> conform::Verdict {
    let spec = long_spec(50.0, seed);
    let theirs = conform::run(&long_spec(beta_theirs, seed), true, false)
        .unwrap()
        .trajectory
        .unwrap();
    let r = conform_statistical(&spec, &spec.build().unwrap(), &theirs.without_noise()).unwrap();
    println!("beta {beta_theirs}: {}", r.summary());
    assert_eq!(r.conforms(), r.verdict == conform::Verdict::Conforms, "conforms() is the verdict");
    r.verdict
}

/// The example spec's seed.
const STAT_SEED: u64 = 42;

/// Statistical mode: a trajectory of the same spec (without its noise)
/// conforms (family false-failure probability 1e-3, ESS ≥ 200 here). Negative control:
/// [`statistical_mode_rejects_the_wrong_temperature`].
#[test]
fn statistical_mode_accepts_the_same_law() {
    assert_eq!(statistical(50.0, STAT_SEED), conform::Verdict::Conforms);
}

/// Negative control: a trajectory at the wrong temperature (β/2, as a
/// missing √2 in the noise scale would be with 2β) is rejected; claimed to
/// be rejected with probability ≥ 0.99 (`numpy_calibration_audit`).
#[test]
fn statistical_mode_rejects_the_wrong_temperature() {
    assert_eq!(statistical(25.0, STAT_SEED), conform::Verdict::DoesNotConform);
    assert_eq!(statistical(100.0, STAT_SEED), conform::Verdict::DoesNotConform);
}

/// A chain far shorter than its autocorrelation time is inconclusive
/// (exit 3, with ESS and τ in the answer), never "does not conform": the
/// shrunk two-layer spec of issue 17 at 2,000 steps.
#[test]
fn short_chains_are_inconclusive_with_exit_3() {
    let d = tmp("inconclusive");
    let spec = Spec {
        steps: 2000,
        chains: 2,
        ..shrunk_two_layer()
    };
    let t = conform::run(&spec, true, false).unwrap().trajectory.unwrap().without_noise();
    let tp = d.join("t.json");
    write_json(&tp, &t);
    let o = run(&["conform", "--trajectory", tp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: inconclusive") && err.contains("ESS") && err.lines().count() == 1,
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["verdict"], "inconclusive");
    assert!(r["chains"][1]["comparisons"][0]["yours"]["tau"].as_f64().unwrap() > 1.0);
}

/// The exact reference of the linear-Gaussian case (regression, squared
/// loss) agrees with a long run of the scheme: second-half means of 𝓛̂ and
/// ‖W‖² over 8 chains of 12,000 steps, z within the 1e-3 threshold of the
/// reference chains' own standard error; control: the exact reference at
/// β/2 is far outside.
#[test]
fn exact_linear_gaussian_reference_matches_the_chains() {
    let spec = Spec {
        steps: 12_000,
        chains: 8,
        ..conform::conformance_specs()[0].1.clone()
    };
    let p = spec.build().unwrap();
    let exact = conform::reference(&spec, &p, 12_000, 1).unwrap();
    assert_eq!(exact.method, "exact (linear-Gaussian closed form)");
    let t = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    let views: Vec<(u64, &[Vec<f64>])> = t.all_chains().iter().map(|c| (c.0, c.1)).collect();
    let r = conform::check_chains(exact.clone(), &p, &views).unwrap();
    assert_eq!(r.verdict, conform::Verdict::Conforms, "{}", r.summary());
    let hot = Spec {
        beta: spec.beta / 2.0,
        ..spec.clone()
    };
    let wrong = conform::reference(&hot, &hot.build().unwrap(), 12_000, 1).unwrap();
    let r = conform::check_chains(wrong, &p, &views).unwrap();
    assert_eq!(r.verdict, conform::Verdict::DoesNotConform, "control: {}", r.summary());
}

/// Geyer's estimator on an AR(1) with known τ = (1 + ρ)/(1 − ρ).
#[test]
fn geyer_estimator_recovers_the_ar1_autocorrelation_time() {
    let mut rng = transport_langevin::rng::chain_rng(3, 0);
    let rho: f64 = 0.9;
    let mut x = 0.0;
    let xs: Vec<f64> = (0..200_000)
        .map(|_| {
            x = rho * x + (1.0 - rho * rho).sqrt() * transport_langevin::rng::standard_normal(&mut rng);
            x
        })
        .collect();
    let s = conform::chain_stat(&xs);
    let tau = (1.0 + rho) / (1.0 - rho);
    // τ̂'s relative error is about √(2·(2τ+1)·τ/n) ≈ 0.1 here at the 4σ level.
    assert!((s.tau / tau - 1.0).abs() < 0.1, "tau {} vs {tau}", s.tau);
    assert!((s.ess - 200_000.0 / tau).abs() < 0.1 * 200_000.0 / tau);
    // Control: the naive i.i.d. standard error is far too small.
    let iid = (transport_langevin::stats::variance(&xs) / xs.len() as f64).sqrt();
    assert!(s.mcse > 4.0 * iid);
}

/// The shrunk two-layer spec of issue 17: width 4, 3 modes, n = 6,
/// β = 100, η = 0.01 (the example's λ = 0.01).
fn shrunk_two_layer() -> Spec {
    use transport_langevin::spec::{DataSpec, ModelSpec, SpectrumSpec};
    let base = Spec::example();
    Spec {
        model: ModelSpec::TwoLayer {
            width: 4,
            activation: transport_langevin::spec::ActivationName::Tanh,
        },
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 3 },
        data: DataSpec::Toy { n: 6, dim: 2, seed: 7 },
        seed: 5,
        ..base
    }
}

/// Python with numpy and the worked example, or why not.
fn numpy_peer() -> std::result::Result<(String, PathBuf), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/numpy_oracle.py");
    let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&py).args(["-c", "import numpy"]).output() {
        Ok(o) if o.status.success() => Ok((py, script)),
        Ok(_) => Err(format!("`{py}` has no numpy (pip install numpy)")),
        Err(e) => Err(format!("no `{py}`: {e}")),
    }
}

fn python(py: &str, args: &[&str]) {
    let o = Command::new(py)
        .args(args)
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("OMP_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The calibration audit of the statistical mode (issue 17): 100 correct
/// chains of the independent numpy implementation (benches/peer/numpy_oracle.py,
/// its own random numbers) for 3 specs, and 100 chains of each control
/// (missing √2 in the noise scale, β/2), each checked alone against one
/// reference per spec computed as `conform` does. Checks: false "does not
/// conform" not significantly above 1e-3 (binomial test at level 1e-3),
/// inconclusive counted; controls rejected in ≥ 99 of 100 runs. Numbers:
/// paper/calibration.md. Run with
///
/// ```sh
/// cargo test --release --test conform -- --ignored numpy_calibration --nocapture
/// ```
#[test]
#[ignore = "calibration audit with numpy, ~40 min CPU (the two-layer spec at 4e6 steps is ~35)"]
fn numpy_calibration_audit() {
    let (py, script) = match numpy_peer() {
        Ok(x) => x,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let chains = 100usize;
    let regression = conform::conformance_specs()[0].1.clone();
    let logistic = Spec {
        loss: transport_langevin::Loss::Logistic,
        ..regression.clone()
    };
    let cases: [(&str, Spec, usize, usize); 3] = [
        ("regression, squared (exact reference)", regression, 20_000, 10),
        ("regression, logistic (reference chains)", logistic, 200_000, 100),
        ("two-layer shrunk (width 4, 3 modes, n 6)", shrunk_two_layer(), 4_000_000, 2000),
    ];
    // AUDIT_SHRUNK_STEPS shortens the shrunk spec's chains (thin steps/2000)
    // when the machine cannot spare the CPU; the recorded run says so.
    let cases = cases.map(
        |(n, s, steps, thin)| match std::env::var("AUDIT_SHRUNK_STEPS").ok().and_then(|v| v.parse::<usize>().ok()) {
            Some(t) if n.starts_with("two-layer") => (n, s, t, (t / 2000).max(1)),
            _ => (n, s, steps, thin),
        },
    );
    let d = tmp("audit");
    let mut problems = Vec::new();
    println!("| spec | steps (thin) | reference | correct: conforms / inconclusive / does not conform | P(≥ k false) | missing √2: conforms / inconclusive / rejected | β/2: conforms / inconclusive / rejected | CPU s |");
    println!("|---|---|---|---|---|---|---|---|");
    let only = std::env::var("AUDIT_ONLY").unwrap_or_default();
    // AUDIT_SEED: the numpy chains' seed (17 unless set), for a fresh run.
    let audit_seed = std::env::var("AUDIT_SEED").unwrap_or_else(|_| "17".to_string());
    for (name, base, steps, thin) in cases {
        if !name.contains(only.as_str()) {
            continue;
        }
        let t0 = std::time::Instant::now();
        let spec = Spec {
            steps,
            chains: 1,
            ..base.clone()
        };
        let p = spec.build().unwrap();
        let short = Spec { steps: 1, ..spec.clone() };
        let rp = d.join("ref.json");
        write_json(&rp, &conform::run(&short, true, false).unwrap().trajectory.unwrap());
        // AUDIT_CHAINS re-reads the chains.bin of an earlier run of the same
        // spec and length (the numpy step is the expensive part).
        let reuse = std::env::var("AUDIT_CHAINS").ok().map(PathBuf::from);
        let out = reuse.clone().unwrap_or_else(|| d.join("chains.bin"));
        if reuse.is_none() {
            python(
                &py,
                &[
                    script.to_str().unwrap(),
                    "audit",
                    rp.to_str().unwrap(),
                    out.to_str().unwrap(),
                    "--chains",
                    &chains.to_string(),
                    "--steps",
                    &steps.to_string(),
                    "--thin",
                    &thin.to_string(),
                    "--seed",
                    &audit_seed,
                ],
            );
        }
        let bytes = std::fs::read(&out).unwrap();
        let vals: Vec<f64> = bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
        let width = p.init.len();
        let kept = steps / thin + 1;
        assert_eq!(vals.len(), 3 * chains * kept * width);
        let reference = conform::reference(&spec, &p, steps, thin).unwrap();
        let mut counts = [[0usize; 3]; 3]; // variant × (conforms, inconclusive, does not conform)
        let mut diag: [Vec<(&str, f64, f64, f64)>; 3] = Default::default(); // (test function, ESS, |z|, threshold)
        for v in 0..3 {
            for c in 0..chains {
                let i = v * chains + c;
                let states: Vec<Vec<f64>> = (0..kept)
                    .map(|k| vals[(i * kept + k) * width..(i * kept + k + 1) * width].to_vec())
                    .collect();
                let r = conform::check_chains(reference.clone(), &p, &[(c as u64, &states)]).unwrap();
                for cmp in &r.chains[0].comparisons {
                    diag[v].push((cmp.name, cmp.yours.ess, cmp.z.abs(), cmp.threshold));
                }
                counts[v][match r.verdict {
                    conform::Verdict::Conforms => 0,
                    conform::Verdict::Inconclusive => 1,
                    conform::Verdict::DoesNotConform => 2,
                }] += 1;
            }
        }
        // Diagnostics: per variant and test function, the median ESS of a
        // chain and the median |z| (against the threshold).
        for (v, label) in [(0, "correct"), (1, "missing sqrt2"), (2, "beta/2")] {
            for f in transport_langevin::conform::TEST_FUNCTIONS {
                let mut ess: Vec<f64> = diag[v].iter().filter(|d| d.0 == f).map(|d| d.1).collect();
                let mut z: Vec<f64> = diag[v].iter().filter(|d| d.0 == f).map(|d| d.2).collect();
                let thr = diag[v].iter().find(|d| d.0 == f).map_or(f64::NAN, |d| d.3);
                ess.sort_by(f64::total_cmp);
                z.sort_by(f64::total_cmp);
                if !ess.is_empty() {
                    println!(
                        "  {name} / {label} / {f}: ESS median {:.0} (min {:.0}), |z| median {:.2} (min {:.2}), threshold ≈ {thr:.2}",
                        ess[ess.len() / 2],
                        ess[0],
                        z[z.len() / 2],
                        z[0]
                    );
                }
            }
        }
        let false_fail = counts[0][2];
        let p_extreme = binomial_upper_tail(chains as u64, FALSE_FAILURE, false_fail as u64);
        println!(
            "| {name} | {steps} ({thin}) | {} | {} / {} / {} | {p_extreme:.3} | {} / {} / {} | {} / {} / {} | {:.0} |",
            reference.method,
            counts[0][0],
            counts[0][1],
            counts[0][2],
            counts[1][0],
            counts[1][1],
            counts[1][2],
            counts[2][0],
            counts[2][1],
            counts[2][2],
            t0.elapsed().as_secs_f64()
        );
        if p_extreme < 1e-3 {
            problems.push(format!("{name}: {false_fail} false 'does not conform' in {chains}"));
        }
        for (v, label) in [(1, "missing sqrt2"), (2, "beta/2")] {
            if (counts[v][2] as f64) < 0.99 * chains as f64 {
                problems.push(format!("{name}: control {label} rejected in {} of {chains}", counts[v][2]));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn exact_mode_needs_matching_shapes() {
    let spec = Spec::example();
    let p = spec.build().unwrap();
    let mut t = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    t.states[2].pop();
    assert!(matches!(
        conform_exact(&spec, &p, &t, 1e-9, 1e-12),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut t = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    t.noise.as_mut().unwrap().pop();
    assert!(matches!(
        conform_exact(&spec, &p, &t, 1e-9, 1e-12),
        Err(Error::DimensionMismatch { .. })
    ));
}

fn arg_token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("constants".to_string()),
        Just("spec".to_string()),
        Just("run".to_string()),
        Just("conform".to_string()),
        Just("help".to_string()),
        Just("small-ball".to_string()),
        Just("--gamma".to_string()),
        Just("--beta-lambda".to_string()),
        Just("--eps".to_string()),
        Just("--decay".to_string()),
        Just("--truncate".to_string()),
        Just("--example".to_string()),
        Just("--spec".to_string()),
        Just("--out".to_string()),
        Just("--trajectory".to_string()),
        Just("--full".to_string()),
        Just("--rtol".to_string()),
        Just("--lambda".to_string()),
        Just("--beta".to_string()),
        Just("--eta".to_string()),
        Just("--delta".to_string()),
        Just("--c-mu".to_string()),
        Just("--mu0".to_string()),
        Just("--grad-bound".to_string()),
        Just("--loss-bound".to_string()),
        Just("nan".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("0.5".to_string()),
        Just("1e308".to_string()),
        "[a-z0-9./=-]{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        (-1e6f64..1e6).prop_map(serde_json::Value::from),
        "[a-z_-]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(7), failure_persistence: None, ..ProptestConfig::default() })]

    /// Random argument lists: never a panic; either success or a typed
    /// error with exit code 2; nothing written when it fails.
    #[test]
    fn random_arguments_never_panic(args in prop::collection::vec(arg_token(), 0..7)) {
        let d = tmp("args");
        let args: Vec<String> = args.into_iter().map(|a| if a == "--out" { format!("--out={}", d.join("o").display()) } else { a }).collect();
        let o = Command::new(env!("CARGO_BIN_EXE_transport-langevin")).args(&args).output().unwrap();
        let code = o.status.code();
        prop_assert!(matches!(code, Some(0..=2)), "exit {:?} (a panic is 101) on {:?}", code, args);
        match code {
            Some(0) | Some(1) => {}
            _ => {
                let err = String::from_utf8_lossy(&o.stderr);
                prop_assert_eq!(err.trim_end().lines().count(), 1, "not one line: {:?}", err);
                // Nothing written: no output folder, or an empty one.
                let o = d.join("o");
                prop_assert!(!o.exists() || std::fs::read_dir(&o).unwrap().next().is_none(), "wrote into {:?} on {:?}", o, args);
            }
        }
    }

    /// Random JSON and mutated specs: parsing never panics; accepted specs
    /// build or fail with a typed error.
    #[test]
    fn random_json_never_panics(v in json_value(), field in 0usize..14, x in json_value()) {
        let r = std::panic::catch_unwind(|| Spec::parse(&v.to_string(), "random"));
        prop_assert!(r.is_ok());
        prop_assert!(r.unwrap().is_err());
        let mut s = serde_json::to_value(Spec::example()).unwrap();
        let keys: Vec<String> = s.as_object().unwrap().keys().cloned().collect();
        let key = &keys[field % keys.len()];
        s[key] = x;
        let text = s.to_string();
        let r = std::panic::catch_unwind(|| Spec::parse(&text, "mutated").map(|s| s.build().map(|_| ())));
        prop_assert!(r.is_ok());
        // Truncated documents are rejected, not half-read.
        let cut = &text[..text.len() / 2];
        prop_assert!(Spec::parse(cut, "truncated").is_err());
    }
}

#[test]
fn oversized_and_missing_inputs_are_exit_2() {
    let d = tmp("inputs");
    let o = run(&["conform", "--trajectory", d.join("nope.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let big = d.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(transport_langevin::json::MAX_INPUT_BYTES + 1).unwrap();
    let o = run(&["run", "--spec", big.to_str().unwrap(), "--out", d.join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("limit"));
    assert!(!d.join("o").exists());
}

/// The names serde accepts for an enum, read from its own error message for
/// an unknown variant (so a new variant shows up here without editing the test).
fn serde_names<T: serde::de::DeserializeOwned + std::fmt::Debug>(probe: serde_json::Value) -> Vec<String> {
    let e = serde_json::from_value::<T>(probe).unwrap_err().to_string();
    let list = e
        .split("expected one of ")
        .nth(1)
        .or_else(|| e.split("expected ").nth(1))
        .expect("serde lists the variants");
    let names: Vec<String> = list
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    assert!(!names.is_empty(), "{e}");
    names
}

fn spec_kind_names() -> Vec<(&'static str, Vec<String>)> {
    use serde_json::json;
    use transport_langevin::spec::{ActivationName, DataSpec, Init, ModelSpec, SpectrumSpec};
    let bogus = json!({"kind": "no-such-kind"});
    vec![
        ("model.kind", serde_names::<ModelSpec>(bogus.clone())),
        ("spectrum.kind", serde_names::<SpectrumSpec>(bogus.clone())),
        ("data.kind", serde_names::<DataSpec>(bogus)),
        ("loss", serde_names::<transport_langevin::Loss>(json!("no-such-loss"))),
        ("init", serde_names::<Init>(json!("no-such-init"))),
        ("model.activation", serde_names::<ActivationName>(json!("no-such-activation"))),
    ]
}

/// paper/oracle-maths.md documents every model, spectrum, data, loss, init
/// and activation kind that the spec accepts (enumerated from serde).
#[test]
fn oracle_maths_documents_every_spec_kind() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("paper/oracle-maths.md")).unwrap();
    let kinds = spec_kind_names();
    assert!(kinds[0].1.len() >= 3 && kinds[1].1.len() >= 2, "{kinds:?}");
    for (field, names) in &kinds {
        for n in names {
            // The checklist (last section) has one row per field.
            let row = doc.lines().rfind(|l| l.starts_with(&format!("| `{field}` |")));
            let row = row.unwrap_or_else(|| panic!("no checklist row for `{field}` in paper/oracle-maths.md"));
            assert!(
                row.contains(&format!("`{n}`")),
                "{field} `{n}` missing from the checklist of paper/oracle-maths.md"
            );
            // ... and is explained in the body, not only listed.
            assert!(
                doc.matches(&format!("`{n}`")).count() >= 2,
                "`{n}` is only in the checklist of paper/oracle-maths.md"
            );
        }
    }
    for s in [
        "S_η e_k = e_k / (1 + ηλ/μ_k)",
        "k·q + j",
        "no ½",
        "y ∈ {−1, +1}",
        "√2 cos(π k x)",
        "(1/M) Eᵀ P",
        "step k+1",
    ] {
        assert!(doc.contains(s), "paper/oracle-maths.md lost `{s}`");
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("(paper/oracle-maths.md)"));
}

/// The schema's kinds and enum values are exactly serde's.
#[test]
fn schema_agrees_with_serde() {
    let schema = transport_langevin::spec::schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let kinds = spec_kind_names();
    let consts = |field: &str| -> Vec<String> {
        schema["properties"][field]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["properties"]["kind"]["const"].as_str().unwrap().to_string())
            .collect()
    };
    let enums = |v: &serde_json::Value| -> Vec<String> {
        v["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(consts("model"), kinds[0].1);
    assert_eq!(consts("spectrum"), kinds[1].1);
    assert_eq!(consts("data"), kinds[2].1);
    assert_eq!(enums(&schema["properties"]["loss"]), kinds[3].1);
    assert_eq!(enums(&schema["properties"]["init"]), kinds[4].1);
    assert_eq!(
        enums(&schema["properties"]["model"]["oneOf"][1]["properties"]["activation"]),
        kinds[5].1
    );
    // Every field of the Spec struct is a property; the required ones are
    // those without a default.
    let example = serde_json::to_value(Spec::example()).unwrap();
    let props = schema["properties"].as_object().unwrap();
    for k in example.as_object().unwrap().keys() {
        assert!(props.contains_key(k), "{k} not in the schema");
    }
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    for k in props.keys() {
        assert_eq!(required.contains(&k.as_str()), k != "pcn_step", "{k}");
    }
}

/// `spec --example` for every model kind and every spectrum kind prints a
/// valid spec that follows `spec --schema`; `run` writes its trajectory and
/// that trajectory conforms (exit 0).
#[test]
fn every_example_kind_runs_and_conforms() {
    let d = tmp("examples");
    std::fs::create_dir_all(&d).unwrap();
    let o = run(&["spec", "--schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema, transport_langevin::spec::schema());
    let kinds = spec_kind_names();
    let mut asks: Vec<(&str, String)> = kinds[0].1.iter().map(|k| ("--model", k.clone())).collect();
    asks.extend(kinds[1].1.iter().map(|k| ("--spectrum", k.clone())));
    let mut models_seen = std::collections::BTreeSet::new();
    for (flag, kind) in &asks {
        let o = run(&["spec", "--example", flag, kind]);
        assert_eq!(o.status.code(), Some(0), "{flag} {kind}: {}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let key = if *flag == "--model" { "model" } else { "spectrum" };
        assert_eq!(v[key]["kind"], kind.as_str());
        models_seen.insert(v["model"]["kind"].as_str().unwrap().to_string());
        let problems = transport_langevin::json::check_schema(&schema, &v);
        assert!(problems.is_empty(), "{flag} {kind}: {problems:?}");
        let spec = Spec::parse(&v.to_string(), "example").unwrap();
        let name = format!("{}-{kind}", &flag[2..]);
        let spec_path = d.join(format!("{name}.json"));
        std::fs::write(&spec_path, &o.stdout).unwrap();
        let out = d.join(&name);
        let o = run(&["run", "--spec", spec_path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let traj = out.join("trajectory.json");
        assert!(traj.exists(), "{name}: small runs write the trajectory by default");
        let t: Trajectory = serde_json::from_str(&std::fs::read_to_string(&traj).unwrap()).unwrap();
        assert_eq!(t.states.len(), spec.steps + 1);
        let o = run(&["conform", "--trajectory", traj.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(models_seen.len(), kinds[0].1.len());
}

/// A spec with several problems reports all of them at once, each with its
/// field, and none is called invalid JSON.
#[test]
fn several_problems_are_reported_at_once() {
    let regression = Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2;
    let mut v = serde_json::to_value(&regression).unwrap();
    let sp = v["spectrum"].as_object_mut().unwrap();
    for k in ["c_mu", "decay", "modes"] {
        sp.remove(k);
    }
    v.as_object_mut().unwrap().remove("lambda");
    v["colour"] = serde_json::json!("blue");
    v["steps"] = serde_json::json!("ten");
    let e = Spec::parse(&v.to_string(), "spec.json").unwrap_err();
    let Error::Schema { problems, .. } = &e else { panic!("{e}") };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for f in ["spectrum.c_mu", "spectrum.decay", "spectrum.modes", "lambda", "colour", "steps"] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    let msg = e.to_string();
    assert!(!msg.contains("invalid JSON"), "{msg}");
    assert!(msg.contains("6 problems"), "{msg}");
    // Out-of-range values (after the schema) are reported together too.
    let bad = Spec {
        eta: -1.0,
        beta: 0.0,
        chains: 0,
        ..Spec::example()
    };
    let e = bad.validate().unwrap_err();
    let Error::Several(all) = &e else { panic!("{e}") };
    assert_eq!(all.len(), 3, "{e}");
    // Through the CLI: one line, exit 2.
    let d = tmp("several");
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("spec.json");
    std::fs::write(&p, v.to_string()).unwrap();
    let o = run(&["run", "--spec", p.to_str().unwrap(), "--out", d.join("o").to_str().unwrap()]);
    assert_exit_2(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("spectrum.c_mu") && err.contains("spectrum.modes") && err.contains("colour"),
        "{err}"
    );
    // A type error in a trajectory is a schema problem, not invalid JSON.
    let t = d.join("t.json");
    std::fs::write(&t, r#"{"format_version": 1, "states": "none"}"#).unwrap();
    let o = run(&["conform", "--spec", p.to_str().unwrap(), "--trajectory", t.to_str().unwrap()]);
    assert_exit_2(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("states") && !err.contains("invalid JSON"), "{err}");
    // A genuine syntax error is invalid JSON.
    std::fs::write(&p, "{\"spec_version\": 1,").unwrap();
    let o = run(&["run", "--spec", p.to_str().unwrap(), "--out", d.join("o").to_str().unwrap()]);
    assert_exit_2(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid JSON"));
    assert!(!d.join("o").exists());
}

/// NaN and Infinity (as Python's json writes them) get their own message.
#[test]
fn nan_and_infinity_are_named() {
    let d = tmp("nan");
    std::fs::create_dir_all(&d).unwrap();
    let text = serde_json::to_string_pretty(&Spec::example()).unwrap();
    for (lit, line) in [
        ("NaN", "\"eta\": NaN,"),
        ("Infinity", "\"eta\": Infinity,"),
        ("-Infinity", "\"eta\": -Infinity,"),
    ] {
        let bad = text.replace("\"eta\": 0.01,", line);
        assert_ne!(bad, text);
        let e = Spec::parse(&bad, "s").unwrap_err();
        assert!(matches!(&e, Error::NonFiniteJson { literal, .. } if literal == lit), "{e}");
        let p = d.join("spec.json");
        std::fs::write(&p, &bad).unwrap();
        let o = run(&["run", "--spec", p.to_str().unwrap(), "--out", d.join("o").to_str().unwrap()]);
        assert_exit_2(&o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("NaN/Infinity are not allowed in JSON inputs") && err.contains(lit),
            "{err}"
        );
    }
    // Inside a string it is just text.
    assert_eq!(transport_langevin::json::non_finite_literal(r#"{"a": "NaN"}"#), None);
    let traj = d.join("t.json");
    std::fs::write(&traj, r#"{"format_version": 1, "states": [[NaN]]}"#).unwrap();
    let o = run(&[
        "conform",
        "--spec",
        d.join("spec.json").to_str().unwrap(),
        "--trajectory",
        traj.to_str().unwrap(),
    ]);
    assert_exit_2(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("NaN/Infinity"));
}

/// Exit code 2 and exactly one line on stderr, nothing on stdout.
fn assert_exit_2(o: &Output) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(o.stdout.is_empty());
}

/// Bad `spec` requests: one line, exit 2.
#[test]
fn bad_spec_requests_are_exit_2() {
    for args in [
        &["spec"][..],
        &["spec", "--example", "--model", "perceptron"],
        &["spec", "--example", "--spectrum", "matern"],
        &["spec", "--example", "--model", "regression", "--spectrum", "gaussian-kernel"],
        &["spec", "--example", "--model", "clipped", "--spectrum", "power-law"],
        &["spec", "--schema", "--example"],
        &["spec", "--example", "--model"],
    ] {
        assert_exit_2(&run(args));
    }
    let o = run(&["spec", "--example", "--model", "regression", "--spectrum", "gaussian-kernel"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("power-law"));
}

/// Above the size cap `run` says that it did not write the trajectory.
#[test]
fn run_says_when_it_skips_the_trajectory() {
    let d = tmp("cap");
    std::fs::create_dir_all(&d).unwrap();
    let base = Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2;
    let spec = Spec {
        steps: 20_000,
        chains: 1,
        ..base
    };
    let p = d.join("spec.json");
    write_json(&p, &spec);
    let out = d.join("o");
    let o = run(&["run", "--spec", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("trajectory not written") && text.contains("100000") && text.contains("--full"),
        "{text}"
    );
    assert!(out.join("summary.json").exists() && !out.join("trajectory.json").exists());
}

/// The model kinds the numpy port implements.
const NUMPY_KINDS: [&str; 3] = ["regression", "two-layer", "clipped"];

/// The worked independent implementation (benches/peer/numpy_oracle.py)
/// through `conform`, for every model kind it implements ([`NUMPY_KINDS`]): exact mode on all 4 chains in
/// float64 (default tolerances) and in float32 (`--precision f32`, which the
/// float64 tolerances reject), its deliberate bugs rejected with the chain
/// named; statistical mode on its own random numbers (regression: exact
/// reference). Skips with a printed reason when python3 has no numpy.
#[test]
fn numpy_worked_example_conforms() {
    let (py, script) = match numpy_peer() {
        Ok(x) => x,
        Err(why) => {
            println!("skipped numpy_worked_example_conforms: {why}");
            return;
        }
    };
    let d = tmp("numpy");
    let script = script.to_str().unwrap();
    let code = |args: &[&str]| run(args).status.code();
    for (kind, _, example) in Spec::examples() {
        // The numpy port implements the kinds of issue 17; the zoo kinds of
        // issue 19 (discrete, deep, resnet, ot-map) are documented in
        // oracle-maths.md but not ported yet.
        if !NUMPY_KINDS.contains(&kind) {
            println!("numpy_worked_example_conforms: kind {kind} is not in the numpy port; skipped");
            continue;
        }
        let spec = Spec { steps: 8, ..example };
        let sp = d.join(format!("{kind}.json"));
        write_json(&sp, &spec);
        let rd = d.join(format!("ref-{kind}"));
        assert_eq!(
            code(&["run", "--spec", sp.to_str().unwrap(), "--out", rd.to_str().unwrap()]),
            Some(0)
        );
        let rt = rd.join("trajectory.json");
        let mine = d.join(format!("mine-{kind}.json"));
        let m = mine.to_str().unwrap();
        python(&py, &[script, "replay", rt.to_str().unwrap(), m]);
        assert_eq!(code(&["conform", "--trajectory", m]), Some(0), "{kind} f64");
        python(&py, &[script, "replay", rt.to_str().unwrap(), m, "--f32"]);
        assert_eq!(code(&["conform", "--trajectory", m, "--precision", "f32"]), Some(0), "{kind} f32");
        assert_eq!(code(&["conform", "--trajectory", m]), Some(1), "{kind}: f32 under f64 tolerances");
        let bug = if kind == "regression" {
            "explicit-regulariser"
        } else {
            "missing-sqrt2"
        };
        {
            python(&py, &[script, "replay", rt.to_str().unwrap(), m, "--f32", "--bug", bug]);
            let o = run(&["conform", "--trajectory", m, "--precision", "f32"]);
            assert_eq!(o.status.code(), Some(1), "{kind} {bug}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("chain 0 step 1") && err.contains("float32 allowance"), "{err}");
        }
    }
    // Statistical mode with the worked example's own random numbers.
    let spec = Spec {
        steps: 2,
        chains: 1,
        ..conform::conformance_specs()[0].1.clone()
    };
    let rp = d.join("reg.json");
    write_json(&rp, &conform::run(&spec, true, false).unwrap().trajectory.unwrap());
    let sp = d.join("stat.json");
    let s = sp.to_str().unwrap();
    python(
        &py,
        &[
            script,
            "chains",
            rp.to_str().unwrap(),
            s,
            "--chains",
            "1",
            "--steps",
            "20000",
            "--thin",
            "5",
            "--seed",
            "3",
        ],
    );
    let mut t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sp).unwrap()).unwrap();
    t["spec"]["steps"] = 20_000.into();
    write_json(&sp, &t);
    let o = run(&["conform", "--trajectory", s]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    python(
        &py,
        &[
            script,
            "chains",
            rp.to_str().unwrap(),
            s,
            "--chains",
            "1",
            "--steps",
            "20000",
            "--thin",
            "5",
            "--seed",
            "3",
            "--bug",
            "missing-sqrt2",
        ],
    );
    let mut t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sp).unwrap()).unwrap();
    t["spec"]["steps"] = 20_000.into();
    write_json(&sp, &t);
    assert_eq!(code(&["conform", "--trajectory", s]), Some(1), "control: missing sqrt 2");
}

/// Every chain of a trajectory is checked and the failing one is named;
/// `run --explain K` gives the intermediate values of step K, and they
/// reproduce the trajectory's W_{K+1}.
#[test]
fn every_chain_is_checked_and_step_k_explained() {
    let d = tmp("chains");
    let spec = Spec {
        steps: 6,
        chains: 3,
        ..Spec::example()
    };
    let sp = d.join("spec.json");
    write_json(&sp, &spec);
    let out = d.join("o");
    assert_eq!(
        run(&["run", "--spec", sp.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let tp = out.join("trajectory.json");
    let mut t: Trajectory = serde_json::from_str(&std::fs::read_to_string(&tp).unwrap()).unwrap();
    assert_eq!(t.all_chains().len(), 3);
    assert!(t.has_noise());
    t.other_chains.as_mut().unwrap()[1].states[4][2] += 1e-6;
    let bad = d.join("bad.json");
    write_json(&bad, &t);
    let o = run(&["conform", "--trajectory", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("chain 2 step 4"), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["first_difference"]["chain"], 2);
    assert!(r["explain"]["gradient"].is_array());
    // --explain: chain 1, step 3.
    let o = run(&["run", "--spec", sp.to_str().unwrap(), "--explain", "3", "--chain", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t: Trajectory = serde_json::from_str(&std::fs::read_to_string(&tp).unwrap()).unwrap();
    let c1 = &t.other_chains.as_ref().unwrap()[0];
    assert_eq!(c1.chain, 1);
    let num = |v: &serde_json::Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect() };
    assert_eq!(num(&e["state"]), c1.states[3]);
    assert_eq!(num(&e["noise"]), c1.noise.as_ref().unwrap()[3]);
    assert_eq!(num(&e["next"]), c1.states[4]);
    let (f, drift, q) = (num(&e["s_eta_factors"]), num(&e["drift"]), e["q"].as_u64().unwrap() as usize);
    for (i, w) in c1.states[4].iter().enumerate() {
        assert_eq!(f[i / q] * drift[i], *w);
    }
    for args in [
        &["run", "--spec", sp.to_str().unwrap(), "--explain", "6"][..],
        &["run", "--spec", sp.to_str().unwrap(), "--explain", "1", "--chain", "3"],
        &["run", "--spec", sp.to_str().unwrap(), "--explain", "x"],
        &["conform", "--trajectory", tp.to_str().unwrap(), "--precision", "f16"],
        &["conform", "--trajectory", tp.to_str().unwrap(), "--mode", "fuzzy"],
    ] {
        assert_exit_2(&run(args));
    }
}

/// `run_keeping(spec, keep)` keeps the states and noise of chains 0 … keep−1
/// (chain 0 at the top level, the others in `other_chains`) and of no other;
/// `without_noise` drops every chain's noise and keeps the states.
#[test]
fn kept_chains_and_the_noise_free_copy() {
    let spec = Spec {
        steps: 5,
        chains: 3,
        ..shrunk_two_layer()
    };
    let t = conform::run_keeping(&spec, 2, false).unwrap().trajectory.unwrap();
    assert_eq!(t.states.len(), 6);
    assert_eq!(t.noise.as_ref().map(|n| n.len()), Some(5));
    let others = t.other_chains.as_ref().unwrap();
    assert_eq!(others.iter().map(|c| c.chain).collect::<Vec<_>>(), vec![1]);
    assert!(others[0].noise.is_some() && others[0].states.len() == 6);
    assert!(t.has_noise());
    let bare = t.without_noise();
    assert!(bare.noise.is_none() && !bare.has_noise());
    let bare_others = bare.other_chains.as_ref().unwrap();
    assert!(bare_others.iter().all(|c| c.noise.is_none()));
    assert_eq!(bare.states, t.states);
    assert_eq!(bare_others[0].states, others[0].states);
}

/// The reference chains of the statistical mode keep every thin-th state,
/// and step_sq is ‖W_{k+thin} − W_k‖² over consecutive kept states: on the
/// shrunk two-layer spec (no closed form, so reference chains are run; 8
/// chains of 320 steps) the noise dominates the drift over 20 steps
/// (2η/β per coordinate and step, against the contraction ηλ/μ_k ≪ 1/20),
/// so the mean at thin = 20 is many times the mean at thin = 1 (a
/// diffusion gives 20×; the check asks for 5×). Deterministic (fixed
/// seeds).
#[test]
fn reference_step_sq_is_at_the_lag_of_thin() {
    let spec = shrunk_two_layer();
    let p = spec.build().unwrap();
    let step_sq = |thin: usize| {
        let r = conform::reference(&spec, &p, 320, thin).unwrap();
        assert_eq!(r.method, "reference chains");
        r.values.iter().find(|v| v.name == "step_sq").unwrap().mean
    };
    let (one, twenty) = (step_sq(1), step_sq(20));
    assert!(one.is_finite() && one > 0.0 && twenty.is_finite(), "{one} {twenty}");
    assert!(twenty > 5.0 * one, "step_sq at thin 20 {twenty} against thin 1 {one}");
}

/// `run`'s per-step summary over chains: ‖W_k‖²'s mean and standard error
/// √(s²/C) at every k = 0 … T equal those worked out here from the kept
/// states of all C = 3 chains.
#[test]
fn run_summary_is_the_mean_over_the_kept_chains() {
    let spec = Spec {
        steps: 5,
        chains: 3,
        ..shrunk_two_layer()
    };
    let out = conform::run(&spec, true, false).unwrap();
    let t = out.trajectory.unwrap();
    let mut chains = vec![t.states.clone()];
    chains.extend(t.other_chains.unwrap().into_iter().map(|c| c.states));
    assert_eq!(chains.len(), 3);
    let mean = out.summary["scheme"]["sq_norm_mean"].as_array().unwrap();
    let se = out.summary["scheme"]["sq_norm_stderr"].as_array().unwrap();
    assert_eq!(mean.len(), 6);
    for k in 0..=5 {
        let xs: Vec<f64> = chains.iter().map(|c| c[k].iter().map(|v| v * v).sum()).collect();
        let m = xs.iter().sum::<f64>() / 3.0;
        let s = (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 2.0 / 3.0).sqrt();
        let (gm, gs) = (mean[k].as_f64().unwrap(), se[k].as_f64().unwrap());
        assert!((gm - m).abs() <= 1e-12 * m.abs(), "k={k}: mean {gm} vs {m}");
        assert!((gs - s).abs() <= 1e-9 * s.abs() + 1e-15, "k={k}: stderr {gs} vs {s}");
    }
    assert_eq!(out.summary["scheme"]["emp_risk_mean"].as_array().unwrap().len(), 6);
}

/// The float32 allowance is oracle-maths.md section 11's bound,
/// 2 u F (8 (‖W‖ + s‖ε‖) + η (8 + 2L) ‖G‖), u = 2^−24, F = max_k S_η(μ_k),
/// s = √(2η/β), L = n + M + N, worked out here from the spec's numbers for
/// the two-layer example (M = 16) and the regression one (M = 0), at states
/// where each term matters; and it covers the actual float32 rounding of
/// one update computed here in f32 (the gradient taken as exact).
#[test]
fn f32_allowance_is_the_documented_bound() {
    use transport_langevin::space::Coef;
    for (kind, _, spec) in Spec::examples().into_iter().filter(|e| e.0 == "two-layer" || e.0 == "regression") {
        let p = spec.build().unwrap();
        let (n, q) = (p.space.modes(), p.init.ncols());
        let w = Coef::from_fn(n, q, |i, j| 0.4 * ((i + 3 * j) as f64 + 1.0).sin());
        let g = Coef::from_fn(n, q, |i, j| 3.0 * ((2 * i + j) as f64).cos());
        let e = Coef::from_fn(n, q, |i, j| ((5 * i + j) as f64 + 0.5).sin());
        let u = 2f64.powi(-24);
        let f = p
            .space
            .mu()
            .iter()
            .map(|&m| 1.0 / (1.0 + spec.eta * spec.lambda / m))
            .fold(0.0, f64::max);
        let s = (2.0 * spec.eta / spec.beta).sqrt();
        let l = (p.data.len() + p.space.width().unwrap_or(0) + p.space.modes()) as f64;
        let bound = 2.0 * u * f * (8.0 * (w.norm() + s * e.norm()) + spec.eta * (8.0 + 2.0 * l) * g.norm());
        let got = conform::f32_allowance(&spec, &p, &w, &g, &e);
        assert!((got - bound).abs() <= 1e-12 * bound, "{kind}: {got} vs {bound}");
        // One update in float32 from float32 inputs, against float64.
        let mut err2 = 0.0;
        for i in 0..n {
            let fk = 1.0 / (1.0 + spec.eta * spec.lambda / p.space.mu()[i]);
            for j in 0..q {
                let exact = fk * (w[(i, j)] - spec.eta * g[(i, j)] + s * e[(i, j)]);
                let lo = (fk as f32) * (((w[(i, j)] as f32) - (spec.eta as f32) * (g[(i, j)] as f32)) + (s as f32) * (e[(i, j)] as f32));
                err2 += (lo as f64 - exact).powi(2);
            }
        }
        assert!(
            err2.sqrt() <= got,
            "{kind}: float32 error {} above the allowance {got}",
            err2.sqrt()
        );
    }
}

/// `run --pcn`'s acceptance rate is accepted moves over chains × steps: a
/// fraction in (0, 1] (a pCN step from the prior's scale is accepted now
/// and then, not always rejected).
#[test]
fn pcn_acceptance_rate_is_a_fraction() {
    let spec = Spec {
        steps: 60,
        chains: 2,
        ..Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2
    };
    let out = conform::run(&spec, false, true).unwrap();
    let rate = out.summary["pcn"]["acceptance_rate"].as_f64().unwrap();
    assert!(rate > 0.0 && rate <= 1.0, "{rate}");
    assert_eq!(out.summary["pcn"]["emp_risk_mean"].as_f64().map(f64::is_finite), Some(true));
}

/// `ConformReport::conforms` in-process: our own trajectory conforms, the
/// same with one coordinate of step 3 moved by 1e-6 does not.
#[test]
fn conforms_is_no_first_difference() {
    let spec = Spec {
        steps: 6,
        ..Spec::example()
    };
    let p = spec.build().unwrap();
    let t = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    let r = conform_exact(&spec, &p, &t, 1e-9, 1e-12).unwrap();
    assert!(r.conforms() && r.first_difference.is_none());
    let mut bad = t.clone();
    bad.states[3][0] += 1e-6;
    let r = conform_exact(&spec, &p, &bad, 1e-9, 1e-12).unwrap();
    assert!(!r.conforms() && r.first_difference.is_some());
}

/// `Spec::problems` at the edge of every limit and on every branch: each
/// limit is inclusive (the value at the limit raises no problem naming the
/// field, the next one does), each problem names its field, and a problem
/// of the data hides the regression's dimension check (it would repeat it).
/// In-process, deterministic. Written for the mutation campaign of issue 20
/// (`src/spec/mod.rs`).
#[test]
fn spec_limits_are_inclusive_and_every_problem_is_named() {
    use transport_langevin::spec::{
        ActivationName, DataSpec, Init, ModelSpec, SpectrumSpec, MAX_N_TIMES_WIDTH, MAX_SIZE, MAX_WIDTH, MAX_WORK,
    };
    // The Debug form of every problem, so that a case can look for the
    // field (and variant) it is about.
    let problems = |s: &Spec| s.problems().iter().map(|e| format!("{e:?}")).collect::<Vec<_>>();
    let has = |s: &Spec, what: &str| problems(s).iter().any(|p| p.contains(what));
    let ok = Spec::example();
    assert!(problems(&ok).is_empty(), "{:?}", problems(&ok));
    assert!(ok.validate().is_ok());
    let two = |width: usize, n: usize, modes: usize| Spec {
        model: ModelSpec::TwoLayer {
            width,
            activation: ActivationName::Tanh,
        },
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes },
        data: DataSpec::Toy { n, dim: 2, seed: 7 },
        ..ok.clone()
    };
    let regression = |modes: usize, dim: usize| Spec {
        model: ModelSpec::Regression,
        spectrum: SpectrumSpec::PowerLaw {
            c_mu: 1.0,
            decay: 2.0,
            modes,
        },
        data: DataSpec::Toy { n: 32, dim, seed: 7 },
        init: Init::Zero,
        ..ok.clone()
    };
    assert!(problems(&regression(8, 1)).is_empty());

    // spec_version, pcn_step ∈ (0, 1].
    assert!(has(
        &Spec {
            spec_version: 2,
            ..ok.clone()
        },
        "\"spec_version\""
    ));
    assert!(!has(
        &Spec {
            pcn_step: 1.0,
            ..ok.clone()
        },
        "pcn_step"
    ));
    assert!(has(
        &Spec {
            pcn_step: 1.0 + 1e-12,
            ..ok.clone()
        },
        "OutOfRange { name: \"pcn_step\""
    ));
    assert!(has(
        &Spec {
            pcn_step: 0.0,
            ..ok.clone()
        },
        "NonPositive { name: \"pcn_step\""
    ));
    assert!(has(&Spec { chains: 0, ..ok.clone() }, "ZeroCount { name: \"chains\""));
    // The spectrum's parameters.
    let bw0 = Spec {
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 0.0, modes: 8 },
        ..ok.clone()
    };
    assert!(has(&bw0, "\"spectrum.bandwidth\""));
    let pl = |c_mu: f64, decay: f64| Spec {
        spectrum: SpectrumSpec::PowerLaw { c_mu, decay, modes: 8 },
        ..regression(8, 1)
    };
    assert!(has(&pl(0.0, 2.0), "\"spectrum.c_mu\"") && !has(&pl(0.0, 2.0), "spectrum.decay"));
    assert!(has(&pl(1.0, -1.0), "\"spectrum.decay\"") && !has(&pl(1.0, -1.0), "spectrum.c_mu"));
    assert!(has(&regression(0, 1), "ZeroCount { name: \"spectrum.modes\""));
    assert!(!has(&regression(MAX_SIZE, 1), "spectrum.modes"));
    assert!(has(&regression(MAX_SIZE + 1, 1), "OutOfRange { name: \"spectrum.modes\""));

    // Width ∈ [1, 4096]; n × width ≤ 2^27; modes ≤ width.
    assert!(!has(&two(MAX_WIDTH, 16, 8), "model.width"));
    assert!(has(&two(MAX_WIDTH + 1, 16, 8), "OutOfRange { name: \"model.width\""));
    assert!(has(&two(0, 16, 8), "ZeroCount { name: \"model.width\""));
    let n_edge = (MAX_N_TIMES_WIDTH as usize) / 4096;
    assert_eq!(n_edge * 4096, MAX_N_TIMES_WIDTH as usize);
    assert!(!has(&two(4096, n_edge, 8), "data.n x model.width"));
    assert!(has(&two(4096, n_edge + 1, 8), "\"data.n x model.width\""));
    let over = format!("value: {:?}", ((n_edge + 1) * 4096) as f64);
    assert!(has(&two(4096, n_edge + 1, 8), &over), "the product is the reported value: {over}");
    assert!(!has(&two(8, 16, 8), "TooManyModes"));
    assert!(has(&two(8, 16, 9), "TooManyModes { modes: 9, width: 8 }"));
    // The clipped model's R ∈ [1, ∞).
    let clipped = |clip_r: f64| Spec {
        model: ModelSpec::Clipped {
            width: 16,
            activation: ActivationName::Tanh,
            clip_r,
        },
        ..ok.clone()
    };
    assert!(!has(&clipped(1.0), "clip_r"));
    assert!(has(&clipped(1.0 - 1e-12), "OutOfRange { name: \"model.clip_r\""));
    assert!(has(&clipped(f64::NAN), "NonFinite { name: \"model.clip_r\""));

    // Model and spectrum must match; identity needs a finite width.
    assert!(has(
        &Spec {
            init: Init::Identity,
            ..regression(8, 1)
        },
        "init `identity`"
    ));
    let reg_kernel = Spec {
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 8 },
        ..regression(8, 1)
    };
    assert!(has(&reg_kernel, "the regression model"));
    let two_power = Spec {
        spectrum: SpectrumSpec::PowerLaw {
            c_mu: 1.0,
            decay: 2.0,
            modes: 8,
        },
        ..ok.clone()
    };
    assert!(has(&two_power, "the two-layer models"));

    // The data: toy sizes within [1, 65536]; inline rows, columns, lengths, values.
    let toy = |n: usize, dim: usize| Spec {
        data: DataSpec::Toy { n, dim, seed: 7 },
        ..two(16, 16, 8)
    };
    assert!(!has(&toy(MAX_SIZE, 2), "data.n\"") && has(&toy(MAX_SIZE + 1, 2), "OutOfRange { name: \"data.n\""));
    assert!(!has(&toy(16, MAX_SIZE), "data.dim\"") && has(&toy(16, MAX_SIZE + 1), "OutOfRange { name: \"data.dim\""));
    assert!(has(&toy(0, 2), "ZeroCount { name: \"data.n\"") && has(&toy(16, 0), "ZeroCount { name: \"data.dim\""));
    let inline = |x: Vec<Vec<f64>>, y: Vec<f64>| Spec {
        data: DataSpec::Inline { x, y },
        ..regression(8, 1)
    };
    assert!(problems(&inline(vec![vec![0.5], vec![0.25]], vec![1.0, 2.0])).is_empty());
    assert!(has(
        &inline(vec![vec![0.5], vec![f64::NAN]], vec![1.0, 2.0]),
        "NonFinite { name: \"data.x\""
    ));
    assert!(has(
        &inline(vec![vec![0.5], vec![0.25]], vec![1.0, f64::INFINITY]),
        "NonFinite { name: \"data.y\""
    ));
    assert!(has(
        &inline(vec![vec![0.5], vec![0.25]], vec![1.0]),
        "DimensionMismatch { what: \"data.y length (= rows of data.x)\", expected: 2, found: 1 }"
    ));
    assert!(has(
        &inline(vec![vec![0.5, 1.0], vec![0.25]], vec![1.0, 2.0]),
        "DimensionMismatch { what: \"data.x row length\", expected: 2, found: 1 }"
    ));
    assert!(has(&inline(vec![vec![]], vec![1.0]), "ZeroCount { name: \"data.x columns\""));
    let rows = vec![vec![0.5]; MAX_SIZE + 1];
    assert!(has(&inline(rows.clone(), vec![0.0; MAX_SIZE + 1]), "\"data.x rows\""));
    assert!(!has(&inline(rows[..MAX_SIZE].to_vec(), vec![0.0; MAX_SIZE]), "data.x rows"));
    // The regression model takes one input dimension, checked only on valid data.
    assert!(has(
        &regression(8, 2),
        "DimensionMismatch { what: \"data dimension of the regression model\", expected: 1, found: 2 }"
    ));
    assert!(!has(&regression(8, 0), "data dimension of the regression model"));
    assert!(has(&regression(8, 0), "ZeroCount { name: \"data.dim\""));

    // The work steps × chains × modes × q ≤ 1e11 (q = d + 1 for the clipped model).
    let work = |steps: usize| Spec {
        steps,
        chains: 100,
        ..regression(10, 1)
    };
    let edge = (MAX_WORK / 1000.0) as usize;
    assert!(!has(&work(edge), "steps x chains"));
    assert!(has(&work(edge + 1), "OutOfRange { name: \"steps x chains x modes x q\""));
    let c = clipped(2.0);
    assert_eq!((c.input_dim(), c.modes(), c.value_dim()), (2, 8, 3));
    assert_eq!((ok.value_dim(), regression(8, 1).value_dim()), (2, 1));
    let cw = |steps: usize| Spec {
        steps,
        chains: 1,
        ..c.clone()
    };
    let edge = (MAX_WORK / 24.0).floor() as usize;
    assert!(!has(&cw(edge), "steps x chains") && has(&cw(edge + 1), "steps x chains"));
    assert_eq!(inline(vec![vec![0.5, 1.0]], vec![1.0]).input_dim(), 2);
    assert_eq!(inline(vec![], vec![]).input_dim(), 0);
}

/// What `Spec::build` makes, against paper/oracle-maths.md section 7 (the
/// streams) worked out here: the toy data of the regression (uniforms of
/// stream 0; y = sin 2πx + 0.3 cos 7x) and of the networks (normals of
/// stream 0, row-major; y = tanh x₀ + 0.5 x_{min(1, d−1)}), each through
/// the sign map under the logistic loss; inline data as given; the
/// particles (stream 2³², M × d for the lifted model, M × (d + 1) for the
/// clipped one), the second layer ±1 alternating, the space built on those
/// particles, W₀ = identity or zero; and `AnyModel` forwarding every method
/// to the model inside. In-process, deterministic. Written for the mutation
/// campaign of issue 20 (`src/spec/problem.rs`).
#[test]
fn built_problems_follow_the_documented_streams() {
    use nalgebra::{DMatrix, DVector};
    use transport_langevin::loss::Loss;
    use transport_langevin::model::{Model, Potential};
    use transport_langevin::rng::{chain_rng, standard_normal_matrix, uniform01};
    use transport_langevin::space::{Coef, Kernel, Space};
    use transport_langevin::spec::{ActivationName, DataSpec, Init, ModelSpec};
    let sign = |v: f64| if v >= 0.0 { 1.0 } else { -1.0 };
    let close = |a: &DVector<f64>, b: &DVector<f64>| a.len() == b.len() && (a - b).amax() <= 1e-15;

    // The regression's toy data, both losses.
    let reg = Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2;
    let (n, seed) = match reg.data {
        DataSpec::Toy { n, seed, .. } => (n, seed),
        _ => unreachable!(),
    };
    let mut rng = chain_rng(seed, 0);
    let x: Vec<f64> = (0..n).map(|_| uniform01(&mut rng)).collect();
    let y = DVector::from_fn(n, |i, _| (2.0 * std::f64::consts::PI * x[i]).sin() + 0.3 * (7.0 * x[i]).cos());
    let p = reg.build().unwrap();
    assert_eq!(p.data.x, DMatrix::from_column_slice(n, 1, &x));
    assert!(close(&p.data.y, &y), "{} vs {}", p.data.y, y);
    assert!(p.particles.is_none() && p.second_layer.is_none());
    assert_eq!(p.init, Coef::zeros(8, 1));
    let logistic = Spec {
        loss: Loss::Logistic,
        ..reg.clone()
    }
    .build()
    .unwrap();
    assert_eq!(logistic.data.y, y.map(sign));
    assert!(y.iter().any(|&v| v < 0.0) && y.iter().any(|&v| v > 0.0));

    // The networks' toy data (d = 2 and d = 1), particles, second layer, space, W₀.
    for dim in [2usize, 1] {
        let s = Spec {
            data: DataSpec::Toy { n: 12, dim, seed: 5 },
            ..Spec::example()
        };
        let x = standard_normal_matrix(&mut chain_rng(5, 0), 12, dim);
        let y = DVector::from_fn(12, |i, _| x[(i, 0)].tanh() + 0.5 * x[(i, 1.min(dim - 1))]);
        let p = s.build().unwrap();
        assert_eq!(p.data.x, x);
        assert!(close(&p.data.y, &y), "d = {dim}");
        let l = Spec {
            loss: Loss::Logistic,
            ..s.clone()
        }
        .build()
        .unwrap();
        assert_eq!(l.data.y, y.map(sign));
        let particles = standard_normal_matrix(&mut chain_rng(s.seed, 1 << 32), 16, dim);
        assert_eq!(p.particles.as_ref(), Some(&particles));
        assert_eq!(
            p.second_layer,
            Some(DVector::from_fn(16, |i, _| if i % 2 == 0 { 1.0 } else { -1.0 }))
        );
        let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: 2.0 }, 8).unwrap();
        assert_eq!(p.space.mu(), space.mu());
        assert_eq!(p.init, space.identity_coefficients().unwrap());
        let zero = Spec {
            init: Init::Zero,
            ..s.clone()
        }
        .build()
        .unwrap();
        assert_eq!(zero.init, Coef::zeros(8, dim));
    }
    let clipped = Spec {
        model: ModelSpec::Clipped {
            width: 16,
            activation: ActivationName::Tanh,
            clip_r: 2.0,
        },
        init: Init::Zero,
        ..Spec::example()
    };
    let p = clipped.build().unwrap();
    let particles = standard_normal_matrix(&mut chain_rng(clipped.seed, 1 << 32), 16, 3);
    assert_eq!(p.particles.as_ref(), Some(&particles));
    assert!(p.second_layer.is_none());
    assert_eq!(p.init, Coef::zeros(8, 3));
    let space = Space::finite_width(particles, Kernel::Gaussian { bandwidth: 2.0 }, 8).unwrap();
    assert_eq!(p.space.mu(), space.mu());

    // Inline data as given; an invalid spec does not build.
    let inline = Spec {
        data: DataSpec::Inline {
            x: vec![vec![0.1], vec![0.7], vec![0.4]],
            y: vec![0.5, -2.0, 3.0],
        },
        ..reg.clone()
    };
    let p = inline.build().unwrap();
    assert_eq!(p.data.x, DMatrix::from_column_slice(3, 1, &[0.1, 0.7, 0.4]));
    assert_eq!(p.data.y, DVector::from_vec(vec![0.5, -2.0, 3.0]));
    assert!(Spec { eta: -1.0, ..reg.clone() }.build().is_err());

    // AnyModel forwards every method to the model inside.
    for (name, _, s) in Spec::examples().into_iter().take(3) {
        let p = s.build().unwrap();
        let (any, inner) = (&p.model, p.model.as_model());
        let (nm, q) = any.shape();
        assert_eq!((nm, q), inner.shape(), "{name}");
        assert_eq!((nm, q), (s.modes(), s.value_dim()), "{name}");
        let w = Coef::from_fn(nm, q, |i, j| 0.3 * ((i * q + j) as f64 + 1.0).sin());
        let w2 = &w * 0.5;
        let (mut g1, mut g2) = (Coef::zeros(nm, q), Coef::zeros(nm, q));
        let r = any.gradient(&w, &mut g1);
        assert_eq!(r, inner.gradient(&w, &mut g2), "{name}");
        assert_eq!(g1, g2);
        assert!(r > 0.0 && g1.norm() > 0.0, "{name}: a non-trivial point");
        assert_eq!(any.value(&w), inner.value(&w));
        assert_eq!(any.value(&w), r);
        let mut gs = vec![Coef::zeros(nm, q); 2];
        let mut risks = vec![0.0; 2];
        {
            let mut gr: Vec<&mut Coef> = gs.iter_mut().collect();
            any.gradients(&[&w, &w2], &mut gr, &mut risks);
        }
        let mut g3 = Coef::zeros(nm, q);
        assert_eq!(risks, vec![r, inner.gradient(&w2, &mut g3)], "{name}");
        assert_eq!((&gs[0], &gs[1]), (&g1, &g3));
        assert_eq!(any.loss(), s.loss);
        assert_eq!(any.targets(), &p.data.y);
        assert_eq!(any.predict_train(&w), inner.predict_train(&w));
        assert_eq!(any.predict(&w, &p.data.x).unwrap(), inner.predict(&w, &p.data.x).unwrap());
        assert!(any.predict_train(&w).amax() > 0.0);
        assert_eq!(any.risk_on(&w, &p.data).unwrap(), inner.risk_on(&w, &p.data).unwrap());
        assert!(
            (any.risk_on(&w, &p.data).unwrap() - r).abs() <= 1e-12 * r,
            "{name}: the risk on the training set"
        );
    }
}

/// The exact mode's comparison, in-process, on our own trajectory of the
/// example (2 chains, 6 steps, q = 2): every state and chain is checked; a
/// perturbation of half the allowance atol + rtol·|reference| conforms
/// with `worst_ratio` ≈ 0.5; twice the allowance on chain 1, step 3,
/// coordinate 5 is reported there with its mode 2, component 1, both
/// values, their difference and the allowance; a non-finite value is a
/// typed error; W₀ is compared with the spec's initial state. Float32: the
/// Euclidean norm of the state's differences against `f32_allowance` (2u‖W₀‖
/// at W₀), reported at the coordinate of largest difference. Deterministic.
/// Written for the mutation campaign of issue 20 (`compare` and
/// `conform_exact_with`).
#[test]
fn exact_comparison_names_the_difference_and_its_allowance() {
    use transport_langevin::conform::{conform_exact_with, Precision, F32_UNIT_ROUNDOFF};
    use transport_langevin::model::Potential;
    use transport_langevin::space::Coef;
    let spec = Spec {
        steps: 6,
        chains: 2,
        ..Spec::example()
    };
    let p = spec.build().unwrap();
    let traj = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    let (rtol, atol) = (1e-6, 1e-9);
    let exact = |t: &Trajectory| conform_exact(&spec, &p, t, rtol, atol).unwrap();
    let r = exact(&traj);
    assert!(r.conforms(), "{:?}", r.first_difference);
    assert_eq!((r.chains_checked, r.steps_checked, r.mode), (2, 12, "exact"));
    assert_eq!((r.rtol, r.atol), (rtol, atol));
    assert!(r.worst_ratio < 1e-3, "our own chains: {}", r.worst_ratio);
    let allowed = |v: f64| atol + rtol * v.abs();

    // Half the allowance: conforms, worst ratio ≈ 1/2.
    let mut t = traj.clone();
    let v = t.states[4][1];
    t.states[4][1] = v + 0.5 * allowed(v);
    let r = exact(&t);
    assert!(r.conforms());
    assert!((r.worst_ratio - 0.5).abs() < 1e-3, "{}", r.worst_ratio);

    // Twice the allowance on chain 1, step 3, coordinate 5 (mode 2, component 1).
    let mut t = traj.clone();
    let states = &mut t.other_chains.as_mut().unwrap()[0].states;
    let v = states[3][5];
    states[3][5] = v + 2.0 * allowed(v);
    let yours = states[3][5];
    let r = exact(&t);
    let d = r.first_difference.expect("caught");
    assert_eq!((d.chain, d.step, d.coordinate, d.mode, d.component), (1, 3, 5, 2, 1));
    assert_eq!((d.reference, d.yours), (v, yours));
    assert_eq!(d.abs_diff, (v - yours).abs());
    assert_eq!(d.allowed, allowed(v));
    assert!(r.explain.is_some());
    assert_eq!(r.steps_checked, 6 + 3, "chain 0 whole, chain 1 up to step 3");
    assert!((r.worst_ratio - 2.0).abs() < 1e-3, "{}", r.worst_ratio);

    // A non-finite value is a typed error naming the entry (so `compare`
    // never sees one).
    let mut t = traj.clone();
    t.states[2][0] = f64::NAN;
    assert!(matches!(
        conform_exact(&spec, &p, &t, 1e300, 1e300),
        Err(Error::NonFinite { name: "states[k+1]", .. })
    ));
    // W₀ against the spec's initial state.
    let mut t = traj.clone();
    t.states[0][7] += 1.0;
    let r = exact(&t);
    let d = r.first_difference.expect("W0 caught");
    assert_eq!((d.step, d.coordinate, d.mode, d.component), (0, 7, 3, 1));
    assert!(r.explain.is_none());
    assert_eq!(r.steps_checked, 0);

    // Float32: the norm of the state's differences against the allowance.
    let f32 = |t: &Trajectory| conform_exact_with(&spec, &p, t, Precision::F32).unwrap();
    let r = f32(&traj);
    assert!(r.conforms() && r.rtol.is_nan() && r.atol.is_nan());
    let a0 = 2.0 * F32_UNIT_ROUNDOFF * p.init.norm();
    let mut t = traj.clone();
    t.states[0][2] += 0.6 * a0;
    t.states[0][4] -= 0.7 * a0;
    let r = f32(&t);
    assert!(r.conforms(), "norm √0.85 a₀ < a₀");
    assert!((r.worst_ratio - 0.85f64.sqrt()).abs() < 1e-6, "{}", r.worst_ratio);
    let mut t = traj.clone();
    t.states[0][2] += 0.9 * a0;
    t.states[0][4] -= 1.2 * a0;
    let d = f32(&t).first_difference.expect("norm 1.5 a₀ > a₀");
    assert_eq!((d.step, d.coordinate), (0, 4), "the coordinate of largest difference");
    assert!(
        (d.abs_diff / a0 - 1.5).abs() < 1e-6 && (d.allowed - a0).abs() <= 1e-15 * a0,
        "{d:?}"
    );
    // At step 2: the allowance of `f32_allowance` at W₁, ε₁.
    let (n, q) = (p.space.modes(), p.init.ncols());
    let w1 = Coef::from_row_slice(n, q, &traj.states[1]);
    let e1 = Coef::from_row_slice(n, q, &traj.noise.as_ref().unwrap()[1]);
    let mut g1 = Coef::zeros(n, q);
    p.model.gradient(&w1, &mut g1);
    let a2 = conform::f32_allowance(&spec, &p, &w1, &g1, &e1);
    let mut t = traj.clone();
    t.states[2][1] += 0.5 * a2;
    t.states[2][6] += 3.0 * a2;
    let d = f32(&t).first_difference.expect("norm ≈ 3.04 a > a");
    assert_eq!((d.step, d.coordinate), (2, 6));
    assert!((d.abs_diff / a2 - 9.25f64.sqrt()).abs() < 1e-6, "{d:?}");
    assert_eq!(d.allowed, a2);
}

/// Geyer's estimator (`chain_stat`) and split-R̂ against their documented
/// definitions worked out by hand (exact rational arithmetic in Python's
/// `fractions`, then rounded: `proofs/chain_stat_values.py`): a series where the initial positive run
/// ends at m = 1, one where the monotone step (Γ_m ← min(Γ_m, Γ_{m−1}))
/// binds before the run ends, one at the τ floor 1/log₁₀ n, the short and
/// constant series, and a series of 40 003 points averaged in blocks of
/// b = 3 (13 334 blocks; the remainder left out), whose values come from
/// the same definition in double precision (hence 1e-9). Split-R̂ on four
/// half-chains of length 2 (the longer chain cut to the shorter), and its
/// degenerate cases. Deterministic. Written for the mutation campaign of
/// issue 20 (`src/conform/statistical.rs`).
#[test]
fn geyer_and_split_rhat_are_their_definitions() {
    use transport_langevin::conform::{chain_stat, split_rhat};
    let near = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs();
    let check = |xs: &[f64], mean: f64, tau: f64, tol: f64| {
        let s = chain_stat(xs);
        let n = xs.len() as f64;
        let g0 = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        assert_eq!(s.n, xs.len());
        assert!(near(s.mean, mean, 1e-14), "mean {} vs {mean}", s.mean);
        assert!(near(s.tau, tau, tol), "tau {} vs {tau}", s.tau);
        assert!(near(s.ess, n / tau, tol), "ess {} vs {}", s.ess, n / tau);
        assert!(near(s.mcse, (tau * g0 / n).sqrt(), tol), "mcse {}", s.mcse);
    };
    let ints = |v: &[i32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    // The run ends at m = 1 (Γ_1 ≤ 0).
    check(
        &ints(&[1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 3, 4]),
        3.3,
        2.315_469_613_259_668_6,
        1e-13,
    );
    // The monotone step binds at m = 2, the run ends at m = 3.
    check(
        &ints(&[0, -1, -2, -3, -1, -3, -3, -1, 1, 0, -1, -1, 0, 2, 1, -1]),
        -0.8125,
        2.047_447_013_487_476,
        1e-13,
    );
    // The run ends at m = 2 (3, 1, 4, 1, 5, 9, …).
    check(
        &ints(&[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]),
        13.0 / 3.0,
        1.216_981_132_075_471_8,
        1e-13,
    );
    // Alternating ±1: σ²_as = 0, τ at the floor 1/log₁₀ 16.
    let alt: Vec<f64> = (0..16).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
    check(&alt, 0.0, 1.0 / 16f64.log10(), 1e-14);
    // Four points are enough: [1, 1, −1, −1], γ = 1, 1/4, −1/2, −1/4, the run
    // ends at m = 1 with Γ_0 = 5/4: τ = (−1 + 5/2)/4 · 4 = 3/2 (floor 1).
    check(&[1.0, 1.0, -1.0, -1.0], 0.0, 1.5, 1e-14);
    // Fewer than 4 points, or no variance: τ = 1, no error.
    for xs in [vec![1.0, 2.0, 3.0], vec![2.5; 10]] {
        let s = chain_stat(&xs);
        assert_eq!((s.tau, s.mcse, s.ess), (1.0, 0.0, xs.len() as f64), "{xs:?}");
    }
    // Blocks of 3 over 40 003 points.
    let xs: Vec<f64> = (0..40_003)
        .map(|i| (0.01 * i as f64).sin() + 0.1 * ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    let mean = xs.iter().sum::<f64>() / 40_003.0;
    check(&xs, mean, 199.435_945_514_076, 1e-9);

    // Split-R̂: halves [1, 2], [3, 4] | [2, 2, 4], [4, 6, 7] cut to length 2:
    // W = 0.75, B = 2·var(1.5, 3.5, 2, 5) = 5, R̂ = √((½·0.75 + 5/2)/0.75).
    let r = split_rhat(&[vec![1.0, 2.0, 3.0, 4.0, 5.0], vec![2.0, 2.0, 4.0, 4.0, 6.0, 7.0]]);
    assert!(near(r, (2.875f64 / 0.75).sqrt(), 1e-14), "{r}");
    // One chain, halves of length 3: [1, 2, 3] (mean 2, s² 1) and [4, 5, 7]
    // (mean 16/3, s² 7/3): W = 5/3, B = 3·var(2, 16/3) = 50/3,
    // R̂ = √((⅔·5/3 + 50/9)/(5/3)) = 2.
    let r = split_rhat(&[vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0]]);
    assert!(near(r, 2.0, 1e-14), "{r}");
    assert_eq!(split_rhat(&[vec![1.0, 2.0, 3.0]]), f64::INFINITY, "halves of length 1");
    assert_eq!(split_rhat(&[]), f64::INFINITY);
    assert_eq!(split_rhat(&[vec![1.0; 4]]), 1.0, "no variance at all");
    assert_eq!(
        split_rhat(&[vec![1.0, 1.0, 2.0, 2.0]]),
        f64::INFINITY,
        "constant halves that differ"
    );
}

/// `run`'s pCN block replayed from the kernel: chain c of pCN-MH runs on
/// stream 2³³ + c of the spec's seed from W = 0, `steps` steps; the
/// acceptance rate is accepted / (chains · steps) and 𝓛̂'s mean the pooled
/// batch means of each chain's second half. Deterministic. Written for the
/// mutation campaign of issue 20 (`run_keeping`: the stream and the rate).
#[test]
fn pcn_block_is_the_documented_chains() {
    use transport_langevin::dynamics::Pcn;
    use transport_langevin::rng::chain_rng;
    use transport_langevin::space::Coef;
    use transport_langevin::stats::pooled_batch_means;
    let spec = Spec {
        steps: 40,
        chains: 3,
        ..Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2
    };
    let p = spec.build().unwrap();
    let out = conform::run(&spec, false, true).unwrap();
    let (n, q) = (p.space.modes(), p.init.ncols());
    let (mut accepted, mut risks) = (0usize, Vec::new());
    for c in 0..3u64 {
        let mut kernel = Pcn::new(&p.space, q, spec.beta, spec.lambda, spec.pcn_step).unwrap();
        let mut rng = chain_rng(spec.seed, (1 << 33) + c);
        let mut st = kernel.init(&p.model, Coef::zeros(n, q));
        let mut trace = Vec::new();
        for _ in 0..spec.steps {
            accepted += kernel.step(&p.model, &mut rng, &mut st).accepted as usize;
            trace.push(st.risk);
        }
        risks.push(trace[spec.steps / 2..].to_vec());
    }
    let pcn = &out.summary["pcn"];
    assert_eq!(pcn["acceptance_rate"].as_f64().unwrap(), accepted as f64 / 120.0);
    assert!(accepted > 0 && accepted < 120, "{accepted}");
    let m = pooled_batch_means(&risks);
    assert_eq!(pcn["emp_risk_mean"].as_f64().unwrap(), m.mean);
    assert_eq!(pcn["emp_risk_mcse"].as_f64().unwrap(), m.stderr);
}

/// The shape checks of the two modes: exact mode names the noise count it
/// expected (states − 1); statistical mode needs 17 states (16 is a typed
/// error, 17 is accepted) and refuses a `thin` whose reference would exceed
/// the work limit (steps · reference chains · N · q ≤ 1e11), or overflow.
/// Written for the mutation campaign of issue 20.
#[test]
fn trajectory_shape_limits_are_typed_errors() {
    let spec = Spec {
        steps: 16,
        chains: 1,
        ..Spec::examples().into_iter().find(|e| e.0 == "regression").unwrap().2
    };
    let p = spec.build().unwrap();
    let t = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    assert_eq!(t.states.len(), 17);
    let mut short_noise = t.clone();
    short_noise.noise.as_mut().unwrap().pop();
    assert!(matches!(
        conform_exact(&spec, &p, &short_noise, 1e-9, 1e-12),
        Err(Error::DimensionMismatch {
            expected: 16,
            found: 15,
            ..
        })
    ));
    let stat = |t: &Trajectory| conform_statistical(&spec, &p, &t.without_noise());
    assert!(stat(&t).is_ok(), "17 states are enough");
    let mut sixteen = t.clone();
    sixteen.states.pop();
    assert!(matches!(stat(&sixteen), Err(Error::Trajectory(m)) if m.contains("at least 17")));
    // 16 steps · thin · 8 reference chains · N (8) · q (1) just above 1e11.
    let thin = (1e11 / (16.0 * 8.0 * 8.0)) as usize + 1;
    let mut thick = t.clone();
    thick.thin = Some(thin);
    assert!(matches!(stat(&thick), Err(Error::OutOfRange { name: "thin", .. })));
    thick.thin = Some(usize::MAX / 2);
    assert!(matches!(stat(&thick), Err(Error::OutOfRange { name: "thin", .. })));
}

/// The reference chains of the statistical mode replayed from their
/// definition (paper/oracle-maths.md): max(chains, 8) chains of the scheme
/// on streams 2³⁴ + c from W₀, `steps` steps; per chain the second half of
/// 𝓛̂(W_t) and ‖W_t‖² at t = 0, thin, 2·thin, …, T and of ‖W_{t+thin} −
/// W_t‖² over the second half of those kept states; each value's mean is
/// the average over chains of the chains' means. Deterministic. Written
/// for the mutation campaign of issue 20 (`run_chains`' kept states).
#[test]
fn reference_chains_are_the_documented_averages() {
    use transport_langevin::dynamics::{Discretization, Kernel, Langevin};
    use transport_langevin::model::Potential;
    use transport_langevin::rng::chain_rng;
    let spec = shrunk_two_layer();
    let p = spec.build().unwrap();
    let (steps, thin) = (48, 3);
    let r = conform::reference(&spec, &p, steps, thin).unwrap();
    assert_eq!((r.method, r.chains, r.steps, r.thin), ("reference chains", 8, steps, thin));
    let q = p.init.ncols();
    let mut means = [0.0f64; 3];
    let mut halves: [Vec<Vec<f64>>; 3] = Default::default();
    for c in 0..8u64 {
        let mut lv = Langevin::new(&p.space, q, spec.eta, spec.beta, spec.lambda, Discretization::SemiImplicit).unwrap();
        let mut rng = chain_rng(spec.seed, (1 << 34) + c);
        let mut st = lv.init(p.init.clone()).unwrap();
        let mut kept = vec![st.w.clone()];
        for t in 1..=steps {
            Kernel::step(&mut lv, &p.model, &mut rng, &mut st);
            if t % thin == 0 {
                kept.push(st.w.clone());
            }
        }
        assert_eq!(kept.len(), steps / thin + 1);
        let half = kept.len() / 2;
        let avg = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        halves[0].push(kept[half..].iter().map(|w| p.model.value(w)).collect());
        halves[1].push(kept[half..].iter().map(|w| w.norm_squared()).collect());
        halves[2].push(kept[half..].windows(2).map(|w| (&w[1] - &w[0]).norm_squared()).collect());
        for i in 0..3 {
            means[i] += avg(halves[i][c as usize].clone()) / 8.0;
        }
    }
    for (i, name) in ["emp_risk", "sq_norm", "step_sq"].iter().enumerate() {
        let v = r.values.iter().find(|v| v.name == *name).unwrap();
        assert!(
            (v.mean - means[i]).abs() <= 1e-12 * means[i].abs(),
            "{name}: {} vs {}",
            v.mean,
            means[i]
        );
        // The standard error of the mean over 8 chains: √(Σ mcse_c²)/8; the
        // summed ESS; split-R̂ over the chains' second halves.
        let stats: Vec<_> = halves[i].iter().map(|h| conform::chain_stat(h)).collect();
        let mcse = stats.iter().map(|s| s.mcse * s.mcse).sum::<f64>().sqrt() / 8.0;
        assert!((v.mcse - mcse).abs() <= 1e-12 * mcse, "{name}: mcse {} vs {mcse}", v.mcse);
        let ess: f64 = stats.iter().map(|s| s.ess).sum();
        assert!((v.ess.unwrap() - ess).abs() <= 1e-12 * ess);
        let rhat = conform::split_rhat(&halves[i]);
        assert!((v.rhat.unwrap() - rhat).abs() <= 1e-12 * rhat, "{name}: R̂ {:?} vs {rhat}", v.rhat);
    }
}

/// The comparisons' ties: a difference exactly equal to the allowance
/// conforms. Double precision: W₀ = 0 (zero init) makes the reference 0
/// and the allowance atol exactly, so yours = atol is a tie. Float32: at
/// W₀ = 0 the allowance 2u‖W₀‖ is 0 and our own W₀ differs by 0. Written
/// for the mutation campaign of issue 20 (`compare`: `>` → `>=`).
#[test]
fn a_difference_equal_to_the_allowance_conforms() {
    use transport_langevin::conform::{conform_exact_with, Precision};
    use transport_langevin::spec::Init;
    let spec = Spec {
        steps: 3,
        chains: 1,
        init: Init::Zero,
        ..Spec::example()
    };
    let p = spec.build().unwrap();
    let traj = conform::run(&spec, true, false).unwrap().trajectory.unwrap();
    assert!(traj.states[0].iter().all(|&x| x == 0.0));
    let atol = 2f64.powi(-30);
    let mut t = traj.clone();
    t.states[0][1] = atol;
    assert!(conform_exact(&spec, &p, &t, 1e-9, atol).unwrap().conforms(), "|0 − atol| = atol");
    t.states[0][1] = 2.0 * atol;
    assert!(!conform_exact(&spec, &p, &t, 1e-9, atol).unwrap().conforms());
    let r = conform_exact_with(&spec, &p, &traj, Precision::F32).unwrap();
    assert!(r.conforms(), "a zero difference against a zero allowance: {:?}", r.first_difference);
    // Float32 reports the coordinate of largest difference, the first on a
    // tie: |0 − x| = |0 + x| exactly at coordinates 2 and 4.
    let mut t = traj.clone();
    t.states[0][2] = 0.25;
    t.states[0][4] = -0.25;
    let d = conform_exact_with(&spec, &p, &t, Precision::F32).unwrap().first_difference.unwrap();
    assert_eq!((d.step, d.coordinate), (0, 2));
}

/// The documented defaults and streams of a spec (src/spec/mod.rs and
/// paper/oracle-maths.md section 7): `pcn_step` omitted is 0.2; particles
/// on stream 2³² of `seed` and the ot-map target sample on stream 2³² + 1.
/// Written for the mutation campaign of issue 20.
#[test]
fn spec_defaults_and_streams_are_the_documented_ones() {
    use transport_langevin::spec::{PARTICLE_STREAM, TARGET_STREAM};
    let mut v = serde_json::to_value(Spec::example()).unwrap();
    v.as_object_mut().unwrap().remove("pcn_step");
    let s = Spec::parse(&v.to_string(), "test").unwrap();
    assert_eq!(s.pcn_step, 0.2);
    assert_eq!((PARTICLE_STREAM, TARGET_STREAM), (4_294_967_296, 4_294_967_297));
}

/// The exact reference of the statistical mode (regression, squared loss)
/// against the moment recursion written out here: m ← F m + c,
/// Σ ← F Σ Fᵀ + G Gᵀ with (F, c, G) the oracle's AR(1) coefficients
/// (`LinearGaussian::ar1`, checked against one step of the scheme in
/// `tests/oracle_forms.rs`), every step to the end (no stopping rule), the
/// kept states k = 0, thin, …, T, their second half `states[len/2..]`
/// averaged; step_sq from Cov(W_{k+t}, W_k) = Fᵗ Σ_k, Fᵗ by repeated
/// products. At thin > 1 (which step is kept matters) and long enough that
/// Σ stops changing well before m (its rate is the square of m's); and with
/// y = 0 and W_0 = 0, where m stays 0 and Σ alone must decide when the
/// moments stop changing. Deterministic (1e-12). Written for the mutation campaign of issue 20.
#[test]
fn exact_reference_is_the_moment_recursion_averaged() {
    use nalgebra::{DMatrix, DVector};
    use transport_langevin::oracle::LinearGaussian;
    use transport_langevin::spec::{AnyModel, DataSpec, Init};
    let spec = conform::conformance_specs()[0].1.clone();
    let built = spec.build().unwrap();
    // The second problem: the same inputs with targets y = 0 and W_0 = 0, so
    // m_k = 0 from the start and only Σ decides when the moments are
    // stationary.
    let x = &built.data.x;
    let zero_spec = Spec {
        data: DataSpec::Inline {
            x: (0..x.nrows()).map(|i| x.row(i).iter().copied().collect()).collect(),
            y: vec![0.0; x.nrows()],
        },
        init: Init::Zero,
        ..spec.clone()
    };
    let zero_mean = zero_spec.build().unwrap();
    assert!(zero_mean.data.y.iter().all(|&y| y == 0.0) && zero_mean.init.iter().all(|&w| w == 0.0));
    for (spec, p, steps, thin) in [
        (&spec, &built, 3000, 4),
        (&spec, &built, 3000, 3),
        (&spec, &built, 2000, 1),
        (&zero_spec, &zero_mean, 2000, 2),
    ] {
        let AnyModel::Regression(model) = &p.model else {
            panic!("the first conformance spec is regression")
        };
        let lg = LinearGaussian {
            phi: model.features().clone(),
            y: p.data.y.clone(),
            mu: p.space.mu().to_vec(),
            beta: spec.beta,
            lambda: spec.lambda,
        };
        let (f, c, g) = lg.ar1(spec.eta);
        let nm = c.len();
        let n = lg.y.len() as f64;
        let r = conform::reference(spec, p, steps, thin).unwrap();
        assert_eq!(r.method, "exact (linear-Gaussian closed form)");
        let mut ft = DMatrix::<f64>::identity(nm, nm);
        for _ in 0..thin {
            ft = &f * ft;
        }
        let mut m: DVector<f64> = p.init.column(0).into_owned();
        let mut sig = DMatrix::<f64>::zeros(nm, nm);
        let mut kept = Vec::new();
        for k in 0..=steps {
            if k % thin == 0 {
                kept.push((m.clone(), sig.clone()));
            }
            m = &f * &m + &c;
            sig = &f * &sig * f.transpose() + &g * g.transpose();
        }
        let half = &kept[kept.len() / 2..];
        let risk =
            |(m, s): &(DVector<f64>, DMatrix<f64>)| ((&lg.phi * m - &lg.y).norm_squared() + (&lg.phi * s * lg.phi.transpose()).trace()) / n;
        let sq = |(m, s): &(DVector<f64>, DMatrix<f64>)| m.norm_squared() + s.trace();
        let avg = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        let want = [
            avg(half.iter().map(risk).collect()),
            avg(half.iter().map(sq).collect()),
            avg(half
                .windows(2)
                .map(|w| (&w[1].0 - &w[0].0).norm_squared() + w[1].1.trace() + w[0].1.trace() - 2.0 * (&ft * &w[0].1).trace())
                .collect()),
        ];
        for (v, want) in r.values.iter().zip(want) {
            assert!(
                (v.mean - want).abs() <= 1e-12 * want.abs(),
                "T = {steps}, thin {thin}, {}: {} vs {want}",
                v.name,
                v.mean
            );
            assert_eq!((v.mcse, v.ess, v.rhat), (0.0, None, None));
        }
    }
}

/// A hand-made reference value of the statistical mode.
fn ref_value(name: &'static str, mean: f64, mcse: f64, ess: Option<f64>, rhat: Option<f64>) -> conform::ReferenceValue {
    conform::ReferenceValue {
        name,
        mean,
        mcse,
        ess,
        rhat,
    }
}

/// A hand-made reference (8 reference chains) for chains of `steps` steps
/// kept every `thin`.
fn stat_reference(steps: usize, thin: usize, values: Vec<conform::ReferenceValue>) -> conform::StatReference {
    conform::StatReference {
        method: "reference chains",
        steps,
        thin,
        chains: 8,
        values,
    }
}

/// The straight path W_k = (k/scale)·v, k = 0 … len − 1, flattened, with v
/// the dyadic direction (0.5, −0.25, 0.125, 0.5, …) of `dim` entries: with
/// scale 1 every step is exactly v.
fn straight_path(dim: usize, len: usize, scale: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let v: Vec<f64> = (0..dim).map(|j| [0.5, -0.25, 0.125][j % 3]).collect();
    let states = (0..len).map(|k| v.iter().map(|x| k as f64 * x / scale).collect()).collect();
    (v, states)
}

/// A reference is unreliable when a value's split-R̂ exceeds [`MAX_RHAT`]
/// or its ESS is below [`MIN_ESS`] (both limits allowed); an exact value
/// (no R̂, no ESS) never is. The report names the value. And a reference
/// needs 17 kept states: steps/thin ≥ 16. Written for the mutation campaign
/// of issue 20.
#[test]
fn reference_reliability_and_length_limits() {
    use transport_langevin::conform::{MAX_RHAT, MIN_ESS};
    let value = |name: &'static str, rhat: Option<f64>, ess: Option<f64>| ref_value(name, 1.0, 0.1, ess, rhat);
    let reference = |values| stat_reference(100, 1, values);
    let good = reference(vec![
        value("emp_risk", Some(1.0), Some(1000.0)),
        value("sq_norm", Some(MAX_RHAT), Some(MIN_ESS)),
        value("step_sq", None, None),
    ]);
    assert_eq!(good.unreliable(), None);
    for (rhat, ess) in [(MAX_RHAT * (1.0 + 1e-9), 1000.0), (1.0, MIN_ESS - 1e-9), (f64::NAN, 1000.0)] {
        let bad = reference(vec![
            value("emp_risk", Some(1.0), Some(1000.0)),
            value("sq_norm", Some(rhat), Some(ess)),
        ]);
        let u = bad.unreliable().expect("unreliable");
        assert!(u.contains("sq_norm") && !u.contains("emp_risk"), "{u}");
    }
    let spec = conform::conformance_specs()[0].1.clone();
    let p = spec.build().unwrap();
    assert!(conform::reference(&spec, &p, 64, 4).is_ok(), "16 steps of 4: 17 states");
    for (steps, thin) in [(60, 4), (32, 4), (15, 1), (64, 0), (65, 4)] {
        assert!(
            matches!(conform::reference(&spec, &p, steps, thin), Err(Error::Trajectory(_))),
            "{steps} steps, thin {thin}"
        );
    }
}

/// The statistical verdicts' names are the module docs' (the CLI prints
/// them at the head of the summary) and differ from one another.
#[test]
fn statistical_verdict_names_are_the_documented_ones() {
    use conform::Verdict;
    assert_eq!(Verdict::Conforms.as_str(), "conforms");
    assert_eq!(Verdict::DoesNotConform.as_str(), "does not conform");
    assert_eq!(Verdict::Inconclusive.as_str(), "inconclusive");
}

/// Each comparison of `check_chain` is the documented Welch t-test, worked
/// out here from the chain's own series: z = (ȳ − r̄)/√(mcse_y² + mcse_r²),
/// Welch–Satterthwaite ν = (a + b)²/(a²/ν_y + b²/ν_r) with each ν the
/// larger of ESS − 1 and 1 (b's term dropped for an exact reference), the threshold Student's t
/// quantile at 1 − α/2 (statrs). The chain is the straight path W_k = k·v
/// (dyadic entries: every step is exactly v, so step_sq is constant and
/// its standard error 0): with an exact reference equal to ‖v‖², z = 0
/// (not 0/0); off by one, z = ∞. A chain of the wrong length is a typed
/// error naming steps/thin + 1. Written for the mutation campaign of
/// issue 20 (`check_chain`).
#[test]
fn chain_comparisons_are_welch_t_tests() {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    use transport_langevin::conform::check_chain;
    use transport_langevin::model::Potential;
    use transport_langevin::space::Coef;
    let spec = conform::conformance_specs()[0].1.clone();
    let p = spec.build().unwrap();
    let (n, q) = p.model.shape();
    let (v, states) = straight_path(n * q, 65, 1.0);
    let vv: f64 = v.iter().map(|x| x * x).sum();
    let value = |name: &'static str, mean: f64, mcse: f64, ess: Option<f64>| ref_value(name, mean, mcse, ess, ess.map(|_| 1.0));
    let alpha = 0.01;
    let half = &states[32..];
    let series = [
        half.iter()
            .map(|s| p.model.value(&Coef::from_row_slice(n, q, s)))
            .collect::<Vec<f64>>(),
        half.iter().map(|s| s.iter().map(|x| x * x).sum()).collect(),
        vec![vv; 32],
    ];
    // Reference standard errors of the chain's own size (both terms of ν
    // matter), then an exact reference for the risk (b = 0: ν = ν_y).
    let own = [conform::chain_stat(&series[0]).mcse, conform::chain_stat(&series[1]).mcse];
    for (step_mean, risk_ref) in [
        (vv, value("emp_risk", 3.0, own[0], Some(400.0))),
        (vv + 1.0, value("emp_risk", 3.0, 0.0, None)),
    ] {
        let reference = stat_reference(
            256,
            4,
            vec![
                risk_ref,
                value("sq_norm", 10.0, 0.5 * own[1], Some(250.0)),
                value("step_sq", step_mean, 0.0, None),
            ],
        );
        let cv = check_chain(&reference, &p, 7, &states, alpha).unwrap();
        assert_eq!(cv.chain, 7);
        for (i, c) in cv.comparisons.iter().enumerate() {
            let r = &reference.values[i];
            let y = conform::chain_stat(&series[i]);
            assert_eq!(c.name, r.name);
            assert!((c.yours.mean - y.mean).abs() <= 1e-12 * y.mean.abs() && (c.yours.mcse - y.mcse).abs() <= 1e-12 * y.mcse);
            let (a, b) = (y.mcse * y.mcse, r.mcse * r.mcse);
            if i < 2 {
                let z = (y.mean - r.mean) / (a + b).sqrt();
                let nu_y = (y.ess - 1.0).max(1.0);
                let b_term = r.ess.map_or(0.0, |e| b * b / (e - 1.0));
                let dof = (a + b).powi(2) / (a * a / nu_y + b_term);
                let t = StudentsT::new(0.0, 1.0, dof).unwrap().inverse_cdf(1.0 - alpha / 2.0);
                assert!((c.z - z).abs() <= 1e-12 * z.abs(), "{}: z {} vs {z}", r.name, c.z);
                assert!((c.dof - dof).abs() <= 1e-12 * dof, "{}: dof {} vs {dof}", r.name, c.dof);
                assert!((c.threshold - t).abs() <= 1e-9 * t, "{}: threshold {} vs {t}", r.name, c.threshold);
            } else {
                assert_eq!((y.mcse, c.dof), (0.0, f64::INFINITY));
                assert_eq!(c.z, if step_mean == vv { 0.0 } else { f64::INFINITY });
            }
        }
    }
    match check_chain(&stat_reference(256, 4, vec![]), &p, 0, &states[..64], alpha) {
        Err(Error::DimensionMismatch { expected, found, .. }) => assert_eq!((expected, found), (65, 64)),
        other => panic!("{other:?}"),
    }
}

/// `check_chains` splits the family false-failure probability evenly:
/// each of the 3 comparisons of each of m chains is made at
/// α = FALSE_FAILURE/(3m) (Bonferroni, module docs), so its thresholds are
/// those of `check_chain` at that α, for m = 1 and m = 2 (a mutant of the
/// split, 3 + m or 3m·FALSE_FAILURE, gives other thresholds). The report
/// keeps the chains' indices and states the family probability. Written
/// for the mutation campaign of issue 20 (`check_chains`, statistical.rs:568).
#[test]
fn check_chains_splits_the_false_failure_probability_over_chains_and_functions() {
    use transport_langevin::conform::{check_chain, check_chains, TEST_FUNCTIONS};
    use transport_langevin::model::Potential;
    let spec = conform::conformance_specs()[0].1.clone();
    let p = spec.build().unwrap();
    let (n, q) = p.model.shape();
    let (_, states) = straight_path(n * q, 65, 1.0);
    let reference = stat_reference(
        256,
        4,
        vec![
            ref_value("emp_risk", 3.0, 0.5, Some(100.0), Some(1.0)),
            ref_value("sq_norm", 10.0, 0.5, Some(100.0), Some(1.0)),
            ref_value("step_sq", 1.0, 0.25, Some(100.0), Some(1.0)),
        ],
    );
    assert_eq!(TEST_FUNCTIONS.len(), 3);
    for chains in [vec![(3u64, &states[..])], vec![(3u64, &states[..]), (5u64, &states[..])]] {
        let m = chains.len();
        let report = check_chains(reference.clone(), &p, &chains).unwrap();
        assert_eq!(report.false_failure_prob, FALSE_FAILURE);
        assert_eq!(report.chains.len(), m);
        let each = FALSE_FAILURE / (3 * m) as f64;
        for (cv, (c, s)) in report.chains.iter().zip(&chains) {
            assert_eq!(cv.chain, *c);
            let alone = check_chain(&reference, &p, *c, s, each).unwrap();
            for (got, want) in cv.comparisons.iter().zip(&alone.comparisons) {
                assert!(
                    got.dof.is_finite() && got.threshold > 2.0,
                    "{}: dof {}, threshold {}",
                    got.name,
                    got.dof,
                    got.threshold
                );
                assert_eq!(
                    got.threshold,
                    want.threshold,
                    "{} with {m} chain(s): α = FALSE_FAILURE/{}",
                    got.name,
                    3 * m
                );
            }
        }
    }
}

/// Your chain's ESS decides between a verdict and "inconclusive": a
/// comparison with ESS < MIN_ESS makes the chain inconclusive (naming the
/// ESS), ESS = MIN_ESS is enough (module docs: "every ESS large enough").
/// On regression with targets 0, the chain W_k = 0 of 401 states (T = 400,
/// thin 1) has exactly constant series, whose ESS is their length (`chain_stat`): 201 for emp_risk and sq_norm
/// and exactly 200 = MIN_ESS for step_sq (200 steps); against an exact
/// reference equal to its own means it conforms. The straight path
/// W_k = k·v of 401 states (ESS far below 200 for emp_risk and sq_norm,
/// means matched again) is inconclusive. Written for the mutation campaign
/// of issue 20 (`check_chain`, statistical.rs:471).
#[test]
fn chain_ess_below_the_minimum_is_inconclusive_and_the_minimum_is_enough() {
    use transport_langevin::conform::{check_chain, Verdict, MIN_ESS};
    use transport_langevin::model::Potential;
    use transport_langevin::space::Coef;
    use transport_langevin::spec::DataSpec;
    // Targets y = 0, so 𝓛̂(0) = 0 exactly and the constant chain W_k = 0
    // has exactly constant series.
    let base = conform::conformance_specs()[0].1.clone();
    let spec = Spec {
        data: DataSpec::Inline {
            x: (0..8).map(|i| vec![i as f64 / 8.0]).collect(),
            y: vec![0.0; 8],
        },
        ..base
    };
    let p = spec.build().unwrap();
    let (n, q) = p.model.shape();
    let constant: Vec<Vec<f64>> = vec![vec![0.0; n * q]; 401];
    let (_, path) = straight_path(n * q, 401, 400.0);
    for (states, want) in [(&constant, Verdict::Conforms), (&path, Verdict::Inconclusive)] {
        let half = &states[200..];
        let series = [
            half.iter()
                .map(|s| p.model.value(&Coef::from_row_slice(n, q, s)))
                .collect::<Vec<f64>>(),
            half.iter().map(|s| s.iter().map(|x| x * x).sum()).collect(),
            half.windows(2)
                .map(|w| w[0].iter().zip(&w[1]).map(|(a, b)| (b - a) * (b - a)).sum())
                .collect(),
        ];
        let stats: Vec<_> = series.iter().map(|s| conform::chain_stat(s)).collect();
        let names = ["emp_risk", "sq_norm", "step_sq"];
        let reference = stat_reference(
            400,
            1,
            (0..3).map(|i| ref_value(names[i], stats[i].mean, 0.0, None, None)).collect(),
        );
        let cv = check_chain(&reference, &p, 0, states, 0.01).unwrap();
        assert_eq!(cv.verdict, want, "{:?}", cv.reason);
        if want == Verdict::Conforms {
            assert_eq!(stats.iter().map(|s| s.ess).collect::<Vec<_>>(), vec![201.0, 201.0, MIN_ESS]);
            assert_eq!(cv.reason, None);
        } else {
            assert!(stats[0].ess < MIN_ESS && stats[1].ess < MIN_ESS, "{stats:?}");
            assert!(cv.reason.as_ref().is_some_and(|r| r.contains("your ESS")), "{:?}", cv.reason);
        }
    }
}
