//! Sprig's case conversions, ported from `github.com/huandu/xstrings`
//! (v1.5, the version Helm 4 links): `camelcase` is `ToCamelCase`,
//! `snakecase`/`kebabcase` are `ToSnakeCase`/`ToKebabCase`.
//!
//! Their rules are not the obvious ones, and charts build names and keys
//! with them (`resource_detection/env` stays as it is under `snakecase`;
//! `HTTPServer` becomes `http_server`; two spaces become two
//! connectors), so the word splitter is followed step by step.

/// xstrings' connector: `-`, `_` or Unicode white space.
fn is_connector(r: char) -> bool {
    r == '-' || r == '_' || r.is_whitespace()
}

/// Go's `unicode.IsPunct` (category P) for ASCII; other characters are
/// taken as not punctuation (xstrings then treats them as "other").
fn is_punct(r: char) -> bool {
    matches!(
        r,
        '!' | '"'
            | '#'
            | '%'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | ','
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '_'
            | '{'
            | '}'
    )
}

/// xstrings' `isAlphabet` is Go's `unicode.IsLetter` (so `über` is one
/// word).
fn is_alphabet(r: char) -> bool {
    r.is_alphabetic()
}

/// The one character Rust's full case mapping gives, if it gives one.
fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// The Greek letters with a subscript iota whose simple upper (and title)
/// case mapping is one character (`ᾳ` → `ᾼ`) while the full one is two
/// (`ΑΙ`), so Rust's `to_uppercase` cannot give it.
fn greek_iota_upper(r: char) -> Option<char> {
    let to = match u32::from(r) {
        c @ (0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7) => c + 8,
        0x1FB3 => 0x1FBC,
        0x1FC3 => 0x1FCC,
        0x1FF3 => 0x1FFC,
        _ => return None,
    };
    char::from_u32(to)
}

/// Go's `unicode.ToUpper`: the simple (one character to one) mapping of
/// UnicodeData: `ß`, `ŉ`, `ﬀ` and the title-case Greek letters stay, `ᾳ`
/// is `ᾼ`.
pub(crate) fn upper(r: char) -> char {
    greek_iota_upper(r)
        .or_else(|| single(r.to_uppercase()))
        .unwrap_or(r)
}

/// Go's `unicode.ToLower`: the simple mapping; `İ` (U+0130) is a plain
/// `i` (its full mapping adds a combining dot).
pub(crate) fn lower(r: char) -> char {
    if r == '\u{130}' {
        return 'i';
    }
    single(r.to_lowercase()).unwrap_or(r)
}

/// Go's `unicode.ToTitle`: the upper case but for the digraphs (`ǆ` →
/// `ǅ`), the Greek letters with a subscript iota, and Georgian Mkhedruli,
/// whose title case is itself.
pub(crate) fn title(r: char) -> char {
    match u32::from(r) {
        0x01C4..=0x01C6 => '\u{1C5}',
        0x01C7..=0x01C9 => '\u{1C8}',
        0x01CA..=0x01CC => '\u{1CB}',
        0x01F1..=0x01F3 => '\u{1F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => r,
        _ => upper(r),
    }
}

/// Go's `unicode.IsTitle`: the title-case letters (category Lt).
pub(crate) fn is_title(r: char) -> bool {
    matches!(
        u32::from(r),
        0x01C5 | 0x01C8 | 0x01CB | 0x01F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F
            | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC
    )
}

/// Go's `unicode.IsUpper` (category Lu): Rust's `Uppercase` property less
/// the other upper-case symbols (`Ⓐ`, `Ⅰ`, squared letters).
pub(crate) fn is_upper(r: char) -> bool {
    r.is_uppercase()
        && !matches!(u32::from(r), 0x2160..=0x216F | 0x24B6..=0x24CF | 0x1F130..=0x1F189)
}

/// Go's `unicode.IsLower` (category Ll): Rust's `Lowercase` property less
/// the other lower-case characters (`ª`, modifier letters, `ⓐ`, `ⅰ`, the
/// combining iota).
pub(crate) fn is_lower(r: char) -> bool {
    r.is_lowercase()
        && !matches!(
            u32::from(r),
            0x00AA
                | 0x00BA
                | 0x02B0..=0x02B8
                | 0x02C0..=0x02C1
                | 0x02E0..=0x02E4
                | 0x0345
                | 0x037A
                | 0x10FC
                | 0x1D2C..=0x1D6A
                | 0x1D78
                | 0x1D9B..=0x1DBF
                | 0x2071
                | 0x207F
                | 0x2090..=0x209C
                | 0x2170..=0x217F
                | 0x24D0..=0x24E9
                | 0x2C7C..=0x2C7D
                | 0xA69C..=0xA69D
                | 0xA770
                | 0xA7F2..=0xA7F4
                | 0xA7F8..=0xA7F9
                | 0xAB5C..=0xAB5F
                | 0xAB69
        )
}

