//! Rules as data: the rule-file model, the built-in catalogue, compilation
//! and the evaluator. No check is written in Rust; every one is a rule file.

mod cel_env;
pub(crate) use cel_env::grant_allows;
pub mod compile;
pub mod doc;
mod eval;
pub mod model;
pub mod timings;
mod value;

pub use compile::Rule;
pub use eval::evaluate;
use model::RuleFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in rule files, embedded at build time: (name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/basic-install.yaml",
        include_str!("../../rules/basic-install.yaml"),
    ),
    (
        "rules/seamless-upgrades.yaml",
        include_str!("../../rules/seamless-upgrades.yaml"),
    ),
    (
        "rules/full-lifecycle.yaml",
        include_str!("../../rules/full-lifecycle.yaml"),
    ),
    (
        "rules/deep-insights.yaml",
        include_str!("../../rules/deep-insights.yaml"),
    ),
    (
        "rules/auto-pilot.yaml",
        include_str!("../../rules/auto-pilot.yaml"),
    ),
];

/// An invalid rule file: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct RuleFileError {
    /// The rule file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

/// Parses and compiles one rule file's text.
pub fn parse_rule_file(source: &str, text: &str) -> Result<Vec<Rule>, RuleFileError> {
    let err = |line: Option<u32>, message: String| RuleFileError {
        file: source.to_string(),
        line,
        message,
    };
    let file: RuleFile = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as u32);
        err(line, first_line(&e.to_string()))
    })?;
    file.rules
        .into_iter()
        .map(|spanned| {
            let line = spanned.referenced.line() as u32;
            compile::compile(spanned.value, source, line).map_err(|p| err(Some(p.line), p.message))
        })
        .collect()
}

/// serde-saphyr renders errors with a source snippet; the report wants the
/// one-line reason (the location is reported separately).
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

/// Loads the built-in rules and then each user rule path (a file, or a folder
/// of `*.yaml`/`*.yml` files, sorted). Rule ids must be unique across all.
pub fn load(user_paths: &[PathBuf]) -> Result<Vec<Rule>, RuleFileError> {
    let mut rules = Vec::new();
    for (name, text) in BUILTIN {
        rules.extend(parse_rule_file(&format!("builtin:{name}"), text)?);
    }
    for path in user_paths {
        for file in rule_files(path)? {
            let shown = crate::discover::display_path(&file);
            let text = std::fs::read_to_string(&file).map_err(|e| RuleFileError {
                file: shown.clone(),
                line: None,
                message: format!("cannot read: {e}"),
            })?;
            rules.extend(parse_rule_file(&shown, &text)?);
        }
    }
    let mut seen: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for rule in &rules {
        if let Some((file, line)) = seen.get(rule.id()) {
            return Err(RuleFileError {
                file: rule.source.clone(),
                line: Some(rule.line),
                message: format!(
                    "rule id `{}` is already defined at {file}:{line}",
                    rule.id()
                ),
            });
        }
        seen.insert(rule.id().to_string(), (rule.source.clone(), rule.line));
    }
    Ok(rules)
}

fn rule_files(path: &Path) -> Result<Vec<PathBuf>, RuleFileError> {
    let shown = crate::discover::display_path(path);
    let meta = std::fs::metadata(path).map_err(|e| RuleFileError {
        file: shown.clone(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| RuleFileError {
        file: shown,
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e == "yaml" || e == "yml")
        })
        .collect();
    files.sort();
    Ok(files)
}
