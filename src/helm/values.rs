//! Values as Helm computes them: chart defaults, user files and `--set`,
//! subchart scoping with `global`, dependency conditions and tags, and
//! `import-values`.
//!
//! Values are held as [`Data`] (immutable, shared; see `data.rs`).
//! Numbers read from YAML become floats, as Helm's `sigs.k8s.io/yaml` reads
//! them (`kindOf .Values.replicas` is `float64` in real Helm); `--set`
//! numbers are integers, as Helm's `strvals` parses them.

use std::sync::Arc;

use super::data::Data;

use super::chart::{Chart, Dependency, ImportValue};
use super::{HelmDiagnostic, Severity};
use crate::yaml;

pub(crate) use super::data::VMap;

/// A YAML node as template data (numbers as floats, as Helm reads YAML).
pub(crate) fn node_to_value(node: &yaml::Node) -> Data {
    match &node.value {
        yaml::Value::Null => Data::Nil,
        yaml::Value::Bool(b) => Data::Bool(*b),
        #[allow(clippy::cast_precision_loss)]
        yaml::Value::Int(i) => Data::Float(*i as f64),
        yaml::Value::Float(f) => Data::Float(*f),
        yaml::Value::String(s) => Data::String(Arc::from(s.as_str())),
        yaml::Value::Seq(items) => {
            Data::List(items.iter().map(node_to_value).collect::<Vec<_>>().into())
        }
        yaml::Value::Map(m) => Data::Map(Arc::new(
            m.iter()
                .map(|(k, v)| (Arc::from(k), node_to_value(v)))
                .collect(),
        )),
    }
}

/// How much of a values file Helm 4's `LoadValues` gets to parse, as
/// k8s.io's `YAMLReader` splits it into documents: a line starting with
/// `---` ends a document, and only spaces or a comment may follow the
/// dashes (`--- x`, `----`, `--- |` are refused). The document that ends
/// at the first refused line is never parsed, so what comes back is the
/// text up to the separator before it, with the refusal (its line, in
/// Helm's words after `cannot load values.yaml: `); all of `data` and
/// none when every separator is clean.
pub(crate) fn values_reader_prefix(data: &[u8]) -> (&[u8], Option<(u32, String)>) {
    let mut last_separator = 0;
    let mut start = 0;
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        let line_start = start;
        start += line.len() + 1;
        let Some(rest) = line.strip_prefix(b"---") else {
            continue;
        };
        let rest = String::from_utf8_lossy(rest);
        // Go's `strings.TrimSpace` (Unicode White_Space, as `str::trim`).
        let trimmed = rest.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            last_separator = line_start;
            continue;
        }
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        return (
            &data[..last_separator],
            Some((
                line_no,
                format!("error reading yaml document: invalid Yaml document separator: {trimmed}"),
            )),
        );
    }
    (data, None)
}

/// A values file as Helm 4's `LoadValues` reads it: every YAML document,
/// each converted to JSON as `sigs.k8s.io/yaml` does and decoded into a
/// `map[string]interface{}`, merged over the ones before (`MergeMaps`: maps
/// deeply, anything else replaced). An empty or null document adds nothing.
/// The first document Helm refuses stops the reading: its error (in Helm's
/// words after `cannot unmarshal yaml document: `) and line come back
/// with the documents merged before it.
pub(crate) fn load_values_documents(parsed: &yaml::Parsed) -> (yaml::Node, Option<(u32, String)>) {
    let mut merged = yaml::Mapping::default();
    let mut pos = yaml::Pos { line: 1, column: 1 };
    for (i, doc) in parsed.documents.iter().enumerate() {
        if i == 0 {
            pos = doc.root.pos;
        }
        if let Some(p) = parsed.json_error(i) {
            let err = format!(
                "cannot unmarshal yaml document: error converting YAML to JSON: {}",
                p.message
            );
            return (mapping_node(merged, pos), Some((p.pos.line, err)));
        }
        let what = match &doc.root.value {
            yaml::Value::Null => continue,
            yaml::Value::Map(m) => {
                merge_mappings(&mut merged, m.clone());
                continue;
            }
            yaml::Value::Seq(_) => "array",
            yaml::Value::String(_) => "string",
            yaml::Value::Bool(_) => "bool",
            yaml::Value::Int(_) | yaml::Value::Float(_) => "number",
        };
        let err = format!(
            "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: \
             json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
        );
        return (mapping_node(merged, pos), Some((doc.root.pos.line, err)));
    }
    (mapping_node(merged, pos), None)
}

