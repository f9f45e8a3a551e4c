//! The NTK linearization against the network (issue 16, deliver 2): part
//! of C-width's mean-field contrast, an illustration of the paper's prose
//! ("NTK analyses need M = Ω(poly(n))"), **not a verdict**.
//!
//! Network: eq. (2) without clipping, d = 1,
//! f_Θ(x) = s_M Σ_m a_m tanh(w_m x), θ_m = (w_m, a_m) ∼ N(0, I_2) at
//! initialization, trained by gradient descent (β = ∞) on
//! 𝓛̂(f) = (1/n) Σ_i (y_i − f(x_i))² with the data of C-width's network sweep
//! (teacher y = tanh(x) + x/2, n = 20, [`super::c_width_network::NET`]).
//! Two scalings with the same tangent kernel at initialization:
//! - **NTK**: s_M = 1/√M, step η per parameter;
//! - **mean-field** (the paper's 1/M of eq. (2) and S3): s_M = 1/M, step ηM
//!   per parameter (so that f moves at a width-free speed).
//!
//! The NTK linearization f^lin(Θ) = f(Θ_0) + J_0 (Θ − Θ_0), trained by the
//! same gradient descent, moves in function space by
//! f^lin ← f^lin − H r, r = (2/n)(f^lin − y), with
//! H_ij = (η/M) Σ_m g_m(x_i)·g_m(x_j), g_m(x) = ∂_{θ_m}[a_m tanh(w_m x)] at Θ_0,
//! in both scalings (step × s_M² = η/M).
//!
//! Measured per width M over independent initializations (stream
//! [`STREAM`] + replicate): the relative distance of the linearization's
//! prediction from the network at the end of training,
//! D = ‖f_T − f^lin_T‖ / ‖f_T − f_0‖ on the training points; the largest gap
//! of the two training-risk trajectories relative to 𝓛̂(f_0); the relative
//! parameter movement ‖Θ_T − Θ_0‖ / ‖Θ_0‖. Lazy-training theory predicts
//! D ∝ M^{−1/2} in the NTK scaling (the linearization is poor at small M
//! and good at large M), while in the mean-field scaling the particles move
//! O(1) at every width and D does not shrink with M. The slope of ln D on
//! ln M is fitted per scaling (weighted, Birge-inflated stderr) and
//! reported, not tested.

use crate::dynamics::runner::in_chain_order;
use crate::error::Result;
use crate::fastmath;
use crate::figure::{Plot, Series};
use crate::problems::{gaussian_particles, toy_data};
use crate::stats::{fit_line_weighted, iid_estimate};
use serde::Serialize;

/// First RNG stream of the initializations (replicate r uses STREAM + r).
pub const STREAM: u64 = 73_000;

/// The sweep's sizes.
#[derive(Debug, Clone, Serialize)]
pub struct NtkSettings {
    /// Widths M.
    pub widths: Vec<usize>,
    /// Independent initializations per width.
    pub replicates: usize,
    /// Step η (per parameter in the NTK scaling; ηM in the mean-field one).
    pub eta: f64,
    /// Gradient-descent steps.
    pub steps: usize,
    /// Trajectory recorded every this many steps.
    pub every: usize,
}

impl NtkSettings {
    /// Quick: M = 4…256, 4 replicates; full: M = 4…1024, 8 replicates.
    pub fn new(quick: bool) -> NtkSettings {
        NtkSettings {
            widths: if quick { vec![4, 16, 64, 256] } else { vec![4, 16, 64, 256, 1024] },
            replicates: if quick { 4 } else { 8 },
            eta: 0.5,
            steps: 400,
            every: 10,
        }
    }
}

/// The output scaling s_M and the step it is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scaling {
    /// s_M = 1/√M, step η.
    Ntk,
    /// s_M = 1/M (eq. (2)), step ηM.
    MeanField,
}

impl Scaling {
    /// (s_M, per-parameter step) at width m.
    pub fn scale_and_step(self, m: usize, eta: f64) -> (f64, f64) {
        let mf = m as f64;
        match self {
            Scaling::Ntk => (1.0 / mf.sqrt(), eta),
            Scaling::MeanField => (1.0 / mf, eta * mf),
        }
    }

