//! Joining the reports of `analyze --shard I/N` runs into the report one
//! unsharded run writes: targets in path order, summaries added up (phase
//! means recomputed from the targets), histories and gate failures in the
//! run's order, run-level diagnostics those every shard reported. Targets
//! and histories are copied byte for byte, so nothing a shard said is lost
//! or reworded; only `run` (the first shard's, without its `shard`) differs
//! from an unsharded run's.

use super::{RunInfo, Summary, nested};
use crate::discover::version_aware_cmp;
use crate::phase::Phase;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why reports cannot be merged.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct MergeError {
    /// The report at fault (or the output).
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// The two report formats that can be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Jsonl,
}

/// One report read: its top-level fields in their order (JSON Lines: the
/// summary line's), and its targets, all borrowed from the file's text.
struct Part<'a> {
    file: String,
    kind: Kind,
    top: IndexMap<String, &'a RawValue>,
    targets: Vec<&'a RawValue>,
}

/// What merging reads of each target.
#[derive(Deserialize)]
struct TargetKeys {
    #[serde(default)]
    id: Option<String>,
    path: String,
    #[serde(default)]
    layout: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: Option<String>,
    grade: String,
    phases: BTreeMap<Phase, Coverage>,
}

#[derive(Deserialize)]
struct Coverage {
    coverage: f64,
}

/// What merging reads of each history and gate failure.
#[derive(Deserialize)]
struct HistoryKeys {
    package: String,
    path: String,
}

#[derive(Deserialize)]
struct GateKeys {
    target: String,
}

fn error(file: &str, message: impl Into<String>) -> MergeError {
    MergeError {
        file: file.to_string(),
        message: message.into(),
    }
}

fn read<'a>(file: &str, text: &'a str) -> Result<Part<'a>, MergeError> {
    let bad = |e: serde_json::Error| {
        error(
            file,
            format!("not a caplevel JSON or JSON Lines report: {e}"),
        )
    };
    let first = text.lines().next().unwrap_or_default();
    let line: Option<IndexMap<String, &RawValue>> = serde_json::from_str(first).ok();
    if line.as_ref().is_some_and(|l| l.contains_key("type")) {
        let mut top = None;
        let mut targets = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let fields: IndexMap<String, &RawValue> = serde_json::from_str(line)
                .map_err(|e| error(file, format!("line {}: {e}", n + 1)))?;
            match fields.get("type").map(|t| t.get()) {
                Some("\"target\"") => targets.push(serde_json::from_str(line).map_err(bad)?),
                Some("\"summary\"") => top = Some(fields),
                _ => return Err(error(file, format!("line {}: no known `type`", n + 1))),
            }
        }
        let top = top.ok_or_else(|| error(file, "no summary line (was the run cut short?)"))?;
        return Ok(Part {
            file: file.to_string(),
            kind: Kind::Jsonl,
            top,
            targets,
        });
    }
    let top: IndexMap<String, &RawValue> = serde_json::from_str(text).map_err(bad)?;
    let targets = match top.get("targets") {
        Some(raw) => serde_json::from_str(raw.get()).map_err(bad)?,
        None => return Err(error(file, "no `targets`: not a caplevel report")),
    };
    Ok(Part {
        file: file.to_string(),
        kind: Kind::Json,
        top,
        targets,
    })
}

fn field<'a, T: Deserialize<'a>>(part: &Part<'a>, key: &str) -> Result<T, MergeError> {
    let raw = part
        .top
        .get(key)
        .ok_or_else(|| error(&part.file, format!("no `{key}`")))?;
    serde_json::from_str(raw.get()).map_err(|e| error(&part.file, format!("`{key}`: {e}")))
}

/// The path order of targets: the file part (a catalog's bundles are
/// `file#bundle` and stay in the order their catalog gave).
fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    let file = |p: &str| p.split_once('#').map_or(p, |(f, _)| f).to_string();
    version_aware_cmp(Path::new(&file(a)), Path::new(&file(b)))
}

