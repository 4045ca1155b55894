//! The Sprig and Helm template functions, over the engine's [`Value`]s.
//!
//! Pure functions only; `include`, `tpl`, `required`-style helpers that need
//! the template set live in `render.rs`. Each function's arguments are
//! checked against its Go signature before it runs (`sigs.rs`: a float
//! where an `int` is wanted is Go's `wrong type for value`), so the bodies
//! here see the types Go would give them; conversions inside them stay
//! lenient only where Go's own body would convert. Random and crypto
//! functions draw from one generator reseeded when a render starts
//! (`random.rs`), so output is deterministic.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use crate::gotemplate::{
    ElemZero, Entries as VMap, GoField, GoKind, GoType, IntKind, Map, STRING_MAP, Set, Slice,
    SliceType, Value, deep_equal, go_quote, go_string_bytes, go_string_from_bytes, sprint, sprintf,
};

use super::gotime::{self, GoTime, Zone};
use super::random::{self, KeyType};
use super::yamlout::{
    from_serde, go_value_string, node_value, non_finite, to_json, to_yaml, to_yaml_pretty,
};
use super::{crypto, digest, gojson, goutil, numbers, semver, tomllex, tomlout, xstrings, yamlerr};

type R = Result<Value, String>;

/// A function of this module: evaluated arguments in, a value or Go-style
/// error text out.
type PlainFn = Rc<dyn Fn(&[Value]) -> R>;

/// Largest list `until`/`seq`/`untilStep` build, against hostile templates.
pub(crate) const MAX_LIST: i64 = 100_000;

/// Longest text a function may build or a template execution may write,
/// against templates that grow text without end (a string doubled in a
/// loop, `indent` of a huge string, `toYaml` of a list sharing one big
/// string a million times). Memory for text stays a small multiple of this.
pub(crate) const MAX_TEXT: usize = 32 * 1024 * 1024;

/// Functions that print whole structures: their arguments are sized before
/// they run, since their output can dwarf what the arguments hold in memory
/// (lists and maps share their elements).
const PRINTERS: &[&str] = &[
    "print",
    "println",
    "printf",
    "cat",
    "join",
    "toString",
    "toStrings",
    "toYaml",
    "mustToYaml",
    "toYamlPretty",
    "toJson",
    "mustToJson",
    "toPrettyJson",
    "mustToPrettyJson",
    "toRawJson",
    "mustToRawJson",
    "toToml",
    "quote",
    "squote",
    "fail",
];

/// The length of the text `v` prints as, roughly (at least its strings'
/// bytes), counted only until it passes `budget`.
pub(crate) fn text_size(v: &Value, budget: usize) -> usize {
    fn walk(v: &Value, budget: usize, acc: &mut usize, depth: usize) {
        if *acc > budget {
            return;
        }
        if depth > 1000 {
            // A map that holds itself: count it as over any budget.
            *acc = budget.saturating_add(1);
            return;
        }
        match v {
            Value::String(s) => *acc += s.len(),
            // Printed as `[97 98 …]`: up to four bytes each.
            Value::Bytes(b) => *acc += 4 * b.as_ref().map_or(0, |b| b.len()),
            Value::List(items) => {
                for item in items.iter() {
                    *acc += 1;
                    walk(item, budget, acc, depth + 1);
                    if *acc > budget {
                        return;
                    }
                }
            }
            Value::Map(m) => {
                for (k, item) in m.borrow().iter() {
                    *acc += k.len() + 2;
                    walk(item, budget, acc, depth + 1);
                    if *acc > budget {
                        return;
                    }
                }
            }
            _ => *acc += 8,
        }
    }
    let mut acc = 0;
    walk(v, budget, &mut acc, 0);
    acc
}

/// An error unless `n` bytes of text fit under [`MAX_TEXT`].
pub(crate) fn check_text(what: &str, n: usize) -> Result<(), String> {
    if n > MAX_TEXT {
        Err(err(format!(
            "{what}: the text would be over the limit of {MAX_TEXT} bytes"
        )))
    } else {
        Ok(())
    }
}

thread_local! {
    /// Render steps left for the render running on this thread.
    static STEPS_LEFT: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// Gives the render on this thread `steps` render steps (see [`spend_steps`]).
/// Rendering runs on one thread, so every function call of one render draws
/// from the same budget.
pub(crate) fn set_step_budget(steps: u64) {
    STEPS_LEFT.with(|c| c.set(steps));
    random::reset();
}

/// Spends render steps: one per function call plus one per element of each
/// list or map argument. The budget stops templates whose work grows
/// quadratically (`append` to a growing list, `set` on a growing map, in a
/// loop) long before they hang, deterministically, where the range limit
/// alone allows a million iterations each copying a large list.
fn spend_steps(name: &str, a: &[Value]) -> Result<(), String> {
    let cost = a.iter().fold(1u64, |acc, v| {
        acc.saturating_add(match v {
            Value::List(l) => l.len() as u64,
            Value::Bytes(b) => b.as_ref().map_or(0, |b| b.len()) as u64,
            Value::Map(m) => m.len() as u64,
            _ => 0,
        })
    });
    STEPS_LEFT.with(|c| match c.get().checked_sub(cost) {
        Some(left) => {
            c.set(left);
            Ok(())
        }
        None => {
            c.set(0);
            Err(err(format!(
                "{name}: the render is over its limit of render steps (function calls and the list and map elements they take)"
            )))
        }
    })
}

/// `f`, charged in render steps, and refusing to return text over [`MAX_TEXT`].
fn bounded(name: &'static str, f: PlainFn) -> PlainFn {
    let printer = PRINTERS.contains(&name);
    Rc::new(move |a: &[Value]| {
        spend_steps(name, a)?;
        if printer {
            let mut total = 0;
            for v in a {
                total += text_size(v, MAX_TEXT.saturating_sub(total));
                check_text(name, total)?;
            }
        }
        let out = f(a)?;
        if let Value::String(s) = &out {
            check_text(name, s.len())?;
        }
        Ok(out)
    })
}

fn err(msg: impl Into<String>) -> String {
    msg.into()
}

/// A value as a string the way Sprig's `strval`/`toString` gives it.
pub(crate) fn sv(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Nil => String::new(),
        // strval's `string(b)`.
        Value::Bytes(b) => go_string_from_bytes(b.as_deref().unwrap_or_default()),
        other => go_value_string(other),
    }
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Nil)
}

fn sarg(args: &[Value], i: usize) -> String {
    args.get(i).map(sv).unwrap_or_default()
}

pub(crate) use super::numbers::{to_f64, to_i64};

/// Sprig's `empty`.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i, _) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Bytes(b) => b.as_ref().is_none_or(|b| b.is_empty()),
        Value::Map(m) => m.is_empty(),
    }
}

fn list_of(v: &Value) -> Vec<Value> {
    match v {
        Value::Nil => Vec::new(),
        other => other.slice_items().unwrap_or_else(|| vec![other.clone()]),
    }
}

fn list(v: Vec<Value>) -> Value {
    Value::List(v.into())
}

/// `strings.Repeat`'s panic for a negative count (Sprig's `repeat`, `indent`).
const NEGATIVE_REPEAT: &str = "strings: negative Repeat count";

/// Go's panic text for a method call through nil (`reflect.TypeOf(nil).Kind()`).
const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// A list argument as Sprig's list functions take it: they switch on
/// `reflect.TypeOf(v).Kind()`, so nil panics (it has no type) and any kind
/// but a slice is their error, `what` with `{}` replaced by the kind.
fn sprig_list(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::List(_) | Value::Bytes(_) => Ok(v.slice_items().unwrap_or_default()),
        Value::Nil => Err(NIL_DEREF.into()),
        other => Err(what.replace("{}", kind_of(other))),
    }
}

/// A nil `[]interface {}`: prints and ranges as an empty list, marshals as
/// `null`.
fn nil_list() -> Value {
    Value::List(Slice::nil(SliceType::Interface))
}

/// A typed slice (see [`SliceType`]).
fn typed_list(ty: SliceType, v: Vec<Value>) -> Value {
    Value::List(Slice::typed(ty, v))
}

/// A `[]string` of `items`; Go's `nil` one when `nil_if_empty` and there
/// are none (what `regexp`'s `FindAllString` and `Split` return).
fn strings(items: Vec<Value>, nil_if_empty: bool) -> Value {
    if nil_if_empty && items.is_empty() {
        return Value::List(Slice::nil(SliceType::String));
    }
    typed_list(SliceType::String, items)
}

fn map(m: VMap) -> Value {
    Value::map(m)
}

fn string(s: impl AsRef<str>) -> Value {
    Value::String(Arc::from(s.as_ref()))
}

/// Deep equality the way Go's `reflect.DeepEqual` sees template values.
pub(crate) fn deep_eq(a: &Value, b: &Value) -> bool {
    deep_equal(a, b)
}

/// Go's kind name (`kindOf`).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_, k) => k.name(),
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) | Value::Bytes(_) => "slice",
        Value::Map(m) => m.go_type().map_or("map", |t| t.kind_name()),
    }
}

/// Go's type name (`typeOf`): a map standing for one of Helm's Go values
/// names its type (`common.KubeVersion`).
fn type_of(v: &Value) -> &'static str {
    v.type_name()
}

