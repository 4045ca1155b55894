//! Go's `fmt` as templates reach it: `print`, `println`, `printf`.

use super::value::{ElemZero, Value, go_float, go_float_special, go_string, write_go};

/// `fmt.Sprint`: operands joined, with a space between two operands when
/// neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::String(_)) && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        write_go(a, &mut out, 0);
    }
    out
}

/// `fmt.Sprintln`: operands joined by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = args.iter().map(go_string).collect::<Vec<_>>().join(" ");
    out.push('\n');
    out
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf` over template values, with Go's error notations
/// (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0usize;
    // An explicit `%[n]v` index was used: Go then reports no EXTRA.
    let mut reordered = false;
    let mut bad_index = false;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        let num = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, next: &mut usize| {
            if let Some(&(_, '*')) = chars.peek() {
                chars.next();
                let v = args.get(*next).and_then(Value::as_int);
                *next += 1;
                return v.and_then(|v| usize::try_from(v).ok());
            }
            let mut n: Option<usize> = None;
            while let Some(&(_, d)) = chars.peek() {
                let Some(dv) = d.to_digit(10) else { break };
                n = Some(
                    n.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(dv as usize)
                        .min(1_000_000),
                );
                chars.next();
            }
            n
        };
        // `[n]` picks the operand (1-based) for what follows it.
        let mut index = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
                         next: &mut usize| {
            if let Some(&(_, '[')) = chars.peek() {
                chars.next();
                let mut n: usize = 0;
                let mut ok = false;
                while let Some(&(_, d)) = chars.peek() {
                    chars.next();
                    if d == ']' {
                        break;
                    }
                    match d.to_digit(10) {
                        Some(dv) => {
                            n = n.saturating_mul(10).saturating_add(dv as usize);
                            ok = true;
                        }
                        None => ok = false,
                    }
                }
                reordered = true;
                if ok && n >= 1 && n <= args.len() {
                    *next = n - 1;
                } else {
                    bad_index = true;
                }
            }
        };
        index(&mut chars, &mut next);
        spec.width = num(&mut chars, &mut next);
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            index(&mut chars, &mut next);
            spec.prec = Some(num(&mut chars, &mut next).unwrap_or(0));
        }
        index(&mut chars, &mut next);
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        if bad_index {
            bad_index = false;
            out.push_str(&format!("%!{verb}(BADINDEX)"));
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        // Go pads each operand it prints (every key and element of a
        // map or list, the value inside `%!d(…)`), never the composite.
        out.push_str(&format_one(verb, spec, arg, 0));
    }
    if !reordered && next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), go_string(a)))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn pad(s: &str, spec: Spec) -> String {
    let Some(w) = spec.width else {
        return s.to_owned();
    };
    let n = s.chars().count();
    if n >= w {
        return s.to_owned();
    }
    let fill = w - n;
    if spec.minus {
        format!("{s}{}", " ".repeat(fill))
    } else if spec.zero && s.starts_with(['-', '+']) {
        format!("{}{}{}", &s[..1], "0".repeat(fill), &s[1..])
    } else if spec.zero {
        format!("{}{s}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

/// Go's `badVerb`: `%!d(string=x)`, the value printed with `%v` and the
/// same flags (so `%.2f` of a string shows two characters).
fn bad(verb: char, spec: Spec, v: &Value, depth: usize) -> String {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!(
            "%!{verb}({}={})",
            v.type_name(),
            format_one('v', spec, v, depth)
        ),
    }
}

/// Whether any flag, width or precision is set (`%v` of a composite then
/// formats each element with them instead of plain printing).
fn has_flags(spec: Spec) -> bool {
    spec.minus
        || spec.plus
        || spec.space
        || spec.zero
        || spec.sharp
        || spec.width.is_some()
        || spec.prec.is_some()
}

/// One operand under one verb. `depth` is 0 for an argument of `printf`
/// and more inside a list or map, where Go prints a nil element as a bare
/// `<nil>` whatever the verb.
fn format_one(verb: char, spec: Spec, v: &Value, depth: usize) -> String {
    if depth > 1000 {
        return String::new();
    }
    let mut spec = spec;
    if verb == 'v' {
        // `%+v` is Go's "field names" flag, never a sign.
        spec.plus = false;
    }
    let leaf = |s: String| pad(&s, spec);
    match (verb, v) {
        ('T', _) => leaf(v.type_name().to_owned()),
        (_, Value::Nil) if depth > 0 => "<nil>".into(),
        ('v', Value::Nil) => leaf("<nil>".into()),
        ('v', _) if spec.sharp => go_syntax(v, depth),
        // fmt's `fmtBytes`: `%s`, `%q`, `%x` print a `[]byte` as text,
        // `%v`/`%d` and the rest element by element (below, as a list).
        ('s', Value::Bytes(_)) => leaf(truncate(&bytes_text(v), spec)),
        ('q', Value::Bytes(_)) => leaf(go_quote(&bytes_text(v))),
        ('x' | 'X', Value::Bytes(_)) => {
            let h: String = v
                .as_bytes()
                .unwrap_or_default()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            leaf(if verb == 'X' { h.to_uppercase() } else { h })
        }
        (_, Value::Bytes(_)) => format_one(
            verb,
            spec,
            &Value::list(v.slice_items().unwrap_or_default()),
            depth,
        ),
        // An unsigned integer under `%v` with `#` would be hex (above);
        // plain `%v` prints its digits like any integer.
        ('v', Value::List(_) | Value::Map(_)) if !has_flags(spec) => go_string(v),
        ('v', Value::Float(f)) if spec.prec.is_some() => leaf(sign(fmt_g(*f, spec.prec), spec)),
        ('v', Value::Float(f)) => leaf(sign(go_float(*f), spec)),
        ('v', Value::Int(i, _)) => leaf(sign(int_digits(*i, spec), spec)),
        ('v', Value::String(s)) => leaf(truncate(s, spec)),
        ('v', Value::Bool(_)) => leaf(go_string(v)),
        (_, Value::List(l)) => {
            let parts: Vec<String> = l
                .iter()
                .map(|x| format_one(verb, spec, x, depth + 1))
                .collect();
            format!("[{}]", parts.join(" "))
        }
        (_, Value::Map(m)) if m.go_type().and_then(|t| t.stringer).is_some() => {
            let key = m.go_type().and_then(|t| t.stringer).unwrap_or_default();
            format_one(verb, spec, &m.get(key).unwrap_or_default(), depth)
        }
        (_, Value::Map(m)) if m.go_struct().is_some() => {
            // A struct applies the verb to each field: `{a b}`.
            let fields = m.go_type().map_or(&[][..], |t| t.fields);
            let parts: Vec<String> = fields
                .iter()
                .map(|f| format_one(verb, spec, &m.get(f.name).unwrap_or_default(), depth + 1))
                .collect();
            let amp = if m
                .go_type()
                .is_some_and(|t| t.kind == super::value::GoKind::Ptr)
            {
                "&"
            } else {
                ""
            };
            format!("{amp}{{{}}}", parts.join(" "))
        }
        (_, Value::Map(m)) => {
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{}:{}",
                        format_one(verb, spec, &Value::str(k), depth + 1),
                        format_one(verb, spec, x, depth + 1)
                    )
                })
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        ('s', Value::String(s)) => leaf(truncate(s, spec)),
        ('q', Value::String(s)) => leaf(if spec.sharp && !s.contains('`') {
            format!("`{s}`")
        } else {
            go_quote(s)
        }),
        ('x' | 'X', Value::String(s)) => {
            let h: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            leaf(if verb == 'X' { h.to_uppercase() } else { h })
        }
        ('t', Value::Bool(b)) => leaf(b.to_string()),
        ('d', Value::Int(i, _)) => leaf(sign(int_digits(*i, spec), spec)),
        ('b', Value::Int(i, _)) => leaf(format!("{}{:b}", minus(*i), i.unsigned_abs())),
        ('o', Value::Int(i, _)) => leaf(format!(
            "{}{}{:o}",
            minus(*i),
            if spec.sharp { "0" } else { "" },
            i.unsigned_abs()
        )),
        ('O', Value::Int(i, _)) => leaf(format!("{}0o{:o}", minus(*i), i.unsigned_abs())),
        ('x', Value::Int(i, _)) => {
            let s = if *i < 0 {
                format!("-{:x}", i.unsigned_abs())
            } else {
                format!("{i:x}")
            };
            leaf(if spec.sharp { format!("0x{s}") } else { s })
        }
        ('X', Value::Int(i, _)) => {
            let s = if *i < 0 {
                format!("-{:X}", i.unsigned_abs())
            } else {
                format!("{i:X}")
            };
            leaf(if spec.sharp { format!("0X{s}") } else { s })
        }
        ('c', Value::Int(i, _)) => leaf(
            u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .map_or("\u{FFFD}".into(), String::from),
        ),
        ('q', Value::Int(i, _)) => leaf(quote_rune(
            u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}'),
        )),
        ('U', Value::Int(i, _)) => leaf(format!("U+{i:04X}")),
        ('f' | 'F', Value::Float(f)) => {
            leaf(sign(format!("{:.*}", spec.prec.unwrap_or(6), f), spec))
        }
        ('e' | 'E', Value::Float(f)) => {
            let s = fmt_e(*f, spec.prec.unwrap_or(6));
            leaf(sign(if verb == 'E' { s.to_uppercase() } else { s }, spec))
        }
        ('g' | 'G', Value::Float(f)) => {
            let s = fmt_g(*f, spec.prec);
            leaf(sign(if verb == 'G' { s.to_uppercase() } else { s }, spec))
        }
        ('b', Value::Float(f)) => leaf(sign(float_b(*f), spec)),
        ('x' | 'X', Value::Float(f)) if f.is_finite() => {
            let s = hex_float(*f);
            leaf(sign(if verb == 'X' { s.to_uppercase() } else { s }, spec))
        }
        _ => bad(verb, spec, v, depth),
    }
}

