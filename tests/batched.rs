//! The batched step (issue 18): C chains of one scheme on one two-layer
//! problem stepped together (`Langevin::step_chains`, the gradients as one
//! product over C·M rows) end in the same bytes as each chain stepped
//! alone, and the chain runner, which steps chains in lockstep groups
//! sized by the thread count, gives the same bytes on 1 and 2 threads as
//! hand loops of single steps.

use transport_langevin::dynamics::{ChainRunner, Discretization, Langevin, Schedule};
use transport_langevin::problems::bench_network;
use transport_langevin::rng::chain_rng;
use transport_langevin::Potential;

fn setup() -> (transport_langevin::Space, transport_langevin::TwoLayer, Langevin) {
    // M = 20 (not a multiple of the 8-row tile), n = 37, d = 3, N = 10.
    let (space, model) = bench_network(20, 37, 3, 10).unwrap();
    let lv = Langevin::new(&space, 3, 1e-2, 50.0, 1e-2, Discretization::SemiImplicit).unwrap();
    (space, model, lv)
}

#[test]
fn batched_chains_are_the_single_steps_bit_for_bit() {
    let (space, model, lv) = setup();
    let w0 = space.identity_coefficients().unwrap();
    let c = 3;
    let mut lvs = vec![lv.clone(); c];
    let mut sts: Vec<_> = (0..c).map(|_| lv.init(w0.clone()).unwrap()).collect();
    let mut rngs: Vec<_> = (0..c as u64).map(|k| chain_rng(5, k)).collect();
    let mut risks = Vec::new();
    for _ in 0..4 {
        risks.push(Langevin::step_chains(&mut lvs, &model, &mut rngs, &mut sts));
    }
    for k in 0..c {
        let mut one = lv.clone();
        let mut st = one.init(w0.clone()).unwrap();
        let mut rng = chain_rng(5, k as u64);
        for r in &risks {
            let info = one.step(&model, &mut rng, &mut st);
            assert_eq!(info.risk.to_bits(), r[k].risk.to_bits());
        }
        assert_eq!(st, sts[k], "chain {k}");
        // Control: the same chain on its neighbour's stream is not the same bytes.
        let mut other = lv.clone();
        let mut so = other.init(w0.clone()).unwrap();
        let mut ro = chain_rng(5, (k as u64 + 1) % c as u64);
        for _ in 0..4 {
            other.step(&model, &mut ro, &mut so);
        }
        assert_ne!(so, sts[k]);
    }
    // The batched gradient is the gradient.
    let mut g = transport_langevin::Coef::zeros(10, 3);
    let risk = model.gradient(&w0, &mut g);
    assert!(risk.is_finite() && g.iter().all(|v| v.is_finite()));
}

#[test]
fn runner_groups_give_the_same_bytes_on_1_and_2_threads() {
    let (space, model, lv) = setup();
    let w0 = space.identity_coefficients().unwrap();
    let schedule = Schedule {
        chains: 5,
        burn_in: 2,
        length: 4,
        thin: 2,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
            ChainRunner::new(11, schedule)
                .run(&lv, &model, &w0, |s| Ok(s.state.w.clone()))
                .unwrap()
                .into_iter()
                .map(|r| (r.trace, r.last.w))
                .collect::<Vec<_>>()
        })
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    for (c, (trace, last)) in one.iter().enumerate() {
        let mut k = lv.clone();
        let mut st = k.init(w0.clone()).unwrap();
        let mut rng = chain_rng(11, c as u64);
        let mut mine = Vec::new();
        for t in 1..=6 {
            k.step(&model, &mut rng, &mut st);
            if schedule.records(t) {
                mine.push(st.w.clone());
            }
        }
        assert_eq!(&mine, trace);
        assert_eq!(&st.w, last);
    }
}

/// The fused gradients of several groups of chains over several blocks of
/// samples: M = 100 puts 2 chains in a group (GROUP_ROWS = 256 rows), so 5
/// chains make groups of 2, 2 and 1; n = 150 samples make 3 blocks of at
/// most 64. Each chain's risk and gradient are those of `gradient` alone
/// (the fused pass with one chain), bit for bit: a chain's bits do not
/// depend on its group. Whether the fused pass is right at all is
/// `lifted_gradient_over_several_blocks_matches_finite_differences`
/// (tests/models.rs).
#[test]
fn fused_gradients_over_several_groups_and_blocks_are_the_single_gradients() {
    let (space, model) = bench_network(100, 150, 3, 10).unwrap();
    let w0 = space.identity_coefficients().unwrap();
    let ws: Vec<_> = (0..5)
        .map(|c| {
            let mut rng = chain_rng(9, c);
            &w0 + transport_langevin::rng::standard_normal_matrix(&mut rng, 10, 3) * 0.3
        })
        .collect();
    let mut gs = vec![w0.clone() * 0.0; 5];
    let mut risks = vec![0.0; 5];
    {
        let wr: Vec<_> = ws.iter().collect();
        let mut gr: Vec<_> = gs.iter_mut().collect();
        model.gradients(&wr, &mut gr, &mut risks);
    }
    for c in 0..5 {
        let mut g = w0.clone() * 0.0;
        let r = model.gradient(&ws[c], &mut g);
        assert_eq!(r.to_bits(), risks[c].to_bits(), "chain {c}: risk");
        assert!(
            g.iter().zip(gs[c].iter()).all(|(a, b)| a.to_bits() == b.to_bits()),
            "chain {c}: gradient"
        );
        assert!(g.norm() > 0.0);
    }
}
