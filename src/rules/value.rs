//! Package data as CEL values that share instead of copy.
//!
//! The cel crate's own list and map values own boxed trees, and its
//! interpreter clones a value whenever it binds one: each step of
//! `exists`/`all`, each variable. On a CSV or CRD that is a deep copy per
//! step, which made a rule cost milliseconds. Here each package's objects are
//! converted once into [`SharedMap`]/[`SharedList`] values whose contents sit
//! behind an `Arc` and whose strings borrow from the loaded YAML, so cloning
//! any value is a pointer copy and a rule costs microseconds.

use crate::yaml::{Node, Value as Yaml};
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
use std::sync::Arc;

/// A boxed CEL value borrowing from data that lives for `'a`.
pub type Shared<'a> = Box<dyn Val + 'a>;

/// Maps at least this large get a hash index; smaller ones are scanned.
const INDEX_FROM: usize = 12;

/// A YAML node as a shared CEL value.
pub fn from_node(node: &Node) -> Shared<'_> {
    match &node.value {
        Yaml::Null => Box::new(CelNull),
        Yaml::Bool(b) => Box::new(CelBool::from(*b)),
        Yaml::Int(i) => Box::new(CelInt::from(*i)),
        Yaml::Float(f) => Box::new(CelDouble::from(*f)),
        Yaml::String(s) => Box::new(CelString::from(s.as_str())),
        Yaml::Seq(items) => Box::new(SharedList::new(items.iter().map(from_node).collect())),
        Yaml::Map(map) => Box::new(SharedMap::new(
            map.iter().map(|(k, v)| (k, from_node(v))).collect(),
        )),
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
        Json::Array(items) => Box::new(SharedList::new(items.iter().map(from_json).collect())),
        Json::Object(map) => Box::new(SharedMap::new(
            map.iter()
                .map(|(k, v)| (k.as_str(), from_json(v)))
                .collect(),
        )),
    }
}

/// A list whose elements are shared.
#[derive(Debug, Clone)]
pub struct SharedList<'a>(Arc<Vec<Shared<'a>>>);

impl<'a> SharedList<'a> {
    /// Wraps elements.
    pub fn new(items: Vec<Shared<'a>>) -> Self {
        SharedList(Arc::new(items))
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

/// Iterates a map's keys.
struct KeyIter<'b, 'a> {
    keys: std::slice::Iter<'b, CelString<'a>>,
}

impl<'b, 'a: 'w, 'w> CelIterator<'b, 'w> for KeyIter<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.keys.next().map(|k| k as &(dyn Val + 'w))
    }
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

impl Sizer for SharedMap<'_> {
    fn size(&self) -> CelInt {
        (self.0.keys.len() as i64).into()
    }
}

impl Zeroer for SharedMap<'_> {
    fn is_zero_value(&self) -> bool {
        self.0.keys.is_empty()
    }
}

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
        for mine in self.0.iter() {
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
        let iterable = rhs
            .as_iterable()
            .filter(|_| rhs.get_type() == &LIST_TYPE)
            .ok_or_else(|| {
                ExecutionError::function_error(
                    "_+_",
                    format!("cannot add {} to a list", rhs.get_type().name()),
                )
            })?;
        let mut items: Vec<Box<dyn Val + 'v>> = self.0.iter().map(|v| v.clone_as_boxed()).collect();
        let mut theirs = iterable.iter();
        while let Some(v) = theirs.next() {
            items.push(v.clone_as_boxed());
        }
        Ok(CowVal::Owned(Box::new(SharedList::new(items))))
    }
}

impl Container for SharedList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(self.0.iter().any(|v| v.equals(value)))
    }
}

impl<'a> Indexer for SharedList<'a> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let i = idx
            .downcast_ref::<CelInt>()
            .map(|i| *i.inner())
            .ok_or_else(|| ExecutionError::UnexpectedType {
                got: idx.get_type().name().to_owned(),
                want: "int".to_owned(),
            })?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.get(i))
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
            items: self.0.iter(),
        })
    }
}

impl Sizer for SharedList<'_> {
    fn size(&self) -> CelInt {
        (self.0.len() as i64).into()
    }
}

impl Zeroer for SharedList<'_> {
    fn is_zero_value(&self) -> bool {
        self.0.is_empty()
    }
}
