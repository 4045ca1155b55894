//! Loading a Helm chart from a folder or a packaged `.tgz`, in memory.
//!
//! Mirrors Helm's `pkg/chart/loader`: files are read into a flat list of
//! `(chart-relative path, bytes)`, `.helmignore` is applied (folders only, as
//! Helm does), and each file is classified: `Chart.yaml`, `values.yaml`,
//! `values.schema.json`, `requirements.yaml` (v1 charts), `templates/…`,
//! `charts/…` (subcharts, folders or nested archives, loaded recursively) and
//! every other file, which templates see through `.Files`.
//!
//! Loading never fails: every problem is a [`HelmDiagnostic`], and whatever
//! could be read is kept. Archives are read defensively: entries escaping the
//! root are rejected, symlinks are never followed, and the number of entries
//! and the total uncompressed size are capped by [`ChartLimits`].

use std::io::Read;
use std::path::Path;

use super::glob::helmignore_matches;
use super::{HelmDiagnostic, Severity};
use crate::diag::Code;
use crate::yaml;

/// Bounds against hostile charts. Every bound breached is a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartLimits {
    /// Most bytes read for one chart, subcharts and nested archives included
    /// (uncompressed).
    pub max_total_bytes: u64,
    /// Most files (archive entries) read for one chart, subcharts included.
    pub max_entries: usize,
    /// Deepest nesting of subcharts.
    pub max_subchart_depth: usize,
    /// Bounds for each YAML file read.
    pub yaml: yaml::Limits,
}

impl Default for ChartLimits {
    fn default() -> Self {
        ChartLimits {
            max_total_bytes: 64 * 1024 * 1024,
            max_entries: 10_000,
            max_subchart_depth: 16,
            yaml: yaml::Limits::default(),
        }
    }
}

/// One file of a chart: its path relative to the chart root (`/`-separated)
/// and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// Path relative to the chart's own root, e.g. `templates/deployment.yaml`.
    pub name: String,
    /// The file's bytes (a UTF-8 byte order mark is kept as read).
    pub data: Vec<u8>,
}

impl ChartFile {
    /// The file as text, without a leading UTF-8 byte order mark; invalid
    /// UTF-8 is replaced (templates see text, as Go's `string(bytes)` does).
    pub fn text(&self) -> String {
        let bytes = self
            .data
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.data);
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// The file as a Go string, as Helm's engine reads a template: without a
    /// leading UTF-8 byte order mark, bytes that are not UTF-8 carried as
    /// [`crate::gotemplate::go_string_from_bytes`] says (so a rendered
    /// manifest holding them is refused as go-yaml refuses it).
    pub fn go_text(&self) -> String {
        let bytes = self
            .data
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.data);
        crate::gotemplate::go_string_from_bytes(bytes)
    }
}

/// How a dependency's values are imported into the parent (`import-values`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportValue {
    /// `- data`: the child's `exports.data` is merged into the parent's root.
    Exports(String),
    /// `- child: a.b` / `parent: c.d`.
    Map {
        /// Path in the child's values.
        child: String,
        /// Path in the parent's values.
        parent: String,
    },
}

/// One entry of `dependencies` (Chart.yaml v2) or `requirements.yaml` (v1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dependency {
    /// Chart name.
    pub name: String,
    /// Version constraint.
    pub version: String,
    /// Repository URL (`https://`, `oci://`, `file://`, or empty).
    pub repository: String,
    /// Comma-separated values paths whose first boolean decides whether it renders.
    pub condition: String,
    /// Tags: `tags.<tag>` booleans in values.
    pub tags: Vec<String>,
    /// The name the subchart takes in this parent (and its values key).
    pub alias: String,
    /// `import-values`.
    pub import_values: Vec<ImportValue>,
    /// Line in Chart.yaml/requirements.yaml where the entry starts.
    pub line: u32,
}

impl Dependency {
    /// The name the subchart is known by in its parent: the alias if any.
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }
}

