//! Scalar resolution with the YAML 1.1 rules of go-yaml v2 (`resolve.go`).
//!
//! Kubernetes reads manifests with `sigs.k8s.io/yaml`, which decodes with
//! go-yaml v2 into `interface{}` and then converts to JSON. So `yes` is a
//! boolean, `0644` is 420, `1_000` is 1000 and a timestamp stays a string. The
//! functions here reproduce that decision procedure step by step, including its
//! quirks (`08` is not octal, so it falls through to the float rule and is 8.0).

use super::Value;

/// What an explicit core-schema tag asks a scalar to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WantedType {
    Int,
    Float,
    Bool,
    Null,
}

/// Resolves a plain (unquoted, untagged) scalar.
///
/// Returns `None` when the scalar is a string, so that the caller can move its
/// own buffer into the [`Value`] instead of copying it here.
pub(super) fn resolve_plain(text: &str) -> Option<Value> {
    // go-yaml looks at the first byte to decide which rules can apply at all;
    // most keys and values (`apiVersion`, `Deployment`) start with a letter that
    // rules everything out, which keeps this cheap.
    let Some(&first) = text.as_bytes().first() else {
        return Some(Value::Null);
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            lookup_special(text)
        }
        b'.' => lookup_special(text).or_else(|| parse_dot_float(text)),
        b'+' | b'-' | b'0'..=b'9' => lookup_special(text).or_else(|| parse_number(text)),
        _ => None,
    }
}

/// Resolves a scalar carrying `!!int`, `!!float`, `!!bool` or `!!null`.
///
/// go-yaml resolves the text as if it were plain and then checks that the
/// result has the requested type (an int is accepted as a float). `Err` means
/// the text is not of that type; go-yaml fails the whole document then, we
/// report it and keep the text as a string.
pub(super) fn resolve_tagged(text: &str, wanted: WantedType) -> Result<Value, ()> {
    let resolved = resolve_plain(text);
    match (wanted, resolved) {
        (WantedType::Int, Some(v @ Value::Int(_)))
        | (WantedType::Float, Some(v @ Value::Float(_)))
        | (WantedType::Bool, Some(v @ Value::Bool(_)))
        | (WantedType::Null, Some(v @ Value::Null)) => Ok(v),
        #[allow(clippy::cast_precision_loss)]
        (WantedType::Float, Some(Value::Int(i))) => Ok(Value::Float(i as f64)),
        _ => Err(()),
    }
}

/// The fixed spellings of go-yaml v2's `resolveMap`.
fn lookup_special(text: &str) -> Option<Value> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// A scalar starting with `.` that is not a special spelling: go-yaml hands it
/// to Go's `strconv.ParseFloat` (so `.5` and `.5e3` are floats).
fn parse_dot_float(text: &str) -> Option<Value> {
    // Rust's float parser also accepts `inf`/`nan` words; Go's rejects them
    // after a leading dot anyway, so restrict to the decimal alphabet.
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    finite_float(text)
}

/// A scalar starting with a digit or a sign: int, then unsigned int, then
/// float, as go-yaml v2 tries them.
fn parse_number(text: &str) -> Option<Value> {
    // go-yaml removes every underscore before trying the number rules.
    let owned;
    let plain = if text.contains('_') {
        owned = text.replace('_', "");
        owned.as_str()
    } else {
        text
    };
    match go_parse_int(plain) {
        IntParse::Int(i) => return Some(Value::Int(i)),
        // go-yaml would produce a uint64 here. We have no unsigned value, and
        // such numbers are outside anything Kubernetes accepts as an int, so a
        // float keeps the magnitude.
        #[allow(clippy::cast_precision_loss)]
        IntParse::Unsigned(u) => return Some(Value::Float(u as f64)),
        IntParse::Invalid => {}
    }
    if is_yaml_style_float(plain) {
        return finite_float(plain);
    }
    None
}

