//! Template data: the dynamic values Go's `text/template` sees through
//! reflection, with Go's reference semantics for maps.
//!
//! Go maps are references: `set $m "k" v` changes the map every holder of
//! `$m` sees (a `range` dot, a variable taken from `.Values`, the caller of
//! an `include`). A [`Map`] is therefore a shared cell (`Rc<RefCell<..>>`):
//! cloning a [`Value::Map`] clones the handle, never the entries, so
//! passing values around costs a reference-count bump and mutation through
//! any handle is seen by all, as in Go. Rendering is single-threaded, so
//! `Rc`/`RefCell` (not `Arc`/locks) suffices; a borrow conflict (a map
//! merged into itself) is turned into a copy, never a panic. Strings and
//! lists are immutable in templates (Sprig's list functions return new
//! lists), so they are shared `Arc`s.

use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// The entries of a map, in Go's printing order (sorted keys).
pub type Entries = BTreeMap<Arc<str>, Value>;

/// One template value.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's nil / an invalid `reflect.Value` (a missing map key).
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// An integer of one of Go's integer types (the type decides what
    /// `%T`, `typeOf`, `kindIs` and type-switching Sprig functions such as
    /// `duration` see; arithmetic and comparison treat them alike).
    Int(i64, IntKind),
    /// `float64`.
    Float(f64),
    /// `string`.
    String(Arc<str>),
    /// `[]byte` (Helm's file contents): prints as `[97 98]`, marshals as
    /// base64, ranges and indexes as `uint8`s. `None` is a nil slice,
    /// which prints and measures like an empty one but marshals as `null`.
    Bytes(Option<Arc<[u8]>>),
    /// A slice: `[]interface{}` mostly, or one of the typed slices Sprig
    /// and Helm return (see [`SliceType`]).
    List(Slice),
    /// `map[string]interface{}`, shared by reference.
    Map(Map),
}

/// Go's integer type of a [`Value::Int`]. Which functions give which is
/// Go's and Sprig's choice: a template literal, `len`, `atoi`, `int`,
/// `until` and range indexes are `int`; Sprig's arithmetic (`add`, `sub`,
/// `mul`, `div`, `mod`, `max`, `min`, `add1`, `biggest`), `int64`,
/// `toDecimal`, `--set` integers and TOML integers are `int64`; indexing
/// a string or ranging over `[]byte` gives bytes (`uint8`); a semver's
/// parts are `uint64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntKind {
    /// `int`.
    #[default]
    Int,
    /// `int64`.
    Int64,
    /// `uint8` (a byte).
    Uint8,
    /// `uint64`.
    Uint64,
}

impl IntKind {
    /// The Go type name (also its kind name: these are unnamed types).
    pub fn name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int64 => "int64",
            IntKind::Uint8 => "uint8",
            IntKind::Uint64 => "uint64",
        }
    }

    /// Whether the type is unsigned (`%#v` prints it in hex).
    pub fn unsigned(self) -> bool {
        matches!(self, IntKind::Uint8 | IntKind::Uint64)
    }
}

/// Go's type of a [`Slice`]: what `%T`, `typeOf`, `%#v` and `deepEqual`
/// see. Sprig's list functions take `interface{}` and build new
/// `[]interface{}`s, but some return typed slices (`splitList`, `keys`,
/// `sortAlpha`, `toStrings`, `regexFindAll`, `regexSplit`: `[]string`;
/// `until`, `untilStep`: `[]int`; `chunk`: `[][]interface {}`), as do
/// Helm's `.Files.Lines` (`[]string`) and `.Capabilities.APIVersions`
/// (`common.VersionSet`); `slice` keeps its argument's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SliceType {
    /// `[]interface {}`.
    #[default]
    Interface,
    /// `[]string`.
    String,
    /// `[]int`.
    Int,
    /// `[][]interface {}`.
    Interfaces,
    /// Helm's `common.VersionSet` (a `[]string`).
    VersionSet,
}

impl SliceType {
    /// The Go type name.
    pub fn name(self) -> &'static str {
        match self {
            SliceType::Interface => "[]interface {}",
            SliceType::String => "[]string",
            SliceType::Int => "[]int",
            SliceType::Interfaces => "[][]interface {}",
            SliceType::VersionSet => "common.VersionSet",
        }
    }
}

