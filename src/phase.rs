//! The five capability phases of the Operator Capability Levels model.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One capability phase, ordered from I (basic install) to V (auto pilot).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// I: the operator installs and is configured through its custom resources.
    BasicInstall,
    /// II: the operator and its operands upgrade without disruption.
    SeamlessUpgrades,
    /// III: backup, restore, scaling, failure recovery: the operand's whole life.
    FullLifecycle,
    /// IV: metrics, alerts, logs and dashboards.
    DeepInsights,
    /// V: autoscaling, auto-healing and auto-tuning.
    AutoPilot,
}

impl Phase {
    /// All phases, lowest first.
    pub const ALL: [Phase; 5] = [
        Phase::BasicInstall,
        Phase::SeamlessUpgrades,
        Phase::FullLifecycle,
        Phase::DeepInsights,
        Phase::AutoPilot,
    ];

    /// The stable kebab-case id used in rule files and reports.
    pub fn id(self) -> &'static str {
        match self {
            Phase::BasicInstall => "basic-install",
            Phase::SeamlessUpgrades => "seamless-upgrades",
            Phase::FullLifecycle => "full-lifecycle",
            Phase::DeepInsights => "deep-insights",
            Phase::AutoPilot => "auto-pilot",
        }
    }

    /// The spelling used by the CSV `capabilities` annotation and Artifact Hub.
    pub fn title(self) -> &'static str {
        match self {
            Phase::BasicInstall => "Basic Install",
            Phase::SeamlessUpgrades => "Seamless Upgrades",
            Phase::FullLifecycle => "Full Lifecycle",
            Phase::DeepInsights => "Deep Insights",
            Phase::AutoPilot => "Auto Pilot",
        }
    }

    /// The roman numeral of the phase (I–V).
    pub fn roman(self) -> &'static str {
        match self {
            Phase::BasicInstall => "I",
            Phase::SeamlessUpgrades => "II",
            Phase::FullLifecycle => "III",
            Phase::DeepInsights => "IV",
            Phase::AutoPilot => "V",
        }
    }

    /// The level number, 1–5.
    pub fn level(self) -> u8 {
        self as u8 + 1
    }

    /// The phase above this one (`None` above auto-pilot).
    pub fn next(self) -> Option<Phase> {
        Phase::ALL.get(self.level() as usize).copied()
    }

    /// Reads a declared level as packages write it. The CSV annotation uses the
    /// title (`Full Lifecycle`); people also write the id, the numeral or the
    /// number. Case and separators are ignored. `None` when it is none of these.
    pub fn parse_declared(text: &str) -> Option<Phase> {
        let norm: String = text
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Phase::ALL.into_iter().find(|p| {
            let title: String = p
                .title()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            norm == title
                || norm == p.roman().to_ascii_lowercase()
                || norm == p.level().to_string()
                || norm == format!("level{}", p.level())
        })
    }

    /// Parses a phase given on the command line: id, numeral, number or title.
    pub fn parse_arg(text: &str) -> Option<Phase> {
        Phase::ALL
            .into_iter()
            .find(|p| p.id() == text)
            .or_else(|| Phase::parse_declared(text))
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_spellings() {
        assert_eq!(
            Phase::parse_declared("Full Lifecycle"),
            Some(Phase::FullLifecycle)
        );
        assert_eq!(Phase::parse_declared("auto pilot"), Some(Phase::AutoPilot));
        assert_eq!(Phase::parse_declared("IV"), Some(Phase::DeepInsights));
        assert_eq!(
            Phase::parse_declared("Basic install"),
            Some(Phase::BasicInstall)
        );
        assert_eq!(Phase::parse_declared("Seamless"), None);
        assert_eq!(Phase::parse_declared(""), None);
        assert_eq!(
            Phase::parse_arg("seamless-upgrades"),
            Some(Phase::SeamlessUpgrades)
        );
        assert_eq!(Phase::parse_arg("3"), Some(Phase::FullLifecycle));
    }

    #[test]
    fn ordering_and_levels() {
        assert!(Phase::BasicInstall < Phase::AutoPilot);
        assert_eq!(Phase::DeepInsights.level(), 4);
    }
}
