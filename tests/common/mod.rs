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