/// An immutable slice value: shared elements, Go's slice type, and
/// whether it is a nil slice (`regexFindAll` finding nothing), which
/// prints and measures like an empty one but marshals as `null` in JSON
/// (and in `toYaml`, which goes through JSON) and prints `(nil)` in `%#v`.
#[derive(Clone, Default)]
pub struct Slice {
    items: Arc<[Value]>,
    ty: SliceType,
    nil: bool,
}

impl Slice {
    /// A slice of type `ty`.
    pub fn typed(ty: SliceType, items: Vec<Value>) -> Slice {
        Slice {
            items: items.into(),
            ty,
            nil: false,
        }
    }

    /// A nil slice of type `ty`.
    pub fn nil(ty: SliceType) -> Slice {
        Slice {
            items: Arc::from([]),
            ty,
            nil: true,
        }
    }

    /// The same elements as a slice of type `ty` (what reflection's
    /// `Slice` of a typed slice keeps).
    #[must_use]
    pub fn with_type(mut self, ty: SliceType) -> Slice {
        self.ty = ty;
        self
    }

    /// Go's type.
    pub fn slice_type(&self) -> SliceType {
        self.ty
    }

    /// Whether this is a nil slice.
    pub fn is_nil(&self) -> bool {
        self.nil
    }
}

impl std::ops::Deref for Slice {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.items
    }
}

impl From<Vec<Value>> for Slice {
    fn from(items: Vec<Value>) -> Slice {
        Slice::typed(SliceType::Interface, items)
    }
}

impl From<Arc<[Value]>> for Slice {
    fn from(items: Arc<[Value]>) -> Slice {
        Slice {
            items,
            ty: SliceType::Interface,
            nil: false,
        }
    }
}

impl From<&[Value]> for Slice {
    fn from(items: &[Value]) -> Slice {
        Slice::from(Arc::<[Value]>::from(items))
    }
}

impl FromIterator<Value> for Slice {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Slice {
        Slice::from(iter.into_iter().collect::<Vec<_>>())
    }
}

/// A shared, mutable map (Go's map reference). An optional [`GoType`]
/// marks a map that stands for one of the host's Go values (Helm's
/// `.Files`, `.Capabilities.KubeVersion`): it decides which methods the map
/// answers, and how it prints, marshals and names its type.
#[derive(Clone, Default)]
pub struct Map(Rc<MapCell>);

#[derive(Default)]
struct MapCell {
    go_type: Option<&'static GoType>,
    /// Shared with every view of the same Go map (see [`Map::view`]).
    entries: Rc<RefCell<Entries>>,
    /// A nil map of its type (`.Chart.Annotations` of a chart without
    /// any): reads and prints as an empty one, marshals as JSON `null`.
    nil: bool,
}

/// The Go type a host's map stands for. Helm hands templates some of its
/// objects as Go structs (`.Capabilities`, its `KubeVersion`), and Go
/// prints a struct as `{v1 v2}` in field order, marshals it by its JSON
/// tags, and names it `common.KubeVersion`: a plain map would print
/// `map[k:v]` and marshal every entry.
#[derive(Debug)]
pub struct GoType {
    /// What `%T` and Sprig's `typeOf` print (`common.KubeVersion`).
    pub name: &'static str,
    /// Go's kind: a map type, a struct, or a pointer to a struct.
    pub kind: GoKind,
    /// For a map type: what a missing key reads as (its element type's
    /// zero value).
    pub elem_zero: ElemZero,
    /// For a type with a `String()` method (a `fmt.Stringer`): the entry
    /// holding its result, which `fmt` and text/template print instead of
    /// the fields.
    pub stringer: Option<&'static str>,
    /// For a struct whose `String()` has a pointer receiver
    /// (`func (kv *KubeVersion) String()`): the entry holding its result.
    /// Only an addressable value has that method (Go's method set of `T`
    /// leaves out `*T`'s), so only an action printing a field reached
    /// through a pointer, or a variable or dot holding one, prints it;
    /// `print`, `printf` and every other function get a copy and print
    /// the fields (text/template's `printValue` takes `v.Addr()` when
    /// `v.CanAddr()` and `*T` is a `fmt.Stringer`).
    pub addr_stringer: Option<&'static str>,
    /// A struct's fields in declaration order (empty for a map type).
    /// Entries of the map not listed here are method results (Go calls a
    /// niladic method like a field): readable, never printed or marshalled.
    pub fields: &'static [GoField],
}

/// The zero value of a host map type's elements, what a missing key gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemZero {
    /// `interface {}` elements: nil (printed `<no value>`).
    Nil,
    /// `string` elements (`map[string]string`): `""`.
    String,
    /// `[]byte` elements (Helm's `.Files`): a nil slice, printed `[]`.
    Bytes,
}

