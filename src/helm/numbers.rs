//! Sprig's number conversions and float arithmetic, as Go computes them.
//!
//! - `int`/`int64`/`add`/… convert with `spf13/cast`: a string is read by
//!   `strconv.ParseInt(s, 0, 64)` after dropping a zero fraction (`"12.0"`),
//!   so `"0x1F"` is 31, `"017"` is 15, `"2.7"` and `" 12 "` are 0; a float
//!   converts as Go's `int64(f)` does on amd64 (out of range is the
//!   minimum int64).
//! - `addf`/`subf`/`mulf`/`divf`/`add1f` compute in decimal
//!   (`shopspring/decimal` from each float's shortest digits), so `addf 0.1
//!   0.2` is 0.3 and `divf 2 3` is rounded to 16 decimal places.

use crate::gotemplate::Value;

/// Go's `int64(f)` on amd64: truncation, and the minimum int64 for NaN
/// or a value out of range.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
pub(crate) fn float_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` octal
/// prefixes, `_` between digits; no spaces.
pub(crate) fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_owned(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_owned(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_owned(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_owned(), true)
    } else {
        (10, lower.clone(), false)
    };
    // Underscores only with base 0's syntax: between digits, or right
    // after a prefix.
    if digits.contains('_') {
        let ok = !digits.ends_with('_')
            && !digits.contains("__")
            && (prefixed || !digits.starts_with('_'));
        if !ok {
            return None;
        }
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        if mag <= 1 << 63 {
            Some(0i64.wrapping_sub_unsigned(mag))
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// cast's `trimZeroDecimal`: `"12.00"` → `"12"` (a fraction of zeros
/// only).
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.char_indices().rev() {
        match c {
            '.' if found_zero => return &s[..i],
            '.' => return s,
            '0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `cast.ToInt64`: what Sprig's integer functions make of any value.
pub(crate) fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        Value::Float(f) => float_to_i64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `strconv.ParseFloat(s, 64)`: no spaces; `_` only between digits.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    if s.is_empty() || s.trim() != s {
        return None;
    }
    let clean: String = if s.contains('_') {
        if s.starts_with('_') || s.ends_with('_') || s.contains("__") {
            return None;
        }
        s.chars().filter(|&c| c != '_').collect()
    } else {
        s.to_owned()
    };
    match clean.to_ascii_lowercase().trim_start_matches(['+', '-']) {
        "inf" | "infinity" | "nan" => {}
        t if t.starts_with(|c: char| c.is_ascii_digit() || c == '.') => {}
        _ => return None,
    }
    clean.parse().ok()
}

/// `cast.ToFloat64`.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i, _) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `strconv.Atoi` as Sprig's `atoi` uses it: base 10, no spaces; out of
/// range gives the nearest bound (Go returns it with the error).
pub(crate) fn atoi(s: &str) -> i64 {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// A decimal `mantissa × 10^exp`.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    m: i128,
    e: i32,
}

impl Decimal {
    /// `decimal.NewFromFloat`: the float's shortest round-trip digits.
    fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let sci = format!("{f:e}");
        let (mant, exp) = sci.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        let frac = i32::try_from(digits.len()).ok()? - 1;
        let m: i128 = digits.parse().ok()?;
        Some(Decimal {
            m: if neg { -m } else { m },
            e: exp - frac,
        })
    }

    /// `Float64()`: the nearest float to the decimal.
    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }

    fn rescale(self, e: i32) -> Option<i128> {
        let k = u32::try_from(self.e - e).ok()?;
        self.m.checked_mul(10i128.checked_pow(k)?)
    }

    fn add(self, o: Decimal) -> Option<Decimal> {
        let e = self.e.min(o.e);
        Some(Decimal {
            m: self.rescale(e)?.checked_add(o.rescale(e)?)?,
            e,
        })
    }

    fn mul(self, o: Decimal) -> Option<Decimal> {
        Some(Decimal {
            m: self.m.checked_mul(o.m)?,
            e: self.e.checked_add(o.e)?,
        })
    }

    /// `Div`: rounded half away from zero to 16 decimal places.
    fn div(self, o: Decimal) -> Option<Decimal> {
        if o.m == 0 {
            return None;
        }
        // self/o = (m1/m2) × 10^(e1-e2); want q at exponent -16.
        let shift = self.e - o.e + 16;
        let (num, den) = if shift >= 0 {
            (
                self.m
                    .checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?,
                o.m,
            )
        } else {
            (
                self.m,
                o.m.checked_mul(10i128.checked_pow(u32::try_from(-shift).ok()?)?)?,
            )
        };
        let (q, r) = (num / den, num % den);
        let up = r.checked_abs()?.checked_mul(2)? >= den.checked_abs()?;
        let q = if up {
            q + num.signum() * den.signum()
        } else {
            q
        };
        Some(Decimal { m: q, e: -16 })
    }
}

/// Sprig's float operations in decimal; when a value does not fit the
/// decimal (huge or tiny exponents), plain float arithmetic.
pub(crate) fn decimal_op(op: char, first: f64, rest: &[f64]) -> f64 {
    let exact = || {
        let mut acc = Decimal::from_f64(first)?;
        for &x in rest {
            let d = Decimal::from_f64(x)?;
            acc = match op {
                '+' => acc.add(d)?,
                '-' => acc.add(Decimal { m: -d.m, e: d.e })?,
                '*' => acc.mul(d)?,
                _ => acc.div(d)?,
            };
        }
        Some(acc.to_f64())
    };
    exact().unwrap_or_else(|| {
        rest.iter().fold(first, |a, &x| match op {
            '+' => a + x,
            '-' => a - x,
            '*' => a * x,
            _ => a / x,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_conversions() {
        for (s, want) in [
            ("12", 12),
            ("12.0", 12),
            ("12.7", 0),
            (" 12 ", 0),
            ("0x1F", 31),
            ("017", 15),
            ("1_000", 1000),
            ("1e3", 0),
            ("-0", 0),
            ("0", 0),
            ("9223372036854775808", 0),
        ] {
            assert_eq!(to_i64(&Value::str(s)), want, "{s}");
        }
        assert_eq!(to_i64(&Value::Float(1.2e19)), i64::MIN);
        assert_eq!(atoi("9223372036854775808"), i64::MAX);
        assert_eq!(atoi(" 12"), 0);
        assert_eq!(to_f64(&Value::str("1_000")), 1000.0);
        assert_eq!(to_f64(&Value::str(" 1")), 0.0);
    }

    #[test]
    fn decimal_arithmetic() {
        assert_eq!(decimal_op('+', 0.1, &[0.2]), 0.3);
        assert_eq!(decimal_op('/', 2.0, &[3.0]), 0.666_666_666_666_666_7);
        assert_eq!(decimal_op('/', 1.0, &[1.234_567_890_123_456_7e19]), 0.0);
        assert_eq!(decimal_op('*', 0.1, &[3.0]), 0.3);
        assert_eq!(decimal_op('-', 1.0, &[0.9]), 0.1);
        assert!(decimal_op('/', 1.0, &[0.0]).is_infinite());
    }
}
