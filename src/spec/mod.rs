//! The problem spec: a versioned JSON description of one run (model,
//! spectrum, data, loss, η, β, λ, steps, chains, seed), and the
//! [`Problem`] it builds. This is what another implementation (JAX, CUDA,
//! PyTorch) needs to reproduce our states step by step.
//!
//! # Format (spec_version 1)
//!
//! ```json
//! {
//!   "spec_version": 1,
//!   "model": {"kind": "two-layer", "width": 16, "activation": "tanh"},
//!   "spectrum": {"kind": "gaussian-kernel", "bandwidth": 2.0, "modes": 8},
//!   "data": {"kind": "toy", "n": 32, "dim": 2, "seed": 7},
//!   "loss": "squared",
//!   "eta": 0.01, "beta": 100.0, "lambda": 0.01,
//!   "steps": 20, "chains": 4, "seed": 42,
//!   "init": "identity",
//!   "pcn_step": 0.2
//! }
//! ```
//!
//! * `model.kind`: `regression` (f_W(x) = Σ α_k e_k(x) on the cosine basis of
//!   L2\[0,1\], d = 1; needs a `power-law` spectrum), `two-layer` (the lifted
//!   network of S3 with second layer a_m = +1, −1, +1, …; needs a
//!   `gaussian-kernel` spectrum) or `clipped` (S8, with `clip_r` ≥ 1; the
//!   second layer is the last coordinate of W).
//!   `discrete`, `deep`, `resnet` and `ot-map` are the other models of the
//!   general formulation (Z-discrete, Z-deep, Z-resnet, Z-ot; [`zoo`]).
//! * `spectrum`: `{"kind": "power-law", "c_mu", "decay", "modes"}` or
//!   `{"kind": "gaussian-kernel", "bandwidth", "modes"}` (modes ≤ width).
//! * `data`: `{"kind": "toy", "n", "dim", "seed"}` or
//!   `{"kind": "inline", "x": [[...], ...], "y": [...]}`. Toy data: for the
//!   regression model x_i uniform on [0,1) from stream 0 of `seed`,
//!   y_i = sin(2πx_i) + 0.3 cos(7x_i); for the networks x_i ∼ N(0, I_dim)
//!   (row-major normals of stream 0 of `seed`), y_i = tanh(x_{i0}) + x_{i1}/2.
//!   With the logistic loss, y_i is replaced by its sign (0 ↦ +1).
//! * Particles (initial weights, finite width): `width` rows of standard
//!   normals, row-major, from stream [`PARTICLE_STREAM`] of `seed`; `dim`
//!   columns for `two-layer`, `dim + 1` for `clipped` (last column: a_m).
//! * `init`: `identity` (P_N of the identity map, finite width only) or `zero`.
//! * Chain c draws its noise from stream c of `seed` (N·q normals per step,
//!   mode by mode).
//! * `pcn_step` (optional, default 0.2): proposal scale of the pCN-MH sampler.
//!
//! Unknown and missing fields are errors that name the field; all of them
//! are reported at once (the document is checked against [`schema`] first).
//! The formulas each field defines: `paper/oracle-maths.md`.

mod problem;
mod schema;
pub mod zoo;

pub use problem::{normals, AnyModel, Problem};
pub use schema::schema;

use crate::error::{self, Error, Result};
use crate::loss::Loss;
use serde::{Deserialize, Serialize};

/// Current spec version.
pub const SPEC_VERSION: u32 = 1;

/// Stream of `seed` that draws the particles.
pub const PARTICLE_STREAM: u64 = 1 << 32;

/// Stream of `seed` that draws the target sample of `ot-map`.
pub const TARGET_STREAM: u64 = (1 << 32) + 1;

/// Largest width, modes, inputs or dimension a spec may ask for.
pub const MAX_SIZE: usize = 1 << 16;

/// Largest width M (the Gram matrix is M × M and is eigendecomposed).
pub const MAX_WIDTH: usize = 4096;

/// Largest n × M (the forward pass holds an n × M matrix).
pub const MAX_N_TIMES_WIDTH: f64 = 134_217_728.0;

/// Largest steps × chains × modes × q a spec may ask for.
pub const MAX_WORK: f64 = 1e11;

/// The activation's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivationName {
    /// tanh.
    Tanh,
}

