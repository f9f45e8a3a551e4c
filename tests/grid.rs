//! The grid oracle of `src/oracle/grid.rs` (P1's exact rates) against
//! routes that do not share its code, on grids small enough for opt-level 0:
//! the grid's size and spacing by their stated rules, the kernel's rows as
//! the scheme's Gaussian (density ratios, mean and variance), the second
//! eigenvalue modulus and the stationary law of birth–death chains by the
//! symmetric eigensolver and detailed balance, the Gibbs mean against the
//! Gaussian's moments and a finer offset quadrature, the generator's gap
//! against the unsymmetrised generator and the Ornstein–Uhlenbeck gap, and
//! the exact trajectory of a two-state chain in closed form.
//! Deterministic. Written for the mutation campaign of issue 20 (before it,
//! the grid was reached only by `tests/rates.rs`, minutes a mutant).

use nalgebra::{DMatrix, SymmetricEigen};
use transport_langevin::oracle::grid::{
    continuous_expectation, exact_trajectory, generator_gap, scheme_kernel, second_eigenvalue_modulus, stationary, Grid,
};
use transport_langevin::problems::{DoubleWell, WellSetting, WELL};
use transport_langevin::Error;

const FLAT: DoubleWell = DoubleWell {
    height: 0.0,
    width: 0.4,
    tilt: 0.7,
};

const SETTING: WellSetting = WellSetting {
    beta: 2.0,
    lambda: 0.5,
    eta: 0.1,
};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// ⌈2r/h⌉ + 1 points from −r to r, spacing 2r/(points − 1); more than the
/// limit is an error naming it (the limit itself is allowed).
#[test]
fn symmetric_grid_has_the_stated_points_and_spacing() {
    let g = Grid::symmetric(1.0, 0.3, 100, "points", "range").unwrap();
    assert_eq!(g.x.len(), 8); // ⌈6.67⌉ + 1
    assert!(rel(g.h, 2.0 / 7.0) < 1e-15);
    assert_eq!(g.x[0], -1.0);
    assert!((g.x[7] - 1.0).abs() < 1e-15);
    for w in g.x.windows(2) {
        assert!(rel(w[1] - w[0], g.h) < 1e-12);
    }
    assert_eq!(Grid::symmetric(1.0, 0.5, 5, "points", "range").unwrap().x.len(), 5);
    match Grid::symmetric(1.0, 0.5, 4, "grid points", "at most four") {
        Err(Error::OutOfRange { name, value, range }) => {
            assert_eq!((name, value, range), ("grid points", 5.0, "at most four"));
        }
        other => panic!("{other:?}"),
    }
}

/// Half-width max(7, 8 prior sd), spacing min(kernel sd / 4, 0.05).
#[test]
fn grid_for_a_setting_follows_its_rules() {
    // Prior sd 1 (r = 8), kernel sd √0.1/1.05 (sd/4 = 0.075 > 0.05).
    let g = Grid::for_setting(SETTING, 2000).unwrap();
    assert_eq!(g.x.len(), 321);
    assert_eq!(g.x[0], -8.0);
    assert!(rel(g.h, 0.05) < 1e-12);
    // Prior sd 0.1 (r = 7); kernel sd √(2·0.01/10)/1.1 ≈ 0.0407 (h ≈ 0.0102).
    let s = WellSetting {
        beta: 10.0,
        lambda: 10.0,
        eta: 0.01,
    };
    let h = (2.0f64 * 0.01 / 10.0).sqrt() / 1.1 / 4.0;
    let points = (14.0 / h).ceil() as usize + 1;
    let g = Grid::for_setting(s, 2000).unwrap();
    assert_eq!((g.x.len(), g.x[0]), (points, -7.0));
    assert!(g.h <= h && g.h > 0.999 * h);
    assert!(matches!(Grid::for_setting(s, points - 1), Err(Error::OutOfRange { .. })));
}

