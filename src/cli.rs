//! The command line: `reproduce`, `constants`, `small-ball` and `help`.
//!
//! Every error is one line on stderr with exit code 2 (bad input) or 1 (a
//! golden check failed); outputs are written atomically.

use crate::error::{Error, Result};
use crate::experiments::{self, Context, DEFAULT_SEED};
use crate::golden::{self, GoldenFile};
use crate::report;
use crate::rng::parse_seed;
use crate::statements::cf;
use crate::statements::p1::P1Params;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Usage text.
pub const USAGE: &str = "transport-langevin — reference implementation of Suzuki (NeurIPS 2020)

USAGE:
  transport-langevin reproduce [--quick] [--out DIR] [--only ID,...] [--seed N]
                               [--bless] [--check-golden] [--golden DIR]
  transport-langevin constants --c-mu C --lambda L --beta B --eta E --mu0 M
                               --grad-bound G --loss-bound R --delta D
  transport-langevin small-ball --gamma G --beta-lambda BL --eps E [--c-mu C] [--decay P]
                               [--truncate K]
  transport-langevin help

Exit codes: 0 success, 1 a check against golden data failed, 2 bad input.
";

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
                            .ok_or_else(|| Error::Usage(format!("flag `{name}` needs a value")))?
                    }
                };
                if values.insert(name.clone(), v).is_some() {
                    return Err(Error::Usage(format!("flag `{name}` given twice")));
                }
            } else if switches.contains(&name.as_str()) && inline.is_none() {
                if sw.contains(&name) {
                    return Err(Error::Usage(format!("flag `{name}` given twice")));
                }
                sw.push(name);
            } else {
                return Err(Error::Usage(format!("unknown argument `{a}` (see `transport-langevin help`)")));
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
            .ok_or_else(|| Error::Usage(format!("missing flag `{flag}`")))?;
        v.trim().parse::<f64>().map_err(|_| Error::BadFlagValue {
            flag: flag.to_string(),
            expected: "a number",
            value: v.clone(),
        })
    }
}

/// Runs the CLI on `args` (without the program name); returns what to print
/// on stdout.
pub fn run(args: &[String]) -> Result<String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(Error::Usage("no command given (see `transport-langevin help`)".into()));
    };
    match cmd.as_str() {
        "reproduce" => reproduce(rest),
        "constants" => constants(rest),
        "small-ball" => small_ball(rest),
        "help" | "--help" | "-h" => Ok(USAGE.to_string()),
        "--version" | "version" => Ok(format!("transport-langevin {}\n", report::CRATE_VERSION)),
        other => Err(Error::Usage(format!("unknown command `{other}` (see `transport-langevin help`)"))),
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
        "chernoff_lower_bound": sb.chernoff, "saddle_point": sb.saddle, "nodes": sb.nodes,
        "method": "saddle-point Laplace inversion, Euler-Maclaurin tail (statements::cf)",
    });
    if let Some(k) = f.values.get("--truncate") {
        let k: usize = k.trim().parse().map_err(|_| Error::BadFlagValue {
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

fn reproduce(args: &[String]) -> Result<String> {
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
        Some(list) => Some(experiments::parse_only(list)?),
        None => None,
    };
    if (f.has("--bless") || f.has("--check-golden")) && (!quick || seed != DEFAULT_SEED) {
        return Err(Error::Usage("--bless and --check-golden need --quick and the default seed".into()));
    }
    // Fail early, before any work, if the output folder cannot be made.
    std::fs::create_dir_all(&out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let ctx = Context {
        quick,
        seed,
        out_dir: Some(out.clone()),
    };
    let total = only.as_ref().map_or(crate::statements::CATALOGUE.len(), Vec::len);
    let bar = ProgressBar::new(total as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"));
    let records = experiments::run_all(&ctx, only.as_deref(), &|id| {
        bar.set_message(id.to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();

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
        return Err(Error::GoldenMismatch(mismatches.join("; ")));
    }
    Ok(msg)
}
