//! Helm charts: loading (folders and `.tgz`) and rendering in-process, with
//! no `helm` binary.
//!
//! - [`load_chart`] reads a chart and its subcharts into a [`Chart`]; it never
//!   fails, problems are [`HelmDiagnostic`]s.
//! - [`render`] computes values as Helm does (dependency conditions, tags
//!   and aliases first, then defaults, subchart scoping, `global`,
//!   `import-values`, `-f` files and the `--set` family) and renders every
//!   template with our Go template engine ([`crate::gotemplate`]) and the
//!   Sprig/Helm functions; a template that
//!   fails is a diagnostic and the others still render.
//! - [`write_helm_template`] prints a render the way `helm template` does
//!   with the same output flags ([`PrintOptions`]), for comparison with real
//!   Helm.
//! - [`profiles`] lists the value overlays a chart is assessed under.
//!
//! Parity: on the corpus, every chart × values file that real `helm template`
//! renders gives the same set of objects, and every object Helm renders
//! deterministically is identical (see `parity.py` in the scratch crate and
//! the golden renders under `fixtures/helm-golden/`).
//!
//! Values files are read as Helm 4's `LoadValues`: every YAML document,
//! merged in order, through `sigs.k8s.io/yaml`'s YAML-to-JSON rules
//! (`!!binary` decoded; Inf/NaN, null and complex keys refused in Helm's
//! words). A rendered document Helm's manifest sorter would refuse (not
//! JSON, or a `SimpleHead` field of the wrong type) is a `rendered-yaml`
//! warning like a YAML syntax error; a hook naming an event Helm does not
//! know (`crd-install`) is skipped, neither printed nor analysed.
//!
//! Deliberate differences from Helm: a template that fails does not fail the
//! whole chart (nor does an unvendored dependency, a `kubeVersion` that
//! excludes the target, rendered YAML helm cannot read, or values that break
//! `values.schema.json`: each is a diagnostic); random and crypto functions return fixed
//! placeholders; `now` is the fixed instant 2024-01-01T00:00:00Z and the
//! local time zone is UTC (dates of given times match Helm's); `lookup` returns an empty map (as `helm template`); Sprig
//! functions accept loosely typed arguments.
//!
//! Values are computed by `values.rs` as immutable `Data` (`data.rs`) and
//! converted once per render into the engine's shared maps, so templates
//! see Go's reference semantics (`set` on a range dot, on a dict passed to
//! `include`, on `.Values` across templates), while the computation itself
//! never changes a table another chart or profile still holds.

mod chart;
mod crypto;
mod data;
mod deps;
pub(crate) mod digest;
mod funcs;
mod glob;
mod gojson;
mod goregex;
mod gotime;
mod goutil;
mod numbers;
mod objects;
mod output;
mod profiles;
mod random;
mod render;
mod schema;
mod semver;
mod sigs;
mod strvals;
mod tomllex;
mod tomlout;
mod values;
mod xstrings;
mod yamlerr;
mod yamlout;

#[cfg(test)]
mod tests;

pub use chart::{
    Chart, ChartFile, ChartLimits, Dependency, ImportValue, Metadata, load_archive_bytes,
    load_chart,
};
pub use output::{PrintOptions, write_helm_template};
pub use profiles::{FEATURES_ON, Profile, profiles, render_profile};
pub use render::{
    DEFAULT_KUBE_VERSION, RenderLimits, RenderOptions, Rendered, RenderedDoc, TemplateFailure,
    UnrenderedObject, render,
};
pub(crate) use values::{load_values_documents, values_reader_prefix};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something odd that did not stop anything (a missing optional file, an
    /// ignored value).
    Warning,
    /// Something that could not be read or rendered.
    Error,
}

/// A problem met while loading or rendering a chart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HelmDiagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the root chart (`templates/x.yaml`,
    /// `charts/sub/values.yaml`); empty for the chart as a whole.
    pub file: String,
    /// 1-based line in that file, when known.
    pub line: Option<u32>,
    /// What went wrong, in Helm's words where Helm has words for it.
    pub message: String,
    /// What kind of problem, for reports.
    pub code: crate::diag::Code,
}

impl HelmDiagnostic {
    /// The same diagnostic with this code.
    pub fn with_code(mut self, code: crate::diag::Code) -> Self {
        self.code = code;
        self
    }
}

impl std::fmt::Display for HelmDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            Some(line) => write!(f, "{sev}: {}:{line}: {}", self.file, self.message),
            None if self.file.is_empty() => write!(f, "{sev}: {}", self.message),
            None => write!(f, "{sev}: {}: {}", self.file, self.message),
        }
    }
}
