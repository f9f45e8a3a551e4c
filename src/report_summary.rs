//! The summary that opens the report: one paragraph per verdict that is not
//! `holds` (issue 15, deliver 6): what is printed, what we found, the
//! decisive numbers, and how sure we are.
//!
//! A record may carry its own paragraph in `empirical.summary` (a string;
//! P1 does). Otherwise the paragraph is generated from the record: the
//! failed checks (for `violated` and `printed-formula-wrong`), the loosest
//! bound (for `holds-with-slack`), the controls that were not rejected (for
//! `inconclusive`), the readings, and the stated false-failure
//! probabilities of the decisive checks.

use crate::record::{Check, Record, Status};

/// The decisive numbers of one check, in one phrase.
fn check_phrase(c: &Check) -> String {
    format!(
        "\"{}\": measured {:.4e} against {:.4e} (ratio {:.3}, tolerance {:.2e})",
        c.name, c.empirical, c.theoretical, c.ratio, c.tolerance
    )
}

/// How sure: the stated false-failure probabilities of `checks`.
fn sureness(checks: &[&Check]) -> String {
    let stat: Vec<f64> = checks.iter().map(|c| c.false_failure_prob).filter(|&p| p > 0.0).collect();
    if checks.is_empty() {
        String::new()
    } else if stat.is_empty() {
        " How sure: these checks are deterministic (exact or closed-form values, no Monte Carlo error), so the outcome does not depend on the seed.".to_string()
    } else {
        let pmax = stat.iter().copied().fold(0.0, f64::max);
        format!(
            " How sure: {} of these checks carry Monte Carlo error, each with a stated false-failure probability of at most {pmax:.1e}; the others are deterministic.",
            stat.len()
        )
    }
}

/// The paragraph of one record (None for `holds`).
pub fn paragraph(r: &Record) -> Option<String> {
    if r.status == Status::Holds {
        return None;
    }
    let head = format!("**{} — {}: {}.**", r.id, r.title, r.status.as_str());
    if r.status == Status::NotYetImplemented {
        return Some(format!("{head} Not measured yet: nothing is claimed either way."));
    }
    let controls: Vec<&Check> = r.checks.iter().filter(|c| c.control).collect();
    let assumption = r.id.len() == 2 && r.id.starts_with('A');
    let control_note = if controls.is_empty() && assumption {
        " An assumption record: exempt from controls; it says where the assumption holds and where it fails.".to_string()
    } else if controls.is_empty() && matches!(r.status, Status::Violated | Status::PrintedFormulaWrong) {
        " The record has no control check: its verdict is a rejection, and what is rejected is the printed form itself.".to_string()
    } else if controls.is_empty() {
        " The record has no control check.".to_string()
    } else {
        format!(
            " {} of its {} controls (deliberately wrong variants) were rejected.",
            controls.iter().filter(|c| c.passed).count(),
            controls.len()
        )
    };
    let readings = if r.readings.is_empty() {
        String::new()
    } else {
        let rs: Vec<String> = r
            .readings
            .iter()
            .map(|rd| format!("{} → {}", rd.reading, rd.status.as_str()))
            .collect();
        format!(" Readings: {}.", rs.join("; "))
    };
    if let Some(s) = r.empirical.get("summary").and_then(|v| v.as_str()) {
        return Some(format!("{head} {s}{readings}{control_note}"));
    }
    let printed = format!("Printed: {} (statement {} of STATEMENTS.md).", r.title, r.id);
    let body = match r.status {
        Status::Violated | Status::PrintedFormulaWrong => {
            let failed: Vec<&Check> = r.checks.iter().filter(|c| !c.control && !c.passed).collect();
            let shown: Vec<String> = failed.iter().take(3).map(|c| check_phrase(c)).collect();
            let more = if failed.len() > 3 {
                format!(" and {} more", failed.len() - 3)
            } else {
                String::new()
            };
            if failed.is_empty() {
                " Found: every check passed; the verdict rests on the notes below (see `paper/errata.md`).".to_string()
            } else {
                format!(
                    " Found: {} of {} checks fail: {}{more}.{}",
                    failed.len(),
                    r.checks.iter().filter(|c| !c.control).count(),
                    shown.join("; "),
                    sureness(&failed)
                )
            }
        }
        Status::HoldsWithSlack => {
            // The loosest bound: the largest theoretical/empirical among passed upper bounds.
            let loosest = r
                .checks
                .iter()
                .filter(|c| !c.control && c.passed && c.kind == crate::record::CheckKind::UpperBound && c.empirical > 0.0)
                .max_by(|a, b| (a.theoretical / a.empirical).total_cmp(&(b.theoretical / b.empirical)));
            match loosest {
                Some(c) => format!(
                    " Found: every check passes, but the bound is loose: the loosest is {}, a factor {:.3e} of slack.{}",
                    check_phrase(c),
                    c.theoretical / c.empirical,
                    sureness(&[c])
                ),
                None => " Found: every check passes with more than 10× slack.".to_string(),
            }
        }
        Status::Inconclusive => {
            let missed: Vec<String> = controls.iter().filter(|c| !c.passed).map(|c| format!("\"{}\"", c.name)).collect();
            format!(
                " Found: the checks pass, but these controls were not rejected, so the checks could not have failed: {}.",
                missed.join("; ")
            )
        }
        Status::Holds | Status::NotYetImplemented => String::new(),
    };
    Some(format!("{head} {printed}{body}{readings}{control_note}"))
}

/// The summary section ("" when every verdict holds).
pub fn markdown(records: &[Record]) -> String {
    let paras: Vec<String> = records.iter().filter_map(paragraph).collect();
    if paras.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "## Summary: the verdicts that are not `holds`\n\nOne paragraph per statement whose verdict is not `holds`: what is printed, what we found, the decisive numbers, and how sure we are. Details in the statement's section below.\n\n",
    );
    for p in paras {
        s.push_str(&p);
        s.push_str("\n\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A holds record gets no paragraph; a violated one names its failed
    /// check and its numbers; a control that was not rejected makes the
    /// inconclusive paragraph name it.
    #[test]
    fn paragraphs_follow_the_verdicts() {
        let ok = Check::upper_bound("bound", 2.0, 1.0, 0.0, 0.0, 0.0);
        let bad = Check::upper_bound("rate bound", 1.0, 3.0, 0.1, 0.2, 1e-3);
        let holds = Record {
            status: Status::Holds,
            checks: vec![ok.clone()],
            ..Record::for_statement("S6")
        };
        assert!(paragraph(&holds).is_none());
        let violated = Record {
            status: Status::Violated,
            checks: vec![ok.clone(), bad],
            ..Record::for_statement("T1")
        };
        let p = paragraph(&violated).unwrap();
        assert!(
            p.contains("violated") && p.contains("rate bound") && p.contains("3.0000e0") && p.contains("1.0e-3"),
            "{p}"
        );
        let control = Check::control_of("wrong beta", ok.clone());
        let inconclusive = Record {
            status: Status::Inconclusive,
            checks: vec![ok, control],
            ..Record::for_statement("T3")
        };
        let p = paragraph(&inconclusive).unwrap();
        assert!(p.contains("\"wrong beta\"") && p.contains("0 of its 1 controls"), "{p}");
        assert!(markdown(&[holds]).is_empty());
    }
}
