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
//!   stream [`PARTICLE_STREAM`](super::PARTICLE_STREAM).
//! * `deep`, `resnet` (`width` M, `layers` L, `activation`, `clip_r` R,
//!   `layer_scale` s): 𝒲 = {(w_m, ℓ)}, P = L·M points, row r = ℓ·M + m,
//!   ρ0 uniform; the product kernel exp(−‖w − w'‖²/(2h²))·exp(−s²(ℓ − ℓ')²/(2h²)),
//!   i.e. the `gaussian-kernel` spectrum over the points (w_m, s·ℓ) ∈ R^{d+1}
//!   (the problem's `particles`, P × (d + 1)); w_m are M × d standard normals
//!   from stream [`PARTICLE_STREAM`](super::PARTICLE_STREAM), shared by the
//!   layers. Read-out a_{w,ℓ} = w (so the effective weight of point r is
//!   w_m/M, the problem's `second_layer`, P·d numbers row by row), u =
//!   (1, …, 1)/√d, clip W̄ = R tanh(W/R). `init: identity` is P_N of
//!   W_0(w, ℓ) = w.

use super::{ActivationName, DataSpec, Init, ModelSpec, Spec, SpectrumSpec, MAX_N_TIMES_WIDTH, MAX_WIDTH, PARTICLE_STREAM};
use crate::error::{self, Error, Result};
use crate::model::{Activation, Architecture, Data, Layered};
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
    vec![
        ("discrete", "gaussian-kernel", discrete),
        ("deep", "gaussian-kernel", deep),
        ("resnet", "gaussian-kernel", resnet),
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

/// What a spec of this module builds: the space, the model, the problem's
/// particles and second layer, and W_0.
pub struct Built {
    /// H_N over 𝒲.
    pub space: Space,
    /// The model.
    pub model: Layered,
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
        model,
        particles,
        second_layer,
        init,
    }))
}

/// The specs of the golden conformance vectors of this module's kinds
/// (`golden/conformance/<kind>.json`): the examples, shortened to 10 steps
/// of one chain, η = 0.02, with their own seeds.
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
