//! The report: every assessment of one run, and one writer per format.

mod catalog;
pub mod fit;
mod json;
mod jsonl;
mod junit;
mod markdown;
mod merge;
mod sarif;
mod spool;
mod table;

pub use catalog::{PackageFacts, Roots, target_id};
pub use json::{JsonStream, write_json};
pub use jsonl::{JsonlLine, JsonlStream, SummaryLine, TargetLine};
pub use junit::{JunitStream, write_junit};
pub use markdown::{MarkdownStream, write_markdown};
pub use merge::{MergeError, merge};
pub use sarif::{SARIF_SCHEMA, SarifStream, write_sarif};
pub use table::{TableStream, write_table};

use crate::diag::Diagnostic;
use crate::finding::Dimension;
use crate::finding::{Finding, Status};
use crate::gate::GateFailure;
use crate::package::{Package, TargetKind};
use crate::phase::Phase;
use crate::score::{Assessment, Confidence, PhaseScore, QualityScore, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the JSON report's shape. Bumped on any breaking change.
pub const SCHEMA_VERSION: &str = "4";

/// The grade of a target to which no rule applied.
pub const NO_GRADE: &str = "n/a";

/// All assessments of one run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// The version of this document's shape.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// How the run was made.
    pub run: RunInfo,
    /// The coverage a phase needed to count as evidenced.
    pub threshold: f64,
    /// The rules the run used, sorted by phase and id.
    pub rules: Vec<RuleInfo>,
    /// One entry per target, sorted by path (versions compare as semver: 0.3.0 before 0.10.1).
    pub targets: Vec<TargetReport>,
    /// Problems met outside any target: files passed over by discovery (a
    /// `.tgz` that is not a chart), config exemptions that matched nothing.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts over all targets.
    pub summary: Summary,
    /// The gates that failed (empty when all passed or none were asked for).
    pub gate_failures: Vec<GateFailure>,
    /// Every history found (two or more versions of one OLM package), the
    /// latest version's verdict first; absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histories: Vec<crate::history::HistoryReport>,
}

/// What a report says before its targets (known when the run starts).
#[derive(Debug, Clone)]
pub struct ReportHead {
    /// See [`Report::schema_version`].
    pub schema_version: String,
    /// See [`Report::tool`].
    pub tool: Tool,
    /// See [`Report::run`].
    pub run: RunInfo,
    /// See [`Report::threshold`].
    pub threshold: f64,
    /// See [`Report::rules`].
    pub rules: Vec<RuleInfo>,
    /// Problems found before any target is assessed (discovery's); the
    /// report's run-level list is [`ReportTail::diagnostics`].
    pub diagnostics: Vec<Diagnostic>,
}

/// What a report says after its targets (known when the run ends).
#[derive(Debug, Clone)]
pub struct ReportTail {
    /// See [`Report::summary`].
    pub summary: Summary,
    /// See [`Report::gate_failures`].
    pub gate_failures: Vec<GateFailure>,
    /// See [`Report::diagnostics`].
    pub diagnostics: Vec<Diagnostic>,
    /// See [`Report::histories`].
    pub histories: Vec<crate::history::HistoryReport>,
}

/// `value` pretty-printed as serde_json does, nested `depth` levels deep
/// (two spaces each), for writers that print a document piece by piece.
pub(crate) fn nested(value: &impl Serialize, depth: usize) -> std::io::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let pad = "  ".repeat(depth);
    Ok(text
        .lines()
        .enumerate()
        .fold(String::with_capacity(text.len()), |mut acc, (i, line)| {
            if i > 0 {
                acc.push('\n');
                acc.push_str(&pad);
            }
            acc.push_str(line);
            acc
        }))
}

impl Report {
    /// What the report says before its targets.
    pub fn head(&self) -> ReportHead {
        ReportHead {
            schema_version: self.schema_version.clone(),
            tool: self.tool.clone(),
            run: self.run.clone(),
            threshold: self.threshold,
            rules: self.rules.clone(),
            diagnostics: self.diagnostics.clone(),
        }
    }

    /// What the report says after its targets.
    pub fn tail(&self) -> ReportTail {
        ReportTail {
            summary: self.summary.clone(),
            gate_failures: self.gate_failures.clone(),
            diagnostics: self.diagnostics.clone(),
            histories: self.histories.clone(),
        }
    }