/// The model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Regression on the cosine basis.
    Regression,
    /// Lifted two-layer network (S3).
    TwoLayer {
        /// Width M.
        width: usize,
        /// Activation.
        activation: ActivationName,
    },
    /// Clipped two-layer network (S8).
    Clipped {
        /// Width M.
        width: usize,
        /// Activation.
        activation: ActivationName,
        /// Clip radius R ≥ 1.
        clip_r: f64,
    },
    /// Two-layer network, discrete topology (Z-discrete): the kernel lives
    /// on the neuron indices (see [`zoo`]).
    Discrete {
        /// Width M.
        width: usize,
        /// Activation.
        activation: ActivationName,
    },
    /// Deep network (Z-deep), L layers of width M, clipped.
    Deep {
        /// Width M.
        width: usize,
        /// Layers L.
        layers: usize,
        /// Activation.
        activation: ActivationName,
        /// Clip radius R ≥ 1.
        clip_r: f64,
        /// Scale s of the layer coordinate in the product kernel (s = 0:
        /// layers share one prior; large s: independent layers).
        layer_scale: f64,
    },
    /// ResNet (Z-resnet), T blocks of width M, clipped.
    Resnet {
        /// Width M.
        width: usize,
        /// Blocks T.
        layers: usize,
        /// Activation.
        activation: ActivationName,
        /// Clip radius R ≥ 1.
        clip_r: f64,
        /// Scale s of the layer coordinate in the product kernel.
        layer_scale: f64,
    },
    /// Wasserstein optimal transport map (Z-ot): ρ0 is the source sample
    /// (the data's x), the target sample is drawn from N(target_mean,
    /// LLᵀ), L = `target_factor` (see [`zoo`]).
    OtMap {
        /// Penalty τ ≥ 0 on MMD²(f_W♯P̂_n, Q̂_n).
        penalty: f64,
        /// Bandwidth σ > 0 of the MMD's Gaussian kernel.
        mmd_bandwidth: f64,
        /// Clip radius R ≥ 1 of the map, W̄ = R tanh(W/R).
        clip_r: f64,
        /// Mean m_Q of the target Gaussian (d numbers).
        target_mean: Vec<f64>,
        /// Factor L of the target covariance LLᵀ (d rows of d numbers).
        target_factor: Vec<Vec<f64>>,
    },
}

/// The spectrum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SpectrumSpec {
    /// μ_k = c_μ (k+1)^{−p}.
    PowerLaw {
        /// c_μ.
        c_mu: f64,
        /// p.
        decay: f64,
        /// N.
        modes: usize,
    },
    /// Gram eigenpairs of a Gaussian kernel over the particles.
    GaussianKernel {
        /// Bandwidth h.
        bandwidth: f64,
        /// N.
        modes: usize,
    },
}

/// The data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DataSpec {
    /// Generated from a seed.
    Toy {
        /// Number of points n.
        n: usize,
        /// Input dimension d.
        dim: usize,
        /// Seed of the generator (stream 0).
        seed: u64,
    },
    /// Given points.
    Inline {
        /// Inputs, one list per point.
        x: Vec<Vec<f64>>,
        /// Outputs.
        y: Vec<f64>,
    },
}

/// The initial state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// P_N of the identity map (finite width).
    Identity,
    /// The zero map.
    Zero,
}

fn default_pcn_step() -> f64 {
    0.2
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Must be [`SPEC_VERSION`].
    pub spec_version: u32,
    /// Model.
    pub model: ModelSpec,
    /// Spectrum.
    pub spectrum: SpectrumSpec,
    /// Data.
    pub data: DataSpec,
    /// Loss.
    pub loss: Loss,
    /// Step size η.
    pub eta: f64,
    /// Inverse temperature β.
    pub beta: f64,
    /// Regularization λ.
    pub lambda: f64,
    /// Steps per chain.
    pub steps: usize,
    /// Independent chains.
    pub chains: usize,
    /// Seed.
    pub seed: u64,
    /// Initial state.
    pub init: Init,
    /// pCN proposal scale s ∈ (0, 1].
    #[serde(default = "default_pcn_step")]
    pub pcn_step: f64,
}

impl Spec {
    /// Parses and validates a spec.
    ///
    /// # Errors
    /// [`Error::Json`] or [`Error::NonFiniteJson`] for text that is not
    /// JSON; [`Error::Schema`] listing *every* missing, unknown or mistyped
    /// field (checked against [`schema`]); then the errors of
    /// [`Spec::validate`] (all of them at once, as [`Error::Several`], when
    /// there are several).
    pub fn parse(text: &str, context: &str) -> Result<Spec> {
        let v = crate::json::parse_value(text, context)?;
        let problems = crate::json::check_schema(&schema(), &v);
        if !problems.is_empty() {
            return Err(Error::Schema {
                context: context.to_string(),
                problems,
            });
        }
        let s: Spec = serde_path_to_error::deserialize(v).map_err(|e| Error::Schema {
            context: context.to_string(),
            problems: vec![crate::error::SchemaProblem {
                field: e.path().to_string(),
                message: e.into_inner().to_string(),
            }],
        })?;
        s.validate()?;
        Ok(s)
    }

