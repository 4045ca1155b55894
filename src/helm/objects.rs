//! Helm's built-in objects as templates see them: `.Capabilities`,
//! `.Chart`, `.Release`, `.Files` and `.Template`.
//!
//! Helm 4 hands some of them over as Go structs and named types, and Go
//! prints, marshals and names those differently from plain maps: `{{
//! print .Capabilities.KubeVersion }}` prints `{v1.31.0 v1.31.0 1 31}` (the
//! struct's fields, one of them unexported; an action without the function
//! prints its pointer's `String()`), `toJson` of it has only its
//! exported fields in declaration order, `typeOf` says
//! `common.KubeVersion`. Each such object is a map tagged with its
//! [`GoType`], which the engine and `toYaml`/`toJson` follow. `.Chart` and
//! `.Release` are plain `map[string]interface{}` in Helm 4 (so `toYaml
//! .Chart` has Go field names as keys). Every shape here was checked
//! against `helm template` (v4.1.4): `fixtures/helm-golden/objects`.

use std::sync::Arc;

use crate::gotemplate::{
    ElemZero, Entries, GoField, GoKind, GoType, Map, STRING_MAP, Slice, SliceType, Value,
};

use super::chart::{Chart, ImportValue};
use super::render::{DEFAULT_KUBE_VERSION, RenderOptions};
use super::{HelmDiagnostic, Severity};

/// `engine.files`, Helm's `.Files` (a map type with methods).
pub(crate) static FILES: GoType = GoType {
    name: "engine.files",
    kind: GoKind::Map,
    elem_zero: ElemZero::Bytes,
    stringer: None,
    addr_stringer: None,
    fields: &[],
};

/// `common.Values`, the type of `.Template`.
pub(crate) static VALUES: GoType = GoType {
    name: "common.Values",
    kind: GoKind::Map,
    elem_zero: ElemZero::Nil,
    stringer: None,
    addr_stringer: None,
    fields: &[],
};

const fn field(name: &'static str) -> GoField {
    GoField {
        name,
        json: Some(name),
        omit_empty: false,
    }
}

/// `*common.Capabilities` (no JSON tags: keys are the field names).
static CAPABILITIES: GoType = GoType {
    name: "*common.Capabilities",
    kind: GoKind::Ptr,
    elem_zero: ElemZero::Nil,
    stringer: None,
    addr_stringer: None,
    fields: &[
        field("KubeVersion"),
        field("APIVersions"),
        field("HelmVersion"),
    ],
};

/// `common.KubeVersion`: `Version`, the unexported `normalizedVersion`
/// (printed by `%v`, never marshalled), `Major`, `Minor`; `GitVersion` is a
/// method returning `Version`, `String` (on `*KubeVersion`) one returning
/// the normalized version (`v1.31.5` of `v1.31.5-gke.100`), so `{{
/// .Capabilities.KubeVersion }}` prints that but `print` of it the struct.
static KUBE_VERSION: GoType = GoType {
    name: "common.KubeVersion",
    kind: GoKind::Struct,
    elem_zero: ElemZero::Nil,
    stringer: None,
    addr_stringer: Some("String"),
    fields: &[
        field("Version"),
        GoField {
            name: "normalizedVersion",
            json: None,
            omit_empty: false,
        },
        field("Major"),
        field("Minor"),
    ],
};

/// `version.BuildInfo`, with its JSON tags.
static BUILD_INFO: GoType = GoType {
    name: "version.BuildInfo",
    kind: GoKind::Struct,
    elem_zero: ElemZero::Nil,
    stringer: None,
    addr_stringer: None,
    fields: &[
        GoField {
            name: "Version",
            json: Some("version"),
            omit_empty: false,
        },
        GoField {
            name: "GitCommit",
            json: Some("git_commit"),
            omit_empty: true,
        },
        GoField {
            name: "GitTreeState",
            json: Some("git_tree_state"),
            omit_empty: true,
        },
        GoField {
            name: "GoVersion",
            json: Some("go_version"),
            omit_empty: true,
        },
        GoField {
            name: "KubeClientVersion",
            json: Some("kube_client_version"),
            omit_empty: false,
        },
    ],
};

/// The Helm build `.Capabilities.HelmVersion` reports: the release whose
/// output the golden renders hold (v4.1.4).
const HELM_BUILD: [(&str, &str); 5] = [
    ("Version", "v4.1.4"),
    ("GitCommit", "05fa37973dc9e42b76e1d2883494c87174b6074f"),
    ("GitTreeState", "clean"),
    ("GoVersion", "go1.25.9"),
    ("KubeClientVersion", "v1.35"),
];

fn s(v: &str) -> Value {
    Value::str(v)
}

fn entries(pairs: Vec<(&str, Value)>) -> Entries {
    pairs.into_iter().map(|(k, v)| (Arc::from(k), v)).collect()
}

fn vmap(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(entries(pairs))
}

fn typed(t: &'static GoType, pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(Map::typed(t, entries(pairs)))
}

fn strings(v: &[String]) -> Value {
    Value::List(v.iter().map(|x| s(x)).collect::<Vec<_>>().into())
}

