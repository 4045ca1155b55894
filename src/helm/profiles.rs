//! Value profiles a chart is assessed under: its defaults, `features-on`
//! (every boolean `enabled`/`create` switched on, the subcharts' too, except
//! toggles that take capability away or the default workloads; unset
//! PodDisruptionBudget values given one budget; the common add-on APIs
//! available), each `ci/*-values.yaml`,
//! and the user's own values.

use super::chart::Chart;
use super::render::{RenderOptions, Rendered, RenderedDoc, TemplateFailure, render};
use super::{HelmDiagnostic, Severity};
use crate::yaml;
use std::collections::BTreeSet;

/// A named values overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `defaults`, `features-on`, `ci/<file>`, or `user`.
    pub name: String,
    /// Values laid over the chart's defaults (an empty mapping for `defaults`).
    pub overlay: yaml::Node,
    /// API versions added to `.Capabilities.APIVersions` (before the user's
    /// `--api-versions`): [`OPTIONAL_API_VERSIONS`] for `features-on`.
    pub api_versions: Vec<String>,
}

fn empty_map() -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Map(yaml::Mapping::default()),
        pos: yaml::Pos::default(),
    }
}

/// The name of the profile that switches every opt-in feature on.
pub const FEATURES_ON: &str = "features-on";

/// API versions the `features-on` profile adds to `.Capabilities.APIVersions`:
/// the add-on APIs (Prometheus Operator, VPA, KEDA, cert-manager, Gateway
/// API, volume snapshots, grafana-operator) that well-behaved charts test
/// for with `.Capabilities.APIVersions.Has` before rendering a
/// ServiceMonitor or a VerticalPodAutoscaler. `helm template` knows none of
/// them, so without these a guarded object (the good practice) would never
/// be seen while an unguarded one would. Both spellings Helm accepts are
/// listed: `group/version` and `group/version/Kind`. APIs that switch a
/// chart to another platform's conventions (OpenShift's `security.openshift.io`)
/// are left out: they change more than they enable.
pub const OPTIONAL_API_VERSIONS: &[&str] = &[
    "monitoring.coreos.com/v1",
    "monitoring.coreos.com/v1/ServiceMonitor",
    "monitoring.coreos.com/v1/PodMonitor",
    "monitoring.coreos.com/v1/PrometheusRule",
    "monitoring.coreos.com/v1/Probe",
    "monitoring.coreos.com/v1alpha1",
    "monitoring.coreos.com/v1alpha1/AlertmanagerConfig",
    "monitoring.coreos.com/v1alpha1/ScrapeConfig",
    "autoscaling.k8s.io/v1",
    "autoscaling.k8s.io/v1/VerticalPodAutoscaler",
    "keda.sh/v1alpha1",
    "keda.sh/v1alpha1/ScaledObject",
    "keda.sh/v1alpha1/ScaledJob",
    "cert-manager.io/v1",
    "cert-manager.io/v1/Certificate",
    "cert-manager.io/v1/Issuer",
    "gateway.networking.k8s.io/v1",
    "gateway.networking.k8s.io/v1/HTTPRoute",
    "gateway.networking.k8s.io/v1/Gateway",
    "snapshot.storage.k8s.io/v1",
    "snapshot.storage.k8s.io/v1/VolumeSnapshot",
    "grafana.integreatly.org/v1beta1",
    "grafana.integreatly.org/v1beta1/GrafanaDashboard",
];

/// Kubernetes' own kinds at the versions a current cluster serves, in the
/// `group/version/Kind` spelling a cluster's discovery gives Helm on
/// install (`helm template` has only `group/version`): charts test it
/// (`.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"`) and
/// fall back to a removed API without it. `features-on` stands for a real
/// cluster with the add-ons, so it serves these too; the `defaults` profile
/// keeps `helm template`'s set.
pub const SERVED_KINDS: &[&str] = &[
    "v1/ConfigMap",
    "v1/Secret",
    "v1/Service",
    "v1/ServiceAccount",
    "v1/PersistentVolumeClaim",
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "batch/v1/Job",
    "batch/v1/CronJob",
    "policy/v1/PodDisruptionBudget",
    "autoscaling/v2/HorizontalPodAutoscaler",
    "networking.k8s.io/v1/Ingress",
    "networking.k8s.io/v1/IngressClass",
    "networking.k8s.io/v1/NetworkPolicy",
    "discovery.k8s.io/v1/EndpointSlice",
    "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding",
    "rbac.authorization.k8s.io/v1/ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "scheduling.k8s.io/v1/PriorityClass",
    "storage.k8s.io/v1/StorageClass",
    "storage.k8s.io/v1/CSIDriver",
    "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
    "apiextensions.k8s.io/v1/CustomResourceDefinition",
];

/// The chart's built-in profiles: `defaults`, `features-on` (when it
/// switches a value on or a template tests `.Capabilities.APIVersions`),
/// and one per `ci/*-values.yaml` (`ci/*.yaml` files that parse to a
/// mapping).
pub fn profiles(chart: &Chart) -> Vec<Profile> {
    let mut out = vec![Profile {
        name: "defaults".into(),
        overlay: empty_map(),
        api_versions: Vec::new(),
    }];
    let mut switched = 0;
    let overlay = chart_overlay(chart, &mut switched, 0);
    // A chart that tests `.Capabilities.APIVersions` has opt-in objects
    // even without a toggle: the add-on APIs alone show them.
    if (switched > 0 || tests_api_versions(chart))
        && let Some(o) = overlay
    {
        out.push(Profile {
            name: FEATURES_ON.into(),
            overlay: o,
            api_versions: OPTIONAL_API_VERSIONS
                .iter()
                .chain(SERVED_KINDS)
                .map(|a| a.to_string())
                .collect(),
        });
    }
    for f in &chart.files {
        let Some(rest) = f.name.strip_prefix("ci/") else {
            continue;
        };
        if rest.contains('/') || !(rest.ends_with("-values.yaml") || rest.ends_with("-values.yml"))
        {
            continue;
        }
        let parsed = yaml::parse_bytes(&f.data, &yaml::Limits::default());
        if let Some(doc) = parsed.documents.into_iter().next()
            && doc.root.as_map().is_some()
        {
            out.push(Profile {
                name: f.name.clone(),
                overlay: doc.root,
                api_versions: Vec::new(),
            });
        }
    }
    out
}

/// The `features-on` overlay of a chart: its own values' toggles, and each
/// subchart's under the key the parent gives it (its alias, or its name),
/// since a subchart's objects count as the chart's own. Settings the parent
/// writes for a subchart win over the subchart's own switched toggles.
/// Adds to `switched` how many values it sets.
fn chart_overlay(chart: &Chart, switched: &mut usize, depth: usize) -> Option<yaml::Node> {
    let mut opener = Opener {
        gates: value_gates(chart),
        switched: 0,
    };
    let mut overlay = opener.overlay(&chart.values, "", 0)?;
    *switched += opener.switched;
    if depth >= MAX_SUBCHART_DEPTH {
        return Some(overlay);
    }
    for sub in &chart.subcharts {
        let keys = sub_keys(chart, sub);
        let Some(sub_overlay) = chart_overlay(sub, switched, depth + 1) else {
            continue;
        };
        if sub_overlay.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        if let yaml::Value::Map(top) = &mut overlay.value {
            for key in keys {
                merge_under(top, key, &sub_overlay);
            }
        }
    }
    Some(overlay)
}

/// How deep under the chart the profile walks its subcharts (the
/// features-on overlay, the chart a failing template belongs to, the values
/// a subchart sets on): a bound on a malformed tree, far beyond real ones.
const MAX_SUBCHART_DEPTH: usize = 8;

/// Lays `sub` under `key` of `map`, keeping what `map` already sets there.
fn merge_under(map: &mut yaml::Mapping, key: &str, sub: &yaml::Node) {
    match map.entries.get_mut(key) {
        None => {
            map.entries.insert(key.to_owned(), (sub.pos, sub.clone()));
        }
        Some((_, existing)) => {
            if let (yaml::Value::Map(have), Some(add)) = (&mut existing.value, sub.as_map()) {
                for (k, v) in add.iter() {
                    if v.as_map().is_some() {
                        merge_under(have, k, v);
                    } else if !have.entries.contains_key(k) {
                        have.entries.insert(k.to_owned(), (v.pos, v.clone()));
                    }
                }
            }
        }
    }
}

