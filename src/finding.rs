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
    /// The package does not carry the evidence the rule reads (a catalog
    /// bundle with only its CSV's metadata): neither passed nor failed, and
    /// a phase whose decisive evidence is unknown is not assessable.
    Unknown,
}

/// What a rule measures: the two things a report never mixes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// What the operator or chart can do for its user: decides the level.
    #[default]
    Capability,
    /// How well it is packaged and listed (icons, contacts, digests, naming,
    /// schema typing): its own score and gate, never the level.
    Quality,
}

impl Dimension {
    /// The kebab-case id used in rule files and reports.
    pub fn id(self) -> &'static str {
        match self {
            Dimension::Capability => "capability",
            Dimension::Quality => "quality",
        }
    }

    /// Whether this is the default dimension (serde skips it when so).
    pub fn is_capability(&self) -> bool {
        *self == Dimension::Capability
    }
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
    /// What the rule measures (absent in JSON = capability).
    #[serde(default, skip_serializing_if = "Dimension::is_capability")]
    pub dimension: Dimension,
    /// The rule's evidence tags, which the level model reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
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
