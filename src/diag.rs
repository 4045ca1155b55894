//! Diagnostics: problems with the input itself (a malformed file, a missing
//! metadata file), as opposed to findings, which are the outcome of rules.

use schemars::JsonSchema;
use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Part of the input could not be read; the assessment may miss evidence.
    Error,
    /// The input was read, but something is odd (a duplicate key).
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

/// What kind of problem a diagnostic is: a stable identifier that scripts,
/// baselines and the docs (docs/diagnostics.md) can rely on, whatever the
/// wording of the message.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A file is not YAML (Kubernetes and helm reject it).
    YamlSyntax,
    /// A key repeated in one mapping (the last value wins, as in Kubernetes).
    YamlDuplicateKey,
    /// YAML that libyaml (Kubernetes) accepts but YAML 1.2 parsers do not.
    YamlLenient,
    /// A scalar that cannot be read as its explicit tag says.
    YamlTag,
    /// Other YAML oddities (merge keys, complex keys).
    YamlOddity,
    /// A bound against hostile input was reached (size, depth, aliases, entries).
    Limit,
    /// A file or folder could not be read.
    Unreadable,
    /// A document that is not a Kubernetes object.
    NotAnObject,
    /// A bundle without a ClusterServiceVersion, or with several.
    Csv,
    /// Bundle or package metadata missing or malformed (annotations.yaml, package file).
    Metadata,
    /// A CSV's `alm-examples` annotation is not a JSON list.
    AlmExamples,
    /// An exemption without a reason.
    Exemption,
    /// Chart.yaml missing or invalid (helm rejects the chart).
    ChartInvalid,
    /// A values file is not a mapping, or values do not fit the chart.
    Values,
    /// The values break the chart's (or a subchart's) values.schema.json
    /// (helm rejects the chart).
    ValuesSchema,
    /// A dependency declared in Chart.yaml is not vendored in charts/ (helm rejects the chart).
    DependencyMissing,
    /// A template failed to render (helm template fails the same way).
    TemplateError,
    /// A template's rendered output is not YAML (helm template fails the same way).
    RenderedYaml,
    /// Something odd in a chart that helm accepts.
    Chart,
    /// A rule could not be evaluated on this target: a caplevel defect, not
    /// a problem of the input; fails the run only under `--strict`.
    RuleError,
    /// caplevel failed on this input (a caught panic): its defect, not the
    /// input's; fails the run only under `--strict`.
    Internal,
    /// A file that looks like a target (a `.tgz`) but is not one.
    NotATarget,
    /// An exemption (config or annotation) that matched no finding.
    UnusedExemption,
    /// Anything else.
    #[default]
    Other,
}

impl Code {
    /// The code as written in reports.
    pub fn id(self) -> &'static str {
        match self {
            Code::YamlSyntax => "yaml-syntax",
            Code::YamlDuplicateKey => "yaml-duplicate-key",
            Code::YamlLenient => "yaml-lenient",
            Code::YamlTag => "yaml-tag",
            Code::YamlOddity => "yaml-oddity",
            Code::Limit => "limit",
            Code::Unreadable => "unreadable",
            Code::NotAnObject => "not-an-object",
            Code::Csv => "csv",
            Code::Metadata => "metadata",
            Code::AlmExamples => "alm-examples",
            Code::Exemption => "exemption",
            Code::ChartInvalid => "chart-invalid",
            Code::Values => "values",
            Code::ValuesSchema => "values-schema",
            Code::DependencyMissing => "dependency-missing",
            Code::TemplateError => "template-error",
            Code::RenderedYaml => "rendered-yaml",
            Code::Chart => "chart",
            Code::RuleError => "rule-error",
            Code::Internal => "internal",
            Code::NotATarget => "not-a-target",
            Code::UnusedExemption => "unused-exemption",
            Code::Other => "other",
        }
    }
}