/// `strconv.FormatFloat(f, 'b', -1, 64)`: the mantissa as a decimal
/// integer, `p`, the binary exponent (`42.0` is `5910974510923776p-47`).
fn float_b(f: f64) -> String {
    if let Some(special) = go_float_special(f) {
        return special.into();
    }
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = i64::try_from((bits >> 52) & 0x7FF).unwrap_or(0);
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp += -1023 - 52;
    format!(
        "{}{mant}p{}{exp}",
        if neg { "-" } else { "" },
        if exp >= 0 { "+" } else { "" }
    )
}

/// A `[]byte` as Go's `string(b)` (invalid UTF-8 replaced).
fn bytes_text(v: &Value) -> String {
    super::value::go_string_from_bytes(v.as_bytes().unwrap_or_default())
}

/// `-` for a negative number (Go writes the sign, then the magnitude's
/// digits in any base).
fn minus(i: i64) -> &'static str {
    if i < 0 { "-" } else { "" }
}

/// An integer's decimal digits, at least the precision of them
/// (`%.2d` of 3 is `03`).
fn int_digits(i: i64, spec: Spec) -> String {
    let digits = i.unsigned_abs().to_string();
    let width = spec.prec.unwrap_or(0).min(1_000_000);
    format!("{}{digits:0>width$}", minus(i))
}