/// Go's kind of a host type (Sprig's `kindOf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoKind {
    /// A named map type (`engine.files`): prints and marshals as a map.
    Map,
    /// A struct value.
    Struct,
    /// A pointer to a struct (text/template prints through it).
    Ptr,
}

/// One field of a Go struct.
#[derive(Debug)]
pub struct GoField {
    /// The Go field name, also the map key holding its value.
    pub name: &'static str,
    /// The JSON name (`json:"…"`); `None` for a field `encoding/json`
    /// leaves out (unexported). Untagged exported fields use their name.
    pub json: Option<&'static str>,
    /// `omitempty`: left out of JSON when it holds its zero value.
    pub omit_empty: bool,
}

/// `map[string]string`, what Sprig's `split`/`splitn` return: a missing
/// key reads as the element type's zero value, `""`, never nil.
pub static STRING_MAP: GoType = GoType {
    name: "map[string]string",
    kind: GoKind::Map,
    elem_zero: ElemZero::String,
    stringer: None,
    addr_stringer: None,
    fields: &[],
};

impl GoType {
    /// Whether this type is a struct or a pointer to one.
    pub fn is_struct(&self) -> bool {
        matches!(self.kind, GoKind::Struct | GoKind::Ptr)
    }

    /// Sprig's `kindOf` name.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            GoKind::Map => "map",
            GoKind::Struct => "struct",
            GoKind::Ptr => "ptr",
        }
    }

    /// Whether the struct declares field `name`.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
    }
}

impl Map {
    /// A new map holding `entries`.
    pub fn new(entries: Entries) -> Map {
        Map(Rc::new(MapCell {
            go_type: None,
            entries: Rc::new(RefCell::new(entries)),
            nil: false,
        }))
    }

    /// A nil map of the host's map type `go_type`.
    pub fn nil(go_type: &'static GoType) -> Map {
        Map(Rc::new(MapCell {
            go_type: Some(go_type),
            entries: Rc::default(),
            nil: true,
        }))
    }

    /// A nil `map[string]interface {}`: what `encoding/json` leaves after
    /// unmarshalling `null` into a map (Helm's `fromJson "null"`).
    pub fn nil_plain() -> Map {
        Map(Rc::new(MapCell {
            go_type: None,
            entries: Rc::default(),
            nil: true,
        }))
    }

    /// Whether this is a nil map (see [`Map::nil`]).
    pub fn is_nil(&self) -> bool {
        self.0.nil
    }

    /// A new map standing for the host's Go type (methods are looked up on
    /// it, see [`crate::gotemplate::Methods`]).
    pub fn typed(go_type: &'static GoType, entries: Entries) -> Map {
        Map(Rc::new(MapCell {
            go_type: Some(go_type),
            entries: Rc::new(RefCell::new(entries)),
            nil: false,
        }))
    }