fn indent(n: i64, s: &str) -> Result<String, String> {
    if n < 0 {
        return Err(NEGATIVE_REPEAT.into());
    }
    let width = usize::try_from(n.clamp(0, 10_000)).unwrap_or(0);
    let lines = s.bytes().filter(|&b| b == b'\n').count() + 1;
    check_text(
        "indent",
        s.len().saturating_add(lines.saturating_mul(width)),
    )?;
    let pad = " ".repeat(width);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

fn title(s: &str) -> String {
    // Go's `strings.Title`: `unicode.ToTitle` of every character after a
    // separator, which is any ASCII character but a letter, digit or `_`
    // (so `don't` is `Don'T`), or a non-ASCII space.
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                xstrings::title(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

/// Sprig's `strslice`: a list's elements as text, nils left out; nil is
/// the empty list; any other value the one-element list of its text.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(go_value_string)
            .collect(),
        Value::Bytes(_) => list_of(v).iter().map(go_value_string).collect(),
        Value::Nil => Vec::new(),
        other => vec![go_value_string(other)],
    }
}

/// `s[from..to]` by bytes, as Go slices a string (a cut inside a UTF-8
/// sequence keeps the raw bytes, carried as [`go_string_from_bytes`] says).
fn byte_slice(s: &str, from: usize, to: usize) -> String {
    go_string_from_bytes(go_string_bytes(s).get(from..to).unwrap_or(&[]))
}

/// Sprig's `trunc`: the first `n` bytes, or for a negative `n` the last
/// `-n`; the string itself when shorter.
fn trunc(s: &str, n: i64) -> String {
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    let at = |i: i64| usize::try_from(i).unwrap_or(0);
    if n < 0 && len + n > 0 {
        byte_slice(s, at(len + n), s.len())
    } else if n >= 0 && len > n {
        byte_slice(s, 0, at(n))
    } else {
        s.to_owned()
    }
}

/// Go's `regexp.Compile`: Sprig's `must*` functions return its error.
fn regex(pattern: &str) -> Result<super::goregex::GoRegexp, String> {
    super::goregex::compile(pattern)
}

/// Go's `regexp.MustCompile`, which the other Sprig regex functions call:
/// its panic is the error text/template reports.
fn must_compile(pattern: &str) -> Result<super::goregex::GoRegexp, String> {
    regex(pattern).map_err(|e| format!("regexp: Compile({}): {e}", go_backquote(pattern)))
}

/// regexp's `quote`: backquoted when `strconv.CanBackquote`, else `%q`.
fn go_backquote(s: &str) -> String {
    let can = !s.contains('`')
        && s.chars()
            .all(|c| c == '\t' || !(c.is_control() || c == '\u{FEFF}' || c == '\u{FFFD}'));
    if can {
        format!("`{s}`")
    } else {
        format!("{s:?}")
    }
}

/// The compile step of a Sprig regex function: `must` ones return Go's
/// error, the others panic through `MustCompile`.
fn compile_for(name: &str, pattern: &str) -> Result<super::goregex::GoRegexp, String> {
    if name.starts_with("must") {
        regex(pattern)
    } else {
        must_compile(pattern)
    }
}

/// Sprig's `regexReplaceAll*`: Go's `ReplaceAllString` (the replacement
/// expanded as `Regexp.Expand` does) or `ReplaceAllLiteralString`.
fn regex_replace(args: &[Value], literal: bool, name: &str) -> R {
    let re = compile_for(name, &sarg(args, 0))?;
    let s = sarg(args, 1);
    let repl = sarg(args, 2);
    Ok(string(if literal {
        re.re.replace_all(&s, regex::NoExpand(&repl)).into_owned()
    } else {
        re.re
            .replace_all(&s, |caps: &regex::Captures<'_>| {
                let mut out = String::new();
                re.expand(caps, &repl, &mut out);
                out
            })
            .into_owned()
    }))
}

fn dict_get(d: &Value, k: &str) -> Option<Value> {
    match d {
        Value::Map(m) => m.get(k),
        _ => None,
    }
}

/// Deep merge for `merge`/`mergeOverwrite` (mergo semantics: `overwrite`
/// lets non-empty source values replace destination ones).
/// `dst` is changed in place (Go maps are references); a source map that
/// `dst` lacks is shared, not copied, as mergo assigns it.
fn merge_into(dst: &Map, src: &Map, overwrite: bool, depth: usize) {
    if depth > 1000 || dst.ptr_eq(src) {
        return;
    }
    // mergo's deepMerge of map entries: a nil source entry is copied only
    // when overwriting (and then it does overwrite); two maps merge
    // recursively; otherwise the source entry wins when overwriting or
    // when the destination entry is missing or empty (even an empty map).
    for (k, s) in src.pairs() {
        if matches!(s, Value::Nil) {
            if overwrite {
                dst.insert(k, Value::Nil);
            }
            continue;
        }
        let d = dst.get(&k);
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&d, &s) {
            merge_into(dm, sm, overwrite, depth + 1);
            continue;
        }
        if overwrite || d.as_ref().is_none_or(is_empty) {
            dst.insert(k, s);
        }
    }
}

/// Masterminds/semver constraint check, as `semverCompare` does.
pub(crate) fn semver_matches(constraint: &str, version: &str) -> Result<bool, String> {
    semver::matches(constraint, version).map_err(err)
}

/// `*semver.Version`, what Sprig's `semver` returns: its methods `Major`
/// … `Original` read as fields, and it prints through `String()`.
pub(crate) static SEMVER: GoType = GoType {
    name: "*semver.Version",
    kind: GoKind::Ptr,
    elem_zero: ElemZero::Nil,
    stringer: Some("String"),
    addr_stringer: None,
    fields: &[],
};

/// The template value of a parsed version.
pub(crate) fn semver_value(v: &semver::Version, original: &str) -> Value {
    let n = |x: u64| Value::Int(i64::try_from(x).unwrap_or(i64::MAX), IntKind::Uint64);
    let mut d = VMap::new();
    d.insert(Arc::from("Major"), n(v.major));
    d.insert(Arc::from("Minor"), n(v.minor));
    d.insert(Arc::from("Patch"), n(v.patch));
    d.insert(Arc::from("Prerelease"), string(&v.pre));
    d.insert(Arc::from("Metadata"), string(&v.metadata));
    d.insert(Arc::from("Original"), string(original));
    d.insert(Arc::from("String"), string(v.canonical()));
    Value::Map(Map::typed(&SEMVER, d))
}

/// Sprig's `certificate` struct (`genCA`, `genSignedCert`, `buildCustomCert`
/// return one): `typeOf` is `sprig.certificate`, `kindOf` `struct`; map
/// functions refuse it and `genSignedCert` takes nothing else.
pub(crate) static CERTIFICATE: GoType = GoType {
    name: "sprig.certificate",
    kind: GoKind::Struct,
    elem_zero: ElemZero::Nil,
    stringer: None,
    addr_stringer: None,
    fields: &[
        GoField {
            name: "Cert",
            json: Some("Cert"),
            omit_empty: false,
        },
        GoField {
            name: "Key",
            json: Some("Key"),
            omit_empty: false,
        },
    ],
};

fn certificate(cert: String, key: String) -> Value {
    let mut m = VMap::new();
    m.insert(Arc::from("Cert"), string(cert));
    m.insert(Arc::from("Key"), string(key));
    Value::Map(Map::typed(&CERTIFICATE, m))
}

/// Sprig's `getNetIPs` and `getAlternateDNSStrs`: every entry a string, an
/// IP address as `net.ParseIP` reads one.
fn check_cert_names(ips: &Value, dns: &Value) -> Result<(), String> {
    let items = |v: &Value| match v {
        Value::List(l) => l.to_vec(),
        _ => Vec::new(),
    };
    for ip in items(ips) {
        let Value::String(s) = &ip else {
            return Err(format!(
                "error parsing ip: {} is not a string",
                sprint(&[ip])
            ));
        };
        if s.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("error parsing ip: {s}"));
        }
    }
    for name in items(dns) {
        if !matches!(name, Value::String(_)) {
            return Err(format!(
                "error processing alternate dns name: {} is not a string",
                sprint(&[name])
            ));
        }
    }
    Ok(())
}

/// Sprig's `parsePrivateKeyPEM` for the `*WithKey` functions: the key
/// re-encoded as `pemBlockForKey` does, and whether it can sign (Go's DSA
/// key is no `crypto.Signer`).
fn given_key(pem: &str) -> Result<(String, bool), String> {
    let (kind, der) = crypto::parse_private_key_pem(go_string_bytes(pem).as_ref())
        .map_err(|e| format!("parsing private key: {e}"))?;
    Ok((random::pem(&kind, &der), kind != "DSA PRIVATE KEY"))
}

/// Sprig's checks of a signing CA (`generateSignedCertificateWithKeyInternal`).
fn check_signer(ca: &Value) -> Result<bool, String> {
    let field = |k: &str| match ca {
        Value::Map(m) => m.get(k).map(|v| sv(&v)).unwrap_or_default(),
        _ => String::new(),
    };
    let (_, der) = crypto::pem_decode(go_string_bytes(&field("Cert")).as_ref())
        .ok_or("unable to decode certificate")?;
    if !crypto::certificate_shape(&der) {
        return Err(
            "error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate"
                .into(),
        );
    }
    let (kind, _) = crypto::parse_private_key_pem(go_string_bytes(&field("Key")).as_ref())
        .map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(kind != "DSA PRIVATE KEY")
}

/// Go's x509 refuses to sign with a DSA key.
const NOT_A_SIGNER: &str =
    "error creating certificate: x509: certificate private key does not implement crypto.Signer";

/// A placeholder certificate for common name `cn` with `key`, which Go's
/// x509 creates only when the signing key is a `crypto.Signer` (`signs`:
/// a DSA key is not).
fn signed_certificate(cn: &str, key: String, signs: bool) -> Result<Value, String> {
    if !signs {
        return Err(NOT_A_SIGNER.into());
    }
    Ok(certificate(random::certificate(cn), key))
}

/// Sprig's `bcrypt`: a placeholder of bcrypt's shape, or x/crypto's
/// refusal of a password over 72 bytes as Sprig words it.
fn bcrypt(password: &str) -> String {
    if go_string_bytes(password).len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    random::bcrypt_hash()
}

/// `encoding/json`'s error for a non-finite float (Go's `+Inf`, `NaN`).
fn unsupported(v: &str) -> String {
    format!("json: unsupported value: {v}")
}

/// `n` random characters from `alphabet` (a negative count is "", as
/// Sprig drops goutils' error).
fn random_string(n: &Value, alphabet: &[u8]) -> Value {
    let n = usize::try_from(to_i64(n).clamp(0, 100_000)).unwrap_or(0);
    string(random::string(n, alphabet))
}

