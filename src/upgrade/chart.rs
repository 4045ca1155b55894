//! What breaks `helm upgrade` between two versions of a chart.
//!
//! Helm patches each object it rendered before into the one it renders now,
//! by kind and name. The API server refuses patches to immutable fields (a
//! workload's selector, a StatefulSet's volume claim templates, a Job's pod
//! template, a Service's cluster IP), so the upgrade fails half-way; an
//! object whose name changed is deleted and created anew (a StatefulSet
//! with it loses its volumes' binding, a Service its address); a CRD under
//! `crds/` is installed once and never upgraded. Users' values files break
//! when a key they set is gone (helm ignores it silently) or changed type.
//! The objects compared are those the chart renders with its defaults, the
//! configuration an upgrade most often meets.

use super::crd::{self, Side};
use super::{Change, ChangeKind, Location};
use crate::helm::Chart;
use crate::package::{Package, Resource};
use crate::yaml::{Limits, Node, Value, parse_bytes};
use std::collections::BTreeMap;

/// The profile whose objects are compared.
const DEFAULTS: &str = "defaults";

/// The kinds whose `spec.selector` the API server refuses to change.
const SELECTOR_IMMUTABLE: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/// Every change between two loaded charts (`old`/`new` as packages, and
/// their charts for values and `crds/`) that breaks `helm upgrade` or its
/// users' values files.
#[must_use]
pub fn compare(old: (&Package, &Chart), new: (&Package, &Chart)) -> Vec<Change> {
    let mut out = objects(old.0, new.0);
    out.extend(crds(old, new));
    let file = |p: &Package| format!("{}/values.yaml", p.path);
    values(
        &old.1.values,
        &new.1.values,
        "",
        (&file(old.0), &file(new.0)),
        &mut out,
    );
    out
}

type Key<'a> = (&'a str, &'a str, &'a str);

fn key(r: &Resource) -> Key<'_> {
    let ns = r
        .node
        .path("metadata.namespace")
        .and_then(Node::as_str)
        .unwrap_or_default();
    (r.kind.as_str(), ns, r.name.as_str())
}

fn rendered(p: &Package) -> BTreeMap<Key<'_>, &Resource> {
    p.resources
        .iter()
        .filter(|r| !r.placeholder && r.origin.embedded.is_none())
        .filter(|r| {
            r.profiles.is_empty()
                || r.profiles.iter().any(|p| p == DEFAULTS)
                || r.origin.profile.as_deref() == Some(DEFAULTS)
        })
        .map(|r| (key(r), r))
        .collect()
}

fn at(r: &Resource, path: Option<&str>) -> Location {
    Location {
        file: r.origin.file.clone(),
        line: r.line_of(path),
    }
}

fn json(r: &Resource, path: &str) -> serde_json::Value {
    r.node
        .path(path)
        .map_or(serde_json::Value::Null, Node::to_json)
}

fn change(kind: ChangeKind, o: &Resource, n: &Resource, path: &str, message: String) -> Change {
    Change {
        kind,
        breaking: true,
        subject: format!("{}/{}", n.kind, n.name),
        version: None,
        path: Some(path.to_string()),
        message,
        old: Some(at(o, Some(path))),
        new: Some(at(n, Some(path))),
    }
}

/// Immutable fields changed, objects renamed.
fn objects(old: &Package, new: &Package) -> Vec<Change> {
    let (before, after) = (rendered(old), rendered(new));
    let mut out = Vec::new();
    for (k, o) in &before {
        let Some(n) = after.get(k) else { continue };
        let differs = |path: &str| json(o, path) != json(n, path);
        if SELECTOR_IMMUTABLE.contains(&k.0) && differs("spec.selector") {
            out.push(change(
                ChangeKind::SelectorChanged,
                o,
                n,
                "spec.selector",
                format!(
                    "the selector changed from {} to {}; it is immutable, so the upgrade fails",
                    json(o, "spec.selector"),
                    json(n, "spec.selector")
                ),
            ));
        }
        if k.0 == "StatefulSet" {
            if differs("spec.volumeClaimTemplates") {
                out.push(change(
                    ChangeKind::VolumeClaimTemplatesChanged,
                    o,
                    n,
                    "spec.volumeClaimTemplates",
                    "the volumeClaimTemplates changed; they are immutable, so the upgrade fails"
                        .into(),
                ));
            }
            for field in ["spec.serviceName", "spec.podManagementPolicy"] {
                if differs(field) {
                    out.push(immutable(o, n, field));
                }
            }
        }
        if k.0 == "Job" && !o.is_helm_hook() && differs("spec.template") {
            out.push(immutable(o, n, "spec.template"));
        }
        if k.0 == "Service" {
            let ip = |r: &Resource| {
                r.node
                    .path("spec.clusterIP")
                    .and_then(Node::as_str)
                    .map(str::to_owned)
            };
            let (oi, ni) = (ip(o), ip(n));
            if let (Some(a), Some(b)) = (&oi, &ni)
                && a != b
                && !(a.is_empty() || b.is_empty())
            {
                out.push(immutable(o, n, "spec.clusterIP"));
            } else if (oi.as_deref() == Some("None")) != (ni.as_deref() == Some("None")) {
                out.push(immutable(o, n, "spec.clusterIP"));
            }
            let external = |r: &Resource| {
                r.node.path("spec.type").and_then(Node::as_str) == Some("ExternalName")
            };
            if external(o) != external(n) {
                out.push(immutable(o, n, "spec.type"));
            }
        }
        if k.0 == "PersistentVolumeClaim" {
            for field in [
                "spec.storageClassName",
                "spec.accessModes",
                "spec.volumeName",
            ] {
                if differs(field) {
                    out.push(immutable(o, n, field));
                }
            }
        }
    }
    // Renames: per kind and namespace, the objects that went paired with
    // those that came, in name order.
    let mut gone: BTreeMap<(&str, &str), Vec<&Resource>> = BTreeMap::new();
    let mut came: BTreeMap<(&str, &str), Vec<&Resource>> = BTreeMap::new();
    for (k, r) in &before {
        if !after.contains_key(k) {
            gone.entry((k.0, k.1)).or_default().push(r);
        }
    }
    for (k, r) in &after {
        if !before.contains_key(k) {
            came.entry((k.0, k.1)).or_default().push(r);
        }
    }
    for (kk, olds) in &gone {
        let Some(news) = came.get(kk) else { continue };
        for (o, n) in olds.iter().zip(news) {
            out.push(Change {
                kind: ChangeKind::ResourceRenamed,
                breaking: true,
                subject: format!("{}/{}", o.kind, o.name),
                version: None,
                path: Some("metadata.name".into()),
                message: format!(
                    "{} {} became {}: helm deletes the old object and creates the new one",
                    o.kind, o.name, n.name
                ),
                old: Some(at(o, Some("metadata.name"))),
                new: Some(at(n, Some("metadata.name"))),
            });
        }
    }
    out
}

