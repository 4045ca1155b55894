//! YAML as Kubernetes reads it, with positions.
//!
//! Every node of every document keeps the line and column where it starts, so a
//! finding can point at a file and line. Plain scalars resolve with the YAML 1.1
//! rules of go-yaml v2 (what `sigs.k8s.io/yaml`, and so `kubectl`, uses):
//! `yes/no/on/off/y/n` are booleans (as keys too: `on:` is the key `"true"`),
//! `0644` is octal, `<<` merge keys merge.
//! A key repeated in one mapping is a warning and the last value wins.
//! Hostile input is bounded by [`Limits`]: file size, nesting depth and the
//! number of nodes that alias expansion may create.
//!
//! # Positions
//!
//! A node's [`Pos`] is where `saphyr-parser` starts it: a scalar at its first
//! character, or at its anchor or tag when it has one (`&a value`, `!!str 1`);
//! a block scalar (`|`, `>`) at its first content line, not at the indicator;
//! a block mapping at its first key; a flow collection at its `[` or `{`; a
//! block sequence at its first `-`, except an indentless one (`key:` then
//! `- item` at the key's own indentation), which starts at its first item's
//! content. An empty value (`key:`) is at the `:`. An alias expands to a copy
//! of the anchored node, positions included; merged keys keep the positions
//! where the merged mapping wrote them.
//!
//! # Differences from go-yaml v2
//!
//! Deliberate, where go-yaml's behaviour is an accident or an error:
//! keys written in a mapping win over `<<` merged ones wherever they stand
//! (go-yaml lets whichever comes later win); a `<<` of something other than
//! mappings is a warning (go-yaml: an error); a value over `i64` is a float
//! (go-yaml: `uint64`); an ill-typed `!!int`/`!!float`/`!!bool`/`!!null` scalar is an
//! error issue and a string (go-yaml rejects the document); a complex key is a
//! warning and its entry is skipped. NEL (`U+0085`) is a line break, as in
//! go-yaml (YAML 1.1; 1.2 made it an ordinary character): it ends a comment
//! or a plain scalar's line, folds to a space in a quoted scalar and is a
//! newline in a block scalar. A quoted scalar whose NEL leaves its
//! continuation at column 0 reads right, with the `yaml-lenient` warning
//! such a continuation gets (see below). Like go-yaml, a scalar under a tag it does
//! not know (`!foo 12`, `! 12`) is the string `"12"`, and anchors do not reach
//! across documents.
//!
//! libyaml accepts continuation lines of quoted scalars indented with tabs or
//! less than their block, which YAML 1.2 and `saphyr-parser` reject; such a
//! file is read as Kubernetes reads it, with a warning (see `relax.rs`).

use indexmap::IndexMap;

mod parse;
mod path;
mod relax;
mod scalar;
#[cfg(test)]
mod tests;

/// The UTF-8 byte order mark, which editors on Windows like to write.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A position in a source file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
}

/// One YAML node with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The resolved value.
    pub value: Value,
    /// Where the node starts in its file.
    pub pos: Pos,
}

/// A resolved YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, an empty value.
    Null,
    /// A boolean (YAML 1.1 spellings included).
    Bool(bool),
    /// An integer (decimal, `0x` hex, `0` octal, `0b` binary, `_` separators).
    Int(i64),
    /// A float (including `.inf`, `.nan`).
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys in document order.
    Map(Mapping),
}

/// A mapping: keys are strings (non-string keys are turned into their text, as
/// Kubernetes' YAML-to-JSON conversion does), in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// key -> (position of the key, value node)
    pub entries: IndexMap<String, (Pos, Node)>,
}

/// One parsed document of a (possibly multi-document) stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's root node (`Value::Null` for an empty document).
    pub root: Node,
}

/// How bad a parse issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IssueSeverity {
    /// The data was read, but something is odd (a duplicate key).
    Warning,
    /// Part of the file could not be read.
    Error,
}

/// A problem met while reading a YAML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Warning or error.
    pub severity: IssueSeverity,
    /// What kind of problem, for reports.
    pub code: crate::diag::Code,
    /// Where, when known.
    pub pos: Option<Pos>,
    /// What went wrong, in the parser's words.
    pub message: String,
}

