//! **CF — concentration function (GP prior concentration).**
//!
//! > H_K̃ = H_{K^{γ+1}}; ν̃_β = law of T_K^{γ/2} W for W ∼ ν_β (coordinates
//! > independent N(0, μ_k^{γ+1}/(βλ))).
//! > φ_{β,λ}(ε) = inf_{h ∈ H_K̃ : 𝓛(h) − 𝓛(f*) ≤ ε²} βλ ‖h‖²_{H_K̃} − log ν̃_β({h : ‖h‖ ≤ ε}) + log 2,
//! > (= ∞ when no h qualifies). The first term is the bias (decentering) part, the
//! > second the centred small-ball probability of the prior.
//!
//! This module computes the centred small-ball term −log P(Σ_k s_k Z_k² ≤ ε²)
//! for Z_k i.i.d. N(0, 1) and a non-increasing variance sequence (s_k), to a
//! stated accuracy far into the tail, by the exact Laplace inversion of the
//! distribution function along the saddle-point contour:
//!
//! P(S ≤ r) = e^{cr + L(c)} · (1/π) ∫_0^∞ Re[ Π_k (1 + 2iω s̃_k)^{−1/2} e^{iωr} / (c + iω) ] dω,
//! L(c) = −½ Σ_k log(1 + 2c s_k), s̃_k = s_k/(1 + 2c s_k), c > 0 the saddle point
//! −L'(c) = r (for r > E S the same integral with c < 0 gives P − 1).
//!
//! The series is summed exactly over an explicit head and, for a power-law
//! tail s_k = a (k + b)^{−q}, by Euler–Maclaurin with the tail integral done by
//! Simpson's rule in logarithmic variables; the trapezoid rule in ω converges
//! exponentially (the integrand is analytic in a strip). Every step reports
//! an error estimate, summed into `error_bound`; the ω-truncation bound is
//! rigorous. Derivation: `proofs/small_ball.md`.
//!
//! [`truncation_bracket`] gives the rigorous effect of dropping the terms
//! k ≥ K: P(S_K ≤ r) ≥ P(S ≤ r) ≥ P(S_K ≤ r − δ) (1 − T_K/δ), T_K = Σ_{k≥K} s_k.

use crate::error::{self, Error, Result};
use nalgebra::Complex;
use serde::Serialize;

type C = Complex<f64>;

fn clog(z: C) -> C {
    C::new(libm::log(libm::hypot(z.re, z.im)), libm::atan2(z.im, z.re))
}

fn cexp(z: C) -> C {
    let r = libm::exp(z.re);
    C::new(r * libm::cos(z.im), r * libm::sin(z.im))
}

/// Power-law tail s_k = a (k + b)^{−q} for k ≥ the head length.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PowerTail {
    /// Scale a > 0.
    pub a: f64,
    /// Shift b > 0.
    pub b: f64,
    /// Decay q > 1.
    pub q: f64,
}

impl PowerTail {
    fn at(&self, k: f64) -> f64 {
        self.a * libm::pow(k + self.b, -self.q)
    }
}

/// A variance sequence: an explicit non-increasing head and an optional
/// power-law tail continuing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variances {
    head: Vec<f64>,
    tail: Option<PowerTail>,
}

/// Rounding allowance per term of a sum of n terms, relative to the sum of
/// their moduli: Higham's γ_n ≈ n·u for recursive summation (u = 2^{−53})
/// plus about one rounding in each term's own evaluation, so 2u = ε_mach.
/// A worst-case floor: the typical error is √n times smaller.
pub const ROUNDING: f64 = f64::EPSILON;

/// Number of explicit terms before the Euler–Maclaurin tail.
pub const HEAD: usize = 256;

impl Variances {
    /// Finitely many variances (each finite and > 0).
    pub fn finite(s: Vec<f64>) -> Result<Variances> {
        if s.is_empty() {
            return Err(Error::EmptyData { name: "variances" });
        }
        for &v in &s {
            error::positive("variance", v)?;
        }
        let mut head = s;
        head.sort_by(|a, b| b.total_cmp(a));
        Ok(Variances { head, tail: None })
    }