fn immutable(o: &Resource, n: &Resource, field: &str) -> Change {
    change(
        ChangeKind::ImmutableFieldChanged,
        o,
        n,
        field,
        format!(
            "{field} changed from {} to {}; the API server refuses the patch",
            json(o, field),
            json(n, field)
        ),
    )
}

/// CRDs under `crds/`: any change is one helm never applies; the schema
/// checks tell what would break when applied by hand.
fn crds(old: (&Package, &Chart), new: (&Package, &Chart)) -> Vec<Change> {
    let mut out = Vec::new();
    let files = |c: &Chart| -> BTreeMap<String, Vec<u8>> {
        c.crds().map(|f| (f.name.clone(), f.data.clone())).collect()
    };
    let (before, after) = (files(old.1), files(new.1));
    let parse = |data: &[u8]| -> Vec<Node> {
        parse_bytes(data, &Limits::default())
            .documents
            .into_iter()
            .map(|d| d.root)
            .filter(|n| n.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition"))
            .collect()
    };
    for (name, data) in &before {
        let Some(now) = after.get(name) else { continue };
        if data == now {
            continue;
        }
        let (of, nf) = (
            format!("{}/{name}", old.0.path),
            format!("{}/{name}", new.0.path),
        );
        let (od, nd) = (parse(data), parse(now));
        out.push(Change {
            kind: ChangeKind::ChartCrdChanged,
            breaking: true,
            subject: name.clone(),
            version: None,
            path: None,
            message: format!(
                "{name} changed, but helm installs crds/ once and never upgrades them: \
                 the cluster keeps the old CRD"
            ),
            old: Some(Location {
                file: of.clone(),
                line: 1,
            }),
            new: Some(Location {
                file: nf.clone(),
                line: 1,
            }),
        });
        for n in &nd {
            let name = n.path("metadata.name").and_then(Node::as_str);
            if let Some(o) = od
                .iter()
                .find(|o| o.path("metadata.name").and_then(Node::as_str) == name)
            {
                out.extend(crd::upgrade(Side::new(o, &of), Side::new(n, &nf)));
            }
        }
    }
    out
}

/// The JSON-ish type of a values node; `None` for null, which fits any type.
fn type_of(n: &Node) -> Option<&'static str> {
    Some(match n.value {
        Value::Null => return None,
        Value::Bool(_) => "boolean",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "list",
        Value::Map(_) => "map",
    })
}

/// Keys of the default values removed or retyped, recursively through maps.
fn values(old: &Node, new: &Node, prefix: &str, files: (&str, &str), out: &mut Vec<Change>) {
    let (Some(om), Some(nm)) = (old.as_map(), new.as_map()) else {
        return;
    };
    for (k, o) in om.iter() {
        let path = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        let loc = |file: &str, line: u32| Location {
            file: file.to_string(),
            line,
        };
        let old_line = om.key_pos(k).map_or(o.pos.line, |p| p.line);
        match nm.get(k) {
            None => out.push(Change {
                kind: ChangeKind::ValuesKeyRemoved,
                breaking: true,
                subject: "values".into(),
                version: None,
                path: Some(path.clone()),
                message: format!(
                    "values key {path} is gone: users' values files that set it are silently ignored"
                ),
                old: Some(loc(files.0, old_line)),
                new: Some(loc(files.1, new.pos.line)),
            }),
            Some(n) => {
                let (ot, nt) = (type_of(o), type_of(n));
                if let (Some(a), Some(b)) = (ot, nt)
                    && a != b
                {
                    out.push(Change {
                        kind: ChangeKind::ValuesKeyRetyped,
                        breaking: true,
                        subject: "values".into(),
                        version: None,
                        path: Some(path.clone()),
                        message: format!("values key {path} changed from a {a} to a {b}"),
                        old: Some(loc(files.0, old_line)),
                        new: Some(loc(files.1, nm.key_pos(k).map_or(n.pos.line, |p| p.line))),
                    });
                } else {
                    values(o, n, &path, files, out);
                }
            }
        }
    }
}
