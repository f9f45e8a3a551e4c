//! The command line: `reproduce`, `constants`, `spec`, `run`, `conform`,
//! `small-ball` and `help`. It is part of the binary, not of the library.
//!
//! Every error is one line on stderr with exit code 2 (bad input) or 1 (a
//! golden check failed, a trajectory does not conform); outputs are written
//! atomically. The exit codes belong to [`CliError`], never to the library.

mod help;

use help::{help_of, USAGE};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use transport_langevin::conform::{self, Trajectory};
use transport_langevin::dynamics::Observer;
use transport_langevin::experiments::{self, Context, DEFAULT_SEED};
use transport_langevin::golden::{self, GoldenFile};
use transport_langevin::json;
use transport_langevin::report;
use transport_langevin::spec::Spec;
use transport_langevin::statements::cf;
use transport_langevin::statements::p1::P1Params;
use transport_langevin::Error;

/// What the command line can fail with: its own usage errors, or an error of
/// the library. It owns the exit codes.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Command-line usage: unknown command or flag, missing or repeated flag.
    #[error("usage: {0}")]
    Usage(String),
    /// A flag whose value does not parse.
    #[error("flag `{flag}` expects {expected}, got `{value}`")]
    BadFlagValue {
        /// The flag.
        flag: String,
        /// What it expects.
        expected: &'static str,
        /// What it got.
        value: String,
    },
    /// A statement ID that the catalogue does not define, with the valid ones.
    #[error("unknown statement ID `{id}`; valid IDs: {valid}")]
    UnknownStatement {
        /// The ID given.
        id: String,
        /// The valid IDs, comma-separated.
        valid: String,
    },
    /// A seed that is not an unsigned 64-bit integer.
    #[error("seed `{0}` is not an unsigned 64-bit integer")]
    InvalidSeed(String),
    /// The statistical mode could not decide (a chain too short, a reference
    /// unreliable): exit code 3, never "does not conform".
    #[error("inconclusive: {0}")]
    Inconclusive(String),
    /// An error of the library.
    #[error(transparent)]
    Library(#[from] Error),
}

impl CliError {
    /// 1 for a verdict against the input (golden mismatch, non-conforming
    /// trajectory), 3 for an inconclusive statistical check, 2 for bad input.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Library(Error::GoldenMismatch(_) | Error::NotConforming(_)) => 1,
            CliError::Inconclusive(_) => 3,
            _ => 2,
        }
    }
}

type Result<T> = std::result::Result<T, CliError>;

/// Parses a seed given as a decimal string.
pub fn parse_seed(s: &str) -> Result<u64> {
    s.trim().parse::<u64>().map_err(|_| CliError::InvalidSeed(s.to_string()))
}

/// Parses a comma-separated `--only` list into known statement IDs
/// (case-insensitive: `s6` is `S6`, `c-eta` is `C-eta`).
pub fn parse_only(list: &str) -> Result<Vec<String>> {
    let catalogue = &transport_langevin::record::CATALOGUE;
    let mut out = Vec::new();
    for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((canonical, _)) = catalogue.iter().find(|(i, _)| i.eq_ignore_ascii_case(id)) else {
            return Err(CliError::UnknownStatement {
                id: id.to_string(),
                valid: catalogue.iter().map(|(i, _)| *i).collect::<Vec<_>>().join(", "),
            });
        };
        out.push(canonical.to_string());
    }
    if out.is_empty() {
        return Err(CliError::Usage("--only needs at least one statement ID".into()));
    }
    Ok(out)
}

/// Parsed flags: `--name value` pairs and bare switches.
struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Flags {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Flags> {
        let mut values = BTreeMap::new();
        let mut sw = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (a.clone(), None),
            };
            if with_value.contains(&name.as_str()) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| CliError::Usage(format!("flag `{name}` needs a value")))?
                    }
                };
                if values.insert(name.clone(), v).is_some() {
                    return Err(CliError::Usage(format!("flag `{name}` given twice")));
                }
            } else if switches.contains(&name.as_str()) && inline.is_none() {
                if sw.contains(&name) {
                    return Err(CliError::Usage(format!("flag `{name}` given twice")));
                }
                sw.push(name);
            } else {
                return Err(CliError::Usage(format!("unknown argument `{a}` (see `--help`)")));
            }
            i += 1;
        }
        Ok(Flags { values, switches: sw })
    }

    fn has(&self, s: &str) -> bool {
        self.switches.iter().any(|x| x == s)
    }

    fn number(&self, flag: &str) -> Result<f64> {
        let v = self
            .values
            .get(flag)
            .ok_or_else(|| CliError::Usage(format!("missing flag `{flag}`")))?;
        v.trim().parse::<f64>().map_err(|_| CliError::BadFlagValue {
            flag: flag.to_string(),
            expected: "a number",
            value: v.clone(),
        })
    }
}