    /// Name in the record.
    pub fn name(self) -> &'static str {
        match self {
            Scaling::Ntk => "NTK scaling (1/sqrt(M), step eta)",
            Scaling::MeanField => "mean-field scaling of eq. (2) (1/M, step eta M)",
        }
    }
}

/// One training run: the network and its linearization side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct NtkRun {
    /// 𝓛̂ of the network at steps 0, every, 2·every, …, steps.
    pub risk_net: Vec<f64>,
    /// 𝓛̂ of the linearization at the same steps.
    pub risk_lin: Vec<f64>,
    /// D = ‖f_T − f^lin_T‖ / ‖f_T − f_0‖.
    pub distance: f64,
    /// max_t |𝓛̂_net(t) − 𝓛̂_lin(t)| / 𝓛̂_net(0).
    pub trajectory_gap: f64,
    /// ‖Θ_T − Θ_0‖ / ‖Θ_0‖.
    pub movement: f64,
}

fn risk(f: &[f64], y: &[f64]) -> f64 {
    f.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len() as f64
}

/// f at the inputs and the activations t_mi = tanh(w_m x_i) (row-major m, i).
fn forward(theta: &[(f64, f64)], x: &[f64], s: f64, t: &mut [f64]) -> Vec<f64> {
    let n = x.len();
    let mut f = vec![0.0; n];
    for (m, &(w, a)) in theta.iter().enumerate() {
        for i in 0..n {
            let v = fastmath::tanh(w * x[i]);
            t[m * n + i] = v;
            f[i] += a * v;
        }
    }
    f.iter_mut().for_each(|v| *v *= s);
    f
}

/// Trains the network from `theta0` and its linearization by gradient
/// descent in the given scaling.
pub fn train(theta0: &[(f64, f64)], x: &[f64], y: &[f64], scaling: Scaling, s: &NtkSettings) -> NtkRun {
    let (m, n) = (theta0.len(), x.len());
    let (scale, step) = scaling.scale_and_step(m, s.eta);
    let mut t = vec![0.0; m * n];
    let f0 = forward(theta0, x, scale, &mut t);
    // H = (η/M) Σ_m g_m g_mᵀ at Θ_0, g_m(x_i) = (a_m (1 − t²) x_i, t).
    let mut h = vec![0.0; n * n];
    for (mm, &(_, a)) in theta0.iter().enumerate() {
        let tm = &t[mm * n..(mm + 1) * n];
        for i in 0..n {
            let gi = (a * (1.0 - tm[i] * tm[i]) * x[i], tm[i]);
            for j in 0..n {
                let gj = (a * (1.0 - tm[j] * tm[j]) * x[j], tm[j]);
                h[i * n + j] += gi.0 * gj.0 + gi.1 * gj.1;
            }
        }
    }
    h.iter_mut().for_each(|v| *v *= s.eta / m as f64);
    let mut theta = theta0.to_vec();
    let mut f = f0.clone();
    let mut lin = f0.clone();
    let (mut risk_net, mut risk_lin) = (vec![risk(&f, y)], vec![risk(&lin, y)]);
    for k in 1..=s.steps {
        // Network: θ_m ← θ_m − step · s_M Σ_i r_i g_m(x_i).
        let r: Vec<f64> = (0..n).map(|i| 2.0 * (f[i] - y[i]) / n as f64).collect();
        for (mm, th) in theta.iter_mut().enumerate() {
            let tm = &t[mm * n..(mm + 1) * n];
            let (mut gw, mut ga) = (0.0, 0.0);
            for i in 0..n {
                gw += r[i] * th.1 * (1.0 - tm[i] * tm[i]) * x[i];
                ga += r[i] * tm[i];
            }
            th.0 -= step * scale * gw;
            th.1 -= step * scale * ga;
        }
        f = forward(&theta, x, scale, &mut t);
        // Linearization: f^lin ← f^lin − H r^lin.
        let rl: Vec<f64> = (0..n).map(|i| 2.0 * (lin[i] - y[i]) / n as f64).collect();
        let dl: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[i * n + j] * rl[j]).sum()).collect();
        lin.iter_mut().zip(&dl).for_each(|(v, d)| *v -= d);
        if k % s.every == 0 {
            risk_net.push(risk(&f, y));
            risk_lin.push(risk(&lin, y));
        }
    }
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|e| e * e).sum::<f64>().sqrt();
    let distance = norm(&mut f.iter().zip(&lin).map(|(a, b)| a - b)) / norm(&mut f.iter().zip(&f0).map(|(a, b)| a - b));
    let trajectory_gap = risk_net.iter().zip(&risk_lin).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) / risk_net[0];
    let movement =
        norm(&mut theta.iter().zip(theta0).flat_map(|(a, b)| [a.0 - b.0, a.1 - b.1])) / norm(&mut theta0.iter().flat_map(|a| [a.0, a.1]));
    NtkRun {
        risk_net,
        risk_lin,
        distance,
        trajectory_gap,
        movement,
    }
}