/// `xstrings.ToCamelCase`: words separated by connectors joined, each
/// capitalised; a run of connectors keeps all but its last; a word that
/// starts upper case has its following upper-case letters lowered.
pub(crate) fn to_camel_case(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::with_capacity(s.len());
    let mut r0 = None;
    let mut first_upper = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = Some(upper(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else {
        // Only connectors: xstrings writes the last one once more.
        if let Some(last) = s.chars().next_back() {
            out.push(last);
        }
        return out;
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = upper(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    None,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextWord`: the kind and text of the word at the start of
/// `s`, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::None, "", "");
    };
    // The end offset of the word once `pred` stops holding.
    let run = |from: usize, pred: &dyn Fn(char) -> bool| -> usize {
        s[from..]
            .char_indices()
            .find(|(_, c)| !pred(*c))
            .map_or(s.len(), |(i, _)| from + i)
    };
    let first = r.len_utf8();
    let (kind, end) = if is_connector(r) {
        (Word::Connector, run(first, &is_connector))
    } else if is_punct(r) {
        (Word::Punct, run(first, &is_punct))
    } else if r.is_uppercase() {
        match s[first..].chars().next() {
            None => (Word::Upper, first),
            Some(n) if n.is_uppercase() => {
                let end = run(first, &char::is_uppercase);
                // "HTTPServer": the last capital starts the next word.
                match s[end..].chars().next() {
                    Some(c) if is_alphabet(c) => {
                        let last = s[..end].chars().next_back().map_or(0, char::len_utf8);
                        (Word::Upper, end - last)
                    }
                    _ => (Word::Upper, end),
                }
            }
            Some(n) if is_alphabet(n) => (
                Word::Upper,
                run(first, &|c: char| is_alphabet(c) && !c.is_uppercase()),
            ),
            Some(_) => (Word::Upper, first),
        }
    } else if is_alphabet(r) {
        (
            Word::Alphabet,
            run(first, &|c: char| is_alphabet(c) && !c.is_uppercase()),
        )
    } else if r.is_numeric() {
        (Word::Number, run(first, &char::is_numeric))
    } else {
        (
            Word::Other,
            run(first, &|c: char| {
                !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
            }),
        )
    };
    (kind, &s[..end], &s[end..])
}

/// xstrings' `toLower`: upper-case and connector words are lowered (each
/// connector becomes `sep`), others are written as they are.
fn write_lower(out: &mut String, kind: Word, word: &str, sep: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for r in word.chars() {
        if is_connector(r) {
            out.push(sep);
        } else if r.is_uppercase() {
            out.push(lower(r));
        } else {
            out.push(r);
        }
    }
}

/// `xstrings.ToSnakeCase` (`sep` `_`) and `ToKebabCase` (`-`).
pub(crate) fn to_lower_with_sep(s: &str, sep: char) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if wt != Word::Connector {
            write_lower(&mut out, wt, word, sep);
        }
        let (prev, last) = (wt, word);
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    write_lower(&mut out, wt, word, sep);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::None | Word::Punct | Word::Connector) {
                    out.push(sep);
                }
            }
            Word::Connector => write_lower(&mut out, prev, last, sep),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(sep);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let num = word;
                (wt, word, rest) = next_word(rest);
                // A number is part of the word before it ("Bld4Floor" →
                // "bld4_floor") unless letters follow it ("HTTP2xx" →
                // "http_2xx").
                if wt != Word::Alphabet {
                    write_lower(&mut out, Word::Number, num, sep);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(sep);
                    }
                    continue;
                }
                out.push(sep);
                write_lower(&mut out, Word::Number, num, sep);
                while wt == Word::Alphabet || wt == Word::Number {
                    write_lower(&mut out, wt, word, sep);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::None | Word::Connector | Word::Punct) {
                    out.push(sep);
                }
            }
        }
    }
    write_lower(&mut out, wt, word, sep);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_as_xstrings() {
        for (i, o) in [
            ("some_words", "SomeWords"),
            ("http_server", "HttpServer"),
            ("_complex__case_", "_Complex_Case_"),
            ("some words", "SomeWords"),
            ("GOLANG_IS_GREAT", "GolangIsGreat"),
            ("a.b.c", "A.b.c"),
            ("resource_detection/env", "ResourceDetection/env"),
            ("  x  y ", "  X Y "),
            ("aB_cD", "ABCD"),
            ("_", "__"),
            ("x", "X"),
        ] {
            assert_eq!(to_camel_case(i), o, "{i}");
        }
    }

    #[test]
    fn snake_case_as_xstrings() {
        for (i, o) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Bld4Floor", "bld4_floor"),
            ("a.b.c", "a.b.c"),
            ("resource_detection/env", "resource_detection/env"),
            ("Foo  Bar", "foo__bar"),
            ("  x  y ", "__x__y_"),
        ] {
            assert_eq!(to_lower_with_sep(i, '_'), o, "{i}");
        }
        assert_eq!(to_lower_with_sep("HelloWorld", '-'), "hello-world");
    }
}