/// Merges the reports in `files` (all JSON or all JSON Lines) into `out`,
/// in their format; returns how many gate failures the merged report holds.
pub fn merge(files: &[PathBuf], out: &mut dyn Write) -> Result<usize, MergeError> {
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            std::fs::read_to_string(f)
                .map(|t| (name.clone(), t))
                .map_err(|e| error(&name, e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let mut parts: Vec<Part> = texts
        .iter()
        .map(|(name, text)| read(name, text))
        .collect::<Result<_, _>>()?;
    let first = parts
        .first()
        .ok_or_else(|| error("merge", "no report given"))?;
    let kind = first.kind;
    let digest = |p: &Part| -> Result<(String, String), MergeError> {
        let run: RunInfo = field(p, "run")?;
        let version: String = field(p, "schema_version")?;
        Ok((run.rules_digest, version))
    };
    let want = digest(first)?;
    for p in &parts {
        if p.kind != kind {
            return Err(error(&p.file, "cannot merge JSON with JSON Lines reports"));
        }
        if digest(p)? != want {
            return Err(error(
                &p.file,
                "another schema_version or rule set (rules_digest) than the first report: not shards of one run",
            ));
        }
    }
    // Shards: every one of N once, merged in shard order.
    let shards: Vec<Option<crate::cli::Shard>> = parts
        .iter()
        .map(|p| {
            let run: RunInfo = field(p, "run")?;
            run.shard
                .map(|s| s.parse().map_err(|e: String| error(&p.file, e)))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    if shards.iter().any(Option::is_some) {
        let count = shards.iter().flatten().map(|s| s.count).max().unwrap_or(0);
        let mut seen = BTreeSet::new();
        for (p, s) in parts.iter().zip(&shards) {
            match s {
                Some(s) if s.count == count && seen.insert(s.index) => {}
                Some(s) => {
                    return Err(error(
                        &p.file,
                        format!("shard {s} is repeated or of another split than N={count}"),
                    ));
                }
                None => return Err(error(&p.file, "not a shard (no run.shard) among shards")),
            }
        }
        if seen.len() != count {
            let missing: Vec<String> = (1..=count)
                .filter(|i| !seen.contains(i))
                .map(|i| format!("{i}/{count}"))
                .collect();
            return Err(error(
                "merge",
                format!("missing shard(s): {}", missing.join(", ")),
            ));
        }
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by_key(|i| shards[*i].map(|s| s.index));
        let mut sorted: Vec<Option<Part>> = parts.into_iter().map(Some).collect();
        parts = order.iter().filter_map(|i| sorted[*i].take()).collect();
    }

    // Targets in the run's order.
    let mut targets: Vec<(TargetKeys, &RawValue)> = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    for p in &parts {
        for raw in &p.targets {
            let keys: TargetKeys = serde_json::from_str(raw.get())
                .map_err(|e| error(&p.file, format!("a target: {e}")))?;
            if let Some(id) = &keys.id
                && let Some(other) = ids.insert(id.clone(), p.file.clone())
            {
                return Err(error(&p.file, format!("target `{id}` is also in {other}")));
            }
            targets.push((keys, raw));
        }
    }
    targets.sort_by(|a, b| path_order(&a.0.path, &b.0.path));
    // Whether a target is its package's newest version is a fact of the
    // whole run: a shard saw only its own targets.
    let mut newest = super::Newest::default();
    for (t, _) in &targets {
        newest.add(&t.layout, &t.name, t.version.as_deref());
    }
    let targets: Vec<(TargetKeys, Cow<'_, RawValue>)> = targets
        .into_iter()
        .map(|(t, raw)| {
            let latest = newest.is_latest(&t.layout, &t.name, t.version.as_deref());
            let raw = with_latest(raw, latest).map_err(|e| error("merge", e))?;
            Ok((t, raw))
        })
        .collect::<Result<_, MergeError>>()?;

    // The summary: counts added up, means and latest versions recomputed.
    let mut summary = Summary::default();
    for p in &parts {
        summary.absorb(field(p, "summary")?);
    }
    let mut sums: BTreeMap<Phase, (f64, usize)> = BTreeMap::new();
    for (t, _) in targets.iter().filter(|(t, _)| t.grade != super::NO_GRADE) {
        for (phase, c) in &t.phases {
            let (sum, n) = sums.entry(*phase).or_default();
            *sum += c.coverage;
            *n += 1;
        }
    }
    summary.phase_means = sums
        .into_iter()
        .map(|(p, (sum, n))| (p, (sum / n as f64 * 10.0).round() / 10.0))
        .collect();

    // Run-level diagnostics: discovery's are in every shard; an unused
    // exemption is unused in the whole run only when every shard says so.
    let lists = |key: &str| -> Result<Vec<Vec<&RawValue>>, MergeError> {
        parts
            .iter()
            .map(|p| match p.top.get(key) {
                Some(raw) => serde_json::from_str(raw.get())
                    .map_err(|e| error(&p.file, format!("`{key}`: {e}"))),
                None => Ok(Vec::new()),
            })
            .collect()
    };
    let diagnostics: Vec<&RawValue> = {
        let all = lists("diagnostics")?;
        let mut common: Vec<&RawValue> = all.first().cloned().unwrap_or_default();
        for list in all.iter().skip(1) {
            let here: BTreeSet<&str> = list.iter().map(|r| r.get()).collect();
            common.retain(|r| here.contains(r.get()));
        }
        common
    };
    let position: HashMap<&str, usize> = targets
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (t, _))| (t.path.as_str(), i))
        .collect();
    let mut gates: Vec<(usize, &RawValue)> = Vec::new();
    for (p, list) in parts.iter().zip(lists("gate_failures")?) {
        for raw in list {
            let g: GateKeys = serde_json::from_str(raw.get())
                .map_err(|e| error(&p.file, format!("a gate failure: {e}")))?;
            gates.push((
                position
                    .get(g.target.as_str())
                    .copied()
                    .unwrap_or(usize::MAX),
                raw,
            ));
        }
    }
    gates.sort_by_key(|(i, _)| *i);
    let mut histories: Vec<(HistoryKeys, &RawValue)> = Vec::new();
    for (p, list) in parts.iter().zip(lists("histories")?) {
        for raw in list {
            let h: HistoryKeys = serde_json::from_str(raw.get())
                .map_err(|e| error(&p.file, format!("a history: {e}")))?;
            histories.push((h, raw));
        }
    }
    histories.sort_by(|a, b| {
        version_aware_cmp(Path::new(&a.0.path), Path::new(&b.0.path))
            .then_with(|| a.0.package.cmp(&b.0.package))
    });
    let mut run: RunInfo = field(&parts[0], "run")?;
    run.shard = None;

    let merged = Merged {
        first: &parts[0],
        targets: targets.into_iter().map(|(_, raw)| raw).collect(),
        summary,
        run,
        diagnostics,
        gate_failures: gates.into_iter().map(|(_, raw)| raw).collect(),
        histories: histories.into_iter().map(|(_, raw)| raw).collect(),
    };
    let written = match kind {
        Kind::Json => merged.write_json(out),
        Kind::Jsonl => merged.write_jsonl(out),
    };
    written.map_err(|e| error("output", e.to_string()))?;
    Ok(merged.gate_failures.len())
}

/// The merged report, ready to write.
struct Merged<'p, 'a> {
    first: &'p Part<'a>,
    targets: Vec<Cow<'a, RawValue>>,
    summary: Summary,
    run: RunInfo,
    diagnostics: Vec<&'a RawValue>,
    gate_failures: Vec<&'a RawValue>,
    histories: Vec<&'a RawValue>,
}

impl Merged<'_, '_> {
    /// The list of raw values as serde_json pretty-prints a list nested one
    /// level deep (each value is already indented for its depth, since it
    /// was read from the same place of a report).
    fn pretty_list(items: &[&RawValue]) -> String {
        if items.is_empty() {
            return "[]".into();
        }
        let body: Vec<&str> = items.iter().map(|r| r.get()).collect();
        format!("[\n    {}\n  ]", body.join(",\n    "))
    }

    /// The fields in the first report's order, the merged ones replaced;
    /// `histories` is added when the first report had none and others do.
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.first.top.keys().cloned().collect();
        if !keys.iter().any(|k| k == "histories") {
            keys.push("histories".into());
        }
        keys
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut fields = Vec::new();
        for key in self.keys() {
            let text = match key.as_str() {
                "targets" => {
                    Self::pretty_list(&self.targets.iter().map(|t| &**t).collect::<Vec<_>>())
                }
                "diagnostics" => Self::pretty_list(&self.diagnostics),
                "gate_failures" => Self::pretty_list(&self.gate_failures),
                // The JSON report leaves out an empty history list.
                "histories" if self.histories.is_empty() => continue,
                "histories" => Self::pretty_list(&self.histories),
                "summary" => nested(&self.summary, 1)?,
                "run" => nested(&self.run, 1)?,
                _ => match self.first.top.get(&key) {
                    Some(raw) => raw.get().to_string(),
                    None => continue,
                },
            };
            fields.push(format!("  {}: {text}", serde_json::to_string(&key)?));
        }
        write!(out, "{{\n{}\n}}\n", fields.join(",\n"))?;
        out.flush()
    }

    fn write_jsonl(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for t in &self.targets {
            writeln!(out, "{}", t.get())?;
        }
        let raw = |v: &dyn erased::Raw| v.raw();
        let mut line: IndexMap<String, Box<RawValue>> = IndexMap::new();
        for key in self.keys() {
            let value = match key.as_str() {
                "diagnostics" => raw(&self.diagnostics),
                "gate_failures" => raw(&self.gate_failures),
                "histories" => raw(&self.histories),
                "summary" => raw(&self.summary),
                "run" => raw(&self.run),
                _ => match self.first.top.get(&key) {
                    Some(r) => Ok((*r).to_owned()),
                    None => continue,
                },
            }?;
            line.insert(key, value);
        }
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
        out.flush()
    }
}

/// Any serializable value as compact raw JSON.
mod erased {
    use serde_json::value::RawValue;

    pub trait Raw {
        fn raw(&self) -> std::io::Result<Box<RawValue>>;
    }

    impl<T: serde::Serialize> Raw for T {
        fn raw(&self) -> std::io::Result<Box<RawValue>> {
            Ok(serde_json::value::to_raw_value(self)?)
        }
    }
}

/// A target's text with its top-level `latest` value set to `latest`,
/// borrowed unchanged when it already says so. Only the value is replaced
/// (the rest of the text is kept byte for byte); a report of this schema
/// has the key exactly when the target has a version, as `latest` is then
/// known.
fn with_latest(raw: &RawValue, latest: Option<bool>) -> Result<Cow<'_, RawValue>, String> {
    let text = raw.get();
    let fields: IndexMap<&str, &RawValue> =
        serde_json::from_str(text).map_err(|e| format!("a target: {e}"))?;
    let (Some(value), Some(latest)) = (fields.get("latest"), latest) else {
        return Ok(Cow::Borrowed(raw));
    };
    let now = if latest { "true" } else { "false" };
    if value.get() == now {
        return Ok(Cow::Borrowed(raw));
    }
    // The value is a slice of `text`: its place is where it starts.
    let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
    let end = start + value.get().len();
    let patched = format!("{}{now}{}", &text[..start], &text[end..]);
    RawValue::from_string(patched)
        .map(Cow::Owned)
        .map_err(|e| e.to_string())
}