/// Row i is N(S(x_i − η𝓛̂'(x_i)), S²2η/β) at the nodes, normalised: the
/// ratio of two entries is the ratio of Gaussian densities, and an interior
/// row's mean and variance are the Gaussian's to the grid error.
#[test]
fn kernel_rows_are_the_schemes_gaussian() {
    // Spacing 0.1, a third of the kernel's sd 0.30: the Gaussian's sums over
    // the nodes are its integrals to e^{−2π²·9} (Poisson summation).
    let grid = Grid::symmetric(8.0, 0.1, 200, "points", "range").unwrap();
    let p = scheme_kernel(&WELL, SETTING, &grid);
    let s = 1.0 / (1.0 + SETTING.eta * SETTING.lambda);
    let var = s * s * 2.0 * SETTING.eta / SETTING.beta;
    for i in [20, 75, 80, 85, 130] {
        let x = grid.x[i];
        let m = s * (x - SETTING.eta * WELL.d1(x));
        let row = p.row(i);
        assert!((row.sum() - 1.0).abs() < 1e-12);
        let (mean, second) = (0..grid.x.len()).fold((0.0, 0.0), |(a, b), j| (a + row[j] * grid.x[j], b + row[j] * grid.x[j] * grid.x[j]));
        assert!((mean - m).abs() < 1e-9, "row {i}: mean {mean} vs {m}");
        assert!(
            rel(second - mean * mean, var) < 1e-10,
            "row {i}: var {} vs {var}",
            second - mean * mean
        );
        // Two entries near the mean: their ratio is the density ratio.
        let j = ((m - grid.x[0]) / grid.h).round() as usize;
        let log_ratio = -((grid.x[j + 2] - m).powi(2) - (grid.x[j - 1] - m).powi(2)) / (2.0 * var);
        assert!(((row[j + 2] / row[j - 1]).ln() - log_ratio).abs() < 1e-10);
    }
    // 𝓛̂ ≡ 0: the OU kernel; its second eigenvalue is S (μ_0 = 1).
    let flat = scheme_kernel(&FLAT, SETTING, &grid);
    assert!((second_eigenvalue_modulus(&flat) - s).abs() < 1e-4);
}

/// A birth–death chain (up p_i, down q_i, the rest staying) and, by detailed
/// balance, its stationary law π_{i+1}/π_i = p_i/q_{i+1}.
fn birth_death(up: &[f64], down: &[f64]) -> (DMatrix<f64>, Vec<f64>) {
    let n = up.len() + 1;
    let mut p = DMatrix::zeros(n, n);
    for i in 0..n - 1 {
        p[(i, i + 1)] = up[i];
        p[(i + 1, i)] = down[i];
    }
    for i in 0..n {
        p[(i, i)] = 1.0 - p.row(i).sum();
    }
    let mut pi = vec![1.0];
    for i in 0..n - 1 {
        pi.push(pi[i] * up[i] / down[i]);
    }
    let z: f64 = pi.iter().sum();
    (p, pi.iter().map(|v| v / z).collect())
}

/// The second eigenvalue modulus through the symmetrisation
/// D^{1/2} P D^{−1/2} (D = diag π) and the symmetric eigensolver.
fn symmetric_route(p: &DMatrix<f64>, pi: &[f64]) -> f64 {
    let n = pi.len();
    let a = DMatrix::from_fn(n, n, |i, j| (pi[i] / pi[j]).sqrt() * p[(i, j)]);
    let a = (&a + a.transpose()) / 2.0;
    let mut mods: Vec<f64> = SymmetricEigen::new(a).eigenvalues.iter().map(|v| v.abs()).collect();
    mods.sort_by(|a, b| b.total_cmp(a));
    mods[1]
}

/// Five states, moduli all distinct; in the second chain the second
/// largest modulus belongs to a negative eigenvalue (a nearly periodic walk).
#[test]
fn second_eigenvalue_modulus_and_stationary_law_of_birth_death_chains() {
    for (up, down) in [
        ([0.3, 0.2, 0.25, 0.1], [0.1, 0.3, 0.2, 0.35]),
        ([0.95, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.9]),
    ] {
        let (p, pi) = birth_death(&up, &down);
        let l2 = second_eigenvalue_modulus(&p);
        let exact = symmetric_route(&p, &pi);
        assert!((l2 - exact).abs() < 1e-12, "{l2} vs {exact}");
        let got = stationary(&p).unwrap();
        for (g, e) in got.iter().zip(&pi) {
            assert!((g - e).abs() < 1e-14, "{g} vs {e}");
        }
    }
    let (p, _) = birth_death(&[0.95, 0.5, 0.5, 0.5], &[0.5, 0.5, 0.5, 0.9]);
    let eig = p.complex_eigenvalues();
    let neg = eig.iter().map(|c| c.re).fold(f64::INFINITY, f64::min);
    assert!(
        (second_eigenvalue_modulus(&p) - neg.abs()).abs() < 1e-12,
        "the negative eigenvalue is second"
    );
    // Two states: 1 − a − b.
    let p = DMatrix::from_row_slice(2, 2, &[0.8, 0.2, 0.3, 0.7]);
    assert!((second_eigenvalue_modulus(&p) - 0.5).abs() < 1e-14);
    // A reducible chain has no unique stationary law.
    assert!(matches!(stationary(&DMatrix::identity(3, 3)), Err(Error::Numerical(_))));
}

