//! The level model: for each phase, the decisive evidence that makes a
//! reviewer accept it, as data (`rules/levels.yaml`, embedded at build time).
//!
//! Rules carry evidence tags; the model names, per phase, requirements (each
//! a set of tags: satisfied when a capability finding with one of them
//! passed), the alternatives of requirements that make the phase `met`, and
//! the tags that only support it. `score` applies the model; nothing in Rust
//! knows what a phase needs.

use crate::phase::Phase;
use crate::score::PhaseStatus;
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The built-in level model's text.
pub const BUILTIN: &str = include_str!("../rules/levels.yaml");

/// The level model, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelModel {
    /// Per phase, what decides it. Every phase must be present.
    pub phases: BTreeMap<Phase, PhaseModel>,
    /// Failed evidence that caps the level.
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// How many `partial` phases a `met` phase above them may carry into the
    /// level (never phase I): reviewers accept partial-leaning-strong
    /// evidence of a phase when a higher phase is wholly evidenced. 0 makes
    /// the level the highest N with phases I..N all met.
    #[serde(default)]
    pub bridged_partials: usize,
}

/// What decides one phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseModel {
    /// One line: what a reviewer accepts for this phase.
    pub summary: String,
    /// The decisive requirements.
    pub requirements: Vec<Requirement>,
    /// Alternatives: the phase is met when every requirement of one of them
    /// is satisfied.
    pub met: Vec<Vec<String>>,
    /// Alternatives that make the phase partial (default: any single
    /// requirement satisfied).
    #[serde(default)]
    pub partial: Option<Vec<Vec<String>>>,
    /// Alternatives that let the phase, when it is only `partial`, count
    /// toward the level as if met (it is still reported `partial`, with
    /// `accepted`): reviewers accept level I from an owned API and the
    /// operator's Deployment when the files cannot show status (old CRDs
    /// carry no schema to show it).
    #[serde(default)]
    pub accepted: Vec<Vec<String>>,
    /// Alternatives that let the phase, when it is only `partial`, be
    /// bridged under a met phase above it (`bridged_partials`); absent = any
    /// partial phase may be. Bridging takes partial-leaning-strong evidence:
    /// a replica count alone is what nearly every operand's API has, not
    /// the lifecycle a reviewer accepts on the strength of a higher phase.
    #[serde(default)]
    pub bridged: Option<Vec<Vec<String>>>,
    /// Tags whose passing findings raise the confidence only.
    #[serde(default)]
    pub supporting: Vec<String>,
    /// Negative evidence: failed findings that hold the phase down whatever
    /// else passed.
    #[serde(default)]
    pub against: Vec<Against>,
    /// The best status the phase reaches when every alternative that would
    /// meet it is shown by RBAC grants alone (a permission is what the
    /// operator may do, not evidence that it does it); absent = no limit.
    #[serde(default)]
    pub grants_alone: Option<PhaseStatus>,
}

/// Negative evidence for one phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Against {
    /// When a capability finding with this tag failed…
    pub tag: String,
    /// …the phase is at most this status (`partial` or `not-met`).
    pub max: PhaseStatus,
    /// Why, for the report.
    pub reason: String,
}

/// One decisive requirement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Kebab-case id, unique within the phase.
    pub id: String,
    /// What a reviewer looks for, in words.
    pub title: String,
    /// Satisfied when a capability finding carrying one of these tags passed.
    pub tags: Vec<String>,
}

/// A cap on the level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    /// When a capability finding with this tag failed…
    pub tag: String,
    /// …the evidenced level is at most this phase.
    pub max: Phase,
    /// Why, for the report.
    pub reason: String,
}

impl LevelModel {
    /// Parses and checks a level model.
    pub fn parse(text: &str) -> Result<LevelModel, String> {
        let model: LevelModel = serde_saphyr::from_str(text).map_err(|e| {
            let line = e
                .location()
                .map(|l| format!("line {}: ", l.line()))
                .unwrap_or_default();
            format!(
                "{line}{}",
                e.to_string().lines().next().unwrap_or_default().trim()
            )
        })?;
        model.check()?;
        Ok(model)
    }

