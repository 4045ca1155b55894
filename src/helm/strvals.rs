//! Helm's `strvals`: how `--set`, `--set-string`, `--set-json`,
//! `--set-file` and `--set-literal` turn `a.b[0].c=x,d=y` into values.
//!
//! A port of `helm/pkg/strvals/parser.go`, quirks included, because a user's
//! `--set` must mean in caplevel what it means to `helm template`: `\`
//! escapes any character in keys and values, `{x,y}` is a list (`{}` is
//! `[""]`), `a[2]=x` pads the list with nulls, `true`/`false`/`null` and
//! integers without a leading zero are typed (`--set` only), a JSON value
//! is read to its end (`--set-json`, so `a=[1,2],b=3` works), and a
//! literal value runs to the end of the flag (`--set-literal`). Where Go
//! would panic on a type mismatch (`a.b=1` over `a: 3`) Helm reports an
//! error; so do we.

use std::sync::Arc;

use super::data::Data;

use super::values::VMap;

/// Which flag an expression came from: it decides how values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `--set`: typed scalars (`true`, `null`, `42`), `{a,b}` lists.
    Typed,
    /// `--set-string`: every scalar is a string.
    String,
    /// `--set-json`: each value is one JSON document.
    Json,
    /// `--set-file`: each value is a file path; the value is the file's text.
    File,
    /// `--set-literal`: one key, and everything after `=` verbatim.
    Literal,
}

/// Deepest `a.b.c…` nesting Helm accepts.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Largest list index Helm accepts.
const MAX_INDEX: i64 = 65_536;

/// Why parsing stopped: the end of the input (normal) or an error.
enum Stop {
    Eof,
    Err(String),
}

type Res<T> = Result<T, Stop>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Stop::Err(msg.into()))
}

/// Reads a `--set-file` path into its text.
pub(crate) type FileReader<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

struct Parser<'r, 'f> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode,
    reader: &'r mut FileReader<'f>,
}

/// Parses one flag's expression into `dest`, as Helm's `ParseInto`,
/// `ParseIntoString`, `ParseJSON`, `ParseIntoFile` or `ParseLiteralInto`.
/// `read_file` serves [`Mode::File`]. Values parsed before an error stay.
pub(crate) fn parse_into(
    expr: &str,
    dest: &mut VMap,
    mode: Mode,
    read_file: &mut FileReader<'_>,
) -> Result<(), String> {
    let mut p = Parser {
        chars: expr.chars().collect(),
        pos: 0,
        mode,
        reader: read_file,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => {}
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Err(e)) => return Err(e),
        }
    }
}

/// Runes until one of `stop` (consumed, returned) or the end; `\` escapes
/// the next rune except in literal mode.
fn is_stop(c: char, stop: &[char]) -> bool {
    stop.contains(&c)
}

