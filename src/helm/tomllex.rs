//! BurntSushi/toml's words for a TOML text's structural errors.
//!
//! Helm's `fromToml` parses with BurntSushi/toml, whose lexer reports a bad
//! key, table header or statement end as `toml: line 1: expected '.' or
//! '=', but got ':' instead` (what `fromToml` of a YAML text gives); the
//! `toml` crate, which does the parsing here, words the same errors its own
//! way. This is a small port of that lexer's statement level (top level,
//! keys, table headers, where a statement ends), run only on a text the
//! crate refused, to give BurntSushi's message and line. Values are
//! skipped, not checked: where the first error is inside a value, or the
//! text holds something this port does not follow, it answers nothing and
//! the crate's words stand.

use crate::gotemplate::go_quote;

/// BurntSushi's error for `text` (`toml: line N[ (last key "K")]: MSG`)
/// with its line, when the first error is one this port finds.
pub(crate) fn structural_error(text: &str) -> Option<(usize, String)> {
    let mut lx = Lexer {
        c: text.chars().collect(),
        i: 0,
        context: Vec::new(),
    };
    match lx.top() {
        Ok(()) | Err(Stop::Unsure) => None,
        Err(Stop::Error { line, message }) => {
            let last = key_string(&lx.context);
            let at = if last.is_empty() {
                format!("line {line}")
            } else {
                format!("line {line} (last key {})", go_quote(&last))
            };
            Some((line, format!("toml: {at}: {message}")))
        }
    }
}

enum Stop {
    /// An error BurntSushi's lexer reports here.
    Error { line: usize, message: String },
    /// Something this port does not follow (a value it cannot skip).
    Unsure,
}

struct Lexer {
    c: Vec<char>,
    i: usize,
    /// The current table (`[a.b]`): BurntSushi names it as the last key.
    context: Vec<String>,
}