    /// s_k = a (k + b)^{−q} for all k ≥ 0 (head of [`HEAD`] explicit terms).
    pub fn power_law(a: f64, b: f64, q: f64) -> Result<Variances> {
        error::positive("a", a)?;
        error::positive("b", b)?;
        let q = error::finite("q", q)?;
        if q <= 1.0 {
            return Err(Error::OutOfRange {
                name: "decay q",
                value: q,
                range: "(1, inf) (the variances must be summable)",
            });
        }
        let t = PowerTail { a, b, q };
        Ok(Variances {
            head: (0..HEAD).map(|k| t.at(k as f64)).collect(),
            tail: Some(t),
        })
    }

    /// The prior ν̃_β of CF: s_k = μ_k^{γ+1}/(βλ), μ_k = c_μ (k+1)^{−p}.
    pub fn prior(c_mu: f64, decay: f64, gamma: f64, beta_lambda: f64) -> Result<Variances> {
        error::positive("c_mu", c_mu)?;
        error::positive("decay", decay)?;
        error::positive("beta_lambda", beta_lambda)?;
        let gamma = error::finite("gamma", gamma)?;
        if gamma <= -1.0 {
            return Err(Error::OutOfRange {
                name: "gamma",
                value: gamma,
                range: "(-1, inf)",
            });
        }
        Variances::power_law(libm::pow(c_mu, gamma + 1.0) / beta_lambda, 1.0, decay * (gamma + 1.0))
    }

    /// Brownian motion on [0, 1] in L2: s_k = 1/((k + ½)² π²).
    pub fn brownian() -> Variances {
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        Variances::power_law(1.0 / pi2, 0.5, 2.0).expect("valid constants")
    }

    /// The first `k` terms only (a finite sequence).
    pub fn truncated(&self, k: usize) -> Result<Variances> {
        error::nonzero("truncation K", k)?;
        let s = match &self.tail {
            Some(t) => (0..k)
                .map(|j| if j < self.head.len() { self.head[j] } else { t.at(j as f64) })
                .collect(),
            None => self.head.iter().take(k).copied().collect(),
        };
        Variances::finite(s)
    }

    /// The variances s_0..s_{k−1} (tail terms evaluated).
    pub fn first(&self, k: usize) -> Vec<f64> {
        (0..k)
            .filter_map(|j| match (self.head.get(j), &self.tail) {
                (Some(&v), _) => Some(v),
                (None, Some(t)) => Some(t.at(j as f64)),
                (None, None) => None,
            })
            .collect()
    }

    /// Rigorous upper bound on T_K = Σ_{k≥K} s_k (0 past a finite list):
    /// a (K+b)^{−q} + a (K+b)^{1−q}/(q−1) by the integral test.
    pub fn tail_mass_bound(&self, k: usize) -> f64 {
        match &self.tail {
            Some(t) if k >= self.head.len() => {
                let y = k as f64 + t.b;
                t.a * libm::pow(y, -t.q) + t.a * libm::pow(y, 1.0 - t.q) / (t.q - 1.0)
            }
            Some(_) => self.head[k..].iter().sum::<f64>() + self.tail_mass_bound(self.head.len()),
            None => self.head.iter().skip(k).sum(),
        }
    }