/// Bounds against hostile input. Every bound breached is an [`Issue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 100_000,
        }
    }
}

/// What one file yielded: the documents read before any fatal error, and the issues.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// Documents in file order (empty documents included as `Value::Null`).
    pub documents: Vec<Document>,
    /// Warnings and errors, in file order.
    pub issues: Vec<Issue>,
    /// What `sigs.k8s.io/yaml` (kubectl, Helm's values files and rendered
    /// manifests, Sprig's `fromYaml`) cannot convert to JSON, which this
    /// reader tolerates: a null or a complex mapping key, an infinite or NaN
    /// number. Not issues: most readers accept them; Helm's callers turn
    /// them into its errors ([`Parsed::json_error`]).
    pub json: Vec<JsonProblem>,
}

/// One thing `sigs.k8s.io/yaml`'s YAML-to-JSON conversion refuses.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonProblem {
    /// Index of the document in [`Parsed::documents`].
    pub doc: usize,
    /// Which stage refuses it: 0 go-yaml's decoding (a complex key), 1 the
    /// conversion (a null key), 2 `encoding/json` (Inf, NaN); the earliest
    /// stage is the error reported.
    pub stage: u8,
    /// Where.
    pub pos: Pos,
    /// The error in Go's words (`json: unsupported value: +Inf`).
    pub message: String,
}

impl Parsed {
    /// The error `sigs.k8s.io/yaml` reports for document `doc`, if any (the
    /// earliest stage first, then file order).
    #[must_use]
    pub fn json_error(&self, doc: usize) -> Option<&JsonProblem> {
        self.json
            .iter()
            .filter(|p| p.doc == doc)
            .min_by_key(|p| (p.stage, p.pos))
    }
}