/// Go's `%q` of a rune.
fn quote_rune(r: Option<char>) -> String {
    match r {
        None => "'\\x00'".into(),
        Some('\n') => "'\\n'".into(),
        Some('\r') => "'\\r'".into(),
        Some('\t') => "'\\t'".into(),
        Some('\'') => "'\\''".into(),
        Some('\\') => "'\\\\'".into(),
        Some(c) if (c as u32) < 0x20 || c == '\u{7f}' => format!("'\\x{:02x}'", c as u32),
        Some(c) => format!("'{c}'"),
    }
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// BurntSushi's `Key.String()`: parts joined by dots, quoted when a part
/// is not all bare characters.
fn key_string(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| {
            if p.chars().all(is_bare) {
                p.clone()
            } else {
                format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\""))
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    /// The 1-based line of the character at `i` (a newline is on the line
    /// it ends).
    fn line_at(&self, i: usize) -> usize {
        1 + self.c[..i.min(self.c.len())]
            .iter()
            .filter(|&&c| c == '\n')
            .count()
    }

    /// An error about the character at `i`, counted where it stands
    /// (BurntSushi backs up over it first).
    fn error_at(&self, i: usize, message: String) -> Stop {
        Stop::Error {
            line: self.line_at(i),
            message,
        }
    }

    /// An error after reading the character at `i` (a newline read counts).
    fn error_after(&self, i: usize, message: String) -> Stop {
        Stop::Error {
            line: self.line_at(i + 1),
            message,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.i += 1;
        }
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some('\n' | '\r')) {
            self.i += 1;
        }
    }

    fn top(&mut self) -> Result<(), Stop> {
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(' ' | '\t' | '\n' | '\r') => self.i += 1,
                Some('#') => self.skip_comment(),
                Some('[') => {
                    self.i += 1;
                    self.table()?;
                    self.top_end()?;
                }
                Some(_) => {
                    self.key_value()?;
                    self.top_end()?;
                }
            }
        }
    }

    /// One part of a key or table name: bare (possibly empty) or quoted.
    fn name(&mut self) -> Result<String, Stop> {
        match self.peek() {
            Some(q @ ('"' | '\'')) => {
                self.i += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None if q == '"' => {
                            return Err(
                                self.error_at(self.c.len(), "unexpected EOF; expected '\"'".into())
                            );
                        }
                        None | Some('\n' | '\r') => return Err(Stop::Unsure),
                        Some('\\') if q == '"' => return Err(Stop::Unsure),
                        Some(c) if c == q => {
                            self.i += 1;
                            return Ok(s);
                        }
                        Some(c) => {
                            s.push(c);
                            self.i += 1;
                        }
                    }
                }
            }
            _ => {
                let start = self.i;
                while self.peek().is_some_and(is_bare) {
                    self.i += 1;
                }
                Ok(self.c[start..self.i].iter().collect())
            }
        }
    }

    /// `key = value`, the value skipped.
    fn key_value(&mut self) -> Result<(), Stop> {
        match self.peek() {
            Some('.') => {
                return Err(self.error_at(
                    self.i,
                    "unexpected '.': keys cannot start with a '.'".into(),
                ));
            }
            Some('=') => {
                return Err(self.error_at(self.i, "unexpected '=': key name appears blank".into()));
            }
            _ => {}
        }
        loop {
            self.name()?;
            self.skip_ws();
            match self.peek() {
                None => {
                    return Err(self.error_at(
                        self.c.len(),
                        "unexpected EOF; expected key separator '='".into(),
                    ));
                }
                Some('.') => {
                    self.i += 1;
                    self.skip_ws();
                    if let Some(c @ ('.' | '=')) = self.peek() {
                        return Err(
                            self.error_at(self.i, format!("unexpected {}", quote_rune(Some(c))))
                        );
                    }
                }
                Some('=') => {
                    self.i += 1;
                    return self.value();
                }
                c => {
                    return Err(self.error_at(
                        self.i,
                        format!("expected '.' or '=', but got {} instead", quote_rune(c)),
                    ));
                }
            }
        }
    }

    /// `[a.b]` or `[[a.b]]`, after the first `[`.
    fn table(&mut self) -> Result<(), Stop> {
        let array = self.peek() == Some('[');
        if array {
            self.i += 1;
        }
        let mut parts = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(']') => {
                    return Err(self.error_at(
                        self.i,
                        "unexpected end of table name (table names cannot be empty)".into(),
                    ));
                }
                Some('.') => {
                    return Err(self.error_at(
                        self.i,
                        "unexpected table separator (table names cannot be empty)".into(),
                    ));
                }
                _ => parts.push(self.name()?),
            }
            self.skip_ws();
            let at = self.i;
            let r = self.peek();
            self.i += 1;
            match r {
                Some('.') => {}
                Some(']') => break,
                r => {
                    return Err(self.error_after(
                        at,
                        format!(
                            "expected '.' or ']' to end table name, but got {} instead",
                            quote_rune(r)
                        ),
                    ));
                }
            }
        }
        if array {
            let at = self.i;
            let r = self.peek();
            self.i += 1;
            if r != Some(']') {
                return Err(self.error_after(
                    at,
                    format!(
                        "expected end of table array name delimiter ']', but got {} instead",
                        quote_rune(r)
                    ),
                ));
            }
        }
        self.context = parts;
        Ok(())
    }

    /// After a statement: blanks, a comment, then a line end or the end.
    fn top_end(&mut self) -> Result<(), Stop> {
        self.skip_ws();
        if self.peek() == Some('#') {
            self.skip_comment();
        }
        match self.peek() {
            None | Some('\n' | '\r') => Ok(()),
            r => Err(self.error_after(
                self.i,
                format!(
                    "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                    quote_rune(r)
                ),
            )),
        }
    }

    /// Skips one value; anything unusual is [`Stop::Unsure`].
    fn value(&mut self) -> Result<(), Stop> {
        self.skip_ws();
        match self.peek() {
            Some('"' | '\'') => self.string(),
            Some('[' | '{') => self.bracketed(),
            _ => {
                let scalar = self.scalar();
                if scalar.is_empty() {
                    return Err(Stop::Unsure);
                }
                // A date-time may hold one space between date and time.
                let date = scalar.len() == 10
                    && scalar.chars().enumerate().all(|(i, c)| {
                        if i == 4 || i == 7 {
                            c == '-'
                        } else {
                            c.is_ascii_digit()
                        }
                    });
                if date
                    && self.peek() == Some(' ')
                    && self.c.get(self.i + 1).is_some_and(char::is_ascii_digit)
                {
                    self.i += 1;
                    self.scalar();
                }
                Ok(())
            }
        }
    }

    fn scalar(&mut self) -> String {
        let start = self.i;
        while !matches!(
            self.peek(),
            None | Some(' ' | '\t' | '\n' | '\r' | '#' | ',' | ']' | '}')
        ) {
            self.i += 1;
        }
        self.c[start..self.i].iter().collect()
    }

    /// A basic or literal string, one-line or multi-line.
    fn string(&mut self) -> Result<(), Stop> {
        let q = self.peek().ok_or(Stop::Unsure)?;
        let multi = self.c.get(self.i + 1) == Some(&q) && self.c.get(self.i + 2) == Some(&q);
        self.i += if multi { 3 } else { 1 };
        loop {
            match self.peek() {
                None => return Err(Stop::Unsure),
                Some('\n' | '\r') if !multi => return Err(Stop::Unsure),
                Some('\\') if q == '"' => self.i += 2,
                Some(c) if c == q => {
                    if !multi {
                        self.i += 1;
                        return Ok(());
                    }
                    if self.c.get(self.i + 1) == Some(&q) && self.c.get(self.i + 2) == Some(&q) {
                        self.i += 3;
                        // Up to two more quotes belong to the string.
                        while self.peek() == Some(q) {
                            self.i += 1;
                        }
                        return Ok(());
                    }
                    self.i += 1;
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// An array or inline table, its nesting matched (strings and comments
    /// inside skipped).
    fn bracketed(&mut self) -> Result<(), Stop> {
        let mut open = Vec::new();
        loop {
            match self.peek() {
                None => return Err(Stop::Unsure),
                Some(c @ ('[' | '{')) => {
                    open.push(c);
                    self.i += 1;
                }
                Some(c @ (']' | '}')) => {
                    let want = if c == ']' { '[' } else { '{' };
                    if open.pop() != Some(want) {
                        return Err(Stop::Unsure);
                    }
                    self.i += 1;
                    if open.is_empty() {
                        return Ok(());
                    }
                }
                Some('"' | '\'') => self.string()?,
                Some('#') if open.last() == Some(&'[') => self.skip_comment(),
                Some(_) => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Option<String> {
        structural_error(text).map(|(_, m)| m)
    }

    #[test]
    fn yaml_read_as_toml() {
        assert_eq!(
            err("a: 1").as_deref(),
            Some("toml: line 1: expected '.' or '=', but got ':' instead")
        );
        assert_eq!(
            err("x").as_deref(),
            Some("toml: line 1: unexpected EOF; expected key separator '='")
        );
        assert_eq!(
            err("- 1\n- x").as_deref(),
            Some("toml: line 1: expected '.' or '=', but got '1' instead")
        );
        assert_eq!(
            err("[1, \"a\"]").as_deref(),
            Some("toml: line 1: expected '.' or ']' to end table name, but got ',' instead")
        );
    }

    #[test]
    fn lines_and_last_keys_as_burntsushi() {
        // A key's bad character is counted on its own line, a table name's
        // after it is read (a newline moves on).
        assert_eq!(
            err("x\n").as_deref(),
            Some("toml: line 1: expected '.' or '=', but got '\\n' instead")
        );
        assert_eq!(
            err("[a]\n[b\n").as_deref(),
            Some(
                "toml: line 3 (last key \"a\"): expected '.' or ']' to end table name, but got '\\n' instead"
            )
        );
        assert_eq!(
            err("[\"a b\".c]\nx").as_deref(),
            Some(
                "toml: line 2 (last key \"\\\"a b\\\".c\"): unexpected EOF; expected key separator '='"
            )
        );
        assert_eq!(
            err("a = [1,\n # c\n 2, ]\nd = 1979-05-27 07:32:00\nb").as_deref(),
            Some("toml: line 5: unexpected EOF; expected key separator '='")
        );
        assert_eq!(
            err("a = 'x' y").as_deref(),
            Some(
                "toml: line 1: expected a top-level item to end with a newline, comment, or EOF, but got 'y' instead"
            )
        );
        assert_eq!(
            err(".a=1").as_deref(),
            Some("toml: line 1: unexpected '.': keys cannot start with a '.'")
        );
        assert_eq!(err("a.=1").as_deref(), Some("toml: line 1: unexpected '='"));
        // Valid structure, or an error inside a value: nothing to say.
        assert_eq!(err("a . b = 1\n[ t . u ]\n"), None);
        assert_eq!(err("a = \"x\ny\""), None);
    }
}