/// Chart.yaml, as Helm's `chart.Metadata` holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// `apiVersion` (`v1` when absent, as Helm defaults it).
    pub api_version: String,
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `appVersion` (a number is read as its text).
    pub app_version: String,
    /// `kubeVersion` constraint.
    pub kube_version: String,
    /// `description`.
    pub description: String,
    /// `type`: `application`, `library` or empty.
    pub chart_type: String,
    /// `home`.
    pub home: String,
    /// `icon`.
    pub icon: String,
    /// `condition` (legacy).
    pub condition: String,
    /// `tags` (legacy).
    pub tags: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `sources`.
    pub sources: Vec<String>,
    /// `annotations`, in file order.
    pub annotations: Vec<(String, String)>,
    /// Whether Chart.yaml has an `annotations` mapping at all: Helm shows
    /// an absent one as a nil map (`null` in `toYaml .Chart`), an empty
    /// one as `{}`.
    pub has_annotations: bool,
    /// `maintainers`: each one's `name`, `email` and `url` as given.
    pub maintainers: Vec<Vec<(String, String)>>,
    /// `dependencies` (v2) or `requirements.yaml` entries (v1).
    pub dependencies: Vec<Dependency>,
}

/// A loaded chart: metadata, values, templates, files and subcharts.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Where the chart sits relative to the root chart (`""` for the root,
    /// `charts/sub/` for a subchart); prefixes diagnostic file paths.
    pub prefix: String,
    /// Chart.yaml.
    pub metadata: Metadata,
    /// The root node of Chart.yaml (positions kept), `Null` when absent.
    pub chart_yaml: yaml::Node,
    /// values.yaml (an empty mapping when absent or not a mapping).
    pub values: yaml::Node,
    /// values.schema.json, parsed (validation is not done here).
    pub schema: Option<serde_json::Value>,
    /// Files under `templates/`, sorted by name.
    pub templates: Vec<ChartFile>,
    /// Every other file (what `.Files` sees), `crds/` included, sorted by name.
    pub files: Vec<ChartFile>,
    /// Subcharts from `charts/`, in name order.
    pub subcharts: Vec<Chart>,
    /// Every problem met while loading this chart and its subcharts.
    pub diagnostics: Vec<HelmDiagnostic>,
}

impl Chart {
    /// Whether Chart.yaml says `type: library` (such a chart renders nothing itself).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }

    /// The chart's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The `crds/` files Helm installs as-is (`.yaml`, `.yml`, `.json`).
    pub fn crds(&self) -> impl Iterator<Item = &ChartFile> {
        self.files.iter().filter(|f| {
            f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| f.name.ends_with(ext))
        })
    }

    /// The error `helm template` stops on before rendering when this
    /// (root) chart declares dependencies that charts/ does not hold, as
    /// Helm's `action.CheckDependencies` words it: every missing name (by
    /// name, not alias), in declaration order, whatever their conditions.
    /// Located at the first missing entry. `None` when all are present.
    pub fn missing_dependencies_error(&self) -> Option<HelmDiagnostic> {
        let missing: Vec<&Dependency> = self
            .metadata
            .dependencies
            .iter()
            .filter(|d| !self.subcharts.iter().any(|s| s.metadata.name == d.name))
            .collect();
        let first = missing.first()?;
        let file = if self.metadata.api_version == "v1" {
            "requirements.yaml"
        } else {
            "Chart.yaml"
        };
        let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
        Some(HelmDiagnostic {
            severity: Severity::Error,
            file: format!("{}{file}", self.prefix),
            line: Some(first.line),
            message: format!(
                "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
                names.join(", ")
            ),
            code: Code::DependencyMissing,
        })
    }

    /// Every diagnostic of this chart and of its subcharts, recursively.
    pub fn all_diagnostics(&self) -> Vec<HelmDiagnostic> {
        let mut out = self.diagnostics.clone();
        for sub in &self.subcharts {
            out.extend(sub.all_diagnostics());
        }
        out
    }

    fn empty(prefix: &str) -> Chart {
        Chart {
            prefix: prefix.to_owned(),
            metadata: Metadata::default(),
            chart_yaml: null_node(),
            values: empty_map_node(),
            schema: None,
            templates: Vec::new(),
            files: Vec::new(),
            subcharts: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

fn null_node() -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Null,
        pos: yaml::Pos::default(),
    }
}

fn empty_map_node() -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Map(yaml::Mapping::default()),
        pos: yaml::Pos { line: 1, column: 1 },
    }
}

/// The running budget shared by a chart and everything nested in it.
struct Budget {
    bytes_left: u64,
    entries_left: usize,
    limits: ChartLimits,
}

impl Budget {
    /// Takes one entry of `len` bytes from the budget; false when over.
    fn take(&mut self, len: u64) -> bool {
        if self.entries_left == 0 || len > self.bytes_left {
            return false;
        }
        self.entries_left -= 1;
        self.bytes_left -= len;
        true
    }
}