    /// The host type's name, if this map stands for one.
    pub fn type_name(&self) -> Option<&'static str> {
        self.0.go_type.map(|t| t.name)
    }

    /// The host type this map stands for, if any.
    pub fn go_type(&self) -> Option<&'static GoType> {
        self.0.go_type
    }

    /// The host struct this map stands for, if it is one.
    pub fn go_struct(&self) -> Option<&'static GoType> {
        self.0.go_type.filter(|t| t.is_struct())
    }

    /// What reading a missing key gives: the map's element zero value
    /// (`""` for a `map[string]string`, nil for `interface {}` elements).
    pub fn missing(&self) -> Value {
        match self.0.go_type.map_or(ElemZero::Nil, |t| t.elem_zero) {
            ElemZero::Nil => Value::Nil,
            ElemZero::String => Value::str(""),
            // A nil []byte: prints `[]`, empty, length 0.
            ElemZero::Bytes => Value::Bytes(None),
        }
    }

    /// The value at `key` (a cheap handle clone).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.entries.borrow().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.entries.borrow().contains_key(key)
    }

    /// Sets `key`, as Go's `m[key] = v`: every holder of the map sees it.
    pub fn insert(&self, key: impl Into<Arc<str>>, value: Value) {
        if let Ok(mut e) = self.0.entries.try_borrow_mut() {
            e.insert(key.into(), value);
        }
    }

    /// Removes `key` (Go's `delete`).
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.entries.try_borrow_mut().ok()?.remove(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.entries.borrow().len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.entries.borrow().is_empty()
    }

    /// Read access to the entries (do not mutate this map while holding it).
    pub fn borrow(&self) -> Ref<'_, Entries> {
        self.0.entries.borrow()
    }

    /// A shallow copy of the entries (nested maps stay shared).
    pub fn snapshot(&self) -> Entries {
        self.0.entries.borrow().clone()
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<Arc<str>> {
        self.0.entries.borrow().keys().cloned().collect()
    }

    /// Key/value pairs, sorted by key (handles, cheap).
    pub fn pairs(&self) -> Vec<(Arc<str>, Value)> {
        self.0
            .entries
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The key/value pairs `encoding/json` would write: for a struct, its
    /// exported fields under their JSON names in declaration order
    /// (`omitempty` ones left out when zero); for a map, every entry in
    /// key order.
    pub fn marshal_pairs(&self) -> Vec<(Arc<str>, Value)> {
        let Some(t) = self.go_struct() else {
            return self.pairs();
        };
        t.fields
            .iter()
            .filter_map(|f| {
                let json = f.json?;
                let v = self.get(f.name).unwrap_or_default();
                (!f.omit_empty || v.is_truthy()).then(|| (Arc::from(json), v))
            })
            .collect()
    }

    /// Runs `f` on the entries for in-place change; a map that is already
    /// being read (merged into itself) is changed on a copy swapped in
    /// afterwards, so there is never a borrow panic.
    pub fn update<T>(&self, f: impl FnOnce(&mut Entries) -> T) -> T {
        match self.0.entries.try_borrow_mut() {
            Ok(mut e) => f(&mut e),
            Err(_) => {
                let mut copy = self.snapshot();
                let out = f(&mut copy);
                if let Ok(mut e) = self.0.entries.try_borrow_mut() {
                    *e = copy;
                }
                out
            }
        }
    }

    /// Whether both handles are the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.0.entries, &other.0.entries)
    }

    /// The same Go map as a plain `map[string]interface {}` (what a
    /// function parameter of that type makes of a `common.Values`).
    pub fn plain_view(&self) -> Map {
        Map(Rc::new(MapCell {
            go_type: None,
            entries: self.0.entries.clone(),
            nil: self.0.nil,
        }))
    }

    /// The same Go map seen as the named map type `go_type` (Go's
    /// conversion `common.Values(m)`): entries are shared, writes through
    /// either handle are seen by both, only the type differs.
    pub fn view(&self, go_type: &'static GoType) -> Map {
        Map(Rc::new(MapCell {
            go_type: Some(go_type),
            entries: self.0.entries.clone(),
            nil: self.0.nil,
        }))
    }

    /// A deep copy: nested maps are new maps (Sprig's `deepCopy`). Past
    /// [`MAX_DEPTH`] levels or [`MAX_COPY`] values (a map holding itself)
    /// maps stay shared.
    pub fn deep_copy(&self) -> Map {
        self.deep_copy_at(0, &mut 0)
    }

    fn deep_copy_at(&self, depth: usize, count: &mut usize) -> Map {
        *count += 1;
        if depth > MAX_DEPTH || *count > MAX_COPY {
            return self.clone();
        }
        let mut entries: Entries = self
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1, count)))
            .collect();
        // A copied struct loses its unexported fields (copystructure sees
        // only exported ones), which then print as the zero string.
        if let Some(t) = self.go_struct() {
            for f in t.fields.iter().filter(|f| f.json.is_none()) {
                entries.insert(Arc::from(f.name), Value::str(""));
            }
        }
        Map(Rc::new(MapCell {
            go_type: self.0.go_type,
            entries: Rc::new(RefCell::new(entries)),
            nil: self.0.nil,
        }))
    }
}

impl From<Entries> for Map {
    fn from(e: Entries) -> Map {
        Map::new(e)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    /// An `int`.
    pub fn int(i: i64) -> Value {
        Value::Int(i, IntKind::Int)
    }

    /// An `int64`.
    pub fn int64(i: i64) -> Value {
        Value::Int(i, IntKind::Int64)
    }

    /// An `int` holding a length or an index.
    pub fn from_usize(n: usize) -> Value {
        Value::int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// A `[]byte` holding `data`.
    pub fn bytes(data: &[u8]) -> Value {
        Value::Bytes(Some(Arc::from(data)))
    }

    /// The bytes of a `[]byte` (empty for a nil one).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b.as_deref().unwrap_or_default()),
            _ => None,
        }
    }

