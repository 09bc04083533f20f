//! R's `pretty()`: about `n + 1` equally spaced round numbers (1, 2 or 5 times a power of ten)
//! that cover a range.

/// R's default bias towards the larger unit (`high.u.bias`).
const HIGH_U_BIAS: f64 = 1.5;
/// R's default bias towards 5 over 2 (`u5.bias = 0.5 + 1.5 * high.u.bias`).
const U5_BIAS: f64 = 0.5 + 1.5 * HIGH_U_BIAS;
/// R's `shrink.sml`: how far the unit shrinks for a (nearly) empty range.
const SHRINK_SML: f64 = 0.75;
/// R's tolerance when placing the first and last round number.
const ROUNDING_EPS: f64 = 1e-10;

/// The round numbers R's `pretty(c(lo, hi), n)` returns (with every default argument): a sequence
/// `s0 <= lo < s1 < ... < sm` with `sm >= hi`, where the step is 1, 2 or 5 times a power of ten and
/// `m` is close to `n` (at least `n / 3`).
///
/// It follows R's algorithm (`R_pretty` in R's `src/appl/pretty.c`, R 4.2) for the step and the
/// number of steps.
/// The numbers themselves are the `f64` nearest to the round decimals (`0.3`, not R's
/// `0.30000000000000004` from `seq(0, 1, by = 0.1)`), so that a value written as `0.3` falls into
/// the class that ends at `0.3`.
/// `lo` and `hi` must be finite with `lo <= hi`; otherwise the result is just `[lo, hi]`.
pub fn pretty(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return vec![lo, hi];
    }
    let ndiv = n.min(i32::MAX as usize) as i64;
    let min_n = ndiv / 3;
    let dx = hi - lo;
    let (mut cell, i_small) = if dx == 0.0 && hi == 0.0 {
        (1.0, true)
    } else {
        let cell = lo.abs().max(hi.abs());
        let u = 1.0
            + if U5_BIAS >= 1.5 * HIGH_U_BIAS + 0.5 {
                1.0 / (1.0 + HIGH_U_BIAS)
            } else {
                1.5 / (1.0 + U5_BIAS)
            };
        let u = u * ndiv.max(1) as f64 * f64::EPSILON;
        (cell, dx < cell * u * 3.0)
    };
    if i_small {
        if cell > 10.0 {
            cell = 9.0 + cell / 10.0;
        }
        cell *= SHRINK_SML;
        if min_n > 1 {
            cell /= min_n as f64;
        }
    } else if dx.is_finite() {
        cell = dx;
        if ndiv > 1 {
            cell /= ndiv as f64;
        }
    } else {
        cell = hi / ndiv.max(2) as f64 - lo / ndiv.max(2) as f64;
    }
    let subsmall = f64::MIN_POSITIVE * (2.0f64).powi(-20);
    if cell < subsmall {
        cell = subsmall;
    } else if cell > f64::MAX / 1.25 {
        cell = f64::MAX / 1.25;
    }

    // base <= cell < 10 base; the unit is 1, 2, 5 or 10 times base, favouring larger units.
    let exponent = cell.log10().floor();
    let base = 10f64.powf(exponent);
    let (mut unit, mut mantissa) = (base, 1.0);
    if 2.0 * base - cell < HIGH_U_BIAS * (cell - unit) {
        (unit, mantissa) = (2.0 * base, 2.0);
        if 5.0 * base - cell < U5_BIAS * (cell - unit) {
            (unit, mantissa) = (5.0 * base, 5.0);
            if 10.0 * base - cell < HIGH_U_BIAS * (cell - unit) {
                (unit, mantissa) = (10.0 * base, 10.0);
            }
        }
    }

    let mut ns = (lo / unit + ROUNDING_EPS).floor();
    let mut nu = (hi / unit - ROUNDING_EPS).ceil();
    while ns * unit > lo + ROUNDING_EPS * unit {
        ns -= 1.0;
    }
    while !(ns * unit).is_finite() {
        ns += 1.0;
    }
    while nu * unit < hi - ROUNDING_EPS * unit {
        nu += 1.0;
    }
    while !(nu * unit).is_finite() {
        nu -= 1.0;
    }
    let k = (0.5 + nu - ns) as i64;
    if k < min_n {
        // Widen to min_n steps, on the side away from zero.
        let k = min_n - k;
        let (half, odd) = ((k / 2) as f64, (k % 2) as f64);
        if lo == 0.0 && ns == 0.0 && hi != 0.0 {
            nu += k as f64;
        } else if hi == 0.0 && nu == 0.0 && lo != 0.0 {
            ns -= k as f64;
        } else if ns >= 0.0 {
            nu += half;
            ns -= half + odd;
        } else {
            ns -= half;
            nu += half + odd;
        }
    }

    let steps = (nu - ns).round().max(0.0) as usize;
    let exp = exponent as i32;
    (0..=steps)
        .map(|i| round_number(ns + i as f64, mantissa, exp, unit))
        .collect()
}

/// `count * mantissa * 10^exp` as the `f64` nearest to that decimal: an exact integer divided by an
/// exact power of ten is correctly rounded.
fn round_number(count: f64, mantissa: f64, exp: i32, unit: f64) -> f64 {
    let digits = count * mantissa;
    if digits.abs() < 9.0e15 && (-22..=22).contains(&exp) {
        if exp >= 0 {
            digits * 10f64.powi(exp)
        } else {
            digits / 10f64.powi(-exp)
        }
    } else {
        count * unit
    }
}
