//! File-based catalogs (FBC), as `opm render` writes them: a YAML stream
//! (`---` between documents) or a JSON stream (objects one after another)
//! of `olm.package`, `olm.channel` and `olm.bundle` objects.
//!
//! Each `olm.bundle` becomes one package. With `olm.bundle.object`
//! properties (base64 manifests) it is a full bundle: its CSV, CRDs and
//! other objects, every position mapped to the line of the property that
//! carries it. With only `olm.csv.metadata` it is a CSV made of that
//! metadata (no install strategy, no CRDs): the package's `catalog`
//! fact says so (`package.catalog.objects == false`), and the evaluator
//! turns what such a package cannot show into `unknown` findings. The
//! upgrade graph is the channels' entries, not the CSVs' fields.

use super::files::resources_from;
use super::{LoadOptions, csv};
use crate::diag::{Diagnostic, Severity};
use crate::discover::display_path;
use crate::history::graph::Node_;
use crate::package::{Package, TargetKind};
use crate::yaml::{self, Document, Node, Pos, Value};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::path::Path;

/// One bundle of a catalog: its package and its node of the upgrade graph.
pub struct CatalogBundle {
    /// The bundle as a package.
    pub package: Package,
    /// Its upgrade edges, from the channels' entries.
    pub node: Node_,
}

/// Whether the text looks like a file-based catalog (it declares an
/// `olm.package`, `olm.channel` or `olm.bundle` schema).
pub fn sniff(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches(['{', ' ', '\t', ',']);
        (l.starts_with("schema:") || l.starts_with("\"schema\""))
            && ["olm.package", "olm.channel", "olm.bundle"]
                .iter()
                .any(|s| l.contains(s))
    })
}

