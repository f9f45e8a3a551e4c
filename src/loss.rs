//! Losses of S1 with their derivatives in the prediction f, orders 1–3.
//!
//! > **S1.** Squared ℓ(y,f) = (y − f)²; logistic ℓ(y,f) = log(1 + exp(−y f)), y ∈ {±1}.
//!
//! Logistic derivatives, with u = y f, g(u) = log(1 + e^{−u}) and the
//! logistic function s(u) = 1/(1 + e^{−u}): g' = −s(−u), g'' = s(u)s(−u),
//! g''' = s(u)s(−u)(s(−u) − s(u)); ℓ^{(j)}(y, f) = y^j g^{(j)}(y f).

use serde::{Deserialize, Serialize};

/// A loss ℓ(y, f).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// (y − f)².
    Squared,
    /// log(1 + exp(−y f)).
    Logistic,
}

fn sigmoid(u: f64) -> f64 {
    if u >= 0.0 {
        1.0 / (1.0 + libm::exp(-u))
    } else {
        let e = libm::exp(u);
        e / (1.0 + e)
    }
}

impl Loss {
    /// ℓ(y, f).
    pub fn value(self, y: f64, f: f64) -> f64 {
        match self {
            Loss::Squared => (y - f) * (y - f),
            Loss::Logistic => {
                // softplus(−u), stable for large |u|.
                let u = y * f;
                (-u).max(0.0) + libm::log1p(libm::exp(-u.abs()))
            }
        }
    }

    /// ∂ℓ/∂f.
    pub fn d1(self, y: f64, f: f64) -> f64 {
        match self {
            Loss::Squared => 2.0 * (f - y),
            Loss::Logistic => -y * sigmoid(-y * f),
        }
    }

    /// ∂²ℓ/∂f².
    pub fn d2(self, y: f64, f: f64) -> f64 {
        match self {
            Loss::Squared => 2.0,
            Loss::Logistic => {
                let u = y * f;
                y * y * sigmoid(u) * sigmoid(-u)
            }
        }
    }

    /// ∂³ℓ/∂f³.
    pub fn d3(self, y: f64, f: f64) -> f64 {
        match self {
            Loss::Squared => 0.0,
            Loss::Logistic => {
                let u = y * f;
                let (sp, sm) = (sigmoid(u), sigmoid(-u));
                y * y * y * sp * sm * (sm - sp)
            }
        }
    }

    /// Name used in specs and records.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Squared => "squared",
            Loss::Logistic => "logistic",
        }
    }
}
