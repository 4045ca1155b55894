//! Exemptions: failed findings accepted on purpose, each with a reason.
//!
//! A failure is exempt when the package annotates itself
//! (`caplevel.io/exempt.<rule-id>: <reason>` on the CSV) or the config file
//! lists an exemption matching the rule and target. Exempt findings count as
//! passed in scoring, and keep their reason in every report format.

use crate::config::Config;
use crate::diag::{Code, Diagnostic, Severity};
use crate::finding::{ExemptionNote, Finding, Status};
use crate::package::Package;

/// Marks the package's exempted failures (and rule errors) as `exempt`;
/// returns what is wrong with the package's own exemptions: one naming a
/// rule that does not exist (an error, with the closest id), one that
/// exempts nothing (a warning).
pub fn apply(
    findings: &mut [Finding],
    package: &Package,
    config: &Config,
    rules: &[crate::rules::Rule],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let ids: Vec<&str> = rules.iter().map(|r| r.id()).collect();
    for (rule, (_, origin)) in &package.exemptions {
        let at = |severity, message: String, code| Diagnostic {
            severity,
            code,
            file: Some(origin.file.clone()),
            line: Some(origin.line),
            column: None,
            message,
            profiles: Vec::new(),
        };
        if !ids.contains(&rule.as_str()) {
            // A rule the configuration leaves out is not a typo.
            if config.selects(rule) {
                diags.push(at(
                    Severity::Error,
                    format!(
                        "exemption `{EXEMPT}{rule}` names no rule{}",
                        crate::config::did_you_mean(rule, &ids)
                    ),
                    Code::Exemption,
                ));
            }
        } else if !findings
            .iter()
            .any(|f| &f.rule == rule && matches!(f.status, Status::Fail | Status::Error))
        {
            diags.push(at(
                Severity::Warning,
                format!("exemption `{EXEMPT}{rule}` is unused: the rule does not fail here"),
                Code::UnusedExemption,
            ));
        }
    }
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
    diags
}

/// The annotation prefix, for messages.
const EXEMPT: &str = "caplevel.io/exempt.";
