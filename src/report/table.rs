//! The terminal table: one row per target; `--verbose` adds the failed
//! findings with their evidence and the diagnostics.

use super::{Report, phase_label, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::io::Write;

/// Writes the table (and, verbose, the details) to `out`.
pub fn write_table(report: &Report, verbose: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    let mut header = vec![
        "target".to_string(),
        "kind".into(),
        "declared".into(),
        "evidenced".into(),
        "verdict".into(),
        "grade".into(),
    ];
    header.extend(Phase::ALL.iter().map(|p| p.roman().to_string()));
    header.push("diag".into());
    table.set_header(header);
    for t in &report.targets {
        let declared = match (&t.declared, &t.declared_raw) {
            (Some(p), _) => phase_label(Some(*p)),
            (None, Some(raw)) => format!("invalid: {raw:?}"),
            (None, None) => "-".into(),
        };
        let mut row = vec![
            t.path.clone(),
            t.layout.clone(),
            declared,
            phase_label(t.evidenced),
            verdict_id(t.verdict).to_string(),
            format!("{} ({:.0})", t.grade, t.score),
        ];
        row.extend(
            Phase::ALL
                .iter()
                .map(|p| format!("{:.0}", t.phases[p].coverage)),
        );
        row.push(t.diagnostics.len().to_string());
        table.add_row(row);
    }
    writeln!(out, "{table}")?;
    if verbose {
        for t in &report.targets {
            writeln!(
                out,
                "\n{} ({} {})",
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
        }
    }
    let exempt: Vec<String> = report
        .targets
        .iter()
        .flat_map(|t| {
            t.findings.iter().filter_map(move |f| {
                f.exemption
                    .as_ref()
                    .map(|ex| format!("  {} {}: {} ({})", t.path, f.rule, ex.reason, ex.source))
            })
        })
        .collect();
    if !exempt.is_empty() {
        writeln!(out, "exempt findings:\n{}", exempt.join("\n"))?;
    }
    let s = &report.summary;
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "{} target(s): {}", s.targets, counts(&s.verdicts))?;
    if s.targets > 1 {
        writeln!(out, "evidenced levels: {}", counts(&s.evidenced))?;
    }
    Ok(())
}