/// E_{π_∞}[F] ∝ ∫ F e^{−βU}: the Gaussian's moments for 𝓛̂ ≡ 0, a finer
/// grid offset by half a node for the double well, and no underflow at a
/// low temperature where e^{−βU} alone is 0 everywhere.
#[test]
fn continuous_expectation_is_the_gibbs_mean() {
    let grid = Grid::for_setting(SETTING, 2000).unwrap();
    let prior_var = 1.0 / (SETTING.beta * SETTING.lambda);
    assert!(rel(continuous_expectation(&FLAT, SETTING, &grid, |w| w * w), prior_var) < 1e-10);
    assert!(continuous_expectation(&FLAT, SETTING, &grid, |w| w).abs() < 1e-12);
    let fine = Grid::symmetric(8.0, 0.01, 5000, "points", "range").unwrap();
    let offset: Vec<f64> = fine.x.iter().map(|x| x + fine.h / 2.0).collect();
    let u = |w: f64| SETTING.lambda * w * w / 2.0 + WELL.value_at(w);
    let wts: Vec<f64> = offset.iter().map(|&w| (-SETTING.beta * u(w)).exp()).collect();
    let z: f64 = wts.iter().sum();
    let fs: [fn(f64) -> f64; 3] = [|w| w, |w| (w - 1.0).powi(2), f64::cos];
    for f in fs {
        let want = offset.iter().zip(&wts).map(|(&w, &p)| f(w) * p).sum::<f64>() / z;
        let got = continuous_expectation(&WELL, SETTING, &grid, f);
        assert!((got - want).abs() < 1e-8, "{got} vs {want}");
    }
    // β = 1000: e^{−βU} < e^{−2000} at every node; the mass sits at the
    // right well's minimum, near w = 1.
    let cold = WellSetting { beta: 1000.0, ..SETTING };
    let m = continuous_expectation(&WELL, cold, &grid, |w| w);
    assert!(m.is_finite() && (m - 1.0).abs() < 0.2, "{m}");
}

/// The generator's gap: the Ornstein–Uhlenbeck λ for 𝓛̂ ≡ 0, and for the
/// double well the gap of the birth–death generator with rates
/// (1/(βh²)) e^{−β(U_{i±1} − U_i)/2}, built unsymmetrised and solved by the
/// general eigensolver.
#[test]
fn generator_gap_against_the_unsymmetrised_generator() {
    let s = SETTING;
    let grid = Grid::symmetric(8.0, 0.1, 200, "points", "range").unwrap();
    let flat = generator_gap(&FLAT, s, &grid);
    assert!(rel(flat, s.lambda) < 2e-3, "{flat}");
    let coarse = Grid::symmetric(4.0, 0.1, 200, "points", "range").unwrap();
    let u: Vec<f64> = coarse.x.iter().map(|&w| s.lambda * w * w / 2.0 + WELL.value_at(w)).collect();
    let n = u.len();
    let d = 1.0 / (s.beta * coarse.h * coarse.h);
    let mut l = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in [i.wrapping_sub(1), i + 1] {
            if j < n {
                l[(i, j)] = d * (-s.beta * (u[j] - u[i]) / 2.0).exp();
                l[(i, i)] -= l[(i, j)];
            }
        }
    }
    let mut re: Vec<f64> = l.complex_eigenvalues().iter().map(|c| c.re).collect();
    re.sort_by(|a, b| b.total_cmp(a));
    assert!(re[0].abs() < 1e-9, "the constants are harmonic: {}", re[0]);
    let got = generator_gap(&WELL, s, &coarse);
    assert!(rel(got, -re[1]) < 1e-8, "{got} vs {}", -re[1]);
}

/// Two states at −1 and 1: the law after k steps is π + (1 − a − b)^k (δ − π),
/// from the node nearest W_0 (ends clamped).
#[test]
fn exact_trajectory_of_a_two_state_chain() {
    let (a, b) = (0.2, 0.3);
    let p = DMatrix::from_row_slice(2, 2, &[1.0 - a, a, b, 1.0 - b]);
    let grid = Grid {
        x: vec![-1.0, 1.0],
        h: 2.0,
    };
    let pi1 = a / (a + b);
    for (w0, start) in [(-5.0, 0), (-0.1, 0), (0.1, 1), (5.0, 1)] {
        let t = exact_trajectory(&p, &grid, w0, 6, |w| w);
        assert_eq!(t.len(), 7);
        for (k, v) in t.iter().enumerate() {
            let p1 = pi1 + (1.0f64 - a - b).powi(k as i32) * (start as f64 - pi1);
            assert!((v - (2.0 * p1 - 1.0)).abs() < 1e-14, "w0 {w0}, k {k}: {v}");
        }
    }
}
