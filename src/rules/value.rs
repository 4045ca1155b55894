//! Package data as CEL values that share instead of copy.
//!
//! The cel crate's own list and map values own boxed trees, and its
//! interpreter clones a value whenever it binds one: each step of
//! `exists`/`all`, each variable. On a CSV or CRD that is a deep copy per
//! step, which made a rule cost milliseconds. Here each package's data is
//! converted into [`SharedMap`]/[`SharedList`] values (and, for objects, their
//! lazy [`LazyMap`]/[`LazyList`] counterparts, converted only where a rule
//! reads) whose contents sit behind an `Arc` and whose strings borrow from
//! the loaded YAML, so cloning any value is a pointer copy and a rule costs
//! microseconds.

use crate::yaml::{Mapping, Node, Value as Yaml};
use cel::ExecutionError;
use cel::common::traits::{
    Adder, Container, Indexer, Iterable, Iterator as CelIterator, Sizer, Zeroer,
};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelNull, CelString, LIST_TYPE, MAP_TYPE, Type,
};
use cel::common::value::{BuiltinRef, CowVal, Val};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// A boxed CEL value borrowing from data that lives for `'a`.
pub type Shared<'a> = Box<dyn Val + 'a>;

/// Maps at least this large get a hash index; smaller ones are scanned.
const INDEX_FROM: usize = 12;

/// A YAML node as a shared CEL value.
///
/// Sequences and mappings are converted lazily, one level at a time when a
/// rule first reads into them: rules touch a few fields of each object, and
/// converting (then dropping) whole CSVs and CRD schemas up front cost more
/// than evaluating every rule.
pub fn from_node(node: &Node) -> Shared<'_> {
    match &node.value {
        Yaml::Null => Box::new(CelNull),
        Yaml::Bool(b) => Box::new(CelBool::from(*b)),
        Yaml::Int(i) => Box::new(CelInt::from(*i)),
        Yaml::Float(f) => Box::new(CelDouble::from(*f)),
        Yaml::String(s) => Box::new(CelString::from(s.as_str())),
        Yaml::Seq(items) => Box::new(LazyList(Arc::new(Lazy::new(items.as_slice())))),
        Yaml::Map(map) => Box::new(LazyMap(Arc::new(LazyMapData {
            values: Lazy::new(map),
            keys: OnceLock::new(),
        }))),
    }
}

/// The children of a YAML collection, each converted when first read.
#[derive(Debug)]
struct Lazy<'a, S: ?Sized> {
    source: &'a S,
    /// One cell per child, allocated when the first child is read.
    slots: OnceLock<Box<[OnceLock<Shared<'a>>]>>,
}

impl<'a, S: ?Sized> Lazy<'a, S> {
    fn new(source: &'a S) -> Self {
        Lazy {
            source,
            slots: OnceLock::new(),
        }
    }

    /// Child `i` of `len`, converted from `node` unless it was already.
    fn slot(&self, len: usize, i: usize, node: &'a Node) -> Option<&(dyn Val + 'a)> {
        let slots = self
            .slots
            .get_or_init(|| (0..len).map(|_| OnceLock::new()).collect());
        slots
            .get(i)
            .map(|cell| cell.get_or_init(|| from_node(node)).as_ref())
    }
}

/// A YAML sequence as a CEL list, converted lazily (see [`from_node`]).
#[derive(Debug, Clone)]
pub struct LazyList<'a>(Arc<Lazy<'a, [Node]>>);

impl<'a> LazyList<'a> {
    fn len(&self) -> usize {
        self.0.source.len()
    }

    fn item(&self, i: usize) -> Option<&(dyn Val + 'a)> {
        let node = self.0.source.get(i)?;
        self.0.slot(self.len(), i, node)
    }
}

/// A YAML mapping as a CEL map, converted lazily (see [`from_node`]).
#[derive(Debug, Clone)]
pub struct LazyMap<'a>(Arc<LazyMapData<'a>>);

#[derive(Debug)]
struct LazyMapData<'a> {
    values: Lazy<'a, Mapping>,
    /// The keys as CEL strings, made when the map is first iterated.
    keys: OnceLock<Box<[CelString<'a>]>>,
}

