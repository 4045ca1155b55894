//! The bundle layout: `manifests/` holds the CSV, CRDs and extra objects;
//! `metadata/annotations.yaml` names the package and channels.

use super::files::{read_yaml, resources_from, string_map, yaml_files_in};
use super::{LoadOptions, csv};
use crate::diag::{Diagnostic, Severity};
use crate::discover::display_path;
use crate::package::{Package, Source, TargetKind};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::path::Path;

/// Loads a bundle folder.
pub fn load(dir: &Path, options: &LoadOptions) -> Package {
    let mut diags = Vec::new();
    let mut facts = Map::new();
    let mut files = Vec::new();

    let mut resources = Vec::new();
    for file in yaml_files_in(&dir.join("manifests")) {
        let shown = display_path(&file);
        files.push(relative(dir, &file));
        let docs = read_yaml(&file, &options.limits, &mut diags);
        resources.extend(resources_from(docs, &shown, &mut diags));
    }

    let annotations_file = dir.join("metadata/annotations.yaml");
    let mut annotations = Map::new();
    let mut sources = BTreeMap::new();
    if annotations_file.is_file() {
        files.push("metadata/annotations.yaml".to_string());
        let docs = read_yaml(&annotations_file, &options.limits, &mut diags);
        if let Some(doc) = docs.into_iter().find(|d| !d.root.is_null()) {
            annotations = string_map(doc.root.get("annotations"));
            // Kept so that evidence of the channels, package and format
            // points at the annotation that states them.
            sources.insert(
                "annotations".to_string(),
                Source {
                    file: display_path(&annotations_file),
                    node: Some(doc.root.clone()),
                },
            );
            if doc.root.get("annotations").is_none() {
                diags.push(
                    Diagnostic::file(
                        Severity::Warning,
                        display_path(&annotations_file),
                        "no `annotations:` mapping",
                    )
                    .with_code(crate::diag::Code::Metadata),
                );
            }
        }
    } else {
        diags.push(
            Diagnostic::file(
                Severity::Warning,
                display_path(dir),
                "bundle has no metadata/annotations.yaml",
            )
            .with_code(crate::diag::Code::Metadata),
        );
    }
    for (name, key) in [
        ("dependencies.yaml", "dependencies"),
        ("properties.yaml", "properties"),
    ] {
        let path = dir.join("metadata").join(name);
        let mut value = Json::Array(Vec::new());
        if path.is_file() {
            files.push(format!("metadata/{name}"));
            let docs = read_yaml(&path, &options.limits, &mut diags);
            if let Some(list) = docs.first().and_then(|d| d.root.get(key)) {
                value = list.to_json();
            }
        }
        facts.insert(key.into(), value);
    }
    let scorecard = dir.join("tests/scorecard/config.yaml");
    let mut scorecard_json = Json::Null;
    if scorecard.is_file() {
        files.push("tests/scorecard/config.yaml".to_string());
        let docs = read_yaml(&scorecard, &options.limits, &mut diags);
        if let Some(doc) = docs.into_iter().find(|d| !d.root.is_null()) {
            scorecard_json = doc.root.to_json();
        }
    }
    facts.insert("scorecard".into(), scorecard_json);
    // The community catalogs' release pipeline reads `release-config.yaml`
    // beside `manifests/`: each `catalog_templates` entry adds this bundle
    // to a catalog template, with the `replaces`/`skips`/`skipRange` edges
    // the CSV itself may leave out. The upgrade path is declared there.
    let release_config = dir.join("release-config.yaml");
    let mut release_config_json = Json::Null;
    if release_config.is_file() {
        files.push("release-config.yaml".to_string());
        let docs = read_yaml(&release_config, &options.limits, &mut diags);
        if let Some(doc) = docs.into_iter().find(|d| !d.root.is_null()) {
            release_config_json = doc.root.to_json();
            // Kept so that evidence of an edge declared there points at it.
            sources.insert(
                "release-config".to_string(),
                Source {
                    file: display_path(&release_config),
                    node: Some(doc.root.clone()),
                },
            );
        }
    }
    facts.insert("releaseConfig".into(), release_config_json);
    if dir.join("bundle.Dockerfile").is_file() {
        files.push("bundle.Dockerfile".to_string());
    }

    let annotation = |key: &str| {
        annotations
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    let package_name = annotation("operators.operatorframework.io.bundle.package.v1");
    let channels: Vec<Json> = annotation("operators.operatorframework.io.bundle.channels.v1")
        .map(|c| {
            c.split(',')
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| Json::String(s.to_string()))
                .collect()
        })
        .unwrap_or_default();
    facts.insert("channels".into(), Json::Array(channels));
    facts.insert(
        "defaultChannel".into(),
        annotation("operators.operatorframework.io.bundle.channel.default.v1")
            .map(Json::String)
            .unwrap_or(Json::Null),
    );
    facts.insert("annotations".into(), Json::Object(annotations));
    files.sort();
    facts.insert(
        "files".into(),
        Json::Array(files.into_iter().map(Json::String).collect()),
    );

    let mut package = Package::new(
        TargetKind::Bundle,
        "bundle",
        display_path(dir),
        resources,
        diags,
    );
    package.sources = sources;
    csv::apply(&mut package, &mut facts);
    let released = release_channels(&facts["releaseConfig"], package.version.as_deref());
    facts.insert(
        "releaseChannels".into(),
        Json::Array(released.into_iter().map(Json::String).collect()),
    );
    package.name = package_name
        .or_else(|| csv::package_name_from_csv(&package.resources))
        .unwrap_or_else(|| folder_name(dir));
    package.facts = Json::Object(facts);
    package
}

