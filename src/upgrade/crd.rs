//! CRD upgrade safety: the changes between two versions of one
//! CustomResourceDefinition that OLM v1's preflight check (operator-controller's
//! `crdupgradesafety`, built on `crdify`) refuses, because objects already
//! stored in a cluster or clients written against the old schema would break.
//!
//! Per CRD: the scope must not change; a version objects are stored in must
//! stay; a served version may go only after the old CRD marked it
//! `deprecated`. Per version present in both (the schemas of one version
//! name are compared, as OLM compares them): no field removed, no type
//! changed, no field newly required, no default added, changed or removed, no
//! enum put on a free field and no enum value removed (adding values is
//! fine), no minimum raised, maximum lowered or bound put on an unbounded
//! field (for `minimum`, `minLength`, `minItems`, `minProperties` and their
//! `max` twins). Separately, [`conversion`] checks one CRD alone: versions
//! whose schemas differ need a conversion webhook.

use super::{Change, ChangeKind, Location};
use crate::yaml::{Node, Value};

/// One version of a CRD as read from a file.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The CRD object.
    pub node: &'a Node,
    /// The file it was read from, as reported.
    pub file: &'a str,
    /// For an object rendered from a template, the template line every
    /// position maps to (positions inside rendered text exist in no file).
    pub rendered_line: Option<u32>,
}

impl<'a> Side<'a> {
    /// A CRD read straight from `file`.
    pub fn new(node: &'a Node, file: &'a str) -> Self {
        Side {
            node,
            file,
            rendered_line: None,
        }
    }

    fn at(&self, node: &Node) -> Location {
        Location {
            file: self.file.to_string(),
            line: self.rendered_line.unwrap_or(node.pos.line),
        }
    }

    fn name(&self) -> &str {
        self.node
            .path("metadata.name")
            .and_then(Node::as_str)
            .unwrap_or_default()
    }
}

/// What the upgrade checks need of one CRD, kept apart from its package so
/// that a history can compare many versions without holding them loaded:
/// the CRD reduced to the fields [`compare`] reads (positions kept) and its
/// [`conversion`] problem worked out once on the whole object.
#[derive(Debug, Clone)]
pub struct Crd {
    /// `metadata.name`, as the package model read it.
    pub name: String,
    /// The CRD reduced by [`prune`], shared between versions that ship the
    /// same one (see [`Interner`]).
    pub node: std::sync::Arc<Node>,
    /// The file it was read from, as reported.
    pub file: String,
    /// For a rendered object, the template line every position maps to.
    pub rendered_line: Option<u32>,
    /// The object's own line (where a removal is located).
    pub line: u32,
    /// [`conversion`] of the whole object.
    pub conversion: Option<Change>,
}

impl Crd {
    /// The reduced CRD of a whole one, interned in `interner`.
    pub fn new(name: &str, full: Side<'_>, line: u32, interner: &Interner) -> Crd {
        Crd {
            name: name.to_string(),
            node: interner.intern(prune(full.node)),
            file: full.file.to_string(),
            rendered_line: full.rendered_line,
            line,
            conversion: conversion(full),
        }
    }

    /// The side [`compare`] reads.
    pub fn side(&self) -> Side<'_> {
        Side {
            node: &self.node,
            file: &self.file,
            rendered_line: self.rendered_line,
        }
    }
}

/// [`upgrade`] between two reduced CRDs: the same changes as on the whole
/// objects, since [`prune`] keeps what [`compare`] reads and the conversion
/// problems were worked out before reducing. Two versions that ship the
/// very same CRD (one interned node) cannot differ, so they are not walked.
#[must_use]
pub fn upgrade_reduced(old: &Crd, new: &Crd) -> Vec<Change> {
    let mut out =
        if std::sync::Arc::ptr_eq(&old.node, &new.node) && old.rendered_line == new.rendered_line {
            Vec::new()
        } else {
            compare(old.side(), new.side())
        };
    if old.conversion.is_none() {
        out.extend(new.conversion.clone());
    }
    out
}