impl<'a> LazyMap<'a> {
    fn mapping(&self) -> &'a Mapping {
        self.0.values.source
    }

    fn len(&self) -> usize {
        self.mapping().len()
    }

    fn position(&self, key: &str) -> Option<usize> {
        let entries = &self.mapping().entries;
        // A short scan beats hashing the key for the small maps most
        // objects are made of.
        if entries.len() < INDEX_FROM {
            entries.keys().position(|k| k == key)
        } else {
            entries.get_index_of(key)
        }
    }

    fn value(&self, i: usize) -> Option<&(dyn Val + 'a)> {
        let (_, (_, node)) = self.mapping().entries.get_index(i)?;
        self.0.values.slot(self.len(), i, node)
    }

    fn find(&self, key: &str) -> Option<&(dyn Val + 'a)> {
        self.value(self.position(key)?)
    }

    fn keys(&self) -> &[CelString<'a>] {
        let mapping = self.mapping();
        self.0.keys.get_or_init(|| {
            mapping
                .entries
                .keys()
                .map(|k| CelString::from(k.as_str()))
                .collect()
        })
    }
}

/// Iterates a lazy list's items, converting each as it is reached.
struct LazyIter<'b, 'a> {
    list: &'b LazyList<'a>,
    next: usize,
}

impl<'b, 'a: 'w, 'w> CelIterator<'b, 'w> for LazyIter<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        let item = self.list.item(self.next)?;
        self.next += 1;
        Some(item as &(dyn Val + 'w))
    }
}

/// A JSON value as a shared CEL value.
pub fn from_json(json: &Json) -> Shared<'_> {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(items) => {
            let texts: Option<Vec<CelString<'_>>> = items
                .iter()
                .map(|v| v.as_str().map(CelString::from))
                .collect();
            match texts {
                Some(texts) if !texts.is_empty() => Box::new(StringList::new(texts)),
                _ => Box::new(SharedList::new(items.iter().map(from_json).collect())),
            }
        }
        Json::Object(map) => Box::new(SharedMap::new(
            map.iter()
                .map(|(k, v)| (k.as_str(), from_json(v)))
                .collect(),
        )),
    }
}

/// A list whose elements are shared.
#[derive(Debug, Clone)]
pub struct SharedList<'a>(Arc<ListData<'a>>);

#[derive(Debug)]
struct ListData<'a> {
    items: Vec<Shared<'a>>,
}

impl<'a> SharedList<'a> {
    /// Wraps elements.
    pub fn new(items: Vec<Shared<'a>>) -> Self {
        SharedList(Arc::new(ListData { items }))
    }
}

/// A list of strings, stored unboxed: a CRD's thousands of field paths are
/// one allocation rather than one per path.
#[derive(Debug, Clone)]
pub struct StringList<'a>(Arc<StringData<'a>>);

#[derive(Debug)]
struct StringData<'a> {
    items: Vec<CelString<'a>>,
    /// Each item is greater than the one before (a CRD's sorted field
    /// paths): `in` then searches instead of scanning.
    sorted: bool,
}

impl<'a> StringList<'a> {
    /// Wraps strings.
    pub fn new(items: Vec<CelString<'a>>) -> Self {
        let sorted = items.windows(2).all(|w| w[0].inner() < w[1].inner());
        StringList(Arc::new(StringData { items, sorted }))
    }
}

/// A map with string keys whose values are shared.
#[derive(Debug, Clone)]
pub struct SharedMap<'a>(Arc<MapData<'a>>);

#[derive(Debug)]
struct MapData<'a> {
    keys: Vec<CelString<'a>>,
    values: Vec<Shared<'a>>,
    index: Option<HashMap<&'a str, usize>>,
}

impl<'a> SharedMap<'a> {
    /// Wraps entries (keys are unique, as the loaders guarantee).
    pub fn new(entries: Vec<(&'a str, Shared<'a>)>) -> Self {
        let index = (entries.len() >= INDEX_FROM).then(|| {
            entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (*k, i))
                .collect()
        });
        let (keys, values) = entries
            .into_iter()
            .map(|(k, v)| (CelString::from(k), v))
            .unzip();
        SharedMap(Arc::new(MapData {
            keys,
            values,
            index,
        }))
    }

    fn find(&self, key: &str) -> Option<&(dyn Val + 'a)> {
        let d = &self.0;
        let i = match &d.index {
            Some(index) => index.get(key).copied(),
            None => d.keys.iter().position(|k| k.inner() == key),
        }?;
        d.values.get(i).map(|v| v.as_ref())
    }
}

