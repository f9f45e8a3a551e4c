//! The matrix product of the two-layer step, written out so that every
//! entry is summed in one documented order.
//!
//! [`gemm`] computes C ← C + A B (or C ← A B) with every entry
//! c_ij = fma(a_i,K−1, b_K−1,j, … fma(a_i1, b_1j, fma(a_i0, b_0j, c⁰_ij))):
//! one fused multiply-add per term (IEEE-754 fma, rounded once), in the
//! order of k. The tiles (8 or 4 rows × 6 or 4 columns held in registers) and the
//! SIMD width change only which entries are computed together, never an
//! entry's sum, so the result is the same bits on every CPU (where the CPU
//! has no FMA instruction, `f64::mul_add` is the correctly rounded software
//! fma: same bits, slower), at any tiling, and whether a row belongs to
//! one chain's matrix or to a stack of C chains' matrices (the batched
//! step). A product over a long K may also be cut into consecutive slices
//! of K that accumulate into C: the sum is the same.
//!
//! On AVX2 the 8 × 6 tile is 12 registers of accumulators, 2 loads of A
//! and 6 broadcasts of B (packed) for 12 FMAs.

/// A column-major matrix operand: element (i, k) at `data[i * rs + k * cs]`.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The elements.
    pub data: &'a [f64],
    /// Step between rows.
    pub rs: usize,
    /// Step between columns.
    pub cs: usize,
}

impl<'a> View<'a> {
    /// A column-major block with leading dimension `ld` (rows contiguous).
    pub fn col_major(data: &'a [f64], ld: usize) -> View<'a> {
        View { data, rs: 1, cs: ld }
    }
}

const MR: usize = 8;
const NR: usize = 4;
const NW: usize = 6;

/// C (m × n, column-major, leading dimension `ldc`) ← [C +] A B with A
/// (m × k) column-major with leading dimension `lda` and B (k × n) any
/// strides; `accumulate` adds to C's entries, otherwise C is overwritten.
/// Each entry is summed in the order of k (module docs).
///
/// # Panics
/// If a slice is too short for the given shape (a programming error).
pub fn gemm(m: usize, n: usize, k: usize, a: &[f64], lda: usize, b: View<'_>, c: &mut [f64], ldc: usize, accumulate: bool) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(lda >= m && ldc >= m);
    assert!(k == 0 || a.len() >= (k - 1) * lda + m);
    assert!(c.len() >= (n - 1) * ldc + m);
    pulp::Arch::new().dispatch(Gemm {
        m,
        n,
        k,
        a,
        lda,
        b,
        c,
        ldc,
        accumulate,
    });
}

/// The product as a [`pulp::WithSimd`] operation: `with_simd` is inlined
/// into pulp's function compiled for the CPU's instruction set, so the
/// tiles below are vectorized for it (a closure would be compiled apart,
/// for the baseline SSE2).
struct Gemm<'a> {
    m: usize,
    n: usize,
    k: usize,
    a: &'a [f64],
    lda: usize,
    b: View<'a>,
    c: &'a mut [f64],
    ldc: usize,
    accumulate: bool,
}

impl pulp::WithSimd for Gemm<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        gemm_body(self.m, self.n, self.k, self.a, self.lda, self.b, self.c, self.ldc, self.accumulate)
    }
}

#[inline(always)]
fn gemm_body(m: usize, n: usize, k: usize, a: &[f64], lda: usize, b: View<'_>, c: &mut [f64], ldc: usize, accumulate: bool) {
    // Column tiles of 6, then one of 4 (the rest entry by entry); B's tiles
    // packed once, tile after tile and row by row within a tile; then each
    // 8-row panel of A is used for every column tile while it sits in the
    // L1 cache.
    let mut tiles = Vec::with_capacity(n / NR + 1);
    let mut j0 = 0;
    while n - j0 >= NR {
        let w = if n - j0 >= NW { NW } else { NR };
        tiles.push((j0, w, j0 * k));
        j0 += w;
    }
    let packed = j0;
    let mut bp = vec![0.0f64; k * packed];
    for &(j0, w, off) in &tiles {
        for kk in 0..k {
            for jj in 0..w {
                bp[off + kk * w + jj] = b.data[kk * b.rs + (j0 + jj) * b.cs];
            }
        }
    }
    // Row panels of 8 (8 × 6 = 12 accumulators of 4, with 2 loads of A and
    // one broadcast of B: 15 of the 16 AVX2 registers), then of 4, then an
    // entry-by-entry edge: the same sum for every entry.
    let mut i0 = 0;
    while i0 < m {
        let mi = match m - i0 {
            r if r >= MR && k > 0 => MR,
            r if r >= 4 && k > 0 => 4,
            r => r.min(4),
        };
        for &(j0, w, off) in &tiles {
            let bt = &bp[off..off + k * w];
            match (mi, w) {
                (MR, NW) if k > 0 => tile::<MR, NW>(i0, j0, a, lda, bt, c, ldc, accumulate),
                (MR, NR) if k > 0 => tile::<MR, NR>(i0, j0, a, lda, bt, c, ldc, accumulate),
                (4, NW) if k > 0 => tile::<4, NW>(i0, j0, a, lda, bt, c, ldc, accumulate),
                (4, NR) if k > 0 => tile::<4, NR>(i0, j0, a, lda, bt, c, ldc, accumulate),
                _ => edge(i0, mi, j0, w, k, a, lda, b, c, ldc, accumulate),
            }
        }
        if n > packed {
            edge(i0, mi, packed, n - packed, k, a, lda, b, c, ldc, accumulate);
        }
        i0 += mi;
    }
}