/// One (scaling, width) cell of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct NtkCell {
    /// Scaling.
    pub scaling: Scaling,
    /// Width M.
    pub width: usize,
    /// D (mean, stderr over initializations).
    pub distance: (f64, f64),
    /// Largest relative training-risk gap (mean, stderr).
    pub trajectory_gap: (f64, f64),
    /// Relative parameter movement (mean, stderr).
    pub movement: (f64, f64),
    /// Mean 𝓛̂ of the network along training (every `every` steps).
    pub risk_net: Vec<f64>,
    /// Mean 𝓛̂ of the linearization along training.
    pub risk_lin: Vec<f64>,
}

/// A slope of ln D on ln M.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NtkSlope {
    /// Scaling.
    pub scaling: Scaling,
    /// Slope.
    pub slope: f64,
    /// Its stderr (weighted fit, inflated by √(χ²/dof) when that exceeds 1).
    pub stderr: f64,
}

/// The sweep: every scaling × width, and the fitted slopes.
#[derive(Debug, Clone, Serialize)]
pub struct NtkSweep {
    /// Sizes.
    pub settings: NtkSettings,
    /// Cells, NTK scaling first.
    pub cells: Vec<NtkCell>,
    /// Slopes of ln D on ln M.
    pub slopes: Vec<NtkSlope>,
    /// Lazy-training theory's slope in the NTK scaling.
    pub ntk_theory_slope: f64,
    /// What this is.
    pub reading: &'static str,
}

/// Runs the sweep on C-width's network data (seed `seed`, stream 71).
///
/// # Errors
/// What [`toy_data`] returns (not for the fixed sizes).
pub fn sweep(quick: bool, seed: u64, observer: &dyn crate::dynamics::Observer) -> Result<NtkSweep> {
    let s = NtkSettings::new(quick);
    let net = super::c_width_network::NET;
    let data = toy_data(net.n, net.d, seed, 71)?;
    let x: Vec<f64> = data.x.column(0).iter().copied().collect();
    let y: Vec<f64> = data.y.iter().copied().collect();
    let mut cells = Vec::new();
    for scaling in [Scaling::Ntk, Scaling::MeanField] {
        for &m in &s.widths {
            observer.message(&format!("C-width NTK linearization: {}, M = {m}", scaling.name()));
            let runs = in_chain_order(s.replicates, |r| {
                let p = gaussian_particles(m, 2, seed, STREAM + r);
                let theta0: Vec<(f64, f64)> = (0..m).map(|k| (p[(k, 0)], p[(k, 1)])).collect();
                train(&theta0, &x, &y, scaling, &s)
            });
            let est = |f: fn(&NtkRun) -> f64| {
                let e = iid_estimate(&runs.iter().map(f).collect::<Vec<_>>());
                (e.mean, e.stderr)
            };
            let avg = |f: fn(&NtkRun) -> &Vec<f64>| {
                (0..f(&runs[0]).len())
                    .map(|k| runs.iter().map(|r| f(r)[k]).sum::<f64>() / runs.len() as f64)
                    .collect()
            };
            cells.push(NtkCell {
                scaling,
                width: m,
                distance: est(|r| r.distance),
                trajectory_gap: est(|r| r.trajectory_gap),
                movement: est(|r| r.movement),
                risk_net: avg(|r| &r.risk_net),
                risk_lin: avg(|r| &r.risk_lin),
            });
        }
    }
    let slopes = [Scaling::Ntk, Scaling::MeanField]
        .into_iter()
        .map(|sc| {
            let c: Vec<&NtkCell> = cells.iter().filter(|c| c.scaling == sc).collect();
            let lx: Vec<f64> = c.iter().map(|c| libm::log(c.width as f64)).collect();
            let ly: Vec<f64> = c.iter().map(|c| libm::log(c.distance.0)).collect();
            let sl: Vec<f64> = c.iter().map(|c| c.distance.1 / c.distance.0).collect();
            let (_, b, se, chi2) = fit_line_weighted(&lx, &ly, &sl);
            let dof = (c.len() - 2) as f64;
            NtkSlope {
                scaling: sc,
                slope: b,
                stderr: se * (chi2 / dof).sqrt().max(1.0),
            }
        })
        .collect();
    Ok(NtkSweep {
        settings: s,
        cells,
        slopes,
        ntk_theory_slope: -0.5,
        reading: "illustration of the paper's prose, not a verdict",
    })
}