    /// The elements of a list, or of a `[]byte` as `uint8` values (what
    /// reflection sees iterating over either slice).
    pub fn slice_items(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.to_vec()),
            Value::Bytes(_) => Some(
                self.as_bytes()
                    .unwrap_or_default()
                    .iter()
                    .map(|&b| Value::Int(i64::from(b), IntKind::Uint8))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A new map value.
    pub fn map(entries: Entries) -> Value {
        Value::Map(Map::new(entries))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items.into())
    }

    /// Go's truth (`text/template`'s `isTrue`): false for nil, false, zero
    /// numbers and empty strings, lists and maps.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Bytes(b) => b.as_ref().is_some_and(|b| !b.is_empty()),
            Value::Map(m) => !m.is_empty(),
        }
    }

    /// The integer, if this is an `int` (or an integral float).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i, _) => Some(*i),
            #[allow(clippy::cast_possible_truncation)]
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A field of a map value (nil when absent or not a map).
    pub fn field(&self, key: &str) -> Option<Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Go's type name of the value as `%T` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_, k) => k.name(),
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(l) => l.slice_type().name(),
            Value::Bytes(_) => "[]uint8",
            Value::Map(m) => m.type_name().unwrap_or("map[string]interface {}"),
        }
    }

    /// A deep copy (new maps all the way down).
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(0, &mut 0)
    }

    fn deep_copy_at(&self, depth: usize, count: &mut usize) -> Value {
        match self {
            Value::Map(m) => Value::Map(m.deep_copy_at(depth, count)),
            Value::List(l) if !l.is_nil() && depth <= MAX_DEPTH && *count <= MAX_COPY => {
                *count += 1;
                let items = l.iter().map(|v| v.deep_copy_at(depth + 1, count));
                Value::List(Slice::typed(l.slice_type(), items.collect()))
            }
            other => other.clone(),
        }
    }
}

/// Go strings are byte strings; ours are UTF-8. A byte of a Go string
/// that is not part of valid UTF-8 (a binary file read by `.Files.Get`,
/// `b64dec` of binary data, a byte-wise cut inside a character) is carried
/// as the private-use character `U+10FF00 + byte` (`U+10FF80..=U+10FFFF`),
/// so the functions that see bytes (`len`, `b64enc`, the digests, `trunc`)
/// get Go's bytes back with [`go_string_bytes`].
pub fn go_string_from_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            let mut out = String::with_capacity(b.len() + 8);
            for chunk in b.utf8_chunks() {
                out.push_str(chunk.valid());
                for &x in chunk.invalid() {
                    out.push(char::from_u32(CARRIER + u32::from(x)).unwrap_or('\u{FFFD}'));
                }
            }
            out
        }
    }
}

/// Where the carried bytes of [`go_string_from_bytes`] start.
const CARRIER: u32 = 0x10_FF00;

/// Whether `c` carries a raw byte (see [`go_string_from_bytes`]).
pub fn is_carried_byte(c: char) -> bool {
    (CARRIER + 0x80..=CARRIER + 0xFF).contains(&(c as u32))
}

/// The Go bytes of a string (see [`go_string_from_bytes`]).
pub fn go_string_bytes(s: &str) -> std::borrow::Cow<'_, [u8]> {
    // Every carried byte is a 4-byte sequence starting with 0xF4.
    if !s.as_bytes().contains(&0xF4) {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_carried_byte(c) {
            out.push(u8::try_from(c as u32 - CARRIER).unwrap_or(0));
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Deepest nesting printed or compared: a map that holds itself (possible
/// with `set`) must not recurse without end.
pub(crate) const MAX_DEPTH: usize = 1_000;

/// Most maps and lists one deep copy creates.
pub(crate) const MAX_COPY: usize = 1_000_000;

/// Longest text [`write_go`] produces: a map that holds itself several
/// times would otherwise print exponentially.
pub(crate) const MAX_PRINT: usize = 64 * 1024 * 1024;

/// `reflect.DeepEqual` on template values.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    fn eq(a: &Value, b: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            // reflect.DeepEqual: an int never equals an int64.
            (Value::Int(x, j), Value::Int(y, k)) => x == y && j == k,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::String(x), Value::String(y)) => x == y,
            // A nil slice never equals an empty one.
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            // Slices of different types, or a nil and an empty one, differ.
            (Value::List(x), Value::List(y)) => {
                x.slice_type() == y.slice_type()
                    && x.is_nil() == y.is_nil()
                    && x.len() == y.len()
                    && x.iter().zip(y.iter()).all(|(p, q)| eq(p, q, depth + 1))
            }
            (Value::Map(x), Value::Map(y)) => {
                if x.ptr_eq(y) {
                    return true;
                }
                // Maps of different types, or a nil and an empty one, differ.
                if x.type_name() != y.type_name() || x.is_nil() != y.is_nil() {
                    return false;
                }
                let (x, y) = (x.borrow(), y.borrow());
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k).is_some_and(|w| eq(v, w, depth + 1)))
            }
            _ => false,
        }
    }
    eq(a, b, 0)
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        deep_equal(self, other)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i, k) => write!(f, "Int({i} {})", k.name()),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
        }
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.borrow().iter()).finish()
    }
}

