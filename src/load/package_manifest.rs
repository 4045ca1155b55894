//! The older package-manifest layout: `<name>.package.yaml` beside one folder
//! per version, each holding that version's CSV and CRDs flat. Each version
//! folder is a target; the package file gives its channels.

use super::bundle::{folder_name, relative};
use super::files::{read_yaml, resources_from, yaml_files_in};
use super::{LoadOptions, csv};
use crate::diag::{Diagnostic, Severity};
use crate::discover::display_path;
use crate::package::{Package, Source, TargetKind};
use crate::yaml::Node;
use serde_json::{Map, Value as Json};
use std::path::Path;

/// Loads one version folder of a package-manifest layout.
pub fn load(dir: &Path, package_file: &Path, options: &LoadOptions) -> Package {
    let mut diags = Vec::new();
    let mut facts = Map::new();
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for file in yaml_files_in(dir) {
        files.push(relative(dir, &file));
        let docs = read_yaml(&file, &options.limits, &mut diags);
        resources.extend(resources_from(docs, &display_path(&file), &mut diags));
    }

    let docs = read_yaml(package_file, &options.limits, &mut diags);
    let pkg = docs.into_iter().map(|d| d.root).find(|r| !r.is_null());
    let package_name = pkg
        .as_ref()
        .and_then(|p| p.get("packageName"))
        .and_then(Node::scalar_text);
    if pkg.is_none() {
        diags.push(
            Diagnostic::file(
                Severity::Warning,
                display_path(package_file),
                "package file is empty",
            )
            .with_code(crate::diag::Code::Metadata),
        );
    }

    let mut package = Package::new(
        TargetKind::Bundle,
        "package-manifest",
        display_path(dir),
        resources,
        diags,
    );
    csv::apply(&mut package, &mut facts);
    // Kept so that evidence of the channels points at the package file.
    if let Some(root) = &pkg {
        package.sources.insert(
            "package".to_string(),
            Source {
                file: display_path(package_file),
                node: Some(root.clone()),
            },
        );
    }

    // The channels this version heads, and the package's default channel.
    let csv_name = package
        .resources
        .iter()
        .find(|r| r.kind == "ClusterServiceVersion")
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let mut channels = Vec::new();
    if let Some(list) = pkg
        .as_ref()
        .and_then(|p| p.get("channels"))
        .and_then(Node::as_seq)
    {
        for ch in list {
            let head = ch
                .get("currentCSV")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            if let Some(name) = ch.get("name").and_then(Node::scalar_text)
                && head == csv_name
            {
                channels.push(Json::String(name));
            }
        }
    }
    facts.insert("channels".into(), Json::Array(channels));
    facts.insert(
        "defaultChannel".into(),
        pkg.as_ref()
            .and_then(|p| p.get("defaultChannel"))
            .and_then(Node::scalar_text)
            .map(Json::String)
            .unwrap_or(Json::Null),
    );
    facts.insert("annotations".into(), Json::Object(Map::new()));
    facts.insert("dependencies".into(), Json::Array(Vec::new()));
    facts.insert("properties".into(), Json::Array(Vec::new()));
    facts.insert("scorecard".into(), Json::Null);
    files.sort();
    facts.insert(
        "files".into(),
        Json::Array(files.into_iter().map(Json::String).collect()),
    );
    package.name = package_name
        .or_else(|| csv::package_name_from_csv(&package.resources))
        .unwrap_or_else(|| folder_name(dir));
    package.facts = Json::Object(facts);
    package
}
