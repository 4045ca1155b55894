//! Helm charts (folders and packaged `.tgz`): rendered in-process under each
//! profile (defaults, features-on, each `ci/*-values.yaml`), with the user's
//! values on top. Every rendered object becomes a resource whose origin is
//! the template file and the line where its text starts, and the profile
//! that first produced it, so findings point at real files.

use super::LoadOptions;
use super::files::resource;
use crate::diag::{Code, Diagnostic, Severity};
use crate::discover::display_path;
use crate::helm::{self, Chart, ChartLimits, RenderOptions};
use crate::package::{Origin, Package, Resource, Source, TargetKind};
use crate::yaml::{self, Node, Value};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
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
    package.main_node = Some(chart.chart_yaml.clone());
    let ci_values = ci_values(&chart, path);
    package.sources = chart_sources(&chart, &shown, &ci_values);
    read_annotations(&chart, &chart_yaml, &mut package, &mut diags);

    let mut profile_names = Vec::new();
    let mut renderings: Vec<Renderings> = Vec::new();
    if !chart.is_library() {
        let user = user_render_options(options, &mut diags);
        let files = TemplateFiles::of(&chart);
        // Object key → its entry in `renderings`.
        let mut seen: BTreeMap<(String, String, String, String, String), usize> = BTreeMap::new();
        let mut placeholders = Vec::new();
        for profile in helm::profiles(&chart) {
            let rendered = helm::render_profile(&chart, &profile, &user);
            // `features-on` switches on every toggle at once, a combination
            // the chart's authors may never allow: its failures are worth
            // knowing but are not errors of the chart.
            let synthetic = profile.name == helm::FEATURES_ON;
            for mut d in rendered.diagnostics {
                // Our own parse of the output below reports invalid YAML
                // with a better location; helm's check would repeat it.
                if d.code == Code::RenderedYaml {
                    continue;
                }
                if synthetic {
                    d.severity = helm::Severity::Warning;
                }
                let mut d = chart_diagnostic(&shown, d);
                d.profiles.push(profile.name.clone());
                diags.push(d);
            }
            // A failed template's objects still exist, read from its text
            // (placeholders) — except under `features-on`: that profile's
            // combination of toggles is ours, not one the chart accepts, and
            // a template that fails under it (its own `fail`/`required`
            // checks, or a chart bug the toggles reach, such as a `.Values`
            // read inside a `range`) shows an object the chart cannot
            // create that way: no evidence, only a located note. (An object
            // another profile renders is evidence from that profile.)
            for u in &rendered.unrendered {
                if !synthetic {
                    placeholders.push(placeholder(&shown, &files, u, &profile.name));
                } else if !u.deliberate {
                    diags.push(Diagnostic {
                        severity: Severity::Warning,
                        code: Code::TemplateError,
                        file: Some(files.path(&shown, &u.template)),
                        line: Some(u.line),
                        column: None,
                        message: format!(
                            "not counted as evidence: the {} this template would create fails to render under the {} profile (see the template error)",
                            u.kind, profile.name
                        ),
                        profiles: vec![profile.name.clone()],
                    });
                }
            }
            let mut last_crd_file: Option<String> = None;
            for doc in rendered.docs {
                let file = files.path(&shown, &doc.template);
                // A `crds/` file is not templated: it comes as one entry per
                // document, each carrying the whole file's text. Its objects
                // are read as any YAML file's (each document at its own line
                // of the file, as a bundle's), its issues once per file.
                let crd_file_seen = doc.crd && last_crd_file.as_deref() == Some(file.as_str());
                if doc.crd {
                    last_crd_file = Some(file.clone());
                }
                let parsed = yaml::parse_str(&doc.text, &options.limits);
                let issues = if synthetic || crd_file_seen {
                    Vec::new()
                } else {
                    parsed.issues
                };
                for issue in issues {
                    // Located at the template line where the document starts
                    // (a `crds/` file's text is the whole file).
                    let start = if doc.crd { 1 } else { doc.line };
                    let line = start + issue.pos.map(|p| p.line.saturating_sub(1)).unwrap_or(0);
                    // Only an error means the output is not YAML (helm
                    // fails); a warning (a quoted scalar's continuation
                    // libyaml accepts, a repeated key) stays a warning with
                    // its own code, as in any YAML file caplevel reads.
                    let (severity, code, message) = match issue.severity {
                        yaml::IssueSeverity::Error => (
                            Severity::Error,
                            Code::RenderedYaml,
                            format!(
                                "rendered output is not valid YAML (helm template fails the same way): {}",
                                issue.message
                            ),
                        ),
                        yaml::IssueSeverity::Warning => {
                            (Severity::Warning, issue.code, issue.message)
                        }
                    };
                    diags.push(Diagnostic {
                        severity,
                        code,
                        file: Some(file.clone()),
                        line: Some(line),
                        column: None,
                        message,
                        profiles: vec![profile.name.clone()],
                    });
                }
                for d in parsed.documents {
                    if d.root.as_map().is_none() || d.root.get("kind").is_none() {
                        continue;
                    }
                    // Of a `crds/` file, only this entry's own document.
                    if doc.crd && d.root.pos.line != doc.line {
                        continue;
                    }
                    let mut r = resource(d.root, &file, None);
                    // Compared and kept as the object rules see (nulls dropped).
                    let content = r.node.to_json();
                    let key = (
                        r.api_version.clone(),
                        r.kind.clone(),
                        namespace(&r),
                        r.name.clone(),
                        file.clone(),
                    );
                    // The first rendering is the resource rules judge; a
                    // profile rendering it the same is one more of its
                    // profiles, one rendering it differently a variant.
                    if let Some(&i) = seen.get(&key) {
                        let versions: &mut Vec<Rendering> = &mut renderings[i].versions;
                        match versions.iter_mut().find(|v| v.object == content) {
                            Some(v) if !v.profiles.contains(&profile.name) => {
                                v.profiles.push(profile.name.clone());
                            }
                            Some(_) => {}
                            None => {
                                r.origin.line = doc.line;
                                r.origin.profile = Some(profile.name.clone());
                                r.origin.rendered = true;
                                versions.push(Rendering {
                                    object: content,
                                    profiles: vec![profile.name.clone()],
                                    line: doc.line,
                                    resource: Some(r),
                                })
                            }
                        }
                        continue;
                    }
                    seen.insert(key, renderings.len());
                    renderings.push(Renderings {
                        resource: package.resources.len(),
                        versions: vec![Rendering {
                            object: content,
                            profiles: vec![profile.name.clone()],
                            line: doc.line,
                            resource: None,
                        }],
                    });
                    r.origin.line = doc.line;
                    r.origin.profile = Some(profile.name.clone());
                    r.origin.rendered = true;
                    package.resources.push(r);
                }
            }
            profile_names.push(profile.name);
        }
        for rs in &mut renderings {
            let first = &mut package.resources[rs.resource];
            first.profiles = rs.versions[0].profiles.clone();
            // The other renderings, each with every profile that gave it.
            for v in rs.versions.iter_mut().skip(1) {
                if let Some(mut other) = v.resource.take() {
                    other.profiles = v.profiles.clone();
                    first.renderings.push(other);
                }
            }
        }
        add_placeholders(&mut package.resources, placeholders);
    }
    // As `helm lint` does, a dependency not vendored in charts/ is a
    // warning (chart source repositories rarely vendor them), and so are the
    // template failures it may cause (an `include` of the subchart's
    // templates): `helm template` would stop at the dependency check first.
    if diags.iter().any(|d| d.code == Code::DependencyMissing) {
        for d in diags.iter_mut().filter(|d| d.code == Code::TemplateError) {
            d.severity = Severity::Warning;
        }
    }
    diags.sort();
    diags.dedup();
    package.diagnostics = diags;
    package.facts = chart_facts(&chart, &profile_names, &package.resources);
    if let Json::Object(facts) = &mut package.facts {
        facts.insert("ciValues".into(), json!(ci_values));
        let all = profile_names.len();
        facts.insert(
            "variants".into(),
            variants(&package.resources, renderings, all),
        );
    }
    package
}

