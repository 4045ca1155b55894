//! The small path language of [`super::Node::path`].

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Splits a path into segments; `None` if it is malformed.
///
/// Grammar: segments joined by `.`; a segment is a bare key (up to the next
/// `.` or `[`), a quoted key (`"..."` or `'...'`), or a bracket (`[N]`,
/// `["key"]`, `['key']`), and brackets may follow a segment directly
/// (`containers[0]`, `annotations["a.b"]`).
pub(super) fn parse(path: &str) -> Option<Vec<Segment>> {
    let mut chars = path.chars().peekable();
    let mut out = Vec::new();
    if path.is_empty() {
        return Some(out);
    }
    // True where a segment must start: at the beginning and after a `.`.
    let mut need_segment = true;
    loop {
        match chars.peek().copied() {
            None => return (!need_segment).then_some(out),
            Some('[') => {
                chars.next();
                let segment = match chars.peek().copied() {
                    Some(q @ ('"' | '\'')) => {
                        chars.next();
                        Segment::Key(quoted(&mut chars, q)?)
                    }
                    _ => {
                        let mut digits = String::new();
                        while let Some(c) = chars.next_if(char::is_ascii_digit) {
                            digits.push(c);
                        }
                        Segment::Index(digits.parse().ok()?)
                    }
                };
                if chars.next() != Some(']') {
                    return None;
                }
                out.push(segment);
                need_segment = false;
            }
            Some('.') => {
                if need_segment {
                    return None;
                }
                chars.next();
                need_segment = true;
            }
            Some(q @ ('"' | '\'')) if need_segment => {
                chars.next();
                out.push(Segment::Key(quoted(&mut chars, q)?));
                need_segment = false;
            }
            Some(_) if need_segment => {
                let mut key = String::new();
                while let Some(c) = chars.next_if(|&c| c != '.' && c != '[') {
                    key.push(c);
                }
                out.push(Segment::Key(key));
                need_segment = false;
            }
            // Something other than `.` or `[` right after a quoted key.
            Some(_) => return None,
        }
    }
}

/// Reads a quoted key after its opening quote, through the closing quote.
/// In double quotes, `\"` and `\\` escape; single quotes take text as is.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, quote: char) -> Option<String> {
    let mut key = String::new();
    loop {
        match chars.next()? {
            c if c == quote => return Some(key),
            '\\' if quote == '"' => key.push(chars.next()?),
            c => key.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(parts: &[&str]) -> Vec<Segment> {
        parts
            .iter()
            .map(|p| Segment::Key((*p).to_owned()))
            .collect()
    }

    #[test]
    fn grammar() {
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse("a.b.c"), Some(keys(&["a", "b", "c"])));
        assert_eq!(
            parse("spec.deployments[0].name"),
            Some(vec![
                Segment::Key("spec".into()),
                Segment::Key("deployments".into()),
                Segment::Index(0),
                Segment::Key("name".into()),
            ])
        );
        assert_eq!(
            parse(r#"metadata.annotations["alm-examples"]"#),
            Some(keys(&["metadata", "annotations", "alm-examples"]))
        );
        assert_eq!(
            parse(r#"labels."app.kubernetes.io/name".x"#),
            Some(keys(&["labels", "app.kubernetes.io/name", "x"]))
        );
        assert_eq!(parse("a['b.c']"), Some(keys(&["a", "b.c"])));
        assert_eq!(parse(r#"a["q\"x"]"#), Some(keys(&["a", "q\"x"])));
        assert_eq!(
            parse("[1][2]"),
            Some(vec![Segment::Index(1), Segment::Index(2)])
        );
        for bad in [
            "a.", ".a", "a..b", "a[", "a[x]", "a[1", r#"a["x"#, r#""a"b"#, "a[]",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
