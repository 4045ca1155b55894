//! JSON Lines for dashboards and catalog-scale runs: one line per target
//! (`"type": "target"`), then one summary line (`"type": "summary"`) with the
//! run's metadata, the rule catalogue (once), counts and gate failures.
//!
//! A line says each thing once. Rule texts are in the summary line, not on
//! every finding; a target's findings are grouped by status, each rule id
//! pointing at `[file, line, evidence count]` where `file` indexes the
//! target's `files` (relative to its path); a phase lists the decisive
//! requirements it satisfies, with the findings that satisfy each, and the
//! ones only unknown evidence could satisfy (not the unsatisfied rest, which
//! the level model names), and says what the JSON report's phase says
//! (accepted, unbridged, grants alone, against) but `reached`, which is its
//! coverage against the summary's threshold; fields that are empty, zero or
//! false are left out; paths inside a target or a history are relative to it. The shape is
//! `schema/jsonl.schema.json` (`caplevel schema jsonl`). A catalog's report
//! is under a tenth of the JSON's size with `--findings fail`.

use super::{PackageFacts, ReportHead, ReportTail, RuleInfo, RunInfo, Summary, TargetReport, Tool};
use crate::diag::Diagnostic;
use crate::finding::Status;
use crate::gate::GateFailure;
use crate::package::TargetKind;
use crate::phase::Phase;
use crate::score::{Confidence, PhaseStatus, QualityScore, Verdict};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The line's kind.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LineType {
    /// One target.
    Target,
    /// The run: metadata, rules, counts (the last line).
    Summary,
}

/// One line of a JSON Lines report: a target, or the closing summary.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum JsonlLine {
    /// A target's line.
    Target(Box<TargetLine>),
    /// The summary line.
    Summary(Box<SummaryLine>),
}

/// A target on one line (see [`TargetReport`] for each field's meaning).
#[derive(Debug, Serialize, JsonSchema)]
pub struct TargetLine {
    /// Always `target`.
    #[serde(rename = "type")]
    pub kind_of_line: LineType,
    /// See [`TargetReport::id`].
    pub id: String,
    /// See [`TargetReport::path`].
    pub path: String,
    /// See [`TargetReport::kind`].
    pub kind: TargetKind,
    /// See [`TargetReport::layout`].
    pub layout: String,
    /// See [`TargetReport::name`].
    pub name: String,
    /// See [`TargetReport::version`].
    pub version: Option<String>,
    /// See [`TargetReport::latest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<bool>,
    /// The main file (the CSV), relative to `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_file: Option<String>,
    /// See [`TargetReport::package`].
    pub package: PackageFacts,
    /// See [`TargetReport::declared`].
    pub declared: Option<Phase>,
    /// See [`TargetReport::declared_raw`].
    pub declared_raw: Option<String>,
    /// See [`TargetReport::evidenced`].
    pub evidenced: Option<Phase>,
    /// See [`TargetReport::confidence`].
    pub confidence: Confidence,
    /// See [`TargetReport::capped`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped: Option<String>,
    /// See [`TargetReport::verdict`].
    pub verdict: Verdict,
    /// See [`TargetReport::grade`].
    pub grade: String,
    /// See [`TargetReport::score`].
    pub score: f64,
    /// See [`TargetReport::quality`].
    pub quality: QualityScore,
    /// Per phase id, its figures.
    pub phases: BTreeMap<Phase, CompactPhase>,
    /// The files the findings point at, relative to `path`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The findings listed (`--findings`), by status then rule id: `[file
    /// index into files, line, evidence count]` of the first evidence, or
    /// `[]` when a finding has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub findings: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
    /// Rules whose failure a baseline accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselined: Vec<String>,
    /// See [`TargetReport::diagnostics`] (files relative to `path` when below it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

/// A phase's figures on a line (see [`crate::score::PhaseScore`]); the
/// counts that are zero are left out.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CompactPhase {
    /// `met`, `partial` or `not-met`.
    pub status: PhaseStatus,
    /// How sure the status is.
    pub confidence: Confidence,
    /// 0–100: the weighted share of passing capability findings.
    pub coverage: f64,
    /// The decisive requirements satisfied (the level model names the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisive_met: Vec<String>,
    /// Per satisfied requirement, the passing findings (rule ids) that
    /// satisfy it: the JSON report's `decisive[].findings`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub decisive_findings: BTreeMap<String, Vec<String>>,
    /// The requirements not satisfied that an `unknown` finding could
    /// satisfy (the package does not carry what it reads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisive_unknown: Vec<String>,
    /// Passing findings with a supporting tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporting: Vec<String>,
    /// Failed findings of the model's negative evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<String>,
    /// Held below met because only RBAC grants show the phase.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grants_alone: bool,
    /// Partial, but counted toward the level as if met (the model's
    /// `accepted`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    /// Partial on evidence too thin to be bridged under a met phase above
    /// it (none of the model's `bridged` alternatives is whole): it does not
    /// count toward the level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unbridged: bool,
    /// Σ weight of passed and exempt findings.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight_passed: u32,
    /// Σ weight of applicable findings.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight_applicable: u32,
    /// Findings that passed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passed: u32,
    /// Findings that failed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u32,
    /// Findings exempted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub exempt: u32,
    /// Findings not applicable.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_applicable: u32,
    /// Findings that could not be evaluated.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors: u32,
    /// Findings whose evidence the package does not carry.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: u32,
}