fn mapping_node(m: yaml::Mapping, pos: yaml::Pos) -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Map(m),
        pos,
    }
}

/// Helm's `MergeMaps` on YAML mappings: `b` over `a`, maps merged deeply.
fn merge_mappings(a: &mut yaml::Mapping, b: yaml::Mapping) {
    for (k, (kpos, bnode)) in b.entries {
        match (a.entries.get_mut(&k), bnode.value) {
            (
                Some((
                    _,
                    yaml::Node {
                        value: yaml::Value::Map(am),
                        ..
                    },
                )),
                yaml::Value::Map(bm),
            ) => merge_mappings(am, bm),
            (_, value) => {
                a.entries.insert(
                    k,
                    (
                        kpos,
                        yaml::Node {
                            value,
                            pos: bnode.pos,
                        },
                    ),
                );
            }
        }
    }
}

/// Go's `%t` of a value: a bool as itself, anything else as `%!t(T=v)`,
/// lists and maps element by element.
fn go_percent_t(v: &Data) -> String {
    match v {
        Data::Nil => "%!t(<nil>)".to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::Int(i) => format!("%!t(int64={i})"),
        Data::Float(f) => format!("%!t(float64={})", crate::gotemplate::go_float(*f)),
        Data::String(s) => format!("%!t(string={s})"),
        Data::List(items) => format!(
            "[{}]",
            items.iter().map(go_percent_t).collect::<Vec<_>>().join(" ")
        ),
        Data::Map(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            format!(
                "map[{}]",
                entries
                    .iter()
                    .map(|(k, v)| format!("%!t(string={k}):{}", go_percent_t(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

/// The mapping inside a value, or an empty one.
pub(crate) fn as_map(v: &Data) -> Option<&VMap> {
    match v {
        Data::Map(m) => Some(m),
        _ => None,
    }
}

/// Helm's `mergeMaps` for user value files: maps merge deeply, anything else
/// in `b` replaces what `a` has.
pub(crate) fn merge_user(a: &mut VMap, b: &VMap) {
    for (k, v) in b {
        if let (Data::Map(bv), Some(Data::Map(av))) = (v, a.get_mut(k)) {
            merge_user(Arc::make_mut(av), bv);
            continue;
        }
        a.insert(k.clone(), v.clone());
    }
}

/// Helm's `coalesceValues`: a chart's defaults laid under the values `dst`
/// it is rendered with. A key only in the defaults is copied, nulls
/// included (a default `x: null` stays null); a null in `dst` deletes the
/// key (how a user deletes a default); tables merge (see
/// [`coalesce_tables`]), `dst` winning. `subcharts` names the keys that are
/// subchart scopes: their tables merge keeping `dst`'s nulls, which must
/// still delete the subchart's own defaults when its turn comes. With
/// `merge` (Helm's `MergeValues`) nulls are kept everywhere.
fn coalesce_values(dst: &mut VMap, defaults: &VMap, subcharts: &[String], merge: bool) {
    coalesce_level(dst, defaults, merge, true, |k| {
        subcharts.iter().any(|n| n == k)
    });
}

/// Helm's `coalesceTablesFullKey`: `src` laid under `dst`. Keys only in
/// `src` are copied (nulls included); tables merge recursively; `dst` wins
/// otherwise. Unless `merge`, a null in `dst` deletes the key when `src`
/// has a value for it that is not null (a null over a null, or for a key
/// `src` lacks, stays: Helm 4.1.4 keeps a subchart's nested null default
/// met by its own copy); with `merge` (subchart scopes, globals,
/// import-values) nulls stay.
pub(crate) fn coalesce_tables(dst: &mut VMap, src: &VMap, merge: bool) {
    coalesce_level(dst, src, merge, false, |_| false);
}

/// One level of [`coalesce_values`] / [`coalesce_tables`]: `src` laid under
/// `dst`; a table under a key for which `merges` holds merges keeping nulls.
/// At a chart's top level (`top`, Helm's `coalesceValues`) a null in `dst`
/// deletes the key whatever `src` holds; deeper (`coalesceTablesFullKey`)
/// only a default that is not null is deleted.
fn coalesce_level(
    dst: &mut VMap,
    src: &VMap,
    merge: bool,
    top: bool,
    merges: impl Fn(&str) -> bool,
) {
    for (k, sv) in src {
        match dst.get_mut(k) {
            None => {
                dst.insert(k.clone(), sv.clone());
            }
            Some(Data::Nil) => {
                if !merge && (top || !matches!(sv, Data::Nil)) {
                    dst.remove(k);
                }
            }
            Some(Data::Map(dv)) => {
                if let Data::Map(sm) = sv {
                    coalesce_tables(Arc::make_mut(dv), sm, merge || merges(k));
                }
            }
            Some(_) => {}
        }
    }
}

/// One subchart as its parent sees it: the loaded chart and the name it
/// takes (alias or name).
pub(crate) struct SubInstance<'a> {
    pub chart: &'a Chart,
    pub name: String,
}

/// Helm's `IsCompatibleRange` with the Masterminds syntax approximated:
/// `||` alternatives, space-separated conjunctions, `x` wildcards. A
/// constraint that cannot be parsed is compatible (we would rather render).
fn version_compatible(constraint: &str, version: &str) -> bool {
    let Ok(v) = semver::Version::parse(version.trim_start_matches('v')) else {
        return true;
    };
    let c = constraint.trim();
    if c.is_empty() {
        return true;
    }
    c.split("||").any(|alt| {
        let parts: Vec<String> = alt
            .split([' ', ','])
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.trim_start_matches('v')
                    .replace(".x", ".*")
                    .replace(".X", ".*")
            })
            .collect();
        // A bare version is an exact match in Masterminds.
        let joined = parts
            .iter()
            .map(|p| {
                if p.starts_with(|c: char| c.is_ascii_digit()) && !p.contains('*') {
                    format!("={p}")
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        semver::VersionReq::parse(&joined).map_or(true, |req| {
            req.matches(&v)
                || (!v.pre.is_empty()
                    && req.matches(&semver::Version::new(v.major, v.minor, v.patch)))
        })
    })
}

/// The subcharts of `chart` as Helm's `processDependencyEnabled` lists
/// them: each loaded subchart once per compatible dependency entry (aliases
/// give copies), and loaded subcharts no entry matches under their own name.
pub(crate) fn sub_instances(chart: &Chart) -> Vec<SubInstance<'_>> {
    let deps = &chart.metadata.dependencies;
    let mut out = Vec::new();
    for sub in &chart.subcharts {
        let matched = deps.iter().any(|d| {
            d.name == sub.metadata.name && version_compatible(&d.version, &sub.metadata.version)
        });
        if !matched {
            out.push(SubInstance {
                chart: sub,
                name: sub.metadata.name.clone(),
            });
        }
    }
    for d in deps {
        if let Some(sub) = chart.subcharts.iter().find(|s| {
            s.metadata.name == d.name && version_compatible(&d.version, &s.metadata.version)
        }) {
            out.push(SubInstance {
                chart: sub,
                name: d.effective_name().to_owned(),
            });
        }
    }
    out
}

/// Which defaults a chart contributes when values are coalesced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defaults {
    /// values.yaml as written (what Helm's dependency conditions see).
    Raw,
    /// values.yaml as Helm has rewritten it before rendering: for a chart
    /// with dependencies, its defaults merged with its subcharts' (nulls
    /// kept) and with the values its dependencies export (`import-values`).
    Processed,
}

/// Computed [`Defaults::Processed`] tables, by chart address: a chart's are
/// needed once per ancestor, and a deep tree must not recompute them.
type Cache = std::collections::HashMap<usize, VMap>;

/// The `.Values` of the root chart: user values (already merged) coalesced
/// with the defaults of the chart tree (already pruned of disabled
/// dependencies), as Helm's `ToRenderValues` does after
/// `ProcessDependenciesWithMerge`. Each subchart's scope is under its name;
/// `global` flows down, parent globals winning.
pub(crate) fn coalesce(chart: &Chart, user: &VMap, diags: &mut Vec<HelmDiagnostic>) -> VMap {
    let mut cache = Cache::new();
    let mut dest = user.clone();
    let mut from_defaults = Vec::new();
    let defaults = chart_defaults(
        chart,
        Defaults::Processed,
        0,
        &mut cache,
        &mut from_defaults,
    );
    let mut from_user = Vec::new();
    coalesce_into(
        chart,
        &mut dest,
        &defaults,
        Defaults::Processed,
        false,
        0,
        &mut cache,
        &mut from_user,
    );
    // Helm coalesces the user's values with the defaults first (enabling
    // dependencies), the defaults alone after (import values), and stops
    // at the first subchart value that is not a table: one met with the
    // user's values hides those of the defaults alone.
    let is_mismatch = |d: &HelmDiagnostic| {
        d.code == crate::diag::Code::Values && d.message.contains("type mismatch on ")
    };
    if from_user.iter().any(is_mismatch) {
        from_defaults.retain(|d| !is_mismatch(d));
    }
    for d in from_user.into_iter().chain(from_defaults) {
        if !diags.contains(&d) {
            diags.push(d);
        }
    }
    dest
}

/// User values coalesced with the defaults as written, the tree's
/// dependencies not yet processed: what Helm evaluates dependency
/// conditions and tags against.
pub(crate) fn coalesce_raw(chart: &Chart, user: &VMap) -> VMap {
    let mut cache = Cache::new();
    let mut diags = Vec::new();
    let mut dest = user.clone();
    let defaults = chart_defaults(chart, Defaults::Raw, 0, &mut cache, &mut diags);
    coalesce_into(
        chart,
        &mut dest,
        &defaults,
        Defaults::Raw,
        false,
        0,
        &mut cache,
        &mut diags,
    );
    dest
}

/// A chart's defaults, by `mode`. For [`Defaults::Processed`] and a chart
/// with dependencies this is Helm's `processImportValues` in merge mode:
/// `MergeValues(chart, nil)` (the tree's defaults, nulls kept) with the
/// imported tables laid under it.
fn chart_defaults(
    chart: &Chart,
    mode: Defaults,
    depth: usize,
    cache: &mut Cache,
    diags: &mut Vec<HelmDiagnostic>,
) -> VMap {
    let own = match node_to_value(&chart.values) {
        Data::Map(m) => (*m).clone(),
        _ => VMap::new(),
    };
    if mode == Defaults::Raw || chart.metadata.dependencies.is_empty() || depth > MAX_DEPTH {
        return own;
    }
    let key = std::ptr::from_ref(chart) as usize;
    if let Some(done) = cache.get(&key) {
        return done.clone();
    }
    let mut merged = VMap::new();
    coalesce_into(chart, &mut merged, &own, mode, true, depth, cache, diags);
    let imported = import_table(chart, &merged);
    coalesce_tables(&mut merged, &imported, true);
    cache.insert(key, merged.clone());
    merged
}

/// Deepest subchart nesting walked when coalescing.
const MAX_DEPTH: usize = 32;

/// Helm's `coalesce`: `defaults` (the chart's own) under `dest`, then each
/// subchart's defaults under its scope, globals first. `merge` keeps nulls
/// (Helm's `MergeValues`); otherwise a null deletes the default it meets.
#[allow(clippy::too_many_arguments)]
fn coalesce_into(
    chart: &Chart,
    dest: &mut VMap,
    defaults: &VMap,
    mode: Defaults,
    merge: bool,
    depth: usize,
    cache: &mut Cache,
    diags: &mut Vec<HelmDiagnostic>,
) {
    let subs: Vec<String> = sub_instances(chart).into_iter().map(|i| i.name).collect();
    coalesce_values(dest, defaults, &subs, merge);
    if depth > MAX_DEPTH {
        return;
    }
    for inst in sub_instances(chart) {
        let key: Arc<str> = Arc::from(inst.name.as_str());
        let mut sub = match dest.get(&key) {
            Some(Data::Map(m)) => (**m).clone(),
            None => VMap::new(),
            // A null that reached here is one of the defaults (a user null
            // deletes the key it meets): Helm's merge of the defaults keeps
            // it, and coalesceDeps refuses it (`%!t(<nil>)`) as it refuses
            // any other value that is not a table.
            Some(other) => {
                // Helm's coalesceDeps refuses the chart (`%t` of the value);
                // through a declared dependency, ProcessDependencies says so.
                let declared = chart
                    .metadata
                    .dependencies
                    .iter()
                    .any(|d| d.effective_name() == inst.name);
                diags.push(HelmDiagnostic {
                    code: crate::diag::Code::Values,
                    severity: Severity::Error,
                    file: format!("{}values.yaml", chart.prefix),
                    line: None,
                    message: format!(
                        "{}type mismatch on {}: {}",
                        if declared {
                            "chart dependencies processing failed: "
                        } else {
                            ""
                        },
                        inst.name,
                        go_percent_t(other)
                    ),
                });
                VMap::new()
            }
        };
        coalesce_globals(&mut sub, dest);
        let sub_defaults = chart_defaults(inst.chart, mode, depth + 1, cache, diags);
        coalesce_into(
            inst.chart,
            &mut sub,
            &sub_defaults,
            mode,
            merge,
            depth + 1,
            cache,
            diags,
        );
        dest.insert(key, Data::Map(Arc::new(sub)));
    }
}

/// What `chart`'s dependencies export to it (`import-values`), from the
/// merged defaults `cvals` (never from user values, as in Helm): for each
/// entry, `child: a.b` / `parent: c.d` puts the child's table `a.b` at
/// `c.d`, a bare `name` puts the child's `exports.name` table at the root.
/// Earlier imports win over later ones; only tables are imported.
fn import_table(chart: &Chart, cvals: &VMap) -> VMap {
    let mut out = VMap::new();
    for dep in &chart.metadata.dependencies {
        let name = dep.effective_name();
        for iv in &dep.import_values {
            let (path, parent) = match iv {
                ImportValue::Exports(e) => (format!("{name}.exports.{e}"), "."),
                ImportValue::Map { child, parent } => (format!("{name}.{child}"), parent.as_str()),
            };
            let Some(Data::Map(table)) = table_at(cvals, &path) else {
                continue;
            };
            let mut placed = Data::Map(table.clone());
            if parent != "." {
                for part in parent.split('.').rev() {
                    let mut m = VMap::new();
                    m.insert(Arc::from(part), placed);
                    placed = Data::Map(Arc::new(m));
                }
            }
            if let Data::Map(m) = placed {
                coalesce_tables(&mut out, &m, true);
            }
        }
    }
    out
}

/// Helm's `Values.Table`: the table at a dotted path (every segment a table).
fn table_at<'a>(m: &'a VMap, path: &str) -> Option<&'a Data> {
    let mut parts = path.split('.');
    let mut cur = m.get(parts.next()?)?;
    for p in parts {
        cur = as_map(cur)?.get(p)?;
    }
    matches!(cur, Data::Map(_)).then_some(cur)
}

/// Helm's `coalesceGlobals`: the parent's `global` is merged into the
/// subchart's, the parent winning.
fn coalesce_globals(sub: &mut VMap, parent: &VMap) {
    let pg = match parent.get("global") {
        Some(Data::Map(m)) => (**m).clone(),
        _ => VMap::new(),
    };
    let mut sg = match sub.get("global") {
        Some(Data::Map(m)) => (**m).clone(),
        Some(Data::Nil) | None => VMap::new(),
        Some(_) => return,
    };
    for (k, v) in pg {
        match (&v, sg.get(&k)) {
            (Data::Map(pv), Some(Data::Map(sv))) => {
                let mut merged = (**pv).clone();
                coalesce_tables(&mut merged, sv, true);
                sg.insert(k, Data::Map(Arc::new(merged)));
            }
            (_, Some(Data::Map(_))) if !matches!(v, Data::Map(_)) => {}
            _ => {
                sg.insert(k, v);
            }
        }
    }
    sub.insert(Arc::from("global"), Data::Map(Arc::new(sg)));
}

/// The value at a dotted path.
pub(crate) fn path_value<'a>(m: &'a VMap, path: &str) -> Option<&'a Data> {
    let mut parts = path.split('.').filter(|p| !p.is_empty());
    let first = parts.next()?;
    let mut cur = m.get(first)?;
    for p in parts {
        cur = as_map(cur)?.get(p)?;
    }
    Some(cur)
}

/// Whether a dependency renders, by Helm's rules: tags first (any true tag
/// enables, only-false tags disable), then the first condition path that
/// holds a boolean. `top` are the root chart's values (tags live there),
/// `path` the subchart's parent path from the root (`""` or `a.b.`).
pub(crate) fn dependency_enabled(dep: &Dependency, top: &VMap, path: &str) -> bool {
    let mut enabled = true;
    if let Some(Data::Map(tags)) = top.get("tags") {
        let mut has_true = false;
        let mut has_false = false;
        for t in &dep.tags {
            match tags.get(t.as_str()) {
                Some(Data::Bool(true)) => has_true = true,
                Some(Data::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        if !has_true && has_false {
            enabled = false;
        }
    }
    // Helm trims the whole condition, not each path: `a, b` looks up ` b`,
    // which never resolves.
    for c in dep.condition.trim().split(',') {
        if c.is_empty() {
            continue;
        }
        if let Some(Data::Bool(b)) = path_value(top, &format!("{path}{c}")) {
            enabled = *b;
            break;
        }
    }
    enabled
}

/// Lays the `--set` family of flags over the user's values, in Helm's
/// order (`--set-json`, `--set`, `--set-string`, `--set-file`,
/// `--set-literal`; each flag's expressions in the order given). A flag
/// that cannot be parsed is an error diagnostic; what it set before the
/// error stays (Helm would stop; we still render).
pub(crate) fn apply_set_flags(
    user: &mut VMap,
    options: &super::RenderOptions,
    diags: &mut Vec<HelmDiagnostic>,
) {
    use super::strvals::{Mode, parse_into};
    let mut read_file =
        |path: &str| std::fs::read_to_string(path).map_err(|e| format!("open {path}: {e}"));
    let mut fail = |message: String| {
        diags.push(HelmDiagnostic {
            severity: Severity::Error,
            file: String::new(),
            line: None,
            message,
            code: crate::diag::Code::Values,
        });
    };
    for expr in &options.set_json {
        let trimmed = expr.trim();
        if trimmed.starts_with('{') {
            // The whole flag is one JSON object, merged like a values file.
            match serde_json::from_str::<serde_json::Value>(trimmed) {
                Ok(v @ serde_json::Value::Object(_)) => {
                    if let Data::Map(m) = super::strvals::from_json(&v) {
                        merge_user(user, &m);
                    }
                }
                _ => fail(format!("failed parsing --set-json data JSON: {expr}")),
            }
        } else if let Err(e) = parse_into(expr, user, Mode::Json, &mut read_file) {
            fail(format!("failed parsing --set-json data {expr}: {e}"));
        }
    }
    let flags = [
        ("--set", &options.set, Mode::Typed),
        ("--set-string", &options.set_string, Mode::String),
        ("--set-file", &options.set_file, Mode::File),
        ("--set-literal", &options.set_literal, Mode::Literal),
    ];
    for (flag, exprs, mode) in flags {
        for expr in exprs {
            if let Err(e) = parse_into(expr, user, mode, &mut read_file) {
                fail(format!("failed parsing {flag} data: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_reader_refuses_text_after_a_separator() {
        let clean = b"--- # c\na: 1\n---  \n----x-free: 1\n";
        // `----x-free` starts with `---`: refused, the document before it
        // (after the clean `---  `) never parsed.
        let (text, err) = values_reader_prefix(clean);
        assert_eq!(text, b"--- # c\na: 1\n");
        assert_eq!(
            err,
            Some((
                4,
                "error reading yaml document: invalid Yaml document separator: -x-free: 1".into()
            ))
        );
        let (text, err) = values_reader_prefix(b"a: 1\n--- x\n");
        assert_eq!((text, err.map(|e| e.0)), (&b""[..], Some(2)));
        let fine = b"a: 1\n--- # c\nb: 2\n  --- x\n";
        assert_eq!(values_reader_prefix(fine), (&fine[..], None));
    }

    #[allow(dead_code)]
    fn show(v: &Data) -> String {
        match v {
            Data::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}:{}", show(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Data::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(",")),
            Data::String(s) => format!("{s:?}"),
            Data::Nil => "nil".into(),
            other => other.to_string(),
        }
    }

    #[test]
    fn compatibility() {
        assert!(version_compatible("0.0.1", "0.0.1"));
        assert!(!version_compatible("0.0.2", "0.0.1"));
        assert!(version_compatible(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(version_compatible("1.x.x", "1.5.0"));
        assert!(version_compatible("~1.2 || ^3", "3.1.0"));
        assert!(version_compatible("", "3.1.0"));
    }
}