/// What a successful parse and run produced: text for stdout and, for the
/// verdicts that exit 1 (golden mismatch, non-conforming trajectory), the
/// failure to report after it.
#[derive(Debug)]
pub struct Output {
    /// Text for stdout.
    pub stdout: String,
    /// A check that failed (exit code 1) or could not decide (exit code 3).
    pub failure: Option<CliError>,
}

/// Runs the CLI on `args` (without the program name). `Err` is bad input
/// (exit 2); `Ok` carries stdout and possibly a failed check (exit 1).
pub fn run(args: &[String]) -> Result<Output> {
    let (stdout, failure) = match dispatch(args) {
        Ok(s) => (s, None),
        Err(Outcome::Failed(stdout, e)) => (stdout, Some(e)),
        Err(Outcome::Bad(e)) => return Err(e),
    };
    Ok(Output { stdout, failure })
}

/// Internal: a bad input, or a completed run whose check failed.
enum Outcome {
    Bad(CliError),
    Failed(String, CliError),
}

impl From<CliError> for Outcome {
    fn from(e: CliError) -> Outcome {
        Outcome::Bad(e)
    }
}

impl From<Error> for Outcome {
    fn from(e: Error) -> Outcome {
        Outcome::Bad(CliError::Library(e))
    }
}

fn dispatch(args: &[String]) -> std::result::Result<String, Outcome> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(CliError::Usage("no command given (see `transport-langevin help`)".into()).into());
    };
    if let Some(h) = help_of(cmd) {
        if rest.iter().any(|a| a == "--help" || a == "-h") {
            return Ok(h.to_string());
        }
    }
    match cmd.as_str() {
        "reproduce" => reproduce(rest),
        "constants" => Ok(constants(rest)?),
        "spec" => Ok(spec_cmd(rest)?),
        "run" => Ok(run_cmd(rest)?),
        "conform" => conform_cmd(rest),
        "small-ball" => Ok(small_ball(rest)?),
        "help" | "--help" | "-h" => match rest {
            [] => Ok(USAGE.to_string()),
            [c] => help_of(c)
                .map(str::to_string)
                .ok_or_else(|| CliError::Usage(format!("no command `{c}` (see `transport-langevin help`)")).into()),
            _ => Err(CliError::Usage("help takes at most one command".into()).into()),
        },
        "--version" | "version" => Ok(format!("transport-langevin {}\n", report::CRATE_VERSION)),
        other => Err(CliError::Usage(format!("unknown command `{other}` (see `transport-langevin help`)")).into()),
    }
}

fn constants(args: &[String]) -> Result<String> {
    let names = [
        "--c-mu",
        "--lambda",
        "--beta",
        "--eta",
        "--mu0",
        "--grad-bound",
        "--loss-bound",
        "--delta",
    ];
    let f = Flags::parse(args, &names, &[])?;
    let p = P1Params {
        c_mu: f.number("--c-mu")?,
        lambda: f.number("--lambda")?,
        beta: f.number("--beta")?,
        eta: f.number("--eta")?,
        mu0: f.number("--mu0")?,
        grad_bound: f.number("--grad-bound")?,
        loss_bound: f.number("--loss-bound")?,
        delta: f.number("--delta")?,
    };
    let c = p.constants()?;
    let mut s = serde_json::to_string_pretty(&c).expect("serializable");
    s.push('\n');
    Ok(s)
}