fn key_text(key: &dyn Val) -> Option<&str> {
    match key.as_builtin() {
        BuiltinRef::String(s) => Some(s.inner()),
        _ => None,
    }
}

fn no_such_key(key: &dyn Val) -> ExecutionError {
    ExecutionError::NoSuchKey(Arc::new(key_text(key).unwrap_or("?").to_string()))
}

fn wrong_key(key: &dyn Val) -> ExecutionError {
    ExecutionError::UnexpectedType {
        got: key.get_type().name().to_owned(),
        want: "map key".to_owned(),
    }
}

/// Iterates references to stored values.
struct SliceIter<'b, 'a> {
    items: std::slice::Iter<'b, Shared<'a>>,
}

impl<'b, 'a: 'w, 'w> CelIterator<'b, 'w> for SliceIter<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.items.next().map(|v| v.as_ref() as &(dyn Val + 'w))
    }
}

/// Iterates strings stored unboxed: a map's keys, a string list's items.
struct KeyIter<'b, 'a> {
    keys: std::slice::Iter<'b, CelString<'a>>,
}

impl<'b, 'a: 'w, 'w> CelIterator<'b, 'w> for KeyIter<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.keys.next().map(|k| k as &(dyn Val + 'w))
    }
}

/// `Sizer` and `Zeroer` for a container, from its length.
macro_rules! sized {
    ($t:ident, |$s:ident| $len:expr) => {
        impl Sizer for $t<'_> {
            fn size(&self) -> CelInt {
                let $s = self;
                ($len as i64).into()
            }
        }

        impl Zeroer for $t<'_> {
            fn is_zero_value(&self) -> bool {
                let $s = self;
                $len == 0
            }
        }
    };
}

/// CEL list concatenation: `mine` then the elements of `rhs`, which must be
/// a list. Elements are shared, so this copies pointers.
fn concat<'b, 'v>(
    mine: impl Iterator<Item = Box<dyn Val + 'v>>,
    rhs: &(dyn Val + 'v),
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let iterable = rhs
        .as_iterable()
        .filter(|_| rhs.get_type() == &LIST_TYPE)
        .ok_or_else(|| {
            ExecutionError::function_error(
                "_+_",
                format!("cannot add {} to a list", rhs.get_type().name()),
            )
        })?;
    let mut items: Vec<Box<dyn Val + 'v>> = mine.collect();
    let mut theirs = iterable.iter();
    while let Some(v) = theirs.next() {
        items.push(v.clone_as_boxed());
    }
    Ok(CowVal::Owned(Box::new(SharedList::new(items))))
}

/// A list index, which CEL requires to be an int.
fn int_index(idx: &dyn Val) -> Result<i64, ExecutionError> {
    idx.downcast_ref::<CelInt>()
        .map(|i| *i.inner())
        .ok_or_else(|| ExecutionError::UnexpectedType {
            got: idx.get_type().name().to_owned(),
            want: "int".to_owned(),
        })
}

/// The `Val` methods shared maps and lists have alike: their type, and
/// every container trait answered by the value itself.
macro_rules! container_accessors {
    ($ty:ident) => {
        fn get_type(&self) -> &Type {
            &$ty
        }

        fn cel_type() -> &'static Type
        where
            Self: Sized,
        {
            &$ty
        }

        fn as_container(&self) -> Option<&dyn Container> {
            Some(self)
        }

        fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
        where
            Self: 'v,
        {
            Some(self)
        }

        fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
        where
            Self: 'v,
        {
            Some(self)
        }

        fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
        where
            Self: 'v,
        {
            Some(self)
        }

        fn as_sizer(&self) -> Option<&dyn Sizer> {
            Some(self)
        }

        fn as_zeroer(&self) -> Option<&dyn Zeroer> {
            Some(self)
        }

        fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
        where
            Self: 'v,
        {
            Box::new(self.clone())
        }
    };
}

impl<'a> Val for SharedMap<'a> {
    container_accessors!(MAP_TYPE);

    fn equals(&self, other: &dyn Val) -> bool {
        // Compared through the generic traits, so a shared map equals a map
        // literal with the same entries.
        let (Some(size), Some(index)) = (other.as_sizer(), other.as_indexer()) else {
            return false;
        };
        *size.size().inner() == self.0.keys.len() as i64
            && self
                .0
                .keys
                .iter()
                .zip(&self.0.values)
                .all(|(k, v)| index.get(k).is_ok_and(|ov| v.equals(ov.as_ref())))
    }
}

impl Container for SharedMap<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        match key_text(key) {
            Some(k) => Ok(self.find(k).is_some()),
            None => Err(wrong_key(key)),
        }
    }
}

