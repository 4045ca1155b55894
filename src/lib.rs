//! caplevel: how mature is an operator bundle or Helm chart, really?
//!
//! The pipeline flows one way:
//! paths → [`discover`] → targets → [`load`] → packages → [`rules::evaluate`]
//! → findings → [`score`] → assessments → [`report`].
//! Targets are independent, so load → evaluate → score runs in parallel and
//! each package is dropped as soon as it is scored.

pub mod cli;
pub mod diag;
pub mod discover;
pub mod finding;
pub mod load;
pub mod package;
pub mod phase;
pub mod report;
pub mod rules;
pub mod score;
pub mod yaml;

use rayon::prelude::*;
use report::{Report, TargetReport, Tool};
use std::path::PathBuf;

/// What a run needs besides the paths.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra rule files or folders, after the built-in rules.
    pub rule_paths: Vec<PathBuf>,
    /// The coverage a phase needs to count (0–100).
    pub threshold: f64,
    /// Loading settings (limits).
    pub load: load::LoadOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rule_paths: Vec::new(),
            threshold: score::DEFAULT_THRESHOLD,
            load: load::LoadOptions::default(),
        }
    }
}

/// Why a run could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing found, or a path cannot be read.
    #[error(transparent)]
    Discover(#[from] discover::DiscoverError),
    /// An invalid rule file.
    #[error("invalid rule file: {0}")]
    Rules(#[from] rules::RuleFileError),
}

/// Analyzes every target under `paths`.
pub fn analyze(paths: &[PathBuf], options: &Options) -> Result<Report, Error> {
    let rules = rules::load(&options.rule_paths)?;
    let targets = discover::discover(paths)?;
    let targets: Vec<TargetReport> = targets
        .par_iter()
        .map(|target| assess_target(target, &rules, options))
        .collect();
    Ok(Report {
        schema_version: report::SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "caplevel".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        threshold: options.threshold,
        targets,
    })
}

/// Load → evaluate → score one target.
pub fn assess_target(
    target: &discover::Target,
    rules: &[rules::Rule],
    options: &Options,
) -> TargetReport {
    let package = load::load(target, &options.load);
    let findings = rules::evaluate(rules, &package);
    let assessment = score::assess(&findings, package.declared(), options.threshold);
    TargetReport::new(package, findings, assessment)
}
