//! The 100-seed calibration audit of the statistical checks inside the
//! statement records (issue 8, point 4). Ignored by default (about 40 min on
//! 2 cores); run it with
//!
//! ```sh
//! cargo test --release --test calibration -- --ignored --nocapture
//! ```
//!
//! and copy the printed table into `paper/calibration.md`.
//!
//! Every record of `reproduce --quick` is recomputed with 100 fresh seeds.
//! Each check falls in one of three classes:
//! - a *negative control inside the record* (a check built with
//!   `Check::control_of`, JSON `"control": true`, or one listed in
//!   [`CONTROLS`]: the printed formula that the record rejects), claimed to
//!   be rejected with
//!   probability ≥ `CLAIMED_POWER` (0.99); the number of runs that reject it
//!   must not be improbably low under Binomial(100, 0.99);
//! - a *deterministic finding* ([`FINDINGS`]): a check with no Monte Carlo
//!   error whose failure is a result. The seed does not enter it, so it must
//!   have the same outcome in every run. (P1's exact grid rates against the
//!   largest Λ*_η over a free δ, erratum E2, were one; since issue 15 they are
//!   reading (i), kept in `empirical.rates`, and enter as the controls
//!   "delta free" at the largest β.);
//! - every other check must pass. A record's stated family false-failure
//!   probability is the sum of its checks' `false_failure_prob`; the number
//!   of runs in which any of its checks failed must not be improbable under
//!   Binomial(100, that sum): its upper tail must stay above
//!   `AUDIT_LEVEL / (records + controls)` (Bonferroni).

mod common;

use common::{audit_seeds, binomial_lower_tail, binomial_upper_tail, AUDIT_LEVEL, CLAIMED_POWER};
use transport_langevin::experiments::{run_all, Context};
use transport_langevin::record::{Check, Record};

/// (statement ID, check-name prefix) of the in-record negative controls.
const CONTROLS: &[(&str, &str)] = &[
    ("S2", "printed McKean-Vlasov"),
    ("T1", "E20 printed bound"),
    // Issues 15/16: T2's constant drift, T2R's linear slopes and network
    // temperature, C-fast's network temperature and doubled exponent, T3's
    // fixed-β pipeline.
    ("T2", "control:"),
    ("T2R", "control:"),
    ("C-fast", "control:"),
    ("T3", "control:"),
];

/// (statement ID, check-name prefix) of the deterministic findings.
const FINDINGS: &[(&str, &str)] = &[];

fn matches(list: &[(&str, &str)], id: &str, name: &str) -> bool {
    list.iter().any(|(i, p)| *i == id && name.starts_with(p))
}

/// Whether `c` of record `id` is a control: built with `Check::control_of`
/// (its `passed` then means "rejected"), or a printed formula listed in
/// [`CONTROLS`] (its `passed` false means "rejected").
fn is_control(id: &str, c: &Check) -> bool {
    c.control || matches(CONTROLS, id, &c.name)
}

/// Whether the control `c` was rejected in this run.
fn rejected(c: &Check) -> bool {
    if c.control {
        c.passed
    } else {
        !c.passed
    }
}

#[derive(Default)]
struct Tally {
    runs: u64,
    /// Stated family false-failure probability (sum over ordinary checks).
    family_ffp: f64,
    /// Runs in which an ordinary check failed.
    false_failures: u64,
    /// Names of the ordinary checks that failed, with counts.
    failed_names: Vec<(String, u64)>,
    /// (control name, runs in which it was rejected).
    controls: Vec<(String, u64)>,
    /// (finding name, runs in which it failed).
    findings: Vec<(String, u64)>,
}

fn bump(list: &mut Vec<(String, u64)>, name: &str, by: u64) {
    match list.iter_mut().find(|(n, _)| n == name) {
        Some(e) => e.1 += by,
        None => list.push((name.to_string(), by)),
    }
}

fn add(t: &mut Tally, r: &Record) {
    t.runs += 1;
    t.family_ffp = r
        .checks
        .iter()
        .filter(|c| !is_control(&r.id, c) && !matches(FINDINGS, &r.id, &c.name))
        .map(|c| c.false_failure_prob)
        .sum();
    let mut failed = false;
    for c in &r.checks {
        if is_control(&r.id, c) {
            bump(&mut t.controls, &c.name, u64::from(rejected(c)));
        } else if matches(FINDINGS, &r.id, &c.name) {
            bump(&mut t.findings, &c.name, u64::from(!c.passed));
        } else if !c.passed {
            failed = true;
            bump(&mut t.failed_names, &c.name, 1);
        }
    }
    t.false_failures += u64::from(failed);
}

/// The binomial tails of the audits against values computed independently
/// (exact integer sums in Python: `math.comb`).
#[test]
fn binomial_tails_are_right() {
    assert!((binomial_upper_tail(100, 1e-3, 1) - (1.0 - 0.999f64.powi(100))).abs() < 1e-12);
    assert!((binomial_upper_tail(100, 1e-3, 2) - 4.6381e-3).abs() < 1e-6);
    assert_eq!(binomial_upper_tail(100, 0.5, 0), 1.0);
    assert!((binomial_lower_tail(100, 0.99, 94) - 5.345e-4).abs() < 1e-6);
    assert!((binomial_lower_tail(100, 0.99, 100) - 1.0).abs() < 1e-12);
}

