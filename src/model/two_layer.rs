//! The two-layer network in its lifted form (S2, S3, R1) and the clipped
//! model of Sec. 4 (S8), at finite width.
//!
//! > **S3.** f_W(x) = ∫ a σ(W(w)ᵀ x) dρ0(w); Fréchet gradient in L2(ρ0):
//! > ∇_W 𝓛̂(f_W)(w) = a (1/n) Σ_i x_i σ'(W(w)ᵀ x_i) ℓ'(y_i, f_W(x_i)).
//! >
//! > **S8.** W̄(w) = R tanh(W(w)/R) elementwise, R ≥ 1;
//! > f_W(x) = ∫ W̄_2(a) σ(W̄_1(w)ᵀ x) dρ0(a, w), W = (W_1, W_2).
//!
//! With ρ0 = (1/M) Σ_m δ_{w_m} (R1), a map W is its M values W(w_m), and the
//! coefficient gradient is (1/M) Eᵀ G with E_{mk} = e_k(w_m) and G the
//! Fréchet gradient's values (no 1/M: the 1/M is the weight of L2(ρ0)).
//! The Fréchet gradient equals M times the Euclidean gradient of eq. (2)
//! in the particle w_m.

use super::{Data, Model, Potential};
use crate::error::{self, Error, Result};
use crate::fastmath;
use crate::kernels::{dot8, gemm, View};
use crate::loss::Loss;
use crate::space::{Coef, Space};
use nalgebra::{DMatrix, DVector};
use std::cell::RefCell;

/// The activation σ: bounded, 1-Lipschitz, C^∞.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// tanh (|σ| ≤ 1, |σ'| ≤ 1), evaluated by [`fastmath::tanh`].
    Tanh,
}

impl Activation {
    /// σ(z).
    pub fn value(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => fastmath::tanh(z),
        }
    }

    /// σ'(z).
    pub fn d1(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => {
                let t = fastmath::tanh(z);
                1.0 - t * t
            }
        }
    }

    /// σ'(z) given s = σ(z) (tanh: 1 − s²), so the backward pass reuses
    /// the forward pass's values.
    pub fn d1_from_value(self, s: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - s * s,
        }
    }

    /// σ''(z).
    pub fn d2(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => {
                let t = fastmath::tanh(z);
                -2.0 * t * (1.0 - t * t)
            }
        }
    }
}

/// Which of the two models.
#[derive(Debug, Clone, PartialEq)]
pub enum Variant {
    /// S3: fixed second layer a (one per particle); W : R^d → R^d, q = d.
    Lifted {
        /// Second-layer weights a_m.
        a: DVector<f64>,
    },
    /// S8: W = (W_1, W_2) : R^{d+1} → R^d × R (q = d + 1; the last column
    /// is the second layer), both clipped by R tanh(·/R).
    Clipped {
        /// Clip radius R ≥ 1.
        r: f64,
    },
}

/// Two-layer network over a finite-width space.
#[derive(Debug, Clone)]
pub struct TwoLayer {
    e: DMatrix<f64>,
    /// Eᵀ (N × M), so that the coefficient gradient is one gemm.
    et: DMatrix<f64>,
    data: Data,
    /// Transposed inputs (d × n): the forward pass is Z^T = U X^T.
    xt: DMatrix<f64>,
    loss: Loss,
    act: Activation,
    variant: Variant,
}

/// Buffers of the forward and backward passes, reused across calls so that
/// the step loop does not allocate (one set per thread).
#[derive(Default)]
struct Work {
    values: DMatrix<f64>,
    first: DMatrix<f64>,
    second: DVector<f64>,
    /// M × n: σ(Z)ᵀ after the forward pass, then the backward weights.
    s: DMatrix<f64>,
    f: DVector<f64>,
    p: DVector<f64>,
    g1: DMatrix<f64>,
    g2: DVector<f64>,
    g: DMatrix<f64>,
}

thread_local! {
    static WORK: RefCell<Work> = RefCell::new(Work::default());
}

fn ensure(m: &mut DMatrix<f64>, r: usize, c: usize) {
    if m.shape() != (r, c) {
        *m = DMatrix::zeros(r, c);
    }
}

fn ensure_v(v: &mut DVector<f64>, r: usize) {
    if v.len() != r {
        *v = DVector::zeros(r);
    }
}

