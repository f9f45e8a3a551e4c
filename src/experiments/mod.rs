//! Experiments: each measures one statement with the dynamics and returns
//! its [`Record`]; [`registry`] lists them for `reproduce`. Statements with
//! no experiment yet get an honest `not-yet-implemented` record.
//!
//! Independent chains run in parallel (rayon) but each chain draws only from
//! its own stream and results are collected in chain order, so the output
//! bytes do not depend on the number of threads.

pub mod a1_assumption;
pub mod a1_width;
pub mod a2_conditions;
pub mod c_eta;
pub mod c_width;
pub mod c_width_network;
pub mod c_width_ntk;
pub mod cf_small_ball;
pub mod l1_lipschitz;
pub mod net_rates;
pub mod p1_minorization;
pub mod p1_rates;
pub mod r1_width;
pub mod s1_losses;
pub mod s2_particles;
pub mod s3_lift;
pub mod s4_space;
pub mod s5_continuous;
pub mod s6_scheme;
pub mod s7_pcn;
pub mod s8_clip;
pub mod s9_smoothness;
pub mod t1_gap;
pub mod t2_eps_star;
pub mod t2r_rate;
pub mod t3_classification;
pub mod t3_margin;
pub mod t3_network;
pub mod z_models;
pub mod z_ot;

use crate::dynamics::{Observer, Silent};
use crate::error::Result;
use crate::figure::Plot;
use crate::record::Record;
use crate::statements::CATALOGUE;
use serde_json::Value;
use std::any::Any;
use std::sync::{Arc, Mutex};

/// Default seed of `reproduce` (and of the golden files).
pub const DEFAULT_SEED: u64 = 20_201;

/// Where an experiment's evidence files go. The front provides it (the
/// command line renders figures and writes every file atomically into the
/// output folder); experiments only describe what to keep.
pub trait Evidence: Send + Sync {
    /// Keeps the JSON document `v` under the relative path `name`.
    ///
    /// # Errors
    /// An I/O failure.
    fn json(&self, name: &str, v: &Value) -> Result<()>;
    /// Keeps the figure `plot` under the relative path `name` (an SVG).
    ///
    /// # Errors
    /// A rendering or I/O failure.
    fn figure(&self, name: &str, plot: &Plot) -> Result<()>;
}

/// Results computed once per run and shared by several experiments (the
/// sweep of T1 and C-gap), keyed by name.
type Shared = Arc<Mutex<Vec<(&'static str, Arc<dyn Any + Send + Sync>)>>>;

/// What an experiment is run with.
#[derive(Clone)]
pub struct Context {
    /// Quick mode: small sizes for `reproduce --quick`, tests and golden files.
    pub quick: bool,
    /// Seed of every chain (chain i uses stream i).
    pub seed: u64,
    evidence: Option<Arc<dyn Evidence>>,
    observer: Arc<dyn Observer + Send + Sync>,
    shared: Shared,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("quick", &self.quick)
            .field("seed", &self.seed)
            .field("evidence", &self.evidence.is_some())
            .finish()
    }
}

impl Context {
    /// A run in quick or full mode with `seed` that writes no evidence and
    /// reports progress nowhere.
    pub fn new(quick: bool, seed: u64) -> Context {
        Context {
            quick,
            seed,
            evidence: None,
            observer: Arc::new(Silent),
            shared: Shared::default(),
        }
    }

    /// Hands evidence files (JSON sweeps, figures) to `evidence`.
    pub fn with_evidence(mut self, evidence: Arc<dyn Evidence>) -> Context {
        self.evidence = Some(evidence);
        self
    }

    /// Reports progress (statements begun, sweep points, chains) to
    /// `observer`.
    pub fn observed(mut self, observer: Arc<dyn Observer + Send + Sync>) -> Context {
        self.observer = observer;
        self
    }

    /// Where progress goes.
    pub fn observer(&self) -> &dyn Observer {
        &*self.observer
    }

