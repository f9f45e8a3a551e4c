//! The layered models of the general formulation (Z-discrete, Z-deep,
//! Z-resnet): maps W on a finite index set 𝒲 = {(w_m, ℓ)}, values in R^d.
//!
//! > **Z-discrete.** 𝒲 = {1, 2, ...}, 𝒲̃ = R^d, f_W(x) = Σ_m a_m σ(W(m)ᵀx).
//! >
//! > **Z-deep.** 𝒲 = R^d × {1, ..., L}, 𝒲̃ = R^d,
//! > f_W(x) = uᵀ(∫ a_{w,L} σ(W(w,L)ᵀ ·) dρ0(w)) ∘ ... ∘ (∫ a_{w,1} σ(W(w,1)ᵀ x) dρ0(w)).
//! >
//! > **Z-resnet.** the same with each block I + ∫ a_{w,t} σ(W(w,t)ᵀ ·) dρ0(w).
//!
//! ρ0 is uniform on the P = L·M points of 𝒲 (point r = ℓ·M + m is
//! (w_m, ℓ)), so each layer's integral is (1/M) Σ_m and
//! ‖W‖²_{L2(ρ0)} = (1/P) Σ_r ‖W(r)‖². The layer ℓ computes
//! h_ℓ = c·h_{ℓ−1} + Σ_m a_{m,ℓ} σ(W̄(m,ℓ)ᵀ h_{ℓ−1}), h_0 = x, with c = 1
//! for the ResNet and 0 otherwise, a_{m,ℓ} the *effective* read-out weights
//! (the 1/M of the integral included) and W̄ = R tanh(W/R) elementwise when
//! a clip R is set (the clip of S8, which A1(ii) needs once W enters the
//! backward pass: deep and ResNet). f_W(x) = uᵀ h_L.
//!
//! Fréchet gradient in L2(ρ0) (values at the P points, the weight 1/P
//! removed): G(r) = P ∂𝓛̂/∂W(r), with, for r = (m, ℓ),
//! ∂𝓛̂/∂W̄(r) = (1/n) Σ_i ℓ'(y_i, f_i) σ'(W̄(r)ᵀ h_{ℓ−1,i}) (a_rᵀ g_{ℓ,i}) h_{ℓ−1,i},
//! g_{L,i} = u, g_{ℓ−1,i} = c g_{ℓ,i} + Σ_m σ'(·)(a_{m,ℓ}ᵀ g_{ℓ,i}) W̄(m,ℓ)
//! (back-propagation), times the clip's derivative 1 − (W̄/R)². The
//! coefficient gradient is (1/P) Eᵀ G = Eᵀ ∂𝓛̂/∂W, E_{rk} = e_k(r).
//! Derivation: `paper/oracle-maths.md`, section "The other models".

use super::{Activation, Data, Model, Potential};
use crate::error::{self, Error, Result};
use crate::loss::Loss;
use crate::space::{Coef, Space};
use nalgebra::{DMatrix, DVector};

/// Which layered model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Z-discrete: one layer R^d → R, a_m scalar, u = 1.
    Discrete,
    /// Z-deep: L layers R^d → R^d.
    Deep,
    /// Z-resnet: L blocks I + ∫ a σ(Wᵀ·) dρ0.
    Resnet,
}

/// A layered network on a finite index set.
#[derive(Debug, Clone)]
pub struct Layered {
    arch: Architecture,
    e: DMatrix<f64>,
    et: DMatrix<f64>,
    layers: usize,
    width: usize,
    /// Effective read-out weights, P × d_out (row r = ℓ·M + m).
    a: DMatrix<f64>,
    /// Final read-out u (d_out).
    u: DVector<f64>,
    clip: Option<f64>,
    data: Data,
    loss: Loss,
    act: Activation,
}

/// Forward-pass values of one input: the layer inputs h_0 … h_L and σ(z_r).
struct Pass {
    h: Vec<Vec<f64>>,
    s: Vec<f64>,
}

