//! Helm charts (folders and packaged `.tgz`): rendered in-process under each
//! profile (defaults, features-on, each `ci/*-values.yaml`), with the user's
//! values on top. Every rendered object becomes a resource whose origin is
//! the template file and the line where its text starts, and the profile
//! that first produced it, so findings point at real files.

use super::LoadOptions;
use super::files::resource;
use crate::diag::{Diagnostic, Severity};
use crate::discover::display_path;
use crate::helm::{self, Chart, ChartLimits, RenderOptions};
use crate::package::{Origin, Package, Resource, TargetKind};
use crate::yaml::{self, Node, Value};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeSet;
use std::path::Path;

/// The annotation with which a chart declares its capability level.
pub const CAPABILITY_ANNOTATION: &str = "artifacthub.io/operatorCapabilities";

/// Loads, renders and models one chart.
pub fn load(path: &Path, options: &LoadOptions) -> Package {
    let shown = display_path(path);
    let limits = ChartLimits {
        yaml: options.limits,
        ..options.chart_limits
    };
    let chart = helm::load_chart(path, &limits);
    let mut diags: Vec<Diagnostic> = chart
        .all_diagnostics()
        .into_iter()
        .map(|d| chart_diagnostic(&shown, d))
        .collect();
    let chart_yaml = format!("{shown}/Chart.yaml");
    let layout = if path.is_file() {
        "chart-archive"
    } else {
        "chart"
    };
    let mut package = Package::new(
        TargetKind::Chart,
        layout,
        shown.clone(),
        Vec::new(),
        Vec::new(),
    );
    package.name = chart.name().to_string();
    package.version = Some(chart.metadata.version.clone()).filter(|v| !v.is_empty());
    package.main_file = Some(chart_yaml.clone());
    read_annotations(&chart, &chart_yaml, &mut package, &mut diags);

    let mut profile_names = Vec::new();
    if !chart.is_library() {
        let user = user_render_options(options, &mut diags);
        let mut seen = BTreeSet::new();
        for profile in helm::profiles(&chart) {
            let rendered = helm::render_profile(&chart, &profile, &user);
            // `features-on` switches on every toggle at once, a combination
            // the chart's authors may never allow: its failures are worth
            // knowing but are not errors of the chart.
            let synthetic = profile.name == helm::FEATURES_ON;
            for mut d in rendered.diagnostics {
                if synthetic {
                    d.severity = helm::Severity::Warning;
                    d.message = format!("[{} profile] {}", profile.name, d.message);
                }
                diags.push(chart_diagnostic(&shown, d));
            }
            for doc in rendered.docs {
                let file = template_file(&shown, &doc.template);
                let parsed = yaml::parse_str(&doc.text, &options.limits);
                for issue in parsed.issues.into_iter().filter(|_| !synthetic) {
                    // A rendered document that is not YAML: located at the
                    // template line where the document starts.
                    let line = doc.line + issue.pos.map(|p| p.line.saturating_sub(1)).unwrap_or(0);
                    diags.push(Diagnostic {
                        severity: Severity::Error,
                        file: Some(file.clone()),
                        line: Some(line),
                        column: None,
                        message: format!(
                            "rendered output ({} profile) is not valid YAML: {}",
                            profile.name, issue.message
                        ),
                    });
                }
                for d in parsed.documents {
                    if d.root.as_map().is_none() || d.root.get("kind").is_none() {
                        continue;
                    }
                    let mut r = resource(d.root, &file, None);
                    let key = (
                        r.api_version.clone(),
                        r.kind.clone(),
                        namespace(&r),
                        r.name.clone(),
                        file.clone(),
                    );
                    if !seen.insert(key) {
                        continue;
                    }
                    r.origin.line = doc.line;
                    r.origin.profile = Some(profile.name.clone());
                    r.origin.rendered = true;
                    package.resources.push(r);
                }
            }
            profile_names.push(profile.name);
        }
    }
    diags.sort();
    diags.dedup();
    package.diagnostics = diags;
    package.facts = chart_facts(&chart, &profile_names, &package.resources);
    package
}