/// The full R × W tile at (i0, j0), B's W columns packed row by row in `bp`.
#[inline(always)]
fn tile<const R: usize, const W: usize>(
    i0: usize,
    j0: usize,
    a: &[f64],
    lda: usize,
    bp: &[f64],
    c: &mut [f64],
    ldc: usize,
    accumulate: bool,
) {
    let mut acc = [[0.0f64; R]; W];
    if accumulate {
        for (jj, col) in acc.iter_mut().enumerate() {
            let o = i0 + (j0 + jj) * ldc;
            col.copy_from_slice(&c[o..o + R]);
        }
    }
    for (acol, bv) in a[i0..].chunks(lda).zip(bp.chunks_exact(W)) {
        let av: &[f64; R] = acol[..R].try_into().expect("tile of A");
        for jj in 0..W {
            for ii in 0..R {
                acc[jj][ii] = av[ii].mul_add(bv[jj], acc[jj][ii]);
            }
        }
    }
    for (jj, col) in acc.iter().enumerate() {
        let o = i0 + (j0 + jj) * ldc;
        c[o..o + R].copy_from_slice(col);
    }
}

/// A partial tile (mi ≤ 8 rows, nj ≤ 4 columns), entry by entry in the
/// same order as [`tile`].
#[inline(always)]
fn edge(
    i0: usize,
    mi: usize,
    j0: usize,
    nj: usize,
    k: usize,
    a: &[f64],
    lda: usize,
    b: View<'_>,
    c: &mut [f64],
    ldc: usize,
    accumulate: bool,
) {
    for jj in 0..nj {
        for ii in 0..mi {
            let ci = i0 + ii + (j0 + jj) * ldc;
            let mut s = if accumulate { c[ci] } else { 0.0 };
            for kk in 0..k {
                s = a[i0 + ii + kk * lda].mul_add(b.data[kk * b.rs + (j0 + jj) * b.cs], s);
            }
            c[ci] = s;
        }
    }
}

/// Σ_i u_i v_i in a fixed order: eight interleaved partial sums (lane l
/// takes i ≡ l mod 8, in order), combined as ((s0+s4)+(s2+s6))+((s1+s5)+(s3+s7)).
/// The same bits on every CPU and SIMD width.
#[inline(always)]
pub fn dot8(u: &[f64], v: &[f64]) -> f64 {
    let mut s = [0.0f64; 8];
    let (uc, vc) = (u.chunks_exact(8), v.chunks_exact(8));
    let (ur, vr) = (uc.remainder(), vc.remainder());
    for (x, y) in uc.zip(vc) {
        for l in 0..8 {
            s[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in ur.iter().zip(vr).enumerate() {
        s[l] += x * y;
    }
    ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, n: usize, k: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for j in 0..n {
            for i in 0..m {
                let mut s = 0.0;
                for kk in 0..k {
                    s = a[i + kk * m].mul_add(b[kk + j * k], s);
                }
                c[i + j * m] = s;
            }
        }
        c
    }

    fn fill(len: usize, seed: u64) -> Vec<f64> {
        (0..len)
            .map(|i| {
                let x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ seed);
                (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    /// Every entry is the in-order sum, bit for bit, at sizes with and
    /// without edge tiles; cutting K into two accumulated slices, and
    /// reading B through transposed strides, give the same bits.
    #[test]
    fn gemm_is_the_in_order_sum() {
        for &(m, n, k) in &[
            (16, 8, 5),
            (13, 7, 9),
            (8, 4, 1),
            (3, 2, 0),
            (33, 9, 40),
            (29, 8, 17),
            (20, 12, 3),
            (64, 16, 16),
            (24, 5, 0),
        ] {
            let (a, b) = (fill(m * k, 1), fill(k * n, 2));
            let want = naive(m, n, k, &a, &b);
            let mut c = vec![f64::NAN; m * n];
            gemm(m, n, k, &a, m, View::col_major(&b, k), &mut c, m, false);
            assert_eq!(c, want);
            let bt: Vec<f64> = (0..k * n).map(|t| b[(t / n) + (t % n) * k]).collect();
            let h = k / 2;
            let mut c2 = vec![0.0; m * n];
            gemm(m, n, h, &a, m, View { data: &bt, rs: n, cs: 1 }, &mut c2, m, true);
            gemm(
                m,
                n,
                k - h,
                &a[h * m..],
                m,
                View {
                    data: &bt[h * n..],
                    rs: n,
                    cs: 1,
                },
                &mut c2,
                m,
                true,
            );
            assert_eq!(c2, want);
        }
    }

    /// Control: a reversed summation order is not the same bits (so the
    /// test above can fail).
    #[test]
    fn order_matters_control() {
        let (m, n, k) = (16, 8, 64);
        let (a, b) = (fill(m * k, 3), fill(k * n, 4));
        let want = naive(m, n, k, &a, &b);
        let mut rev = vec![0.0; m * n];
        for j in 0..n {
            for i in 0..m {
                rev[i + j * m] = (0..k).rev().fold(0.0, |s, kk| a[i + kk * m].mul_add(b[kk + j * k], s));
            }
        }
        assert_ne!(rev, want);
    }

    #[test]
    fn dot8_matches_its_definition() {
        for len in [0, 5, 8, 21, 64] {
            let (u, v) = (fill(len, 5), fill(len, 6));
            let mut s = [0.0; 8];
            for i in 0..len {
                s[i % 8] += u[i] * v[i];
            }
            let want = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
            assert_eq!(dot8(&u, &v), want);
        }
    }
}
