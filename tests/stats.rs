//! The shared estimators of `src/stats.rs` against values worked out by
//! hand (exact rational arithmetic on small inputs) or against an
//! independent implementation (statrs' binomial CDF for the Clopper–Pearson
//! bound; the tabulated normal and χ² quantiles). Deterministic: no false
//! failures. Written for the mutation campaign of issue 20 (before it,
//! `src/stats.rs` was exercised only through the records of `definitions`).

use statrs::distribution::{Binomial, DiscreteCDF};
use transport_langevin::stats::{
    batch_means, binomial_upper, chi_squared_interval, effective_sample_size, fit_line, fit_line_weighted, gaussian_coordinate_checks,
    iid_estimate, mean, pooled_batch_means, rhat, variance, z_one_sided, z_two_sided,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {
        assert_close!($a, $b, 1e-12)
    };
    ($a:expr, $b:expr, $tol:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b, $tol), "{} = {a}, expected {b}", stringify!($a));
    }};
}

#[test]
fn mean_variance_and_iid_standard_error() {
    let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
    assert_close!(mean(&xs), 4.0);
    // (9 + 4 + 1 + 0 + 36) / 4
    assert_close!(variance(&xs), 12.5);
    assert_close!(variance(&[1.0, 3.0]), 2.0);
    assert_eq!(variance(&[7.0]), 0.0);
    assert_eq!(variance(&[]), 0.0);
    let e = iid_estimate(&xs);
    assert_close!(e.mean, 4.0);
    assert_close!(e.stderr, 2.5f64.sqrt());
    // A variance larger than n (12.5 % 5 = 12.5 / 5 above): s² = 5000, n = 2.
    assert_close!(iid_estimate(&[0.0, 100.0]).stderr, 50.0);
}

#[test]
fn batch_means_uses_floor_sqrt_batches_and_drops_the_remainder_from_the_mcse_only() {
    // n = 16: 4 batches of 4, batch means 1.5, 5.5, 9.5, 13.5 (variance 80/3).
    let xs: Vec<f64> = (0..16).map(f64::from).collect();
    let e = batch_means(&xs);
    assert_close!(e.mean, 7.5);
    assert_close!(e.stderr, (80.0 / 3.0 / 4.0f64).sqrt());
    // n = 17: still 4 batches of 4 (x_16 = 16 is left out of the batches)
    // but the mean is over all 17 values.
    let xs: Vec<f64> = (0..17).map(f64::from).collect();
    let e = batch_means(&xs);
    assert_close!(e.mean, 8.0);
    assert_close!(e.stderr, (80.0 / 3.0 / 4.0f64).sqrt());
    // n = 3: at least 2 batches, of size 1: means 0 and 1.
    let e = batch_means(&[0.0, 1.0, 5.0]);
    assert_close!(e.mean, 2.0);
    assert_close!(e.stderr, 0.5);
    // n = 1: no batch of positive size, the i.i.d. estimate.
    let e = batch_means(&[3.0]);
    assert_eq!(e.mean, 3.0);
    assert_eq!(e.stderr, 0.0);
}

#[test]
fn effective_sample_size_by_hand() {
    // Geyer's initial positive sequence, worked out by hand:
    // [1, 1, −1, −1]: ρ1 = 1/4, first pair 5/4, second pair −3/4 → τ = 3/2.
    assert_close!(effective_sample_size(&[1.0, 1.0, -1.0, -1.0]), 8.0 / 3.0);
    // The mean is subtracted.
    assert_close!(effective_sample_size(&[11.0, 11.0, 9.0, 9.0]), 8.0 / 3.0);
    // And the lags are divided by the variance: the scale does not matter.
    assert_close!(effective_sample_size(&[2.0, 2.0, -2.0, -2.0]), 8.0 / 3.0);
    // [1, 1, 1, −1, −1, −1]: ρ1 = 1/2, pairs 3/2 then −1/2 → τ = 2.
    assert_close!(effective_sample_size(&[1.0, 1.0, 1.0, -1.0, -1.0, -1.0]), 3.0);
    // [1 ×4, −1 ×4]: pairs 13/8, 1/8, −7/8 → τ = −1 + 13/4 + 1/4 = 5/2.
    assert_close!(effective_sample_size(&[1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0]), 3.2);
    // Antithetic [1, −1, 1, −1]: pairs 1/4, 1/4 → τ = 0, floored at 1/n,
    // and the ESS is capped at n.
    assert_close!(effective_sample_size(&[1.0, -1.0, 1.0, -1.0]), 4.0);
    // Fewer than 4 samples, or a constant chain: n.
    assert_eq!(effective_sample_size(&[1.0, 2.0, 3.0]), 3.0);
    assert_eq!(effective_sample_size(&[2.0; 6]), 6.0);
}