    /// Σ_k f(s_k), itemised with its error budget (`proofs/small_ball.md`
    /// §2). `scale` ≥ |z| such that f(s) is linear in s once s·scale ≪ 1:
    /// it sets where the tail integral stops. Every series of the
    /// calculator goes through here (E S, L(t), m(t), σ(t)², the
    /// inversion's integrand).
    pub fn series(&self, scale: f64, f: impl Fn(f64) -> C) -> Series {
        let mut head = C::new(0.0, 0.0);
        for &s in &self.head {
            head += f(s);
        }
        let rounding_head = ROUNDING * self.head.len() as f64 * head.norm();
        let Some(t) = self.tail else {
            return Series {
                value: head,
                head,
                boundary: C::new(0.0, 0.0),
                integral: C::new(0.0, 0.0),
                tail_start: None,
                tail_end: None,
                err_rounding: rounding_head,
                err_boundary: 0.0,
                err_quadrature: 0.0,
                err_beyond: 0.0,
            };
        };
        let y0 = self.head.len() as f64 + t.b;
        let g = |y: f64| f(t.a * libm::pow(y, -t.q));
        // Euler–Maclaurin: Σ_{k≥K} g(k+b) = ∫_{y0}^∞ g + g(y0)/2 − g'(y0)/12 + g'''(y0)/720 + R.
        let h = 0.05 * y0;
        let (gp1, gm1, gp2, gm2) = (g(y0 + h), g(y0 - h), g(y0 + 2.0 * h), g(y0 - 2.0 * h));
        let (gp4, gm4) = (g(y0 + 4.0 * h), g(y0 - 4.0 * h));
        let d1 = (gp1 * 8.0 - gm1 * 8.0 - gp2 + gm2) / (12.0 * h);
        let d1_wide = (gp2 * 8.0 - gm2 * 8.0 - gp4 + gm4) / (24.0 * h);
        let d3 = (gp2 - gp1 * 2.0 + gm1 * 2.0 - gm2) / (2.0 * h * h * h);
        let boundary = g(y0) * 0.5 - d1 / 12.0 + d3 / 720.0;
        // The next Euler–Maclaurin term, g⁽⁵⁾/30240, is smaller than the
        // last one kept; the five-point g' has error h⁴g⁽⁵⁾/30, 1/15 of its
        // difference from the same rule at step 2h (Richardson).
        let err_boundary = (d3 / 720.0).norm() + (d1 - d1_wide).norm() / 15.0 / 12.0;
        // ∫_{y0}^∞ g(y) dy = ∫_0^∞ g(y0 e^v) y0 e^v dv, Simpson at steps h and 2h.
        let s0 = t.a * libm::pow(y0, -t.q) * scale.max(1e-300);
        let v_max = (libm::log(s0).max(0.0)) / t.q + 40.0 / (t.q - 1.0);
        let step = 1.0 / (16.0 * t.q.max(1.0));
        let m = 4 * ((v_max / step / 4.0).ceil() as usize).max(1);
        let hv = v_max / m as f64;
        let mut fine = C::new(0.0, 0.0);
        let mut coarse = C::new(0.0, 0.0);
        let mut fine_abs = 0.0;
        for j in 0..=m {
            let v = j as f64 * hv;
            let y = y0 * libm::exp(v);
            let val = g(y) * y;
            let w = if j == 0 || j == m {
                1.0
            } else if j % 2 == 1 {
                4.0
            } else {
                2.0
            };
            fine += val * w;
            fine_abs += val.norm() * w;
            if j % 2 == 0 {
                let wc = if j == 0 || j == m {
                    1.0
                } else if j % 4 == 2 {
                    4.0
                } else {
                    2.0
                };
                coarse += val * wc;
            }
        }
        fine *= hv / 3.0;
        fine_abs *= hv / 3.0;
        // m is a multiple of 4, so the coarse rule is Simpson at step 2h.
        coarse *= 2.0 * hv / 3.0;
        let y_end = y0 * libm::exp(v_max);
        let err_beyond = (g(y_end) * y_end).norm() / (t.q - 1.0);
        let err_quadrature = (fine - coarse).norm() / 15.0;
        let value = head + boundary + fine;
        Series {
            value,
            head,
            boundary,
            integral: fine,
            tail_start: Some(y0),
            tail_end: Some(y_end),
            err_rounding: rounding_head + ROUNDING * (m + 1) as f64 * fine_abs,
            err_boundary,
            err_quadrature,
            err_beyond,
        }
    }