impl<'a> Indexer for SharedMap<'a> {
    fn get<'b, 'v>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let k = key_text(key).ok_or_else(|| wrong_key(key))?;
        self.find(k)
            .map(CowVal::Borrowed)
            .ok_or_else(|| no_such_key(key))
    }

    fn steal<'v>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(key).map(CowVal::into_owned)
    }
}

impl<'a> Iterable for SharedMap<'a> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn CelIterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(KeyIter {
            keys: self.0.keys.iter(),
        })
    }
}

sized!(SharedMap, |s| s.0.keys.len());

impl<'a> Val for SharedList<'a> {
    container_accessors!(LIST_TYPE);

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        let Some(iterable) = other.as_iterable() else {
            return false;
        };
        if other.get_type() != &LIST_TYPE {
            return false;
        }
        let mut theirs = iterable.iter();
        for mine in self.0.items.iter() {
            match theirs.next() {
                Some(t) if mine.equals(t) => {}
                _ => return false,
            }
        }
        theirs.next().is_none()
    }
}

impl<'a> Adder for SharedList<'a> {
    /// List concatenation: the elements are shared, so this copies pointers.
    fn add<'b, 'v>(&'b self, rhs: &(dyn Val + 'v)) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        concat(self.0.items.iter().map(|v| v.clone_as_boxed()), rhs)
    }
}

impl Container for SharedList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(self.0.items.iter().any(|v| v.equals(value)))
    }
}

impl<'a> Indexer for SharedList<'a> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let i = int_index(idx)?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.items.get(i))
            .map(|v| CowVal::Borrowed(v.as_ref()))
            .ok_or_else(|| ExecutionError::IndexOutOfBounds(i.into()))
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

impl<'a> Iterable for SharedList<'a> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn CelIterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(SliceIter {
            items: self.0.items.iter(),
        })
    }
}

sized!(SharedList, |s| s.0.items.len());

impl<'a> Val for LazyMap<'a> {
    container_accessors!(MAP_TYPE);

    fn equals(&self, other: &dyn Val) -> bool {
        // As a shared map compares: through the generic traits.
        let (Some(size), Some(index)) = (other.as_sizer(), other.as_indexer()) else {
            return false;
        };
        *size.size().inner() == self.len() as i64
            && self.keys().iter().enumerate().all(|(i, k)| {
                index
                    .get(k)
                    .is_ok_and(|ov| self.value(i).is_some_and(|v| v.equals(ov.as_ref())))
            })
    }
}

impl Container for LazyMap<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        match key_text(key) {
            Some(k) => Ok(self.position(k).is_some()),
            None => Err(wrong_key(key)),
        }
    }
}

impl<'a> Indexer for LazyMap<'a> {
    fn get<'b, 'v>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let k = key_text(key).ok_or_else(|| wrong_key(key))?;
        self.find(k)
            .map(CowVal::Borrowed)
            .ok_or_else(|| no_such_key(key))
    }

    fn steal<'v>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(key).map(CowVal::into_owned)
    }
}

impl<'a> Iterable for LazyMap<'a> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn CelIterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(KeyIter {
            keys: self.keys().iter(),
        })
    }
}

sized!(LazyMap, |s| s.len());