    /// The whole report from its parts.
    pub fn assemble(head: ReportHead, targets: Vec<TargetReport>, tail: ReportTail) -> Report {
        Report {
            schema_version: head.schema_version,
            tool: head.tool,
            run: head.run,
            threshold: head.threshold,
            rules: head.rules,
            targets,
            diagnostics: tail.diagnostics,
            summary: tail.summary,
            gate_failures: tail.gate_failures,
            histories: tail.histories,
        }
    }
}

/// What a report says about each rule it used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct RuleInfo {
    /// The rule id.
    pub id: String,
    /// Its phase.
    pub phase: Phase,
    /// What it checks.
    pub title: String,
    /// Its weight.
    pub weight: u32,
    /// What it measures: capability (can move the level) or quality.
    pub dimension: Dimension,
    /// Its evidence tags (read by the level model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The target kinds it reads.
    pub applies_to: Vec<TargetKind>,
    /// Why it is evidence.
    pub rationale: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Links.
    pub references: Vec<String>,
    /// The signal catalogue row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The rule file.
    pub source: String,
}

impl RuleInfo {
    /// The report's view of a rule.
    pub fn of(rule: &crate::rules::Rule) -> RuleInfo {
        RuleInfo {
            id: rule.spec.id.clone(),
            phase: rule.spec.phase,
            title: rule.spec.title.clone(),
            weight: rule.spec.weight,
            dimension: rule.spec.dimension,
            tags: rule.spec.tags.clone(),
            applies_to: rule.spec.applies_to.clone(),
            rationale: rule.spec.rationale.trim().to_string(),
            remediation: rule.spec.remediation.trim().to_string(),
            references: rule.spec.references.clone(),
            signal: rule.spec.signal.clone(),
            source: rule.source.clone(),
        }
    }
}

/// Counts over all targets of a run, for dashboards.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// How many targets.
    pub targets: usize,
    /// Targets per verdict.
    pub verdicts: BTreeMap<String, usize>,
    /// Targets per evidenced level (`none` when phase I is not reached).
    pub evidenced: BTreeMap<String, usize>,
    /// Targets per declared level (`none` when absent or invalid).
    pub declared: BTreeMap<String, usize>,
    /// Targets per grade.
    pub grades: BTreeMap<String, usize>,
    /// Targets per quality grade.
    pub quality_grades: BTreeMap<String, usize>,
    /// Findings per status over all targets.
    pub findings: BTreeMap<String, usize>,
    /// Per rule id: findings per status over all targets.
    pub rules: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per phase: the mean coverage (0–100) over the targets that were
    /// graded (a target no rule applies to is left out).
    pub phase_means: BTreeMap<Phase, f64>,
    /// Per package (`layout:name`): its highest version in this run, by semver
    /// (versions that are not semver compare as text, below those that are).
    pub latest: BTreeMap<String, String>,
    #[serde(skip)]
    #[schemars(skip)]
    phase_sums: BTreeMap<Phase, (f64, usize)>,
}

impl Summary {
    /// Counts one more target.
    pub fn add(&mut self, t: &TargetReport) {
        let level = |p: Option<Phase>| {
            p.map(|p| p.id().to_string())
                .unwrap_or_else(|| "none".into())
        };
        self.targets += 1;
        *self
            .verdicts
            .entry(verdict_id(t.verdict).to_string())
            .or_default() += 1;
        *self.evidenced.entry(level(t.evidenced)).or_default() += 1;
        *self.declared.entry(level(t.declared)).or_default() += 1;
        *self.grades.entry(t.grade.clone()).or_default() += 1;
        *self
            .quality_grades
            .entry(t.quality.grade.clone())
            .or_default() += 1;
        for f in &t.findings {
            *self
                .findings
                .entry(status_id(f.status).to_string())
                .or_default() += 1;
            *self
                .rules
                .entry(f.rule.clone())
                .or_default()
                .entry(status_id(f.status).to_string())
                .or_default() += 1;
        }
        if t.grade != NO_GRADE {
            for (phase, score) in &t.phases {
                let (sum, n) = self.phase_sums.entry(*phase).or_default();
                *sum += score.coverage;
                *n += 1;
                let mean = *sum / *n as f64;
                self.phase_means
                    .insert(*phase, (mean * 10.0).round() / 10.0);
            }
        }
        if let Some(version) = &t.version {
            raise(&mut self.latest, package_key(&t.layout, &t.name), version);
        }
    }
}