/// Loads a chart from a folder or a `.tgz`/`.tar.gz` file. Never fails: a
/// chart that cannot be read at all comes back empty with diagnostics.
pub fn load_chart(path: &Path, limits: &ChartLimits) -> Chart {
    let mut budget = Budget {
        bytes_left: limits.max_total_bytes,
        entries_left: limits.max_entries,
        limits: *limits,
    };
    let mut diags = Vec::new();
    let meta = std::fs::symlink_metadata(path);
    let files = match meta {
        Ok(m) if m.is_dir() => read_dir(path, &mut budget, &mut diags),
        Ok(m) if m.is_file() => match std::fs::read(path) {
            Ok(bytes) => read_archive(&bytes, "", &mut budget, &mut diags),
            Err(e) => {
                diags.push(
                    diag_error("", None, format!("cannot read the chart archive: {e}"))
                        .with_code(Code::Unreadable),
                );
                Vec::new()
            }
        },
        Ok(_) => {
            diags.push(
                diag_error(
                    "",
                    None,
                    "the chart path is neither a folder nor a file (symlinks are not followed)"
                        .into(),
                )
                .with_code(Code::Unreadable),
            );
            Vec::new()
        }
        Err(e) => {
            diags.push(
                diag_error("", None, format!("cannot read the chart: {e}"))
                    .with_code(Code::Unreadable),
            );
            Vec::new()
        }
    };
    let mut chart = load_files(files, "", 0, &mut budget);
    diags.append(&mut chart.diagnostics);
    chart.diagnostics = diags;
    chart
}

/// Loads a chart from the bytes of a packaged `.tgz`.
pub fn load_archive_bytes(bytes: &[u8], limits: &ChartLimits) -> Chart {
    let mut budget = Budget {
        bytes_left: limits.max_total_bytes,
        entries_left: limits.max_entries,
        limits: *limits,
    };
    let mut diags = Vec::new();
    let files = read_archive(bytes, "", &mut budget, &mut diags);
    let mut chart = load_files(files, "", 0, &mut budget);
    diags.append(&mut chart.diagnostics);
    chart.diagnostics = diags;
    chart
}

fn diag_error(file: &str, line: Option<u32>, message: String) -> HelmDiagnostic {
    HelmDiagnostic {
        severity: Severity::Error,
        file: file.to_owned(),
        line,
        message,
        code: Code::ChartInvalid,
    }
}

fn diag_warning(file: &str, line: Option<u32>, message: String) -> HelmDiagnostic {
    HelmDiagnostic {
        severity: Severity::Warning,
        file: file.to_owned(),
        line,
        message,
        code: Code::Chart,
    }
}