    /// s_0, the largest variance.
    pub fn s_max(&self) -> f64 {
        self.head[0]
    }

    /// E S = Σ s_k.
    pub fn mean(&self) -> f64 {
        self.series(1.0, |s| C::new(s, 0.0)).value.re
    }

    /// Checks −1/(2 s_max) < t < ∞, the domain of L(t) = log E e^{−tS}.
    fn check_t(&self, name: &'static str, t: f64) -> Result<f64> {
        let t = error::finite(name, t)?;
        if 2.0 * t * self.s_max() > -1.0 {
            Ok(t)
        } else {
            Err(Error::OutOfRange {
                name,
                value: t,
                range: "(-1/(2 s_max), inf) (the Laplace transform's domain)",
            })
        }
    }

    /// m(t) = −L'(t) = Σ_k s_k/(1 + 2ts_k): the mean of S under the law
    /// tilted by e^{−tS}. The saddle point solves m(t) = r.
    pub fn tilted_mean(&self, t: f64) -> Result<f64> {
        Ok(self.m(self.check_t("t", t)?))
    }

    /// L(t) = log E e^{−tS} = −½ Σ_k log(1 + 2ts_k), with its error estimate.
    pub fn log_laplace(&self, t: f64) -> Result<(f64, f64)> {
        Ok(self.log_laplace_at(self.check_t("t", t)?))
    }

    /// σ(t) = L''(t)^{1/2} = (2 Σ_k s̃_k²)^{1/2}, s̃_k = s_k/(1 + 2ts_k): the
    /// standard deviation of S under the tilted law.
    pub fn tilted_sd(&self, t: f64) -> Result<f64> {
        Ok(self.sigma(self.check_t("t", t)?))
    }

    /// Σ_k log(1 + 2iω s̃_k), s̃_k = s_k/(1 + 2cs_k) (principal logarithms),
    /// with its error estimate. On the contour Re z = c the inversion
    /// integrand is exp(−½ ·) e^{iωr}/(c + iω).
    pub fn tilted_log_cf(&self, c: f64, w: f64) -> Result<(C, f64)> {
        let c = self.check_t("c", c)?;
        let w = error::finite("omega", w)?;
        Ok(self.log_cf(c, w))
    }

    fn m(&self, t: f64) -> f64 {
        self.series(2.0 * t.abs(), |s| C::new(s / (1.0 + 2.0 * t * s), 0.0)).value.re
    }

    fn log_laplace_at(&self, t: f64) -> (f64, f64) {
        let v = self.series(2.0 * t.abs(), |s| C::new(libm::log1p(2.0 * t * s), 0.0));
        (-0.5 * v.value.re, 0.5 * v.error())
    }

    fn sigma(&self, t: f64) -> f64 {
        let v = self.series(2.0 * t.abs(), |s| {
            let u = s / (1.0 + 2.0 * t * s);
            C::new(u * u, 0.0)
        });
        (2.0 * v.value.re).sqrt()
    }

    fn log_cf(&self, c: f64, w: f64) -> (C, f64) {
        let v = self.series(2.0 * (w.abs() + c.abs()), |s| {
            let st = s / (1.0 + 2.0 * c * s);
            clog(C::new(1.0, 2.0 * w * st))
        });
        (v.value, v.error())
    }
}

