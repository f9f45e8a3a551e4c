//! Helpers shared by the integration tests.
#![allow(dead_code)]

use transport_langevin::record::Check;

/// Whether every check passed.
pub fn all_pass(c: &[Check]) -> bool {
    c.iter().all(|c| c.passed)
}

/// The failed checks, one line each, for assertion messages.
pub fn failures(c: &[Check]) -> Vec<String> {
    c.iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{} = {} vs {}", c.name, c.empirical, c.theoretical))
        .collect()
}

/// Family level of a calibration audit: the probability that a correct
/// crate fails one audit test.
pub const AUDIT_LEVEL: f64 = 1e-3;

/// Power claimed for every negative control against its named alternative.
pub const CLAIMED_POWER: f64 = 0.99;

/// Seeds of a calibration audit: 1 000 000, 1 000 001, …; 100 of them, or
/// `CALIBRATION_SEEDS` (a smaller number is for trying an audit out, not for
/// recording it).
pub fn audit_seeds() -> std::ops::Range<u64> {
    let n = std::env::var("CALIBRATION_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100u64);
    1_000_000..1_000_000 + n
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed directly.
pub fn binomial_upper_tail(n: u64, p: f64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let mut pmf = (1.0 - p).powi(n as i32); // P(X = 0)
    let mut below = 0.0;
    for j in 0..k.min(n + 1) {
        below += pmf;
        pmf *= (n - j) as f64 / (j + 1) as f64 * p / (1.0 - p);
    }
    (1.0 - below).max(0.0)
}

/// P(X ≤ k) for X ~ Binomial(n, p).
pub fn binomial_lower_tail(n: u64, p: f64, k: u64) -> f64 {
    1.0 - binomial_upper_tail(n, p, k + 1)
}

/// One statistical test, or one of its negative controls, of an audit.
pub struct Case<'a> {
    /// What is tested; a control names its alternative ("control: …").
    pub name: &'a str,
    /// For a correct test: its stated false-failure probability. `None`
    /// marks a negative control, claimed to be rejected with probability
    /// ≥ [`CLAIMED_POWER`].
    pub false_failure: Option<f64>,
    /// Runs the case with a seed and says whether it did its job: for a
    /// correct test, `true` when the test passed; for a control, `true`
    /// when the check rejected it.
    pub passes: &'a (dyn Fn(u64) -> bool + Sync),
}

/// Reruns every case over [`audit_seeds`], prints a markdown table and
/// asserts that the failure counts agree with the stated probabilities: a
/// correct test fails too often when P(Bin(n, ffp) ≥ failures) is below
/// `AUDIT_LEVEL / cases`; a control passes too often when
/// P(Bin(n, CLAIMED_POWER) ≤ rejections) is below the same level.
pub fn audit(title: &str, cases: &[Case]) {
    let seeds = audit_seeds();
    let n = seeds.end - seeds.start;
    let level = AUDIT_LEVEL / cases.len() as f64;
    let start = std::time::Instant::now();
    let mut problems = Vec::new();
    let mut table = vec![
        format!("{title}: {n} seeds"),
        String::new(),
        "| case | stated | runs that did not do their job | P(as extreme) | verdict |".to_string(),
        "|---|---|---|---|---|".to_string(),
    ];
    for c in cases {
        let failed = seeds.clone().filter(|&s| !(c.passes)(s)).count() as u64;
        let (stated, tail) = match c.false_failure {
            Some(p) => (format!("false failure ≤ {p:.1e}"), binomial_upper_tail(n, p, failed)),
            None => (
                format!("power ≥ {CLAIMED_POWER}"),
                binomial_lower_tail(n, CLAIMED_POWER, n - failed),
            ),
        };
        let ok = tail >= level;
        table.push(format!(
            "| {} | {stated} | {failed}/{n} | {tail:.3} | {} |",
            c.name,
            if ok { "consistent" } else { "NOT CONSISTENT" }
        ));
        if !ok {
            problems.push(format!("{}: failed {failed}/{n} ({stated})", c.name));
        }
    }
    table.push(format!("\n{:.0} s", start.elapsed().as_secs_f64()));
    println!("{}", table.join("\n"));
    assert!(problems.is_empty(), "{problems:#?}");
}