/// Most `ci/` entries read from a chart folder (bounds hostile folders).
const MAX_CI_ENTRIES: usize = 1_000;

/// The chart-testing value files (`ci/*-values.yaml`) of the chart's
/// source, sorted: those the chart carries and, for a chart folder, those
/// on disk that `.helmignore` leaves out of the packaged chart, since
/// chart-testing reads the source tree and never the package. (The render
/// profiles still honour `.helmignore`, as `helm` does.)
fn ci_values(chart: &Chart, path: &Path) -> Vec<String> {
    let is_ci = |name: &str| {
        name.starts_with("ci/") && (name.ends_with("-values.yaml") || name.ends_with("-values.yml"))
    };
    let mut names: BTreeSet<String> = chart
        .files
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| is_ci(n))
        .collect();
    if let Ok(entries) = std::fs::read_dir(path.join("ci")) {
        for entry in entries.flatten().take(MAX_CI_ENTRIES) {
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if let (true, Some(name)) = (is_file, entry.file_name().to_str()) {
                let name = format!("ci/{name}");
                if is_ci(&name) {
                    names.insert(name);
                }
            }
        }
    }
    names.into_iter().collect()
}

/// The chart's own files that package-level rules judge, by the names their
/// `locate` uses: `chart` (Chart.yaml), `values`, `readme`, `notes`
/// (templates/NOTES.txt), `schema` (values.schema.json), `lock` (Chart.lock
/// or requirements.lock) and `ci` (the first of `ci_values`).
fn chart_sources(chart: &Chart, shown: &str, ci_values: &[String]) -> BTreeMap<String, Source> {
    let mut sources = BTreeMap::new();
    let at = |name: &str| format!("{shown}/{name}");
    sources.insert(
        "chart".to_string(),
        Source {
            file: at("Chart.yaml"),
            node: Some(chart.chart_yaml.clone()),
        },
    );
    // An absent values.yaml reads as an empty mapping: nothing to point at.
    if chart.values.as_map().is_some_and(|m| !m.is_empty()) {
        sources.insert(
            "values".to_string(),
            Source {
                file: at("values.yaml"),
                node: Some(chart.values.clone()),
            },
        );
    }
    // A vendored subchart's values.yaml, as `values/<key>`: a `@values:`
    // place its parent lacks is looked up there (`etcd.startFromSnapshot`
    // is `startFromSnapshot` of charts/etcd/values.yaml), as `pkg.values`
    // holds the subcharts' defaults under their keys.
    for sub in &chart.subcharts {
        if sub.values.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        for key in subchart_keys(chart, sub) {
            sources
                .entry(format!("values/{key}"))
                .or_insert_with(|| Source {
                    file: at(&format!("charts/{}/values.yaml", sub.metadata.name)),
                    node: Some(sub.values.clone()),
                });
        }
    }
    let text_files = [
        (
            "readme",
            &["README.md", "readme.md", "README.MD", "Readme.md"][..],
        ),
        ("schema", &["values.schema.json"][..]),
        ("lock", &["Chart.lock", "requirements.lock"][..]),
    ];
    for (name, candidates) in text_files {
        if let Some(f) = candidates
            .iter()
            .find_map(|c| chart.files.iter().find(|f| f.name == *c))
        {
            // values.schema.json is JSON, so YAML too: parsed, a
            // `@schema:properties.config.properties.logLevel` place has
            // its line (a key only the schema declares).
            let node = (name == "schema")
                .then(|| yaml::parse_bytes(&f.data, &yaml::Limits::default()))
                .and_then(|parsed| parsed.documents.into_iter().next())
                .map(|doc| doc.root)
                .filter(|root| root.as_map().is_some());
            sources.insert(
                name.to_string(),
                Source {
                    file: at(&f.name),
                    node,
                },
            );
        }
    }
    if let Some(name) = ci_values.first() {
        sources.insert(
            "ci".to_string(),
            Source {
                file: at(name),
                node: None,
            },
        );
    }
    if let Some(f) = chart
        .templates
        .iter()
        .find(|f| f.name.trim_start_matches("templates/") == "NOTES.txt")
    {
        sources.insert(
            "notes".to_string(),
            Source {
                file: at(&format!(
                    "templates/{}",
                    f.name.trim_start_matches("templates/")
                )),
                node: None,
            },
        );
    }
    sources
}

/// One distinct rendering of a chart object.
struct Rendering {
    /// The object, as JSON (what is compared: positions do not count).
    object: Json,
    /// The profiles that rendered it so.
    profiles: Vec<String>,
    /// The template line where its text starts.
    line: u32,
    /// The object as rules read it, for a rendering other than the first
    /// (moved into the first one's `renderings` once every profile is read).
    resource: Option<Resource>,
}

/// Every distinct rendering of one chart object (one apiVersion, kind,
/// namespace, name and template file), the first being `resource`'s.
struct Renderings {
    /// Index of the object in the package's resources.
    resource: usize,
    /// In profile order.
    versions: Vec<Rendering>,
}

/// `pkg.variants`: every rendering of each object that the profiles do not
/// all render alike (one renders it differently, or not at all: an opt-in
/// toggle changes it), so that a rule can read an object as rendered in the
/// same profile as another one. An object every one of the `all` profiles
/// renders alike is not repeated: it is the same in every profile.
fn variants(resources: &[Resource], renderings: Vec<Renderings>, all: usize) -> Json {
    let mut out = Vec::new();
    for rs in renderings
        .into_iter()
        .filter(|rs| rs.versions.len() > 1 || rs.versions[0].profiles.len() < all)
    {
        let r = &resources[rs.resource];
        for v in rs.versions {
            out.push(json!({
                "kind": r.kind, "apiVersion": r.api_version, "name": r.name,
                "namespace": namespace(r), "file": r.origin.file, "line": v.line,
                "profiles": v.profiles, "object": v.object,
            }));
        }
    }
    Json::Array(out)
}

