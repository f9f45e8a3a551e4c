//! Every record of issue 15's list whose verdict is `holds` or
//! `holds-with-slack` carries at least one control (`Check::control_of`:
//! the same test on a deliberately wrong variant), and every control is
//! rejected. Run here at the quick size on the cheap deterministic records
//! (well under a second); the Monte Carlo records are covered by the
//! calibration audit (`tests/calibration.rs`, quick size over 100 seeds, and
//! `controls_rejected_at_full_size`).

use transport_langevin::experiments::{run_all, Context, DEFAULT_SEED};
use transport_langevin::record::{Check, Record, Status};

fn records(ids: &[&str]) -> Vec<Record> {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    run_all(&Context::new(true, DEFAULT_SEED), Some(&ids)).unwrap()
}

#[test]
fn deterministic_records_hold_with_every_control_rejected() {
    for r in records(&["S1", "S3", "S4", "S8", "R1", "L1"]) {
        let controls: Vec<&Check> = r.checks.iter().filter(|c| c.control).collect();
        assert!(!controls.is_empty(), "{}: no control", r.id);
        for c in &controls {
            assert!(c.passed, "{}: control not rejected: {}", r.id, c.name);
        }
        assert!(
            matches!(r.status, Status::Holds | Status::HoldsWithSlack),
            "{}: {:?}",
            r.id,
            r.status
        );
    }
}

/// A control that is not rejected turns the verdict into `inconclusive`
/// (not `holds`), and a failing claim still gives `violated`.
#[test]
fn a_control_not_rejected_makes_the_record_inconclusive() {
    let claim = Check::upper_bound("x <= 1", 1.0, 0.5, 0.0, 0.0, 0.0);
    let wrong_variant_accepted = Check::control_of("control: x x 2", Check::upper_bound("x <= 1", 1.0, 0.9, 0.0, 0.0, 0.0));
    let wrong_variant_rejected = Check::control_of("control: x x 4", Check::upper_bound("x <= 1", 1.0, 2.0, 0.0, 0.0, 0.0));
    assert_eq!(
        Record::status_from_checks(&[claim.clone(), wrong_variant_rejected.clone()]),
        Status::Holds
    );
    assert_eq!(
        Record::status_from_checks(&[claim.clone(), wrong_variant_accepted]),
        Status::Inconclusive
    );
    let failing = Check::upper_bound("x <= 1", 1.0, 3.0, 0.0, 0.0, 0.0);
    assert_eq!(Record::status_from_checks(&[failing, wrong_variant_rejected]), Status::Violated);
}
