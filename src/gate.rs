//! Gates: the conditions under which a CI run fails (exit code 1).
//!
//! - `--fail-under PHASE`: a target's evidenced level is below PHASE;
//! - `--min-score N`: a target's (capability) score is below N;
//! - `--min-quality N`: a target's quality score is below N;
//! - `--fail-on-overclaim`: a target declares more than it evidences;
//! - `--fail-on-breaking`: an upgrade into the latest version of a history
//!   breaks (a breaking CRD change, or an upgrade-graph problem at it);
//! - always: a target's input has an error a cluster or helm would reject
//!   (a file that does not parse, a template that fails, a missing
//!   dependency); with `--strict`, also any warning and any rule that could
//!   not be evaluated (a caplevel defect, never the input's fault).
//!
//! With `--baseline REPORT`, what the previous report already showed is
//! accepted: failed findings with the same fingerprint (rule and objects,
//! not lines or how paths were typed) are marked `baselined`, known input
//! errors do not fail the run, and a level, score or overclaim gate that
//! the same target already failed does not fail again unless it got worse
//! (a lower level or score, a changed declaration). A baseline never makes
//! a gate pass that the target fails worse than recorded.

use crate::finding::{Evidence, Status};
use crate::phase::Phase;
use crate::report::TargetReport;
use crate::score::Verdict;
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
    /// Fail when the quality score is below this.
    pub min_quality: Option<f64>,
    /// Fail when a target overclaims.
    pub fail_on_overclaim: bool,
    /// Fail when an upgrade into a history's latest version breaks.
    pub fail_on_breaking: bool,
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
    /// `fail-under`, `min-score`, `min-quality`, `fail-on-overclaim`,
    /// `fail-on-breaking` or `input-errors`.
    pub gate: String,
    /// What failed, in words.
    pub message: String,
}

/// What an earlier report recorded, per target (by its stable id; by path
/// for reports written before ids existed).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    targets: BTreeMap<String, Recorded>,
}

