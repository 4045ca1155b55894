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

/// One problem with the input, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// The file, relative to the working directory when it is below it.
    pub file: Option<String>,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about a whole file (no line).
    pub fn file(severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: Some(file.into()),
            line: None,
            column: None,
            message: message.into(),
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
            file: Some(file.into()),
            line: Some(pos.line),
            column: Some(pos.column),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(f, "{sev}: ")?;
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
        f.write_str(&self.message)
    }
}
