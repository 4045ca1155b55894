//! Reading YAML files into documents and resources, turning every parse
//! issue into a located diagnostic.

use crate::diag::{Diagnostic, Severity};
use crate::discover::display_path;
use crate::package::{Origin, Resource};
use crate::yaml::{self, Document, IssueSeverity, Limits, Node, Value};
use std::path::Path;

/// Reads and parses one YAML (or JSON) file. Unreadable and oversized files
/// and parse problems become diagnostics; whatever could be read is returned.
pub fn read_yaml(path: &Path, limits: &Limits, diags: &mut Vec<Diagnostic>) -> Vec<Document> {
    read_yaml_parsed(path, limits, diags).documents
}

/// [`read_yaml`], keeping what the parser noted beside the documents (what
/// JSON cannot hold, for readers that convert to JSON as Helm does).
pub fn read_yaml_parsed(path: &Path, limits: &Limits, diags: &mut Vec<Diagnostic>) -> yaml::Parsed {
    match read_capped(path, limits, diags) {
        Some(bytes) => parse_reported(&bytes, path, limits, diags),
        None => yaml::Parsed::default(),
    }
}

/// A file's bytes, unless it is over the size limit or unreadable (then
/// a diagnostic says so).
pub fn read_capped(path: &Path, limits: &Limits, diags: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    let shown = display_path(path);
    // Check the size before reading, so a huge file is never loaded.
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > limits.max_file_bytes => {
            diags.push(
                Diagnostic::file(
                    Severity::Error,
                    shown,
                    format!(
                        "file is {} bytes, over the limit of {} bytes; not read",
                        meta.len(),
                        limits.max_file_bytes
                    ),
                )
                .with_code(crate::diag::Code::Limit),
            );
            return None;
        }
        Ok(_) => {}
        Err(e) => {
            diags.push(
                Diagnostic::file(Severity::Error, shown, format!("cannot read: {e}"))
                    .with_code(crate::diag::Code::Unreadable),
            );
            return None;
        }
    }
    match std::fs::read(path) {
        Ok(b) => Some(b),
        Err(e) => {
            diags.push(
                Diagnostic::file(Severity::Error, shown, format!("cannot read: {e}"))
                    .with_code(crate::diag::Code::Unreadable),
            );
            None
        }
    }
}

/// `bytes` (read from `path`) parsed as YAML, its issues reported as
/// diagnostics on the file.
pub fn parse_reported(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> yaml::Parsed {
    let shown = display_path(path);
    let parsed = yaml::parse_bytes(bytes, limits);
    let yaml::Parsed {
        documents,
        issues,
        json,
    } = parsed;
    for issue in issues {
        let severity = match issue.severity {
            IssueSeverity::Error => Severity::Error,
            IssueSeverity::Warning => Severity::Warning,
        };
        diags.push(Diagnostic {
            severity,
            code: issue.code,
            profiles: Vec::new(),
            file: Some(shown.clone()),
            line: issue.pos.map(|p| p.line),
            column: issue.pos.map(|p| p.column),
            message: issue.message,
        });
    }
    yaml::Parsed {
        documents,
        issues: Vec::new(),
        json,
    }
}

/// Turns a file's documents into resources. A `kind: List` is expanded into
/// its items; a document that is not a mapping with a `kind` is a warning.
pub fn resources_from(
    docs: Vec<Document>,
    file: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    let mut out = Vec::new();
    for doc in docs {
        let root = doc.root;
        match &root.value {
            Value::Null => {}
            Value::Map(_) => {
                if str_at(&root, "kind") == "List"
                    && let Some(items) = root.get("items").and_then(Node::as_seq)
                {
                    for item in items {
                        push_object(item.clone(), file, diags, &mut out);
                    }
                    continue;
                }
                push_object(root, file, diags, &mut out);
            }
            _ => diags.push(Diagnostic::at(
                Severity::Warning,
                file,
                root.pos,
                "document is not a Kubernetes object (expected a mapping with apiVersion and kind); skipped",
            )
.with_code(crate::diag::Code::NotAnObject)),
        }
    }
    out
}

fn push_object(node: Node, file: &str, diags: &mut Vec<Diagnostic>, out: &mut Vec<Resource>) {
    if node.as_map().is_none() {
        diags.push(
            Diagnostic::at(
                Severity::Warning,
                file,
                node.pos,
                "list item is not a Kubernetes object; skipped",
            )
            .with_code(crate::diag::Code::NotAnObject),
        );
        return;
    }
    let kind = str_at(&node, "kind");
    if kind.is_empty() {
        diags.push(
            Diagnostic::at(
                Severity::Warning,
                file,
                node.pos,
                "object has no `kind`; skipped",
            )
            .with_code(crate::diag::Code::NotAnObject),
        );
        return;
    }
    out.push(resource(node, file, None));
}

/// Builds a resource from an object node. Nulls are dropped first: every
/// rule sees the object as Kubernetes decodes it, where a null field is an
/// absent one (see [`Node::drop_nulls`]).
pub fn resource(mut node: Node, file: &str, embedded: Option<String>) -> Resource {
    node.drop_nulls();
    let line = node.pos.line;
    Resource {
        api_version: str_at(&node, "apiVersion"),
        kind: str_at(&node, "kind"),
        name: node
            .path("metadata.name")
            .and_then(Node::scalar_text)
            .unwrap_or_default(),
        node,
        origin: Origin {
            file: file.to_string(),
            line,
            embedded,
            profile: None,
            rendered: false,
        },
        facts: serde_json::Value::Null,
        placeholder: false,
        profiles: Vec::new(),
        renderings: Vec::new(),
    }
}

/// Test objects: one resource per YAML document of `text` (file `f.yaml`),
/// the `n`th embedded at `embedded[n]` (a CSV path) or standing alone, with
/// empty facts for a test to fill.
#[cfg(test)]
pub(crate) fn test_objects(text: &str, embedded: &[Option<&str>]) -> Vec<Resource> {
    crate::yaml::parse_str(text, &crate::yaml::Limits::default())
        .documents
        .into_iter()
        .zip(embedded)
        .map(|(d, e)| {
            let mut r = resource(d.root, "f.yaml", e.map(str::to_string));
            r.facts = serde_json::json!({});
            r
        })
        .collect()
}

/// The text of a scalar field, or empty.
pub fn str_at(node: &Node, path: &str) -> String {
    node.path(path)
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// The YAML and JSON files directly inside `dir`, sorted; symbolic links are
/// not followed.
pub fn yaml_files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
        })
        .collect();
    files.sort();
    files
}

/// A string map (annotations, labels) as key/value text pairs.
pub fn string_map(node: Option<&Node>) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if let Some(map) = node.and_then(Node::as_map) {
        for (k, v) in map.iter() {
            if let Some(text) = v.scalar_text() {
                out.insert(k.to_string(), serde_json::Value::String(text));
            }
        }
    }
    out
}
