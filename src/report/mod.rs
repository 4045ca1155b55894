//! The report: every assessment of one run, and one writer per format.

mod json;
mod table;

pub use json::write_json;
pub use table::write_table;

use crate::diag::{Diagnostic, Severity};
use crate::finding::{Finding, Status};
use crate::package::{Package, TargetKind};
use crate::phase::Phase;
use crate::score::{Assessment, PhaseScore, Verdict};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON report's shape. Bumped on any breaking change.
pub const SCHEMA_VERSION: &str = "1";

/// All assessments of one run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// The version of this document's shape.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The coverage a phase needed to count as evidenced.
    pub threshold: f64,
    /// One entry per target, sorted by path.
    pub targets: Vec<TargetReport>,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tool {
    /// `caplevel`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The assessment of one target.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TargetReport {
    /// The target's path, relative to the working directory when below it.
    pub path: String,
    /// bundle, chart or manifests.
    pub kind: TargetKind,
    /// The on-disk layout (`bundle`, `package-manifest`, `chart`, `manifests`).
    pub layout: String,
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: Option<String>,
    /// The declared level as a phase id, or null when absent or invalid.
    pub declared: Option<Phase>,
    /// The declared text exactly as written, when any.
    pub declared_raw: Option<String>,
    /// The evidenced level, or null when phase I is not reached.
    pub evidenced: Option<Phase>,
    /// How the declaration compares with the evidence.
    pub verdict: Verdict,
    /// A–F.
    pub grade: String,
    /// Mean phase coverage, 0–100.
    pub score: f64,
    /// Per phase id.
    pub phases: BTreeMap<Phase, PhaseScore>,
    /// One per applicable rule, sorted by phase then rule id.
    pub findings: Vec<Finding>,
    /// Problems with the input, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

impl TargetReport {
    /// Builds the report of one package from its findings and assessment.
    pub fn new(package: Package, mut findings: Vec<Finding>, assessment: Assessment) -> Self {
        findings.sort_by(|a, b| (a.phase, &a.rule).cmp(&(b.phase, &b.rule)));
        for f in &mut findings {
            f.evidence.sort();
        }
        let mut diagnostics = package.diagnostics;
        diagnostics.sort();
        diagnostics.dedup();
        TargetReport {
            path: package.path,
            kind: package.kind,
            layout: package.layout,
            name: package.name,
            version: package.version,
            declared: assessment.declared,
            declared_raw: package.declared_raw,
            evidenced: assessment.evidenced,
            verdict: assessment.verdict,
            grade: assessment.grade.to_string(),
            score: assessment.score,
            phases: assessment.phases,
            findings,
            diagnostics,
        }
    }

    /// Whether any input error was met.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
            || self.findings.iter().any(|f| f.status == Status::Error)
    }
}

impl Report {
    /// Whether any target met an input error or a rule that could not run.
    pub fn has_errors(&self) -> bool {
        self.targets.iter().any(TargetReport::has_errors)
    }
}

/// The text of an optional phase for humans: `III full-lifecycle` or `-`.
pub fn phase_label(phase: Option<Phase>) -> String {
    match phase {
        Some(p) => format!("{} {}", p.roman(), p.id()),
        None => "-".to_string(),
    }
}

/// The verdict's id.
pub fn verdict_id(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "consistent",
        Verdict::Overclaimed => "overclaimed",
        Verdict::Underclaimed => "underclaimed",
        Verdict::Undeclared => "undeclared",
    }
}