impl Layered {
    /// The model on `space` (basis values at the P = `layers`·M points of
    /// 𝒲, M = P / layers) with effective read-out weights `a` (P × d_out)
    /// and final read-out `u` (d_out); `clip` is R ≥ 1 or none.
    ///
    /// # Errors
    /// A space without basis values, shapes that do not match, a clip
    /// below 1, non-finite weights.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        arch: Architecture,
        space: &Space,
        layers: usize,
        a: DMatrix<f64>,
        u: DVector<f64>,
        clip: Option<f64>,
        data: Data,
        loss: Loss,
        act: Activation,
    ) -> Result<Layered> {
        let e = space
            .basis_values()
            .ok_or(Error::Incompatible {
                what: "the layered models",
                needs: "a finite index set (basis values)",
            })?
            .clone();
        error::nonzero("layers", layers)?;
        let p = e.nrows();
        if p % layers != 0 {
            return Err(Error::DimensionMismatch {
                what: "points of the index set (a multiple of the layers)",
                expected: layers * (p / layers).max(1),
                found: p,
            });
        }
        let d = data.dim();
        let d_out = match arch {
            Architecture::Discrete => 1,
            Architecture::Deep | Architecture::Resnet => d,
        };
        if arch == Architecture::Discrete && layers != 1 {
            return Err(Error::DimensionMismatch {
                what: "layers of the discrete two-layer model",
                expected: 1,
                found: layers,
            });
        }
        if a.shape() != (p, d_out) {
            return Err(Error::DimensionMismatch {
                what: "read-out weights a (P × d_out)",
                expected: p * d_out,
                found: a.len(),
            });
        }
        if u.len() != d_out {
            return Err(Error::DimensionMismatch {
                what: "final read-out u",
                expected: d_out,
                found: u.len(),
            });
        }
        error::all_finite("a", a.as_slice())?;
        error::all_finite("u", u.as_slice())?;
        if let Some(r) = clip {
            let r = error::finite("clip R", r)?;
            if r < 1.0 {
                return Err(Error::OutOfRange {
                    name: "clip R",
                    value: r,
                    range: "[1, ∞)",
                });
            }
        }
        Ok(Layered {
            arch,
            et: e.transpose(),
            width: p / layers,
            e,
            layers,
            a,
            u,
            clip,
            data,
            loss,
            act,
        })
    }

    /// The architecture.
    pub fn architecture(&self) -> Architecture {
        self.arch
    }

    /// Number of points P = L·M of 𝒲.
    pub fn points(&self) -> usize {
        self.e.nrows()
    }

    /// Width M.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Layers L.
    pub fn layers(&self) -> usize {
        self.layers
    }

    /// Values W(r) at the points (P × d).
    pub fn values(&self, c: &Coef) -> DMatrix<f64> {
        &self.e * c
    }

    /// The clipped values W̄ = R tanh(W/R) (or W without a clip).
    fn clipped(&self, v: &DMatrix<f64>) -> DMatrix<f64> {
        match self.clip {
            Some(r) => v.map(|x| r * libm::tanh(x / r)),
            None => v.clone(),
        }
    }

    fn residual(&self) -> f64 {
        if self.arch == Architecture::Resnet {
            1.0
        } else {
            0.0
        }
    }

    fn forward(&self, wb: &DMatrix<f64>, x: &[f64]) -> (f64, Pass) {
        let d = x.len();
        let d_out = self.a.ncols();
        let c = self.residual();
        let mut h = vec![x.to_vec()];
        let mut s = vec![0.0; self.points()];
        for l in 0..self.layers {
            let hin = &h[l];
            let mut out: Vec<f64> = if c != 0.0 { hin.clone() } else { vec![0.0; d_out] };
            for m in 0..self.width {
                let r = l * self.width + m;
                let z: f64 = (0..d).map(|j| wb[(r, j)] * hin[j]).sum();
                let sv = self.act.value(z);
                s[r] = sv;
                for (j, o) in out.iter_mut().enumerate() {
                    *o += self.a[(r, j)] * sv;
                }
            }
            h.push(out);
        }
        let f = self.u.iter().zip(&h[self.layers]).map(|(a, b)| a * b).sum();
        (f, Pass { h, s })
    }

    /// Adds p·∂f(x)/∂W̄ to `dwb`.
    fn backward(&self, wb: &DMatrix<f64>, pass: &Pass, p: f64, dwb: &mut DMatrix<f64>) {
        let c = self.residual();
        let d = wb.ncols();
        let mut g: Vec<f64> = self.u.iter().map(|u| p * u).collect();
        for l in (0..self.layers).rev() {
            let hin = &pass.h[l];
            let mut gin: Vec<f64> = if c != 0.0 {
                g.iter().map(|v| c * v).collect()
            } else {
                vec![0.0; d]
            };
            for m in 0..self.width {
                let r = l * self.width + m;
                let t: f64 = g.iter().enumerate().map(|(j, gj)| self.a[(r, j)] * gj).sum();
                let delta = self.act.d1_from_value(pass.s[r]) * t;
                for j in 0..d {
                    dwb[(r, j)] += delta * hin[j];
                    gin[j] += delta * wb[(r, j)];
                }
            }
            g = gin;
        }
    }

    /// f_W at the rows of `x` for a map given by its values at the points.
    pub fn predict_values(&self, values: &DMatrix<f64>, x: &DMatrix<f64>) -> DVector<f64> {
        let wb = self.clipped(values);
        DVector::from_fn(x.nrows(), |i, _| {
            let row: Vec<f64> = x.row(i).iter().copied().collect();
            self.forward(&wb, &row).0
        })
    }

    /// ∂𝓛̂/∂W(r) (P × d) and 𝓛̂ at a map given by its values; the Fréchet
    /// gradient's values in L2(ρ0) are P times the first.
    pub fn value_gradient(&self, values: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
        let wb = self.clipped(values);
        let n = self.data.len();
        let mut dwb = DMatrix::zeros(wb.nrows(), wb.ncols());
        let mut risk = 0.0;
        for i in 0..n {
            let row: Vec<f64> = self.data.x.row(i).iter().copied().collect();
            let (f, pass) = self.forward(&wb, &row);
            let y = self.data.y[i];
            risk += self.loss.value(y, f);
            self.backward(&wb, &pass, self.loss.d1(y, f) / n as f64, &mut dwb);
        }
        if let Some(r) = self.clip {
            dwb.zip_apply(&wb, |g, w| {
                let c = w / r;
                *g *= 1.0 - c * c;
            });
        }
        (dwb, risk / n as f64)
    }

    /// Values of the Fréchet gradient in L2(ρ0) (P × d) and 𝓛̂.
    pub fn frechet_gradient_values(&self, values: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
        let (g, risk) = self.value_gradient(values);
        (g * self.points() as f64, risk)
    }
}