    /// The result named `key`, computed by `make` the first time any
    /// experiment of this run asks for it (a result shared by several
    /// statements is computed once per run, never per process).
    ///
    /// # Errors
    /// What `make` returns.
    pub fn shared<T: Any + Send + Sync>(&self, key: &'static str, make: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        let lock = || self.shared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lock()
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.clone().downcast::<T>().ok())
        {
            return Ok(v);
        }
        let v = Arc::new(make()?);
        lock().push((key, v.clone()));
        Ok(v)
    }

    /// Hands the JSON evidence `name` (a path relative to the run's output)
    /// to the evidence sink and returns the path to list in the record, or
    /// `None` when the run keeps no evidence.
    ///
    /// # Errors
    /// What the sink returns (e.g. an unwritable folder).
    pub fn write_evidence(&self, name: &str, v: &Value) -> Result<Option<String>> {
        match &self.evidence {
            None => Ok(None),
            Some(e) => {
                e.json(name, v)?;
                Ok(Some(name.to_string()))
            }
        }
    }

    /// Hands the figure `name` to the evidence sink and returns its path,
    /// or `None` when the run keeps no evidence.
    ///
    /// # Errors
    /// What the sink returns.
    pub fn write_plot(&self, name: &str, plot: &Plot) -> Result<Option<String>> {
        match &self.evidence {
            None => Ok(None),
            Some(e) => {
                e.figure(name, plot)?;
                Ok(Some(name.to_string()))
            }
        }
    }

    /// Picks the quick or the full size.
    pub fn size(&self, quick: usize, full: usize) -> usize {
        if self.quick {
            quick
        } else {
            full
        }
    }
}

/// One measurement of one statement.
pub trait Experiment: Sync {
    /// The statement ID it measures.
    fn id(&self) -> &'static str;
    /// Runs it.
    fn run(&self, ctx: &Context) -> Result<Record>;
}

/// Every registered experiment.
pub fn registry() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(s1_losses::Losses),
        Box::new(s2_particles::ParticleNoise),
        Box::new(s3_lift::Lift),
        Box::new(s5_continuous::ContinuousDynamics),
        Box::new(s8_clip::ClippedModel),
        Box::new(s9_smoothness::SmoothnessScale),
        Box::new(s4_space::SpaceChecks),
        Box::new(s6_scheme::SchemeOracles),
        Box::new(s7_pcn::PcnOracles),
        Box::new(r1_width::FiniteWidthLift),
        Box::new(c_eta::EtaOrder),
        Box::new(a1_assumption::AssumptionOne),
        Box::new(p1_rates::P1Rates),
        Box::new(c_width::WidthIndependence),
        Box::new(a2_conditions::Conditions),
        Box::new(t1_gap::GapBound),
        Box::new(l1_lipschitz::Lipschitz),
        Box::new(t1_gap::GapRate),
        Box::new(cf_small_ball::SmallBallChecks),
        Box::new(t2_eps_star::CriticalRadius),
        Box::new(t2r_rate::RegressionRate),
        Box::new(t2r_rate::FastRate),
        Box::new(t3_classification::ExponentialError),
        Box::new(t3_classification::StrongLowNoise),
        Box::new(t3_classification::InputDensity),
        Box::new(z_models::ZModel(crate::model::Architecture::Discrete)),
        Box::new(z_models::ZModel(crate::model::Architecture::Deep)),
        Box::new(z_models::ZModel(crate::model::Architecture::Resnet)),
        Box::new(z_ot::ZOt),
    ]
}

/// Runs the experiments of the selected IDs (all when `only` is `None`) and
/// returns one record per selected statement, in catalogue order; the
/// context's observer hears `begin(id)` once per statement.
pub fn run_all(ctx: &Context, only: Option<&[String]>) -> Result<Vec<Record>> {
    let reg = registry();
    let mut records = Vec::new();
    for (id, title) in CATALOGUE {
        if let Some(list) = only {
            if !list.iter().any(|x| x == id) {
                continue;
            }
        }
        ctx.observer().begin(id);
        let record = match reg.iter().find(|e| e.id() == id) {
            Some(e) => e.run(ctx)?,
            None => Record::not_yet_implemented(id, title),
        };
        records.push(record);
    }
    Ok(records)
}
