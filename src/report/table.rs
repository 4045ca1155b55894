//! The terminal table: one row per target, then the exempt findings and a
//! summary. `--verbose` first lists each target's findings with their
//! evidence, and its diagnostics, as the target is assessed.
//! [`TableStream`] keeps only the short row of each target, so a run over a
//! whole catalog never holds the targets' reports.

use super::fit::{self, Column};
use super::{Report, ReportTail, TargetReport, verdict_id};
use crate::finding::Status;
use crate::phase::Phase;
use crate::score::{PhaseStatus, Verdict};
use anstyle::Style;
use comfy_table::{
    Attribute, Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED,
};
use std::io::Write;

/// Writes the table (and, verbose, the details) of a whole report, whole
/// and uncoloured.
pub fn write_table(report: &Report, verbose: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut stream = TableStream::new(out, verbose);
    for t in &report.targets {
        stream.target(t)?;
    }
    stream.finish(&report.tail())
}

/// The table's columns, in order.
const HEADER: [&str; 15] = [
    "target",
    "package",
    "version",
    "kind",
    "declared",
    "evidenced",
    "verdict",
    "grade",
    "quality",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "diag",
];

/// How each column gives way on a narrow terminal: the path is cut in the
/// middle first, then the package and version; then the diagnostics count,
/// the layout, the quality, phases V and IV, the path (package and version
/// name the target too), phases III to I and the declared level are left
/// out. Package, version, evidenced level, verdict and grade always stay.
const COLUMNS: [Column; 15] = [
    Column::cut(20, 0).or_drop(5),
    Column::cut(20, 1),
    Column::cut(8, 2),
    Column::FIXED.or_drop(1),
    Column::FIXED.or_drop(9),
    Column::FIXED,
    Column::FIXED,
    Column::FIXED,
    Column::FIXED.or_drop(2),
    Column::FIXED.or_drop(8),
    Column::FIXED.or_drop(7),
    Column::FIXED.or_drop(6),
    Column::FIXED.or_drop(4),
    Column::FIXED.or_drop(3),
    Column::FIXED.or_drop(0),
];

/// The mark of a phase status in its cell (explained under the table).
fn status_mark(s: PhaseStatus) -> &'static str {
    match s {
        PhaseStatus::Met => "●",
        PhaseStatus::Partial => "◐",
        PhaseStatus::NotMet => "○",
        PhaseStatus::Unknown => "?",
    }
}

/// What colouring a row needs besides its text.
struct Row {
    cells: Vec<String>,
    verdict: Verdict,
    grade: String,
    quality: String,
    phases: Vec<PhaseStatus>,
}

/// Writes the table one target at a time.
pub struct TableStream<W: Write> {
    out: W,
    verbose: bool,
    width: Option<usize>,
    color: bool,
    rows: Vec<Row>,
    exempt: Vec<String>,
}

impl<W: Write> TableStream<W> {
    /// A table writing to `out`, whole and uncoloured.
    pub fn new(out: W, verbose: bool) -> Self {
        TableStream {
            out,
            verbose,
            width: None,
            color: false,
            rows: Vec::new(),
            exempt: Vec::new(),
        }
    }

    /// Fits the table to `width` terminal columns (none: every column, whole).
    pub fn width(mut self, width: Option<usize>) -> Self {
        self.width = width;
        self
    }