fn namespace(r: &Resource) -> String {
    r.node
        .path("metadata.namespace")
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// `mychart/templates/x.yaml` → `<chart path>/templates/x.yaml`; subcharts
/// keep their `charts/<sub>/` part, which is where their files are.
fn template_file(chart_path: &str, template: &str) -> String {
    let inner = template
        .split_once('/')
        .map(|(_, rest)| rest)
        .unwrap_or(template);
    format!("{chart_path}/{inner}")
}

fn chart_diagnostic(chart_path: &str, d: helm::HelmDiagnostic) -> Diagnostic {
    Diagnostic {
        severity: match d.severity {
            helm::Severity::Error => Severity::Error,
            helm::Severity::Warning => Severity::Warning,
        },
        file: Some(if d.file.is_empty() {
            chart_path.to_string()
        } else {
            format!("{chart_path}/{}", d.file)
        }),
        line: d.line,
        column: None,
        message: crate::diag::shorten(d.message),
    }
}

/// The declared level and the chart's own exemptions, from Chart.yaml annotations.
fn read_annotations(
    chart: &Chart,
    chart_yaml: &str,
    package: &mut Package,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(annotations) = chart.chart_yaml.get("annotations").and_then(Node::as_map) else {
        return;
    };
    for (key, value) in annotations.iter() {
        let text = value.scalar_text().unwrap_or_default();
        let origin = Origin {
            file: chart_yaml.to_string(),
            line: value.pos.line,
            embedded: None,
            profile: None,
            rendered: false,
        };
        if key == CAPABILITY_ANNOTATION {
            package.declared_raw = Some(text.trim().to_string());
            package.declared_origin = Some(origin);
        } else if let Some(rule) = key.strip_prefix(super::csv::EXEMPT_PREFIX) {
            if text.trim().is_empty() {
                diags.push(Diagnostic::at(
                    Severity::Error,
                    chart_yaml,
                    value.pos,
                    format!(
                        "exemption `{key}` has no reason: every exemption must say why; not applied"
                    ),
                ));
            } else {
                package
                    .exemptions
                    .insert(rule.to_string(), (text.trim().to_string(), origin));
            }
        }
    }
}

/// The user's `-f` files and `--set` values, read once per chart.
fn user_render_options(options: &LoadOptions, diags: &mut Vec<Diagnostic>) -> RenderOptions {
    let h = &options.helm;
    let mut value_files = Vec::new();
    for file in &h.value_files {
        let mut file_diags = Vec::new();
        let docs = super::files::read_yaml(file, &options.limits, &mut file_diags);
        diags.extend(file_diags);
        match docs.into_iter().next().map(|d| d.root) {
            Some(root) if root.as_map().is_some() => value_files.push(root),
            Some(root) if root.is_null() => {}
            Some(root) => diags.push(Diagnostic::at(
                Severity::Error,
                display_path(file),
                root.pos,
                "a values file must be a mapping",
            )),
            None => {}
        }
    }
    RenderOptions {
        release_name: h
            .release_name
            .clone()
            .unwrap_or_else(|| RenderOptions::default().release_name),
        namespace: h
            .namespace
            .clone()
            .unwrap_or_else(|| RenderOptions::default().namespace),
        kube_version: h
            .kube_version
            .clone()
            .unwrap_or_else(|| RenderOptions::default().kube_version),
        api_versions: h.api_versions.clone(),
        value_files,
        set: h.set.clone(),
        limits: options.render_limits,
    }
}

fn chart_facts(chart: &Chart, profiles: &[String], resources: &[Resource]) -> Json {
    let m = &chart.metadata;
    let annotations: Map<String, Json> = m
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let dependencies: Vec<Json> = m
        .dependencies
        .iter()
        .map(|d| {
            let vendored = chart.subcharts.iter().any(|s| s.name() == d.name);
            json!({"name": d.name, "version": d.version, "repository": d.repository,
                   "condition": d.condition, "tags": d.tags, "alias": d.alias, "vendored": vendored})
        })
        .collect();
    let maintainers: Vec<Json> = m
        .maintainers
        .iter()
        .map(|fields| Json::Object(fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect()))
        .collect();
    let mut files: Vec<String> = chart
        .templates
        .iter()
        .map(|f| format!("templates/{}", f.name.trim_start_matches("templates/")))
        .chain(chart.files.iter().map(|f| f.name.clone()))
        .collect();
    files.sort();
    files.dedup();
    let templates: Vec<&str> = chart.templates.iter().map(|f| f.name.as_str()).collect();
    let ships_crds = chart.crds().next().is_some()
        || resources
            .iter()
            .any(|r| r.kind == "CustomResourceDefinition");
    let controller = resources
        .iter()
        .any(|r| matches!(r.kind.as_str(), "Deployment" | "StatefulSet"));
    let operator = annotations
        .get("artifacthub.io/operator")
        .and_then(Json::as_str)
        == Some("true")
        || (ships_crds && controller)
        || m.name.contains("operator");
    json!({
        "chart": {
            "apiVersion": m.api_version, "name": m.name, "version": m.version,
            "appVersion": m.app_version, "kubeVersion": m.kube_version, "type": m.chart_type,
            "description": m.description, "home": m.home, "icon": m.icon, "sources": m.sources,
            "keywords": m.keywords, "deprecated": m.deprecated, "annotations": annotations,
            "dependencies": dependencies, "maintainers": maintainers,
        },
        "values": json_or_empty(&chart.values),
        "valuesSchema": chart.schema.clone().unwrap_or(Json::Null),
        "valuesSchemaErrors": schema_errors(chart),
        "files": files,
        "templates": templates,
        "profiles": profiles,
        "library": chart.is_library(),
        "operator": operator,
        "shipsCrds": ships_crds,
        "annotations": annotations,
        "hasLock": chart.files.iter().any(|f| f.name == "Chart.lock" || f.name == "requirements.lock"),
        "subcharts": chart.subcharts.iter().map(|s| s.name().to_string()).collect::<Vec<_>>(),
    })
}

/// Where the chart's default values break its own values.schema.json
/// (`{path, message}` each; empty when there is no schema). A schema that is
/// not a valid JSON Schema is one entry saying so.
fn schema_errors(chart: &Chart) -> Json {
    let Some(schema) = &chart.schema else {
        return json!([]);
    };
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => {
            return json!([{"path": "", "message": format!("values.schema.json is not a valid schema: {e}")}]);
        }
    };
    let values = json_or_empty(&chart.values);
    let errors: Vec<Json> = validator
        .iter_errors(&values)
        .take(100)
        .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
        .collect();
    Json::Array(errors)
}