/// Toggles `features-on` leaves off because switching them on takes
/// capability away or swaps in-chart components for outside ones:
/// Bitnami's `diagnosticMode` replaces the command with `sleep` and strips
/// every probe; `debug` modes do alike; `external*` (externalDatabase,
/// externalRedis …) drops the bundled component for one outside the chart.
fn degrading_toggle(parent: &str) -> bool {
    let p = parent.to_ascii_lowercase();
    matches!(
        p.as_str(),
        "diagnosticmode" | "diagnostic" | "debug" | "debugmode"
    ) || p.starts_with("external")
}

/// Keys under which charts keep a PodDisruptionBudget's spec, some
/// rendering one only when the value is set (`{{- if .Values.podDisruptionBudget }}`
/// over a default of `{}`): a gate no `enabled` toggle opens.
fn is_pdb_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("podDisruptionBudget") || key.eq_ignore_ascii_case("pdb")
}

/// A null, `""` or empty mapping value: a setting left unset.
fn unset(node: &yaml::Node) -> bool {
    match &node.value {
        yaml::Value::Null => true,
        yaml::Value::String(s) => s.is_empty(),
        yaml::Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// The values paths templates test directly as a condition
/// (`{{- if .Values.a.b }}`, `{{ with $.Values.a.b }}`, or the first
/// operand of an `and`/`or` there). Only a value gated this way is given a
/// value it does not have: set elsewhere (`coalesce .Values.pdb
/// .Values.master.pdb` in Bitnami charts) an empty map may mean "use the
/// other one", and filling it would hide an object instead of showing one.
fn value_gates(chart: &Chart) -> BTreeSet<String> {
    static GATE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(gate) = crate::lazy_regex::cached(
        &GATE,
        r"\{\{-?\s*(?:if|with)\s+(?:(?:and|or)\s+)?\(?\s*\$?\.Values\.([A-Za-z0-9_.]+)\s*[\s)]",
    ) else {
        return BTreeSet::new();
    };
    chart
        .templates
        .iter()
        .flat_map(|t| {
            gate.captures_iter(&t.text())
                .filter_map(|c| Some(c.get(1)?.as_str().trim_end_matches('.').to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether a template of the chart or of a subchart tests which APIs the
/// cluster serves.
fn tests_api_versions(chart: &Chart) -> bool {
    chart
        .templates
        .iter()
        .any(|t| t.data.windows(12).any(|w| w == b"APIVersions."))
        || chart.subcharts.iter().any(tests_api_versions)
}

/// `maxUnavailable: 1` (or the gated field set to 1): a budget valid for
/// any replica count that never blocks a drain of a single replica (unlike
/// `minAvailable: 1`) and never contradicts an HPA's `minReplicas`.
fn one(pos: yaml::Pos) -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Int(1),
        pos,
    }
}

/// What the `features-on` overlay must open, read once per chart.
struct Opener {
    /// Values paths templates test as a condition ([`value_gates`]).
    gates: BTreeSet<String>,
    /// How many values the overlay sets.
    switched: usize,
}

impl Opener {
    /// The overlay turning every opt-in feature on under `node` (at the
    /// dotted values `path`), keeping the positions of the keys it sets
    /// (they point at values.yaml): every `enabled`/`create: false`
    /// switched to true; a PodDisruptionBudget value a template gates on
    /// but left unset (`podDisruptionBudget: {}`, `pdb.minAvailable: ""`)
    /// given a budget of 1.
    fn overlay(&mut self, node: &yaml::Node, path: &str, depth: usize) -> Option<yaml::Node> {
        let map = node.as_map()?;
        if depth > 64 {
            return None;
        }
        let parent = path.rsplit('.').next().unwrap_or(path);
        let parent_is_pdb = is_pdb_key(parent);
        // A budget takes one of minAvailable / maxUnavailable (the API
        // rejects both): set one only when neither is set, maxUnavailable
        // when it is a gate, else minAvailable.
        let budget_field = if parent_is_pdb {
            let field_set = |f: &str| map.get(f).is_some_and(|v| !unset(v));
            let gated = |f: &str| {
                map.get(f).is_some_and(unset) && self.gates.contains(&format!("{path}.{f}"))
            };
            if field_set("minAvailable") || field_set("maxUnavailable") {
                None
            } else if gated("maxUnavailable") {
                Some("maxUnavailable")
            } else if gated("minAvailable") {
                Some("minAvailable")
            } else {
                None
            }
        } else {
            None
        };
        let mut out = yaml::Mapping::default();
        for (k, v) in map.iter() {
            let pos = map.key_pos(k).unwrap_or_default();
            let here = if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            };
            let gated_unset = unset(v) && self.gates.contains(&here);
            if (k == "enabled" || k == "create")
                && v.as_bool() == Some(false)
                && !degrading_toggle(parent)
            {
                self.switched += 1;
                out.entries.insert(
                    k.to_owned(),
                    (
                        pos,
                        yaml::Node {
                            value: yaml::Value::Bool(true),
                            pos: v.pos,
                        },
                    ),
                );
            } else if gated_unset && is_pdb_key(k) {
                self.switched += 1;
                let mut budget = yaml::Mapping::default();
                budget
                    .entries
                    .insert("maxUnavailable".to_owned(), (v.pos, one(v.pos)));
                let budget = yaml::Node {
                    value: yaml::Value::Map(budget),
                    pos: v.pos,
                };
                out.entries.insert(k.to_owned(), (pos, budget));
            } else if gated_unset && budget_field == Some(k) {
                self.switched += 1;
                out.entries.insert(k.to_owned(), (pos, one(v.pos)));
            } else if let Some(sub) = self.overlay(v, &here, depth + 1)
                && sub.as_map().is_some_and(|m| !m.is_empty())
            {
                out.entries.insert(k.to_owned(), (pos, sub));
            }
        }
        Some(yaml::Node {
            value: yaml::Value::Map(out),
            pos: node.pos,
        })
    }
}

/// Renders a chart under a profile: the profile's overlay goes before the
/// user's own `-f` files (which still win), `--set` last.
///
/// Under `features-on`, a toggle switched on that takes a template into a
/// failure is switched back off and the chart rendered again (see
/// [`settle_features_on`]); each toggle left off is a warning in the
/// rendering's diagnostics, at the template line that failed.
pub fn render_profile(chart: &Chart, profile: &Profile, options: &RenderOptions) -> Rendered {
    if profile.name == FEATURES_ON {
        return settle_features_on(chart, profile, options);
    }
    render_overlay(chart, &profile.overlay, &profile.api_versions, options)
}

/// [`render_profile`] with this overlay.
fn render_overlay(
    chart: &Chart,
    overlay: &yaml::Node,
    api_versions: &[String],
    options: &RenderOptions,
) -> Rendered {
    let mut opts = options.clone();
    opts.value_files.insert(0, overlay.clone());
    opts.api_versions = api_versions
        .iter()
        .chain(&options.api_versions)
        .cloned()
        .collect();
    render(chart, &opts)
}

/// Most renders of a chart [`settle_features_on`] adds to the first. Each
/// round leaves at least one more toggle off, so it ends anyway; the bound
/// caps the cost (a render per round) on a chart whose toggles fail in a
/// chain: a condition that needs two toggles off (`or`) takes two rounds,
/// a `required` met only once an outer failure is gone one more. The charts
/// of the wide corpus settle in two.
const MAX_SETTLE_ROUNDS: usize = 4;

/// The `features-on` rendering, settled: switching every toggle on also
/// switches on features that cannot render without inputs only a user
/// supplies (TLS without certificates): the chart's `required`/`fail`
/// checks stop those templates, and with them objects the toggles did not
/// add (the database StatefulSet of a chart with `tls.enabled`). So when a
/// template fails to execute, a toggle this profile switched on that the
/// innermost block around the failing point tests is switched back off,
/// and the chart is rendered again ([`toggles_to_leave_off`] says which).
///
/// Only the failing template's own blocks count, not those of the helpers
/// it `include`s: Helm places a helper's failure at the template's call,
/// so the template's blocks already say which switch led there, while a
/// helper is shared by many templates and reads many switches (Bitnami's
/// `validateValues` reads every feature's): following it would switch off
/// features that render. A toggle the user sets, or the chart's own values
/// set on, is never touched (the failure is theirs). Parse errors do not
/// depend on values and are left alone.
fn settle_features_on(chart: &Chart, profile: &Profile, options: &RenderOptions) -> Rendered {
    let mut overlay = profile.overlay.clone();
    let mut notes: Vec<HelmDiagnostic> = Vec::new();
    let mut rendered = settle_failures(chart, &mut overlay, profile, options, &mut notes);
    let defaults = render_overlay(chart, &empty_map(), &[], options);
    let lost = lost_workloads(&defaults, &rendered);
    if !lost.is_empty() {
        let before = notes.len();
        let failures = std::mem::take(&mut rendered.failures);
        keep_default_workloads(
            chart,
            &mut overlay,
            profile,
            options,
            &lost,
            &failures,
            &mut notes,
        );
        rendered.failures = failures;
        if notes.len() > before {
            rendered = settle_failures(chart, &mut overlay, profile, options, &mut notes);
        }
    }
    leave_empty_list_modes_off(
        chart,
        &mut overlay,
        profile,
        options,
        &mut rendered,
        &mut notes,
    );
    rendered.diagnostics.extend(notes);
    rendered
}

/// Most renders [`leave_empty_list_modes_off`] spends, one per candidate.
const MAX_EMPTY_LIST_RENDERS: usize = 8;

/// Switches back off a toggle whose feature is one entry per item of a list
/// only a user can fill, which the chart leaves empty:
/// `serviceMonitor.multipleTarget: {enabled: false, targets: []}`, its
/// block `{{- if .Values.serviceMonitor.multipleTarget.enabled }}{{- range
/// .Values.serviceMonitor.multipleTarget.targets }}` writing an endpoint per
/// target, and `{{- if not … }}` the single `/metrics` endpoint. Switched
/// on with its list empty it adds nothing and empties what the chart
/// renders without it (the ServiceMonitor's endpoints): a mode for inputs
/// the user gives, not a feature.
///
/// A candidate is a toggle `features-on` switched on (`P.enabled`) whose
/// section holds an empty list `P.L` that a block on the toggle begins by
/// ranging over (`if .Values.P.enabled` then, after at most one key,
/// `range .Values.P.L`). It is left off when the chart rendered without it
/// loses no object and has, in an object of the same kind and name, a
/// field the rendering with it leaves empty (null, `[]` or `{}`), and fails
/// no more templates. Each toggle left off is a warning at the emptied
/// object's template.
fn leave_empty_list_modes_off(
    chart: &Chart,
    overlay: &mut yaml::Node,
    profile: &Profile,
    options: &RenderOptions,
    rendered: &mut Rendered,
    notes: &mut Vec<HelmDiagnostic>,
) {
    let candidates = empty_list_modes(chart, overlay, options);
    for (toggle, list) in candidates.into_iter().take(MAX_EMPTY_LIST_RENDERS) {
        let segs: Vec<&str> = toggle.split('.').collect();
        let mut trial = overlay.clone();
        remove_at(&mut trial, &segs);
        let without = render_overlay(chart, &trial, &profile.api_versions, options);
        if without.failures.len() > rendered.failures.len() {
            continue;
        }
        // Each object with its rendering without the toggle; none when
        // the toggle's absence loses one.
        let Some(pairs) = rendered
            .docs
            .iter()
            .map(|d| {
                without
                    .docs
                    .iter()
                    .find(|w| w.kind == d.kind && w.name == d.name)
                    .map(|w| (d, w))
            })
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let Some((doc, field)) = pairs.iter().find_map(|(d, w)| {
            emptied_field(&doc_json(&d.text), &doc_json(&w.text), "", 0)
                .map(|field| ((*d).clone(), field))
        }) else {
            continue;
        };
        *overlay = trial;
        *rendered = without;
        notes.push(HelmDiagnostic {
            severity: Severity::Warning,
            file: template_file(chart, &doc.template),
            line: Some(doc.line),
            message: format!(
                "the {FEATURES_ON} profile leaves `{toggle}` off: its block writes an entry per item of `{list}`, empty in the chart's values, and with it on the {} `{}` renders `{field}` empty: a mode for a list only a user can give, not an opt-in feature",
                doc.kind, doc.name
            ),
            code: crate::diag::Code::Chart,
        });
    }
}

/// The candidates of [`leave_empty_list_modes_off`]: each switched toggle
/// (root-relative) with the empty list (root-relative) its block ranges
/// over.
fn empty_list_modes(
    chart: &Chart,
    overlay: &yaml::Node,
    options: &RenderOptions,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for toggle in switched_toggles(chart, overlay, options) {
        let segs: Vec<&str> = toggle.split('.').collect();
        let Some((key, section)) = segs.split_last() else {
            continue;
        };
        // The chart the toggle belongs to: the deepest subchart its path
        // goes through.
        let mut owner = (chart, 0);
        for i in 1..section.len() {
            match chart_at(chart, &section[..i], 0) {
                Some(sub) => owner = (sub, i),
                None => break,
            }
        }
        let (owner, depth) = owner;
        let rel = section[depth..].join(".");
        let Some(map) = node_at(&owner.values, &section[depth..]).and_then(yaml::Node::as_map)
        else {
            continue;
        };
        for (list, value) in map.iter() {
            if value.as_seq().is_none_or(|items| !items.is_empty()) {
                continue;
            }
            let pattern = format!(
                r"\{{\{{-?\s*if\s+\$?\.Values\.{}\.{}\s*-?\}}\}}\s*(?:[A-Za-z0-9_-]+:\s*)?\{{\{{-?\s*range\s+(?:\$[A-Za-z0-9_]*\s*(?:,\s*\$[A-Za-z0-9_]*\s*)?:=\s*)?\$?\.Values\.{}\.{}\s*-?\}}\}}",
                regex::escape(&rel),
                regex::escape(key),
                regex::escape(&rel),
                regex::escape(list),
            );
            let Ok(re) = regex::Regex::new(&pattern) else {
                continue;
            };
            if owner.templates.iter().any(|t| re.is_match(&t.text())) {
                let mut full: Vec<&str> = section.to_vec();
                full.push(list);
                out.push((toggle.clone(), full.join(".")));
                break;
            }
        }
    }
    out
}

/// A rendered document as JSON (null when it does not parse).
fn doc_json(text: &str) -> serde_json::Value {
    yaml::parse_str(text, &yaml::Limits::default())
        .documents
        .into_iter()
        .next()
        .map(|d| d.root.to_json())
        .unwrap_or(serde_json::Value::Null)
}

/// The first field (dotted path) empty in `on` (null, `[]` or `{}`) that
/// `off` fills, looking through mappings.
fn emptied_field(
    on: &serde_json::Value,
    off: &serde_json::Value,
    path: &str,
    depth: usize,
) -> Option<String> {
    use serde_json::Value as J;
    let empty = |v: &J| match v {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(m) => m.is_empty(),
        _ => false,
    };
    if depth > 32 {
        return None;
    }
    if !path.is_empty() && empty(on) {
        return (!empty(off)).then(|| path.to_owned());
    }
    let (J::Object(on), J::Object(off)) = (on, off) else {
        return None;
    };
    on.iter().find_map(|(k, v)| {
        let sub = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        emptied_field(v, off.get(k)?, &sub, depth + 1)
    })
}

/// The failure-settling rounds of [`settle_features_on`]: renders under
/// `overlay`, switching back off the toggles that take a template into a
/// failure, until none does (or [`MAX_SETTLE_ROUNDS`]); a note per toggle
/// left off goes to `notes`.
fn settle_failures(
    chart: &Chart,
    overlay: &mut yaml::Node,
    profile: &Profile,
    options: &RenderOptions,
    notes: &mut Vec<HelmDiagnostic>,
) -> Rendered {
    let mut round = 0;
    loop {
        let rendered = render_overlay(chart, overlay, &profile.api_versions, options);
        let off = if round < MAX_SETTLE_ROUNDS {
            toggles_to_leave_off(chart, overlay, &rendered, options)
        } else {
            Vec::new()
        };
        if off.is_empty() {
            return rendered;
        }
        for (path, failure) in off {
            let segs: Vec<&str> = path.split('.').collect();
            remove_at(overlay, &segs);
            notes.push(HelmDiagnostic {
                severity: Severity::Warning,
                file: failure.file.clone(),
                line: failure.line,
                message: format!(
                    "the {FEATURES_ON} profile leaves `{path}` off: with it on, this template fails ({}); {}",
                    failure.message,
                    // Helm's words for the chart's own `fail`/`required`.
                    if failure.message.starts_with("execution error at (") {
                        "the chart asks for values only a user can give"
                    } else {
                        "the chart cannot render that feature without more values"
                    }
                ),
                code: crate::diag::Code::TemplateError,
            });
        }
        round += 1;
    }
}

/// Workload kinds whose loss [`keep_default_workloads`] undoes.
const WORKLOAD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];

/// The workloads (kind, name) of the `defaults` rendering that the
/// `features-on` rendering lacks, each with the document that rendered it
/// by default.
fn lost_workloads<'a>(defaults: &'a Rendered, features: &Rendered) -> Vec<&'a RenderedDoc> {
    defaults
        .docs
        .iter()
        .filter(|d| WORKLOAD_KINDS.contains(&d.kind.as_str()) && !d.name.is_empty())
        .filter(|d| {
            !features
                .docs
                .iter()
                .any(|f| f.kind == d.kind && f.name == d.name)
        })
        .collect()
}

/// Most renders [`keep_default_workloads`] spends looking for the toggles
/// that take default workloads away: a test per candidate toggle read in
/// the workload's template, then a halving search over the others.
const MAX_MODE_SWITCH_RENDERS: usize = 24;

/// Switches back off the toggles that take a workload of the chart's
/// default rendering away: `features-on` is the chart with its opt-in
/// features added, and a toggle that swaps the default architecture for
/// another (`daemonset.enabled` turning the Deployment into a DaemonSet,
/// `statefulSet.enabled`, a sentinel mode renaming the primary) is a mode
/// switch, not a feature: with it on, what the defaults install (and what
/// hangs on it: the Deployment's HPA and PDB) is never judged.
///
/// For each lost workload, the switched toggles its own template reads are
/// tried one at a time (fewest readers first); failing those (the switch is
/// read through a helper), a halving search over every switched toggle
/// finds one whose removal brings the workload back. A workload no single
/// toggle brings back is left lost. Each toggle left off is a warning at
/// the workload's template.
fn keep_default_workloads(
    chart: &Chart,
    overlay: &mut yaml::Node,
    profile: &Profile,
    options: &RenderOptions,
    lost: &[&RenderedDoc],
    failures: &[TemplateFailure],
    notes: &mut Vec<HelmDiagnostic>,
) {
    let mut renders = 0;
    let mut off: Vec<String> = Vec::new();
    for doc in lost {
        let mut switched = switched_toggles(chart, overlay, options);
        switched.retain(|t| !off.contains(t));
        if switched.is_empty() {
            break;
        }
        let restores = |without: &[String], renders: &mut usize| {
            *renders += 1;
            let mut trial = overlay.clone();
            for t in without {
                let segs: Vec<&str> = t.split('.').collect();
                remove_at(&mut trial, &segs);
            }
            let r = render_overlay(chart, &trial, &profile.api_versions, options);
            r.docs
                .iter()
                .any(|f| f.kind == doc.kind && f.name == doc.name)
        };
        let read_here = toggles_read_by(chart, &doc.template, &switched);
        let mut found = None;
        for t in &read_here {
            if renders >= MAX_MODE_SWITCH_RENDERS {
                break;
            }
            if restores(std::slice::from_ref(t), &mut renders) {
                found = Some(t.clone());
                break;
            }
        }
        if found.is_none() && renders < MAX_MODE_SWITCH_RENDERS {
            // Halving: keep the half whose removal brings the workload back.
            let mut pool = switched.clone();
            if restores(&pool, &mut renders) {
                while pool.len() > 1 && renders < MAX_MODE_SWITCH_RENDERS {
                    let (a, b) = pool.split_at(pool.len() / 2);
                    pool = if restores(a, &mut renders) {
                        a.to_vec()
                    } else if restores(b, &mut renders) {
                        b.to_vec()
                    } else {
                        break;
                    };
                }
                if pool.len() == 1 {
                    found = pool.pop();
                }
            }
        }
        let Some(toggle) = found else {
            continue;
        };
        let segs: Vec<&str> = toggle.split('.').collect();
        remove_at(overlay, &segs);
        let file = template_file(chart, &doc.template);
        // The workload's template failed (in a helper it includes, which
        // the failure rounds do not follow), or a mode took it away.
        let (why, code) = match failures.iter().find(|f| f.file == file) {
            Some(f) => (
                format!(
                    "its template fails ({}): the chart cannot render that feature without values only a user can give",
                    f.message
                ),
                crate::diag::Code::TemplateError,
            ),
            None => (
                "it is not rendered: a switch of mode, not an opt-in feature".to_string(),
                crate::diag::Code::Chart,
            ),
        };
        notes.push(HelmDiagnostic {
            severity: Severity::Warning,
            file,
            line: Some(doc.line),
            message: format!(
                "the {FEATURES_ON} profile leaves `{toggle}` off: with it on, the {} `{}` the chart installs by default is lost, {why}",
                doc.kind, doc.name
            ),
            code,
        });
        off.push(toggle);
    }
}

/// The toggles (root-relative dotted paths of `enabled`/`create` keys) the
/// `features-on` overlay switches on: set true in it, off in the chart's
/// own values, not set by the user.
fn switched_toggles(chart: &Chart, overlay: &yaml::Node, options: &RenderOptions) -> Vec<String> {
    fn walk(node: &yaml::Node, path: &mut Vec<String>, out: &mut Vec<String>, depth: usize) {
        let Some(map) = node.as_map() else {
            return;
        };
        if depth > 64 {
            return;
        }
        for (k, v) in map.iter() {
            path.push(k.to_owned());
            if (k == "enabled" || k == "create") && v.as_bool() == Some(true) {
                out.push(path.join("."));
            } else {
                walk(v, path, out, depth + 1);
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(overlay, &mut Vec::new(), &mut out, 0);
    out.retain(|t| {
        let segs: Vec<&str> = t.split('.').collect();
        !default_on(chart, &segs, 0) && !user_sets(options, &segs)
    });
    out
}

/// The chart (root or subchart) a rendered template belongs to, with the
/// values keys from the root to it, and the template's own file name
/// (`templates/x.yaml`): Helm names a template `<root>/charts/<key>/…`,
/// the key being a subchart's alias or its name.
fn template_owner<'a>(
    chart: &'a Chart,
    template: &str,
) -> Option<(&'a Chart, Vec<String>, String)> {
    let rest = template.strip_prefix(chart.name())?.strip_prefix('/')?;
    fn find<'a>(
        chart: &'a Chart,
        rest: &str,
        key: Vec<String>,
        depth: usize,
    ) -> Option<(&'a Chart, Vec<String>, String)> {
        if let Some(sub_rest) = rest.strip_prefix("charts/")
            && depth < MAX_SUBCHART_DEPTH
        {
            for sub in &chart.subcharts {
                for k in sub_keys(chart, sub) {
                    if let Some(inner) = sub_rest.strip_prefix(k).and_then(|r| r.strip_prefix('/'))
                    {
                        let mut key = key.clone();
                        key.push(k.to_owned());
                        return find(sub, inner, key, depth + 1);
                    }
                }
            }
            return None;
        }
        Some((chart, key, rest.to_owned()))
    }
    find(chart, rest, Vec::new(), 0)
}

/// The file of a rendered template relative to the root chart, as
/// diagnostics name files: its chart's folder (`charts/sub/`, the folder
/// even when the parent aliases it) and the template's path in it.
fn template_file(chart: &Chart, template: &str) -> String {
    match template_owner(chart, template) {
        Some((owner, _, file)) => format!("{}{file}", owner.prefix),
        None => template.to_owned(),
    }
}

/// Of `toggles`, those the template itself reads (`.Values.<path>` in its
/// text, the path relative to the template's chart), fewest readers first.
fn toggles_read_by(chart: &Chart, template: &str, toggles: &[String]) -> Vec<String> {
    let Some((owner, key, file)) = template_owner(chart, template) else {
        return Vec::new();
    };
    let Some(text) = owner
        .templates
        .iter()
        .find(|t| t.name == file)
        .map(|t| t.text())
    else {
        return Vec::new();
    };
    let prefix: String = key.iter().map(|k| format!("{k}.")).collect();
    let mut found: Vec<(usize, String)> = toggles
        .iter()
        .filter_map(|t| {
            let rel = t.strip_prefix(&prefix)?;
            let needle = format!("Values.{rel}");
            text.match_indices(&needle)
                .any(|(i, _)| {
                    text[i + needle.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                })
                .then(|| (readers(owner, rel), t.clone()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, t)| t).collect()
}

/// The toggles (root-relative dotted paths) to switch back off after this
/// rendering, each with the failure that implicates it, in the order met:
/// for each failure of a manifest template, one toggle this profile
/// switched on that the condition of the innermost block around the
/// failing point reads.
///
/// The innermost block only: it is the one that asked for the missing input
/// (`{{- if .Values.tls.enabled }}` around the `required`); an outer block
/// reading a toggle is further from the cause (a StatefulSet's checksum
/// annotation including a Secret template that fails for a reason of its
/// own), and switching it off would lose what it holds for nothing. A
/// block around the whole template is left as it is: off, the template
/// writes nothing either, and the feature's other templates (which render)
/// would go too (gates nest: Bitnami wraps a gate in a NodePort check).
/// Of several toggles in one condition, the one most failures share, then
/// the one the fewest templates read, the narrowest feature
/// (`volumePermissions.enabled` rather than `persistence.enabled` in `and
/// .Values.volumePermissions.enabled .Values.persistence.enabled`); when one
/// is not enough (an `or`), the next round takes the next.
fn toggles_to_leave_off(
    chart: &Chart,
    overlay: &yaml::Node,
    rendered: &Rendered,
    options: &RenderOptions,
) -> Vec<(String, TemplateFailure)> {
    // Each failure's candidates: (root-relative path, templates reading it).
    let mut candidates: Vec<(&TemplateFailure, Vec<(String, usize)>)> = Vec::new();
    for failure in &rendered.failures {
        // A failing NOTES.txt loses no object.
        if failure.file.ends_with("NOTES.txt") || failure.conditions.len() <= failure.gates {
            continue;
        }
        let key: Vec<&str> = failure.values_key.iter().map(String::as_str).collect();
        let Some(owner) = chart_at(chart, &key, 0) else {
            continue;
        };
        let found: Vec<(String, usize)> = failure.conditions[0]
            .iter()
            .filter(|p| {
                p.rsplit('.')
                    .next()
                    .is_some_and(|k| k == "enabled" || k == "create")
            })
            .filter_map(|p| {
                let full = key
                    .iter()
                    .copied()
                    .chain(std::iter::once(p.as_str()))
                    .collect::<Vec<_>>()
                    .join(".");
                let segs: Vec<&str> = full.split('.').collect();
                let switched = node_at(overlay, &segs).and_then(yaml::Node::as_bool) == Some(true)
                    && !default_on(chart, &segs, 0)
                    && !user_sets(options, &segs);
                switched.then(|| (full, readers(owner, p)))
            })
            .collect();
        if !found.is_empty() {
            candidates.push((failure, found));
        }
    }
    // How many failures each toggle is a candidate of: a cause shared by
    // several failures (`volumePermissions.enabled` around two templates'
    // init containers) goes before one of a single template.
    let mut shared: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, found) in &candidates {
        for (path, _) in found {
            *shared.entry(path.as_str()).or_default() += 1;
        }
    }
    let mut out: Vec<(String, TemplateFailure)> = Vec::new();
    for (failure, found) in &candidates {
        // Most failures first, then fewest readers, then the last read.
        let pick = found
            .iter()
            .enumerate()
            .min_by_key(|(i, (path, readers))| {
                (
                    std::cmp::Reverse(shared.get(path.as_str()).copied().unwrap_or(0)),
                    *readers,
                    std::cmp::Reverse(*i),
                )
            })
            .map(|(_, (path, _))| path.clone());
        if let Some(path) = pick
            && !out.iter().any(|(p, _)| *p == path)
        {
            out.push((path, (*failure).clone()));
        }
    }
    out
}

/// The chart at `key` under `chart` (its subcharts by the keys the parent
/// gives them).
fn chart_at<'a>(chart: &'a Chart, key: &[&str], depth: usize) -> Option<&'a Chart> {
    let Some((first, rest)) = key.split_first() else {
        return Some(chart);
    };
    if depth > MAX_SUBCHART_DEPTH {
        return None;
    }
    chart
        .subcharts
        .iter()
        .find(|sub| sub_keys(chart, sub).contains(first))
        .and_then(|sub| chart_at(sub, rest, depth + 1))
}

/// How many of the chart's templates read `.Values.<path>`.
fn readers(chart: &Chart, path: &str) -> usize {
    let needle = format!("Values.{path}");
    chart
        .templates
        .iter()
        .filter(|t| {
            let text = t.text();
            text.match_indices(&needle).any(|(i, _)| {
                text[i + needle.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            })
        })
        .count()
}

/// The node at `segs` under `node`.
fn node_at<'a>(node: &'a yaml::Node, segs: &[&str]) -> Option<&'a yaml::Node> {
    segs.iter().try_fold(node, |n, s| n.get(s))
}

/// Removes the entry at `segs` from `node`'s mappings.
fn remove_at(node: &mut yaml::Node, segs: &[&str]) {
    let yaml::Value::Map(map) = &mut node.value else {
        return;
    };
    match segs {
        [] => {}
        [last] => {
            map.entries.shift_remove(*last);
        }
        [first, rest @ ..] => {
            if let Some((_, child)) = map.entries.get_mut(*first) {
                remove_at(child, rest);
            }
        }
    }
}

/// The keys a parent's values give a subchart: its aliases, or its name.
fn sub_keys<'a>(chart: &'a Chart, sub: &'a Chart) -> Vec<&'a str> {
    let aliases: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| d.name == sub.name() && !d.alias.is_empty())
        .map(|d| d.alias.as_str())
        .collect();
    if aliases.is_empty() {
        vec![sub.name()]
    } else {
        aliases
    }
}

