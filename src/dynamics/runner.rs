//! The one chain runner: chains × (burn-in, length, thinning) of any
//! [`Kernel`], with an [`Observer`] for progress.
//!
//! Chain `c` draws only from its own stream, `chain_rng(seed, first_stream
//! + c)`, and results are collected in chain order, so the output bytes do
//! not depend on how many threads rayon uses (tested in `tests/cli.rs` and
//! `tests/runner.rs`).
//!
//! # Example
//! ```
//! use transport_langevin::{ChainRunner, Discretization, Langevin, Schedule, Space, ZeroLoss};
//! use transport_langevin::space::Coef;
//!
//! let space = Space::power_law(1.0, 2.0, 4)?;
//! let kernel = Langevin::new(&space, 1, 0.1, 10.0, 1.0, Discretization::SemiImplicit)?;
//! let schedule = Schedule { chains: 4, burn_in: 50, length: 100, thin: 10 };
//! let runs = ChainRunner::new(7, schedule).run(&kernel, &ZeroLoss { modes: 4, q: 1 }, &Coef::zeros(4, 1), |s| {
//!     Ok(s.state.w.norm_squared())
//! })?;
//! assert_eq!(runs.len(), 4);
//! assert_eq!(runs[0].trace.len(), 10);
//! # Ok::<(), transport_langevin::Error>(())
//! ```

use super::kernel::Kernel;
use crate::error::Result;
use crate::model::Potential;
use crate::rng::chain_rng;
use crate::space::Coef;
use serde::Serialize;

/// How long each chain runs and which states it records.
///
/// Steps are numbered t = 1, 2, … (step t makes W_t). The chain takes
/// `burn_in + length` steps and records the state after step t for
/// t = burn_in + 1, burn_in + 1 + thin, … ≤ burn_in + length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Independent chains.
    pub chains: usize,
    /// Steps discarded before the first record (serialized as `burn`).
    #[serde(rename = "burn")]
    pub burn_in: usize,
    /// Steps after the burn-in (serialized as `len`).
    #[serde(rename = "len")]
    pub length: usize,
    /// Record every `thin`-th step after the burn-in (≥ 1).
    pub thin: usize,
}

impl Schedule {
    /// `chains` chains that record nothing and keep only their last state
    /// after `steps` steps.
    pub fn final_state(chains: usize, steps: usize) -> Schedule {
        Schedule {
            chains,
            burn_in: steps,
            length: 0,
            thin: 1,
        }
    }

    /// `chains` chains that record every one of `steps` steps.
    pub fn every_step(chains: usize, steps: usize) -> Schedule {
        Schedule {
            chains,
            burn_in: 0,
            length: steps,
            thin: 1,
        }
    }

    /// Whether the state after step `t` (1-based) is recorded.
    pub fn records(&self, t: usize) -> bool {
        t > self.burn_in && (t - self.burn_in - 1).is_multiple_of(self.thin)
    }

    /// Records per chain.
    pub fn records_per_chain(&self) -> usize {
        self.length.div_ceil(self.thin)
    }

    fn validate(&self) -> Result<()> {
        crate::error::nonzero("chains", self.chains)?;
        crate::error::nonzero("thinning", self.thin)?;
        Ok(())
    }
}

/// What the recorder sees after a recorded step.
pub struct Step<'a, K: Kernel> {
    /// The kernel (e.g. for the noise it just drew).
    pub kernel: &'a K,
    /// The state after the step.
    pub state: &'a K::State,
    /// What the step reported.
    pub info: &'a K::Info,
    /// The step's number t (1-based: the state is W_t).
    pub t: usize,
    /// The chain.
    pub chain: u64,
}

/// One chain's output: its recorded values and its last state.
#[derive(Debug, Clone)]
pub struct ChainRun<T, S> {
    /// The recorded values, in step order.
    pub trace: Vec<T>,
    /// The state after the last step.
    pub last: S,
}

/// Receives progress. Library code never prints: the CLI draws these.
pub trait Observer: Sync {
    /// A named unit of work begins (the CLI's progress bar counts these:
    /// one per statement in `reproduce`).
    fn begin(&self, _name: &str) {}
    /// A long computation reached a named point (e.g. `"T1: n = 256"`).
    fn message(&self, _msg: &str) {}
    /// Chain `chain` of `chains` finished.
    fn chain_done(&self, _chain: u64, _chains: usize) {}
}

/// The observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Runs chains of a kernel in parallel, collected in chain order.
#[derive(Clone, Copy)]
pub struct ChainRunner<'o> {
    seed: u64,
    first_stream: u64,
    schedule: Schedule,
    observer: &'o dyn Observer,
}

impl std::fmt::Debug for ChainRunner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainRunner")
            .field("seed", &self.seed)
            .field("first_stream", &self.first_stream)
            .field("schedule", &self.schedule)
            .finish()
    }
}

impl ChainRunner<'static> {
    /// Chains of run `seed` on streams 0, 1, …, without an observer.
    pub fn new(seed: u64, schedule: Schedule) -> ChainRunner<'static> {
        ChainRunner {
            seed,
            first_stream: 0,
            schedule,
            observer: &Silent,
        }
    }
}