/// How every `strconv.FormatFloat` format writes NaN and the infinities.
pub(crate) fn go_float_special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        None
    }
}

/// Go's `%v` for a float, `strconv.FormatFloat(f, 'g', -1, 64)`: shortest
/// digits, exponent form when the exponent is below -4 or at least 6
/// (`1`, `1.5`, `100000`, `1e+06`, `1e-05`).
pub fn go_float(f: f64) -> String {
    if let Some(special) = go_float_special(f) {
        return special.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest round-trip digits via Rust's `{:e}`: `d.ddddde<exp>`.
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let sign = if neg { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let nd = i32::try_from(digits.len()).unwrap_or(1);
    if exp >= nd - 1 {
        let zeros = usize::try_from(exp - (nd - 1)).unwrap_or(0);
        format!("{sign}{digits}{}", "0".repeat(zeros))
    } else if exp >= 0 {
        let point = usize::try_from(exp + 1).unwrap_or(1);
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    } else {
        let zeros = usize::try_from(-exp - 1).unwrap_or(0);
        format!("{sign}0.{}{digits}", "0".repeat(zeros))
    }
}

/// Go's `fmt.Sprint` of one value (`%v`): nil is `<nil>`, maps
/// `map[a:1 b:2]`, lists `[a b]`, floats as [`go_float`].
pub fn go_string(v: &Value) -> String {
    let mut out = String::new();
    write_go(v, &mut out, 0);
    out
}

/// [`go_string`] appended to `out`.
pub fn write_go(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH || out.len() > MAX_PRINT {
        return;
    }
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, _) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&go_float(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(_) => {
            out.push('[');
            for (i, b) in v.as_bytes().unwrap_or_default().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&b.to_string());
            }
            out.push(']');
        }
        Value::List(l) => {
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) if m.go_type().and_then(|t| t.stringer).is_some() => {
            let key = m.go_type().and_then(|t| t.stringer).unwrap_or_default();
            write_go(&m.get(key).unwrap_or_default(), out, depth + 1);
        }
        Value::Map(m) if m.go_struct().is_some() => {
            // fmt prints a pointer to a struct as `&{…}` at the top (nested
            // pointers print as addresses, which no chart relies on).
            if depth == 0 && m.go_type().is_some_and(|t| t.kind == GoKind::Ptr) {
                out.push('&');
            }
            write_struct(m, out, depth);
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, item)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
    }
}

/// A struct as `%v` prints it: `{f1 f2 …}` in field order.
fn write_struct(m: &Map, out: &mut String, depth: usize) {
    let fields = m.go_type().map_or(&[][..], |t| t.fields);
    out.push('{');
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_go(&m.get(f.name).unwrap_or_default(), out, depth + 1);
    }
    out.push('}');
}

/// What an action `{{ x }}` prints: text/template's `printValue`, which
/// goes through a pointer first (so `{{ .Capabilities }}` prints `{…}`
/// where `print .Capabilities` prints `&{…}`), through the pointer's
/// `String()` when the value is `addressable` (see
/// [`GoType::addr_stringer`]), and writes nil as `<no value>`.
pub fn print_value(v: &Value, addressable: bool) -> String {
    match v {
        Value::Nil => "<no value>".to_owned(),
        Value::String(s) => s.to_string(),
        Value::Map(m) if addressable && m.go_type().and_then(|t| t.addr_stringer).is_some() => {
            let key = m
                .go_type()
                .and_then(|t| t.addr_stringer)
                .unwrap_or_default();
            go_string(&m.get(key).unwrap_or_default())
        }
        Value::Map(m)
            if m.go_struct().is_some() && m.go_type().and_then(|t| t.stringer).is_none() =>
        {
            let mut out = String::new();
            write_struct(m, &mut out, 0);
            out
        }
        other => go_string(other),
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&go_string(self))
    }
}