impl Parser<'_, '_> {
    fn literal(&self) -> bool {
        self.mode == Mode::Literal
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Helm's `runesUntil`: the runes read, the stop rune, or `Eof` with
    /// what was read before the end.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.next() {
                None => return (v, None),
                Some(c) if is_stop(c, stop) => return (v, Some(c)),
                Some('\\') if !self.literal() => match self.next() {
                    Some(n) => v.push(n),
                    None => return (v, None),
                },
                Some(c) => v.push(c),
            }
        }
    }

    /// The value of a scalar as the flag reads it.
    fn read_value(&mut self, rs: &str) -> Res<Data> {
        match self.mode {
            Mode::Typed => Ok(typed(rs)),
            Mode::File => match (self.reader)(rs) {
                Ok(text) => Ok(Data::String(Arc::from(text.as_str()))),
                Err(e) => err(e),
            },
            Mode::String | Mode::Json | Mode::Literal => Ok(Data::String(Arc::from(rs))),
        }
    }

    fn key(&mut self, data: &mut VMap, mut level: usize) -> Res<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    err(format!("key {k:?} has no value"))
                }
            }
            Some('[') => {
                let i = self.key_index()?;
                let list = match data.get(k.as_str()) {
                    None => Vec::new(),
                    Some(Data::List(l)) => l.to_vec(),
                    Some(other) => return err(mismatch(&k, other, "a list")),
                };
                let (list, r) = self.list_item(list, i, level);
                set(data, &k, Data::List(list.into()));
                r
            }
            Some('=') => self.value_of_key(data, &k),
            Some(',') => {
                set(data, &k, Data::String(Arc::from("")));
                err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Some(_) => {
                // '.': a nested map.
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let mut inner = match data.get(k.as_str()) {
                    None => VMap::new(),
                    Some(Data::Map(m)) => (**m).clone(),
                    Some(other) => return err(mismatch(&k, other, "a map")),
                };
                let r = self.key(&mut inner, level);
                if r.is_ok() && inner.is_empty() {
                    return err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Data::Map(Arc::new(inner)));
                }
                r
            }
        }
    }

    /// After `key=`: the value, by mode.
    fn value_of_key(&mut self, data: &mut VMap, k: &str) -> Res<()> {
        match self.mode {
            Mode::Literal => {
                let (v, _) = self.until(&[]);
                set(data, k, Data::String(Arc::from(v.as_str())));
                Ok(())
            }
            Mode::Json => {
                if self.empty_val() {
                    set(data, k, Data::Nil);
                    return Ok(());
                }
                let v = self.json_value()?;
                set(data, k, v);
                self.empty_val();
                Ok(())
            }
            _ => match self.val_list() {
                Ok(list) => {
                    set(data, k, Data::List(list.into()));
                    Ok(())
                }
                Err(ListStop::Eof) => {
                    set(data, k, Data::String(Arc::from("")));
                    Err(Stop::Eof)
                }
                Err(ListStop::NotList) => {
                    let (rs, _) = self.until(&[',']);
                    let v = self.read_value(&rs)?;
                    set(data, k, v);
                    Ok(())
                }
                Err(ListStop::Err(e)) => err(e),
            },
        }
    }

    fn key_index(&mut self) -> Res<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return err("error parsing index: EOF");
        }
        v.parse::<i64>().or_else(|_| {
            err(format!(
                "error parsing index: strconv.Atoi: parsing {v:?}: invalid syntax"
            ))
        })
    }

    /// Helm's `listItem`: what follows `[i]`, set into `list`. Returns the
    /// list to store (even on error, as Helm stores it) and the outcome.
    fn list_item(&mut self, mut list: Vec<Data>, i: i64, level: usize) -> (Vec<Data>, Res<()>) {
        if i < 0 {
            return (list, err(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                err(format!("unexpected data at end of array index: {k:?}")),
            );
        }
        match last {
            None => (list, Err(Stop::Eof)),
            Some('=') => {
                let v = match self.mode {
                    Mode::Literal => {
                        let (v, _) = self.until(&[]);
                        Ok(Data::String(Arc::from(v.as_str())))
                    }
                    Mode::Json => {
                        if self.empty_val() {
                            Ok(Data::Nil)
                        } else {
                            let v = self.json_value();
                            self.empty_val();
                            v
                        }
                    }
                    _ => match self.val_list() {
                        Ok(l) => Ok(Data::List(l.into())),
                        Err(ListStop::Eof) => Ok(Data::String(Arc::from(""))),
                        Err(ListStop::NotList) => {
                            let (rs, _) = self.until(&[',']);
                            self.read_value(&rs)
                        }
                        Err(ListStop::Err(e)) => err(e),
                    },
                };
                match v {
                    Ok(v) => set_index(list, i, v),
                    Err(e) => (list, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match usize::try_from(i).ok().and_then(|i| list.get(i)) {
                    None => Vec::new(),
                    Some(Data::List(l)) => l.to_vec(),
                    Some(other) => {
                        let msg = mismatch(&format!("[{i}]"), other, "a list");
                        return (list, err(msg));
                    }
                };
                let (inner, r) = self.list_item(current, next, level);
                if let Err(e) = r {
                    return (list, Err(e));
                }
                set_index(list, i, Data::List(inner.into()))
            }
            Some(_) => {
                // '.': a map inside the list.
                let idx = usize::try_from(i).unwrap_or(usize::MAX);
                let mut inner = match list.get(idx) {
                    Some(Data::Map(m)) => (**m).clone(),
                    _ => VMap::new(),
                };
                if let Some(slot) = list.get_mut(idx)
                    && !matches!(slot, Data::Map(_))
                {
                    // Indices out of order: Helm starts an empty map here.
                    *slot = Data::Map(Arc::new(VMap::new()));
                }
                let r = self.key(&mut inner, level);
                if let Err(e) = r {
                    // Go mutated the map in the list in place before failing.
                    if let Some(slot) = list.get_mut(idx) {
                        *slot = Data::Map(Arc::new(inner));
                    }
                    return (list, Err(e));
                }
                set_index(list, i, Data::Map(Arc::new(inner)))
            }
        }
    }

    /// Helm's `emptyVal`: skips blanks; true (and a `,` consumed) at a comma
    /// or the end; false before anything else.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.chars.get(self.pos) {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += 1,
                Some(_) => return false,
            }
        }
    }

    /// One JSON document from here (Go's `json.Decoder.Decode`), consumed.
    fn json_value(&mut self) -> Res<Data> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let used = rest[..stream.byte_offset()].chars().count();
                self.pos += used;
                Ok(from_json(&v))
            }
            Some(Err(e)) => err(e.to_string()),
            None => err("unexpected end of JSON input"),
        }
    }

    /// Helm's `valList`: `{a,b}` after `=`, or why there is none.
    fn val_list(&mut self) -> Result<Vec<Data>, ListStop> {
        match self.chars.get(self.pos) {
            None => return Err(ListStop::Eof),
            Some('{') => self.pos += 1,
            Some(_) => return Err(ListStop::NotList),
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err(ListStop::Err("list must terminate with '}'".into())),
                Some('}') => {
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    return match self.read_value(&rs) {
                        Ok(v) => {
                            list.push(v);
                            Ok(list)
                        }
                        Err(Stop::Err(e)) => Err(ListStop::Err(e)),
                        Err(Stop::Eof) => Ok(list),
                    };
                }
                Some(_) => match self.read_value(&rs) {
                    Ok(v) => list.push(v),
                    Err(Stop::Err(e)) => return Err(ListStop::Err(e)),
                    Err(Stop::Eof) => return Ok(list),
                },
            }
        }
    }
}

