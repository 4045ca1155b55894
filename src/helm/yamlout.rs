//! YAML and JSON output as Helm's `toYaml`/`toJson` write it.
//!
//! `toYaml` is `sigs.k8s.io/yaml.Marshal`: the value goes through JSON (so
//! keys are sorted and integral floats are integers) and is written by
//! go-yaml v2's emitter: block style, two-space indentation, sequences in a
//! mapping not indented, strings quoted only when a plain scalar would read
//! as something else (double quotes when the YAML 1.1 resolver would see a
//! bool, number or null; single quotes when an indicator character forbids
//! plain style), multi-line strings as literal blocks, keys in go-yaml's
//! order. `toYamlPretty` is go-yaml v3 on the value itself (see
//! [`to_yaml_pretty`]).

use crate::gotemplate::Value;
pub(crate) use crate::gotemplate::go_float;

/// Go's `%v` of any template value (`fmt.Sprint`), floats as Go prints them.
pub(crate) fn go_value_string(v: &Value) -> String {
    crate::gotemplate::go_string(v)
}

/// A YAML node as template data (numbers as floats, as Helm reads YAML
/// through `sigs.k8s.io/yaml`).
pub(crate) fn node_value(node: &crate::yaml::Node) -> Value {
    use crate::yaml::Value as Y;
    match &node.value {
        Y::Null => Value::Nil,
        Y::Bool(b) => Value::Bool(*b),
        #[allow(clippy::cast_precision_loss)]
        Y::Int(i) => Value::Float(*i as f64),
        Y::Float(f) => Value::Float(*f),
        Y::String(s) => Value::str(s),
        Y::Seq(items) => Value::List(items.iter().map(node_value).collect()),
        Y::Map(m) => Value::map(
            m.iter()
                .map(|(k, v)| (std::sync::Arc::from(k), node_value(v)))
                .collect(),
        ),
    }
}

/// `toYaml`: the YAML text without its final newline (Helm's
/// `strings.TrimSuffix(yaml, "\n")`: exactly one, so a keep-chomped `|+`
/// block at the end keeps its blank lines).
pub(crate) fn to_yaml(v: &Value) -> String {
    yaml_text(v, false)
}

/// `toYamlPretty`: Helm marshals the value itself (no JSON round trip)
/// with go-yaml v3 at indent 2, which indents a sequence inside a mapping,
/// never folds long lines, and writes floats as `%g` (`1e+06`,
/// `1.23456789e+08`, `-0`, `.inf`, `.nan`) and orders keys as v3 does
/// (see [`key_less`]). Quoting is v2's.
pub(crate) fn to_yaml_pretty(v: &Value) -> String {
    yaml_text(v, true)
}