/// A YAML value as Go's `%#v` prints what go-yaml v2 decoded it to
/// (`"a"`, `1`, `[]interface {}{1, 2}`, `map[interface {}]interface {}{"a":1}`).
#[must_use]
pub fn go_repr(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::gotemplate::go_float(*f),
        Value::String(s) => crate::gotemplate::go_quote(s),
        Value::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items
                .iter()
                .map(|n| go_repr(&n.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(m) => {
            let mut entries: Vec<(&str, &Node)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                entries
                    .iter()
                    .map(|(k, n)| format!(
                        "{}:{}",
                        crate::gotemplate::go_quote(k),
                        go_repr(&n.value)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Parses a whole file's bytes.
///
/// Checks first what the YAML parser should never see: a file larger than
/// [`Limits::max_file_bytes`], bytes that are not UTF-8 (UTF-16 included) and
/// NUL bytes (the parser would take a NUL for the end of the input). Each is
/// one [`IssueSeverity::Error`] and no document. A leading UTF-8 byte order
/// mark is dropped; CRLF line ends are fine.
#[must_use]
pub fn parse_bytes(bytes: &[u8], limits: &Limits) -> Parsed {
    if let Some(parsed) = check_size(bytes.len(), limits) {
        return parsed;
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_checked(text, limits),
        Err(err) => {
            let message = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                "the file is UTF-16 (it starts with a UTF-16 byte order mark); \
                 only UTF-8 is read"
                    .to_owned()
            } else {
                "the file is not valid UTF-8; it is not read".to_owned()
            };
            // Everything before the bad byte is valid UTF-8 by definition.
            let before = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
            failed(
                crate::diag::Code::Unreadable,
                Some(end_pos(before)),
                message,
            )
        }
    }
}

/// Parses text: as [`parse_bytes`] without the UTF-8 check (the size limit,
/// the byte order mark and the NUL check still apply).
#[must_use]
pub fn parse_str(text: &str, limits: &Limits) -> Parsed {
    if let Some(parsed) = check_size(text.len(), limits) {
        return parsed;
    }
    parse_checked(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)
}

/// The NUL check, go-yaml's character check, then the parser.
fn parse_checked(text: &str, limits: &Limits) -> Parsed {
    if let Some(at) = text.find('\0') {
        return failed(
            crate::diag::Code::Unreadable,
            Some(end_pos(&text[..at])),
            "the file contains a NUL byte; it is not a YAML text file and is not read".to_owned(),
        );
    }
    if let Some((at, problem)) = first_reader_error(text) {
        let message = match problem {
            ReaderError::Control(c) => format!(
                "{CONTROL_CHARACTERS} (U+{:04X}; Kubernetes and Helm refuse the document)",
                u32::from(c)
            ),
            ReaderError::Utf8(m) => format!("{m} (Kubernetes and Helm refuse the document)"),
        };
        return failed(
            crate::diag::Code::YamlSyntax,
            Some(end_pos(&text[..at])),
            message,
        );
    }
    if let Some(at) = incompatible_version_directive(text) {
        return failed(
            crate::diag::Code::YamlSyntax,
            Some(end_pos(&text[..at])),
            INCOMPATIBLE_DOCUMENT.to_owned(),
        );
    }
    // go-yaml's reader (libyaml's READ_LINE) reads NEL as a line break and
    // normalizes it to LF, as it does CR LF: the same two bytes of CR LF
    // put in its place give saphyr the same breaks without moving any
    // offset, so spans and positions stay those of the text.
    if text.contains('\u{85}') {
        return parse::parse_text(&text.replace('\u{85}', "\r\n"), limits);
    }
    parse::parse_text(text, limits)
}

/// go-yaml's decoder error for a `<<` merge of anything but a mapping or a
/// sequence of mappings.
pub const MAP_MERGE: &str = "map merge requires map or sequence of maps as the value";

/// go-yaml v2's parser error for a `%YAML` directive naming another version
/// than 1.1 (`%YAML 1.2`): Kubernetes and Helm read YAML 1.1 only.
pub const INCOMPATIBLE_DOCUMENT: &str = "found incompatible YAML document";

/// Where a `%YAML` directive other than `%YAML 1.1` starts, if any: a line
/// beginning `%YAML` where directives stand (the start of the stream, or
/// after a `...` document end), before the document's first content.
fn incompatible_version_directive(text: &str) -> Option<usize> {
    let mut directives = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content == "..." || content.starts_with("... ") {
            directives = true;
            continue;
        }
        if !directives {
            continue;
        }
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = content.strip_prefix("%YAML")
            && rest.starts_with([' ', '\t'])
        {
            let version = rest.split('#').next().unwrap_or_default().trim();
            if version != "1.1" {
                return Some(start);
            }
            continue;
        }
        if content.starts_with('%') {
            continue;
        }
        directives = false;
    }
    None
}

/// go-yaml's reader error for a character outside YAML's printable set.
pub const CONTROL_CHARACTERS: &str = "control characters are not allowed";

/// The byte offset and character of the first character go-yaml's reader
/// refuses, if any.
///
/// YAML's `c-printable` set, as go-yaml (v2 and v3, `readerc.go`,
/// `yaml_parser_update_buffer`) checks every decoded character before the
/// scanner sees it: tab, LF, CR, `0x20`–`0x7E`, NEL (`0x85`), `0xA0`–`0xD7FF`,
/// `0xE000`–`0xFFFD` and `0x10000` up. Everything else (C0 controls, DEL, the
/// C1 controls but NEL, `U+FFFE`/`U+FFFF`) fails the whole document with
/// `yaml: control characters are not allowed`, which is how `sigs.k8s.io/yaml`
/// (kubectl, Helm's values and rendered manifests, `fromYaml`) reports it.
/// saphyr accepts them, so the check is ours. (Surrogates cannot occur in a
/// Rust string.)
#[must_use]
pub fn first_control_character(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| {
        !matches!(
            c,
            '\t' | '\n' | '\r'
                | '\u{20}'..='\u{7E}'
                | '\u{85}'
                | '\u{A0}'..='\u{D7FF}'
                | '\u{E000}'..='\u{FFFD}'
                | '\u{10000}'..
        )
    })
}

/// What go-yaml's reader refuses first in a text: a character outside
/// YAML's printable set, or a byte that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderError {
    /// [`first_control_character`]'s character.
    Control(char),
    /// go-yaml's words for a byte sequence that is not UTF-8.
    Utf8(&'static str),
}

impl ReaderError {
    /// go-yaml's message (`yaml: ` and `sigs.k8s.io/yaml`'s prefix left off).
    #[must_use]
    pub fn go_message(self) -> &'static str {
        match self {
            ReaderError::Control(_) => CONTROL_CHARACTERS,
            ReaderError::Utf8(m) => m,
        }
    }
}

/// The first problem go-yaml's reader (`yaml_parser_update_buffer`) finds,
/// in text order: a control character, or a byte that is not UTF-8. A text
/// holds such bytes only as Go strings carry them (a template file or a
/// `.Files` read that is not UTF-8, see
/// [`crate::gotemplate::go_string_from_bytes`]); the bytes are decoded as
/// go-yaml decodes them, with its message for each way UTF-8 can break.
#[must_use]
pub fn first_reader_error(text: &str) -> Option<(usize, ReaderError)> {
    let control = first_control_character(text);
    let carried = text
        .char_indices()
        .find(|&(_, c)| crate::gotemplate::is_carried_byte(c));
    match (control, carried) {
        (Some((a, c)), Some((b, _))) if a < b => Some((a, ReaderError::Control(c))),
        (_, Some((b, _))) => Some((b, ReaderError::Utf8(utf8_problem(&text[b..])))),
        (Some((a, c)), None) => Some((a, ReaderError::Control(c))),
        (None, None) => None,
    }
}

/// go-yaml's reader on the bytes at a sequence that is not UTF-8.
fn utf8_problem(text: &str) -> &'static str {
    let bytes: Vec<u8> =
        crate::gotemplate::go_string_bytes(&text.chars().take(4).collect::<String>()).into_owned();
    let lead = bytes[0];
    let width = match lead {
        b if b & 0x80 == 0 => 1,
        b if b & 0xE0 == 0xC0 => 2,
        b if b & 0xF0 == 0xE0 => 3,
        b if b & 0xF8 == 0xF0 => 4,
        _ => return "invalid leading UTF-8 octet",
    };
    if bytes.len() < width {
        return "incomplete UTF-8 octet sequence";
    }
    let mut value = u32::from(match width {
        2 => lead & 0x1F,
        3 => lead & 0x0F,
        _ => lead & 0x07,
    });
    for &b in &bytes[1..width] {
        if b & 0xC0 != 0x80 {
            return "invalid trailing UTF-8 octet";
        }
        value = (value << 6) | u32::from(b & 0x3F);
    }
    let min = match width {
        2 => 0x80,
        3 => 0x800,
        _ => 0x1_0000,
    };
    if value < min {
        return "invalid length of a UTF-8 sequence";
    }
    "invalid Unicode character"
}

fn check_size(len: usize, limits: &Limits) -> Option<Parsed> {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    (len > limits.max_file_bytes).then(|| {
        failed(
            crate::diag::Code::Limit,
            None,
            format!(
                "the file is {len} bytes, over the limit of {} bytes; it is not read",
                limits.max_file_bytes
            ),
        )
    })
}

/// A result with no document and one error.
fn failed(code: crate::diag::Code, pos: Option<Pos>, message: String) -> Parsed {
    Parsed {
        documents: Vec::new(),
        issues: vec![Issue {
            severity: IssueSeverity::Error,
            code,
            pos,
            message,
        }],
        json: Vec::new(),
    }
}

/// The position just after `text`, i.e. of the character that follows it.
fn end_pos(text: &str) -> Pos {
    let line = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let last_line = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    let column = last_line.chars().count() + 1;
    Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

impl Node {
    /// The value under `key` if this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// The node at a dotted path such as `spec.install.spec.deployments[0].name`.
    ///
    /// Segments are separated by `.`; `[N]` indexes a sequence; a key holding
    /// dots or brackets is quoted, in brackets or on its own:
    /// `metadata.annotations["alm-examples"]`, `metadata.labels."app.kubernetes.io/name"`.
    /// Inside double quotes `\"` and `\\` escape. The empty path is the node
    /// itself. A malformed path finds nothing.
    pub fn path(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for segment in path::parse(path)? {
            node = match segment {
                path::Segment::Key(key) => node.get(&key)?,
                path::Segment::Index(i) => node.as_seq()?.get(i)?,
            };
        }
        Some(node)
    }

    /// The items of the sequence at `path` (see [`Node::path`]); none when
    /// nothing is there or it is not a sequence, as a manifest's absent or
    /// null list reads.
    pub fn seq_at(&self, path: &str) -> &[Node] {
        self.path(path).and_then(Node::as_seq).unwrap_or_default()
    }

    /// The text of a string node (not of numbers or booleans: see
    /// [`Node::scalar_text`]).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The mapping of a mapping node.
    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The value of a boolean node (`yes`/`on` included, as YAML 1.1 reads them).
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value of an integer node, or of a float node with no fractional
    /// part that fits an `i64`: Kubernetes reads `replicas: 1.0` as 1, because
    /// its YAML-to-JSON step writes the float as `1`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) => float_as_i64(f),
            _ => None,
        }
    }

    /// Removes every null below this node, as Kubernetes' decoder reads
    /// them: a mapping entry whose value is null (`args:` with nothing
    /// after it, `annotations: ~`) is an absent field, and a null list item
    /// decodes to an empty value that says nothing, so both are dropped.
    /// Recursive, which is fine: nesting is bounded by [`Limits::max_depth`].
    pub fn drop_nulls(&mut self) {
        match &mut self.value {
            Value::Map(map) => {
                map.entries.retain(|_, (_, v)| !v.is_null());
                for (_, v) in map.entries.values_mut() {
                    v.drop_nulls();
                }
            }
            Value::Seq(items) => {
                items.retain(|v| !v.is_null());
                for v in items {
                    v.drop_nulls();
                }
            }
            _ => {}
        }
    }

    /// Whether the node is null (`null`, `~`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The node as JSON, as Kubernetes' YAML-to-JSON step would give it.
    ///
    /// Integral floats become JSON integers (Go writes `float64(1)` as `1`);
    /// `.nan`, `.inf` and `-.inf`, which JSON cannot hold, become those strings.
    /// Object keys are sorted (`serde_json`'s default map). Recursive, which is
    /// fine: nesting is bounded by [`Limits::max_depth`].
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => match float_as_i64(*f) {
                Some(i) => J::from(i),
                None => serde_json::Number::from_f64(*f)
                    .map_or_else(|| J::String(scalar::format_float(*f)), J::Number),
            },
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A JSON value as a node, every part of it at `pos` (a synthesized
    /// object located at one place of a file: a catalog entry's line, the
    /// `roleRef` naming a built-in role). Numbers stay integers when they
    /// are, floats otherwise.
    pub fn from_json(value: &serde_json::Value, pos: Pos) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|v| Node::from_json(v, pos)).collect()),
            J::Object(map) => Value::Map(Mapping {
                entries: map
                    .iter()
                    .map(|(k, v)| (k.clone(), (pos, Node::from_json(v, pos))))
                    .collect(),
            }),
        };
        Node { value, pos }
    }

    /// A scalar as text: a string as is, numbers and booleans as Go would
    /// print them (`420` for `0644`, `true` for `yes`, `1e+06` for `1e6`).
    /// `None` for null, sequences and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(scalar::format_float(*f)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// `f` as an `i64` when it is a whole number in range.
fn float_as_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; anything below it that is whole fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

/// Mappings up to this size are searched by scanning their keys.
const SCAN_UP_TO: usize = 8;

impl Mapping {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        // Most Kubernetes mappings hold a handful of keys, and analysis
        // looks keys up by the million: comparing a few strings is cheaper
        // than hashing the key.
        if self.entries.len() <= SCAN_UP_TO {
            return self
                .entries
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, (_, node))| node);
        }
        self.entries.get(key).map(|(_, node)| node)
    }

    /// Where `key` is written (the first occurrence if it is repeated; for a
    /// key that came from a `<<` merge, where the merged mapping wrote it).
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries.get(key).map(|(pos, _)| *pos)
    }

    /// Keys and values in document order (merged keys after the written ones).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, (_, node))| (k.as_str(), node))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the mapping has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