/// The key of a package in [`Summary::latest`] and [`Newest`]: `layout:name`.
pub fn package_key(layout: &str, name: &str) -> String {
    format!("{layout}:{name}")
}

/// Records `version` for `key` when it is newer than the one recorded.
fn raise(latest: &mut BTreeMap<String, String>, key: String, version: &str) {
    let newer = latest
        .get(&key)
        .is_none_or(|old| version_order(version, old) == std::cmp::Ordering::Greater);
    if newer {
        latest.insert(key, version.to_string());
    }
}

/// The newest version of every package of a run, known before its targets
/// are assessed (from [`crate::load::identity`]) or after (from the
/// reports, when shards are merged), so that each target can be marked
/// [`TargetReport::latest`] while reports stream.
#[derive(Debug, Clone, Default)]
pub struct Newest {
    latest: BTreeMap<String, String>,
}

impl Newest {
    /// Counts one version of a package.
    pub fn add(&mut self, layout: &str, name: &str, version: Option<&str>) {
        if let Some(version) = version {
            raise(&mut self.latest, package_key(layout, name), version);
        }
    }

    /// Whether `version` is the newest of its package (`None` without a
    /// version); a package never counted has only this version.
    pub fn is_latest(&self, layout: &str, name: &str, version: Option<&str>) -> Option<bool> {
        let version = version?;
        Some(
            self.latest
                .get(&package_key(layout, name))
                .is_none_or(|newest| version_order(version, newest) != std::cmp::Ordering::Less),
        )
    }
}

impl Summary {
    /// Adds another part's counts (a shard of the same run); the phase
    /// means are left for the caller, who has the targets to recompute them.
    pub fn absorb(&mut self, other: Summary) {
        fn add(into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>) {
            for (k, v) in from {
                *into.entry(k).or_default() += v;
            }
        }
        self.targets += other.targets;
        add(&mut self.verdicts, other.verdicts);
        add(&mut self.evidenced, other.evidenced);
        add(&mut self.declared, other.declared);
        add(&mut self.grades, other.grades);
        add(&mut self.quality_grades, other.quality_grades);
        add(&mut self.findings, other.findings);
        for (rule, counts) in other.rules {
            add(self.rules.entry(rule).or_default(), counts);
        }
        for (package, version) in other.latest {
            raise(&mut self.latest, package, &version);
        }
    }
}

/// Sorts histories as every run lists them: by folder (versions in paths
/// compare as semver), then package.
pub fn sort_histories(histories: &mut [crate::history::HistoryReport]) {
    histories.sort_by(|a, b| {
        crate::discover::version_aware_cmp(
            std::path::Path::new(&a.path),
            std::path::Path::new(&b.path),
        )
        .then_with(|| a.package.cmp(&b.package))
    });
}

/// Orders two version texts: semver when both are, semver above the rest,
/// text otherwise.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |v: &str| semver::Version::parse(v.strip_prefix('v').unwrap_or(v)).ok();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (None, None) => a.cmp(b),
    }
}

/// The status's id.
pub fn status_id(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::NotApplicable => "not-applicable",
        Status::Exempt => "exempt",
        Status::Error => "error",
        Status::Unknown => "unknown",
    }
}

/// The tool that wrote a report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tool {
    /// `caplevel`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The git commit it was built from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Tool {
    /// This build of caplevel.
    pub fn this() -> Tool {
        Tool {
            name: "caplevel".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: Some(env!("CAPLEVEL_COMMIT").to_string()).filter(|c| !c.is_empty()),
        }
    }
}