/// Shares equal reduced CRDs: consecutive versions of an operator mostly
/// ship the same CRDs, so a history holds each distinct one once.
/// Shared by the threads loading the versions of one chunk.
#[derive(Debug, Default)]
pub struct Interner {
    seen: std::sync::Mutex<std::collections::HashMap<u64, Vec<std::sync::Arc<Node>>>>,
}

impl Interner {
    /// The shared copy of `node`.
    pub fn intern(&self, node: Node) -> std::sync::Arc<Node> {
        use std::hash::Hasher;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        hash_node(&node, &mut h);
        // A poisoned lock only means another thread panicked mid-insert;
        // the map is still usable.
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let list = seen.entry(h.finish()).or_default();
        if let Some(same) = list.iter().find(|n| ***n == node) {
            return same.clone();
        }
        let shared = std::sync::Arc::new(node);
        list.push(shared.clone());
        shared
    }
}

/// Hashes what `==` compares: values, and positions (keys' included).
fn hash_node(node: &Node, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    (node.pos.line, node.pos.column).hash(h);
    match &node.value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Int(i) => (2u8, i).hash(h),
        Value::Float(f) => (3u8, f.to_bits()).hash(h),
        Value::String(s) => (4u8, s).hash(h),
        Value::Seq(items) => {
            (5u8, items.len()).hash(h);
            items.iter().for_each(|n| hash_node(n, h));
        }
        Value::Map(m) => {
            (6u8, m.entries.len()).hash(h);
            for (k, (pos, v)) in &m.entries {
                (k, pos.line, pos.column).hash(h);
                hash_node(v, h);
            }
        }
    }
}

/// The schema keywords [`compare`]'s walk reads besides the bounds
/// ([`MINIMA`], [`MAXIMA`]) and the nested schemas; everything else in a
/// schema (descriptions above all, most of a CRD's bytes) is dropped by
/// [`prune`]. A check reading a new keyword must add it here (a test
/// compares whole and reduced CRDs).
const SCHEMA_KEYS: [&str; 6] = [
    "type",
    "default",
    "enum",
    "required",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
];

/// A CRD reduced to what [`compare`] reads, positions kept: its name,
/// scope, versions (name, flags, schema), the `v1beta1` shared schema and
/// version, and the stored versions.
#[must_use]
pub fn prune(crd: &Node) -> Node {
    let schema_at = |n: &Node| keep(n, &[("openAPIV3Schema", Some(&prune_schema as &Prune))]);
    let version = |n: &Node| -> Node {
        let schema = |s: &Node| schema_at(s);
        keep(
            n,
            &[
                ("name", None),
                ("served", None),
                ("storage", None),
                ("deprecated", None),
                ("schema", Some(&schema as &Prune)),
            ],
        )
    };
    let versions = |n: &Node| each(n, &version);
    let metadata = |n: &Node| keep(n, &[("name", None)]);
    let spec = |n: &Node| {
        keep(
            n,
            &[
                ("scope", None),
                ("version", None),
                ("versions", Some(&versions as &Prune)),
                ("validation", Some(&schema_at as &Prune)),
            ],
        )
    };
    let status = |n: &Node| keep(n, &[("storedVersions", None)]);
    keep(
        crd,
        &[
            ("metadata", Some(&metadata as &Prune)),
            ("spec", Some(&spec as &Prune)),
            ("status", Some(&status as &Prune)),
        ],
    )
}

type Prune<'a> = dyn Fn(&Node) -> Node + 'a;