impl<'o> ChainRunner<'o> {
    /// Chain `c` uses stream `first + c` (runs that must not share streams
    /// with another part of the same experiment start elsewhere).
    pub fn streams_from(mut self, first: u64) -> Self {
        self.first_stream = first;
        self
    }

    /// Reports each finished chain to `observer`.
    pub fn observed<'p>(self, observer: &'p dyn Observer) -> ChainRunner<'p> {
        ChainRunner {
            seed: self.seed,
            first_stream: self.first_stream,
            schedule: self.schedule,
            observer,
        }
    }

    /// Runs `schedule.chains` clones of `kernel` on `potential` from `start`
    /// and keeps `record(step)` of every recorded step.
    ///
    /// # Errors
    /// A zero chain count or thinning, a start the kernel rejects, or the
    /// first error `record` returns (in chain order).
    pub fn run<K, P, T, F>(&self, kernel: &K, potential: &P, start: &Coef, record: F) -> Result<Vec<ChainRun<T, K::State>>>
    where
        K: Kernel,
        P: Potential + ?Sized,
        T: Send,
        F: Fn(&Step<'_, K>) -> Result<T> + Sync,
    {
        let runs = self.fold(
            kernel,
            potential,
            start,
            |_| Vec::with_capacity(self.schedule.records_per_chain()),
            |trace: &mut Vec<T>, st| {
                trace.push(record(st)?);
                Ok(())
            },
        )?;
        Ok(runs.into_iter().map(|(trace, last)| ChainRun { trace, last }).collect())
    }

    /// The general form of [`ChainRunner::run`]: each chain folds its
    /// recorded steps into an accumulator that starts as `init(chain)`
    /// (a running sum, a cached prediction, …); returns, per chain, the
    /// accumulator and the last state.
    ///
    /// # Errors
    /// As [`ChainRunner::run`].
    pub fn fold<K, P, A, I, F>(&self, kernel: &K, potential: &P, start: &Coef, init: I, fold: F) -> Result<Vec<(A, K::State)>>
    where
        K: Kernel,
        P: Potential + ?Sized,
        A: Send,
        I: Fn(u64) -> A + Sync,
        F: Fn(&mut A, &Step<'_, K>) -> Result<()> + Sync,
    {
        self.schedule.validate()?;
        kernel.init(potential, start.clone())?;
        let s = self.schedule;
        // Chains step in lockstep groups (Kernel::step_many shares work
        // between them, e.g. one gradient product for all); a chain's
        // bytes do not depend on its group, so neither the group size nor
        // the thread count changes the output.
        let group = s.chains.div_ceil(rayon::current_num_threads()).clamp(1, MAX_GROUP);
        let groups = in_chain_order(s.chains.div_ceil(group), |g| {
            let ids: Vec<u64> = (g * group as u64..((g + 1) * group as u64).min(s.chains as u64)).collect();
            let mut ks = vec![kernel.clone(); ids.len()];
            let mut rngs: Vec<_> = ids.iter().map(|&c| chain_rng(self.seed, self.first_stream + c)).collect();
            let mut states = Vec::with_capacity(ids.len());
            for k in &ks {
                states.push(k.init(potential, start.clone())?);
            }
            let mut accs: Vec<Result<A>> = ids.iter().map(|&c| Ok(init(c))).collect();
            for t in 1..=s.burn_in + s.length {
                let infos = K::step_many(&mut ks, potential, &mut rngs, &mut states);
                if s.records(t) {
                    for (j, &c) in ids.iter().enumerate() {
                        if let Ok(acc) = &mut accs[j] {
                            let step = Step {
                                kernel: &ks[j],
                                state: &states[j],
                                info: &infos[j],
                                t,
                                chain: c,
                            };
                            if let Err(e) = fold(acc, &step) {
                                accs[j] = Err(e);
                            }
                        }
                    }
                }
            }
            for &c in &ids {
                self.observer.chain_done(c, s.chains);
            }
            Ok(accs.into_iter().zip(states).map(|(a, st)| a.map(|a| (a, st))).collect::<Vec<_>>())
        });
        let mut runs = Vec::with_capacity(s.chains);
        for g in groups {
            runs.extend(g?);
        }
        runs.into_iter().collect()
    }

    /// The recorded traces only.
    ///
    /// # Errors
    /// As [`ChainRunner::run`].
    pub fn traces<K, P, T, F>(&self, kernel: &K, potential: &P, start: &Coef, record: F) -> Result<Vec<Vec<T>>>
    where
        K: Kernel,
        P: Potential + ?Sized,
        T: Send,
        F: Fn(&Step<'_, K>) -> Result<T> + Sync,
    {
        Ok(self.run(kernel, potential, start, record)?.into_iter().map(|r| r.trace).collect())
    }
}

/// The most chains one thread steps together.
const MAX_GROUP: usize = 8;

/// Runs `f(i)` for i = 0..count in parallel (rayon) and returns the results
/// in index order: the building block for independent replicates that are
/// not Markov chains of one kernel (data sets, Monte Carlo batches, particle
/// systems). Each `f(i)` must draw only from its own stream.
pub fn in_chain_order<T: Send>(count: usize, f: impl Fn(u64) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    (0..count as u64).into_par_iter().map(f).collect()
}