/// A stand-in for an object a failed template would create (see
/// [`Resource::placeholder`]): named after the template file, located at
/// its `kind:` line, in the profile whose render failed.
fn placeholder(
    chart_path: &str,
    files: &TemplateFiles,
    u: &helm::UnrenderedObject,
    profile: &str,
) -> Resource {
    let file = files.path(chart_path, &u.template);
    let base = u.file.rsplit('/').next().unwrap_or(&u.file);
    let name = base.split('.').next().unwrap_or(base).to_string();
    let pos = yaml::Pos {
        line: u.line,
        column: 1,
    };
    let scalar = |text: &str| Node {
        value: Value::String(text.to_string()),
        pos,
    };
    let map = |entries: Vec<(&str, Node)>| Node {
        value: Value::Map(yaml::Mapping {
            entries: entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), (pos, v)))
                .collect(),
        }),
        pos,
    };
    let mut header = vec![("kind", scalar(&u.kind))];
    if !u.api_version.is_empty() {
        header.insert(0, ("apiVersion", scalar(&u.api_version)));
    }
    header.push(("metadata", map(vec![("name", scalar(&name))])));
    let mut r = resource(map(header), &file, None);
    r.origin.line = u.line;
    r.origin.profile = Some(profile.to_string());
    r.origin.rendered = true;
    r.placeholder = true;
    r.profiles = vec![profile.to_string()];
    r
}

/// Adds the placeholders of failed templates, in profile order, once per
/// template line and kind, except where a real object of that kind came
/// from that template file (under this or another profile): the template
/// then proved what it creates, and a stand-in would only repeat it.
fn add_placeholders(resources: &mut Vec<Resource>, placeholders: Vec<Resource>) {
    let real: BTreeSet<(String, String)> = resources
        .iter()
        .map(|r| (r.origin.file.clone(), r.kind.clone()))
        .collect();
    let mut seen = BTreeSet::new();
    for p in placeholders {
        let key = (p.origin.file.clone(), p.kind.clone());
        if real.contains(&key) || !seen.insert((key, p.origin.line, p.api_version.clone())) {
            continue;
        }
        resources.push(p);
    }
}

fn namespace(r: &Resource) -> String {
    r.node
        .path("metadata.namespace")
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// Where each template Helm names lies in the chart's files. Helm names a
/// subchart's templates after the name the parent knows it by, its alias
/// (`lgtm/charts/loki/templates/x.yaml` for a `loki-distributed` aliased
/// `loki`), while the file sits in the subchart's own folder
/// (`charts/loki-distributed/templates/x.yaml`): evidence must name the
/// file a reader can open.
struct TemplateFiles {
    /// A template's path below the root chart, as Helm names it → its
    /// path in the chart's files.
    real: std::collections::HashMap<String, String>,
}

impl TemplateFiles {
    fn of(chart: &Chart) -> TemplateFiles {
        // Its `crds/` files are named the same way.
        let real = chart_files(chart, true)
            .into_iter()
            .map(|(named, (file, _))| (named, file))
            .collect();
        TemplateFiles { real }
    }

    /// `mychart/templates/x.yaml` → `<chart path>/templates/x.yaml`; a
    /// subchart's template → `<chart path>/charts/<its folder>/…`.
    fn path(&self, chart_path: &str, template: &str) -> String {
        let inner = template
            .split_once('/')
            .map(|(_, rest)| rest)
            .unwrap_or(template);
        let inner = self.real.get(inner).map(String::as_str).unwrap_or(inner);
        format!("{chart_path}/{inner}")
    }
}

fn chart_diagnostic(chart_path: &str, d: helm::HelmDiagnostic) -> Diagnostic {
    Diagnostic {
        code: d.code,
        profiles: Vec::new(),
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
                )
.with_code(crate::diag::Code::Exemption));
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
        let bytes = super::files::read_capped(file, &options.limits, &mut file_diags);
        // The documents before a separator Helm's reader refuses.
        let (text, refused) = crate::helm::values_reader_prefix(bytes.as_deref().unwrap_or(b""));
        let parsed = super::files::parse_reported(text, file, &options.limits, &mut file_diags);
        // A document go-yaml cannot read stops Helm before the separator.
        let unreadable = file_diags.iter().any(|d| d.severity == Severity::Error);
        diags.extend(file_diags);
        // Every document, merged in order, as Helm's `LoadValues`.
        let (root, error) = crate::helm::load_values_documents(&parsed);
        let error = error.or(refused.filter(|_| !unreadable));
        if let Some((line, message)) = error {
            diags.push(
                Diagnostic::at(
                    Severity::Error,
                    display_path(file),
                    crate::yaml::Pos { line, column: 1 },
                    format!("failed to parse {}: {message}", display_path(file)),
                )
                .with_code(crate::diag::Code::Values),
            );
        }
        value_files.push(root);
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
        set_string: h.set_string.clone(),
        set_json: h.set_json.clone(),
        set_file: h.set_file.clone(),
        set_literal: h.set_literal.clone(),
        is_upgrade: h.is_upgrade,
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
    // Artifact Hub's `artifacthub.io/operator` is the chart's claim to be an
    // operator; whether it is one is decided from its content once its RBAC
    // is attributed (`facts::chart_is_operator`).
    let operator_claim = annotations
        .get("artifacthub.io/operator")
        .and_then(Json::as_str)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let (hub, hub_errors) = artifacthub(&m.annotations);
    let values = values_with_subcharts(chart, 0);
    // Each rendered object's template and chart, placed once for the facts
    // below that tell the chart's own objects from its subcharts'.
    let placed = templates_of(chart, resources);
    let main = main_workloads(&placed);
    json!({
        "chart": {
            "apiVersion": m.api_version, "name": m.name, "version": m.version,
            "appVersion": m.app_version, "kubeVersion": m.kube_version, "type": m.chart_type,
            "description": m.description, "home": m.home, "icon": m.icon, "sources": m.sources,
            "keywords": m.keywords, "deprecated": m.deprecated, "annotations": annotations,
            "dependencies": dependencies, "maintainers": maintainers,
        },
        "values": values,
        "mainValues": main_values(chart, &values, &main),
        "mainWorkloads": main.iter().map(|(w, _)| w.clone()).collect::<Vec<_>>(),
        "dependencyObjects": dependency_objects(&placed, &main),
        "configReaders": config_readers(&placed),
        "valuesDeclared": values_declared(chart, &values, 0),
        "valuesSchema": chart.schema.clone().unwrap_or(Json::Null),
        "valuesSchemaErrors": schema_errors(chart),
        "files": files,
        "templates": templates,
        "profiles": profiles,
        "library": chart.is_library(),
        "operatorClaim": operator_claim,
        "shipsCrds": ships_crds,
        "annotations": annotations,
        "hasLock": chart.files.iter().any(|f| f.name == "Chart.lock" || f.name == "requirements.lock"),
        "lockProblems": super::chart_lock::lock_problems(chart),
        "subcharts": chart.subcharts.iter().map(|s| s.name().to_string()).collect::<Vec<_>>(),
        "subchartValueKeys": subchart_value_keys(chart),
        "templateText": template_text(chart),
        "renderedFrom": rendered_from(&placed),
        "capabilityHelpers": capability_helpers(chart),
        "artifacthub": hub,
        "artifacthubErrors": hub_errors,
    })
}

/// The Artifact Hub annotations whose value is YAML inside a string.
const STRUCTURED_ANNOTATIONS: &[&str] = &[
    "artifacthub.io/changes",
    "artifacthub.io/crds",
    "artifacthub.io/crdsExamples",
    "artifacthub.io/images",
    "artifacthub.io/links",
    "artifacthub.io/recommendations",
    "artifacthub.io/screenshots",
];

