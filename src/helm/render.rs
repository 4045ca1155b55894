//! Rendering a chart tree as Helm's engine does, with our Go template
//! engine ([`crate::gotemplate`]).
//!
//! All templates of the chart and its enabled subcharts are parsed into one
//! template set (so `define`s are shared across charts, as in Helm), in
//! Helm's order: deeper paths first, then reverse lexical order, so that a
//! parent's definitions win. Each template file is then executed with its
//! chart's built-in objects (`.Values` scoped to the chart, `.Release`,
//! `.Chart`, `.Capabilities`, `.Files`, `.Template`, `.Subcharts`).
//!
//! `include` and `tpl` are functions that run templates through the
//! execution they are called from. Their nesting is bounded (1000, as
//! Helm), and rendering runs on a thread with a large stack so the bound is
//! reached before the stack is.
//!
//! Helm's objects are shared as Go shares them: one top-level map per chart
//! (`.Values`, `.Chart`, … and `.Template`, set per file) used by all its
//! templates, and a subchart's `.Values` is the same map as its parent's
//! `.Values.<sub>`, so a `set` in one template is seen by later ones.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::gotemplate::{self, Entries, Exec, Map, Mark, Node, Set, Slice, SliceType, Value};

use super::chart::Chart;
use super::data::Data;
use super::funcs::{self, sv};
use super::glob::files_glob_matches;
use super::objects::{
    FILES, VALUES, capabilities, chart_object, files_object, release_object, template_object,
};
use super::output::{self, DocSource};
use super::sigs;
use super::values::{self, VMap};
use super::yamlout::to_yaml;
use super::{HelmDiagnostic, Severity};
use crate::yaml;

/// The Kubernetes version `.Capabilities` reports by default (Helm 4.1's).
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// Bounds on one template execution, against templates that recurse or loop
/// without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderLimits {
    /// Most nested `include` calls of one template name (or `tpl` calls)
    /// already open when one more is refused (Helm's `recursionMaxNums`,
    /// 1000: so 1001 nest).
    pub max_include_depth: usize,
    /// Most `{{range}}` iterations in one template file's execution.
    pub max_range_iters: u64,
    /// Most render steps for one render of a chart (all its templates):
    /// function calls plus the list and map elements they are given.
    pub max_steps: u64,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits {
            max_include_depth: 1000,
            max_range_iters: 1_000_000,
            max_steps: 10_000_000,
        }
    }
}
/// Stack for the rendering thread: deep `include` chains recurse in the engine.
const RENDER_STACK: usize = 256 * 1024 * 1024;

