//! From rendered template text to documents, in Helm's order, and back to
//! `helm template` text.

use super::render::{Rendered, RenderedDoc};
use super::{HelmDiagnostic, Severity};
use crate::gotemplate::Mark;
use crate::yaml;

/// One template's rendered text, with where its pieces come from.
pub(crate) struct DocSource {
    /// Helm's name for the template.
    pub template: String,
    /// Chart-relative file, for diagnostics.
    pub file: String,
    /// Rendered text, exactly as Helm's engine writes it.
    pub output: String,
    /// Template lines of the output's pieces, from the parse tree.
    pub marks: Vec<Mark>,
}

/// The template line of the text at `offset` of the clean output.
fn line_at(clean: &str, markers: &[Mark], offset: usize) -> u32 {
    let Some(m) = markers.iter().rev().find(|m| m.offset <= offset) else {
        return 1;
    };
    if m.action {
        return m.line;
    }
    let between = clean.get(m.offset..offset).unwrap_or("");
    m.line + u32::try_from(between.matches('\n').count()).unwrap_or(0)
}

/// The byte offset of a line and column (in characters) of `text`.
fn offset_of(text: &str, pos: yaml::Pos) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(pos.line.saturating_sub(1) as usize)
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(line_start..).unwrap_or("");
    line_start
        + rest
            .char_indices()
            .nth(pos.column.saturating_sub(1) as usize)
            .map_or(rest.len(), |(i, _)| i)
}

/// Helm's install order of kinds (`releaseutil.InstallOrder`).
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Helm's `lessByKind`: known kinds by install order, unknown kinds after,
/// alphabetically.
fn kind_less(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let pa = INSTALL_ORDER.iter().position(|k| *k == a);
    let pb = INSTALL_ORDER.iter().position(|k| *k == b);
    match (pa, pb) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The hook events Helm knows (`release.HookEvent`, and Helm 2's
/// `test-success` as `test`), lower case.
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Where and why decoding a document into Helm's `SimpleHead`
/// (`apiVersion`, `kind`, `metadata.name` strings, `metadata.annotations` a
/// `map[string]string`) fails, in `encoding/json`'s words: JSON's sorted key
/// order decides which wrong field is named. A scalar fits a string
/// (`sigs.k8s.io/yaml` converts it); a list or mapping does not.
fn head_error(root: &yaml::Node) -> Option<(yaml::Pos, String)> {
    const META: &str = "struct { Name string \"json:\\\"name\\\"\"; \
                        Annotations map[string]string \"json:\\\"annotations\\\"\" }";
    fn json_kind(v: &yaml::Value) -> &'static str {
        match v {
            yaml::Value::Null => "null",
            yaml::Value::Bool(_) => "bool",
            yaml::Value::Int(_) | yaml::Value::Float(_) => "number",
            yaml::Value::String(_) => "string",
            yaml::Value::Seq(_) => "array",
            yaml::Value::Map(_) => "object",
        }
    }
    let wrong = |node: &yaml::Node, into: &str| {
        Some((
            node.pos,
            format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into {into}",
                json_kind(&node.value)
            ),
        ))
    };
    let string_field = |node: &yaml::Node, field: &str| match node.value {
        yaml::Value::Seq(_) | yaml::Value::Map(_) => {
            wrong(node, &format!("Go struct field {field} of type string"))
        }
        _ => None,
    };
    let yaml::Value::Map(top) = &root.value else {
        return match root.value {
            yaml::Value::Null => None,
            _ => wrong(root, "Go value of type util.SimpleHead"),
        };
    };
    for key in ["apiVersion", "kind"] {
        if let Some(e) = top
            .get(key)
            .and_then(|n| string_field(n, &format!("SimpleHead.{key}")))
        {
            return Some(e);
        }
    }
    let meta = top.get("metadata")?;
    let m = match &meta.value {
        yaml::Value::Null => return None,
        yaml::Value::Map(m) => m,
        _ => {
            return wrong(
                meta,
                &format!("Go struct field SimpleHead.metadata of type {META}"),
            );
        }
    };
    if let Some(ann) = m.get("annotations") {
        match &ann.value {
            yaml::Value::Null => {}
            yaml::Value::Map(a) => {
                let mut entries: Vec<(&str, &yaml::Node)> = a.iter().collect();
                entries.sort_by(|x, y| x.0.cmp(y.0));
                for (_, v) in entries {
                    if let Some(e) = string_field(v, ".metadata.annotations") {
                        return Some(e);
                    }
                }
            }
            _ => {
                return wrong(
                    ann,
                    "Go struct field .metadata.annotations of type map[string]string",
                );
            }
        }
    }
    m.get("name")
        .and_then(|n| string_field(n, ".metadata.name"))
}