impl TwoLayer {
    /// The model on `space` (finite width) with training data `data`.
    pub fn new(space: &Space, data: Data, loss: Loss, act: Activation, variant: Variant) -> Result<TwoLayer> {
        let e = space
            .basis_values()
            .ok_or(Error::Incompatible {
                what: "the two-layer model",
                needs: "the finite-width space",
            })?
            .clone();
        let m = e.nrows();
        match &variant {
            Variant::Lifted { a } => {
                if a.len() != m {
                    return Err(Error::DimensionMismatch {
                        what: "second layer a (= width M)",
                        expected: m,
                        found: a.len(),
                    });
                }
                error::all_finite("a", a.as_slice())?;
            }
            Variant::Clipped { r } => {
                let r = error::finite("R", *r)?;
                if r < 1.0 {
                    return Err(Error::OutOfRange {
                        name: "R",
                        value: r,
                        range: "[1, ∞)",
                    });
                }
            }
        }
        let xt = data.x.transpose();
        let model = TwoLayer {
            et: e.transpose(),
            e,
            data,
            xt,
            loss,
            act,
            variant,
        };
        let q = model.value_dim();
        if let crate::space::Basis::FiniteWidth { particles, .. } = space.basis() {
            if particles.ncols() != q {
                return Err(Error::DimensionMismatch {
                    what: "particle dimension (d for lifted, d + 1 for clipped)",
                    expected: q,
                    found: particles.ncols(),
                });
            }
        }
        Ok(model)
    }

    /// Value dimension q (d lifted, d + 1 clipped).
    pub fn value_dim(&self) -> usize {
        match self.variant {
            Variant::Lifted { .. } => self.data.dim(),
            Variant::Clipped { .. } => self.data.dim() + 1,
        }
    }

    /// Width M.
    pub fn width(&self) -> usize {
        self.e.nrows()
    }

    /// The variant.
    pub fn variant(&self) -> &Variant {
        &self.variant
    }

    /// Values of W at the particles (M × q).
    pub fn values(&self, w: &Coef) -> DMatrix<f64> {
        &self.e * w
    }

    /// Forward pass at inputs `xt` (d × n) for the map with values
    /// `work.values`: leaves the layers in `first`/`second`, σ(Z)ᵀ in `s`
    /// and f in `f`.
    fn forward(&self, xt: &DMatrix<f64>, w: &mut Work) {
        let (m, d, n) = (w.values.nrows(), xt.nrows(), xt.ncols());
        ensure(&mut w.first, m, d);
        ensure_v(&mut w.second, m);
        match &self.variant {
            Variant::Lifted { a } => {
                w.first.copy_from(&w.values.columns(0, d));
                w.second.copy_from(a);
            }
            Variant::Clipped { r } => {
                for j in 0..d {
                    for i in 0..m {
                        w.first[(i, j)] = r * fastmath::tanh(w.values[(i, j)] / r);
                    }
                }
                for i in 0..m {
                    w.second[i] = r * fastmath::tanh(w.values[(i, d)] / r);
                }
            }
        }
        ensure(&mut w.s, m, n);
        w.s.gemm(1.0, &w.first, xt, 0.0);
        let act = self.act;
        let s = w.s.as_mut_slice();
        // Runtime SIMD dispatch: the same scalar code, compiled for the widest
        // instruction set the CPU has. Rust never fuses a*b + c into an FMA,
        // so the bits do not depend on the instruction set.
        pulp::Arch::new().dispatch(|| s.iter_mut().for_each(|z| *z = act.value(*z)));
        ensure_v(&mut w.f, n);
        w.f.gemv_tr(1.0 / m as f64, &w.s, &w.second, 0.0);
    }

    /// Backward pass after [`Self::forward`] on the training inputs: the
    /// Fréchet gradient's values into `work.g`; returns 𝓛̂.
    fn backward(&self, w: &mut Work) -> f64 {
        let n = self.data.len();
        let y = &self.data.y;
        ensure_v(&mut w.p, n);
        let mut risk = 0.0;
        for i in 0..n {
            risk += self.loss.value(y[i], w.f[i]);
            w.p[i] = self.loss.d1(y[i], w.f[i]) / n as f64;
        }
        self.chain_rule(w);
        risk / n as f64
    }

