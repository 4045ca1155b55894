//! The terminal table: one row per target, then the exempt findings and a
//! summary. `--verbose` first lists each target's findings with their
//! evidence, and its diagnostics, as the target is assessed.
//! [`TableStream`] keeps only the short row of each target, so a run over a
//! whole catalog never holds the targets' reports.

use super::{Report, ReportTail, TargetReport, phase_label, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::io::Write;

/// Writes the table (and, verbose, the details) of a whole report.
pub fn write_table(report: &Report, verbose: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut stream = TableStream::new(out, verbose);
    for t in &report.targets {
        stream.target(t)?;
    }
    stream.finish(&report.tail())
}

/// Writes the table one target at a time.
pub struct TableStream<W: Write> {
    out: W,
    verbose: bool,
    rows: Vec<Vec<String>>,
    exempt: Vec<String>,
}

impl<W: Write> TableStream<W> {
    /// A table writing to `out`.
    pub fn new(out: W, verbose: bool) -> Self {
        TableStream {
            out,
            verbose,
            rows: Vec::new(),
            exempt: Vec::new(),
        }
    }

    /// Takes one target: keeps its row, writes its details when verbose.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        let declared = match (&t.declared, &t.declared_raw) {
            (Some(p), _) => phase_label(Some(*p)),
            (None, Some(raw)) => format!("invalid: {raw:?}"),
            (None, None) => "-".into(),
        };
        let mut row = vec![
            t.path.clone(),
            t.layout.clone(),
            declared,
            format!("{} ({})", phase_label(t.evidenced), t.confidence.id()),
            verdict_id(t.verdict).to_string(),
            if t.grade == super::NO_GRADE {
                t.grade.clone()
            } else {
                format!("{} ({:.0})", t.grade, t.score)
            },
            format!("{} ({:.0})", t.quality.grade, t.quality.score),
        ];
        // Each phase: its status from the decisive evidence, then coverage.
        row.extend(Phase::ALL.iter().map(|p| {
            let s = &t.phases[p];
            format!("{} {:.0}", s.status.id(), s.coverage)
        }));
        row.push(t.diagnostics.len().to_string());
        self.rows.push(row);
        for f in &t.findings {
            if let Some(ex) = &f.exemption {
                self.exempt.push(format!(
                    "  {} {}: {} ({})",
                    t.path, f.rule, ex.reason, ex.source
                ));
            }
        }
        if self.verbose {
            self.details(t)?;
        }
        Ok(())
    }

    fn details(&mut self, t: &TargetReport) -> std::io::Result<()> {
        let out = &mut self.out;
        writeln!(
            out,
            "{} ({} {})",
            t.path,
            t.name,
            t.version.as_deref().unwrap_or("")
        )?;
        for f in &t.findings {
            let mark = match f.status {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::NotApplicable => "n/a ",
                Status::Exempt => "exempt",
                Status::Error => "ERROR",
            };
            writeln!(
                out,
                "  {mark} [{} {}] {}: {}",
                f.phase.roman(),
                f.weight,
                f.rule,
                f.message
            )?;
            if let Some(ex) = &f.exemption {
                writeln!(out, "        exempt: {} ({})", ex.reason, ex.source)?;
            }
            if matches!(f.status, Status::Fail | Status::Error) {
                for e in &f.evidence {
                    let note = e
                        .note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "        {}:{} {} {}{note}",
                        e.file, e.line, e.kind, e.name
                    )?;
                }
            }
        }
        for d in &t.diagnostics {
            writeln!(out, "  {d}")?;
        }
        writeln!(out)
    }

    /// Writes the table, the exempt findings and the summary.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        let mut header: Vec<String> = [
            "target",
            "kind",
            "declared",
            "evidenced",
            "verdict",
            "grade",
            "quality",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(Phase::ALL.iter().map(|p| p.roman().to_string()));
        header.push("diag".into());
        table.set_header(header);
        for row in self.rows {
            table.add_row(row);
        }
        writeln!(self.out, "{table}")?;
        if !self.exempt.is_empty() {
            writeln!(self.out, "exempt findings:\n{}", self.exempt.join("\n"))?;
        }
        if !tail.histories.is_empty() {
            writeln!(self.out, "{}", crate::history::table(&tail.histories))?;
        }
        let s = &tail.summary;
        let counts = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(self.out, "{} target(s): {}", s.targets, counts(&s.verdicts))?;
        if s.targets > 1 {
            writeln!(self.out, "evidenced levels: {}", counts(&s.evidenced))?;
        }
        self.out.flush()
    }
}