/// Parses with Rust's float parser and rejects overflow, which Go's
/// `ParseFloat` reports as an error (the scalar then stays a string).
fn finite_float(text: &str) -> Option<Value> {
    let f: f64 = text.parse().ok()?;
    f.is_finite().then_some(Value::Float(f))
}

/// Result of Go's `strconv.ParseInt(s, 0, 64)` followed by
/// `strconv.ParseUint(s, 0, 64)`.
enum IntParse {
    /// Fits an `i64`.
    Int(i64),
    /// Unsigned, too big for `i64`, fits `u64`.
    Unsigned(u64),
    /// Not an integer in Go's base-0 syntax, or out of range.
    Invalid,
}

/// Go's base-0 integer syntax: optional sign, then `0b`/`0o`/`0x` prefixes or a
/// leading `0` for octal, else decimal (underscores already removed).
fn go_parse_int(text: &str) -> IntParse {
    let (negative, signed, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, true, &text[1..]),
        Some(b'+') => (false, true, &text[1..]),
        _ => (false, false, text),
    };
    let bytes = rest.as_bytes();
    if bytes.is_empty() {
        return IntParse::Invalid;
    }
    let (radix, digits): (u32, &[u8]) = if bytes[0] == b'0' {
        // Go only takes a letter prefix when something follows it, so "0x"
        // is read as octal and fails on the `x`.
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, &bytes[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, &bytes[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, &bytes[2..]),
            _ => (8, &bytes[1..]),
        }
    } else {
        (10, bytes)
    };
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    for &b in digits {
        let Some(d) = char::from(b).to_digit(radix) else {
            return IntParse::Invalid;
        };
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
    }
    if overflow {
        return IntParse::Invalid;
    }
    if negative {
        if let Ok(m) = i64::try_from(magnitude) {
            return IntParse::Int(-m);
        }
        if magnitude == i64::MIN.unsigned_abs() {
            return IntParse::Int(i64::MIN);
        }
        return IntParse::Invalid;
    }
    match i64::try_from(magnitude) {
        Ok(i) => IntParse::Int(i),
        // `ParseUint` accepts no sign at all, not even `+`.
        Err(_) if !signed => IntParse::Unsigned(magnitude),
        Err(_) => IntParse::Invalid,
    }
}

