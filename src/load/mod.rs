//! Loading: one loader per target layout turns a [`Target`] into a
//! [`Package`]. Loading never fails as a whole: every problem is a located
//! diagnostic and the rest of the target is still read.

mod bundle;
mod csv;
mod facts;
mod files;
mod manifests;
mod package_manifest;

use crate::diag::{Diagnostic, Severity};
use crate::discover::{Layout, Target, display_path};
use crate::package::Package;
use crate::yaml::Limits;

/// Settings that shape loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Bounds against hostile input.
    pub limits: Limits,
}

/// Loads one target. Problems become diagnostics on the package.
pub fn load(target: &Target, options: &LoadOptions) -> Package {
    let mut package = match &target.layout {
        Layout::Bundle => bundle::load(&target.path, options),
        Layout::PackageManifest { package_file } => {
            package_manifest::load(&target.path, package_file, options)
        }
        Layout::Manifests { files } => manifests::load(&target.path, files, options),
        Layout::Chart | Layout::ChartArchive => {
            let mut p = empty_package(target, "chart");
            p.diagnostics.push(Diagnostic::file(
                Severity::Error,
                display_path(&target.path),
                "Helm charts are not supported yet: this chart was found but not assessed",
            ));
            p
        }
    };
    facts::derive(&mut package);
    package
}

/// A package with nothing in it yet.
fn empty_package(target: &Target, layout: &str) -> Package {
    let name = target
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Package {
        kind: target.kind(),
        layout: layout.to_string(),
        path: display_path(&target.path),
        name,
        version: None,
        main_file: None,
        declared_raw: None,
        declared_origin: None,
        resources: Vec::new(),
        facts: serde_json::Value::Null,
        diagnostics: Vec::new(),
        exemptions: Default::default(),
    }
}
