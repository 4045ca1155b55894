//! The `.caplevel.yaml` configuration: threshold, rule selection and
//! weights, extra rule paths, Helm values per target, and exemptions.
//!
//! Read from `.caplevel.yaml` in the working directory, or `--config PATH`.
//! Command-line flags win over the file. `caplevel schema config` prints the
//! JSON Schema of this format.

use globset::{Glob, GlobMatcher};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default config file name, looked for in the working directory.
pub const DEFAULT_FILE: &str = ".caplevel.yaml";

/// The configuration file, as written.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Coverage (0–100) a phase needs to count as evidenced.
    pub threshold: Option<f64>,
    /// Rule ids or globs to run; empty = every rule.
    #[serde(default)]
    pub include: Vec<String>,
    /// Rule ids or globs not to run (wins over `include`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Weight overrides per rule id (1–10).
    #[serde(default)]
    pub weights: BTreeMap<String, u32>,
    /// More rule files or folders, relative to the config file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Helm values per target: a glob over target paths → values files
    /// (relative to the config file) applied when rendering those charts.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<PathBuf>>,
    /// Bounds against hostile input (per file).
    #[serde(default)]
    pub limits: LimitsSpec,
    /// Findings accepted on purpose; each needs a reason.
    #[serde(default)]
    #[schemars(with = "Vec<ExemptionSpec>")]
    pub exemptions: Vec<Spanned<ExemptionSpec>>,
}

/// Input limits as written; absent keys keep their defaults.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsSpec {
    /// Largest YAML file read, in bytes.
    pub file_size: Option<u64>,
    /// Deepest nesting of YAML sequences and mappings.
    pub depth: Option<usize>,
    /// Most nodes YAML alias expansion may create in one file.
    pub alias_nodes: Option<usize>,
    /// Most bytes read for one chart (uncompressed; archives and subcharts included).
    pub chart_size: Option<u64>,
    /// Most files (archive entries) read for one chart, subcharts included.
    pub chart_files: Option<usize>,
    /// Deepest nesting of subcharts.
    pub subchart_depth: Option<usize>,
    /// Most nested `include`/`tpl` calls while rendering a template.
    pub include_depth: Option<usize>,
    /// Most `range` iterations while rendering one template.
    pub range_iterations: Option<u64>,
    /// Most render steps (function calls and the list and map elements they
    /// are given) while rendering a chart under one profile.
    pub render_steps: Option<u64>,
}

impl LimitsSpec {
    /// These limits, with `base`'s for the ones not set here (flags over
    /// the config file).
    pub fn over(self, base: LimitsSpec) -> LimitsSpec {
        LimitsSpec {
            file_size: self.file_size.or(base.file_size),
            depth: self.depth.or(base.depth),
            alias_nodes: self.alias_nodes.or(base.alias_nodes),
            chart_size: self.chart_size.or(base.chart_size),
            chart_files: self.chart_files.or(base.chart_files),
            subchart_depth: self.subchart_depth.or(base.subchart_depth),
            include_depth: self.include_depth.or(base.include_depth),
            range_iterations: self.range_iterations.or(base.range_iterations),
            render_steps: self.render_steps.or(base.render_steps),
        }
    }

    /// Sets the limits given here on `load`, keeping the others.
    pub fn apply(&self, load: &mut crate::load::LoadOptions) {
        let set = |slot: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        let set_n = |slot: &mut usize, v: Option<usize>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut load.limits.max_file_bytes, self.file_size);
        set_n(&mut load.limits.max_depth, self.depth);
        set_n(&mut load.limits.max_alias_nodes, self.alias_nodes);
        set(&mut load.chart_limits.max_total_bytes, self.chart_size);
        set_n(&mut load.chart_limits.max_entries, self.chart_files);
        set_n(
            &mut load.chart_limits.max_subchart_depth,
            self.subchart_depth,
        );
        set_n(
            &mut load.render_limits.max_include_depth,
            self.include_depth,
        );
        set(
            &mut load.render_limits.max_range_iters,
            self.range_iterations,
        );
    }
}

/// One exemption as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionSpec {
    /// The rule id (or a glob over rule ids).
    pub rule: String,
    /// A glob over target paths; absent = every target.
    pub target: Option<String>,
    /// Why the finding is accepted. Mandatory.
    pub reason: Option<String>,
}

/// A configuration error: the file, the line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

/// An exemption ready to match.
#[derive(Debug, Clone)]
pub struct Exemption {
    /// Matches rule ids.
    pub rule: GlobMatcher,
    /// Matches target paths; `None` = all.
    pub target: Option<GlobMatcher>,
    /// Why.
    pub reason: String,
    /// Where it is written (`file:line`).
    pub source: String,
}

