//! S1: the losses' analytic derivatives of orders 1–3 against central
//! finite differences of the order below, on a grid of (y, f).

use super::{Context, Experiment};
use crate::error::Result;
use crate::loss::Loss;
use crate::record::{Check, Record};
use crate::tolerance::{FD_REL, FD_STEP};
use serde_json::json;

/// The S1 experiment.
pub struct Losses;

/// Largest relative error of derivative `order` (1..=3) of `loss` against a
/// central difference of order `order − 1` over the grid.
pub fn max_fd_error(loss: Loss, order: usize) -> f64 {
    max_fd_error_scaled(loss, order, 1.0)
}

/// [`max_fd_error`] with the analytic derivative multiplied by `scale`: the
/// controls use 1/2 (the derivative of the squared loss taken as f − y, as
/// for the loss (y − f)²/2, while S1's loss is (y − f)²) — a factor the
/// finite differences must catch.
pub fn max_fd_error_scaled(loss: Loss, order: usize, scale: f64) -> f64 {
    let lower = |y: f64, f: f64| match order {
        1 => loss.value(y, f),
        2 => loss.d1(y, f),
        _ => loss.d2(y, f),
    };
    let exact = |y: f64, f: f64| match order {
        1 => loss.d1(y, f),
        2 => loss.d2(y, f),
        _ => loss.d3(y, f),
    };
    let ys: &[f64] = match loss {
        Loss::Squared => &[-2.0, -0.5, 0.0, 1.0, 3.0],
        Loss::Logistic => &[-1.0, 1.0],
    };
    let mut worst: f64 = 0.0;
    for &y in ys {
        for i in 0..=40 {
            let f = -10.0 + 0.5 * i as f64;
            let fd = (lower(y, f + FD_STEP) - lower(y, f - FD_STEP)) / (2.0 * FD_STEP);
            let ex = scale * exact(y, f);
            worst = worst.max((fd - ex).abs() / ex.abs().max(1.0));
        }
    }
    worst
}

impl Experiment for Losses {
    fn id(&self) -> &'static str {
        "S1"
    }

    fn run(&self, _ctx: &Context) -> Result<Record> {
        let mut checks = Vec::new();
        for loss in [Loss::Squared, Loss::Logistic] {
            for order in 1..=3 {
                let e = max_fd_error(loss, order);
                checks.push(Check::upper_bound(
                    &format!("{} d{order} max rel. FD error", loss.name()),
                    FD_REL,
                    e,
                    0.0,
                    0.0,
                    0.0,
                ));
            }
        }
        let claims = checks.len();
        for loss in [Loss::Squared, Loss::Logistic] {
            checks.push(Check::control_of(
                &format!(
                    "control: {} d1 off by a factor 1/2 (the (y - f)^2/2 convention) is rejected",
                    loss.name()
                ),
                Check::upper_bound(
                    &format!("{} d1 max rel. FD error", loss.name()),
                    FD_REL,
                    max_fd_error_scaled(loss, 1, 0.5),
                    0.0,
                    0.0,
                    0.0,
                ),
            ));
        }
        Ok(Record {
            status: Record::status_from_checks(&checks),
            parameters: json!({"grid_f": "-10..10 step 0.5", "fd_step": FD_STEP, "y_squared": [-2.0, -0.5, 0.0, 1.0, 3.0], "y_logistic": [-1.0, 1.0]}),
            theoretical: json!({"max_rel_error": FD_REL}),
            empirical: json!({"max_rel_errors": checks[..claims].iter().map(|c| c.empirical).collect::<Vec<_>>()}),
            checks,
            evidence: vec![],
            notes:
                "Analytic derivatives of the squared and logistic losses (orders 1-3) against central finite differences; deterministic. Controls: the first derivative halved (the factor of the (y - f)^2/2 convention) gives a relative error of 1/2 and is rejected."
                    .into(),
            ..Record::for_statement("S1")
        })
    }
}