impl NtkSweep {
    fn slope(&self, sc: Scaling) -> NtkSlope {
        *self.slopes.iter().find(|s| s.scaling == sc).expect("both scalings are fitted")
    }

    fn cell(&self, sc: Scaling, m: usize) -> &NtkCell {
        self.cells
            .iter()
            .find(|c| c.scaling == sc && c.width == m)
            .expect("every cell is run")
    }

    /// The markdown table (for the record's notes).
    pub fn table(&self) -> String {
        let e = |v: &(f64, f64)| format!("{:.2e} ± {:.1e}", v.0, v.1);
        let mut s = String::from(
            "\n\n| M | NTK linearization's distance D: NTK scaling | mean-field scaling | risk-trajectory gap: NTK | mean-field | parameter movement: NTK | mean-field |\n|---|---|---|---|---|---|---|\n",
        );
        for &m in &self.settings.widths {
            let (a, b) = (self.cell(Scaling::Ntk, m), self.cell(Scaling::MeanField, m));
            s.push_str(&format!(
                "| {m} | {} | {} | {} | {} | {} | {} |\n",
                e(&a.distance),
                e(&b.distance),
                e(&a.trajectory_gap),
                e(&b.trajectory_gap),
                e(&a.movement),
                e(&b.movement)
            ));
        }
        s
    }

    /// The sentence of the C-width notes.
    pub fn note(&self) -> String {
        let (a, b) = (self.slope(Scaling::Ntk), self.slope(Scaling::MeanField));
        let (lo, hi) = (self.settings.widths[0], *self.settings.widths.last().expect("widths"));
        format!(
            " NTK linearization (empirical.mean_field.ntk; gradient descent on the same data, {} initializations per width, eq. (2)'s network without clipping): the relative distance D = |f_T - f_lin_T| / |f_T - f_0| of its predicted training trajectory from the network's falls with M in the NTK scaling (slope of ln D on ln M {:.3} ± {:.3}, lazy-training theory -1/2; D = {:.2e} at M = {lo}, {:.2e} at M = {hi}), but not in the paper's mean-field 1/M scaling (slope {:.3} ± {:.3}; D = {:.2e} at M = {lo}, {:.2e} at M = {hi}), where the particles move O(1) at every width (relative parameter movement in the table): the linearization describes the NTK regime at large M only, and never the regime the lifted dynamics works in. On this smooth, nearly linear teacher the linearization's error is small in absolute terms at every width; it is its trend in M that separates the two regimes.{}",
            self.settings.replicates,
            a.slope,
            a.stderr,
            self.cell(Scaling::Ntk, lo).distance.0,
            self.cell(Scaling::Ntk, hi).distance.0,
            b.slope,
            b.stderr,
            self.cell(Scaling::MeanField, lo).distance.0,
            self.cell(Scaling::MeanField, hi).distance.0,
            self.table()
        )
    }