/// The summary line: what the JSON report says around its targets.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SummaryLine {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind_of_line: LineType,
    /// The version of the report's shape.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// How the run was made.
    pub run: RunInfo,
    /// The coverage a phase needed to count.
    pub threshold: f64,
    /// The rules the run used, once: the texts findings refer to by id.
    pub rules: Vec<RuleInfo>,
    /// Counts over all targets.
    pub summary: Summary,
    /// Problems met outside any target.
    pub diagnostics: Vec<Diagnostic>,
    /// The gates that failed.
    pub gate_failures: Vec<GateFailure>,
    /// Every history found; paths inside one are relative to its `path`.
    pub histories: Vec<serde_json::Value>,
}

/// `file` relative to `base` when below it.
fn below(file: &str, base: &str) -> String {
    file.strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(file)
        .to_string()
}

impl TargetLine {
    /// The line of one target.
    pub fn of(t: &TargetReport) -> TargetLine {
        let mut files: Vec<String> = Vec::new();
        let mut findings: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
        let mut baselined = Vec::new();
        for f in &t.findings {
            let at = match f.evidence.first() {
                Some(e) => {
                    let file = below(&e.file, &t.path);
                    let index = match files.iter().position(|x| *x == file) {
                        Some(i) => i,
                        None => {
                            files.push(file);
                            files.len() - 1
                        }
                    };
                    vec![index, e.line as usize, f.evidence.len()]
                }
                None => Vec::new(),
            };
            findings
                .entry(super::status_id(f.status).to_string())
                .or_default()
                .insert(f.rule.clone(), at);
            if f.baselined && f.status != Status::Pass {
                baselined.push(f.rule.clone());
            }
        }
        let phases = t
            .phases
            .iter()
            .map(|(phase, s)| {
                let compact = CompactPhase {
                    status: s.status,
                    confidence: s.confidence,
                    coverage: s.coverage,
                    decisive_met: s
                        .decisive
                        .iter()
                        .filter(|d| d.satisfied)
                        .map(|d| d.id.clone())
                        .collect(),
                    decisive_findings: s
                        .decisive
                        .iter()
                        .filter(|d| d.satisfied && !d.findings.is_empty())
                        .map(|d| (d.id.clone(), d.findings.clone()))
                        .collect(),
                    decisive_unknown: s
                        .decisive
                        .iter()
                        .filter(|d| d.unknown)
                        .map(|d| d.id.clone())
                        .collect(),
                    supporting: s.supporting.clone(),
                    against: s.against.clone(),
                    grants_alone: s.grants_alone,
                    accepted: s.accepted,
                    unbridged: s.unbridged,
                    weight_passed: s.weight_passed,
                    weight_applicable: s.weight_applicable,
                    passed: s.passed,
                    failed: s.failed,
                    exempt: s.exempt,
                    not_applicable: s.not_applicable,
                    errors: s.errors,
                    unknown: s.unknown,
                };
                (*phase, compact)
            })
            .collect();
        let diagnostics = t
            .diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.file = d.file.map(|f| below(&f, &t.path));
                d
            })
            .collect();
        TargetLine {
            kind_of_line: LineType::Target,
            id: t.id.clone(),
            path: t.path.clone(),
            kind: t.kind,
            layout: t.layout.clone(),
            name: t.name.clone(),
            version: t.version.clone(),
            latest: t.latest,
            main_file: t.main_file.as_deref().map(|f| below(f, &t.path)),
            package: t.package.clone(),
            declared: t.declared,
            declared_raw: t.declared_raw.clone(),
            evidenced: t.evidenced,
            confidence: t.confidence,
            capped: t.capped.clone(),
            verdict: t.verdict,
            grade: t.grade.clone(),
            score: t.score,
            quality: t.quality.clone(),
            phases,
            files,
            findings,
            baselined,
            diagnostics,
        }
    }
}

/// A history with every path inside it (its versions', its changes'
/// files) relative to the history's folder.
fn relative_history(h: &crate::history::HistoryReport) -> std::io::Result<serde_json::Value> {
    fn walk(v: &mut serde_json::Value, base: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    match item {
                        serde_json::Value::String(s) if k == "path" || k == "file" => {
                            *s = below(s, base);
                        }
                        _ => walk(item, base),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, base)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(h)?;
    if let Some(map) = value.as_object_mut() {
        for (k, item) in map.iter_mut() {
            if k != "path" {
                walk(item, &h.path);
            }
        }
    }
    Ok(value)
}

/// Writes JSON Lines as the targets come.
pub struct JsonlStream<W: Write> {
    out: W,
    head: ReportHead,
}

impl<W: Write> JsonlStream<W> {
    /// Nothing is written before the first target.
    pub fn start(out: W, head: &ReportHead) -> std::io::Result<Self> {
        Ok(JsonlStream {
            out,
            head: head.clone(),
        })
    }

    /// Writes one target's line.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, &TargetLine::of(t))?;
        writeln!(self.out)
    }

    /// Writes the summary line.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        let line = SummaryLine {
            kind_of_line: LineType::Summary,
            schema_version: self.head.schema_version.clone(),
            tool: self.head.tool.clone(),
            run: self.head.run.clone(),
            threshold: self.head.threshold,
            rules: std::mem::take(&mut self.head.rules),
            summary: tail.summary.clone(),
            diagnostics: tail.diagnostics.clone(),
            gate_failures: tail.gate_failures.clone(),
            histories: tail
                .histories
                .iter()
                .map(relative_history)
                .collect::<std::io::Result<_>>()?,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
