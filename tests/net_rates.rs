//! T2R / C-fast on the network, T2's constant fit and T3's margin sweep
//! (issues 15 and 16): the pieces the records are built from, on small
//! sizes (well under a second).

use transport_langevin::dynamics::Schedule;
use transport_langevin::experiments::net_rates::{data_set_run, excess_risk, problem, sweep, BetaRule, NetSettings, GAMMA};
use transport_langevin::experiments::t3_classification::{delta_of, fit_sweep};
use transport_langevin::experiments::t3_margin::{margin_exponent, MarginSweep};
use transport_langevin::model::Reparametrized;
use transport_langevin::stats::rhat;

/// R̂ = 1 for chains with one law (here: identical halves), and large when
/// one chain sits elsewhere (control).
#[test]
fn rhat_is_one_for_one_law_and_large_for_separated_chains() {
    let a: Vec<f64> = (0..400).map(|i| ((i * 37) % 101) as f64 / 101.0).collect();
    let same = rhat(&[a.clone(), a.clone(), a.clone(), a.clone()]);
    assert!((same - (399.0f64 / 400.0).sqrt()).abs() < 1e-12, "{same}");
    let shifted: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
    assert!(rhat(&[a.clone(), a.clone(), a.clone(), shifted]) > 1.2);
}

/// The teacher is realizable: the excess risk at W* is 0 and positive at W = 0.
#[test]
fn network_teacher_is_realizable() {
    let s = NetSettings::new(true, 1);
    let (t, w_star) = problem(s.spec).unwrap();
    let re = Reparametrized::new(t.grid_model.clone(), &t.space, GAMMA).unwrap();
    assert!(excess_risk(&t, &re, &w_star) < 1e-28);
    assert!(excess_risk(&t, &re, &(w_star * 0.0)) > 1e-3);
}

/// Mixing failures are never silent: chains far too short for ESS ≥ 400
/// drop every n, and the sweep then has no slope to report.
#[test]
fn short_chains_are_reported_and_dropped() {
    let mut s = NetSettings::new(true, 3);
    s.ns = vec![32, 64, 128];
    s.data_sets = 1;
    s.schedule = Schedule {
        chains: 4,
        burn_in: 200,
        length: 300,
        thin: 1,
    };
    s.adapt = 100;
    let sw = sweep(&s, BetaRule::N, &transport_langevin::Silent).unwrap();
    assert_eq!(sw.mixed, vec![false; 3]);
    assert!(sw.fitted_ns.is_empty() && sw.slope.is_nan() && !sw.fit_usable());
    assert_eq!(sw.dropped(), vec![32, 64, 128]);
    // One data set at the default schedule mixes (R-hat, ESS within the rule).
    let d = data_set_run(&NetSettings::new(true, 3), &problem(s.spec).unwrap().0, BetaRule::N, 64, 0).unwrap();
    assert!(d.rhat <= 1.01 && d.ess_min >= 400.0, "{d:?}");
}

/// The margin exponent recovers a planted power law r = 0.05 δ^{6/5}.
#[test]
fn margin_exponent_recovers_a_planted_power() {
    let betas = [20.0, 40.0, 60.0];
    let mk = |delta: f64| {
        let r = 0.05 * delta.powf(1.2);
        let probs: Vec<f64> = betas.iter().map(|b| (-r * b).exp()).collect();
        let ses: Vec<f64> = probs.iter().map(|p| 1e-3 * p).collect();
        MarginSweep {
            amplitude: 0.0,
            delta,
            delta_pow: delta.powf(1.2),
            betas_used: betas.to_vec(),
            sweep: fit_sweep(&betas, probs, ses).unwrap(),
            implied_c_prime: 0.0,
        }
    };
    let (e, se) = margin_exponent(&[mk(0.2), mk(0.4), mk(0.6)]);
    assert!((e - 1.2).abs() < 1e-6 && se > 0.0, "{e} {se}");
    // δ grows with the teacher's amplitude.
    assert!(delta_of(4.0) < delta_of(6.0) && delta_of(6.0) < delta_of(9.0));
}