/// Reads a folder into chart-relative files, applying `.helmignore`.
fn read_dir(root: &Path, budget: &mut Budget, diags: &mut Vec<HelmDiagnostic>) -> Vec<ChartFile> {
    let rules = match std::fs::read(root.join(".helmignore")) {
        Ok(bytes) => {
            let text =
                String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
                    .into_owned();
            parse_helmignore(&text, diags)
        }
        // Helm adds its default rule (dot files in templates/) with or
        // without a .helmignore.
        Err(_) => parse_helmignore("", diags),
    };
    let mut out = Vec::new();
    // Iterative walk: nesting depth of hostile folders cannot blow the stack.
    let mut stack: Vec<String> = vec![String::new()];
    while let Some(rel_dir) = stack.pop() {
        let dir = if rel_dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&rel_dir)
        };
        let mut entries: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(Result::ok).collect(),
            Err(e) => {
                diags.push(
                    diag_error(&rel_dir, None, format!("cannot read the folder: {e}"))
                        .with_code(Code::Unreadable),
                );
                continue;
            }
        };
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                diags.push(
                    diag_warning(&rel_dir, None, "a file name is not UTF-8; skipped".into())
                        .with_code(Code::Chart),
                );
                continue;
            };
            let rel = if rel_dir.is_empty() {
                name.clone()
            } else {
                format!("{rel_dir}/{name}")
            };
            let Ok(ft) = entry.file_type() else { continue };
            let is_dir = ft.is_dir();
            if is_ignored(&rules, &rel, is_dir) {
                continue;
            }
            if ft.is_symlink() {
                diags.push(diag_warning(
                    &rel,
                    None,
                    "symbolic link not followed; skipped".into(),
                ));
                continue;
            }
            if is_dir {
                stack.push(rel);
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if !budget.take(len) {
                diags.push(diag_error(
                    &rel,
                    None,
                    format!(
                        "the chart is over its limits ({} files, {} bytes); this file and the rest are not read",
                        budget.limits.max_entries, budget.limits.max_total_bytes
                    ),
                ).with_code(Code::Limit));
                return out;
            }
            match std::fs::read(entry.path()) {
                Ok(data) => out.push(ChartFile { name: rel, data }),
                Err(e) => diags.push(
                    diag_error(&rel, None, format!("cannot read the file: {e}"))
                        .with_code(Code::Unreadable),
                ),
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One `.helmignore` rule.
struct IgnoreRule {
    pattern: String,
    negate: bool,
    must_dir: bool,
}

fn parse_helmignore(text: &str, diags: &mut Vec<HelmDiagnostic>) -> Vec<IgnoreRule> {
    // Helm always ignores dot files inside templates/.
    let mut rules = vec![IgnoreRule {
        pattern: "templates/.?*".into(),
        negate: false,
        must_dir: false,
    }];
    for (i, line) in text.lines().enumerate() {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            continue;
        }
        if p.contains("**") {
            diags.push(diag_warning(
                ".helmignore",
                u32::try_from(i + 1).ok(),
                "double-star (**) syntax is not supported by Helm; rule skipped".into(),
            ));
            continue;
        }
        let negate = p.starts_with('!');
        if negate {
            p = &p[1..];
        }
        let must_dir = p.ends_with('/');
        let p = p.trim_end_matches('/');
        if p.is_empty() {
            continue;
        }
        rules.push(IgnoreRule {
            pattern: p.to_owned(),
            negate,
            must_dir,
        });
    }
    rules
}

/// Helm's `ignore.Rules.Ignore`, negation quirks included.
fn is_ignored(rules: &[IgnoreRule], path: &str, is_dir: bool) -> bool {
    if path.is_empty() || path == "." {
        return false;
    }
    for r in rules {
        let matched = helmignore_matches(&r.pattern, path);
        if r.negate {
            if r.must_dir && !is_dir {
                return true;
            }
            if !matched {
                return true;
            }
            continue;
        }
        if r.must_dir && !is_dir {
            continue;
        }
        if matched {
            return true;
        }
    }
    false
}

/// A reader that fails once more than `left` bytes have been read, so a
/// decompression bomb stops at the budget rather than at the end of the input.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("uncompressed size over the limit"));
        }
        let n = self.inner.read(buf)?;
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