fn json_or_empty(node: &Node) -> Json {
    match &node.value {
        Value::Map(_) => node.to_json(),
        _ => json!({}),
    }
}

/// What `caplevel render` prints.
pub struct RenderOutput {
    /// The manifests, as `helm template --include-crds` prints them.
    pub manifests: String,
    /// Problems met loading and rendering.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders one chart under one profile (`defaults` when none is named) with
/// the user's values; an unknown profile is an error naming the known ones.
pub fn render_chart(
    path: &Path,
    profile: Option<&str>,
    options: &LoadOptions,
) -> Result<RenderOutput, String> {
    if !path.exists() {
        return Err(format!("{}: no such chart", path.display()));
    }
    let shown = display_path(path);
    let limits = ChartLimits {
        yaml: options.limits,
        ..options.chart_limits
    };
    let chart = helm::load_chart(path, &limits);
    let mut diagnostics: Vec<Diagnostic> = chart
        .all_diagnostics()
        .into_iter()
        .map(|d| chart_diagnostic(&shown, d))
        .collect();
    let wanted = profile.unwrap_or("defaults");
    let profiles = helm::profiles(&chart);
    let Some(chosen) = profiles.iter().find(|p| p.name == wanted) else {
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "{shown}: no profile `{wanted}` (this chart has: {})",
            names.join(", ")
        ));
    };
    let user = user_render_options(options, &mut diagnostics);
    let rendered = helm::render_profile(&chart, chosen, &user);
    diagnostics.extend(
        rendered
            .diagnostics
            .iter()
            .cloned()
            .map(|d| chart_diagnostic(&shown, d)),
    );
    Ok(RenderOutput {
        manifests: helm::write_helm_template(&rendered),
        diagnostics,
    })
}
