//! Scoring: per-phase status from decisive evidence, the evidenced level,
//! the quality score, coverage as a secondary figure, and the verdict on the
//! declared level. docs/scoring.md is the user's account of this module.
//!
//! - Only capability findings count toward phases; quality findings (rule
//!   `dimension: quality`) make the separate quality score and grade.
//! - status(phase), from the level model (rules/levels.yaml): a requirement
//!   is satisfied when a capability finding carrying one of its tags passed
//!   (or is exempt); the phase is `met` when one of its `met` alternatives is
//!   wholly satisfied, `partial` when one of its `partial` alternatives is
//!   (by default: any single requirement), else `not-met`.
//! - negative evidence: a failed capability finding carrying one of a
//!   phase's `against` tags holds the phase at that entry's `max` at best
//!   (a breaking upgrade into this version keeps phase II `partial`).
//! - evidenced level = the highest met phase N such that phase I is met and
//!   the phases between are met or, at most `bridged_partials` of them,
//!   partial (never one held down by evidence against it); lowered by the
//!   model's caps (a failed finding with a cap tag); none when phase I is not
//!   met.
//! - coverage(phase) = 100 × Σ weight(pass or exempt) / Σ weight(pass, fail,
//!   exempt or error) over the phase's capability findings; a phase with no
//!   applicable rule has coverage 0. `reached` = coverage ≥ threshold: a
//!   secondary figure, no longer the level.
//! - score = the mean of the five coverages; grade A ≥ 85, B ≥ 70, C ≥ 55,
//!   D ≥ 40, E ≥ 25, else F. The quality score is the weighted pass share of
//!   the quality findings, graded the same way.
//! - verdict: `undeclared` when no valid level is declared, else `consistent`,
//!   `overclaimed` (declared above evidenced) or `underclaimed`.

use crate::finding::{Dimension, Finding, Status};
use crate::levels::LevelModel;
use crate::phase::Phase;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default coverage a phase needs to count as evidenced.
pub const DEFAULT_THRESHOLD: f64 = 50.0;

/// A phase's judgement from its decisive evidence.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseStatus {
    /// One `met` alternative of the level model is wholly evidenced.
    Met,
    /// Some decisive evidence, not enough for `met`.
    Partial,
    /// No decisive evidence.
    NotMet,
    /// Not assessable: not met on what the package shows, but its decisive
    /// evidence is unknown (the package does not carry it) and could meet it.
    Unknown,
}

impl PhaseStatus {
    /// The kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            PhaseStatus::Met => "met",
            PhaseStatus::Partial => "partial",
            PhaseStatus::NotMet => "not-met",
            PhaseStatus::Unknown => "unknown",
        }
    }
}

/// How sure a judgement is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Borderline: partial evidence.
    Low,
    /// The decisive evidence alone, or signs against a not-met.
    Medium,
    /// Decisive and supporting evidence agree.
    High,
}

impl Confidence {
    /// The kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One decisive requirement of a phase, as judged on a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementOutcome {
    /// The requirement's id in the level model.
    pub id: String,
    /// Whether a finding satisfies it.
    pub satisfied: bool,
    /// The passing capability findings (rule ids) that satisfy it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Not satisfied, but a finding that could satisfy it is unknown (the
    /// package does not carry what it reads).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

/// One phase's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhaseScore {
    /// `met`, `partial` or `not-met` from the decisive evidence, or
    /// `unknown` when it cannot be assessed.
    pub status: PhaseStatus,
    /// How sure the status is.
    pub confidence: Confidence,
    /// The decisive requirements, in the model's order, with the findings
    /// that satisfy them.
    pub decisive: Vec<RequirementOutcome>,
    /// Passing capability findings (rule ids) with a supporting tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporting: Vec<String>,
    /// Failed capability findings (rule ids) of the model's negative
    /// evidence (`against`), which hold the status down.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<String>,
    /// The phase would be met, but only RBAC grants show it (the model's
    /// `grants_alone`), so it is held below met.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grants_alone: bool,
    /// The phase is `partial`, but one of the model's `accepted`
    /// alternatives is whole: it counts toward the level as if met.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    /// The phase is `partial` on evidence too thin to be bridged under a met
    /// phase above it (none of the model's `bridged` alternatives is whole):
    /// it does not count toward the level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unbridged: bool,
    /// 0–100, one decimal: the weighted share of passing capability findings
    /// (secondary figure).
    pub coverage: f64,
    /// Whether the coverage reaches the threshold (secondary figure).
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
    /// Findings whose evidence the package does not carry.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
    /// Declared above the evidenced level, but the phase that would decide
    /// it cannot be assessed from the files (its evidence is unknown).
    Unassessable,
}

/// The packaging and listing quality of one package: its own score and
/// grade, which never move the level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QualityScore {
    /// 0–100, one decimal: Σ weight(pass or exempt) / Σ weight(applicable)
    /// over the quality findings (0 when none applies).
    pub score: f64,
    /// A–F, as for the capability score.
    pub grade: String,
    /// Quality findings that passed or are exempt.
    pub passed: u32,
    /// Quality findings that failed or could not be evaluated.
    pub failed: u32,
}