fn yaml_text(v: &Value, pretty: bool) -> String {
    let mut out = String::new();
    emit_root(v, pretty, &mut out);
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

fn emit_root(v: &Value, pretty: bool, out: &mut String) {
    match v {
        Value::Map(m) if !m.is_empty() && marshal_text(m).is_none() => {
            emit_map(v, 0, pretty, out);
        }
        Value::List(l) if !l.is_empty() => emit_seq(v, 0, pretty, out),
        other => {
            // A root scalar's continuation lines are indented by 2 (libyaml).
            out.push_str(&fold_unless(pretty, scalar(other, 0, false, pretty), 0, 2));
            out.push('\n');
        }
    }
}

/// [`fold`], which go-yaml v3 (pretty) never does.
fn fold_unless(pretty: bool, text: String, col: usize, indent: usize) -> String {
    if pretty {
        text
    } else {
        fold(text, col, indent)
    }
}

/// go-yaml's `keyList.Less` on string keys: letters after other
/// characters, runs of digits compared as numbers (`9` before `10`, `a9`
/// before `a09`), a non-digit counting as the number 0 (`_` and `-` before
/// `1`). go-yaml v3 (`toYamlPretty`) adds one rule v2 (`toYaml`, through
/// `sigs.k8s.io/yaml`) lacks: right after a digit a letter comes first
/// (v3: `v1beta1` before `v1.2`; v2: `v1.2` first).
fn key_less(a: &str, b: &str, v3: bool) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = v3 && ar[i].is_numeric();
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            // A zero after a non-zero digit is part of a number.
            let mut j = i;
            while j > 0 && ar[j - 1].is_numeric() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let digit = |c: char| i64::from(u32::from(c).wrapping_sub(u32::from('0')));
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_numeric() {
            an = an.wrapping_mul(10).wrapping_add(digit(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_numeric() {
            bn = bn.wrapping_mul(10).wrapping_add(digit(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

fn key_order(a: &str, b: &str, v3: bool) -> std::cmp::Ordering {
    if key_less(a, b, v3) {
        std::cmp::Ordering::Less
    } else if key_less(b, a, v3) {
        std::cmp::Ordering::Greater
    } else {
        a.cmp(b)
    }
}

/// The column (in characters) where the next character of `out` goes.
fn column(out: &str) -> usize {
    out[out.rfind('\n').map_or(0, |i| i + 1)..].chars().count()
}

/// go-yaml v2's emitter breaks a long plain or quoted scalar at a single
/// space once the line is past 80 columns (its `best_width`), going on at
/// `indent`; literal blocks are never folded. `col` is where the scalar
/// starts. (Values read back are unchanged: YAML folds the break into a
/// space again.)
fn fold(text: String, col: usize, indent: usize) -> String {
    const BEST_WIDTH: usize = 80;
    if !text.contains(' ') || text.starts_with('|') {
        return text;
    }
    let style = match text.as_bytes().first() {
        Some(b'\'') => 1,
        Some(b'"') => 2,
        _ => 0,
    };
    let chars: Vec<char> = text.chars().collect();
    let last = chars.len().saturating_sub(1);
    let mut out = String::with_capacity(text.len() + 16);
    let mut column = col;
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            column += 1;
            spaces = false;
            continue;
        }
        let next_space = chars.get(i + 1) == Some(&' ');
        let breakable = !spaces
            && column > BEST_WIDTH
            && match style {
                0 => !next_space,
                1 => i != 1 && i + 1 != last && !next_space,
                _ => i != 1 && i + 1 != last,
            };
        if breakable {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            column = indent;
            if style == 2 && next_space {
                out.push('\\');
                column += 1;
            }
        } else {
            out.push(' ');
            column += 1;
        }
        spaces = true;
    }
    out
}

/// Deepest nesting written (a map holding itself must not recurse without
/// end); past it, and past the text limit, output stops.
const MAX_INDENT: usize = 2 * 1000;

fn emit_map(v: &Value, indent: usize, pretty: bool, out: &mut String) {
    let Value::Map(m) = v else { return };
    if indent > MAX_INDENT || out.len() > super::funcs::MAX_TEXT {
        return;
    }
    // go-yaml sorts the keys (a Go struct's fields too: sigs.k8s.io/yaml
    // makes a map of it through JSON).
    let mut pairs = m.marshal_pairs();
    pairs.sort_by(|a, b| key_order(&a.0, &b.0, pretty));
    for (k, val) in pairs {
        let k = &k;
        let val = &val;
        out.push_str(&" ".repeat(indent));
        let key = through_json(k, pretty);
        let complex = key.len() > 128 || key.contains(is_break);
        if complex {
            // Not a simple key (go-yaml's `check_simple_key`): `? KEY`,
            // the key written as a value (a literal block if multi-line),
            // then `:` on a line of its own.
            out.push_str("? ");
            let col = column(out);
            let text = yaml_string(&key, indent + 2, false);
            out.push_str(&fold_unless(pretty, text, col, indent + 2));
            out.push('\n');
            out.push_str(&" ".repeat(indent));
        } else {
            out.push_str(&yaml_string(&key, indent, true));
        }
        out.push(':');
        // go-yaml v2 does not indent a sequence inside a mapping; v3 at
        // indent 2 does.
        let seq_indent = if pretty { indent + 2 } else { indent };
        match val {
            // After a complex key's `:` a block collection starts on the
            // same line.
            Value::Map(inner) if complex && !inner.is_empty() && marshal_text(inner).is_none() => {
                out.push(' ');
                let mut sub = String::new();
                emit_map(val, indent + 2, pretty, &mut sub);
                out.push_str(sub.get(indent + 2..).unwrap_or(&sub));
            }
            Value::List(inner) if complex && !inner.is_empty() => {
                out.push(' ');
                let mut sub = String::new();
                emit_seq(val, indent + 2, pretty, &mut sub);
                out.push_str(sub.get(indent + 2..).unwrap_or(&sub));
            }
            Value::Map(inner) if !inner.is_empty() && marshal_text(inner).is_none() => {
                out.push('\n');
                emit_map(val, indent + 2, pretty, out);
            }
            Value::List(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_seq(val, seq_indent, pretty, out);
            }
            other => {
                out.push(' ');
                let col = column(out);
                let text = scalar(other, indent + 2, false, pretty);
                out.push_str(&fold_unless(pretty, text, col, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn emit_seq(v: &Value, indent: usize, pretty: bool, out: &mut String) {
    let Value::List(items) = v else { return };
    if indent > MAX_INDENT || out.len() > super::funcs::MAX_TEXT {
        return;
    }
    for item in items.iter() {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Map(inner) if !inner.is_empty() && marshal_text(inner).is_none() => {
                out.push(' ');
                // The first key goes on the dash's line.
                let mut sub = String::new();
                emit_map(item, indent + 2, pretty, &mut sub);
                out.push_str(sub.get(indent + 2..).unwrap_or(&sub));
            }
            Value::List(inner) if !inner.is_empty() => {
                out.push(' ');
                let mut sub = String::new();
                emit_seq(item, indent + 2, pretty, &mut sub);
                out.push_str(sub.get(indent + 2..).unwrap_or(&sub));
            }
            other => {
                out.push(' ');
                let col = column(out);
                let text = scalar(other, indent + 2, false, pretty);
                out.push_str(&fold_unless(pretty, text, col, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, indent: usize, key: bool, pretty: bool) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i, _) => i.to_string(),
        // go-yaml v3 on the float itself: `%g`.
        Value::Float(f) if pretty && f.is_finite() => go_float(*f),
        // go-yaml v3 encodes the non-finite floats (`toYaml` and the JSON
        // functions fail on them: see `non_finite`).
        Value::Float(f) if pretty && f.is_nan() => ".nan".to_owned(),
        Value::Float(f) if pretty => if *f > 0.0 { ".inf" } else { "-.inf" }.to_owned(),
        Value::Float(f) => {
            // Through JSON: an integral float is written as its shortest
            // digits (`12345678901234567000`), which go-yaml re-reads as an
            // int64 or uint64 when it fits (so `-0` is `0`); anything else
            // is re-read as a float64 and written with 'g' (shortest).
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
                let text = go_json_float(*f);
                if let Ok(i) = text.parse::<i64>() {
                    return i.to_string();
                }
                if text.parse::<u64>().is_ok() {
                    return text;
                }
            }
            go_float(*f)
        }
        Value::String(s) => yaml_string(&through_json(s, pretty), indent, key),
        // Through JSON a nil map is null; go-yaml v3 writes `{}`.
        Value::Map(m) if m.is_nil() && !pretty => "null".into(),
        Value::Map(m) => {
            marshal_text(m).map_or_else(|| "{}".into(), |t| yaml_string(&t, indent, key))
        }
        // Through JSON a nil slice is null; go-yaml v3 writes `[]`.
        Value::List(l) if l.is_nil() && !pretty => "null".into(),
        Value::List(_) => "[]".into(),
        // Through JSON: a []byte is its base64 string, a nil one null.
        Value::Bytes(None) => "null".into(),
        Value::Bytes(Some(b)) => yaml_string(&super::digest::b64encode(b), indent, key),
    }
}

/// Whether go-yaml v2's resolver reads a plain scalar as something other
/// than a string (so it must be quoted to stay a string).
fn resolves_non_string(s: &str) -> bool {
    const SPECIAL: [&str; 27] = [
        "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
        "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    if matches!(
        s,
        ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    ) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    if is_timestamp(s) {
        return true;
    }
    let plain = s.replace('_', "");
    if parse_go_int(&plain) {
        return true;
    }
    // yaml.v2's float regexp.
    let float_re = |t: &str| {
        let t = t.strip_prefix(['+', '-']).unwrap_or(t);
        let (mant, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], Some(&t[i + 1..])),
            None => (t, None),
        };
        let mant_ok = if let Some(frac) = mant.strip_prefix('.') {
            !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit())
        } else {
            let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
            !ip.is_empty()
                && ip.chars().all(|c| c.is_ascii_digit())
                && fp.chars().all(|c| c.is_ascii_digit())
        };
        let exp_ok = exp.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        });
        mant_ok && exp_ok
    };
    if float_re(s) {
        return true;
    }
    // Base 60 floats (`1:20`) are quoted by yaml.v2 too (its `isBase60Float`).
    is_base60_float(s)
}

/// yaml.v2's `isBase60Float`: YAML 1.1 sexagesimal numbers (`1:20`,
/// `190:20:30.15`), which it quotes for other parsers' sake. `0.0.0.0:4317`
/// is not one (the dots come before the colon).
fn is_base60_float(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    s.contains(':')
        && RE
            .get_or_init(|| {
                regex::Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").ok()
            })
            .as_ref()
            .is_some_and(|re| re.is_match(s))
}

/// yaml.v2's `parseTimestamp`: `2006-1-2`, optionally with a time
/// (`T`, `t` or space separated) and a zone.
fn is_timestamp(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?))?$",
        )
        .ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(s))
}

/// Go's `strconv.ParseInt(s, 0, 64)` succeeds (prefixes 0x, 0o, 0b, leading 0 octal).
fn parse_go_int(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (o, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    !digits.is_empty() && i64::from_str_radix(digits, radix).is_ok()
}

/// go-yaml's `is_printable` (both versions): LF, printable ASCII and the
/// rest of the Basic Multilingual Plane but surrogates, BOM and `U+FFFE`/
/// `U+FFFF`. Unlike libyaml it has no NEL and nothing past `U+FFFF`: a
/// string with an emoji is double-quoted with `\U` escapes.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

/// go-yaml's `is_break`: CR, LF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A string as `toYaml` has it after its JSON round trip (sigs.k8s.io/yaml:
/// `encoding/json` writes NEL raw, and go-yaml reads it as a line break in
/// the double-quoted JSON string, folding it with the spaces around it:
/// one break is a space, n breaks are n-1 newlines). `toYamlPretty`
/// marshals the string itself.
fn through_json(s: &str, pretty: bool) -> std::borrow::Cow<'_, str> {
    // A byte that is not UTF-8 becomes U+FFFD in JSON.
    if !pretty && s.contains(crate::gotemplate::is_carried_byte) {
        let fixed: String = s
            .chars()
            .map(|c| {
                if crate::gotemplate::is_carried_byte(c) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect();
        return std::borrow::Cow::Owned(through_json(&fixed, pretty).into_owned());
    }
    if pretty || !s.contains('\u{85}') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find([' ', '\u{85}']) {
        out.push_str(&rest[..i]);
        let run = &rest[i..];
        let end = run
            .find(|c: char| c != ' ' && c != '\u{85}')
            .unwrap_or(run.len());
        let breaks = run[..end].matches('\u{85}').count();
        match breaks {
            0 => out.push_str(&run[..end]),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
        rest = &run[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The scalar analysis of libyaml's emitter (`yaml_emitter_analyze_scalar`).
struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = false;
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
    }
    let is_blankz = |c: Option<&char>| c.is_none_or(|&c| c == ' ' || c == '\t' || is_break(c));
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = is_blankz(chars.get(i + 1));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        let last = i + 1 == chars.len();
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_break = true;
            prev_space = false;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t' | '\0') || is_break(c);
    }
    let mut a = Analysis {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// A string as go-yaml v2 writes it at `indent` (the indentation of a
/// literal block's content is `indent`).
fn yaml_string(s: &str, indent: usize, key: bool) -> String {
    let a = analyze(s);
    let wants_literal = s.contains('\n');
    let can_plain = !resolves_non_string(s) && !s.starts_with("0b");
    if wants_literal && !key && a.block_allowed {
        return literal(s, indent);
    }
    if !wants_literal && can_plain && a.block_plain_allowed && !(s.is_empty()) {
        return s.to_owned();
    }
    if !wants_literal && can_plain && a.single_quoted_allowed {
        return single_quoted(s, indent);
    }
    double_quoted(s)
}

/// go-yaml's single-quoted writer: a line break other than LF (only those
/// reach here) is written as itself, and the text after it is indented as
/// a continuation line.
fn single_quoted(s: &str, indent: usize) -> String {
    let pad = indent.max(2);
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    let mut col: Option<usize> = None;
    for c in s.chars() {
        if is_break(c) {
            out.push(c);
            col = Some(0);
        } else if c == ' ' {
            out.push(c);
            col = col.map(|n| n + 1);
        } else {
            if let Some(n) = col.take() {
                out.extend(std::iter::repeat_n(' ', pad.saturating_sub(n)));
            }
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
        }
    }
    out.push('\'');
    out
}

fn literal(s: &str, indent: usize) -> String {
    let mut head = String::from("|");
    if s.starts_with(' ') || s.chars().next().is_some_and(is_break) {
        head.push('2');
    }
    let mut rev = s.chars().rev();
    match (rev.next(), rev.next()) {
        (Some(last), _) if !is_break(last) => head.push('-'),
        (Some(_), None) => head.push('+'),
        (Some(_), Some(prev)) if is_break(prev) => head.push('+'),
        _ => {}
    }
    // go-yaml's literal writer: LF ends a line, another break is written
    // as itself; the text after a break is indented. The scalar's own last
    // LF is left to the caller.
    let pad = indent.max(2);
    let mut out = head;
    out.push('\n');
    let mut col: Option<usize> = Some(0);
    for c in s.chars() {
        if is_break(c) {
            out.push(c);
            col = Some(0);
        } else {
            if let Some(n) = col.take() {
                out.extend(std::iter::repeat_n(' ', pad.saturating_sub(n)));
            }
            out.push(c);
        }
    }
    if s.ends_with('\n') {
        out.pop();
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !is_printable(c) || c == '\u{feff}' => {
                let u = c as u32;
                if u <= 0xFF {
                    out.push_str(&format!("\\x{u:02X}"));
                } else if u <= 0xFFFF {
                    out.push_str(&format!("\\u{u:04X}"));
                } else {
                    out.push_str(&format!("\\U{u:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text a Go value with its own `MarshalJSON` is written as (a
/// `time.Time`: RFC 3339 with nanoseconds), JSON and YAML alike.
fn marshal_text(m: &crate::gotemplate::Map) -> Option<String> {
    // Masterminds' `*semver.Version` marshals as its `String()` (JSON and
    // text alike).
    if m.type_name() == Some(super::funcs::SEMVER.name) {
        return Some(
            m.get("String")
                .map(|v| super::funcs::sv(&v))
                .unwrap_or_default(),
        );
    }
    super::gotime::rfc3339_nano(m)
}

/// Template data as JSON, as Go's `encoding/json` writes it (integral
/// floats without fraction; maps in key order, Go structs in field order
/// under their JSON names). `escape_html` gives `json.Marshal`'s escaping
/// of `<`, `>`, `&`. `pretty` is `json.MarshalIndent` with two spaces.
pub(crate) fn to_json(v: &Value, pretty: bool, escape_html: bool) -> String {
    let mut text = String::new();
    write_json(v, pretty, 0, &mut text);
    // encoding/json writes each byte that is not valid UTF-8 as `\ufffd`.
    if text.contains(crate::gotemplate::is_carried_byte) {
        text = text
            .chars()
            .map(|c| {
                if crate::gotemplate::is_carried_byte(c) {
                    "\\ufffd".to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
    }
    if escape_html {
        text.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        text
    }
}

/// One value as JSON; `level` is the nesting (for indentation, and a bound
/// against a map that holds itself).
fn write_json(v: &Value, pretty: bool, level: usize, out: &mut String) {
    if level > 1000 || out.len() > super::funcs::MAX_TEXT {
        out.push_str("null");
        return;
    }
    let newline = |out: &mut String, level: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        }
    };
    match v {
        // encoding/json: a nil slice or map is null.
        Value::List(l) if l.is_nil() => out.push_str("null"),
        Value::Map(m) if m.is_nil() => out.push_str("null"),
        Value::List(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json(item, pretty, level + 1, out);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Map(m) if marshal_text(m).is_some() => {
            let text = marshal_text(m).unwrap_or_default();
            out.push_str(&serde_json::Value::String(text).to_string());
        }
        Value::Map(m) => {
            let pairs = m.marshal_pairs();
            if pairs.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                out.push_str(&serde_json::Value::String(k.to_string()).to_string());
                out.push_str(if pretty { ": " } else { ":" });
                write_json(item, pretty, level + 1, out);
            }
            newline(out, level);
            out.push('}');
        }
        Value::Float(f) if f.is_finite() => out.push_str(&go_json_float(*f)),
        scalar => out.push_str(&to_serde(scalar).to_string()),
    }
}

/// How `encoding/json` writes a float64: the shortest digits that read
/// back, in plain notation (`0.000001`, `12345678901234567000`) unless
/// below 1e-6 or from 1e21 on, where it is exponent notation with Go's
/// clean-up (`1e-7`, `1e+21`).
pub(crate) fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sign = if exp < 0 { '-' } else { '+' };
        let digits = exp.unsigned_abs();
        // Go writes at least two exponent digits, then trims `e-0X` to `e-X`.
        return if exp < 0 {
            format!("{mant}e{sign}{digits}")
        } else {
            format!("{mant}e{sign}{digits:02}")
        };
    }
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let sign = if neg { "-" } else { "" };
    if abs == 0.0 {
        return format!("{sign}0");
    }
    let nd = i32::try_from(digits.len()).unwrap_or(1);
    let point = exp + 1;
    if point >= nd {
        let zeros = usize::try_from(point - nd).unwrap_or(0);
        format!("{sign}{digits}{}", "0".repeat(zeros))
    } else if point > 0 {
        let p = usize::try_from(point).unwrap_or(0);
        format!("{sign}{}.{}", &digits[..p], &digits[p..])
    } else {
        let zeros = usize::try_from(-point).unwrap_or(0);
        format!("{sign}0.{}{digits}", "0".repeat(zeros))
    }
}

/// Template data as `serde_json::Value`.
pub(crate) fn to_serde(v: &Value) -> serde_json::Value {
    to_serde_at(v, 0)
}

fn to_serde_at(v: &Value, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    if depth > 1000 {
        return J::Null;
    }
    let to_serde = |v: &Value| to_serde_at(v, depth + 1);
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i, _) => J::from(*i),
        Value::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                J::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(J::Null, J::Number)
            }
        }
        Value::String(s) => J::String(s.to_string()),
        // encoding/json: a []byte is a base64 string, a nil one null.
        Value::Bytes(None) => J::Null,
        Value::Bytes(Some(b)) => J::String(super::digest::b64encode(b)),
        // encoding/json: a nil slice is null.
        Value::List(items) if items.is_nil() => J::Null,
        Value::List(items) => J::Array(items.iter().map(to_serde).collect()),
        Value::Map(m) if m.is_nil() => J::Null,
        Value::Map(m) if marshal_text(m).is_some() => {
            J::String(marshal_text(m).unwrap_or_default())
        }
        Value::Map(m) => J::Object(
            m.marshal_pairs()
                .iter()
                .map(|(k, v)| (k.to_string(), to_serde(v)))
                .collect(),
        ),
    }
}

/// JSON as template data (numbers as floats, as Go's `json.Unmarshal` into
/// `interface{}` gives).
pub(crate) fn from_serde(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::String(s.as_str().into()),
        J::Array(a) => Value::List(a.iter().map(from_serde).collect::<Vec<_>>().into()),
        J::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (std::sync::Arc::from(k.as_str()), from_serde(v)))
                .collect(),
        ),
    }
}

/// The first non-finite float in a value, as Go prints it (`+Inf`, `-Inf`,
/// `NaN`): `encoding/json` refuses the value (`json: unsupported value:
/// +Inf`), so `toJson`/`toYaml` give "" and the `must*` ones fail.
pub(crate) fn non_finite(v: &Value) -> Option<&'static str> {
    fn walk(v: &Value, depth: usize) -> Option<&'static str> {
        if depth > 1_000 {
            return None;
        }
        match v {
            Value::Float(f) if f.is_nan() => Some("NaN"),
            Value::Float(f) if f.is_infinite() => Some(if *f > 0.0 { "+Inf" } else { "-Inf" }),
            Value::List(l) => l.iter().find_map(|x| walk(x, depth + 1)),
            Value::Map(m) => m
                .marshal_pairs()
                .iter()
                .find_map(|(_, x)| walk(x, depth + 1)),
            _ => None,
        }
    }
    walk(v, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| (Arc::from(*k), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn floats() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(1_000_000.0), "1e+06");
        assert_eq!(go_float(100_000.0), "100000");
        assert_eq!(go_float(1_234_567.0), "1.234567e+06");
        assert_eq!(go_float(8080.0), "8080");
        assert_eq!(go_float(0.5), "0.5");
    }

    #[test]
    fn yaml_table() {
        let cases: Vec<(Value, &str)> = vec![
            (
                map(&[("a", Value::Float(1.0)), ("b", Value::from("x"))]),
                "a: 1\nb: x",
            ),
            (map(&[("a", Value::from("true"))]), "a: \"true\""),
            (map(&[("a", Value::from("1.5"))]), "a: \"1.5\""),
            (map(&[("a", Value::from(""))]), "a: \"\""),
            (map(&[("a", Value::from("- x"))]), "a: '- x'"),
            (map(&[("a", Value::from("a: b"))]), "a: 'a: b'"),
            (map(&[("a", Value::from("*"))]), "a: '*'"),
            // yaml.v2 quotes base-60 numbers only (as helm printed them).
            (
                map(&[("a", Value::from("0.0.0.0:4317"))]),
                "a: 0.0.0.0:4317",
            ),
            (map(&[("a", Value::from("12:30"))]), "a: \"12:30\""),
            (map(&[("a", Value::from("1:2:3"))]), "a: \"1:2:3\""),
            (map(&[("a", Value::from("1:99"))]), "a: 1:99"),
            (
                map(&[("a", Value::from("2020-09-07"))]),
                "a: \"2020-09-07\"",
            ),
            (map(&[("a", Value::from("l1\nl2\n"))]), "a: |\n  l1\n  l2"),
            (map(&[("a", Value::from("l1\nl2"))]), "a: |-\n  l1\n  l2"),
            (map(&[("a", Value::from("tab\there"))]), "a: \"tab\\there\""),
            (
                map(&[(
                    "l",
                    Value::List(
                        vec![
                            Value::from("x"),
                            map(&[("k", Value::int(1)), ("m", Value::int(2))]),
                        ]
                        .into(),
                    ),
                )]),
                "l:\n- x\n- k: 1\n  m: 2",
            ),
            (
                map(&[("e", map(&[])), ("f", Value::List(Vec::new().into()))]),
                "e: {}\nf: []",
            ),
            (
                map(&[("m", map(&[("o", map(&[("p", Value::Nil)]))]))]),
                "m:\n  o:\n    p: null",
            ),
            // go-yaml v2 reads `n`/`y` as booleans, so it quotes them, keys too.
            (map(&[("n", Value::from("y"))]), "\"n\": \"y\""),
            (Value::from("x"), "x"),
        ];
        for (v, want) in cases {
            assert_eq!(to_yaml(&v), want);
        }
    }

    #[test]
    fn json() {
        let v = map(&[("a", Value::Float(1.0)), ("h", Value::from("<b>"))]);
        assert_eq!(to_json(&v, false, true), r#"{"a":1,"h":"\u003cb\u003e"}"#);
        assert_eq!(to_json(&v, false, false), r#"{"a":1,"h":"<b>"}"#);
    }
}
