//! Named, seeded random streams and a portable normal sampler.
//!
//! A run is a `(seed, chain)` pair: chain `i` draws from ChaCha20 stream `i`
//! of the key derived from `seed` (`rand_core`'s `seed_from_u64`). Streams
//! never overlap, so results do not depend on how chains are spread over
//! threads.
//!
//! Normals come from our own Box–Muller transform on `libm` (`log`, `sqrt`,
//! `sincos`), so the bytes are identical on every platform with IEEE-754
//! doubles; `rand_distr`'s sampler and `std`'s transcendental functions
//! make no such promise.

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The generator used everywhere.
pub type ChainRng = ChaCha20Rng;

/// Name of the generator, written into every golden file.
pub const RNG_NAME: &str = "ChaCha20Rng (rand_chacha 0.10), seed_from_u64(seed), set_stream(chain)";

/// The generator of chain `chain` of run `seed`.
pub fn chain_rng(seed: u64, chain: u64) -> ChainRng {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(chain);
    rng
}

/// Uniform on [0, 1) with 53 random bits.
pub fn uniform01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Fills `out` with independent N(0, 1) draws.
///
/// Box–Muller on pairs: with u₁, u₂ uniform on [0,1),
/// r = √(−2 ln(1 − u₁)), z₁ = r cos(2πu₂), z₂ = r sin(2πu₂).
/// An odd length discards the last sine. The sequence for a given slice
/// length is a value-stability promise (see `tests/value_stability.rs`).
pub fn fill_standard_normal<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    fill_standard_normal_with(rng, out.len(), |i, z| out[i] = z);
}

/// The pair (z₁, z₂) of one Box–Muller draw.
pub fn box_muller<R: Rng + ?Sized>(rng: &mut R) -> (f64, f64) {
    let u1 = uniform01(rng);
    let u2 = uniform01(rng);
    let r = libm::sqrt(-2.0 * libm::log(1.0 - u1));
    let (s, c) = libm::sincos(2.0 * std::f64::consts::PI * u2);
    (r * c, r * s)
}

/// The same sequence as [`fill_standard_normal`] for `len` draws, handed to
/// `set(index, value)` (lets callers write into any layout without a buffer).
pub fn fill_standard_normal_with<R: Rng + ?Sized>(rng: &mut R, len: usize, mut set: impl FnMut(usize, f64)) {
    let mut i = 0;
    while i < len {
        let (a, b) = box_muller(rng);
        set(i, a);
        if i + 1 < len {
            set(i + 1, b);
        }
        i += 2;
    }
}

/// A rows × cols matrix of N(0, 1) draws filled row by row: the same
/// sequence as [`fill_standard_normal`] on a row-major buffer.
pub fn standard_normal_matrix<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize) -> nalgebra::DMatrix<f64> {
    let mut m = nalgebra::DMatrix::zeros(rows, cols);
    fill_standard_normal_with(rng, rows * cols, |i, z| m[(i / cols, i % cols)] = z);
    m
}

/// One N(0, 1) draw (uses a pair of uniforms, discards the sine).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let mut z = [0.0];
    fill_standard_normal(rng, &mut z);
    z[0]
}

/// Fills an N × q noise matrix ε_k with N(0, 1) draws in row-major order
/// (mode by mode: mode 0's q coordinates first), so that the draw order
/// does not depend on nalgebra's column-major storage. The scheme (S6),
/// pCN-MH's prior draws (S7) and `conform` all draw their noise here.
pub fn fill_noise<R: Rng + ?Sized>(rng: &mut R, noise: &mut crate::space::Coef) {
    let q = noise.ncols();
    fill_standard_normal_with(rng, noise.len(), |i, z| noise[(i / q, i % q)] = z);
}