/// How a run was made, so a report can be reproduced and compared.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RunInfo {
    /// The command line's arguments (after the program name).
    pub arguments: Vec<String>,
    /// The config file read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The rule selection in effect (config `include` or `--only`; empty = all).
    pub include: Vec<String>,
    /// Rules left out (config `exclude` and `--skip`).
    pub exclude: Vec<String>,
    /// How many exemptions the config declares.
    pub exemptions: usize,
    /// A SHA-256 over every rule the run used (its whole definition, and
    /// the named patterns the rules read): two reports with the same digest
    /// were judged by the same rules.
    pub rules_digest: String,
    /// When the run started (RFC 3339, UTC): only with `--timestamp`, since
    /// it makes the report differ from run to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// The shard assessed (`I/N`, from `--shard`); `caplevel merge` checks
    /// that every shard of N is there once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// The assessment of one target.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TargetReport {
    /// A stable identity across runs: `layout:name@version:path`, the path
    /// relative to the root the target was found under (however that root
    /// was typed), `.` for the root itself.
    pub id: String,
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
    /// Whether this is the newest version of its package (same layout and
    /// name) among all the run's targets, by semver (versions that are not
    /// semver compare as text, below those that are; equal versions are
    /// all newest); absent without a version. See [`Newest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<bool>,
    /// The file that describes the package (the CSV), when there is one.
    pub main_file: Option<String>,
    /// The package's listing facts, for catalog views.
    pub package: PackageFacts,
    /// The declared level as a phase id, or null when absent or invalid.
    pub declared: Option<Phase>,
    /// The declared text exactly as written, when any.
    pub declared_raw: Option<String>,
    /// The evidenced level: the highest met phase N above a met phase I, the
    /// phases between met or at most one partial (see docs/scoring.md), or
    /// null when phase I is not met.
    pub evidenced: Option<Phase>,
    /// How sure the evidenced level is.
    pub confidence: Confidence,
    /// Why the level is capped below what the phases show, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<String>,
    /// The first phase above the evidenced level when it cannot be assessed
    /// (its decisive evidence is not in the files): the level is a floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassessable: Option<Phase>,
    /// How the declaration compares with the evidence.
    pub verdict: Verdict,
    /// A–F from the capability score, or `n/a` when no rule applied to the
    /// target (nothing was judged).
    pub grade: String,
    /// Mean phase coverage of the capability findings, 0–100.
    pub score: f64,
    /// Packaging and listing quality: its own score and grade.
    pub quality: QualityScore,
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
        let facts = PackageFacts::of(&package);
        let mut diagnostics = package.diagnostics;
        diagnostics.extend(rule_errors(
            &findings,
            package.main_file.as_deref(),
            &package.path,
        ));
        let diagnostics = crate::diag::merge(diagnostics);
        let graded = findings
            .iter()
            .any(|f| !matches!(f.status, Status::NotApplicable | Status::Unknown));
        TargetReport {
            id: target_id(
                &package.layout,
                &package.name,
                package.version.as_deref(),
                ".",
            ),
            package: facts,
            path: package.path,
            kind: package.kind,
            layout: package.layout,
            name: package.name,
            version: package.version,
            latest: None,
            main_file: package.main_file,
            declared: assessment.declared,
            declared_raw: package.declared_raw,
            evidenced: assessment.evidenced,
            confidence: assessment.confidence,
            capped: assessment.capped,
            unassessable: assessment.unassessable,
            verdict: assessment.verdict,
            // No applicable rule: nothing was judged, so no grade (not F).
            grade: if graded {
                assessment.grade.to_string()
            } else {
                NO_GRADE.to_string()
            },
            score: assessment.score,
            quality: assessment.quality,
            phases: assessment.phases,
            findings,
            diagnostics,
        }
    }
}

/// One diagnostic per rule that could not be evaluated, naming the rule
/// (and the first object it failed on), so that every format counts it.
fn rule_errors(findings: &[Finding], main_file: Option<&str>, path: &str) -> Vec<Diagnostic> {
    findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .map(|f| {
            let first = f.evidence.iter().find(|e| e.note.is_some());
            let detail = first
                .and_then(|e| e.note.as_deref())
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            Diagnostic {
                severity: crate::diag::Severity::Warning,
                code: crate::diag::Code::RuleError,
                file: Some(
                    first
                        .map(|e| e.file.clone())
                        .or_else(|| main_file.map(str::to_string))
                        .unwrap_or_else(|| path.to_string()),
                ),
                line: first.map(|e| e.line),
                column: None,
                message: format!(
                    "rule `{}` could not be evaluated (a caplevel defect; it fails the run only under --strict): {}{detail}",
                    f.rule, f.message
                ),
                profiles: Vec::new(),
            }
        })
        .collect()
}

impl Report {
    /// How to fix a rule's failures, by rule id.
    pub fn remediations(&self) -> BTreeMap<&str, &str> {
        self.rules
            .iter()
            .map(|r| (r.id.as_str(), r.remediation.as_str()))
            .collect()
    }

    /// Whether any gate failed (input errors always count as one).
    pub fn failed(&self) -> bool {
        !self.gate_failures.is_empty()
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
        Verdict::Unassessable => "unassessable",
    }
}