    /// The chain rule after [`Self::forward`] on the training inputs, with
    /// `work.p` holding ∂risk/∂f_W(x_i): the Fréchet gradient's values into
    /// `work.g`.
    fn chain_rule(&self, w: &mut Work) {
        let (m, d) = (w.values.nrows(), self.data.dim());
        let q = self.value_dim();
        ensure(&mut w.g, m, q);
        if let Variant::Clipped { .. } = self.variant {
            ensure_v(&mut w.g2, m);
            w.g2.gemv(1.0, &w.s, &w.p, 0.0);
        }
        // s ← σ'(Z)ᵀ ⊙ p ⊙ second, σ' computed from σ.
        let (act, p, second) = (self.act, w.p.as_slice(), w.second.as_slice());
        let s = w.s.as_mut_slice();
        pulp::Arch::new().dispatch(|| {
            for (col, &pi) in s.chunks_exact_mut(m).zip(p) {
                for (v, &a) in col.iter_mut().zip(second) {
                    *v = act.d1_from_value(*v) * pi * a;
                }
            }
        });
        ensure(&mut w.g1, m, d);
        w.g1.gemm(1.0, &w.s, &self.data.x, 0.0);
        match &self.variant {
            Variant::Lifted { .. } => w.g.copy_from(&w.g1),
            Variant::Clipped { r } => {
                for j in 0..d {
                    for k in 0..m {
                        let c = w.first[(k, j)] / r;
                        w.g[(k, j)] = w.g1[(k, j)] * (1.0 - c * c);
                    }
                }
                for k in 0..m {
                    let c = w.second[k] / r;
                    w.g[(k, d)] = w.g2[k] * (1.0 - c * c);
                }
            }
        }
    }

    /// f_W at the rows of `x` for a map given by its values at the particles.
    pub fn predict_values(&self, values: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.check_inputs(x)?;
        self.check_values(values)?;
        let xt = x.transpose();
        Ok(WORK.with(|cell| {
            let w = &mut *cell.borrow_mut();
            ensure(&mut w.values, values.nrows(), values.ncols());
            w.values.copy_from(values);
            self.forward(&xt, w);
            w.f.clone()
        }))
    }

    /// Values of the Fréchet gradient in L2(ρ0) (M × q) at a map given by
    /// its values; returns (G, 𝓛̂).
    pub fn frechet_gradient_values(&self, values: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
        WORK.with(|cell| {
            let w = &mut *cell.borrow_mut();
            ensure(&mut w.values, values.nrows(), values.ncols());
            w.values.copy_from(values);
            self.forward(&self.xt, w);
            let risk = self.backward(w);
            (w.g.clone(), risk)
        })
    }

    /// Values of the Fréchet gradient (M × q) of any risk that depends on W
    /// only through the predictions f_W(x_i) at the model's inputs, given
    /// `p(f)_i` = ∂risk/∂f_W(x_i) (e.g. a weighted empirical risk). Returns
    /// the gradient's values and the predictions.
    pub fn gradient_values_from(&self, values: &DMatrix<f64>, p: impl Fn(&DVector<f64>) -> Vec<f64>) -> (DMatrix<f64>, DVector<f64>) {
        WORK.with(|cell| {
            let w = &mut *cell.borrow_mut();
            ensure(&mut w.values, values.nrows(), values.ncols());
            w.values.copy_from(values);
            self.forward(&self.xt, w);
            let pv = p(&w.f);
            ensure_v(&mut w.p, pv.len());
            w.p.copy_from_slice(&pv);
            let f = w.f.clone();
            self.chain_rule(w);
            (w.g.clone(), f)
        })
    }

    fn check_values(&self, values: &DMatrix<f64>) -> Result<()> {
        if values.shape() != (self.width(), self.value_dim()) {
            return Err(Error::DimensionMismatch {
                what: "values (M × q)",
                expected: self.width() * self.value_dim(),
                found: values.len(),
            });
        }
        Ok(())
    }

    fn check_inputs(&self, x: &DMatrix<f64>) -> Result<()> {
        if x.ncols() != self.data.dim() {
            return Err(Error::DimensionMismatch {
                what: "input dimension d",
                expected: self.data.dim(),
                found: x.ncols(),
            });
        }
        error::all_finite("x", x.as_slice())
    }

    /// Runs the forward pass at the training inputs for coefficients `c`.
    fn with_forward<T>(&self, c: &Coef, f: impl FnOnce(&mut Work) -> T) -> T {
        WORK.with(|cell| {
            let w = &mut *cell.borrow_mut();
            ensure(&mut w.values, self.e.nrows(), c.ncols());
            w.values.gemm(1.0, &self.e, c, 0.0);
            self.forward(&self.xt, w);
            f(w)
        })
    }
}

