//! Loading: one loader per target layout turns a [`Target`] into a
//! [`Package`]. Loading never fails as a whole: every problem is a located
//! diagnostic and the rest of the target is still read.

mod backup;
mod bundle;
mod chart;
mod chart_lock;
pub use chart::{RenderOutput, render_chart};
mod csv;
mod facts;
pub(crate) use facts::examples_of_kind;
pub mod fbc;
mod files;
pub mod identity;
mod manifests;
mod operator_config;
mod package_manifest;
mod rbac;
mod removed_apis;
mod scale_target;
mod schema_walk;
mod webhooks;
mod workloads;

use crate::discover::{Layout, Target};
use crate::helm::{ChartLimits, RenderLimits};
use crate::package::Package;
use crate::yaml::Limits;

/// Settings that shape loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Bounds against hostile YAML.
    pub limits: Limits,
    /// Bounds against hostile charts (their `yaml` part is replaced by
    /// `limits` when a chart is read).
    pub chart_limits: ChartLimits,
    /// Bounds on template execution.
    pub render_limits: RenderLimits,
    /// How charts are rendered.
    pub helm: HelmOptions,
}

/// The user's Helm settings, applied on top of every profile of every chart.
/// (The config file's per-target values files are added to `value_files`.)
#[derive(Debug, Clone, Default)]
pub struct HelmOptions {
    /// `-f/--values` files, in order.
    pub value_files: Vec<std::path::PathBuf>,
    /// `--set` expressions, in order.
    pub set: Vec<String>,
    /// `--set-string` expressions, in order.
    pub set_string: Vec<String>,
    /// `--set-json` expressions, in order.
    pub set_json: Vec<String>,
    /// `--set-file` expressions, in order (paths relative to the working folder).
    pub set_file: Vec<String>,
    /// `--set-literal` expressions, in order.
    pub set_literal: Vec<String>,
    /// `--is-upgrade`: render as an upgrade (`.Release.IsUpgrade`).
    pub is_upgrade: bool,
    /// `--release-name` (default `release-name`, as `helm template`).
    pub release_name: Option<String>,
    /// `--namespace` (default `default`).
    pub namespace: Option<String>,
    /// `--kube-version` (default the renderer's).
    pub kube_version: Option<String>,
    /// `--api-versions`, added to the built-in ones.
    pub api_versions: Vec<String>,
}

/// Derives the facts every rule may read (done by [`load`]; a catalog's
/// bundles, loaded with [`fbc::load`], need it too).
pub fn derive_facts(package: &mut crate::package::Package) {
    facts::derive(package);
}

/// Loads one target. Problems become diagnostics on the package.
pub fn load(target: &Target, options: &LoadOptions) -> Package {
    let mut package = match &target.layout {
        Layout::Bundle => bundle::load(&target.path, options),
        Layout::PackageManifest { package_file } => {
            package_manifest::load(&target.path, package_file, options)
        }
        Layout::Manifests { files } => manifests::load(&target.path, files, options),
        Layout::Chart | Layout::ChartArchive => chart::load(&target.path, options),
        // A catalog is many bundles (the run expands it with `fbc::load`);
        // alone it stands for its first bundle.
        Layout::Catalog => {
            let (bundles, diags) = fbc::load(&target.path, options);
            let mut package = bundles.into_iter().next().map_or_else(
                || {
                    crate::package::Package::new(
                        crate::package::TargetKind::Bundle,
                        "catalog",
                        crate::discover::display_path(&target.path),
                        Vec::new(),
                        Vec::new(),
                    )
                },
                |b| b.package,
            );
            package.diagnostics.extend(diags);
            package
        }
    };
    facts::derive(&mut package);
    package
}
