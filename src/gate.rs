//! Gates: the conditions under which a CI run fails (exit code 1).
//!
//! - `--fail-under PHASE`: a target's evidenced level is below PHASE;
//! - `--min-score N`: a target's score is below N;
//! - `--fail-on-overclaim`: a target declares more than it evidences;
//! - always: a target's input has an error a cluster or helm would reject
//!   (a file that does not parse, a template that fails, a missing
//!   dependency); with `--strict`, also any warning and any rule that could
//!   not be evaluated (a caplevel defect, never the input's fault).
//!
//! With `--baseline REPORT.json`, failures already present in the previous
//! report are accepted: the gates judge each target as if those findings
//! had passed, so only new failures (and new input errors) fail the run.

use crate::finding::{Finding, Status};
use crate::phase::Phase;
use crate::report::TargetReport;
use crate::score::{Verdict, assess};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The gates asked for.
#[derive(Debug, Clone, Default)]
pub struct Gates {
    /// Fail when the evidenced level is below this phase.
    pub fail_under: Option<Phase>,
    /// Fail when the score is below this.
    pub min_score: Option<f64>,
    /// Fail when a target overclaims.
    pub fail_on_overclaim: bool,
    /// Accept what this earlier report already showed.
    pub baseline: Option<Baseline>,
    /// Also fail on warnings and on rules that could not be evaluated.
    pub strict: bool,
}

/// One failed gate.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GateFailure {
    /// The target's path.
    pub target: String,
    /// `fail-under`, `min-score`, `fail-on-overclaim` or `input-errors`.
    pub gate: String,
    /// What failed, in words.
    pub message: String,
}

/// What an earlier JSON report recorded, per target path.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    failed: BTreeMap<String, BTreeSet<String>>,
    errors: BTreeMap<String, BTreeSet<String>>,
}

/// Why a baseline report could not be read.
#[derive(Debug, thiserror::Error)]
#[error("baseline {file}: {message}")]
pub struct BaselineError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Baseline {
    /// Reads a JSON report written by `caplevel analyze --format json`.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let file = crate::discover::display_path(path);
        let err = |message: String| BaselineError {
            file: file.clone(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| err(format!("not JSON: {e}")))?;
        let targets = json
            .get("targets")
            .and_then(|t| t.as_array())
            .ok_or_else(|| err("not a caplevel JSON report (no `targets` list)".into()))?;
        let mut baseline = Baseline::default();
        for t in targets {
            let Some(path) = t.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let failed: BTreeSet<String> = t
                .get("findings")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
                .filter(|f| {
                    matches!(
                        f.get("status").and_then(|s| s.as_str()),
                        Some("fail" | "error")
                    )
                })
                .filter_map(|f| f.get("rule").and_then(|r| r.as_str()).map(str::to_string))
                .collect();
            let errors: BTreeSet<String> = t
                .get("diagnostics")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
                .filter(|d| d.get("severity").and_then(|s| s.as_str()) == Some("error"))
                .map(diagnostic_key_json)
                .collect();
            baseline.failed.insert(path.to_string(), failed);
            baseline.errors.insert(path.to_string(), errors);
        }
        Ok(baseline)
    }

    fn knows_failure(&self, target: &str, rule: &str) -> bool {
        self.failed.get(target).is_some_and(|s| s.contains(rule))
    }
}

/// A diagnostic's identity across runs: file and message (lines move).
fn diagnostic_key(file: Option<&str>, message: &str) -> String {
    format!("{}\u{0}{message}", file.unwrap_or(""))
}

fn diagnostic_key_json(d: &serde_json::Value) -> String {
    diagnostic_key(
        d.get("file").and_then(|f| f.as_str()),
        d.get("message").and_then(|m| m.as_str()).unwrap_or(""),
    )
}

/// Marks the target's baselined findings, then checks every gate on it.
pub fn check_target(t: &mut TargetReport, gates: &Gates, threshold: f64) -> Vec<GateFailure> {
    if let Some(b) = &gates.baseline {
        for f in &mut t.findings {
            f.baselined = matches!(f.status, Status::Fail | Status::Error)
                && b.knows_failure(&t.path, &f.rule);
        }
    }
    judge(t, gates, threshold)
}

fn judge(t: &TargetReport, gates: &Gates, threshold: f64) -> Vec<GateFailure> {
    let fail = |gate: &str, message: String| GateFailure {
        target: t.path.clone(),
        gate: gate.to_string(),
        message,
    };
    let mut out = Vec::new();
    // Judge as if baselined failures had passed.
    let (evidenced, score, verdict) = if t.findings.iter().any(|f| f.baselined) {
        let accepted: Vec<Finding> = t
            .findings
            .iter()
            .cloned()
            .map(|mut f| {
                if f.baselined {
                    f.status = Status::Pass;
                }
                f
            })
            .collect();
        let a = assess(&accepted, t.declared, threshold);
        (a.evidenced, a.score, a.verdict)
    } else {
        (t.evidenced, t.score, t.verdict)
    };
    // A target no rule applies to was not judged: the level and score
    // gates have nothing to say about it.
    let judged = t.grade != crate::report::NO_GRADE;
    if let Some(min) = gates.fail_under
        && judged
        && evidenced.is_none_or(|e| e < min)
    {
        out.push(fail(
            "fail-under",
            format!(
                "evidenced level {} is below {} {}",
                evidenced.map(|p| p.roman()).unwrap_or("none"),
                min.roman(),
                min.id()
            ),
        ));
    }
    if let Some(min) = gates.min_score
        && judged
        && score < min
    {
        out.push(fail("min-score", format!("score {score} is below {min}")));
    }
    if gates.fail_on_overclaim && verdict == Verdict::Overclaimed {
        out.push(fail(
            "fail-on-overclaim",
            format!(
                "declares {} but evidences {}",
                t.declared.map(|p| p.title()).unwrap_or("-"),
                evidenced.map(|p| p.title()).unwrap_or("no level")
            ),
        ));
    }
    let known = gates.baseline.as_ref().and_then(|b| b.errors.get(&t.path));
    let failing: Vec<&crate::diag::Diagnostic> = t
        .diagnostics
        .iter()
        .filter(|d| d.fails_run(gates.strict))
        .filter(|d| {
            known.is_none_or(|k| !k.contains(&diagnostic_key(d.file.as_deref(), &d.message)))
        })
        .collect();
    if let Some(first) = failing.first() {
        let more = match failing.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        out.push(fail("input-errors", format!("{first}{more}")));
    }
    out
}
