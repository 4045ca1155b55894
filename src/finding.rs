//! Findings: the outcome of one rule on one package, with the evidence.

use crate::phase::Phase;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of a rule.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The evidence is there.
    Pass,
    /// The evidence is missing or contradicts the rule.
    Fail,
    /// The rule does not apply to this package.
    NotApplicable,
    /// Failed, but exempted with a reason; counts as passed.
    Exempt,
    /// The rule could not be evaluated on this package.
    Error,
}

/// One resource that made a finding pass or fail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The file, as reported.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The object's kind.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// For objects synthesized from a CSV field, the field path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
    /// A per-object message (a rule's string result, an evaluation error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a rendered chart object, the values profile that produced it
    /// (`defaults`, or an opt-in one such as `features-on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// The outcome of one rule on one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The rule id.
    pub rule: String,
    /// The rule's phase.
    pub phase: Phase,
    /// The outcome.
    pub status: Status,
    /// The rule's weight.
    pub weight: u32,
    /// The rule's title.
    pub title: String,
    /// What was found.
    pub message: String,
    /// The resources that prove the outcome (file and line of each).
    pub evidence: Vec<Evidence>,
    /// Why a failure is accepted, for `exempt` findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionNote>,
    /// A failure already present in the `--baseline` report: it does not fail gates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
}

/// The reason an exempt finding is accepted, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExemptionNote {
    /// Why.
    pub reason: String,
    /// Where: `file:line` of the config entry or package annotation.
    pub source: String,
}