impl Potential for TwoLayer {
    fn shape(&self) -> (usize, usize) {
        (self.e.ncols(), self.value_dim())
    }

    fn value(&self, w: &Coef) -> f64 {
        self.with_forward(w, |work| {
            let y = &self.data.y;
            (0..y.len()).map(|i| self.loss.value(y[i], work.f[i])).sum::<f64>() / y.len() as f64
        })
    }

    fn gradient(&self, w: &Coef, grad: &mut Coef) -> f64 {
        if let Variant::Lifted { a } = &self.variant {
            let mut risk = [0.0];
            self.lifted_gradients(a, &[w], &mut [grad], &mut risk);
            return risk[0];
        }
        let m = self.e.nrows() as f64;
        self.with_forward(w, |work| {
            let risk = self.backward(work);
            grad.gemm(1.0 / m, &self.et, &work.g, 0.0);
            risk
        })
    }

    fn gradients(&self, ws: &[&Coef], grads: &mut [&mut Coef], risks: &mut [f64]) {
        match &self.variant {
            Variant::Lifted { a } => self.lifted_gradients(a, ws, grads, risks),
            Variant::Clipped { .. } => {
                for ((w, g), r) in ws.iter().zip(grads.iter_mut()).zip(risks.iter_mut()) {
                    *r = self.gradient(w, g);
                }
            }
        }
    }
}

impl Model for TwoLayer {
    fn loss(&self) -> Loss {
        self.loss
    }

    fn predict(&self, w: &Coef, x: &DMatrix<f64>) -> Result<DVector<f64>> {
        self.predict_values(&self.values(w), x)
    }

    fn predict_train(&self, w: &Coef) -> DVector<f64> {
        self.with_forward(w, |work| work.f.clone())
    }

    fn targets(&self) -> &DVector<f64> {
        &self.data.y
    }
}

/// The most rows (chains × M) of activations processed together in the
/// fused gradient: 256 rows × 64 samples = 128 KiB, within an L2 cache.
const GROUP_ROWS: usize = 256;

/// Buffers of the fused gradient, reused across calls (one set per thread).
#[derive(Default)]
struct Fused {
    /// The C stacked first layers V_c = E W_c (C·M × d, column-major).
    first: Vec<f64>,
    /// One block of samples: Z = V X_bᵀ, then σ(Z), then the backward
    /// weights (C·M × block).
    z: Vec<f64>,
    /// The stacked Fréchet gradients' values (C·M × d).
    g: Vec<f64>,
}

thread_local! {
    static FUSED: RefCell<Fused> = RefCell::new(Fused::default());
}

fn resize(v: &mut Vec<f64>, len: usize) {
    v.clear();
    v.resize(len, 0.0);
}

/// The passes over one block of activations (module docs of
/// [`TwoLayer::lifted_gradients`]): per sample and chain, σ in place and
/// f_W(x_i), then the backward weights σ'(z) ℓ'(y_i, f)/n a_m in place.
/// A [`pulp::WithSimd`] operation so that the loops are compiled for the
/// CPU's widest instruction set (same bits: no FMA contraction).
struct ColumnPass<'a> {
    z: &'a mut [f64],
    m: usize,
    y: &'a [f64],
    a: &'a [f64],
    act: Activation,
    loss: Loss,
    inv_n: f64,
    risks: &'a mut [f64],
}

impl pulp::WithSimd for ColumnPass<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let (m, a, act, loss) = (self.m, self.a, self.act, self.loss);
        let cm = self.risks.len() * m;
        let mf = m as f64;
        for (col, &yi) in self.z.chunks_exact_mut(cm).zip(self.y) {
            for (seg, risk) in col.chunks_exact_mut(m).zip(self.risks.iter_mut()) {
                seg.iter_mut().for_each(|v| *v = act.value(*v));
                let f = dot8(seg, a) / mf;
                *risk += loss.value(yi, f);
                let pi = loss.d1(yi, f) * self.inv_n;
                for (v, &ar) in seg.iter_mut().zip(a) {
                    *v = act.d1_from_value(*v) * pi * ar;
                }
            }
        }
    }
}