/// Reads a gzipped tar into files relative to its single top folder.
fn read_archive(
    bytes: &[u8],
    file_label: &str,
    budget: &mut Budget,
    diags: &mut Vec<HelmDiagnostic>,
) -> Vec<ChartFile> {
    // Headers and padding count too: allow a little over the data budget.
    let cap = budget
        .bytes_left
        .saturating_mul(2)
        .saturating_add(1024 * 1024);
    let reader = Capped {
        inner: flate2::read::GzDecoder::new(bytes),
        left: cap,
    };
    let mut archive = tar::Archive::new(reader);
    let mut out: Vec<ChartFile> = Vec::new();
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            diags.push(
                diag_error(file_label, None, format!("cannot read the archive: {e}"))
                    .with_code(Code::Unreadable),
            );
            return out;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    diag_error(
                        file_label,
                        None,
                        format!("cannot read the archive (is it a gzipped tar?): {e}"),
                    )
                    .with_code(Code::Unreadable),
                );
                break;
            }
        };
        let raw = entry.path_bytes().into_owned();
        let Ok(path) = String::from_utf8(raw) else {
            diags.push(diag_warning(
                file_label,
                None,
                "an archive entry name is not UTF-8; skipped".into(),
            ));
            continue;
        };
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_dir() {
            continue;
        }
        if path == "pax_global_header" {
            continue;
        }
        let norm = path.replace('\\', "/");
        if norm.starts_with('/')
            || norm.split('/').any(|c| c == "..")
            || norm.contains(':') && norm.find(':') == Some(1)
        {
            diags.push(
                diag_error(
                    file_label,
                    None,
                    format!("archive entry {path:?} escapes the chart folder; rejected"),
                )
                .with_code(Code::Limit),
            );
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            diags.push(diag_warning(
                file_label,
                None,
                format!("archive entry {path:?} is a link; not followed"),
            ));
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        // Helm strips the archive's top folder.
        let rel = norm.trim_start_matches("./");
        let Some((_, rel)) = rel.split_once('/') else {
            diags.push(diag_warning(
                file_label,
                None,
                format!("archive entry {path:?} is outside the chart's top folder; skipped"),
            ));
            continue;
        };
        let rel = rel.trim_start_matches('/').to_owned();
        if rel.is_empty() {
            continue;
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        if !budget.take(size) {
            diags.push(diag_error(
                file_label,
                None,
                format!(
                    "the archive is over its limits ({} files, {} bytes uncompressed); the rest is not read",
                    budget.limits.max_entries, budget.limits.max_total_bytes
                ),
            ).with_code(Code::Limit));
            break;
        }
        let mut data = Vec::new();
        if let Err(e) = (&mut entry).take(size).read_to_end(&mut data) {
            diags.push(
                diag_error(
                    file_label,
                    None,
                    format!("cannot read archive entry {path:?}: {e}"),
                )
                .with_code(Code::Unreadable),
            );
            break;
        }
        // Last entry of a name wins, as in Helm.
        out.retain(|f| f.name != rel);
        out.push(ChartFile { name: rel, data });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Classifies files into a chart, as Helm's `loader.LoadFiles`.
fn load_files(files: Vec<ChartFile>, prefix: &str, depth: usize, budget: &mut Budget) -> Chart {
    let mut chart = Chart::empty(prefix);
    let ylimits = budget.limits.yaml;
    let mut requirements: Option<ChartFile> = None;
    let mut chart_yaml: Option<ChartFile> = None;
    let mut values: Option<ChartFile> = None;
    let mut sub_groups: Vec<(String, Vec<ChartFile>)> = Vec::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => chart_yaml = Some(f),
            "values.yaml" => values = Some(f),
            "requirements.yaml" => requirements = Some(f),
            "values.schema.json" => {
                match serde_json::from_slice::<serde_json::Value>(
                    f.data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&f.data),
                ) {
                    Ok(v) => chart.schema = Some(v),
                    Err(e) => chart.diagnostics.push(
                        diag_error(
                            &format!("{prefix}values.schema.json"),
                            u32::try_from(e.line()).ok(),
                            format!("values.schema.json is not valid JSON: {e}"),
                        )
                        .with_code(Code::Values),
                    ),
                }
                chart.files.push(f);
            }
            name if name.starts_with("templates/") => chart.templates.push(f),
            name if name.starts_with("charts/") && !name.ends_with(".prov") => {
                let rest = &name["charts/".len()..];
                let (group, _) = rest.split_once('/').unwrap_or((rest, ""));
                let group = group.to_owned();
                match sub_groups.iter_mut().find(|(g, _)| *g == group) {
                    Some((_, v)) => v.push(f),
                    None => sub_groups.push((group, vec![f])),
                }
            }
            _ => chart.files.push(f),
        }
    }

    let has_chart_yaml = chart_yaml.is_some();
    match chart_yaml {
        Some(f) => {
            let file = format!("{prefix}Chart.yaml");
            let parsed = yaml::parse_bytes(&f.data, &ylimits);
            push_issues(&mut chart.diagnostics, &file, &parsed.issues);
            if let Some(doc) = parsed.documents.into_iter().next() {
                chart.metadata = read_metadata(&doc.root, &file, &mut chart.diagnostics);
                chart.chart_yaml = doc.root;
            }
        }
        None => chart.diagnostics.push(diag_error(
            &format!("{prefix}Chart.yaml"),
            None,
            "Chart.yaml file is missing".into(),
        )),
    }
    if chart.metadata.api_version.is_empty() {
        chart.metadata.api_version = "v1".into();
    }
    if let Some(f) = requirements {
        let file = format!("{prefix}requirements.yaml");
        if chart.metadata.api_version == "v1" {
            let parsed = yaml::parse_bytes(&f.data, &ylimits);
            push_issues(&mut chart.diagnostics, &file, &parsed.issues);
            if let Some(doc) = parsed.documents.first()
                && let Some(deps) = json_field(&doc.root, "dependencies", true)
            {
                chart.metadata.dependencies =
                    read_dependencies(deps, &file, &mut chart.diagnostics);
            }
        }
        chart.files.push(f);
    }
    // Helm validates the metadata once Chart.yaml and requirements.yaml
    // are both read (`Chart.Validate` at the end of `LoadFiles`).
    if has_chart_yaml {
        let file = format!("{prefix}Chart.yaml");
        validate_metadata(
            &mut chart.metadata,
            &chart.chart_yaml,
            &file,
            &mut chart.diagnostics,
        );
    }
    if let Some(f) = values {
        let file = format!("{prefix}values.yaml");
        // The documents before a separator Helm's reader refuses.
        let (text, refused) = super::values::values_reader_prefix(&f.data);
        let parsed = yaml::parse_bytes(text, &ylimits);
        // A document go-yaml cannot read stops Helm before the separator.
        let unreadable = parsed
            .issues
            .iter()
            .any(|i| i.severity == yaml::IssueSeverity::Error);
        push_issues(&mut chart.diagnostics, &file, &parsed.issues);
        // Every document, merged in order, as Helm's `LoadValues`.
        let (values, error) = super::values::load_values_documents(&parsed);
        let error = error.or(refused.filter(|_| !unreadable));
        chart.values = values;
        if let Some((line, message)) = error {
            chart.diagnostics.push(
                diag_error(
                    &file,
                    Some(line),
                    format!("cannot load values.yaml: {message}"),
                )
                .with_code(Code::Values),
            );
        }
    }

    // Subcharts.
    for (group, files) in sub_groups {
        if group.starts_with('_') || group.starts_with('.') {
            continue;
        }
        let sub_prefix = format!("{prefix}charts/{group}/");
        if depth + 1 > budget.limits.max_subchart_depth {
            chart.diagnostics.push(
                diag_error(
                    &sub_prefix,
                    None,
                    format!(
                        "subcharts nested deeper than {}; not loaded",
                        budget.limits.max_subchart_depth
                    ),
                )
                .with_code(Code::Limit),
            );
            continue;
        }
        let single_file = files.len() == 1 && files[0].name == format!("charts/{group}");
        if single_file {
            if group.ends_with(".tgz") {
                let label = format!("{prefix}charts/{group}");
                let mut diags = Vec::new();
                let inner = read_archive(&files[0].data, &label, budget, &mut diags);
                let mut sub = load_files(inner, &sub_prefix, depth + 1, budget);
                diags.append(&mut sub.diagnostics);
                sub.diagnostics = diags;
                chart.subcharts.push(sub);
            } else {
                // Helm loads every other entry of charts/ as a chart
                // folder, and this one has no Chart.yaml.
                chart.diagnostics.push(diag_error(
                    &format!("{prefix}charts/{group}"),
                    None,
                    format!(
                        "error unpacking subchart {group} in {}: Chart.yaml file is missing \
                         (a file in charts/ that is neither a chart folder nor a .tgz)",
                        chart.metadata.name
                    ),
                ));
            }
            continue;
        }
        let inner: Vec<ChartFile> = files
            .into_iter()
            .filter_map(|f| {
                let rest = f.name.get("charts/".len() + group.len() + 1..)?.to_owned();
                (!rest.is_empty()).then_some(ChartFile {
                    name: rest,
                    data: f.data,
                })
            })
            .collect();
        chart
            .subcharts
            .push(load_files(inner, &sub_prefix, depth + 1, budget));
    }

    // Declared dependencies that are not vendored.
    for dep in &chart.metadata.dependencies {
        let present = chart.subcharts.iter().any(|s| s.metadata.name == dep.name);
        if !present {
            let file =
                if chart.metadata.api_version == "v1" && !chart.metadata.dependencies.is_empty() {
                    format!("{prefix}requirements.yaml")
                } else {
                    format!("{prefix}Chart.yaml")
                };
            let repo = if dep.repository.is_empty() {
                String::new()
            } else {
                format!(" from {}", dep.repository)
            };
            chart.diagnostics.push(diag_warning(
                &file,
                Some(dep.line),
                format!(
                    "dependency {:?}{repo} is declared but not present in charts/ (run `helm dependency build`); it is not rendered",
                    dep.name
                ),
            ).with_code(Code::DependencyMissing));
        }
    }
    chart.templates.sort_by(|a, b| a.name.cmp(&b.name));
    chart.files.sort_by(|a, b| a.name.cmp(&b.name));
    chart
}