/// The scored outcome of one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Per phase, in order.
    pub phases: BTreeMap<Phase, PhaseScore>,
    /// The evidenced level; `None` when phase I is not met.
    pub evidenced: Option<Phase>,
    /// How sure the evidenced level is: the lowest confidence of the phases
    /// that decide it (those up to the first one not counted).
    pub confidence: Confidence,
    /// Why the level is capped below what the phases show, when it is
    /// (a cap of the model, or a phase that cannot be assessed).
    pub capped: Option<String>,
    /// The first phase above the evidenced level, when it cannot be
    /// assessed: the level is what the files can show, not what they deny.
    pub unassessable: Option<Phase>,
    /// The packaging and listing quality.
    pub quality: QualityScore,
    /// The declared level, when valid.
    pub declared: Option<Phase>,
    /// The verdict.
    pub verdict: Verdict,
    /// Mean coverage, 0–100.
    pub score: f64,
    /// A–F.
    pub grade: char,
}

/// The level the phase statuses evidence: the highest phase N that is met,
/// with phase I met and every phase between them met or partial, at most
/// `bridged` of them partial; `None` when phase I is not met.
fn level_from_phases(status: &[PhaseStatus; 5], bridged: usize) -> Option<Phase> {
    if status[0] != PhaseStatus::Met {
        return None;
    }
    (0..status.len())
        .rev()
        .find(|&n| {
            let below = &status[1..n.max(1)];
            status[n] == PhaseStatus::Met
                // An unknown phase is not bridged: nothing shows it partial.
                && below
                    .iter()
                    .all(|s| matches!(s, PhaseStatus::Met | PhaseStatus::Partial))
                && below.iter().filter(|s| **s == PhaseStatus::Partial).count() <= bridged
        })
        .map(|n| Phase::ALL[n])
}

/// Scores a package's findings with the built-in level model.
pub fn assess(findings: &[Finding], declared: Option<Phase>, threshold: f64) -> Assessment {
    assess_with(LevelModel::builtin(), findings, declared, threshold)
}

