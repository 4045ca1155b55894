//! Named patterns: a regular expression written once under a rule file's
//! `patterns:` and read by every rule as `patterns.<name>`, so that two rules
//! meaning the same names share one text (and a fix reaches both).

use super::RuleFileError;
use super::cel_env::check_pattern;
use super::model::PatternSpec;
use indexmap::IndexMap;
use serde_saphyr::Spanned;

/// The CEL variable the patterns are bound to.
pub const PATTERNS: &str = "patterns";

/// One named pattern, checked: a lowerCamelCase name and a valid regex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPattern {
    /// The name rules read it by (`patterns.<name>`).
    pub name: String,
    /// The regular expression.
    pub pattern: String,
    /// What it matches and why.
    pub doc: String,
    /// The rule file it is defined in (`builtin:rules/patterns.yaml` for built-ins).
    pub source: String,
    /// The line of its definition in that file.
    pub line: u32,
}

/// Every named pattern of a rule set, in the order the files define them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternTable {
    entries: IndexMap<String, NamedPattern>,
}

impl PatternTable {
    /// Adds the patterns of one rule file: each name must be lowerCamelCase
    /// and new (across every file added before), each pattern a valid regex.
    pub fn add_file(
        &mut self,
        source: &str,
        patterns: IndexMap<Spanned<String>, PatternSpec>,
    ) -> Result<(), RuleFileError> {
        for (name, spec) in patterns {
            let line = name.referenced.line() as u32;
            let err = |line: u32, message: String| RuleFileError {
                file: source.to_string(),
                line: Some(line),
                message,
            };
            let name = name.value;
            if !is_lower_camel_case(&name) {
                return Err(err(
                    line,
                    format!("pattern name `{name}` is not a lowerCamelCase identifier"),
                ));
            }
            if let Some(first) = self.entries.get(&name) {
                return Err(err(
                    line,
                    format!(
                        "pattern `{name}` is already defined at {}:{}",
                        first.source, first.line
                    ),
                ));
            }
            let pattern_line = spec.pattern.referenced.line() as u32;
            check_pattern(&spec.pattern.value)
                .map_err(|m| err(pattern_line, format!("pattern `{name}`: {m}")))?;
            self.entries.insert(
                name.clone(),
                NamedPattern {
                    name,
                    pattern: spec.pattern.value,
                    doc: spec.doc,
                    source: source.to_string(),
                    line,
                },
            );
        }
        Ok(())
    }

    /// The pattern named `name`.
    pub fn get(&self, name: &str) -> Option<&NamedPattern> {
        self.entries.get(name)
    }

    /// Every pattern, in definition order.
    pub fn iter(&self) -> impl Iterator<Item = &NamedPattern> {
        self.entries.values()
    }

    /// The names, for a message saying which exist.
    pub fn names(&self) -> String {
        if self.entries.is_empty() {
            return "none".into();
        }
        self.entries
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `dashboardField`: a lowercase letter, then letters and digits.
fn is_lower_camel_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_camel_case() {
        assert!(is_lower_camel_case("dashboardField"));
        assert!(is_lower_camel_case("x2"));
        for bad in ["", "Dashboard", "dashboard-field", "dashboard_field", "2x"] {
            assert!(!is_lower_camel_case(bad), "{bad}");
        }
    }
}
