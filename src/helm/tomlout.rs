//! Helm's `toToml`: template data written as BurntSushi/toml's encoder
//! writes it (Helm calls `toml.NewEncoder(buf).Encode(v)`).
//!
//! The encoder is owned rather than taken from the `toml` crate because
//! `toToml` output is compared byte for byte with `helm template`, and
//! BurntSushi's layout is its own: keys without a sub-table first, each
//! group in Go's sorted order; a blank line before every top-level
//! `[table]` and every `[[array]]` of tables, none before a nested
//! `[a.b]`; nested tables indented two spaces per level; an array whose
//! elements are all maps written as `[[key]]` tables, any other array
//! inline with maps as `{k = v}` (even the stray `{a = 1, }` Go writes
//! when an inline map's last direct key is nil); floats as Go's `%g`
//! (`1e+20`, `3.0`); nil map values left out; a nil array element an
//! error. An encoding error is returned as the text `toToml` prints
//! (`toml: cannot encode array with nil element`), not a failure.

use crate::gotemplate::{Map, Value, go_float};

use super::gotime;

/// Indentation per table level (the encoder's default `Indent`).
const INDENT: &str = "  ";

/// What `toToml` prints for `v`: the document, or the encoder's error
/// text. `Err` is a failure of the function call itself (Go panics in
/// `reflect` on an untyped nil), which fails the template as in Helm.
pub(crate) fn to_toml(v: &Value) -> Result<String, String> {
    if matches!(v, Value::Nil) {
        return Err("reflect: call of reflect.Value.Type on zero Value".into());
    }
    let mut enc = Encoder::default();
    match enc.encode(&[], v, 0) {
        Ok(()) => Ok(enc.out),
        Err(e) => Ok(e.to_string()),
    }
}

/// The encoder's errors, by their Go text.
#[derive(Debug, Clone, Copy)]
enum EncodeError {
    NilElement,
    NoKey,
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EncodeError::NilElement => "toml: cannot encode array with nil element",
            EncodeError::NoKey => "toml: top-level values must be Go maps or structs",
        })
    }
}

type Res = Result<(), EncodeError>;

/// Deeper than this, data is a map that holds itself: written no further.
const MAX_DEPTH: usize = 1000;

#[derive(Default)]
struct Encoder {
    out: String,
}

/// How BurntSushi classifies a value (`tomlTypeOfGo`), as far as layout
/// depends on it.
#[derive(PartialEq)]
enum Kind {
    /// nil: no TOML type (left out of maps, an error in arrays).
    Nil,
    /// A map written as a table.
    Table,
    /// A non-empty array of maps only, written as `[[key]]` tables.
    ArrayOfTables,
    /// Anything written after `key = `.
    Plain,
}

/// A value's layout class; a nil element in an array (at any depth of
/// nested arrays) is the encoder's error, raised while classifying.
fn kind(v: &Value, depth: usize) -> Result<Kind, EncodeError> {
    Ok(match v {
        // BurntSushi's isNil: a nil slice is left out like nil.
        Value::Nil | Value::Bytes(None) => Kind::Nil,
        Value::Map(m)
            if gotime::is_time(m) || m.go_type().is_some_and(|t| t.stringer.is_some()) =>
        {
            Kind::Plain
        }
        Value::Map(_) => Kind::Table,
        Value::List(items) => {
            let mut all_tables = !items.is_empty();
            for item in items.iter() {
                let k = if depth > MAX_DEPTH {
                    Kind::Plain
                } else {
                    kind(item, depth + 1)?
                };
                match k {
                    Kind::Nil => return Err(EncodeError::NilElement),
                    Kind::Table => {}
                    _ => all_tables = false,
                }
            }
            if all_tables {
                Kind::ArrayOfTables
            } else {
                Kind::Plain
            }
        }
        _ => Kind::Plain,
    })
}