/// Reads every bundle of the catalog file at `path`.
pub fn load(path: &Path, options: &LoadOptions) -> (Vec<CatalogBundle>, Vec<Diagnostic>) {
    let shown = display_path(path);
    let mut diags = Vec::new();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::file(
                Severity::Error,
                shown,
                format!("cannot read: {e}"),
            ));
            return (Vec::new(), diags);
        }
    };
    let docs = documents(path, &bytes, &shown, options, &mut diags);

    // Channels: bundle name → (channel names, merged entry).
    let mut default_channel: BTreeMap<String, String> = BTreeMap::new();
    let mut entries: BTreeMap<(String, String), (Vec<String>, Option<Node>)> = BTreeMap::new();
    for d in &docs {
        let text = |k: &str| d.get(k).and_then(Node::scalar_text).unwrap_or_default();
        match text("schema").as_str() {
            "olm.package" => {
                default_channel.insert(text("name"), text("defaultChannel"));
            }
            "olm.channel" => {
                for e in d
                    .get("entries")
                    .and_then(Node::as_seq)
                    .into_iter()
                    .flatten()
                {
                    let name = e
                        .get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default();
                    let slot = entries.entry((text("package"), name)).or_default();
                    slot.0.push(text("name"));
                    if slot.1.is_none() {
                        slot.1 = Some(e.clone());
                    }
                }
            }
            _ => {}
        }
    }

    let mut out = Vec::new();
    for d in docs
        .iter()
        .filter(|d| d.get("schema").and_then(Node::as_str) == Some("olm.bundle"))
    {
        let name = d
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let package_name = d
            .get("package")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let (channels, entry) = entries
            .get(&(package_name.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        out.push(bundle(
            d,
            &shown,
            &name,
            &package_name,
            &channels,
            entry.as_ref(),
            default_channel.get(&package_name),
            options,
        ));
    }
    (out, diags)
}

/// The catalog's objects as nodes with their lines.
fn documents(
    path: &Path,
    bytes: &[u8],
    shown: &str,
    options: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Node> {
    let text = String::from_utf8_lossy(bytes);
    if text.trim_start().starts_with('{') {
        // A JSON stream: objects one after another, no separators.
        let mut out = Vec::new();
        let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<Json>();
        let mut start = 0;
        while let Some(item) = stream.next() {
            let line = line_at(&text, start + leading_space(&text[start..]));
            match item {
                Ok(value) => out.push(Node::from_json(&value, Pos { line, column: 1 })),
                Err(e) => {
                    diags.push(Diagnostic::at(
                        Severity::Error,
                        shown,
                        Pos {
                            line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                            column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                        },
                        format!("invalid JSON in the catalog: {e}"),
                    ));
                    break;
                }
            }
            start = stream.byte_offset();
        }
        return out;
    }
    super::files::read_yaml(path, &options.limits, diags)
        .into_iter()
        .map(|d| d.root)
        .filter(|n| n.as_map().is_some())
        .collect()
}

fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

fn line_at(text: &str, offset: usize) -> u32 {
    let n = text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

#[allow(clippy::too_many_arguments)]
fn bundle(
    d: &Node,
    shown: &str,
    name: &str,
    package_name: &str,
    channels: &[String],
    entry: Option<&Node>,
    default_channel: Option<&String>,
    options: &LoadOptions,
) -> CatalogBundle {
    let mut diags = Vec::new();
    let mut resources = Vec::new();
    let mut version = None;
    let mut properties = Vec::new();
    let mut metadata: Option<(&Node, u32)> = None;
    for p in d
        .get("properties")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let kind = p.get("type").and_then(Node::as_str).unwrap_or_default();
        let value = p.get("value");
        match kind {
            "olm.bundle.object" => {
                let data = value.and_then(|v| v.get("data"));
                let line = data.map_or(p.pos.line, |n| n.pos.line);
                let Some(text) = data
                    .and_then(Node::as_str)
                    .and_then(base64)
                    .and_then(|b| String::from_utf8(b).ok())
                else {
                    diags.push(Diagnostic::at(
                        Severity::Error,
                        shown,
                        Pos { line, column: 1 },
                        format!("{name}: an olm.bundle.object is not base64 of UTF-8 text"),
                    ));
                    continue;
                };
                let parsed = yaml::parse_str(&text, &options.limits);
                let docs: Vec<Document> = parsed.documents;
                for mut r in resources_from(docs, shown, &mut diags) {
                    r.origin.line = line;
                    r.origin.rendered = true;
                    resources.push(r);
                }
            }
            "olm.csv.metadata" => {
                if let Some(v) = value {
                    metadata = Some((v, p.pos.line));
                }
            }
            _ => {
                if kind == "olm.package" {
                    version = value
                        .and_then(|v| v.get("version"))
                        .and_then(Node::scalar_text);
                }
                properties.push(p.to_json());
            }
        }
    }
    let objects = resources.iter().any(|r| r.kind == "ClusterServiceVersion");
    if !objects && let Some((m, line)) = metadata {
        let mut csv = csv_from_metadata(&m.to_json(), name, version.as_deref());
        let node = Node::from_json(&csv.take(), Pos { line, column: 1 });
        let mut r = super::files::resource(node, shown, None);
        r.origin.rendered = true;
        resources.insert(0, r);
    }
    let mut facts = Map::new();
    facts.insert(
        "channels".into(),
        Json::Array(channels.iter().cloned().map(Json::String).collect()),
    );
    facts.insert(
        "defaultChannel".into(),
        default_channel.cloned().map_or(Json::Null, Json::String),
    );
    facts.insert("annotations".into(), json!({}));
    facts.insert("files".into(), json!([]));
    facts.insert("dependencies".into(), json!([]));
    facts.insert("properties".into(), Json::Array(properties));
    facts.insert("scorecard".into(), Json::Null);
    facts.insert(
        "catalog".into(),
        json!({"file": shown, "line": d.pos.line, "bundle": name, "objects": objects}),
    );
    let mut package = Package::new(
        TargetKind::Bundle,
        "catalog",
        format!("{shown}#{name}"),
        resources,
        diags,
    );
    csv::apply(&mut package, &mut facts);
    // Objects the CSV embeds were parsed from decoded text: their lines
    // exist in no file, so they point at the bundle's property too.
    let line = package
        .resources
        .first()
        .map_or(d.pos.line, |r| r.origin.line);
    for r in &mut package.resources {
        if !r.origin.rendered {
            r.origin.rendered = true;
            r.origin.line = line;
        }
    }
    if let Some(o) = package.declared_origin.as_mut() {
        o.line = line;
    }
    package.name = package_name.to_string();
    package.main_file = Some(shown.to_string());
    package.facts = Json::Object(facts);

    let csv_node = package
        .resources
        .iter()
        .find(|r| r.kind == "ClusterServiceVersion" && r.origin.embedded.is_none())
        .map(|r| r.node.clone());
    let mut node = match &csv_node {
        Some(n) => Node_::of_csv(n, shown, channels.to_vec()),
        None => Node_::of_csv(
            &Node {
                value: Value::Null,
                pos: d.pos,
            },
            shown,
            channels.to_vec(),
        ),
    };
    // The channel entry, not the CSV, is the graph in a catalog.
    node.name = name.to_string();
    if node.version.is_none() {
        node.version = version
            .as_deref()
            .and_then(|v| semver::Version::parse(v).ok());
    }
    let entry_line = entry.map_or(d.pos.line, |e| e.pos.line);
    node.replaces = entry
        .and_then(|e| e.get("replaces"))
        .and_then(Node::scalar_text)
        .filter(|r| !r.is_empty());
    node.skips = entry
        .and_then(|e| e.get("skips"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(Node::scalar_text)
        .collect();
    node.skip_range = entry
        .and_then(|e| e.get("skipRange"))
        .and_then(Node::scalar_text);
    let at = |k: &str| {
        entry
            .and_then(|e| e.as_map())
            .and_then(|m| m.key_pos(k))
            .map_or(entry_line, |p| p.line)
    };
    node.lines = (entry_line, at("replaces"), at("skipRange"));
    CatalogBundle { package, node }
}

/// A CSV object made of an `olm.csv.metadata` property.
fn csv_from_metadata(m: &Json, name: &str, version: Option<&str>) -> Json {
    let pick = |k: &str| m.get(k).cloned().unwrap_or(Json::Null);
    let mut spec = Map::new();
    for k in [
        "displayName",
        "description",
        "keywords",
        "links",
        "maintainers",
        "maturity",
        "provider",
        "installModes",
        "minKubeVersion",
        "nativeAPIs",
    ] {
        if m.get(k).is_some() {
            spec.insert(k.into(), pick(k));
        }
    }
    if let Some(v) = version {
        spec.insert("version".into(), Json::String(v.to_string()));
    }
    if m.get("crdDescriptions").is_some() {
        spec.insert("customresourcedefinitions".into(), pick("crdDescriptions"));
    }
    if m.get("apiServiceDefinitions").is_some() {
        spec.insert(
            "apiservicedefinitions".into(),
            pick("apiServiceDefinitions"),
        );
    }
    json!({
        "apiVersion": "operators.coreos.com/v1alpha1",
        "kind": "ClusterServiceVersion",
        "metadata": {
            "name": name,
            "annotations": pick("annotations"),
            "labels": pick("labels"),
        },
        "spec": spec,
    })
}

/// Standard base64 (padding optional, whitespace ignored).
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or_default());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes() {
        assert_eq!(base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert!(base64("a*b").is_none());
    }

    #[test]
    fn sniffs_catalogs() {
        assert!(sniff("---\nname: x\nschema: olm.package\n"));
        assert!(sniff("{\n  \"schema\": \"olm.bundle\",\n"));
        assert!(!sniff("kind: ConfigMap\n"));
    }
}