/// Go's `strconv.QuoteRune`: `'a'`, `'\x03'`, `'\a'`, `'\''`.
fn quote_rune(c: char) -> String {
    let q = match c {
        '\'' => "\\'".to_string(),
        '"' => "\"".to_string(),
        c => {
            let s = go_quote(&c.to_string());
            s[1..s.len() - 1].to_string()
        }
    };
    format!("'{q}'")
}

/// A string cut to the precision, in characters (`%.2s`).
fn truncate(s: &str, spec: Spec) -> String {
    match spec.prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

/// `strconv.FormatFloat(f, 'x', -1, 64)`: `-0x1.4p+01`, the mantissa's
/// hex digits without trailing zeros, a two-digit exponent at least.
fn hex_float(f: f64) -> String {
    let neg = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{neg}0x0p+00");
    }
    let bits = f.to_bits();
    let mut exp = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        // Subnormal: shift the leading one up to the implicit bit.
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let frac = format!("{mant:013x}");
    let frac = frac.trim_end_matches('0');
    let dot = if frac.is_empty() { "" } else { "." };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{neg}0x1{dot}{frac}p{esign}{:02}", exp.unsigned_abs())
}

/// `%#v`: Go syntax (`"s"`, `[]interface {}{1, "a"}`,
/// `map[string]interface {}{"a":1}`); a nil element is
/// `interface {}(nil)`.
fn go_syntax(v: &Value, depth: usize) -> String {
    if depth > 1000 {
        return String::new();
    }
    match v {
        Value::Nil if depth > 0 => "interface {}(nil)".into(),
        Value::Nil => "<nil>".into(),
        Value::String(s) => go_quote(s),
        // fmt writes unsigned integers in Go syntax as hex (`0x61`).
        Value::Int(i, k) if k.unsigned() => format!("0x{i:x}"),
        Value::Bytes(None) => "[]byte(nil)".into(),
        Value::Bytes(Some(b)) => {
            let parts: Vec<String> = b.iter().map(|x| format!("0x{x:x}")).collect();
            format!("[]byte{{{}}}", parts.join(", "))
        }
        Value::List(l) if l.is_nil() => format!("{}(nil)", l.slice_type().name()),
        Value::List(l) => {
            let parts: Vec<String> = l.iter().map(|x| go_syntax(x, depth + 1)).collect();
            format!("{}{{{}}}", l.slice_type().name(), parts.join(", "))
        }
        // A host map type of strings (`map[string]string`).
        Value::Map(m) if m.is_nil() => format!("{}(nil)", v.type_name()),
        Value::Map(m) if m.go_type().is_some_and(|t| t.elem_zero == ElemZero::String) => {
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, x)| format!("{}:{}", go_quote(k), go_syntax(x, depth + 1)))
                .collect();
            format!("{}{{{}}}", v.type_name(), parts.join(", "))
        }
        Value::Map(m) if m.go_type().is_none() => {
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, x)| format!("{}:{}", go_quote(k), go_syntax(x, depth + 1)))
                .collect();
            format!("map[string]interface {{}}{{{}}}", parts.join(", "))
        }
        other => go_string(other),
    }
}

fn sign(s: String, spec: Spec) -> String {
    if spec.plus && !s.starts_with('-') {
        format!("+{s}")
    } else if spec.space && !s.starts_with('-') {
        format!(" {s}")
    } else {
        s
    }
}

/// `%e` with `prec` digits: `1.500000e+00`.
fn fmt_e(f: f64, prec: usize) -> String {
    let s = format!("{f:.prec$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// `%g` (shortest when no precision).
fn fmt_g(f: f64, prec: Option<usize>) -> String {
    let Some(p) = prec else {
        return go_float(f);
    };
    let p = p.max(1);
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if exp < -4 || exp >= i32::try_from(p).unwrap_or(i32::MAX) {
        let s = fmt_e(f, p - 1);
        let (m, e) = s.split_once('e').unwrap_or((&s, ""));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{e}")
    } else {
        let decimals = usize::try_from(i32::try_from(p).unwrap_or(0) - 1 - exp).unwrap_or(0);
        let s = format!("{f:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    }
}

/// Go's `strconv.Quote`: a double-quoted Go string literal.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if !is_go_print(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Roughly Go's `strconv.IsPrint`: letters, marks, numbers, punctuation,
/// symbols and the ASCII space.
pub(crate) fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xE000..=0xF8FF))
}