/// Whether the chart's own values set the value at `segs` (root-relative)
/// to something other than `false`: the outermost chart that sets it wins,
/// as a parent's values win over its subchart's.
fn default_on(chart: &Chart, segs: &[&str], depth: usize) -> bool {
    if let Some(v) = node_at(&chart.values, segs) {
        return v.as_bool() != Some(false);
    }
    let Some((first, rest)) = segs.split_first() else {
        return false;
    };
    depth < MAX_SUBCHART_DEPTH
        && chart
            .subcharts
            .iter()
            .filter(|sub| sub_keys(chart, sub).contains(first))
            .any(|sub| default_on(sub, rest, depth + 1))
}

/// Whether the user's values set the value at `segs`: a `-f` file, or a
/// `--set` family key naming it or a value holding it (`--set-json a={…}`).
fn user_sets(options: &RenderOptions, segs: &[&str]) -> bool {
    if options
        .value_files
        .iter()
        .any(|f| node_at(f, segs).is_some())
    {
        return true;
    }
    let path = segs.join(".");
    let mut keys = options
        .set
        .iter()
        .chain(&options.set_string)
        .chain(&options.set_json)
        .chain(&options.set_file)
        .flat_map(|e| e.split(','))
        .chain(options.set_literal.iter().map(String::as_str))
        .filter_map(|e| e.split_once('=').map(|(k, _)| k.trim()));
    keys.any(|k| k == path || path.starts_with(&format!("{k}.")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::chart::{ChartLimits, load_chart};

    /// A chart folder with the given files, loaded.
    fn chart(files: &[(&str, &str)]) -> (tempfile::TempDir, Chart) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut all = vec![("Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n")];
        all.extend_from_slice(files);
        for (name, text) in all {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let chart = load_chart(dir.path(), &ChartLimits::default());
        (dir, chart)
    }

    fn kinds(chart: &Chart, profile: &Profile, options: &RenderOptions) -> Vec<String> {
        render_profile(chart, profile, options)
            .docs
            .iter()
            .map(|d| d.kind.clone())
            .collect()
    }

    const PDB: &str = "{{- if .Values.podDisruptionBudget }}\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n  {{- toYaml .Values.podDisruptionBudget | nindent 2 }}\n{{- end }}\n";

    #[test]
    fn an_unset_pdb_a_template_gates_on_gets_a_budget() {
        let (_dir, chart) = chart(&[
            ("values.yaml", "replicaCount: 1\npodDisruptionBudget: {}\n"),
            ("templates/pdb.yaml", PDB),
        ]);
        let ps = profiles(&chart);
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["defaults", FEATURES_ON]);
        let budget = ps[1]
            .overlay
            .path("podDisruptionBudget.maxUnavailable")
            .expect("a budget");
        assert_eq!(budget.value, yaml::Value::Int(1));
        // Positions stay in values.yaml, at the value that was unset.
        assert_eq!(budget.pos.line, 2);
        let options = RenderOptions::default();
        assert!(kinds(&chart, &ps[0], &options).is_empty());
        assert_eq!(kinds(&chart, &ps[1], &options), ["PodDisruptionBudget"]);
        let text = &render_profile(&chart, &ps[1], &options).docs[0].text;
        assert!(text.contains("maxUnavailable: 1"), "{text}");
    }

    #[test]
    fn a_pdb_value_read_otherwise_is_left_alone() {
        // Bitnami's `coalesce .Values.pdb .Values.master.pdb`: filling the
        // empty `pdb` would replace `master.pdb` and hide the budget.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "pdb: {}\nmaster:\n  pdb:\n    create: true\n    minAvailable: \"\"\n    maxUnavailable: \"\"\n",
            ),
            (
                "templates/pdb.yaml",
                "{{- $pdb := coalesce .Values.pdb .Values.master.pdb }}\n{{- if $pdb.create }}\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["defaults"]);
        assert_eq!(
            kinds(&chart, &ps[0], &RenderOptions::default()),
            ["PodDisruptionBudget"]
        );
    }

    #[test]
    fn a_gated_pdb_field_is_set() {
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "pdb:\n  minAvailable: \"\"\n  maxUnavailable: null\n",
            ),
            (
                "templates/pdb.yaml",
                "{{- if .Values.pdb.minAvailable }}\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n  minAvailable: {{ .Values.pdb.minAvailable }}\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        assert_eq!(ps.len(), 2);
        assert_eq!(
            ps[1].overlay.path("pdb.minAvailable").map(|n| &n.value),
            Some(&yaml::Value::Int(1))
        );
        // Only the gated field: the other stays as the chart has it.
        assert!(ps[1].overlay.path("pdb.maxUnavailable").is_none());
        assert_eq!(
            kinds(&chart, &ps[1], &RenderOptions::default()),
            ["PodDisruptionBudget"]
        );
    }

    #[test]
    fn a_budget_gets_one_field_only() {
        // Both fields gated and unset: the API rejects a PDB with both.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "pdb:\n  create: false\n  minAvailable: \"\"\n  maxUnavailable: \"\"\n",
            ),
            (
                "templates/pdb.yaml",
                "{{- if .Values.pdb.create }}\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n  {{- if .Values.pdb.minAvailable }}\n  minAvailable: {{ .Values.pdb.minAvailable }}\n  {{- end }}\n  {{- if or .Values.pdb.maxUnavailable (not .Values.pdb.minAvailable) }}\n  maxUnavailable: {{ .Values.pdb.maxUnavailable | default 1 }}\n  {{- end }}\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        assert_eq!(ps.len(), 2);
        assert!(ps[1].overlay.path("pdb.minAvailable").is_none());
        let text = &render_profile(&chart, &ps[1], &RenderOptions::default()).docs[0].text;
        assert!(text.contains("maxUnavailable: 1"), "{text}");
        assert!(!text.contains("minAvailable"), "{text}");
    }

    #[test]
    fn toggles_that_take_capability_away_stay_off() {
        let (_dir, chart) = chart(&[(
            "values.yaml",
            "diagnosticMode:\n  enabled: false\nexternalDatabase:\n  enabled: false\nmetrics:\n  enabled: false\n",
        )]);
        let ps = profiles(&chart);
        let on = &ps[1].overlay;
        assert!(on.path("diagnosticMode.enabled").is_none());
        assert!(on.path("externalDatabase.enabled").is_none());
        assert_eq!(
            on.path("metrics.enabled").map(|n| &n.value),
            Some(&yaml::Value::Bool(true))
        );
    }

    #[test]
    fn subcharts_toggles_are_switched_on_under_their_name() {
        let (_dir, chart) = chart(&[
            ("values.yaml", "db:\n  enabled: true\n"),
            (
                "charts/postgresql/Chart.yaml",
                "apiVersion: v2\nname: postgresql\nversion: 1.0.0\n",
            ),
            (
                "charts/postgresql/values.yaml",
                "backup:\n  enabled: false\nmetrics:\n  enabled: false\n",
            ),
            (
                "charts/postgresql/templates/cron.yaml",
                "{{- if .Values.backup.enabled }}\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: backup\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["defaults", FEATURES_ON]);
        assert_eq!(
            ps[1]
                .overlay
                .path("postgresql.backup.enabled")
                .map(|n| &n.value),
            Some(&yaml::Value::Bool(true))
        );
        let options = RenderOptions::default();
        assert!(kinds(&chart, &ps[0], &options).is_empty());
        assert_eq!(kinds(&chart, &ps[1], &options), ["CronJob"]);
    }

    #[test]
    fn an_api_test_alone_makes_a_features_on_profile() {
        let (_dir, chart) = chart(&[
            ("values.yaml", "replicaCount: 1\n"),
            (
                "templates/vpa.yaml",
                "{{- if .Capabilities.APIVersions.Has \"autoscaling.k8s.io/v1\" }}\nkind: VerticalPodAutoscaler\nmetadata:\n  name: p\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["defaults", FEATURES_ON]);
        let options = RenderOptions::default();
        assert!(kinds(&chart, &ps[0], &options).is_empty());
        assert_eq!(kinds(&chart, &ps[1], &options), ["VerticalPodAutoscaler"]);
    }

    #[test]
    fn features_on_serves_the_add_on_apis_and_keeps_the_users() {
        let (_dir, chart) = chart(&[
            ("values.yaml", "sm:\n  enabled: false\n"),
            (
                "templates/sm.yaml",
                "{{- if and .Values.sm.enabled (.Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\") }}\nkind: ServiceMonitor\nmetadata:\n  name: p\n{{- end }}\n",
            ),
            (
                "templates/cm.yaml",
                "{{- if .Capabilities.APIVersions.Has \"example.com/v1\" }}\nkind: ConfigMap\nmetadata:\n  name: p\n{{- end }}\n",
            ),
        ]);
        let ps = profiles(&chart);
        let user = RenderOptions {
            api_versions: vec!["example.com/v1".into()],
            ..RenderOptions::default()
        };
        assert_eq!(kinds(&chart, &ps[0], &user), ["ConfigMap"]);
        let mut on = kinds(&chart, &ps[1], &user);
        on.sort();
        assert_eq!(on, ["ConfigMap", "ServiceMonitor"]);
        // The defaults never assume an add-on API.
        let defaults_on = Profile {
            api_versions: Vec::new(),
            ..ps[1].clone()
        };
        assert_eq!(
            kinds(&chart, &defaults_on, &RenderOptions::default()),
            Vec::<String>::new()
        );
    }

    /// A database subchart whose `tls.enabled` needs a certificate secret
    /// only a user can name: the StatefulSet `required`s it inside its TLS
    /// block, the backup CronJob through a helper called in its TLS block.
    const DB_CHART: &[(&str, &str)] = &[
        ("values.yaml", "db:\n  enabled: true\n"),
        (
            "charts/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 1.0.0\n",
        ),
        (
            "charts/db/values.yaml",
            "tls:\n  enabled: false\n  certificatesSecret: \"\"\nbackup:\n  enabled: false\nmetrics:\n  enabled: false\n",
        ),
        (
            "charts/db/templates/_helpers.tpl",
            "{{- define \"db.tlsSecret\" -}}\n{{- required \"A secret containing TLS certificates is required when TLS is enabled\" .Values.tls.certificatesSecret -}}\n{{- end -}}\n",
        ),
        (
            "charts/db/templates/statefulset.yaml",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          {{- if .Values.tls.enabled }}\n          env:\n            - name: CERT\n              value: {{ required \"Certificate Key filename is required when TLS in enabled\" .Values.tls.certKeyFilename }}\n          {{- end }}\n",
        ),
        (
            "charts/db/templates/backup.yaml",
            "{{- if .Values.backup.enabled }}\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: db-backup\nspec:\n  schedule: \"@daily\"\n  volumes:\n  {{- if .Values.tls.enabled }}\n    - name: certs\n      secretName: {{ include \"db.tlsSecret\" . }}\n  {{- end }}\n{{- end }}\n",
        ),
        (
            "charts/db/templates/metrics.yaml",
            "{{- if .Values.metrics.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: db-metrics\n{{- end }}\n",
        ),
    ];

    fn sorted_kinds(rendered: &Rendered) -> Vec<String> {
        let mut k: Vec<String> = rendered.docs.iter().map(|d| d.kind.clone()).collect();
        k.sort();
        k
    }

    /// The chart rendered under `features-on` with no user input.
    fn features_on(chart: &Chart) -> Rendered {
        render_profile(chart, &profiles(chart)[1], &RenderOptions::default())
    }

    /// The warnings that say `features-on` left a toggle off.
    fn left_off(rendered: &Rendered) -> Vec<&HelmDiagnostic> {
        rendered
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("leaves"))
            .collect()
    }

    const MODE_VALUES: &str = "daemonset:\n  enabled: false\nautoscaling:\n  enabled: false\nmetrics:\n  enabled: false\n";
    const MODE_DAEMONSET: &str = "{{- if .Values.daemonset.enabled }}\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: p\n{{- end }}\n";
    const MODE_HPA: &str = "{{- if and .Values.autoscaling.enabled (not .Values.daemonset.enabled) }}\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: p\n{{- end }}\n";
    const MODE_METRICS: &str = "{{- if .Values.metrics.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: p-metrics\n{{- end }}\n";

    #[test]
    fn a_toggle_that_swaps_the_default_workload_away_is_left_off() {
        // fluent-bit's `daemonset.enabled`: on, the Deployment (and the HPA
        // that hangs on it) go; a mode, not a feature.
        let (_dir, chart) = chart(&[
            ("values.yaml", MODE_VALUES),
            (
                "templates/deployment.yaml",
                "{{- if not .Values.daemonset.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p\n{{- end }}\n",
            ),
            ("templates/daemonset.yaml", MODE_DAEMONSET),
            ("templates/hpa.yaml", MODE_HPA),
            ("templates/metrics.yaml", MODE_METRICS),
        ]);
        let on = features_on(&chart);
        let (kinds, note) = kinds_and_the_note(&on, &["`daemonset.enabled`", "Deployment `p`"]);
        assert_eq!(kinds, ["Service", "Deployment", "HorizontalPodAutoscaler"]);
        assert_eq!(note.file, "templates/deployment.yaml");
    }

    const MULTI_TARGET_MONITOR: &str = "{{- if .Values.serviceMonitor.enabled }}\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: p\nspec:\n  endpoints:\n  {{- if .Values.serviceMonitor.multipleTarget.enabled }}\n  {{- range .Values.serviceMonitor.multipleTarget.targets }}\n    - path: /probe\n      params:\n        target: [{{ .endpoint }}]\n  {{- end }}\n  {{- end }}\n  {{- if not .Values.serviceMonitor.multipleTarget.enabled }}\n    - path: /metrics\n      port: http\n  {{- end }}\n{{- end }}\n";

    #[test]
    fn a_toggle_ranging_over_an_empty_list_does_not_empty_what_the_chart_renders() {
        // prometheus-mysql-exporter: `multipleTarget.enabled` writes an
        // endpoint per target, and the targets are the user's to give; on
        // with none, the ServiceMonitor had no endpoint at all.
        let (_dir, empty) = chart(&[
            (
                "values.yaml",
                "serviceMonitor:\n  enabled: false\n  multipleTarget:\n    enabled: false\n    targets: []\n",
            ),
            ("templates/servicemonitor.yaml", MULTI_TARGET_MONITOR),
        ]);
        let on = features_on(&empty);
        let monitor = on
            .docs
            .iter()
            .find(|d| d.kind == "ServiceMonitor")
            .expect("the monitor renders");
        assert!(monitor.text.contains("path: /metrics"), "{}", monitor.text);
        let notes = left_off(&on);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0]
                .message
                .contains("`serviceMonitor.multipleTarget.enabled`")
                && notes[0].message.contains("`spec.endpoints` empty"),
            "{}",
            notes[0].message
        );
        assert_eq!(notes[0].file, "templates/servicemonitor.yaml");
        // With targets given, the mode is the chart's to judge: left on.
        let (_dir2, given) = chart(&[
            (
                "values.yaml",
                "serviceMonitor:\n  enabled: false\n  multipleTarget:\n    enabled: false\n    targets: [{endpoint: db1}]\n",
            ),
            ("templates/servicemonitor.yaml", MULTI_TARGET_MONITOR),
        ]);
        let on = features_on(&given);
        assert!(left_off(&on).is_empty());
        assert!(on.docs.iter().any(|d| d.text.contains("path: /probe")));
    }

    #[test]
    fn a_mode_switch_read_through_a_helper_is_found() {
        // The Deployment's template reads no toggle itself: a helper does.
        let (_dir, chart) = chart(&[
            ("values.yaml", MODE_VALUES),
            (
                "templates/_helpers.tpl",
                "{{- define \"p.kind\" -}}{{ if .Values.daemonset.enabled }}DaemonSet{{ else }}Deployment{{ end }}{{- end -}}\n",
            ),
            (
                "templates/deployment.yaml",
                "{{- if eq (include \"p.kind\" .) \"Deployment\" }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p\n{{- end }}\n",
            ),
            ("templates/daemonset.yaml", MODE_DAEMONSET),
            ("templates/metrics.yaml", MODE_METRICS),
        ]);
        let on = features_on(&chart);
        let (kinds, _) = kinds_and_the_note(&on, &["`daemonset.enabled`"]);
        assert_eq!(kinds, ["Service", "Deployment"]);
    }

    #[test]
    fn a_toggle_whose_helper_fails_the_default_workload_is_left_off() {
        // Bitnami's TLS: the certificate check sits in a helper the
        // StatefulSet includes, so the failure rounds (which read the
        // template's own blocks) do not find the toggle; the lost default
        // workload does.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "tls:\n  enabled: false\n  certFilename: \"\"\nmetrics:\n  enabled: false\n",
            ),
            (
                "templates/_helpers.tpl",
                "{{- define \"p.tls\" -}}{{- if .Values.tls.enabled }}{{ required \"Certificate filename is required\" .Values.tls.certFilename }}{{- end }}{{- end -}}\n",
            ),
            (
                "templates/statefulset.yaml",
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: p\n  annotations:\n    cert: {{ include \"p.tls\" . | quote }}\n",
            ),
            ("templates/metrics.yaml", MODE_METRICS),
        ]);
        let on = features_on(&chart);
        let (kinds, note) = kinds_and_the_note(&on, &["`tls.enabled`", "its template fails"]);
        assert_eq!(kinds, ["Service", "StatefulSet"]);
        assert_eq!(note.code, crate::diag::Code::TemplateError);
    }

    #[test]
    fn features_on_serves_builtin_kinds_as_a_cluster_does() {
        // prometheus-pingmesh-exporter: guarded on the kind spelling, the
        // chart falls back to policy/v1beta1 under `helm template`'s set.
        let (_dir, chart) = chart(&[
            ("values.yaml", "pdb:\n  enabled: false\n"),
            (
                "templates/pdb.yaml",
                "{{- if .Values.pdb.enabled }}\n{{- if .Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\" }}\napiVersion: policy/v1\n{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n{{- end }}\n",
            ),
        ]);
        let on = features_on(&chart);
        assert_eq!(on.docs.len(), 1);
        assert!(
            on.docs[0].text.starts_with("apiVersion: policy/v1\n"),
            "{}",
            on.docs[0].text
        );
        // The defaults keep `helm template`'s answer.
        let defaults = render_profile(
            &chart,
            &profiles(&chart)[0],
            &RenderOptions {
                set: vec!["pdb.enabled=true".into()],
                ..RenderOptions::default()
            },
        );
        assert!(
            defaults.docs[0]
                .text
                .starts_with("apiVersion: policy/v1beta1\n"),
            "{}",
            defaults.docs[0].text
        );
    }

    #[test]
    fn a_feature_that_adds_workloads_stays_on() {
        // Nothing of the defaults goes: every toggle stays on, no note.
        let (_dir, chart) = chart(&[
            ("values.yaml", MODE_VALUES),
            (
                "templates/deployment.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p\n",
            ),
            ("templates/daemonset.yaml", MODE_DAEMONSET),
            ("templates/metrics.yaml", MODE_METRICS),
        ]);
        let on = features_on(&chart);
        let kinds: Vec<&str> = on.docs.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["Service", "DaemonSet", "Deployment"]);
        assert!(left_off(&on).is_empty());
    }

    /// The kinds features-on renders, and its one left-off warning, which
    /// must name each of `words`.
    fn kinds_and_the_note<'a>(
        on: &'a Rendered,
        words: &[&str],
    ) -> (Vec<&'a str>, &'a HelmDiagnostic) {
        let notes = left_off(on);
        assert_eq!(notes.len(), 1, "{notes:?}");
        for w in words {
            assert!(notes[0].message.contains(w), "{w}: {}", notes[0].message);
        }
        (on.docs.iter().map(|d| d.kind.as_str()).collect(), notes[0])
    }

    #[test]
    fn a_toggle_whose_template_cannot_render_is_left_off() {
        let (_dir, chart) = chart(DB_CHART);
        let ps = profiles(&chart);
        let on = &ps[1];
        assert_eq!(on.name, FEATURES_ON);
        // The profile switches TLS on; the rendering leaves it off.
        assert_eq!(
            on.overlay.path("db.tls.enabled").map(|n| &n.value),
            Some(&yaml::Value::Bool(true))
        );
        let rendered = render_profile(&chart, on, &RenderOptions::default());
        // The backup CronJob (its gate stays on), the StatefulSet, and the
        // metrics Service whose toggle renders.
        assert_eq!(
            sorted_kinds(&rendered),
            ["CronJob", "Service", "StatefulSet"]
        );
        assert!(rendered.failures.is_empty(), "{:?}", rendered.failures);
        assert!(
            rendered
                .diagnostics
                .iter()
                .all(|d| d.severity == Severity::Warning),
            "{:?}",
            rendered.diagnostics
        );
        let notes: Vec<String> = rendered
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}", d.file, d.line.unwrap_or(0), d.message))
            .collect();
        // Said once, at the first template that failed (in execution
        // order), with the chart's own words.
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("charts/db/templates/statefulset.yaml:13: the features-on profile leaves `db.tls.enabled` off"),
            "{notes:?}"
        );
        assert!(
            notes[0].contains("Certificate Key filename is required"),
            "{notes:?}"
        );
        // The defaults profile is not touched.
        let defaults = render_profile(&chart, &ps[0], &RenderOptions::default());
        assert_eq!(sorted_kinds(&defaults), ["StatefulSet"]);
        assert!(
            defaults.diagnostics.is_empty(),
            "{:?}",
            defaults.diagnostics
        );
    }

    #[test]
    fn a_toggle_the_user_sets_is_never_left_off() {
        let (_dir, chart) = chart(DB_CHART);
        let ps = profiles(&chart);
        let user = RenderOptions {
            set: vec!["db.tls.enabled=true".into()],
            ..RenderOptions::default()
        };
        let rendered = render_profile(&chart, &ps[1], &user);
        // The user asked for TLS without a secret: the chart's checks stand.
        assert_eq!(sorted_kinds(&rendered), ["Service"]);
        assert_eq!(
            rendered.failures.len(),
            2,
            "{:?} {:?}",
            rendered.failures,
            rendered.diagnostics
        );
        assert!(left_off(&rendered).is_empty(), "{:?}", rendered.diagnostics);
        // With the secret given, everything renders and nothing is left off.
        let given = RenderOptions {
            set: vec![
                "db.tls.enabled=true,db.tls.certificatesSecret=certs,db.tls.certKeyFilename=k.pem"
                    .into(),
            ],
            ..RenderOptions::default()
        };
        let rendered = render_profile(&chart, &ps[1], &given);
        assert_eq!(
            sorted_kinds(&rendered),
            ["CronJob", "Service", "StatefulSet"]
        );
        assert!(
            rendered.diagnostics.is_empty(),
            "{:?}",
            rendered.diagnostics
        );
    }

    #[test]
    fn a_toggle_the_chart_sets_on_is_never_left_off() {
        // The parent's values turn the subchart's TLS on: its failure is the
        // chart's own, not the profile's doing.
        let mut files = DB_CHART.to_vec();
        files[0] = (
            "values.yaml",
            "db:\n  enabled: true\n  tls:\n    enabled: true\n",
        );
        let (_dir, chart) = chart(&files);
        let rendered = features_on(&chart);
        assert_eq!(sorted_kinds(&rendered), ["Service"]);
        assert_eq!(
            rendered.failures.len(),
            2,
            "{:?} {:?}",
            rendered.failures,
            rendered.diagnostics
        );
    }

    #[test]
    fn only_the_innermost_switched_condition_is_left_off() {
        // The failing `required` sits in the TLS block inside the backup
        // gate: the gate stays on (its CronJob renders), TLS goes off; a
        // failure outside any switched block changes nothing.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "backup:\n  enabled: false\ntls:\n  enabled: false\nname: \"\"\n",
            ),
            (
                "templates/backup.yaml",
                "{{- if .Values.backup.enabled }}\nkind: CronJob\nmetadata:\n  name: backup\n  {{- if .Values.tls.enabled }}\n  annotations:\n    cert: {{ required \"cert!\" .Values.cert }}\n  {{- else }}\n  labels:\n    plain: \"yes\"\n  {{- end }}\n{{- end }}\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: {{ required \"name!\" .Values.name }}\n",
            ),
        ]);
        let rendered = features_on(&chart);
        assert_eq!(sorted_kinds(&rendered), ["CronJob"]);
        assert!(
            rendered.docs[0].text.contains("plain"),
            "{}",
            rendered.docs[0].text
        );
        assert_eq!(rendered.failures.len(), 1);
        assert_eq!(rendered.failures[0].file, "templates/cm.yaml");
        assert!(rendered.failures[0].conditions.is_empty());
        let left: Vec<&str> = left_off(&rendered)
            .iter()
            .map(|d| d.file.as_str())
            .collect();
        assert_eq!(left, ["templates/backup.yaml"]);
    }

    #[test]
    fn a_gate_around_the_whole_template_stays_on() {
        // A password-update feature: its Secret `required`s the new password
        // inside the feature's gate, its Job renders. Switching the gate off
        // would not bring the Secret back and would lose the Job.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "service: ClusterIP\npasswordUpdateJob:\n  enabled: false\nauth:\n  password: \"\"\ningress:\n  enabled: false\n",
            ),
            (
                "templates/secret.yaml",
                "{{- /* the new password */}}\n{{- $p := .Values.auth.password }}\n{{- if ne .Values.service \"NodePort\" }}\n{{- if .Values.passwordUpdateJob.enabled }}\nkind: Secret\nmetadata:\n  name: new\ndata:\n  password: {{ required \"The new user password is required!\" $p | b64enc }}\n{{- end }}\n{{- end }}\n",
            ),
            // A failing NOTES.txt loses no object: its toggle stays on.
            (
                "templates/NOTES.txt",
                "{{- if .Values.ingress.enabled }}\nhttp://{{ required \"host!\" .Values.host }}\n{{- end }}\n",
            ),
            (
                "templates/ingress.yaml",
                "{{- if .Values.ingress.enabled }}\nkind: Ingress\nmetadata:\n  name: web\n{{- end }}\n",
            ),
            (
                "templates/job.yaml",
                "{{- if .Values.passwordUpdateJob.enabled }}\nkind: Job\nmetadata:\n  name: update\n{{- end }}\n",
            ),
        ]);
        let rendered = features_on(&chart);
        assert_eq!(sorted_kinds(&rendered), ["Ingress", "Job"]);
        assert_eq!(rendered.failures.len(), 2, "{:?}", rendered.failures);
        let secret = &rendered.failures[0];
        assert_eq!(secret.file, "templates/secret.yaml");
        // Two gates, one in the other.
        assert_eq!(secret.gates, 2);
        assert_eq!(
            secret.conditions,
            [
                vec!["passwordUpdateJob.enabled".to_owned()],
                vec!["service".to_owned()]
            ]
        );
        assert_eq!(rendered.failures[1].file, "templates/NOTES.txt");
        assert!(left_off(&rendered).is_empty(), "{:?}", rendered.diagnostics);
    }

    #[test]
    fn the_narrowest_toggle_of_the_innermost_block_is_left_off() {
        // A Deployment whose volume-permissions init container calls a
        // helper the chart lacks, inside `and volumePermissions persistence`:
        // volumePermissions (read by one template) goes off, persistence
        // (read by two) stays, and so does its PVC. A failure whose innermost
        // block reads no toggle switches nothing off, even inside an outer
        // toggle's block.
        let (_dir, chart) = chart(&[
            (
                "values.yaml",
                "volumePermissions:\n  enabled: false\npersistence:\n  enabled: false\nmetrics:\n  enabled: false\nrun:\n  persistence:\n    enabled: false\n",
            ),
            // Read by one template only, but volumePermissions is the cause
            // both failures share.
            (
                "templates/run.yaml",
                "kind: Job\nmetadata:\n  name: run\nspec:\n  {{- if and .Values.volumePermissions.enabled .Values.run.persistence.enabled }}\n  init: {{ include \"app.missing\" . }}\n  {{- end }}\n",
            ),
            (
                "templates/deployment.yaml",
                "kind: Deployment\nmetadata:\n  name: app\nspec:\n  {{- if and .Values.volumePermissions.enabled .Values.persistence.enabled }}\n  init: {{ include \"app.missing\" . }}\n  {{- end }}\n",
            ),
            (
                "templates/pvc.yaml",
                "{{- if .Values.persistence.enabled }}\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n{{- end }}\n",
            ),
            (
                "templates/metrics.yaml",
                "kind: Service\nmetadata:\n  name: app\n{{- if .Values.metrics.enabled }}\n  annotations:\n    {{- if .Values.missing }}\n    a: {{ required \"x!\" .Values.x }}\n    {{- end }}\n    {{- if not .Values.missing }}\n    b: {{ required \"y!\" .Values.y }}\n    {{- end }}\n{{- end }}\n",
            ),
        ]);
        let rendered = features_on(&chart);
        assert_eq!(
            sorted_kinds(&rendered),
            ["Deployment", "Job", "PersistentVolumeClaim"]
        );
        let left: Vec<&str> = left_off(&rendered)
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left[0].contains("`volumePermissions.enabled`"), "{left:?}");
        assert_eq!(rendered.failures.len(), 1);
        assert_eq!(rendered.failures[0].file, "templates/metrics.yaml");
        assert_eq!(
            rendered.failures[0].conditions,
            [
                vec!["missing".to_owned()],
                vec!["metrics.enabled".to_owned()]
            ]
        );
    }
}