/// `pkg.artifacthub` and `pkg.artifacthubErrors`: the structured Artifact
/// Hub annotations (`artifacthub.io/crds`, `crdsExamples`, `images`, …)
/// parsed from their YAML text, as a chart's equivalent of a CSV's owned
/// CRDs, `alm-examples` and related images; and, per annotation that does
/// not parse, why (Artifact Hub rejects the chart's metadata then).
fn artifacthub(annotations: &[(String, String)]) -> (Json, Json) {
    let mut parsed = Map::new();
    let mut errors = Map::new();
    for (key, text) in annotations {
        if !STRUCTURED_ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        let doc = yaml::parse_str(text, &yaml::Limits::default());
        if let Some(issue) = doc.issues.first() {
            errors.insert(key.clone(), Json::String(issue.message.clone()));
            continue;
        }
        let value = doc
            .documents
            .into_iter()
            .next()
            .map(|d| d.root.to_json())
            .unwrap_or(Json::Null);
        parsed.insert(key.clone(), value);
    }
    (Json::Object(parsed), Json::Object(errors))
}

/// Most paths one subchart is known by (its folder, its name, its aliases,
/// times those of its parents): enough for any real chart, and a bound on
/// a hostile one that aliases the same subchart at every level.
const MAX_CHART_PATHS: usize = 16;

/// Every chart of the tree (the root first) with the path prefixes its
/// templates have in rendered objects' files. Helm names a subchart's
/// templates `charts/<name or alias>/templates/…`, which is not always the
/// folder it sits in (`charts/sub-1.2.3.tgz`), so each subchart gets its
/// folder name, its chart name and its aliases.
fn chart_tree<'c>(chart: &'c Chart, paths: Vec<String>, out: &mut Vec<(&'c Chart, Vec<String>)>) {
    out.push((chart, paths.clone()));
    for sub in &chart.subcharts {
        let folder = sub
            .prefix
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let mut names: Vec<&str> = vec![folder, sub.name()];
        names.extend(
            chart
                .metadata
                .dependencies
                .iter()
                .filter(|d| d.name == sub.name() && !d.alias.is_empty())
                .map(|d| d.alias.as_str()),
        );
        let mut sub_paths: Vec<String> = paths
            .iter()
            .flat_map(|p| names.iter().map(move |n| format!("{p}charts/{n}/")))
            .collect();
        sub_paths.sort();
        sub_paths.dedup();
        sub_paths.truncate(MAX_CHART_PATHS);
        chart_tree(sub, sub_paths, out);
    }
}

/// Every path Helm names a file of the tree by (`charts/<name or alias>/…`
/// below the root, see [`chart_tree`]) → the file's path in the chart
/// (`charts/<folder>/…`) and its chart's prefix: each chart's templates,
/// and its `crds/` files too `with_crds`.
fn chart_files(
    chart: &Chart,
    with_crds: bool,
) -> std::collections::HashMap<String, (String, String)> {
    let mut out = std::collections::HashMap::new();
    for (c, paths) in all_charts(chart) {
        let crds = c.crds().filter(|_| with_crds);
        for t in c.templates.iter().chain(crds) {
            for p in &paths {
                out.entry(format!("{p}{}", t.name))
                    .or_insert_with(|| (format!("{}{}", c.prefix, t.name), c.prefix.clone()));
            }
        }
    }
    out
}

/// The charts of the tree, the root first.
fn all_charts(chart: &Chart) -> Vec<(&Chart, Vec<String>)> {
    let mut out = Vec::new();
    chart_tree(chart, vec![String::new()], &mut out);
    out
}

/// `pkg.templateText`: every template's source (helpers and NOTES.txt
/// included) keyed by its path in the chart: `templates/x.yaml`, and a
/// vendored subchart's `charts/<folder>/templates/x.yaml`. Rules read what
/// rendering erases: `.Capabilities` guards, the values a template consults.
fn template_text(chart: &Chart) -> Json {
    let mut out = Map::new();
    for (c, _) in all_charts(chart) {
        for t in &c.templates {
            out.insert(format!("{}{}", c.prefix, t.name), Json::String(t.text()));
        }
    }
    Json::Object(out)
}

/// `pkg.renderedFrom`: `Kind/name` → the template (a key of
/// `templateText`) that rendered the first object of that kind and name,
/// so a rule over an object can read its template's source.
fn rendered_from(placed: &[Placed]) -> Json {
    let mut out = Map::new();
    for (r, (template, _)) in placed {
        out.entry(format!("{}/{}", r.kind, r.name))
            .or_insert_with(|| Json::String(template.clone()));
    }
    Json::Object(out)
}

/// A rendered object with its template (a key of `templateText`) and its
/// chart's prefix (see [`templates_of`]).
type Placed<'r> = (&'r Resource, (String, String));

/// Each rendered object whose template is known, with that template (a key
/// of `templateText`) and the chart the template belongs to, as the prefix
/// of its `templateText` keys: empty for the chart's own templates,
/// `charts/<folder>/` (and deeper) for a vendored subchart's.
fn templates_of<'r>(chart: &Chart, resources: &'r [Resource]) -> Vec<Placed<'r>> {
    // Every path a template's objects may carry → its `templateText` key
    // and its chart's prefix.
    let known = chart_files(chart, false);
    let mut out = Vec::new();
    for r in resources.iter().filter(|r| r.origin.rendered) {
        let file = &r.origin.file;
        // The object's file is `<chart path>/<template path>`: the longest
        // known suffix starting after a `/` is its template.
        let template = std::iter::once(0)
            .chain(file.match_indices('/').map(|(i, _)| i + 1))
            .find_map(|i| known.get(&file[i..]));
        if let Some(t) = template {
            out.push((r, t.clone()));
        }
    }
    out
}

/// The kinds of workload whose pods a chart's rules judge.
const WORKLOAD_KINDS: [&str; 3] = ["Deployment", "StatefulSet", "DaemonSet"];