/// go-yaml v2's `yamlStyleFloat`:
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Renders a float the way Go's `strconv.FormatFloat(f, 'g', -1, 64)` does
/// (shortest digits, exponent form below 1e-4 and from 1e6), with YAML's
/// spellings for the non-finite values. `sigs.k8s.io/yaml` turns float map
/// keys into text this way.
pub(super) fn format_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "-1.25e-7".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        let (head, tail) = digits.split_at(1);
        out.push_str(head);
        if !tail.is_empty() {
            out.push('.');
            out.push_str(tail);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else {
        // Decimal point after `exp + 1` digits.
        let point = exp + 1;
        if point <= 0 {
            out.push_str("0.");
            for _ in 0..-point {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let point = usize::try_from(point).unwrap_or(0);
            if point >= digits.len() {
                out.push_str(&digits);
                for _ in digits.len()..point {
                    out.push('0');
                }
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Value {
        resolve_plain(s).unwrap_or_else(|| Value::String(s.to_owned()))
    }

    #[test]
    fn yaml11_booleans() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(plain(t), Value::Bool(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(plain(f), Value::Bool(false), "{f}");
        }
        for s in ["yEs", "tRUE", "oN", "nO", "Off!", "t", "f"] {
            assert_eq!(plain(s), Value::String(s.to_owned()), "{s}");
        }
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(n), Value::Null, "{n}");
        }
        assert_eq!(plain("nULL"), Value::String("nULL".into()));
    }

    #[test]
    fn integers() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("42", 42),
            ("-42", -42),
            ("+42", 42),
            ("0644", 420),
            ("-0644", -420),
            ("0o17", 15),
            ("0O17", 15),
            ("0x1F", 31),
            ("0X1f", 31),
            ("-0x10", -16),
            ("0b101", 5),
            ("-0b101", -5),
            ("1_000", 1000),
            ("0x_ff", 255),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), Value::Int(*want), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_ints() {
        // Out of i64 range but a valid unsigned: go-yaml's uint64, our float.
        assert_eq!(
            plain("18446744073709551615"),
            Value::Float(18_446_744_073_709_551_615_u64 as f64)
        );
        assert_eq!(plain("0xFFFFFFFFFFFFFFFF"), Value::Float(u64::MAX as f64));
        // Too big even for u64: decimal digits still match the float rule...
        assert_eq!(plain("99999999999999999999999"), Value::Float(1e23));
        // ...hex digits do not.
        assert_eq!(
            plain("0x1FFFFFFFFFFFFFFFFF"),
            Value::String("0x1FFFFFFFFFFFFFFFFF".into())
        );
        // Not octal: go-yaml falls through to the float rule.
        assert_eq!(plain("08"), Value::Float(8.0));
        assert_eq!(plain("0x"), Value::String("0x".into()));
        assert_eq!(plain("-"), Value::String("-".into()));
        assert_eq!(plain("1:20"), Value::String("1:20".into()));
        assert_eq!(plain("2001-12-14"), Value::String("2001-12-14".into()));
        assert_eq!(
            plain("2001-12-14T21:59:43.10-05:00"),
            Value::String("2001-12-14T21:59:43.10-05:00".into())
        );
        assert_eq!(plain("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(plain("1e400"), Value::String("1e400".into()));
        assert_eq!(plain("+-1"), Value::String("+-1".into()));
    }

    #[test]
    fn floats() {
        let cases: &[(&str, f64)] = &[
            ("1.5", 1.5),
            ("-1.5", -1.5),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            (".5", 0.5),
            ("+.5", 0.5),
            ("1.", 1.0),
            ("1_000.5", 1000.5),
            (".inf", f64::INFINITY),
            (".Inf", f64::INFINITY),
            (".INF", f64::INFINITY),
            ("+.inf", f64::INFINITY),
            ("-.inf", f64::NEG_INFINITY),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), Value::Float(*want), "{text}");
        }
        for nan in [".nan", ".NaN", ".NAN"] {
            assert!(matches!(plain(nan), Value::Float(f) if f.is_nan()), "{nan}");
        }
        for s in [".", ".e3", ".nAn", ".Nan", "inf", "nan", ".x"] {
            assert_eq!(plain(s), Value::String(s.to_owned()), "{s}");
        }
    }

    #[test]
    fn strings_that_look_special() {
        for s in [
            "=",
            "<<",
            "-a",
            "- a",
            "0.0.0.0/0",
            "v1",
            "1Gi",
            "100m",
            "*",
        ] {
            assert_eq!(plain(s), Value::String(s.to_owned()), "{s}");
        }
    }

    #[test]
    fn tagged() {
        assert_eq!(resolve_tagged("0644", WantedType::Int), Ok(Value::Int(420)));
        assert_eq!(
            resolve_tagged("1", WantedType::Float),
            Ok(Value::Float(1.0))
        );
        assert_eq!(
            resolve_tagged("yes", WantedType::Bool),
            Ok(Value::Bool(true))
        );
        assert_eq!(resolve_tagged("", WantedType::Null), Ok(Value::Null));
        assert_eq!(resolve_tagged("abc", WantedType::Int), Err(()));
        assert_eq!(resolve_tagged("1.5", WantedType::Int), Err(()));
        assert_eq!(resolve_tagged("1", WantedType::Bool), Err(()));
    }

    #[test]
    fn go_float_format() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (1.0, "1"),
            (100.0, "100"),
            (123_456.0, "123456"),
            (1e6, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.25, "0.25"),
            (1e21, "1e+21"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
            (0.0, "0"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float(*f), *want, "{f}");
        }
    }
}