/// One problem with the input, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// What kind of problem (stable; see docs/diagnostics.md).
    pub code: Code,
    /// The file, relative to the working directory when it is below it.
    pub file: Option<String>,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong, in plain words.
    pub message: String,
    /// For a chart, the values profiles under which it occurred (empty when
    /// it does not depend on one); one diagnostic per problem, not per profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

/// Longest message kept whole; nested template errors repeat their prefix
/// once per level and can run to tens of kilobytes.
const MAX_MESSAGE: usize = 2000;

/// `message`, with its middle cut out when it is over [`MAX_MESSAGE`] bytes
/// (the start says what failed, the end says where it bottomed out).
pub fn shorten(message: String) -> String {
    if message.len() <= MAX_MESSAGE {
        return message;
    }
    let head_end = (0..=MAX_MESSAGE / 2)
        .rev()
        .find(|&i| message.is_char_boundary(i))
        .unwrap_or(0);
    let tail_start = (message.len() - MAX_MESSAGE / 2..message.len())
        .find(|&i| message.is_char_boundary(i))
        .unwrap_or(message.len());
    format!(
        "{} […{} bytes cut…] {}",
        &message[..head_end],
        tail_start - head_end,
        &message[tail_start..]
    )
}

impl Diagnostic {
    /// A diagnostic about a whole file (no line).
    pub fn file(severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: Code::Other,
            file: Some(file.into()),
            line: None,
            column: None,
            message: message.into(),
            profiles: Vec::new(),
        }
    }

    /// A diagnostic at a line and column of a file.
    pub fn at(
        severity: Severity,
        file: impl Into<String>,
        pos: crate::yaml::Pos,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code: Code::Other,
            file: Some(file.into()),
            line: Some(pos.line),
            column: Some(pos.column),
            message: message.into(),
            profiles: Vec::new(),
        }
    }

    /// The same diagnostic with this code.
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = code;
        self
    }

    /// Whether this diagnostic fails the run: an error in the input that a
    /// cluster or helm would reject. A rule that could not be evaluated is
    /// caplevel's defect, not the input's, and fails only under `strict`.
    pub fn fails_run(&self, strict: bool) -> bool {
        match self.code {
            Code::RuleError | Code::Internal => strict,
            _ => self.severity == Severity::Error || (strict && self.severity == Severity::Warning),
        }
    }
}

/// Sorts the diagnostics and merges those that differ only in their
/// profiles (a chart problem met under several values profiles is one
/// problem); a merged diagnostic keeps the highest severity.
pub fn merge(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags {
        match out.last_mut() {
            Some(last)
                if (&last.file, last.line, last.column, last.code, &last.message)
                    == (&d.file, d.line, d.column, d.code, &d.message) =>
            {
                last.severity = last.severity.min(d.severity);
                for p in d.profiles {
                    if !last.profiles.contains(&p) {
                        last.profiles.push(p);
                    }
                }
            }
            _ => out.push(d),
        }
    }
    for d in &mut out {
        d.profiles
            .sort_by(|a, b| profile_order(a).cmp(&profile_order(b)));
    }
    out
}

/// Profiles in the order they are rendered: defaults first, features-on
/// next, then the chart's own ci files, by name.
fn profile_order(p: &str) -> (u8, &str) {
    match p {
        "defaults" => (0, p),
        "features-on" => (1, p),
        _ => (2, p),
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(f, "{sev}[{}]: ", self.code.id())?;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        f.write_str(&self.message)?;
        if !self.profiles.is_empty() {
            write!(f, " [profile: {}]", self.profiles.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_messages_keep_head_and_tail() {
        let long = format!("start {} end", "é".repeat(5000));
        let short = shorten(long.clone());
        assert!(short.len() < 2100, "{}", short.len());
        assert!(short.starts_with("start "));
        assert!(short.ends_with(" end"));
        assert!(short.contains("bytes cut"));
        assert_eq!(shorten("brief".into()), "brief");
    }
}
