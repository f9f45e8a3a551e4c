//! The command line: exit codes, one-line errors, determinism of
//! `reproduce`, and the golden files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use transport_langevin::golden::GoldenFile;
use transport_langevin::statements::CATALOGUE;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_transport-langevin"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tl-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Exit code 2 and exactly one line on stderr, nothing on stdout.
fn assert_bad_input(o: &Output) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("error: "));
    assert!(o.stdout.is_empty());
}

const CONSTANTS: [&str; 16] = [
    "--c-mu",
    "1",
    "--lambda",
    "0.5",
    "--beta",
    "10",
    "--eta",
    "0.01",
    "--mu0",
    "1",
    "--grad-bound",
    "2",
    "--loss-bound",
    "1",
    "--delta",
    "0.5",
];

#[test]
fn constants_prints_the_p1_keys() {
    let o = run(&[&["constants"][..], &CONSTANTS[..]].concat());
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in ["rho", "b", "b_bar", "kappa", "v_bar", "lambda_star", "c_w0"] {
        assert!(v[k].as_f64().unwrap().is_finite(), "{k}");
    }
    // ρ = 1/(1 + λη/μ0) = 1/1.005; b = (μ0/λ)B + c_μ/(βλ) = 4 + 0.2.
    assert!((v["rho"].as_f64().unwrap() - 1.0 / 1.005).abs() < 1e-15);
    assert!((v["b"].as_f64().unwrap() - 4.2).abs() < 1e-12);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let with = |flag: &str, value: &str| {
        let mut a: Vec<&str> = vec!["constants"];
        let mut i = 0;
        while i < CONSTANTS.len() {
            a.push(CONSTANTS[i]);
            a.push(if CONSTANTS[i] == flag { value } else { CONSTANTS[i + 1] });
            i += 2;
        }
        run(&a)
    };
    for (flag, value) in [
        ("--lambda", "0"),
        ("--lambda", "-1"),
        ("--c-mu", "nan"),
        ("--beta", "inf"),
        ("--eta", "-0.1"),
        ("--beta", "0.001"),
        ("--delta", "1"),
        ("--mu0", "abc"),
    ] {
        assert_bad_input(&with(flag, value));
    }
    assert_bad_input(&run(&["constants", "--lambda", "1"]));
    assert_bad_input(&run(&[]));
    assert_bad_input(&run(&["frobnicate"]));
    assert_bad_input(&run(&["reproduce", "--seed", "abc"]));
    assert_bad_input(&run(&["reproduce", "--only", "S1,NOPE"]));
    assert_bad_input(&run(&["reproduce", "--quick", "--quick"]));
    assert_bad_input(&run(&["reproduce", "--bless"]));
    assert_bad_input(&run(&["reproduce", "--out"]));
}

#[test]
fn unwritable_output_is_exit_2_and_writes_nothing() {
    let d = tmp("unwritable");
    std::fs::create_dir_all(&d).unwrap();
    let file = d.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = file.join("sub");
    assert_bad_input(&run(&["reproduce", "--quick", "--only", "S1", "--out", out.to_str().unwrap()]));
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
}

/// Every visible file under `dir` is complete: JSON files parse, SVG files
/// end with `</svg>`. Returns how many files were looked at.
fn assert_all_complete(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue; // a temporary name: never read as output
        }
        if p.is_dir() {
            n += assert_all_complete(&p);
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        if name.ends_with(".json") {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
                "truncated {}",
                p.display()
            );
        } else if name.ends_with(".svg") {
            assert!(
                String::from_utf8_lossy(&bytes).trim_end().ends_with("</svg>"),
                "truncated {}",
                p.display()
            );
        }
        n += 1;
    }
    n
}

/// An interrupted `reproduce` leaves no truncated output: the process is
/// killed at several moments of a quick run into a folder that already
/// holds a complete run; every visible file is complete afterwards, and the
/// old `summary.json` is still there, whole.
#[test]
fn interrupted_reproduce_leaves_no_partial_file() {
    let d = tmp("interrupted");
    let args = ["reproduce", "--quick", "--only", "S2,S5,S6,T1,CF", "--out", d.to_str().unwrap()];
    assert!(run(&args).status.success());
    let before = std::fs::read(d.join("summary.json")).unwrap();
    for wait_ms in [50, 300, 1000, 2500] {
        let mut child = bin()
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert!(assert_all_complete(&d) > 1);
        let now = std::fs::read(d.join("summary.json")).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&now).is_ok());
        assert_eq!(now.len(), before.len(), "same seed: a finished rewrite has the same bytes");
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

/// Every golden file parses under the schema (unknown fields rejected),
/// names a statement of the catalogue, and carries a standard error and a
/// positive tolerance beside every value.
#[test]
fn golden_files_follow_the_schema() {
    let mut n = 0;
    for e in std::fs::read_dir(golden_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let g = GoldenFile::parse(&std::fs::read_to_string(&p).unwrap(), &p.display().to_string()).unwrap();
            assert_eq!(p.file_stem().unwrap().to_str().unwrap(), g.statement);
            n += 1;
        }
    }
    assert!(n >= 5);
    assert!(GoldenFile::parse("{\"schema_version\": 1}", "x").is_err());
}

