//! The JSON report: versioned (`schema_version`), keys in a fixed order,
//! findings and diagnostics sorted, so the same input gives the same bytes.

use super::Report;
use std::io::Write;

/// Writes the report as pretty JSON with a trailing newline.
pub fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
