//! A folder of plain Kubernetes manifests (or one manifest file). When it
//! holds a CSV, the CSV's declaration and embedded objects count as in a
//! bundle.

use super::bundle::{folder_name, relative};
use super::files::{read_yaml, resources_from};
use super::{LoadOptions, csv};
use crate::discover::display_path;
use crate::package::{Package, TargetKind};
use serde_json::{Map, Value as Json};
use std::path::{Path, PathBuf};

/// Loads the given files as one target rooted at `path`.
pub fn load(path: &Path, files: &[PathBuf], options: &LoadOptions) -> Package {
    let mut diags = Vec::new();
    let mut resources = Vec::new();
    let mut names = Vec::new();
    let root = if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    for file in files {
        names.push(relative(root, file));
        let docs = read_yaml(file, &options.limits, &mut diags);
        resources.extend(resources_from(docs, &display_path(file), &mut diags));
    }
    let mut package = Package::new(
        TargetKind::Manifests,
        "manifests",
        display_path(path),
        resources,
        diags,
    );
    package.name = folder_name(path);
    let mut facts = Map::new();
    if package
        .resources
        .iter()
        .any(|r| r.kind == "ClusterServiceVersion")
    {
        csv::apply(&mut package, &mut facts);
    }
    names.sort();
    facts.insert(
        "files".into(),
        Json::Array(names.into_iter().map(Json::String).collect()),
    );
    package.facts = Json::Object(facts);
    package
}