#[test]
#[ignore = "100-seed audit, about 40 min on 2 cores"]
fn calibration_of_statement_records_over_100_seeds() {
    let start = std::time::Instant::now();
    let mut ids: Vec<String> = Vec::new();
    let mut tallies: Vec<Tally> = Vec::new();
    let seeds = audit_seeds();
    // CALIBRATION_ONLY=S1,T1,... restricts the audit to some records (for
    // trying it out; the recorded audit runs every record).
    let only: Option<Vec<String>> = std::env::var("CALIBRATION_ONLY")
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect());
    for seed in seeds.clone() {
        let ctx = Context::new(true, seed);
        let records = run_all(&ctx, only.as_deref()).unwrap();
        for r in &records {
            let i = match ids.iter().position(|x| *x == r.id) {
                Some(i) => i,
                None => {
                    ids.push(r.id.clone());
                    tallies.push(Tally::default());
                    ids.len() - 1
                }
            };
            add(&mut tallies[i], r);
        }
        eprintln!("seed {seed} done ({:.0} s)", start.elapsed().as_secs_f64());
    }
    let controls: usize = tallies.iter().map(|t| t.controls.len()).sum();
    let audited = tallies.iter().filter(|t| t.family_ffp > 0.0).count() + controls;
    let level = AUDIT_LEVEL / audited as f64;
    let mut problems = Vec::new();
    println!("| record | stated family false-failure prob. | runs with a failed check | P(≥ observed) | verdict |");
    println!("|---|---|---|---|---|");
    for (id, t) in ids.iter().zip(&tallies) {
        let tail = binomial_upper_tail(t.runs, t.family_ffp.min(1.0), t.false_failures);
        let ok = tail >= level;
        println!(
            "| {id} | {:.2e} | {}/{} | {:.3} | {} |",
            t.family_ffp,
            t.false_failures,
            t.runs,
            tail,
            if ok { "consistent" } else { "TOO MANY" }
        );
        if !ok {
            problems.push(format!(
                "{id}: {} false failures in {} runs ({:?})",
                t.false_failures, t.runs, t.failed_names
            ));
        }
    }
    println!("\n| record | negative control / finding | runs rejected | required |");
    println!("|---|---|---|---|");
    for (id, t) in ids.iter().zip(&tallies) {
        for (name, k) in &t.controls {
            let tail = binomial_lower_tail(t.runs, CLAIMED_POWER, *k);
            println!(
                "| {id} | {name} | {k}/{} | power ≥ {CLAIMED_POWER}: P(≤ observed) = {tail:.3} |",
                t.runs
            );
            if tail < level {
                problems.push(format!("{id}: control '{name}' rejected in only {k}/{} runs", t.runs));
            }
        }
        for (name, k) in &t.findings {
            println!("| {id} | {name} | {k}/{} | 0 or all (deterministic) |", t.runs);
            if *k != 0 && *k != t.runs {
                problems.push(format!("{id}: deterministic check '{name}' failed in {k}/{} runs", t.runs));
            }
        }
    }
    println!("\n{} seeds, {:.0} s", seeds.end - seeds.start, start.elapsed().as_secs_f64());
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The controls of the records of issue 15 (every `Check::control_of` of
/// S1–S9, R1, L1, CF, C-eta, T1, C-gap) at the *full* size: each must be
/// rejected, and every record keeps its verdict (no `inconclusive`). One
/// seed (the default), about 10 minutes on 2 cores (the T1/C-gap sweep
/// dominates). The quick size is covered by the 100-seed audit above and by
/// `tests/controls.rs`.
#[test]
#[ignore = "full-size run of 15 records, about 10 min"]
fn controls_rejected_at_full_size() {
    let ids: Vec<String> = [
        "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "R1", "L1", "CF", "C-eta", "T1", "C-gap",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let records = run_all(&Context::new(false, transport_langevin::experiments::DEFAULT_SEED), Some(&ids)).unwrap();
    let mut problems = Vec::new();
    for r in &records {
        for c in r.checks.iter().filter(|c| c.control) {
            println!("{} | {} | rejected: {}", r.id, c.name, c.passed);
            if !c.passed {
                problems.push(format!("{}: {}", r.id, c.name));
            }
        }
        if r.status == transport_langevin::record::Status::Inconclusive {
            problems.push(format!("{}: inconclusive", r.id));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// P1's controls (issue 15) at the full size: every control of the full-size
/// record is rejected (the quick size is covered by the 100-seed audit
/// above), and its status is not `violated`. About 20 s of CPU.
#[test]
#[ignore = "full-size P1 record, about 20 s of CPU"]
fn calibration_p1_controls_rejected_at_full_size() {
    use transport_langevin::experiments::Experiment;
    let r = transport_langevin::experiments::p1_rates::P1Rates
        .run(&Context::new(false, 1_000_000))
        .unwrap();
    let controls: Vec<_> = r.checks.iter().filter(|c| c.control).collect();
    assert!(!controls.is_empty());
    for c in &controls {
        assert!(c.passed, "control not rejected at full size: {}", c.name);
    }
    assert_ne!(r.status, transport_langevin::record::Status::Violated);
    println!(
        "P1 full size: {} controls, all rejected; status {}",
        controls.len(),
        r.status.as_str()
    );
}