    /// D against M per scaling, with the M^{−1/2} reference.
    pub fn distance_plot(&self) -> Plot {
        let pts = |sc: Scaling| -> (Vec<(f64, f64)>, Vec<f64>) {
            let c: Vec<&NtkCell> = self.cells.iter().filter(|c| c.scaling == sc).collect();
            (
                c.iter().map(|c| (c.width as f64, c.distance.0)).collect(),
                c.iter().map(|c| c.distance.1).collect(),
            )
        };
        let (a, ae) = pts(Scaling::Ntk);
        let (b, be) = pts(Scaling::MeanField);
        let (m0, d0) = a[0];
        let (sa, sb) = (self.slope(Scaling::Ntk), self.slope(Scaling::MeanField));
        Plot::single(
            "C-width: NTK linearization against the network (illustration, not a verdict)",
            "width M",
            "relative distance D at the end of training",
            true,
            true,
            vec![
                Series::points(format!("NTK scaling: slope {:.3} ± {:.3}", sa.slope, sa.stderr), a.clone())
                    .with_errors(ae)
                    .key("ntk"),
                Series::reference(
                    "lazy-training theory: D ∝ M^−1/2",
                    a.iter().map(|&(m, _)| (m, d0 * (m0 / m).sqrt())).collect(),
                )
                .key("ntk"),
                Series::points(format!("mean-field scaling (eq. 2): slope {:.3} ± {:.3}", sb.slope, sb.stderr), b)
                    .with_errors(be)
                    .key("mf"),
            ],
        )
    }

    /// Mean training risk of the network and of its linearization against
    /// time, at the smallest and the largest width, per scaling.
    pub fn trajectory_plot(&self) -> Plot {
        let (lo, hi) = (self.settings.widths[0], *self.settings.widths.last().expect("widths"));
        let dt = self.settings.eta * self.settings.every as f64;
        let curve = |v: &[f64]| -> Vec<(f64, f64)> { v.iter().enumerate().map(|(k, &r)| (k as f64 * dt, r)).collect() };
        let mut series = Vec::new();
        for (sc, tag) in [(Scaling::Ntk, "NTK"), (Scaling::MeanField, "mean-field")] {
            for m in [lo, hi] {
                let c = self.cell(sc, m);
                let key = format!("{tag}-{m}");
                series.push(Series::line(format!("network, {tag} scaling, M = {m}"), curve(&c.risk_net)).key(key.clone()));
                series.push(Series::reference(format!("its NTK linearization, M = {m}"), curve(&c.risk_lin)).key(key));
            }
        }
        Plot::single(
            "C-width: training risk of the network and of its NTK linearization (illustration, not a verdict)",
            "time (steps × η)",
            "training risk (mean over initializations)",
            false,
            true,
            series,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..8).map(|i| -1.0 + 0.25 * i as f64).collect();
        let y = x.iter().map(|&v| libm::tanh(v) + 0.5 * v).collect();
        (x, y)
    }

    /// One step from Θ_0: the network's function change equals the
    /// linearization's to first order in η (the two share H at Θ_0).
    #[test]
    fn one_small_step_matches_the_linearization() {
        let (x, y) = data();
        let theta0 = vec![(0.7, -1.1), (-0.3, 0.4), (1.5, 0.9)];
        for sc in [Scaling::Ntk, Scaling::MeanField] {
            let small = |eta: f64| {
                let s = NtkSettings {
                    widths: vec![3],
                    replicates: 1,
                    eta,
                    steps: 1,
                    every: 1,
                };
                let r = train(&theta0, &x, &y, sc, &s);
                (r.risk_net[1] - r.risk_lin[1]).abs()
            };
            // The gap is O(η²): halving η quarters it (up to O(η³)).
            let (g1, g2) = (small(1e-3), small(5e-4));
            assert!(g1 > 0.0 && (g1 / g2 - 4.0).abs() < 0.05, "{sc:?}: {g1} {g2}");
        }
    }
}