/// Go's `path.Clean`: the shortest equivalent path (no `//`, `.` or
/// inner `..`, no trailing slash; `.` for nothing).
fn clean_path(path: &str) -> String {
    let p = path.as_bytes();
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p[0] == b'/';
    let n = p.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        let at_end = |i: usize| i == n || p[i] == b'/';
        if p[r] == b'/' || (p[r] == b'.' && at_end(r + 1)) {
            r += 1;
        } else if p[r] == b'.' && p.get(r + 1) == Some(&b'.') && at_end(r + 2) {
            r += 2;
            if out.len() > dotdot {
                // Back up over the last element and the slash before it.
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && p[r] != b'/' {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return ".".into();
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `encoding/json`'s word for the kind of a decoded value, as its
/// "cannot unmarshal … into Go value" errors name it.
fn json_kind(j: &serde_json::Value) -> &'static str {
    match j {
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Null => "null",
    }
}

/// The error `json.Unmarshal` gives for text serde_json refused: Go's
/// syntax error when the text is not JSON, serde's words otherwise
/// (a number out of range).
fn json_error(text: &str, e: &serde_json::Error) -> String {
    gojson::syntax_error(text).unwrap_or_else(|| e.to_string())
}

/// Helm's `fromToml`: the document as a map (integers as `int64`, floats
/// as `float64`, date-times as `time.Time`), or a map holding only an
/// `Error` entry with the parse error. Parsed with the `toml` crate; an
/// error in a key, a table header or a statement's end is worded as
/// BurntSushi's lexer words it (`tomllex.rs`), others in the crate's words.
fn from_toml(text: &str) -> Value {
    match text.parse::<toml::Table>() {
        Ok(table) => from_toml_table(&table),
        Err(e) => {
            let mut m = VMap::new();
            let crate_line = e
                .span()
                .map(|s| 1 + text.get(..s.start).unwrap_or(text).matches('\n').count());
            // BurntSushi's error is trusted where the crate failed too (an
            // earlier error the crate found, such as a repeated key, is
            // not one this lexer knows).
            let msg = match (tomllex::structural_error(text), crate_line) {
                (Some((line, msg)), Some(at)) if at + 1 >= line && at <= line + 1 => msg,
                _ => format!("toml: {}", e.message()),
            };
            m.insert(Arc::from("Error"), string(msg));
            map(m)
        }
    }
}

fn from_toml_table(table: &toml::Table) -> Value {
    map(table
        .iter()
        .map(|(k, v)| (Arc::from(k.as_str()), from_toml_value(v)))
        .collect())
}

fn from_toml_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => string(s),
        toml::Value::Integer(i) => Value::int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => gotime::from_toml_datetime(d)
            .map_or_else(|| string(d.to_string()), |t| gotime::to_value(&t)),
        toml::Value::Array(items) => list(items.iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => from_toml_table(t),
    }
}

/// The fixed instant `now` returns (2024-01-01T00:00:00Z, as Unix
/// seconds): time-derived output stays deterministic.
const FIXED_NOW: i64 = 1_704_067_200;

/// The time Sprig's `date`/`dateInZone`/`htmlDate`/`ago` read from their
/// argument: a `time.Time`, or an `int`/`int64` as Unix seconds; anything
/// else (a float from the values, a string) is `time.Now()`.
fn date_arg(v: &Value) -> GoTime {
    match v {
        Value::Int(i, IntKind::Int | IntKind::Int64) => GoTime::from_unix(*i),
        v => gotime::from_value(v).unwrap_or_else(|| GoTime::from_unix(FIXED_NOW)),
    }
}

/// A `time.Time` argument (`dateModify`, `unixEpoch`); the signature
/// check refuses anything else first, so `now` is only a fallback.
fn time_arg(v: &Value) -> GoTime {
    gotime::from_value(v).unwrap_or_else(|| GoTime::from_unix(FIXED_NOW))
}

/// Sprig's `dateInZone`: the time shown in `zone` (UTC when unknown).
fn date_in_zone(layout: &str, t: &Value, zone: &str) -> Value {
    string(date_arg(t).in_zone(&Zone::load(zone)).format(layout))
}

macro_rules! reg {
    ($m:ident, [$($name:literal),+], $f:expr) => {{
        let f: PlainFn = Rc::new($f);
        $( $m.push(($name, bounded($name, f.clone()))); )+
    }};
}

/// Every pure Sprig/Helm function, by name.
#[allow(clippy::too_many_lines)]
pub(crate) fn sprig() -> Vec<(&'static str, PlainFn)> {
    let mut m: Vec<(&'static str, PlainFn)> = Vec::new();

    // Go's own printing (the builtins, bounded like the rest).
    reg!(m, ["print"], |a: &[Value]| Ok(string(sprint(a))));
    reg!(m, ["printf"], |a: &[Value]| Ok(string(sprintf(
        &sarg(a, 0),
        a.get(1..).unwrap_or(&[])
    ))));

    // Strings.
    // Go maps case one character to one (`ß` stays `ß` under `upper`).
    reg!(m, ["upper"], |a: &[Value]| Ok(string(
        sarg(a, 0).chars().map(xstrings::upper).collect::<String>()
    )));
    reg!(m, ["lower"], |a: &[Value]| Ok(string(
        sarg(a, 0).chars().map(xstrings::lower).collect::<String>()
    )));
    reg!(m, ["title"], |a: &[Value]| Ok(string(title(&sarg(a, 0)))));
    reg!(m, ["untitle"], |a: &[Value]| {
        let s = sarg(a, 0);
        let mut out = String::new();
        // goutils' Uncapitalize: only white space starts a word.
        let mut after_space = true;
        for c in s.chars() {
            out.push(if after_space { xstrings::lower(c) } else { c });
            after_space = c.is_whitespace();
        }
        Ok(string(out))
    });
    reg!(m, ["trim"], |a: &[Value]| Ok(string(sarg(a, 0).trim())));
    reg!(m, ["trimAll", "trimall"], |a: &[Value]| {
        let cut: Vec<char> = sarg(a, 0).chars().collect();
        Ok(string(sarg(a, 1).trim_matches(|c| cut.contains(&c))))
    });
    reg!(m, ["trimPrefix"], |a: &[Value]| {
        let s = sarg(a, 1);
        Ok(string(s.strip_prefix(sarg(a, 0).as_str()).unwrap_or(&s)))
    });
    reg!(m, ["trimSuffix"], |a: &[Value]| {
        let s = sarg(a, 1);
        Ok(string(s.strip_suffix(sarg(a, 0).as_str()).unwrap_or(&s)))
    });
    reg!(m, ["trunc"], |a: &[Value]| Ok(string(trunc(
        &sarg(a, 1),
        to_i64(&arg(a, 0))
    ))));
    reg!(m, ["abbrevboth"], |a: &[Value]| Ok(string(
        goutil::abbrev_both(to_i64(&arg(a, 0)), to_i64(&arg(a, 1)), &sarg(a, 2))
    )));
    reg!(m, ["wrap"], |a: &[Value]| Ok(string(goutil::wrap_custom(
        &sarg(a, 1),
        to_i64(&arg(a, 0)),
        "\n",
        false
    ))));
    reg!(m, ["wrapWith"], |a: &[Value]| Ok(string(
        goutil::wrap_custom(&sarg(a, 2), to_i64(&arg(a, 0)), &sarg(a, 1), true)
    )));
    reg!(m, ["swapcase"], |a: &[Value]| Ok(string(
        goutil::swap_case(&sarg(a, 0))
    )));
    // `toDecimal`: the value's text read as an octal number (0 if it is not).
    reg!(m, ["toDecimal"], |a: &[Value]| Ok(Value::int64(
        i64::from_str_radix(&sv(&arg(a, 0)), 8).unwrap_or(0)
    )));
    reg!(m, ["abbrev"], |a: &[Value]| {
        let w = to_i64(&arg(a, 0));
        let s = sarg(a, 1);
        if w < 4 {
            return Ok(string(s));
        }
        Ok(string(
            goutil::abbreviate_full(&s, 0, w).unwrap_or_default(),
        ))
    });
    // Sprig's `substr start end s` slices bytes as Go does, and fails as Go's
    // slice expression panics (start past end or past the string).
    reg!(m, ["substr"], |a: &[Value]| {
        let s = sarg(a, 2);
        let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
        let (start, end) = (to_i64(&arg(a, 0)), to_i64(&arg(a, 1)));
        let (from, to) = if start < 0 {
            (0, end)
        } else if end < 0 || end > len {
            (start, len)
        } else {
            (start, end)
        };
        if to < 0 || to > len || from > to {
            return Err(err(format!(
                "runtime error: slice bounds out of range [{from}:{to}] with length {len}"
            )));
        }
        let at = |i: i64| usize::try_from(i).unwrap_or(0);
        Ok(string(byte_slice(&s, at(from), at(to))))
    });
    reg!(m, ["repeat"], |a: &[Value]| {
        if to_i64(&arg(a, 0)) < 0 {
            return Err(NEGATIVE_REPEAT.into());
        }
        let n = usize::try_from(to_i64(&arg(a, 0)).clamp(0, 100_000)).unwrap_or(0);
        let s = sarg(a, 1);
        if s.len().saturating_mul(n) > 16 * 1024 * 1024 {
            return Err(err("repeat: result too large"));
        }
        Ok(string(s.repeat(n)))
    });
    reg!(m, ["nospace"], |a: &[Value]| Ok(string(
        goutil::delete_white_space(&sarg(a, 0))
    )));
    reg!(m, ["replace"], |a: &[Value]| {
        let (from, to, s) = (sarg(a, 0), sarg(a, 1), sarg(a, 2));
        // An empty pattern matches between every character.
        let hits = if from.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(from.as_str()).count()
        };
        check_text(
            "replace",
            s.len().saturating_add(hits.saturating_mul(to.len())),
        )?;
        Ok(string(s.replace(&from, &to)))
    });
    reg!(m, ["contains"], |a: &[Value]| Ok(Value::Bool(
        sarg(a, 1).contains(&sarg(a, 0))
    )));
    reg!(m, ["hasPrefix"], |a: &[Value]| Ok(Value::Bool(
        sarg(a, 1).starts_with(&sarg(a, 0))
    )));
    reg!(m, ["hasSuffix"], |a: &[Value]| Ok(Value::Bool(
        sarg(a, 1).ends_with(&sarg(a, 0))
    )));
    reg!(m, ["quote"], |a: &[Value]| {
        Ok(string(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| go_quote(&sv(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    // squote and cat print with `%v` (a []byte as `[97 …]`), where quote
    // goes through strval (its text).
    reg!(m, ["squote"], |a: &[Value]| {
        Ok(string(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| format!("'{}'", go_value_string(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    reg!(m, ["cat"], |a: &[Value]| {
        Ok(string(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(go_value_string)
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    reg!(m, ["indent"], |a: &[Value]| Ok(string(indent(
        to_i64(&arg(a, 0)),
        &sarg(a, 1)
    )?)));
    reg!(m, ["nindent"], |a: &[Value]| Ok(string(format!(
        "\n{}",
        indent(to_i64(&arg(a, 0)), &sarg(a, 1))?
    ))));
    reg!(m, ["snakecase"], |a: &[Value]| Ok(string(
        xstrings::to_lower_with_sep(&sarg(a, 0), '_')
    )));
    reg!(m, ["kebabcase"], |a: &[Value]| Ok(string(
        xstrings::to_lower_with_sep(&sarg(a, 0), '-')
    )));
    reg!(m, ["camelcase"], |a: &[Value]| Ok(string(
        xstrings::to_camel_case(&sarg(a, 0))
    )));
    reg!(m, ["initials"], |a: &[Value]| Ok(string(goutil::initials(
        &sarg(a, 0)
    ))));
    reg!(m, ["plural"], |a: &[Value]| {
        Ok(if to_i64(&arg(a, 2)) == 1 {
            arg(a, 0)
        } else {
            arg(a, 1)
        })
    });
    reg!(m, ["toString"], |a: &[Value]| Ok(string(match a.first() {
        Some(Value::Nil) | None => "<nil>".to_owned(),
        Some(v) => sv(v),
    })));
    reg!(m, ["toStrings"], |a: &[Value]| Ok(strings(
        strslice(&arg(a, 0)).into_iter().map(string).collect(),
        false
    )));
    reg!(m, ["split"], |a: &[Value]| {
        let sep = sarg(a, 0);
        let s = sarg(a, 1);
        let mut out = VMap::new();
        let parts: Vec<String> = if sep.is_empty() {
            s.chars().map(String::from).collect()
        } else {
            s.split(sep.as_str()).map(str::to_owned).collect()
        };
        for (i, p) in parts.into_iter().enumerate() {
            out.insert(Arc::from(format!("_{i}").as_str()), string(p));
        }
        Ok(Value::Map(Map::typed(&STRING_MAP, out)))
    });
    reg!(m, ["splitn"], |a: &[Value]| {
        let sep = sarg(a, 0);
        // Go's SplitN: a negative count means no limit.
        let n = match to_i64(&arg(a, 1)) {
            n if n < 0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let s = sarg(a, 2);
        let mut out = VMap::new();
        let parts: Vec<&str> = if sep.is_empty() {
            // Go splits after each UTF-8 sequence, the last piece unsplit.
            let mut v = Vec::new();
            let mut rest = s.as_str();
            while !rest.is_empty() && v.len() + 1 < n {
                let l = rest.chars().next().map_or(1, char::len_utf8);
                v.push(&rest[..l]);
                rest = &rest[l..];
            }
            if !rest.is_empty() && n > 0 {
                v.push(rest);
            }
            v
        } else {
            s.splitn(n, sep.as_str()).collect()
        };
        for (i, p) in parts.into_iter().enumerate() {
            out.insert(Arc::from(format!("_{i}").as_str()), string(p));
        }
        Ok(Value::Map(Map::typed(&STRING_MAP, out)))
    });
    reg!(m, ["splitList"], |a: &[Value]| {
        let sep = sarg(a, 0);
        let s = sarg(a, 1);
        if sep.is_empty() {
            return Ok(strings(
                s.chars().map(|c| string(c.to_string())).collect(),
                false,
            ));
        }
        Ok(strings(s.split(sep.as_str()).map(string).collect(), false))
    });
    reg!(m, ["join"], |a: &[Value]| {
        let sep = sarg(a, 0);
        Ok(string(strslice(&arg(a, 1)).join(&sep)))
    });
    // Sprig's regexMatch ignores a compile error: the pattern matches
    // nothing.
    reg!(m, ["regexMatch"], |a: &[Value]| Ok(Value::Bool(
        regex(&sarg(a, 0)).is_ok_and(|re| re.re.is_match(&sarg(a, 1)))
    )));
    reg!(m, ["mustRegexMatch"], |a: &[Value]| Ok(Value::Bool(
        regex(&sarg(a, 0))?.re.is_match(&sarg(a, 1))
    )));
    reg!(m, ["regexFind"], |a: &[Value]| regex_find(a, "regexFind"));
    reg!(m, ["mustRegexFind"], |a: &[Value]| regex_find(
        a,
        "mustRegexFind"
    ));
    reg!(m, ["regexFindAll"], |a: &[Value]| regex_find_all(
        a,
        "regexFindAll"
    ));
    reg!(m, ["mustRegexFindAll"], |a: &[Value]| regex_find_all(
        a,
        "mustRegexFindAll"
    ));
    reg!(m, ["regexReplaceAll"], |a: &[Value]| regex_replace(
        a,
        false,
        "regexReplaceAll"
    ));
    reg!(m, ["mustRegexReplaceAll"], |a: &[Value]| regex_replace(
        a,
        false,
        "mustRegexReplaceAll"
    ));
    reg!(m, ["regexReplaceAllLiteral"], |a: &[Value]| regex_replace(
        a,
        true,
        "regexReplaceAllLiteral"
    ));
    reg!(m, ["mustRegexReplaceAllLiteral"], |a: &[Value]| {
        regex_replace(a, true, "mustRegexReplaceAllLiteral")
    });
    reg!(m, ["regexSplit"], |a: &[Value]| regex_split(
        a,
        "regexSplit"
    ));
    reg!(m, ["mustRegexSplit"], |a: &[Value]| regex_split(
        a,
        "mustRegexSplit"
    ));
    fn regex_find(a: &[Value], name: &str) -> R {
        let s = sarg(a, 1);
        Ok(string(
            compile_for(name, &sarg(a, 0))?
                .re
                .find(&s)
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
        ))
    }
    fn regex_find_all(a: &[Value], name: &str) -> R {
        let s = sarg(a, 1);
        let n = to_i64(&arg(a, 2));
        let re = compile_for(name, &sarg(a, 0))?;
        let it = re.re.find_iter(&s).map(|x| string(x.as_str()));
        Ok(strings(
            if n < 0 {
                it.collect()
            } else {
                it.take(usize::try_from(n).unwrap_or(0)).collect()
            },
            true,
        ))
    }
    // Go's Regexp.Split: empty matches at the start split nothing; an
    // empty input is one empty piece.
    fn regex_split(a: &[Value], name: &str) -> R {
        let (pattern, s) = (sarg(a, 0), sarg(a, 1));
        let n = to_i64(&arg(a, 2));
        let re = compile_for(name, &pattern)?;
        if n == 0 {
            return Ok(strings(Vec::new(), true));
        }
        if !pattern.is_empty() && s.is_empty() {
            return Ok(strings(vec![string("")], false));
        }
        let mut out = Vec::new();
        let (mut beg, mut end) = (0, 0);
        for mat in re.re.find_iter(&s) {
            if n > 0 && i64::try_from(out.len()).unwrap_or(i64::MAX) == n - 1 {
                break;
            }
            end = mat.start();
            if mat.end() != 0 {
                out.push(string(&s[beg..end]));
            }
            beg = mat.end();
        }
        if end != s.len() {
            out.push(string(&s[beg..]));
        }
        Ok(strings(out, false))
    }
    // Go's regexp.QuoteMeta escapes only `\.+*?()|[]{}^$`.
    reg!(m, ["regexQuoteMeta"], |a: &[Value]| {
        let s = sarg(a, 0);
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        Ok(string(out))
    });
    reg!(m, ["b64enc"], |a: &[Value]| Ok(string(digest::b64encode(
        &go_string_bytes(&sarg(a, 0))
    ))));
    reg!(m, ["b64dec"], |a: &[Value]| {
        Ok(string(match digest::b64decode_strict(&sarg(a, 0)) {
            Ok(b) => go_string_from_bytes(&b),
            Err(at) => format!("illegal base64 data at input byte {at}"),
        }))
    });
    reg!(m, ["b32enc"], |a: &[Value]| Ok(string(goutil::b32encode(
        &go_string_bytes(&sarg(a, 0))
    ))));
    reg!(m, ["b32dec"], |a: &[Value]| Ok(string(
        match goutil::b32decode(&sarg(a, 0)) {
            Ok(b) => go_string_from_bytes(&b),
            Err(e) => e,
        }
    )));
    reg!(m, ["sha256sum"], |a: &[Value]| Ok(string(digest::hex(
        &digest::sha256(&go_string_bytes(&sarg(a, 0)))
    ))));
    reg!(m, ["sha512sum"], |a: &[Value]| Ok(string(digest::hex(
        &digest::sha512(&go_string_bytes(&sarg(a, 0)))
    ))));
    reg!(m, ["sha1sum"], |a: &[Value]| Ok(string(digest::hex(
        &digest::sha1(&go_string_bytes(&sarg(a, 0)))
    ))));
    reg!(m, ["adler32sum"], |a: &[Value]| Ok(string(
        digest::adler32(&go_string_bytes(&sarg(a, 0))).to_string()
    )));
    reg!(m, ["shuffle"], |a: &[Value]| Ok(string(random::shuffle(
        &sarg(a, 0)
    ))));

    // Conversions.
    reg!(m, ["int"], |a: &[Value]| Ok(Value::int(to_i64(&arg(a, 0)))));
    reg!(m, ["int64"], |a: &[Value]| Ok(Value::int64(to_i64(&arg(
        a, 0
    )))));
    reg!(m, ["float64"], |a: &[Value]| Ok(Value::Float(to_f64(
        &arg(a, 0)
    ))));
    reg!(m, ["atoi"], |a: &[Value]| Ok(Value::int(numbers::atoi(
        &sarg(a, 0)
    ))));

    // Defaults and logic.
    reg!(m, ["default"], |a: &[Value]| {
        let given = arg(a, 1);
        Ok(if a.len() < 2 || is_empty(&given) {
            arg(a, 0)
        } else {
            given
        })
    });
    reg!(m, ["empty"], |a: &[Value]| Ok(Value::Bool(is_empty(&arg(
        a, 0
    )))));
    reg!(m, ["coalesce"], |a: &[Value]| Ok(a
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or(Value::Nil)));
    reg!(m, ["all"], |a: &[Value]| Ok(Value::Bool(
        a.iter().all(|v| !is_empty(v))
    )));
    reg!(m, ["any"], |a: &[Value]| Ok(Value::Bool(
        a.iter().any(|v| !is_empty(v))
    )));
    reg!(m, ["ternary"], |a: &[Value]| Ok(if arg(a, 2).is_truthy() {
        arg(a, 0)
    } else {
        arg(a, 1)
    }));
    reg!(m, ["fail"], |a: &[Value]| Err(err(sarg(a, 0))));

    // Types.
    reg!(m, ["kindOf"], |a: &[Value]| Ok(string(kind_of(&arg(a, 0)))));
    reg!(m, ["kindIs"], |a: &[Value]| Ok(Value::Bool(
        kind_of(&arg(a, 1)) == sarg(a, 0)
    )));
    reg!(m, ["typeOf"], |a: &[Value]| Ok(string(type_of(&arg(a, 0)))));
    reg!(m, ["typeIs"], |a: &[Value]| Ok(Value::Bool(
        type_of(&arg(a, 1)) == sarg(a, 0)
    )));
    reg!(m, ["typeIsLike"], |a: &[Value]| {
        let t = sarg(a, 0);
        let actual = type_of(&arg(a, 1));
        Ok(Value::Bool(actual == t || format!("*{actual}") == t))
    });
    reg!(m, ["deepEqual"], |a: &[Value]| Ok(Value::Bool(deep_eq(
        &arg(a, 0),
        &arg(a, 1)
    ))));

    // Math: Sprig's integer functions all return int64.
    reg!(m, ["add"], |a: &[Value]| Ok(Value::int64(
        a.iter().map(to_i64).fold(0i64, i64::wrapping_add)
    )));
    reg!(m, ["add1"], |a: &[Value]| Ok(Value::int64(
        to_i64(&arg(a, 0)).wrapping_add(1)
    )));
    reg!(m, ["sub"], |a: &[Value]| Ok(Value::int64(
        to_i64(&arg(a, 0)).wrapping_sub(to_i64(&arg(a, 1)))
    )));
    reg!(m, ["mul"], |a: &[Value]| Ok(Value::int64(
        a.iter().map(to_i64).fold(1i64, i64::wrapping_mul)
    )));
    reg!(m, ["div"], |a: &[Value]| {
        let d = to_i64(&arg(a, 1));
        if d == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::int64(to_i64(&arg(a, 0)).wrapping_div(d)))
    });
    reg!(m, ["mod"], |a: &[Value]| {
        let d = to_i64(&arg(a, 1));
        if d == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::int64(to_i64(&arg(a, 0)).wrapping_rem(d)))
    });
    reg!(m, ["max", "biggest"], |a: &[Value]| Ok(Value::int64(
        a.iter().map(to_i64).max().unwrap_or(0)
    )));
    reg!(m, ["min"], |a: &[Value]| Ok(Value::int64(
        a.iter().map(to_i64).min().unwrap_or(0)
    )));
    // Sprig computes these in decimal (shopspring/decimal).
    reg!(m, ["addf"], |a: &[Value]| {
        let xs: Vec<f64> = a.iter().map(to_f64).collect();
        Ok(Value::Float(numbers::decimal_op('+', 0.0, &xs)))
    });
    reg!(m, ["add1f"], |a: &[Value]| Ok(Value::Float(
        numbers::decimal_op('+', to_f64(&arg(a, 0)), &[1.0])
    )));
    reg!(m, ["subf"], |a: &[Value]| {
        let xs: Vec<f64> = a.iter().map(to_f64).collect();
        let (first, rest) = xs.split_first().unwrap_or((&0.0, &[]));
        Ok(Value::Float(numbers::decimal_op('-', *first, rest)))
    });
    reg!(m, ["mulf"], |a: &[Value]| {
        let xs: Vec<f64> = a.iter().map(to_f64).collect();
        let (first, rest) = xs.split_first().unwrap_or((&0.0, &[]));
        Ok(Value::Float(numbers::decimal_op('*', *first, rest)))
    });
    reg!(m, ["divf"], |a: &[Value]| {
        let xs: Vec<f64> = a.iter().map(to_f64).collect();
        let (first, rest) = xs.split_first().unwrap_or((&0.0, &[]));
        if rest.contains(&0.0) {
            return Err(err("decimal division by 0"));
        }
        Ok(Value::Float(numbers::decimal_op('/', *first, rest)))
    });
    reg!(m, ["maxf"], |a: &[Value]| Ok(Value::Float(
        a.iter().map(to_f64).fold(f64::MIN, f64::max)
    )));
    reg!(m, ["minf"], |a: &[Value]| Ok(Value::Float(
        a.iter().map(to_f64).fold(f64::MAX, f64::min)
    )));
    reg!(m, ["floor"], |a: &[Value]| Ok(Value::Float(
        to_f64(&arg(a, 0)).floor()
    )));
    reg!(m, ["ceil"], |a: &[Value]| Ok(Value::Float(
        to_f64(&arg(a, 0)).ceil()
    )));
    reg!(m, ["round"], |a: &[Value]| {
        let p = i32::try_from(to_i64(&arg(a, 1)).clamp(0, 15)).unwrap_or(0);
        let f = 10f64.powi(p);
        Ok(Value::Float((to_f64(&arg(a, 0)) * f).round() / f))
    });
    reg!(m, ["until"], |a: &[Value]| {
        let n = to_i64(&arg(a, 0));
        if n.unsigned_abs() > MAX_LIST.unsigned_abs() {
            return Err(err(format!(
                "until: {n} is over the limit of {MAX_LIST} items"
            )));
        }
        Ok(typed_list(
            SliceType::Int,
            if n >= 0 {
                (0..n).map(Value::int).collect()
            } else {
                (n + 1..=0).rev().map(Value::int).collect()
            },
        ))
    });
    reg!(m, ["untilStep"], |a: &[Value]| {
        let (start, stop, step) = (to_i64(&arg(a, 0)), to_i64(&arg(a, 1)), to_i64(&arg(a, 2)));
        Ok(typed_list(
            SliceType::Int,
            until_step(start, stop, step)?
                .into_iter()
                .map(Value::int)
                .collect(),
        ))
    });
    // Sprig's seq, GNU seq's argument forms over its untilStep.
    reg!(m, ["seq"], |a: &[Value]| {
        let p: Vec<i64> = a.iter().map(to_i64).collect();
        let (start, stop, step) = match *p.as_slice() {
            [end] => {
                let inc = if end < 1 { -1 } else { 1 };
                (1, end.saturating_add(inc), inc)
            }
            [start, end] => {
                let step = if end < start { -1 } else { 1 };
                (start, end.saturating_add(step), step)
            }
            [start, step, end] => {
                let inc = if end < start { -1 } else { 1 };
                if end < start && step > 0 {
                    return Ok(string(""));
                }
                (start, end.saturating_add(inc), step)
            }
            _ => return Ok(string("")),
        };
        let v = until_step(start, stop, step)?;
        Ok(string(
            v.iter().map(i64::to_string).collect::<Vec<_>>().join(" "),
        ))
    });
    // Sprig's slice (it replaces Go's builtin): lists only; an empty list
    // gives nil; indexes past the list fail as reflect does.
    reg!(m, ["slice", "mustSlice"], |a: &[Value]| {
        let l = match arg(a, 0) {
            Value::List(l) => l,
            Value::Nil => {
                return Err(err(
                    "runtime error: invalid memory address or nil pointer dereference",
                ));
            }
            other => {
                return Err(err(format!(
                    "list should be type of slice or array but {}",
                    kind_of(&other)
                )));
            }
        };
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let len = i64::try_from(l.len()).unwrap_or(i64::MAX);
        let start = a.get(1).map_or(0, to_i64);
        let end = if a.len() < 3 { len } else { to_i64(&a[2]) };
        if start < 0 || end < start || end > len {
            return Err(err("reflect.Value.Slice: slice index out of range"));
        }
        let at = |i: i64| usize::try_from(i).unwrap_or(0);
        // reflect's Slice keeps the slice's type.
        Ok(typed_list(l.slice_type(), l[at(start)..at(end)].to_vec()))
    });

    // Lists.
    reg!(m, ["list", "tuple"], |a: &[Value]| Ok(list(a.to_vec())));
    reg!(
        m,
        ["append", "push", "mustAppend", "mustPush"],
        |a: &[Value]| {
            let mut l = sprig_list(&arg(a, 0), "Cannot push on type {}")?;
            l.push(arg(a, 1));
            Ok(list(l))
        }
    );
    reg!(m, ["prepend", "mustPrepend"], |a: &[Value]| {
        let mut l = sprig_list(&arg(a, 0), "Cannot prepend on type {}")?;
        l.insert(0, arg(a, 1));
        Ok(list(l))
    });
    reg!(m, ["first", "mustFirst"], |a: &[Value]| Ok(sprig_list(
        &arg(a, 0),
        "Cannot find first on type {}"
    )?
    .first()
    .cloned()
    .unwrap_or(Value::Nil)));
    reg!(m, ["last", "mustLast"], |a: &[Value]| Ok(sprig_list(
        &arg(a, 0),
        "Cannot find last on type {}"
    )?
    .last()
    .cloned()
    .unwrap_or(Value::Nil)));
    // Sprig's rest/initial return nil for an empty list.
    reg!(m, ["rest", "mustRest"], |a: &[Value]| {
        let l = sprig_list(&arg(a, 0), "Cannot find rest on type {}")?;
        if l.is_empty() {
            return Ok(nil_list());
        }
        Ok(list(l.into_iter().skip(1).collect()))
    });
    reg!(m, ["initial", "mustInitial"], |a: &[Value]| {
        let mut l = sprig_list(&arg(a, 0), "Cannot find initial on type {}")?;
        if l.is_empty() {
            return Ok(nil_list());
        }
        l.pop();
        Ok(list(l))
    });
    reg!(m, ["reverse", "mustReverse"], |a: &[Value]| {
        let mut l = sprig_list(&arg(a, 0), "Cannot find reverse on type {}")?;
        l.reverse();
        Ok(list(l))
    });
    reg!(m, ["uniq", "mustUniq"], |a: &[Value]| {
        let mut out: Vec<Value> = Vec::new();
        for v in sprig_list(&arg(a, 0), "Cannot find uniq on type {}")? {
            if !out.iter().any(|x| deep_eq(x, &v)) {
                out.push(v);
            }
        }
        Ok(list(out))
    });
    reg!(m, ["compact", "mustCompact"], |a: &[Value]| Ok(list(
        sprig_list(&arg(a, 0), "Cannot compact on type {}")?
            .into_iter()
            .filter(|v| !is_empty(v))
            .collect()
    )));
    reg!(m, ["without", "mustWithout"], |a: &[Value]| {
        let drop = a.get(1..).unwrap_or(&[]);
        Ok(list(
            sprig_list(&arg(a, 0), "Cannot find without on type {}")?
                .into_iter()
                .filter(|v| !drop.iter().any(|d| deep_eq(d, v)))
                .collect(),
        ))
    });
    reg!(m, ["has", "mustHas"], |a: &[Value]| {
        let needle = arg(a, 0);
        // Helm's Sprig answers false for a nil haystack before its kind check.
        let haystack = match arg(a, 1) {
            Value::Nil => Vec::new(),
            other => sprig_list(&other, "Cannot find has on type {}")?,
        };
        Ok(Value::Bool(haystack.iter().any(|v| deep_eq(v, &needle))))
    });
    // Sprig appends to a nil slice: nil when every list is empty.
    reg!(m, ["concat"], |a: &[Value]| {
        let mut all: Vec<Value> = Vec::new();
        for l in a {
            all.extend(sprig_list(l, "Cannot concat type {} as list")?);
        }
        Ok(if all.is_empty() {
            nil_list()
        } else {
            list(all)
        })
    });
    reg!(m, ["chunk", "mustChunk"], |a: &[Value]| {
        let n = usize::try_from(to_i64(&arg(a, 0)).max(1)).unwrap_or(1);
        Ok(typed_list(
            SliceType::Interfaces,
            sprig_list(&arg(a, 1), "Cannot chunk type {}")?
                .chunks(n)
                .map(|c| list(c.to_vec()))
                .collect(),
        ))
    });
    // Sprig's sortAlpha: a list's strings (nils dropped) sorted; any other
    // value is the one-element list of its text (`[<nil>]` for nil).
    reg!(m, ["sortAlpha"], |a: &[Value]| {
        let v = arg(a, 0);
        let mut v: Vec<String> = match v {
            Value::List(_) | Value::Bytes(_) => strslice(&v),
            other => vec![go_value_string(&other)],
        };
        v.sort();
        Ok(strings(v.into_iter().map(string).collect(), false))
    });

    // Dicts.
    reg!(m, ["dict"], |a: &[Value]| {
        let mut d = VMap::new();
        for pair in a.chunks(2) {
            // Sprig's strval: nil is `<nil>`.
            let k = go_value_string(&pair[0]);
            d.insert(
                Arc::from(k.as_str()),
                pair.get(1).cloned().unwrap_or_else(|| string("")),
            );
        }
        Ok(map(d))
    });
    reg!(m, ["get"], |a: &[Value]| Ok(dict_get(
        &arg(a, 0),
        &sarg(a, 1)
    )
    .unwrap_or_else(|| string(""))));
    reg!(m, ["set"], |a: &[Value]| {
        // Go maps are references: `set` changes the map every holder sees.
        match arg(a, 0) {
            // Go panics on a nil map (a missing value passed for the map).
            Value::Map(d) if d.is_nil() => Err("assignment to entry in nil map".into()),
            Value::Map(d) => {
                d.insert(sarg(a, 1).as_str(), arg(a, 2));
                Ok(Value::Map(d))
            }
            _ => Err(err("set: the first argument is not a map")),
        }
    });
    reg!(m, ["unset"], |a: &[Value]| {
        match arg(a, 0) {
            Value::Map(d) => {
                d.remove(sarg(a, 1).as_str());
                Ok(Value::Map(d))
            }
            _ => Err(err("unset: the first argument is not a map")),
        }
    });
    reg!(m, ["hasKey"], |a: &[Value]| Ok(Value::Bool(
        dict_get(&arg(a, 0), &sarg(a, 1)).is_some()
    )));
    reg!(m, ["pluck"], |a: &[Value]| {
        let k = sarg(a, 0);
        Ok(list(
            a.iter().skip(1).filter_map(|d| dict_get(d, &k)).collect(),
        ))
    });
    reg!(m, ["keys"], |a: &[Value]| {
        let mut out = Vec::new();
        for d in a {
            if let Value::Map(m) = d {
                out.extend(m.keys().into_iter().map(Value::String));
            }
        }
        Ok(strings(out, false))
    });
    reg!(m, ["values"], |a: &[Value]| Ok(list(match arg(a, 0) {
        Value::Map(m) => m.borrow().values().cloned().collect(),
        _ => Vec::new(),
    })));
    reg!(m, ["pick"], |a: &[Value]| {
        let keys: Vec<String> = a.iter().skip(1).map(sv).collect();
        let mut d = VMap::new();
        if let Value::Map(m) = arg(a, 0) {
            for (k, v) in m.borrow().iter() {
                if keys.iter().any(|x| x.as_str() == &**k) {
                    d.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(map(d))
    });
    reg!(m, ["omit"], |a: &[Value]| {
        let keys: Vec<String> = a.iter().skip(1).map(sv).collect();
        let mut d = VMap::new();
        if let Value::Map(m) = arg(a, 0) {
            for (k, v) in m.borrow().iter() {
                if !keys.iter().any(|x| x.as_str() == &**k) {
                    d.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(map(d))
    });
    reg!(m, ["merge", "mustMerge"], |a: &[Value]| merge_all(a, false));
    reg!(
        m,
        ["mergeOverwrite", "mustMergeOverwrite"],
        |a: &[Value]| merge_all(a, true)
    );
    // copystructure reflects on its argument: nil has no type.
    reg!(
        m,
        ["deepCopy", "mustDeepCopy"],
        |a: &[Value]| match arg(a, 0) {
            Value::Nil => Err("reflect: call of reflect.Value.Type on zero Value".into()),
            v => Ok(v.deep_copy()),
        }
    );
    reg!(m, ["dig"], |a: &[Value]| {
        if a.len() < 3 {
            return Err(err("dig needs at least three arguments"));
        }
        // Sprig asserts `.(map[string]interface{})` and `.(string)`: a
        // type assertion wants the exact type (Helm's `.Values`, a
        // `common.Values`, fails it), and a failed one panics with Go's words.
        let as_map = |v: &Value| match v {
            Value::Map(m) if m.type_name().is_none() => Ok(m.clone()),
            other => Err(assertion(other, "map[string]interface {}")),
        };
        let mut cur = as_map(&a[a.len() - 1])?;
        let default = &a[a.len() - 2];
        let keys = a[..a.len() - 2]
            .iter()
            .map(|k| match k {
                Value::String(s) => Ok(s.clone()),
                other => Err(assertion(other, "string")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, k) in keys.iter().enumerate() {
            let Some(step) = cur.get(k) else {
                return Ok(default.clone());
            };
            if i + 1 == keys.len() {
                return Ok(step);
            }
            cur = as_map(&step)?;
        }
        Ok(default.clone())
    });

    // Encoding.
    // A non-finite float anywhere: encoding/json's error, which the plain
    // functions swallow ("") and the `must*` ones (and Sprig's panicking
    // `toRawJson`) return.
    reg!(m, ["toYaml"], |a: &[Value]| Ok(string(
        match non_finite(&arg(a, 0)) {
            Some(_) => String::new(),
            None => to_yaml(&arg(a, 0)),
        }
    )));
    reg!(
        m,
        ["mustToYaml"],
        |a: &[Value]| match non_finite(&arg(a, 0)) {
            Some(v) => Err(format!("error marshaling into JSON: {}", unsupported(v))),
            None => Ok(string(to_yaml(&arg(a, 0)))),
        }
    );
    reg!(m, ["toYamlPretty"], |a: &[Value]| Ok(string(
        to_yaml_pretty(&arg(a, 0))
    )));
    reg!(m, ["toJson"], |a: &[Value]| Ok(string(
        match non_finite(&arg(a, 0)) {
            Some(_) => String::new(),
            None => to_json(&arg(a, 0), false, true),
        }
    )));
    reg!(m, ["toPrettyJson"], |a: &[Value]| Ok(string(
        match non_finite(&arg(a, 0)) {
            Some(_) => String::new(),
            None => to_json(&arg(a, 0), true, true),
        }
    )));
    reg!(
        m,
        ["mustToJson"],
        |a: &[Value]| match non_finite(&arg(a, 0)) {
            Some(v) => Err(unsupported(v)),
            None => Ok(string(to_json(&arg(a, 0), false, true))),
        }
    );
    reg!(
        m,
        ["mustToPrettyJson"],
        |a: &[Value]| match non_finite(&arg(a, 0)) {
            Some(v) => Err(unsupported(v)),
            None => Ok(string(to_json(&arg(a, 0), true, true))),
        }
    );
    reg!(
        m,
        ["toRawJson", "mustToRawJson"],
        |a: &[Value]| match non_finite(&arg(a, 0)) {
            Some(v) => Err(unsupported(v)),
            None => Ok(string(to_json(&arg(a, 0), false, false))),
        }
    );
    // Sprig's `mustFromJson` decodes any JSON value (a list too) and fails
    // on bad JSON; Helm's own `fromJson` always gives a map.
    reg!(m, ["mustFromJson"], |a: &[Value]| {
        serde_json::from_str::<serde_json::Value>(&sarg(a, 0))
            .map(|j| from_serde(&j))
            .map_err(|e| json_error(&sarg(a, 0), &e))
    });
    reg!(m, ["fromJson"], |a: &[Value]| {
        Ok(
            match serde_json::from_str::<serde_json::Value>(&sarg(a, 0)) {
                Ok(j @ serde_json::Value::Object(_)) => from_serde(&j),
                Ok(j) => {
                    let what = json_kind(&j);
                    if what == "null" {
                        // encoding/json sets the map to nil.
                        Value::Map(Map::nil_plain())
                    } else {
                        let mut d = VMap::new();
                        d.insert(
                            Arc::from("Error"),
                            string(format!(
                                "json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
                            )),
                        );
                        map(d)
                    }
                }
                Err(e) => {
                    let mut d = VMap::new();
                    d.insert(Arc::from("Error"), string(json_error(&sarg(a, 0), &e)));
                    map(d)
                }
            },
        )
    });
    reg!(m, ["fromJsonArray"], |a: &[Value]| {
        Ok(
            match serde_json::from_str::<serde_json::Value>(&sarg(a, 0)) {
                Ok(j @ serde_json::Value::Array(_)) => from_serde(&j),
                // json.Unmarshal of null leaves the slice nil.
                Ok(serde_json::Value::Null) => nil_list(),
                Ok(j) => list(vec![string(format!(
                    "json: cannot unmarshal {} into Go value of type []interface {{}}",
                    json_kind(&j)
                ))]),
                Err(e) => list(vec![string(json_error(&sarg(a, 0), &e))]),
            },
        )
    });
    reg!(m, ["fromYaml"], |a: &[Value]| Ok(from_yaml(
        &sarg(a, 0),
        false
    )));
    reg!(m, ["toToml"], |a: &[Value]| Ok(string(tomlout::to_toml(
        &arg(a, 0)
    )?)));
    reg!(m, ["fromToml"], |a: &[Value]| Ok(from_toml(&sarg(a, 0))));
    reg!(m, ["fromYamlArray"], |a: &[Value]| Ok(from_yaml(
        &sarg(a, 0),
        true
    )));

    // Semver.
    reg!(m, ["semverCompare"], |a: &[Value]| Ok(Value::Bool(
        semver_matches(&sarg(a, 0), &sarg(a, 1))?
    )));
    reg!(m, ["semver"], |a: &[Value]| {
        let s = sarg(a, 0);
        let v = semver::Version::parse(&s)
            .ok_or_else(|| err(format!("Invalid Semantic Version: {s}")))?;
        Ok(semver_value(&v, &s))
    });

    // Paths and URLs.
    reg!(m, ["base", "osBase"], |a: &[Value]| {
        let s = sarg(a, 0);
        let t = s.trim_end_matches('/');
        Ok(string(if t.is_empty() {
            if s.is_empty() { "." } else { "/" }.to_owned()
        } else {
            t.rsplit('/').next().unwrap_or(t).to_owned()
        }))
    });
    // `path.Dir`: everything up to the last slash, cleaned.
    reg!(m, ["dir", "osDir"], |a: &[Value]| {
        let s = sarg(a, 0);
        Ok(string(clean_path(s.rfind('/').map_or("", |i| &s[..=i]))))
    });
    reg!(m, ["ext", "osExt"], |a: &[Value]| {
        let s = sarg(a, 0);
        let base = s.rsplit('/').next().unwrap_or(&s);
        Ok(string(base.rfind('.').map(|i| &base[i..]).unwrap_or("")))
    });
    reg!(m, ["clean", "osClean"], |a: &[Value]| Ok(string(
        clean_path(&sarg(a, 0))
    )));
    reg!(m, ["isAbs", "osIsAbs"], |a: &[Value]| Ok(Value::Bool(
        sarg(a, 0).starts_with('/')
    )));
    reg!(m, ["urlParse"], |a: &[Value]| {
        let u =
            goutil::parse_url(&sarg(a, 0)).map_err(|e| err(format!("unable to parse url: {e}")))?;
        let mut d = VMap::new();
        let hostname = u.hostname();
        for (k, v) in [
            ("scheme", u.scheme),
            ("host", u.host),
            ("hostname", hostname),
            ("path", u.path),
            ("query", u.query),
            ("opaque", u.opaque),
            ("fragment", u.fragment),
            ("userinfo", u.userinfo),
        ] {
            d.insert(Arc::from(k), string(v));
        }
        Ok(map(d))
    });
    reg!(m, ["urlJoin"], |a: &[Value]| {
        let d = arg(a, 0);
        let g = |k: &str| dict_get(&d, k).map(|v| sv(&v)).unwrap_or_default();
        Ok(string(goutil::url_string(&goutil::Url {
            scheme: g("scheme"),
            userinfo: g("userinfo"),
            host: g("host"),
            path: g("path"),
            query: g("query"),
            opaque: g("opaque"),
            fragment: g("fragment"),
        })))
    });

    // No `env`/`expandenv`, `toBool`, `toUpper`/`toLower` or
    // `mustFromJsonArray`: Helm 4 leaves them out of its function map, so
    // a template naming one is a parse error in helm (`function "env" not
    // defined`) and must be here too.
    // Helm's engine replaces Sprig's `getHostByName` unless DNS lookups
    // are enabled (`--enable-dns`, off by default): every name is "".
    reg!(m, ["getHostByName"], |_a: &[Value]| Ok(string("")));

    // Random, time and crypto: fixed placeholders.
    // Random: one generator per render (`random.rs`), so draws differ
    // as Helm's do and output is reproducible.
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    reg!(m, ["randAlphaNum"], |a: &[Value]| Ok(random_string(
        &arg(a, 0),
        ALNUM
    )));
    reg!(m, ["randAlpha"], |a: &[Value]| Ok(random_string(
        &arg(a, 0),
        &ALNUM[..52]
    )));
    reg!(m, ["randNumeric"], |a: &[Value]| Ok(random_string(
        &arg(a, 0),
        &ALNUM[52..]
    )));
    // goutils' CryptoRandomAscii: the printable ASCII characters 32..=126.
    reg!(m, ["randAscii"], |a: &[Value]| {
        let printable: Vec<u8> = (32..=126).collect();
        Ok(random_string(&arg(a, 0), &printable))
    });
    reg!(m, ["randBytes"], |a: &[Value]| {
        let n = usize::try_from(to_i64(&arg(a, 0)).clamp(0, 100_000)).unwrap_or(0);
        Ok(string(digest::b64encode(&random::bytes(n))))
    });
    // `rand.Intn(max-min) + min`: Go panics unless max > min.
    reg!(m, ["randInt"], |a: &[Value]| {
        let (min, max) = (to_i64(&arg(a, 0)), to_i64(&arg(a, 1)));
        let span = max.saturating_sub(min);
        if span <= 0 {
            return Err("invalid argument to Intn".into());
        }
        let draw = random::below(u64::try_from(span).unwrap_or(1));
        Ok(Value::int(min + i64::try_from(draw).unwrap_or(0)))
    });
    reg!(m, ["uuidv4"], |_a: &[Value]| Ok(string(random::uuidv4())));
    reg!(m, ["now"], |_a: &[Value]| Ok(gotime::to_value(
        &GoTime::from_unix(FIXED_NOW)
    )));
    // Helm's local zone is UTC here, so `date` is `dateInZone … "UTC"`.
    reg!(m, ["date"], |a: &[Value]| Ok(date_in_zone(
        &sarg(a, 0),
        &arg(a, 1),
        "Local"
    )));
    reg!(m, ["dateInZone", "date_in_zone"], |a: &[Value]| Ok(
        date_in_zone(&sarg(a, 0), &arg(a, 1), &sarg(a, 2))
    ));
    reg!(m, ["htmlDate"], |a: &[Value]| Ok(date_in_zone(
        "2006-01-02",
        &arg(a, 0),
        "Local"
    )));
    reg!(m, ["htmlDateInZone"], |a: &[Value]| Ok(date_in_zone(
        "2006-01-02",
        &arg(a, 0),
        &sarg(a, 1)
    )));
    reg!(m, ["unixEpoch"], |a: &[Value]| Ok(string(
        time_arg(&arg(a, 0)).unix.to_string()
    )));
    // `time.Since(t).Round(time.Second)`, against the fixed `now`.
    reg!(m, ["ago"], |a: &[Value]| {
        let t = date_arg(&arg(a, 0));
        let nanos =
            (i128::from(FIXED_NOW) - i128::from(t.unix)) * 1_000_000_000 - i128::from(t.nsec);
        let secs = (nanos + 500_000_000).div_euclid(1_000_000_000);
        let secs = i64::try_from(secs).unwrap_or(i64::MAX / 1_000_000_000);
        Ok(string(goutil::duration_string(
            secs.saturating_mul(1_000_000_000),
        )))
    });
    // `time.ParseInLocation` in the local zone; `toDate` gives the zero
    // time for text it cannot parse, `mustToDate` the parse error.
    reg!(m, ["toDate"], |a: &[Value]| Ok(gotime::to_value(
        &gotime::parse(&sarg(a, 0), &sarg(a, 1)).unwrap_or_else(|_| GoTime::zero())
    )));
    reg!(m, ["mustToDate"], |a: &[Value]| Ok(gotime::to_value(
        &gotime::parse(&sarg(a, 0), &sarg(a, 1))?
    )));
    // `dateModify` keeps the time when the duration is bad,
    // `mustDateModify` fails with `time.ParseDuration`'s error.
    reg!(m, ["dateModify", "date_modify"], |a: &[Value]| {
        let t = time_arg(&arg(a, 1));
        Ok(gotime::to_value(
            &match goutil::parse_duration(&sarg(a, 0)) {
                Some(d) => t.add_nanos(d),
                None => t,
            },
        ))
    });
    reg!(
        m,
        ["mustDateModify", "must_date_modify"],
        |a: &[Value]| {
            let t = time_arg(&arg(a, 1));
            let text = sarg(a, 0);
            let d = goutil::parse_duration(&text)
                .ok_or_else(|| format!("time: invalid duration {}", go_quote(&text)))?;
            Ok(gotime::to_value(&t.add_nanos(d)))
        }
    );
    // Sprig's `duration` reads a string or an int64 as seconds; anything
    // else (a float from the values, an `int` literal) is zero.
    reg!(m, ["duration"], |a: &[Value]| {
        let secs = match arg(a, 0) {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int(i, IntKind::Int64) => i,
            _ => 0,
        };
        Ok(string(goutil::duration_string(
            secs.wrapping_mul(1_000_000_000),
        )))
    });
    // `durationRound`: a string is parsed as a Go duration (0 when bad), an
    // int64 is nanoseconds, anything else (an `int`) is zero.
    reg!(m, ["durationRound"], |a: &[Value]| {
        let nanos = match arg(a, 0) {
            Value::String(s) => goutil::parse_duration(&s).unwrap_or(0),
            Value::Int(i, IntKind::Int64) => i,
            _ => 0,
        };
        Ok(string(goutil::duration_round(nanos)))
    });
    // Keys and certificates: placeholders of the right type and shape
    // (`random.rs`), after Sprig's own checks of the arguments.
    reg!(m, ["genCA"], |a: &[Value]| Ok(certificate(
        random::certificate(&sarg(a, 0)),
        random::private_key(KeyType::Rsa(2048))
    )));
    reg!(m, ["genCAWithKey"], |a: &[Value]| {
        let (key, signs) = given_key(&sarg(a, 2))?;
        signed_certificate(&sarg(a, 0), key, signs)
    });
    reg!(m, ["genSelfSignedCert"], |a: &[Value]| {
        check_cert_names(&arg(a, 1), &arg(a, 2))?;
        Ok(certificate(
            random::certificate(&sarg(a, 0)),
            random::private_key(KeyType::Rsa(2048)),
        ))
    });
    reg!(m, ["genSelfSignedCertWithKey"], |a: &[Value]| {
        let (key, signs) = given_key(&sarg(a, 4))?;
        check_cert_names(&arg(a, 1), &arg(a, 2))?;
        signed_certificate(&sarg(a, 0), key, signs)
    });
    reg!(m, ["genSignedCert"], |a: &[Value]| {
        let key = random::private_key(KeyType::Rsa(2048));
        let signs = check_signer(&arg(a, 4))?;
        check_cert_names(&arg(a, 1), &arg(a, 2))?;
        signed_certificate(&sarg(a, 0), key, signs)
    });
    reg!(m, ["genSignedCertWithKey"], |a: &[Value]| {
        let (key, _) = given_key(&sarg(a, 5))?;
        let signs = check_signer(&arg(a, 4))?;
        check_cert_names(&arg(a, 1), &arg(a, 2))?;
        signed_certificate(&sarg(a, 0), key, signs)
    });
    // Sprig's `generatePrivateKey`: an unknown type is this text, not an error.
    reg!(m, ["genPrivateKey"], |a: &[Value]| {
        let kind = match sarg(a, 0).as_str() {
            "" | "rsa" => KeyType::Rsa(4096),
            "dsa" => KeyType::Dsa,
            "ecdsa" => KeyType::Ecdsa,
            "ed25519" => KeyType::Ed25519,
            other => return Ok(string(format!("Unknown type {other}"))),
        };
        Ok(string(random::private_key(kind)))
    });
    // The certificate and key given, once Sprig has read them.
    reg!(m, ["buildCustomCert"], |a: &[Value]| {
        let (cert, key) = crypto::build_custom_cert(&sarg(a, 0), &sarg(a, 1))?;
        Ok(certificate(cert, key))
    });
    // Deterministic (Master Password): Helm's output byte for byte.
    reg!(m, ["derivePassword"], |a: &[Value]| {
        let counter = u32::try_from(to_i64(&arg(a, 0)) & 0xffff_ffff).unwrap_or(0);
        Ok(string(crypto::derive_password(
            counter,
            &sarg(a, 1),
            &sarg(a, 2),
            &sarg(a, 3),
            &sarg(a, 4),
        )?))
    });
    // Sprig's `htpasswd` refuses a name with a colon in its result text.
    reg!(m, ["htpasswd"], |a: &[Value]| {
        let user = sarg(a, 0);
        if user.contains(':') {
            return Ok(string(format!("invalid username: {user}")));
        }
        Ok(string(format!("{user}:{}", bcrypt(&sarg(a, 1)))))
    });
    reg!(m, ["bcrypt"], |a: &[Value]| Ok(string(bcrypt(&sarg(a, 0)))));
    // Sprig's IV is random: a fixed one here (see `crypto::encrypt_aes`).
    reg!(m, ["encryptAES"], |a: &[Value]| Ok(string(
        crypto::encrypt_aes(&sarg(a, 0), sarg(a, 1).as_bytes())
    )));
    // AES-256-CBC as Sprig decrypts (what `encryptAES` made, whatever
    // its random IV): deterministic, so Helm's output byte for byte.
    reg!(m, ["decryptAES"], |a: &[Value]| {
        let text = sarg(a, 1);
        let crypt = digest::b64decode_strict(&text)
            .map_err(|at| format!("illegal base64 data at input byte {at}"))?;
        let plain = crypto::decrypt_aes(&sarg(a, 0), &crypt)?;
        Ok(string(String::from_utf8_lossy(&plain)))
    });

    m
}

/// Sprig's `untilStep`: from `start` by `step` while short of `stop`
/// (nothing when the step points away from it), bounded by [`MAX_LIST`].
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    if (stop < start && step >= 0) || (stop >= start && step <= 0) {
        return Ok(out);
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i);
        if i64::try_from(out.len()).unwrap_or(i64::MAX) > MAX_LIST {
            return Err(err(format!(
                "untilStep: over the limit of {MAX_LIST} items"
            )));
        }
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(out)
}

/// Sprig's `merge`/`mergeOverwrite`: the sources merged into the first
/// map, in place, which is returned.
fn merge_all(a: &[Value], overwrite: bool) -> R {
    // A nil destination is Go's nil map: mergo gives it a new map.
    let d = match arg(a, 0) {
        Value::Map(d) if d.is_nil() => Map::new(VMap::new()),
        Value::Map(d) => d,
        Value::Nil => Map::new(VMap::new()),
        _ => return Err(err("merge: the destination is not a map")),
    };
    for s in a.iter().skip(1) {
        if let Value::Map(sm) = s {
            merge_into(&d, sm, overwrite, 0);
        }
    }
    Ok(Value::Map(d))
}

/// Go's panic text for a failed type assertion from `interface {}`.
fn assertion(v: &Value, want: &str) -> String {
    let got = match v {
        Value::Nil => "nil",
        other => other.type_name(),
    };
    format!("interface conversion: interface {{}} is {got}, not {want}")
}

/// Registers every function of [`sprig`] in a template set.
pub(crate) fn register(set: &mut Set) {
    for (name, f) in sprig() {
        set.add_plain(name, move |a| f(a));
    }
}

/// libyaml's parser errors (`parserc.go`); every other syntax error is
/// the scanner's.
const PARSER_PROBLEMS: &[&str] = &[
    "did not find expected node content",
    "did not find expected key",
    "did not find expected '-' indicator",
    "did not find expected ',' or ']'",
    "did not find expected ',' or '}'",
    "did not find expected <document start>",
    crate::yaml::INCOMPATIBLE_DOCUMENT,
];

/// A YAML syntax error in go-yaml's words, as `sigs.k8s.io/yaml` wraps it.
///
/// saphyr words its errors as libyaml does, with the context first
/// (`while parsing a node, did not find expected node content`); go-yaml
/// prints only the problem, after `line N: ` where N is the problem's
/// 0-based line for a parser error, its 1-based line for a scanner error,
/// and nothing when the 0-based line is 0 (`yaml.v2`'s `parser.fail`).
/// Where saphyr finds a different first error than libyaml, `yamlerr.rs`
/// says what libyaml found, for the cases it follows.
fn go_yaml_error(text: &str, issue: &crate::yaml::Issue) -> String {
    let message = &issue.message;
    if message.contains("unknown anchor")
        && let Some(p) = issue.pos
        && let Some(name) = yamlerr::alias_name(text, p.line, p.column)
    {
        // go-yaml's decoder names the alias, without a line.
        return format!("error converting YAML to JSON: yaml: unknown anchor '{name}' referenced");
    }
    if issue.code != crate::diag::Code::YamlSyntax {
        return message.clone();
    }
    if message == crate::yaml::MAP_MERGE {
        // go-yaml's decoder error, without a line.
        return format!("error converting YAML to JSON: yaml: {message}");
    }
    let flow = yamlerr::scan_flow(text).unwrap_or_default();
    if let Some(line0) = flow.empty_entry_line {
        // libyaml wants node content where a flow entry starts with `:`
        // (a parser error: its 0-based line, none on line 0).
        let at = if line0 == 0 {
            String::new()
        } else {
            format!("line {line0}: ")
        };
        return format!(
            "error converting YAML to JSON: yaml: {at}did not find expected node content"
        );
    }
    let text = message
        .strip_prefix("YAML syntax error: ")
        .unwrap_or(message);
    let problem = match text.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => problem,
        _ => text,
    };
    // saphyr's own words for two of libyaml's errors.
    let problem = if problem.starts_with("unexpected character") {
        "found character that cannot start any token"
    } else if problem == "expected ',' or ']'" {
        "did not find expected ',' or ']'"
    } else if problem == "did not find expected ',' or '}'" && flow.open_at_end == Some('[') {
        // A single-pair mapping inside an unclosed sequence: libyaml ends
        // the pair and wants the sequence's `]`.
        "did not find expected ',' or ']'"
    } else {
        problem
    };
    let line0 = issue.pos.map_or(0, |p| p.line.saturating_sub(1));
    let line = match line0 {
        0 => 0,
        l if PARSER_PROBLEMS.contains(&problem) => l,
        l => l + 1,
    };
    let at = if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    };
    format!("error converting YAML to JSON: yaml: {at}{problem}")
}

/// `fromYaml`: a mapping (or `{Error: …}`), `fromYamlArray`: a list.
pub(crate) fn from_yaml(text: &str, array: bool) -> Value {
    let parsed = crate::yaml::parse_str(text, &crate::yaml::Limits::default());
    let error = if let Some((_, problem)) = crate::yaml::first_reader_error(text) {
        // go-yaml's reader error, as `sigs.k8s.io/yaml` wraps it.
        Some(format!(
            "error converting YAML to JSON: yaml: {}",
            problem.go_message()
        ))
    } else {
        parsed
            .issues
            .iter()
            .find(|i| i.severity == crate::yaml::IssueSeverity::Error)
            .map(|i| go_yaml_error(text, i))
            // What `sigs.k8s.io/yaml` cannot convert to JSON (Inf/NaN, a
            // null or complex key, bad `!!binary`), as for values files.
            .or_else(|| {
                parsed
                    .json_error(0)
                    .map(|p| format!("error converting YAML to JSON: {}", p.message))
            })
    };
    if let Some(e) = error {
        return if array {
            list(vec![string(e)])
        } else {
            let mut d = VMap::new();
            d.insert(Arc::from("Error"), string(e));
            map(d)
        };
    }
    let root = parsed
        .documents
        .first()
        .map(|d| node_value(&d.root))
        .unwrap_or(Value::Nil);
    // Helm converts the YAML to JSON and unmarshals that into the wanted
    // type; another JSON type is encoding/json's error.
    let json_kind = match &root {
        Value::Nil => None,
        Value::Map(_) if !array => None,
        Value::List(_) if array => None,
        Value::Map(_) => Some("object"),
        Value::List(_) => Some("array"),
        // A []byte marshals as a base64 string.
        Value::String(_) | Value::Bytes(_) => Some("string"),
        Value::Bool(_) => Some("bool"),
        Value::Int(..) | Value::Float(_) => Some("number"),
    };
    let target = if array {
        "[]interface {}"
    } else {
        "map[string]interface {}"
    };
    match (json_kind, array) {
        (Some(kind), _) => {
            let e = format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type {target}"
            );
            if array {
                list(vec![string(e)])
            } else {
                let mut d = VMap::new();
                d.insert(Arc::from("Error"), string(e));
                map(d)
            }
        }
        (None, false) => match root {
            v @ Value::Map(_) => v,
            _ => map(VMap::new()),
        },
        (None, true) => match root {
            v @ Value::List(_) => v,
            _ => list(Vec::new()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_compare_wraps_the_constraint_table() {
        // The constraint table itself is `semver.rs`'s test; this checks
        // only that `semverCompare` answers through it and keeps its errors.
        assert_eq!(semver_matches(">=1.21-0", "v1.35.0"), Ok(true));
        assert!(semver_matches("bad", "1.2.3").is_err());
        // Masterminds: a blank group or a stray comma is improper, named
        // by its group (kubeVersion "" is never checked; "  " fails).
        for c in ["", "  ", ">=1.0 || ", ">=1.0,", ",>=1.0"] {
            assert!(semver_matches(c, "1.2.3").is_err(), "{c:?}");
        }
        assert_eq!(
            semver_matches(">=1.0 || ", "1.2.3"),
            Err("improper constraint:  ".into())
        );
        assert_eq!(semver_matches(" >=1.0 , <2 ", "1.2.3"), Ok(true));
    }

    #[test]
    fn until_takes_the_minimum_int_without_overflow() {
        // `int` of an out-of-range float is i64::MIN (as Go on amd64); its
        // magnitude once overflowed `abs()` and panicked the renderer.
        let until = sprig().into_iter().find(|(n, _)| *n == "until").unwrap().1;
        assert!(until(&[Value::int(i64::MIN)]).is_err());
        assert_eq!(
            until(&[Value::int(-2)]).unwrap(),
            typed_list(SliceType::Int, vec![Value::int(0), Value::int(-1)])
        );
    }

    #[test]
    fn paths_clean_as_go() {
        for (p, want) in [
            ("", "."),
            ("a/b/", "a/b"),
            ("a//b/../c", "a/c"),
            ("/../a", "/a"),
            ("../../a/./b/..", "../../a"),
            ("a/..", "."),
            ("/", "/"),
        ] {
            assert_eq!(clean_path(p), want, "{p:?}");
        }
    }

    #[test]
    fn dates() {
        let f = |name: &str| sprig().into_iter().find(|(n, _)| *n == name).unwrap().1;
        let text = |v: Value| v.as_str().map(str::to_string).unwrap();
        // An int is Unix seconds; a float (what values hold) is `now`.
        assert_eq!(
            text(f("date")(&[Value::str("2006-01-02 15:04"), Value::int(1_700_000_000)]).unwrap()),
            "2023-11-14 22:13"
        );
        assert_eq!(
            text(f("htmlDate")(&[Value::Float(1.0)]).unwrap()),
            "2024-01-01"
        );
        let t = f("toDate")(&[Value::str("2006-01-02"), Value::str("2024-02-29")]).unwrap();
        assert_eq!(type_of(&t), "time.Time");
        assert_eq!(
            sprint(std::slice::from_ref(&t)),
            "2024-02-29 00:00:00 +0000 UTC"
        );
        assert_eq!(
            text(f("unixEpoch")(std::slice::from_ref(&t)).unwrap()),
            "1709164800"
        );
        let later = f("dateModify")(&[Value::str("-1h30m"), t.clone()]).unwrap();
        assert_eq!(sprint(&[later]), "2024-02-28 22:30:00 +0000 UTC");
        assert_eq!(
            f("mustDateModify")(&[Value::str("bad"), t]).unwrap_err(),
            "time: invalid duration \"bad\""
        );
        assert_eq!(
            f("mustToDate")(&[Value::str("2006-01-02"), Value::str("x")]).unwrap_err(),
            "parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\""
        );
    }
}