/// Why `{…}` was not read.
enum ListStop {
    Eof,
    NotList,
    Err(String),
}

/// Helm's `set`: an empty key sets nothing.
fn set(data: &mut VMap, key: &str, v: Data) {
    if !key.is_empty() {
        data.insert(Arc::from(key), v);
    }
}

/// Helm's `setIndex`: pads with nulls; bounds as Helm's.
fn set_index(mut list: Vec<Data>, i: i64, v: Data) -> (Vec<Data>, Res<()>) {
    if i < 0 {
        return (list, err(format!("negative {i} index not allowed")));
    }
    if i > MAX_INDEX {
        return (
            list,
            err(format!(
                "index of {i} is greater than maximum supported index of {MAX_INDEX}"
            )),
        );
    }
    let i = usize::try_from(i).unwrap_or(0);
    if list.len() <= i {
        list.resize(i + 1, Data::Nil);
    }
    list[i] = v;
    (list, Ok(()))
}

/// The message for what would be a failed type assertion in Go.
fn mismatch(key: &str, found: &Data, wanted: &str) -> String {
    let kind = match found {
        Data::Nil => "null",
        Data::Bool(_) => "a boolean",
        Data::Int(_) | Data::Float(_) => "a number",
        Data::String(_) => "a string",
        Data::List(_) => "a list",
        Data::Map(_) => "a map",
    };
    format!("unable to parse key: {key:?} is {kind}, not {wanted}")
}

