//! What a target is a version of, read before the run loads it: its
//! package (or chart) name and version, as [`super::load`] would set them,
//! reading as little as it can (a bundle's CSV, not its CRDs; a chart's
//! files, not its rendering). The run reads these for every target at the
//! start so that each target's report can say whether it is the newest
//! version of its package in the run while the reports still stream.

use super::{LoadOptions, csv, fbc};
use crate::discover::{Layout, Target, display_path};
use crate::package::Resource;
use crate::yaml::Node;
use std::path::Path;

/// A package name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The layout the report will name (`bundle`, `package-manifest`,
    /// `chart`, `chart-archive`, `catalog`): versions are compared within
    /// one layout and name, as the summary's `latest` does.
    pub layout: &'static str,
    /// The package or chart name.
    pub name: String,
    /// Its version as written, when it has one.
    pub version: Option<String>,
}

/// The identities a target holds: one for a bundle or chart, one per
/// bundle for a catalog, none for plain manifests.
pub fn of(target: &Target, options: &LoadOptions) -> Vec<Identity> {
    let bundle = |layout, name, version| Identity {
        layout,
        name,
        version,
    };
    match &target.layout {
        Layout::Bundle => {
            let (resources, version) = csv_in(&target.path.join("manifests"), options);
            let name = annotated_package(&target.path, options)
                .or_else(|| csv::package_name_from_csv(&resources))
                .unwrap_or_else(|| super::bundle::folder_name(&target.path));
            vec![bundle("bundle", name, version)]
        }
        Layout::PackageManifest { package_file } => {
            let (resources, version) = csv_in(&target.path, options);
            let mut diags = Vec::new();
            let name = super::files::read_yaml(package_file, &options.limits, &mut diags)
                .into_iter()
                .map(|d| d.root)
                .find(|r| !r.is_null())
                .and_then(|p| p.get("packageName").and_then(Node::scalar_text))
                .or_else(|| csv::package_name_from_csv(&resources))
                .unwrap_or_else(|| super::bundle::folder_name(&target.path));
            vec![bundle("package-manifest", name, version)]
        }
        Layout::Chart | Layout::ChartArchive => {
            let limits = crate::helm::ChartLimits {
                yaml: options.limits,
                ..options.chart_limits
            };
            let chart = crate::helm::load_chart(&target.path, &limits);
            vec![Identity {
                layout: if target.path.is_file() {
                    "chart-archive"
                } else {
                    "chart"
                },
                name: chart.name().to_string(),
                version: Some(chart.metadata.version.clone()).filter(|v| !v.is_empty()),
            }]
        }
        Layout::Catalog => fbc::load(&target.path, options)
            .0
            .into_iter()
            .map(|b| bundle("catalog", b.package.name, b.package.version))
            .collect(),
        Layout::Manifests { .. } => Vec::new(),
    }
}

/// The package `metadata/annotations.yaml` names, as the bundle loader reads it.
fn annotated_package(dir: &Path, options: &LoadOptions) -> Option<String> {
    let file = dir.join("metadata/annotations.yaml");
    if !file.is_file() {
        return None;
    }
    let mut diags = Vec::new();
    let doc = super::files::read_yaml(&file, &options.limits, &mut diags)
        .into_iter()
        .find(|d| !d.root.is_null())?;
    super::files::string_map(doc.root.get("annotations"))
        .get("operators.operatorframework.io.bundle.package.v1")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// The objects of the first file of `dir` that holds a CSV, and that CSV's
/// version, as the loaders find it (files in the same order, the first CSV
/// not embedded in another object). Files whose text never names the kind
/// cannot hold one and are not parsed: the CRDs, most of a bundle's bytes.
fn csv_in(dir: &Path, options: &LoadOptions) -> (Vec<Resource>, Option<String>) {
    for file in super::files::yaml_files_in(dir) {
        let named = std::fs::read(&file)
            .map(|b| b.windows(21).any(|w| w == b"ClusterServiceVersion"))
            .unwrap_or(false);
        if !named {
            continue;
        }
        let mut diags = Vec::new();
        let docs = super::files::read_yaml(&file, &options.limits, &mut diags);
        let resources = super::files::resources_from(docs, &display_path(&file), &mut diags);
        let version = resources
            .iter()
            .find(|r| r.kind == "ClusterServiceVersion" && r.origin.embedded.is_none())
            .map(|csv| csv.node.path("spec.version").and_then(Node::scalar_text));
        if let Some(version) = version {
            return (resources, version);
        }
    }
    (Vec::new(), None)
}