/// `small-ball`: −log ν̃_β({‖h‖ ≤ ε}) for s_k = (c_μ (k+1)^{−p})^{γ+1}/(βλ)
/// (`statements::cf`), as JSON; `--truncate K` adds the rigorous bracket of
/// the K-term truncation.
fn small_ball(args: &[String]) -> Result<String> {
    let f = Flags::parse(args, &["--gamma", "--beta-lambda", "--eps", "--c-mu", "--decay", "--truncate"], &[])?;
    let gamma = f.number("--gamma")?;
    let beta_lambda = f.number("--beta-lambda")?;
    let eps = f.number("--eps")?;
    let c_mu = if f.values.contains_key("--c-mu") {
        f.number("--c-mu")?
    } else {
        1.0
    };
    let decay = if f.values.contains_key("--decay") {
        f.number("--decay")?
    } else {
        2.0
    };
    let v = cf::Variances::prior(c_mu, decay, gamma, beta_lambda)?;
    let sb = cf::small_ball(&v, eps)?;
    let mut out = serde_json::json!({
        "gamma": gamma, "beta_lambda": beta_lambda, "eps": eps, "c_mu": c_mu, "decay": decay,
        "neg_log_prob": sb.neg_log_prob, "error_bound": sb.error_bound,
        "chernoff_lower_bound": (sb.saddle_point > 0.0).then_some(sb.chernoff),
        "saddle_point": sb.saddle_point, "contour_abscissa": sb.abscissa, "nodes": sb.nodes,
        "method": "saddle-point Laplace inversion, Euler-Maclaurin tail (statements::cf)",
    });
    if let Some(k) = f.values.get("--truncate") {
        let k: usize = k.trim().parse().map_err(|_| CliError::BadFlagValue {
            flag: "--truncate".into(),
            expected: "a positive integer",
            value: k.clone(),
        })?;
        let (lo, hi) = cf::truncation_bracket(&v, eps, k)?;
        out["truncation"] =
            serde_json::json!({"terms": k, "tail_mass_bound": v.tail_mass_bound(k), "neg_log_prob_lower": lo, "neg_log_prob_upper": hi});
    }
    let mut s = serde_json::to_string_pretty(&out).expect("serializable");
    s.push('\n');
    Ok(s)
}