/// Helm's `typedVal` for `--set`.
pub(crate) fn typed(s: &str) -> Data {
    if s.eq_ignore_ascii_case("true") {
        return Data::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Data::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Data::Nil;
    }
    if s == "0" {
        return Data::Int(0);
    }
    if !s.is_empty()
        && !s.starts_with('0')
        && let Some(i) = parse_go_int(s)
    {
        return Data::Int(i);
    }
    Data::String(Arc::from(s))
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// A JSON value as Go's `encoding/json` decodes it into `interface{}`
/// (every number a float64).
pub(crate) fn from_json(v: &serde_json::Value) -> Data {
    match v {
        serde_json::Value::Null => Data::Nil,
        serde_json::Value::Bool(b) => Data::Bool(*b),
        serde_json::Value::Number(n) => Data::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Data::String(Arc::from(s.as_str())),
        serde_json::Value::Array(items) => {
            Data::List(items.iter().map(from_json).collect::<Vec<_>>().into())
        }
        serde_json::Value::Object(m) => Data::Map(Arc::new(
            m.iter()
                .map(|(k, v)| (Arc::from(k.as_str()), from_json(v)))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values as compact JSON (keys sorted), to compare with what helm
    /// printed for `{{ toJson .Values }}` with the same flag.
    fn json(v: &Data) -> String {
        match v {
            Data::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k:?}:{}", json(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Data::List(l) => format!("[{}]", l.iter().map(json).collect::<Vec<_>>().join(",")),
            Data::String(s) => format!("{s:?}"),
            Data::Nil => "null".into(),
            other => other.to_string(),
        }
    }

    fn run(mode: Mode, expr: &str) -> Result<String, String> {
        let mut m = VMap::new();
        let mut read = |p: &str| -> Result<String, String> {
            if p == "f.txt" {
                Ok("file text\n".into())
            } else {
                Err(format!("open {p}: no such file or directory"))
            }
        };
        parse_into(expr, &mut m, mode, &mut read)?;
        Ok(json(&Data::Map(Arc::new(m))))
    }

    /// Each case's expected output is what helm v4.1.4 printed for
    /// `{{ toJson .Values }}` given the same flag (or its error).
    #[test]
    fn set_matches_helm() {
        let ok = [
            ("a={}", r#"{"a":[""]}"#),
            ("a={x}", r#"{"a":["x"]}"#),
            ("a=", r#"{"a":""}"#),
            ("a[1]=x", r#"{"a":[null,"x"]}"#),
            ("a[0][1]=x", r#"{"a":[[null,"x"]]}"#),
            (r"a\.b=c\,d", r#"{"a.b":"c,d"}"#),
            (r#"a={"x,y",z}"#, r#"{"a":["\"x","y\"","z"]}"#),
            (
                "a=1,b=0x1,c=01,d=1.5,e=NULL,f=True",
                r#"{"a":1,"b":"0x1","c":"01","d":"1.5","e":null,"f":true}"#,
            ),
            ("a.b=1,a.c[0].d=2", r#"{"a":{"b":1,"c":[{"d":2}]}}"#),
            ("name=a=b", r#"{"name":"a=b"}"#),
        ];
        for (expr, want) in ok {
            assert_eq!(run(Mode::Typed, expr).as_deref(), Ok(want), "{expr}");
        }
        assert_eq!(
            run(Mode::Typed, "a={x,y}z"),
            Err("key \"z\" has no value".into())
        );
        assert!(run(Mode::Typed, "novalue").is_err());
        assert!(run(Mode::Typed, "a=1,").is_ok());
        assert!(run(Mode::Typed, "a[70000]=1").is_err());
        assert!(run(Mode::Typed, "a[x]=1").is_err());
    }

    #[test]
    fn set_string_json_literal_file_match_helm() {
        assert_eq!(
            run(Mode::String, "a=1,b=x").as_deref(),
            Ok(r#"{"a":"1","b":"x"}"#)
        );
        assert_eq!(
            run(Mode::String, "a.b=c=d,e"),
            Err("key \"e\" has no value".into())
        );
        assert_eq!(
            run(Mode::Literal, "a=1,b=x").as_deref(),
            Ok(r#"{"a":"1,b=x"}"#)
        );
        assert_eq!(
            run(Mode::Literal, "a.b=c=d,e").as_deref(),
            Ok(r#"{"a":{"b":"c=d,e"}}"#)
        );
        let json = [
            ("a=1", r#"{"a":1}"#),
            (r#"a={"b":[1,2]}"#, r#"{"a":{"b":[1,2]}}"#),
            ("a=null", r#"{"a":null}"#),
            ("a=, b=2", r#"{" b":2,"a":null}"#),
            (r#"a="x",b=[1]"#, r#"{"a":"x","b":[1]}"#),
            (r#"a[0]={"n":1}"#, r#"{"a":[{"n":1}]}"#),
        ];
        for (expr, want) in json {
            assert_eq!(run(Mode::Json, expr).as_deref(), Ok(want), "{expr}");
        }
        assert_eq!(
            run(Mode::File, "a=f.txt,b[0]=f.txt").as_deref(),
            Ok(r#"{"a":"file text\n","b":["file text\n"]}"#)
        );
        assert!(run(Mode::File, "a=missing.txt").is_err());
    }

    #[test]
    fn type_mismatches_are_errors_not_panics() {
        let mut m = VMap::new();
        let mut no_files = |_: &str| -> Result<String, String> { Err("no".into()) };
        parse_into("a=3,l={x}", &mut m, Mode::Typed, &mut no_files).unwrap();
        assert!(parse_into("a.b=1", &mut m, Mode::Typed, &mut no_files).is_err());
        assert!(parse_into("a[0]=1", &mut m, Mode::Typed, &mut no_files).is_err());
        assert!(parse_into("l[0][0]=1", &mut m, Mode::Typed, &mut no_files).is_err());
        // `{x}` is a list: an index into it is fine.
        parse_into("l[1]=y", &mut m, Mode::Typed, &mut no_files).unwrap();
    }
}
