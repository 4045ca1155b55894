//! Value profiles a chart is assessed under: its defaults, `features-on`
//! (every boolean `enabled`/`create` switched on, the subcharts' too, except
//! toggles that take capability away; unset PodDisruptionBudget values given
//! one budget; the common add-on APIs available), each `ci/*-values.yaml`,
//! and the user's own values.

use super::chart::Chart;
use super::render::{RenderOptions, Rendered, render};
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
    if depth >= 8 {
        return Some(overlay);
    }
    for sub in &chart.subcharts {
        let aliases: Vec<&str> = chart
            .metadata
            .dependencies
            .iter()
            .filter(|d| d.name == sub.name() && !d.alias.is_empty())
            .map(|d| d.alias.as_str())
            .collect();
        let keys = if aliases.is_empty() {
            vec![sub.name()]
        } else {
            aliases
        };
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
pub fn render_profile(chart: &Chart, profile: &Profile, options: &RenderOptions) -> Rendered {
    let mut opts = options.clone();
    opts.value_files.insert(0, profile.overlay.clone());
    opts.api_versions = profile
        .api_versions
        .iter()
        .chain(&options.api_versions)
        .cloned()
        .collect();
    render(chart, &opts)
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
}