fn push_issues(diags: &mut Vec<HelmDiagnostic>, file: &str, issues: &[yaml::Issue]) {
    for issue in issues {
        diags.push(HelmDiagnostic {
            code: issue.code,
            severity: match issue.severity {
                yaml::IssueSeverity::Error => Severity::Error,
                yaml::IssueSeverity::Warning => Severity::Warning,
            },
            file: file.to_owned(),
            line: issue.pos.map(|p| p.line),
            message: issue.message.clone(),
        });
    }
}

fn text_of(node: Option<&yaml::Node>) -> String {
    node.and_then(yaml::Node::scalar_text).unwrap_or_default()
}

fn strings_of(node: Option<&yaml::Node>) -> Vec<String> {
    node.and_then(yaml::Node::as_seq)
        .map(|items| items.iter().filter_map(yaml::Node::scalar_text).collect())
        .unwrap_or_default()
}

/// Go's `encoding/json` match of a struct field (by its JSON name) in a
/// mapping, as Helm reads Chart.yaml: `sigs.k8s.io/yaml` turns the YAML
/// into JSON (keys sorted), then decodes it into the struct, where a key
/// names a field exactly or case-insensitively (`Name:`, `VERSION:`; Go's
/// folding makes `ſ` an `s` and the Kelvin sign a `k`). Every key that
/// matches is assigned in that order, so the last one wins; a null assigns
/// a string or a bool nothing (`null_assigns` false), a list or map nil.
fn json_field<'a>(node: &'a yaml::Node, field: &str, null_assigns: bool) -> Option<&'a yaml::Node> {
    node.as_map()?
        .iter()
        .filter(|(k, v)| json_name_matches(k, field) && (null_assigns || !v.is_null()))
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(_, v)| v)
}