/// `node` with only the keys listed, each reduced by its function (kept
/// whole without one); a node that is not a mapping is kept whole.
fn keep(node: &Node, keys: &[(&str, Option<&Prune<'_>>)]) -> Node {
    keep_by(node, |key, value| {
        let (_, f) = keys.iter().find(|(name, _)| *name == key)?;
        Some(f.map_or_else(|| value.clone(), |f| f(value)))
    })
}

/// `node` with each entry's value as `choose` gives it, or left out when it
/// gives none; a node that is not a mapping is kept whole. The one
/// mechanism [`keep`] (a fixed list of keys) and [`prune_schema`] (keys
/// known by their role in a schema) both reduce with.
fn keep_by(node: &Node, choose: impl Fn(&str, &Node) -> Option<Node>) -> Node {
    let Value::Map(map) = &node.value else {
        return node.clone();
    };
    let entries = map
        .entries
        .iter()
        .filter_map(|(k, (pos, v))| Some((k.clone(), (*pos, choose(k, v)?))))
        .collect();
    Node {
        value: Value::Map(crate::yaml::Mapping { entries }),
        pos: node.pos,
    }
}

/// Every item of a sequence reduced by `f` (anything else kept whole).
fn each(node: &Node, f: &Prune<'_>) -> Node {
    match &node.value {
        Value::Seq(items) => Node {
            value: Value::Seq(items.iter().map(f).collect()),
            pos: node.pos,
        },
        _ => node.clone(),
    }
}

/// A schema reduced to the keywords the walk reads, its properties, items
/// and additional properties reduced alike.
fn prune_schema(node: &Node) -> Node {
    keep_by(node, |key, value| match key {
        // Every property, whatever its name, is a schema.
        "properties" => Some(keep_by(value, |_, child| Some(prune_schema(child)))),
        "items" | "additionalProperties" => Some(prune_schema(value)),
        k if SCHEMA_KEYS.contains(&k) || MINIMA.contains(&k) || MAXIMA.contains(&k) => {
            Some(value.clone())
        }
        _ => None,
    })
}

/// One version of a CRD: its name, flags and schema (per version, or the
/// shared `spec.validation` of `v1beta1`).
struct Version<'a> {
    name: &'a str,
    node: &'a Node,
    served: bool,
    storage: bool,
    deprecated: bool,
    schema: Option<&'a Node>,
}

fn versions(crd: &Node) -> Vec<Version<'_>> {
    let shared = crd.path("spec.validation.openAPIV3Schema");
    if let Some(items) = crd.path("spec.versions").and_then(Node::as_seq) {
        return items
            .iter()
            .filter_map(|v| {
                Some(Version {
                    name: v.get("name")?.as_str()?,
                    node: v,
                    served: v.get("served").and_then(Node::as_bool).unwrap_or(true),
                    storage: v.get("storage").and_then(Node::as_bool).unwrap_or(false),
                    deprecated: v.get("deprecated").and_then(Node::as_bool).unwrap_or(false),
                    schema: v.path("schema.openAPIV3Schema").or(shared),
                })
            })
            .collect();
    }
    // `apiextensions.k8s.io/v1beta1` with the single `spec.version`.
    crd.path("spec.version")
        .and_then(|v| {
            Some(Version {
                name: v.as_str()?,
                node: v,
                served: true,
                storage: true,
                deprecated: false,
                schema: shared,
            })
        })
        .into_iter()
        .collect()
}

/// Every change between two versions of one CRD that OLM refuses.
#[must_use]
pub fn compare(old: Side<'_>, new: Side<'_>) -> Vec<Change> {
    let subject = format!("CustomResourceDefinition/{}", new.name());
    let mut out = Vec::new();
    let mut push = |kind, version: Option<&str>, path: Option<String>, message: String, o, n| {
        out.push(Change {
            kind,
            breaking: true,
            subject: subject.clone(),
            version: version.map(str::to_owned),
            path,
            message,
            old: o,
            new: n,
        });
    };

    let scope = |s: &Side| {
        s.node
            .path("spec.scope")
            .and_then(Node::as_str)
            .unwrap_or("Namespaced")
            .to_string()
    };
    let (old_scope, new_scope) = (scope(&old), scope(&new));
    if old_scope != new_scope {
        let at = |s: &Side| s.at(s.node.path("spec.scope").unwrap_or(s.node));
        push(
            ChangeKind::ScopeChanged,
            None,
            None,
            format!("scope changed from {old_scope} to {new_scope}"),
            Some(at(&old)),
            Some(at(&new)),
        );
    }

    let old_versions = versions(old.node);
    let new_versions = versions(new.node);
    let versions_node = new
        .node
        .path("spec.versions")
        .or_else(|| new.node.path("spec.version"))
        .unwrap_or(new.node);
    let find = |name: &str| new_versions.iter().find(|v| v.name == name);
    let stored: Vec<&str> = old
        .node
        .path("status.storedVersions")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(Node::as_str)
        .collect();
    for v in &old_versions {
        let now = find(v.name);
        if (v.storage || stored.contains(&v.name)) && now.is_none() {
            push(
                ChangeKind::StoredVersionRemoved,
                Some(v.name),
                None,
                format!(
                    "version {} stores objects in the old CRD and is gone from the new one",
                    v.name
                ),
                Some(old.at(v.node)),
                Some(new.at(versions_node)),
            );
        } else if v.served && !v.deprecated && !now.is_some_and(|n| n.served) {
            push(
                ChangeKind::ServedVersionRemoved,
                Some(v.name),
                None,
                format!(
                    "version {} is no longer served, and the old CRD had not marked it deprecated",
                    v.name
                ),
                Some(old.at(v.node)),
                Some(new.at(now.map_or(versions_node, |n| n.node))),
            );
        }
        if let (Some(n), Some(os)) = (now, v.schema)
            && let Some(ns) = n.schema
        {
            let mut walk = Walk {
                old: &old,
                new: &new,
                out: Vec::new(),
            };
            walk.schema(os, ns, ".");
            for (kind, path, message, o, n) in walk.out {
                push(kind, Some(v.name), Some(path), message, Some(o), Some(n));
            }
        }
    }
    out
}

