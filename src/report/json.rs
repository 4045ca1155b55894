//! The JSON report: versioned (`schema_version`), keys in a fixed order,
//! findings and diagnostics sorted, so the same input gives the same bytes.
//! [`JsonStream`] writes the same bytes one target at a time, so a run over
//! a whole catalog never holds more than a few targets' reports.

use super::{Report, ReportHead, ReportTail, TargetReport, nested};
use std::io::Write;

/// Writes the report as pretty JSON with a trailing newline.
pub fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// Writes the JSON report piece by piece; the bytes equal [`write_json`]'s.
pub struct JsonStream<W: Write> {
    out: W,
    targets: usize,
}

fn key(name: &str) -> String {
    // Field names are plain identifiers; serde quotes them the same way.
    format!("\"{name}\"")
}

impl<W: Write> JsonStream<W> {
    /// Writes everything up to the first target.
    pub fn start(mut out: W, head: &ReportHead) -> std::io::Result<Self> {
        writeln!(out, "{{")?;
        writeln!(
            out,
            "  {}: {},",
            key("schema_version"),
            nested(&head.schema_version, 1)?
        )?;
        writeln!(out, "  {}: {},", key("tool"), nested(&head.tool, 1)?)?;
        writeln!(out, "  {}: {},", key("run"), nested(&head.run, 1)?)?;
        writeln!(
            out,
            "  {}: {},",
            key("threshold"),
            nested(&head.threshold, 1)?
        )?;
        writeln!(out, "  {}: {},", key("rules"), nested(&head.rules, 1)?)?;
        write!(out, "  {}: [", key("targets"))?;
        Ok(JsonStream { out, targets: 0 })
    }

    /// Writes one target.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        let sep = if self.targets == 0 { "" } else { "," };
        write!(self.out, "{sep}\n    {}", nested(t, 2)?)?;
        self.targets += 1;
        Ok(())
    }

    /// Writes everything after the last target.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        if self.targets > 0 {
            write!(self.out, "\n  ")?;
        }
        write!(
            self.out,
            "],\n  {}: {},\n",
            key("diagnostics"),
            nested(&tail.diagnostics, 1)?
        )?;
        writeln!(
            self.out,
            "  {}: {},",
            key("summary"),
            nested(&tail.summary, 1)?
        )?;
        write!(
            self.out,
            "  {}: {}",
            key("gate_failures"),
            nested(&tail.gate_failures, 1)?
        )?;
        if !tail.histories.is_empty() {
            write!(
                self.out,
                ",\n  {}: {}",
                key("histories"),
                nested(&tail.histories, 1)?
            )?;
        }
        write!(self.out, "\n}}\n")?;
        self.out.flush()
    }
}