/// Whether JSON key `key` names the field `field` (ASCII): equal once
/// folded as `encoding/json`'s `foldName` does (ASCII letters upper-cased,
/// other runes to the smallest of their case orbit).
fn json_name_matches(key: &str, field: &str) -> bool {
    let fold = |c: char| match c {
        'ſ' => 'S',
        '\u{212A}' => 'K',
        c => c.to_ascii_uppercase(),
    };
    key.chars().map(fold).eq(field.chars().map(fold))
}

fn read_metadata(root: &yaml::Node, file: &str, diags: &mut Vec<HelmDiagnostic>) -> Metadata {
    if root.as_map().is_none() {
        diags.push(diag_error(
            file,
            Some(root.pos.line),
            "Chart.yaml is not a mapping".into(),
        ));
        return Metadata::default();
    }
    let f = |k: &str| json_field(root, k, false);
    let list = |k: &str| json_field(root, k, true);
    let g = |k: &str| text_of(f(k));
    Metadata {
        api_version: g("apiVersion"),
        name: g("name"),
        version: g("version"),
        app_version: g("appVersion"),
        kube_version: g("kubeVersion"),
        description: g("description"),
        chart_type: g("type"),
        home: g("home"),
        icon: g("icon"),
        condition: g("condition"),
        tags: g("tags"),
        deprecated: f("deprecated")
            .and_then(yaml::Node::as_bool)
            .unwrap_or(false),
        keywords: strings_of(list("keywords")),
        sources: strings_of(list("sources")),
        annotations: list("annotations")
            .and_then(yaml::Node::as_map)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.to_owned(), v.scalar_text().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        has_annotations: list("annotations").and_then(yaml::Node::as_map).is_some(),
        maintainers: list("maintainers")
            .and_then(yaml::Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter(|m| m.as_map().is_some())
                    .map(|m| {
                        ["name", "email", "url"]
                            .into_iter()
                            .filter_map(|k| Some((k.to_owned(), json_field(m, k, false)?)))
                            .map(|(k, v)| (k, v.scalar_text().unwrap_or_default()))
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default(),
        dependencies: list("dependencies")
            .map(|d| read_dependencies(d, file, diags))
            .unwrap_or_default(),
    }
}

fn read_dependencies(
    node: &yaml::Node,
    file: &str,
    diags: &mut Vec<HelmDiagnostic>,
) -> Vec<Dependency> {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            diags.push(diag_error(
                file,
                Some(node.pos.line),
                "dependencies is not a list".into(),
            ));
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        if item.as_map().is_none() {
            diags.push(diag_error(
                file,
                Some(item.pos.line),
                "a dependency is not a mapping".into(),
            ));
            continue;
        }
        let g = |k: &str| text_of(json_field(item, k, false));
        let mut import_values = Vec::new();
        for iv in json_field(item, "import-values", true)
            .and_then(yaml::Node::as_seq)
            .unwrap_or(&[])
        {
            if let Some(s) = iv.scalar_text() {
                import_values.push(ImportValue::Exports(s));
            } else if iv.as_map().is_some() {
                import_values.push(ImportValue::Map {
                    child: text_of(iv.get("child")),
                    parent: text_of(iv.get("parent")),
                });
            }
        }
        let dep = Dependency {
            name: g("name"),
            version: g("version"),
            repository: g("repository"),
            condition: g("condition"),
            tags: strings_of(json_field(item, "tags", true)),
            alias: g("alias"),
            import_values,
            line: item.pos.line,
        };
        if dep.name.is_empty() {
            diags.push(diag_error(
                file,
                Some(item.pos.line),
                "a dependency has no name".into(),
            ));
            continue;
        }
        out.push(dep);
    }
    out
}

/// Go's `filepath.Base` (Unix): the last element, trailing slashes
/// dropped; `"."` for an empty path, `"/"` for slashes only.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// Helm's `sanitizeString`: every Unicode space becomes ' ', every other
/// non-printable character is dropped.
fn sanitize(s: &mut String) {
    if s.chars()
        .all(|c| c == ' ' || (!c.is_whitespace() && crate::gotemplate::is_go_print(c)))
    {
        return;
    }
    *s = s
        .chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if crate::gotemplate::is_go_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect();
}

/// Helm's `Metadata.Validate` (pkg/chart/v2): sanitizes the free-text
/// fields templates see through `.Chart`, then refuses a missing name or
/// version, a name that is not its own `filepath.Base` (a path), a version
/// Masterminds' loose `semver.NewVersion` cannot parse (`0.1`, `v1.2`,
/// `01.2.3` are fine), an unknown type, null maintainers or dependencies,
/// an alias with characters outside `[a-zA-Z0-9_-]`, and two dependencies
/// known by one name or alias.
fn validate_metadata(
    md: &mut Metadata,
    root: &yaml::Node,
    file: &str,
    diags: &mut Vec<HelmDiagnostic>,
) {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        sanitize(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        sanitize(s);
    }
    for m in &mut md.maintainers {
        for (_, v) in m.iter_mut() {
            sanitize(v);
        }
    }
    for d in &mut md.dependencies {
        for s in [
            &mut d.name,
            &mut d.version,
            &mut d.repository,
            &mut d.condition,
        ] {
            sanitize(s);
        }
        for t in &mut d.tags {
            sanitize(t);
        }
    }
    if md.name.is_empty() {
        diags.push(diag_error(
            file,
            None,
            "validation: chart.metadata.name is required".into(),
        ));
    } else if md.name != go_base(&md.name) {
        diags.push(diag_error(
            file,
            None,
            format!("validation: chart.metadata.name {:?} is invalid", md.name),
        ));
    }
    if md.version.is_empty() {
        diags.push(diag_error(
            file,
            None,
            "validation: chart.metadata.version is required".into(),
        ));
    } else if super::semver::Version::parse(&md.version).is_none() {
        diags.push(diag_error(
            file,
            None,
            format!(
                "validation: chart.metadata.version {:?} is invalid",
                md.version
            ),
        ));
    }
    if json_field(root, "maintainers", true)
        .and_then(yaml::Node::as_seq)
        .is_some_and(|items| items.iter().any(yaml::Node::is_null))
    {
        diags.push(diag_error(
            file,
            None,
            "validation: maintainers must not contain empty or null nodes".into(),
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for d in &md.dependencies {
        if !d.alias.is_empty()
            && !d
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            diags.push(diag_error(
                file,
                Some(d.line),
                format!(
                    "validation: dependency {:?} has disallowed characters in the alias",
                    d.name
                ),
            ));
        }
        let key = d.effective_name();
        if seen.contains(&key) {
            diags.push(diag_error(
                file,
                Some(d.line),
                format!("validation: more than one dependency with name or alias {key:?}"),
            ));
        } else {
            seen.push(key);
        }
    }
    if !md.api_version.is_empty() && md.api_version != "v1" && md.api_version != "v2" {
        diags.push(diag_error(
            file,
            None,
            format!(
                "validation: chart.metadata.apiVersion {:?} is not v1 or v2",
                md.api_version
            ),
        ));
    }
    if !md.chart_type.is_empty() && md.chart_type != "application" && md.chart_type != "library" {
        diags.push(diag_error(
            file,
            None,
            format!(
                "validation: chart.metadata.type must be application or library (not {:?})",
                md.chart_type
            ),
        ));
    }
}