    /// Colours verdicts, grades and phase marks with ANSI escapes.
    pub fn color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    /// Takes one target: keeps its row, writes its details when verbose.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        let declared = match (&t.declared, &t.declared_raw) {
            (Some(p), _) => p.roman().to_string(),
            (None, Some(raw)) => format!("invalid: {raw:?}"),
            (None, None) => "-".into(),
        };
        let mut cells = vec![
            t.path.clone(),
            t.name.clone(),
            t.version.clone().unwrap_or_else(|| "-".into()),
            t.layout.clone(),
            declared,
            match t.evidenced {
                Some(p) => format!("{} ({})", p.roman(), t.confidence.id()),
                None => format!("- ({})", t.confidence.id()),
            },
            verdict_id(t.verdict).to_string(),
            if t.grade == super::NO_GRADE {
                t.grade.clone()
            } else {
                format!("{} ({:.0})", t.grade, t.score)
            },
            format!("{} ({:.0})", t.quality.grade, t.quality.score),
        ];
        // Each phase: its status from the decisive evidence, then coverage.
        cells.extend(Phase::ALL.iter().map(|p| {
            let s = &t.phases[p];
            format!("{} {:.0}", status_mark(s.status), s.coverage)
        }));
        cells.push(t.diagnostics.len().to_string());
        self.rows.push(Row {
            cells,
            verdict: t.verdict,
            grade: t.grade.clone(),
            quality: t.quality.grade.clone(),
            phases: Phase::ALL.iter().map(|p| t.phases[p].status).collect(),
        });
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
            let (mark, style) = match f.status {
                Status::Pass => ("pass", GOOD),
                Status::Fail => ("FAIL", BAD),
                Status::NotApplicable => ("n/a ", Style::new()),
                Status::Exempt => ("exempt", MEH),
                Status::Error => ("ERROR", BAD.bold()),
                Status::Unknown => ("??  ", MEH),
            };
            let style = if self.color { style } else { Style::new() };
            writeln!(
                out,
                "  {style}{mark}{style:#} [{} {}] {}: {}",
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
        let header: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter_mut()
            .map(|r| std::mem::take(&mut r.cells))
            .collect();
        let mut notes = Vec::new();
        // On a terminal, the folder all targets share is said once.
        let below = self
            .width
            .and_then(|_| fit::common_folder(rows.iter().map(|r| r[0].as_str())));
        if let Some(folder) = &below {
            for r in &mut rows {
                r[0] = r[0][folder.len()..].to_string();
            }
            notes.push(format!("targets below {folder}"));
        }
        let fitted = match self.width {
            Some(width) => fit::fit(&header, &rows, &COLUMNS, width),
            None => fit::Fitted {
                kept: (0..header.len()).collect(),
                header: header.clone(),
                rows,
            },
        };
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(fitted.header.iter().map(|h| {
            let cell = Cell::new(h);
            if self.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for (row, cells) in self.rows.iter().zip(&fitted.rows) {
            table.add_row(fitted.kept.iter().zip(cells).map(|(column, text)| {
                let cell = Cell::new(text);
                match (self.color, colour_of(row, *column)) {
                    (true, Some(color)) => cell.fg(color),
                    _ => cell,
                }
            }));
        }
        writeln!(self.out, "{table}")?;
        let left_out = fitted.left_out(&header);
        if below.is_some() && !fitted.kept.contains(&0) {
            notes.clear();
        }
        if fitted.kept.iter().any(|c| (9..14).contains(c)) {
            notes.push(
                "phases: ● met, ◐ partial, ○ not met, ? unknown, then coverage %".to_string(),
            );
        }
        if !left_out.is_empty() {
            notes.push(format!(
                "left out to fit {} columns: {} (wider terminal, COLUMNS=N or --format json for all)",
                self.width.unwrap_or_default(),
                left_out.join(", ")
            ));
        }
        // Lines of text wrap at the terminal's width.
        let width = self.width;
        let text = |out: &mut W, line: &str| -> std::io::Result<()> {
            match width {
                Some(w) => fit::wrap(line, w)
                    .iter()
                    .try_for_each(|l| writeln!(out, "{l}")),
                None => writeln!(out, "{line}"),
            }
        };
        for note in &notes {
            text(&mut self.out, note)?;
        }
        if !self.exempt.is_empty() {
            writeln!(self.out, "exempt findings:")?;
            for e in &self.exempt {
                text(&mut self.out, e)?;
            }
        }
        if !tail.histories.is_empty() {
            writeln!(
                self.out,
                "{}",
                crate::history::table(&tail.histories, self.width)
            )?;
        }
        let s = &tail.summary;
        let counts = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text(
            &mut self.out,
            &format!("{} target(s): {}", s.targets, counts(&s.verdicts)),
        )?;
        if s.targets > 1 {
            text(
                &mut self.out,
                &format!("evidenced levels: {}", counts(&s.evidenced)),
            )?;
        }
        self.out.flush()
    }
}

/// Green for good news, red for bad, yellow between.
const GOOD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Green)));
const BAD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Red)));
const MEH: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Yellow)));

/// The colour of a cell of the table, by its column, when it has one.
fn colour_of(row: &Row, column: usize) -> Option<Color> {
    let grade = |g: &str| match g {
        "A" | "B" => Some(Color::Green),
        "C" | "D" => Some(Color::Yellow),
        "E" | "F" => Some(Color::Red),
        _ => None,
    };
    match column {
        6 => match row.verdict {
            Verdict::Consistent => Some(Color::Green),
            Verdict::Overclaimed => Some(Color::Red),
            Verdict::Underclaimed => Some(Color::Yellow),
            Verdict::Undeclared | Verdict::Unassessable => None,
        },
        7 => grade(&row.grade),
        8 => grade(&row.quality),
        9..=13 => match row.phases.get(column - 9) {
            Some(PhaseStatus::Met) => Some(Color::Green),
            Some(PhaseStatus::Partial) => Some(Color::Yellow),
            _ => None,
        },
        _ => None,
    }
}