/// Every change between two versions of one CRD: [`compare`], plus
/// [`conversion`] on the new CRD when the old one did not already lack its
/// webhook (a known problem is reported once, when it is introduced, as
/// OLM's served-version check does).
#[must_use]
pub fn upgrade(old: Side<'_>, new: Side<'_>) -> Vec<Change> {
    let mut out = compare(old, new);
    if conversion(old).is_none() {
        out.extend(conversion(new));
    }
    out
}

/// Compares the schemas of one version, field by field.
struct Walk<'s, 'a> {
    old: &'s Side<'a>,
    new: &'s Side<'a>,
    out: Vec<(ChangeKind, String, String, Location, Location)>,
}

/// The bounds OLM compares, each with whether a higher value narrows.
const MINIMA: [&str; 4] = ["minimum", "minLength", "minItems", "minProperties"];
const MAXIMA: [&str; 4] = ["maximum", "maxLength", "maxItems", "maxProperties"];

impl Walk<'_, '_> {
    fn add(&mut self, kind: ChangeKind, path: &str, message: String, o: &Node, n: &Node) {
        let (o, n) = (self.old.at(o), self.new.at(n));
        self.out.push((kind, path.to_string(), message, o, n));
    }

    fn schema(&mut self, old: &Node, new: &Node, path: &str) {
        let text = |n: Option<&Node>| n.map(|n| n.to_json().to_string());
        // Type.
        let (ot, nt) = (
            old.get("type").and_then(Node::as_str),
            new.get("type").and_then(Node::as_str),
        );
        // A field widened to int-or-string or to free-form JSON drops its
        // `type` without narrowing anything: every stored value still fits.
        let widened = nt.is_none()
            && [
                "x-kubernetes-int-or-string",
                "x-kubernetes-preserve-unknown-fields",
            ]
            .iter()
            .any(|k| new.get(k).and_then(Node::as_bool) == Some(true));
        if ot.is_some() && ot != nt && !widened {
            self.add(
                ChangeKind::TypeChanged,
                path,
                format!(
                    "type changed from {} to {}",
                    ot.unwrap_or("(none)"),
                    nt.unwrap_or("(none)")
                ),
                old.get("type").unwrap_or(old),
                new.get("type").unwrap_or(new),
            );
        }
        // Default.
        let (od, nd) = (old.get("default"), new.get("default"));
        match (od, nd) {
            (None, Some(n)) => self.add(
                ChangeKind::DefaultAdded,
                path,
                format!("default {} added", text(Some(n)).unwrap_or_default()),
                old,
                n,
            ),
            (Some(o), None) => self.add(
                ChangeKind::DefaultRemoved,
                path,
                format!("default {} removed", text(Some(o)).unwrap_or_default()),
                o,
                new,
            ),
            (Some(o), Some(n)) if o.to_json() != n.to_json() => self.add(
                ChangeKind::DefaultChanged,
                path,
                format!(
                    "default changed from {} to {}",
                    text(Some(o)).unwrap_or_default(),
                    text(Some(n)).unwrap_or_default()
                ),
                o,
                n,
            ),
            _ => {}
        }
        // Enum: adding values is fine, removing them or putting an enum on a
        // free field is not.
        let values = |n: &Node| -> Vec<serde_json::Value> {
            n.as_seq()
                .into_iter()
                .flatten()
                .map(Node::to_json)
                .collect()
        };
        match (old.get("enum"), new.get("enum")) {
            (None, Some(n)) => self.add(
                ChangeKind::EnumAdded,
                path,
                format!("enum {} put on a field that had none", n.to_json()),
                old,
                n,
            ),
            (Some(o), Some(n)) => {
                let now = values(n);
                let gone: Vec<String> = values(o)
                    .into_iter()
                    .filter(|v| !now.contains(v))
                    .map(|v| v.to_string())
                    .collect();
                if !gone.is_empty() {
                    self.add(
                        ChangeKind::EnumValueRemoved,
                        path,
                        format!("enum values removed: {}", gone.join(", ")),
                        o,
                        n,
                    );
                }
            }
            _ => {}
        }
        // Bounds.
        let number = |n: &Node| match n.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        };
        for (keys, lower_is_narrower) in [(&MINIMA, false), (&MAXIMA, true)] {
            for key in keys {
                let o = old.get(key).and_then(|n| Some((n, number(n)?)));
                let n = new.get(key).and_then(|n| Some((n, number(n)?)));
                match (o, n) {
                    (None, Some((nn, nv))) => self.add(
                        ChangeKind::BoundAdded,
                        path,
                        format!("{key} {nv} put on a field that had none"),
                        old,
                        nn,
                    ),
                    (Some((on, ov)), Some((nn, nv)))
                        if (lower_is_narrower && nv < ov) || (!lower_is_narrower && nv > ov) =>
                    {
                        let kind = if lower_is_narrower {
                            ChangeKind::MaximumLowered
                        } else {
                            ChangeKind::MinimumRaised
                        };
                        let verb = if lower_is_narrower {
                            "lowered"
                        } else {
                            "raised"
                        };
                        self.add(
                            kind,
                            path,
                            format!("{key} {verb} from {ov} to {nv}"),
                            on,
                            nn,
                        );
                    }
                    _ => {}
                }
            }
        }
        // Required.
        let names = |n: &Node| -> Vec<String> {
            n.get("required")
                .and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let was = names(old);
        for name in names(new).iter().filter(|n| !was.contains(n)) {
            let at = new
                .get("required")
                .and_then(Node::as_seq)
                .and_then(|s| s.iter().find(|s| s.as_str() == Some(name)))
                .unwrap_or(new);
            self.add(
                ChangeKind::RequiredAdded,
                &join(path, name),
                format!("field {name} became required"),
                old,
                at,
            );
        }
        // Properties, then array items and map values.
        if let Some(props) = old.get("properties").and_then(Node::as_map) {
            let now = new.get("properties").and_then(Node::as_map);
            for (key, o) in props.iter() {
                let child = join(path, key);
                match now.and_then(|m| m.get(key)) {
                    Some(n) => self.schema(o, n, &child),
                    None => self.add(
                        ChangeKind::FieldRemoved,
                        &child,
                        format!("field {key} removed"),
                        o,
                        new.get("properties").unwrap_or(new),
                    ),
                }
            }
        }
        if let (Some(o), Some(n)) = (old.get("items"), new.get("items"))
            && o.as_map().is_some()
            && n.as_map().is_some()
        {
            self.schema(o, n, &format!("{}[*]", path.trim_end_matches('.')));
        }
        if let (Some(o), Some(n)) = (
            old.get("additionalProperties"),
            new.get("additionalProperties"),
        ) && o.as_map().is_some()
            && n.as_map().is_some()
        {
            self.schema(o, n, &join(path, "*"));
        }
    }
}

