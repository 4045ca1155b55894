//! Markdown for pull-request comments: a summary table, then per target the
//! failed findings with their remediation (collapsed), exemptions apart.
//! A comment holds at most 65,536 characters, so the document stops short
//! of that: the summary and the gates first, then as many table rows and
//! targets' details as fit, with a note saying how many were left out.

use super::spool::Spool;
use super::{Report, ReportTail, TargetReport, phase_label, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use std::collections::BTreeMap;
use std::io::Write;

/// The most characters a GitHub pull-request comment holds.
pub const MAX_CHARS: usize = 65_536;

/// Room kept for the note on what was left out.
const NOTE_ROOM: usize = 400;

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
    /// The length in bytes of each target's details in the spool (0: none).
    detail_sizes: Vec<usize>,
    limit: usize,
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
            detail_sizes: Vec::new(),
            limit: MAX_CHARS,
        })
    }

    /// Caps the document at `limit` bytes (default [`MAX_CHARS`]; bytes are
    /// never fewer than characters, so the cap holds for both).
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Keeps the target's row and spools its details.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        self.rows.push(row(t));
        let mut text = Vec::new();
        details(t, &self.remediation, &mut text)?;
        self.detail_sizes.push(text.len());
        self.details.write_all(&text)
    }

    /// Writes the table, the summary, the gates and the details, as much
    /// as fits the limit.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.roman()).collect();
        let head = format!(
            "## caplevel: capability levels\n\n| target | declared | evidenced | verdict | grade | quality | {} |\n|---|---|---|---|---|---|{}\n",
            phases.join(" | "),
            "---:|".repeat(phases.len())
        );
        let s = &tail.summary;
        let counts = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let summary = format!(
            "\n**{} target(s)** — verdicts: {}; evidenced: {}.\n",
            s.targets,
            counts(&s.verdicts),
            counts(&s.evidenced)
        );
        // The summary and the gates come first in the budget: they say
        // whether the run passed. Then rows, then details, in order.
        let mut budget = self
            .limit
            .saturating_sub(NOTE_ROOM + head.len() + summary.len());
        let mut gates = String::new();
        let mut gates_left = 0;
        if !tail.gate_failures.is_empty() {
            gates.push_str("\n### Gates failed\n\n");
            for g in &tail.gate_failures {
                let line = format!("- `{}` **{}**: {}\n", g.target, g.gate, g.message);
                if gates.len() + line.len() > budget / 2 {
                    gates_left += 1;
                } else {
                    gates.push_str(&line);
                }
            }
        }
        budget = budget.saturating_sub(gates.len());
        // The histories next, in at most half of what is left.
        let mut hist = Vec::new();
        histories(&tail.histories, &mut hist)?;
        let mut hist = String::from_utf8_lossy(&hist).into_owned();
        if hist.len() > budget / 2 {
            // A newline is one byte: cutting after it keeps whole characters.
            let cut = hist.as_bytes()[..budget / 2]
                .iter()
                .rposition(|b| *b == b'\n')
                .unwrap_or(0);
            hist.truncate(cut);
            hist.push_str("\n\n> **Histories truncated**: the JSON report has them all.\n");
        }
        budget = budget.saturating_sub(hist.len());
        let mut rows = 0;
        for r in &self.rows {
            if r.len() + 1 > budget {
                break;
            }
            budget -= r.len() + 1;
            rows += 1;
        }
        let mut shown = 0;
        for size in &self.detail_sizes[..rows] {
            if *size > budget {
                break;
            }
            budget -= size;
            shown += 1;
        }
        let out = &mut self.out;
        out.write_all(head.as_bytes())?;
        for r in &self.rows[..rows] {
            writeln!(out, "{r}")?;
        }
        out.write_all(summary.as_bytes())?;
        out.write_all(gates.as_bytes())?;
        out.write_all(hist.as_bytes())?;
        let targets = self.rows.len();
        let details_left = self.detail_sizes[shown..]
            .iter()
            .filter(|s| **s > 0)
            .count();
        if rows < targets || details_left > 0 || gates_left > 0 {
            let mut parts = Vec::new();
            if rows < targets {
                parts.push(format!("{} of {targets} targets' rows", targets - rows));
            }
            if details_left > 0 {
                parts.push(format!("{details_left} targets' details"));
            }
            if gates_left > 0 {
                parts.push(format!("{gates_left} gate failures"));
            }
            writeln!(
                out,
                "\n> **Truncated** to fit a pull-request comment ({} characters): {} left out; the JSON, JSONL or SARIF report has them all.",
                self.limit,
                parts.join(", ")
            )?;
        }
        // The details of the first `shown` targets, read back from the spool.
        let keep: usize = self.detail_sizes[..shown].iter().sum();
        self.details.copy_prefix_to(out, keep as u64)?;
        out.flush()
    }
}

/// The histories: per package the latest version's level and verdict, the
/// level per version (the trend), regressions, breaking upgrades and graph
/// problems; then what breaks the upgrade into each latest version.
fn histories(list: &[crate::history::HistoryReport], out: &mut dyn Write) -> std::io::Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Histories\n")?;
    writeln!(
        out,
        "| history | latest | evidenced | verdict | trend (oldest → newest) | regressions | breaking | graph |"
    )?;
    writeln!(out, "|---|---|---|---|---|---:|---:|---:|")?;
    for h in list {
        writeln!(
            out,
            // Not `| \`` first: that starts a target's row.
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} |",
            h.package,
            h.path,
            h.latest.version,
            phase_label(h.latest.evidenced),
            verdict_id(h.latest.verdict),
            h.trend(),
            h.regressions,
            h.changes.len(),
            h.graph.len()
        )?;
    }
    let breaking: Vec<_> = list
        .iter()
        .filter_map(|h| h.breaks_into(&h.latest).map(|why| (h, why)))
        .collect();
    if !breaking.is_empty() {
        writeln!(out, "\n#### Breaking upgrades into the latest versions\n")?;
        for (h, why) in breaking {
            writeln!(out, "- `{}` {}: {why}", h.package, h.latest.version)?;
            for c in h.breaking_into_latest() {
                let at = c.change.new.as_ref().or(c.change.old.as_ref());
                writeln!(
                    out,
                    "  - **{}** from {}: {} {}{}",
                    c.change.kind.id(),
                    c.from,
                    c.change.subject,
                    c.change.message.replace('|', "\\|"),
                    at.map(|a| format!(" (`{}:{}`)", a.file, a.line))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
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
