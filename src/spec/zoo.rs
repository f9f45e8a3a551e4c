//! Spec kinds of the other models of the general formulation (Z-discrete,
//! Z-deep, Z-resnet): their examples, their conditions and what they build.
//! The lifted parametrisations are written out in `paper/oracle-maths.md`
//! (section "The other models").
//!
//! * `discrete` (`width` M, `activation`): 𝒲 = {0, …, M−1} with ρ0 uniform;
//!   the kernel lives on the neuron indices, k(m, m') =
//!   exp(−(t_m − t_{m'})²/(2h²)) with t_m = (m + 1/2)/M (the `gaussian-kernel`
//!   spectrum's bandwidth h is in units of the index range). The
//!   `particles` of the problem are the t_m (M × 1). f_W(x) = Σ_m a_m
//!   σ(W(m)ᵀx) with a_m = ±1/M (alternating, + first). `init: identity` is
//!   P_N of the initial weights W_0(m) = w_m, M × d standard normals from
//!   stream `super::PARTICLE_STREAM`.
//! * `deep`, `resnet` (`width` M, `layers` L, `activation`, `clip_r` R,
//!   `layer_scale` s): 𝒲 = {(w_m, ℓ)}, P = L·M points, row r = ℓ·M + m,
//!   ρ0 uniform; the product kernel exp(−‖w − w'‖²/(2h²))·exp(−s²(ℓ − ℓ')²/(2h²)),
//!   i.e. the `gaussian-kernel` spectrum over the points (w_m, s·ℓ) ∈ R^{d+1}
//!   (the problem's `particles`, P × (d + 1)); w_m are M × d standard normals
//!   from stream `super::PARTICLE_STREAM`, shared by the
//!   layers. Read-out a_{w,ℓ} = w (so the effective weight of point r is
//!   w_m/M, the problem's `second_layer`, P·d numbers row by row), u =
//!   (1, …, 1)/√d, clip W̄ = R tanh(W/R). `init: identity` is P_N of
//!   W_0(w, ℓ) = w.
//! * `ot-map` (`penalty` τ, `mmd_bandwidth` σ, `clip_r` R, `target_mean`
//!   m_Q, `target_factor` L): 𝒲 = 𝒲̃ = R^d, ρ0 the empirical measure of
//!   the data's x (the source sample P̂_n; y is ignored), the
//!   `gaussian-kernel` spectrum over the x_i (the problem's `particles` are
//!   the x_i, n × d), f_W(x_i) = R tanh(W(x_i)/R). The target sample Q̂_n:
//!   n points y_j = m_Q + L z_j, z_j the rows of n × d standard normals from
//!   stream `super::TARGET_STREAM` of `seed` (the
//!   problem's `second_layer`, n·d numbers row by row). Loss
//!   (1/n) Σ ‖x_i − f_W(x_i)‖² + τ MMD²(f_W♯P̂_n, Q̂_n) ([`crate::model::OtMap`]).
//!   `init: identity` is P_N of the identity map W_0(x) = x.

use super::{
    ActivationName, AnyModel, DataSpec, Init, ModelSpec, Spec, SpectrumSpec, MAX_N_TIMES_WIDTH, MAX_WIDTH, PARTICLE_STREAM, TARGET_STREAM,
};
use crate::error::{self, Error, Result};
use crate::model::{Activation, Architecture, Data, Layered, OtMap};
use crate::space::{Coef, Kernel, Space};
use nalgebra::{DMatrix, DVector};

/// The example specs of the kinds of this module.
pub fn examples() -> Vec<(&'static str, &'static str, Spec)> {
    let discrete = Spec {
        model: ModelSpec::Discrete {
            width: 16,
            activation: ActivationName::Tanh,
        },
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 0.25, modes: 6 },
        ..Spec::example()
    };
    let deep = Spec {
        model: ModelSpec::Deep {
            width: 8,
            layers: 3,
            activation: ActivationName::Tanh,
            clip_r: 2.0,
            layer_scale: 1.0,
        },
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 8 },
        ..Spec::example()
    };
    let resnet = Spec {
        model: ModelSpec::Resnet {
            width: 8,
            layers: 3,
            activation: ActivationName::Tanh,
            clip_r: 2.0,
            layer_scale: 1.0,
        },
        ..deep.clone()
    };
    let ot = Spec {
        model: ModelSpec::OtMap {
            penalty: 10.0,
            mmd_bandwidth: 1.0,
            clip_r: 10.0,
            target_mean: vec![1.0, -0.5],
            target_factor: vec![vec![0.8, 0.0], vec![0.5, 0.9]],
        },
        spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 8 },
        ..Spec::example()
    };
    vec![
        ("discrete", "gaussian-kernel", discrete),
        ("deep", "gaussian-kernel", deep),
        ("resnet", "gaussian-kernel", resnet),
        ("ot-map", "gaussian-kernel", ot),
    ]
}

