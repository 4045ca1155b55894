//! Markdown for pull-request comments: a summary table, then per target the
//! failed findings with their remediation (collapsed), exemptions apart.

use super::spool::Spool;
use super::{Report, ReportTail, TargetReport, phase_label, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use std::collections::BTreeMap;
use std::io::Write;

/// Writes the report as Markdown.
pub fn write_markdown(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut stream = MarkdownStream::start(out, report.remediations())?;
    for t in &report.targets {
        stream.target(t)?;
    }
    stream.finish(&report.tail())
}

/// Writes Markdown one target at a time: the summary table comes first but
/// needs every target, so each target's row is kept (one short line) and
/// its details are spooled to a temporary file until the end.
pub struct MarkdownStream<W: Write> {
    out: W,
    remediation: BTreeMap<String, String>,
    rows: Vec<String>,
    details: Spool,
}

impl<W: Write> MarkdownStream<W> {
    /// A stream writing to `out`; `remediation` is each rule's fix, by id.
    pub fn start<K: Into<String>, V: Into<String>>(
        out: W,
        remediation: impl IntoIterator<Item = (K, V)>,
    ) -> std::io::Result<Self> {
        Ok(MarkdownStream {
            out,
            remediation: remediation
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            rows: Vec::new(),
            details: Spool::new()?,
        })
    }

    /// Keeps the target's row and spools its details.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        self.rows.push(row(t));
        details(t, &self.remediation, &mut self.details)
    }

    /// Writes the table, the summary, the gates and the details.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        let out = &mut self.out;
        writeln!(out, "## caplevel: capability levels\n")?;
        let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.roman()).collect();
        writeln!(
            out,
            "| target | declared | evidenced | verdict | grade | quality | {} |",
            phases.join(" | ")
        )?;
        writeln!(
            out,
            "|---|---|---|---|---|---|{}",
            "---:|".repeat(phases.len())
        )?;
        for r in &self.rows {
            writeln!(out, "{r}")?;
        }
        let s = &tail.summary;
        let counts = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "\n**{} target(s)** — verdicts: {}; evidenced: {}.",
            s.targets,
            counts(&s.verdicts),
            counts(&s.evidenced)
        )?;
        if !tail.gate_failures.is_empty() {
            writeln!(out, "\n### Gates failed\n")?;
            for g in &tail.gate_failures {
                writeln!(out, "- `{}` **{}**: {}", g.target, g.gate, g.message)?;
            }
        }
        self.details.copy_to(out)?;
        out.flush()
    }
}

/// The target's line of the summary table.
fn row(t: &TargetReport) -> String {
    let cov: Vec<String> = Phase::ALL
        .iter()
        .map(|p| {
            let s = &t.phases[p];
            format!("{} {:.0}", s.status.id(), s.coverage)
        })
        .collect();
    format!(
        "| `{}` | {} | {} ({}) | {} | {} ({:.0}) | {} ({:.0}) | {} |",
        t.path,
        t.declared
            .map(|p| phase_label(Some(p)))
            .unwrap_or_else(|| match &t.declared_raw {
                Some(raw) => format!("invalid `{}`", raw.replace('|', "\\|")),
                None => "-".into(),
            }),
        phase_label(t.evidenced),
        t.confidence.id(),
        verdict_id(t.verdict),
        t.grade,
        t.score,
        t.quality.grade,
        t.quality.score,
        cov.join(" | ")
    )
}

/// The target's collapsed details: failures with evidence and remediation,
/// exemptions, input errors. Nothing when it has none of these.
fn details(
    t: &TargetReport,
    remediation: &BTreeMap<String, String>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let failed: Vec<_> = t
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    let exempt: Vec<_> = t
        .findings
        .iter()
        .filter(|f| f.status == Status::Exempt)
        .collect();
    let errors = t
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .count();
    if failed.is_empty() && exempt.is_empty() && errors == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "\n<details><summary><code>{}</code>: {} failed, {} exempt, {} input error(s)</summary>\n",
        t.path,
        failed.len(),
        exempt.len(),
        errors
    )?;
    for f in failed {
        let new = if f.baselined { " (in baseline)" } else { "" };
        writeln!(
            out,
            "- **{}** ({} {}, weight {}){new}: {}",
            f.rule,
            f.phase.roman(),
            f.phase.id(),
            f.weight,
            f.message
        )?;
        for e in &f.evidence {
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  - `{}:{}` {} {}{note}",
                e.file, e.line, e.kind, e.name
            )?;
        }
        if let Some(fix) = remediation.get(f.rule.as_str()) {
            writeln!(out, "  - *How to fix:* {}", fix.replace('\n', " "))?;
        }
    }
    if !exempt.is_empty() {
        writeln!(out, "\n**Exempt**\n")?;
        for f in exempt {
            if let Some(ex) = &f.exemption {
                writeln!(out, "- **{}**: {} (`{}`)", f.rule, ex.reason, ex.source)?;
            }
        }
    }
    for d in t
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
    {
        writeln!(out, "- input error: `{d}`")?;
    }
    writeln!(out, "\n</details>")?;
    Ok(())
}