/// A series Σ_k f(s_k) with its error budget, item by item
/// (`proofs/small_ball.md` §2). Without a tail only `head` and the
/// rounding floor are non-zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series {
    /// The sum, `head + boundary + integral`.
    pub value: C,
    /// Σ over the explicit head, k < K.
    pub head: C,
    /// Euler–Maclaurin boundary terms g(y₀)/2 − g′(y₀)/12 + g‴(y₀)/720 at
    /// y₀ = K + b, g(y) = f(a y^{−q}); the derivatives by five-point
    /// differences at step 0.05 y₀.
    pub boundary: C,
    /// ∫_{y₀}^{y_end} g by Simpson's rule in v = log(y/y₀).
    pub integral: C,
    /// y₀ = K + b (None without a tail).
    pub tail_start: Option<f64>,
    /// y_end = y₀ e^{v_max}, v_max = max(log(a y₀^{−q} scale), 0)/q + 40/(q − 1).
    pub tail_end: Option<f64>,
    /// Rounding floor: [`ROUNDING`]·n·Σ|terms| for each sum of n terms
    /// (head: n = K, using |head|; Simpson: n = m + 1 nodes).
    pub err_rounding: f64,
    /// |g‴/720| (bounds the first neglected Euler–Maclaurin term) plus the
    /// Richardson estimate of the five-point g′'s error, |g′_h − g′_{2h}|/15,
    /// over 12.
    pub err_boundary: f64,
    /// |S_h − S_{2h}|/15, Richardson's estimate of the Simpson error.
    pub err_quadrature: f64,
    /// |g(y_end)| y_end/(q − 1): the integral beyond y_end when g is linear
    /// in s there (exact for f(s) = s).
    pub err_beyond: f64,
}

impl Series {
    /// The total error estimate, the sum of the items.
    pub fn error(&self) -> f64 {
        self.err_rounding + self.err_boundary + self.err_quadrature + self.err_beyond
    }
}

/// The result of the small-ball calculator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SmallBall {
    /// ε.
    pub eps: f64,
    /// −log P(Σ s_k Z_k² ≤ ε²).
    pub neg_log_prob: f64,
    /// Estimated absolute error of `neg_log_prob` (sum of the error
    /// estimates of every step; the ω-truncation part is rigorous).
    pub error_bound: f64,
    /// The saddle point t, the root of m(t) = ε² ([`saddle_point`]): t > 0
    /// below the mean E S, −1/(2 s_max) < t < 0 above it.
    pub saddle_point: f64,
    /// The abscissa c of the inversion contour Re z = c (the rule is in
    /// [`small_ball`]'s documentation).
    pub abscissa: f64,
    /// The Chernoff exponent −(tr + L(t)) at the saddle point: below the
    /// mean a rigorous lower bound on −log P(S ≤ r), above it on
    /// −log P(S > r).
    pub chernoff: f64,
    /// Trapezoid nodes used in ω.
    pub nodes: usize,
}

/// Cap on the trapezoid nodes in ω.
pub const MAX_NODES: usize = 100_000;

/// The saddle point of P(S ≤ r): the root t of
/// m(t) = Σ_k s_k/(1 + 2ts_k) = r. Below the mean (r < E S) m decreases from
/// E S to 0 on (0, ∞): bracketed by factors of 16 from t = 1, then 30
/// bisections in log t (relative precision 16^{2^{−30}} − 1 ≈ 3e-9). Above
/// it, m increases from E S to ∞ on (−1/(2 s_max), 0): 60 bisections.
pub fn saddle_point(v: &Variances, r: f64) -> Result<f64> {
    let r = error::positive("r", r)?;
    find_saddle(v, r, v.mean()).ok_or(Error::OutOfRange {
        name: "r",
        value: r,
        range: "a range where the saddle point is representable",
    })
}