/// The whole quick audit, run with 1 and with 2 threads: both runs match the
/// golden files and write byte-identical `summary.json` (determinism across
/// runs and thread counts), with one record per statement ID.
#[test]
fn reproduce_quick_is_deterministic_and_matches_golden() {
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let d = tmp(&format!("repro-{threads}"));
        let o = bin()
            .args(["reproduce", "--quick", "--check-golden", "--out", d.to_str().unwrap(), "--golden"])
            .arg(golden_dir())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(std::fs::read(d.join("summary.json")).unwrap());
        assert!(d.join("report.md").exists());
        if threads == "1" {
            check_plots_and_gallery(&d);
        }
    }
    assert_eq!(outs[0], outs[1], "summary.json differs between 1 and 2 threads");
    let v: serde_json::Value = serde_json::from_slice(&outs[0]).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["crate_version"], env!("CARGO_PKG_VERSION"));
    let ids: Vec<&str> = v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = CATALOGUE.iter().map(|(i, _)| *i).collect();
    assert_eq!(ids, expected);
    for r in v["records"].as_array().unwrap() {
        for k in ["id", "title", "status", "parameters", "theoretical", "empirical", "evidence"] {
            assert!(r.get(k).is_some(), "record lacks {k}");
        }
    }
}

/// Every SVG of the quick audit passes the style check of `svg_check::check_svg`
/// (its controls are in `tests/plots.rs`), has a line in the gallery that
/// opens `report.md`, and the gallery lists nothing else.
fn check_plots_and_gallery(d: &Path) {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
    let svgs: Vec<String> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["evidence"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()))
        .filter(|e| e.ends_with(".svg"))
        .collect();
    assert!(svgs.len() >= 9, "plots of the quick audit: {svgs:?}");
    let report = std::fs::read_to_string(d.join("report.md")).unwrap();
    let gallery = report.split("## Statements and verdicts").next().unwrap();
    assert!(gallery.contains("## Gallery"), "the report opens with the gallery");
    assert_eq!(gallery.matches("\n- **").count(), svgs.len());
    for e in &svgs {
        let svg = std::fs::read_to_string(d.join(e)).unwrap();
        assert_eq!(transport_langevin::svg_check::check_svg(&svg), Vec::<String>::new(), "{e}");
        let guide = transport_langevin::report::plot_guide(e).unwrap_or_else(|| panic!("no gallery line for {e}"));
        assert!(gallery.contains(&format!("[`{e}`]({e}): {guide}")), "{e}");
    }
}

/// Negative control of the golden check: a tampered golden value makes
/// `--check-golden` exit 1 with one line naming the value.
#[test]
fn tampered_golden_fails_with_exit_1() {
    let d = tmp("tamper");
    let gd = d.join("golden");
    std::fs::create_dir_all(&gd).unwrap();
    let text = std::fs::read_to_string(golden_dir().join("S1.json")).unwrap();
    let mut g: serde_json::Value = serde_json::from_str(&text).unwrap();
    let v = g["values"][0]["value"].as_f64().unwrap();
    g["values"][0]["value"] = serde_json::json!(v * 1.5 + 1e-3);
    std::fs::write(gd.join("S1.json"), serde_json::to_string(&g).unwrap()).unwrap();
    let o = run(&[
        "reproduce",
        "--quick",
        "--only",
        "S1",
        "--check-golden",
        "--out",
        d.join("out").to_str().unwrap(),
        "--golden",
        gd.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1);
    assert!(err.contains("golden"));
}

/// `--help` and `-h` on every command: its flags with their meaning, exit 0.
#[test]
fn every_command_has_help() {
    let cases: [(&str, &[&str]); 6] = [
        (
            "reproduce",
            &["--quick", "--out", "--only", "--seed", "--bless", "--check-golden", "--golden"],
        ),
        (
            "constants",
            &[
                "--c-mu",
                "--lambda",
                "--beta",
                "--eta",
                "--mu0",
                "--grad-bound",
                "--loss-bound",
                "--delta",
                "rho_pow",
            ],
        ),
        (
            "spec",
            &["--example", "--model", "--spectrum", "--schema", "regression", "gaussian-kernel"],
        ),
        ("run", &["--spec", "--out", "--full", "--pcn", "100000"]),
        ("conform", &["--spec", "--trajectory", "--rtol", "--atol", "reference", "yours"]),
        (
            "small-ball",
            &["--gamma", "--beta-lambda", "--eps", "--c-mu", "--decay", "--truncate"],
        ),
    ];
    for (cmd, flags) in cases {
        for h in ["--help", "-h"] {
            let o = run(&[cmd, h]);
            assert_eq!(o.status.code(), Some(0), "{cmd} {h}");
            let text = String::from_utf8_lossy(&o.stdout);
            for f in flags {
                assert!(text.contains(f), "`{cmd} {h}` does not mention {f}:\n{text}");
            }
            assert!(text.contains("Exit codes"), "{cmd}");
        }
        // Help wins over other (even bad) flags, and `help CMD` is the same text.
        assert_eq!(run(&[cmd, "--bogus", "--help"]).stdout, run(&[cmd, "--help"]).stdout);
        assert_eq!(run(&["help", cmd]).stdout, run(&[cmd, "--help"]).stdout);
    }
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("--schema") && text.contains("COMMAND --help"), "{text}");
    assert_bad_input(&run(&["help", "frobnicate"]));
}

/// `--only` is case-insensitive; an unknown ID lists the valid ones.
#[test]
fn only_ids_are_case_insensitive() {
    let d = tmp("only");
    let o = run(&["reproduce", "--quick", "--only", "s1", "--out", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("S1 "));
    let o = run(&["reproduce", "--quick", "--only", "s1,nope", "--out", d.to_str().unwrap()]);
    assert_bad_input(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    for id in CATALOGUE.iter().map(|(i, _)| *i) {
        assert!(err.contains(id), "{id} not listed: {err}");
    }
}