#[test]
fn normal_and_chi_squared_quantiles_are_the_tabulated_values() {
    assert_close!(z_two_sided(0.05), 1.959_963_984_540_054, 1e-9);
    assert_close!(z_two_sided(0.01), 2.575_829_303_548_901, 1e-9);
    assert_close!(z_one_sided(0.05), 1.644_853_626_951_472, 1e-9);
    assert_close!(z_one_sided(0.01), 2.326_347_874_040_841, 1e-9);
    let (lo, hi) = chi_squared_interval(10.0, 0.05);
    assert_close!(lo, 3.246_972_780_236_841, 1e-7);
    assert_close!(hi, 20.483_177_350_807_39, 1e-7);
}

#[test]
fn least_squares_lines_by_hand() {
    // Exact line: no residual.
    let (a, b, se) = fit_line(&[0.0, 1.0, 2.0, 3.0], &[2.0, 5.0, 8.0, 11.0]);
    assert_close!(a, 2.0);
    assert_close!(b, 3.0);
    assert!(se.abs() < 1e-12, "{se}");
    // y = [1, 3, 2, 5]: Sxx = 5, Sxy = 11/2, slope 11/10, intercept 11/10,
    // RSS = 27/10, se = √(RSS / (n − 2) / Sxx) = √0.27.
    let (a, b, se) = fit_line(&[0.0, 1.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 5.0]);
    assert_close!(a, 1.1);
    assert_close!(b, 1.1);
    assert_close!(se, 0.27f64.sqrt());
    // Two points: no standard error.
    let (a, b, se) = fit_line(&[0.0, 1.0], &[1.0, 3.0]);
    assert_close!(a, 1.0);
    assert_close!(b, 2.0);
    assert!(se.is_nan());
    // Weighted: w = [1, 1, 4], x̄_w = 3/2, ȳ_w = 1, Sxx = 7/2, Sxy = 1,
    // slope 2/7, intercept 4/7, χ² = (16 + 64 + 4)/49 = 12/7.
    let (a, b, se, chi2) = fit_line_weighted(&[0.0, 1.0, 2.0], &[0.0, 2.0, 1.0], &[1.0, 1.0, 0.5]);
    assert_close!(a, 4.0 / 7.0);
    assert_close!(b, 2.0 / 7.0);
    assert_close!(se, (2.0f64 / 7.0).sqrt());
    assert_close!(chi2, 12.0 / 7.0);
    // Where Σw x ≠ Σ(w + x) (the case above has 9 = 9): w = [1, 4, 1, 1],
    // x̄_w = 9/7, ȳ_w = 6/7, Sxx = 266/49, Sxy = 259/49, slope 37/38,
    // intercept −15/38, χ² = 141/38.
    let (a, b, se, chi2) = fit_line_weighted(&[0.0, 1.0, 2.0, 3.0], &[1.0, 0.0, 2.0, 3.0], &[1.0, 0.5, 1.0, 1.0]);
    assert_close!(a, -15.0 / 38.0);
    assert_close!(b, 37.0 / 38.0);
    assert_close!(se, (49.0f64 / 266.0).sqrt());
    assert_close!(chi2, 141.0 / 38.0);
    // Five points (n − 2 = 3 ≠ n/2): y = [1, 3, 2, 5, 4], Sxx = 10, Sxy = 8,
    // slope 0.8, intercept 1.4, RSS = 3.6, se = √(3.6 / 3 / 10).
    let (a, b, se) = fit_line(&[0.0, 1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 5.0, 4.0]);
    assert_close!(a, 1.4);
    assert_close!(b, 0.8);
    assert_close!(se, 0.12f64.sqrt());
}

#[test]
fn clopper_pearson_upper_bound_solves_the_binomial_cdf_equation() {
    assert_eq!(binomial_upper(5, 5, 0.05), 1.0);
    assert_eq!(binomial_upper(6, 5, 0.05), 1.0);
    // k = 0: (1 − p)^n = α.
    assert_close!(binomial_upper(0, 10, 0.05), 1.0 - 0.05f64.powf(0.1), 1e-12);
    // Otherwise P(Bin(n, p) ≤ k) = α at the bound, by statrs' binomial CDF.
    for &(k, n, alpha) in &[(1usize, 10usize, 0.05), (3, 20, 0.01), (7, 50, 0.1), (19, 20, 0.05)] {
        let p = binomial_upper(k, n, alpha);
        assert!(p > k as f64 / n as f64 && p < 1.0, "{k}/{n}: {p}");
        let cdf = Binomial::new(p, n as u64).unwrap().cdf(k as u64);
        assert_close!(cdf, alpha, 1e-9);
    }
}

#[test]
fn pooled_batch_means_by_hand() {
    // Two chains of 17: each in 4 batches of 4 (the 17th value dropped);
    // the 8 pooled batch means are 1.5, 5.5, 9.5, 13.5 and 18.5, …, 30.5
    // (the second chain is the first + 17), an empty chain is skipped.
    let a: Vec<f64> = (0..17).map(f64::from).collect();
    let b: Vec<f64> = a.iter().map(|x| x + 17.0).collect();
    let e = pooled_batch_means(&[a.clone(), Vec::new(), b]);
    assert_close!(e.mean, 16.0);
    let means = [1.5, 5.5, 9.5, 13.5, 18.5, 22.5, 26.5, 30.5];
    assert_close!(e.stderr, (variance(&means) / 8.0).sqrt());
    // A chain of 3: one batch of 3 (⌊√3⌋ = 1).
    let e = pooled_batch_means(&[vec![0.0, 1.0, 5.0], vec![1.0, 1.0, 1.0]]);
    assert_close!(e.mean, 1.5);
    assert_close!(e.stderr, 0.5);
}

