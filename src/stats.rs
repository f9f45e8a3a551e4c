//! Shared estimators: means with standard errors, batch-means MCSE,
//! effective sample size, least-squares slopes, binomial bounds and the
//! quantiles that turn a false-failure probability into a tolerance.

use crate::record::Check;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Mean and its standard error for i.i.d. samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean.
    pub stderr: f64,
}

/// Sample mean.
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Unbiased sample variance (0 for fewer than two samples).
pub fn variance(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 2 {
        return 0.0;
    }
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64
}

/// Mean with standard error √(s²/n) for i.i.d. samples.
pub fn iid_estimate(xs: &[f64]) -> Estimate {
    Estimate {
        mean: mean(xs),
        stderr: (variance(xs) / xs.len() as f64).sqrt(),
    }
}

/// Mean with batch-means Monte Carlo standard error for a correlated chain
/// (⌊√n⌋ batches of equal size; the remainder is dropped from the MCSE only).
pub fn batch_means(xs: &[f64]) -> Estimate {
    let n = xs.len();
    let batches = ((n as f64).sqrt().floor() as usize).max(2).min(n.max(2));
    let size = n / batches;
    if size == 0 {
        return iid_estimate(xs);
    }
    let means: Vec<f64> = (0..batches).map(|b| mean(&xs[b * size..(b + 1) * size])).collect();
    Estimate {
        mean: mean(xs),
        stderr: (variance(&means) / batches as f64).sqrt(),
    }
}

/// Effective sample size by Geyer's initial positive sequence estimator.
pub fn effective_sample_size(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 4 {
        return n as f64;
    }
    let m = mean(xs);
    let c0 = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
    if c0 == 0.0 {
        return n as f64;
    }
    let acf = |lag: usize| -> f64 { (0..n - lag).map(|i| (xs[i] - m) * (xs[i + lag] - m)).sum::<f64>() / n as f64 / c0 };
    let mut tau = -1.0;
    let mut lag = 0;
    while lag + 1 < n {
        let pair = acf(lag) + acf(lag + 1);
        if pair <= 0.0 {
            break;
        }
        tau += 2.0 * pair;
        lag += 2;
    }
    (n as f64 / tau.max(1.0 / n as f64)).min(n as f64)
}

/// Two-sided standard-normal quantile z with P(|Z| > z) = p.
pub fn z_two_sided(p: f64) -> f64 {
    Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - p / 2.0)
}

/// One-sided standard-normal quantile z with P(Z > z) = p.
pub fn z_one_sided(p: f64) -> f64 {
    Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - p)
}

/// Two-sided acceptance interval [lo, hi] for a χ²_k statistic at level p.
pub fn chi_squared_interval(k: f64, p: f64) -> (f64, f64) {
    let d = ChiSquared::new(k).expect("k > 0");
    (d.inverse_cdf(p / 2.0), d.inverse_cdf(1.0 - p / 2.0))
}

/// Least-squares line y = a + b x: returns (intercept, slope, slope stderr).
pub fn fit_line(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mx = mean(x);
    let my = mean(y);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let rss: f64 = x.iter().zip(y).map(|(a, b)| (b - intercept - slope * a).powi(2)).sum();
    let se = if n > 2.0 { (rss / (n - 2.0) / sxx).sqrt() } else { f64::NAN };
    (intercept, slope, se)
}

/// Clopper–Pearson one-sided upper confidence bound for a binomial
/// proportion with `k` successes in `n` trials at confidence `1 − alpha`.
pub fn binomial_upper(k: usize, n: usize, alpha: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    // Upper bound p solves P(Bin(n, p) <= k) = alpha; bisection on p.
    let cdf = |p: f64| -> f64 {
        let mut term = (1.0 - p).powi(n as i32);
        let mut sum = term;
        for i in 0..k {
            term *= (n - i) as f64 / (i + 1) as f64 * p / (1.0 - p);
            sum += term;
        }
        sum
    };
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Mean and MCSE from several independent chains of equal length: each
/// chain is cut into ⌊√len⌋ batches, and the pooled batch means are treated
/// as i.i.d.
pub fn pooled_batch_means(chains: &[Vec<f64>]) -> Estimate {
    let mut means = Vec::new();
    for c in chains {
        let b = ((c.len() as f64).sqrt().floor() as usize).max(1);
        let size = c.len() / b;
        if size == 0 {
            continue;
        }
        for i in 0..b {
            means.push(mean(&c[i * size..(i + 1) * size]));
        }
    }
    Estimate {
        mean: mean(&means),
        stderr: (variance(&means) / means.len() as f64).sqrt(),
    }
}

/// Weighted least-squares line y = a + b x with known standard errors σ_i
/// of the y_i (weights 1/σ_i²): returns (intercept, slope, slope stderr
/// 1/√(Σ w_i (x_i − x̄_w)²), χ² of the residuals).
pub fn fit_line_weighted(x: &[f64], y: &[f64], sigma: &[f64]) -> (f64, f64, f64, f64) {
    let w: Vec<f64> = sigma.iter().map(|s| 1.0 / (s * s)).collect();
    let sw: f64 = w.iter().sum();
    let mx = x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let my = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let sxx: f64 = x.iter().zip(&w).map(|(a, b)| b * (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).zip(&w).map(|((a, c), b)| b * (a - mx) * (c - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let chi2: f64 = x
        .iter()
        .zip(y)
        .zip(&w)
        .map(|((a, c), b)| b * (c - intercept - slope * a).powi(2))
        .sum();
    (intercept, slope, (1.0 / sxx).sqrt(), chi2)
}

/// Checks of coordinate `i` of i.i.d. draws against N(mean, var): a χ²_K
/// test of Σ(x − mean)²/var and a z test of the sample mean, each at
/// false-failure probability `alpha`.
pub fn gaussian_coordinate_checks(states: &[Vec<f64>], i: usize, mean: f64, var: f64, alpha: f64, label: &str) -> [Check; 2] {
    let k = states.len() as f64;
    let ss: f64 = states.iter().map(|s| (s[i] - mean) * (s[i] - mean)).sum();
    let emp_var = ss / k;
    let (lo, hi) = chi_squared_interval(k, alpha);
    let tol_var = var * (hi / k - 1.0).max(1.0 - lo / k);
    let xbar: f64 = states.iter().map(|s| s[i]).sum::<f64>() / k;
    let se_mean = (var / k).sqrt();
    [
        Check::equal(&format!("{label} variance"), var, emp_var, var * (2.0 / k).sqrt(), tol_var, alpha),
        Check::equal(&format!("{label} mean"), mean, xbar, se_mean, z_two_sided(alpha) * se_mean, alpha),
    ]
}

/// Gelman–Rubin potential scale reduction R̂ of equally long chains
/// (Gelman et al., Bayesian Data Analysis, 3rd ed., eq. 11.4):
/// √(((n−1)/n · W + B/n) / W) with W the mean within-chain variance and B/n
/// the variance of the chain means. 1 for identical constant chains.
pub fn rhat(chains: &[Vec<f64>]) -> f64 {
    let n = chains.iter().map(Vec::len).min().unwrap_or(0);
    if chains.len() < 2 || n < 2 {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|c| mean(&c[..n])).collect();
    let w = chains.iter().map(|c| variance(&c[..n])).sum::<f64>() / chains.len() as f64;
    let b_over_n = variance(&means);
    if w == 0.0 {
        return if b_over_n == 0.0 { 1.0 } else { f64::INFINITY };
    }
    let nf = n as f64;
    (((nf - 1.0) / nf * w + b_over_n) / w).sqrt()
}