    /// A complete, valid example spec for each model kind, with the
    /// spectrum it needs: `(model kind, spectrum kind, spec)`.
    pub fn examples() -> Vec<(&'static str, &'static str, Spec)> {
        let two_layer = Spec::example();
        let regression = Spec {
            model: ModelSpec::Regression,
            spectrum: SpectrumSpec::PowerLaw {
                c_mu: 1.0,
                decay: 2.0,
                modes: 8,
            },
            data: DataSpec::Toy { n: 32, dim: 1, seed: 7 },
            eta: 0.05,
            beta: 50.0,
            lambda: 0.1,
            init: Init::Zero,
            ..Spec::example()
        };
        let clipped = Spec {
            model: ModelSpec::Clipped {
                width: 16,
                activation: ActivationName::Tanh,
                clip_r: 2.0,
            },
            loss: Loss::Logistic,
            ..Spec::example()
        };
        let mut all = vec![
            ("regression", "power-law", regression),
            ("two-layer", "gaussian-kernel", two_layer),
            ("clipped", "gaussian-kernel", clipped),
        ];
        all.extend(zoo::examples());
        all
    }

    /// A complete example (what `spec --example` prints).
    pub fn example() -> Spec {
        Spec {
            spec_version: SPEC_VERSION,
            model: ModelSpec::TwoLayer {
                width: 16,
                activation: ActivationName::Tanh,
            },
            spectrum: SpectrumSpec::GaussianKernel { bandwidth: 2.0, modes: 8 },
            data: DataSpec::Toy { n: 32, dim: 2, seed: 7 },
            loss: Loss::Squared,
            eta: 0.01,
            beta: 100.0,
            lambda: 0.01,
            steps: 20,
            chains: 4,
            seed: 42,
            init: Init::Identity,
            pcn_step: 0.2,
        }
    }

    /// Checks every condition that serde's types do not, and reports all
    /// that fail: the error itself when one fails, [`Error::Several`] when
    /// more do.
    pub fn validate(&self) -> Result<()> {
        error::collect(self.problems())
    }