#[test]
fn gaussian_coordinate_checks_by_hand() {
    // Coordinate 1 of four draws: 1, −1, 3, −3 against N(0, 5): Σx²/K = 5,
    // mean 0.
    let states: Vec<Vec<f64>> = [1.0, -1.0, 3.0, -3.0].iter().map(|&x| vec![100.0, x]).collect();
    let alpha = 0.01;
    let [v, m] = gaussian_coordinate_checks(&states, 1, 0.0, 5.0, alpha, "x");
    let (lo, hi) = chi_squared_interval(4.0, alpha);
    assert_close!(v.theoretical, 5.0);
    assert_close!(v.empirical, 5.0);
    assert_close!(v.stderr, 5.0 * 0.5f64.sqrt());
    assert_close!(v.tolerance, 5.0 * (hi / 4.0 - 1.0).max(1.0 - lo / 4.0));
    assert!(v.passed && v.name == "x variance" && v.false_failure_prob == alpha);
    assert_close!(m.theoretical, 0.0);
    assert_close!(m.empirical, 0.0);
    assert_close!(m.stderr, 1.25f64.sqrt());
    assert_close!(m.tolerance, z_two_sided(alpha) * 1.25f64.sqrt());
    assert!(m.passed && m.name == "x mean");
    // About another mean (here 2), the same draws: Σ(x − 2)²/K = 9 and
    // x̄ − 2 = −2.
    let [v, m] = gaussian_coordinate_checks(&states, 1, 2.0, 5.0, alpha, "x");
    assert_close!(v.empirical, 9.0);
    assert_close!(m.empirical, 0.0);
    assert_close!(m.theoretical, 2.0);
    // χ²_4 at 1 %: hi/4 − 1 = 2.70 > 1 − lo/4 = 0.95, the variance 9 is
    // within 5 ± 13.5; the mean is 2 away with tolerance 2.576·1.118 = 2.88.
    assert!(v.passed && m.passed);
    // The mean check rejects a mean 3 away (control).
    let [_, m] = gaussian_coordinate_checks(&states, 1, 3.0, 5.0, alpha, "x");
    assert!(!m.passed);
    // K = 1000 draws 0.5 ± 2 (x̄ = 0.5, Σx²/K = 4.25): the mean is the
    // sample's; the variance tolerance is still the upper side hi/K − 1 (χ²
    // is right-skewed: hi − K > K − lo at every K), which at this K is
    // below 1 + lo/K or K/lo.
    let states: Vec<Vec<f64>> = (0..1000).map(|j| vec![0.5 + if j % 2 == 0 { 2.0 } else { -2.0 }]).collect();
    let [v, m] = gaussian_coordinate_checks(&states, 0, 0.0, 4.0, alpha, "y");
    let (lo, hi) = chi_squared_interval(1000.0, alpha);
    assert!(hi / 1000.0 - 1.0 > 1.0 - lo / 1000.0);
    assert_close!(v.empirical, 4.25);
    assert_close!(v.tolerance, 4.0 * (hi / 1000.0 - 1.0));
    assert_close!(m.empirical, 0.5);
    assert_close!(m.stderr, (4.0f64 / 1000.0).sqrt());
}

#[test]
fn rhat_by_hand() {
    // Chains 0..3 and 1..4 (a third, longer chain is cut to the common
    // length 4): W = 5/3, B/n = variance of the chain means.
    let a = vec![0.0, 1.0, 2.0, 3.0];
    let b = vec![1.0, 2.0, 3.0, 4.0];
    // means 1.5, 2.5: B/n = 1/2; R̂² = (3/4 · 5/3 + 1/2) / (5/3) = 1.05.
    assert_close!(rhat(&[a.clone(), b.clone()]), 1.05f64.sqrt());
    // Two points a chain are enough: [0, 1], [1, 3]: W = (1/2 + 2)/2, B/n =
    // variance of (1/2, 2) = 9/8; R̂² = (½ · 5/4 + 9/8) / (5/4) = 1.4.
    assert_close!(rhat(&[vec![0.0, 1.0], vec![1.0, 3.0]]), 1.4f64.sqrt());
    // means 1.5, 2.5, 1.5: B/n = 1/3; R̂² = (5/4 + 1/3) / (5/3) = 0.95.
    let c = vec![0.0, 1.0, 2.0, 3.0, 100.0];
    assert_close!(rhat(&[a.clone(), b, c]), 0.95f64.sqrt());
    // Degenerate inputs.
    assert!(rhat(std::slice::from_ref(&a)).is_nan());
    assert!(rhat(&[vec![1.0], vec![2.0]]).is_nan());
    assert_eq!(rhat(&[vec![2.0; 3], vec![2.0; 3]]), 1.0);
    assert_eq!(rhat(&[vec![2.0; 3], vec![3.0; 3]]), f64::INFINITY);
}
