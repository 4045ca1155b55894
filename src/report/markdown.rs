//! Markdown for pull-request comments: a summary table, then per target the
//! failed findings with their remediation (collapsed), exemptions apart.

use super::{Report, phase_label, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use std::io::Write;

/// Writes the report as Markdown.
pub fn write_markdown(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## caplevel: capability levels\n")?;
    let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.roman()).collect();
    writeln!(
        out,
        "| target | declared | evidenced | verdict | grade | {} |",
        phases.join(" | ")
    )?;
    writeln!(out, "|---|---|---|---|---|{}", "---:|".repeat(phases.len()))?;
    for t in &report.targets {
        let cov: Vec<String> = Phase::ALL
            .iter()
            .map(|p| format!("{:.0}", t.phases[p].coverage))
            .collect();
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} ({:.0}) | {} |",
            t.path,
            t.declared
                .map(|p| phase_label(Some(p)))
                .unwrap_or_else(|| match &t.declared_raw {
                    Some(raw) => format!("invalid `{}`", raw.replace('|', "\\|")),
                    None => "-".into(),
                }),
            phase_label(t.evidenced),
            verdict_id(t.verdict),
            t.grade,
            t.score,
            cov.join(" | ")
        )?;
    }
    let s = &report.summary;
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
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
    if !report.gate_failures.is_empty() {
        writeln!(out, "\n### Gates failed\n")?;
        for g in &report.gate_failures {
            writeln!(out, "- `{}` **{}**: {}", g.target, g.gate, g.message)?;
        }
    }
    let remediation = report.remediations();
    for t in &report.targets {
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
            continue;
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
    }
    Ok(())
}