/// The key/value pairs a map is written with: a Go struct's exported
/// fields under their Go names (TOML ignores JSON tags), a map's entries.
fn pairs(m: &Map) -> Vec<(std::sync::Arc<str>, Value)> {
    match m.go_struct() {
        Some(t) => t
            .fields
            .iter()
            .filter(|f| f.json.is_some())
            .map(|f| {
                (
                    std::sync::Arc::from(f.name),
                    m.get(f.name).unwrap_or_default(),
                )
            })
            .collect(),
        None => m.pairs(),
    }
}

impl Encoder {
    /// `wf`: any write counts as "something written" for [`Self::newline`].
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// BurntSushi writes a newline only once something has been written.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn encode(&mut self, key: &[&str], v: &Value, depth: usize) -> Res {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        match kind(v, depth)? {
            Kind::Nil => Ok(()),
            Kind::Table => {
                let Value::Map(m) = v else { return Ok(()) };
                if key.len() == 1 {
                    // A blank line between top-level tables.
                    self.newline();
                }
                if !key.is_empty() {
                    let line = format!("{}[{}]", indent(key), dotted(key));
                    self.write(&line);
                    self.newline();
                }
                self.map(key, m, false, depth)
            }
            Kind::ArrayOfTables => {
                if key.is_empty() {
                    return Err(EncodeError::NoKey);
                }
                let Value::List(items) = v else { return Ok(()) };
                for item in items.iter() {
                    let Value::Map(m) = item else { continue };
                    self.newline();
                    let line = format!("{}[[{}]]", indent(key), dotted(key));
                    self.write(&line);
                    self.newline();
                    self.map(key, m, false, depth)?;
                }
                Ok(())
            }
            Kind::Plain => self.key_value(key, v, false, depth),
        }
    }

    /// `key = value` (a bare value at the top level).
    fn key_value(&mut self, key: &[&str], v: &Value, inline: bool, depth: usize) -> Res {
        if let Some(last) = key.last() {
            let prefix = format!("{}{} = ", indent(key), quote_key(last));
            self.write(&prefix);
        }
        self.element(v, depth)?;
        if !inline && !key.is_empty() {
            self.newline();
        }
        Ok(())
    }

    /// A map's keys: those without a sub-table first, then the tables,
    /// each group sorted; nil values left out. `inline` writes `{k = v}`.
    fn map(&mut self, key: &[&str], m: &Map, inline: bool, depth: usize) -> Res {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in pairs(m) {
            match kind(&v, depth + 1)? {
                Kind::Table | Kind::ArrayOfTables => sub.push((k, v)),
                _ => direct.push((k, v)),
            }
        }
        if m.go_struct().is_none() {
            direct.sort_by(|a, b| a.0.cmp(&b.0));
            sub.sort_by(|a, b| a.0.cmp(&b.0));
        }
        if inline {
            self.write("{");
        }
        let trail = !sub.is_empty();
        for (group, trail_comma) in [(direct, trail), (sub, false)] {
            let n = group.len();
            for (i, (k, v)) in group.into_iter().enumerate() {
                if matches!(v, Value::Nil) {
                    // Skipped before its comma is considered, as in Go:
                    // hence `{a = 1, }` when the last key is nil.
                    continue;
                }
                if inline {
                    self.key_value(&[&k], &v, true, depth + 1)?;
                    if trail_comma || i + 1 != n {
                        self.write(", ");
                    }
                } else {
                    let mut child: Vec<&str> = key.to_vec();
                    child.push(&k);
                    self.encode(&child, &v, depth + 1)?;
                }
            }
        }
        if inline {
            self.write("}");
        }
        Ok(())
    }

    /// A value in `key = value` position or inside an array.
    fn element(&mut self, v: &Value, depth: usize) -> Res {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        match v {
            Value::Nil => Err(EncodeError::NilElement),
            Value::Bool(b) => {
                self.write(if *b { "true" } else { "false" });
                Ok(())
            }
            Value::Int(i, _) => {
                self.write(&i.to_string());
                Ok(())
            }
            Value::Float(f) => {
                self.write(&toml_float(*f));
                Ok(())
            }
            Value::String(s) => {
                let q = quote(s);
                self.write(&q);
                Ok(())
            }
            // A []byte is an array of its integers.
            Value::Bytes(_) => {
                self.element(&Value::list(v.slice_items().unwrap_or_default()), depth)
            }
            Value::List(items) => {
                // Classify first: a nil anywhere in nested arrays is an
                // error before anything of this array is written.
                kind(v, depth)?;
                self.write("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.write(", ");
                    }
                    self.element(item, depth + 1)?;
                }
                self.write("]");
                Ok(())
            }
            Value::Map(m) => {
                if let Some(text) = gotime::toml_text(m) {
                    self.write(&text);
                    return Ok(());
                }
                if let Some(s) = m.go_type().and_then(|t| t.stringer) {
                    // A `TextMarshaler` (semver's version): its text, quoted.
                    let text = m.get(s).map(|v| v.as_str().unwrap_or_default().to_string());
                    let q = quote(&text.unwrap_or_default());
                    self.write(&q);
                    return Ok(());
                }
                self.map(&[], m, true, depth)
            }
        }
    }
}