/// One target as a baseline recorded it.
#[derive(Debug, Clone, Default)]
struct Recorded {
    /// Fingerprints of its failed findings (see [`fingerprints`]).
    failures: BTreeSet<String>,
    /// Keys of its diagnostics that failed the run (see [`diagnostic_key`]).
    errors: BTreeSet<String>,
    /// Its evidenced level (`None` inside: no level).
    evidenced: Option<Option<Phase>>,
    /// Its declared level text.
    declared: Option<Option<String>>,
    score: Option<f64>,
    verdict: Option<String>,
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
    /// Reads a report written by `caplevel baseline`, or `caplevel analyze`
    /// in `json` or `jsonl` format.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let file = crate::discover::display_path(path);
        let err = |message: String| BaselineError {
            file: file.clone(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let targets: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(&text)
        {
            Ok(json) => json
                .get("targets")
                .and_then(|t| t.as_array())
                .cloned()
                .ok_or_else(|| err("not a caplevel report (no `targets` list)".into()))?,
            // JSON Lines: the target lines.
            Err(_) => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(serde_json::from_str::<serde_json::Value>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| err(format!("neither JSON nor JSON Lines: {e}")))?
                .into_iter()
                .filter(|v| v.get("type").and_then(|t| t.as_str()) == Some("target"))
                .collect(),
        };
        let mut baseline = Baseline::default();
        for t in &targets {
            let Some(key) = t
                .get("id")
                .or_else(|| t.get("path"))
                .and_then(|p| p.as_str())
            else {
                continue;
            };
            let target_path = t.get("path").and_then(|p| p.as_str()).unwrap_or("");
            let mut rec = Recorded {
                evidenced: t
                    .get("evidenced")
                    .map(|e| e.as_str().and_then(Phase::parse_arg)),
                declared: t
                    .get("declared_raw")
                    .map(|d| d.as_str().map(str::to_string)),
                score: t.get("score").and_then(|s| s.as_f64()),
                verdict: t
                    .get("verdict")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                ..Recorded::default()
            };
            // A JSON Lines target groups its findings by status: the rules,
            // not their objects.
            if let Some(by_status) = t.get("findings").and_then(|f| f.as_object()) {
                for status in ["fail", "error"] {
                    for rule in by_status
                        .get(status)
                        .and_then(|r| r.as_object())
                        .into_iter()
                        .flat_map(|r| r.keys())
                    {
                        rec.failures.insert(format!("{rule}\u{0}*"));
                    }
                }
            }
            for f in t
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
            {
                let rule = f.get("rule").and_then(|r| r.as_str()).unwrap_or("");
                match f.get("evidence") {
                    Some(serde_json::Value::Array(items)) => {
                        let evidence: Vec<Evidence> = items
                            .iter()
                            .filter_map(|e| serde_json::from_value(e.clone()).ok())
                            .collect();
                        rec.failures.extend(fingerprints(rule, &evidence));
                    }
                    // A compact (JSON Lines) finding: the rule, not its objects.
                    _ => {
                        rec.failures.insert(format!("{rule}\u{0}*"));
                    }
                }
            }
            for d in t
                .get("diagnostics")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
            {
                rec.errors.insert(diagnostic_key(
                    target_path,
                    d.get("code").and_then(|c| c.as_str()).unwrap_or(""),
                    d.get("file").and_then(|f| f.as_str()),
                    d.get("message").and_then(|m| m.as_str()).unwrap_or(""),
                ));
            }
            baseline.targets.insert(key.to_string(), rec);
        }
        Ok(baseline)
    }

    fn get(&self, t: &TargetReport) -> Option<&Recorded> {
        self.targets
            .get(&t.id)
            .or_else(|| self.targets.get(&t.path))
    }
}

/// A failed finding's identity across runs: the rule and each object of its
/// evidence (kind, name, embedded field) — not lines, not how paths were
/// typed. The target is the key it is filed under.
pub fn fingerprints(rule: &str, evidence: &[Evidence]) -> Vec<String> {
    if evidence.is_empty() {
        return vec![format!("{rule}\u{0}")];
    }
    evidence
        .iter()
        .map(|e| {
            format!(
                "{rule}\u{0}{}\u{0}{}\u{0}{}",
                e.kind,
                e.name,
                e.embedded.as_deref().unwrap_or("")
            )
        })
        .collect()
}

/// A diagnostic's identity across runs: its code, its file relative to the
/// target, and its message (lines move).
fn diagnostic_key(target_path: &str, code: &str, file: Option<&str>, message: &str) -> String {
    let file = file.unwrap_or("");
    let rel = file
        .strip_prefix(target_path)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(file);
    format!("{code}\u{0}{rel}\u{0}{message}")
}

/// Marks the target's baselined findings, then checks every gate on it.
pub fn check_target(t: &mut TargetReport, gates: &Gates) -> Vec<GateFailure> {
    if let Some(rec) = gates.baseline.as_ref().and_then(|b| b.get(t)) {
        for f in &mut t.findings {
            f.baselined = matches!(f.status, Status::Fail | Status::Error)
                && (rec.failures.contains(&format!("{}\u{0}*", f.rule))
                    || fingerprints(&f.rule, &f.evidence)
                        .iter()
                        .all(|k| rec.failures.contains(k)));
        }
    }
    judge(t, gates)
}

fn judge(t: &TargetReport, gates: &Gates) -> Vec<GateFailure> {
    let fail = |gate: &str, message: String| GateFailure {
        target: t.path.clone(),
        gate: gate.to_string(),
        message,
    };
    let mut out = Vec::new();
    let rec = gates.baseline.as_ref().and_then(|b| b.get(t));
    // A baseline excuses a failing gate only where it recorded the same
    // target failing it at least as badly: the same declaration, and no
    // lower level, no lower score. Anything worse fails, and a target the
    // baseline does not know is judged as if there were no baseline.
    let same_claim = rec.is_some_and(|r| r.declared.as_ref() == Some(&t.declared_raw));
    // A target no rule applies to was not judged: the level and score
    // gates have nothing to say about it.
    let judged = t.grade != crate::report::NO_GRADE;
    if let Some(min) = gates.fail_under
        && judged
        && t.evidenced.is_none_or(|e| e < min)
    {
        let excused = rec
            .and_then(|r| r.evidenced)
            .is_some_and(|old| old.is_none_or(|o| o < min) && t.evidenced >= old);
        if !excused {
            out.push(fail(
                "fail-under",
                format!(
                    "evidenced level {} is below {} {}",
                    t.evidenced.map(|p| p.roman()).unwrap_or("none"),
                    min.roman(),
                    min.id()
                ),
            ));
        }
    }
    if let Some(min) = gates.min_score
        && judged
        && t.score < min
    {
        let excused = rec
            .and_then(|r| r.score)
            .is_some_and(|old| old < min && t.score >= old);
        if !excused {
            out.push(fail(
                "min-score",
                format!("score {} is below {min}", t.score),
            ));
        }
    }
    if let Some(min) = gates.min_quality
        && judged
        && t.quality.score < min
    {
        out.push(fail(
            "min-quality",
            format!("quality score {} is below {min}", t.quality.score),
        ));
    }
    if gates.fail_on_overclaim && t.verdict == Verdict::Overclaimed {
        let excused = same_claim
            && rec.is_some_and(|r| {
                r.verdict.as_deref() == Some(crate::report::verdict_id(t.verdict))
                    && r.evidenced.is_some_and(|old| t.evidenced >= old)
            });
        if !excused {
            out.push(fail(
                "fail-on-overclaim",
                format!(
                    "declares {} but evidences {}",
                    t.declared.map(|p| p.title()).unwrap_or("-"),
                    t.evidenced.map(|p| p.title()).unwrap_or("no level")
                ),
            ));
        }
    }
    let failing: Vec<&crate::diag::Diagnostic> = t
        .diagnostics
        .iter()
        .filter(|d| d.fails_run(gates.strict))
        .filter(|d| {
            rec.is_none_or(|r| {
                !r.errors.contains(&diagnostic_key(
                    &t.path,
                    d.code.id(),
                    d.file.as_deref(),
                    &d.message,
                ))
            })
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

/// The gates on one history: `--fail-on-breaking` fails on its latest
/// version when an upgrade into it breaks. A baseline does not excuse it:
/// a release that breaks its users' upgrade is new each time.
pub fn check_history(h: &crate::history::HistoryReport, gates: &Gates) -> Vec<GateFailure> {
    if !gates.fail_on_breaking {
        return Vec::new();
    }
    h.breaks_into(&h.latest)
        .map(|why| GateFailure {
            target: h.latest.path.clone(),
            gate: "fail-on-breaking".into(),
            message: format!(
                "upgrading {} to {} breaks: {why}",
                h.package, h.latest.version
            ),
        })
        .into_iter()
        .collect()
}