/// `path` + `.key`, with the root `.` written once.
fn join(path: &str, key: &str) -> String {
    if path == "." {
        format!(".{key}")
    } else {
        format!("{path}.{key}")
    }
}

/// A CRD that serves several versions whose schemas differ (descriptions
/// aside) and converts with `None`: the API server hands objects of one
/// version to clients of another unchanged, so one of them reads wrong
/// fields. `None` when the CRD needs no webhook or has one.
#[must_use]
pub fn conversion(crd: Side<'_>) -> Option<Change> {
    let strategy = crd
        .node
        .path("spec.conversion.strategy")
        .and_then(Node::as_str)
        .unwrap_or("None");
    if strategy == "Webhook" {
        return None;
    }
    let served: Vec<Version> = versions(crd.node)
        .into_iter()
        .filter(|v| v.served)
        .collect();
    let first = served.first()?;
    let shape = |v: &Version| v.schema.map(|s| without_descriptions(s.to_json()));
    let base = shape(first);
    let other = served[1..].iter().find(|v| shape(v) != base)?;
    Some(Change {
        kind: ChangeKind::ConversionMissing,
        breaking: true,
        subject: format!("CustomResourceDefinition/{}", crd.name()),
        version: Some(other.name.to_string()),
        path: None,
        message: format!(
            "versions {} and {} are both served with different schemas, but the conversion \
             strategy is {strategy}: a webhook must translate between them",
            first.name, other.name
        ),
        old: None,
        new: Some(crd.at(other.node)),
    })
}