/// Scores a package's findings with a level model.
pub fn assess_with(
    model: &LevelModel,
    findings: &[Finding],
    declared: Option<Phase>,
    threshold: f64,
) -> Assessment {
    let capability: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.dimension == Dimension::Capability)
        .collect();
    // A finding shown only by roles (its evidence is Roles and ClusterRoles,
    // CSV permissions included) is a grant: what the operator may do. Rule
    // → whether every passing finding of it is, read once for all phases.
    let mut by_grants: BTreeMap<&str, bool> = BTreeMap::new();
    for f in capability
        .iter()
        .filter(|f| matches!(f.status, Status::Pass | Status::Exempt))
    {
        let grant = !f.evidence.is_empty()
            && f.evidence
                .iter()
                .all(|e| matches!(e.kind.as_str(), "Role" | "ClusterRole"));
        *by_grants.entry(f.rule.as_str()).or_insert(true) &= grant;
    }
    // A rule with no passing finding has nothing beyond grants either.
    let granted_only = |rule: &str| by_grants.get(rule).copied().unwrap_or(true);
    let passing = |tag: &str| -> Vec<String> {
        let mut ids: Vec<String> = capability
            .iter()
            .filter(|f| matches!(f.status, Status::Pass | Status::Exempt))
            .filter(|f| f.tags.iter().any(|t| t == tag))
            .map(|f| f.rule.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let unknown = |tag: &str| {
        capability
            .iter()
            .any(|f| f.status == Status::Unknown && f.tags.iter().any(|t| t == tag))
    };
    let failing = |tag: &str| -> Vec<String> {
        let mut ids: Vec<String> = capability
            .iter()
            .filter(|f| f.status == Status::Fail)
            .filter(|f| f.tags.iter().any(|t| t == tag))
            .map(|f| f.rule.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut phases = BTreeMap::new();
    for phase in Phase::ALL {
        let mut s = coverage(capability.iter().copied().filter(|f| f.phase == phase));
        s.reached = s.weight_applicable > 0 && s.coverage >= threshold;
        if let Some(pm) = model.phases.get(&phase) {
            s.decisive = pm
                .requirements
                .iter()
                .map(|r| {
                    let mut found: Vec<String> = r.tags.iter().flat_map(|t| passing(t)).collect();
                    found.sort();
                    found.dedup();
                    RequirementOutcome {
                        id: r.id.clone(),
                        satisfied: !found.is_empty(),
                        unknown: found.is_empty() && r.tags.iter().any(|t| unknown(t)),
                        findings: found,
                    }
                })
                .collect();
            let satisfied = |id: &String| s.decisive.iter().any(|o| &o.id == id && o.satisfied);
            let whole = |alts: &[Vec<String>]| alts.iter().any(|a| a.iter().all(satisfied));
            // What unknown evidence could make of the phase.
            let maybe = |id: &String| {
                s.decisive
                    .iter()
                    .any(|o| &o.id == id && (o.satisfied || o.unknown))
            };
            // (An alternative already satisfied is not waiting on unknowns.)
            let could_be_met = pm
                .met
                .iter()
                .any(|a| a.iter().all(maybe) && !a.iter().all(satisfied));
            // Shown by more than grants: some requirement of the alternative
            // rests on a finding that is not a role alone.
            let beyond_grants = |alt: &Vec<String>| {
                alt.iter().any(|id| {
                    s.decisive
                        .iter()
                        .filter(|o| &o.id == id)
                        .flat_map(|o| &o.findings)
                        .any(|rule| !granted_only(rule))
                })
            };
            let met_alts: Vec<&Vec<String>> =
                pm.met.iter().filter(|a| a.iter().all(satisfied)).collect();
            let partial = match &pm.partial {
                Some(alts) => whole(alts),
                None => s.decisive.iter().any(|o| o.satisfied),
            };
            s.status = match pm.grants_alone {
                _ if met_alts.is_empty() && partial => PhaseStatus::Partial,
                _ if met_alts.is_empty() => PhaseStatus::NotMet,
                Some(max) if !met_alts.iter().any(|a| beyond_grants(a)) => {
                    s.grants_alone = true;
                    max
                }
                _ => PhaseStatus::Met,
            };
            // Negative evidence holds the phase down whatever passed.
            let mut against: Vec<String> = Vec::new();
            for a in &pm.against {
                let failed: Vec<String> = failing(&a.tag);
                if !failed.is_empty() {
                    s.status = s.status.max(a.max);
                    against.extend(failed);
                }
            }
            against.sort();
            against.dedup();
            s.accepted =
                s.status == PhaseStatus::Partial && against.is_empty() && whole(&pm.accepted);
            s.unbridged = s.status == PhaseStatus::Partial
                && !s.accepted
                && pm.bridged.as_deref().is_some_and(|alts| !whole(alts));
            if s.status != PhaseStatus::Met && could_be_met && against.is_empty() {
                s.status = PhaseStatus::Unknown;
            }
            s.against = against;
            let mut supporting: Vec<String> =
                pm.supporting.iter().flat_map(|t| passing(t)).collect();
            supporting.sort();
            supporting.dedup();
            let any_decisive = s.decisive.iter().any(|o| o.satisfied);
            s.confidence = match s.status {
                PhaseStatus::Met if !supporting.is_empty() => Confidence::High,
                PhaseStatus::Met => Confidence::Medium,
                PhaseStatus::Partial | PhaseStatus::Unknown => Confidence::Low,
                PhaseStatus::NotMet if supporting.is_empty() && !any_decisive => Confidence::High,
                PhaseStatus::NotMet => Confidence::Medium,
            };
            s.supporting = supporting;
        }
        phases.insert(phase, s);
    }
    // A phase held down by evidence against it (a breaking upgrade) is not
    // a thin phase a higher one vouches for: it is never bridged; nor is one
    // partial on evidence the model does not bridge (`bridged`).
    let by_phases = level_from_phases(
        &Phase::ALL.map(|p| match &phases[&p] {
            s if s.status == PhaseStatus::Partial && !s.against.is_empty() => PhaseStatus::NotMet,
            s if s.status == PhaseStatus::Partial && s.unbridged => PhaseStatus::NotMet,
            s if s.status == PhaseStatus::Partial && s.accepted => PhaseStatus::Met,
            s => s.status,
        }),
        model.bridged_partials,
    );
    let cap = model.caps.iter().find(|c| {
        capability
            .iter()
            .any(|f| f.status == Status::Fail && f.tags.iter().any(|t| t == &c.tag))
    });
    // The first phase not met, when it cannot be assessed.
    let next = by_phases.map_or(Some(Phase::BasicInstall), Phase::next);
    let unassessable = next.filter(|p| phases[p].status == PhaseStatus::Unknown);
    let (evidenced, capped) = match cap {
        Some(c) if by_phases.is_some_and(|e| e > c.max) => {
            (Some(c.max), Some(c.reason.trim().to_string()))
        }
        _ => (
            by_phases,
            unassessable.map(|p| {
                format!(
                    "phase {} ({p}) cannot be assessed: its decisive evidence is not in the package's files, \
                     so the level is what the files can show",
                    p.roman()
                )
            }),
        ),
    };
    // The phases that decide the level: each one counted, and the first one
    // not counted (what keeps the level from being higher).
    let deciding = by_phases.map_or(1, |p| (p.level() as usize + 1).min(Phase::ALL.len()));
    let confidence = Phase::ALL[..deciding]
        .iter()
        .map(|p| phases[p].confidence)
        .min()
        .unwrap_or(Confidence::Low);
    let score = round1(phases.values().map(|s| s.coverage).sum::<f64>() / Phase::ALL.len() as f64);
    let verdict = match declared {
        None => Verdict::Undeclared,
        Some(d) if Some(d) == evidenced => Verdict::Consistent,
        Some(d) if unassessable.is_some_and(|u| u <= d) && evidenced.is_none_or(|e| d > e) => {
            Verdict::Unassessable
        }
        Some(d) if evidenced.is_none_or(|e| d > e) => Verdict::Overclaimed,
        Some(_) => Verdict::Underclaimed,
    };
    Assessment {
        phases,
        evidenced,
        confidence,
        capped,
        unassessable,
        quality: quality(findings),
        declared,
        verdict,
        score,
        grade: grade(score),
    }
}

/// The coverage figures of some findings (status, confidence and decisive
/// evidence left for the caller).
fn coverage<'a>(findings: impl Iterator<Item = &'a Finding>) -> PhaseScore {
    let mut s = PhaseScore {
        status: PhaseStatus::NotMet,
        confidence: Confidence::High,
        decisive: Vec::new(),
        supporting: Vec::new(),
        against: Vec::new(),
        grants_alone: false,
        accepted: false,
        unbridged: false,
        coverage: 0.0,
        reached: false,
        weight_passed: 0,
        weight_applicable: 0,
        passed: 0,
        failed: 0,
        exempt: 0,
        not_applicable: 0,
        errors: 0,
        unknown: 0,
    };
    for f in findings {
        match f.status {
            Status::Pass => s.passed += 1,
            Status::Fail => s.failed += 1,
            Status::Exempt => s.exempt += 1,
            Status::NotApplicable => s.not_applicable += 1,
            Status::Error => s.errors += 1,
            Status::Unknown => s.unknown += 1,
        }
        if !matches!(f.status, Status::NotApplicable | Status::Unknown) {
            s.weight_applicable += f.weight;
        }
        if matches!(f.status, Status::Pass | Status::Exempt) {
            s.weight_passed += f.weight;
        }
    }
    if s.weight_applicable > 0 {
        s.coverage = round1(100.0 * f64::from(s.weight_passed) / f64::from(s.weight_applicable));
    }
    s
}

/// The quality score of a package's quality findings.
fn quality(findings: &[Finding]) -> QualityScore {
    let s = coverage(
        findings
            .iter()
            .filter(|f| f.dimension == Dimension::Quality),
    );
    QualityScore {
        score: s.coverage,
        grade: grade(s.coverage).to_string(),
        passed: s.passed + s.exempt,
        failed: s.failed + s.errors,
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
            dimension: Dimension::Capability,
            tags: vec![],
            title: String::new(),
            message: String::new(),
            evidence: vec![],
            exemption: None,
            baselined: false,
        }
    }

    /// A passing (or `status`) capability finding with tags.
    fn t(rule: &str, phase: Phase, status: Status, tags: &[&str]) -> Finding {
        Finding {
            rule: rule.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..f(phase, status, 2)
        }
    }

    /// Findings that meet phase I through the first bundle alternative.
    fn phase_one() -> Vec<Finding> {
        vec![
            t("spec", Phase::BasicInstall, Status::Pass, &["api-spec"]),
            t(
                "deploy",
                Phase::BasicInstall,
                Status::Pass,
                &["operator-deployment"],
            ),
            t(
                "status",
                Phase::BasicInstall,
                Status::Pass,
                &["status-reported"],
            ),
        ]
    }

    #[test]
    fn phase_one_without_status_is_partial_but_accepted_for_level_one() {
        // The built-in model: an owned API and the operator's Deployment
        // with no status the files show.
        let mut fs = phase_one();
        fs.retain(|f| f.rule != "status");
        fs.push(t(
            "status",
            Phase::BasicInstall,
            Status::Fail,
            &["status-reported"],
        ));
        let a = assess(&fs, None, 50.0);
        let one = &a.phases[&Phase::BasicInstall];
        assert_eq!(one.status, PhaseStatus::Partial);
        assert!(one.accepted);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        // Without the owned API nothing is accepted: no level.
        fs.retain(|f| f.rule != "spec");
        let a = assess(&fs, None, 50.0);
        assert!(!a.phases[&Phase::BasicInstall].accepted);
        assert_eq!(a.evidenced, None);
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
        // Coverage is secondary: no decisive evidence, no level.
        assert_eq!(s.status, PhaseStatus::NotMet);
        assert_eq!(a.evidenced, None);
        assert_eq!(a.verdict, Verdict::Undeclared);
    }

    #[test]
    fn a_phase_is_met_by_a_whole_alternative_and_partial_by_part_of_one() {
        let fs = phase_one();
        let a = assess(&fs, Some(Phase::BasicInstall), 50.0);
        let one = &a.phases[&Phase::BasicInstall];
        assert_eq!(one.status, PhaseStatus::Met);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.verdict, Verdict::Consistent);
        let deciding: Vec<&str> = one
            .decisive
            .iter()
            .flat_map(|o| o.findings.iter().map(String::as_str))
            .collect();
        assert_eq!(deciding, ["spec", "deploy", "status"]);
        // The operator's Deployment and status, no owned API: partial, and
        // not accepted for a level.
        let a = assess(&fs[1..], Some(Phase::BasicInstall), 50.0);
        assert_eq!(a.phases[&Phase::BasicInstall].status, PhaseStatus::Partial);
        assert_eq!(a.evidenced, None);
        assert_eq!(a.verdict, Verdict::Overclaimed);
    }

    #[test]
    fn the_level_needs_every_lower_phase_met() {
        let mut fs = phase_one();
        // Phase III met, phase II not: the level stays at I.
        fs.push(t(
            "backup",
            Phase::FullLifecycle,
            Status::Pass,
            &["backup-restore"],
        ));
        fs.push(t(
            "pdb",
            Phase::FullLifecycle,
            Status::Pass,
            &["resilience"],
        ));
        let a = assess(&fs, Some(Phase::FullLifecycle), 50.0);
        assert_eq!(a.phases[&Phase::FullLifecycle].status, PhaseStatus::Met);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.verdict, Verdict::Overclaimed);
        // II partial under a met III on an image field and leader election
        // alone: no upgrade story, not bridged.
        fs.push(t(
            "version",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["operand-version"],
        ));
        fs.push(t(
            "leader",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["safe-rollout"],
        ));
        let a = assess(&fs, Some(Phase::FullLifecycle), 50.0);
        let two = &a.phases[&Phase::SeamlessUpgrades];
        assert_eq!(two.status, PhaseStatus::Partial);
        assert!(two.unbridged);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        // An API that steers the operand's upgrade beside the image field,
        // with no safe rollout: partial, and bridged (the model allows one
        // partial phase).
        fs.retain(|f| f.rule != "leader");
        fs.push(t(
            "upgrade-policy",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["upgrade-control"],
        ));
        let a = assess(&fs, Some(Phase::FullLifecycle), 50.0);
        let two = &a.phases[&Phase::SeamlessUpgrades];
        assert_eq!(two.status, PhaseStatus::Partial);
        assert!(!two.unbridged);
        assert_eq!(a.evidenced, Some(Phase::FullLifecycle));
        fs.retain(|f| f.rule != "upgrade-policy");
        fs.push(t(
            "leader",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["safe-rollout"],
        ));
        fs.push(t(
            "edge",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["upgrade-path"],
        ));
        let a = assess(&fs, Some(Phase::FullLifecycle), 50.0);
        assert_eq!(a.evidenced, Some(Phase::FullLifecycle));
        assert_eq!(a.verdict, Verdict::Consistent);
        let a = assess(&fs, Some(Phase::BasicInstall), 50.0);
        assert_eq!(a.verdict, Verdict::Underclaimed);
    }

    #[test]
    fn a_partial_phase_is_bridged_only_on_the_evidence_the_model_bridges() {
        // The built-in model: phase III partial on a scale API alone (a
        // replica count) under a met phase IV is not carried into the level;
        // partial on members the operator reports, it is.
        let mut fs = phase_one();
        for (rule, tag) in [
            ("upgrade-policy", "upgrade-control"),
            ("leader", "safe-rollout"),
        ] {
            fs.push(t(rule, Phase::SeamlessUpgrades, Status::Pass, &[tag]));
        }
        fs.push(t(
            "scale",
            Phase::FullLifecycle,
            Status::Pass,
            &["member-management"],
        ));
        for (rule, tag) in [("monitor", "metrics"), ("alerts", "alerts")] {
            fs.push(t(rule, Phase::DeepInsights, Status::Pass, &[tag]));
        }
        let a = assess(&fs, None, 50.0);
        let three = &a.phases[&Phase::FullLifecycle];
        assert_eq!(three.status, PhaseStatus::Partial);
        assert!(three.unbridged);
        assert_eq!(a.phases[&Phase::DeepInsights].status, PhaseStatus::Met);
        assert_eq!(a.evidenced, Some(Phase::SeamlessUpgrades));
        // A ready count in status is no lifecycle management either.
        fs.push(t(
            "members",
            Phase::FullLifecycle,
            Status::Pass,
            &["member-management", "member-status"],
        ));
        let a = assess(&fs, None, 50.0);
        assert!(a.phases[&Phase::FullLifecycle].unbridged);
        assert_eq!(a.evidenced, Some(Phase::SeamlessUpgrades));
        fs.push(t(
            "jobs",
            Phase::FullLifecycle,
            Status::Pass,
            &["maintenance-jobs"],
        ));
        let a = assess(&fs, None, 50.0);
        assert!(!a.phases[&Phase::FullLifecycle].unbridged);
        assert_eq!(a.evidenced, Some(Phase::DeepInsights));
    }

    #[test]
    fn phase_two_needs_the_upgrade_story_in_the_custom_resource() {
        // An image field, an upgrade edge and leader election — what every
        // scaffolded operator has — leave phase II partial.
        let mut fs = phase_one();
        for (rule, tag) in [
            ("version", "operand-version"),
            ("edge", "upgrade-path"),
            ("leader", "safe-rollout"),
        ] {
            fs.push(t(rule, Phase::SeamlessUpgrades, Status::Pass, &[tag]));
        }
        let a = assess(&fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::Partial
        );
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        // The custom resource steering the operand's upgrade: met.
        fs.push(t(
            "upgrade-policy",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["upgrade-control"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(a.phases[&Phase::SeamlessUpgrades].status, PhaseStatus::Met);
        assert_eq!(a.evidenced, Some(Phase::SeamlessUpgrades));
        // So is the running version reported back, with the safe rollout.
        fs.retain(|f| f.rule != "upgrade-policy");
        fs.push(t(
            "reported",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["operand-version", "version-reported"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(a.phases[&Phase::SeamlessUpgrades].status, PhaseStatus::Met);
        // Without the safe rollout, partial again.
        fs.retain(|f| f.rule != "leader");
        let a = assess(&fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::Partial
        );
    }

    #[test]
    fn a_chart_upgrades_through_its_values() {
        // A chart has no custom resource: images from values, an upgrade
        // path (stable selectors, hooks) and a safe rollout meet phase II.
        let mut fs = phase_one();
        for (rule, tag) in [("edge", "upgrade-path"), ("rollout", "safe-rollout")] {
            fs.push(t(rule, Phase::SeamlessUpgrades, Status::Pass, &[tag]));
        }
        let a = assess(&fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::Partial
        );
        fs.push(t(
            "images",
            Phase::BasicInstall,
            Status::Pass,
            &["operand-version", "chart-images"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(a.phases[&Phase::SeamlessUpgrades].status, PhaseStatus::Met);
    }

    #[test]
    fn partial_phases_are_bridged_at_most_as_the_model_allows() {
        use PhaseStatus::{Met, NotMet, Partial};
        // (phase statuses, bridged partials allowed, level)
        let cases = [
            (
                [Met, Partial, Met, NotMet, NotMet],
                1,
                Some(Phase::FullLifecycle),
            ),
            (
                [Met, Partial, Met, NotMet, NotMet],
                0,
                Some(Phase::BasicInstall),
            ),
            // Two partial phases under a met one: only as many as allowed.
            (
                [Met, Partial, Partial, Met, NotMet],
                1,
                Some(Phase::BasicInstall),
            ),
            (
                [Met, Partial, Partial, Met, NotMet],
                2,
                Some(Phase::DeepInsights),
            ),
            // A phase not met at all is never bridged, and phase I never is.
            (
                [Met, NotMet, Met, Met, NotMet],
                1,
                Some(Phase::BasicInstall),
            ),
            ([Partial, Met, Met, Met, Met], 1, None),
            // A partial phase on top is not counted.
            (
                [Met, Met, Partial, NotMet, NotMet],
                1,
                Some(Phase::SeamlessUpgrades),
            ),
        ];
        for (status, bridged, want) in cases {
            assert_eq!(
                level_from_phases(&status, bridged),
                want,
                "{status:?} bridging {bridged}"
            );
        }
    }

    #[test]
    fn quality_findings_never_move_the_level_or_coverage() {
        let mut fs = phase_one();
        let before = assess(&fs, None, 50.0);
        let mut q = t("icon", Phase::BasicInstall, Status::Fail, &["api-spec"]);
        q.dimension = Dimension::Quality;
        q.weight = 3;
        fs.push(q.clone());
        q.rule = "contacts".into();
        q.status = Status::Pass;
        q.weight = 1;
        fs.push(q);
        let after = assess(&fs, None, 50.0);
        assert_eq!(after.evidenced, before.evidenced);
        assert_eq!(after.phases, before.phases);
        assert_eq!(after.quality.score, 25.0);
        assert_eq!(after.quality.grade, "E");
        assert_eq!((after.quality.passed, after.quality.failed), (1, 1));
    }

    #[test]
    fn a_failed_cap_tag_caps_the_level() {
        let mut fs = phase_one();
        fs.push(t(
            "upgrade-policy",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["upgrade-control"],
        ));
        fs.push(t(
            "leader",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["safe-rollout"],
        ));
        assert_eq!(
            assess(&fs, None, 50.0).evidenced,
            Some(Phase::SeamlessUpgrades)
        );
        fs.push(t(
            "workloads",
            Phase::BasicInstall,
            Status::Fail,
            &["manages-workload"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert!(a.capped.is_some());
    }

    /// A level model of one requirement per phase (tag = the phase id),
    /// with `extra` appended to phase II.
    fn tiny_text(extra: &str) -> String {
        let mut text = String::from("phases:\n");
        for p in Phase::ALL {
            text += &format!(
                "  {p}:\n    summary: s\n    requirements:\n      - id: r\n        title: t\n        tags: [{p}]\n    met:\n      - [r]\n"
            );
            if p == Phase::SeamlessUpgrades {
                text += extra;
            }
        }
        text
    }

    fn tiny_model(extra: &str) -> LevelModel {
        LevelModel::parse(&tiny_text(extra)).expect("valid model")
    }

    #[test]
    fn negative_evidence_holds_a_phase_down() {
        let model = tiny_model(
            "    against:\n      - tag: upgrade-safety\n        max: partial\n        reason: breaks\n",
        );
        let mut fs = vec![
            t("one", Phase::BasicInstall, Status::Pass, &["basic-install"]),
            t(
                "two",
                Phase::SeamlessUpgrades,
                Status::Pass,
                &["seamless-upgrades"],
            ),
        ];
        let a = assess_with(&model, &fs, None, 50.0);
        assert_eq!(a.evidenced, Some(Phase::SeamlessUpgrades));
        // A passing finding of the negative tag changes nothing.
        fs.push(t(
            "safe",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["upgrade-safety"],
        ));
        assert_eq!(
            assess_with(&model, &fs, None, 50.0).evidenced,
            Some(Phase::SeamlessUpgrades)
        );
        fs.pop();
        fs.push(t(
            "safe",
            Phase::SeamlessUpgrades,
            Status::Fail,
            &["upgrade-safety"],
        ));
        let a = assess_with(&model, &fs, None, 50.0);
        let two = &a.phases[&Phase::SeamlessUpgrades];
        assert_eq!(two.status, PhaseStatus::Partial);
        assert_eq!(two.against, ["safe"]);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        // It never raises a phase: not-met stays not-met.
        fs.remove(1);
        let a = assess_with(&model, &fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::NotMet
        );
    }

    #[test]
    fn a_phase_held_down_is_never_bridged() {
        let text = tiny_text(
            "    against:\n      - tag: upgrade-safety\n        max: partial\n        reason: breaks\n",
        ) + "bridged_partials: 1\n";
        let model = LevelModel::parse(&text).expect("valid model");
        let fs = vec![
            t("one", Phase::BasicInstall, Status::Pass, &["basic-install"]),
            t(
                "two",
                Phase::SeamlessUpgrades,
                Status::Pass,
                &["seamless-upgrades"],
            ),
            t(
                "broke",
                Phase::SeamlessUpgrades,
                Status::Fail,
                &["upgrade-safety"],
            ),
            t(
                "three",
                Phase::FullLifecycle,
                Status::Pass,
                &["full-lifecycle"],
            ),
        ];
        let a = assess_with(&model, &fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::Partial
        );
        assert_eq!(a.phases[&Phase::FullLifecycle].status, PhaseStatus::Met);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
    }

    /// A passing finding in phase II shown by objects of these kinds.
    fn shown_by(rule: &str, kinds: &[&str]) -> Finding {
        Finding {
            evidence: kinds
                .iter()
                .map(|k| crate::finding::Evidence {
                    file: "manifests/x.yaml".into(),
                    line: 1,
                    kind: (*k).into(),
                    name: "x".into(),
                    embedded: None,
                    note: None,
                    profile: None,
                })
                .collect(),
            ..t(
                rule,
                Phase::SeamlessUpgrades,
                Status::Pass,
                &["seamless-upgrades"],
            )
        }
    }

    #[test]
    fn full_lifecycle_on_grants_alone_is_partial() {
        // The built-in model: PodDisruptionBudget and Job RBAC alone (what
        // a cluster-admin binding grants of everything) say the operator
        // could keep its operand available and run its backups, not that it
        // does.
        let lifecycle = |rule: &str, tag: &str, kinds: &[&str]| Finding {
            phase: Phase::FullLifecycle,
            tags: vec![tag.to_string()],
            ..shown_by(rule, kinds)
        };
        let mut fs = phase_one();
        fs.push(lifecycle("pdb-rbac", "resilience", &["ClusterRole"]));
        fs.push(lifecycle("jobs-rbac", "maintenance-jobs", &["Role"]));
        let a = assess(&fs, None, 50.0);
        let three = &a.phases[&Phase::FullLifecycle];
        assert_eq!(three.status, PhaseStatus::Partial);
        assert!(three.grants_alone);
        // A scale API in the custom resource beside them: met.
        fs.push(lifecycle(
            "scale",
            "member-management",
            &["CustomResourceDefinition"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(a.phases[&Phase::FullLifecycle].status, PhaseStatus::Met);
    }

    #[test]
    fn a_phase_shown_by_grants_alone_is_held_where_the_model_says() {
        let limited = tiny_model("    grants_alone: partial\n");
        let unlimited = tiny_model("");
        let status = |model: &LevelModel, fs: Vec<Finding>| {
            let mut all = vec![t(
                "one",
                Phase::BasicInstall,
                Status::Pass,
                &["basic-install"],
            )];
            all.extend(fs);
            assess_with(model, &all, None, 50.0).phases[&Phase::SeamlessUpgrades].status
        };
        let grant = || shown_by("rbac", &["ClusterRole", "Role"]);
        // Roles alone: what the operator may do.
        assert_eq!(status(&limited, vec![grant()]), PhaseStatus::Partial);
        let mut all = vec![
            t("one", Phase::BasicInstall, Status::Pass, &["basic-install"]),
            grant(),
        ];
        assert!(
            assess_with(&limited, &all, None, 50.0).phases[&Phase::SeamlessUpgrades].grants_alone
        );
        all.push(shown_by("api", &["CustomResourceDefinition"]));
        assert!(
            !assess_with(&limited, &all, None, 50.0).phases[&Phase::SeamlessUpgrades].grants_alone
        );
        assert_eq!(status(&unlimited, vec![grant()]), PhaseStatus::Met);
        // One finding shown by the API as well: met.
        let api = shown_by("api", &["CustomResourceDefinition"]);
        assert_eq!(status(&limited, vec![grant(), api]), PhaseStatus::Met);
        // A finding shown by a role and a Deployment is more than a grant.
        let mixed = shown_by("mixed", &["ClusterRole", "Deployment"]);
        assert_eq!(status(&limited, vec![mixed]), PhaseStatus::Met);
        let e = LevelModel::parse(&tiny_text("    grants_alone: met\n")).unwrap_err();
        assert!(e.contains("below met"), "{e}");
    }

    #[test]
    fn negative_evidence_cannot_allow_met() {
        let e = LevelModel::parse(&tiny_text(
            "    against:\n      - tag: upgrade-safety\n        max: met\n        reason: r\n",
        ))
        .unwrap_err();
        assert!(e.contains("below met"), "{e}");
    }

    #[test]
    fn unknown_evidence_makes_a_phase_unassessable_never_met() {
        let model = tiny_model("");
        let mut fs = vec![
            t("one", Phase::BasicInstall, Status::Pass, &["basic-install"]),
            t(
                "two",
                Phase::SeamlessUpgrades,
                Status::Unknown,
                &["seamless-upgrades"],
            ),
        ];
        let a = assess_with(&model, &fs, Some(Phase::SeamlessUpgrades), 50.0);
        let two = &a.phases[&Phase::SeamlessUpgrades];
        assert_eq!(two.status, PhaseStatus::Unknown);
        assert!(two.decisive[0].unknown && !two.decisive[0].satisfied);
        assert_eq!((two.unknown, two.weight_applicable), (1, 0));
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.unassessable, Some(Phase::SeamlessUpgrades));
        assert_eq!(a.verdict, Verdict::Unassessable);
        assert!(a.capped.as_deref().is_some_and(|c| c.contains("phase II")));
        // An unknown phase is never bridged, even where a partial one is.
        let bridging =
            LevelModel::parse(&(tiny_text("") + "bridged_partials: 1\n")).expect("model");
        let mut above = fs.clone();
        above.push(t(
            "three",
            Phase::FullLifecycle,
            Status::Pass,
            &["full-lifecycle"],
        ));
        let a = assess_with(&bridging, &above, None, 50.0);
        assert_eq!(a.evidenced, Some(Phase::BasicInstall));
        assert_eq!(a.unassessable, Some(Phase::SeamlessUpgrades));
        // A declaration the files do show stays consistent.
        let a = assess_with(&model, &fs, Some(Phase::BasicInstall), 50.0);
        assert_eq!(a.verdict, Verdict::Consistent);
        // Known evidence decides: a passing finding makes the phase met.
        fs.push(t(
            "two-b",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["seamless-upgrades"],
        ));
        let a = assess_with(&model, &fs, None, 50.0);
        assert_eq!(a.phases[&Phase::SeamlessUpgrades].status, PhaseStatus::Met);
        assert_eq!(a.unassessable, None);
        // An unknown finding that no requirement reads changes nothing.
        let fs = [
            t("one", Phase::BasicInstall, Status::Pass, &["basic-install"]),
            t(
                "x",
                Phase::SeamlessUpgrades,
                Status::Unknown,
                &["unrelated"],
            ),
        ];
        let a = assess_with(&model, &fs, Some(Phase::SeamlessUpgrades), 50.0);
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::NotMet
        );
        assert_eq!(a.verdict, Verdict::Overclaimed);
    }

    #[test]
    fn confidence_is_the_lowest_of_the_deciding_phases() {
        let mut fs = phase_one();
        // I met with no supporting evidence: medium; II partial: low.
        fs.push(t(
            "version",
            Phase::SeamlessUpgrades,
            Status::Pass,
            &["operand-version"],
        ));
        let a = assess(&fs, None, 50.0);
        assert_eq!(
            a.phases[&Phase::BasicInstall].confidence,
            Confidence::Medium
        );
        assert_eq!(
            a.phases[&Phase::SeamlessUpgrades].status,
            PhaseStatus::Partial
        );
        assert_eq!(a.confidence, Confidence::Low);
        // Phases above the first unmet one do not count.
        assert_eq!(a.phases[&Phase::AutoPilot].confidence, Confidence::High);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(85.0), 'A');
        assert_eq!(grade(84.9), 'B');
        assert_eq!(grade(24.9), 'F');
    }
}