impl Layered {
    /// Σ_m ‖a_r‖ over the points r of layer ℓ (0-based).
    fn readout_mass(&self, l: usize) -> f64 {
        (0..self.width).map(|m| self.a.row(l * self.width + m).norm()).sum()
    }

    /// Bounds H_ℓ ≥ ‖h_ℓ(x)‖, ℓ = 0..L, for ‖x‖ ≤ `x_max`: H_0 = x_max,
    /// H_ℓ = c H_{ℓ−1} + Σ_m ‖a_{m,ℓ}‖ (|σ| ≤ 1).
    fn layer_bounds(&self, x_max: f64) -> Vec<f64> {
        let mut h = vec![x_max];
        for l in 0..self.layers {
            let prev = h[l];
            h.push(self.residual() * prev + self.readout_mass(l));
        }
        h
    }

    /// sup |f_W(x)| over all W and ‖x‖ ≤ `x_max`: ‖u‖ H_L.
    pub fn output_bound(&self, x_max: f64) -> f64 {
        self.u.norm() * self.layer_bounds(x_max)[self.layers]
    }

    /// An analytic bound B ≥ ‖∇𝓛̂(W)‖_H for all W (A1(ii)), given
    /// max ‖x_i‖ and max |y_i|: with ℓ'_max = sup |ℓ'| (squared:
    /// 2(F + y_max), F = [`Self::output_bound`]; logistic: 1),
    /// G_L = ℓ'_max ‖u‖, G_{ℓ−1} = G_ℓ (c + Σ_m ‖a_{m,ℓ}‖ R√d) and
    /// ‖D_r‖ ≤ ‖a_r‖ G_ℓ H_{ℓ−1} for r in layer ℓ, B = √P (Σ_r ‖D_r‖²)^{1/2}
    /// (the coefficient gradient is Eᵀ D with EᵀE = P I). `None` when a
    /// layer below the top is unclipped (then no bound exists: the backward
    /// pass multiplies by W).
    pub fn gradient_bound(&self, y_max: f64, x_max: f64) -> Option<f64> {
        let h = self.layer_bounds(x_max);
        let lp = match self.loss {
            Loss::Squared => 2.0 * (self.output_bound(x_max) + y_max),
            Loss::Logistic => 1.0,
        };
        let d = self.data.dim() as f64;
        let mut g = vec![0.0; self.layers + 1];
        g[self.layers] = lp * self.u.norm();
        for l in (1..self.layers).rev() {
            let r = self.clip?;
            g[l] = g[l + 1] * (self.residual() + self.readout_mass(l) * r * d.sqrt());
        }
        let mut sum = 0.0;
        for l in 0..self.layers {
            for m in 0..self.width {
                let v = self.a.row(l * self.width + m).norm() * g[l + 1] * h[l];
                sum += v * v;
            }
        }
        Some((self.points() as f64).sqrt() * sum.sqrt())
    }

    /// The deliberately wrong variant of the A1(ii) control: the discrete
    /// network with a_m = ±1 (no 1/M), the deep network and ResNet without
    /// their clip.
    ///
    /// # Errors
    /// None in practice (the shapes are the model's own).
    pub fn unnormalised(&self) -> Result<Layered> {
        let mut v = self.clone();
        match self.arch {
            Architecture::Discrete => v.a *= self.width as f64,
            Architecture::Deep | Architecture::Resnet => v.clip = None,
        }
        Ok(v)
    }
}

impl Potential for Layered {
    fn shape(&self) -> (usize, usize) {
        (self.e.ncols(), self.data.dim())
    }

    fn value(&self, w: &Coef) -> f64 {
        super::empirical_risk(self, w)
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        let (g, risk) = self.value_gradient(&self.values(w));
        grad.gemm(1.0, &self.et, &g, 0.0);
        risk
    }
}

impl Model for Layered {
    fn loss(&self) -> Loss {
        self.loss
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        if x.ncols() != self.data.dim() {
            return Err(Error::DimensionMismatch {
                what: "input dimension d",
                expected: self.data.dim(),
                found: x.ncols(),
            });
        }
        error::all_finite("x", x.as_slice())?;
        Ok(self.predict_values(&self.values(w), x))
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        self.predict_values(&self.values(w), &self.data.x)
    }

    fn targets(&self) -> &DVector<f64> {
        &self.data.y
    }
}
