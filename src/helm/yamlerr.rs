//! Where go-yaml (libyaml) and saphyr find a different first error in the
//! same broken text, what go-yaml says: `fromYaml` returns go-yaml's error
//! text, so its words matter.
//!
//! Three differences are followed, each by a rough scan of the text that
//! is run only once saphyr has refused it (so only the message changes):
//! - a flow collection entry that starts with `:` (`[: x`): libyaml wants
//!   node content there (`did not find expected node content`), saphyr
//!   reads an empty key and fails later;
//! - an unclosed flow sequence whose last entry is a single-pair mapping
//!   (`[b: c`): saphyr reports the implicit mapping's `}`, libyaml the
//!   sequence's `]`;
//! - an alias of an unknown anchor: go-yaml names it (`unknown anchor 'x'
//!   referenced`, no line).
//!
//! The scan knows flow brackets, quoted scalars and comments; a text with a
//! block scalar (`|`, `>`) or anything it cannot follow gives no answer.

/// What the scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Flow {
    /// The 0-based line of the first flow entry starting with `:`.
    pub empty_entry_line: Option<usize>,
    /// The innermost flow bracket still open at the end of the text.
    pub open_at_end: Option<char>,
}

/// Scans `text`'s flow collections; `None` when the scan cannot follow it.
pub(crate) fn scan_flow(text: &str) -> Option<Flow> {
    let c: Vec<char> = text.chars().collect();
    let mut open: Vec<char> = Vec::new();
    let mut line = 0usize;
    // Whether the next non-blank character starts a token.
    let mut token_start = true;
    let mut i = 0;
    let mut found = Flow::default();
    let blank_or_end = |j: usize| {
        c.get(j)
            .is_none_or(|&x| matches!(x, ' ' | '\t' | '\n' | '\r'))
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\n' => {
                line += 1;
                if open.is_empty() {
                    token_start = true;
                }
                i += 1;
                continue;
            }
            ' ' | '\t' | '\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if token_start {
            token_start = false;
            match ch {
                '[' | '{' => {
                    open.push(ch);
                    token_start = true;
                    i += 1;
                    continue;
                }
                '"' | '\'' => {
                    i += 1;
                    loop {
                        match c.get(i) {
                            None => return None,
                            Some('\\') if ch == '"' => i += 2,
                            Some('\n') => {
                                line += 1;
                                i += 1;
                            }
                            Some(&q) if q == ch => {
                                if ch == '\'' && c.get(i + 1) == Some(&'\'') {
                                    i += 2;
                                } else {
                                    i += 1;
                                    break;
                                }
                            }
                            Some(_) => i += 1,
                        }
                    }
                    continue;
                }
                '|' | '>' if open.is_empty() => return None,
                ':' if found.empty_entry_line.is_none()
                    && !open.is_empty()
                    && (blank_or_end(i + 1) || matches!(c.get(i + 1), Some(',' | ']' | '}'))) =>
                {
                    found.empty_entry_line = Some(line);
                }
                '-' | '?' if open.is_empty() && blank_or_end(i + 1) => {
                    token_start = true;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        match ch {
            '#' if i == 0 || matches!(c[i - 1], ' ' | '\t') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            ',' if !open.is_empty() => token_start = true,
            ']' | '}' if !open.is_empty() => {
                let want = if ch == ']' { '[' } else { '{' };
                if open.pop() != Some(want) {
                    return None;
                }
            }
            ':' if blank_or_end(i + 1)
                || (!open.is_empty() && matches!(c.get(i + 1), Some(',' | ']' | '}'))) =>
            {
                token_start = true;
            }
            _ => {}
        }
        i += 1;
    }
    found.open_at_end = open.last().copied();
    Some(found)
}

/// The name of the alias at or before `column` (1-based) on `line`
/// (1-based) of `text`.
pub(crate) fn alias_name(text: &str, line: u32, column: u32) -> Option<String> {
    let l: Vec<char> = text
        .lines()
        .nth(line.checked_sub(1)? as usize)?
        .chars()
        .collect();
    let upto = (column as usize).min(l.len());
    let star = l[..upto]
        .iter()
        .rposition(|&c| c == '*')
        .or_else(|| l.iter().position(|&c| c == '*'))?;
    let name: String = l[star + 1..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_entries_and_open_brackets() {
        let f = |t: &str| scan_flow(t).unwrap();
        assert_eq!(f("bad: [: x").empty_entry_line, Some(0));
        assert_eq!(f("a:\n  - [: x\n").empty_entry_line, Some(1));
        assert_eq!(f("a: {x: [1, : 2]}").empty_entry_line, Some(0));
        assert_eq!(f("a: [b: c").open_at_end, Some('['));
        assert_eq!(f("a: [b, {c: d}").open_at_end, Some('['));
        // Colons inside scalars, quotes and comments are no entries.
        let ok = f("a: \"[: x\"\nb: 'it''s [: x' # [: x\nc: [x:y, \"z\"]\nd: e:f");
        assert_eq!(ok, Flow::default());
        assert_eq!(scan_flow("a: |\n  [: x\n"), None);
    }

    #[test]
    fn alias_names() {
        assert_eq!(alias_name("a: *x", 1, 4).as_deref(), Some("x"));
        assert_eq!(
            alias_name("a: 1\nb: [*some-name]", 2, 5).as_deref(),
            Some("some-name")
        );
        assert_eq!(alias_name("a: 1", 1, 1), None);
    }
}