    /// Every violated condition of [`Spec::validate`], in field order.
    pub fn problems(&self) -> Vec<Error> {
        let mut errs = Vec::new();
        let mut check = |r: Result<()>| {
            if let Err(e) = r {
                errs.push(e);
            }
        };
        if self.spec_version != SPEC_VERSION {
            check(Err(Error::OutOfRange {
                name: "spec_version",
                value: self.spec_version as f64,
                range: "{1}",
            }));
        }
        check(error::positive("eta", self.eta).map(drop));
        check(error::positive("beta", self.beta).map(drop));
        check(error::positive("lambda", self.lambda).map(drop));
        check(error::nonzero("steps", self.steps).map(drop));
        check(error::nonzero("chains", self.chains).map(drop));
        check(error::positive("pcn_step", self.pcn_step).and_then(|s| {
            if s > 1.0 {
                Err(Error::OutOfRange {
                    name: "pcn_step",
                    value: s,
                    range: "(0, 1]",
                })
            } else {
                Ok(())
            }
        }));
        let modes = match self.spectrum {
            SpectrumSpec::PowerLaw { c_mu, decay, modes } => {
                check(error::positive("spectrum.c_mu", c_mu).map(drop));
                check(error::positive("spectrum.decay", decay).map(drop));
                modes
            }
            SpectrumSpec::GaussianKernel { bandwidth, modes } => {
                check(error::positive("spectrum.bandwidth", bandwidth).map(drop));
                modes
            }
        };
        check(error::nonzero("spectrum.modes", modes).map(drop));
        check(limit("spectrum.modes", modes));
        match (&self.model, &self.spectrum) {
            (ModelSpec::Regression, SpectrumSpec::PowerLaw { .. }) => {
                if self.init == Init::Identity {
                    check(Err(Error::Incompatible {
                        what: "spec: init `identity`",
                        needs: "a finite-width model",
                    }));
                }
            }
            (ModelSpec::TwoLayer { width, .. } | ModelSpec::Clipped { width, .. }, SpectrumSpec::GaussianKernel { .. }) => {
                check(error::nonzero("model.width", *width).map(drop));
                if *width > MAX_WIDTH {
                    check(Err(Error::OutOfRange {
                        name: "model.width",
                        value: *width as f64,
                        range: "[1, 4096]",
                    }));
                }
                let n = match &self.data {
                    DataSpec::Toy { n, .. } => *n,
                    DataSpec::Inline { y, .. } => y.len(),
                };
                if n as f64 * *width as f64 > MAX_N_TIMES_WIDTH {
                    check(Err(Error::OutOfRange {
                        name: "data.n x model.width",
                        value: n as f64 * *width as f64,
                        range: "[1, 2^27]",
                    }));
                }
                if modes > *width {
                    check(Err(Error::TooManyModes { modes, width: *width }));
                }
                if let ModelSpec::Clipped { clip_r, .. } = self.model {
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
                }
            }
            (
                ModelSpec::Discrete { .. } | ModelSpec::Deep { .. } | ModelSpec::Resnet { .. } | ModelSpec::OtMap { .. },
                SpectrumSpec::GaussianKernel { .. },
            ) => {
                zoo::problems(self, modes).into_iter().for_each(|e| check(Err(e)));
            }
            (ModelSpec::Regression, _) => check(Err(Error::Incompatible {
                what: "spec: the regression model",
                needs: "a `power-law` spectrum",
            })),
            _ => check(Err(Error::Incompatible {
                what: "spec: the two-layer models",
                needs: "a `gaussian-kernel` spectrum",
            })),
        }
        let mut data_ok = true;
        match &self.data {
            DataSpec::Toy { n, dim, .. } => {
                for r in [
                    error::nonzero("data.n", *n).map(drop),
                    error::nonzero("data.dim", *dim).map(drop),
                    limit("data.n", *n),
                    limit("data.dim", *dim),
                ] {
                    data_ok &= r.is_ok();
                    check(r);
                }
            }
            DataSpec::Inline { x, y } => {
                let r = inline_data(x, y);
                data_ok = r.is_ok();
                check(r);
            }
        }
        if data_ok && matches!(self.model, ModelSpec::Regression) && self.input_dim() != 1 {
            check(Err(Error::DimensionMismatch {
                what: "data dimension of the regression model",
                expected: 1,
                found: self.input_dim(),
            }));
        }
        let q = self.value_dim() as f64;
        let work = self.steps as f64 * self.chains as f64 * modes as f64 * q;
        if work > MAX_WORK {
            check(Err(Error::OutOfRange {
                name: "steps x chains x modes x q",
                value: work,
                range: "(0, 1e11]",
            }));
        }
        errs
    }

    /// Input dimension d.
    pub fn input_dim(&self) -> usize {
        match &self.data {
            DataSpec::Toy { dim, .. } => *dim,
            DataSpec::Inline { x, .. } => x.first().map_or(0, Vec::len),
        }
    }

    /// Number of modes N.
    pub fn modes(&self) -> usize {
        match self.spectrum {
            SpectrumSpec::PowerLaw { modes, .. } | SpectrumSpec::GaussianKernel { modes, .. } => modes,
        }
    }

    /// Value dimension q of the coefficient matrix.
    pub fn value_dim(&self) -> usize {
        match self.model {
            ModelSpec::Regression => 1,
            ModelSpec::TwoLayer { .. } => self.input_dim(),
            ModelSpec::Clipped { .. } => self.input_dim() + 1,
            ModelSpec::Discrete { .. } | ModelSpec::Deep { .. } | ModelSpec::Resnet { .. } | ModelSpec::OtMap { .. } => self.input_dim(),
        }
    }
}

fn inline_data(x: &[Vec<f64>], y: &[f64]) -> Result<()> {
    if x.is_empty() {
        return Err(Error::EmptyData { name: "data.x" });
    }
    limit("data.x rows", x.len())?;
    let d = x[0].len();
    error::nonzero("data.x columns", d)?;
    for row in x {
        if row.len() != d {
            return Err(Error::DimensionMismatch {
                what: "data.x row length",
                expected: d,
                found: row.len(),
            });
        }
        error::all_finite("data.x", row)?;
    }
    if y.len() != x.len() {
        return Err(Error::DimensionMismatch {
            what: "data.y length (= rows of data.x)",
            expected: x.len(),
            found: y.len(),
        });
    }
    error::all_finite("data.y", y)
}

fn limit(name: &'static str, v: usize) -> Result<()> {
    if v > MAX_SIZE {
        return Err(Error::OutOfRange {
            name,
            value: v as f64,
            range: "[1, 65536]",
        });
    }
    Ok(())
}
