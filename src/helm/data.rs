//! Values data as Helm computes it before rendering: the chart's defaults,
//! `-f` files, the `--set` family, coalesced and scoped (`values.rs`,
//! `strvals.rs`, `deps.rs`).
//!
//! Why not the template engine's [`crate::gotemplate::Value`]: that one
//! has Go's reference semantics (a map is a shared, mutable cell, so `set`
//! is seen by every holder), which is right while templates run and wrong
//! here, where a merge must never change a table another chart, profile or
//! cached default still holds. [`Data`] is immutable and shared by `Arc`
//! (copy on write with `Arc::make_mut`), so it is also `Send`: profiles and
//! user values cross threads. A render converts it once into engine values.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A values mapping.
pub(crate) type VMap = BTreeMap<Arc<str>, Data>;

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    /// `null`.
    Nil,
    /// A boolean.
    Bool(bool),
    /// An integer (`--set` typing; YAML numbers are read as floats, as Helm
    /// reads them through JSON).
    Int(i64),
    /// A number.
    Float(f64),
    /// A string.
    String(Arc<str>),
    /// A list.
    List(Arc<[Data]>),
    /// A mapping.
    Map(Arc<VMap>),
}

impl fmt::Display for Data {
    /// Go's `%v` of the scalar (lists and maps as Go prints them too).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::Nil => f.write_str("<nil>"),
            Data::Bool(b) => write!(f, "{b}"),
            Data::Int(i) => write!(f, "{i}"),
            Data::Float(x) => f.write_str(&crate::gotemplate::go_float(*x)),
            Data::String(s) => f.write_str(s),
            Data::List(l) => {
                let items: Vec<String> = l.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(" "))
            }
            Data::Map(m) => {
                let items: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                write!(f, "map[{}]", items.join(" "))
            }
        }
    }
}