/// A schema as JSON with every `description` dropped: descriptions differ
/// between versions without changing what is stored.
fn without_descriptions(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        J::Object(map) => J::Object(
            map.into_iter()
                .filter(|(k, _)| k != "description")
                .map(|(k, v)| (k, without_descriptions(v)))
                .collect(),
        ),
        J::Array(items) => J::Array(items.into_iter().map(without_descriptions).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_str};

    fn crd(text: &str) -> Node {
        parse_str(text, &Limits::default()).documents[0]
            .root
            .clone()
    }

    const OLD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: integer
                  minimum: 1
                mode:
                  type: string
                  enum: [a, b]
";

    #[test]
    fn unchanged_crd_is_safe() {
        let node = crd(OLD);
        assert!(compare(Side::new(&node, "old"), Side::new(&node, "new")).is_empty());
    }

    #[test]
    fn narrowing_is_located_in_both_files() {
        let old = crd(OLD);
        let new = crd(&OLD
            .replace("minimum: 1", "minimum: 3")
            .replace("enum: [a, b]", "enum: [a, c]"));
        let changes = compare(Side::new(&old, "old.yaml"), Side::new(&new, "new.yaml"));
        let kinds: Vec<_> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::MinimumRaised, ChangeKind::EnumValueRemoved]
        );
        assert_eq!(changes[0].path.as_deref(), Some(".spec.size"));
        assert_eq!(changes[0].version.as_deref(), Some("v1"));
        assert_eq!(changes[0].old.as_ref().map(|l| l.line), Some(20));
        assert_eq!(
            changes[0].new.as_ref().map(|l| l.file.as_str()),
            Some("new.yaml")
        );
        assert!(
            changes[1].message.contains("\"b\""),
            "{}",
            changes[1].message
        );
    }

    #[test]
    fn widening_to_int_or_string_is_safe() {
        let old = crd(OLD);
        let new = crd(&OLD.replace(
            "                mode:\n                  type: string\n",
            "                mode:\n                  x-kubernetes-int-or-string: true\n                  anyOf: [{type: integer}, {type: string}]\n",
        ));
        assert_ne!(old, new);
        assert!(compare(Side::new(&old, "o"), Side::new(&new, "n")).is_empty());
    }

    #[test]
    fn conversion_needs_a_webhook_only_when_schemas_differ() {
        let two = OLD.replace(
            "  versions:\n",
            "  versions:\n    - name: v1beta1\n      served: true\n      storage: false\n      schema:\n        openAPIV3Schema:\n          type: object\n",
        );
        let node = crd(&two);
        let change = conversion(Side::new(&node, "f")).expect("differs");
        assert_eq!(change.version.as_deref(), Some("v1"));
        let hooked = crd(&format!("{two}  conversion:\n    strategy: Webhook\n"));
        assert!(conversion(Side::new(&hooked, "f")).is_none());
        assert!(conversion(Side::new(&crd(OLD), "f")).is_none());
    }
}