impl<'a> Val for LazyList<'a> {
    container_accessors!(LIST_TYPE);

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        let Some(iterable) = other.as_iterable() else {
            return false;
        };
        if other.get_type() != &LIST_TYPE {
            return false;
        }
        let mut theirs = iterable.iter();
        for i in 0..self.len() {
            match (self.item(i), theirs.next()) {
                (Some(mine), Some(t)) if mine.equals(t) => {}
                _ => return false,
            }
        }
        theirs.next().is_none()
    }
}

impl<'a> Adder for LazyList<'a> {
    /// List concatenation, as for a shared list.
    fn add<'b, 'v>(&'b self, rhs: &(dyn Val + 'v)) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        concat(
            (0..self.len())
                .filter_map(|i| self.item(i))
                .map(|v| v.clone_as_boxed()),
            rhs,
        )
    }
}

impl Container for LazyList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok((0..self.len()).any(|i| self.item(i).is_some_and(|v| v.equals(value))))
    }
}

impl<'a> Indexer for LazyList<'a> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let i = int_index(idx)?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.item(i))
            .map(CowVal::Borrowed)
            .ok_or_else(|| ExecutionError::IndexOutOfBounds(i.into()))
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

impl<'a> Iterable for LazyList<'a> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn CelIterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(LazyIter {
            list: self,
            next: 0,
        })
    }
}

sized!(LazyList, |s| s.len());

impl<'a> Val for StringList<'a> {
    container_accessors!(LIST_TYPE);

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        let Some(iterable) = other.as_iterable() else {
            return false;
        };
        if other.get_type() != &LIST_TYPE {
            return false;
        }
        let mut theirs = iterable.iter();
        for mine in &self.0.items {
            match theirs.next() {
                Some(t) if mine.equals(t) => {}
                _ => return false,
            }
        }
        theirs.next().is_none()
    }
}

impl<'a> Adder for StringList<'a> {
    /// List concatenation, as for a shared list.
    fn add<'b, 'v>(&'b self, rhs: &(dyn Val + 'v)) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        concat(self.0.items.iter().map(|v| v.clone_as_boxed()), rhs)
    }
}

impl Container for StringList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        let items = &self.0.items;
        match key_text(value) {
            Some(wanted) if self.0.sorted => {
                Ok(items.binary_search_by(|v| v.inner().cmp(wanted)).is_ok())
            }
            _ => Ok(items.iter().any(|v| v.equals(value))),
        }
    }
}

impl<'a> Indexer for StringList<'a> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let i = int_index(idx)?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.items.get(i))
            .map(|v| CowVal::Borrowed(v as &(dyn Val + 'v)))
            .ok_or_else(|| ExecutionError::IndexOutOfBounds(i.into()))
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

impl<'a> Iterable for StringList<'a> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn CelIterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(KeyIter {
            keys: self.0.items.iter(),
        })
    }
}

sized!(StringList, |s| s.0.items.len());

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cel_env::env;
    use cel::Context;

    /// `+` on each list kind concatenates, whatever kind the right side is,
    /// and refuses a right side that is not a list.
    #[test]
    fn every_list_kind_concatenates() {
        let yaml = crate::yaml::parse_str("lazy: [a, b]\n", &Default::default());
        let root = &yaml.documents[0].root;
        let json = serde_json::json!({"strings": ["c", "d"], "shared": [1, 2]});
        let mut ctx = Context::with_env(env());
        ctx.add_variable_as_val("y", from_node(root));
        ctx.add_variable_as_val("j", from_json(&json));
        let run = |src: &str| env().compile(src).expect("parses").execute(&ctx);
        for (expr, want) in [
            ("y.lazy + j.strings", 4),
            ("j.strings + y.lazy", 4),
            ("j.shared + j.strings + y.lazy", 6),
        ] {
            assert_eq!(
                run(&format!("size({expr})")).expect("evaluates"),
                cel::Value::Int(want),
                "{expr}"
            );
        }
        assert_eq!(
            run("(j.strings + y.lazy)[2]").expect("evaluates"),
            cel::Value::String(std::sync::Arc::new("a".into()))
        );
        assert!(run("y.lazy + 1").is_err());
    }
}