/// The channels a bundle's release-config.yaml publishes it in: each
/// `catalog_templates` entry's `channels`, in order, once each. A basic
/// template's channel is named as written (`alpha`, `Fast`); a semver
/// template (its `template_name` starts with `semver`) takes only its
/// channel kinds, `Candidate`, `Fast` and `Stable`, and generates the
/// channels, by default one per major version named for the kind in lower
/// case: `Candidate` for version 0.8.2 is `candidate-v0` (the version's
/// major is left off when the CSV gives none; a template that generates
/// minor-version channels names it `candidate-v0.8`, which the bundle
/// cannot show, with the same kind and major). These, not the bundle's
/// channel annotations, are the channels the catalog ships it in.
fn release_channels(config: &Json, version: Option<&str>) -> Vec<String> {
    let major = version
        .map(|v| v.trim().trim_start_matches('v'))
        .and_then(|v| {
            let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        });
    let mut out: Vec<String> = Vec::new();
    for entry in config["catalog_templates"].as_array().into_iter().flatten() {
        let semver = entry["template_name"]
            .as_str()
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("semver"));
        for channel in entry["channels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let kind = channel.to_ascii_lowercase();
            let name = if semver && matches!(kind.as_str(), "candidate" | "fast" | "stable") {
                match &major {
                    Some(m) => format!("{kind}-v{m}"),
                    None => kind,
                }
            } else {
                channel.to_string()
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// A file's path relative to the target folder, with forward slashes.
pub fn relative(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The last component of a path.
pub fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::release_channels;
    use serde_json::json;

    #[test]
    fn release_config_channels_are_the_ones_the_catalog_ships() {
        // A semver template's channel kind is the generated major channel
        // (session 22 bundle audit: openshift-integration-operator 0.8.2,
        // Candidate in semver.yaml, is in candidate-v0); a basic template's
        // channel is as written, capitalised or not (aws-neuron-operator's
        // v4.19.yaml publishes in `Fast` and `Stable`).
        let config = json!({"catalog_templates": [
            {"template_name": "semver.yaml", "channels": ["Candidate", "Fast"]},
            {"template_name": "v4.19.yaml", "channels": ["Fast", "alpha"]},
            {"template_name": "v4.20.yaml", "channels": ["alpha"]},
        ]});
        assert_eq!(
            release_channels(&config, Some("0.8.2")),
            ["candidate-v0", "fast-v0", "Fast", "alpha"]
        );
        assert_eq!(
            release_channels(&config, Some("v12.1.0")),
            ["candidate-v12", "fast-v12", "Fast", "alpha"]
        );
        assert_eq!(
            release_channels(&config, None),
            ["candidate", "fast", "Fast", "alpha"]
        );
        assert!(release_channels(&json!(null), Some("1.0.0")).is_empty());
        assert!(release_channels(&json!({"catalog_templates": "x"}), None).is_empty());
    }
}
