//! What a catalog view needs to know about a target besides its
//! assessment: a stable identity and the package's listing facts (channels,
//! upgrade edges, provider; a chart's appVersion and dependencies).

use crate::package::Package;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// A package's listing facts, read from its CSV and metadata or Chart.yaml.
/// Absent facts are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct PackageFacts {
    /// The CSV's `metadata.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_name: Option<String>,
    /// The channels the bundle is in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// The default channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_channel: Option<String>,
    /// The CSV it replaces (`spec.replaces`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The CSVs it skips (`spec.skips`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skips: Vec<String>,
    /// The versions it upgrades from in one step (`olm.skipRange`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_range: Option<String>,
    /// The CSV's `createdAt` annotation, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The provider's name (CSV `spec.provider.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A chart's `appVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// A chart's declared dependencies, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// The values profiles a chart was rendered under.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

fn text(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn texts(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| a.iter().filter_map(|x| text(Some(x))).collect())
        .unwrap_or_default()
}

impl PackageFacts {
    /// Reads the facts of a loaded package.
    pub fn of(package: &Package) -> PackageFacts {
        let facts = &package.facts;
        let mut out = PackageFacts {
            channels: texts(facts.get("channels")),
            default_channel: text(facts.get("defaultChannel")),
            profiles: texts(facts.get("profiles")),
            ..PackageFacts::default()
        };
        if let Some(chart) = facts.get("chart") {
            out.app_version = text(chart.get("appVersion"));
            out.dependencies = chart
                .get("dependencies")
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(|d| text(d.get("name"))).collect())
                .unwrap_or_default();
        }
        if let Some(csv) = package
            .resources
            .iter()
            .find(|r| r.kind == "ClusterServiceVersion" && r.origin.embedded.is_none())
        {
            let n = &csv.node;
            let s = |path: &str| {
                n.path(path)
                    .and_then(|x| x.scalar_text())
                    .filter(|t| !t.is_empty())
            };
            out.csv_name = s("metadata.name");
            out.replaces = s("spec.replaces");
            out.skips = n
                .path("spec.skips")
                .and_then(|x| x.as_seq())
                .map(|items| items.iter().filter_map(|i| i.scalar_text()).collect())
                .unwrap_or_default();
            out.skip_range = s(r#"metadata.annotations["olm.skipRange"]"#);
            out.created_at = s("metadata.annotations.createdAt");
            out.provider = s("spec.provider.name");
        }
        out
    }
}

/// The roots a run was given, resolved, to say where each target is
/// relative to the root it was found under, however the root was typed
/// (`k2`, `k2/`, `./k2` or absolute all give the same).
#[derive(Debug, Clone, Default)]
pub struct Roots(Vec<PathBuf>);

impl Roots {
    /// The given paths, resolved; a path that cannot be resolved is kept as given.
    pub fn new(paths: &[PathBuf]) -> Roots {
        Roots(
            paths
                .iter()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
                .collect(),
        )
    }

    /// `path` relative to the deepest given root above it, with forward
    /// slashes; `.` for a root itself.
    pub fn relative(&self, path: &Path) -> String {
        let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = self
            .0
            .iter()
            .filter_map(|root| resolved.strip_prefix(root).ok())
            .min_by_key(|rel| rel.components().count())
            .map(Path::to_path_buf)
            .unwrap_or(resolved);
        let text = rel.to_string_lossy().replace('\\', "/");
        if text.is_empty() { ".".into() } else { text }
    }
}

/// A target's stable identity: `layout:name@version:relative-path`.
pub fn target_id(layout: &str, name: &str, version: Option<&str>, relative: &str) -> String {
    format!("{layout}:{name}@{}:{relative}", version.unwrap_or("-"))
}