fn find_saddle(v: &Variances, r: f64, es: f64) -> Option<f64> {
    if r < es {
        let mut hi = 1.0;
        while v.m(hi) > r {
            hi *= 16.0;
            if hi > 1e300 {
                return None;
            }
        }
        let mut lo = hi;
        while v.m(lo) <= r {
            lo /= 16.0;
        }
        // Any c > 0 is exact; the saddle point only optimizes, so 30 steps suffice.
        for _ in 0..30 {
            let mid = (lo * hi).sqrt();
            if v.m(mid) > r {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some((lo * hi).sqrt())
    } else {
        let (mut lo, mut hi) = (-0.5 / v.s_max(), 0.0);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if v.m(mid) > r {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }
}

/// −log P(Σ_k s_k Z_k² ≤ ε²), Z_k i.i.d. N(0, 1), with an error estimate.
///
/// The contour abscissa c: the saddle point t unless |t| σ(t) < 1 (the
/// pole at 0 closer than the integrand's width 1/σ), then 1/σ(t) below the
/// mean and −min(1/σ(t), 1/(4 s_max)) above it. Below the mean, with more
/// than 16 variances, c then moves right (any c > 0 is exact) towards
/// 1/(2 s_15), where 16 terms have 2cs_k ≥ 1 and the integrand decays
/// fast, as far as the cancellation factor e^{Λ(c) − Λ(c₀)},
/// Λ(x) = xr + L(x), stays ≤ e^8 (20 bisections).
pub fn small_ball(v: &Variances, eps: f64) -> Result<SmallBall> {
    let eps = error::positive("eps", eps)?;
    let r = eps * eps;
    if !r.is_normal() {
        return Err(Error::OutOfRange {
            name: "eps",
            value: eps,
            range: "(1e-150, 1e150)",
        });
    }
    let es = v.mean();
    let smax = v.s_max();
    let t = find_saddle(v, r, es).ok_or(Error::OutOfRange {
        name: "eps",
        value: eps,
        range: "a range where the saddle point is representable",
    })?;
    let sig_t = v.sigma(t);
    // Contour abscissa: the saddle point unless it is within 1/σ of the pole at 0.
    let c = if (t * sig_t).abs() >= 1.0 {
        t
    } else if r < es {
        1.0 / sig_t
    } else {
        -(1.0 / sig_t).min(0.25 / smax)
    };
    // In the moderate regime few terms have 2c s_k ≥ 1 and the integrand
    // decays slowly in ω; moving c right (any c > 0 is exact) until 16
    // terms qualify speeds the quadrature up, at the price of a factor
    // e^{Λ(c) − Λ(c₀)}, Λ(x) = xr + L(x), of cancellation over the first
    // choice c₀ (capped at e^8; c₀ is within 1/σ of the saddle point t,
    // where Λ is least, so Λ(c₀) − Λ(t) ≲ 2 adds little).
    let c = if c > 0.0 && v.head.len() > 16 && c < 0.5 / v.head[15] {
        let lam = |x: f64| x * r + v.log_laplace_at(x).0;
        let base = lam(c);
        let target = 0.5 / v.head[15];
        if lam(target) - base <= 8.0 {
            target
        } else {
            let (mut lo, mut hi) = (c, target);
            for _ in 0..20 {
                let mid = 0.5 * (lo + hi);
                if lam(mid) - base <= 8.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            lo
        }
    } else {
        c
    };
    let (lc, lc_err) = v.log_laplace_at(c);
    let sig = v.sigma(c);
    let st_max = smax / (1.0 + 2.0 * c * smax);
    let dist = c.abs().min(0.5 / st_max);
    let h0 = (0.5 / sig).min(2.0 * std::f64::consts::PI * dist / 40.0);
    let head: Vec<f64> = v.head.iter().map(|&s| s / (1.0 + 2.0 * c * s)).collect();
    // Integrand F(ω) and its modulus; the exponent's error estimate.
    let integrand = |w: f64| -> (f64, f64, f64) {
        let (sum, e) = v.log_cf(c, w);
        let z = cexp(sum * -0.5 + C::new(0.0, w * r)) / C::new(c, w);
        let modulus = libm::exp(-0.5 * sum.re);
        (z.re, modulus, e)
    };
    let pi = std::f64::consts::PI;
    // Trapezoid at step h (and, from its even nodes, at 2h) until the
    // rigorous tail bound is negligible: (J_h, J_2h, tail bound, exponent error, nodes).
    let trapezoid = |h: f64| -> Result<(f64, f64, f64, f64, usize)> {
        let (f0, _, e0) = integrand(0.0);
        let mut fine = 0.5 * f0;
        let mut coarse = 0.5 * f0;
        let mut exp_err = 0.5 * f0.abs() * e0 * 0.5;
        let mut nodes = 1;
        loop {
            let w = nodes as f64 * h;
            let (fw, modulus, e) = integrand(w);
            fine += fw;
            if nodes % 2 == 0 {
                coarse += fw;
            }
            exp_err += fw.abs() * e * 0.5;
            nodes += 1;
            // Rigorous bound on ∫_w^∞ |F|: d log(1 + x² a)/d log x² ≥ a/(1 + a) for
            // x ≥ 1 gives M(ω') ≤ M(ω)(ω/ω')^{2κ}, κ = ¼ Σ a_k/(1 + a_k), a_k = 4ω² s̃_k²,
            // hence ∫_ω^∞ M(ω')/ω' dω' ≤ M(ω)/(2κ).
            let kappa: f64 = head
                .iter()
                .map(|&s| {
                    let a = 4.0 * w * w * s * s;
                    a / (1.0 + a)
                })
                .sum::<f64>()
                / 4.0;
            let tail_bound = modulus / (2.0 * kappa) / pi;
            if tail_bound < 1e-10 * (fine * h / pi).abs() && nodes > 8 {
                return Ok((fine * h / pi, coarse * 2.0 * h / pi, tail_bound, exp_err * h / pi, nodes));
            }
            if nodes > MAX_NODES {
                return Err(Error::OutOfRange {
                    name: "eps",
                    value: eps,
                    range: "a range where the inversion integral converges within MAX_NODES",
                });
            }
        }
    };
    // Halve h until J_h and J_2h agree to 1e-4; the trapezoid error decays
    // like e^{−a/h}, so the error at h is about |J_h − J_2h|²/|J|.
    let mut h = h0;
    let mut total_nodes = 0;
    let (j, j_err) = loop {
        let (j, j2, tail, e_exp, nodes) = trapezoid(h)?;
        total_nodes += nodes;
        let d = (j - j2).abs();
        if d <= 1e-4 * j.abs() || total_nodes > MAX_NODES {
            break (j, d * d / j.abs().max(f64::MIN_POSITIVE) + tail + e_exp);
        }
        h *= 0.5;
    };
    let nodes = total_nodes;
    // The exponent of the contour's prefactor, −(cr + L(c)).
    let e_c = -(c * r + lc);
    let (neg_log_prob, error_bound) = if c > 0.0 {
        if j <= 0.0 {
            return Err(Error::OutOfRange {
                name: "eps",
                value: eps,
                range: "a range where the inversion integral is resolved",
            });
        }
        (e_c - libm::log(j), lc_err + j_err / j + 1e-15 * e_c.abs())
    } else {
        // P − 1 = e^{cr+L(c)} J, so Q = P(S > r) = −e^{−e_c} J.
        let qv = -libm::exp(-e_c) * j;
        let p = 1.0 - qv;
        let qerr = libm::exp(-e_c) * (j_err + j.abs() * lc_err);
        (-libm::log1p(-qv), qerr / p + 1e-16)
    };
    Ok(SmallBall {
        eps,
        neg_log_prob,
        error_bound,
        saddle_point: t,
        abscissa: c,
        chernoff: -(t * r + v.log_laplace_at(t).0),
        nodes,
    })
}

/// Rigorous bracket on −log P(S ≤ ε²) from the K-term truncation S_K:
/// −log P(S_K ≤ r) ≤ −log P(S ≤ r) ≤ −log P(S_K ≤ r − δ) − log(1 − T_K/δ),
/// with δ chosen on a grid; each side widened by its computed error.
pub fn truncation_bracket(v: &Variances, eps: f64, k: usize) -> Result<(f64, f64)> {
    let vk = v.truncated(k)?;
    let tk = v.tail_mass_bound(k);
    let r = eps * eps;
    let base = small_ball(&vk, eps)?;
    let lower = base.neg_log_prob - base.error_bound;
    let mut upper = f64::INFINITY;
    for j in 1..=12 {
        let delta = r * libm::pow(2.0, -(j as f64));
        if tk >= delta {
            break;
        }
        let sb = small_ball(&vk, (r - delta).sqrt())?;
        upper = upper.min(sb.neg_log_prob + sb.error_bound - libm::log1p(-tk / delta));
    }
    Ok((lower, upper))
}

/// log erfc(y), accurate for large y (continued fraction of erfcx).
pub fn log_erfc(y: f64) -> f64 {
    if y < 3.0 {
        return libm::log(libm::erfc(y));
    }
    // erfc(y) = e^{−y²}/√π · 1/(y + (1/2)/(y + 1/(y + (3/2)/(y + …)))).
    let mut frac = y;
    for j in (1..200).rev() {
        frac = y + (j as f64 / 2.0) / frac;
    }
    -y * y - 0.5 * libm::log(std::f64::consts::PI) - libm::log(frac)
}

/// Exact −log P(‖B‖²_{L2\[0,1\]} ≤ ε²) for Brownian motion, from the Laplace
/// transform (cosh √(2t))^{−1/2}:
/// P(‖B‖² ≤ x) = √2 Σ_{n≥0} binom(−½, n) erfc((4n + 1)/(2√(2x))).
/// Valid for 0 < ε ≤ 2 (beyond, the alternating series cancels).
pub fn brownian_exact(eps: f64) -> Result<f64> {
    let eps = error::positive("eps", eps)?;
    if eps > 2.0 {
        return Err(Error::OutOfRange {
            name: "eps",
            value: eps,
            range: "(0, 2]",
        });
    }
    let y = |n: usize| (4 * n + 1) as f64 / (2.0 * std::f64::consts::SQRT_2 * eps);
    let l0 = log_erfc(y(0));
    let mut sum = 1.0;
    let mut coef = 1.0;
    for n in 1..200 {
        coef *= -((2 * n - 1) as f64) / (2 * n) as f64;
        let term = coef * libm::exp(log_erfc(y(n)) - l0);
        sum += term;
        if term.abs() < 1e-18 {
            break;
        }
    }
    Ok(-(0.5 * libm::log(2.0) + l0 + libm::log(sum)))
}

/// The leading small-ball asymptotics of s_k = a (k + b)^{−q}:
/// −log P(S ≤ ε²) ∼ ((q−1)/2) (π/(q sin(π/q)))^{q/(q−1)} (ε²/a)^{−1/(q−1)}
/// (for Brownian motion, q = 2 and a = π^{−2}: 1/(8ε²)).
pub fn power_law_asymptotic(a: f64, q: f64, eps: f64) -> f64 {
    let pi = std::f64::consts::PI;
    0.5 * (q - 1.0) * libm::pow(pi / (q * libm::sin(pi / q)), q / (q - 1.0)) * libm::pow(eps * eps / a, -1.0 / (q - 1.0))
}

/// α̃ = 1/(2(γ + 1)) of Theorem 2.
pub fn alpha_tilde(gamma: f64) -> f64 {
    0.5 / (gamma + 1.0)
}

/// T2R's small-ball bound **as printed**: (ε/(λβ)^{1/2})^{−2α̃/(1−α̃)}.
pub fn small_ball_bound_printed(gamma: f64, beta_lambda: f64, eps: f64) -> f64 {
    let at = alpha_tilde(gamma);
    libm::pow(eps / beta_lambda.sqrt(), -2.0 * at / (1.0 - at))
}

/// T2R's small-ball bound **corrected** (`paper/errata.md`, E40):
/// (ε (λβ)^{1/2})^{−2α̃/(1−α̃)}; −log P depends on (ε, βλ) only through ε²βλ.
pub fn small_ball_bound_corrected(gamma: f64, beta_lambda: f64, eps: f64) -> f64 {
    let at = alpha_tilde(gamma);
    libm::pow(eps * beta_lambda.sqrt(), -2.0 * at / (1.0 - at))
}