/// (M, L, clip R, layer scale s) of a spec of this module.
fn shape(model: &ModelSpec) -> Option<(usize, usize, Option<f64>, f64)> {
    match *model {
        ModelSpec::Discrete { width, .. } => Some((width, 1, None, 0.0)),
        ModelSpec::Deep {
            width,
            layers,
            clip_r,
            layer_scale,
            ..
        }
        | ModelSpec::Resnet {
            width,
            layers,
            clip_r,
            layer_scale,
            ..
        } => Some((width, layers, Some(clip_r), layer_scale)),
        _ => None,
    }
}

/// The conditions on a spec of this module beyond its types (`modes` is
/// the spectrum's N).
pub fn problems(spec: &Spec, modes: usize) -> Vec<Error> {
    let mut errs = Vec::new();
    if let ModelSpec::OtMap { .. } = spec.model {
        return ot_problems(spec, modes);
    }
    let Some((m, l, clip, s)) = shape(&spec.model) else {
        return errs;
    };
    let mut check = |r: Result<()>| {
        if let Err(e) = r {
            errs.push(e);
        }
    };
    check(error::nonzero("model.width", m).map(drop));
    check(error::nonzero("model.layers", l).map(drop));
    let p = m as f64 * l as f64;
    if p > MAX_WIDTH as f64 {
        check(Err(Error::OutOfRange {
            name: "model.width x model.layers",
            value: p,
            range: "[1, 4096]",
        }));
    }
    let n = match &spec.data {
        DataSpec::Toy { n, .. } => *n,
        DataSpec::Inline { y, .. } => y.len(),
    };
    if n as f64 * p > MAX_N_TIMES_WIDTH {
        check(Err(Error::OutOfRange {
            name: "data.n x model.width x model.layers",
            value: n as f64 * p,
            range: "[1, 2^27]",
        }));
    }
    if modes as f64 > p {
        check(Err(Error::TooManyModes { modes, width: m * l }));
    }
    if let Some(r) = clip {
        check(error::finite("model.clip_r", r).and_then(|r| {
            if r < 1.0 {
                Err(Error::OutOfRange {
                    name: "model.clip_r",
                    value: r,
                    range: "[1, ∞)",
                })
            } else {
                Ok(())
            }
        }));
        check(error::finite("model.layer_scale", s).and_then(|s| {
            if s < 0.0 {
                Err(Error::OutOfRange {
                    name: "model.layer_scale",
                    value: s,
                    range: "[0, ∞)",
                })
            } else {
                Ok(())
            }
        }));
    }
    errs
}

/// The conditions on an `ot-map` spec.
fn ot_problems(spec: &Spec, modes: usize) -> Vec<Error> {
    let mut errs = Vec::new();
    let ModelSpec::OtMap {
        penalty,
        mmd_bandwidth,
        clip_r,
        ref target_mean,
        ref target_factor,
    } = spec.model
    else {
        return errs;
    };
    let mut check = |r: Result<()>| {
        if let Err(e) = r {
            errs.push(e);
        }
    };
    check(error::finite("model.penalty", penalty).and_then(|t| {
        if t < 0.0 {
            Err(Error::OutOfRange {
                name: "model.penalty",
                value: t,
                range: "[0, ∞)",
            })
        } else {
            Ok(())
        }
    }));
    check(error::positive("model.mmd_bandwidth", mmd_bandwidth).map(drop));
    check(error::finite("model.clip_r", clip_r).and_then(|r| {
        if r < 1.0 {
            Err(Error::OutOfRange {
                name: "model.clip_r",
                value: r,
                range: "[1, ∞)",
            })
        } else {
            Ok(())
        }
    }));
    let d = spec.input_dim();
    if target_mean.len() != d {
        check(Err(Error::DimensionMismatch {
            what: "model.target_mean length (= data dimension d)",
            expected: d,
            found: target_mean.len(),
        }));
    }
    check(error::all_finite("model.target_mean", target_mean));
    if target_factor.len() != d || target_factor.iter().any(|r| r.len() != d) {
        check(Err(Error::DimensionMismatch {
            what: "model.target_factor (d rows of d numbers)",
            expected: d * d,
            found: target_factor.iter().map(Vec::len).sum(),
        }));
    }
    for row in target_factor {
        check(error::all_finite("model.target_factor", row));
    }
    let n = match &spec.data {
        DataSpec::Toy { n, .. } => *n,
        DataSpec::Inline { y, .. } => y.len(),
    };
    if n > MAX_WIDTH {
        check(Err(Error::OutOfRange {
            name: "data.n (the source points are the index set of ot-map)",
            value: n as f64,
            range: "[1, 4096]",
        }));
    }
    if n > 0 && modes > n {
        check(Err(Error::TooManyModes { modes, width: n }));
    }
    errs
}

