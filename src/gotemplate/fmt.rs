//! Go's `fmt` as templates reach it: `print`, `println`, `printf`.

use super::value::{Value, go_float, go_string, write_go};

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
        spec.width = num(&mut chars, &mut next);
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            spec.prec = Some(num(&mut chars, &mut next).unwrap_or(0));
        }
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let text = format_one(verb, spec, arg);
        out.push_str(&pad(&text, spec));
    }
    if next < args.len() {
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

fn bad(verb: char, v: &Value) -> String {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", v.type_name(), go_string(v)),
    }
}

fn format_one(verb: char, spec: Spec, v: &Value) -> String {
    match (verb, v) {
        ('T', _) => v.type_name().to_owned(),
        ('v', Value::Nil) => "<nil>".into(),
        ('v', Value::Float(f)) if spec.prec.is_some() => fmt_g(*f, spec.prec),
        ('v', Value::Int(i)) if spec.plus => format!("{i:+}"),
        ('v', Value::Map(_)) if spec.sharp => go_string(v),
        ('v', _) => go_string(v),
        (_, Value::List(l)) => {
            let parts: Vec<String> = l.iter().map(|x| format_one(verb, spec, x)).collect();
            format!("[{}]", parts.join(" "))
        }
        (_, Value::Map(m)) if m.go_type().and_then(|t| t.stringer).is_some() => {
            let key = m.go_type().and_then(|t| t.stringer).unwrap_or_default();
            format_one(verb, spec, &m.get(key).unwrap_or_default())
        }
        (_, Value::Map(m)) if m.go_struct().is_some() => {
            // A struct applies the verb to each field: `{a b}`.
            let fields = m.go_type().map_or(&[][..], |t| t.fields);
            let parts: Vec<String> = fields
                .iter()
                .map(|f| format_one(verb, spec, &m.get(f.name).unwrap_or_default()))
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
                        format_one(verb, spec, &Value::str(k)),
                        format_one(verb, spec, x)
                    )
                })
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        ('s', Value::String(s)) => match spec.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        },
        ('q', Value::String(s)) => {
            if spec.sharp && !s.contains('`') {
                format!("`{s}`")
            } else {
                go_quote(s)
            }
        }
        ('x' | 'X', Value::String(s)) => {
            let h: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            if verb == 'X' { h.to_uppercase() } else { h }
        }
        ('t', Value::Bool(b)) => b.to_string(),
        ('d', Value::Int(i)) => {
            if spec.plus {
                format!("{i:+}")
            } else if spec.space && *i >= 0 {
                format!(" {i}")
            } else {
                i.to_string()
            }
        }
        ('b', Value::Int(i)) => format!("{i:b}"),
        ('o', Value::Int(i)) => {
            if spec.sharp {
                format!("0{i:o}")
            } else {
                format!("{i:o}")
            }
        }
        ('O', Value::Int(i)) => format!("0o{i:o}"),
        ('x', Value::Int(i)) => {
            let s = if *i < 0 {
                format!("-{:x}", i.unsigned_abs())
            } else {
                format!("{i:x}")
            };
            if spec.sharp { format!("0x{s}") } else { s }
        }
        ('X', Value::Int(i)) => {
            let s = if *i < 0 {
                format!("-{:X}", i.unsigned_abs())
            } else {
                format!("{i:X}")
            };
            if spec.sharp { format!("0X{s}") } else { s }
        }
        ('c', Value::Int(i)) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .map_or("\u{FFFD}".into(), String::from),
        ('q', Value::Int(i)) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .map_or("'\u{FFFD}'".into(), |c| format!("'{c}'")),
        ('U', Value::Int(i)) => format!("U+{i:04X}"),
        ('f' | 'F', Value::Float(f)) => sign(format!("{:.*}", spec.prec.unwrap_or(6), f), spec),
        ('e' | 'E', Value::Float(f)) => {
            let s = fmt_e(*f, spec.prec.unwrap_or(6));
            sign(if verb == 'E' { s.to_uppercase() } else { s }, spec)
        }
        ('g' | 'G', Value::Float(f)) => {
            let s = fmt_g(*f, spec.prec);
            sign(if verb == 'G' { s.to_uppercase() } else { s }, spec)
        }
        _ => bad(verb, v),
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
fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xE000..=0xF8FF))
}
