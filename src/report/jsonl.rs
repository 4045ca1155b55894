//! JSON Lines for dashboards and catalog-scale runs: one line per target
//! (`"type": "target"`), then one summary line (`"type": "summary"`) with the
//! run's metadata, counts and gate failures. The rule catalogue is not
//! repeated (it is `caplevel rules --format json`; the summary carries its
//! digest), and each finding is compact: its rule, status, where its first
//! evidence is (`file:line`, relative to the target's path) and how many
//! objects are evidence; titles, messages and the full evidence are in the
//! JSON report. A catalog's report stays a tenth of the JSON's size.

use super::{ReportHead, ReportTail, TargetReport};
use serde::Serialize;
use std::io::Write;

/// One line: a type tag, then the object's own fields.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// A finding on one line.
#[derive(Serialize)]
struct CompactFinding<'a> {
    rule: &'a str,
    status: &'static str,
    /// The first evidence, `file:line`, the file relative to the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    /// How many objects are evidence.
    evidence: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    baselined: bool,
}

impl<'a> CompactFinding<'a> {
    fn of(f: &'a crate::finding::Finding, target: &str) -> Self {
        CompactFinding {
            rule: &f.rule,
            status: super::status_id(f.status),
            at: f.evidence.first().map(|e| {
                let file = e
                    .file
                    .strip_prefix(target)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .unwrap_or(&e.file);
                format!("{file}:{}", e.line)
            }),
            evidence: f.evidence.len(),
            baselined: f.baselined,
        }
    }
}

/// The summary line's body.
#[derive(Serialize)]
struct SummaryLine<'a> {
    schema_version: &'a str,
    tool: &'a super::Tool,
    run: &'a super::RunInfo,
    threshold: f64,
    rules: usize,
    summary: &'a super::Summary,
    diagnostics: &'a [crate::diag::Diagnostic],
    gate_failures: &'a [crate::gate::GateFailure],
    histories: &'a [crate::history::HistoryReport],
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
        let mut value = serde_json::to_value(t)?;
        if let Some(map) = value.as_object_mut() {
            let compact: Vec<CompactFinding> = t
                .findings
                .iter()
                .map(|f| CompactFinding::of(f, &t.path))
                .collect();
            map.insert("findings".into(), serde_json::to_value(compact)?);
        }
        serde_json::to_writer(
            &mut self.out,
            &Line {
                kind: "target",
                body: &value,
            },
        )?;
        writeln!(self.out)
    }

    /// Writes the summary line.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        let body = SummaryLine {
            schema_version: &self.head.schema_version,
            tool: &self.head.tool,
            run: &self.head.run,
            threshold: self.head.threshold,
            rules: self.head.rules.len(),
            summary: &tail.summary,
            diagnostics: &tail.diagnostics,
            gate_failures: &tail.gate_failures,
            histories: &tail.histories,
        };
        serde_json::to_writer(
            &mut self.out,
            &Line {
                kind: "summary",
                body: &body,
            },
        )?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
