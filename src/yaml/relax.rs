//! libyaml's leniency about continuation lines of quoted scalars.
//!
//! YAML 1.2 (and so `saphyr-parser`) requires every continuation line of a
//! multi-line quoted scalar to be indented past the enclosing block with
//! spaces. libyaml, and go-yaml v2 which is a port of it, checks neither, so
//! Kubernetes accepts files like this one (from a real `OperatorHub` bundle):
//!
//! ```yaml
//!   description: "first line\
//! <TAB>\ second line"
//! ```
//!
//! The leading white space of a continuation line is not part of the value
//! (line folding drops it), so rewriting it to plain spaces changes nothing
//! but what the stricter parser sees. When the parser rejects a file for one
//! of these two reasons, the loader rewrites the scalar concerned and parses
//! again; line numbers do not move.
//!
//! The same holds inside flow collections: libyaml does not check their
//! indentation at all, so a chart's values.yaml may close `args: [` with a
//! `]` at the key's own column (bitnami chainloop does). A flow line that
//! holds only white space before the offending token is shifted right, one
//! space per attempt; inside `[…]`/`{…}` indentation carries no meaning.

use saphyr_parser::Marker;

use super::Pos;
use super::parse::pos_of;

/// The parser's message for a tab in a quoted scalar's continuation indent.
const TAB_IN_QUOTED: &str = "tab cannot be used as indentation";
/// The parser's message for a continuation line indented too little.
const UNDER_INDENTED_QUOTED: &str = "invalid indentation in quoted scalar";
/// The parser's message for any token left of the current indent.
const UNDER_INDENTED: &str = "invalid indentation";
/// The parser's message for a plain scalar inside `[…]`/`{…}` left of it.
const UNDER_INDENTED_FLOW: &str = "invalid indentation in flow construct";

/// What to do about a parser error.
pub(super) enum Relaxed {
    /// The text with the continuation lines of the offending scalar rewritten,
    /// and where the rewritten scalar starts when known.
    Retry(String, Option<Pos>),
    /// A real error (or one this pass cannot help with).
    Fail,
}

/// Rewrites `text` to get past `info` at `mark`, if that is one of the two
/// libyaml leniencies.
pub(super) fn relax(text: &str, mark: Marker, info: &str) -> Relaxed {
    let Some(at) = byte_offset(text, mark.index()) else {
        return Relaxed::Fail;
    };
    match info {
        // The mark is the tab, somewhere inside the scalar; where the scalar
        // starts is unknown. Reduce the line's indent to one space: either
        // that is enough, or the next attempt fails with the other message,
        // which does give the scalar's start.
        TAB_IN_QUOTED => {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let indent_len = text[line_start..]
                .bytes()
                .take_while(|&b| b == b' ' || b == b'\t')
                .count();
            if !text[line_start..line_start + indent_len].contains('\t') {
                return Relaxed::Fail;
            }
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..line_start]);
            out.push(' ');
            out.push_str(&text[line_start + indent_len..]);
            Relaxed::Retry(out, None)
        }
        // The mark is the scalar's opening quote.
        UNDER_INDENTED_QUOTED => match reindent_scalar(text, at, mark.col()) {
            Some(out) => Relaxed::Retry(out, Some(pos_of(mark))),
            None => Relaxed::Fail,
        },
        // Only a closing `]`/`}` at the start of its line: anything else
        // under-indented outside a flow collection is a real error.
        UNDER_INDENTED if matches!(text.as_bytes().get(at), Some(b']' | b'}')) => {
            shift_flow_line(text, at, mark)
        }
        UNDER_INDENTED_FLOW => shift_flow_line(text, at, mark),
        _ => Relaxed::Fail,
    }
}

