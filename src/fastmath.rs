//! A fast, portable tanh for the activation of the two-layer models.
//!
//! tanh is the most expensive part of a step (n·M evaluations). This one
//! uses only IEEE-754 +, −, ×, ÷ and bit operations, so it is bit-identical
//! on every platform (more portable than the platform's `tanh`) and
//! vectorizes with the baseline SSE2 instruction set:
//!
//! * tanh|x| = (e^y − 1)/(e^y + 1) with y = 2|x|, and the sign of x;
//! * range reduction e^y = 2^k e^r: k = round(y/ln 2) (by the 1.5·2^52
//!   rounding trick), r = y − k ln 2 in two parts (|r| ≤ ln 2/2);
//! * e^r ≈ (E + O)/(E − O), the [6/6] Padé approximant of exp (E, O its even
//!   and odd parts; error ≈ 1.7e-13 |r|^13 < 1e-18 on the range), so
//!   tanh|x| = (2^k(E + O) − (E − O))/(2^k(E + O) + (E − O)): one division,
//!   and O/E for k = 0, so small arguments lose no digits;
//! * |x| ≥ 20 gives ±1 (tanh(20) = 1 to double precision).
//!
//! Relative error against `libm::tanh` below [`crate::tolerance::FAST_TANH_REL`]
//! (tested on a dense grid and over 600 decades of small arguments).

// ln 2 split as in musl's exp: LN2_HI has its low 32 bits zero, so k·LN2_HI
// is exact for |k| < 2^20.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
/// 1.5·2^52: adding it rounds to an integer that sits in the low mantissa bits.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// tanh(y/2) for 0 ≤ y ≤ 40 as a quotient (numerator, denominator).
///
/// e^y = 2^k e^r with e^r ≈ (E + O)/(E − O), the [6/6] Padé approximant
/// (E even, O odd in r); tanh(y/2) = (e^y − 1)/(e^y + 1)
/// = (2^k(E + O) − (E − O)) / (2^k(E + O) + (E − O)), which for k = 0 is O/E.
#[inline]
fn tanh_half_quotient(y: f64) -> (f64, f64) {
    let t = y * INV_LN2 + ROUND;
    let k = t - ROUND;
    let ki = t.to_bits().wrapping_sub(ROUND.to_bits());
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let z = r * r;
    let even = 1.0 + z * (5.0 / 44.0 + z * (1.0 / 792.0 + z * (1.0 / 665_280.0)));
    let odd = r * (0.5 + z * (1.0 / 66.0 + z * (1.0 / 15_840.0)));
    let scale = f64::from_bits(ki.wrapping_add(1023) << 52);
    let (p, m) = (scale * (even + odd), even - odd);
    if k == 0.0 {
        (odd, even)
    } else {
        (p - m, p + m)
    }
}

/// tanh(x), portable and vectorizable (see the module docs). NaN maps to NaN.
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs().min(20.0);
    let (num, den) = tanh_half_quotient(2.0 * a);
    let t = num / den;
    if x.is_nan() {
        x
    } else {
        t.copysign(x)
    }
}