/// `strings.Repeat(Indent, len(key)-1)`.
fn indent(key: &[&str]) -> String {
    INDENT.repeat(key.len().saturating_sub(1))
}

/// A table header's key path: each part bare or quoted, joined by dots.
fn dotted(key: &[&str]) -> String {
    key.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// A bare key when it is non-empty and only ASCII letters, digits, `_`
/// and `-`; otherwise a quoted one.
fn quote_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { k.to_string() } else { quote(k) }
}

/// A basic string as BurntSushi's replacer writes it: `"` and `\`
/// escaped, control characters (and DEL) as `\b \t \n \f \r` or
/// `\u00XX`; everything else, non-ASCII included, as is.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\0'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as Go's shortest `%g`, with `.0` added when that has neither a
/// point nor an exponent (TOML floats need one); `nan`, `+inf`, `-inf`.
fn toml_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+inf" } else { "-inf" }.into();
    }
    let s = go_float(f);
    if s.contains(['.', 'e']) { s } else { s + ".0" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::Entries;
    use std::sync::Arc;

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        let mut e = Entries::new();
        for (k, v) in pairs {
            e.insert(Arc::from(k), v);
        }
        Value::map(e)
    }

    #[test]
    fn layout_as_burntsushi() {
        let v = map(vec![
            ("z", Value::int(1)),
            (
                "a",
                map(vec![
                    ("e", Value::int(2)),
                    ("b", map(vec![("c", map(vec![("d", Value::Float(1.0))]))])),
                ]),
            ),
            (
                "l",
                Value::list(vec![
                    map(vec![("x", Value::str("s\"\u{1}"))]),
                    map(vec![("n", Value::Nil), ("y b", Value::Float(1e20))]),
                ]),
            ),
        ]);
        assert_eq!(
            to_toml(&v).unwrap(),
            "z = 1\n\n[a]\n  e = 2\n  [a.b]\n    [a.b.c]\n      d = 1.0\n\n[[l]]\n  x = \"s\\\"\\u0001\"\n\n[[l]]\n  \"y b\" = 1e+20\n"
        );
    }

    #[test]
    fn inline_maps_and_errors() {
        let mixed = map(vec![(
            "m",
            Value::list(vec![
                map(vec![("a", Value::int(1)), ("n", Value::Nil)]),
                Value::int(3),
            ]),
        )]);
        assert_eq!(to_toml(&mixed).unwrap(), "m = [{a = 1, }, 3]\n");
        let nil_elem = map(vec![(
            "l",
            Value::list(vec![Value::list(vec![Value::int(1), Value::Nil])]),
        )]);
        assert_eq!(
            to_toml(&nil_elem).unwrap(),
            "toml: cannot encode array with nil element"
        );
        let top_tables = Value::list(vec![map(vec![("a", Value::int(1))])]);
        assert_eq!(
            to_toml(&top_tables).unwrap(),
            "toml: top-level values must be Go maps or structs"
        );
        assert_eq!(to_toml(&Value::str("x")).unwrap(), "\"x\"");
        assert!(to_toml(&Value::Nil).is_err());
    }
}