/// One more space before the token at byte `at`, if only spaces precede it
/// on its line.
fn shift_flow_line(text: &str, at: usize, mark: Marker) -> Relaxed {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..at].bytes().all(|b| b == b' ') {
        return Relaxed::Fail;
    }
    let mut out = String::with_capacity(text.len() + 1);
    out.push_str(&text[..line_start]);
    out.push(' ');
    out.push_str(&text[line_start..]);
    // The line, not the column: one warning however many spaces it takes.
    let pos = Pos {
        column: 1,
        ..pos_of(mark)
    };
    Relaxed::Retry(out, Some(pos))
}

/// Byte offset of the `index`-th character (`saphyr` counts characters).
fn byte_offset(text: &str, index: usize) -> Option<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .nth(index)
}

/// Gives every continuation line of the quoted scalar starting at byte `at`
/// (column `column`, 0-based) an indent of `column + 1` spaces: past the
/// enclosing block, whose indent is at most the scalar's own column.
/// `None` if there is no quoted scalar there or nothing needed rewriting.
fn reindent_scalar(text: &str, at: usize, column: usize) -> Option<String> {
    let quote = match text.as_bytes().get(at) {
        Some(b'"') => b'"',
        Some(b'\'') => b'\'',
        _ => return None,
    };
    let bytes = text.as_bytes();
    let want = column + 1;
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..=at]);
    let mut copied = at + 1;
    let mut changed = false;
    let mut i = at + 1;
    // Only ASCII bytes are inspected, so every cut lands on a char boundary.
    while i < bytes.len() {
        match bytes[i] {
            // An escape skips the escaped character, except an escaped line
            // break: the next line's indent is checked all the same.
            b'\\' if quote == b'"' => {
                i += if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) {
                    1
                } else {
                    2
                };
            }
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => break,
            b'\n' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
                    end += 1;
                }
                let indent = &bytes[start..end];
                if indent.contains(&b'\t') || indent.len() < want {
                    out.push_str(&text[copied..start]);
                    out.extend(std::iter::repeat_n(' ', want));
                    copied = end;
                    changed = true;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindents_only_the_scalar() {
        let text = "a:\n  b: \"x\\\n\t\\ y\n z\"\n  c: 1\n";
        let out = reindent_scalar(text, 8, 5).unwrap();
        assert_eq!(out, "a:\n  b: \"x\\\n      \\ y\n      z\"\n  c: 1\n");
        // Escaped quotes do not end the scalar.
        let text = "k: 'it''s\n\tok'\nj: 1\n";
        let out = reindent_scalar(text, 3, 3).unwrap();
        assert_eq!(out, "k: 'it''s\n    ok'\nj: 1\n");
        assert!(reindent_scalar("k: plain\n", 3, 3).is_none());
        assert!(reindent_scalar("k: \"one line\"\n", 3, 3).is_none());
    }

    #[test]
    fn a_flow_collection_closed_left_of_its_key_parses_as_libyaml_reads_it() {
        let limits = crate::yaml::Limits::default();
        let text = "vault:\n  server:\n    args: [\n      \"server\",\n      \"-dev\"\n    ]\n    other: 1\n";
        let parsed = crate::yaml::parse_str(text, &limits);
        let root = &parsed.documents[0].root;
        let args = root
            .path("vault.server.args")
            .and_then(crate::yaml::Node::as_seq);
        assert_eq!(args.map(<[_]>::len), Some(2), "{:?}", parsed.issues);
        assert_eq!(
            root.path("vault.server.other")
                .and_then(crate::yaml::Node::scalar_text),
            Some("1".to_owned())
        );
        // One warning, at the `]` line.
        let lines: Vec<u32> = parsed
            .issues
            .iter()
            .filter_map(|i| i.pos.map(|p| p.line))
            .collect();
        assert_eq!(lines, [6]);
        // Outside a flow collection an under-indented line stays an error.
        let bad = crate::yaml::parse_str("a:\n    b: 1\n  c: 2\n", &limits);
        assert!(
            bad.issues
                .iter()
                .any(|i| i.severity == crate::yaml::IssueSeverity::Error)
        );
    }
}
