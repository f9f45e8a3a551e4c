//! **T1 — Theorem 1** (generalization gap, PAC-Bayes stability), as a calculator.
//!
//! > Assume A1, β > η, 0 ≤ ℓ ≤ R̄. For any 0 < δ < 1, with probability ≥ 1 − δ over D_n:
//! > E_{W_k}\[𝓛(W_k)\] ≤ E_{W_k}\[𝓛̂(W_k)\] + (R̄²/√n) \[ 2(1 + 2β/√n) + log( (1 + e^{R̄²/2}) / δ ) \] + 2 Ξ_k.
//! > At stationarity (Ξ = 0) every term is explicit.
//!
//! The right-hand side minus the empirical risk (the "excess") is split into
//! its terms. Since the loss lies in \[0, R̄\], the gap 𝓛 − 𝓛̂ never exceeds
//! R̄: an excess ≥ R̄ says nothing (the bound is *vacuous*).

use crate::error::{self, Error, Result};
use serde::Serialize;

/// Inputs of Theorem 1's right-hand side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct T1Params {
    /// Sample size n ≥ 1.
    pub n: f64,
    /// Inverse temperature β > 0.
    pub beta: f64,
    /// Loss bound R̄ > 0 (0 ≤ ℓ ≤ R̄).
    pub r_bar: f64,
    /// Confidence δ ∈ (0, 1).
    pub delta: f64,
    /// Ξ_k ≥ 0 of P1 (0 at stationarity).
    pub xi: f64,
}

/// The terms of the excess of the right-hand side over 𝓛̂ (stable JSON names).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct T1Terms {
    /// (R̄²/√n)·2: the constant part of the stability term.
    pub constant: f64,
    /// (R̄²/√n)·4β/√n = 4βR̄²/n: the temperature part.
    pub temperature: f64,
    /// (R̄²/√n)·log((1 + e^{R̄²/2})/δ): the confidence part.
    pub confidence: f64,
    /// 2 Ξ_k: the non-stationarity part.
    pub non_stationary: f64,
    /// The sum: the bound on 𝓛 − 𝓛̂.
    pub bound: f64,
    /// Whether bound ≥ R̄ (no better than the trivial bound).
    pub vacuous: bool,
}

impl T1Params {
    /// Validates n ≥ 1, β > 0, R̄ > 0, δ ∈ (0, 1), Ξ ≥ 0.
    pub fn validate(&self) -> Result<()> {
        let n = error::finite("n", self.n)?;
        if n < 1.0 {
            return Err(Error::OutOfRange {
                name: "n",
                value: n,
                range: "[1, ∞)",
            });
        }
        error::positive("beta", self.beta)?;
        error::positive("r_bar", self.r_bar)?;
        error::open_interval("delta", self.delta, 0.0, 1.0, "(0, 1)")?;
        let xi = error::finite("xi", self.xi)?;
        if xi < 0.0 {
            return Err(Error::OutOfRange {
                name: "xi",
                value: xi,
                range: "[0, ∞)",
            });
        }
        Ok(())
    }

    /// The terms of the right-hand side minus 𝓛̂, as printed.
    pub fn terms(&self) -> Result<T1Terms> {
        self.validate()?;
        let sn = self.n.sqrt();
        let scale = self.r_bar * self.r_bar / sn;
        let constant = 2.0 * scale;
        let temperature = scale * 4.0 * self.beta / sn;
        // log((1 + e^{R̄²/2})/δ), as R̄²/2 + log1p(e^{−R̄²/2}) − log δ: no
        // overflow of e^{R̄²/2} for R̄ ≳ 37.7.
        let half = self.r_bar * self.r_bar / 2.0;
        let confidence = scale * (half + libm::log1p(libm::exp(-half)) - libm::log(self.delta));
        let non_stationary = 2.0 * self.xi;
        let bound = constant + temperature + confidence + non_stationary;
        Ok(T1Terms {
            constant,
            temperature,
            confidence,
            non_stationary,
            bound,
            vacuous: bound >= self.r_bar,
        })
    }
}

/// How β is tied to n in a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BetaRule {
    /// β = 1.
    #[serde(rename = "1")]
    One,
    /// β = √n.
    #[serde(rename = "sqrt_n")]
    SqrtN,
    /// β = n.
    #[serde(rename = "n")]
    N,
}

impl BetaRule {
    /// β for sample size n.
    pub fn beta(self, n: f64) -> f64 {
        match self {
            BetaRule::One => 1.0,
            BetaRule::SqrtN => n.sqrt(),
            BetaRule::N => n,
        }
    }

    /// Stable name (as in the records).
    pub fn name(self) -> &'static str {
        match self {
            BetaRule::One => "1",
            BetaRule::SqrtN => "sqrt_n",
            BetaRule::N => "n",
        }
    }
}

/// The smallest n (to within a factor 1 + 1e-9) from which the stationary
/// bound (Ξ = 0) is non-vacuous under `rule`, or `None` if it is vacuous
/// for every n. For β = n the excess tends to 4R̄² as n → ∞, so it stays
/// vacuous whenever R̄ ≤ 4R̄², i.e. R̄ ≥ 1/4. For β = 1 and β = √n the
/// excess decreases in n to 0, so the threshold is found by bisection.
pub fn non_vacuous_from(rule: BetaRule, r_bar: f64, delta: f64) -> Result<Option<f64>> {
    let excess = |n: f64| -> Result<f64> {
        T1Params {
            n,
            beta: rule.beta(n),
            r_bar,
            delta,
            xi: 0.0,
        }
        .terms()
        .map(|t| t.bound)
    };
    if excess(1.0)? < r_bar {
        return Ok(Some(1.0));
    }
    if rule == BetaRule::N && 4.0 * r_bar * r_bar >= r_bar {
        return Ok(None);
    }
    // The excess is decreasing in n for every rule (β/n non-increasing): find
    // an n with excess < R̄ by doubling, then bisect in log n.
    let mut hi = 2.0;
    while excess(hi)? >= r_bar {
        hi *= 2.0;
        if hi > 1e300 {
            return Ok(None);
        }
    }
    let mut lo = hi / 2.0;
    while hi / lo > 1.0 + 1e-9 {
        let mid = (lo * hi).sqrt();
        if excess(mid)? >= r_bar {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some(hi))
}
