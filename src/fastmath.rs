//! A fast, portable tanh for the activation of the two-layer models.
//!
//! tanh is the most expensive part of a step (n·M evaluations). This one
//! uses only IEEE-754 +, −, ×, ÷ and bit operations, so it is bit-identical
//! on every platform (more portable than the platform's `tanh`) and
//! vectorizes with the baseline SSE2 instruction set:
//!
//! * |x| < 1/16: the odd Taylor polynomial x − x³/3 + 2x⁵/15 − 17x⁷/315
//!   + 62x⁹/2835 − 1382x¹¹/155925 (next term below 1e-16 relative);
//! * otherwise 1 − 2/(e^{2|x|} + 1) with sign, where e^y = 2^k e^r,
//!   k = round(y/ln 2) (by the 1.5·2^52 rounding trick), r = y − k ln 2 in two
//!   parts, e^r by its degree-13 Taylor polynomial (|r| ≤ ln 2/2);
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

/// e^y for 0 ≤ y ≤ 40.
#[inline]
fn exp_0_40(y: f64) -> f64 {
    let t = y * INV_LN2 + ROUND;
    let k = t - ROUND;
    let ki = t.to_bits().wrapping_sub(ROUND.to_bits());
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    p * f64::from_bits(ki.wrapping_add(1023) << 52)
}

/// tanh(x), portable and vectorizable (see the module docs). NaN maps to NaN.
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs().min(20.0);
    let z = a * a;
    let small = a * (1.0 + z * (-1.0 / 3.0 + z * (2.0 / 15.0 + z * (-17.0 / 315.0 + z * (62.0 / 2835.0 + z * (-1382.0 / 155_925.0))))));
    let big = 1.0 - 2.0 / (exp_0_40(2.0 * a) + 1.0);
    let t = if a < 0.0625 { small } else { big };
    if x.is_nan() {
        x
    } else {
        t.copysign(x)
    }
}