/// What to render a chart with, as `helm template` flags.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// `.Release.Name` (`release-name` by default, as `helm template`).
    pub release_name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Capabilities.KubeVersion` (`v1.35.0` by default).
    pub kube_version: String,
    /// Extra `.Capabilities.APIVersions` (`--api-versions`), on top of the
    /// built-in Kubernetes ones.
    pub api_versions: Vec<String>,
    /// `-f` values files, in order (later wins).
    pub value_files: Vec<yaml::Node>,
    /// `--set` expressions, in order.
    pub set: Vec<String>,
    /// `--set-string` expressions (every value a string).
    pub set_string: Vec<String>,
    /// `--set-json` expressions (`a=<json>`, or a whole JSON object).
    pub set_json: Vec<String>,
    /// `--set-file` expressions (`a=path`: the file's text).
    pub set_file: Vec<String>,
    /// `--set-literal` expressions (the rest of the flag, verbatim).
    pub set_literal: Vec<String>,
    /// `--is-upgrade`: `.Release.IsUpgrade` true, `.Release.IsInstall` false.
    pub is_upgrade: bool,
    /// Recursion and loop bounds.
    pub limits: RenderLimits,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: Vec::new(),
            value_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            set_json: Vec::new(),
            set_file: Vec::new(),
            set_literal: Vec::new(),
            is_upgrade: false,
            limits: RenderLimits::default(),
        }
    }
}

/// One rendered YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDoc {
    /// The template it came from, as Helm names it
    /// (`mychart/templates/deployment.yaml`, `mychart/charts/sub/templates/x.yaml`,
    /// `mychart/crds/crd.yaml` for a CRD file).
    pub template: String,
    /// The line in that template where the document's text starts.
    pub line: u32,
    /// The document's text, trimmed as Helm trims it.
    pub text: String,
    /// `kind` when the document has one.
    pub kind: String,
    /// `metadata.name` when the document has one.
    pub name: String,
    /// Whether it carries a `helm.sh/hook` annotation (Helm prints hooks last).
    pub hook: bool,
    /// Whether it is a file of a `crds/` folder (not templated by Helm).
    pub crd: bool,
}

/// The result of rendering a chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    /// Documents in Helm's order (CRDs first, then by kind install order,
    /// hooks last).
    pub docs: Vec<RenderedDoc>,
    /// The root chart's rendered `NOTES.txt`.
    pub notes: Option<String>,
    /// Every problem met (loading diagnostics are not repeated here).
    pub diagnostics: Vec<HelmDiagnostic>,
    /// The objects that manifest templates which failed to parse or to
    /// execute would have created, read from their literal text (each such
    /// failure is also in `diagnostics`).
    pub unrendered: Vec<UnrenderedObject>,
    /// The templates that failed to execute (each also in `diagnostics`),
    /// in execution order.
    pub failures: Vec<TemplateFailure>,
}

/// A template that failed to execute (a parse error is not one: no value
/// changes it), with the conditions that led execution to the failing
/// point, read from the template's own parse tree: what the `features-on`
/// profile needs to tell which of its toggles took the template there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFailure {
    /// The file, relative to the root chart (`charts/sub/templates/x.yaml`).
    pub file: String,
    /// The line of the template where it failed (a failure inside an
    /// `include`d helper is placed at the call, as Helm reports it), when
    /// known.
    pub line: Option<u32>,
    /// The keys from the root chart's values to this chart's (`["sub"]` for
    /// a subchart, its alias when aliased; empty for the root chart).
    pub values_key: Vec<String>,
    /// For each `if`/`with` block whose body holds the failing point,
    /// innermost first, the `.Values` paths its condition reads (relative
    /// to this chart's values, `a.b.enabled`).
    pub conditions: Vec<Vec<String>>,
    /// How many of the outermost of those blocks are gates: blocks without
    /// an `else` that hold everything the template (or the gate around
    /// them) writes, `{{- if .Values.backup.enabled }}` around the whole
    /// file. With a gate's condition false the template writes nothing.
    pub gates: usize,
    /// The diagnostic's message.
    pub message: String,
}

/// An object a manifest template would create, read from the template's own
/// text because the template failed to render (see [`Rendered::unrendered`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnrenderedObject {
    /// The template, as Helm names it (`mychart/templates/hpa.yaml`).
    pub template: String,
    /// The file, relative to the root chart (`templates/hpa.yaml`).
    pub file: String,
    /// The template line of the object's `kind:`.
    pub line: u32,
    /// The literal `apiVersion` of the same document, empty when the
    /// template computes it (`apiVersion: {{ include "x.apiVersion" . }}`).
    pub api_version: String,
    /// The literal `kind`.
    pub kind: String,
    /// The template stopped itself (`fail`, `required`): a check of the
    /// values by the chart's authors, rather than a template that cannot
    /// render (a missing partial, a function error, a parse error).
    pub deliberate: bool,
}

/// What one line of template text says about the object headers.
enum Header {
    /// `---`: a new document starts.
    Separator,
    /// `apiVersion:`, with its value when written literally.
    ApiVersion(Option<String>),
    /// `kind:` with a literal value, at a template line.
    Kind(String, u32),
}

/// Marks the bytes of `{{ … }}` actions in a text the template parser could
/// not read, keeping newlines, so that a line scan sees only literal text.
const ACTION_MARK: char = '\u{1}';

/// The objects a manifest template would create, from its parse tree: the
/// top-level `apiVersion:`/`kind:` lines of its literal text, in every branch
/// of `if`/`with`/`range` (a kind in a branch is a kind the template *can*
/// create). What comes from an action is unknown and yields nothing: a
/// `kind: {{ .Values.kind }}`, an object written by an `include`d partial or
/// a `template` call (the partial may serve many templates, and which one
/// failed is not known).
fn objects_from_tree(
    template: &str,
    file: &str,
    source: &str,
    tree: &gotemplate::Tree,
    deliberate: bool,
) -> Vec<UnrenderedObject> {
    let mut headers = Vec::new();
    collect_headers(&tree.root.nodes, source, &mut headers);
    pair_headers(template, file, headers, deliberate)
}

/// The objects of a template that does not even parse: the same line scan
/// over its text with every `{{ … }}` masked, as well as can be done without
/// a tree (a `kind:` inside a `{{ define }}` of the file would count).
fn objects_from_text(
    template: &str,
    file: &str,
    source: &str,
    deliberate: bool,
) -> Vec<UnrenderedObject> {
    let mut masked = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        masked.push_str(&rest[..open]);
        let action = &rest[open..];
        let end = action.find("}}").map_or(action.len(), |c| c + 2);
        masked.extend(
            action[..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ACTION_MARK }),
        );
        rest = &action[end..];
    }
    masked.push_str(rest);
    let mut headers = Vec::new();
    scan_text(&masked, 1, true, false, &mut headers);
    pair_headers(template, file, headers, deliberate)
}

fn collect_headers(nodes: &[Node], source: &str, out: &mut Vec<Header>) {
    for node in nodes {
        match node {
            Node::Text { pos, text } => {
                let start = *pos;
                let Some(before) = source.get(..start) else {
                    continue;
                };
                let line = 1 + before.matches('\n').count();
                let at_line_start = before.is_empty() || before.ends_with('\n');
                // Text followed directly by an action (`kind: Deploy{{ .x }}`)
                // does not end its last line: that value is not literal.
                let continues = source
                    .get(start + text.len()..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(|c| !c.is_whitespace());
                scan_text(
                    text,
                    u32::try_from(line).unwrap_or(u32::MAX),
                    at_line_start,
                    continues,
                    out,
                );
            }
            Node::If(b) | Node::With(b) | Node::Range(b) => {
                collect_headers(&b.list.nodes, source, out);
                if let Some(e) = &b.else_list {
                    collect_headers(&e.nodes, source, out);
                }
            }
            Node::Action { .. }
            | Node::Template { .. }
            | Node::Break { .. }
            | Node::Continue { .. } => {}
        }
    }
}

/// The header lines of one piece of literal text starting at template line
/// `line`: only lines that start a line of the template (column 1) count,
/// as a nested `kind:` (a `scaleTargetRef`'s) is indented.
fn scan_text(text: &str, line: u32, at_line_start: bool, continues: bool, out: &mut Vec<Header>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len() - 1;
    for (i, raw) in lines.iter().enumerate() {
        if i == 0 && !at_line_start {
            continue;
        }
        let complete = i < last || !continues;
        let l = raw.trim_end_matches('\r');
        let n = line.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        if let Some(after) = l.strip_prefix("---")
            && (after.trim().is_empty() || after.trim_start().starts_with('#'))
        {
            out.push(Header::Separator);
        } else if let Some(v) = l.strip_prefix("apiVersion:") {
            out.push(Header::ApiVersion(literal(v, complete)));
        } else if let Some(v) = l.strip_prefix("kind:")
            && let Some(kind) = literal(v, complete)
        {
            out.push(Header::Kind(kind, n));
        }
    }
}

/// A header's value when it is written literally and completely: a plain or
/// quoted scalar with nothing computed in it.
fn literal(value: &str, complete: bool) -> Option<String> {
    if !complete || value.contains(ACTION_MARK) {
        return None;
    }
    let v = value.trim();
    let v = match v.find(" #") {
        Some(i) => v[..i].trim_end(),
        None => v,
    };
    let v = v
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v);
    let valid = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_'));
    valid.then(|| v.to_owned())
}

/// Each `kind:` with the literal `apiVersion` of its document (the nearest
/// before it, else after it), once per line and kind.
fn pair_headers(
    template: &str,
    file: &str,
    headers: Vec<Header>,
    deliberate: bool,
) -> Vec<UnrenderedObject> {
    let mut out: Vec<UnrenderedObject> = Vec::new();
    for doc in headers.split(|h| matches!(h, Header::Separator)) {
        for (i, h) in doc.iter().enumerate() {
            let Header::Kind(kind, line) = h else {
                continue;
            };
            let api = |h: &Header| match h {
                Header::ApiVersion(Some(v)) => Some(v.clone()),
                _ => None,
            };
            let api_version = doc[..i]
                .iter()
                .rev()
                .find_map(api)
                .or_else(|| doc[i + 1..].iter().find_map(api))
                .unwrap_or_default();
            let object = UnrenderedObject {
                template: template.to_owned(),
                file: file.to_owned(),
                line: *line,
                api_version,
                kind: kind.clone(),
                deliberate,
            };
            if !out.contains(&object) {
                out.push(object);
            }
        }
    }
    out
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn diag(severity: Severity, file: &str, line: Option<u32>, message: String) -> HelmDiagnostic {
    HelmDiagnostic {
        severity,
        file: file.to_owned(),
        line,
        message,
        code: crate::diag::Code::TemplateError,
    }
}

/// The computed values (immutable [`Data`], see `data.rs`) as
/// template data: maps become shared engine maps, once per render.
fn engine_value(v: &Data) -> Value {
    match v {
        Data::Nil => Value::Nil,
        Data::Bool(b) => Value::Bool(*b),
        // `--set` types integers with strconv.ParseInt: int64.
        Data::Int(i) => Value::int64(*i),
        Data::Float(f) => Value::Float(*f),
        Data::String(x) => Value::String(x.clone()),
        Data::List(l) => Value::List(l.iter().map(engine_value).collect()),
        Data::Map(m) => Value::Map(engine_map(m)),
    }
}

fn engine_map(m: &VMap) -> Map {
    Map::new(
        m.iter()
            .map(|(k, v)| (k.clone(), engine_value(v)))
            .collect(),
    )
}

/// One chart of the tree as it renders: where its templates are named, and
/// its top-level objects (shared by all its templates, as in Helm).
struct Instance<'a> {
    chart: &'a Chart,
    /// `mychart` or `mychart/charts/sub`.
    full_path: String,
    /// The built-in objects; `.Template` is set before each file.
    top: Map,
}

/// Renders a chart with the given options. Never fails: problems are
/// diagnostics.
pub fn render(chart: &Chart, options: &RenderOptions) -> Rendered {
    // Deep include chains recurse in the engine; a big stack makes the depth
    // bound, not the stack, the limit. The stack is reserved, not committed.
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("helm-render".into())
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || render_here(chart, options))
            .map(|h| h.join())
    });
    match result {
        Ok(Ok(r)) => r,
        Ok(Err(_)) | Err(_) => Rendered {
            docs: Vec::new(),
            notes: None,
            diagnostics: vec![
                diag(
                    Severity::Error,
                    "",
                    None,
                    "the renderer stopped unexpectedly; nothing was rendered".into(),
                )
                .with_code(crate::diag::Code::Internal),
            ],
            unrendered: Vec::new(),
            failures: Vec::new(),
        },
    }
}

/// [`render`] on the calling thread.
pub(crate) fn render_here(chart: &Chart, options: &RenderOptions) -> Rendered {
    let mut diags = Vec::new();
    funcs::set_step_budget(options.limits.max_steps);

    // User values: -f files merged, then --set.
    let mut user = VMap::new();
    for (i, node) in options.value_files.iter().enumerate() {
        match values::node_to_value(node) {
            Data::Map(m) => values::merge_user(&mut user, &m),
            Data::Nil => {}
            _ => diags.push(
                diag(
                    Severity::Error,
                    "",
                    None,
                    format!("values file #{} is not a mapping; ignored", i + 1),
                )
                .with_code(crate::diag::Code::Values),
            ),
        }
    }
    values::apply_set_flags(&mut user, options, &mut diags);
    // Disabled dependencies are dropped before values are coalesced, as in Helm.
    let enabled = super::deps::enabled_tree(chart, &user);
    let chart: &Chart = &enabled;
    let vals = values::coalesce(chart, &user, &mut diags);
    super::schema::validate(chart, &vals, &mut diags);

    let caps = capabilities(options, &mut diags);
    // Helm refuses a chart whose kubeVersion excludes the target; we render anyway.
    let kv = caps
        .field("KubeVersion")
        .and_then(|k| k.field("Version"))
        .map(|v| sv(&v))
        .unwrap_or_default();
    // Helm's `IsCompatibleRange`: a constraint (or version) Masterminds
    // cannot parse is incompatible; only an absent kubeVersion passes.
    let constraint = chart.metadata.kube_version.as_str();
    if !constraint.is_empty() && !funcs::semver_matches(constraint, &kv).unwrap_or(false) {
        diags.push(diag(
            Severity::Error,
            "Chart.yaml",
            None,
            format!("chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kv}"),
        )
        .with_code(crate::diag::Code::ChartInvalid));
    }
    // Helm's install action (and so `helm template`) refuses a top-level
    // library chart before rendering (`CheckIfInstallable`).
    if chart.is_library() {
        diags.push(
            diag(
                Severity::Error,
                "Chart.yaml",
                None,
                "library charts are not installable".to_owned(),
            )
            .with_code(crate::diag::Code::ChartInvalid),
        );
    }
    let release = release_object(options);

    // The enabled chart instances, depth first, sharing one values tree.
    let mut instances: Vec<Instance<'_>> = Vec::new();
    let root_name = chart.metadata.name.clone();
    let root_values = engine_map(&vals);
    collect_instances(
        chart,
        root_name.clone(),
        &root_values,
        &caps,
        &release,
        true,
        &mut instances,
        0,
    );

    // Templates to parse, with Helm's names.
    struct Src<'a> {
        name: String,
        file: String,
        text: String,
        inst: usize,
        chart: &'a Chart,
    }
    let mut srcs: Vec<Src<'_>> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        for t in &inst.chart.templates {
            let base = t.name.rsplit('/').next().unwrap_or(&t.name);
            if inst.chart.is_library() && !base.starts_with('_') {
                continue;
            }
            srcs.push(Src {
                name: format!("{}/{}", inst.full_path, t.name),
                file: format!("{}{}", inst.chart.prefix, t.name),
                text: t.go_text(),
                inst: i,
                chart: inst.chart,
            });
        }
    }
    // Helm's sortTemplates: more path segments first, then reverse lexical.
    srcs.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });

    // Build the template set.
    let mut set = Set::new();
    set.limits = gotemplate::Limits {
        max_depth: options.limits.max_include_depth.saturating_mul(4).max(1),
        max_range_iters: options.limits.max_range_iters.max(1),
        max_output: funcs::MAX_TEXT,
    };
    funcs::register(&mut set);
    helm_funcs(&mut set, options.limits.max_include_depth);
    set.set_methods(Rc::new(call_method));
    sigs::register(&mut set);
    set.set_method_sigs(Rc::new(|v: &Value, name: &str| {
        sigs::method(v.type_name(), name)
    }));
    let mut entries: Vec<(String, String, usize, bool)> = Vec::new(); // (name, file, inst, is_manifest)
    // What failed templates would have created, read from their text.
    let mut unrendered: Vec<UnrenderedObject> = Vec::new();
    for src in &srcs {
        if let Err(e) = set.parse(&src.name, &src.text) {
            diags.push(diag(
                Severity::Error,
                &src.file,
                Some(e.line),
                // Helm's cleanupParseError: the location, then the last
                // part of Go's message.
                format!(
                    "parse error at ({}:{}): {}",
                    src.name,
                    e.line,
                    e.message.rsplit(": ").next().unwrap_or(&e.message)
                ),
            ));
            let base = src.name.rsplit('/').next().unwrap_or(&src.name);
            if !base.starts_with('_') && !base.ends_with("NOTES.txt") && !src.chart.is_library() {
                unrendered.extend(objects_from_text(&src.name, &src.file, &src.text, false));
            }
            continue;
        }
        let base = src.name.rsplit('/').next().unwrap_or(&src.name);
        let manifest = !base.starts_with('_') && !src.chart.is_library();
        entries.push((src.name.clone(), src.file.clone(), src.inst, manifest));
    }
    // Helm's template names → chart-relative files, to place error positions.
    let name_to_file: Vec<(String, String)> = srcs
        .iter()
        .map(|s| (s.name.clone(), s.file.clone()))
        .collect();

    // Execute in Helm's order: the parse order above (sortTemplates: deeper
    // paths first, then reverse lexical), partials skipped. Each chart's
    // top-level object is one shared map, so a template's `set` on `.` or
    // `.Values` is seen by the templates executed after it, as in Helm.
    let mut rendered_files: Vec<DocSource> = Vec::new();
    let mut notes = None;
    let mut failures: Vec<TemplateFailure> = Vec::new();
    for (name, file, inst_idx, manifest) in &entries {
        if !manifest {
            continue;
        }
        let inst = &instances[*inst_idx];
        // Helm's engine executes every chart's NOTES.txt (its errors and
        // side effects count); only the top-level chart's text is kept.
        // Helm's renderResources leaves out of the manifest every file whose
        // name ends in `NOTES.txt` (`MYNOTES.txt`, `templates/x/NOTES.txt`,
        // a subchart's), and keeps as notes only `<chart>/templates/NOTES.txt`.
        let is_notes = name.ends_with("NOTES.txt");
        let root_notes = *inst_idx == 0 && *name == format!("{root_name}/templates/NOTES.txt");
        let base_path = format!("{}/templates", inst.full_path);
        inst.top
            .insert("Template", template_object(name, &base_path));
        // Templates get the chart's top-level map as a `common.Values`
        // (`.Subcharts.<name>` holds it as a plain map).
        let data = Value::Map(inst.top.view(&VALUES));
        let mut marks = Vec::new();
        match set.execute(name, &data, Some(&mut marks)) {
            Ok(out) => {
                let (out, marks) = strip_no_value(&out, marks);
                if is_notes {
                    if root_notes {
                        notes = Some(out);
                    }
                } else {
                    rendered_files.push(DocSource {
                        template: name.clone(),
                        file: file.clone(),
                        output: out,
                        marks,
                    });
                }
            }
            Err(e) => {
                let d = exec_diagnostic(file, name, &e, &name_to_file);
                let deliberate = [
                    "execution error at (",
                    "error calling fail:",
                    "error calling required:",
                ]
                .iter()
                .any(|m| d.message.contains(m));
                let tree = set.lookup(name);
                // Where it failed in this file: the outermost location, a
                // node of this template's own tree (Helm's place for it).
                let at = e
                    .location
                    .as_ref()
                    .filter(|(f, _, _)| f == name)
                    .map(|(_, l, c)| (*l, *c));
                let mut blocks = Vec::new();
                let mut gates = 0;
                if let (Some(tree), Some((line, col))) = (&tree, at) {
                    let offset = line_offset(&tree.source, line) + col;
                    enclosing_conditions(&tree.root, offset, &mut blocks, 0);
                    let spine = gate_spine(&tree.root);
                    gates = blocks
                        .iter()
                        .rev()
                        .zip(&spine)
                        .take_while(|((pos, _), gate)| pos == *gate)
                        .count();
                }
                let conditions: Vec<Vec<String>> =
                    blocks.into_iter().map(|(_, paths)| paths).collect();
                failures.push(TemplateFailure {
                    file: file.clone(),
                    line: at.map(|(l, _)| l),
                    values_key: inst
                        .full_path
                        .split("/charts/")
                        .skip(1)
                        .map(str::to_owned)
                        .collect(),
                    conditions,
                    gates,
                    message: d.message.clone(),
                });
                diags.push(d);
                if is_notes {
                    continue;
                }
                if let Some(tree) = tree {
                    unrendered.extend(objects_from_tree(
                        name,
                        file,
                        &tree.source,
                        tree,
                        deliberate,
                    ));
                }
            }
        }
    }

    // CRDs, as-is, from every enabled chart.
    let mut crds = Vec::new();
    for inst in &instances {
        for f in inst.chart.crds() {
            crds.push((format!("{}/{}", inst.full_path, f.name), f.text()));
        }
    }
    // Output order is a separate sort: Helm's SortManifests walks the
    // rendered files by path before its stable sort by kind.
    rendered_files.sort_by(|a, b| a.template.cmp(&b.template));
    let docs = output::split_and_sort(&rendered_files, &crds, &mut diags);
    // A failing partial included by several templates is reported once.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert(d.clone()));
    Rendered {
        docs,
        notes,
        diagnostics: diags,
        unrendered,
        failures,
    }
}

/// The byte offset where 1-based `line` of `source` starts.
fn line_offset(source: &str, line: u32) -> usize {
    if line <= 1 {
        return 0;
    }
    source
        .match_indices('\n')
        .nth(line as usize - 2)
        .map_or(source.len(), |(i, _)| i + 1)
}

/// The offset a node starts at.
fn node_pos(node: &Node) -> usize {
    match node {
        Node::Text { pos, .. }
        | Node::Action { pos, .. }
        | Node::Template { pos, .. }
        | Node::Break { pos }
        | Node::Continue { pos } => *pos,
        Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
    }
}

/// The `.Values` paths the conditions of the `if`/`with` blocks whose body
/// holds byte `offset` read, innermost block first (one entry per block).
/// A block's `else` branch is not its body: there its condition was false.
/// `range` bodies are walked through without counting their collection.
/// Each entry comes with the block's offset.
fn enclosing_conditions(
    list: &gotemplate::List,
    offset: usize,
    out: &mut Vec<(usize, Vec<String>)>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    let Some(node) = list
        .nodes
        .iter()
        .take_while(|n| node_pos(n) <= offset)
        .last()
    else {
        return;
    };
    let (Node::If(b) | Node::Range(b) | Node::With(b)) = node else {
        return;
    };
    let in_else = b
        .else_list
        .as_ref()
        .and_then(|l| l.nodes.first())
        .is_some_and(|n| node_pos(n) <= offset);
    match (in_else, &b.else_list) {
        (true, Some(else_list)) => enclosing_conditions(else_list, offset, out, depth + 1),
        _ => {
            enclosing_conditions(&b.list, offset, out, depth + 1);
            if !matches!(node, Node::Range(_)) {
                let mut paths = Vec::new();
                pipe_values(&b.pipe, &mut paths, 0);
                out.push((b.pos, paths));
            }
        }
    }
}

/// The offsets of a template's gates, outermost first: while a body is
/// one `if`/`with` block without `else` and what writes nothing (white
/// space, variable declarations), that block is a gate and its body is
/// looked at next.
fn gate_spine(root: &gotemplate::List) -> Vec<usize> {
    let mut out = Vec::new();
    let mut list = root;
    while out.len() < 256 {
        let mut block = None;
        for node in &list.nodes {
            match node {
                Node::Text { text, .. } if text.trim().is_empty() => {}
                Node::Action { pipe, .. } if !pipe.decl.is_empty() => {}
                Node::If(b) | Node::With(b) if b.else_list.is_none() && block.is_none() => {
                    block = Some(b);
                }
                _ => return out,
            }
        }
        let Some(b) = block else {
            return out;
        };
        out.push(b.pos);
        list = &b.list;
    }
    out
}

/// The `.Values.a.b` / `$.Values.a.b` paths a pipeline reads (`a.b`).
fn pipe_values(pipe: &gotemplate::Pipe, out: &mut Vec<String>, depth: usize) {
    fn arg_values(arg: &gotemplate::Arg, out: &mut Vec<String>, depth: usize) {
        let fields = match arg {
            gotemplate::Arg::Field(_, f) => Some(f),
            gotemplate::Arg::Variable(_, v, f) if v == "$" => Some(f),
            gotemplate::Arg::Chain(_, inner, _) => {
                arg_values(inner, out, depth);
                None
            }
            gotemplate::Arg::Pipe(_, p) => {
                pipe_values(p, out, depth + 1);
                None
            }
            _ => None,
        };
        if let Some(f) = fields
            && f.len() > 1
            && &*f[0] == "Values"
        {
            let path = f[1..].iter().map(|s| &**s).collect::<Vec<_>>().join(".");
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    if depth > 256 {
        return;
    }
    for cmd in &pipe.cmds {
        for arg in &cmd.args {
            arg_values(arg, out, depth);
        }
    }
}

/// Helm's `strings.ReplaceAll(out, "<no value>", "")` on a file's output,
/// with the position marks moved to the shortened text.
fn strip_no_value(text: &str, mut marks: Vec<Mark>) -> (String, Vec<Mark>) {
    const NO_VALUE: &str = "<no value>";
    if !text.contains(NO_VALUE) {
        return (text.to_owned(), marks);
    }
    let hits: Vec<usize> = text.match_indices(NO_VALUE).map(|(i, _)| i).collect();
    for m in &mut marks {
        let before = hits.partition_point(|&h| h + NO_VALUE.len() <= m.offset);
        m.offset -= before * NO_VALUE.len();
    }
    (text.replace(NO_VALUE, ""), marks)
}

/// A failed template as a diagnostic in Helm's words. A `fail`/`required`
/// becomes Helm's `execution error at (name:line:col): message`, placed at
/// the innermost failing call, even inside a partial of another file.
fn exec_diagnostic(
    file: &str,
    name: &str,
    e: &gotemplate::Error,
    name_to_file: &[(String, String)],
) -> HelmDiagnostic {
    let text = e.to_string();
    let deliberate = ["error calling fail: ", "error calling required: "]
        .iter()
        .filter_map(|m| text.rfind(m).map(|i| (i, m.len())))
        .max();
    // Helm's reformatExecErrorMsg: the location is the second `: `-separated
    // token of the whole error, the outermost template's (an `include`d
    // helper's `fail` is reported where the top-level template called it).
    if let Some((at, len)) = deliberate
        && let Some(located) = text[..at].strip_prefix("template: ")
    {
        let loc = located.split(": ").next().unwrap_or("");
        let message = &text[at + len..];
        let mut parts = loc.rsplitn(3, ':');
        let _col = parts.next();
        let line = parts.next().and_then(|l| l.parse::<u32>().ok());
        let tname = parts.next().unwrap_or("");
        let (f, l) = match name_to_file.iter().find(|(n, _)| n == tname) {
            Some((_, f)) => (f.as_str(), line),
            None => (file, None),
        };
        return diag(
            Severity::Error,
            f,
            l,
            format!("execution error at ({loc}): {message}"),
        );
    }
    let line = e
        .location
        .as_ref()
        .filter(|(f, _, _)| f == name)
        .map(|(_, l, _)| *l);
    diag(Severity::Error, file, line, text)
}

/// Walks the enabled chart tree; returns the instance's top-level objects
/// (for the parent's `.Subcharts`).
#[allow(clippy::too_many_arguments)]
fn collect_instances<'a>(
    chart: &'a Chart,
    full_path: String,
    scoped: &Map,
    caps: &Value,
    release: &Value,
    is_root: bool,
    out: &mut Vec<Instance<'a>>,
    depth: usize,
) -> Map {
    let name = full_path
        .rsplit('/')
        .next()
        .unwrap_or(&full_path)
        .to_owned();
    let top = Map::default();
    // The chart's `.Values` is a `common.Values` (Helm's `Values.Table`
    // converts the parent's `.Values.<name>` map, sharing it).
    top.insert("Values", Value::Map(scoped.view(&VALUES)));
    top.insert("Release", release.clone());
    top.insert("Capabilities", caps.clone());
    top.insert("Chart", chart_object(chart, &name, is_root));
    top.insert("Files", files_object(chart));
    out.push(Instance {
        chart,
        full_path: full_path.clone(),
        top: top.clone(),
    });
    let subcharts = Map::default();
    if depth < 32 {
        // The tree is already pruned of disabled dependencies (`deps`).
        for inst in values::sub_instances(chart) {
            // The subchart's `.Values` is the parent's `.Values.<name>` map
            // itself (Helm's `Values.Table`), or a new one.
            let sub_scoped = match scoped.get(inst.name.as_str()) {
                Some(Value::Map(m)) => m,
                _ => Map::default(),
            };
            let sub_top = collect_instances(
                inst.chart,
                format!("{full_path}/charts/{}", inst.name),
                &sub_scoped,
                caps,
                release,
                false,
                out,
                depth + 1,
            );
            subcharts.insert(inst.name.as_str(), Value::Map(sub_top));
        }
    }
    top.insert("Subcharts", Value::Map(subcharts));
    top
}

/// Helm's engine functions: `include`, `tpl`, `required`, `fail`,
/// `lookup`. `include`/`tpl` nest at most `max_depth` deep (Helm: 1000).
fn helm_funcs(set: &mut Set, max_depth: usize) {
    let depth = Rc::new(RefCell::new(HashMap::new()));
    let d1 = depth.clone();
    set.add_func(
        "include",
        Rc::new(move |exec: &mut Exec<'_>, a: &[Value]| {
            let name = a.first().map(sv).unwrap_or_default();
            let data = a.get(1).cloned().unwrap_or(Value::Nil);
            let _guard = enter(&d1, max_depth, &name)?;
            if !exec.has_template(&name) {
                return Err(format!(
                    "template: no template {name:?} associated with template \"gotpl\""
                ));
            }
            exec.execute_template(&name, &data)
                .map(|x| Value::str(&x))
                .map_err(|e| e.to_string())
        }),
    );
    let d2 = depth;
    set.add_func(
        "tpl",
        Rc::new(move |exec: &mut Exec<'_>, a: &[Value]| {
            let text = a.first().map(sv).unwrap_or_default();
            let data = a.get(1).cloned().unwrap_or(Value::Nil);
            let _guard = enter(&d2, max_depth, "tpl")?;
            // Fast path: no action at all.
            if !text.contains("{{") {
                return Ok(Value::str(&text));
            }
            let out = exec
                .execute_text("gotpl", &text, &data)
                .map_err(|e| format!("error during tpl function execution for {text:?}: {e}"))?;
            Ok(Value::str(&out.replace("<no value>", "")))
        }),
    );
    set.add_plain("required", |a: &[Value]| {
        let msg = a.first().map(sv).unwrap_or_default();
        match a.get(1) {
            None | Some(Value::Nil) => Err(msg),
            Some(Value::String(x)) if x.is_empty() => Err(msg),
            Some(v) => Ok(v.clone()),
        }
    });
    set.add_plain("fail", |a: &[Value]| {
        Err(a.first().map(sv).unwrap_or_default())
    });
    set.add_plain("lookup", |_a: &[Value]| Ok(Value::map(Entries::new())));
}

/// One more nested `include` of `name` (or `tpl`), refused past the bound.
/// Helm's includeFun counts nested calls per template name and refuses a
/// call only when the name is already `> recursionMaxNums` (1000) deep, so
/// 1001 nested calls of one name render.
fn enter(
    depth: &Rc<RefCell<HashMap<String, usize>>>,
    max: usize,
    what: &str,
) -> Result<DepthGuard, String> {
    let mut counts = depth.borrow_mut();
    let n = counts.entry(what.to_owned()).or_insert(0);
    if *n > max {
        return Err(format!(
            "rendering template has a nested reference name: {what}: unable to execute template"
        ));
    }
    *n += 1;
    Ok(DepthGuard(depth.clone(), what.to_owned()))
}

struct DepthGuard(Rc<RefCell<HashMap<String, usize>>>, String);

impl Drop for DepthGuard {
    fn drop(&mut self) {
        if let Some(n) = self.0.borrow_mut().get_mut(&self.1) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Helm's object methods: `.Files.Get/GetBytes/Glob/AsConfig/AsSecrets/