/// Splits rendered templates into documents (Helm's `SplitManifests`),
/// reads each one's kind/name/hook, and orders them as `helm template`.
pub(crate) fn split_and_sort(
    files: &[DocSource],
    crds: &[(String, String)],
    diags: &mut Vec<HelmDiagnostic>,
) -> Vec<RenderedDoc> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").ok();
    let limits = yaml::Limits::default();
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for f in files {
        let (clean, markers) = (&f.output, &f.marks);
        let trimmed = clean.trim();
        if trimmed.is_empty() {
            continue;
        }
        let base = clean.len() - clean.trim_start().len();
        let mut pieces: Vec<(usize, &str)> = Vec::new();
        match &sep {
            Some(re) => {
                let mut last = 0;
                for m in re.find_iter(trimmed) {
                    pieces.push((last, &trimmed[last..m.start()]));
                    last = m.end();
                }
                pieces.push((last, &trimmed[last..]));
            }
            None => pieces.push((0, trimmed)),
        }
        for (start, piece) in pieces {
            if piece.is_empty() {
                continue;
            }
            let lead = piece.len() - piece.trim_start().len();
            let text = piece.trim();
            let line = line_at(clean, markers, base + start + lead);
            let parsed = yaml::parse_str(text, &limits);
            // What makes Helm fail on this document: the YAML reader's first
            // error, else what Helm's manifest sorter refuses after the YAML
            // reads (what JSON cannot hold, then a head field of the wrong
            // type); each at the template line that wrote the offending text.
            let refused = if let Some(issue) = parsed
                .issues
                .iter()
                .find(|i| i.severity == yaml::IssueSeverity::Error)
            {
                Some((
                    issue.pos.map_or(0, |p| offset_of(text, p)),
                    issue.message.to_string(),
                ))
            } else if let Some(p) = parsed.json_error(0) {
                Some((
                    offset_of(text, p.pos),
                    format!("error converting YAML to JSON: {}", p.message),
                ))
            } else {
                parsed
                    .documents
                    .first()
                    .and_then(|d| head_error(&d.root))
                    .map(|(pos, message)| (offset_of(text, pos), message))
            };
            // Bytes that are not UTF-8 (a template file's, carried through
            // as Go strings carry them): helm refuses the chart, and so do we.
            let not_utf8 = match yaml::first_reader_error(text) {
                Some((at, yaml::ReaderError::Utf8(problem))) => Some((at, problem)),
                _ => None,
            };
            if let Some((at, problem)) = not_utf8 {
                diags.push(HelmDiagnostic {
                    code: crate::diag::Code::RenderedYaml,
                    severity: Severity::Error,
                    file: f.file.clone(),
                    line: Some(line_at(clean, markers, base + start + lead + at)),
                    message: format!(
                        "YAML parse error on {}: error converting YAML to JSON: yaml: {problem}",
                        f.template
                    ),
                });
            } else if let Some((at, message)) = refused {
                diags.push(HelmDiagnostic {
                    code: crate::diag::Code::RenderedYaml,
                    severity: Severity::Warning,
                    file: f.file.clone(),
                    line: Some(line_at(clean, markers, base + start + lead + at)),
                    message: format!(
                        "YAML parse error on {}: {message} (helm template would fail on this chart)",
                        f.template
                    ),
                });
            }
            // A comment-only document is kept (Helm prints it); it has no kind.
            let root = parsed.documents.first().map(|d| &d.root);
            let get = |p: &str| {
                root.and_then(|r| r.path(p))
                    .and_then(yaml::Node::scalar_text)
                    .unwrap_or_default()
            };
            let hook_value = root
                .and_then(|r| r.path("metadata.annotations"))
                .and_then(|a| a.get("helm.sh/hook"));
            let hook = hook_value.is_some();
            // Helm's manifest sorter skips a hook with any event it does not
            // know (Helm 2's `crd-install`, a typo, an empty value): the
            // document is neither printed nor installed.
            if let Some(events) = hook_value.and_then(|v| {
                if v.is_null() {
                    Some(String::new())
                } else {
                    v.scalar_text()
                }
            }) && let Some(unknown) = events
                .split(',')
                .map(|e| e.trim().to_lowercase())
                .find(|e| !HOOK_EVENTS.contains(&e.as_str()))
            {
                diags.push(HelmDiagnostic {
                    code: crate::diag::Code::Chart,
                    severity: Severity::Warning,
                    file: f.file.clone(),
                    line: Some(line),
                    message: format!(
                        "helm.sh/hook {events:?} names a hook event Helm does not know ({unknown:?}); \
                         Helm skips this document (it is neither printed nor installed)"
                    ),
                });
                continue;
            }
            let doc = RenderedDoc {
                template: f.template.clone(),
                line,
                text: text.to_owned(),
                kind: get("kind"),
                name: get("metadata.name"),
                hook,
                crd: false,
            };
            if hook {
                hooks.push(doc);
            } else {
                generic.push(doc);
            }
        }
    }
    generic.sort_by(|a, b| kind_less(&a.kind, &b.kind));
    hooks.sort_by(|a, b| kind_less(&a.kind, &b.kind));
    let mut out: Vec<RenderedDoc> = Vec::new();
    for (template, text) in crds {
        // Each document of a CRD file, for analysis; the writer prints files whole.
        let parsed = yaml::parse_str(text, &limits);
        let mut any = false;
        for d in &parsed.documents {
            if d.root.is_null() {
                continue;
            }
            any = true;
            out.push(RenderedDoc {
                template: template.clone(),
                line: d.root.pos.line,
                text: text.clone(),
                kind: d
                    .root
                    .path("kind")
                    .and_then(yaml::Node::scalar_text)
                    .unwrap_or_default(),
                name: d
                    .root
                    .path("metadata.name")
                    .and_then(yaml::Node::scalar_text)
                    .unwrap_or_default(),
                hook: false,
                crd: true,
            });
        }
        if !any {
            out.push(RenderedDoc {
                template: template.clone(),
                line: 1,
                text: text.clone(),
                kind: String::new(),
                name: String::new(),
                hook: false,
                crd: true,
            });
        }
    }
    out.extend(generic);
    out.extend(hooks);
    out
}

