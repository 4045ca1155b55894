//! Scoring: per-phase coverage, the evidenced level, a grade and the verdict
//! on the declared level.
//!
//! - coverage(phase) = 100 × Σ weight(pass or exempt) / Σ weight(pass, fail,
//!   exempt or error) over the phase's findings; a phase with no applicable
//!   rule has coverage 0 (no evidence is no evidence).
//! - evidenced level = the highest phase N such that phases I..N each reach
//!   the threshold (default 50); none when phase I does not.
//! - score = the mean of the five coverages; grade A ≥ 85, B ≥ 70, C ≥ 55,
//!   D ≥ 40, E ≥ 25, else F.
//! - verdict: `undeclared` when no valid level is declared, else `consistent`,
//!   `overclaimed` (declared above evidenced) or `underclaimed`.

use crate::finding::{Finding, Status};
use crate::phase::Phase;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default coverage a phase needs to count as evidenced.
pub const DEFAULT_THRESHOLD: f64 = 50.0;

/// One phase's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhaseScore {
    /// 0–100, one decimal.
    pub coverage: f64,
    /// Whether the coverage reaches the threshold.
    pub reached: bool,
    /// Σ weight of passed and exempt findings.
    pub weight_passed: u32,
    /// Σ weight of applicable findings.
    pub weight_applicable: u32,
    /// Findings that passed.
    pub passed: u32,
    /// Findings that failed.
    pub failed: u32,
    /// Findings exempted.
    pub exempt: u32,
    /// Findings not applicable.
    pub not_applicable: u32,
    /// Findings that could not be evaluated.
    pub errors: u32,
}

/// How the declared level compares with the evidence.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Declared equals evidenced.
    Consistent,
    /// Declared is above what the files show.
    Overclaimed,
    /// Declared is below what the files show.
    Underclaimed,
    /// No valid level declared.
    Undeclared,
}

/// The scored outcome of one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Per phase, in order.
    pub phases: BTreeMap<Phase, PhaseScore>,
    /// The evidenced level; `None` when phase I is not reached.
    pub evidenced: Option<Phase>,
    /// The declared level, when valid.
    pub declared: Option<Phase>,
    /// The verdict.
    pub verdict: Verdict,
    /// Mean coverage, 0–100.
    pub score: f64,
    /// A–F.
    pub grade: char,
}

/// Scores a package's findings.
pub fn assess(findings: &[Finding], declared: Option<Phase>, threshold: f64) -> Assessment {
    let mut phases = BTreeMap::new();
    for phase in Phase::ALL {
        let mut s = PhaseScore {
            coverage: 0.0,
            reached: false,
            weight_passed: 0,
            weight_applicable: 0,
            passed: 0,
            failed: 0,
            exempt: 0,
            not_applicable: 0,
            errors: 0,
        };
        for f in findings.iter().filter(|f| f.phase == phase) {
            match f.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Exempt => s.exempt += 1,
                Status::NotApplicable => s.not_applicable += 1,
                Status::Error => s.errors += 1,
            }
            if f.status != Status::NotApplicable {
                s.weight_applicable += f.weight;
            }
            if matches!(f.status, Status::Pass | Status::Exempt) {
                s.weight_passed += f.weight;
            }
        }
        if s.weight_applicable > 0 {
            s.coverage =
                round1(100.0 * f64::from(s.weight_passed) / f64::from(s.weight_applicable));
        }
        s.reached = s.weight_applicable > 0 && s.coverage >= threshold;
        phases.insert(phase, s);
    }
    let evidenced = Phase::ALL
        .into_iter()
        .take_while(|p| phases[p].reached)
        .last();
    let score = round1(phases.values().map(|s| s.coverage).sum::<f64>() / Phase::ALL.len() as f64);
    let verdict = match declared {
        None => Verdict::Undeclared,
        Some(d) if Some(d) == evidenced => Verdict::Consistent,
        Some(d) if evidenced.is_none_or(|e| d > e) => Verdict::Overclaimed,
        Some(_) => Verdict::Underclaimed,
    };
    Assessment {
        phases,
        evidenced,
        declared,
        verdict,
        score,
        grade: grade(score),
    }
}

/// The letter for a score.
pub fn grade(score: f64) -> char {
    match score {
        s if s >= 85.0 => 'A',
        s if s >= 70.0 => 'B',
        s if s >= 55.0 => 'C',
        s if s >= 40.0 => 'D',
        s if s >= 25.0 => 'E',
        _ => 'F',
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(phase: Phase, status: Status, weight: u32) -> Finding {
        Finding {
            rule: "r".into(),
            phase,
            status,
            weight,
            title: String::new(),
            message: String::new(),
            evidence: vec![],
            exemption: None,
            baselined: false,
        }
    }

    #[test]
    fn coverage_counts_exempt_and_ignores_not_applicable() {
        let fs = [
            f(Phase::BasicInstall, Status::Pass, 3),
            f(Phase::BasicInstall, Status::Exempt, 1),
            f(Phase::BasicInstall, Status::Fail, 2),
            f(Phase::BasicInstall, Status::NotApplicable, 5),
            f(Phase::BasicInstall, Status::Error, 2),
        ];
        let a = assess(&fs, None, 50.0);
        let s = &a.phases[&Phase::BasicInstall];
        assert_eq!((s.weight_passed, s.weight_applicable), (4, 8));
        assert_eq!(s.coverage, 50.0);
        assert!(s.reached);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.verdict, Verdict::Undeclared);
    }

    #[test]
    fn evidenced_level_needs_every_lower_phase() {
        let fs = [
            f(Phase::BasicInstall, Status::Pass, 3),
            f(Phase::SeamlessUpgrades, Status::Fail, 3),
            f(Phase::FullLifecycle, Status::Pass, 3),
        ];
        let a = assess(&fs, Some(Phase::FullLifecycle), 50.0);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.verdict, Verdict::Overclaimed);
        let a = assess(&fs, Some(Phase::BasicInstall), 50.0);
        assert_eq!(a.verdict, Verdict::Consistent);
    }

    #[test]
    fn nothing_reached_is_no_level() {
        let fs = [
            f(Phase::BasicInstall, Status::Fail, 3),
            f(Phase::AutoPilot, Status::Pass, 1),
        ];
        let a = assess(&fs, Some(Phase::BasicInstall), 50.0);
        assert_eq!(a.evidenced, None);
        assert_eq!(a.verdict, Verdict::Overclaimed);
        assert_eq!(a.score, 20.0);
        assert_eq!(a.grade, 'F');
    }

    #[test]
    fn underclaim_and_threshold() {
        let fs = [
            f(Phase::BasicInstall, Status::Pass, 3),
            f(Phase::SeamlessUpgrades, Status::Pass, 1),
            f(Phase::SeamlessUpgrades, Status::Fail, 2),
        ];
        assert_eq!(
            assess(&fs, Some(Phase::BasicInstall), 30.0).verdict,
            Verdict::Underclaimed
        );
        assert_eq!(
            assess(&fs, Some(Phase::BasicInstall), 50.0).verdict,
            Verdict::Consistent
        );
    }

    #[test]
    fn grades() {
        assert_eq!(grade(85.0), 'A');
        assert_eq!(grade(84.9), 'B');
        assert_eq!(grade(24.9), 'F');
    }
}