/// Lines` and `.Capabilities.APIVersions.Has`.
fn call_method(receiver: &Value, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
    let arg0 = args.first().map(sv).unwrap_or_default();
    let files = |m: &Map| m.type_name() == Some(FILES.name);
    Some(Ok(match (method, receiver) {
        ("Has", Value::List(l)) => Value::Bool(l.iter().any(|v| sv(v) == arg0)),
        // `*semver.Version`'s comparisons, against another version.
        ("Compare" | "LessThan" | "GreaterThan" | "Equal", Value::Map(m))
            if m.type_name() == Some(funcs::SEMVER.name) =>
        {
            let ver = |v: &Value| {
                v.field("String")
                    .and_then(|s| s.as_str().and_then(super::semver::Version::parse))
            };
            let (Some(a), Some(b)) = (ver(receiver), args.first().and_then(ver)) else {
                return Some(Err("the argument is not a *semver.Version".to_owned()));
            };
            let ord = a.compare(&b);
            match method {
                "Compare" => Value::int(ord as i64),
                "LessThan" => Value::Bool(ord.is_lt()),
                "GreaterThan" => Value::Bool(ord.is_gt()),
                _ => Value::Bool(ord.is_eq()),
            }
        }
        // `Get` is `string(f[name])`; `GetBytes` the slice itself, or an
        // empty (not nil) one for a missing file.
        ("Get", Value::Map(m)) if files(m) => s(&m.get(&arg0).map(|v| sv(&v)).unwrap_or_default()),
        ("GetBytes", Value::Map(m)) if files(m) => {
            m.get(&arg0).unwrap_or_else(|| Value::bytes(&[]))
        }
        ("Glob", Value::Map(m)) if files(m) => {
            let sub: Entries = m
                .borrow()
                .iter()
                .filter(|(k, _)| files_glob_matches(&arg0, k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Map(Map::typed(&FILES, sub))
        }
        // Helm's `.Files` and `Glob` results are never nil maps, so an empty
        // one prints as `{}` (only a nil `Files` gives "").
        ("AsConfig" | "AsSecrets", Value::Map(m)) if files(m) => {
            let mut out = Entries::new();
            for (k, v) in m.borrow().iter() {
                let base = k.rsplit('/').next().unwrap_or(k);
                // AsSecrets encodes the file's own bytes (binary files too).
                let value = match (method, v.as_bytes()) {
                    ("AsSecrets", Some(raw)) => super::digest::b64encode(raw),
                    ("AsSecrets", None) => super::digest::b64encode(sv(v).as_bytes()),
                    _ => sv(v),
                };
                out.insert(Arc::from(base), s(&value));
            }
            s(&to_yaml(&Value::map(out)))
        }
        ("Lines", Value::Map(m)) if files(m) => {
            // Helm's `Lines` returns a `[]string` (`[]string{}` for a
            // missing file).
            let Some(v) = m.get(&arg0) else {
                return Some(Ok(Value::List(Slice::typed(SliceType::String, Vec::new()))));
            };
            let mut text = sv(&v);
            // Helm reads the last byte unchecked: an empty file panics.
            if text.is_empty() {
                return Some(Err("runtime error: index out of range [-1]".into()));
            }
            if text.ends_with('\n') {
                text.pop();
            }
            Value::List(Slice::typed(
                SliceType::String,
                text.split('\n').map(s).collect(),
            ))
        }
        _ => return None,
    }))
}