/// What `helm template` prints, by its output flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// `--include-crds`: print the `crds/` files first (off by default, as
    /// in Helm; analysis reads them either way).
    pub include_crds: bool,
    /// `--skip-tests`: leave out test hooks (`helm.sh/hook: test`).
    pub skip_tests: bool,
    /// `--no-hooks`: leave out every hook.
    pub no_hooks: bool,
    /// `--show-only`: only the manifests of these templates (Go
    /// `filepath.Match` patterns on the path below the chart's name, e.g.
    /// `templates/deployment.yaml` or `charts/sub/templates/*.yaml`).
    pub show_only: Vec<String>,
}

/// Whether a hook document is a test hook: one of its `helm.sh/hook`
/// events is `test` (or Helm 2's `test-success`).
fn is_test_hook(text: &str) -> bool {
    let parsed = yaml::parse_str(text, &yaml::Limits::default());
    let Some(events) = parsed
        .documents
        .first()
        .and_then(|d| d.root.path("metadata.annotations"))
        .and_then(|a| a.get("helm.sh/hook"))
        .and_then(yaml::Node::scalar_text)
    else {
        return false;
    };
    events.split(',').any(|e| {
        let e = e.trim().to_ascii_lowercase();
        e == "test" || e == "test-success"
    })
}

/// The render as `helm template` prints it: with `--include-crds` the CRD
/// files whole, then each document under a `# Source:` comment, hooks
/// last. Fails as Helm does when a `--show-only` pattern matches nothing.
///
/// As Helm's `template` command assembles it: the release manifest (CRDs,
/// then the other documents) with its surrounding whitespace trimmed and one
/// newline after it — so a render without any of them prints a lone `\n`,
/// and hooks alone come after that blank line — then each hook.
pub fn write_helm_template(rendered: &Rendered, print: &PrintOptions) -> Result<String, String> {
    let mut manifest = String::new();
    let mut hooks = String::new();
    let mut last_crd: Option<&str> = None;
    for d in &rendered.docs {
        if d.crd {
            if !print.include_crds {
                continue;
            }
            // A CRD file with several documents is printed once.
            if last_crd == Some(d.template.as_str()) {
                continue;
            }
            last_crd = Some(&d.template);
        }
        if d.hook && (print.no_hooks || (print.skip_tests && is_test_hook(&d.text))) {
            continue;
        }
        let out = if d.hook { &mut hooks } else { &mut manifest };
        out.push_str("---\n# Source: ");
        out.push_str(&d.template);
        out.push('\n');
        out.push_str(&d.text);
        out.push('\n');
    }
    let mut out = manifest.trim().to_owned();
    out.push('\n');
    out.push_str(&hooks);
    if print.show_only.is_empty() {
        return Ok(out);
    }
    show_only(&out, &print.show_only)
}

/// `helm template --show-only`: the printed text split into manifests
/// again (Helm's `SplitManifests`), and for each pattern in turn, every
/// manifest whose `# Source: <chart>/<path>` path matches it.
fn show_only(text: &str, patterns: &[String]) -> Result<String, String> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").map_err(|e| e.to_string())?;
    let manifests: Vec<&str> = sep
        .split(text.trim())
        .filter(|d| !d.is_empty())
        .map(str::trim)
        .collect();
    let mut out = String::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for m in &manifests {
            let Some(path) = m
                .find("# Source: ")
                .map(|i| &m[i + "# Source: ".len()..])
                .map(|rest| rest.lines().next().unwrap_or(""))
                .and_then(|src| src.split_once('/').map(|(_, p)| p))
            else {
                continue;
            };
            if path.is_empty() || !super::glob::matches(&pattern, path, false) {
                continue;
            }
            out.push_str("---\n");
            out.push_str(m);
            out.push('\n');
            found = true;
        }
        if !found {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(out)
}