impl TwoLayer {
    /// Samples per block of the fused pass: the block's activations
    /// (C·M × block) stay in the core's L2 cache between the passes.
    fn block(&self, rows: usize) -> usize {
        ((1 << 15) / rows.max(1)).clamp(8, 64)
    }

    /// S3's coefficient gradient and the risk of C chains on this lifted
    /// model at once, fused: the spectral map V_c = E W_c of each chain
    /// into a stack of C·M rows; then, for each group of chains of at most
    /// [`GROUP_ROWS`] rows and block by block of samples, one product
    /// Z = V X_bᵀ for the group, σ and f_W(x_i) = (1/M) Σ_m a_m σ(z_mi)
    /// in one pass, the backward weights σ'(z) ℓ'(y_i, f)/n a_m in a
    /// second pass over the same (cached) block, and one product G += D X_b;
    /// finally ∇_c = (1/M) Eᵀ G_c. Each entry of each product is summed in
    /// a fixed order ([`crate::kernels`]), so chain c's bits do not depend
    /// on C, on the chains beside it, or on the CPU.
    fn lifted_gradients(&self, a: &DVector<f64>, ws: &[&Coef], grads: &mut [&mut Coef], risks: &mut [f64]) {
        let (m, modes) = self.e.shape();
        let (n, d) = (self.data.len(), self.data.dim());
        let c = ws.len();
        assert!(grads.len() == c && risks.len() == c, "one gradient and one risk per chain");
        let cm = c * m;
        let (e, et, xt) = (self.e.as_slice(), self.et.as_slice(), self.xt.as_slice());
        let (a, y) = (a.as_slice(), self.data.y.as_slice());
        let (act, loss) = (self.act, self.loss);
        let (inv_n, mf) = (1.0 / n as f64, m as f64);
        FUSED.with(|cell| {
            let fz = &mut *cell.borrow_mut();
            resize(&mut fz.first, cm * d);
            resize(&mut fz.g, cm * d);
            for (ci, w) in ws.iter().enumerate() {
                assert_eq!(w.shape(), (modes, d), "coefficients (N × d)");
                gemm(
                    m,
                    d,
                    modes,
                    e,
                    m,
                    View::col_major(w.as_slice(), modes),
                    &mut fz.first[ci * m..],
                    cm,
                    false,
                );
            }
            risks.iter_mut().for_each(|r| *r = 0.0);
            // Groups of chains of at most GROUP_ROWS rows (at least one
            // chain): a group's block of activations stays in the L2 cache
            // between the passes, and its gradient rows in G are added to
            // over blocks of `nb` samples (a stack of all C·M rows at once
            // would spill the cache, or force blocks so short that G is
            // re-read for every few samples). Entries are summed in the
            // same order whatever the grouping.
            let per = (GROUP_ROWS / m).clamp(1, c);
            let nb = self.block(per * m);
            resize(&mut fz.z, per * m * nb);
            for c0 in (0..c).step_by(per) {
                let gc = per.min(c - c0);
                let rows = gc * m;
                let mut i0 = 0;
                while i0 < n {
                    let b = nb.min(n - i0);
                    gemm(
                        rows,
                        b,
                        d,
                        &fz.first[c0 * m..],
                        cm,
                        View::col_major(&xt[i0 * d..], d),
                        &mut fz.z,
                        rows,
                        false,
                    );
                    let z = &mut fz.z[..rows * b];
                    pulp::Arch::new().dispatch(ColumnPass {
                        z,
                        m,
                        y: &y[i0..i0 + b],
                        a,
                        act,
                        loss,
                        inv_n,
                        risks: &mut risks[c0..c0 + gc],
                    });
                    let xb = View {
                        data: &xt[i0 * d..],
                        rs: d,
                        cs: 1,
                    };
                    gemm(rows, d, b, z, rows, xb, &mut fz.g[c0 * m..], cm, true);
                    i0 += b;
                }
            }
            for (ci, grad) in grads.iter_mut().enumerate() {
                assert_eq!(grad.shape(), (modes, d), "gradient (N × d)");
                let gs = grad.as_mut_slice();
                gemm(
                    modes,
                    d,
                    m,
                    et,
                    modes,
                    View {
                        data: &fz.g[ci * m..],
                        rs: 1,
                        cs: cm,
                    },
                    gs,
                    modes,
                    false,
                );
                gs.iter_mut().for_each(|v| *v /= mf);
            }
            risks.iter_mut().for_each(|r| *r /= n as f64);
        });
    }
}
