//! The (1 − δ) quantile of the per-dataset gap over data sets — the quantity
//! Theorem 1 bounds ("with probability ≥ 1 − δ over D_n") — with a
//! bootstrap standard error, and its log–log slope in n (C-gap).
//!
//! * Quantile: the empirical quantile with linear interpolation between
//!   order statistics (Hyndman–Fan type 7): position h = (D − 1)p on the
//!   sorted sample x_(0) ≤ … ≤ x_(D−1).
//! * Standard error: the nonparametric bootstrap, [`BOOTSTRAP`] resamples
//!   of the D data sets, drawn from a named ChaCha stream (deterministic);
//!   the standard deviation of the resampled quantiles.
//! * Slope: least squares of log q(n) on log n; its standard error by the
//!   delta method, var = Σ c_j² (se_j/q_j)² with c_j = (x_j − x̄)/S_xx
//!   (the quantiles at different n come from independent data sets).

use super::{DatasetGap, Sweep, DELTA};
use crate::rng::{chain_rng, uniform01};
use crate::statements::t1::BetaRule;
use crate::stats::mean;

/// Bootstrap resamples per quantile.
pub const BOOTSTRAP: usize = 400;

/// Stream of the bootstrap of the setting with index `i` of the sweep.
pub const BOOTSTRAP_STREAM: u64 = 950_000_000;

/// The p-quantile of `xs` (type 7: linear interpolation between order
/// statistics). `xs` must be non-empty.
pub fn quantile(xs: &[f64], p: f64) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    sorted_quantile(&s, p)
}

fn sorted_quantile(s: &[f64], p: f64) -> f64 {
    let h = (s.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

/// The p-quantile of `xs` and its bootstrap standard error ([`BOOTSTRAP`]
/// resamples from stream `stream` of `seed`).
pub fn quantile_with_stderr(xs: &[f64], p: f64, seed: u64, stream: u64) -> (f64, f64) {
    let q = quantile(xs, p);
    let d = xs.len();
    let mut rng = chain_rng(seed, stream);
    let mut buf = vec![0.0; d];
    let reps: Vec<f64> = (0..BOOTSTRAP)
        .map(|_| {
            for b in buf.iter_mut() {
                *b = xs[((uniform01(&mut rng) * d as f64) as usize).min(d - 1)];
            }
            quantile(&buf, p)
        })
        .collect();
    let m = mean(&reps);
    let var = reps.iter().map(|r| (r - m) * (r - m)).sum::<f64>() / (BOOTSTRAP - 1) as f64;
    (q, var.sqrt())
}

/// Least-squares slope of log y on log x with the delta-method standard
/// error from the standard errors of the y: (slope, stderr). NaN when a
/// y is not positive.
pub fn log_log_slope(pts: &[(f64, f64, f64)]) -> (f64, f64) {
    if pts.iter().any(|p| p.1 <= 0.0) || pts.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let xs: Vec<f64> = pts.iter().map(|p| libm::log(p.0)).collect();
    let mx = mean(&xs);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let mut slope = 0.0;
    let mut var = 0.0;
    for (x, p) in xs.iter().zip(pts) {
        let c = (x - mx) / sxx;
        slope += c * libm::log(p.1);
        var += c * c * (p.2 / p.1).powi(2);
    }
    (slope, var.sqrt())
}

/// Per n of the rule `rule`: (n, (1 − δ) quantile of `gap_of` over the
/// data sets, its bootstrap stderr). The bootstrap of setting i uses
/// stream [`BOOTSTRAP_STREAM`] + i, so every caller gets the same numbers.
pub fn quantile_points(sw: &Sweep, rule: BetaRule, seed: u64, gap_of: impl Fn(&DatasetGap) -> f64) -> Vec<(f64, f64, f64)> {
    sw.settings
        .iter()
        .enumerate()
        .filter(|(_, s)| s.rule == rule)
        .map(|(i, s)| {
            let gaps: Vec<f64> = s.per_dataset.iter().map(&gap_of).collect();
            let (q, se) = quantile_with_stderr(&gaps, 1.0 - DELTA, seed, BOOTSTRAP_STREAM + i as u64);
            (s.n as f64, q, se)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantile_interpolates_order_statistics() {
        let xs = [3.0, 1.0, 2.0, 5.0, 4.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 1.0), 5.0);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        // h = 4 · 0.9 = 3.6: 4 + 0.6 · (5 − 4).
        assert!((quantile(&xs, 0.9) - 4.6).abs() < 1e-12);
    }

    #[test]
    fn bootstrap_stderr_is_deterministic_and_near_the_asymptotic_value() {
        // 400 standard normals (Box–Muller on the crate's uniform): the
        // 0.9-quantile's asymptotic stderr is √(p(1−p)/D)/φ(z_p) = 0.0855.
        let mut rng = chain_rng(7, 1);
        let xs: Vec<f64> = (0..400)
            .map(|_| {
                let (u, v) = (uniform01(&mut rng).max(1e-300), uniform01(&mut rng));
                (-2.0 * libm::log(u)).sqrt() * libm::cos(2.0 * std::f64::consts::PI * v)
            })
            .collect();
        let (q, se) = quantile_with_stderr(&xs, 0.9, 3, 4);
        assert_eq!((q, se), quantile_with_stderr(&xs, 0.9, 3, 4));
        assert!((q - 1.2816).abs() < 4.0 * 0.0855, "{q}");
        assert!(se > 0.5 * 0.0855 && se < 2.0 * 0.0855, "{se}");
    }

    #[test]
    fn log_log_slope_recovers_a_power_law_and_propagates_errors() {
        let pts: Vec<(f64, f64, f64)> = [64.0, 256.0, 1024.0, 4096.0]
            .iter()
            .map(|&n: &f64| (n, 2.0 / n.sqrt(), 0.1 * 2.0 / n.sqrt()))
            .collect();
        let (s, se) = log_log_slope(&pts);
        assert!((s + 0.5).abs() < 1e-12);
        // Equal relative errors 0.1: se = 0.1/√S_xx, S_xx = 5 (log 4)².
        let sxx = 5.0 * libm::log(4.0).powi(2);
        assert!((se - 0.1 / sxx.sqrt()).abs() < 1e-12);
        let neg = [(1.0, 1.0, 0.1), (2.0, -1.0, 0.1)];
        assert!(log_log_slope(&neg).0.is_nan());
    }
}
