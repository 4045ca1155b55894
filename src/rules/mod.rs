//! Rules as data: the rule-file model, the built-in catalogue, compilation
//! and the evaluator. No check is written in Rust; every one is a rule file.

mod cel_env;
pub(crate) use cel_env::grant_allows;
pub mod compile;
pub mod doc;
mod eval;
pub mod model;
pub mod patterns;
pub mod timings;
mod value;

pub use compile::Rule;
pub use eval::evaluate;
use indexmap::IndexMap;
use model::{PatternSpec, RuleFile, RuleSpec};
pub use patterns::{NamedPattern, PatternTable};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The built-in rule files, embedded at build time: (name, text). The
/// shared named patterns come first: rules of every file read them.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/patterns.yaml",
        include_str!("../../rules/patterns.yaml"),
    ),
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

/// One rule file, read but not compiled: its rules may read patterns any
/// file defines, so every file is read before any rule is compiled.
#[derive(Debug)]
pub struct ParsedFile {
    /// The rule file (`builtin:rules/<name>.yaml` for built-ins).
    pub source: String,
    patterns: IndexMap<Spanned<String>, PatternSpec>,
    rules: Vec<Spanned<RuleSpec>>,
}

/// Reads one rule file's text: its patterns and rules, not yet checked or
/// compiled (see [`compile_files`]).
pub fn parse_file(source: &str, text: &str) -> Result<ParsedFile, RuleFileError> {
    let err = |line: Option<u32>, message: String| RuleFileError {
        file: source.to_string(),
        line,
        message,
    };
    let file: RuleFile = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as u32);
        err(line, first_line(&e.to_string()))
    })?;
    if file.patterns.is_none() && file.rules.is_none() {
        return Err(err(
            Some(1),
            "a rule file needs `rules`, `patterns` or both".into(),
        ));
    }
    Ok(ParsedFile {
        source: source.to_string(),
        patterns: file.patterns.unwrap_or_default(),
        rules: file.rules.unwrap_or_default(),
    })
}