/// The validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub file: Option<String>,
    /// Threshold, when set.
    pub threshold: Option<f64>,
    /// Rules to run (globs); empty = all.
    pub include: Vec<GlobMatcher>,
    /// Rules not to run.
    pub exclude: Vec<GlobMatcher>,
    /// Weight overrides.
    pub weights: BTreeMap<String, u32>,
    /// Extra rule paths, resolved against the config file's folder.
    pub rules: Vec<PathBuf>,
    /// Values files per target glob, resolved.
    pub values: Vec<(GlobMatcher, Vec<PathBuf>)>,
    /// Input limits set by the file.
    pub limits: LimitsSpec,
    /// Exemptions.
    pub exemptions: Vec<Exemption>,
    /// Every rule pattern written (include, exclude, exemptions, and the
    /// command line's `--only`/`--skip`) with where it is written, so that a
    /// pattern matching no rule can be reported as the error it is.
    pub patterns: Vec<RulePattern>,
}

/// A rule id or glob as written, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePattern {
    /// The id or glob.
    pub pattern: String,
    /// Where: `.caplevel.yaml: include`, `--skip`…
    pub source: String,
}

impl Config {
    /// Adds the command line's selection: `--only` replaces `include`,
    /// `--skip` adds to `exclude`.
    pub fn select_from_cli(&mut self, only: &[String], skip: &[String]) -> Result<(), ConfigError> {
        let glob = |pattern: &str, flag: &str| {
            Glob::new(pattern)
                .map(|g| g.compile_matcher())
                .map_err(|e| ConfigError {
                    file: flag.to_string(),
                    line: None,
                    message: format!("`{pattern}` is not a valid glob: {e}"),
                })
        };
        if !only.is_empty() {
            self.include = only
                .iter()
                .map(|p| glob(p, "--only"))
                .collect::<Result<_, _>>()?;
        }
        for p in skip {
            self.exclude.push(glob(p, "--skip")?);
        }
        for (flag, list) in [("--only", only), ("--skip", skip)] {
            self.patterns.extend(list.iter().map(|p| RulePattern {
                pattern: p.clone(),
                source: flag.to_string(),
            }));
        }
        Ok(())
    }

    /// Checks that every rule pattern matches at least one of `ids` (all
    /// the rules loaded, selected or not): a typo is an error naming where
    /// it is written, with the closest id.
    pub fn check_patterns(&self, ids: &[&str]) -> Result<(), ConfigError> {
        for p in &self.patterns {
            let Ok(glob) = Glob::new(&p.pattern) else {
                continue;
            };
            let m = glob.compile_matcher();
            if !ids.iter().any(|id| m.is_match(id)) {
                return Err(ConfigError {
                    file: p.source.clone(),
                    line: None,
                    message: format!(
                        "`{}` matches no rule{} (see `caplevel rules`)",
                        p.pattern,
                        did_you_mean(&p.pattern, ids)
                    ),
                });
            }
        }
        Ok(())
    }
}