/// Builds an `ot-map` spec.
fn build_ot(spec: &Spec, data: &Data) -> Result<Option<Built>> {
    let ModelSpec::OtMap {
        penalty,
        mmd_bandwidth,
        clip_r,
        ref target_mean,
        ref target_factor,
    } = spec.model
    else {
        return Ok(None);
    };
    let SpectrumSpec::GaussianKernel { bandwidth, modes } = spec.spectrum else {
        return Ok(None);
    };
    let (n, d) = (data.len(), data.dim());
    let z = super::normals(spec.seed, TARGET_STREAM, n, d);
    let y = DMatrix::from_fn(n, d, |i, j| {
        target_mean[j] + (0..d).map(|k| target_factor[j][k] * z[(i, k)]).sum::<f64>()
    });
    let x = data.x.clone();
    let space = Space::finite_width(x.clone(), Kernel::Gaussian { bandwidth }, modes)?;
    let init = match spec.init {
        Init::Identity => space.from_values(&x)?,
        Init::Zero => Coef::zeros(modes, d),
    };
    let second_layer = DVector::from_iterator(n * d, (0..n).flat_map(|i| y.row(i).iter().copied().collect::<Vec<_>>()));
    let model = OtMap::new(&space, x.clone(), y, penalty, mmd_bandwidth, clip_r)?;
    Ok(Some(Built {
        space,
        model: AnyModel::OtMap(model),
        particles: x,
        second_layer,
        init,
    }))
}

/// What a spec of this module builds: the space, the model, the problem's
/// particles and second layer, and W_0.
pub struct Built {
    /// H_N over 𝒲.
    pub space: Space,
    /// The model ([`AnyModel::Layered`] or [`AnyModel::OtMap`]).
    pub model: AnyModel,
    /// The points of 𝒲 the kernel sees.
    pub particles: DMatrix<f64>,
    /// Effective read-out weights, flattened row by row.
    pub second_layer: DVector<f64>,
    /// W_0.
    pub init: Coef,
}

/// Builds a spec of this module (`None` for other kinds).
///
/// # Errors
/// A degenerate spectrum or a shape the model refuses.
pub fn build(spec: &Spec, data: &Data) -> Result<Option<Built>> {
    if let ModelSpec::OtMap { .. } = spec.model {
        return build_ot(spec, data);
    }
    let Some((m, l, clip, s)) = shape(&spec.model) else {
        return Ok(None);
    };
    let SpectrumSpec::GaussianKernel { bandwidth, modes } = spec.spectrum else {
        return Ok(None);
    };
    let act = match spec.model {
        ModelSpec::Discrete {
            activation: ActivationName::Tanh,
            ..
        }
        | ModelSpec::Deep {
            activation: ActivationName::Tanh,
            ..
        }
        | ModelSpec::Resnet {
            activation: ActivationName::Tanh,
            ..
        } => Activation::Tanh,
        _ => return Ok(None),
    };
    let d = data.dim();
    let w = super::normals(spec.seed, PARTICLE_STREAM, m, d);
    let kernel = Kernel::Gaussian { bandwidth };
    let (arch, particles, a, u, w0) = match spec.model {
        ModelSpec::Discrete { .. } => {
            let t = DMatrix::from_fn(m, 1, |i, _| (i as f64 + 0.5) / m as f64);
            let a = DMatrix::from_fn(m, 1, |i, _| if i % 2 == 0 { 1.0 } else { -1.0 } / m as f64);
            (Architecture::Discrete, t, a, DVector::from_element(1, 1.0), w.clone())
        }
        _ => {
            let arch = if matches!(spec.model, ModelSpec::Resnet { .. }) {
                Architecture::Resnet
            } else {
                Architecture::Deep
            };
            let p = DMatrix::from_fn(m * l, d + 1, |r, j| if j < d { w[(r % m, j)] } else { s * (r / m + 1) as f64 });
            let a = DMatrix::from_fn(m * l, d, |r, j| w[(r % m, j)] / m as f64);
            let w0 = DMatrix::from_fn(m * l, d, |r, j| w[(r % m, j)]);
            let u = DVector::from_element(d, 1.0 / (d as f64).sqrt());
            (arch, p, a, u, w0)
        }
    };
    let space = Space::finite_width(particles.clone(), kernel, modes)?;
    let init = match spec.init {
        Init::Identity => space.from_values(&w0)?,
        Init::Zero => Coef::zeros(modes, d),
    };
    let second_layer = DVector::from_iterator(a.len(), (0..a.nrows()).flat_map(|r| a.row(r).iter().copied().collect::<Vec<_>>()));
    let model = Layered::new(arch, &space, l, a, u, clip, data.clone(), spec.loss, act)?;
    Ok(Some(Built {
        space,
        model: AnyModel::Layered(model),
        particles,
        second_layer,
        init,
    }))
}

/// The specs of the golden conformance vectors of this module's kinds
/// (`golden/conformance/<kind>.json`): the examples, shortened to 10 steps
/// of one chain, η = 0.02, with their own seeds, on toy data of 16 points.
pub fn conformance_specs() -> Vec<(&'static str, Spec)> {
    examples()
        .into_iter()
        .zip(21u64..)
        .map(|((kind, _, spec), seed)| {
            (
                kind,
                Spec {
                    eta: 0.02,
                    steps: 10,
                    chains: 1,
                    seed,
                    data: DataSpec::Toy {
                        n: 16,
                        dim: 2,
                        seed: seed - 15,
                    },
                    ..spec
                },
            )
        })
        .collect()
}
