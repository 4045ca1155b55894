//! Conversion of package data into CEL values, done once per package and
//! shared by every rule (the values are `Arc`-backed, so binding one to a
//! variable is a pointer copy).

use crate::yaml::{Node, Value as Yaml};
use cel::Value;
use cel::objects::{Key, Map};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;

/// A YAML node as a CEL value.
pub fn from_node(node: &Node) -> Value {
    match &node.value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Int(i) => Value::Int(*i),
        Yaml::Float(f) => Value::Float(*f),
        Yaml::String(s) => Value::String(Arc::new(s.clone())),
        Yaml::Seq(items) => Value::List(Arc::new(items.iter().map(from_node).collect())),
        Yaml::Map(map) => {
            let mut out = HashMap::with_capacity(map.len());
            for (k, v) in map.iter() {
                out.insert(Key::String(Arc::new(k.to_string())), from_node(v));
            }
            Value::Map(Map { map: Arc::new(out) })
        }
    }
}

/// A JSON value as a CEL value.
pub fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(items) => Value::List(Arc::new(items.iter().map(from_json).collect())),
        Json::Object(map) => {
            let mut out = HashMap::with_capacity(map.len());
            for (k, v) in map {
                out.insert(Key::String(Arc::new(k.clone())), from_json(v));
            }
            Value::Map(Map { map: Arc::new(out) })
        }
    }
}