/// `pkg.mainWorkloads`: `Kind/name` of the chart's main workloads, those
/// its own templates render (Deployments, StatefulSets, DaemonSets); when
/// they render none (a chart that only wraps subcharts), every workload its
/// subcharts render. A vendored subchart's workloads beside the chart's own
/// are a dependency's (a PostgreSQL under a Git server), and what they do
/// (scale, roll on configuration) is not what the chart's own pods do.
/// With the chart prefix of each (see [`templates_of`]).
fn main_workloads(placed: &[Placed]) -> Vec<(String, String)> {
    let workloads: Vec<(String, String)> = placed
        .iter()
        .filter(|(r, _)| {
            WORKLOAD_KINDS.contains(&r.kind.as_str()) && r.in_own_group() && !r.placeholder
        })
        .map(|(r, (_, prefix))| (format!("{}/{}", r.kind, r.name), prefix.clone()))
        .collect();
    let own: Vec<(String, String)> = workloads
        .iter()
        .filter(|(_, prefix)| prefix.is_empty())
        .cloned()
        .collect();
    let mut out = if own.is_empty() { workloads } else { own };
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// `pkg.dependencyObjects`: `Kind/name` of every object a vendored
/// subchart renders beside the chart's own workloads, sorted: a
/// dependency's HPA, ServiceMonitor, PodDisruptionBudget or upgrade hook
/// (a PostgreSQL subchart's password-update Job) serves the dependency,
/// not the chart's main workloads. Empty when the chart's own templates
/// render no workload: a chart that only wraps subcharts is judged on
/// theirs.
fn dependency_objects(placed: &[Placed], main: &[(String, String)]) -> Vec<String> {
    if !main.iter().any(|(_, prefix)| prefix.is_empty()) {
        return Vec::new();
    }
    let mut out: Vec<String> = placed
        .iter()
        .filter(|(_, (_, prefix))| !prefix.is_empty())
        .map(|(r, _)| format!("{}/{}", r.kind, r.name))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `pkg.mainValues`: the values the chart's main workloads
/// (`pkg.mainWorkloads`) are configured from. When the chart's own
/// templates render a workload, its own values: `pkg.values` without the
/// keys that configure a dependency (each dependency's alias or name, each
/// vendored subchart's key), for a subchart's `readReplicas.replicaCount`
/// scales the subchart's database, not the chart's pods. A chart whose
/// workloads all come from subcharts is judged on them: `pkg.values`.
fn main_values(chart: &Chart, values: &Json, main: &[(String, String)]) -> Json {
    if !main.iter().any(|(_, prefix)| prefix.is_empty()) {
        return values.clone();
    }
    let Json::Object(map) = values else {
        return values.clone();
    };
    let mut dependency_keys: BTreeSet<String> = subchart_value_keys(chart).into_iter().collect();
    dependency_keys.extend(chart.metadata.dependencies.iter().map(|d| {
        if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        }
    }));
    Json::Object(
        map.iter()
            .filter(|(k, _)| !dependency_keys.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// `pkg.configReaders`: for each workload that reads a ConfigMap or
/// Secret its own chart renders (the chart's for its own workloads, a
/// subchart's for that subchart's), `Kind/name` → what it reads, `{kind,
/// name, via, profiles}` each, `via` being `volume` (a volume, or a
/// projected volume's source, of the pod), `envFrom` or `env` (a
/// variable's `valueFrom` key reference), init containers included, in any
/// profile's rendering (a Secret an opt-in value creates is read once it
/// is set), `profiles` those whose rendering reads it. A change to what a
/// pod reads this way reaches it only when it restarts.
fn config_readers(placed: &[Placed]) -> Json {
    // (kind, name, chart prefix) of each ConfigMap and Secret rendered.
    let rendered: BTreeSet<(&str, &str, &str)> = placed
        .iter()
        .filter(|(r, _)| ["ConfigMap", "Secret"].contains(&r.kind.as_str()) && r.in_own_group())
        .map(|(r, (_, prefix))| (r.kind.as_str(), r.name.as_str(), prefix.as_str()))
        .collect();
    let mut out = Map::new();
    for (r, (_, prefix)) in placed {
        if !WORKLOAD_KINDS.contains(&r.kind.as_str()) || !r.in_own_group() || r.placeholder {
            continue;
        }
        // Each read, with the profiles whose rendering makes it.
        let mut refs: Vec<(ConfigRef, BTreeSet<&str>)> = Vec::new();
        for rendering in std::iter::once(*r).chain(r.renderings.iter()) {
            for read in pod_config_refs(rendering.node.path("spec.template.spec")) {
                let profiles = rendering.profiles.iter().map(String::as_str);
                match refs
                    .iter_mut()
                    .find(|(k, _)| k.0 == read.0 && k.1 == read.1)
                {
                    Some((_, seen)) => seen.extend(profiles),
                    None => refs.push((read, profiles.collect())),
                }
            }
        }
        let reads: Vec<Json> = refs
            .into_iter()
            .filter(|((kind, name, _), _)| rendered.contains(&(*kind, name.as_str(), prefix.as_str())))
            .map(|((kind, name, via), profiles)| {
                json!({"kind": kind, "name": name, "via": via, "profiles": profiles})
            })
            .collect();
        if !reads.is_empty() {
            out.entry(format!("{}/{}", r.kind, r.name))
                .or_insert(Json::Array(reads));
        }
    }
    Json::Object(out)
}

/// A ConfigMap or Secret a pod reads: `(kind, name, via)`.
type ConfigRef = (&'static str, String, &'static str);

/// The ConfigMaps and Secrets a pod spec reads, `(kind, name, via)` each,
/// once each in the order first read: its volumes (and projected volumes'
/// sources), then every container's and init container's `envFrom` and
/// `env[].valueFrom` references.
fn pod_config_refs(spec: Option<&Node>) -> Vec<ConfigRef> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let text = |n: Option<&Node>, key: &str| {
        n.and_then(|n| n.get(key))
            .and_then(Node::scalar_text)
            .unwrap_or_default()
    };
    let mut out: Vec<ConfigRef> = Vec::new();
    let mut push = |kind: &'static str, name: String, via: &'static str| {
        if !name.is_empty() && !out.iter().any(|(k, n, _)| *k == kind && *n == name) {
            out.push((kind, name, via));
        }
    };
    fn seq<'n>(n: &'n Node, key: &str) -> &'n [Node] {
        n.get(key).and_then(Node::as_seq).unwrap_or_default()
    }
    for v in seq(spec, "volumes") {
        push("ConfigMap", text(v.get("configMap"), "name"), "volume");
        push("Secret", text(v.get("secret"), "secretName"), "volume");
        for src in v
            .path("projected.sources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            push("ConfigMap", text(src.get("configMap"), "name"), "volume");
            push("Secret", text(src.get("secret"), "name"), "volume");
        }
    }
    for list in ["initContainers", "containers"] {
        for c in seq(spec, list) {
            for e in seq(c, "envFrom") {
                push("ConfigMap", text(e.get("configMapRef"), "name"), "envFrom");
                push("Secret", text(e.get("secretRef"), "name"), "envFrom");
            }
            for e in seq(c, "env") {
                let from = e.get("valueFrom");
                push(
                    "ConfigMap",
                    text(from.and_then(|f| f.get("configMapKeyRef")), "name"),
                    "env",
                );
                push(
                    "Secret",
                    text(from.and_then(|f| f.get("secretKeyRef")), "name"),
                    "env",
                );
            }
        }
    }
    out
}

/// `pkg.capabilityHelpers`: named templates (`define`) that read
/// `.Capabilities.APIVersions` or `.Capabilities.KubeVersion`, themselves
/// or through the named templates they include, each with the fields read
/// (`APIVersions`, `KubeVersion`). Charts keep their version switches in
/// helpers (`apiVersion: {{ include "x.pdb.apiVersion" . }}`), so a template
/// including one of these is guarded as much as one with the test inline.
fn capability_helpers(chart: &Chart) -> Json {
    static RES: std::sync::OnceLock<Option<[regex::Regex; 4]>> = std::sync::OnceLock::new();
    let Some([comment, define, reads, include]) = RES
        .get_or_init(|| {
            Some([
                regex::Regex::new(r"(?s)\{\{-?\s*/\*.*?\*/\s*-?\}\}").ok()?,
                regex::Regex::new(r#"\{\{-?\s*define\s+"([^"]+)""#).ok()?,
                regex::Regex::new(r"\bCapabilities\.(APIVersions|KubeVersion)\b").ok()?,
                regex::Regex::new(r#"\b(?:include|template)\s+"([^"]+)""#).ok()?,
            ])
        })
        .as_ref()
    else {
        return json!({});
    };
    // Each helper: what it reads directly, and the helpers it includes. A
    // helper's body is approximated as the text up to the next `define`
    // (comments removed, so prose about `.Capabilities` does not count).
    let mut helpers: std::collections::BTreeMap<String, (BTreeSet<String>, Vec<String>)> =
        std::collections::BTreeMap::new();
    for (c, _) in all_charts(chart) {
        for t in &c.templates {
            let text = comment.replace_all(&t.text(), "").into_owned();
            let starts: Vec<(usize, usize, &str)> = define
                .captures_iter(&text)
                .filter_map(|cap| {
                    let whole = cap.get(0)?;
                    Some((whole.start(), whole.end(), cap.get(1)?.as_str()))
                })
                .collect();
            for (i, (_, end, name)) in starts.iter().enumerate() {
                let stop = starts.get(i + 1).map_or(text.len(), |next| next.0);
                let body = &text[*end..stop];
                let entry = helpers.entry((*name).to_string()).or_default();
                entry.0.extend(
                    reads
                        .captures_iter(body)
                        .filter_map(|c| Some(c.get(1)?.as_str().to_string())),
                );
                entry.1.extend(
                    include
                        .captures_iter(body)
                        .filter_map(|c| Some(c.get(1)?.as_str().to_string())),
                );
            }
        }
    }
    // Through includes, to a fixed point: each round adds at least one
    // field to some helper, so it ends within (helpers × 2) rounds.
    loop {
        let mut grew = false;
        let names: Vec<String> = helpers.keys().cloned().collect();
        for name in &names {
            let inherited: BTreeSet<String> = helpers[name]
                .1
                .iter()
                .filter_map(|inc| helpers.get(inc))
                .flat_map(|(reads, _)| reads.iter().cloned())
                .collect();
            if let Some(entry) = helpers.get_mut(name) {
                let before = entry.0.len();
                entry.0.extend(inherited);
                grew |= entry.0.len() > before;
            }
        }
        if !grew {
            break;
        }
    }
    Json::Object(
        helpers
            .into_iter()
            .filter(|(_, (reads, _))| !reads.is_empty())
            .map(|(name, (reads, _))| (name, json!(reads)))
            .collect(),
    )
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

/// Deepest subchart nesting whose defaults are laid into `pkg.values`.
const MAX_VALUES_DEPTH: usize = 8;

/// `pkg.values`: the chart's values.yaml with each vendored subchart's own
/// defaults under its key (the dependency's alias, else its name) where the
/// parent sets none, as Helm coalesces them. What a subchart offers is a
/// value of the chart too (a vendored etcd's `startFromSnapshot` is set as
/// `etcd.startFromSnapshot`), and its rendered objects are already the
/// chart's: the values rules read both alike.
fn values_with_subcharts(chart: &Chart, depth: usize) -> Json {
    let mut values = json_or_empty(&chart.values);
    if depth >= MAX_VALUES_DEPTH {
        return values;
    }
    let Json::Object(map) = &mut values else {
        return values;
    };
    for sub in &chart.subcharts {
        let defaults = values_with_subcharts(sub, depth + 1);
        for key in subchart_keys(chart, sub) {
            let slot = map
                .entry(key.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if slot.is_null() {
                *slot = Json::Object(Map::new());
            }
            lay_under(slot, &defaults);
        }
    }
    values
}

/// `pkg.valuesDeclared`: `values` (a chart's values with its vendored
/// subcharts' under their keys) with, where they set nothing (an absent
/// key, or a null one: a section whose every entry is a commented
/// example), every key the chart's values.schema.json declares
/// (`properties`, nested, through local `$ref`s and `allOf`/`anyOf`/`oneOf`
/// branches), and each subchart's schema under that subchart's keys. A key
/// the schema declares gets its `default`, else the empty value of its
/// `type` (`false`, `""`, `0`, `[]`, `{}`), else null. A value the schema
/// types is one users can set, documented, even when values.yaml only shows
/// it commented out (`# logLevel: info` under `config:`, typed in the
/// schema and passed as `--log.level`).
fn values_declared(chart: &Chart, values: &Json, depth: usize) -> Json {
    let mut out = values.clone();
    if let Some(schema) = &chart.schema {
        lay_schema(&mut out, schema, schema, 0);
    }
    if depth >= MAX_VALUES_DEPTH {
        return out;
    }
    for sub in &chart.subcharts {
        for key in subchart_keys(chart, sub) {
            let Json::Object(map) = &mut out else {
                return out;
            };
            let slot = map
                .entry(key.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if slot.is_null() {
                *slot = Json::Object(Map::new());
            }
            let declared = values_declared(sub, slot, depth + 1);
            *slot = declared;
        }
    }
    out
}

/// Deepest schema nesting [`lay_schema`] follows (a bound on hostile or
/// recursive schemas: a `$ref` to an ancestor loops).
const MAX_SCHEMA_VALUES_DEPTH: usize = 16;

/// Lays the keys `schema` declares into `slot` where it sets none (see
/// [`values_declared`]); `root` is the whole schema, for `$ref`s.
fn lay_schema(slot: &mut Json, schema: &Json, root: &Json, depth: usize) {
    if depth > MAX_SCHEMA_VALUES_DEPTH {
        return;
    }
    let schema = resolve_schema_ref(schema, root);
    for branches in ["allOf", "anyOf", "oneOf"] {
        if let Some(Json::Array(list)) = schema.get(branches) {
            for branch in list {
                lay_schema(slot, branch, root, depth + 1);
            }
        }
    }
    let Some(Json::Object(properties)) = schema.get("properties") else {
        return;
    };
    if slot.is_null() {
        *slot = Json::Object(Map::new());
    }
    // values.yaml sets something else than a mapping here: it wins.
    let Json::Object(map) = slot else {
        return;
    };
    for (key, property) in properties {
        let entry = map.entry(key.clone()).or_insert(Json::Null);
        if entry.is_null() {
            *entry = schema_default(resolve_schema_ref(property, root));
        }
        lay_schema(entry, property, root, depth + 1);
    }
}

/// The schema a local `$ref` (`#/definitions/x`, `#/$defs/x`) points at,
/// followed a few times; the schema itself otherwise.
fn resolve_schema_ref<'a>(mut schema: &'a Json, root: &'a Json) -> &'a Json {
    for _ in 0..8 {
        let Some(target) = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
        else {
            break;
        };
        schema = target;
    }
    schema
}

/// The value a key a schema declares stands for: its `default`, else the
/// empty value of its (first non-null) `type`, else null.
fn schema_default(schema: &Json) -> Json {
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    let ty = match schema.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        Some(Json::Array(types)) => types.iter().filter_map(Json::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("boolean") => Json::Bool(false),
        Some("string") => Json::String(String::new()),
        Some("integer" | "number") => json!(0),
        Some("array") => Json::Array(Vec::new()),
        Some("object") => Json::Object(Map::new()),
        _ if schema.get("properties").is_some() => Json::Object(Map::new()),
        _ => Json::Null,
    }
}

/// `pkg.subchartValueKeys`: the keys of `pkg.values` that hold a vendored
/// subchart's values (its alias, else its name), sorted: a rule that reads
/// values to a depth counts it from each subchart's own root as well, for
/// a subchart's values are the chart's own as its objects are
/// (`postgresql.primary.persistence.dataSource` is three levels deep in the
/// subchart's values.yaml).
fn subchart_value_keys(chart: &Chart) -> Vec<String> {
    let mut keys: Vec<String> = chart
        .subcharts
        .iter()
        .flat_map(|sub| subchart_keys(chart, sub))
        .map(str::to_string)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The keys a vendored subchart's values live under in its parent's: each
/// dependency entry's alias (else its name) that names it, or its own name
/// when no entry does.
fn subchart_keys<'c>(chart: &'c Chart, sub: &'c Chart) -> Vec<&'c str> {
    let named: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| d.name == sub.metadata.name)
        .map(|d| {
            if d.alias.is_empty() {
                d.name.as_str()
            } else {
                d.alias.as_str()
            }
        })
        .collect();
    if named.is_empty() {
        vec![sub.metadata.name.as_str()]
    } else {
        named
    }
}

/// Lays `defaults` under `dest`: a key `dest` lacks is copied, maps on both
/// sides are merged the same way, and `dest`'s own value wins otherwise.
fn lay_under(dest: &mut Json, defaults: &Json) {
    let (Json::Object(dest), Json::Object(defaults)) = (dest, defaults) else {
        return;
    };
    for (k, v) in defaults {
        match dest.get_mut(k) {
            None => {
                dest.insert(k.clone(), v.clone());
            }
            Some(mine) => lay_under(mine, v),
        }
    }
}

fn json_or_empty(node: &Node) -> Json {
    match &node.value {
        Value::Map(_) => node.to_json(),
        _ => json!({}),
    }
}

/// What `caplevel render` prints.
pub struct RenderOutput {
    /// The manifests, as `helm template` prints them with the same flags.
    pub manifests: String,
    /// Problems met loading and rendering.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders one chart under one profile (`defaults` when none is named) with
/// the user's values, printed as `print` says; an unknown profile, or a
/// `--show-only` template that renders nothing, is an error.
pub fn render_chart(
    path: &Path,
    profile: Option<&str>,
    options: &LoadOptions,
    print: &helm::PrintOptions,
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
    // `helm template` checks the root chart's dependencies before
    // rendering and stops on any that charts/ lacks (the analysis keeps
    // this a warning and assesses the rest, as `helm lint` on a source tree).
    if let Some(d) = chart.missing_dependencies_error() {
        diagnostics.push(chart_diagnostic(&shown, d));
    }
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
        manifests: helm::write_helm_template(&rendered, print)
            .map_err(|e| format!("{shown}: {e}"))?,
        diagnostics,
    })
}

#[cfg(test)]
mod template_fact_tests {
    use super::*;

    /// Loads a chart folder made of `files`.
    fn load_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Package) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let package = load(dir.path(), &LoadOptions::default());
        (dir, package)
    }

    const CHART: &str = "apiVersion: v2\nname: p\nversion: 1.0.0\n";

    #[test]
    fn variants_and_profiles_follow_each_rendering() {
        let (_dir, p) = load_files(&[
            ("Chart.yaml", CHART),
            ("values.yaml", "autoscaling:\n  enabled: false\n"),
            (
                "templates/deploy.yaml",
                "kind: Deployment\nmetadata:\n  name: web\nspec:\n{{- if not .Values.autoscaling.enabled }}\n  replicas: 1\n{{- end }}\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: same\n",
            ),
        ]);
        // The Deployment renders differently under features-on: two
        // variants, each with its profiles; the ConfigMap is the same in
        // every profile and is not repeated.
        let variants = p.facts["variants"].as_array().expect("a list");
        assert_eq!(variants.len(), 2, "{variants:#?}");
        let of = |profile: &str| {
            variants
                .iter()
                .find(|v| {
                    v["profiles"]
                        .as_array()
                        .is_some_and(|ps| ps.contains(&json!(profile)))
                })
                .unwrap_or_else(|| panic!("no variant for {profile}"))
        };
        assert_eq!(of("defaults")["object"]["spec"]["replicas"], json!(1));
        assert!(
            of(crate::helm::FEATURES_ON)["object"]["spec"]
                .get("replicas")
                .is_none()
        );
        assert!(variants.iter().all(|v| v["kind"] == "Deployment"));
        // Every object lists the profiles that rendered that version.
        let cm = p
            .resources
            .iter()
            .find(|r| r.kind == "ConfigMap")
            .expect("the ConfigMap");
        assert_eq!(cm.profiles, ["defaults", crate::helm::FEATURES_ON]);
        let deploy = p
            .resources
            .iter()
            .find(|r| r.kind == "Deployment")
            .expect("the Deployment");
        assert_eq!(deploy.profiles, ["defaults"]);
    }

    #[test]
    fn each_crd_of_a_crds_file_keeps_its_own_line() {
        // One `crds/` file of three documents (a comment first, as charts
        // write them): each CRD at its own document's line, not the first's,
        // and a YAML warning in the file reported once, at its file line.
        let crd = |name: &str| {
            format!(
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {name}\n"
            )
        };
        let text = format!(
            "# generated\n---\n{}---\n{}---\n{}  annotations:\n    k: \"x\ny\"\n",
            crd("as.example.com"),
            crd("bs.example.com"),
            crd("cs.example.com")
        );
        let (_dir, p) = load_files(&[("Chart.yaml", CHART), ("crds/all.yaml", &text)]);
        let line_of = |name: &str| {
            let found: Vec<_> = p.resources.iter().filter(|r| r.name == name).collect();
            assert_eq!(found.len(), 1, "{name}: {found:#?}");
            assert!(found[0].origin.file.ends_with("crds/all.yaml"));
            found[0].origin.line
        };
        assert_eq!(line_of("as.example.com"), 3);
        assert_eq!(line_of("bs.example.com"), 8);
        assert_eq!(line_of("cs.example.com"), 13);
        let warnings: Vec<_> = p
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::YamlLenient)
            .map(|d| d.line)
            .collect();
        assert_eq!(warnings, [Some(18)], "{:#?}", p.diagnostics);
    }

    #[test]
    fn rendered_yaml_warnings_stay_warnings() {
        // A quoted scalar continued at column 0 (libyaml, so helm, reads it)
        // is a yaml-lenient warning; a document that is not YAML an error.
        let (_dir, p) = load_files(&[
            ("Chart.yaml", CHART),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"x\ny\"\n",
            ),
            ("templates/bad.yaml", "kind: ConfigMap\nmetadata: [\n"),
        ]);
        let of = |file: &str| {
            p.diagnostics
                .iter()
                .filter(|d| d.file.as_deref().is_some_and(|f| f.ends_with(file)))
                .map(|d| (d.severity, d.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(of("cm.yaml"), [(Severity::Warning, Code::YamlLenient)]);
        assert_eq!(of("bad.yaml"), [(Severity::Error, Code::RenderedYaml)]);
        assert!(p.resources.iter().any(|r| r.name == "a"));
    }

    #[test]
    fn template_text_and_rendered_from_cover_subcharts() {
        let (_dir, p) = load_files(&[
            ("Chart.yaml", CHART),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: root\n",
            ),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
            (
                "charts/sub/templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: inner\n",
            ),
        ]);
        let text = &p.facts["templateText"];
        assert_eq!(
            text["templates/cm.yaml"],
            json!("kind: ConfigMap\nmetadata:\n  name: root\n")
        );
        assert!(text["charts/sub/templates/cm.yaml"].is_string());
        let from = &p.facts["renderedFrom"];
        assert_eq!(from["ConfigMap/root"], json!("templates/cm.yaml"));
        // The same file name in a subchart is told apart by its longer path.
        assert_eq!(
            from["ConfigMap/inner"],
            json!("charts/sub/templates/cm.yaml")
        );
    }

    #[test]
    fn an_aliased_subchart_s_objects_point_at_its_own_folder() {
        // Helm names the templates `charts/logs/…` after the alias; the
        // files are in `charts/loki-distributed/`.
        let (dir, p) = load_files(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: root\nversion: 1.0.0\ndependencies:\n  - name: loki-distributed\n    alias: logs\n    version: 1.0.0\n",
            ),
            (
                "charts/loki-distributed/Chart.yaml",
                "apiVersion: v2\nname: loki-distributed\nversion: 1.0.0\n",
            ),
            (
                "charts/loki-distributed/templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: inner\n",
            ),
            (
                "charts/loki-distributed/crds/x.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.example.com\n",
            ),
        ]);
        for name in ["inner", "xs.example.com"] {
            let r = p.resources.iter().find(|r| r.name == name).unwrap();
            assert!(
                r.origin.file.contains("/charts/loki-distributed/"),
                "{}",
                r.origin.file
            );
            assert!(
                std::path::Path::new(&r.origin.file).exists()
                    || dir.path().join(&r.origin.file).exists(),
                "{}",
                r.origin.file
            );
        }
    }

    #[test]
    fn main_workloads_values_and_config_readers_tell_the_chart_from_its_subcharts() {
        let deploy = |name: &str, pod: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n{pod}"
            )
        };
        let web = deploy(
            "web",
            concat!(
                "      containers:\n        - name: web\n          envFrom:\n",
                "            - secretRef:\n                name: web\n",
                "          env:\n            - name: DB\n              valueFrom:\n",
                "                secretKeyRef:\n                  name: db\n                  key: password\n",
                "      volumes:\n        - name: c\n          projected:\n            sources:\n",
                "              - configMap:\n                  name: web\n",
                "        - name: user\n          configMap:\n            name: not-rendered\n",
            ),
        );
        let db = deploy(
            "db",
            "      containers:\n        - name: db\n      volumes:\n        - name: c\n          secret:\n            secretName: db\n",
        );
        let (_dir, p) = load_files(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 1.0.0\n  - name: absent\n    version: 1.0.0\n    alias: cache\n",
            ),
            ("values.yaml", "replicaCount: 1\ncache:\n  replicas: 3\n"),
            ("templates/web.yaml", &web),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web\n",
            ),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
            (
                "charts/sub/values.yaml",
                "readReplicas:\n  replicaCount: 2\n",
            ),
            ("charts/sub/templates/db.yaml", &db),
            (
                "charts/sub/templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n",
            ),
        ]);
        assert_eq!(p.facts["mainWorkloads"], json!(["Deployment/web"]));
        assert_eq!(
            p.facts["dependencyObjects"],
            json!(["Deployment/db", "Secret/db"])
        );
        // Neither the vendored subchart's values nor a dependency's key.
        assert_eq!(p.facts["mainValues"], json!({"replicaCount": 1}));
        assert!(p.facts["values"]["sub"]["readReplicas"].is_object());
        // What each workload reads of its own chart's objects: the web
        // Deployment not the subchart's Secret, the db Deployment its own.
        let mut readers = p.facts["configReaders"].clone();
        for reads in readers
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            for read in reads.as_array_mut().into_iter().flatten() {
                let profiles = read.as_object_mut().and_then(|r| r.remove("profiles"));
                // The defaults render every read (the only profile here:
                // nothing is switched on by features-on).
                assert_eq!(profiles, Some(json!(["defaults"])));
            }
        }
        assert_eq!(
            readers,
            json!({
                "Deployment/web": [
                    {"kind": "ConfigMap", "name": "web", "via": "volume"},
                    {"kind": "Secret", "name": "web", "via": "envFrom"},
                ],
                "Deployment/db": [{"kind": "Secret", "name": "db", "via": "volume"}],
            })
        );
    }

    #[test]
    fn a_chart_that_only_wraps_subcharts_is_judged_on_them() {
        let (_dir, p) = load_files(&[
            ("Chart.yaml", CHART),
            ("values.yaml", "sub:\n  replicaCount: 2\n"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
            (
                "charts/sub/templates/db.yaml",
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n",
            ),
        ]);
        assert_eq!(p.facts["mainWorkloads"], json!(["StatefulSet/db"]));
        assert_eq!(p.facts["dependencyObjects"], json!([]));
        assert_eq!(p.facts["mainValues"], p.facts["values"]);
    }

    #[test]
    fn capability_helpers_follow_includes_and_skip_comments() {
        let (_dir, p) = load_files(&[
            ("Chart.yaml", CHART),
            (
                "templates/_helpers.tpl",
                concat!(
                    "{{- define \"p.served\" -}}{{ .Capabilities.APIVersions.Has \"x/v1\" }}{{- end -}}\n",
                    "{{- define \"p.wanted\" -}}{{ and .Values.on (include \"p.served\" .) }}{{- end -}}\n",
                    "{{- define \"p.version\" -}}{{ semverCompare \">=1.21-0\" .Capabilities.KubeVersion.Version }}{{- end -}}\n",
                    "{{/* Unlike p.served, this one ignores .Capabilities.APIVersions. */}}\n",
                    "{{- define \"p.name\" -}}p{{- end -}}\n",
                ),
            ),
        ]);
        assert_eq!(
            p.facts["capabilityHelpers"],
            json!({"p.served": ["APIVersions"], "p.version": ["KubeVersion"], "p.wanted": ["APIVersions"]})
        );
    }

    #[test]
    fn structured_artifacthub_annotations_are_parsed_or_reported() {
        let annotations = vec![
            (
                "artifacthub.io/crds".to_string(),
                "- kind: Widget\n  description: w\n".to_string(),
            ),
            (
                "artifacthub.io/crdsExamples".to_string(),
                "- kind: [unclosed\n".to_string(),
            ),
            (
                "artifacthub.io/license".to_string(),
                "Apache-2.0".to_string(),
            ),
        ];
        let (parsed, errors) = artifacthub(&annotations);
        assert_eq!(
            parsed,
            json!({"artifacthub.io/crds": [{"kind": "Widget", "description": "w"}]})
        );
        let error = errors["artifacthub.io/crdsExamples"]
            .as_str()
            .unwrap_or_default();
        assert!(!error.is_empty(), "{errors}");
        // Plain-text annotations are left to `pkg.annotations`.
        assert!(errors.get("artifacthub.io/license").is_none());
    }
}
