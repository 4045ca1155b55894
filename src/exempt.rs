//! Exemptions: failed findings accepted on purpose, each with a reason.
//!
//! A failure is exempt when the package annotates itself
//! (`caplevel.io/exempt.<rule-id>: <reason>` on the CSV) or the config file
//! lists an exemption matching the rule and target. Exempt findings count as
//! passed in scoring, and keep their reason in every report format.

use crate::config::Config;
use crate::finding::{ExemptionNote, Finding, Status};
use crate::package::Package;

/// Marks the package's exempted failures (and rule errors) as `exempt`.
pub fn apply(findings: &mut [Finding], package: &Package, config: &Config) {
    for f in findings
        .iter_mut()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
    {
        let note = if let Some((reason, origin)) = package.exemptions.get(&f.rule) {
            Some(ExemptionNote {
                reason: reason.clone(),
                source: format!("{}:{}", origin.file, origin.line),
            })
        } else {
            config
                .exemption(&f.rule, &package.path)
                .map(|e| ExemptionNote {
                    reason: e.reason.clone(),
                    source: e.source.clone(),
                })
        };
        if let Some(note) = note {
            f.status = Status::Exempt;
            f.exemption = Some(note);
        }
    }
}