/// The Kubernetes group/versions Helm 4.1 reports by default (in its order).
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities` for the target Kubernetes version (`--kube-version`,
/// `v` prefix optional) and the extra `--api-versions`.
pub(crate) fn capabilities(options: &RenderOptions, diags: &mut Vec<HelmDiagnostic>) -> Value {
    let kv = if options.kube_version.is_empty() {
        DEFAULT_KUBE_VERSION.to_owned()
    } else if options.kube_version.starts_with('v') {
        options.kube_version.clone()
    } else {
        format!("v{}", options.kube_version)
    };
    // Helm keeps the version without pre-release and build parts beside it.
    let normalized = kv.split(['-', '+']).next().unwrap_or(&kv).to_owned();
    let core = kv.trim_start_matches('v');
    let mut parts = core.split(['.', '-', '+']);
    let major = parts.next().unwrap_or("1").to_owned();
    let minor = parts.next().unwrap_or("0").to_owned();
    if major.parse::<u32>().is_err() || minor.parse::<u32>().is_err() {
        diags.push(HelmDiagnostic {
            severity: Severity::Error,
            file: String::new(),
            line: None,
            message: format!(
                "invalid kube version {:?}; using {DEFAULT_KUBE_VERSION}",
                options.kube_version
            ),
            code: crate::diag::Code::TemplateError,
        });
    }
    let mut apis: Vec<Value> = DEFAULT_API_VERSIONS.iter().map(|a| s(a)).collect();
    apis.extend(options.api_versions.iter().map(|a| s(a)));
    let build = HELM_BUILD.iter().map(|(k, v)| (*k, s(v))).collect();
    typed(
        &CAPABILITIES,
        vec![
            (
                "KubeVersion",
                typed(
                    &KUBE_VERSION,
                    vec![
                        ("Version", s(&kv)),
                        ("normalizedVersion", s(&normalized)),
                        ("GitVersion", s(&kv)),
                        ("String", s(&normalized)),
                        ("Major", s(&major)),
                        ("Minor", s(&minor)),
                    ],
                ),
            ),
            (
                "APIVersions",
                Value::List(Slice::typed(SliceType::VersionSet, apis)),
            ),
            ("HelmVersion", typed(&BUILD_INFO, build)),
        ],
    )
}

/// `.Release` (a plain map in Helm).
pub(crate) fn release_object(options: &RenderOptions) -> Value {
    vmap(vec![
        ("Name", s(&options.release_name)),
        ("Namespace", s(&options.namespace)),
        ("IsInstall", Value::Bool(!options.is_upgrade)),
        ("IsUpgrade", Value::Bool(options.is_upgrade)),
        ("Revision", Value::int(1)),
        ("Service", s("Helm")),
    ])
}

/// `.Template` for the template file `name` of the chart at `base_path`.
pub(crate) fn template_object(name: &str, base_path: &str) -> Value {
    typed(&VALUES, vec![("Name", s(name)), ("BasePath", s(base_path))])
}

/// `.Chart` as Helm 4 exposes it: a map keyed by `chart.Metadata`'s Go
/// field names, plus `IsRoot`. `name` is the name the chart renders under
/// (its alias in a parent). Lists are never nil (`[]`); annotations are
/// nil when Chart.yaml has none.
pub(crate) fn chart_object(chart: &Chart, name: &str, is_root: bool) -> Value {
    let md = &chart.metadata;
    let deps: Vec<Value> = md
        .dependencies
        .iter()
        .map(|d| {
            let imports: Vec<Value> = d
                .import_values
                .iter()
                .map(|iv| match iv {
                    ImportValue::Exports(x) => vmap(vec![
                        ("child", s(&format!("exports.{x}"))),
                        ("parent", s(".")),
                    ]),
                    ImportValue::Map { child, parent } => {
                        vmap(vec![("child", s(child)), ("parent", s(parent))])
                    }
                })
                .collect();
            vmap(vec![
                ("Name", s(&d.name)),
                ("Version", s(&d.version)),
                ("Repository", s(&d.repository)),
                ("Condition", s(&d.condition)),
                ("Tags", strings(&d.tags)),
                ("Enabled", Value::Bool(true)),
                ("ImportValues", Value::List(imports.into())),
                ("Alias", s(&d.alias)),
            ])
        })
        .collect();
    let maintainers: Vec<Value> = md
        .maintainers
        .iter()
        .map(|m| {
            let get = |k: &str| {
                m.iter()
                    .find(|(kk, _)| kk == k)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            };
            vmap(vec![
                ("Name", s(get("name"))),
                ("Email", s(get("email"))),
                ("URL", s(get("url"))),
            ])
        })
        .collect();
    // `Metadata.Annotations` is a `map[string]string`, nil when Chart.yaml
    // has none.
    let annotations = Value::Map(if md.has_annotations {
        Map::typed(
            &STRING_MAP,
            md.annotations
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), s(v)))
                .collect(),
        )
    } else {
        Map::nil(&STRING_MAP)
    });
    vmap(vec![
        ("APIVersion", s(&md.api_version)),
        ("Annotations", annotations),
        ("AppVersion", s(&md.app_version)),
        ("Condition", s(&md.condition)),
        ("Dependencies", Value::List(deps.into())),
        ("Deprecated", Value::Bool(md.deprecated)),
        ("Description", s(&md.description)),
        ("Home", s(&md.home)),
        ("Icon", s(&md.icon)),
        ("IsRoot", Value::Bool(is_root)),
        ("Keywords", strings(&md.keywords)),
        ("KubeVersion", s(&md.kube_version)),
        ("Maintainers", Value::List(maintainers.into())),
        ("Name", s(name)),
        ("Sources", strings(&md.sources)),
        ("Tags", s(&md.tags)),
        ("Type", s(&md.chart_type)),
        ("Version", s(&md.version)),
    ])
}

/// `.Files`: every non-template file, path → content (a `[]byte`, as
/// Helm's `engine.files` holds it: printed `[97 …]`, marshalled base64).
pub(crate) fn files_object(chart: &Chart) -> Value {
    let m: Entries = chart
        .files
        .iter()
        .map(|f| (Arc::from(f.name.as_str()), Value::bytes(&f.data)))
        .collect();
    Value::Map(Map::typed(&FILES, m))
}