/// Checks every file's named patterns (names unique across all files),
/// then compiles every rule against them; rule ids must be unique across all.
pub fn compile_files(files: Vec<ParsedFile>) -> Result<Vec<Rule>, RuleFileError> {
    let mut table = PatternTable::default();
    let mut specs = Vec::new();
    for file in files {
        table.add_file(&file.source, file.patterns)?;
        specs.push((file.source, file.rules));
    }
    let table = Arc::new(table);
    let mut rules = Vec::new();
    for (source, file_rules) in specs {
        rules.extend(compile_rules(&source, file_rules, &table)?);
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

fn compile_rules(
    source: &str,
    specs: Vec<Spanned<RuleSpec>>,
    patterns: &Arc<PatternTable>,
) -> Result<Vec<Rule>, RuleFileError> {
    specs
        .into_iter()
        .map(|spanned| {
            let line = spanned.referenced.line() as u32;
            compile::compile(spanned.value, source, line, patterns).map_err(|p| RuleFileError {
                file: source.to_string(),
                line: Some(p.line),
                message: p.message,
            })
        })
        .collect()
}

/// Parses and compiles one rule file's text on its own, beside the
/// built-in patterns (which its rules may read): its rules only.
pub fn parse_rule_file(source: &str, text: &str) -> Result<Vec<Rule>, RuleFileError> {
    let mut table = PatternTable::default();
    for file in builtin_files()? {
        table.add_file(&file.source, file.patterns)?;
    }
    let file = parse_file(source, text)?;
    table.add_file(source, file.patterns)?;
    compile_rules(source, file.rules, &Arc::new(table))
}

/// The built-in rule files, read.
fn builtin_files() -> Result<Vec<ParsedFile>, RuleFileError> {
    BUILTIN
        .iter()
        .map(|(name, text)| parse_file(&format!("builtin:{name}"), text))
        .collect()
}

/// serde-saphyr renders errors with a source snippet; the report wants the
/// one-line reason (the location is reported separately).
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

/// Loads the built-in rule files and then each user rule path (a file, or a
/// folder of `*.yaml`/`*.yml` files, sorted): every file is read, then
/// their named patterns are checked, then every rule is compiled. Pattern
/// names and rule ids must be unique across all.
pub fn load(user_paths: &[PathBuf]) -> Result<Vec<Rule>, RuleFileError> {
    let mut files = builtin_files()?;
    for path in user_paths {
        for file in rule_files(path)? {
            let shown = crate::discover::display_path(&file);
            let text = std::fs::read_to_string(&file).map_err(|e| RuleFileError {
                file: shown.clone(),
                line: None,
                message: format!("cannot read: {e}"),
            })?;
            files.push(parse_file(&shown, &text)?);
        }
    }
    compile_files(files)
}

/// The named patterns rules were compiled against, each listed once: one
/// table for rules loaded together.
pub fn patterns_of<'r>(rules: impl IntoIterator<Item = &'r Rule>) -> Vec<&'r NamedPattern> {
    let mut tables: Vec<&Arc<PatternTable>> = Vec::new();
    for rule in rules {
        if !tables.iter().any(|t| Arc::ptr_eq(t, &rule.patterns)) {
            tables.push(&rule.patterns);
        }
    }
    let mut listed: Vec<&NamedPattern> = Vec::new();
    for pattern in tables.into_iter().flat_map(|t| t.iter()) {
        if !listed.contains(&pattern) {
            listed.push(pattern);
        }
    }
    listed
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

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    rationale: r\n    remediation: x\n";

    fn compile_all(files: &[(&str, &str)]) -> Result<Vec<Rule>, RuleFileError> {
        let mut parsed = builtin_files()?;
        for (source, text) in files {
            parsed.push(parse_file(source, text)?);
        }
        compile_files(parsed)
    }

    #[test]
    fn a_rule_reads_its_files_and_the_built_in_patterns() {
        let text = format!(
            "patterns:\n  mine:\n    pattern: '^a\\.b$'\n    doc: d\n{RULE}    expect: \"'a.b'.matches(patterns.mine) && patterns.scaffoldDomainUrl != ''\"\n"
        );
        let rules = compile_all(&[("my.yaml", &text)]).expect("compiles");
        let rule = rules.iter().find(|r| r.id() == "a-b").expect("the rule");
        let mine = rule.patterns.get("mine").expect("defined");
        assert_eq!((mine.pattern.as_str(), mine.line), ("^a\\.b$", 2));
        assert_eq!(mine.source, "my.yaml");
        assert!(rule.patterns.get("scaffoldDomainUrl").is_some());
        // One table for every rule loaded together.
        assert!(
            rules
                .iter()
                .all(|r| Arc::ptr_eq(&r.patterns, &rule.patterns))
        );
        // A file of patterns alone is a rule file; parse_rule_file reads
        // one file beside the built-in patterns.
        assert!(
            parse_rule_file("p.yaml", "patterns:\n  x:\n    pattern: a\n    doc: d\n")
                .expect("patterns only")
                .is_empty()
        );
        assert_eq!(
            parse_rule_file(
                "r.yaml",
                &format!("{RULE}    expect: \"'x'.matches(patterns.placementKey)\"\n")
            )
            .expect("reads a built-in pattern")
            .len(),
            1
        );
    }

    #[test]
    fn an_unknown_pattern_name_is_an_error_at_its_expression() {
        for expect in [
            "\"'x'.matches(patterns.nope)\"",
            "\"'x'.matches(patterns['nope'])\"",
            "\"[1].exists(x, 'x'.matches(patterns.nope))\"",
        ] {
            let text = format!("{RULE}    expect: {expect}\n");
            let e = compile_all(&[("my.yaml", &text)]).expect_err(expect);
            assert_eq!((e.file.as_str(), e.line), ("my.yaml", Some(9)), "{expect}");
            assert!(
                e.message.contains("unknown pattern `nope` (defined: "),
                "{e}"
            );
            assert!(e.message.contains("dashboardField"), "{e}");
        }
        // A comprehension variable named `patterns` hides the patterns;
        // `has()` asks whether one is defined.
        for expect in [
            "\"[{'nope': 'a'}].exists(patterns, 'a'.matches(patterns.nope))\"",
            "\"!has(patterns.nope)\"",
        ] {
            let text = format!("{RULE}    expect: {expect}\n");
            compile_all(&[("my.yaml", &text)]).expect(expect);
        }
        let text = format!("{RULE}    expect: \"patternz.x == ''\"\n");
        let e = compile_all(&[("my.yaml", &text)]).expect_err("unknown variable");
        assert!(
            e.message
                .contains("available: object, facts, objects, pkg, patterns")
        );
    }

    #[test]
    fn a_note_reads_the_selected_object_and_needs_a_selection() {
        let select = "    select:\n      kind: ConfigMap\n";
        let text =
            format!("{RULE}{select}    expect: \"true\"\n    note: \"object.metadata.name\"\n");
        let rules = compile_all(&[("my.yaml", &text)]).expect("compiles");
        assert!(rules.iter().any(|r| r.id() == "a-b" && r.note.is_some()));
        let text = format!("{RULE}    expect: \"true\"\n    note: \"'x'\"\n");
        let e = compile_all(&[("my.yaml", &text)]).expect_err("no select");
        assert!(e.message.contains("`note` needs a `select`"), "{e}");
        let text = format!("{RULE}{select}    expect: \"true\"\n    note: \"nope.x\"\n");
        let e = compile_all(&[("my.yaml", &text)]).expect_err("unknown variable");
        assert!(e.message.contains("note: unknown variable `nope`"), "{e}");
        let text = format!("{RULE}    expect: \"true\"\n    also-locate: scaleTarget.replicasAt\n");
        let e = compile_all(&[("my.yaml", &text)]).expect_err("no select");
        assert!(e.message.contains("`also-locate` needs a `select`"), "{e}");
    }

    #[test]
    fn a_pattern_name_defined_twice_is_an_error_at_the_second() {
        let first = "patterns:\n  shared:\n    pattern: a\n    doc: d\n";
        let second = "# a comment\npatterns:\n  other:\n    pattern: b\n    doc: d\n  shared:\n    pattern: c\n    doc: d\n";
        let e = compile_all(&[("one.yaml", first), ("two.yaml", second)]).expect_err("twice");
        assert_eq!((e.file.as_str(), e.line), ("two.yaml", Some(6)));
        assert_eq!(
            e.message,
            "pattern `shared` is already defined at one.yaml:2"
        );
        // A built-in name too.
        let e = compile_all(&[(
            "one.yaml",
            "patterns:\n  placementKey:\n    pattern: a\n    doc: d\n",
        )])
        .expect_err("built-in name");
        assert_eq!((e.file.as_str(), e.line), ("one.yaml", Some(2)));
        assert!(
            e.message.starts_with(
                "pattern `placementKey` is already defined at builtin:rules/patterns.yaml:"
            ),
            "{e}"
        );
        // Twice in one file: the YAML itself is refused.
        let e = parse_file(
            "one.yaml",
            "patterns:\n  x:\n    pattern: a\n    doc: d\n  x:\n    pattern: b\n    doc: d\n",
        )
        .expect_err("duplicate key");
        assert_eq!((e.file.as_str(), e.line), ("one.yaml", Some(5)), "{e}");
    }

    #[test]
    fn a_bad_pattern_is_an_error_at_its_line() {
        let text = "patterns:\n  fine:\n    pattern: a\n    doc: d\n  broken:\n    doc: d\n    pattern: '(unclosed'\n";
        let e = compile_all(&[("my.yaml", text)]).expect_err("bad regex");
        assert_eq!((e.file.as_str(), e.line), ("my.yaml", Some(7)));
        assert!(
            e.message
                .starts_with("pattern `broken`: invalid regex '(unclosed'"),
            "{e}"
        );
        let text = "patterns:\n  Bad-Name:\n    pattern: a\n    doc: d\n";
        let e = compile_all(&[("my.yaml", text)]).expect_err("bad name");
        assert_eq!((e.file.as_str(), e.line), ("my.yaml", Some(2)));
        assert!(e.message.contains("not a lowerCamelCase identifier"), "{e}");
        let e =
            compile_all(&[("my.yaml", "patterns:\n  x:\n    pattern: a\n")]).expect_err("no doc");
        assert_eq!(e.file, "my.yaml");
        assert!(e.message.contains("doc"), "{e}");
    }

    #[test]
    fn a_pattern_joined_from_fragments_is_checked_whole_when_the_rule_loads() {
        // Each fragment is a valid regex alone; joined, `(` is left open.
        let frag = "patterns:\n  open:\n    pattern: 'a|b'\n    doc: d\n";
        let text = format!("{frag}{RULE}    expect: \"'a'.matches('^(' + patterns.open)\"\n");
        let e = compile_all(&[("my.yaml", &text)]).expect_err("unclosed group");
        assert_eq!((e.file.as_str(), e.line), ("my.yaml", Some(13)), "{e}");
        assert!(e.message.contains("'^(a|b'"), "{e}");
        // Closed, it loads (crd-monitoring-fields' fixtures read such a join).
        let text = format!(
            "{frag}{RULE}    expect: \"'b'.matches('^(' + patterns['open'] + ')$') && !'ab'.matches('^(' + patterns.open + ')$')\"\n"
        );
        compile_all(&[("my.yaml", &text)]).expect("joined pattern");
    }

    #[test]
    fn a_file_with_neither_patterns_nor_rules_is_an_error() {
        for text in ["{}", "# nothing\n{}\n"] {
            let e = parse_file("my.yaml", text).expect_err(text);
            assert_eq!(e.file, "my.yaml");
            assert!(
                e.message.contains("needs `rules`, `patterns` or both"),
                "{e}"
            );
        }
        assert!(parse_file("my.yaml", "").is_err());
    }
}