    /// The built-in model (parsed once).
    pub fn builtin() -> &'static LevelModel {
        static MODEL: OnceLock<LevelModel> = OnceLock::new();
        // The built-in text is tested (levels::tests), so it always parses.
        MODEL.get_or_init(|| {
            LevelModel::parse(BUILTIN).unwrap_or_else(|e| panic!("rules/levels.yaml: {e}"))
        })
    }

    /// Every tag the model reads.
    pub fn tags(&self) -> BTreeSet<&str> {
        let mut tags: BTreeSet<&str> = self.caps.iter().map(|c| c.tag.as_str()).collect();
        for p in self.phases.values() {
            tags.extend(p.supporting.iter().map(String::as_str));
            tags.extend(p.against.iter().map(|a| a.tag.as_str()));
            for r in &p.requirements {
                tags.extend(r.tags.iter().map(String::as_str));
            }
        }
        tags
    }

    /// What a rule with these tags feeds, in words: `I owned-api` for a
    /// decisive requirement, `II supporting` for supporting evidence, `II
    /// against (at most partial)` for negative evidence, `cap at I` for a
    /// cap (sorted by phase). Empty for a rule the model ignores.
    pub fn feeds(&self, tags: &[String]) -> Vec<String> {
        let has = |list: &[String]| list.iter().any(|t| tags.contains(t));
        let mut out = Vec::new();
        for (phase, p) in &self.phases {
            for r in &p.requirements {
                if has(&r.tags) {
                    out.push(format!("{} {}", phase.roman(), r.id));
                }
            }
            if has(&p.supporting) {
                out.push(format!("{} supporting", phase.roman()));
            }
            for a in p.against.iter().filter(|a| tags.contains(&a.tag)) {
                out.push(format!(
                    "{} against (at most {})",
                    phase.roman(),
                    a.max.id()
                ));
            }
        }
        for c in &self.caps {
            if tags.contains(&c.tag) {
                out.push(format!("cap at {}", c.max.roman()));
            }
        }
        out
    }

    fn check(&self) -> Result<(), String> {
        let kebab = Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$").map_err(|e| e.to_string())?;
        for phase in Phase::ALL {
            let Some(p) = self.phases.get(&phase) else {
                return Err(format!("phase `{phase}` is missing"));
            };
            let mut ids = BTreeSet::new();
            for r in &p.requirements {
                if !kebab.is_match(&r.id) || !ids.insert(r.id.as_str()) {
                    return Err(format!(
                        "{phase}: requirement id `{}` is not kebab-case or not unique",
                        r.id
                    ));
                }
                if r.tags.is_empty() {
                    return Err(format!("{phase}: requirement `{}` names no tag", r.id));
                }
            }
            if p.met.is_empty() {
                return Err(format!("{phase}: `met` lists no alternative"));
            }
            for alt in p
                .met
                .iter()
                .chain(p.partial.iter().flatten())
                .chain(&p.accepted)
                .chain(p.bridged.iter().flatten())
            {
                if alt.is_empty() {
                    return Err(format!("{phase}: an empty alternative"));
                }
                if let Some(bad) = alt.iter().find(|id| !ids.contains(id.as_str())) {
                    return Err(format!(
                        "{phase}: an alternative names `{bad}`, which is no requirement of the phase"
                    ));
                }
            }
            if p.grants_alone == Some(PhaseStatus::Met) {
                return Err(format!(
                    "{phase}: `grants_alone` must hold the phase below met"
                ));
            }
            if let Some(a) = p.against.iter().find(|a| a.max == PhaseStatus::Met) {
                return Err(format!(
                    "{phase}: `against` tag `{}` must hold the phase below met",
                    a.tag
                ));
            }
        }
        if let Some(bad) = self.tags().into_iter().find(|t| !kebab.is_match(t)) {
            return Err(format!("tag `{bad}` is not kebab-case"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_model_parses_and_checks() {
        let m = LevelModel::parse(BUILTIN).expect("valid");
        assert_eq!(m.phases.len(), 5);
        assert!(m.tags().contains("operator-deployment"));
    }

    #[test]
    fn every_tag_the_model_reads_is_carried_by_a_builtin_rule() {
        let rules = crate::rules::load(&[]).expect("built-in rules");
        let carried: BTreeSet<&str> = rules
            .iter()
            .filter(|r| r.spec.dimension == crate::finding::Dimension::Capability)
            .flat_map(|r| r.spec.tags.iter().map(String::as_str))
            .collect();
        for tag in LevelModel::builtin().tags() {
            assert!(
                carried.contains(tag),
                "rules/levels.yaml reads tag `{tag}`, which no capability rule carries"
            );
        }
    }

    #[test]
    fn bridged_alternatives_must_name_requirements() {
        let text = BUILTIN.replacen("bridged:\n", "bridged:\n      - [nothing-such]\n", 1);
        let e = LevelModel::parse(&text).unwrap_err();
        assert!(e.contains("nothing-such"), "{e}");
    }

    #[test]
    fn alternatives_must_name_requirements() {
        let text = BUILTIN.replacen(
            "[owned-api, operator-deployment, status-reported]",
            "[owned-api, nothing-such]",
            1,
        );
        let e = LevelModel::parse(&text).unwrap_err();
        assert!(e.contains("nothing-such"), "{e}");
    }
}
