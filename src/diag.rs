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