fn reproduce(args: &[String]) -> std::result::Result<String, Outcome> {
    let f = Flags::parse(
        args,
        &["--out", "--only", "--seed", "--golden"],
        &["--quick", "--bless", "--check-golden"],
    )?;
    let quick = f.has("--quick");
    let out = PathBuf::from(f.values.get("--out").map(String::as_str).unwrap_or("out"));
    let golden_dir = PathBuf::from(f.values.get("--golden").map(String::as_str).unwrap_or("golden"));
    let seed = match f.values.get("--seed") {
        Some(s) => parse_seed(s)?,
        None => DEFAULT_SEED,
    };
    let only = match f.values.get("--only") {
        Some(list) => Some(parse_only(list)?),
        None => None,
    };
    if (f.has("--bless") || f.has("--check-golden")) && (!quick || seed != DEFAULT_SEED) {
        return Err(CliError::Usage("--bless and --check-golden need --quick and the default seed".into()).into());
    }
    // Fail early, before any work, if the output folder cannot be made.
    std::fs::create_dir_all(&out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let total = only.as_ref().map_or(transport_langevin::statements::CATALOGUE.len(), Vec::len);
    let bar = Arc::new(Bar::new(total));
    let ctx = Context::new(quick, seed)
        .with_evidence(Arc::new(report::FolderEvidence::new(&out)))
        .observed(bar.clone());
    let records = experiments::run_all(&ctx, only.as_deref());
    bar.finish();
    let records = records?;

    let mut mismatches = Vec::new();
    if f.has("--check-golden") {
        for r in &records {
            if let Some(g) = golden::read(&golden_dir, &r.id)? {
                mismatches.extend(g.compare(r));
            }
        }
    }
    report::write_atomic(&out.join("summary.json"), &report::to_json_bytes(&report::summary(&records)))?;
    report::write_atomic(&out.join("report.md"), report::markdown(&records, quick).as_bytes())?;
    let mut blessed = 0;
    if f.has("--bless") {
        for r in records.iter().filter(|r| !r.checks.is_empty()) {
            let g = GoldenFile::from_record(r, seed);
            let v = serde_json::to_value(&g).expect("serializable");
            report::write_atomic(&golden_dir.join(format!("{}.json", r.id)), &report::to_json_bytes(&v))?;
            blessed += 1;
        }
        for (name, spec) in conform::conformance_specs() {
            let t = conform::run(&spec, true, false)?.trajectory.expect("asked for the trajectory");
            let v = serde_json::to_value(&t).expect("serializable");
            report::write_atomic(
                &golden_dir.join("conformance").join(format!("{name}.json")),
                &report::to_json_bytes(&v),
            )?;
            blessed += 1;
        }
    }
    let mut msg = String::new();
    for r in &records {
        msg.push_str(&format!("{:8} {}\n", r.id, r.status.as_str()));
    }
    msg.push_str(&format!("wrote {}/summary.json and {}/report.md\n", out.display(), out.display()));
    if blessed > 0 {
        msg.push_str(&format!("blessed {blessed} golden files in {}\n", golden_dir.display()));
    }
    if !mismatches.is_empty() {
        return Err(Outcome::Failed(msg, Error::GoldenMismatch(mismatches.join("; ")).into()));
    }
    Ok(msg)
}

/// The progress bar of `reproduce`: one tick per statement, the latest
/// sweep point as its message (drawn on stderr, cleared at the end).
struct Bar {
    bar: ProgressBar,
    current: Mutex<String>,
}

impl Bar {
    fn new(total: usize) -> Bar {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"));
        Bar {
            bar,
            current: Mutex::new(String::new()),
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Bar {
    fn begin(&self, name: &str) {
        let mut s = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if !s.is_empty() {
            self.bar.inc(1);
        }
        *s = name.to_string();
        self.bar.set_message(name.to_string());
    }

    fn message(&self, msg: &str) {
        let id = self.current.lock().map(|s| s.clone()).unwrap_or_default();
        self.bar.set_message(format!("{id} — {msg}"));
    }
}

/// `run` writes the trajectory without `--full` when it holds at most this
/// many numbers per array (states, noise).
pub const SMALL_TRAJECTORY: usize = 100_000;

fn read_spec(path: &str) -> Result<Spec> {
    let text = json::read_text(std::path::Path::new(path))?;
    Ok(Spec::parse(&text, path)?)
}

fn spec_cmd(args: &[String]) -> Result<String> {
    let f = Flags::parse(args, &["--model", "--spectrum"], &["--example", "--schema"])?;
    let example = f.has("--example") || f.values.contains_key("--model") || f.values.contains_key("--spectrum");
    if f.has("--schema") {
        if example {
            return Err(CliError::Usage("spec: --schema takes no other flag".into()));
        }
        let v = transport_langevin::spec::schema();
        return Ok(String::from_utf8(report::to_json_bytes(&v)).expect("utf-8"));
    }
    if !example {
        return Err(CliError::Usage("spec needs --example or --schema (see `spec --help`)".into()));
    }
    let examples = Spec::examples();
    let kinds = |i: usize| {
        let mut k: Vec<&str> = examples.iter().map(|e| if i == 0 { e.0 } else { e.1 }).collect();
        k.dedup();
        k.join(", ")
    };
    let model = f.values.get("--model").map(|m| m.trim());
    let spectrum = f.values.get("--spectrum").map(|m| m.trim());
    if let Some(m) = model {
        if !examples.iter().any(|e| e.0 == m) {
            return Err(CliError::BadFlagValue {
                flag: "--model".into(),
                expected: "a model kind (regression, two-layer, clipped, discrete, deep, resnet, ot-map)",
                value: m.to_string(),
            });
        }
    }
    if let Some(sp) = spectrum {
        if !examples.iter().any(|e| e.1 == sp) {
            return Err(CliError::BadFlagValue {
                flag: "--spectrum".into(),
                expected: "a spectrum kind (power-law, gaussian-kernel)",
                value: sp.to_string(),
            });
        }
    }
    let found = match (model, spectrum) {
        (None, None) => Some(Spec::example()),
        _ => examples
            .iter()
            .find(|e| model.is_none_or(|m| e.0 == m) && spectrum.is_none_or(|sp| e.1 == sp))
            .map(|e| e.2.clone()),
    };
    let Some(spec) = found else {
        let needs = examples.iter().find(|e| Some(e.0) == model).map_or("", |e| e.1);
        return Err(CliError::Usage(format!(
            "spec: model `{}` needs the `{needs}` spectrum, not `{}` (models: {}; spectra: {})",
            model.unwrap_or(""),
            spectrum.unwrap_or(""),
            kinds(0),
            kinds(1)
        )));
    };
    let v = serde_json::to_value(spec).expect("serializable");
    Ok(String::from_utf8(report::to_json_bytes(&v)).expect("utf-8"))
}

fn run_cmd(args: &[String]) -> Result<String> {
    let f = Flags::parse(args, &["--spec", "--out", "--explain", "--chain"], &["--full", "--pcn"])?;
    let spec_path = f.values.get("--spec").ok_or_else(|| CliError::Usage("run needs --spec F".into()))?;
    let spec = read_spec(spec_path)?;
    let index = |flag: &str| -> Result<Option<usize>> {
        f.values
            .get(flag)
            .map(|v| {
                v.trim().parse::<usize>().map_err(|_| CliError::BadFlagValue {
                    flag: flag.to_string(),
                    expected: "a step or chain index (an integer >= 0)",
                    value: v.clone(),
                })
            })
            .transpose()
    };
    if let Some(k) = index("--explain")? {
        let chain = index("--chain")?.unwrap_or(0);
        let v = conform::explain_run(&spec, chain, k)?;
        return Ok(String::from_utf8(report::to_json_bytes(&v)).expect("utf-8"));
    }
    if f.values.contains_key("--chain") {
        return Err(CliError::Usage("--chain goes with --explain K".into()));
    }
    let out = PathBuf::from(
        f.values
            .get("--out")
            .ok_or_else(|| CliError::Usage("run needs --out DIR (or --explain K)".into()))?,
    );
    std::fs::create_dir_all(&out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    // The trajectory holds every chain whose states and noise fit the cap
    // (SMALL_TRAJECTORY numbers per array over the chains kept); --full
    // keeps every chain whatever its size.
    let per_chain = (spec.steps + 1) * spec.modes() * spec.value_dim();
    let keep = if f.has("--full") {
        spec.chains
    } else {
        (SMALL_TRAJECTORY / per_chain.max(1)).min(spec.chains)
    };
    let o = conform::run_keeping(&spec, keep, f.has("--pcn"))?;
    report::write_atomic(&out.join("summary.json"), &report::to_json_bytes(&o.summary))?;
    let mut msg = format!("wrote {}/summary.json\n", out.display());
    if keep == 0 {
        msg.push_str(&format!(
            "trajectory not written: {per_chain} numbers per array for one chain ((steps + 1) x modes x q) > {SMALL_TRAJECTORY}; pass --full to write it\n"
        ));
    } else if keep < spec.chains {
        msg.push_str(&format!(
            "trajectory holds chains 0..{keep} of {}: {per_chain} numbers per array per chain, cap {SMALL_TRAJECTORY}; pass --full for every chain\n",
            spec.chains
        ));
    }
    if let Some(t) = o.trajectory {
        let v = serde_json::to_value(&t).expect("serializable");
        report::write_atomic(&out.join("trajectory.json"), &report::to_json_bytes(&v))?;
        msg.push_str(&format!("wrote {}/trajectory.json\n", out.display()));
    }
    Ok(msg)
}

fn conform_cmd(args: &[String]) -> std::result::Result<String, Outcome> {
    let f = Flags::parse(args, &["--spec", "--trajectory", "--rtol", "--atol", "--precision", "--mode"], &[])?;
    let tpath = f
        .values
        .get("--trajectory")
        .ok_or_else(|| CliError::Usage("conform needs --trajectory T".into()))?;
    let text = json::read_text(std::path::Path::new(tpath))?;
    let traj: Trajectory = json::parse(&text, tpath)?;
    if traj.format_version != conform::TRAJECTORY_VERSION {
        return Err(Error::OutOfRange {
            name: "format_version",
            value: traj.format_version as f64,
            range: "{1}",
        }
        .into());
    }
    let spec = match (f.values.get("--spec"), &traj.spec) {
        (Some(p), embedded) => {
            let s = read_spec(p)?;
            if embedded.as_ref().is_some_and(|e| *e != s) {
                return Err(CliError::Usage(format!("the trajectory's spec differs from `{p}`")).into());
            }
            s
        }
        (None, Some(s)) => {
            s.validate()?;
            s.clone()
        }
        (None, None) => return Err(CliError::Usage("conform needs --spec F (the trajectory has no spec)".into()).into()),
    };
    let f32 = match f.values.get("--precision").map(|s| s.trim()) {
        None | Some("f64") => false,
        Some("f32") => true,
        Some(other) => {
            return Err(CliError::BadFlagValue {
                flag: "--precision".into(),
                expected: "f64 or f32",
                value: other.to_string(),
            }
            .into())
        }
    };
    let statistical = match f.values.get("--mode").map(|s| s.trim()) {
        None => !traj.has_noise(),
        Some("exact") => false,
        Some("statistical") => true,
        Some(other) => {
            return Err(CliError::BadFlagValue {
                flag: "--mode".into(),
                expected: "exact or statistical",
                value: other.to_string(),
            }
            .into())
        }
    };
    if f32 && (f.values.contains_key("--rtol") || f.values.contains_key("--atol")) {
        return Err(CliError::Usage("--precision f32 sets its own tolerance; drop --rtol/--atol".into()).into());
    }
    let tol = |flag: &str, given: Option<f64>, default: f64| -> Result<f64> {
        let v = if f.values.contains_key(flag) {
            f.number(flag)?
        } else {
            given.unwrap_or(default)
        };
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(CliError::BadFlagValue {
                flag: flag.to_string(),
                expected: "a finite number >= 0",
                value: v.to_string(),
            })
        }
    };
    let rtol = tol("--rtol", traj.rtol, conform::DEFAULT_RTOL)?;
    let atol = tol("--atol", traj.atol, conform::DEFAULT_ATOL)?;
    if rtol == 0.0 && atol == 0.0 {
        return Err(CliError::Usage("--rtol and --atol cannot both be 0".into()).into());
    }
    let problem = spec.build()?;
    let (json, failure) = if !statistical {
        let precision = if f32 {
            conform::Precision::F32
        } else {
            conform::Precision::F64 { rtol, atol }
        };
        let r = conform::conform_exact_with(&spec, &problem, &traj, precision)?;
        let why = r.first_difference.as_ref().map(|d| {
            let place = if d.step == 0 {
                "step 0 (your W_0 against the spec's initial state)".to_string()
            } else {
                format!("step {} (W_{} from your W_{} and noise[{}])", d.step, d.step, d.step - 1, d.step - 1)
            };
            let how = if f32 {
                format!("‖diff‖₂ of the state {:e} > float32 allowance {:e}; largest at this coordinate", d.abs_diff, d.allowed)
            } else {
                format!("|diff| {:e} > {:e}", d.abs_diff, d.allowed)
            };
            Error::NotConforming(format!(
                "chain {} {place} coordinate {} (mode {}, component {}): reference {} yours {} ({how}); the reference's intermediate values of this step are under `explain` in the report",
                d.chain, d.coordinate, d.mode, d.component, d.reference, d.yours
            ))
            .into()
        });
        (serde_json::to_value(&r).expect("serializable"), why)
    } else {
        if f32 {
            return Err(CliError::Usage("--precision applies to the exact mode only".into()).into());
        }
        let r = conform::conform_statistical(&spec, &problem, &traj.without_noise())?;
        let failure = match r.verdict {
            conform::Verdict::Conforms => None,
            conform::Verdict::DoesNotConform => Some(Error::NotConforming(r.summary()).into()),
            conform::Verdict::Inconclusive => Some(CliError::Inconclusive(r.summary())),
        };
        (serde_json::to_value(&r).expect("serializable"), failure)
    };
    let text = String::from_utf8(report::to_json_bytes(&json)).expect("utf-8");
    match failure {
        None => Ok(text),
        Some(e) => Err(Outcome::Failed(text, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_or_fail_typed() {
        assert_eq!(parse_seed("12").unwrap(), 12);
        for bad in ["twelve", "-1", "18446744073709551616"] {
            let e = parse_seed(bad).unwrap_err();
            assert!(matches!(e, CliError::InvalidSeed(_)));
            assert_eq!(e.exit_code(), 2);
        }
    }

    #[test]
    fn verdicts_exit_1_and_bad_input_exits_2() {
        assert_eq!(CliError::Library(Error::NotConforming("x".into())).exit_code(), 1);
        assert_eq!(CliError::Library(Error::GoldenMismatch("x".into())).exit_code(), 1);
        assert_eq!(CliError::Library(Error::Numerical("x".into())).exit_code(), 2);
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        assert_eq!(parse_only("S6,nope").unwrap_err().exit_code(), 2);
        assert!(matches!(parse_only(" , "), Err(CliError::Usage(_))));
        assert_eq!(parse_only("S6, T1").unwrap(), ["S6", "T1"]);
        assert_eq!(parse_only("s6,c-ETA,t2r").unwrap(), ["S6", "C-eta", "T2R"]);
        let e = parse_only("S6,nope").unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("S1") && e.contains("C-eta"), "{e}");
    }
}