/// `; did you mean `x`?` for the id closest to `word`, when one is close.
pub fn did_you_mean(word: &str, ids: &[&str]) -> String {
    let best = ids.iter().map(|id| (edit_distance(word, id), *id)).min();
    match best {
        Some((d, id)) if d <= (word.len() / 3).max(2) => format!("; did you mean `{id}`?"),
        _ => String::new(),
    }
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

impl Config {
    /// Reads `path`, or `.caplevel.yaml` in the working directory when no
    /// path is given and that file exists; otherwise the empty config.
    pub fn discover(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            Some(p) => Config::read(p),
            None if Path::new(DEFAULT_FILE).is_file() => Config::read(Path::new(DEFAULT_FILE)),
            None => Ok(Config::default()),
        }
    }

    /// Reads and validates one config file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let shown = crate::discover::display_path(path);
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: shown.clone(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Config::parse(&shown, &text, &base)
    }

    /// Parses config text; relative paths are resolved against `base`.
    pub fn parse(file: &str, text: &str, base: &Path) -> Result<Config, ConfigError> {
        let err = |line: Option<u32>, message: String| ConfigError {
            file: file.to_string(),
            line,
            message,
        };
        // An empty file is an empty configuration.
        let raw: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| {
                let line = e.location().map(|l| l.line() as u32);
                err(
                    line,
                    e.to_string()
                        .lines()
                        .next()
                        .unwrap_or("invalid")
                        .trim()
                        .to_string(),
                )
            })?
        };
        if let Some(t) = raw.threshold
            && !(0.0..=100.0).contains(&t)
        {
            return Err(err(None, format!("threshold must be 0 to 100, not {t}")));
        }
        for (rule, w) in &raw.weights {
            if !(1..=10).contains(w) {
                return Err(err(
                    None,
                    format!("weight of `{rule}` must be 1 to 10, not {w}"),
                ));
            }
        }
        let glob = |pattern: &str, what: &str, line: Option<u32>| {
            Glob::new(pattern)
                .map(|g| g.compile_matcher())
                .map_err(|e| err(line, format!("{what} `{pattern}` is not a valid glob: {e}")))
        };
        let mut patterns: Vec<RulePattern> = Vec::new();
        for (what, list) in [("include", &raw.include), ("exclude", &raw.exclude)] {
            patterns.extend(list.iter().map(|p| RulePattern {
                pattern: p.clone(),
                source: format!("{file}: {what}"),
            }));
        }
        let mut exemptions = Vec::new();
        for spanned in raw.exemptions {
            let line = spanned.referenced.line() as u32;
            let spec = spanned.value;
            let reason = spec.reason.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                return Err(err(
                    Some(line),
                    format!(
                        "exemption of rule `{}` has no reason: every exemption must say why",
                        spec.rule
                    ),
                ));
            }
            patterns.push(RulePattern {
                pattern: spec.rule.clone(),
                source: format!("{file}:{line}: exemption"),
            });
            exemptions.push(Exemption {
                rule: glob(&spec.rule, "rule", Some(line))?,
                target: spec
                    .target
                    .as_deref()
                    .map(|t| glob(t, "target", Some(line)))
                    .transpose()?,
                reason: reason.to_string(),
                source: format!("{file}:{line}"),
            });
        }
        Ok(Config {
            file: Some(file.to_string()),
            threshold: raw.threshold,
            include: raw
                .include
                .iter()
                .map(|p| glob(p, "include", None))
                .collect::<Result<_, _>>()?,
            exclude: raw
                .exclude
                .iter()
                .map(|p| glob(p, "exclude", None))
                .collect::<Result<_, _>>()?,
            weights: raw.weights,
            rules: raw.rules.iter().map(|p| base.join(p)).collect(),
            values: raw
                .values
                .iter()
                .map(|(pattern, files)| {
                    Ok((
                        glob(pattern, "values target", None)?,
                        files.iter().map(|f| base.join(f)).collect(),
                    ))
                })
                .collect::<Result<_, ConfigError>>()?,
            limits: raw.limits,
            exemptions,
            patterns,
        })
    }

    /// Whether a rule id is selected by include/exclude.
    pub fn selects(&self, rule: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|g| g.is_match(rule)))
            && !self.exclude.iter().any(|g| g.is_match(rule))
    }

    /// The first exemption of `rule` on `target`, if any.
    pub fn exemption(&self, rule: &str, target: &str) -> Option<&Exemption> {
        self.exemptions
            .iter()
            .find(|e| e.rule.is_match(rule) && e.target.as_ref().is_none_or(|t| t.is_match(target)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(".caplevel.yaml", text, Path::new("/repo"))
    }

    #[test]
    fn full_config() {
        let c = parse(
            "threshold: 60\ninclude: ['*']\nexclude: [rbac-*]\nweights: {csv-install-deployment: 5}\nrules: [team-rules]\nvalues:\n  'charts/*': [ci/prod.yaml]\nexemptions:\n  - rule: crd-backup-*\n    target: 'bundles/stateless-*'\n    reason: stateless operand, nothing to back up\n",
        )
        .unwrap();
        assert_eq!(c.threshold, Some(60.0));
        assert!(c.selects("crd-backup-fields"));
        assert!(!c.selects("rbac-emit-events"));
        assert_eq!(c.weights["csv-install-deployment"], 5);
        assert_eq!(c.rules, vec![PathBuf::from("/repo/team-rules")]);
        let e = c
            .exemption("crd-backup-restore-api", "bundles/stateless-op")
            .unwrap();
        assert_eq!(e.reason, "stateless operand, nothing to back up");
        assert!(
            c.exemption("crd-backup-restore-api", "bundles/db")
                .is_none()
        );
        assert_eq!(e.source, ".caplevel.yaml:9");
    }

    #[test]
    fn exemption_without_reason_names_its_line() {
        let e = parse("exemptions:\n  - rule: a\n    reason: ok\n  - rule: b\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("no reason"), "{e}");
        let e = parse("exemptions:\n  - rule: b\n    reason: '  '\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn unknown_key_and_bad_values_are_errors() {
        let e = parse("threshold: 50\ncolour: red\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(parse("threshold: 150\n").is_err());
        assert!(parse("weights: {a: 0}\n").is_err());
        assert!(parse("exclude: ['[']\n").is_err());
    }

    #[test]
    fn patterns_that_match_no_rule_are_errors_with_a_suggestion() {
        let ids = ["operator-probes", "crd-backup-restore-api"];
        let c = parse("include: [operator-probe]\n").unwrap();
        let e = c.check_patterns(&ids).unwrap_err();
        assert!(e.message.contains("did you mean `operator-probes`"), "{e}");
        assert!(e.file.contains("include"), "{e}");
        let c = parse("exemptions:\n  - rule: crd-backup-*\n    reason: r\n").unwrap();
        assert!(c.check_patterns(&ids).is_ok());
        let c = parse("exemptions:\n  - rule: nothing-like-it\n    reason: r\n").unwrap();
        let e = c.check_patterns(&ids).unwrap_err();
        assert!(e.file.contains(":2"), "{e}");
        assert!(!e.message.contains("did you mean"), "{e}");
        let mut c = parse("").unwrap();
        c.select_from_cli(&[], &["operator-probes".into()]).unwrap();
        assert!(!c.selects("operator-probes"));
        let e = c.check_patterns(&["x"]).unwrap_err();
        assert_eq!(e.file, "--skip");
    }

    #[test]
    fn empty_file_is_empty_config() {
        let c = parse("").unwrap();
        assert!(c.selects("anything"));
        assert!(c.exemptions.is_empty());
    }
}
